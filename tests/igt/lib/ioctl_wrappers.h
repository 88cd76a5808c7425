// SPDX-License-Identifier: MIT
/*
 * ioctl and mmap wrappers: __op() returns 0 or -errno, op() asserts success.
 */
#ifndef IOCTL_WRAPPERS_H
#define IOCTL_WRAPPERS_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <drm.h>
#include <drm_mode.h>
#include <vrender_drm.h>

#include "igt_vgem.h"

#define PRIME_FLAGS_RDWR	(DRM_CLOEXEC | DRM_RDWR)

size_t igt_page_size(void);

/* A dumb buffer of npages pages (1024x npages at 32 bpp). */
struct bo {
	uint32_t handle;
	uint64_t size;
	unsigned int npages;
};

int __gem_info(int fd, struct drm_vrender_gem_info *info);
struct drm_vrender_gem_info gem_info(int fd, uint32_t handle);
uint64_t gem_id(int fd, uint32_t handle);
int __gem_create(int fd, struct drm_vrender_gem_create *arg);
uint32_t gem_create(int fd, uint64_t size, uint32_t flags);
int __gem_close(int fd, uint32_t handle);
void gem_close(int fd, uint32_t handle);

int __dumb_create(int fd, struct drm_mode_create_dumb *arg);
void dumb_create(int fd, struct drm_mode_create_dumb *arg);
int __dumb_map(int fd, uint32_t handle, uint64_t *offset);
uint64_t dumb_map(int fd, uint32_t handle);
int __dumb_destroy(int fd, uint32_t handle);
struct bo bo_create(int fd, unsigned int npages);

int __prime_handle_to_fd(int fd, uint32_t handle, uint32_t flags, int *dmabuf);
int prime_handle_to_fd(int fd, uint32_t handle);
int prime_handle_to_fd_flags(int fd, uint32_t handle, uint32_t flags);
int __prime_fd_to_handle(int fd, int dmabuf, uint32_t *handle);
uint32_t prime_fd_to_handle(int fd, int dmabuf);
/* IGT's: an fd that can be mmap()ed for writing (DRM_CLOEXEC | DRM_RDWR). */
int prime_handle_to_fd_for_mmap(int fd, uint32_t handle);
/* IGT's: DMA_BUF_IOCTL_SYNC START/END for read, or read and write. */
void prime_sync_start(int dma_buf_fd, bool write);
void prime_sync_end(int dma_buf_fd, bool write);

/*
 * vrender's FENCE_ATTACH/SIGNAL by handle and with the whole argument (the
 * IGT-compatible vgem_*() API on struct vgem_bo is in igt_vgem.h).
 */
int __vrender_fence_attach(int fd, struct drm_vrender_fence_attach *arg);
uint32_t vrender_fence_attach(int fd, uint32_t handle, uint32_t flags);
int __vrender_fence_signal(int fd, struct drm_vrender_fence_signal *arg);

int __dmabuf_sync(int dmabuf, uint64_t flags);
void dmabuf_sync(int dmabuf, uint64_t flags);
/* poll() for @events; true if ready within @timeout_ms. */
bool fd_poll(int fd, short events, int timeout_ms);
ino_t fd_inode(int fd);

int __mmap_err(void **ptr, size_t len, int prot, int flags, int fd,
	       off_t offset);
void *mmap_checked(size_t len, int prot, int flags, int fd, off_t offset);
/* Shared mappings of object pages [first, first + npages). */
void *gem_mmap(int fd, uint32_t handle, unsigned int first,
	       unsigned int npages, int prot);
void *dmabuf_mmap(int dmabuf, unsigned int first, unsigned int npages,
		  int prot);
void munmap_pages(void *ptr, unsigned int npages);
/*
 * dmabuf_mmap() at a 2 MiB boundary plus @skew bytes, where a mapping can
 * map huge pages (the dma-buf core places mappings without regard to that).
 */
void *dmabuf_mmap_at(int dmabuf, unsigned int first, unsigned int npages,
		     int prot, size_t skew);

/* Per-page pattern: ptr maps object pages [first, first + npages). */
void pattern_fill(void *ptr, unsigned int first, unsigned int npages,
		  uint32_t seed);
void pattern_check(const void *ptr, unsigned int first, unsigned int npages,
		   uint32_t seed);
void zero_check(const void *ptr, size_t len);

#endif /* IOCTL_WRAPPERS_H */
