// SPDX-License-Identifier: MIT
/*
 * What the files of vprime-demo share: the run's records (options, frames,
 * captures, devices), the KMS and CRC state, and the functions one file
 * calls in another. What the program does is told at the head of main.c.
 */
#ifndef VPRIME_DEMO_H
#define VPRIME_DEMO_H

#include "../common.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <xf86drmMode.h>

#define MAX_RING	8
#define MAX_CAPTURES	16
#define KMSCUBE_CAPTURES 3
#define NSTRIPES	8	/* sprite stripes, one fill job each */
#define NBANDS		8	/* background bands, one fill job each */

/* main.c: time; errors come from ../common.h (die) */

#define check(cond, ...) do { if (!(cond)) die(__VA_ARGS__); } while (0)

int64_t now_ns(void);

/* The records of a run */

struct opts {
	unsigned int frames, ring, bg_us, sprite_us, kmscube_frames, timeout;
	bool crc;
	uint32_t sw, sh;
	unsigned int captures[MAX_CAPTURES], ncaptures;
	const char *outdir, *rawdir;
};

struct geom {
	uint32_t width, height, pitch;
	uint32_t sw, sh;		/* sprite size */
};

struct frame {
	uint32_t buf;			/* ring index */
	uint32_t x, y;			/* sprite position */
	uint32_t submit_seq;		/* last vblank before submit */
	uint32_t flip_seq;		/* vblank of the flip event */
	int64_t t_submit, t_sprite, t_render, t_flip;
	int render_fence, sprite_fence;
	bool shown, have_crc;
	uint32_t crc, expect;
	int crc_match;			/* 1 this frame, 0 none, -1 other frame's */
};

struct capture_rec {
	char name[32];
	unsigned int frame;		/* -1u for kmscube */
	uint64_t seq;
	uint32_t crc;
	unsigned int colours;
	int expected;			/* 1 equal to the expected picture, 0 not, -1 n/a */
};

struct run {
	struct geom g;
	char dev0_path[64], dev1_path[64], disp_path[64];
	int dev0, dev1, disp;
	uint32_t ring0[MAX_RING], ring_disp[MAX_RING], fbs[MAX_RING];
	uint32_t sprite1, sprite0;
	long long xwaits0[2], xwaits1[2];
	unsigned int ebusy, early;
	int64_t t_start, t_end;
	struct capture_rec cap[MAX_CAPTURES];
	unsigned int ncap;
	size_t crcs_read;
	double vrefresh;
};

struct kmscube_rec {
	bool ran;
	const char *skip;
	int status;
	double t_onscreen, t_run;
	size_t crcs, distinct;
	struct capture_rec cap[KMSCUBE_CAPTURES];
	unsigned int ncap;
	char dev[64];
};

/* One per frame of the animation (main.c). */
extern struct frame *frames;

/* devices.c: DRM nodes and their debugfs files */

int open_node(const char *prefix, const char *platdev, char *path,
	      size_t len);
int debugfs_open(int fd, const char *name, int flags);

/* picture.c: what each frame looks like, and its CRC */

uint32_t band_colour(unsigned int f, unsigned int b);
uint32_t stripe_colour(unsigned int f, unsigned int s);
void sprite_pos(const struct geom *g, unsigned int f, uint32_t *x,
		uint32_t *y);
void split(uint32_t rows, unsigned int n, unsigned int b, uint32_t *begin,
	   uint32_t *end);
void expected_picture(const struct geom *g, unsigned int f, uint32_t *pix);

/* render.c: vrender buffers, jobs and fences */

extern uint64_t jobs_submitted;

long long cross_device_waits(int fd);
int submit(int fd, uint32_t dst, uint64_t dst_offset, uint32_t src,
	   uint64_t src_offset, uint64_t size, uint32_t value,
	   uint32_t exec_us, bool out_fence);
int64_t fence_timestamp(int fence_fd, int *status);
bool fence_wait(int fence_fd, int timeout_ms);
void create_buffers(struct run *r, const struct opts *o);
void render(struct run *r, const struct opts *o, unsigned int n,
	    struct frame *f);

/* kms.c: vdisplay modesets, flips, events and pipe CRCs */

enum {
	P_CRTC_ACTIVE, P_CRTC_MODE_ID, P_CONN_CRTC_ID, P_FB_ID, P_CRTC_ID,
	P_SRC_X, P_SRC_Y, P_SRC_W, P_SRC_H, P_CRTC_X, P_CRTC_Y, P_CRTC_W,
	P_CRTC_H, P_NUM
};

struct kms {
	int fd;
	uint32_t crtc, conn, plane, mode_blob;
	drmModeModeInfo mode;
	uint32_t prop[P_NUM];
};

struct crc_log {
	int fd;
	size_t n, cap;
	uint32_t (*e)[2];	/* vblank, crc */
};

void kms_init(struct kms *k, int fd);
int kms_modeset(struct kms *k, uint32_t fb);
int kms_flip(struct kms *k, uint32_t fb, void *user_data);
uint32_t vblank_now(struct kms *k, int64_t *ts);
void wait_flip(struct kms *k, struct crc_log *c, struct frame *f);
bool scanning_out(int fd);
void crc_start(int drm_fd, struct crc_log *c);
bool crc_drain(struct crc_log *c);
void crc_stop(struct crc_log *c);
bool crc_at(const struct crc_log *c, uint32_t vblank, uint32_t *crc);

/* capture.c: frames saved from debugfs vdisplay_frame */

void capture_take(int drm_fd, const char *rawdir, struct capture_rec *cr);
void capture_drop(const char *rawdir, const struct capture_rec *cr);

/* kmscube.c: kmscube on the display, watched */

void kill_child(void);
void run_kmscube(struct run *r, const struct opts *o,
		 struct kmscube_rec *kc);

/* report.c: report.txt and report.json */

void report(FILE *out, bool json, const struct run *r, const struct opts *o,
	    const struct kmscube_rec *kc);
void write_report(const char *dir, const char *name, bool json,
		  const struct run *r, const struct opts *o,
		  const struct kmscube_rec *kc);

#endif /* VPRIME_DEMO_H */
