// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vrender engine: a virtual device fed by the kernel's GPU scheduler, that
 * executes jobs in order and signals a fence for each.
 */

#include <linux/dma-fence.h>
#include <linux/hrtimer.h>
#include <linux/iosys-map.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <drm/drm_gem.h>
#include <drm/gpu_scheduler.h>
#include <drm/primegem.h>

#include <uapi/drm/vrender_drm.h>

#include "vrender_drv.h"
#include "vrender_engine.h"

/**
 * DOC: job engine
 *
 * Each device is fed by one &drm_gpu_scheduler; each DRM file has a
 * scheduler entity (see vrender_client.c), so the files' queues are
 * independent and the scheduler picks between them. A job is pushed to its
 * file's entity at SUBMIT; the scheduler waits for its dependencies (see
 * "dependencies" in vrender_deps.c), then calls run_job, which hands the job
 * to the device. The device is an ordered workqueue: it executes one job at
 * a time, in the order run_job handed them: it waits the job's simulated
 * execution time, writes the result on kernel mappings of the buffers made
 * at submit, and signals the job's hardware fence. The scheduler then
 * signals the job's finished fence, the one userspace, buffers and syncobjs
 * have. A job that missed its dependency deadline, or whose explicit
 * in-fence failed, goes through the device in order but does not execute;
 * its fence carries the error.
 *
 * Queue limits: the scheduler hands the device at most
 * %VRENDER_HW_QUEUE_DEPTH jobs at once (its credit limit, a job taking one
 * credit); the rest wait in their files' entities, each bounded by the
 * file's limit of jobs in flight (see "limits" in vrender_client.c).
 *
 * Timeouts: a job that executes for longer than the exec_timeout_ms module
 * parameter (read when the device is created) is timed out by the
 * scheduler: the device stops it before it writes anything and fails it
 * with -ETIMEDOUT, then goes on with the next job. No other job is lost:
 * the device has no state a stopped job could corrupt. (The scheduler takes
 * a timed out job off its list before calling the handler and frees it only
 * through &drm_gpu_scheduler.free_guilty, which the handler sets once the
 * job has signalled: the stop/start recovery of drm_sched_stop() behaves
 * differently on 6.1 and 6.12 and is not needed by a device without state.)
 *
 * Signalling: everything between arming a job and signalling its fence is a
 * dma-fence signalling critical section, annotated so that lockdep checks
 * it: arming and publishing at submit, run_job, the device's execution,
 * free_job and the timeout handler. None of them allocates memory or takes a
 * lock that may wait for a fence (reservation locks, for instance): free_job
 * leaves the release of the job's buffers to @cleanup_wq.
 *
 * Lifetime: the job memory is its hardware fence's, freed when the last
 * reference goes: the job's own, dropped after cleanup, or the one of the
 * scheduler's fence, which holds its hardware fence until it is released
 * itself. Each job holds a reference on the module until then, so vrender
 * stays loaded while a fence of one of its jobs exists anywhere (in a
 * sync_file, a syncobj, another driver's buffer): the scheduler's fence
 * names its timeline after the scheduler, in the device's memory. (The
 * release function still runs a few instructions of the module after
 * dropping that reference, as any module's fence release does.)
 */

/*
 * The scheduler starts a job's timeout just before run_job() initialises
 * its hardware fence; a floor keeps the handler from firing in between.
 */
#define VRENDER_MIN_EXEC_TIMEOUT_MS	100

static unsigned int vrender_exec_timeout_ms = 10000;
module_param_named(exec_timeout_ms, vrender_exec_timeout_ms, uint, 0444);
MODULE_PARM_DESC(exec_timeout_ms,
		 "Longest execution of a job before the scheduler stops it (default 10000, at least 100)");

static const struct drm_sched_backend_ops vrender_sched_ops;

static const char *vrender_hw_fence_driver_name(struct dma_fence *fence)
{
	return "vrender";
}

