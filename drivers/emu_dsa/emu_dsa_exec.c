/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The engine's descriptor state machine: pieces of an op, batches, page
 * requests and block-on-fault waits, completion records, the memory guard
 * around all of it. What one descriptor does: emu_dsa_desc.c. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_cycles.h>

#include "emu_dsa_exec.h"
#include "emu_dsa_ops.h"

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
	if (!translated && emu_desc_acc(c, d->completion_addr, DSA_COMP_SIZE, true) < DSA_COMP_SIZE) {
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

	if (due && emu_desc_acc(c, d->completion_addr, DSA_COMP_SIZE, true) < DSA_COMP_SIZE) {
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

	emu_desc_exec(c, &st->cur, p, &o);
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
	emu_engine_count(&eng->n_descs, st->pos);
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
		if (emu_desc_acc(c, src, len, false) != len || emu_desc_acc(c, dst, len, true) != len)
			return false;
	}
	/* A record that would wait for its page goes the long way (cr_put). */
	if ((m->flags & (IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_CRAV)) ==
	    (IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_CRAV) &&
	    emu_desc_acc(c, m->completion_addr, DSA_COMP_SIZE, true) < DSA_COMP_SIZE)
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
/* Bits kept of a 64-bit random number to draw a shuffle index from. */
#define BATCH_ORDER_RAND_SHIFT 32

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
		/* Fisher-Yates over [seg, i). The index is drawn by scaling the
		 * generator's high 32 bits (its best ones) to the range with a
		 * multiply instead of a division (measured: the 64-bit divide
		 * per member was most of the time this function took). */
		for (uint32_t k = i - 1; k > seg; k--) {
			uint64_t r = emu_rand(&eng->rng) >> BATCH_ORDER_RAND_SHIFT;
			uint32_t j = seg + (uint32_t)((r * (k - seg + 1)) >> BATCH_ORDER_RAND_SHIFT);
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
		emu_engine_count(&eng->n_descs, 1);
	st->active = false;
	emu_wq_done_add(st->wq, 1, eng->wq_sole[st->wq->id]);
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
	uint64_t ok = emu_desc_acc(c, list, bytes, false);

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
	if (st->nb_members != 0) { /* the list may be at address 0 (fuzzer finding) */
		memcpy(eng->batch_buf, (const void *)(uintptr_t)list,
		       (size_t)st->nb_members * DSA_DESC_SIZE);
		/* Software rewrites these lines for its next batches. Only when
		 * this engine alone serves the WQ: the claim of the next slot is
		 * then a plain store; with other engines it is a locked
		 * instruction, which would wait for every flush to finish
		 * (measured: near placement 91 -> 54 Mops without the store). */
		if (eng->wq_sole[c->wq->id])
			emu_engine_release_lines(eng, list,
						 (uint64_t)st->nb_members * DSA_DESC_SIZE);
	}
	batch_order(eng, st->nb_members);
	emu_engine_count(&eng->n_batches, 1);
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
	if (emu_desc_validate(&c, d, &o)) {
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
		emu_engine_count(&eng->n_descs, st->pos);
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
