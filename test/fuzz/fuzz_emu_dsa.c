/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/*
 * Fuzz harness of the emulated DSA device (LLVMFuzzerTestOneInput).
 *
 * One device with two manually stepped engines sharing five WQs: dedicated
 * with block-on-fault, dedicated without it, shared with block-on-fault
 * (ENQCMD), dedicated privileged with block-on-fault (these with the bound
 * PASID), dedicated without PASID (nothing translates). Each
 * input (format in fuzz_emu_dsa.h) sets up the arena, writes its descriptors
 * to the portals (with engine steps and drain/abort commands in between),
 * answers page requests by its policy, and steps the engines until every WQ
 * is idle. Failures, each an abort() with the descriptors printed:
 *  - a hang: the WQs not idle after FZ_HANG_NS;
 *  - a byte of the arena changed that no descriptor names as a destination
 *    or 32-byte-aligned completion record (fuzz_arena.c);
 *  - the device touched memory it had not translated (its memory guard
 *    trapped an access) although no page response lied to it;
 *  - device or WQ state wrong afterwards (disabled, occupancy left);
 * and, from the sanitizers and the kernel, any crash.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>

#include "dsa_hw_defs.h"
#include "emu_dsa.h"
#include "fuzz_emu_dsa.h"

#define FZ_NENGINES         2u
#define FZ_PRI_TIMEOUT_MS   2u          /**< a parked descriptor gives up after this */
#define FZ_HANG_NS          (10ull * 1000000000ull)
#define FZ_HANG_CHECK_EVERY 64u         /**< engine steps between clock reads */
#define FZ_WQ_SIZE          24u         /**< x FZ_NWQS within the device's 128 entries */
#define FZ_SWQ_THRESHOLD    16u
#define FZ_PRI_READ_MAX     64u
#define FZ_SYNC_TRIES       1000u       /**< polls for an idle engine to run a NOOP */
#define FZ_NS_PER_S         1000000000ull
#define FZ_PRIO(n)          ((uint32_t)(n) << DSA_WQCFG_PRIORITY_SHIFT)
#define FZ_WQ_PASID         (DSA_WQCFG_PASID_EN | (FZ_PASID << DSA_WQCFG_PASID_SHIFT))

/* WQCFG mode dword and threshold of the fuzzed WQs. */
static const struct {
	uint32_t mode, threshold;
} wq_cfg[FZ_NWQS] = {
	{ DSA_WQCFG_MODE_DEDICATED | DSA_WQCFG_BOF_EN | FZ_WQ_PASID | FZ_PRIO(1), 0 },
	{ DSA_WQCFG_MODE_DEDICATED | FZ_WQ_PASID | FZ_PRIO(2), 0 },
	{ DSA_WQCFG_BOF_EN | FZ_PRIO(1), FZ_SWQ_THRESHOLD },
	{ DSA_WQCFG_MODE_DEDICATED | DSA_WQCFG_BOF_EN | FZ_WQ_PASID | DSA_WQCFG_PRIV | FZ_PRIO(3), 0 },
	{ DSA_WQCFG_MODE_DEDICATED | DSA_WQCFG_BOF_EN | FZ_PRIO(1), 0 },
};
/* Engine steps before a submission (ctl[0] bits 4-5). */
static const unsigned int polls_before[] = { 0, 1, 4, 16 };

static struct emu_dsa *dev;
static uint32_t wqcfg_base, wqcfg_stride;
static struct fz_run run;
static uint32_t mixed_rng;
static uint64_t sync_noops;     /**< NOOPs the harness submitted itself (sync_engines) */
/* FUZZ_EMU_DSA_LIE_ANYWHERE=1: the lying policy answers Success for any page. */
static bool lie_anywhere;
/* A lie was told: the device entered pages in its ATCs that it may not have
 * touched yet; they stay until the next invalidation. */
static bool lied;

/* Page request groups in flight, as the harness's "IOMMU driver" sees them. */
static struct {
	bool open, ok;
	uint8_t policy;
} grp[EMU_PRG_COUNT];

struct emu_dsa *
fz_device(void)
{
	return dev;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * FZ_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static uint32_t
cmd(uint32_t c, uint32_t operand)
{
	return emu_dsa_cmd(dev, c, operand);
}

void
fz_fail(const struct fz_run *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_emu_dsa: FAILURE: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fz_print_run(r);
	fflush(stderr);
	abort();
}

/* Nothing may be mapped where the NULL-relative selectors reach. */
static int
check_low_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long long start = 0;
	int rc = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%llx", &start) == 1 && start >= FZ_NULL_SPAN + FZ_REACH)
		rc = 0;
	fclose(f);
	if (rc != 0)
		fprintf(stderr, "fuzz_emu_dsa: memory mapped at 0x%llx, below the NULL-page reach\n",
			start);
	return rc;
}

