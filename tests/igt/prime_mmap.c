// SPDX-License-Identifier: MIT
/*
 * CPU mappings of vrender buffers: mmap of exported dma-bufs at page
 * offsets, GEM (MAP_DUMB) mmap, coherency between the two, fault-around,
 * mapping lifetime and fork.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"

#define BAD_HANDLE	0xdeadbeefu
#define FAULT_WINDOW	16
#define RW		(PROT_READ | PROT_WRITE)

enum map_kind { MAP_GEM, MAP_DMABUF, NUM_KINDS };
static const char *const kind_name[NUM_KINDS] = { "gem", "dmabuf" };

static int fd = -1;

/* A buffer on fd with its read-write dma-buf. */
struct obj {
	struct bo bo;
	int dmabuf;
	uint64_t id;
};

static struct obj obj_create(unsigned int npages)
{
	struct obj o;

	o.bo = bo_create(fd, npages);
	o.dmabuf = prime_handle_to_fd(fd, o.bo.handle);
	o.id = gem_id(fd, o.bo.handle);
	return o;
}

static void obj_destroy(struct obj *o)
{
	close(o->dmabuf);
	gem_close(fd, o->bo.handle);
}

static void *obj_map(const struct obj *o, enum map_kind kind,
		     unsigned int first, unsigned int npages, int prot)
{
	if (kind == MAP_GEM)
		return gem_mmap(fd, o->bo.handle, first, npages, prot);
	return dmabuf_mmap(o->dmabuf, first, npages, prot);
}

/* Fill the whole object with @seed through a temporary mapping. */
static void obj_fill(const struct obj *o, enum map_kind kind, uint32_t seed)
{
	void *ptr = obj_map(o, kind, 0, o->bo.npages, RW);

	pattern_fill(ptr, 0, o->bo.npages, seed);
	munmap_pages(ptr, o->bo.npages);
}

static size_t pages(unsigned int n)
{
	return n * igt_page_size();
}

static void test_dmabuf_basic(void)
{
	struct obj o = obj_create(4);
	void *ptr;

	obj_fill(&o, MAP_GEM, 1);
	ptr = dmabuf_mmap(o.dmabuf, 0, 1, PROT_READ);
	pattern_check(ptr, 0, 1, 1);
	munmap_pages(ptr, 1);
	ptr = dmabuf_mmap(o.dmabuf, 0, o.bo.npages, PROT_READ);
	pattern_check(ptr, 0, o.bo.npages, 1);
	munmap_pages(ptr, o.bo.npages);
	obj_destroy(&o);
}

static void test_offset(enum map_kind kind)
{
	struct obj o = obj_create(8);
	unsigned int n = o.bo.npages;

	obj_fill(&o, kind == MAP_GEM ? MAP_DMABUF : MAP_GEM, 2);
	for (unsigned int k = 0; k < n; k++) {
		void *one = obj_map(&o, kind, k, 1, PROT_READ);
		void *rest = obj_map(&o, kind, k, n - k, PROT_READ);

		pattern_check(one, k, 1, 2);
		pattern_check(rest, k, n - k, 2);
		munmap_pages(one, 1);
		munmap_pages(rest, n - k);
	}
	obj_destroy(&o);
}

static void expect_map_err(int map_fd, off_t base, unsigned int npages,
			   off_t offset, int prot, int flags, int err)
{
	void *ptr;
	int ret = __mmap_err(&ptr, pages(npages), prot, flags, map_fd,
			     base + offset);

	if (!ret)
		munmap(ptr, pages(npages));
	igt_assert_f(ret == err,
		     "mmap(%u pages at +0x%llx, prot %d, flags 0x%x): %s, expected %s\n",
		     npages, (unsigned long long)offset, prot, flags,
		     strerror(-ret), strerror(-err));
}

static void map_fd_base(const struct obj *o, enum map_kind kind,
			int *map_fd, off_t *base)
{
	*map_fd = kind == MAP_GEM ? fd : o->dmabuf;
	*base = kind == MAP_GEM ? (off_t)dumb_map(fd, o->bo.handle) : 0;
}

