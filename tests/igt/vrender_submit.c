// SPDX-License-Identifier: MIT
/*
 * DRM_IOCTL_VRENDER_SUBMIT: fill and copy jobs and their results, every
 * documented errno (a failed submit must change nothing), and jobs whose
 * explicit in-fence fails.
 */
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "submit.h"
#include "syncobj.h"

#define BAD_HANDLE	0xdeadbeefu
#define PAGE		((uint64_t)igt_page_size())

static int fd = -1;
static int fd1 = -1;

static void test_fill(void)
{
	struct engine_stats before = engine_stats(fd), after;
	struct buf b = buf_create(fd, 2 * PAGE, 0);
	struct job j = job_fill(b.handle, 0, b.size, 0xc0ffee11);

	buf_set(&b, 0, b.size, 0);
	fence_wait_ok(job_submit(fd, &j));
	buf_check(&b, 0, b.size, 0xc0ffee11);
	after = engine_stats(fd);
	engine_assert_delta(before, after, .submitted = 1, .completed = 1);
	igt_assert_eq_u64(j.arg.seqno, after.seqno);
	buf_destroy(&b);
}

static void test_copy(void)
{
	struct buf src = buf_create(fd, 3 * PAGE, 0);
	struct buf dst = buf_create(fd, 3 * PAGE, 0);
	struct job j = job_copy(dst.handle, 0, src.handle, 0, src.size);

	pattern_fill(src.map, 0, 3, 7);
	fence_wait_ok(job_submit(fd, &j));
	pattern_check(dst.map, 0, 3, 7);
	pattern_check(src.map, 0, 3, 7);
	buf_destroy(&src);
	buf_destroy(&dst);
}

/* Fills at offsets leave the rest of the buffer alone. */
static void test_fill_partial(void)
{
	static const struct { uint64_t offset, size; uint32_t value; } r[] = {
		{ 0, 4, 0x11111111 },
		{ 100, 8, 0x22222222 },
		{ 4092, 12, 0x33333333 },	/* across a page boundary */
		{ 3 * 4096 - 16, 16, 0x44444444 },	/* the end */
	};
	struct buf b = buf_create(fd, 3 * 4096, 0);
	uint64_t pos = 0;

	igt_require(b.size == 3 * 4096);
	buf_set(&b, 0, b.size, 0xaaaaaaaa);
	for (unsigned int i = 0; i < ARRAY_SIZE(r); i++) {
		struct job j = job_fill(b.handle, r[i].offset, r[i].size,
					r[i].value);

		fence_wait_ok(job_submit(fd, &j));
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(r); i++) {
		buf_check(&b, pos, r[i].offset - pos, 0xaaaaaaaa);
		buf_check(&b, r[i].offset, r[i].size, r[i].value);
		pos = r[i].offset + r[i].size;
	}
	buf_check(&b, pos, b.size - pos, 0xaaaaaaaa);
	buf_destroy(&b);
}

/* Copies of odd sizes between odd offsets, within and across pages. */
static void test_copy_partial(void)
{
	static const struct { uint64_t dst, src, size; } r[] = {
		{ 0, 0, 1 },
		{ 5, 3, 13 },
		{ 4095, 1, 2 },
		{ 1, 3001, 5000 },
		{ 8191, 8190, 1 },
	};
	struct buf src = buf_create(fd, 2 * PAGE, 0);
	struct buf dst = buf_create(fd, 2 * PAGE, 0);
	uint8_t *s = (uint8_t *)src.map, *d = (uint8_t *)dst.map;
	uint8_t *want = malloc(dst.size);

	igt_assert(want);
	for (uint64_t i = 0; i < src.size; i++)
		s[i] = i * 7 + 1;
	memset(d, 0x5a, dst.size);
	memset(want, 0x5a, dst.size);
	for (unsigned int i = 0; i < ARRAY_SIZE(r); i++) {
		struct job j = job_copy(dst.handle, r[i].dst, src.handle,
					r[i].src, r[i].size);

		fence_wait_ok(job_submit(fd, &j));
		memcpy(want + r[i].dst, s + r[i].src, r[i].size);
	}
	for (uint64_t i = 0; i < dst.size; i++)
		igt_assert_f(d[i] == want[i],
			     "byte %llu: 0x%02x, expected 0x%02x\n",
			     (unsigned long long)i, d[i], want[i]);
	free(want);
	buf_destroy(&src);
	buf_destroy(&dst);
}

