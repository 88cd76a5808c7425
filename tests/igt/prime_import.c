// SPDX-License-Identifier: MIT
/*
 * PRIME import on vrender: self-import on the exporting device, import on
 * another vrender device, MAP_DUMB and mmap of imported buffers, re-export,
 * and the importer outliving the exporter.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"

#define RW	(PROT_READ | PROT_WRITE)
#define NPAGES	8

static int fd0 = -1;	/* exporter: vrender.0 card node */
static int fd1 = -1;	/* importer: vrender.1 card node */

/* A buffer created and filled on @exporter, imported on fd1. */
struct shared {
	int exporter;
	struct bo bo;
	int dmabuf;
	uint32_t handle;	/* on fd1 */
};

static struct shared share(int exporter, uint32_t seed)
{
	struct shared s = { .exporter = exporter };
	void *ptr;

	s.bo = bo_create(exporter, NPAGES);
	ptr = gem_mmap(exporter, s.bo.handle, 0, s.bo.npages, RW);
	pattern_fill(ptr, 0, s.bo.npages, seed);
	munmap_pages(ptr, s.bo.npages);
	s.dmabuf = prime_handle_to_fd(exporter, s.bo.handle);
	s.handle = prime_fd_to_handle(fd1, s.dmabuf);
	return s;
}

static void unshare(struct shared *s)
{
	gem_close(fd1, s->handle);
	close(s->dmabuf);
	gem_close(s->exporter, s->bo.handle);
}

/* Check @seed on the importer, one page at a time and whole. */
static void check_importer(const struct shared *s, uint32_t seed)
{
	unsigned int n = s->bo.npages;
	void *ptr;

	for (unsigned int k = 0; k < n; k++) {
		ptr = gem_mmap(fd1, s->handle, k, 1, PROT_READ);
		pattern_check(ptr, k, 1, seed);
		munmap_pages(ptr, 1);
	}
	ptr = gem_mmap(fd1, s->handle, 0, n, PROT_READ);
	pattern_check(ptr, 0, n, seed);
	munmap_pages(ptr, n);
}

static void test_import_same_fd(void)
{
	struct bo bo = bo_create(fd0, 1);
	int dmabuf = prime_handle_to_fd(fd0, bo.handle);

	igt_assert_eq(prime_fd_to_handle(fd0, dmabuf), bo.handle);
	igt_assert_eq(prime_fd_to_handle(fd0, dmabuf), bo.handle);
	close(dmabuf);
	gem_close(fd0, bo.handle);
}

static void test_import_same_device(bool render)
{
	int other = render ? vrender_open_render(0) : drm_reopen(fd0);
	struct bo bo = bo_create(fd0, 2);
	int dmabuf = prime_handle_to_fd(fd0, bo.handle);
	uint32_t handle = prime_fd_to_handle(other, dmabuf);
	uint64_t id = gem_id(fd0, bo.handle);

	igt_assert_eq_u64(gem_id(other, handle), id);
	igt_assert_eq_u64(gem_info(other, handle).size, bo.size);
	if (debugfs_available(fd0)) {
		struct pg_object_stats st = debugfs_object(fd0, id);

		igt_assert_eq(st.handles, 2);
		igt_assert_eq(st.imported, 0);
		igt_assert_eq(st.exported, 1);
	}
	gem_close(other, handle);
	close(other);
	close(dmabuf);
	gem_close(fd0, bo.handle);
}

/*
 * A read-only dma-buf imported by another file of the exporting device: a
 * handle to the object itself would map it writable through MAP_DUMB, so
 * the file gets an import whose mappings grant what the dma-buf grants.
 */
static void test_import_same_device_readonly(void)
{
	int other = drm_reopen(fd0);
	struct bo bo = bo_create(fd0, 2);
	size_t len = bo.npages * igt_page_size();
	void *ptr = gem_mmap(fd0, bo.handle, 0, bo.npages, RW);
	int dmabuf = prime_handle_to_fd_flags(fd0, bo.handle, DRM_CLOEXEC);
	uint32_t handle = prime_fd_to_handle(other, dmabuf);
	off_t offset = dumb_map(other, handle);
	void *ro;

	igt_assert_neq_u64(gem_id(other, handle), gem_id(fd0, bo.handle));
	igt_assert_eq(prime_fd_to_handle(other, dmabuf), handle);
	igt_assert_eq(prime_fd_to_handle(fd0, dmabuf), bo.handle);
	igt_assert_eq(__mmap_err(&ro, len, RW, MAP_SHARED, other, offset),
		      -EACCES);
	ro = mmap_checked(len, PROT_READ, MAP_SHARED, other, offset);
	pattern_fill(ptr, 0, bo.npages, 21);
	pattern_check(ro, 0, bo.npages, 21);
	igt_assert_eq(mprotect(ro, len, RW), -1);
	igt_assert_eq(errno, EACCES);
	munmap_pages(ro, bo.npages);
	munmap_pages(ptr, bo.npages);
	gem_close(other, handle);
	close(other);
	close(dmabuf);
	gem_close(fd0, bo.handle);
}

