// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vrender buffers: the hooks that plug primegem into the DRM driver, and the
 * GEM_INFO ioctl.
 */

#include <linux/build_bug.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/mm.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>

#include <uapi/drm/vrender_drm.h>

#include "vrender_drv.h"

int vrender_dumb_create(struct drm_file *file, struct drm_device *drm,
			struct drm_mode_create_dumb *args)
{
	return primegem_dumb_create(&to_vrender(drm)->pg, file, args);
}

struct drm_gem_object *vrender_gem_prime_import(struct drm_device *drm,
						struct dma_buf *dma_buf)
{
	return primegem_prime_import(&to_vrender(drm)->pg, dma_buf);
}

static int vrender_engine_debugfs_show(struct seq_file *m, void *data)
{
	vrender_engine_show(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vrender_engine_debugfs);

static int vrender_fences_debugfs_show(struct seq_file *m, void *data)
{
	struct vrender_device *vdev = m->private;

	seq_printf(m, "timers=%d\n", atomic_read(&vdev->fence_timers));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vrender_fences_debugfs);

void vrender_debugfs_init(struct drm_minor *minor)
{
	struct vrender_device *vdev = to_vrender(minor->dev);

	primegem_debugfs_init(&vdev->pg, minor->debugfs_root);
	debugfs_create_file("vrender_engine", 0444, minor->debugfs_root,
			    &vdev->engine, &vrender_engine_debugfs_fops);
	debugfs_create_file("vrender_fences", 0444, minor->debugfs_root,
			    vdev, &vrender_fences_debugfs_fops);
	vrender_timeouts_debugfs_init(vdev, minor->debugfs_root);
}

int vrender_gem_info_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct drm_vrender_gem_info *args = data;
	struct drm_gem_object *obj;

	if (args->pad)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	args->size = obj->size;
	args->id = to_primegem(obj)->id;
	drm_gem_object_put(obj);
	return 0;
}

/* The UAPI creation flags and primegem's are the same bits. */
static_assert(VRENDER_GEM_CREATE_TRACK_CPU == PRIMEGEM_CREATE_TRACK_CPU);
static_assert(VRENDER_GEM_CREATE_STRICT == PRIMEGEM_CREATE_STRICT_CPU);

int vrender_gem_create_ioctl(struct drm_device *drm, void *data,
			     struct drm_file *file)
{
	struct drm_vrender_gem_create *args = data;
	u64 size = PAGE_ALIGN(args->size);
	int ret;

	if (!size || size > SIZE_MAX)
		return -EINVAL;

	ret = primegem_create_with_handle(&to_vrender(drm)->pg, file, size,
					  args->flags, &args->handle);
	if (!ret)
		args->size = size;
	return ret;
}
