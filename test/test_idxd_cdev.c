/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The kernel idxd char-device transport against a fake sysfs tree and fake
 * /dev/dsa nodes (regular files whose first page stands in for the portal):
 * discovery, capabilities, every error, and the descriptors the PMD writes.
 * The kernel's side of the WQ files is modelled (open binds a PASID, the
 * INTEL-SA-01084 mmap refusal, write() submission with the kernel's rules),
 * and descriptors written to a WQ file run on an emulated DSA configured as
 * the kernel would have it. Only the portal stores themselves (MOVDIR64B/
 * ENQCMD to a device) need hardware: test/hw/run-hw-tests.sh covers them on
 * a machine with a DSA. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_log.h>

#include "dsa_hw_defs.h"
#include "idxd_os.h"
#include "idxd_portal.h"
#include "test_common.h"
#include "cdev_kernel_model.h"

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
	put("dsa0", "op_cap", OPCAP_ALL);
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

static int16_t last_dev = -1; /* the device start_one() probed last */

static int16_t
start_one(uint8_t mode, int *rc_out)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = { .nb_desc = 64, .mode = mode,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO };
	int id = svart_accel_probe("idxd_cdev0");

	assert_true(id >= 0);
	last_dev = (int16_t)id;
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
		km.fail_open = errs[i];
		dev = start_one(SVART_ACCEL_QUEUE_DEDICATED, &rc);
		assert_int_equal(rc, errs[i]);
		assert_int_equal(svart_accel_close(dev), 0);
	}
	km.fail_open = 0;
	/* An mmap error other than the capability refusal is reported at start. */
	km.fail_mmap = -EINVAL;
	dev = start_one(SVART_ACCEL_QUEUE_DEDICATED, &rc);
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(svart_accel_close(dev), 0);
	km.fail_mmap = 0;
}

/* The portal could be mapped at probe, not at start (capability dropped in
 * between): the mode chosen at probe cannot change under the queues, start
 * says so. */
static void
test_mmap_refused_after_probe(void **state)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = { .nb_desc = 64, .mode = SVART_ACCEL_QUEUE_DEDICATED,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO };
	int id;

	(void)state;
	setenv("SVART_IDXD_PORTAL_FALLBACK", "1", 1);
	id = svart_accel_probe("idxd_cdev0");
	assert_true(id >= 0);
	assert_int_equal(svart_accel_configure((int16_t)id, &conf), 0);
	assert_int_equal(svart_accel_queue_setup((int16_t)id, 0, &qc), 0);
	km.rawio = false;
	assert_int_equal(svart_accel_start((int16_t)id), -EPERM);
	km.rawio = true;
	assert_int_equal(svart_accel_close((int16_t)id), 0);
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

/* ---- write() submission (portal mmap refused) ---- */

/* The model itself holds the kernel's rules (idxd_cdev_write(),
 * idxd_submit_user_descriptor()), so that the PMD is tested against them. */
static void
test_kernel_write_model(void **state)
{
	static struct dsa_completion_record cr[2] __attribute__((aligned(DSA_COMP_ALIGN)));
	struct dsa_hw_desc d[2] __attribute__((aligned(DSA_DESC_SIZE)));
	char path[PATH_MAX * 2];
	int fd, err = 0;

	(void)state;
	km.rawio = false;
	snprintf(path, sizeof(path), "%s/dsa/wq0.0", devroot);
	fd = idxd_os->open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(idxd_os->open(path, O_RDWR), -EBUSY);      /* dedicated: one client */
	assert_null(idxd_os->mmap((size_t)sysconf(_SC_PAGESIZE), PROT_WRITE, fd, 0, &err));
	assert_int_equal(err, -EPERM);                             /* INTEL-SA-01084 */
	memset(d, 0, sizeof(d));
	memset(cr, 0, sizeof(cr)); /* present: nobody answers the device's page requests here */
	d[0].opcode = DSA_OPCODE_NOOP;
	d[0].flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR;
	d[0].completion_addr = (uint64_t)(uintptr_t)&cr[0];
	d[1] = d[0];
	d[1].opcode = DSA_OPCODE_BATCH;
	/* Less than a descriptor submits nothing; BATCH and a misaligned record
	 * are refused; the first refusal ends the call after what went before. */
	assert_int_equal(idxd_os->write(fd, d, sizeof(d[0]) / 2), 0);
	assert_int_equal(idxd_os->write(fd, &d[1], sizeof(d[1])), -EINVAL);
	d[0].completion_addr += DSA_COMP_ALIGN / 2;
	assert_int_equal(idxd_os->write(fd, d, sizeof(d[0])), -EINVAL);
	d[0].completion_addr -= DSA_COMP_ALIGN / 2;
	assert_int_equal(idxd_os->write(fd, d, sizeof(d)), (ssize_t)sizeof(d[0]));
	assert_int_equal(emu_dsa_engine_poll(km_emu, 0, KM_ENGINE_BUDGET), 1);
	assert_int_equal(cr[0].status, DSA_COMP_SUCCESS);
	assert_int_equal(km.batches, 0);
	idxd_os->close(fd);
	km.rawio = true;
	km.refused = 0;
}

