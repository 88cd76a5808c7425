// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay output: the virtual encoder and the always-connected connector.
 */

#include <drm/drm_atomic_state_helper.h>
#include <drm/drm_connector.h>
#include <drm/drm_edid.h>
#include <drm/drm_encoder.h>
#include <drm/drm_modes.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_probe_helper.h>

#include "vdisplay_drv.h"

/**
 * DOC: output
 *
 * The connector (type Virtual) is always connected and offers the VESA DMT
 * 60 Hz modes from 640x480 up to 1920x1080; 1024x768@60 is the preferred
 * mode. Userspace may set any other mode up to 1920x1080 with a positive
 * pixel clock (the vblank timer follows the mode's refresh rate).
 */

static const struct {
	u16 width;
	u16 height;
} vdisplay_modes[] = {
	{ 640, 480 },
	{ 800, 600 },
	{ 1024, 768 },
	{ 1280, 720 },
	{ 1280, 800 },
	{ 1280, 1024 },
	{ 1366, 768 },
	{ 1440, 900 },
	{ 1600, 900 },
	{ 1680, 1050 },
	{ 1920, 1080 },
};

#define VDISPLAY_PREFERRED_WIDTH	1024
#define VDISPLAY_PREFERRED_HEIGHT	768

static int vdisplay_connector_get_modes(struct drm_connector *connector)
{
	struct drm_device *drm = connector->dev;
	int count = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vdisplay_modes); i++) {
		struct drm_display_mode *mode;

		mode = drm_mode_find_dmt(drm, vdisplay_modes[i].width,
					 vdisplay_modes[i].height, 60, false);
		if (!mode)
			continue;
		if (mode->hdisplay == VDISPLAY_PREFERRED_WIDTH &&
		    mode->vdisplay == VDISPLAY_PREFERRED_HEIGHT)
			mode->type |= DRM_MODE_TYPE_PREFERRED;
		drm_mode_probed_add(connector, mode);
		count++;
	}
	return count;
}

static enum drm_mode_status
vdisplay_connector_mode_valid(struct drm_connector *connector,
			      struct drm_display_mode *mode)
{
	if (mode->hdisplay > VDISPLAY_MAX_MODE_WIDTH ||
	    mode->vdisplay > VDISPLAY_MAX_MODE_HEIGHT)
		return MODE_BAD;
	return MODE_OK;
}

static const struct drm_connector_helper_funcs vdisplay_connector_helpers = {
	.get_modes = vdisplay_connector_get_modes,
	.mode_valid = vdisplay_connector_mode_valid,
};

static enum drm_connector_status
vdisplay_connector_detect(struct drm_connector *connector, bool force)
{
	return connector_status_connected;
}

static const struct drm_connector_funcs vdisplay_connector_funcs = {
	.detect = vdisplay_connector_detect,
	.fill_modes = drm_helper_probe_single_connector_modes,
	.reset = drm_atomic_helper_connector_reset,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
	.destroy = drm_connector_cleanup,
};

static const struct drm_encoder_funcs vdisplay_encoder_funcs = {
	.destroy = drm_encoder_cleanup,
};

/**
 * vdisplay_output_init - create the encoder and the connector
 * @vd: the device, whose CRTC exists
 *
 * Returns: 0 or a negative errno.
 */
int vdisplay_output_init(struct vdisplay_device *vd)
{
	int ret;

	ret = drm_encoder_init(&vd->drm, &vd->encoder, &vdisplay_encoder_funcs,
			       DRM_MODE_ENCODER_VIRTUAL, NULL);
	if (ret)
		return ret;
	vd->encoder.possible_crtcs = drm_crtc_mask(&vd->crtc);

	ret = drm_connector_init(&vd->drm, &vd->connector,
				 &vdisplay_connector_funcs,
				 DRM_MODE_CONNECTOR_VIRTUAL);
	if (ret)
		return ret;
	drm_connector_helper_add(&vd->connector, &vdisplay_connector_helpers);

	return drm_connector_attach_encoder(&vd->connector, &vd->encoder);
}
