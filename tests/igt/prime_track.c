// SPDX-License-Identifier: MIT
/*
 * CPU access tracking: on a tracked buffer, a CPU access outside its
 * DMA_BUF_IOCTL_SYNC brackets (or a write inside a READ-only one) gets
 * SIGBUS at the faulting address, or is only recorded under the warn
 * policy, through GEM, dma-buf and importer mappings; the events in
 * debugfs; the per-device debugfs switch and the module parameter.
 * Needs debugfs (root). Device modes are restored
 * at the end, or at exit if a subtest failed.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "igt_kmod.h"
#include "ioctl_wrappers.h"

#define RW		(PROT_READ | PROT_WRITE)
#define TRACK		VRENDER_GEM_CREATE_TRACK_CPU
#define NPAGES		32	/* two fault windows */
#define WORD		0x124	/* offset of the word touched in a page */
#define MAX_DEVICES	16
#define MAX_EVENTS	128
#define MODE_LEN	16
#define PARAM		"track_cpu"
#define PARAMS_LEN	1024

#define START		DMA_BUF_SYNC_START
#define END		DMA_BUF_SYNC_END
#define SYNC_R		DMA_BUF_SYNC_READ
#define SYNC_W		DMA_BUF_SYNC_WRITE
#define SYNC_RW		DMA_BUF_SYNC_RW

enum how { RD, WR };
enum map_kind { MAP_GEM, MAP_DMABUF, MAP_IMPORT, NUM_KINDS };
static const char *const kind_name[NUM_KINDS] = { "gem", "dmabuf", "import" };

static int fd = -1;
static int fd1 = -1;
static char comm[32];

/* Settings found at start, restored at the end or at exit. */
static char saved_mode[MAX_DEVICES][MODE_LEN];
static int num_saved;
static char saved_param[MODE_LEN];
static char saved_vrender[PARAMS_LEN];

/* --- settings ------------------------------------------------------------ */

static void dev_file(int idx, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "/sys/kernel/debug/dri/%d/%s", vrender_card(idx),
		 name);
}

static bool read_word(const char *path, char *buf, size_t len)
{
	int dfd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t ret;

	if (dfd < 0)
		return false;
	ret = read(dfd, buf, len - 1);
	close(dfd);
	if (ret < 0)
		return false;
	while (ret > 0 && buf[ret - 1] == '\n')
		ret--;
	buf[ret] = '\0';
	return true;
}

/* One write() of @len bytes of @val at @off on @path: 0 or -errno. */
static int write_raw(const char *path, int flags, const void *val,
		     size_t len, off_t off)
{
	int dfd = open(path, flags | O_CLOEXEC), err = 0;
	ssize_t ret;

	if (dfd < 0)
		return -errno;
	/* seq_file files refuse pwrite() (ESPIPE) but seek. */
	ret = lseek(dfd, off, SEEK_SET);
	if (ret == off)
		ret = write(dfd, val, len);
	if (ret < 0)
		err = -errno;
	else if ((size_t)ret != len)
		err = -EIO;
	close(dfd);
	return err;
}

static int __mode_set(int idx, const char *mode)
{
	char path[PATH_MAX];

	dev_file(idx, "primegem_track_cpu", path, sizeof(path));
	return write_raw(path, O_WRONLY, mode, strlen(mode), 0);
}

static void mode_set(int idx, const char *mode)
{
	igt_assert_eq(__mode_set(idx, mode), 0);
}

static const char *mode_get(int idx)
{
	static char mode[MODE_LEN];
	char path[PATH_MAX];

	dev_file(idx, "primegem_track_cpu", path, sizeof(path));
	igt_assert_f(read_word(path, mode, sizeof(mode)), "cannot read %s\n",
		     path);
	return mode;
}

static void restore_settings(void)
{
	for (int i = 0; i < num_saved; i++)
		if (__mode_set(i, saved_mode[i]))
			igt_warn("cannot restore mode %s of vrender.%d\n",
				 saved_mode[i], i);
}

static void restore_handler(int sig)
{
	(void)sig;
	restore_settings();
}

