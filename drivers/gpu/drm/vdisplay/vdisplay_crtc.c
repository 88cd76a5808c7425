// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay CRTCs: atomic state, colour management, vblank interrupts from
 * an hrtimer, flip events.
 */

#include <linux/dma-fence.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_color_mgmt.h>
#include <drm/drm_managed.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_vblank.h>

#include "vdisplay_drv.h"

/**
 * DOC: vblank
 *
 * While vblank interrupts are enabled an hrtimer fires once per frame of
 * the current mode and calls drm_crtc_handle_vblank(), which counts the
 * vblank and sends the events armed by atomic_flush (page-flip events,
 * vblank events, OUT_FENCE_PTR fences). The timer is forwarded before the
 * vblank is handled, so the timestamp of a vblank is the timer's expiry
 * minus one frame: the ideal, jitter-free vblank time. When the timer runs
 * late (a busy or emulated host) the DRM core counts the missed vblanks from
 * the timestamps.
 *
 * disable_vblank is called with the vblank core's spinlocks held, which the
 * timer's handler also takes, so it must not wait for a running handler:
 * it clears &vdisplay_pipe.vblank_on, which makes the handler stop the
 * timer, and cancels the timer if it is not running.
 *
 * Every CRTC has DEGAMMA_LUT and GAMMA_LUT (%VDISPLAY_LUT_SIZE entries;
 * any size from 1 to that is taken and interpolated, larger ones fail
 * with -EINVAL) and CTM, applied after blending (see "blending and
 * colour"); the legacy gamma ioctl sets GAMMA_LUT.
 */

static enum hrtimer_restart vdisplay_vblank_timer(struct hrtimer *timer)
{
	struct vdisplay_pipe *pipe =
		container_of(timer, struct vdisplay_pipe, vblank_timer);
	bool cookie;

	if (!READ_ONCE(pipe->vblank_on))
		return HRTIMER_NORESTART;

	hrtimer_forward_now(timer, pipe->period);

	cookie = dma_fence_begin_signalling();
	drm_crtc_handle_vblank(&pipe->crtc);
	vdisplay_compose_vblank(pipe);
	dma_fence_end_signalling(cookie);

	return HRTIMER_RESTART;
}

static int vdisplay_enable_vblank(struct drm_crtc *crtc)
{
	struct vdisplay_pipe *pipe = crtc_to_pipe(crtc);
	struct drm_vblank_crtc *vblank = &crtc->dev->vblank[drm_crtc_index(crtc)];

	drm_calc_timestamping_constants(crtc, &crtc->mode);
	if (!vblank->framedur_ns)
		return -EINVAL;

	pipe->period = ns_to_ktime(vblank->framedur_ns);
	WRITE_ONCE(pipe->vblank_on, true);
	hrtimer_start(&pipe->vblank_timer, pipe->period, HRTIMER_MODE_REL);
	return 0;
}

static void vdisplay_disable_vblank(struct drm_crtc *crtc)
{
	struct vdisplay_pipe *pipe = crtc_to_pipe(crtc);

	WRITE_ONCE(pipe->vblank_on, false);
	hrtimer_try_to_cancel(&pipe->vblank_timer);
}

static bool vdisplay_get_vblank_timestamp(struct drm_crtc *crtc,
					  int *max_error, ktime_t *vblank_time,
					  bool in_vblank_irq)
{
	struct vdisplay_pipe *pipe = crtc_to_pipe(crtc);

	if (!READ_ONCE(pipe->vblank_on)) {
		*vblank_time = ktime_get();
		return true;
	}

	/* The timer was forwarded to the next vblank: see DOC: vblank. */
	*vblank_time = ktime_sub(hrtimer_get_expires(&pipe->vblank_timer),
				 pipe->period);
	return true;
}

static struct drm_crtc_state *
vdisplay_crtc_duplicate_state(struct drm_crtc *crtc)
{
	struct vdisplay_crtc_state *state;

	if (WARN_ON(!crtc->state))
		return NULL;

	state = kzalloc(sizeof(*state), GFP_KERNEL);
	if (!state)
		return NULL;

	__drm_atomic_helper_crtc_duplicate_state(crtc, &state->base);
	return &state->base;
}

static void vdisplay_crtc_destroy_state(struct drm_crtc *crtc,
					struct drm_crtc_state *state)
{
	__drm_atomic_helper_crtc_destroy_state(state);
	kfree(to_vdisplay_crtc_state(state));
}

static void vdisplay_crtc_reset(struct drm_crtc *crtc)
{
	struct vdisplay_crtc_state *state = kzalloc(sizeof(*state), GFP_KERNEL);

	if (crtc->state)
		vdisplay_crtc_destroy_state(crtc, crtc->state);

	if (state)
		__drm_atomic_helper_crtc_reset(crtc, &state->base);
	else
		__drm_atomic_helper_crtc_reset(crtc, NULL);
}

