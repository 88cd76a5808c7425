// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * primegem PRIME: the exporter's dma_buf_ops, CPU-access brackets, import.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_prime.h>

#include "primegem_internal.h"

/**
 * DOC: PRIME
 *
 * Export: primegem dma-bufs use their own &dma_buf_ops. Attachments pin the
 * pages (attach to detach) and their scatterlists are mapped once and cached
 * by the dma-buf core. mmap of the dma-buf fd is served by the GEM fault path
 * (see "mmap routing"). The exporter is not dynamic.
 *
 * CPU-access brackets (DMA_BUF_IOCTL_SYNC): START first waits for the
 * device work that conflicts with the access (then the caches may be
 * synced; the core waits again afterwards), then syncs every mapped
 * attachment for the CPU; END flushes them for the device, unless the
 * bracket was READ-only: the CPU wrote nothing, so there is nothing to
 * flush, and the skip is counted.
 *
 * primegem keeps its own list of mapped attachments
 * (&primegem_object.attachments, under &primegem_object.attach_lock, as the
 * dma-buf heaps do) rather than walking the core's: 6.1's
 * dma_buf_detach() frees an attachment's table without the reservation
 * lock, while it is still on the core's list. An attachment enters the list
 * when map_dma_buf maps it and leaves it when unmap_dma_buf unmaps it, both
 * before the core drops it. Lock order: the reservation lock (held by the
 * core around map/unmap on 6.2+), then attach_lock; brackets take only
 * attach_lock.
 *
 * Import: a primegem dma-buf imported on the device that exported it gives
 * back the same object, so the same handle in a DRM file, as long as it is
 * the object's current dma-buf (see primegem_prime_import()). Any other
 * dma-buf gets a new object holding an attachment to
 * &primegem_device.dma_dev and a reference on the dma-buf; the object
 * shares the dma-buf's reservation object. Its scatterlist is not mapped at
 * import: nothing here needs it.
 */

static struct primegem_object *dmabuf_to_primegem(struct dma_buf *dma_buf)
{
	return to_primegem(dma_buf->priv);
}

/**
 * struct primegem_attachment - an importer's attachment, as primegem sees it
 * @link: entry in &primegem_object.attachments while mapped
 * @dev: the importing device
 * @sgt: the mapped scatterlist, NULL while unmapped
 * @dir: the direction it was mapped for
 */
struct primegem_attachment {
	struct list_head link;
	struct device *dev;
	struct sg_table *sgt;
	enum dma_data_direction dir;
};

static int primegem_dmabuf_attach(struct dma_buf *dma_buf,
				  struct dma_buf_attachment *attach)
{
	struct primegem_attachment *pa;
	int ret;

	pa = kzalloc(sizeof(*pa), GFP_KERNEL);
	if (!pa)
		return -ENOMEM;
	INIT_LIST_HEAD(&pa->link);
	pa->dev = attach->dev;
	attach->priv = pa;
	ret = drm_gem_map_attach(dma_buf, attach);
	if (ret) {
		attach->priv = NULL;
		kfree(pa);
	}
	return ret;
}

static void primegem_dmabuf_detach(struct dma_buf *dma_buf,
				   struct dma_buf_attachment *attach)
{
	/* The core unmapped the attachment before detaching it. */
	drm_gem_map_detach(dma_buf, attach);
	kfree(attach->priv);
	attach->priv = NULL;
}

static struct sg_table *primegem_map_dma_buf(struct dma_buf_attachment *attach,
					     enum dma_data_direction dir)
{
	struct primegem_object *pobj = dmabuf_to_primegem(attach->dmabuf);
	struct primegem_attachment *pa = attach->priv;
	struct sg_table *sgt;

	sgt = drm_gem_map_dma_buf(attach, dir);
	if (IS_ERR(sgt))
		return sgt;
	mutex_lock(&pobj->attach_lock);
	pa->sgt = sgt;
	pa->dir = dir;
	list_add_tail(&pa->link, &pobj->attachments);
	mutex_unlock(&pobj->attach_lock);
	return sgt;
}

static void primegem_unmap_dma_buf(struct dma_buf_attachment *attach,
				   struct sg_table *sgt,
				   enum dma_data_direction dir)
{
	struct primegem_object *pobj = dmabuf_to_primegem(attach->dmabuf);
	struct primegem_attachment *pa = attach->priv;

