// SPDX-License-Identifier: MIT
/*
 * PRIME figures of vrender against stock vgem in one guest (make bench):
 * first-touch write speed of fresh CPU mappings by size (vrender GEM mmap,
 * dma-buf mmap, an importer's forwarded mmap, vgem GEM mmap, anonymous
 * memory, and memset of memory already mapped: the limit), the small-buffer
 * create+map+touch+close loop, PRIME export+import round trips, SYNC
 * brackets, create+close with 10 and 10,000 live buffers, jobs (submit to
 * signal latency, throughput on one device and across two) and the cost
 * of CPU-access tracking. Each figure is the median of ROUNDS rounds, with
 * min and max; vgem and vrender alternate within a round. Not a test: it
 * prints figures and asserts nothing about them.
 *
 *   prime_bench [--quick] [--json FILE] [--tsv FILE]
 *
 * Needs vrender (2 devices) and stock vgem loaded, and root for debugfs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "debugfs.h"
#include "drm_open.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "submit.h"

#define MAX_ROUNDS	9
#define MIB		(1024.0 * 1024.0)

struct figure {
	const char *name;
	const char *unit;
	double v[MAX_ROUNDS];
	int n;
};

static int rounds = 5;
static FILE *json;
static int json_items;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(struct figure *f)
{
	qsort(f->v, f->n, sizeof(f->v[0]), cmp_double);
	return f->n ? f->v[f->n / 2] : 0;
}

/* Print "name  median (min..max) unit  ratio" and add it to the JSON. */
static void report2(struct figure *f, struct figure *base, const char *vs,
		    struct figure *limit)
{
	double m = median(f), b = base ? median(base) : 0;
	double l = limit ? median(limit) : 0;
	char ratio[32] = "", of_limit[32] = "";

	if (base && b > 0)
		snprintf(ratio, sizeof(ratio), "%.2fx %s", m / b, vs);
	if (limit && l > 0)
		snprintf(of_limit, sizeof(of_limit), "  %.2f of limit", m / l);
	printf("%-44s %12.1f (%10.1f .. %10.1f) %-9s %s%s\n", f->name, m,
	       f->v[0], f->v[f->n - 1], f->unit, ratio, of_limit);
	if (!json)
		return;
	fprintf(json, "%s\n  {\"name\": \"%s\", \"unit\": \"%s\", \"median\": %.3f, \"min\": %.3f, \"max\": %.3f, \"rounds\": %d",
		json_items++ ? "," : "", f->name, f->unit, m, f->v[0],
		f->v[f->n - 1], f->n);
	if (base && b > 0)
		fprintf(json, ", \"vs\": \"%s\", \"ratio\": %.3f", vs, m / b);
	if (limit && l > 0)
		fprintf(json, ", \"of_limit\": %.3f", m / l);
	fprintf(json, "}");
}

static void report(struct figure *f, struct figure *base, const char *vs)
{
	report2(f, base, vs, NULL);
}

/* --- first touch ------------------------------------------------------- */

enum kind {
	VR_GEM, VR_GEM_SMALL, VR_DMABUF, VR_DMABUF_ALIGNED, VR_IMPORT,
	VGEM_GEM, ANON, LIMIT, KINDS
};

static const char *const kind_name[KINDS] = {
	"vrender gem mmap", "vrender gem mmap, small pages",
	"vrender dma-buf mmap", "vrender dma-buf mmap, aligned",
	"vrender imported mmap", "vgem gem mmap", "anonymous memory",
	"memset limit",
};

struct target {
	int fd;
	struct bo bo;
	int dmabuf;
	uint64_t offset;	/* MAP_DUMB offset on fd */
};

static void *map_kind(enum kind k, struct target *t, size_t len)
{
	void *p;

	switch (k) {
	case VR_DMABUF:
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 t->dmabuf, 0);
		break;
	case VR_DMABUF_ALIGNED:
		return dmabuf_mmap_at(t->dmabuf, 0, len / igt_page_size(),
				      PROT_READ | PROT_WRITE, 0);
	case ANON:
	case LIMIT:
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	default:
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd,
			 t->offset);
	}
	igt_assert(p != MAP_FAILED);
	return p;
}

/* A buffer without huge-page backing (primegem_huge off while created). */
static struct bo small_bo_create(int fd, unsigned int npages)
{
	uint64_t was = debugfs_knob_get(fd, "primegem_huge");
	struct bo bo;

