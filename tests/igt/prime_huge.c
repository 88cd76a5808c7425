// SPDX-License-Identifier: MIT
/*
 * Huge-page (PMD) CPU mappings of vrender buffers: which mappings map 2 MiB
 * at once (GEM mmaps placed by the DRM file, dma-buf mmaps at an aligned
 * address, importers' forwarded mappings), which never do (tracked and
 * strict buffers, unaligned mappings), and that the data and the access
 * rules stay what the 4 KiB path gives across read-then-write, mprotect,
 * partial munmap, mremap and fork.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/dma-buf.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"

#define RW		(PROT_READ | PROT_WRITE)
#define HUGE_SIZE	(2u << 20)

static int fd = -1, fd1 = -1;
static unsigned int huge_pages;	/* pages per PMD */

struct hbuf {
	uint32_t handle;
	int dmabuf;
	uint64_t id;
	unsigned int npages;
};

static struct hbuf hbuf_create(unsigned int npmd_pages, uint32_t flags)
{
	struct hbuf b;

	b.npages = npmd_pages;
	b.handle = gem_create(fd, (uint64_t)npmd_pages * igt_page_size(), flags);
	b.dmabuf = prime_handle_to_fd(fd, b.handle);
	b.id = gem_id(fd, b.handle);
	return b;
}

static void hbuf_destroy(struct hbuf *b)
{
	close(b->dmabuf);
	gem_close(fd, b->handle);
}

static uint64_t huge_faults(const struct hbuf *b)
{
	return debugfs_object(fd, b->id).huge_faults;
}

static sigjmp_buf segv_jmp;

static void segv_handler(int sig)
{
	siglongjmp(segv_jmp, sig);
}

/* Write one word at @p; the signal it raised, or 0. */
static int try_write(void *p, uint32_t v)
{
	struct sigaction sa = { .sa_handler = segv_handler }, old_segv, old_bus;
	volatile int sig;

	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGSEGV, &sa, &old_segv), 0);
	igt_assert_eq(sigaction(SIGBUS, &sa, &old_bus), 0);
	sig = sigsetjmp(segv_jmp, 1);
	if (!sig)
		*(volatile uint32_t *)p = v;
	igt_assert_eq(sigaction(SIGSEGV, &old_segv, NULL), 0);
	igt_assert_eq(sigaction(SIGBUS, &old_bus, NULL), 0);
	return sig;
}

static void require_huge(const struct hbuf *b)
{
	igt_require_f(debugfs_object(fd, b->id).huge,
		      "no huge-page backing (primegem_huge off, or no THP)\n");
}

/* A GEM mmap lands 2 MiB-aligned and maps each 2 MiB with one fault. */
static void test_gem_mmap(void)
{
	struct hbuf b = hbuf_create(4 * huge_pages, 0);
	struct pg_object_stats before, after;
	void *ptr, *check;

	require_huge(&b);
	ptr = gem_mmap(fd, b.handle, 0, b.npages, RW);
	igt_assert_f(!((uintptr_t)ptr & (HUGE_SIZE - 1)),
		     "GEM mmap at %p, not 2 MiB-aligned\n", ptr);
	before = debugfs_object(fd, b.id);
	pattern_fill(ptr, 0, b.npages, 1);
	after = debugfs_object(fd, b.id);
	igt_assert_eq_u64(after.huge_faults - before.huge_faults, 4);
	igt_assert_eq_u64(after.faults - before.faults, 4);

	/* The same pages through a 4 KiB mapping, and back. */
	check = dmabuf_mmap_at(b.dmabuf, 0, b.npages, RW, igt_page_size());
	pattern_check(check, 0, b.npages, 1);
	pattern_fill(check, 0, b.npages, 2);
	pattern_check(ptr, 0, b.npages, 2);
	igt_assert_eq_u64(huge_faults(&b), after.huge_faults);
	munmap_pages(check, b.npages);
	munmap_pages(ptr, b.npages);
	hbuf_destroy(&b);
}

