// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * primegem objects: creation, backing pages, kernel mappings, dumb buffers.
 */

#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/iosys-map.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_mode.h>
#include <drm/drm_prime.h>
#include <drm/drm_vma_manager.h>

#include "primegem_internal.h"

/**
 * DOC: overview
 *
 * primegem gives a DRM driver shmem-backed GEM objects whose PRIME (dma-buf)
 * side is complete: the dma-buf fd can be mmapped at any page offset, CPU
 * access brackets (DMA_BUF_IOCTL_SYNC) know the access direction, and a
 * buffer imported from another device can be mmapped through the importer's
 * GEM interface. A driver embeds a &struct primegem_device, calls
 * primegem_device_init() and plugs the helpers into its &struct drm_driver
 * (dumb_create, dumb_map_offset, gem_prime_import) with one-line hooks.
 *
 * Lifetime: an object lives while anything references it: a GEM handle, a
 * dma-buf (the dma-buf holds a reference on the object and on the DRM
 * device), an attachment of an importer (through its dma-buf reference) or a
 * CPU mapping (each VMA holds an object reference, and its file pins the
 * exporting driver's module). Closing handles and fds therefore never breaks
 * an existing mapping; the object is freed, and its pages released, when the
 * last of them goes.
 *
 * Backing pages are allocated from the object's shmem file on first use and
 * pinned while &primegem_object.pages_use is non-zero. Each of these holds
 * one pin: a CPU mapping (from mmap or VMA open until VMA close), a dma-buf
 * attachment (attach to detach) and a kernel mapping (vmap to vunmap).
 *
 * Locking: the pages, the kernel mapping and their counts are protected by
 * the object's reservation lock, which nests inside mmap_lock (the order
 * upstream establishes for dma_resv). The fault handler takes no lock: the
 * VMA's pin keeps the page array stable. &primegem_device.lock protects the
 * device's object list only and is never held while taking another lock, so
 * debugfs readers never block behind a reservation.
 */

static void primegem_register(struct primegem_device *pdev,
			      struct primegem_object *pobj)
{
	pobj->pdev = pdev;
	mutex_lock(&pdev->lock);
	pobj->id = ++pdev->next_id;
	list_add_tail(&pobj->link, &pdev->objects);
	pdev->num_objects++;
	mutex_unlock(&pdev->lock);
}

/**
 * primegem_unregister - remove an object from its device's list
 * @pobj: the object, about to be freed
 */
void primegem_unregister(struct primegem_object *pobj)
{
	struct primegem_device *pdev = pobj->pdev;

	mutex_lock(&pdev->lock);
	list_del(&pobj->link);
	pdev->num_objects--;
	mutex_unlock(&pdev->lock);
}

/**
 * primegem_object_setup - link a freshly initialised object to its device
 * @pdev: the device
 * @pobj: the object, whose &drm_gem_object is initialised
 */
void primegem_object_setup(struct primegem_device *pdev,
			   struct primegem_object *pobj)
{
	atomic_set(&pobj->mappings, 0);
	mutex_init(&pobj->attach_lock);
	INIT_LIST_HEAD(&pobj->attachments);
	primegem_cpu_fence_init(pobj);
	primegem_track_object_init(pobj);
	primegem_register(pdev, pobj);
}

static void primegem_free(struct drm_gem_object *obj)
{
	struct primegem_object *pobj = to_primegem(obj);

	drm_WARN_ON(obj->dev, pobj->pages_use || pobj->vmap_use);
	primegem_cpu_fence_fini(pobj);
	primegem_unregister(pobj);
	drm_gem_object_release(obj);
	kfree(pobj);
}

/**
 * primegem_get_pages_locked - pin the backing pages, reservation held
 * @pobj: the object, not imported
 *
 * The first pin allocates the pages and charges them to the budgets (see
 * "pinned memory").
 *
 * Returns: 0, -ENOMEM if the pin is over budget, or another negative errno.
 */
