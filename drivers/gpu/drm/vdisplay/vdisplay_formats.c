// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay pixel formats: reading one line of a plane, in any rotation,
 * into the composer's 16-bit pixels.
 */

#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/minmax.h>

#include <drm/drm_blend.h>
#include <drm/drm_color_mgmt.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_atomic_helper.h>

#include "vdisplay_compose.h"

/**
 * DOC: pixel formats
 *
 * Primary and overlay planes take the RGB formats of the table below (8,
 * 10 and 16 bits per channel, 565, 1555, 4444, 24-bit packed) and YUV:
 * NV12, NV21, NV16, NV61, NV24, NV42, YUV420, YVU420, YUV422, YVU422,
 * YUV444, YVU444, YUYV, YVYU, UYVY, VYUY, P010, P012 and P016, all linear.
 * The cursor plane takes ARGB8888 and XRGB8888.
 *
 * Every pixel is read into 16 bits per channel (&struct vdisplay_px). An
 * RGB channel of n bits becomes 16 bits by repeating its bits (8 bits: c *
 * 257; 10 bits: c << 6 | c >> 4; 5 bits: c << 11 | c << 6 | c << 1 | c >>
 * 4; 6 bits: c << 10 | c << 4 | c >> 2; 4 bits: c * 0x1111; 2 bits: c *
 * 0x5555; 1 bit: 0 or 0xffff). Formats without alpha read as opaque.
 *
 * YCbCr samples of n bits (8; 10, 12 and 16 for P010, P012, P016, whose
 * 16-bit words hold the sample in their high bits) are converted with the
 * plane's COLOR_ENCODING (BT.601, BT.709, BT.2020: Kr, Kb = 0.299, 0.114;
 * 0.2126, 0.0722; 0.2627, 0.0593) and COLOR_RANGE. With s = 2^(n - 8):
 * limited range takes Y - 16s over 219s and C - 128s over 224s, full range
 * Y over 2^n - 1 and C - 2^(n - 1) over 2^n - 1. The factors are 16.16
 * fixed point, rounded (vdisplay_yuv_init()), the result is rounded and
 * clamped to 0..65535. Chroma is not interpolated: each pixel takes the
 * chroma sample its position falls in (x / 2, y / 2 for 4:2:0).
 *
 * A line of a plane is fetched raw first (iosys_map_memcpy_from(), so I/O
 * memory works too): along a source row for rotations of 0 and 180
 * degrees, down a source column (one sample per row) for 90 and 270. The
 * decoder then converts the raw samples, and a reflected direction is
 * reversed in place.
 */

/* n-bit channel value to 16 bits, by repeating its bits. */
static inline u16 vdisplay_expand(u32 c, unsigned int bits)
{
	switch (bits) {
	case 1:
		return c ? 0xffff : 0;
	case 2:
		return c * 0x5555;
	case 4:
		return c * 0x1111;
	case 5:
		return c << 11 | c << 6 | c << 1 | c >> 4;
	case 6:
		return c << 10 | c << 4 | c >> 2;
	case 8:
		return c * 257;
	case 10:
		return c << 6 | c >> 4;
	default:
		return c;
	}
}

/* Little-endian pixel of @cpp bytes. */
static inline u64 vdisplay_load(const u8 *p, unsigned int cpp)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < cpp; i++)
		v |= (u64)p[i] << (8 * i);
	return v;
}

static void vdisplay_decode_xrgb8888(const struct vdisplay_format *fmt,
				     const struct vdisplay_seg *seg,
				     const struct vdisplay_yuv *yuv,
				     struct vdisplay_px *out)
{
	const u8 *p = seg->raw[0];
	unsigned int i;

	for (i = 0; i < seg->n; i++, p += 4) {
		out[i].b = p[0] * 257;
		out[i].g = p[1] * 257;
		out[i].r = p[2] * 257;
		out[i].a = 0xffff;
	}
}

static void vdisplay_decode_argb8888(const struct vdisplay_format *fmt,
				     const struct vdisplay_seg *seg,
				     const struct vdisplay_yuv *yuv,
				     struct vdisplay_px *out)
{
	const u8 *p = seg->raw[0];
	unsigned int i;

