// SPDX-License-Identifier: MIT
/*
 * vprime-demo: the cross-device display pipeline that `make demo` runs in
 * the guest (vrender loaded with devices=2, and vdisplay).
 *
 *   vprime-demo [-n FRAMES] [-r RING] [-e BG_US] [-E SPRITE_US]
 *               [-s WxH] [-c LIST] [-C] [-k KMSCUBE_FRAMES] [-t SECS]
 *               [-o OUTDIR] [-R RAWDIR]
 *
 * Defaults: 120 frames, a ring of 3, 6000 us simulated on vrender.0 and
 * 4000 us on vrender.1 per frame, a 128x128 sprite, 4 frames captured,
 * kmscube for 120 frames (timeout 240 s), OUTDIR ".", RAWDIR OUTDIR.
 * -C: no CRCs. Under TCG, composing each frame for its CRC keeps a vCPU
 * busy, which shows in the timing figures; -C gives them without that.
 *
 * Each frame: vrender.1 renders a sprite (horizontal stripe fills) into its
 * own buffer, which vrender.0 imported once; vrender.0 renders the frame
 * into one of a ring of buffers (band fills for a background whose colour
 * changes per frame, then one copy job per sprite row to a moving position).
 * Right after submitting, with no wait on any job, the program queues a
 * nonblocking atomic flip of that buffer's framebuffer on vdisplay: the
 * kernel holds the flip until the buffer's implicit fences (the jobs, and
 * through the sprite's reservation the other device's jobs) signal.
 * Pacing is by flip events only.
 *
 * Measured per frame: the vblank at submit (the target is the next one),
 * the vblank and time of the flip event, the completion times of the two
 * devices' last jobs (SYNC_IOC_FILE_INFO on their out sync_files), the
 * pipe CRC at the flip's vblank (crtc-0/crc/data) and the CRC of the
 * picture the frame should show, computed here. Frames listed with -c are
 * captured (debugfs vdisplay_frame) to RAWDIR/frame-NNN.vdframe, for
 * vdisplay-capture -i to turn into PNG.
 *
 * Then the program lets go of the display (CRTC off, FBs removed, master
 * dropped) and runs kmscube on it (-k 0 skips this), capturing a few frames
 * to RAWDIR/kmscube-N.vdframe and counting its distinct CRCs.
 *
 * Writes OUTDIR/report.txt and OUTDIR/report.json; prints the report.
 * Needs root (debugfs). Exit status 0 if every frame was shown and kmscube
 * (if run) exited 0, else 1.
 *
 * This file: options, the frame loop, the check of each frame's CRC. The
 * others: render.c (vrender buffers and jobs), kms.c (vdisplay modeset,
 * flips, events, pipe CRCs), picture.c (the expected picture, CRC-32),
 * capture.c, kmscube.c, report.c, devices.c (DRM nodes, debugfs); demo.h
 * has what they share.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "demo.h"

static const char *prog = "vprime-demo";

struct frame *frames;

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* --- options ---------------------------------------------------------------- */

static void usage(int status)
{
	fprintf(stderr,
		"usage: %s [-n FRAMES] [-r RING] [-e BG_US] [-E SPRITE_US] [-s WxH]\n"
		"       [-c F1,F2,...] [-C] [-k KMSCUBE_FRAMES] [-t SECS] [-o OUTDIR] [-R RAWDIR]\n",
		prog);
	exit(status);
}

static void parse_captures(struct opts *o, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;

	check(copy, "out of memory");
	o->ncaptures = 0;
	for (tok = strtok_r(copy, ",", &save); tok && o->ncaptures < MAX_CAPTURES;
	     tok = strtok_r(NULL, ",", &save))
		o->captures[o->ncaptures++] = strtoul(tok, NULL, 10);
	free(copy);
}

static bool is_capture(const struct opts *o, unsigned int f)
{
	unsigned int i;

	for (i = 0; i < o->ncaptures; i++)
		if (o->captures[i] == f)
			return true;
	return false;
}

