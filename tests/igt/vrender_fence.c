// SPDX-License-Identifier: MIT
/*
 * The vgem-compatible fence UAPI of vrender: attach/signal argument checks,
 * read/write conflicts, expiry, implicit sync seen through dma-buf poll and
 * DMA_BUF_IOCTL_SYNC, and the raw vgem ABI.
 */
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "igt_vgem.h"
#include "ioctl_wrappers.h"
#include "submit.h"
#include "vgem_drm.h"

#define BAD_HANDLE		0xdeadbeefu
#define LONG_TIMEOUT_MS		10000
#define SHORT_TIMEOUT_MS	300
#define WRITE			VGEM_FENCE_WRITE
#define READ			0

static int fd = -1;
static int fd1 = -1;
#define FENCE_TIMEOUT		"vrender_fence_timeout_ms"

/* The fence timeout of the device of fd, until the test exits. */
static void set_timeout(unsigned int ms)
{
	debugfs_knob_set(fd, FENCE_TIMEOUT, ms);
}

/* Fences must not expire by themselves during the test. */
static void require_long_timeout(void)
{
	debugfs_knob_at_least(fd, FENCE_TIMEOUT, LONG_TIMEOUT_MS);
	if (fd1 >= 0)
		debugfs_knob_at_least(fd1, FENCE_TIMEOUT, LONG_TIMEOUT_MS);
}

/* A vgem_bo (IGT's API: runs on stock vgem as on vrender) and its dma-buf. */
struct obj {
	struct vgem_bo bo;
	int dmabuf;
};

static struct obj obj_create(void)
{
	struct obj o = { .bo = { .width = 1024, .height = 1, .bpp = 32 } };

	vgem_create(fd, &o.bo);
	o.dmabuf = prime_handle_to_fd(fd, o.bo.handle);
	return o;
}

static void obj_destroy(struct obj *o)
{
	close(o->dmabuf);
	gem_close(fd, o->bo.handle);
}

static int attach(uint32_t handle, uint32_t flags, uint32_t pad)
{
	struct drm_vrender_fence_attach arg = {
		.handle = handle, .flags = flags, .pad = pad,
	};

	return __vrender_fence_attach(fd, &arg);
}

static int signal_fence(int dev, uint32_t fence, uint32_t flags)
{
	struct drm_vrender_fence_signal arg = { .fence = fence,
						.flags = flags };

	return __vrender_fence_signal(dev, &arg);
}

static void test_attach_bad_flags(void)
{
	struct obj o = obj_create();

	igt_assert_eq(attach(o.bo.handle, 0x2, 0), -EINVAL);
	igt_assert_eq(attach(o.bo.handle, WRITE | (1u << 31), 0), -EINVAL);
	obj_destroy(&o);
}

static void test_attach_bad_pad(void)
{
	struct obj o = obj_create();

	igt_assert_eq(attach(o.bo.handle, WRITE, 1), -EINVAL);
	igt_assert_eq(attach(o.bo.handle, READ, 1u << 31), -EINVAL);
	obj_destroy(&o);
}

static void test_attach_bad_handle(void)
{
	igt_assert_eq(attach(0, WRITE, 0), -ENOENT);
	igt_assert_eq(attach(BAD_HANDLE, READ, 0), -ENOENT);
}

static const struct conflict {
	const char *name;
	uint32_t first, second;
	int err;
} conflicts[] = {
	{ "conflict-write-read", WRITE, READ, -EBUSY },
	{ "conflict-write-write", WRITE, WRITE, -EBUSY },
	{ "conflict-read-write", READ, WRITE, -EBUSY },
	{ "shared-read-read", READ, READ, 0 },
};

static void test_conflict(const struct conflict *c)
{
	struct obj o = obj_create();
	struct drm_vrender_fence_attach second = {
		.handle = o.bo.handle, .flags = c->second,
	};
	uint32_t fence;

	require_long_timeout();
	fence = vgem_fence_attach(fd, &o.bo, c->first);
	igt_assert_eq(__vrender_fence_attach(fd, &second), c->err);
	if (!c->err)
		vgem_fence_signal(fd, second.out_fence);
	vgem_fence_signal(fd, fence);
	/* nothing conflicts once everything is signalled */
	vgem_fence_signal(fd, vgem_fence_attach(fd, &o.bo, c->second));
	obj_destroy(&o);
}