static const char *vrender_hw_fence_timeline_name(struct dma_fence *fence)
{
	return container_of(fence, struct vrender_job, hw_fence)->engine->name;
}

static void vrender_hw_fence_release(struct dma_fence *fence)
{
	dma_fence_free(fence);
	module_put(THIS_MODULE);
}

static const struct dma_fence_ops vrender_hw_fence_ops = {
	.get_driver_name = vrender_hw_fence_driver_name,
	.get_timeline_name = vrender_hw_fence_timeline_name,
	.release = vrender_hw_fence_release,
};

/*
 * The live engines. A scheduler fence of another driver may outlive its
 * scheduler (its device was unbound), so vrender_fence_engine() compares
 * the fence's scheduler pointer with ours instead of reading through it.
 */
static LIST_HEAD(vrender_engines);
static DEFINE_SPINLOCK(vrender_engines_lock);

/**
 * vrender_fence_engine - the engine a fence is a job fence of
 * @fence: the fence
 *
 * Returns: the engine, or NULL if @fence is not a vrender job's fence.
 */
struct vrender_engine *vrender_fence_engine(struct dma_fence *fence)
{
	struct drm_sched_fence *s_fence = to_drm_sched_fence(fence);
	struct vrender_engine *engine, *found = NULL;

	if (!s_fence)
		return NULL;
	spin_lock(&vrender_engines_lock);
	list_for_each_entry(engine, &vrender_engines, node) {
		if (s_fence->sched == &engine->sched) {
			found = engine;
			break;
		}
	}
	spin_unlock(&vrender_engines_lock);
	return found;
}

static void vrender_job_execute(struct vrender_job *job)
{
	void *dst = job->dst_map.vaddr + job->dst_offset;

	if (job->op == VRENDER_OP_FILL)
		memset32(dst, job->value, job->size / sizeof(u32));
	else
		memmove(dst, job->src_map.vaddr + job->src_offset, job->size);
}

/* The device: one job at a time, in the order run_job gave them. */
static void vrender_ring_work(struct work_struct *work)
{
	struct vrender_job *job = container_of(work, typeof(*job), ring);
	struct vrender_engine *engine = job->engine;
	bool cookie = dma_fence_begin_signalling();
	int ret = vrender_deps_error(job);

	if (ret == -ETIMEDOUT)
		atomic64_inc(&engine->dep_timeouts);
	if (!ret && job->exec_us &&
	    !wait_event_hrtimeout(engine->abort_wait, READ_ONCE(job->aborted),
				  ns_to_ktime((u64)job->exec_us * NSEC_PER_USEC)))
		ret = -ETIMEDOUT;
	if (!ret && READ_ONCE(job->aborted))
		ret = -ETIMEDOUT;
	if (!ret)
		vrender_job_execute(job);
	if (ret) {
		/* 6.1's scheduler does not pass the error on by itself. */
		dma_fence_set_error(vrender_job_fence(job), ret);
		dma_fence_set_error(&job->hw_fence, ret);
	}
	/* Counted before the signal: whoever sees the fence sees the count. */
	atomic64_inc(ret ? &engine->failed : &engine->completed);
	atomic_dec(&engine->running);
	/* The job may be freed from here on. */
	dma_fence_signal(&job->hw_fence);
	dma_fence_end_signalling(cookie);
}

static struct dma_fence *vrender_run_job(struct drm_sched_job *sched_job)
{
	struct vrender_job *job = to_vrender_job(sched_job);
	struct vrender_engine *engine = job->engine;
	bool cookie = dma_fence_begin_signalling();

	dma_fence_init(&job->hw_fence, &vrender_hw_fence_ops,
		       &engine->fence_lock, engine->context,
		       ++engine->hw_seqno);
	atomic_dec(&engine->queued);
	atomic_inc(&engine->running);
	queue_work(engine->ring_wq, &job->ring);
	dma_fence_end_signalling(cookie);
	/* The job keeps the reference dma_fence_init() made. */
	return dma_fence_get(&job->hw_fence);
}

