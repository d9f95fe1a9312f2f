/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* idxd fast path, completion side off the common case: reaping past the head
 * batch, failed ops and replays (idxd_completed_any()), per-op results
 * (idxd_reap_status()) and the idle check. The common reap, a head batch
 * whose record says success, is idxd_completed() in idxd_fp.c. */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "idxd_internal.h"

/* Outcome of op idx of batch b whose finishing record reads bst. */
static inline uint8_t
idxd_op_status(const struct idxd_queue *q, uint16_t b, uint16_t idx, uint8_t bst)
{
	const struct idxd_batch_ent *e = &q->batch_ring[b & q->mask];
	uint8_t code = bst & DSA_COMP_STATUS_CODE_MASK, st;

	if (e->count == 1 || code == DSA_COMP_SUCCESS)
		return e->count == 1 ? bst : DSA_COMP_SUCCESS;
	/* BATCH_PAGE_FAULT: the list could not be read past bytes_completed
	 * members; those before ran (as in BATCH_FAIL), the rest did not (NONE:
	 * not attempted, replayed under RESUME). */
	if (code != DSA_COMP_BATCH_FAIL && code != DSA_COMP_BATCH_PAGE_FAULT)
		return bst; /* the batch itself was rejected: no member ran */
	st = q->op_cr[idx & q->mask].status;
	if (st != DSA_COMP_NONE)
		return st;
	/* No record: the member succeeded if it was among the completed ones. */
	return (uint16_t)(idx - e->start) < q->batch_cr[b & q->mask].bytes_completed
		       ? DSA_COMP_SUCCESS : DSA_COMP_NONE;
}

/* Final outcome of op idx of batch b (bst: the batch's record status), or
 * IDXD_FIX_PENDING in *fix while a replay is running. */
static inline uint8_t
idxd_op_outcome(struct idxd_queue *q, uint16_t b, uint16_t idx, uint8_t bst, enum idxd_fix *fix)
{
	uint8_t st = idxd_op_status(q, b, idx, bst);

	*fix = IDXD_FIX_OK;
	if (q->policy == SVART_ACCEL_FAULT_RESUME && !idxd_status_ok(st)) {
		*fix = idxd_fix_op(q, idx, &st);
		if (*fix == IDXD_FIX_FAILED)
			*fix = IDXD_FIX_OK; /* final: reported as it is */
	}
	return st;
}

/* The head batch's status and the index past its last op; a head batch not
 * done before anything was reaped (n == 0) is checked for a stall. */
static inline uint8_t
idxd_head_status(struct idxd_queue *q, uint16_t n, uint16_t *end)
{
	const struct idxd_batch_ent *e = &q->batch_ring[q->batch_head & q->mask];
	uint8_t bst = idxd_batch_status(q, q->batch_head);

	*end = e->start + e->count;
	if (bst == DSA_COMP_NONE && n == 0)
		idxd_stall_check(q);
	return bst;
}

/* idxd_completed() from the head batch on, any outcome: reaps up to nb_cpls
 * ops in all (n of them already), stopping at a failed op (*err) or a replay
 * still running. Returns the new n. */
static __rte_noinline uint16_t
idxd_completed_any(struct idxd_queue *q, uint16_t nb_cpls, uint16_t n, bool *err)
{
	while (n < nb_cpls && q->batch_head != q->batch_tail) {
		uint16_t end;
		uint8_t bst = idxd_head_status(q, n, &end);

		if (unlikely(bst == DSA_COMP_NONE))
			break;
		if ((bst & DSA_COMP_STATUS_CODE_MASK) == DSA_COMP_SUCCESS) {
			uint16_t take = (uint16_t)(end - q->done_idx);

			if (take > nb_cpls - n)
				take = nb_cpls - n;
			q->done_idx += take;
			n += take;
		} else {
			bool pending = false;

			while (n < nb_cpls && q->done_idx != end) {
				enum idxd_fix fix;
				uint8_t st = idxd_op_outcome(q, q->batch_head, q->done_idx, bst, &fix);

				if (fix == IDXD_FIX_PENDING) {
					pending = true;
					break;
				}
				if (!idxd_status_ok(st)) {
					*err = true;
					break;
				}
				q->done_idx++;
				n++;
			}
			if (*err || pending)
				break;
		}
		if (q->done_idx == end)
			idxd_batch_advance(q);
	}
	return n;
}

/* idxd_fence_release() at the end of a reap of n ops: n. Out of line, so
 * that the reap's common end is a return. */
uint16_t
idxd_reap_fence_release(struct idxd_queue *q, uint16_t n)
{
	idxd_fence_release(q);
	return n;
}

/* idxd_completed() once the head batch is not a success (not done yet, a
 * failure, a replay), n ops reaped before it. */
uint16_t
idxd_reap_slow(struct idxd_queue *q, uint16_t nb_cpls, uint16_t n, uint16_t *last_idx,
	       bool *has_error)
{
	bool err = false;

	n = idxd_completed_any(q, nb_cpls, n, &err);
	return idxd_completed_end(q, n, last_idx, has_error, err);
}

