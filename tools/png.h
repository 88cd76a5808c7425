// SPDX-License-Identifier: MIT
/*
 * PNG writer of the tools: zlib-compressed when built with HAVE_ZLIB,
 * stored deflate blocks otherwise. Dies on any error.
 */
#ifndef TOOLS_PNG_H
#define TOOLS_PNG_H

#include <stdint.h>

/* @width x @height XRGB8888 pixels, rows @pitch bytes apart, to @path. */
void write_png(const char *path, const uint32_t *pix, uint32_t width,
	       uint32_t height, uint32_t pitch);

#endif /* TOOLS_PNG_H */