static void test_signal_bad_flags(void)
{
	struct obj o = obj_create();
	uint32_t fence;

	require_long_timeout();
	fence = vgem_fence_attach(fd, &o.bo, WRITE);
	igt_assert_eq(signal_fence(fd, fence, 1), -EINVAL);
	igt_assert_eq(signal_fence(fd, fence, 1u << 31), -EINVAL);
	igt_assert(!fd_poll(o.dmabuf, POLLIN, 0));
	vgem_fence_signal(fd, fence);
	obj_destroy(&o);
}

static void test_signal_unknown(void)
{
	igt_assert_eq(signal_fence(fd, BAD_HANDLE, 0), -ENOENT);
}

static void test_signal_twice(void)
{
	struct obj o = obj_create();
	uint32_t fence;

	require_long_timeout();
	fence = vgem_fence_attach(fd, &o.bo, WRITE);
	vgem_fence_signal(fd, fence);
	igt_assert_eq(signal_fence(fd, fence, 0), -ENOENT);
	obj_destroy(&o);
}

/* Fence ids are local to the DRM file that attached them. */
static void test_signal_other_file(void)
{
	struct obj o = obj_create();
	int other = drm_reopen(fd);
	uint32_t fence;

	require_long_timeout();
	fence = vgem_fence_attach(fd, &o.bo, WRITE);
	igt_assert_eq(signal_fence(other, fence, 0), -ENOENT);
	close(other);
	igt_assert(!fd_poll(o.dmabuf, POLLIN, 0));
	vgem_fence_signal(fd, fence);
	obj_destroy(&o);
}

static void test_signal_expired(void)
{
	struct obj o = obj_create();
	uint32_t fence;

	set_timeout(SHORT_TIMEOUT_MS);
	fence = vgem_fence_attach(fd, &o.bo, WRITE);
	igt_assert_f(!fd_poll(o.dmabuf, POLLOUT, 0),
		     "fence signalled at once\n");
	igt_assert_f(fd_poll(o.dmabuf, POLLOUT, 30000),
		     "fence did not expire within 30s\n");
	debugfs_knob_restore(fd, FENCE_TIMEOUT);
	igt_assert_eq(signal_fence(fd, fence, 0), -ETIMEDOUT);
	igt_assert_eq(signal_fence(fd, fence, 0), -ENOENT);
	obj_destroy(&o);
}

/* POLLIN waits for write fences only, POLLOUT for all fences. */
static void test_poll(uint32_t flags)
{
	struct obj o = obj_create();
	uint32_t fence;

	require_long_timeout();
	igt_assert(fd_poll(o.dmabuf, POLLIN | POLLOUT, 0));
	fence = vgem_fence_attach(fd, &o.bo, flags);
	igt_assert(!fd_poll(o.dmabuf, POLLOUT, 0));
	igt_assert_eq(fd_poll(o.dmabuf, POLLIN, 0), flags != WRITE);
	vgem_fence_signal(fd, fence);
	igt_assert(fd_poll(o.dmabuf, POLLIN | POLLOUT, 1000));
	obj_destroy(&o);
}