/* idxd_completed() after its first batch (n ops reaped so far): batches whose
 * record says success, then anything else through idxd_reap_slow(). */
uint16_t
idxd_reap_more(struct idxd_queue *q, uint16_t nb_cpls, uint16_t n, uint16_t *last_idx,
	       bool *has_error)
{
	while (n < nb_cpls && q->batch_head != q->batch_tail) {
		const struct idxd_batch_ent *e = &q->batch_ring[q->batch_head & q->mask];
		uint16_t end = e->start + e->count, take;
		uint8_t bst = idxd_batch_status(q, q->batch_head);

		if (unlikely((bst & DSA_COMP_STATUS_CODE_MASK) != DSA_COMP_SUCCESS))
			return idxd_reap_slow(q, nb_cpls, n, last_idx, has_error);
		take = (uint16_t)(end - q->done_idx);
		if (take > nb_cpls - n)
			take = nb_cpls - n;
		q->done_idx += take;
		n += take;
		if (q->done_idx == end)
			idxd_batch_advance(q);
	}
	return idxd_completed_end(q, n, last_idx, has_error, false);
}

static inline void
idxd_fill_result(const struct idxd_queue *q, uint16_t idx, uint8_t st,
		 struct svart_accel_result *r)
{
	const struct dsa_completion_record *cr = &q->op_cr[idx & q->mask];
	uint8_t code = st & DSA_COMP_STATUS_CODE_MASK;

	memset(r, 0, sizeof(*r));
	r->hw_status = code;
	switch (code) {
	case DSA_COMP_SUCCESS:
	case DSA_COMP_SUCCESS_PRED:
		r->status = SVART_ACCEL_ST_SUCCESS;
		break;
	case DSA_COMP_NONE:
		r->status = SVART_ACCEL_ST_NOT_ATTEMPTED;
		return;
	case DSA_COMP_PAGE_FAULT_NOBOF:
	case DSA_COMP_PAGE_FAULT_IR:
	case DSA_COMP_BATCH_PAGE_FAULT:
		r->status = SVART_ACCEL_ST_PAGE_FAULT;
		break;
	case DSA_COMP_HW_ERR1:
	case DSA_COMP_HW_ERR_DRB:
	case DSA_COMP_TRANSLATION_FAIL:
		r->status = SVART_ACCEL_ST_DEVICE_ERROR;
		break;
	default:
		r->status = SVART_ACCEL_ST_INVALID;
		break;
	}
	/* Only a record the device wrote for this op carries result fields. */
	if (cr->status == DSA_COMP_NONE)
		return;
	r->result = cr->result;
	r->bytes_completed = cr->bytes_completed;
	r->fault_addr = cr->fault_addr;
	r->fault_write = (cr->status & DSA_COMP_STATUS_WRITE) != 0;
	if (q->desc_ring[idx & q->mask].opcode == DSA_OPCODE_CRCGEN ||
	    q->desc_ring[idx & q->mask].opcode == DSA_OPCODE_COPY_CRC)
		r->value = (uint32_t)cr->crc_val;
}

uint16_t
idxd_reap_status(void *qp, uint16_t nb_cpls, uint16_t *last_idx,
		 struct svart_accel_result *res)
{
	struct idxd_queue *q = qp;
	uint16_t n = 0;

	while (n < nb_cpls && q->batch_head != q->batch_tail) {
		uint16_t end;
		uint8_t bst = idxd_head_status(q, n, &end);

		if (unlikely(bst == DSA_COMP_NONE))
			break;
		bool pending = false;

		while (n < nb_cpls && q->done_idx != end) {
			enum idxd_fix fix;
			uint8_t st = idxd_op_outcome(q, q->batch_head, q->done_idx, bst, &fix);

			if (fix == IDXD_FIX_PENDING) {
				pending = true;
				break;
			}
			idxd_fill_result(q, q->done_idx, st, &res[n]);
			idxd_resume_reported(q, q->done_idx);
			if (res[n].status == SVART_ACCEL_ST_SUCCESS)
				q->stats.completed++;
			else
				q->stats.errors++;
			q->done_idx++;
			n++;
		}
		if (pending)
			break;
		if (q->done_idx == end)
			idxd_batch_advance(q);
	}
	if (n > 0 && last_idx != NULL)
		*last_idx = q->done_idx - 1;
	idxd_fence_release(q);
	return n;
}

int
idxd_queue_idle(const struct svart_accel_dev *dev, const void *qp)
{
	const struct idxd_queue *q = qp;

	RTE_SET_USED(dev);
	/* A resumed op runs again after its first record was written; ops held
	 * behind a fence (or a WQ that refused them) were accepted and have not
	 * reached the device: they go once the ops before them are reaped. */
	if (q->rs.state == IDXD_RS_RUNNING || q->fence_hold)
		return 0;
	/* Batches complete out of order: every submitted one must be done. */
	for (uint16_t b = q->batch_head; b != q->batch_tail; b++)
		if (idxd_batch_status(q, b) == DSA_COMP_NONE)
			return 0;
	return 1;
}
