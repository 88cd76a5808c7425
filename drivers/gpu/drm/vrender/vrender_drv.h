/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef __VRENDER_DRV_H__
#define __VRENDER_DRV_H__

#include <linux/atomic.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <drm/drm_device.h>
#include <drm/gpu_scheduler.h>
#include <drm/primegem.h>

#include "vrender_engine.h"

struct drm_file;
struct dma_buf;
struct dma_resv;
struct dentry;
struct platform_device;

/**
 * struct vrender_device - one virtual render device
 * @drm: the DRM device
 * @pg: primegem state
 * @platform: the platform device "vrender.<index>" the DRM device hangs on
 * @engine: the job engine
 * @fence_timers: FENCE_ATTACH fences whose expiry timer is armed
 * @fence_timeout_ms: FENCE_ATTACH fences signal by themselves after this;
 *	debugfs ``vrender_fence_timeout_ms``
 */
struct vrender_device {
	struct drm_device drm;
	struct primegem_device pg;
	struct vrender_engine engine;
	struct platform_device *platform;
	atomic_t fence_timers;
	unsigned int fence_timeout_ms;
};

/* Bounds of the per-device timeouts, see "timeouts" in vrender_drv.c. */
#define VRENDER_MIN_TIMEOUT_MS	1
#define VRENDER_MAX_TIMEOUT_MS	600000

static inline struct vrender_device *to_vrender(struct drm_device *drm)
{
	return container_of(drm, struct vrender_device, drm);
}

/**
 * struct vrender_client - what a DRM file's jobs account to
 * @ref: the file holds one reference, each job another until it is freed,
 *	so the jobs may outlive the file
 * @jobs: jobs submitted and not yet signalled
 * @wait: woken when a job of the client signals
 * @submit_lock: arming and pushing a job happen under it, so that the
 *	entity receives its jobs in the order of their fences
 * @entity: the file's queue in the device's scheduler
 * @engine: the device's engine
 * @release: finishes @entity once the last reference is gone
 */
struct vrender_client {
	struct kref ref;
	atomic_t jobs;
	wait_queue_head_t wait;
	struct mutex submit_lock; /* see above */
	struct drm_sched_entity entity;
	struct vrender_engine *engine;
	struct work_struct release;
};

/**
 * struct vrender_file - per-open-file state
 * @fence_lock: protects @fences and @num_fences
 * @fences: fences from FENCE_ATTACH, by id, until signalled
 * @num_fences: entries in @fences
 * @client: the file's job accounting
 */
struct vrender_file {
	struct mutex fence_lock; /* see above */
	struct idr fences;
	unsigned int num_fences;
	struct vrender_client *client;
};

struct vrender_client *vrender_client_create(struct vrender_engine *engine);
void vrender_client_put(struct vrender_client *client);
int vrender_client_reserve_job(struct vrender_client *client);
void vrender_client_job_done(struct vrender_client *client);
int vrender_resv_has_room(struct dma_resv *resv);

void vrender_timeouts_debugfs_init(struct vrender_device *vdev,
				   struct dentry *root);

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
