// SPDX-License-Identifier: MIT
/*
 * vrender jobs (DRM_IOCTL_VRENDER_SUBMIT), sync_file fences, dma-buf
 * sync_file import/export, gates that hold jobs back, the debugfs engine
 * counters, and module parameters overridden for the duration of a test.
 */
#ifndef SUBMIT_H
#define SUBMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vrender_drm.h>

/* Long enough for anything that is expected to happen, even under KASAN. */
#define FENCE_TIMEOUT_MS	20000
/* How long something that must not happen is given to happen anyway. */
#define BUSY_CHECK_MS		200

#define JOB_MAX_BOS		4

/*
 * A job of up to JOB_MAX_BOS buffers. job_fill()/job_copy() put the
 * destination at index 0 and the source at index 1, and ask for an
 * out-fence; tests then adjust arg and bos as they please.
 */
struct job {
	struct drm_vrender_submit_bo bos[JOB_MAX_BOS];
	struct drm_vrender_submit arg;
};

struct job job_fill(uint32_t dst, uint64_t offset, uint64_t size,
		    uint32_t value);
struct job job_copy(uint32_t dst, uint64_t dst_offset, uint32_t src,
		    uint64_t src_offset, uint64_t size);
/* Lists @handle with @flags; returns its index. */
unsigned int job_add_bo(struct job *j, uint32_t handle, uint32_t flags);
void job_in_fence(struct job *j, int fence_fd);
void job_in_syncobj(struct job *j, uint32_t syncobj, uint64_t point);
void job_out_syncobj(struct job *j, uint32_t syncobj, uint64_t point);

int __vrender_submit(int fd, struct drm_vrender_submit *arg);
int __job_submit(int fd, struct job *j);
/* Asserts success; returns the out-fence fd, or -1 if none was asked. */
int job_submit(int fd, struct job *j);

/* sync_file status from SYNC_IOC_FILE_INFO: 1 signalled, 0 active, <0 error. */
int fence_status(int fence_fd);
bool fence_wait(int fence_fd, int timeout_ms);
/* Asserts the fence signals within FENCE_TIMEOUT_MS, returns its status. */
int fence_wait_status(int fence_fd);
/* Asserts the fence signals without an error, then closes it. */
void fence_wait_ok(int fence_fd);
/* Asserts the fence does not signal within BUSY_CHECK_MS. */
#define fence_assert_busy(f) \
	igt_assert_f(!fence_wait((f), BUSY_CHECK_MS), \
		     "fence %s signalled, expected it to be held\n", #f)

int __dmabuf_export_sync_file(int dmabuf, uint32_t flags, int *fence_fd);
int dmabuf_export_sync_file(int dmabuf, uint32_t flags);
int __dmabuf_import_sync_file(int dmabuf, uint32_t flags, int fence_fd);
void dmabuf_import_sync_file(int dmabuf, uint32_t flags, int fence_fd);

/*
 * A gate: a buffer of device @fd with an unsignalled vgem write fence. A job
 * that lists gate.handle (gate_hold()) waits for gate_open(). Closing the
 * DRM file or fence_timeout_ms (vrender) opens it too.
 */
struct gate {
	int fd;
	uint32_t handle;
	uint32_t fence;
	bool open;
};

struct gate gate_create(int fd);
void gate_hold(struct job *j, const struct gate *g);
void gate_open(struct gate *g);
/* Opens the gate if needed and closes its buffer. */
void gate_destroy(struct gate *g);

/* A buffer made with GEM_CREATE, mapped read/write through its DRM fd. */
struct buf {
	int fd;
	uint32_t handle;
	uint64_t size;
	uint32_t *map;
};

struct buf buf_create(int fd, uint64_t size, uint32_t flags);
/* An import into device @fd of @b; maps it through @fd if @map. */
struct buf buf_import(int fd, const struct buf *b, bool map);
int buf_dmabuf(const struct buf *b);
void buf_destroy(struct buf *b);
/* Asserts the 32-bit words of [offset, offset + size) equal @value. */
void buf_check(const struct buf *b, uint64_t offset, uint64_t size,
	       uint32_t value);
void buf_set(struct buf *b, uint64_t offset, uint64_t size, uint32_t value);

/* /sys/kernel/debug/dri/<minor>/vrender_engine */
struct engine_stats {
	uint64_t submitted;
	uint64_t queued;
	uint64_t running;
	uint64_t completed;
	uint64_t failed;
	uint64_t seqno;
	uint64_t waits_implicit;
	uint64_t waits_cross_device;
	uint64_t waits_cpu;
	uint64_t waits_explicit;
	/* Not checked by engine_assert_delta(): a test reads them itself. */
	uint64_t dep_timeouts;
	uint64_t exec_timeouts;
};

/* Skips if the file is not readable. */
void engine_stats_require(int fd);
struct engine_stats engine_stats(int fd);
/* Asserts that each counter of @after - @before equals @delta. */
#define engine_assert_delta(before, after, ...) \
	__engine_assert_delta(__FILE__, __LINE__, (before), (after), \
			      (struct engine_stats){ __VA_ARGS__ })
void __engine_assert_delta(const char *file, int line,
			   struct engine_stats before,
			   struct engine_stats after, struct engine_stats delta);

/*
 * /sys/kernel/debug/dri/<minor>/vrender_fences: FENCE_ATTACH fences whose
 * expiry timer is armed, on @fd's device. The first skips if unreadable.
 */
void fence_timers_require(int fd);
uint64_t fence_timers(int fd);

/* sync_file fence names (SYNC_IOC_FILE_INFO of a single fence). */
void fence_names(int fence_fd, char driver[32], char timeline[32]);

/* Value of @key on the primegem_objects line of object @id. */
uint64_t debugfs_object_key(int fd, uint64_t id, const char *key);

/*
 * Nothing expires by itself on @fd's device during the test: its fence
 * timeout is raised to 10 s and its job timeout to 20 s if lower (debugfs
 * knobs, restored at exit).
 */
void timeouts_at_least_default(int fd);

/*
 * Module parameters: param_set() saves the value the first time and
 * installs an exit handler that restores every saved parameter; it skips
 * if the parameter cannot be written. param_restore() restores one now.
 */
void param_set(const char *mod, const char *name, const char *val);
void param_set_uint(const char *mod, const char *name, unsigned int val);
void param_restore(const char *mod, const char *name);
void param_restore_all(void);

/* The lowest free file descriptor number. */
int lowest_free_fd(void);

#endif /* SUBMIT_H */