	for (i = 0; i < seg->n; i++, p += 4) {
		out[i].b = p[0] * 257;
		out[i].g = p[1] * 257;
		out[i].r = p[2] * 257;
		out[i].a = p[3] * 257;
	}
}

static inline u16 vdisplay_channel(u64 v, const struct vdisplay_format *fmt,
				   unsigned int c)
{
	unsigned int bits = fmt->bits[c];

	return vdisplay_expand((v >> fmt->order[c]) & GENMASK_ULL(bits - 1, 0),
			       bits);
}

static void vdisplay_decode_rgb(const struct vdisplay_format *fmt,
				const struct vdisplay_seg *seg,
				const struct vdisplay_yuv *yuv,
				struct vdisplay_px *out)
{
	unsigned int cpp = fmt->cpp, i;
	const u8 *p = seg->raw[0];

	for (i = 0; i < seg->n; i++, p += cpp) {
		u64 v = vdisplay_load(p, cpp);

		out[i].r = vdisplay_channel(v, fmt, 0);
		out[i].g = vdisplay_channel(v, fmt, 1);
		out[i].b = vdisplay_channel(v, fmt, 2);
		out[i].a = fmt->bits[3] ? vdisplay_channel(v, fmt, 3) : 0xffff;
	}
}

static inline u16 vdisplay_clamp16(s64 v)
{
	return clamp_t(s64, v, 0, 0xffff);
}

static inline void vdisplay_yuv_px(const struct vdisplay_yuv *k, int y, int u,
				   int v, struct vdisplay_px *out)
{
	s64 yy = (s64)k->ky * (y - k->yoff) + 0x8000;
	s64 cb = u - k->coff, cr = v - k->coff;

	out->r = vdisplay_clamp16((yy + k->kr_v * cr) >> 16);
	out->g = vdisplay_clamp16((yy - k->kg_u * cb - k->kg_v * cr) >> 16);
	out->b = vdisplay_clamp16((yy + k->kb_u * cb) >> 16);
	out->a = 0xffff;
}

/* Sample @i of a plane of the segment: 1-byte, or 16-bit words. */
static inline const u8 *vdisplay_sample(const struct vdisplay_seg *seg,
					unsigned int k, unsigned int i,
					unsigned int size)
{
	return seg->raw[k] + ((seg->phase[k] + i) >> seg->shift[k]) * size;
}

static inline int vdisplay_word(const u8 *p, unsigned int bytes,
				unsigned int shift)
{
	return bytes == 1 ? p[0] : (p[0] | p[1] << 8) >> shift;
}

/* NV12, NV21, NV16, NV61, NV24, NV42, P010, P012, P016. */
static void vdisplay_decode_yuv_semi(const struct vdisplay_format *fmt,
				     const struct vdisplay_seg *seg,
				     const struct vdisplay_yuv *yuv,
				     struct vdisplay_px *out)
{
	unsigned int bytes = fmt->depth > 8 ? 2 : 1;
	unsigned int uo = fmt->swap_uv ? bytes : 0, vo = bytes - uo;
	unsigned int i;

	for (i = 0; i < seg->n; i++) {
		const u8 *c = vdisplay_sample(seg, 1, i, 2 * bytes);
		int y = vdisplay_word(seg->raw[0] + i * bytes, bytes,
				      yuv->shift);

		vdisplay_yuv_px(yuv, y, vdisplay_word(c + uo, bytes, yuv->shift),
				vdisplay_word(c + vo, bytes, yuv->shift),
				&out[i]);
	}
}

/* YUV420, YVU420, YUV422, YVU422, YUV444, YVU444. */
static void vdisplay_decode_yuv_planar(const struct vdisplay_format *fmt,
				       const struct vdisplay_seg *seg,
				       const struct vdisplay_yuv *yuv,
				       struct vdisplay_px *out)
{
	unsigned int u = fmt->swap_uv ? 2 : 1, v = 3 - u, i;

	for (i = 0; i < seg->n; i++)
		vdisplay_yuv_px(yuv, seg->raw[0][i],
				*vdisplay_sample(seg, u, i, 1),
				*vdisplay_sample(seg, v, i, 1), &out[i]);
}

