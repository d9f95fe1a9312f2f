/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Micro-benchmarks (Google Benchmark through mb_shim): submitter-side enqueue
 * cost per op type, batch formation, completion polling, ATC lookup,
 * page-request group assembly, the fault service's cost per request
 * without populating, CRC32C throughput. The device engine is
 * manual, so only the measured side runs inside the timed region. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include "emu_dsa_ops.h"
#include "emu_iommu.h"
#include "idxd_emu_pri.h"
#include "mb_shim.h"
#include "svart_accel.h"
#include "svart_idxd_emu.h"
#include "svart_iopf.h"

#define MB_RING 4096
#define MB_BURST 32
#define MB_BUF 256
#define MB_GROUP_PAGES 8
#define MB_CRC_SMALL 4096
#define MB_CRC_LARGE 65536
#define MB_PRQ 64           /* page request queue of the micro-benchmark's IOMMU */
#define MB_PASID 1

static int16_t dev;
static uint8_t src[MB_BUF], dst[MB_BUF], dst2[MB_BUF] __attribute__((aligned(4096)));

/* Let the manual engine finish everything and reap it (outside the clock). */
static void
drain(void)
{
	struct svart_accel_result r[64];

	svart_accel_submit(dev, 0);
	while (svart_accel_burst_capacity(dev, 0) < MB_RING - 1) {
		svart_idxd_emu_poll(dev, 256);
		svart_accel_completed_status(dev, 0, 64, NULL, r);
	}
}

static int
enqueue_one(int op)
{
	switch (op) {
	case SVART_ACCEL_OP_NOP: return svart_accel_nop(dev, 0, 0);
	case SVART_ACCEL_OP_COPY: return svart_accel_copy(dev, 0, src, dst, 64, 0);
	case SVART_ACCEL_OP_FILL: return svart_accel_fill(dev, 0, 0x1234, dst, 64, 0);
	case SVART_ACCEL_OP_COMPARE: return svart_accel_compare(dev, 0, src, dst, 64, 0);
	case SVART_ACCEL_OP_COMPARE_VALUE: return svart_accel_compare_value(dev, 0, src, 7, 64, 0);
	case SVART_ACCEL_OP_DUALCAST: return svart_accel_dualcast(dev, 0, src, dst, dst2, 64, 0);
	case SVART_ACCEL_OP_CRC32C: return svart_accel_crc32c(dev, 0, src, 64, 0, 0);
	case SVART_ACCEL_OP_COPY_CRC32C: return svart_accel_copy_crc32c(dev, 0, src, dst, 64, 0, 0);
	default: return svart_accel_cache_flush(dev, 0, dst, 64, 0);
	}
}

static void
bm_enqueue(svart_mb_state *st, void *arg)
{
	int op = (int)(intptr_t)arg;
	int64_t n = 0;

	drain();
	while (svart_mb_keep_running(st)) {
		if (enqueue_one(op) < 0) {
			svart_mb_pause(st);
			drain();
			svart_mb_resume(st);
			enqueue_one(op);
		}
		n++;
	}
	svart_mb_set_items(st, n);
	drain();
}

/* A burst of 32 copies and the submit that turns it into one BATCH descriptor. */
static void
bm_batch_formation(svart_mb_state *st, void *arg)
{
	int64_t n = 0;

	(void)arg;
	drain();
	while (svart_mb_keep_running(st)) {
		if (svart_accel_burst_capacity(dev, 0) < MB_BURST) {
			svart_mb_pause(st);
			drain();
			svart_mb_resume(st);
		}
		for (int k = 0; k < MB_BURST; k++)
			svart_accel_copy(dev, 0, src, dst, 64, 0);
		svart_accel_submit(dev, 0);
		n += MB_BURST;
	}
	svart_mb_set_items(st, n);
	drain();
}

/* Polling a queue that has nothing completed: the most frequent call of a poll loop. */
static void
bm_completion_poll_idle(svart_mb_state *st, void *arg)
{
	uint16_t last;
	bool err;
	int64_t n = 0;

	(void)arg;
	drain();
	while (svart_mb_keep_running(st))
		n += svart_accel_completed(dev, 0, MB_BURST, &last, &err) == 0;
	svart_mb_set_items(st, n);
}

/* The whole pipeline on one core: 32 copies enqueued, submitted as a batch,
 * executed by the (manual) engine, and reaped. */
static void
bm_pipeline_one_core(svart_mb_state *st, void *arg)
{
	uint16_t last;
	bool err;
	int64_t n = 0;

	(void)arg;
	drain();
	while (svart_mb_keep_running(st)) {
		for (int k = 0; k < MB_BURST; k++)
			svart_accel_copy(dev, 0, src, dst, 64, 0);
		svart_accel_submit(dev, 0);
		svart_idxd_emu_poll(dev, 64);
		n += svart_accel_completed(dev, 0, MB_BURST, &last, &err);
	}
	svart_mb_set_items(st, n);
	drain();
}

/* The PMD's own cost per 64 B copy: enqueue, submit and reap on one core
 * against idxd_null, which completes every descriptor the moment it is
 * written (arg: the burst). */
