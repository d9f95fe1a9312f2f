/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "idxd_os.h"

static int
os_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int
os_close(int fd)
{
	return close(fd) == 0 ? 0 : -errno;
}

static int
os_ioctl(int fd, unsigned long req, void *arg)
{
	int rc = ioctl(fd, req, arg);

	return rc < 0 ? -errno : rc;
}

static void *
os_mmap(size_t len, int prot, int fd, off_t off, int *err)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, off);

	if (p == MAP_FAILED) {
		*err = -errno;
		return NULL;
	}
	return p;
}

static int
os_munmap(void *addr, size_t len)
{
	return munmap(addr, len) == 0 ? 0 : -errno;
}

static ssize_t
os_read(int fd, void *buf, size_t n)
{
	ssize_t r = read(fd, buf, n);

	return r < 0 ? -errno : r;
}

static ssize_t
os_write(int fd, const void *buf, size_t n)
{
	ssize_t r = write(fd, buf, n);

	return r < 0 ? -errno : r;
}

static ssize_t
os_pread(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r = pread(fd, buf, n, off);

	return r < 0 ? -errno : r;
}

static ssize_t
os_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t r = pwrite(fd, buf, n, off);

	return r < 0 ? -errno : r;
}

static int
os_readlink(const char *path, char *buf, size_t len)
{
	ssize_t r = readlink(path, buf, len - 1);

	if (r < 0)
		return -errno;
	buf[r] = '\0';
	return 0;
}

static const struct idxd_os_ops idxd_os_libc = {
	.open = os_open, .close = os_close, .ioctl = os_ioctl, .mmap = os_mmap,
	.munmap = os_munmap, .read = os_read, .write = os_write, .pread = os_pread,
	.pwrite = os_pwrite, .readlink = os_readlink,
};

const struct idxd_os_ops *idxd_os = &idxd_os_libc;

void
idxd_os_set(const struct idxd_os_ops *ops)
{
	idxd_os = ops != NULL ? ops : &idxd_os_libc;
}

const char *
idxd_sysfs_root(void)
{
	const char *r = getenv("SVART_SYSFS_ROOT");

	return r != NULL && r[0] != '\0' ? r : "/sys";
}

const char *
idxd_dev_root(void)
{
	const char *r = getenv("SVART_DEV_ROOT");

	return r != NULL && r[0] != '\0' ? r : "/dev";
}

int
idxd_sysfs_read(const char *path, char *buf, size_t len)
{
	int fd = idxd_os->open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = idxd_os->read(fd, buf, len - 1);
	idxd_os->close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int
idxd_sysfs_u64(const char *path, unsigned long long *out)
{
	char buf[64], *end;
	int rc = idxd_sysfs_read(path, buf, sizeof(buf));

	if (rc != 0)
		return rc;
	*out = strtoull(buf, &end, 0);
	return end == buf ? -EINVAL : 0;
}

#define IDXD_OS_PATH_MAX 512
#define IDXD_CPUINFO_MAX 8192 /* the first processor's entry */

bool
idxd_kernel_cpu_flag(const char *flag)
{
	/* The first processor's "flags" line: what the kernel enabled (it
	 * clears enqcmd when it does not manage IA32_PASID for user space,
	 * whatever CPUID says). Read through the OS table like sysfs. */
	char path[IDXD_OS_PATH_MAX], buf[IDXD_CPUINFO_MAX], *line, *end;
	const char *root = getenv("SVART_PROC_ROOT");
	size_t fl = strlen(flag);

	snprintf(path, sizeof(path), "%s/cpuinfo", root != NULL ? root : "/proc");
	if (idxd_sysfs_read(path, buf, sizeof(buf)) != 0)
		return false;
	line = strstr(buf, "\nflags");
	if (line == NULL)
		return false;
	end = strchr(line + 1, '\n');
	if (end != NULL)
		*end = '\0';
	for (char *p = strstr(line, flag); p != NULL; p = strstr(p + fl, flag))
		if (p[-1] == ' ' && (p[fl] == ' ' || p[fl] == '\0'))
			return true;
	return false;
}
