/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The kernel idxd char-device transport against a fake sysfs tree and fake
 * /dev/dsa nodes (regular files whose first page stands in for the portal):
 * discovery, capabilities, every error, and the descriptors the PMD writes.
 * Only the portal stores themselves (MOVDIR64B/ENQCMD to a device) need
 * hardware: test/hw/run-hw-tests.sh covers them on a machine with a DSA. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>

#include "dsa_hw_defs.h"
#include "idxd_os.h"
#include "idxd_portal.h"
#include "test_common.h"

static char root[PATH_MAX];
static char sysroot[PATH_MAX + 16], devroot[PATH_MAX + 16];

static void
put(const char *obj, const char *attr, const char *val)
{
	char p[PATH_MAX * 2];
	FILE *f;

	snprintf(p, sizeof(p), "%s/bus/dsa/devices/%s", sysroot, obj);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/bus/dsa/devices/%s/%s", sysroot, obj, attr);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", val);
	fclose(f);
}

static void
wq(const char *name, const char *type, const char *mode, const char *size, const char *state,
   const char *bof)
{
	char p[PATH_MAX * 2];
	int fd;

	put(name, "type", type);
	put(name, "mode", mode);
	put(name, "size", size);
	put(name, "threshold", size);
	put(name, "state", state);
	put(name, "block_on_fault", bof);
	snprintf(p, sizeof(p), "%s/dsa/%s", devroot, name);
	fd = open(p, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	close(fd);
}

static void
make_tree(void)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/bus", sysroot);
	mkdir(sysroot, 0755);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/bus/dsa", sysroot);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/bus/dsa/devices", sysroot);
	mkdir(p, 0755);
	mkdir(devroot, 0755);
	snprintf(p, sizeof(p), "%s/dsa", devroot);
	mkdir(p, 0755);
	put("dsa0", "max_transfer_size", "2097152");
	put("dsa0", "max_batch_size", "32");
	put("dsa0", "gen_cap", "0x40915f0107");
	/* bits 0-6 (NOOP..COMPVAL), 16-17 (CRCGEN, COPY_CRC); no DUALCAST, no CFLUSH */
	put("dsa0", "op_cap", "00000000,00000000,00000000,00000000,00000000,00000000,00000000,0003007f");
	put("dsa0", "numa_node", "0");
	wq("wq0.0", "user", "dedicated", "16", "enabled", "0");
	wq("wq0.1", "user", "shared", "32", "enabled", "1");
	wq("wq0.2", "kernel", "dedicated", "16", "enabled", "0");
	wq("wq0.3", "user", "dedicated", "8", "disabled", "0");
	/* Per-WQ limits below the device's, and a WQ without COMPVAL (op_config). */
	put("wq0.0", "max_transfer_size", "65536");
	put("wq0.0", "max_batch_size", "16");
	put("wq0.1", "max_transfer_size", "1048576");
	put("wq0.1", "max_batch_size", "32");
	put("wq0.1", "op_config",
	    "00000000,00000000,00000000,00000000,00000000,00000000,00000000,0003003f");
}

/* ---- error injection through the OS table ---- */
static int fail_open, fail_mmap;
static const struct idxd_os_ops *real_os;

static int
fake_open(const char *path, int flags)
{
	if (fail_open != 0 && strstr(path, "/dsa/wq") != NULL && strstr(path, "bus") == NULL)
		return fail_open;
	return real_os->open(path, flags);
}

static void *
fake_mmap(size_t len, int prot, int fd, off_t off, int *err)
{
	if (fail_mmap != 0) {
		*err = fail_mmap;
		return NULL;
	}
	return real_os->mmap(len, prot, fd, off, err);
}

static struct idxd_os_ops fake_os;

static int16_t
start_one(uint8_t mode, int *rc_out)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = { .nb_desc = 64, .mode = mode,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO };
	int id = svart_accel_probe("idxd_cdev0");

	assert_true(id >= 0);
	assert_int_equal(svart_accel_configure((int16_t)id, &conf), 0);
	assert_int_equal(svart_accel_queue_setup((int16_t)id, 0, &qc), 0);
	*rc_out = svart_accel_start((int16_t)id);
	return (int16_t)id;
}

static void
test_no_sysfs(void **state)
{
	(void)state;
	setenv("SVART_SYSFS_ROOT", "/nonexistent/svart", 1);
	assert_int_equal(svart_accel_probe("idxd_cdev0"), -ENODEV);
	setenv("SVART_SYSFS_ROOT", sysroot, 1);
	assert_int_equal(svart_accel_probe("idxd_cdev0,dev=dsa7"), -ENODEV);
	assert_int_equal(svart_accel_probe("idxd_cdev0,dev=xyz"), -EINVAL);
}

