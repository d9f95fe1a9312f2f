/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Page faults inside the emulated DSA, driven with raw descriptors:
 *  - block-on-fault: the descriptor waits at the faulting page and continues
 *    in place from the exact byte, with its internal state (absolute delta
 *    offsets, the CRC seed read from a page that was not present, the fill
 *    pattern's phase) — it is not rewritten into a new descriptor;
 *  - without block-on-fault: a partial completion continued by software with
 *    the DSA continuation rules (dsa_continue.c, what the resume policy and
 *    report-policy applications do) ends with the record the whole op gives
 *    on present memory, also when the device stops short of the fault. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>

#include "dsa_continue.h"
#include "dsa_hw_defs.h"
#include "emu_dsa.h"
#include "emu_dsa_profile.h"
#include "test_common.h"

#define WQCFG_BASE 0x400u
#define WQ_BOF 0
#define WQ_NOBOF 1
#define WQ_SIZE 16
#define TEST_PASID 0x42
#define POLL_LIMIT 1000000
#define MAX_PIECES 64
#define PAT 0x1122334455667788ull

static struct emu_dsa *dev;
static long pg;
static struct dsa_completion_record cr __attribute__((aligned(64)));

static uint32_t
cmd(uint32_t c, uint32_t operand)
{
	return emu_dsa_cmd(dev, c, operand);
}

static void
wqcfg(uint16_t wq, uint32_t mode)
{
	uint32_t b = WQCFG_BASE + wq * DSA_WQCFG_SIZE;

	emu_dsa_mmio_write32(dev, b + 0, WQ_SIZE);
	emu_dsa_mmio_write32(dev, b + 4, 0);
	emu_dsa_mmio_write32(dev, b + 8, mode | DSA_WQCFG_MODE_DEDICATED | DSA_WQCFG_PASID_EN |
			     (TEST_PASID << DSA_WQCFG_PASID_SHIFT) |
			     (1u << DSA_WQCFG_PRIORITY_SHIFT));
	/* The device maxima (a field of 0 would mean 2^0). */
	emu_dsa_mmio_write32(dev, b + 12, EMU_DSA_DEFAULT_MAX_XFER_SHIFT |
			     (EMU_DSA_DEFAULT_MAX_BATCH_SHIFT << DSA_WQCFG_MAX_BATCH_SHIFT));
}

static void
drop(uint8_t *p, size_t len)
{
	assert_int_equal(madvise(p, len, MADV_DONTNEED), 0);
	emu_dsa_invalidate(dev);
}

/* Submit d and run the engine, answering page requests the way the fault
 * service does (populate, Success), until its record is written. */
static uint8_t
run(uint16_t wq, struct dsa_hw_desc *d)
{
	struct emu_page_req req[8];

	d->flags |= IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | (wq == WQ_BOF ? IDXD_OP_FLAG_BOF : 0);
	d->completion_addr = (uint64_t)(uintptr_t)&cr;
	memset(&cr, 0, sizeof(cr));
	emu_dsa_portal_movdir64b(dev, wq, d);
	for (int i = 0; i < POLL_LIMIT && cr.status == 0; i++) {
		uint16_t n = emu_dsa_pri_read(dev, req, 8);

		for (uint16_t k = 0; k < n; k++) {
			int adv = (req[k].perm & EMU_PRI_PERM_WRITE) ? MADV_POPULATE_WRITE
								     : MADV_POPULATE_READ;

			assert_int_equal(madvise((void *)(uintptr_t)req[k].addr, (size_t)pg, adv), 0);
			if (req[k].last)
				assert_int_equal(emu_dsa_pri_respond(dev, req[k].pasid, req[k].prg,
								     EMU_PRI_SUCCESS), 0);
		}
		emu_dsa_engine_poll(dev, 0, 1);
	}
	assert_int_not_equal(cr.status, 0);
	return cr.status & DSA_COMP_STATUS_CODE_MASK;
}

/* Without block-on-fault: continue partial completions in software until the
 * op ends; the final record is folded over the pieces. */
static uint8_t
run_continued(struct dsa_hw_desc *d, unsigned int *pieces)
{
	struct dsa_cont acc;
	uint8_t code;

	memset(&acc, 0, sizeof(acc));
	for (*pieces = 1;; (*pieces)++) {
		code = run(WQ_NOBOF, d);
		if (code != DSA_COMP_PAGE_FAULT_NOBOF || *pieces > MAX_PIECES)
			break;
		assert_int_equal(madvise((void *)(uintptr_t)(cr.fault_addr & ~(uint64_t)(pg - 1)),
					 (size_t)pg, (cr.status & DSA_COMP_STATUS_WRITE)
					 ? MADV_POPULATE_WRITE : MADV_POPULATE_READ), 0);
		assert_int_equal(dsa_cont_next(d, &cr, &acc), 0);
	}
	dsa_cont_finish(d, &cr, &acc);
	return cr.status & DSA_COMP_STATUS_CODE_MASK;
}

/* The op with block-on-fault (one piece), or continued in software. */
static uint8_t
run_either(bool bof, struct dsa_hw_desc *d, unsigned int *pieces)
{
	*pieces = 1;
	return bof ? run(WQ_BOF, d) : run_continued(d, pieces);
}

/* Source pair whose words 10 and 20 (page 0) and 600 and 700 (page 1) differ;
 * page 1 of src2 is not present when the op starts. */
static void
delta_sources(uint8_t **a, uint8_t **b)
{
	*a = test_file_pages(2);
	*b = test_file_pages(2);
	memset(*a, 0x33, 2 * (size_t)pg);
	memset(*b, 0x33, 2 * (size_t)pg);
	(*b)[10 * DSA_DELTA_WORD_SIZE] = 1;
	(*b)[20 * DSA_DELTA_WORD_SIZE] = 2;
	(*b)[600 * DSA_DELTA_WORD_SIZE] = 3;
	(*b)[700 * DSA_DELTA_WORD_SIZE] = 4;
	drop(*b + pg, (size_t)pg);
}

static void
check_delta(const uint8_t *rec, uint32_t size)
{
	static const uint16_t words[] = { 10, 20, 600, 700 };

	assert_int_equal(size, 4 * DSA_DELTA_ENTRY_SIZE);
	for (int i = 0; i < 4; i++) {
		uint16_t w;

		memcpy(&w, rec + i * DSA_DELTA_ENTRY_SIZE, sizeof(w));
		assert_int_equal(w, words[i]);
	}
}

static struct dsa_hw_desc
delta_desc(const uint8_t *a, const uint8_t *b, uint8_t *rec, uint32_t max)
{
	struct dsa_hw_desc d;

	memset(&d, 0, sizeof(d));
	d.opcode = DSA_OPCODE_CR_DELTA;
	d.src_addr = (uint64_t)(uintptr_t)a;
	d.src2_addr = (uint64_t)(uintptr_t)b;
	d.xfer_size = 2 * (uint32_t)pg;
	d.delta_addr = (uint64_t)(uintptr_t)rec;
	d.max_delta_size = max;
	d.flags = IDXD_OP_FLAG_CR;
	d.expected_res_mask = 1u << DSA_DELTA_RES_DIFF;
	return d;
}

static void
test_delta_offsets_absolute(void **state)
{
	/* Room for the rest after the first piece: a CR_DELTA needs >= 80 bytes. */
	uint8_t rec[120] __attribute__((aligned(8))), *a, *b;
	struct dsa_hw_desc d;
	unsigned int pieces;

	(void)state;
	/* Block on fault: the op waits at src2's second page and goes on. */
	delta_sources(&a, &b);
	d = delta_desc(a, b, rec, sizeof(rec));
	assert_int_equal(run(WQ_BOF, &d), DSA_COMP_SUCCESS);
	assert_int_equal(cr.result, DSA_DELTA_RES_DIFF);
	check_delta(rec, cr.delta_rec_size);
	munmap(b, 2 * (size_t)pg);
	/* Software continuation: the same record and status, in two pieces. */
	b = test_file_pages(2);
	memcpy(b, a, 2 * (size_t)pg);
	b[10 * DSA_DELTA_WORD_SIZE] = 1;
	b[20 * DSA_DELTA_WORD_SIZE] = 2;
	b[600 * DSA_DELTA_WORD_SIZE] = 3;
	b[700 * DSA_DELTA_WORD_SIZE] = 4;
	drop(b + pg, (size_t)pg);
	memset(rec, 0, sizeof(rec));
	d = delta_desc(a, b, rec, sizeof(rec));
	assert_int_equal(run_continued(&d, &pieces), DSA_COMP_SUCCESS);
	assert_int_equal(pieces, 2);
	assert_int_equal(cr.result, DSA_DELTA_RES_DIFF);
	check_delta(rec, cr.delta_rec_size);
	munmap(a, 2 * (size_t)pg);
	munmap(b, 2 * (size_t)pg);
}

/* CRC32C with its seed read from memory that is not present. */
static void
test_crc_seed_page_fault(void **state)
{
	uint8_t *seedp = test_file_pages(1), *data = test_file_pages(2);
	const uint32_t seed = 0x12345678u;
	uint32_t expect;
	struct dsa_hw_desc d;
	unsigned int pieces;

	(void)state;
	memcpy(seedp, &seed, sizeof(seed));
	for (size_t i = 0; i < 2 * (size_t)pg; i++)
		data[i] = (uint8_t)(i * 7);
	/* The CRC over present memory, as the reference. */
	memset(&d, 0, sizeof(d));
	d.opcode = DSA_OPCODE_CRCGEN;
	d.flags = DSA_FLAG_CRC_READ_SEED;
	d.seed_addr = (uint64_t)(uintptr_t)seedp;
	d.src_addr = (uint64_t)(uintptr_t)data;
	d.xfer_size = 2 * (uint32_t)pg;
	assert_int_equal(run(WQ_NOBOF, &d), DSA_COMP_SUCCESS);
	expect = (uint32_t)cr.crc_val;
	for (int bof = 1; bof >= 0; bof--) {
		struct dsa_hw_desc e = d;

		drop(seedp, (size_t)pg);
		drop(data + pg, (size_t)pg);
		assert_int_equal(run_either(bof, &e, &pieces), DSA_COMP_SUCCESS);
		assert_int_equal((uint32_t)cr.crc_val, expect);
	}
	assert_int_equal(pieces, 3); /* seed, then the second data page */
	munmap(seedp, (size_t)pg);
	munmap(data, 2 * (size_t)pg);
}

/* Fill and compare-value keep the pattern's phase at any stop. */
static void
test_pattern_phase(void **state)
{
	(void)state;
	for (int bof = 1; bof >= 0; bof--) {
		for (size_t tail = 1; tail < 9; tail++) {
			uint8_t *m = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			uint8_t *dst = m + pg - tail;
			struct dsa_hw_desc d;
			unsigned int pieces = 1;

			assert_true(m != MAP_FAILED);
			m[0] = 1;
			emu_dsa_invalidate(dev);
			memset(&d, 0, sizeof(d));
			d.opcode = DSA_OPCODE_MEMFILL;
			d.pattern = PAT;
			d.dst_addr = (uint64_t)(uintptr_t)dst;
			d.xfer_size = 100;
			assert_int_equal(run_either(bof, &d, &pieces), DSA_COMP_SUCCESS);
			assert_int_equal(pieces, bof ? 1 : 2);
			for (int i = 0; i < 100; i++)
				assert_int_equal(dst[i], (uint8_t)(PAT >> (8 * (i % 8))));
			/* Compare-value of the same bytes, the second page dropped
			 * again (its data goes: compare against a file page). */
			munmap(m, 2 * (size_t)pg);
			m = test_file_pages(2);
			dst = m + pg - tail;
			for (int i = 0; i < 100; i++)
				dst[i] = (uint8_t)(PAT >> (8 * (i % 8)));
			drop(m + pg, (size_t)pg);
			memset(&d, 0, sizeof(d));
			d.opcode = DSA_OPCODE_COMPVAL;
			d.comp_pattern = PAT;
			d.src_addr = (uint64_t)(uintptr_t)dst;
			d.xfer_size = 100;
			assert_int_equal(run_either(bof, &d, &pieces), DSA_COMP_SUCCESS);
			assert_int_equal(cr.result, 0);
			munmap(m, 2 * (size_t)pg);
		}
	}
}

/* A partial completion may stop anywhere before the faulting byte (the
 * model does so at random, seeded); the fault address is still the faulting
 * byte, and the bytes reported done are done. */
#define EARLY_TRIES 64
static void
test_early_stop(void **state)
{
	uint8_t *src = malloc(2 * (size_t)pg);
	unsigned int early = 0;

	(void)state;
	memset(src, 0x5c, 2 * (size_t)pg);
	for (int t = 0; t < EARLY_TRIES; t++) {
		uint8_t *m = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct dsa_hw_desc d;

		assert_true(m != MAP_FAILED);
		m[0] = 1; /* page 0 present, page 1 never touched */
		emu_dsa_invalidate(dev);
		memset(&d, 0, sizeof(d));
		d.opcode = DSA_OPCODE_MEMMOVE;
		d.src_addr = (uint64_t)(uintptr_t)src;
		d.dst_addr = (uint64_t)(uintptr_t)m;
		d.xfer_size = 2 * (uint32_t)pg;
		assert_int_equal(run(WQ_NOBOF, &d), DSA_COMP_PAGE_FAULT_NOBOF);
		assert_int_equal(cr.fault_addr, (uint64_t)(uintptr_t)(m + pg));
		assert_true(cr.bytes_completed <= (uint32_t)pg);
		assert_memory_equal(m, src, cr.bytes_completed);
		early += cr.bytes_completed < (uint32_t)pg;
		munmap(m, 2 * (size_t)pg);
	}
	assert_true(early > 0);
	free(src);
}

/* The engines of a group share its WQs: while one engine waits for a page,
 * another runs the next descriptor of the same WQ, which completes first. */
static void
test_engines_share_wq(void **state)
{
	static struct dsa_completion_record cra __attribute__((aligned(64)));
	static struct dsa_completion_record crb __attribute__((aligned(64)));
	uint8_t *src = test_file_pages(1), *dst = test_file_pages(1), small[64], out[64];
	struct dsa_hw_desc a, b;
	struct emu_page_req req;

	(void)state;
	memset(src, 0x6b, (size_t)pg);
	memset(small, 0x19, sizeof(small));
	drop(dst, (size_t)pg);
	memset(&a, 0, sizeof(a));
	a.opcode = DSA_OPCODE_MEMMOVE;
	a.flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_BOF;
	a.completion_addr = (uint64_t)(uintptr_t)&cra;
	a.src_addr = (uint64_t)(uintptr_t)src;
	a.dst_addr = (uint64_t)(uintptr_t)dst;
	a.xfer_size = (uint32_t)pg;
	b = a;
	b.completion_addr = (uint64_t)(uintptr_t)&crb;
	b.src_addr = (uint64_t)(uintptr_t)small;
	b.dst_addr = (uint64_t)(uintptr_t)out;
	b.xfer_size = sizeof(small);
	memset(&cra, 0, sizeof(cra));
	memset(&crb, 0, sizeof(crb));
	emu_dsa_portal_movdir64b(dev, WQ_BOF, &a);
	emu_dsa_portal_movdir64b(dev, WQ_BOF, &b);
	assert_int_equal(emu_dsa_engine_poll(dev, 0, 1), 0);  /* A waits for its page */
	assert_int_equal(emu_dsa_engine_poll(dev, 1, 1), 1);  /* B runs on engine 1 */
	assert_int_equal(crb.status, DSA_COMP_SUCCESS);
	assert_int_equal(cra.status, 0);                      /* out of order */
	assert_memory_equal(out, small, sizeof(small));
	assert_int_equal(emu_dsa_pri_read(dev, &req, 1), 1);
	assert_int_equal(madvise((void *)(uintptr_t)req.addr, (size_t)pg, MADV_POPULATE_WRITE), 0);
	assert_int_equal(emu_dsa_pri_respond(dev, req.pasid, req.prg, EMU_PRI_SUCCESS), 0);
	assert_int_equal(emu_dsa_engine_poll(dev, 0, 1), 1);
	assert_int_equal(cra.status, DSA_COMP_SUCCESS);
	assert_memory_equal(dst, src, (size_t)pg);
	munmap(src, (size_t)pg);
	munmap(dst, (size_t)pg);
}

/* A batch whose descriptor list runs into a page it cannot read: without
 * block-on-fault the members before that page run and the batch ends with
 * BATCH_PAGE_FAULT (0x06) at the first member it could not read; with
 * block-on-fault the device asks for the page and runs them all. */
#define LIST_MEMBERS 80
static void
test_batch_list_page_fault(void **state)
{
	size_t per_page = (size_t)pg / DSA_DESC_SIZE;
	uint8_t *lst = test_file_pages(2), *out = malloc(LIST_MEMBERS);
	struct dsa_hw_desc *m = (struct dsa_hw_desc *)lst, d;

	(void)state;
	for (int bof = 0; bof < 2; bof++) {
		memset(out, 0, LIST_MEMBERS);
		for (int i = 0; i < LIST_MEMBERS; i++) {
			memset(&m[i], 0, sizeof(m[i]));
			m[i].opcode = DSA_OPCODE_MEMFILL;
			m[i].dst_addr = (uint64_t)(uintptr_t)(out + i);
			m[i].xfer_size = 1;
			m[i].pattern = (uint64_t)i + 1;
		}
		drop(lst + pg, (size_t)pg); /* members 64.. are not present */
		memset(&d, 0, sizeof(d));
		d.opcode = DSA_OPCODE_BATCH;
		d.desc_list_addr = (uint64_t)(uintptr_t)lst;
		d.desc_count = LIST_MEMBERS;
		if (bof) {
			assert_int_equal(run(WQ_BOF, &d), DSA_COMP_SUCCESS);
			assert_int_equal(cr.bytes_completed, LIST_MEMBERS);
			for (int i = 0; i < LIST_MEMBERS; i++)
				assert_int_equal(out[i], i + 1);
		} else {
			assert_int_equal(run(WQ_NOBOF, &d), DSA_COMP_BATCH_PAGE_FAULT);
			assert_int_equal(cr.bytes_completed, per_page);
			assert_int_equal(cr.fault_addr, (uint64_t)(uintptr_t)(lst + pg));
			for (int i = 0; i < LIST_MEMBERS; i++)
				assert_int_equal(out[i], (size_t)i < per_page ? i + 1 : 0);
		}
	}
	free(out);
	munmap(lst, 2 * (size_t)pg);
}

/* Submit d on the block-on-fault WQ and step the engine until it raises a
 * page request (returned in *req). */
static void
submit_until_request(struct dsa_hw_desc *d, struct emu_page_req *req)
{
	d->flags |= IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_BOF;
	d->completion_addr = (uint64_t)(uintptr_t)&cr;
	memset(&cr, 0, sizeof(cr));
	emu_dsa_portal_movdir64b(dev, WQ_BOF, d);
	for (int i = 0; i < POLL_LIMIT; i++) {
		emu_dsa_engine_poll(dev, 0, 1);
		if (emu_dsa_pri_read(dev, req, 1) == 1)
			return;
	}
	fail_msg("no page request");
}

/* PRI as PCIe has it: a response for a group nobody waits on sets the
 * Unexpected PRG Index status bit; a Response Failure stops page requests
 * until PRI is reset, and a descriptor that would wait then ends at once with
 * PAGE_FAULT_IR. */
static void
test_pri_failure_and_unexpected(void **state)
{
	uint8_t *dst = test_file_pages(1);
	struct emu_page_req req, none;
	struct dsa_hw_desc d;

	(void)state;
	emu_dsa_pri_reset(dev);
	assert_int_equal(emu_dsa_pri_respond(dev, TEST_PASID, 7, EMU_PRI_SUCCESS), -ENOENT);
	assert_true(emu_dsa_pri_status(dev) & EMU_PRI_STATUS_UPRGI);
	emu_dsa_pri_reset(dev);
	assert_int_equal(emu_dsa_pri_status(dev), 0);
	memset(&d, 0, sizeof(d));
	d.opcode = DSA_OPCODE_MEMFILL;
	d.dst_addr = (uint64_t)(uintptr_t)dst;
	d.xfer_size = 64;
	drop(dst, (size_t)pg);
	submit_until_request(&d, &req);
	assert_int_equal(emu_dsa_pri_respond(dev, req.pasid, req.prg, EMU_PRI_FAILURE), 0);
	for (int i = 0; i < POLL_LIMIT && cr.status == 0; i++)
		emu_dsa_engine_poll(dev, 0, 1);
	assert_int_equal(cr.status & DSA_COMP_STATUS_CODE_MASK, DSA_COMP_PAGE_FAULT_IR);
	assert_true(emu_dsa_pri_status(dev) & EMU_PRI_STATUS_RF);
	/* PRI stopped: the next fault raises nothing and ends at once. */
	memset(&cr, 0, sizeof(cr));
	d.flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_BOF;
	d.completion_addr = (uint64_t)(uintptr_t)&cr;
	emu_dsa_portal_movdir64b(dev, WQ_BOF, &d);
	for (int i = 0; i < POLL_LIMIT && cr.status == 0; i++)
		emu_dsa_engine_poll(dev, 0, 1);
	assert_int_equal(cr.status & DSA_COMP_STATUS_CODE_MASK, DSA_COMP_PAGE_FAULT_IR);
	assert_int_equal(emu_dsa_pri_read(dev, &none, 1), 0);
	/* After a PRI reset, page requests flow again. */
	emu_dsa_pri_reset(dev);
	assert_int_equal(run(WQ_BOF, &d), DSA_COMP_SUCCESS);
	munmap(dst, (size_t)pg);
}

/* An invalidation between a Success answer and the device's retry takes the
 * page away: the blocked descriptor translates again (asks again) instead of
 * writing through the translation it was promised. */
static void
test_invalidate_blocked(void **state)
{
	uint8_t src[64], *dst = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct dsa_hw_desc d;
	struct emu_page_req req;

	(void)state;
	emu_dsa_invalidate(dev); /* earlier tests unmapped memory without telling */
	memset(src, 0x5a, sizeof(src));
	memset(&d, 0, sizeof(d));
	d.opcode = DSA_OPCODE_MEMMOVE;
	d.flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_BOF;
	d.completion_addr = (uint64_t)(uintptr_t)&cr;
	d.src_addr = (uint64_t)(uintptr_t)src;
	d.dst_addr = (uint64_t)(uintptr_t)dst;
	d.xfer_size = sizeof(src);
	memset(&cr, 0, sizeof(cr));
	emu_dsa_portal_movdir64b(dev, WQ_BOF, &d);
	assert_int_equal(emu_dsa_engine_poll(dev, 0, 1), 0);
	assert_int_equal(emu_dsa_pri_read(dev, &req, 1), 1);
	assert_int_equal(req.addr, (uint64_t)(uintptr_t)dst);
	assert_int_equal(madvise(dst, (size_t)pg, MADV_POPULATE_WRITE), 0);
	assert_int_equal(emu_dsa_pri_respond(dev, req.pasid, req.prg, EMU_PRI_SUCCESS), 0);
	/* The application replaces the page by a read-only one, and invalidates. */
	assert_ptr_equal(mmap(dst, (size_t)pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			      -1, 0), dst);
	emu_dsa_invalidate(dev);
	assert_int_equal(emu_dsa_engine_poll(dev, 0, 1), 0);
	assert_int_equal(cr.status, 0);
	assert_int_equal(emu_dsa_pri_read(dev, &req, 1), 1);   /* asks again */
	assert_int_equal(req.addr, (uint64_t)(uintptr_t)dst);
	assert_int_equal(emu_dsa_pri_respond(dev, req.pasid, req.prg, EMU_PRI_INVALID), 0);
	assert_int_equal(emu_dsa_engine_poll(dev, 0, 1), 1);
	assert_int_equal(cr.status, DSA_COMP_PAGE_FAULT_IR | DSA_COMP_STATUS_WRITE);
	assert_int_equal(cr.fault_addr, (uint64_t)(uintptr_t)dst);
	munmap(dst, (size_t)pg);
}

static int
setup(void **state)
{
	struct emu_dsa_profile p;
	int err;

	(void)state;
	emu_dsa_profile_default(&p);
	p.num_wqs = 2;
	p.num_engines = 2;
	p.engine_mode = EMU_DSA_ENGINE_MANUAL;
	p.pri_timeout_ms = 60000;
	dev = emu_dsa_create("emu_bof", &p, &err);
	if (dev == NULL)
		return -1;
	/* Group 0: both WQs and both engines. */
	emu_dsa_mmio_write64(dev, 0x300 + DSA_GRPCFG_WQS_OFF, 0x3);
	emu_dsa_mmio_write64(dev, 0x300 + DSA_GRPCFG_ENGINES_OFF, 0x3);
	emu_dsa_pci_cfg_write16(dev, DSA_PCI_CFG_COMMAND, DSA_PCI_COMMAND_MEMORY | DSA_PCI_COMMAND_MASTER);
	if (cmd(DSA_CMD_ENABLE_DEVICE, 0) != 0 || emu_dsa_pasid_bind(dev, TEST_PASID) != 0)
		return -1;
	wqcfg(WQ_BOF, DSA_WQCFG_BOF_EN);
	wqcfg(WQ_NOBOF, 0);
	if (cmd(DSA_CMD_ENABLE_WQ, WQ_BOF) || cmd(DSA_CMD_ENABLE_WQ, WQ_NOBOF))
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	emu_dsa_destroy(dev);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delta_offsets_absolute),
		cmocka_unit_test(test_crc_seed_page_fault),
		cmocka_unit_test(test_pattern_phase),
		cmocka_unit_test(test_early_stop),
		cmocka_unit_test(test_engines_share_wq),
		cmocka_unit_test(test_batch_list_page_fault),
		cmocka_unit_test(test_pri_failure_and_unexpected),
		cmocka_unit_test(test_invalidate_blocked),
	};
	int rc;

	(void)argc;
	pg = sysconf(_SC_PAGESIZE);
	if (test_eal_init(argv[0], "0") < 0)
		return 1;
	rc = cmocka_run_group_tests_name("emu_bof", tests, setup, teardown);
	rte_eal_cleanup();
	return rc;
}
