/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Descriptor execution: validation in the order the model checks (opcode,
 * flags, privilege, reserved fields, sizes, op-specific rules), translation of
 * every buffer through the ATC (emu_iommu.c), the data work, the completion
 * record; block-on-fault waits and the memory guard around all of it. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_cycles.h>

#include "emu_dsa_internal.h"
#include "emu_dsa_ops.h"

/** Outcome of one descriptor, turned into a completion record by cr_write(). */
struct exec_out {
	uint8_t status;
	uint8_t result;
	bool fault_write;
	uint32_t bytes;
	uint64_t fault_addr;
	uint64_t op_specific;   /**< invalid_flags, crc_val or delta_rec_size */
	bool crc_seeded;        /**< CRC ops: the seed was obtained (op_specific is valid) */
	uint64_t fault_left;    /**< bytes of the faulting buffer the op still walks upward
				 *   from fault_addr (0: ask for that page only) */
};

struct exec_ctx {
	struct emu_engine *eng;
	struct emu_wq *wq;
	uint32_t pasid;
	bool in_batch;
};

/* A byte range [lo, hi] of the descriptor; used to describe reserved fields. */
#define RSV(lo, hi) ((((hi) >= 63 ? ~0ull : ((1ull << ((hi) + 1)) - 1))) & ~((1ull << (lo)) - 1))

/* Bit n set = descriptor byte n is reserved for this opcode (bytes 0x26-0x27 always are). */
static uint64_t
reserved_bytes(uint8_t opcode, uint32_t flags)
{
	uint64_t m = RSV(0x26, 0x27);

	switch (opcode) {
	case DSA_OPCODE_NOOP: return m | RSV(0x10, 0x23) | RSV(0x28, 0x3f);
	case DSA_OPCODE_DRAIN: return m | RSV(0x20, 0x23) | RSV(0x28, 0x3f);
	case DSA_OPCODE_BATCH: return m | RSV(0x18, 0x1f) | RSV(0x28, 0x3f);
	case DSA_OPCODE_MEMMOVE:
	case DSA_OPCODE_MEMFILL: return m | RSV(0x28, 0x3f);
	case DSA_OPCODE_COMPARE:
	case DSA_OPCODE_COMPVAL: return m | RSV(0x29, 0x3f);
	case DSA_OPCODE_CR_DELTA: return m | RSV(0x34, 0x37) | RSV(0x39, 0x3f);
	case DSA_OPCODE_AP_DELTA: return m | RSV(0x2c, 0x3f);
	case DSA_OPCODE_DUALCAST: return m | RSV(0x30, 0x3f);
	case DSA_OPCODE_CRCGEN:
		m |= RSV(0x18, 0x1f);
		/* fall through */
	case DSA_OPCODE_COPY_CRC:
		m |= RSV(0x2c, 0x2f) | RSV(0x38, 0x3f);
		if (!(flags & DSA_FLAG_CRC_READ_SEED))
			m |= RSV(0x30, 0x37);
		return m;
	case DSA_OPCODE_CFLUSH: return m | RSV(0x10, 0x17) | RSV(0x28, 0x3f);
	default: return m;
	}
}

static uint32_t
allowed_flags(uint8_t opcode)
{
	uint32_t f = DSA_FLAGS_COMMON;

	if (opcode == DSA_OPCODE_COMPARE || opcode == DSA_OPCODE_COMPVAL ||
	    opcode == DSA_OPCODE_CR_DELTA)
		f |= IDXD_OP_FLAG_CR;
	if (opcode == DSA_OPCODE_CRCGEN || opcode == DSA_OPCODE_COPY_CRC)
		f |= DSA_FLAG_CRC_READ_SEED;
	return f;
}

static bool
ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen != 0 && blen != 0 && a < b + blen && b < a + alen;
}

static void
set_fault(struct exec_out *o, uint32_t done, uint64_t addr, bool write)
{
	o->status = DSA_COMP_PAGE_FAULT_NOBOF;
	o->bytes = done;
	o->fault_addr = addr;
	o->fault_write = write;
}

/* Per opcode (and CRC read-seed flag): the reserved descriptor bytes as eight
 * qword masks, and the flags the op accepts. Computed once. */
static uint64_t rsv_q[DSA_OPCODE_COUNT][2][DSA_DESC_SIZE / 8];
static uint32_t allowed_f[DSA_OPCODE_COUNT];

static uint32_t allowed_flags(uint8_t opcode);

__attribute__((constructor)) static void
exec_tables_init(void)
{
	for (unsigned int op = 0; op < DSA_OPCODE_COUNT; op++) {
		allowed_f[op] = allowed_flags((uint8_t)op);
		for (unsigned int seed = 0; seed < 2; seed++) {
			uint64_t rsv = reserved_bytes((uint8_t)op, seed ? DSA_FLAG_CRC_READ_SEED : 0);

			for (unsigned int i = 0; i < DSA_DESC_SIZE; i++)
				if ((rsv >> i) & 1)
					rsv_q[op][seed][i / 8] |= 0xffull << ((i % 8) * 8);
		}
	}
}

/* Generic checks shared by every opcode. Returns false with o->status set on failure. */
static bool
validate_common(const struct exec_ctx *c, const struct dsa_hw_desc *d, struct exec_out *o)
{
	const uint8_t *raw = (const uint8_t *)d;
	uint32_t invalid;
	uint64_t rsv;

	if (!emu_opcode_supported(c->eng->dev, d->opcode) ||
	    (c->in_batch && (d->opcode == DSA_OPCODE_BATCH || d->opcode == DSA_OPCODE_DRAIN))) {
		o->status = DSA_COMP_BAD_OPCODE;
		return false;
	}
	invalid = d->flags & ~allowed_f[d->opcode];
	if ((d->flags & IDXD_OP_FLAG_BOF) && !c->wq->bof)
		invalid |= IDXD_OP_FLAG_BOF;
	if (invalid != 0) {
		o->status = DSA_COMP_INVALID_FLAGS;
		o->op_specific = invalid;
		return false;
	}
	/* A dedicated WQ supplies the privilege (WQCFG) and ignores the
	 * descriptor's bit; a shared WQ takes it from the descriptor (ENQCMD
	 * clears it, ENQCMDS may set it). */
	if (!c->wq->dedicated && d->priv && !c->wq->priv) {
		o->status = DSA_COMP_PRIV_BAD;
		return false;
	}
	if (d->rsvd != 0) {
		o->status = DSA_COMP_NOZERO_RESERVE;
		return false;
	}
	/* Reserved bytes, a qword at a time. */
	rsv = 0;
	for (unsigned int q = 0; q < DSA_DESC_SIZE / 8; q++) {
		uint64_t word;

		memcpy(&word, raw + q * 8, sizeof(word));
		rsv |= word & rsv_q[d->opcode][(d->flags & DSA_FLAG_CRC_READ_SEED) ? 1 : 0][q];
	}
	if (rsv != 0) {
		o->status = DSA_COMP_NOZERO_RESERVE;
		return false;
	}
	if (d->flags & IDXD_OP_FLAG_RCI) {
		/* The model allocates no interrupt handles. */
		o->status = DSA_COMP_INT_HANDLE_INVAL;
		return false;
	}
	if (d->opcode != DSA_OPCODE_BATCH && d->opcode != DSA_OPCODE_NOOP &&
	    d->opcode != DSA_OPCODE_DRAIN && d->xfer_size > c->wq->max_xfer) {
		o->status = DSA_COMP_XFER_ERANGE;
		return false;
	}
	return true;
}

