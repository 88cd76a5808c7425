// SPDX-License-Identifier: MIT
/*
 * Watch the kernel log from a test; see kmsg.h.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "igt_core.h"
#include "kmsg.h"

int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void kmsg_assert_clean(int kmsg)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "KASAN", "possible circular locking",
		"possible recursive locking",
	};
	char rec[8192];
	ssize_t len;

	if (kmsg < 0)
		return;
	for (;;) {
		len = read(kmsg, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (len <= 0)
			break;
		rec[len] = '\0';
		for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
			igt_assert_f(!strstr(rec, bad[i]),
				     "kernel log: %s", strchr(rec, ';') ?
				     strchr(rec, ';') + 1 : rec);
	}
}
