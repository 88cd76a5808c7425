// SPDX-License-Identifier: MIT
/*
 * A reference compositor for vdisplay's tests: draws in userspace, pixel by
 * pixel, the picture vdisplay must compose, following the arithmetic
 * docs/vdisplay.md documents (16-bit channels, rounding, YUV factors,
 * blending, LUTs, CTM). Pixel formats are described here from their
 * definitions in drm_fourcc.h, independently of the driver's tables.
 */
#ifndef KMS_REF_H
#define KMS_REF_H

#include <stdbool.h>
#include <stdint.h>
#include <drm_mode.h>

enum ref_type { REF_RGB, REF_YUV_PACKED, REF_YUV_SEMI, REF_YUV_PLANAR };

/* Values of the "pixel blend mode" property. */
#define REF_BLEND_PREMULTI	0
#define REF_BLEND_COVERAGE	1
#define REF_BLEND_NONE		2

/* A pixel format: layout of its samples. */
struct ref_format {
	uint32_t fourcc;
	const char *name;	/* lower case, for subtest names */
	enum ref_type type;
	uint8_t planes;
	uint8_t hsub, vsub;	/* chroma subsampling */
	uint8_t cpp[3];		/* bytes per sample (packed YUV: per pixel) */
	uint8_t depth;		/* YUV: bits per sample */
	bool alpha;
	bool swap_uv;		/* Cr before Cb */
	uint8_t shift[4];	/* RGB: bit of red, green, blue, alpha */
	uint8_t bits[4];	/* RGB: their widths (0: none) */
	uint8_t order[4];	/* packed YUV: byte of Y0, Cb, Y1, Cr */
};

extern const struct ref_format ref_formats[];
extern const unsigned int ref_num_formats;
const struct ref_format *ref_format(uint32_t fourcc);

/* 16 bits per channel, straight (as stored), like the driver's pixel. */
struct ref_px {
	uint16_t r, g, b, a;
};

/* A framebuffer's pixels: plane k starts at data[k]. */
struct ref_fb {
	const struct ref_format *fmt;
	uint32_t width, height;
	uint32_t pitches[3];
	uint8_t *data[3];
};

/* YCbCr to RGB factors; encoding 0/1/2 = BT.601/709/2020, range 0/1. */
struct ref_yuv {
	int32_t yoff, coff, ky, kr_v, kg_u, kg_v, kb_u;
	unsigned int shift;
};

void ref_yuv_init(struct ref_yuv *k, int encoding, int range, int depth);
/* Pixel (x, y) as the driver reads it (k: YUV formats only). */
struct ref_px ref_read(const struct ref_fb *fb, int x, int y,
		       const struct ref_yuv *k);
/* RGB formats: store @px rounded to the format's bits. */
void ref_write_rgb(const struct ref_fb *fb, int x, int y, struct ref_px px);
/* YUV formats: store samples (n-bit) of pixel (x, y), and its chroma. */
void ref_write_yuv(const struct ref_fb *fb, int x, int y, int luma, int cb,
		   int cr);
/* Floating-point RGB (0..1) to n-bit YCbCr samples, rounded. */
void ref_rgb_to_yuv(double r, double g, double b, int encoding, int range,
		    int depth, int *luma, int *cb, int *cr);

/* One plane: rectangles in pixels (source unrotated), properties. */
struct ref_plane {
	const struct ref_fb *fb;
	int crtc_x, crtc_y;
	unsigned int crtc_w, crtc_h;
	unsigned int src_x, src_y, src_w, src_h;
	unsigned int rotation;	/* DRM_MODE_ROTATE_* | DRM_MODE_REFLECT_* */
	uint16_t alpha;
	int blend;		/* REF_BLEND_* */
	int encoding, range;
};

/* The CRTC's colour pipeline; NULL LUTs and !ctm_on are off. */
struct ref_color {
	const struct drm_color_lut *degamma;
	unsigned int degamma_size;
	const struct drm_color_lut *gamma;
	unsigned int gamma_size;
	bool ctm_on;
	int64_t ctm[9];
};

void ref_ctm(const struct drm_color_ctm *ctm, int64_t out[9]);
uint16_t ref_mul(uint32_t a, uint32_t b);
uint32_t ref_to8(uint32_t v);
uint16_t ref_lut(const struct drm_color_lut *lut, unsigned int size,
		 uint16_t v, int channel);

/*
 * Compose @n planes, bottom to top, on a @w x @h CRTC: @out16 (may be
 * NULL) gets the 16-bit result, @out the XRGB8888 frame the CRC covers.
 */
void ref_compose(const struct ref_plane *planes, unsigned int n,
		 unsigned int w, unsigned int h, const struct ref_color *color,
		 struct ref_px *out16, uint32_t *out);

/* The pixel of the plane's source shown at (x, y) of its destination. */
void ref_src_point(const struct ref_plane *p, int x, int y, int *sx, int *sy);

#endif /* KMS_REF_H */
