// SPDX-License-Identifier: MIT
/*
 * Helpers for vdisplay's plane, format, colour, writeback and topology
 * tests (see kms_vd.h).
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm_fourcc.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "kms_vd.h"

#define SYSFS_DRM	"/sys/class/drm"

int vd_card(const char *name)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	int card = -1;
	DIR *dir;

	dir = opendir(SYSFS_DRM);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		const char *base;
		char *end;
		ssize_t len;
		long n;

		if (strncmp(de->d_name, "card", 4))
			continue;
		n = strtol(de->d_name + 4, &end, 10);
		if (end == de->d_name + 4 || *end)
			continue;
		snprintf(path, sizeof(path), SYSFS_DRM "/%s/device", de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = '\0';
		base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
		if (!strcmp(base, name)) {
			card = n;
			break;
		}
	}
	closedir(dir);
	return card;
}

int vd_open(const char *name)
{
	char path[64];
	int card = vd_card(name);
	int fd;

	igt_require_f(card >= 0, "no DRM device on %s\n", name);
	snprintf(path, sizeof(path), "/dev/dri/card%d", card);
	fd = open(path, O_RDWR | O_CLOEXEC);
	igt_require_f(fd >= 0 || (errno != EACCES && errno != EPERM),
		      "cannot open %s: %s\n", path, strerror(errno));
	igt_assert_f(fd >= 0, "open(%s): %s\n", path, strerror(errno));
	igt_assert_eq(drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1), 0);
	igt_require_f(drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0,
		      "no atomic modesetting\n");
	igt_assert_eq(drmSetClientCap(fd, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 1),
		      0);
	return fd;
}

/* Framebuffers */

int __vd_fb_create(int fd, uint32_t w, uint32_t h, uint32_t format,
		   struct vd_fb *fb)
{
	const struct ref_format *f = ref_format(format);
	uint32_t handles[4] = {}, pitches[4] = {}, offsets[4] = {};
	struct drm_mode_create_dumb arg = { .bpp = 32, .width = 1024 };
	uint64_t total = 0;
	int k, ret;

	igt_assert_f(f, "format %.4s unknown to the reference\n",
		     (const char *)&format);
	memset(fb, 0, sizeof(*fb));
	fb->fd = fd;
	fb->ref.fmt = f;
	fb->ref.width = w;
	fb->ref.height = h;
	for (k = 0; k < f->planes; k++) {
		uint32_t pw = k ? (w + f->hsub - 1) / f->hsub : w;
		uint32_t ph = k ? (h + f->vsub - 1) / f->vsub : h;

		if (f->type == REF_YUV_PACKED)
			pw = (w + 1) / 2 * 2;
		pitches[k] = (pw * f->cpp[k] + 63) & ~63u;
		offsets[k] = total;
		total += (uint64_t)pitches[k] * ph;
	}
	arg.height = (total + 4095) / 4096;
	dumb_create(fd, &arg);
	fb->handle = arg.handle;
	fb->size = arg.size;
	fb->map = mmap_checked(arg.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			       dumb_map(fd, arg.handle));
	for (k = 0; k < f->planes; k++) {
		handles[k] = fb->handle;
		fb->offsets[k] = offsets[k];
		fb->ref.pitches[k] = pitches[k];
		fb->ref.data[k] = fb->map + offsets[k];
	}
	ret = drmModeAddFB2(fd, w, h, format, handles, pitches, offsets,
			    &fb->fb_id, 0);
	if (ret)
		ret = -errno;
	return ret;
}

void vd_fb_create(int fd, uint32_t w, uint32_t h, uint32_t format,
		  struct vd_fb *fb)
{
	int ret = __vd_fb_create(fd, w, h, format, fb);

	igt_assert_f(ret == 0, "AddFB2 %ux%u %.4s: %s\n", w, h,
		     (const char *)&format, strerror(-ret));
}

void vd_fb_destroy(struct vd_fb *fb)
{
	if (fb->fb_id)
		drmModeRmFB(fb->fd, fb->fb_id);
	if (fb->map)
		munmap(fb->map, fb->size);
	if (fb->handle)
		__dumb_destroy(fb->fd, fb->handle);
	memset(fb, 0, sizeof(*fb));
}

static uint32_t hash(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	return x ^ (x >> 16);
}

