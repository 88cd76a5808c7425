// SPDX-License-Identifier: MIT
/*
 * vdisplay planes: the windowed primary plane (IGT's universal-plane
 * rules for non-Intel drivers), overlays, zpos, plane alpha, pixel blend
 * modes, source cropping, clipping and rotation/reflection on every plane.
 * Each configuration is checked by one CRC against the picture the
 * reference compositor draws (and rotation also against a pre-rotated
 * framebuffer drawn by the test).
 */
#include <stdlib.h>
#include <unistd.h>
#include <drm_fourcc.h>

#include "drmtest.h"
#include "igt_core.h"
#include "kms_vd.h"

#define W	160
#define H	120

static int fd = -1;
static struct vd_pipe p;
static struct pipe_crc crc = { .data = -1 };
static struct vd_fb bg;
static uint32_t planes[34];
static uint64_t zpos0[34];
static unsigned int nplanes;

static void save_zpos(void)
{
	planes[nplanes++] = p.primary;
	for (unsigned int i = 0; i < p.n_overlays; i++)
		planes[nplanes++] = p.overlays[i];
	if (p.cursor)
		planes[nplanes++] = p.cursor;
	for (unsigned int i = 0; i < nplanes; i++)
		zpos0[i] = vd_prop_get(fd, planes[i], DRM_MODE_OBJECT_PLANE,
				       "zpos");
}

/*
 * The primary plane covering the CRTC with a picture, the planes in their
 * initial order, CRCs on.
 */
static void start(void)
{
	drmModeAtomicReq *req = vd_req(&p);
	struct ref_plane rp = vd_ref_plane(&bg, 0, 0);

	vd_req_plane(req, &p, p.primary, &bg, &rp);
	for (unsigned int i = 0; i < nplanes; i++)
		vd_req_plane_prop(req, &p, planes[i], "zpos", zpos0[i]);
	igt_assert_eq(vd_commit(&p, req, 0), 0);
	pipe_crc_stop(&crc);	/* after a failed subtest */
	vd_crc_start(&p, &crc);
}

static void stop(void)
{
	pipe_crc_stop(&crc);
	vd_pipe_off(&p);
}

static void require_overlays(unsigned int n)
{
	igt_require_f(p.n_overlays >= n, "%u overlay planes, %u needed\n",
		      p.n_overlays, n);
}

/* Windowed primary: smaller, moved, partly or wholly outside the CRTC. */
static void test_universal_plane_sanity(void)
{
	struct vd_fb small, big;
	struct ref_plane rp;
	drmModeAtomicReq *req;
	drmModeRes *res;

	vd_fb_create(fd, W - 40, H - 40, DRM_FORMAT_XRGB8888, &small);
	vd_fb_pattern(&small, 2, VD_OPAQUE, 0, 0);
	vd_fb_create(fd, W + 40, H + 40, DRM_FORMAT_XRGB8888, &big);
	start();

	/* Smaller than the CRTC, at 0,0 then at 40,40: the rest is black. */
	rp = vd_ref_plane(&small, 0, 0);
	req = vd_req(&p);
	vd_req_plane(req, &p, p.primary, &small, &rp);
	vd_check_planes(&p, &crc, req, &rp, 1, NULL, "primary at 0,0");
	rp = vd_ref_plane(&small, 40, 40);
	req = vd_req(&p);
	vd_req_plane(req, &p, p.primary, &small, &rp);
	vd_check_planes(&p, &crc, req, &rp, 1, NULL, "primary at 40,40");

	/* Partly outside on every side, then wholly outside. */
	rp = vd_ref_plane(&small, -30, -25);
	req = vd_req(&p);
	vd_req_plane(req, &p, p.primary, &small, &rp);
	vd_check_planes(&p, &crc, req, &rp, 1, NULL, "primary at -30,-25");
	rp = vd_ref_plane(&small, W - 50, H - 20);
	req = vd_req(&p);
	vd_req_plane(req, &p, p.primary, &small, &rp);
	vd_check_planes(&p, &crc, req, &rp, 1, NULL, "primary at bottom right");
	rp = vd_ref_plane(&small, W + 5, 0);
	req = vd_req(&p);
	vd_req_plane(req, &p, p.primary, &small, &rp);
	vd_check_planes(&p, &crc, req, NULL, 0, NULL, "primary off screen");

	/* Scaling is refused with ERANGE, as IGT expects. */
	igt_assert_eq(drmModeSetPlane(fd, p.primary, p.crtc_id, big.fb_id, 0,
				      0, 0, W + 40, H + 40, 0, 0, W << 16,
				      H << 16), -ERANGE);
	igt_assert_eq(drmModeSetPlane(fd, p.primary, p.crtc_id, big.fb_id, 0,
				      0, 0, W, H, 0, 0, (W - 40) << 16,
				      (H - 40) << 16), -ERANGE);
	/* And on a CRTC it does not belong to, EINVAL. */
	res = drmModeGetResources(fd);
	igt_assert(res);
	for (int i = 0; i < res->count_crtcs; i++)
		if (res->crtcs[i] != p.crtc_id)
			igt_assert_eq(drmModeSetPlane(fd, p.primary,
						      res->crtcs[i], big.fb_id,
						      0, 0, 0, W, H, 0, 0,
						      W << 16, H << 16),
				      -EINVAL);
	drmModeFreeResources(res);

	stop();
	vd_fb_destroy(&big);
	vd_fb_destroy(&small);
}