/* The device's jobs run in submission order; seqnos follow. */
static void test_in_order(void)
{
	struct buf b = buf_create(fd, PAGE, 0);
	int fence[8];
	uint64_t seqno = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(fence); i++) {
		struct job j = job_fill(b.handle, 0, b.size, i);

		j.arg.exec_us = 2000;
		fence[i] = job_submit(fd, &j);
		if (i)
			igt_assert_eq_u64(j.arg.seqno, seqno + 1);
		seqno = j.arg.seqno;
	}
	fence_wait_ok(fence[ARRAY_SIZE(fence) - 1]);
	for (unsigned int i = 0; i < ARRAY_SIZE(fence) - 1; i++) {
		igt_assert_eq(fence_status(fence[i]), 1);
		close(fence[i]);
	}
	buf_check(&b, 0, b.size, ARRAY_SIZE(fence) - 1);
	buf_destroy(&b);
}

/* The largest list of buffers, all of them synchronised with. */
static void test_max_bos(void)
{
	struct drm_vrender_submit_bo bos[VRENDER_MAX_SUBMIT_BOS] = { 0 };
	struct drm_vrender_submit arg = {
		.bos = (uintptr_t)bos,
		.bo_count = VRENDER_MAX_SUBMIT_BOS,
		.op = VRENDER_OP_FILL,
		.dst = VRENDER_MAX_SUBMIT_BOS - 1,
		.value = 0x600d600d,
		.size = 64,
		.flags = VRENDER_SUBMIT_OUT_FENCE_FD,
	};
	struct buf dst;

	for (unsigned int i = 0; i < VRENDER_MAX_SUBMIT_BOS - 1; i++) {
		bos[i].handle = gem_create(fd, PAGE, 0);
		bos[i].flags = VRENDER_BO_READ;
	}
	dst = buf_create(fd, PAGE, 0);
	bos[arg.dst].handle = dst.handle;
	bos[arg.dst].flags = VRENDER_BO_WRITE;
	igt_assert_eq(__vrender_submit(fd, &arg), 0);
	fence_wait_ok(arg.out_fence_fd);
	buf_check(&dst, 0, 64, 0x600d600d);
	for (unsigned int i = 0; i < VRENDER_MAX_SUBMIT_BOS - 1; i++)
		gem_close(fd, bos[i].handle);
	buf_destroy(&dst);
}

/* Invalid submits */

static struct buf dst_buf, src_buf;
static int other_fd = -1;		/* a dma-buf: not a sync_file */
static uint32_t empty_syncobj, timeline_syncobj;