static void test_past_end(enum map_kind kind)
{
	struct obj o = obj_create(4);
	unsigned int n = o.bo.npages;
	off_t base;
	int mfd;

	map_fd_base(&o, kind, &mfd, &base);
	expect_map_err(mfd, base, n + 1, 0, RW, MAP_SHARED, -EINVAL);
	expect_map_err(mfd, base, 2, pages(n - 1), RW, MAP_SHARED, -EINVAL);
	expect_map_err(mfd, base, n, pages(1), PROT_READ, MAP_SHARED, -EINVAL);
	/* GEM fake offsets past the object may belong to another object */
	if (kind == MAP_DMABUF) {
		expect_map_err(mfd, base, 1, pages(n), PROT_READ, MAP_SHARED,
			       -EINVAL);
		expect_map_err(mfd, base, 1, pages(1024 * 1024), PROT_READ,
			       MAP_SHARED, -EINVAL);
	}
	obj_destroy(&o);
}

static void test_private(enum map_kind kind)
{
	struct obj o = obj_create(2);
	off_t base;
	int mfd;

	map_fd_base(&o, kind, &mfd, &base);
	expect_map_err(mfd, base, 1, 0, RW, MAP_PRIVATE, -EINVAL);
	expect_map_err(mfd, base, 1, 0, PROT_READ, MAP_PRIVATE, -EINVAL);
	expect_map_err(mfd, base, 1, pages(1), PROT_READ, MAP_PRIVATE,
		       -EINVAL);
	obj_destroy(&o);
}

static void test_dmabuf_unaligned(void)
{
	struct obj o = obj_create(2);

	expect_map_err(o.dmabuf, 0, 1, 1, PROT_READ, MAP_SHARED, -EINVAL);
	expect_map_err(o.dmabuf, 0, 1, igt_page_size() / 2, PROT_READ,
		       MAP_SHARED, -EINVAL);
	obj_destroy(&o);
}

/*
 * The first export fixes the dma-buf's file mode (later exports return the
 * same file), so the read-only export must come first.
 */
static void test_dmabuf_readonly(void)
{
	struct bo bo = bo_create(fd, 2);
	int ro = prime_handle_to_fd_flags(fd, bo.handle, DRM_CLOEXEC);
	void *ptr = gem_mmap(fd, bo.handle, 0, bo.npages, RW);

	pattern_fill(ptr, 0, bo.npages, 3);
	munmap_pages(ptr, bo.npages);
	igt_assert_eq(fcntl(ro, F_GETFL) & O_ACCMODE, O_RDONLY);
	expect_map_err(ro, 0, 1, 0, RW, MAP_SHARED, -EACCES);
	expect_map_err(ro, 0, 1, 0, PROT_WRITE, MAP_SHARED, -EACCES);
	/* Private stays refused on a read-only file too (it was accepted). */
	expect_map_err(ro, 0, 1, 0, PROT_READ, MAP_PRIVATE, -EINVAL);
	expect_map_err(ro, 0, 1, 0, RW, MAP_PRIVATE, -EINVAL);
	ptr = dmabuf_mmap(ro, 0, bo.npages, PROT_READ);
	pattern_check(ptr, 0, bo.npages, 3);
	igt_assert_eq(mprotect(ptr, pages(1), RW), -1);
	igt_assert_eq(errno, EACCES);
	munmap_pages(ptr, bo.npages);
	close(ro);
	gem_close(fd, bo.handle);
}

static void test_export_bad_flags(void)
{
	struct bo bo = bo_create(fd, 1);
	static const uint32_t bad[] = {
		O_WRONLY, O_NONBLOCK, DRM_RDWR | 0x1, 1u << 31,
	};
	int dmabuf;

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		igt_assert_eq(__prime_handle_to_fd(fd, bo.handle, bad[i],
						   &dmabuf), -EINVAL);
	gem_close(fd, bo.handle);
}

static void test_export_bad_handle(void)
{
	int dmabuf;

	igt_assert_eq(__prime_handle_to_fd(fd, 0, PRIME_FLAGS_RDWR, &dmabuf),
		      -ENOENT);
	igt_assert_eq(__prime_handle_to_fd(fd, BAD_HANDLE, PRIME_FLAGS_RDWR,
					   &dmabuf), -ENOENT);
}

