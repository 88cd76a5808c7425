// SPDX-License-Identifier: MIT
/*
 * vprime-demo: the vdisplay side. Atomic modesets and nonblocking page
 * flips on its one CRTC and primary plane, flip events, and the pipe CRCs
 * of debugfs crtc-0/crc.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "demo.h"

static const char *const prop_names[P_NUM] = {
	"ACTIVE", "MODE_ID", "CRTC_ID", "FB_ID", "CRTC_ID", "SRC_X", "SRC_Y",
	"SRC_W", "SRC_H", "CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H",
};

static void find_props(struct kms *k, uint32_t obj, uint32_t type, int first,
		       int last)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(k->fd, obj,
								   type);
	uint32_t i;
	int p;

	check(props, "get properties of object %u", obj);
	for (i = 0; i < props->count_props; i++) {
		drmModePropertyRes *prop = drmModeGetProperty(k->fd,
							      props->props[i]);

		check(prop, "get property %u", props->props[i]);
		for (p = first; p <= last; p++)
			if (!strcmp(prop->name, prop_names[p]))
				k->prop[p] = prop->prop_id;
		drmModeFreeProperty(prop);
	}
	drmModeFreeObjectProperties(props);
	for (p = first; p <= last; p++)
		if (!k->prop[p]) {
			errno = 0;
			die("object %u has no property %s", obj, prop_names[p]);
		}
}

static bool is_primary(int fd, uint32_t plane)
{
	drmModeObjectProperties *props =
		drmModeObjectGetProperties(fd, plane, DRM_MODE_OBJECT_PLANE);
	bool primary = false;
	uint32_t i;

	for (i = 0; props && i < props->count_props; i++) {
		drmModePropertyRes *prop = drmModeGetProperty(fd, props->props[i]);

		if (prop && !strcmp(prop->name, "type"))
			primary = props->prop_values[i] == DRM_PLANE_TYPE_PRIMARY;
		drmModeFreeProperty(prop);
	}
	drmModeFreeObjectProperties(props);
	return primary;
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
	check(drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) == 0,
	      "universal planes");
	check(drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0,
	      "atomic modesetting");
	res = drmModeGetResources(fd);
	check(res && res->count_crtcs >= 1 && res->count_connectors >= 1,
	      "KMS resources");
	k->crtc = res->crtcs[0];
	k->conn = res->connectors[0];
	drmModeFreeResources(res);

	conn = drmModeGetConnector(fd, k->conn);
	check(conn && conn->count_modes > 0, "connector %u", k->conn);
	k->mode = conn->modes[0];
	for (m = 0; m < conn->count_modes; m++)
		if (conn->modes[m].type & DRM_MODE_TYPE_PREFERRED) {
			k->mode = conn->modes[m];
			break;
		}
	drmModeFreeConnector(conn);
	check(drmModeCreatePropertyBlob(fd, &k->mode, sizeof(k->mode),
					&k->mode_blob) == 0, "mode blob");

	planes = drmModeGetPlaneResources(fd);
	check(planes, "plane resources");
	for (i = 0; i < planes->count_planes && !k->plane; i++)
		if (is_primary(fd, planes->planes[i]))
			k->plane = planes->planes[i];
	drmModeFreePlaneResources(planes);
	check(k->plane, "no primary plane");

	find_props(k, k->crtc, DRM_MODE_OBJECT_CRTC, P_CRTC_ACTIVE,
		   P_CRTC_MODE_ID);
	find_props(k, k->conn, DRM_MODE_OBJECT_CONNECTOR, P_CONN_CRTC_ID,
		   P_CONN_CRTC_ID);
	find_props(k, k->plane, DRM_MODE_OBJECT_PLANE, P_FB_ID, P_CRTC_H);
}

static void add(drmModeAtomicReq *req, uint32_t obj, uint32_t prop,
		uint64_t val)
{
	check(drmModeAtomicAddProperty(req, obj, prop, val) > 0,
	      "atomic add property");
}

/* Full modeset showing @fb (0: everything off); blocking. */
int kms_modeset(struct kms *k, uint32_t fb)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	uint32_t w = fb ? k->mode.hdisplay : 0, h = fb ? k->mode.vdisplay : 0;
	int ret;

	check(req, "atomic alloc");
	add(req, k->crtc, k->prop[P_CRTC_ACTIVE], !!fb);
	add(req, k->crtc, k->prop[P_CRTC_MODE_ID], fb ? k->mode_blob : 0);
	add(req, k->conn, k->prop[P_CONN_CRTC_ID], fb ? k->crtc : 0);
	add(req, k->plane, k->prop[P_FB_ID], fb);
	add(req, k->plane, k->prop[P_CRTC_ID], fb ? k->crtc : 0);
	add(req, k->plane, k->prop[P_SRC_X], 0);
	add(req, k->plane, k->prop[P_SRC_Y], 0);
	add(req, k->plane, k->prop[P_SRC_W], (uint64_t)w << 16);
	add(req, k->plane, k->prop[P_SRC_H], (uint64_t)h << 16);
	add(req, k->plane, k->prop[P_CRTC_X], 0);
	add(req, k->plane, k->prop[P_CRTC_Y], 0);
	add(req, k->plane, k->prop[P_CRTC_W], w);
	add(req, k->plane, k->prop[P_CRTC_H], h);
	ret = drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET,
				  NULL);
	drmModeAtomicFree(req);
	return ret ? -errno : 0;
}

