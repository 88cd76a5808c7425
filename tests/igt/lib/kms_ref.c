// SPDX-License-Identifier: MIT
/*
 * Reference compositor for vdisplay's tests (see kms_ref.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <drm_fourcc.h>

#include "igt_core.h"
#include "kms_ref.h"

#define RGB(f, n, c, rs, rb, gs, gb, bs, bb, as, ab) \
	{ DRM_FORMAT_##f, n, REF_RGB, 1, 1, 1, { c }, 0, (ab) > 0, false, \
	  { rs, gs, bs, as }, { rb, gb, bb, ab }, { 0 } }
#define SEMI(f, n, h, v, d, swap) \
	{ DRM_FORMAT_##f, n, REF_YUV_SEMI, 2, h, v, \
	  { (d) > 8 ? 2 : 1, (d) > 8 ? 4 : 2 }, d, false, swap, { 0 }, { 0 }, \
	  { 0 } }
#define PLANAR(f, n, h, v, swap) \
	{ DRM_FORMAT_##f, n, REF_YUV_PLANAR, 3, h, v, { 1, 1, 1 }, 8, false, \
	  swap, { 0 }, { 0 }, { 0 } }
#define PACKED(f, n, y0, u, y1, v) \
	{ DRM_FORMAT_##f, n, REF_YUV_PACKED, 1, 2, 1, { 2 }, 8, false, false, \
	  { 0 }, { 0 }, { y0, u, y1, v } }

/* From drm_fourcc.h: [msb:lsb] little-endian words. */
const struct ref_format ref_formats[] = {
	RGB(XRGB8888, "xrgb8888", 4, 16, 8, 8, 8, 0, 8, 24, 0),
	RGB(ARGB8888, "argb8888", 4, 16, 8, 8, 8, 0, 8, 24, 8),
	RGB(XBGR8888, "xbgr8888", 4, 0, 8, 8, 8, 16, 8, 24, 0),
	RGB(ABGR8888, "abgr8888", 4, 0, 8, 8, 8, 16, 8, 24, 8),
	RGB(RGBX8888, "rgbx8888", 4, 24, 8, 16, 8, 8, 8, 0, 0),
	RGB(RGBA8888, "rgba8888", 4, 24, 8, 16, 8, 8, 8, 0, 8),
	RGB(BGRX8888, "bgrx8888", 4, 8, 8, 16, 8, 24, 8, 0, 0),
	RGB(BGRA8888, "bgra8888", 4, 8, 8, 16, 8, 24, 8, 0, 8),
	RGB(RGB888, "rgb888", 3, 16, 8, 8, 8, 0, 8, 0, 0),
	RGB(BGR888, "bgr888", 3, 0, 8, 8, 8, 16, 8, 0, 0),
	RGB(RGB565, "rgb565", 2, 11, 5, 5, 6, 0, 5, 0, 0),
	RGB(BGR565, "bgr565", 2, 0, 5, 5, 6, 11, 5, 0, 0),
	RGB(XRGB1555, "xrgb1555", 2, 10, 5, 5, 5, 0, 5, 15, 0),
	RGB(ARGB1555, "argb1555", 2, 10, 5, 5, 5, 0, 5, 15, 1),
	RGB(XRGB4444, "xrgb4444", 2, 8, 4, 4, 4, 0, 4, 12, 0),
	RGB(ARGB4444, "argb4444", 2, 8, 4, 4, 4, 0, 4, 12, 4),
	RGB(XRGB2101010, "xrgb2101010", 4, 20, 10, 10, 10, 0, 10, 30, 0),
	RGB(ARGB2101010, "argb2101010", 4, 20, 10, 10, 10, 0, 10, 30, 2),
	RGB(XBGR2101010, "xbgr2101010", 4, 0, 10, 10, 10, 20, 10, 30, 0),
	RGB(ABGR2101010, "abgr2101010", 4, 0, 10, 10, 10, 20, 10, 30, 2),
	RGB(XRGB16161616, "xrgb16161616", 8, 32, 16, 16, 16, 0, 16, 48, 0),
	RGB(ARGB16161616, "argb16161616", 8, 32, 16, 16, 16, 0, 16, 48, 16),
	RGB(XBGR16161616, "xbgr16161616", 8, 0, 16, 16, 16, 32, 16, 48, 0),
	RGB(ABGR16161616, "abgr16161616", 8, 0, 16, 16, 16, 32, 16, 48, 16),
	SEMI(NV12, "nv12", 2, 2, 8, false),
	SEMI(NV21, "nv21", 2, 2, 8, true),
	SEMI(NV16, "nv16", 2, 1, 8, false),
	SEMI(NV61, "nv61", 2, 1, 8, true),
	SEMI(NV24, "nv24", 1, 1, 8, false),
	SEMI(NV42, "nv42", 1, 1, 8, true),
	SEMI(P010, "p010", 2, 2, 10, false),
	SEMI(P012, "p012", 2, 2, 12, false),
	SEMI(P016, "p016", 2, 2, 16, false),
	PLANAR(YUV420, "yuv420", 2, 2, false),
	PLANAR(YVU420, "yvu420", 2, 2, true),
	PLANAR(YUV422, "yuv422", 2, 1, false),
	PLANAR(YVU422, "yvu422", 2, 1, true),
	PLANAR(YUV444, "yuv444", 1, 1, false),
	PLANAR(YVU444, "yvu444", 1, 1, true),
	PACKED(YUYV, "yuyv", 0, 1, 2, 3),
	PACKED(YVYU, "yvyu", 0, 3, 2, 1),
	PACKED(UYVY, "uyvy", 1, 0, 3, 2),
	PACKED(VYUY, "vyuy", 1, 2, 3, 0),
};