/* Overlays: as many as the module parameter, with every property. */
static void test_overlay_planes(void)
{
	static const char *const props[] = {
		"zpos", "alpha", "pixel blend mode", "rotation",
		"COLOR_ENCODING", "COLOR_RANGE",
	};
	uint64_t zpos, prev;
	unsigned int i, j;

	igt_assert_eq(p.n_overlays, module_param_int("vdisplay", "overlays"));
	prev = vd_prop_get(fd, p.primary, DRM_MODE_OBJECT_PLANE, "zpos");
	for (i = 0; i < p.n_overlays; i++) {
		for (j = 0; j < ARRAY_SIZE(props); j++)
			igt_assert_f(vd_prop_id(fd, p.overlays[i],
						DRM_MODE_OBJECT_PLANE, props[j]),
				     "overlay %u has no %s\n", p.overlays[i],
				     props[j]);
		zpos = vd_prop_get(fd, p.overlays[i], DRM_MODE_OBJECT_PLANE,
				   "zpos");
		igt_assert_lt(prev, zpos);
		prev = zpos;
	}
	if (p.cursor) {
		for (j = 0; j < 4; j++)
			igt_assert(vd_prop_id(fd, p.cursor, DRM_MODE_OBJECT_PLANE,
					      props[j]));
		igt_assert_lt(prev, vd_prop_get(fd, p.cursor,
						DRM_MODE_OBJECT_PLANE, "zpos"));
	}
}

/* Three overlapping planes (and the cursor) in several orders. */
static void test_zpos(void)
{
	static const int orders[][4] = {
		{ 0, 1, 2, 3 }, { 3, 2, 1, 0 }, { 1, 0, 3, 2 }, { 2, 2, 0, 1 },
	};
	struct vd_fb fb[4];
	struct ref_plane rp[4], sorted[4];
	uint32_t ids[4];
	unsigned int n, o, i, j, k;
	char what[64];

	require_overlays(2);
	ids[0] = p.primary;
	ids[1] = p.overlays[0];
	ids[2] = p.overlays[1];
	ids[3] = p.cursor;
	n = p.cursor ? 4 : 3;
	for (i = 0; i < n; i++) {
		vd_fb_create(fd, 64 + 8 * i, 48 + 4 * i,
			     i ? DRM_FORMAT_ARGB8888 : DRM_FORMAT_XRGB8888,
			     &fb[i]);
		vd_fb_pattern(&fb[i], 10 + i, i ? VD_PREMULT : VD_OPAQUE, 0, 0);
		rp[i] = vd_ref_plane(&fb[i], 20 + 17 * i, 10 + 13 * i);
	}
	start();
	for (o = 0; o < ARRAY_SIZE(orders); o++) {
		drmModeAtomicReq *req = vd_req(&p);

		/* Reference order: by zpos, then by plane id, as DRM does. */
		for (i = 0, k = 0; k < 4; k++)
			for (j = 0; j < n; j++)
				if (orders[o][j] == (int)k)
					sorted[i++] = rp[j];
		for (i = 0; i < n; i++) {
			vd_req_plane(req, &p, ids[i], &fb[i], &rp[i]);
			vd_req_plane_prop(req, &p, ids[i], "zpos", orders[o][i]);
		}
		snprintf(what, sizeof(what), "zpos %d %d %d %d", orders[o][0],
			 orders[o][1], orders[o][2], orders[o][3]);
		vd_check_planes(&p, &crc, req, sorted, n, NULL, what);
	}
	stop();
	for (i = 0; i < n; i++)
		vd_fb_destroy(&fb[i]);
}

