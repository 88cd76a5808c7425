// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay: a virtual KMS display that scans out PRIME buffers, over the
 * primegem helpers.
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/platform_device.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_encoder.h>
#include <drm/drm_file.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_mode_config.h>
#include <drm/drm_plane.h>
#include <drm/drm_prime.h>
#include <drm/drm_vblank.h>

#include "vdisplay_drv.h"

/**
 * DOC: overview
 *
 * vdisplay is a KMS device without hardware: CRTCs with primary, overlay
 * and cursor planes, virtual encoders and connectors, and writeback
 * connectors. The module creates one device at load, on the platform
 * device "vdisplay.0", from its parameters; configfs creates more
 * ("vdisplay.1", ...; see vdisplay_configfs.c). Each has a primary DRM
 * node (no render node).
 *
 * Buffers are primegem objects: dumb buffers are created by
 * primegem_dumb_create() and dma-bufs of any exporter are imported by
 * primegem_prime_import(), so a buffer rendered by another device (vrender)
 * can be added as a framebuffer (AddFB2) and scanned out, and imported
 * buffers can be mapped through MAP_DUMB.
 *
 * Scanout is simulated: vblank interrupts come from an hrtimer at the mode's
 * refresh rate (vdisplay_crtc.c) and, when someone looks (the "auto" CRC
 * source, the frame capture file or a writeback job), the planes are
 * composed in software (vdisplay_compose.c).
 *
 * Atomic commits use the atomic helpers. Plane states are shadow-plane
 * states: prepare_fb collects the framebuffer's fences
 * (drm_gem_plane_helper_prepare_fb(): the writers of the buffer's
 * reservation object, unless an explicit IN_FENCE_FD was given, which then
 * overrides them as DRM's rules want) and maps the framebuffer into the
 * kernel (drm_gem_fb_vmap(), through dma_buf_vmap() on the exporter for
 * imported buffers). The helpers' commit work waits for these fences, so a
 * nonblocking flip waits for rendering without any help from userspace.
 */

static bool vdisplay_create_default_dev = true;
module_param_named(create_default_dev, vdisplay_create_default_dev, bool,
		   0444);
MODULE_PARM_DESC(create_default_dev,
		 "Create vdisplay.0 at load (default true)");

static unsigned int vdisplay_param_crtcs = 1;
module_param_named(crtcs, vdisplay_param_crtcs, uint, 0444);
MODULE_PARM_DESC(crtcs, "CRTCs of vdisplay.0, each with its planes and connector (1-8, default 1)");

static unsigned int vdisplay_param_overlays = 2;
module_param_named(overlays, vdisplay_param_overlays, uint, 0444);
MODULE_PARM_DESC(overlays, "Overlay planes per CRTC of vdisplay.0 (default 2)");

static bool vdisplay_param_cursor = true;
module_param_named(cursor, vdisplay_param_cursor, bool, 0444);
MODULE_PARM_DESC(cursor, "A cursor plane per CRTC of vdisplay.0 (default true)");

static bool vdisplay_param_writeback = true;
module_param_named(writeback, vdisplay_param_writeback, bool, 0444);
MODULE_PARM_DESC(writeback, "A writeback connector per CRTC of vdisplay.0 (default true)");

static struct vdisplay_device *vdisplay_dev;

static int vdisplay_dumb_create(struct drm_file *file, struct drm_device *drm,
				struct drm_mode_create_dumb *args)
{
	return primegem_dumb_create(&to_vdisplay(drm)->pg, file, args);
}

static struct drm_gem_object *
vdisplay_gem_prime_import(struct drm_device *drm, struct dma_buf *dma_buf)
{
	return primegem_prime_import(&to_vdisplay(drm)->pg, dma_buf);
}

static void vdisplay_debugfs_init(struct drm_minor *minor)
{
	struct vdisplay_device *vd = to_vdisplay(minor->dev);

	primegem_debugfs_init(&vd->pg, minor->debugfs_root);
	vdisplay_capture_debugfs_init(vd, minor->debugfs_root);
}

