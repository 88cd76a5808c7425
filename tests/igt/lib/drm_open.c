// SPDX-License-Identifier: MIT
/*
 * Open DRM devices by driver name; see drm_open.h.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>

#include "drm_open.h"
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

/* Does DRM_IOCTL_VERSION of card @n say @name? */
static int version_is(int n, const char *name)
{
	char path[64];
	drmVersionPtr v;
	int fd, ret;

	snprintf(path, sizeof(path), "/dev/dri/card%d", n);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	v = drmGetVersion(fd);
	ret = v && !strcmp(v->name, name);
	drmFreeVersion(v);
	close(fd);
	return ret;
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

int __drm_open_driver(const char *name, int nth)
{
	int card = drm_card_of_driver(name, nth);
	char path[64];

	if (card < 0)
		return -1;
	snprintf(path, sizeof(path), "/dev/dri/card%d", card);
	return open(path, O_RDWR | O_CLOEXEC);
}

int drm_open_driver(const char *name, int nth)
{
	int fd = __drm_open_driver(name, nth);

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
