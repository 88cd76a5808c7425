// SPDX-License-Identifier: MIT
/*
 * vdisplay KMS basics: device, dumb buffer rules, AddFB2 argument checks,
 * modesets, flip events, vblank timing, TEST_ONLY, CRCs, frame capture,
 * the cursor plane and the pixel formats.
 */
#include <poll.h>
#include <math.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm_fourcc.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_kmod.h"
#include "igt_core.h"
#include "igt_debugfs.h"
#include "ioctl_wrappers.h"
#include "kms.h"
#include "syncobj.h"

static int fd = -1;
static struct kms k;

static void drain_events(void)
{
	struct drm_event_vblank ev;

	while (kms_wait_event(fd, 0, &ev))
		;
}

static void test_device(void)
{
	drmModeConnector *conn;
	drmModePlane *plane;
	uint64_t cap;
	char name[32];
	bool xrgb = false, argb = false;
	int m, max_w = 0, max_h = 0;
	uint32_t i;

	igt_assert(!strcmp(drm_driver_name(fd, name, sizeof(name)), "vdisplay"));
	igt_assert_eq(drmGetCap(fd, DRM_CAP_DUMB_BUFFER, &cap), 0);
	igt_assert_eq(cap, 1);
	igt_assert_eq(drmGetCap(fd, DRM_CAP_PRIME, &cap), 0);
	igt_assert_eq(cap, DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT);
	igt_assert_eq(drmGetCap(fd, DRM_CAP_SYNCOBJ, &cap), 0);
	igt_assert_eq(cap, 1);
	igt_assert_eq(drmGetCap(fd, DRM_CAP_CRTC_IN_VBLANK_EVENT, &cap), 0);
	igt_assert_eq(cap, 1);

	conn = drmModeGetConnector(fd, k.connector_id);
	igt_assert(conn);
	igt_assert_eq(conn->connector_type, DRM_MODE_CONNECTOR_VIRTUAL);
	for (m = 0; m < conn->count_modes; m++) {
		if (conn->modes[m].hdisplay > max_w)
			max_w = conn->modes[m].hdisplay;
		if (conn->modes[m].vdisplay > max_h)
			max_h = conn->modes[m].vdisplay;
	}
	drmModeFreeConnector(conn);
	igt_info("preferred mode %s@%u, largest %dx%d\n", k.mode.name,
		 k.mode.vrefresh, max_w, max_h);
	igt_assert_eq(k.mode.hdisplay, 1024);
	igt_assert_eq(k.mode.vdisplay, 768);
	igt_assert_eq(k.mode.vrefresh, 60);
	igt_assert_eq(max_w, 1920);
	igt_assert_eq(max_h, 1080);

	plane = drmModeGetPlane(fd, k.primary_id);
	igt_assert(plane);
	for (i = 0; i < plane->count_formats; i++) {
		xrgb |= plane->formats[i] == DRM_FORMAT_XRGB8888;
		argb |= plane->formats[i] == DRM_FORMAT_ARGB8888;
	}
	drmModeFreePlane(plane);
	igt_assert(xrgb && argb);
}

static void test_dumb_rules(void)
{
	struct drm_mode_create_dumb arg;
	struct drm_mode_destroy_dumb destroy = { .handle = 0x7fffffff };
	uint64_t offset;
	void *map;

	/* Invalid bpp, zero sizes, size overflow, unknown flags. */
	arg = (struct drm_mode_create_dumb){ .width = 64, .height = 64,
					     .bpp = 0xffffffff };
	igt_assert_eq(__dumb_create(fd, &arg), -EINVAL);
	arg = (struct drm_mode_create_dumb){ .width = 64, .height = 64 };
	igt_assert_eq(__dumb_create(fd, &arg), -EINVAL);
	arg = (struct drm_mode_create_dumb){ .height = 64, .bpp = 32 };
	igt_assert_eq(__dumb_create(fd, &arg), -EINVAL);
	arg = (struct drm_mode_create_dumb){ .width = 1 << 16,
					     .height = 1 << 16, .bpp = 32 };
	igt_assert_eq(__dumb_create(fd, &arg), -EINVAL);
	arg = (struct drm_mode_create_dumb){ .width = 0xffffffff,
					     .height = 2, .bpp = 32 };
	igt_assert_eq(__dumb_create(fd, &arg), -EINVAL);
	arg = (struct drm_mode_create_dumb){ .width = 64, .height = 64,
					     .bpp = 32, .flags = 1 };
	igt_assert_eq(__dumb_create(fd, &arg), -EINVAL);

	/* Bad handles. */
	igt_assert_eq(__dumb_map(fd, 0x7fffffff, &offset), -ENOENT);
	igt_assert_eq(__dumb_destroy(fd, 0x7fffffff), -EINVAL);
	igt_assert(drmIoctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy) == -1 &&
		   errno == EINVAL);

	/* A new buffer is zeroed and has the minimum pitch. */
	arg = (struct drm_mode_create_dumb){ .width = 333, .height = 77,
					     .bpp = 32 };
	dumb_create(fd, &arg);
	igt_assert_eq(arg.pitch, 333 * 4);
	igt_assert(arg.size >= (uint64_t)333 * 4 * 77);
	map = mmap_checked(arg.size, PROT_READ, MAP_SHARED, fd,
			   dumb_map(fd, arg.handle));
	zero_check(map, arg.size);
	munmap(map, arg.size);
	igt_assert_eq(__dumb_destroy(fd, arg.handle), 0);
	igt_assert_eq(__dumb_destroy(fd, arg.handle), -EINVAL);
}

