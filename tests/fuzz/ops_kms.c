// SPDX-License-Identifier: MIT
/*
 * vprime-fuzz: KMS on vdisplay. Framebuffers from dumb buffers and from
 * imported vrender dma-bufs, atomic commits built from templates (modeset,
 * flip, cursor, disable) or from random properties, with IN_FENCE_FD,
 * OUT_FENCE_PTR and MODE_ID blobs, and property blobs. The legacy calls,
 * getters, events, vblank waits and DRM master are in ops_kms_legacy.c.
 *
 * KMS ioctls go to vdisplay files mostly, and now and then to a vrender
 * card (no KMS: -EOPNOTSUPP) or render node (-EACCES).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <drm_fourcc.h>

#include "fuzz.h"

#define BLOB_DIMS_MAX	FZ_MAX_BLOBS

/*
 * One DRM master per device, so only one worker at a time can modeset.
 * Workers without it skip most master-only calls (they would all be
 * -EACCES) and leave the CRTC to the one that has it.
 */
bool fz_kms_not_master_skip(struct fz_worker *w)
{
	int i;

	for (i = 0; i < w->nfiles; i++)
		if (w->files[i].master && fz_cfg.devs[w->files[i].dev].kms)
			return false;
	return fz_chance(w, 70);
}

static const uint32_t formats[] = {
	DRM_FORMAT_XRGB8888, DRM_FORMAT_XRGB8888, DRM_FORMAT_XRGB8888,
	DRM_FORMAT_ARGB8888, DRM_FORMAT_XBGR8888, DRM_FORMAT_ABGR8888,
};

/* Mode dimensions of each blob we made, parallel to f->blob[]. */
static struct { uint32_t id; uint16_t w, h; } blob_dims[FZ_MAX_FILES * FZ_MAX_BLOBS];

static void blob_dims_set(uint32_t id, uint16_t wd, uint16_t ht)
{
	unsigned int i, free = 0;

	for (i = 0; i < sizeof(blob_dims) / sizeof(blob_dims[0]); i++) {
		if (blob_dims[i].id == id || !blob_dims[i].id)
			free = i;
		if (blob_dims[i].id == id)
			break;
	}
	blob_dims[free].id = id;
	blob_dims[free].w = wd;
	blob_dims[free].h = ht;
}

static bool blob_dims_get(uint32_t id, uint32_t *wd, uint32_t *ht)
{
	unsigned int i;

	for (i = 0; i < sizeof(blob_dims) / sizeof(blob_dims[0]); i++) {
		if (blob_dims[i].id == id) {
			*wd = blob_dims[i].w;
			*ht = blob_dims[i].h;
			return true;
		}
	}
	return false;
}

/*
 * Found by this fuzzer (repro/vdisplay-low-refresh.c): vdisplay takes
 * modes down to 1 Hz, but the commit tail waits 100 ms for a vblank and
 * WARNs. With --avoid-known, no mode below 25 Hz.
 */
bool fz_kms_low_refresh(const struct drm_mode_modeinfo *m)
{
	uint64_t total = (uint64_t)m->htotal * m->vtotal;

	if (!FZ_AVOID(AVOID_LOW_REFRESH))
		return false;
	return !total || (uint64_t)m->clock * 1000 < 25 * total;
}

const struct drm_mode_modeinfo *fz_kms_find_mode(uint32_t wd, uint32_t ht)
{
	int i;

	for (i = 0; i < fz_cfg.kms.nmodes; i++)
		if (fz_cfg.kms.modes[i].hdisplay == wd && fz_cfg.kms.modes[i].vdisplay == ht)
			return &fz_cfg.kms.modes[i];
	return NULL;
}

static struct fz_fb *pick_fb(struct fz_worker *w, struct fz_file *f)
{
	if (!f->nfb)
		return NULL;
	return &f->fb[fz_rnd(w, f->nfb)];
}

