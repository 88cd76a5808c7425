// SPDX-License-Identifier: MIT
/*
 * vprime-fuzz: a bounded, seeded fuzzer of vrender, vdisplay and the
 * dma-bufs between them. Run it as root in a guest with the modules loaded
 * (scripts/fuzz does that); see --help and README ("make fuzz").
 *
 * The parent discovers the devices (card and render nodes of every vrender
 * device, vdisplay), vdisplay's KMS objects and properties and the debugfs
 * files of our DRM minors, then forks the workers. Worker i draws from its
 * own xoshiro256** stream seeded from --seed and i, so with --procs 1 a
 * seed replays the same operations (up to what timing changes in the
 * kernel's answers). Workers stop after their share of --calls syscalls or
 * after --time seconds.
 *
 * Meanwhile the parent watches /dev/kmsg for kernel splats (and then prints
 * every worker's last operations), a worker stuck in one operation for
 * --op-timeout seconds (a hang: its kernel stack is printed) and workers
 * that die. At the end it prints calls/s and an errno histogram per call.
 *
 * Exit status: 0 if no worker crashed or hung, no oracle saw the kernel
 * break its documented contract and no splat appeared in the kernel log;
 * else 1 (2: bad usage or no devices).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "fuzz.h"

struct fz_config fz_cfg;

const char *const fz_avoid_names[] = {
	"huge", "ro-import", "getfb-export", "fence-no-fb", "low-refresh", NULL,
};
struct fz_shared *fz_shared;

static const int op_default_weight[FZ_NOPS] = {
#define FZ_OP_WEIGHT(name, weight) [OP_##name] = weight,
	FZ_OPS(FZ_OP_WEIGHT)
#undef FZ_OP_WEIGHT
};

const fz_op_fn fz_op_fns[FZ_NOPS] = {
#define FZ_OP_FN(name, weight) [OP_##name] = fz_op_##name,
	FZ_OPS(FZ_OP_FN)
#undef FZ_OP_FN
};

static void usage(FILE *out)
{
	fprintf(out,
"usage: vprime-fuzz [options]\n"
"  --seed N          master seed (default 1); worker i derives its own\n"
"  --calls N         total syscall budget over all workers (default 100000)\n"
"  --time S          time budget in seconds (default 600)\n"
"  --procs N         worker processes (default 4, at most %d)\n"
"  --corrupt PCT     share of calls with a corrupted argument (default 15)\n"
"  --avoid-known     skip the argument patterns of the kernel bugs below\n"
"                    (never in CI); --avoid LIST skips some of them:\n"
"                    huge: GEM_CREATE/dumb sizes the kernel must refuse\n"
"                    ro-import: writable importer mapping of a read-only\n"
"                      dma-buf; getfb-export: re-export of a GETFB2 handle;\n"
"                    fence-no-fb: IN_FENCE_FD on a plane without FB;\n"
"                    low-refresh: modes below 25 Hz (vblank wait WARN)\n"
"  --ops LIST        comma-separated ops to run (NAME or -NAME to drop;\n"
"                    a list of only -NAMEs starts from all); --list-ops\n"
"  --weight NAME=W   change an op's weight\n"
"  --op-timeout S    one operation running longer is a hang (default 60)\n"
"  --no-stop-on-splat  keep going after a kernel splat\n"
"  --trace DIR       write every operation to DIR/trace.<worker>\n"
"  --verbose         notes as they happen\n",
		FZ_MAX_WORKERS);
}

/* ---- discovery --------------------------------------------------------------- */

static bool platform_of(const char *node, char *name, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/drm/%s/device", node);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if ((strncmp(base, "vrender.", 8) && strcmp(base, "vdisplay.0")) ||
	    strlen(base) >= len)
		return false;
	memcpy(name, base, strlen(base) + 1);
	return true;
}

static int dev_cmp(const void *a, const void *b)
{
	const struct fz_dev *x = a, *y = b;

	if (x->kms != y->kms)
		return x->kms - y->kms;
	return strlen(x->name) != strlen(y->name) ?
	       (int)strlen(x->name) - (int)strlen(y->name) : strcmp(x->name, y->name);
}

