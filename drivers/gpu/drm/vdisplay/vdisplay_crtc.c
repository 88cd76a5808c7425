// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay CRTC: atomic state, vblank interrupts from an hrtimer, flip
 * events.
 */

#include <linux/dma-fence.h>
#include <linux/slab.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
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
 * it clears &vdisplay_device.vblank_on, which makes the handler stop the
 * timer, and cancels the timer if it is not running.
 */

static enum hrtimer_restart vdisplay_vblank_timer(struct hrtimer *timer)
{
	struct vdisplay_device *vd =
		container_of(timer, struct vdisplay_device, vblank_timer);
	bool cookie;

	if (!READ_ONCE(vd->vblank_on))
		return HRTIMER_NORESTART;

	hrtimer_forward_now(timer, vd->period);

	cookie = dma_fence_begin_signalling();
	drm_crtc_handle_vblank(&vd->crtc);
	vdisplay_compose_vblank(vd);
	dma_fence_end_signalling(cookie);

	return HRTIMER_RESTART;
}

static int vdisplay_enable_vblank(struct drm_crtc *crtc)
{
	struct vdisplay_device *vd = crtc_to_vdisplay(crtc);
	struct drm_vblank_crtc *vblank = &crtc->dev->vblank[drm_crtc_index(crtc)];

	drm_calc_timestamping_constants(crtc, &crtc->mode);
	if (!vblank->framedur_ns)
		return -EINVAL;

	vd->period = ns_to_ktime(vblank->framedur_ns);
	WRITE_ONCE(vd->vblank_on, true);
	hrtimer_start(&vd->vblank_timer, vd->period, HRTIMER_MODE_REL);
	return 0;
}

static void vdisplay_disable_vblank(struct drm_crtc *crtc)
{
	struct vdisplay_device *vd = crtc_to_vdisplay(crtc);

	WRITE_ONCE(vd->vblank_on, false);
	hrtimer_try_to_cancel(&vd->vblank_timer);
}

static bool vdisplay_get_vblank_timestamp(struct drm_crtc *crtc,
					  int *max_error, ktime_t *vblank_time,
					  bool in_vblank_irq)
{
	struct vdisplay_device *vd = crtc_to_vdisplay(crtc);

	if (!READ_ONCE(vd->vblank_on)) {
		*vblank_time = ktime_get();
		return true;
	}

	/* The timer was forwarded to the next vblank: see DOC: vblank. */
	*vblank_time = ktime_sub(hrtimer_get_expires(&vd->vblank_timer),
				 vd->period);
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

/* List the visible planes, bottom (primary) to top, for the composer. */
static int vdisplay_crtc_atomic_check(struct drm_crtc *crtc,
				      struct drm_atomic_state *state)
{
	struct drm_crtc_state *crtc_state =
		drm_atomic_get_new_crtc_state(state, crtc);
	struct vdisplay_crtc_state *vstate = to_vdisplay_crtc_state(crtc_state);
	struct drm_plane *plane;
	int ret;

	ret = drm_atomic_add_affected_planes(state, crtc);
	if (ret)
		return ret;

	vstate->num_layers = 0;
	drm_for_each_plane_mask(plane, crtc->dev, crtc_state->plane_mask) {
		struct drm_plane_state *plane_state =
			drm_atomic_get_new_plane_state(state, plane);

		if (WARN_ON(!plane_state) || !plane_state->visible)
			continue;
		if (WARN_ON(vstate->num_layers >= VDISPLAY_MAX_LAYERS))
			return -EINVAL;
		vstate->layers[vstate->num_layers++] =
			to_drm_shadow_plane_state(plane_state);
	}
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
	struct vdisplay_device *vd = crtc_to_vdisplay(crtc);
	struct drm_crtc_state *crtc_state = crtc->state;
	struct drm_pending_vblank_event *event = crtc_state->event;

	vdisplay_compose_set_active(vd, crtc_state->active ?
				    to_vdisplay_crtc_state(crtc_state) : NULL);
	vdisplay_compose_flush(vd);

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
	struct vdisplay_device *vd = data;

	WRITE_ONCE(vd->vblank_on, false);
	hrtimer_cancel(&vd->vblank_timer);
}

/**
 * vdisplay_crtc_init - create the CRTC on the planes
 * @vd: the device, whose planes exist
 *
 * Returns: 0 or a negative errno.
 */
int vdisplay_crtc_init(struct vdisplay_device *vd)
{
	struct drm_plane *cursor = vdisplay_enable_cursor ? &vd->cursor : NULL;
	int ret;

	hrtimer_init(&vd->vblank_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	vd->vblank_timer.function = vdisplay_vblank_timer;
	ret = drmm_add_action_or_reset(&vd->drm, vdisplay_crtc_fini, vd);
	if (ret)
		return ret;

	ret = drm_crtc_init_with_planes(&vd->drm, &vd->crtc, &vd->primary,
					cursor, &vdisplay_crtc_funcs, NULL);
	if (ret)
		return ret;
	drm_crtc_helper_add(&vd->crtc, &vdisplay_crtc_helpers);
	return 0;
}