const unsigned int ref_num_formats = ARRAY_SIZE(ref_formats);

const struct ref_format *ref_format(uint32_t fourcc)
{
	for (unsigned int i = 0; i < ref_num_formats; i++)
		if (ref_formats[i].fourcc == fourcc)
			return &ref_formats[i];
	return NULL;
}

/* An n-bit channel to 16 bits: its bits repeated. */
static uint16_t expand(uint32_t c, unsigned int bits)
{
	uint32_t v = 0;
	int s;

	if (bits == 1)
		return c ? 0xffff : 0;
	for (s = 16 - bits; s > -(int)bits; s -= bits)
		v |= s >= 0 ? c << s : c >> -s;
	return v;
}

static uint64_t load(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void store(uint8_t *p, unsigned int n, uint64_t v)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = v >> (8 * i);
}

void ref_yuv_init(struct ref_yuv *k, int encoding, int range, int depth)
{
	static const uint64_t kr_e4[] = { 2990, 2126, 2627 };
	static const uint64_t kb_e4[] = { 1140, 722, 593 };
	const uint64_t one = 65535ull << 16;
	uint64_t s = 1ull << (depth - 8), max = (1ull << depth) - 1;
	uint64_t kr = kr_e4[encoding], kb = kb_e4[encoding];
	uint64_t kg = 10000 - kr - kb, ydiv, cdiv;

#define DIVR(n, d) ((int32_t)(((n) + (d) / 2) / (d)))
	if (range) {
		k->yoff = 0;
		k->coff = 1 << (depth - 1);
		ydiv = cdiv = max;
	} else {
		k->yoff = 16 * s;
		k->coff = 128 * s;
		ydiv = 219 * s;
		cdiv = 224 * s;
	}
	k->ky = DIVR(one, ydiv);
	k->kr_v = DIVR(2 * (10000 - kr) * one, 10000 * cdiv);
	k->kb_u = DIVR(2 * (10000 - kb) * one, 10000 * cdiv);
	k->kg_u = DIVR(2 * kb * (10000 - kb) * one, 10000 * kg * cdiv);
	k->kg_v = DIVR(2 * kr * (10000 - kr) * one, 10000 * kg * cdiv);
	k->shift = 16 - depth;
#undef DIVR
}

static uint16_t clamp16(int64_t v)
{
	return v < 0 ? 0 : v > 0xffff ? 0xffff : v;
}