static int
device_setup(void)
{
	struct emu_dsa_profile p;
	uint64_t table;
	uint32_t grpcfg;
	int err;

	emu_dsa_profile_default(&p);
	p.num_engines = FZ_NENGINES;
	p.engine_mode = EMU_DSA_ENGINE_MANUAL;
	p.pri_timeout_ms = FZ_PRI_TIMEOUT_MS;
	dev = emu_dsa_create("fuzz_emu_dsa", &p, &err);
	if (dev == NULL) {
		fprintf(stderr, "fuzz_emu_dsa: emu_dsa_create: %d\n", err);
		return -1;
	}
	table = emu_dsa_mmio_read64(dev, DSA_REG_TABLE_OFFSET);
	grpcfg = (uint32_t)(table & DSA_TABLE_GRPCFG_MASK) * DSA_TABLE_OFFSET_UNIT;
	wqcfg_base = (uint32_t)((table >> DSA_TABLE_WQCFG_SHIFT) & DSA_TABLE_WQCFG_MASK) *
		     DSA_TABLE_OFFSET_UNIT;
	wqcfg_stride = 1u << (((emu_dsa_mmio_read64(dev, DSA_REG_WQCAP) >> DSA_WQCAP_WQCFG_SIZE_SHIFT) &
			       DSA_WQCAP_WQCFG_SIZE_MASK) + DSA_WQCFG_MIN_SHIFT);
	/* Group 0: the fuzzed WQs and every engine. */
	emu_dsa_mmio_write64(dev, grpcfg + DSA_GRPCFG_WQS_OFF, (1ull << FZ_NWQS) - 1);
	emu_dsa_mmio_write64(dev, grpcfg + DSA_GRPCFG_ENGINES_OFF, (1ull << FZ_NENGINES) - 1);
	emu_dsa_pci_cfg_write16(dev, DSA_PCI_CFG_COMMAND, DSA_PCI_COMMAND_MEMORY | DSA_PCI_COMMAND_MASTER);
	if (cmd(DSA_CMD_ENABLE_DEVICE, 0) != DSA_CMDSTS_OK || emu_dsa_pasid_bind(dev, FZ_PASID) != 0)
		return -1;
	for (uint32_t w = 0; w < FZ_NWQS; w++) {
		uint32_t b = wqcfg_base + w * wqcfg_stride, rc;

		emu_dsa_mmio_write32(dev, b + DSA_WQCFG_DW_SIZE * 4, FZ_WQ_SIZE);
		emu_dsa_mmio_write32(dev, b + DSA_WQCFG_DW_THRESHOLD * 4, wq_cfg[w].threshold);
		emu_dsa_mmio_write32(dev, b + DSA_WQCFG_DW_MODE * 4, wq_cfg[w].mode);
		emu_dsa_mmio_write32(dev, b + DSA_WQCFG_DW_LIMITS * 4, FZ_MAX_XFER_SHIFT |
				     (FZ_MAX_BATCH_SHIFT << DSA_WQCFG_MAX_BATCH_SHIFT));
		rc = cmd(DSA_CMD_ENABLE_WQ, w);
		if (rc != DSA_CMDSTS_OK) {
			fprintf(stderr, "fuzz_emu_dsa: enabling WQ %u: CMDSTS 0x%x\n", w, rc);
			return -1;
		}
	}
	return 0;
}

/* At exit: what the device did over the whole fuzzing session. */
static void
print_totals(void)
{
	struct emu_dsa_counters c;
	struct emu_pri_counters p;

	emu_dsa_counters_get(dev, &c);
	emu_dsa_pri_counters_get(dev, &p);
	fprintf(stderr, "fuzz_emu_dsa: device totals: %" PRIu64 " fuzzed descriptors executed (%"
		PRIu64 " batches; not counting %" PRIu64 " NOOPs of the harness), %" PRIu64
		" error completions, %" PRIu64 " software errors, %" PRIu64 " ENQCMD retries, %"
		PRIu64 " page requests, %" PRIu64 " timeouts\n", c.descs - sync_noops, c.batches,
		sync_noops, c.errors, c.swerrs, c.retries, p.requests, p.timeouts);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal_argv[] = { (*argc > 0) ? (*argv)[0] : (char *)"fuzz_emu_dsa", (char *)"-l",
			     (char *)"0", (char *)"--no-huge", (char *)"-m", (char *)"256",
			     (char *)"--no-shconf", (char *)"--no-pci", (char *)"--no-telemetry",
			     (char *)"--log-level=*:error", NULL };

	if (dev != NULL)
		return 0;
	lie_anywhere = getenv("FUZZ_EMU_DSA_LIE_ANYWHERE") != NULL;
	if (rte_eal_init((int)(sizeof(eal_argv) / sizeof(eal_argv[0])) - 1, eal_argv) < 0 ||
	    check_low_mappings() != 0 || device_setup() != 0 || fz_arena_init() != 0) {
		fprintf(stderr, "fuzz_emu_dsa: set-up failed\n");
		exit(1);
	}
	atexit(print_totals);
	return 0;
}