/* Plane alpha and the three pixel blend modes, on 8- and 16-bit alpha. */
static void test_blend(void)
{
	static const uint32_t formats[] = {
		DRM_FORMAT_ARGB8888, DRM_FORMAT_ARGB16161616,
		DRM_FORMAT_ARGB2101010, DRM_FORMAT_XRGB8888,
	};
	static const char *const modes[] = {
		"None", "Pre-multiplied", "Coverage",
	};
	static const uint16_t alphas[] = { 0xffff, 0x9999, 0 };
	struct vd_fb ov;
	struct ref_plane rp[2];
	unsigned int f, m, a;
	char what[96];

	require_overlays(1);
	rp[0] = vd_ref_plane(&bg, 0, 0);
	start();
	for (f = 0; f < ARRAY_SIZE(formats); f++) {
		vd_fb_create(fd, 96, 64, formats[f], &ov);
		vd_fb_pattern(&ov, 20 + f, f == 0 ? VD_PREMULT : VD_STRAIGHT,
			      0, 0);
		for (m = 0; m < ARRAY_SIZE(modes); m++) {
			for (a = 0; a < ARRAY_SIZE(alphas); a++) {
				drmModeAtomicReq *req = vd_req(&p);

				rp[1] = vd_ref_plane(&ov, 30, 25);
				rp[1].alpha = alphas[a];
				rp[1].blend = vd_prop_enum(fd, p.overlays[0],
							   DRM_MODE_OBJECT_PLANE,
							   "pixel blend mode",
							   modes[m]);
				vd_req_plane(req, &p, p.primary, &bg, &rp[0]);
				vd_req_plane(req, &p, p.overlays[0], &ov, &rp[1]);
				snprintf(what, sizeof(what), "%s %s alpha %#x",
					 ov.ref.fmt->name, modes[m], alphas[a]);
				vd_check_planes(&p, &crc, req, rp, 2, NULL, what);
			}
		}
		vd_fb_destroy(&ov);
	}
	stop();
}

/* SRC_X/Y/W/H pick any part of the framebuffer, on every plane. */
static void test_source_crop(void)
{
	struct vd_fb ov;
	struct ref_plane rp[2];
	drmModeAtomicReq *req;

	require_overlays(1);
	vd_fb_create(fd, 97, 71, DRM_FORMAT_ARGB8888, &ov);
	vd_fb_pattern(&ov, 30, VD_PREMULT, 0, 0);
	start();

	rp[0] = vd_ref_plane(&bg, 3, 5);
	rp[0].src_x = 11;
	rp[0].src_y = 7;
	rp[0].src_w = rp[0].crtc_w = W - 20;
	rp[0].src_h = rp[0].crtc_h = H - 30;
	rp[1] = vd_ref_plane(&ov, 40, 33);
	rp[1].src_x = 13;
	rp[1].src_y = 9;
	rp[1].src_w = rp[1].crtc_w = 61;
	rp[1].src_h = rp[1].crtc_h = 37;
	req = vd_req(&p);
	vd_req_plane(req, &p, p.primary, &bg, &rp[0]);
	vd_req_plane(req, &p, p.overlays[0], &ov, &rp[1]);
	vd_check_planes(&p, &crc, req, rp, 2, NULL, "cropped");

	/* The last row and column, and a crop clipped by the CRTC. */
	rp[1].src_x = 96;
	rp[1].src_y = 0;
	rp[1].src_w = rp[1].crtc_w = 1;
	rp[1].src_h = rp[1].crtc_h = 71;
	rp[1].crtc_y = -10;
	req = vd_req(&p);
	vd_req_plane(req, &p, p.primary, &bg, &rp[0]);
	vd_req_plane(req, &p, p.overlays[0], &ov, &rp[1]);
	vd_check_planes(&p, &crc, req, rp, 2, NULL, "last column");

	stop();
	vd_fb_destroy(&ov);
}

