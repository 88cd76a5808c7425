// SPDX-License-Identifier: MIT
/*
 * Jobs and sw_sync timelines: fences whose signalling the test controls
 * exactly, as explicit in-fences and imported into a buffer's implicit
 * fences. Debian's kernel has no CONFIG_SW_SYNC, so this skips under
 * `make check` and runs under `make check-debug`.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/types.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "submit.h"

/* sw_sync's UAPI lives in drivers/dma-buf/sw_sync.c, not in a header. */
struct sw_sync_create_fence_data {
	__u32 value;
	char name[32];
	__s32 fence;
};

#define SW_SYNC_IOC_MAGIC	'W'
#define SW_SYNC_IOC_CREATE_FENCE \
	_IOWR(SW_SYNC_IOC_MAGIC, 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC		_IOW(SW_SYNC_IOC_MAGIC, 1, __u32)

#define SW_SYNC_PATH		"/sys/kernel/debug/sync/sw_sync"
#define PAGE			4096

static int fd = -1;

static int timeline_create(void)
{
	return open(SW_SYNC_PATH, O_RDWR | O_CLOEXEC);
}

/* A sync_file that signals when @timeline reaches @value. */
static int timeline_fence(int timeline, uint32_t value)
{
	struct sw_sync_create_fence_data data = { .value = value };

	strcpy(data.name, "vprime");
	igt_assert_eq(ioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, &data), 0);
	return data.fence;
}

static void timeline_inc(int timeline, uint32_t count)
{
	igt_assert_eq(ioctl(timeline, SW_SYNC_IOC_INC, &count), 0);
}

/* A job waits for its explicit in-fence, and only for it. */
static void test_in_fence(void)
{
	struct buf x = buf_create(fd, PAGE, 0);
	struct job j = job_fill(x.handle, 0, x.size, 0xc0ffee);
	struct engine_stats before = engine_stats(fd);
	int timeline = timeline_create(), in, out;

	in = timeline_fence(timeline, 1);
	job_in_fence(&j, in);
	out = job_submit(fd, &j);
	fence_assert_busy(out);
	buf_check(&x, 0, x.size, 0);

	timeline_inc(timeline, 1);
	igt_assert_eq(fence_wait_status(out), 1);
	buf_check(&x, 0, x.size, 0xc0ffee);
	engine_assert_delta(before, engine_stats(fd), .submitted = 1,
			    .completed = 1, .waits_explicit = 1);

	close(out);
	close(in);
	close(timeline);
	buf_destroy(&x);
}

/*
 * A sw_sync fence imported into X as a write fence: a job reading X waits
 * for it through implicit sync, and so does poll() on X's dma-buf.
 */
static void test_import_into_buffer(void)
{
	struct buf x = buf_create(fd, PAGE, 0), y = buf_create(fd, PAGE, 0);
	struct job j = job_copy(y.handle, 0, x.handle, 0, PAGE);
	struct engine_stats before = engine_stats(fd);
	int timeline = timeline_create(), dmabuf = buf_dmabuf(&x), in, out;

	buf_set(&x, 0, x.size, 0x1234);
	in = timeline_fence(timeline, 2);
	dmabuf_import_sync_file(dmabuf, DMA_BUF_SYNC_WRITE, in);
	out = job_submit(fd, &j);
	fence_assert_busy(out);
	igt_assert(!fd_poll(dmabuf, POLLIN, 0));

	timeline_inc(timeline, 1);	/* not there yet */
	fence_assert_busy(out);
	timeline_inc(timeline, 1);
	igt_assert_eq(fence_wait_status(out), 1);
	igt_assert(fd_poll(dmabuf, POLLIN, FENCE_TIMEOUT_MS));
	buf_check(&y, 0, y.size, 0x1234);
	engine_assert_delta(before, engine_stats(fd), .submitted = 1,
			    .completed = 1, .waits_implicit = 1);

	close(out);
	close(in);
	close(dmabuf);
	close(timeline);
	buf_destroy(&y);
	buf_destroy(&x);
}

igt_main
{
	igt_fixture {
		int timeline;

		fd = vrender_open(0);
		engine_stats_require(fd);
		igt_require_f(debugfs_available(fd), "needs debugfs\n");
		timeline = timeline_create();
		igt_require_f(timeline >= 0,
			      "needs CONFIG_SW_SYNC (not in Debian's kernel; make check-debug has it)\n");
		close(timeline);
	}

	igt_subtest("sw-sync-in-fence")
		test_in_fence();
	igt_subtest("sw-sync-import-into-buffer")
		test_import_into_buffer();

	igt_fixture
		close(fd);
}
