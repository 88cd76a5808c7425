// SPDX-License-Identifier: MIT
/*
 * Cost of CPU access tracking: a bracketed access loop (START, touch one
 * word in every page, END) on an untracked buffer and on one created with
 * VRENDER_GEM_CREATE_TRACK_CPU, in ns per iteration (fastest of 3 runs),
 * with the page faults per iteration and the ratio. Not a test.
 *
 *   track_bench [ITERATIONS [PAGES]]	(defaults 2000 and 64)
 *
 * Runs on vrender device 0, whose tracking mode should be off (else the
 * "untracked" buffer is tracked too).
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"

#define WARMUP	50
#define RUNS	3	/* the fastest run counts */

struct result {
	double ns;
	double faults;
};

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

static void one_iteration(int dmabuf, volatile uint32_t *map,
			  unsigned int npages, uint64_t dir)
{
	size_t stride = igt_page_size() / sizeof(*map);

	dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | dir);
	for (unsigned int i = 0; i < npages; i++) {
		if (dir == DMA_BUF_SYNC_READ)
			(void)map[i * stride];
		else
			map[i * stride] = i;
	}
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | dir);
}

static struct result run(int fd, uint32_t flags, uint64_t dir,
			 unsigned int iters, unsigned int npages)
{
	uint32_t handle = gem_create(fd, npages * igt_page_size(), flags);
	int dmabuf = prime_handle_to_fd(fd, handle);
	void *map = dmabuf_mmap(dmabuf, 0, npages, PROT_READ | PROT_WRITE);
	struct result r;
	double start;
	long faults;

	for (unsigned int i = 0; i < WARMUP; i++)
		one_iteration(dmabuf, map, npages, dir);
	r.ns = 0;
	for (unsigned int run = 0; run < RUNS; run++) {
		double ns;

		faults = minor_faults();
		start = now_ns();
		for (unsigned int i = 0; i < iters; i++)
			one_iteration(dmabuf, map, npages, dir);
		ns = (now_ns() - start) / iters;
		r.faults = (double)(minor_faults() - faults) / iters;
		if (!run || ns < r.ns)
			r.ns = ns;
	}

	munmap_pages(map, npages);
	close(dmabuf);
	gem_close(fd, handle);
	return r;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		uint64_t dir;
	} kinds[] = {
		{ "rw", DMA_BUF_SYNC_RW },
		{ "write", DMA_BUF_SYNC_WRITE },
		{ "read", DMA_BUF_SYNC_READ },
	};
	unsigned int iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000;
	unsigned int npages = argc > 2 ? strtoul(argv[2], NULL, 0) : 64;
	char mode[16] = "?";
	char path[128];
	FILE *f;
	int fd;

	igt_subtest_init(1, argv);
	if (!iters || !npages) {
		fprintf(stderr, "usage: %s [ITERATIONS [PAGES]]\n", argv[0]);
		return IGT_EXIT_INVALID;
	}
	fd = vrender_open(0);
	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/dri/%d/primegem_track_cpu", vrender_card(0));
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%15s", mode) != 1)
			snprintf(mode, sizeof(mode), "?");
		fclose(f);
	}

	printf("track_bench: %u pages, %u iterations, device mode %s\n",
	       npages, iters, mode);
	printf("%-6s %14s %14s %8s %14s %14s\n", "bracket", "off ns/iter",
	       "on ns/iter", "ratio", "off faults/it", "on faults/it");
	for (unsigned int k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct result off = run(fd, 0, kinds[k].dir, iters, npages);
		struct result on = run(fd, VRENDER_GEM_CREATE_TRACK_CPU,
				       kinds[k].dir, iters, npages);

		printf("%-7s %14.0f %14.0f %8.2f %14.2f %14.2f\n",
		       kinds[k].name, off.ns, on.ns, on.ns / off.ns,
		       off.faults, on.faults);
	}
	close(fd);
	return 0;
}