static void bad_handle(struct job *j) { j->bos[0].handle = BAD_HANDLE; }
static void bad_src_handle(struct job *j) { j->bos[1].handle = 0; }
static void bad_flags(struct job *j) { j->arg.flags |= 1u << 31; }
static void bad_flags_low(struct job *j) { j->arg.flags |= 1u << 4; }
static void bad_pad(struct job *j) { j->arg.pad = 1; }
static void bad_op0(struct job *j) { j->arg.op = 0; }
static void bad_op3(struct job *j) { j->arg.op = 3; }
static void bo_count_0(struct job *j) { j->arg.bo_count = 0; }
static void bo_count_65(struct job *j) { j->arg.bo_count = 65; }
static void bo_count_huge(struct job *j) { j->arg.bo_count = ~0u; }
static void bos_fault(struct job *j) { j->arg.bos = 0; }
static void bo_bad_flags(struct job *j) { j->bos[1].flags |= 1u << 3; }
static void bo_no_access(struct job *j) { j->bos[1].flags = 0; }
static void bo_no_access_noimpl(struct job *j)
{
	j->bos[1].flags = VRENDER_BO_NO_IMPLICIT;
}
static void bo_duplicate(struct job *j) { j->bos[1].handle = j->bos[0].handle; }
static void dst_not_write(struct job *j) { j->bos[0].flags = VRENDER_BO_READ; }
static void src_not_read(struct job *j) { j->bos[1].flags = VRENDER_BO_WRITE; }
static void dst_out(struct job *j) { j->arg.dst = 2; }
static void src_out(struct job *j) { j->arg.src = 2; }
static void fill_misaligned_off(struct job *j) { j->arg.dst_offset = 2; }
static void fill_misaligned_size(struct job *j) { j->arg.size = 6; }
static void size_0(struct job *j) { j->arg.size = 0; }
static void exec_too_long(struct job *j)
{
	j->arg.exec_us = VRENDER_MAX_EXEC_US + 1;
}
static void fill_src(struct job *j)
{
	job_add_bo(j, src_buf.handle, VRENDER_BO_READ);
	j->arg.src = 1;
}
static void fill_src_offset(struct job *j) { j->arg.src_offset = 4; }
static void copy_value(struct job *j) { j->arg.value = 1; }
static void in_point_no_flag(struct job *j) { j->arg.in_point = 1; }
static void out_point_no_flag(struct job *j) { j->arg.out_point = 1; }
static void in_fd_no_flag(struct job *j) { j->arg.in_fence_fd = -1; }
static void out_fd_no_flag(struct job *j)
{
	j->arg.flags &= ~VRENDER_SUBMIT_OUT_FENCE_FD;
	j->arg.out_fence_fd = -1;
}
static void in_syncobj_no_flag(struct job *j) { j->arg.in_syncobj = 1; }
static void out_syncobj_no_flag(struct job *j) { j->arg.out_syncobj = 1; }
static void dst_range(struct job *j) { j->arg.dst_offset = dst_buf.size - 32; }
static void src_range(struct job *j) { j->arg.src_offset = src_buf.size - 1; }
static void size_range(struct job *j) { j->arg.size = dst_buf.size + 4; }
static void dst_overflow(struct job *j) { j->arg.dst_offset = ~0ull - 3; }
static void src_overflow(struct job *j) { j->arg.src_offset = ~0ull; }
static void in_fence_dmabuf(struct job *j) { job_in_fence(j, other_fd); }
static void in_fence_bad_fd(struct job *j) { job_in_fence(j, -1); }
static void in_syncobj_unknown(struct job *j)
{
	job_in_syncobj(j, BAD_HANDLE, 0);
}
static void in_syncobj_empty(struct job *j)
{
	job_in_syncobj(j, empty_syncobj, 0);
}
static void in_syncobj_future(struct job *j)
{
	job_in_syncobj(j, timeline_syncobj, 2);
}
static void out_syncobj_unknown(struct job *j)
{
	job_out_syncobj(j, BAD_HANDLE, 0);
}
static void out_syncobj_unknown_point(struct job *j)
{
	job_out_syncobj(j, BAD_HANDLE, 5);
}

static const struct bad_case {
	const char *name;
	bool fill;
	void (*mutate)(struct job *j);
	int err;
} bad_cases[] = {
	{ "bad-dst-handle", false, bad_handle, -ENOENT },
	{ "bad-src-handle", false, bad_src_handle, -ENOENT },
	{ "unknown-flags", false, bad_flags, -EINVAL },
	{ "unknown-flags-low", false, bad_flags_low, -EINVAL },
	{ "nonzero-pad", false, bad_pad, -EINVAL },
	{ "op-0", false, bad_op0, -EINVAL },
	{ "op-unknown", true, bad_op3, -EINVAL },
	{ "bo-count-0", false, bo_count_0, -EINVAL },
	{ "bo-count-65", false, bo_count_65, -E2BIG },
	{ "bo-count-huge", false, bo_count_huge, -E2BIG },
	{ "bos-fault", false, bos_fault, -EFAULT },
	{ "bo-unknown-flags", false, bo_bad_flags, -EINVAL },
	{ "bo-no-access", false, bo_no_access, -EINVAL },
	{ "bo-no-access-no-implicit", false, bo_no_access_noimpl, -EINVAL },
	{ "bo-duplicate", false, bo_duplicate, -EINVAL },
	{ "dst-not-write", false, dst_not_write, -EINVAL },
	{ "src-not-read", false, src_not_read, -EINVAL },
	{ "dst-index", false, dst_out, -EINVAL },
	{ "src-index", false, src_out, -EINVAL },
	{ "fill-misaligned-offset", true, fill_misaligned_off, -EINVAL },
	{ "fill-misaligned-size", true, fill_misaligned_size, -EINVAL },
	{ "size-0", false, size_0, -EINVAL },
	{ "fill-size-0", true, size_0, -EINVAL },
	{ "exec-too-long", false, exec_too_long, -EINVAL },
	{ "fill-src", true, fill_src, -EINVAL },
	{ "fill-src-offset", true, fill_src_offset, -EINVAL },
	{ "copy-value", false, copy_value, -EINVAL },
	{ "in-point-without-flag", false, in_point_no_flag, -EINVAL },
	{ "out-point-without-flag", false, out_point_no_flag, -EINVAL },
	{ "in-fence-fd-without-flag", false, in_fd_no_flag, -EINVAL },
	{ "out-fence-fd-without-flag", false, out_fd_no_flag, -EINVAL },
	{ "in-syncobj-without-flag", false, in_syncobj_no_flag, -EINVAL },
	{ "out-syncobj-without-flag", false, out_syncobj_no_flag, -EINVAL },
	{ "dst-range", false, dst_range, -ERANGE },
	{ "src-range", false, src_range, -ERANGE },
	{ "size-range", false, size_range, -ERANGE },
	{ "fill-dst-range", true, dst_range, -ERANGE },
	{ "dst-offset-overflow", true, dst_overflow, -ERANGE },
	{ "src-offset-overflow", false, src_overflow, -ERANGE },
	{ "in-fence-not-sync-file", false, in_fence_dmabuf, -EINVAL },
	{ "in-fence-bad-fd", false, in_fence_bad_fd, -EINVAL },
	{ "in-syncobj-unknown", false, in_syncobj_unknown, -ENOENT },
	{ "in-syncobj-no-fence", false, in_syncobj_empty, -EINVAL },
	{ "in-syncobj-future-point", false, in_syncobj_future, -EINVAL },
	{ "out-syncobj-unknown", false, out_syncobj_unknown, -ENOENT },
	{ "out-syncobj-unknown-point", false, out_syncobj_unknown_point,
	  -ENOENT },
};

