// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay planes: primary, overlay and cursor planes and their properties.
 */

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_blend.h>
#include <drm/drm_color_mgmt.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_plane.h>
#include <drm/drm_print.h>

#include "vdisplay_drv.h"

/**
 * DOC: planes
 *
 * Every CRTC has a primary plane, optionally overlay planes (the
 * "overlays" module parameter, or configfs) and a cursor plane. Primary
 * and overlay planes take the formats of "pixel formats"; the cursor
 * plane ARGB8888 and XRGB8888, at most %VDISPLAY_CURSOR_SIZE pixels
 * square. Framebuffers are linear; nothing is scaled.
 *
 * Every plane may be placed anywhere, partly or wholly outside the CRTC
 * (it is clipped; a plane wholly outside is not visible), and may show any
 * part of its framebuffer (SRC_*; fractional source coordinates are
 * truncated). The primary plane need not cover the CRTC: what no plane
 * covers is black. Properties of every plane:
 *
 * - "zpos" (0 to planes - 1; the default is the plane's index, so
 *   primary, overlays, cursor): stacking order, normalised by DRM, equal
 *   values ordered by plane id;
 * - "alpha" (0 to 0xffff, default opaque) and "pixel blend mode" ("None",
 *   "Pre-multiplied" (default), "Coverage"): see "blending and colour";
 * - "rotation": rotate-0/90/180/270 combined with reflect-x and reflect-y,
 *   as DRM defines them (reflection first, then counter-clockwise
 *   rotation; see drm_rect_rotate());
 * - primary and overlay planes: "COLOR_ENCODING" (BT.601 (default),
 *   BT.709, BT.2020) and "COLOR_RANGE" (limited (default), full), used by
 *   YUV formats.
 *
 * Plane states are &struct drm_shadow_plane_state: prepare_fb collects the
 * framebuffer's fences and maps it into the kernel, cleanup_fb unmaps it
 * (the DRM_GEM_SHADOW_PLANE helpers). Planes need no atomic_update: the
 * composer reads the plane states referenced by the CRTC state.
 */

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

	if (plane->type == DRM_PLANE_TYPE_CURSOR && new_state->fb &&
	    (new_state->crtc_w > VDISPLAY_CURSOR_SIZE ||
	     new_state->crtc_h > VDISPLAY_CURSOR_SIZE))
		return -EINVAL;

	return drm_atomic_helper_check_plane_state(new_state, crtc_state,
						   DRM_PLANE_NO_SCALING,
						   DRM_PLANE_NO_SCALING,
						   true, true);
}

/**
 * vdisplay_plane_layer - describe a visible plane for the composer
 * @state: the plane state, checked (drm_atomic_helper_check_plane_state())
 * @layer: returns the layer
 *
 * Returns: 0, or -EINVAL if the visible part does not lie within the
 * framebuffer or the CRTC's widest line (which the plane checks exclude).
 */
int vdisplay_plane_layer(struct drm_plane_state *state,
			 struct vdisplay_layer *layer)
{
	const struct drm_framebuffer *fb = state->fb;
	unsigned int w = drm_rect_width(&state->dst);
	unsigned int h = drm_rect_height(&state->dst);

	layer->fmt = vdisplay_format_get(fb->format->format);
	if (!layer->fmt)
		return -EINVAL;
	layer->sps = to_drm_shadow_plane_state(state);
	layer->fb = fb;
	layer->dst = state->dst;
	layer->rotation = state->rotation;
	layer->src_x = state->src.x1 >> 16;
	layer->src_y = state->src.y1 >> 16;
	layer->src_w = drm_rotation_90_or_270(state->rotation) ? h : w;
	layer->src_h = drm_rotation_90_or_270(state->rotation) ? w : h;
	if (!w || !h || w > VDISPLAY_MAX_MODE_WIDTH || layer->src_x < 0 ||
	    layer->src_y < 0 || layer->src_x + layer->src_w > fb->width ||
	    layer->src_y + layer->src_h > fb->height) {
		drm_dbg_atomic(fb->dev, "[PLANE:%d] bad visible rectangle\n",
			       state->plane->base.id);
		return -EINVAL;
	}

	layer->alpha = state->alpha;
	layer->blend = state->pixel_blend_mode;
	layer->opaque = state->alpha == DRM_BLEND_ALPHA_OPAQUE &&
			(!layer->fmt->alpha ||
			 state->pixel_blend_mode == DRM_MODE_BLEND_PIXEL_NONE);
	if (layer->fmt->type != VDISPLAY_FMT_RGB)
		vdisplay_yuv_init(&layer->yuv, state->color_encoding,
				  state->color_range, layer->fmt->depth);
	return 0;
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

static int vdisplay_plane_properties(struct drm_plane *plane,
				     unsigned int index, unsigned int count)
{
	int ret;

	ret = drm_plane_create_zpos_property(plane, index, 0, count - 1);
	if (ret)
		return ret;
	ret = drm_plane_create_alpha_property(plane);
	if (ret)
		return ret;
	ret = drm_plane_create_blend_mode_property(plane,
						   BIT(DRM_MODE_BLEND_PIXEL_NONE) |
						   BIT(DRM_MODE_BLEND_PREMULTI) |
						   BIT(DRM_MODE_BLEND_COVERAGE));
	if (ret)
		return ret;
	ret = drm_plane_create_rotation_property(plane, DRM_MODE_ROTATE_0,
						 DRM_MODE_ROTATE_MASK |
						 DRM_MODE_REFLECT_MASK);
	if (ret || plane->type == DRM_PLANE_TYPE_CURSOR)
		return ret;
	return drm_plane_create_color_properties(plane,
						 BIT(DRM_COLOR_YCBCR_BT601) |
						 BIT(DRM_COLOR_YCBCR_BT709) |
						 BIT(DRM_COLOR_YCBCR_BT2020),
						 BIT(DRM_COLOR_YCBCR_LIMITED_RANGE) |
						 BIT(DRM_COLOR_YCBCR_FULL_RANGE),
						 DRM_COLOR_YCBCR_BT601,
						 DRM_COLOR_YCBCR_LIMITED_RANGE);
}

/**
 * vdisplay_planes_init - create the planes of the device's topology
 * @vd: the device, whose &vdisplay_device.planes array is allocated
 *
 * The planes are cleaned up with the mode configuration.
 *
 * Returns: 0 or a negative errno.
 */
int vdisplay_planes_init(struct vdisplay_device *vd)
{
	const struct vdisplay_topology *t = &vd->topology;
	unsigned int i;
	int ret;

	for (i = 0; i < t->num_planes; i++) {
		struct drm_plane *plane = &vd->planes[i];
		bool cursor = t->planes[i].type == DRM_PLANE_TYPE_CURSOR;

		ret = drm_universal_plane_init(&vd->drm, plane,
					       t->planes[i].possible_crtcs,
					       &vdisplay_plane_funcs,
					       cursor ? vdisplay_cursor_formats :
							vdisplay_plane_formats,
					       cursor ? vdisplay_num_cursor_formats :
							vdisplay_num_plane_formats,
					       vdisplay_modifiers,
					       t->planes[i].type, NULL);
		if (ret)
			return ret;
		drm_plane_helper_add(plane, &vdisplay_plane_helpers);
		ret = vdisplay_plane_properties(plane, i, t->num_planes);
		if (ret)
			return ret;
	}
	return 0;
}
