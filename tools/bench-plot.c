// SPDX-License-Identifier: MIT
/*
 * bench-plot: the first-touch chart of make bench, as a PNG.
 *
 *   bench-plot IN.tsv OUT.png
 *
 * IN is prime_bench's --tsv output: a "# bytes<TAB>name..." header, then
 * one line per buffer size with the median MiB/s of each series. The chart
 * has buffer size on a log2 x axis (4 KiB .. 256 MiB) and MiB/s on a
 * linear y axis from 0, a grey grid line per power of two of size and per
 * 1000 MiB/s, and one coloured polyline per series, in the order of the
 * columns: blue, orange, green, red, purple, brown, pink, black (README
 * names them).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "png.h"

#define W		800
#define H		500
#define MARGIN		40
#define MAX_ROWS	32
#define MAX_SERIES	8

static const uint32_t colour[MAX_SERIES] = {
	0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b,
	0xe377c2, 0x000000,
};

static uint32_t pix[H][W];

static void plot(int x, int y, uint32_t c)
{
	for (int dy = -1; dy <= 1; dy++)
		for (int dx = -1; dx <= 1; dx++)
			if (x + dx >= 0 && x + dx < W && y + dy >= 0 &&
			    y + dy < H)
				pix[y + dy][x + dx] = c;
}

static void line(int x0, int y0, int x1, int y1, uint32_t c, int thick)
{
	int n = abs(x1 - x0) > abs(y1 - y0) ? abs(x1 - x0) : abs(y1 - y0);

	for (int i = 0; i <= n; i++) {
		int x = x0 + (n ? (x1 - x0) * i / n : 0);
		int y = y0 + (n ? (y1 - y0) * i / n : 0);

		if (thick)
			plot(x, y, c);
		else if (x >= 0 && x < W && y >= 0 && y < H)
			pix[y][x] = c;
	}
}

int main(int argc, char **argv)
{
	double bytes[MAX_ROWS], v[MAX_ROWS][MAX_SERIES], ymax = 1000;
	int rows = 0, series = 0;
	char buf[512];
	FILE *in;

	if (argc != 3)
		die("usage: bench-plot IN.tsv OUT.png");
	in = fopen(argv[1], "r");
	if (!in)
		die("cannot open %s", argv[1]);
	while (fgets(buf, sizeof(buf), in) && rows < MAX_ROWS) {
		char *p = buf, *end;
		int n = 0;

		if (buf[0] == '#')
			continue;
		bytes[rows] = strtod(p, &end);
		if (end == p)
			continue;
		for (p = end; n < MAX_SERIES; p = end) {
			double x = strtod(p, &end);

			if (end == p)
				break;
			v[rows][n++] = x;
			if (x > ymax)
				ymax = x;
		}
		series = n > series ? n : series;
		rows++;
	}
	fclose(in);
	if (!rows)
		die("%s: no data", argv[1]);
	ymax = ceil(ymax / 1000) * 1000;

	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			pix[y][x] = 0xffffff;
	/* x: log2(bytes) from 12 (4 KiB) to 28 (256 MiB). */
#define X(b)	(MARGIN + (int)((log2(b) - 12) * (W - 2 * MARGIN) / 16))
#define Y(m)	(H - MARGIN - (int)((m) * (H - 2 * MARGIN) / ymax))
	for (int e = 12; e <= 28; e++)
		line(X(pow(2, e)), MARGIN, X(pow(2, e)), H - MARGIN, 0xdddddd, 0);
	for (double m = 0; m <= ymax; m += 1000)
		line(MARGIN, Y(m), W - MARGIN, Y(m), 0xdddddd, 0);
	line(MARGIN, H - MARGIN, W - MARGIN, H - MARGIN, 0x000000, 0);
	line(MARGIN, MARGIN, MARGIN, H - MARGIN, 0x000000, 0);
	for (int s = 0; s < series; s++)
		for (int r = 0; r + 1 < rows; r++)
			line(X(bytes[r]), Y(v[r][s]), X(bytes[r + 1]),
			     Y(v[r + 1][s]), colour[s], 1);
	write_png(argv[2], &pix[0][0], W, H, W * sizeof(uint32_t));
	printf("bench-plot: %s: %d sizes, %d series, y up to %.0f MiB/s\n",
	       argv[2], rows, series, ymax);
	return 0;
}