/*
 * Draw @src rotated into @dst (XRGB8888) by the forward definition, as
 * an independent check of ref_src_point(): reflect, then rotate
 * counter-clockwise (drm_rect_rotate()).
 */
static void draw_rotated(const struct vd_fb *src, struct vd_fb *dst,
			 unsigned int rotation)
{
	int w = src->ref.width, h = src->ref.height;

	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			int rx = rotation & DRM_MODE_REFLECT_X ? w - 1 - x : x;
			int ry = rotation & DRM_MODE_REFLECT_Y ? h - 1 - y : y;
			int dx, dy;

			switch (rotation & DRM_MODE_ROTATE_MASK) {
			case DRM_MODE_ROTATE_90:
				dx = ry;
				dy = w - 1 - rx;
				break;
			case DRM_MODE_ROTATE_180:
				dx = w - 1 - rx;
				dy = h - 1 - ry;
				break;
			case DRM_MODE_ROTATE_270:
				dx = h - 1 - ry;
				dy = rx;
				break;
			default:
				dx = rx;
				dy = ry;
			}
			ref_write_rgb(&dst->ref, dx, dy, ref_read(&src->ref, x, y,
								  NULL));
		}
	}
}

static void check_rotated(unsigned int rotation, const struct vd_fb *ov,
			  int x, int y, const char *what)
{
	bool turned = rotation & (DRM_MODE_ROTATE_90 | DRM_MODE_ROTATE_270);
	struct ref_plane rp[2];
	drmModeAtomicReq *req;

	rp[0] = vd_ref_plane(&bg, 0, 0);
	rp[1] = vd_ref_plane(ov, x, y);
	rp[1].rotation = rotation;
	if (turned) {
		rp[1].crtc_w = ov->ref.height;
		rp[1].crtc_h = ov->ref.width;
	}
	req = vd_req(&p);
	vd_req_plane(req, &p, p.primary, &bg, &rp[0]);
	vd_req_plane(req, &p, p.overlays[0], ov, &rp[1]);
	vd_check_planes(&p, &crc, req, rp, 2, NULL, what);
}

static void test_rotation(unsigned int rot)
{
	static const uint32_t formats[] = {
		DRM_FORMAT_ARGB8888, DRM_FORMAT_RGB565, DRM_FORMAT_NV12,
		DRM_FORMAT_YUYV,
	};
	static const unsigned int reflects[] = {
		0, DRM_MODE_REFLECT_X, DRM_MODE_REFLECT_Y,
		DRM_MODE_REFLECT_X | DRM_MODE_REFLECT_Y,
	};
	bool turned = rot & (DRM_MODE_ROTATE_90 | DRM_MODE_ROTATE_270);
	struct vd_fb ov, pre;
	unsigned int f, r;
	char what[96];

	require_overlays(1);
	start();
	for (f = 0; f < ARRAY_SIZE(formats); f++) {
		vd_fb_create(fd, 58, 34, formats[f], &ov);
		vd_fb_pattern(&ov, 40 + f, VD_PREMULT, 0, 0);
		for (r = 0; r < ARRAY_SIZE(reflects); r++) {
			snprintf(what, sizeof(what), "%s rotation %#x",
				 ov.ref.fmt->name, rot | reflects[r]);
			/* Clipped on the left and at the bottom. */
			check_rotated(rot | reflects[r], &ov, -9, H - 25, what);
		}
		vd_fb_destroy(&ov);
	}

	/* The same picture drawn rotated by the test, shown unrotated. */
	vd_fb_create(fd, 58, 34, DRM_FORMAT_XRGB8888, &ov);
	vd_fb_pattern(&ov, 50, VD_OPAQUE, 0, 0);
	vd_fb_create(fd, turned ? 34 : 58, turned ? 58 : 34,
		     DRM_FORMAT_XRGB8888, &pre);
	for (r = 0; r < 2; r++) {
		struct ref_plane rp[2] = {
			vd_ref_plane(&bg, 0, 0), vd_ref_plane(&pre, 30, 20),
		};
		drmModeAtomicReq *req = vd_req(&p);
		uint32_t *want = malloc(W * H * 4);

		draw_rotated(&ov, &pre, rot | reflects[r]);
		ref_compose(rp, 2, W, H, NULL, NULL, want);
		rp[1] = vd_ref_plane(&ov, 30, 20);
		rp[1].rotation = rot | reflects[r];
		rp[1].crtc_w = pre.ref.width;
		rp[1].crtc_h = pre.ref.height;
		vd_req_plane(req, &p, p.primary, &bg, &rp[0]);
		vd_req_plane(req, &p, p.overlays[0], &ov, &rp[1]);
		snprintf(what, sizeof(what), "pre-rotated %#x", rot | reflects[r]);
		vd_check_frame(&p, &crc, req, want, what);
		free(want);
	}
	vd_fb_destroy(&pre);
	vd_fb_destroy(&ov);
	stop();
}