static enum drm_gpu_sched_stat
vrender_timedout_job(struct drm_sched_job *sched_job)
{
	struct vrender_job *job = to_vrender_job(sched_job);
	struct vrender_engine *engine = job->engine;
	bool cookie = dma_fence_begin_signalling();

	/* It may have completed while the timeout fired. */
	if (!dma_fence_is_signaled(&job->hw_fence)) {
		dev_info(sched_job->sched->dev,
			 "a job ran past %u ms: stopping it\n",
			 jiffies_to_msecs(sched_job->sched->timeout));
		atomic64_inc(&engine->exec_timeouts);
		WRITE_ONCE(job->aborted, true);
		wake_up_all(&engine->abort_wait);
	}
	dma_fence_wait(vrender_job_fence(job), false);
	dma_fence_end_signalling(cookie);
	/* Off the scheduler's list: it frees the job only this way. */
	sched_job->sched->free_guilty = true;
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

/* Drop what the job held. Takes reservation locks (vunmap) and may sleep. */
void vrender_job_release_resources(struct vrender_job *job)
{
	unsigned int i;

	vrender_deps_fini(job);
	if (job->src)
		primegem_vunmap(job->src, &job->src_map);
	if (job->dst)
		primegem_vunmap(job->dst, &job->dst_map);
	for (i = 0; i < job->num_objs; i++)
		drm_gem_object_put(job->objs[i]);
	for (i = 0; i < ARRAY_SIZE(job->in_fences); i++)
		dma_fence_put(job->in_fences[i]);
	kvfree(job->objs);
	job->objs = NULL;
	job->num_objs = 0;
}

static void vrender_job_cleanup_work(struct work_struct *work)
{
	struct vrender_job *job = container_of(work, typeof(*job), cleanup);

	vrender_job_release_resources(job);
	vrender_client_job_done(job->client);
	dma_fence_put(&job->hw_fence);
}

static void vrender_free_job(struct drm_sched_job *sched_job)
{
	struct vrender_job *job = to_vrender_job(sched_job);
	bool cookie = dma_fence_begin_signalling();

	drm_sched_job_cleanup(sched_job);
	/*
	 * Not here: the scheduler calls this where it runs jobs, and a
	 * thread holding a reservation lock may be waiting for one of them.
	 */
	queue_work(job->engine->cleanup_wq, &job->cleanup);
	dma_fence_end_signalling(cookie);
}

static const struct drm_sched_backend_ops vrender_sched_ops = {
	.run_job = vrender_run_job,
	.timedout_job = vrender_timedout_job,
	.free_job = vrender_free_job,
};

/**
 * vrender_job_alloc - allocate a job for @engine
 * @engine: the engine
 *
 * The job holds a reference on the module until it is freed.
 *
 * Returns: the job, or NULL.
 */
struct vrender_job *vrender_job_alloc(struct vrender_engine *engine)
{
	struct vrender_job *job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);

	if (!job)
		return NULL;
	__module_get(THIS_MODULE);
	job->engine = engine;
	vrender_deps_init(job);
	INIT_WORK(&job->ring, vrender_ring_work);
	INIT_WORK(&job->cleanup, vrender_job_cleanup_work);
	return job;
}

/**
 * vrender_job_free - free a job that was never armed
 * @job: the job
 *
 * Undoes drm_sched_job_init() if it was done, and the client's reservation
 * if it was made.
 */
void vrender_job_free(struct vrender_job *job)
{
	vrender_job_release_resources(job);
	if (job->base.s_fence)
		drm_sched_job_cleanup(&job->base);
	if (job->client)
		vrender_client_job_done(job->client);
	kfree(job);
	module_put(THIS_MODULE);
}

/**
 * vrender_job_push - hand an armed job to the scheduler
 * @job: the job
 *
 * The scheduler owns the job from here on; the caller must not touch it.
 */
