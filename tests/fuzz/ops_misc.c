// SPDX-License-Identifier: MIT
/*
 * vprime-fuzz: closing fds (pool fds and whole DRM files), reopening
 * nodes, dup, passing fds between workers over a unix socket ring, and
 * debugfs reads and writes under /sys/kernel/debug/dri/<minor>/ of our
 * devices only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuzz.h"

void fz_op_close_fd(struct fz_worker *w)
{
	if (w->nfiles > 1 && fz_chance(w, 8)) {
		/* A whole DRM file: its handles, syncobjs, fbs and blobs go. */
		struct fz_file *f = &w->files[fz_rnd(w, w->nfiles)];
		int dev = f->dev, fd = f->fd, ret;
		bool render = f->render;

		fz_trace(w, "close_fd DRM file %d (dev %d%s)", fd, dev, render ? " render" : "");
		fz_file_release(w, f);
		fz_rec(w, OP_close_fd, 0);
		ret = fz_open_node(w, dev, render);
		fz_rec(w, OP_reopen, ret < 0 ? ret : 0);
		return;
	}
	fz_close_random(w);
}

void fz_op_reopen(struct fz_worker *w)
{
	int dev = fz_rnd(w, fz_cfg.ndevs);
	bool render = fz_cfg.devs[dev].render[0] && fz_chance(w, 50);
	int ret;

	fz_trace(w, "reopen dev %d%s", dev, render ? " render" : "");
	ret = fz_open_node(w, dev, render);
	fz_rec(w, OP_reopen, ret < 0 ? ret : 0);
}

void fz_op_dup_fd(struct fz_worker *w)
{
	enum fz_fdkind kind = fz_rnd(w, FZ_NFDKINDS);
	struct fz_fd *e = fz_pick_fd(w, kind), *n, copy;
	int fd;

	if (!e)
		return;
	copy = *e;
	fz_trace(w, "dup_fd %d", e->fd);
	fd = fcntl(e->fd, F_DUPFD_CLOEXEC, 3);
	fz_rec(w, OP_dup_fd, fd < 0 ? -errno : 0);
	n = fz_add_fd(w, kind, fd);
	if (n) {
		copy.fd = fd;
		copy.bracket = 0;
		*n = copy;
	}
}

/* ---- debugfs ---------------------------------------------------------------- */

static const struct fz_debugfs *pick_debugfs(struct fz_worker *w, bool write)
{
	int i, n = 0, idx[FZ_MAX_DEBUGFS];

	if (!fz_cfg.ndebugfs)
		return NULL;
	if (write && fz_chance(w, 85)) {
		for (i = 0; i < fz_cfg.ndebugfs; i++)
			if (fz_cfg.debugfs[i].writable)
				idx[n++] = i;
		if (n)
			return &fz_cfg.debugfs[idx[fz_rnd(w, n)]];
	}
	return &fz_cfg.debugfs[fz_rnd(w, fz_cfg.ndebugfs)];
}

void fz_op_debugfs_read(struct fz_worker *w)
{
	const struct fz_debugfs *d = pick_debugfs(w, false);
	ssize_t n = 0;
	int fd, ret = 0;

	if (!d)
		return;
	fz_trace(w, "debugfs_read %s", d->path);
	fd = open(d->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fz_rec(w, OP_debugfs_read, -errno);
		return;
	}
	if (fz_chance(w, 20))
		n = pread(fd, w->scratch + 16384, 4096, fz_chance(w, 50) ? fz_rnd(w, 8192) :
			  (off_t)(fz_corrupt64(w, 0) & 0x7fffffffffffffffull));
	else
		n = read(fd, w->scratch + 16384, fz_chance(w, 90) ? 4096 : 1 + fz_rnd(w, 16));
	if (n < 0)
		ret = -errno;
	close(fd);
	fz_rec(w, OP_debugfs_read, ret);
}

/* Values worth writing to a knob, most of them valid. */
struct knob_pool {
	const char *name;
	const char *const *v;
	unsigned int n;
};

#define KNOB_POOL(name_, ...) { \
	.name = (name_), \
	.v = (const char *const[]){ __VA_ARGS__ }, \
	.n = sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *), \
}

/* In range, short, out of range both ways, not a number. */
#define TIMEOUT_VALUES	"300", "1000\n", "1", "0", "600001", "x"

