// SPDX-License-Identifier: MIT
/*
 * IGT's pipe CRC API (lib/igt_debugfs.h in igt-gpu-tools), same names and
 * semantics, over the DRM core's CRC interface in debugfs
 * (crtc-<pipe>/crc/control and data): a KMS test that checks pictures by
 * CRC moves to IGT with its calls unchanged. Needs debugfs (root).
 */
#ifndef IGT_DEBUGFS_H
#define IGT_DEBUGFS_H

#include <stdbool.h>
#include <stdint.h>

enum pipe {
	PIPE_NONE = -1,
	PIPE_ANY = PIPE_NONE,
	PIPE_A = 0,
	PIPE_B,
	PIPE_C,
	PIPE_D,
	PIPE_E,
	PIPE_F,
	PIPE_G,
	PIPE_H,
	IGT_MAX_PIPES
};

#define IGT_PIPE_CRC_SOURCE_AUTO	"auto"
#define DRM_MAX_CRC_NR			10

typedef struct {
	uint32_t frame;
	bool has_valid_frame;
	int n_words;
	uint32_t crc[DRM_MAX_CRC_NR];
} igt_crc_t;

typedef struct _igt_pipe_crc igt_pipe_crc_t;

/* A CRC source on @pipe of @fd's device; skips if the device has none. */
igt_pipe_crc_t *igt_pipe_crc_new(int fd, enum pipe pipe, const char *source);
void igt_pipe_crc_free(igt_pipe_crc_t *pipe_crc);
void igt_pipe_crc_start(igt_pipe_crc_t *pipe_crc);
void igt_pipe_crc_stop(igt_pipe_crc_t *pipe_crc);
/* The next CRC (waits for a frame; asserts within 5 s). */
void igt_pipe_crc_get_single(igt_pipe_crc_t *pipe_crc, igt_crc_t *out_crc);
/* Drop the CRCs collected so far. */
void igt_pipe_crc_drain(igt_pipe_crc_t *pipe_crc);
/* Start, take one CRC, stop. */
void igt_pipe_crc_collect_crc(igt_pipe_crc_t *pipe_crc, igt_crc_t *out_crc);
/* The CRC of a frame that starts after the current vblank (starts it). */
void igt_pipe_crc_get_current(int drm_fd, igt_pipe_crc_t *pipe_crc,
			      igt_crc_t *crc);

bool igt_check_crc_equal(const igt_crc_t *a, const igt_crc_t *b);
void igt_assert_crc_equal(const igt_crc_t *a, const igt_crc_t *b);

#endif /* IGT_DEBUGFS_H */
