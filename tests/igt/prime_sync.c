// SPDX-License-Identifier: MIT
/*
 * DMA_BUF_IOCTL_SYNC on vrender dma-bufs: argument checks and the
 * bracket/flush accounting in primegem_objects.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"

#define RW	(PROT_READ | PROT_WRITE)

static int fd = -1;
static int fd1 = -1;

struct counts {
	uint64_t brackets;
	uint64_t flushes;
	uint64_t skips;
};

static const struct bracket {
	const char *name;
	uint64_t dir;
	struct counts delta;
} brackets[] = {
	{ "read", DMA_BUF_SYNC_READ, { 1, 0, 1 } },
	{ "write", DMA_BUF_SYNC_WRITE, { 1, 1, 0 } },
	{ "rw", DMA_BUF_SYNC_RW, { 1, 1, 0 } },
};

static struct counts object_counts(int dev, uint64_t id)
{
	struct pg_object_stats st = debugfs_object(dev, id);

	return (struct counts){ st.brackets, st.flushes, st.flush_skips };
}

static struct counts device_counts(int dev)
{
	struct pg_device_stats st;

	debugfs_device_stats(dev, &st);
	return (struct counts){ st.brackets, st.flushes, st.flush_skips };
}

static void check_delta(const char *what, struct counts before,
			struct counts after, struct counts delta)
{
	igt_assert_f(after.brackets - before.brackets == delta.brackets &&
		     after.flushes - before.flushes == delta.flushes &&
		     after.skips - before.skips == delta.skips,
		     "%s: brackets +%llu flushes +%llu flush_skips +%llu, expected +%llu +%llu +%llu\n",
		     what,
		     (unsigned long long)(after.brackets - before.brackets),
		     (unsigned long long)(after.flushes - before.flushes),
		     (unsigned long long)(after.skips - before.skips),
		     (unsigned long long)delta.brackets,
		     (unsigned long long)delta.flushes,
		     (unsigned long long)delta.skips);
}

static void bracket(int dmabuf, uint64_t dir)
{
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | dir);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | dir);
}

static void test_bad_flags(void)
{
	struct bo bo = bo_create(fd, 1);
	int dmabuf = prime_handle_to_fd(fd, bo.handle);
	static const uint64_t bad[] = {
		0,				/* START, no direction */
		DMA_BUF_SYNC_END,		/* END, no direction */
		DMA_BUF_SYNC_READ | (1 << 3),
		DMA_BUF_SYNC_WRITE | (1ull << 31),
		DMA_BUF_SYNC_RW | DMA_BUF_SYNC_END | (1ull << 63),
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		igt_assert_f(__dmabuf_sync(dmabuf, bad[i]) == -EINVAL,
			     "flags 0x%llx accepted\n",
			     (unsigned long long)bad[i]);
	close(dmabuf);
	gem_close(fd, bo.handle);
}

static void test_bracket(const struct bracket *b)
{
	struct bo bo = bo_create(fd, 4);
	int dmabuf = prime_handle_to_fd(fd, bo.handle);
	uint64_t id = gem_id(fd, bo.handle);
	struct counts obj = object_counts(fd, id), dev = device_counts(fd);

	bracket(dmabuf, b->dir);
	check_delta("object", obj, object_counts(fd, id), b->delta);
	check_delta("device", dev, device_counts(fd), b->delta);
	close(dmabuf);
	gem_close(fd, bo.handle);
}

/* Data written inside a bracket is seen through the other mapping. */
static void test_bracket_data(void)
{
	struct bo bo = bo_create(fd, 4);
	int dmabuf = prime_handle_to_fd(fd, bo.handle);
	void *d = dmabuf_mmap(dmabuf, 0, bo.npages, RW);
	void *g = gem_mmap(fd, bo.handle, 0, bo.npages, RW);

	dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	pattern_fill(d, 0, bo.npages, 1);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	pattern_check(g, 0, bo.npages, 1);

	pattern_fill(g, 0, bo.npages, 2);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	pattern_check(d, 0, bo.npages, 2);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);

	munmap_pages(g, bo.npages);
	munmap_pages(d, bo.npages);
	close(dmabuf);
	gem_close(fd, bo.handle);
}

/* Brackets on the importer's re-export count on the exporter's object. */
static void test_imported(void)
{
	static const struct counts none = { 0, 0, 0 };
	struct bo bo = bo_create(fd, 2);
	int dmabuf = prime_handle_to_fd(fd, bo.handle);
	uint32_t handle = prime_fd_to_handle(fd1, dmabuf);
	int re = prime_handle_to_fd(fd1, handle);
	uint64_t id0 = gem_id(fd, bo.handle), id1 = gem_id(fd1, handle);
	struct counts exp = object_counts(fd, id0);
	struct counts imp = object_counts(fd1, id1);

	igt_assert_eq(fd_inode(re), fd_inode(dmabuf));
	bracket(re, DMA_BUF_SYNC_WRITE);
	bracket(re, DMA_BUF_SYNC_READ);
	check_delta("exporter", exp, object_counts(fd, id0),
		    (struct counts){ 2, 1, 1 });
	check_delta("importer", imp, object_counts(fd1, id1), none);

	close(re);
	gem_close(fd1, handle);
	close(dmabuf);
	gem_close(fd, bo.handle);
}

igt_main
{
	igt_fixture
		fd = vrender_open(0);

	igt_subtest("sync-bad-flags")
		test_bad_flags();
	igt_subtest("sync-bracket-data")
		test_bracket_data();

	igt_subtest_group {
		igt_fixture
			debugfs_require(fd);

		for (volatile unsigned int i = 0; i < ARRAY_SIZE(brackets); i++)
			igt_subtest_f("sync-bracket-%s", brackets[i].name)
				test_bracket(&brackets[i]);

		igt_subtest_group {
			igt_fixture {
				fd1 = vrender_open(1);
				debugfs_require(fd1);
			}

			igt_subtest("sync-imported")
				test_imported();

			igt_fixture
				close(fd1);
		}
	}

	igt_fixture
		close(fd);
}