/**
 * vdisplay_commit_tail - &drm_mode_config_helper_funcs.atomic_commit_tail
 * @state: the atomic state being committed
 *
 * As drm_atomic_helper_commit_tail(), but waits for the flip to be done
 * rather than for a vblank with drm_atomic_helper_wait_for_vblanks(), whose
 * 100 ms timeout (a WARN) a busy or emulated host overruns with the vblank
 * timer.
 */
static void vdisplay_commit_tail(struct drm_atomic_state *state)
{
	struct drm_device *drm = state->dev;

	drm_atomic_helper_commit_modeset_disables(drm, state);
	drm_atomic_helper_commit_planes(drm, state, 0);
	drm_atomic_helper_commit_modeset_enables(drm, state);
	drm_atomic_helper_commit_hw_done(state);
	drm_atomic_helper_wait_for_flip_done(drm, state);
	drm_atomic_helper_cleanup_planes(drm, state);
}

/* -ENOENT unless every handle the format needs names a buffer. */
static int vdisplay_fb_lookup(struct drm_device *drm, struct drm_file *file,
			      const struct drm_mode_fb_cmd2 *mode_cmd)
{
	const struct drm_format_info *info = drm_get_format_info(drm, mode_cmd);
	struct drm_gem_object *obj;
	unsigned int i;

	for (i = 0; info && i < info->num_planes; i++) {
		obj = drm_gem_object_lookup(file, mode_cmd->handles[i]);
		if (!obj)
			return -ENOENT;
		drm_gem_object_put(obj);
	}
	return 0;
}

/*
 * Off the device's framebuffer list first, then drop the buffers: the
 * other way round (drm_gem_fb_destroy()) a listed framebuffer points at
 * freed buffers for a moment, and debugfs "framebuffer", which walks the
 * list under fb_lock, printed them after they were freed.
 */
static void vdisplay_fb_destroy(struct drm_framebuffer *fb)
{
	unsigned int i;

	drm_framebuffer_cleanup(fb);
	for (i = 0; i < fb->format->num_planes; i++)
		drm_gem_object_put(fb->obj[i]);
	kfree(fb);
}

static const struct drm_framebuffer_funcs vdisplay_fb_funcs = {
	.destroy = vdisplay_fb_destroy,
	.create_handle = drm_gem_fb_create_handle,
};

/*
 * Refuse at AddFB2 what no plane can scan out (6.1's core takes any
 * modifier, even DRM_FORMAT_MOD_INVALID), so userspace (kmscube, for one)
 * falls back to a framebuffer without modifiers. Unknown handles first, so
 * that they give the core's documented -ENOENT whatever else is wrong.
 * Packed YUV (YUYV, ...) needs an even width: the core's size checks cover
 * width * 2 bytes per line, and the last pixel's chroma lies beyond that.
 */
static struct drm_framebuffer *
vdisplay_fb_create(struct drm_device *drm, struct drm_file *file,
		   const struct drm_mode_fb_cmd2 *mode_cmd)
{
	const struct vdisplay_format *fmt;
	int ret;

	ret = vdisplay_fb_lookup(drm, file, mode_cmd);
	if (ret)
		return ERR_PTR(ret);
	if (!drm_any_plane_has_format(drm, mode_cmd->pixel_format,
				      mode_cmd->modifier[0]))
		return ERR_PTR(-EINVAL);
	fmt = vdisplay_format_get(mode_cmd->pixel_format);
	if (fmt && fmt->type == VDISPLAY_FMT_YUV_PACKED && mode_cmd->width % 2)
		return ERR_PTR(-EINVAL);
	return drm_gem_fb_create_with_funcs(drm, file, mode_cmd,
					    &vdisplay_fb_funcs);
}