static void parse_opts(struct opts *o, int argc, char **argv)
{
	bool captures_set = false;
	unsigned int i;
	int opt;

	while ((opt = getopt(argc, argv, "n:r:e:E:s:c:Ck:t:o:R:h")) != -1) {
		switch (opt) {
		case 'n': o->frames = strtoul(optarg, NULL, 10); break;
		case 'r': o->ring = strtoul(optarg, NULL, 10); break;
		case 'e': o->bg_us = strtoul(optarg, NULL, 10); break;
		case 'E': o->sprite_us = strtoul(optarg, NULL, 10); break;
		case 's':
			if (sscanf(optarg, "%ux%u", &o->sw, &o->sh) != 2)
				usage(2);
			break;
		case 'c': parse_captures(o, optarg); captures_set = true; break;
		case 'C': o->crc = false; break;
		case 'k': o->kmscube_frames = strtoul(optarg, NULL, 10); break;
		case 't': o->timeout = strtoul(optarg, NULL, 10); break;
		case 'o': o->outdir = optarg; break;
		case 'R': o->rawdir = optarg; break;
		default: usage(opt == 'h' ? 0 : 2);
		}
	}
	if (optind != argc || !o->frames || o->ring < 2 || o->ring > MAX_RING ||
	    !o->sw || !o->sh)
		usage(2);
	if (!o->rawdir)
		o->rawdir = o->outdir;
	if (!captures_set) {
		/* Four frames spread over the run. */
		for (i = 0; i < 4; i++)
			o->captures[i] = o->frames * (2 * i + 1) / 8;
		o->ncaptures = 4;
	}
}

/* --- the demo ---------------------------------------------------------------- */

/* The devices, the display's mode, the buffers. */
static void setup(struct run *r, const struct opts *o, struct kms *k)
{
	struct geom *g = &r->g;

	r->dev0 = open_node("renderD", "vrender.0", r->dev0_path,
			    sizeof(r->dev0_path));
	r->dev1 = open_node("renderD", "vrender.1", r->dev1_path,
			    sizeof(r->dev1_path));
	r->disp = open_node("card", "vdisplay.0", r->disp_path,
			    sizeof(r->disp_path));
	kms_init(k, r->disp);
	r->vrefresh = (double)k->mode.clock * 1000 /
		      ((double)k->mode.htotal * k->mode.vtotal);

	g->width = k->mode.hdisplay;
	g->height = k->mode.vdisplay;
	g->pitch = g->width * 4;
	g->sw = o->sw < g->width ? o->sw : g->width;
	g->sh = o->sh < g->height ? o->sh : g->height;
	check(g->sh >= NSTRIPES, "sprite too small");
	create_buffers(r, o);
}

/* First picture: black, by a job; the modeset waits for it. */
static void first_picture(struct run *r, const struct opts *o, struct kms *k,
			  struct crc_log *c)
{
	const struct geom *g = &r->g;
	int fence;

	fence = submit(r->dev0, r->ring0[0], 0, 0, 0, (uint64_t)g->pitch * g->height,
		       0xff000000u, 0, true);
	check(kms_modeset(k, r->fbs[0]) == 0, "modeset %ux%u", g->width,
	      g->height);
	check(fence_wait(fence, 5000), "first fill");
	close(fence);
	if (o->crc)
		crc_start(r->disp, c);
	vblank_now(k, NULL);
}

/* Render frame @n and flip to it at once; back when its flip event is. */
static void show_frame(struct run *r, const struct opts *o, struct kms *k,
		       struct crc_log *c, unsigned int n)
{
	struct frame *f = &frames[n];
	int ret, tries = 0;

	f->buf = (n + 1) % o->ring;
	f->render_fence = f->sprite_fence = -1;
	f->submit_seq = vblank_now(k, NULL);
	f->t_submit = now_ns();
	render(r, o, n, f);
	/* At once: the kernel holds the flip until the jobs are done. */
	while ((ret = kms_flip(k, r->fbs[f->buf], f)) == -EBUSY &&
	       tries++ < 1000) {
		r->ebusy++;
		usleep(1000);
	}
	errno = -ret;
	check(ret == 0, "page flip of frame %u", n);
	wait_flip(k, c, f);
}

/* Frame @n's jobs: done, when, and done before the flip? */
static void finish_frame(struct run *r, unsigned int n)
{
	struct frame *f = &frames[n];
	int status;

	/*
	 * Signalled by now, unless implicit sync is broken: then
	 * count it, and the latency comes out negative.
	 */
	fence_timestamp(f->render_fence, &status);
	if (status != 1)
		r->early++;
	check(fence_wait(f->render_fence, 20000) &&
	      fence_wait(f->sprite_fence, 20000), "frame %u's jobs", n);
	f->t_render = fence_timestamp(f->render_fence, &status);
	check(status == 1, "frame %u's job failed (%d)", n, status);
	f->t_sprite = fence_timestamp(f->sprite_fence, &status);
	check(status == 1, "frame %u's sprite job failed (%d)", n, status);
	close(f->render_fence);
	close(f->sprite_fence);
}

static void animate(struct run *r, const struct opts *o, struct kms *k,
		    struct crc_log *c)
{
	unsigned int n, i;
	uint32_t last;

