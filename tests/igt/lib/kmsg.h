// SPDX-License-Identifier: MIT
/*
 * Watch the kernel log from a test: a subtest can fail on the kernel
 * warning it provoked, rather than the whole run failing at the end.
 */
#ifndef KMSG_H
#define KMSG_H

/* /dev/kmsg positioned after the last record, or -1 if it cannot be read. */
int kmsg_open(void);
/*
 * Fail if a record logged since kmsg_open() (or the last call) reports a
 * kernel warning or bug; the first such line is printed. Closes nothing.
 */
void kmsg_assert_clean(int kmsg);

#endif /* KMSG_H */
