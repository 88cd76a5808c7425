// SPDX-License-Identifier: MIT
/*
 * IGT's vgem API (lib/igt_vgem.h in igt-gpu-tools), same names, types and
 * semantics: a test written against it runs on stock vgem and on vrender
 * (whose FENCE_ATTACH/SIGNAL are vgem's ioctls, with the same numbers),
 * and moves to IGT unchanged. Buffers are dumb buffers, mapped through
 * MAP_DUMB.
 */
#ifndef IGT_VGEM_H
#define IGT_VGEM_H

#include <stdbool.h>
#include <stdint.h>

#include "vgem_drm.h"

struct vgem_bo {
	uint32_t handle;
	uint32_t width, height;
	uint32_t bpp, pitch;
	uint64_t size;
};

/* Create a dumb buffer of @bo's width, height and bpp; fills the rest. */
int __vgem_create(int fd, struct vgem_bo *bo);
void vgem_create(int fd, struct vgem_bo *bo);

/* Map the whole buffer (MAP_DUMB + mmap); NULL / assert on failure. */
void *__vgem_mmap(int fd, struct vgem_bo *bo, unsigned int prot);
void *vgem_mmap(int fd, struct vgem_bo *bo, unsigned int prot);

/* Whether the device has vgem's fence ioctls, and a FENCE_ATTACH flag. */
bool vgem_has_fences(int fd);
bool vgem_fence_has_flag(int fd, unsigned int flags);
/* Attach a fence (VGEM_FENCE_WRITE or a read fence); returns its id. */
uint32_t vgem_fence_attach(int fd, struct vgem_bo *bo, unsigned int flags);
#define WIP_VGEM_FENCE_NOTIMEOUT 0x2
int __vgem_fence_signal(int fd, uint32_t fence);
void vgem_fence_signal(int fd, uint32_t fence);

#endif /* IGT_VGEM_H */
