// SPDX-License-Identifier: MIT
/*
 * IGT-style harness core. See igt_core.h.
 */
#include <fnmatch.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt_core.h"

#define MAX_CHILDREN		16
#define MAX_EXIT_HANDLERS	4
#define CHILD_TIMEOUT_S		60

enum igt_state { STATE_RUN, STATE_SKIP, STATE_FAIL };

sigjmp_buf igt_subtest_jmpbuf;

static const char *command_str;
static bool list_subtests;
static bool debug_output;
static const char *run_single_subtest;
static bool run_single_found;

static char subtest_name[128];
static bool in_subtest;
static bool in_fixture;
static struct timespec subtest_start;

static enum igt_state skip_henceforth = STATE_RUN;
static char skip_reason[512];
static bool failed_one;
static bool succeeded_one;

static bool is_child;
static pid_t children[MAX_CHILDREN];
static int num_children;

static const char *timeout_op;
static void (*exit_handlers[MAX_EXIT_HANDLERS])(int sig);
static int num_exit_handlers;
static bool exit_handlers_ran;

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void vlog(FILE *f, const char *level, const char *fmt, va_list ap)
{
	fprintf(f, "(%s:%d) %s%s", command_str, getpid(), level,
		level[0] ? ": " : "");
	vfprintf(f, fmt, ap);
	fflush(f);
}

static __igt_printf(3, 4)
void log_msg(FILE *f, const char *level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(f, level, fmt, ap);
	va_end(ap);
}

void igt_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(stdout, "", fmt, ap);
	va_end(ap);
}

void igt_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(stderr, "WARNING", fmt, ap);
	va_end(ap);
}

void igt_debug(const char *fmt, ...)
{
	va_list ap;

	if (!debug_output)
		return;
	va_start(ap, fmt);
	vlog(stdout, "DEBUG", fmt, ap);
	va_end(ap);
}

double igt_time_elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) +
	       (now.tv_nsec - start->tv_nsec) * 1e-9;
}

static void kill_children(void)
{
	for (int i = 0; i < num_children; i++) {
		kill(children[i], SIGKILL);
		waitpid(children[i], NULL, 0);
	}
	num_children = 0;
}

static void run_exit_handlers(int sig)
{
	if (is_child || exit_handlers_ran)
		return;
	exit_handlers_ran = true;
	kill_children();
	while (num_exit_handlers > 0)
		exit_handlers[--num_exit_handlers](sig);
}

void igt_install_exit_handler(void (*fn)(int sig))
{
	for (int i = 0; i < num_exit_handlers; i++)
		if (exit_handlers[i] == fn)
			return;
	if (num_exit_handlers == MAX_EXIT_HANDLERS) {
		log_msg(stderr, "CRITICAL", "too many exit handlers\n");
		abort();
	}
	exit_handlers[num_exit_handlers++] = fn;
}

static __igt_noreturn void exit_subtest(const char *result)
{
	double elapsed = igt_time_elapsed(&subtest_start);

	igt_reset_timeout();
	kill_children();
	in_subtest = false;
	printf("Subtest %s: %s (%.3fs)\n", subtest_name, result, elapsed);
	fflush(stdout);
	siglongjmp(igt_subtest_jmpbuf, 1);
}

static __igt_noreturn void leave_fixture(enum igt_state state)
{
	igt_reset_timeout();
	kill_children();
	in_fixture = false;
	skip_henceforth = state;
	siglongjmp(igt_subtest_jmpbuf, 1);
}

static __igt_noreturn void fail_current(void)
{
	if (is_child)
		_exit(IGT_EXIT_FAILURE);
	if (in_subtest) {
		failed_one = true;
		exit_subtest("FAIL");
	}
	if (in_fixture) {
		/*
		 * The subtests that follow report the failure; a fixture
		 * failing after them (cleanup) fails the run, unless
		 * --run-subtest has not matched anything yet.
		 */
		failed_one |= !run_single_subtest || run_single_found;
		snprintf(skip_reason, sizeof(skip_reason), "fixture failed");
		leave_fixture(STATE_FAIL);
	}
	failed_one = true;
	igt_exit();
}