static void test_import_bad_fd(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int closed = dup(null);
	uint32_t handle;

	igt_assert_lte(0, closed);
	close(closed);
	igt_assert_eq(__prime_fd_to_handle(fd0, null, &handle), -EINVAL);
	igt_assert_eq(__prime_fd_to_handle(fd0, fd0, &handle), -EINVAL);
	igt_assert_eq(__prime_fd_to_handle(fd0, closed, &handle), -EBADF);
	igt_assert_eq(__prime_fd_to_handle(fd0, -1, &handle), -EBADF);
	close(null);
}

static uint64_t object_count(int fd)
{
	struct pg_device_stats d;

	debugfs_device_stats(fd, &d);
	return d.objects;
}

/* The importer gets a new object of its own: one more live object. */
static void test_cross_import(void)
{
	struct pg_object_stats st;
	struct bo bo = bo_create(fd0, NPAGES);
	int dmabuf = prime_handle_to_fd(fd0, bo.handle);
	uint64_t id0 = gem_id(fd0, bo.handle), id1, objects;
	uint32_t handle;

	debugfs_require(fd1);
	objects = object_count(fd1);
	handle = prime_fd_to_handle(fd1, dmabuf);
	id1 = gem_id(fd1, handle);
	igt_assert_eq_u64(object_count(fd1), objects + 1);

	igt_assert_eq_u64(gem_info(fd1, handle).size, bo.size);
	/* Only debugfs counts handles, imports and exports. */
	st = debugfs_object(fd1, id1);
	igt_assert_eq(st.imported, 1);
	igt_assert_eq(st.exported, 0);
	igt_assert_eq(st.handles, 1);
	st = debugfs_object(fd0, id0);
	igt_assert_eq(st.exported, 1);
	igt_assert_eq(st.imported, 0);

	gem_close(fd1, handle);
	igt_assert(!debugfs_object_stats(fd1, id1, &st));
	igt_assert_eq_u64(object_count(fd1), objects);
	close(dmabuf);
	gem_close(fd0, bo.handle);
}

static void test_cross_import_twice(void)
{
	struct shared s = share(fd0, 1);
	int again = prime_handle_to_fd(fd0, s.bo.handle);

	igt_assert_eq(fd_inode(again), fd_inode(s.dmabuf));
	igt_assert_eq(prime_fd_to_handle(fd1, s.dmabuf), s.handle);
	igt_assert_eq(prime_fd_to_handle(fd1, again), s.handle);
	igt_assert_eq_u64(gem_info(fd1, s.handle).size, s.bo.size);
	close(again);
	unshare(&s);
}

static void test_cross_map_dumb(void)
{
	struct shared s = share(fd0, 2);
	uint64_t offset;

	igt_assert_eq(__dumb_map(fd1, s.handle, &offset), 0);
	igt_assert_eq_u64(dumb_map(fd1, s.handle), offset);
	check_importer(&s, 2);
	unshare(&s);
}

static void test_cross_coherency(void)
{
	struct shared s = share(fd0, 3);
	unsigned int n = s.bo.npages;
	void *imp = gem_mmap(fd1, s.handle, 2, n - 2, RW);
	void *exp = gem_mmap(fd0, s.bo.handle, 0, n, RW);
	void *buf = dmabuf_mmap(s.dmabuf, 0, n, PROT_READ);

	pattern_fill(imp, 2, n - 2, 4);
	pattern_check((char *)exp + 2 * igt_page_size(), 2, n - 2, 4);
	pattern_check((char *)buf + 2 * igt_page_size(), 2, n - 2, 4);
	pattern_fill(exp, 0, n, 5);
	pattern_check(imp, 2, n - 2, 5);
	munmap_pages(buf, n);
	munmap_pages(exp, n);
	munmap_pages(imp, n - 2);
	unshare(&s);
}

static void expect_import_map_err(const struct shared *s, unsigned int npages,
				  unsigned int first, int flags)
{
	off_t offset = dumb_map(fd1, s->handle) + first * igt_page_size();
	void *ptr;

	igt_assert_f(__mmap_err(&ptr, npages * igt_page_size(), PROT_READ,
				flags, fd1, offset) == -EINVAL,
		     "mapping %u pages at page %u (flags 0x%x) did not fail\n",
		     npages, first, flags);
}

static void test_cross_mmap_bad(void)
{
	struct shared s = share(fd0, 6);
	unsigned int n = s.bo.npages;

	expect_import_map_err(&s, n + 1, 0, MAP_SHARED);
	expect_import_map_err(&s, 2, n - 1, MAP_SHARED);
	expect_import_map_err(&s, n, 1, MAP_SHARED);
	expect_import_map_err(&s, 1, 0, MAP_PRIVATE);
	unshare(&s);
}

/*
 * A dma-buf exported without DRM_RDWR maps read-only on its own fd, and so
 * through an importer: MAP_DUMB + mmap forwards to the exporter, which must
 * grant no more than the dma-buf file (it used to map it writable), now or
 * through mprotect() later.
 */
