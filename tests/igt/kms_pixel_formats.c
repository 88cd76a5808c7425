// SPDX-License-Identifier: MIT
/*
 * vdisplay pixel formats: every format of the primary and overlay planes,
 * each YUV one with every COLOR_ENCODING and COLOR_RANGE, by CRC against
 * the reference compositor; YUV pictures against the RGB picture they were
 * converted from, within the documented rounding; framebuffer argument
 * checks of multi-planar formats; reads at the very end of a buffer.
 */
#include <math.h>
#include <stdlib.h>
#include <sys/mman.h>
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
static struct pipe_crc crc = { .data = -1 };
static struct vd_fb bg;

static void start(void)
{
	drmModeAtomicReq *req = vd_req(&p);
	struct ref_plane rp = vd_ref_plane(&bg, 0, 0);

	vd_req_plane(req, &p, p.primary, &bg, &rp);
	igt_assert_eq(vd_commit(&p, req, 0), 0);
	pipe_crc_stop(&crc);
	vd_crc_start(&p, &crc);
}

static void stop(void)
{
	pipe_crc_stop(&crc);
	vd_pipe_off(&p);
}

static bool plane_has(uint32_t plane, uint32_t format)
{
	drmModePlane *pl = drmModeGetPlane(fd, plane);
	bool found = false;

	igt_assert(pl);
	for (uint32_t i = 0; i < pl->count_formats; i++)
		found |= pl->formats[i] == format;
	drmModeFreePlane(pl);
	return found;
}

static void test_format_list(void)
{
	drmModePlane *pl;

	for (unsigned int i = 0; i < ref_num_formats; i++) {
		igt_assert_f(plane_has(p.primary, ref_formats[i].fourcc),
			     "primary plane lacks %s\n", ref_formats[i].name);
		for (unsigned int j = 0; j < p.n_overlays; j++)
			igt_assert(plane_has(p.overlays[j],
					     ref_formats[i].fourcc));
	}
	pl = drmModeGetPlane(fd, p.primary);
	igt_assert_eq(pl->count_formats, ref_num_formats);
	drmModeFreePlane(pl);
	if (p.cursor) {
		pl = drmModeGetPlane(fd, p.cursor);
		igt_assert_eq(pl->count_formats, 2);
		drmModeFreePlane(pl);
		igt_assert(plane_has(p.cursor, DRM_FORMAT_ARGB8888));
		igt_assert(plane_has(p.cursor, DRM_FORMAT_XRGB8888));
	}
	igt_assert(vd_prop_id(fd, p.primary, DRM_MODE_OBJECT_PLANE,
			      "IN_FORMATS"));
}

/* Largest difference, per 8-bit channel, from the source RGB picture. */
static int rgb_error(const struct vd_fb *fb, const struct ref_yuv *k,
		     uint32_t seed)
{
	int worst = 0;

	for (uint32_t y = 0; y < fb->ref.height; y++) {
		for (uint32_t x = 0; x < fb->ref.width; x++) {
			struct ref_px px = ref_read(&fb->ref, x, y, k);
			uint32_t got[3] = { ref_to8(px.r), ref_to8(px.g),
					    ref_to8(px.b) };
			double c[3];

			vd_pattern_rgb(fb->ref.fmt, seed, x, y, c);
			for (int i = 0; i < 3; i++) {
				int d = abs((int)got[i] - (int)lround(c[i] * 255));

				worst = d > worst ? d : worst;
			}
		}
	}
	return worst;
}

/* Largest rgb_error() of the current subtest. */
static int worst_error;

