// SPDX-License-Identifier: MIT
/*
 * vdisplay colour management: DEGAMMA_LUT, CTM and GAMMA_LUT on the CRTC
 * (alone and together, LUTs of any size up to GAMMA_LUT_SIZE), the legacy
 * gamma ioctl, and the errnos of bad blobs, by CRC against the reference
 * compositor.
 */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include <drm_fourcc.h>

#include "drmtest.h"
#include "igt_core.h"
#include "kms_vd.h"

#define W	160
#define H	120
#define LUT_SIZE	1024

static int fd = -1;
static struct vd_pipe p;
static struct pipe_crc crc = { .data = -1 };
static struct vd_fb bg, ov;
static struct ref_plane scene[2];

/* The primary with a picture, an overlay blended on it, CRCs on. */
static drmModeAtomicReq *scene_req(void)
{
	drmModeAtomicReq *req = vd_req(&p);

	vd_req_plane(req, &p, p.primary, &bg, &scene[0]);
	if (p.n_overlays)
		vd_req_plane(req, &p, p.overlays[0], &ov, &scene[1]);
	return req;
}

static unsigned int scene_planes(void)
{
	return p.n_overlays ? 2 : 1;
}

static void crtc_prop(drmModeAtomicReq *req, const char *name, uint64_t v)
{
	vd_req_prop(req, fd, p.crtc_id, DRM_MODE_OBJECT_CRTC, name, v);
}

static uint64_t crtc_get(const char *name)
{
	return vd_prop_get(fd, p.crtc_id, DRM_MODE_OBJECT_CRTC, name);
}

static void start(void)
{
	drmModeAtomicReq *req = scene_req();

	crtc_prop(req, "DEGAMMA_LUT", 0);
	crtc_prop(req, "CTM", 0);
	crtc_prop(req, "GAMMA_LUT", 0);
	igt_assert_eq(vd_commit(&p, req, 0), 0);
	pipe_crc_stop(&crc);
	vd_crc_start(&p, &crc);
}

static void stop(void)
{
	drmModeAtomicReq *req = vd_req(&p);

	crtc_prop(req, "DEGAMMA_LUT", 0);
	crtc_prop(req, "CTM", 0);
	crtc_prop(req, "GAMMA_LUT", 0);
	igt_assert_eq(vd_commit(&p, req, 0), 0);
	pipe_crc_stop(&crc);
	vd_pipe_off(&p);
}

static uint32_t blob(const void *data, size_t len)
{
	uint32_t id;

	igt_assert_eq(drmModeCreatePropertyBlob(fd, data, len, &id), 0);
	return id;
}

/* A non-linear, per-channel curve of @n entries (@seed varies it). */
static struct drm_color_lut *curve(unsigned int n, int seed)
{
	struct drm_color_lut *lut = calloc(n, sizeof(*lut));

	igt_assert(lut);
	for (unsigned int i = 0; i < n; i++) {
		double x = n > 1 ? (double)i / (n - 1) : 0.5;

		lut[i].red = lround(65535 * pow(x, 0.45 + 0.1 * seed));
		lut[i].green = lround(65535 * (1 - pow(1 - x, 2.2)));
		lut[i].blue = lround(65535 * (0.5 + 0.5 * sin(6 * x + seed)));
	}
	return lut;
}

static void check(drmModeAtomicReq *req, const struct ref_color *color,
		  const char *what)
{
	vd_check_planes(&p, &crc, req, scene, scene_planes(), color, what);
}

static void test_properties(void)
{
	drmModeCrtc *crtc = drmModeGetCrtc(fd, p.crtc_id);

	igt_assert(crtc);
	igt_assert_eq(crtc->gamma_size, LUT_SIZE);
	drmModeFreeCrtc(crtc);
	igt_assert_eq(crtc_get("GAMMA_LUT_SIZE"), LUT_SIZE);
	igt_assert_eq(crtc_get("DEGAMMA_LUT_SIZE"), LUT_SIZE);
	igt_assert(vd_prop_id(fd, p.crtc_id, DRM_MODE_OBJECT_CRTC, "CTM"));
}

