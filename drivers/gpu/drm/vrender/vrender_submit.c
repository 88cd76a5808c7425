// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vrender SUBMIT: checking a job, gathering its dependencies, arming and
 * publishing it.
 */

#include <linux/dma-fence-chain.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/uaccess.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>

#include <uapi/drm/vrender_drm.h>

#include "vrender_drv.h"
#include "vrender_engine.h"

/**
 * DOC: submit
 *
 * SUBMIT checks the arguments, waits for room in the file's budget of jobs
 * in flight, initialises the scheduler job on the file's entity, looks the
 * buffers up and maps them (the device must not take reservation locks),
 * gathers the explicit in-fences, prepares the out-fences, then takes every
 * buffer's reservation lock, reserves a fence slot in each, gathers the
 * implicit dependencies and hands all dependencies to the scheduler (see
 * "dependencies"). Everything that can fail is done by then: the job is
 * armed last, under the file's &vrender_client.submit_lock, its fence added
 * to the buffers, the syncobj and the sync_file, and pushed to the entity,
 * all in one dma-fence signalling section. From the push on the job is the
 * scheduler's. A submit that fails before changes nothing and frees the job
 * with vrender_job_free().
 *
 * Lock order: the buffers' reservation locks (ww), then
 * &vrender_client.submit_lock, then the signalling section.
 */

#define VRENDER_BO_FLAGS \
	(VRENDER_BO_READ | VRENDER_BO_WRITE | VRENDER_BO_NO_IMPLICIT)
#define VRENDER_SUBMIT_FLAGS \
	(VRENDER_SUBMIT_IN_FENCE_FD | VRENDER_SUBMIT_OUT_FENCE_FD | \
	 VRENDER_SUBMIT_IN_SYNCOBJ | VRENDER_SUBMIT_OUT_SYNCOBJ)

/* What a submit needs besides the job, released on every path. */
struct vrender_submit {
	struct drm_vrender_submit *args;
	struct drm_vrender_submit_bo *bos;
	struct vrender_job *job;
	struct drm_syncobj *out_syncobj;
	struct dma_fence_chain *chain;
	struct sync_file *sync_file;
	int out_fd;
};

static int vrender_check_args(const struct drm_vrender_submit *args)
{
	bool fill = args->op == VRENDER_OP_FILL;

	if (args->flags & ~VRENDER_SUBMIT_FLAGS || args->pad)
		return -EINVAL;
	if (!fill && args->op != VRENDER_OP_COPY)
		return -EINVAL;
	if (!args->bo_count)
		return -EINVAL;
	if (args->bo_count > VRENDER_MAX_SUBMIT_BOS)
		return -E2BIG;
	if (!args->size || args->exec_us > VRENDER_MAX_EXEC_US)
		return -EINVAL;
	if (args->dst >= args->bo_count || args->src >= args->bo_count)
		return -EINVAL;
	if (fill && (args->src || args->src_offset ||
		     !IS_ALIGNED(args->dst_offset | args->size, sizeof(u32))))
		return -EINVAL;
	if (!fill && args->value)
		return -EINVAL;
	/* Fields of a feature not asked for stay zero: reserved for later. */
	if (!(args->flags & VRENDER_SUBMIT_IN_FENCE_FD) && args->in_fence_fd)
		return -EINVAL;
	if (!(args->flags & VRENDER_SUBMIT_OUT_FENCE_FD) && args->out_fence_fd)
		return -EINVAL;
	if (!(args->flags & VRENDER_SUBMIT_IN_SYNCOBJ) &&
	    (args->in_syncobj || args->in_point))
		return -EINVAL;
	if (!(args->flags & VRENDER_SUBMIT_OUT_SYNCOBJ) &&
	    (args->out_syncobj || args->out_point))
		return -EINVAL;
	return 0;
}

static int vrender_check_bos(const struct drm_vrender_submit *args,
			     const struct drm_vrender_submit_bo *bos)
{
	unsigned int i, j;

	for (i = 0; i < args->bo_count; i++) {
		if (bos[i].flags & ~VRENDER_BO_FLAGS)
			return -EINVAL;
		if (!(bos[i].flags & (VRENDER_BO_READ | VRENDER_BO_WRITE)))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (bos[i].handle == bos[j].handle)
				return -EINVAL;
	}
	if (!(bos[args->dst].flags & VRENDER_BO_WRITE))
		return -EINVAL;
	if (args->op == VRENDER_OP_COPY && !(bos[args->src].flags & VRENDER_BO_READ))
		return -EINVAL;
	return 0;
}

static bool vrender_range_ok(struct drm_gem_object *obj, u64 offset, u64 size)
{
	u64 end;

	return !check_add_overflow(offset, size, &end) && end <= obj->size;
}