static void save_settings(void)
{
	char path[PATH_MAX];

	debugfs_require(fd);
	dev_file(0, "primegem_track_cpu", path, sizeof(path));
	igt_require_f(access(path, W_OK) == 0, "%s not writable\n", path);
	num_saved = vrender_count();
	igt_assert(num_saved <= MAX_DEVICES);
	for (int i = 0; i < num_saved; i++)
		snprintf(saved_mode[i], MODE_LEN, "%s", mode_get(i));
	module_param_read("primegem", PARAM, saved_param, sizeof(saved_param));
	igt_install_exit_handler(restore_handler);
	mode_set(0, "off");
	if (num_saved > 1)
		mode_set(1, "off");
}

/* --- events -------------------------------------------------------------- */

struct event {
	uint64_t seq, pid, id, offset;
	char access[8], action[8], comm[32];
};

static struct events {
	uint64_t total, unmatched, capacity;
	char mode[MODE_LEN];
	unsigned int count;
	struct event ev[MAX_EVENTS];
} events;

static void parse_event(const char *line)
{
	struct event *e = &events.ev[events.count];
	unsigned long long seq, pid, id, off;
	int pos = 0;

	igt_assert_f(sscanf(line, "seq=%llu pid=%llu id=%llu offset=%llu "
			    "access=%7s action=%7s comm=%n", &seq, &pid, &id,
			    &off, e->access, e->action, &pos) == 6 && pos > 0,
		     "bad event line \"%s\"\n", line);
	igt_assert(events.count < MAX_EVENTS);
	e->seq = seq;
	e->pid = pid;
	e->id = id;
	e->offset = off;
	snprintf(e->comm, sizeof(e->comm), "%s", line + pos);
	events.count++;
}

static struct events *events_read(int idx)
{
	unsigned long long total, unmatched, capacity;
	char path[PATH_MAX], line[256];
	FILE *f;

	dev_file(idx, "primegem_track_events", path, sizeof(path));
	f = fopen(path, "re");
	igt_assert_f(f, "cannot open %s\n", path);
	igt_assert(fgets(line, sizeof(line), f));
	igt_assert_f(sscanf(line, "total=%llu unmatched_ends=%llu capacity=%llu mode=%15s",
			    &total, &unmatched, &capacity, events.mode) == 4,
		     "bad header \"%s\"\n", line);
	events.total = total;
	events.unmatched = unmatched;
	events.capacity = capacity;
	events.count = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		parse_event(line);
	}
	fclose(f);
	return &events;
}

static uint64_t events_total(int idx)
{
	return events_read(idx)->total;
}

/* Asserts that event @seq of device @idx is this process's access. */
static void check_event(int idx, uint64_t seq, uint64_t id, uint64_t offset,
			enum how how, const char *action)
{
	const struct event *e = NULL;

	events_read(idx);
	igt_assert_eq_u64(events.total, seq);
	for (unsigned int i = 0; i < events.count; i++)
		if (events.ev[i].seq == seq)
			e = &events.ev[i];
	igt_assert_f(e, "event %llu not listed\n", (unsigned long long)seq);
	igt_assert_eq_u64(e->pid, getpid());
	igt_assert_f(!strcmp(e->comm, comm), "comm \"%s\", expected \"%s\"\n",
		     e->comm, comm);
	igt_assert_eq_u64(e->id, id);
	igt_assert_eq_u64(e->offset, offset);
	igt_assert_f(!strcmp(e->access, how == WR ? "write" : "read"),
		     "access=%s\n", e->access);
	igt_assert_f(!strcmp(e->action, action), "action=%s, expected %s\n",
		     e->action, action);
}

/* --- accesses ------------------------------------------------------------ */

static sigjmp_buf bus_jmp;
static void *volatile bus_addr;
static volatile uint32_t word;	/* what touch() writes */
static volatile uint32_t seen;	/* what touch() read */

static void bus_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	bus_addr = si->si_addr;
	siglongjmp(bus_jmp, 1);
}

