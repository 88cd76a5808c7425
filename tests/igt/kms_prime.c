// SPDX-License-Identifier: MIT
/*
 * vdisplay scanning out buffers rendered by vrender: imported framebuffers,
 * MAP_DUMB of imported buffers, implicit fences (vgem-style FENCE_ATTACH),
 * IN_FENCE_FD and OUT_FENCE_PTR.
 */
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <linux/dma-buf.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "kms.h"

static int fd = -1;	/* vdisplay */
static int vr = -1;	/* vrender.0 */
static struct kms k;

/* A buffer of vrender.0, exported and imported into vdisplay as an FB. */
struct shared_fb {
	uint32_t vr_handle;
	uint32_t handle;
	uint32_t fb_id;
	uint32_t pitch;
	uint64_t size;
	int dmabuf;
	void *map;	/* vrender's mapping */
};

static void shared_fb_create(struct shared_fb *s, uint32_t seed)
{
	struct drm_mode_create_dumb arg = { .width = k.mode.hdisplay,
					    .height = k.mode.vdisplay,
					    .bpp = 32 };
	uint32_t h[4] = {}, p[4] = {}, o[4] = {};

	dumb_create(vr, &arg);
	s->vr_handle = arg.handle;
	s->pitch = arg.pitch;
	s->size = arg.size;
	s->map = mmap_checked(arg.size, PROT_READ | PROT_WRITE, MAP_SHARED, vr,
			      dumb_map(vr, arg.handle));
	kms_fb_pattern(s->map, arg.width, arg.height, arg.pitch, seed);
	s->dmabuf = prime_handle_to_fd(vr, s->vr_handle);
	s->handle = prime_fd_to_handle(fd, s->dmabuf);
	h[0] = s->handle;
	p[0] = s->pitch;
	igt_assert_eq(drmModeAddFB2(fd, arg.width, arg.height,
				    DRM_FORMAT_XRGB8888, h, p, o, &s->fb_id, 0),
		      0);
}

static void shared_fb_destroy(struct shared_fb *s)
{
	drmModeRmFB(fd, s->fb_id);
	gem_close(fd, s->handle);
	close(s->dmabuf);
	munmap(s->map, s->size);
	gem_close(vr, s->vr_handle);
}

static void dumb_fb_pattern(struct kms_fb *fb, uint32_t seed)
{
	kms_dumb_fb(fd, k.mode.hdisplay, k.mode.vdisplay, DRM_FORMAT_XRGB8888,
		    fb);
	kms_fb_pattern(fb->map, fb->width, fb->height, fb->pitch, seed);
}

static void test_import_scanout(void)
{
	struct vdisplay_frame_header hdr;
	struct shared_fb s;
	struct kms_fb same, other;
	struct pipe_crc pc;
	uint32_t crc_same, crc_shared, crc_other, *pix, y;

	shared_fb_create(&s, 3);
	dumb_fb_pattern(&same, 3);
	dumb_fb_pattern(&other, 4);

	igt_assert_eq(kms_commit_primary(&k, other.fb_id, 0, -1, NULL), 0);
	pipe_crc_start(fd, &pc);
	crc_same = pipe_crc_at(&pc, kms_flip_wait(&k, same.fb_id));
	crc_shared = pipe_crc_at(&pc, kms_flip_wait(&k, s.fb_id));
	crc_other = pipe_crc_at(&pc, kms_flip_wait(&k, other.fb_id));
	pipe_crc_stop(&pc);
	igt_info("dumb %08x, imported %08x, other %08x\n", crc_same,
		 crc_shared, crc_other);
	igt_assert_eq(crc_shared, crc_same);
	igt_assert_neq(crc_shared, crc_other);

	/* The captured frame is vrender's buffer, pixel for pixel. */
	kms_flip_wait(&k, s.fb_id);
	pix = capture_frame(fd, &hdr);
	igt_assert_eq(hdr.crc, crc_shared);
	for (y = 0; y < hdr.height; y++) {
		const uint32_t *row = (uint32_t *)((char *)s.map + y * s.pitch);
		uint32_t x;

		for (x = 0; x < hdr.width; x++)
			igt_assert_eq(pix[y * hdr.width + x], 0xff000000 | row[x]);
	}
	free(pix);

	/* vrender renders into the scanned-out buffer: the next frame shows it. */
	((uint32_t *)s.map)[0] = 0x00abcdef;
	pix = capture_frame(fd, &hdr);
	igt_assert_eq(pix[0], 0xffabcdef);
	free(pix);

	igt_assert_eq(kms_disable(&k), 0);
	kms_fb_destroy(&same);
	kms_fb_destroy(&other);
	shared_fb_destroy(&s);
}