void vrender_job_push(struct vrender_job *job)
{
	struct vrender_engine *engine = job->engine;

	atomic64_inc(&engine->submitted);
	atomic_inc(&engine->queued);
	drm_sched_entity_push_job(&job->base);
}

/**
 * vrender_engine_init - start a device's engine
 * @engine: the engine
 * @name: its name, also the scheduler's and the timelines'
 * @dev: the device, for the scheduler's messages
 *
 * Returns: 0 or a negative errno.
 */
int vrender_engine_init(struct vrender_engine *engine, const char *name,
			struct device *dev)
{
	struct drm_sched_init_args args = {
		.ops = &vrender_sched_ops,
		VPRIME_SCHED_INIT_RQS
		.credit_limit = VRENDER_HW_QUEUE_DEPTH,
		.timeout = msecs_to_jiffies(max(vrender_exec_timeout_ms,
						VRENDER_MIN_EXEC_TIMEOUT_MS)),
		.name = engine->name,
		.dev = dev,
	};
	int ret;

	strscpy(engine->name, name, sizeof(engine->name));
	spin_lock_init(&engine->fence_lock);
	init_waitqueue_head(&engine->abort_wait);
	engine->context = dma_fence_context_alloc(1);

	engine->ring_wq = alloc_ordered_workqueue("%s", 0, engine->name);
	if (!engine->ring_wq)
		return -ENOMEM;
	engine->cleanup_wq = alloc_workqueue("%s-cleanup", WQ_UNBOUND, 0,
					     engine->name);
	if (!engine->cleanup_wq) {
		ret = -ENOMEM;
		goto err_destroy_ring;
	}
	ret = drm_sched_init(&engine->sched, &args);
	if (ret)
		goto err_destroy_cleanup;
	spin_lock(&vrender_engines_lock);
	list_add_tail(&engine->node, &vrender_engines);
	spin_unlock(&vrender_engines_lock);
	return 0;

err_destroy_cleanup:
	destroy_workqueue(engine->cleanup_wq);
err_destroy_ring:
	destroy_workqueue(engine->ring_wq);
	return ret;
}

/**
 * vrender_engine_fini - stop a device's engine
 * @engine: the engine
 *
 * No job exists any more (each holds the module); the files' entities may
 * still be on their way out through @cleanup_wq.
 */
void vrender_engine_fini(struct vrender_engine *engine)
{
	spin_lock(&vrender_engines_lock);
	list_del(&engine->node);
	spin_unlock(&vrender_engines_lock);
	destroy_workqueue(engine->cleanup_wq);
	drm_sched_fini(&engine->sched);
	destroy_workqueue(engine->ring_wq);
}

/**
 * vrender_engine_show - print the engine's counters
 * @m: the seq_file
 * @engine: the engine
 */
void vrender_engine_show(struct seq_file *m, struct vrender_engine *engine)
{
	seq_printf(m, "submitted=%lld queued=%d running=%d completed=%lld failed=%lld seqno=%lld\n",
		   (long long)atomic64_read(&engine->submitted),
		   atomic_read(&engine->queued), atomic_read(&engine->running),
		   (long long)atomic64_read(&engine->completed),
		   (long long)atomic64_read(&engine->failed),
		   (long long)atomic64_read(&engine->seqno));
	seq_printf(m, "waits_implicit=%lld waits_cross_device=%lld waits_cpu=%lld waits_explicit=%lld\n",
		   (long long)atomic64_read(&engine->waits[VRENDER_WAIT_IMPLICIT]),
		   (long long)atomic64_read(&engine->waits[VRENDER_WAIT_CROSS_DEVICE]),
		   (long long)atomic64_read(&engine->waits[VRENDER_WAIT_CPU]),
		   (long long)atomic64_read(&engine->waits[VRENDER_WAIT_EXPLICIT]));
	seq_printf(m, "dep_timeouts=%lld exec_timeouts=%lld\n",
		   (long long)atomic64_read(&engine->dep_timeouts),
		   (long long)atomic64_read(&engine->exec_timeouts));
}