/* Step the device and reap n ops, submitting again what a full WQ held back. */
static uint16_t
km_reap(int16_t dev, uint16_t n, struct svart_accel_result *res)
{
	uint16_t got = 0;

	for (unsigned int i = 0; got < n && i < KM_POLLS; i++) {
		emu_dsa_engine_poll(km_emu, 0, KM_ENGINE_BUDGET);
		(void)svart_accel_submit(dev, 0); /* -EBUSY while the WQ is still full */
		got += svart_accel_completed_status(dev, 0, (uint16_t)(n - got), NULL, res + got);
	}
	return got;
}

/* The probe chose write() submission and says so (device dump). */
static void
assert_write_mode(int16_t dev, bool batch)
{
	struct svart_accel_info info;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(svart_accel_dump(dev, f), 0);
	fclose(f);
	assert_non_null(strstr(text, "write() submission"));
	free(text);
	assert_int_equal(svart_accel_info_get(dev, &info), 0);
	assert_int_equal((info.capa & SVART_ACCEL_CAPA_BATCH) != 0, batch);
}

#define KM_BUF 4096
#define KM_BURST 8
#define KM_FILL 0x5a5a5a5a5a5a5a5aull
#define KM_DIFF_AT (KM_BUF - 3)  /* where the second compare finds a difference */
#define KM_SINGLES 4u            /* ops submitted alone: copy, two compares, fill */

