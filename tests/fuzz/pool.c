// SPDX-License-Identifier: MIT
/*
 * vprime-fuzz: pools of live objects and the argument pickers that draw
 * from them (mostly valid, sometimes stale, foreign or garbage).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

bool fz_is_vrender(int dev)
{
	return dev >= 0 && dev < fz_cfg.ndevs && !fz_cfg.devs[dev].kms;
}

static bool file_matches(const struct fz_file *f, int kind)
{
	switch (kind) {
	case PICK_VRENDER:
		return fz_is_vrender(f->dev);
	case PICK_CARD:
		return !f->render;
	case PICK_KMS:
		return fz_cfg.devs[f->dev].kms;
	default:
		return true;
	}
}

struct fz_file *fz_pick_file(struct fz_worker *w, int kind)
{
	int idx[FZ_MAX_FILES], n = 0, i;

	if (!w->nfiles)
		return NULL;
	/* KMS: the file that is DRM master, if we have it, mostly. */
	if (kind == PICK_KMS && fz_chance(w, 80))
		for (i = 0; i < w->nfiles; i++)
			if (w->files[i].master && fz_cfg.devs[w->files[i].dev].kms)
				return &w->files[i];
	/* The wrong kind of file now and then: ENOTTY, EOPNOTSUPP, ... */
	if (kind != PICK_ANY && !fz_corrupt_p(w, 1)) {
		for (i = 0; i < w->nfiles; i++)
			if (file_matches(&w->files[i], kind))
				idx[n++] = i;
		if (n)
			return &w->files[idx[fz_rnd(w, n)]];
		/* Closed by close_fd or pushed out by reopen: open one again. */
		for (i = 0; i < fz_cfg.ndevs; i++) {
			const struct fz_dev *d = &fz_cfg.devs[i];

			if ((kind == PICK_KMS && d->kms) ||
			    (kind == PICK_VRENDER && !d->kms) ||
			    (kind == PICK_CARD && fz_chance(w, 50))) {
				bool render = kind == PICK_VRENDER && d->render[0] &&
					      fz_chance(w, 50);

				if (fz_open_node(w, i, render) >= 0)
					return &w->files[w->nfiles - 1];
			}
		}
	}
	return &w->files[fz_rnd(w, w->nfiles)];
}

static void set_caps(int fd)
{
	struct drm_set_client_cap cap = { .capability = DRM_CLIENT_CAP_UNIVERSAL_PLANES, .value = 1 };

	ioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, &cap);
	cap.capability = DRM_CLIENT_CAP_ATOMIC;
	ioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, &cap);
}

static struct fz_file *add_file(struct fz_worker *w, int fd, int dev,
				bool render)
{
	struct fz_file *f;

	if (w->nfiles == FZ_MAX_FILES)
		fz_file_release(w, &w->files[fz_rnd(w, w->nfiles)]);
	f = &w->files[w->nfiles++];
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->dev = dev;
	f->render = render;
	return f;
}

int fz_open_node(struct fz_worker *w, int dev, bool render)
{
	const struct fz_dev *d = &fz_cfg.devs[dev];
	const char *path = render ? d->render : d->card;
	struct fz_file *f;
	int fd;

	if (!*path)
		return -ENOENT;
	fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	/* Most KMS clients are atomic; some stay legacy. */
	if (d->kms && fz_chance(w, 85))
		set_caps(fd);
	f = add_file(w, fd, dev, render);
	/* Master if nobody is: the first opener, or after a DROP_MASTER. */
	if (d->kms)
		f->master = !ioctl(fd, DRM_IOCTL_SET_MASTER, NULL);
	return fd;
}

void fz_file_release(struct fz_worker *w, struct fz_file *f)
{
	int i;

	for (i = 0; i < f->nh; i++)
		w->stale_handles[w->stale_h_pos++ % FZ_STALE] = f->hs[i].h;
	for (i = 0; i < f->nfb; i++)
		fz_remember_id(w, f->fb[i].id);
	w->stale_fds[w->stale_fd_pos++ % FZ_STALE] = f->fd;
	close(f->fd);
	*f = w->files[--w->nfiles];
}

