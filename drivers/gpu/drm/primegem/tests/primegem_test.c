// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of the primegem helpers.
 */

#include <kunit/test.h>

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/iosys-map.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_mode.h>
#include <drm/drm_vma_manager.h>

#include "../primegem_internal.h"

#define FA PRIMEGEM_FAULT_AROUND_PAGES

DEFINE_DRM_GEM_FOPS(primegem_test_fops);

static const struct drm_driver primegem_test_driver = {
	.driver_features = DRIVER_GEM,
	.fops = &primegem_test_fops,
	.name = "primegem-test",
	.desc = "primegem KUnit",
	.date = "20261121",
};

/* A DRM device (never registered) with primegem state, one per test. */
struct primegem_test_dev {
	struct device *parent;
	struct drm_device *drm;
	struct primegem_device pg;
};

static struct primegem_test_dev *test_dev_create(struct kunit *test,
						 const char *name)
{
	struct primegem_test_dev *tdev;

	tdev = kunit_kzalloc(test, sizeof(*tdev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tdev);

	tdev->parent = root_device_register(name);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdev->parent));

	tdev->drm = drm_dev_alloc(&primegem_test_driver, tdev->parent);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdev->drm));
	KUNIT_ASSERT_EQ(test, 0,
			primegem_device_init(&tdev->pg, tdev->drm, tdev->parent));
	return tdev;
}

static void test_dev_destroy(struct primegem_test_dev *tdev)
{
	drm_dev_put(tdev->drm);
	root_device_unregister(tdev->parent);
}

static int primegem_test_init(struct kunit *test)
{
	test->priv = test_dev_create(test, "primegem-test-0");
	return 0;
}

static void primegem_test_exit(struct kunit *test)
{
	test_dev_destroy(test->priv);
}

static void window(pgoff_t page, pgoff_t vma_first, pgoff_t vma_pages,
		   pgoff_t obj_pages, pgoff_t *first, pgoff_t *last)
{
	primegem_fault_window(page, vma_first, vma_pages, obj_pages, first, last);
}

static void primegem_test_fault_window_inside(struct kunit *test)
{
	pgoff_t first, last;

	window(0, 0, 64, 64, &first, &last);
	KUNIT_EXPECT_EQ(test, first, 0);
	KUNIT_EXPECT_EQ(test, last, FA - 1);

	window(FA + 3, 0, 64, 64, &first, &last);
	KUNIT_EXPECT_EQ(test, first, FA);
	KUNIT_EXPECT_EQ(test, last, 2 * FA - 1);
}

static void primegem_test_fault_window_object_end(struct kunit *test)
{
	pgoff_t first, last;

	/* A 17-page object: the last window holds one page. */
	window(FA, 0, FA + 1, FA + 1, &first, &last);
	KUNIT_EXPECT_EQ(test, first, FA);
	KUNIT_EXPECT_EQ(test, last, FA);

	/* A single page. */
	window(0, 0, 1, 1, &first, &last);
	KUNIT_EXPECT_EQ(test, first, 0);
	KUNIT_EXPECT_EQ(test, last, 0);
}

static void primegem_test_fault_window_vma_edges(struct kunit *test)
{
	pgoff_t first, last;

	/* Object pages [3, 23) mapped: the windows are clipped both ways. */
	window(5, 3, 20, 64, &first, &last);
	KUNIT_EXPECT_EQ(test, first, 3);
	KUNIT_EXPECT_EQ(test, last, FA - 1);

	window(FA + 2, 3, 20, 64, &first, &last);
	KUNIT_EXPECT_EQ(test, first, FA);
	KUNIT_EXPECT_EQ(test, last, 22);

	/* Never beyond the object, even for a VMA that claims more. */
	window(40, 32, 64, 42, &first, &last);
	KUNIT_EXPECT_EQ(test, first, 32);
	KUNIT_EXPECT_EQ(test, last, 41);
}

static struct drm_vma_offset_node *lookup(struct drm_device *drm,
					  unsigned long start,
					  unsigned long pages)
{
	struct drm_vma_offset_node *node;

	drm_vma_offset_lock_lookup(drm->vma_offset_manager);
	node = drm_vma_offset_lookup_locked(drm->vma_offset_manager, start,
					    pages);
	drm_vma_offset_unlock_lookup(drm->vma_offset_manager);
	return node;
}