static const struct drm_mode_config_funcs vdisplay_mode_config_funcs = {
	.fb_create = vdisplay_fb_create,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

static const struct drm_mode_config_helper_funcs vdisplay_mode_config_helpers = {
	.atomic_commit_tail = vdisplay_commit_tail,
};

DEFINE_PRIMEGEM_FOPS(vdisplay_fops);

static const struct drm_driver vdisplay_driver = {
	.driver_features = DRIVER_GEM | DRIVER_MODESET | DRIVER_ATOMIC |
			   DRIVER_SYNCOBJ | DRIVER_SYNCOBJ_TIMELINE,
	.fops = &vdisplay_fops,

	.dumb_create = vdisplay_dumb_create,
	.dumb_map_offset = primegem_dumb_map_offset,
	.prime_handle_to_fd = drm_gem_prime_handle_to_fd,
	.prime_fd_to_handle = drm_gem_prime_fd_to_handle,
	.gem_prime_import = vdisplay_gem_prime_import,
	.debugfs_init = vdisplay_debugfs_init,

	.name = "vdisplay",
	.desc = "Virtual display scanning out PRIME buffers",
	.date = "20261122",
	.major = 1,
	.minor = 0,
};

/*
 * Arrays of the mode objects, allocated before the mode configuration so
 * that drmm frees them after it is cleaned up.
 */
static int vdisplay_objects_alloc(struct vdisplay_device *vd)
{
	const struct vdisplay_topology *t = &vd->topology;

	vd->pipes = drmm_kcalloc(&vd->drm, t->num_crtcs, sizeof(*vd->pipes),
				 GFP_KERNEL);
	vd->planes = drmm_kcalloc(&vd->drm, max(t->num_planes, 1u),
				  sizeof(*vd->planes), GFP_KERNEL);
	vd->connectors = drmm_kcalloc(&vd->drm, max(t->num_connectors, 1u),
				      sizeof(*vd->connectors), GFP_KERNEL);
	if (!vd->pipes || !vd->planes || !vd->connectors)
		return -ENOMEM;
	return 0;
}

static void vdisplay_wq_fini(struct drm_device *drm, void *data)
{
	destroy_workqueue(data);
}

static int vdisplay_writebacks_init(struct vdisplay_device *vd)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vd->topology.num_crtcs; i++) {
		if (!vd->topology.writeback[i])
			continue;
		ret = vdisplay_writeback_init(&vd->pipes[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Every encoder may drive a CRTC together with any other: a writeback
 * connector takes a copy of what the CRTC's connectors show, and a CRTC may
 * drive several virtual connectors.
 */
static void vdisplay_encoders_clone(struct drm_device *drm)
{
	struct drm_encoder *encoder;
	u32 all = 0;

	drm_for_each_encoder(encoder, drm)
		all |= drm_encoder_mask(encoder);
	drm_for_each_encoder(encoder, drm)
		encoder->possible_clones = all;
}

static int vdisplay_modeset_init(struct vdisplay_device *vd)
{
	struct drm_device *drm = &vd->drm;
	int ret;

	ret = vdisplay_objects_alloc(vd);
	if (ret)
		return ret;
	vd->compose_wq = alloc_workqueue("vdisplay_compose", WQ_UNBOUND, 0);
	if (!vd->compose_wq)
		return -ENOMEM;
	ret = drmm_add_action_or_reset(drm, vdisplay_wq_fini, vd->compose_wq);
	if (ret)
		return ret;

	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;

	drm->mode_config.funcs = &vdisplay_mode_config_funcs;
	drm->mode_config.helper_private = &vdisplay_mode_config_helpers;
	drm->mode_config.min_width = 1;
	drm->mode_config.min_height = 1;
	drm->mode_config.max_width = VDISPLAY_MAX_FB_SIZE;
	drm->mode_config.max_height = VDISPLAY_MAX_FB_SIZE;
	drm->mode_config.cursor_width = VDISPLAY_CURSOR_SIZE;
	drm->mode_config.cursor_height = VDISPLAY_CURSOR_SIZE;
	drm->mode_config.preferred_depth = 24;
	drm->mode_config.prefer_shadow = 0;
	drm->mode_config.normalize_zpos = true;

	ret = vdisplay_planes_init(vd);
	if (ret)
		return ret;
	ret = vdisplay_crtcs_init(vd);
	if (ret)
		return ret;
	ret = vdisplay_outputs_init(vd);
	if (ret)
		return ret;
	ret = vdisplay_writebacks_init(vd);
	if (ret)
		return ret;
	vdisplay_encoders_clone(drm);
	ret = drm_vblank_init(drm, vd->topology.num_crtcs);
	if (ret)
		return ret;

	drm_mode_config_reset(drm);
	return 0;
}

/**
 * vdisplay_device_create - create and register a device
 * @id: instance number of its platform device "vdisplay.<id>"
 * @t: what it is made of, checked with vdisplay_topology_check()
 *
 * Returns: the device, or an ERR_PTR.
 */
struct vdisplay_device *vdisplay_device_create(int id,
					       const struct vdisplay_topology *t)
{
	struct platform_device *pdev;
	struct vdisplay_device *vd;
	int ret;

	ret = vdisplay_topology_check(t);
	if (ret)
		return ERR_PTR(ret);

	pdev = primegem_platform_register("vdisplay", id);
	if (IS_ERR(pdev))
		return ERR_CAST(pdev);

	vd = devm_drm_dev_alloc(&pdev->dev, &vdisplay_driver,
				struct vdisplay_device, drm);
	if (IS_ERR(vd)) {
		ret = PTR_ERR(vd);
		goto err_unregister_platform;
	}
	vd->platform = pdev;
	vd->topology = *t;

	ret = primegem_device_init(&vd->pg, &vd->drm, &pdev->dev);
	if (ret)
		goto err_unregister_platform;

	ret = vdisplay_modeset_init(vd);
	if (ret)
		goto err_unregister_platform;

	ret = drm_dev_register(&vd->drm, 0);
	if (ret)
		goto err_unregister_platform;
	return vd;

err_unregister_platform:
	primegem_platform_unregister(pdev);
	return ERR_PTR(ret);
}

/**
 * vdisplay_device_destroy - unplug and free a device
 * @vd: the device
 *
 * Files still open (configfs devices can be removed while they are) keep
 * the DRM device until closed; it is unplugged, so their ioctls fail with
 * -ENODEV, while their buffers and mappings stay valid.
 */
void vdisplay_device_destroy(struct vdisplay_device *vd)
{
	struct platform_device *pdev = vd->platform;

	drm_dev_unplug(&vd->drm);
	/* Turn the CRTCs off: stops the vblank timers, unmaps framebuffers. */
	drm_atomic_helper_shutdown(&vd->drm);
	primegem_platform_unregister(pdev);
}

static int __init vdisplay_init(void)
{
	struct vdisplay_topology *t;
	struct vdisplay_device *vd;
	int ret;

	ret = vdisplay_configfs_register();
	if (ret)
		return ret;
	if (!vdisplay_create_default_dev)
		return 0;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t) {
		ret = -ENOMEM;
		goto err_configfs;
	}
	ret = vdisplay_topology_default(t, vdisplay_param_crtcs,
					vdisplay_param_overlays,
					vdisplay_param_cursor,
					vdisplay_param_writeback);
	if (ret) {
		pr_err("vdisplay: crtcs=%u overlays=%u cursor=%d: at most %u CRTCs and %u planes\n",
		       vdisplay_param_crtcs, vdisplay_param_overlays,
		       vdisplay_param_cursor, VDISPLAY_MAX_CRTCS,
		       VDISPLAY_MAX_PLANES);
		kfree(t);
		goto err_configfs;
	}
	vd = vdisplay_device_create(0, t);
	kfree(t);
	if (IS_ERR(vd)) {
		ret = PTR_ERR(vd);
		goto err_configfs;
	}
	vdisplay_dev = vd;
	return 0;

err_configfs:
	vdisplay_configfs_unregister();
	return ret;
}

static void __exit vdisplay_exit(void)
{
	if (vdisplay_dev)
		vdisplay_device_destroy(vdisplay_dev);
	vdisplay_configfs_unregister();
}

module_init(vdisplay_init);
module_exit(vdisplay_exit);

MODULE_DESCRIPTION("Virtual display scanning out PRIME buffers");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_IMPORT_NS(DMA_BUF);