/* One access to the word at @p; true if it raised SIGBUS (at @p). */
static bool touch(void *p, enum how how)
{
	struct sigaction sa = { .sa_sigaction = bus_handler,
				.sa_flags = SA_SIGINFO }, old;
	volatile uint32_t *w = p;
	volatile bool bus = false;

	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGBUS, &sa, &old), 0);
	bus_addr = NULL;
	if (sigsetjmp(bus_jmp, 1))
		bus = true;
	else if (how == WR)
		*w = word;
	else
		seen = *w;
	igt_assert_eq(sigaction(SIGBUS, &old, NULL), 0);
	igt_assert_f(!bus || bus_addr == p, "SIGBUS at %p for an access at %p\n",
		     bus_addr, p);
	return bus;
}

static void *at(void *map, unsigned int page)
{
	return (char *)map + page * igt_page_size() + WORD;
}

static uint64_t off(unsigned int page)
{
	return page * igt_page_size() + WORD;
}

static void expect_ok(void *map, unsigned int page, enum how how)
{
	igt_assert_f(!touch(at(map, page), how), "%s of page %u faulted\n",
		     how == WR ? "write" : "read", page);
}

static void expect_bus(void *map, unsigned int page, enum how how)
{
	igt_assert_f(touch(at(map, page), how), "%s of page %u went through\n",
		     how == WR ? "write" : "read", page);
}

static void touch_all(void *map, enum how how)
{
	for (unsigned int i = 0; i < NPAGES; i++)
		expect_ok(map, i, how);
}

/* --- buffers ------------------------------------------------------------- */

struct tbuf {
	uint32_t handle;
	uint32_t import;	/* handle on fd1, for MAP_IMPORT */
	int dmabuf;
	uint64_t id;
	void *map;
};

static struct tbuf tbuf_create(uint32_t flags, enum map_kind kind)
{
	struct tbuf t = { .import = 0 };

	t.handle = gem_create(fd, NPAGES * igt_page_size(), flags);
	t.dmabuf = prime_handle_to_fd(fd, t.handle);
	t.id = gem_id(fd, t.handle);
	switch (kind) {
	case MAP_GEM:
		t.map = gem_mmap(fd, t.handle, 0, NPAGES, RW);
		break;
	case MAP_DMABUF:
		t.map = dmabuf_mmap(t.dmabuf, 0, NPAGES, RW);
		break;
	default:
		t.import = prime_fd_to_handle(fd1, t.dmabuf);
		t.map = gem_mmap(fd1, t.import, 0, NPAGES, RW);
		break;
	}
	return t;
}

static void tbuf_destroy(struct tbuf *t)
{
	munmap_pages(t->map, NPAGES);
	if (t->import)
		gem_close(fd1, t->import);
	close(t->dmabuf);
	gem_close(fd, t->handle);
}

/* --- subtests ------------------------------------------------------------ */

/* Every subtest starts with device 0 in mode off, whatever failed before. */
static void begin(void)
{
	mode_set(0, "off");
}

static void test_switch(void)
{
	static const char *const in[] = { "sigbus", "warn", "off", "warn\n",
					  "sigbus\n", "off\n" };

	begin();

	for (unsigned int i = 0; i < ARRAY_SIZE(in); i++) {
		char want[MODE_LEN];

		snprintf(want, sizeof(want), "%.*s",
			 (int)strcspn(in[i], "\n"), in[i]);
		mode_set(0, in[i]);
		igt_assert_f(!strcmp(mode_get(0), want), "mode %s after %s\n",
			     mode_get(0), want);
		igt_assert_f(!strcmp(events_read(0)->mode, want),
			     "events header mode=%s\n", events.mode);
	}
}

