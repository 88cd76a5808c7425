// SPDX-License-Identifier: MIT
/*
 * vdisplay topology: the module parameters (crtcs, overlays, cursor,
 * writeback, create_default_dev) and their limits, and configfs devices:
 * planes shared between CRTCs, several connectors, writeback per CRTC,
 * every refused topology and attribute with its errno, the rules while a
 * device is enabled, and connector hotplug with its uevent.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <drm_fourcc.h>

#include "drmtest.h"
#include "igt_core.h"
#include "igt_kmod.h"
#include "ioctl_wrappers.h"
#include "kms_vd.h"

#define W	160
#define H	120
#define CFS	"/sys/kernel/config"
#define ROOT	CFS "/vdisplay"

/* --- module parameters ---------------------------------------------------- */

static char ko[PATH_MAX];

static void require_ko(void)
{
	const char *dir = getenv("VPRIME_MODDIR");

	igt_require_f(dir, "VPRIME_MODDIR not set\n");
	snprintf(ko, sizeof(ko), "%s/drivers/gpu/drm/vdisplay/vdisplay.ko", dir);
	igt_require_f(access(ko, R_OK) == 0, "%s: %s\n", ko, strerror(errno));
}

static int __reload(const char *params)
{
	int ret = __delete_module("vdisplay", O_NONBLOCK);

	igt_assert_f(ret == 0 || ret == -ENOENT, "unload vdisplay: %s\n",
		     strerror(-ret));
	return __finit_module(ko, params);
}

static void reload(const char *params)
{
	int ret = __reload(params);

	igt_assert_f(ret == 0, "load vdisplay %s: %s\n", params, strerror(-ret));
}

static void count_objects(int fd, int *crtcs, int *conns, int *planes)
{
	drmModeRes *res = drmModeGetResources(fd);
	drmModePlaneRes *pr = drmModeGetPlaneResources(fd);

	igt_assert(res && pr);
	*crtcs = res->count_crtcs;
	*conns = res->count_connectors;
	*planes = pr->count_planes;
	drmModeFreePlaneResources(pr);
	drmModeFreeResources(res);
}

/* Show a picture on a pipe and check its CRC. */
static void show(struct vd_pipe *p, uint32_t seed, bool overlay)
{
	struct pipe_crc crc = { .data = -1 };
	struct vd_fb fb, ov;
	struct ref_plane rp[2];
	drmModeAtomicReq *req;
	char what[32];

	vd_fb_create(p->fd, W, H, DRM_FORMAT_XRGB8888, &fb);
	vd_fb_pattern(&fb, seed, VD_OPAQUE, 0, 0);
	vd_fb_create(p->fd, 50, 40, DRM_FORMAT_ARGB8888, &ov);
	vd_fb_pattern(&ov, seed + 1, VD_PREMULT, 0, 0);
	rp[0] = vd_ref_plane(&fb, 0, 0);
	rp[1] = vd_ref_plane(&ov, 33, 22);
	req = vd_req(p);
	vd_req_plane(req, p, p->primary, &fb, &rp[0]);
	igt_assert_eq(vd_commit(p, req, 0), 0);
	vd_crc_start(p, &crc);
	req = vd_req(p);
	vd_req_plane(req, p, p->primary, &fb, &rp[0]);
	if (overlay)
		vd_req_plane(req, p, p->overlays[0], &ov, &rp[1]);
	snprintf(what, sizeof(what), "CRTC %u", p->index);
	vd_check_planes(p, &crc, req, rp, overlay ? 2 : 1, NULL, what);
	pipe_crc_stop(&crc);
	vd_fb_destroy(&ov);
	vd_fb_destroy(&fb);
}