static void discover_devices(void)
{
	DIR *d = opendir("/sys/class/drm");
	struct dirent *de;
	int i;

	if (!d)
		return;
	/* Cards first, then their render nodes. */
	while ((de = readdir(d))) {
		char name[32];
		char *end;
		struct fz_dev *dev;

		if (strlen(de->d_name) > 32 || strncmp(de->d_name, "card", 4) || !de->d_name[4])
			continue;
		strtol(de->d_name + 4, &end, 10);
		if (*end || !platform_of(de->d_name, name, sizeof(name)))
			continue;
		if (fz_cfg.ndevs == FZ_MAX_DEVS)
			break;
		dev = &fz_cfg.devs[fz_cfg.ndevs++];
		memset(dev, 0, sizeof(*dev));
		snprintf(dev->name, sizeof(dev->name), "%s", name);
		snprintf(dev->card, sizeof(dev->card), "/dev/dri/%s", de->d_name);
		dev->kms = !strcmp(name, "vdisplay.0");
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		char name[32];

		if (strlen(de->d_name) > 32 || strncmp(de->d_name, "renderD", 7) || !platform_of(de->d_name, name, sizeof(name)))
			continue;
		for (i = 0; i < fz_cfg.ndevs; i++)
			if (!strcmp(fz_cfg.devs[i].name, name))
				snprintf(fz_cfg.devs[i].render, sizeof(fz_cfg.devs[i].render),
					 "/dev/dri/%s", de->d_name);
	}
	closedir(d);
	qsort(fz_cfg.devs, fz_cfg.ndevs, sizeof(fz_cfg.devs[0]), dev_cmp);
}

static void discover_props(int fd, uint32_t obj, uint32_t type)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t i;

	if (!props)
		return;
	for (i = 0; i < props->count_props && fz_cfg.kms.nprops < FZ_MAX_PROPS; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);
		struct fz_prop *fp;
		int k;

		if (!p)
			continue;
		fp = &fz_cfg.kms.props[fz_cfg.kms.nprops++];
		memset(fp, 0, sizeof(*fp));
		fp->obj = obj;
		fp->obj_type = type;
		fp->id = p->prop_id;
		fp->flags = p->flags;
		snprintf(fp->name, sizeof(fp->name), "%s", p->name);
		if (p->flags & (DRM_MODE_PROP_RANGE | DRM_MODE_PROP_SIGNED_RANGE)) {
			if (p->count_values >= 2) {
				fp->min = p->values[0];
				fp->max = p->values[1];
			}
		} else if (p->flags & (DRM_MODE_PROP_ENUM | DRM_MODE_PROP_BITMASK)) {
			for (k = 0; k < p->count_enums && k < 8; k++)
				fp->values[fp->nvalues++] = p->enums[k].value;
		}
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
}

static void discover_kms(void)
{
	struct fz_kms *k = &fz_cfg.kms;
	drmModeResPtr res;
	drmModePlaneResPtr planes;
	drmModeConnectorPtr conn;
	uint32_t i;
	int fd = -1, d;

	for (d = 0; d < fz_cfg.ndevs; d++)
		if (fz_cfg.devs[d].kms)
			break;
	if (d == fz_cfg.ndevs)
		return;
	k->dev = d;
	fd = open(fz_cfg.devs[d].card, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1);
	res = drmModeGetResources(fd);
	if (!res || !res->count_crtcs || !res->count_connectors)
		goto out;
	k->crtc = res->crtcs[0];
	k->conn = res->connectors[0];
	k->enc = res->count_encoders ? res->encoders[0] : 0;
	conn = drmModeGetConnector(fd, k->conn);
	if (conn) {
		for (i = 0; i < (uint32_t)conn->count_modes && k->nmodes < FZ_MAX_MODES; i++)
			memcpy(&k->modes[k->nmodes++], &conn->modes[i], sizeof(k->modes[0]));
		drmModeFreeConnector(conn);
	}
	planes = drmModeGetPlaneResources(fd);
	for (i = 0; planes && i < planes->count_planes; i++) {
		drmModeObjectPropertiesPtr props =
			drmModeObjectGetProperties(fd, planes->planes[i], DRM_MODE_OBJECT_PLANE);
		uint32_t j;

		for (j = 0; props && j < props->count_props; j++) {
			drmModePropertyPtr p = drmModeGetProperty(fd, props->props[j]);

			if (p && !strcmp(p->name, "type")) {
				if (props->prop_values[j] == DRM_PLANE_TYPE_PRIMARY)
					k->primary = planes->planes[i];
				else if (props->prop_values[j] == DRM_PLANE_TYPE_CURSOR)
					k->cursor = planes->planes[i];
			}
			drmModeFreeProperty(p);
		}
		drmModeFreeObjectProperties(props);
	}
	drmModeFreePlaneResources(planes);
	discover_props(fd, k->crtc, DRM_MODE_OBJECT_CRTC);
	discover_props(fd, k->conn, DRM_MODE_OBJECT_CONNECTOR);
	if (k->primary)
		discover_props(fd, k->primary, DRM_MODE_OBJECT_PLANE);
	if (k->cursor)
		discover_props(fd, k->cursor, DRM_MODE_OBJECT_PLANE);
	k->present = k->primary && k->nmodes;
out:
	drmModeFreeResources(res);
	close(fd);
}

