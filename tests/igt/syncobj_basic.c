// SPDX-License-Identifier: MIT
/*
 * DRM sync objects on a vrender render node, after IGT's syncobj_basic and
 * syncobj_wait: argument checks with the errnos of Linux 6.1's
 * drm_syncobj.c, signal/reset, waits and their timeouts (fences come from
 * vrender jobs held by a vgem fence), sync_file import/export, timelines.
 */
#include <poll.h>
#include <stdint.h>
#include <unistd.h>
#include <xf86drm.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "submit.h"
#include "syncobj.h"

#define BAD_HANDLE	0xdeadbeefu

static int fd = -1;

static int ioctl_err(int dev, unsigned long req, void *arg)
{
	return drmIoctl(dev, req, arg) ? -errno : 0;
}

/* A job whose fence goes to @syncobj (at @point), held by @g. */
static int held_job(struct gate *g, uint32_t syncobj, uint64_t point)
{
	uint32_t handle = gem_create(fd, igt_page_size(), 0);
	struct job j = job_fill(handle, 0, 64, 0x5eed);
	int fence;

	*g = gate_create(fd);
	gate_hold(&j, g);
	job_out_syncobj(&j, syncobj, point);
	fence = job_submit(fd, &j);
	gem_close(fd, handle);
	return fence;
}

static void test_create_destroy(void)
{
	uint32_t a = syncobj_create(fd, 0), b = syncobj_create(fd, 0);

	igt_assert_neq(a, b);
	syncobj_destroy(fd, a);
	igt_assert_eq(__syncobj_destroy(fd, a), -EINVAL);
	syncobj_destroy(fd, b);
}

static void test_bad_create_flags(void)
{
	uint32_t handle;

	igt_assert_eq(__syncobj_create(fd, 1u << 1, &handle), -EINVAL);
	igt_assert_eq(__syncobj_create(fd, ~0u, &handle), -EINVAL);
}

static void test_bad_destroy(void)
{
	struct drm_syncobj_destroy arg = { .handle = syncobj_create(fd, 0),
					   .pad = 1 };

	igt_assert_eq(__syncobj_destroy(fd, BAD_HANDLE), -EINVAL);
	igt_assert_eq(__syncobj_destroy(fd, 0), -EINVAL);
	igt_assert_eq(ioctl_err(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &arg), -EINVAL);
	syncobj_destroy(fd, arg.handle);
}

static void test_bad_handle_to_fd(void)
{
	uint32_t obj = syncobj_create(fd, 0);
	struct drm_syncobj_handle arg = { .handle = BAD_HANDLE, .fd = -1 };

	igt_assert_eq(__syncobj_handle_to_fd(fd, &arg), -EINVAL);
	arg.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE;
	igt_assert_eq(__syncobj_handle_to_fd(fd, &arg), -ENOENT);
	arg.handle = obj;	/* no fence */
	igt_assert_eq(__syncobj_handle_to_fd(fd, &arg), -EINVAL);
	arg.flags = 1u << 1;
	igt_assert_eq(__syncobj_handle_to_fd(fd, &arg), -EINVAL);
	arg.flags = 0;
	arg.pad = 1;
	igt_assert_eq(__syncobj_handle_to_fd(fd, &arg), -EINVAL);
	igt_assert_eq(arg.fd, -1);
	syncobj_destroy(fd, obj);
}

static void test_bad_fd_to_handle(void)
{
	uint32_t obj = syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED);
	int sync_file = syncobj_export_sync_file(fd, obj);
	struct drm_syncobj_handle arg = { .fd = -1 };

	igt_assert_eq(__syncobj_fd_to_handle(fd, &arg), -EINVAL);
	arg.fd = fd;		/* not a syncobj */
	igt_assert_eq(__syncobj_fd_to_handle(fd, &arg), -EINVAL);
	arg.fd = sync_file;	/* a sync_file is not a syncobj either */
	igt_assert_eq(__syncobj_fd_to_handle(fd, &arg), -EINVAL);
	arg.flags = 1u << 1;
	igt_assert_eq(__syncobj_fd_to_handle(fd, &arg), -EINVAL);
	arg.flags = 0;
	arg.pad = 1;
	igt_assert_eq(__syncobj_fd_to_handle(fd, &arg), -EINVAL);

	arg.pad = 0;
	arg.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE;
	arg.handle = obj;
	arg.fd = fd;		/* not a sync_file */
	igt_assert_eq(__syncobj_fd_to_handle(fd, &arg), -EINVAL);
	arg.fd = sync_file;
	arg.handle = BAD_HANDLE;
	igt_assert_eq(__syncobj_fd_to_handle(fd, &arg), -ENOENT);
	close(sync_file);
	syncobj_destroy(fd, obj);
}