/* ---- handles ----------------------------------------------------------- */

struct fz_handle *fz_find_handle(struct fz_file *f, uint32_t h)
{
	int i;

	for (i = 0; i < f->nh; i++)
		if (f->hs[i].h == h)
			return &f->hs[i];
	return NULL;
}

struct fz_handle *fz_pick_handle(struct fz_worker *w, struct fz_file *f)
{
	if (!f || !f->nh)
		return NULL;
	return &f->hs[fz_rnd(w, f->nh)];
}

uint32_t fz_handle_arg(struct fz_worker *w, struct fz_file *f,
		       struct fz_handle **hp)
{
	struct fz_handle *h = fz_pick_handle(w, f);
	uint32_t v;

	*hp = NULL;
	if (h && !fz_corrupt_p(w, 2)) {
		*hp = h;
		return h->h;
	}
	switch (fz_rnd(w, 5)) {
	case 0:
		v = w->stale_handles[fz_rnd(w, FZ_STALE)];
		break;
	case 1: {
		/* A live handle of another file: another object, or none. */
		struct fz_file *o = &w->files[fz_rnd(w, w->nfiles)];

		v = o->nh ? o->hs[fz_rnd(w, o->nh)].h : 1;
		break;
	}
	case 2:
		v = 0;
		break;
	case 3:
		v = h ? fz_corrupt32(w, h->h) : fz_corrupt32(w, 1);
		break;
	default:
		v = 1 + fz_rnd(w, 64);
		break;
	}
	*hp = fz_find_handle(f, v);
	return v;
}

struct fz_handle *fz_add_handle(struct fz_worker *w, struct fz_file *f,
				uint32_t h, uint64_t size, uint32_t flags,
				int origin)
{
	struct fz_handle *e = fz_find_handle(f, h);

	fz_trace(w, "  = fd %d handle %u size %#llx%s", f->fd, h,
		 (unsigned long long)size, e ? " (known)" : "");
	if (e) {
		/* The same handle again (self-import, GETFB of a live one). */
		if (!e->size)
			e->size = size;
		return e;
	}
	if (f->nh == FZ_MAX_HANDLES) {
		struct drm_gem_close c = { .handle = f->hs[fz_rnd(w, f->nh)].h };

		fz_ioctl(w, OP_gem_close, f->fd, DRM_IOCTL_GEM_CLOSE, &c);
		fz_forget_handle(w, f, c.handle);
	}
	e = &f->hs[f->nh++];
	memset(e, 0, sizeof(*e));
	e->h = h;
	e->size = size;
	e->flags = flags;
	e->origin = origin;
	return e;
}

void fz_forget_handle(struct fz_worker *w, struct fz_file *f, uint32_t h)
{
	struct fz_handle *e = fz_find_handle(f, h);

	if (!e)
		return;
	w->stale_handles[w->stale_h_pos++ % FZ_STALE] = h;
	*e = f->hs[--f->nh];
}

bool fz_keep_size(struct fz_worker *w, struct fz_file *f, uint32_t h,
		  uint64_t size)
{
	struct drm_gem_close c = { .handle = h };

	if (size <= FZ_KEEP_MAX || size > FZ_HUGE_SIZE)
		return true;
	fz_trace(w, "gem_close fd %d handle %u (size %#llx: too big to keep)",
		 f->fd, h, (unsigned long long)size);
	fz_ioctl(w, OP_gem_close, f->fd, DRM_IOCTL_GEM_CLOSE, &c);
	return false;
}

/* ---- syncobjs ------------------------------------------------------------ */

struct fz_syncobj *fz_pick_syncobj(struct fz_file *f, struct fz_worker *w)
{
	if (!f || !f->nso)
		return NULL;
	return &f->so[fz_rnd(w, f->nso)];
}

