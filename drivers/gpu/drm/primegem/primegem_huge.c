// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * primegem huge mappings: huge-page backing, PMD faults, aligned addresses.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pfn_t.h>
#include <linux/shmem_fs.h>

#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_vma_manager.h>

#include "primegem_internal.h"

/**
 * DOC: huge mappings
 *
 * Backing: each device mounts its own tmpfs with ``huge=within_size`` (as
 * i915 does), and objects created while ``primegem_huge`` is on get their
 * shmem file there: shmem then allocates a PMD-size folio for every aligned
 * 2 MiB the object covers whole, memory permitting, and small pages for the
 * rest. The module parameter ``primegem.huge`` (default on) is what each
 * device starts with; without transparent huge pages, or if the mount
 * fails, objects use the kernel's shmem mount as before.
 *
 * Mapping: a fault of an object with huge backing that is not strict
 * maps the whole 2 MiB around the faulting address with one PMD
 * (vmf_insert_pfn_pmd(), from the ordinary fault handler, as the upstream
 * shmem helper does) when that 2 MiB of address space lies inside the VMA
 * and shows an aligned 2 MiB of the object held by one PMD-size folio (a
 * "huge window"), the object is not tracked, the VMA and the process allow
 * huge pages (MADV_NOHUGEPAGE, PR_SET_THP_DISABLE), and no page table is
 * there yet: PTEs of an earlier fault stay 4 KiB. Anything else takes the
 * 4 KiB path. The PMD is writable where the VMA is, as the 4 KiB path's
 * PTEs are; tracked and strict objects never map huge, as their brackets
 * work per page.
 *
 * Locking: whether a window is a huge window does not change while the VMA
 * exists (the object, its pages and strictness are fixed; shrinking a VMA
 * splits its PMDs first). Every fault in a huge window, huge or not,
 * decides and maps under &primegem_track_device.mode_sem (read) and the
 * object's &primegem_track_object.lock: a PMD found there serves the
 * access; otherwise the fault maps a PMD where the pmd is empty and 4 KiB
 * pages where it holds a page table. PMDs can vanish without those locks
 * (a write to a read-only PMD splits it), page tables cannot (nothing frees
 * them while the VMA exists), so a page table never goes under a PMD and a
 * PMD never over a page table. A fault that finds a page table therefore
 * needs no lock, nor does one outside huge windows, where no PMD is ever
 * there. A change of the tracking mode takes mode_sem for writing before
 * it zaps, so no fault that saw the old mode maps a PMD after the zap (the
 * 4 KiB path keeps the weaker rule of "CPU access tracking"). One gap is
 * the core's: 6.12's fork copies a PMD without the locks a zap takes, so a
 * child forked during a switch to tracking may keep an untracked PMD until
 * the next zap; its own pin keeps the pages.
 *

 * Alignment: a PMD maps when the address and the object offset agree modulo
 * 2 MiB. DRM files of primegem drivers (DEFINE_PRIMEGEM_FOPS()) place
 * mappings of 2 MiB and more that way (primegem_get_unmapped_area()), and an
 * importer's mapping forwarded to the exporter keeps its address. A dma-buf
 * fd is the dma-buf core's file, which places mappings anywhere: they map
 * huge where userspace passes an aligned address.
 *
 * Lifetime: as on the 4 KiB path, the VMA's pin keeps the pages and their
 * array. Zapping (munmap, a mode change, a lease revoke) removes PMDs as it
 * removes PTEs.
 *
 * Kernels before 6.12 have no special bit on PMDs: there, GUP-fast takes a
 * huge-mapped page like an ordinary one (O_DIRECT, io_uring and RDMA
 * registration work on huge windows and fail with EFAULT elsewhere, as on
 * every PFN map), and follow_pte() users (VFIO, KVM) fail on them (and hit
 * its VM_BUG_ON under CONFIG_DEBUG_VM, so such kernels never map huge). Such a
 * reference is one on a page the mapping grants anyway, but it can outlive
 * the object and its pin budget, charged to whoever took it (RLIMIT_MEMLOCK
 * for long-term pins). ``primegem.huge=0`` avoids all of it.
 */

static bool primegem_huge_param = true;
module_param_named(huge, primegem_huge_param, bool, 0444);
MODULE_PARM_DESC(huge, "Back new objects with huge pages where possible, the initial value of each device's debugfs primegem_huge (default: true)");

static void primegem_huge_unmount(struct drm_device *drm, void *data)
{
	kern_unmount(data);
}

/**
 * primegem_huge_device_init - mount the huge-page tmpfs of a device
 * @pdev: the device
 *
 * Without one the device's objects use the kernel's shmem mount.
 *
 * Returns: 0, or a negative errno if the unmount cannot be registered.
 */
