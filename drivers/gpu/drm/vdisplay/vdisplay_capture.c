// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdisplay frame capture: the last scanned-out frame through debugfs.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <drm/drm_fourcc.h>
#include <drm/drm_vblank.h>

#include <vprime/vdisplay_frame.h>

#include "vdisplay_drv.h"

/**
 * DOC: frame capture
 *
 * /sys/kernel/debug/dri/<minor>/crtc-N/vdisplay_frame gives the frame CRTC
 * N scanned out at the first vblank after the file is opened
 * (/sys/kernel/debug/dri/<minor>/vdisplay_frame is CRTC 0's): a &struct
 * vdisplay_frame_header (magic "VDFRAME1", width, height, format XRGB8888,
 * pitch, vblank sequence, CRC) followed by the pixels, height rows of pitch
 * bytes. The snapshot is taken at open, so one open reads one consistent
 * frame; the file can be read in any pieces and seeked.
 *
 * Open waits (interruptibly, at most a second) for a composition of a
 * vblank after the open, holding a vblank reference so the vblank timer
 * runs. If the CRTC is off, the last frame composed before gives the
 * content; if there is none, open fails with -ENODATA. tools/vdisplay-capture
 * writes the file to a PNG.
 */

#define VDISPLAY_CAPTURE_TIMEOUT	HZ

struct vdisplay_capture {
	size_t size;
	u8 data[];
};

/* Wait for a frame composed for a vblank after now. */
static int vdisplay_capture_wait(struct vdisplay_pipe *pipe)
{
	struct drm_crtc *crtc = &pipe->crtc;
	long left;
	u64 seq;

	if (drm_crtc_vblank_get(crtc))
		return 0;	/* CRTC off: take the last frame, if any. */

	seq = drm_crtc_vblank_count(crtc);
	spin_lock_irq(&pipe->lock);
	pipe->capture_waiters++;
	spin_unlock_irq(&pipe->lock);

	left = wait_event_interruptible_timeout(pipe->frame_wait,
						READ_ONCE(pipe->frame.sequence) > seq,
						VDISPLAY_CAPTURE_TIMEOUT);

	spin_lock_irq(&pipe->lock);
	pipe->capture_waiters--;
	spin_unlock_irq(&pipe->lock);
	drm_crtc_vblank_put(crtc);

	if (left < 0)
		return left;
	return left ? 0 : -ETIMEDOUT;
}

/* Bytes of the capture of the frame; frame_lock held. */
static size_t vdisplay_capture_size(const struct vdisplay_frame *frame)
{
	return sizeof(struct vdisplay_frame_header) +
	       (size_t)frame->width * frame->height * 4;
}

/* Copy the frame into @cap, of the right size; frame_lock held. */
static void vdisplay_capture_fill(struct vdisplay_capture *cap,
				  const struct vdisplay_frame *frame)
{
	struct vdisplay_frame_header *hdr = (void *)cap->data;

	memset(hdr, 0, sizeof(*hdr));
	memcpy(hdr->magic, VDISPLAY_FRAME_MAGIC, sizeof(hdr->magic));
	hdr->width = frame->width;
	hdr->height = frame->height;
	hdr->format = DRM_FORMAT_XRGB8888;
	hdr->pitch = frame->width * 4;
	hdr->sequence = frame->sequence;
	hdr->crc = frame->crc;
	memcpy(cap->data + sizeof(*hdr), frame->pixels,
	       cap->size - sizeof(*hdr));
}

/*
 * Snapshot the frame. The buffer is allocated without frame_lock (the
 * composer must never wait for memory reclaim), so retry if the frame's
 * size changed meanwhile.
 */
static struct vdisplay_capture *vdisplay_capture_take(struct vdisplay_pipe *pipe)
{
	struct vdisplay_frame *frame = &pipe->frame;
	struct vdisplay_capture *cap = NULL;
	size_t size;

	for (;;) {
		mutex_lock(&pipe->frame_lock);
		if (!frame->pixels) {
			mutex_unlock(&pipe->frame_lock);
			kvfree(cap);
			return ERR_PTR(-ENODATA);
		}
		size = vdisplay_capture_size(frame);
		if (cap && cap->size == size) {
			vdisplay_capture_fill(cap, frame);
			mutex_unlock(&pipe->frame_lock);
			return cap;
		}
		mutex_unlock(&pipe->frame_lock);

		kvfree(cap);
		cap = kvmalloc(struct_size(cap, data, size), GFP_KERNEL);
		if (!cap)
			return ERR_PTR(-ENOMEM);
		cap->size = size;
	}
}

static int vdisplay_capture_open(struct inode *inode, struct file *file)
{
	struct vdisplay_pipe *pipe = inode->i_private;
	struct vdisplay_capture *cap;
	int ret;

	ret = vdisplay_capture_wait(pipe);
	if (ret)
		return ret;
	cap = vdisplay_capture_take(pipe);
	if (IS_ERR(cap))
		return PTR_ERR(cap);
	file->private_data = cap;
	return 0;
}

static ssize_t vdisplay_capture_read(struct file *file, char __user *buf,
				     size_t count, loff_t *pos)
{
	struct vdisplay_capture *cap = file->private_data;

	return simple_read_from_buffer(buf, count, pos, cap->data, cap->size);
}

static int vdisplay_capture_release(struct inode *inode, struct file *file)
{
	kvfree(file->private_data);
	return 0;
}

static const struct file_operations vdisplay_capture_fops = {
	.owner = THIS_MODULE,
	.open = vdisplay_capture_open,
	.read = vdisplay_capture_read,
	.release = vdisplay_capture_release,
	.llseek = default_llseek,
};

/**
 * vdisplay_capture_debugfs_init - create the device's vdisplay_frame file
 * @vd: the device
 * @root: the DRM minor's debugfs directory
 *
 * The file captures CRTC 0.
 */
void vdisplay_capture_debugfs_init(struct vdisplay_device *vd,
				   struct dentry *root)
{
	debugfs_create_file("vdisplay_frame", 0400, root, &vd->pipes[0],
			    &vdisplay_capture_fops);
}

/**
 * vdisplay_capture_crtc_debugfs - &drm_crtc_funcs.late_register
 * @crtc: the CRTC
 *
 * Creates crtc-N/vdisplay_frame.
 *
 * Returns: 0.
 */
int vdisplay_capture_crtc_debugfs(struct drm_crtc *crtc)
{
	if (crtc->debugfs_entry)
		debugfs_create_file("vdisplay_frame", 0400, crtc->debugfs_entry,
				    crtc_to_pipe(crtc), &vdisplay_capture_fops);
	return 0;
}
