// SPDX-License-Identifier: MIT
/*
 * vprime-demo: the cross-device display pipeline that `make demo` runs in
 * the guest (vrender loaded with devices=2, and vdisplay).
 *
 *   vprime-demo [-n FRAMES] [-r RING] [-e BG_US] [-E SPRITE_US]
 *               [-s WxH] [-c LIST] [-C] [-k KMSCUBE_FRAMES] [-t SECS]
 *               [-o OUTDIR] [-R RAWDIR]
 *
 * Defaults: 120 frames, a ring of 3, 6000 us simulated on vrender.0 and
 * 4000 us on vrender.1 per frame, a 128x128 sprite, 4 frames captured,
 * kmscube for 120 frames (timeout 240 s), OUTDIR ".", RAWDIR OUTDIR.
 * -C: no CRCs. Under TCG, composing each frame for its CRC keeps a vCPU
 * busy, which shows in the timing figures; -C gives them without that.
 *
 * Each frame: vrender.1 renders a sprite (horizontal stripe fills) into its
 * own buffer, which vrender.0 imported once; vrender.0 renders the frame
 * into one of a ring of buffers (band fills for a background whose colour
 * changes per frame, then one copy job per sprite row to a moving position).
 * Right after submitting, with no wait on any job, the program queues a
 * nonblocking atomic flip of that buffer's framebuffer on vdisplay: the
 * kernel holds the flip until the buffer's implicit fences (the jobs, and
 * through the sprite's reservation the other device's jobs) signal.
 * Pacing is by flip events only.
 *
 * Measured per frame: the vblank at submit (the target is the next one),
 * the vblank and time of the flip event, the completion times of the two
 * devices' last jobs (SYNC_IOC_FILE_INFO on their out sync_files), the
 * pipe CRC at the flip's vblank (crtc-0/crc/data) and the CRC of the
 * picture the frame should show, computed here. Frames listed with -c are
 * captured (debugfs vdisplay_frame) to RAWDIR/frame-NNN.vdframe, for
 * vdisplay-capture -i to turn into PNG.
 *
 * Then the program lets go of the display (CRTC off, FBs removed, master
 * dropped) and runs kmscube on it (-k 0 skips this), capturing a few frames
 * to RAWDIR/kmscube-N.vdframe and counting its distinct CRCs.
 *
 * Writes OUTDIR/report.txt and OUTDIR/report.json; prints the report.
 * Needs root (debugfs). Exit status 0 if every frame was shown and kmscube
 * (if run) exited 0, else 1.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "vdisplay_drm.h"
#include "vrender_drm.h"

#define SYSFS_DRM	"/sys/class/drm"
#define DEBUGFS_DRI	"/sys/kernel/debug/dri"
#define MAX_RING	8
#define MAX_CAPTURES	16
#define KMSCUBE_CAPTURES 3
#define NSTRIPES	8	/* sprite stripes, one fill job each */
#define NBANDS		8	/* background bands, one fill job each */

static const char *prog = "vprime-demo";

__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	exit(1);
}

#define check(cond, ...) do { if (!(cond)) die(__VA_ARGS__); } while (0)

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double ms(int64_t ns)
{
	return ns / 1e6;
}

/* --- devices ------------------------------------------------------------ */

/*
 * Path of the DRM node named PREFIXn (card or renderD) whose parent device
 * is the platform device @platdev.
 */
static bool find_node(const char *prefix, const char *platdev, char *out,
		      size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	bool found = false;
	int n;
	DIR *dir = opendir(SYSFS_DRM);

	if (!dir)
		return false;
	while (!found && (de = readdir(dir))) {
		const char *base;
		char *end;
		ssize_t l;

		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		n = strtol(de->d_name + strlen(prefix), &end, 10);
		if (end == de->d_name + strlen(prefix) || *end)
			continue;
		snprintf(path, sizeof(path), SYSFS_DRM "/%s/device", de->d_name);
		l = readlink(path, link, sizeof(link) - 1);
		if (l < 0)
			continue;
		link[l] = '\0';
		base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
		if (!strcmp(base, platdev)) {
			snprintf(out, len, "/dev/dri/%s%d", prefix, n);
			found = true;
		}
	}
	closedir(dir);
	return found;
}

static int open_node(const char *prefix, const char *platdev, char *path,
		     size_t len)
{
	int fd;

	if (!find_node(prefix, platdev, path, len)) {
		errno = 0;
		die("no %s* node on %s (modules loaded?)", prefix, platdev);
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	check(fd >= 0, "open %s", path);
	return fd;
}

static unsigned int node_minor(int fd)
{
	struct stat st;

	check(fstat(fd, &st) == 0, "fstat");
	return minor(st.st_rdev);
}

static int debugfs_open(int fd, const char *name, int flags)
{
	char path[128];

	snprintf(path, sizeof(path), DEBUGFS_DRI "/%u/%s", node_minor(fd), name);
	return open(path, flags | O_CLOEXEC);
}

/* waits_cross_device of a vrender device's engine (debugfs), -1 if unknown */
static long long cross_device_waits(int fd)
{
	char buf[512];
	long long v = -1;
	const char *p;
	ssize_t n;
	int f = debugfs_open(fd, "vrender_engine", O_RDONLY);

	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "waits_cross_device=");
	if (p)
		v = strtoll(p + strlen("waits_cross_device="), NULL, 10);
	return v;
}

/* --- vrender jobs --------------------------------------------------------- */

static uint32_t gem_create(int fd, uint64_t size)
{
	struct drm_vrender_gem_create arg = { .size = size };

	check(drmIoctl(fd, DRM_IOCTL_VRENDER_GEM_CREATE, &arg) == 0,
	      "VRENDER_GEM_CREATE of %llu bytes", (unsigned long long)size);
	return arg.handle;
}

static uint64_t jobs_submitted;

