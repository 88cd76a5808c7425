// SPDX-License-Identifier: MIT
/*
 * vprime-demo: the report. Figures over the frames (shown, on target,
 * render time, latency, CRCs), the captures and kmscube's run, as text
 * (report.txt, and stdout) and as JSON with every frame (report.json).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "demo.h"

static double ms(int64_t ns)
{
	return ns / 1e6;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

struct stats {
	size_t n;
	double min, median, max;
};

static struct stats stats_of(const int64_t *v, size_t n)
{
	struct stats s = { .n = n };
	int64_t *c;

	if (!n)
		return s;
	c = malloc(n * sizeof(*c));
	check(c, "out of memory");
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp64);
	s.min = ms(c[0]);
	s.max = ms(c[n - 1]);
	s.median = n % 2 ? ms(c[n / 2]) : (ms(c[n / 2 - 1]) + ms(c[n / 2])) / 2;
	free(c);
	return s;
}

/* The figures over the whole run. */
struct summary {
	unsigned int shown, ontime, late[4];
	unsigned int withcrc, match, other, distinct;
	struct stats sl, sr, ss, si;	/* latency, render, sprite, interval */
	double secs;
	long long xw0;			/* vrender.0's cross-device waits */
};

/* Frame @n's CRC, if it has one, in the summary's CRC counts. */
static void count_crc(struct summary *s, unsigned int n)
{
	const struct frame *f = &frames[n];
	unsigned int m;

	if (!f->have_crc)
		return;
	s->withcrc++;
	s->match += f->crc_match == 1;
	s->other += f->crc_match == -1;
	for (m = 0; m < n; m++)
		if (frames[m].have_crc && frames[m].crc == f->crc)
			break;
	s->distinct += m == n;
}

static void summarise(const struct run *r, const struct opts *o,
		      struct summary *s)
{
	int64_t *lat = calloc(o->frames, sizeof(*lat));
	int64_t *ren = calloc(o->frames, sizeof(*ren));
	int64_t *spr = calloc(o->frames, sizeof(*spr));
	int64_t *ivl = calloc(o->frames, sizeof(*ivl));
	size_t nl = 0, ni = 0;
	unsigned int n;

	check(lat && ren && spr && ivl, "out of memory");
	memset(s, 0, sizeof(*s));
	s->secs = (r->t_end - r->t_start) / 1e9;
	s->xw0 = r->xwaits0[1] - r->xwaits0[0];
	for (n = 0; n < o->frames; n++) {
		const struct frame *f = &frames[n];
		int32_t d;

		if (!f->shown)
			continue;
		s->shown++;
		d = (int32_t)(f->flip_seq - (f->submit_seq + 1));
		if (d <= 0)
			s->ontime++;
		else
			s->late[d >= 3 ? 3 : d]++;
		lat[nl] = f->t_flip - f->t_render;
		ren[nl] = f->t_render - f->t_submit;
		spr[nl] = f->t_sprite - f->t_submit;
		nl++;
		if (n > 0 && frames[n - 1].shown)
			ivl[ni++] = f->t_flip - frames[n - 1].t_flip;
		count_crc(s, n);
	}
	s->sl = stats_of(lat, nl);
	s->sr = stats_of(ren, nl);
	s->ss = stats_of(spr, nl);
	s->si = stats_of(ivl, ni);
	free(lat);
	free(ren);
	free(spr);
	free(ivl);
}