static void test_import_map_dumb(void)
{
	struct shared_fb s;
	uint32_t *map;
	uint64_t offset;

	shared_fb_create(&s, 5);
	igt_assert_eq(__dumb_map(fd, s.handle, &offset), 0);
	map = mmap_checked(s.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   offset);
	igt_assert(!memcmp(map, s.map, s.size));
	map[17] = 0xdeadbeef;
	igt_assert_eq(((uint32_t *)s.map)[17], 0xdeadbeef);
	munmap(map, s.size);
	igt_assert_eq(__dumb_map(fd, 0x7fffffff, &offset), -ENOENT);
	shared_fb_destroy(&s);
}

/* The read-only rule holds for vdisplay importing a vrender buffer too. */
static void test_import_readonly_map_dumb(void)
{
	struct drm_mode_create_dumb arg = { .width = 64, .height = 64,
					    .bpp = 32 };
	uint32_t handle;
	uint64_t offset;
	void *map;
	int dmabuf;

	dumb_create(vr, &arg);
	dmabuf = prime_handle_to_fd_flags(vr, arg.handle, DRM_CLOEXEC);
	handle = prime_fd_to_handle(fd, dmabuf);
	offset = dumb_map(fd, handle);
	igt_assert_eq(__mmap_err(&map, arg.size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, offset), -EACCES);
	map = mmap_checked(arg.size, PROT_READ, MAP_SHARED, fd, offset);
	igt_assert_eq(mprotect(map, arg.size, PROT_READ | PROT_WRITE), -1);
	igt_assert_eq(errno, EACCES);
	munmap(map, arg.size);
	gem_close(fd, handle);
	close(dmabuf);
	igt_assert_eq(__dumb_destroy(vr, arg.handle), 0);
}

/* Commit @fb_id nonblocking with an event; the event must not come yet. */
static void flip_held(uint32_t fb_id, int in_fence, int *out_fence)
{
	struct drm_event_vblank ev;

	igt_assert_eq(kms_commit_primary(&k, fb_id, DRM_MODE_PAGE_FLIP_EVENT |
					 DRM_MODE_ATOMIC_NONBLOCK, in_fence,
					 out_fence), 0);
	igt_assert_f(!kms_wait_event(fd, 500, &ev),
		     "flip completed with its fence unsignalled\n");
	if (out_fence)
		igt_assert_f(!fd_poll(*out_fence, POLLIN, 0),
			     "out-fence signalled before the flip\n");
}

static uint32_t flip_released(void)
{
	struct drm_event_vblank ev;

	igt_assert_f(kms_wait_event(fd, 5000, &ev),
		     "no flip event after the fence signalled\n");
	igt_assert_eq(ev.base.type, DRM_EVENT_FLIP_COMPLETE);
	return ev.sequence;
}

static void test_implicit_fence(void)
{
	struct shared_fb s;
	struct kms_fb a;
	struct pipe_crc pc;
	uint32_t crc_a, crc_s, frame, value, fence, seq;

	shared_fb_create(&s, 6);
	dumb_fb_pattern(&a, 7);
	igt_assert_eq(kms_commit_primary(&k, a.fb_id, 0, -1, NULL), 0);
	pipe_crc_start(fd, &pc);
	crc_a = pipe_crc_at(&pc, kms_flip_wait(&k, a.fb_id));

	/* vrender "renders" into the buffer: a write fence in its resv. */
	fence = vrender_fence_attach(vr, s.vr_handle, VRENDER_FENCE_WRITE);
	flip_held(s.fb_id, -1, NULL);
	/* Meanwhile the old frame stays on screen. */
	while (pipe_crc_next(&pc, 0, &frame, &value))
		igt_assert_eq(value, crc_a);

	vgem_fence_signal(vr, fence);
	seq = flip_released();
	crc_s = pipe_crc_at(&pc, seq);
	pipe_crc_stop(&pc);
	igt_assert_neq(crc_s, crc_a);

	/* A read fence does not hold a flip back. */
	fence = vrender_fence_attach(vr, s.vr_handle, 0);
	kms_flip_wait(&k, a.fb_id);
	kms_flip_wait(&k, s.fb_id);
	vgem_fence_signal(vr, fence);

	igt_assert_eq(kms_disable(&k), 0);
	kms_fb_destroy(&a);
	shared_fb_destroy(&s);
}