static void test_module_parameters(void)
{
	struct vd_pipe p[2];
	int fd, crtcs, conns, planes;

	require_ko();
	reload("crtcs=2 overlays=1 cursor=0 writeback=0");
	fd = vd_open("vdisplay.0");
	count_objects(fd, &crtcs, &conns, &planes);
	igt_assert_eq(crtcs, 2);
	igt_assert_eq(conns, 2);
	igt_assert_eq(planes, 4);
	for (unsigned int i = 0; i < 2; i++) {
		vd_pipe_init(&p[i], fd, i, W, H);
		igt_assert_eq(p[i].n_overlays, 1);
		igt_assert_eq(p[i].cursor, 0);
		igt_assert_eq(p[i].wb_id, 0);
	}
	/* Both CRTCs at once, each with its own picture. */
	show(&p[0], 10, true);
	show(&p[1], 20, true);
	for (unsigned int i = 0; i < 2; i++) {
		vd_pipe_off(&p[i]);
		vd_pipe_fini(&p[i]);
	}
	close(fd);

	reload("crtcs=8 overlays=2 cursor=1");
	fd = vd_open("vdisplay.0");
	count_objects(fd, &crtcs, &conns, &planes);
	igt_assert_eq(crtcs, 8);
	igt_assert_eq(planes, 32);
	vd_pipe_init(&p[0], fd, 7, W, H);
	igt_assert(p[0].wb_id && p[0].cursor);
	show(&p[0], 30, true);
	vd_pipe_off(&p[0]);
	vd_pipe_fini(&p[0]);
	close(fd);
	reload("");
}

static void test_module_parameters_bad(void)
{
	static const char *const bad[] = {
		"crtcs=0", "crtcs=9", "overlays=40", "crtcs=8 overlays=3",
		"crtcs=-1",
	};

	require_ko();
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		igt_assert_f(__reload(bad[i]) == -EINVAL, "%s loaded\n", bad[i]);
		igt_assert_eq(vd_card("vdisplay.0"), -1);
	}
	reload("create_default_dev=0");
	igt_assert_eq(vd_card("vdisplay.0"), -1);
	reload("");
	igt_assert_lte(0, vd_card("vdisplay.0"));
}

/* --- configfs ------------------------------------------------------------- */

static void require_configfs(void)
{
	struct stat st;

	if (stat(ROOT, &st) && stat(CFS, &st) == 0)
		mount("none", CFS, "configfs", 0, NULL);
	igt_require_f(stat(ROOT, &st) == 0, "no %s\n", ROOT);
}

static int cfs_mkdir(const char *dev, const char *path)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), ROOT "/%s%s%s", dev, *path ? "/" : "", path);
	return mkdir(p, 0755) ? -errno : 0;
}

static int cfs_write(const char *dev, const char *path, const char *val)
{
	char p[PATH_MAX];
	ssize_t len;
	int f;

	snprintf(p, sizeof(p), ROOT "/%s/%s", dev, path);
	f = open(p, O_WRONLY);
	igt_assert_f(f >= 0, "open %s: %s\n", p, strerror(errno));
	len = write(f, val, strlen(val));
	close(f);
	return len < 0 ? -errno : 0;
}

static void cfs_read(const char *dev, const char *path, char *buf, size_t n)
{
	char p[PATH_MAX];
	ssize_t len;
	int f;

	snprintf(p, sizeof(p), ROOT "/%s/%s", dev, path);
	f = open(p, O_RDONLY);
	igt_assert_f(f >= 0, "open %s: %s\n", p, strerror(errno));
	len = read(f, buf, n - 1);
	igt_assert_lte(0, len);
	buf[len] = '\0';
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	close(f);
}

/* Link @obj (planes/x or connectors/x) to crtcs/@crtc of @tdev. */
static int cfs_link(const char *dev, const char *obj, const char *tdev,
		    const char *crtc)
{
	char target[PATH_MAX], link[PATH_MAX];

	snprintf(target, sizeof(target), ROOT "/%s/crtcs/%s", tdev, crtc);
	snprintf(link, sizeof(link), ROOT "/%s/%s/possible_crtcs/%s-%s", dev,
		 obj, tdev, crtc);
	return symlink(target, link) ? -errno : 0;
}

