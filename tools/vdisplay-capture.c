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

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#include "common.h"
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

/* --- checksums ---------------------------------------------------------- */


#ifndef HAVE_ZLIB
static uint32_t adler32_update(uint32_t adler, const uint8_t *p, size_t len)
{
	uint32_t a = adler & 0xffff, b = adler >> 16;

	while (len) {
		size_t n = len < 5552 ? len : 5552;

		len -= n;
		while (n--) {
			a += *p++;
			b += a;
		}
		a %= 65521;
		b %= 65521;
	}
	return b << 16 | a;
}

/* A zlib stream of stored (uncompressed) deflate blocks. */
static uint8_t *zlib_store(const uint8_t *in, size_t len, size_t *out_len)
{
	size_t blocks = len / 65535 + 1, i, pos = 0;
	uint8_t *out = malloc(2 + blocks * 5 + len + 4), *o = out;
	uint32_t adler = adler32_update(1, in, len);

	if (!out)
		die("out of memory");
	*o++ = 0x78;
	*o++ = 0x01;
	for (i = 0; i < blocks; i++) {
		size_t n = len - pos < 65535 ? len - pos : 65535;

		*o++ = i == blocks - 1;	/* BFINAL, BTYPE 00 */
		*o++ = n & 0xff;
		*o++ = n >> 8;
		*o++ = ~n & 0xff;
		*o++ = (~n >> 8) & 0xff;
		memcpy(o, in + pos, n);
		o += n;
		pos += n;
	}
	*o++ = adler >> 24;
	*o++ = adler >> 16;
	*o++ = adler >> 8;
	*o++ = adler;
	*out_len = o - out;
	return out;
}
#endif

/* --- PNG ---------------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void chunk(FILE *f, const char *type, const uint8_t *data, size_t len)
{
	uint8_t hdr[8], crc[4];
	uint32_t c;

	put32(hdr, len);
	memcpy(hdr + 4, type, 4);
	c = crc32_update(0xffffffffu, hdr + 4, 4);
	c = crc32_update(c, data, len) ^ 0xffffffffu;
	put32(crc, c);
	if (fwrite(hdr, 8, 1, f) != 1 || (len && fwrite(data, len, 1, f) != 1) ||
	    fwrite(crc, 4, 1, f) != 1)
		die("write");
}

static void write_png(const char *path, const uint32_t *pix, uint32_t width,
		      uint32_t height, uint32_t pitch)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
					'\n' };
	size_t row = 1 + (size_t)width * 3, raw_len = row * height, z_len;
	uint8_t ihdr[13], *raw = malloc(raw_len ? raw_len : 1), *z;
	uint32_t x, y;
	FILE *f;

	if (!raw)
		die("out of memory");
	for (y = 0; y < height; y++) {
		const uint32_t *src = (const uint32_t *)((const char *)pix +
							 (size_t)y * pitch);
		uint8_t *dst = raw + y * row;

		*dst++ = 0;	/* filter: none */
		for (x = 0; x < width; x++) {
			*dst++ = src[x] >> 16;
			*dst++ = src[x] >> 8;
			*dst++ = src[x];
		}
	}

#ifdef HAVE_ZLIB
	{
		uLongf bound = compressBound(raw_len);

		z = malloc(bound);
		if (!z || compress2(z, &bound, raw, raw_len, 6) != Z_OK)
			die("zlib compress2 failed");
		z_len = bound;
	}
#else
	z = zlib_store(raw, raw_len, &z_len);
#endif

	put32(ihdr, width);
	put32(ihdr + 4, height);
	ihdr[8] = 8;	/* bit depth */
	ihdr[9] = 2;	/* colour type: RGB */
	ihdr[10] = 0;
	ihdr[11] = 0;
	ihdr[12] = 0;

	f = fopen(path, "wb");
	if (!f)
		die("cannot create %s", path);
	if (fwrite(sig, sizeof(sig), 1, f) != 1)
		die("write %s", path);
	chunk(f, "IHDR", ihdr, sizeof(ihdr));
	chunk(f, "IDAT", z, z_len);
	chunk(f, "IEND", NULL, 0);
	if (fclose(f))
		die("write %s", path);
	free(z);
	free(raw);
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
