/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The VFIO + iommufd transport against the strict kernel model (test/kmodel):
 * a fake sysfs tree, and /dev/iommu, the VFIO device cdev and the fault fd
 * played by the model, which rejects what the kernel rejects, forwards BAR0,
 * config space and the portals to an emulated DSA, carries the emulated
 * IOMMU's page requests as iommufd fault records, and makes the device
 * translate through the IOAS attached to its PASID (a page the back end did
 * not map faults even when the CPU has it). The whole bring-up, fault
 * handling and tear-down run; what only hardware exercises is the
 * MOVDIR64B/ENQCMD store to a mapped BAR2 (portals go through pwrite here). */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>

#include "dsa_hw_defs.h"
#include "emu_dsa.h"
#include "idxd_internal.h"
#include "kmodel.h"
#include "svart_uapi_iommu.h"
#include "svart_iopf.h"
#include "svart_sva.h"
#include "test_common.h"

#define BDF "0000:6a:01.0"
#define SYNTH_PAGES 40u  /* a page-request group larger than any fixed table */
#define REAP_TRIES 1000
#define SLEEP_US 1000
#define NB_DESC 64
#define BURST 4u        /* ops sent as one hardware batch */
#define FRESH_PAGES 3u
#define PIN_LIMIT_PAGES 8u    /* what the user's other pins leave */
#define PIN_RLIMIT_PAGES 32u  /* RLIMIT_MEMLOCK, scaled down */
#define PIN_STREAM_PAGES 64u
#define STREAM_BURST 32u      /* ops per burst in the streaming test */
#define STREAM_BURSTS 4u

static char root[PATH_MAX], sysroot[PATH_MAX + 8];
static struct emu_dsa *emu;

static struct kmodel_stats
stats(void)
{
	struct kmodel_stats s;

	kmodel_stats_get(&s);
	return s;
}

static void
put(const char *rel, const char *val)
{
	char p[PATH_MAX * 2];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", sysroot, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", val);
	fclose(f);
}

