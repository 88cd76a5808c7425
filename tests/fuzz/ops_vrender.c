// SPDX-License-Identifier: MIT
/*
 * vprime-fuzz: the vrender ioctls (GEM_CREATE, GEM_INFO, FENCE_ATTACH,
 * FENCE_SIGNAL, SUBMIT fill and copy with every kind of in/out fence).
 *
 * Oracles: a call that the UAPI kernel-doc says must fail (size 0, unknown
 * flags, non-zero pad, a malformed job) must not succeed, and GEM_CREATE
 * reports the size it made.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define PAGE_ALIGN64(x)	(((x) + FZ_PAGE - 1) & ~(FZ_PAGE - 1))

/* A buffer size the pools like: mostly <= 1 MiB. */
uint64_t fz_pool_size(struct fz_worker *w)
{
	unsigned int r = fz_rnd(w, 100);

	if (r < 82) {
		uint64_t size = fz_logrnd(w, 256) * FZ_PAGE;

		/* Page-unaligned now and then: rounded up by the kernel. */
		if (fz_chance(w, 15))
			size -= fz_rnd(w, FZ_PAGE - 1);
		return size;
	}
	if (r < 88)
		return 640 * 480 * 4;	/* scanout-sized at 640x480 */
	if (r < 97)	/* whole huge pages, a small-page tail now and then */
		return (1 + fz_rnd(w, 4)) * FZ_HUGE_PAGE +
		       (fz_chance(w, 30) ? fz_rnd(w, 512) * FZ_PAGE : 0);
	return fz_logrnd(w, FZ_BIG_SIZE / FZ_PAGE) * FZ_PAGE;
}

static uint32_t create_flags(struct fz_worker *w)
{
	unsigned int r = fz_rnd(w, 100);

	if (fz_corrupt_p(w, 1))
		return fz_corrupt32(w, 0);
	if (r < 70)
		return 0;
	if (r < 82)
		return VRENDER_GEM_CREATE_STRICT;
	if (r < 94)
		return VRENDER_GEM_CREATE_TRACK_CPU;
	return VRENDER_GEM_CREATE_STRICT | VRENDER_GEM_CREATE_TRACK_CPU;
}

static int gem_create(struct fz_worker *w, struct fz_file *f, uint64_t size,
		      uint32_t flags)
{
	struct drm_vrender_gem_create a = { .size = size, .flags = flags };
	uint32_t known = VRENDER_GEM_CREATE_STRICT | VRENDER_GEM_CREATE_TRACK_CPU;
	uint64_t want = PAGE_ALIGN64(size);
	uint32_t hflags = 0;
	int ret;

	if (FZ_AVOID(AVOID_HUGE) && (want > FZ_HUGE_SIZE || want < size)) {
		/* Known: GEM_CREATE takes any size (oops, memory exhaustion). */
		fz_trace(w, "gem_create size %#llx skipped (avoid-known)",
			 (unsigned long long)size);
		return -ECANCELED;
	}
	fz_trace(w, "gem_create fd %d size %#llx flags %#x", f->fd,
		 (unsigned long long)size, flags);
	ret = fz_ioctl(w, OP_gem_create, f->fd, DRM_IOCTL_VRENDER_GEM_CREATE, &a);
	if (ret)
		return ret;
	if (!fz_is_vrender(f->dev))
		return 0;	/* not ours: nothing to check or keep */
	if (!want || (flags & ~known))
		fz_oracle(w, "GEM_CREATE size %#llx flags %#x succeeded (kernel-doc: -EINVAL)",
			  (unsigned long long)size, flags);
	else if (a.size != want)
		fz_oracle(w, "GEM_CREATE size %#llx made %#llx, expected %#llx",
			  (unsigned long long)size, (unsigned long long)a.size,
			  (unsigned long long)want);
	if (a.size > FZ_HUGE_SIZE || want > FZ_HUGE_SIZE || want < size) {
		w->ws->huge_accepted++;
		hflags |= H_HUGE;
		fprintf(stderr, "fuzz: worker %d #%llu: GEM_CREATE accepted huge size %#llx (made %#llx)\n",
			w->idx, (unsigned long long)w->op_seq,
			(unsigned long long)size, (unsigned long long)a.size);
	}
	if (flags & VRENDER_GEM_CREATE_TRACK_CPU)
		hflags |= H_TRACK;
	if (flags & VRENDER_GEM_CREATE_STRICT)
		hflags |= H_STRICT;
	if (fz_keep_size(w, f, a.handle, a.size))
		fz_add_handle(w, f, a.handle, a.size, hflags, f->dev);
	return 0;
}