static int addfb2(uint32_t w, uint32_t h, uint32_t format,
		  const uint32_t handles[4], const uint32_t pitches[4],
		  const uint32_t offsets[4], const uint64_t *mods,
		  uint32_t flags, uint32_t *id)
{
	struct drm_mode_fb_cmd2 f = { .width = w, .height = h,
				      .pixel_format = format, .flags = flags };

	memcpy(f.handles, handles, sizeof(f.handles));
	memcpy(f.pitches, pitches, sizeof(f.pitches));
	memcpy(f.offsets, offsets, sizeof(f.offsets));
	if (mods)
		memcpy(f.modifier, mods, sizeof(f.modifier));
	if (drmIoctl(fd, DRM_IOCTL_MODE_ADDFB2, &f))
		return -errno;
	*id = f.fb_id;
	return 0;
}

static void test_addfb2_bad(void)
{
	struct drm_mode_create_dumb arg = { .width = 64, .height = 64,
					    .bpp = 32 };
	uint32_t h[4] = {}, p[4] = {}, o[4] = {}, id = 0;
	uint64_t mods[4] = {};
	uint32_t rmid;

	dumb_create(fd, &arg);
	h[0] = arg.handle;
	p[0] = arg.pitch;

	/* The good case first, so that the failures below are meaningful. */
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_XRGB8888, h, p, o, NULL, 0,
			     &id), 0);
	igt_assert_eq(drmModeRmFB(fd, id), 0);
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_ARGB8888, h, p, o, mods,
			     DRM_MODE_FB_MODIFIERS, &id), 0);
	igt_assert_eq(drmModeRmFB(fd, id), 0);

	igt_assert_eq(addfb2(64, 64, fourcc_code('B', 'A', 'D', '!'), h, p, o,
			     NULL, 0, &id), -EINVAL);
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_NV12, h, p, o, NULL, 0, &id),
		      -EINVAL);
	igt_assert_eq(addfb2(0, 64, DRM_FORMAT_XRGB8888, h, p, o, NULL, 0, &id),
		      -EINVAL);
	igt_assert_eq(addfb2(64, 0, DRM_FORMAT_XRGB8888, h, p, o, NULL, 0, &id),
		      -EINVAL);
	igt_assert_eq(addfb2(16384, 64, DRM_FORMAT_XRGB8888, h, p, o, NULL, 0,
			     &id), -EINVAL);
	/* Pitch below width * cpp; buffer too small for height * pitch. */
	p[0] = 64 * 4 - 4;
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_XRGB8888, h, p, o, NULL, 0,
			     &id), -EINVAL);
	p[0] = arg.pitch;
	igt_assert_eq(addfb2(64, 65, DRM_FORMAT_XRGB8888, h, p, o, NULL, 0,
			     &id), -EINVAL);
	o[0] = 4096;
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_XRGB8888, h, p, o, NULL, 0,
			     &id), -EINVAL);
	o[0] = 0xfffff000;
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_XRGB8888, h, p, o, NULL, 0,
			     &id), -ERANGE);
	o[0] = 0;
	/* Handles: none, unknown, and one for a plane the format lacks. */
	h[0] = 0;
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_XRGB8888, h, p, o, NULL, 0,
			     &id), -EINVAL);
	h[0] = 0x7fffffff;
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_XRGB8888, h, p, o, NULL, 0,
			     &id), -ENOENT);
	h[0] = arg.handle;
	h[1] = arg.handle;
	p[1] = arg.pitch;
	/* (Checked with FB_MODIFIERS only: old userspace left junk there.) */
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_XRGB8888, h, p, o, mods,
			     DRM_MODE_FB_MODIFIERS, &id), -EINVAL);
	h[1] = 0;
	p[1] = 0;
	/* Flags and modifiers. */
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_XRGB8888, h, p, o, NULL,
			     1u << 31, &id), -EINVAL);
	mods[0] = DRM_FORMAT_MOD_INVALID;
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_XRGB8888, h, p, o, mods,
			     DRM_MODE_FB_MODIFIERS, &id), -EINVAL);
	mods[0] = I915_FORMAT_MOD_X_TILED;
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_XRGB8888, h, p, o, mods,
			     DRM_MODE_FB_MODIFIERS, &id), -EINVAL);
	/* A modifier without the flag. */
	igt_assert_eq(addfb2(64, 64, DRM_FORMAT_XRGB8888, h, p, o, mods, 0,
			     &id), -EINVAL);

	rmid = 0x7fffffff;
	igt_assert(drmIoctl(fd, DRM_IOCTL_MODE_RMFB, &rmid) == -1 &&
		   errno == ENOENT);
	igt_assert_eq(__dumb_destroy(fd, arg.handle), 0);
}

