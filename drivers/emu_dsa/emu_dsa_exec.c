/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Descriptor execution: validation in the order the model checks (opcode,
 * flags, privilege, reserved fields, sizes, op-specific rules), translation of
 * every buffer through emu_mmu, the data work, and the completion record. */
#include <stdbool.h>
#include <string.h>

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

/* widen[b]: 8 mask bits -> 8 bytes of 0x00/0xff (bit i selects byte i). */
static uint64_t widen[256];

__attribute__((constructor)) static void
widen_init(void)
{
	for (unsigned int b = 0; b < 256; b++)
		for (unsigned int i = 0; i < 8; i++)
			if (b & (1u << i))
				widen[b] |= 0xffull << (i * 8);
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
	invalid = d->flags & ~allowed_flags(d->opcode);
	if ((d->flags & IDXD_OP_FLAG_BOF) && !c->wq->bof)
		invalid |= IDXD_OP_FLAG_BOF;
	if (invalid != 0) {
		o->status = DSA_COMP_INVALID_FLAGS;
		o->op_specific = invalid;
		return false;
	}
	if (d->priv && !c->wq->priv) {
		o->status = DSA_COMP_PRIV_BAD;
		return false;
	}
	rsv = reserved_bytes(d->opcode, d->flags);
	if (d->rsvd != 0) {
		o->status = DSA_COMP_NOZERO_RESERVE;
		return false;
	}
	/* Check the reserved bytes a qword at a time: widen each mask bit to a byte. */
	for (unsigned int q = 0; q < DSA_DESC_SIZE / 8; q++) {
		uint8_t bits = (uint8_t)(rsv >> (q * 8));
		uint64_t word, wide;

		if (bits == 0)
			continue;
		wide = widen[bits];
		memcpy(&word, raw + q * 8, sizeof(word));
		if (word & wide) {
			o->status = DSA_COMP_NOZERO_RESERVE;
			return false;
		}
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
	return emu_mmu_prefix(c->eng->mmu, c->pasid, va, len, write);
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

static void
lockstep_fault(struct exec_out *o, const struct lbuf *b, unsigned int limiter, uint64_t ok)
{
	set_fault(o, (uint32_t)ok, b[limiter].va + ok, b[limiter].write);
}

static void
op_memmove(const struct exec_ctx *c, const struct dsa_hw_desc *d, struct exec_out *o)
{
	uint64_t src = d->src_addr, dst = d->dst_addr, len = d->xfer_size;
	bool desc = dst > src && dst < src + len;

	if (desc) {
		/* Overlap with dst above src: copy from the top down, as memmove does. */
		uint64_t s = emu_mmu_suffix(c->eng->mmu, c->pasid, src, len, false);
		uint64_t t = emu_mmu_suffix(c->eng->mmu, c->pasid, dst, len, true);
		uint64_t ok = s < t ? s : t;

		memmove((void *)(uintptr_t)(dst + len - ok), (const void *)(uintptr_t)(src + len - ok),
			ok);
		o->result = 1; /* direction: descending */
		if (ok < len)
			set_fault(o, (uint32_t)ok, (s <= t ? src : dst) + len - ok - 1, s > t);
		return;
	}
	struct lbuf b[2] = { { src, false }, { dst, true } };
	unsigned int lim;
	uint64_t ok = lockstep(c, b, 2, len, &lim);

	memmove((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, ok);
	if (ok < len)
		lockstep_fault(o, b, lim, ok);
}

static void
op_memfill(const struct exec_ctx *c, const struct dsa_hw_desc *d, struct exec_out *o)
{
	uint64_t ok = acc(c, d->dst_addr, d->xfer_size, true);

	emu_fill((uint8_t *)(uintptr_t)d->dst_addr, d->pattern, ok, 0);
	if (ok < d->xfer_size)
		set_fault(o, (uint32_t)ok, d->dst_addr + ok, true);
}

static void
check_result(const struct dsa_hw_desc *d, struct exec_out *o, bool match)
{
	if ((d->flags & IDXD_OP_FLAG_CR) && !match && o->status == DSA_COMP_SUCCESS)
		o->status = DSA_COMP_SUCCESS_PRED;
}

static void
op_compare(const struct exec_ctx *c, const struct dsa_hw_desc *d, struct exec_out *o)
{
	bool val = d->opcode == DSA_OPCODE_COMPVAL;
	struct lbuf b[2] = { { d->src_addr, false }, { d->src2_addr, false } };
	unsigned int lim;
	uint64_t ok = lockstep(c, b, val ? 1 : 2, d->xfer_size, &lim);
	const uint8_t *s = (const uint8_t *)(uintptr_t)d->src_addr;
	size_t diff = val ? emu_compare_value(s, d->comp_pattern, ok, 0)
			  : emu_compare(s, (const uint8_t *)(uintptr_t)d->src2_addr, ok);

	if (diff < ok) {
		o->result = 1;
		o->bytes = (uint32_t)diff;
	} else if (ok < d->xfer_size) {
		lockstep_fault(o, b, lim, ok);
		return;
	}
	check_result(d, o, o->result == d->expected_res);
}

static void
op_dualcast(const struct exec_ctx *c, const struct dsa_hw_desc *d, struct exec_out *o)
{
	uint64_t len = d->xfer_size;
	struct lbuf b[3] = { { d->src_addr, false }, { d->dst_addr, true }, { d->dest2, true } };
	unsigned int lim;
	uint64_t ok;

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
	ok = lockstep(c, b, 3, len, &lim);
	memcpy((void *)(uintptr_t)d->dst_addr, (const void *)(uintptr_t)d->src_addr, ok);
	memcpy((void *)(uintptr_t)d->dest2, (const void *)(uintptr_t)d->src_addr, ok);
	if (ok < len)
		lockstep_fault(o, b, lim, ok);
}

static void
op_crc(const struct exec_ctx *c, const struct dsa_hw_desc *d, struct exec_out *o)
{
	bool copy = d->opcode == DSA_OPCODE_COPY_CRC;
	uint64_t len = d->xfer_size;
	struct lbuf b[2] = { { d->src_addr, false }, { d->dst_addr, true } };
	uint32_t seed = d->crc_seed;
	unsigned int lim;
	uint64_t ok;

	if (copy && ranges_overlap(d->src_addr, len, d->dst_addr, len)) {
		o->status = DSA_COMP_OVERLAP_BUFFERS;
		return;
	}
	if (d->flags & DSA_FLAG_CRC_READ_SEED) {
		if (acc(c, d->seed_addr, sizeof(seed), false) < sizeof(seed)) {
			set_fault(o, 0, d->seed_addr, false);
			return;
		}
		memcpy(&seed, (const void *)(uintptr_t)d->seed_addr, sizeof(seed));
	}
	ok = lockstep(c, b, copy ? 2 : 1, len, &lim);
	if (copy)
		memcpy((void *)(uintptr_t)d->dst_addr, (const void *)(uintptr_t)d->src_addr, ok);
	o->op_specific = emu_crc32c(seed, (const void *)(uintptr_t)d->src_addr, ok);
	if (ok < len)
		lockstep_fault(o, b, lim, ok);
}

static void
op_cflush(const struct exec_ctx *c, const struct dsa_hw_desc *d, struct exec_out *o)
{
	uint64_t ok = acc(c, d->dst_addr, d->xfer_size, false);

	emu_cache_flush((const void *)(uintptr_t)d->dst_addr, ok);
	if (ok < d->xfer_size)
		set_fault(o, (uint32_t)ok, d->dst_addr + ok, false);
}

static void
op_cr_delta(const struct exec_ctx *c, const struct dsa_hw_desc *d, struct exec_out *o)
{
	uint64_t len = d->xfer_size, rec = d->delta_addr, max = d->max_delta_size;
	struct lbuf b[2] = { { d->src_addr, false }, { d->src2_addr, false } };
	const uint8_t *s1 = (const uint8_t *)(uintptr_t)d->src_addr;
	const uint8_t *s2 = (const uint8_t *)(uintptr_t)d->src2_addr;
	uint64_t ok, rec_ok, used = 0;
	unsigned int lim;

	if (len % DSA_DELTA_WORD_SIZE != 0 || len > DSA_DELTA_MAX_XFER) {
		o->status = DSA_COMP_XFER_ERANGE;
		return;
	}
	if (max == 0 || max % DSA_DELTA_ENTRY_SIZE != 0) {
		o->status = DSA_COMP_DR_ERANGE;
		return;
	}
	if (ranges_overlap(rec, max, d->src_addr, len) || ranges_overlap(rec, max, d->src2_addr, len)) {
		o->status = DSA_COMP_OVERLAP_BUFFERS;
		return;
	}
	ok = lockstep(c, b, 2, len, &lim);
	ok -= ok % DSA_DELTA_WORD_SIZE;
	rec_ok = acc(c, rec, max, true);
	for (uint64_t off = 0; off < ok; off += DSA_DELTA_WORD_SIZE) {
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
		lockstep_fault(o, b, lim, ok);
		return;
	}
	check_result(d, o, (d->expected_res_mask >> o->result) & 1);
}

static void
op_ap_delta(const struct exec_ctx *c, const struct dsa_hw_desc *d, struct exec_out *o)
{
	uint64_t rec = d->src_addr, dst = d->dst_addr, len = d->xfer_size;
	uint64_t rsize = d->delta_rec_size, dst_ok;
	const uint8_t *r = (const uint8_t *)(uintptr_t)rec;
	int32_t prev = -1;

	if (rsize % DSA_DELTA_ENTRY_SIZE != 0 || len > DSA_DELTA_MAX_XFER) {
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
	for (uint64_t i = 0; i < rsize; i += DSA_DELTA_ENTRY_SIZE) {
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

/* Execute a non-batch descriptor into o. */
static void
exec_one(const struct exec_ctx *c, const struct dsa_hw_desc *d, struct exec_out *o)
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
	case DSA_OPCODE_MEMMOVE: op_memmove(c, d, o); break;
	case DSA_OPCODE_MEMFILL: op_memfill(c, d, o); break;
	case DSA_OPCODE_COMPARE:
	case DSA_OPCODE_COMPVAL: op_compare(c, d, o); break;
	case DSA_OPCODE_DUALCAST: op_dualcast(c, d, o); break;
	case DSA_OPCODE_CRCGEN:
	case DSA_OPCODE_COPY_CRC: op_crc(c, d, o); break;
	case DSA_OPCODE_CFLUSH: op_cflush(c, d, o); break;
	case DSA_OPCODE_CR_DELTA: op_cr_delta(c, d, o); break;
	case DSA_OPCODE_AP_DELTA: op_ap_delta(c, d, o); break;
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

static void
cr_write(const struct exec_ctx *c, const struct dsa_hw_desc *d, const struct exec_out *o)
{
	struct dsa_completion_record cr;
	uint8_t *dst;

	if (o->status != DSA_COMP_SUCCESS)
		atomic_fetch_add_explicit(&c->eng->dev->n_errors, 1, memory_order_relaxed);
	if (!(d->flags & IDXD_OP_FLAG_CRAV) ||
	    (o->status == DSA_COMP_SUCCESS && !(d->flags & IDXD_OP_FLAG_RCR)))
		return;
	if (acc(c, d->completion_addr, DSA_COMP_SIZE, true) < DSA_COMP_SIZE) {
		emu_swerr_record(c->eng->dev, DSA_COMP_CRA_XLAT, c->wq->id, d, c->in_batch,
				 d->completion_addr, true);
		return;
	}
	memset(&cr, 0, sizeof(cr));
	cr.result = o->result;
	cr.bytes_completed = o->bytes;
	cr.fault_addr = o->fault_addr;
	if (o->status == DSA_COMP_INVALID_FLAGS)
		cr.invalid_flags = (uint32_t)o->op_specific;
	else if (d->opcode == DSA_OPCODE_CR_DELTA)
		cr.delta_rec_size = (uint32_t)o->op_specific;
	else if (d->opcode == DSA_OPCODE_CRCGEN || d->opcode == DSA_OPCODE_COPY_CRC)
		cr.crc_val = o->op_specific;
	dst = (uint8_t *)(uintptr_t)d->completion_addr;
	memcpy(dst + 1, (const uint8_t *)&cr + 1, DSA_COMP_SIZE - 1);
	/* Release: whoever polls the status byte must see the other 31 bytes first. */
	__atomic_store_n(dst, (uint8_t)(o->status | (o->fault_write ? DSA_COMP_STATUS_WRITE : 0)),
			 __ATOMIC_RELEASE);
}

static void
exec_batch(struct exec_ctx *c, const struct dsa_hw_desc *d, struct exec_out *o)
{
	struct emu_engine *eng = c->eng;
	uint64_t list = d->desc_list_addr, bytes;
	uint32_t n = d->desc_count, i;
	bool failed = false;

	memset(o, 0, sizeof(*o));
	o->status = DSA_COMP_SUCCESS;
	if (!validate_common(c, d, o))
		return;
	if (n < 2 || n > c->wq->max_batch) {
		o->status = DSA_COMP_DESC_CNT_ERANGE;
		return;
	}
	if (list % DSA_DESC_LIST_ALIGN != 0) {
		o->status = DSA_COMP_DESCLIST_ALIGN;
		return;
	}
	bytes = (uint64_t)n * DSA_DESC_SIZE;
	if (acc(c, list, bytes, false) < bytes) {
		o->status = DSA_COMP_BATCH_PAGE_FAULT;
		o->fault_addr = list + acc(c, list, bytes, false);
		return;
	}
	/* The device reads the list once; later changes to it have no effect. */
	memcpy(eng->batch_buf, (const void *)(uintptr_t)list, bytes);
	atomic_fetch_add_explicit(&eng->dev->n_batches, 1, memory_order_relaxed);
	c->in_batch = true;
	for (i = 0; i < n; i++) {
		const struct dsa_hw_desc *m = &eng->batch_buf[i];
		struct exec_out mo;

		/* A fenced descriptor after a failure abandons the rest of the batch. */
		if ((m->flags & IDXD_OP_FLAG_FENCE) && failed)
			break;
		if (!cr_addr_ok(c, m)) {
			failed = true;
			continue;
		}
		exec_one(c, m, &mo);
		cr_write(c, m, &mo);
		if (mo.status != DSA_COMP_SUCCESS)
			failed = true;
	}
	c->in_batch = false;
	atomic_fetch_add_explicit(&eng->dev->n_descs, i, memory_order_relaxed);
	o->bytes = i; /* descriptors completed */
	if (failed)
		o->status = DSA_COMP_BATCH_FAIL;
}

void
emu_exec_submitted(struct emu_engine *eng, struct emu_wq *wq, const struct dsa_hw_desc *d)
{
	struct exec_ctx c = { .eng = eng, .wq = wq, .in_batch = false };
	struct exec_out o;

	/* A dedicated WQ with PASID enabled substitutes its configured PASID. */
	c.pasid = (wq->dedicated && wq->pasid_en) ? wq->pasid : d->pasid;
	if (cr_addr_ok(&c, d)) {
		if (d->opcode == DSA_OPCODE_BATCH) {
			exec_batch(&c, d, &o);
		} else {
			exec_one(&c, d, &o);
			atomic_fetch_add_explicit(&eng->dev->n_descs, 1, memory_order_relaxed);
		}
		cr_write(&c, d, &o);
	}
	/* Release: a drain that sees this count must also see the CR written above. */
	atomic_fetch_add_explicit(&wq->done, 1, memory_order_release);
}
