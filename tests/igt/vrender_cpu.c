// SPDX-License-Identifier: MIT
/*
 * The CPU and vrender jobs: DMA_BUF_IOCTL_SYNC and poll() wait for jobs;
 * strict buffers (VRENDER_GEM_CREATE_STRICT, primegem.strict_cpu) hold jobs
 * back during CPU-access brackets, within the device's lease
 * (debugfs primegem_cpu_lease_ms).
 */
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "submit.h"

#define PAGE		((uint64_t)igt_page_size())
#define OLD		0x01d01d01u
#define NEW		0x0e70e70eu
#define CPU		0xc0c0c0c0u
#define LEASE_MS	600
/* Brackets must not expire unless a test wants them to. */
#define LONG_LEASE_MS	10000

static int fd0 = -1;
static int fd1 = -1;

static void wait_ok(int fence)
{
	int status = fence_wait_status(fence);

	igt_assert_f(status == 1, "job fence status %d, expected 1\n", status);
}

static void touch(const struct buf *b)
{
	for (uint64_t i = 0; i < b->size / 4; i += PAGE / 4)
		(void)((volatile uint32_t *)b->map)[i];
}

/*
 * SYNC_START (in a child) blocks while a job writing the buffer is held,
 * and returns once the job is done, with its data; poll() agrees.
 */
static void test_sync_waits_job(uint64_t dir)
{
	struct buf x = buf_create(fd0, PAGE, 0);
	struct gate g = gate_create(fd0);
	struct job j = job_fill(x.handle, 0, PAGE, NEW);
	int dmabuf = buf_dmabuf(&x), fence, p[2];
	char c;

	buf_set(&x, 0, PAGE, OLD);
	gate_hold(&j, &g);
	j.arg.exec_us = 50000;
	fence = job_submit(fd0, &j);
	igt_assert_eq(pipe(p), 0);
	igt_fork(child, 1) {
		close(p[0]);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | dir);
		igt_assert_eq(fence_status(fence), 1);
		buf_check(&x, 0, PAGE, NEW);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | dir);
		igt_assert_eq(write(p[1], "x", 1), 1);
	}
	close(p[1]);
	igt_assert_f(!fd_poll(p[0], POLLIN, BUSY_CHECK_MS),
		     "SYNC_START returned while the job was held\n");
	igt_assert(!fd_poll(dmabuf, POLLIN, 0));
	igt_assert(!fd_poll(dmabuf, POLLOUT, 0));

	gate_open(&g);
	igt_assert_f(fd_poll(p[0], POLLIN, FENCE_TIMEOUT_MS),
		     "SYNC_START still blocked after the job\n");
	igt_assert_eq(read(p[0], &c, 1), 1);
	igt_waitchildren();
	igt_assert_eq(fence_status(fence), 1);
	igt_assert(fd_poll(dmabuf, POLLIN | POLLOUT, 0));

	close(p[0]);
	close(fence);
	close(dmabuf);
	gate_destroy(&g);
	buf_destroy(&x);
}

/* A held reader job: SYNC_START for reading passes, poll(POLLIN) too. */
static void test_sync_reader(void)
{
	struct buf x = buf_create(fd0, PAGE, 0);
	struct buf y = buf_create(fd0, PAGE, 0);
	struct gate g = gate_create(fd0);
	struct job j = job_copy(y.handle, 0, x.handle, 0, PAGE);
	int dmabuf = buf_dmabuf(&x), fence;

	gate_hold(&j, &g);
	fence = job_submit(fd0, &j);
	igt_assert(fd_poll(dmabuf, POLLIN, 0));
	igt_assert(!fd_poll(dmabuf, POLLOUT, 0));
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	igt_assert_eq(fence_status(fence), 0);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);

	gate_open(&g);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	igt_assert_eq(fence_status(fence), 1);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);

	close(fence);
	close(dmabuf);
	gate_destroy(&g);
	buf_destroy(&y);
	buf_destroy(&x);
}

