// SPDX-License-Identifier: MIT
/*
 * vdisplay writeback: the writeback connector of each CRTC (DRM's standard
 * interface, seen with DRM_CLIENT_CAP_WRITEBACK_CONNECTORS), every
 * writeback format against the reference compositor's 16-bit picture, the
 * out fence, the agreement with the pipe CRC and capture, back-to-back
 * jobs, and the errnos of bad jobs.
 */
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>
#include <drm_fourcc.h>

#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "kms_vd.h"

#define W	160
#define H	120

static int fd = -1;
static struct vd_pipe p;
static struct vd_fb bg, ov;
static struct ref_plane scene[2];

static const uint32_t wb_formats[] = {
	DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888, DRM_FORMAT_XBGR8888,
	DRM_FORMAT_ABGR8888, DRM_FORMAT_RGB565, DRM_FORMAT_XRGB2101010,
	DRM_FORMAT_ARGB2101010, DRM_FORMAT_XRGB16161616,
	DRM_FORMAT_ARGB16161616,
};

static void require_wb(void)
{
	igt_require_f(p.wb_id, "no writeback connector (writeback=0)\n");
}

static drmModeAtomicReq *scene_req(void)
{
	drmModeAtomicReq *req = vd_req(&p);

	vd_req_plane(req, &p, p.primary, &bg, &scene[0]);
	if (p.n_overlays)
		vd_req_plane(req, &p, p.overlays[0], &ov, &scene[1]);
	return req;
}

static void wb_prop(drmModeAtomicReq *req, const char *name, uint64_t v)
{
	vd_req_prop(req, fd, p.wb_id, DRM_MODE_OBJECT_CONNECTOR, name, v);
}

/* Add a writeback job into @fb with an out fence (returned in @fence). */
static void wb_job(drmModeAtomicReq *req, const struct vd_fb *fb,
		   int32_t *fence)
{
	*fence = -1;
	wb_prop(req, "CRTC_ID", p.crtc_id);
	wb_prop(req, "WRITEBACK_FB_ID", fb->fb_id);
	wb_prop(req, "WRITEBACK_OUT_FENCE_PTR", (uint64_t)(uintptr_t)fence);
}

static void wait_fence(int32_t fence)
{
	igt_assert_lte(0, fence);
	igt_assert_f(fd_poll(fence, POLLIN, 5000), "writeback fence pending\n");
	close(fence);
}

/* The composed 16-bit pixel in writeback format @format. */
static uint64_t encode(uint32_t format, struct ref_px px)
{
	uint64_t r8 = ref_to8(px.r), g8 = ref_to8(px.g), b8 = ref_to8(px.b);

	switch (format) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
		return 0xff000000 | r8 << 16 | g8 << 8 | b8;
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
		return 0xff000000 | b8 << 16 | g8 << 8 | r8;
	case DRM_FORMAT_RGB565:
		return ref_mul(px.r, 31) << 11 | ref_mul(px.g, 63) << 5 |
		       ref_mul(px.b, 31);
	case DRM_FORMAT_XRGB2101010:
	case DRM_FORMAT_ARGB2101010:
		return 3u << 30 | (uint64_t)ref_mul(px.r, 1023) << 20 |
		       ref_mul(px.g, 1023) << 10 | ref_mul(px.b, 1023);
	default:
		return 0xffffull << 48 | (uint64_t)px.r << 32 |
		       (uint64_t)px.g << 16 | px.b;
	}
}

static void check_wb(const struct vd_fb *wb, const struct ref_px *want,
		     const char *what)
{
	unsigned int cpp = wb->ref.fmt->cpp[0];

	for (uint32_t y = 0; y < H; y++) {
		for (uint32_t x = 0; x < W; x++) {
			uint64_t got = 0, exp;
			const uint8_t *px = wb->ref.data[0] +
					    (size_t)y * wb->ref.pitches[0] + x * cpp;

			for (unsigned int i = 0; i < cpp; i++)
				got |= (uint64_t)px[i] << (8 * i);
			exp = encode(wb->ref.fmt->fourcc, want[y * W + x]);
			igt_assert_f(got == exp,
				     "%s: (%u,%u) is %#llx, expected %#llx\n",
				     what, x, y, (unsigned long long)got,
				     (unsigned long long)exp);
		}
	}
}