static void test_modeset_flip(void)
{
	struct kms_fb fb[2];
	struct drm_event_vblank ev;
	drmModeCrtc *crtc;
	uint32_t last = 0;
	int i;

	kms_dumb_fb(fd, k.mode.hdisplay, k.mode.vdisplay, DRM_FORMAT_XRGB8888,
		    &fb[0]);
	kms_dumb_fb(fd, k.mode.hdisplay, k.mode.vdisplay, DRM_FORMAT_XRGB8888,
		    &fb[1]);
	kms_fb_fill(&fb[0], 0x00ff0000);
	kms_fb_fill(&fb[1], 0x000000ff);

	/* Blocking modeset, then the legacy view of it. */
	igt_assert_eq(kms_commit_primary(&k, fb[0].fb_id, 0, -1, NULL), 0);
	crtc = drmModeGetCrtc(fd, k.crtc_id);
	igt_assert(crtc && crtc->mode_valid && crtc->buffer_id == fb[0].fb_id);
	igt_assert_eq(crtc->mode.hdisplay, k.mode.hdisplay);
	drmModeFreeCrtc(crtc);

	/* Atomic flips: one event each, increasing sequence, our crtc. */
	for (i = 0; i < 6; i++) {
		uint32_t seq = kms_flip_wait(&k, fb[(i + 1) & 1].fb_id);

		igt_assert_f(i == 0 || seq > last, "sequence %u after %u\n",
			     seq, last);
		last = seq;
	}

	/* Legacy page flips with user data; a second one while pending. */
	for (i = 0; i < 4; i++) {
		struct drm_event_vblank evs[2];
		unsigned int n;
		int ret;

		igt_assert_eq(drmModePageFlip(fd, k.crtc_id, fb[i & 1].fb_id,
					      DRM_MODE_PAGE_FLIP_EVENT,
					      (void *)(uintptr_t)(0x1234 + i)), 0);
		ret = drmModePageFlip(fd, k.crtc_id, fb[i & 1].fb_id,
				      DRM_MODE_PAGE_FLIP_EVENT, NULL);
		/* Unless the first one completed already. */
		igt_assert_f(ret == -EBUSY || ret == 0, "second flip: %d\n",
			     ret);
		/* Both events may come in one read if both flips are done. */
		n = kms_read_events(fd, 5000, evs, 2);
		igt_assert(n >= 1);
		ev = evs[0];
		igt_assert_eq(ev.base.type, DRM_EVENT_FLIP_COMPLETE);
		igt_assert_eq(ev.user_data, 0x1234 + i);
		igt_assert_eq(ev.crtc_id, k.crtc_id);
		igt_assert(ev.sequence > last);
		last = ev.sequence;
		if (ret == 0 && n == 1)
			igt_assert_eq(kms_read_events(fd, 5000, evs, 1), 1);
		else
			igt_assert_eq(n, ret == 0 ? 2 : 1);
	}
	igt_assert_eq(drmModePageFlip(fd, k.crtc_id, 0x7fffffff,
				      DRM_MODE_PAGE_FLIP_EVENT, NULL), -ENOENT);
	igt_assert_eq(drmModePageFlip(fd, k.crtc_id, fb[0].fb_id, 0xff, NULL),
		      -EINVAL);

	/* Legacy SetCrtc; a viewport outside the framebuffer. */
	igt_assert_eq(drmModeSetCrtc(fd, k.crtc_id, fb[1].fb_id, 0, 0,
				     &k.connector_id, 1, &k.mode), 0);
	igt_assert_eq(drmModeSetCrtc(fd, k.crtc_id, fb[1].fb_id, 1, 0,
				     &k.connector_id, 1, &k.mode), -ENOSPC);

	/* Off, with an event: delivered at once. */
	igt_assert_eq(kms_disable(&k), 0);
	crtc = drmModeGetCrtc(fd, k.crtc_id);
	igt_assert(crtc && !crtc->mode_valid && !crtc->buffer_id);
	drmModeFreeCrtc(crtc);
	drain_events();
	kms_fb_destroy(&fb[0]);
	kms_fb_destroy(&fb[1]);
}

static double tv(const struct drm_event_vblank *ev)
{
	return ev->tv_sec + ev->tv_usec / 1e6;
}

static void test_vblank_timing(void)
{
	const int n = 30;
	double period = 1.0 / 60, wall, stamp, first_ts = 0;
	struct drm_event_vblank ev;
	struct timespec start;
	uint32_t first = 0, seq = 0;
	struct kms_fb fb;
	int i;

	kms_dumb_fb(fd, k.mode.hdisplay, k.mode.vdisplay, DRM_FORMAT_XRGB8888,
		    &fb);
	igt_assert_eq(kms_commit_primary(&k, fb.fb_id, 0, -1, NULL), 0);
	period = (double)k.mode.htotal * k.mode.vtotal / (k.mode.clock * 1e3);

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i <= n; i++) {
		drmVBlank vbl = { .request = {
			.type = DRM_VBLANK_RELATIVE | DRM_VBLANK_EVENT,
			.sequence = 1,
			.signal = i,
		} };

		igt_assert_eq(drmWaitVBlank(fd, &vbl), 0);
		igt_assert(kms_wait_event(fd, 2000, &ev));
		igt_assert_eq(ev.base.type, DRM_EVENT_VBLANK);
		igt_assert_eq(ev.user_data, (uint64_t)i);
		if (i == 0) {
			clock_gettime(CLOCK_MONOTONIC, &start);
			first = ev.sequence;
			first_ts = tv(&ev);
		} else {
			igt_assert(ev.sequence > seq);
		}
		seq = ev.sequence;
		stamp = tv(&ev);
	}
	wall = igt_time_elapsed(&start);

	/* Timestamps are ideal vblank times: exactly one period apart. */
	igt_info("%u vblanks in %.3f s (period %.3f ms), timestamps %.3f ms apart\n",
		 seq - first, wall, period * 1e3,
		 (stamp - first_ts) / (seq - first) * 1e3);
	igt_assert_f(fabs((stamp - first_ts) / (seq - first) - period) < 0.0005,
		     "timestamp interval %.6f s, period %.6f s\n",
		     (stamp - first_ts) / (seq - first), period);
	/* The counter follows real time (late timers count missed vblanks). */
	igt_assert_f(fabs((seq - first) * period - wall) < 0.25 * wall + 0.05,
		     "%u vblanks in %.3f s\n", seq - first, wall);
	/* And the waits were not all late: at least half of them one step. */
	igt_assert_f(seq - first <= 2u * n, "%u vblanks for %d waits\n",
		     seq - first, n);

	/* Timestamps are in CLOCK_MONOTONIC and in the past. */
	{
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		igt_assert(stamp <= now.tv_sec + now.tv_nsec / 1e9);
	}

	igt_assert_eq(kms_disable(&k), 0);
	kms_fb_destroy(&fb);
}

