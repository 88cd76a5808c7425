/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vprime compat: every difference between the kernel lines vprime supports
 * (Debian's 6.1 and 6.12) that the drivers see, in one place. The drivers
 * are written against 6.12; this header makes 6.1 look like it.
 *
 * The VPRIME_HAVE_* macros come from Kbuild.features, which finds each
 * feature in the headers of the kernel being built against.
 */
#ifndef __VPRIME_COMPAT_H__
#define __VPRIME_COMPAT_H__

#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/gpu_scheduler.h>

#ifndef VPRIME_HAVE_VM_FLAGS_SET
/* Before 6.3 vm_flags was written directly (under the mmap write lock). */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#ifndef VPRIME_HAVE_RELEASE_FAULT_LOCK
/* Before 6.5 faults ran under mmap_lock only. */
static inline void release_fault_lock(struct vm_fault *vmf)
{
	mmap_read_unlock(vmf->vma->vm_mm);
}
#endif

#ifndef VPRIME_HAVE_PMDP_GET_LOCKLESS
/* Before 6.5: on x86-64 and arm64, a pmd is one word. */
static inline pmd_t pmdp_get_lockless(pmd_t *pmdp)
{
	return READ_ONCE(*pmdp);
}
#endif

/* 6.12 refuses to open DRM files without FOP_UNSIGNED_OFFSET (and WARNs). */
#ifdef VPRIME_HAVE_FOP_UNSIGNED_OFFSET
#define VPRIME_FOP_FLAGS	.fop_flags = FOP_UNSIGNED_OFFSET,
#else
#define VPRIME_FOP_FLAGS
#endif

/*
 * Locking of &drm_gem_object_funcs callbacks. Since 6.2 the core calls vmap
 * and vunmap with the object's reservation lock held, since 6.10 pin and
 * unpin too; before, without it. primegem's callbacks do their bookkeeping
 * under the lock either way: vprime_gem_cb_lock() takes it where the core
 * did not, and asserts it where the core did.
 */
static inline void __vprime_cb_lock(struct drm_gem_object *obj, bool core_holds)
{
	if (core_holds)
		dma_resv_assert_held(obj->resv);
	else
		dma_resv_lock(obj->resv, NULL);
}

static inline void __vprime_cb_unlock(struct drm_gem_object *obj,
				      bool core_holds)
{
	if (!core_holds)
		dma_resv_unlock(obj->resv);
}

#ifdef VPRIME_HAVE_GEM_VMAP_LOCKED
#define VPRIME_CORE_LOCKS_VMAP	true
#else
#define VPRIME_CORE_LOCKS_VMAP	false
#endif

#ifdef VPRIME_HAVE_GEM_PIN_LOCKED
#define VPRIME_CORE_LOCKS_PIN	true
#else
#define VPRIME_CORE_LOCKS_PIN	false
#endif

/* In a vmap or vunmap callback. */
#define vprime_vmap_cb_lock(obj)	__vprime_cb_lock(obj, VPRIME_CORE_LOCKS_VMAP)
#define vprime_vmap_cb_unlock(obj)	__vprime_cb_unlock(obj, VPRIME_CORE_LOCKS_VMAP)
/* In a pin or unpin callback. */
#define vprime_pin_cb_lock(obj)		__vprime_cb_lock(obj, VPRIME_CORE_LOCKS_PIN)
#define vprime_pin_cb_unlock(obj)	__vprime_cb_unlock(obj, VPRIME_CORE_LOCKS_PIN)

/*
 * Map and unmap a GEM object into the kernel, reservation lock not held: as
 * 6.2's helpers (6.1 exports drm_gem_vmap() but does not declare it).
 */
#ifndef VPRIME_HAVE_GEM_VMAP_LOCKED
static inline int drm_gem_vmap_unlocked(struct drm_gem_object *obj,
					struct iosys_map *map)
{
	int ret;

	if (!obj->funcs->vmap)
		return -EOPNOTSUPP;
	ret = obj->funcs->vmap(obj, map);
	if (ret)
		return ret;
	return iosys_map_is_null(map) ? -ENOMEM : 0;
}

static inline void drm_gem_vunmap_unlocked(struct drm_gem_object *obj,
					   struct iosys_map *map)
{
	if (iosys_map_is_null(map))
		return;
	if (obj->funcs->vunmap)
		obj->funcs->vunmap(obj, map);
	iosys_map_clear(map);
}
#endif

/*
 * drm_sched. Both kernel lines take struct drm_sched_init_args (Debian's 6.1
 * has it backported); 6.12's has one run-queue per priority up to num_rqs,
 * which must be set, where 6.1 always has them all.
 */
#ifdef VPRIME_HAVE_SCHED_NUM_RQS
#define VPRIME_SCHED_INIT_RQS	.num_rqs = DRM_SCHED_PRIORITY_COUNT,
#else
#define VPRIME_SCHED_INIT_RQS
#endif

/*
 * A job's credits count against the scheduler's credit_limit; before 6.7
 * every job took one slot of hw_submission_limit, so @credits must be 1
 * there. @file names the submitter where the scheduler records it.
 */
static inline int vprime_sched_job_init(struct drm_sched_job *job,
					struct drm_sched_entity *entity,
					u32 credits, void *owner,
					struct drm_file *file)
{
#if defined(VPRIME_HAVE_SCHED_CLIENT_ID)
	return drm_sched_job_init(job, entity, credits, owner, file->client_id);
#elif defined(VPRIME_HAVE_SCHED_JOB_CREDITS)
	return drm_sched_job_init(job, entity, credits, owner);
#else
	if (WARN_ON(credits != 1))
		return -EINVAL;
	return drm_sched_job_init(job, entity, owner);
#endif
}

#endif /* __VPRIME_COMPAT_H__ */