static void test_connector(void)
{
	drmModeConnector *c;
	drmModeRes *res;
	int plain;

	require_wb();
	c = drmModeGetConnector(fd, p.wb_id);
	igt_assert(c);
	igt_assert_eq(c->connector_type, DRM_MODE_CONNECTOR_WRITEBACK);
	igt_assert(c->count_modes > 0);
	for (int i = 0; i < c->count_modes; i++) {
		igt_assert_lte(c->modes[i].hdisplay, 1920);
		igt_assert_lte(c->modes[i].vdisplay, 1080);
	}
	drmModeFreeConnector(c);
	igt_assert(vd_prop_id(fd, p.wb_id, DRM_MODE_OBJECT_CONNECTOR,
			      "WRITEBACK_FB_ID"));
	igt_assert(vd_prop_id(fd, p.wb_id, DRM_MODE_OBJECT_CONNECTOR,
			      "WRITEBACK_OUT_FENCE_PTR"));
	{
		uint64_t id = vd_prop_get(fd, p.wb_id, DRM_MODE_OBJECT_CONNECTOR,
					  "WRITEBACK_PIXEL_FORMATS");
		drmModePropertyBlobRes *b = drmModeGetPropertyBlob(fd, id);
		const uint32_t *f;

		igt_assert(b);
		igt_assert_eq(b->length, sizeof(wb_formats));
		f = b->data;
		for (unsigned int i = 0; i < ARRAY_SIZE(wb_formats); i++)
			igt_assert_eq(f[i], wb_formats[i]);
		drmModeFreePropertyBlob(b);
	}

	/* Clients without the cap do not see it. */
	plain = drm_reopen(fd);
	res = drmModeGetResources(plain);
	igt_assert(res);
	for (int i = 0; i < res->count_connectors; i++)
		igt_assert_neq(res->connectors[i], p.wb_id);
	drmModeFreeResources(res);
	close(plain);
}

/* Every format: the writeback buffer holds the reference picture. */
static void test_formats(void)
{
	struct ref_px *want = malloc(W * H * sizeof(*want));
	uint32_t *want8 = malloc(W * H * 4);

	require_wb();
	igt_assert(want && want8);
	ref_compose(scene, p.n_overlays ? 2 : 1, W, H, NULL, want, want8);
	for (unsigned int i = 0; i < ARRAY_SIZE(wb_formats); i++) {
		drmModeAtomicReq *req = scene_req();
		struct vd_fb wb;
		int32_t fence;

		vd_fb_create(fd, W, H, wb_formats[i], &wb);
		memset(wb.map, 0x5a, wb.size);
		wb_job(req, &wb, &fence);
		igt_assert_eq(vd_commit(&p, req, 0), 0);
		wait_fence(fence);
		check_wb(&wb, want, wb.ref.fmt->name);
		vd_fb_destroy(&wb);
	}
	vd_pipe_off(&p);
	free(want8);
	free(want);
}

/* The picture written back is the one the CRC and capture see. */
static void test_matches_crc(void)
{
	struct vdisplay_frame_header hdr;
	struct pipe_crc crc = { .data = -1 };
	uint32_t *want = malloc(W * H * 4), *pix;
	drmModeAtomicReq *req;
	struct vd_fb wb;
	int32_t fence;
	uint32_t seq;

	require_wb();
	ref_compose(scene, p.n_overlays ? 2 : 1, W, H, NULL, NULL, want);
	vd_fb_create(fd, W, H, DRM_FORMAT_XRGB8888, &wb);
	igt_assert_eq(vd_commit(&p, scene_req(), 0), 0);
	vd_crc_start(&p, &crc);
	req = scene_req();
	wb_job(req, &wb, &fence);
	igt_assert_eq(vd_commit(&p, req, DRM_MODE_PAGE_FLIP_EVENT), 0);
	wait_fence(fence);
	{
		struct drm_event_vblank ev;

		igt_assert_eq(kms_read_events(fd, 5000, &ev, 1), 1);
		seq = ev.sequence;
	}
	igt_assert_eq(kms_crc32(wb.map, (size_t)W * H * 4),
		      kms_crc32(want, (size_t)W * H * 4));
	igt_assert_eq(pipe_crc_at(&crc, seq), kms_crc32(want, (size_t)W * H * 4));
	pipe_crc_stop(&crc);
	igt_assert_eq(__vd_capture(fd, p.index, &hdr, &pix), 0);
	igt_assert(!memcmp(pix, wb.map, (size_t)W * H * 4));
	free(pix);
	vd_pipe_off(&p);
	vd_fb_destroy(&wb);
	free(want);
}

/*
 * Nonblocking commits back to back, each with a picture and a job: each
 * buffer gets its own commit's picture.
 */
