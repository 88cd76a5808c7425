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
 * Mapping: a fault of an object with huge backing that is neither tracked
 * nor strict maps the whole 2 MiB around the faulting address with one PMD
 * (vmf_insert_pfn_pmd(), from the ordinary fault handler: the core refuses
 * huge_fault for VM_PFNMAP VMAs) when
 *
 * - that 2 MiB of address space lies inside the VMA,
 * - it shows an aligned 2 MiB of the object, held by one PMD-size folio,
 * - and no page table is there yet (PTEs of an earlier fault stay 4 KiB).
 *
 * Anything else takes the 4 KiB path. The PMD is writable where the VMA is,
 * as the 4 KiB path's PTEs are: only tracked objects need write faults.
 * Tracked and strict objects never map huge: their brackets work per page.
 * Whether an object is tracked can change at run time, so the PMD is
 * installed under the object's tracking lock, which the tracked fault path
 * holds while it installs PTEs: the two never race for one page table.
 *
 * Alignment: a PMD maps when the address and the object offset agree modulo
 * 2 MiB. DRM files of primegem drivers (DEFINE_PRIMEGEM_FOPS()) place
 * mappings of 2 MiB and more that way (primegem_get_unmapped_area()), and an
 * importer's mapping forwarded to the exporter keeps its address. A dma-buf
 * fd is the dma-buf core's file, which places mappings anywhere: they map
 * huge where userspace passes an aligned address.
 *
 * Lifetime and locking: as on the 4 KiB path, the VMA's pin keeps the pages
 * and their array; the fault takes no lock of its own but the tracking
 * lock. Zapping (munmap, a mode change, a lease revoke) removes PMDs as it
 * removes PTEs.
 *
 * Kernels before 6.12 have no special bit on PMDs: there, GUP-fast takes a
 * huge-mapped page like an ordinary one, where the 4 KiB path's special
 * PTEs refuse it. The pages are ordinary shmem pages that stay pinned while
 * the mapping exists, so a reference taken this way is one on memory the
 * process may access anyway.
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
	pdev->huge_mnt = mnt;
	pdev->huge = primegem_huge_param;
	return drmm_add_action_or_reset(pdev->drm, primegem_huge_unmount, mnt);
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
/* Whether the PMD-size window at @first (an object page) is one folio. */
static bool primegem_huge_window_ok(struct primegem_object *pobj,
				    pgoff_t first)
{
	struct page *page;

	if (!IS_ALIGNED(first, HPAGE_PMD_NR) ||
	    first + HPAGE_PMD_NR > pobj->base.size >> PAGE_SHIFT)
		return false;
	page = pobj->pages[first];
	return IS_ALIGNED(page_to_pfn(page), HPAGE_PMD_NR) &&
	       folio_test_pmd_mappable(page_folio(page));
}

/**
 * primegem_huge_fault - map the 2 MiB around a fault with one PMD
 * @vmf: the fault, on a VMA of an object that is not strict
 *
 * See "huge mappings" for when it maps.
 *
 * Returns: true if the fault is served (the PMD is in place), false to take
 * the 4 KiB path.
 */
bool primegem_huge_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct primegem_object *pobj = to_primegem(vma->vm_private_data);
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	pgoff_t first;
	vm_fault_t ret;

	if (!pobj->huge || haddr < vma->vm_start ||
	    haddr + HPAGE_PMD_SIZE > vma->vm_end)
		return false;
	first = vma->vm_pgoff - drm_vma_node_start(&pobj->base.vma_node) +
		((haddr - vma->vm_start) >> PAGE_SHIFT);
	if (!primegem_huge_window_ok(pobj, first))
		return false;

	mutex_lock(&pobj->track.lock);
	if (primegem_tracked(pobj) || !pmd_none(READ_ONCE(*vmf->pmd))) {
		mutex_unlock(&pobj->track.lock);
		return false;
	}
	ret = vmf_insert_pfn_pmd(vmf, pfn_to_pfn_t(page_to_pfn(pobj->pages[first])),
				 vma->vm_flags & VM_WRITE);
	mutex_unlock(&pobj->track.lock);
	if (ret != VM_FAULT_NOPAGE)
		return false;
	primegem_stat_inc(pobj, faults);
	primegem_stat_inc(pobj, huge_faults);
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
	unsigned long obj_pgoff = pgoff;

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