/* A syncobj shared through an fd with another device is the same object. */
static void test_share(void)
{
	int other = vrender_count() >= 2 ? vrender_open_render(1) :
		drm_reopen(fd);
	uint32_t obj = syncobj_create(fd, 0), imp;
	int obj_fd = syncobj_handle_to_fd(fd, obj);

	imp = syncobj_fd_to_handle(other, obj_fd);
	close(obj_fd);
	igt_assert_eq(__syncobj_wait(other, &imp, 1, 0, 0, NULL), -EINVAL);
	igt_assert_eq(__syncobj_signal(fd, &obj, 1), 0);
	igt_assert(syncobj_wait_ms(other, imp, 0, 0));
	igt_assert_eq(__syncobj_reset(other, &imp, 1), 0);
	igt_assert_eq(__syncobj_wait(fd, &obj, 1, 0, 0, NULL), -EINVAL);
	syncobj_destroy(fd, obj);
	/* The import keeps the object alive. */
	igt_assert_eq(__syncobj_signal(other, &imp, 1), 0);
	syncobj_destroy(other, imp);
	close(other);
}

static void test_bad_wait(void)
{
	uint32_t obj = syncobj_create(fd, 0);
	uint32_t handles[2] = { obj, BAD_HANDLE };
	uint64_t points[2] = { 0, 0 };
	int err;

	/* No fence and no WAIT_FOR_SUBMIT. */
	igt_assert_eq(__syncobj_wait(fd, &obj, 1, 0, 0, NULL), -EINVAL);
	igt_assert_eq(__syncobj_wait(fd, &obj, 1, syncobj_deadline_ns(10),
				     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL),
		      -EINVAL);
	igt_assert_eq(__syncobj_wait(fd, &obj, 1, 0,
				     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
				     NULL), -ETIME);
	igt_assert_eq(__syncobj_wait(fd, handles, 2, 0, 0, NULL), -ENOENT);
	/* Zero handles: EINVAL up to 6.1; a no-op for the core since. */
	err = __syncobj_wait(fd, handles, 0, 0, 0, NULL);
	igt_assert_f(err == -EINVAL || err == 0,
		     "wait on zero handles: %d\n", err);
	igt_info("wait on zero handles: %s\n", err ? "EINVAL" : "no-op");
	igt_assert_eq(__syncobj_wait(fd, &obj, 1, 0, 1u << 3, NULL), -EINVAL);
	/* WAIT_AVAILABLE is for timeline waits only. */
	igt_assert_eq(__syncobj_wait(fd, &obj, 1, 0,
				     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE,
				     NULL), -EINVAL);
	igt_assert_eq(__syncobj_timeline_wait(fd, &obj, points, 1, 0, 1u << 3,
					      NULL), -EINVAL);
	igt_assert_eq(__syncobj_timeline_wait(fd, handles, points, 2, 0, 0,
					      NULL), -ENOENT);
	syncobj_destroy(fd, obj);
}

static void test_bad_signal_reset(void)
{
	uint32_t obj = syncobj_create(fd, 0), bad = BAD_HANDLE;
	struct drm_syncobj_array arg = { .handles = (uintptr_t)&obj,
					 .count_handles = 1, .pad = 1 };
	struct drm_syncobj_timeline_array tl = {
		.handles = (uintptr_t)&obj, .count_handles = 1, .flags = 2,
	};

	igt_assert_eq(ioctl_err(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &arg), -EINVAL);
	igt_assert_eq(ioctl_err(fd, DRM_IOCTL_SYNCOBJ_RESET, &arg), -EINVAL);
	igt_assert_eq(__syncobj_signal(fd, &obj, 0), -EINVAL);
	igt_assert_eq(__syncobj_reset(fd, &obj, 0), -EINVAL);
	igt_assert_eq(__syncobj_signal(fd, &bad, 1), -ENOENT);
	igt_assert_eq(__syncobj_reset(fd, &bad, 1), -ENOENT);
	igt_assert_eq(ioctl_err(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &tl),
		      -EINVAL);
	igt_assert_eq(ioctl_err(fd, DRM_IOCTL_SYNCOBJ_QUERY, &tl), -EINVAL);
	tl.flags = 0;
	tl.count_handles = 0;
	igt_assert_eq(ioctl_err(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &tl),
		      -EINVAL);
	igt_assert_eq(ioctl_err(fd, DRM_IOCTL_SYNCOBJ_QUERY, &tl), -EINVAL);
	/* Nothing happened to it. */
	igt_assert_eq(__syncobj_wait(fd, &obj, 1, 0, 0, NULL), -EINVAL);
	syncobj_destroy(fd, obj);
}

