/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Declarations shared between the files of the primegem module.
 */
#ifndef __PRIMEGEM_INTERNAL_H__
#define __PRIMEGEM_INTERNAL_H__

#include <linux/mm_types.h>

#include <drm/primegem.h>

struct dentry;
struct seq_file;
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

/* primegem_cpu_fence.c: strict buffers. */
bool primegem_is_strict(struct primegem_object *pobj);
u32 primegem_default_flags(struct primegem_device *pdev);
void primegem_cpu_device_init(struct primegem_device *pdev);
void primegem_cpu_debugfs_init(struct primegem_device *pdev,
			       struct dentry *root);
void primegem_cpu_fence_init(struct primegem_object *pobj);
int primegem_cpu_fence_begin(struct primegem_object *pobj, bool write);
void primegem_cpu_fence_end(struct primegem_object *pobj, bool write);
vm_fault_t primegem_cpu_fault(struct vm_fault *vmf, pgoff_t page);
void primegem_cpu_fence_fini(struct primegem_object *pobj);

void primegem_fault_window(pgoff_t page, pgoff_t vma_first,
			   pgoff_t vma_pages, pgoff_t obj_pages,
			   pgoff_t *first, pgoff_t *last);
vm_fault_t primegem_fault_map(struct vm_fault *vmf, pgoff_t page,
			      bool around, pgprot_t prot);
vm_fault_t primegem_fault_pages(struct vm_fault *vmf, pgoff_t page);

/* primegem_huge.c: huge-page backing and PMD mappings. */
int primegem_huge_device_init(struct primegem_device *pdev);
int primegem_huge_object_init(struct primegem_device *pdev,
			      struct primegem_object *pobj, size_t size);
void primegem_huge_debugfs_init(struct primegem_device *pdev,
				struct dentry *root);
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
bool primegem_huge_fault(struct vm_fault *vmf, pgoff_t page, vm_fault_t *ret);
#else
static inline bool primegem_huge_fault(struct vm_fault *vmf, pgoff_t page,
				       vm_fault_t *ret)
{
	return false;
}
#endif

/* primegem_pin.c: the pinned-memory budget. */
u64 primegem_pin_module_limit(void);
void primegem_pin_device_init(struct primegem_device *pdev);
int primegem_pin_size_ok(struct primegem_device *pdev, u64 size);
int primegem_pin_charge(struct primegem_object *pobj);
void primegem_pin_uncharge(struct primegem_object *pobj);
void primegem_pin_show(struct seq_file *m, struct primegem_device *pdev);
void primegem_pin_debugfs_init(struct primegem_device *pdev,
			       struct dentry *root);

/* primegem_track.c: CPU access tracking. */
#define PRIMEGEM_TRACK_EVENTS	64

/* Access that the open brackets of an object allow, weakest first. */
enum primegem_access {
	PRIMEGEM_ACCESS_NONE,
	PRIMEGEM_ACCESS_READ,
	PRIMEGEM_ACCESS_WRITE,
};

enum primegem_access primegem_track_level(unsigned int readers,
					  unsigned int writers);
enum primegem_track_mode primegem_track_policy(enum primegem_track_mode mode,
					       bool flagged);
int primegem_track_parse(const char *buf);
int primegem_track_device_init(struct primegem_device *pdev);
void primegem_track_object_init(struct primegem_object *pobj);
void primegem_track_begin(struct primegem_object *pobj, bool write);
void primegem_track_end(struct primegem_object *pobj, bool write);
vm_fault_t primegem_track_fault_locked(struct vm_fault *vmf, pgoff_t page,
				       enum primegem_track_mode *action);
vm_fault_t primegem_track_fault(struct vm_fault *vmf, pgoff_t page);
void primegem_track_record(struct primegem_object *pobj, struct vm_fault *vmf,
			   bool write, enum primegem_track_mode action);
vm_fault_t primegem_track_mkwrite(struct vm_fault *vmf);
void primegem_track_debugfs_init(struct primegem_device *pdev,
				 struct dentry *root);

/* Whether CPU accesses to @pobj are tracked: a branch when they are not. */
static inline bool primegem_tracked(const struct primegem_object *pobj)
{
	return (pobj->flags & PRIMEGEM_CREATE_TRACK_CPU) ||
	       READ_ONCE(pobj->pdev->track.mode) != PRIMEGEM_TRACK_OFF;
}

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
