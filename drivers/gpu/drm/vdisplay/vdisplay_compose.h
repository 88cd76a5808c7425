/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vdisplay composer internals: the pixel the composer works on, pixel
 * formats, layers (planes as the composer sees them), colour management.
 */
#ifndef __VDISPLAY_COMPOSE_H__
#define __VDISPLAY_COMPOSE_H__

#include <linux/iosys-map.h>
#include <linux/types.h>

#include <drm/drm_fourcc.h>
#include <drm/drm_rect.h>

struct drm_color_ctm;
struct drm_color_lut;
struct drm_framebuffer;
struct drm_shadow_plane_state;

/* Widest line the composer handles: the largest mode. */
#define VDISPLAY_MAX_MODE_WIDTH		1920
#define VDISPLAY_MAX_MODE_HEIGHT	1080

/*
 * Bytes of raw samples one line of one framebuffer plane may need: a
 * sample is at most 8 bytes (16 bits per channel), and a packed YUV line
 * may start and end in the middle of a 4-byte macropixel.
 */
#define VDISPLAY_RAW_LINE_BYTES		((VDISPLAY_MAX_MODE_WIDTH + 2) * 8)

/**
 * struct vdisplay_px - a pixel as the composer works on it
 * @b: blue, 16 bits
 * @g: green, 16 bits
 * @r: red, 16 bits
 * @a: alpha, 16 bits
 *
 * The memory layout of ARGB16161616 on a little-endian CPU.
 */
struct vdisplay_px {
	u16 b;
	u16 g;
	u16 r;
	u16 a;
};

/**
 * struct vdisplay_seg - raw samples of one line segment of a framebuffer
 * @raw: per framebuffer plane, the samples (or 4-byte macropixels of packed
 *	 YUV) the segment covers, in increasing source order
 * @n: pixels in the segment
 * @phase: per plane, see @shift
 * @shift: per plane, pixel i of the segment uses sample
 *	   (@phase + i) >> @shift of @raw (chroma subsampling)
 * @ypos: packed YUV read down a column: which luma of the macropixel (0 or
 *	  1) every pixel uses; -1 along a row, where it alternates
 */
struct vdisplay_seg {
	const u8 *raw[3];
	unsigned int n;
	u8 phase[3];
	u8 shift[3];
	s8 ypos;
};

/**
 * struct vdisplay_yuv - YCbCr to RGB conversion of one plane
 * @yoff: luma offset, in sample units
 * @coff: chroma offset, in sample units
 * @ky: luma factor (16.16 fixed point)
 * @kr_v: Cr to red factor
 * @kg_u: Cb to green factor (subtracted)
 * @kg_v: Cr to green factor (subtracted)
 * @kb_u: Cb to blue factor
 * @shift: right shift from a 16-bit word to a sample (P010, P012)
 *
 * See vdisplay_yuv_init() for the arithmetic.
 */
struct vdisplay_yuv {
	s32 yoff;
	s32 coff;
	s32 ky;
	s32 kr_v;
	s32 kg_u;
	s32 kg_v;
	s32 kb_u;
	u8 shift;
};

/**
 * enum vdisplay_fmt_type - how a format's samples are laid out
 * @VDISPLAY_FMT_RGB: packed RGB(A), one sample per pixel
 * @VDISPLAY_FMT_YUV_PACKED: 4:2:2 luma and chroma in 4-byte macropixels
 * @VDISPLAY_FMT_YUV_SEMI: a luma plane and an interleaved chroma plane
 * @VDISPLAY_FMT_YUV_PLANAR: three planes
 */
enum vdisplay_fmt_type {
	VDISPLAY_FMT_RGB,
	VDISPLAY_FMT_YUV_PACKED,
	VDISPLAY_FMT_YUV_SEMI,
	VDISPLAY_FMT_YUV_PLANAR,
};

struct vdisplay_format;

typedef void (*vdisplay_decode_fn)(const struct vdisplay_format *fmt,
				   const struct vdisplay_seg *seg,
				   const struct vdisplay_yuv *yuv,
				   struct vdisplay_px *out);

/**
 * struct vdisplay_format - how the composer reads a pixel format
 * @fourcc: DRM fourcc
 * @type: &enum vdisplay_fmt_type
 * @depth: YUV: bits per sample (8, 10, 12 or 16)
 * @cpp: RGB: bytes per pixel
 * @alpha: the format has an alpha channel
 * @swap_uv: YUV: Cr comes before Cb
 * @order: RGB: bit shift of red, green, blue and alpha in the pixel;
 *	   packed YUV: byte of Y0, Cb, Y1 and Cr in the macropixel
 * @bits: RGB: bits of red, green, blue and alpha (0: none)
 * @decode: converts a segment to &struct vdisplay_px, straight (not
 *	    premultiplied) as stored
 */