static struct buf strict_create(int fd)
{
	struct drm_vrender_gem_create arg = {
		.size = PAGE, .flags = VRENDER_GEM_CREATE_STRICT,
	};
	int err = __gem_create(fd, &arg);

	igt_require_f(err != -EINVAL, "no VRENDER_GEM_CREATE_STRICT\n");
	igt_assert_eq(err, 0);
	gem_close(fd, arg.handle);
	return buf_create(fd, PAGE, VRENDER_GEM_CREATE_STRICT);
}

/*
 * A writing bracket on a strict buffer holds readers (here on another
 * device, through an import) and writers until END; the CPU's data is what
 * the reader sees.
 */
static void test_strict_write_bracket(void)
{
	struct buf s = strict_create(fd0);
	struct buf sb = buf_import(fd1, &s, false);
	struct buf y = buf_create(fd1, PAGE, 0);
	struct engine_stats before0 = engine_stats(fd0);
	struct engine_stats before1 = engine_stats(fd1);
	struct job r = job_copy(y.handle, 0, sb.handle, 0, PAGE);
	struct job w = job_fill(s.handle, 0, PAGE, NEW);
	int dmabuf = buf_dmabuf(&s), fr, fw;

	touch(&s);	/* no fault inside the bracket */
	prime_sync_start(dmabuf, true);
	fr = job_submit(fd1, &r);
	fw = job_submit(fd0, &w);
	buf_set(&s, 0, PAGE, CPU);
	fence_assert_busy(fr);
	igt_assert_eq(fence_status(fw), 0);
	buf_check(&s, 0, PAGE, CPU);

	prime_sync_end(dmabuf, true);
	wait_ok(fw);
	wait_ok(fr);
	buf_check(&y, 0, PAGE, CPU);
	buf_check(&s, 0, PAGE, NEW);
	engine_assert_delta(before1, engine_stats(fd1), .submitted = 1,
			    .completed = 1, .waits_cpu = 1);
	engine_assert_delta(before0, engine_stats(fd0), .submitted = 1,
			    .completed = 1, .waits_cpu = 1,
			    .waits_cross_device = 1);

	close(fr);
	close(fw);
	close(dmabuf);
	buf_destroy(&y);
	buf_destroy(&sb);
	buf_destroy(&s);
}

/* A reading bracket holds writers but not readers. */
static void test_strict_read_bracket(void)
{
	struct buf s = strict_create(fd0);
	struct buf y = buf_create(fd0, PAGE, 0);
	struct engine_stats before = engine_stats(fd0);
	struct job r = job_copy(y.handle, 0, s.handle, 0, PAGE);
	struct job w = job_fill(s.handle, 0, PAGE, NEW);
	int dmabuf = buf_dmabuf(&s), fr, fw;

	buf_set(&s, 0, PAGE, OLD);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	fr = job_submit(fd0, &r);
	wait_ok(fr);
	buf_check(&y, 0, PAGE, OLD);
	fw = job_submit(fd0, &w);
	fence_assert_busy(fw);
	buf_check(&s, 0, PAGE, OLD);

	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	wait_ok(fw);
	buf_check(&s, 0, PAGE, NEW);
	engine_assert_delta(before, engine_stats(fd0), .submitted = 2,
			    .completed = 2, .waits_cpu = 1);

	close(fr);
	close(fw);
	close(dmabuf);
	buf_destroy(&y);
	buf_destroy(&s);
}

/* primegem_strict_cpu makes every new buffer of the device strict, dumb ones too. */
static void test_strict_param(void)
{
	struct engine_stats before = engine_stats(fd0);
	struct bo bo;
	struct job w;
	int dmabuf, fw;

	debugfs_knob_set(fd0, "primegem_strict_cpu", 1);
	bo = bo_create(fd0, 1);
	debugfs_knob_set(fd0, "primegem_strict_cpu", 0);
	dmabuf = prime_handle_to_fd(fd0, bo.handle);
	w = job_fill(bo.handle, 0, 64, NEW);

	dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	fw = job_submit(fd0, &w);
	fence_assert_busy(fw);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	wait_ok(fw);
	engine_assert_delta(before, engine_stats(fd0), .submitted = 1,
			    .completed = 1, .waits_cpu = 1);

	close(fw);
	close(dmabuf);
	gem_close(fd0, bo.handle);
}

