// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay composer: blends the visible planes into an XRGB8888 frame.
 */

#include <linux/crc32.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_managed.h>
#include <drm/drm_rect.h>
#include <drm/drm_vblank.h>

#include "vdisplay_drv.h"

/**
 * DOC: composer
 *
 * Nothing reads the planes unless someone looks: at a vblank, if the "auto"
 * CRC source is on or a frame capture is waiting, the vblank timer queues
 * &vdisplay_device.compose_work on an ordered workqueue. The work composes
 * the state handed over by the CRTC's last atomic_flush
 * (&vdisplay_device.active): a black background, then each visible plane,
 * bottom to top, blended with premultiplied alpha. The result is an
 * XRGB8888 frame of the mode's size (the X byte is 0xff) kept in
 * &vdisplay_device.frame with its CRC32, which is reported as the CRC of
 * every vblank since the previous composition (so a late work still gives
 * one CRC per frame, as IGT expects). Equal pictures give equal CRCs,
 * whatever the framebuffer format or the exporter of the buffer.
 *
 * Planes are read through the kernel mappings made by prepare_fb, row by
 * row into a line buffer (iosys_map_memcpy_from(), so I/O memory would
 * work as well). No lock of the buffers is taken: the mappings stay valid
 * until the commit that replaces the state flushes the work
 * (vdisplay_compose_flush()) and cleans up the planes.
 *
 * Locking: &vdisplay_device.lock (a spinlock, taken in the timer's hard
 * interrupt) guards the hand-over; &vdisplay_device.frame_lock (a mutex)
 * guards the frame against capture readers.
 */

/* x / 255, rounded, for x <= 255 * 255. */
static inline u32 div255(u32 x)
{
	x += 128;
	return (x + (x >> 8)) >> 8;
}

static inline u32 swap_rb(u32 p)
{
	return (p & 0xff00ff00) | ((p >> 16) & 0xff) | ((p & 0xff) << 16);
}

static inline u32 rgb565_to_argb(u16 p)
{
	u32 r = (p >> 11) & 0x1f, g = (p >> 5) & 0x3f, b = p & 0x1f;

	r = (r << 3) | (r >> 2);
	g = (g << 2) | (g >> 4);
	b = (b << 3) | (b >> 2);
	return 0xff000000 | r << 16 | g << 8 | b;
}

/* Turn a raw line of @format in place into premultiplied ARGB8888. */
static void vdisplay_line_to_argb(u32 *line, unsigned int width, u32 format)
{
	const u16 *line16 = (const u16 *)line;
	unsigned int i;

	switch (format) {
	case DRM_FORMAT_XRGB8888:
		for (i = 0; i < width; i++)
			line[i] |= 0xff000000;
		break;
	case DRM_FORMAT_ARGB8888:
		break;
	case DRM_FORMAT_XBGR8888:
		for (i = 0; i < width; i++)
			line[i] = swap_rb(line[i]) | 0xff000000;
		break;
	case DRM_FORMAT_ABGR8888:
		for (i = 0; i < width; i++)
			line[i] = swap_rb(line[i]);
		break;
	case DRM_FORMAT_RGB565:
		/* Backwards: pixel i is read before its bytes are written. */
		for (i = width; i-- > 0;)
			line[i] = rgb565_to_argb(line16[i]);
		break;
	}
}

static inline u32 blend_pixel(u32 dst, u32 src)
{
	u32 a = src >> 24, inv = 255 - a, out = 0xff000000;
	unsigned int shift;

	if (a == 0xff)
		return src;

	for (shift = 0; shift < 24; shift += 8) {
		u32 c = ((src >> shift) & 0xff) +
			div255(((dst >> shift) & 0xff) * inv);

		out |= min(c, 255u) << shift;
	}
	return out;
}

static void vdisplay_compose_layer(struct vdisplay_device *vd,
				   struct drm_shadow_plane_state *sps)
{
	struct drm_plane_state *ps = &sps->base;
	struct drm_framebuffer *fb = ps->fb;
	struct vdisplay_frame *frame = &vd->frame;
	unsigned int cpp = fb->format->cpp[0];
	unsigned int width = drm_rect_width(&ps->dst);
	unsigned int height = drm_rect_height(&ps->dst);
	unsigned int src_x = ps->src.x1 >> 16, src_y = ps->src.y1 >> 16;
	unsigned int x, y;

	if (WARN_ON_ONCE(ps->dst.x1 < 0 || ps->dst.y1 < 0 ||
			 ps->dst.x2 > frame->width ||
			 ps->dst.y2 > frame->height ||
			 width > VDISPLAY_MAX_MODE_WIDTH))
		return;

	for (y = 0; y < height; y++) {
		u32 *out = frame->pixels + (ps->dst.y1 + y) * frame->width +
			   ps->dst.x1;
		/* data[0] already points at fb->offsets[0]. */
		size_t offset = (size_t)(src_y + y) * fb->pitches[0] +
				(size_t)src_x * cpp;

		iosys_map_memcpy_from(vd->line, &sps->data[0], offset,
				      (size_t)width * cpp);
		vdisplay_line_to_argb(vd->line, width, fb->format->format);
		for (x = 0; x < width; x++)
			out[x] = blend_pixel(out[x], vd->line[x]);
	}
}

