// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay pixel arithmetic: blending, the CRTC's colour pipeline, and the
 * conversion of composed lines to the CRC frame and writeback formats.
 */

#include <linux/kernel.h>
#include <linux/minmax.h>

#include <drm/drm_blend.h>
#include <drm/drm_color_mgmt.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_mode.h>

#include "vdisplay_compose.h"

/**
 * DOC: blending and colour
 *
 * All arithmetic is on 16-bit channels; "a * b" below is the product of
 * two 16-bit values divided by 65535, rounded to nearest (halves up).
 *
 * A layer's pixel (c, a) as read (see "pixel formats") becomes the
 * premultiplied (c', a') with the plane's alpha property pa, by its pixel
 * blend mode: "Pre-multiplied": c' = c * pa, a' = a * pa; "Coverage": a'
 * = a * pa, c' = c * a'; "None": a' = pa, c' = c * pa. It is blended over
 * what is below as out = min(c' + out * (65535 - a'), 65535). The
 * background is opaque black, and the composed alpha is always opaque. A
 * layer whose pixels are all opaque (no alpha channel, or blend mode
 * "None", and pa = 0xffff) is copied.
 *
 * Then, per CRTC, in this order: DEGAMMA_LUT, CTM, GAMMA_LUT, each if
 * set. A LUT of n entries maps v to the linear interpolation between
 * entries i and i + 1 at i + f / 65535, where v * (n - 1) = i * 65535 + f
 * (rounded as a product above: lut[i] + (lut[i + 1] - lut[i]) * f, the
 * rounding symmetric around zero). The CTM's S31.32 sign-magnitude factors
 * become 16.16 fixed point (rounded, saturated at +-32768.0), and each
 * channel is the sum of the products + 0x8000, shifted right by 16 and
 * clamped to 0..65535.
 *
 * The CRC frame is XRGB8888: each channel v becomes (v * 255 + 32895) >>
 * 16, that is v / 257 rounded, so 8-bit formats read back unchanged.
 * Writeback formats round the same way to their bits (v * max / 65535).
 */

/* a * b / 65535, rounded, for a, b <= 65535. */
static inline u32 vdisplay_mul(u32 a, u32 b)
{
	u32 x = a * b + 0x8000;

	return (x + (x >> 16)) >> 16;
}

static inline u16 vdisplay_over(u32 src, u32 dst, u32 inv)
{
	return min(src + vdisplay_mul(dst, inv), 0xffffu);
}

static inline void vdisplay_over_px(struct vdisplay_px *d, u32 r, u32 g,
				    u32 b, u32 a)
{
	u32 inv = 0xffff - a;

	d->r = vdisplay_over(r, d->r, inv);
	d->g = vdisplay_over(g, d->g, inv);
	d->b = vdisplay_over(b, d->b, inv);
	d->a = 0xffff;
}

/**
 * vdisplay_blend_line - blend a layer's pixels over a line
 * @dst: the line, at the layer's left
 * @src: the layer's pixels, straight as read
 * @n: pixels
 * @layer: the layer: blend mode, plane alpha, format
 */
void vdisplay_blend_line(struct vdisplay_px *dst, const struct vdisplay_px *src,
			 unsigned int n, const struct vdisplay_layer *layer)
{
	u32 pa = layer->alpha, a;
	unsigned int i;

	switch (layer->blend) {
	case DRM_MODE_BLEND_PIXEL_NONE:
		for (i = 0; i < n; i++)
			vdisplay_over_px(&dst[i], vdisplay_mul(src[i].r, pa),
					 vdisplay_mul(src[i].g, pa),
					 vdisplay_mul(src[i].b, pa), pa);
		break;
	case DRM_MODE_BLEND_COVERAGE:
		for (i = 0; i < n; i++) {
			a = vdisplay_mul(src[i].a, pa);
			vdisplay_over_px(&dst[i], vdisplay_mul(src[i].r, a),
					 vdisplay_mul(src[i].g, a),
					 vdisplay_mul(src[i].b, a), a);
		}
		break;
	default:
		if (pa == 0xffff) {
			for (i = 0; i < n; i++) {
				if (src[i].a == 0xffff)
					dst[i] = src[i];
				else
					vdisplay_over_px(&dst[i], src[i].r,
							 src[i].g, src[i].b,
							 src[i].a);
			}
			break;
		}
		for (i = 0; i < n; i++)
			vdisplay_over_px(&dst[i], vdisplay_mul(src[i].r, pa),
					 vdisplay_mul(src[i].g, pa),
					 vdisplay_mul(src[i].b, pa),
					 vdisplay_mul(src[i].a, pa));
		break;
	}
}

