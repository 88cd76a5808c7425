// SPDX-License-Identifier: MIT
/*
 * vprime-demo: captures. The frame vdisplay composes at the next vblank,
 * read from debugfs vdisplay_frame and saved as RAWDIR/NAME.vdframe in the
 * same format, for vdisplay-capture -i to turn into a PNG.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"
#include <vprime/vdisplay_frame.h>

/* The frame composed at the next vblank: its header, and its pixels. */
static uint32_t *read_frame(int drm_fd, struct vdisplay_frame_header *hdr,
			    size_t *size)
{
	size_t got = 0;
	uint32_t *pix;
	ssize_t len;
	int in;

	in = debugfs_open(drm_fd, "vdisplay_frame", O_RDONLY);
	check(in >= 0, "open vdisplay_frame");
	check(read(in, hdr, sizeof(*hdr)) == sizeof(*hdr) &&
	      !memcmp(hdr->magic, VDISPLAY_FRAME_MAGIC, 8), "vdisplay_frame header");
	*size = (size_t)hdr->pitch * hdr->height;
	pix = malloc(*size ? *size : 1);
	check(pix, "out of memory");
	while (got < *size) {
		len = read(in, (char *)pix + got, *size - got);
		check(len > 0, "short vdisplay_frame");
		got += len;
	}
	close(in);
	return pix;
}

/* Distinct colours of every third pixel, at most 64 counted. */
static unsigned int count_colours(const uint32_t *pix, size_t size)
{
	uint32_t seen[64];
	unsigned int n = 0, j;
	size_t i;

	for (i = 0; i < size / 4 && n < 64; i += 3) {
		for (j = 0; j < n; j++)
			if (seen[j] == pix[i])
				break;
		if (j == n)
			seen[n++] = pix[i];
	}
	return n;
}

/*
 * The frame composed at the next vblank, saved as @path (vdisplay_frame's
 * format). Returns the header's CRC; *colours gets the distinct colours
 * (at most 64 counted).
 */
static uint32_t capture(int drm_fd, const char *path, uint64_t *seq,
			unsigned int *colours)
{
	struct vdisplay_frame_header hdr;
	size_t size;
	uint32_t *pix = read_frame(drm_fd, &hdr, &size);
	int out;

	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	check(out >= 0, "create %s", path);
	check(write(out, &hdr, sizeof(hdr)) == sizeof(hdr) &&
	      write(out, pix, size) == (ssize_t)size, "write %s", path);
	check(close(out) == 0, "write %s", path);

	*colours = count_colours(pix, size);
	free(pix);
	*seq = hdr.sequence;
	return hdr.crc;
}

/* Capture the next composed frame as RAWDIR/@cr->name.vdframe. */
void capture_take(int drm_fd, const char *rawdir, struct capture_rec *cr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s.vdframe", rawdir, cr->name);
	cr->crc = capture(drm_fd, path, &cr->seq, &cr->colours);
}

/* Remove the file of an unwanted capture. */
void capture_drop(const char *rawdir, const struct capture_rec *cr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s.vdframe", rawdir, cr->name);
	unlink(path);
}
