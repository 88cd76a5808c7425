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
 * until it is enabled again). A connector's status can be written at any
 * time: on an enabled device it is a hotplug (see "DOC: output"). Removing
 * the device's directory (once its children are gone) removes the device.
 * configfs holds a module reference while directories exist.
 */

static DEFINE_IDA(vdisplay_cfs_ida);

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

static struct vdisplay_cfs_device *to_cfs_device(struct config_item *item)
{
	return container_of(to_config_group(item), struct vdisplay_cfs_device,
			    group);
}

static struct vdisplay_cfs_crtc *to_cfs_crtc(struct config_item *item)
{
	return container_of(to_config_group(item), struct vdisplay_cfs_crtc,
			    group);
}

static struct vdisplay_cfs_plane *to_cfs_plane(struct config_item *item)
{
	return container_of(to_config_group(item), struct vdisplay_cfs_plane,
			    group);
}

static struct vdisplay_cfs_connector *to_cfs_connector(struct config_item *item)
{
	return container_of(to_config_group(item),
			    struct vdisplay_cfs_connector, group);
}

static struct vdisplay_cfs_links *to_cfs_links(struct config_item *item)
{
	return container_of(to_config_group(item), struct vdisplay_cfs_links,
			    group);
}

/* --- possible_crtcs/ ---------------------------------------------------- */

static const struct config_item_type vdisplay_cfs_crtc_type;

static int vdisplay_cfs_allow_link(struct config_item *src,
				   struct config_item *target)
{
	struct vdisplay_cfs_links *links = to_cfs_links(src);
	struct vdisplay_cfs_crtc *crtc;
	unsigned int i;
	int ret = -ENOSPC;

	if (target->ci_type != &vdisplay_cfs_crtc_type)
		return -EINVAL;
	crtc = to_cfs_crtc(target);
	if (crtc->dev != links->dev)
		return -EINVAL;

	mutex_lock(&links->dev->lock);
	if (links->dev->vd) {
		ret = -EBUSY;
		goto out_unlock;
	}
	for (i = 0; i < ARRAY_SIZE(links->crtcs); i++) {
		if (!links->crtcs[i]) {
			links->crtcs[i] = crtc;
			ret = 0;
			break;
		}
	}
out_unlock:
	mutex_unlock(&links->dev->lock);
	return ret;
}

static void vdisplay_cfs_drop_link(struct config_item *src,
				   struct config_item *target)
{
	struct vdisplay_cfs_links *links = to_cfs_links(src);
	unsigned int i;

	mutex_lock(&links->dev->lock);
	for (i = 0; i < ARRAY_SIZE(links->crtcs); i++)
		if (links->crtcs[i] == to_cfs_crtc(target))
			links->crtcs[i] = NULL;
	mutex_unlock(&links->dev->lock);
}

static struct configfs_item_operations vdisplay_cfs_links_ops = {
	.allow_link = vdisplay_cfs_allow_link,
	.drop_link = vdisplay_cfs_drop_link,
};

static const struct config_item_type vdisplay_cfs_links_type = {
	.ct_item_ops = &vdisplay_cfs_links_ops,
	.ct_owner = THIS_MODULE,
};

static void vdisplay_cfs_links_init(struct vdisplay_cfs_links *links,
				    struct vdisplay_cfs_device *dev,
				    struct config_group *parent)
{
	links->dev = dev;
	config_group_init_type_name(&links->group, "possible_crtcs",
				    &vdisplay_cfs_links_type);
	configfs_add_default_group(&links->group, parent);
}

/* The CRTC mask of @links; dev->lock held, CRTCs numbered. */
static u32 vdisplay_cfs_links_mask(const struct vdisplay_cfs_links *links)
{
	unsigned int i;
	u32 mask = 0;

	for (i = 0; i < ARRAY_SIZE(links->crtcs); i++)
		if (links->crtcs[i])
			mask |= BIT(links->crtcs[i]->index);
	return mask;
}

/* --- attributes ----------------------------------------------------------- */

/* Parse a value for a topology attribute; dev->lock held on success. */
static int vdisplay_cfs_parse(struct vdisplay_cfs_device *dev,
			      const char *page, u32 max, u32 *val)
{
	int ret = kstrtou32(page, 0, val);

	if (ret)
		return ret;
	if (*val > max)
		return -EINVAL;
	mutex_lock(&dev->lock);
	if (dev->vd) {
		mutex_unlock(&dev->lock);
		return -EBUSY;
	}
	return 0;
}

static ssize_t vdisplay_cfs_plane_type_show(struct config_item *item,
					    char *page)
{
	return sprintf(page, "%u\n", READ_ONCE(to_cfs_plane(item)->type));
}

static ssize_t vdisplay_cfs_plane_type_store(struct config_item *item,
					     const char *page, size_t count)
{
	struct vdisplay_cfs_plane *plane = to_cfs_plane(item);
	u32 type;
	int ret;

	ret = vdisplay_cfs_parse(plane->dev, page, DRM_PLANE_TYPE_CURSOR,
				 &type);
	if (ret)
		return ret;
	WRITE_ONCE(plane->type, type);
	mutex_unlock(&plane->dev->lock);
	return count;
}

