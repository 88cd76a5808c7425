// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay planes: a primary plane and a cursor plane.
 */

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_plane.h>

#include "vdisplay_drv.h"

/**
 * DOC: planes
 *
 * The primary plane takes XRGB8888, ARGB8888, XBGR8888, ABGR8888 and
 * RGB565; it must cover the whole CRTC (no positioning) and is not scaled.
 * The cursor plane takes ARGB8888 and XRGB8888 up to
 * %VDISPLAY_CURSOR_SIZE pixels square, can be placed anywhere (it is
 * clipped to the CRTC) and is blended over the primary plane; alpha is
 * premultiplied, DRM's default blend mode. Framebuffers are linear only.
 *
 * Plane states are &struct drm_shadow_plane_state: prepare_fb collects the
 * framebuffer's fences and maps it into the kernel, cleanup_fb unmaps it
 * (the DRM_GEM_SHADOW_PLANE helpers). Planes need no atomic_update: the
 * composer reads the plane states referenced by the CRTC state.
 */

static const u32 vdisplay_primary_formats[] = {
	DRM_FORMAT_XRGB8888,
	DRM_FORMAT_ARGB8888,
	DRM_FORMAT_XBGR8888,
	DRM_FORMAT_ABGR8888,
	DRM_FORMAT_RGB565,
};

static const u32 vdisplay_cursor_formats[] = {
	DRM_FORMAT_ARGB8888,
	DRM_FORMAT_XRGB8888,
};

static const u64 vdisplay_modifiers[] = {
	DRM_FORMAT_MOD_LINEAR,
	DRM_FORMAT_MOD_INVALID,
};

static int vdisplay_plane_atomic_check(struct drm_plane *plane,
				       struct drm_atomic_state *state)
{
	struct drm_plane_state *new_state =
		drm_atomic_get_new_plane_state(state, plane);
	struct drm_crtc_state *crtc_state = NULL;
	bool primary = plane->type == DRM_PLANE_TYPE_PRIMARY;

	/*
	 * A fence to wait for before scanning out nothing: the commit helpers
	 * cannot handle it (drm_atomic_helper_wait_for_fences() WARNs).
	 */
	if (new_state->fence && !new_state->fb)
		return -EINVAL;

	/*
	 * Pull the CRTC into the commit: its atomic_check lists the planes to
	 * compose, and its flush hands them to the composer.
	 */
	if (new_state->crtc) {
		crtc_state = drm_atomic_get_crtc_state(state, new_state->crtc);
		if (IS_ERR(crtc_state))
			return PTR_ERR(crtc_state);
	}

	if (!primary && new_state->fb &&
	    (new_state->crtc_w > VDISPLAY_CURSOR_SIZE ||
	     new_state->crtc_h > VDISPLAY_CURSOR_SIZE))
		return -EINVAL;

	return drm_atomic_helper_check_plane_state(new_state, crtc_state,
						   DRM_PLANE_NO_SCALING,
						   DRM_PLANE_NO_SCALING,
						   !primary, true);
}

static void vdisplay_plane_atomic_update(struct drm_plane *plane,
					 struct drm_atomic_state *state)
{
	/* Nothing to program: the composer reads the committed state. */
}

static const struct drm_plane_helper_funcs vdisplay_plane_helpers = {
	DRM_GEM_SHADOW_PLANE_HELPER_FUNCS,
	.atomic_check = vdisplay_plane_atomic_check,
	.atomic_update = vdisplay_plane_atomic_update,
};

static const struct drm_plane_funcs vdisplay_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	.destroy = drm_plane_cleanup,
	DRM_GEM_SHADOW_PLANE_FUNCS,
};

/**
 * vdisplay_planes_init - create the primary and (optionally) cursor planes
 * @vd: the device
 *
 * The planes are cleaned up with the mode configuration.
 *
 * Returns: 0 or a negative errno.
 */
int vdisplay_planes_init(struct vdisplay_device *vd)
{
	int ret;

	ret = drm_universal_plane_init(&vd->drm, &vd->primary, 1,
				       &vdisplay_plane_funcs,
				       vdisplay_primary_formats,
				       ARRAY_SIZE(vdisplay_primary_formats),
				       vdisplay_modifiers,
				       DRM_PLANE_TYPE_PRIMARY, NULL);
	if (ret)
		return ret;
	drm_plane_helper_add(&vd->primary, &vdisplay_plane_helpers);

	if (!vdisplay_enable_cursor)
		return 0;

	ret = drm_universal_plane_init(&vd->drm, &vd->cursor, 1,
				       &vdisplay_plane_funcs,
				       vdisplay_cursor_formats,
				       ARRAY_SIZE(vdisplay_cursor_formats),
				       vdisplay_modifiers,
				       DRM_PLANE_TYPE_CURSOR, NULL);
	if (ret)
		return ret;
	drm_plane_helper_add(&vd->cursor, &vdisplay_plane_helpers);
	return 0;
}
