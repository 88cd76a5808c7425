// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay composer: blends the visible planes of a CRTC into a frame, for
 * CRCs, capture and writeback.
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
 * &vdisplay_pipe.compose_work. The work composes the state handed over by
 * the CRTC's last atomic_flush (&vdisplay_pipe.active) line by line: a
 * black background, then each visible plane, bottom to top (see "pixel
 * formats" and "blending and colour"), then the colour pipeline. The
 * result is an XRGB8888 frame of the mode's size (the X byte is 0xff) kept
 * in &vdisplay_pipe.frame with its CRC32, which is reported as the CRC of
 * every vblank since the previous composition (so a late work still gives
 * one CRC per frame, as IGT expects). Equal pictures give equal CRCs,
 * whatever the framebuffer format or the exporter of the buffer.
 *
 * A writeback job is composed in the commit that queues it, from that
 * commit's state, straight into the writeback buffer
 * (vdisplay_compose_writeback()); its fence signals when it is written.
 *
 * Planes are read through the kernel mappings made by prepare_fb. No lock
 * of the buffers is taken: the mappings stay valid until the commit that
 * replaces the state flushes the work (vdisplay_compose_flush()) and
 * cleans up the planes.
 *
 * Locking: &vdisplay_pipe.lock (a spinlock, taken in the timer's hard
 * interrupt) guards the hand-over; &vdisplay_pipe.frame_lock (a mutex)
 * guards the frame against capture readers; &vdisplay_pipe.compose_lock
 * the line buffers, and nothing is allocated under it (writeback composes
 * in a commit, where that could deadlock on memory reclaim).
 */

/* Compose line @y of @state, @width pixels, into lines->out. */
static void vdisplay_compose_line(const struct vdisplay_crtc_state *state,
				  int y, unsigned int width,
				  struct vdisplay_lines *lines)
{
	const struct vdisplay_layer *layer = state->layers;
	static const struct vdisplay_px black = { .a = 0xffff };
	unsigned int i;

	/* An opaque bottom layer over the whole line hides the background. */
	if (!state->num_layers || !layer->opaque || layer->dst.x1 ||
	    layer->dst.x2 != width || y < layer->dst.y1 || y >= layer->dst.y2)
		for (i = 0; i < width; i++)
			lines->out[i] = black;

	for (i = 0; i < state->num_layers; i++, layer++)
		if (y >= layer->dst.y1 && y < layer->dst.y2)
			vdisplay_layer_line(layer, y - layer->dst.y1, lines);

	vdisplay_color_line(&state->color, lines->out, width);
}

/* The frame can hold @size bytes; frame_lock held. */
static int vdisplay_frame_reserve(struct vdisplay_frame *frame, size_t size)
{
	if (frame->alloc >= size)
		return 0;
	kvfree(frame->pixels);
	frame->alloc = 0;
	frame->pixels = kvmalloc(size, GFP_KERNEL);
	if (!frame->pixels)
		return -ENOMEM;
	frame->alloc = size;
	return 0;
}

/* Compose @state into &vdisplay_pipe.frame; frame_lock held. */
static int vdisplay_compose_frame(struct vdisplay_pipe *pipe,
				  struct vdisplay_crtc_state *state)
{
	struct vdisplay_frame *frame = &pipe->frame;
	u32 width = state->base.mode.hdisplay;
	u32 height = state->base.mode.vdisplay;
	size_t size = (size_t)width * height * 4;
	unsigned int y;
	int ret;

	if (!size || WARN_ON_ONCE(width > VDISPLAY_MAX_MODE_WIDTH))
		return -EINVAL;
	ret = vdisplay_frame_reserve(frame, size);
	if (ret)
		return ret;
	frame->width = width;
	frame->height = height;

	mutex_lock(&pipe->compose_lock);
	for (y = 0; y < height; y++) {
		vdisplay_compose_line(state, y, width, &pipe->lines);
		vdisplay_line_to_xrgb8888(pipe->lines.out,
					  frame->pixels + (size_t)y * width,
					  width);
	}
	mutex_unlock(&pipe->compose_lock);

	frame->crc = crc32_le(0, (const u8 *)frame->pixels, size);
	return 0;
}

/**
 * vdisplay_compose_writeback - compose a state into a writeback buffer
 * @pipe: the CRTC
 * @state: its state, with mapped planes
 * @wb: the writeback buffer, of the mode's size
 *
 * Called in the commit that queues the writeback job.
 */
void vdisplay_compose_writeback(struct vdisplay_pipe *pipe,
				struct vdisplay_crtc_state *state,
				const struct vdisplay_wb_target *wb)
{
	u32 width = state->base.mode.hdisplay;
	u32 height = state->base.mode.vdisplay;
	size_t bytes = (size_t)width * wb->fmt->cpp;
	struct iosys_map map = wb->data[0];
	unsigned int y;

	if (WARN_ON_ONCE(width > VDISPLAY_MAX_MODE_WIDTH))
		return;

	mutex_lock(&pipe->compose_lock);
	for (y = 0; y < height; y++) {
		vdisplay_compose_line(state, y, width, &pipe->lines);
		wb->fmt->encode(pipe->lines.out, pipe->lines.wb, width);
		iosys_map_memcpy_to(&map, (size_t)y * wb->pitch,
				    pipe->lines.wb, bytes);
	}
	mutex_unlock(&pipe->compose_lock);
}

static void vdisplay_compose_work(struct work_struct *work)
{
	struct vdisplay_pipe *pipe =
		container_of(work, struct vdisplay_pipe, compose_work);
	struct vdisplay_crtc_state *state;
	u64 start, end;
	bool pending, crc;
	u32 crc32 = 0;
	int ret;

	spin_lock_irq(&pipe->lock);
	state = pipe->active;
	start = pipe->frame_start;
	end = pipe->frame_end;
	pending = pipe->compose_pending;
	crc = pipe->crc_enabled;
	pipe->compose_pending = false;
	spin_unlock_irq(&pipe->lock);

	if (!pending || !state)
		return;

	mutex_lock(&pipe->frame_lock);
	ret = vdisplay_compose_frame(pipe, state);
	if (!ret) {
		pipe->frame.sequence = end;
		crc32 = pipe->frame.crc;
	}
	mutex_unlock(&pipe->frame_lock);
	wake_up_all(&pipe->frame_wait);

	if (ret || !crc)
		return;
	for (; start <= end; start++)
		drm_crtc_add_crc_entry(&pipe->crtc, true, start, &crc32);
}

/**
 * vdisplay_compose_vblank - queue a composition if anyone wants one
 * @pipe: the CRTC
 *
 * Called by the vblank timer, after the vblank was counted.
 */
void vdisplay_compose_vblank(struct vdisplay_pipe *pipe)
{
	bool queue = false;

	spin_lock(&pipe->lock);
	if (pipe->active && (pipe->crc_enabled || pipe->capture_waiters)) {
		u64 frame = drm_crtc_vblank_count(&pipe->crtc);

		/* A work not yet started covers the vblanks since then too. */
		if (!pipe->compose_pending)
			pipe->frame_start = frame;
		pipe->frame_end = frame;
		pipe->compose_pending = true;
		queue = true;
	}
	spin_unlock(&pipe->lock);

	if (queue)
		queue_work(pipe->vd->compose_wq, &pipe->compose_work);
}

/**
 * vdisplay_compose_set_active - hand the state being scanned out over
 * @pipe: the CRTC
 * @state: the CRTC state now scanned out, or NULL if the CRTC is off
 */
void vdisplay_compose_set_active(struct vdisplay_pipe *pipe,
				 struct vdisplay_crtc_state *state)
{
	spin_lock_irq(&pipe->lock);
	pipe->active = state;
	spin_unlock_irq(&pipe->lock);
}

/**
 * vdisplay_compose_flush - wait for a running composition
 * @pipe: the CRTC
 *
 * After this no composition reads a state older than the active one.
 */
void vdisplay_compose_flush(struct vdisplay_pipe *pipe)
{
	flush_work(&pipe->compose_work);
}

static void vdisplay_compose_fini(struct drm_device *drm, void *data)
{
	struct vdisplay_pipe *pipe = data;
	unsigned int i;

	cancel_work_sync(&pipe->compose_work);
	kvfree(pipe->frame.pixels);
	pipe->frame.pixels = NULL;
	kvfree(pipe->lines.out);
	kvfree(pipe->lines.stage);
	kvfree(pipe->lines.wb);
	for (i = 0; i < ARRAY_SIZE(pipe->lines.raw); i++)
		kvfree(pipe->lines.raw[i]);
	mutex_destroy(&pipe->compose_lock);
	mutex_destroy(&pipe->frame_lock);
}

static int vdisplay_lines_alloc(struct vdisplay_lines *lines)
{
	const size_t line = VDISPLAY_MAX_MODE_WIDTH * sizeof(struct vdisplay_px);
	unsigned int i;

	lines->out = kvmalloc(line, GFP_KERNEL);
	lines->stage = kvmalloc(line, GFP_KERNEL);
	lines->wb = kvmalloc(line, GFP_KERNEL);
	for (i = 0; i < ARRAY_SIZE(lines->raw); i++)
		lines->raw[i] = kvmalloc(VDISPLAY_RAW_LINE_BYTES, GFP_KERNEL);
	if (!lines->out || !lines->stage || !lines->wb || !lines->raw[0] ||
	    !lines->raw[1] || !lines->raw[2])
		return -ENOMEM;
	return 0;
}

/**
 * vdisplay_compose_init - set up the composer of a CRTC
 * @pipe: the CRTC, with &vdisplay_pipe.vd set
 *
 * Torn down with the DRM device.
 *
 * Returns: 0 or a negative errno.
 */
int vdisplay_compose_init(struct vdisplay_pipe *pipe)
{
	int ret;

	spin_lock_init(&pipe->lock);
	mutex_init(&pipe->compose_lock);
	mutex_init(&pipe->frame_lock);
	init_waitqueue_head(&pipe->frame_wait);
	INIT_WORK(&pipe->compose_work, vdisplay_compose_work);

	ret = drmm_add_action_or_reset(&pipe->vd->drm, vdisplay_compose_fini,
				       pipe);
	if (ret)
		return ret;
	return vdisplay_lines_alloc(&pipe->lines);
}