/* An fb id: mostly one of ours, sometimes 0, stale or another file's. */
uint32_t fz_kms_fb_arg(struct fz_worker *w, struct fz_file *f, struct fz_fb **fbp)
{
	struct fz_fb *fb = pick_fb(w, f);

	*fbp = NULL;
	if (fb && !fz_corrupt_p(w, 2)) {
		*fbp = fb;
		return fb->id;
	}
	switch (fz_rnd(w, 4)) {
	case 0:
		return 0;
	case 1:
		return fz_stale_id(w);
	case 2:
		return 1 + fz_rnd(w, 128);	/* ids are global: maybe live */
	default:
		return fz_corrupt32(w, fb ? fb->id : 0);
	}
}

static void add_fb(struct fz_worker *w, struct fz_file *f, uint32_t id,
		   uint32_t wd, uint32_t ht, uint32_t format)
{
	struct fz_fb *fb;

	if (f->nfb == FZ_MAX_FBS) {
		fb = &f->fb[fz_rnd(w, f->nfb)];
		fz_trace(w, "rmfb fd %d fb %u (pool full)", f->fd, fb->id);
		fz_ioctl(w, OP_rmfb, f->fd, DRM_IOCTL_MODE_RMFB, &fb->id);
		fz_remember_id(w, fb->id);
		*fb = f->fb[--f->nfb];
	}
	fb = &f->fb[f->nfb++];
	fb->id = id;
	fb->width = wd;
	fb->height = ht;
	fb->format = format;
}

static void forget_fb(struct fz_worker *w, struct fz_file *f, uint32_t id)
{
	int i;

	for (i = 0; i < f->nfb; i++) {
		if (f->fb[i].id == id) {
			fz_remember_id(w, id);
			f->fb[i] = f->fb[--f->nfb];
			return;
		}
	}
}

/* Dimensions an fb on @h can have: the dumb buffer's, or from its size. */
static void fb_dims(struct fz_worker *w, const struct fz_handle *h, uint32_t cpp,
		    uint32_t *wd, uint32_t *ht, uint32_t *pitch)
{
	if (h && (h->flags & H_DUMB) && h->width) {
		*wd = h->width * 4 / cpp;	/* a 16 bpp dumb as 32 bpp: half */
		*ht = h->height;
		*pitch = h->pitch;
		if (h->pitch < *wd * cpp)
			*wd = h->pitch / cpp;
		return;
	}
	if (h && h->size >= 640ull * 480 * 4) {
		*wd = 640;
		*ht = 480;
	} else if (h && h->size >= 256ull * 256 * 4 && fz_chance(w, 50)) {
		*wd = 256;
		*ht = 256;
	} else if (h && h->size >= 64ull * 64 * 4) {
		*wd = 64;
		*ht = 64;
	} else {
		*wd = 16;
		*ht = h && h->size ? (uint32_t)(h->size / (16 * cpp)) : 16;
		if (!*ht)
			*ht = 1;
		if (*ht > 64)
			*ht = 64;
	}
	*pitch = *wd * cpp;
}

