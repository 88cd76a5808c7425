// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vrender engine: a virtual device that executes jobs in order and signals
 * a fence on its timeline for each.
 */

#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/dma-fence-chain.h>
#include <linux/iosys-map.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/primegem.h>

#include <uapi/drm/vrender_drm.h>

#include "vrender_drv.h"
#include "vrender_engine.h"

/**
 * DOC: job engine
 *
 * Each device has one engine: an ordered workqueue that runs the device's
 * jobs one at a time in submission order, like a GPU ring. A job first
 * waits for its dependencies (see vrender_submit.c), then executes its
 * operation on kernel mappings of its buffers made at submit, sleeps for
 * its simulated execution time, and signals its fence on the device's
 * timeline. Because the queue is ordered, the timeline's fences signal in
 * seqno order, as a fence context requires.
 *
 * Implicit sync is the buffer's FIFO: at submit the job takes, from each
 * buffer's reservation object, the fences its access conflicts with (a
 * writer all of them, a reader the writers) and adds its own fence as a
 * write or read fence. Jobs touching the same buffer from several devices
 * thus execute in the order of their submission, with no round trip to
 * userspace, and so does anything else that honours implicit sync
 * (DMA_BUF_IOCTL_SYNC, poll on the dma-buf, KMS flips, vgem-style fences).
 *
 * Every wait is bounded: a dependency that has not signalled after
 * job_timeout_ms fails the job with -ETIMEDOUT. A job whose explicit
 * in-fence (sync_file, or syncobj fence or timeline point) signalled with an
 * error does not execute; its fence carries the error. (A timeline point
 * whose chain node the syncobj has already collected comes as a stub fence
 * and carries no error any more.) Errors of implicit dependencies do not
 * stop a job (an expired CPU lease, for instance, only means the CPU lost the
 * buffer).
 *
 * Execution and signalling are a dma-fence signalling critical section:
 * no lock that waits for fences and no allocation happen there.
 */

static unsigned int vrender_job_timeout_ms = 20000;
module_param_named(job_timeout_ms, vrender_job_timeout_ms, uint, 0644);
MODULE_PARM_DESC(job_timeout_ms,
		 "Longest wait of a job for a dependency (default 20000)");

static const char *vrender_job_driver_name(struct dma_fence *fence)
{
	return "vrender";
}

static const char *vrender_job_timeline_name(struct dma_fence *fence)
{
	return to_vrender_job(fence)->engine->name;
}

static void vrender_job_release(struct dma_fence *fence)
{
	struct vrender_job *job = to_vrender_job(fence);

	xa_destroy(&job->deps);
	dma_fence_free(fence);
}

static const struct dma_fence_ops vrender_job_fence_ops = {
	.get_driver_name = vrender_job_driver_name,
	.get_timeline_name = vrender_job_timeline_name,
	.release = vrender_job_release,
};

static int vrender_job_wait_deps(struct vrender_job *job)
{
	long timeout = msecs_to_jiffies(READ_ONCE(vrender_job_timeout_ms));
	struct dma_fence *fence;
	unsigned long index;
	long ret;

	unsigned int i;

	xa_for_each(&job->deps, index, fence) {
		ret = dma_fence_wait_timeout(fence, false, timeout);
		if (ret == 0)
			return -ETIMEDOUT;
		if (ret < 0)
			return ret;
	}
	/* A timeline point is a chain node: the error is on what it holds. */
	for (i = 0; i < ARRAY_SIZE(job->in_fences); i++) {
		fence = job->in_fences[i];
		if (fence && dma_fence_chain_contained(fence)->error)
			return dma_fence_chain_contained(fence)->error;
	}
	return 0;
}

static void vrender_job_execute(struct vrender_job *job)
{
	void *dst = job->dst_map.vaddr + job->dst_offset;

	if (job->op == VRENDER_OP_FILL)
		memset32(dst, job->value, job->size / sizeof(u32));
	else
		memmove(dst, job->src_map.vaddr + job->src_offset, job->size);

	if (job->exec_us)
		fsleep(job->exec_us);
}

/**
 * vrender_fence_is_job - tell whether a fence is a vrender job's
 * @fence: the fence
 *
 * Returns: true for the fence of a vrender job.
 */
bool vrender_fence_is_job(struct dma_fence *fence)
{
	return fence->ops == &vrender_job_fence_ops;
}

/* Drop what the job held. Takes reservation locks (vunmap) and may sleep. */
static void vrender_job_cleanup(struct vrender_job *job)
{
	struct dma_fence *fence;
	unsigned long index;
	unsigned int i;

	if (job->src)
		primegem_vunmap(job->src, &job->src_map);
	if (job->dst)
		primegem_vunmap(job->dst, &job->dst_map);
	for (i = 0; i < job->num_objs; i++)
		drm_gem_object_put(job->objs[i]);
	xa_for_each(&job->deps, index, fence)
		dma_fence_put(fence);
	xa_destroy(&job->deps);
	for (i = 0; i < ARRAY_SIZE(job->in_fences); i++)
		dma_fence_put(job->in_fences[i]);
	kvfree(job->objs);
}

