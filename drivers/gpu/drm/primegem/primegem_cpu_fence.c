// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * primegem CPU-access fences: the CPU as a consumer of strict buffers.
 */

#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
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
 * A buffer created with %PRIMEGEM_CREATE_STRICT_CPU (or any buffer when the
 * module parameter strict_cpu is set) holds devices off while the CPU holds
 * it. The CPU-access bracket START first waits for the device work that
 * conflicts with the access, then publishes a CPU-access fence; END of the
 * last open bracket signals it. Brackets from several fds or processes
 * share one fence, whose mode is the strongest access open on it: device
 * work that writes waits for any bracket, work that reads only for brackets
 * that write. Drivers find the fence a job must wait for with
 * primegem_cpu_fence_get().
 *
 * The fence is added to the reservation object with
 * %DMA_RESV_USAGE_BOOKKEEP: with READ or WRITE usage the dma-buf core, which
 * waits for implicit fences after calling begin_cpu_access, would wait for
 * the bracket's own fence. So implicit sync of other drivers does not see
 * CPU brackets; drivers that ask primegem_cpu_fence_get() do (vrender's
 * jobs). vdisplay's scanout does not.
 *
 * Known limitation: 6.1's core waits for implicit fences after
 * begin_cpu_access, so a job submitted on the buffer in the short window
 * between the publication of the CPU-access fence and that wait makes
 * START wait for the job, which waits for the bracket: START then returns
 * when the lease expires (counted as an expiry). Bounded, but not free.
 *
 * A fence must signal in bounded time, so the hold is a lease: if the
 * brackets are still open after cpu_lease_ms, the fence signals with
 * -ETIMEDOUT, every CPU mapping of the buffer is revoked (zapped), the event
 * is counted (lease_expiries in debugfs) and logged once per buffer. A later
 * CPU access outside a new bracket faults in again, and the fault of a
 * strict buffer first waits for the conflicting device work.
 *
 * Locking: the fence pointer and bracket counts are protected by the
 * reservation lock. The lease timer only signals and queues the revoke
 * work. Neither holds the object: freeing it stops the timer and cancels
 * the work first, so they never outlive it, its device or the module.
 */

static bool primegem_strict_cpu;
module_param_named(strict_cpu, primegem_strict_cpu, bool, 0644);
MODULE_PARM_DESC(strict_cpu,
		 "New buffers hold devices off during CPU-access brackets");

static unsigned int primegem_cpu_lease_ms = 1000;
module_param_named(cpu_lease_ms, primegem_cpu_lease_ms, uint, 0644);
MODULE_PARM_DESC(cpu_lease_ms,
		 "Longest hold of a strict buffer by CPU brackets (default 1000)");

/* How long a fault of a strict buffer waits for device work, at most. */
#define PRIMEGEM_FAULT_WAIT	(10 * HZ)