void fz_op_addfb2(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	struct drm_mode_fb_cmd2 a = { 0 };
	struct fz_handle *h;
	uint32_t cpp, pitch;

	if (!f)
		return;
	if (!f->nh)
		fz_make_buffer(w, f);
	a.handles[0] = fz_handle_arg(w, f, &h);
	if (h && (h->flags & H_DUMB) && h->pitch && h->width && h->pitch / h->width == 2)
		a.pixel_format = DRM_FORMAT_RGB565;
	else
		a.pixel_format = formats[fz_rnd(w, sizeof(formats) / sizeof(formats[0]))];
	cpp = a.pixel_format == DRM_FORMAT_RGB565 ? 2 : 4;
	fb_dims(w, h, cpp, &a.width, &a.height, &pitch);
	a.pitches[0] = pitch;
	if (fz_chance(w, 30)) {
		a.flags = DRM_MODE_FB_MODIFIERS;
		a.modifier[0] = DRM_FORMAT_MOD_LINEAR;
	}
	if (fz_corrupt_p(w, 2)) {
		switch (fz_rnd(w, 9)) {
		case 0:
			a.width = fz_corrupt32(w, a.width);
			break;
		case 1:
			a.height = fz_corrupt32(w, a.height);
			break;
		case 2:
			a.pitches[0] = fz_corrupt32(w, a.pitches[0]);
			break;
		case 3:
			a.offsets[0] = fz_corrupt32(w, 0);
			break;
		case 4:
			a.pixel_format = fz_chance(w, 50) ? DRM_FORMAT_NV12 : fz_corrupt32(w, a.pixel_format);
			a.handles[1] = a.handles[0];
			a.pitches[1] = a.pitches[0];
			break;
		case 5:
			a.flags = DRM_MODE_FB_MODIFIERS | (fz_chance(w, 50) ? DRM_MODE_FB_INTERLACED : 0);
			a.modifier[0] = fz_chance(w, 50) ? DRM_FORMAT_MOD_INVALID : fz_corrupt64(w, 0);
			break;
		case 6:
			a.flags = fz_corrupt32(w, a.flags);
			break;
		case 7:
			a.handles[1] = a.handles[0];
			a.pitches[1] = fz_corrupt32(w, 0);
			break;
		default:
			a.width = 8192;
			a.height = 8192;
			break;
		}
	}
	fz_trace(w, "addfb2 fd %d handle %u %ux%u pitch %u off %u fmt %.4s flags %#x mod %#llx",
		 f->fd, a.handles[0], a.width, a.height, a.pitches[0], a.offsets[0],
		 (const char *)&a.pixel_format, a.flags,
		 (unsigned long long)a.modifier[0]);
	if (!fz_ioctl(w, OP_addfb2, f->fd, DRM_IOCTL_MODE_ADDFB2, &a))
		add_fb(w, f, a.fb_id, a.width, a.height, a.pixel_format);
}

void fz_op_rmfb(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	struct fz_fb *fb;
	uint32_t id;

	if (!f)
		return;
	id = fz_kms_fb_arg(w, f, &fb);
	fz_trace(w, "rmfb fd %d fb %u", f->fd, id);
	if (!fz_ioctl(w, OP_rmfb, f->fd, DRM_IOCTL_MODE_RMFB, &id))
		forget_fb(w, f, id);
}

struct fz_closefb {
	uint32_t fb_id;
	uint32_t pad;
};
#define FZ_IOCTL_MODE_CLOSEFB	DRM_IOWR(0xD0, struct fz_closefb)

void fz_op_closefb(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	struct fz_closefb a = { 0 };
	struct fz_fb *fb;

	if (!f)
		return;
	a.fb_id = fz_kms_fb_arg(w, f, &fb);
	a.pad = fz_corrupt_p(w, 1) ? fz_corrupt32(w, 0) : 0;
	fz_trace(w, "closefb fd %d fb %u pad %u", f->fd, a.fb_id, a.pad);
	if (!fz_ioctl(w, OP_closefb, f->fd, FZ_IOCTL_MODE_CLOSEFB, &a))
		forget_fb(w, f, a.fb_id);
}

/* A handle GETFB/GETFB2 made: keep it, or (known bug) drop it at once. */
static void getfb_handle(struct fz_worker *w, struct fz_file *f, uint32_t h,
			 uint64_t size)
{
	struct drm_gem_close c = { .handle = h };

	if (!h)
		return;
	if (FZ_AVOID(AVOID_GETFB_EXPORT)) {
		/* Known: re-exporting a GETFB2 handle of a closed buffer WARNs. */
		if (!fz_find_handle(f, h))
			fz_ioctl(w, OP_gem_close, f->fd, DRM_IOCTL_GEM_CLOSE, &c);
		return;
	}
	/* What screen grabbers do next: export it, to map or import it. */
	if (fz_chance(w, 40))
		fz_export(w, f, fz_add_handle(w, f, h, size, H_GETFB, -1),
			  DRM_CLOEXEC | DRM_RDWR);
	else
		fz_add_handle(w, f, h, size, H_GETFB, -1);
}