void fz_op_gem_create(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_VRENDER);
	uint64_t size;

	if (!f)
		return;
	if (fz_corrupt_p(w, 2))
		size = fz_chance(w, 60) ? fz_huge_size(w) : fz_corrupt64(w, 0);
	else
		size = fz_pool_size(w);
	gem_create(w, f, size, create_flags(w));
}

/* A buffer in @f, made the way @f can make one. */
void fz_make_buffer(struct fz_worker *w, struct fz_file *f)
{
	if (fz_is_vrender(f->dev)) {
		gem_create(w, f, fz_pool_size(w), 0);
	} else if (!f->render) {
		struct drm_mode_create_dumb d = { .width = 64, .height = 64, .bpp = 32 };

		fz_trace(w, "dumb_create fd %d 64x64 (make_buffer)", f->fd);
		if (!fz_ioctl(w, OP_dumb_create, f->fd, DRM_IOCTL_MODE_CREATE_DUMB, &d)) {
			struct fz_handle *h = fz_add_handle(w, f, d.handle, d.size, H_DUMB, f->dev);

			h->width = d.width;
			h->height = d.height;
			h->pitch = d.pitch;
		}
	}
}

void fz_op_gem_info(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_VRENDER);
	struct drm_vrender_gem_info a = { 0 };
	struct fz_handle *h;
	int ret;

	if (!f)
		return;
	a.handle = fz_handle_arg(w, f, &h);
	a.pad = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "gem_info fd %d handle %u pad %u", f->fd, a.handle, a.pad);
	ret = fz_ioctl(w, OP_gem_info, f->fd, DRM_IOCTL_VRENDER_GEM_INFO, &a);
	if (ret || !fz_is_vrender(f->dev))
		return;
	if (a.pad)
		fz_oracle(w, "GEM_INFO with pad %u succeeded (kernel-doc: -EINVAL)", a.pad);
	if (h && !h->size)
		h->size = a.size;
	else if (h && !f->received && h->size != a.size)
		fz_oracle(w, "GEM_INFO handle %u size %#llx, created with %#llx",
			  a.handle, (unsigned long long)a.size,
			  (unsigned long long)h->size);
}

void fz_op_fence_attach(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_VRENDER);
	struct drm_vrender_fence_attach a = { 0 };
	struct fz_handle *h;
	bool bad;
	int ret;

	if (!f)
		return;
	a.handle = fz_handle_arg(w, f, &h);
	a.flags = fz_chance(w, 50) ? VRENDER_FENCE_WRITE : 0;
	a.flags = fz_maybe32(w, a.flags);
	a.pad = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	bad = (a.flags & ~VRENDER_FENCE_WRITE) || a.pad;
	fz_trace(w, "fence_attach fd %d handle %u flags %#x pad %u", f->fd,
		 a.handle, a.flags, a.pad);
	ret = fz_ioctl(w, OP_fence_attach, f->fd, DRM_IOCTL_VRENDER_FENCE_ATTACH, &a);
	if (ret || !fz_is_vrender(f->dev))
		return;
	if (bad)
		fz_oracle(w, "FENCE_ATTACH flags %#x pad %u succeeded (kernel-doc: -EINVAL)",
			  a.flags, a.pad);
	if (f->nvf == FZ_MAX_VFENCES) {
		/* Keep the newest: the oldest are signalled or expired. */
		memmove(f->vf, f->vf + 1, sizeof(f->vf[0]) * (FZ_MAX_VFENCES - 1));
		f->nvf--;
	}
	f->vf[f->nvf++] = a.out_fence;
}