int primegem_get_pages_locked(struct primegem_object *pobj)
{
	struct page **pages;
	int ret;

	dma_resv_assert_held(pobj->base.resv);

	if (pobj->pages_use)
		goto out_count;

	ret = primegem_pin_charge(pobj);
	if (ret)
		return ret;
	pages = drm_gem_get_pages(&pobj->base);
	if (IS_ERR(pages)) {
		primegem_pin_uncharge(pobj);
		return PTR_ERR(pages);
	}
	pobj->pages = pages;
out_count:
	pobj->pages_use++;
	return 0;
}

/**
 * primegem_put_pages_locked - drop a pin of the pages, reservation held
 * @pobj: the object
 */
void primegem_put_pages_locked(struct primegem_object *pobj)
{
	dma_resv_assert_held(pobj->base.resv);

	if (drm_WARN_ON(pobj->base.dev, !pobj->pages_use))
		return;
	if (--pobj->pages_use)
		return;

	drm_gem_put_pages(&pobj->base, pobj->pages, true, true);
	pobj->pages = NULL;
	primegem_pin_uncharge(pobj);
}

/**
 * primegem_get_pages - pin the backing pages of an object
 * @pobj: the object, not imported
 *
 * Allocates the pages on first use. Takes the reservation lock.
 *
 * Returns: 0 or a negative errno.
 */
int primegem_get_pages(struct primegem_object *pobj)
{
	int ret;

	ret = dma_resv_lock_interruptible(pobj->base.resv, NULL);
	if (ret)
		return ret;
	ret = primegem_get_pages_locked(pobj);
	dma_resv_unlock(pobj->base.resv);
	return ret;
}
EXPORT_SYMBOL_GPL(primegem_get_pages);

/**
 * primegem_put_pages - drop a pin taken by primegem_get_pages()
 * @pobj: the object
 *
 * The pages go back to shmem with the last pin. Takes the reservation lock.
 */
void primegem_put_pages(struct primegem_object *pobj)
{
	dma_resv_lock(pobj->base.resv, NULL);
	primegem_put_pages_locked(pobj);
	dma_resv_unlock(pobj->base.resv);
}
EXPORT_SYMBOL_GPL(primegem_put_pages);

/*
 * The core calls pin and unpin, vmap and vunmap with the reservation lock
 * held on newer kernels, without it on older ones: see vprime/compat.h.
 */
static int primegem_pin(struct drm_gem_object *obj)
{
	int ret;

	vprime_pin_cb_lock(obj);
	ret = primegem_get_pages_locked(to_primegem(obj));
	vprime_pin_cb_unlock(obj);
	return ret;
}

static void primegem_unpin(struct drm_gem_object *obj)
{
	vprime_pin_cb_lock(obj);
	primegem_put_pages_locked(to_primegem(obj));
	vprime_pin_cb_unlock(obj);
}

static struct sg_table *primegem_get_sg_table(struct drm_gem_object *obj)
{
	struct primegem_object *pobj = to_primegem(obj);

	/* Called between pin and unpin (dma-buf attach and detach). */
	if (drm_WARN_ON(obj->dev, !pobj->pages))
		return ERR_PTR(-EINVAL);
	return drm_prime_pages_to_sg(obj->dev, pobj->pages,
				     obj->size >> PAGE_SHIFT);
}

static int primegem_vmap_locked(struct primegem_object *pobj,
				struct iosys_map *map)
{
	int ret;

	dma_resv_assert_held(pobj->base.resv);

	if (!pobj->vmap_use) {
		ret = primegem_get_pages_locked(pobj);
		if (ret)
			return ret;
		pobj->vaddr = vmap(pobj->pages, pobj->base.size >> PAGE_SHIFT,
				   VM_MAP, PAGE_KERNEL);
		if (!pobj->vaddr) {
			primegem_put_pages_locked(pobj);
			return -ENOMEM;
		}
	}
	pobj->vmap_use++;
	iosys_map_set_vaddr(map, pobj->vaddr);
	return 0;
}

static void primegem_vunmap_locked(struct primegem_object *pobj)
{
	dma_resv_assert_held(pobj->base.resv);

	if (drm_WARN_ON(pobj->base.dev, !pobj->vmap_use) || --pobj->vmap_use)
		return;
	vunmap(pobj->vaddr);
	pobj->vaddr = NULL;
	primegem_put_pages_locked(pobj);
}

