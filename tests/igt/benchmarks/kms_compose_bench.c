// SPDX-License-Identifier: MIT
/*
 * Composition cost of vdisplay against vkms, in one guest: a 1920x1080
 * CRTC with an XRGB8888 primary plane, two 960x540 ARGB8888 overlays
 * (alpha-blended) and a 64x64 ARGB8888 cursor. With the pipe CRC on, the
 * primary plane flips between two pictures; for each flip the time from
 * the commit to the CRC of the flip's frame ("commit-to-CRC") and from the
 * flip's vblank to that CRC ("vblank-to-CRC": the composition, mostly) are
 * measured. Prints the medians per driver and the ratio vdisplay / vkms
 * (below 1: vdisplay is cheaper). Not a test.
 *
 *   kms_compose_bench [FLIPS]		(default 12)
 *
 * vkms must be loaded with enable_overlay=1 (scripts/bench-compose does
 * it on the debug kernel, where vkms is a module); without vkms only
 * vdisplay's figures are printed.
 */
#include <stdlib.h>
#include <unistd.h>
#include <drm_fourcc.h>

#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "kms_vd.h"

#define W	1920
#define H	1080

struct figures {
	double commit_to_crc;	/* ms, median */
	double vblank_to_crc;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A plane with the properties both drivers have. */
static void plane(drmModeAtomicReq *req, struct vd_pipe *p, uint32_t id,
		  const struct vd_fb *fb, int x, int y)
{
	vd_req_plane_prop(req, p, id, "FB_ID", fb->fb_id);
	vd_req_plane_prop(req, p, id, "CRTC_ID", p->crtc_id);
	vd_req_plane_prop(req, p, id, "SRC_X", 0);
	vd_req_plane_prop(req, p, id, "SRC_Y", 0);
	vd_req_plane_prop(req, p, id, "SRC_W", (uint64_t)fb->ref.width << 16);
	vd_req_plane_prop(req, p, id, "SRC_H", (uint64_t)fb->ref.height << 16);
	vd_req_plane_prop(req, p, id, "CRTC_X", x);
	vd_req_plane_prop(req, p, id, "CRTC_Y", y);
	vd_req_plane_prop(req, p, id, "CRTC_W", fb->ref.width);
	vd_req_plane_prop(req, p, id, "CRTC_H", fb->ref.height);
}

static struct figures run(const char *name, int flips)
{
	struct pipe_crc crc = { .data = -1 };
	struct vd_fb prim[2], ov[2], cur;
	double c2c[64], v2c[64];
	struct figures f;
	struct vd_pipe p;
	int fd = vd_open(name), i;

	vd_pipe_init(&p, fd, 0, W, H);
	igt_require_f(p.n_overlays >= 2 && p.cursor,
		      "%s: 2 overlays and a cursor needed (vkms: enable_overlay=1)\n",
		      name);
	for (i = 0; i < 2; i++) {
		vd_fb_create(fd, W, H, DRM_FORMAT_XRGB8888, &prim[i]);
		vd_fb_pattern(&prim[i], 1 + i, VD_OPAQUE, 0, 0);
		vd_fb_create(fd, W / 2, H / 2, DRM_FORMAT_ARGB8888, &ov[i]);
		vd_fb_pattern(&ov[i], 5 + i, VD_PREMULT, 0, 0);
	}
	vd_fb_create(fd, 64, 64, DRM_FORMAT_ARGB8888, &cur);
	vd_fb_pattern(&cur, 9, VD_PREMULT, 0, 0);

	for (i = -2; i < flips; i++) {
		drmModeAtomicReq *req = vd_req(&p);
		struct drm_event_vblank ev;
		uint32_t frame, value;
		double t0, t1;

		plane(req, &p, p.primary, &prim[i & 1], 0, 0);
		plane(req, &p, p.overlays[0], &ov[0], 100, 100);
		plane(req, &p, p.overlays[1], &ov[1], 800, 400);
		plane(req, &p, p.cursor, &cur, 1500, 200);
		t0 = now();
		igt_assert_eq(vd_commit(&p, req, DRM_MODE_PAGE_FLIP_EVENT), 0);
		igt_assert_eq(kms_read_events(fd, 30000, &ev, 1), 1);
		if (i == -2)
			vd_crc_start(&p, &crc);
		do {
			igt_assert_f(pipe_crc_next(&crc, 30000, &frame, &value),
				     "%s: no CRC\n", name);
		} while ((int32_t)(frame - ev.sequence) < 0);
		t1 = now();
		if (i < 0)
			continue;	/* warm-up */
		c2c[i] = (t1 - t0) * 1e3;
		v2c[i] = (t1 - (ev.tv_sec + ev.tv_usec / 1e6)) * 1e3;
	}
	f.commit_to_crc = median(c2c, flips);
	f.vblank_to_crc = median(v2c, flips);
	igt_info("%-9s commit-to-CRC %8.1f ms   vblank-to-CRC %8.1f ms   (median of %d flips)\n",
		 name, f.commit_to_crc, f.vblank_to_crc, flips);

	pipe_crc_stop(&crc);
	vd_pipe_off(&p);
	vd_pipe_fini(&p);
	for (i = 0; i < 2; i++) {
		vd_fb_destroy(&prim[i]);
		vd_fb_destroy(&ov[i]);
	}
	vd_fb_destroy(&cur);
	close(fd);
	return f;
}

int main(int argc, char **argv)
{
	int flips = argc > 1 ? atoi(argv[1]) : 12;
	struct figures vd, vk;

	igt_subtest_init(1, argv);
	igt_assert_f(flips > 0 && flips <= 64, "FLIPS: 1 to 64\n");
	igt_info("1920x1080: XRGB8888 primary, 2 x 960x540 ARGB8888 overlays, 64x64 ARGB8888 cursor\n");
	vd = run("vdisplay.0", flips);
	if (vd_card("vkms") < 0) {
		igt_info("no vkms device (modprobe vkms enable_overlay=1): no comparison\n");
		return 0;
	}
	vk = run("vkms", flips);
	igt_info("ratio vdisplay/vkms: commit-to-CRC %.2f, vblank-to-CRC %.2f\n",
		 vd.commit_to_crc / vk.commit_to_crc,
		 vd.vblank_to_crc / vk.vblank_to_crc);
	return 0;
}
