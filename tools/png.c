// SPDX-License-Identifier: MIT
/*
 * PNG files of XRGB8888 pixels, for the tools (vdisplay-capture's frames,
 * bench-plot's charts); see png.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#include "common.h"
#include "png.h"

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

void write_png(const char *path, const uint32_t *pix, uint32_t width,
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
	crc32_init();
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
