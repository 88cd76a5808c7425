// SPDX-License-Identifier: MIT
/*
 * vprime-demo: finding the DRM nodes of the vrender and vdisplay platform
 * devices, and opening their debugfs files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "demo.h"

#define SYSFS_DRM	"/sys/class/drm"
#define DEBUGFS_DRI	"/sys/kernel/debug/dri"

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

int open_node(const char *prefix, const char *platdev, char *path,
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

int debugfs_open(int fd, const char *name, int flags)
{
	char path[128];

	snprintf(path, sizeof(path), DEBUGFS_DRI "/%u/%s", node_minor(fd), name);
	return open(path, flags | O_CLOEXEC);
}