static int vrender_lookup(struct vrender_submit *s, struct drm_file *file)
{
	const struct drm_vrender_submit *args = s->args;
	struct vrender_job *job = s->job;
	unsigned int i, j;

	job->objs = kvcalloc(args->bo_count, sizeof(*job->objs), GFP_KERNEL);
	if (!job->objs)
		return -ENOMEM;

	for (i = 0; i < args->bo_count; i++) {
		job->objs[i] = drm_gem_object_lookup(file, s->bos[i].handle);
		if (!job->objs[i])
			return -ENOENT;
		job->num_objs++;
		/*
		 * One buffer under two handles (flink + open, or an object
		 * and an import of its own dma-buf) is a duplicate: they
		 * share a reservation object, which can be locked once.
		 */
		for (j = 0; j < i; j++)
			if (job->objs[j]->resv == job->objs[i]->resv)
				return -EINVAL;
	}

	job->dst = job->objs[args->dst];
	if (!vrender_range_ok(job->dst, args->dst_offset, args->size))
		return -ERANGE;
	if (args->op == VRENDER_OP_COPY) {
		job->src = job->objs[args->src];
		if (!vrender_range_ok(job->src, args->src_offset, args->size))
			return -ERANGE;
	}
	return 0;
}

static int vrender_map(struct vrender_job *job)
{
	int ret;

	/* Mapped now: the signalling path must not take reservation locks. */
	ret = primegem_vmap(job->dst, &job->dst_map);
	if (ret)
		return ret;
	if (job->src) {
		ret = primegem_vmap(job->src, &job->src_map);
		if (ret)
			return ret;
	}
	if (job->dst_map.is_iomem || job->src_map.is_iomem)
		return -EOPNOTSUPP;
	return 0;
}

static int vrender_get_in_fences(struct vrender_submit *s,
				 struct drm_file *file)
{
	const struct drm_vrender_submit *args = s->args;
	struct vrender_job *job = s->job;
	struct dma_fence *fence;
	int ret;

	if (args->flags & VRENDER_SUBMIT_IN_FENCE_FD) {
		fence = sync_file_get_fence(args->in_fence_fd);
		if (!fence)
			return -EINVAL;
		job->in_fences[0] = dma_fence_get(fence);
		ret = vrender_deps_add(job, fence, VRENDER_WAIT_EXPLICIT);
		if (ret)
			return ret;
	}
	if (args->flags & VRENDER_SUBMIT_IN_SYNCOBJ) {
		ret = drm_syncobj_find_fence(file, args->in_syncobj,
					     args->in_point, 0, &fence);
		if (ret)
			return ret;
		job->in_fences[1] = dma_fence_get(fence);
		ret = vrender_deps_add(job, fence, VRENDER_WAIT_EXPLICIT);
		if (ret)
			return ret;
	}
	return 0;
}

static int vrender_prepare_out_fences(struct vrender_submit *s,
				      struct drm_file *file)
{
	const struct drm_vrender_submit *args = s->args;

	if (args->flags & VRENDER_SUBMIT_OUT_SYNCOBJ) {
		s->out_syncobj = drm_syncobj_find(file, args->out_syncobj);
		if (!s->out_syncobj)
			return -ENOENT;
		if (args->out_point) {
			s->chain = dma_fence_chain_alloc();
			if (!s->chain)
				return -ENOMEM;
		}
	}
	if (args->flags & VRENDER_SUBMIT_OUT_FENCE_FD) {
		s->out_fd = get_unused_fd_flags(O_CLOEXEC);
		if (s->out_fd < 0)
			return s->out_fd;
	}
	return 0;
}