/* dma-buf mmaps map huge where the address agrees with the offset. */
static void test_dmabuf_mmap(void)
{
	struct hbuf b = hbuf_create(4 * huge_pages, 0);
	uint64_t n;
	void *ptr;

	require_huge(&b);
	ptr = gem_mmap(fd, b.handle, 0, b.npages, RW);
	pattern_fill(ptr, 0, b.npages, 3);
	munmap_pages(ptr, b.npages);

	n = huge_faults(&b);
	ptr = dmabuf_mmap_at(b.dmabuf, huge_pages, 2 * huge_pages, RW, 0);
	pattern_check(ptr, huge_pages, 2 * huge_pages, 3);
	igt_assert_eq_u64(huge_faults(&b) - n, 2);
	munmap_pages(ptr, 2 * huge_pages);

	/* Offset one page: no 2 MiB of the object is 2 MiB of addresses. */
	n = huge_faults(&b);
	ptr = dmabuf_mmap_at(b.dmabuf, 1, 2 * huge_pages, RW, 0);
	pattern_check(ptr, 1, 2 * huge_pages, 3);
	igt_assert_eq_u64(huge_faults(&b), n);
	munmap_pages(ptr, 2 * huge_pages);
	hbuf_destroy(&b);
}

/* A GEM mmap from an odd page is placed to keep the object's alignment. */
static void test_gem_offset(void)
{
	struct hbuf b = hbuf_create(4 * huge_pages, 0);
	uint64_t n;
	void *ptr;

	require_huge(&b);
	n = huge_faults(&b);
	ptr = gem_mmap(fd, b.handle, 1, 2 * huge_pages, RW);
	pattern_fill(ptr, 1, 2 * huge_pages, 4);
	/* Pages 1..1024 hold one whole aligned 2 MiB: 512..1023. */
	igt_assert_eq_u64(huge_faults(&b) - n, 1);
	munmap_pages(ptr, 2 * huge_pages);
	hbuf_destroy(&b);
}

/* 3 MiB: one huge folio, then small pages (huge=within_size). */
static void test_partial_tail(void)
{
	unsigned int npages = huge_pages + huge_pages / 2;
	struct hbuf b = hbuf_create(npages, 0);
	uint64_t n;
	void *ptr;

	require_huge(&b);
	n = huge_faults(&b);
	ptr = gem_mmap(fd, b.handle, 0, npages, RW);
	pattern_fill(ptr, 0, npages, 5);
	pattern_check(ptr, 0, npages, 5);
	igt_assert_eq_u64(huge_faults(&b) - n, 1);
	munmap_pages(ptr, npages);
	hbuf_destroy(&b);
}

/*
 * A read fault maps the 2 MiB writable where the mapping is, so the write
 * after it takes no fault; a read-only mapping stays read-only, and one
 * made writable by mprotect maps huge again on its first write.
 */
static void test_read_then_write(void)
{
	struct hbuf b = hbuf_create(huge_pages, 0);
	struct pg_object_stats before, after;
	volatile uint32_t *w;
	void *ptr;

	require_huge(&b);
	ptr = gem_mmap(fd, b.handle, 0, huge_pages, RW);
	w = ptr;
	before = debugfs_object(fd, b.id);
	igt_assert_eq_u64(w[7], 0);
	pattern_fill(ptr, 0, huge_pages, 6);
	after = debugfs_object(fd, b.id);
	igt_assert_eq_u64(after.faults - before.faults, 1);
	igt_assert_eq_u64(after.huge_faults - before.huge_faults, 1);
	munmap_pages(ptr, huge_pages);

	ptr = gem_mmap(fd, b.handle, 0, huge_pages, PROT_READ);
	pattern_check(ptr, 0, huge_pages, 6);
	igt_assert_eq(try_write((char *)ptr + 4096, 1), SIGSEGV);
	igt_assert_eq(mprotect(ptr, HUGE_SIZE, RW), 0);
	pattern_fill(ptr, 0, huge_pages, 7);
	pattern_check(ptr, 0, huge_pages, 7);
	igt_assert_eq_u64(huge_faults(&b) - after.huge_faults, 2);
	munmap_pages(ptr, huge_pages);
	hbuf_destroy(&b);
}

