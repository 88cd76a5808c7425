// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * primegem CPU mappings: one fault path for GEM and dma-buf mmaps, and the
 * route that forwards an importer's GEM mmap to the exporter.
 */

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/mm.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_vma_manager.h>

#include "primegem_internal.h"

/**
 * DOC: mmap routing
 *
 * Every CPU mapping of a primegem object, whatever fd it was made on, ends
 * up as a VMA served by &primegem_vm_ops whose vm_pgoff is the object's fake
 * offset plus the page offset inside the object:
 *
 * - GEM mmap of the DRM fd at the fake offset from MAP_DUMB, plus a page
 *   offset inside the object, arrives through primegem_drm_mmap() with
 *   vm_pgoff as is.
 * - mmap of the exported dma-buf fd at offset k arrives in
 *   primegem_dmabuf_mmap() with vm_pgoff = k; the fake offset is added. The
 *   dma-buf file shares the DRM device's address space (see
 *   drm_gem_dmabuf_export()), so both kinds of VMA sit at the same place in
 *   it and drm_vma_node_unmap() reaches all of them.
 * - mmap of an importer's DRM fd at the imported object's fake offset plus
 *   k is forwarded by primegem_import_mmap() with dma_buf_mmap(dmabuf, vma,
 *   k), which becomes the previous case on the exporting device, or the
 *   exporter's own mmap for a foreign exporter.
 *
 * The fault handler maps the faulting page and the rest of its aligned
 * window of %PRIMEGEM_FAULT_AROUND_PAGES pages that lies inside the VMA. The
 * mapping is cached; coherency with devices is the job of the CPU-access
 * brackets. Copy-on-write (MAP_PRIVATE) mappings are refused with -EINVAL.
 * A mapping through a dma-buf never grants more than the dma-buf's file: a
 * dma-buf exported without DRM_RDWR maps read-only on every route.
 * The fault of a tracked object follows "CPU access tracking" instead.
 */

/**
 * primegem_fault_window - pages to map for one fault
 * @page: the faulting object page
 * @vma_first: object page mapped at the start of the VMA
 * @vma_pages: pages in the VMA
 * @obj_pages: pages in the object
 * @first: returns the first object page to map
 * @last: returns the last object page to map (inclusive)
 *
 * The window is the aligned run of %PRIMEGEM_FAULT_AROUND_PAGES object pages
 * that contains @page, clipped to the VMA and to the object. @page must lie
 * inside both.
 */
void primegem_fault_window(pgoff_t page, pgoff_t vma_first,
			   pgoff_t vma_pages, pgoff_t obj_pages,
			   pgoff_t *first, pgoff_t *last)
{
	pgoff_t start = round_down(page, PRIMEGEM_FAULT_AROUND_PAGES);
	pgoff_t end = start + PRIMEGEM_FAULT_AROUND_PAGES;

	end = min3(end, vma_first + vma_pages, obj_pages);
	*first = max(start, vma_first);
	*last = end - 1;
}

/**
 * primegem_fault_map - map the pages of one fault
 * @vmf: the fault, on a VMA of a primegem object
 * @page: the faulting object page, inside the object and the VMA
 * @around: also map the rest of the fault window (see "mmap routing")
 * @prot: protection of the new PTEs
 *
 * The protection is given explicitly because &vm_area_struct.vm_page_prot
 * of a shared writable VMA is write-protected (primegem_vm_ops has
 * pfn_mkwrite, so the core asks for write notification).
 *
 * Returns: the result of mapping the faulting page.
 */
vm_fault_t primegem_fault_map(struct vm_fault *vmf, pgoff_t page,
			      bool around, pgprot_t prot)
{
	struct vm_area_struct *vma = vmf->vma;
	struct primegem_object *pobj = to_primegem(vma->vm_private_data);
	pgoff_t vma_first = vma->vm_pgoff - drm_vma_node_start(&pobj->base.vma_node);
	pgoff_t first, last, i;
	vm_fault_t ret;

	ret = vmf_insert_pfn_prot(vma, vmf->address,
				  page_to_pfn(pobj->pages[page]), prot);
	if (ret & VM_FAULT_ERROR)
		return ret;

	if (around) {
		primegem_fault_window(page, vma_first, vma_pages(vma),
				      pobj->base.size >> PAGE_SHIFT,
				      &first, &last);
		for (i = first; i <= last; i++) {
			if (i == page)
				continue;
			/* Best effort: a page that fails will fault on its own. */
			vmf_insert_pfn_prot(vma, vma->vm_start +
					    ((i - vma_first) << PAGE_SHIFT),
					    page_to_pfn(pobj->pages[i]), prot);
		}
	}
	primegem_stat_inc(pobj, faults);
	return ret;
}

