// SPDX-License-Identifier: MIT
/*
 * vrender job ordering: implicit sync across devices (reader/writer rules,
 * chains), vgem fences, explicit in/out fences (sync_file, binary and
 * timeline syncobjs), VRENDER_BO_NO_IMPLICIT, and dma-buf sync_file
 * import/export. Jobs are held back with gates (vgem fences) so that what
 * must not happen gets BUSY_CHECK_MS to happen, never a sleep.
 */
#include <poll.h>
#include <stdint.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "submit.h"
#include "syncobj.h"

#define PAGE		((uint64_t)igt_page_size())
#define OLD		0x01d01d01u
#define NEW		0x0e70e70eu

static int fd0 = -1;
static int fd1 = -1;
static int fd2 = -1;

static void wait_ok(int fence)
{
	int status = fence_wait_status(fence);

	igt_assert_f(status == 1, "job fence status %d, expected 1\n", status);
}

/*
 * Until @second signals, whenever it is seen signalled @first must be too
 * (@second is read first: the check cannot fail by a race).
 */
static void assert_signals_after(int first, int second)
{
	struct timespec start;
	int seen_first_busy = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int s2 = fence_status(second), s1 = fence_status(first);

		igt_assert_f(!(s2 && !s1),
			     "second fence signalled (%d) before the first\n",
			     s2);
		if (s2)
			break;
		seen_first_busy += !s1;
		igt_assert_f(igt_time_elapsed(&start) * 1000 < FENCE_TIMEOUT_MS,
			     "fence not signalled after %d ms\n",
			     FENCE_TIMEOUT_MS);
		fence_wait(second, 1);
	}
	igt_debug("first fence seen busy %d times\n", seen_first_busy);
}

/*
 * Device A fills X (held, then executing for 200 ms); device B copies X
 * into Y right after, with no wait in between. B's job must wait for A's.
 */
static void test_cross_device(void)
{
	struct buf x = buf_create(fd0, PAGE, 0);
	struct buf xb = buf_import(fd1, &x, false);
	struct buf y = buf_create(fd1, PAGE, 0);
	struct engine_stats before = engine_stats(fd1);
	struct job ja = job_fill(x.handle, 0, PAGE, NEW);
	struct job jb = job_copy(y.handle, 0, xb.handle, 0, PAGE);
	struct gate g = gate_create(fd0);
	int fa, fb;

	buf_set(&x, 0, PAGE, OLD);
	ja.arg.exec_us = 200000;
	gate_hold(&ja, &g);
	fa = job_submit(fd0, &ja);
	fb = job_submit(fd1, &jb);
	fence_assert_busy(fb);
	igt_assert_eq(fence_status(fa), 0);

	gate_open(&g);
	assert_signals_after(fa, fb);
	wait_ok(fb);
	igt_assert_eq(fence_status(fa), 1);
	buf_check(&y, 0, PAGE, NEW);
	engine_assert_delta(before, engine_stats(fd1), .submitted = 1,
			    .completed = 1, .waits_cross_device = 1);

	close(fa);
	close(fb);
	gate_destroy(&g);
	buf_destroy(&y);
	buf_destroy(&xb);
	buf_destroy(&x);
}

/*
 * Three devices: A fills X, B copies X to Y, C copies Y to Z, submitted at
 * once; only C's fence is waited for.
 */
static void test_chain(void)
{
	struct buf x = buf_create(fd0, PAGE, 0);
	struct buf xb = buf_import(fd1, &x, false);
	struct buf y = buf_create(fd1, PAGE, 0);
	struct buf yc = buf_import(fd2, &y, false);
	struct buf z = buf_create(fd2, PAGE, 0);
	struct job ja = job_fill(x.handle, 0, PAGE, NEW);
	struct job jb = job_copy(y.handle, 0, xb.handle, 0, PAGE);
	struct job jc = job_copy(z.handle, 0, yc.handle, 0, PAGE);
	struct gate g = gate_create(fd0);
	int fa, fb, fc;

	gate_hold(&ja, &g);
	ja.arg.exec_us = 50000;
	jb.arg.exec_us = 50000;
	fa = job_submit(fd0, &ja);
	fb = job_submit(fd1, &jb);
	fc = job_submit(fd2, &jc);
	fence_assert_busy(fc);

	gate_open(&g);
	wait_ok(fc);
	igt_assert_eq(fence_status(fb), 1);
	igt_assert_eq(fence_status(fa), 1);
	buf_check(&z, 0, PAGE, NEW);
	buf_check(&y, 0, PAGE, NEW);

	close(fa);
	close(fb);
	close(fc);
	gate_destroy(&g);
	buf_destroy(&z);
	buf_destroy(&yc);
	buf_destroy(&y);
	buf_destroy(&xb);
	buf_destroy(&x);
}