void fz_op_getfb(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	struct drm_mode_fb_cmd a = { 0 };
	struct fz_fb *fb;

	if (!f)
		return;
	a.fb_id = fz_kms_fb_arg(w, f, &fb);
	fz_trace(w, "getfb fd %d fb %u", f->fd, a.fb_id);
	if (!fz_ioctl(w, OP_getfb, f->fd, DRM_IOCTL_MODE_GETFB, &a))
		getfb_handle(w, f, a.handle, 0);
}

void fz_op_getfb2(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	struct drm_mode_fb_cmd2 a = { 0 };
	struct fz_fb *fb;

	if (!f)
		return;
	a.fb_id = fz_kms_fb_arg(w, f, &fb);
	fz_trace(w, "getfb2 fd %d fb %u", f->fd, a.fb_id);
	if (!fz_ioctl(w, OP_getfb2, f->fd, DRM_IOCTL_MODE_GETFB2, &a))
		getfb_handle(w, f, a.handles[0], 0);
}

/* ---- modes and blobs -------------------------------------------------------- */

static uint32_t make_blob(struct fz_worker *w, struct fz_file *f,
			  const struct drm_mode_modeinfo *mode, bool junk)
{
	struct drm_mode_create_blob a = { 0 };
	uint8_t *data = w->scratch + 16384;
	unsigned int i;

	if (mode && !junk) {
		memcpy(data, mode, sizeof(*mode));
		a.length = sizeof(*mode);
		/* A mode with one field off: the core or mode_valid refuses. */
		if (fz_corrupt_p(w, 2)) {
			uint16_t *field = (uint16_t *)data + fz_rnd(w, 9);

			*field = fz_corrupt32(w, *field);
		}
		if (fz_kms_low_refresh((struct drm_mode_modeinfo *)data)) {
			fz_trace(w, "create_blob with a mode below 25 Hz skipped (avoid-known)");
			return 0;
		}
	} else {
		a.length = fz_rnd(w, 4096);
		for (i = 0; i < a.length; i++)
			data[i] = fz_next(w);
		if (fz_corrupt_p(w, 1))
			a.length = fz_chance(w, 50) ? 0 : 0x80000000u + fz_rnd(w, 1 << 30);
	}
	a.data = fz_maybe_ptr(w, data, false);
	fz_trace(w, "create_blob fd %d len %u mode %ux%u", f->fd, a.length,
		 mode ? mode->hdisplay : 0, mode ? mode->vdisplay : 0);
	if (fz_ioctl(w, OP_create_blob, f->fd, DRM_IOCTL_MODE_CREATEPROPBLOB, &a))
		return 0;
	if (f->nblob == FZ_MAX_BLOBS) {
		struct drm_mode_destroy_blob d = { .blob_id = f->blob[0] };

		fz_ioctl(w, OP_destroy_blob, f->fd, DRM_IOCTL_MODE_DESTROYPROPBLOB, &d);
		fz_remember_id(w, f->blob[0]);
		memmove(f->blob, f->blob + 1, sizeof(f->blob[0]) * (FZ_MAX_BLOBS - 1));
		f->nblob--;
	}
	f->blob[f->nblob++] = a.blob_id;
	if (mode && !junk && a.length == sizeof(*mode))
		blob_dims_set(a.blob_id, ((struct drm_mode_modeinfo *)data)->hdisplay,
			      ((struct drm_mode_modeinfo *)data)->vdisplay);
	return a.blob_id;
}

const struct drm_mode_modeinfo *fz_kms_pick_mode(struct fz_worker *w)
{
	const struct drm_mode_modeinfo *m640 = fz_kms_find_mode(640, 480);

	if (!fz_cfg.kms.nmodes)
		return NULL;
	/* 640x480 keeps composition cheap under TCG. */
	if (m640 && fz_chance(w, 60))
		return m640;
	return &fz_cfg.kms.modes[fz_rnd(w, fz_cfg.kms.nmodes)];
}