static void test_signal_reset(void)
{
	uint32_t obj = syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED);

	igt_assert(syncobj_wait_ms(fd, obj, 0, 0));
	igt_assert_eq(__syncobj_reset(fd, &obj, 1), 0);
	igt_assert_eq(__syncobj_wait(fd, &obj, 1, 0, 0, NULL), -EINVAL);
	igt_assert_eq(__syncobj_signal(fd, &obj, 1), 0);
	igt_assert(syncobj_wait_ms(fd, obj, 0, 0));
	syncobj_destroy(fd, obj);
}

/* A held job's fence: waits time out with -ETIME until it is done. */
static void test_wait_timeout(void)
{
	uint32_t obj = syncobj_create(fd, 0);
	struct timespec start;
	struct gate g;
	int fence = held_job(&g, obj, 0);

	clock_gettime(CLOCK_MONOTONIC, &start);
	igt_assert_eq(__syncobj_wait(fd, &obj, 1, syncobj_deadline_ns(100),
				     0, NULL), -ETIME);
	igt_assert_f(igt_time_elapsed(&start) >= 0.05,
		     "wait returned -ETIME after %.3fs\n",
		     igt_time_elapsed(&start));
	igt_assert_eq(__syncobj_wait(fd, &obj, 1, 0, 0, NULL), -ETIME);
	gate_open(&g);
	igt_assert(syncobj_wait_ms(fd, obj, 0, FENCE_TIMEOUT_MS));
	igt_assert_eq(fence_status(fence), 1);
	close(fence);
	gate_destroy(&g);
	syncobj_destroy(fd, obj);
}

static void test_wait_any_all(void)
{
	uint32_t obj[2] = { syncobj_create(fd, 0),
			    syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED) };
	uint32_t first = ~0u;
	struct gate g;
	int fence = held_job(&g, obj[0], 0);

	igt_assert_eq(__syncobj_wait(fd, obj, 2, 0, 0, &first), 0);
	igt_assert_eq(first, 1);
	igt_assert_eq(__syncobj_wait(fd, obj, 2, syncobj_deadline_ns(20),
				     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL),
		      -ETIME);
	gate_open(&g);
	igt_assert_eq(__syncobj_wait(fd, obj, 2,
				     syncobj_deadline_ns(FENCE_TIMEOUT_MS),
				     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL), 0);
	close(fence);
	gate_destroy(&g);
	syncobj_destroy(fd, obj[0]);
	syncobj_destroy(fd, obj[1]);
}

/* WAIT_FOR_SUBMIT waits for a fence to arrive, then for it to signal. */
static void test_wait_for_submit(void)
{
	uint32_t obj = syncobj_create(fd, 0), handle;
	struct job j;
	int p[2], fence;
	char c;

	igt_assert_eq(pipe(p), 0);
	igt_fork(child, 1) {
		int64_t deadline = syncobj_deadline_ns(FENCE_TIMEOUT_MS);

		close(p[0]);
		igt_assert_eq(__syncobj_wait(fd, &obj, 1, deadline,
				DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL),
			      0);
		igt_assert_eq(write(p[1], "x", 1), 1);
	}
	close(p[1]);
	igt_assert(!fd_poll(p[0], POLLIN, BUSY_CHECK_MS));

	handle = gem_create(fd, igt_page_size(), 0);
	j = job_fill(handle, 0, 64, 1);
	j.arg.exec_us = 100000;
	job_out_syncobj(&j, obj, 0);
	fence = job_submit(fd, &j);
	igt_assert(fd_poll(p[0], POLLIN, FENCE_TIMEOUT_MS));
	igt_assert_eq(read(p[0], &c, 1), 1);
	igt_assert_eq(fence_status(fence), 1);
	igt_waitchildren();

	close(p[0]);
	close(fence);
	gem_close(fd, handle);
	syncobj_destroy(fd, obj);
}