static void test_test_only(void)
{
	struct kms_fb fb, small;
	struct drm_event_vblank ev;
	drmModeCrtc *crtc;
	uint32_t blob;
	drmModeModeInfo big = k.mode;

	kms_dumb_fb(fd, k.mode.hdisplay, k.mode.vdisplay, DRM_FORMAT_XRGB8888,
		    &fb);
	kms_dumb_fb(fd, 64, 64, DRM_FORMAT_XRGB8888, &small);

	/* A valid TEST_ONLY modeset changes nothing and sends nothing. */
	igt_assert_eq(kms_commit_primary(&k, fb.fb_id,
					 DRM_MODE_ATOMIC_TEST_ONLY |
					 DRM_MODE_ATOMIC_ALLOW_MODESET, -1,
					 NULL), 0);
	crtc = drmModeGetCrtc(fd, k.crtc_id);
	igt_assert(crtc && !crtc->mode_valid);
	drmModeFreeCrtc(crtc);
	igt_assert(!kms_wait_event(fd, 100, &ev));

	/* TEST_ONLY with an event is refused; without ALLOW_MODESET too. */
	igt_assert_eq(kms_commit_primary(&k, fb.fb_id,
					 DRM_MODE_ATOMIC_TEST_ONLY |
					 DRM_MODE_PAGE_FLIP_EVENT, -1, NULL),
		      -EINVAL);
	igt_assert_eq(kms_commit_primary(&k, fb.fb_id,
					 DRM_MODE_ATOMIC_TEST_ONLY, -1, NULL),
		      -EINVAL);

	/* A primary plane need not cover the CRTC (kms_planes tests more). */
	igt_assert_eq(__kms_commit_primary(&k, small.fb_id, 64, 64,
					   DRM_MODE_ATOMIC_TEST_ONLY |
					   DRM_MODE_ATOMIC_ALLOW_MODESET, -1,
					   NULL), 0);
	/* A source rectangle outside the framebuffer. */
	igt_assert_eq(kms_commit_primary(&k, small.fb_id,
					 DRM_MODE_ATOMIC_TEST_ONLY |
					 DRM_MODE_ATOMIC_ALLOW_MODESET, -1,
					 NULL), -ENOSPC);

	/* A mode above 1920x1080. */
	big.hdisplay = 2560;
	big.hsync_start = 2600;
	big.hsync_end = 2650;
	big.htotal = 2700;
	igt_assert_eq(drmModeCreatePropertyBlob(fd, &big, sizeof(big), &blob), 0);
	{
		uint32_t saved = k.mode_blob;

		k.mode_blob = blob;
		igt_assert_eq(kms_commit_primary(&k, fb.fb_id,
						 DRM_MODE_ATOMIC_TEST_ONLY |
						 DRM_MODE_ATOMIC_ALLOW_MODESET,
						 -1, NULL), -EINVAL);
		k.mode_blob = saved;
	}
	drmModeDestroyPropertyBlob(fd, blob);

	/* With the CRTC on: a cursor too large, and a good one. */
	igt_assert_eq(kms_commit_primary(&k, fb.fb_id, 0, -1, NULL), 0);
	if (k.cursor_id) {
		struct kms_fb cur;

		kms_dumb_fb(fd, 512, 512, DRM_FORMAT_ARGB8888, &cur);
		igt_assert_eq(kms_commit_cursor(&k, cur.fb_id, 0, 0, 512, 512,
						DRM_MODE_ATOMIC_TEST_ONLY),
			      -EINVAL);
		igt_assert_eq(kms_commit_cursor(&k, cur.fb_id, 10, 10, 64, 64,
						DRM_MODE_ATOMIC_TEST_ONLY), 0);
		kms_fb_destroy(&cur);
	}
	igt_assert_eq(kms_disable(&k), 0);
	kms_fb_destroy(&small);
	kms_fb_destroy(&fb);
}

/* The expected composition of an XRGB8888 buffer covering the CRTC. */
static uint32_t expected_crc(const struct kms_fb *fb)
{
	size_t n = (size_t)fb->width * fb->height, x, y;
	uint32_t *frame = malloc(n * 4), crc;

	igt_assert(frame);
	for (y = 0; y < fb->height; y++)
		for (x = 0; x < fb->width; x++)
			frame[y * fb->width + x] = 0xff000000 |
				((uint32_t *)((char *)fb->map + y * fb->pitch))[x];
	crc = kms_crc32(frame, n * 4);
	free(frame);
	return crc;
}