/*
 * Two handles of one buffer in a job: the object through flink + open,
 * and again through an import of its dma-buf (another handle to the same
 * object, or an import object sharing its reservation object). A
 * duplicate, -EINVAL like the same handle twice (a reservation object
 * cannot be locked twice: with separate objects it used to fail with an
 * undocumented -EALREADY).
 */
static void test_bo_same_resv(void)
{
	struct buf b = buf_create(fd, PAGE, 0);
	int other = drm_reopen(fd);
	int dmabuf = prime_handle_to_fd_flags(fd, b.handle, DRM_CLOEXEC);
	struct drm_gem_flink flink = { .handle = b.handle };
	struct drm_gem_open open_arg = { 0 };
	uint32_t imported;
	struct job j;

	igt_assert_eq(ioctl(fd, DRM_IOCTL_GEM_FLINK, &flink), 0);
	open_arg.name = flink.name;
	igt_assert_eq(ioctl(other, DRM_IOCTL_GEM_OPEN, &open_arg), 0);
	imported = prime_fd_to_handle(other, dmabuf);
	igt_assert_neq(imported, open_arg.handle);

	j = job_fill(open_arg.handle, 0, 4, 1);
	job_add_bo(&j, imported, VRENDER_BO_READ);
	igt_assert_eq(__job_submit(other, &j), -EINVAL);
	buf_check(&b, 0, PAGE, 0);

	close(dmabuf);
	close(other);
	buf_destroy(&b);
}

static void bad_setup(void)
{
	uint64_t point = 1;

	dst_buf = buf_create(fd, PAGE, 0);
	src_buf = buf_create(fd, PAGE, 0);
	buf_set(&dst_buf, 0, PAGE, 0x0badf00d);
	other_fd = buf_dmabuf(&dst_buf);
	syncobj_require(fd, true);
	empty_syncobj = syncobj_create(fd, 0);
	timeline_syncobj = syncobj_create(fd, 0);
	igt_assert_eq(__syncobj_timeline_signal(fd, &timeline_syncobj,
						&point, 1), 0);
}

static void bad_teardown(void)
{
	syncobj_destroy(fd, empty_syncobj);
	syncobj_destroy(fd, timeline_syncobj);
	close(other_fd);
	buf_destroy(&src_buf);
	buf_destroy(&dst_buf);
}

