// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * primegem CPU-access fences: the CPU as a consumer of strict buffers.
 */

#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#include <drm/drm_device.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/drm_vma_manager.h>

#include "primegem_internal.h"

/**
 * DOC: CPU-access fences
 *
 * A buffer created with %PRIMEGEM_CREATE_STRICT_CPU (or any buffer of a
 * device whose debugfs ``primegem_strict_cpu`` is set) holds devices off
 * while the CPU holds it: the 2012 design's CPU as a consumer in the
 * buffer's FIFO. A CPU-access bracket START (which first waits for the
 * device work its access conflicts with, see "PRIME") publishes a CPU-access
 * fence; END of the last open bracket signals it. Brackets from several fds
 * or processes share one fence, whose mode is the strongest access open on
 * it: device work that writes waits for any bracket, work that reads only
 * for brackets that write. Drivers find the fence a job must wait for with
 * primegem_cpu_fence_get().
 *
 * The dma-fence rules: a fence that device work depends on must signal in
 * bounded time, whatever userspace does. A bracket is a promise of
 * userspace, so the hold is a lease: if the brackets are still open after
 * the device's ``primegem_cpu_lease_ms`` (at most %PRIMEGEM_MAX_LEASE_MS),
 * the fence signals with -ETIMEDOUT from its timer, every CPU mapping of
 * the buffer is revoked (zapped), the event is counted (lease_expiries in
 * debugfs) and logged once per buffer. A later CPU access outside a new
 * bracket faults in again, and the fault of a strict buffer outside a
 * bracket first waits for the conflicting device work. Every signalling
 * path (END, the lease timer, freeing the buffer) runs outside the
 * reservation lock, in a dma_fence_begin_signalling() section where it
 * does not wait or allocate, so lockdep checks the rules.
 *
 * Why in the helper: the fence must be published and signalled by the
 * exporter's begin/end_cpu_access, which primegem implements for every
 * driver on it, and every driver's scheduler must see it; a driver only
 * asks primegem_cpu_fence_get() for its jobs. It stays opt-in per buffer.
 *
 * The fence is added to the reservation object with
 * %DMA_RESV_USAGE_BOOKKEEP: with READ or WRITE usage the dma-buf core, which
 * waits for implicit fences after calling begin_cpu_access, would wait for
 * the bracket's own fence. So implicit sync of other drivers does not see
 * CPU brackets; drivers that ask primegem_cpu_fence_get() do (vrender's
 * jobs). vdisplay's scanout does not.
 *
 * Known limitation: the core waits for implicit fences after
 * begin_cpu_access, so a job submitted on the buffer in the short window
 * between the publication of the CPU-access fence and that wait makes
 * START wait for the job, which waits for the bracket: START then returns
 * when the lease expires (counted as an expiry). Bounded, but not free.
 *
 * Locking: the fence pointer and bracket counts are protected by the
 * reservation lock. The lease timer only signals and queues the object's
 * revoke work; neither holds the object: freeing it stops the current
 * fence's timer and cancels the work first (a replaced fence's timer has
 * fired or was stopped before it was replaced). The fault path of a strict
 * object decides whether a bracket lets it map, and maps, under
 * &primegem_object.cpu_fault_lock; the revoke work takes that lock before
 * it zaps, so no mapping made under an expired lease survives the zap. A
 * fault that must wait for devices waits without that lock and, where the
 * core allows it, without mmap_lock (VM_FAULT_RETRY).
 */

static bool primegem_strict_cpu;
module_param_named(strict_cpu, primegem_strict_cpu, bool, 0444);
MODULE_PARM_DESC(strict_cpu,
		 "New devices make every new buffer strict (default false; per device: debugfs primegem_strict_cpu)");

static unsigned int primegem_cpu_lease_ms = 1000;
module_param_named(cpu_lease_ms, primegem_cpu_lease_ms, uint, 0444);
MODULE_PARM_DESC(cpu_lease_ms,
		 "Longest hold of a strict buffer by CPU brackets, for new devices (default 1000, at most 10000; per device: debugfs primegem_cpu_lease_ms)");

/* How long a fault of a strict buffer waits for device work, at most. */
#define PRIMEGEM_FAULT_WAIT	(10 * HZ)