static uint64_t object_key(const struct buf *b, const char *key)
{
	return debugfs_object_key(b->fd, gem_id(b->fd, b->handle), key);
}

/*
 * A bracket left open past the lease: the held job runs, the expiry is
 * counted, and the CPU mapping is revoked (the next access faults).
 */
static void test_strict_lease(void)
{
	struct buf s;
	struct engine_stats before = engine_stats(fd0);
	struct timespec start;
	uint64_t faults, expiries;
	struct job w;
	int dmabuf, fw;

	debugfs_knob_set(fd0, "primegem_cpu_lease_ms", LEASE_MS);
	s = strict_create(fd0);
	w = job_fill(s.handle, 0, PAGE, NEW);
	dmabuf = buf_dmabuf(&s);
	buf_set(&s, 0, PAGE, OLD);
	faults = object_key(&s, "faults");
	expiries = object_key(&s, "lease_expiries");

	prime_sync_start(dmabuf, true);
	fw = job_submit(fd0, &w);
	fence_assert_busy(fw);
	touch(&s);
	igt_assert_eq_u64(object_key(&s, "faults"), faults);

	/* An implicit dependency's error does not stop the job. */
	wait_ok(fw);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (object_key(&s, "lease_expiries") == expiries) {
		igt_assert_f(igt_time_elapsed(&start) < 10,
			     "lease_expiries did not move\n");
		usleep(10000);
	}
	igt_assert_eq_u64(object_key(&s, "lease_expiries"), expiries + 1);

	/* The revoke may still be on its way: touch until it faults. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		buf_check(&s, 0, PAGE, NEW);
		if (object_key(&s, "faults") > faults)
			break;
		igt_assert_f(igt_time_elapsed(&start) < 10,
			     "no fault after the lease expired\n");
		usleep(10000);
	}
	engine_assert_delta(before, engine_stats(fd0), .submitted = 1,
			    .completed = 1, .waits_cpu = 1);

	/* The late END is harmless; the buffer works as before. */
	prime_sync_end(dmabuf, true);
	debugfs_knob_set(fd0, "primegem_cpu_lease_ms", LONG_LEASE_MS);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	close(fw);
	w = job_fill(s.handle, 0, PAGE, OLD);
	fw = job_submit(fd0, &w);
	fence_assert_busy(fw);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	wait_ok(fw);
	buf_check(&s, 0, PAGE, OLD);
	igt_assert_eq_u64(object_key(&s, "lease_expiries"), expiries + 1);

	close(fw);
	close(dmabuf);
	buf_destroy(&s);
}

/*
 * Inside its bracket the CPU owns a strict buffer: a first touch of the
 * mapping must not wait for a job that is itself waiting for the bracket.
 */
/*
 * The END of a bracket whose lease ran out must not close a newer bracket:
 * a job on the buffer stays held until the newer bracket's own END.
 */
static void test_strict_end_after_expiry(void)
{
	struct buf s;
	struct timespec start;
	uint64_t expiries;
	struct job w;
	int dmabuf, fw;

	debugfs_knob_set(fd0, "primegem_cpu_lease_ms", LEASE_MS);
	s = strict_create(fd0);
	dmabuf = buf_dmabuf(&s);
	expiries = object_key(&s, "lease_expiries");

	dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (object_key(&s, "lease_expiries") == expiries) {
		igt_assert_f(igt_time_elapsed(&start) < 10,
			     "lease_expiries did not move\n");
		usleep(10000);
	}

	/* A newer bracket, then the late END of the expired one. */
	debugfs_knob_set(fd0, "primegem_cpu_lease_ms", LONG_LEASE_MS);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	w = job_fill(s.handle, 0, PAGE, NEW);
	fw = job_submit(fd0, &w);
	fence_assert_busy(fw);

	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	wait_ok(fw);
	buf_check(&s, 0, PAGE, NEW);
	igt_assert_eq_u64(object_key(&s, "lease_expiries"), expiries + 1);

	close(fw);
	close(dmabuf);
	buf_destroy(&s);
}

