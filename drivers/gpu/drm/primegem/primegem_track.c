// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * primegem CPU access tracking: catch CPU accesses to buffers made outside
 * their CPU-access brackets (DMA_BUF_IOCTL_SYNC).
 */

#include <linux/debugfs.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <drm/drm_device.h>
#include <drm/drm_managed.h>
#include <drm/drm_vma_manager.h>

#include "primegem_internal.h"

/**
 * DOC: CPU access tracking
 *
 * A debug mode that enforces the dma-buf CPU-access contract: a process may
 * touch a shared buffer through a CPU mapping only between
 * DMA_BUF_IOCTL_SYNC START and END, and only read it inside a READ-only
 * bracket. Outside its brackets a tracked buffer has no page mapped in any
 * CPU mapping, so a stray access faults and is caught at the faulting
 * instruction.
 *
 * Which buffers, which policy: a buffer is tracked if it was created with
 * %PRIMEGEM_CREATE_TRACK_CPU or if the mode of its device is not ``off``.
 * The device's mode is the policy: ``sigbus`` (the access fails with SIGBUS
 * at the faulting address) or ``warn`` (the access goes through and is
 * recorded); a flagged buffer on a device in mode ``off`` gets ``sigbus``.
 * New devices take their mode from the module parameter ``track_cpu``
 * (read-only after load: it is a default, not a run-time switch); the
 * debugfs file ``primegem_track_cpu`` of a device shows and switches it. A
 * switch zaps every CPU mapping of the device so that the next access
 * faults under the new mode (a fault that runs during the switch may still
 * complete under the old one). The exporter's buffer and device decide:
 * an importer's mapping of the buffer is the exporter's (see "mmap
 * routing").
 *
 * Rules for a tracked buffer: its open brackets, from any fd or process,
 * give the access level: none without brackets, READ while only READ
 * brackets are open, WRITE while a WRITE or RW bracket is open. A fault
 * within the level maps its window with that level (read-only PTEs for
 * READ; pfn_mkwrite catches a later write to them). An access above the
 * level is an event. The END that lowers the level zaps every CPU mapping
 * of the buffer (all of them sit at its fake offset in the exporting
 * device's address space), so that pages refault under the new level:
 * none after the last bracket, read-only when the last WRITE bracket closes
 * while READ ones remain. An END of a kind with no open bracket changes
 * nothing and is counted as unmatched. Accesses within the level cost
 * nothing beyond the fault that maps the pages in.
 *
 * Under ``warn`` only the faulting page is mapped, with the access it
 * needed, so a page is reported once until the buffer's mappings are next
 * zapped. Every event is kept in a ring of the last %PRIMEGEM_TRACK_EVENTS
 * events of the device (debugfs ``primegem_track_events``) and logged,
 * ratelimited.
 *
 * Brackets are counted on every buffer, tracked or not, so that a device
 * switched on while brackets are open does not report their accesses. The
 * dma-buf core waits for fences after begin_cpu_access and may fail there
 * after the bracket was counted, so START first waits itself (for every
 * buffer, see "PRIME"). A bracket left open by a process that exits stays
 * open: the dma-buf core does not tell the exporter who opened it.
 *
 * Locking: &primegem_track_object.lock protects the bracket counts. The
 * fault path of a tracked buffer holds it while it maps pages (inside
 * mmap_lock, around page table locks); START and END hold it only to
 * count, and END zaps after dropping it. A fault that saw the old level
 * has thus mapped its pages before the zap, and a later one sees the new
 * level. pfn_mkwrite checks the level under the lock and lets the core
 * make the PTE writable; the core does so only if the PTE is unchanged, so
 * a PTE zapped meanwhile stays zapped. &primegem_track_device.lock protects
 * the event ring and is never held with another lock. The mode is read
 * without a lock, except by the faults of windows that may map huge (see
 * "huge mappings"), which decide and map under
 * &primegem_track_device.mode_sem and the object's lock. An untracked
 * buffer pays one branch per 4 KiB fault (an uncontended rwsem and mutex
 * per fault of such a window) and an uncontended mutex per START and END.
 */

