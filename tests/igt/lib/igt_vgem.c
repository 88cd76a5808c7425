// SPDX-License-Identifier: MIT
/*
 * IGT's vgem API; see igt_vgem.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <xf86drm.h>
#include <drm.h>
#include <drm_mode.h>

#include "igt_core.h"
#include "igt_vgem.h"
#include "ioctl_wrappers.h"

static int vgem_ioctl(int fd, unsigned long request, void *arg)
{
	return drmIoctl(fd, request, arg) ? -errno : 0;
}

int __vgem_create(int fd, struct vgem_bo *bo)
{
	struct drm_mode_create_dumb arg = {
		.width = bo->width,
		.height = bo->height,
		.bpp = bo->bpp,
	};
	int err = vgem_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &arg);

	if (err)
		return err;
	bo->handle = arg.handle;
	bo->pitch = arg.pitch;
	bo->size = arg.size;
	return 0;
}

void vgem_create(int fd, struct vgem_bo *bo)
{
	igt_assert_eq(__vgem_create(fd, bo), 0);
}

void *__vgem_mmap(int fd, struct vgem_bo *bo, unsigned int prot)
{
	struct drm_mode_map_dumb arg = { .handle = bo->handle };
	void *ptr;

	if (vgem_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &arg))
		return NULL;
	ptr = mmap(NULL, bo->size, prot, MAP_SHARED, fd, arg.offset);
	return ptr == MAP_FAILED ? NULL : ptr;
}

void *vgem_mmap(int fd, struct vgem_bo *bo, unsigned int prot)
{
	void *ptr = __vgem_mmap(fd, bo, prot);

	igt_assert_f(ptr, "mapping vgem_bo %u: %s\n", bo->handle,
		     strerror(errno));
	return ptr;
}

static int __vgem_fence_attach(int fd, struct drm_vgem_fence_attach *arg)
{
	return vgem_ioctl(fd, DRM_IOCTL_VGEM_FENCE_ATTACH, arg);
}

bool vgem_has_fences(int fd)
{
	struct drm_vgem_fence_signal arg = { 0 };

	return vgem_ioctl(fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &arg) == -ENOENT;
}

bool vgem_fence_has_flag(int fd, unsigned int flags)
{
	struct drm_vgem_fence_attach arg = { .flags = flags };
	struct vgem_bo bo = { .width = 1, .height = 1, .bpp = 32 };
	bool ret = false;

	if (!flags)
		return true;
	vgem_create(fd, &bo);
	arg.handle = bo.handle;
	if (__vgem_fence_attach(fd, &arg) == 0) {
		vgem_fence_signal(fd, arg.out_fence);
		ret = true;
	}
	gem_close(fd, bo.handle);
	return ret;
}

uint32_t vgem_fence_attach(int fd, struct vgem_bo *bo, unsigned int flags)
{
	struct drm_vgem_fence_attach arg = { .handle = bo->handle,
					     .flags = flags };

	igt_assert_eq(__vgem_fence_attach(fd, &arg), 0);
	return arg.out_fence;
}

int __vgem_fence_signal(int fd, uint32_t fence)
{
	struct drm_vgem_fence_signal arg = { .fence = fence };

	return vgem_ioctl(fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &arg);
}

void vgem_fence_signal(int fd, uint32_t fence)
{
	igt_assert_eq(__vgem_fence_signal(fd, fence), 0);
}
