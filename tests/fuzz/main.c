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

	fz_discover_devices();
	if (!fz_cfg.ndevs) {
		fprintf(stderr, "fuzz: no vrender or vdisplay device (modules not loaded?)\n");
		return 2;
	}
	fz_discover_kms();
	fz_discover_debugfs();
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
		if (fz_scan_kmsg(kfd, &splat_reported, &splat_ns, &splat_pid)) {
			splat = true;
			if (!splat_reported) {
				if (fz_cfg.stop_on_splat) {
					fprintf(stderr, "fuzz: stopping the workers (--no-stop-on-splat to go on)\n");
					fz_shared->stop = 1;
				}
				fz_dump_splat(splat_ns, splat_pid);
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
					fz_dump_ring(i, 0, 48);
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
			fz_dump_ring(i, 0, 48);
			fz_print_file("kernel stack", ws->pid, "stack");
			fz_print_file("wchan", ws->pid, "wchan");
			fz_diag_stuck(ws->pid);
			fz_print_engines();
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
					fz_print_file("kernel stack", pids[i], "stack");
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
					fz_dump_ring(i, 0, 48);
					fz_print_file("kernel stack", pids[i], "stack");
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
		if (fz_scan_kmsg(kfd, &splat_reported, &splat_ns, &splat_pid)) {
			if (!splat_reported)
				fz_dump_splat(splat_ns, splat_pid);
			splat = true;
		}
	}

	fz_print_report(secs, fz_cfg.procs);
	fz_print_primegem_totals();
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