static __igt_noreturn void skip_current(void)
{
	if (is_child)
		_exit(IGT_EXIT_SKIP);
	if (in_subtest)
		exit_subtest("SKIP");
	if (in_fixture)
		leave_fixture(STATE_SKIP);
	igt_exit();
}

void __igt_fail_assert(const char *file, int line, const char *func,
		       const char *expr, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	log_msg(stderr, "CRITICAL",
		"Test assertion failure function %s, file %s:%d:\n",
		func, basename_of(file), line);
	log_msg(stderr, "CRITICAL", "Failed assertion: %s\n", expr);
	if (err)
		log_msg(stderr, "CRITICAL", "Last errno: %d, %s\n",
			err, strerror(err));
	if (fmt) {
		va_start(ap, fmt);
		vlog(stderr, "CRITICAL", fmt, ap);
		va_end(ap);
	}
	fail_current();
}

static __igt_printf(1, 0) void set_skip_reason(const char *fmt, va_list ap)
{
	size_t len;

	vsnprintf(skip_reason, sizeof(skip_reason), fmt, ap);
	len = strlen(skip_reason);
	if (len && skip_reason[len - 1] == '\n')
		skip_reason[len - 1] = '\0';
}

void __igt_skip_check(const char *file, int line, const char *func,
		      const char *expr, const char *fmt, ...)
{
	va_list ap;

	printf("Test requirement not met in function %s, file %s:%d:\n",
	       func, basename_of(file), line);
	if (fmt) {
		va_start(ap, fmt);
		set_skip_reason(fmt, ap);
		va_end(ap);
	} else {
		snprintf(skip_reason, sizeof(skip_reason), "%s", expr);
	}
	printf("Test requirement: %s\n", skip_reason);
	fflush(stdout);
	skip_current();
}

void igt_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_skip_reason(fmt, ap);
	va_end(ap);
	printf("Skipping: %s\n", skip_reason);
	fflush(stdout);
	skip_current();
}

static bool valid_name(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
	return true;
}

bool igt_only_list_subtests(void)
{
	return list_subtests;
}

bool __igt_fixture(void)
{
	if (list_subtests || skip_henceforth != STATE_RUN)
		return false;
	if (in_subtest || in_fixture) {
		log_msg(stderr, "CRITICAL", "nested fixture\n");
		abort();
	}
	in_fixture = true;
	return true;
}

void __igt_fixture_complete(void)
{
	igt_reset_timeout();
	in_fixture = false;
}

bool __igt_run_subtest(const char *name)
{
	if (in_subtest || in_fixture || !valid_name(name) ||
	    strlen(name) >= sizeof(subtest_name)) {
		log_msg(stderr, "CRITICAL", "bad or nested subtest \"%s\"\n",
			name);
		abort();
	}
	if (list_subtests) {
		printf("%s\n", name);
		return false;
	}
	if (run_single_subtest && fnmatch(run_single_subtest, name, 0))
		return false;
	run_single_found = true;

	if (skip_henceforth != STATE_RUN) {
		bool fail = skip_henceforth == STATE_FAIL;

		printf("%s %s: %s\n", fail ? "Failing" : "Skipping", name,
		       skip_reason);
		printf("Subtest %s: %s (0.000s)\n", name,
		       fail ? "FAIL" : "SKIP");
		fflush(stdout);
		failed_one |= fail;
		return false;
	}

	snprintf(subtest_name, sizeof(subtest_name), "%s", name);
	printf("Starting subtest: %s\n", name);
	fflush(stdout);
	in_subtest = true;
	clock_gettime(CLOCK_MONOTONIC, &subtest_start);
	return true;
}

void __igt_subtest_success(void)
{
	succeeded_one = true;
	exit_subtest("SUCCESS");
}

int __igt_group_enter(void)
{
	return skip_henceforth;
}

void __igt_group_exit(int saved)
{
	skip_henceforth = saved;
}

void igt_exit(void)
{
	run_exit_handlers(0);
	fflush(stdout);
	if (list_subtests)
		exit(IGT_EXIT_SUCCESS);
	if (run_single_subtest && !run_single_found) {
		fprintf(stderr, "Unknown subtest: %s\n", run_single_subtest);
		exit(IGT_EXIT_SKIP);
	}
	if (failed_one)
		exit(IGT_EXIT_FAILURE);
	exit(succeeded_one ? IGT_EXIT_SUCCESS : IGT_EXIT_SKIP);
}