/* One LUT property, at several sizes (smaller ones are interpolated). */
static void test_lut(const char *prop)
{
	static const unsigned int sizes[] = { LUT_SIZE, 257, 17, 2, 1 };
	bool degamma = prop[0] == 'D';

	start();
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct drm_color_lut *lut = curve(sizes[i], i);
		uint32_t id = blob(lut, sizes[i] * sizeof(*lut));
		struct ref_color color = {};
		drmModeAtomicReq *req = scene_req();
		char what[64];

		if (degamma) {
			color.degamma = lut;
			color.degamma_size = sizes[i];
		} else {
			color.gamma = lut;
			color.gamma_size = sizes[i];
		}
		crtc_prop(req, prop, id);
		snprintf(what, sizeof(what), "%s of %u", prop, sizes[i]);
		check(req, &color, what);
		igt_assert_eq(crtc_get(prop), id);
		drmModeDestroyPropertyBlob(fd, id);
		free(lut);
	}
	stop();
}

static uint64_t s3132(double v)
{
	uint64_t mag = (uint64_t)llround(fabs(v) * 4294967296.0);

	return v < 0 ? mag | (1ull << 63) : mag;
}

static void test_ctm(void)
{
	static const double matrices[][9] = {
		{ 1, 0, 0, 0, 1, 0, 0, 0, 1 },
		{ 0, 0, 1, 1, 0, 0, 0, 1, 0 },		/* channels rotated */
		{ 0.5, 0.25, 0.25, -0.3, 1.2, 0.1, 0.0, -1.0, 2.0 },
		{ 0.2126, 0.7152, 0.0722, 0.2126, 0.7152, 0.0722,
		  0.2126, 0.7152, 0.0722 },		/* grey */
		{ 1e9, 0, 0, 0, -1e9, 0, 0, 0, 0 },	/* saturated */
	};

	start();
	for (unsigned int m = 0; m < ARRAY_SIZE(matrices); m++) {
		struct drm_color_ctm ctm;
		struct ref_color color = { .ctm_on = true };
		drmModeAtomicReq *req = scene_req();
		uint32_t id;
		char what[32];

		for (int i = 0; i < 9; i++)
			ctm.matrix[i] = s3132(matrices[m][i]);
		ref_ctm(&ctm, color.ctm);
		id = blob(&ctm, sizeof(ctm));
		crtc_prop(req, "CTM", id);
		snprintf(what, sizeof(what), "CTM %u", m);
		check(req, &color, what);
		drmModeDestroyPropertyBlob(fd, id);
	}
	stop();
}

static void test_all(void)
{
	struct drm_color_lut *de = curve(33, 1), *ga = curve(LUT_SIZE, 2);
	struct drm_color_ctm ctm = { .matrix = {
		s3132(0.8), s3132(0.3), s3132(-0.1), s3132(0.1), s3132(0.9),
		s3132(0), s3132(-0.2), s3132(0.2), s3132(1.0),
	} };
	struct ref_color color = {
		.degamma = de, .degamma_size = 33,
		.gamma = ga, .gamma_size = LUT_SIZE, .ctm_on = true,
	};
	uint32_t ids[3] = {
		blob(de, 33 * sizeof(*de)), blob(&ctm, sizeof(ctm)),
		blob(ga, LUT_SIZE * sizeof(*ga)),
	};
	drmModeAtomicReq *req;

	ref_ctm(&ctm, color.ctm);
	start();
	req = scene_req();
	crtc_prop(req, "DEGAMMA_LUT", ids[0]);
	crtc_prop(req, "CTM", ids[1]);
	crtc_prop(req, "GAMMA_LUT", ids[2]);
	check(req, &color, "degamma, CTM and gamma");
	stop();
	for (int i = 0; i < 3; i++)
		drmModeDestroyPropertyBlob(fd, ids[i]);
	free(de);
	free(ga);
}