struct primegem_cpu_fence {
	struct dma_fence base;
	spinlock_t lock; /* the dma_fence lock */
	struct timer_list lease;
	struct work_struct revoke;
	struct primegem_object *pobj;
	unsigned int readers;
	unsigned int writers;
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
 * primegem_default_flags - flags every new object gets from module options
 *
 * Returns: PRIMEGEM_CREATE_* flags.
 */
u32 primegem_default_flags(void)
{
	return READ_ONCE(primegem_strict_cpu) ? PRIMEGEM_CREATE_STRICT_CPU : 0;
}

static void primegem_cpu_fence_revoke(struct work_struct *work)
{
	struct primegem_cpu_fence *f = container_of(work, typeof(*f), revoke);
	struct primegem_object *pobj = f->pobj;
	struct drm_gem_object *obj = &pobj->base;

	drm_vma_node_unmap(&obj->vma_node, obj->dev->anon_inode->i_mapping);
	/* Counted once the mappings are gone, so the count means "revoked". */
	primegem_stat_inc(pobj, lease_expiries);
	if (!test_and_set_bit(0, &pobj->lease_logged))
		drm_info(obj->dev, "buffer %llu: CPU lease of %u ms expired, CPU mappings revoked\n",
			 pobj->id, READ_ONCE(primegem_cpu_lease_ms));

	dma_fence_put(&f->base);
}

static void primegem_cpu_fence_expire(struct timer_list *t)
{
	struct primegem_cpu_fence *f = from_timer(f, t, lease);

	dma_fence_get(&f->base);
	WRITE_ONCE(f->pobj->cpu_lease_expired, true);
	dma_fence_set_error(&f->base, -ETIMEDOUT);
	dma_fence_signal(&f->base);
	queue_work(system_unbound_wq, &f->revoke);
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
	INIT_WORK(&f->revoke, primegem_cpu_fence_revoke);
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

/* The open fence of the object, or a new one published in its resv. */
static struct primegem_cpu_fence *
primegem_cpu_fence_open_locked(struct primegem_object *pobj)
{
	struct dma_resv *resv = pobj->base.resv;
	struct primegem_cpu_fence *f;

	dma_resv_assert_held(resv);

	if (pobj->cpu_fence && !dma_fence_is_signaled(pobj->cpu_fence))
		return to_cpu_fence(pobj->cpu_fence);

	if (dma_resv_reserve_fences(resv, 1))
		return NULL;
	f = primegem_cpu_fence_create(pobj);
	if (!f)
		return NULL;

	dma_resv_add_fence(resv, &f->base, DMA_RESV_USAGE_BOOKKEEP);
	dma_fence_put(pobj->cpu_fence);
	pobj->cpu_fence = &f->base;
	WRITE_ONCE(pobj->cpu_lease_expired, false);
	mod_timer(&f->lease,
		  jiffies + msecs_to_jiffies(READ_ONCE(primegem_cpu_lease_ms)));
	return f;
}

/**
 * primegem_cpu_fence_begin - a CPU-access bracket opens on a strict object
 * @pobj: the object
 * @write: whether the bracket may write
 *
 * Waits for the device work the access conflicts with, then publishes or
 * joins the object's CPU-access fence.
 *
 * Returns: 0, or a negative errno (-ERESTARTSYS on a signal, -ENOMEM).
 */
int primegem_cpu_fence_begin(struct primegem_object *pobj, bool write)
{
	struct dma_resv *resv = pobj->base.resv;
	struct primegem_cpu_fence *f;
	long wait;
	int ret;

	wait = dma_resv_wait_timeout(resv, dma_resv_usage_rw(write), true,
				     MAX_SCHEDULE_TIMEOUT);
	if (wait < 0)
		return wait;

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

/**
 * primegem_cpu_fence_end - a CPU-access bracket closes on a strict object
 * @pobj: the object
 * @write: whether the bracket was a writing one
 *
 * The last END signals the fence, unless its lease already did. The ENDs of
 * brackets whose lease ran out pay off their debt first (they never close a
 * newer fence's brackets); an END that matches no bracket is ignored.
 */
void primegem_cpu_fence_end(struct primegem_object *pobj, bool write)
{
	struct primegem_cpu_fence *f;
	unsigned int *debt = write ? &pobj->cpu_debt_writers :
				     &pobj->cpu_debt_readers;

	dma_resv_lock(pobj->base.resv, NULL);
	primegem_cpu_fence_settle_locked(pobj);
	if (*debt) {
		/* The END of a bracket whose lease ran out. */
		(*debt)--;
		goto out_unlock;
	}
	if (!pobj->cpu_fence || dma_fence_is_signaled(pobj->cpu_fence))
		goto out_unlock;

	f = to_cpu_fence(pobj->cpu_fence);
	if (write && f->writers)
		f->writers--;
	else if (!write && f->readers)
		f->readers--;
	WRITE_ONCE(pobj->cpu_brackets, f->readers + f->writers);
	if (f->readers || f->writers)
		goto out_unlock;

	/* Disarmed before it fired: ours to signal, else the lease did. */
	if (del_timer_sync(&f->lease))
		dma_fence_signal(&f->base);
out_unlock:
	dma_resv_unlock(pobj->base.resv);
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

	if (!pobj || !pobj->cpu_fence || dma_fence_is_signaled(pobj->cpu_fence))
		return NULL;

	f = to_cpu_fence(pobj->cpu_fence);
	if (!write && !f->writers)
		return NULL;
	return dma_fence_get(&f->base);
}
EXPORT_SYMBOL_GPL(primegem_cpu_fence_get);

/**
 * primegem_cpu_fault_wait - let a fault of a strict object wait for devices
 * @pobj: the object
 * @write: whether the fault is for a write
 *
 * Only outside brackets: inside one, START has waited already, and device
 * work queued since waits for the bracket, so waiting for it would deadlock.
 *
 * Returns: 0 or VM_FAULT_SIGBUS if the wait was cut short.
 */
vm_fault_t primegem_cpu_fault_wait(struct primegem_object *pobj, bool write)
{
	long ret;

	if (READ_ONCE(pobj->cpu_brackets) && !READ_ONCE(pobj->cpu_lease_expired))
		return 0;

	ret = dma_resv_wait_timeout(pobj->base.resv, dma_resv_usage_rw(write),
				    true, PRIMEGEM_FAULT_WAIT);
	if (ret > 0)
		return 0;
	/* Interrupted: let the access retry once the signal is handled. */
	return ret == -ERESTARTSYS ? VM_FAULT_NOPAGE : VM_FAULT_SIGBUS;
}

/**
 * primegem_cpu_fence_fini - drop the object's last CPU-access fence
 * @pobj: the object being freed
 *
 * The lease and its revoke work must not outlive the object (nor its
 * device, nor the module): stop them. Brackets still open are moot once
 * nobody holds the buffer, so a pending fence signals with -ECANCELED.
 */
void primegem_cpu_fence_fini(struct primegem_object *pobj)
{
	struct primegem_cpu_fence *f;

	if (!pobj->cpu_fence)
		return;

	f = to_cpu_fence(pobj->cpu_fence);
	if (del_timer_sync(&f->lease)) {
		dma_fence_set_error(&f->base, -ECANCELED);
		dma_fence_signal(&f->base);
	}
	/* Queued by the lease with a fence reference of its own. */
	if (cancel_work_sync(&f->revoke))
		dma_fence_put(&f->base);
	dma_fence_put(pobj->cpu_fence);
	pobj->cpu_fence = NULL;
}