static void test_fence_no_wakeup(void)
{
	struct drm_event_vblank ev;
	struct timespec start;
	struct shared_fb s;
	struct kms_fb a;
	double t;

	shared_fb_create(&s, 8);
	dumb_fb_pattern(&a, 9);
	igt_assert_eq(kms_commit_primary(&k, a.fb_id, 0, -1, NULL), 0);

	/* The fence signals by itself after 400 ms: nobody wakes up. */
	debugfs_knob_set(vr, "vrender_fence_timeout_ms", 400);
	clock_gettime(CLOCK_MONOTONIC, &start);
	vrender_fence_attach(vr, s.vr_handle, VRENDER_FENCE_WRITE);
	debugfs_knob_restore(vr, "vrender_fence_timeout_ms");
	igt_assert_eq(kms_commit_primary(&k, s.fb_id, DRM_MODE_PAGE_FLIP_EVENT |
					 DRM_MODE_ATOMIC_NONBLOCK, -1, NULL), 0);
	igt_assert(kms_wait_event(fd, 10000, &ev));
	t = igt_time_elapsed(&start);
	igt_info("flip completed %.3f s after the fence was attached\n", t);
	igt_assert_f(t >= 0.39, "flip after %.3f s, before the fence\n", t);

	igt_assert_eq(kms_disable(&k), 0);
	kms_fb_destroy(&a);
	shared_fb_destroy(&s);
}

/* A sync_file of an unsignalled vrender fence, and its id. */
static int held_sync_file(uint32_t *vr_handle, uint32_t *fence)
{
	struct drm_mode_create_dumb arg = { .width = 64, .height = 64,
					    .bpp = 32 };
	struct dma_buf_export_sync_file exp = { .flags = DMA_BUF_SYNC_RW };
	int dmabuf;

	dumb_create(vr, &arg);
	*vr_handle = arg.handle;
	*fence = vrender_fence_attach(vr, arg.handle, VRENDER_FENCE_WRITE);
	dmabuf = prime_handle_to_fd(vr, arg.handle);
	igt_require_f(ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp) == 0,
		      "DMA_BUF_IOCTL_EXPORT_SYNC_FILE: %s\n", strerror(errno));
	close(dmabuf);
	igt_assert(!fd_poll(exp.fd, POLLIN, 0));
	return exp.fd;
}

static void test_in_fence(void)
{
	struct kms_fb a, b;
	struct pipe_crc pc;
	uint32_t crc_a, crc_b, frame, value, fence, bo;
	int sync, dmabuf;

	dumb_fb_pattern(&a, 10);
	dumb_fb_pattern(&b, 11);
	igt_assert_eq(kms_commit_primary(&k, a.fb_id, 0, -1, NULL), 0);
	pipe_crc_start(fd, &pc);
	crc_a = pipe_crc_at(&pc, kms_flip_wait(&k, a.fb_id));

	sync = held_sync_file(&bo, &fence);
	flip_held(b.fb_id, sync, NULL);
	while (pipe_crc_next(&pc, 0, &frame, &value))
		igt_assert_eq(value, crc_a);
	vgem_fence_signal(vr, fence);
	crc_b = pipe_crc_at(&pc, flip_released());
	pipe_crc_stop(&pc);
	igt_assert_neq(crc_b, crc_a);
	close(sync);
	gem_close(vr, bo);

	/* Not a sync_file: a dma-buf fd, and a closed fd. */
	dmabuf = prime_handle_to_fd(fd, a.handle);
	igt_assert_eq(kms_commit_primary(&k, a.fb_id, DRM_MODE_ATOMIC_NONBLOCK,
					 dmabuf, NULL), -EINVAL);
	close(dmabuf);
	igt_assert_eq(kms_commit_primary(&k, a.fb_id, DRM_MODE_ATOMIC_NONBLOCK,
					 dmabuf, NULL), -EINVAL);

	igt_assert_eq(kms_disable(&k), 0);
	kms_fb_destroy(&a);
	kms_fb_destroy(&b);
}

