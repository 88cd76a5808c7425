// SPDX-License-Identifier: MIT
/*
 * Helpers for vdisplay's plane, format, colour, writeback and topology
 * tests: any CRTC of any vdisplay device, framebuffers of every format,
 * atomic requests by property name, and frames checked against the
 * reference compositor (kms_ref.h) by CRC.
 */
#ifndef KMS_VD_H
#define KMS_VD_H

#include <stdbool.h>
#include <stdint.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "kms.h"
#include "kms_ref.h"

/* /dev/dri/cardN of platform device @name ("vdisplay.1"); -1 if none. */
int vd_card(const char *name);
/* Open it with the atomic, universal-plane and writeback caps. */
int vd_open(const char *name);

/* A framebuffer on a dumb buffer, every plane in it, mapped. */
struct vd_fb {
	int fd;
	uint32_t fb_id;
	uint32_t handle;
	uint64_t size;
	uint8_t *map;
	uint32_t offsets[3];
	struct ref_fb ref;
};

int __vd_fb_create(int fd, uint32_t w, uint32_t h, uint32_t format,
		   struct vd_fb *fb);
void vd_fb_create(int fd, uint32_t w, uint32_t h, uint32_t format,
		  struct vd_fb *fb);
void vd_fb_destroy(struct vd_fb *fb);

/* Alpha of vd_fb_pattern(): opaque, premultiplied, or straight. */
enum vd_alpha { VD_OPAQUE, VD_PREMULT, VD_STRAIGHT };

/*
 * A deterministic, asymmetric picture seeded by @seed. RGB formats get
 * 16-bit values rounded to their bits; YUV formats the conversion of an
 * RGB picture (with @encoding, @range) whose colour is constant over each
 * chroma block. vd_pattern_rgb() is that RGB picture.
 */
void vd_fb_pattern(struct vd_fb *fb, uint32_t seed, enum vd_alpha alpha,
		   int encoding, int range);
void vd_pattern_rgb(const struct ref_format *fmt, uint32_t seed, int x,
		    int y, double rgb[3]);
void vd_fb_fill(struct vd_fb *fb, struct ref_px px);

/* A CRTC, the planes it may use, its connector and a mode of w x h. */
struct vd_pipe {
	int fd;
	unsigned int index;
	uint32_t crtc_id;
	uint32_t conn_id;
	uint32_t primary;
	uint32_t cursor;		/* 0 if none */
	uint32_t overlays[32];
	unsigned int n_overlays;
	uint32_t wb_id;			/* writeback connector, 0 if none */
	drmModeModeInfo mode;
	uint32_t mode_blob;
	uint32_t w, h;
};

void vd_mode(drmModeModeInfo *mode, uint32_t w, uint32_t h);
void vd_pipe_init(struct vd_pipe *p, int fd, unsigned int index, uint32_t w,
		  uint32_t h);
void vd_pipe_fini(struct vd_pipe *p);
/* Turn the CRTC, its planes and its writeback connector off. */
void vd_pipe_off(struct vd_pipe *p);

/* Properties by name: id (0 if absent), value, enum value by name. */
uint32_t vd_prop_id(int fd, uint32_t obj, uint32_t type, const char *name);
uint64_t vd_prop_get(int fd, uint32_t obj, uint32_t type, const char *name);
uint64_t vd_prop_enum(int fd, uint32_t obj, uint32_t type, const char *name,
		      const char *value);

/*
 * An atomic request turning the pipe on (ACTIVE, MODE_ID, connector), to
 * which planes and properties are added.
 */
drmModeAtomicReq *vd_req(struct vd_pipe *p);
void vd_req_prop(drmModeAtomicReq *req, int fd, uint32_t obj, uint32_t type,
		 const char *name, uint64_t value);
void vd_req_plane_prop(drmModeAtomicReq *req, struct vd_pipe *p,
		       uint32_t plane, const char *name, uint64_t value);
/* The plane on the pipe showing @rp (its fb must be a vd_fb's ref). */
void vd_req_plane(drmModeAtomicReq *req, struct vd_pipe *p, uint32_t plane,
		  const struct vd_fb *fb, const struct ref_plane *rp);
void vd_req_plane_off(drmModeAtomicReq *req, struct vd_pipe *p,
		      uint32_t plane);
/* Commit and free @req: 0 or -errno (ALLOW_MODESET unless TEST_ONLY). */
int vd_commit(struct vd_pipe *p, drmModeAtomicReq *req, uint32_t flags);
/* Commit @req with a flip event, wait for it; returns its sequence. */
uint32_t vd_commit_wait(struct vd_pipe *p, drmModeAtomicReq *req);

/* A ref_plane showing all of @fb at (x, y), unrotated, opaque defaults. */
struct ref_plane vd_ref_plane(const struct vd_fb *fb, int x, int y);

/* Pipe CRC of the pipe's CRTC. */
void vd_crc_start(struct vd_pipe *p, struct pipe_crc *crc);
/*
 * Commit @req, wait for its flip and check that the CRC of the frame is
 * that of @expected (the pipe's w x h XRGB8888 picture); on a mismatch,
 * capture the frame and report the first wrong pixel. @what names the
 * configuration.
 */
void vd_check_frame(struct vd_pipe *p, struct pipe_crc *crc,
		    drmModeAtomicReq *req, const uint32_t *expected,
		    const char *what);
/* The same, with @expected composed from @planes by the reference. */
void vd_check_planes(struct vd_pipe *p, struct pipe_crc *crc,
		     drmModeAtomicReq *req, const struct ref_plane *planes,
		     unsigned int n, const struct ref_color *color,
		     const char *what);

/* A frame of CRTC @index from debugfs crtc-N/vdisplay_frame. */
int __vd_capture(int fd, unsigned int index, struct vdisplay_frame_header *hdr,
		 uint32_t **pixels);

#endif /* KMS_VD_H */