static void test_switch_bad_input(void)
{
	static const struct {
		char val[20];
		size_t len;
	} bad[] = {
		{ "on", 2 }, { "1", 1 }, { "SIGBUS", 6 }, { "sigbus2", 7 },
		{ " off", 4 }, { "warn\n\n", 6 }, { "off\0", 4 },
		{ "off\0warn", 8 }, { "sigbus\nx", 8 }, { "", 1 },
		{ "sigbussigbussigbus", 18 }, { "warn", 16 }, { "off", 0 },
	};
	char path[PATH_MAX], big[8192];

	begin();

	mode_set(0, "warn");
	dev_file(0, "primegem_track_cpu", path, sizeof(path));
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		igt_assert_f(write_raw(path, O_WRONLY, bad[i].val, bad[i].len,
				       0) == -EINVAL,
			     "input %u (\"%s\", %zu bytes) not refused\n", i,
			     bad[i].val, bad[i].len);
		igt_assert(!strcmp(mode_get(0), "warn"));
	}
	memset(big, 'o', sizeof(big));
	igt_assert_eq(write_raw(path, O_WRONLY, big, sizeof(big), 0), -EINVAL);
	igt_assert_eq(write_raw(path, O_WRONLY, "off", 3, 1), -EINVAL);
	igt_assert_eq(write_raw(path, O_WRONLY, (void *)16, 3, 0), -EFAULT);
	igt_assert_eq(write_raw(path, O_RDONLY, "off", 3, 0), -EBADF);
	igt_assert(!strcmp(mode_get(0), "warn"));

	/* The events file is read-only. */
	dev_file(0, "primegem_track_events", path, sizeof(path));
	igt_assert(write_raw(path, O_WRONLY, "0", 1, 0) < 0);
	mode_set(0, "off");
}

/*
 * The module parameter is only the mode devices start with: read-only once
 * loaded, whatever is written (the per-device switch is debugfs).
 */
static void test_param_read_only(void)
{
	static const char *const vals[] = { "sigbus", "warn", "off", "on" };
	char val[MODE_LEN];

	begin();

	igt_require_f(saved_param[0], "primegem.%s not readable\n", PARAM);
	for (unsigned int i = 0; i < ARRAY_SIZE(vals); i++) {
		igt_assert_f(__module_param_write("primegem", PARAM, vals[i]) ==
			     -EACCES, "\"%s\" not refused\n", vals[i]);
		igt_assert(module_param_read("primegem", PARAM, val,
					     sizeof(val)));
		igt_assert(!strcmp(val, saved_param));
	}
	igt_assert(!strcmp(mode_get(0), "off"));
}

/* Accesses before, inside and after a RW bracket, through one mapping. */
static void test_outside(enum map_kind kind, uint32_t flags)
{
	struct tbuf t = tbuf_create(TRACK | flags, kind);
	uint64_t seq = events_total(0);

	begin();

	expect_bus(t.map, 3, WR);
	check_event(0, ++seq, t.id, off(3), WR, "sigbus");
	expect_bus(t.map, 20, RD);
	check_event(0, ++seq, t.id, off(20), RD, "sigbus");

	dmabuf_sync(t.dmabuf, START | SYNC_RW);
	pattern_fill(t.map, 0, NPAGES, 7);
	touch_all(t.map, RD);
	dmabuf_sync(t.dmabuf, END | SYNC_RW);

	expect_bus(t.map, 5, WR);
	check_event(0, ++seq, t.id, off(5), WR, "sigbus");
	expect_bus(t.map, 31, RD);
	check_event(0, ++seq, t.id, off(31), RD, "sigbus");

	/* What was written in the bracket is still there. */
	dmabuf_sync(t.dmabuf, START | SYNC_R);
	pattern_check(t.map, 0, NPAGES, 7);
	dmabuf_sync(t.dmabuf, END | SYNC_R);
	igt_assert_eq_u64(events_total(0), seq);
	tbuf_destroy(&t);
}

static void test_read_bracket(void)
{
	struct tbuf t = tbuf_create(TRACK, MAP_DMABUF);
	uint64_t seq = events_total(0);

	begin();

	dmabuf_sync(t.dmabuf, START | SYNC_R);
	expect_ok(t.map, 0, RD);
	/* Page 1 is mapped read-only by the fault of page 0. */
	expect_bus(t.map, 1, WR);
	check_event(0, ++seq, t.id, off(1), WR, "sigbus");
	/* Page 17 is not mapped yet: a write fault. */
	expect_bus(t.map, 17, WR);
	check_event(0, ++seq, t.id, off(17), WR, "sigbus");
	touch_all(t.map, RD);
	dmabuf_sync(t.dmabuf, END | SYNC_R);

	expect_bus(t.map, 0, RD);
	check_event(0, ++seq, t.id, off(0), RD, "sigbus");
	tbuf_destroy(&t);
}

