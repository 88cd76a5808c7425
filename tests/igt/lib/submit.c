// SPDX-License-Identifier: MIT
/*
 * vrender jobs, fences, gates, engine counters and parameter overrides.
 * See submit.h.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <xf86drm.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "submit.h"

/* Older uapi headers lack the sync_file interop of dma-buf (Linux 6.0). */
#ifndef DMA_BUF_IOCTL_EXPORT_SYNC_FILE
struct dma_buf_export_sync_file {
	__u32 flags;
	__s32 fd;
};

struct dma_buf_import_sync_file {
	__u32 flags;
	__s32 fd;
};

#define DMA_BUF_IOCTL_EXPORT_SYNC_FILE \
	_IOWR(DMA_BUF_BASE, 2, struct dma_buf_export_sync_file)
#define DMA_BUF_IOCTL_IMPORT_SYNC_FILE \
	_IOW(DMA_BUF_BASE, 3, struct dma_buf_import_sync_file)
#endif

static int __ioctl(int fd, unsigned long request, void *arg)
{
	return drmIoctl(fd, request, arg) ? -errno : 0;
}

/* Jobs */

struct job job_fill(uint32_t dst, uint64_t offset, uint64_t size,
		    uint32_t value)
{
	struct job j = {
		.bos[0] = { .handle = dst, .flags = VRENDER_BO_WRITE },
		.arg = {
			.bo_count = 1,
			.op = VRENDER_OP_FILL,
			.value = value,
			.dst_offset = offset,
			.size = size,
			.flags = VRENDER_SUBMIT_OUT_FENCE_FD,
		},
	};

	return j;
}

struct job job_copy(uint32_t dst, uint64_t dst_offset, uint32_t src,
		    uint64_t src_offset, uint64_t size)
{
	struct job j = {
		.bos[0] = { .handle = dst, .flags = VRENDER_BO_WRITE },
		.bos[1] = { .handle = src, .flags = VRENDER_BO_READ },
		.arg = {
			.bo_count = 2,
			.op = VRENDER_OP_COPY,
			.src = 1,
			.dst_offset = dst_offset,
			.src_offset = src_offset,
			.size = size,
			.flags = VRENDER_SUBMIT_OUT_FENCE_FD,
		},
	};

	return j;
}

unsigned int job_add_bo(struct job *j, uint32_t handle, uint32_t flags)
{
	unsigned int i = j->arg.bo_count;

	igt_assert_lt(i, JOB_MAX_BOS);
	j->bos[i].handle = handle;
	j->bos[i].flags = flags;
	j->arg.bo_count++;
	return i;
}

void job_in_fence(struct job *j, int fence_fd)
{
	j->arg.flags |= VRENDER_SUBMIT_IN_FENCE_FD;
	j->arg.in_fence_fd = fence_fd;
}

void job_in_syncobj(struct job *j, uint32_t syncobj, uint64_t point)
{
	j->arg.flags |= VRENDER_SUBMIT_IN_SYNCOBJ;
	j->arg.in_syncobj = syncobj;
	j->arg.in_point = point;
}

void job_out_syncobj(struct job *j, uint32_t syncobj, uint64_t point)
{
	j->arg.flags |= VRENDER_SUBMIT_OUT_SYNCOBJ;
	j->arg.out_syncobj = syncobj;
	j->arg.out_point = point;
}

int __vrender_submit(int fd, struct drm_vrender_submit *arg)
{
	return __ioctl(fd, DRM_IOCTL_VRENDER_SUBMIT, arg);
}

int __job_submit(int fd, struct job *j)
{
	j->arg.bos = (uintptr_t)j->bos;
	return __vrender_submit(fd, &j->arg);
}

int job_submit(int fd, struct job *j)
{
	igt_assert_eq(__job_submit(fd, j), 0);
	if (!(j->arg.flags & VRENDER_SUBMIT_OUT_FENCE_FD))
		return -1;
	igt_assert_lte(0, j->arg.out_fence_fd);
	return j->arg.out_fence_fd;
}

