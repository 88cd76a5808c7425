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
 * module parameter fence_timeout_ms (default 10000) so nothing waits forever.
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
 *	0: -EINVAL.
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

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_VRENDER_DRM_H_ */
