// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay outputs: virtual connectors, each with its encoder.
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
 * A connector (type Virtual) offers the VESA DMT 60 Hz modes from 640x480
 * up to 1920x1080; 1024x768@60 is the preferred mode. Userspace may set
 * any other mode up to 1920x1080 with a positive pixel clock (the vblank
 * timer follows the mode's refresh rate). Each connector has an encoder of
 * its own, on the CRTCs the topology gives it.
 *
 * Connectors of the module's device are always connected. Those of a
 * configfs device report the "status" of their configfs directory; writing
 * it while the device is enabled changes what detect reports and sends a
 * hotplug uevent (HOTPLUG=1, CONNECTOR=<id>), as a real hotplug would.
 * Nothing else changes: a CRTC driving a disconnected connector stays on.
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
	struct vdisplay_connector *vc =
		container_of(connector, struct vdisplay_connector, base);

	return READ_ONCE(vc->status);
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
 * vdisplay_connector_set_status - hotplug: change what a connector reports
 * @vd: the device, registered
 * @index: the connector's index in the topology
 * @status: &enum drm_connector_status
 *
 * Sends a hotplug uevent for the connector if the status changed.
 */
void vdisplay_connector_set_status(struct vdisplay_device *vd,
				   unsigned int index, int status)
{
	struct vdisplay_connector *vc;

	if (WARN_ON(index >= vd->topology.num_connectors))
		return;
	vc = &vd->connectors[index];
	if (xchg(&vc->status, status) != status)
		drm_kms_helper_connector_hotplug_event(&vc->base);
}

static int vdisplay_output_init(struct vdisplay_device *vd, unsigned int i)
{
	struct vdisplay_connector *vc = &vd->connectors[i];
	int ret;

	vc->status = vd->topology.connectors[i].status;
	ret = drm_encoder_init(&vd->drm, &vc->encoder, &vdisplay_encoder_funcs,
			       DRM_MODE_ENCODER_VIRTUAL, NULL);
	if (ret)
		return ret;
	vc->encoder.possible_crtcs = vd->topology.connectors[i].possible_crtcs;

	ret = drm_connector_init(&vd->drm, &vc->base, &vdisplay_connector_funcs,
				 DRM_MODE_CONNECTOR_VIRTUAL);
	if (ret)
		return ret;
	drm_connector_helper_add(&vc->base, &vdisplay_connector_helpers);
	return drm_connector_attach_encoder(&vc->base, &vc->encoder);
}

/**
 * vdisplay_outputs_init - create the encoders and connectors
 * @vd: the device, whose CRTCs exist and &vdisplay_device.connectors is
 *	allocated
 *
 * Returns: 0 or a negative errno.
 */
int vdisplay_outputs_init(struct vdisplay_device *vd)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vd->topology.num_connectors; i++) {
		ret = vdisplay_output_init(vd, i);
		if (ret)
			return ret;
	}
	return 0;
}