/* A fill (src_handle 0) or a copy; returns the out sync_file if asked. */
static int submit(int fd, uint32_t dst, uint64_t dst_offset, uint32_t src,
		  uint64_t src_offset, uint64_t size, uint32_t value,
		  uint32_t exec_us, bool out_fence)
{
	struct drm_vrender_submit_bo bos[2] = {
		{ .handle = dst, .flags = VRENDER_BO_WRITE },
		{ .handle = src, .flags = VRENDER_BO_READ },
	};
	struct drm_vrender_submit arg = {
		.bos = (uintptr_t)bos,
		.bo_count = src ? 2 : 1,
		.op = src ? VRENDER_OP_COPY : VRENDER_OP_FILL,
		.dst = 0,
		.src = src ? 1 : 0,
		.value = src ? 0 : value,
		.exec_us = exec_us,
		.dst_offset = dst_offset,
		.src_offset = src_offset,
		.size = size,
		.flags = out_fence ? VRENDER_SUBMIT_OUT_FENCE_FD : 0,
		.in_fence_fd = -1,
		.out_fence_fd = -1,
	};

	check(drmIoctl(fd, DRM_IOCTL_VRENDER_SUBMIT, &arg) == 0,
	      "VRENDER_SUBMIT");
	jobs_submitted++;
	return out_fence ? arg.out_fence_fd : -1;
}

/* Completion time (CLOCK_MONOTONIC ns) of a signalled sync_file, else 0. */
static int64_t fence_timestamp(int fence_fd, int *status)
{
	struct sync_fence_info fi;
	struct sync_file_info info;

	memset(&fi, 0, sizeof(fi));
	memset(&info, 0, sizeof(info));
	info.num_fences = 1;
	info.sync_fence_info = (uintptr_t)&fi;
	check(ioctl(fence_fd, SYNC_IOC_FILE_INFO, &info) == 0,
	      "SYNC_IOC_FILE_INFO");
	*status = info.status;
	return info.status == 1 ? (int64_t)fi.timestamp_ns : 0;
}