static const struct drm_crtc_funcs vdisplay_crtc_funcs = {
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.destroy = drm_crtc_cleanup,
	.reset = vdisplay_crtc_reset,
	.atomic_duplicate_state = vdisplay_crtc_duplicate_state,
	.atomic_destroy_state = vdisplay_crtc_destroy_state,
	.enable_vblank = vdisplay_enable_vblank,
	.disable_vblank = vdisplay_disable_vblank,
	.get_vblank_timestamp = vdisplay_get_vblank_timestamp,
	.get_crc_sources = vdisplay_get_crc_sources,
	.verify_crc_source = vdisplay_verify_crc_source,
	.set_crc_source = vdisplay_set_crc_source,
	.late_register = vdisplay_capture_crtc_debugfs,
};

/* Refresh rates (Hz) the vblank timer accepts. */
#define VDISPLAY_MIN_REFRESH	1
#define VDISPLAY_MAX_REFRESH	240

static enum drm_mode_status
vdisplay_crtc_mode_valid(struct drm_crtc *crtc,
			 const struct drm_display_mode *mode)
{
	if (mode->hdisplay > VDISPLAY_MAX_MODE_WIDTH ||
	    mode->vdisplay > VDISPLAY_MAX_MODE_HEIGHT)
		return MODE_BAD;
	if (mode->clock <= 0 || !mode->htotal || !mode->vtotal)
		return MODE_CLOCK_RANGE;
	/* The vblank timer fires at the refresh rate: keep it sane. */
	if (drm_mode_vrefresh(mode) < VDISPLAY_MIN_REFRESH ||
	    drm_mode_vrefresh(mode) > VDISPLAY_MAX_REFRESH)
		return MODE_CLOCK_RANGE;
	return MODE_OK;
}

/* Entries of a LUT blob, or 0 if it is not one the composer takes. */
static unsigned int vdisplay_lut_entries(const struct drm_property_blob *blob)
{
	unsigned int n = drm_color_lut_size(blob);

	return n > VDISPLAY_LUT_SIZE ? 0 : n;
}

static int vdisplay_crtc_check_color(struct vdisplay_crtc_state *vstate)
{
	struct drm_crtc_state *state = &vstate->base;
	struct vdisplay_color *color = &vstate->color;

	memset(color, 0, sizeof(*color));
	if (state->degamma_lut) {
		color->degamma_size = vdisplay_lut_entries(state->degamma_lut);
		if (!color->degamma_size)
			return -EINVAL;
		color->degamma = state->degamma_lut->data;
	}
	if (state->gamma_lut) {
		color->gamma_size = vdisplay_lut_entries(state->gamma_lut);
		if (!color->gamma_size)
			return -EINVAL;
		color->gamma = state->gamma_lut->data;
	}
	if (state->ctm) {
		vdisplay_color_ctm(state->ctm->data, color->ctm);
		color->ctm_on = true;
	}
	return 0;
}

static int vdisplay_zpos_cmp(const void *a, const void *b)
{
	const struct vdisplay_layer *la = a, *lb = b;

	return la->sps->base.normalized_zpos - lb->sps->base.normalized_zpos;
}

/* List the visible planes, bottom to top, and the colour pipeline. */
static int vdisplay_crtc_atomic_check(struct drm_crtc *crtc,
				      struct drm_atomic_state *state)
{
	struct drm_crtc_state *crtc_state =
		drm_atomic_get_new_crtc_state(state, crtc);
	struct vdisplay_crtc_state *vstate = to_vdisplay_crtc_state(crtc_state);
	struct vdisplay_layer *layer;
	struct drm_plane *plane;
	int ret;

	ret = drm_atomic_add_affected_planes(state, crtc);
	if (ret)
		return ret;
	ret = vdisplay_crtc_check_color(vstate);
	if (ret)
		return ret;

	vstate->num_layers = 0;
	drm_for_each_plane_mask(plane, crtc->dev, crtc_state->plane_mask) {
		struct drm_plane_state *plane_state =
			drm_atomic_get_new_plane_state(state, plane);

		if (WARN_ON(!plane_state) || !plane_state->visible)
			continue;
		if (WARN_ON(vstate->num_layers >= VDISPLAY_MAX_PLANES))
			return -EINVAL;
		layer = &vstate->layers[vstate->num_layers];
		ret = vdisplay_plane_layer(plane_state, layer);
		if (ret)
			return ret;
		/* Clipped to the mode by the plane's check: keep it so. */
		if (layer->dst.x1 < 0 || layer->dst.y1 < 0 ||
		    layer->dst.x2 > crtc_state->mode.hdisplay ||
		    layer->dst.y2 > crtc_state->mode.vdisplay)
			return -EINVAL;
		vstate->num_layers++;
	}
	sort(vstate->layers, vstate->num_layers, sizeof(vstate->layers[0]),
	     vdisplay_zpos_cmp, NULL);
	return 0;
}

