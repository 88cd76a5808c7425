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
#include <drm/drm_writeback.h>
#include <drm/primegem.h>

#include "vdisplay_compose.h"
#include "vdisplay_config.h"

struct dentry;
struct drm_atomic_state;
struct platform_device;

/* Largest framebuffer, and largest cursor. */
#define VDISPLAY_MAX_FB_SIZE		8192
#define VDISPLAY_CURSOR_SIZE		256

/* Entries of DEGAMMA_LUT and GAMMA_LUT (smaller LUTs are interpolated). */
#define VDISPLAY_LUT_SIZE		1024

/**
 * struct vdisplay_crtc_state - CRTC state with the planes to compose
 * @base: the CRTC state
 * @layers: visible planes on the CRTC, bottom to top, set by atomic_check
 * @num_layers: entries in @layers
 * @color: the colour pipeline, set by atomic_check
 *
 * The plane states in @layers belong to the same atomic state as @base; their
 * framebuffer mappings live until the next commit on the CRTC replaces
 * them, whose atomic_flush waits for the composer first.
 */
struct vdisplay_crtc_state {
	struct drm_crtc_state base;
	struct vdisplay_layer layers[VDISPLAY_MAX_PLANES];
	unsigned int num_layers;
	struct vdisplay_color color;
};

static inline struct vdisplay_crtc_state *
to_vdisplay_crtc_state(struct drm_crtc_state *state)
{
	return container_of(state, struct vdisplay_crtc_state, base);
}

/**
 * struct vdisplay_frame - the last composed frame of a CRTC
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

struct vdisplay_device;

/**
 * struct vdisplay_pipe - a CRTC, its vblank timer, composer and writeback
 * @vd: the device
 * @crtc: the CRTC
 * @wb: the writeback connector, if @has_wb
 * @has_wb: the CRTC has a writeback connector
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
 * @compose_work: composes @active into @frame (vdisplay_compose.c)
 * @compose_lock: serialises the users of @lines
 * @lines: line buffers of the composer
 * @frame_lock: protects @frame
 * @frame: the last composed frame
 * @frame_wait: woken after each composition
 */
struct vdisplay_pipe {
	struct vdisplay_device *vd;
	struct drm_crtc crtc;
	struct drm_writeback_connector wb;
	bool has_wb;

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

	struct work_struct compose_work;
	struct mutex compose_lock; /* protects @lines */
	struct vdisplay_lines lines;

	struct mutex frame_lock; /* protects @frame */
	struct vdisplay_frame frame;
	wait_queue_head_t frame_wait;
};

/**
 * struct vdisplay_connector - a virtual connector and its encoder
 * @base: the connector
 * @encoder: its encoder, on the CRTCs the connector may use
 * @status: &enum drm_connector_status reported by detect; configfs
 *	    changes it for hotplug
 */
struct vdisplay_connector {
	struct drm_connector base;
	struct drm_encoder encoder;
	int status;
};

/**
 * struct vdisplay_device - a virtual display
 * @drm: the DRM device
 * @pg: primegem state
 * @platform: the platform device "vdisplay.N"
 * @topology: what the device was created with
 * @pipes: one per CRTC
 * @planes: every plane
 * @connectors: the virtual connectors (writeback ones are in @pipes)
 * @compose_wq: workqueue of the composers
 */
struct vdisplay_device {
	struct drm_device drm;
	struct primegem_device pg;
	struct platform_device *platform;
	struct vdisplay_topology topology;

	struct vdisplay_pipe *pipes;
	struct drm_plane *planes;
	struct vdisplay_connector *connectors;

	struct workqueue_struct *compose_wq;
};

static inline struct vdisplay_device *to_vdisplay(struct drm_device *drm)
{
	return container_of(drm, struct vdisplay_device, drm);
}

static inline struct vdisplay_pipe *crtc_to_pipe(struct drm_crtc *crtc)
{
	return container_of(crtc, struct vdisplay_pipe, crtc);
}

/* vdisplay_drv.c */
struct vdisplay_device *vdisplay_device_create(int id,
					       const struct vdisplay_topology *t);
void vdisplay_device_destroy(struct vdisplay_device *vd);

/* vdisplay_plane.c */
int vdisplay_planes_init(struct vdisplay_device *vd);
int vdisplay_plane_layer(struct drm_plane_state *state,
			 struct vdisplay_layer *layer);

/* vdisplay_crtc.c */
int vdisplay_crtcs_init(struct vdisplay_device *vd);

/* vdisplay_output.c */
int vdisplay_outputs_init(struct vdisplay_device *vd);
void vdisplay_connector_set_status(struct vdisplay_device *vd,
				   unsigned int index, int status);

/* vdisplay_writeback.c */
int vdisplay_writeback_init(struct vdisplay_pipe *pipe);

/* vdisplay_compose.c */
int vdisplay_compose_init(struct vdisplay_pipe *pipe);
void vdisplay_compose_vblank(struct vdisplay_pipe *pipe);
void vdisplay_compose_set_active(struct vdisplay_pipe *pipe,
				 struct vdisplay_crtc_state *state);
void vdisplay_compose_flush(struct vdisplay_pipe *pipe);
void vdisplay_compose_writeback(struct vdisplay_pipe *pipe,
				struct vdisplay_crtc_state *state,
				const struct vdisplay_wb_target *wb);

/* vdisplay_crc.c */
const char *const *vdisplay_get_crc_sources(struct drm_crtc *crtc,
					    size_t *count);
int vdisplay_verify_crc_source(struct drm_crtc *crtc, const char *source,
			       size_t *values_cnt);
int vdisplay_set_crc_source(struct drm_crtc *crtc, const char *source);

/* vdisplay_capture.c */
void vdisplay_capture_debugfs_init(struct vdisplay_device *vd,
				   struct dentry *root);
int vdisplay_capture_crtc_debugfs(struct drm_crtc *crtc);

/* vdisplay_configfs.c */
int vdisplay_configfs_register(void);
void vdisplay_configfs_unregister(void);

#endif /* __VDISPLAY_DRV_H__ */