struct primegem_cpu_fence {
	struct dma_fence base;
	spinlock_t lock; /* the dma_fence lock */
	struct timer_list lease;
	struct primegem_object *pobj;
	unsigned int readers;
	unsigned int writers;
	bool closing;
};

static struct primegem_cpu_fence *to_cpu_fence(struct dma_fence *fence)
{
	return container_of(fence, struct primegem_cpu_fence, base);
}

static const char *primegem_cpu_fence_driver_name(struct dma_fence *fence)
{
	return "primegem";
}

static const char *primegem_cpu_fence_timeline_name(struct dma_fence *fence)
{
	return "cpu-access";
}

static void primegem_cpu_fence_release(struct dma_fence *fence)
{
	struct primegem_cpu_fence *f = to_cpu_fence(fence);

	del_timer_sync(&f->lease);
	dma_fence_free(fence);
}

static const struct dma_fence_ops primegem_cpu_fence_ops = {
	.get_driver_name = primegem_cpu_fence_driver_name,
	.get_timeline_name = primegem_cpu_fence_timeline_name,
	.release = primegem_cpu_fence_release,
};

/* Signal from a path that may not wait or allocate: lockdep checks it. */
static void primegem_cpu_fence_signal(struct dma_fence *fence, int error)
{
	bool cookie = dma_fence_begin_signalling();

	if (error)
		dma_fence_set_error(fence, error);
	dma_fence_signal(fence);
	dma_fence_end_signalling(cookie);
}

/**
 * primegem_is_strict - tell whether CPU brackets hold devices off
 * @pobj: the object
 *
 * Returns: true for a strict object.
 */
bool primegem_is_strict(struct primegem_object *pobj)
{
	return pobj->flags & PRIMEGEM_CREATE_STRICT_CPU;
}

/**
 * primegem_default_flags - flags every new object of a device gets
 * @pdev: the device
 *
 * Returns: PRIMEGEM_CREATE_* flags.
 */
u32 primegem_default_flags(struct primegem_device *pdev)
{
	return READ_ONCE(pdev->strict_cpu) ? PRIMEGEM_CREATE_STRICT_CPU : 0;
}

static void primegem_cpu_fence_revoke(struct work_struct *work)
{
	struct primegem_object *pobj = container_of(work, typeof(*pobj),
						    cpu_revoke);
	struct drm_gem_object *obj = &pobj->base;

	/* A fault that saw the lease running has mapped by now: zap it too. */
	mutex_lock(&pobj->cpu_fault_lock);
	mutex_unlock(&pobj->cpu_fault_lock);
	drm_vma_node_unmap(&obj->vma_node, obj->dev->anon_inode->i_mapping);
	/* Counted once the mappings are gone, so the count means "revoked". */
	primegem_stat_inc(pobj, lease_expiries);
	if (!test_and_set_bit(0, &pobj->lease_logged))
		drm_info(obj->dev, "buffer %llu: CPU lease expired, CPU mappings revoked\n",
			 pobj->id);
}

static void primegem_cpu_fence_expire(struct timer_list *t)
{
	struct primegem_cpu_fence *f = from_timer(f, t, lease);
	struct primegem_object *pobj = f->pobj;

	WRITE_ONCE(pobj->cpu_lease_expired, true);
	/*
	 * Queued before the signal: once the fence reads as signalled, a new
	 * START may replace it and the object may go, and only work queued
	 * by then is flushed (see primegem_cpu_fence_open_locked()).
	 */
	queue_work(system_unbound_wq, &pobj->cpu_revoke);
	primegem_cpu_fence_signal(&f->base, -ETIMEDOUT);
}

static struct primegem_cpu_fence *
primegem_cpu_fence_create(struct primegem_object *pobj)
{
	struct primegem_cpu_fence *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return NULL;

	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &primegem_cpu_fence_ops, &f->lock,
		       pobj->cpu_context, ++pobj->cpu_seqno);
	timer_setup(&f->lease, primegem_cpu_fence_expire, TIMER_IRQSAFE);
	f->pobj = pobj;
	return f;
}

/*
 * The brackets still counted on a fence whose lease ran out will END later:
 * turn them into debt, which those ENDs pay off, so that they never close
 * brackets of a newer fence.
 */
