// SPDX-License-Identifier: MIT
/*
 * vrender basics: device naming and nodes, dumb buffers, GEM_INFO and the
 * primegem_objects debugfs file.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"
#include "ioctl_wrappers.h"

#define BAD_HANDLE	0xdeadbeefu

static int card = -1;
static int render = -1;

static void check_name(int fd, int i)
{
	char name[64];

	igt_assert_f(!strcmp(drm_driver_name(fd, name, sizeof(name)),
			     vrender_expected_name(i)),
		     "vrender.%d reports driver \"%s\", expected \"%s\"\n",
		     i, name, vrender_expected_name(i));
}

/*
 * IGT's drm_open_driver(DRIVER_*): a vrender card (or vrender.0 as "vgem"
 * with vgem_compat=1) and its render node; an empty chipset finds nothing.
 */
static void test_igt_drm_open_driver(void)
{
	int chipset = DRIVER_VRENDER | DRIVER_VGEM;
	int card = drm_open_driver(chipset);
	int render = drm_open_driver_render(chipset);
	char a[32], b[32];

	drm_driver_name(card, a, sizeof(a));
	igt_assert_f(!strcmp(a, "vrender") || !strcmp(a, "vgem"),
		     "opened %s\n", a);
	igt_assert_lte(128, drm_minor(render));
	igt_assert_lt(drm_minor(card), 128);
	igt_assert(!strcmp(drm_driver_name(render, b, sizeof(b)), a));
	igt_assert_eq(__drm_open_driver(0), -1);
	close(render);
	close(card);
}

static void test_driver_name(void)
{
	check_name(card, 0);
	check_name(render, 0);
}

static void test_nodes(void)
{
	uint64_t cap;

	igt_assert_lt(drm_minor(card), 64);
	igt_assert_lte(128, drm_minor(render));
	for (int i = 0; i < 2; i++) {
		int fd = i ? render : card;

		igt_assert_eq(drmGetCap(fd, DRM_CAP_PRIME, &cap), 0);
		igt_assert_eq(cap, DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT);
	}
}

static void test_all_devices(void)
{
	long devices = module_param_int("vrender", "devices");

	igt_assert_eq(vrender_count(), devices);
	for (int i = 0; i < devices; i++) {
		int c = vrender_open(i), r = vrender_open_render(i);

		check_name(c, i);
		check_name(r, i);
		close(c);
		close(r);
	}
}

static void test_dumb_create(void)
{
	static const struct { uint32_t w, h, bpp; } sizes[] = {
		{ 1, 1, 8 }, { 3, 5, 24 }, { 17, 33, 16 }, { 1024, 768, 32 },
		{ 1920, 1080, 32 }, { 1, 4096, 1 },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct drm_mode_create_dumb arg = {
			.width = sizes[i].w, .height = sizes[i].h,
			.bpp = sizes[i].bpp,
		};

		dumb_create(card, &arg);
		igt_assert_eq_u64(gem_info(card, arg.handle).size, arg.size);
		igt_assert_eq(__dumb_destroy(card, arg.handle), 0);
	}
}

static void expect_create_err(uint32_t w, uint32_t h, uint32_t bpp,
			      uint32_t flags, int err)
{
	struct drm_mode_create_dumb arg = {
		.width = w, .height = h, .bpp = bpp, .flags = flags,
	};

	igt_assert_f(__dumb_create(card, &arg) == err,
		     "CREATE_DUMB %ux%u bpp %u flags 0x%x: expected %s\n",
		     w, h, bpp, flags, strerror(-err));
}

static void test_dumb_create_zero(void)
{
	expect_create_err(0, 64, 32, 0, -EINVAL);
	expect_create_err(64, 0, 32, 0, -EINVAL);
	expect_create_err(64, 64, 0, 0, -EINVAL);
}

static void test_dumb_create_overflow(void)
{
	expect_create_err(0x10000, 0x10000, 32, 0, -EINVAL);
	expect_create_err(UINT32_MAX, 1, 16, 0, -EINVAL);
	expect_create_err(1, UINT32_MAX, 32, 0, -EINVAL);
	expect_create_err(1, 1, UINT32_MAX, 0, -EINVAL);
	/* size fits in 32 bits but PAGE_ALIGN(size) wraps to 0 */
	expect_create_err(1, 0xfffff001, 8, 0, -EINVAL);
}

static void test_dumb_create_flags(void)
{
	expect_create_err(64, 64, 32, 1, -EINVAL);
	expect_create_err(64, 64, 32, 1u << 31, -EINVAL);
}