static uint64_t
acc(const struct exec_ctx *c, uint64_t va, uint64_t len, bool write)
{
	return emu_atc_prefix(c->eng->atc, c->pasid, va, len, write);
}

/* Buffers processed in lockstep from offset 0: the accessible common prefix,
 * and which buffer limits it (reads are listed before writes). */
struct lbuf {
	uint64_t va;
	bool write;
};

static uint64_t
lockstep(const struct exec_ctx *c, const struct lbuf *b, unsigned int n, uint64_t len,
	 unsigned int *limiter)
{
	uint64_t ok = len;

	*limiter = 0;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t p = acc(c, b[i].va, ok, b[i].write);

		if (p < ok) {
			ok = p;
			*limiter = i;
		}
	}
	return ok;
}

/* Fault of a lockstep walk of rest bytes that started at offset off of the
 * op: the walk could do ok bytes, the op did done of them. */
static void
lockstep_fault(struct exec_out *o, const struct lbuf *b, unsigned int limiter, uint64_t off,
	       uint64_t ok, uint64_t done, uint64_t rest)
{
	set_fault(o, (uint32_t)(off + done), b[limiter].va + ok, b[limiter].write);
	o->fault_left = rest - ok;
}

/* How much of the ok bytes before a fault at offset ok the op does. Hardware
 * may stop short of the faulting byte (a partial completion may report fewer
 * bytes than it could have done; the fault address is still the faulting
 * one), so with the model's freedoms on, one fault in four stops at a random
 * earlier point (a multiple of align). ok == rest (no fault): all of it. */
#define EARLY_STOP_ONE_IN 4
static uint64_t
stop_at(const struct exec_ctx *c, uint64_t ok, uint64_t rest, uint64_t align)
{
	uint64_t r, v;

	if (ok >= rest || ok == 0 || c->eng->dev->prof.seed == 0)
		return ok;
	r = emu_rand(&c->eng->rng);
	if (r % EARLY_STOP_ONE_IN != 0)
		return ok;
	v = (r / EARLY_STOP_ONE_IN) % (ok + 1);
	return v - v % align;
}

/* Every op below starts at p->off (the point a block-on-fault descriptor
 * stopped at, 0 for a fresh one) with the internal state p carries, and
 * reports bytes_completed and offsets relative to the descriptor as submitted. */

static void
op_memmove(const struct exec_ctx *c, const struct dsa_hw_desc *d, const struct emu_progress *p,
	   struct exec_out *o)
{
	uint64_t src = d->src_addr, dst = d->dst_addr, len = d->xfer_size;
	bool desc = dst > src && dst < src + len;

	if (desc) {
		/* Overlap with dst above src: copy from the top down, as memmove does;
		 * the top p->off bytes are done, [0, rest) remains. */
		uint64_t rest = len - p->off;
		uint64_t s = emu_atc_suffix(c->eng->atc, c->pasid, src, rest, false);
		uint64_t t = emu_atc_suffix(c->eng->atc, c->pasid, dst, rest, true);
		uint64_t ok = s < t ? s : t, done = stop_at(c, ok, rest, 1);

		emu_move(dst + rest - done, src + rest - done, done);
		o->result = 1; /* direction: descending */
		if (ok < rest)
			set_fault(o, (uint32_t)(p->off + done), (s <= t ? src : dst) + rest - ok - 1,
				  s > t);
		return;
	}
	struct lbuf b[2] = { { src + p->off, false }, { dst + p->off, true } };
	unsigned int lim;
	uint64_t ok = lockstep(c, b, 2, len - p->off, &lim);
	uint64_t done = stop_at(c, ok, len - p->off, 1);

	emu_move(b[1].va, b[0].va, done);
	if (ok < len - p->off)
		lockstep_fault(o, b, lim, p->off, ok, done, len - p->off);
}

static void
op_memfill(const struct exec_ctx *c, const struct dsa_hw_desc *d, const struct emu_progress *p,
	   struct exec_out *o)
{
	uint64_t dst = d->dst_addr + p->off, rest = d->xfer_size - p->off;
	uint64_t ok = acc(c, dst, rest, true), done = stop_at(c, ok, rest, 1);

	/* The pattern keeps its phase across the stop: byte i of the op is
	 * pattern byte i % 8, wherever the op stopped. */
	emu_fill((uint8_t *)(uintptr_t)dst, d->pattern, done, p->off % DSA_FILL_PATTERN_SIZE);
	if (ok < rest)
	{
		set_fault(o, (uint32_t)(p->off + done), dst + ok, true);
		o->fault_left = rest - ok;
	}
}

static void
check_result(const struct dsa_hw_desc *d, struct exec_out *o, bool match)
{
	if ((d->flags & IDXD_OP_FLAG_CR) && !match && o->status == DSA_COMP_SUCCESS)
		o->status = DSA_COMP_SUCCESS_PRED;
}

static void
op_compare(const struct exec_ctx *c, const struct dsa_hw_desc *d, const struct emu_progress *p,
	   struct exec_out *o)
{
	bool val = d->opcode == DSA_OPCODE_COMPVAL;
	uint64_t rest = d->xfer_size - p->off;
	struct lbuf b[2] = { { d->src_addr + p->off, false }, { d->src2_addr + p->off, false } };
	unsigned int lim;
	uint64_t ok = lockstep(c, b, val ? 1 : 2, rest, &lim);
	const uint8_t *s = (const uint8_t *)(uintptr_t)b[0].va;
	size_t diff = val ? emu_compare_value(s, d->comp_pattern, ok,
					      p->off % DSA_FILL_PATTERN_SIZE)
			  : emu_compare(s, (const uint8_t *)(uintptr_t)b[1].va, ok);