/**
 * struct primegem_track_event - one access outside a bracket
 * @seq: 1 for the first event of the device.
 * @id: the buffer's id.
 * @offset: byte offset of the access in the buffer.
 * @pid: process (thread group) id.
 * @write: a write, else a read.
 * @action: %PRIMEGEM_TRACK_SIGBUS or %PRIMEGEM_TRACK_WARN.
 * @comm: command name of the task.
 */
struct primegem_track_event {
	u64 seq;
	u64 id;
	u64 offset;
	pid_t pid;
	bool write;
	u8 action;
	char comm[TASK_COMM_LEN];
};

static const char *const primegem_track_modes[] = {
	[PRIMEGEM_TRACK_OFF] = "off",
	[PRIMEGEM_TRACK_SIGBUS] = "sigbus",
	[PRIMEGEM_TRACK_WARN] = "warn",
};

static int primegem_track_default = PRIMEGEM_TRACK_OFF;

/**
 * primegem_track_parse - parse a tracking mode
 * @buf: "off", "sigbus" or "warn", with an optional trailing newline
 *
 * Returns: the &enum primegem_track_mode, or -EINVAL.
 */
int primegem_track_parse(const char *buf)
{
	return __sysfs_match_string(primegem_track_modes,
				    ARRAY_SIZE(primegem_track_modes), buf);
}

static int primegem_track_param_set(const char *val,
				    const struct kernel_param *kp)
{
	int mode = primegem_track_parse(val);

	if (mode < 0)
		return mode;
	WRITE_ONCE(*(int *)kp->arg, mode);
	return 0;
}

static int primegem_track_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  primegem_track_modes[READ_ONCE(*(int *)kp->arg)]);
}

static const struct kernel_param_ops primegem_track_param_ops = {
	.set = primegem_track_param_set,
	.get = primegem_track_param_get,
};

module_param_cb(track_cpu, &primegem_track_param_ops,
		&primegem_track_default, 0444);
MODULE_PARM_DESC(track_cpu,
		 "CPU access tracking mode of new devices: off (default), sigbus or warn (per device: debugfs primegem_track_cpu)");

/**
 * primegem_track_level - access allowed by the open brackets
 * @readers: open READ-only brackets
 * @writers: open WRITE and RW brackets
 *
 * Returns: the strongest access that an open bracket allows.
 */
enum primegem_access primegem_track_level(unsigned int readers,
					  unsigned int writers)
{
	if (writers)
		return PRIMEGEM_ACCESS_WRITE;
	return readers ? PRIMEGEM_ACCESS_READ : PRIMEGEM_ACCESS_NONE;
}

/**
 * primegem_track_policy - what happens to an access outside the brackets
 * @mode: the device's mode
 * @flagged: the buffer has %PRIMEGEM_CREATE_TRACK_CPU
 *
 * Returns: %PRIMEGEM_TRACK_OFF if the buffer is not tracked, else the
 * policy: the device's mode, or %PRIMEGEM_TRACK_SIGBUS for a flagged buffer
 * on a device whose mode is off.
 */
enum primegem_track_mode primegem_track_policy(enum primegem_track_mode mode,
					       bool flagged)
{
	if (mode == PRIMEGEM_TRACK_OFF && flagged)
		return PRIMEGEM_TRACK_SIGBUS;
	return mode;
}

static enum primegem_track_mode primegem_track_action(struct primegem_object *pobj)
{
	return primegem_track_policy(READ_ONCE(pobj->pdev->track.mode),
				     pobj->flags & PRIMEGEM_CREATE_TRACK_CPU);
}

/**
 * primegem_track_device_init - set up the tracking state of a device
 * @pdev: the device, whose &primegem_device.drm is set
 *
 * Returns: 0 or -ENOMEM.
 */
