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
 * /sys/kernel/debug/dri/<minor>/vdisplay_frame gives the frame scanned out
 * at the first vblank after the file is opened: a &struct
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
static int vdisplay_capture_wait(struct vdisplay_device *vd)
{
	struct drm_crtc *crtc = &vd->crtc;
	long left;
	u64 seq;

	if (drm_crtc_vblank_get(crtc))
		return 0;	/* CRTC off: take the last frame, if any. */

	seq = drm_crtc_vblank_count(crtc);
	spin_lock_irq(&vd->lock);
	vd->capture_waiters++;
	spin_unlock_irq(&vd->lock);

	left = wait_event_interruptible_timeout(vd->frame_wait,
						READ_ONCE(vd->frame.sequence) > seq,
						VDISPLAY_CAPTURE_TIMEOUT);

	spin_lock_irq(&vd->lock);
	vd->capture_waiters--;
	spin_unlock_irq(&vd->lock);
	drm_crtc_vblank_put(crtc);

	if (left < 0)
		return left;
	return left ? 0 : -ETIMEDOUT;
}

static int vdisplay_capture_open(struct inode *inode, struct file *file)
{
	struct vdisplay_device *vd = inode->i_private;
	struct vdisplay_frame *frame = &vd->frame;
	struct vdisplay_frame_header *hdr;
	struct vdisplay_capture *cap;
	size_t bytes;
	int ret;

	ret = vdisplay_capture_wait(vd);
	if (ret)
		return ret;

	mutex_lock(&vd->frame_lock);
	if (!frame->pixels) {
		ret = -ENODATA;
		goto out_unlock;
	}

	bytes = (size_t)frame->width * frame->height * 4;
	cap = kvmalloc(struct_size(cap, data, sizeof(*hdr) + bytes),
		       GFP_KERNEL);
	if (!cap) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	cap->size = sizeof(*hdr) + bytes;

	hdr = (struct vdisplay_frame_header *)cap->data;
	memset(hdr, 0, sizeof(*hdr));
	memcpy(hdr->magic, VDISPLAY_FRAME_MAGIC, sizeof(hdr->magic));
	hdr->width = frame->width;
	hdr->height = frame->height;
	hdr->format = DRM_FORMAT_XRGB8888;
	hdr->pitch = frame->width * 4;
	hdr->sequence = frame->sequence;
	hdr->crc = frame->crc;
	memcpy(cap->data + sizeof(*hdr), frame->pixels, bytes);
	file->private_data = cap;

out_unlock:
	mutex_unlock(&vd->frame_lock);
	return ret;
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
 * vdisplay_capture_debugfs_init - create the vdisplay_frame file
 * @vd: the device
 * @root: the DRM minor's debugfs directory
 */
void vdisplay_capture_debugfs_init(struct vdisplay_device *vd,
				   struct dentry *root)
{
	debugfs_create_file("vdisplay_frame", 0400, root, vd,
			    &vdisplay_capture_fops);
}