/*
 * The same checks through IGT's pipe CRC API (igt_debugfs.h), as an IGT
 * test would write them: a picture's CRC is steady, a different picture's
 * differs, and it is the CRC of the picture drawn in userspace.
 */
static void test_igt_pipe_crc(void)
{
	igt_pipe_crc_t *pipe_crc = igt_pipe_crc_new(fd, PIPE_A,
						    IGT_PIPE_CRC_SOURCE_AUTO);
	igt_crc_t a, b, c;
	struct kms_fb fb[2];
	int i;

	for (i = 0; i < 2; i++) {
		kms_dumb_fb(fd, k.mode.hdisplay, k.mode.vdisplay,
			    DRM_FORMAT_XRGB8888, &fb[i]);
		kms_fb_pattern(fb[i].map, fb[i].width, fb[i].height,
			       fb[i].pitch, i + 1);
	}
	igt_assert_eq(kms_commit_primary(&k, fb[0].fb_id, 0, -1, NULL), 0);
	kms_flip_wait(&k, fb[0].fb_id);
	igt_pipe_crc_collect_crc(pipe_crc, &a);
	igt_pipe_crc_get_current(fd, pipe_crc, &b);
	igt_assert_crc_equal(&a, &b);
	igt_assert(b.has_valid_frame);
	igt_assert_eq(a.crc[0], expected_crc(&fb[0]));

	kms_flip_wait(&k, fb[1].fb_id);
	igt_pipe_crc_get_current(fd, pipe_crc, &c);
	igt_assert(!igt_check_crc_equal(&a, &c));
	igt_assert_eq(c.crc[0], expected_crc(&fb[1]));
	igt_pipe_crc_free(pipe_crc);

	igt_assert_eq(kms_disable(&k), 0);
	for (i = 0; i < 2; i++)
		kms_fb_destroy(&fb[i]);
}

static void test_crc(void)
{
	struct kms_fb fb[3];
	struct pipe_crc pc;
	uint32_t crc[3], again;
	int i;

	for (i = 0; i < 3; i++)
		kms_dumb_fb(fd, k.mode.hdisplay, k.mode.vdisplay,
			    DRM_FORMAT_XRGB8888, &fb[i]);
	kms_fb_pattern(fb[0].map, fb[0].width, fb[0].height, fb[0].pitch, 1);
	kms_fb_pattern(fb[1].map, fb[1].width, fb[1].height, fb[1].pitch, 1);
	kms_fb_pattern(fb[2].map, fb[2].width, fb[2].height, fb[2].pitch, 2);

	igt_assert_eq(kms_commit_primary(&k, fb[0].fb_id, 0, -1, NULL), 0);
	pipe_crc_start(fd, &pc);
	for (i = 0; i < 3; i++)
		crc[i] = pipe_crc_at(&pc, kms_flip_wait(&k, fb[i].fb_id));
	again = pipe_crc_at(&pc, kms_flip_wait(&k, fb[0].fb_id));
	pipe_crc_stop(&pc);

	igt_info("crc %08x %08x %08x %08x\n", crc[0], crc[1], crc[2], again);
	igt_assert_eq(crc[0], crc[1]);
	igt_assert_eq(crc[0], again);
	igt_assert_neq(crc[0], crc[2]);
	igt_assert_eq(crc[0], expected_crc(&fb[0]));
	igt_assert_eq(crc[2], expected_crc(&fb[2]));

	/* A steady picture: the same CRC, frame after frame. */
	pipe_crc_start(fd, &pc);
	{
		uint32_t frame, value, prev;

		igt_assert(pipe_crc_next(&pc, 2000, &prev, &value));
		igt_assert_eq(value, crc[0]);
		for (i = 0; i < 5; i++) {
			igt_assert(pipe_crc_next(&pc, 2000, &frame, &value));
			igt_assert_eq(value, crc[0]);
			igt_assert(frame > prev);
			prev = frame;
		}
	}
	pipe_crc_stop(&pc);

	igt_assert_eq(kms_disable(&k), 0);
	for (i = 0; i < 3; i++)
		kms_fb_destroy(&fb[i]);
}

static void test_capture(void)
{
	struct vdisplay_frame_header hdr;
	struct kms_fb fb;
	uint32_t *pix, x, y;

	kms_dumb_fb(fd, k.mode.hdisplay, k.mode.vdisplay, DRM_FORMAT_XRGB8888,
		    &fb);
	kms_fb_pattern(fb.map, fb.width, fb.height, fb.pitch, 7);
	igt_assert_eq(kms_commit_primary(&k, fb.fb_id, 0, -1, NULL), 0);

	pix = capture_frame(fd, &hdr);
	igt_assert_eq(hdr.width, fb.width);
	igt_assert_eq(hdr.height, fb.height);
	igt_assert_eq(hdr.format, DRM_FORMAT_XRGB8888);
	igt_assert_eq(hdr.pitch, fb.width * 4);
	igt_assert_eq(hdr.crc, kms_crc32(pix, (size_t)hdr.pitch * hdr.height));
	igt_assert_eq(hdr.crc, expected_crc(&fb));
	for (y = 0; y < fb.height; y++)
		for (x = 0; x < fb.width; x++) {
			uint32_t want = 0xff000000 |
				((uint32_t *)((char *)fb.map + y * fb.pitch))[x];

			igt_assert_f(pix[y * fb.width + x] == want,
				     "(%u,%u): %08x, expected %08x\n", x, y,
				     pix[y * fb.width + x], want);
		}
	free(pix);

	/* Front-buffer rendering shows at the next capture. */
	kms_fb_fill(&fb, 0x00123456);
	pix = capture_frame(fd, &hdr);
	igt_assert_eq(pix[0], 0xff123456);
	igt_assert_eq(pix[fb.width * fb.height - 1], 0xff123456);
	free(pix);

	/* With the CRTC off the last frame stays readable. */
	igt_assert_eq(kms_disable(&k), 0);
	pix = capture_frame(fd, &hdr);
	igt_assert_eq(pix[0], 0xff123456);
	free(pix);
	kms_fb_destroy(&fb);
}