static void test_strict_fault_in_bracket(void)
{
	struct buf s;
	uint64_t expiries;
	struct job w;
	int dmabuf, fw;

	debugfs_knob_set(fd0, "primegem_cpu_lease_ms", 2000);
	s = strict_create(fd0);
	w = job_fill(s.handle, 0, PAGE, NEW);
	dmabuf = buf_dmabuf(&s);
	expiries = object_key(&s, "lease_expiries");

	prime_sync_start(dmabuf, true);
	fw = job_submit(fd0, &w);
	buf_set(&s, 0, PAGE, CPU);	/* first touch: a fault */
	igt_assert_f(fence_status(fw) == 0 &&
		     object_key(&s, "lease_expiries") == expiries,
		     "the fault waited for the held job (job fence %d, lease expired %llu times)\n",
		     fence_status(fw),
		     (unsigned long long)(object_key(&s, "lease_expiries") -
					  expiries));
	prime_sync_end(dmabuf, true);
	wait_ok(fw);
	buf_check(&s, 0, PAGE, NEW);
	debugfs_knob_set(fd0, "primegem_cpu_lease_ms", LONG_LEASE_MS);

	close(fw);
	close(dmabuf);
	buf_destroy(&s);
}

/* The lease is bounded: 1 ms to PRIMEGEM_MAX_LEASE_MS (10 s). */
static void test_lease_bounds(void)
{
	uint64_t old = debugfs_knob_get(fd0, "primegem_cpu_lease_ms");

	igt_assert_eq(__debugfs_knob_write(fd0, "primegem_cpu_lease_ms", 0),
		      -EINVAL);
	igt_assert_eq(__debugfs_knob_write(fd0, "primegem_cpu_lease_ms",
					   10001), -EINVAL);
	igt_assert_eq(__debugfs_knob_write(fd0, "primegem_cpu_lease_ms",
					   ~0ull), -EINVAL);
	igt_assert_eq_u64(debugfs_knob_get(fd0, "primegem_cpu_lease_ms"), old);
	/* The module parameters are load-time defaults now. */
	igt_assert_eq(__module_param_write("primegem", "cpu_lease_ms", "5"),
		      -EACCES);
	igt_assert_eq(__module_param_write("primegem", "strict_cpu", "1"),
		      -EACCES);
	debugfs_knob_set(fd0, "primegem_cpu_lease_ms", 1);
	debugfs_knob_set(fd0, "primegem_cpu_lease_ms", 10000);
	debugfs_knob_set(fd0, "primegem_cpu_lease_ms", old);
}

struct mmap_probe {
	int done;	/* pipe: written once an mmap/munmap went through */
};

static void *mmap_probe(void *arg)
{
	struct mmap_probe *p = arg;
	void *ptr = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);

	igt_assert(ptr != MAP_FAILED);
	igt_assert_eq(munmap(ptr, PAGE), 0);
	igt_assert_eq(write(p->done, "m", 1), 1);
	return NULL;
}

struct toucher {
	const struct buf *b;
	volatile pid_t tid;
};

static void *strict_toucher(void *arg)
{
	struct toucher *t = arg;

	t->tid = gettid();
	touch(t->b);
	return NULL;
}

/* Wait until thread @tid sleeps waiting for a fence. */
static void wait_fence_sleeper(pid_t tid)
{
	struct timespec start;
	char path[64], wchan[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", tid);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		FILE *f = fopen(path, "r");

		igt_assert(f);
		if (!fgets(wchan, sizeof(wchan), f))
			wchan[0] = '\0';
		fclose(f);
		if (strstr(wchan, "fence") || strstr(wchan, "resv"))
			return;
		igt_assert_f(igt_time_elapsed(&start) < FENCE_TIMEOUT_MS / 1000,
			     "thread %d never waited for a fence (%s)\n", tid,
			     wchan);
		usleep(1000);
	}
}

