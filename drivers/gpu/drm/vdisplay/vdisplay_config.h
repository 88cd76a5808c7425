/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vdisplay topology: the CRTCs, planes and connectors a device is created
 * with, from the module parameters or from configfs.
 */
#ifndef __VDISPLAY_CONFIG_H__
#define __VDISPLAY_CONFIG_H__

#include <linux/types.h>

/* Most CRTCs, planes and connectors of one device. */
#define VDISPLAY_MAX_CRTCS		8
#define VDISPLAY_MAX_PLANES		32
#define VDISPLAY_MAX_CONNECTORS		8

/**
 * struct vdisplay_topology - what a device is made of
 * @num_crtcs: CRTCs, 1 to %VDISPLAY_MAX_CRTCS
 * @num_planes: planes, up to %VDISPLAY_MAX_PLANES
 * @num_connectors: virtual connectors, up to %VDISPLAY_MAX_CONNECTORS
 * @writeback: per CRTC, whether it has a writeback connector
 * @planes: per plane, its &enum drm_plane_type and the mask of the CRTCs
 *	    (by index) it may be used on
 * @connectors: per connector, the mask of its CRTCs and its initial
 *		&enum drm_connector_status
 *
 * Planes are created in this order, so the default zpos of a plane is its
 * index; each CRTC takes the primary and cursor planes whose mask is that
 * CRTC alone.
 */
struct vdisplay_topology {
	unsigned int num_crtcs;
	unsigned int num_planes;
	unsigned int num_connectors;
	bool writeback[VDISPLAY_MAX_CRTCS];
	struct {
		u32 type;
		u32 possible_crtcs;
	} planes[VDISPLAY_MAX_PLANES];
	struct {
		u32 possible_crtcs;
		u32 status;
	} connectors[VDISPLAY_MAX_CONNECTORS];
};

int vdisplay_topology_check(const struct vdisplay_topology *t);
int vdisplay_topology_default(struct vdisplay_topology *t, unsigned int crtcs,
			      unsigned int overlays, bool cursor,
			      bool writeback);
int vdisplay_topology_plane(const struct vdisplay_topology *t,
			    unsigned int crtc, u32 type);

#endif /* __VDISPLAY_CONFIG_H__ */