int primegem_track_device_init(struct primegem_device *pdev)
{
	struct primegem_track_device *td = &pdev->track;

	BUILD_BUG_ON(!is_power_of_2(PRIMEGEM_TRACK_EVENTS));
	td->events = drmm_kcalloc(pdev->drm, PRIMEGEM_TRACK_EVENTS,
				  sizeof(*td->events), GFP_KERNEL);
	if (!td->events)
		return -ENOMEM;
	spin_lock_init(&td->lock);
	init_rwsem(&td->mode_sem);
	td->total = 0;
	atomic64_set(&td->unmatched, 0);
	td->mode = READ_ONCE(primegem_track_default);
	return 0;
}

/**
 * primegem_track_object_init - set up the tracking state of an object
 * @pobj: the object
 */
void primegem_track_object_init(struct primegem_object *pobj)
{
	mutex_init(&pobj->track.lock);
	pobj->track.readers = 0;
	pobj->track.writers = 0;
}

/* Unmap the object from every CPU mapping; accesses fault again. */
static void primegem_track_zap(struct primegem_object *pobj)
{
	struct drm_gem_object *obj = &pobj->base;

	drm_vma_node_unmap(&obj->vma_node, obj->dev->anon_inode->i_mapping);
}

/**
 * primegem_track_begin - count a CPU-access bracket that opens
 * @pobj: the exporting object
 * @write: a WRITE or RW bracket, else READ-only
 *
 * Called without the reservation lock, once the device work the access
 * conflicts with is done (see "PRIME").
 */
void primegem_track_begin(struct primegem_object *pobj, bool write)
{
	struct primegem_track_object *t = &pobj->track;

	mutex_lock(&t->lock);
	if (write)
		t->writers++;
	else
		t->readers++;
	mutex_unlock(&t->lock);
}

/**
 * primegem_track_end - count a CPU-access bracket that closes
 * @pobj: the exporting object
 * @write: a WRITE or RW bracket, else READ-only
 *
 * If this lowers the access level of a tracked object, every CPU mapping of
 * it is zapped. Called without the reservation lock.
 */
void primegem_track_end(struct primegem_object *pobj, bool write)
{
	struct primegem_track_object *t = &pobj->track;
	unsigned int *count = write ? &t->writers : &t->readers;
	enum primegem_access before, after;
	bool unmatched;

	mutex_lock(&t->lock);
	before = primegem_track_level(t->readers, t->writers);
	unmatched = !*count;
	if (!unmatched)
		(*count)--;
	after = primegem_track_level(t->readers, t->writers);
	mutex_unlock(&t->lock);

	if (unmatched)
		atomic64_inc(&pobj->pdev->track.unmatched);
	/* After the unlock: see "CPU access tracking". */
	if (after < before && primegem_tracked(pobj))
		primegem_track_zap(pobj);
}

/**
 * primegem_track_record - record and log an access outside the brackets
 * @pobj: the object
 * @vmf: the fault of the access
 * @write: a write, else a read
 * @action: %PRIMEGEM_TRACK_SIGBUS or %PRIMEGEM_TRACK_WARN
 *
 * Call without &primegem_track_object.lock.
 */
void primegem_track_record(struct primegem_object *pobj, struct vm_fault *vmf,
			   bool write, enum primegem_track_mode action)
{
	struct primegem_track_device *td = &pobj->pdev->track;
	pgoff_t page = vmf->pgoff - drm_vma_node_start(&pobj->base.vma_node);
	struct primegem_track_event ev = {
		.id = pobj->id,
		.offset = ((u64)page << PAGE_SHIFT) +
			  offset_in_page(vmf->real_address),
		.pid = task_tgid_nr(current),
		.write = write,
		.action = action,
	};

	get_task_comm(ev.comm, current);
	spin_lock(&td->lock);
	ev.seq = ++td->total;
	td->events[(ev.seq - 1) & (PRIMEGEM_TRACK_EVENTS - 1)] = ev;
	spin_unlock(&td->lock);

	dev_warn_ratelimited(pobj->pdev->drm->dev,
			     "primegem: CPU %s of buffer %llu at offset %llu outside a %s bracket by pid %d (%s): %s\n",
			     write ? "write" : "read", ev.id, ev.offset,
			     write ? "WRITE" : "READ", ev.pid, ev.comm,
			     action == PRIMEGEM_TRACK_SIGBUS ? "SIGBUS" : "allowed");
}