/**
 * vdisplay_color_ctm - a CTM blob's matrix as the composer applies it
 * @ctm: the blob's matrix (S31.32 sign-magnitude)
 * @out: returns the factors, 16.16 fixed point, saturated
 */
void vdisplay_color_ctm(const struct drm_color_ctm *ctm, s64 out[9])
{
	unsigned int i;

	for (i = 0; i < 9; i++) {
		u64 mag = ctm->matrix[i] & ~BIT_ULL(63);
		u64 q = min((mag + 0x8000) >> 16, 1ull << 31);

		out[i] = ctm->matrix[i] & BIT_ULL(63) ? -(s64)q : (s64)q;
	}
}

static inline u16 vdisplay_lut(const struct drm_color_lut *lut,
			       unsigned int size, u16 v, unsigned int ch)
{
	const u16 *e = (const u16 *)lut;
	u32 pos = (u32)v * (size - 1);
	u32 i = pos / 0xffff, f = pos % 0xffff;
	s32 lo, d;

	if (i >= size - 1)
		return e[4 * (size - 1) + ch];
	lo = e[4 * i + ch];
	d = (s32)e[4 * (i + 1) + ch] - lo;
	return d >= 0 ? lo + vdisplay_mul(d, f) : lo - vdisplay_mul(-d, f);
}

static void vdisplay_lut_line(const struct drm_color_lut *lut,
			      unsigned int size, struct vdisplay_px *line,
			      unsigned int n)
{
	unsigned int i;

	/* red, green, blue: the order of struct drm_color_lut's fields */
	static_assert(offsetof(struct drm_color_lut, green) == 2);
	for (i = 0; i < n; i++) {
		line[i].r = vdisplay_lut(lut, size, line[i].r, 0);
		line[i].g = vdisplay_lut(lut, size, line[i].g, 1);
		line[i].b = vdisplay_lut(lut, size, line[i].b, 2);
	}
}

static inline u16 vdisplay_ctm_row(const s64 *m, const struct vdisplay_px *p)
{
	s64 v = m[0] * p->r + m[1] * p->g + m[2] * p->b + 0x8000;

	return clamp_t(s64, v >> 16, 0, 0xffff);
}

/**
 * vdisplay_color_line - apply the CRTC's colour pipeline to a line
 * @color: the pipeline
 * @line: the composed line
 * @n: pixels
 */
void vdisplay_color_line(const struct vdisplay_color *color,
			 struct vdisplay_px *line, unsigned int n)
{
	unsigned int i;

	if (color->degamma)
		vdisplay_lut_line(color->degamma, color->degamma_size, line, n);
	if (color->ctm_on) {
		for (i = 0; i < n; i++) {
			struct vdisplay_px p = line[i];

			line[i].r = vdisplay_ctm_row(&color->ctm[0], &p);
			line[i].g = vdisplay_ctm_row(&color->ctm[3], &p);
			line[i].b = vdisplay_ctm_row(&color->ctm[6], &p);
		}
	}
	if (color->gamma)
		vdisplay_lut_line(color->gamma, color->gamma_size, line, n);
}

