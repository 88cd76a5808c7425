// SPDX-License-Identifier: MIT
/*
 * primegem_objects parser. Lines are space-separated key=value tokens:
 *   objects=<n> brackets=<n> flushes=<n> flush_skips=<n> faults=<n>
 *   id=<id> size=<bytes> handles=<n> exported=<0|1> imported=<0|1> ...
 * Unknown keys are ignored; a missing key fails the test.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt_core.h"

#define DEBUGFS_ROOT	"/sys/kernel/debug"
#define MAX_FILE	(4 << 20)

struct field {
	const char *key;
	size_t offset;
};

#define DEV_FIELD(name) { #name, offsetof(struct pg_device_stats, name) }
static const struct field device_fields[] = {
	DEV_FIELD(objects), DEV_FIELD(pinned), DEV_FIELD(pin_limit),
	DEV_FIELD(brackets), DEV_FIELD(flushes),
	DEV_FIELD(flush_skips), DEV_FIELD(faults), DEV_FIELD(huge_faults),
};

#define OBJ_FIELD(name) { #name, offsetof(struct pg_object_stats, name) }
static const struct field object_fields[] = {
	OBJ_FIELD(id), OBJ_FIELD(size), OBJ_FIELD(handles),
	OBJ_FIELD(exported), OBJ_FIELD(imported), OBJ_FIELD(mappings),
	OBJ_FIELD(faults), OBJ_FIELD(brackets), OBJ_FIELD(flushes),
	OBJ_FIELD(flush_skips), OBJ_FIELD(huge), OBJ_FIELD(huge_faults),
};


static void debugfs_mount(void)
{
	if (access(DEBUGFS_ROOT "/dri", F_OK) && geteuid() == 0)
		mount("debugfs", DEBUGFS_ROOT, "debugfs", 0, NULL);
}

bool debugfs_dri_dir(int fd, char *buf, unsigned long len)
{
	snprintf(buf, len, DEBUGFS_ROOT "/dri/%u", drm_minor(fd));
	debugfs_mount();
	return access(buf, R_OK | X_OK) == 0;
}

static void objects_path(int fd, char *buf, size_t len)
{
	char dir[64];

	debugfs_dri_dir(fd, dir, sizeof(dir));
	snprintf(buf, len, "%s/primegem_objects", dir);
}

bool debugfs_available(int fd)
{
	char path[96];

	debugfs_mount();
	objects_path(fd, path, sizeof(path));
	return access(path, R_OK) == 0;
}

void debugfs_require(int fd)
{
	char path[96];

	objects_path(fd, path, sizeof(path));
	igt_require_f(debugfs_available(fd), "%s not readable: %s\n",
		      path, strerror(errno));
}

/* Reads the whole file into a NUL-terminated malloc'ed buffer. */
static char *read_objects(int fd)
{
	size_t len = 0, cap = 4096;
	char path[96], *buf;
	ssize_t ret;
	int dfd;

	debugfs_require(fd);
	objects_path(fd, path, sizeof(path));
	dfd = open(path, O_RDONLY | O_CLOEXEC);
	igt_assert_f(dfd >= 0, "open(%s) failed\n", path);
	buf = malloc(cap);
	igt_assert(buf);
	while ((ret = read(dfd, buf + len, cap - len - 1)) > 0) {
		len += ret;
		if (cap - len - 1 == 0) {
			igt_assert(cap < MAX_FILE);
			cap *= 2;
			buf = realloc(buf, cap);
			igt_assert(buf);
		}
	}
	close(dfd);
	igt_assert_f(ret == 0, "read(%s) failed\n", path);
	buf[len] = '\0';
	return buf;
}

/*
 * Parses one line (NUL-terminated, no newline) into @out. Returns false if
 * the line does not start with @fields[0].key; fails on a missing field.
 */
static bool parse_line(const char *line, const struct field *fields,
		       size_t nfields, void *out)
{
	uint64_t found = 0;
	char *copy, *tok, *save;

	if (strncmp(line, fields[0].key, strlen(fields[0].key)) ||
	    line[strlen(fields[0].key)] != '=')
		return false;

	copy = strdup(line);
	igt_assert(copy);
	for (tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '='), *end;

		if (!eq)
			continue;
		*eq = '\0';
		for (size_t i = 0; i < nfields; i++) {
			if (strcmp(tok, fields[i].key))
				continue;
			*(uint64_t *)((char *)out + fields[i].offset) =
				strtoull(eq + 1, &end, 0);
			igt_assert_f(end != eq + 1 && !*end,
				     "bad value in debugfs line \"%s\"\n", line);
			found |= 1ull << i;
		}
	}
	free(copy);
	igt_assert_f(found == (1ull << nfields) - 1,
		     "debugfs line \"%s\" lacks fields (found mask 0x%llx)\n",
		     line, (unsigned long long)found);
	return true;
}