/* The ranges primegem_drm_mmap() accepts: any run of pages inside one object. */
static void primegem_test_mmap_offsets(struct kunit *test)
{
	struct primegem_test_dev *tdev = test->priv;
	struct primegem_object *pobj = primegem_create(&tdev->pg, 4 * PAGE_SIZE, 0);
	struct drm_vma_offset_node *node;
	unsigned long start;

	KUNIT_ASSERT_FALSE(test, IS_ERR(pobj));
	KUNIT_ASSERT_EQ(test, drm_gem_create_mmap_offset(&pobj->base), 0);
	node = &pobj->base.vma_node;
	start = drm_vma_node_start(node);

	KUNIT_EXPECT_PTR_EQ(test, lookup(tdev->drm, start, 4), node);
	KUNIT_EXPECT_PTR_EQ(test, lookup(tdev->drm, start + 1, 3), node);
	KUNIT_EXPECT_PTR_EQ(test, lookup(tdev->drm, start + 3, 1), node);
	/* Past the end: one page too many, or starting after the object. */
	KUNIT_EXPECT_NULL(test, lookup(tdev->drm, start + 1, 4));
	KUNIT_EXPECT_NULL(test, lookup(tdev->drm, start + 4, 1));
	KUNIT_EXPECT_NULL(test, lookup(tdev->drm, start, 5));

	drm_gem_object_put(&pobj->base);
}