void fz_op_fence_signal(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_VRENDER);
	struct drm_vrender_fence_signal a = { 0 };
	int idx = -1, ret;

	if (!f)
		return;
	if (f->nvf && !fz_corrupt_p(w, 2)) {
		idx = fz_rnd(w, f->nvf);
		a.fence = f->vf[idx];
	} else {
		a.fence = fz_chance(w, 50) ? fz_rnd(w, 64) : fz_corrupt32(w, 1);
	}
	a.flags = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "fence_signal fd %d fence %u flags %#x", f->fd, a.fence, a.flags);
	ret = fz_ioctl(w, OP_fence_signal, f->fd, DRM_IOCTL_VRENDER_FENCE_SIGNAL, &a);
	if (!ret && a.flags && fz_is_vrender(f->dev))
		fz_oracle(w, "FENCE_SIGNAL flags %#x succeeded (kernel-doc: -EINVAL)", a.flags);
	/* Signalled, expired or unknown: the id is gone either way. */
	if (idx >= 0 && !a.flags && (!ret || ret == -ETIMEDOUT || ret == -ENOENT))
		f->vf[idx] = f->vf[--f->nvf];
}

/* ---- SUBMIT --------------------------------------------------------------- */

static uint32_t bo_flags(struct fz_worker *w)
{
	static const uint32_t rw[] = {
		VRENDER_BO_READ, VRENDER_BO_WRITE, VRENDER_BO_READ | VRENDER_BO_WRITE,
	};
	uint32_t flags = rw[fz_rnd(w, 3)];

	if (fz_chance(w, 12))
		flags |= VRENDER_BO_NO_IMPLICIT;
	if (fz_corrupt_p(w, 1))
		flags = fz_corrupt32(w, flags);
	return flags;
}

void fz_read_engines(struct fz_worker *w)
{
	char buf[256];
	int i;

	for (i = 0; i < fz_cfg.ndevs; i++) {
		const char *q;
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
		q = strstr(buf, "queued=");
		w->queued[i] = q ? strtoul(q + 7, NULL, 10) : 0;
	}
}

