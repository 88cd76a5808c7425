// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay configfs: devices of any topology, made at run time, and
 * connector hotplug.
 */

#include <linux/configfs.h>
#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include <drm/drm_connector.h>
#include <drm/drm_plane.h>

#include "vdisplay_configfs.h"
#include "vdisplay_drv.h"

/**
 * DOC: configfs
 *
 * With configfs mounted (``mount -t configfs none /sys/kernel/config``),
 * /sys/kernel/config/vdisplay/ makes devices as vkms's configfs does::
 *
 *   mkdir vdisplay/dev                      a device, disabled
 *   mkdir vdisplay/dev/crtcs/c0             a CRTC; c0/writeback: 0 or 1
 *   mkdir vdisplay/dev/planes/p0            a plane; p0/type: 0 overlay
 *                                           (default), 1 primary, 2 cursor
 *   ln -s ../../../crtcs/c0 vdisplay/dev/planes/p0/possible_crtcs
 *   mkdir vdisplay/dev/connectors/hdmi      a connector (with its encoder);
 *                                           hdmi/status: 1 connected
 *                                           (default), 2 disconnected,
 *                                           3 unknown
 *   ln -s ../../../crtcs/c0 vdisplay/dev/connectors/hdmi/possible_crtcs
 *   echo 1 > vdisplay/dev/enabled           create the DRM device
 *   cat vdisplay/dev/device                 its platform device, vdisplay.N
 *
 * Planes are created in the order of their directories' creation, so that
 * is their default zpos; CRTCs are numbered in that order too. Writing 1 to
 * "enabled" checks the topology (see "DOC: topology"; -EINVAL if it breaks
 * a rule) and creates the device; 0 removes it (open files keep the DRM
 * device until closed). At most %VDISPLAY_MAX_CRTCS CRTCs,
 * %VDISPLAY_MAX_PLANES planes and %VDISPLAY_MAX_CONNECTORS connectors
 * per device (mkdir fails with -ENOSPC).
 *
 * While the device is enabled its topology is fixed: mkdir, new links and
 * writes to type and writeback fail with -EBUSY (rmdir and unlink cannot
 * be refused by configfs; they change the description, not the device,
 * until it is enabled again). A plane or connector links to a CRTC once
 * (-EEXIST). A connector's status can be written at any
 * time: on an enabled device it is a hotplug (see "DOC: output"). Removing
 * the device's directory (once its children are gone) removes the device.
 * configfs holds a module reference while directories exist.
 */

static DEFINE_IDA(vdisplay_cfs_ida);

/* --- devices -------------------------------------------------------------- */

/* The topology of the directories, CRTCs and connectors numbered. */
static int vdisplay_cfs_topology(struct vdisplay_cfs_device *dev,
				 struct vdisplay_topology *t)
{
	struct vdisplay_cfs_connector *conn;
	struct vdisplay_cfs_plane *plane;
	struct vdisplay_cfs_crtc *crtc;

	list_for_each_entry(crtc, &dev->crtc_list, link) {
		crtc->index = t->num_crtcs;
		t->writeback[t->num_crtcs++] = crtc->writeback;
	}
	list_for_each_entry(plane, &dev->plane_list, link) {
		t->planes[t->num_planes].type = plane->type;
		t->planes[t->num_planes++].possible_crtcs =
			vdisplay_cfs_links_mask(&plane->possible);
	}
	list_for_each_entry(conn, &dev->connector_list, link) {
		conn->index = t->num_connectors;
		t->connectors[t->num_connectors].status = conn->status;
		t->connectors[t->num_connectors++].possible_crtcs =
			vdisplay_cfs_links_mask(&conn->possible);
	}
	return vdisplay_topology_check(t);
}

/* Create the device; dev->lock held. */
static int vdisplay_cfs_enable(struct vdisplay_cfs_device *dev)
{
	struct vdisplay_topology *t;
	struct vdisplay_device *vd;
	int id, ret;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	ret = vdisplay_cfs_topology(dev, t);
	if (ret)
		goto out_free;

	id = ida_alloc_min(&vdisplay_cfs_ida, 1, GFP_KERNEL);
	if (id < 0) {
		ret = id;
		goto out_free;
	}
	vd = vdisplay_device_create(id, t);
	if (IS_ERR(vd)) {
		ida_free(&vdisplay_cfs_ida, id);
		ret = PTR_ERR(vd);
		goto out_free;
	}
	dev->vd = vd;
	dev->id = id;
out_free:
	kfree(t);
	return ret;
}

/* Remove the device; dev->lock held. */
static void vdisplay_cfs_disable(struct vdisplay_cfs_device *dev)
{
	if (!dev->vd)
		return;
	vdisplay_device_destroy(dev->vd);
	ida_free(&vdisplay_cfs_ida, dev->id);
	dev->vd = NULL;
}