	if (diff < ok) {
		uint64_t at = p->off + diff, whole = d->xfer_size & ~(uint64_t)(DSA_FILL_PATTERN_SIZE - 1);

		o->result = 1;
		/* COMPARE: the offset of the first difference. COMPVAL: no greater
		 * than it (DSA spec 8.3.7); the reference (DML ref/compare_pattern.c)
		 * and hardware give it rounded down to the 8-byte chunk counted from
		 * the buffer start, exact in the bytes after the last whole chunk. */
		if (val && at < whole)
			at &= ~(uint64_t)(DSA_FILL_PATTERN_SIZE - 1);
		o->bytes = (uint32_t)at;
	} else if (ok < rest) {
		lockstep_fault(o, b, lim, p->off, ok, stop_at(c, ok, rest, 1), rest);
		return;
	}
	check_result(d, o, o->result == d->expected_res);
}

static void
op_dualcast(const struct exec_ctx *c, const struct dsa_hw_desc *d, const struct emu_progress *p,
	    struct exec_out *o)
{
	uint64_t len = d->xfer_size;
	struct lbuf b[3] = { { d->src_addr + p->off, false }, { d->dst_addr + p->off, true },
			     { d->dest2 + p->off, true } };
	unsigned int lim;
	uint64_t ok, done;

	if ((d->dst_addr & DSA_DUALCAST_ADDR_MASK) != (d->dest2 & DSA_DUALCAST_ADDR_MASK)) {
		o->status = DSA_COMP_DCAST_ERR;
		return;
	}
	if (ranges_overlap(d->src_addr, len, d->dst_addr, len) ||
	    ranges_overlap(d->src_addr, len, d->dest2, len) ||
	    ranges_overlap(d->dst_addr, len, d->dest2, len)) {
		o->status = DSA_COMP_OVERLAP_BUFFERS;
		return;
	}
	ok = lockstep(c, b, 3, len - p->off, &lim);
	done = stop_at(c, ok, len - p->off, 1);
	emu_move(b[1].va, b[0].va, done);
	emu_move(b[2].va, b[0].va, done);
	if (ok < len - p->off)
		lockstep_fault(o, b, lim, p->off, ok, done, len - p->off);
}

static void
op_crc(const struct exec_ctx *c, const struct dsa_hw_desc *d, const struct emu_progress *p,
       struct exec_out *o)
{
	bool copy = d->opcode == DSA_OPCODE_COPY_CRC;
	uint64_t len = d->xfer_size, rest = len - p->off;
	struct lbuf b[2] = { { d->src_addr + p->off, false }, { d->dst_addr + p->off, true } };
	uint32_t seed = p->crc_seeded ? p->crc : d->crc_seed;
	unsigned int lim;
	uint64_t ok, done;

	if (copy && ranges_overlap(d->src_addr, len, d->dst_addr, len)) {
		o->status = DSA_COMP_OVERLAP_BUFFERS;
		return;
	}
	if ((d->flags & DSA_FLAG_CRC_READ_SEED) && !p->crc_seeded) {
		/* The seed address is aligned to the CRC size (DSA spec table 8-19). */
		if (d->seed_addr % sizeof(seed) != 0) {
			o->status = DSA_COMP_ADDR_ALIGN;
			return;
		}
		if (acc(c, d->seed_addr, sizeof(seed), false) < sizeof(seed)) {
			/* Nothing done, no seed yet: the op starts over from its seed read. */
			set_fault(o, 0, d->seed_addr, false);
			return;
		}
		memcpy(&seed, (const void *)(uintptr_t)d->seed_addr, sizeof(seed));
	}
	o->crc_seeded = true;
	ok = lockstep(c, b, copy ? 2 : 1, rest, &lim);
	done = stop_at(c, ok, rest, 1);
	if (copy)
		emu_move(b[1].va, b[0].va, done);
	o->op_specific = emu_crc32c(seed, (const void *)(uintptr_t)b[0].va, done);
	if (ok < rest)
		lockstep_fault(o, b, lim, p->off, ok, done, len - p->off);
}

static void
op_cflush(const struct exec_ctx *c, const struct dsa_hw_desc *d, const struct emu_progress *p,
	  struct exec_out *o)
{
	uint64_t dst = d->dst_addr + p->off, rest = d->xfer_size - p->off;
	uint64_t ok = acc(c, dst, rest, false), done = stop_at(c, ok, rest, 1);

	emu_cache_flush((const void *)(uintptr_t)dst, done);
	if (ok < rest)
	{
		set_fault(o, (uint32_t)(p->off + done), dst + ok, false);
		o->fault_left = rest - ok;
	}
}

static void
op_cr_delta(const struct exec_ctx *c, const struct dsa_hw_desc *d, const struct emu_progress *p,
	    struct exec_out *o)
{
	uint64_t len = d->xfer_size, rec = d->delta_addr, max = d->max_delta_size;
	struct lbuf b[2] = { { d->src_addr + p->off, false }, { d->src2_addr + p->off, false } };
	const uint8_t *s1 = (const uint8_t *)(uintptr_t)d->src_addr;
	const uint8_t *s2 = (const uint8_t *)(uintptr_t)d->src2_addr;
	uint64_t ok, raw, rec_ok, used = p->delta_used;
	unsigned int lim;

	/* DSA spec 8.3.8 and table 5-6 (DML validation.cpp checks the same):
	 * sources and size 8-byte aligned (0x1C), at most 0x80000 bytes (0x13),
	 * a maximum record size from 80 to the WQ's maximum transfer (0x15); a
	 * multiple of 10 is only advised: whole entries fit or it overflows. */
	if (len % DSA_DELTA_WORD_SIZE != 0 || d->src_addr % DSA_DELTA_WORD_SIZE != 0 ||
	    d->src2_addr % DSA_DELTA_WORD_SIZE != 0) {
		o->status = DSA_COMP_ADDR_ALIGN;
		return;
	}
	if (len > DSA_DELTA_MAX_XFER) {
		o->status = DSA_COMP_XFER_ERANGE;
		return;
	}
	if (max < DSA_DELTA_MIN_MAX_SIZE || max > c->wq->max_xfer) {
		o->status = DSA_COMP_DR_ERANGE;
		return;
	}
	if (ranges_overlap(rec, max, d->src_addr, len) || ranges_overlap(rec, max, d->src2_addr, len)) {
		o->status = DSA_COMP_OVERLAP_BUFFERS;
		return;
	}
	o->result = p->result;
	/* Offsets stay those of the whole op: entries carry absolute word numbers. */
	raw = lockstep(c, b, 2, len - p->off, &lim);
	ok = p->off + stop_at(c, raw, len - p->off, DSA_DELTA_WORD_SIZE);
	ok -= ok % DSA_DELTA_WORD_SIZE;
	rec_ok = acc(c, rec, max, true);
	for (uint64_t off = p->off; off < ok; off += DSA_DELTA_WORD_SIZE) {
		uint16_t word = (uint16_t)(off / DSA_DELTA_WORD_SIZE);
		uint8_t *e = (uint8_t *)(uintptr_t)(rec + used);

		if (memcmp(s1 + off, s2 + off, DSA_DELTA_WORD_SIZE) == 0)
			continue;
		if (used + DSA_DELTA_ENTRY_SIZE > max) {
			o->result = DSA_DELTA_RES_OVERFLOW;
			break;
		}
		if (used + DSA_DELTA_ENTRY_SIZE > rec_ok) {
			o->op_specific = used;
			set_fault(o, (uint32_t)off, rec + rec_ok, true);
			return;
		}
		memcpy(e, &word, sizeof(word));
		memcpy(e + sizeof(word), s2 + off, DSA_DELTA_WORD_SIZE);
		used += DSA_DELTA_ENTRY_SIZE;
		o->result = DSA_DELTA_RES_DIFF;
	}
	o->op_specific = used;
	if (o->result != DSA_DELTA_RES_OVERFLOW && ok < len) {
		/* Done: whole words only; the address is the byte that faulted. */
		set_fault(o, (uint32_t)ok, b[lim].va + raw, false);
		o->fault_left = len - p->off - raw;
		return;
	}
	check_result(d, o, (d->expected_res_mask >> o->result) & 1);
}

