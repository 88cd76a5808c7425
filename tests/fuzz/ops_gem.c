// SPDX-License-Identifier: MIT
/*
 * vprime-fuzz: core GEM ioctls (close, flink, open), PRIME export and
 * import across every device, dumb buffers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fuzz.h"

void fz_op_gem_close(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_ANY);
	struct drm_gem_close a = { 0 };
	struct fz_handle *h;

	if (!f)
		return;
	a.handle = fz_handle_arg(w, f, &h);
	a.pad = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "gem_close fd %d handle %u pad %u", f->fd, a.handle, a.pad);
	if (!fz_ioctl(w, OP_gem_close, f->fd, DRM_IOCTL_GEM_CLOSE, &a))
		fz_forget_handle(w, f, a.handle);
}

void fz_op_gem_flink(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_CARD);
	struct drm_gem_flink a = { 0 };
	struct fz_handle *h;
	struct fz_flink *fl;

	if (!f)
		return;
	a.handle = fz_handle_arg(w, f, &h);
	fz_trace(w, "gem_flink fd %d handle %u", f->fd, a.handle);
	if (fz_ioctl(w, OP_gem_flink, f->fd, DRM_IOCTL_GEM_FLINK, &a))
		return;
	fl = w->nflinks < FZ_MAX_FLINKS ? &w->flinks[w->nflinks++] :
	     &w->flinks[fz_rnd(w, FZ_MAX_FLINKS)];
	fl->name = a.name;
	fl->dev = f->dev;
	fl->fd = f->fd;
	fl->h = a.handle;
	fl->size = h ? h->size : 0;
}

/*
 * The pool's handle that still names @fl's object, or NULL. A name dies
 * with its object and the number comes back for the next object flinked
 * on the device, by any worker, so a name remembered is only trusted
 * while a handle of ours still holds it: the handle it was made from,
 * found again, not shared, and FLINK on it gives the same name.
 */
static struct fz_handle *flink_source(struct fz_worker *w,
				      const struct fz_flink *fl)
{
	struct drm_gem_flink a = { .handle = fl->h };
	struct fz_handle *h;
	int i;

	for (i = 0; i < w->nfiles; i++) {
		struct fz_file *f = &w->files[i];

		if (f->fd != fl->fd || f->dev != fl->dev || f->received)
			continue;
		h = fz_find_handle(f, fl->h);
		if (h && !ioctl(f->fd, DRM_IOCTL_GEM_FLINK, &a) &&
		    a.name == fl->name)
			return h;
	}
	return NULL;
}

void fz_op_gem_open(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_CARD);
	struct drm_gem_open a = { 0 };
	struct fz_flink *fl = NULL;
	struct fz_handle *src;

	if (!f)
		return;
	if (w->nflinks && !fz_corrupt_p(w, 2)) {
		fl = &w->flinks[fz_rnd(w, w->nflinks)];
		a.name = fl->name;
	} else {
		/* Names are global to a device: other workers' live ones. */
		a.name = fz_chance(w, 70) ? 1 + fz_rnd(w, 256) : fz_corrupt32(w, 0);
	}
	fz_trace(w, "gem_open fd %d name %u", f->fd, a.name);
	if (fz_ioctl(w, OP_gem_open, f->fd, DRM_IOCTL_GEM_OPEN, &a))
		return;
	/* Our own live name: we know what it names; another worker's: not. */
	src = fl && fl->dev == f->dev && !f->received ? flink_source(w, fl) : NULL;
	if (src && src->origin >= 0)
		fz_add_handle(w, f, a.handle, a.size,
			      src->flags & (H_FOREIGN | H_RO | H_HUGE), src->origin);
	else
		fz_add_handle(w, f, a.handle, a.size, 0, -1);
}

static uint64_t dmabuf_size(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);

	return end > 0 ? (uint64_t)end : 0;
}