/* report.txt: the header and the figures. */
static void text_figures(FILE *out, const struct summary *s,
			 const struct run *r, const struct opts *o)
{
	struct utsname u;

	uname(&u);
	fprintf(out, "vprime demo: %s %s, %s %ux%u@%.0f Hz\n", u.sysname,
		u.release, r->disp_path, r->g.width, r->g.height,
		r->vrefresh);
	fprintf(out, "pipeline: vrender.1 (%s) renders a %ux%u sprite (%u fills, %.1f ms simulated);\n"
		"  vrender.0 (%s) renders each frame into a ring of %u buffers (%u fills, %.1f ms\n"
		"  simulated, then %u copies of the sprite's rows, imported from vrender.1);\n"
		"  vdisplay (%s) flips to it at once, nonblocking: the kernel waits for the jobs.\n\n",
		r->dev1_path, r->g.sw, r->g.sh, NSTRIPES, o->sprite_us / 1e3,
		r->dev0_path, o->ring, NBANDS, o->bg_us / 1e3, r->g.sh,
		r->disp_path);
	fprintf(out, "frames shown        %u of %u in %.2f s (%.1f fps; flip interval median %.1f ms, max %.1f ms)\n",
		s->shown, o->frames, s->secs,
		s->secs > 0 ? s->shown / s->secs : 0.0, s->si.median, s->si.max);
	fprintf(out, "on target vblank    %u of %u (%.0f%%); late %u (by 1 vblank %u, by 2 %u, by 3+ %u)\n",
		s->ontime, s->shown,
		s->shown ? 100.0 * s->ontime / s->shown : 0.0,
		s->shown - s->ontime, s->late[1], s->late[2], s->late[3]);
	fprintf(out, "render time         min %.2f  median %.2f  max %.2f ms (submit -> vrender.0's last job done)\n",
		s->sr.min, s->sr.median, s->sr.max);
	fprintf(out, "sprite time         min %.2f  median %.2f  max %.2f ms (submit -> vrender.1's sprite done)\n",
		s->ss.min, s->ss.median, s->ss.max);
	fprintf(out, "latency             min %.2f  median %.2f  max %.2f ms (render-to-scanout: job done -> flip event)\n",
		s->sl.min, s->sl.median, s->sl.max);
	if (o->crc)
		fprintf(out, "CRCs                %u of %u frames, %u distinct; %u the expected picture, %u another frame's, %u wrong\n",
			s->withcrc, s->shown, s->distinct, s->match, s->other,
			s->withcrc - s->match - s->other);
	else
		fprintf(out, "CRCs                not collected (-C)\n");
	fprintf(out, "flips before job    %u (implicit sync holds each flip until its job is done: must be 0)\n",
		r->early);
	fprintf(out, "cross-device waits  %lld (vrender.0 jobs that waited for vrender.1's fences)\n",
		s->xw0);
	fprintf(out, "jobs                %llu (%.0f per frame)\n",
		(unsigned long long)jobs_submitted,
		(double)jobs_submitted / (o->frames ? o->frames : 1));
	if (r->ebusy)
		fprintf(out, "flip retries        %u (EBUSY)\n", r->ebusy);
}

/* report.txt: the captures, kmscube, and what the figures mean. */
static void text_captures(FILE *out, const struct run *r,
			  const struct opts *o, const struct kmscube_rec *kc)
{
	unsigned int i;

	for (i = 0; i < r->ncap; i++)
		fprintf(out, "capture             %s.png: frame %u, vblank %llu, crc %08x, %s, %u%s colours\n",
			r->cap[i].name, r->cap[i].frame,
			(unsigned long long)r->cap[i].seq, r->cap[i].crc,
			r->cap[i].expected ? "the expected picture" :
			"NOT the expected picture", r->cap[i].colours,
			r->cap[i].colours >= 64 ? "+" : "");
	if (!kc->ran) {
		fprintf(out, "kmscube             not run%s%s\n",
			kc->skip ? ": " : "", kc->skip ? kc->skip : "");
	} else {
		fprintf(out, "kmscube             -D %s -c %u: %s; on screen %.1f s after start, then ran %.1f s; %zu CRCs, %zu distinct\n",
			kc->dev, o->kmscube_frames,
			kc->status == 0 ? "exit 0" :
			kc->status == -1 ? "TIMED OUT" : "FAILED",
			kc->t_onscreen, kc->t_run, kc->crcs, kc->distinct);
		for (i = 0; i < kc->ncap; i++)
			fprintf(out, "capture             %s.png: vblank %llu, crc %08x, %u%s colours\n",
				kc->cap[i].name,
				(unsigned long long)kc->cap[i].seq,
				kc->cap[i].crc, kc->cap[i].colours,
				kc->cap[i].colours >= 64 ? "+" : "");
	}
	fprintf(out, "\nTarget: the vblank after the one current at submit. Latency: the flip event's\n"
		"time (the ideal vblank time) minus the completion time of the frame's last job\n"
		"(its sync_file's timestamp); below 0 when the vblank timer fired late (TCG).\n"
		"A CRC is the pipe CRC at the flip's vblank; \"another frame's\" means the\n"
		"composer ran late and saw a later flip. report.json has every frame.\n");
}