CONFIGFS_ATTR(vdisplay_cfs_plane_, type);

static ssize_t vdisplay_cfs_crtc_writeback_show(struct config_item *item,
						char *page)
{
	return sprintf(page, "%d\n", READ_ONCE(to_cfs_crtc(item)->writeback));
}

static ssize_t vdisplay_cfs_crtc_writeback_store(struct config_item *item,
						 const char *page,
						 size_t count)
{
	struct vdisplay_cfs_crtc *crtc = to_cfs_crtc(item);
	u32 on;
	int ret;

	ret = vdisplay_cfs_parse(crtc->dev, page, 1, &on);
	if (ret)
		return ret;
	WRITE_ONCE(crtc->writeback, on);
	mutex_unlock(&crtc->dev->lock);
	return count;
}

CONFIGFS_ATTR(vdisplay_cfs_crtc_, writeback);

static ssize_t vdisplay_cfs_connector_status_show(struct config_item *item,
						  char *page)
{
	return sprintf(page, "%u\n",
		       READ_ONCE(to_cfs_connector(item)->status));
}

static ssize_t vdisplay_cfs_connector_status_store(struct config_item *item,
						   const char *page,
						   size_t count)
{
	struct vdisplay_cfs_connector *conn = to_cfs_connector(item);
	struct vdisplay_cfs_device *dev = conn->dev;
	u32 status;
	int ret;

	ret = kstrtou32(page, 0, &status);
	if (ret)
		return ret;
	if (status != connector_status_connected &&
	    status != connector_status_disconnected &&
	    status != connector_status_unknown)
		return -EINVAL;

	mutex_lock(&dev->lock);
	WRITE_ONCE(conn->status, status);
	if (dev->vd)
		vdisplay_connector_set_status(dev->vd, conn->index, status);
	mutex_unlock(&dev->lock);
	return count;
}

CONFIGFS_ATTR(vdisplay_cfs_connector_, status);

/* --- planes, CRTCs, connectors -------------------------------------------- */

static void vdisplay_cfs_plane_release(struct config_item *item)
{
	kfree(to_cfs_plane(item));
}

static void vdisplay_cfs_crtc_release(struct config_item *item)
{
	kfree(to_cfs_crtc(item));
}

static void vdisplay_cfs_connector_release(struct config_item *item)
{
	kfree(to_cfs_connector(item));
}

static struct configfs_attribute *vdisplay_cfs_plane_attrs[] = {
	&vdisplay_cfs_plane_attr_type,
	NULL,
};

static struct configfs_item_operations vdisplay_cfs_plane_ops = {
	.release = vdisplay_cfs_plane_release,
};

static const struct config_item_type vdisplay_cfs_plane_type = {
	.ct_item_ops = &vdisplay_cfs_plane_ops,
	.ct_attrs = vdisplay_cfs_plane_attrs,
	.ct_owner = THIS_MODULE,
};

static struct configfs_attribute *vdisplay_cfs_crtc_attrs[] = {
	&vdisplay_cfs_crtc_attr_writeback,
	NULL,
};

static struct configfs_item_operations vdisplay_cfs_crtc_ops = {
	.release = vdisplay_cfs_crtc_release,
};

static const struct config_item_type vdisplay_cfs_crtc_type = {
	.ct_item_ops = &vdisplay_cfs_crtc_ops,
	.ct_attrs = vdisplay_cfs_crtc_attrs,
	.ct_owner = THIS_MODULE,
};

static struct configfs_attribute *vdisplay_cfs_connector_attrs[] = {
	&vdisplay_cfs_connector_attr_status,
	NULL,
};

static struct configfs_item_operations vdisplay_cfs_connector_ops = {
	.release = vdisplay_cfs_connector_release,
};

static const struct config_item_type vdisplay_cfs_connector_type = {
	.ct_item_ops = &vdisplay_cfs_connector_ops,
	.ct_attrs = vdisplay_cfs_connector_attrs,
	.ct_owner = THIS_MODULE,
};

/*
 * Make room for a child; dev->lock held on success. -EBUSY while the
 * device is enabled, -ENOSPC at @max children.
 */
static int vdisplay_cfs_add(struct vdisplay_cfs_device *dev,
			    unsigned int *count, unsigned int max)
{
	mutex_lock(&dev->lock);
	if (dev->vd || *count >= max) {
		int ret = dev->vd ? -EBUSY : -ENOSPC;

		mutex_unlock(&dev->lock);
		return ret;
	}
	(*count)++;
	return 0;
}

