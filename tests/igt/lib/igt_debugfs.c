// SPDX-License-Identifier: MIT
/*
 * IGT's pipe CRC API; see igt_debugfs.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>

#include "debugfs.h"
#include "igt_core.h"
#include "igt_debugfs.h"

struct _igt_pipe_crc {
	char dir[160];		/* .../dri/<minor>/crtc-<pipe>/crc */
	char source[32];
	int data;		/* the data file while started, else -1 */
	enum pipe pipe;
};

igt_pipe_crc_t *igt_pipe_crc_new(int fd, enum pipe pipe, const char *source)
{
	igt_pipe_crc_t *pc;
	char dri[96], path[200];

	igt_assert(pipe >= PIPE_A && pipe < IGT_MAX_PIPES);
	igt_require_f(debugfs_dri_dir(fd, dri, sizeof(dri)),
		      "debugfs not available\n");
	pc = calloc(1, sizeof(*pc));
	igt_assert(pc);
	snprintf(pc->dir, sizeof(pc->dir), "%s/crtc-%d/crc", dri, pipe);
	snprintf(pc->source, sizeof(pc->source), "%s", source);
	pc->data = -1;
	pc->pipe = pipe;
	snprintf(path, sizeof(path), "%s/control", pc->dir);
	igt_require_f(access(path, W_OK) == 0, "no CRC on pipe %d: %s\n", pipe,
		      strerror(errno));
	return pc;
}

void igt_pipe_crc_free(igt_pipe_crc_t *pipe_crc)
{
	if (!pipe_crc)
		return;
	igt_pipe_crc_stop(pipe_crc);
	free(pipe_crc);
}

void igt_pipe_crc_start(igt_pipe_crc_t *pipe_crc)
{
	char path[200];
	int ctl;

	igt_pipe_crc_stop(pipe_crc);
	snprintf(path, sizeof(path), "%s/control", pipe_crc->dir);
	ctl = open(path, O_WRONLY | O_CLOEXEC);
	igt_assert_f(ctl >= 0, "open %s: %s\n", path, strerror(errno));
	igt_assert_eq(write(ctl, pipe_crc->source, strlen(pipe_crc->source)),
		      (long long)strlen(pipe_crc->source));
	close(ctl);
	snprintf(path, sizeof(path), "%s/data", pipe_crc->dir);
	pipe_crc->data = open(path, O_RDONLY | O_CLOEXEC);
	igt_assert_f(pipe_crc->data >= 0, "open %s: %s\n", path,
		     strerror(errno));
}

void igt_pipe_crc_stop(igt_pipe_crc_t *pipe_crc)
{
	if (pipe_crc->data >= 0)
		close(pipe_crc->data);
	pipe_crc->data = -1;
}

/* One line "frame crc0 crc1 ..." ("XXXXXXXXXX" for no frame number). */
static bool read_crc(igt_pipe_crc_t *pc, int timeout_ms, igt_crc_t *out)
{
	struct pollfd pfd = { .fd = pc->data, .events = POLLIN };
	char line[160], *p, *end;
	ssize_t len;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return false;
	len = read(pc->data, line, sizeof(line) - 1);
	igt_assert_f(len > 0, "read CRC: %s\n", strerror(errno));
	line[len] = '\0';
	memset(out, 0, sizeof(*out));
	out->has_valid_frame = strncmp(line, "XXXXXXXXXX", 10) != 0;
	out->frame = out->has_valid_frame ? strtoul(line, &end, 16) : 0;
	p = line + 10;
	while (out->n_words < DRM_MAX_CRC_NR) {
		unsigned long v = strtoul(p, &end, 16);

		if (end == p)
			break;
		out->crc[out->n_words++] = v;
		p = end;
	}
	igt_assert_f(out->n_words > 0, "bad CRC line \"%s\"\n", line);
	return true;
}

void igt_pipe_crc_get_single(igt_pipe_crc_t *pipe_crc, igt_crc_t *out_crc)
{
	igt_assert_f(pipe_crc->data >= 0, "CRC not started\n");
	igt_assert_f(read_crc(pipe_crc, 5000, out_crc), "no CRC within 5 s\n");
}

void igt_pipe_crc_drain(igt_pipe_crc_t *pipe_crc)
{
	igt_crc_t crc;

	while (pipe_crc->data >= 0 && read_crc(pipe_crc, 0, &crc))
		;
}

void igt_pipe_crc_collect_crc(igt_pipe_crc_t *pipe_crc, igt_crc_t *out_crc)
{
	igt_pipe_crc_start(pipe_crc);
	igt_pipe_crc_get_single(pipe_crc, out_crc);
	igt_pipe_crc_stop(pipe_crc);
}

/* The pipe's current vblank count. */
static uint32_t vblank_now(int drm_fd, enum pipe pipe)
{
	drmVBlank vbl = {
		.request.type = DRM_VBLANK_RELATIVE |
			((pipe << DRM_VBLANK_HIGH_CRTC_SHIFT) &
			 DRM_VBLANK_HIGH_CRTC_MASK),
	};

	igt_assert_eq(drmWaitVBlank(drm_fd, &vbl), 0);
	return vbl.reply.sequence;
}

void igt_pipe_crc_get_current(int drm_fd, igt_pipe_crc_t *pipe_crc,
			      igt_crc_t *crc)
{
	uint32_t now = vblank_now(drm_fd, pipe_crc->pipe);

	if (pipe_crc->data < 0)
		igt_pipe_crc_start(pipe_crc);
	/* A CRC of a frame that starts after now shows what is set now. */
	do {
		igt_pipe_crc_get_single(pipe_crc, crc);
	} while (!crc->has_valid_frame || (int32_t)(crc->frame - now) <= 0);
}

bool igt_check_crc_equal(const igt_crc_t *a, const igt_crc_t *b)
{
	if (a->n_words != b->n_words)
		return false;
	for (int i = 0; i < a->n_words; i++)
		if (a->crc[i] != b->crc[i])
			return false;
	return true;
}

void igt_assert_crc_equal(const igt_crc_t *a, const igt_crc_t *b)
{
	igt_assert_eq(a->n_words, b->n_words);
	for (int i = 0; i < a->n_words; i++)
		igt_assert_f(a->crc[i] == b->crc[i],
			     "CRC word %d: %08x != %08x\n", i, a->crc[i],
			     b->crc[i]);
}
