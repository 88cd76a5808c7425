/* SPDX-License-Identifier: MIT */
/*
 * vdisplay: the layout of the frame capture file in debugfs.
 */
#ifndef __VDISPLAY_DRM_H__
#define __VDISPLAY_DRM_H__

#include <linux/types.h>

#define VDISPLAY_FRAME_MAGIC	"VDFRAME1"

/**
 * struct vdisplay_frame_header - header of /sys/kernel/debug/dri/N/vdisplay_frame
 * @magic: %VDISPLAY_FRAME_MAGIC, not NUL-terminated.
 * @width: frame width in pixels.
 * @height: frame height in pixels.
 * @format: DRM fourcc of the pixels that follow: always XRGB8888.
 * @pitch: bytes per row of pixels (width * 4).
 * @sequence: vblank count of the vblank the frame was composed for.
 * @crc: the CRC of the frame, as the "auto" CRC source reports it.
 * @pad: zero.
 *
 * All fields are in the host's byte order. @height rows of @pitch bytes
 * follow the header.
 */
struct vdisplay_frame_header {
	char magic[8];
	__u32 width;
	__u32 height;
	__u32 format;
	__u32 pitch;
	__u64 sequence;
	__u32 crc;
	__u32 pad;
};

#endif /* __VDISPLAY_DRM_H__ */