	mutex_lock(&pobj->attach_lock);
	list_del_init(&pa->link);
	pa->sgt = NULL;
	mutex_unlock(&pobj->attach_lock);
	drm_gem_unmap_dma_buf(attach, sgt, dir);
}

/* Sync every mapped attachment for the CPU or for its device. */
static void primegem_sync_attachments(struct primegem_object *pobj,
				      bool for_cpu)
{
	struct primegem_attachment *pa;

	mutex_lock(&pobj->attach_lock);
	list_for_each_entry(pa, &pobj->attachments, link) {
		if (for_cpu)
			dma_sync_sgtable_for_cpu(pa->dev, pa->sgt, pa->dir);
		else
			dma_sync_sgtable_for_device(pa->dev, pa->sgt, pa->dir);
	}
	mutex_unlock(&pobj->attach_lock);
}

static int primegem_begin_cpu_access(struct dma_buf *dma_buf,
				     enum dma_data_direction dir)
{
	struct primegem_object *pobj = dmabuf_to_primegem(dma_buf);
	bool write = dir != DMA_FROM_DEVICE;
	long wait;
	int ret;

	/*
	 * What may fail (interrupted) comes before what counts the bracket,
	 * and a failure unwinds the counts: a restarted START must not count
	 * twice. The device first, then the caches: syncing for the CPU
	 * while a device still writes would hand the CPU stale lines.
	 * (Not closed: the core waits again after this callback, for fences
	 * added since; if that wait is interrupted, START fails with the
	 * bracket counted, and a restarted START counts it again. The core
	 * offers no hook to unwind; the lease bounds it for strict buffers,
	 * and a tracked buffer stays mapped as if one bracket were open.)
	 */
	wait = dma_resv_wait_timeout(dma_buf->resv, dma_resv_usage_rw(write),
				     true, MAX_SCHEDULE_TIMEOUT);
	if (wait < 0)
		return wait;
	primegem_sync_attachments(pobj, true);
	primegem_track_begin(pobj, write);
	if (primegem_is_strict(pobj)) {
		ret = primegem_cpu_fence_begin(pobj, write);
		if (ret) {
			primegem_track_end(pobj, write);
			return ret;
		}
	}
	primegem_stat_inc(pobj, brackets);
	return 0;
}

static int primegem_end_cpu_access(struct dma_buf *dma_buf,
				   enum dma_data_direction dir)
{
	struct primegem_object *pobj = dmabuf_to_primegem(dma_buf);
	bool write = dir != DMA_FROM_DEVICE;

	/*
	 * Flush first, then take the CPU's access away, then let the devices
	 * go: a job released by the CPU-access fence must see flushed data.
	 * Nothing here fails once a count changed, so a retried END cannot
	 * close someone else's bracket.
	 */
	if (write) {
		primegem_stat_inc(pobj, flushes);
		primegem_sync_attachments(pobj, false);
	} else {
		/* A READ-only bracket: the CPU dirtied nothing. */
		primegem_stat_inc(pobj, flush_skips);
	}
	primegem_track_end(pobj, write);
	if (primegem_is_strict(pobj))
		primegem_cpu_fence_end(pobj, write);
	return 0;
}

const struct dma_buf_ops primegem_dmabuf_ops = {
	.cache_sgt_mapping = true,
	.attach = primegem_dmabuf_attach,
	.detach = primegem_dmabuf_detach,
	.map_dma_buf = primegem_map_dma_buf,
	.unmap_dma_buf = primegem_unmap_dma_buf,
	.release = drm_gem_dmabuf_release,
	.begin_cpu_access = primegem_begin_cpu_access,
	.end_cpu_access = primegem_end_cpu_access,
	.mmap = primegem_dmabuf_mmap,
	.vmap = drm_gem_dmabuf_vmap,
	.vunmap = drm_gem_dmabuf_vunmap,
};

/**
 * primegem_prime_export - &drm_gem_object_funcs.export of primegem objects
 * @obj: the object
 * @flags: file flags of the new dma-buf (O_RDWR, O_CLOEXEC)
 *
 * Returns: the dma-buf or an ERR_PTR.
 */
struct dma_buf *primegem_prime_export(struct drm_gem_object *obj, int flags)
{
	struct dma_buf_export_info exp_info = {
		.exp_name = obj->dev->driver->name,
		.owner = obj->dev->driver->fops->owner,
		.ops = &primegem_dmabuf_ops,
		.size = obj->size,
		.flags = flags,
		.priv = obj,
		.resv = obj->resv,
	};
	int ret;