/*
 * A fault of a strict buffer outside a bracket waits for the device work
 * that writes it, but not holding mmap_lock: another thread of the
 * process can still mmap meanwhile (it used to wait up to 10 s behind the
 * fault).
 */
static void test_strict_fault_drops_mmap_lock(void)
{
	struct buf s = strict_create(fd0);
	struct gate g = gate_create(fd0);
	struct job w = job_fill(s.handle, 0, PAGE, NEW);
	struct toucher t = { .b = &s };
	struct mmap_probe probe;
	pthread_t toucher, prober;
	int fw, p[2];
	char c;

	gate_hold(&w, &g);
	fw = job_submit(fd0, &w);
	/* The mapping is fresh: the first touch faults, and waits. */
	igt_assert_eq(pthread_create(&toucher, NULL, strict_toucher, &t), 0);
	while (!t.tid)
		usleep(100);
	wait_fence_sleeper(t.tid);
	igt_assert_eq(pipe(p), 0);
	probe.done = p[1];
	igt_assert_eq(pthread_create(&prober, NULL, mmap_probe, &probe), 0);
	igt_assert_f(fd_poll(p[0], POLLIN, 2000),
		     "mmap waited behind a strict fault\n");
	igt_assert_eq(read(p[0], &c, 1), 1);
	igt_assert_eq(fence_status(fw), 0);

	gate_open(&g);
	igt_assert_eq(pthread_join(toucher, NULL), 0);
	igt_assert_eq(pthread_join(prober, NULL), 0);
	wait_ok(fw);
	buf_check(&s, 0, PAGE, NEW);
	close(p[0]);
	close(p[1]);
	close(fw);
	gate_destroy(&g);
	buf_destroy(&s);
}

/*
 * Leases that run out just before the buffer goes: the revoke work of an
 * expired fence must not outlive the buffer (it ran on a freed object when
 * a new START had replaced the fence). Many rounds, for the debug tier.
 */
static void test_lease_expiry_free(void)
{
	debugfs_knob_set(fd0, "primegem_cpu_lease_ms", 1);
	for (int i = 0; i < 100; i++) {
		struct buf s = strict_create(fd0);
		int dmabuf = buf_dmabuf(&s);

		dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		usleep(2000);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		close(dmabuf);
		buf_destroy(&s);
	}
	debugfs_knob_set(fd0, "primegem_cpu_lease_ms", LONG_LEASE_MS);
}

igt_main
{
	igt_fixture {
		fd0 = vrender_open(0);
		engine_stats_require(fd0);
		timeouts_at_least_default(fd0);
		debugfs_knob_set(fd0, "primegem_cpu_lease_ms", LONG_LEASE_MS);
	}

	igt_subtest("sync-read-waits-job")
		test_sync_waits_job(DMA_BUF_SYNC_READ);
	igt_subtest("sync-write-waits-job")
		test_sync_waits_job(DMA_BUF_SYNC_WRITE);
	igt_subtest("sync-reader-job")
		test_sync_reader();
	igt_subtest("strict-read-bracket")
		test_strict_read_bracket();
	igt_subtest("strict-cpu-param")
		test_strict_param();
	igt_subtest("strict-lease-expiry")
		test_strict_lease();
	igt_subtest("strict-fault-in-bracket")
		test_strict_fault_in_bracket();
	igt_subtest("strict-end-after-expiry")
		test_strict_end_after_expiry();
	igt_subtest("lease-bounds")
		test_lease_bounds();
	igt_subtest("strict-fault-drops-mmap-lock")
		test_strict_fault_drops_mmap_lock();
	igt_subtest("lease-expiry-free")
		test_lease_expiry_free();

	igt_subtest_group {
		igt_fixture {
			fd1 = vrender_open(1);
			timeouts_at_least_default(fd1);
		}

		igt_subtest("strict-write-bracket")
			test_strict_write_bracket();

		igt_fixture
			close(fd1);
	}

	igt_fixture {
		debugfs_knob_restore_all();
		close(fd0);
	}
}
