/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * primegem: shmem-backed GEM objects with complete PRIME semantics.
 */
#ifndef __DRM_PRIMEGEM_H__
#define __DRM_PRIMEGEM_H__

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <drm/drm_gem.h>

#include <vprime/compat.h>

struct dentry;
struct device;
struct dma_buf;
struct dma_fence;
struct drm_file;
struct drm_mode_create_dumb;
struct file;
struct iosys_map;
struct platform_device;
struct vfsmount;
struct vm_area_struct;

/**
 * PRIMEGEM_FAULT_AROUND_PAGES - pages mapped by one CPU fault
 *
 * A fault maps the aligned window of this many object pages around the
 * faulting page, clipped to the mapping (and so to the object).
 */
#define PRIMEGEM_FAULT_AROUND_PAGES	16

/**
 * PRIMEGEM_MAX_LEASE_MS - longest CPU-access lease of a strict buffer
 *
 * The hold of a strict buffer by CPU-access brackets is a lease of the
 * device's primegem_cpu_lease_ms, at most this many milliseconds, so that
 * device work that waits for the CPU waits a bounded time.
 */
#define PRIMEGEM_MAX_LEASE_MS	10000

/*
 * Flags of primegem_create(). PRIMEGEM_CREATE_TRACK_CPU: catch CPU accesses
 * outside CPU-access brackets. PRIMEGEM_CREATE_STRICT_CPU: a bracket holds
 * device work off (a CPU-access fence in the reservation object).
 */
#define PRIMEGEM_CREATE_TRACK_CPU	BIT(0)
#define PRIMEGEM_CREATE_STRICT_CPU	BIT(1)
/* The flags this build supports; others fail with -EINVAL. */
#define PRIMEGEM_CREATE_FLAGS		(PRIMEGEM_CREATE_TRACK_CPU | \
					 PRIMEGEM_CREATE_STRICT_CPU)

/**
 * struct primegem_stats - counters kept per object and per device
 * @faults: CPU page faults handled (not pages mapped).
 * @huge_faults: those of @faults that mapped 2 MiB with one PMD.
 * @brackets: CPU-access brackets opened (DMA_BUF_IOCTL_SYNC START).
 * @flushes: brackets closed with a flush for the device.
 * @flush_skips: READ-only brackets closed without a flush.
 * @lease_expiries: CPU-access leases of strict buffers that ran out.
 */
struct primegem_stats {
	atomic64_t faults;
	atomic64_t huge_faults;
	atomic64_t brackets;
	atomic64_t flushes;
	atomic64_t flush_skips;
	atomic64_t lease_expiries;
};

/**
 * enum primegem_track_mode - CPU access tracking mode of a device
 * @PRIMEGEM_TRACK_OFF: only buffers created with PRIMEGEM_CREATE_TRACK_CPU
 *	are tracked, with the sigbus policy.
 * @PRIMEGEM_TRACK_SIGBUS: every buffer is tracked; a bad access gets SIGBUS.
 * @PRIMEGEM_TRACK_WARN: every buffer is tracked; a bad access is recorded
 *	and let through.
 *
 * See "CPU access tracking" in primegem_track.c.
 */
enum primegem_track_mode {
	PRIMEGEM_TRACK_OFF,
	PRIMEGEM_TRACK_SIGBUS,
	PRIMEGEM_TRACK_WARN,
};

struct primegem_track_event;

/**
 * struct primegem_track_device - CPU access tracking state of a device
 * @mode: &enum primegem_track_mode, read without a lock.
 * @mode_sem: held for writing while @mode changes, for reading by a fault
 *	that may map huge while it decides and maps (see "huge mappings").
 * @lock: protects @events and @total.
 * @events: ring of the last %PRIMEGEM_TRACK_EVENTS events.
 * @total: events recorded since primegem_device_init().
 * @unmatched: bracket ENDs that matched no open bracket.
 */
