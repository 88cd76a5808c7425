// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vrender fences: vgem's FENCE_ATTACH / FENCE_SIGNAL, with vgem's errnos.
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timer.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>

#include <uapi/drm/vrender_drm.h>

#include "vrender_drv.h"

/**
 * DOC: vgem-compatible fences
 *
 * FENCE_ATTACH creates a fence, adds it to a buffer's reservation object as
 * a write (VRENDER_FENCE_WRITE) or read fence, and gives userspace an id,
 * local to the DRM file, to signal it with FENCE_SIGNAL. Until then, anyone
 * honouring implicit sync on the buffer (DMA_BUF_IOCTL_SYNC, poll on the
 * dma-buf, other drivers) waits for it. No fence may stay unsignalled for
 * ever: each one signals itself when its device's fence timeout (read at
 * attach, see "timeouts" in vrender_drv.c) has passed, and closing the file
 * signals its fences.
 * Signalling an expired fence reports -ETIMEDOUT, as vgem does.
 *
 * Lifetime: a fence outlives its file wherever someone holds it (another
 * driver's buffer, a sync_file exported from a dma-buf). Its timer is
 * stopped whenever it is signalled (FENCE_SIGNAL, the file's close), so
 * that nothing of vrender runs for a fence nobody can signal any more, and
 * each fence holds a reference on the module until it is released: its
 * operations are vrender's. The device counts the armed timers (debugfs
 * vrender_fences).
 */

struct vrender_fence {
	struct dma_fence base;
	spinlock_t lock; /* the fence's own lock, for dma_fence */
	struct timer_list timer;
	atomic_t *armed;
};

static const char *vrender_fence_driver_name(struct dma_fence *fence)
{
	return "vrender";
}

static const char *vrender_fence_timeline_name(struct dma_fence *fence)
{
	return "user";
}

static void vrender_fence_stop_timer(struct vrender_fence *fence)
{
	if (timer_delete_sync(&fence->timer))
		atomic_dec(fence->armed);
}

static void vrender_fence_release(struct dma_fence *base)
{
	struct vrender_fence *fence = container_of(base, typeof(*fence), base);

	vrender_fence_stop_timer(fence);
	dma_fence_free(base);
	module_put(THIS_MODULE);
}

static const struct dma_fence_ops vrender_fence_ops = {
	.get_driver_name = vrender_fence_driver_name,
	.get_timeline_name = vrender_fence_timeline_name,
	.release = vrender_fence_release,
};

static void vrender_fence_expire(struct timer_list *t)
{
	struct vrender_fence *fence = from_timer(fence, t, timer);

	atomic_dec(fence->armed);
	dma_fence_signal(&fence->base);
}

/* Signal, by FENCE_SIGNAL or the file's close, and stop the timer. */
static void vrender_fence_signal(struct dma_fence *base)
{
	dma_fence_signal(base);
	vrender_fence_stop_timer(container_of(base, struct vrender_fence,
					      base));
}

static struct dma_fence *vrender_fence_create(struct vrender_device *vdev)
{
	atomic_t *armed = &vdev->fence_timers;
	struct vrender_fence *fence;

	fence = kzalloc(sizeof(*fence), GFP_KERNEL_ACCOUNT);
	if (!fence)
		return NULL;

	__module_get(THIS_MODULE);
	spin_lock_init(&fence->lock);
	dma_fence_init(&fence->base, &vrender_fence_ops, &fence->lock,
		       dma_fence_context_alloc(1), 1);
	fence->armed = armed;
	timer_setup(&fence->timer, vrender_fence_expire, TIMER_IRQSAFE);
	atomic_inc(armed);
	mod_timer(&fence->timer,
		  jiffies + msecs_to_jiffies(READ_ONCE(vdev->fence_timeout_ms)));
	return &fence->base;
}