	igt_assert_eq(__debugfs_knob_write(fd, "primegem_huge", 0), 0);
	bo = bo_create(fd, npages);
	igt_assert_eq(__debugfs_knob_write(fd, "primegem_huge", was), 0);
	return bo;
}

/* MiB/s of one memset of a fresh mapping (LIMIT: of a mapped one). */
static double first_touch(enum kind k, struct target *t, size_t len)
{
	void *p = map_kind(k, t, len);
	double t0, s;

	if (k == LIMIT)
		memset(p, 1, len);
	t0 = now_s();
	memset(p, 0x5a, len);
	s = now_s() - t0;
	munmap(p, len);
	return len / MIB / s;
}

static void bench_first_touch(int vr0, int vr1, int vg, FILE *tsv)
{
	static const unsigned int pages[] = { 1, 16, 256, 4096, 16384, 65536 };
	struct target t[KINDS] = { 0 };
	struct figure f[KINDS];

	if (tsv) {
		fprintf(tsv, "# bytes");
		for (int k = 0; k < KINDS; k++)
			fprintf(tsv, "\t%s", kind_name[k]);
		fprintf(tsv, " (MiB/s, median)\n");
	}
	for (unsigned int s = 0; s < ARRAY_SIZE(pages); s++) {
		size_t len = (size_t)pages[s] * igt_page_size();
		char names[KINDS][64];
		struct bo vb = bo_create(vr0, pages[s]);
		struct bo sb = small_bo_create(vr0, pages[s]);
		struct bo gb = bo_create(vg, pages[s]);
		int dmabuf = prime_handle_to_fd(vr0, vb.handle);
		uint32_t imp = prime_fd_to_handle(vr1, dmabuf);

		t[VR_GEM] = (struct target){ vr0, vb, dmabuf,
					     dumb_map(vr0, vb.handle) };
		t[VR_GEM_SMALL] = (struct target){ vr0, sb, -1,
						   dumb_map(vr0, sb.handle) };
		t[VR_DMABUF] = t[VR_GEM];
		t[VR_DMABUF_ALIGNED] = t[VR_GEM];
		t[VR_IMPORT] = (struct target){ vr1, vb, dmabuf,
						dumb_map(vr1, imp) };
		t[VGEM_GEM] = (struct target){ vg, gb, -1,
					       dumb_map(vg, gb.handle) };
		memset(f, 0, sizeof(f));
		for (int k = 0; k < KINDS; k++) {
			snprintf(names[k], sizeof(names[k]),
				 "first touch %7zu KiB %s", len / 1024,
				 kind_name[k]);
			f[k].name = names[k];
			f[k].unit = "MiB/s";
			/* The buffers' pages exist from their first mapping. */
			first_touch(k, &t[k], len);
		}
		for (int r = 0; r < rounds; r++)
			for (int k = 0; k < KINDS; k++)
				f[k].v[f[k].n++] = first_touch(k, &t[k], len);
		for (int k = 0; k < KINDS; k++)
			report2(&f[k], k == VGEM_GEM || k == LIMIT ? NULL :
				&f[k < ANON ? VGEM_GEM : LIMIT],
				k < ANON ? "vgem" : "limit",
				k < VGEM_GEM ? &f[LIMIT] : NULL);
		if (tsv) {
			fprintf(tsv, "%zu", len);
			for (int k = 0; k < KINDS; k++)
				fprintf(tsv, "\t%.1f", median(&f[k]));
			fprintf(tsv, "\n");
		}
		gem_close(vr1, imp);
		close(dmabuf);
		gem_close(vr0, vb.handle);
		gem_close(vr0, sb.handle);
		gem_close(vg, gb.handle);
	}
}

/* --- loops of small operations ------------------------------------------ */

typedef void (*op_fn)(int fd, void *arg);

/* Operations per second of @op, @n times, ROUNDS rounds, two devices. */
static void bench_pair(const char *what, op_fn op, int vr, int vg, void *arg,
		       unsigned int n)
{
	struct figure a = { .unit = "op/s" }, b = { .unit = "op/s" };
	char na[96], nb[96];

	snprintf(na, sizeof(na), "%s vrender", what);
	snprintf(nb, sizeof(nb), "%s vgem", what);
	a.name = na;
	b.name = nb;
	for (int r = 0; r < rounds; r++) {
		double t0 = now_s();

		for (unsigned int i = 0; i < n; i++)
			op(vg, arg);
		b.v[b.n++] = n / (now_s() - t0);
		t0 = now_s();
		for (unsigned int i = 0; i < n; i++)
			op(vr, arg);
		a.v[a.n++] = n / (now_s() - t0);
	}
	report(&a, &b, "vgem");
	report(&b, NULL, NULL);
}

