// SPDX-License-Identifier: MIT
/*
 * Exercise the vgem fence ABI through a local copy of vgem_drm.h.
 */
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xf86drm.h>

#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "vgem_drm.h"

_Static_assert(DRM_IOCTL_VGEM_FENCE_ATTACH == DRM_IOCTL_VRENDER_FENCE_ATTACH,
	       "vgem and vrender FENCE_ATTACH numbers differ");
_Static_assert(DRM_IOCTL_VGEM_FENCE_SIGNAL == DRM_IOCTL_VRENDER_FENCE_SIGNAL,
	       "vgem and vrender FENCE_SIGNAL numbers differ");
_Static_assert(VGEM_FENCE_WRITE == VRENDER_FENCE_WRITE,
	       "vgem and vrender FENCE_WRITE differ");

static int vgem_ioctl(int fd, unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

void vgem_abi_exercise(int fd)
{
	struct bo bo = bo_create(fd, 1);
	int dmabuf = prime_handle_to_fd(fd, bo.handle);
	struct drm_vgem_fence_attach write = { .handle = bo.handle,
					       .flags = VGEM_FENCE_WRITE };
	struct drm_vgem_fence_attach read = { .handle = bo.handle };
	struct drm_vgem_fence_attach pad = { .handle = bo.handle, .pad = 1 };
	struct drm_vgem_fence_signal sig = { 0 };

	igt_assert_eq(vgem_ioctl(fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &pad),
		      -EINVAL);
	igt_assert_eq(vgem_ioctl(fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &write), 0);
	igt_assert(!fd_poll(dmabuf, POLLIN, 0));
	igt_assert_eq(vgem_ioctl(fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &read),
		      -EBUSY);

	sig.fence = write.out_fence;
	igt_assert_eq(vgem_ioctl(fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &sig), 0);
	igt_assert(fd_poll(dmabuf, POLLIN | POLLOUT, 1000));
	igt_assert_eq(vgem_ioctl(fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &sig),
		      -ENOENT);

	igt_assert_eq(vgem_ioctl(fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &read), 0);
	igt_assert(fd_poll(dmabuf, POLLIN, 0));
	igt_assert(!fd_poll(dmabuf, POLLOUT, 0));
	sig.fence = read.out_fence;
	igt_assert_eq(vgem_ioctl(fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &sig), 0);
	igt_assert(fd_poll(dmabuf, POLLOUT, 1000));

	close(dmabuf);
	gem_close(fd, bo.handle);
}