static void vrender_job_run(struct work_struct *work)
{
	struct vrender_job *job = container_of(work, typeof(*job), work);
	struct vrender_engine *engine = job->engine;
	bool cookie;
	int ret;

	atomic_dec(&engine->queued);
	ret = vrender_job_wait_deps(job);

	atomic_inc(&engine->running);
	cookie = dma_fence_begin_signalling();
	if (!ret)
		vrender_job_execute(job);
	else
		dma_fence_set_error(&job->base, ret);
	/* Counted before the signal: whoever sees the fence sees the count. */
	atomic64_inc(ret ? &engine->failed : &engine->completed);
	atomic_dec(&engine->running);
	dma_fence_signal(&job->base);
	dma_fence_end_signalling(cookie);
	vrender_client_job_done(job->client);

	/*
	 * Not here: a thread holding a reservation lock may be waiting for
	 * the next job's fence, which needs this queue to move on.
	 */
	queue_work(engine->cleanup_wq, &job->cleanup);
}

static void vrender_job_cleanup_work(struct work_struct *work)
{
	struct vrender_job *job = container_of(work, typeof(*job), cleanup);

	vrender_job_cleanup(job);
	dma_fence_put(&job->base);
}

/**
 * vrender_job_alloc - allocate a job for @engine
 * @engine: the engine
 *
 * Returns: the job, not yet on the timeline, or NULL.
 */
struct vrender_job *vrender_job_alloc(struct vrender_engine *engine)
{
	struct vrender_job *job = kzalloc(sizeof(*job), GFP_KERNEL);

	if (!job)
		return NULL;
	job->engine = engine;
	xa_init_flags(&job->deps, XA_FLAGS_ALLOC);
	INIT_WORK(&job->work, vrender_job_run);
	INIT_WORK(&job->cleanup, vrender_job_cleanup_work);
	return job;
}

/**
 * vrender_job_free - free a job that never reached the timeline
 * @job: the job
 */
void vrender_job_free(struct vrender_job *job)
{
	vrender_job_cleanup(job);
	if (job->client)
		vrender_client_job_done(job->client);
	if (job->base.ops) {
		/* On the timeline but never published: cancel, then the
		 * fence frees the memory.
		 */
		dma_fence_set_error(&job->base, -ECANCELED);
		dma_fence_signal(&job->base);
		dma_fence_put(&job->base);
		return;
	}
	kfree(job);
}

/**
 * vrender_job_init_fence - put a job on the timeline
 * @job: the job
 *
 * Call with &vrender_engine.submit_lock held, and queue the job before
 * dropping it, so that queue order is seqno order.
 */
void vrender_job_init_fence(struct vrender_job *job)
{
	struct vrender_engine *engine = job->engine;

	lockdep_assert_held(&engine->submit_lock);
	dma_fence_init(&job->base, &vrender_job_fence_ops, &engine->fence_lock,
		       engine->context, ++engine->seqno);
	job->seqno = engine->seqno;
}

/**
 * vrender_job_queue - hand a job to its engine
 * @job: the job, on the timeline
 *
 * The queue takes over the reference on the job's fence that
 * vrender_job_init_fence() created, and drops it once the job has run and
 * released its buffers. The caller must not touch the job afterwards.
 */
void vrender_job_queue(struct vrender_job *job)
{
	struct vrender_engine *engine = job->engine;

	lockdep_assert_held(&engine->submit_lock);
	atomic64_inc(&engine->submitted);
	atomic_inc(&engine->queued);
	queue_work(engine->wq, &job->work);
}

/**
 * vrender_engine_init - start a device's engine
 * @engine: the engine
 * @name: its name, also the timeline name of its fences
 *
 * Returns: 0 or a negative errno.
 */
int vrender_engine_init(struct vrender_engine *engine, const char *name)
{
	strscpy(engine->name, name, sizeof(engine->name));
	engine->wq = alloc_ordered_workqueue("%s", 0, engine->name);
	if (!engine->wq)
		return -ENOMEM;
	engine->cleanup_wq = alloc_workqueue("%s-cleanup", WQ_UNBOUND, 0,
					     engine->name);
	if (!engine->cleanup_wq) {
		destroy_workqueue(engine->wq);
		return -ENOMEM;
	}
	spin_lock_init(&engine->fence_lock);
	mutex_init(&engine->submit_lock);
	engine->context = dma_fence_context_alloc(1);
	return 0;
}

/**
 * vrender_engine_fini - wait for the engine's jobs and stop it
 * @engine: the engine
 */
void vrender_engine_fini(struct vrender_engine *engine)
{
	destroy_workqueue(engine->wq);
	destroy_workqueue(engine->cleanup_wq);
	mutex_destroy(&engine->submit_lock);
}

/**
 * vrender_engine_show - print the engine's counters
 * @m: the seq_file
 * @engine: the engine
 */
void vrender_engine_show(struct seq_file *m, struct vrender_engine *engine)
{
	seq_printf(m, "submitted=%lld queued=%d running=%d completed=%lld failed=%lld seqno=%llu\n",
		   (long long)atomic64_read(&engine->submitted),
		   atomic_read(&engine->queued), atomic_read(&engine->running),
		   (long long)atomic64_read(&engine->completed),
		   (long long)atomic64_read(&engine->failed),
		   (unsigned long long)READ_ONCE(engine->seqno));
	seq_printf(m, "waits_implicit=%lld waits_cross_device=%lld waits_cpu=%lld waits_explicit=%lld\n",
		   (long long)atomic64_read(&engine->waits[VRENDER_WAIT_IMPLICIT]),
		   (long long)atomic64_read(&engine->waits[VRENDER_WAIT_CROSS_DEVICE]),
		   (long long)atomic64_read(&engine->waits[VRENDER_WAIT_CPU]),
		   (long long)atomic64_read(&engine->waits[VRENDER_WAIT_EXPLICIT]));
}