/* Colour of the block around (x, y): constant over chroma blocks. */
void vd_pattern_rgb(const struct ref_format *fmt, uint32_t seed, int x,
		    int y, double rgb[3])
{
	int bx = x / fmt->hsub, by = y / fmt->vsub;
	uint32_t v = hash(seed * 0x9e3779b9u + bx * 131 + by * 7919);

	/* A gradient (to see geometry) plus noise (to see every pixel). */
	rgb[0] = fmod(bx * 0.037 + (v & 0xff) / 1024.0, 1.0);
	rgb[1] = fmod(by * 0.051 + ((v >> 8) & 0xff) / 1024.0, 1.0);
	rgb[2] = ((v >> 16) & 0xff) / 255.0;
}

void vd_fb_pattern(struct vd_fb *fb, uint32_t seed, enum vd_alpha alpha,
		   int encoding, int range)
{
	const struct ref_format *f = fb->ref.fmt;
	uint32_t x, y;

	for (y = 0; y < fb->ref.height; y++) {
		for (x = 0; x < fb->ref.width; x++) {
			double c[3];

			vd_pattern_rgb(f, seed, x, y, c);
			if (f->type != REF_RGB) {
				int l, u, v;

				ref_rgb_to_yuv(c[0], c[1], c[2], encoding, range,
					       f->depth, &l, &u, &v);
				ref_write_yuv(&fb->ref, x, y, l, u, v);
				continue;
			}

			struct ref_px px = {
				.r = lround(c[0] * 65535),
				.g = lround(c[1] * 65535),
				.b = lround(c[2] * 65535),
				.a = 0xffff,
			};

			if (alpha != VD_OPAQUE)
				px.a = hash(seed + x * 3 + y * 1009) & 0xffff;
			if (alpha == VD_PREMULT) {
				px.r = ref_mul(px.r, px.a);
				px.g = ref_mul(px.g, px.a);
				px.b = ref_mul(px.b, px.a);
			}
			ref_write_rgb(&fb->ref, x, y, px);
		}
	}
}

void vd_fb_fill(struct vd_fb *fb, struct ref_px px)
{
	for (uint32_t y = 0; y < fb->ref.height; y++)
		for (uint32_t x = 0; x < fb->ref.width; x++)
			ref_write_rgb(&fb->ref, x, y, px);
}

/* Pipes */

void vd_mode(drmModeModeInfo *mode, uint32_t w, uint32_t h)
{
	memset(mode, 0, sizeof(*mode));
	mode->hdisplay = w;
	mode->hsync_start = w + 8;
	mode->hsync_end = w + 16;
	mode->htotal = w + 32;
	mode->vdisplay = h;
	mode->vsync_start = h + 2;
	mode->vsync_end = h + 4;
	mode->vtotal = h + 8;
	mode->clock = (mode->htotal * mode->vtotal * 60 + 999) / 1000;
	mode->vrefresh = 60;
	mode->type = DRM_MODE_TYPE_USERDEF;
	snprintf(mode->name, sizeof(mode->name), "%ux%u", w, h);
}

static uint32_t plane_type(int fd, uint32_t id)
{
	return vd_prop_get(fd, id, DRM_MODE_OBJECT_PLANE, "type");
}

static void find_planes(struct vd_pipe *p)
{
	drmModePlaneRes *res = drmModeGetPlaneResources(p->fd);

	igt_assert(res);
	for (uint32_t i = 0; i < res->count_planes; i++) {
		drmModePlane *pl = drmModeGetPlane(p->fd, res->planes[i]);
		uint32_t type;

		igt_assert(pl);
		if (pl->possible_crtcs & (1u << p->index)) {
			type = plane_type(p->fd, pl->plane_id);
			if (type == DRM_PLANE_TYPE_PRIMARY)
				p->primary = pl->plane_id;
			else if (type == DRM_PLANE_TYPE_CURSOR)
				p->cursor = pl->plane_id;
			else if (p->n_overlays < ARRAY_SIZE(p->overlays))
				p->overlays[p->n_overlays++] = pl->plane_id;
		}
		drmModeFreePlane(pl);
	}
	drmModeFreePlaneResources(res);
	igt_assert(p->primary);
}

