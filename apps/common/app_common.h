/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_APP_COMMON_H
#define SVART_APP_COMMON_H

#include <stdint.h>

/**
 * Initialise the EAL. Arguments before a "--" go to the EAL; without a "--"
 * the EAL gets defaults that work on a 2-core machine without hugepages
 * (-l 0-1 --no-huge -m 512 --no-shconf --no-pci). Returns how many argv
 * entries were consumed (the application's options start there) or a
 * negative errno.
 */
int app_eal_init(int argc, char **argv);

/** Monotonic nanoseconds. */
uint64_t app_now_ns(void);

/** Parse an op name ("copy", ...) into enum svart_accel_op_type, -1 if unknown. */
int app_op_parse(const char *name);

/** Parse a size with optional K/M/G suffix (binary units). Returns 0 or -EINVAL. */
int app_size_parse(const char *s, uint64_t *out);

#endif /* SVART_APP_COMMON_H */
