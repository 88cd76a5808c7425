// SPDX-License-Identifier: MIT
/*
 * A framebuffer's buffers live as long as the framebuffer does: after the
 * last handle is closed (GETFB2 still reaches the pixels), and while the
 * framebuffer is on the device's list, where debugfs "framebuffer" prints
 * it. drm_gem_fb_destroy() dropped the buffers before taking the
 * framebuffer off that list, so a debugfs read racing RMFB printed freed
 * buffers (KASAN: slab-use-after-free in drm_gem_print_info(), found by
 * the fuzzer); vdisplay takes it off the list first, and upstream/ fixes
 * the helper.
 *
 * Runs on the first device of --driver NAME (or $IGT_DRIVER; default
 * vdisplay): scripts/check-upstream runs it on stock vkms too.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "debugfs.h"
#include "drm_open.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "kms.h"
#include "kmsg.h"

#define WIDTH		64
#define HEIGHT		64
#define RACE_FBS	32
#define RACE_ROUNDS	8
#define READ_BUF	(1 << 20)

static const char *driver;
static int fd = -1;
static int kmsg = -1;

static void test_buffer_outlives_handle(void)
{
	unsigned int npages;
	drmModeFB2Ptr info;
	struct kms_fb fb;
	uint32_t handle;
	void *map;

	kms_dumb_fb_unmapped(fd, WIDTH, HEIGHT, DRM_FORMAT_XRGB8888, &fb);
	npages = fb.size / igt_page_size();
	map = gem_mmap(fd, fb.handle, 0, npages, PROT_READ | PROT_WRITE);
	pattern_fill(map, 0, npages, 0x5ca1ab1e);
	munmap_pages(map, npages);
	gem_close(fd, fb.handle);

	info = drmModeGetFB2(fd, fb.fb_id);
	igt_assert_f(info, "GETFB2: %s\n", strerror(errno));
	handle = info->handles[0];
	drmModeFreeFB2(info);
	igt_assert_f(handle, "GETFB2 gave no handle (not master?)\n");
	map = gem_mmap(fd, handle, 0, npages, PROT_READ);
	pattern_check(map, 0, npages, 0x5ca1ab1e);
	munmap_pages(map, npages);
	gem_close(fd, handle);
	igt_assert_eq(drmModeRmFB(fd, fb.fb_id), 0);
	igt_assert_eq(drmModeRmFB(fd, fb.fb_id), -ENOENT);
}

struct reader {
	int file;
	atomic_bool stop;
	atomic_ulong reads;
	unsigned long freed_seen;	/* reads that showed refcount=0 */
	atomic_int error;
};

/*
 * A buffer's lines are indented three tabs (the framebuffer's own, which
 * may well read refcount=0 while it is being destroyed, one): a buffer at
 * refcount 0 is freed or being freed.
 */
#define FREED_BUFFER	"\n\t\t\trefcount=0\n"

/* Reads the whole file, again and again, until told to stop. */
static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	char *buf = malloc(READ_BUF + 1);
	ssize_t n;
	size_t len;

	if (!buf) {
		atomic_store(&r->error, ENOMEM);
		return NULL;
	}
	while (!atomic_load(&r->stop)) {
		len = 0;
		if (lseek(r->file, 0, SEEK_SET) < 0) {
			atomic_store(&r->error, errno);
			break;
		}
		while (len < READ_BUF &&
		       (n = read(r->file, buf + len, READ_BUF - len)) > 0)
			len += n;
		buf[len] = '\0';
		atomic_fetch_add(&r->reads, 1);
		if (strstr(buf, FREED_BUFFER))
			r->freed_seen++;
	}
	free(buf);
	return NULL;
}

/*
 * RMFB of framebuffers whose buffers only they hold, while another thread
 * reads debugfs "framebuffer" without pause. Oldest first: the list is
 * walked newest first, so a read in progress has yet to reach them. A
 * framebuffer still listed must never show a buffer at refcount 0 (freed
 * or being freed; KASAN reports the read on the debug kernel).
 */
static void test_rmfb_during_debugfs_read(void)
{
	struct reader r = { .file = -1 };
	uint32_t fbs[RACE_FBS];
	struct kms_fb fb;
	char dir[64], path[96];
	pthread_t thread;
	int round, i;

	igt_require_f(debugfs_dri_dir(fd, dir, sizeof(dir)),
		      "%s not accessible (debugfs needs root)\n", dir);
	snprintf(path, sizeof(path), "%s/framebuffer", dir);
	r.file = open(path, O_RDONLY | O_CLOEXEC);
	igt_require_f(r.file >= 0, "%s: %s\n", path, strerror(errno));
	atomic_init(&r.stop, false);
	atomic_init(&r.reads, 0);
	atomic_init(&r.error, 0);
	igt_assert_eq(pthread_create(&thread, NULL, reader_fn, &r), 0);
	/* The RMFBs start once the reader is reading. */
	while (!atomic_load(&r.reads) && !atomic_load(&r.error))
		sched_yield();
	for (round = 0; round < RACE_ROUNDS; round++) {
		for (i = 0; i < RACE_FBS; i++) {
			kms_dumb_fb_unmapped(fd, WIDTH, HEIGHT,
					     DRM_FORMAT_XRGB8888, &fb);
			gem_close(fd, fb.handle);
			fbs[i] = fb.fb_id;
		}
		for (i = 0; i < RACE_FBS; i++)
			igt_assert_eq(drmModeRmFB(fd, fbs[i]), 0);
	}
	atomic_store(&r.stop, true);
	igt_assert_eq(pthread_join(thread, NULL), 0);
	close(r.file);

	igt_info("%lu reads of %s during %d RMFBs\n",
		 atomic_load(&r.reads), path, RACE_FBS * RACE_ROUNDS);
	kmsg_assert_clean(kmsg);
	igt_assert_eq(atomic_load(&r.error), 0);
	igt_assert_f(!r.freed_seen,
		     "%lu reads showed a listed framebuffer's buffer at refcount 0\n",
		     r.freed_seen);
}

igt_main_driver("vdisplay", driver)
{
	igt_fixture {
		igt_info("driver under test: %s\n", driver);
		fd = drm_open_driver_name(driver, 0);
		igt_require_f(drmIsMaster(fd), "needs to be DRM master\n");
		kmsg = kmsg_open();
	}

	igt_subtest("buffer-outlives-handle")
		test_buffer_outlives_handle();
	igt_subtest("rmfb-during-debugfs-read")
		test_rmfb_during_debugfs_read();

	igt_fixture {
		if (kmsg >= 0)
			close(kmsg);
		if (fd >= 0)
			close(fd);
	}
}
