/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vdisplay configfs: the objects of a device's directory, shared by
 * vdisplay_configfs.c (devices) and vdisplay_configfs_items.c (planes,
 * CRTCs, connectors).
 */
#ifndef __VDISPLAY_CONFIGFS_H__
#define __VDISPLAY_CONFIGFS_H__

#include <linux/configfs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "vdisplay_config.h"

struct vdisplay_device;

/**
 * struct vdisplay_cfs_device - a device's directory
 * @group: the directory
 * @planes: planes/
 * @crtcs: crtcs/
 * @connectors: connectors/
 * @lock: protects everything below and in the children's directories
 * @plane_list: planes, in creation order
 * @crtc_list: CRTCs, in creation order
 * @connector_list: connectors, in creation order
 * @num_planes: entries of @plane_list
 * @num_crtcs: entries of @crtc_list
 * @num_connectors: entries of @connector_list
 * @vd: the device while enabled, else NULL
 * @id: its platform device's instance number
 */
struct vdisplay_cfs_device {
	struct config_group group;
	struct config_group planes;
	struct config_group crtcs;
	struct config_group connectors;
	struct mutex lock; /* see above */
	struct list_head plane_list;
	struct list_head crtc_list;
	struct list_head connector_list;
	unsigned int num_planes;
	unsigned int num_crtcs;
	unsigned int num_connectors;
	struct vdisplay_device *vd;
	int id;
};

/* A CRTC's directory; @index is its number while the device is enabled. */
struct vdisplay_cfs_crtc {
	struct config_group group;
	struct vdisplay_cfs_device *dev;
	struct list_head link;
	bool writeback;
	unsigned int index;
};

/* possible_crtcs/ of a plane or connector: the CRTCs linked there. */
struct vdisplay_cfs_links {
	struct config_group group;
	struct vdisplay_cfs_device *dev;
	struct vdisplay_cfs_crtc *crtcs[VDISPLAY_MAX_CRTCS];
};

struct vdisplay_cfs_plane {
	struct config_group group;
	struct vdisplay_cfs_links possible;
	struct vdisplay_cfs_device *dev;
	struct list_head link;
	u32 type;
};

/* A connector's directory; @index as for CRTCs. */
struct vdisplay_cfs_connector {
	struct config_group group;
	struct vdisplay_cfs_links possible;
	struct vdisplay_cfs_device *dev;
	struct list_head link;
	u32 status;
	unsigned int index;
};

static inline struct vdisplay_cfs_device *to_cfs_device(struct config_item *item)
{
	return container_of(to_config_group(item), struct vdisplay_cfs_device,
			    group);
}

static inline struct vdisplay_cfs_crtc *to_cfs_crtc(struct config_item *item)
{
	return container_of(to_config_group(item), struct vdisplay_cfs_crtc,
			    group);
}

static inline struct vdisplay_cfs_plane *to_cfs_plane(struct config_item *item)
{
	return container_of(to_config_group(item), struct vdisplay_cfs_plane,
			    group);
}

static inline struct vdisplay_cfs_connector *to_cfs_connector(struct config_item *item)
{
	return container_of(to_config_group(item),
			    struct vdisplay_cfs_connector, group);
}

static inline struct vdisplay_cfs_links *to_cfs_links(struct config_item *item)
{
	return container_of(to_config_group(item), struct vdisplay_cfs_links,
			    group);
}

/* vdisplay_configfs_items.c: the groups planes/, crtcs/, connectors/. */
extern const struct config_item_type vdisplay_cfs_planes_type;
extern const struct config_item_type vdisplay_cfs_crtcs_type;
extern const struct config_item_type vdisplay_cfs_connectors_type;
u32 vdisplay_cfs_links_mask(const struct vdisplay_cfs_links *links);

#endif /* __VDISPLAY_CONFIGFS_H__ */