uint32_t fz_syncobj_arg(struct fz_worker *w, struct fz_file *f,
			struct fz_syncobj **sp)
{
	struct fz_syncobj *s = fz_pick_syncobj(f, w);
	uint32_t v;
	int i;

	*sp = NULL;
	if (s && !fz_corrupt_p(w, 2)) {
		*sp = s;
		return s->h;
	}
	switch (fz_rnd(w, 4)) {
	case 0:
		v = fz_stale_id(w);
		break;
	case 1:
		v = 0;
		break;
	case 2:
		v = s ? fz_corrupt32(w, s->h) : ~0u;
		break;
	default:
		v = 1 + fz_rnd(w, 32);
		break;
	}
	for (i = 0; i < f->nso; i++)
		if (f->so[i].h == v)
			*sp = &f->so[i];
	return v;
}

void fz_add_syncobj(struct fz_worker *w, struct fz_file *f, uint32_t h)
{
	int i;

	for (i = 0; i < f->nso; i++)
		if (f->so[i].h == h)
			return;
	if (f->nso == FZ_MAX_SYNCOBJS) {
		struct drm_syncobj_destroy d = { .handle = f->so[fz_rnd(w, f->nso)].h };

		fz_ioctl(w, OP_syncobj_destroy, f->fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
		fz_forget_syncobj(w, f, d.handle);
	}
	f->so[f->nso].h = h;
	f->so[f->nso].point = 0;
	f->nso++;
}

void fz_forget_syncobj(struct fz_worker *w, struct fz_file *f, uint32_t h)
{
	int i;

	for (i = 0; i < f->nso; i++) {
		if (f->so[i].h != h)
			continue;
		fz_remember_id(w, h);
		f->so[i] = f->so[--f->nso];
		return;
	}
}

/* ---- fds --------------------------------------------------------------- */

struct fz_fd *fz_find_fd(struct fz_worker *w, enum fz_fdkind kind, int fd)
{
	int i;

	for (i = 0; i < w->nfds[kind]; i++)
		if (w->fds[kind][i].fd == fd)
			return &w->fds[kind][i];
	return NULL;
}

struct fz_fd *fz_add_fd(struct fz_worker *w, enum fz_fdkind kind, int fd)
{
	struct fz_fd *e;

	if (fd < 0)
		return NULL;
	e = fz_find_fd(w, kind, fd);
	fz_trace(w, "  = %s fd %d%s", kind == FD_DMABUF ? "dma-buf" :
		 kind == FD_SYNCFILE ? "sync_file" : "syncobj", fd, e ? " (known)" : "");
	if (e)
		return e;
	if (w->nfds[kind] == FZ_MAX_FDS)
		fz_close_fd(w, kind, &w->fds[kind][fz_rnd(w, FZ_MAX_FDS)]);
	e = &w->fds[kind][w->nfds[kind]++];
	memset(e, 0, sizeof(*e));
	e->fd = fd;
	e->origin = -1;
	return e;
}

struct fz_fd *fz_pick_fd(struct fz_worker *w, enum fz_fdkind kind)
{
	if (!w->nfds[kind])
		return NULL;
	return &w->fds[kind][fz_rnd(w, w->nfds[kind])];
}

int fz_fd_arg(struct fz_worker *w, enum fz_fdkind kind, struct fz_fd **fp)
{
	struct fz_fd *f = fz_pick_fd(w, kind);

	*fp = NULL;
	if (f && !fz_corrupt_p(w, 2)) {
		*fp = f;
		return f->fd;
	}
	if (fz_chance(w, 50)) {
		/* A live fd of the wrong kind, or a DRM fd. */
		enum fz_fdkind other = fz_rnd(w, FZ_NFDKINDS);
		struct fz_fd *o = fz_pick_fd(w, other);

		if (o && other != kind)
			return o->fd;
		if (w->nfiles)
			return w->files[fz_rnd(w, w->nfiles)].fd;
	}
	return fz_bad_fd(w);
}

void fz_close_fd(struct fz_worker *w, enum fz_fdkind kind, struct fz_fd *f)
{
	fz_rec(w, OP_close_fd, close(f->fd) ? -errno : 0);
	w->stale_fds[w->stale_fd_pos++ % FZ_STALE] = f->fd;
	*f = w->fds[kind][--w->nfds[kind]];
}

void fz_close_random(struct fz_worker *w)
{
	int total = 0, k, pick;

	for (k = 0; k < FZ_NFDKINDS; k++)
		total += w->nfds[k];
	if (!total)
		return;
	pick = fz_rnd(w, total);
	for (k = 0; k < FZ_NFDKINDS; k++) {
		if (pick < w->nfds[k]) {
			fz_trace(w, "close_fd %d (kind %d)", w->fds[k][pick].fd, k);
			fz_close_fd(w, k, &w->fds[k][pick]);
			return;
		}
		pick -= w->nfds[k];
	}
}

/* ---- mappings ------------------------------------------------------------ */

struct fz_map *fz_add_map(struct fz_worker *w, void *addr, size_t len,
			  int prot, bool dmabuf)
{
	struct fz_map *m;

	if (w->nmaps == FZ_MAX_MAPS) {
		m = &w->maps[fz_rnd(w, w->nmaps)];
		fz_rec(w, OP_munmap, munmap(m->addr, m->len) ? -errno : 0);
		fz_forget_map(w, m);
	}
	m = &w->maps[w->nmaps++];
	m->addr = addr;
	m->len = len;
	m->prot = prot;
	m->dmabuf = dmabuf;
	return m;
}

void fz_forget_map(struct fz_worker *w, struct fz_map *m)
{
	*m = w->maps[--w->nmaps];
}

/* ---- stale ids ----------------------------------------------------------- */

uint32_t fz_stale_id(struct fz_worker *w)
{
	return w->stale_ids[fz_rnd(w, FZ_STALE)];
}

void fz_remember_id(struct fz_worker *w, uint32_t id)
{
	w->stale_ids[w->stale_id_pos++ % FZ_STALE] = id;
}

/* ---- fds the kernel made where nobody looked ------------------------------ */

bool fz_fd_is_pooled(struct fz_worker *w, int fd)
{
	int i, k;

	if (fd == w->sock_send || fd == w->sock_recv || fd == w->trace_fd)
		return true;
	for (i = 0; i < w->nfiles; i++)
		if (w->files[i].fd == fd)
			return true;
	for (k = 0; k < FZ_NFDKINDS; k++)
		if (fz_find_fd(w, k, fd))
			return true;
	return false;
}

/*
 * OUT_FENCE_PTR aimed at odd memory, a misaligned pointer, a SUBMIT whose
 * out_fence_fd we did not read back: the kernel may have installed fds we do
 * not know. Adopt sync_files, dma-bufs and syncobj fds; close the rest.
 */
void fz_sweep_fds(struct fz_worker *w)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int dfd;

	if (!d)
		return;
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		char path[64], link[128];
		ssize_t n;
		int fd = atoi(de->d_name);
		struct fz_fd *e;

		if (de->d_name[0] == '.' || fd < 3 || fd == dfd ||
		    fz_fd_is_pooled(w, fd))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (strstr(link, "sync_file")) {
			fz_add_fd(w, FD_SYNCFILE, fd);
		} else if (strstr(link, "dmabuf")) {
			e = fz_add_fd(w, FD_DMABUF, fd);
			if (e) {
				off_t end = lseek(fd, 0, SEEK_END);

				e->size = end > 0 ? (uint64_t)end : 0;
				e->rdwr = (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR;
			}
		} else if (strstr(link, "syncobj")) {
			fz_add_fd(w, FD_SYNCOBJ, fd);
		} else {
			close(fd);
		}
	}
	closedir(d);
}
