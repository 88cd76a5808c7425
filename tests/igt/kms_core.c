// SPDX-License-Identifier: MIT
/*
 * Core KMS/PRIME rules that the upstream/ patch series fixes, on a KMS
 * driver built on the kernel's helpers: the first device of --driver NAME
 * (or $IGT_DRIVER; default vkms).
 *
 * - self-import-*: a buffer exported as D1 whose last handle is closed can
 *   get a new handle from its framebuffer (GETFB2) and be exported again.
 *   Importing D1, D2 or both then gives handles that export the dma-buf
 *   they came from, with no kernel warning (stock kernels warn in
 *   drm_gem_prime_fd_to_handle() when the object was exported again).
 * - atomic-in-fence-no-fb: IN_FENCE_FD on a plane with FB_ID 0 is refused
 *   with EINVAL (stock kernels commit it and warn in
 *   drm_atomic_helper_wait_for_fences()).
 *
 * Each subtest also fails on any kernel warning it provoked.
 */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "drm_open.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "kms.h"
#include "kmsg.h"

#define WIDTH	64
#define HEIGHT	64

static const char *driver;
static int fd = -1;
static int kmsg = -1;

/* A dumb XRGB8888 buffer with a framebuffer on it. */
static struct kms_fb fb_create(void)
{
	struct kms_fb fb;

	kms_dumb_fb_unmapped(fd, WIDTH, HEIGHT, DRM_FORMAT_XRGB8888, &fb);
	return fb;
}

/* A new handle for the framebuffer's buffer (GETFB2). */
static uint32_t fb_handle(const struct kms_fb *fb)
{
	drmModeFB2Ptr info = drmModeGetFB2(fd, fb->fb_id);
	uint32_t handle;

	igt_assert_f(info, "GETFB2 failed: %s\n", strerror(errno));
	handle = info->handles[0];
	drmModeFreeFB2(info);
	igt_assert_f(handle, "GETFB2 gave no handle (not master?)\n");
	return handle;
}

static void fb_destroy(struct kms_fb *fb)
{
	igt_assert_eq(drmModeRmFB(fd, fb->fb_id), 0);
}

/* Does @handle export as the dma-buf @dmabuf (the same file)? */
static void assert_exports_as(uint32_t handle, int dmabuf)
{
	int again = prime_handle_to_fd(fd, handle);

	igt_assert_f(fd_inode(again) == fd_inode(dmabuf),
		     "handle %u exports as another dma-buf\n", handle);
	close(again);
}

/* What one handle writes, a mapping of the other shows. */
static void assert_same_memory(uint32_t a, uint32_t b, size_t size,
			       uint32_t seed)
{
	unsigned int npages = size / igt_page_size();
	void *pa = gem_mmap(fd, a, 0, npages, PROT_READ | PROT_WRITE);
	void *pb = gem_mmap(fd, b, 0, npages, PROT_READ);

	pattern_fill(pa, 0, npages, seed);
	pattern_check(pb, 0, npages, seed);
	munmap_pages(pa, npages);
	munmap_pages(pb, npages);
}

/* Export D1, close the last handle, get one back from the framebuffer. */
static uint32_t export_and_reopen(struct kms_fb *fb, int *d1)
{
	*d1 = prime_handle_to_fd(fd, fb->handle);
	gem_close(fd, fb->handle);
	fb->handle = 0;
	return fb_handle(fb);
}

/* The object was exported again as D2 before D1 is imported. */
static void test_self_import_stale(void)
{
	struct kms_fb fb = fb_create();
	uint32_t h2, h3;
	int d1, d2;

	h2 = export_and_reopen(&fb, &d1);
	d2 = prime_handle_to_fd(fd, h2);
	/*
	 * Where the framebuffer holds a handle reference (6.12.y, 6.16+),
	 * closing the handle does not drop the object's export: D2 is D1 and
	 * the import below finds h2 in the file's cache. Otherwise D2 is a
	 * new dma-buf and the object is no longer D1's.
	 */
	if (fd_inode(d1) == fd_inode(d2))
		igt_info("the framebuffer kept the export: D2 is D1\n");
	h3 = prime_fd_to_handle(fd, d1);
	kmsg_assert_clean(kmsg);
	assert_exports_as(h3, d1);
	assert_exports_as(h2, d2);
	assert_same_memory(h2, h3, fb.size, 1);
	assert_same_memory(h3, h2, fb.size, 2);
	/* D2 is the object's export: it comes back as the object's handle */
	igt_assert_eq(prime_fd_to_handle(fd, d2), h2);

	if (h3 != h2)
		gem_close(fd, h3);
	gem_close(fd, h2);
	close(d1);
	close(d2);
	fb_destroy(&fb);
	kmsg_assert_clean(kmsg);
}

/* Not exported again: D1 imports as the object and becomes its export. */
static void test_self_import_after_close(void)
{
	struct kms_fb fb = fb_create();
	uint32_t h2, h3;
	int d1;

	h2 = export_and_reopen(&fb, &d1);
	h3 = prime_fd_to_handle(fd, d1);
	kmsg_assert_clean(kmsg);
	assert_exports_as(h3, d1);
	assert_exports_as(h2, d1);
	assert_same_memory(h2, h3, fb.size, 3);

	gem_close(fd, h3);
	gem_close(fd, h2);
	close(d1);
	fb_destroy(&fb);
	kmsg_assert_clean(kmsg);
}