void fz_op_create_blob(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);

	if (f)
		make_blob(w, f, fz_kms_pick_mode(w), fz_chance(w, 20));
}

void fz_op_destroy_blob(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	struct drm_mode_destroy_blob a = { 0 };
	int idx = -1, i;

	if (!f)
		return;
	if (f->nblob && !fz_corrupt_p(w, 2)) {
		idx = fz_rnd(w, f->nblob);
		a.blob_id = f->blob[idx];
	} else {
		a.blob_id = fz_chance(w, 50) ? fz_stale_id(w) : 1 + fz_rnd(w, 128);
	}
	fz_trace(w, "destroy_blob fd %d blob %u", f->fd, a.blob_id);
	if (fz_ioctl(w, OP_destroy_blob, f->fd, DRM_IOCTL_MODE_DESTROYPROPBLOB, &a))
		return;
	for (i = 0; i < f->nblob; i++) {
		if (f->blob[i] == a.blob_id) {
			fz_remember_id(w, a.blob_id);
			memmove(f->blob + i, f->blob + i + 1,
				sizeof(f->blob[0]) * (f->nblob - i - 1));
			f->nblob--;
			break;
		}
	}
}

/* A blob of the mode @wd x @ht: one we have, or a new one. */
static uint32_t blob_for(struct fz_worker *w, struct fz_file *f, uint32_t wd,
			 uint32_t ht)
{
	const struct drm_mode_modeinfo *mode = fz_kms_find_mode(wd, ht);
	uint32_t bw, bh;
	int i;

	for (i = 0; i < f->nblob; i++)
		if (blob_dims_get(f->blob[i], &bw, &bh) && bw == wd && bh == ht)
			return f->blob[i];
	return mode ? make_blob(w, f, mode, false) : 0;
}

/* ---- atomic ----------------------------------------------------------------- */

struct commit {
	uint32_t objs[16];
	uint32_t counts[16];
	uint32_t props[64];
	uint64_t values[64];
	uint32_t nobjs, nprops;
	bool in_fence, fb_zero_plane[2];
};

static const struct fz_prop *find_prop(uint32_t obj, const char *name)
{
	int i;

	for (i = 0; i < fz_cfg.kms.nprops; i++)
		if (fz_cfg.kms.props[i].obj == obj && !strcmp(fz_cfg.kms.props[i].name, name))
			return &fz_cfg.kms.props[i];
	return NULL;
}

static void add_prop(struct commit *c, uint32_t obj, uint32_t prop, uint64_t value)
{
	uint32_t i, pos = 0;

	if (!obj || !prop || c->nprops == 64)
		return;
	for (i = 0; i < c->nobjs; i++) {
		if (c->objs[i] == obj)
			break;
		pos += c->counts[i];
	}
	if (i == c->nobjs) {
		if (c->nobjs == 16)
			return;
		c->objs[c->nobjs] = obj;
		c->counts[c->nobjs++] = 0;
		pos = c->nprops;
	} else {
		pos += c->counts[i];
		memmove(c->props + pos + 1, c->props + pos, (c->nprops - pos) * sizeof(c->props[0]));
		memmove(c->values + pos + 1, c->values + pos, (c->nprops - pos) * sizeof(c->values[0]));
	}
	c->props[pos] = prop;
	c->values[pos] = value;
	c->counts[i]++;
	c->nprops++;
}

static void set(struct commit *c, uint32_t obj, const char *name, uint64_t value)
{
	const struct fz_prop *p = find_prop(obj, name);

	if (p)
		add_prop(c, obj, p->id, value);
}

static int sync_file_arg(struct fz_worker *w)
{
	struct fz_fd *e;

	if (!w->nfds[FD_SYNCFILE])
		fz_make_sync_file(w);
	return fz_fd_arg(w, FD_SYNCFILE, &e);
}

static uint64_t out_fence_ptr(struct fz_worker *w)
{
	int32_t *slot = &w->out_fence[fz_rnd(w, 4)];

	*slot = -1;
	return fz_maybe_ptr(w, slot, true);
}