struct primegem_track_device {
	int mode;
	struct rw_semaphore mode_sem; /* see above */
	spinlock_t lock; /* see above */
	struct primegem_track_event *events;
	u64 total;
	atomic64_t unmatched;
};

/**
 * struct primegem_track_object - CPU-access brackets open on an object
 * @lock: protects @readers and @writers; held by the fault path of a
 *	tracked object while it maps pages.
 * @readers: open READ-only brackets.
 * @writers: open WRITE and RW brackets.
 */
struct primegem_track_object {
	struct mutex lock; /* see above */
	unsigned int readers;
	unsigned int writers;
};

/**
 * struct primegem_device - per-device state of the primegem helpers
 * @drm: the DRM device.
 * @dma_dev: the device that imported dma-bufs are attached to.
 * @lock: protects @objects, @num_objects and @next_id.
 * @objects: every live &primegem_object of the device.
 * @num_objects: length of @objects.
 * @next_id: id of the next object; ids are never reused.
 * @stats: totals of all objects since primegem_device_init().
 * @track: CPU access tracking.
 * @pinned: bytes of objects whose pages are pinned (see "pinned memory").
 * @pin_limit: most bytes the device may pin.
 * @strict_cpu: new buffers are strict (debugfs primegem_strict_cpu).
 * @cpu_lease_ms: lease of CPU-access fences (debugfs primegem_cpu_lease_ms).
 * @huge_mnt: the device's tmpfs with huge pages, NULL if it has none.
 * @huge: new objects are backed by @huge_mnt (debugfs primegem_huge).
 *
 * Embed this in the driver's device structure and initialise it with
 * primegem_device_init().
 */
struct primegem_device {
	struct drm_device *drm;
	struct device *dma_dev;
	struct mutex lock; /* see above */
	struct list_head objects;
	unsigned int num_objects;
	u64 next_id;
	struct primegem_stats stats;
	struct primegem_track_device track;
	u64 pinned;
	u64 pin_limit;
	bool strict_cpu;
	u32 cpu_lease_ms;
	struct vfsmount *huge_mnt;
	bool huge;
};

/**
 * struct primegem_object - a GEM object managed by primegem
 * @base: the GEM object.
 * @pdev: the primegem device the object belongs to.
 * @link: entry in &primegem_device.objects.
 * @id: device-unique id, shown in debugfs.
 * @flags: PRIMEGEM_CREATE_* flags given at creation.
 * @huge: the object's shmem file is on &primegem_device.huge_mnt.
 * @pages: backing pages while @pages_use > 0; NULL for imported objects.
 * @pages_use: pins of @pages (mappings, attachments, vmaps).
 * @vaddr: kernel mapping while @vmap_use > 0.
 * @vmap_use: users of @vaddr.
 * @mappings: live CPU mappings (VMAs) served by this object.
 * @cpu_fence: the last CPU-access fence of a strict object, or NULL.
 * @cpu_context: fence context of the CPU-access fences.
 * @cpu_seqno: seqno of the last CPU-access fence.
 * @cpu_brackets: CPU-access brackets open on @cpu_fence (read locklessly
 *	by the fault path).
 * @cpu_lease_expired: the lease of @cpu_fence ran out (set by its timer).
 * @cpu_debt_readers: READ brackets of expired leases whose END is to come.
 * @cpu_debt_writers: the same for WRITE brackets.
 * @lease_logged: bit 0 set once a lease expiry was logged.
 * @cpu_fault_lock: held by the fault path of a strict object while it
 *	decides and maps, and by the lease revoke before it zaps.
 * @cpu_revoke: revokes CPU mappings when a lease expires.
 * @attach_lock: protects @attachments.
 * @attachments: importers' mapped attachments, for CPU-access brackets.
 * @stats: counters of this object.
 * @track: open CPU-access brackets, for CPU access tracking.
 *
 * @pages, @pages_use, @vaddr and @vmap_use are protected by the object's
 * reservation lock (&drm_gem_object.resv).
 */