/*
 * Protection of PTEs that allow @level (at most what the VMA allows). Pages
 * mapped for reading stay readable in a write-only VMA: no CPU has
 * write-only pages, so such a VMA is read too (the core lets the read
 * fault through), and vm_get_page_prot() of VM_SHARED alone is PAGE_NONE,
 * which faults again at once: forever, where no NUMA balancing repairs it.
 */
static pgprot_t primegem_track_prot(struct vm_area_struct *vma,
				    enum primegem_access level)
{
	unsigned long flags = vma->vm_flags;

	if (level != PRIMEGEM_ACCESS_WRITE && (flags & VM_WRITE))
		flags = (flags & ~VM_WRITE) | VM_READ;
	return vm_get_page_prot(flags);
}

/**
 * primegem_track_fault_locked - fault of a tracked object, lock held
 * @vmf: the fault
 * @page: the faulting object page, inside the object and the VMA
 * @action: returns what the access was outside the brackets:
 *	%PRIMEGEM_TRACK_OFF if it was not; else record it after unlocking
 *
 * Call with &primegem_track_object.lock held.
 *
 * Returns: the result of mapping, or VM_FAULT_SIGBUS for an access outside
 * the brackets under the sigbus policy.
 */
vm_fault_t primegem_track_fault_locked(struct vm_fault *vmf, pgoff_t page,
				       enum primegem_track_mode *action)
{
	struct primegem_object *pobj = to_primegem(vmf->vma->vm_private_data);
	struct primegem_track_object *t = &pobj->track;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	enum primegem_access need = write ? PRIMEGEM_ACCESS_WRITE :
					    PRIMEGEM_ACCESS_READ;
	enum primegem_access level;

	lockdep_assert_held(&t->lock);

	/* PRIMEGEM_TRACK_OFF: the access is allowed. */
	*action = PRIMEGEM_TRACK_OFF;
	level = primegem_track_level(t->readers, t->writers);
	if (level < need) {
		*action = primegem_track_action(pobj);
		/* No longer tracked: full access; warn: what the access needs. */
		level = *action == PRIMEGEM_TRACK_OFF ? PRIMEGEM_ACCESS_WRITE : need;
	}
	if (*action == PRIMEGEM_TRACK_SIGBUS)
		return VM_FAULT_SIGBUS;
	return primegem_fault_map(vmf, page, *action == PRIMEGEM_TRACK_OFF,
				  primegem_track_prot(vmf->vma, level));
}

/**
 * primegem_track_fault - fault of a tracked object
 * @vmf: the fault
 * @page: the faulting object page, inside the object and the VMA
 *
 * Returns: as primegem_track_fault_locked().
 */
vm_fault_t primegem_track_fault(struct vm_fault *vmf, pgoff_t page)
{
	struct primegem_object *pobj = to_primegem(vmf->vma->vm_private_data);
	enum primegem_track_mode action;
	vm_fault_t ret;

	mutex_lock(&pobj->track.lock);
	ret = primegem_track_fault_locked(vmf, page, &action);
	mutex_unlock(&pobj->track.lock);

	if (action != PRIMEGEM_TRACK_OFF)
		primegem_track_record(pobj, vmf, vmf->flags & FAULT_FLAG_WRITE,
				      action);
	return ret;
}

/**
 * primegem_track_mkwrite - write to a page of a tracked object mapped
 *	read-only
 * @vmf: the fault
 *
 * Returns: 0 to let the core make the PTE writable, or VM_FAULT_SIGBUS.
 */