/* Write with @writer at several windows, read back through the other. */
static void test_coherency(enum map_kind writer)
{
	enum map_kind reader = writer == MAP_GEM ? MAP_DMABUF : MAP_GEM;
	struct obj o = obj_create(8);
	unsigned int n = o.bo.npages;
	static const unsigned int firsts[] = { 0, 3, 7 };

	for (unsigned int i = 0; i < ARRAY_SIZE(firsts); i++) {
		unsigned int first = firsts[i];
		void *w = obj_map(&o, writer, first, n - first, RW);
		void *r = obj_map(&o, reader, 0, n, PROT_READ);

		pattern_fill(w, first, n - first, 10 + i);
		pattern_check((char *)r + pages(first), first, n - first,
			      10 + i);
		munmap_pages(r, n);
		r = obj_map(&o, reader, first, n - first, PROT_READ);
		pattern_check(r, first, n - first, 10 + i);
		munmap_pages(r, n - first);
		munmap_pages(w, n - first);
	}
	obj_destroy(&o);
}

static void fault_counts(uint64_t id, uint64_t *obj, uint64_t *dev)
{
	struct pg_device_stats d;

	debugfs_device_stats(fd, &d);
	*dev = d.faults;
	*obj = debugfs_object(fd, id).faults;
}

static unsigned int expected_faults(unsigned int first, unsigned int n)
{
	return (first + n + FAULT_WINDOW - 1) / FAULT_WINDOW -
	       first / FAULT_WINDOW;
}

/* Touch object pages [first, first + n) of a fresh mapping, check faults. */
static void test_fault_around(enum map_kind kind, unsigned int first,
			      unsigned int n, bool reverse)
{
	struct obj o = obj_create(first + n);
	uint64_t obj0, dev0, obj1, dev1;
	char *ptr;

	debugfs_require(fd);
	obj_fill(&o, kind == MAP_GEM ? MAP_DMABUF : MAP_GEM, 4);
	ptr = obj_map(&o, kind, first, n, PROT_READ);
	fault_counts(o.id, &obj0, &dev0);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int pg = reverse ? n - 1 - i : i;

		pattern_check(ptr + pages(pg), first + pg, 1, 4);
	}
	fault_counts(o.id, &obj1, &dev1);
	munmap_pages(ptr, n);
	obj_destroy(&o);

	igt_assert_eq(obj1 - obj0, expected_faults(first, n));
	igt_assert_eq(dev1 - dev0, obj1 - obj0);
}

static uint64_t object_count(void)
{
	struct pg_device_stats d;

	debugfs_device_stats(fd, &d);
	return d.objects;
}

/* The mapping outlives handle, dma-buf fd and device fd. */
static void test_lifetime(enum map_kind kind)
{
	uint64_t objects = object_count();
	struct pg_object_stats st;
	int fd2 = drm_reopen(fd);
	struct bo bo = bo_create(fd2, 4);
	uint64_t id = gem_id(fd2, bo.handle);
	int dmabuf = prime_handle_to_fd(fd2, bo.handle);
	void *ptr = kind == MAP_GEM ?
		gem_mmap(fd2, bo.handle, 0, bo.npages, RW) :
		dmabuf_mmap(dmabuf, 0, bo.npages, RW);

	pattern_fill(ptr, 0, bo.npages, 5);
	gem_close(fd2, bo.handle);
	close(dmabuf);
	close(fd2);

	pattern_check(ptr, 0, bo.npages, 5);
	pattern_fill(ptr, 0, bo.npages, 6);
	pattern_check(ptr, 0, bo.npages, 6);
	st = debugfs_object(fd, id);
	igt_assert_eq(st.mappings, 1);
	igt_assert_eq(st.handles, 0);
	igt_assert_eq_u64(object_count(), objects + 1);

	munmap_pages(ptr, bo.npages);
	igt_assert(!debugfs_object_stats(fd, id, &st));
	igt_assert_eq_u64(object_count(), objects);
}

static uint64_t mappings(const struct obj *o)
{
	return debugfs_object(fd, o->id).mappings;
}