enum rw_case { WRITER_AFTER_READER, READER_AFTER_WRITER, READER_AFTER_READER };

/*
 * The first job (device A) is held; the second (device B) runs after it
 * unless both only read X.
 */
static void test_rw(enum rw_case c)
{
	struct buf x = buf_create(fd0, PAGE, 0);
	struct buf xb = buf_import(fd1, &x, false);
	struct buf ya = buf_create(fd0, PAGE, 0);
	struct buf yb = buf_create(fd1, PAGE, 0);
	struct engine_stats before = engine_stats(fd1);
	struct gate g = gate_create(fd0);
	struct job first = c == READER_AFTER_WRITER ?
		job_fill(x.handle, 0, PAGE, NEW) :
		job_copy(ya.handle, 0, x.handle, 0, PAGE);
	struct job second = c == WRITER_AFTER_READER ?
		job_fill(xb.handle, 0, PAGE, NEW) :
		job_copy(yb.handle, 0, xb.handle, 0, PAGE);
	int f1, f2;

	buf_set(&x, 0, PAGE, OLD);
	gate_hold(&first, &g);
	f1 = job_submit(fd0, &first);
	f2 = job_submit(fd1, &second);

	if (c == READER_AFTER_READER) {
		/* Done while the first reader is still held. */
		wait_ok(f2);
		igt_assert_eq(fence_status(f1), 0);
		buf_check(&yb, 0, PAGE, OLD);
	} else {
		fence_assert_busy(f2);
	}
	gate_open(&g);
	wait_ok(f2);
	wait_ok(f1);

	switch (c) {
	case WRITER_AFTER_READER:
		/* The reader saw the old data. */
		buf_check(&ya, 0, PAGE, OLD);
		buf_check(&x, 0, PAGE, NEW);
		break;
	case READER_AFTER_WRITER:
		buf_check(&yb, 0, PAGE, NEW);
		break;
	case READER_AFTER_READER:
		buf_check(&ya, 0, PAGE, OLD);
		buf_check(&yb, 0, PAGE, OLD);
		break;
	}
	engine_assert_delta(before, engine_stats(fd1), .submitted = 1,
			    .completed = 1,
			    .waits_cross_device = c != READER_AFTER_READER);

	close(f1);
	close(f2);
	gate_destroy(&g);
	buf_destroy(&yb);
	buf_destroy(&ya);
	buf_destroy(&xb);
	buf_destroy(&x);
}

/* A vgem write fence holds readers and writers, a read fence writers. */
static void test_vgem_fence(uint32_t vgem_flags)
{
	struct buf x = buf_create(fd0, PAGE, 0);
	struct buf y = buf_create(fd0, PAGE, 0);
	struct engine_stats before = engine_stats(fd0);
	uint32_t fence = vrender_fence_attach(fd0, x.handle, vgem_flags);
	struct job r = job_copy(y.handle, 0, x.handle, 0, PAGE);
	struct job w = job_fill(x.handle, 0, PAGE, NEW);
	bool write = vgem_flags & VRENDER_FENCE_WRITE;
	int fr, fw;

	buf_set(&x, 0, PAGE, OLD);
	fr = job_submit(fd0, &r);
	if (write)
		fence_assert_busy(fr);
	else
		wait_ok(fr);
	fw = job_submit(fd0, &w);
	fence_assert_busy(fw);
	buf_check(&x, 0, PAGE, OLD);

	vgem_fence_signal(fd0, fence);
	wait_ok(fw);
	wait_ok(fr);
	buf_check(&y, 0, PAGE, OLD);
	buf_check(&x, 0, PAGE, NEW);
	/* The writer also depends on the reader: same device, no count. */
	engine_assert_delta(before, engine_stats(fd0), .submitted = 2,
			    .completed = 2, .waits_implicit = 1 + write);

	close(fr);
	close(fw);
	buf_destroy(&y);
	buf_destroy(&x);
}

enum explicit_kind { EXPLICIT_SYNC_FILE, EXPLICIT_BINARY, EXPLICIT_TIMELINE };

/* A syncobj of fd0 and the same one imported on fd1. */
static uint32_t share_syncobj(uint32_t handle)
{
	int obj = syncobj_handle_to_fd(fd0, handle);
	uint32_t other = syncobj_fd_to_handle(fd1, obj);

	close(obj);
	return other;
}

/*
 * Device A writes X (held); device B copies X to Y with NO_IMPLICIT on X,
 * ordered only by an explicit fence of A's job.
 */