struct vdisplay_format {
	u32 fourcc;
	u8 type;
	u8 depth;
	u8 cpp;
	bool alpha;
	bool swap_uv;
	u8 order[4];
	u8 bits[4];
	vdisplay_decode_fn decode;
};

/**
 * struct vdisplay_layer - a visible plane, as the composer reads it
 * @sps: the plane state; its @data maps are made after atomic_check
 * @fb: the framebuffer
 * @fmt: how to read @fb
 * @dst: the visible part on the CRTC, clipped
 * @src_x: left of the visible part of @fb, in pixels
 * @src_y: top of the visible part of @fb
 * @src_w: width of the visible part of @fb (unrotated)
 * @src_h: height of the visible part of @fb (unrotated)
 * @rotation: DRM_MODE_ROTATE_* | DRM_MODE_REFLECT_*
 * @alpha: plane alpha, 0 to 0xffff
 * @blend: DRM_MODE_BLEND_*
 * @opaque: every pixel covers what is below: copied, not blended
 * @yuv: YUV formats: the conversion to RGB
 */
struct vdisplay_layer {
	const struct drm_shadow_plane_state *sps;
	const struct drm_framebuffer *fb;
	const struct vdisplay_format *fmt;
	struct drm_rect dst;
	int src_x;
	int src_y;
	unsigned int src_w;
	unsigned int src_h;
	unsigned int rotation;
	u16 alpha;
	u8 blend;
	bool opaque;
	struct vdisplay_yuv yuv;
};

/**
 * struct vdisplay_color - the CRTC's colour pipeline after blending
 * @degamma: DEGAMMA_LUT entries, or NULL
 * @degamma_size: entries at @degamma
 * @gamma: GAMMA_LUT entries, or NULL
 * @gamma_size: entries at @gamma
 * @ctm_on: @ctm is applied
 * @ctm: CTM, row-major, 16.16 fixed point, saturated to +-32768.0
 *
 * The LUTs point into the blobs of the CRTC state they belong to.
 */
struct vdisplay_color {
	const struct drm_color_lut *degamma;
	unsigned int degamma_size;
	const struct drm_color_lut *gamma;
	unsigned int gamma_size;
	bool ctm_on;
	s64 ctm[9];
};

/**
 * struct vdisplay_lines - line buffers of a composer
 * @out: the line being composed
 * @stage: a layer's pixels before blending
 * @raw: raw samples, per framebuffer plane
 * @wb: a line in the writeback format
 */
struct vdisplay_lines {
	struct vdisplay_px *out;
	struct vdisplay_px *stage;
	u8 *raw[3];
	u8 *wb;
};

/**
 * struct vdisplay_wb_format - a writeback pixel format
 * @fourcc: DRM fourcc
 * @cpp: bytes per pixel
 * @encode: converts @n composed pixels to the format at @out
 */
struct vdisplay_wb_format {
	u32 fourcc;
	u8 cpp;
	void (*encode)(const struct vdisplay_px *in, u8 *out, unsigned int n);
};

/**
 * struct vdisplay_wb_target - a writeback buffer being written
 * @fmt: its format
 * @map: kernel mappings of its objects
 * @data: the same, at the framebuffer's offsets
 * @pitch: bytes per line
 */
struct vdisplay_wb_target {
	const struct vdisplay_wb_format *fmt;
	struct iosys_map map[DRM_FORMAT_MAX_PLANES];
	struct iosys_map data[DRM_FORMAT_MAX_PLANES];
	u32 pitch;
};

/* vdisplay_formats.c */
extern const u32 vdisplay_plane_formats[];
extern const unsigned int vdisplay_num_plane_formats;
extern const u32 vdisplay_cursor_formats[];
extern const unsigned int vdisplay_num_cursor_formats;
const struct vdisplay_format *vdisplay_format_get(u32 fourcc);
void vdisplay_yuv_init(struct vdisplay_yuv *yuv, unsigned int encoding,
		       unsigned int range, unsigned int depth);
void vdisplay_layer_line(const struct vdisplay_layer *layer, unsigned int row,
			 struct vdisplay_lines *lines);

/* vdisplay_color.c */
void vdisplay_blend_line(struct vdisplay_px *dst, const struct vdisplay_px *src,
			 unsigned int n, const struct vdisplay_layer *layer);
void vdisplay_color_ctm(const struct drm_color_ctm *ctm, s64 out[9]);
void vdisplay_color_line(const struct vdisplay_color *color,
			 struct vdisplay_px *line, unsigned int n);
void vdisplay_line_to_xrgb8888(const struct vdisplay_px *in, u32 *out,
			       unsigned int n);
const struct vdisplay_wb_format *vdisplay_wb_format_get(u32 fourcc);

#endif /* __VDISPLAY_COMPOSE_H__ */
