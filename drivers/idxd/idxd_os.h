/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_IDXD_OS_H
#define SVART_IDXD_OS_H

/**
 * @file
 * The operating-system calls the hardware transports make, behind a table
 * that tests replace with a fake (fake /dev nodes, sysfs files, mmaps). Every
 * call returns a negative errno on failure (mmap: sets *err). Paths are
 * relative to roots that environment variables can move:
 *   SVART_SYSFS_ROOT (default /sys), SVART_DEV_ROOT (default /dev).
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct idxd_os_ops {
	int (*open)(const char *path, int flags);
	int (*close)(int fd);
	int (*ioctl)(int fd, unsigned long req, void *arg);
	void *(*mmap)(size_t len, int prot, int fd, off_t off, int *err);
	int (*munmap)(void *addr, size_t len);
	ssize_t (*read)(int fd, void *buf, size_t n);
	ssize_t (*write)(int fd, const void *buf, size_t n);
	ssize_t (*pread)(int fd, void *buf, size_t n, off_t off);
	ssize_t (*pwrite)(int fd, const void *buf, size_t n, off_t off);
	/** Target of a symbolic link, NUL-terminated. 0 or -errno. */
	int (*readlink)(const char *path, char *buf, size_t len);
};

/** The table in use (libc by default). */
extern const struct idxd_os_ops *idxd_os;

/** Replace the table (NULL restores libc). For tests. */
void idxd_os_set(const struct idxd_os_ops *ops);

/** Roots of sysfs and /dev, from the environment or the defaults. */
const char *idxd_sysfs_root(void);
const char *idxd_dev_root(void);

/** Read a small sysfs file into buf (NUL-terminated, trailing newline removed). 0 or -errno. */
int idxd_sysfs_read(const char *path, char *buf, size_t len);
/** Read an unsigned integer (decimal or 0x hex) from a sysfs file. 0 or -errno. */
int idxd_sysfs_u64(const char *path, unsigned long long *out);

/** True when the kernel lists flag among the CPU's flags (/proc/cpuinfo, or
 *  SVART_PROC_ROOT/cpuinfo): the feature is there and the kernel enabled it. */
bool idxd_kernel_cpu_flag(const char *flag);

#endif /* SVART_IDXD_OS_H */