/* YUYV, YVYU, UYVY, VYUY: order[] gives the bytes of Y0, Cb, Y1, Cr. */
static void vdisplay_decode_yuv_packed(const struct vdisplay_format *fmt,
				       const struct vdisplay_seg *seg,
				       const struct vdisplay_yuv *yuv,
				       struct vdisplay_px *out)
{
	unsigned int i;

	for (i = 0; i < seg->n; i++) {
		const u8 *mp = vdisplay_sample(seg, 0, i, 4);
		int odd = seg->ypos >= 0 ? seg->ypos : (seg->phase[0] + i) & 1;

		vdisplay_yuv_px(yuv, mp[fmt->order[odd ? 2 : 0]],
				mp[fmt->order[1]], mp[fmt->order[3]], &out[i]);
	}
}

#define RGB(f, bytes, rs, rb, gs, gb, bs, bb, as, ab) { \
	.fourcc = DRM_FORMAT_##f, .type = VDISPLAY_FMT_RGB, .cpp = bytes, \
	.alpha = (ab) != 0, .order = { rs, gs, bs, as }, \
	.bits = { rb, gb, bb, ab }, .decode = vdisplay_decode_rgb }
#define SEMI(f, d, swap) { \
	.fourcc = DRM_FORMAT_##f, .type = VDISPLAY_FMT_YUV_SEMI, .depth = d, \
	.swap_uv = swap, .decode = vdisplay_decode_yuv_semi }
#define PLANAR(f, swap) { \
	.fourcc = DRM_FORMAT_##f, .type = VDISPLAY_FMT_YUV_PLANAR, .depth = 8, \
	.swap_uv = swap, .decode = vdisplay_decode_yuv_planar }
#define PACKED(f, y0, u, y1, v) { \
	.fourcc = DRM_FORMAT_##f, .type = VDISPLAY_FMT_YUV_PACKED, .depth = 8, \
	.order = { y0, u, y1, v }, .decode = vdisplay_decode_yuv_packed }

/*
 * For RGB, order and bits are red, green, blue, alpha. Keep in the order of
 * vdisplay_plane_formats.
 */
static const struct vdisplay_format vdisplay_formats[] = {
	{ .fourcc = DRM_FORMAT_XRGB8888, .type = VDISPLAY_FMT_RGB, .cpp = 4,
	  .order = { 16, 8, 0, 24 }, .bits = { 8, 8, 8, 0 },
	  .decode = vdisplay_decode_xrgb8888 },
	{ .fourcc = DRM_FORMAT_ARGB8888, .type = VDISPLAY_FMT_RGB, .cpp = 4,
	  .alpha = true, .order = { 16, 8, 0, 24 }, .bits = { 8, 8, 8, 8 },
	  .decode = vdisplay_decode_argb8888 },
	RGB(XBGR8888, 4, 0, 8, 8, 8, 16, 8, 24, 0),
	RGB(ABGR8888, 4, 0, 8, 8, 8, 16, 8, 24, 8),
	RGB(RGBX8888, 4, 24, 8, 16, 8, 8, 8, 0, 0),
	RGB(RGBA8888, 4, 24, 8, 16, 8, 8, 8, 0, 8),
	RGB(BGRX8888, 4, 8, 8, 16, 8, 24, 8, 0, 0),
	RGB(BGRA8888, 4, 8, 8, 16, 8, 24, 8, 0, 8),
	RGB(RGB888, 3, 16, 8, 8, 8, 0, 8, 0, 0),
	RGB(BGR888, 3, 0, 8, 8, 8, 16, 8, 0, 0),
	RGB(RGB565, 2, 11, 5, 5, 6, 0, 5, 0, 0),
	RGB(BGR565, 2, 0, 5, 5, 6, 11, 5, 0, 0),
	RGB(XRGB1555, 2, 10, 5, 5, 5, 0, 5, 15, 0),
	RGB(ARGB1555, 2, 10, 5, 5, 5, 0, 5, 15, 1),
	RGB(XRGB4444, 2, 8, 4, 4, 4, 0, 4, 12, 0),
	RGB(ARGB4444, 2, 8, 4, 4, 4, 0, 4, 12, 4),
	RGB(XRGB2101010, 4, 20, 10, 10, 10, 0, 10, 30, 0),
	RGB(ARGB2101010, 4, 20, 10, 10, 10, 0, 10, 30, 2),
	RGB(XBGR2101010, 4, 0, 10, 10, 10, 20, 10, 30, 0),
	RGB(ABGR2101010, 4, 0, 10, 10, 10, 20, 10, 30, 2),
	RGB(XRGB16161616, 8, 32, 16, 16, 16, 0, 16, 48, 0),
	RGB(ARGB16161616, 8, 32, 16, 16, 16, 0, 16, 48, 16),
	RGB(XBGR16161616, 8, 0, 16, 16, 16, 32, 16, 48, 0),
	RGB(ABGR16161616, 8, 0, 16, 16, 16, 32, 16, 48, 16),
	SEMI(NV12, 8, false),
	SEMI(NV21, 8, true),
	SEMI(NV16, 8, false),
	SEMI(NV61, 8, true),
	SEMI(NV24, 8, false),
	SEMI(NV42, 8, true),
	SEMI(P010, 10, false),
	SEMI(P012, 12, false),
	SEMI(P016, 16, false),
	PLANAR(YUV420, false),
	PLANAR(YVU420, true),
	PLANAR(YUV422, false),
	PLANAR(YVU422, true),
	PLANAR(YUV444, false),
	PLANAR(YVU444, true),
	PACKED(YUYV, 0, 1, 2, 3),
	PACKED(YVYU, 0, 3, 2, 1),
	PACKED(UYVY, 1, 0, 3, 2),
	PACKED(VYUY, 1, 2, 3, 0),
};

