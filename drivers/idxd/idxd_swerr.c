/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/*
 * Errors that never reach a completion record. The device reports a
 * descriptor it dropped or could not complete with a record (a write to a
 * disabled or full WQ, a PASID that does not translate, a record address
 * that faults) in SWERR only (kernel registers.h union sw_err_reg; DSA spec
 * 5.8). Without this the op would stay pending forever. When the oldest
 * submitted batch of a dedicated queue has shown no record for a while, the
 * queue reads SWERR; an error naming its WQ ends that batch with the SWERR
 * code in its record (reported as a failed op) and is cleared (write 1 to
 * valid). Shared WQs carry other queues' and processes' work: an error there
 * cannot be tied to one op and is only logged.
 */
#include <inttypes.h>

#include <rte_cycles.h>

#include "idxd_internal.h"

/* Empty polls of a stuck head between looks at the clock (a power of two). */
#define IDXD_STALL_POLLS 64u
/* How long a batch may show no record before SWERR is read. */
#define IDXD_STALL_US 10000u

static void
idxd_swerr_fail_head(struct idxd_queue *q, uint8_t code)
{
	const struct idxd_batch_ent *e = &q->batch_ring[q->batch_head & q->mask];
	struct dsa_completion_record *cr = e->count == 1 ? &q->op_cr[e->start & q->mask]
							 : &q->batch_cr[q->batch_head & q->mask];

	cr->bytes_completed = 0;
	cr->fault_addr = 0;
	/* Release: completed() reads the rest of the record after the status. */
	__atomic_store_n(&cr->status, code, __ATOMIC_RELEASE);
}

void
idxd_stall_check(struct idxd_queue *q)
{
	const struct idxd_transport *tp = q->dev->tp;
	uint64_t now, sw;
	uint8_t code;

	if (++q->stall_polls % IDXD_STALL_POLLS != 0)
		return;
	now = rte_rdtsc();
	if (q->stall_head != q->batch_head || q->stall_since == 0) {
		q->stall_head = q->batch_head;
		q->stall_since = now;
		q->stall_logged = false;
		return;
	}
	if (now - q->stall_since < rte_get_tsc_hz() / US_PER_S * IDXD_STALL_US)
		return;
	q->stall_since = now;
	sw = tp->reg_read64(q->dev->hw, DSA_REG_SWERR);
	if (!(sw & DSA_SWERR_VALID))
		return;
	code = (uint8_t)((sw >> DSA_SWERR_ERROR_SHIFT) & DSA_SWERR_ERROR_MASK);
	if ((sw & DSA_SWERR_WQ_IDX_VALID) &&
	    ((sw >> DSA_SWERR_WQ_IDX_SHIFT) & DSA_SWERR_WQ_IDX_MASK) != q->hwq)
		return; /* another WQ's: its queue claims it */
	if (q->shared || !(sw & DSA_SWERR_WQ_IDX_VALID)) {
		if (q->stall_logged)
			return;
		q->stall_logged = true;
		IDXD_LOG(ERR, "queue %u: the device reports software error 0x%x (SWERR %#" PRIx64
			 ") that names no op of a dedicated queue; ops may stay pending",
			 q->qid, code, sw);
		return;
	}
	IDXD_LOG(ERR, "queue %u: the device dropped a descriptor (SWERR error 0x%x%s): ops %u..%u "
		 "fail with it", q->qid, code, (sw & DSA_SWERR_OVERFLOW) ? ", more were lost" : "",
		 q->batch_ring[q->batch_head & q->mask].start,
		 (uint16_t)(q->batch_ring[q->batch_head & q->mask].start +
			    q->batch_ring[q->batch_head & q->mask].count - 1));
	idxd_swerr_fail_head(q, code);
	/* Write 1 to valid: the register takes the next error. */
	tp->reg_write32(q->dev->hw, DSA_REG_SWERR, (uint32_t)DSA_SWERR_VALID);
}
