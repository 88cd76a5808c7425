// SPDX-License-Identifier: MIT
/*
 * vprime-fuzz, the parent's reports: kernel splats read from /dev/kmsg,
 * the operations a worker did last, a stuck worker's kernel stack, the
 * engines' counters, and the final calls/s and errno histogram.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "fuzz.h"

static const char *const splat_words[] = {
	"WARNING:", "BUG:", "Oops", "general protection fault", "Call Trace:",
	"possible recursive locking", "possible circular locking", "lockdep",
	"KASAN", "refcount_t:", "UBSAN", "DMA-API", "blocked for more than",
	"detected stall", "list_add corruption", "list_del corruption",
	"ODEBUG:", "unreferenced object",
};

static bool is_splat(const char *line)
{
	size_t i;

	if (strstr(line, "RCU lockdep checking is enabled") ||
	    strstr(line, "DMA-API: preallocated") ||
	    strstr(line, "DMA-API: debugging enabled"))
		return false;
	for (i = 0; i < sizeof(splat_words) / sizeof(splat_words[0]); i++)
		if (strstr(line, splat_words[i]))
			return true;
	return false;
}

/*
 * The last operations of worker @idx: @n of them, or if @at_ns is set those
 * of the last two seconds before it (the time of a splat) and a little
 * after, each with its start relative to @at_ns.
 */
void fz_dump_ring(int idx, int64_t at_ns, unsigned int n)
{
	struct fz_wstate *ws = &fz_shared->ws[idx];
	uint32_t pos = __atomic_load_n(&ws->ring_pos, __ATOMIC_ACQUIRE), i;
	uint32_t first = pos > FZ_RING ? pos - FZ_RING : 0;
	int op = ws->op;

	fprintf(stderr, "fuzz: worker %d (pid %d): %llu ops, %llu calls, now in %s; last operations:\n",
		idx, ws->pid, (unsigned long long)ws->ops,
		(unsigned long long)ws->calls, op >= 0 ? fz_op_names[op] : "-");
	if (!at_ns && pos - first > n)
		first = pos - n;
	for (i = first; i < pos; i++) {
		int64_t t = ws->ring[i % FZ_RING].ns;

		if (at_ns && (t < at_ns - 2000000000ll || t > at_ns + 200000000ll))
			continue;
		if (at_ns)
			fprintf(stderr, "fuzz:   w%d %+.3fs %s\n", idx, (t - at_ns) / 1e9,
				ws->ring[i % FZ_RING].text);
		else
			fprintf(stderr, "fuzz:   w%d %s\n", idx, ws->ring[i % FZ_RING].text);
	}
}

void fz_print_file(const char *what, pid_t pid, const char *name)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		fprintf(stderr, "fuzz: %s of pid %d:\n%s\n", what, pid, buf);
	}
}