/**
 * primegem_fault_pages - map the pages of a fault, tracked or not
 * @vmf: the fault, on a VMA of a primegem object
 * @page: the faulting object page, inside the object and the VMA
 *
 * Returns: the result of mapping.
 */
vm_fault_t primegem_fault_pages(struct vm_fault *vmf, pgoff_t page)
{
	struct vm_area_struct *vma = vmf->vma;

	if (unlikely(primegem_tracked(to_primegem(vma->vm_private_data))))
		return primegem_track_fault(vmf, page);
	return primegem_fault_map(vmf, page, true,
				  vm_get_page_prot(vma->vm_flags));
}

static vm_fault_t primegem_fault(struct vm_fault *vmf)
{
	struct primegem_object *pobj = to_primegem(vmf->vma->vm_private_data);
	pgoff_t page = vmf->pgoff - drm_vma_node_start(&pobj->base.vma_node);
	vm_fault_t ret;

	if (page >= pobj->base.size >> PAGE_SHIFT || !pobj->pages)
		return VM_FAULT_SIGBUS;
	if (primegem_is_strict(pobj))
		return primegem_cpu_fault(vmf, page);
	if (primegem_huge_fault(vmf, page, &ret))
		return ret;
	return primegem_fault_pages(vmf, page);
}

/* A write to a page mapped read-only, see "CPU access tracking". */
static vm_fault_t primegem_pfn_mkwrite(struct vm_fault *vmf)
{
	struct primegem_object *pobj = to_primegem(vmf->vma->vm_private_data);

	if (unlikely(primegem_tracked(pobj)))
		return primegem_track_mkwrite(vmf);
	return 0;
}

static void primegem_vm_open(struct vm_area_struct *vma)
{
	struct primegem_object *pobj = to_primegem(vma->vm_private_data);

	/*
	 * A split or a fork: the new VMA needs its own pin. The source VMA
	 * still holds one, so this only counts and cannot fail.
	 */
	dma_resv_lock(pobj->base.resv, NULL);
	WARN_ON(primegem_get_pages_locked(pobj));
	dma_resv_unlock(pobj->base.resv);
	atomic_inc(&pobj->mappings);
	drm_gem_vm_open(vma);
}

static void primegem_vm_close(struct vm_area_struct *vma)
{
	struct primegem_object *pobj = to_primegem(vma->vm_private_data);

	atomic_dec(&pobj->mappings);
	primegem_put_pages(pobj);
	drm_gem_vm_close(vma);
}

const struct vm_operations_struct primegem_vm_ops = {
	.fault = primegem_fault,
	.pfn_mkwrite = primegem_pfn_mkwrite,
	.open = primegem_vm_open,
	.close = primegem_vm_close,
};

/*
 * Common to GEM and dma-buf mmaps: the caller has taken the object reference
 * the VMA keeps and set vm_private_data.
 */
static int primegem_mmap_setup(struct primegem_object *pobj,
			       struct vm_area_struct *vma)
{
	int ret;

	if (is_cow_mapping(vma->vm_flags))
		return -EINVAL;

	ret = primegem_get_pages(pobj);
	if (ret)
		return ret;

	vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	vma->vm_ops = &primegem_vm_ops;
	atomic_inc(&pobj->mappings);
	return 0;
}

/**
 * primegem_gem_mmap - &drm_gem_object_funcs.mmap of primegem objects
 * @obj: the object
 * @vma: the VMA, with the object reference taken by drm_gem_mmap_obj()
 *
 * Returns: 0 or a negative errno.
 */
int primegem_gem_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	return primegem_mmap_setup(to_primegem(obj), vma);
}

/*
 * A mapping made through a dma-buf grants no more than the dma-buf's file:
 * without FMODE_WRITE (exported without DRM_RDWR) no shared writable
 * mapping, now or through mprotect() later, which is what do_mmap() rules
 * for an mmap of the dma-buf fd itself. A mapping forwarded with
 * dma_buf_mmap() (an importer's GEM mmap) skips do_mmap()'s check, so both
 * ends of the route check: the importer for any exporter, the exporter for
 * any importer.
 */
