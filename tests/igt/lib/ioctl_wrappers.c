// SPDX-License-Identifier: MIT
/*
 * ioctl and mmap wrappers for GEM, dumb buffers, PRIME, vrender fences and
 * dma-buf.
 */
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "igt_core.h"
#include "ioctl_wrappers.h"

size_t igt_page_size(void)
{
	static size_t size;

	if (!size)
		size = sysconf(_SC_PAGESIZE);
	return size;
}

static int __ioctl(int fd, unsigned long request, void *arg)
{
	return drmIoctl(fd, request, arg) ? -errno : 0;
}

int __gem_create(int fd, struct drm_vrender_gem_create *arg)
{
	return __ioctl(fd, DRM_IOCTL_VRENDER_GEM_CREATE, arg);
}

uint32_t gem_create(int fd, uint64_t size, uint32_t flags)
{
	struct drm_vrender_gem_create arg = { .size = size, .flags = flags };

	igt_assert_eq(__gem_create(fd, &arg), 0);
	return arg.handle;
}

int __gem_info(int fd, struct drm_vrender_gem_info *info)
{
	return __ioctl(fd, DRM_IOCTL_VRENDER_GEM_INFO, info);
}

struct drm_vrender_gem_info gem_info(int fd, uint32_t handle)
{
	struct drm_vrender_gem_info info = { .handle = handle };

	igt_assert_eq(__gem_info(fd, &info), 0);
	return info;
}

uint64_t gem_id(int fd, uint32_t handle)
{
	return gem_info(fd, handle).id;
}

int __gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close arg = { .handle = handle };

	return __ioctl(fd, DRM_IOCTL_GEM_CLOSE, &arg);
}

void gem_close(int fd, uint32_t handle)
{
	igt_assert_eq(__gem_close(fd, handle), 0);
}

int __dumb_create(int fd, struct drm_mode_create_dumb *arg)
{
	return __ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, arg);
}

void dumb_create(int fd, struct drm_mode_create_dumb *arg)
{
	igt_assert_eq(__dumb_create(fd, arg), 0);
	igt_assert_neq(arg->handle, 0);
	igt_assert_lte((uint64_t)arg->width * ((arg->bpp + 7) / 8),
		       arg->pitch);
	igt_assert_lte((uint64_t)arg->pitch * arg->height, arg->size);
}

int __dumb_map(int fd, uint32_t handle, uint64_t *offset)
{
	struct drm_mode_map_dumb arg = { .handle = handle };
	int err = __ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &arg);

	*offset = arg.offset;
	return err;
}

uint64_t dumb_map(int fd, uint32_t handle)
{
	uint64_t offset;

	igt_assert_eq(__dumb_map(fd, handle, &offset), 0);
	igt_assert_eq_u64(offset % igt_page_size(), 0);
	return offset;
}

int __dumb_destroy(int fd, uint32_t handle)
{
	struct drm_mode_destroy_dumb arg = { .handle = handle };

	return __ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &arg);
}

struct bo bo_create(int fd, unsigned int npages)
{
	struct drm_mode_create_dumb arg = {
		.width = igt_page_size() / 4,
		.height = npages,
		.bpp = 32,
	};
	struct bo bo;

	dumb_create(fd, &arg);
	igt_assert_eq_u64(arg.size % igt_page_size(), 0);
	bo.handle = arg.handle;
	bo.size = arg.size;
	bo.npages = arg.size / igt_page_size();
	return bo;
}

int __prime_handle_to_fd(int fd, uint32_t handle, uint32_t flags, int *dmabuf)
{
	struct drm_prime_handle arg = { .handle = handle, .flags = flags,
					.fd = -1 };
	int err = __ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &arg);

	*dmabuf = arg.fd;
	return err;
}

int prime_handle_to_fd_flags(int fd, uint32_t handle, uint32_t flags)
{
	int dmabuf;

	igt_assert_eq(__prime_handle_to_fd(fd, handle, flags, &dmabuf), 0);
	igt_assert_lte(0, dmabuf);
	return dmabuf;
}

int prime_handle_to_fd(int fd, uint32_t handle)
{
	return prime_handle_to_fd_flags(fd, handle, PRIME_FLAGS_RDWR);
}

int __prime_fd_to_handle(int fd, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle arg = { .fd = dmabuf };
	int err = __ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &arg);

	*handle = arg.handle;
	return err;
}

uint32_t prime_fd_to_handle(int fd, int dmabuf)
{
	uint32_t handle;

	igt_assert_eq(__prime_fd_to_handle(fd, dmabuf, &handle), 0);
	igt_assert_neq(handle, 0);
	return handle;
}

int __vrender_fence_attach(int fd, struct drm_vrender_fence_attach *arg)
{
	return __ioctl(fd, DRM_IOCTL_VRENDER_FENCE_ATTACH, arg);
}

uint32_t vrender_fence_attach(int fd, uint32_t handle, uint32_t flags)
{
	struct drm_vrender_fence_attach arg = { .handle = handle,
						.flags = flags };

	igt_assert_eq(__vrender_fence_attach(fd, &arg), 0);
	return arg.out_fence;
}