/* Under all the buffers' reservation locks, with a fence slot each. */
static int vrender_get_implicit_fences(struct vrender_submit *s)
{
	struct vrender_job *job = s->job;
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	unsigned int i;
	int ret;

	for (i = 0; i < job->num_objs; i++) {
		struct drm_gem_object *obj = job->objs[i];
		bool write = s->bos[i].flags & VRENDER_BO_WRITE;

		if (s->bos[i].flags & VRENDER_BO_NO_IMPLICIT)
			continue;

		dma_resv_for_each_fence(&cursor, obj->resv,
					dma_resv_usage_rw(write), fence) {
			ret = vrender_deps_add(job, dma_fence_get(fence),
					       VRENDER_WAIT_IMPLICIT);
			if (ret)
				return ret;
		}
		fence = primegem_cpu_fence_get(obj, write);
		if (fence) {
			ret = vrender_deps_add(job, fence, VRENDER_WAIT_CPU);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * Arm the job and make its fence visible. Nothing here may fail, allocate
 * or wait for a fence: the fence exists from the arming on, and whoever
 * finds it may wait for it while this thread holds what it needs. The
 * sync_file was made beforehand on a stub fence, swapped for the job's
 * before anyone sees the file.
 */
static void vrender_arm_and_publish(struct vrender_submit *s)
{
	struct vrender_job *job = s->job;
	struct dma_fence *fence, *stub;
	unsigned int i;

	drm_sched_job_arm(&job->base);
	fence = vrender_job_fence(job);
	s->args->seqno = atomic64_inc_return(&job->engine->seqno);

	for (i = 0; i < job->num_objs; i++)
		dma_resv_add_fence(job->objs[i]->resv, fence,
				   s->bos[i].flags & VRENDER_BO_WRITE ?
				   DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ);

	if (s->out_syncobj && s->chain) {
		drm_syncobj_add_point(s->out_syncobj, s->chain, fence,
				      s->args->out_point);
		s->chain = NULL;
	} else if (s->out_syncobj) {
		drm_syncobj_replace_fence(s->out_syncobj, fence);
	}
	if (s->sync_file) {
		stub = s->sync_file->fence;
		s->sync_file->fence = dma_fence_get(fence);
		dma_fence_put(stub);
		fd_install(s->out_fd, s->sync_file->file);
		s->args->out_fence_fd = s->out_fd;
		s->sync_file = NULL;
		s->out_fd = -1;
	}
}

static int vrender_lock_and_publish(struct vrender_submit *s,
				    struct vrender_client *client)
{
	struct vrender_job *job = s->job;
	struct ww_acquire_ctx ctx;
	unsigned int i;
	bool cookie;
	int ret;

	ret = drm_gem_lock_reservations(job->objs, job->num_objs, &ctx);
	if (ret)
		return ret;

	for (i = 0; i < job->num_objs; i++) {
		ret = vrender_resv_has_room(job->objs[i]->resv);
		if (ret)
			goto out_unlock;
		ret = dma_resv_reserve_fences(job->objs[i]->resv, 1);
		if (ret)
			goto out_unlock;
	}
	ret = vrender_get_implicit_fences(s);
	if (ret)
		goto out_unlock;
	ret = vrender_deps_commit(job);
	if (ret)
		goto out_unlock;
	if (s->out_fd >= 0) {
		struct dma_fence *stub = dma_fence_get_stub();

		s->sync_file = sync_file_create(stub);
		dma_fence_put(stub);
		if (!s->sync_file) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	}

	/*
	 * Armed last, and pushed in the order armed: the entity's fences
	 * must signal in seqno order. From the push on the job belongs to
	 * the scheduler.
	 */
	vrender_deps_count(job);
	mutex_lock(&client->submit_lock);
	cookie = dma_fence_begin_signalling();
	vrender_arm_and_publish(s);
	drm_gem_unlock_reservations(job->objs, job->num_objs, &ctx);
	vrender_job_push(job);
	dma_fence_end_signalling(cookie);
	mutex_unlock(&client->submit_lock);
	return 0;

out_unlock:
	drm_gem_unlock_reservations(job->objs, job->num_objs, &ctx);
	return ret;
}

static void vrender_submit_fini(struct vrender_submit *s, int ret)
{
	if (s->sync_file)
		fput(s->sync_file->file);
	if (s->out_fd >= 0)
		put_unused_fd(s->out_fd);
	dma_fence_chain_free(s->chain);
	if (s->out_syncobj)
		drm_syncobj_put(s->out_syncobj);
	if (ret && s->job)
		vrender_job_free(s->job);
	kvfree(s->bos);
}

static int vrender_submit_job(struct vrender_submit *s, struct drm_file *file)
{
	struct vrender_file *vfile = file->driver_priv;
	int ret;

	ret = vrender_lookup(s, file);
	if (ret)
		return ret;
	ret = vrender_map(s->job);
	if (ret)
		return ret;
	ret = vrender_get_in_fences(s, file);
	if (ret)
		return ret;
	ret = vrender_prepare_out_fences(s, file);
	if (ret)
		return ret;
	return vrender_lock_and_publish(s, vfile->client);
}

int vrender_submit_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_vrender_submit *args = data;
	struct vrender_file *vfile = file->driver_priv;
	struct vrender_submit s = { .args = args, .out_fd = -1 };
	struct vrender_job *job;
	int ret;

	ret = vrender_check_args(args);
	if (ret)
		return ret;

	s.bos = vmemdup_user(u64_to_user_ptr(args->bos),
			     array_size(args->bo_count, sizeof(*s.bos)));
	if (IS_ERR(s.bos))
		return PTR_ERR(s.bos);
	ret = vrender_check_bos(args, s.bos);
	if (ret)
		goto out;

	job = vrender_job_alloc(&to_vrender(drm)->engine);
	if (!job) {
		ret = -ENOMEM;
		goto out;
	}
	s.job = job;
	/* Last before the real work: waits while the file is at its limit. */
	ret = vrender_client_reserve_job(vfile->client);
	if (ret)
		goto out;
	job->client = vfile->client;
	ret = vprime_sched_job_init(&job->base, &vfile->client->entity, 1,
				    vfile->client, file);
	if (ret)
		goto out;
	job->op = args->op;
	job->value = args->value;
	job->exec_us = args->exec_us;
	job->dst_offset = args->dst_offset;
	job->src_offset = args->src_offset;
	job->size = args->size;

	ret = vrender_submit_job(&s, file);
out:
	vrender_submit_fini(&s, ret);
	return ret;
}