/* DMA_BUF_IOCTL_SYNC START waits for an unsignalled write fence. */
static void test_sync_blocks(void)
{
	struct obj o = obj_create();
	uint32_t fence;
	int p[2];
	char c;

	require_long_timeout();
	igt_assert_eq(pipe(p), 0);
	fence = vgem_fence_attach(fd, &o.bo, WRITE);
	igt_fork(child, 1) {
		close(p[0]);
		dmabuf_sync(o.dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		igt_assert_eq(write(p[1], "x", 1), 1);
		dmabuf_sync(o.dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	}
	close(p[1]);
	igt_assert_f(!fd_poll(p[0], POLLIN, 200),
		     "SYNC_START returned before the fence was signalled\n");
	vgem_fence_signal(fd, fence);
	igt_assert_f(fd_poll(p[0], POLLIN, 10000),
		     "SYNC_START still blocked after the fence was signalled\n");
	igt_assert_eq(read(p[0], &c, 1), 1);
	igt_waitchildren();
	close(p[0]);
	obj_destroy(&o);
}

/* Closing the DRM file signals the fences it attached. */
static void test_close_signals(void)
{
	struct obj o = obj_create();
	int other = drm_reopen(fd);
	uint32_t handle = prime_fd_to_handle(other, o.dmabuf);
	struct drm_vrender_fence_attach arg = { .handle = handle,
						.flags = WRITE };

	require_long_timeout();
	igt_assert_eq(__vrender_fence_attach(other, &arg), 0);
	igt_assert(!fd_poll(o.dmabuf, POLLIN, 0));
	close(other);
	igt_assert_f(fd_poll(o.dmabuf, POLLIN | POLLOUT, 5000),
		     "fence not signalled by close()\n");
	vgem_fence_signal(fd, vgem_fence_attach(fd, &o.bo, WRITE));
	obj_destroy(&o);
}

#define TIMER_FENCES	8

/*
 * Closing the file signals its fences and stops their expiry timers, though
 * the fences live on in the buffers: nothing of vrender may run later for a
 * fence no file can signal any more. The fences expire far beyond the test,
 * so a timer that stopped was stopped by close(); one armed before the test
 * and expiring during it can only make the count lower.
 */
static void test_close_stops_timers(void)
{
	struct obj o[TIMER_FENCES];
	int other = drm_reopen(fd);
	uint64_t before;

	fence_timers_require(fd);
	set_timeout(10 * 60 * 1000);
	before = fence_timers(fd);
	for (unsigned int i = 0; i < TIMER_FENCES; i++) {
		o[i] = obj_create();
		vrender_fence_attach(other, prime_fd_to_handle(other, o[i].dmabuf),
				  i % 2 ? WRITE : READ);
	}
	igt_assert_lte(before + TIMER_FENCES, fence_timers(fd));
	close(other);
	igt_assert_f(fence_timers(fd) <= before,
		     "%llu timers armed after close(), %llu before the test\n",
		     (unsigned long long)fence_timers(fd),
		     (unsigned long long)before);
	for (unsigned int i = 0; i < TIMER_FENCES; i++) {
		igt_assert(fd_poll(o[i].dmabuf, POLLIN | POLLOUT, 0));
		obj_destroy(&o[i]);
	}
	debugfs_knob_restore(fd, FENCE_TIMEOUT);
}

/* FENCE_SIGNAL stops the timer too. */
static void test_signal_stops_timer(void)
{
	struct obj o = obj_create();
	uint64_t before;

	fence_timers_require(fd);
	set_timeout(10 * 60 * 1000);
	before = fence_timers(fd);
	vgem_fence_signal(fd, vgem_fence_attach(fd, &o.bo, WRITE));
	igt_assert_lte(fence_timers(fd), before);
	obj_destroy(&o);
	debugfs_knob_restore(fd, FENCE_TIMEOUT);
}

/* A fence attached on the importer is seen through the shared dma-buf. */
static void test_attach_imported(void)
{
	struct obj o = obj_create();
	uint32_t handle = prime_fd_to_handle(fd1, o.dmabuf);
	struct drm_vrender_fence_attach arg = { .handle = handle,
						.flags = WRITE };
	struct drm_vrender_fence_signal sig = { 0 };

	require_long_timeout();
	igt_assert_eq(__vrender_fence_attach(fd1, &arg), 0);
	igt_assert(!fd_poll(o.dmabuf, POLLIN, 0));
	igt_assert_eq(attach(o.bo.handle, READ, 0), -EBUSY);
	sig.fence = arg.out_fence;
	igt_assert_eq(__vrender_fence_signal(fd1, &sig), 0);
	igt_assert(fd_poll(o.dmabuf, POLLIN | POLLOUT, 1000));
	gem_close(fd1, handle);
	obj_destroy(&o);
}

/*
 * IGT's vgem helpers (igt_vgem.h) on vrender: fences are there, WRITE is
 * a known flag and vgem's WIP NOTIMEOUT is not, a vgem_bo maps and keeps
 * what is written.
 */
static void test_igt_vgem_api(void)
{
	struct obj o = obj_create();
	uint32_t *map;

	igt_assert(vgem_has_fences(fd));
	igt_assert(vgem_fence_has_flag(fd, VGEM_FENCE_WRITE));
	igt_assert(!vgem_fence_has_flag(fd, WIP_VGEM_FENCE_NOTIMEOUT));
	igt_assert_eq_u64(o.bo.size, (uint64_t)o.bo.pitch * o.bo.height);
	map = vgem_mmap(fd, &o.bo, PROT_READ | PROT_WRITE);
	map[o.bo.size / 4 - 1] = 0xc0ffee;
	igt_assert_eq(munmap(map, o.bo.size), 0);
	map = vgem_mmap(fd, &o.bo, PROT_READ);
	igt_assert_eq(map[o.bo.size / 4 - 1], 0xc0ffee);
	igt_assert_eq(munmap(map, o.bo.size), 0);
	obj_destroy(&o);
}

/*
 * The timeouts are per device, in debugfs; the module parameters are only
 * the values devices start with and are read-only. A value out of range
 * (1 .. 600000 ms) or not a number is refused and changes nothing.
 */
static void test_timeout_knobs(void)
{
	static const char *const knobs[] = { FENCE_TIMEOUT,
					      "vrender_job_timeout_ms" };
	static const char *const params[] = { "fence_timeout_ms",
					       "job_timeout_ms" };
	static const uint64_t bad[] = { 0, 600001, 1ull << 32, ~0ull };

	for (unsigned int k = 0; k < ARRAY_SIZE(knobs); k++) {
		uint64_t old;

		igt_assert_eq(__module_param_write("vrender", params[k], "5"),
			      -EACCES);
		old = debugfs_knob_get(fd, knobs[k]);
		for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
			igt_assert_eq(__debugfs_knob_write(fd, knobs[k],
							   bad[i]), -EINVAL);
			igt_assert_eq_u64(debugfs_knob_get(fd, knobs[k]), old);
		}
		debugfs_knob_set(fd, knobs[k], 1);
		debugfs_knob_set(fd, knobs[k], 600000);
		debugfs_knob_restore(fd, knobs[k]);
		igt_assert_eq_u64(debugfs_knob_get(fd, knobs[k]), old);
	}
}

/*
 * A device's fence timeout is its own: a fence of vrender.1 with a short
 * timeout expires while one attached at the same time on vrender.0 (long
 * timeout) stays unsignalled.
 */
static void test_timeout_per_device(void)
{
	uint32_t h0 = gem_create(fd, igt_page_size(), 0);
	uint32_t h1 = gem_create(fd1, igt_page_size(), 0);
	int d0 = prime_handle_to_fd(fd, h0), d1 = prime_handle_to_fd(fd1, h1);
	uint32_t f0, f1;

	require_long_timeout();
	debugfs_knob_set(fd1, FENCE_TIMEOUT, SHORT_TIMEOUT_MS);
	f0 = vrender_fence_attach(fd, h0, WRITE);
	f1 = vrender_fence_attach(fd1, h1, WRITE);
	debugfs_knob_restore(fd1, FENCE_TIMEOUT);
	igt_assert_f(fd_poll(d1, POLLOUT, 30000),
		     "vrender.1's fence did not expire within 30s\n");
	igt_assert_f(!fd_poll(d0, POLLOUT, 0),
		     "vrender.0's fence expired with vrender.1's timeout\n");
	igt_assert_eq(signal_fence(fd1, f1, 0), -ETIMEDOUT);
	igt_assert_eq(signal_fence(fd, f0, 0), 0);
	close(d0);
	close(d1);
	gem_close(fd, h0);
	gem_close(fd1, h1);
}

igt_main
{
	igt_fixture {
		fd = vrender_open(0);
	}

	igt_subtest("attach-bad-flags")
		test_attach_bad_flags();
	igt_subtest("attach-bad-pad")
		test_attach_bad_pad();
	igt_subtest("attach-bad-handle")
		test_attach_bad_handle();
	for (volatile unsigned int i = 0; i < ARRAY_SIZE(conflicts); i++)
		igt_subtest(conflicts[i].name)
			test_conflict(&conflicts[i]);
	igt_subtest("signal-bad-flags")
		test_signal_bad_flags();
	igt_subtest("signal-unknown")
		test_signal_unknown();
	igt_subtest("signal-twice")
		test_signal_twice();
	igt_subtest("signal-other-file")
		test_signal_other_file();
	igt_subtest("signal-expired")
		test_signal_expired();
	igt_subtest("poll-write-fence")
		test_poll(WRITE);
	igt_subtest("poll-read-fence")
		test_poll(READ);
	igt_subtest("sync-blocks")
		test_sync_blocks();
	igt_subtest("close-signals")
		test_close_signals();
	igt_subtest("close-stops-timers")
		test_close_stops_timers();
	igt_subtest("signal-stops-timer")
		test_signal_stops_timer();
	igt_subtest("vgem-abi")
		vgem_abi_exercise(fd);
	igt_subtest("igt-vgem-api")
		test_igt_vgem_api();
	igt_subtest("timeout-knobs")
		test_timeout_knobs();

	igt_subtest_group {
		igt_fixture {
			fd1 = vrender_open(1);
		}

		igt_subtest("attach-imported")
			test_attach_imported();
		igt_subtest("timeout-per-device")
			test_timeout_per_device();

		igt_fixture
			close(fd1);
	}

	igt_fixture {
		debugfs_knob_restore_all();
		close(fd);
	}
}