static void vdisplay_crtc_atomic_enable(struct drm_crtc *crtc,
					struct drm_atomic_state *state)
{
	drm_crtc_vblank_on(crtc);
}

static void vdisplay_crtc_atomic_disable(struct drm_crtc *crtc,
					 struct drm_atomic_state *state)
{
	drm_crtc_vblank_off(crtc);
}

/*
 * The new planes are "latched": hand them to the composer and wait for a
 * composition that may still read the old ones (their mappings go with
 * end_fb_access right after this on 6.2+, with cleanup_fb before), then arm
 * the event for the next vblank (or send it now if the CRTC is off).
 */
static void vdisplay_crtc_atomic_flush(struct drm_crtc *crtc,
				       struct drm_atomic_state *state)
{
	struct vdisplay_pipe *pipe = crtc_to_pipe(crtc);
	struct drm_crtc_state *crtc_state = crtc->state;
	struct drm_pending_vblank_event *event = crtc_state->event;

	vdisplay_compose_set_active(pipe, crtc_state->active ?
				    to_vdisplay_crtc_state(crtc_state) : NULL);
	vdisplay_compose_flush(pipe);

	if (!event)
		return;
	crtc_state->event = NULL;

	spin_lock_irq(&crtc->dev->event_lock);
	if (drm_crtc_vblank_get(crtc) == 0)
		drm_crtc_arm_vblank_event(crtc, event);
	else
		drm_crtc_send_vblank_event(crtc, event);
	spin_unlock_irq(&crtc->dev->event_lock);
}

static const struct drm_crtc_helper_funcs vdisplay_crtc_helpers = {
	.mode_valid = vdisplay_crtc_mode_valid,
	.atomic_check = vdisplay_crtc_atomic_check,
	.atomic_flush = vdisplay_crtc_atomic_flush,
	.atomic_enable = vdisplay_crtc_atomic_enable,
	.atomic_disable = vdisplay_crtc_atomic_disable,
};

static void vdisplay_crtc_fini(struct drm_device *drm, void *data)
{
	struct vdisplay_pipe *pipe = data;

	WRITE_ONCE(pipe->vblank_on, false);
	hrtimer_cancel(&pipe->vblank_timer);
}

static int vdisplay_crtc_init(struct vdisplay_device *vd, unsigned int index)
{
	const struct vdisplay_topology *t = &vd->topology;
	struct vdisplay_pipe *pipe = &vd->pipes[index];
	int primary, cursor, ret;

	pipe->vd = vd;
	hrtimer_init(&pipe->vblank_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	pipe->vblank_timer.function = vdisplay_vblank_timer;
	ret = drmm_add_action_or_reset(&vd->drm, vdisplay_crtc_fini, pipe);
	if (ret)
		return ret;
	ret = vdisplay_compose_init(pipe);
	if (ret)
		return ret;

	primary = vdisplay_topology_plane(t, index, DRM_PLANE_TYPE_PRIMARY);
	cursor = vdisplay_topology_plane(t, index, DRM_PLANE_TYPE_CURSOR);
	if (WARN_ON(primary < 0))
		return -EINVAL;
	ret = drm_crtc_init_with_planes(&vd->drm, &pipe->crtc,
					&vd->planes[primary],
					cursor < 0 ? NULL : &vd->planes[cursor],
					&vdisplay_crtc_funcs, NULL);
	if (ret)
		return ret;
	drm_crtc_helper_add(&pipe->crtc, &vdisplay_crtc_helpers);

	ret = drm_mode_crtc_set_gamma_size(&pipe->crtc, VDISPLAY_LUT_SIZE);
	if (ret)
		return ret;
	drm_crtc_enable_color_mgmt(&pipe->crtc, VDISPLAY_LUT_SIZE, true,
				   VDISPLAY_LUT_SIZE);
	return 0;
}

/**
 * vdisplay_crtcs_init - create the CRTCs on their planes
 * @vd: the device, whose planes exist and &vdisplay_device.pipes is
 *	allocated
 *
 * Returns: 0 or a negative errno.
 */
int vdisplay_crtcs_init(struct vdisplay_device *vd)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vd->topology.num_crtcs; i++) {
		ret = vdisplay_crtc_init(vd, i);
		if (ret)
			return ret;
	}
	return 0;
}