static uint32_t
rng_next(void)
{
	mixed_rng ^= mixed_rng << 13;
	mixed_rng ^= mixed_rng >> 17;
	mixed_rng ^= mixed_rng << 5;
	return mixed_rng;
}

static void
pri_answer(uint32_t pasid, uint16_t prg)
{
	enum emu_pri_code code;

	switch (grp[prg].policy) {
	case FZ_PRI_HONEST: code = grp[prg].ok ? EMU_PRI_SUCCESS : EMU_PRI_INVALID; break;
	case FZ_PRI_INVALID: code = EMU_PRI_INVALID; break;
	case FZ_PRI_FAILURE: code = EMU_PRI_FAILURE; break;
	case FZ_PRI_LIE:
		code = grp[prg].ok ? EMU_PRI_SUCCESS : EMU_PRI_INVALID;
		lied |= grp[prg].ok;
		break;
	default: return; /* silent */
	}
	/* -ENOENT: the device stopped waiting (timeout); nothing to do. */
	(void)emu_dsa_pri_respond(dev, pasid, prg, code);
}

/* The software side of the IOMMU: read page requests, answer whole groups. */
static void
pri_service(const struct fz_run *r)
{
	struct emu_page_req req[FZ_PRI_READ_MAX];
	uint16_t n = emu_dsa_pri_read(dev, req, FZ_PRI_READ_MAX);

	for (uint16_t i = 0; i < n; i++) {
		uint16_t prg = req[i].prg % EMU_PRG_COUNT;

		if (!grp[prg].open) {
			grp[prg].open = true;
			grp[prg].ok = true;
			grp[prg].policy = (uint8_t)(r->policy == FZ_PRI_MIXED ?
						    rng_next() % FZ_PRI_MIXED : r->policy);
		}
		if (grp[prg].policy == FZ_PRI_HONEST &&
		    fz_arena_populate(req[i].addr, req[i].perm & EMU_PRI_PERM_WRITE) != 0)
			grp[prg].ok = false;
		/* A lie only about the arena's pages (guard pages, restricted buffer
		 * pages): the device then accesses them untranslated and its memory
		 * guard catches it. A Success for unmapped space makes the device
		 * access a wild pointer, which ASan reports; lies about the whole
		 * reservation make one op walk megabytes page by page (see
		 * doc/emulated-device.md, Fuzzing). */
		if (grp[prg].policy == FZ_PRI_LIE && !lie_anywhere && !fz_in_arena(req[i].addr))
			grp[prg].ok = false;
		if (req[i].last) {
			pri_answer(req[i].pasid, prg);
			grp[prg].open = false;
		}
	}
}

static void
step(const struct fz_run *r)
{
	for (unsigned int e = 0; e < FZ_NENGINES; e++)
		emu_dsa_engine_poll(dev, e, r->budget);
	pri_service(r);
}

static uint32_t
target_wq(const struct fz_desc *s)
{
	uint32_t sel = s->ctl[FZ_CTL_SUBMIT] & FZ_SUB_WQ_MASK;

	if (sel < FZ_NWQS)
		return sel;
	return sel == FZ_SEL_WQ_DISABLED ? FZ_WQ_DISABLED : FZ_WQ_OUT_OF_RANGE;
}

/* Write the descriptor to its portal. @return true when the WQ took it. */
static bool
submit(const struct fz_run *r, const struct fz_desc *s)
{
	uint32_t wq = target_wq(s);

	if (s->ctl[FZ_CTL_SUBMIT] & FZ_SUB_ENQCMD)
		return emu_dsa_portal_enqcmd(dev, (uint16_t)wq, &s->d,
					     r->unbound_pasid ? FZ_PASID_UNBOUND : FZ_PASID) == 0;
	emu_dsa_portal_movdir64b(dev, (uint16_t)wq, &s->d);
	return wq < FZ_NWQS && wq != FZ_WQ_SHARED;
}

