// SPDX-License-Identifier: MIT
/*
 * Open DRM devices by driver name, for tests that run the same assertions
 * on several drivers (stock vgem, vkms, vrender), and pick the driver from
 * the command line.
 */
#ifndef DRM_OPEN_H
#define DRM_OPEN_H

/*
 * N of /dev/dri/cardN of the @nth device (from 0, in card order) of driver
 * @name, or -1. A device is @name's if DRM_IOCTL_VERSION says @name and its
 * parent device is called @name or @name.<i>: vrender with vgem_compat=1
 * calls its first device "vgem", but its parent is vrender.0.
 */
int drm_card_of_driver(const char *name, int nth);
/* Open that card node (read-write); -1 if there is no such device. */
int __drm_open_driver_name(const char *name, int nth);
/* The same, but skip the subtest if the device does not exist. */
int drm_open_driver_name(const char *name, int nth);

/*
 * Take "--driver NAME" (or "--driver=NAME") out of argv, before
 * igt_subtest_init() sees it. Without it the driver is $IGT_DRIVER, else
 * @fallback. Returns the new argc.
 */
int igt_driver_option(int argc, char **argv, const char *fallback,
		      const char **driver);

/*
 * igt_main for a binary that runs on the first device of --driver NAME:
 * sets @driver (a const char *) as igt_driver_option() does, then runs the
 * body.
 */
#define igt_main_driver(fallback, driver) \
	static void __igt_main_body(void); \
	int main(int argc, char **argv) \
	{ \
		argc = igt_driver_option(argc, argv, (fallback), &(driver)); \
		igt_subtest_init(argc, argv); \
		__igt_main_body(); \
		igt_exit(); \
	} \
	static void __igt_main_body(void)

#endif /* DRM_OPEN_H */