	/* dma-buf mmaps live at the fake offset too, see "mmap routing". */
	ret = drm_gem_create_mmap_offset(obj);
	if (ret)
		return ERR_PTR(ret);

	return drm_gem_dmabuf_export(obj->dev, &exp_info);
}

static void primegem_import_free(struct drm_gem_object *obj)
{
	struct primegem_object *pobj = to_primegem(obj);

	primegem_unregister(pobj);
	drm_prime_gem_destroy(obj, NULL);
	drm_gem_object_release(obj);
	kfree(pobj);
}

static int primegem_import_vmap(struct drm_gem_object *obj,
				struct iosys_map *map)
{
	return dma_buf_vmap(obj->import_attach->dmabuf, map);
}

static void primegem_import_vunmap(struct drm_gem_object *obj,
				   struct iosys_map *map)
{
	dma_buf_vunmap(obj->import_attach->dmabuf, map);
}

const struct drm_gem_object_funcs primegem_import_funcs = {
	.free = primegem_import_free,
	.vmap = primegem_import_vmap,
	.vunmap = primegem_import_vunmap,
	.mmap = primegem_import_mmap,
};

static struct drm_gem_object *
primegem_import_foreign(struct primegem_device *pdev, struct dma_buf *dma_buf)
{
	struct dma_buf_attachment *attach;
	struct primegem_object *pobj;
	int ret;

	attach = dma_buf_attach(dma_buf, pdev->dma_dev);
	if (IS_ERR(attach))
		return ERR_CAST(attach);

	pobj = kzalloc(sizeof(*pobj), GFP_KERNEL);
	if (!pobj) {
		ret = -ENOMEM;
		goto err_detach;
	}

	pobj->base.funcs = &primegem_import_funcs;
	pobj->base.resv = dma_buf->resv;
	drm_gem_private_object_init(pdev->drm, &pobj->base, dma_buf->size);
	pobj->base.import_attach = attach;
	get_dma_buf(dma_buf);
	primegem_object_setup(pdev, pobj);
	return &pobj->base;

err_detach:
	dma_buf_detach(dma_buf, attach);
	return ERR_PTR(ret);
}

/*
 * A dma-buf the device exported is its object's current one, or none is:
 * the core forgets &drm_gem_object.dma_buf when the last handle goes, and
 * the object may be exported again later (a framebuffer keeps it alive, and
 * GETFB2 gives a new handle), so an older dma-buf can outlive its place.
 */
static bool primegem_is_current_export(struct primegem_device *pdev,
				       struct dma_buf *dma_buf)
{
	struct drm_gem_object *obj = dma_buf->priv;

	if (dma_buf->ops != &primegem_dmabuf_ops || obj->dev != pdev->drm)
		return false;
	/*
	 * A handle to the object itself maps it writable (MAP_DUMB), whatever
	 * the dma-buf grants: a read-only export comes in as an import, whose
	 * mappings go through the dma-buf and its access check.
	 */
	if (!(dma_buf->file->f_mode & FMODE_WRITE))
		return false;
	return !obj->dma_buf || obj->dma_buf == dma_buf;
}

/**
 * primegem_prime_import - &drm_driver.gem_prime_import for primegem
 * @pdev: the importing device
 * @dma_buf: the dma-buf to import
 *
 * Call with &drm_device.object_name_lock held, as
 * drm_gem_prime_fd_to_handle() does: it protects &drm_gem_object.dma_buf.
 *
 * A writable dma-buf the device exported gives back its object, so that the
 * core's &drm_gem_object.dma_buf stays the object's one dma-buf; a
 * read-only one (a handle to the object would map it writable), an older
 * dma-buf of an object exported again since, and any other dma-buf, are
 * imported: a new object attached to the dma-buf, whose mappings reach the
 * same pages through the dma-buf.
 *
 * Returns: a reference to the object, or an ERR_PTR.
 */
struct drm_gem_object *primegem_prime_import(struct primegem_device *pdev,
					     struct dma_buf *dma_buf)
{
	struct drm_gem_object *obj = dma_buf->priv;

	if (primegem_is_current_export(pdev, dma_buf)) {
		drm_gem_object_get(obj);
		return obj;
	}
	return primegem_import_foreign(pdev, dma_buf);
}
EXPORT_SYMBOL_GPL(primegem_prime_import);