/* A value for any property, by its name and type; often nonsense. */
uint64_t fz_kms_random_value(struct fz_worker *w, struct fz_file *f,
			     const struct fz_prop *p)
{
	struct fz_fb *fb;

	if (!strcmp(p->name, "FB_ID"))
		return fz_kms_fb_arg(w, f, &fb);
	if (!strcmp(p->name, "CRTC_ID"))
		return fz_chance(w, 70) ? fz_cfg.kms.crtc : fz_chance(w, 50) ? 0 : fz_corrupt32(w, 1);
	if (!strcmp(p->name, "MODE_ID"))
		return f->nblob && fz_chance(w, 70) ? f->blob[fz_rnd(w, f->nblob)] :
		       fz_chance(w, 50) ? 0 : fz_stale_id(w);
	if (!strcmp(p->name, "IN_FENCE_FD"))
		return (uint64_t)(int64_t)(fz_chance(w, 70) ? sync_file_arg(w) : -1);
	if (!strcmp(p->name, "OUT_FENCE_PTR"))
		return fz_chance(w, 80) ? out_fence_ptr(w) : 0;
	if (p->nvalues && fz_chance(w, 80))
		return p->values[fz_rnd(w, p->nvalues)];
	if (p->max > p->min && fz_chance(w, 80))
		return p->min + fz_rnd(w, p->max - p->min + 1);
	return fz_corrupt64(w, p->min);
}

static void template_modeset(struct fz_worker *w, struct fz_file *f,
			     struct commit *c, uint32_t *flags)
{
	const struct fz_kms *k = &fz_cfg.kms;
	struct fz_fb *fb = pick_fb(w, f);
	uint32_t wd = 640, ht = 480, blob;

	if (fb && fz_kms_find_mode(fb->width, fb->height)) {
		wd = fb->width;
		ht = fb->height;
	}
	blob = blob_for(w, f, wd, ht);
	set(c, k->crtc, "ACTIVE", 1);
	set(c, k->crtc, "MODE_ID", blob);
	set(c, k->conn, "CRTC_ID", k->crtc);
	if (fb && fb->width == wd && fb->height == ht) {
		set(c, k->primary, "FB_ID", fb->id);
		set(c, k->primary, "CRTC_ID", k->crtc);
		set(c, k->primary, "SRC_X", 0);
		set(c, k->primary, "SRC_Y", 0);
		set(c, k->primary, "SRC_W", (uint64_t)wd << 16);
		set(c, k->primary, "SRC_H", (uint64_t)ht << 16);
		set(c, k->primary, "CRTC_X", 0);
		set(c, k->primary, "CRTC_Y", 0);
		set(c, k->primary, "CRTC_W", wd);
		set(c, k->primary, "CRTC_H", ht);
	}
	*flags |= DRM_MODE_ATOMIC_ALLOW_MODESET;
}

static void template_flip(struct fz_worker *w, struct fz_file *f,
			  struct commit *c, uint32_t *flags)
{
	const struct fz_kms *k = &fz_cfg.kms;
	struct fz_fb *fb = pick_fb(w, f);

	if (!fb)
		return;
	set(c, k->primary, "FB_ID", fb->id);
	set(c, k->primary, "CRTC_ID", k->crtc);
	set(c, k->primary, "SRC_W", (uint64_t)fb->width << 16);
	set(c, k->primary, "SRC_H", (uint64_t)fb->height << 16);
	set(c, k->primary, "CRTC_W", fb->width);
	set(c, k->primary, "CRTC_H", fb->height);
	if (fz_chance(w, 30)) {
		set(c, k->primary, "IN_FENCE_FD", (uint64_t)(int64_t)sync_file_arg(w));
		c->in_fence = true;
	}
	if (fz_chance(w, 30))
		set(c, k->crtc, "OUT_FENCE_PTR", out_fence_ptr(w));
	*flags |= DRM_MODE_ATOMIC_NONBLOCK;
	if (fz_chance(w, 70))
		*flags |= DRM_MODE_PAGE_FLIP_EVENT;
}