static struct ref_px yuv_px(const struct ref_yuv *k, int y, int u, int v)
{
	int64_t yy = (int64_t)k->ky * (y - k->yoff) + 0x8000;
	int64_t cb = u - k->coff, cr = v - k->coff;

	return (struct ref_px){
		.r = clamp16((yy + k->kr_v * cr) >> 16),
		.g = clamp16((yy - k->kg_u * cb - k->kg_v * cr) >> 16),
		.b = clamp16((yy + k->kb_u * cb) >> 16),
		.a = 0xffff,
	};
}

/* Address of the sample of plane @k covering pixel (x, y). */
static uint8_t *sample(const struct ref_fb *fb, int k, int x, int y)
{
	const struct ref_format *f = fb->fmt;
	int hs = k ? f->hsub : 1, vs = k ? f->vsub : 1;

	return fb->data[k] + (size_t)(y / vs) * fb->pitches[k] +
	       (size_t)(x / hs) * f->cpp[k];
}

static int word(const uint8_t *p, const struct ref_format *f)
{
	return f->depth > 8 ? (int)(load(p, 2) >> (16 - f->depth)) : p[0];
}

struct ref_px ref_read(const struct ref_fb *fb, int x, int y,
		       const struct ref_yuv *k)
{
	const struct ref_format *f = fb->fmt;
	const uint8_t *p, *c;
	int b = f->depth > 8 ? 2 : 1, u, v;
	struct ref_px px;

	switch (f->type) {
	case REF_RGB: {
		uint64_t w = load(sample(fb, 0, x, y), f->cpp[0]);
		uint16_t ch[4];

		for (int i = 0; i < 4; i++)
			ch[i] = f->bits[i] ?
				expand((w >> f->shift[i]) &
				       ((1ull << f->bits[i]) - 1), f->bits[i]) :
				0xffff;
		px = (struct ref_px){ ch[0], ch[1], ch[2], ch[3] };
		return px;
	}
	case REF_YUV_PACKED:
		p = fb->data[0] + (size_t)y * fb->pitches[0] + (size_t)(x / 2) * 4;
		return yuv_px(k, p[f->order[x & 1 ? 2 : 0]], p[f->order[1]],
			      p[f->order[3]]);
	case REF_YUV_SEMI:
		c = sample(fb, 1, x, y);
		u = word(c + (f->swap_uv ? b : 0), f);
		v = word(c + (f->swap_uv ? 0 : b), f);
		return yuv_px(k, word(sample(fb, 0, x, y), f), u, v);
	case REF_YUV_PLANAR:
		u = *sample(fb, f->swap_uv ? 2 : 1, x, y);
		v = *sample(fb, f->swap_uv ? 1 : 2, x, y);
		return yuv_px(k, *sample(fb, 0, x, y), u, v);
	}
	return (struct ref_px){ 0 };
}

void ref_write_rgb(const struct ref_fb *fb, int x, int y, struct ref_px px)
{
	const struct ref_format *f = fb->fmt;
	uint16_t ch[4] = { px.r, px.g, px.b, px.a };
	uint8_t *p = sample(fb, 0, x, y);
	uint64_t w = 0;

	for (int i = 0; i < 4; i++) {
		uint64_t max = (1ull << f->bits[i]) - 1;

		if (f->bits[i])
			w |= ((ch[i] * max + 32767) / 65535) << f->shift[i];
	}
	store(p, f->cpp[0], w);
}

static void put_word(uint8_t *p, const struct ref_format *f, int v)
{
	if (f->depth > 8)
		store(p, 2, (uint64_t)v << (16 - f->depth));
	else
		p[0] = v;
}

void ref_write_yuv(const struct ref_fb *fb, int x, int y, int luma, int cb,
		   int cr)
{
	const struct ref_format *f = fb->fmt;
	int b = f->depth > 8 ? 2 : 1;
	uint8_t *p;

	switch (f->type) {
	case REF_YUV_PACKED:
		p = fb->data[0] + (size_t)y * fb->pitches[0] + (size_t)(x / 2) * 4;
		p[f->order[x & 1 ? 2 : 0]] = luma;
		p[f->order[1]] = cb;
		p[f->order[3]] = cr;
		break;
	case REF_YUV_SEMI:
		put_word(sample(fb, 0, x, y), f, luma);
		p = sample(fb, 1, x, y);
		put_word(p + (f->swap_uv ? b : 0), f, cb);
		put_word(p + (f->swap_uv ? 0 : b), f, cr);
		break;
	case REF_YUV_PLANAR:
		*sample(fb, 0, x, y) = luma;
		*sample(fb, f->swap_uv ? 2 : 1, x, y) = cb;
		*sample(fb, f->swap_uv ? 1 : 2, x, y) = cr;
		break;
	default:
		break;
	}
}

