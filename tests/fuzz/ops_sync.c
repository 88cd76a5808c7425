// SPDX-License-Identifier: MIT
/*
 * vprime-fuzz: syncobjs (binary and timeline), sync_files and the dma-buf
 * ioctls (SYNC brackets, SET_NAME, EXPORT/IMPORT_SYNC_FILE).
 *
 * Waits are bounded: timeouts are at most a few tens of milliseconds ahead
 * (or in the past), and a periodic SIGALRM interrupts anything that waits
 * longer. Array counts stay below a few thousand: the core allocates
 * count-sized arrays before looking at them, and huge counts there are a
 * core matter, not the drivers'.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "fuzz.h"

/* 6.4+ layouts with the deadline; older kernels ignore the tail. */
struct fz_syncobj_wait {
	uint64_t handles;
	int64_t timeout_nsec;
	uint32_t count_handles;
	uint32_t flags;
	uint32_t first_signaled;
	uint32_t pad;
	uint64_t deadline_nsec;
};

struct fz_syncobj_timeline_wait {
	uint64_t handles;
	uint64_t points;
	int64_t timeout_nsec;
	uint32_t count_handles;
	uint32_t flags;
	uint32_t first_signaled;
	uint32_t pad;
	uint64_t deadline_nsec;
};

struct fz_syncobj_eventfd {
	uint32_t handle;
	uint32_t flags;
	uint64_t point;
	int32_t fd;
	uint32_t pad;
};

#define FZ_IOCTL_SYNCOBJ_WAIT		DRM_IOWR(0xC3, struct fz_syncobj_wait)
#define FZ_IOCTL_SYNCOBJ_TIMELINE_WAIT	DRM_IOWR(0xCA, struct fz_syncobj_timeline_wait)
#define FZ_IOCTL_SYNCOBJ_EVENTFD	DRM_IOWR(0xCF, struct fz_syncobj_eventfd)

#ifndef DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE
#define DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE	(1u << 3)	/* 6.4 */
#endif
#define WAIT_FLAGS	0xfu	/* ALL, FOR_SUBMIT, AVAILABLE, DEADLINE */

/* An absolute CLOCK_MONOTONIC timeout: soon, now, or in the past. */
static int64_t wait_timeout(struct fz_worker *w)
{
	unsigned int r = fz_rnd(w, 100);

	if (r < 60)
		return fz_now_ns() + fz_rnd(w, 20) * 1000000;
	if (r < 80)
		return 0;
	if (r < 95)
		return fz_now_ns() - fz_rnd(w, 1000000000);
	return fz_chance(w, 50) ? -1 : INT64_MIN;
}

/* A count for a handles array of @n live entries. */
static uint32_t array_count(struct fz_worker *w, uint32_t n)
{
	static const uint32_t odd[] = { 0, 1, 65, 256, 4096 };

	if (fz_corrupt_p(w, 1))
		return odd[fz_rnd(w, 5)];
	return n;
}

/* Up to @max syncobj handles of @f into scratch; returns the count. */
static uint32_t fill_handles(struct fz_worker *w, struct fz_file *f,
			     uint32_t *handles, uint64_t *points,
			     uint32_t max, bool timeline)
{
	uint32_t n = 1 + fz_rnd(w, max), i;

	for (i = 0; i < n; i++) {
		struct fz_syncobj *s;

		handles[i] = fz_syncobj_arg(w, f, &s);
		if (!points)
			continue;
		if (!timeline || !s || fz_chance(w, 20))
			points[i] = 0;
		else
			points[i] = fz_chance(w, 80) ? 1 + fz_rnd(w, s->point + 1) :
				    s->point + 1 + fz_rnd(w, 4);
		points[i] = fz_maybe64(w, points[i]);
	}
	return n;
}

void fz_op_syncobj_create(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_ANY);
	struct drm_syncobj_create a = { 0 };

	if (!f)
		return;
	a.flags = fz_chance(w, 30) ? DRM_SYNCOBJ_CREATE_SIGNALED : 0;
	a.flags = fz_maybe32(w, a.flags);
	fz_trace(w, "syncobj_create fd %d flags %#x", f->fd, a.flags);
	if (!fz_ioctl(w, OP_syncobj_create, f->fd, DRM_IOCTL_SYNCOBJ_CREATE, &a))
		fz_add_syncobj(w, f, a.handle);
}