vm_fault_t primegem_track_mkwrite(struct vm_fault *vmf)
{
	struct primegem_object *pobj = to_primegem(vmf->vma->vm_private_data);
	struct primegem_track_object *t = &pobj->track;
	enum primegem_track_mode action = PRIMEGEM_TRACK_OFF;

	mutex_lock(&t->lock);
	if (primegem_track_level(t->readers, t->writers) < PRIMEGEM_ACCESS_WRITE)
		action = primegem_track_action(pobj);
	mutex_unlock(&t->lock);

	if (action == PRIMEGEM_TRACK_OFF)
		return 0;
	primegem_track_record(pobj, vmf, true, action);
	return action == PRIMEGEM_TRACK_SIGBUS ? VM_FAULT_SIGBUS : 0;
}

/* debugfs */

static void primegem_track_set_mode(struct primegem_device *pdev, int mode)
{
	int old;

	/*
	 * Every mapping of the device refaults under the new mode. A fault
	 * that may map huge decides and maps under mode_sem: once the write
	 * side is released, it has mapped, and the zap takes it away.
	 */
	down_write(&pdev->track.mode_sem);
	old = xchg(&pdev->track.mode, mode);
	up_write(&pdev->track.mode_sem);
	if (old != mode)
		unmap_mapping_range(pdev->drm->anon_inode->i_mapping, 0, 0, 1);
}

static int primegem_track_cpu_show(struct seq_file *m, void *data)
{
	struct primegem_device *pdev = m->private;

	seq_printf(m, "%s\n", primegem_track_modes[READ_ONCE(pdev->track.mode)]);
	return 0;
}

static int primegem_track_cpu_open(struct inode *inode, struct file *file)
{
	return single_open(file, primegem_track_cpu_show, inode->i_private);
}

static ssize_t primegem_track_cpu_write(struct file *file,
					const char __user *ubuf, size_t len,
					loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	char buf[16];
	int mode;

	/* One whole word per write, at offset 0. */
	if (*ppos || !len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (strlen(buf) != len)
		return -EINVAL;

	mode = primegem_track_parse(buf);
	if (mode < 0)
		return mode;
	primegem_track_set_mode(m->private, mode);
	return len;
}

static const struct file_operations primegem_track_cpu_fops = {
	.owner = THIS_MODULE,
	.open = primegem_track_cpu_open,
	.read = seq_read,
	.write = primegem_track_cpu_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static void primegem_track_show_event(struct seq_file *m,
				      const struct primegem_track_event *ev)
{
	seq_printf(m, "seq=%llu pid=%d id=%llu offset=%llu access=%s action=%s comm=%s\n",
		   ev->seq, ev->pid, ev->id, ev->offset,
		   ev->write ? "write" : "read",
		   primegem_track_modes[ev->action], ev->comm);
}

static int primegem_track_events_show(struct seq_file *m, void *data)
{
	struct primegem_device *pdev = m->private;
	struct primegem_track_device *td = &pdev->track;
	u64 seq, first;

	spin_lock(&td->lock);
	seq_printf(m, "total=%llu unmatched_ends=%lld capacity=%u mode=%s\n",
		   td->total, (long long)atomic64_read(&td->unmatched),
		   PRIMEGEM_TRACK_EVENTS,
		   primegem_track_modes[READ_ONCE(td->mode)]);
	first = td->total > PRIMEGEM_TRACK_EVENTS ?
		td->total - PRIMEGEM_TRACK_EVENTS + 1 : 1;
	for (seq = first; seq <= td->total; seq++)
		primegem_track_show_event(m, &td->events[(seq - 1) &
					  (PRIMEGEM_TRACK_EVENTS - 1)]);
	spin_unlock(&td->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(primegem_track_events);

/**
 * primegem_track_debugfs_init - add the tracking files of a device
 * @pdev: the device
 * @root: its debugfs directory
 */
void primegem_track_debugfs_init(struct primegem_device *pdev,
				 struct dentry *root)
{
	debugfs_create_file("primegem_track_cpu", 0644, root, pdev,
			    &primegem_track_cpu_fops);
	debugfs_create_file("primegem_track_events", 0444, root, pdev,
			    &primegem_track_events_fops);
}