static void
mkdirs(const char *rel)
{
	char p[PATH_MAX * 2], cmd[PATH_MAX * 2 + 16];

	snprintf(p, sizeof(p), "%s/%s", sysroot, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", p);
	assert_int_equal(system(cmd), 0);
}

static void
make_tree(void)
{
	char p[PATH_MAX * 2];

	mkdirs("bus/pci/devices/" BDF "/vfio-dev/vfio3");
	put("bus/pci/devices/" BDF "/vendor", "0x8086");
	put("bus/pci/devices/" BDF "/device", "0x0b25");
	put("bus/pci/devices/" BDF "/numa_node", "0");
	snprintf(p, sizeof(p), "%s/bus/pci/devices/" BDF "/driver", sysroot);
	assert_int_equal(symlink("../../../bus/pci/drivers/vfio-pci", p), 0);
	/* A second DSA function still bound to the kernel driver. */
	mkdirs("bus/pci/devices/0000:6a:02.0");
	put("bus/pci/devices/0000:6a:02.0/vendor", "0x8086");
	put("bus/pci/devices/0000:6a:02.0/device", "0x0b25");
	snprintf(p, sizeof(p), "%s/bus/pci/devices/0000:6a:02.0/driver", sysroot);
	assert_int_equal(symlink("../../../bus/pci/drivers/idxd", p), 0);
}

static void
test_bringup_errors(void **state)
{
	(void)state;
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=0000:6a:02.0"), -ENODEV); /* not vfio-pci */
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=0000:00:00.0"), -ENODEV); /* no such fn */
	kmodel_fail(KMODEL_OP_OPEN_IOMMU, -ENOENT);   /* kernel without iommufd */
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=" BDF), -ENODEV);
	kmodel_fail(KMODEL_OP_OPEN_IOMMU, -EACCES);
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=" BDF), -EACCES);
	kmodel_fail(KMODEL_OP_OPEN_DEV, -EACCES);
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=" BDF), -EACCES);
	kmodel_fail(KMODEL_OP_BIND, -ENOTTY);         /* kernel without the device cdev */
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=" BDF), -ENOTSUP);
	kmodel_fail(KMODEL_OP_FAULT_ALLOC, -ENOTTY);  /* kernel without fault queues */
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=" BDF), -ENOTSUP);
	kmodel_fail(KMODEL_OP_HWPT_ALLOC, -EOPNOTSUPP);
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=" BDF), -EOPNOTSUPP);
	/* Register reads fail: the reset is not taken as done (CMDSTS read as 0). */
	kmodel_fail(KMODEL_OP_PREAD, -EIO);
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=" BDF), -EIO);
	kmodel_fail(KMODEL_OP_PREAD, 0);
	{
		/* The PASID attach is refused (kernel too old, IOMMU not in scalable mode). */
		struct svart_accel_conf conf = { .nb_queues = 1 };
		struct svart_accel_queue_conf qc = { .nb_desc = 64, .mode = SVART_ACCEL_QUEUE_DEDICATED,
						     .hw_queue = SVART_ACCEL_HWQ_AUTO };
		int id = svart_accel_probe("idxd_vfio0,bdf=" BDF);

		assert_true(id >= 0);
		assert_int_equal(svart_accel_configure((int16_t)id, &conf), 0);
		assert_int_equal(svart_accel_queue_setup((int16_t)id, 0, &qc), 0);
		kmodel_fail(KMODEL_OP_ATTACH, -EOPNOTSUPP);
		assert_int_equal(svart_accel_start((int16_t)id), -EOPNOTSUPP);
		assert_int_equal(svart_accel_close((int16_t)id), 0);
	}
	/* Every failed bring-up closed what it opened: the device binds again. */
	assert_int_equal(stats().pinned_pages, 0);
}

static uint16_t
reap(int16_t dev, struct svart_accel_result *r)
{
	uint16_t got = 0;

	for (int i = 0; i < REAP_TRIES && got == 0; i++) {
		emu_dsa_engine_poll(emu, 0, 64);
		svart_iopf_poll();
		got = svart_accel_completed_status(dev, 0, 1, NULL, r);
	}
	return got;
}

/* A 40-page group (more than any fixed table holds) arrives whole, is
 * resolved with one IOAS_MAP for its contiguous pages, and answered once
 * with its own cookie. */
static void
check_big_group(int16_t dev)
{
	uint64_t maps = stats().maps;
	uint8_t *buf = mmap(NULL, SYNTH_PAGES * 4096u, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int h, code = -EAGAIN;

	assert_true(buf != MAP_FAILED);
	h = kmodel_inject_group((uint32_t)svart_sva_pasid(dev), (uint64_t)(uintptr_t)buf, SYNTH_PAGES, true);
	assert_true(h >= 0);
	for (int i = 0; i < 100 && code == -EAGAIN; i++) {
		svart_iopf_poll();
		code = kmodel_injected_code(h);
	}
	assert_int_equal(code, SVART_IOMMUFD_PAGE_RESP_SUCCESS);
	assert_int_equal(stats().maps - maps, 1);
	assert_true(kmodel_pasid_mapped((uint32_t)svart_sva_pasid(dev), (uint64_t)(uintptr_t)buf,
					SYNTH_PAGES * 4096u, true));
	assert_int_equal(svart_sva_invalidate(dev, buf, SYNTH_PAGES * 4096u), 0);
	munmap(buf, SYNTH_PAGES * 4096u);
}

/* A descriptor the device drops (here: its WQ was disabled behind the
 * driver's back) reaches no record, only SWERR: the op must still complete,
 * failed with the SWERR code, instead of staying pending forever. */
static void
check_swerr_surfaces(int16_t dev)
{
	static uint8_t src[64], dst[64];
	struct svart_accel_result r;
	uint16_t got = 0;

	assert_int_equal(emu_dsa_cmd(emu, DSA_CMD_DISABLE_WQ, 1u), DSA_CMDSTS_OK);
	assert_true(svart_accel_copy(dev, 0, src, dst, sizeof(dst), SVART_ACCEL_OP_SUBMIT) >= 0);
	for (int i = 0; i < 2000 && got == 0; i++) {
		got = svart_accel_completed_status(dev, 0, 1, NULL, &r);
		if (got == 0)
			usleep(1000);
	}
	assert_int_equal(got, 1);
	assert_int_not_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_int_equal(r.hw_status, DSA_SWERR_WQ_NOT_ENABLED);
	assert_int_equal(emu_dsa_mmio_read64(emu, DSA_REG_SWERR), 0); /* cleared */
	assert_int_equal(emu_dsa_cmd(emu, DSA_CMD_ENABLE_WQ, 0), DSA_CMDSTS_OK);
}

static void
test_full_path(void **state)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = { .nb_desc = 64, .mode = SVART_ACCEL_QUEUE_DEDICATED,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO };
	struct svart_accel_info info;
	struct svart_accel_result r;
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *src = malloc(2 * (size_t)pg), *dst = malloc(2 * (size_t)pg), *fresh;
	int id, pasid;
	int16_t dev;

	(void)state;
	id = svart_accel_probe("idxd_vfio0");     /* found by scanning sysfs */
	assert_true(id >= 0);
	dev = (int16_t)id;
	assert_int_equal(svart_accel_info_get(dev, &info), 0);
	assert_int_equal(info.hw_queues, 8);      /* read from the device's WQCAP */
	assert_int_equal(info.numa_node, 0);
	assert_int_equal(svart_accel_configure(dev, &conf), 0);
	/* No shared WQs over VFIO: ENQCMD needs the kernel's IA32_PASID. */
	assert_false(info.capa & SVART_ACCEL_CAPA_SHARED);
	qc.mode = SVART_ACCEL_QUEUE_SHARED;
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), -ENOTSUP);
	qc.mode = SVART_ACCEL_QUEUE_DEDICATED;
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), 0);
	assert_int_equal(svart_accel_start(dev), 0);
	/* The device masters the bus once started (Enable Device needs it). */
	assert_true(emu_dsa_pci_cfg_read16(emu, DSA_PCI_CFG_COMMAND) & DSA_PCI_COMMAND_MASTER);
	check_swerr_surfaces(dev);
	check_big_group(dev);
	pasid = svart_sva_pasid(dev);
	assert_true(pasid > 0);
	assert_int_equal(stats().attaches, 1);
	/* Present memory. */
	memset(src, 0x21, 2 * (size_t)pg);
	memset(dst, 0, 2 * (size_t)pg);
	assert_true(svart_accel_copy(dev, 0, src, dst, (uint32_t)(2 * pg), SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(reap(dev, &r), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(dst, src, 2 * (size_t)pg);
	/* Fresh memory: page requests over the fault fd, IOAS maps, responses. */
	fresh = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(fresh != MAP_FAILED);
	assert_true(svart_accel_copy(dev, 0, src, fresh, (uint32_t)(2 * pg), SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(reap(dev, &r), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(fresh, src, 2 * (size_t)pg);
	assert_true(stats().maps >= 1);
	/* a writable mapping is mapped read-write */
	assert_int_equal(stats().map_writeable, stats().maps);
	assert_true(stats().responses >= 1);
	assert_true(kmodel_pasid_mapped((uint32_t)pasid, (uint64_t)(uintptr_t)fresh, 2 * (size_t)pg, true));
	/* An invalidate unmaps the range from the IOAS. */
	assert_int_equal(svart_sva_invalidate(dev, fresh, 2 * (size_t)pg), 0);
	assert_true(stats().unmaps >= 1);
	assert_false(kmodel_pasid_mapped((uint32_t)pasid, (uint64_t)(uintptr_t)fresh, 1, false));
	assert_false(kmodel_pasid_mapped((uint32_t)pasid, (uint64_t)(uintptr_t)fresh + pg, 1, false));
	/* An address the process cannot write: Invalid response, clean error. */
	assert_int_equal(mprotect(fresh, (size_t)pg, PROT_READ), 0);
	assert_int_equal(svart_sva_invalidate(dev, fresh, (size_t)pg), 0);
	assert_false(kmodel_pasid_mapped((uint32_t)pasid, (uint64_t)(uintptr_t)fresh, 1, true));
	assert_true(svart_accel_copy(dev, 0, src, fresh, 64, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(reap(dev, &r), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_PAGE_FAULT);
	assert_int_equal(r.fault_addr, (uint64_t)(uintptr_t)fresh);
	/* Tear-down: stop, unbind (drain, detach, unmap), close. */
	assert_int_equal(svart_accel_stop(dev), 0);
	kmodel_stats_reset();
	assert_int_equal(svart_sva_unbind(dev, 0), 0);
	assert_int_equal(stats().detaches, 1);
	assert_int_equal(stats().detach_noop, 0);
	/* the kernel's order: drain the PASID, then detach */
	assert_int_equal(stats().detach_after_drain, 1);
	assert_true(stats().unmaps >= 1);
	assert_int_equal(stats().pinned_pages, 0);     /* everything unpinned */
	assert_int_equal(kmodel_stale_accesses(), 0);
	assert_int_equal(svart_accel_close(dev), 0);
	munmap(fresh, 2 * (size_t)pg);
	free(src);
	free(dst);
}

/* After an unbind, a group still held is forgotten: never answered for a later owner. */
static void
test_no_answer_after_detach(void **state)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = { .nb_desc = 64, .mode = SVART_ACCEL_QUEUE_DEDICATED,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO };
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t src[64] = { 0 }, *fresh;
	struct svart_iopf_conf ic = { .mode = SVART_IOPF_MANUAL, .lcore = -1 };
	struct svart_accel_result r;
	uint64_t resp_before;
	int id;
	int16_t dev;

	(void)state;
	id = svart_accel_probe("idxd_vfio1,bdf=" BDF);
	assert_true(id >= 0);
	dev = (int16_t)id;
	assert_int_equal(svart_accel_configure(dev, &conf), 0);
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), 0);
	assert_int_equal(svart_accel_start(dev), 0);
	fresh = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(svart_accel_copy(dev, 0, src, fresh, 64, SVART_ACCEL_OP_SUBMIT) >= 0);
	svart_iopf_stop();
	emu_dsa_engine_poll(emu, 0, 64);              /* parks, raises the request */
	/* The kernel has the group queued on the fault fd, unread, when the unbind comes. */
	for (uint64_t q = stats().queued, i = 0; i < REAP_TRIES && stats().queued == q; i++) {
		emu_dsa_engine_poll(emu, 0, 64);
		kmodel_pump();
	}
	resp_before = stats().responses;
	assert_int_equal(svart_sva_unbind(dev, SVART_SVA_UNBIND_NOWAIT), 0);
	assert_int_equal(svart_iopf_start(&ic), 0);
	svart_iopf_poll();
	/* nothing written for the old PASID (its cookie died at the detach) */
	assert_int_equal(stats().responses, resp_before);
	assert_true(stats().auto_responses >= 1);
	/* The device saw its request refused. With the PASID detached its record
	 * cannot be written either (no page table): the op ends through SWERR,
	 * failed, never pending forever. */
	{
		uint16_t got = 0;

		for (int i = 0; i < REAP_TRIES && got == 0; i++) {
			emu_dsa_engine_poll(emu, 0, 64);
			svart_iopf_poll();
			got = svart_accel_completed_status(dev, 0, 1, NULL, &r);
			if (got == 0)
				usleep(SLEEP_US);
		}
		assert_int_equal(got, 1);
	}
	assert_int_not_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_int_equal(stats().responses, resp_before);
	svart_sva_quarantine_reap();
	assert_int_equal(svart_accel_stop(dev), 0);
	assert_int_equal(svart_accel_close(dev), 0);
	munmap(fresh, (size_t)pg);
}

static int16_t
vfio_start(const char *devargs, uint8_t policy)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = { .nb_desc = NB_DESC, .mode = SVART_ACCEL_QUEUE_DEDICATED,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO, .fault_policy = policy };
	int id = svart_accel_probe(devargs);

	assert_true(id >= 0);
	assert_int_equal(svart_accel_configure((int16_t)id, &conf), 0);
	assert_int_equal(svart_accel_queue_setup((int16_t)id, 0, &qc), 0);
	assert_int_equal(svart_accel_start((int16_t)id), 0);
	return (int16_t)id;
}

static void
vfio_close(int16_t dev)
{
	assert_int_equal(svart_accel_stop(dev), 0);
	(void)svart_sva_unbind(dev, 0);
	assert_int_equal(svart_accel_close(dev), 0);
}

static struct idxd_queue *
queue0(int16_t dev)
{
	return svart_accel_dev_get(dev)->queues[0];
}

/* What the device reads and writes on its own (descriptor rings and batch
 * lists, completion records, the replay record) is in the IOAS with the
 * access it needs: the device never page-faults on it. */
static void
check_rings_mapped(int16_t dev)
{
	const struct idxd_queue *q = queue0(dev);
	uint32_t pasid = (uint32_t)svart_sva_pasid(dev);

	assert_true(kmodel_pasid_mapped(pasid, (uintptr_t)q->desc_ring, q->nb_desc * DSA_DESC_SIZE, false));
	assert_true(kmodel_pasid_mapped(pasid, (uintptr_t)q->op_cr, q->nb_desc * DSA_COMP_SIZE, true));
	assert_true(kmodel_pasid_mapped(pasid, (uintptr_t)q->batch_cr, q->nb_desc * DSA_COMP_SIZE, true));
	assert_true(kmodel_pasid_mapped(pasid, (uintptr_t)q->rs_cr, sizeof(*q->rs_cr), true));
}

static bool
ring_faulted(int16_t dev)
{
	const struct idxd_queue *q = queue0(dev);

	return kmodel_fault_seen((uintptr_t)q->desc_ring, q->nb_desc * DSA_DESC_SIZE) ||
	       kmodel_fault_seen((uintptr_t)q->op_cr, q->nb_desc * DSA_COMP_SIZE) ||
	       kmodel_fault_seen((uintptr_t)q->batch_cr, q->nb_desc * DSA_COMP_SIZE) ||
	       kmodel_fault_seen((uintptr_t)q->rs_cr, sizeof(*q->rs_cr));
}

static uint16_t
reap_n(int16_t dev, uint16_t n, struct svart_accel_result *r)
{
	uint16_t got = 0;

	for (int i = 0; i < REAP_TRIES && got < n; i++) {
		emu_dsa_engine_poll(emu, 0, 64);
		svart_iopf_poll();
		got += svart_accel_completed_status(dev, 0, (uint16_t)(n - got), NULL, r + got);
	}
	return got;
}

/* The rings are IOAS-mapped when the PASID is bound and the queues set up,
 * and again after an unmap-all (unbind, bind): single ops and hardware
 * batches complete without a page request for the PMD's own structures. */
static void
test_rings_in_ioas(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *src = test_fresh((size_t)pg), *dst = test_fresh(BURST * (size_t)pg);
	struct svart_accel_result r[BURST];
	uint32_t pasid;
	int16_t dev;

	(void)state;
	dev = vfio_start("idxd_vfio2,bdf=" BDF, SVART_ACCEL_FAULT_BLOCK);
	check_rings_mapped(dev);
	kmodel_stats_reset();
	memset(src, 0x5a, (size_t)pg);
	assert_true(svart_accel_copy(dev, 0, src, dst, (uint32_t)pg, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(reap_n(dev, 1, r), 1);
	assert_int_equal(r[0].status, SVART_ACCEL_ST_SUCCESS);
	for (uint32_t i = 0; i < BURST; i++)
		assert_true(svart_accel_copy(dev, 0, src, dst + i * pg, (uint32_t)pg,
					     i + 1 == BURST ? SVART_ACCEL_OP_SUBMIT : 0) >= 0);
	assert_int_equal(reap_n(dev, BURST, r), BURST);
	for (uint32_t i = 0; i < BURST; i++) {
		assert_int_equal(r[i].status, SVART_ACCEL_ST_SUCCESS);
		assert_memory_equal(dst + i * pg, src, (size_t)pg);
	}
	assert_false(ring_faulted(dev));
	/* Unbind unmaps the whole IOAS; a new bind maps the rings again. */
	assert_int_equal(svart_accel_stop(dev), 0);
	assert_int_equal(svart_sva_unbind(dev, 0), 0);
	assert_int_equal(kmodel_pasid_areas(pasid = 0), -ENOENT);
	assert_int_equal(svart_sva_bind(dev, &pasid), 0);
	check_rings_mapped(dev);
	assert_int_equal(kmodel_stale_accesses(), 0);
	(void)svart_sva_unbind(dev, 0);
	assert_int_equal(svart_accel_close(dev), 0);
	munmap(src, (size_t)pg);
	munmap(dst, BURST * (size_t)pg);
}

/* Under RESUME the driver resolves the page and resubmits the rest; under
 * REPORT the application resolves it and submits the rest. Either way the
 * resolved page must reach the IOAS (a page the CPU has is not one the
 * device translates), or the op faults on it forever. */
static void
check_policy(uint8_t policy, const char *devargs)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = FRESH_PAGES * (size_t)pg;
	uint8_t *src = malloc(len), *dst = test_fresh(len);
	struct svart_accel_result r;
	uint32_t done = 0;
	unsigned int pieces = 0;
	int16_t dev = vfio_start(devargs, policy);

	memset(src, 0x3c, len);
	while (done < len && pieces++ < 4 * FRESH_PAGES) {
		assert_true(svart_accel_copy(dev, 0, src + done, dst + done, (uint32_t)(len - done),
					     SVART_ACCEL_OP_SUBMIT) >= 0);
		assert_int_equal(reap_n(dev, 1, &r), 1);
		if (r.status == SVART_ACCEL_ST_SUCCESS) {
			done = (uint32_t)len;
			break;
		}
		assert_int_equal(r.status, SVART_ACCEL_ST_PAGE_FAULT);
		assert_int_equal(policy, SVART_ACCEL_FAULT_REPORT);
		/* REPORT: the application resolves the page (svart_sva_resolve: a
		 * CPU touch alone does not reach the IOAS), then submits the rest. */
		assert_int_equal(svart_sva_resolve(dev, (const void *)(uintptr_t)r.fault_addr, 1,
						   r.fault_write), 0);
		done += r.bytes_completed;
	}
	assert_int_equal(done, len);
	assert_memory_equal(dst, src, len);
	assert_int_equal(kmodel_stale_accesses(), 0);
	vfio_close(dev);
	free(src);
	munmap(dst, len);
}

static void
test_resume_maps_page(void **state)
{
	(void)state;
	check_policy(SVART_ACCEL_FAULT_RESUME, "idxd_vfio3,bdf=" BDF);
}

static void
test_report_maps_page(void **state)
{
	(void)state;
	check_policy(SVART_ACCEL_FAULT_REPORT, "idxd_vfio4,bdf=" BDF);
}

/* Copy len bytes of pattern v into dst and reap it: the op's status. */
static uint8_t
copy_into(int16_t dev, uint8_t *dst, size_t len, uint8_t v)
{
	static uint8_t src[2 * 4096];
	struct svart_accel_result r = { .status = SVART_ACCEL_ST_INVALID };

	memset(src, v, sizeof(src));
	assert_true(len <= sizeof(src));
	assert_true(svart_accel_copy(dev, 0, src, dst, (uint32_t)len, SVART_ACCEL_OP_SUBMIT) >= 0);
	if (reap_n(dev, 1, &r) != 1)
		return SVART_ACCEL_ST_INVALID;
	return r.status;
}

/* Copy into buf (its pages end up in the IOAS), let the process change buf's
 * pages, then copy into it again: the device must write the process's
 * current pages, never a stale pin. */
static void
check_stale(int16_t dev, uint8_t *buf, size_t len, int how)
{
	static uint8_t src[2 * 4096];
	struct svart_accel_result r;

	memset(src, 0x11, sizeof(src));
	assert_true(svart_accel_copy(dev, 0, src, buf, (uint32_t)len, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(reap_n(dev, 1, &r), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	if (how == 0)
		assert_int_equal(madvise(buf, len, MADV_DONTNEED), 0);
	else
		assert_true(mmap(buf, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				 -1, 0) == buf); /* munmap + mmap in one */
	/* No wait: the submit below is ordered after the notifier's unmaps. */
	memset(src, 0x22, sizeof(src));
	assert_true(svart_accel_copy(dev, 0, src, buf, (uint32_t)len, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(reap_n(dev, 1, &r), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(buf, src, len);
	assert_int_equal(kmodel_stale_accesses(), 0);
}

/* The IOAS follows the process: after MADV_DONTNEED, munmap/mmap or mremap of
 * memory the device used, the device sees the process's pages (the kernel
 * keeps the old ones pinned until the IOAS lets them go). */
static void
test_ioas_follows_process(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *a = test_fresh(2 * (size_t)pg), *b = test_fresh(2 * (size_t)pg);
	uint8_t *c = test_fresh(2 * (size_t)pg), *to = test_fresh(2 * (size_t)pg);
	int16_t dev = vfio_start("idxd_vfio5,bdf=" BDF, SVART_ACCEL_FAULT_BLOCK);
	uint32_t pasid = (uint32_t)svart_sva_pasid(dev);
	struct svart_accel_result r;
	uint64_t pinned;

	check_stale(dev, a, 2 * (size_t)pg, 0);
	check_stale(dev, b, 2 * (size_t)pg, 1);
	/* mremap: the old range leaves the IOAS and its pins go */
	assert_true(svart_accel_copy(dev, 0, a, c, (uint32_t)(2 * pg), SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(reap_n(dev, 1, &r), 1);
	assert_true(kmodel_pasid_mapped(pasid, (uintptr_t)c, 2 * (size_t)pg, true));
	pinned = stats().pinned_pages;
	assert_true(mremap(c, 2 * (size_t)pg, 2 * (size_t)pg, MREMAP_MAYMOVE | MREMAP_FIXED, to) == to);
	/* Any submission after mremap returned waits for the notifier's
	 * unmaps (the transport's fence): one into memory already mapped. */
	assert_int_equal(copy_into(dev, a, 64, 5), SVART_ACCEL_ST_SUCCESS);
	assert_false(kmodel_pasid_mapped(pasid, (uintptr_t)c, 1, false));
	assert_true(stats().pinned_pages < pinned);
	assert_int_equal(kmodel_stale_accesses(), 0);
	vfio_close(dev);
	munmap(a, 2 * (size_t)pg);
	munmap(b, 2 * (size_t)pg);
	munmap(to, 2 * (size_t)pg);
}

/* svart_sva_invalidate of part of what one page-request group mapped: the
 * range must leave the IOAS, though the kernel unmaps whole areas only
 * (io_pagetable.c iopt_unmap_iova_range refuses a cut with -ENOENT). */
static void
test_invalidate_part_of_area(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *buf = test_fresh(2 * (size_t)pg);
	int16_t dev = vfio_start("idxd_vfio6,bdf=" BDF, SVART_ACCEL_FAULT_BLOCK);
	uint32_t pasid = (uint32_t)svart_sva_pasid(dev);

	(void)state;
	assert_int_equal(copy_into(dev, buf, 2 * (size_t)pg, 1), SVART_ACCEL_ST_SUCCESS);
	assert_true(kmodel_pasid_mapped(pasid, (uintptr_t)buf, 2 * (size_t)pg, true));
	assert_int_equal(svart_sva_invalidate(dev, buf, (size_t)pg), 0);
	assert_false(kmodel_pasid_mapped(pasid, (uintptr_t)buf, 1, false));
	vfio_close(dev);
	munmap(buf, 2 * (size_t)pg);
}

/* A page mapped read-only (the process could only read it) and written once
 * the process may: remapped writable, though the read-only area it sits in
 * is larger (whole-area unmaps only). */
static void
test_read_only_then_written(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *buf = test_fresh(2 * (size_t)pg), *dst = test_fresh(2 * (size_t)pg);
	int16_t dev = vfio_start("idxd_vfio7,bdf=" BDF, SVART_ACCEL_FAULT_BLOCK);
	struct svart_accel_result r;

	(void)state;
	memset(buf, 7, 2 * (size_t)pg);
	assert_int_equal(mprotect(buf, 2 * (size_t)pg, PROT_READ), 0);
	assert_true(svart_accel_copy(dev, 0, buf, dst, (uint32_t)(2 * pg), SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(reap_n(dev, 1, &r), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_int_equal(mprotect(buf, 2 * (size_t)pg, PROT_READ | PROT_WRITE), 0);
	assert_int_equal(copy_into(dev, buf, 64, 9), SVART_ACCEL_ST_SUCCESS);
	assert_int_equal(buf[0], 9);
	vfio_close(dev);
	munmap(buf, 2 * (size_t)pg);
	munmap(dst, 2 * (size_t)pg);
}

/* Stream through fresh pages, one op each: every op must succeed. */
static void
stream_pages(int16_t dev, uint8_t *buf, unsigned int pages)
{
	long pg = sysconf(_SC_PAGESIZE);

	for (unsigned int i = 0; i < pages; i++)
		assert_int_equal(copy_into(dev, buf + i * pg, 64, (uint8_t)i), SVART_ACCEL_ST_SUCCESS);
}

/* Pinned pages count against RLIMIT_MEMLOCK (pages.c incr_user_locked_vm:
 * IOAS_MAP -ENOMEM beyond it). Streaming through more fresh memory than the
 * limit must keep working: what the device used earlier can be let go. */
static void
test_pin_limit(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *buf = test_fresh(PIN_STREAM_PAGES * (size_t)pg);
	struct rlimit old, low;
	int16_t dev;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_MEMLOCK, &old), 0);
	low = old;
	low.rlim_cur = (stats().pinned_pages + PIN_RLIMIT_PAGES) * (rlim_t)pg;
	assert_int_equal(setrlimit(RLIMIT_MEMLOCK, &low), 0);
	kmodel_set_pin_limit(0);                      /* the kernel's limit: RLIMIT_MEMLOCK */
	dev = vfio_start("idxd_vfio8,bdf=" BDF, SVART_ACCEL_FAULT_BLOCK);
	stream_pages(dev, buf, PIN_STREAM_PAGES);
	vfio_close(dev);
	assert_int_equal(setrlimit(RLIMIT_MEMLOCK, &old), 0);
	kmodel_set_pin_limit(0);
	munmap(buf, PIN_STREAM_PAGES * (size_t)pg);
}

/* The kernel charges pins to the user (user->locked_vm, shared by all the
 * user's processes and devices: pages.c incr_user_locked_vm), so IOAS_MAP
 * may fail -ENOMEM below the process's own count: the back end must let old
 * fault areas go and map again, not fail the op. */
static void
test_pin_limit_shared(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *buf = test_fresh(PIN_STREAM_PAGES * (size_t)pg);
	int16_t dev = vfio_start("idxd_vfio9,bdf=" BDF, SVART_ACCEL_FAULT_BLOCK);

	(void)state;
	kmodel_set_pin_limit(stats().pinned_pages + PIN_LIMIT_PAGES);
	stream_pages(dev, buf, PIN_STREAM_PAGES);
	kmodel_set_pin_limit(0);
	vfio_close(dev);
	munmap(buf, PIN_STREAM_PAGES * (size_t)pg);
}

/* Streaming bursts of page-sized copies into fresh memory, every page new
 * to the IOAS, under BLOCK (page requests) and RESUME (the driver resolves
 * and resubmits); then the process replaces the memory and the stream runs
 * again into the same addresses. Every byte checked, no stale pin used. */
static void
check_stream_bursts(uint8_t policy, const char *devargs)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = STREAM_BURSTS * STREAM_BURST * (size_t)pg;
	uint8_t *src = malloc(len), *dst = test_fresh(len);
	struct svart_accel_result r[STREAM_BURST];
	int16_t dev = vfio_start(devargs, policy);

	assert_non_null(src);
	for (int pass = 0; pass < 2; pass++) {
		memset(src, 0x40 + pass, len);
		for (unsigned int b = 0; b < STREAM_BURSTS; b++) {
			for (unsigned int i = 0; i < STREAM_BURST; i++) {
				size_t off = ((size_t)b * STREAM_BURST + i) * (size_t)pg;

				assert_true(svart_accel_copy(dev, 0, src + off, dst + off, (uint32_t)pg,
							     i + 1 == STREAM_BURST ? SVART_ACCEL_OP_SUBMIT
										   : 0) >= 0);
			}
			assert_int_equal(reap_n(dev, STREAM_BURST, r), STREAM_BURST);
			for (unsigned int i = 0; i < STREAM_BURST; i++)
				assert_int_equal(r[i].status, SVART_ACCEL_ST_SUCCESS);
		}
		assert_memory_equal(dst, src, len);
		/* New memory at the same addresses: what the IOAS held must go. */
		assert_true(mmap(dst, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				 -1, 0) == dst);
	}
	assert_int_equal(kmodel_stale_accesses(), 0);
	vfio_close(dev);
	free(src);
	munmap(dst, len);
}

static void
test_stream_bursts(void **state)
{
	(void)state;
	check_stream_bursts(SVART_ACCEL_FAULT_BLOCK, "idxd_vfio10,bdf=" BDF);
	check_stream_bursts(SVART_ACCEL_FAULT_RESUME, "idxd_vfio11,bdf=" BDF);
}

/* After each test: a device a failed test left open is closed (the model
 * binds the function once at a time, as the kernel does). */
static int
close_all(void **state)
{
	(void)state;
	kmodel_set_pin_limit(0);
	for (int16_t d = 0; d < SVART_ACCEL_MAX_DEVS; d++) {
		if (svart_accel_dev_get(d) == NULL)
			continue;
		(void)svart_accel_stop(d);
		(void)svart_sva_unbind(d, SVART_SVA_UNBIND_NOWAIT);
		svart_sva_quarantine_reap();
		(void)svart_accel_close(d);
	}
	return 0;
}

static int
setup(void **state)
{
	char tmpl[] = "/tmp/svart_vfio_XXXXXX";
	struct emu_dsa_profile p;
	struct svart_iopf_conf ic = { .mode = SVART_IOPF_MANUAL, .lcore = -1 };
	int err;

	(void)state;
	if (mkdtemp(tmpl) == NULL)
		return -1;
	snprintf(root, sizeof(root), "%s", tmpl);
	snprintf(sysroot, sizeof(sysroot), "%s/sys", root);
	make_tree();
	setenv("SVART_SYSFS_ROOT", sysroot, 1);
	setenv("SVART_DEV_ROOT", root, 1);
	setenv("SVART_IDXD_PORTAL_PWRITE", "1", 1);
	emu_dsa_profile_default(&p);
	p.engine_mode = EMU_DSA_ENGINE_MANUAL;
	emu = emu_dsa_create("vfio_kmodel", &p, &err);
	if (emu == NULL || kmodel_init(emu) != 0)
		return -1;
	return svart_iopf_start(&ic);
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	svart_iopf_stop();
	kmodel_fini();
	emu_dsa_destroy(emu);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_bringup_errors, close_all),
		cmocka_unit_test_teardown(test_full_path, close_all),
		cmocka_unit_test_teardown(test_no_answer_after_detach, close_all),
		cmocka_unit_test_teardown(test_rings_in_ioas, close_all),
		cmocka_unit_test_teardown(test_resume_maps_page, close_all),
		cmocka_unit_test_teardown(test_report_maps_page, close_all),
		cmocka_unit_test_teardown(test_ioas_follows_process, close_all),
		cmocka_unit_test_teardown(test_invalidate_part_of_area, close_all),
		cmocka_unit_test_teardown(test_read_only_then_written, close_all),
		cmocka_unit_test_teardown(test_pin_limit, close_all),
		cmocka_unit_test_teardown(test_pin_limit_shared, close_all),
		cmocka_unit_test_teardown(test_stream_bursts, close_all),
	};
	int rc;

	(void)argc;
	if (test_eal_init(argv[0], "0") < 0)
		return 1;
	rc = cmocka_run_group_tests_name("idxd_vfio", tests, setup, teardown);
	rte_eal_cleanup();
	return rc;
}
