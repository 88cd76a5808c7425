/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Declarations shared between the files of the primegem module.
 */
#ifndef __PRIMEGEM_INTERNAL_H__
#define __PRIMEGEM_INTERNAL_H__

#include <drm/primegem.h>

struct vm_area_struct;

extern const struct vm_operations_struct primegem_vm_ops;
extern const struct dma_buf_ops primegem_dmabuf_ops;
extern const struct drm_gem_object_funcs primegem_import_funcs;

void primegem_object_setup(struct primegem_device *pdev,
			   struct primegem_object *pobj);
void primegem_unregister(struct primegem_object *pobj);
int primegem_get_pages_locked(struct primegem_object *pobj);
void primegem_put_pages_locked(struct primegem_object *pobj);

int primegem_gem_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma);
int primegem_dmabuf_mmap(struct dma_buf *dma_buf, struct vm_area_struct *vma);
int primegem_import_mmap(struct drm_gem_object *obj,
			 struct vm_area_struct *vma);
struct dma_buf *primegem_prime_export(struct drm_gem_object *obj, int flags);

void primegem_fault_window(pgoff_t page, pgoff_t vma_first,
			   pgoff_t vma_pages, pgoff_t obj_pages,
			   pgoff_t *first, pgoff_t *last);

static inline void primegem_count(struct primegem_object *pobj,
				  size_t offset)
{
	atomic64_inc((atomic64_t *)((char *)&pobj->stats + offset));
	atomic64_inc((atomic64_t *)((char *)&pobj->pdev->stats + offset));
}

/* Count an event on the object and on its device. */
#define primegem_stat_inc(pobj, field) \
	primegem_count(pobj, offsetof(struct primegem_stats, field))

#endif /* __PRIMEGEM_INTERNAL_H__ */