void fz_op_syncobj_destroy(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_ANY);
	struct drm_syncobj_destroy a = { 0 };
	struct fz_syncobj *s;

	if (!f)
		return;
	a.handle = fz_syncobj_arg(w, f, &s);
	a.pad = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "syncobj_destroy fd %d handle %u pad %u", f->fd, a.handle, a.pad);
	if (!fz_ioctl(w, OP_syncobj_destroy, f->fd, DRM_IOCTL_SYNCOBJ_DESTROY, &a))
		fz_forget_syncobj(w, f, a.handle);
}

void fz_op_syncobj_to_fd(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_ANY);
	struct drm_syncobj_handle a = { .fd = -1 };
	struct fz_syncobj *s;
	bool sync_file = fz_chance(w, 50);

	if (!f)
		return;
	a.handle = fz_syncobj_arg(w, f, &s);
	a.flags = sync_file ? DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE : 0;
	a.flags = fz_maybe32(w, a.flags);
	a.pad = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "syncobj_to_fd fd %d handle %u flags %#x", f->fd, a.handle, a.flags);
	if (fz_ioctl(w, OP_syncobj_to_fd, f->fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a))
		return;
	fz_add_fd(w, a.flags & DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE ?
		  FD_SYNCFILE : FD_SYNCOBJ, a.fd);
}

void fz_op_syncobj_from_fd(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_ANY);
	struct drm_syncobj_handle a = { 0 };
	bool sync_file = fz_chance(w, 50);
	struct fz_syncobj *s;
	struct fz_fd *e;

	if (!f)
		return;
	if (sync_file) {
		/* Into an existing syncobj. */
		a.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE;
		a.fd = fz_fd_arg(w, FD_SYNCFILE, &e);
		a.handle = fz_syncobj_arg(w, f, &s);
	} else {
		a.fd = fz_fd_arg(w, FD_SYNCOBJ, &e);
	}
	a.flags = fz_maybe32(w, a.flags);
	a.pad = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "syncobj_from_fd fd %d fd %d handle %u flags %#x", f->fd,
		 a.fd, a.handle, a.flags);
	if (fz_ioctl(w, OP_syncobj_from_fd, f->fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &a))
		return;
	if (!(a.flags & DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE))
		fz_add_syncobj(w, f, a.handle);
}

void fz_op_syncobj_wait(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_ANY);
	uint32_t *handles = (void *)w->scratch;
	struct fz_syncobj_wait a = { 0 };
	uint32_t n;

	if (!f)
		return;
	n = fill_handles(w, f, handles, NULL, 4, false);
	a.handles = fz_maybe_ptr(w, handles, false);
	a.count_handles = array_count(w, n);
	a.timeout_nsec = wait_timeout(w);
	a.flags = fz_rnd(w, 8) & (DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL |
				  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
				  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE);
	if (a.flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE)
		a.deadline_nsec = fz_now_ns() + fz_rnd(w, 50000000);
	a.flags = fz_maybe32(w, a.flags);
	a.pad = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "syncobj_wait fd %d n %u timeout %lld flags %#x", f->fd,
		 a.count_handles, (long long)a.timeout_nsec, a.flags);
	fz_ioctl(w, OP_syncobj_wait, f->fd, FZ_IOCTL_SYNCOBJ_WAIT, &a);
}

void fz_op_syncobj_timeline_wait(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_ANY);
	uint32_t *handles = (void *)w->scratch;
	uint64_t *points = (void *)(w->scratch + 4096);
	struct fz_syncobj_timeline_wait a = { 0 };
	uint32_t n;

	if (!f)
		return;
	n = fill_handles(w, f, handles, points, 4, true);
	a.handles = fz_maybe_ptr(w, handles, false);
	a.points = fz_maybe_ptr(w, points, false);
	a.count_handles = array_count(w, n);
	a.timeout_nsec = wait_timeout(w);
	a.flags = fz_rnd(w, 16) & WAIT_FLAGS;
	if (a.flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE)
		a.deadline_nsec = fz_now_ns() + fz_rnd(w, 50000000);
	a.flags = fz_maybe32(w, a.flags);
	a.pad = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "syncobj_timeline_wait fd %d n %u pt0 %llu timeout %lld flags %#x",
		 f->fd, a.count_handles, (unsigned long long)points[0],
		 (long long)a.timeout_nsec, a.flags);
	fz_ioctl(w, OP_syncobj_timeline_wait, f->fd, FZ_IOCTL_SYNCOBJ_TIMELINE_WAIT, &a);
}