static uint32_t blend(uint32_t dst, uint32_t src)
{
	uint32_t a = src >> 24, out = 0xff000000;
	int s;

	for (s = 0; s < 24; s += 8) {
		uint32_t x = ((dst >> s) & 0xff) * (255 - a) + 128;
		uint32_t c = ((src >> s) & 0xff) + ((x + (x >> 8)) >> 8);

		out |= (c > 255 ? 255 : c) << s;
	}
	return out;
}

static void test_cursor(void)
{
	struct vdisplay_frame_header hdr;
	struct kms_fb fb, cur;
	uint32_t *pix, half = 0x80400000; /* premultiplied red at 50% */
	const int cx = 100, cy = 50;

	igt_require_f(k.cursor_id, "no cursor plane (cursor=0)\n");
	kms_dumb_fb(fd, k.mode.hdisplay, k.mode.vdisplay, DRM_FORMAT_XRGB8888,
		    &fb);
	kms_fb_fill(&fb, 0x000000ff);
	kms_dumb_fb(fd, 64, 64, DRM_FORMAT_ARGB8888, &cur);
	kms_fb_fill(&cur, 0xff00ff00);
	((uint32_t *)cur.map)[0] = half;
	((uint32_t *)cur.map)[1] = 0;

	igt_assert_eq(kms_commit_primary(&k, fb.fb_id, 0, -1, NULL), 0);
	igt_assert_eq(kms_commit_cursor(&k, cur.fb_id, cx, cy, 64, 64, 0), 0);
	pix = capture_frame(fd, &hdr);
	igt_assert_eq(pix[cy * hdr.width + cx], blend(0xff0000ff, half));
	igt_assert_eq(pix[cy * hdr.width + cx + 1], 0xff0000ff);
	igt_assert_eq(pix[cy * hdr.width + cx + 2], 0xff00ff00);
	igt_assert_eq(pix[(cy + 63) * hdr.width + cx + 63], 0xff00ff00);
	igt_assert_eq(pix[(cy + 64) * hdr.width + cx + 64], 0xff0000ff);
	igt_assert_eq(pix[(cy - 1) * hdr.width + cx], 0xff0000ff);
	free(pix);

	/* Partly off screen (clipped) and through the legacy cursor ioctl. */
	igt_assert_eq(kms_commit_cursor(&k, cur.fb_id, -32, -32, 64, 64, 0), 0);
	pix = capture_frame(fd, &hdr);
	igt_assert_eq(pix[0], 0xff00ff00);
	igt_assert_eq(pix[32], 0xff0000ff);
	free(pix);
	igt_assert_eq(kms_commit_cursor(&k, 0, 0, 0, 0, 0, 0), 0);
	igt_assert_eq(drmModeSetCursor(fd, k.crtc_id, cur.handle, 64, 64), 0);
	igt_assert_eq(drmModeMoveCursor(fd, k.crtc_id, 200, 300), 0);
	pix = capture_frame(fd, &hdr);
	igt_assert_eq(pix[300 * hdr.width + 202], 0xff00ff00);
	igt_assert_eq(pix[299 * hdr.width + 202], 0xff0000ff);
	free(pix);
	igt_assert_eq(drmModeSetCursor(fd, k.crtc_id, 0x7fffffff, 64, 64),
		      -ENOENT);
	igt_assert_eq(drmModeSetCursor(fd, k.crtc_id, 0, 0, 0), 0);

	igt_assert_eq(kms_disable(&k), 0);
	kms_fb_destroy(&cur);
	kms_fb_destroy(&fb);
}

static void test_formats(void)
{
	static const struct {
		uint32_t format;
		uint32_t raw;
		uint32_t want;
	} cases[] = {
		{ DRM_FORMAT_XRGB8888, 0x55123456, 0xff123456 },
		{ DRM_FORMAT_ARGB8888, 0xff123456, 0xff123456 },
		{ DRM_FORMAT_XBGR8888, 0x00123456, 0xff563412 },
		{ DRM_FORMAT_ABGR8888, 0xff123456, 0xff563412 },
		{ DRM_FORMAT_RGB565, 0xf81ff81f, 0xffff00ff },
	};
	struct vdisplay_frame_header hdr;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct kms_fb fb;
		uint32_t *pix;

		kms_dumb_fb(fd, k.mode.hdisplay, k.mode.vdisplay,
			    cases[i].format, &fb);
		/* 32-bit fill: two RGB565 pixels per word. */
		{
			uint32_t words = fb.pitch / 4, y, x;

			for (y = 0; y < fb.height; y++)
				for (x = 0; x < words; x++)
					((uint32_t *)((char *)fb.map +
						      y * fb.pitch))[x] =
						cases[i].raw;
		}
		igt_assert_eq(kms_commit_primary(&k, fb.fb_id, 0, -1, NULL), 0);
		pix = capture_frame(fd, &hdr);
		igt_assert_f(pix[0] == cases[i].want &&
			     pix[hdr.width * hdr.height - 1] == cases[i].want,
			     "format %.4s: %08x, expected %08x\n",
			     (const char *)&cases[i].format, pix[0],
			     cases[i].want);
		free(pix);
		kms_fb_destroy(&fb);
	}
	igt_assert_eq(kms_disable(&k), 0);
}

