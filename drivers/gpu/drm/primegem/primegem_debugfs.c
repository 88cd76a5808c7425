// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * primegem debugfs: the objects of a device and their counters.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "primegem_internal.h"

/**
 * DOC: debugfs
 *
 * primegem_debugfs_init() creates the file ``primegem_objects``. Its first
 * line holds the device's totals, the others one object each::
 *
 *   objects=<live> pinned=<bytes> pin_limit=<bytes> faults=<n>
 *     huge_faults=<n> brackets=<n> flushes=<n> flush_skips=<n>
 *     lease_expiries=<n>
 *   id=<id> size=<bytes> handles=<n> exported=<0|1> imported=<0|1>
 *     huge=<0|1> mappings=<n> faults=<n> huge_faults=<n> brackets=<n>
 *     flushes=<n> flush_skips=<n> lease_expiries=<n>
 *
 * (each object on one line). The counters are cumulative; ``mappings`` counts
 * the live CPU mappings the object serves, including those made through an
 * importer on another device; ``huge`` says whether the object has huge-page
 * backing, and ``huge_faults`` counts the faults that mapped 2 MiB with one
 * PMD (see "huge mappings"). Reading takes only &primegem_device.lock, so it
 * never waits for a reservation or a fence.
 *
 * It also creates ``primegem_track_cpu`` and ``primegem_track_events``, see
 * "CPU access tracking", ``primegem_pin_limit``, see "pinned memory", and
 * ``primegem_strict_cpu`` and ``primegem_cpu_lease_ms``, see "CPU-access
 * fences", and ``primegem_huge``, see "huge mappings".
 */

static void primegem_show_stats(struct seq_file *m,
				const struct primegem_stats *stats)
{
	seq_printf(m, " faults=%lld huge_faults=%lld brackets=%lld flushes=%lld flush_skips=%lld lease_expiries=%lld\n",
		   (long long)atomic64_read(&stats->faults),
		   (long long)atomic64_read(&stats->huge_faults),
		   (long long)atomic64_read(&stats->brackets),
		   (long long)atomic64_read(&stats->flushes),
		   (long long)atomic64_read(&stats->flush_skips),
		   (long long)atomic64_read(&stats->lease_expiries));
}

static void primegem_show_object(struct seq_file *m,
				 struct primegem_object *pobj)
{
	struct drm_gem_object *obj = &pobj->base;
	bool imported = obj->import_attach;

	seq_printf(m, "id=%llu size=%zu handles=%u exported=%d imported=%d huge=%d mappings=%d",
		   pobj->id, obj->size, READ_ONCE(obj->handle_count),
		   !imported && READ_ONCE(obj->dma_buf), imported, pobj->huge,
		   atomic_read(&pobj->mappings));
	primegem_show_stats(m, &pobj->stats);
}

static int primegem_objects_show(struct seq_file *m, void *data)
{
	struct primegem_device *pdev = m->private;
	struct primegem_object *pobj;

	mutex_lock(&pdev->lock);
	seq_printf(m, "objects=%u", pdev->num_objects);
	primegem_pin_show(m, pdev);
	primegem_show_stats(m, &pdev->stats);
	list_for_each_entry(pobj, &pdev->objects, link)
		primegem_show_object(m, pobj);
	mutex_unlock(&pdev->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(primegem_objects);

/**
 * primegem_debugfs_init - add primegem's debugfs files for a device
 * @pdev: the primegem device
 * @root: the directory, typically &drm_minor.debugfs_root
 */
void primegem_debugfs_init(struct primegem_device *pdev, struct dentry *root)
{
	debugfs_create_file("primegem_objects", 0444, root, pdev,
			    &primegem_objects_fops);
	primegem_track_debugfs_init(pdev, root);
	primegem_pin_debugfs_init(pdev, root);
	primegem_cpu_debugfs_init(pdev, root);
	primegem_huge_debugfs_init(pdev, root);
}
EXPORT_SYMBOL_GPL(primegem_debugfs_init);