static void rm_children(const char *dir, bool links)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (links) {
			unlink(p);
		} else {
			char sub[PATH_MAX + 16];

			snprintf(sub, sizeof(sub), "%s/possible_crtcs", p);
			rm_children(sub, true);
		}
	}
	rewinddir(d);
	while (!links && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		rmdir(p);
	}
	closedir(d);
}

/* Remove a configfs device and everything in it, if it exists. */
static void cfs_remove(const char *dev)
{
	static const char *const groups[] = { "planes", "connectors", "crtcs" };
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), ROOT "/%s", dev);
	if (stat(p, &st))
		return;
	cfs_write(dev, "enabled", "0");
	for (unsigned int i = 0; i < ARRAY_SIZE(groups); i++) {
		snprintf(p, sizeof(p), ROOT "/%s/%s", dev, groups[i]);
		rm_children(p, false);
	}
	snprintf(p, sizeof(p), ROOT "/%s", dev);
	igt_assert_f(rmdir(p) == 0, "rmdir %s: %s\n", p, strerror(errno));
}

static void cfs_plane(const char *dev, const char *name, const char *type,
		      const char *crtc1, const char *crtc2)
{
	char p[64];

	snprintf(p, sizeof(p), "planes/%s", name);
	igt_assert_eq(cfs_mkdir(dev, p), 0);
	snprintf(p, sizeof(p), "planes/%s/type", name);
	igt_assert_eq(cfs_write(dev, p, type), 0);
	snprintf(p, sizeof(p), "planes/%s", name);
	if (crtc1)
		igt_assert_eq(cfs_link(dev, p, dev, crtc1), 0);
	if (crtc2)
		igt_assert_eq(cfs_link(dev, p, dev, crtc2), 0);
}

static void cfs_connector(const char *dev, const char *name, const char *crtc1,
			  const char *crtc2)
{
	char p[64];

	snprintf(p, sizeof(p), "connectors/%s", name);
	igt_assert_eq(cfs_mkdir(dev, p), 0);
	if (crtc1)
		igt_assert_eq(cfs_link(dev, p, dev, crtc1), 0);
	if (crtc2)
		igt_assert_eq(cfs_link(dev, p, dev, crtc2), 0);
}

/* Two CRTCs (the second with writeback), a shared overlay, a cursor. */
static void cfs_build_two(const char *dev)
{
	cfs_remove(dev);
	igt_assert_eq(cfs_mkdir(dev, ""), 0);
	igt_assert_eq(cfs_mkdir(dev, "crtcs/c0"), 0);
	igt_assert_eq(cfs_mkdir(dev, "crtcs/c1"), 0);
	igt_assert_eq(cfs_write(dev, "crtcs/c1/writeback", "1"), 0);
	cfs_plane(dev, "p0", "1", "c0", NULL);
	cfs_plane(dev, "p1", "1", "c1", NULL);
	cfs_plane(dev, "shared", "0", "c0", "c1");
	cfs_plane(dev, "cursor", "2", "c1", NULL);
	cfs_connector(dev, "a", "c0", NULL);
	cfs_connector(dev, "b", "c0", "c1");
}

static int cfs_open(const char *dev)
{
	char name[32];

	cfs_read(dev, "device", name, sizeof(name));
	igt_assert_f(!strncmp(name, "vdisplay.", 9), "device \"%s\"\n", name);
	return vd_open(name);
}