static void syncobj_array_op(struct fz_worker *w, enum fz_op op,
			     unsigned long req)
{
	struct fz_file *f = fz_pick_file(w, PICK_ANY);
	uint32_t *handles = (void *)w->scratch;
	struct drm_syncobj_array a = { 0 };
	uint32_t n;

	if (!f)
		return;
	n = fill_handles(w, f, handles, NULL, 3, false);
	a.handles = fz_maybe_ptr(w, handles, false);
	a.count_handles = array_count(w, n);
	a.pad = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "%s fd %d n %u h0 %u", fz_op_names[op], f->fd,
		 a.count_handles, handles[0]);
	fz_ioctl(w, op, f->fd, req, &a);
}

void fz_op_syncobj_reset(struct fz_worker *w)
{
	syncobj_array_op(w, OP_syncobj_reset, DRM_IOCTL_SYNCOBJ_RESET);
}

void fz_op_syncobj_signal(struct fz_worker *w)
{
	syncobj_array_op(w, OP_syncobj_signal, DRM_IOCTL_SYNCOBJ_SIGNAL);
}

static void timeline_array_op(struct fz_worker *w, enum fz_op op,
			      unsigned long req, bool signal)
{
	struct fz_file *f = fz_pick_file(w, PICK_ANY);
	uint32_t *handles = (void *)w->scratch;
	uint64_t *points = (void *)(w->scratch + 4096);
	struct drm_syncobj_timeline_array a = { 0 };
	uint32_t n, i;

	if (!f)
		return;
	n = fill_handles(w, f, handles, points, 3, true);
	if (signal) {
		/* Signal new points, mostly in order. */
		for (i = 0; i < n; i++) {
			struct fz_syncobj *s = NULL;
			int k;

			for (k = 0; k < f->nso; k++)
				if (f->so[k].h == handles[i])
					s = &f->so[k];
			if (s && fz_chance(w, 80)) {
				points[i] = s->point + 1 + fz_rnd(w, 2);
				s->point = points[i];
			}
		}
	}
	a.handles = fz_maybe_ptr(w, handles, false);
	a.points = fz_maybe_ptr(w, points, !signal);
	a.count_handles = array_count(w, n);
	a.flags = signal ? 0 : fz_chance(w, 30) ? DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED : 0;
	a.flags = fz_maybe32(w, a.flags);
	fz_trace(w, "%s fd %d n %u h0 %u pt0 %llu flags %#x", fz_op_names[op],
		 f->fd, a.count_handles, handles[0],
		 (unsigned long long)points[0], a.flags);
	fz_ioctl(w, op, f->fd, req, &a);
}

void fz_op_syncobj_timeline_signal(struct fz_worker *w)
{
	timeline_array_op(w, OP_syncobj_timeline_signal,
			  DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, true);
}

void fz_op_syncobj_query(struct fz_worker *w)
{
	timeline_array_op(w, OP_syncobj_query, DRM_IOCTL_SYNCOBJ_QUERY, false);
}

void fz_op_syncobj_transfer(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_ANY);
	struct drm_syncobj_transfer a = { 0 };
	struct fz_syncobj *src, *dst;

	if (!f)
		return;
	a.src_handle = fz_syncobj_arg(w, f, &src);
	a.dst_handle = fz_syncobj_arg(w, f, &dst);
	if (src && src->point && fz_chance(w, 60))
		a.src_point = 1 + fz_rnd(w, src->point);
	if (dst && fz_chance(w, 60)) {
		a.dst_point = dst->point + 1;
		dst->point = a.dst_point;
	}
	a.src_point = fz_maybe64(w, a.src_point);
	a.dst_point = fz_maybe64(w, a.dst_point);
	a.flags = fz_chance(w, 20) ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT : 0;
	a.flags = fz_maybe32(w, a.flags);
	a.pad = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "syncobj_transfer fd %d %u:%llu -> %u:%llu flags %#x", f->fd,
		 a.src_handle, (unsigned long long)a.src_point, a.dst_handle,
		 (unsigned long long)a.dst_point, a.flags);
	fz_ioctl(w, OP_syncobj_transfer, f->fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &a);
}

