/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The "resume" fault policy. Descriptors go out without block-on-fault; an op
 * that stops at a page (status 0x03) is resolved on the polling thread
 * (populate the page as a CPU access would) and what remains of it is
 * resubmitted as a lone descriptor built by the DSA continuation rules
 * (dsa_continue.c); ops a fence abandoned after a failure are replayed whole.
 *
 * Bookkeeping rules, which hold under any interleaving of device progress and
 * application polls:
 *  - the replay has a descriptor and a completion record of its own; the op's
 *    record keeps its first outcome (never NONE) until the final piece's
 *    record, folded over all pieces, is written into it;
 *  - an op is reported only from that folded record: while a piece is in
 *    flight the op is PENDING and nothing behind it is reported either, so
 *    completions stay in order;
 *  - every replay piece takes one WQ credit when it is submitted and gives it
 *    back when its record is seen;
 *  - a piece that stops again at the same address without progress after the
 *    page was resolved ends the op with that fault (no endless loop). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "idxd_internal.h"

/* Make the page at addr usable by the device for the access: present for
 * the CPU, then, where the transport programs the IOMMU (VFIO), mapped. */
static int
idxd_resolve_page(const struct idxd_queue *q, uint64_t addr, bool write)
{
	const struct idxd_dev *d = q->dev;
	void *page = (void *)(uintptr_t)(addr & ~(uint64_t)(IDXD_PAGE_SIZE - 1));

	if (madvise(page, IDXD_PAGE_SIZE, write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ) != 0)
		return -EFAULT;
	return d->tp->resolve != NULL ? d->tp->resolve(d->hw, (uintptr_t)page, IDXD_PAGE_SIZE, write)
				      : 0;
}

/* Hand the replay's next piece to the device (false: no credit or the shared
 * WQ refused it; retried at the next poll). */
static bool
idxd_replay_submit(struct idxd_queue *q)
{
	if (q->credits == 0) {
		idxd_reclaim_credits(q);
		if (q->credits == 0)
			return false;
	}
	/* The record's status is cleared before the device can see the
	 * descriptor: the portal write orders this store before it. */
	q->rs_cr->status = DSA_COMP_NONE;
	if (idxd_portal_submit(q, &q->rs.desc) != 0)
		return false;
	q->credits--; /* given back when the piece's record is seen */
	q->rs.need_submit = false;
	q->stats.hw_submits++;
	return true;
}

/* Op idx ends with record cr (folded over its pieces): write it into the op's
 * own record, which is what the application is reported from. */
static enum idxd_fix
idxd_replay_end(struct idxd_queue *q, uint16_t idx, struct dsa_completion_record *cr,
		uint8_t *st)
{
	struct dsa_completion_record *op = &q->op_cr[idx & q->mask];

	dsa_cont_finish(&q->rs.desc, cr, &q->rs.acc);
	*op = *cr;
	*st = cr->status;
	if (idxd_status_ok(cr->status)) {
		q->rs.state = IDXD_RS_IDLE;
		q->resumed++;
		return IDXD_FIX_OK;
	}
	q->rs.state = IDXD_RS_FINAL;
	return IDXD_FIX_FAILED;
}

/* The piece described by rs.desc ended with cr: resolve its fault and send
 * the rest, or end the op. */
static enum idxd_fix
idxd_replay_next(struct idxd_queue *q, uint16_t idx, struct dsa_completion_record *cr,
		 uint8_t *st)
{
	uint8_t code = cr->status & DSA_COMP_STATUS_CODE_MASK;
	bool again = q->rs.state == IDXD_RS_RUNNING;
	bool write = (cr->status & DSA_COMP_STATUS_WRITE) != 0;

	if (code != DSA_COMP_PAGE_FAULT_NOBOF)
		return idxd_replay_end(q, idx, cr, st);
	/* The same access to the same byte again with nothing done after it
	 * was resolved: the device cannot use the page (say, the IOMMU refuses
	 * it); stop here. (A read resolved then a write to the same byte is
	 * progress: a read makes the zero page present, a write needs more.) */
	if ((again && cr->bytes_completed == 0 && cr->fault_addr == q->rs.last_fault &&
	     write == q->rs.last_write) ||
	    idxd_resolve_page(q, cr->fault_addr, write) != 0 ||
	    dsa_cont_next(&q->rs.desc, cr, &q->rs.acc) != 0)
		return idxd_replay_end(q, idx, cr, st);
	q->rs.last_fault = cr->fault_addr;
	q->rs.last_write = write;
	q->rs.state = IDXD_RS_RUNNING;
	q->rs.idx = idx;
	q->rs.need_submit = true;
	idxd_replay_submit(q);
	return IDXD_FIX_PENDING;
}

/* Start replaying op idx whose first outcome is st. */
static enum idxd_fix
idxd_replay_start(struct idxd_queue *q, uint16_t idx, uint8_t *st)
{
	uint16_t slot = idx & q->mask;
	uint8_t code = *st & DSA_COMP_STATUS_CODE_MASK;
	struct dsa_completion_record cr;

	if (code != DSA_COMP_PAGE_FAULT_NOBOF && code != DSA_COMP_NONE)
		return IDXD_FIX_FAILED;
	memset(&q->rs, 0, sizeof(q->rs));
	q->rs.desc = q->desc_ring[slot];
	/* A lone descriptor, with a record of its own, and no fence: what it
	 * was ordered after has completed. */
	q->rs.desc.flags &= ~IDXD_OP_FLAG_FENCE;
	q->rs.desc.flags |= IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR;
	q->rs.desc.completion_addr = (uint64_t)(uintptr_t)q->rs_cr;
	if (code == DSA_COMP_NONE) {
		/* Abandoned by a fence: replayed as it was. */
		q->rs.state = IDXD_RS_RUNNING;
		q->rs.idx = idx;
		q->rs.need_submit = true;
		idxd_replay_submit(q);
		return IDXD_FIX_PENDING;
	}
	cr = q->op_cr[slot];
	return idxd_replay_next(q, idx, &cr, st);
}

enum idxd_fix
idxd_fix_op(struct idxd_queue *q, uint16_t idx, uint8_t *st)
{
	struct dsa_completion_record cr;

	if (q->rs.idx != idx || q->rs.state == IDXD_RS_IDLE)
		return idxd_replay_start(q, idx, st);
	if (q->rs.state == IDXD_RS_FINAL) {
		*st = q->op_cr[idx & q->mask].status;
		return IDXD_FIX_FAILED;
	}
	if (q->rs.need_submit && !idxd_replay_submit(q))
		return IDXD_FIX_PENDING;
	/* Acquire: pairs with the device's release of the status byte; the rest
	 * of the piece's record and its data are visible once it is non-zero. */
	if (__atomic_load_n(&q->rs_cr->status, __ATOMIC_ACQUIRE) == DSA_COMP_NONE)
		return IDXD_FIX_PENDING;
	q->credits++;
	cr = *q->rs_cr;
	return idxd_replay_next(q, idx, &cr, st);
}