static void find_connectors(struct vd_pipe *p, drmModeRes *res)
{
	for (int i = 0; i < res->count_connectors; i++) {
		drmModeConnector *c = drmModeGetConnector(p->fd,
							  res->connectors[i]);
		drmModeEncoder *e;

		igt_assert(c);
		e = c->count_encoders ? drmModeGetEncoder(p->fd, c->encoders[0]) :
					NULL;
		if (e && e->possible_crtcs & (1u << p->index)) {
			if (c->connector_type == DRM_MODE_CONNECTOR_WRITEBACK)
				p->wb_id = c->connector_id;
			else if (!p->conn_id)
				p->conn_id = c->connector_id;
		}
		drmModeFreeEncoder(e);
		drmModeFreeConnector(c);
	}
	igt_assert_f(p->conn_id, "no connector on CRTC %u\n", p->index);
}

void vd_pipe_init(struct vd_pipe *p, int fd, unsigned int index, uint32_t w,
		  uint32_t h)
{
	drmModeRes *res = drmModeGetResources(fd);

	memset(p, 0, sizeof(*p));
	p->fd = fd;
	p->index = index;
	p->w = w;
	p->h = h;
	igt_assert(res);
	igt_assert_lt(index, res->count_crtcs);
	p->crtc_id = res->crtcs[index];
	find_connectors(p, res);
	drmModeFreeResources(res);
	find_planes(p);
	vd_mode(&p->mode, w, h);
	igt_assert_eq(drmModeCreatePropertyBlob(fd, &p->mode, sizeof(p->mode),
						&p->mode_blob), 0);
}

void vd_pipe_off(struct vd_pipe *p)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	uint32_t planes[34], n = 0;

	igt_assert(req);
	vd_req_prop(req, p->fd, p->crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE", 0);
	vd_req_prop(req, p->fd, p->crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID", 0);
	vd_req_prop(req, p->fd, p->conn_id, DRM_MODE_OBJECT_CONNECTOR,
		    "CRTC_ID", 0);
	if (p->wb_id)
		vd_req_prop(req, p->fd, p->wb_id, DRM_MODE_OBJECT_CONNECTOR,
			    "CRTC_ID", 0);
	planes[n++] = p->primary;
	if (p->cursor)
		planes[n++] = p->cursor;
	for (unsigned int i = 0; i < p->n_overlays; i++)
		planes[n++] = p->overlays[i];
	for (unsigned int i = 0; i < n; i++)
		vd_req_plane_off(req, p, planes[i]);
	igt_assert_eq(vd_commit(p, req, DRM_MODE_ATOMIC_ALLOW_MODESET), 0);
}

void vd_pipe_fini(struct vd_pipe *p)
{
	if (p->mode_blob)
		drmModeDestroyPropertyBlob(p->fd, p->mode_blob);
	p->mode_blob = 0;
}

/* Properties */

uint32_t vd_prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj,
								    type);
	uint32_t id = 0;

	igt_assert(props);
	for (uint32_t i = 0; i < props->count_props && !id; i++) {
		drmModePropertyRes *prop = drmModeGetProperty(fd, props->props[i]);

		igt_assert(prop);
		if (!strcmp(prop->name, name))
			id = prop->prop_id;
		drmModeFreeProperty(prop);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

uint64_t vd_prop_get(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj,
								    type);
	bool found = false;
	uint64_t val = 0;

	igt_assert(props);
	for (uint32_t i = 0; i < props->count_props && !found; i++) {
		drmModePropertyRes *prop = drmModeGetProperty(fd, props->props[i]);

		if (!strcmp(prop->name, name)) {
			val = props->prop_values[i];
			found = true;
		}
		drmModeFreeProperty(prop);
	}
	drmModeFreeObjectProperties(props);
	igt_assert_f(found, "object %u has no property %s\n", obj, name);
	return val;
}

uint64_t vd_prop_enum(int fd, uint32_t obj, uint32_t type, const char *name,
		      const char *value)
{
	uint32_t id = vd_prop_id(fd, obj, type, name);
	drmModePropertyRes *prop;
	uint64_t val = UINT64_MAX;

	igt_assert_f(id, "object %u has no property %s\n", obj, name);
	prop = drmModeGetProperty(fd, id);
	for (int i = 0; i < prop->count_enums; i++)
		if (!strcmp(prop->enums[i].name, value))
			val = prop->enums[i].value;
	drmModeFreeProperty(prop);
	igt_assert_f(val != UINT64_MAX, "%s has no value \"%s\"\n", name,
		     value);
	return val;
}