void fz_op_syncobj_eventfd(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_ANY);
	struct fz_syncobj_eventfd a = { 0 };
	struct fz_syncobj *s;
	int efd;

	if (!f)
		return;
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	a.handle = fz_syncobj_arg(w, f, &s);
	a.flags = fz_chance(w, 30) ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE : 0;
	a.flags = fz_maybe32(w, a.flags);
	a.point = s && s->point ? 1 + fz_rnd(w, s->point + 1) : 0;
	a.point = fz_maybe64(w, a.point);
	a.fd = fz_corrupt_p(w, 1) ? fz_bad_fd(w) : efd;
	a.pad = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "syncobj_eventfd fd %d handle %u point %llu efd %d flags %#x",
		 f->fd, a.handle, (unsigned long long)a.point, a.fd, a.flags);
	fz_ioctl(w, OP_syncobj_eventfd, f->fd, FZ_IOCTL_SYNCOBJ_EVENTFD, &a);
	/* The kernel keeps its own reference until the point signals. */
	if (efd >= 0)
		close(efd);
}

/* ---- dma-buf ioctls -------------------------------------------------------- */

static const uint64_t sync_dirs[] = {
	DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW,
};

void fz_op_dmabuf_sync(struct fz_worker *w)
{
	struct dma_buf_sync a = { 0 };
	struct fz_fd *e;
	int fd = fz_fd_arg(w, FD_DMABUF, &e);

	if (e && e->bracket && fz_chance(w, 75)) {
		a.flags = DMA_BUF_SYNC_END | e->bracket;
		/* An END of another direction than the START now and then. */
		if (fz_chance(w, 10))
			a.flags = DMA_BUF_SYNC_END | sync_dirs[fz_rnd(w, 3)];
	} else {
		a.flags = (fz_chance(w, 90) ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END) |
			  sync_dirs[fz_rnd(w, 3)];
	}
	a.flags = fz_maybe64(w, a.flags);
	fz_trace(w, "dmabuf_sync dmabuf %d flags %#llx (open %#x)", fd,
		 (unsigned long long)a.flags, e ? e->bracket : 0);
	if (fz_ioctl(w, OP_dmabuf_sync, fd, DMA_BUF_IOCTL_SYNC, &a) || !e)
		return;
	if (a.flags & DMA_BUF_SYNC_END)
		e->bracket = 0;
	else
		e->bracket = a.flags & DMA_BUF_SYNC_RW;
}

void fz_op_dmabuf_set_name(struct fz_worker *w)
{
	char *name = (char *)w->scratch + 8192;
	struct fz_fd *e;
	int fd = fz_fd_arg(w, FD_DMABUF, &e);
	unsigned int len = fz_rnd(w, 40), i;
	uint64_t ptr;

	for (i = 0; i < len; i++)
		name[i] = 'a' + fz_rnd(w, 26);
	name[len] = '\0';
	ptr = fz_maybe_ptr(w, name, false);
	fz_trace(w, "dmabuf_set_name dmabuf %d len %u ptr %#llx", fd, len,
		 (unsigned long long)ptr);
	fz_rec(w, OP_dmabuf_set_name,
	       ioctl(fd, DMA_BUF_SET_NAME_B, (void *)(uintptr_t)ptr) ? -errno : 0);
}

void fz_op_dmabuf_export_sync_file(struct fz_worker *w)
{
	struct dma_buf_export_sync_file a = { .fd = -1 };
	struct fz_fd *e;
	int fd = fz_fd_arg(w, FD_DMABUF, &e);

	a.flags = fz_maybe32(w, sync_dirs[fz_rnd(w, 3)]);
	fz_trace(w, "dmabuf_export_sync_file dmabuf %d flags %#x", fd, a.flags);
	if (!fz_ioctl(w, OP_dmabuf_export_sync_file, fd,
		      DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &a))
		fz_add_fd(w, FD_SYNCFILE, a.fd);
}