static struct config_group *vdisplay_cfs_make_plane(struct config_group *group,
						    const char *name)
{
	struct vdisplay_cfs_device *dev =
		container_of(group, struct vdisplay_cfs_device, planes);
	struct vdisplay_cfs_plane *plane;
	int ret;

	plane = kzalloc(sizeof(*plane), GFP_KERNEL);
	if (!plane)
		return ERR_PTR(-ENOMEM);
	ret = vdisplay_cfs_add(dev, &dev->num_planes, VDISPLAY_MAX_PLANES);
	if (ret) {
		kfree(plane);
		return ERR_PTR(ret);
	}
	plane->dev = dev;
	plane->type = DRM_PLANE_TYPE_OVERLAY;
	list_add_tail(&plane->link, &dev->plane_list);
	mutex_unlock(&dev->lock);

	config_group_init_type_name(&plane->group, name,
				    &vdisplay_cfs_plane_type);
	vdisplay_cfs_links_init(&plane->possible, dev, &plane->group);
	return &plane->group;
}

static void vdisplay_cfs_drop_plane(struct config_group *group,
				    struct config_item *item)
{
	struct vdisplay_cfs_plane *plane = to_cfs_plane(item);

	mutex_lock(&plane->dev->lock);
	list_del(&plane->link);
	plane->dev->num_planes--;
	mutex_unlock(&plane->dev->lock);
	config_item_put(item);
}

static struct config_group *vdisplay_cfs_make_crtc(struct config_group *group,
						   const char *name)
{
	struct vdisplay_cfs_device *dev =
		container_of(group, struct vdisplay_cfs_device, crtcs);
	struct vdisplay_cfs_crtc *crtc;
	int ret;

	crtc = kzalloc(sizeof(*crtc), GFP_KERNEL);
	if (!crtc)
		return ERR_PTR(-ENOMEM);
	ret = vdisplay_cfs_add(dev, &dev->num_crtcs, VDISPLAY_MAX_CRTCS);
	if (ret) {
		kfree(crtc);
		return ERR_PTR(ret);
	}
	crtc->dev = dev;
	list_add_tail(&crtc->link, &dev->crtc_list);
	mutex_unlock(&dev->lock);

	config_group_init_type_name(&crtc->group, name,
				    &vdisplay_cfs_crtc_type);
	return &crtc->group;
}

static void vdisplay_cfs_drop_crtc(struct config_group *group,
				   struct config_item *item)
{
	struct vdisplay_cfs_crtc *crtc = to_cfs_crtc(item);

	mutex_lock(&crtc->dev->lock);
	list_del(&crtc->link);
	crtc->dev->num_crtcs--;
	mutex_unlock(&crtc->dev->lock);
	config_item_put(item);
}

static struct config_group *
vdisplay_cfs_make_connector(struct config_group *group, const char *name)
{
	struct vdisplay_cfs_device *dev =
		container_of(group, struct vdisplay_cfs_device, connectors);
	struct vdisplay_cfs_connector *conn;
	int ret;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return ERR_PTR(-ENOMEM);
	ret = vdisplay_cfs_add(dev, &dev->num_connectors,
			       VDISPLAY_MAX_CONNECTORS);
	if (ret) {
		kfree(conn);
		return ERR_PTR(ret);
	}
	conn->dev = dev;
	conn->status = connector_status_connected;
	list_add_tail(&conn->link, &dev->connector_list);
	mutex_unlock(&dev->lock);

	config_group_init_type_name(&conn->group, name,
				    &vdisplay_cfs_connector_type);
	vdisplay_cfs_links_init(&conn->possible, dev, &conn->group);
	return &conn->group;
}

static void vdisplay_cfs_drop_connector(struct config_group *group,
					struct config_item *item)
{
	struct vdisplay_cfs_connector *conn = to_cfs_connector(item);

	mutex_lock(&conn->dev->lock);
	list_del(&conn->link);
	conn->dev->num_connectors--;
	mutex_unlock(&conn->dev->lock);
	config_item_put(item);
}

static struct configfs_group_operations vdisplay_cfs_planes_ops = {
	.make_group = vdisplay_cfs_make_plane,
	.drop_item = vdisplay_cfs_drop_plane,
};

static struct configfs_group_operations vdisplay_cfs_crtcs_ops = {
	.make_group = vdisplay_cfs_make_crtc,
	.drop_item = vdisplay_cfs_drop_crtc,
};

static struct configfs_group_operations vdisplay_cfs_connectors_ops = {
	.make_group = vdisplay_cfs_make_connector,
	.drop_item = vdisplay_cfs_drop_connector,
};

static const struct config_item_type vdisplay_cfs_planes_type = {
	.ct_group_ops = &vdisplay_cfs_planes_ops,
	.ct_owner = THIS_MODULE,
};

static const struct config_item_type vdisplay_cfs_crtcs_type = {
	.ct_group_ops = &vdisplay_cfs_crtcs_ops,
	.ct_owner = THIS_MODULE,
};

static const struct config_item_type vdisplay_cfs_connectors_type = {
	.ct_group_ops = &vdisplay_cfs_connectors_ops,
	.ct_owner = THIS_MODULE,
};

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