/* The cursor rotates and blends like any plane; the primary rotates too. */
static void test_cursor_and_primary(void)
{
	struct vd_fb cur;
	struct ref_plane rp[2];
	drmModeAtomicReq *req;

	igt_require_f(p.cursor, "no cursor plane\n");
	vd_fb_create(fd, 64, 48, DRM_FORMAT_ARGB8888, &cur);
	vd_fb_pattern(&cur, 60, VD_STRAIGHT, 0, 0);
	start();
	rp[0] = vd_ref_plane(&bg, 0, 0);
	rp[0].rotation = DRM_MODE_ROTATE_180 | DRM_MODE_REFLECT_X;
	rp[1] = vd_ref_plane(&cur, W - 30, 7);
	rp[1].rotation = DRM_MODE_ROTATE_90;
	rp[1].crtc_w = 48;
	rp[1].crtc_h = 64;
	rp[1].alpha = 0xc000;
	rp[1].blend = REF_BLEND_COVERAGE;
	req = vd_req(&p);
	vd_req_plane(req, &p, p.primary, &bg, &rp[0]);
	vd_req_plane(req, &p, p.cursor, &cur, &rp[1]);
	vd_check_planes(&p, &crc, req, rp, 2, NULL, "cursor");
	stop();
	vd_fb_destroy(&cur);
}

/* Bad property values: the documented errno, and nothing changes. */
static int try_prop(uint32_t plane, const char *name, uint64_t value,
		    uint32_t flags)
{
	drmModeAtomicReq *req = vd_req(&p);

	vd_req_plane_prop(req, &p, plane, name, value);
	return vd_commit(&p, req, flags);
}