static void op_small_cycle(int fd, void *arg)
{
	unsigned int npages = *(unsigned int *)arg;
	struct bo bo = bo_create(fd, npages);
	uint8_t *p = gem_mmap(fd, bo.handle, 0, npages,
			      PROT_READ | PROT_WRITE);

	memset(p, 1, (size_t)npages * igt_page_size());
	munmap_pages(p, npages);
	gem_close(fd, bo.handle);
}

static void op_create_close(int fd, void *arg)
{
	(void)arg;
	gem_close(fd, bo_create(fd, 1).handle);
}

/* Export from one file, import in another file of the same device. */
struct prime_arg {
	int fd[2];	/* vrender, vgem */
	int other[2];
};

static void op_prime(int fd, void *arg)
{
	struct prime_arg *pa = arg;
	int other = pa->other[fd == pa->fd[0] ? 0 : 1];
	struct bo bo = bo_create(fd, 1);
	int dmabuf = prime_handle_to_fd(fd, bo.handle);

	gem_close(other, prime_fd_to_handle(other, dmabuf));
	close(dmabuf);
	gem_close(fd, bo.handle);
}

/* START/END on a dma-buf (the "device" of the pair is the dma-buf). */
static void op_sync(int dmabuf, void *arg)
{
	uint64_t dir = *(uint64_t *)arg;

	dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | dir);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | dir);
}

static void bench_live(int vr, int vg, unsigned int live)
{
	uint32_t *hv = calloc(live, sizeof(*hv)), *hg = calloc(live, sizeof(*hg));
	char what[64];

	igt_assert(hv && hg);
	for (unsigned int i = 0; i < live; i++) {
		hv[i] = bo_create(vr, 1).handle;
		hg[i] = bo_create(vg, 1).handle;
	}
	snprintf(what, sizeof(what), "create+close, %u live buffers", live);
	bench_pair(what, op_create_close, vr, vg, NULL, 2000);
	for (unsigned int i = 0; i < live; i++) {
		gem_close(vr, hv[i]);
		gem_close(vg, hg[i]);
	}
	free(hv);
	free(hg);
}

static void bench_sync(int vr, int vg)
{
	struct bo a = bo_create(vr, 1), b = bo_create(vg, 1);
	int da = prime_handle_to_fd(vr, a.handle);
	int db = prime_handle_to_fd(vg, b.handle);
	uint64_t dir = DMA_BUF_SYNC_READ;

	bench_pair("SYNC START/END pairs, READ", op_sync, da, db, &dir, 5000);
	dir = DMA_BUF_SYNC_WRITE;
	bench_pair("SYNC START/END pairs, WRITE", op_sync, da, db, &dir, 5000);
	close(da);
	close(db);
	gem_close(vr, a.handle);
	gem_close(vg, b.handle);
}

/* --- jobs --------------------------------------------------------------- */

static void bench_jobs(int vr0, int vr1)
{
	struct figure lat = { .name = "job submit->signal latency, one device", .unit = "us" };
	struct figure one = { .name = "jobs/s, one device", .unit = "job/s" };
	struct figure two = { .name = "jobs/s, across two devices (pairs)", .unit = "job/s" };
	struct bo b = bo_create(vr0, 1);
	int dmabuf = prime_handle_to_fd(vr0, b.handle);
	uint32_t imp = prime_fd_to_handle(vr1, dmabuf);
	const unsigned int n = 200;

	for (int r = 0; r < rounds; r++) {
		double t0, l[64];

		for (int i = 0; i < 64; i++) {
			struct job j = job_fill(b.handle, 0, 4, i);

			t0 = now_s();
			fence_wait_ok(job_submit(vr0, &j));
			l[i] = (now_s() - t0) * 1e6;
		}
		qsort(l, 64, sizeof(l[0]), cmp_double);
		lat.v[lat.n++] = l[32];

		t0 = now_s();
		for (unsigned int i = 0; i < n; i++) {
			struct job j = job_fill(b.handle, 0, 4, i);
			int f = job_submit(vr0, &j);

			if (i + 1 < n)
				close(f);
			else
				fence_wait_ok(f);
		}
		one.v[one.n++] = n / (now_s() - t0);

		/* Each job waits for the other device's (implicit sync). */
		t0 = now_s();
		for (unsigned int i = 0; i < n / 2; i++) {
			struct job j0 = job_fill(b.handle, 0, 4, i);
			struct job j1 = job_fill(imp, 4, 4, i);
			int f0 = job_submit(vr0, &j0);
			int f1 = job_submit(vr1, &j1);

			close(f0);
			if (i + 1 < n / 2)
				close(f1);
			else
				fence_wait_ok(f1);
		}
		two.v[two.n++] = n / (now_s() - t0);
	}
	report(&lat, NULL, NULL);
	report(&one, NULL, NULL);
	report(&two, NULL, NULL);
	gem_close(vr1, imp);
	close(dmabuf);
	gem_close(vr0, b.handle);
}