static void primegem_cpu_fence_settle_locked(struct primegem_object *pobj)
{
	struct primegem_cpu_fence *f;

	dma_resv_assert_held(pobj->base.resv);

	if (!pobj->cpu_fence || !dma_fence_is_signaled(pobj->cpu_fence))
		return;
	f = to_cpu_fence(pobj->cpu_fence);
	pobj->cpu_debt_readers += f->readers;
	pobj->cpu_debt_writers += f->writers;
	f->readers = 0;
	f->writers = 0;
	WRITE_ONCE(pobj->cpu_brackets, 0);
}

/* The fence a new bracket joins: not signalled, not being signalled. */
static struct primegem_cpu_fence *
primegem_cpu_fence_current_locked(struct primegem_object *pobj)
{
	struct primegem_cpu_fence *f;

	dma_resv_assert_held(pobj->base.resv);

	if (!pobj->cpu_fence || dma_fence_is_signaled(pobj->cpu_fence))
		return NULL;
	f = to_cpu_fence(pobj->cpu_fence);
	return f->closing ? NULL : f;
}

/* The open fence of the object, or a new one published in its resv. */
static struct primegem_cpu_fence *
primegem_cpu_fence_open_locked(struct primegem_object *pobj)
{
	struct dma_resv *resv = pobj->base.resv;
	struct primegem_cpu_fence *f;

	dma_resv_assert_held(resv);

	f = primegem_cpu_fence_current_locked(pobj);
	if (f)
		return f;

	if (dma_resv_reserve_fences(resv, 1))
		return NULL;
	f = primegem_cpu_fence_create(pobj);
	if (!f)
		return NULL;

	dma_resv_add_fence(resv, &f->base, DMA_RESV_USAGE_BOOKKEEP);
	if (pobj->cpu_fence) {
		/*
		 * Signalled or closing, so its lease is not pending, but its
		 * expiry may still be running: let it finish before the
		 * object can go (the handler never takes the resv lock).
		 */
		del_timer_sync(&to_cpu_fence(pobj->cpu_fence)->lease);
		dma_fence_put(pobj->cpu_fence);
	}
	pobj->cpu_fence = &f->base;
	WRITE_ONCE(pobj->cpu_lease_expired, false);
	mod_timer(&f->lease, jiffies +
		  msecs_to_jiffies(READ_ONCE(pobj->pdev->cpu_lease_ms)));
	return f;
}

/**
 * primegem_cpu_fence_begin - a CPU-access bracket opens on a strict object
 * @pobj: the object
 * @write: whether the bracket may write
 *
 * Publishes or joins the object's CPU-access fence. The caller has waited
 * for the device work the access conflicts with.
 *
 * Returns: 0, or a negative errno (-ERESTARTSYS on a signal, -ENOMEM).
 */
int primegem_cpu_fence_begin(struct primegem_object *pobj, bool write)
{
	struct dma_resv *resv = pobj->base.resv;
	struct primegem_cpu_fence *f;
	int ret;

	ret = dma_resv_lock_interruptible(resv, NULL);
	if (ret)
		return ret;
	primegem_cpu_fence_settle_locked(pobj);
	f = primegem_cpu_fence_open_locked(pobj);
	if (f) {
		if (write)
			f->writers++;
		else
			f->readers++;
		WRITE_ONCE(pobj->cpu_brackets, f->readers + f->writers);
	}
	dma_resv_unlock(resv);
	return f ? 0 : -ENOMEM;
}

/*
 * Count an END under the reservation lock. Returns the fence the last END
 * must signal (with a reference), or NULL.
 */
static struct dma_fence *primegem_cpu_fence_end_locked(struct primegem_object *pobj,
						       bool write)
{
	unsigned int *debt = write ? &pobj->cpu_debt_writers :
				     &pobj->cpu_debt_readers;
	struct primegem_cpu_fence *f;

	dma_resv_assert_held(pobj->base.resv);

	primegem_cpu_fence_settle_locked(pobj);
	if (*debt) {
		/* The END of a bracket whose lease ran out. */
		(*debt)--;
		return NULL;
	}
	f = primegem_cpu_fence_current_locked(pobj);
	if (!f)
		return NULL;

	if (write && f->writers)
		f->writers--;
	else if (!write && f->readers)
		f->readers--;
	WRITE_ONCE(pobj->cpu_brackets, f->readers + f->writers);
	if (f->readers || f->writers)
		return NULL;

	/* No bracket joins it any more; disarmed before it fired: ours. */
	f->closing = true;
	if (!del_timer_sync(&f->lease))
		return NULL;
	return dma_fence_get(&f->base);
}