void fz_op_dmabuf_import_sync_file(struct fz_worker *w)
{
	struct dma_buf_import_sync_file a = { 0 };
	struct fz_fd *e, *s;
	int fd = fz_fd_arg(w, FD_DMABUF, &e);

	a.flags = fz_maybe32(w, sync_dirs[fz_rnd(w, 3)]);
	a.fd = fz_fd_arg(w, FD_SYNCFILE, &s);
	fz_trace(w, "dmabuf_import_sync_file dmabuf %d flags %#x sync_file %d",
		 fd, a.flags, a.fd);
	fz_ioctl(w, OP_dmabuf_import_sync_file, fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &a);
}

/* ---- sync_file and poll ---------------------------------------------------- */

void fz_op_fd_poll(struct fz_worker *w)
{
	struct pollfd p = { .events = POLLIN | POLLOUT | POLLPRI };
	enum fz_fdkind kind = fz_rnd(w, FZ_NFDKINDS);
	struct fz_fd *e;

	p.fd = fz_fd_arg(w, kind, &e);
	if (!e && w->nfiles && fz_chance(w, 30))
		p.fd = w->files[fz_rnd(w, w->nfiles)].fd;
	fz_trace(w, "fd_poll fd %d", p.fd);
	fz_rec(w, OP_fd_poll, poll(&p, 1, fz_chance(w, 90) ? 0 : 5) < 0 ? -errno : 0);
}

void fz_make_sync_file(struct fz_worker *w)
{
	struct fz_fd *e = fz_pick_fd(w, FD_DMABUF);
	struct dma_buf_export_sync_file a = { .flags = DMA_BUF_SYNC_RW, .fd = -1 };

	if (!e)
		return;
	fz_trace(w, "dmabuf_export_sync_file dmabuf %d (make_sync_file)", e->fd);
	if (!fz_ioctl(w, OP_dmabuf_export_sync_file, e->fd,
		      DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &a))
		fz_add_fd(w, FD_SYNCFILE, a.fd);
}

void fz_op_sync_merge(struct fz_worker *w)
{
	struct sync_merge_data a = { .fence = -1 };
	struct fz_fd *e1, *e2;
	int fd;

	if (w->nfds[FD_SYNCFILE] < 2)
		fz_make_sync_file(w);
	fd = fz_fd_arg(w, FD_SYNCFILE, &e1);
	a.fd2 = fz_chance(w, 10) ? fd : fz_fd_arg(w, FD_SYNCFILE, &e2);
	snprintf(a.name, sizeof(a.name), "fz%d", w->idx);
	a.flags = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	a.pad = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "sync_merge %d + %d flags %#x", fd, a.fd2, a.flags);
	if (!fz_ioctl(w, OP_sync_merge, fd, SYNC_IOC_MERGE, &a))
		fz_add_fd(w, FD_SYNCFILE, a.fence);
}

void fz_op_sync_info(struct fz_worker *w)
{
	struct sync_fence_info *infos = (void *)(w->scratch + 8192);
	struct sync_file_info a = { 0 };
	struct fz_fd *e;
	int fd = fz_fd_arg(w, FD_SYNCFILE, &e);

	if (fz_chance(w, 50)) {
		fz_trace(w, "sync_info fd %d (count)", fd);
		if (fz_ioctl(w, OP_sync_info, fd, SYNC_IOC_FILE_INFO, &a))
			return;
	}
	/* Room for 64 entries in scratch; a count above what is there: -EINVAL. */
	if (a.num_fences > 64)
		a.num_fences = 64;
	a.num_fences = fz_maybe32(w, a.num_fences ? a.num_fences : fz_rnd(w, 4));
	if (a.num_fences > 64)
		a.num_fences = 64 + fz_rnd(w, 2);
	a.sync_fence_info = fz_maybe_ptr(w, infos, true);
	a.flags = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	a.pad = 0;
	fz_trace(w, "sync_info fd %d num %u flags %#x", fd, a.num_fences, a.flags);
	fz_ioctl(w, OP_sync_info, fd, SYNC_IOC_FILE_INFO, &a);
}