static bool fence_wait(int fence_fd, int timeout_ms)
{
	struct pollfd p = { .fd = fence_fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1;
}

/* --- the picture ---------------------------------------------------------- */

struct geom {
	uint32_t width, height, pitch;
	uint32_t sw, sh;		/* sprite size */
};

/* Fully saturated hue h (0..359) at value v (0..255), as 0xffRRGGBB. */
static uint32_t hue(unsigned int h, unsigned int v)
{
	unsigned int sector = (h % 360) / 60, f = (h % 60) * 255 / 60;
	unsigned int up = f * v / 255, down = (255 - f) * v / 255;
	unsigned int r, g, b;

	switch (sector) {
	case 0: r = v; g = up; b = 0; break;
	case 1: r = down; g = v; b = 0; break;
	case 2: r = 0; g = v; b = up; break;
	case 3: r = 0; g = down; b = v; break;
	case 4: r = up; g = 0; b = v; break;
	default: r = v; g = 0; b = down; break;
	}
	return 0xff000000u | r << 16 | g << 8 | b;
}

/* Background band @b of frame @f: the hue walks, the bands darken. */
static uint32_t band_colour(unsigned int f, unsigned int b)
{
	return hue(f * 3 + b * 6, 200 - b * 18);
}

/* Sprite stripe @s of frame @f: a rainbow scrolling through the block. */
static uint32_t stripe_colour(unsigned int f, unsigned int s)
{
	return hue(s * 45 + f * 15 + 180, 255);
}

/* Triangle wave: bounces between 0 and @range at @speed per frame. */
static uint32_t bounce(unsigned int f, unsigned int speed, uint32_t range,
		       uint32_t phase)
{
	uint64_t t = ((uint64_t)f * speed + phase) % (2 * (uint64_t)range);

	return range ? (t <= range ? t : 2 * range - t) : 0;
}

static void sprite_pos(const struct geom *g, unsigned int f, uint32_t *x,
		       uint32_t *y)
{
	*x = bounce(f, 11, g->width - g->sw, g->width / 3);
	*y = bounce(f, 7, g->height - g->sh, g->height / 5);
}

/* Rows [begin, end) of band @b (or of stripe @b for the sprite). */
static void split(uint32_t rows, unsigned int n, unsigned int b,
		  uint32_t *begin, uint32_t *end)
{
	*begin = rows * b / n;
	*end = rows * (b + 1) / n;
}

/* What frame @f must look like: the same operations, done by the CPU. */
static void expected_picture(const struct geom *g, unsigned int f,
			     uint32_t *pix)
{
	uint32_t x0, y0, x, y, b0, b1;
	unsigned int b;

	for (b = 0; b < NBANDS; b++) {
		split(g->height, NBANDS, b, &b0, &b1);
		for (y = b0; y < b1; y++)
			for (x = 0; x < g->width; x++)
				pix[(size_t)y * g->width + x] = band_colour(f, b);
	}
	sprite_pos(g, f, &x0, &y0);
	for (b = 0; b < NSTRIPES; b++) {
		split(g->sh, NSTRIPES, b, &b0, &b1);
		for (y = b0; y < b1; y++)
			for (x = 0; x < g->sw; x++)
				pix[(size_t)(y0 + y) * g->width + x0 + x] =
					stripe_colour(f, b);
	}
}

/* CRC-32 as vdisplay reports it: crc32_le seeded with 0, no inversion. */
static uint32_t crc_table[8][256];

static void crc_init(void)
{
	uint32_t i, c;
	int k;

	for (i = 0; i < 256; i++) {
		for (c = i, k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (k = 1; k < 8; k++)
			crc_table[k][i] = crc_table[0][crc_table[k - 1][i] & 0xff] ^
					  (crc_table[k - 1][i] >> 8);
}

/* Slicing by 8 (little-endian host), for 3 MB frames under emulation. */
static uint32_t crc32_raw(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t crc = 0;

	while (len >= 8) {
		uint32_t lo, hi;

		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo ^= crc;
		crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		      crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		      crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
		      crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

/* --- KMS ------------------------------------------------------------------ */

enum {
	P_CRTC_ACTIVE, P_CRTC_MODE_ID, P_CONN_CRTC_ID, P_FB_ID, P_CRTC_ID,
	P_SRC_X, P_SRC_Y, P_SRC_W, P_SRC_H, P_CRTC_X, P_CRTC_Y, P_CRTC_W,
	P_CRTC_H, P_NUM
};

static const char *const prop_names[P_NUM] = {
	"ACTIVE", "MODE_ID", "CRTC_ID", "FB_ID", "CRTC_ID", "SRC_X", "SRC_Y",
	"SRC_W", "SRC_H", "CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H",
};

struct kms {
	int fd;
	uint32_t crtc, conn, plane, mode_blob;
	drmModeModeInfo mode;
	uint32_t prop[P_NUM];
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

static void kms_init(struct kms *k, int fd)
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
static int kms_modeset(struct kms *k, uint32_t fb)
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
static int kms_flip(struct kms *k, uint32_t fb, void *user_data)
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

static uint32_t vblank_now(struct kms *k, int64_t *ts)
{
	drmVBlank vbl = { .request = { .type = DRM_VBLANK_RELATIVE } };

	check(drmWaitVBlank(k->fd, &vbl) == 0, "vblank query");
	if (ts)
		*ts = (int64_t)vbl.reply.tval_sec * 1000000000 +
		      (int64_t)vbl.reply.tval_usec * 1000;
	return vbl.reply.sequence;
}

/* --- CRCs ----------------------------------------------------------------- */

struct crc_log {
	int fd;
	size_t n, cap;
	uint32_t (*e)[2];	/* vblank, crc */
};

static void crc_start(int drm_fd, struct crc_log *c)
{
	int ctl = debugfs_open(drm_fd, "crtc-0/crc/control", O_WRONLY);

	check(ctl >= 0, "open crtc-0/crc/control (root? debugfs?)");
	check(write(ctl, "auto", 4) == 4, "write crtc-0/crc/control");
	close(ctl);
	c->fd = debugfs_open(drm_fd, "crtc-0/crc/data", O_RDONLY | O_NONBLOCK);
	check(c->fd >= 0, "open crtc-0/crc/data");
}

/* Read what is there; false if nothing was. */
static bool crc_drain(struct crc_log *c)
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

static void crc_stop(struct crc_log *c)
{
	if (c->fd >= 0) {
		crc_drain(c);
		close(c->fd);
	}
	c->fd = -1;
}

static bool crc_at(const struct crc_log *c, uint32_t vblank, uint32_t *crc)
{
	size_t i;

	for (i = c->n; i-- > 0;)
		if (c->e[i][0] == vblank) {
			*crc = c->e[i][1];
			return true;
		}
	return false;
}

/* --- capture -------------------------------------------------------------- */

/*
 * The frame composed at the next vblank, saved as @path (vdisplay_frame's
 * format). Returns the header's CRC; *colours gets the distinct colours
 * (at most 64 counted).
 */
static uint32_t capture(int drm_fd, const char *path, uint64_t *seq,
			unsigned int *colours)
{
	struct vdisplay_frame_header hdr;
	size_t size, got = 0, i;
	uint32_t seen[64], *pix;
	unsigned int n = 0, j;
	ssize_t len;
	int in, out;

	in = debugfs_open(drm_fd, "vdisplay_frame", O_RDONLY);
	check(in >= 0, "open vdisplay_frame");
	check(read(in, &hdr, sizeof(hdr)) == sizeof(hdr) &&
	      !memcmp(hdr.magic, VDISPLAY_FRAME_MAGIC, 8), "vdisplay_frame header");
	size = (size_t)hdr.pitch * hdr.height;
	pix = malloc(size ? size : 1);
	check(pix, "out of memory");
	while (got < size) {
		len = read(in, (char *)pix + got, size - got);
		check(len > 0, "short vdisplay_frame");
		got += len;
	}
	close(in);

	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	check(out >= 0, "create %s", path);
	check(write(out, &hdr, sizeof(hdr)) == sizeof(hdr) &&
	      write(out, pix, size) == (ssize_t)size, "write %s", path);
	check(close(out) == 0, "write %s", path);

	for (i = 0; i < size / 4 && n < 64; i += 3) {
		for (j = 0; j < n; j++)
			if (seen[j] == pix[i])
				break;
		if (j == n)
			seen[n++] = pix[i];
	}
	free(pix);
	*seq = hdr.sequence;
	*colours = n;
	return hdr.crc;
}

/* --- statistics ----------------------------------------------------------- */

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

struct stats {
	size_t n;
	double min, median, max;
};

static struct stats stats_of(const int64_t *v, size_t n)
{
	struct stats s = { .n = n };
	int64_t *c;

	if (!n)
		return s;
	c = malloc(n * sizeof(*c));
	check(c, "out of memory");
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp64);
	s.min = ms(c[0]);
	s.max = ms(c[n - 1]);
	s.median = n % 2 ? ms(c[n / 2]) : (ms(c[n / 2 - 1]) + ms(c[n / 2])) / 2;
	free(c);
	return s;
}

/* --- the demo -------------------------------------------------------------- */

struct frame {
	uint32_t buf;			/* ring index */
	uint32_t x, y;			/* sprite position */
	uint32_t submit_seq;		/* last vblank before submit */
	uint32_t flip_seq;		/* vblank of the flip event */
	int64_t t_submit, t_sprite, t_render, t_flip;
	int render_fence, sprite_fence;
	bool shown, have_crc;
	uint32_t crc, expect;
	int crc_match;			/* 1 this frame, 0 none, -1 other frame's */
};

struct capture_rec {
	char name[32];
	unsigned int frame;		/* -1u for kmscube */
	uint64_t seq;
	uint32_t crc;
	unsigned int colours;
	int expected;			/* 1 equal to the expected picture, 0 not, -1 n/a */
};

struct opts {
	unsigned int frames, ring, bg_us, sprite_us, kmscube_frames, timeout;
	bool crc;
	uint32_t sw, sh;
	unsigned int captures[MAX_CAPTURES], ncaptures;
	const char *outdir, *rawdir;
};

struct kmscube_rec {
	bool ran;
	const char *skip;
	int status;
	double t_onscreen, t_run;
	size_t crcs, distinct;
	struct capture_rec cap[KMSCUBE_CAPTURES];
	unsigned int ncap;
	char dev[64];
};

static struct frame *frames;

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
static void wait_flip(struct kms *k, struct crc_log *c, struct frame *f)
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

static void parse_captures(struct opts *o, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;

	check(copy, "out of memory");
	o->ncaptures = 0;
	for (tok = strtok_r(copy, ",", &save); tok && o->ncaptures < MAX_CAPTURES;
	     tok = strtok_r(NULL, ",", &save))
		o->captures[o->ncaptures++] = strtoul(tok, NULL, 10);
	free(copy);
}

static bool is_capture(const struct opts *o, unsigned int f)
{
	unsigned int i;

	for (i = 0; i < o->ncaptures; i++)
		if (o->captures[i] == f)
			return true;
	return false;
}

struct run {
	struct geom g;
	char dev0_path[64], dev1_path[64], disp_path[64];
	int dev0, dev1, disp;
	uint32_t ring0[MAX_RING], ring_disp[MAX_RING], fbs[MAX_RING];
	uint32_t sprite1, sprite0;
	long long xwaits0[2], xwaits1[2];
	unsigned int ebusy, early;
	int64_t t_start, t_end;
	struct capture_rec cap[MAX_CAPTURES];
	unsigned int ncap;
	size_t crcs_read;
	double vrefresh;
};

static void setup(struct run *r, const struct opts *o, struct kms *k)
{
	struct geom *g = &r->g;
	unsigned int i;
	int dmabuf;

	r->dev0 = open_node("renderD", "vrender.0", r->dev0_path,
			    sizeof(r->dev0_path));
	r->dev1 = open_node("renderD", "vrender.1", r->dev1_path,
			    sizeof(r->dev1_path));
	r->disp = open_node("card", "vdisplay.0", r->disp_path,
			    sizeof(r->disp_path));
	kms_init(k, r->disp);
	r->vrefresh = (double)k->mode.clock * 1000 /
		      ((double)k->mode.htotal * k->mode.vtotal);

	g->width = k->mode.hdisplay;
	g->height = k->mode.vdisplay;
	g->pitch = g->width * 4;
	g->sw = o->sw < g->width ? o->sw : g->width;
	g->sh = o->sh < g->height ? o->sh : g->height;
	check(g->sh >= NSTRIPES, "sprite too small");

	/* The ring: owned by vrender.0, exported once, FBs on vdisplay. */
	for (i = 0; i < o->ring; i++) {
		uint32_t handles[4] = {}, pitches[4] = {}, offsets[4] = {};

		r->ring0[i] = gem_create(r->dev0, (uint64_t)g->pitch * g->height);
		check(drmPrimeHandleToFD(r->dev0, r->ring0[i],
					 DRM_CLOEXEC | DRM_RDWR, &dmabuf) == 0,
		      "export ring buffer");
		check(drmPrimeFDToHandle(r->disp, dmabuf, &r->ring_disp[i]) == 0,
		      "import ring buffer into vdisplay");
		close(dmabuf);
		handles[0] = r->ring_disp[i];
		pitches[0] = g->pitch;
		check(drmModeAddFB2(r->disp, g->width, g->height,
				    DRM_FORMAT_XRGB8888, handles, pitches,
				    offsets, &r->fbs[i], 0) == 0, "AddFB2");
	}

	/* The sprite: owned by vrender.1, imported into vrender.0. */
	r->sprite1 = gem_create(r->dev1, (uint64_t)g->sw * 4 * g->sh);
	check(drmPrimeHandleToFD(r->dev1, r->sprite1, DRM_CLOEXEC | DRM_RDWR,
				 &dmabuf) == 0, "export sprite");
	check(drmPrimeFDToHandle(r->dev0, dmabuf, &r->sprite0) == 0,
	      "import sprite into vrender.0");
	close(dmabuf);
}

/* Submit frame @n's jobs on both devices; no waiting. */
static void render(struct run *r, const struct opts *o, unsigned int n,
		   struct frame *f)
{
	const struct geom *g = &r->g;
	uint32_t dst = r->ring0[f->buf], b0, b1, y;
	unsigned int i;

	/* vrender.1: the sprite, stripe by stripe. */
	for (i = 0; i < NSTRIPES; i++) {
		int fence;

		split(g->sh, NSTRIPES, i, &b0, &b1);
		fence = submit(r->dev1, r->sprite1, (uint64_t)b0 * g->sw * 4, 0, 0,
			       (uint64_t)(b1 - b0) * g->sw * 4,
			       stripe_colour(n, i), i ? 0 : o->sprite_us,
			       i == NSTRIPES - 1);
		if (fence >= 0)
			f->sprite_fence = fence;
	}
	/* vrender.0: the background, band by band (runs alongside). */
	for (i = 0; i < NBANDS; i++) {
		split(g->height, NBANDS, i, &b0, &b1);
		submit(r->dev0, dst, (uint64_t)b0 * g->pitch, 0, 0,
		       (uint64_t)(b1 - b0) * g->pitch, band_colour(n, i),
		       i ? 0 : o->bg_us, false);
	}
	/* vrender.0: the sprite's rows; each waits for vrender.1's writes. */
	sprite_pos(g, n, &f->x, &f->y);
	for (y = 0; y < g->sh; y++) {
		int fence = submit(r->dev0, dst,
				   (uint64_t)(f->y + y) * g->pitch + f->x * 4,
				   r->sprite0, (uint64_t)y * g->sw * 4,
				   (uint64_t)g->sw * 4, 0, 0, y == g->sh - 1);
		if (fence >= 0)
			f->render_fence = fence;
	}
}

static void animate(struct run *r, const struct opts *o, struct kms *k,
		    struct crc_log *c)
{
	const struct geom *g = &r->g;
	unsigned int n, i;
	int fence, status;
	uint32_t last;

	/* First picture: black, by a job; the modeset waits for it. */
	fence = submit(r->dev0, r->ring0[0], 0, 0, 0, (uint64_t)g->pitch * g->height,
		       0xff000000u, 0, true);
	check(kms_modeset(k, r->fbs[0]) == 0, "modeset %ux%u", g->width,
	      g->height);
	check(fence_wait(fence, 5000), "first fill");
	close(fence);
	if (o->crc)
		crc_start(r->disp, c);
	vblank_now(k, NULL);

	r->xwaits0[0] = cross_device_waits(r->dev0);
	r->xwaits1[0] = cross_device_waits(r->dev1);
	r->t_start = now_ns();
	for (n = 0; n < o->frames; n++) {
		struct frame *f = &frames[n];
		int ret, tries = 0;

		f->buf = (n + 1) % o->ring;
		f->render_fence = f->sprite_fence = -1;
		f->submit_seq = vblank_now(k, NULL);
		f->t_submit = now_ns();
		render(r, o, n, f);
		/* At once: the kernel holds the flip until the jobs are done. */
		while ((ret = kms_flip(k, r->fbs[f->buf], f)) == -EBUSY &&
		       tries++ < 1000) {
			r->ebusy++;
			usleep(1000);
		}
		errno = -ret;
		check(ret == 0, "page flip of frame %u", n);
		wait_flip(k, c, f);

		/*
		 * Signalled by now, unless implicit sync is broken: then
		 * count it, and the latency comes out negative.
		 */
		fence_timestamp(f->render_fence, &status);
		if (status != 1)
			r->early++;
		check(fence_wait(f->render_fence, 20000) &&
		      fence_wait(f->sprite_fence, 20000), "frame %u's jobs", n);
		f->t_render = fence_timestamp(f->render_fence, &status);
		check(status == 1, "frame %u's job failed (%d)", n, status);
		f->t_sprite = fence_timestamp(f->sprite_fence, &status);
		check(status == 1, "frame %u's sprite job failed (%d)", n, status);
		close(f->render_fence);
		close(f->sprite_fence);

		if (is_capture(o, n) && r->ncap < MAX_CAPTURES) {
			struct capture_rec *cr = &r->cap[r->ncap++];
			char path[PATH_MAX];

			snprintf(cr->name, sizeof(cr->name), "frame-%03u", n);
			snprintf(path, sizeof(path), "%s/%s.vdframe", o->rawdir,
				 cr->name);
			cr->frame = n;
			cr->crc = capture(r->disp, path, &cr->seq, &cr->colours);
		}
	}
	r->t_end = now_ns();
	r->xwaits0[1] = cross_device_waits(r->dev0);
	r->xwaits1[1] = cross_device_waits(r->dev1);

	/* The last frame's CRC arrives after its vblank. */
	for (i = 0; c->fd >= 0 && i < 50 && !crc_at(c, frames[o->frames - 1].flip_seq, &last);
	     i++) {
		usleep(20000);
		crc_drain(c);
	}
	crc_stop(c);
	r->crcs_read = c->n;
}

static void verify(struct run *r, const struct opts *o, const struct crc_log *c)
{
	const struct geom *g = &r->g;
	uint32_t *pix = malloc((size_t)g->pitch * g->height);
	unsigned int n, m, i;

	check(pix, "out of memory");
	for (n = 0; n < o->frames; n++) {
		expected_picture(g, n, pix);
		frames[n].expect = crc32_raw(pix, (size_t)g->pitch * g->height);
	}
	free(pix);
	for (n = 0; n < o->frames; n++) {
		struct frame *f = &frames[n];

		f->have_crc = f->shown && crc_at(c, f->flip_seq, &f->crc);
		f->crc_match = 0;
		if (!f->have_crc)
			continue;
		if (f->crc == f->expect) {
			f->crc_match = 1;
			continue;
		}
		for (m = 0; m < o->frames; m++)
			if (frames[m].expect == f->crc)
				f->crc_match = -1;
	}
	for (i = 0; i < r->ncap; i++)
		r->cap[i].expected = r->cap[i].crc == frames[r->cap[i].frame].expect;
}

/* --- kmscube ----------------------------------------------------------------- */

static pid_t child = -1;

static void kill_child(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = -1;
	}
}

static bool child_exited(int *status)
{
	pid_t ret;

	if (child < 0)
		return true;
	ret = waitpid(child, status, WNOHANG);
	check(ret >= 0, "waitpid");
	if (!ret)
		return false;
	child = -1;
	return true;
}

static bool scanning_out(int fd)
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

static void run_kmscube(struct run *r, const struct opts *o,
			struct kmscube_rec *kc)
{
	static const char *const paths[] = { "/usr/bin/kmscube",
					     "/usr/local/bin/kmscube" };
	const char *exe = NULL;
	struct crc_log c = { .fd = -1 };
	char frames_arg[16], log[PATH_MAX];
	int64_t launch, onscreen, next_cap;
	int in[2], logfd, status = -1;
	unsigned int i;
	size_t seen = 0, m;

	for (i = 0; i < 2 && !exe; i++)
		if (access(paths[i], X_OK) == 0)
			exe = paths[i];
	snprintf(kc->dev, sizeof(kc->dev), "%s", r->disp_path);
	if (!exe) {
		kc->skip = "kmscube not installed";
		return;
	}
	snprintf(frames_arg, sizeof(frames_arg), "%u", o->kmscube_frames);
	snprintf(log, sizeof(log), "%s/kmscube.log", o->outdir);
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	check(logfd >= 0, "create %s", log);
	/* kmscube quits when stdin is readable: a pipe nobody writes to. */
	check(pipe2(in, O_CLOEXEC) == 0, "pipe");
	printf("running %s -D %s -c %s (output in %s)\n", exe, kc->dev,
	       frames_arg, log);
	fflush(stdout);
	launch = now_ns();
	child = fork();
	check(child >= 0, "fork");
	if (!child) {
		dup2(in[0], 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		execl(exe, "kmscube", "-D", kc->dev, "-c", frames_arg,
		      (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(logfd);
	kc->ran = true;

	while (!scanning_out(r->disp)) {
		if (child_exited(&status)) {
			kc->status = status;
			close(in[1]);
			return;
		}
		if (now_ns() - launch > (int64_t)o->timeout * 1000000000) {
			kill_child();
			kc->status = -1;
			close(in[1]);
			return;
		}
		usleep(20000);
	}
	onscreen = now_ns();
	kc->t_onscreen = (onscreen - launch) / 1e9;
	crc_start(r->disp, &c);
	/*
	 * Its first frames are a uniform grey (the cube is not drawn yet):
	 * capture once the picture has changed a few times, then every 1.5 s;
	 * a capture with hardly any colours is dropped and retried.
	 */
	next_cap = 0;
	while (!child_exited(&status)) {
		crc_drain(&c);
		for (; seen < c.n; seen++) {
			for (m = 0; m < seen; m++)
				if (c.e[m][1] == c.e[seen][1])
					break;
			kc->distinct += m == seen;
		}
		if (kc->ncap < KMSCUBE_CAPTURES && kc->distinct >= 3 &&
		    now_ns() >= next_cap && scanning_out(r->disp)) {
			struct capture_rec *cr = &kc->cap[kc->ncap];
			char path[PATH_MAX];

			snprintf(cr->name, sizeof(cr->name), "kmscube-%03u", kc->ncap);
			snprintf(path, sizeof(path), "%s/%s.vdframe", o->rawdir,
				 cr->name);
			cr->frame = -1u;
			cr->expected = -1;
			cr->crc = capture(r->disp, path, &cr->seq, &cr->colours);
			if (cr->colours >= 8) {
				kc->ncap++;
				next_cap = now_ns() + 1500000000;
			} else {
				unlink(path);
				next_cap = now_ns() + 200000000;
			}
		}
		if (now_ns() - launch > (int64_t)o->timeout * 1000000000) {
			kill_child();
			status = -1;
			break;
		}
		usleep(20000);
	}
	kc->status = status;
	kc->t_run = (now_ns() - onscreen) / 1e9;
	crc_stop(&c);
	close(in[1]);
	kc->crcs = c.n;
	for (; seen < c.n; seen++) {
		for (m = 0; m < seen; m++)
			if (c.e[m][1] == c.e[seen][1])
				break;
		kc->distinct += m == seen;
	}
	free(c.e);
}

/* --- report ------------------------------------------------------------------ */

static void report(FILE *out, bool json, const struct run *r,
		   const struct opts *o, const struct kmscube_rec *kc)
{
	int64_t *lat = calloc(o->frames, sizeof(*lat));
	int64_t *ren = calloc(o->frames, sizeof(*ren));
	int64_t *spr = calloc(o->frames, sizeof(*spr));
	int64_t *ivl = calloc(o->frames, sizeof(*ivl));
	unsigned int shown = 0, ontime = 0, late[4] = {}, withcrc = 0;
	unsigned int match = 0, other = 0, distinct = 0, n, m, i;
	size_t nl = 0, ni = 0;
	struct stats sl, sr, ss, si;
	struct utsname u;
	double secs = (r->t_end - r->t_start) / 1e9;
	long long xw0 = r->xwaits0[1] - r->xwaits0[0];
	const char *sep;

	check(lat && ren && spr && ivl, "out of memory");
	uname(&u);
	for (n = 0; n < o->frames; n++) {
		const struct frame *f = &frames[n];
		int32_t d;

		if (!f->shown)
			continue;
		shown++;
		d = (int32_t)(f->flip_seq - (f->submit_seq + 1));
		if (d <= 0)
			ontime++;
		else
			late[d >= 3 ? 3 : d]++;
		lat[nl] = f->t_flip - f->t_render;
		ren[nl] = f->t_render - f->t_submit;
		spr[nl] = f->t_sprite - f->t_submit;
		nl++;
		if (n > 0 && frames[n - 1].shown)
			ivl[ni++] = f->t_flip - frames[n - 1].t_flip;
		if (f->have_crc) {
			withcrc++;
			match += f->crc_match == 1;
			other += f->crc_match == -1;
			for (m = 0; m < n; m++)
				if (frames[m].have_crc && frames[m].crc == f->crc)
					break;
			distinct += m == n;
		}
	}
	sl = stats_of(lat, nl);
	sr = stats_of(ren, nl);
	ss = stats_of(spr, nl);
	si = stats_of(ivl, ni);

	if (!json) {
		fprintf(out, "vprime demo: %s %s, %s %ux%u@%.0f Hz\n", u.sysname,
			u.release, r->disp_path, r->g.width, r->g.height,
			r->vrefresh);
		fprintf(out, "pipeline: vrender.1 (%s) renders a %ux%u sprite (%u fills, %.1f ms simulated);\n"
			"  vrender.0 (%s) renders each frame into a ring of %u buffers (%u fills, %.1f ms\n"
			"  simulated, then %u copies of the sprite's rows, imported from vrender.1);\n"
			"  vdisplay (%s) flips to it at once, nonblocking: the kernel waits for the jobs.\n\n",
			r->dev1_path, r->g.sw, r->g.sh, NSTRIPES, o->sprite_us / 1e3,
			r->dev0_path, o->ring, NBANDS, o->bg_us / 1e3, r->g.sh,
			r->disp_path);
		fprintf(out, "frames shown        %u of %u in %.2f s (%.1f fps; flip interval median %.1f ms, max %.1f ms)\n",
			shown, o->frames, secs, secs > 0 ? shown / secs : 0.0,
			si.median, si.max);
		fprintf(out, "on target vblank    %u of %u (%.0f%%); late %u (by 1 vblank %u, by 2 %u, by 3+ %u)\n",
			ontime, shown, shown ? 100.0 * ontime / shown : 0.0,
			shown - ontime, late[1], late[2], late[3]);
		fprintf(out, "render time         min %.2f  median %.2f  max %.2f ms (submit -> vrender.0's last job done)\n",
			sr.min, sr.median, sr.max);
		fprintf(out, "sprite time         min %.2f  median %.2f  max %.2f ms (submit -> vrender.1's sprite done)\n",
			ss.min, ss.median, ss.max);
		fprintf(out, "latency             min %.2f  median %.2f  max %.2f ms (render-to-scanout: job done -> flip event)\n",
			sl.min, sl.median, sl.max);
		if (o->crc)
			fprintf(out, "CRCs                %u of %u frames, %u distinct; %u the expected picture, %u another frame's, %u wrong\n",
				withcrc, shown, distinct, match, other,
				withcrc - match - other);
		else
			fprintf(out, "CRCs                not collected (-C)\n");
		fprintf(out, "flips before job    %u (implicit sync holds each flip until its job is done: must be 0)\n",
			r->early);
		fprintf(out, "cross-device waits  %lld (vrender.0 jobs that waited for vrender.1's fences)\n",
			xw0);
		fprintf(out, "jobs                %llu (%.0f per frame)\n",
			(unsigned long long)jobs_submitted,
			(double)jobs_submitted / (o->frames ? o->frames : 1));
		if (r->ebusy)
			fprintf(out, "flip retries        %u (EBUSY)\n", r->ebusy);
		for (i = 0; i < r->ncap; i++)
			fprintf(out, "capture             %s.png: frame %u, vblank %llu, crc %08x, %s, %u%s colours\n",
				r->cap[i].name, r->cap[i].frame,
				(unsigned long long)r->cap[i].seq, r->cap[i].crc,
				r->cap[i].expected ? "the expected picture" :
				"NOT the expected picture", r->cap[i].colours,
				r->cap[i].colours >= 64 ? "+" : "");
		if (!kc->ran) {
			fprintf(out, "kmscube             not run%s%s\n",
				kc->skip ? ": " : "", kc->skip ? kc->skip : "");
		} else {
			fprintf(out, "kmscube             -D %s -c %u: %s; on screen %.1f s after start, then ran %.1f s; %zu CRCs, %zu distinct\n",
				kc->dev, o->kmscube_frames,
				kc->status == 0 ? "exit 0" :
				kc->status == -1 ? "TIMED OUT" : "FAILED",
				kc->t_onscreen, kc->t_run, kc->crcs, kc->distinct);
			for (i = 0; i < kc->ncap; i++)
				fprintf(out, "capture             %s.png: vblank %llu, crc %08x, %u%s colours\n",
					kc->cap[i].name,
					(unsigned long long)kc->cap[i].seq,
					kc->cap[i].crc, kc->cap[i].colours,
					kc->cap[i].colours >= 64 ? "+" : "");
		}
		fprintf(out, "\nTarget: the vblank after the one current at submit. Latency: the flip event's\n"
			"time (the ideal vblank time) minus the completion time of the frame's last job\n"
			"(its sync_file's timestamp); below 0 when the vblank timer fired late (TCG).\n"
			"A CRC is the pipe CRC at the flip's vblank; \"another frame's\" means the\n"
			"composer ran late and saw a later flip. report.json has every frame.\n");
		goto out;
	}

	fprintf(out, "{\n  \"kernel\": \"%s\",\n  \"mode\": \"%ux%u@%.2f\",\n",
		u.release, r->g.width, r->g.height, r->vrefresh);
	fprintf(out, "  \"devices\": {\"render0\": \"%s\", \"render1\": \"%s\", \"display\": \"%s\"},\n",
		r->dev0_path, r->dev1_path, r->disp_path);
	fprintf(out, "  \"config\": {\"frames\": %u, \"ring\": %u, \"sprite\": [%u, %u], \"bg_exec_us\": %u, \"sprite_exec_us\": %u, \"jobs_submitted\": %llu},\n",
		o->frames, o->ring, r->g.sw, r->g.sh, o->bg_us, o->sprite_us,
		(unsigned long long)jobs_submitted);
	fprintf(out, "  \"frames_shown\": %u,\n  \"seconds\": %.3f,\n  \"fps\": %.2f,\n",
		shown, secs, secs > 0 ? shown / secs : 0.0);
	fprintf(out, "  \"on_target_vblank\": %u,\n  \"late\": {\"total\": %u, \"by_1\": %u, \"by_2\": %u, \"by_3_or_more\": %u},\n",
		ontime, shown - ontime, late[1], late[2], late[3]);
	fprintf(out, "  \"render_ms\": {\"min\": %.3f, \"median\": %.3f, \"max\": %.3f},\n",
		sr.min, sr.median, sr.max);
	fprintf(out, "  \"sprite_ms\": {\"min\": %.3f, \"median\": %.3f, \"max\": %.3f},\n",
		ss.min, ss.median, ss.max);
	fprintf(out, "  \"latency_ms\": {\"min\": %.3f, \"median\": %.3f, \"max\": %.3f},\n",
		sl.min, sl.median, sl.max);
	fprintf(out, "  \"flip_interval_ms\": {\"min\": %.3f, \"median\": %.3f, \"max\": %.3f},\n",
		si.min, si.median, si.max);
	fprintf(out, "  \"crc\": {\"frames_with_crc\": %u, \"distinct\": %u, \"expected\": %u, \"other_frame\": %u, \"none\": %u},\n",
		withcrc, distinct, match, other, withcrc - match - other);
	fprintf(out, "  \"cross_device_waits\": %lld,\n  \"flips_before_job_done\": %u,\n  \"flip_ebusy_retries\": %u,\n",
		xw0, r->early, r->ebusy);
	fprintf(out, "  \"captures\": [");
	for (i = 0, sep = ""; i < r->ncap; i++, sep = ",")
		fprintf(out, "%s\n    {\"png\": \"%s.png\", \"frame\": %u, \"vblank\": %llu, \"crc\": \"%08x\", \"expected\": %s, \"colours\": %u}",
			sep, r->cap[i].name, r->cap[i].frame,
			(unsigned long long)r->cap[i].seq, r->cap[i].crc,
			r->cap[i].expected ? "true" : "false", r->cap[i].colours);
	fprintf(out, "\n  ],\n  \"kmscube\": {\"ran\": %s, \"status\": %d, \"onscreen_s\": %.2f, \"run_s\": %.2f, \"crcs\": %zu, \"distinct_crcs\": %zu, \"captures\": [",
		kc->ran ? "true" : "false", kc->status, kc->t_onscreen, kc->t_run,
		kc->crcs, kc->distinct);
	for (i = 0, sep = ""; i < kc->ncap; i++, sep = ", ")
		fprintf(out, "%s{\"png\": \"%s.png\", \"vblank\": %llu, \"crc\": \"%08x\", \"colours\": %u}",
			sep, kc->cap[i].name, (unsigned long long)kc->cap[i].seq,
			kc->cap[i].crc, kc->cap[i].colours);
	fprintf(out, "]},\n  \"per_frame\": [");
	for (n = 0, sep = ""; n < o->frames; n++, sep = ",") {
		const struct frame *f = &frames[n];

		fprintf(out, "%s\n    {\"frame\": %u, \"buffer\": %u, \"x\": %u, \"y\": %u, \"shown\": %s, \"submit_vblank\": %u, \"flip_vblank\": %u, "
			"\"render_ms\": %.3f, \"sprite_ms\": %.3f, \"latency_ms\": %.3f, \"crc\": \"%08x\", \"expected_crc\": \"%08x\", \"crc_ok\": %s}",
			sep, n, f->buf, f->x, f->y, f->shown ? "true" : "false",
			f->submit_seq, f->flip_seq, ms(f->t_render - f->t_submit),
			ms(f->t_sprite - f->t_submit), ms(f->t_flip - f->t_render),
			f->crc, f->expect, f->crc_match == 1 ? "true" : "false");
	}
	fprintf(out, "\n  ]\n}\n");
out:
	free(lat);
	free(ren);
	free(spr);
	free(ivl);
}

static void write_report(const char *dir, const char *name, bool json,
			 const struct run *r, const struct opts *o,
			 const struct kmscube_rec *kc)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	check(f, "create %s", path);
	report(f, json, r, o, kc);
	check(fclose(f) == 0, "write %s", path);
}

static void usage(int status)
{
	fprintf(stderr,
		"usage: %s [-n FRAMES] [-r RING] [-e BG_US] [-E SPRITE_US] [-s WxH]\n"
		"       [-c F1,F2,...] [-C] [-k KMSCUBE_FRAMES] [-t SECS] [-o OUTDIR] [-R RAWDIR]\n",
		prog);
	exit(status);
}

int main(int argc, char **argv)
{
	struct opts o = {
		.frames = 120, .ring = 3, .bg_us = 6000, .sprite_us = 4000,
		.kmscube_frames = 120, .timeout = 240, .sw = 128, .sh = 128,
		.outdir = ".", .crc = true,
	};
	struct kmscube_rec kc = { .status = -1 };
	struct crc_log c = { .fd = -1 };
	bool ok, captures_set = false;
	struct run r;
	struct kms k;
	unsigned int i;
	int opt;

	memset(&r, 0, sizeof(r));
	while ((opt = getopt(argc, argv, "n:r:e:E:s:c:Ck:t:o:R:h")) != -1) {
		switch (opt) {
		case 'n': o.frames = strtoul(optarg, NULL, 10); break;
		case 'r': o.ring = strtoul(optarg, NULL, 10); break;
		case 'e': o.bg_us = strtoul(optarg, NULL, 10); break;
		case 'E': o.sprite_us = strtoul(optarg, NULL, 10); break;
		case 's':
			if (sscanf(optarg, "%ux%u", &o.sw, &o.sh) != 2)
				usage(2);
			break;
		case 'c': parse_captures(&o, optarg); captures_set = true; break;
		case 'C': o.crc = false; break;
		case 'k': o.kmscube_frames = strtoul(optarg, NULL, 10); break;
		case 't': o.timeout = strtoul(optarg, NULL, 10); break;
		case 'o': o.outdir = optarg; break;
		case 'R': o.rawdir = optarg; break;
		default: usage(opt == 'h' ? 0 : 2);
		}
	}
	if (optind != argc || !o.frames || o.ring < 2 || o.ring > MAX_RING ||
	    !o.sw || !o.sh)
		usage(2);
	if (!o.rawdir)
		o.rawdir = o.outdir;
	if (!captures_set) {
		/* Four frames spread over the run. */
		for (i = 0; i < 4; i++)
			o.captures[i] = o.frames * (2 * i + 1) / 8;
		o.ncaptures = 4;
	}
	frames = calloc(o.frames, sizeof(*frames));
	check(frames, "out of memory");
	crc_init();
	atexit(kill_child);

	setup(&r, &o, &k);
	printf("%s: %u frames, %ux%u, ring of %u on %s, sprite %ux%u on %s, display %s\n",
	       prog, o.frames, r.g.width, r.g.height, o.ring, r.dev0_path, r.g.sw,
	       r.g.sh, r.dev1_path, r.disp_path);
	fflush(stdout);
	animate(&r, &o, &k, &c);
	verify(&r, &o, &c);
	free(c.e);

	/* Let go of the display for kmscube: off, FBs gone, no master. */
	check(kms_modeset(&k, 0) == 0, "disable the CRTC");
	for (i = 0; i < o.ring; i++) {
		drmModeRmFB(r.disp, r.fbs[i]);
		drmCloseBufferHandle(r.disp, r.ring_disp[i]);
	}
	drmModeDestroyPropertyBlob(r.disp, k.mode_blob);
	drmDropMaster(r.disp);
	if (o.kmscube_frames)
		run_kmscube(&r, &o, &kc);
	else
		kc.skip = "-k 0";

	write_report(o.outdir, "report.txt", false, &r, &o, &kc);
	write_report(o.outdir, "report.json", true, &r, &o, &kc);
	report(stdout, false, &r, &o, &kc);

	ok = true;
	for (i = 0; i < o.frames; i++)
		ok &= frames[i].shown;
	if (kc.ran && kc.status != 0)
		ok = false;
	return ok ? 0 : 1;
}