/**
 * primegem_cpu_fence_end - a CPU-access bracket closes on a strict object
 * @pobj: the object
 * @write: whether the bracket was a writing one
 *
 * The last END signals the fence, unless its lease already did, outside
 * the reservation lock. The ENDs of brackets whose lease ran out pay off
 * their debt first (they never close a newer fence's brackets); an END
 * that matches no bracket is ignored.
 */
void primegem_cpu_fence_end(struct primegem_object *pobj, bool write)
{
	struct dma_fence *fence;

	dma_resv_lock(pobj->base.resv, NULL);
	fence = primegem_cpu_fence_end_locked(pobj, write);
	dma_resv_unlock(pobj->base.resv);

	if (fence) {
		primegem_cpu_fence_signal(fence, 0);
		dma_fence_put(fence);
	}
}

static struct primegem_object *primegem_exporter(struct drm_gem_object *obj)
{
	struct dma_buf *dma_buf;

	if (!obj->import_attach)
		return primegem_is_primegem(obj) ? to_primegem(obj) : NULL;

	dma_buf = obj->import_attach->dmabuf;
	if (dma_buf->ops != &primegem_dmabuf_ops)
		return NULL;
	return to_primegem(dma_buf->priv);
}

/**
 * primegem_cpu_fence_get - the CPU-access fence device work must wait for
 * @obj: a primegem object, or an import of a primegem dma-buf
 * @write: whether the device work writes the buffer
 *
 * Call with the object's reservation lock held. Writers wait for any open
 * bracket, readers only for brackets that write.
 *
 * Returns: a reference to the fence, or NULL if there is nothing to wait for.
 */
struct dma_fence *primegem_cpu_fence_get(struct drm_gem_object *obj,
					 bool write)
{
	struct primegem_object *pobj = primegem_exporter(obj);
	struct primegem_cpu_fence *f;

	dma_resv_assert_held(obj->resv);

	if (!pobj)
		return NULL;
	f = primegem_cpu_fence_current_locked(pobj);
	if (!f || (!write && !f->writers))
		return NULL;
	return dma_fence_get(&f->base);
}
EXPORT_SYMBOL_GPL(primegem_cpu_fence_get);

/*
 * Wait for the device work a CPU access conflicts with. Where the core
 * lets a fault retry, wait without mmap_lock and have the fault retried.
 */
static vm_fault_t primegem_cpu_fault_wait(struct vm_fault *vmf,
					  struct primegem_object *pobj,
					  bool write)
{
	enum dma_resv_usage usage = dma_resv_usage_rw(write);
	struct dma_resv *resv = pobj->base.resv;
	long ret;

	if (dma_resv_test_signaled(resv, usage))
		return 0;

	if (fault_flag_allow_retry_first(vmf->flags)) {
		if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
			return VM_FAULT_RETRY;
		/* The VMA may go once the lock is dropped: hold the object. */
		drm_gem_object_get(&pobj->base);
		release_fault_lock(vmf);
		dma_resv_wait_timeout(resv, usage, true, PRIMEGEM_FAULT_WAIT);
		drm_gem_object_put(&pobj->base);
		return VM_FAULT_RETRY;
	}

	ret = dma_resv_wait_timeout(resv, usage, true, PRIMEGEM_FAULT_WAIT);
	if (ret > 0)
		return 0;
	/* Interrupted: let the access retry once the signal is handled. */
	return ret == -ERESTARTSYS ? VM_FAULT_NOPAGE : VM_FAULT_SIGBUS;
}

/* Whether an open bracket (of a running lease) lets the CPU map now. */
static bool primegem_cpu_held(struct primegem_object *pobj)
{
	return READ_ONCE(pobj->cpu_brackets) &&
	       !READ_ONCE(pobj->cpu_lease_expired);
}

