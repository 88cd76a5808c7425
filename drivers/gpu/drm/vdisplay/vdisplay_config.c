// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay topology: checks, and the one of the module parameters.
 */

#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/string.h>

#include <drm/drm_connector.h>
#include <drm/drm_plane.h>

#include "vdisplay_config.h"

/**
 * DOC: topology
 *
 * A device has 1 to %VDISPLAY_MAX_CRTCS CRTCs, up to %VDISPLAY_MAX_PLANES
 * planes and up to %VDISPLAY_MAX_CONNECTORS connectors. Every CRTC has
 * exactly one primary plane and at most one cursor plane, and these belong
 * to that CRTC alone; an overlay plane may be used on any non-empty set of
 * CRTCs; a connector (with an encoder of its own) may be driven by any
 * non-empty set of CRTCs. A CRTC may also have a writeback connector.
 *
 * The device the module creates at load ("vdisplay.0", unless
 * create_default_dev=0) has "crtcs" CRTCs, each with its primary plane,
 * "overlays" overlay planes, a cursor plane ("cursor"), a connector and a
 * writeback connector ("writeback"). configfs creates others (see
 * vdisplay_configfs.c).
 */

static bool vdisplay_one_crtc(u32 mask)
{
	return mask && is_power_of_2(mask);
}

/**
 * vdisplay_topology_plane - the primary or cursor plane of a CRTC
 * @t: the topology
 * @crtc: CRTC index
 * @type: DRM_PLANE_TYPE_PRIMARY or DRM_PLANE_TYPE_CURSOR
 *
 * Returns: the plane's index, or -1 if there is none.
 */
int vdisplay_topology_plane(const struct vdisplay_topology *t,
			    unsigned int crtc, u32 type)
{
	unsigned int i;

	for (i = 0; i < t->num_planes; i++)
		if (t->planes[i].type == type &&
		    t->planes[i].possible_crtcs == BIT(crtc))
			return i;
	return -1;
}

static int vdisplay_topology_check_crtc(const struct vdisplay_topology *t,
					unsigned int crtc)
{
	unsigned int i, primary = 0, cursor = 0;

	for (i = 0; i < t->num_planes; i++) {
		if (t->planes[i].possible_crtcs != BIT(crtc))
			continue;
		primary += t->planes[i].type == DRM_PLANE_TYPE_PRIMARY;
		cursor += t->planes[i].type == DRM_PLANE_TYPE_CURSOR;
	}
	return primary == 1 && cursor <= 1 ? 0 : -EINVAL;
}

/**
 * vdisplay_topology_check - is a topology one a device can be made of
 * @t: the topology
 *
 * Returns: 0, or -EINVAL (see "DOC: topology" for the rules).
 */
int vdisplay_topology_check(const struct vdisplay_topology *t)
{
	u32 all;
	unsigned int i;

	if (!t->num_crtcs || t->num_crtcs > VDISPLAY_MAX_CRTCS ||
	    t->num_planes > VDISPLAY_MAX_PLANES ||
	    t->num_connectors > VDISPLAY_MAX_CONNECTORS)
		return -EINVAL;
	all = GENMASK(t->num_crtcs - 1, 0);

	for (i = 0; i < t->num_planes; i++) {
		u32 mask = t->planes[i].possible_crtcs;

		if (!mask || mask & ~all)
			return -EINVAL;
		switch (t->planes[i].type) {
		case DRM_PLANE_TYPE_OVERLAY:
			break;
		case DRM_PLANE_TYPE_PRIMARY:
		case DRM_PLANE_TYPE_CURSOR:
			if (!vdisplay_one_crtc(mask))
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	for (i = 0; i < t->num_crtcs; i++)
		if (vdisplay_topology_check_crtc(t, i))
			return -EINVAL;
	for (i = 0; i < t->num_connectors; i++) {
		u32 mask = t->connectors[i].possible_crtcs;
		u32 status = t->connectors[i].status;

		if (!mask || mask & ~all)
			return -EINVAL;
		if (status != connector_status_connected &&
		    status != connector_status_disconnected &&
		    status != connector_status_unknown)
			return -EINVAL;
	}
	return 0;
}

static void vdisplay_add_plane(struct vdisplay_topology *t, u32 type,
			       unsigned int crtc)
{
	t->planes[t->num_planes].type = type;
	t->planes[t->num_planes].possible_crtcs = BIT(crtc);
	t->num_planes++;
}

/**
 * vdisplay_topology_default - the topology of the module parameters
 * @t: returns the topology
 * @crtcs: CRTCs
 * @overlays: overlay planes per CRTC
 * @cursor: a cursor plane per CRTC
 * @writeback: a writeback connector per CRTC
 *
 * Every CRTC gets its planes (primary, overlays, cursor, in that order)
 * and a connected connector.
 *
 * Returns: 0, or -EINVAL if that is more than a device may have.
 */
int vdisplay_topology_default(struct vdisplay_topology *t, unsigned int crtcs,
			      unsigned int overlays, bool cursor,
			      bool writeback)
{
	unsigned int c, i;

	memset(t, 0, sizeof(*t));
	if (!crtcs || crtcs > VDISPLAY_MAX_CRTCS ||
	    crtcs > VDISPLAY_MAX_CONNECTORS ||
	    overlays > VDISPLAY_MAX_PLANES ||
	    crtcs * (1 + overlays + cursor) > VDISPLAY_MAX_PLANES)
		return -EINVAL;

	t->num_crtcs = crtcs;
	t->num_connectors = crtcs;
	for (c = 0; c < crtcs; c++) {
		t->writeback[c] = writeback;
		vdisplay_add_plane(t, DRM_PLANE_TYPE_PRIMARY, c);
		for (i = 0; i < overlays; i++)
			vdisplay_add_plane(t, DRM_PLANE_TYPE_OVERLAY, c);
		if (cursor)
			vdisplay_add_plane(t, DRM_PLANE_TYPE_CURSOR, c);
		t->connectors[c].possible_crtcs = BIT(c);
		t->connectors[c].status = connector_status_connected;
	}
	return vdisplay_topology_check(t);
}
