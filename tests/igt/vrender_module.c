// SPDX-License-Identifier: MIT
/*
 * vrender module lifetime: dma-bufs and mappings pin the module, primegem
 * is pinned by vrender, unload/reload, and vgem_compat=1. Needs root and a
 * loaded vrender; reloads from $VPRIME_MODDIR. The module is restored with
 * its original parameters at the end, or at exit if a fixture failed.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "igt_kmod.h"
#include "ioctl_wrappers.h"
#include "vgem_drm.h"

#define RW		(PROT_READ | PROT_WRITE)
#define PARAMS_LEN	1024
#define COMPAT_PARAMS	"devices=2 vgem_compat=1"
#define READ_TIMEOUT_S	5
#define MAX_READ	(1 << 20)

static char orig_params[PARAMS_LEN];
static bool saved;
static int vgem_fd = -1;
static int vrender_fd = -1;

static int restore_module(void)
{
	char now[PARAMS_LEN];
	int err;

	if (!saved)
		return 0;
	if (module_params_string("vrender", now, sizeof(now)) &&
	    !strcmp(now, orig_params))
		return 0;
	drop_drm_references();
	err = __vrender_reload(orig_params);
	if (err)
		igt_warn("restoring vrender \"%s\": %s\n", orig_params,
			 strerror(-err));
	return err;
}

static void restore_handler(int sig)
{
	(void)sig;
	restore_module();
}

static void save_module(void)
{
	igt_require_f(geteuid() == 0, "needs root\n");
	igt_require_f(module_loaded("vrender"), "vrender is not loaded\n");
	igt_assert(module_params_string("vrender", orig_params,
					sizeof(orig_params)));
	igt_info("vrender parameters: %s\n", orig_params);
	saved = true;
	igt_install_exit_handler(restore_handler);
}

static void expect_busy(const char *mod)
{
	igt_assert_eq(__delete_module(mod, O_NONBLOCK), -EWOULDBLOCK);
	igt_assert(module_loaded(mod));
}

static void test_busy_dmabuf(void)
{
	int dev = vrender_open(0);
	struct bo bo = bo_create(dev, 1);
	int dmabuf = prime_handle_to_fd(dev, bo.handle);

	close(dev);
	expect_busy("vrender");
	close(dmabuf);
}

/* Only a mapping (dma-buf or GEM) is left. */
static void test_busy_mmap(bool dmabuf_map)
{
	int dev = vrender_open(0);
	struct bo bo = bo_create(dev, 2);
	int dmabuf = prime_handle_to_fd(dev, bo.handle);
	void *ptr = dmabuf_map ? dmabuf_mmap(dmabuf, 0, bo.npages, RW) :
				 gem_mmap(dev, bo.handle, 0, bo.npages, RW);

	pattern_fill(ptr, 0, bo.npages, 1);
	gem_close(dev, bo.handle);
	close(dmabuf);
	close(dev);
	expect_busy("vrender");
	pattern_check(ptr, 0, bo.npages, 1);
	munmap_pages(ptr, bo.npages);
}

static void test_busy_primegem(void)
{
	int dev = vrender_open(0);	/* keeps vrender loaded */

	igt_require_f(module_loaded("primegem"),
		      "primegem is not a loaded module\n");
	expect_busy("primegem");
	close(dev);
}

static void test_unload_reload(void)
{
	char path[PATH_MAX], now[PARAMS_LEN];
	int dev;

	vrender_ko_path(path, sizeof(path));
	igt_assert_eq(__delete_module("vrender", O_NONBLOCK), 0);
	igt_assert(!module_loaded("vrender"));
	igt_assert_eq(vrender_count(), 0);
	igt_assert_eq(__finit_module(path, orig_params), 0);

	igt_assert(module_params_string("vrender", now, sizeof(now)));
	igt_assert_f(!strcmp(now, orig_params), "reloaded with \"%s\"\n", now);
	igt_assert_eq(vrender_count(), module_param_int("vrender", "devices"));
	dev = vrender_open(0);
	gem_close(dev, bo_create(dev, 1).handle);
	close(dev);
}