static inline u32 vdisplay_to8(u32 v)
{
	return (v * 255 + 32895) >> 16;
}

/**
 * vdisplay_line_to_xrgb8888 - a composed line as XRGB8888, X = 0xff
 * @in: the line
 * @out: returns the pixels
 * @n: pixels
 */
void vdisplay_line_to_xrgb8888(const struct vdisplay_px *in, u32 *out,
			       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		out[i] = 0xff000000 | vdisplay_to8(in[i].r) << 16 |
			 vdisplay_to8(in[i].g) << 8 | vdisplay_to8(in[i].b);
}

static void vdisplay_put32(u8 *p, u32 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void vdisplay_encode_xrgb8888(const struct vdisplay_px *in, u8 *out,
				     unsigned int n)
{
	vdisplay_line_to_xrgb8888(in, (u32 *)out, n);
}

static void vdisplay_encode_xbgr8888(const struct vdisplay_px *in, u8 *out,
				     unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++, out += 4)
		vdisplay_put32(out, 0xff000000 | vdisplay_to8(in[i].b) << 16 |
			       vdisplay_to8(in[i].g) << 8 |
			       vdisplay_to8(in[i].r));
}

static void vdisplay_encode_rgb565(const struct vdisplay_px *in, u8 *out,
				   unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++, out += 2) {
		u32 v = vdisplay_mul(in[i].r, 31) << 11 |
			vdisplay_mul(in[i].g, 63) << 5 |
			vdisplay_mul(in[i].b, 31);

		out[0] = v;
		out[1] = v >> 8;
	}
}

static void vdisplay_encode_xrgb2101010(const struct vdisplay_px *in, u8 *out,
					unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++, out += 4)
		vdisplay_put32(out, 3u << 30 |
			       vdisplay_mul(in[i].r, 1023) << 20 |
			       vdisplay_mul(in[i].g, 1023) << 10 |
			       vdisplay_mul(in[i].b, 1023));
}

static void vdisplay_encode_xrgb16161616(const struct vdisplay_px *in, u8 *out,
					 unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++, out += 8) {
		u16 c[4] = { in[i].b, in[i].g, in[i].r, 0xffff };
		unsigned int j;

		for (j = 0; j < 4; j++) {
			out[2 * j] = c[j];
			out[2 * j + 1] = c[j] >> 8;
		}
	}
}

/* The alpha of what is written is opaque: ARGB formats write X as A. */
static const struct vdisplay_wb_format vdisplay_wb_formats[] = {
	{ DRM_FORMAT_XRGB8888, 4, vdisplay_encode_xrgb8888 },
	{ DRM_FORMAT_ARGB8888, 4, vdisplay_encode_xrgb8888 },
	{ DRM_FORMAT_XBGR8888, 4, vdisplay_encode_xbgr8888 },
	{ DRM_FORMAT_ABGR8888, 4, vdisplay_encode_xbgr8888 },
	{ DRM_FORMAT_RGB565, 2, vdisplay_encode_rgb565 },
	{ DRM_FORMAT_XRGB2101010, 4, vdisplay_encode_xrgb2101010 },
	{ DRM_FORMAT_ARGB2101010, 4, vdisplay_encode_xrgb2101010 },
	{ DRM_FORMAT_XRGB16161616, 8, vdisplay_encode_xrgb16161616 },
	{ DRM_FORMAT_ARGB16161616, 8, vdisplay_encode_xrgb16161616 },
};

/**
 * vdisplay_wb_format_get - a writeback format
 * @fourcc: DRM fourcc
 *
 * Returns: the format, or NULL if writeback does not take it.
 */
const struct vdisplay_wb_format *vdisplay_wb_format_get(u32 fourcc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vdisplay_wb_formats); i++)
		if (vdisplay_wb_formats[i].fourcc == fourcc)
			return &vdisplay_wb_formats[i];
	return NULL;
}