static void
op_ap_delta(const struct exec_ctx *c, const struct dsa_hw_desc *d, const struct emu_progress *p,
	    struct exec_out *o)
{
	uint64_t rec = d->src_addr, dst = d->dst_addr, len = d->xfer_size;
	uint64_t rsize = d->delta_rec_size, dst_ok;
	const uint8_t *r = (const uint8_t *)(uintptr_t)rec;
	int32_t prev = -1;

	/* Destination and size 8-byte aligned (0x1C), at most 0x80000 bytes
	 * (0x13), a record of whole entries, at least one (0x15; the spec asks
	 * for at least 10 bytes, whole entries is the model's choice). */
	if (len % DSA_DELTA_WORD_SIZE != 0 || dst % DSA_DELTA_WORD_SIZE != 0) {
		o->status = DSA_COMP_ADDR_ALIGN;
		return;
	}
	if (len > DSA_DELTA_MAX_XFER) {
		o->status = DSA_COMP_XFER_ERANGE;
		return;
	}
	if (rsize < DSA_DELTA_ENTRY_SIZE || rsize % DSA_DELTA_ENTRY_SIZE != 0) {
		o->status = DSA_COMP_DR_ERANGE;
		return;
	}
	if (ranges_overlap(rec, rsize, dst, len)) {
		o->status = DSA_COMP_OVERLAP_BUFFERS;
		return;
	}
	if (acc(c, rec, rsize, false) < rsize) {
		uint64_t rok = acc(c, rec, rsize, false);

		set_fault(o, 0, rec + rok, false);
		return;
	}
	/* The whole record is checked before dst is touched. */
	for (uint64_t i = 0; i < rsize; i += DSA_DELTA_ENTRY_SIZE) {
		uint16_t word;

		memcpy(&word, r + i, sizeof(word));
		if ((int32_t)word <= prev) {
			o->status = DSA_COMP_DR_OFFSET_NOINC;
			return;
		}
		if ((uint64_t)(word + 1) * DSA_DELTA_WORD_SIZE > len) {
			o->status = DSA_COMP_DR_OFFSET_ERANGE;
			return;
		}
		prev = word;
	}
	dst_ok = acc(c, dst, len, true);
	for (uint64_t i = p->off; i < rsize; i += DSA_DELTA_ENTRY_SIZE) {
		uint16_t word;
		uint64_t off;

		memcpy(&word, r + i, sizeof(word));
		off = (uint64_t)word * DSA_DELTA_WORD_SIZE;
		if (off + DSA_DELTA_WORD_SIZE > dst_ok) {
			/* Resume point: bytes of the delta record consumed. */
			set_fault(o, (uint32_t)i, dst + (off > dst_ok ? off : dst_ok), true);
			return;
		}
		memcpy((void *)(uintptr_t)(dst + off), r + i + sizeof(word), DSA_DELTA_WORD_SIZE);
	}
}

/* Execute a non-batch descriptor into o, from where p says it got to. */
static void
exec_one(const struct exec_ctx *c, const struct dsa_hw_desc *d, const struct emu_progress *p,
	 struct exec_out *o)
{
	memset(o, 0, sizeof(*o));
	o->status = DSA_COMP_SUCCESS;
	if (!validate_common(c, d, o))
		return;
	switch (d->opcode) {
	case DSA_OPCODE_NOOP:
	case DSA_OPCODE_DRAIN:
		/* Engines execute a WQ in order, so everything before a drain is done. */
		break;
	case DSA_OPCODE_MEMMOVE: op_memmove(c, d, p, o); break;
	case DSA_OPCODE_MEMFILL: op_memfill(c, d, p, o); break;
	case DSA_OPCODE_COMPARE:
	case DSA_OPCODE_COMPVAL: op_compare(c, d, p, o); break;
	case DSA_OPCODE_DUALCAST: op_dualcast(c, d, p, o); break;
	case DSA_OPCODE_CRCGEN:
	case DSA_OPCODE_COPY_CRC: op_crc(c, d, p, o); break;
	case DSA_OPCODE_CFLUSH: op_cflush(c, d, p, o); break;
	case DSA_OPCODE_CR_DELTA: op_cr_delta(c, d, p, o); break;
	case DSA_OPCODE_AP_DELTA: op_ap_delta(c, d, p, o); break;
	default: o->status = DSA_COMP_BAD_OPCODE; break;
	}
}

/* Check the completion-record address before executing. False: reported in SWERR. */
static bool
cr_addr_ok(const struct exec_ctx *c, const struct dsa_hw_desc *d)
{
	if (!(d->flags & IDXD_OP_FLAG_CRAV))
		return true;
	if (d->completion_addr % DSA_COMP_ALIGN != 0) {
		emu_swerr_record(c->eng->dev, DSA_COMP_CRA_ALIGN, c->wq->id, d, c->in_batch,
				 d->completion_addr, true);
		return false;
	}
	return true;
}

/* The completion record an outcome produces (status byte returned separately). */
static uint8_t
out_to_cr(const struct exec_out *o, const struct dsa_hw_desc *d, struct dsa_completion_record *cr)
{
	memset(cr, 0, sizeof(*cr));
	cr->result = o->result;
	cr->bytes_completed = o->bytes;
	cr->fault_addr = o->fault_addr;
	if (o->status == DSA_COMP_INVALID_FLAGS)
		cr->invalid_flags = (uint32_t)o->op_specific;
	else if (d->opcode == DSA_OPCODE_CR_DELTA)
		cr->delta_rec_size = (uint32_t)o->op_specific;
	else if (d->opcode == DSA_OPCODE_CRCGEN || d->opcode == DSA_OPCODE_COPY_CRC)
		cr->crc_val = o->op_specific;
	cr->status = (uint8_t)(o->status | (o->fault_write ? DSA_COMP_STATUS_WRITE : 0));
	return cr->status;
}