int primegem_huge_device_init(struct primegem_device *pdev)
{
	char opts[] = "huge=within_size"; /* parsed in place */
	struct file_system_type *type;
	struct vfsmount *mnt;
	int ret;

	pdev->huge = false;
	pdev->huge_mnt = NULL;
	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE))
		return 0;
	type = get_fs_type("tmpfs");
	if (!type)
		return 0;
	mnt = vfs_kern_mount(type, SB_KERNMOUNT, type->name, opts);
	if (IS_ERR(mnt)) {
		drm_info(pdev->drm, "primegem: no huge pages: %pe\n", mnt);
		return 0;
	}
	ret = drmm_add_action_or_reset(pdev->drm, primegem_huge_unmount, mnt);
	if (ret)
		return ret;
	pdev->huge_mnt = mnt;
	pdev->huge = primegem_huge_param;
	return 0;
}

/**
 * primegem_huge_object_init - give a new object its shmem file
 * @pdev: the device
 * @pobj: the object, to initialise
 * @size: its size, page-aligned
 *
 * As drm_gem_object_init(), from the device's huge-page mount while
 * ``primegem_huge`` is on.
 *
 * Returns: 0 or a negative errno.
 */
int primegem_huge_object_init(struct primegem_device *pdev,
			      struct primegem_object *pobj, size_t size)
{
	struct file *filp;

	if (!READ_ONCE(pdev->huge))
		return drm_gem_object_init(pdev->drm, &pobj->base, size);

	drm_gem_private_object_init(pdev->drm, &pobj->base, size);
	filp = shmem_file_setup_with_mnt(pdev->huge_mnt, "drm mm object", size,
					 VM_NORESERVE);
	if (IS_ERR(filp)) {
		drm_gem_object_release(&pobj->base);
		return PTR_ERR(filp);
	}
	pobj->base.filp = filp;
	pobj->huge = true;
	return 0;
}

#ifdef CONFIG_TRANSPARENT_HUGEPAGE
/*
 * The first object page of the huge window around the fault, or -1 if the
 * window is not one: it must lie inside the VMA and the object, start at an
 * aligned object page, and be one PMD-size folio.
 */
static long primegem_huge_window(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct primegem_object *pobj = to_primegem(vma->vm_private_data);
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	struct page *page;
	pgoff_t first;

	if (!pobj->huge || primegem_is_strict(pobj) || haddr < vma->vm_start ||
	    haddr + HPAGE_PMD_SIZE > vma->vm_end)
		return -1;
	first = vma->vm_pgoff - drm_vma_node_start(&pobj->base.vma_node) +
		((haddr - vma->vm_start) >> PAGE_SHIFT);
	if (!IS_ALIGNED(first, HPAGE_PMD_NR) ||
	    first + HPAGE_PMD_NR > pobj->base.size >> PAGE_SHIFT)
		return -1;
	page = pobj->pages[first];
	if (!IS_ALIGNED(page_to_pfn(page), HPAGE_PMD_NR) ||
	    !folio_test_pmd_mappable(page_folio(page)))
		return -1;
	return first;
}

/*
 * Whether a PMD may map now: the VMA and its process allow huge pages, and
 * the kernel's follow_pte() will not BUG on a PMD that is not special.
 */
static bool primegem_huge_allowed(struct vm_area_struct *vma)
{
	if (!IS_ENABLED(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP) &&
	    IS_ENABLED(CONFIG_DEBUG_VM))
		return false;
	return !(vma->vm_flags & VM_NOHUGEPAGE) &&
	       !test_bit(MMF_DISABLE_THP, &vma->vm_mm->flags);
}

/* Map the window with one PMD; with the locks of "huge mappings" held. */
static vm_fault_t primegem_huge_map(struct vm_fault *vmf, pgoff_t first)
{
	struct primegem_object *pobj = to_primegem(vmf->vma->vm_private_data);
	unsigned long pfn = page_to_pfn(pobj->pages[first]);
	vm_fault_t ret;

	ret = vmf_insert_pfn_pmd(vmf, pfn_to_pfn_t(pfn),
				 vmf->vma->vm_flags & VM_WRITE);
	if (ret == VM_FAULT_NOPAGE) {
		primegem_stat_inc(pobj, faults);
		primegem_stat_inc(pobj, huge_faults);
	}
	return ret;
}

