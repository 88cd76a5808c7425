// SPDX-License-Identifier: MIT
/*
 * DRM sync objects: wrappers returning 0 or -errno (__op) or asserting
 * success (op), on top of libdrm's drmSyncobj* where it has the call.
 */
#ifndef SYNCOBJ_H
#define SYNCOBJ_H

#include <stdbool.h>
#include <stdint.h>
#include <drm.h>

/* An absolute CLOCK_MONOTONIC timeout @ms from now, for the wait ioctls. */
int64_t syncobj_deadline_ns(int64_t ms);

/* Skips unless the device has syncobjs (and timelines if @timeline). */
void syncobj_require(int fd, bool timeline);

int __syncobj_create(int fd, uint32_t flags, uint32_t *handle);
uint32_t syncobj_create(int fd, uint32_t flags);
int __syncobj_destroy(int fd, uint32_t handle);
void syncobj_destroy(int fd, uint32_t handle);

int __syncobj_handle_to_fd(int fd, struct drm_syncobj_handle *arg);
int __syncobj_fd_to_handle(int fd, struct drm_syncobj_handle *arg);
int syncobj_handle_to_fd(int fd, uint32_t handle);
uint32_t syncobj_fd_to_handle(int fd, int syncobj_fd);
/* As a sync_file (DRM_SYNCOBJ_*_FLAGS_*_SYNC_FILE). */
int __syncobj_export_sync_file(int fd, uint32_t handle, int *fence_fd);
int syncobj_export_sync_file(int fd, uint32_t handle);
int __syncobj_import_sync_file(int fd, uint32_t handle, int fence_fd);
void syncobj_import_sync_file(int fd, uint32_t handle, int fence_fd);

int __syncobj_wait(int fd, uint32_t *handles, uint32_t count,
		   int64_t timeout_ns, uint32_t flags, uint32_t *first);
int __syncobj_timeline_wait(int fd, uint32_t *handles, uint64_t *points,
			    uint32_t count, int64_t timeout_ns,
			    uint32_t flags, uint32_t *first);
/* True if @handle (at @point) signals within @ms. */
bool syncobj_wait_ms(int fd, uint32_t handle, uint64_t point, int ms);

int __syncobj_reset(int fd, uint32_t *handles, uint32_t count);
int __syncobj_signal(int fd, uint32_t *handles, uint32_t count);
int __syncobj_timeline_signal(int fd, uint32_t *handles, uint64_t *points,
			      uint32_t count);
int __syncobj_query(int fd, uint32_t *handles, uint64_t *points,
		    uint32_t count, uint32_t flags);
uint64_t syncobj_query(int fd, uint32_t handle, uint32_t flags);

#endif /* SYNCOBJ_H */
