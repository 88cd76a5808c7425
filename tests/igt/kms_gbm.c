// SPDX-License-Identifier: MIT
/*
 * Mesa's GBM on vdisplay: import a dma-buf exported by vrender
 * (gbm_bo_import, GBM_BO_IMPORT_FD), map it (gbm_bo_map) and scan it out.
 * Mesa's kms_swrast maps imported buffers through MAP_DUMB, which vgem and
 * vkms refuse for imported buffers; primegem forwards it to the exporter.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm_fourcc.h>

#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "kms.h"

#ifdef HAVE_GBM
#include <gbm.h>

static int fd = -1;
static int vr = -1;
static struct kms k;
static struct gbm_device *gbm;

struct vr_buf {
	uint32_t handle;
	uint32_t width;
	uint32_t height;
	uint32_t pitch;
	uint64_t size;
	void *map;
	int dmabuf;
};

static void vr_buf_create(struct vr_buf *b, uint32_t w, uint32_t h,
			  uint32_t seed)
{
	struct drm_mode_create_dumb arg = { .width = w, .height = h, .bpp = 32 };

	dumb_create(vr, &arg);
	b->handle = arg.handle;
	b->width = w;
	b->height = h;
	b->pitch = arg.pitch;
	b->size = arg.size;
	b->map = mmap_checked(arg.size, PROT_READ | PROT_WRITE, MAP_SHARED, vr,
			      dumb_map(vr, arg.handle));
	kms_fb_pattern(b->map, w, h, b->pitch, seed);
	b->dmabuf = prime_handle_to_fd(vr, b->handle);
}

static void vr_buf_destroy(struct vr_buf *b)
{
	close(b->dmabuf);
	munmap(b->map, b->size);
	gem_close(vr, b->handle);
}

static struct gbm_bo *import(struct vr_buf *b, uint32_t usage)
{
	struct gbm_import_fd_data data = {
		.fd = b->dmabuf, .width = b->width, .height = b->height,
		.stride = b->pitch, .format = GBM_FORMAT_XRGB8888,
	};
	struct gbm_bo *bo = gbm_bo_import(gbm, GBM_BO_IMPORT_FD, &data, usage);

	igt_assert_f(bo, "gbm_bo_import(GBM_BO_IMPORT_FD): %s\n",
		     strerror(errno));
	igt_assert_eq(gbm_bo_get_width(bo), b->width);
	igt_assert_eq(gbm_bo_get_height(bo), b->height);
	igt_assert_eq(gbm_bo_get_stride(bo), b->pitch);
	return bo;
}

static void test_import_map(void)
{
	struct vr_buf b;
	struct gbm_bo *bo;
	uint32_t stride = 0, y;
	void *data = NULL;
	char *ptr;

	vr_buf_create(&b, 256, 128, 21);
	bo = import(&b, 0);

	ptr = gbm_bo_map(bo, 0, 0, b.width, b.height,
			 GBM_BO_TRANSFER_READ_WRITE, &stride, &data);
	igt_assert_f(ptr, "gbm_bo_map of an imported buffer failed: %s\n",
		     strerror(errno));
	igt_assert(stride >= b.width * 4);
	for (y = 0; y < b.height; y++)
		igt_assert_f(!memcmp(ptr + y * stride,
				     (char *)b.map + y * b.pitch, b.width * 4),
			     "row %u differs from vrender's buffer\n", y);
	/* A write through GBM's map lands in vrender's buffer. */
	((uint32_t *)(ptr + 5 * stride))[7] = 0xc0ffee00;
	gbm_bo_unmap(bo, data);
	igt_assert_eq(((uint32_t *)((char *)b.map + 5 * b.pitch))[7],
		      0xc0ffee00);

	/* A sub-rectangle maps too. */
	data = NULL;
	ptr = gbm_bo_map(bo, 16, 8, 32, 32, GBM_BO_TRANSFER_READ, &stride,
			 &data);
	igt_assert(ptr);
	igt_assert_eq(((uint32_t *)ptr)[0],
		      ((uint32_t *)((char *)b.map + 8 * b.pitch))[16]);
	gbm_bo_unmap(bo, data);

	gbm_bo_destroy(bo);
	vr_buf_destroy(&b);
}

static void test_import_scanout(void)
{
	struct vdisplay_frame_header hdr;
	uint32_t h[4] = {}, p[4] = {}, o[4] = {}, fb_id, *pix, y;
	struct vr_buf b;
	struct gbm_bo *bo;

	vr_buf_create(&b, k.mode.hdisplay, k.mode.vdisplay, 22);
	bo = import(&b, GBM_BO_USE_SCANOUT);
	h[0] = gbm_bo_get_handle(bo).u32;
	p[0] = gbm_bo_get_stride(bo);
	igt_assert_eq(drmModeAddFB2(fd, b.width, b.height, DRM_FORMAT_XRGB8888,
				    h, p, o, &fb_id, 0), 0);
	igt_assert_eq(kms_commit_primary(&k, fb_id, 0, -1, NULL), 0);
	pix = capture_frame(fd, &hdr);
	for (y = 0; y < b.height; y++) {
		const uint32_t *row = (uint32_t *)((char *)b.map + y * b.pitch);
		uint32_t x;

		for (x = 0; x < b.width; x++)
			igt_assert_eq(pix[y * b.width + x], 0xff000000 | row[x]);
	}
	free(pix);
	igt_assert_eq(kms_disable(&k), 0);
	drmModeRmFB(fd, fb_id);
	gbm_bo_destroy(bo);
	vr_buf_destroy(&b);
}

igt_main
{
	igt_fixture {
		fd = vdisplay_open();
		kms_init(&k, fd);
		vr = vrender_open(0);
		gbm = gbm_create_device(fd);
		igt_require_f(gbm, "gbm_create_device failed\n");
		igt_info("GBM backend %s\n", gbm_device_get_backend_name(gbm));
	}

	igt_subtest("gbm-import-vrender-map")
		test_import_map();
	igt_subtest("gbm-import-vrender-scanout")
		test_import_scanout();

	igt_fixture {
		gbm_device_destroy(gbm);
		kms_fini(&k);
		close(vr);
		close(fd);
	}
}

#else /* !HAVE_GBM */

igt_main
{
	igt_subtest("gbm-import-vrender-map")
		igt_skip("built without libgbm (install libgbm-dev)\n");
	igt_subtest("gbm-import-vrender-scanout")
		igt_skip("built without libgbm (install libgbm-dev)\n");
}

#endif