static long minor_faults(void)
{
	struct rusage ru;

	igt_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_minflt;
}

/* Write then read one word per page; returns the page faults taken. */
static long write_read_all(void *map)
{
	long before = minor_faults();

	for (unsigned int i = 0; i < NPAGES; i++)
		*(volatile uint32_t *)at(map, i) = i;
	for (unsigned int i = 0; i < NPAGES; i++)
		igt_assert_eq(*(volatile uint32_t *)at(map, i), i);
	return minor_faults() - before;
}

static void test_write_bracket(uint64_t dir)
{
	struct tbuf t = tbuf_create(TRACK, MAP_GEM);
	struct tbuf u = tbuf_create(0, MAP_GEM);
	uint64_t seq = events_total(0), faults;
	long plain, tracked;

	begin();

	/* Inside the bracket: only the faults that map the pages in. */
	plain = write_read_all(u.map);
	faults = debugfs_object(fd, t.id).faults;
	dmabuf_sync(t.dmabuf, START | dir);
	tracked = write_read_all(t.map);
	faults = debugfs_object(fd, t.id).faults - faults;
	igt_assert_eq(plain, NPAGES / 16);
	igt_assert_eq(tracked, NPAGES / 16);
	igt_assert_eq_u64(faults, NPAGES / 16);
	dmabuf_sync(t.dmabuf, END | dir);

	expect_bus(t.map, 9, WR);
	check_event(0, ++seq, t.id, off(9), WR, "sigbus");
	tbuf_destroy(&u);
	tbuf_destroy(&t);
}

static void test_downgrade(void)
{
	struct tbuf t = tbuf_create(TRACK, MAP_DMABUF);
	uint64_t seq = events_total(0);

	begin();

	dmabuf_sync(t.dmabuf, START | SYNC_R);
	dmabuf_sync(t.dmabuf, START | SYNC_W);
	touch_all(t.map, WR);
	dmabuf_sync(t.dmabuf, END | SYNC_W);
	touch_all(t.map, RD);
	expect_bus(t.map, 2, WR);
	check_event(0, ++seq, t.id, off(2), WR, "sigbus");
	dmabuf_sync(t.dmabuf, END | SYNC_R);
	expect_bus(t.map, 2, RD);
	check_event(0, ++seq, t.id, off(2), RD, "sigbus");
	tbuf_destroy(&t);
}

/* Two READ brackets from two fds: pages stay until the last END. */
static void test_nested(void)
{
	struct tbuf t = tbuf_create(TRACK, MAP_DMABUF);
	int other = prime_handle_to_fd(fd, t.handle);

	begin();

	dmabuf_sync(t.dmabuf, START | SYNC_R);
	dmabuf_sync(other, START | SYNC_R);
	touch_all(t.map, RD);
	dmabuf_sync(t.dmabuf, END | SYNC_R);
	touch_all(t.map, RD);
	dmabuf_sync(other, END | SYNC_R);
	expect_bus(t.map, 0, RD);
	close(other);
	tbuf_destroy(&t);
}

static void test_unmatched_end(void)
{
	struct tbuf t = tbuf_create(TRACK, MAP_DMABUF);
	uint64_t unmatched = events_read(0)->unmatched;

	begin();

	dmabuf_sync(t.dmabuf, END | SYNC_W);
	igt_assert_eq_u64(events_read(0)->unmatched, unmatched + 1);
	expect_bus(t.map, 0, RD);

	dmabuf_sync(t.dmabuf, START | SYNC_R);
	dmabuf_sync(t.dmabuf, END | SYNC_RW);	/* no WRITE bracket open */
	igt_assert_eq_u64(events_read(0)->unmatched, unmatched + 2);
	touch_all(t.map, RD);
	dmabuf_sync(t.dmabuf, END | SYNC_R);
	expect_bus(t.map, 0, RD);
	tbuf_destroy(&t);
}