int __vrender_fence_signal(int fd, struct drm_vrender_fence_signal *arg)
{
	return __ioctl(fd, DRM_IOCTL_VRENDER_FENCE_SIGNAL, arg);
}

int prime_handle_to_fd_for_mmap(int fd, uint32_t handle)
{
	return prime_handle_to_fd_flags(fd, handle, DRM_CLOEXEC | DRM_RDWR);
}

void prime_sync_start(int dma_buf_fd, bool write)
{
	dmabuf_sync(dma_buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ |
		    (write ? DMA_BUF_SYNC_WRITE : 0));
}

void prime_sync_end(int dma_buf_fd, bool write)
{
	dmabuf_sync(dma_buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ |
		    (write ? DMA_BUF_SYNC_WRITE : 0));
}

int __dmabuf_sync(int dmabuf, uint64_t flags)
{
	struct dma_buf_sync arg = { .flags = flags };

	return __ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &arg);
}

void dmabuf_sync(int dmabuf, uint64_t flags)
{
	igt_assert_eq(__dmabuf_sync(dmabuf, flags), 0);
}

bool fd_poll(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int ret;

	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	igt_assert_lte(0, ret);
	return ret > 0 && (pfd.revents & events) == events;
}

ino_t fd_inode(int fd)
{
	struct stat st;

	igt_assert_eq(fstat(fd, &st), 0);
	return st.st_ino;
}

int __mmap_err(void **ptr, size_t len, int prot, int flags, int fd,
	       off_t offset)
{
	void *p = mmap(NULL, len, prot, flags, fd, offset);

	if (p == MAP_FAILED) {
		*ptr = NULL;
		return -errno;
	}
	*ptr = p;
	return 0;
}

void *mmap_checked(size_t len, int prot, int flags, int fd, off_t offset)
{
	void *ptr;

	igt_assert_eq(__mmap_err(&ptr, len, prot, flags, fd, offset), 0);
	return ptr;
}

void *gem_mmap(int fd, uint32_t handle, unsigned int first,
	       unsigned int npages, int prot)
{
	uint64_t offset = dumb_map(fd, handle);

	return mmap_checked(npages * igt_page_size(), prot, MAP_SHARED, fd,
			    offset + first * igt_page_size());
}

void *dmabuf_mmap(int dmabuf, unsigned int first, unsigned int npages,
		  int prot)
{
	return mmap_checked(npages * igt_page_size(), prot, MAP_SHARED, dmabuf,
			    first * igt_page_size());
}

#define HUGE_BOUNDARY	(2u << 20)

void *dmabuf_mmap_at(int dmabuf, unsigned int first, unsigned int npages,
		     int prot, size_t skew)
{
	size_t len = npages * igt_page_size();
	char *area, *want;
	void *ptr;

	area = mmap(NULL, len + 2 * HUGE_BOUNDARY, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(area != MAP_FAILED);
	want = (char *)(((uintptr_t)area + HUGE_BOUNDARY - 1) &
			~(uintptr_t)(HUGE_BOUNDARY - 1)) + skew;
	ptr = mmap(want, len, prot, MAP_SHARED | MAP_FIXED, dmabuf,
		   (off_t)first * igt_page_size());
	igt_assert(ptr == want);
	/* Give back what the mapping does not use. */
	if (want > area)
		igt_assert_eq(munmap(area, want - area), 0);
	igt_assert_eq(munmap(want + len,
			     area + len + 2 * HUGE_BOUNDARY - (want + len)), 0);
	return ptr;
}

void munmap_pages(void *ptr, unsigned int npages)
{
	igt_assert_eq(munmap(ptr, npages * igt_page_size()), 0);
}

static uint32_t pattern_word(uint32_t seed, unsigned int page, unsigned int i)
{
	return (seed * 0x9e3779b9u) ^ (page << 16) ^ i;
}

void pattern_fill(void *ptr, unsigned int first, unsigned int npages,
		  uint32_t seed)
{
	size_t words = igt_page_size() / sizeof(uint32_t);
	uint32_t *p = ptr;

	for (unsigned int pg = 0; pg < npages; pg++)
		for (size_t i = 0; i < words; i++)
			*p++ = pattern_word(seed, first + pg, i);
}

/* Reads the pages in order, each from its first word. */
void pattern_check(const void *ptr, unsigned int first, unsigned int npages,
		   uint32_t seed)
{
	size_t words = igt_page_size() / sizeof(uint32_t);
	const volatile uint32_t *p = ptr;

	for (unsigned int pg = 0; pg < npages; pg++) {
		for (size_t i = 0; i < words; i++, p++) {
			uint32_t want = pattern_word(seed, first + pg, i);

			igt_assert_f(*p == want,
				     "object page %u word %zu: 0x%08x, expected 0x%08x\n",
				     first + pg, i, *p, want);
		}
	}
}

void zero_check(const void *ptr, size_t len)
{
	const volatile uint8_t *p = ptr;

	for (size_t i = 0; i < len; i++)
		igt_assert_f(p[i] == 0, "byte %zu is 0x%02x, expected 0\n",
			     i, p[i]);
}