static void primegem_test_create_free(struct kunit *test)
{
	struct primegem_test_dev *tdev = test->priv;
	struct primegem_object *a, *b;

	a = primegem_create(&tdev->pg, 1, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_EXPECT_EQ(test, a->base.size, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kref_read(&a->base.refcount), 1);
	KUNIT_EXPECT_NULL(test, a->pages);

	b = primegem_create(&tdev->pg, 3 * PAGE_SIZE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_EQ(test, b->base.size, 3 * PAGE_SIZE);
	KUNIT_EXPECT_GT(test, b->id, a->id);
	KUNIT_EXPECT_EQ(test, tdev->pg.num_objects, 2);

	drm_gem_object_get(&a->base);
	KUNIT_EXPECT_EQ(test, kref_read(&a->base.refcount), 2);
	drm_gem_object_put(&a->base);
	KUNIT_EXPECT_EQ(test, tdev->pg.num_objects, 2);

	drm_gem_object_put(&a->base);
	KUNIT_EXPECT_EQ(test, tdev->pg.num_objects, 1);
	drm_gem_object_put(&b->base);
	KUNIT_EXPECT_EQ(test, tdev->pg.num_objects, 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&tdev->pg.objects));
}

static void primegem_test_create_zero(struct kunit *test)
{
	struct primegem_test_dev *tdev = test->priv;

	KUNIT_EXPECT_EQ(test, PTR_ERR(primegem_create(&tdev->pg, 0, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(primegem_create(&tdev->pg, PAGE_SIZE, BIT(31))),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, tdev->pg.num_objects, 0);
}

static void primegem_test_pages_pin(struct kunit *test)
{
	struct primegem_test_dev *tdev = test->priv;
	struct primegem_object *pobj = primegem_create(&tdev->pg, 2 * PAGE_SIZE, 0);

	KUNIT_ASSERT_FALSE(test, IS_ERR(pobj));
	KUNIT_ASSERT_EQ(test, primegem_get_pages(pobj), 0);
	KUNIT_EXPECT_NOT_NULL(test, pobj->pages);
	KUNIT_ASSERT_EQ(test, primegem_get_pages(pobj), 0);
	KUNIT_EXPECT_EQ(test, pobj->pages_use, 2);

	primegem_put_pages(pobj);
	KUNIT_EXPECT_NOT_NULL(test, pobj->pages);
	primegem_put_pages(pobj);
	KUNIT_EXPECT_NULL(test, pobj->pages);
	KUNIT_EXPECT_EQ(test, pobj->pages_use, 0);
	drm_gem_object_put(&pobj->base);
}

static void primegem_test_vmap_shared(struct kunit *test)
{
	struct primegem_test_dev *tdev = test->priv;
	struct primegem_object *pobj = primegem_create(&tdev->pg, 2 * PAGE_SIZE, 0);
	struct iosys_map m1, m2;
	u32 *p;

	KUNIT_ASSERT_FALSE(test, IS_ERR(pobj));
	KUNIT_ASSERT_EQ(test, primegem_vmap(&pobj->base, &m1), 0);
	KUNIT_ASSERT_EQ(test, primegem_vmap(&pobj->base, &m2), 0);
	KUNIT_EXPECT_PTR_EQ(test, m1.vaddr, m2.vaddr);
	KUNIT_EXPECT_EQ(test, pobj->vmap_use, 2);

	/* New objects read back as zero. */
	p = m1.vaddr;
	KUNIT_EXPECT_EQ(test, p[0], 0);
	KUNIT_EXPECT_EQ(test, p[2 * PAGE_SIZE / sizeof(*p) - 1], 0);

	primegem_vunmap(&pobj->base, &m2);
	primegem_vunmap(&pobj->base, &m1);
	KUNIT_EXPECT_EQ(test, pobj->vmap_use, 0);
	KUNIT_EXPECT_NULL(test, pobj->pages);
	drm_gem_object_put(&pobj->base);
}

static void primegem_test_dumb_args(struct kunit *test)
{
	struct primegem_test_dev *tdev = test->priv;
	struct drm_mode_create_dumb args = {
		.width = 3, .height = 5, .bpp = 32, .flags = 1,
	};

	/* Flags are refused before anything is created (no file needed). */
	KUNIT_EXPECT_EQ(test, primegem_dumb_create(&tdev->pg, NULL, &args),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, tdev->pg.num_objects, 0);
}

static struct dma_buf *test_export(struct kunit *test,
				   struct primegem_object *pobj)
{
	struct dma_buf *dma_buf = pobj->base.funcs->export(&pobj->base, O_RDWR);

	KUNIT_ASSERT_FALSE(test, IS_ERR(dma_buf));
	return dma_buf;
}

/*
 * The last dma_buf_put() from a kernel thread defers the file's release:
 * run it now, so that the dma-buf's reference on the object is gone.
 */
static void test_dma_buf_put(struct dma_buf *dma_buf)
{
	dma_buf_put(dma_buf);
	flush_delayed_fput();
}

static void primegem_test_self_import(struct kunit *test)
{
	struct primegem_test_dev *tdev = test->priv;
	struct primegem_object *pobj = primegem_create(&tdev->pg, PAGE_SIZE, 0);
	struct drm_gem_object *obj;
	struct dma_buf *dma_buf;

	KUNIT_ASSERT_FALSE(test, IS_ERR(pobj));
	dma_buf = test_export(test, pobj);
	KUNIT_EXPECT_EQ(test, kref_read(&pobj->base.refcount), 2);

	obj = primegem_prime_import(&tdev->pg, dma_buf);
	KUNIT_ASSERT_PTR_EQ(test, obj, &pobj->base);
	KUNIT_EXPECT_EQ(test, kref_read(&pobj->base.refcount), 3);
	KUNIT_EXPECT_EQ(test, tdev->pg.num_objects, 1);

	drm_gem_object_put(obj);
	test_dma_buf_put(dma_buf);
	KUNIT_EXPECT_EQ(test, kref_read(&pobj->base.refcount), 1);
	drm_gem_object_put(&pobj->base);
	KUNIT_EXPECT_EQ(test, tdev->pg.num_objects, 0);
}

static void primegem_test_foreign_import(struct kunit *test)
{
	struct primegem_test_dev *tdev = test->priv;
	struct primegem_test_dev *other = test_dev_create(test, "primegem-test-1");
	struct primegem_object *pobj = primegem_create(&tdev->pg, PAGE_SIZE, 0);
	struct drm_gem_object *obj;
	struct dma_buf *dma_buf;

	KUNIT_ASSERT_FALSE(test, IS_ERR(pobj));
	dma_buf = test_export(test, pobj);

	obj = primegem_prime_import(&other->pg, dma_buf);
	KUNIT_ASSERT_FALSE(test, IS_ERR(obj));
	KUNIT_EXPECT_PTR_NE(test, obj, &pobj->base);
	KUNIT_EXPECT_PTR_EQ(test, obj->import_attach->dmabuf, dma_buf);
	KUNIT_EXPECT_PTR_EQ(test, obj->resv, pobj->base.resv);
	KUNIT_EXPECT_EQ(test, other->pg.num_objects, 1);
	/* The attachment pins the exporter's pages. */
	KUNIT_EXPECT_EQ(test, pobj->pages_use, 1);

	drm_gem_object_put(obj);
	KUNIT_EXPECT_EQ(test, other->pg.num_objects, 0);
	KUNIT_EXPECT_EQ(test, pobj->pages_use, 0);
	test_dma_buf_put(dma_buf);
	drm_gem_object_put(&pobj->base);
	test_dev_destroy(other);
}

static void primegem_test_read_bracket_skips_flush(struct kunit *test)
{
	struct primegem_test_dev *tdev = test->priv;
	struct primegem_object *pobj = primegem_create(&tdev->pg, PAGE_SIZE, 0);
	struct dma_buf *dma_buf;

	KUNIT_ASSERT_FALSE(test, IS_ERR(pobj));
	dma_buf = test_export(test, pobj);

	KUNIT_ASSERT_EQ(test, dma_buf_begin_cpu_access(dma_buf, DMA_FROM_DEVICE), 0);
	KUNIT_ASSERT_EQ(test, dma_buf_end_cpu_access(dma_buf, DMA_FROM_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pobj->stats.brackets), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pobj->stats.flush_skips), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pobj->stats.flushes), 0);

	KUNIT_ASSERT_EQ(test, dma_buf_begin_cpu_access(dma_buf, DMA_BIDIRECTIONAL), 0);
	KUNIT_ASSERT_EQ(test, dma_buf_end_cpu_access(dma_buf, DMA_BIDIRECTIONAL), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pobj->stats.flushes), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&tdev->pg.stats.brackets), 2);
	KUNIT_EXPECT_EQ(test, atomic64_read(&tdev->pg.stats.flush_skips), 1);

	test_dma_buf_put(dma_buf);
	drm_gem_object_put(&pobj->base);
}

