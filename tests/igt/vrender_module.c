// SPDX-License-Identifier: MIT
/*
 * vrender module lifetime: dma-bufs, mappings and fences pin the module,
 * primegem is pinned by vrender, unload/reload, the scheduler's job timeout
 * (exec_timeout_ms, read at load) and vgem_compat=1. Needs root and a
 * loaded vrender; reloads from $VPRIME_MODDIR. The module is restored with
 * its original parameters at the end, or at exit if a fixture failed.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "igt_kmod.h"
#include "ioctl_wrappers.h"
#include "kms.h"
#include "submit.h"
#include "vgem_drm.h"

#define RW		(PROT_READ | PROT_WRITE)
#define PARAMS_LEN	1024
#define COMPAT_PARAMS	"devices=2 vgem_compat=1"
#define EXEC_TIMEOUT_MS	300
#define TIMEOUT_PARAMS	"devices=1 exec_timeout_ms=300"
#define UNUSED_MS	10000
#define BUFINFO		"/sys/kernel/debug/dma_buf/bufinfo"
#define BUFINFO_MAX	(4 << 20)
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

/*
 * A job's fence held in a sync_file holds vrender: the fence (the
 * scheduler's) names its timeline after the device's scheduler, in memory
 * rmmod would free.
 */
static void test_busy_job_fence(void)
{
	int dev = vrender_open(0);
	struct buf b = buf_create(dev, igt_page_size(), 0);
	struct job j = job_fill(b.handle, 0, 64, 1);
	int fence = job_submit(dev, &j);
	char driver[32], timeline[32];

	igt_assert_eq(fence_wait_status(fence), 1);
	buf_destroy(&b);
	close(dev);
	expect_busy("vrender");
	fence_names(fence, driver, timeline);
	igt_assert_f(!strcmp(timeline, "vrender.0"),
		     "timeline \"%s\", expected \"vrender.0\"\n", timeline);
	close(fence);
	igt_assert_f(module_wait_unused("vrender", UNUSED_MS),
		     "vrender still in use after its last fence was released\n");
}

static char *read_bufinfo(void)
{
	char *buf = malloc(BUFINFO_MAX);
	size_t total = 0;
	ssize_t n;
	int fd;

	igt_assert(buf);
	fd = open(BUFINFO, O_RDONLY | O_CLOEXEC);
	igt_require_f(fd >= 0, "%s: %s\n", BUFINFO, strerror(errno));
	while ((n = read(fd, buf + total, BUFINFO_MAX - 1 - total)) > 0)
		total += n;
	close(fd);
	igt_assert_lte(0, n);
	buf[total] = '\0';
	return buf;
}

/*
 * A fence of vrender's left in another driver's buffer (vdisplay's) after
 * every vrender file is closed, a job's (@job) or a FENCE_ATTACH one, holds
 * vrender, and reads back through the dma-buf debugfs file with its names.
 */
static void test_busy_foreign_buffer(bool job)
{
	const char *want = job ? "drm_sched vrender.0 seq" : "vrender user seq";
	int vd = vdisplay_open();
	int dev = vrender_open(0);
	struct bo bo = bo_create(vd, 1);
	int dmabuf = prime_handle_to_fd(vd, bo.handle);
	uint32_t handle = prime_fd_to_handle(dev, dmabuf);
	char *info;

	if (job) {
		struct job j = job_fill(handle, 0, 64, 0x5a5a5a5a);

		fence_wait_ok(job_submit(dev, &j));
	} else {
		vrender_fence_attach(dev, handle, VRENDER_FENCE_WRITE);
	}
	close(dev);	/* signals the FENCE_ATTACH fence */

	expect_busy("vrender");
	info = read_bufinfo();
	igt_assert_f(strstr(info, want), "no \"%s\" in %s\n", want, BUFINFO);
	free(info);

	close(dmabuf);
	gem_close(vd, bo.handle);
	close(vd);
	igt_assert_f(module_wait_unused("vrender", UNUSED_MS),
		     "vrender still in use after its last fence was released\n");
}