/* Compose @state into &vdisplay_device.frame; frame_lock held. */
static int vdisplay_compose_frame(struct vdisplay_device *vd,
				  struct vdisplay_crtc_state *state)
{
	struct vdisplay_frame *frame = &vd->frame;
	u32 width = state->base.mode.hdisplay;
	u32 height = state->base.mode.vdisplay;
	size_t size = (size_t)width * height * 4;
	unsigned int i;

	if (!size)
		return -EINVAL;

	if (frame->alloc < size) {
		kvfree(frame->pixels);
		frame->alloc = 0;
		frame->pixels = kvmalloc(size, GFP_KERNEL);
		if (!frame->pixels)
			return -ENOMEM;
		frame->alloc = size;
	}
	frame->width = width;
	frame->height = height;

	memset32(frame->pixels, 0xff000000, (size_t)width * height);
	for (i = 0; i < state->num_layers; i++)
		vdisplay_compose_layer(vd, state->layers[i]);

	frame->crc = crc32_le(0, (const u8 *)frame->pixels, size);
	return 0;
}

static void vdisplay_compose_work(struct work_struct *work)
{
	struct vdisplay_device *vd =
		container_of(work, struct vdisplay_device, compose_work);
	struct vdisplay_crtc_state *state;
	u64 start, end;
	bool pending, crc;
	u32 crc32 = 0;
	int ret;

	spin_lock_irq(&vd->lock);
	state = vd->active;
	start = vd->frame_start;
	end = vd->frame_end;
	pending = vd->compose_pending;
	crc = vd->crc_enabled;
	vd->compose_pending = false;
	spin_unlock_irq(&vd->lock);

	if (!pending || !state)
		return;

	mutex_lock(&vd->frame_lock);
	ret = vdisplay_compose_frame(vd, state);
	if (!ret) {
		vd->frame.sequence = end;
		crc32 = vd->frame.crc;
	}
	mutex_unlock(&vd->frame_lock);
	wake_up_all(&vd->frame_wait);

	if (ret || !crc)
		return;
	for (; start <= end; start++)
		drm_crtc_add_crc_entry(&vd->crtc, true, start, &crc32);
}

/**
 * vdisplay_compose_vblank - queue a composition if anyone wants one
 * @vd: the device
 *
 * Called by the vblank timer, after the vblank was counted.
 */
void vdisplay_compose_vblank(struct vdisplay_device *vd)
{
	bool queue = false;

	spin_lock(&vd->lock);
	if (vd->active && (vd->crc_enabled || vd->capture_waiters)) {
		u64 frame = drm_crtc_vblank_count(&vd->crtc);

		/* A work not yet started covers the vblanks since then too. */
		if (!vd->compose_pending)
			vd->frame_start = frame;
		vd->frame_end = frame;
		vd->compose_pending = true;
		queue = true;
	}
	spin_unlock(&vd->lock);

	if (queue)
		queue_work(vd->compose_wq, &vd->compose_work);
}

/**
 * vdisplay_compose_set_active - hand the state being scanned out over
 * @vd: the device
 * @state: the CRTC state now scanned out, or NULL if the CRTC is off
 */
void vdisplay_compose_set_active(struct vdisplay_device *vd,
				 struct vdisplay_crtc_state *state)
{
	spin_lock_irq(&vd->lock);
	vd->active = state;
	spin_unlock_irq(&vd->lock);
}

/**
 * vdisplay_compose_flush - wait for a running composition
 * @vd: the device
 *
 * After this no composition reads a state older than the active one.
 */
void vdisplay_compose_flush(struct vdisplay_device *vd)
{
	flush_work(&vd->compose_work);
}

static void vdisplay_compose_fini(struct drm_device *drm, void *data)
{
	struct vdisplay_device *vd = data;

	destroy_workqueue(vd->compose_wq);
	kvfree(vd->frame.pixels);
	vd->frame.pixels = NULL;
	mutex_destroy(&vd->frame_lock);
}

/**
 * vdisplay_compose_init - set up the composer of a device
 * @vd: the device
 *
 * Torn down with the DRM device.
 *
 * Returns: 0 or a negative errno.
 */
int vdisplay_compose_init(struct vdisplay_device *vd)
{
	spin_lock_init(&vd->lock);
	mutex_init(&vd->frame_lock);
	init_waitqueue_head(&vd->frame_wait);
	INIT_WORK(&vd->compose_work, vdisplay_compose_work);

	vd->line = drmm_kmalloc(&vd->drm, VDISPLAY_MAX_MODE_WIDTH * sizeof(u32),
				GFP_KERNEL);
	if (!vd->line)
		return -ENOMEM;

	vd->compose_wq = alloc_ordered_workqueue("vdisplay_compose", 0);
	if (!vd->compose_wq) {
		mutex_destroy(&vd->frame_lock);
		return -ENOMEM;
	}
	return drmm_add_action_or_reset(&vd->drm, vdisplay_compose_fini, vd);
}