/* A record is due: an address is given, and the op failed or asks for one. */
static bool
cr_due(const struct dsa_hw_desc *d, uint8_t code)
{
	return (d->flags & IDXD_OP_FLAG_CRAV) &&
	       (code != DSA_COMP_SUCCESS || (d->flags & IDXD_OP_FLAG_RCR));
}

/* Write cr (its status byte last) if the descriptor asks for it. An error
 * without a completion record address goes to SWERR instead. False when a
 * record was due and could not be written (SWERR CRA_XLAT): a batch member's
 * failure to write its record fails the batch. translated: the caller
 * translated the record's page just before. */
static bool
cr_store_translated(const struct exec_ctx *c, const struct dsa_hw_desc *d,
		    const struct dsa_completion_record *cr, bool translated)
{
	uint8_t code = cr->status & DSA_COMP_STATUS_CODE_MASK;
	bool ok = code == DSA_COMP_SUCCESS || code == DSA_COMP_SUCCESS_PRED;
	uint8_t *dst;

	if (code != DSA_COMP_SUCCESS)
		atomic_fetch_add_explicit(&c->eng->dev->n_errors, 1, memory_order_relaxed);
	if (!(d->flags & IDXD_OP_FLAG_CRAV)) {
		if (!ok)
			emu_swerr_record(c->eng->dev, code, c->wq->id, d, c->in_batch,
					 cr->fault_addr, (cr->status & DSA_COMP_STATUS_WRITE) != 0);
		return true;
	}
	if (!cr_due(d, code))
		return true;
	if (!translated && acc(c, d->completion_addr, DSA_COMP_SIZE, true) < DSA_COMP_SIZE) {
		emu_swerr_record(c->eng->dev, DSA_COMP_CRA_XLAT, c->wq->id, d, c->in_batch,
				 d->completion_addr, true);
		return false;
	}
	dst = (uint8_t *)(uintptr_t)d->completion_addr;
	memcpy(dst + 1, (const uint8_t *)cr + 1, DSA_COMP_SIZE - 1);
	/* Release: whoever polls the status byte must see the other 31 bytes first. */
	__atomic_store_n(dst, cr->status, __ATOMIC_RELEASE);
	return true;
}

static bool
cr_store(const struct exec_ctx *c, const struct dsa_hw_desc *d,
	 const struct dsa_completion_record *cr)
{
	return cr_store_translated(c, d, cr, false);
}

/* Write the record of d like cr_store, but a record address that does not
 * translate raises a page request first, with or without block-on-fault
 * (BOF governs the source and destination buffers only; DSA spec 3.13.2-3:
 * with page requests enabled the device requests the record's page and
 * waits): the engine parks (false) with the record kept, and resume writes
 * it once the page is there, or reports 0x1A in SWERR when the answer is
 * not Success (the model has no event log). */
static bool
cr_put(struct emu_engine *eng, const struct exec_ctx *c, const struct dsa_hw_desc *d,
       const struct dsa_completion_record *cr, uint8_t kind, bool *ok)
{
	struct emu_exec_state *st = &eng->st;
	bool due = cr_due(d, cr->status & DSA_COMP_STATUS_CODE_MASK);

	if (due && acc(c, d->completion_addr, DSA_COMP_SIZE, true) < DSA_COMP_SIZE) {
		st->cr_wait = kind;
		st->cr_rec = *cr;
		st->parked = true;
		st->raised = false;
		st->fault_addr = d->completion_addr;
		st->fault_write = true;
		st->fault_pages = 1;
		return false;
	}
	*ok = cr_store_translated(c, d, cr, due); /* translated just above when due */
	return true;
}

static struct exec_ctx
st_ctx(struct emu_engine *eng)
{
	struct exec_ctx c = { .eng = eng, .wq = eng->st.wq, .pasid = eng->st.pasid,
			      .in_batch = eng->st.is_batch };
	return c;
}

/* The descriptor whose record the piece in progress writes. */
static const struct dsa_hw_desc *
st_owner(const struct emu_engine *eng)
{
	return eng->st.is_batch ? &eng->batch_buf[eng->st.member] : &eng->st.top;
}

/* Pages to request in one group: those of the faulting buffer still ahead of
 * the op (it walks every buffer upward in step), up to EMU_PRI_GROUP_MAX. One
 * page where the op does not walk the buffer upward (descending copy, seed
 * read, delta records): fault_left is 0 there. */
static uint32_t
group_pages(const struct exec_out *o)
{
	uint64_t end = o->fault_addr + o->fault_left, pages;

	pages = ((end + EMU_PAGE_SIZE - 1) >> EMU_PAGE_SHIFT) - (o->fault_addr >> EMU_PAGE_SHIFT);
	if (pages == 0)
		pages = 1;
	return pages > EMU_PRI_GROUP_MAX ? EMU_PRI_GROUP_MAX : (uint32_t)pages;
}

/* Run what remains of the op in progress (st.cur). False: it parked on a page
 * fault (block-on-fault); true: *cr is its final completion record. */
static bool
piece_run(struct emu_engine *eng, const struct exec_ctx *c, struct dsa_completion_record *cr)
{
	struct emu_exec_state *st = &eng->st;
	struct emu_progress *p = &st->prog;
	struct exec_out o;

	exec_one(c, &st->cur, p, &o);
	out_to_cr(&o, &st->cur, cr);
	if (o.status == DSA_COMP_PAGE_FAULT_NOBOF && (st->cur.flags & IDXD_OP_FLAG_BOF) &&
	    c->wq->bof) {
		/* Block on fault: keep where the op got to and its internal state,
		 * wait for the page, then continue from the exact byte. */
		p->off = o.bytes; /* AP_DELTA: delta-record bytes consumed */
		if (o.crc_seeded) {
			p->crc = (uint32_t)o.op_specific;
			p->crc_seeded = true;
		}
		if (st->cur.opcode == DSA_OPCODE_CR_DELTA) {
			p->delta_used = (uint32_t)o.op_specific;
			p->result = o.result;
		}
		st->parked = true;
		st->raised = false;
		st->fault_addr = o.fault_addr;
		st->fault_write = o.fault_write;
		st->fault_pages = group_pages(&o);
		return false;
	}
	return true;
}

/* Finish the piece in progress with a fault record (page response Invalid,
 * timeout, or memory vanished under it). */