static void test_explicit(enum explicit_kind kind)
{
	struct buf x = buf_create(fd0, PAGE, 0);
	struct buf xb = buf_import(fd1, &x, false);
	struct buf y = buf_create(fd1, PAGE, 0);
	struct gate g = gate_create(fd0);
	struct job ja = job_fill(x.handle, 0, PAGE, NEW);
	struct job jb = job_copy(y.handle, 0, xb.handle, 0, PAGE);
	uint32_t obj = 0, obj_b = 0;
	uint64_t point = kind == EXPLICIT_TIMELINE ? 3 : 0;
	struct engine_stats before;
	int fa, fb;

	buf_set(&x, 0, PAGE, OLD);
	gate_hold(&ja, &g);
	if (kind != EXPLICIT_SYNC_FILE) {
		syncobj_require(fd0, kind == EXPLICIT_TIMELINE);
		obj = syncobj_create(fd0, 0);
		obj_b = share_syncobj(obj);
		job_out_syncobj(&ja, obj, point);
	}
	fa = job_submit(fd0, &ja);

	jb.bos[1].flags |= VRENDER_BO_NO_IMPLICIT;
	if (kind == EXPLICIT_SYNC_FILE)
		job_in_fence(&jb, fa);
	else
		job_in_syncobj(&jb, obj_b, point);
	before = engine_stats(fd1);
	fb = job_submit(fd1, &jb);
	fence_assert_busy(fb);
	if (kind != EXPLICIT_SYNC_FILE) {
		igt_assert(!syncobj_wait_ms(fd1, obj_b, point, 0));
		if (point) {
			igt_assert_eq_u64(syncobj_query(fd0, obj, 0), 0);
			igt_assert_eq_u64(syncobj_query(fd0, obj,
				DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED), point);
		}
	}

	gate_open(&g);
	wait_ok(fb);
	igt_assert_eq(fence_status(fa), 1);
	buf_check(&y, 0, PAGE, NEW);
	engine_assert_delta(before, engine_stats(fd1), .submitted = 1,
			    .completed = 1, .waits_explicit = 1);
	if (kind != EXPLICIT_SYNC_FILE) {
		igt_assert(syncobj_wait_ms(fd0, obj, point, 0));
		if (point)
			igt_assert_eq_u64(syncobj_query(fd1, obj_b, 0), point);
		syncobj_destroy(fd1, obj_b);
		syncobj_destroy(fd0, obj);
	}

	close(fa);
	close(fb);
	gate_destroy(&g);
	buf_destroy(&y);
	buf_destroy(&xb);
	buf_destroy(&x);
}

/*
 * NO_IMPLICIT: a reader of X does not wait for a held writer, and a writer
 * marked NO_IMPLICIT still adds its fence to X.
 */
static void test_no_implicit(void)
{
	struct buf x = buf_create(fd0, PAGE, 0);
	struct buf xb = buf_import(fd1, &x, false);
	struct buf y = buf_create(fd1, PAGE, 0);
	struct engine_stats before;
	struct gate ga = gate_create(fd0), gb = gate_create(fd1);
	struct job ja = job_fill(x.handle, 0, PAGE, NEW);
	struct job jb = job_copy(y.handle, 0, xb.handle, 0, PAGE);
	struct job jw = job_fill(xb.handle, 0, 4, NEW);
	int dmabuf = buf_dmabuf(&x), fa, fb, fw, fence;

	buf_set(&x, 0, PAGE, OLD);
	gate_hold(&ja, &ga);
	fa = job_submit(fd0, &ja);
	before = engine_stats(fd1);
	jb.bos[1].flags |= VRENDER_BO_NO_IMPLICIT;
	fb = job_submit(fd1, &jb);
	wait_ok(fb);
	igt_assert_eq(fence_status(fa), 0);
	buf_check(&y, 0, PAGE, OLD);
	engine_assert_delta(before, engine_stats(fd1), .submitted = 1,
			    .completed = 1);
	gate_open(&ga);
	wait_ok(fa);

	/* Held by its gate; its write fence is on X all the same. */
	jw.bos[0].flags |= VRENDER_BO_NO_IMPLICIT;
	gate_hold(&jw, &gb);
	fw = job_submit(fd1, &jw);
	fence = dmabuf_export_sync_file(dmabuf, DMA_BUF_SYNC_READ);
	igt_assert_eq(fence_status(fence), 0);
	igt_assert(!fd_poll(dmabuf, POLLIN, 0));
	gate_open(&gb);
	wait_ok(fence);
	wait_ok(fw);

	close(fence);
	close(fa);
	close(fb);
	close(fw);
	close(dmabuf);
	gate_destroy(&ga);
	gate_destroy(&gb);
	buf_destroy(&y);
	buf_destroy(&xb);
	buf_destroy(&x);
}