/* Nothing on the destination, no fd, no job, no change of content. */
static void assert_nothing_changed(struct engine_stats before, int free_fd)
{
	int fence = dmabuf_export_sync_file(other_fd, DMA_BUF_SYNC_WRITE);

	igt_assert_f(fence_status(fence) == 1,
		     "a fence was added to the destination\n");
	close(fence);
	igt_assert(fd_poll(other_fd, POLLOUT, 0));
	igt_assert_eq(lowest_free_fd(), free_fd);
	engine_assert_delta(before, engine_stats(fd), 0);
	buf_check(&dst_buf, 0, PAGE, 0x0badf00d);
}

static void test_bad(const struct bad_case *c)
{
	struct engine_stats before = engine_stats(fd);
	int free_fd = lowest_free_fd();
	struct job j = c->fill ? job_fill(dst_buf.handle, 0, 64, 0x1234) :
		job_copy(dst_buf.handle, 0, src_buf.handle, 0, 64);
	int err;

	int32_t out_fd;

	j.arg.bos = (uintptr_t)j.bos;
	c->mutate(&j);
	out_fd = j.arg.out_fence_fd;
	err = __vrender_submit(fd, &j.arg);
	igt_assert_f(err == c->err,
		     "submit returned %d (%s), expected %d (%s)\n",
		     err, strerror(-err), c->err, strerror(-c->err));
	igt_assert_eq(j.arg.out_fence_fd, out_fd);
	assert_nothing_changed(before, free_fd);
}

/*
 * A submit failing late, with pending explicit and implicit dependencies
 * and every kind of out-fence asked for, changes nothing either.
 */
static void test_bad_late(void)
{
	struct engine_stats before;
	struct gate g = gate_create(fd);
	struct buf held = buf_create(fd, PAGE, 0);
	struct job j0 = job_fill(held.handle, 0, 64, 1), j;
	uint32_t out = syncobj_create(fd, 0);
	int f0, free_fd;

	gate_hold(&j0, &g);
	f0 = job_submit(fd, &j0);
	before = engine_stats(fd);
	free_fd = lowest_free_fd();

	j = job_copy(dst_buf.handle, 0, held.handle, 0, 64);
	job_in_fence(&j, f0);
	job_out_syncobj(&j, out, 0);
	j.arg.dst_offset = PAGE;	/* -ERANGE, after every lookup */
	igt_assert_eq(__job_submit(fd, &j), -ERANGE);
	j.arg.dst_offset = 0;
	j.arg.out_syncobj = BAD_HANDLE;	/* -ENOENT, the last check */
	igt_assert_eq(__job_submit(fd, &j), -ENOENT);
	assert_nothing_changed(before, free_fd);
	igt_assert_eq(__syncobj_wait(fd, &out, 1, 0, 0, NULL), -EINVAL);

	gate_open(&g);
	fence_wait_ok(f0);
	syncobj_destroy(fd, out);
	gate_destroy(&g);
	buf_destroy(&held);
}

/* Jobs whose explicit in-fence fails */

#define SHORT_JOB_TIMEOUT_MS	200

/*
 * A job that fails: its dependency (a vgem fence) is not signalled within
 * job_timeout_ms. Its fence also goes to @timeline at @point if non-zero.
 */
static int failed_job(struct gate *g, uint32_t timeline, uint64_t point,
		      bool wait)
{
	struct buf b = buf_create(fd, PAGE, 0);
	struct job j = job_fill(b.handle, 0, 64, 0xbad);
	int fence;

	debugfs_knob_set(fd, "vrender_job_timeout_ms", SHORT_JOB_TIMEOUT_MS);
	*g = gate_create(fd);
	gate_hold(&j, g);
	if (point)
		job_out_syncobj(&j, timeline, point);
	fence = job_submit(fd, &j);
	if (wait) {
		igt_assert_eq(fence_wait_status(fence), -ETIMEDOUT);
		debugfs_knob_restore(fd, "vrender_job_timeout_ms");
		buf_check(&b, 0, 64, 0);
	}
	buf_destroy(&b);
	return fence;
}

enum in_kind { IN_SYNC_FILE, IN_BINARY, IN_TIMELINE, IN_BOTH };

/*
 * A job on @dev whose in-fence (of @kind) is the fence of a failed job must
 * not run, and its fence must carry the error. @pending: the in-fence has
 * not failed yet at submit.
 */