static void test_sequence(void)
{
	struct vd_fb pics[2], wb[4];
	int32_t fences[4];
	uint32_t *want[2];

	require_wb();
	for (int i = 0; i < 2; i++) {
		struct ref_plane rp;

		vd_fb_create(fd, W, H, DRM_FORMAT_XRGB8888, &pics[i]);
		vd_fb_pattern(&pics[i], 70 + i, VD_OPAQUE, 0, 0);
		rp = vd_ref_plane(&pics[i], 0, 0);
		want[i] = malloc(W * H * 4);
		ref_compose(&rp, 1, W, H, NULL, NULL, want[i]);
	}
	igt_assert_eq(vd_commit(&p, scene_req(), 0), 0);
	for (int i = 0; i < 4; i++) {
		struct ref_plane rp = vd_ref_plane(&pics[i & 1], 0, 0);
		drmModeAtomicReq *req = vd_req(&p);
		int ret;

		vd_fb_create(fd, W, H, DRM_FORMAT_XRGB8888, &wb[i]);
		vd_req_plane(req, &p, p.primary, &pics[i & 1], &rp);
		for (unsigned int o = 0; o < p.n_overlays; o++)
			vd_req_plane_off(req, &p, p.overlays[o]);
		wb_job(req, &wb[i], &fences[i]);
		/* A commit still pending on the CRTC: EBUSY, then wait. */
		while ((ret = vd_commit(&p, req, DRM_MODE_ATOMIC_NONBLOCK)) ==
		       -EBUSY) {
			usleep(2000);
			req = vd_req(&p);
			vd_req_plane(req, &p, p.primary, &pics[i & 1], &rp);
			for (unsigned int o = 0; o < p.n_overlays; o++)
				vd_req_plane_off(req, &p, p.overlays[o]);
			wb_job(req, &wb[i], &fences[i]);
		}
		igt_assert_eq(ret, 0);
	}
	for (int i = 0; i < 4; i++) {
		wait_fence(fences[i]);
		igt_assert_f(!memcmp(wb[i].map, want[i & 1], (size_t)W * H * 4),
			     "job %d has the wrong picture\n", i);
		vd_fb_destroy(&wb[i]);
	}
	vd_pipe_off(&p);
	for (int i = 0; i < 2; i++) {
		vd_fb_destroy(&pics[i]);
		free(want[i]);
	}
}

/* TEST_ONLY, except with a fence: the core makes none for TEST_ONLY. */
static int try_job(uint32_t crtc, uint32_t fb_id, bool fence, bool active)
{
	drmModeAtomicReq *req = active ? scene_req() : drmModeAtomicAlloc();
	int32_t out = -1;
	int ret;

	wb_prop(req, "CRTC_ID", crtc);
	wb_prop(req, "WRITEBACK_FB_ID", fb_id);
	if (fence)
		wb_prop(req, "WRITEBACK_OUT_FENCE_PTR", (uint64_t)(uintptr_t)&out);
	ret = vd_commit(&p, req, fence ? 0 : DRM_MODE_ATOMIC_TEST_ONLY |
			DRM_MODE_ATOMIC_ALLOW_MODESET);
	igt_assert_eq(out, -1);
	return ret;
}

static void test_bad_args(void)
{
	struct vd_fb good, small, yuv, rgb888;

	require_wb();
	vd_fb_create(fd, W, H, DRM_FORMAT_XRGB8888, &good);
	vd_fb_create(fd, W - 2, H, DRM_FORMAT_XRGB8888, &small);
	vd_fb_create(fd, W, H, DRM_FORMAT_NV12, &yuv);
	vd_fb_create(fd, W, H, DRM_FORMAT_RGB888, &rgb888);

	igt_assert_eq(try_job(p.crtc_id, good.fb_id, false, true), 0);
	/* Not the mode's size, not a writeback format. */
	igt_assert_eq(try_job(p.crtc_id, small.fb_id, false, true), -EINVAL);
	igt_assert_eq(try_job(p.crtc_id, yuv.fb_id, false, true), -EINVAL);
	igt_assert_eq(try_job(p.crtc_id, rgb888.fb_id, false, true), -EINVAL);
	/* No CRTC, or the CRTC off. */
	igt_assert_eq(try_job(0, good.fb_id, false, true), -EINVAL);
	igt_assert_eq(try_job(p.crtc_id, good.fb_id, false, false), -EINVAL);
	/* A fence without a framebuffer; an unknown framebuffer. */
	igt_assert_eq(try_job(p.crtc_id, 0, true, true), -EINVAL);
	igt_assert_eq(try_job(p.crtc_id, 0x7fffffff, false, true), -EINVAL);

	vd_fb_destroy(&rgb888);
	vd_fb_destroy(&yuv);
	vd_fb_destroy(&small);
	vd_fb_destroy(&good);
}

igt_main
{
	igt_fixture {
		fd = vd_open("vdisplay.0");
		vd_pipe_init(&p, fd, 0, W, H);
		vd_fb_create(fd, W, H, DRM_FORMAT_XRGB8888, &bg);
		vd_fb_pattern(&bg, 1, VD_OPAQUE, 0, 0);
		vd_fb_create(fd, 90, 70, DRM_FORMAT_ARGB16161616, &ov);
		vd_fb_pattern(&ov, 2, VD_PREMULT, 0, 0);
		scene[0] = vd_ref_plane(&bg, 0, 0);
		scene[1] = vd_ref_plane(&ov, 40, 30);
	}

	igt_subtest("writeback-connector")
		test_connector();
	igt_subtest("writeback-pixel-formats")
		test_formats();
	igt_subtest("writeback-matches-crc-and-capture")
		test_matches_crc();
	igt_subtest("writeback-back-to-back")
		test_sequence();
	igt_subtest("writeback-bad-args")
		test_bad_args();

	igt_fixture {
		if (fd >= 0) {
			vd_pipe_off(&p);
			vd_fb_destroy(&ov);
			vd_fb_destroy(&bg);
			vd_pipe_fini(&p);
			close(fd);
		}
	}
}