/* The legacy ioctl sets GAMMA_LUT; only GAMMA_LUT_SIZE entries. */
static void test_legacy_gamma(void)
{
	uint16_t r[LUT_SIZE], g[LUT_SIZE], b[LUT_SIZE];
	struct drm_color_lut *lut = curve(LUT_SIZE, 3);
	struct ref_color color = { .gamma = lut, .gamma_size = LUT_SIZE };
	drmModeAtomicReq *req;

	for (int i = 0; i < LUT_SIZE; i++) {
		r[i] = lut[i].red;
		g[i] = lut[i].green;
		b[i] = lut[i].blue;
	}
	start();
	igt_assert_eq(drmModeCrtcSetGamma(fd, p.crtc_id, LUT_SIZE - 1, r, g,
					  b), -EINVAL);
	igt_assert_eq(crtc_get("GAMMA_LUT"), 0);
	igt_assert_eq(drmModeCrtcSetGamma(fd, p.crtc_id, LUT_SIZE, r, g, b), 0);
	igt_assert_neq(crtc_get("GAMMA_LUT"), 0);
	/* A commit that leaves GAMMA_LUT alone keeps it. */
	req = scene_req();
	check(req, &color, "legacy gamma");
	stop();
	free(lut);
}

static int try_crtc_prop(const char *name, uint64_t v)
{
	drmModeAtomicReq *req = scene_req();

	crtc_prop(req, name, v);
	return vd_commit(&p, req, 0);
}

/* Bad blobs: EINVAL, and the properties keep their values. */
static void test_bad_blobs(void)
{
	struct drm_color_lut *lut = curve(LUT_SIZE + 1, 0);
	struct drm_color_ctm ctm = {};
	uint32_t big = blob(lut, (LUT_SIZE + 1) * sizeof(*lut));
	uint32_t odd = blob(lut, 10 * sizeof(*lut) + 4);
	uint32_t ok = blob(lut, 16 * sizeof(*lut));
	uint32_t short_ctm = blob(&ctm, sizeof(ctm) - 8);
	uint32_t long_ctm = blob(lut, sizeof(ctm) + 8);

	start();
	igt_assert_eq(try_crtc_prop("GAMMA_LUT", ok), 0);
	igt_assert_eq(try_crtc_prop("GAMMA_LUT", big), -EINVAL);
	igt_assert_eq(try_crtc_prop("DEGAMMA_LUT", big), -EINVAL);
	igt_assert_eq(try_crtc_prop("GAMMA_LUT", odd), -EINVAL);
	igt_assert_eq(try_crtc_prop("GAMMA_LUT", 0x7fffffff), -EINVAL);
	igt_assert_eq(try_crtc_prop("CTM", short_ctm), -EINVAL);
	igt_assert_eq(try_crtc_prop("CTM", long_ctm), -EINVAL);
	/* A LUT blob is not a CTM, nor the other way round. */
	igt_assert_eq(try_crtc_prop("CTM", ok), -EINVAL);
	igt_assert_eq(crtc_get("GAMMA_LUT"), ok);
	igt_assert_eq(crtc_get("DEGAMMA_LUT"), 0);
	igt_assert_eq(crtc_get("CTM"), 0);
	stop();
	drmModeDestroyPropertyBlob(fd, big);
	drmModeDestroyPropertyBlob(fd, odd);
	drmModeDestroyPropertyBlob(fd, ok);
	drmModeDestroyPropertyBlob(fd, short_ctm);
	drmModeDestroyPropertyBlob(fd, long_ctm);
	free(lut);
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

	igt_subtest("color-properties")
		test_properties();
	igt_subtest("gamma-lut")
		test_lut("GAMMA_LUT");
	igt_subtest("degamma-lut")
		test_lut("DEGAMMA_LUT");
	igt_subtest("ctm")
		test_ctm();
	igt_subtest("degamma-ctm-gamma")
		test_all();
	igt_subtest("legacy-gamma")
		test_legacy_gamma();
	igt_subtest("bad-blobs")
		test_bad_blobs();

	igt_fixture {
		pipe_crc_stop(&crc);
		if (fd >= 0) {
			vd_pipe_off(&p);
			vd_fb_destroy(&ov);
			vd_fb_destroy(&bg);
			vd_pipe_fini(&p);
			close(fd);
		}
	}
}
