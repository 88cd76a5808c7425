// SPDX-License-Identifier: MIT
/*
 * What one render-node user may take: buffer sizes, pinned memory, jobs in
 * flight, vgem-style fences per file and fences per buffer. Every limit is
 * reached, checked for its errno, and shown to give back what it held.
 */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "submit.h"

#define MiB	(1ull << 20)

static int fd = -1;	/* vrender.0 */
static int fd1 = -1;	/* vrender.1 */
static int rfd = -1;	/* vrender.0's render node */

static int create(int dev, uint64_t size, uint32_t *handle)
{
	struct drm_vrender_gem_create arg = { .size = size };
	int err = __gem_create(dev, &arg);

	if (!err) {
		*handle = arg.handle;
		igt_assert_eq_u64(arg.size, (size + igt_page_size() - 1) &
				  ~(uint64_t)(igt_page_size() - 1));
	}
	return err;
}

static uint64_t ram_bytes(void)
{
	return (uint64_t)sysconf(_SC_PHYS_PAGES) * igt_page_size();
}

/* Sizes no device could ever pin are refused, whatever the debugfs limit. */
static void test_create_sizes(void)
{
	uint32_t h;

	igt_assert_eq(create(rfd, 0, &h), -EINVAL);
	/* Rounding up to a page would wrap to 0. */
	igt_assert_eq(create(rfd, ~0ull, &h), -EINVAL);
	igt_assert_eq(create(rfd, ~0ull - igt_page_size() + 2, &h), -EINVAL);
	igt_assert_eq(create(rfd, 1ull << 63, &h), -E2BIG);
	igt_assert_eq(create(rfd, (1ull << 44) + 4096, &h), -E2BIG);
	igt_assert_eq(create(rfd, 1ull << 40, &h), -E2BIG);
	/* More than the RAM (the default limit is half of it). */
	igt_assert_eq(create(rfd, ram_bytes() + 4096, &h), -E2BIG);
	/* A large buffer that fits is fine: pages come on first use. */
	igt_assert_eq(create(rfd, ram_bytes() / 4, &h), 0);
	gem_close(rfd, h);
}

/*
 * The 16 TiB buffer whose page count was truncated on its way to vmap():
 * a fill at 1 GiB wrote past the one-page kernel mapping.
 */
static void test_submit_huge_buffer(void)
{
	struct drm_vrender_gem_create arg = { .size = (1ull << 44) + 4096 };
	struct job j;

	igt_assert_eq(__gem_create(rfd, &arg), -E2BIG);
	/* Had the create passed, this is the write that oopsed. */
	if (!arg.handle)
		return;
	j = job_fill(arg.handle, 1ull << 30, 4, 0xdeadbeef);
	igt_assert_eq(__job_submit(rfd, &j), -ERANGE);
}

static void test_dumb_sizes(void)
{
	struct drm_mode_create_dumb arg = { .width = 4096, .height = 1025,
					    .bpp = 32 };
	uint64_t limit = 16 * MiB;

	pin_limit_restore_all();
	pin_limit_set(fd, limit);
	/* 4096 * 1025 * 4 = 16 MiB + 16 KiB */
	igt_assert_eq(__dumb_create(fd, &arg), -E2BIG);
	arg.height = 1024;
	igt_assert_eq(__dumb_create(fd, &arg), 0);
	igt_assert_eq_u64(arg.size, limit);
	igt_assert_eq(__dumb_destroy(fd, arg.handle), 0);
	pin_limit_restore_all();
}

static uint64_t pinned(int dev)
{
	struct pg_device_stats st;

	debugfs_device_stats(dev, &st);
	return st.pinned;
}

/*
 * A device's pins (CPU mappings, importers' attachments, jobs) stay within
 * its limit: the one over it fails with ENOMEM and takes nothing.
 */
