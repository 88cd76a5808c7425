/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef __VRENDER_ENGINE_H__
#define __VRENDER_ENGINE_H__

#include <linux/atomic.h>
#include <linux/dma-fence.h>
#include <linux/iosys-map.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/gpu_scheduler.h>

struct device;
struct drm_gem_object;
struct seq_file;
struct vrender_client;

/* Jobs the scheduler hands the device at once (one credit each). */
#define VRENDER_HW_QUEUE_DEPTH	4

/* Why a job waited: counted per dependency fence. */
enum vrender_wait_cause {
	VRENDER_WAIT_IMPLICIT,		/* a buffer's fence: vgem-style, other drivers */
	VRENDER_WAIT_CROSS_DEVICE,	/* a buffer's fence from another vrender device */
	VRENDER_WAIT_CPU,		/* a strict buffer's CPU-access bracket */
	VRENDER_WAIT_EXPLICIT,		/* a sync_file or syncobj in-fence */
	VRENDER_WAIT_CAUSES
};

/**
 * struct vrender_engine - the job engine of one device
 * @sched: the GPU scheduler feeding the device
 * @name: "vrender.<index>", the name of the scheduler and its timelines
 * @ring_wq: the device itself: an ordered workqueue executing the jobs
 *	handed to it, one at a time, in that order
 * @cleanup_wq: where jobs release their buffers, and files their entities
 * @abort_wait: woken when a timed out job is to stop executing
 * @fence_lock: lock of the device's hardware fences
 * @context: fence context of the hardware fences
 * @hw_seqno: last hardware fence seqno, advanced by run_job (which the
 *	scheduler never runs concurrently with itself)
 * @seqno: jobs armed since load: the submission number SUBMIT returns
 * @submitted: jobs pushed to the scheduler since load
 * @completed: jobs that executed
 * @failed: jobs whose fence carries an error
 * @queued: jobs pushed and not yet handed to the device
 * @running: jobs handed to the device and not yet signalled
 * @waits: dependency fences by &enum vrender_wait_cause
 * @dep_timeouts: jobs failed because a dependency missed the deadline
 * @exec_timeouts: jobs stopped by the scheduler's timeout handler
 * @job_timeout_ms: longest wait of a job for all its dependencies;
 *	debugfs ``vrender_job_timeout_ms``
 * @node: in the list of live engines (see vrender_fence_engine())
 */
struct vrender_engine {
	struct drm_gpu_scheduler sched;
	struct list_head node;
	char name[32];
	struct workqueue_struct *ring_wq;
	struct workqueue_struct *cleanup_wq;
	wait_queue_head_t abort_wait;
	spinlock_t fence_lock; /* see above */
	u64 context;
	u64 hw_seqno;
	atomic64_t seqno;
	atomic64_t submitted;
	atomic64_t completed;
	atomic64_t failed;
	atomic_t queued;
	atomic_t running;
	atomic64_t waits[VRENDER_WAIT_CAUSES];
	atomic64_t dep_timeouts;
	atomic64_t exec_timeouts;
	unsigned int job_timeout_ms;
};

/**
 * struct vrender_deps - the dependencies of a job, bounded in time
 * @lock: lock of the proxies' fences, and of @list, @started and
 *	@timed_out
 * @list: the proxies (&struct vrender_dep)
 * @pending: the fences still to become proxies, by id, one per context
 * @count: fences in @pending, at most %VRENDER_MAX_JOB_DEPS
 * @waits: fences the job waits for, by cause, counted in the engine's
 *	&vrender_engine.waits once the submit succeeds
 * @deadline: fails the waits still pending &vrender_engine.job_timeout_ms
 *	after the scheduler started waiting for the job
 * @started: @deadline is armed (or has fired)
 * @timed_out: @deadline signalled a proxy whose fence had not signalled
 */
struct vrender_deps {
	spinlock_t lock; /* see above */
	struct list_head list;
	struct xarray pending;
	struct timer_list deadline;
	unsigned int count;
	unsigned int waits[VRENDER_WAIT_CAUSES];
	bool started;
	bool timed_out;
};

/**
 * struct vrender_job - one operation, from SUBMIT to its last fence
 * @hw_fence: the job's fence on the device (the scheduler's parent fence);
 *	first, so that dma_fence_free() frees the job
 * @base: the scheduler's job; its finished fence is the one userspace sees
 * @engine: the engine
 * @client: what the job is accounted to, from submit until it is freed
 * @ring: the job's execution on the device
 * @cleanup: releases what the job held, off the scheduler's path
 * @deps: the dependencies
 * @objs: the buffers, with a reference each
 * @num_objs: length of @objs
 * @dst: the destination buffer (one of @objs)
 * @src: the source buffer of a copy, else NULL
 * @dst_map: kernel mapping of @dst
 * @src_map: kernel mapping of @src
 * @in_fences: the explicit in-fences (sync_file, syncobj); an error of
 *	either cancels the job
 * @aborted: the scheduler timed the job out; it stops executing
 * @op: VRENDER_OP_*
 * @value: fill pattern
 * @exec_us: simulated execution time
 * @dst_offset: byte offset in @dst
 * @src_offset: byte offset in @src
 * @size: bytes to fill or copy
 */
struct vrender_job {
	struct dma_fence hw_fence;
	struct drm_sched_job base;
	struct vrender_engine *engine;
	struct vrender_client *client;
	struct work_struct ring;
	struct work_struct cleanup;
	struct vrender_deps deps;
	struct drm_gem_object **objs;
	unsigned int num_objs;
	struct drm_gem_object *dst;
	struct drm_gem_object *src;
	struct iosys_map dst_map;
	struct iosys_map src_map;
	struct dma_fence *in_fences[2];
	bool aborted;
	u32 op;
	u32 value;
	u32 exec_us;
	u64 dst_offset;
	u64 src_offset;
	u64 size;
};

static inline struct vrender_job *to_vrender_job(struct drm_sched_job *job)
{
	return container_of(job, struct vrender_job, base);
}

/* The fence userspace, buffers and syncobjs get: valid once armed. */
static inline struct dma_fence *vrender_job_fence(struct vrender_job *job)
{
	return &job->base.s_fence->finished;
}

int vrender_engine_init(struct vrender_engine *engine, const char *name,
			struct device *dev);
void vrender_engine_fini(struct vrender_engine *engine);
void vrender_engine_show(struct seq_file *m, struct vrender_engine *engine);

struct vrender_job *vrender_job_alloc(struct vrender_engine *engine);
void vrender_job_free(struct vrender_job *job);
void vrender_job_push(struct vrender_job *job);
void vrender_job_release_resources(struct vrender_job *job);
struct vrender_engine *vrender_fence_engine(struct dma_fence *fence);

/* vrender_deps.c */
void vrender_deps_init(struct vrender_job *job);
int vrender_deps_add(struct vrender_job *job, struct dma_fence *fence,
		     enum vrender_wait_cause cause);
int vrender_deps_commit(struct vrender_job *job);
void vrender_deps_count(struct vrender_job *job);
int vrender_deps_error(struct vrender_job *job);
void vrender_deps_fini(struct vrender_job *job);

#endif /* __VRENDER_ENGINE_H__ */
