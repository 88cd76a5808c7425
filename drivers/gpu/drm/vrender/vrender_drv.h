/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef __VRENDER_DRV_H__
#define __VRENDER_DRV_H__

#include <linux/idr.h>
#include <linux/mutex.h>

#include <drm/drm_device.h>
#include <drm/primegem.h>

#include "vrender_engine.h"

struct drm_file;
struct dma_buf;
struct dentry;
struct platform_device;

/**
 * struct vrender_device - one virtual render device
 * @drm: the DRM device
 * @pg: primegem state
 * @platform: the platform device "vrender.<index>" the DRM device hangs on
 * @engine: the job engine
 */
struct vrender_device {
	struct drm_device drm;
	struct primegem_device pg;
	struct vrender_engine engine;
	struct platform_device *platform;
};

static inline struct vrender_device *to_vrender(struct drm_device *drm)
{
	return container_of(drm, struct vrender_device, drm);
}

/**
 * struct vrender_file - per-open-file state
 * @fence_lock: protects @fences
 * @fences: fences from FENCE_ATTACH, by id, until signalled
 */
struct vrender_file {
	struct mutex fence_lock; /* protects @fences */
	struct idr fences;
};

extern unsigned int vrender_fence_timeout_ms;

/* vrender_gem.c: one-line hooks from drm_driver into primegem. */
int vrender_dumb_create(struct drm_file *file, struct drm_device *drm,
			struct drm_mode_create_dumb *args);
struct drm_gem_object *vrender_gem_prime_import(struct drm_device *drm,
						struct dma_buf *dma_buf);
void vrender_debugfs_init(struct drm_minor *minor);
int vrender_gem_info_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file);
int vrender_gem_create_ioctl(struct drm_device *drm, void *data,
			     struct drm_file *file);

/* vrender_submit.c */
int vrender_submit_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file);

/* vrender_fence.c: vgem-compatible fences. */
void vrender_fence_file_init(struct vrender_file *vfile);
void vrender_fence_file_fini(struct vrender_file *vfile);
int vrender_fence_attach_ioctl(struct drm_device *drm, void *data,
			       struct drm_file *file);
int vrender_fence_signal_ioctl(struct drm_device *drm, void *data,
			       struct drm_file *file);

#endif /* __VRENDER_DRV_H__ */
