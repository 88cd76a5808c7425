// SPDX-License-Identifier: MIT
/*
 * DRM sync object wrappers. libdrm returns -1 or -errno depending on the
 * call, with errno set either way: the __ wrappers return -errno.
 */
#include <time.h>
#include <xf86drm.h>

#include "igt_core.h"
#include "syncobj.h"

#define ERR(ret)	((ret) ? -errno : 0)

int64_t syncobj_deadline_ns(int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec + ms * 1000000ll;
}

void syncobj_require(int fd, bool timeline)
{
	uint64_t cap = 0;

	igt_require_f(drmGetCap(fd, DRM_CAP_SYNCOBJ, &cap) == 0 && cap,
		      "no DRM_CAP_SYNCOBJ\n");
	if (timeline)
		igt_require_f(drmGetCap(fd, DRM_CAP_SYNCOBJ_TIMELINE,
					&cap) == 0 && cap,
			      "no DRM_CAP_SYNCOBJ_TIMELINE\n");
}

int __syncobj_create(int fd, uint32_t flags, uint32_t *handle)
{
	return ERR(drmSyncobjCreate(fd, flags, handle));
}

uint32_t syncobj_create(int fd, uint32_t flags)
{
	uint32_t handle = 0;

	igt_assert_eq(__syncobj_create(fd, flags, &handle), 0);
	igt_assert_neq(handle, 0);
	return handle;
}

int __syncobj_destroy(int fd, uint32_t handle)
{
	return ERR(drmSyncobjDestroy(fd, handle));
}

void syncobj_destroy(int fd, uint32_t handle)
{
	igt_assert_eq(__syncobj_destroy(fd, handle), 0);
}

int __syncobj_handle_to_fd(int fd, struct drm_syncobj_handle *arg)
{
	return ERR(drmIoctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, arg));
}

int __syncobj_fd_to_handle(int fd, struct drm_syncobj_handle *arg)
{
	return ERR(drmIoctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, arg));
}

int syncobj_handle_to_fd(int fd, uint32_t handle)
{
	int obj_fd = -1;

	igt_assert_eq(ERR(drmSyncobjHandleToFD(fd, handle, &obj_fd)), 0);
	igt_assert_lte(0, obj_fd);
	return obj_fd;
}

uint32_t syncobj_fd_to_handle(int fd, int syncobj_fd)
{
	uint32_t handle = 0;

	igt_assert_eq(ERR(drmSyncobjFDToHandle(fd, syncobj_fd, &handle)), 0);
	igt_assert_neq(handle, 0);
	return handle;
}

int __syncobj_export_sync_file(int fd, uint32_t handle, int *fence_fd)
{
	*fence_fd = -1;
	return ERR(drmSyncobjExportSyncFile(fd, handle, fence_fd));
}

int syncobj_export_sync_file(int fd, uint32_t handle)
{
	int fence_fd;

	igt_assert_eq(__syncobj_export_sync_file(fd, handle, &fence_fd), 0);
	igt_assert_lte(0, fence_fd);
	return fence_fd;
}

int __syncobj_import_sync_file(int fd, uint32_t handle, int fence_fd)
{
	return ERR(drmSyncobjImportSyncFile(fd, handle, fence_fd));
}

void syncobj_import_sync_file(int fd, uint32_t handle, int fence_fd)
{
	igt_assert_eq(__syncobj_import_sync_file(fd, handle, fence_fd), 0);
}

int __syncobj_wait(int fd, uint32_t *handles, uint32_t count,
		   int64_t timeout_ns, uint32_t flags, uint32_t *first)
{
	return ERR(drmSyncobjWait(fd, handles, count, timeout_ns, flags,
				  first));
}

int __syncobj_timeline_wait(int fd, uint32_t *handles, uint64_t *points,
			    uint32_t count, int64_t timeout_ns,
			    uint32_t flags, uint32_t *first)
{
	return ERR(drmSyncobjTimelineWait(fd, handles, points, count,
					  timeout_ns, flags, first));
}

bool syncobj_wait_ms(int fd, uint32_t handle, uint64_t point, int ms)
{
	int64_t deadline = syncobj_deadline_ns(ms);
	int err;

	if (point)
		err = __syncobj_timeline_wait(fd, &handle, &point, 1, deadline,
					      0, NULL);
	else
		err = __syncobj_wait(fd, &handle, 1, deadline, 0, NULL);
	igt_assert_f(err == 0 || err == -ETIME,
		     "syncobj wait failed: %s\n", strerror(-err));
	return err == 0;
}

int __syncobj_reset(int fd, uint32_t *handles, uint32_t count)
{
	return ERR(drmSyncobjReset(fd, handles, count));
}

int __syncobj_signal(int fd, uint32_t *handles, uint32_t count)
{
	return ERR(drmSyncobjSignal(fd, handles, count));
}

int __syncobj_timeline_signal(int fd, uint32_t *handles, uint64_t *points,
			      uint32_t count)
{
	return ERR(drmSyncobjTimelineSignal(fd, handles, points, count));
}

int __syncobj_query(int fd, uint32_t *handles, uint64_t *points,
		    uint32_t count, uint32_t flags)
{
	return ERR(drmSyncobjQuery2(fd, handles, points, count, flags));
}

uint64_t syncobj_query(int fd, uint32_t handle, uint32_t flags)
{
	uint64_t point = ~0ull;

	igt_assert_eq(__syncobj_query(fd, &handle, &point, 1, flags), 0);
	return point;
}
