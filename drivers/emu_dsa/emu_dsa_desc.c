/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Descriptor validation in the order the model checks (opcode, flags,
 * privilege, reserved fields, sizes, op-specific rules) and the data work of
 * each opcode over buffers translated through the ATC (emu_iommu.c). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "emu_dsa_exec.h"
#include "emu_dsa_ops.h"

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
bool
emu_desc_validate(const struct exec_ctx *c, const struct dsa_hw_desc *d, struct exec_out *o)
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
		uint64_t p = emu_desc_acc(c, b[i].va, ok, b[i].write);

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
	uint64_t ok = emu_desc_acc(c, dst, rest, true), done = stop_at(c, ok, rest, 1);

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
		if (emu_desc_acc(c, d->seed_addr, sizeof(seed), false) < sizeof(seed)) {
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
	uint64_t ok = emu_desc_acc(c, dst, rest, false), done = stop_at(c, ok, rest, 1);

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
	rec_ok = emu_desc_acc(c, rec, max, true);
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
	if (emu_desc_acc(c, rec, rsize, false) < rsize) {
		uint64_t rok = emu_desc_acc(c, rec, rsize, false);

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
	dst_ok = emu_desc_acc(c, dst, len, true);
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
void
emu_desc_exec(const struct exec_ctx *c, const struct dsa_hw_desc *d, const struct emu_progress *p,
	 struct exec_out *o)
{
	memset(o, 0, sizeof(*o));
	o->status = DSA_COMP_SUCCESS;
	if (!emu_desc_validate(c, d, o))
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