/* A read-only dma-buf maps huge read-only, and mprotect cannot upgrade. */
static void test_readonly_dmabuf(void)
{
	uint32_t handle = gem_create(fd, HUGE_SIZE, 0);
	/* The first export: later ones return this dma-buf, read-only. */
	int ro = prime_handle_to_fd_flags(fd, handle, DRM_CLOEXEC);
	struct hbuf b = { handle, ro, gem_id(fd, handle), huge_pages };
	uint64_t n;
	void *ptr;

	require_huge(&b);
	ptr = gem_mmap(fd, handle, 0, huge_pages, RW);
	pattern_fill(ptr, 0, huge_pages, 8);
	munmap_pages(ptr, huge_pages);

	n = huge_faults(&b);
	ptr = dmabuf_mmap_at(ro, 0, huge_pages, PROT_READ, 0);
	pattern_check(ptr, 0, huge_pages, 8);
	igt_assert_eq_u64(huge_faults(&b) - n, 1);
	igt_assert_eq(try_write(ptr, 1), SIGSEGV);
	igt_assert_eq(mprotect(ptr, HUGE_SIZE, RW), -1);
	igt_assert_eq(errno, EACCES);
	munmap_pages(ptr, huge_pages);
	hbuf_destroy(&b);
}

/* munmap of one page splits the PMD: the rest keeps its data. */
static void test_munmap_split(void)
{
	struct hbuf b = hbuf_create(2 * huge_pages, 0);
	char *ptr;

	require_huge(&b);
	ptr = gem_mmap(fd, b.handle, 0, 2 * huge_pages, RW);
	pattern_fill(ptr, 0, 2 * huge_pages, 9);
	igt_assert_eq(munmap(ptr + 100 * igt_page_size(), igt_page_size()), 0);
	pattern_check(ptr, 0, 100, 9);
	pattern_check(ptr + 101 * igt_page_size(), 101,
		      2 * huge_pages - 101, 9);
	pattern_fill(ptr, 0, 100, 10);
	munmap_pages(ptr, 100);
	munmap_pages(ptr + 101 * igt_page_size(), 2 * huge_pages - 101);

	ptr = dmabuf_mmap_at(b.dmabuf, 0, 100, PROT_READ, 0);
	pattern_check(ptr, 0, 100, 10);
	munmap_pages(ptr, 100);
	hbuf_destroy(&b);
}

/* mremap to an address that breaks the alignment: 4 KiB from then on. */
static void test_mremap(void)
{
	struct hbuf b = hbuf_create(huge_pages, 0);
	char *ptr, *to, *moved;
	uint64_t n;

	require_huge(&b);
	ptr = gem_mmap(fd, b.handle, 0, huge_pages, RW);
	pattern_fill(ptr, 0, huge_pages, 11);
	to = dmabuf_mmap_at(b.dmabuf, 0, huge_pages, PROT_READ,
			    igt_page_size());
	n = huge_faults(&b);
	moved = mremap(ptr, HUGE_SIZE, HUGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
		       to);
	igt_assert(moved == to);
	pattern_check(moved, 0, huge_pages, 11);
	pattern_fill(moved, 0, huge_pages, 12);
	igt_assert_eq_u64(huge_faults(&b), n);
	munmap_pages(moved, huge_pages);
	hbuf_destroy(&b);
}

/* A child writes through the parent's huge mapping. */
static void test_fork(void)
{
	struct hbuf b = hbuf_create(huge_pages, 0);
	void *ptr;

	require_huge(&b);
	ptr = gem_mmap(fd, b.handle, 0, huge_pages, RW);
	pattern_fill(ptr, 0, huge_pages, 13);
	igt_fork(child, 1) {
		pattern_check(ptr, 0, huge_pages, 13);
		pattern_fill(ptr, 0, huge_pages, 14);
	}
	igt_waitchildren();
	pattern_check(ptr, 0, huge_pages, 14);
	munmap_pages(ptr, huge_pages);
	hbuf_destroy(&b);
}