static void
piece_fail(struct emu_engine *eng, uint8_t status, uint64_t addr, bool write)
{
	struct emu_exec_state *st = &eng->st;
	struct exec_ctx c = st_ctx(eng);
	struct dsa_completion_record cr;

	memset(&cr, 0, sizeof(cr));
	cr.status = (uint8_t)(status | (write ? DSA_COMP_STATUS_WRITE : 0));
	cr.fault_addr = addr;
	/* What the op got done before it stopped, relative to the whole op. */
	cr.bytes_completed = (uint32_t)st->prog.off;
	if (st->cur.opcode == DSA_OPCODE_MEMMOVE && st->cur.dst_addr > st->cur.src_addr &&
	    st->cur.dst_addr < st->cur.src_addr + st->cur.xfer_size)
		cr.result = 1; /* descending */
	if (st->cur.opcode == DSA_OPCODE_CRCGEN || st->cur.opcode == DSA_OPCODE_COPY_CRC)
		cr.crc_val = st->prog.crc_seeded ? st->prog.crc : st->cur.crc_seed;
	if (st->cur.opcode == DSA_OPCODE_CR_DELTA) {
		cr.delta_rec_size = st->prog.delta_used;
		cr.result = st->prog.result;
	}
	cr_store(&c, st_owner(eng), &cr);
	if (st->is_batch) {
		st->batch_failed = true;
		st->pos++;
		st->cur_loaded = false;
	}
}

/* Write the batch's own record. False: parked on the record's page. */
static bool
batch_finish(struct emu_engine *eng)
{
	struct emu_exec_state *st = &eng->st;
	struct exec_ctx c = st_ctx(eng);
	struct dsa_completion_record cr;
	bool ok;

	memset(&cr, 0, sizeof(cr));
	cr.status = st->batch_failed ? DSA_COMP_BATCH_FAIL : DSA_COMP_SUCCESS;
	/* result 1: a member failed (what software checks to continue a batch;
	 * kernel irq.c sets it likewise for a batch failure). */
	cr.result = st->batch_failed ? 1 : 0;
	if (st->list_short && st->pos == st->nb_members) {
		/* The members before the unreadable part of the list ran; the
		 * batch ends at the first member it could not read. result says
		 * whether one of those that ran failed (kernel irq.c sets it for
		 * a batch failure as well). */
		cr.status = DSA_COMP_BATCH_PAGE_FAULT;
		cr.fault_addr = st->list_fault;
	}
	/* Descriptors completed: every member before the point the batch stopped
	 * at (members run out of order only inside a fence segment). */
	cr.bytes_completed = st->pos;
	c.in_batch = false;
	if (!cr_put(eng, &c, &st->top, &cr, EMU_CR_WAIT_BATCH, &ok))
		return false;
	atomic_fetch_add_explicit(&eng->dev->n_descs, st->pos, memory_order_relaxed);
	return true;
}

/* Flags a plain copy may carry and still take the fast lane. */
#define FAST_COPY_FLAGS (IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_FENCE | \
			 IDXD_OP_FLAG_CC | IDXD_OP_FLAG_BOF)

/* The common batch member, a small MEMMOVE whose buffers sit in one page
 * each and translate from the ATC, done without the general machinery. Any
 * other case (or any check that would fail) returns false and goes the long
 * way, which reports it exactly. */