/* Requests */

void vd_req_prop(drmModeAtomicReq *req, int fd, uint32_t obj, uint32_t type,
		 const char *name, uint64_t value)
{
	uint32_t id = vd_prop_id(fd, obj, type, name);

	igt_assert_f(id, "object %u has no property %s\n", obj, name);
	igt_assert(drmModeAtomicAddProperty(req, obj, id, value) > 0);
}

void vd_req_plane_prop(drmModeAtomicReq *req, struct vd_pipe *p,
		       uint32_t plane, const char *name, uint64_t value)
{
	vd_req_prop(req, p->fd, plane, DRM_MODE_OBJECT_PLANE, name, value);
}

drmModeAtomicReq *vd_req(struct vd_pipe *p)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();

	igt_assert(req);
	vd_req_prop(req, p->fd, p->crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1);
	vd_req_prop(req, p->fd, p->crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID",
		    p->mode_blob);
	vd_req_prop(req, p->fd, p->conn_id, DRM_MODE_OBJECT_CONNECTOR,
		    "CRTC_ID", p->crtc_id);
	return req;
}

void vd_req_plane(drmModeAtomicReq *req, struct vd_pipe *p, uint32_t plane,
		  const struct vd_fb *fb, const struct ref_plane *rp)
{
	vd_req_plane_prop(req, p, plane, "FB_ID", fb->fb_id);
	vd_req_plane_prop(req, p, plane, "CRTC_ID", p->crtc_id);
	vd_req_plane_prop(req, p, plane, "SRC_X", (uint64_t)rp->src_x << 16);
	vd_req_plane_prop(req, p, plane, "SRC_Y", (uint64_t)rp->src_y << 16);
	vd_req_plane_prop(req, p, plane, "SRC_W", (uint64_t)rp->src_w << 16);
	vd_req_plane_prop(req, p, plane, "SRC_H", (uint64_t)rp->src_h << 16);
	vd_req_plane_prop(req, p, plane, "CRTC_X", (uint64_t)(int64_t)rp->crtc_x);
	vd_req_plane_prop(req, p, plane, "CRTC_Y", (uint64_t)(int64_t)rp->crtc_y);
	vd_req_plane_prop(req, p, plane, "CRTC_W", rp->crtc_w);
	vd_req_plane_prop(req, p, plane, "CRTC_H", rp->crtc_h);
	vd_req_plane_prop(req, p, plane, "rotation", rp->rotation);
	vd_req_plane_prop(req, p, plane, "alpha", rp->alpha);
	vd_req_plane_prop(req, p, plane, "pixel blend mode", rp->blend);
	if (vd_prop_id(p->fd, plane, DRM_MODE_OBJECT_PLANE, "COLOR_ENCODING")) {
		vd_req_plane_prop(req, p, plane, "COLOR_ENCODING", rp->encoding);
		vd_req_plane_prop(req, p, plane, "COLOR_RANGE", rp->range);
	}
}

void vd_req_plane_off(drmModeAtomicReq *req, struct vd_pipe *p,
		      uint32_t plane)
{
	vd_req_plane_prop(req, p, plane, "FB_ID", 0);
	vd_req_plane_prop(req, p, plane, "CRTC_ID", 0);
}

int vd_commit(struct vd_pipe *p, drmModeAtomicReq *req, uint32_t flags)
{
	int ret;

	if (!(flags & DRM_MODE_ATOMIC_TEST_ONLY))
		flags |= DRM_MODE_ATOMIC_ALLOW_MODESET;
	ret = drmModeAtomicCommit(p->fd, req, flags, NULL);
	ret = ret ? -errno : 0;
	drmModeAtomicFree(req);
	return ret;
}

uint32_t vd_commit_wait(struct vd_pipe *p, drmModeAtomicReq *req)
{
	struct drm_event_vblank ev;

	igt_assert_eq(vd_commit(p, req, DRM_MODE_PAGE_FLIP_EVENT), 0);
	igt_assert_f(kms_read_events(p->fd, 5000, &ev, 1) == 1,
		     "no flip event\n");
	igt_assert_eq(ev.base.type, DRM_EVENT_FLIP_COMPLETE);
	igt_assert_eq(ev.crtc_id, p->crtc_id);
	return ev.sequence;
}