/* The formats of primary and overlay planes, as vdisplay_formats. */
const u32 vdisplay_plane_formats[] = {
	DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888, DRM_FORMAT_XBGR8888,
	DRM_FORMAT_ABGR8888, DRM_FORMAT_RGBX8888, DRM_FORMAT_RGBA8888,
	DRM_FORMAT_BGRX8888, DRM_FORMAT_BGRA8888, DRM_FORMAT_RGB888,
	DRM_FORMAT_BGR888, DRM_FORMAT_RGB565, DRM_FORMAT_BGR565,
	DRM_FORMAT_XRGB1555, DRM_FORMAT_ARGB1555, DRM_FORMAT_XRGB4444,
	DRM_FORMAT_ARGB4444, DRM_FORMAT_XRGB2101010, DRM_FORMAT_ARGB2101010,
	DRM_FORMAT_XBGR2101010, DRM_FORMAT_ABGR2101010,
	DRM_FORMAT_XRGB16161616, DRM_FORMAT_ARGB16161616,
	DRM_FORMAT_XBGR16161616, DRM_FORMAT_ABGR16161616,
	DRM_FORMAT_NV12, DRM_FORMAT_NV21, DRM_FORMAT_NV16, DRM_FORMAT_NV61,
	DRM_FORMAT_NV24, DRM_FORMAT_NV42, DRM_FORMAT_P010, DRM_FORMAT_P012,
	DRM_FORMAT_P016, DRM_FORMAT_YUV420, DRM_FORMAT_YVU420,
	DRM_FORMAT_YUV422, DRM_FORMAT_YVU422, DRM_FORMAT_YUV444,
	DRM_FORMAT_YVU444, DRM_FORMAT_YUYV, DRM_FORMAT_YVYU, DRM_FORMAT_UYVY,
	DRM_FORMAT_VYUY,
};

const unsigned int vdisplay_num_plane_formats =
	ARRAY_SIZE(vdisplay_plane_formats);
static_assert(ARRAY_SIZE(vdisplay_plane_formats) ==
	      ARRAY_SIZE(vdisplay_formats));

const u32 vdisplay_cursor_formats[] = {
	DRM_FORMAT_ARGB8888,
	DRM_FORMAT_XRGB8888,
};

const unsigned int vdisplay_num_cursor_formats =
	ARRAY_SIZE(vdisplay_cursor_formats);

