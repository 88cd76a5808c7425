/* SPDX-License-Identifier: MIT */
/*
 * vrender: virtual render devices sharing buffers through PRIME.
 *
 * The UAPI is a superset of vgem's: the ioctls numbered 0x1 and 0x2 have the
 * exact numbers, layouts and errnos of DRM_IOCTL_VGEM_FENCE_ATTACH and
 * DRM_IOCTL_VGEM_FENCE_SIGNAL, so a program written against vgem_drm.h runs
 * unchanged on a vrender device. The structures carry vrender names so that
 * this header can be included next to a copy of vgem_drm.h.
 */
#ifndef _UAPI_VRENDER_DRM_H_
#define _UAPI_VRENDER_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_VRENDER_FENCE_ATTACH	0x1
#define DRM_VRENDER_FENCE_SIGNAL	0x2
#define DRM_VRENDER_GEM_INFO		0x10
#define DRM_VRENDER_GEM_CREATE		0x11
#define DRM_VRENDER_SUBMIT		0x12

#define DRM_IOCTL_VRENDER_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VRENDER_FENCE_ATTACH, \
		 struct drm_vrender_fence_attach)
#define DRM_IOCTL_VRENDER_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VRENDER_FENCE_SIGNAL, \
		struct drm_vrender_fence_signal)
#define DRM_IOCTL_VRENDER_GEM_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VRENDER_GEM_INFO, \
		 struct drm_vrender_gem_info)
#define DRM_IOCTL_VRENDER_GEM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VRENDER_GEM_CREATE, \
		 struct drm_vrender_gem_create)
#define DRM_IOCTL_VRENDER_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VRENDER_SUBMIT, \
		 struct drm_vrender_submit)

/**
 * struct drm_vrender_fence_attach - attach a fence to a buffer's reservation
 * @handle: GEM handle of the buffer.
 * @flags: VRENDER_FENCE_WRITE for an exclusive (write) fence, else a read
 *	fence. Unknown bits: -EINVAL.
 * @out_fence: returned fence id, local to this DRM file, for
 *	&DRM_IOCTL_VRENDER_FENCE_SIGNAL.
 * @pad: must be zero (-EINVAL).
 *
 * Same layout and errnos as struct drm_vgem_fence_attach: -ENOENT for an
 * unknown handle, -EBUSY if an unsignalled fence conflicts (any fence for a
 * write, a write fence for a read). The fence signals by itself after the
 * device's fence timeout (default 10000 ms: the module parameter
 * fence_timeout_ms at load, debugfs vrender_fence_timeout_ms per device) so
 * nothing waits forever.
 * Limits: -ENOSPC while the file has %VRENDER_MAX_FENCES fences not yet
 * signalled through FENCE_SIGNAL; -EBUSY while the buffer holds
 * %VRENDER_MAX_BO_FENCES unsignalled fences of any kind.
 */
struct drm_vrender_fence_attach {
	__u32 handle;
	__u32 flags;
#define VRENDER_FENCE_WRITE	0x1
	__u32 out_fence;
	__u32 pad;
};

/**
 * struct drm_vrender_fence_signal - signal a fence from FENCE_ATTACH
 * @fence: the id returned in &drm_vrender_fence_attach.out_fence.
 * @flags: must be zero (-EINVAL).
 *
 * -ENOENT for an unknown or already signalled id, -ETIMEDOUT if the fence
 * had already expired (it is released all the same).
 */
struct drm_vrender_fence_signal {
	__u32 fence;
	__u32 flags;
};

/**
 * struct drm_vrender_gem_info - describe a buffer
 * @handle: GEM handle (in). -ENOENT if unknown.
 * @pad: must be zero (-EINVAL).
 * @size: size of the buffer in bytes (out).
 * @id: id of the buffer object on this device (out), as listed in the
 *	device's debugfs file primegem_objects. Ids are never reused while the
 *	module is loaded.
 */
struct drm_vrender_gem_info {
	__u32 handle;
	__u32 pad;
	__u64 size;
	__u64 id;
};