void ref_rgb_to_yuv(double r, double g, double b, int encoding, int range,
		    int depth, int *luma, int *cb, int *cr)
{
	static const double krs[] = { 0.299, 0.2126, 0.2627 };
	static const double kbs[] = { 0.114, 0.0722, 0.0593 };
	double kr = krs[encoding], kb = kbs[encoding], kg = 1 - kr - kb;
	double y = kr * r + kg * g + kb * b;
	double pb = (b - y) / (2 * (1 - kb)), pr = (r - y) / (2 * (1 - kr));
	double s = ldexp(1, depth - 8), max = ldexp(1, depth) - 1;
	double vy, vb, vr;

	if (range) {
		vy = max * y;
		vb = ldexp(1, depth - 1) + max * pb;
		vr = ldexp(1, depth - 1) + max * pr;
	} else {
		vy = 16 * s + 219 * s * y;
		vb = 128 * s + 224 * s * pb;
		vr = 128 * s + 224 * s * pr;
	}
	*luma = fmin(fmax(lround(vy), 0), max);
	*cb = fmin(fmax(lround(vb), 0), max);
	*cr = fmin(fmax(lround(vr), 0), max);
}

uint16_t ref_mul(uint32_t a, uint32_t b)
{
	uint32_t x = a * b + 0x8000;

	return (x + (x >> 16)) >> 16;
}

uint32_t ref_to8(uint32_t v)
{
	return (v * 255 + 32895) >> 16;
}

void ref_ctm(const struct drm_color_ctm *ctm, int64_t out[9])
{
	for (int i = 0; i < 9; i++) {
		uint64_t mag = ctm->matrix[i] & ~(1ull << 63);
		uint64_t q = (mag + 0x8000) >> 16;

		if (q > 1ull << 31)
			q = 1ull << 31;
		out[i] = ctm->matrix[i] >> 63 ? -(int64_t)q : (int64_t)q;
	}
}

uint16_t ref_lut(const struct drm_color_lut *lut, unsigned int size,
		 uint16_t v, int channel)
{
	uint32_t pos = (uint32_t)v * (size - 1), i = pos / 65535;
	uint32_t f = pos % 65535;
	const uint16_t *e;
	int32_t lo, d;

	if (i >= size - 1) {
		e = &lut[size - 1].red;
		return e[channel];
	}
	lo = (&lut[i].red)[channel];
	d = (int32_t)(&lut[i + 1].red)[channel] - lo;
	return d >= 0 ? lo + ref_mul(d, f) : lo - ref_mul(-d, f);
}

void ref_src_point(const struct ref_plane *p, int x, int y, int *sx, int *sy)
{
	int w = p->src_w, h = p->src_h;

	switch (p->rotation & DRM_MODE_ROTATE_MASK) {
	case DRM_MODE_ROTATE_90:
		*sx = w - 1 - y;
		*sy = x;
		break;
	case DRM_MODE_ROTATE_180:
		*sx = w - 1 - x;
		*sy = h - 1 - y;
		break;
	case DRM_MODE_ROTATE_270:
		*sx = y;
		*sy = h - 1 - x;
		break;
	default:
		*sx = x;
		*sy = y;
	}
	if (p->rotation & DRM_MODE_REFLECT_X)
		*sx = w - 1 - *sx;
	if (p->rotation & DRM_MODE_REFLECT_Y)
		*sy = h - 1 - *sy;
}

