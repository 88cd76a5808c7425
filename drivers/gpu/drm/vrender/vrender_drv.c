// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vrender: N virtual render devices over the primegem helpers.
 */

#include <linux/debugfs.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_prime.h>

#include <uapi/drm/vrender_drm.h>

#include "vrender_drv.h"

#define VRENDER_MAX_DEVICES	16

static unsigned int vrender_num_devices = 2;
module_param_named(devices, vrender_num_devices, uint, 0444);
MODULE_PARM_DESC(devices, "Number of devices (1-16, default 2)");

static bool vrender_vgem_compat;
module_param_named(vgem_compat, vrender_vgem_compat, bool, 0444);
MODULE_PARM_DESC(vgem_compat, "Device 0 reports the driver name \"vgem\"");

/**
 * DOC: timeouts
 *
 * Two timeouts bound what userspace can make a device wait for, each per
 * device, in milliseconds:
 *
 * - the fence timeout: a FENCE_ATTACH fence signals by itself after it
 *   (see "vgem-compatible fences"), read when the fence is attached;
 * - the job timeout: a job waits at most this long for all its
 *   dependencies together, then fails with -ETIMEDOUT (see "dependencies"),
 *   read when the scheduler starts waiting for the job.
 *
 * The module parameters ``fence_timeout_ms`` (default 10000) and
 * ``job_timeout_ms`` (default 20000) are read-only: they are the values a
 * device starts with, clamped to %VRENDER_MIN_TIMEOUT_MS ..
 * %VRENDER_MAX_TIMEOUT_MS. At run time each device has its own, in its
 * debugfs directory: ``vrender_fence_timeout_ms`` and
 * ``vrender_job_timeout_ms`` show and set them; a value outside the bounds
 * (or not a number) fails with -EINVAL and changes nothing. A change
 * applies to the fences and jobs that read the value afterwards.
 */

static unsigned int vrender_fence_timeout_ms = 10000;
module_param_named(fence_timeout_ms, vrender_fence_timeout_ms, uint, 0444);
MODULE_PARM_DESC(fence_timeout_ms,
		 "Fences from FENCE_ATTACH signal by themselves after this, for new devices (default 10000, 1 to 600000; per device: debugfs vrender_fence_timeout_ms)");

static unsigned int vrender_job_timeout_ms = 20000;
module_param_named(job_timeout_ms, vrender_job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms,
		 "Longest wait of a job for all its dependencies, for new devices (default 20000, 1 to 600000; per device: debugfs vrender_job_timeout_ms)");

static struct vrender_device *vrender_devices[VRENDER_MAX_DEVICES];

static unsigned int vrender_timeout_clamp(unsigned int ms)
{
	return clamp(ms, (unsigned int)VRENDER_MIN_TIMEOUT_MS,
		     (unsigned int)VRENDER_MAX_TIMEOUT_MS);
}

/* debugfs: a timeout of the device, bounded. */
static int vrender_timeout_get(void *data, u64 *val)
{
	*val = READ_ONCE(*(unsigned int *)data);
	return 0;
}