/**
 * struct drm_vrender_gem_create - create a buffer (render nodes too)
 * @size: in: size in bytes, rounded up to whole pages; out: the size made.
 *	0, or a size that overflows when rounded up: -EINVAL. A size the
 *	device could never pin (over its pinned-memory limit, by default half
 *	of the RAM; see README, "Pinned memory"): -E2BIG.
 * @flags: VRENDER_GEM_CREATE_* (unknown bits: -EINVAL).
 * @handle: out: GEM handle of the new buffer.
 *
 * VRENDER_GEM_CREATE_TRACK_CPU: catch CPU accesses outside
 * DMA_BUF_IOCTL_SYNC brackets (see README, "CPU access tracking").
 * VRENDER_GEM_CREATE_STRICT: a CPU-access bracket also holds device jobs
 * off until it ends (see README, "The CPU as a consumer").
 * A flag the running kernel does not support yet fails with -EINVAL.
 */
struct drm_vrender_gem_create {
	__u64 size;
	__u32 flags;
#define VRENDER_GEM_CREATE_TRACK_CPU	(1u << 0)
#define VRENDER_GEM_CREATE_STRICT	(1u << 1)
	__u32 handle;
};

/**
 * struct drm_vrender_submit_bo - a buffer used by a job
 * @handle: GEM handle (-ENOENT if unknown; a handle listed twice, or two
 *	handles of one buffer, e.g. a buffer and an import of its own
 *	dma-buf: -EINVAL).
 * @flags: VRENDER_BO_READ and/or VRENDER_BO_WRITE (at least one), and
 *	VRENDER_BO_NO_IMPLICIT to skip waiting for the buffer's fences (the
 *	job's own fence is still added). Unknown bits: -EINVAL.
 */
struct drm_vrender_submit_bo {
	__u32 handle;
	__u32 flags;
#define VRENDER_BO_READ		(1u << 0)
#define VRENDER_BO_WRITE	(1u << 1)
#define VRENDER_BO_NO_IMPLICIT	(1u << 2)
};

/*
 * Limits. Each is a guaranteed minimum: this version refuses more, a later
 * one may accept more.
 *
 * VRENDER_MAX_SUBMIT_BOS: buffers of one job.
 * VRENDER_MAX_EXEC_US: simulated execution time of one job.
 * VRENDER_MAX_JOBS_IN_FLIGHT: jobs of one DRM file submitted and not yet
 *	signalled; SUBMIT waits (interruptibly) for room.
 * VRENDER_MAX_FENCES: fences of one DRM file from FENCE_ATTACH not yet
 *	signalled with FENCE_SIGNAL.
 * VRENDER_MAX_BO_FENCES: unsignalled fences (of any driver) in a buffer's
 *	reservation object, beyond which SUBMIT and FENCE_ATTACH refuse to add
 *	one (-EBUSY).
 * VRENDER_MAX_JOB_DEPS: unsignalled fences of distinct timelines one job
 *	waits for, implicit (its buffers') and explicit together; SUBMIT
 *	refuses a job that would wait for more (-EBUSY).
 */
#define VRENDER_MAX_SUBMIT_BOS		64
#define VRENDER_MAX_EXEC_US		1000000
#define VRENDER_MAX_JOBS_IN_FLIGHT	1024
#define VRENDER_MAX_FENCES		1024
#define VRENDER_MAX_BO_FENCES		4096
#define VRENDER_MAX_JOB_DEPS		256