static void test_mappings_count(void)
{
	struct obj o = obj_create(4);
	void *g, *d;

	igt_assert_eq(mappings(&o), 0);
	g = obj_map(&o, MAP_GEM, 0, o.bo.npages, RW);
	igt_assert_eq(mappings(&o), 1);
	d = obj_map(&o, MAP_DMABUF, 1, 2, PROT_READ);
	igt_assert_eq(mappings(&o), 2);
	munmap_pages(g, o.bo.npages);
	igt_assert_eq(mappings(&o), 1);
	munmap_pages(d, 2);
	igt_assert_eq(mappings(&o), 0);
	obj_destroy(&o);
}

static void pipe_write_byte(int wfd)
{
	igt_assert_eq(write(wfd, "x", 1), 1);
}

static void pipe_read_byte(int rfd)
{
	char c;

	igt_assert_f(fd_poll(rfd, POLLIN, 10000), "pipe stayed empty\n");
	igt_assert_eq(read(rfd, &c, 1), 1);
}

/* A child writes through an inherited shared mapping. */
static void test_fork(void)
{
	struct obj o = obj_create(4);
	int to_parent[2], to_child[2];
	void *ptr;

	igt_assert_eq(pipe(to_parent), 0);
	igt_assert_eq(pipe(to_child), 0);
	ptr = obj_map(&o, MAP_DMABUF, 0, o.bo.npages, RW);
	pattern_fill(ptr, 0, o.bo.npages, 7);
	igt_assert_eq(mappings(&o), 1);

	igt_fork(child, 1) {
		close(to_parent[0]);
		close(to_child[1]);
		pattern_check(ptr, 0, o.bo.npages, 7);
		pattern_fill(ptr, 0, o.bo.npages, 8);
		pipe_write_byte(to_parent[1]);
		pipe_read_byte(to_child[0]);
	}
	close(to_parent[1]);
	close(to_child[0]);

	pipe_read_byte(to_parent[0]);
	pattern_check(ptr, 0, o.bo.npages, 8);
	igt_assert_eq(mappings(&o), 2);
	pipe_write_byte(to_child[1]);
	igt_waitchildren();
	igt_assert_eq(mappings(&o), 1);
	munmap_pages(ptr, o.bo.npages);
	igt_assert_eq(mappings(&o), 0);
	close(to_parent[0]);
	close(to_child[1]);
	obj_destroy(&o);
}

igt_main
{
	igt_fixture
		fd = vrender_open(0);

	igt_subtest("dmabuf-basic")
		test_dmabuf_basic();
	for (volatile int k = 0; k < NUM_KINDS; k++) {
		igt_subtest_f("%s-offset", kind_name[k])
			test_offset(k);
		igt_subtest_f("%s-past-end", kind_name[k])
			test_past_end(k);
		igt_subtest_f("%s-private", kind_name[k])
			test_private(k);
	}
	igt_subtest("dmabuf-unaligned")
		test_dmabuf_unaligned();
	igt_subtest("dmabuf-readonly")
		test_dmabuf_readonly();
	igt_subtest("export-bad-flags")
		test_export_bad_flags();
	igt_subtest("export-bad-handle")
		test_export_bad_handle();
	igt_subtest("coherency-gem-to-dmabuf")
		test_coherency(MAP_GEM);
	igt_subtest("coherency-dmabuf-to-gem")
		test_coherency(MAP_DMABUF);

	igt_subtest_group {
		igt_fixture
			debugfs_require(fd);

		for (volatile int k = 0; k < NUM_KINDS; k++) {
			igt_subtest_f("fault-around-%s", kind_name[k])
				test_fault_around(k, 0, 64, false);
			igt_subtest_f("fault-around-reverse-%s", kind_name[k])
				test_fault_around(k, 0, 64, true);
			igt_subtest_f("fault-around-offset-%s", kind_name[k])
				test_fault_around(k, 3, 20, false);
			igt_subtest_f("lifetime-%s", kind_name[k])
				test_lifetime(k);
		}
		igt_subtest("mappings-count")
			test_mappings_count();
		igt_subtest("fork-shared-mapping")
			test_fork();
	}

	igt_fixture
		close(fd);
}
