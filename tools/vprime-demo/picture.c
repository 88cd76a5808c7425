// SPDX-License-Identifier: MIT
/*
 * vprime-demo: the picture each frame must show (a background of bands
 * whose hue walks, a rainbow-striped sprite bouncing over it), drawn here
 * by the CPU to know its CRC, and the CRC-32 that vdisplay reports.
 */
#include <string.h>

#include "demo.h"

/* Fully saturated hue h (0..359) at value v (0..255), as 0xffRRGGBB. */
static uint32_t hue(unsigned int h, unsigned int v)
{
	unsigned int sector = (h % 360) / 60, f = (h % 60) * 255 / 60;
	unsigned int up = f * v / 255, down = (255 - f) * v / 255;
	unsigned int r, g, b;

	switch (sector) {
	case 0: r = v; g = up; b = 0; break;
	case 1: r = down; g = v; b = 0; break;
	case 2: r = 0; g = v; b = up; break;
	case 3: r = 0; g = down; b = v; break;
	case 4: r = up; g = 0; b = v; break;
	default: r = v; g = 0; b = down; break;
	}
	return 0xff000000u | r << 16 | g << 8 | b;
}

/* Background band @b of frame @f: the hue walks, the bands darken. */
uint32_t band_colour(unsigned int f, unsigned int b)
{
	return hue(f * 3 + b * 6, 200 - b * 18);
}

/* Sprite stripe @s of frame @f: a rainbow scrolling through the block. */
uint32_t stripe_colour(unsigned int f, unsigned int s)
{
	return hue(s * 45 + f * 15 + 180, 255);
}

/* Triangle wave: bounces between 0 and @range at @speed per frame. */
static uint32_t bounce(unsigned int f, unsigned int speed, uint32_t range,
		       uint32_t phase)
{
	uint64_t t = ((uint64_t)f * speed + phase) % (2 * (uint64_t)range);

	return range ? (t <= range ? t : 2 * range - t) : 0;
}

void sprite_pos(const struct geom *g, unsigned int f, uint32_t *x,
		uint32_t *y)
{
	*x = bounce(f, 11, g->width - g->sw, g->width / 3);
	*y = bounce(f, 7, g->height - g->sh, g->height / 5);
}

/* Rows [begin, end) of band @b (or of stripe @b for the sprite). */
void split(uint32_t rows, unsigned int n, unsigned int b, uint32_t *begin,
	   uint32_t *end)
{
	*begin = rows * b / n;
	*end = rows * (b + 1) / n;
}

/* What frame @f must look like: the same operations, done by the CPU. */
void expected_picture(const struct geom *g, unsigned int f, uint32_t *pix)
{
	uint32_t x0, y0, x, y, b0, b1;
	unsigned int b;

	for (b = 0; b < NBANDS; b++) {
		split(g->height, NBANDS, b, &b0, &b1);
		for (y = b0; y < b1; y++)
			for (x = 0; x < g->width; x++)
				pix[(size_t)y * g->width + x] = band_colour(f, b);
	}
	sprite_pos(g, f, &x0, &y0);
	for (b = 0; b < NSTRIPES; b++) {
		split(g->sh, NSTRIPES, b, &b0, &b1);
		for (y = b0; y < b1; y++)
			for (x = 0; x < g->sw; x++)
				pix[(size_t)(y0 + y) * g->width + x0 + x] =
					stripe_colour(f, b);
	}
}

/* CRC-32 as vdisplay reports it: crc32_le seeded with 0, no inversion. */