static void test_pin_budget(void)
{
	uint64_t base, size = 6 * MiB;
	uint32_t a, b, imported;
	unsigned int npages = size / igt_page_size();
	void *ma, *mb;
	struct job j;
	int dmabuf;

	pin_limit_restore_all();
	base = pinned(fd);
	pin_limit_set(fd, base + 8 * MiB);
	igt_assert_eq(create(fd, base + 8 * MiB + 4096, &a), -E2BIG);
	igt_assert_eq(create(fd, size, &a), 0);
	igt_assert_eq(create(fd, size, &b), 0);

	ma = gem_mmap(fd, a, 0, npages, PROT_READ | PROT_WRITE);
	igt_assert_eq_u64(pinned(fd), base + size);
	igt_assert_eq(__mmap_err(&mb, size, PROT_READ, MAP_SHARED, fd,
				 dumb_map(fd, b)), -ENOMEM);
	j = job_fill(b, 0, 4, 1);
	igt_assert_eq(__job_submit(fd, &j), -ENOMEM);
	dmabuf = prime_handle_to_fd(fd, b);
	igt_assert_eq(__prime_fd_to_handle(fd1, dmabuf, &imported), -ENOMEM);
	igt_assert_eq_u64(pinned(fd), base + size);

	/* What a releases, b may take. */
	munmap_pages(ma, npages);
	igt_assert_eq_u64(pinned(fd), base);
	imported = prime_fd_to_handle(fd1, dmabuf);
	igt_assert_eq_u64(pinned(fd), base + size);
	ma = gem_mmap(fd1, imported, 0, npages, PROT_READ);
	igt_assert_eq(__mmap_err(&mb, size, PROT_READ, MAP_SHARED, fd,
				 dumb_map(fd, a)), -ENOMEM);
	munmap_pages(ma, npages);
	gem_close(fd1, imported);
	close(dmabuf);
	igt_assert_eq_u64(pinned(fd), base);

	gem_close(fd, a);
	gem_close(fd, b);
	pin_limit_restore_all();
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A file has at most VRENDER_MAX_JOBS_IN_FLIGHT jobs in flight: the next
 * SUBMIT waits for room (and a signal interrupts the wait).
 */
static void test_jobs_in_flight(void)
{
	struct gate g;
	uint32_t dst;
	int sync[2];
	char c;

	/* Nothing times out while the gate holds the jobs back. */
	debugfs_knob_set(fd, "vrender_fence_timeout_ms", 300000);
	debugfs_knob_set(fd, "vrender_job_timeout_ms", 300000);
	g = gate_create(fd);
	dst = gem_create(fd, igt_page_size(), 0);
	for (unsigned int i = 0; i < VRENDER_MAX_JOBS_IN_FLIGHT; i++) {
		struct job j = job_fill(dst, 0, 4, i);

		j.arg.flags = 0;
		gate_hold(&j, &g);
		igt_assert_eq(__job_submit(fd, &j), 0);
	}

	/* A signal cuts the wait short: EINTR without SA_RESTART. */
	igt_fork(child, 1) {
		struct sigaction sa = { .sa_handler = on_alarm };
		struct job j = job_fill(dst, 0, 4, 0);

		j.arg.flags = 0;
		j.arg.bos = (uintptr_t)j.bos;
		igt_assert_eq(sigaction(SIGALRM, &sa, NULL), 0);
		alarm(1);
		/* Not __job_submit(): it restarts on EINTR, as drmIoctl() does. */
		igt_assert_eq(ioctl(fd, DRM_IOCTL_VRENDER_SUBMIT, &j.arg), -1);
		igt_assert_eq(errno, EINTR);
	}
	igt_waitchildren();

	/* A waiting SUBMIT goes through once the gate lets jobs finish. */
	igt_assert_eq(pipe(sync), 0);
	igt_fork(child, 1) {
		struct job j = job_fill(dst, 0, 4, 0);

		j.arg.flags = 0;
		igt_assert_eq(__job_submit(fd, &j), 0);
		igt_assert_eq(write(sync[1], "s", 1), 1);
	}
	igt_assert_f(!fd_poll(sync[0], POLLIN, BUSY_CHECK_MS),
		     "SUBMIT over the limit did not wait\n");
	gate_open(&g);
	igt_assert(fd_poll(sync[0], POLLIN, FENCE_TIMEOUT_MS));
	igt_assert_eq(read(sync[0], &c, 1), 1);
	igt_waitchildren();
	close(sync[0]);
	close(sync[1]);
	gate_destroy(&g);
	gem_close(fd, dst);
	debugfs_knob_restore(fd, "vrender_job_timeout_ms");
	debugfs_knob_restore(fd, "vrender_fence_timeout_ms");
}

static int attach(int dev, uint32_t handle, uint32_t *fence)
{
	struct drm_vrender_fence_attach arg = { .handle = handle };
	int err = __vrender_fence_attach(dev, &arg);

	*fence = arg.out_fence;
	return err;
}

/* At most VRENDER_MAX_FENCES fences from FENCE_ATTACH per file. */
static void test_fences_per_file(void)
{
	int dev = drm_reopen(fd);
	uint32_t h = gem_create(dev, igt_page_size(), 0);
	uint32_t first = 0, f;

	debugfs_knob_set(fd, "vrender_fence_timeout_ms", 120000);
	for (unsigned int i = 0; i < VRENDER_MAX_FENCES; i++) {
		igt_assert_eq(attach(dev, h, &f), 0);
		if (!i)
			first = f;
	}
	igt_assert_eq(attach(dev, h, &f), -ENOSPC);
	/* FENCE_SIGNAL gives a slot back. */
	vgem_fence_signal(dev, first);
	igt_assert_eq(attach(dev, h, &f), 0);
	igt_assert_eq(attach(dev, h, &f), -ENOSPC);
	/* Another file has its own. */
	igt_assert_eq(attach(fd, gem_create(fd, igt_page_size(), 0), &f), 0);
	vgem_fence_signal(fd, f);
	close(dev);
	debugfs_knob_restore(fd, "vrender_fence_timeout_ms");
}

/*
 * At most VRENDER_MAX_BO_FENCES unsignalled fences on one buffer, whoever
 * adds them: FENCE_ATTACH and SUBMIT say EBUSY beyond.
 */
static void test_fences_per_buffer(void)
{
	int files = VRENDER_MAX_BO_FENCES / VRENDER_MAX_FENCES, dmabuf, extra;
	uint32_t h = gem_create(fd, igt_page_size(), 0), f;
	int dev[VRENDER_MAX_BO_FENCES / VRENDER_MAX_FENCES];
	struct job j;

	debugfs_knob_set(fd, "vrender_fence_timeout_ms", 120000);
	dmabuf = prime_handle_to_fd(fd, h);
	for (int i = 0; i < files; i++) {
		uint32_t mine;

		dev[i] = drm_reopen(fd);
		mine = prime_fd_to_handle(dev[i], dmabuf);
		for (unsigned int n = 0; n < VRENDER_MAX_FENCES; n++)
			igt_assert_eq(attach(dev[i], mine, &f), 0);
	}
	extra = drm_reopen(fd);
	igt_assert_eq(attach(extra, prime_fd_to_handle(extra, dmabuf), &f),
		      -EBUSY);
	j = job_fill(gem_create(fd, igt_page_size(), 0), 0, 4, 0);
	job_add_bo(&j, h, VRENDER_BO_READ);
	igt_assert_eq(__job_submit(fd, &j), -EBUSY);

	/* Closing a file signals its fences: room again. */
	close(dev[0]);
	igt_assert_eq(attach(extra, prime_fd_to_handle(extra, dmabuf), &f), 0);
	fence_wait_ok(job_submit(fd, &j));
	for (int i = 1; i < files; i++)
		close(dev[i]);
	close(extra);
	close(dmabuf);
	gem_close(fd, h);
	debugfs_knob_restore(fd, "vrender_fence_timeout_ms");
}

/*
 * A job waits for at most VRENDER_MAX_JOB_DEPS fences (here: read fences
 * of FENCE_ATTACH, a timeline each, that a writing job waits for): one more
 * is refused with EBUSY and submits nothing; at the limit the job runs once
 * they have signalled.
 */
static void test_job_deps(void)
{
	struct buf b = buf_create(fd, igt_page_size(), 0);
	int dev = drm_reopen(fd), dmabuf = prime_handle_to_fd(fd, b.handle);
	uint32_t mine = prime_fd_to_handle(dev, dmabuf);
	uint32_t fences[VRENDER_MAX_JOB_DEPS + 1];
	struct engine_stats before;
	struct job j;
	int out;

	debugfs_knob_set(fd, "vrender_fence_timeout_ms", 120000);
	debugfs_knob_set(fd, "vrender_job_timeout_ms", 120000);
	for (unsigned int i = 0; i < ARRAY_SIZE(fences); i++)
		igt_assert_eq(attach(dev, mine, &fences[i]), 0);
	j = job_fill(b.handle, 0, 4, 0x600d);
	before = engine_stats(fd);
	igt_assert_eq(__job_submit(fd, &j), -EBUSY);
	engine_assert_delta(before, engine_stats(fd));

	vgem_fence_signal(dev, fences[VRENDER_MAX_JOB_DEPS]);
	out = job_submit(fd, &j);
	for (unsigned int i = 0; i < VRENDER_MAX_JOB_DEPS; i++)
		vgem_fence_signal(dev, fences[i]);
	fence_wait_ok(out);
	buf_check(&b, 0, 4, 0x600d);
	close(out);
	close(dev);
	close(dmabuf);
	buf_destroy(&b);
	debugfs_knob_restore(fd, "vrender_job_timeout_ms");
	debugfs_knob_restore(fd, "vrender_fence_timeout_ms");
}

igt_main
{
	igt_fixture {
		fd = vrender_open(0);
		fd1 = vrender_open(1);
		rfd = vrender_open_render(0);
	}

	igt_subtest("create-sizes")
		test_create_sizes();
	igt_subtest("submit-huge-buffer")
		test_submit_huge_buffer();

	igt_subtest_group {
		igt_fixture {
			debugfs_require(fd);
			pin_limit_get(fd);
		}
		igt_subtest("dumb-sizes")
			test_dumb_sizes();
		igt_subtest("pin-budget")
			test_pin_budget();
	}

	igt_subtest("fences-per-file")
		test_fences_per_file();
	igt_subtest("fences-per-buffer")
		test_fences_per_buffer();
	/* Last: if it fails, its held-back jobs hold the engine for a while. */
	igt_subtest("job-deps")
		test_job_deps();
	igt_subtest("jobs-in-flight")
		test_jobs_in_flight();

	igt_fixture {
		close(rfd);
		close(fd1);
		close(fd);
	}
}