static void
test_discovery(void **state)
{
	struct svart_accel_info info;
	struct svart_accel_conf conf = { .nb_queues = 2 };
	struct svart_accel_queue_conf qc = { .nb_desc = 64, .hw_queue = SVART_ACCEL_HWQ_AUTO };
	int id = svart_accel_probe("idxd_cdev0,dev=dsa0");

	(void)state;
	assert_true(id >= 0);
	assert_int_equal(svart_accel_info_get((int16_t)id, &info), 0);
	assert_int_equal(info.hw_queues, 2);             /* kernel and disabled WQs skipped */
	assert_int_equal(info.hw_queue_entries, 48);
	/* The smallest of the WQs' limits, not the device's (2 MiB / 32). */
	assert_int_equal(info.max_transfer, 65536);
	assert_int_equal(info.max_batch, 16);
	assert_false(info.op_capa & (1u << SVART_ACCEL_OP_COMPARE_VALUE));
	assert_int_equal(info.numa_node, 0);
	assert_true(info.capa & SVART_ACCEL_CAPA_DEDICATED);
	assert_true(info.capa & SVART_ACCEL_CAPA_SHARED);
	assert_true(info.capa & SVART_ACCEL_CAPA_PAGE_FAULT);
	assert_true(info.op_capa & (1u << SVART_ACCEL_OP_COPY));
	assert_true(info.op_capa & (1u << SVART_ACCEL_OP_CRC32C));
	assert_false(info.op_capa & (1u << SVART_ACCEL_OP_CACHE_FLUSH));
	assert_false(info.op_capa & (1u << SVART_ACCEL_OP_DUALCAST));
	/* WQ modes are the kernel's: asking a shared WQ for a dedicated queue fails. */
	assert_int_equal(svart_accel_configure((int16_t)id, &conf), 0);
	qc.mode = SVART_ACCEL_QUEUE_DEDICATED;
	qc.hw_queue = 1;
	assert_int_equal(svart_accel_queue_setup((int16_t)id, 0, &qc), -EINVAL);
	/* Block-on-fault is off on the dedicated WQ. */
	qc.hw_queue = SVART_ACCEL_HWQ_AUTO;
	qc.fault_policy = SVART_ACCEL_FAULT_BLOCK;
	assert_int_equal(svart_accel_queue_setup((int16_t)id, 0, &qc), -ENOTSUP);
	qc.fault_policy = SVART_ACCEL_FAULT_DEFAULT;
	assert_int_equal(svart_accel_queue_setup((int16_t)id, 0, &qc), 0);
	qc.mode = SVART_ACCEL_QUEUE_SHARED;
	assert_int_equal(svart_accel_queue_setup((int16_t)id, 1, &qc), 0);
	assert_int_equal(svart_accel_close((int16_t)id), 0);
}

static void
test_cpu_without_portal_instructions(void **state)
{
	int rc;
	int16_t dev;

	(void)state;
	if (idxd_cpu_has_movdir64b()) {
		print_message("skipped: this CPU has MOVDIR64B\n");
		skip();
	}
	unsetenv("SVART_IDXD_PORTAL_FALLBACK");
	dev = start_one(SVART_ACCEL_QUEUE_DEDICATED, &rc);
	assert_int_equal(rc, -ENOTSUP);
	assert_int_equal(svart_accel_close(dev), 0);
}

static void
test_open_and_map_errors(void **state)
{
	static const int errs[] = { -EACCES, -EBUSY, -ENOENT };
	int rc;
	int16_t dev;

	(void)state;
	setenv("SVART_IDXD_PORTAL_FALLBACK", "1", 1);
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_open = errs[i];
		dev = start_one(SVART_ACCEL_QUEUE_DEDICATED, &rc);
		assert_int_equal(rc, errs[i]);
		assert_int_equal(svart_accel_close(dev), 0);
	}
	fail_open = 0;
	fail_mmap = -EPERM;
	dev = start_one(SVART_ACCEL_QUEUE_DEDICATED, &rc);
	assert_int_equal(rc, -EPERM);
	assert_int_equal(svart_accel_close(dev), 0);
	fail_mmap = 0;
}

/* What reaches the portal: read back from the fake node's first page. */
static void
read_portal(const char *name, struct dsa_hw_desc *d)
{
	char p[PATH_MAX * 2];
	int fd;

	snprintf(p, sizeof(p), "%s/dsa/%s", devroot, name);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, d, sizeof(*d), 0), (ssize_t)sizeof(*d));
	close(fd);
}