/**
 * primegem_cpu_fault - fault of a strict object
 * @vmf: the fault
 * @page: the faulting object page, inside the object and the VMA
 *
 * Inside a bracket, START has waited already, and device work queued since
 * waits for the bracket: map at once. Outside one, wait for the conflicting
 * device work first (see "CPU-access fences").
 *
 * Returns: the result of mapping, VM_FAULT_RETRY after a wait without
 * mmap_lock, or VM_FAULT_SIGBUS if the wait timed out.
 */
vm_fault_t primegem_cpu_fault(struct vm_fault *vmf, pgoff_t page)
{
	struct primegem_object *pobj = to_primegem(vmf->vma->vm_private_data);
	vm_fault_t ret;

	mutex_lock(&pobj->cpu_fault_lock);
	if (!primegem_cpu_held(pobj)) {
		mutex_unlock(&pobj->cpu_fault_lock);
		ret = primegem_cpu_fault_wait(vmf, pobj,
					      vmf->flags & FAULT_FLAG_WRITE);
		if (ret)
			return ret;
		mutex_lock(&pobj->cpu_fault_lock);
	}
	ret = primegem_fault_pages(vmf, page);
	mutex_unlock(&pobj->cpu_fault_lock);
	return ret;
}

/**
 * primegem_cpu_fence_init - set up the CPU-access state of an object
 * @pobj: the object
 */
void primegem_cpu_fence_init(struct primegem_object *pobj)
{
	mutex_init(&pobj->cpu_fault_lock);
	INIT_WORK(&pobj->cpu_revoke, primegem_cpu_fence_revoke);
}

/**
 * primegem_cpu_fence_fini - drop the object's last CPU-access fence
 * @pobj: the object being freed
 *
 * The lease and the revoke work must not outlive the object (nor its
 * device, nor the module): stop them. Brackets still open are moot once
 * nobody holds the buffer, so a pending fence signals with -ECANCELED.
 */
void primegem_cpu_fence_fini(struct primegem_object *pobj)
{
	struct primegem_cpu_fence *f;

	if (pobj->cpu_fence) {
		f = to_cpu_fence(pobj->cpu_fence);
		if (del_timer_sync(&f->lease))
			primegem_cpu_fence_signal(&f->base, -ECANCELED);
		dma_fence_put(pobj->cpu_fence);
		pobj->cpu_fence = NULL;
	}
	cancel_work_sync(&pobj->cpu_revoke);
	mutex_destroy(&pobj->cpu_fault_lock);
}

/* debugfs: the device's defaults for strict buffers and leases. */

static int primegem_lease_get(void *data, u64 *val)
{
	*val = READ_ONCE(((struct primegem_device *)data)->cpu_lease_ms);
	return 0;
}

static int primegem_lease_set(void *data, u64 val)
{
	if (val < 1 || val > PRIMEGEM_MAX_LEASE_MS)
		return -EINVAL;
	WRITE_ONCE(((struct primegem_device *)data)->cpu_lease_ms, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(primegem_lease_fops, primegem_lease_get,
			 primegem_lease_set, "%llu\n");

/**
 * primegem_cpu_device_init - a device's CPU-access defaults from the module's
 * @pdev: the device
 */
void primegem_cpu_device_init(struct primegem_device *pdev)
{
	pdev->strict_cpu = READ_ONCE(primegem_strict_cpu);
	pdev->cpu_lease_ms = clamp(READ_ONCE(primegem_cpu_lease_ms), 1u,
				   (unsigned int)PRIMEGEM_MAX_LEASE_MS);
}

/**
 * primegem_cpu_debugfs_init - add primegem_strict_cpu, primegem_cpu_lease_ms
 * @pdev: the device
 * @root: its debugfs directory
 */
void primegem_cpu_debugfs_init(struct primegem_device *pdev,
			       struct dentry *root)
{
	debugfs_create_bool("primegem_strict_cpu", 0644, root,
			    &pdev->strict_cpu);
	debugfs_create_file_unsafe("primegem_cpu_lease_ms", 0644, root, pdev,
				   &primegem_lease_fops);
}