static void check_format(const struct ref_format *f, int encoding,
			 int range)
{
	struct ref_plane rp[2];
	drmModeAtomicReq *req;
	struct vd_fb ov;
	char what[96];
	uint32_t seed = f->fourcc + encoding * 3 + range;

	vd_fb_create(fd, 74, 50, f->fourcc, &ov);
	vd_fb_pattern(&ov, seed, VD_STRAIGHT, encoding, range);
	rp[0] = vd_ref_plane(&bg, 0, 0);
	rp[1] = vd_ref_plane(&ov, 21, 17);
	rp[1].encoding = encoding;
	rp[1].range = range;
	rp[1].blend = REF_BLEND_COVERAGE;
	req = vd_req(&p);
	vd_req_plane(req, &p, p.primary, &bg, &rp[0]);
	vd_req_plane(req, &p, p.overlays[0], &ov, &rp[1]);
	snprintf(what, sizeof(what), "%s encoding %d range %d", f->name,
		 encoding, range);
	vd_check_planes(&p, &crc, req, rp, 2, NULL, what);

	if (f->type != REF_RGB) {
		struct ref_yuv k;
		int err, tolerance = f->depth > 8 ? 1 : 2;

		ref_yuv_init(&k, encoding, range, f->depth);
		err = rgb_error(&ov, &k, seed);
		worst_error = err > worst_error ? err : worst_error;
		igt_assert_f(err <= tolerance, "%s: %d off the RGB picture\n",
			     what, err);
	}
	vd_fb_destroy(&ov);
}

static void test_format(const struct ref_format *f)
{
	igt_require(p.n_overlays);
	start();
	if (f->type == REF_RGB) {
		check_format(f, 0, 0);
	} else {
		worst_error = 0;
		for (int e = 0; e < 3; e++)
			for (int r = 0; r < 2; r++)
				check_format(f, e, r);
		igt_info("%s: at most %d off the RGB picture (8 bits)\n",
			 f->name, worst_error);
	}
	stop();
}

static int addfb2(uint32_t w, uint32_t h, uint32_t format,
		  const uint32_t handles[4], const uint32_t pitches[4],
		  const uint32_t offsets[4])
{
	uint32_t id;
	int ret = drmModeAddFB2(fd, w, h, format, handles, pitches, offsets,
				&id, 0);

	if (ret)
		return -errno;
	drmModeRmFB(fd, id);
	return 0;
}

/* Sizes, pitches and offsets of the chroma planes are checked too. */
static void test_yuv_addfb_bad_args(void)
{
	struct drm_mode_create_dumb arg = { .width = 64, .height = 64,
					    .bpp = 32 };
	uint32_t h[4] = {}, pi[4] = {}, o[4] = {};

	dumb_create(fd, &arg);	/* 16 KiB */
	h[0] = h[1] = arg.handle;
	pi[0] = pi[1] = 64;
	o[1] = 64 * 64;
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_NV12, h, pi, o), 0);
	/* No handle for the chroma plane. */
	h[1] = 0;
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_NV12, h, pi, o), -EINVAL);
	h[1] = 0x7fffffff;
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_NV12, h, pi, o), -ENOENT);
	h[1] = arg.handle;
	/* Chroma plane past the end of the buffer. */
	o[1] = 16384 - 64 * 31;
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_NV12, h, pi, o), -EINVAL);
	o[1] = 0xffffffc0;
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_NV12, h, pi, o), -ERANGE);
	o[1] = 64 * 64;
	/* Chroma pitch below its width in bytes. */
	pi[1] = 62;
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_NV12, h, pi, o), -EINVAL);
	/* P010 samples are 16 bits: a luma pitch of width bytes is short. */
	pi[1] = 128;
	igt_assert_eq(addfb2(64, 32, DRM_FORMAT_P010, h, pi, o), -EINVAL);
	pi[0] = 128;
	igt_assert_eq(addfb2(64, 32, DRM_FORMAT_P010, h, pi, o), 0);
	/* Three planes of YUV420 need three handles. */
	h[2] = 0;
	pi[0] = pi[1] = 64;
	igt_assert_eq(addfb2(64, 32, DRM_FORMAT_YUV420, h, pi, o), -EINVAL);
	h[2] = arg.handle;
	pi[1] = pi[2] = 32;
	o[2] = o[1] + 32 * 16;
	igt_assert_eq(addfb2(64, 32, DRM_FORMAT_YUV420, h, pi, o), 0);
	/* Packed 4:2:2 needs an even width (vdisplay's rule). */
	h[1] = h[2] = 0;
	pi[1] = pi[2] = o[1] = o[2] = 0;
	pi[0] = 128;
	igt_assert_eq(addfb2(63, 32, DRM_FORMAT_YUYV, h, pi, o), -EINVAL);
	igt_assert_eq(addfb2(64, 32, DRM_FORMAT_YUYV, h, pi, o), 0);
	igt_assert_eq(__dumb_destroy(fd, arg.handle), 0);
}