/* Export as a sync_file follows the job; import replaces the fence. */
static void test_sync_file(void)
{
	uint32_t obj = syncobj_create(fd, 0), other = syncobj_create(fd, 0);
	int sync_file, err;
	struct gate g;
	int fence;

	err = __syncobj_export_sync_file(fd, obj, &sync_file);
	igt_assert_eq(err, -EINVAL);
	fence = held_job(&g, obj, 0);
	sync_file = syncobj_export_sync_file(fd, obj);
	igt_assert_eq(fence_status(sync_file), 0);

	syncobj_import_sync_file(fd, other, sync_file);
	igt_assert_eq(__syncobj_wait(fd, &other, 1, 0, 0, NULL), -ETIME);
	gate_open(&g);
	igt_assert_eq(fence_wait_status(sync_file), 1);
	igt_assert(syncobj_wait_ms(fd, other, 0, FENCE_TIMEOUT_MS));

	/* Importing a signalled sync_file into an empty syncobj. */
	igt_assert_eq(__syncobj_reset(fd, &other, 1), 0);
	syncobj_import_sync_file(fd, other, fence);
	igt_assert(syncobj_wait_ms(fd, other, 0, 0));

	close(sync_file);
	close(fence);
	gate_destroy(&g);
	syncobj_destroy(fd, obj);
	syncobj_destroy(fd, other);
}

static void test_timeline(void)
{
	uint32_t obj = syncobj_create(fd, 0), bin = syncobj_create(fd, 0);
	uint64_t p1 = 1, p3 = 3, p5 = 5, p7 = 7;
	uint32_t avail = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE;
	struct gate g;
	int fence;

	syncobj_require(fd, true);
	igt_assert_eq_u64(syncobj_query(fd, obj, 0), 0);
	igt_assert_eq_u64(syncobj_query(fd, bin, 0), 0);
	igt_assert_eq(__syncobj_timeline_signal(fd, &obj, &p1, 1), 0);
	igt_assert_eq(__syncobj_timeline_signal(fd, &obj, &p3, 1), 0);
	igt_assert_eq_u64(syncobj_query(fd, obj, 0), 3);
	igt_assert(syncobj_wait_ms(fd, obj, 3, 0));
	igt_assert(syncobj_wait_ms(fd, obj, 2, 0));

	/* A point not submitted yet. */
	igt_assert_eq(__syncobj_timeline_wait(fd, &obj, &p5, 1, 0, 0, NULL),
		      -EINVAL);
	igt_assert_eq(__syncobj_timeline_wait(fd, &obj, &p5, 1, 0,
				DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL),
		      -ETIME);

	/* Point 5 from a held job. */
	fence = held_job(&g, obj, 5);
	igt_assert_eq_u64(syncobj_query(fd, obj, 0), 3);
	igt_assert_eq_u64(syncobj_query(fd, obj,
				DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED), 5);
	igt_assert_eq(__syncobj_timeline_wait(fd, &obj, &p5, 1, 0, avail,
					      NULL), 0);
	igt_assert_eq(__syncobj_timeline_wait(fd, &obj, &p5, 1,
					      syncobj_deadline_ns(20), 0,
					      NULL), -ETIME);
	/* Point 7 is not available yet: a wait for it times out. */
	igt_assert_eq(__syncobj_timeline_wait(fd, &obj, &p7, 1, 0, avail,
					      NULL), -ETIME);
	gate_open(&g);
	igt_assert(syncobj_wait_ms(fd, obj, 5, FENCE_TIMEOUT_MS));
	igt_assert_eq_u64(syncobj_query(fd, obj, 0), 5);

	close(fence);
	gate_destroy(&g);
	syncobj_destroy(fd, bin);
	syncobj_destroy(fd, obj);
}

igt_main
{
	igt_fixture {
		fd = vrender_open_render(0);
		syncobj_require(fd, false);
		debugfs_knob_at_least(fd, "vrender_fence_timeout_ms", 10000);
	}

	igt_subtest("create-destroy")
		test_create_destroy();
	igt_subtest("bad-create-flags")
		test_bad_create_flags();
	igt_subtest("bad-destroy")
		test_bad_destroy();
	igt_subtest("bad-handle-to-fd")
		test_bad_handle_to_fd();
	igt_subtest("bad-fd-to-handle")
		test_bad_fd_to_handle();
	igt_subtest("share")
		test_share();
	igt_subtest("bad-wait")
		test_bad_wait();
	igt_subtest("bad-signal-reset-query")
		test_bad_signal_reset();
	igt_subtest("signal-reset")
		test_signal_reset();
	igt_subtest("wait-timeout")
		test_wait_timeout();
	igt_subtest("wait-any-all")
		test_wait_any_all();
	igt_subtest("wait-for-submit")
		test_wait_for_submit();
	igt_subtest("sync-file")
		test_sync_file();
	igt_subtest("timeline")
		test_timeline();

	igt_fixture {
		debugfs_knob_restore_all();
		close(fd);
	}
}