/* Operand of the WQ commands that take a WQ bitmask (16 WQs a block). */
static uint32_t
wq_mask_operand(uint32_t wq)
{
	return (1u << (wq % DSA_CMD_WQ_MASK_BITS)) |
	       ((wq / DSA_CMD_WQ_MASK_BITS) & DSA_CMD_WQ_BLOCK_MASK) << DSA_CMD_WQ_BLOCK_SHIFT;
}

static void
command(const struct fz_desc *s)
{
	switch (s->ctl[FZ_CTL_SUBMIT] >> FZ_SUB_CMD_SHIFT) {
	case FZ_CMD_DRAIN_WQ: (void)cmd(DSA_CMD_DRAIN_WQ, wq_mask_operand(target_wq(s))); break;
	case FZ_CMD_ABORT_WQ: (void)cmd(DSA_CMD_ABORT_WQ, wq_mask_operand(target_wq(s))); break;
	default: break;
	}
}

static uint32_t
wq_state(uint32_t w)
{
	return emu_dsa_mmio_read32(dev, wqcfg_base + w * wqcfg_stride + DSA_WQCFG_DW_STATE * 4);
}

static void
wait_idle(const struct fz_run *r, uint64_t t0)
{
	static struct emu_page_req stale[FZ_PRI_READ_MAX];

	for (unsigned long it = 1; !emu_dsa_pasid_drained(dev, FZ_PASID); it++) {
		step(r);
		if (it % FZ_HANG_CHECK_EVERY == 0 && now_ns() - t0 > FZ_HANG_NS) {
			struct emu_dsa_counters c;

			emu_dsa_counters_get(dev, &c);
			fz_fail(r, "hang: WQs not idle after %llu s (occupancy %u %u %u %u %u; "
				"%" PRIu64 " descriptors done)", FZ_HANG_NS / FZ_NS_PER_S,
				wq_state(0) & DSA_WQCFG_OCCUPANCY_MASK,
				wq_state(1) & DSA_WQCFG_OCCUPANCY_MASK,
				wq_state(2) & DSA_WQCFG_OCCUPANCY_MASK,
				wq_state(3) & DSA_WQCFG_OCCUPANCY_MASK,
				wq_state(4) & DSA_WQCFG_OCCUPANCY_MASK, c.descs);
		}
	}
	/* Requests left for groups the device gave up on. */
	while (emu_dsa_pri_read(dev, stale, FZ_PRI_READ_MAX) != 0)
		;
	memset(grp, 0, sizeof(grp));
}

/* After a run: the device is enabled, the WQs enabled and empty, and the
 * error registers read (and are cleared for the next run). */
static void
check_registers(const struct fz_run *r)
{
	uint64_t gensts = emu_dsa_mmio_read64(dev, DSA_REG_GENSTS);

	if ((gensts & DSA_GENSTS_STATE_MASK) != DSA_DEV_STATE_ENABLED)
		fz_fail(r, "device state 0x%" PRIx64 " after the run", gensts);
	for (uint32_t w = 0; w < FZ_NWQS; w++) {
		uint32_t v = wq_state(w);

		if ((v >> DSA_WQCFG_STATE_SHIFT) != DSA_WQ_STATE_ENABLED ||
		    (v & DSA_WQCFG_OCCUPANCY_MASK) != 0)
			fz_fail(r, "WQ %u state dword 0x%x after the run", w, v);
	}
	for (uint32_t q = 0; q < DSA_REG_SWERR_QWORDS; q++)
		(void)emu_dsa_mmio_read64(dev, DSA_REG_SWERR + q * sizeof(uint64_t));
	emu_dsa_mmio_write64(dev, DSA_REG_SWERR, DSA_SWERR_VALID);
	(void)emu_dsa_mmio_read64(dev, DSA_REG_CMDSTS);
	/* A Response Failure stops page requests until a PRI reset: each input
	 * starts with them flowing. */
	if (emu_dsa_pri_status(dev) != 0)
		emu_dsa_pri_reset(dev);
}

/* Make every engine take the invalidation now (an engine flushes its ATC
 * when it starts its next descriptor): a NOOP without a record on a WQ of
 * each. From here on an ATC flush during the run means a trapped access. */
static void
sync_engines(const struct fz_run *r)
{
	struct dsa_hw_desc noop;

	memset(&noop, 0, sizeof(noop));
	noop.opcode = DSA_OPCODE_NOOP;
	for (unsigned int e = 0; e < FZ_NENGINES; e++) {
		unsigned int tries = 0;

		/* WQ e is dedicated, translates, and engine e serves it (the engines
		 * share the WQs of their group, and every other WQ is idle). */
		emu_dsa_portal_movdir64b(dev, (uint16_t)e, &noop);
		sync_noops++;
		while (emu_dsa_engine_poll(dev, e, 1) == 0)
			if (++tries > FZ_SYNC_TRIES)
				fz_fail(r, "engine %u does not run a NOOP", e);
	}
}

