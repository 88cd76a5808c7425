// SPDX-License-Identifier: MIT
/*
 * vprime-fuzz, before the workers start: the devices (card and render
 * nodes of every vrender device, vdisplay), vdisplay's KMS objects and
 * their properties, and the debugfs files of our DRM minors, into fz_cfg.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "fuzz.h"

static bool platform_of(const char *node, char *name, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/drm/%s/device", node);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if ((strncmp(base, "vrender.", 8) && strcmp(base, "vdisplay.0")) ||
	    strlen(base) >= len)
		return false;
	memcpy(name, base, strlen(base) + 1);
	return true;
}

static int dev_cmp(const void *a, const void *b)
{
	const struct fz_dev *x = a, *y = b;

	if (x->kms != y->kms)
		return x->kms - y->kms;
	return strlen(x->name) != strlen(y->name) ?
	       (int)strlen(x->name) - (int)strlen(y->name) : strcmp(x->name, y->name);
}

void fz_discover_devices(void)
{
	DIR *d = opendir("/sys/class/drm");
	struct dirent *de;
	int i;

	if (!d)
		return;
	/* Cards first, then their render nodes. */
	while ((de = readdir(d))) {
		char name[32];
		char *end;
		struct fz_dev *dev;

		if (strlen(de->d_name) > 32 || strncmp(de->d_name, "card", 4) || !de->d_name[4])
			continue;
		strtol(de->d_name + 4, &end, 10);
		if (*end || !platform_of(de->d_name, name, sizeof(name)))
			continue;
		if (fz_cfg.ndevs == FZ_MAX_DEVS)
			break;
		dev = &fz_cfg.devs[fz_cfg.ndevs++];
		memset(dev, 0, sizeof(*dev));
		snprintf(dev->name, sizeof(dev->name), "%s", name);
		snprintf(dev->card, sizeof(dev->card), "/dev/dri/%s", de->d_name);
		dev->kms = !strcmp(name, "vdisplay.0");
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		char name[32];

		if (strlen(de->d_name) > 32 || strncmp(de->d_name, "renderD", 7) || !platform_of(de->d_name, name, sizeof(name)))
			continue;
		for (i = 0; i < fz_cfg.ndevs; i++)
			if (!strcmp(fz_cfg.devs[i].name, name))
				snprintf(fz_cfg.devs[i].render, sizeof(fz_cfg.devs[i].render),
					 "/dev/dri/%s", de->d_name);
	}
	closedir(d);
	qsort(fz_cfg.devs, fz_cfg.ndevs, sizeof(fz_cfg.devs[0]), dev_cmp);
}

static void discover_props(int fd, uint32_t obj, uint32_t type)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t i;

	if (!props)
		return;
	for (i = 0; i < props->count_props && fz_cfg.kms.nprops < FZ_MAX_PROPS; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);
		struct fz_prop *fp;
		int k;

		if (!p)
			continue;
		fp = &fz_cfg.kms.props[fz_cfg.kms.nprops++];
		memset(fp, 0, sizeof(*fp));
		fp->obj = obj;
		fp->obj_type = type;
		fp->id = p->prop_id;
		fp->flags = p->flags;
		snprintf(fp->name, sizeof(fp->name), "%s", p->name);
		if (p->flags & (DRM_MODE_PROP_RANGE | DRM_MODE_PROP_SIGNED_RANGE)) {
			if (p->count_values >= 2) {
				fp->min = p->values[0];
				fp->max = p->values[1];
			}
		} else if (p->flags & (DRM_MODE_PROP_ENUM | DRM_MODE_PROP_BITMASK)) {
			for (k = 0; k < p->count_enums && k < 8; k++)
				fp->values[fp->nvalues++] = p->enums[k].value;
		}
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
}