static void test_in_fence_error(enum in_kind kind, int dev, bool pending)
{
	struct buf x = buf_create(dev, PAGE, 0);
	struct job j = job_fill(x.handle, 0, x.size, 0x600d);
	uint32_t syncobj = syncobj_create(dev, 0);
	uint32_t tl = syncobj_create(fd, 0), tl_dev = tl;
	struct engine_stats before = engine_stats(dev);
	bool same = dev == fd;
	int bad, good = -1, fence;
	struct gate g;

	/* A failed run of another subtest may have left it low. */
	debugfs_knob_restore_all();
	buf_set(&x, 0, x.size, 0x5a5a5a5a);
	bad = failed_job(&g, tl, kind == IN_TIMELINE ? 1 : 0, !pending);
	if (!same && kind == IN_TIMELINE) {
		int obj = syncobj_handle_to_fd(fd, tl);

		tl_dev = syncobj_fd_to_handle(dev, obj);
		close(obj);
	}
	switch (kind) {
	case IN_SYNC_FILE:
		job_in_fence(&j, bad);
		break;
	case IN_BINARY:
		syncobj_import_sync_file(dev, syncobj, bad);
		job_in_syncobj(&j, syncobj, 0);
		break;
	case IN_TIMELINE:
		job_in_syncobj(&j, tl_dev, 1);
		break;
	case IN_BOTH: {
		/* A good sync_file and a failing syncobj. */
		struct job ok = job_fill(x.handle, 0, 4, 0x5a5a5a5a);

		good = job_submit(dev, &ok);
		igt_assert_eq(fence_wait_status(good), 1);
		job_in_fence(&j, good);
		syncobj_import_sync_file(dev, syncobj, bad);
		job_in_syncobj(&j, syncobj, 0);
		break;
	}
	}
	fence = job_submit(dev, &j);
	igt_assert_eq(fence_wait_status(bad), -ETIMEDOUT);
	igt_assert_f(fence_wait_status(fence) == -ETIMEDOUT,
		     "job fence status %d, expected %d (-ETIMEDOUT of its in-fence)\n",
		     fence_status(fence), -ETIMEDOUT);
	debugfs_knob_restore(fd, "vrender_job_timeout_ms");
	buf_check(&x, 0, x.size, 0x5a5a5a5a);
	engine_assert_delta(before, engine_stats(dev),
			    .submitted = 1 + same + (kind == IN_BOTH),
			    .completed = kind == IN_BOTH,
			    .failed = 1 + same,
			    .waits_implicit = same,
			    .waits_explicit = pending &&
				(kind == IN_TIMELINE || !same));

	/* The vgem fence itself never expired: signalling it works. */
	gate_destroy(&g);
	close(fence);
	if (good >= 0)
		close(good);
	close(bad);
	if (tl_dev != tl)
		syncobj_destroy(dev, tl_dev);
	syncobj_destroy(fd, tl);
	syncobj_destroy(dev, syncobj);
	buf_destroy(&x);
}

/* Job deadline */

#define DEADLINE_MS	1000
#define GATE_STEP_MS	700

static void sleep_ms(unsigned int ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t))
		;
}

/*
 * job_timeout_ms bounds a job's waits for all its dependencies together.
 * Three dependencies each signal GATE_STEP_MS after the one before: each
 * within job_timeout_ms of the previous, all three only well after it. The
 * job must fail when the deadline passes, not run once the last one
 * signals.
 */
static void test_deadline_all_deps(void)
{
	struct buf b = buf_create(fd, PAGE, 0);
	struct job j = job_fill(b.handle, 0, 64, 0xbad);
	struct gate g[JOB_MAX_BOS - 1];
	struct engine_stats before, after;
	int fence;

	debugfs_knob_restore_all();
	debugfs_knob_set(fd, "vrender_job_timeout_ms", DEADLINE_MS);
	buf_set(&b, 0, 64, 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(g); i++) {
		g[i] = gate_create(fd);
		gate_hold(&j, &g[i]);
	}
	before = engine_stats(fd);
	fence = job_submit(fd, &j);
	for (unsigned int i = 0; i < ARRAY_SIZE(g); i++) {
		sleep_ms(GATE_STEP_MS);
		gate_open(&g[i]);
	}
	igt_assert_f(fence_wait_status(fence) == -ETIMEDOUT,
		     "job fence status %d, expected %d: its dependencies took %d ms in all, the deadline is %d ms\n",
		     fence_status(fence), -ETIMEDOUT,
		     (int)ARRAY_SIZE(g) * GATE_STEP_MS, DEADLINE_MS);
	debugfs_knob_restore(fd, "vrender_job_timeout_ms");
	buf_check(&b, 0, 64, 0);
	after = engine_stats(fd);
	engine_assert_delta(before, after, .submitted = 1, .failed = 1,
			    .waits_implicit = ARRAY_SIZE(g));
	igt_assert_eq_u64(after.dep_timeouts - before.dep_timeouts, 1);

	close(fence);
	for (unsigned int i = 0; i < ARRAY_SIZE(g); i++)
		gate_destroy(&g[i]);
	buf_destroy(&b);
}

