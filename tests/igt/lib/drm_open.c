// SPDX-License-Identifier: MIT
/*
 * Open DRM devices by driver name; see drm_open.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>

#include "drm_open.h"
#include "drmtest.h"
#include "igt_core.h"

#define SYSFS_DRM	"/sys/class/drm"

/* Is the parent device of card @n called @name or @name.<i>? */
static int parent_is(int n, const char *name)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	size_t len = strlen(name);
	ssize_t ret;

	snprintf(path, sizeof(path), SYSFS_DRM "/card%d/device", n);
	ret = readlink(path, link, sizeof(link) - 1);
	if (ret < 0)
		return 0;
	link[ret] = '\0';
	base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	return !strncmp(base, name, len) && (!base[len] || base[len] == '.');
}

/* DRM_IOCTL_VERSION's driver name of card @n into @buf; false if none. */
static bool card_driver(int n, char *buf, size_t len)
{
	char path[64];
	drmVersionPtr v;
	int fd;

	snprintf(path, sizeof(path), "/dev/dri/card%d", n);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	v = drmGetVersion(fd);
	if (v)
		snprintf(buf, len, "%s", v->name);
	drmFreeVersion(v);
	close(fd);
	return v != NULL;
}

/* Does DRM_IOCTL_VERSION of card @n say @name? */
static int version_is(int n, const char *name)
{
	char driver[64];

	return card_driver(n, driver, sizeof(driver)) && !strcmp(driver, name);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int drm_card_of_driver(const char *name, int nth)
{
	int cards[64], count = 0, found = 0;
	struct dirent *de;
	DIR *dir;

	dir = opendir(SYSFS_DRM);
	if (!dir)
		return -1;
	while ((de = readdir(dir)) && count < (int)ARRAY_SIZE(cards)) {
		char *end;
		long n;

		if (strncmp(de->d_name, "card", 4))
			continue;
		n = strtol(de->d_name + 4, &end, 10);
		if (end == de->d_name + 4 || *end || n < 0 || n > INT_MAX)
			continue;
		cards[count++] = n;
	}
	closedir(dir);
	qsort(cards, count, sizeof(cards[0]), cmp_int);
	for (int i = 0; i < count; i++) {
		if (!parent_is(cards[i], name) || !version_is(cards[i], name))
			continue;
		if (found++ == nth)
			return cards[i];
	}
	return -1;
}

int __drm_open_driver_name(const char *name, int nth)
{
	int card = drm_card_of_driver(name, nth);
	char path[64];

	if (card < 0)
		return -1;
	snprintf(path, sizeof(path), "/dev/dri/card%d", card);
	return open(path, O_RDWR | O_CLOEXEC);
}

int drm_open_driver_name(const char *name, int nth)
{
	int fd = __drm_open_driver_name(name, nth);

	igt_require_f(fd >= 0, "needs DRM device %d of driver %s\n", nth, name);
	return fd;
}

int igt_driver_option(int argc, char **argv, const char *fallback,
		      const char **driver)
{
	const char *env = getenv("IGT_DRIVER");
	int out = 1;

	*driver = env && *env ? env : fallback;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--driver") && i + 1 < argc) {
			*driver = argv[++i];
			continue;
		}
		if (!strncmp(argv[i], "--driver=", 9)) {
			*driver = argv[i] + 9;
			continue;
		}
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

/* The drivers a DRIVER_* bit stands for. */
static const struct {
	int bit;
	const char *name;
} chipsets[] = {
	{ DRIVER_VGEM, "vgem" },
	{ DRIVER_VKMS, "vkms" },
	{ DRIVER_VRENDER, "vrender" },
	{ DRIVER_VDISPLAY, "vdisplay" },
};

static bool in_chipset(int chipset, const char *name)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(chipsets); i++)
		if ((chipset & chipsets[i].bit) &&
		    !strcmp(chipsets[i].name, name))
			return true;
	return false;
}

/* N of the first /dev/dri/cardN whose driver is in @chipset, or -1. */
static int card_of_chipset(int chipset)
{
	char driver[64];

	for (int n = 0; n < 64; n++)
		if (card_driver(n, driver, sizeof(driver)) &&
		    in_chipset(chipset, driver))
			return n;
	return -1;
}

int __drm_open_driver(int chipset)
{
	int card = card_of_chipset(chipset);
	char path[64];

	if (card < 0)
		return -1;
	snprintf(path, sizeof(path), "/dev/dri/card%d", card);
	return open(path, O_RDWR | O_CLOEXEC);
}

int drm_open_driver(int chipset)
{
	int fd = __drm_open_driver(chipset);

	igt_require_f(fd >= 0, "no DRM device for chipset 0x%x\n", chipset);
	return fd;
}

int drm_open_driver_render(int chipset)
{
	int card = card_of_chipset(chipset), fd = -1;
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	igt_require_f(card >= 0, "no DRM device for chipset 0x%x\n", chipset);
	snprintf(path, sizeof(path), SYSFS_DRM "/card%d/device/drm", card);
	dir = opendir(path);
	while (dir && fd < 0 && (de = readdir(dir))) {
		if (strncmp(de->d_name, "renderD", 7))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
	}
	if (dir)
		closedir(dir);
	igt_require_f(fd >= 0, "card%d has no render node\n", card);
	return fd;
}

int drm_open_driver_master(int chipset)
{
	int fd = drm_open_driver(chipset);

	igt_require_f(drmSetMaster(fd) == 0, "cannot be DRM master: %s\n",
		      strerror(errno));
	return fd;
}
