// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vrender clients: a DRM file's queue in the scheduler, and how much it may
 * have in flight.
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <drm/gpu_scheduler.h>

#include <uapi/drm/vrender_drm.h>

#include "vrender_drv.h"

/**
 * DOC: limits
 *
 * Render nodes are open to every user of the render group, so nothing a
 * file queues may grow without bound:
 *
 * - jobs: a file has at most %VRENDER_MAX_JOBS_IN_FLIGHT jobs submitted and
 *   not yet signalled; SUBMIT waits (interruptibly) for one to signal, as
 *   a full ring would make it. This is also what bounds the file's queue in
 *   the scheduler (its entity), which has no limit of its own; the
 *   scheduler's credit limit only bounds what it hands the device at once,
 *   for all files together. Jobs outlive their file, so the count and the
 *   entity live in a &struct vrender_client that the file and each job
 *   reference. The entity is finished when the last reference goes, from
 *   the engine's cleanup workqueue: by then it has no job left, so nothing
 *   is killed, and closing a file never waits for its jobs.
 * - vgem-style fences: a file has at most %VRENDER_MAX_FENCES attached and
 *   not yet signalled through FENCE_SIGNAL (-ENOSPC beyond).
 * - fences on one buffer: a job or FENCE_ATTACH is refused (-EBUSY) while
 *   the buffer's reservation object holds %VRENDER_MAX_BO_FENCES unsignalled
 *   fences: the reservation object keeps its fences in one array, which
 *   must not grow to sizes the allocator refuses.
 *
 * Memory the jobs pin is bounded by primegem's budget (see "pinned memory").
 */

static void vrender_client_release_work(struct work_struct *work)
{
	struct vrender_client *client =
		container_of(work, struct vrender_client, release);

	drm_sched_entity_fini(&client->entity);
	mutex_destroy(&client->submit_lock);
	kfree(client);
}

/**
 * vrender_client_create - the job accounting and queue of a new DRM file
 * @engine: the engine of the file's device
 *
 * Returns: the client, with the file's reference, or NULL.
 */
struct vrender_client *vrender_client_create(struct vrender_engine *engine)
{
	struct drm_gpu_scheduler *sched = &engine->sched;
	struct vrender_client *client = kzalloc(sizeof(*client), GFP_KERNEL);

	if (!client)
		return NULL;
	if (drm_sched_entity_init(&client->entity, DRM_SCHED_PRIORITY_NORMAL,
				  &sched, 1, NULL)) {
		kfree(client);
		return NULL;
	}
	kref_init(&client->ref);
	atomic_set(&client->jobs, 0);
	init_waitqueue_head(&client->wait);
	mutex_init(&client->submit_lock);
	client->engine = engine;
	INIT_WORK(&client->release, vrender_client_release_work);
	return client;
}

/* Where the last reference goes may be a place that must not wait. */
static void vrender_client_release(struct kref *ref)
{
	struct vrender_client *client =
		container_of(ref, struct vrender_client, ref);

	queue_work(client->engine->cleanup_wq, &client->release);
}

void vrender_client_put(struct vrender_client *client)
{
	kref_put(&client->ref, vrender_client_release);
}

/*
 * Count one more job in flight, waiting for room; returns 0 or
 * -ERESTARTSYS. A job counted takes a reference on the client, which
 * vrender_client_job_done() drops.
 */
int vrender_client_reserve_job(struct vrender_client *client)
{
	int ret;

	ret = wait_event_interruptible(client->wait,
				       atomic_add_unless(&client->jobs, 1,
							 VRENDER_MAX_JOBS_IN_FLIGHT));
	if (ret)
		return ret;
	kref_get(&client->ref);
	return 0;
}

void vrender_client_job_done(struct vrender_client *client)
{
	atomic_dec(&client->jobs);
	wake_up(&client->wait);
	vrender_client_put(client);
}

/**
 * vrender_resv_has_room - whether one more fence may go into @resv
 * @resv: a reservation object, locked
 *
 * Returns: 0, or -EBUSY if it holds %VRENDER_MAX_BO_FENCES unsignalled
 * fences already.
 */
int vrender_resv_has_room(struct dma_resv *resv)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	unsigned int n = 0;

	dma_resv_assert_held(resv);
	dma_resv_for_each_fence(&cursor, resv, DMA_RESV_USAGE_BOOKKEEP, fence) {
		if (!dma_fence_is_signaled(fence) && ++n >= VRENDER_MAX_BO_FENCES)
			return -EBUSY;
	}
	return 0;
}