static void pipe_put(int p, char c)
{
	igt_assert_eq(write(p, &c, 1), 1);
}

static void pipe_get(int p, char c)
{
	char got = 0;

	igt_assert_eq(read(p, &got, 1), 1);
	igt_assert_eq(got, c);
}

/* A child's bracket keeps the parent's mapping accessible. */
static void test_other_process(void)
{
	struct tbuf t = tbuf_create(TRACK, MAP_DMABUF);
	int to_child[2], to_parent[2];

	begin();

	igt_assert_eq(pipe(to_child), 0);
	igt_assert_eq(pipe(to_parent), 0);
	igt_fork(child, 1) {
		close(to_child[1]);
		close(to_parent[0]);
		dmabuf_sync(t.dmabuf, START | SYNC_RW);
		pipe_put(to_parent[1], 'S');
		pipe_get(to_child[0], 'E');
		dmabuf_sync(t.dmabuf, END | SYNC_RW);
		pipe_put(to_parent[1], 'D');
	}
	close(to_child[0]);
	close(to_parent[1]);

	pipe_get(to_parent[0], 'S');
	touch_all(t.map, WR);
	pipe_put(to_child[1], 'E');
	pipe_get(to_parent[0], 'D');
	expect_bus(t.map, 0, WR);
	igt_waitchildren();
	close(to_child[1]);
	close(to_parent[0]);
	tbuf_destroy(&t);
}

/* A copy by the kernel from the mapping fails, and is recorded. */
static void test_kernel_access(void)
{
	struct tbuf t = tbuf_create(TRACK, MAP_DMABUF);
	uint64_t seq = events_total(0);
	int p[2];

	begin();

	igt_assert_eq(pipe(p), 0);
	igt_assert_eq(write(p[1], at(t.map, 4), 4), -1);
	igt_assert_eq(errno, EFAULT);
	/* The kernel's copy may retry the access: one event or more. */
	igt_assert_lt(seq, events_total(0));
	check_event(0, events.total, t.id, off(4), RD, "sigbus");
	close(p[0]);
	close(p[1]);
	tbuf_destroy(&t);
}

/* Device mode sigbus: unflagged buffers, dumb ones too, are tracked. */
static void test_device_sigbus(void)
{
	struct tbuf t;
	struct bo bo;
	void *map;
	uint64_t seq;

	begin();

	mode_set(0, "sigbus");
	t = tbuf_create(0, MAP_GEM);
	seq = events_total(0);
	expect_bus(t.map, 6, WR);
	check_event(0, ++seq, t.id, off(6), WR, "sigbus");
	dmabuf_sync(t.dmabuf, START | SYNC_RW);
	touch_all(t.map, WR);
	dmabuf_sync(t.dmabuf, END | SYNC_RW);
	expect_bus(t.map, 6, RD);
	check_event(0, ++seq, t.id, off(6), RD, "sigbus");
	tbuf_destroy(&t);

	bo = bo_create(fd, 2);
	map = gem_mmap(fd, bo.handle, 0, bo.npages, RW);
	expect_bus(map, 1, RD);
	check_event(0, ++seq, gem_id(fd, bo.handle), off(1), RD, "sigbus");
	munmap_pages(map, bo.npages);
	gem_close(fd, bo.handle);
	mode_set(0, "off");
}

/* Warn: accesses go through, each page is reported once until a zap. */
static void check_warn(uint32_t flags)
{
	struct tbuf t = tbuf_create(flags, MAP_DMABUF);
	uint64_t seq = events_total(0);

	word = 0xdeadbeef;
	expect_ok(t.map, 0, WR);
	check_event(0, ++seq, t.id, off(0), WR, "warn");
	expect_ok(t.map, 0, WR);
	expect_ok(t.map, 0, RD);
	expect_ok(t.map, 1, RD);
	check_event(0, ++seq, t.id, off(1), RD, "warn");
	expect_ok(t.map, 1, WR);
	check_event(0, ++seq, t.id, off(1), WR, "warn");

	/* The writes landed; the bracket's END zaps the pages again. */
	dmabuf_sync(t.dmabuf, START | SYNC_R);
	igt_assert_eq(*(uint32_t *)at(t.map, 0), 0xdeadbeef);
	igt_assert_eq(*(uint32_t *)at(t.map, 1), 0xdeadbeef);
	dmabuf_sync(t.dmabuf, END | SYNC_R);
	igt_assert_eq_u64(events_total(0), seq);
	expect_ok(t.map, 0, RD);
	check_event(0, ++seq, t.id, off(0), RD, "warn");
	tbuf_destroy(&t);
}