/* Tracked and strict buffers keep their per-page brackets. */
static void test_stays_small(uint32_t flags)
{
	struct hbuf b = hbuf_create(huge_pages, flags);
	void *ptr;

	require_huge(&b);
	ptr = gem_mmap(fd, b.handle, 0, huge_pages, RW);
	dmabuf_sync(b.dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	pattern_fill(ptr, 0, huge_pages, 15);
	dmabuf_sync(b.dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	igt_assert_eq_u64(huge_faults(&b), 0);
	munmap_pages(ptr, huge_pages);
	hbuf_destroy(&b);
}

/* MADV_NOHUGEPAGE, and PR_SET_THP_DISABLE in a child, keep 4 KiB pages. */
static void test_opt_out(void)
{
	struct hbuf b = hbuf_create(huge_pages, 0);
	void *ptr;

	require_huge(&b);
	ptr = gem_mmap(fd, b.handle, 0, huge_pages, RW);
	igt_assert_eq(madvise(ptr, HUGE_SIZE, MADV_NOHUGEPAGE), 0);
	pattern_fill(ptr, 0, huge_pages, 18);
	igt_assert_eq_u64(huge_faults(&b), 0);
	munmap_pages(ptr, huge_pages);

	igt_fork(child, 1) {
		igt_assert_eq(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0), 0);
		ptr = gem_mmap(fd, b.handle, 0, huge_pages, RW);
		pattern_check(ptr, 0, huge_pages, 18);
		munmap_pages(ptr, huge_pages);
	}
	igt_waitchildren();
	igt_assert_eq_u64(huge_faults(&b), 0);
	hbuf_destroy(&b);
}

/* An importer's GEM mmap is placed aligned and forwarded: huge. */
static void test_import(void)
{
	struct hbuf b = hbuf_create(2 * huge_pages, 0);
	uint32_t import;
	uint64_t n;
	void *ptr;

	require_huge(&b);
	import = prime_fd_to_handle(fd1, b.dmabuf);
	n = huge_faults(&b);
	ptr = gem_mmap(fd1, import, 0, 2 * huge_pages, RW);
	pattern_fill(ptr, 0, 2 * huge_pages, 16);
	igt_assert_eq_u64(huge_faults(&b) - n, 2);
	munmap_pages(ptr, 2 * huge_pages);
	gem_close(fd1, import);
	hbuf_destroy(&b);
}

/* --- a race for one pmd --------------------------------------------- */

/* The device's CPU-access tracking mode (debugfs primegem_track_cpu). */
static int track_mode_file(int flags)
{
	char dir[64], path[128];
	int dfd;

	igt_assert(debugfs_dri_dir(fd, dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/primegem_track_cpu", dir);
	dfd = open(path, flags | O_CLOEXEC);
	igt_assert_f(dfd >= 0, "cannot open %s\n", path);
	return dfd;
}

static void track_mode_get(char *mode, size_t len)
{
	int dfd = track_mode_file(O_RDONLY);
	ssize_t n = read(dfd, mode, len - 1);

	igt_assert(n > 0);
	mode[n] = '\0';
	mode[strcspn(mode, "\n")] = '\0';
	close(dfd);
}

static void track_mode_set(const char *mode)
{
	int dfd = track_mode_file(O_WRONLY);

	igt_assert_eq(write(dfd, mode, strlen(mode)), (ssize_t)strlen(mode));
	close(dfd);
}

#define RACE_THREADS	3
#define RACE_ROUNDS	200

static __thread sigjmp_buf race_jmp;

static void race_segv(int sig)
{
	siglongjmp(race_jmp, sig);
}

struct race {
	char *map;
	unsigned int npages;
	volatile int stop;
	unsigned int seed;
};

/* Write each page's number into its first word, or read it, at random. */
static void *race_toucher(void *arg)
{
	struct race *r = arg;
	unsigned int seed = __atomic_add_fetch(&r->seed, 1, __ATOMIC_RELAXED);

	while (!r->stop) {
		unsigned int pg = rand_r(&seed) % r->npages;
		volatile uint32_t *w = (void *)(r->map + pg * igt_page_size());

		if (sigsetjmp(race_jmp, 1))
			continue;	/* a write while read-only */
		if (rand_r(&seed) & 1)
			*w = pg;
		else
			(void)*w;
	}
	return NULL;
}

/*
 * Threads fault a huge window while its PMD goes read-only and writable
 * (mprotect: writes split it and refault) and the tracking mode flips
 * (faults move between the tracked and the untracked path). A page table
 * under a PMD, or a PMD over one, would WARN, corrupt the buffer's first
 * page (6.1) or fail the fault; afterwards every page holds 0 or its
 * number.
 */
static void test_race(void)
{
	struct hbuf b = hbuf_create(2 * huge_pages, 0);
	struct sigaction sa = { .sa_handler = race_segv }, old;
	pthread_t th[RACE_THREADS];
	struct race r = { .npages = b.npages };
	char was[16];
	int i;

	require_huge(&b);
	track_mode_get(was, sizeof(was));
	r.map = gem_mmap(fd, b.handle, 0, b.npages, RW);
	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGSEGV, &sa, &old), 0);
	for (i = 0; i < RACE_THREADS; i++)
		igt_assert_eq(pthread_create(&th[i], NULL, race_toucher, &r), 0);
	for (i = 0; i < RACE_ROUNDS; i++) {
		igt_assert_eq(mprotect(r.map, HUGE_SIZE, PROT_READ), 0);
		igt_assert_eq(mprotect(r.map, HUGE_SIZE, RW), 0);
		if (i % 16 == 0)
			track_mode_set(i % 32 ? "off" : "warn");
	}
	r.stop = 1;
	for (i = 0; i < RACE_THREADS; i++)
		igt_assert_eq(pthread_join(th[i], NULL), 0);
	igt_assert_eq(sigaction(SIGSEGV, &old, NULL), 0);
	track_mode_set(was);

	for (unsigned int pg = 0; pg < b.npages; pg++) {
		uint32_t v = *(volatile uint32_t *)(r.map + pg * igt_page_size());

		igt_assert_f(v == 0 || v == pg, "page %u holds %#x\n", pg, v);
	}
	munmap_pages(r.map, b.npages);
	hbuf_destroy(&b);
}

/* primegem_huge: off gives small-page objects; only 0 and 1 are taken. */
static void test_switch(void)
{
	struct hbuf b;
	void *ptr;

	debugfs_knob_set(fd, "primegem_huge", 0);
	b = hbuf_create(huge_pages, 0);
	igt_assert_eq_u64(debugfs_object(fd, b.id).huge, 0);
	ptr = gem_mmap(fd, b.handle, 0, huge_pages, RW);
	pattern_fill(ptr, 0, huge_pages, 17);
	igt_assert_eq_u64(huge_faults(&b), 0);
	munmap_pages(ptr, huge_pages);
	hbuf_destroy(&b);

	igt_assert_eq(__debugfs_knob_write(fd, "primegem_huge", 2), -EINVAL);
	igt_assert_eq_u64(debugfs_knob_get(fd, "primegem_huge"), 0);
	debugfs_knob_restore_all();
}

igt_main
{
	igt_fixture {
		fd = vrender_open(0);
		debugfs_require(fd);
		huge_pages = HUGE_SIZE / igt_page_size();
	}

	igt_subtest("gem-mmap")
		test_gem_mmap();
	igt_subtest("dmabuf-mmap")
		test_dmabuf_mmap();
	igt_subtest("gem-offset")
		test_gem_offset();
	igt_subtest("partial-tail")
		test_partial_tail();
	igt_subtest("read-then-write")
		test_read_then_write();
	igt_subtest("readonly-dmabuf")
		test_readonly_dmabuf();
	igt_subtest("munmap-split")
		test_munmap_split();
	igt_subtest("mremap")
		test_mremap();
	igt_subtest("fork")
		test_fork();
	igt_subtest("tracked-stays-small")
		test_stays_small(VRENDER_GEM_CREATE_TRACK_CPU);
	igt_subtest("strict-stays-small")
		test_stays_small(VRENDER_GEM_CREATE_STRICT);
	igt_subtest("opt-out")
		test_opt_out();
	igt_subtest("race")
		test_race();
	igt_subtest("switch")
		test_switch();

	igt_subtest_group {
		igt_fixture {
			igt_require_f(vrender_count() > 1,
				      "one vrender device: no importer\n");
			fd1 = vrender_open(1);
		}
		igt_subtest("import")
			test_import();
		igt_fixture
			close(fd1);
	}

	igt_fixture
		close(fd);
}