static int16_t null_dev = -1;

static void
bm_pmd_cost_null(svart_mb_state *st, void *arg)
{
	uint16_t burst = (uint16_t)(uintptr_t)arg, last;
	bool err;
	int64_t n = 0;

	while (svart_mb_keep_running(st)) {
		for (uint16_t k = 0; k < burst; k++)
			svart_accel_copy(null_dev, 0, src, dst, 64, 0);
		svart_accel_submit(null_dev, 0);
		n += svart_accel_completed(null_dev, 0, burst, &last, &err);
	}
	svart_mb_set_items(st, n);
}

/* ATC hit: translating a one-page buffer the cache already holds. */
static void
bm_atc_lookup(svart_mb_state *st, void *arg)
{
	struct emu_iommu *io = emu_iommu_create(16, 16);
	struct emu_atc *a = emu_atc_create(io);
	uint64_t va = (uint64_t)(uintptr_t)dst, ok = 0;

	(void)arg;
	emu_iommu_pasid_bind(io, 1);
	emu_atc_prefix(a, 1, va, 64, true);
	while (svart_mb_keep_running(st))
		ok += emu_atc_prefix(a, 1, va, 64, true);
	svart_mb_set_items(st, svart_mb_iterations(st));
	if (ok == 0)
		abort();
	emu_atc_destroy(a);
	emu_iommu_destroy(io);
}

/* A fake page-request source: one group of 8 pages per read, resolved by a hook
 * that does no work, so only assembly and answering are measured. */
static uint16_t next_group;
static uint64_t answered;

static uint16_t
src_read(void *ctx, struct svart_iopf_req *reqs, uint16_t max)
{
	(void)ctx;
	if (max < MB_GROUP_PAGES)
		return 0;
	for (uint16_t i = 0; i < MB_GROUP_PAGES; i++) {
		reqs[i].pasid = 1;
		reqs[i].group = next_group;
		reqs[i].write = 1;
		reqs[i].last = i == MB_GROUP_PAGES - 1;
		reqs[i].addr = 0x100000000ull + ((uint64_t)(MB_GROUP_PAGES - i) << 12);
	}
	next_group = (uint16_t)((next_group + 1) % 512);
	return MB_GROUP_PAGES;
}

static int
src_respond(void *ctx, uint32_t pasid, uint16_t group, bool invalid)
{
	(void)ctx;
	(void)pasid;
	(void)group;
	answered += !invalid;
	return 0;
}

static enum svart_iopf_verdict
hook_resolved(void *arg, uint32_t pasid, void *addr, size_t len, bool write)
{
	(void)arg;
	(void)pasid;
	(void)addr;
	(void)len;
	(void)write;
	return SVART_IOPF_RESOLVED;
}

static const struct svart_iopf_source_ops fake_ops = { .read = src_read, .respond = src_respond };

static void
bm_group_assembly(svart_mb_state *st, void *arg)
{
	struct svart_iopf_conf c = { .mode = SVART_IOPF_MANUAL, .lcore = -1,
				     .resolver = hook_resolved };
	int id;

	(void)arg;
	svart_iopf_stop();
	svart_iopf_start(&c);
	id = svart_iopf_source_add(&fake_ops, NULL);
	answered = 0;
	while (svart_mb_keep_running(st))
		svart_iopf_poll();
	svart_mb_set_items(st, (int64_t)answered);
	svart_iopf_source_remove(id);
	svart_iopf_stop();
}

/* The fault service's cost per page request without populating: a source
 * over an emulated IOMMU (what the idxd_emu transport does), one request for
 * a page that is already present per iteration. The device's side (raising
 * the request, seeing the response) is in the loop too; "iopf/emu_iommu_only"
 * is that side with the request read and answered directly, for the
 * difference. */
static uint16_t
emu_src_read(void *ctx, struct svart_iopf_req *reqs, uint16_t max)
{
	struct emu_page_req r[MB_GROUP_PAGES];
	uint16_t n = emu_pri_read(ctx, r, max < MB_GROUP_PAGES ? max : MB_GROUP_PAGES);

	idxd_emu_pri_to_iopf(r, reqs, n);
	return n;
}

static int
emu_src_respond(void *ctx, uint32_t pasid, uint16_t group, bool invalid)
{
	answered += !invalid;
	return emu_pri_respond(ctx, pasid, group, invalid ? EMU_PRI_INVALID : EMU_PRI_SUCCESS);
}

static const struct svart_iopf_source_ops emu_src_ops = { .read = emu_src_read,
							   .respond = emu_src_respond };

/* One request raised for dst's page (present), handled by handle(), seen. */
static void
emu_request_loop(svart_mb_state *st, struct emu_iommu *io, void (*handle)(struct emu_iommu *io))
{
	uint64_t va = (uint64_t)(uintptr_t)dst;
	uint16_t prg;

	while (svart_mb_keep_running(st)) {
		if (emu_pri_raise(io, MB_PASID, va, 1, true, &prg) != 0)
			abort();
		handle(io);
		if (emu_pri_poll(io, prg) != EMU_PRI_SUCCESS)
			abort();
	}
	svart_mb_set_items(st, svart_mb_iterations(st));
}