/* sync_file */

int fence_status(int fence_fd)
{
	struct sync_file_info info = { 0 };

	igt_assert_eq(__ioctl(fence_fd, SYNC_IOC_FILE_INFO, &info), 0);
	return info.status;
}

void fence_names(int fence_fd, char driver[32], char timeline[32])
{
	struct sync_fence_info fi = { 0 };
	struct sync_file_info info = {
		.num_fences = 1,
		.sync_fence_info = (uintptr_t)&fi,
	};

	igt_assert_eq(__ioctl(fence_fd, SYNC_IOC_FILE_INFO, &info), 0);
	igt_assert_eq(info.num_fences, 1);
	memcpy(driver, fi.driver_name, 32);
	memcpy(timeline, fi.obj_name, 32);
	driver[31] = timeline[31] = '\0';
}

bool fence_wait(int fence_fd, int timeout_ms)
{
	return fd_poll(fence_fd, POLLIN, timeout_ms);
}

int fence_wait_status(int fence_fd)
{
	igt_assert_f(fence_wait(fence_fd, FENCE_TIMEOUT_MS),
		     "fence not signalled after %d ms\n", FENCE_TIMEOUT_MS);
	return fence_status(fence_fd);
}

void fence_wait_ok(int fence_fd)
{
	int status = fence_wait_status(fence_fd);

	igt_assert_f(status == 1, "fence status %d, expected 1\n", status);
	close(fence_fd);
}

/* dma-buf sync_file interop */

int __dmabuf_export_sync_file(int dmabuf, uint32_t flags, int *fence_fd)
{
	struct dma_buf_export_sync_file arg = { .flags = flags, .fd = -1 };
	int err = __ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg);

	*fence_fd = arg.fd;
	return err;
}

int dmabuf_export_sync_file(int dmabuf, uint32_t flags)
{
	int fence_fd;

	igt_assert_eq(__dmabuf_export_sync_file(dmabuf, flags, &fence_fd), 0);
	igt_assert_lte(0, fence_fd);
	return fence_fd;
}

int __dmabuf_import_sync_file(int dmabuf, uint32_t flags, int fence_fd)
{
	struct dma_buf_import_sync_file arg = { .flags = flags,
						.fd = fence_fd };

	return __ioctl(dmabuf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg);
}

void dmabuf_import_sync_file(int dmabuf, uint32_t flags, int fence_fd)
{
	igt_assert_eq(__dmabuf_import_sync_file(dmabuf, flags, fence_fd), 0);
}

/* Gates */

struct gate gate_create(int fd)
{
	struct gate g = { .fd = fd };

	g.handle = gem_create(fd, igt_page_size(), 0);
	g.fence = vrender_fence_attach(fd, g.handle, VRENDER_FENCE_WRITE);
	return g;
}

void gate_hold(struct job *j, const struct gate *g)
{
	job_add_bo(j, g->handle, VRENDER_BO_READ);
}

void gate_open(struct gate *g)
{
	igt_assert(!g->open);
	vgem_fence_signal(g->fd, g->fence);
	g->open = true;
}

void gate_destroy(struct gate *g)
{
	if (!g->open)
		gate_open(g);
	gem_close(g->fd, g->handle);
}

/* Buffers */

static uint32_t *buf_map(int fd, uint32_t handle, uint64_t size)
{
	return gem_mmap(fd, handle, 0, size / igt_page_size(),
			PROT_READ | PROT_WRITE);
}

struct buf buf_create(int fd, uint64_t size, uint32_t flags)
{
	struct drm_vrender_gem_create arg = { .size = size, .flags = flags };
	struct buf b = { .fd = fd };

	igt_assert_eq(__gem_create(fd, &arg), 0);
	b.handle = arg.handle;
	b.size = arg.size;
	b.map = buf_map(fd, b.handle, b.size);
	return b;
}

struct buf buf_import(int fd, const struct buf *b, bool map)
{
	int dmabuf = buf_dmabuf(b);
	struct buf imp = { .fd = fd, .size = b->size };

