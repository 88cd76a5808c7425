// SPDX-License-Identifier: MIT
/*
 * KMS helpers for the vdisplay tests.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm_fourcc.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "kms.h"

#define SYSFS_DRM	"/sys/class/drm"

int vdisplay_card(void)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	int card = -1;
	DIR *dir;

	dir = opendir(SYSFS_DRM);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		const char *base;
		char *end;
		ssize_t len;
		long n;

		if (strncmp(de->d_name, "card", 4))
			continue;
		n = strtol(de->d_name + 4, &end, 10);
		if (end == de->d_name + 4 || *end)
			continue;
		snprintf(path, sizeof(path), SYSFS_DRM "/%s/device", de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = '\0';
		base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
		if (!strcmp(base, "vdisplay.0")) {
			card = n;
			break;
		}
	}
	closedir(dir);
	return card;
}

int vdisplay_open(void)
{
	char path[64];
	int card = vdisplay_card();
	int fd;

	igt_require_f(card >= 0, "no DRM device on vdisplay.0 (module not loaded?)\n");
	snprintf(path, sizeof(path), "/dev/dri/card%d", card);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		igt_skip("cannot open %s: %s\n", path, strerror(errno));
	igt_assert_f(fd >= 0, "open(%s): %s\n", path, strerror(errno));
	igt_assert_eq(drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1), 0);
	igt_require_f(drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0,
		      "no atomic modesetting\n");
	return fd;
}

static const char *const prop_names[KMS_NUM_PROPS] = {
	[CRTC_ACTIVE] = "ACTIVE", [CRTC_MODE_ID] = "MODE_ID",
	[CRTC_OUT_FENCE_PTR] = "OUT_FENCE_PTR", [CONN_CRTC_ID] = "CRTC_ID",
	[PLANE_FB_ID] = "FB_ID", [PLANE_CRTC_ID] = "CRTC_ID",
	[PLANE_SRC_X] = "SRC_X", [PLANE_SRC_Y] = "SRC_Y",
	[PLANE_SRC_W] = "SRC_W", [PLANE_SRC_H] = "SRC_H",
	[PLANE_CRTC_X] = "CRTC_X", [PLANE_CRTC_Y] = "CRTC_Y",
	[PLANE_CRTC_W] = "CRTC_W", [PLANE_CRTC_H] = "CRTC_H",
	[PLANE_IN_FENCE_FD] = "IN_FENCE_FD",
};

static void find_props(int fd, uint32_t id, uint32_t type, uint32_t *out,
		       int first, int last)
{
	drmModeObjectProperties *props;
	uint32_t i;
	int p;

	props = drmModeObjectGetProperties(fd, id, type);
	igt_assert(props);
	for (i = 0; i < props->count_props; i++) {
		drmModePropertyRes *prop = drmModeGetProperty(fd, props->props[i]);

		igt_assert(prop);
		for (p = first; p <= last; p++)
			if (!strcmp(prop->name, prop_names[p]))
				out[p] = prop->prop_id;
		drmModeFreeProperty(prop);
	}
	drmModeFreeObjectProperties(props);
	for (p = first; p <= last; p++)
		igt_assert_f(out[p], "object %u has no property %s\n", id,
			     prop_names[p]);
}

static uint32_t plane_type(int fd, uint32_t plane_id)
{
	drmModeObjectProperties *props;
	uint64_t type = UINT64_MAX;
	uint32_t i;

	props = drmModeObjectGetProperties(fd, plane_id, DRM_MODE_OBJECT_PLANE);
	igt_assert(props);
	for (i = 0; i < props->count_props; i++) {
		drmModePropertyRes *prop = drmModeGetProperty(fd, props->props[i]);

		if (!strcmp(prop->name, "type"))
			type = props->prop_values[i];
		drmModeFreeProperty(prop);
	}
	drmModeFreeObjectProperties(props);
	igt_assert(type != UINT64_MAX);
	return type;
}

void kms_init(struct kms *k, int fd)
{
	drmModeRes *res;
	drmModePlaneRes *planes;
	drmModeConnector *conn;
	uint32_t i;
	int m;

	memset(k, 0, sizeof(*k));
	k->fd = fd;
	res = drmModeGetResources(fd);
	igt_assert(res);
	igt_assert_eq(res->count_crtcs, 1);
	igt_assert_eq(res->count_connectors, 1);
	k->crtc_id = res->crtcs[0];
	k->connector_id = res->connectors[0];
	drmModeFreeResources(res);

	conn = drmModeGetConnector(fd, k->connector_id);
	igt_assert(conn);
	igt_assert_eq(conn->connection, DRM_MODE_CONNECTED);
	igt_assert(conn->count_modes > 0);
	k->mode = conn->modes[0];
	for (m = 0; m < conn->count_modes; m++)
		if (conn->modes[m].type & DRM_MODE_TYPE_PREFERRED) {
			k->mode = conn->modes[m];
			break;
		}
	drmModeFreeConnector(conn);
	igt_assert_eq(drmModeCreatePropertyBlob(fd, &k->mode, sizeof(k->mode),
						&k->mode_blob), 0);

	planes = drmModeGetPlaneResources(fd);
	igt_assert(planes);
	for (i = 0; i < planes->count_planes; i++) {
		uint32_t type = plane_type(fd, planes->planes[i]);

		if (type == DRM_PLANE_TYPE_PRIMARY)
			k->primary_id = planes->planes[i];
		else if (type == DRM_PLANE_TYPE_CURSOR)
			k->cursor_id = planes->planes[i];
	}
	drmModeFreePlaneResources(planes);
	igt_assert(k->primary_id);

	find_props(fd, k->crtc_id, DRM_MODE_OBJECT_CRTC, k->prop_crtc,
		   CRTC_ACTIVE, CRTC_OUT_FENCE_PTR);
	find_props(fd, k->connector_id, DRM_MODE_OBJECT_CONNECTOR, k->prop_conn,
		   CONN_CRTC_ID, CONN_CRTC_ID);
	find_props(fd, k->primary_id, DRM_MODE_OBJECT_PLANE, k->prop_primary,
		   PLANE_FB_ID, PLANE_IN_FENCE_FD);
	if (k->cursor_id)
		find_props(fd, k->cursor_id, DRM_MODE_OBJECT_PLANE,
			   k->prop_cursor, PLANE_FB_ID, PLANE_IN_FENCE_FD);
}

void kms_fini(struct kms *k)
{
	if (k->mode_blob)
		drmModeDestroyPropertyBlob(k->fd, k->mode_blob);
	k->mode_blob = 0;
}

static uint32_t format_cpp(uint32_t format)
{
	return format == DRM_FORMAT_RGB565 ? 2 : 4;
}

void kms_dumb_fb_unmapped(int fd, uint32_t width, uint32_t height,
			  uint32_t format, struct kms_fb *fb)
{
	struct drm_mode_create_dumb arg = {
		.width = width, .height = height, .bpp = format_cpp(format) * 8,
	};
	uint32_t handles[4] = {}, pitches[4] = {}, offsets[4] = {};

	dumb_create(fd, &arg);
	memset(fb, 0, sizeof(*fb));
	fb->fd = fd;
	fb->handle = arg.handle;
	fb->width = width;
	fb->height = height;
	fb->pitch = arg.pitch;
	fb->format = format;
	fb->size = arg.size;
	handles[0] = fb->handle;
	pitches[0] = fb->pitch;
	igt_assert_eq(drmModeAddFB2(fd, width, height, format, handles, pitches,
				    offsets, &fb->fb_id, 0), 0);
}

void kms_dumb_fb(int fd, uint32_t width, uint32_t height, uint32_t format,
		 struct kms_fb *fb)
{
	kms_dumb_fb_unmapped(fd, width, height, format, fb);
	fb->map = mmap_checked(fb->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			       fd, dumb_map(fd, fb->handle));
}

void kms_fb_destroy(struct kms_fb *fb)
{
	if (fb->fb_id)
		drmModeRmFB(fb->fd, fb->fb_id);
	if (fb->map)
		munmap(fb->map, fb->size);
	if (fb->handle)
		__dumb_destroy(fb->fd, fb->handle);
	memset(fb, 0, sizeof(*fb));
}

void kms_fb_fill(struct kms_fb *fb, uint32_t pixel)
{
	uint32_t x, y;

	for (y = 0; y < fb->height; y++) {
		uint32_t *row = (uint32_t *)((char *)fb->map + y * fb->pitch);

		for (x = 0; x < fb->width; x++)
			row[x] = pixel;
	}
}

void kms_fb_pattern(void *map, uint32_t width, uint32_t height,
		    uint32_t pitch, uint32_t seed)
{
	uint32_t x, y;

	for (y = 0; y < height; y++) {
		uint32_t *row = (uint32_t *)((char *)map + y * pitch);

		for (x = 0; x < width; x++)
			row[x] = (x * 7 + y * 13 + seed * 0x9e3779b9u) ^
				 ((x / 16 + y / 16 + seed) & 1 ? 0x00ff00ffu : 0);
	}
}

static void add(drmModeAtomicReq *req, uint32_t obj, uint32_t prop,
		uint64_t val)
{
	igt_assert(drmModeAtomicAddProperty(req, obj, prop, val) > 0);
}

static void add_plane(drmModeAtomicReq *req, uint32_t plane,
		      const uint32_t *p, uint32_t crtc, uint32_t fb, int x,
		      int y, uint32_t w, uint32_t h)
{
	add(req, plane, p[PLANE_FB_ID], fb);
	add(req, plane, p[PLANE_CRTC_ID], fb ? crtc : 0);
	add(req, plane, p[PLANE_SRC_X], 0);
	add(req, plane, p[PLANE_SRC_Y], 0);
	add(req, plane, p[PLANE_SRC_W], fb ? (uint64_t)w << 16 : 0);
	add(req, plane, p[PLANE_SRC_H], fb ? (uint64_t)h << 16 : 0);
	add(req, plane, p[PLANE_CRTC_X], (uint64_t)(int64_t)x);
	add(req, plane, p[PLANE_CRTC_Y], (uint64_t)(int64_t)y);
	add(req, plane, p[PLANE_CRTC_W], fb ? w : 0);
	add(req, plane, p[PLANE_CRTC_H], fb ? h : 0);
}

static int commit(struct kms *k, drmModeAtomicReq *req, uint32_t flags)
{
	int ret = drmModeAtomicCommit(k->fd, req, flags, NULL);

	drmModeAtomicFree(req);
	return ret ? -errno : 0;
}

int kms_commit_primary(struct kms *k, uint32_t fb_id, uint32_t flags,
		       int in_fence, int *out_fence)
{
	return __kms_commit_primary(k, fb_id, k->mode.hdisplay,
				    k->mode.vdisplay, flags, in_fence,
				    out_fence);
}

int __kms_commit_primary(struct kms *k, uint32_t fb_id, uint32_t w,
			 uint32_t h, uint32_t flags, int in_fence,
			 int *out_fence)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();

	igt_assert(req);
	add(req, k->crtc_id, k->prop_crtc[CRTC_ACTIVE], 1);
	add(req, k->crtc_id, k->prop_crtc[CRTC_MODE_ID], k->mode_blob);
	add(req, k->connector_id, k->prop_conn[CONN_CRTC_ID], k->crtc_id);
	add_plane(req, k->primary_id, k->prop_primary, k->crtc_id, fb_id, 0, 0,
		  w, h);
	if (in_fence >= 0)
		add(req, k->primary_id, k->prop_primary[PLANE_IN_FENCE_FD],
		    in_fence);
	if (out_fence) {
		*out_fence = -1;
		add(req, k->crtc_id, k->prop_crtc[CRTC_OUT_FENCE_PTR],
		    (uint64_t)(uintptr_t)out_fence);
	}
	if (!(flags & DRM_MODE_ATOMIC_TEST_ONLY))
		flags |= DRM_MODE_ATOMIC_ALLOW_MODESET;
	return commit(k, req, flags);
}

int kms_commit_cursor(struct kms *k, uint32_t fb_id, int x, int y,
		      uint32_t w, uint32_t h, uint32_t flags)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();

	igt_assert(req && k->cursor_id);
	add_plane(req, k->cursor_id, k->prop_cursor, k->crtc_id, fb_id, x, y,
		  w, h);
	return commit(k, req, flags);
}

int kms_disable(struct kms *k)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();

	igt_assert(req);
	add(req, k->crtc_id, k->prop_crtc[CRTC_ACTIVE], 0);
	add(req, k->crtc_id, k->prop_crtc[CRTC_MODE_ID], 0);
	add(req, k->connector_id, k->prop_conn[CONN_CRTC_ID], 0);
	add_plane(req, k->primary_id, k->prop_primary, 0, 0, 0, 0, 0, 0);
	if (k->cursor_id)
		add_plane(req, k->cursor_id, k->prop_cursor, 0, 0, 0, 0, 0, 0);
	return commit(k, req, DRM_MODE_ATOMIC_ALLOW_MODESET);
}

bool kms_wait_event(int fd, int timeout_ms, struct drm_event_vblank *ev)
{
	char buf[256];
	ssize_t len;

	if (!fd_poll(fd, POLLIN, timeout_ms))
		return false;
	len = read(fd, buf, sizeof(buf));
	igt_assert_f(len >= (ssize_t)sizeof(*ev), "read DRM event: %zd\n", len);
	memcpy(ev, buf, sizeof(*ev));
	igt_assert_f(len == (ssize_t)ev->base.length,
		     "more than one event: %zd bytes\n", len);
	return true;
}

unsigned int kms_read_events(int fd, int timeout_ms,
			     struct drm_event_vblank *ev, unsigned int max)
{
	ssize_t len;

	if (!fd_poll(fd, POLLIN, timeout_ms))
		return 0;
	len = read(fd, ev, max * sizeof(*ev));
	igt_assert_f(len > 0 && len % sizeof(*ev) == 0, "read DRM events: %zd\n",
		     len);
	return len / sizeof(*ev);
}

uint32_t kms_flip_wait(struct kms *k, uint32_t fb_id)
{
	struct drm_event_vblank ev;

	igt_assert_eq(kms_commit_primary(k, fb_id, DRM_MODE_PAGE_FLIP_EVENT |
					 DRM_MODE_ATOMIC_NONBLOCK, -1, NULL), 0);
	igt_assert_f(kms_wait_event(k->fd, 5000, &ev), "no flip event\n");
	igt_assert_eq(ev.base.type, DRM_EVENT_FLIP_COMPLETE);
	return ev.sequence;
}

static int debugfs_open(int fd, const char *name, int flags)
{
	char path[256], dir[96];

	igt_require_f(debugfs_dri_dir(fd, dir, sizeof(dir)),
		      "debugfs not available\n");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return open(path, flags | O_CLOEXEC);
}

void pipe_crc_start(int fd, struct pipe_crc *crc)
{
	int ctl = debugfs_open(fd, "crtc-0/crc/control", O_WRONLY);

	igt_require_f(ctl >= 0, "no crtc-0/crc/control: %s\n", strerror(errno));
	igt_assert_eq(write(ctl, "auto", 4), 4);
	close(ctl);
	crc->data = debugfs_open(fd, "crtc-0/crc/data", O_RDONLY);
	igt_assert_f(crc->data >= 0, "open crtc-0/crc/data: %s\n",
		     strerror(errno));
}

void pipe_crc_stop(struct pipe_crc *crc)
{
	if (crc->data >= 0)
		close(crc->data);
	crc->data = -1;
}

bool pipe_crc_next(struct pipe_crc *crc, int timeout_ms, uint32_t *frame,
		   uint32_t *value)
{
	char line[64];
	ssize_t len;

	if (!fd_poll(crc->data, POLLIN, timeout_ms))
		return false;
	len = read(crc->data, line, sizeof(line) - 1);
	igt_assert_f(len > 0, "read crc/data: %zd (%s)\n", len, strerror(errno));
	line[len] = '\0';
	igt_assert_f(sscanf(line, "%x %x", frame, value) == 2,
		     "bad CRC line \"%s\"\n", line);
	return true;
}

uint32_t pipe_crc_at(struct pipe_crc *crc, uint32_t seq)
{
	struct timespec start;
	uint32_t frame, value;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		igt_assert_f(igt_time_elapsed(&start) < 5.0,
			     "no CRC for frame %u\n", seq);
		if (!pipe_crc_next(crc, 1000, &frame, &value))
			continue;
		if ((int32_t)(frame - seq) >= 0)
			return value;
	}
}

int __capture_frame(int fd, struct vdisplay_frame_header *hdr,
		    uint32_t **pixels)
{
	size_t size, got = 0;
	ssize_t len;
	int cap;

	cap = debugfs_open(fd, "vdisplay_frame", O_RDONLY);
	if (cap < 0)
		return -errno;
	len = read(cap, hdr, sizeof(*hdr));
	igt_assert_eq(len, sizeof(*hdr));
	igt_assert(!memcmp(hdr->magic, VDISPLAY_FRAME_MAGIC, 8));
	size = (size_t)hdr->pitch * hdr->height;
	*pixels = malloc(size ? size : 1);
	igt_assert(*pixels);
	while (got < size) {
		len = read(cap, (char *)*pixels + got, size - got);
		igt_assert_f(len > 0, "short frame: %zu of %zu\n", got, size);
		got += len;
	}
	igt_assert_eq(read(cap, &len, 1), 0);
	close(cap);
	return 0;
}

uint32_t *capture_frame(int fd, struct vdisplay_frame_header *hdr)
{
	uint32_t *pixels = NULL;
	int ret = __capture_frame(fd, hdr, &pixels);

	igt_require_f(ret != -ENOENT, "no vdisplay_frame in debugfs\n");
	igt_assert_f(ret == 0, "capture: %s\n", strerror(-ret));
	return pixels;
}

uint32_t kms_crc32(const void *data, uint64_t len)
{
	static uint32_t table[256];
	const uint8_t *p = data;
	uint32_t crc = 0;
	uint64_t i;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			uint32_t c = i;
			int b;

			for (b = 0; b < 8; b++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	for (i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return crc;
}
