// SPDX-License-Identifier: MIT
/*
 * vrender device discovery and module parameters.
 */
#ifndef DRMTEST_H
#define DRMTEST_H

#include <stdbool.h>
#include <stddef.h>

#define VRENDER_PARAM_DIR	"/sys/module/vrender/parameters"

/*
 * IGT's device opening (lib/drmtest.h in igt-gpu-tools): the first DRM
 * card whose driver (DRM_IOCTL_VERSION) is in @chipset, skipping the test
 * if there is none (__drm_open_driver() returns -1 instead). DRIVER_VGEM is
 * stock vgem, or vrender.0 loaded with vgem_compat=1 (it reports "vgem").
 * DRIVER_VKMS, DRIVER_VRENDER and DRIVER_VDISPLAY are vprime's additions.
 */
#define DRIVER_VGEM		(1 << 2)
#define DRIVER_VKMS		(1 << 24)
#define DRIVER_VRENDER		(1 << 25)
#define DRIVER_VDISPLAY		(1 << 26)
#define DRIVER_ANY		~(DRIVER_VGEM)

int __drm_open_driver(int chipset);
int drm_open_driver(int chipset);
int drm_open_driver_render(int chipset);
int drm_open_driver_master(int chipset);

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
