// SPDX-License-Identifier: MIT
/*
 * vprime-fuzz: random numbers, argument corruption, recording of results.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

const char *const fz_op_names[FZ_NOPS] = {
#define FZ_OP_NAME(name, weight) [OP_##name] = #name,
	FZ_OPS(FZ_OP_NAME)
#undef FZ_OP_NAME
};

/* splitmix64 expands the seed, xoshiro256** draws. */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void fz_rng_seed(uint64_t s[4], uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t fz_next(struct fz_worker *w)
{
	uint64_t *s = w->rng;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t fz_rnd(struct fz_worker *w, uint64_t n)
{
	if (!n)
		return 0;
	return fz_next(w) % n;
}

bool fz_chance(struct fz_worker *w, unsigned int pct)
{
	return fz_rnd(w, 100) < pct;
}

bool fz_corrupt_p(struct fz_worker *w, unsigned int scale)
{
	/* corrupt_pct is the share of corrupted calls; spread over ~4 args. */
	return fz_rnd(w, 400) < (uint64_t)fz_cfg.corrupt_pct * scale;
}

uint64_t fz_logrnd(struct fz_worker *w, uint64_t max)
{
	unsigned int bits = 64 - __builtin_clzll(max | 1);
	uint64_t v;

	do {
		unsigned int b = fz_rnd(w, bits) + 1;

		v = (fz_next(w) & ((b == 64) ? ~0ull : ((1ull << b) - 1))) | 1;
	} while (v > max);
	return v;
}

static const uint64_t boundaries[] = {
	0, 1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0x1001,
	0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffff000, 0xffffffff,
	0x100000000ull, 0x100001000ull, 0xffffffffffull,
	(16ull << 40) - 4096, 16ull << 40, (16ull << 40) + 4096,
	0x7fffffffffffffffull, 0x8000000000000000ull, 0xfffffffffffff000ull,
	~0ull - 1, ~0ull,
};

uint64_t fz_corrupt64(struct fz_worker *w, uint64_t v)
{
	switch (fz_rnd(w, 8)) {
	case 0:
		return v ^ (1ull << fz_rnd(w, 64));
	case 1:
		return v ^ (1ull << fz_rnd(w, 64)) ^ (1ull << fz_rnd(w, 64));
	case 2:
	case 3:
		return boundaries[fz_rnd(w, sizeof(boundaries) / sizeof(boundaries[0]))];
	case 4:
		return v + 1 + fz_rnd(w, 8);
	case 5:
		return v - 1 - fz_rnd(w, 8);
	case 6:
		return v + (fz_chance(w, 50) ? FZ_PAGE : -FZ_PAGE);
	default:
		return fz_next(w);
	}
}

uint32_t fz_corrupt32(struct fz_worker *w, uint32_t v)
{
	switch (fz_rnd(w, 7)) {
	case 0:
		return v ^ (1u << fz_rnd(w, 32));
	case 1:
		return 0;
	case 2:
		return ~0u;
	case 3:
		return 0x80000000u;
	case 4:
		return v + 1;
	case 5:
		return v - 1;
	default:
		return (uint32_t)fz_next(w);
	}
}

uint64_t fz_maybe64(struct fz_worker *w, uint64_t v)
{
	return fz_corrupt_p(w, 1) ? fz_corrupt64(w, v) : v;
}

uint32_t fz_maybe32(struct fz_worker *w, uint32_t v)
{
	return fz_corrupt_p(w, 1) ? fz_corrupt32(w, v) : v;
}

uint64_t fz_huge_size(struct fz_worker *w)
{
	static const uint64_t huge[] = {
		(4ull << 30) - 4096, (4ull << 30) - 1, 4ull << 30,
		(4ull << 30) + 1, (4ull << 30) + 4096, 8ull << 30,
		(16ull << 40) - 4096, 16ull << 40, (16ull << 40) + 1,
		1ull << 63, ~0ull, ~0ull - 4095, 0x7ffffffffffff000ull,
	};

	return huge[fz_rnd(w, sizeof(huge) / sizeof(huge[0]))];
}

uint64_t fz_bad_ptr(struct fz_worker *w, bool kernel_writes)
{
	switch (fz_rnd(w, 7)) {
	case 0:
		return 0;
	case 1:
		return 1 + fz_rnd(w, 4095);
	case 2:
		return 0xffff888000000000ull + (fz_rnd(w, 1 << 20) << 12);
	case 3:
		/* Mapped PROT_NONE: never our memory, always -EFAULT. */
		return (uintptr_t)w->hole + fz_rnd(w, FZ_PAGE);
	case 4:
		/* Readable, not writable: fine for reads, EFAULT for writes. */
		if (kernel_writes)
			return (uintptr_t)w->ro_page + fz_rnd(w, 64) * 8;
		return (uintptr_t)w->ro_page + FZ_PAGE - fz_rnd(w, 16);
	case 5:
		/* Runs off the end of scratch into its guard page. */
		return (uintptr_t)w->scratch + FZ_SCRATCH - 1 - fz_rnd(w, 64);
	default:
		/* Non-canonical or kernel: never one of our mappings. */
		return fz_next(w) | (1ull << 63);
	}
}

uint64_t fz_maybe_ptr(struct fz_worker *w, const void *p, bool kernel_writes)
{
	if (fz_corrupt_p(w, 1))
		return fz_bad_ptr(w, kernel_writes);
	return (uintptr_t)p;
}

int fz_bad_fd(struct fz_worker *w)
{
	switch (fz_rnd(w, 6)) {
	case 0:
		return -1;
	case 1:
		return (int)fz_corrupt32(w, 0);
	case 2:
		return w->stale_fds[fz_rnd(w, FZ_STALE)];
	case 3:
		return fz_rnd(w, 3);	/* stdio */
	case 4:
		return 1000 + fz_rnd(w, 100000);
	default:
		return 3 + fz_rnd(w, 200);
	}
}

int64_t fz_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void fz_rec(struct fz_worker *w, enum fz_op op, int err)
{
	int bucket;

	if (err < 0)
		err = -err;
	bucket = err;
	if (err == FZ_E_SIGBUS || err == FZ_E_SIGSEGV)
		bucket = err;
	else if (err >= FZ_E_SIGBUS)
		bucket = FZ_E_OTHER;
	w->hist[op][bucket]++;
	w->ws->calls++;
}

int fz_ioctl(struct fz_worker *w, enum fz_op op, int fd, unsigned long req,
	     void *arg)
{
	int ret = ioctl(fd, req, arg);

	ret = ret < 0 ? -errno : 0;
	fz_rec(w, op, ret);
	return ret;
}

void fz_trace(struct fz_worker *w, const char *fmt, ...)
{
	struct fz_wstate *ws = w->ws;
	char *slot = ws->ring[ws->ring_pos % FZ_RING].text;
	int n;
	va_list ap;

	ws->ring[ws->ring_pos % FZ_RING].ns = fz_now_ns();
	n = snprintf(slot, FZ_RING_LEN, "#%llu ",
		     (unsigned long long)w->op_seq);
	if (n < 0 || n >= FZ_RING_LEN)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(slot + n, FZ_RING_LEN - n, fmt, ap);
	va_end(ap);
	__atomic_store_n(&ws->ring_pos, ws->ring_pos + 1, __ATOMIC_RELEASE);
	if (w->trace_fd >= 0) {
		char line[FZ_RING_LEN + 2];
		int len = snprintf(line, sizeof(line), "%s\n", slot);

		if (len > 0 && write(w->trace_fd, line, len) < 0)
			w->trace_fd = -1;
	}
}

static void vmessage(struct fz_worker *w, const char *kind, const char *fmt,
		     va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "fuzz: worker %d #%llu %s: %s\n", w->idx,
		(unsigned long long)w->op_seq, kind, buf);
}

void fz_oracle(struct fz_worker *w, const char *fmt, ...)
{
	va_list ap;

	struct fz_wstate *ws = w->ws;
	uint32_t i, pos = ws->ring_pos;

	va_start(ap, fmt);
	vmessage(w, "ORACLE", fmt, ap);
	va_end(ap);
	/* The first few: with the operations that led there. */
	if (ws->oracle_failures++ < 3)
		for (i = pos > 24 ? pos - 24 : 0; i < pos; i++)
			fprintf(stderr, "fuzz:   w%d %s\n", w->idx, ws->ring[i % FZ_RING].text);
}

void fz_note(struct fz_worker *w, const char *fmt, ...)
{
	va_list ap;

	if (!fz_cfg.verbose)
		return;
	va_start(ap, fmt);
	vmessage(w, "note", fmt, ap);
	va_end(ap);
}
