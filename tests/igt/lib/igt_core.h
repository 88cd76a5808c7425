// SPDX-License-Identifier: MIT
/*
 * Minimal IGT-style test harness: subtests, fixtures, groups, asserts,
 * skips, forked children and timeouts, with IGT's output and exit codes.
 *
 * Fixtures and subtests jump out through sigsetjmp/siglongjmp, so locals of
 * the igt_main body must not be modified inside them: keep test state in
 * static variables, put subtest bodies in functions, and declare loop
 * counters around subtests volatile.
 */
#ifndef IGT_CORE_H
#define IGT_CORE_H

#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define IGT_EXIT_SUCCESS	0
#define IGT_EXIT_SKIP		77
#define IGT_EXIT_FAILURE	98
#define IGT_EXIT_INVALID	79

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define __igt_concat2(a, b)	a##b
#define __igt_concat(a, b)	__igt_concat2(a, b)
#define igt_unique(prefix)	__igt_concat(prefix, __LINE__)

#define __igt_noreturn		__attribute__((noreturn))
#define __igt_printf(f, a)	__attribute__((format(printf, f, a)))

extern sigjmp_buf igt_subtest_jmpbuf;

void igt_subtest_init(int argc, char **argv);
bool __igt_fixture(void);
void __igt_fixture_complete(void);
bool __igt_run_subtest(const char *name);
__igt_noreturn void __igt_subtest_success(void);
int __igt_group_enter(void);
void __igt_group_exit(int saved);
__igt_noreturn void igt_exit(void);

#define igt_main \
	static void __igt_main_body(void); \
	int main(int argc, char **argv) \
	{ \
		igt_subtest_init(argc, argv); \
		__igt_main_body(); \
		igt_exit(); \
	} \
	static void __igt_main_body(void)

#define igt_fixture \
	for (volatile int igt_unique(__fixture) = 0; \
	     igt_unique(__fixture) < 1 && __igt_fixture() && \
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_unique(__fixture)++, __igt_fixture_complete())

#define igt_subtest(name) \
	for (; __igt_run_subtest(name) && \
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     __igt_subtest_success())

#define __igt_subtest_f(tmp, ...) \
	for (char tmp[128]; \
	     snprintf(tmp, sizeof(tmp), __VA_ARGS__), \
	     __igt_run_subtest(tmp) && \
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     __igt_subtest_success())
#define igt_subtest_f(...) __igt_subtest_f(igt_unique(__name), __VA_ARGS__)

/* A skip or failure of a fixture inside a group only affects the group. */
#define igt_subtest_group \
	for (volatile int igt_unique(__grp) = __igt_group_enter(), \
	     igt_unique(__once) = 1; igt_unique(__once); \
	     igt_unique(__once) = 0, __igt_group_exit(igt_unique(__grp)))

__igt_noreturn __igt_printf(5, 6)
void __igt_fail_assert(const char *file, int line, const char *func,
		       const char *expr, const char *fmt, ...);
__igt_noreturn __igt_printf(5, 6)
void __igt_skip_check(const char *file, int line, const char *func,
		      const char *expr, const char *fmt, ...);
__igt_noreturn __igt_printf(1, 2) void igt_skip(const char *fmt, ...);

__igt_printf(1, 2) void igt_info(const char *fmt, ...);
__igt_printf(1, 2) void igt_warn(const char *fmt, ...);
__igt_printf(1, 2) void igt_debug(const char *fmt, ...);

#define igt_assert(expr) \
	do { \
		if (!(expr)) \
			__igt_fail_assert(__FILE__, __LINE__, __func__, \
					  #expr, NULL); \
	} while (0)

#define igt_assert_f(expr, ...) \
	do { \
		if (!(expr)) \
			__igt_fail_assert(__FILE__, __LINE__, __func__, \
					  #expr, __VA_ARGS__); \
	} while (0)

#define igt_fail_f(...) \
	__igt_fail_assert(__FILE__, __LINE__, __func__, "failure", __VA_ARGS__)

#define __igt_assert_cmp(type, fmt, n1, cmp, ncmp, n2) \
	do { \
		type __n1 = (n1), __n2 = (n2); \
		if (!(__n1 cmp __n2)) \
			__igt_fail_assert(__FILE__, __LINE__, __func__, \
					  #n1 " " #cmp " " #n2, \
					  "error: " fmt " " #ncmp " " fmt "\n", \
					  __n1, __n2); \
	} while (0)

#define igt_assert_cmpint(n1, cmp, ncmp, n2) \
	__igt_assert_cmp(long long, "%lld", n1, cmp, ncmp, n2)
#define igt_assert_cmpu64(n1, cmp, ncmp, n2) \
	__igt_assert_cmp(unsigned long long, "%llu", n1, cmp, ncmp, n2)

#define igt_assert_eq(a, b)	igt_assert_cmpint(a, ==, !=, b)
#define igt_assert_neq(a, b)	igt_assert_cmpint(a, !=, ==, b)
#define igt_assert_lte(a, b)	igt_assert_cmpint(a, <=, >, b)
#define igt_assert_lt(a, b)	igt_assert_cmpint(a, <, >=, b)
#define igt_assert_gte(a, b)	igt_assert_cmpint(a, >=, <, b)
#define igt_assert_eq_u64(a, b)	igt_assert_cmpu64(a, ==, !=, b)
#define igt_assert_neq_u64(a, b)	igt_assert_cmpu64(a, !=, ==, b)

#define igt_require(expr) \
	do { \
		if (!(expr)) \
			__igt_skip_check(__FILE__, __LINE__, __func__, \
					 #expr, NULL); \
	} while (0)

#define igt_require_f(expr, ...) \
	do { \
		if (!(expr)) \
			__igt_skip_check(__FILE__, __LINE__, __func__, \
					 #expr, __VA_ARGS__); \
	} while (0)

/*
 * igt_fork(child, n) { body } runs body in n child processes; an assert
 * failing in a child exits it with IGT_EXIT_FAILURE. The parent must call
 * igt_waitchildren(), which fails unless every child exited with 0.
 */
bool __igt_fork(void);
__igt_noreturn void __igt_child_exit(void);
#define igt_fork(child, num_children) \
	for (int child = 0; child < (num_children); child++) \
		for (; __igt_fork(); __igt_child_exit())
void igt_waitchildren(void);
void igt_waitchildren_timeout(int seconds);
bool igt_is_child(void);

/* Fail the current subtest if it is still running after @seconds. */
void igt_set_timeout(unsigned int seconds, const char *op);
void igt_reset_timeout(void);

/* Called once with 0 at exit, or with the signal number on a fatal signal. */
void igt_install_exit_handler(void (*fn)(int sig));

bool igt_only_list_subtests(void);
double igt_time_elapsed(const struct timespec *start);

#endif /* IGT_CORE_H */