/**
 * struct drm_vrender_submit - queue a job on the device's engine
 * @bos: user pointer to @bo_count &struct drm_vrender_submit_bo.
 * @bo_count: 1 to VRENDER_MAX_SUBMIT_BOS (0: -EINVAL, more: -E2BIG).
 * @op: VRENDER_OP_FILL (@value repeated over @size bytes of bos[@dst] from
 *	@dst_offset; offset and size 4-byte aligned) or VRENDER_OP_COPY
 *	(@size bytes of bos[@src] at @src_offset to bos[@dst] at @dst_offset).
 *	Unknown: -EINVAL. bos[@dst] must be marked WRITE and bos[@src] READ
 *	(-EINVAL); an index out of the list: -EINVAL; a range outside its
 *	buffer: -ERANGE; misaligned fill: -EINVAL.
 * @dst: index in @bos of the destination.
 * @src: index in @bos of the source (COPY; must be 0 for FILL).
 * @value: the 32-bit fill pattern (FILL; must be 0 for COPY).
 * @dst_offset: byte offset in the destination.
 * @src_offset: byte offset in the source (COPY; must be 0 for FILL).
 * @size: bytes to fill or copy (0: -EINVAL).
 * @exec_us: simulated execution time, at most VRENDER_MAX_EXEC_US
 *	(-EINVAL beyond).
 * @flags: VRENDER_SUBMIT_* (unknown bits: -EINVAL).
 * @in_fence_fd: with VRENDER_SUBMIT_IN_FENCE_FD, a sync_file to wait for
 *	(-EINVAL if not a sync_file).
 * @out_fence_fd: with VRENDER_SUBMIT_OUT_FENCE_FD, returns a sync_file of
 *	the job's fence.
 * @in_syncobj: with VRENDER_SUBMIT_IN_SYNCOBJ, a syncobj whose fence (at
 *	@in_point for a timeline) the job waits for (-ENOENT if unknown,
 *	-EINVAL if it has no fence yet).
 * @out_syncobj: with VRENDER_SUBMIT_OUT_SYNCOBJ, a syncobj that gets the
 *	job's fence (at @out_point on a timeline, else replaced; -ENOENT if
 *	unknown).
 * @in_point: timeline point of @in_syncobj, 0 for a binary syncobj.
 * @pad: must be zero (-EINVAL).
 * @out_point: timeline point of @out_syncobj, 0 for a binary syncobj.
 * @seqno: returns the job's number in the order of the device's
 *	submissions (counted since the module was loaded). The job's fence
 *	has a timeline of the DRM file's own.
 *
 * The fields of a feature whose flag is clear (@in_fence_fd,
 * @out_fence_fd, @in_syncobj and @in_point, @out_syncobj and @out_point)
 * must be zero (-EINVAL): they are reserved for later use.
 *
 * Resources: -ENOMEM if mapping a buffer would take the device over its
 * pinned-memory limit; -EBUSY if a buffer holds %VRENDER_MAX_BO_FENCES
 * unsignalled fences, or if the job would wait for more than
 * %VRENDER_MAX_JOB_DEPS fences; SUBMIT waits while the file has
 * %VRENDER_MAX_JOBS_IN_FLIGHT jobs in flight (-EINTR/restart on a signal).
 *
 * The job waits for its explicit in-fences and, for each buffer not marked
 * NO_IMPLICIT, for the conflicting fences in the buffer's reservation
 * object (a writer waits for all, a reader for writers; strict buffers'
 * CPU-access brackets count as well), then executes, then signals its fence,
 * which was added to every buffer as a write or read fence at submit. A job
 * whose explicit in-fence fails does not execute; its fence signals with
 * the in-fence's error. A job whose dependencies have not all signalled
 * within the device's job timeout (default 20000 ms: the module parameter
 * job_timeout_ms at load, debugfs vrender_job_timeout_ms per device;
 * counted once the file's earlier jobs have gone to the device), or that
 * executes for longer than the module parameter exec_timeout_ms, fails
 * with -ETIMEDOUT and writes nothing. A file's jobs execute in submission
 * order. A failed submit changes nothing.
 */
struct drm_vrender_submit {
	__u64 bos;
	__u32 bo_count;
	__u32 op;
#define VRENDER_OP_FILL		1
#define VRENDER_OP_COPY		2
	__u32 dst;
	__u32 src;
	__u32 value;
	__u32 exec_us;
	__u64 dst_offset;
	__u64 src_offset;
	__u64 size;
	__u32 flags;
#define VRENDER_SUBMIT_IN_FENCE_FD	(1u << 0)
#define VRENDER_SUBMIT_OUT_FENCE_FD	(1u << 1)
#define VRENDER_SUBMIT_IN_SYNCOBJ	(1u << 2)
#define VRENDER_SUBMIT_OUT_SYNCOBJ	(1u << 3)
	__s32 in_fence_fd;
	__s32 out_fence_fd;
	__u32 in_syncobj;
	__u32 out_syncobj;
	__u32 pad;
	__u64 in_point;
	__u64 out_point;
	__u64 seqno;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_VRENDER_DRM_H_ */