/* Copy, fill and compare, alone and as a burst, through write(). */
static void
write_mode_ops(uint8_t mode, bool batch)
{
	static uint8_t src[KM_BUF], dst[KM_BUF], other[KM_BUF];
	struct svart_accel_result res[KM_BURST];
	uint64_t descs0 = km.descs;
	char *text = NULL;
	size_t len = 0;
	FILE *log;
	int rc;
	int16_t dev;

	for (unsigned int i = 0; i < KM_BUF; i++)
		src[i] = (uint8_t)(i * 7 + mode);
	memset(dst, 0, sizeof(dst));
	memcpy(other, src, sizeof(other));
	other[KM_DIFF_AT] ^= 1;
	/* The probe says which mode it chose. */
	log = open_memstream(&text, &len);
	assert_non_null(log);
	assert_int_equal(rte_openlog_stream(log), 0);
	rte_log_set_level_pattern("svart.pmd.idxd", RTE_LOG_NOTICE);
	dev = start_one(mode, &rc);
	rte_log_set_level_pattern("svart.pmd.idxd", RTE_LOG_ERR);
	rte_openlog_stream(NULL);
	fclose(log);
	assert_non_null(strstr(text, "submission by write() to the WQ file"));
	assert_non_null(strstr(text, batch ? "hardware batches on" : "hardware batches off"));
	free(text);
	assert_int_equal(rc, 0);
	assert_true(svart_accel_copy(dev, 0, src, dst, KM_BUF, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(km_reap(dev, 1, res), 1);
	assert_int_equal(res[0].status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(dst, src, KM_BUF);
	assert_true(svart_accel_compare(dev, 0, src, dst, KM_BUF, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_true(svart_accel_compare(dev, 0, src, other, KM_BUF, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(km_reap(dev, 2, res), 2);
	assert_int_equal(res[0].result, 0);
	assert_int_equal(res[1].result, 1);
	assert_int_equal(res[1].bytes_completed, KM_DIFF_AT);
	assert_true(svart_accel_fill(dev, 0, KM_FILL, dst, KM_BUF, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(km_reap(dev, 1, res), 1);
	for (unsigned int i = 0; i < KM_BUF; i++)
		assert_int_equal(dst[i], (uint8_t)KM_FILL);
	/* A burst: one write() per op unless the kernel takes BATCH. */
	for (unsigned int i = 0; i < KM_BURST; i++)
		assert_true(svart_accel_copy(dev, 0, src + i * (KM_BUF / KM_BURST),
					     dst + i * (KM_BUF / KM_BURST), KM_BUF / KM_BURST, 0) >= 0);
	assert_int_equal(svart_accel_submit(dev, 0), 0);
	assert_int_equal(km_reap(dev, KM_BURST, res), KM_BURST);
	for (unsigned int i = 0; i < KM_BURST; i++)
		assert_int_equal(res[i].status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(dst, src, KM_BUF);
	assert_int_equal(km.descs - descs0, KM_SINGLES + (batch ? 1u : KM_BURST));
	assert_int_equal(km.refused, 0);
	assert_write_mode(dev, batch);
	test_dev_close(dev);
}

static void
write_mode_begin(bool dsa2)
{
	/* A test that failed half-way left its device: each test on its own. */
	if (last_dev >= 0) {
		(void)svart_accel_stop(last_dev);
		(void)svart_accel_close(last_dev);
	}
	last_dev = -1;
	km.rawio = false;
	km.dsa2 = dsa2;
	km.batches = km.refused = km.eagain = 0;
	put("dsa0", "op_cap", dsa2 ? OPCAP_ALL : OPCAP_NO_BATCH);
	/* The kernel does the stores: no MOVDIR64B/ENQCMD needed in this CPU,
	 * nor a kernel that enables ENQCMD for user space. */
	unsetenv("SVART_IDXD_PORTAL_FALLBACK");
	setenv("SVART_PROC_ROOT", "/nonexistent/svart", 1);
}

static void
write_mode_end(void)
{
	km.rawio = true;
	km.dsa2 = false;
	put("dsa0", "op_cap", OPCAP_ALL);
	unsetenv("SVART_PROC_ROOT");
}

/* A DSA 1 without CAP_SYS_RAWIO: write() for each op, never a BATCH. */
static void
test_write_mode_ops(void **state)
{
	(void)state;
	write_mode_begin(false);
	write_mode_ops(SVART_ACCEL_QUEUE_DEDICATED, false);
	write_mode_ops(SVART_ACCEL_QUEUE_SHARED, false);
	assert_int_equal(km.batches, 0);
	write_mode_end();
}

/* A DSA 2 on a kernel that takes BATCH through write() (after the 2025
 * patch narrowing the BATCH refusal to DSA 1, op_cap shows it): bursts go
 * as BATCH descriptors again. */
static void
test_write_mode_batch_allowed(void **state)
{
	(void)state;
	write_mode_begin(true);
	write_mode_ops(SVART_ACCEL_QUEUE_DEDICATED, true);
	assert_int_equal(km.batches, 1);
	write_mode_end();
}

#define KM_OVERFILL 40 /* more than either WQ holds */
#define KM_CHUNK 64

/* More ops than the WQ holds: the dedicated WQ is never overfilled (it
 * would drop), the shared one answers -EAGAIN, and every op completes. */
static void
overfill(uint8_t mode)
{
	static uint8_t src[KM_OVERFILL * KM_CHUNK], dst[KM_OVERFILL * KM_CHUNK];
	struct svart_accel_result res[KM_OVERFILL];
	struct svart_accel_stats st;
	struct emu_dsa_counters c;
	int rc;
	int16_t dev;

	for (unsigned int i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i ^ (i >> 8) ^ mode);
	memset(dst, 0, sizeof(dst));
	dev = start_one(mode, &rc);
	assert_int_equal(rc, 0);
	for (unsigned int i = 0; i < KM_OVERFILL; i++)
		assert_true(svart_accel_copy(dev, 0, src + i * KM_CHUNK, dst + i * KM_CHUNK, KM_CHUNK,
					     0) >= 0);
	assert_int_equal(svart_accel_submit(dev, 0), -EBUSY);      /* WQ full: held back */
	assert_int_equal(km_reap(dev, KM_OVERFILL, res), KM_OVERFILL);
	for (unsigned int i = 0; i < KM_OVERFILL; i++)
		assert_int_equal(res[i].status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(dst, src, sizeof(src));
	emu_dsa_counters_get(km_emu, &c);
	assert_int_equal(c.swerrs, 0);                             /* nothing dropped */
	assert_int_equal(svart_accel_stats_get(dev, 0, &st), 0);
	if (mode == SVART_ACCEL_QUEUE_SHARED)
		assert_true(km.eagain > 0 && st.retries > 0);
	assert_int_equal(km.batches, 0);
	test_dev_close(dev);
}

static void
test_write_mode_full_wq(void **state)
{
	(void)state;
	write_mode_begin(false);
	overfill(SVART_ACCEL_QUEUE_DEDICATED);
	overfill(SVART_ACCEL_QUEUE_SHARED);
	write_mode_end();
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
	km.rawio = true; /* a privileged caller until a test says otherwise */
	return km_setup(devroot);
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	km_teardown();
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
		cmocka_unit_test(test_mmap_refused_after_probe),
		cmocka_unit_test(test_descriptors_reach_portal),
		cmocka_unit_test(test_kernel_write_model),
		cmocka_unit_test(test_write_mode_ops),
		cmocka_unit_test(test_write_mode_full_wq),
		cmocka_unit_test(test_write_mode_batch_allowed),
	};
	int rc;

	(void)argc;
	if (test_eal_init(argv[0], "0") < 0)
		return 1;
	rc = cmocka_run_group_tests_name("idxd_cdev", tests, setup, teardown);
	rte_eal_cleanup();
	return rc;
}