static int vrender_timeout_set(void *data, u64 val)
{
	if (val < VRENDER_MIN_TIMEOUT_MS || val > VRENDER_MAX_TIMEOUT_MS)
		return -EINVAL;
	WRITE_ONCE(*(unsigned int *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(vrender_timeout_fops, vrender_timeout_get,
			 vrender_timeout_set, "%llu\n");

/**
 * vrender_timeouts_debugfs_init - add the device's timeout knobs
 * @vdev: the device
 * @root: its debugfs directory
 */
void vrender_timeouts_debugfs_init(struct vrender_device *vdev,
				   struct dentry *root)
{
	debugfs_create_file_unsafe("vrender_fence_timeout_ms", 0644, root,
				   &vdev->fence_timeout_ms,
				   &vrender_timeout_fops);
	debugfs_create_file_unsafe("vrender_job_timeout_ms", 0644, root,
				   &vdev->engine.job_timeout_ms,
				   &vrender_timeout_fops);
}

static int vrender_open(struct drm_device *drm, struct drm_file *file)
{
	struct vrender_file *vfile;

	vfile = kzalloc(sizeof(*vfile), GFP_KERNEL);
	if (!vfile)
		return -ENOMEM;
	vfile->client = vrender_client_create(&to_vrender(drm)->engine);
	if (!vfile->client) {
		kfree(vfile);
		return -ENOMEM;
	}

	vrender_fence_file_init(vfile);
	file->driver_priv = vfile;
	return 0;
}

static void vrender_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct vrender_file *vfile = file->driver_priv;

	vrender_fence_file_fini(vfile);
	vrender_client_put(vfile->client);
	kfree(vfile);
}

static const struct drm_ioctl_desc vrender_ioctls[] = {
	DRM_IOCTL_DEF_DRV(VRENDER_FENCE_ATTACH, vrender_fence_attach_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VRENDER_FENCE_SIGNAL, vrender_fence_signal_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VRENDER_GEM_INFO, vrender_gem_info_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VRENDER_GEM_CREATE, vrender_gem_create_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VRENDER_SUBMIT, vrender_submit_ioctl,
			  DRM_RENDER_ALLOW),
};

DEFINE_PRIMEGEM_FOPS(vrender_fops);

static const struct drm_driver vrender_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.open = vrender_open,
	.postclose = vrender_postclose,
	.ioctls = vrender_ioctls,
	.num_ioctls = ARRAY_SIZE(vrender_ioctls),
	.fops = &vrender_fops,

	.dumb_create = vrender_dumb_create,
	.dumb_map_offset = primegem_dumb_map_offset,
	.prime_handle_to_fd = drm_gem_prime_handle_to_fd,
	.prime_fd_to_handle = drm_gem_prime_fd_to_handle,
	.gem_prime_import = vrender_gem_prime_import,
	.debugfs_init = vrender_debugfs_init,

	.name = "vrender",
	.desc = "Virtual render device with PRIME buffer sharing",
	.date = "20261121",
	.major = 1,
	.minor = 0,
};

/* The same driver under vgem's name, for device 0 with vgem_compat=1. */
static struct drm_driver vrender_vgem_driver;

static struct vrender_device *vrender_device_create(unsigned int index)
{
	const struct drm_driver *driver = &vrender_driver;
	struct platform_device *pdev;
	struct vrender_device *vdev;
	int ret;

	if (index == 0 && vrender_vgem_compat)
		driver = &vrender_vgem_driver;

	pdev = primegem_platform_register("vrender", index);
	if (IS_ERR(pdev))
		return ERR_CAST(pdev);

	vdev = devm_drm_dev_alloc(&pdev->dev, driver, struct vrender_device,
				  drm);
	if (IS_ERR(vdev)) {
		ret = PTR_ERR(vdev);
		goto err_unregister_platform;
	}
	vdev->platform = pdev;
	vdev->fence_timeout_ms = vrender_timeout_clamp(vrender_fence_timeout_ms);

	ret = primegem_device_init(&vdev->pg, &vdev->drm, &pdev->dev);
	if (ret)
		goto err_unregister_platform;

	ret = vrender_engine_init(&vdev->engine, dev_name(&pdev->dev),
				  &pdev->dev);
	if (ret)
		goto err_unregister_platform;
	vdev->engine.job_timeout_ms =
		vrender_timeout_clamp(vrender_job_timeout_ms);

	ret = drm_dev_register(&vdev->drm, 0);
	if (ret)
		goto err_engine_fini;
	return vdev;

err_engine_fini:
	vrender_engine_fini(&vdev->engine);
err_unregister_platform:
	primegem_platform_unregister(pdev);
	return ERR_PTR(ret);
}

static void vrender_device_destroy(struct vrender_device *vdev)
{
	struct platform_device *pdev = vdev->platform;

	drm_dev_unregister(&vdev->drm);
	/* Jobs outlive files: let them finish before the device goes. */
	vrender_engine_fini(&vdev->engine);
	primegem_platform_unregister(pdev);
}

static void vrender_destroy_all(void)
{
	int i;

	for (i = VRENDER_MAX_DEVICES - 1; i >= 0; i--) {
		if (vrender_devices[i])
			vrender_device_destroy(vrender_devices[i]);
		vrender_devices[i] = NULL;
	}
}

static int __init vrender_init(void)
{
	unsigned int i;

	if (!vrender_num_devices || vrender_num_devices > VRENDER_MAX_DEVICES)
		return -EINVAL;

	vrender_vgem_driver = vrender_driver;
	vrender_vgem_driver.name = "vgem";

	for (i = 0; i < vrender_num_devices; i++) {
		struct vrender_device *vdev = vrender_device_create(i);

		if (IS_ERR(vdev)) {
			vrender_destroy_all();
			return PTR_ERR(vdev);
		}
		vrender_devices[i] = vdev;
	}
	return 0;
}

static void __exit vrender_exit(void)
{
	vrender_destroy_all();
}

module_init(vrender_init);
module_exit(vrender_exit);

MODULE_DESCRIPTION("Virtual render devices sharing buffers through PRIME");
MODULE_LICENSE("Dual MIT/GPL");