static void test_configfs_device(void)
{
	const char *dev = "t-two";
	struct vd_pipe p0, p1;
	char buf[32];
	int fd, crtcs, conns, planes;

	require_configfs();
	cfs_build_two(dev);
	cfs_read(dev, "enabled", buf, sizeof(buf));
	igt_assert(!strcmp(buf, "0"));
	cfs_read(dev, "device", buf, sizeof(buf));
	igt_assert(!strcmp(buf, ""));
	igt_assert_eq(cfs_write(dev, "enabled", "1"), 0);
	cfs_read(dev, "enabled", buf, sizeof(buf));
	igt_assert(!strcmp(buf, "1"));

	fd = cfs_open(dev);
	count_objects(fd, &crtcs, &conns, &planes);
	igt_assert_eq(crtcs, 2);
	igt_assert_eq(conns, 3);	/* a, b and c1's writeback */
	igt_assert_eq(planes, 4);
	vd_pipe_init(&p0, fd, 0, W, H);
	vd_pipe_init(&p1, fd, 1, W, H);
	/* The shared overlay is listed on both; the cursor on c1 only. */
	igt_assert_eq(p0.n_overlays, 1);
	igt_assert_eq(p1.n_overlays, 1);
	igt_assert_eq(p0.overlays[0], p1.overlays[0]);
	igt_assert_eq(p0.cursor, 0);
	igt_assert_neq(p1.cursor, 0);
	igt_assert_eq(p0.wb_id, 0);
	igt_assert_neq(p1.wb_id, 0);
	/* Planes in creation order: primary of c0, of c1, overlay, cursor. */
	igt_assert_lt(p0.primary, p1.primary);
	igt_assert_lt(p1.primary, p1.overlays[0]);

	/* The shared overlay on c1, then on c0. */
	show(&p1, 40, true);
	vd_pipe_off(&p1);
	show(&p0, 50, true);
	vd_pipe_off(&p0);
	vd_pipe_fini(&p0);
	vd_pipe_fini(&p1);

	/* Disabled with the file still open: the DRM device goes with it. */
	igt_assert_eq(cfs_write(dev, "enabled", "0"), 0);
	cfs_read(dev, "device", buf, sizeof(buf));
	igt_assert(!strcmp(buf, ""));
	igt_assert(drmModeGetResources(fd) == NULL);
	close(fd);

	/* Enabled again, then removed with the device on. */
	igt_assert_eq(cfs_write(dev, "enabled", "1"), 0);
	fd = cfs_open(dev);
	close(fd);
	cfs_remove(dev);
}

static void expect_invalid(const char *dev, const char *why)
{
	igt_assert_f(cfs_write(dev, "enabled", "1") == -EINVAL,
		     "enabled: %s\n", why);
	igt_assert_eq(cfs_write(dev, "enabled", "0"), 0);
}