static void reload(const char *path, const char *params)
{
	kms_fini(&k);
	close(fd);
	fd = -1;
	igt_assert_eq(__delete_module("vdisplay", O_NONBLOCK), 0);
	igt_assert_eq(vdisplay_card(), -1);
	igt_assert_eq(__finit_module(path, params), 0);
	fd = vdisplay_open();
	kms_init(&k, fd);
}

static void test_module_reload(void)
{
	const char *dir = getenv("VPRIME_MODDIR");
	struct vdisplay_frame_header hdr;
	char path[PATH_MAX];
	struct kms_fb fb;
	uint32_t *pix;

	igt_require_f(dir, "VPRIME_MODDIR not set\n");
	snprintf(path, sizeof(path), "%s/drivers/gpu/drm/vdisplay/vdisplay.ko",
		 dir);
	igt_require_f(access(path, R_OK) == 0, "%s: %s\n", path,
		      strerror(errno));

	/* Busy while a file is open. */
	igt_assert_eq(__delete_module("vdisplay", O_NONBLOCK), -EWOULDBLOCK);

	/* Without the cursor plane, then back to the defaults. */
	reload(path, "cursor=0");
	igt_assert_eq(k.cursor_id, 0);
	kms_dumb_fb(fd, k.mode.hdisplay, k.mode.vdisplay, DRM_FORMAT_XRGB8888,
		    &fb);
	kms_fb_fill(&fb, 0x00010203);
	igt_assert_eq(kms_commit_primary(&k, fb.fb_id, 0, -1, NULL), 0);
	kms_flip_wait(&k, fb.fb_id);
	pix = capture_frame(fd, &hdr);
	igt_assert_eq(pix[0], 0xff010203);
	free(pix);
	/* Removing the FB on screen disables the plane: black, CRTC on. */
	kms_fb_destroy(&fb);
	pix = capture_frame(fd, &hdr);
	igt_assert_eq(pix[0], 0xff000000);
	igt_assert_eq(pix[hdr.width * hdr.height - 1], 0xff000000);
	free(pix);
	/* The CRTC stays on: unloading turns it off. */
	reload(path, "");
	igt_assert(k.cursor_id != 0);
}

/*
 * An IN_FENCE_FD on a plane without a framebuffer: the commit helpers could
 * not handle it (they WARNed); EINVAL, with or without TEST_ONLY.
 */
static void test_in_fence_without_fb(void)
{
	uint32_t syncobj;
	int fence;

	syncobj_require(fd, false);
	syncobj = syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED);
	fence = syncobj_export_sync_file(fd, syncobj);
	igt_assert_eq(__kms_commit_primary(&k, 0, 0, 0,
					   DRM_MODE_ATOMIC_TEST_ONLY, fence,
					   NULL), -EINVAL);
	igt_assert_eq(__kms_commit_primary(&k, 0, 0, 0, 0, fence, NULL),
		      -EINVAL);
	/* With a framebuffer the same fence is fine. */
	{
		struct kms_fb fb;

		kms_dumb_fb(fd, k.mode.hdisplay, k.mode.vdisplay,
			    DRM_FORMAT_XRGB8888, &fb);
		igt_assert_eq(kms_commit_primary(&k, fb.fb_id, 0, fence, NULL),
			      0);
		igt_assert_eq(kms_disable(&k), 0);
		kms_fb_destroy(&fb);
	}
	close(fence);
	syncobj_destroy(fd, syncobj);
}

/*
 * A framebuffer that starts at an offset in its buffer scans out from
 * there (the composer used to read from the start of the buffer).
 */
static void test_fb_offset(void)
{
	struct drm_mode_create_dumb arg = { .width = k.mode.hdisplay,
					    .height = k.mode.vdisplay + 2,
					    .bpp = 32 };
	uint32_t h[4] = {}, p[4] = {}, o[4] = {}, fb_id, *pix;
	struct vdisplay_frame_header hdr;
	uint32_t *map;

	dumb_create(fd, &arg);
	map = mmap_checked(arg.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   dumb_map(fd, arg.handle));
	/* Two rows of 0x111111, then the picture. */
	for (uint64_t i = 0; i < arg.size / 4; i++)
		map[i] = i < 2ull * arg.pitch / 4 ? 0x111111 : 0x222222;
	h[0] = arg.handle;
	p[0] = arg.pitch;
	o[0] = 2 * arg.pitch;
	igt_assert_eq(drmModeAddFB2(fd, k.mode.hdisplay, k.mode.vdisplay,
				    DRM_FORMAT_XRGB8888, h, p, o, &fb_id, 0), 0);
	igt_assert_eq(kms_commit_primary(&k, fb_id, 0, -1, NULL), 0);
	pix = capture_frame(fd, &hdr);
	igt_assert_eq(pix[0], 0xff222222);
	igt_assert_eq(pix[hdr.width * hdr.height - 1], 0xff222222);
	free(pix);
	igt_assert_eq(kms_disable(&k), 0);
	drmModeRmFB(fd, fb_id);
	munmap(map, arg.size);
	igt_assert_eq(__dumb_destroy(fd, arg.handle), 0);
}

