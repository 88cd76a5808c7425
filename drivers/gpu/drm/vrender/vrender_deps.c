// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vrender dependencies: what a job waits for, through the scheduler, within
 * one deadline.
 */

#include <linux/dma-fence.h>
#include <linux/dma-fence-chain.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/xarray.h>

#include <drm/gpu_scheduler.h>

#include <uapi/drm/vrender_drm.h>

#include "vrender_drv.h"
#include "vrender_engine.h"

/**
 * DOC: dependencies
 *
 * A job's dependencies are the conflicting fences of its buffers (implicit
 * sync, see vrender_submit.c) and its explicit in-fences. The scheduler
 * waits for them (drm_sched_job_add_dependency()) before it hands the job to
 * the device, one after the other, for as long as they take. vrender
 * promises more: a job waits at most its device's job timeout (see
 * "timeouts" in vrender_drv.c) for all of its dependencies together; then
 * it fails with -ETIMEDOUT without executing. A fence from a driver that
 * never signals, or a sync_file of a test timeline, must not hold the
 * file's queue for ever, and a job with N slow dependencies must not wait
 * N times the timeout.
 *
 * The scheduler has no such bound, so each dependency reaches it through a
 * proxy: a fence of the job's that signals when the dependency does, or
 * with -ETIMEDOUT when the job's deadline passes, whichever comes first.
 * The deadline starts when the scheduler first waits for one of the job's
 * proxies, that is once the file's jobs before it have gone to the device:
 * time spent behind them is not the job's. For the same reason vrender
 * gathers the implicit dependencies itself, under the reservation locks as
 * drm_sched_job_add_implicit_dependencies() would, rather than let the
 * scheduler add them unbounded.
 *
 * Left out, as the scheduler would leave them out: fences of the job's own
 * file (the file's jobs reach the device in order and the device executes in
 * order) and fences signalled already. Of the rest one fence per context is
 * kept, the later one, and each is counted by cause in the engine's debugfs
 * counters.
 *
 * Lifetime and locking: the proxies belong to the job, are all signalled
 * before it runs (a job that never reaches the scheduler signals them in
 * vrender_deps_fini()), and never leave it: only the scheduler holds
 * references besides the job, and drops them before the job is freed. A
 * proxy signals from its dependency's callback, under that fence's lock,
 * and takes &vrender_deps.lock (the proxies' fence lock) inside it; the
 * deadline takes &vrender_deps.lock alone. Nothing takes a dependency's lock
 * under &vrender_deps.lock.
 */

/* A dependency as the scheduler sees it. */
struct vrender_dep {
	struct dma_fence base;	/* first: the default release frees it */
	struct dma_fence_cb cb;
	struct dma_fence *fence;
	struct vrender_job *job;
	struct list_head link;
};

static const char *vrender_dep_driver_name(struct dma_fence *fence)
{
	return "vrender";
}

static const char *vrender_dep_timeline_name(struct dma_fence *fence)
{
	return "dependency";
}

/* The scheduler starts waiting for the job: so does its deadline. */
static bool vrender_dep_enable_signaling(struct dma_fence *fence)
{
	struct vrender_dep *dep = container_of(fence, typeof(*dep), base);
	struct vrender_deps *deps = &dep->job->deps;
	unsigned int timeout_ms;

	lockdep_assert_held(&deps->lock);
	if (!deps->started) {
		deps->started = true;
		timeout_ms = READ_ONCE(dep->job->engine->job_timeout_ms);
		mod_timer(&deps->deadline,
			  jiffies + msecs_to_jiffies(timeout_ms));
	}
	return true;
}

static const struct dma_fence_ops vrender_dep_ops = {
	.get_driver_name = vrender_dep_driver_name,
	.get_timeline_name = vrender_dep_timeline_name,
	.enable_signaling = vrender_dep_enable_signaling,
};

static void vrender_dep_signalled(struct dma_fence *fence,
				  struct dma_fence_cb *cb)
{
	struct vrender_dep *dep = container_of(cb, typeof(*dep), cb);

	/* Already signalled if the deadline came first: nothing happens. */
	dma_fence_signal(&dep->base);
}

static void vrender_deps_expire(struct timer_list *t)
{
	struct vrender_deps *deps = from_timer(deps, t, deadline);
	struct vrender_dep *dep;
	unsigned long flags;

	spin_lock_irqsave(&deps->lock, flags);
	list_for_each_entry(dep, &deps->list, link) {
		if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &dep->base.flags))
			continue;
		/* Seen by whoever the signal wakes up: set it first. */
		WRITE_ONCE(deps->timed_out, true);
		dma_fence_set_error(&dep->base, -ETIMEDOUT);
		dma_fence_signal_locked(&dep->base);
	}
	spin_unlock_irqrestore(&deps->lock, flags);
}

/**
 * vrender_deps_init - start a job with no dependencies
 * @job: the job
 */
void vrender_deps_init(struct vrender_job *job)
{
	struct vrender_deps *deps = &job->deps;

	spin_lock_init(&deps->lock);
	INIT_LIST_HEAD(&deps->list);
	xa_init_flags(&deps->pending, XA_FLAGS_ALLOC);
	timer_setup(&deps->deadline, vrender_deps_expire, 0);
}

/**
 * vrender_deps_add - make a job wait for a fence
 * @job: the job, initialised for its entity
 * @fence: the fence; the reference is the job's now
 * @cause: why the job waits, for the counters
 *
 * Returns: 0, -EBUSY if the job already waits for %VRENDER_MAX_JOB_DEPS
 * fences (of distinct contexts), or -ENOMEM.
 */