void fz_discover_kms(void)
{
	struct fz_kms *k = &fz_cfg.kms;
	drmModeResPtr res;
	drmModePlaneResPtr planes;
	drmModeConnectorPtr conn;
	uint32_t i;
	int fd = -1, d;

	for (d = 0; d < fz_cfg.ndevs; d++)
		if (fz_cfg.devs[d].kms)
			break;
	if (d == fz_cfg.ndevs)
		return;
	k->dev = d;
	fd = open(fz_cfg.devs[d].card, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1);
	res = drmModeGetResources(fd);
	if (!res || !res->count_crtcs || !res->count_connectors)
		goto out;
	k->crtc = res->crtcs[0];
	k->conn = res->connectors[0];
	k->enc = res->count_encoders ? res->encoders[0] : 0;
	conn = drmModeGetConnector(fd, k->conn);
	if (conn) {
		for (i = 0; i < (uint32_t)conn->count_modes && k->nmodes < FZ_MAX_MODES; i++)
			memcpy(&k->modes[k->nmodes++], &conn->modes[i], sizeof(k->modes[0]));
		drmModeFreeConnector(conn);
	}
	planes = drmModeGetPlaneResources(fd);
	for (i = 0; planes && i < planes->count_planes; i++) {
		drmModeObjectPropertiesPtr props =
			drmModeObjectGetProperties(fd, planes->planes[i], DRM_MODE_OBJECT_PLANE);
		uint32_t j;

		for (j = 0; props && j < props->count_props; j++) {
			drmModePropertyPtr p = drmModeGetProperty(fd, props->props[j]);

			if (p && !strcmp(p->name, "type")) {
				if (props->prop_values[j] == DRM_PLANE_TYPE_PRIMARY)
					k->primary = planes->planes[i];
				else if (props->prop_values[j] == DRM_PLANE_TYPE_CURSOR)
					k->cursor = planes->planes[i];
			}
			drmModeFreeProperty(p);
		}
		drmModeFreeObjectProperties(props);
	}
	drmModeFreePlaneResources(planes);
	discover_props(fd, k->crtc, DRM_MODE_OBJECT_CRTC);
	discover_props(fd, k->conn, DRM_MODE_OBJECT_CONNECTOR);
	if (k->primary)
		discover_props(fd, k->primary, DRM_MODE_OBJECT_PLANE);
	if (k->cursor)
		discover_props(fd, k->cursor, DRM_MODE_OBJECT_PLANE);
	k->present = k->primary && k->nmodes;
out:
	drmModeFreeResources(res);
	close(fd);
}

static void add_debugfs_dir(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) && fz_cfg.ndebugfs < FZ_MAX_DEBUGFS) {
		char path[sizeof(fz_cfg.debugfs[0].path)];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode) && depth < 3) {
			add_debugfs_dir(path, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			struct fz_debugfs *e = &fz_cfg.debugfs[fz_cfg.ndebugfs++];

			snprintf(e->path, sizeof(e->path), "%s", path);
			e->writable = st.st_mode & S_IWUSR;
		}
	}
	closedir(d);
}

/* /sys/kernel/debug/dri/<minor> of our nodes, and nothing else. */
void fz_discover_debugfs(void)
{
	char seen[2 * FZ_MAX_DEVS][PATH_MAX];
	int nseen = 0, i, k, node;

	if (access("/sys/kernel/debug/dri", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	for (i = 0; i < fz_cfg.ndevs; i++) {
		for (node = 0; node < 2; node++) {
			const char *dev = node ? fz_cfg.devs[i].render : fz_cfg.devs[i].card;
			char dir[64], real[PATH_MAX];
			struct stat st;

			if (!*dev || stat(dev, &st))
				continue;
			snprintf(dir, sizeof(dir), "/sys/kernel/debug/dri/%u", minor(st.st_rdev));
			/* 6.12: the minor is a link to dri/<device name>. */
			if (!realpath(dir, real))
				continue;
			for (k = 0; k < nseen; k++)
				if (!strcmp(seen[k], real))
					break;
			if (k < nseen)
				continue;
			snprintf(seen[nseen++], PATH_MAX, "%s", real);
			add_debugfs_dir(real, 0);
			if (!fz_cfg.devs[i].kms && strlen(real) < sizeof(fz_cfg.devs[i].engine) - 16)
				snprintf(fz_cfg.devs[i].engine, sizeof(fz_cfg.devs[i].engine),
					 "%s/vrender_engine", real);
		}
	}
}