/* Scanout pins (vmaps) the framebuffer: over the device's budget, ENOMEM. */
static void test_scanout_pin_budget(void)
{
	struct pg_device_stats st;
	struct kms_fb a, b;

	debugfs_require(fd);
	pin_limit_restore_all();
	kms_dumb_fb(fd, k.mode.hdisplay, k.mode.vdisplay, DRM_FORMAT_XRGB8888,
		    &a);
	kms_dumb_fb(fd, k.mode.hdisplay, k.mode.vdisplay, DRM_FORMAT_XRGB8888,
		    &b);
	/* a and b are mapped (pinned) by the test: room for them only. */
	debugfs_device_stats(fd, &st);
	pin_limit_set(fd, st.pinned);
	igt_assert_eq(kms_commit_primary(&k, a.fb_id, 0, -1, NULL), 0);
	munmap(b.map, b.size);
	b.map = NULL;
	pin_limit_set(fd, st.pinned - b.size);
	/* b's pages went back; scanning it out needs them again. */
	igt_assert_eq(kms_commit_primary(&k, b.fb_id, 0, -1, NULL), -ENOMEM);
	igt_assert_eq(kms_commit_primary(&k, b.fb_id,
					 DRM_MODE_ATOMIC_TEST_ONLY, -1, NULL),
		      0);
	pin_limit_restore_all();
	igt_assert_eq(kms_commit_primary(&k, b.fb_id, 0, -1, NULL), 0);
	igt_assert_eq(kms_disable(&k), 0);
	kms_fb_destroy(&a);
	kms_fb_destroy(&b);
}

/*
 * The first dma-buf of a buffer may outlive its place: on kernels whose
 * framebuffers hold no GEM handle (6.1; 6.12 has "drm/framebuffer: Acquire
 * internal references on GEM handles"), closing the last handle makes the
 * core forget the dma-buf while the framebuffer keeps the buffer, GETFB2
 * gives a new handle, and that exports a second dma-buf. Importing the first
 * one then WARNed in the core. On every kernel: no WARN, importing either
 * dma-buf gives the buffer's pixels, and each import is stable.
 */
static void test_stale_self_import(void)
{
	struct kms_fb fb;
	drmModeFB2 *info;
	uint32_t h2, h3;
	int d1, d2;
	void *ptr;

	kms_dumb_fb(fd, 64, 64, DRM_FORMAT_XRGB8888, &fb);
	kms_fb_pattern(fb.map, fb.width, fb.height, fb.pitch, 3);
	d1 = prime_handle_to_fd(fd, fb.handle);
	gem_close(fd, fb.handle);
	info = drmModeGetFB2(fd, fb.fb_id);
	igt_assert(info);
	h2 = info->handles[0];
	drmModeFreeFB2(info);
	igt_assert_neq(h2, 0);
	d2 = prime_handle_to_fd(fd, h2);
	igt_info("GETFB2's handle exports %s dma-buf\n",
		 fd_inode(d1) == fd_inode(d2) ? "the same" : "a second");

	h3 = prime_fd_to_handle(fd, d1);
	igt_assert_eq(prime_fd_to_handle(fd, d1), h3);
	igt_assert_eq(prime_fd_to_handle(fd, d2), h2);
	if (fd_inode(d1) == fd_inode(d2))
		igt_assert_eq(h3, h2);
	ptr = mmap_checked(fb.size, PROT_READ, MAP_SHARED, fd,
			   dumb_map(fd, h3));
	igt_assert(!memcmp(ptr, fb.map, fb.size));
	munmap(ptr, fb.size);

	if (h3 != h2)
		gem_close(fd, h3);
	gem_close(fd, h2);
	close(d2);
	close(d1);
	fb.handle = 0;
	kms_fb_destroy(&fb);
}

igt_main
{
	igt_fixture {
		fd = vdisplay_open();
		kms_init(&k, fd);
	}

	igt_subtest("device")
		test_device();
	igt_subtest("dumb-buffer-rules")
		test_dumb_rules();
	igt_subtest("addfb2-bad-args")
		test_addfb2_bad();
	igt_subtest("modeset-and-flip-events")
		test_modeset_flip();
	igt_subtest("vblank-timing")
		test_vblank_timing();
	igt_subtest("atomic-test-only")
		test_test_only();
	igt_subtest("igt-pipe-crc")
		test_igt_pipe_crc();
	igt_subtest("crc-equal-and-different")
		test_crc();
	igt_subtest("capture")
		test_capture();
	igt_subtest("cursor")
		test_cursor();
	igt_subtest("formats")
		test_formats();
	igt_subtest("in-fence-without-fb")
		test_in_fence_without_fb();
	igt_subtest("fb-offset")
		test_fb_offset();
	igt_subtest("scanout-pin-budget")
		test_scanout_pin_budget();
	igt_subtest("stale-self-import")
		test_stale_self_import();
	igt_subtest("module-reload")
		test_module_reload();

	igt_fixture {
		if (fd >= 0) {
			kms_disable(&k);
			kms_fini(&k);
			close(fd);
		}
	}
}