int vrender_deps_add(struct vrender_job *job, struct dma_fence *fence,
		     enum vrender_wait_cause cause)
{
	struct drm_sched_entity *entity = job->base.entity;
	struct vrender_engine *engine = job->engine;
	struct vrender_engine *from;
	struct dma_fence *entry;
	unsigned long index;
	u32 id;
	int ret;

	if (fence->context == entity->fence_context ||
	    fence->context == entity->fence_context + 1 ||
	    dma_fence_is_signaled(fence)) {
		dma_fence_put(fence);
		return 0;
	}
	from = vrender_fence_engine(fence);
	if (cause == VRENDER_WAIT_IMPLICIT && from && from != engine)
		cause = VRENDER_WAIT_CROSS_DEVICE;

	xa_for_each(&job->deps.pending, index, entry) {
		if (entry->context != fence->context)
			continue;
		if (dma_fence_is_later(fence, entry)) {
			dma_fence_put(entry);
			xa_store(&job->deps.pending, index, fence,
				 GFP_KERNEL_ACCOUNT);
		} else {
			dma_fence_put(fence);
		}
		job->deps.waits[cause]++;
		return 0;
	}
	/* Bounds the work done under the buffers' locks, and the memory. */
	if (job->deps.count >= VRENDER_MAX_JOB_DEPS) {
		dma_fence_put(fence);
		return -EBUSY;
	}
	ret = xa_alloc(&job->deps.pending, &id, fence, xa_limit_32b,
		       GFP_KERNEL_ACCOUNT);
	if (ret) {
		dma_fence_put(fence);
		return ret;
	}
	job->deps.count++;
	job->deps.waits[cause]++;
	return 0;
}

/**
 * vrender_deps_count - add the job's dependencies to the engine's counters
 * @job: the job, past its last failure point
 *
 * A submit that fails leaves the counters alone.
 */
void vrender_deps_count(struct vrender_job *job)
{
	unsigned int i;

	for (i = 0; i < VRENDER_WAIT_CAUSES; i++)
		atomic64_add(job->deps.waits[i], &job->engine->waits[i]);
}

/**
 * vrender_deps_commit - hand the job's dependencies to the scheduler
 * @job: the job, not armed yet
 *
 * Returns: 0 or -ENOMEM. On error the job is freed with vrender_job_free().
 */
int vrender_deps_commit(struct vrender_job *job)
{
	struct vrender_deps *deps = &job->deps;
	struct dma_fence *fence;
	struct vrender_dep *dep;
	unsigned long index;
	int ret;

	xa_for_each(&deps->pending, index, fence) {
		dep = kzalloc(sizeof(*dep), GFP_KERNEL_ACCOUNT);
		if (!dep)
			return -ENOMEM;
		xa_erase(&deps->pending, index);
		dep->fence = fence;
		dep->job = job;
		INIT_LIST_HEAD(&dep->cb.node);
		/* A context each: the scheduler keeps one fence per context. */
		dma_fence_init(&dep->base, &vrender_dep_ops, &deps->lock,
			       dma_fence_context_alloc(1), 1);
		spin_lock_irq(&deps->lock);
		list_add_tail(&dep->link, &deps->list);
		spin_unlock_irq(&deps->lock);

		if (dma_fence_add_callback(fence, &dep->cb,
					   vrender_dep_signalled))
			dma_fence_signal(&dep->base);
		ret = drm_sched_job_add_dependency(&job->base,
						   dma_fence_get(&dep->base));
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * vrender_deps_error - why a job whose dependencies are done must not run
 * @job: the job; the scheduler waited for all its proxies
 *
 * Returns: -ETIMEDOUT if the deadline passed first, else the error of a
 * failed explicit in-fence, else 0. Errors of implicit dependencies do not
 * stop a job (an expired CPU lease, for instance, only means the CPU lost
 * the buffer).
 */
int vrender_deps_error(struct vrender_job *job)
{
	struct dma_fence *fence;
	unsigned int i;

	if (READ_ONCE(job->deps.timed_out))
		return -ETIMEDOUT;
	/*
	 * Signalled by now: through its proxy, or it was the file's own and
	 * the device executed it first. A timeline point is a chain node:
	 * the error is on the fence it holds. (One the syncobj collected
	 * already comes as a stub and carries no error any more.)
	 */
	for (i = 0; i < ARRAY_SIZE(job->in_fences); i++) {
		fence = job->in_fences[i];
		if (fence && dma_fence_chain_contained(fence)->error)
			return dma_fence_chain_contained(fence)->error;
	}
	return 0;
}

/**
 * vrender_deps_fini - drop a job's dependencies
 * @job: the job, executed or never pushed
 */
void vrender_deps_fini(struct vrender_job *job)
{
	struct vrender_deps *deps = &job->deps;
	struct vrender_dep *dep, *next;
	struct dma_fence *fence;
	unsigned long index;

	timer_delete_sync(&deps->deadline);
	list_for_each_entry_safe(dep, next, &deps->list, link) {
		dma_fence_remove_callback(dep->fence, &dep->cb);
		/* Only the proxies of a job that never ran are left. */
		if (!dma_fence_is_signaled(&dep->base)) {
			dma_fence_set_error(&dep->base, -ECANCELED);
			dma_fence_signal(&dep->base);
		}
		list_del(&dep->link);
		dma_fence_put(dep->fence);
		dma_fence_put(&dep->base);
	}
	xa_for_each(&deps->pending, index, fence)
		dma_fence_put(fence);
	xa_destroy(&deps->pending);
}