/* Children and forks */

bool igt_is_child(void)
{
	return is_child;
}

bool __igt_fork(void)
{
	pid_t pid;

	if (num_children == MAX_CHILDREN)
		igt_fail_f("too many children\n");
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	igt_assert_f(pid >= 0, "fork failed\n");
	if (pid == 0) {
		is_child = true;
		num_children = 0;
		num_exit_handlers = 0;
		return true;
	}
	children[num_children++] = pid;
	return false;
}

void __igt_child_exit(void)
{
	fflush(stdout);
	fflush(stderr);
	_exit(IGT_EXIT_SUCCESS);
}

static int wait_one_child(pid_t pid, int timeout_ms)
{
	int pidfd = syscall(SYS_pidfd_open, pid, 0);
	int status;

	if (pidfd >= 0) {
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		int ret = poll(&pfd, 1, timeout_ms);

		close(pidfd);
		if (ret == 0)
			kill(pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

void igt_waitchildren_timeout(int seconds)
{
	struct timespec start;
	int bad = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (num_children > 0) {
		int left = seconds * 1000 - igt_time_elapsed(&start) * 1000;
		pid_t pid = children[--num_children];
		int status = wait_one_child(pid, left > 0 ? left : 0);

		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		bad++;
		if (WIFEXITED(status))
			log_msg(stderr, "CRITICAL", "child %d exited with %d\n",
				pid, WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			log_msg(stderr, "CRITICAL", "child %d killed by %s%s\n",
				pid, strsignal(WTERMSIG(status)),
				WTERMSIG(status) == SIGKILL ? " (timeout?)" : "");
		else
			log_msg(stderr, "CRITICAL", "child %d lost\n", pid);
	}
	igt_assert_f(bad == 0, "%d child process(es) failed\n", bad);
}

void igt_waitchildren(void)
{
	igt_waitchildren_timeout(CHILD_TIMEOUT_S);
}

/* Signals and timeouts */

static void fatal_sig_handler(int sig)
{
	if (is_child)
		_exit(IGT_EXIT_FAILURE);
	if (sig == SIGALRM && timeout_op)
		log_msg(stderr, "CRITICAL", "Timeout: %s\n", timeout_op);
	else
		log_msg(stderr, "CRITICAL", "Received signal %s\n",
			strsignal(sig));
	if ((in_subtest || in_fixture) && sig != SIGINT && sig != SIGTERM)
		fail_current();
	run_exit_handlers(sig);
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(IGT_EXIT_FAILURE);
}

static void install_signal_handlers(void)
{
	static const int sigs[] = {
		SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM,
		SIGINT, SIGTERM, SIGHUP,
	};
	struct sigaction sa = { .sa_handler = fatal_sig_handler };

	sigemptyset(&sa.sa_mask);
	for (unsigned int i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void igt_set_timeout(unsigned int seconds, const char *op)
{
	timeout_op = op;
	alarm(seconds);
}

void igt_reset_timeout(void)
{
	alarm(0);
	timeout_op = NULL;
}

/* Options */

static __igt_noreturn void usage(int status)
{
	printf("Usage: %s [OPTIONS]\n"
	       "  --list-subtests       list subtest names and exit\n"
	       "  --run-subtest NAME    run only subtests matching NAME (glob)\n"
	       "  --debug               print debug messages\n"
	       "  --help                this text\n", command_str);
	exit(status);
}

void igt_subtest_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list-subtests", no_argument, NULL, 'l' },
		{ "run-subtest", required_argument, NULL, 'r' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	command_str = basename_of(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			list_subtests = true;
			break;
		case 'r':
			run_single_subtest = optarg;
			break;
		case 'd':
			debug_output = true;
			break;
		case 'h':
			usage(IGT_EXIT_SUCCESS);
		default:
			usage(IGT_EXIT_INVALID);
		}
	}
	if (optind < argc)
		usage(IGT_EXIT_INVALID);
	install_signal_handlers();
}
