/* SPDX-License-Identifier: MIT */
/*
 * vdisplay: the layout of the frame capture file in debugfs.
 *
 * Not UAPI: debugfs is a debugging interface whose files may change with
 * the driver. vdisplay.ko, its tests and tools/ share this header; a
 * program that wants the screen without debugfs uses the writeback
 * connector (DRM's standard interface) instead.
 */
#ifndef __VPRIME_VDISPLAY_FRAME_H__
#define __VPRIME_VDISPLAY_FRAME_H__

#include <linux/types.h>

#define VDISPLAY_FRAME_MAGIC	"VDFRAME1"

/**
 * struct vdisplay_frame_header - header of the vdisplay_frame debugfs files
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

#endif /* __VPRIME_VDISPLAY_FRAME_H__ */