static void primegem_test_track_level(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, primegem_track_level(0, 0), PRIMEGEM_ACCESS_NONE);
	KUNIT_EXPECT_EQ(test, primegem_track_level(1, 0), PRIMEGEM_ACCESS_READ);
	KUNIT_EXPECT_EQ(test, primegem_track_level(3, 0), PRIMEGEM_ACCESS_READ);
	KUNIT_EXPECT_EQ(test, primegem_track_level(0, 1), PRIMEGEM_ACCESS_WRITE);
	KUNIT_EXPECT_EQ(test, primegem_track_level(2, 1), PRIMEGEM_ACCESS_WRITE);
}

static void primegem_test_track_policy(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, primegem_track_policy(PRIMEGEM_TRACK_OFF, false),
			PRIMEGEM_TRACK_OFF);
	KUNIT_EXPECT_EQ(test, primegem_track_policy(PRIMEGEM_TRACK_OFF, true),
			PRIMEGEM_TRACK_SIGBUS);
	KUNIT_EXPECT_EQ(test, primegem_track_policy(PRIMEGEM_TRACK_SIGBUS, false),
			PRIMEGEM_TRACK_SIGBUS);
	KUNIT_EXPECT_EQ(test, primegem_track_policy(PRIMEGEM_TRACK_WARN, false),
			PRIMEGEM_TRACK_WARN);
	KUNIT_EXPECT_EQ(test, primegem_track_policy(PRIMEGEM_TRACK_WARN, true),
			PRIMEGEM_TRACK_WARN);
}

static void primegem_test_track_parse(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, primegem_track_parse("off"), PRIMEGEM_TRACK_OFF);
	KUNIT_EXPECT_EQ(test, primegem_track_parse("sigbus\n"),
			PRIMEGEM_TRACK_SIGBUS);
	KUNIT_EXPECT_EQ(test, primegem_track_parse("warn"), PRIMEGEM_TRACK_WARN);
	KUNIT_EXPECT_EQ(test, primegem_track_parse(""), -EINVAL);
	KUNIT_EXPECT_EQ(test, primegem_track_parse("Warn"), -EINVAL);
	KUNIT_EXPECT_EQ(test, primegem_track_parse("warn\n\n"), -EINVAL);
	KUNIT_EXPECT_EQ(test, primegem_track_parse(" off"), -EINVAL);
}

