// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the tools: fatal errors and CRC-32.
 */
#ifndef TOOLS_COMMON_H
#define TOOLS_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Print "<program>: <message>[: <errno text>]" and exit(1). */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

void crc32_init(void);
/*
 * Raw CRC-32 (reflected 0xedb88320) without pre- or post-inversion, as the
 * kernel's crc32_le(): vdisplay's CRCs are crc32_update(0, frame, size).
 */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif /* TOOLS_COMMON_H */