static void
test_descriptors_reach_portal(void **state)
{
	uint8_t src[128], dst[128];
	struct dsa_hw_desc d, list[4];
	uint16_t last;
	bool err;
	int rc, idx;
	int16_t dev;

	(void)state;
	memset(src, 3, sizeof(src));
	setenv("SVART_IDXD_PORTAL_FALLBACK", "1", 1);
	dev = start_one(SVART_ACCEL_QUEUE_DEDICATED, &rc);
	assert_int_equal(rc, 0);
	idx = svart_accel_copy(dev, 0, src, dst, sizeof(src), SVART_ACCEL_OP_SUBMIT);
	assert_true(idx >= 0);
	read_portal("wq0.0", &d);
	assert_int_equal(d.opcode, DSA_OPCODE_MEMMOVE);
	assert_int_equal(d.src_addr, (uint64_t)(uintptr_t)src);
	assert_int_equal(d.dst_addr, (uint64_t)(uintptr_t)dst);
	assert_int_equal(d.xfer_size, sizeof(src));
	assert_int_equal(d.pasid, 0);                       /* the kernel's business */
	assert_true(d.flags & IDXD_OP_FLAG_CRAV);
	assert_true(d.flags & IDXD_OP_FLAG_RCR);
	assert_false(d.flags & IDXD_OP_FLAG_BOF);           /* resume policy on this WQ */
	/* Play the device: write the completion record. */
	__atomic_store_n((uint8_t *)(uintptr_t)d.completion_addr, DSA_COMP_SUCCESS, __ATOMIC_RELEASE);
	assert_int_equal(svart_accel_completed(dev, 0, 4, &last, &err), 1);
	assert_int_equal(last, (uint16_t)idx);
	/* A burst of four becomes one BATCH descriptor over the ring. */
	for (int i = 0; i < 4; i++)
		assert_true(svart_accel_copy(dev, 0, src, dst, 64, 0) >= 0);
	assert_int_equal(svart_accel_submit(dev, 0), 0);
	read_portal("wq0.0", &d);
	assert_int_equal(d.opcode, DSA_OPCODE_BATCH);
	assert_int_equal(d.desc_count, 4);
	memcpy(list, (const void *)(uintptr_t)d.desc_list_addr, sizeof(list));
	for (int i = 0; i < 4; i++) {
		assert_int_equal(list[i].opcode, DSA_OPCODE_MEMMOVE);
		assert_int_equal(list[i].xfer_size, 64);
	}
	__atomic_store_n((uint8_t *)(uintptr_t)d.completion_addr, DSA_COMP_SUCCESS, __ATOMIC_RELEASE);
	assert_int_equal(svart_accel_completed(dev, 0, 8, &last, &err), 4);
	test_dev_close(dev);

	/* Shared WQ: ENQCMD path. */
	dev = start_one(SVART_ACCEL_QUEUE_SHARED, &rc);
	assert_int_equal(rc, 0);
	assert_true(svart_accel_crc32c(dev, 0, src, 100, 0, SVART_ACCEL_OP_SUBMIT) >= 0);
	read_portal("wq0.1", &d);
	assert_int_equal(d.opcode, DSA_OPCODE_CRCGEN);
	assert_true(d.flags & IDXD_OP_FLAG_BOF);            /* block-on-fault WQ: kernel resolves */
	/* The device's op_cap lacks CFLUSH: refused before anything is written. */
	assert_int_equal(svart_accel_cache_flush(dev, 0, dst, 64, 0), -ENOTSUP);
	test_dev_close(dev);
}

static int
setup(void **state)
{
	char tmpl[] = "/tmp/svart_cdev_XXXXXX";

	(void)state;
	if (mkdtemp(tmpl) == NULL)
		return -1;
	snprintf(root, sizeof(root), "%s", tmpl);
	snprintf(sysroot, sizeof(sysroot), "%s/sys", root);
	snprintf(devroot, sizeof(devroot), "%s/dev", root);
	make_tree();
	setenv("SVART_SYSFS_ROOT", sysroot, 1);
	setenv("SVART_DEV_ROOT", devroot, 1);
	real_os = idxd_os;
	fake_os = *idxd_os;
	fake_os.open = fake_open;
	fake_os.mmap = fake_mmap;
	idxd_os_set(&fake_os);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	idxd_os_set(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* ENQCMD is usable only when the kernel lists it in /proc/cpuinfo. */
static void
test_kernel_enqcmd_flag(void **state)
{
	char path[PATH_MAX + 16];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/cpuinfo", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu movdir64b enqcmd\n\n"
	      "processor\t: 1\nflags\t\t: fpu\n", f);
	fclose(f);
	setenv("SVART_PROC_ROOT", root, 1);
	assert_true(idxd_kernel_cpu_flag("enqcmd"));
	assert_true(idxd_kernel_cpu_flag("movdir64b"));
	assert_false(idxd_kernel_cpu_flag("enq"));
	assert_false(idxd_kernel_cpu_flag("movdir64"));
	f = fopen(path, "w");
	fputs("processor\t: 0\nflags\t\t: fpu movdir64b\n", f);
	fclose(f);
	assert_false(idxd_kernel_cpu_flag("enqcmd"));
	unsetenv("SVART_PROC_ROOT");
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_enqcmd_flag),
		cmocka_unit_test(test_no_sysfs),
		cmocka_unit_test(test_discovery),
		cmocka_unit_test(test_cpu_without_portal_instructions),
		cmocka_unit_test(test_open_and_map_errors),
		cmocka_unit_test(test_descriptors_reach_portal),
	};
	int rc;

	(void)argc;
	if (test_eal_init(argv[0], "0") < 0)
		return 1;
	rc = cmocka_run_group_tests_name("idxd_cdev", tests, setup, teardown);
	rte_eal_cleanup();
	return rc;
}
