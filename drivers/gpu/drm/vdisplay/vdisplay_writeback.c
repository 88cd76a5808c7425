// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay writeback: a writeback connector per CRTC, DRM's standard way
 * to capture what a CRTC shows.
 */

#include <linux/slab.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_edid.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_writeback.h>

#include "vdisplay_drv.h"

/**
 * DOC: writeback
 *
 * A CRTC may have a writeback connector (the "writeback" module parameter,
 * on by default, or configfs), seen by clients that set
 * DRM_CLIENT_CAP_WRITEBACK_CONNECTORS. A commit that sets its
 * WRITEBACK_FB_ID (with CRTC_ID on the CRTC, which must be on) gets the
 * CRTC's picture of that commit, composed as for the CRC (same blending,
 * same colour pipeline) into the framebuffer; WRITEBACK_OUT_FENCE_PTR gives
 * a fence that signals once it is written, before the commit returns (or
 * its work ends, for a nonblocking one).
 *
 * The framebuffer must be linear, of the mode's size, in XRGB8888,
 * ARGB8888, XBGR8888, ABGR8888, RGB565, XRGB2101010, ARGB2101010,
 * XRGB16161616 or ARGB16161616 (alpha is written opaque); else the commit
 * fails with -EINVAL. It is written from the 16-bit composed pixels, so
 * 10- and 16-bit formats keep more than the CRC's 8 bits.
 */

/* The formats of vdisplay_wb_formats[]. */
static const u32 vdisplay_wb_fourccs[] = {
	DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888, DRM_FORMAT_XBGR8888,
	DRM_FORMAT_ABGR8888, DRM_FORMAT_RGB565, DRM_FORMAT_XRGB2101010,
	DRM_FORMAT_ARGB2101010, DRM_FORMAT_XRGB16161616,
	DRM_FORMAT_ARGB16161616,
};

static int vdisplay_wb_get_modes(struct drm_connector *connector)
{
	int count = drm_add_modes_noedid(connector, VDISPLAY_MAX_MODE_WIDTH,
					 VDISPLAY_MAX_MODE_HEIGHT);

	drm_set_preferred_mode(connector, 1024, 768);
	return count;
}

static int vdisplay_wb_atomic_check(struct drm_connector *connector,
				    struct drm_atomic_state *state)
{
	struct drm_connector_state *conn_state =
		drm_atomic_get_new_connector_state(state, connector);
	struct drm_writeback_job *job = conn_state->writeback_job;
	struct drm_crtc_state *crtc_state;
	struct drm_framebuffer *fb;

	if (!job || !job->fb || !conn_state->crtc)
		return 0;

	/* The CRTC composes the picture: it must be in the commit. */
	crtc_state = drm_atomic_get_crtc_state(state, conn_state->crtc);
	if (IS_ERR(crtc_state))
		return PTR_ERR(crtc_state);

	fb = job->fb;
	if (fb->width != crtc_state->mode.hdisplay ||
	    fb->height != crtc_state->mode.vdisplay ||
	    fb->modifier != DRM_FORMAT_MOD_LINEAR ||
	    !vdisplay_wb_format_get(fb->format->format)) {
		drm_dbg_atomic(connector->dev,
			       "[CONNECTOR:%d] bad writeback framebuffer %ux%u %p4cc\n",
			       connector->base.id, fb->width, fb->height,
			       &fb->format->format);
		return -EINVAL;
	}
	return 0;
}

static int vdisplay_wb_prepare_job(struct drm_writeback_connector *wb,
				   struct drm_writeback_job *job)
{
	struct vdisplay_wb_target *target;
	int ret;

	if (!job->fb)
		return 0;

	target = kzalloc(sizeof(*target), GFP_KERNEL);
	if (!target)
		return -ENOMEM;
	target->fmt = vdisplay_wb_format_get(job->fb->format->format);
	target->pitch = job->fb->pitches[0];
	ret = drm_gem_fb_vmap(job->fb, target->map, target->data);
	if (ret) {
		kfree(target);
		return ret;
	}
	job->priv = target;
	return 0;
}

static void vdisplay_wb_cleanup_job(struct drm_writeback_connector *wb,
				    struct drm_writeback_job *job)
{
	struct vdisplay_wb_target *target = job->priv;

	if (!target)
		return;
	drm_gem_fb_vunmap(job->fb, target->map);
	kfree(target);
	job->priv = NULL;
}

/* Called from the commit's tail, after the CRTC's flush. */
static void vdisplay_wb_atomic_commit(struct drm_connector *connector,
				      struct drm_atomic_state *state)
{
	struct drm_writeback_connector *wb = drm_connector_to_writeback(connector);
	struct vdisplay_pipe *pipe = container_of(wb, struct vdisplay_pipe, wb);
	struct drm_connector_state *conn_state =
		drm_atomic_get_new_connector_state(state, connector);
	struct drm_crtc_state *crtc_state =
		drm_atomic_get_new_crtc_state(state, conn_state->crtc);
	struct vdisplay_wb_target *target = conn_state->writeback_job->priv;

	drm_writeback_queue_job(wb, conn_state);
	if (WARN_ON_ONCE(!crtc_state || !target)) {
		drm_writeback_signal_completion(wb, -EINVAL);
		return;
	}
	vdisplay_compose_writeback(pipe, to_vdisplay_crtc_state(crtc_state),
				   target);
	drm_writeback_signal_completion(wb, 0);
}

static const struct drm_connector_helper_funcs vdisplay_wb_helpers = {
	.get_modes = vdisplay_wb_get_modes,
	.atomic_check = vdisplay_wb_atomic_check,
	.prepare_writeback_job = vdisplay_wb_prepare_job,
	.cleanup_writeback_job = vdisplay_wb_cleanup_job,
	.atomic_commit = vdisplay_wb_atomic_commit,
};

static const struct drm_connector_funcs vdisplay_wb_funcs = {
	.fill_modes = drm_helper_probe_single_connector_modes,
	.reset = drm_atomic_helper_connector_reset,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
	.destroy = drm_connector_cleanup,
};

/**
 * vdisplay_writeback_init - create the writeback connector of a CRTC
 * @pipe: the CRTC, which exists
 *
 * Returns: 0 or a negative errno.
 */
int vdisplay_writeback_init(struct vdisplay_pipe *pipe)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(vdisplay_wb_fourccs); i++)
		if (WARN_ON(!vdisplay_wb_format_get(vdisplay_wb_fourccs[i])))
			return -EINVAL;

	drm_connector_helper_add(&pipe->wb.base, &vdisplay_wb_helpers);
	ret = drm_writeback_connector_init(&pipe->vd->drm, &pipe->wb,
					   &vdisplay_wb_funcs, NULL,
					   vdisplay_wb_fourccs,
					   ARRAY_SIZE(vdisplay_wb_fourccs),
					   drm_crtc_mask(&pipe->crtc));
	if (ret)
		return ret;
	pipe->has_wb = true;
	return 0;
}
