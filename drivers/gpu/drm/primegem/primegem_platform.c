// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * primegem platform devices: a parent for virtual DRM devices.
 */

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/platform_device.h>

#include "primegem_internal.h"

/**
 * DOC: virtual devices
 *
 * A driver without hardware (vrender, vdisplay) still needs a struct device
 * to hang its DRM device on, and primegem needs it DMA-capable: imported
 * dma-bufs are attached to it and their scatterlists mapped for it.
 * primegem_platform_register() registers a platform device for that, with
 * a 64-bit DMA mask and an open devres group, so that devm_drm_dev_alloc()
 * and friends can be released with primegem_platform_unregister() without
 * a platform driver.
 */

/**
 * primegem_platform_register - register a parent for a virtual DRM device
 * @name: platform device name
 * @id: instance number, or PLATFORM_DEVID_NONE
 *
 * Returns: the platform device, with a devres group open, or an ERR_PTR.
 */
struct platform_device *primegem_platform_register(const char *name, int id)
{
	struct platform_device *pdev;
	int ret;

	pdev = platform_device_register_simple(name, id, NULL, 0);
	if (IS_ERR(pdev))
		return pdev;

	if (!devres_open_group(&pdev->dev, NULL, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto err_unregister;
	}
	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_release_group;
	return pdev;

err_release_group:
	devres_release_group(&pdev->dev, NULL);
err_unregister:
	platform_device_unregister(pdev);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(primegem_platform_register);

/**
 * primegem_platform_unregister - release what hangs on the device, and it
 * @pdev: a device from primegem_platform_register()
 *
 * Releases the devres group (a devm_drm_dev_alloc() device goes with it),
 * then unregisters the platform device.
 */
void primegem_platform_unregister(struct platform_device *pdev)
{
	devres_release_group(&pdev->dev, NULL);
	platform_device_unregister(pdev);
}
EXPORT_SYMBOL_GPL(primegem_platform_unregister);