/**
 * vdisplay_format_get - how to read a format
 * @fourcc: DRM fourcc
 *
 * Returns: the format, or NULL if no plane takes it.
 */
const struct vdisplay_format *vdisplay_format_get(u32 fourcc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vdisplay_formats); i++)
		if (vdisplay_formats[i].fourcc == fourcc)
			return &vdisplay_formats[i];
	return NULL;
}

/* Kr and Kb of each encoding, in 1/10000. */
static const struct {
	u16 kr;
	u16 kb;
} vdisplay_yuv_k[] = {
	[DRM_COLOR_YCBCR_BT601] = { 2990, 1140 },
	[DRM_COLOR_YCBCR_BT709] = { 2126, 722 },
	[DRM_COLOR_YCBCR_BT2020] = { 2627, 593 },
};

/* round(num / den) */
static s32 vdisplay_div_round(u64 num, u64 den)
{
	return div64_u64(num + den / 2, den);
}

/**
 * vdisplay_yuv_init - the YCbCr to RGB conversion of a plane
 * @yuv: returns the conversion
 * @encoding: &enum drm_color_encoding
 * @range: &enum drm_color_range
 * @depth: bits per sample: 8, 10, 12 or 16
 *
 * With Kg = 1 - Kr - Kb, the factors (16.16 fixed point, rounded) scale a
 * sample to 16-bit RGB: ky = 65535 / ydiv, kr_v = 2 (1 - Kr) 65535 / cdiv,
 * kb_u = 2 (1 - Kb) 65535 / cdiv, kg_u = 2 Kb (1 - Kb) / Kg 65535 / cdiv,
 * kg_v = 2 Kr (1 - Kr) / Kg 65535 / cdiv, where ydiv and cdiv are the
 * ranges of "DOC: pixel formats". Then R = ky (Y - yoff) + kr_v (Cr -
 * coff), G = ky (Y - yoff) - kg_u (Cb - coff) - kg_v (Cr - coff), B = ky
 * (Y - yoff) + kb_u (Cb - coff), each + 0x8000, shifted right by 16 and
 * clamped.
 */
void vdisplay_yuv_init(struct vdisplay_yuv *yuv, unsigned int encoding,
		       unsigned int range, unsigned int depth)
{
	const u64 one = 65535ull << 16;
	u64 scale = 1ull << (depth - 8), max = (1ull << depth) - 1;
	u64 ydiv, cdiv, kr, kb, kg;

	if (encoding >= ARRAY_SIZE(vdisplay_yuv_k))
		encoding = DRM_COLOR_YCBCR_BT601;
	kr = vdisplay_yuv_k[encoding].kr;
	kb = vdisplay_yuv_k[encoding].kb;
	kg = 10000 - kr - kb;

	if (range == DRM_COLOR_YCBCR_FULL_RANGE) {
		yuv->yoff = 0;
		yuv->coff = 1 << (depth - 1);
		ydiv = max;
		cdiv = max;
	} else {
		yuv->yoff = 16 * scale;
		yuv->coff = 128 * scale;
		ydiv = 219 * scale;
		cdiv = 224 * scale;
	}
	yuv->ky = vdisplay_div_round(one, ydiv);
	yuv->kr_v = vdisplay_div_round(2 * (10000 - kr) * one, 10000 * cdiv);
	yuv->kb_u = vdisplay_div_round(2 * (10000 - kb) * one, 10000 * cdiv);
	yuv->kg_u = vdisplay_div_round(2 * kb * (10000 - kb) * one,
				       10000 * kg * cdiv);
	yuv->kg_v = vdisplay_div_round(2 * kr * (10000 - kr) * one,
				       10000 * kg * cdiv);
	yuv->shift = 16 - depth;
}

/*
 * Geometry of framebuffer plane @k: bytes of one sample (a macropixel for
 * packed YUV) and how many pixels share it horizontally and vertically.
 */
static void vdisplay_plane_geometry(const struct vdisplay_layer *layer,
				    unsigned int k, unsigned int *unit,
				    unsigned int *hs, unsigned int *vs)
{
	const struct drm_format_info *info = layer->fb->format;

	if (layer->fmt->type == VDISPLAY_FMT_YUV_PACKED) {
		*unit = 4;
		*hs = 2;
		*vs = 1;
		return;
	}
	*unit = info->cpp[k];
	*hs = k ? info->hsub : 1;
	*vs = k ? info->vsub : 1;
}