static int primegem_mmap_check_access(struct dma_buf *dma_buf,
				      struct vm_area_struct *vma)
{
	/* Before VM_MAYWRITE goes: without it a private mapping looks shared. */
	if (is_cow_mapping(vma->vm_flags))
		return -EINVAL;
	if (dma_buf->file->f_mode & FMODE_WRITE)
		return 0;
	if (vma->vm_flags & VM_WRITE)
		return -EACCES;
	vm_flags_clear(vma, VM_MAYWRITE);
	return 0;
}

/**
 * primegem_dmabuf_mmap - &dma_buf_ops.mmap of primegem dma-bufs
 * @dma_buf: the dma-buf
 * @vma: the VMA; vm_pgoff is the page offset in the buffer, already checked
 *	against its size by the dma-buf core
 *
 * Returns: 0, -EINVAL for a private mapping, -EACCES for a writable mapping
 * of a read-only dma-buf, or another negative errno.
 */
int primegem_dmabuf_mmap(struct dma_buf *dma_buf, struct vm_area_struct *vma)
{
	struct drm_gem_object *obj = dma_buf->priv;
	int ret;

	ret = primegem_mmap_check_access(dma_buf, vma);
	if (ret)
		return ret;

	vma->vm_pgoff += drm_vma_node_start(&obj->vma_node);
	drm_gem_object_get(obj);
	vma->vm_private_data = obj;
	ret = primegem_mmap_setup(to_primegem(obj), vma);
	if (ret)
		drm_gem_object_put(obj);
	return ret;
}

/**
 * primegem_drm_mmap - &file_operations.mmap for DRM files of primegem drivers
 * @filp: the DRM file
 * @vma: the VMA; vm_pgoff is an object's fake offset plus a page offset
 *
 * drm_gem_mmap() only maps whole objects from their first page. This maps
 * any run of pages inside an object, so that a GEM mapping at the fake offset
 * plus k shows page k, as a dma-buf mapping at offset k does. Use it through
 * DEFINE_PRIMEGEM_FOPS().
 *
 * Returns: 0, -EINVAL if the range is not inside one object, -EACCES if the
 * file may not map it, or another negative errno.
 */
int primegem_drm_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct drm_file *priv = filp->private_data;
	struct drm_device *dev = priv->minor->dev;
	struct drm_vma_offset_manager *mgr = dev->vma_offset_manager;
	struct drm_gem_object *obj = NULL;
	struct drm_vma_offset_node *node;
	int ret;

	if (drm_dev_is_unplugged(dev))
		return -ENODEV;

	drm_vma_offset_lock_lookup(mgr);
	node = drm_vma_offset_lookup_locked(mgr, vma->vm_pgoff, vma_pages(vma));
	if (node) {
		obj = container_of(node, struct drm_gem_object, vma_node);
		/* A zero refcount means the object is on its way out. */
		if (!kref_get_unless_zero(&obj->refcount))
			obj = NULL;
	}
	drm_vma_offset_unlock_lookup(mgr);
	if (!obj)
		return -EINVAL;

	if (!drm_vma_node_is_allowed(node, priv)) {
		ret = -EACCES;
		goto out_put;
	}
	ret = drm_gem_mmap_obj(obj, obj->size, vma);
out_put:
	drm_gem_object_put(obj);
	return ret;
}
EXPORT_SYMBOL_GPL(primegem_drm_mmap);

/**
 * primegem_import_mmap - &drm_gem_object_funcs.mmap of imported objects
 * @obj: the imported object
 * @vma: the VMA, at the object's fake offset plus a page offset
 *
 * Forwards to the exporter at the same page offset. On success the VMA
 * belongs to the exporter, so the reference drm_gem_mmap_obj() took for it
 * is dropped here. The mapping grants no more than the dma-buf's file.
 *
 * Returns: 0, -EINVAL for a private mapping, -EACCES for a writable mapping
 * of a read-only dma-buf, or another negative errno.
 */
int primegem_import_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	struct dma_buf *dma_buf = obj->import_attach->dmabuf;
	pgoff_t pgoff = vma->vm_pgoff - drm_vma_node_start(&obj->vma_node);
	int ret;

	ret = primegem_mmap_check_access(dma_buf, vma);
	if (ret)
		return ret;

	/* Whatever the exporter does, do not leave our ops on its VMA. */
	vma->vm_private_data = NULL;
	vma->vm_ops = NULL;
	vm_flags_set(vma, VM_DONTEXPAND);

	ret = dma_buf_mmap(dma_buf, vma, pgoff);
	if (!ret)
		drm_gem_object_put(obj);
	return ret;
}