static void blend(struct ref_px *d, struct ref_px s, const struct ref_plane *p)
{
	uint32_t pa = p->alpha, a, r, g, b, inv;

	switch (p->blend) {
	case REF_BLEND_NONE:
		a = pa;
		r = ref_mul(s.r, pa);
		g = ref_mul(s.g, pa);
		b = ref_mul(s.b, pa);
		break;
	case REF_BLEND_COVERAGE:
		a = ref_mul(s.a, pa);
		r = ref_mul(s.r, a);
		g = ref_mul(s.g, a);
		b = ref_mul(s.b, a);
		break;
	default:
		a = ref_mul(s.a, pa);
		r = ref_mul(s.r, pa);
		g = ref_mul(s.g, pa);
		b = ref_mul(s.b, pa);
		break;
	}
	inv = 65535 - a;
	r += ref_mul(d->r, inv);
	g += ref_mul(d->g, inv);
	b += ref_mul(d->b, inv);
	d->r = r > 65535 ? 65535 : r;
	d->g = g > 65535 ? 65535 : g;
	d->b = b > 65535 ? 65535 : b;
}

static void compose_plane(const struct ref_plane *p, unsigned int w,
			  unsigned int h, struct ref_px *out)
{
	bool turned = p->rotation & (DRM_MODE_ROTATE_90 | DRM_MODE_ROTATE_270);
	struct ref_yuv k;
	int x, y, sx, sy;

	igt_assert_eq(turned ? p->src_h : p->src_w, p->crtc_w);
	igt_assert_eq(turned ? p->src_w : p->src_h, p->crtc_h);
	if (p->fb->fmt->type != REF_RGB)
		ref_yuv_init(&k, p->encoding, p->range, p->fb->fmt->depth);
	for (y = 0; y < (int)p->crtc_h; y++) {
		int cy = p->crtc_y + y;

		if (cy < 0 || cy >= (int)h)
			continue;
		for (x = 0; x < (int)p->crtc_w; x++) {
			int cx = p->crtc_x + x;

			if (cx < 0 || cx >= (int)w)
				continue;
			ref_src_point(p, x, y, &sx, &sy);
			blend(&out[(size_t)cy * w + cx],
			      ref_read(p->fb, p->src_x + sx, p->src_y + sy, &k),
			      p);
		}
	}
}

static void color_px(const struct ref_color *c, struct ref_px *px)
{
	if (c->degamma) {
		px->r = ref_lut(c->degamma, c->degamma_size, px->r, 0);
		px->g = ref_lut(c->degamma, c->degamma_size, px->g, 1);
		px->b = ref_lut(c->degamma, c->degamma_size, px->b, 2);
	}
	if (c->ctm_on) {
		int64_t in[3] = { px->r, px->g, px->b };
		uint16_t o[3];

		for (int i = 0; i < 3; i++)
			o[i] = clamp16((c->ctm[3 * i] * in[0] +
					c->ctm[3 * i + 1] * in[1] +
					c->ctm[3 * i + 2] * in[2] + 0x8000) >> 16);
		px->r = o[0];
		px->g = o[1];
		px->b = o[2];
	}
	if (c->gamma) {
		px->r = ref_lut(c->gamma, c->gamma_size, px->r, 0);
		px->g = ref_lut(c->gamma, c->gamma_size, px->g, 1);
		px->b = ref_lut(c->gamma, c->gamma_size, px->b, 2);
	}
}

void ref_compose(const struct ref_plane *planes, unsigned int n,
		 unsigned int w, unsigned int h, const struct ref_color *color,
		 struct ref_px *out16, uint32_t *out)
{
	size_t count = (size_t)w * h;
	struct ref_px *px = out16 ? out16 : calloc(count, sizeof(*px));

	igt_assert(px);
	for (size_t i = 0; i < count; i++)
		px[i] = (struct ref_px){ 0, 0, 0, 0xffff };
	for (unsigned int i = 0; i < n; i++)
		compose_plane(&planes[i], w, h, px);
	for (size_t i = 0; i < count; i++) {
		if (color)
			color_px(color, &px[i]);
		out[i] = 0xff000000 | ref_to8(px[i].r) << 16 |
			 ref_to8(px[i].g) << 8 | ref_to8(px[i].b);
	}
	if (!out16)
		free(px);
}
