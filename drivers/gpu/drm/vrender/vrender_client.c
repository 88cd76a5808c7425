// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vrender clients: how much one DRM file may have in flight.
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

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
 *   a full ring would make it. Jobs outlive their file, so the count lives
 *   in a &struct vrender_client that the file and each job reference.
 * - vgem-style fences: a file has at most %VRENDER_MAX_FENCES attached and
 *   not yet signalled through FENCE_SIGNAL (-ENOSPC beyond).
 * - fences on one buffer: a job or FENCE_ATTACH is refused (-EBUSY) while
 *   the buffer's reservation object holds %VRENDER_MAX_BO_FENCES unsignalled
 *   fences: the reservation object keeps its fences in one array, which
 *   must not grow to sizes the allocator refuses.
 *
 * Memory the jobs pin is bounded by primegem's budget (see "pinned memory").
 */

struct vrender_client *vrender_client_create(void)
{
	struct vrender_client *client = kzalloc(sizeof(*client), GFP_KERNEL);

	if (!client)
		return NULL;
	kref_init(&client->ref);
	atomic_set(&client->jobs, 0);
	init_waitqueue_head(&client->wait);
	return client;
}

static void vrender_client_release(struct kref *ref)
{
	kfree(container_of(ref, struct vrender_client, ref));
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