static void test_configfs_errors(void)
{
	const char *dev = "t-err", *other = "t-other";
	char p[PATH_MAX];

	require_configfs();
	cfs_remove(other);
	cfs_remove(dev);
	igt_assert_eq(cfs_mkdir(dev, ""), 0);
	igt_assert_eq(cfs_mkdir(dev, ""), -EEXIST);

	/* Refused topologies. */
	expect_invalid(dev, "no CRTC");
	igt_assert_eq(cfs_mkdir(dev, "crtcs/c0"), 0);
	expect_invalid(dev, "no primary plane");
	cfs_plane(dev, "p0", "1", "c0", NULL);
	cfs_plane(dev, "p1", "1", "c0", NULL);
	expect_invalid(dev, "two primary planes");
	igt_assert_eq(cfs_write(dev, "planes/p1/type", "0"), 0);
	igt_assert_eq(cfs_mkdir(dev, "crtcs/c1"), 0);
	cfs_plane(dev, "p2", "1", "c1", NULL);
	cfs_plane(dev, "cur", "2", "c0", "c1");
	expect_invalid(dev, "cursor on two CRTCs");
	rm_children(ROOT "/t-err/planes/cur/possible_crtcs", true);
	expect_invalid(dev, "plane on no CRTC");
	igt_assert_eq(cfs_link(dev, "planes/cur", dev, "c1"), 0);
	cfs_connector(dev, "con", NULL, NULL);
	expect_invalid(dev, "connector on no CRTC");
	igt_assert_eq(cfs_link(dev, "connectors/con", dev, "c0"), 0);

	/* Bad attribute values. */
	igt_assert_eq(cfs_write(dev, "planes/p1/type", "3"), -EINVAL);
	igt_assert_eq(cfs_write(dev, "planes/p1/type", "overlay"), -EINVAL);
	igt_assert_eq(cfs_write(dev, "planes/p1/type", "-1"), -EINVAL);
	igt_assert_eq(cfs_write(dev, "crtcs/c0/writeback", "2"), -EINVAL);
	igt_assert_eq(cfs_write(dev, "connectors/con/status", "0"), -EINVAL);
	igt_assert_eq(cfs_write(dev, "connectors/con/status", "4"), -EINVAL);
	igt_assert_eq(cfs_write(dev, "enabled", "maybe"), -EINVAL);

	/* Links: once per CRTC, only to CRTCs of the same device. */
	snprintf(p, sizeof(p), ROOT "/%s/planes/p0/possible_crtcs/again", dev);
	igt_assert_eq(symlink(ROOT "/t-err/crtcs/c0", p) ? -errno : 0, -EEXIST);
	igt_assert_eq(cfs_mkdir(other, ""), 0);
	igt_assert_eq(cfs_mkdir(other, "crtcs/x"), 0);
	igt_assert_eq(cfs_link(dev, "planes/p1", other, "x"), -EINVAL);
	snprintf(p, sizeof(p), ROOT "/%s/planes/p1/possible_crtcs/bad", dev);
	igt_assert_eq(symlink(ROOT "/t-err/planes/p0", p) ? -errno : 0,
		      -EINVAL);
	/* A linked CRTC cannot be removed. */
	igt_assert_eq(rmdir(ROOT "/t-err/crtcs/c0") ? -errno : 0, -EBUSY);

	/* At most 8 CRTCs. */
	for (int i = 0; i < 6; i++) {
		snprintf(p, sizeof(p), "crtcs/more%d", i);
		igt_assert_eq(cfs_mkdir(other, p), 0);
	}
	igt_assert_eq(cfs_mkdir(other, "crtcs/ninth"), 0);
	igt_assert_eq(cfs_mkdir(other, "crtcs/tenth"), -ENOSPC);

	/* A valid device; while enabled its topology is fixed. */
	igt_assert_eq(cfs_write(dev, "enabled", "1"), 0);
	igt_assert_eq(cfs_write(dev, "enabled", "1"), 0);
	igt_assert_eq(cfs_mkdir(dev, "planes/late"), -EBUSY);
	igt_assert_eq(cfs_mkdir(dev, "crtcs/late"), -EBUSY);
	igt_assert_eq(cfs_mkdir(dev, "connectors/late"), -EBUSY);
	igt_assert_eq(cfs_link(dev, "planes/p1", dev, "c1"), -EBUSY);
	igt_assert_eq(cfs_write(dev, "planes/p1/type", "2"), -EBUSY);
	igt_assert_eq(cfs_write(dev, "crtcs/c0/writeback", "1"), -EBUSY);
	igt_assert_eq(cfs_write(dev, "connectors/con/status", "2"), 0);

	cfs_remove(other);
	cfs_remove(dev);
}

/* --- hotplug -------------------------------------------------------------- */

static int uevent_open(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
		       NETLINK_KOBJECT_UEVENT);

	igt_require_f(s >= 0, "no uevent socket: %s\n", strerror(errno));
	igt_assert_eq(bind(s, (struct sockaddr *)&addr, sizeof(addr)), 0);
	return s;
}

static bool has_var(const char *msg, size_t len, const char *var)
{
	for (size_t i = 0; i < len; i += strlen(msg + i) + 1)
		if (!strcmp(msg + i, var))
			return true;
	return false;
}