struct primegem_object {
	struct drm_gem_object base;
	struct primegem_device *pdev;
	struct list_head link;
	u64 id;
	u32 flags;
	bool huge;
	struct page **pages;
	unsigned int pages_use;
	void *vaddr;
	unsigned int vmap_use;
	atomic_t mappings;
	struct dma_fence *cpu_fence;
	u64 cpu_context;
	u64 cpu_seqno;
	unsigned int cpu_brackets;
	bool cpu_lease_expired;
	unsigned int cpu_debt_readers;
	unsigned int cpu_debt_writers;
	unsigned long lease_logged;
	struct mutex cpu_fault_lock; /* see above */
	struct work_struct cpu_revoke;
	struct mutex attach_lock; /* protects @attachments */
	struct list_head attachments;
	struct primegem_stats stats;
	struct primegem_track_object track;
};

static inline struct primegem_object *to_primegem(struct drm_gem_object *obj)
{
	return container_of(obj, struct primegem_object, base);
}

int primegem_device_init(struct primegem_device *pdev, struct drm_device *drm,
			 struct device *dma_dev);

struct primegem_object *primegem_create(struct primegem_device *pdev,
					size_t size, u32 flags);
int primegem_create_with_handle(struct primegem_device *pdev,
				struct drm_file *file, size_t size, u32 flags,
				u32 *handle);
bool primegem_is_primegem(struct drm_gem_object *obj);

int primegem_vmap(struct drm_gem_object *obj, struct iosys_map *map);
void primegem_vunmap(struct drm_gem_object *obj, struct iosys_map *map);

int primegem_get_pages(struct primegem_object *pobj);
void primegem_put_pages(struct primegem_object *pobj);

int primegem_dumb_create(struct primegem_device *pdev, struct drm_file *file,
			 struct drm_mode_create_dumb *args);
int primegem_dumb_map_offset(struct drm_file *file, struct drm_device *drm,
			     u32 handle, u64 *offset);

struct drm_gem_object *primegem_prime_import(struct primegem_device *pdev,
					     struct dma_buf *dma_buf);

struct dma_fence *primegem_cpu_fence_get(struct drm_gem_object *obj,
					 bool write);

int primegem_drm_mmap(struct file *filp, struct vm_area_struct *vma);
unsigned long primegem_get_unmapped_area(struct file *filp, unsigned long addr,
					 unsigned long len, unsigned long pgoff,
					 unsigned long flags);

/* Without transparent huge pages nothing maps huge: default placement. */
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
#define PRIMEGEM_FOPS_UNMAPPED_AREA \
	.get_unmapped_area = primegem_get_unmapped_area,
#else
#define PRIMEGEM_FOPS_UNMAPPED_AREA
#endif

/**
 * DEFINE_PRIMEGEM_FOPS() - file operations for a primegem driver's DRM files
 * @name: name of the &struct file_operations to define
 *
 * As DEFINE_DRM_GEM_FOPS(), but mmap accepts any page offset inside an
 * object (primegem_drm_mmap()), and large mappings are placed so that they
 * can map huge pages (primegem_get_unmapped_area()).
 */
#define DEFINE_PRIMEGEM_FOPS(name) \
	static const struct file_operations name = { \
		.owner = THIS_MODULE, \
		.open = drm_open, \
		.release = drm_release, \
		.unlocked_ioctl = drm_ioctl, \
		.compat_ioctl = drm_compat_ioctl, \
		.poll = drm_poll, \
		.read = drm_read, \
		.llseek = noop_llseek, \
		.mmap = primegem_drm_mmap, \
		PRIMEGEM_FOPS_UNMAPPED_AREA \
		VPRIME_FOP_FLAGS \
	}

struct platform_device *primegem_platform_register(const char *name, int id);
void primegem_platform_unregister(struct platform_device *pdev);

void primegem_debugfs_init(struct primegem_device *pdev, struct dentry *root);

#endif /* __DRM_PRIMEGEM_H__ */
