// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * primegem pinned memory: the budget that bounds what users can pin.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include "primegem_internal.h"

/**
 * DOC: pinned memory
 *
 * The backing pages of an object are pinned while anything uses them: a CPU
 * mapping, an importer's attachment, a kernel mapping (a job, a scanout).
 * Pinned shmem pages cannot be swapped out or reclaimed, and anybody who may
 * open a render node may create buffers and map them, so pins are charged
 * against two budgets:
 *
 * - the device's: debugfs ``primegem_pin_limit`` (bytes; root may change
 *   it at run time), by default the module-wide budget;
 * - the module-wide one, shared by every primegem device: the module
 *   parameter ``pin_limit_mb`` (read-only; 0, the default, means half of
 *   the RAM).
 *
 * An object is charged its whole size when its pages are allocated (its
 * first pin) and uncharged when they are released (its last unpin). A pin
 * that would take either budget over its limit fails with -ENOMEM and
 * changes nothing. An object larger than either limit could never be
 * pinned: creating one fails with -E2BIG. Imported objects are charged to
 * their exporter, which pins.
 *
 * The limits also keep every page count far below what the kernel's page
 * arrays and vmap() take (int and unsigned int counts).
 *
 * Locking: &primegem_pin_lock protects the device and module counters; it
 * is a leaf lock.
 */

static unsigned int primegem_pin_limit_mb;
module_param_named(pin_limit_mb, primegem_pin_limit_mb, uint, 0444);
MODULE_PARM_DESC(pin_limit_mb,
		 "Most memory all primegem buffers may pin together, in MiB (default 0: half of the RAM)");

static DEFINE_SPINLOCK(primegem_pin_lock);
static u64 primegem_pinned_total;

/* Never more than this many pages in one object, whatever the limits say. */
#define PRIMEGEM_MAX_PAGES	((u64)INT_MAX)

/**
 * primegem_pin_module_limit - the module-wide pin budget
 *
 * Returns: the limit in bytes.
 */
u64 primegem_pin_module_limit(void)
{
	u64 limit = (u64)primegem_pin_limit_mb * SZ_1M;

	if (!limit)
		limit = ((u64)totalram_pages() << PAGE_SHIFT) / 2;
	return min(limit, PRIMEGEM_MAX_PAGES << PAGE_SHIFT);
}

/**
 * primegem_pin_device_init - set a device's budget to the module's
 * @pdev: the device
 */
void primegem_pin_device_init(struct primegem_device *pdev)
{
	pdev->pin_limit = primegem_pin_module_limit();
	pdev->pinned = 0;
}

/**
 * primegem_pin_size_ok - tell whether an object of @size could ever be pinned
 * @pdev: the device
 * @size: the object's size in bytes, page aligned
 *
 * Returns: 0, or -E2BIG if @size is over the device's or the module's limit.
 */
int primegem_pin_size_ok(struct primegem_device *pdev, u64 size)
{
	u64 limit = min(READ_ONCE(pdev->pin_limit), primegem_pin_module_limit());

	return size > limit ? -E2BIG : 0;
}

/**
 * primegem_pin_charge - charge the pages of an object about to be pinned
 * @pobj: the object, not imported
 *
 * Returns: 0, or -ENOMEM if a budget would go over its limit (nothing is
 * charged then).
 */
int primegem_pin_charge(struct primegem_object *pobj)
{
	struct primegem_device *pdev = pobj->pdev;
	u64 size = pobj->base.size;
	int ret = -ENOMEM;

	spin_lock(&primegem_pin_lock);
	if (size <= pdev->pin_limit - min(pdev->pin_limit, pdev->pinned) &&
	    size <= primegem_pin_module_limit() -
		    min(primegem_pin_module_limit(), primegem_pinned_total)) {
		pdev->pinned += size;
		primegem_pinned_total += size;
		ret = 0;
	}
	spin_unlock(&primegem_pin_lock);
	return ret;
}

/**
 * primegem_pin_uncharge - give back what primegem_pin_charge() took
 * @pobj: the object, whose pages were released
 */
void primegem_pin_uncharge(struct primegem_object *pobj)
{
	struct primegem_device *pdev = pobj->pdev;
	u64 size = pobj->base.size;

	spin_lock(&primegem_pin_lock);
	if (!WARN_ON(pdev->pinned < size || primegem_pinned_total < size)) {
		pdev->pinned -= size;
		primegem_pinned_total -= size;
	}
	spin_unlock(&primegem_pin_lock);
}

/**
 * primegem_pin_show - print a device's pinned bytes and limit (debugfs)
 * @m: the seq_file
 * @pdev: the device
 */
void primegem_pin_show(struct seq_file *m, struct primegem_device *pdev)
{
	u64 pinned, limit;

	spin_lock(&primegem_pin_lock);
	pinned = pdev->pinned;
	limit = pdev->pin_limit;
	spin_unlock(&primegem_pin_lock);
	seq_printf(m, " pinned=%llu pin_limit=%llu", pinned, limit);
}

static int primegem_pin_limit_show(struct seq_file *m, void *data)
{
	struct primegem_device *pdev = m->private;

	seq_printf(m, "%llu\n", READ_ONCE(pdev->pin_limit));
	return 0;
}

static int primegem_pin_limit_open(struct inode *inode, struct file *file)
{
	return single_open(file, primegem_pin_limit_show, inode->i_private);
}

static ssize_t primegem_pin_limit_write(struct file *file,
					const char __user *ubuf, size_t len,
					loff_t *ppos)
{
	struct primegem_device *pdev = ((struct seq_file *)file->private_data)->private;
	u64 limit;
	int ret;

	if (*ppos)
		return -EINVAL;
	ret = kstrtou64_from_user(ubuf, len, 0, &limit);
	if (ret)
		return ret;

	spin_lock(&primegem_pin_lock);
	pdev->pin_limit = limit;
	spin_unlock(&primegem_pin_lock);
	return len;
}

static const struct file_operations primegem_pin_limit_fops = {
	.owner = THIS_MODULE,
	.open = primegem_pin_limit_open,
	.read = seq_read,
	.write = primegem_pin_limit_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/**
 * primegem_pin_debugfs_init - add the device's primegem_pin_limit file
 * @pdev: the device
 * @root: its debugfs directory
 */
void primegem_pin_debugfs_init(struct primegem_device *pdev,
			       struct dentry *root)
{
	debugfs_create_file("primegem_pin_limit", 0644, root, pdev,
			    &primegem_pin_limit_fops);
}