/* A whole file to stderr, as far as it goes in 64 KiB. */
static void print_path(const char *path)
{
	static char buf[65536];
	ssize_t n, got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while (got < (ssize_t)sizeof(buf) - 1) {
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	fprintf(stderr, "fuzz: %s:\n%s\n", path, buf);
}

/*
 * What a process stuck in the kernel is doing: its stack three times and
 * its fault counts in between (a fault loop counts up, a sleep does not),
 * its pending signals and mappings, and every dma-buf's fences.
 */
void fz_diag_stuck(pid_t pid)
{
	struct timespec ts = { 0, 200000000 };
	glob_t g;
	int i;

	for (i = 0; i < 3; i++) {
		fz_print_file("kernel stack", pid, "stack");
		fz_print_file("stat", pid, "stat");
		nanosleep(&ts, NULL);
	}
	fz_print_file("status", pid, "status");
	fz_print_file("maps", pid, "maps");
	print_path("/sys/kernel/debug/dma_buf/bufinfo");
	if (!glob("/sys/kernel/debug/dri/*/primegem_objects", 0, NULL, &g)) {
		for (i = 0; i < (int)g.gl_pathc; i++)
			print_path(g.gl_pathv[i]);
		globfree(&g);
	}
}

/* Each vrender device's primegem totals: what the run reached. */
void fz_print_primegem_totals(void)
{
	char path[256], buf[512];
	int i;

	for (i = 0; i < fz_cfg.ndevs; i++) {
		const char *engine = fz_cfg.devs[i].engine;
		const char *slash = strrchr(engine, '/');
		ssize_t n;
		int fd;

		if (!slash)
			continue;
		snprintf(path, sizeof(path), "%.*s/primegem_objects",
			 (int)(slash - engine), engine);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		printf("fuzz: %s primegem: %s\n", fz_cfg.devs[i].name, buf);
	}
}

/* The engines' counters: a queue that does not drain explains a wait. */
void fz_print_engines(void)
{
	char buf[512];
	int i;

	for (i = 0; i < fz_cfg.ndevs; i++) {
		ssize_t n;
		int fd;

		if (!fz_cfg.devs[i].engine[0])
			continue;
		fd = open(fz_cfg.devs[i].engine, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		fprintf(stderr, "fuzz: %s engine: %s", fz_cfg.devs[i].name, buf);
	}
}

/*
 * Read what the kernel logged since the last call. On the first splat,
 * note its time and the pid it names ("PID: 123" in WARNING/BUG lines,
 * "by task x/123" in KASAN) in *at_ns and *pid. True on any splat.
 */
bool fz_scan_kmsg(int kfd, bool *reported, int64_t *at_ns, int *pid)
{
	static int nsplat;
	char buf[8192];
	bool splat = false;
	ssize_t n;

	if (kfd < 0)
		return false;
	for (;;) {
		unsigned long long usec = 0;
		char *msg, *p;

		n = read(kfd, buf, sizeof(buf) - 1);
		if (n < 0) {
			if (errno == EPIPE)
				continue;	/* overrun: records were lost */
			break;
		}
		buf[n] = '\0';
		msg = strchr(buf, ';');
		sscanf(buf, "%*u,%*u,%llu", &usec);
		msg = msg ? msg + 1 : buf;
		if (!is_splat(msg))
			continue;
		if (!splat && !*reported) {
			const char *task = strstr(msg, "by task ");

			*at_ns = (int64_t)usec * 1000;
			p = strstr(msg, "PID: ");
			if (p)
				*pid = atoi(p + 5);
			else if (task && strchr(task, '/'))
				*pid = atoi(strchr(task, '/') + 1);
		}
		splat = true;
		if (!*reported && nsplat++ < 8)
			fprintf(stderr, "fuzz: KERNEL SPLAT: %s", msg);
	}
	return splat;
}

/* Who did it: the worker the splat names, else everyone around the time. */
void fz_dump_splat(int64_t at_ns, int pid)
{
	int i, culprit = -1;

	for (i = 0; i < fz_cfg.procs; i++)
		if (pid && fz_shared->ws[i].pid == pid)
			culprit = i;
	if (culprit >= 0) {
		fprintf(stderr, "fuzz: the splat names worker %d (pid %d); its operations around it:\n",
			culprit, pid);
		fz_dump_ring(culprit, at_ns, 0);
	} else {
		fprintf(stderr, "fuzz: the splat names pid %d (no worker: a kernel thread, a child or an unrelated task); the operations around it:\n",
			pid);
	}
	for (i = 0; i < fz_cfg.procs; i++)
		if (i != culprit)
			fz_dump_ring(i, culprit >= 0 ? 0 : at_ns, 8);
}

void fz_print_report(double secs, int procs)
{
	uint64_t total = 0, ops = 0, per_op[FZ_NOPS] = { 0 }, ns;
	static uint64_t sum[FZ_NOPS][FZ_NERR];
	int i, op, e;

	memset(sum, 0, sizeof(sum));
	for (i = 0; i < procs; i++) {
		ops += fz_shared->ws[i].ops;
		for (op = 0; op < FZ_NOPS; op++)
			for (e = 0; e < FZ_NERR; e++) {
				sum[op][e] += fz_shared->hist[i][op][e];
				per_op[op] += fz_shared->hist[i][op][e];
				total += fz_shared->hist[i][op][e];
			}
	}
	printf("fuzz: errno histogram per call (calls, ms per call, then outcome:count, most frequent first)\n");
	for (op = 0; op < FZ_NOPS; op++) {
		bool used[FZ_NERR] = { 0 };
		char line[1024];
		int len;

		if (!per_op[op])
			continue;
		for (i = 0, ns = 0; i < procs; i++)
			ns += fz_shared->op_ns[i][op];
		len = snprintf(line, sizeof(line), "  %-24s %8llu %7.2f ", fz_op_names[op],
			       (unsigned long long)per_op[op], ns / 1e6 / per_op[op]);
		for (;;) {
			int best = -1;

			for (e = 0; e < FZ_NERR; e++)
				if (sum[op][e] && !used[e] && (best < 0 || sum[op][e] > sum[op][best]))
					best = e;
			if (best < 0 || len >= (int)sizeof(line) - 40)
				break;
			used[best] = true;
			len += snprintf(line + len, sizeof(line) - len, " %s:%llu",
					best == 0 ? "ok" : best == FZ_E_SIGBUS ? "SIGBUS" :
					best == FZ_E_SIGSEGV ? "SIGSEGV" :
					best == FZ_E_OTHER ? "other" :
					strerrorname_np(best) ? strerrorname_np(best) : "E?",
					(unsigned long long)sum[op][best]);
		}
		printf("%s\n", line);
	}
	printf("fuzz: seed %llu, %d procs: %llu calls (%llu operations) in %.1f s: %.0f calls/s\n",
	       (unsigned long long)fz_cfg.seed, procs, (unsigned long long)total,
	       (unsigned long long)ops, secs, secs > 0 ? total / secs : 0.0);
}
