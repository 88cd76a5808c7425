// SPDX-License-Identifier: MIT
/*
 * Cost of first-touch faults on fresh CPU mappings of a buffer: map it
 * (GEM mmap at the MAP_DUMB offset, or mmap of its dma-buf), touch one word
 * in every page in order, unmap; for reads and for writes. Prints the time
 * per page (median of RUNS mappings) and the page faults per page, which
 * show how many pages one fault maps (fault-around). Not a test.
 *
 *   fault_bench [--driver NAME] [PAGES [RUNS]]   (defaults vgem, 4096, 9)
 *
 * Runs on the first device of the driver ($IGT_DRIVER works too).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "drm_open.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"

enum kind { GEM, DMABUF };

static long minor_faults(void)
{
	struct rusage ru;

	igt_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_minflt;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One fresh mapping touched page by page: ns and faults per page. */
static void one_run(int fd, uint32_t handle, int dmabuf, enum kind kind,
		    unsigned int npages, int write, double *ns, double *faults)
{
	size_t stride = igt_page_size() / sizeof(uint32_t);
	volatile uint32_t *map;
	long f0;
	double t0;

	if (kind == GEM)
		map = gem_mmap(fd, handle, 0, npages, PROT_READ | PROT_WRITE);
	else
		map = dmabuf_mmap(dmabuf, 0, npages, PROT_READ | PROT_WRITE);
	f0 = minor_faults();
	t0 = now_ns();
	for (unsigned int i = 0; i < npages; i++) {
		if (write)
			map[i * stride] = i;
		else
			(void)map[i * stride];
	}
	*ns = (now_ns() - t0) / npages;
	*faults = (double)(minor_faults() - f0) / npages;
	munmap_pages((void *)map, npages);
}

int main(int argc, char **argv)
{
	static const char *const kind_name[] = { "gem", "dmabuf" };
	unsigned int npages = 4096, runs = 9;
	const char *driver;
	struct bo bo;
	int fd, dmabuf;

	argc = igt_driver_option(argc, argv, "vgem", &driver);
	if (argc > 1)
		npages = strtoul(argv[1], NULL, 0);
	if (argc > 2)
		runs = strtoul(argv[2], NULL, 0);
	if (!npages || !runs || runs > 99) {
		fprintf(stderr, "usage: fault_bench [--driver NAME] [PAGES [RUNS]]\n");
		return 2;
	}

	fd = __drm_open_driver_name(driver, 0);
	if (fd < 0) {
		fprintf(stderr, "fault_bench: no %s device\n", driver);
		return 2;
	}
	bo = bo_create(fd, npages);
	dmabuf = prime_handle_to_fd(fd, bo.handle);

	for (int kind = GEM; kind <= DMABUF; kind++) {
		for (int write = 0; write <= 1; write++) {
			double ns[100], faults = 0;

			/* warm up: the pages are allocated at the first mmap */
			one_run(fd, bo.handle, dmabuf, kind, npages, write,
				&ns[0], &faults);
			for (unsigned int r = 0; r < runs; r++)
				one_run(fd, bo.handle, dmabuf, kind, npages,
					write, &ns[r], &faults);
			qsort(ns, runs, sizeof(ns[0]), cmp_double);
			printf("fault_bench: %s %s-%s: %u pages, %.0f ns/page (median of %u), %.3f faults/page\n",
			       driver, kind_name[kind], write ? "write" : "read",
			       npages, ns[runs / 2], runs, faults);
		}
	}
	close(dmabuf);
	gem_close(fd, bo.handle);
	close(fd);
	return 0;
}