static void
handle_by_service(struct emu_iommu *io)
{
	(void)io;
	svart_iopf_poll();
}

static void
handle_direct(struct emu_iommu *io)
{
	struct emu_page_req r;

	if (emu_pri_read(io, &r, 1) != 1 ||
	    emu_pri_respond(io, r.pasid, r.prg, EMU_PRI_SUCCESS) != 0)
		abort();
}

/* arg non-NULL: a resolver hook answers (no populate at all); NULL: the default
 * resolution, MADV_POPULATE_WRITE of a page that is already there (the system
 * call only). */
static void
bm_iopf_request(svart_mb_state *st, void *arg)
{
	struct svart_iopf_conf c = { .mode = SVART_IOPF_MANUAL, .lcore = -1,
				     .resolver = arg != NULL ? hook_resolved : NULL };
	struct emu_iommu *io = emu_iommu_create(MB_PRQ, MB_PRQ);
	int id;

	memset(dst, 1, sizeof(dst));   /* present and written: nothing to populate */
	svart_iopf_stop();
	svart_iopf_start(&c);
	id = svart_iopf_source_add(&emu_src_ops, io);
	answered = 0;
	emu_request_loop(st, io, handle_by_service);
	if (answered == 0)
		abort();
	svart_iopf_source_remove(id);
	svart_iopf_stop();
	emu_iommu_destroy(io);
}

static void
bm_emu_iommu_only(svart_mb_state *st, void *arg)
{
	struct emu_iommu *io = emu_iommu_create(MB_PRQ, MB_PRQ);

	(void)arg;
	emu_request_loop(st, io, handle_direct);
	emu_iommu_destroy(io);
}

static void
bm_crc32c(svart_mb_state *st, void *arg)
{
	size_t len = (size_t)(uintptr_t)arg;
	uint8_t *buf = malloc(len);
	uint32_t crc = 0;

	memset(buf, 0x5a, len);
	while (svart_mb_keep_running(st))
		crc = emu_crc32c(crc, buf, len);
	svart_mb_set_bytes(st, svart_mb_iterations(st) * (int64_t)len);
	free(buf);
	if (crc == 1)
		abort();
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "-l", "0", "--no-huge", "-m", "256", "--no-shconf", "--no-pci",
			"--no-telemetry", "--log-level=*:error", NULL };
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = { .nb_desc = MB_RING, .mode = SVART_ACCEL_QUEUE_DEDICATED,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO,
					     .fault_policy = SVART_ACCEL_FAULT_REPORT };
	char name[64];
	int id;

	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0)
		return 1;
	id = svart_accel_probe("idxd_emu_mb,engine=manual");
	if (id < 0 || svart_accel_configure((int16_t)id, &conf) != 0 ||
	    svart_accel_queue_setup((int16_t)id, 0, &qc) != 0 || svart_accel_start((int16_t)id) != 0)
		return 1;
	dev = (int16_t)id;
	memset(src, 1, sizeof(src));
	for (int op = 0; op < SVART_ACCEL_OP_MAX; op++) {
		snprintf(name, sizeof(name), "enqueue/%s", svart_accel_op_name(op));
		svart_mb_register(name, bm_enqueue, (void *)(intptr_t)op);
	}
	svart_mb_register("batch_formation/copy64_burst32", bm_batch_formation, NULL);
	svart_mb_register("completion_poll/idle", bm_completion_poll_idle, NULL);
	svart_mb_register("pipeline_one_core/copy64_burst32", bm_pipeline_one_core, NULL);
	id = svart_accel_probe("idxd_null_mb,engine=manual");
	if (id >= 0 && svart_accel_configure((int16_t)id, &conf) == 0 &&
	    svart_accel_queue_setup((int16_t)id, 0, &qc) == 0 && svart_accel_start((int16_t)id) == 0) {
		null_dev = (int16_t)id;
		svart_mb_register("pmd_cost_null/copy64_burst1", bm_pmd_cost_null, (void *)(uintptr_t)1);
		svart_mb_register("pmd_cost_null/copy64_burst32", bm_pmd_cost_null,
				  (void *)(uintptr_t)MB_BURST);
	}
	svart_mb_register("atc_lookup/hit", bm_atc_lookup, NULL);
	svart_mb_register("iopf/group_assembly_8pages", bm_group_assembly, NULL);
	svart_mb_register("iopf/request_emu_no_populate", bm_iopf_request, (void *)(uintptr_t)1);
	svart_mb_register("iopf/request_emu_present_page", bm_iopf_request, NULL);
	svart_mb_register("iopf/emu_iommu_only", bm_emu_iommu_only, NULL);
	svart_mb_register("crc32c/4KiB", bm_crc32c, (void *)(uintptr_t)MB_CRC_SMALL);
	svart_mb_register("crc32c/64KiB", bm_crc32c, (void *)(uintptr_t)MB_CRC_LARGE);
	svart_mb_run(argc, argv);
	svart_accel_stop(dev);
	svart_accel_close(dev);
	rte_eal_cleanup();
	return 0;
}