	first_picture(r, o, k, c);
	r->xwaits0[0] = cross_device_waits(r->dev0);
	r->xwaits1[0] = cross_device_waits(r->dev1);
	r->t_start = now_ns();
	for (n = 0; n < o->frames; n++) {
		show_frame(r, o, k, c, n);
		finish_frame(r, n);
		if (is_capture(o, n) && r->ncap < MAX_CAPTURES) {
			struct capture_rec *cr = &r->cap[r->ncap++];

			snprintf(cr->name, sizeof(cr->name), "frame-%03u", n);
			cr->frame = n;
			capture_take(r->disp, o->rawdir, cr);
		}
	}
	r->t_end = now_ns();
	r->xwaits0[1] = cross_device_waits(r->dev0);
	r->xwaits1[1] = cross_device_waits(r->dev1);

	/* The last frame's CRC arrives after its vblank. */
	for (i = 0; c->fd >= 0 && i < 50 && !crc_at(c, frames[o->frames - 1].flip_seq, &last);
	     i++) {
		usleep(20000);
		crc_drain(c);
	}
	crc_stop(c);
	r->crcs_read = c->n;
}

static void verify(struct run *r, const struct opts *o, const struct crc_log *c)
{
	const struct geom *g = &r->g;
	uint32_t *pix = malloc((size_t)g->pitch * g->height);
	unsigned int n, m, i;

	check(pix, "out of memory");
	for (n = 0; n < o->frames; n++) {
		expected_picture(g, n, pix);
		frames[n].expect = crc32_update(0, pix, (size_t)g->pitch * g->height);
	}
	free(pix);
	for (n = 0; n < o->frames; n++) {
		struct frame *f = &frames[n];

		f->have_crc = f->shown && crc_at(c, f->flip_seq, &f->crc);
		f->crc_match = 0;
		if (!f->have_crc)
			continue;
		if (f->crc == f->expect) {
			f->crc_match = 1;
			continue;
		}
		for (m = 0; m < o->frames; m++)
			if (frames[m].expect == f->crc)
				f->crc_match = -1;
	}
	for (i = 0; i < r->ncap; i++)
		r->cap[i].expected = r->cap[i].crc == frames[r->cap[i].frame].expect;
}

/* Let go of the display for kmscube: off, FBs gone, no master. */
static void release_display(struct run *r, const struct opts *o,
			    struct kms *k)
{
	unsigned int i;

	check(kms_modeset(k, 0) == 0, "disable the CRTC");
	for (i = 0; i < o->ring; i++) {
		drmModeRmFB(r->disp, r->fbs[i]);
		drmCloseBufferHandle(r->disp, r->ring_disp[i]);
	}
	drmModeDestroyPropertyBlob(r->disp, k->mode_blob);
	drmDropMaster(r->disp);
}

int main(int argc, char **argv)
{
	struct opts o = {
		.frames = 120, .ring = 3, .bg_us = 6000, .sprite_us = 4000,
		.kmscube_frames = 120, .timeout = 240, .sw = 128, .sh = 128,
		.outdir = ".", .crc = true,
	};
	struct kmscube_rec kc = { .status = -1 };
	struct crc_log c = { .fd = -1 };
	struct run r;
	struct kms k;
	unsigned int i;
	bool ok;

	memset(&r, 0, sizeof(r));
	parse_opts(&o, argc, argv);
	frames = calloc(o.frames, sizeof(*frames));
	check(frames, "out of memory");
	crc32_init();
	atexit(kill_child);

	setup(&r, &o, &k);
	printf("%s: %u frames, %ux%u, ring of %u on %s, sprite %ux%u on %s, display %s\n",
	       prog, o.frames, r.g.width, r.g.height, o.ring, r.dev0_path, r.g.sw,
	       r.g.sh, r.dev1_path, r.disp_path);
	fflush(stdout);
	animate(&r, &o, &k, &c);
	verify(&r, &o, &c);
	free(c.e);

	release_display(&r, &o, &k);
	if (o.kmscube_frames)
		run_kmscube(&r, &o, &kc);
	else
		kc.skip = "-k 0";

	write_report(o.outdir, "report.txt", false, &r, &o, &kc);
	write_report(o.outdir, "report.json", true, &r, &o, &kc);
	report(stdout, false, &r, &o, &kc);

	ok = true;
	for (i = 0; i < o.frames; i++)
		ok &= frames[i].shown;
	if (kc.ran && kc.status != 0)
		ok = false;
	return ok ? 0 : 1;
}