static int primegem_gem_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	int ret;

	vprime_vmap_cb_lock(obj);
	ret = primegem_vmap_locked(to_primegem(obj), map);
	vprime_vmap_cb_unlock(obj);
	return ret;
}

static void primegem_gem_vunmap(struct drm_gem_object *obj,
				struct iosys_map *map)
{
	vprime_vmap_cb_lock(obj);
	primegem_vunmap_locked(to_primegem(obj));
	vprime_vmap_cb_unlock(obj);
}

/**
 * primegem_vmap - map a primegem object, own or imported, into the kernel
 * @obj: the object
 * @map: returns the mapping
 *
 * Mappings are counted; each needs a primegem_vunmap(). Takes the
 * reservation lock (the exporter's, for an import): do not hold it.
 *
 * Returns: 0 or a negative errno.
 */
int primegem_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	if (!primegem_is_primegem(obj))
		return -EINVAL;
	return drm_gem_vmap_unlocked(obj, map);
}
EXPORT_SYMBOL_GPL(primegem_vmap);

/**
 * primegem_vunmap - drop a mapping made by primegem_vmap()
 * @obj: the object
 * @map: the mapping, cleared; a cleared mapping is ignored
 */
void primegem_vunmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	drm_gem_vunmap_unlocked(obj, map);
}
EXPORT_SYMBOL_GPL(primegem_vunmap);

static const struct drm_gem_object_funcs primegem_funcs = {
	.free = primegem_free,
	.export = primegem_prime_export,
	.pin = primegem_pin,
	.unpin = primegem_unpin,
	.get_sg_table = primegem_get_sg_table,
	.vmap = primegem_gem_vmap,
	.vunmap = primegem_gem_vunmap,
	.mmap = primegem_gem_mmap,
	.vm_ops = &primegem_vm_ops,
};

/**
 * primegem_is_primegem - tell whether a GEM object is a primegem object
 * @obj: the object
 *
 * Returns: true for objects created by primegem_create() or imported by
 * primegem_prime_import().
 */
bool primegem_is_primegem(struct drm_gem_object *obj)
{
	return obj->funcs == &primegem_funcs ||
	       obj->funcs == &primegem_import_funcs;
}
EXPORT_SYMBOL_GPL(primegem_is_primegem);

/**
 * primegem_create - create a shmem-backed object
 * @pdev: the primegem device
 * @size: size in bytes, rounded up to whole pages
 * @flags: PRIMEGEM_CREATE_* flags
 *
 * Pages are allocated on first use, zero-filled.
 *
 * Returns: the object with one reference, or an ERR_PTR: -EINVAL for a zero
 * size (or one that overflows when rounded up) or an unsupported flag,
 * -E2BIG for a size that could never be pinned (see "pinned memory").
 */
struct primegem_object *primegem_create(struct primegem_device *pdev,
					size_t size, u32 flags)
{
	struct primegem_object *pobj;
	int ret;

	size = PAGE_ALIGN(size);
	if (!size || flags & ~PRIMEGEM_CREATE_FLAGS)
		return ERR_PTR(-EINVAL);
	ret = primegem_pin_size_ok(pdev, size);
	if (ret)
		return ERR_PTR(ret);

	pobj = kzalloc(sizeof(*pobj), GFP_KERNEL);
	if (!pobj)
		return ERR_PTR(-ENOMEM);

	pobj->base.funcs = &primegem_funcs;
	pobj->flags = flags | primegem_default_flags(pdev);
	pobj->cpu_context = dma_fence_context_alloc(1);
	ret = primegem_huge_object_init(pdev, pobj, size);
	if (ret) {
		kfree(pobj);
		return ERR_PTR(ret);
	}
	primegem_object_setup(pdev, pobj);
	return pobj;
}
EXPORT_SYMBOL_GPL(primegem_create);

/**
 * primegem_create_with_handle - create an object and a handle to it
 * @pdev: the primegem device
 * @file: the DRM file that gets the handle
 * @size: size in bytes
 * @flags: PRIMEGEM_CREATE_* flags
 * @handle: returns the handle, which holds the only reference
 *
 * Returns: 0 or a negative errno.
 */