static void add_debugfs_dir(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) && fz_cfg.ndebugfs < FZ_MAX_DEBUGFS) {
		char path[sizeof(fz_cfg.debugfs[0].path)];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode) && depth < 3) {
			add_debugfs_dir(path, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			struct fz_debugfs *e = &fz_cfg.debugfs[fz_cfg.ndebugfs++];

			snprintf(e->path, sizeof(e->path), "%s", path);
			e->writable = st.st_mode & S_IWUSR;
		}
	}
	closedir(d);
}

/* /sys/kernel/debug/dri/<minor> of our nodes, and nothing else. */
static void discover_debugfs(void)
{
	char seen[2 * FZ_MAX_DEVS][PATH_MAX];
	int nseen = 0, i, k, node;

	if (access("/sys/kernel/debug/dri", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	for (i = 0; i < fz_cfg.ndevs; i++) {
		for (node = 0; node < 2; node++) {
			const char *dev = node ? fz_cfg.devs[i].render : fz_cfg.devs[i].card;
			char dir[64], real[PATH_MAX];
			struct stat st;

			if (!*dev || stat(dev, &st))
				continue;
			snprintf(dir, sizeof(dir), "/sys/kernel/debug/dri/%u", minor(st.st_rdev));
			/* 6.12: the minor is a link to dri/<device name>. */
			if (!realpath(dir, real))
				continue;
			for (k = 0; k < nseen; k++)
				if (!strcmp(seen[k], real))
					break;
			if (k < nseen)
				continue;
			snprintf(seen[nseen++], PATH_MAX, "%s", real);
			add_debugfs_dir(real, 0);
			if (!fz_cfg.devs[i].kms && strlen(real) < sizeof(fz_cfg.devs[i].engine) - 16)
				snprintf(fz_cfg.devs[i].engine, sizeof(fz_cfg.devs[i].engine),
					 "%s/vrender_engine", real);
		}
	}
}

/* ---- the worker -------------------------------------------------------------------- */

static struct fz_worker *fz_self;

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (fz_self && fz_self->in_touch)
		siglongjmp(fz_self->touch_jmp, sig);
	/* Not ours to survive: die of it, the parent reports the crash. */
	signal(sig, SIG_DFL);
}

static void alarm_handler(int sig)
{
	(void)sig;	/* only interrupts a blocking syscall */
}

static void *map_or_die(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("fuzz: mmap");
		_exit(3);
	}
	return p;
}

static int op_table[FZ_NOPS];
static int op_total;

static enum fz_op pick_op(struct fz_worker *w)
{
	int r = fz_rnd(w, op_total), i;

	for (i = 0; i < FZ_NOPS; i++) {
		if (r < op_table[i])
			return i;
		r -= op_table[i];
	}
	return 0;
}

