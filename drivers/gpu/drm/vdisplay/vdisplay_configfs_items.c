// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay configfs: planes, CRTCs and connectors of a device's directory,
 * their attributes and the possible_crtcs links (see "DOC: configfs").
 */

#include <linux/configfs.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include <drm/drm_connector.h>
#include <drm/drm_plane.h>

#include "vdisplay_configfs.h"
#include "vdisplay_drv.h"

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
	/* Once per CRTC: unlinking one of two links would drop both. */
	for (i = 0; i < ARRAY_SIZE(links->crtcs); i++) {
		if (links->crtcs[i] == crtc) {
			ret = -EEXIST;
			goto out_unlock;
		}
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

/**
 * vdisplay_cfs_links_mask - the CRTCs a possible_crtcs directory links to
 * @links: the directory, its device's lock held, CRTCs numbered
 *
 * Returns: the mask of their indices.
 */
u32 vdisplay_cfs_links_mask(const struct vdisplay_cfs_links *links)
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

/* planes/ of a device: mkdir makes one. */
const struct config_item_type vdisplay_cfs_planes_type = {
	.ct_group_ops = &vdisplay_cfs_planes_ops,
	.ct_owner = THIS_MODULE,
};

/* crtcs/ of a device: mkdir makes one. */
const struct config_item_type vdisplay_cfs_crtcs_type = {
	.ct_group_ops = &vdisplay_cfs_crtcs_ops,
	.ct_owner = THIS_MODULE,
};

/* connectors/ of a device: mkdir makes one. */
const struct config_item_type vdisplay_cfs_connectors_type = {
	.ct_group_ops = &vdisplay_cfs_connectors_ops,
	.ct_owner = THIS_MODULE,
};
