// SPDX-License-Identifier: MIT
/*
 * The vgem fence ABI, as in IGT's copy of include/uapi/drm/vgem_drm.h.
 * vrender implements it with the same ioctl numbers (vrender_drm.h).
 */
#ifndef VGEM_DRM_H
#define VGEM_DRM_H

#include <drm.h>

#define DRM_VGEM_FENCE_ATTACH	0x1
#define DRM_VGEM_FENCE_SIGNAL	0x2

#define DRM_IOCTL_VGEM_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VGEM_FENCE_ATTACH, \
		 struct drm_vgem_fence_attach)
#define DRM_IOCTL_VGEM_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VGEM_FENCE_SIGNAL, \
		struct drm_vgem_fence_signal)

struct drm_vgem_fence_attach {
	__u32 handle;
	__u32 flags;
#define VGEM_FENCE_WRITE	0x1
	__u32 out_fence;
	__u32 pad;
};

struct drm_vgem_fence_signal {
	__u32 fence;
	__u32 flags;
};

/*
 * Attach/conflict/poll/signal through the raw vgem ioctls on @fd; asserts
 * that the ioctl numbers equal vrender's.
 */
void vgem_abi_exercise(int fd);

#endif /* VGEM_DRM_H */