static void test_cross_readonly(void)
{
	struct bo bo = bo_create(fd0, NPAGES);
	size_t len = bo.npages * igt_page_size();
	void *ptr = gem_mmap(fd0, bo.handle, 0, bo.npages, RW);
	int dmabuf;
	uint32_t handle;
	off_t offset;

	pattern_fill(ptr, 0, bo.npages, 11);
	munmap_pages(ptr, bo.npages);
	dmabuf = prime_handle_to_fd_flags(fd0, bo.handle, DRM_CLOEXEC);
	igt_assert_eq(__mmap_err(&ptr, len, RW, MAP_SHARED, dmabuf, 0), -EACCES);

	handle = prime_fd_to_handle(fd1, dmabuf);
	offset = dumb_map(fd1, handle);
	igt_assert_eq(__mmap_err(&ptr, len, RW, MAP_SHARED, fd1, offset),
		      -EACCES);
	igt_assert_eq(__mmap_err(&ptr, igt_page_size(), PROT_WRITE, MAP_SHARED,
				 fd1, offset + igt_page_size()), -EACCES);
	igt_assert_eq(__mmap_err(&ptr, len, PROT_READ, MAP_PRIVATE, fd1,
				 offset), -EINVAL);
	ptr = mmap_checked(len, PROT_READ, MAP_SHARED, fd1, offset);
	pattern_check(ptr, 0, bo.npages, 11);
	igt_assert_eq(mprotect(ptr, len, RW), -1);
	igt_assert_eq(errno, EACCES);
	munmap_pages(ptr, bo.npages);

	/* The exporter's own handle stays read-write. */
	ptr = gem_mmap(fd0, bo.handle, 0, bo.npages, RW);
	pattern_fill(ptr, 0, bo.npages, 12);
	munmap_pages(ptr, bo.npages);
	gem_close(fd1, handle);
	close(dmabuf);
	gem_close(fd0, bo.handle);
}

static void test_cross_reexport(void)
{
	struct shared s = share(fd0, 7);
	int re = prime_handle_to_fd(fd1, s.handle);

	igt_assert_eq(fd_inode(re), fd_inode(s.dmabuf));
	/* importing it back on the exporter gives the original handle */
	igt_assert_eq(prime_fd_to_handle(fd0, re), s.bo.handle);
	close(re);
	unshare(&s);
}

static void test_cross_exporter_gone(void)
{
	struct shared s = share(drm_reopen(fd0), 8);
	uint64_t id = gem_id(fd1, s.handle);
	int re;
	void *ptr;

	gem_close(s.exporter, s.bo.handle);
	close(s.dmabuf);
	close(s.exporter);

	check_importer(&s, 8);
	ptr = gem_mmap(fd1, s.handle, 0, s.bo.npages, RW);
	pattern_fill(ptr, 0, s.bo.npages, 9);
	munmap_pages(ptr, s.bo.npages);
	check_importer(&s, 9);

	re = prime_handle_to_fd(fd1, s.handle);
	ptr = dmabuf_mmap(re, 0, s.bo.npages, PROT_READ);
	pattern_check(ptr, 0, s.bo.npages, 9);
	munmap_pages(ptr, s.bo.npages);
	close(re);
	igt_assert_eq_u64(gem_id(fd1, s.handle), id);
	gem_close(fd1, s.handle);
}

static void test_cross_reimport(void)
{
	struct shared s = share(fd0, 10);
	uint64_t id = gem_id(fd1, s.handle);

	gem_close(fd1, s.handle);
	s.handle = prime_fd_to_handle(fd1, s.dmabuf);
	igt_assert_neq(gem_id(fd1, s.handle), id);
	check_importer(&s, 10);
	unshare(&s);
}

igt_main
{
	igt_fixture
		fd0 = vrender_open(0);

	igt_subtest("import-same-fd")
		test_import_same_fd();
	igt_subtest("import-same-device-card")
		test_import_same_device(false);
	igt_subtest("import-same-device-render")
		test_import_same_device(true);
	igt_subtest("import-same-device-readonly")
		test_import_same_device_readonly();
	igt_subtest("import-bad-fd")
		test_import_bad_fd();

	igt_subtest_group {
		igt_fixture {
			fd1 = vrender_open(1);
		}

		igt_subtest("cross-import")
			test_cross_import();
		igt_subtest("cross-import-twice")
			test_cross_import_twice();
		igt_subtest("cross-map-dumb")
			test_cross_map_dumb();
		igt_subtest("cross-coherency")
			test_cross_coherency();
		igt_subtest("cross-mmap-bad")
			test_cross_mmap_bad();
		igt_subtest("cross-readonly")
			test_cross_readonly();
		igt_subtest("cross-reexport")
			test_cross_reexport();
		igt_subtest("cross-exporter-gone")
			test_cross_exporter_gone();
		igt_subtest("cross-reimport")
			test_cross_reimport();

		igt_fixture
			close(fd1);
	}

	igt_fixture
		close(fd0);
}