/*
 * DRM's rule: an explicit IN_FENCE_FD replaces the implicit fences (only
 * kernel-internal ones still count), so a flip with a signalled in-fence
 * goes through although the buffer has an unsignalled write fence.
 */
static void test_in_fence_overrides_implicit(void)
{
	struct shared_fb s;
	struct kms_fb a;
	uint32_t implicit, fence, bo;
	int sync;

	shared_fb_create(&s, 14);
	dumb_fb_pattern(&a, 15);
	igt_assert_eq(kms_commit_primary(&k, a.fb_id, 0, -1, NULL), 0);

	implicit = vrender_fence_attach(vr, s.vr_handle, VRENDER_FENCE_WRITE);
	sync = held_sync_file(&bo, &fence);
	vgem_fence_signal(vr, fence);
	igt_assert(fd_poll(sync, POLLIN, 1000));
	igt_assert_eq(kms_commit_primary(&k, s.fb_id, DRM_MODE_PAGE_FLIP_EVENT |
					 DRM_MODE_ATOMIC_NONBLOCK, sync, NULL),
		      0);
	flip_released();
	vgem_fence_signal(vr, implicit);
	close(sync);
	gem_close(vr, bo);

	igt_assert_eq(kms_disable(&k), 0);
	kms_fb_destroy(&a);
	shared_fb_destroy(&s);
}

static void test_out_fence(void)
{
	struct kms_fb a, b;
	uint32_t fence, bo;
	int sync, out = -1;

	dumb_fb_pattern(&a, 12);
	dumb_fb_pattern(&b, 13);
	igt_assert_eq(kms_commit_primary(&k, a.fb_id, 0, -1, NULL), 0);

	/* Plain flip: the out-fence signals with the flip. */
	igt_assert_eq(kms_commit_primary(&k, b.fb_id, DRM_MODE_PAGE_FLIP_EVENT |
					 DRM_MODE_ATOMIC_NONBLOCK, -1, &out), 0);
	igt_assert(out >= 0);
	flip_released();
	igt_assert(fd_poll(out, POLLIN, 1000));
	close(out);

	/* Held by an in-fence: neither event nor out-fence until it signals. */
	sync = held_sync_file(&bo, &fence);
	flip_held(a.fb_id, sync, &out);
	igt_assert(out >= 0);
	vgem_fence_signal(vr, fence);
	flip_released();
	igt_assert(fd_poll(out, POLLIN, 1000));
	close(out);
	close(sync);
	gem_close(vr, bo);

	/* OUT_FENCE_PTR to an unmapped address. */
	{
		drmModeAtomicReq *req = drmModeAtomicAlloc();

		igt_assert(req);
		igt_assert(drmModeAtomicAddProperty(req, k.crtc_id,
						    k.prop_crtc[CRTC_OUT_FENCE_PTR],
						    8) > 0);
		igt_assert(drmModeAtomicCommit(fd, req, DRM_MODE_ATOMIC_NONBLOCK,
					       NULL) == -EFAULT);
		drmModeAtomicFree(req);
	}

	igt_assert_eq(kms_disable(&k), 0);
	kms_fb_destroy(&a);
	kms_fb_destroy(&b);
}

igt_main
{
	igt_fixture {
		fd = vdisplay_open();
		kms_init(&k, fd);
		vr = vrender_open(0);
	}

	igt_subtest("import-vrender-scanout-crc")
		test_import_scanout();
	igt_subtest("import-vrender-map-dumb")
		test_import_map_dumb();
	igt_subtest("import-vrender-readonly-map-dumb")
		test_import_readonly_map_dumb();
	igt_subtest("implicit-fence-holds-flip")
		test_implicit_fence();
	igt_subtest("implicit-fence-flip-without-wakeup")
		test_fence_no_wakeup();
	igt_subtest("in-fence-holds-flip")
		test_in_fence();
	igt_subtest("in-fence-overrides-implicit")
		test_in_fence_overrides_implicit();
	igt_subtest("out-fence")
		test_out_fence();

	igt_fixture {
		kms_disable(&k);
		kms_fini(&k);
		close(vr);
		close(fd);
	}
}