/* --- tracking ------------------------------------------------------------ */

static void track_mode(int fd, const char *mode)
{
	char dir[96], path[160];
	FILE *f;

	igt_assert(debugfs_dri_dir(fd, dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/primegem_track_cpu", dir);
	f = fopen(path, "w");
	igt_assert(f);
	igt_assert(fputs(mode, f) >= 0);
	igt_assert_eq(fclose(f), 0);
}

/* A READ|WRITE bracket around a write of every page of 16 pages. */
static double bracket_rate(int fd, const char *mode)
{
	struct bo bo = bo_create(fd, 16);
	int dmabuf = prime_handle_to_fd(fd, bo.handle);
	uint8_t *p = dmabuf_mmap(dmabuf, 0, 16, PROT_READ | PROT_WRITE);
	const unsigned int n = 200;
	double t0;

	track_mode(fd, mode);
	t0 = now_s();
	for (unsigned int i = 0; i < n; i++) {
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		for (unsigned int pg = 0; pg < 16; pg++)
			p[pg * igt_page_size()] = i;
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	}
	t0 = n / (now_s() - t0);
	track_mode(fd, "off");
	munmap_pages(p, 16);
	close(dmabuf);
	gem_close(fd, bo.handle);
	return t0;
}

static void bench_tracking(int vr)
{
	struct figure off = { .name = "bracket+16 page writes/s, tracking off", .unit = "op/s" };
	struct figure on = { .name = "bracket+16 page writes/s, tracking warn", .unit = "op/s" };

	for (int r = 0; r < rounds; r++) {
		off.v[off.n++] = bracket_rate(vr, "off");
		on.v[on.n++] = bracket_rate(vr, "warn");
	}
	report(&off, NULL, NULL);
	report(&on, &off, "off");
}

int main(int argc, char **argv)
{
	const char *tsv_path = NULL;
	unsigned int small[] = { 1, 16 };
	struct prime_arg pa;
	FILE *tsv = NULL;
	int vr0, vr1, vg;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			rounds = 3;
		} else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			json = fopen(argv[++i], "w");
			igt_assert(json);
		} else if (!strcmp(argv[i], "--tsv") && i + 1 < argc) {
			tsv_path = argv[++i];
		} else {
			fprintf(stderr, "usage: prime_bench [--quick] [--json FILE] [--tsv FILE]\n");
			return 2;
		}
	}
	vr0 = vrender_open(0);
	vr1 = vrender_open(1);
	vg = __drm_open_driver_name("vgem", 0);
	if (vg < 0) {
		fprintf(stderr, "prime_bench: no stock vgem device (modprobe vgem)\n");
		return 2;
	}
	if (tsv_path) {
		tsv = fopen(tsv_path, "w");
		igt_assert(tsv);
	}
	if (json)
		fprintf(json, "{\"rounds\": %d, \"figures\": [", rounds);
	printf("%-44s %12s %26s %-9s %s\n", "figure", "median", "(min .. max)",
	       "unit", "ratio");

	bench_first_touch(vr0, vr1, vg, tsv);
	for (unsigned int i = 0; i < ARRAY_SIZE(small); i++) {
		char what[64];

		snprintf(what, sizeof(what), "create+map+touch+close %u KiB",
			 small[i] * 4);
		bench_pair(what, op_small_cycle, vr0, vg, &small[i], 200);
	}
	pa = (struct prime_arg){ { vr0, vg }, { drm_reopen(vr0), drm_reopen(vg) } };
	bench_pair("PRIME export+import round trips", op_prime, vr0, vg, &pa,
		   500);
	bench_sync(vr0, vg);
	bench_live(vr0, vg, 10);
	bench_live(vr0, vg, 10000);
	bench_jobs(vr0, vr1);
	bench_tracking(vr0);

	if (json) {
		fprintf(json, "\n]}\n");
		fclose(json);
	}
	if (tsv)
		fclose(tsv);
	return 0;
}