int primegem_create_with_handle(struct primegem_device *pdev,
				struct drm_file *file, size_t size, u32 flags,
				u32 *handle)
{
	struct primegem_object *pobj;
	int ret;

	pobj = primegem_create(pdev, size, flags);
	if (IS_ERR(pobj))
		return PTR_ERR(pobj);

	ret = drm_gem_handle_create(file, &pobj->base, handle);
	drm_gem_object_put(&pobj->base);
	return ret;
}
EXPORT_SYMBOL_GPL(primegem_create_with_handle);

/**
 * primegem_dumb_create - &drm_driver.dumb_create for primegem
 * @pdev: the primegem device
 * @file: the DRM file
 * @args: the ioctl arguments, already checked for size overflow by the core
 *
 * Unknown flags are refused. The pitch is the minimum for the width and bpp.
 *
 * Returns: 0 or a negative errno.
 */
int primegem_dumb_create(struct primegem_device *pdev, struct drm_file *file,
			 struct drm_mode_create_dumb *args)
{
	u64 pitch, size;

	if (args->flags)
		return -EINVAL;

	pitch = DIV_ROUND_UP((u64)args->width * args->bpp, 8);
	size = PAGE_ALIGN(pitch * args->height);
	if (!size || pitch > U32_MAX || size > SIZE_MAX)
		return -EINVAL;

	args->pitch = pitch;
	args->size = size;
	return primegem_create_with_handle(pdev, file, size, 0, &args->handle);
}
EXPORT_SYMBOL_GPL(primegem_dumb_create);

/**
 * primegem_dumb_map_offset - &drm_driver.dumb_map_offset for primegem
 * @file: the DRM file
 * @drm: the DRM device
 * @handle: the buffer's handle
 * @offset: returns the fake offset to mmap on the DRM fd
 *
 * Unlike drm_gem_dumb_map_offset(), imported buffers are accepted: mmap at
 * the offset is forwarded to the exporter (see primegem_import_mmap()).
 *
 * Returns: 0, -ENOENT for an unknown handle, or another negative errno.
 */
int primegem_dumb_map_offset(struct drm_file *file, struct drm_device *drm,
			     u32 handle, u64 *offset)
{
	struct drm_gem_object *obj;
	int ret;

	obj = drm_gem_object_lookup(file, handle);
	if (!obj)
		return -ENOENT;

	ret = drm_gem_create_mmap_offset(obj);
	if (!ret)
		*offset = drm_vma_node_offset_addr(&obj->vma_node);

	drm_gem_object_put(obj);
	return ret;
}
EXPORT_SYMBOL_GPL(primegem_dumb_map_offset);

static void primegem_device_fini(struct drm_device *drm, void *data)
{
	struct primegem_device *pdev = data;

	drm_WARN_ON(drm, !list_empty(&pdev->objects));
	mutex_destroy(&pdev->lock);
}

/**
 * primegem_device_init - initialise the primegem state of a DRM device
 * @pdev: the state, embedded in the driver's device structure
 * @drm: the DRM device
 * @dma_dev: the device imported dma-bufs are attached to (DMA-capable)
 *
 * The state is torn down with the DRM device (drmm-managed).
 *
 * Returns: 0 or a negative errno.
 */
int primegem_device_init(struct primegem_device *pdev, struct drm_device *drm,
			 struct device *dma_dev)
{
	int ret;

	pdev->drm = drm;
	pdev->dma_dev = dma_dev;
	mutex_init(&pdev->lock);
	INIT_LIST_HEAD(&pdev->objects);
	pdev->num_objects = 0;
	pdev->next_id = 0;
	primegem_pin_device_init(pdev);
	primegem_cpu_device_init(pdev);
	ret = primegem_track_device_init(pdev);
	if (ret)
		return ret;
	ret = drmm_add_action_or_reset(drm, primegem_device_fini, pdev);
	if (ret)
		return ret;
	return primegem_huge_device_init(pdev);
}
EXPORT_SYMBOL_GPL(primegem_device_init);

MODULE_DESCRIPTION("shmem-backed GEM objects with complete PRIME semantics");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_IMPORT_NS(DMA_BUF);