static void template_cursor(struct fz_worker *w, struct fz_file *f,
			    struct commit *c, uint32_t *flags)
{
	const struct fz_kms *k = &fz_cfg.kms;
	struct fz_fb *fb = pick_fb(w, f);
	uint32_t wd, ht;

	if (!k->cursor)
		return;
	if (!fb || fz_chance(w, 20)) {
		set(c, k->cursor, "FB_ID", 0);
		set(c, k->cursor, "CRTC_ID", 0);
		c->fb_zero_plane[1] = true;
		return;
	}
	wd = fb->width < 256 ? fb->width : 256;
	ht = fb->height < 256 ? fb->height : 256;
	set(c, k->cursor, "FB_ID", fb->id);
	set(c, k->cursor, "CRTC_ID", k->crtc);
	set(c, k->cursor, "SRC_X", 0);
	set(c, k->cursor, "SRC_Y", 0);
	set(c, k->cursor, "SRC_W", (uint64_t)wd << 16);
	set(c, k->cursor, "SRC_H", (uint64_t)ht << 16);
	set(c, k->cursor, "CRTC_X", (uint64_t)(int64_t)((int)fz_rnd(w, 800) - 100));
	set(c, k->cursor, "CRTC_Y", (uint64_t)(int64_t)((int)fz_rnd(w, 600) - 100));
	set(c, k->cursor, "CRTC_W", wd);
	set(c, k->cursor, "CRTC_H", ht);
	if (fz_chance(w, 50))
		*flags |= DRM_MODE_ATOMIC_NONBLOCK;
}

static void template_disable(struct fz_worker *w, struct commit *c,
			     uint32_t *flags)
{
	const struct fz_kms *k = &fz_cfg.kms;

	set(c, k->crtc, "ACTIVE", 0);
	if (fz_chance(w, 70)) {
		set(c, k->crtc, "MODE_ID", 0);
		set(c, k->conn, "CRTC_ID", 0);
		set(c, k->primary, "FB_ID", 0);
		set(c, k->primary, "CRTC_ID", 0);
		c->fb_zero_plane[0] = true;
		if (k->cursor) {
			set(c, k->cursor, "FB_ID", 0);
			set(c, k->cursor, "CRTC_ID", 0);
			c->fb_zero_plane[1] = true;
		}
	}
	*flags |= DRM_MODE_ATOMIC_ALLOW_MODESET;
}

static void random_props(struct fz_worker *w, struct fz_file *f,
			 struct commit *c, unsigned int n)
{
	const struct fz_kms *k = &fz_cfg.kms;
	unsigned int i;

	for (i = 0; i < n && k->nprops; i++) {
		const struct fz_prop *p = &k->props[fz_rnd(w, k->nprops)];
		uint32_t obj = p->obj, prop = p->id;
		uint64_t v = fz_kms_random_value(w, f, p);

		if (!strcmp(p->name, "IN_FENCE_FD") && (int64_t)v >= 0)
			c->in_fence = true;
		if (fz_corrupt_p(w, 1))
			obj = fz_chance(w, 50) ? fz_corrupt32(w, obj) : 1 + fz_rnd(w, 64);
		if (fz_corrupt_p(w, 1))
			prop = fz_chance(w, 50) ? fz_corrupt32(w, prop) : 1 + fz_rnd(w, 64);
		add_prop(c, obj, prop, fz_maybe64(w, v));
	}
}