static void test_device_warn(void)
{
	begin();
	mode_set(0, "warn");
	check_warn(0);
	check_warn(TRACK);
	mode_set(0, "off");
}

/*
 * A mapping with PROT_WRITE alone is read too (no CPU has write-only
 * pages): a READ bracket lets reads through it, and keeps writes out. Its
 * pages used to be mapped PAGE_NONE, and on a kernel without NUMA balancing
 * (the debug kernel) the read then faulted forever.
 */
static void test_write_only(enum map_kind kind)
{
	uint32_t handle = gem_create(fd, NPAGES * igt_page_size(), TRACK);
	int dmabuf = prime_handle_to_fd(fd, handle);
	uint64_t seq = events_total(0);
	void *map;

	begin();

	map = kind == MAP_GEM ? gem_mmap(fd, handle, 0, NPAGES, PROT_WRITE) :
				dmabuf_mmap(dmabuf, 0, NPAGES, PROT_WRITE);
	igt_set_timeout(10, "reading a write-only mapping");
	dmabuf_sync(dmabuf, START | SYNC_R);
	expect_ok(map, 0, RD);
	expect_ok(map, 5, RD);
	expect_bus(map, 0, WR);
	check_event(0, ++seq, gem_id(fd, handle), off(0), WR, "sigbus");
	dmabuf_sync(dmabuf, END | SYNC_R);

	dmabuf_sync(dmabuf, START | SYNC_W);
	touch_all(map, WR);
	touch_all(map, RD);
	dmabuf_sync(dmabuf, END | SYNC_W);
	igt_reset_timeout();
	igt_assert_eq_u64(events_total(0), seq);

	munmap_pages(map, NPAGES);
	close(dmabuf);
	gem_close(fd, handle);
}

/* Mode off: unflagged buffers are free, flagged ones still tracked. */
static void test_device_off(void)
{
	struct tbuf u = tbuf_create(0, MAP_DMABUF);
	struct tbuf t = tbuf_create(TRACK, MAP_DMABUF);
	uint64_t seq = events_total(0);

	begin();

	touch_all(u.map, WR);
	touch_all(u.map, RD);
	dmabuf_sync(u.dmabuf, START | SYNC_R);
	dmabuf_sync(u.dmabuf, END | SYNC_R);
	touch_all(u.map, WR);
	igt_assert_eq_u64(events_total(0), seq);
	expect_bus(t.map, 0, WR);
	check_event(0, ++seq, t.id, off(0), WR, "sigbus");
	tbuf_destroy(&t);
	tbuf_destroy(&u);
}

/* A switch applies to pages mapped before it, and knows open brackets. */
static void test_switch_mappings(void)
{
	struct tbuf u = tbuf_create(0, MAP_GEM);

	begin();

	touch_all(u.map, WR);
	mode_set(0, "sigbus");
	expect_bus(u.map, 0, WR);
	expect_bus(u.map, 0, RD);
	mode_set(0, "off");
	touch_all(u.map, WR);

	dmabuf_sync(u.dmabuf, START | SYNC_RW);
	mode_set(0, "sigbus");
	touch_all(u.map, WR);
	dmabuf_sync(u.dmabuf, END | SYNC_RW);
	expect_bus(u.map, 0, WR);
	mode_set(0, "off");
	tbuf_destroy(&u);
}

