/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef __VDISPLAY_DRV_H__
#define __VDISPLAY_DRV_H__

#include <linux/hrtimer.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <drm/drm_connector.h>
#include <drm/drm_crtc.h>
#include <drm/drm_device.h>
#include <drm/drm_encoder.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_plane.h>
#include <drm/primegem.h>

struct dentry;
struct drm_atomic_state;
struct platform_device;

/* Largest mode offered and accepted, and largest framebuffer. */
#define VDISPLAY_MAX_MODE_WIDTH		1920
#define VDISPLAY_MAX_MODE_HEIGHT	1080
#define VDISPLAY_MAX_FB_SIZE		8192
#define VDISPLAY_CURSOR_SIZE		256

/* Planes on the CRTC: primary and cursor. */
#define VDISPLAY_MAX_LAYERS		2

/**
 * struct vdisplay_crtc_state - CRTC state with the planes to compose
 * @base: the CRTC state
 * @layers: visible planes on the CRTC, bottom to top, set by atomic_check
 * @num_layers: entries in @layers
 *
 * The plane states in @layers belong to the same atomic state as @base; their
 * framebuffer mappings live until the next commit on the CRTC replaces
 * them, whose atomic_flush waits for the composer first.
 */
struct vdisplay_crtc_state {
	struct drm_crtc_state base;
	struct drm_shadow_plane_state *layers[VDISPLAY_MAX_LAYERS];
	unsigned int num_layers;
};

static inline struct vdisplay_crtc_state *
to_vdisplay_crtc_state(struct drm_crtc_state *state)
{
	return container_of(state, struct vdisplay_crtc_state, base);
}

/**
 * struct vdisplay_frame - the last composed frame
 * @pixels: XRGB8888 pixels, @width * @height, or NULL before the first
 * @width: width in pixels
 * @height: height in pixels
 * @alloc: bytes allocated at @pixels
 * @sequence: vblank count the frame was composed for
 * @crc: CRC32 of @pixels
 */
struct vdisplay_frame {
	u32 *pixels;
	u32 width;
	u32 height;
	size_t alloc;
	u64 sequence;
	u32 crc;
};

/**
 * struct vdisplay_device - the virtual display
 * @drm: the DRM device
 * @pg: primegem state
 * @platform: the platform device "vdisplay.0"
 * @primary: the primary plane
 * @cursor: the cursor plane, if enabled by the "cursor" parameter
 * @crtc: the only CRTC
 * @encoder: the virtual encoder
 * @connector: the virtual connector, always connected
 * @vblank_timer: fires at each vblank while vblank interrupts are enabled
 * @period: frame duration of the current mode
 * @vblank_on: vblank interrupts are enabled; the timer stops when cleared
 * @lock: protects @active, @frame_start, @frame_end, @compose_pending,
 *	  @crc_enabled and @capture_waiters; taken from the vblank timer
 * @active: state being scanned out, NULL while the CRTC is off
 * @frame_start: first vblank the pending composition stands for
 * @frame_end: last vblank the pending composition stands for
 * @compose_pending: a composition is queued and has not read the above yet
 * @crc_enabled: the "auto" CRC source is selected
 * @capture_waiters: capture readers waiting for a frame
 * @compose_wq: ordered workqueue running @compose_work
 * @compose_work: composes @active into @frame (vdisplay_compose.c)
 * @line: line buffer of @compose_work, %VDISPLAY_MAX_MODE_WIDTH pixels
 * @frame_lock: protects @frame
 * @frame: the last composed frame
 * @frame_wait: woken after each composition
 */
struct vdisplay_device {
	struct drm_device drm;
	struct primegem_device pg;
	struct platform_device *platform;

	struct drm_plane primary;
	struct drm_plane cursor;
	struct drm_crtc crtc;
	struct drm_encoder encoder;
	struct drm_connector connector;

	struct hrtimer vblank_timer;
	ktime_t period;
	bool vblank_on;

	spinlock_t lock; /* see above */
	struct vdisplay_crtc_state *active;
	u64 frame_start;
	u64 frame_end;
	bool compose_pending;
	bool crc_enabled;
	unsigned int capture_waiters;

	struct workqueue_struct *compose_wq;
	struct work_struct compose_work;
	u32 *line;

	struct mutex frame_lock; /* protects @frame */
	struct vdisplay_frame frame;
	wait_queue_head_t frame_wait;
};

static inline struct vdisplay_device *to_vdisplay(struct drm_device *drm)
{
	return container_of(drm, struct vdisplay_device, drm);
}

static inline struct vdisplay_device *crtc_to_vdisplay(struct drm_crtc *crtc)
{
	return container_of(crtc, struct vdisplay_device, crtc);
}

extern bool vdisplay_enable_cursor;

/* vdisplay_plane.c */
int vdisplay_planes_init(struct vdisplay_device *vd);

/* vdisplay_crtc.c */
int vdisplay_crtc_init(struct vdisplay_device *vd);

/* vdisplay_output.c */
int vdisplay_output_init(struct vdisplay_device *vd);

/* vdisplay_compose.c */
int vdisplay_compose_init(struct vdisplay_device *vd);
void vdisplay_compose_vblank(struct vdisplay_device *vd);
void vdisplay_compose_set_active(struct vdisplay_device *vd,
				 struct vdisplay_crtc_state *state);
void vdisplay_compose_flush(struct vdisplay_device *vd);

/* vdisplay_crc.c */
const char *const *vdisplay_get_crc_sources(struct drm_crtc *crtc,
					    size_t *count);
int vdisplay_verify_crc_source(struct drm_crtc *crtc, const char *source,
			       size_t *values_cnt);
int vdisplay_set_crc_source(struct drm_crtc *crtc, const char *source);

/* vdisplay_capture.c */
void vdisplay_capture_debugfs_init(struct vdisplay_device *vd,
				   struct dentry *root);

#endif /* __VDISPLAY_DRV_H__ */