/* Calls parse_line on each line until it returns true and @match agrees. */
static bool find_line(int fd, const struct field *fields, size_t nfields,
		      void *out, bool (*match)(const void *out, uint64_t key),
		      uint64_t key)
{
	char *buf = read_objects(fd), *line, *save;
	bool found = false;

	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save))
		found = parse_line(line, fields, nfields, out) &&
			(!match || match(out, key));
	free(buf);
	return found;
}

void debugfs_device_stats(int fd, struct pg_device_stats *stats)
{
	igt_assert_f(find_line(fd, device_fields, ARRAY_SIZE(device_fields),
			       stats, NULL, 0),
		     "no device line in primegem_objects\n");
}

static bool match_id(const void *out, uint64_t id)
{
	return ((const struct pg_object_stats *)out)->id == id;
}

bool debugfs_object_stats(int fd, uint64_t id, struct pg_object_stats *stats)
{
	return find_line(fd, object_fields, ARRAY_SIZE(object_fields), stats,
			 match_id, id);
}

struct pg_object_stats debugfs_object(int fd, uint64_t id)
{
	struct pg_object_stats stats;

	igt_assert_f(debugfs_object_stats(fd, id, &stats),
		     "object id=%llu not in primegem_objects\n",
		     (unsigned long long)id);
	return stats;
}

/* Knobs changed by debugfs_knob_set(), restored at exit. */
#define MAX_KNOBS	16
static struct {
	char path[128];
	uint64_t value;
} saved_knobs[MAX_KNOBS];
static int num_saved_knobs;

static void knob_path(int fd, const char *name, char *buf, size_t len)
{
	char dir[64];

	debugfs_dri_dir(fd, dir, sizeof(dir));
	snprintf(buf, len, "%s/%s", dir, name);
}

static int write_u64(const char *path, uint64_t value)
{
	char buf[32];
	int dfd, len, ret = 0;

	dfd = open(path, O_WRONLY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)value);
	if (write(dfd, buf, len) != len)
		ret = -errno;
	close(dfd);
	return ret;
}

static bool read_u64(const char *path, uint64_t *value)
{
	char buf[32] = "";
	int dfd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len;
	char *end;

	if (dfd < 0)
		return false;
	len = read(dfd, buf, sizeof(buf) - 1);
	close(dfd);
	if (len <= 0)
		return false;
	/* debugfs bools read as Y or N */
	if (buf[0] == 'Y' || buf[0] == 'N') {
		*value = buf[0] == 'Y';
		return true;
	}
	*value = strtoull(buf, &end, 0);
	return end != buf;
}

void debugfs_knob_restore_all(void)
{
	for (int i = num_saved_knobs - 1; i >= 0; i--)
		write_u64(saved_knobs[i].path, saved_knobs[i].value);
}

void debugfs_knob_restore(int fd, const char *name)
{
	char path[128];

	knob_path(fd, name, path, sizeof(path));
	for (int i = 0; i < num_saved_knobs; i++)
		if (!strcmp(saved_knobs[i].path, path))
			igt_assert_eq(write_u64(path, saved_knobs[i].value), 0);
}

static void restore_knobs(int sig)
{
	(void)sig;
	debugfs_knob_restore_all();
}

uint64_t debugfs_knob_get(int fd, const char *name)
{
	char path[128];
	uint64_t value;

	knob_path(fd, name, path, sizeof(path));
	igt_require_f(read_u64(path, &value), "%s not readable\n", path);
	return value;
}

void debugfs_knob_set(int fd, const char *name, uint64_t value)
{
	char path[128];
	int i, err;

	knob_path(fd, name, path, sizeof(path));
	igt_require_f(access(path, W_OK) == 0, "%s not writable\n", path);
	for (i = 0; i < num_saved_knobs; i++)
		if (!strcmp(saved_knobs[i].path, path))
			break;
	if (i == num_saved_knobs) {
		igt_assert(num_saved_knobs < MAX_KNOBS);
		snprintf(saved_knobs[i].path, sizeof(saved_knobs[i].path),
			 "%s", path);
		saved_knobs[i].value = debugfs_knob_get(fd, name);
		num_saved_knobs++;
		igt_install_exit_handler(restore_knobs);
	}
	err = write_u64(path, value);
	igt_assert_f(err == 0, "writing %s: %s\n", path, strerror(-err));
	igt_assert_eq_u64(debugfs_knob_get(fd, name), value);
}

void debugfs_knob_at_least(int fd, const char *name, uint64_t min)
{
	char path[128];
	uint64_t value;

	knob_path(fd, name, path, sizeof(path));
	if (read_u64(path, &value) && value < min)
		debugfs_knob_set(fd, name, min);
}

int __debugfs_knob_write(int fd, const char *name, uint64_t value)
{
	char path[128];

	knob_path(fd, name, path, sizeof(path));
	return write_u64(path, value);
}

uint64_t pin_limit_get(int fd)
{
	return debugfs_knob_get(fd, "primegem_pin_limit");
}

void pin_limit_set(int fd, uint64_t limit)
{
	debugfs_knob_set(fd, "primegem_pin_limit", limit);
}

void pin_limit_restore_all(void)
{
	debugfs_knob_restore_all();
}