/* A page flip: only the plane's FB changes; nonblocking, with an event. */
int kms_flip(struct kms *k, uint32_t fb, void *user_data)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	int ret;

	check(req, "atomic alloc");
	add(req, k->plane, k->prop[P_FB_ID], fb);
	ret = drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_NONBLOCK |
				  DRM_MODE_PAGE_FLIP_EVENT, user_data);
	drmModeAtomicFree(req);
	return ret ? -errno : 0;
}

uint32_t vblank_now(struct kms *k, int64_t *ts)
{
	drmVBlank vbl = { .request = { .type = DRM_VBLANK_RELATIVE } };

	check(drmWaitVBlank(k->fd, &vbl) == 0, "vblank query");
	if (ts)
		*ts = (int64_t)vbl.reply.tval_sec * 1000000000 +
		      (int64_t)vbl.reply.tval_usec * 1000;
	return vbl.reply.sequence;
}

static void flip_handler(int fd, unsigned int sequence, unsigned int tv_sec,
			 unsigned int tv_usec, unsigned int crtc_id,
			 void *user_data)
{
	struct frame *f = user_data;

	(void)fd;
	(void)crtc_id;
	f->flip_seq = sequence;
	f->t_flip = (int64_t)tv_sec * 1000000000 + (int64_t)tv_usec * 1000;
	f->shown = true;
}

/* Wait for @f's flip event, reading CRCs meanwhile. */
void wait_flip(struct kms *k, struct crc_log *c, struct frame *f)
{
	drmEventContext ev = {
		.version = 3,
		.page_flip_handler2 = flip_handler,
	};
	int64_t deadline = now_ns() + 10 * 1000000000LL;

	while (!f->shown) {
		struct pollfd p[2] = {
			{ .fd = k->fd, .events = POLLIN },
			{ .fd = c->fd, .events = POLLIN },
		};
		int ret = poll(p, c->fd >= 0 ? 2 : 1, 100);

		check(ret >= 0 || errno == EINTR, "poll");
		if (c->fd >= 0)
			crc_drain(c);
		if (ret > 0 && (p[0].revents & POLLIN))
			check(drmHandleEvent(k->fd, &ev) == 0, "read DRM events");
		if (!f->shown && now_ns() > deadline) {
			errno = 0;
			die("no flip event in 10 s");
		}
	}
}

/* Whether CRTC 0 is on with a framebuffer (kmscube's, once it runs). */
bool scanning_out(int fd)
{
	drmModeCrtc *crtc;
	drmModeRes *res = drmModeGetResources(fd);
	bool on = false;

	if (!res)
		return false;
	crtc = drmModeGetCrtc(fd, res->crtcs[0]);
	on = crtc && crtc->mode_valid && crtc->buffer_id;
	drmModeFreeCrtc(crtc);
	drmModeFreeResources(res);
	return on;
}

/* --- CRCs ----------------------------------------------------------------- */

void crc_start(int drm_fd, struct crc_log *c)
{
	int ctl = debugfs_open(drm_fd, "crtc-0/crc/control", O_WRONLY);

	check(ctl >= 0, "open crtc-0/crc/control (root? debugfs?)");
	check(write(ctl, "auto", 4) == 4, "write crtc-0/crc/control");
	close(ctl);
	c->fd = debugfs_open(drm_fd, "crtc-0/crc/data", O_RDONLY | O_NONBLOCK);
	check(c->fd >= 0, "open crtc-0/crc/data");
}

/* Read what is there; false if nothing was. */
bool crc_drain(struct crc_log *c)
{
	bool any = false;
	char line[64];
	ssize_t len;

	while ((len = read(c->fd, line, sizeof(line) - 1)) > 0) {
		uint32_t frame, value;

		line[len] = '\0';
		if (sscanf(line, "%x %x", &frame, &value) != 2)
			continue;
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 1024;
			c->e = realloc(c->e, c->cap * sizeof(*c->e));
			check(c->e, "out of memory");
		}
		c->e[c->n][0] = frame;
		c->e[c->n][1] = value;
		c->n++;
		any = true;
	}
	check(len < 0 && errno == EAGAIN, "read crtc-0/crc/data");
	return any;
}

void crc_stop(struct crc_log *c)
{
	if (c->fd >= 0) {
		crc_drain(c);
		close(c->fd);
	}
	c->fd = -1;
}

bool crc_at(const struct crc_log *c, uint32_t vblank, uint32_t *crc)
{
	size_t i;

	for (i = c->n; i-- > 0;)
		if (c->e[i][0] == vblank) {
			*crc = c->e[i][1];
			return true;
		}
	return false;
}
