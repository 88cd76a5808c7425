// SPDX-License-Identifier: MIT
/*
 * vrender device discovery: vrender.<i> is the platform device that is the
 * parent ("device" link) of a DRM card in /sys/class/drm.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <xf86drm.h>

#include "drmtest.h"
#include "igt_core.h"

#define SYSFS_DRM	"/sys/class/drm"

/* Index i of the vrender.<i> parent of card @n, or -1. */
static int card_vrender_index(int n)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	char *end;
	ssize_t len;
	long i;

	snprintf(path, sizeof(path), SYSFS_DRM "/card%d/device", n);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0)
		return -1;
	link[len] = '\0';
	base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (strncmp(base, "vrender.", 8))
		return -1;
	i = strtol(base + 8, &end, 10);
	if (end == base + 8 || *end || i < 0 || i > INT_MAX)
		return -1;
	return i;
}

/* Calls fn(card, vrender index, arg) for each vrender card; stops on true. */
static int for_each_vrender_card(bool (*fn)(int card, int idx, void *arg),
				 void *arg)
{
	struct dirent *de;
	int count = 0;
	DIR *dir;

	dir = opendir(SYSFS_DRM);
	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		char *end;
		long n;
		int idx;

		if (strncmp(de->d_name, "card", 4))
			continue;
		n = strtol(de->d_name + 4, &end, 10);
		if (end == de->d_name + 4 || *end)
			continue;
		idx = card_vrender_index(n);
		if (idx < 0)
			continue;
		count++;
		if (fn && fn(n, idx, arg))
			break;
	}
	closedir(dir);
	return count;
}

int vrender_count(void)
{
	return for_each_vrender_card(NULL, NULL);
}

struct card_lookup {
	int idx;
	int card;
};

static bool match_index(int card, int idx, void *arg)
{
	struct card_lookup *l = arg;

	if (idx != l->idx)
		return false;
	l->card = card;
	return true;
}

int vrender_card(int i)
{
	struct card_lookup l = { .idx = i, .card = -1 };

	for_each_vrender_card(match_index, &l);
	return l.card;
}

static int open_node(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0 && (errno == EACCES || errno == EPERM))
		igt_skip("cannot open %s: %s\n", path, strerror(errno));
	igt_assert_f(fd >= 0, "open(%s) failed\n", path);
	return fd;
}

int vrender_open(int i)
{
	char path[64];
	int card = vrender_card(i);

	igt_require_f(card >= 0,
		      "needs vrender.%d (load vrender with devices=%d or more)\n",
		      i, i + 1);
	snprintf(path, sizeof(path), "/dev/dri/card%d", card);
	return open_node(path);
}

static int render_minor(int card)
{
	char path[PATH_MAX];
	struct dirent *de;
	int minor = -1;
	DIR *dir;

	snprintf(path, sizeof(path), SYSFS_DRM "/card%d/device/drm", card);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir)))
		if (sscanf(de->d_name, "renderD%d", &minor) == 1)
			break;
	closedir(dir);
	return de ? minor : -1;
}

int vrender_open_render(int i)
{
	char path[64];
	int card = vrender_card(i);
	int minor;

	igt_require_f(card >= 0,
		      "needs vrender.%d (load vrender with devices=%d or more)\n",
		      i, i + 1);
	minor = render_minor(card);
	igt_require_f(minor >= 0, "vrender.%d has no render node\n", i);
	snprintf(path, sizeof(path), "/dev/dri/renderD%d", minor);
	return open_node(path);
}

unsigned int drm_minor(int fd)
{
	struct stat st;

	igt_assert_eq(fstat(fd, &st), 0);
	igt_assert_f(S_ISCHR(st.st_mode), "fd %d is not a DRM node\n", fd);
	return minor(st.st_rdev);
}

int drm_reopen(int fd)
{
	unsigned int minor = drm_minor(fd);
	char path[64];

	if (minor >= 128)
		snprintf(path, sizeof(path), "/dev/dri/renderD%u", minor);
	else
		snprintf(path, sizeof(path), "/dev/dri/card%u", minor);
	return open_node(path);
}

const char *drm_driver_name(int fd, char *buf, size_t len)
{
	drmVersionPtr v = drmGetVersion(fd);

	igt_assert_f(v, "DRM_IOCTL_VERSION failed\n");
	snprintf(buf, len, "%s", v->name);
	drmFreeVersion(v);
	return buf;
}

const char *vrender_expected_name(int i)
{
	char val[16];

	if (i == 0 && module_param_read("vrender", "vgem_compat",
					val, sizeof(val)) &&
	    (val[0] == 'Y' || val[0] == 'y' || val[0] == '1'))
		return "vgem";
	return "vrender";
}

/* Module parameters */

static void param_path(char *buf, size_t len, const char *mod,
		       const char *name)
{
	snprintf(buf, len, "/sys/module/%s/parameters/%s", mod, name);
}

bool module_loaded(const char *mod)
{
	char path[PATH_MAX], state[32] = "";
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", mod);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	len = read(fd, state, sizeof(state) - 1);
	close(fd);
	return len > 0 && !strncmp(state, "live", 4);
}

bool module_param_read(const char *mod, const char *name,
		       char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t ret;
	int fd;

	param_path(path, sizeof(path), mod, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ret = read(fd, buf, len - 1);
	close(fd);
	if (ret < 0)
		return false;
	while (ret > 0 && (buf[ret - 1] == '\n' || buf[ret - 1] == ' '))
		ret--;
	buf[ret] = '\0';
	return true;
}

long module_param_int(const char *mod, const char *name)
{
	char buf[32], *end;
	long val;

	igt_require_f(module_param_read(mod, name, buf, sizeof(buf)),
		      "module parameter %s.%s not readable\n", mod, name);
	val = strtol(buf, &end, 0);
	igt_assert_f(end != buf && !*end, "%s.%s=\"%s\" is not a number\n",
		     mod, name, buf);
	return val;
}

int __module_param_write(const char *mod, const char *name, const char *val)
{
	char path[PATH_MAX];
	ssize_t len = strlen(val);
	int fd, err = 0;

	param_path(path, sizeof(path), mod, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != len)
		err = errno ? -errno : -EIO;
	close(fd);
	return err;
}
