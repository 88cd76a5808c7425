// SPDX-License-Identifier: MIT
/*
 * vprime-demo: kmscube on vdisplay, once the demo has let go of it. It is
 * started with its output in OUTDIR/kmscube.log and watched: when it gets
 * on screen, its distinct pipe CRCs, a few captures once the cube is drawn,
 * its exit status (or a timeout).
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo.h"

static pid_t child = -1;

void kill_child(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = -1;
	}
}

static bool child_exited(int *status)
{
	pid_t ret;

	if (child < 0)
		return true;
	ret = waitpid(child, status, WNOHANG);
	check(ret >= 0, "waitpid");
	if (!ret)
		return false;
	child = -1;
	return true;
}

static bool timed_out(const struct opts *o, int64_t launch)
{
	return now_ns() - launch > (int64_t)o->timeout * 1000000000;
}

static const char *find_kmscube(void)
{
	static const char *const paths[] = { "/usr/bin/kmscube",
					     "/usr/local/bin/kmscube" };
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/*
 * Start kmscube on kc->dev for -k frames, at *@launched; returns the write
 * end of its stdin, left silent: kmscube quits when stdin is readable.
 */
static int launch(const char *exe, const struct opts *o,
		  const struct kmscube_rec *kc, int64_t *launched)
{
	char frames_arg[16], log[PATH_MAX];
	int in[2], logfd;

	snprintf(frames_arg, sizeof(frames_arg), "%u", o->kmscube_frames);
	snprintf(log, sizeof(log), "%s/kmscube.log", o->outdir);
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	check(logfd >= 0, "create %s", log);
	check(pipe2(in, O_CLOEXEC) == 0, "pipe");
	printf("running %s -D %s -c %s (output in %s)\n", exe, kc->dev,
	       frames_arg, log);
	fflush(stdout);
	*launched = now_ns();
	child = fork();
	check(child >= 0, "fork");
	if (!child) {
		dup2(in[0], 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		execl(exe, "kmscube", "-D", kc->dev, "-c", frames_arg,
		      (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(logfd);
	return in[1];
}

/* Until kmscube scans out: false (kc->status set) if it ended first. */
static bool wait_onscreen(int disp, const struct opts *o, int64_t launch,
			  struct kmscube_rec *kc)
{
	int status = -1;

	while (!scanning_out(disp)) {
		if (child_exited(&status)) {
			kc->status = status;
			return false;
		}
		if (timed_out(o, launch)) {
			kill_child();
			kc->status = -1;
			return false;
		}
		usleep(20000);
	}
	return true;
}

/* Count the CRCs logged since *seen that no earlier one equals. */
static void count_distinct(const struct crc_log *c, size_t *seen,
			   size_t *distinct)
{
	size_t m;

	for (; *seen < c->n; (*seen)++) {
		for (m = 0; m < *seen; m++)
			if (c->e[m][1] == c->e[*seen][1])
				break;
		*distinct += m == *seen;
	}
}

/*
 * Its first frames are a uniform grey (the cube is not drawn yet):
 * capture once the picture has changed a few times, then every 1.5 s;
 * a capture with hardly any colours is dropped and retried.
 */
static void maybe_capture(struct run *r, const struct opts *o,
			  struct kmscube_rec *kc, int64_t *next_cap)
{
	struct capture_rec *cr;

	if (kc->ncap >= KMSCUBE_CAPTURES || kc->distinct < 3 ||
	    now_ns() < *next_cap || !scanning_out(r->disp))
		return;
	cr = &kc->cap[kc->ncap];
	snprintf(cr->name, sizeof(cr->name), "kmscube-%03u", kc->ncap);
	cr->frame = -1u;
	cr->expected = -1;
	capture_take(r->disp, o->rawdir, cr);
	if (cr->colours >= 8) {
		kc->ncap++;
		*next_cap = now_ns() + 1500000000;
	} else {
		capture_drop(o->rawdir, cr);
		*next_cap = now_ns() + 200000000;
	}
}

/* While kmscube runs: its CRCs and captures. Returns its wait status. */
static int watch(struct run *r, const struct opts *o, struct kmscube_rec *kc,
		 struct crc_log *c, int64_t launch, size_t *seen)
{
	int64_t next_cap = 0;
	int status = -1;

	while (!child_exited(&status)) {
		crc_drain(c);
		count_distinct(c, seen, &kc->distinct);
		maybe_capture(r, o, kc, &next_cap);
		if (timed_out(o, launch)) {
			kill_child();
			status = -1;
			break;
		}
		usleep(20000);
	}
	return status;
}

void run_kmscube(struct run *r, const struct opts *o,
		 struct kmscube_rec *kc)
{
	const char *exe = find_kmscube();
	struct crc_log c = { .fd = -1 };
	int64_t launched, onscreen;
	size_t seen = 0;
	int quit;

	snprintf(kc->dev, sizeof(kc->dev), "%s", r->disp_path);
	if (!exe) {
		kc->skip = "kmscube not installed";
		return;
	}
	quit = launch(exe, o, kc, &launched);
	kc->ran = true;
	if (!wait_onscreen(r->disp, o, launched, kc)) {
		close(quit);
		return;
	}
	onscreen = now_ns();
	kc->t_onscreen = (onscreen - launched) / 1e9;
	crc_start(r->disp, &c);
	kc->status = watch(r, o, kc, &c, launched, &seen);
	kc->t_run = (now_ns() - onscreen) / 1e9;
	crc_stop(&c);
	close(quit);
	kc->crcs = c.n;
	count_distinct(&c, &seen, &kc->distinct);
	free(c.e);
}