int fz_export(struct fz_worker *w, struct fz_file *f, struct fz_handle *h,
	      uint32_t flags)
{
	struct drm_prime_handle a = { .handle = h->h, .flags = flags, .fd = -1 };
	struct fz_fd *e;
	int ret;

	fz_trace(w, "prime_export fd %d handle %u flags %#x", f->fd, a.handle, flags);
	ret = fz_ioctl(w, OP_prime_export, f->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &a);
	if (ret)
		return ret;
	e = fz_add_fd(w, FD_DMABUF, a.fd);
	if (!e)
		return -EBADF;
	/*
	 * What the dma-buf is, from the fd itself: an object has one dma-buf,
	 * so a second export gets the first's mode, and the handle may not
	 * be what the pool thinks if another process shares the file. Nor is
	 * its origin then: unknown (-1) rather than wrong.
	 *
	 * An imported object exports the dma-buf it was imported from, so
	 * the origin is the handle's, never simply this device: a handle of
	 * unknown origin (an import of an unknown dma-buf, a GETFB handle,
	 * another worker's flink name) may be any device's, this one's
	 * included, and importing its dma-buf back there is a self-import.
	 */
	e->rdwr = (fcntl(a.fd, F_GETFL) & O_ACCMODE) == O_RDWR;
	e->size = dmabuf_size(a.fd);
	e->origin = f->received ? -1 : h->origin;
	return a.fd;
}

void fz_op_prime_export(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_ANY);
	struct drm_prime_handle a = { .fd = -1 };
	struct fz_handle *h;
	unsigned int r = fz_rnd(w, 100);
	uint32_t flags;

	if (!f)
		return;
	if (!f->nh)
		fz_make_buffer(w, f);
	a.handle = fz_handle_arg(w, f, &h);
	flags = r < 60 ? DRM_CLOEXEC | DRM_RDWR : r < 92 ? DRM_CLOEXEC : r < 96 ? 0 : DRM_RDWR;
	flags = fz_maybe32(w, flags);
	if (h && (h->flags & H_GETFB) && FZ_AVOID(AVOID_GETFB_EXPORT))
		return;	/* known: re-export after GETFB2 of a closed handle */
	if (h && !fz_corrupt_p(w, 1)) {
		fz_export(w, f, h, flags);
		return;
	}
	a.flags = flags;
	fz_trace(w, "prime_export fd %d handle %u flags %#x (raw)", f->fd, a.handle, flags);
	if (!fz_ioctl(w, OP_prime_export, f->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &a)) {
		struct fz_fd *e = fz_add_fd(w, FD_DMABUF, a.fd);

		if (e) {
			e->rdwr = (fcntl(a.fd, F_GETFL) & O_ACCMODE) == O_RDWR;
			e->size = dmabuf_size(a.fd);
		}
	}
}

void fz_op_prime_import(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_ANY);
	struct drm_prime_handle a = { 0 };
	struct fz_fd *e;
	uint32_t flags = 0;
	int origin = -1, i;

	if (!f)
		return;
	a.fd = fz_fd_arg(w, FD_DMABUF, &e);
	/* A third of the imports go back to the exporting device. */
	if (e && e->origin >= 0 && e->origin != f->dev && fz_chance(w, 33))
		for (i = 0; i < w->nfiles; i++)
			if (w->files[i].dev == e->origin) {
				f = &w->files[i];
				break;
			}
	a.flags = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	if (e) {
		origin = e->origin;
		if (origin >= 0 && origin != f->dev) {
			flags |= H_FOREIGN;
			if (!e->rdwr)
				flags |= H_RO;
		}
	}
	fz_trace(w, "prime_import fd %d dmabuf %d (origin %d%s) flags %#x", f->fd,
		 a.fd, origin, e && !e->rdwr ? ", ro" : "", a.flags);
	if (fz_ioctl(w, OP_prime_import, f->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &a))
		return;
	/* The size of what was imported, from the dma-buf itself. */
	fz_add_handle(w, f, a.handle, dmabuf_size(a.fd), flags, origin);
}

/* ---- dumb buffers -------------------------------------------------------- */

