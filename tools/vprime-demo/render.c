// SPDX-License-Identifier: MIT
/*
 * vprime-demo: the vrender side. The buffers (a ring of frames owned by
 * vrender.0, exported to vdisplay as framebuffers; a sprite owned by
 * vrender.1, imported into vrender.0), the fill and copy jobs that draw a
 * frame, and their out sync_files.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <drm_fourcc.h>
#include <xf86drm.h>

#include "demo.h"
#include "vrender_drm.h"

uint64_t jobs_submitted;

/* waits_cross_device of a vrender device's engine (debugfs), -1 if unknown */
long long cross_device_waits(int fd)
{
	char buf[512];
	long long v = -1;
	const char *p;
	ssize_t n;
	int f = debugfs_open(fd, "vrender_engine", O_RDONLY);

	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "waits_cross_device=");
	if (p)
		v = strtoll(p + strlen("waits_cross_device="), NULL, 10);
	return v;
}

static uint32_t gem_create(int fd, uint64_t size)
{
	struct drm_vrender_gem_create arg = { .size = size };

	check(drmIoctl(fd, DRM_IOCTL_VRENDER_GEM_CREATE, &arg) == 0,
	      "VRENDER_GEM_CREATE of %llu bytes", (unsigned long long)size);
	return arg.handle;
}

/* A fill (src_handle 0) or a copy; returns the out sync_file if asked. */
int submit(int fd, uint32_t dst, uint64_t dst_offset, uint32_t src,
	   uint64_t src_offset, uint64_t size, uint32_t value,
	   uint32_t exec_us, bool out_fence)
{
	struct drm_vrender_submit_bo bos[2] = {
		{ .handle = dst, .flags = VRENDER_BO_WRITE },
		{ .handle = src, .flags = VRENDER_BO_READ },
	};
	struct drm_vrender_submit arg = {
		.bos = (uintptr_t)bos,
		.bo_count = src ? 2 : 1,
		.op = src ? VRENDER_OP_COPY : VRENDER_OP_FILL,
		.dst = 0,
		.src = src ? 1 : 0,
		.value = src ? 0 : value,
		.exec_us = exec_us,
		.dst_offset = dst_offset,
		.src_offset = src_offset,
		.size = size,
		.flags = out_fence ? VRENDER_SUBMIT_OUT_FENCE_FD : 0,
	};

	check(drmIoctl(fd, DRM_IOCTL_VRENDER_SUBMIT, &arg) == 0,
	      "VRENDER_SUBMIT");
	jobs_submitted++;
	return out_fence ? arg.out_fence_fd : -1;
}

/* Completion time (CLOCK_MONOTONIC ns) of a signalled sync_file, else 0. */
int64_t fence_timestamp(int fence_fd, int *status)
{
	struct sync_fence_info fi;
	struct sync_file_info info;

	memset(&fi, 0, sizeof(fi));
	memset(&info, 0, sizeof(info));
	info.num_fences = 1;
	info.sync_fence_info = (uintptr_t)&fi;
	check(ioctl(fence_fd, SYNC_IOC_FILE_INFO, &info) == 0,
	      "SYNC_IOC_FILE_INFO");
	*status = info.status;
	return info.status == 1 ? (int64_t)fi.timestamp_ns : 0;
}

bool fence_wait(int fence_fd, int timeout_ms)
{
	struct pollfd p = { .fd = fence_fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1;
}


/* The ring: owned by vrender.0, exported once, FBs on vdisplay. */
static void create_ring(struct run *r, const struct opts *o)
{
	const struct geom *g = &r->g;
	unsigned int i;
	int dmabuf;

	for (i = 0; i < o->ring; i++) {
		uint32_t handles[4] = {}, pitches[4] = {}, offsets[4] = {};

		r->ring0[i] = gem_create(r->dev0, (uint64_t)g->pitch * g->height);
		check(drmPrimeHandleToFD(r->dev0, r->ring0[i],
					 DRM_CLOEXEC | DRM_RDWR, &dmabuf) == 0,
		      "export ring buffer");
		check(drmPrimeFDToHandle(r->disp, dmabuf, &r->ring_disp[i]) == 0,
		      "import ring buffer into vdisplay");
		close(dmabuf);
		handles[0] = r->ring_disp[i];
		pitches[0] = g->pitch;
		check(drmModeAddFB2(r->disp, g->width, g->height,
				    DRM_FORMAT_XRGB8888, handles, pitches,
				    offsets, &r->fbs[i], 0) == 0, "AddFB2");
	}
}

void create_buffers(struct run *r, const struct opts *o)
{
	const struct geom *g = &r->g;
	int dmabuf;

	create_ring(r, o);

	/* The sprite: owned by vrender.1, imported into vrender.0. */
	r->sprite1 = gem_create(r->dev1, (uint64_t)g->sw * 4 * g->sh);
	check(drmPrimeHandleToFD(r->dev1, r->sprite1, DRM_CLOEXEC | DRM_RDWR,
				 &dmabuf) == 0, "export sprite");
	check(drmPrimeFDToHandle(r->dev0, dmabuf, &r->sprite0) == 0,
	      "import sprite into vrender.0");
	close(dmabuf);
}

/* Submit frame @n's jobs on both devices; no waiting. */
void render(struct run *r, const struct opts *o, unsigned int n,
	    struct frame *f)
{
	const struct geom *g = &r->g;
	uint32_t dst = r->ring0[f->buf], b0, b1, y;
	unsigned int i;

	/* vrender.1: the sprite, stripe by stripe. */
	for (i = 0; i < NSTRIPES; i++) {
		int fence;

		split(g->sh, NSTRIPES, i, &b0, &b1);
		fence = submit(r->dev1, r->sprite1, (uint64_t)b0 * g->sw * 4, 0, 0,
			       (uint64_t)(b1 - b0) * g->sw * 4,
			       stripe_colour(n, i), i ? 0 : o->sprite_us,
			       i == NSTRIPES - 1);
		if (fence >= 0)
			f->sprite_fence = fence;
	}
	/* vrender.0: the background, band by band (runs alongside). */
	for (i = 0; i < NBANDS; i++) {
		split(g->height, NBANDS, i, &b0, &b1);
		submit(r->dev0, dst, (uint64_t)b0 * g->pitch, 0, 0,
		       (uint64_t)(b1 - b0) * g->pitch, band_colour(n, i),
		       i ? 0 : o->bg_us, false);
	}
	/* vrender.0: the sprite's rows; each waits for vrender.1's writes. */
	sprite_pos(g, n, &f->x, &f->y);
	for (y = 0; y < g->sh; y++) {
		int fence = submit(r->dev0, dst,
				   (uint64_t)(f->y + y) * g->pitch + f->x * 4,
				   r->sprite0, (uint64_t)y * g->sw * 4,
				   (uint64_t)g->sw * 4, 0, 0, y == g->sh - 1);
		if (fence >= 0)
			f->render_fence = fence;
	}
}
