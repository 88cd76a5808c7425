// SPDX-License-Identifier: MIT
/*
 * Module unload/reload helpers (delete_module, finit_module).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "drmtest.h"
#include "igt_core.h"
#include "igt_kmod.h"

/* Long enough for a workqueue to run, even under KASAN. */
#define MODULE_UNUSED_TIMEOUT_MS	10000

int __delete_module(const char *name, unsigned int flags)
{
	return syscall(SYS_delete_module, name, flags) ? -errno : 0;
}

bool igt_kmod_is_loaded(const char *mod_name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", mod_name);
	return access(path, F_OK) == 0;
}

int igt_kmod_load(const char *mod_name, const char *opts)
{
	char cmd[512];
	int ret;

	if (igt_kmod_is_loaded(mod_name))
		return 0;
	if (strchr(mod_name, '\'') || (opts && strchr(opts, '\'')))
		return -EINVAL;
	snprintf(cmd, sizeof(cmd), "modprobe '%s' %s", mod_name,
		 opts ? opts : "");
	ret = system(cmd);
	if (ret == -1)
		return -errno;
	return WIFEXITED(ret) && !WEXITSTATUS(ret) ? 0 : -ENOENT;
}

int igt_kmod_unload(const char *mod_name, unsigned int flags)
{
	if (!igt_kmod_is_loaded(mod_name))
		return 0;
	return __delete_module(mod_name, flags);
}

static long module_refcnt(const char *mod)
{
	char path[PATH_MAX], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", mod);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

bool module_wait_unused(const char *mod, int timeout_ms)
{
	struct timespec delay = { .tv_nsec = 10 * 1000 * 1000 };

	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		long refs = module_refcnt(mod);

		if (refs <= 0)
			return refs == 0;
		nanosleep(&delay, NULL);
	}
	return false;
}

int __finit_module(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -errno;
	err = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return err;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool module_params_string(const char *mod, char *buf, size_t len)
{
	char dir[PATH_MAX], *names[64];
	struct dirent *de;
	size_t used = 0;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/module/%s/parameters", mod);
	if (!module_loaded(mod) || !len)
		return false;
	buf[0] = '\0';
	d = opendir(dir);
	if (!d)
		return errno == ENOENT;	/* no parameters */
	while ((de = readdir(d)) && n < 64)
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);

	for (int i = 0; i < n; i++) {
		char val[256];

		if (names[i] && used < len &&
		    module_param_read(mod, names[i], val, sizeof(val)))
			used += snprintf(buf + used, len - used, "%s%s=%s%s%s",
					 used ? " " : "", names[i],
					 strchr(val, ' ') ? "\"" : "", val,
					 strchr(val, ' ') ? "\"" : "");
		free(names[i]);
	}
	return used < len;
}

int __vrender_ko_path(char *buf, size_t len)
{
	const char *dir = getenv("VPRIME_MODDIR");

	if (!dir || !*dir) {
		snprintf(buf, len, "$VPRIME_MODDIR");
		return -ENOENT;
	}
	snprintf(buf, len, "%s/drivers/gpu/drm/vrender/vrender.ko", dir);
	return access(buf, R_OK) ? -errno : 0;
}

void vrender_ko_path(char *buf, size_t len)
{
	int err = __vrender_ko_path(buf, len);

	igt_require_f(err == 0, "%s: %s\n", buf, strerror(-err));
}

int __vrender_reload(const char *params)
{
	char path[PATH_MAX];
	int err;

	err = __vrender_ko_path(path, sizeof(path));
	if (err)
		return err;
	if (module_loaded("vrender")) {
		module_wait_unused("vrender", MODULE_UNUSED_TIMEOUT_MS);
		err = __delete_module("vrender", O_NONBLOCK);
		if (err)
			return err;
	}
	return __finit_module(path, params);
}

void vrender_reload(const char *params)
{
	int err = __vrender_reload(params);

	igt_assert_f(err == 0, "reloading vrender with \"%s\": %s\n",
		     params, strerror(-err));
	igt_assert(module_loaded("vrender"));
}

static bool is_drm_target(const char *target)
{
	return !strncmp(target, "/dev/dri/", 9) || strstr(target, "dmabuf");
}

static void drop_drm_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char target[PATH_MAX];
		int fd = atoi(de->d_name);
		ssize_t len;

		if (de->d_name[0] == '.' || fd == dirfd(d))
			continue;
		len = readlinkat(dirfd(d), de->d_name, target,
				 sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (is_drm_target(target))
			close(fd);
	}
	closedir(d);
}

static void drop_drm_mappings(void)
{
	unsigned long start[64], end[64];
	char line[PATH_MAX + 128];
	int n = 0;
	FILE *f;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return;
	while (n < 64 && fgets(line, sizeof(line), f)) {
		int pos = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n",
			   &start[n], &end[n], &pos) >= 2 && pos &&
		    is_drm_target(line + pos))
			n++;
	}
	fclose(f);
	while (n--)
		munmap((void *)start[n], end[n] - start[n]);
}

void drop_drm_references(void)
{
	drop_drm_mappings();
	drop_drm_fds();
}
