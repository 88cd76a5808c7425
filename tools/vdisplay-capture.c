// SPDX-License-Identifier: MIT
/*
 * vdisplay-capture: write the frame vdisplay scans out (debugfs
 * vdisplay_frame, or a saved copy of it) to a PNG file.
 *
 *   vdisplay-capture [-i FRAME_FILE] [-q] [-o OUT.png]
 *
 * Without -i, the vdisplay_frame file of the first DRM device named
 * "vdisplay" under /sys/kernel/debug/dri is read (root, debugfs mounted).
 * Prints "WIDTHxHEIGHT seq N crc XXXXXXXX colours N" unless -q. With zlib
 * (HAVE_ZLIB) the image data is compressed; without it, it is written in
 * stored deflate blocks with this file's own CRC32 and Adler-32.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "png.h"
#include <vprime/vdisplay_frame.h>

#define DEBUGFS_DRI	"/sys/kernel/debug/dri"

static const char *prog = "vdisplay-capture";

/* Path of the vdisplay_frame file of the vdisplay DRM device. */
static char *find_frame_file(void)
{
	static char path[512];
	struct dirent *de;
	DIR *dir = opendir(DEBUGFS_DRI);

	if (!dir)
		die("cannot open " DEBUGFS_DRI " (not root? debugfs not mounted?)");
	while ((de = readdir(dir))) {
		char name[64] = "";
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), DEBUGFS_DRI "/%s/name", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(name, sizeof(name), f))
			name[0] = '\0';
		fclose(f);
		if (!strncmp(name, "vdisplay ", 9)) {
			snprintf(path, sizeof(path),
				 DEBUGFS_DRI "/%s/vdisplay_frame", de->d_name);
			closedir(dir);
			return path;
		}
	}
	closedir(dir);
	errno = 0;
	die("no vdisplay device under " DEBUGFS_DRI);
}

static unsigned int count_colours(const uint32_t *pix, size_t n)
{
	uint32_t seen[256];
	unsigned int count = 0, j;
	size_t i;

	for (i = 0; i < n && count < 256; i++) {
		for (j = 0; j < count; j++)
			if (seen[j] == pix[i])
				break;
		if (j == count)
			seen[count++] = pix[i];
	}
	return count;
}

int main(int argc, char **argv)
{
	const char *in = NULL, *out = "frame.png";
	struct vdisplay_frame_header hdr;
	bool quiet = false;
	uint32_t *pix, crc;
	size_t size;
	FILE *f;
	int opt;

	while ((opt = getopt(argc, argv, "i:o:qh")) != -1) {
		switch (opt) {
		case 'i':
			in = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-i FRAME_FILE] [-q] [-o OUT.png]\n",
				prog);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!in)
		in = find_frame_file();

	f = fopen(in, "rb");
	if (!f)
		die("cannot open %s", in);
	if (fread(&hdr, sizeof(hdr), 1, f) != 1)
		die("%s: short header", in);
	if (memcmp(hdr.magic, VDISPLAY_FRAME_MAGIC, sizeof(hdr.magic)) ||
	    hdr.format != 0x34325258 /* XR24 */ || hdr.pitch < hdr.width * 4) {
		errno = 0;
		die("%s: not a vdisplay XRGB8888 frame", in);
	}
	size = (size_t)hdr.pitch * hdr.height;
	pix = malloc(size ? size : 1);
	if (!pix)
		die("out of memory");
	if (size && fread(pix, size, 1, f) != 1)
		die("%s: short frame", in);
	fclose(f);

	crc32_init();
	crc = crc32_update(0, pix, size);
	if (crc != hdr.crc)
		fprintf(stderr, "%s: warning: CRC %08x, header says %08x\n",
			prog, crc, hdr.crc);
	write_png(out, pix, hdr.width, hdr.height, hdr.pitch);
	if (!quiet)
		printf("%ux%u seq %llu crc %08x colours %u%s -> %s\n", hdr.width,
		       hdr.height, (unsigned long long)hdr.sequence, hdr.crc,
		       count_colours(pix, (size_t)hdr.width * hdr.height),
		       count_colours(pix, (size_t)hdr.width * hdr.height) >= 256 ?
		       "+" : "", out);
	free(pix);
	return 0;
}