static ssize_t vdisplay_cfs_device_enabled_show(struct config_item *item,
						char *page)
{
	struct vdisplay_cfs_device *dev = to_cfs_device(item);
	bool on;

	mutex_lock(&dev->lock);
	on = dev->vd;
	mutex_unlock(&dev->lock);
	return sprintf(page, "%d\n", on);
}

static ssize_t vdisplay_cfs_device_enabled_store(struct config_item *item,
						 const char *page,
						 size_t count)
{
	struct vdisplay_cfs_device *dev = to_cfs_device(item);
	bool on;
	int ret;

	ret = kstrtobool(page, &on);
	if (ret)
		return ret;

	mutex_lock(&dev->lock);
	if (on && !dev->vd)
		ret = vdisplay_cfs_enable(dev);
	else if (!on)
		vdisplay_cfs_disable(dev);
	mutex_unlock(&dev->lock);
	return ret ? ret : count;
}

CONFIGFS_ATTR(vdisplay_cfs_device_, enabled);

static ssize_t vdisplay_cfs_device_device_show(struct config_item *item,
					       char *page)
{
	struct vdisplay_cfs_device *dev = to_cfs_device(item);
	ssize_t len;

	mutex_lock(&dev->lock);
	len = dev->vd ? sprintf(page, "vdisplay.%d\n", dev->id) :
			sprintf(page, "\n");
	mutex_unlock(&dev->lock);
	return len;
}

CONFIGFS_ATTR_RO(vdisplay_cfs_device_, device);

static struct configfs_attribute *vdisplay_cfs_device_attrs[] = {
	&vdisplay_cfs_device_attr_enabled,
	&vdisplay_cfs_device_attr_device,
	NULL,
};

static void vdisplay_cfs_device_release(struct config_item *item)
{
	struct vdisplay_cfs_device *dev = to_cfs_device(item);

	mutex_lock(&dev->lock);
	vdisplay_cfs_disable(dev);
	mutex_unlock(&dev->lock);
	mutex_destroy(&dev->lock);
	kfree(dev);
}

static struct configfs_item_operations vdisplay_cfs_device_ops = {
	.release = vdisplay_cfs_device_release,
};

static const struct config_item_type vdisplay_cfs_device_type = {
	.ct_item_ops = &vdisplay_cfs_device_ops,
	.ct_attrs = vdisplay_cfs_device_attrs,
	.ct_owner = THIS_MODULE,
};

static struct config_group *vdisplay_cfs_make_device(struct config_group *group,
						     const char *name)
{
	struct vdisplay_cfs_device *dev;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	mutex_init(&dev->lock);
	INIT_LIST_HEAD(&dev->plane_list);
	INIT_LIST_HEAD(&dev->crtc_list);
	INIT_LIST_HEAD(&dev->connector_list);

	config_group_init_type_name(&dev->group, name,
				    &vdisplay_cfs_device_type);
	config_group_init_type_name(&dev->planes, "planes",
				    &vdisplay_cfs_planes_type);
	configfs_add_default_group(&dev->planes, &dev->group);
	config_group_init_type_name(&dev->crtcs, "crtcs",
				    &vdisplay_cfs_crtcs_type);
	configfs_add_default_group(&dev->crtcs, &dev->group);
	config_group_init_type_name(&dev->connectors, "connectors",
				    &vdisplay_cfs_connectors_type);
	configfs_add_default_group(&dev->connectors, &dev->group);
	return &dev->group;
}

static struct configfs_group_operations vdisplay_cfs_root_ops = {
	.make_group = vdisplay_cfs_make_device,
};

static const struct config_item_type vdisplay_cfs_root_type = {
	.ct_group_ops = &vdisplay_cfs_root_ops,
	.ct_owner = THIS_MODULE,
};

static struct configfs_subsystem vdisplay_cfs_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = "vdisplay",
			.ci_type = &vdisplay_cfs_root_type,
		},
	},
};

/**
 * vdisplay_configfs_register - create /sys/kernel/config/vdisplay
 *
 * Returns: 0 or a negative errno.
 */
int vdisplay_configfs_register(void)
{
	config_group_init(&vdisplay_cfs_subsys.su_group);
	mutex_init(&vdisplay_cfs_subsys.su_mutex);
	return configfs_register_subsystem(&vdisplay_cfs_subsys);
}

/**
 * vdisplay_configfs_unregister - remove /sys/kernel/config/vdisplay
 *
 * Every device directory is gone: each holds a reference on the module.
 */
void vdisplay_configfs_unregister(void)
{
	configfs_unregister_subsystem(&vdisplay_cfs_subsys);
	mutex_destroy(&vdisplay_cfs_subsys.su_mutex);
}