/* The memory guard trapped an access: an ATC flush during the run.
 * Legitimate only when a page response said Success for a page software had
 * not made present. */
static void
check_traps(const struct fz_run *r, const struct emu_pri_counters *c0)
{
	struct emu_pri_counters c1;
	uint64_t flushes;

	if (r->policy == FZ_PRI_LIE || r->policy == FZ_PRI_MIXED)
		return;
	emu_dsa_pri_counters_get(dev, &c1);
	flushes = c1.atc_flushes - c0->atc_flushes;
	if (flushes != 0)
		fz_fail(r, "the device touched memory it had not translated: its memory guard "
			"trapped (%" PRIu64 " ATC flushes during the run)", flushes);
}

/* FUZZ_EMU_DSA_VERBOSE=1: what each input did (for checking seeds); 2: and
 * the descriptors, before they run. */
static void
verbose_report(const struct fz_run *r, const struct emu_dsa_counters *d0,
	       const struct emu_pri_counters *p0)
{
	struct emu_dsa_counters d1;
	struct emu_pri_counters p1;

	emu_dsa_counters_get(dev, &d1);
	emu_dsa_pri_counters_get(dev, &p1);
	fprintf(stderr, "fuzz_emu_dsa: %u descriptors (%s): executed %" PRIu64 " (batches %" PRIu64
		"), errors %" PRIu64 ", swerrs %" PRIu64 ", retries %" PRIu64 "; page requests %"
		PRIu64 ", responses %" PRIu64 " (invalid %" PRIu64 "), timeouts %" PRIu64
		"; statuses:", r->nsubmit, fz_policy_name(r->policy), d1.descs - d0->descs,
		d1.batches - d0->batches, d1.errors - d0->errors, d1.swerrs - d0->swerrs,
		d1.retries - d0->retries, p1.requests - p0->requests, p1.responses - p0->responses,
		p1.invalid - p0->invalid, p1.timeouts - p0->timeouts);
	for (unsigned int i = 0; i < r->nsubmit; i++) {
		const uint8_t *cr = fz_image_at(r->sub[i].d.completion_addr, DSA_COMP_SIZE) ?
				    (const uint8_t *)(uintptr_t)r->sub[i].d.completion_addr : NULL;

		if (r->sub[i].skip)
			fprintf(stderr, " skip");
		else if (cr != NULL && (r->sub[i].d.flags & IDXD_OP_FLAG_CRAV))
			fprintf(stderr, " %02x@%" PRIx64, cr[0],
				((const struct dsa_completion_record *)cr)->fault_addr);
		else
			fprintf(stderr, " -");
	}
	fprintf(stderr, "\n");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int verbose = -1;
	struct emu_pri_counters c0;
	struct emu_dsa_counters d0;
	uint64_t t0;

	if (dev == NULL) {
		fprintf(stderr, "fuzz_emu_dsa: LLVMFuzzerInitialize was not called\n");
		abort();
	}
	if (size < FZ_HDR_SIZE)
		return 0;
	fz_decode(&run, data, size);
	mixed_rng = run.seed | 1u;
	if (fz_arena_apply(run.states, lied))
		sync_engines(&run);
	lied = false;
	emu_dsa_mmio_write64(dev, DSA_REG_SWERR, DSA_SWERR_VALID);
	emu_dsa_pri_counters_get(dev, &c0);
	emu_dsa_counters_get(dev, &d0);
	if (verbose < 0)
		verbose = getenv("FUZZ_EMU_DSA_VERBOSE") ? atoi(getenv("FUZZ_EMU_DSA_VERBOSE")) : 0;
	if (verbose > 1)
		fz_print_run(&run);
	t0 = now_ns();
	for (unsigned int i = 0; i < run.nsubmit; i++) {
		const struct fz_desc *s = &run.sub[i];
		unsigned int polls = polls_before[(s->ctl[FZ_CTL_SUBMIT] >> FZ_SUB_POLLS_SHIFT) &
						  FZ_SUB_POLLS_MASK];

		for (unsigned int k = 0; k < polls; k++)
			step(&run);
		command(s);
		if (!s->skip)
			(void)submit(&run, s);
	}
	wait_idle(&run, t0);
	check_traps(&run, &c0);
	check_registers(&run);
	fz_arena_restore();
	if (verbose)
		verbose_report(&run, &d0, &c0);
	fz_arena_check(&run);
	return 0;
}