/*
 * A job's deadline starts when the scheduler first waits for it, that is
 * once the file's jobs before it went to the device: the second job here
 * waits GATE_STEP_MS behind the first, then GATE_STEP_MS for its own
 * dependency, more than job_timeout_ms since its submit but not since its
 * turn came.
 */
static void test_deadline_per_job(void)
{
	struct buf b = buf_create(fd, PAGE, 0);
	struct job j1 = job_fill(b.handle, 0, 64, 1);
	struct job j2 = job_fill(b.handle, 64, 64, 2);
	struct gate g1, g2;
	int f1, f2;

	debugfs_knob_restore_all();
	debugfs_knob_set(fd, "vrender_job_timeout_ms", DEADLINE_MS);
	g1 = gate_create(fd);
	g2 = gate_create(fd);
	gate_hold(&j1, &g1);
	gate_hold(&j2, &g2);
	f1 = job_submit(fd, &j1);
	f2 = job_submit(fd, &j2);
	sleep_ms(GATE_STEP_MS);
	gate_open(&g1);
	fence_wait_ok(f1);
	sleep_ms(GATE_STEP_MS);
	gate_open(&g2);
	fence_wait_ok(f2);
	debugfs_knob_restore(fd, "vrender_job_timeout_ms");
	buf_check(&b, 0, 64, 1);
	buf_check(&b, 64, 64, 2);
	gate_destroy(&g1);
	gate_destroy(&g2);
	buf_destroy(&b);
}

igt_main
{
	static const struct {
		const char *name;
		enum in_kind kind;
	} in_kinds[] = {
		{ "sync-file", IN_SYNC_FILE },
		{ "syncobj", IN_BINARY },
		{ "timeline", IN_TIMELINE },
		{ "sync-file-and-syncobj", IN_BOTH },
	};

	igt_fixture {
		fd = vrender_open(0);
		engine_stats_require(fd);
	}

	igt_subtest("bo-same-resv")
		test_bo_same_resv();
	igt_subtest("fill")
		test_fill();
	igt_subtest("copy")
		test_copy();
	igt_subtest("fill-partial")
		test_fill_partial();
	igt_subtest("copy-partial")
		test_copy_partial();
	igt_subtest("in-order")
		test_in_order();
	igt_subtest("max-bos")
		test_max_bos();
	igt_subtest("deadline-all-dependencies")
		test_deadline_all_deps();
	igt_subtest("deadline-per-job")
		test_deadline_per_job();

	igt_subtest_group {
		igt_fixture
			bad_setup();

		for (volatile unsigned int i = 0;
		     i < ARRAY_SIZE(bad_cases); i++)
			igt_subtest_f("invalid-%s", bad_cases[i].name)
				test_bad(&bad_cases[i]);
		igt_subtest("invalid-late")
			test_bad_late();

		igt_fixture
			bad_teardown();
	}

	for (volatile unsigned int i = 0; i < ARRAY_SIZE(in_kinds); i++) {
		igt_subtest_f("in-fence-error-%s", in_kinds[i].name)
			test_in_fence_error(in_kinds[i].kind, fd, false);
		igt_subtest_f("in-fence-error-pending-%s", in_kinds[i].name)
			test_in_fence_error(in_kinds[i].kind, fd, true);
	}

	igt_subtest_group {
		igt_fixture {
			fd1 = vrender_open(1);
		}

		for (volatile unsigned int i = 0; i < ARRAY_SIZE(in_kinds); i++)
			igt_subtest_f("in-fence-error-cross-device-%s",
				      in_kinds[i].name)
				test_in_fence_error(in_kinds[i].kind, fd1,
						    false);

		igt_fixture
			close(fd1);
	}

	igt_fixture {
		debugfs_knob_restore_all();
		close(fd);
	}
}