/* report.json: the figures. */
static void json_figures(FILE *out, const struct summary *s,
			 const struct run *r, const struct opts *o)
{
	struct utsname u;

	uname(&u);
	fprintf(out, "{\n  \"kernel\": \"%s\",\n  \"mode\": \"%ux%u@%.2f\",\n",
		u.release, r->g.width, r->g.height, r->vrefresh);
	fprintf(out, "  \"devices\": {\"render0\": \"%s\", \"render1\": \"%s\", \"display\": \"%s\"},\n",
		r->dev0_path, r->dev1_path, r->disp_path);
	fprintf(out, "  \"config\": {\"frames\": %u, \"ring\": %u, \"sprite\": [%u, %u], \"bg_exec_us\": %u, \"sprite_exec_us\": %u, \"jobs_submitted\": %llu},\n",
		o->frames, o->ring, r->g.sw, r->g.sh, o->bg_us, o->sprite_us,
		(unsigned long long)jobs_submitted);
	fprintf(out, "  \"frames_shown\": %u,\n  \"seconds\": %.3f,\n  \"fps\": %.2f,\n",
		s->shown, s->secs, s->secs > 0 ? s->shown / s->secs : 0.0);
	fprintf(out, "  \"on_target_vblank\": %u,\n  \"late\": {\"total\": %u, \"by_1\": %u, \"by_2\": %u, \"by_3_or_more\": %u},\n",
		s->ontime, s->shown - s->ontime, s->late[1], s->late[2],
		s->late[3]);
	fprintf(out, "  \"render_ms\": {\"min\": %.3f, \"median\": %.3f, \"max\": %.3f},\n",
		s->sr.min, s->sr.median, s->sr.max);
	fprintf(out, "  \"sprite_ms\": {\"min\": %.3f, \"median\": %.3f, \"max\": %.3f},\n",
		s->ss.min, s->ss.median, s->ss.max);
	fprintf(out, "  \"latency_ms\": {\"min\": %.3f, \"median\": %.3f, \"max\": %.3f},\n",
		s->sl.min, s->sl.median, s->sl.max);
	fprintf(out, "  \"flip_interval_ms\": {\"min\": %.3f, \"median\": %.3f, \"max\": %.3f},\n",
		s->si.min, s->si.median, s->si.max);
	fprintf(out, "  \"crc\": {\"frames_with_crc\": %u, \"distinct\": %u, \"expected\": %u, \"other_frame\": %u, \"none\": %u},\n",
		s->withcrc, s->distinct, s->match, s->other,
		s->withcrc - s->match - s->other);
	fprintf(out, "  \"cross_device_waits\": %lld,\n  \"flips_before_job_done\": %u,\n  \"flip_ebusy_retries\": %u,\n",
		s->xw0, r->early, r->ebusy);
}

/* report.json: the captures and kmscube. */
static void json_captures(FILE *out, const struct run *r,
			  const struct kmscube_rec *kc)
{
	const char *sep;
	unsigned int i;

	fprintf(out, "  \"captures\": [");
	for (i = 0, sep = ""; i < r->ncap; i++, sep = ",")
		fprintf(out, "%s\n    {\"png\": \"%s.png\", \"frame\": %u, \"vblank\": %llu, \"crc\": \"%08x\", \"expected\": %s, \"colours\": %u}",
			sep, r->cap[i].name, r->cap[i].frame,
			(unsigned long long)r->cap[i].seq, r->cap[i].crc,
			r->cap[i].expected ? "true" : "false", r->cap[i].colours);
	fprintf(out, "\n  ],\n  \"kmscube\": {\"ran\": %s, \"status\": %d, \"onscreen_s\": %.2f, \"run_s\": %.2f, \"crcs\": %zu, \"distinct_crcs\": %zu, \"captures\": [",
		kc->ran ? "true" : "false", kc->status, kc->t_onscreen, kc->t_run,
		kc->crcs, kc->distinct);
	for (i = 0, sep = ""; i < kc->ncap; i++, sep = ", ")
		fprintf(out, "%s{\"png\": \"%s.png\", \"vblank\": %llu, \"crc\": \"%08x\", \"colours\": %u}",
			sep, kc->cap[i].name, (unsigned long long)kc->cap[i].seq,
			kc->cap[i].crc, kc->cap[i].colours);
	fprintf(out, "]},\n  \"per_frame\": [");
}

/* report.json: every frame. */
static void json_frames(FILE *out, const struct opts *o)
{
	const char *sep;
	unsigned int n;

	for (n = 0, sep = ""; n < o->frames; n++, sep = ",") {
		const struct frame *f = &frames[n];

		fprintf(out, "%s\n    {\"frame\": %u, \"buffer\": %u, \"x\": %u, \"y\": %u, \"shown\": %s, \"submit_vblank\": %u, \"flip_vblank\": %u, "
			"\"render_ms\": %.3f, \"sprite_ms\": %.3f, \"latency_ms\": %.3f, \"crc\": \"%08x\", \"expected_crc\": \"%08x\", \"crc_ok\": %s}",
			sep, n, f->buf, f->x, f->y, f->shown ? "true" : "false",
			f->submit_seq, f->flip_seq, ms(f->t_render - f->t_submit),
			ms(f->t_sprite - f->t_submit), ms(f->t_flip - f->t_render),
			f->crc, f->expect, f->crc_match == 1 ? "true" : "false");
	}
	fprintf(out, "\n  ]\n}\n");
}

void report(FILE *out, bool json, const struct run *r, const struct opts *o,
	    const struct kmscube_rec *kc)
{
	struct summary s;

	summarise(r, o, &s);
	if (!json) {
		text_figures(out, &s, r, o);
		text_captures(out, r, o, kc);
		return;
	}
	json_figures(out, &s, r, o);
	json_captures(out, r, kc);
	json_frames(out, o);
}

void write_report(const char *dir, const char *name, bool json,
		  const struct run *r, const struct opts *o,
		  const struct kmscube_rec *kc)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	check(f, "create %s", path);
	report(f, json, r, o, kc);
	check(fclose(f) == 0, "write %s", path);
}