static void check_name(int fd, const char *want)
{
	char name[64];

	igt_assert_f(!strcmp(drm_driver_name(fd, name, sizeof(name)), want),
		     "driver \"%s\", expected \"%s\"\n", name, want);
}

static void test_compat_names(void)
{
	int r0 = vrender_open_render(0), r1 = vrender_open_render(1);

	igt_assert_eq(module_param_int("vrender", "devices"), 2);
	igt_assert_eq(vrender_count(), 2);
	igt_assert_eq(vrender_card(2), -1);
	check_name(vgem_fd, "vgem");
	check_name(r0, "vgem");
	check_name(vrender_fd, "vrender");
	check_name(r1, "vrender");
	igt_assert(!strcmp(vrender_expected_name(0), "vgem"));
	close(r0);
	close(r1);
}

static unsigned int read_nonblocking(const char *path)
{
	static char buf[4096];
	size_t total = 0;
	ssize_t ret;
	int fd;

	igt_set_timeout(READ_TIMEOUT_S, path);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		igt_debug("open(%s): %s\n", path, strerror(errno));
		igt_reset_timeout();
		return 0;
	}
	while (total < MAX_READ && (ret = read(fd, buf, sizeof(buf))) > 0)
		total += ret;
	close(fd);
	igt_reset_timeout();
	igt_debug("%s: %zu bytes\n", path, total);
	return 1;
}

/* Read every readable regular file below @dir, not following symlinks. */
static unsigned int read_tree(const char *dir)
{
	unsigned int files = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	igt_assert_f(d, "opendir(%s) failed\n", dir);
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			files += read_tree(path);
		else if (S_ISREG(st.st_mode) && (st.st_mode & 0444))
			files += read_nonblocking(path);
	}
	closedir(d);
	return files;
}

static void test_compat_nonblocking_reads(void)
{
	char dir[PATH_MAX];
	int r0 = vrender_open_render(0);

	snprintf(dir, sizeof(dir), "/sys/class/drm/card%d/",
		 vrender_card(0));
	igt_assert_lt(0, read_tree(dir));
	igt_require_f(debugfs_dri_dir(vgem_fd, dir, sizeof(dir)),
		      "%s not accessible\n", dir);
	igt_assert_lt(0, read_tree(dir));
	igt_assert_f(debugfs_dri_dir(r0, dir, sizeof(dir)),
		     "%s not accessible\n", dir);
	igt_assert_lt(0, read_tree(dir));
	close(r0);
}

igt_main
{
	igt_fixture
		save_module();

	igt_subtest("unload-busy-dmabuf")
		test_busy_dmabuf();
	igt_subtest("unload-busy-dmabuf-mmap")
		test_busy_mmap(true);
	igt_subtest("unload-busy-gem-mmap")
		test_busy_mmap(false);
	igt_subtest("unload-busy-primegem")
		test_busy_primegem();
	igt_subtest("unload-reload")
		test_unload_reload();

	igt_subtest_group {
		igt_fixture {
			char path[PATH_MAX];

			vrender_ko_path(path, sizeof(path));
			vrender_reload(COMPAT_PARAMS);
			vgem_fd = vrender_open(0);
			vrender_fd = vrender_open(1);
		}

		igt_subtest("vgem-compat-names")
			test_compat_names();
		igt_subtest("vgem-compat-abi")
			vgem_abi_exercise(vgem_fd);
		igt_subtest("vgem-compat-nonblocking-reads")
			test_compat_nonblocking_reads();

		igt_fixture {
			close(vrender_fd);
			close(vgem_fd);
		}
	}

	igt_fixture {
		igt_assert_eq(restore_module(), 0);
		igt_assert(module_loaded("vrender"));
		saved = false;
	}
}
