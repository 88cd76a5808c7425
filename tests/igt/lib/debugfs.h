// SPDX-License-Identifier: MIT
/*
 * Parser for /sys/kernel/debug/dri/<minor>/primegem_objects.
 *
 * Tests read debugfs only for what no ioctl says: counters (handles,
 * imports, exports, mappings, faults, brackets, flushes, lease expiries),
 * objects that no handle reaches any more, and the run-time knobs. A
 * buffer's size and id come from DRM_IOCTL_VRENDER_GEM_INFO, fence states
 * from poll() and SYNC_IOC_FILE_INFO.
 */
#ifndef DEBUGFS_H
#define DEBUGFS_H

#include <stdbool.h>
#include <stdint.h>

/* Device line; all but objects are cumulative since module load. */
struct pg_device_stats {
	uint64_t objects;
	uint64_t pinned;
	uint64_t pin_limit;
	uint64_t brackets;
	uint64_t flushes;
	uint64_t flush_skips;
	uint64_t faults;
	uint64_t huge_faults;
};

struct pg_object_stats {
	uint64_t id;
	uint64_t size;
	uint64_t handles;
	uint64_t exported;
	uint64_t imported;
	uint64_t mappings;
	uint64_t faults;
	uint64_t brackets;
	uint64_t flushes;
	uint64_t flush_skips;
	uint64_t huge;		/* huge-page backing */
	uint64_t huge_faults;	/* faults that mapped 2 MiB with one PMD */
};

/* Whether primegem_objects of @fd is readable (mounts debugfs if root). */
bool debugfs_available(int fd);
/* Skips if the file is missing (debugfs not mounted or not root). */
void debugfs_require(int fd);
void debugfs_device_stats(int fd, struct pg_device_stats *stats);
/* False if no object line has this id. */
bool debugfs_object_stats(int fd, uint64_t id, struct pg_object_stats *stats);
/* Asserts that object @id is listed, and returns its line. */
struct pg_object_stats debugfs_object(int fd, uint64_t id);

/*
 * Run-time knobs of @fd's device in its debugfs directory (a number or a
 * Y/N bool per file): read one (skips if unreadable), or set it until the
 * test exits (the old value is restored then; skips if not writable;
 * asserts the write took). __debugfs_knob_write() returns 0 or -errno and
 * saves nothing. debugfs_knob_restore_all() puts every saved value back.
 */
uint64_t debugfs_knob_get(int fd, const char *name);
void debugfs_knob_set(int fd, const char *name, uint64_t value);
int __debugfs_knob_write(int fd, const char *name, uint64_t value);
void debugfs_knob_restore_all(void);
/* Put back the value a debugfs_knob_set() of @name on @fd's device saved. */
void debugfs_knob_restore(int fd, const char *name);
/*
 * Raise knob @name of @fd's device to @min (until the test exits) if it is
 * lower; nothing if debugfs is not accessible.
 */
void debugfs_knob_at_least(int fd, const char *name, uint64_t min);

/* The primegem_pin_limit knob (see "pinned memory"). */
uint64_t pin_limit_get(int fd);
void pin_limit_set(int fd, uint64_t limit);
void pin_limit_restore_all(void);

/*
 * Path of the debugfs directory /sys/kernel/debug/dri/<minor> of @fd, and
 * whether it is accessible (mounts debugfs if root).
 */
bool debugfs_dri_dir(int fd, char *buf, unsigned long len);

#endif /* DEBUGFS_H */
