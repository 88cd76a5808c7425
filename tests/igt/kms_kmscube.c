// SPDX-License-Identifier: MIT
/*
 * kmscube (Debian's package, unmodified) on vdisplay with Mesa's software
 * path: it must run its frames and exit 0, the captured frames must show a
 * picture (not a uniform image) and the CRCs must change as the cube turns.
 *
 * Environment: VPRIME_KMSCUBE_FRAMES (default 120), VPRIME_KMSCUBE_TIMEOUT
 * (seconds for the whole run, default 240). On a debug kernel (lockdep:
 * /proc/lockdep exists) the test skips unless VPRIME_KMSCUBE_TIMEOUT is set:
 * there Mesa takes over three minutes to start (page faults under KASAN)
 * and the kernel paths are those kms_vdisplay and kms_prime cover.
 * VPRIME_KMSCUBE_DIR (if set, the captured frames are saved there in the
 * vdisplay_frame format, for tools/vdisplay-capture to turn into PNG).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt_core.h"
#include "kms.h"

static int fd = -1;
static struct kms k;
static pid_t child = -1;

static void kill_child(int sig)
{
	(void)sig;
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = -1;
	}
}

static const char *find_kmscube(void)
{
	static const char *const paths[] = {
		"/usr/bin/kmscube", "/usr/local/bin/kmscube",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(paths); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* Exited already? Then record the status. */
static bool child_exited(int *status)
{
	pid_t ret;

	if (child < 0)
		return true;
	ret = waitpid(child, status, WNOHANG);
	igt_assert(ret >= 0);
	if (ret == 0)
		return false;
	child = -1;
	return true;
}

static bool crtc_scanning_out(void)
{
	drmModeCrtc *crtc = drmModeGetCrtc(fd, k.crtc_id);
	bool on = crtc && crtc->mode_valid && crtc->buffer_id;

	drmModeFreeCrtc(crtc);
	return on;
}

static unsigned int distinct_pixels(const uint32_t *pix, size_t n)
{
	uint32_t seen[64];
	unsigned int count = 0, j;
	size_t i;

	for (i = 0; i < n && count < ARRAY_SIZE(seen); i += 7) {
		for (j = 0; j < count; j++)
			if (seen[j] == pix[i])
				break;
		if (j == count)
			seen[count++] = pix[i];
	}
	return count;
}

static void save_frame(const struct vdisplay_frame_header *hdr,
		       const uint32_t *pix, int n)
{
	const char *dir = getenv("VPRIME_KMSCUBE_DIR");
	char path[512];
	int out;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/kmscube-%d.vdframe", dir, n);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	igt_assert_f(out >= 0, "create %s: %s\n", path, strerror(errno));
	igt_assert_eq(write(out, hdr, sizeof(*hdr)), sizeof(*hdr));
	igt_assert_eq(write(out, pix, (size_t)hdr->pitch * hdr->height),
		      (ssize_t)hdr->pitch * hdr->height);
	close(out);
	igt_info("saved %s\n", path);
}

static void test_kmscube(void)
{
	const char *kmscube = find_kmscube();
	const char *frames = getenv("VPRIME_KMSCUBE_FRAMES");
	const char *limit = getenv("VPRIME_KMSCUBE_TIMEOUT");
	double timeout = limit ? atof(limit) : 240;
	struct timespec launch;
	struct vdisplay_frame_header hdr[2];
	uint32_t crcs[8], frame, value;
	unsigned int ncrcs = 0, i;
	struct timespec start;
	struct pipe_crc pc;
	char dev[64];
	int in[2], status = -1;

	igt_require_f(kmscube, "kmscube not installed (Debian package kmscube)\n");
	igt_require_f(limit || access("/proc/lockdep", F_OK) != 0,
		      "debug kernel: kmscube needs minutes to start; set VPRIME_KMSCUBE_TIMEOUT (e.g. 280) to run it\n");
	if (!frames)
		frames = "120";
	snprintf(dev, sizeof(dev), "/dev/dri/card%d", vdisplay_card());

	/*
	 * kmscube quits when its stdin is readable: give it a pipe that stays
	 * empty. It must become DRM master: drop ours.
	 */
	igt_assert_eq(pipe2(in, O_CLOEXEC), 0);
	drmDropMaster(fd);
	igt_install_exit_handler(kill_child);
	igt_info("running %s -D %s -c %s\n", kmscube, dev, frames);
	child = fork();
	igt_assert(child >= 0);
	if (child == 0) {
		dup2(in[0], 0);
		execl(kmscube, "kmscube", "-D", dev, "-c", frames, (char *)NULL);
		_exit(127);
	}
	close(in[0]);

	/* Wait for its first frame on screen. */
	clock_gettime(CLOCK_MONOTONIC, &launch);
	while (!crtc_scanning_out()) {
		igt_assert_f(!child_exited(&status),
			     "kmscube exited (status 0x%x) before a modeset\n",
			     status);
		igt_assert_f(igt_time_elapsed(&launch) < timeout,
			     "no modeset from kmscube in %.0f s\n", timeout);
		usleep(20000);
	}
	igt_info("kmscube on screen after %.1f s\n", igt_time_elapsed(&launch));

	/* CRCs while it renders: they must change. */
	pipe_crc_start(fd, &pc);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (ncrcs < 4 && igt_time_elapsed(&start) < 30 &&
	       pipe_crc_next(&pc, 2000, &frame, &value)) {
		for (i = 0; i < ncrcs; i++)
			if (crcs[i] == value)
				break;
		if (i == ncrcs)
			crcs[ncrcs++] = value;
	}
	pipe_crc_stop(&pc);
	igt_info("%u distinct CRCs while kmscube ran\n", ncrcs);
	igt_assert_f(ncrcs >= 2, "the picture did not change\n");

	/* Two captured frames: pictures, and different ones. */
	for (i = 0; i < 2; i++) {
		uint32_t *pix = capture_frame(fd, &hdr[i]);
		unsigned int colours = distinct_pixels(pix, (size_t)hdr[i].width *
						       hdr[i].height);

		igt_info("frame %u: %ux%u, crc %08x, %u+ colours\n", i,
			 hdr[i].width, hdr[i].height, hdr[i].crc, colours);
		igt_assert_f(colours >= 8, "frame %u is (nearly) uniform\n", i);
		save_frame(&hdr[i], pix, i);
		free(pix);
		if (i == 0)
			usleep(300000);
	}
	igt_assert_f(hdr[0].crc != hdr[1].crc || child_exited(&status),
		     "the same frame twice while kmscube runs\n");

	/* And it finishes its frames and exits 0. */
	while (!child_exited(&status)) {
		igt_assert_f(igt_time_elapsed(&launch) < timeout,
			     "kmscube still running after %.0f s\n", timeout);
		usleep(50000);
	}
	igt_info("kmscube exited after %.1f s\n", igt_time_elapsed(&launch));
	close(in[1]);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "kmscube: status 0x%x\n", status);
}

igt_main
{
	igt_fixture {
		fd = vdisplay_open();
		kms_init(&k, fd);
	}

	igt_subtest("kmscube")
		test_kmscube();

	igt_fixture {
		kill_child(0);
		kms_fini(&k);
		close(fd);
	}
}