/* EXPORT_SYNC_FILE: READ gets the writers, WRITE every fence. */
static void test_export_sync_file(void)
{
	struct buf x = buf_create(fd0, PAGE, 0);
	struct buf y = buf_create(fd0, PAGE, 0);
	struct gate g = gate_create(fd0);
	struct job r = job_copy(y.handle, 0, x.handle, 0, PAGE);
	struct job w = job_fill(x.handle, 0, PAGE, NEW);
	int dmabuf = buf_dmabuf(&x), fr, fw, er, ew;

	/* A held reader: only a writer's export sees it. */
	gate_hold(&r, &g);
	fr = job_submit(fd0, &r);
	er = dmabuf_export_sync_file(dmabuf, DMA_BUF_SYNC_READ);
	ew = dmabuf_export_sync_file(dmabuf, DMA_BUF_SYNC_WRITE);
	igt_assert_eq(fence_status(er), 1);
	igt_assert_eq(fence_status(ew), 0);
	close(er);

	/* A writer queued behind it. */
	fw = job_submit(fd0, &w);
	er = dmabuf_export_sync_file(dmabuf, DMA_BUF_SYNC_READ);
	fence_assert_busy(er);
	igt_assert_eq(fence_status(ew), 0);

	gate_open(&g);
	assert_signals_after(fr, ew);
	assert_signals_after(fw, er);
	igt_assert_eq(fence_wait_status(er), 1);
	buf_check(&x, 0, PAGE, NEW);

	close(er);
	close(ew);
	close(fr);
	close(fw);
	close(dmabuf);
	gate_destroy(&g);
	buf_destroy(&y);
	buf_destroy(&x);
}

/*
 * IMPORT_SYNC_FILE of another device's pending job fence into X as a write
 * fence: a later job on X waits for it, and so do poll and readers.
 */
static void test_import_sync_file(void)
{
	struct buf w = buf_create(fd0, PAGE, 0);
	struct buf x = buf_create(fd1, PAGE, 0);
	struct gate g = gate_create(fd0);
	struct job ja = job_fill(w.handle, 0, PAGE, OLD);
	struct job jb = job_fill(x.handle, 0, PAGE, NEW);
	int dmabuf = buf_dmabuf(&x), fa, fb;
	struct engine_stats before = engine_stats(fd1);

	gate_hold(&ja, &g);
	fa = job_submit(fd0, &ja);
	dmabuf_import_sync_file(dmabuf, DMA_BUF_SYNC_WRITE, fa);
	igt_assert(!fd_poll(dmabuf, POLLIN, 0));
	fb = job_submit(fd1, &jb);
	fence_assert_busy(fb);
	buf_check(&x, 0, PAGE, 0);

	gate_open(&g);
	assert_signals_after(fa, fb);
	wait_ok(fb);
	igt_assert(fd_poll(dmabuf, POLLIN | POLLOUT, FENCE_TIMEOUT_MS));
	buf_check(&x, 0, PAGE, NEW);
	engine_assert_delta(before, engine_stats(fd1), .submitted = 1,
			    .completed = 1, .waits_cross_device = 1);

	close(fa);
	close(fb);
	close(dmabuf);
	gate_destroy(&g);
	buf_destroy(&x);
	buf_destroy(&w);
}

igt_main
{
	igt_fixture {
		fd0 = vrender_open(0);
		engine_stats_require(fd0);
		/* Nothing may expire by itself during a test. */
		timeouts_at_least_default(fd0);
	}

	igt_subtest("vgem-write-fence-holds-jobs")
		test_vgem_fence(VRENDER_FENCE_WRITE);
	igt_subtest("vgem-read-fence-holds-writers")
		test_vgem_fence(0);

	igt_subtest_group {
		igt_fixture {
			fd1 = vrender_open(1);
			timeouts_at_least_default(fd1);
		}

		igt_subtest("cross-device")
			test_cross_device();
		igt_subtest("writer-waits-for-reader")
			test_rw(WRITER_AFTER_READER);
		igt_subtest("reader-waits-for-writer")
			test_rw(READER_AFTER_WRITER);
		igt_subtest("readers-concurrent")
			test_rw(READER_AFTER_READER);
		igt_subtest("sync-file-in-out")
			test_explicit(EXPLICIT_SYNC_FILE);
		igt_subtest("syncobj-in-out")
			test_explicit(EXPLICIT_BINARY);
		igt_subtest("syncobj-timeline-in-out")
			test_explicit(EXPLICIT_TIMELINE);
		igt_subtest("no-implicit")
			test_no_implicit();
		igt_subtest("export-sync-file")
			test_export_sync_file();
		igt_subtest("import-sync-file")
			test_import_sync_file();

		igt_subtest_group {
			igt_fixture {
				fd2 = vrender_open(2);
				timeouts_at_least_default(fd2);
			}

			igt_subtest("chain-3-devices")
				test_chain();

			igt_fixture
				close(fd2);
		}

		igt_fixture
			close(fd1);
	}

	igt_fixture {
		debugfs_knob_restore_all();
		close(fd0);
	}
}