static const struct knob_pool knob_pools[] = {
	/* Mostly off: a device in sigbus mode is a different fuzz target. */
	KNOB_POOL("primegem_track_cpu",
		  "off", "off\n", "off", "warn", "sigbus\n", "on", ""),
	KNOB_POOL("vrender_fence_timeout_ms", TIMEOUT_VALUES),
	KNOB_POOL("vrender_job_timeout_ms", TIMEOUT_VALUES),
	/* Mostly roomy: a 1-byte budget fails every later pin. */
	KNOB_POOL("primegem_pin_limit",
		  "1073741824", "268435456\n", "1073741824", "1",
		  "18446744073709551615", "x"),
	KNOB_POOL("primegem_huge", "1", "0", "1\n", "2", "x"),
	/* Mostly not: strict buffers are their own target. */
	KNOB_POOL("primegem_strict_cpu", "N", "N\n", "0", "Y", "1", "x"),
	KNOB_POOL("primegem_cpu_lease_ms", "100", "100\n", "1", "0", "10001", "x"),
	KNOB_POOL("control", "auto", "none", "auto\n", "bogus", ""),
};

static const char *write_value(struct fz_worker *w, const char *path, char *buf,
			       size_t len)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	unsigned int r = fz_rnd(w, 100), i;

	if (r >= 90) {
		size_t k, n = fz_rnd(w, len);

		for (k = 0; k < n; k++)
			buf[k] = 1 + fz_rnd(w, 255);
		buf[n] = '\0';
		return buf;
	}
	for (i = 0; i < sizeof(knob_pools) / sizeof(knob_pools[0]); i++)
		if (!strcmp(base, knob_pools[i].name))
			return knob_pools[i].v[fz_rnd(w, knob_pools[i].n)];
	if (!strcmp(base, "force")) {
		static const char *const v[] = { "on", "unspecified", "on-digital", "off", "x" };

		/* "off" disconnects the connector: rarely. */
		return v[fz_rnd(w, r < 5 ? 5 : 3)];
	}
	if (!strcmp(base, "edid_override"))
		return "reset";
	return "1";
}

void fz_op_debugfs_write(struct fz_worker *w)
{
	const struct fz_debugfs *d = pick_debugfs(w, true);
	char *buf = (char *)w->scratch + 16384;
	const char *v;
	ssize_t n;
	int fd, ret = 0;

	if (!d)
		return;
	v = write_value(w, d->path, buf, 64);
	fz_trace(w, "debugfs_write %s len %zu", d->path, strlen(v));
	fd = open(d->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fz_rec(w, OP_debugfs_write, -errno);
		return;
	}
	n = write(fd, v, strlen(v));
	if (n < 0)
		ret = -errno;
	close(fd);
	fz_rec(w, OP_debugfs_write, ret);
}

/* ---- fd passing between workers ------------------------------------------------- */

/* What travels with an fd. */
struct fd_msg {
	int32_t kind;		/* fz_fdkind, or -1 for a DRM file */
	int32_t origin;
	int32_t dev;
	uint8_t rdwr, render;
	uint64_t size;
};

void fz_op_send_fd(struct fz_worker *w)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct fd_msg m = { .kind = -1, .origin = -1, .dev = -1 };
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	int fd = -1;

	if (w->sock_send < 0)
		return;
	if (w->nfiles && fz_chance(w, 10)) {
		struct fz_file *f = &w->files[fz_rnd(w, w->nfiles)];

		/* Now two processes share this file's handles. */
		f->received = true;
		fd = f->fd;
		m.dev = f->dev;
		m.render = f->render;
	} else {
		enum fz_fdkind kind = fz_rnd(w, FZ_NFDKINDS);
		struct fz_fd *e = fz_pick_fd(w, kind);

		if (!e)
			return;
		fd = e->fd;
		m.kind = kind;
		m.origin = e->origin;
		m.rdwr = e->rdwr;
		m.size = e->size;
	}
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	fz_trace(w, "send_fd %d kind %d", fd, m.kind);
	fz_rec(w, OP_send_fd, sendmsg(w->sock_send, &mh, MSG_DONTWAIT) < 0 ? -errno : 0);
}

void fz_op_recv_fd(struct fz_worker *w)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct fd_msg m;
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	ssize_t n;
	int fd;

	if (w->sock_recv < 0)
		return;
	fz_trace(w, "recv_fd");
	n = recvmsg(w->sock_recv, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	fz_rec(w, OP_recv_fd, n < 0 ? -errno : 0);
	cm = n == (ssize_t)sizeof(m) ? CMSG_FIRSTHDR(&mh) : NULL;
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	if (m.kind < 0) {
		struct fz_file *f;

		if (m.dev < 0 || m.dev >= fz_cfg.ndevs) {
			close(fd);
			return;
		}
		if (w->nfiles == FZ_MAX_FILES)
			fz_file_release(w, &w->files[fz_rnd(w, w->nfiles)]);
		f = &w->files[w->nfiles++];
		memset(f, 0, sizeof(*f));
		f->fd = fd;
		f->dev = m.dev;
		f->render = m.render;
		f->received = true;
	} else if (m.kind < FZ_NFDKINDS) {
		struct fz_fd *e = fz_add_fd(w, m.kind, fd);

		if (e) {
			e->origin = m.origin;
			e->rdwr = m.rdwr;
			e->size = m.size;
		}
	} else {
		close(fd);
	}
}