static int worker_main(int idx, uint64_t budget, int sock_send, int sock_recv)
{
	static struct fz_worker worker;
	struct fz_worker *w = &worker;
	struct sigaction sa = { 0 };
	struct itimerval it = { { 0, 250000 }, { 0, 250000 } };
	int i, fd;

	memset(w, 0, sizeof(*w));
	w->idx = idx;
	w->budget = budget;
	w->ws = &fz_shared->ws[idx];
	w->hist = fz_shared->hist[idx];
	w->sock_send = sock_send;
	w->sock_recv = sock_recv;
	w->trace_fd = -1;
	w->deadline_ns = fz_now_ns() + (int64_t)(fz_cfg.seconds * 1e9);
	fz_rng_seed(w->rng, fz_cfg.seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)(idx + 1)));
	for (i = 0; i < FZ_STALE; i++) {
		w->stale_fds[i] = -1;
		w->stale_handles[i] = 1 + i;
		w->stale_ids[i] = 1 + i;
	}
	w->ws->pid = getpid();
	w->ws->op = -1;
	fz_self = w;

	/* Nothing of the parent's but our two socket ends. */
	for (fd = 3; fd < 1024; fd++)
		if (fd != sock_send && fd != sock_recv)
			close(fd);
	if (fz_cfg.trace_dir) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/trace.%d", fz_cfg.trace_dir, idx);
		w->trace_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	}

	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = alarm_handler;	/* no SA_RESTART: waits return EINTR */
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setitimer(ITIMER_REAL, &it, NULL);

	w->scratch = map_or_die(FZ_SCRATCH + FZ_PAGE, PROT_READ | PROT_WRITE);
	mprotect(w->scratch + FZ_SCRATCH, FZ_PAGE, PROT_NONE);
	w->ro_page = map_or_die(FZ_PAGE, PROT_READ);
	w->hole = map_or_die(FZ_PAGE, PROT_NONE);

	for (i = 0; i < fz_cfg.ndevs; i++) {
		fz_open_node(w, i, false);
		if (fz_cfg.devs[i].render[0])
			fz_open_node(w, i, true);
	}

	while (w->ws->calls < w->budget && !fz_shared->stop) {
		enum fz_op op;

		if ((w->op_seq & 63) == 0 && fz_now_ns() >= w->deadline_ns)
			break;
		if ((w->op_seq & 2047) == 2047)
			fz_sweep_fds(w);
		if ((w->op_seq & 31) == 0)
			fz_read_engines(w);
		op = pick_op(w);
		w->ws->op_start_ns = fz_now_ns();
		__atomic_store_n(&w->ws->op, op, __ATOMIC_RELEASE);
		fz_op_fns[op](w);
		__atomic_store_n(&w->ws->op, -1, __ATOMIC_RELEASE);
		fz_shared->op_ns[idx][op] += fz_now_ns() - w->ws->op_start_ns;
		w->op_seq++;
		w->ws->ops++;
	}
	w->ws->done = 1;
	return 0;
}

/* ---- the parent ---------------------------------------------------------------------- */

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
static void dump_ring(int idx, int64_t at_ns, unsigned int n)
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

static void print_file(const char *what, pid_t pid, const char *name)
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

/* The engines' counters: a queue that does not drain explains a wait. */
static void print_engines(void)
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
static bool scan_kmsg(int kfd, bool *reported, int64_t *at_ns, int *pid)
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
static void dump_splat(int64_t at_ns, int pid)
{
	int i, culprit = -1;

	for (i = 0; i < fz_cfg.procs; i++)
		if (pid && fz_shared->ws[i].pid == pid)
			culprit = i;
	if (culprit >= 0) {
		fprintf(stderr, "fuzz: the splat names worker %d (pid %d); its operations around it:\n",
			culprit, pid);
		dump_ring(culprit, at_ns, 0);
	} else {
		fprintf(stderr, "fuzz: the splat names pid %d (no worker: a kernel thread, a child or an unrelated task); the operations around it:\n",
			pid);
	}
	for (i = 0; i < fz_cfg.procs; i++)
		if (i != culprit)
			dump_ring(i, culprit >= 0 ? 0 : at_ns, 8);
}

static void print_report(double secs, int procs)
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