static void test_dumb_zeroed(void)
{
	for (int round = 0; round < 4; round++) {
		struct bo bo = bo_create(card, 16);
		void *ptr = gem_mmap(card, bo.handle, 0, bo.npages,
				     PROT_READ | PROT_WRITE);

		zero_check(ptr, bo.size);
		pattern_fill(ptr, 0, bo.npages, round);
		munmap_pages(ptr, bo.npages);
		igt_assert_eq(__dumb_destroy(card, bo.handle), 0);
	}
}

static void test_dumb_map(void)
{
	struct bo bo = bo_create(card, 8);
	uint64_t offset = dumb_map(card, bo.handle);
	void *a, *b;

	igt_assert_eq_u64(dumb_map(card, bo.handle), offset);
	a = mmap_checked(bo.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 card, offset);
	b = mmap_checked(bo.size, PROT_READ, MAP_SHARED, card, offset);
	pattern_fill(a, 0, bo.npages, 1);
	pattern_check(b, 0, bo.npages, 1);
	munmap_pages(a, bo.npages);
	munmap_pages(b, bo.npages);
	gem_close(card, bo.handle);
}

static void test_dumb_map_bad_handle(void)
{
	uint64_t offset;

	igt_assert_eq(__dumb_map(card, 0, &offset), -ENOENT);
	igt_assert_eq(__dumb_map(card, BAD_HANDLE, &offset), -ENOENT);
}

static void test_dumb_destroy(void)
{
	struct bo bo = bo_create(card, 1);
	struct drm_vrender_gem_info info = { .handle = bo.handle };
	uint64_t offset;

	igt_assert_eq(__dumb_destroy(card, bo.handle), 0);
	igt_assert_eq(__gem_info(card, &info), -ENOENT);
	igt_assert_eq(__dumb_map(card, bo.handle, &offset), -ENOENT);
	/* drm_gem_handle_delete() returns -EINVAL for unknown handles */
	igt_assert_eq(__dumb_destroy(card, bo.handle), -EINVAL);
	igt_assert_eq(__dumb_destroy(card, BAD_HANDLE), -EINVAL);
}

static void test_gem_close_bad_handle(void)
{
	struct bo bo = bo_create(card, 1);

	igt_assert_eq(__gem_close(card, 0), -EINVAL);
	igt_assert_eq(__gem_close(card, BAD_HANDLE), -EINVAL);
	gem_close(card, bo.handle);
	igt_assert_eq(__gem_close(card, bo.handle), -EINVAL);
}

static void test_render_dumb(void)
{
	struct drm_mode_create_dumb arg = { .width = 64, .height = 64,
					    .bpp = 32 };
	struct bo bo = bo_create(card, 1);
	uint32_t handle;
	uint64_t offset;
	int dmabuf;

	igt_assert_eq(__dumb_create(render, &arg), -EACCES);
	dmabuf = prime_handle_to_fd(card, bo.handle);
	handle = prime_fd_to_handle(render, dmabuf);
	igt_assert_eq(__dumb_map(render, handle, &offset), -EACCES);
	igt_assert_eq(__dumb_destroy(render, handle), -EACCES);
	gem_close(render, handle);
	close(dmabuf);
	gem_close(card, bo.handle);
}

static void test_gem_info(void)
{
	struct bo a = bo_create(card, 3), b = bo_create(card, 5);
	struct drm_vrender_gem_info ia = gem_info(card, a.handle);
	struct drm_vrender_gem_info ib = gem_info(card, b.handle);

	igt_assert_eq_u64(ia.size, a.size);
	igt_assert_eq_u64(ib.size, b.size);
	igt_assert_eq(ia.pad, 0);
	igt_assert_neq(ia.id, ib.id);
	igt_assert_eq_u64(gem_id(card, a.handle), ia.id);
	gem_close(card, a.handle);
	gem_close(card, b.handle);
}

static void test_gem_info_bad_handle(void)
{
	struct drm_vrender_gem_info info = { .handle = 0 };

	igt_assert_eq(__gem_info(card, &info), -ENOENT);
	info.handle = BAD_HANDLE;
	igt_assert_eq(__gem_info(card, &info), -ENOENT);
}

static void test_gem_create(int fd)
{
	struct drm_vrender_gem_create arg = { .size = 3 * 4096 + 1 };
	struct drm_vrender_gem_info info;

	igt_assert_eq(__gem_create(fd, &arg), 0);
	igt_assert_eq(arg.size, 4 * 4096);
	info = gem_info(fd, arg.handle);
	igt_assert_eq(info.size, 4 * 4096);
	gem_close(fd, arg.handle);
}

static void test_gem_create_zero(void)
{
	struct drm_vrender_gem_create arg = { .size = 0 };

	igt_assert_eq(__gem_create(render, &arg), -EINVAL);
	arg.size = UINT64_MAX;	/* rounds up to 0 */
	igt_assert_eq(__gem_create(render, &arg), -EINVAL);
}

