// SPDX-License-Identifier: MIT
/*
 * Lifetime faults: handles, fds, mappings and devices released in every
 * order, across processes and devices; nothing may leak (the devices'
 * primegem object counts in debugfs return to where they were).
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"

#define NPAGES		4
#define NDEVS		3
#define RANDOM_ROUNDS	8

/* Long-lived fds, to read each device's object count. */
static int watch[NDEVS] = { -1, -1, -1 };

enum res_kind { RES_HANDLE, RES_FD, RES_MAP, RES_DEVICE };

/* Something that keeps a buffer alive, and how to let go of it. */
struct res {
	enum res_kind kind;
	int *dev;		/* device fd, -1 once closed */
	uint32_t handle;
	int fd;
	void *ptr;
};

static uint64_t objects(int dev)
{
	struct pg_device_stats stats;

	debugfs_device_stats(watch[dev], &stats);
	return stats.objects;
}

static void objects_snapshot(uint64_t *counts)
{
	for (int i = 0; i < NDEVS; i++)
		counts[i] = objects(i);
}

static void assert_no_leak(const uint64_t *before)
{
	for (int i = 0; i < NDEVS; i++)
		igt_assert_f(objects(i) == before[i],
			     "vrender.%d: %llu objects, %llu before\n", i,
			     (unsigned long long)objects(i),
			     (unsigned long long)before[i]);
}

static void res_release(struct res *r)
{
	switch (r->kind) {
	case RES_HANDLE:
		/* Closing the device fd already dropped its handles. */
		if (*r->dev >= 0)
			gem_close(*r->dev, r->handle);
		break;
	case RES_FD:
		igt_assert_eq(close(r->fd), 0);
		break;
	case RES_MAP:
		munmap_pages(r->ptr, NPAGES);
		break;
	case RES_DEVICE:
		igt_assert_eq(close(*r->dev), 0);
		*r->dev = -1;
		break;
	}
}

/* Next permutation of @idx in lexicographic order; false after the last. */
static bool next_permutation(int *idx, int n)
{
	int i = n - 2, j = n - 1, t;

	while (i >= 0 && idx[i] >= idx[i + 1])
		i--;
	if (i < 0)
		return false;
	while (idx[j] <= idx[i])
		j--;
	t = idx[i], idx[i] = idx[j], idx[j] = t;
	for (i++, j = n - 1; i < j; i++, j--)
		t = idx[i], idx[i] = idx[j], idx[j] = t;
	return true;
}

/* Wait for one byte on @fd. */
static void pipe_wait(int fd)
{
	char c;

	igt_assert_eq(read(fd, &c, 1), 1);
}

static void pipe_post(int fd)
{
	igt_assert_eq(write(fd, "x", 1), 1);
}

/*
 * A child maps the buffer (inherited dma-buf mapping); the parent lets go
 * of everything in the order @order, then the child checks and rewrites the
 * buffer through its mapping. Afterwards nothing is left.
 */
static void release_in_order(const int *order)
{
	int dev = vrender_open(0), go[2];
	struct bo bo = bo_create(dev, NPAGES);
	int dmabuf = prime_handle_to_fd(dev, bo.handle);
	struct res res[] = {
		{ .kind = RES_HANDLE, .dev = &dev, .handle = bo.handle },
		{ .kind = RES_FD, .fd = dmabuf },
		{ .kind = RES_MAP, .ptr = gem_mmap(dev, bo.handle, 0, NPAGES,
						   PROT_READ | PROT_WRITE) },
		{ .kind = RES_MAP, .ptr = dmabuf_mmap(dmabuf, 0, NPAGES,
						      PROT_READ | PROT_WRITE) },
		{ .kind = RES_DEVICE, .dev = &dev },
	};
	void *child_map = dmabuf_mmap(dmabuf, 0, NPAGES, PROT_READ | PROT_WRITE);

	pattern_fill(res[2].ptr, 0, NPAGES, 7);
	igt_assert_eq(pipe(go), 0);
	igt_fork(child, 1) {
		/* Only the mapping keeps the buffer, on this side. */
		close(dev);
		close(dmabuf);
		munmap_pages(res[2].ptr, NPAGES);
		munmap_pages(res[3].ptr, NPAGES);
		pipe_wait(go[0]);
		pattern_check(child_map, 0, NPAGES, 7);
		pattern_fill(child_map, 0, NPAGES, 8);
		pattern_check(child_map, 0, NPAGES, 8);
	}
	munmap_pages(child_map, NPAGES);

	for (int i = 0; i < 5; i++)
		res_release(&res[order[i]]);
	pipe_post(go[1]);
	igt_waitchildren();
	close(go[0]);
	close(go[1]);
}

static void test_close_orders(void)
{
	int order[5] = { 0, 1, 2, 3, 4 }, n = 0;
	uint64_t before[NDEVS];

	objects_snapshot(before);
	do {
		release_in_order(order);
		assert_no_leak(before);
		n++;
	} while (next_permutation(order, 5));
	igt_assert_eq(n, 120);
}

/* The parent closes everything while the child writes through its mapping. */
static void test_fork_parent_closes(void)
{
	uint64_t before[NDEVS];
	int dev, dmabuf, go[2];
	struct bo bo;
	void *map;

	objects_snapshot(before);
	dev = vrender_open(0);
	bo = bo_create(dev, NPAGES);
	dmabuf = prime_handle_to_fd(dev, bo.handle);
	map = dmabuf_mmap(dmabuf, 0, NPAGES, PROT_READ | PROT_WRITE);
	igt_assert_eq(pipe(go), 0);

	igt_fork(child, 1) {
		pattern_fill(map, 0, NPAGES, 1);
		pipe_post(go[1]);	/* writing while the parent closes */
		for (uint32_t seed = 2; seed < 64; seed++) {
			pattern_fill(map, 0, NPAGES, seed);
			pattern_check(map, 0, NPAGES, seed);
		}
	}
	pipe_wait(go[0]);
	munmap_pages(map, NPAGES);
	close(dmabuf);
	gem_close(dev, bo.handle);
	close(dev);
	igt_waitchildren();
	close(go[0]);
	close(go[1]);
	assert_no_leak(before);
}