void fz_op_dumb_create(struct fz_worker *w)
{
	static const struct { uint32_t w, h, bpp; } kms[] = {
		{ 640, 480, 32 }, { 1024, 768, 32 }, { 64, 64, 32 },
		{ 256, 256, 32 }, { 640, 480, 16 }, { 800, 600, 32 },
	};
	struct fz_file *f = fz_pick_file(w, PICK_CARD);
	struct drm_mode_create_dumb a = { 0 };
	unsigned int r = fz_rnd(w, 100);
	uint64_t bytes, stride;
	struct fz_handle *h;

	if (!f)
		return;
	if (r < 45 || (fz_cfg.devs[f->dev].kms && r < 80)) {
		unsigned int k = fz_rnd(w, sizeof(kms) / sizeof(kms[0]));

		/* 1024x768 costs 3 MiB: mostly the smaller ones. */
		if (k == 1 && fz_chance(w, 60))
			k = 0;
		a.width = kms[k].w;
		a.height = kms[k].h;
		a.bpp = kms[k].bpp;
	} else {
		static const uint32_t bpps[] = { 8, 16, 24, 32 };

		a.width = 1 + fz_rnd(w, 1024);
		a.height = 1 + fz_rnd(w, 256);
		a.bpp = bpps[fz_rnd(w, 4)];
	}
	if (fz_corrupt_p(w, 2)) {
		switch (fz_rnd(w, 5)) {
		case 0:	/* just under 4 GiB */
			a.width = 32768;
			a.height = 32767;
			a.bpp = 32;
			break;
		case 1:
			a.width = fz_corrupt32(w, a.width);
			break;
		case 2:
			a.height = fz_corrupt32(w, a.height);
			break;
		case 3:
			a.bpp = fz_corrupt32(w, a.bpp);
			break;
		default:
			a.flags = fz_corrupt32(w, 0);
			break;
		}
	}
	/* The size the core's checks let through (drm_mode_create_dumb()). */
	stride = (((uint64_t)a.bpp + 7) / 8) * a.width;
	bytes = stride * a.height;
	if (FZ_AVOID(AVOID_HUGE) && a.bpp <= 0xffffffffu - 8 && stride <= 0xffffffffu &&
	    bytes <= 0xffffffffu && bytes > FZ_HUGE_SIZE)
		return;	/* known: memory exhaustion by huge buffers */
	fz_trace(w, "dumb_create fd %d %ux%u bpp %u flags %#x", f->fd, a.width,
		 a.height, a.bpp, a.flags);
	if (fz_ioctl(w, OP_dumb_create, f->fd, DRM_IOCTL_MODE_CREATE_DUMB, &a))
		return;
	if (a.flags)
		fz_oracle(w, "CREATE_DUMB with flags %#x succeeded", a.flags);
	if (!fz_keep_size(w, f, a.handle, a.size))
		return;
	h = fz_add_handle(w, f, a.handle, a.size,
			  H_DUMB | (a.size > FZ_HUGE_SIZE ? H_HUGE : 0), f->dev);
	h->width = a.width;
	h->height = a.height;
	h->pitch = a.pitch;
	if (a.size > FZ_HUGE_SIZE) {
		w->ws->huge_accepted++;
		fprintf(stderr, "fuzz: worker %d #%llu: CREATE_DUMB accepted huge size %#llx\n",
			w->idx, (unsigned long long)w->op_seq,
			(unsigned long long)a.size);
	}
}

void fz_op_map_dumb(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_CARD);
	struct drm_mode_map_dumb a = { 0 };
	struct fz_handle *h;

	if (!f)
		return;
	a.handle = fz_handle_arg(w, f, &h);
	a.pad = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "map_dumb fd %d handle %u pad %u", f->fd, a.handle, a.pad);
	fz_ioctl(w, OP_map_dumb, f->fd, DRM_IOCTL_MODE_MAP_DUMB, &a);
}

void fz_op_dumb_destroy(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_CARD);
	struct drm_mode_destroy_dumb a = { 0 };
	struct fz_handle *h;

	if (!f)
		return;
	a.handle = fz_handle_arg(w, f, &h);
	fz_trace(w, "dumb_destroy fd %d handle %u", f->fd, a.handle);
	if (!fz_ioctl(w, OP_dumb_destroy, f->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &a))
		fz_forget_handle(w, f, a.handle);
}
