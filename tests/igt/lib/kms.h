// SPDX-License-Identifier: MIT
/*
 * KMS helpers for the vdisplay tests: device discovery, atomic commits of
 * the single CRTC, dumb framebuffers, flip events, pipe CRCs and frame
 * capture (debugfs).
 */
#ifndef KMS_H
#define KMS_H

#include <stdbool.h>
#include <stdint.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <vprime/vdisplay_frame.h>

/* N of /dev/dri/cardN whose parent is the platform device vdisplay.0. */
int vdisplay_card(void);
/* Open it with the atomic and universal-plane caps; skips if absent. */
int vdisplay_open(void);

enum kms_prop {
	CRTC_ACTIVE, CRTC_MODE_ID, CRTC_OUT_FENCE_PTR,
	CONN_CRTC_ID,
	PLANE_FB_ID, PLANE_CRTC_ID, PLANE_SRC_X, PLANE_SRC_Y, PLANE_SRC_W,
	PLANE_SRC_H, PLANE_CRTC_X, PLANE_CRTC_Y, PLANE_CRTC_W, PLANE_CRTC_H,
	PLANE_IN_FENCE_FD,
	KMS_NUM_PROPS
};

/* The pipe of a vdisplay device and the property ids to drive it. */
struct kms {
	int fd;
	uint32_t crtc_id;
	uint32_t connector_id;
	uint32_t primary_id;
	uint32_t cursor_id;		/* 0 without a cursor plane */
	drmModeModeInfo mode;		/* the preferred mode */
	uint32_t mode_blob;
	uint32_t prop_crtc[KMS_NUM_PROPS];
	uint32_t prop_conn[KMS_NUM_PROPS];
	uint32_t prop_primary[KMS_NUM_PROPS];
	uint32_t prop_cursor[KMS_NUM_PROPS];
};

void kms_init(struct kms *k, int fd);
void kms_fini(struct kms *k);

/* A dumb buffer, mapped, with a framebuffer on it (fb_id 0 if none). */
struct kms_fb {
	int fd;
	uint32_t fb_id;
	uint32_t handle;
	uint32_t width;
	uint32_t height;
	uint32_t pitch;
	uint32_t format;
	uint64_t size;
	void *map;
};

void kms_dumb_fb(int fd, uint32_t width, uint32_t height, uint32_t format,
		 struct kms_fb *fb);
/*
 * The same without the mapping (fb->map NULL), for a test that needs the
 * framebuffer and its handle to be the only references to the buffer.
 */
void kms_dumb_fb_unmapped(int fd, uint32_t width, uint32_t height,
			  uint32_t format, struct kms_fb *fb);
void kms_fb_destroy(struct kms_fb *fb);
/* 32-bit formats: fill with one value; or with a pattern seeded by @seed. */
void kms_fb_fill(struct kms_fb *fb, uint32_t pixel);
void kms_fb_pattern(void *map, uint32_t width, uint32_t height,
		    uint32_t pitch, uint32_t seed);

/*
 * Atomic commits on the pipe. kms_commit_primary() sets @fb_id on the
 * primary plane, full screen, with the mode and the connector (a modeset if
 * the CRTC is off); in_fence < 0 for none, out_fence NULL for none.
 * Returns 0 or -errno.
 */
int kms_commit_primary(struct kms *k, uint32_t fb_id, uint32_t flags,
		       int in_fence, int *out_fence);
/* The same with the plane's source and CRTC rectangles @w x @h at 0,0. */
int __kms_commit_primary(struct kms *k, uint32_t fb_id, uint32_t w,
			 uint32_t h, uint32_t flags, int in_fence,
			 int *out_fence);
int kms_commit_cursor(struct kms *k, uint32_t fb_id, int x, int y,
		      uint32_t w, uint32_t h, uint32_t flags);
int kms_disable(struct kms *k);

/* Wait up to @timeout_ms for a DRM event; false on timeout. */
bool kms_wait_event(int fd, int timeout_ms, struct drm_event_vblank *ev);
/*
 * Wait up to @timeout_ms for DRM events; one read() of at most @max of
 * them (asserts they are vblank-sized events). Returns how many, 0 on
 * timeout.
 */
unsigned int kms_read_events(int fd, int timeout_ms,
			     struct drm_event_vblank *ev, unsigned int max);
/* Commit with a flip event and wait for it (asserts); returns sequence. */
uint32_t kms_flip_wait(struct kms *k, uint32_t fb_id);

/* Pipe CRC through debugfs crtc-0/crc/{control,data}; skips if absent. */
struct pipe_crc {
	int data;
};

void pipe_crc_start(int fd, struct pipe_crc *crc);
void pipe_crc_stop(struct pipe_crc *crc);
/* Next entry; returns false on timeout (@timeout_ms). */
bool pipe_crc_next(struct pipe_crc *crc, int timeout_ms, uint32_t *frame,
		   uint32_t *value);
/* CRC of the first entry of a frame >= @seq (asserts within 5 s). */
uint32_t pipe_crc_at(struct pipe_crc *crc, uint32_t seq);

/* One frame from debugfs vdisplay_frame; free() the pixels. */
uint32_t *capture_frame(int fd, struct vdisplay_frame_header *hdr);
int __capture_frame(int fd, struct vdisplay_frame_header *hdr,
		    uint32_t **pixels);

/* CRC32 as the kernel's crc32_le(0, ...): the "auto" CRC of a frame. */
uint32_t kms_crc32(const void *data, uint64_t len);

#endif /* KMS_H */