static int vrender_fence_add(struct dma_resv *resv, struct dma_fence *fence,
			     bool write)
{
	int ret;

	ret = dma_resv_lock_interruptible(resv, NULL);
	if (ret)
		return ret;

	/* A conflicting fence still pending: vgem says -EBUSY. */
	if (!dma_resv_test_signaled(resv, dma_resv_usage_rw(write))) {
		ret = -EBUSY;
		goto out_unlock;
	}

	ret = vrender_resv_has_room(resv);
	if (!ret)
		ret = dma_resv_reserve_fences(resv, 1);
	if (!ret)
		dma_resv_add_fence(resv, fence, write ? DMA_RESV_USAGE_WRITE :
					DMA_RESV_USAGE_READ);
out_unlock:
	dma_resv_unlock(resv);
	return ret;
}

int vrender_fence_attach_ioctl(struct drm_device *drm, void *data,
			       struct drm_file *file)
{
	struct drm_vrender_fence_attach *args = data;
	struct vrender_file *vfile = file->driver_priv;
	bool write = args->flags & VRENDER_FENCE_WRITE;
	struct drm_gem_object *obj;
	struct dma_fence *fence;
	int ret = 0;

	if (args->flags & ~VRENDER_FENCE_WRITE || args->pad)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	/* Reserve the file's slot first: see "limits" in vrender_client.c. */
	mutex_lock(&vfile->fence_lock);
	if (vfile->num_fences >= VRENDER_MAX_FENCES)
		ret = -ENOSPC;
	else
		vfile->num_fences++;
	mutex_unlock(&vfile->fence_lock);
	if (ret)
		goto out_put_obj;

	fence = vrender_fence_create(to_vrender(drm));
	if (!fence) {
		ret = -ENOMEM;
		goto out_unreserve;
	}

	ret = vrender_fence_add(obj->resv, fence, write);
	if (ret)
		goto out_signal;

	mutex_lock(&vfile->fence_lock);
	ret = idr_alloc(&vfile->fences, fence, 1, 0, GFP_KERNEL);
	mutex_unlock(&vfile->fence_lock);
	if (ret > 0) {
		args->out_fence = ret;
		ret = 0;
		goto out_put_obj;
	}

out_signal:
	/* Never leave an unsignalled fence behind. */
	vrender_fence_signal(fence);
	dma_fence_put(fence);
out_unreserve:
	mutex_lock(&vfile->fence_lock);
	vfile->num_fences--;
	mutex_unlock(&vfile->fence_lock);
out_put_obj:
	drm_gem_object_put(obj);
	return ret;
}

int vrender_fence_signal_ioctl(struct drm_device *drm, void *data,
			       struct drm_file *file)
{
	struct drm_vrender_fence_signal *args = data;
	struct vrender_file *vfile = file->driver_priv;
	struct dma_fence *fence;
	int ret = 0;

	if (args->flags)
		return -EINVAL;

	mutex_lock(&vfile->fence_lock);
	fence = idr_remove(&vfile->fences, args->fence);
	if (fence)
		vfile->num_fences--;
	mutex_unlock(&vfile->fence_lock);
	if (!fence)
		return -ENOENT;

	if (dma_fence_is_signaled(fence))
		ret = -ETIMEDOUT;

	vrender_fence_signal(fence);
	dma_fence_put(fence);
	return ret;
}

void vrender_fence_file_init(struct vrender_file *vfile)
{
	mutex_init(&vfile->fence_lock);
	idr_init_base(&vfile->fences, 1);
}

void vrender_fence_file_fini(struct vrender_file *vfile)
{
	struct dma_fence *fence;
	int id;

	/* Held elsewhere they live on, but nothing is left to signal them. */
	idr_for_each_entry(&vfile->fences, fence, id) {
		vrender_fence_signal(fence);
		dma_fence_put(fence);
	}
	idr_destroy(&vfile->fences);
	mutex_destroy(&vfile->fence_lock);
}