static void test_gem_create_bad_flags(void)
{
	struct drm_vrender_gem_create arg = { .size = 4096, .flags = 1u << 31 };

	igt_assert_eq(__gem_create(render, &arg), -EINVAL);
	arg.flags = ~(VRENDER_GEM_CREATE_TRACK_CPU | VRENDER_GEM_CREATE_STRICT);
	igt_assert_eq(__gem_create(render, &arg), -EINVAL);
}

static void test_gem_info_pad(void)
{
	struct bo bo = bo_create(card, 1);
	struct drm_vrender_gem_info info = { .handle = bo.handle, .pad = 1 };

	igt_assert_eq(__gem_info(card, &info), -EINVAL);
	info.pad = 1u << 31;
	igt_assert_eq(__gem_info(card, &info), -EINVAL);
	gem_close(card, bo.handle);
}

static void test_gem_info_ids_unique(void)
{
	uint64_t ids[16];

	for (int i = 0; i < 16; i++) {
		struct bo bo = bo_create(card, 1);

		ids[i] = gem_id(card, bo.handle);
		gem_close(card, bo.handle);
		for (int j = 0; j < i; j++)
			igt_assert_f(ids[i] != ids[j],
				     "id %llu reused\n",
				     (unsigned long long)ids[i]);
	}
}

static void test_debugfs_objects(void)
{
	struct pg_device_stats before, during, after;
	struct pg_object_stats o;
	struct bo bo;
	uint64_t id;

	debugfs_device_stats(card, &before);
	bo = bo_create(card, 4);
	id = gem_id(card, bo.handle);
	debugfs_device_stats(card, &during);
	igt_assert_eq_u64(during.objects, before.objects + 1);
	o = debugfs_object(card, id);
	igt_assert_eq_u64(o.size, bo.size);
	igt_assert_eq(o.handles, 1);
	igt_assert_eq(o.exported, 0);
	igt_assert_eq(o.imported, 0);
	igt_assert_eq(o.mappings, 0);
	gem_close(card, bo.handle);
	debugfs_device_stats(card, &after);
	igt_assert_eq_u64(after.objects, before.objects);
	igt_assert(!debugfs_object_stats(card, id, &o));
}

static void test_debugfs_render_minor(void)
{
	struct pg_device_stats c, r;
	struct bo bo = bo_create(card, 2);
	uint64_t id = gem_id(card, bo.handle);

	debugfs_require(render);
	debugfs_device_stats(card, &c);
	debugfs_device_stats(render, &r);
	igt_assert_eq_u64(c.objects, r.objects);
	igt_assert_eq_u64(debugfs_object(render, id).size, bo.size);
	gem_close(card, bo.handle);
}

igt_main
{
	igt_fixture {
		card = vrender_open(0);
		render = vrender_open_render(0);
	}

	igt_subtest("driver-name")
		test_driver_name();
	igt_subtest("igt-drm-open-driver")
		test_igt_drm_open_driver();
	igt_subtest("nodes")
		test_nodes();
	igt_subtest("all-devices")
		test_all_devices();
	igt_subtest("dumb-create")
		test_dumb_create();
	igt_subtest("dumb-create-zero")
		test_dumb_create_zero();
	igt_subtest("dumb-create-overflow")
		test_dumb_create_overflow();
	igt_subtest("dumb-create-flags")
		test_dumb_create_flags();
	igt_subtest("dumb-zeroed")
		test_dumb_zeroed();
	igt_subtest("dumb-map")
		test_dumb_map();
	igt_subtest("dumb-map-bad-handle")
		test_dumb_map_bad_handle();
	igt_subtest("dumb-destroy")
		test_dumb_destroy();
	igt_subtest("gem-close-bad-handle")
		test_gem_close_bad_handle();
	igt_subtest("render-node-dumb")
		test_render_dumb();
	igt_subtest("gem-info")
		test_gem_info();
	igt_subtest("gem-info-bad-handle")
		test_gem_info_bad_handle();
	igt_subtest("gem-create")
		test_gem_create(card);
	igt_subtest("gem-create-render")
		test_gem_create(render);
	igt_subtest("gem-create-zero")
		test_gem_create_zero();
	igt_subtest("gem-create-bad-flags")
		test_gem_create_bad_flags();
	igt_subtest("gem-info-pad")
		test_gem_info_pad();
	igt_subtest("gem-info-ids-unique")
		test_gem_info_ids_unique();

	igt_subtest_group {
		igt_fixture
			debugfs_require(card);

		igt_subtest("debugfs-objects")
			test_debugfs_objects();
		igt_subtest("debugfs-render-minor")
			test_debugfs_render_minor();
	}

	igt_fixture {
		close(render);
		close(card);
	}
}