/*
 * Fetch the raw samples of @n pixels from (@x, @y) rightwards, or
 * downwards if @column, for every plane of the layer's framebuffer.
 */
static void vdisplay_fetch(const struct vdisplay_layer *layer, int x, int y,
			   unsigned int n, bool column,
			   struct vdisplay_lines *lines,
			   struct vdisplay_seg *seg)
{
	const struct drm_framebuffer *fb = layer->fb;
	unsigned int k, unit, hs, vs, first, last;
	size_t off;

	seg->n = n;
	seg->ypos = column ? x & 1 : -1;
	for (k = 0; k < fb->format->num_planes; k++) {
		const struct iosys_map *map = &layer->sps->data[k];
		u32 pitch = fb->pitches[k];
		u8 *raw = lines->raw[k];

		vdisplay_plane_geometry(layer, k, &unit, &hs, &vs);
		seg->raw[k] = raw;
		if (!column) {
			first = x / hs;
			last = (x + n - 1) / hs;
			off = (size_t)(y / vs) * pitch + (size_t)first * unit;
			iosys_map_memcpy_from(raw, map, off,
					      (size_t)(last - first + 1) * unit);
			seg->phase[k] = x % hs;
			seg->shift[k] = ilog2(hs);
			continue;
		}
		first = y / vs;
		last = (y + n - 1) / vs;
		off = (size_t)first * pitch + (size_t)(x / hs) * unit;
		for (; first <= last; first++, off += pitch, raw += unit)
			iosys_map_memcpy_from(raw, map, off, unit);
		seg->phase[k] = y % vs;
		seg->shift[k] = ilog2(vs);
	}
}

/*
 * The source pixel, relative to the visible source rectangle, shown at
 * (@x, @y) of the layer's destination: DRM's rotation is counter-clockwise
 * and applies after the reflection (drm_rect_rotate()); undo both.
 */
static void vdisplay_src_point(const struct vdisplay_layer *layer, int x,
			       int y, int *sx, int *sy)
{
	int w = layer->src_w, h = layer->src_h;

	switch (layer->rotation & DRM_MODE_ROTATE_MASK) {
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
		break;
	}
	if (layer->rotation & DRM_MODE_REFLECT_X)
		*sx = w - 1 - *sx;
	if (layer->rotation & DRM_MODE_REFLECT_Y)
		*sy = h - 1 - *sy;
}

static void vdisplay_reverse(struct vdisplay_px *px, unsigned int n)
{
	unsigned int i, j;

	for (i = 0, j = n - 1; i < j; i++, j--)
		swap(px[i], px[j]);
}

/**
 * vdisplay_layer_line - compose one line of a layer
 * @layer: the layer
 * @row: the line, relative to the top of the layer's destination
 * @lines: the composer's line buffers; the line is blended into @out
 *
 * An opaque layer is decoded straight into the output line.
 */
void vdisplay_layer_line(const struct vdisplay_layer *layer, unsigned int row,
			 struct vdisplay_lines *lines)
{
	unsigned int n = drm_rect_width(&layer->dst);
	bool column = drm_rotation_90_or_270(layer->rotation);
	struct vdisplay_px *px;
	struct vdisplay_seg seg;
	int x0, y0, x1, y1;
	bool reversed;

	vdisplay_src_point(layer, 0, row, &x0, &y0);
	vdisplay_src_point(layer, n - 1, row, &x1, &y1);
	reversed = column ? y1 < y0 : x1 < x0;
	vdisplay_fetch(layer, layer->src_x + min(x0, x1),
		       layer->src_y + min(y0, y1), n, column, lines, &seg);

	px = layer->opaque ? lines->out + layer->dst.x1 : lines->stage;
	layer->fmt->decode(layer->fmt, &seg, &layer->yuv, px);
	if (reversed)
		vdisplay_reverse(px, n);
	if (!layer->opaque)
		vdisplay_blend_line(lines->out + layer->dst.x1, px, n, layer);
}