static void submit(struct fz_worker *w, bool copy)
{
	struct fz_file *f = fz_pick_file(w, PICK_VRENDER);
	struct drm_vrender_submit_bo *bos = (void *)w->scratch;
	struct fz_handle *hp[VRENDER_MAX_SUBMIT_BOS + 1] = { 0 };
	struct drm_vrender_submit a = { 0 };
	struct fz_syncobj *in_so = NULL, *out_so = NULL;
	uint64_t dsz, ssz, max;
	bool must_fail = false, huge = false;
	const char *why = "";
	unsigned int n, i, j;
	int ret;

	if (!f)
		return;
	if (w->queued[f->dev] > FZ_MAX_QUEUED && fz_chance(w, 95))
		return;
	if (f->nh < 2 && fz_is_vrender(f->dev))
		fz_make_buffer(w, f);

	n = (copy ? 2 : 1) + fz_rnd(w, 3);
	if (fz_corrupt_p(w, 1)) {
		static const unsigned int counts[] = { 0, 1, 63, 64, 65, 1000 };

		n = counts[fz_rnd(w, 6)];
	}
	for (i = 0; i < n && i < VRENDER_MAX_SUBMIT_BOS + 1; i++) {
		bos[i].handle = fz_handle_arg(w, f, &hp[i]);
		/* Mostly distinct buffers: a job on one buffer twice is -EINVAL. */
		for (j = 0; j < i && !fz_corrupt_p(w, 1); j++) {
			if (bos[j].handle == bos[i].handle && f->nh > (int)i) {
				bos[i].handle = fz_handle_arg(w, f, &hp[i]);
				j = (unsigned int)-1;
			}
		}
		bos[i].flags = bo_flags(w);
		if (hp[i] && (hp[i]->flags & H_HUGE))
			huge = true;
	}
	if (n > VRENDER_MAX_SUBMIT_BOS) {
		/* Whatever follows in scratch is the rest of the array. */
		must_fail = true;
		why = "bo_count > 64";
	}

	a.bo_count = n;
	a.op = copy ? VRENDER_OP_COPY : VRENDER_OP_FILL;
	a.dst = 0;
	a.src = copy ? 1 : 0;
	if (n > 0)
		bos[0].flags |= VRENDER_BO_WRITE;
	if (copy && n > 1)
		bos[1].flags |= VRENDER_BO_READ;
	if (fz_corrupt_p(w, 1))
		a.op = fz_corrupt32(w, a.op);
	if (fz_corrupt_p(w, 1))
		a.dst = fz_corrupt32(w, a.dst);
	if (fz_corrupt_p(w, 1))
		a.src = fz_corrupt32(w, a.src);

	dsz = n > 0 && hp[0] && hp[0]->size ? hp[0]->size : FZ_PAGE;
	ssz = copy && n > 1 && hp[1] && hp[1]->size ? hp[1]->size : FZ_PAGE;
	max = copy ? (dsz < ssz ? dsz : ssz) : dsz;
	if (max > (256u << 10))
		max = 256u << 10;
	if (copy) {
		a.size = 1 + fz_rnd(w, max);
		a.dst_offset = fz_rnd(w, dsz - a.size + 1);
		a.src_offset = fz_rnd(w, ssz - a.size + 1);
		/* A copy within one buffer is fine (memmove). */
	} else {
		a.size = 4 * (1 + fz_rnd(w, max / 4));
		a.dst_offset = 4 * fz_rnd(w, (dsz - a.size) / 4 + 1);
		a.value = (uint32_t)fz_next(w);
	}
	/* Huge buffers: a fill at the very end, where a bad range check bites. */
	if (huge && !copy && fz_chance(w, 50))
		a.dst_offset = dsz - a.size;
	a.size = fz_maybe64(w, a.size);
	a.dst_offset = fz_maybe64(w, a.dst_offset);
	if (copy)
		a.src_offset = fz_maybe64(w, a.src_offset);
	else if (fz_corrupt_p(w, 1))
		a.src_offset = fz_corrupt64(w, 0);
	if (copy && fz_corrupt_p(w, 1))
		a.value = fz_corrupt32(w, 0);

	i = fz_rnd(w, 1000);
	a.exec_us = i < 900 ? 0 : i < 995 ? fz_rnd(w, 2000) : fz_rnd(w, VRENDER_MAX_EXEC_US + 1);
	a.exec_us = fz_maybe32(w, a.exec_us);

	a.in_fence_fd = -1;
	a.out_fence_fd = -1;
	if (fz_chance(w, 15)) {
		struct fz_fd *e;

		a.flags |= VRENDER_SUBMIT_IN_FENCE_FD;
		a.in_fence_fd = fz_fd_arg(w, FD_SYNCFILE, &e);
	}
	if (fz_chance(w, 30))
		a.flags |= VRENDER_SUBMIT_OUT_FENCE_FD;
	if (fz_chance(w, 10)) {
		a.flags |= VRENDER_SUBMIT_IN_SYNCOBJ;
		a.in_syncobj = fz_syncobj_arg(w, f, &in_so);
		if (in_so && in_so->point && fz_chance(w, 60))
			a.in_point = 1 + fz_rnd(w, in_so->point);
	}
	if (fz_chance(w, 15)) {
		a.flags |= VRENDER_SUBMIT_OUT_SYNCOBJ;
		a.out_syncobj = fz_syncobj_arg(w, f, &out_so);
		if (out_so && fz_chance(w, 50))
			a.out_point = out_so->point + 1 + fz_rnd(w, 3);
	}
	if (fz_corrupt_p(w, 1))
		a.flags = fz_corrupt32(w, a.flags);
	if (fz_corrupt_p(w, 1))
		a.in_point = fz_corrupt64(w, a.in_point);
	if (fz_corrupt_p(w, 1))
		a.out_point = fz_corrupt64(w, a.out_point);
	if (fz_corrupt_p(w, 1))
		a.pad = fz_corrupt32(w, 0);
	a.bos = fz_maybe_ptr(w, bos, false);

	/* What the kernel-doc says must fail, whatever the pools think. */
	if (!must_fail) {
		bool fill = a.op == VRENDER_OP_FILL;

		must_fail = true;
		if (a.flags & ~0xfu || a.pad)
			why = "flags/pad";
		else if (a.op != VRENDER_OP_FILL && a.op != VRENDER_OP_COPY)
			why = "op";
		else if (!a.bo_count)
			why = "bo_count 0";
		else if (!a.size || a.exec_us > VRENDER_MAX_EXEC_US)
			why = "size 0 or exec_us";
		else if (a.dst >= a.bo_count || a.src >= a.bo_count)
			why = "index";
		else if (fill && (a.src || a.src_offset || ((a.dst_offset | a.size) & 3)))
			why = "fill args";
		else if (!fill && a.value)
			why = "copy value";
		else if (!(a.flags & VRENDER_SUBMIT_IN_SYNCOBJ) && a.in_point)
			why = "in_point";
		else if (!(a.flags & VRENDER_SUBMIT_OUT_SYNCOBJ) && a.out_point)
			why = "out_point";
		else if (a.bos != (uintptr_t)bos)
			why = "bos pointer";
		else
			must_fail = false;
		for (i = 0; !must_fail && i < a.bo_count; i++) {
			if ((bos[i].flags & ~7u) || !(bos[i].flags & 3)) {
				must_fail = true;
				why = "bo flags";
			}
			for (j = 0; j < i; j++)
				if (bos[i].handle == bos[j].handle) {
					must_fail = true;
					why = "duplicate handle";
				}
		}
		if (!must_fail && !(bos[a.dst].flags & VRENDER_BO_WRITE)) {
			must_fail = true;
			why = "dst not WRITE";
		}
		if (!must_fail && !fill && !(bos[a.src].flags & VRENDER_BO_READ)) {
			must_fail = true;
			why = "src not READ";
		}
	}
	if (FZ_AVOID(AVOID_HUGE) && huge) {
		fz_trace(w, "submit on a huge buffer skipped (avoid-known)");
		return;
	}

	fz_trace(w, "submit_%s fd %d n %u dst %u src %u size %#llx doff %#llx soff %#llx exec %u flags %#x in %d/%u:%llu out %u:%llu%s",
		 copy ? "copy" : "fill", f->fd, a.bo_count, a.dst, a.src,
		 (unsigned long long)a.size, (unsigned long long)a.dst_offset,
		 (unsigned long long)a.src_offset, a.exec_us, a.flags,
		 a.in_fence_fd, a.in_syncobj, (unsigned long long)a.in_point,
		 a.out_syncobj, (unsigned long long)a.out_point,
		 huge ? " HUGE" : "");
	ret = fz_ioctl(w, copy ? OP_submit_copy : OP_submit_fill, f->fd,
		       DRM_IOCTL_VRENDER_SUBMIT, &a);
	if (ret)
		return;
	if (must_fail && fz_is_vrender(f->dev))
		fz_oracle(w, "SUBMIT succeeded with %s (kernel-doc: must fail)", why);
	if (a.flags & VRENDER_SUBMIT_OUT_FENCE_FD)
		fz_add_fd(w, FD_SYNCFILE, a.out_fence_fd);
	if (out_so && (a.flags & VRENDER_SUBMIT_OUT_SYNCOBJ) && a.out_point > out_so->point)
		out_so->point = a.out_point;
}

void fz_op_submit_fill(struct fz_worker *w)
{
	submit(w, false);
}

void fz_op_submit_copy(struct fz_worker *w)
{
	submit(w, true);
}