/* Device 1 imports; device 0's fd goes first; the importer still works. */
static void test_exporter_device_first(void)
{
	uint64_t before[NDEVS];
	int dev0, dev1, dmabuf;
	uint32_t imported;
	struct bo bo;
	void *map;

	objects_snapshot(before);
	dev0 = vrender_open(0);
	dev1 = vrender_open(1);
	bo = bo_create(dev0, NPAGES);
	dmabuf = prime_handle_to_fd(dev0, bo.handle);
	imported = prime_fd_to_handle(dev1, dmabuf);
	map = gem_mmap(dev0, bo.handle, 0, NPAGES, PROT_READ | PROT_WRITE);
	pattern_fill(map, 0, NPAGES, 3);
	munmap_pages(map, NPAGES);

	close(dev0);
	close(dmabuf);
	map = gem_mmap(dev1, imported, 0, NPAGES, PROT_READ | PROT_WRITE);
	pattern_check(map, 0, NPAGES, 3);
	pattern_fill(map, 0, NPAGES, 4);
	pattern_check(map, 0, NPAGES, 4);
	gem_close(dev1, imported);
	munmap_pages(map, NPAGES);
	close(dev1);
	assert_no_leak(before);
}

/*
 * Export on device 0, import on 1, re-export from 1, import on 2, re-export
 * from 2, with a mapping on each device: nine things to let go of.
 */
struct chain {
	int dev[NDEVS];
	struct res res[3 * NDEVS];
};

static void chain_build(struct chain *c)
{
	int fd = -1;

	for (int i = 0; i < NDEVS; i++) {
		struct res *r = &c->res[3 * i];
		uint32_t handle;

		c->dev[i] = vrender_open(i);
		handle = i ? prime_fd_to_handle(c->dev[i], fd) :
			     bo_create(c->dev[0], NPAGES).handle;
		fd = prime_handle_to_fd(c->dev[i], handle);
		/* Re-exports give back the one dma-buf. */
		if (i)
			igt_assert_eq(fd_inode(fd), fd_inode(c->res[1].fd));
		r[0] = (struct res){ .kind = RES_HANDLE, .dev = &c->dev[i],
				     .handle = handle };
		r[1] = (struct res){ .kind = RES_FD, .fd = fd };
		r[2] = (struct res){ .kind = RES_MAP,
				     .ptr = gem_mmap(c->dev[i], handle, 0, NPAGES,
						     PROT_READ | PROT_WRITE) };
	}
	pattern_fill(c->res[8].ptr, 0, NPAGES, 5);
	pattern_check(c->res[2].ptr, 0, NPAGES, 5);
}

static void chain_teardown(struct chain *c, const int *order)
{
	for (int i = 0; i < 3 * NDEVS; i++) {
		res_release(&c->res[order[i]]);
		/* Whatever is still mapped keeps seeing the data. */
		for (int j = i + 1; j < 3 * NDEVS; j++)
			if (c->res[order[j]].kind == RES_MAP)
				pattern_check(c->res[order[j]].ptr, 0, NPAGES, 5);
	}
	for (int i = 0; i < NDEVS; i++)
		close(c->dev[i]);
}

static void test_three_devices_reverse(void)
{
	int order[3 * NDEVS];
	uint64_t before[NDEVS];
	struct chain c;

	objects_snapshot(before);
	chain_build(&c);
	for (int i = 0; i < 3 * NDEVS; i++)
		order[i] = 3 * NDEVS - 1 - i;
	chain_teardown(&c, order);
	assert_no_leak(before);
}

static void shuffle(int *idx, int n, unsigned int *seed)
{
	for (int i = n - 1; i > 0; i--) {
		int j = rand_r(seed) % (i + 1), t = idx[i];

		idx[i] = idx[j];
		idx[j] = t;
	}
}

static void test_three_devices_random(void)
{
	uint64_t before[NDEVS];

	objects_snapshot(before);
	for (unsigned int round = 0; round < RANDOM_ROUNDS; round++) {
		unsigned int seed = 0x5eed + round;
		int order[3 * NDEVS];
		struct chain c;

		for (int i = 0; i < 3 * NDEVS; i++)
			order[i] = i;
		shuffle(order, 3 * NDEVS, &seed);
		igt_debug("round %u: seed %u\n", round, 0x5eed + round);
		chain_build(&c);
		chain_teardown(&c, order);
		assert_no_leak(before);
	}
}

igt_main
{
	igt_fixture {
		igt_require_f(vrender_count() >= NDEVS,
			      "needs %d vrender devices\n", NDEVS);
		for (int i = 0; i < NDEVS; i++) {
			watch[i] = vrender_open(i);
			debugfs_require(watch[i]);
		}
	}

	igt_subtest("close-orders")
		test_close_orders();
	igt_subtest("fork-parent-closes")
		test_fork_parent_closes();
	igt_subtest("exporter-device-first")
		test_exporter_device_first();
	igt_subtest("three-devices-reverse")
		test_three_devices_reverse();
	igt_subtest("three-devices-random")
		test_three_devices_random();

	igt_fixture {
		for (int i = 0; i < NDEVS; i++)
			close(watch[i]);
	}
}