struct ref_plane vd_ref_plane(const struct vd_fb *fb, int x, int y)
{
	return (struct ref_plane){
		.fb = &fb->ref,
		.crtc_x = x, .crtc_y = y,
		.crtc_w = fb->ref.width, .crtc_h = fb->ref.height,
		.src_w = fb->ref.width, .src_h = fb->ref.height,
		.rotation = DRM_MODE_ROTATE_0,
		.alpha = 0xffff,
		.blend = REF_BLEND_PREMULTI,
	};
}

/* CRCs */

static int debugfs_open_crtc(int fd, unsigned int index, const char *name,
			     int flags)
{
	char path[256], dir[96];

	igt_require_f(debugfs_dri_dir(fd, dir, sizeof(dir)),
		      "debugfs not available\n");
	snprintf(path, sizeof(path), "%s/crtc-%u/%s", dir, index, name);
	return open(path, flags | O_CLOEXEC);
}

void vd_crc_start(struct vd_pipe *p, struct pipe_crc *crc)
{
	int ctl = debugfs_open_crtc(p->fd, p->index, "crc/control", O_WRONLY);

	igt_require_f(ctl >= 0, "no crc/control: %s\n", strerror(errno));
	igt_assert_eq(write(ctl, "auto", 4), 4);
	close(ctl);
	crc->data = debugfs_open_crtc(p->fd, p->index, "crc/data", O_RDONLY);
	igt_assert_f(crc->data >= 0, "open crc/data: %s\n", strerror(errno));
}

int __vd_capture(int fd, unsigned int index, struct vdisplay_frame_header *hdr,
		 uint32_t **pixels)
{
	size_t size, got = 0;
	ssize_t len;
	int cap;

	cap = debugfs_open_crtc(fd, index, "vdisplay_frame", O_RDONLY);
	if (cap < 0)
		return -errno;
	len = read(cap, hdr, sizeof(*hdr));
	igt_assert_eq(len, sizeof(*hdr));
	igt_assert(!memcmp(hdr->magic, VDISPLAY_FRAME_MAGIC, 8));
	size = (size_t)hdr->pitch * hdr->height;
	*pixels = malloc(size ? size : 1);
	igt_assert(*pixels);
	while (got < size) {
		len = read(cap, (char *)*pixels + got, size - got);
		igt_assert_f(len > 0, "short frame: %zu of %zu\n", got, size);
		got += len;
	}
	close(cap);
	return 0;
}

static void report_mismatch(struct vd_pipe *p, const uint32_t *expected,
			    const char *what, uint32_t crc, uint32_t want)
{
	struct vdisplay_frame_header hdr;
	uint32_t *pix = NULL;
	size_t i, n = (size_t)p->w * p->h, bad = 0, first = n;

	if (__vd_capture(p->fd, p->index, &hdr, &pix) == 0 &&
	    hdr.width == p->w && hdr.height == p->h) {
		for (i = 0; i < n; i++) {
			if (pix[i] != expected[i]) {
				if (first == n)
					first = i;
				bad++;
			}
		}
		if (first < n)
			igt_info("%s: %zu wrong pixels, first (%zu,%zu): %08x, expected %08x\n",
				 what, bad, first % p->w, first / p->w,
				 pix[first], expected[first]);
		else
			igt_info("%s: a capture now shows the expected picture\n",
				 what);
	}
	free(pix);
	igt_fail_f("%s: CRC %08x, expected %08x\n", what, crc, want);
}

void vd_check_frame(struct vd_pipe *p, struct pipe_crc *crc,
		    drmModeAtomicReq *req, const uint32_t *expected,
		    const char *what)
{
	uint32_t want = kms_crc32(expected, (uint64_t)p->w * p->h * 4);
	uint32_t got = pipe_crc_at(crc, vd_commit_wait(p, req));

	if (got != want)
		report_mismatch(p, expected, what, got, want);
}

void vd_check_planes(struct vd_pipe *p, struct pipe_crc *crc,
		     drmModeAtomicReq *req, const struct ref_plane *planes,
		     unsigned int n, const struct ref_color *color,
		     const char *what)
{
	uint32_t *expected = malloc((size_t)p->w * p->h * 4);

	igt_assert(expected);
	ref_compose(planes, n, p->w, p->h, color, NULL, expected);
	vd_check_frame(p, crc, req, expected, what);
	free(expected);
}