/* The connector id of the next DRM hotplug uevent of platform @name. */
static uint32_t next_hotplug(int s, const char *name)
{
	char buf[4096], want[64];
	struct timespec start;

	snprintf(want, sizeof(want), "/%s/", name);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		ssize_t len;

		igt_assert_f(igt_time_elapsed(&start) < 5.0,
			     "no hotplug uevent\n");
		if (!fd_poll(s, POLLIN, 1000))
			continue;
		len = recv(s, buf, sizeof(buf) - 1, 0);
		igt_assert_lt(0, len);
		buf[len] = '\0';
		if (!strstr(buf, want) || !has_var(buf, len, "HOTPLUG=1"))
			continue;
		for (size_t i = 0; i < (size_t)len; i += strlen(buf + i) + 1)
			if (!strncmp(buf + i, "CONNECTOR=", 10))
				return strtoul(buf + i + 10, NULL, 10);
		igt_fail_f("hotplug uevent without CONNECTOR\n");
	}
}

static drmModeConnection connection(int fd, uint32_t id)
{
	drmModeConnector *c = drmModeGetConnector(fd, id);
	drmModeConnection ret;

	igt_assert(c);
	ret = c->connection;
	drmModeFreeConnector(c);
	return ret;
}

static void test_configfs_hotplug(void)
{
	const char *dev = "t-hotplug";
	char name[32];
	drmModeRes *res;
	uint32_t a, b;
	int fd, s;

	require_configfs();
	cfs_remove(dev);
	igt_assert_eq(cfs_mkdir(dev, ""), 0);
	igt_assert_eq(cfs_mkdir(dev, "crtcs/c"), 0);
	cfs_plane(dev, "p", "1", "c", NULL);
	cfs_connector(dev, "a", "c", NULL);
	cfs_connector(dev, "b", "c", NULL);
	igt_assert_eq(cfs_write(dev, "connectors/b/status", "2"), 0);
	igt_assert_eq(cfs_write(dev, "enabled", "1"), 0);
	cfs_read(dev, "device", name, sizeof(name));
	fd = cfs_open(dev);
	res = drmModeGetResources(fd);
	igt_assert(res && res->count_connectors == 2);
	a = res->connectors[0];
	b = res->connectors[1];
	drmModeFreeResources(res);
	igt_assert_eq(connection(fd, a), DRM_MODE_CONNECTED);
	igt_assert_eq(connection(fd, b), DRM_MODE_DISCONNECTED);

	s = uevent_open();
	/* Unplug a: a uevent naming it, and GETCONNECTOR sees it. */
	igt_assert_eq(cfs_write(dev, "connectors/a/status", "2"), 0);
	igt_assert_eq(next_hotplug(s, name), a);
	igt_assert_eq(connection(fd, a), DRM_MODE_DISCONNECTED);
	/* No change, no uevent: the next one is b's. */
	igt_assert_eq(cfs_write(dev, "connectors/a/status", "2"), 0);
	igt_assert_eq(cfs_write(dev, "connectors/b/status", "1"), 0);
	igt_assert_eq(next_hotplug(s, name), b);
	igt_assert_eq(connection(fd, b), DRM_MODE_CONNECTED);
	/* Unknown, then plugged back. */
	igt_assert_eq(cfs_write(dev, "connectors/a/status", "3"), 0);
	igt_assert_eq(next_hotplug(s, name), a);
	igt_assert_eq(connection(fd, a), DRM_MODE_UNKNOWNCONNECTION);
	igt_assert_eq(cfs_write(dev, "connectors/a/status", "1"), 0);
	igt_assert_eq(next_hotplug(s, name), a);
	igt_assert_eq(connection(fd, a), DRM_MODE_CONNECTED);
	close(s);
	close(fd);
	cfs_remove(dev);
}

igt_main
{
	igt_subtest("module-parameters")
		test_module_parameters();
	igt_subtest("module-parameters-bad")
		test_module_parameters_bad();
	igt_subtest("configfs-device")
		test_configfs_device();
	igt_subtest("configfs-errors")
		test_configfs_errors();
	igt_subtest("configfs-hotplug")
		test_configfs_hotplug();
}