	imp.handle = prime_fd_to_handle(fd, dmabuf);
	close(dmabuf);
	if (map)
		imp.map = buf_map(fd, imp.handle, imp.size);
	return imp;
}

int buf_dmabuf(const struct buf *b)
{
	return prime_handle_to_fd(b->fd, b->handle);
}

void buf_destroy(struct buf *b)
{
	if (b->map)
		munmap(b->map, b->size);
	gem_close(b->fd, b->handle);
	b->map = NULL;
}

void buf_check(const struct buf *b, uint64_t offset, uint64_t size,
	       uint32_t value)
{
	const volatile uint32_t *p = b->map;

	igt_assert(p && offset % 4 == 0 && size % 4 == 0);
	for (uint64_t i = offset / 4; i < (offset + size) / 4; i++)
		igt_assert_f(p[i] == value,
			     "buffer %u byte %llu: 0x%08x, expected 0x%08x\n",
			     b->handle, (unsigned long long)i * 4, p[i],
			     value);
}

void buf_set(struct buf *b, uint64_t offset, uint64_t size, uint32_t value)
{
	igt_assert(b->map && offset % 4 == 0 && size % 4 == 0);
	for (uint64_t i = offset / 4; i < (offset + size) / 4; i++)
		b->map[i] = value;
}

/* debugfs */

static bool read_dri_file(int fd, const char *name, char *buf, size_t len)
{
	char path[128];
	size_t total = 0;
	ssize_t n;
	int dfd;

	if (!debugfs_dri_dir(fd, path, sizeof(path)))
		return false;
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s",
		 name);
	dfd = open(path, O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		return false;
	while ((n = read(dfd, buf + total, len - 1 - total)) > 0)
		total += n;
	close(dfd);
	igt_assert_f(total < len - 1, "%s larger than %zu bytes\n", path,
		     len - 1);
	buf[total] = '\0';
	return n == 0;
}

/* Value of " key=" or "key=" at the start, in @s; asserts it is there. */
static uint64_t key_value(const char *s, const char *key)
{
	size_t klen = strlen(key);
	const char *p = s;
	char *end;
	uint64_t val;

	for (;;) {
		p = strstr(p, key);
		igt_assert_f(p, "no %s= in \"%s\"\n", key, s);
		if ((p == s || p[-1] == ' ' || p[-1] == '\n') &&
		    p[klen] == '=')
			break;
		p += klen;
	}
	val = strtoull(p + klen + 1, &end, 10);
	igt_assert_f(end != p + klen + 1, "bad %s= in \"%s\"\n", key, s);
	return val;
}

void engine_stats_require(int fd)
{
	char buf[512];

	igt_require_f(read_dri_file(fd, "vrender_engine", buf, sizeof(buf)),
		      "debugfs vrender_engine not readable\n");
}

struct engine_stats engine_stats(int fd)
{
	struct engine_stats s;
	char buf[512];

	igt_assert_f(read_dri_file(fd, "vrender_engine", buf, sizeof(buf)),
		     "cannot read debugfs vrender_engine\n");
#define KEY(k) s.k = key_value(buf, #k)
	KEY(submitted); KEY(queued); KEY(running); KEY(completed);
	KEY(failed); KEY(seqno); KEY(waits_implicit);
	KEY(waits_cross_device); KEY(waits_cpu); KEY(waits_explicit);
#undef KEY
	/* Counters of the drm_sched engine, 0 where the kernel has none. */
	s.dep_timeouts = strstr(buf, "dep_timeouts=") ?
		key_value(buf, "dep_timeouts") : 0;
	s.exec_timeouts = strstr(buf, "exec_timeouts=") ?
		key_value(buf, "exec_timeouts") : 0;
	return s;
}

void fence_timers_require(int fd)
{
	char buf[128];

	igt_require_f(read_dri_file(fd, "vrender_fences", buf, sizeof(buf)),
		      "debugfs vrender_fences not readable\n");
}