static bool
fast_copy(const struct exec_ctx *c, const struct dsa_hw_desc *m)
{
	uint64_t src = m->src_addr, dst = m->dst_addr, len = m->xfer_size, tail[3];
	struct dsa_completion_record cr;

	if (m->opcode != DSA_OPCODE_MEMMOVE || (m->flags & ~FAST_COPY_FLAGS) != 0 || m->rsvd != 0 ||
	    m->priv != 0 || m->rsvd1 != 0 || len == 0 || len > c->wq->max_xfer ||
	    ((m->flags & IDXD_OP_FLAG_BOF) && !c->wq->bof) ||
	    ((m->flags & IDXD_OP_FLAG_CRAV) && m->completion_addr % DSA_COMP_ALIGN != 0) ||
	    (src & (EMU_PAGE_SIZE - 1)) + len > EMU_PAGE_SIZE ||
	    (dst & (EMU_PAGE_SIZE - 1)) + len > EMU_PAGE_SIZE ||
	    (dst > src && dst < src + len))
		return false;
	memcpy(tail, m->op_specific, sizeof(tail));
	if ((tail[0] | tail[1] | tail[2]) != 0)
		return false;
	if (!emu_atc_hit(c->eng->atc, c->pasid, src, len, false) ||
	    !emu_atc_hit(c->eng->atc, c->pasid, dst, len, true)) {
		if (acc(c, src, len, false) != len || acc(c, dst, len, true) != len)
			return false;
	}
	/* A record that would wait for its page goes the long way (cr_put). */
	if ((m->flags & (IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_CRAV)) ==
	    (IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_CRAV) &&
	    acc(c, m->completion_addr, DSA_COMP_SIZE, true) < DSA_COMP_SIZE)
		return false;
	memmove((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, len);
	if (m->flags & IDXD_OP_FLAG_RCR) {
		memset(&cr, 0, sizeof(cr));
		cr.status = DSA_COMP_SUCCESS;
		/* Due only with CRAV, and then its page was translated above. */
		if (!cr_store_translated(c, m, &cr, true))
			c->eng->st.batch_failed = true;
	}
	return true;
}

/* The order the engine runs batch members in. Hardware runs the members of a
 * batch concurrently on its engines and completes them in any order; only a
 * FENCE orders: a fenced member starts after every earlier one completed,
 * and members after it are dispatched after it. So each fence segment (a
 * fenced member up to the next one) runs in a random order of its own, and
 * segments in turn. A seed of 0 keeps list order. */
static void
batch_order(struct emu_engine *eng, uint32_t n)
{
	uint32_t seg = 0;

	for (uint32_t i = 0; i < n; i++)
		eng->order[i] = (uint16_t)i;
	if (eng->dev->prof.seed == 0)
		return;
	for (uint32_t i = 1; i <= n; i++) {
		if (i < n && !(eng->batch_buf[i].flags & IDXD_OP_FLAG_FENCE))
			continue;
		/* Fisher-Yates over [seg, i). */
		for (uint32_t k = i - 1; k > seg; k--) {
			uint32_t j = seg + (uint32_t)(emu_rand(&eng->rng) % (k - seg + 1));
			uint16_t t = eng->order[k];

			eng->order[k] = eng->order[j];
			eng->order[j] = t;
		}
		seg = i;
	}
}

/* A batch member's record is written (ok: it could be): on to the next. */
static void
member_done(struct emu_exec_state *st, bool ok, const struct dsa_completion_record *cr)
{
	if (!ok || (cr->status & DSA_COMP_STATUS_CODE_MASK) != DSA_COMP_SUCCESS)
		st->batch_failed = true;
	st->cur_loaded = false;
}

/* Continue the descriptor in progress until it finishes (true) or parks (false). */
static bool
st_run(struct emu_engine *eng)
{
	struct emu_exec_state *st = &eng->st;
	struct exec_ctx c = st_ctx(eng);
	struct dsa_completion_record cr;

	bool ok;

	if (!st->is_batch) {
		if (!piece_run(eng, &c, &cr))
			return false;
		return cr_put(eng, &c, &st->top, &cr, EMU_CR_WAIT_PIECE, &ok);
	}
	for (; st->pos < st->nb_members; st->pos++) {
		const struct dsa_hw_desc *m;

		st->member = eng->order[st->pos];
		m = &eng->batch_buf[st->member];
		if (!st->cur_loaded) {
			/* A fenced descriptor after a failure abandons the rest of the
			 * batch. pos is a segment start exactly where the member at
			 * index pos is fenced (see batch_order()). */
			if ((eng->batch_buf[st->pos].flags & IDXD_OP_FLAG_FENCE) && st->batch_failed)
				break;
			if (fast_copy(&c, m))
				continue;
			if (!cr_addr_ok(&c, m)) {
				st->batch_failed = true;
				continue;
			}
			st->cur = *m;
			memset(&st->prog, 0, sizeof(st->prog));
			st->cur_loaded = true;
		}
		if (!piece_run(eng, &c, &cr))
			return false;
		if (!cr_put(eng, &c, m, &cr, EMU_CR_WAIT_PIECE, &ok))
			return false;
		member_done(st, ok, &cr);
	}
	return batch_finish(eng);
}

/* Which buffer of the op in progress holds addr: a destination means a write. */
static bool
addr_is_dst(const struct dsa_hw_desc *d, uint64_t addr)
{
	uint64_t len = d->xfer_size;

	return (addr >= d->dst_addr && addr - d->dst_addr < len) ||
	       (d->opcode == DSA_OPCODE_DUALCAST && addr >= d->dest2 && addr - d->dest2 < len) ||
	       addr == d->completion_addr;
}

/* Report a trapped access the way translation reports faults: the first
 * address of the buffer that no longer translates (the CPU's copy routine may
 * have touched the buffer in any order). Called after the ATC was flushed. */
static uint64_t
trap_fault_addr(struct emu_engine *eng, const struct dsa_hw_desc *d, uint64_t addr, bool write)
{
	const uint64_t bufs[] = { d->src_addr, d->dst_addr, d->dest2 };
	uint64_t len = d->xfer_size;

	for (unsigned int i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
		if (addr >= bufs[i] && addr - bufs[i] < len) {
			uint64_t ok = emu_atc_prefix(eng->atc, eng->st.pasid, bufs[i], len, write);

			return ok < len ? bufs[i] + ok : addr;
		}
	}
	return addr & ~(EMU_PAGE_SIZE - 1);
}

/* st_run under the memory guard: an access to memory that vanished ends the
 * piece in progress with a page-fault record; a batch goes on with the rest. */
static bool
run_guarded(struct emu_engine *eng)
{
	struct emu_exec_state *st = &eng->st;
	sigjmp_buf env;
	volatile bool done = false;

	for (;;) {
		if (sigsetjmp(env, 0) == 0) {
			emu_guard_env = &env;
			done = st_run(eng);
			emu_guard_env = NULL;
			return done;
		}
		/* Trapped: nothing this ATC says can be trusted any more. */
		emu_atc_flush(eng->atc);
		bool write = addr_is_dst(&st->cur, emu_guard_addr);

		piece_fail(eng, DSA_COMP_PAGE_FAULT_NOBOF,
			   trap_fault_addr(eng, &st->cur, emu_guard_addr, write), write);
		if (!st->is_batch)
			return true;
	}
}

/* Raise the page request a parked descriptor waits for (retried while the
 * PRI allocation is exhausted). */
static void
park_raise(struct emu_engine *eng)
{
	struct emu_exec_state *st = &eng->st;
	int rc;

	if (!st->parked || st->raised)
		return;
	rc = emu_pri_raise(eng->dev->iommu, st->pasid, st->fault_addr, st->fault_pages,
			   st->fault_write, &st->prg);
	if (rc == -EAGAIN)
		return;
	st->refused = rc == -EPERM; /* ends as if answered Invalid */
	st->overflowed = rc == -ENOSPC;
	st->raised = true;
	st->t_raise = rte_rdtsc();
	st->raise_gen = emu_iommu_gen(eng->dev->iommu);
}

static bool
st_end(struct emu_engine *eng, bool done)
{
	struct emu_exec_state *st = &eng->st;

	if (!done) {
		park_raise(eng);
		return false;
	}
	if (!st->is_batch)
		atomic_fetch_add_explicit(&eng->dev->n_descs, 1, memory_order_relaxed);
	st->active = false;
	/* Release: a drain that sees this count must also see the records written. */
	atomic_fetch_add_explicit(&st->wq->done, 1, memory_order_release);
	return true;
}

/* Read the batch's descriptor list into the engine. A list that is not
 * readable to the end: with block-on-fault (batch descriptor and WQ) and
 * may_block, the engine waits for the page (false); otherwise the members
 * before the unreadable part are taken and the batch will end with
 * BATCH_PAGE_FAULT at the first member it could not read. */
static bool
batch_list_read(struct emu_engine *eng, const struct exec_ctx *c, bool may_block)
{
	struct emu_exec_state *st = &eng->st;
	const struct dsa_hw_desc *d = &st->top;
	uint64_t list = d->desc_list_addr, bytes = (uint64_t)d->desc_count * DSA_DESC_SIZE;
	uint64_t ok = acc(c, list, bytes, false);

	if (ok < bytes && may_block && (d->flags & IDXD_OP_FLAG_BOF) && c->wq->bof) {
		struct exec_out o = { .fault_addr = list + ok, .fault_left = bytes - ok };

		st->list_wait = true;
		st->parked = true;
		st->raised = false;
		st->fault_addr = o.fault_addr;
		st->fault_write = false;
		st->fault_pages = group_pages(&o);
		return false;
	}
	st->nb_members = (uint32_t)(ok / DSA_DESC_SIZE);
	st->list_short = st->nb_members < d->desc_count;
	st->list_fault = list + (uint64_t)st->nb_members * DSA_DESC_SIZE;
	if (st->nb_members != 0) /* the list may be at address 0 (fuzzer finding) */
		memcpy(eng->batch_buf, (const void *)(uintptr_t)list,
		       (size_t)st->nb_members * DSA_DESC_SIZE);
	batch_order(eng, st->nb_members);
	atomic_fetch_add_explicit(&eng->dev->n_batches, 1, memory_order_relaxed);
	st->is_batch = true;
	return true;
}

bool
emu_exec_start(struct emu_engine *eng, struct emu_wq *wq, const struct dsa_hw_desc *d)
{
	struct emu_exec_state *st = &eng->st;
	struct exec_ctx c;
	struct exec_out o;
	struct dsa_completion_record cr;

	memset(st, 0, offsetof(struct emu_exec_state, top));
	st->cr_wait = EMU_CR_WAIT_NONE;
	st->active = true;
	st->t_start = emu_trace_clock(eng);
	st->wq = wq;
	st->top = *d;
	st->cur = *d;
	memset(&st->prog, 0, sizeof(st->prog));
	/* PASID identity. A dedicated WQ supplies the PASID from WQCFG and
	 * ignores the descriptor's field; without PASID enable its requests carry
	 * no PASID, and nothing translates to the process (SVA only: the model
	 * has no PASID-less address space), as for an unbound PASID. A shared WQ
	 * takes the PASID ENQCMD put in the descriptor (the submitter's). */
	st->pasid = wq->dedicated ? wq->pasid : d->pasid;
	c = st_ctx(eng);
	emu_atc_sync(eng->atc);
	if (!cr_addr_ok(&c, d))
		return st_end(eng, true);
	if ((wq->dedicated && !wq->pasid_en) ||
	    !emu_iommu_pasid_valid(eng->dev->iommu, st->pasid)) {
		/* No address space to translate in, not even for the record. */
		emu_swerr_record(eng->dev, DSA_COMP_TRANSLATION_FAIL, wq->id, d, false, 0, false);
		return st_end(eng, true);
	}
	if (d->opcode != DSA_OPCODE_BATCH)
		return st_end(eng, run_guarded(eng));

	/* Batch: check the batch descriptor itself, then read its list. */
	memset(&o, 0, sizeof(o));
	o.status = DSA_COMP_SUCCESS;
	if (validate_common(&c, d, &o)) {
		if (d->desc_count < 2 || d->desc_count > wq->max_batch) {
			o.status = DSA_COMP_DESC_CNT_ERANGE;
		} else if (d->desc_list_addr % DSA_DESC_LIST_ALIGN != 0) {
			o.status = DSA_COMP_DESCLIST_ALIGN;
		}
	}
	if (o.status != DSA_COMP_SUCCESS) {
		out_to_cr(&o, d, &cr);
		cr_store(&c, d, &cr);
		return st_end(eng, true);
	}
	if (!batch_list_read(eng, &c, true))
		return st_end(eng, false); /* parked on the list */
	return st_end(eng, run_guarded(eng));
}

/* The page a completion record waited for was answered: write the record
 * (SWERR if the page is still not there), then go on with the batch. */
static bool
cr_resume(struct emu_engine *eng, volatile bool success)
{
	struct emu_exec_state *st = &eng->st;
	struct exec_ctx c = st_ctx(eng);
	uint8_t kind = st->cr_wait;
	const struct dsa_hw_desc *volatile d = kind == EMU_CR_WAIT_BATCH ? &st->top : st_owner(eng);
	sigjmp_buf env;
	volatile bool ok = false;

	st->cr_wait = EMU_CR_WAIT_NONE;
	c.in_batch = kind == EMU_CR_WAIT_PIECE && st->is_batch;
	/* The retried translation walks the page tables again (resume installs
	 * nothing for a record's page): a Success that did not make the page
	 * writable ends in SWERR like an Invalid answer. Under the guard: the
	 * page may vanish between the walk and the store. */
	if (success) {
		if (sigsetjmp(env, 0) == 0) {
			emu_guard_env = &env;
			ok = cr_store(&c, d, &st->cr_rec);
			emu_guard_env = NULL;
		} else {
			/* Trapped: nothing this ATC says can be trusted any more. */
			emu_guard_env = NULL;
			emu_atc_flush(eng->atc);
			success = false;
		}
	}
	if (!success)
		emu_swerr_record(eng->dev, DSA_COMP_CRA_XLAT, c.wq->id, d, c.in_batch,
				 d->completion_addr, true);
	if (kind == EMU_CR_WAIT_BATCH) {
		atomic_fetch_add_explicit(&eng->dev->n_descs, st->pos, memory_order_relaxed);
		return true;
	}
	if (!st->is_batch)
		return true;
	member_done(st, ok, &st->cr_rec);
	st->pos++;
	return run_guarded(eng);
}

bool
emu_exec_resume(struct emu_engine *eng)
{
	struct emu_exec_state *st = &eng->st;
	struct emu_dsa *dev = eng->dev;
	uint64_t now;
	int code;

	if (!st->raised) {
		park_raise(eng);
		if (!st->raised)
			return false;
	}
	code = st->refused ? EMU_PRI_INVALID
			   : emu_pri_poll_stamped(dev->iommu, st->prg, &st->pri_ts);
	if (code == -EAGAIN) {
		if (rte_rdtsc() - st->t_raise < dev->pri_timeout_cycles)
			return false;
		emu_pri_abandon(dev->iommu, st->prg);
		code = EMU_PRI_INVALID;
	} else if (code != EMU_PRI_SUCCESS && st->fault_pages > 1 && !st->refused) {
		/* A page further on may be the bad one: ask again for the faulting
		 * page alone, so that the op fails exactly where it must. */
		st->fault_pages = 1;
		st->raised = false;
		park_raise(eng);
		return false;
	}
	now = rte_rdtsc();
	if (dev->pri_latency_cb != NULL)
		dev->pri_latency_cb(dev->pri_latency_arg, now - st->t_raise);
	if (st->t_start != 0)
		st->t_seen = now;   /* recorded by emu_trace_resume() */
	st->parked = false;
	if (code == EMU_PRI_SUCCESS && !st->overflowed && st->cr_wait == EMU_CR_WAIT_NONE &&
	    emu_iommu_gen(dev->iommu) == st->raise_gen) {
		/* Software answered Success for these pages: the retried translations
		 * succeed (an IOMMU overflow's automatic Success proves nothing, and
		 * an invalidation since the request may have taken the pages away:
		 * then the engine walks the page tables again). */
		for (uint32_t i = 0; i < st->fault_pages; i++)
			emu_atc_install(eng->atc, st->pasid, st->fault_addr + i * EMU_PAGE_SIZE,
					st->fault_write);
	}
	if (st->cr_wait != EMU_CR_WAIT_NONE)
		return st_end(eng, cr_resume(eng, code == EMU_PRI_SUCCESS));
	if (st->list_wait) {
		/* Read the list again (it may wait again further on); after an
		 * Invalid answer, run what is readable and end at the fault. */
		struct exec_ctx c = st_ctx(eng);

		st->list_wait = false;
		if (!batch_list_read(eng, &c, code == EMU_PRI_SUCCESS))
			return st_end(eng, false);
		return st_end(eng, run_guarded(eng));
	}
	if (code != EMU_PRI_SUCCESS) {
		piece_fail(eng, DSA_COMP_PAGE_FAULT_IR, st->fault_addr, st->fault_write);
		if (!st->is_batch)
			return st_end(eng, true);
	}
	return st_end(eng, run_guarded(eng));
}
