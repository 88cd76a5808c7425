// SPDX-License-Identifier: MIT
/*
 * Reproducer (found by vprime-fuzz): vdisplay accepts modes down to 1 Hz
 * (vdisplay_crtc_mode_valid(): VDISPLAY_MIN_REFRESH 1), but the atomic
 * helpers' commit tail waits at most 100 ms for a vblank
 * (drm_atomic_helper_wait_for_vblanks()) and WARNs when none comes:
 *
 *   [CRTC:36:crtc-0] vblank wait timed out
 *   WARNING: ... at drivers/gpu/drm/drm_atomic_helper.c:1710
 *            drm_atomic_helper_wait_for_vblanks.part.0
 *
 * Any DRM master can trigger it with a legal-looking mode: here 640x480 at
 * about 5 Hz (a 200 ms frame), then a second commit on the active CRTC.
 *
 *   usage: vdisplay-low-refresh [HZ]     (default 5; 60 is the control)
 *
 * Run as root in a guest with vdisplay loaded; the WARN is in dmesg.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

static int vdisplay_fd(void)
{
	char path[64], link[256];
	int i;

	for (i = 0; i < 16; i++) {
		ssize_t n;

		snprintf(path, sizeof(path), "/sys/class/drm/card%d/device", i);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (strstr(link, "vdisplay.0")) {
			snprintf(path, sizeof(path), "/dev/dri/card%d", i);
			return open(path, O_RDWR | O_CLOEXEC);
		}
	}
	return -1;
}

static uint32_t prop(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t i, id = 0;

	for (i = 0; props && i < props->count_props; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name))
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

int main(int argc, char **argv)
{
	int hz = argc > 1 ? atoi(argv[1]) : 5;
	int fd = vdisplay_fd();
	struct drm_mode_create_dumb dumb = { .width = 640, .height = 480, .bpp = 32 };
	drmModeModeInfo mode = { 0 };
	drmModeResPtr res;
	drmModePlaneResPtr planes;
	uint32_t crtc, conn, plane = 0, fb, blob, i;
	drmModeAtomicReqPtr req;
	int ret;

	if (fd < 0 || hz <= 0) {
		fprintf(stderr, "no vdisplay device (or bad rate)\n");
		return 2;
	}
	drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1);
	res = drmModeGetResources(fd);
	crtc = res->crtcs[0];
	conn = res->connectors[0];
	planes = drmModeGetPlaneResources(fd);
	for (i = 0; i < planes->count_planes && !plane; i++) {
		drmModePlanePtr p = drmModeGetPlane(fd, planes->planes[i]);

		/* The primary plane is the first one (vdisplay: primary, cursor). */
		if (p && (p->possible_crtcs & 1))
			plane = p->plane_id;
		drmModeFreePlane(p);
	}

	/* 640x480 with the VESA timings but a pixel clock for @hz. */
	mode.hdisplay = 640; mode.hsync_start = 656; mode.hsync_end = 752; mode.htotal = 800;
	mode.vdisplay = 480; mode.vsync_start = 490; mode.vsync_end = 492; mode.vtotal = 525;
	mode.clock = 800 * 525 * hz / 1000;
	mode.vrefresh = hz;
	snprintf(mode.name, sizeof(mode.name), "640x480@%d", hz);
	if (drmModeCreatePropertyBlob(fd, &mode, sizeof(mode), &blob))
		return 2;
	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
		return 2;
	if (drmModeAddFB(fd, 640, 480, 24, 32, dumb.pitch, dumb.handle, &fb))
		return 2;

	for (i = 0; i < 3; i++) {
		req = drmModeAtomicAlloc();
		drmModeAtomicAddProperty(req, crtc, prop(fd, crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE"), 1);
		drmModeAtomicAddProperty(req, crtc, prop(fd, crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID"), blob);
		drmModeAtomicAddProperty(req, conn, prop(fd, conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID"), crtc);
		drmModeAtomicAddProperty(req, plane, prop(fd, plane, DRM_MODE_OBJECT_PLANE, "FB_ID"), fb);
		drmModeAtomicAddProperty(req, plane, prop(fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID"), crtc);
		drmModeAtomicAddProperty(req, plane, prop(fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_W"), 640 << 16);
		drmModeAtomicAddProperty(req, plane, prop(fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_H"), 480 << 16);
		drmModeAtomicAddProperty(req, plane, prop(fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_W"), 640);
		drmModeAtomicAddProperty(req, plane, prop(fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_H"), 480);
		/* Blocking: the commit tail waits for a vblank, 100 ms at most. */
		ret = drmModeAtomicCommit(fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
		drmModeAtomicFree(req);
		printf("commit %u at %d Hz: %s\n", i, hz, ret ? strerror(errno) : "ok");
	}
	return 0;
}
