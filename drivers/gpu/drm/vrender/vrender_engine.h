/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef __VRENDER_ENGINE_H__
#define __VRENDER_ENGINE_H__

#include <linux/atomic.h>
#include <linux/dma-fence.h>
#include <linux/iosys-map.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

struct drm_gem_object;
struct seq_file;
struct vrender_client;

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
 * @name: "vrender.<index>", the timeline name
 * @wq: ordered workqueue running the jobs
 * @cleanup_wq: where jobs release their buffers after signalling
 * @fence_lock: lock of the job fences
 * @submit_lock: orders seqno allocation with queueing
 * @context: fence context of the timeline
 * @seqno: last seqno given, under @submit_lock
 * @submitted: jobs queued since load
 * @completed: jobs that executed
 * @failed: jobs whose fence carries an error
 * @queued: jobs not started
 * @running: jobs executing
 * @waits: dependency fences by &enum vrender_wait_cause
 */
struct vrender_engine {
	char name[32];
	struct workqueue_struct *wq;
	struct workqueue_struct *cleanup_wq;
	spinlock_t fence_lock; /* see above */
	struct mutex submit_lock; /* see above */
	u64 context;
	u64 seqno;
	atomic64_t submitted;
	atomic64_t completed;
	atomic64_t failed;
	atomic_t queued;
	atomic_t running;
	atomic64_t waits[VRENDER_WAIT_CAUSES];
};

/**
 * struct vrender_job - one operation queued on an engine
 * @base: the job's fence; first, so that dma_fence_free() frees the job
 * @engine: the engine
 * @client: what the job is accounted to, from submit until it signals
 * @work: the queue entry
 * @cleanup: releases what the job held, off the engine's queue
 * @seqno: seqno of @base
 * @objs: the buffers, with a reference each
 * @num_objs: length of @objs
 * @dst: the destination buffer (one of @objs)
 * @src: the source buffer of a copy, else NULL
 * @dst_map: kernel mapping of @dst
 * @src_map: kernel mapping of @src
 * @deps: fences to wait for, at most one per fence context
 * @in_fences: the explicit in-fences (sync_file, syncobj); an error of
 *	either cancels the job
 * @op: VRENDER_OP_*
 * @value: fill pattern
 * @exec_us: simulated execution time
 * @dst_offset: byte offset in @dst
 * @src_offset: byte offset in @src
 * @size: bytes to fill or copy
 */
struct vrender_job {
	struct dma_fence base;
	struct vrender_engine *engine;
	struct vrender_client *client;
	struct work_struct work;
	struct work_struct cleanup;
	u64 seqno;
	struct drm_gem_object **objs;
	unsigned int num_objs;
	struct drm_gem_object *dst;
	struct drm_gem_object *src;
	struct iosys_map dst_map;
	struct iosys_map src_map;
	struct xarray deps;
	struct dma_fence *in_fences[2];
	u32 op;
	u32 value;
	u32 exec_us;
	u64 dst_offset;
	u64 src_offset;
	u64 size;
};

static inline struct vrender_job *to_vrender_job(struct dma_fence *fence)
{
	return container_of(fence, struct vrender_job, base);
}

int vrender_engine_init(struct vrender_engine *engine, const char *name);
void vrender_engine_fini(struct vrender_engine *engine);
void vrender_engine_show(struct seq_file *m, struct vrender_engine *engine);

struct vrender_job *vrender_job_alloc(struct vrender_engine *engine);
void vrender_job_free(struct vrender_job *job);
void vrender_job_init_fence(struct vrender_job *job);
void vrender_job_queue(struct vrender_job *job);
bool vrender_fence_is_job(struct dma_fence *fence);

#endif /* __VRENDER_ENGINE_H__ */