static void test_events_ring(void)
{
	struct tbuf u = tbuf_create(0, MAP_DMABUF);
	uint64_t first = events_total(0), n;

	begin();

	mode_set(0, "warn");
	n = events_read(0)->capacity + 6;
	igt_assert(n <= MAX_EVENTS);
	for (uint64_t i = 0; i < n; i++) {
		expect_ok(u.map, i % NPAGES, RD);
		dmabuf_sync(u.dmabuf, START | SYNC_R);
		dmabuf_sync(u.dmabuf, END | SYNC_R);
	}
	mode_set(0, "off");

	events_read(0);
	igt_assert_eq_u64(events.total, first + n);
	igt_assert_eq_u64(events.count, events.capacity);
	for (unsigned int i = 0; i < events.count; i++) {
		uint64_t seq = events.total - events.count + 1 + i;

		igt_assert_eq_u64(events.ev[i].seq, seq);
		igt_assert_eq_u64(events.ev[i].offset, off((seq - first - 1) % NPAGES));
	}
	tbuf_destroy(&u);
}

/*
 * New devices take the module parameter's mode, whatever their
 * predecessors were switched to.
 */
static void test_param_default(void)
{
	const char *other = strcmp(saved_param, "warn") ? "warn" : "sigbus";
	char path[PATH_MAX];

	igt_require_f(saved_param[0], "primegem.%s not readable\n", PARAM);
	igt_require_f(module_params_string("vrender", saved_vrender,
					   sizeof(saved_vrender)),
		      "vrender not loaded\n");
	vrender_ko_path(path, sizeof(path));
	for (int i = 0; i < vrender_count(); i++)
		mode_set(i, other);

	drop_drm_references();
	fd = -1;
	fd1 = -1;
	vrender_reload(saved_vrender);
	for (int i = 0; i < vrender_count(); i++)
		igt_assert_f(!strcmp(mode_get(i), saved_param),
			     "vrender.%d: %s, expected %s\n", i, mode_get(i),
			     saved_param);
}

igt_main
{
	igt_fixture {
		FILE *f = fopen("/proc/self/comm", "re");

		igt_assert(f && fgets(comm, sizeof(comm), f));
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		fd = vrender_open(0);
		save_settings();
	}

	igt_subtest("switch")
		test_switch();
	igt_subtest("switch-bad-input")
		test_switch_bad_input();
	igt_subtest("param-read-only")
		test_param_read_only();

	for (volatile int k = MAP_GEM; k < MAP_IMPORT; k++)
		igt_subtest_f("outside-bracket-%s", kind_name[k])
			test_outside(k, 0);
	/* Strict brackets (a CPU-access fence) and tracking together. */
	igt_subtest("outside-bracket-strict")
		test_outside(MAP_DMABUF, VRENDER_GEM_CREATE_STRICT);
	igt_subtest("read-bracket")
		test_read_bracket();
	igt_subtest("write-bracket")
		test_write_bracket(SYNC_W);
	igt_subtest("rw-bracket")
		test_write_bracket(SYNC_RW);
	igt_subtest("downgrade")
		test_downgrade();
	igt_subtest("write-only-gem")
		test_write_only(MAP_GEM);
	igt_subtest("write-only-dmabuf")
		test_write_only(MAP_DMABUF);
	igt_subtest("nested-brackets")
		test_nested();
	igt_subtest("unmatched-end")
		test_unmatched_end();
	igt_subtest("other-process-bracket")
		test_other_process();
	igt_subtest("kernel-access")
		test_kernel_access();
	igt_subtest("device-sigbus")
		test_device_sigbus();
	igt_subtest("device-warn")
		test_device_warn();
	igt_subtest("device-off")
		test_device_off();
	igt_subtest("switch-mappings")
		test_switch_mappings();
	igt_subtest("events-ring")
		test_events_ring();

	igt_subtest_group {
		igt_fixture {
			fd1 = vrender_open(1);
		}
		igt_subtest_f("outside-bracket-%s", kind_name[MAP_IMPORT])
			test_outside(MAP_IMPORT, 0);
		igt_fixture
			close(fd1);
	}

	/* Last: reloads vrender. */
	igt_subtest("param-default")
		test_param_default();

	igt_fixture {
		if (fd >= 0)
			close(fd);
		restore_settings();
	}
}