/*
 * Framebuffers whose last plane ends exactly at the end of the buffer,
 * odd sizes, every rotation: the composer reads nothing past the last
 * sample (a read past the mapping faults, KASAN or not).
 */
static void check_tight(uint32_t format, uint32_t w, uint32_t h,
			unsigned int rotation)
{
	const struct ref_format *f = ref_format(format);
	struct drm_mode_create_dumb arg = { .width = 1024, .bpp = 32,
					    .height = 4 };
	uint32_t hd[4] = {}, pi[4] = {}, o[4] = {}, end = 16384;
	bool turned = rotation & (DRM_MODE_ROTATE_90 | DRM_MODE_ROTATE_270);
	struct ref_plane rp[2];
	drmModeAtomicReq *req;
	struct vd_fb fb = { .fd = fd };
	int k;

	dumb_create(fd, &arg);
	igt_assert_eq(arg.size, end);
	fb.handle = arg.handle;
	fb.size = arg.size;
	fb.map = mmap_checked(arg.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			      dumb_map(fd, arg.handle));
	fb.ref.fmt = f;
	fb.ref.width = w;
	fb.ref.height = h;
	/* Planes from the end backwards, at their minimum pitch. */
	for (k = f->planes - 1; k >= 0; k--) {
		uint32_t pw = k ? (w + f->hsub - 1) / f->hsub : w;
		uint32_t ph = k ? (h + f->vsub - 1) / f->vsub : h;

		hd[k] = arg.handle;
		pi[k] = pw * f->cpp[k];
		end -= pi[k] * ph;
		o[k] = end;
		fb.ref.pitches[k] = pi[k];
		fb.ref.data[k] = fb.map + o[k];
	}
	igt_assert_eq(drmModeAddFB2(fd, w, h, format, hd, pi, o, &fb.fb_id, 0),
		      0);
	vd_fb_pattern(&fb, w + h, VD_OPAQUE, 1, 1);

	rp[0] = vd_ref_plane(&bg, 0, 0);
	rp[1] = vd_ref_plane(&fb, 5, 3);
	rp[1].rotation = rotation;
	rp[1].encoding = rp[1].range = 1;
	if (turned) {
		rp[1].crtc_w = h;
		rp[1].crtc_h = w;
	}
	req = vd_req(&p);
	vd_req_plane(req, &p, p.primary, &bg, &rp[0]);
	vd_req_plane(req, &p, p.overlays[0], &fb, &rp[1]);
	vd_check_planes(&p, &crc, req, rp, 2, NULL, f->name);
	vd_fb_destroy(&fb);
}

static void test_tight_buffers(void)
{
	static const unsigned int rotations[] = {
		DRM_MODE_ROTATE_0, DRM_MODE_ROTATE_90,
		DRM_MODE_ROTATE_180 | DRM_MODE_REFLECT_X, DRM_MODE_ROTATE_270,
	};

	igt_require(p.n_overlays);
	start();
	for (unsigned int r = 0; r < ARRAY_SIZE(rotations); r++) {
		check_tight(DRM_FORMAT_NV12, 61, 43, rotations[r]);
		check_tight(DRM_FORMAT_YUV420, 61, 43, rotations[r]);
		check_tight(DRM_FORMAT_P010, 33, 25, rotations[r]);
		check_tight(DRM_FORMAT_YUYV, 62, 41, rotations[r]);
		check_tight(DRM_FORMAT_RGB888, 61, 43, rotations[r]);
		check_tight(DRM_FORMAT_ARGB16161616, 29, 31, rotations[r]);
	}
	stop();
}

igt_main
{
	volatile unsigned int i;

	igt_fixture {
		fd = vd_open("vdisplay.0");
		vd_pipe_init(&p, fd, 0, W, H);
		vd_fb_create(fd, W, H, DRM_FORMAT_XRGB8888, &bg);
		vd_fb_pattern(&bg, 1, VD_OPAQUE, 0, 0);
	}

	igt_subtest("format-list")
		test_format_list();
	for (i = 0; i < ref_num_formats; i++)
		igt_subtest_f("format-%s", ref_formats[i].name)
			test_format(&ref_formats[i]);
	igt_subtest("yuv-addfb-bad-args")
		test_yuv_addfb_bad_args();
	igt_subtest("tight-buffers")
		test_tight_buffers();

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