static bool parse_ops(const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;
	bool any_positive = false;
	int i;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (*tok != '-')
			any_positive = true;
	for (i = 0; i < FZ_NOPS; i++)
		fz_cfg.op_enabled[i] = !any_positive;
	free(copy);
	copy = strdup(list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool on = *tok != '-';
		const char *name = on ? tok : tok + 1;
		bool found = false;

		for (i = 0; i < FZ_NOPS; i++) {
			/* A prefix ending in '_' or '*' names a family: syncobj_ */
			size_t n = strlen(name);
			bool fam = n && (name[n - 1] == '*' || name[n - 1] == '_');

			if (fam ? !strncmp(fz_op_names[i], name, n - (name[n - 1] == '*')) :
			    !strcmp(fz_op_names[i], name)) {
				fz_cfg.op_enabled[i] = on;
				found = true;
			}
		}
		if (!found) {
			fprintf(stderr, "fuzz: no op %s (--list-ops)\n", name);
			free(copy);
			return false;
		}
	}
	free(copy);
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "calls", required_argument, NULL, 'n' },
		{ "time", required_argument, NULL, 't' },
		{ "procs", required_argument, NULL, 'p' },
		{ "corrupt", required_argument, NULL, 'c' },
		{ "avoid-known", no_argument, NULL, 'k' },
		{ "avoid", required_argument, NULL, 'a' },
		{ "ops", required_argument, NULL, 'o' },
		{ "weight", required_argument, NULL, 'W' },
		{ "list-ops", no_argument, NULL, 'L' },
		{ "op-timeout", required_argument, NULL, 'T' },
		{ "no-stop-on-splat", no_argument, NULL, 'S' },
		{ "trace", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int socks[FZ_MAX_WORKERS][2], i, c, status, kfd;
	pid_t pids[FZ_MAX_WORKERS];
	bool alive[FZ_MAX_WORKERS], splat = false, splat_reported = false;
	int64_t max_late = 0, recent_late[16] = { 0 };
	unsigned int late_pos = 0;
	int64_t splat_ns = 0;
	int splat_pid = 0;
	int crashes = 0, hangs = 0, stuck = 0, nalive;
	uint32_t oracles = 0, huge = 0, child_hangs = 0;
	struct rlimit rl = { 8192, 8192 };
	int64_t start, give_up;
	double secs;

	fz_cfg.seed = 1;
	fz_cfg.calls = 100000;
	fz_cfg.seconds = 600;
	fz_cfg.procs = 4;
	fz_cfg.corrupt_pct = 15;
	fz_cfg.stop_on_splat = true;
	fz_cfg.op_timeout = 60;
	for (i = 0; i < FZ_NOPS; i++) {
		fz_cfg.op_enabled[i] = true;
		fz_cfg.op_weight[i] = op_default_weight[i];
	}
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			fz_cfg.seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			fz_cfg.calls = strtoull(optarg, NULL, 0);
			break;
		case 't':
			fz_cfg.seconds = atof(optarg);
			break;
		case 'p':
			fz_cfg.procs = atoi(optarg);
			break;
		case 'c':
			fz_cfg.corrupt_pct = atoi(optarg);
			break;
		case 'k':
			fz_cfg.avoid = AVOID_ALL;
			break;
		case 'a': {
			char *copy = strdup(optarg), *tok, *save = NULL;

			for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				for (i = 0; fz_avoid_names[i]; i++)
					if (!strcmp(tok, fz_avoid_names[i]))
						break;
				if (!fz_avoid_names[i]) {
					fprintf(stderr, "fuzz: --avoid: no pattern %s\n", tok);
					return 2;
				}
				fz_cfg.avoid |= 1u << i;
			}
			free(copy);
			break;
		}
		case 'o':
			if (!parse_ops(optarg))
				return 2;
			break;
		case 'W': {
			char *eq = strchr(optarg, '=');

			for (i = 0; eq && i < FZ_NOPS; i++)
				if (!strncmp(fz_op_names[i], optarg, eq - optarg) &&
				    !fz_op_names[i][eq - optarg])
					break;
			if (!eq || i == FZ_NOPS) {
				fprintf(stderr, "fuzz: bad --weight %s\n", optarg);
				return 2;
			}
			fz_cfg.op_weight[i] = atoi(eq + 1);
			break;
		}
		case 'L':
			for (i = 0; i < FZ_NOPS; i++)
				printf("%-26s %d\n", fz_op_names[i], op_default_weight[i]);
			return 0;
		case 'T':
			fz_cfg.op_timeout = atof(optarg);
			break;
		case 'S':
			fz_cfg.stop_on_splat = false;
			break;
		case 'r':
			fz_cfg.trace_dir = optarg;
			break;
		case 'v':
			fz_cfg.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || fz_cfg.procs < 1 || fz_cfg.procs > FZ_MAX_WORKERS ||
	    fz_cfg.corrupt_pct < 0 || fz_cfg.corrupt_pct > 100 || fz_cfg.seconds <= 0) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < FZ_NOPS; i++) {
		op_table[i] = fz_cfg.op_enabled[i] ? fz_cfg.op_weight[i] : 0;
		op_total += op_table[i];
	}
	if (!op_total) {
		fprintf(stderr, "fuzz: no operation enabled\n");
		return 2;
	}

	discover_devices();
	if (!fz_cfg.ndevs) {
		fprintf(stderr, "fuzz: no vrender or vdisplay device (modules not loaded?)\n");
		return 2;
	}
	discover_kms();
	discover_debugfs();
	printf("fuzz: seed %llu, %d procs, %llu calls, %.0f s, corrupt %d%%%s",
	       (unsigned long long)fz_cfg.seed, fz_cfg.procs,
	       (unsigned long long)fz_cfg.calls, fz_cfg.seconds, fz_cfg.corrupt_pct,
	       fz_cfg.avoid ? ", avoiding:" : "");
	for (i = 0; fz_avoid_names[i]; i++)
		if (fz_cfg.avoid & (1u << i))
			printf(" %s", fz_avoid_names[i]);
	printf("\n");
	for (i = 0; i < fz_cfg.ndevs; i++)
		printf("fuzz: device %s: %s%s%s\n", fz_cfg.devs[i].name, fz_cfg.devs[i].card,
		       fz_cfg.devs[i].render[0] ? " " : "", fz_cfg.devs[i].render);
	printf("fuzz: kms %s (%d properties, %d modes), %d debugfs files\n",
	       fz_cfg.kms.present ? "yes" : "no", fz_cfg.kms.nprops, fz_cfg.kms.nmodes,
	       fz_cfg.ndebugfs);
	fflush(stdout);

	setrlimit(RLIMIT_NOFILE, &rl);
	fz_shared = mmap(NULL, sizeof(*fz_shared), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fz_shared == MAP_FAILED) {
		perror("fuzz: mmap");
		return 2;
	}
	/* A ring: worker i sends to i + 1 over socks[i]. */
	for (i = 0; i < fz_cfg.procs; i++)
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks[i]))
			socks[i][0] = socks[i][1] = -1;

	start = fz_now_ns();
	for (i = 0; i < fz_cfg.procs; i++) {
		uint64_t budget = fz_cfg.calls / fz_cfg.procs +
				  (i < (int)(fz_cfg.calls % fz_cfg.procs));

		pids[i] = fork();
		if (pids[i] < 0) {
			perror("fuzz: fork");
			return 2;
		}
		if (!pids[i]) {
			int prev = (i + fz_cfg.procs - 1) % fz_cfg.procs;

			_exit(worker_main(i, budget, socks[i][0],
					  fz_cfg.procs > 1 ? socks[prev][1] : -1));
		}
		alive[i] = true;
	}
	for (i = 0; i < fz_cfg.procs; i++) {
		close(socks[i][0]);
		close(socks[i][1]);
	}
	kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kfd >= 0)
		lseek(kfd, 0, SEEK_END);

	nalive = fz_cfg.procs;
	give_up = 0;
	while (nalive) {
		struct timespec ts = { 0, 100000000 };
		int64_t now, before = fz_now_ns(), late;
		pid_t pid;

		/*
		 * How late a 100 ms sleep wakes up tells how starved the guest
		 * is (a loaded host, TCG): timing WARNs then mean little.
		 */
		nanosleep(&ts, NULL);
		late = fz_now_ns() - before - 100000000;
		if (late > max_late)
			max_late = late;
		recent_late[late_pos++ % 16] = late;
		if (scan_kmsg(kfd, &splat_reported, &splat_ns, &splat_pid)) {
			splat = true;
			if (!splat_reported) {
				if (fz_cfg.stop_on_splat) {
					fprintf(stderr, "fuzz: stopping the workers (--no-stop-on-splat to go on)\n");
					fz_shared->stop = 1;
				}
				dump_splat(splat_ns, splat_pid);
				for (i = 0, late = 0; i < 16; i++)
					if (recent_late[i] > late)
						late = recent_late[i];
				fprintf(stderr, "fuzz: the guest was up to %.0f ms late waking up in the last 1.6 s\n",
					late / 1e6);
				splat_reported = true;
			}
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (i = 0; i < fz_cfg.procs; i++) {
				if (pids[i] != pid || !alive[i])
					continue;
				alive[i] = false;
				nalive--;
				if (WIFSIGNALED(status) || WEXITSTATUS(status)) {
					if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
					    !fz_shared->ws[i].done && give_up)
						break;	/* our own kill of a hung worker */
					crashes++;
					fprintf(stderr, "fuzz: worker %d died: %s %d\n", i,
						WIFSIGNALED(status) ? "signal" : "exit status",
						WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
					dump_ring(i, 0, 48);
				}
			}
		}
		now = fz_now_ns();
		for (i = 0; i < fz_cfg.procs; i++) {
			struct fz_wstate *ws = &fz_shared->ws[i];
			int op = __atomic_load_n(&ws->op, __ATOMIC_ACQUIRE);

			if (!alive[i] || op < 0 || now - ws->op_start_ns < fz_cfg.op_timeout * 1e9)
				continue;
			if (ws->done)
				continue;
			/* One operation for op_timeout seconds: a hang. */
			hangs++;
			fprintf(stderr, "fuzz: worker %d HANG: in %s for %.0f s\n", i,
				fz_op_names[op], (now - ws->op_start_ns) / 1e9);
			dump_ring(i, 0, 48);
			print_file("kernel stack", ws->pid, "stack");
			print_file("wchan", ws->pid, "wchan");
			print_engines();
			kill(ws->pid, SIGKILL);
			ws->op_start_ns = INT64_MAX / 2;	/* report once */
			if (!give_up)
				give_up = now + 20 * 1000000000ll;
		}
		/* Killed workers that do not die sit in the kernel: stop waiting. */
		if (give_up && now > give_up) {
			for (i = 0; i < fz_cfg.procs; i++)
				if (alive[i]) {
					stuck++;
					fprintf(stderr, "fuzz: worker %d (pid %d) does not die\n",
						i, pids[i]);
					print_file("kernel stack", pids[i], "stack");
				}
			break;
		}
		/* The time budget is for the workers; a worker that overruns it
		 * by op_timeout and a bit is hung somewhere in between ops. */
		if (!give_up && now - start > (fz_cfg.seconds + fz_cfg.op_timeout + 30) * 1e9) {
			for (i = 0; i < fz_cfg.procs; i++)
				if (alive[i]) {
					hangs++;
					fprintf(stderr, "fuzz: worker %d HANG: past the time budget\n", i);
					dump_ring(i, 0, 48);
					print_file("kernel stack", pids[i], "stack");
					kill(pids[i], SIGKILL);
				}
			give_up = now + 20 * 1000000000ll;
		}
	}
	secs = (fz_now_ns() - start) / 1e9;
	/* Late splats: give the log a moment. */
	if (kfd >= 0) {
		struct timespec ts = { 0, 300000000 };

		nanosleep(&ts, NULL);
		if (scan_kmsg(kfd, &splat_reported, &splat_ns, &splat_pid)) {
			if (!splat_reported)
				dump_splat(splat_ns, splat_pid);
			splat = true;
		}
	}

	print_report(secs, fz_cfg.procs);
	printf("fuzz: the parent's 100 ms sleeps woke up at most %.0f ms late\n", max_late / 1e6);
	for (i = 0; i < fz_cfg.procs; i++) {
		oracles += fz_shared->ws[i].oracle_failures;
		huge += fz_shared->ws[i].huge_accepted;
		child_hangs += fz_shared->ws[i].child_hangs;
	}
	printf("fuzz: oracle failures %u, huge sizes accepted %u, crashes %d, hangs %d (stuck %d, stuck children %u), kernel splats %s\n",
	       oracles, huge, crashes, hangs, stuck, child_hangs, splat ? "YES" : "none");
	if (oracles || crashes || hangs || child_hangs || splat) {
		printf("fuzz: FAIL\n");
		return 1;
	}
	printf("fuzz: PASS\n");
	return 0;
}