/* Exported as D1 then D2, each time after its last handle went away. */
static void test_self_import_reexport(void)
{
	struct kms_fb fb = fb_create();
	uint32_t h2, h4, h5, h6;
	int d1, d2;

	h2 = export_and_reopen(&fb, &d1);
	d2 = prime_handle_to_fd(fd, h2);
	gem_close(fd, h2);
	h4 = fb_handle(&fb);
	/* neither is the object's export now: D2 first, then D1 */
	h5 = prime_fd_to_handle(fd, d2);
	h6 = prime_fd_to_handle(fd, d1);
	kmsg_assert_clean(kmsg);
	assert_exports_as(h5, d2);
	assert_exports_as(h4, d2);
	assert_exports_as(h6, d1);
	assert_same_memory(h4, h6, fb.size, 4);
	assert_same_memory(h6, h5, fb.size, 5);

	/* with the framebuffer's handle reference, D1 is D2: h6 is h5 */
	if (h6 != h5)
		gem_close(fd, h6);
	gem_close(fd, h5);
	gem_close(fd, h4);
	close(d1);
	close(d2);
	fb_destroy(&fb);
	kmsg_assert_clean(kmsg);
}

/* Property @name of KMS object @id. */
static uint32_t prop_id(uint32_t id, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props;
	uint32_t ret = 0;

	props = drmModeObjectGetProperties(fd, id, type);
	igt_assert(props);
	for (uint32_t i = 0; i < props->count_props && !ret; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name))
			ret = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	igt_assert_f(ret, "no property %s\n", name);
	return ret;
}

static uint32_t primary_plane(void)
{
	drmModePlaneResPtr res = drmModeGetPlaneResources(fd);
	uint32_t ret = 0;

	igt_assert(res);
	for (uint32_t i = 0; i < res->count_planes && !ret; i++) {
		uint32_t id = res->planes[i];
		drmModeObjectPropertiesPtr props;

		props = drmModeObjectGetProperties(fd, id, DRM_MODE_OBJECT_PLANE);
		igt_assert(props);
		for (uint32_t j = 0; j < props->count_props; j++) {
			drmModePropertyPtr p = drmModeGetProperty(fd,
								  props->props[j]);

			if (p && !strcmp(p->name, "type") &&
			    props->prop_values[j] == DRM_PLANE_TYPE_PRIMARY)
				ret = id;
			drmModeFreeProperty(p);
		}
		drmModeFreeObjectProperties(props);
	}
	drmModeFreePlaneResources(res);
	igt_assert_f(ret, "no primary plane\n");
	return ret;
}

/* A signalled sync_file: the (empty) fences of a fresh dma-buf. */
static int signalled_fence(void)
{
	struct drm_mode_create_dumb arg = {
		.width = WIDTH, .height = 1, .bpp = 32,
	};
	struct dma_buf_export_sync_file sync = {
		.flags = DMA_BUF_SYNC_RW, .fd = -1,
	};
	int dmabuf;

	dumb_create(fd, &arg);
	dmabuf = prime_handle_to_fd(fd, arg.handle);
	igt_require_f(!ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &sync),
		      "no DMA_BUF_IOCTL_EXPORT_SYNC_FILE: %s\n",
		      strerror(errno));
	close(dmabuf);
	gem_close(fd, arg.handle);
	return sync.fd;
}

static int commit_fence_no_fb(uint32_t plane, int fence, uint32_t flags)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	int ret;

	igt_assert(req);
	igt_assert_lte(0, drmModeAtomicAddProperty(req, plane,
			prop_id(plane, DRM_MODE_OBJECT_PLANE, "FB_ID"), 0));
	igt_assert_lte(0, drmModeAtomicAddProperty(req, plane,
			prop_id(plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID"), 0));
	igt_assert_lte(0, drmModeAtomicAddProperty(req, plane,
			prop_id(plane, DRM_MODE_OBJECT_PLANE, "IN_FENCE_FD"),
			fence));
	ret = drmModeAtomicCommit(fd, req, flags, NULL) ? -errno : 0;
	drmModeAtomicFree(req);
	return ret;
}

static void test_atomic_in_fence_no_fb(void)
{
	int fence, test_only, blocking, nonblock;
	uint32_t plane;

	igt_require(!drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1));
	plane = primary_plane();
	fence = signalled_fence();
	/* All three first: a kernel warning is the more telling failure. */
	test_only = commit_fence_no_fb(plane, fence, DRM_MODE_ATOMIC_TEST_ONLY);
	blocking = commit_fence_no_fb(plane, fence, 0);
	nonblock = commit_fence_no_fb(plane, fence, DRM_MODE_ATOMIC_NONBLOCK);
	close(fence);
	kmsg_assert_clean(kmsg);
	igt_assert_eq(test_only, -EINVAL);
	igt_assert_eq(blocking, -EINVAL);
	igt_assert_eq(nonblock, -EINVAL);
}

igt_main_driver("vkms", driver)
{
	igt_fixture {
		igt_info("driver under test: %s\n", driver);
		fd = drm_open_driver_name(driver, 0);
		igt_require_f(drmIsMaster(fd), "needs to be DRM master\n");
		igt_require(!drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1));
		kmsg = kmsg_open();
	}

	igt_subtest("self-import-stale")
		test_self_import_stale();
	igt_subtest("self-import-after-close")
		test_self_import_after_close();
	igt_subtest("self-import-reexport")
		test_self_import_reexport();
	igt_subtest("atomic-in-fence-no-fb")
		test_atomic_in_fence_no_fb();

	igt_fixture {
		close(kmsg);
		close(fd);
	}
}