/* Brackets of each kind are counted apart; unmatched ENDs change nothing. */
static void primegem_test_track_brackets(struct kunit *test)
{
	struct primegem_test_dev *tdev = test->priv;
	struct primegem_object *pobj =
		primegem_create(&tdev->pg, PAGE_SIZE, PRIMEGEM_CREATE_TRACK_CPU);
	struct primegem_track_object *t;
	struct dma_buf *dma_buf;

	KUNIT_ASSERT_FALSE(test, IS_ERR(pobj));
	KUNIT_EXPECT_TRUE(test, primegem_tracked(pobj));
	t = &pobj->track;
	dma_buf = test_export(test, pobj);

	KUNIT_ASSERT_EQ(test, dma_buf_begin_cpu_access(dma_buf, DMA_FROM_DEVICE), 0);
	KUNIT_ASSERT_EQ(test, dma_buf_begin_cpu_access(dma_buf, DMA_TO_DEVICE), 0);
	KUNIT_ASSERT_EQ(test, dma_buf_begin_cpu_access(dma_buf, DMA_BIDIRECTIONAL), 0);
	KUNIT_EXPECT_EQ(test, t->readers, 1);
	KUNIT_EXPECT_EQ(test, t->writers, 2);

	KUNIT_ASSERT_EQ(test, dma_buf_end_cpu_access(dma_buf, DMA_TO_DEVICE), 0);
	KUNIT_ASSERT_EQ(test, dma_buf_end_cpu_access(dma_buf, DMA_BIDIRECTIONAL), 0);
	KUNIT_ASSERT_EQ(test, dma_buf_end_cpu_access(dma_buf, DMA_BIDIRECTIONAL), 0);
	KUNIT_EXPECT_EQ(test, t->writers, 0);
	KUNIT_EXPECT_EQ(test, t->readers, 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&tdev->pg.track.unmatched), 1);

	KUNIT_ASSERT_EQ(test, dma_buf_end_cpu_access(dma_buf, DMA_FROM_DEVICE), 0);
	KUNIT_ASSERT_EQ(test, dma_buf_end_cpu_access(dma_buf, DMA_FROM_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, t->readers, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&tdev->pg.track.unmatched), 2);

	test_dma_buf_put(dma_buf);
	drm_gem_object_put(&pobj->base);
}

/* The device mode tracks unflagged objects too; off is the default. */
static void primegem_test_track_device_mode(struct kunit *test)
{
	struct primegem_test_dev *tdev = test->priv;
	struct primegem_object *pobj = primegem_create(&tdev->pg, PAGE_SIZE, 0);

	KUNIT_ASSERT_FALSE(test, IS_ERR(pobj));
	KUNIT_EXPECT_EQ(test, tdev->pg.track.mode, PRIMEGEM_TRACK_OFF);
	KUNIT_EXPECT_FALSE(test, primegem_tracked(pobj));
	tdev->pg.track.mode = PRIMEGEM_TRACK_WARN;
	KUNIT_EXPECT_TRUE(test, primegem_tracked(pobj));
	tdev->pg.track.mode = PRIMEGEM_TRACK_OFF;
	drm_gem_object_put(&pobj->base);
}

static struct kunit_case primegem_test_cases[] = {
	KUNIT_CASE(primegem_test_fault_window_inside),
	KUNIT_CASE(primegem_test_fault_window_object_end),
	KUNIT_CASE(primegem_test_fault_window_vma_edges),
	KUNIT_CASE(primegem_test_mmap_offsets),
	KUNIT_CASE(primegem_test_create_free),
	KUNIT_CASE(primegem_test_create_zero),
	KUNIT_CASE(primegem_test_pages_pin),
	KUNIT_CASE(primegem_test_vmap_shared),
	KUNIT_CASE(primegem_test_dumb_args),
	KUNIT_CASE(primegem_test_self_import),
	KUNIT_CASE(primegem_test_foreign_import),
	KUNIT_CASE(primegem_test_read_bracket_skips_flush),
	KUNIT_CASE(primegem_test_track_level),
	KUNIT_CASE(primegem_test_track_policy),
	KUNIT_CASE(primegem_test_track_parse),
	KUNIT_CASE(primegem_test_track_brackets),
	KUNIT_CASE(primegem_test_track_device_mode),
	{}
};

static struct kunit_suite primegem_test_suite = {
	.name = "primegem",
	.init = primegem_test_init,
	.exit = primegem_test_exit,
	.test_cases = primegem_test_cases,
};

kunit_test_suite(primegem_test_suite);