uint64_t fence_timers(int fd)
{
	char buf[128];

	igt_assert_f(read_dri_file(fd, "vrender_fences", buf, sizeof(buf)),
		     "cannot read debugfs vrender_fences\n");
	return key_value(buf, "timers");
}

void __engine_assert_delta(const char *file, int line,
			   struct engine_stats before,
			   struct engine_stats after, struct engine_stats delta)
{
	static const struct {
		const char *name;
		size_t offset;
	} keys[] = {
#define KEY(k) { #k, offsetof(struct engine_stats, k) }
		KEY(submitted), KEY(completed), KEY(failed),
		KEY(waits_implicit), KEY(waits_cross_device), KEY(waits_cpu),
		KEY(waits_explicit),
#undef KEY
	};

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		uint64_t b = *(uint64_t *)((char *)&before + keys[i].offset);
		uint64_t a = *(uint64_t *)((char *)&after + keys[i].offset);
		uint64_t d = *(uint64_t *)((char *)&delta + keys[i].offset);

		igt_assert_f(a - b == d,
			     "%s:%d: vrender_engine %s went from %llu to %llu, expected +%llu\n",
			     file, line, keys[i].name, (unsigned long long)b,
			     (unsigned long long)a, (unsigned long long)d);
	}
}

uint64_t debugfs_object_key(int fd, uint64_t id, const char *key)
{
	char want[32], *buf, *line, *save;
	size_t len = 1 << 20;
	uint64_t val = 0;
	bool found = false;

	buf = malloc(len);
	igt_assert(buf);
	igt_assert_f(read_dri_file(fd, "primegem_objects", buf, len),
		     "cannot read debugfs primegem_objects\n");
	snprintf(want, sizeof(want), "id=%llu ", (unsigned long long)id);
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		val = key_value(line, key);
		found = true;
	}
	free(buf);
	igt_assert_f(found, "object id=%llu not in primegem_objects\n",
		     (unsigned long long)id);
	return val;
}

void timeouts_at_least_default(int fd)
{
	debugfs_knob_at_least(fd, "vrender_fence_timeout_ms", 10000);
	debugfs_knob_at_least(fd, "vrender_job_timeout_ms", 20000);
}

/* Module parameters */

#define MAX_PARAMS	8

static struct saved_param {
	char mod[32];
	char name[64];
	char val[64];
} saved[MAX_PARAMS];
static int num_saved;

static struct saved_param *find_saved(const char *mod, const char *name)
{
	for (int i = 0; i < num_saved; i++)
		if (!strcmp(saved[i].mod, mod) && !strcmp(saved[i].name, name))
			return &saved[i];
	return NULL;
}

void param_restore_all(void)
{
	for (int i = 0; i < num_saved; i++)
		__module_param_write(saved[i].mod, saved[i].name,
				     saved[i].val);
}

static void restore_params_handler(int sig)
{
	(void)sig;
	param_restore_all();
}

void param_set(const char *mod, const char *name, const char *val)
{
	struct saved_param *p = find_saved(mod, name);
	int err;

	if (!p) {
		igt_assert(num_saved < MAX_PARAMS);
		p = &saved[num_saved];
		igt_require_f(module_param_read(mod, name, p->val,
						sizeof(p->val)),
			      "%s.%s not readable\n", mod, name);
		snprintf(p->mod, sizeof(p->mod), "%s", mod);
		snprintf(p->name, sizeof(p->name), "%s", name);
		num_saved++;
		igt_install_exit_handler(restore_params_handler);
	}
	err = __module_param_write(mod, name, val);
	igt_require_f(err == 0, "cannot write %s.%s: %s\n", mod, name,
		      strerror(-err));
}

void param_set_uint(const char *mod, const char *name, unsigned int val)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", val);
	param_set(mod, name, buf);
}

void param_restore(const char *mod, const char *name)
{
	struct saved_param *p = find_saved(mod, name);

	if (p)
		igt_assert_eq(__module_param_write(mod, name, p->val), 0);
}

int lowest_free_fd(void)
{
	int fd = dup(0);

	igt_assert_lte(0, fd);
	close(fd);
	return fd;
}