static void test_bad_args(void)
{
	struct vd_fb ov, big;
	struct ref_plane rp;
	drmModeAtomicReq *req;
	uint64_t zpos, alpha, rotation;

	require_overlays(1);
	vd_fb_create(fd, 64, 32, DRM_FORMAT_ARGB8888, &ov);
	start();
	zpos = vd_prop_get(fd, p.overlays[0], DRM_MODE_OBJECT_PLANE, "zpos");
	alpha = vd_prop_get(fd, p.overlays[0], DRM_MODE_OBJECT_PLANE, "alpha");
	rotation = vd_prop_get(fd, p.overlays[0], DRM_MODE_OBJECT_PLANE,
			       "rotation");

	igt_assert_eq(try_prop(p.overlays[0], "alpha", 0x10000, 0), -EINVAL);
	igt_assert_eq(try_prop(p.overlays[0], "pixel blend mode", 3, 0),
		      -EINVAL);
	igt_assert_eq(try_prop(p.overlays[0], "rotation",
			       DRM_MODE_ROTATE_0 | DRM_MODE_ROTATE_90, 0),
		      -EINVAL);
	igt_assert_eq(try_prop(p.overlays[0], "rotation", 0, 0), -EINVAL);
	igt_assert_eq(try_prop(p.overlays[0], "rotation", 1 << 6, 0), -EINVAL);
	igt_assert_eq(try_prop(p.overlays[0], "COLOR_ENCODING", 3, 0), -EINVAL);
	igt_assert_eq(try_prop(p.overlays[0], "COLOR_RANGE", 2, 0), -EINVAL);
	igt_assert_eq(try_prop(p.overlays[0], "zpos", 64, 0), -EINVAL);
	igt_assert_eq(try_prop(p.overlays[0], "zpos", (uint64_t)-1, 0),
		      -EINVAL);
	/* Nothing changed. */
	igt_assert_eq(vd_prop_get(fd, p.overlays[0], DRM_MODE_OBJECT_PLANE,
				  "alpha"), alpha);
	igt_assert_eq(vd_prop_get(fd, p.overlays[0], DRM_MODE_OBJECT_PLANE,
				  "rotation"), rotation);
	igt_assert_eq(vd_prop_get(fd, p.overlays[0], DRM_MODE_OBJECT_PLANE,
				  "zpos"), zpos);

	/* A source rectangle outside the framebuffer: ENOSPC. */
	rp = vd_ref_plane(&ov, 0, 0);
	rp.src_x = 1;
	req = vd_req(&p);
	vd_req_plane(req, &p, p.overlays[0], &ov, &rp);
	igt_assert_eq(vd_commit(&p, req, DRM_MODE_ATOMIC_TEST_ONLY), -ENOSPC);
	/* Rotated by 90 without swapping the CRTC size: scaling, ERANGE. */
	rp = vd_ref_plane(&ov, 0, 0);
	rp.rotation = DRM_MODE_ROTATE_90;
	req = vd_req(&p);
	vd_req_plane(req, &p, p.overlays[0], &ov, &rp);
	igt_assert_eq(vd_commit(&p, req, DRM_MODE_ATOMIC_TEST_ONLY), -ERANGE);
	/* A cursor larger than 256x256: EINVAL. */
	if (p.cursor) {
		vd_fb_create(fd, 300, 20, DRM_FORMAT_ARGB8888, &big);
		rp = vd_ref_plane(&big, 0, 0);
		req = vd_req(&p);
		vd_req_plane(req, &p, p.cursor, &big, &rp);
		igt_assert_eq(vd_commit(&p, req, DRM_MODE_ATOMIC_TEST_ONLY),
			      -EINVAL);
		vd_fb_destroy(&big);
	}
	/* A YUV format on the cursor: EINVAL. */
	if (p.cursor) {
		vd_fb_create(fd, 32, 32, DRM_FORMAT_NV12, &big);
		rp = vd_ref_plane(&big, 0, 0);
		req = vd_req(&p);
		vd_req_plane(req, &p, p.cursor, &big, &rp);
		igt_assert_eq(vd_commit(&p, req, DRM_MODE_ATOMIC_TEST_ONLY),
			      -EINVAL);
		vd_fb_destroy(&big);
	}
	stop();
	vd_fb_destroy(&ov);
}

igt_main
{
	igt_fixture {
		fd = vd_open("vdisplay.0");
		vd_pipe_init(&p, fd, 0, W, H);
		vd_fb_create(fd, W, H, DRM_FORMAT_XRGB8888, &bg);
		vd_fb_pattern(&bg, 1, VD_OPAQUE, 0, 0);
		save_zpos();
	}

	igt_subtest("universal-plane-sanity")
		test_universal_plane_sanity();
	igt_subtest("overlay-planes")
		test_overlay_planes();
	igt_subtest("zpos")
		test_zpos();
	igt_subtest("alpha-and-blend-modes")
		test_blend();
	igt_subtest("source-crop")
		test_source_crop();
	igt_subtest("rotation-0")
		test_rotation(DRM_MODE_ROTATE_0);
	igt_subtest("rotation-90")
		test_rotation(DRM_MODE_ROTATE_90);
	igt_subtest("rotation-180")
		test_rotation(DRM_MODE_ROTATE_180);
	igt_subtest("rotation-270")
		test_rotation(DRM_MODE_ROTATE_270);
	igt_subtest("cursor-and-primary-properties")
		test_cursor_and_primary();
	igt_subtest("bad-args")
		test_bad_args();

	igt_fixture {
		pipe_crc_stop(&crc);
		if (fd >= 0) {
			vd_pipe_off(&p);
			vd_fb_destroy(&bg);
			vd_pipe_fini(&p);
			close(fd);
		}
	}
}