/**
 * primegem_huge_fault - serve a fault in a huge window
 * @vmf: the fault, on a VMA of an object
 * @page: the faulting object page, inside the object and the VMA
 * @ret: returns the result of the fault if it is served here
 *
 * See "huge mappings": in a huge window, map a PMD, or 4 KiB pages where a
 * page table is already there, tracked or not, under the window's locks.
 *
 * Returns: true if the fault was in a huge window (*@ret set), false for
 * the ordinary path.
 */
bool primegem_huge_fault(struct vm_fault *vmf, pgoff_t page, vm_fault_t *ret)
{
	struct vm_area_struct *vma = vmf->vma;
	struct primegem_object *pobj = to_primegem(vma->vm_private_data);
	struct primegem_track_device *td = &pobj->pdev->track;
	enum primegem_track_mode action = PRIMEGEM_TRACK_OFF;
	long first = primegem_huge_window(vmf);
	pmd_t pmd;

	if (first < 0)
		return false;
	/* A page table stays: the 4 KiB path needs no lock against a PMD. */
	pmd = pmdp_get_lockless(vmf->pmd);
	if (!pmd_none(pmd) && !pmd_trans_huge(pmd))
		return false;

	down_read(&td->mode_sem);
	mutex_lock(&pobj->track.lock);
	pmd = pmdp_get_lockless(vmf->pmd);
	if (pmd_trans_huge(pmd))
		*ret = VM_FAULT_NOPAGE;	/* a PMD since the access faulted */
	else if (primegem_tracked(pobj))
		*ret = primegem_track_fault_locked(vmf, page, &action);
	else if (pmd_none(pmd) && primegem_huge_allowed(vma))
		*ret = primegem_huge_map(vmf, first);
	else
		*ret = primegem_fault_map(vmf, page, true,
					  vm_get_page_prot(vma->vm_flags));
	mutex_unlock(&pobj->track.lock);
	up_read(&td->mode_sem);

	if (action != PRIMEGEM_TRACK_OFF)
		primegem_track_record(pobj, vmf, vmf->flags & FAULT_FLAG_WRITE,
				      action);
	return true;
}

/**
 * primegem_get_unmapped_area - &file_operations.get_unmapped_area for DRM
 *	files of primegem drivers
 * @filp: the DRM file
 * @addr: the address hint
 * @len: the length of the mapping
 * @pgoff: an object's fake offset plus a page offset
 * @flags: the mmap flags
 *
 * Places a mapping of 2 MiB or more where its address and its offset in the
 * object agree modulo 2 MiB, so that it can map huge (see "huge mappings").
 * Use it through DEFINE_PRIMEGEM_FOPS().
 *
 * Returns: the address, or a negative errno.
 */
unsigned long primegem_get_unmapped_area(struct file *filp, unsigned long addr,
					 unsigned long len, unsigned long pgoff,
					 unsigned long flags)
{
	struct drm_file *priv = filp->private_data;
	struct drm_vma_offset_manager *mgr = priv->minor->dev->vma_offset_manager;
	struct drm_vma_offset_node *node;
	unsigned long obj_pgoff = 0;	/* unknown: the mmap will fail */

	drm_vma_offset_lock_lookup(mgr);
	node = drm_vma_offset_lookup_locked(mgr, pgoff, len >> PAGE_SHIFT);
	if (node)
		obj_pgoff = pgoff - drm_vma_node_start(node);
	drm_vma_offset_unlock_lookup(mgr);

	/* Falls back to the default placement by itself. */
	return thp_get_unmapped_area(filp, addr, len, obj_pgoff, flags);
}
EXPORT_SYMBOL_GPL(primegem_get_unmapped_area);
#endif /* CONFIG_TRANSPARENT_HUGEPAGE */

static int primegem_huge_get(void *data, u64 *val)
{
	struct primegem_device *pdev = data;

	*val = READ_ONCE(pdev->huge);
	return 0;
}

static int primegem_huge_set(void *data, u64 val)
{
	struct primegem_device *pdev = data;

	if (val > 1)
		return -EINVAL;
	if (val && !pdev->huge_mnt)
		return -ENODEV;
	WRITE_ONCE(pdev->huge, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(primegem_huge_fops, primegem_huge_get,
			 primegem_huge_set, "%llu\n");

/**
 * primegem_huge_debugfs_init - add ``primegem_huge``
 * @pdev: the device
 * @root: the directory
 *
 * ``primegem_huge`` (0 or 1) says whether new objects get huge-page
 * backing; writing 1 fails with -ENODEV on a device without the mount.
 */
void primegem_huge_debugfs_init(struct primegem_device *pdev,
				struct dentry *root)
{
	debugfs_create_file_unsafe("primegem_huge", 0644, root, pdev,
				   &primegem_huge_fops);
}