/*
 * exec_timeout_ms: the scheduler times out a job that executes for longer;
 * the device stops it before it writes and goes on with the next.
 */
static void test_exec_timeout(void)
{
	int dev = vrender_open(0);
	struct buf b = buf_create(dev, igt_page_size(), 0);
	struct job slow = job_fill(b.handle, 0, 64, 0xbad);
	struct job quick = job_fill(b.handle, 64, 64, 0x600d);
	struct job next = job_fill(b.handle, 128, 64, 0x1ce);
	struct engine_stats before, after;
	int f_slow, f_quick, f_next;

	engine_stats_require(dev);
	buf_set(&b, 0, b.size, 0);
	before = engine_stats(dev);
	quick.arg.exec_us = EXEC_TIMEOUT_MS * 1000 / 3;
	slow.arg.exec_us = VRENDER_MAX_EXEC_US;
	f_quick = job_submit(dev, &quick);
	f_slow = job_submit(dev, &slow);
	f_next = job_submit(dev, &next);
	fence_wait_ok(f_quick);
	igt_assert_eq(fence_wait_status(f_slow), -ETIMEDOUT);
	fence_wait_ok(f_next);
	buf_check(&b, 0, 64, 0);
	buf_check(&b, 64, 64, 0x600d);
	buf_check(&b, 128, 64, 0x1ce);
	after = engine_stats(dev);
	engine_assert_delta(before, after, .submitted = 3, .completed = 2,
			    .failed = 1);
	igt_assert_eq_u64(after.exec_timeouts - before.exec_timeouts, 1);

	close(f_slow);
	buf_destroy(&b);
	close(dev);
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
	igt_assert(module_wait_unused("vrender", UNUSED_MS));
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

/*
 * IGT's igt_kmod_*(): vrender is loaded, loading it again is a no-op, a
 * module that does not exist is neither loaded nor loadable, unloading it
 * is a no-op, and unloading a module in use says EBUSY and changes
 * nothing (primegem, held by vrender).
 */
static void test_igt_kmod(void)
{
	igt_assert(igt_kmod_is_loaded("vrender"));
	igt_assert_eq(igt_kmod_load("vrender", NULL), 0);
	igt_assert(!igt_kmod_is_loaded("vprime_no_such_module"));
	igt_assert_eq(igt_kmod_load("vprime_no_such_module", NULL), -ENOENT);
	igt_assert_eq(igt_kmod_unload("vprime_no_such_module", 0), 0);
	igt_assert_eq(igt_kmod_unload("primegem", O_NONBLOCK), -EWOULDBLOCK);
	igt_assert(igt_kmod_is_loaded("primegem"));
}

igt_main
{
	igt_fixture
		save_module();

	igt_subtest("igt-kmod")
		test_igt_kmod();
	igt_subtest("unload-busy-dmabuf")
		test_busy_dmabuf();
	igt_subtest("unload-busy-dmabuf-mmap")
		test_busy_mmap(true);
	igt_subtest("unload-busy-gem-mmap")
		test_busy_mmap(false);
	igt_subtest("unload-busy-primegem")
		test_busy_primegem();
	igt_subtest("unload-busy-job-fence")
		test_busy_job_fence();
	igt_subtest("unload-busy-job-fence-in-foreign-buffer")
		test_busy_foreign_buffer(true);
	igt_subtest("unload-busy-user-fence-in-foreign-buffer")
		test_busy_foreign_buffer(false);
	igt_subtest("unload-reload")
		test_unload_reload();

	igt_subtest_group {
		igt_fixture {
			char path[PATH_MAX];

			vrender_ko_path(path, sizeof(path));
			vrender_reload(TIMEOUT_PARAMS);
		}

		igt_subtest("exec-timeout")
			test_exec_timeout();
	}

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