/* Does the commit put a fence on a plane without a framebuffer? */
static bool fence_without_fb(const struct commit *c)
{
	const struct fz_kms *k = &fz_cfg.kms;
	uint32_t planes[2] = { k->primary, k->cursor };
	unsigned int o, p, pos = 0, pl;

	for (o = 0; o < c->nobjs; pos += c->counts[o], o++) {
		bool fence = false, fb = false;
		const struct fz_prop *in = NULL, *fbp = NULL;

		for (pl = 0; pl < 2; pl++)
			if (planes[pl] && c->objs[o] == planes[pl]) {
				in = find_prop(planes[pl], "IN_FENCE_FD");
				fbp = find_prop(planes[pl], "FB_ID");
			}
		if (!in || !fbp)
			continue;
		for (p = pos; p < pos + c->counts[o]; p++) {
			if (c->props[p] == in->id && (int64_t)c->values[p] >= 0)
				fence = true;
			if (c->props[p] == fbp->id && c->values[p])
				fb = true;
		}
		if (fence && !fb)
			return true;
	}
	return false;
}

void fz_op_atomic(struct fz_worker *w)
{
	struct fz_file *f = fz_pick_file(w, PICK_KMS);
	struct drm_mode_atomic a = { 0 };
	struct commit *c = (void *)(w->scratch + 32768);
	uint32_t flags = 0;
	unsigned int r = fz_rnd(w, 100), i;
	int ret;

	if (fz_kms_not_master_skip(w))
		return;
	if (!f || !fz_cfg.kms.present)
		return;
	memset(c, 0, sizeof(*c));
	if (r < 20)
		template_modeset(w, f, c, &flags);
	else if (r < 55)
		template_flip(w, f, c, &flags);
	else if (r < 70)
		template_cursor(w, f, c, &flags);
	else if (r < 75)
		template_disable(w, c, &flags);
	else
		random_props(w, f, c, 1 + fz_rnd(w, 8));
	if (r < 75 && fz_corrupt_p(w, 2))
		random_props(w, f, c, 1 + fz_rnd(w, 2));
	if (r >= 75) {
		static const uint32_t bits[] = {
			DRM_MODE_ATOMIC_TEST_ONLY, DRM_MODE_ATOMIC_NONBLOCK,
			DRM_MODE_ATOMIC_ALLOW_MODESET, DRM_MODE_PAGE_FLIP_EVENT,
		};

		for (i = 0; i < 4; i++)
			if (fz_chance(w, 35))
				flags |= bits[i];
	} else if (fz_chance(w, 10)) {
		flags |= DRM_MODE_ATOMIC_TEST_ONLY;
	}
	flags = fz_maybe32(w, flags);
	if (FZ_AVOID(AVOID_FENCE_NO_FB) && fence_without_fb(c)) {
		/* Known: IN_FENCE_FD on a plane with FB_ID 0 WARNs in vdisplay. */
		fz_trace(w, "atomic with IN_FENCE_FD and no FB skipped (avoid-known)");
		return;
	}

	a.flags = flags;
	a.count_objs = c->nobjs;
	a.objs_ptr = fz_maybe_ptr(w, c->objs, false);
	a.count_props_ptr = fz_maybe_ptr(w, c->counts, false);
	a.props_ptr = fz_maybe_ptr(w, c->props, false);
	a.prop_values_ptr = fz_maybe_ptr(w, c->values, false);
	a.user_data = fz_next(w);
	if (fz_corrupt_p(w, 1))
		a.count_objs = fz_chance(w, 50) ? c->nobjs + 1 : fz_corrupt32(w, c->nobjs);
	if (fz_corrupt_p(w, 1))
		a.reserved = fz_corrupt64(w, 0);
	for (i = 0; i < 4; i++)
		w->out_fence[i] = -1;
	fz_trace(w, "atomic fd %d objs %u props %u flags %#x tmpl %u%s", f->fd,
		 a.count_objs, c->nprops, a.flags, r,
		 c->in_fence ? " in-fence" : "");
	ret = fz_ioctl(w, OP_atomic, f->fd, DRM_IOCTL_MODE_ATOMIC, &a);
	if (ret || (flags & DRM_MODE_ATOMIC_TEST_ONLY))
		return;
	for (i = 0; i < 4; i++)
		if (w->out_fence[i] >= 0 && !fz_fd_is_pooled(w, w->out_fence[i]))
			fz_add_fd(w, FD_SYNCFILE, w->out_fence[i]);
}
