// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vrender buffers: the hooks that plug primegem into the DRM driver, and the
 * GEM_INFO ioctl.
 */

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

void vrender_debugfs_init(struct drm_minor *minor)
{
	primegem_debugfs_init(&to_vrender(minor->dev)->pg, minor->debugfs_root);
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
