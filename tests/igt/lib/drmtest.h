// SPDX-License-Identifier: MIT
/*
 * vrender device discovery and module parameters.
 */
#ifndef DRMTEST_H
#define DRMTEST_H

#include <stdbool.h>
#include <stddef.h>

#define VRENDER_PARAM_DIR	"/sys/module/vrender/parameters"

/* Number of DRM cards whose parent is a vrender.<i> platform device. */
int vrender_count(void);
/* N of /dev/dri/cardN for device vrender.<i>, or -1. */
int vrender_card(int i);
/* Open card / render node of vrender.<i>; skip if it does not exist. */
int vrender_open(int i);
int vrender_open_render(int i);
/* Open the same DRM node as @fd again. */
int drm_reopen(int fd);

unsigned int drm_minor(int fd);
/* Driver name from DRM_IOCTL_VERSION, into @buf. */
const char *drm_driver_name(int fd, char *buf, size_t len);
/* "vgem" for device 0 with vgem_compat=1, else "vrender". */
const char *vrender_expected_name(int i);

/* Module parameters under /sys/module/<mod>/parameters. */
bool module_loaded(const char *mod);
bool module_param_read(const char *mod, const char *name,
		       char *buf, size_t len);
long module_param_int(const char *mod, const char *name);
int __module_param_write(const char *mod, const char *name, const char *val);

#endif /* DRMTEST_H */
