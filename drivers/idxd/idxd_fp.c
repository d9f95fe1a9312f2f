/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* idxd fast path: descriptor building, burst-to-batch submission, and
 * completion handling. Transport-independent: only the portal write differs.
 *
 * Completion scheme: every op descriptor carries a completion-record address
 * (CRAV) in op_cr[], but asks for a record (RCR) only when it returns a value
 * (compare, CRC) or is submitted alone. A burst goes out as one BATCH
 * descriptor whose own record says whether every member succeeded; only on
 * BATCH_FAIL are member records consulted (the device writes a member's record
 * on error even without RCR). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>

#include "idxd_internal.h"

/* Descriptors are written as eight whole quadwords (one pass of full stores,
 * no narrow bit-field stores that a later wide read of the same bytes, by the
 * portal write or the device, would have to wait for). A quadword of the ring
 * may alias the descriptor's fields. */
typedef uint64_t idxd_qword_t __rte_may_alias;

#define IDXD_DESC_QWORDS (sizeof(struct dsa_hw_desc) / sizeof(uint64_t))
/* Quadword index of a descriptor field. */
#define IDXD_QW(field) (offsetof(struct dsa_hw_desc, field) / sizeof(uint64_t))
#define IDXD_QW_CR      IDXD_QW(completion_addr)
#define IDXD_QW_SRC     IDXD_QW(src_addr)       /* also pattern, desc_list_addr */
#define IDXD_QW_DST     IDXD_QW(dst_addr)       /* also src2_addr, comp_pattern */
#define IDXD_QW_SIZE    IDXD_QW(xfer_size)      /* xfer_size / desc_count in the low half */
#define IDXD_QW_OPSPEC  IDXD_QW(op_specific)    /* dest2, crc_seed in the low half */

static_assert(offsetof(struct dsa_hw_desc, completion_addr) == sizeof(uint64_t),
	      "PASID, flags and opcode fill the first quadword");
static_assert(offsetof(struct dsa_hw_desc, pattern) == offsetof(struct dsa_hw_desc, src_addr) &&
	      offsetof(struct dsa_hw_desc, desc_list_addr) == offsetof(struct dsa_hw_desc, src_addr),
	      "pattern and batch list share the source quadword");
static_assert(offsetof(struct dsa_hw_desc, src2_addr) == offsetof(struct dsa_hw_desc, dst_addr) &&
	      offsetof(struct dsa_hw_desc, comp_pattern) == offsetof(struct dsa_hw_desc, dst_addr),
	      "second source and compare pattern share the destination quadword");
static_assert(offsetof(struct dsa_hw_desc, dest2) == offsetof(struct dsa_hw_desc, op_specific) &&
	      offsetof(struct dsa_hw_desc, crc_seed) == offsetof(struct dsa_hw_desc, op_specific),
	      "dest2 and the CRC seed start the op-specific quadword");
static_assert(offsetof(struct dsa_hw_desc, xfer_size) % sizeof(uint64_t) == 0,
	      "transfer size starts a quadword");
/* A 32-bit field at the start of a quadword is its low half. */
static_assert(RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN, "descriptor quadwords are little-endian");

/* Ring slots ahead of the one being written whose lines are prefetched for write. */
#define IDXD_PREFETCH_AHEAD 8

/* Ops whose outcome carries a value and therefore always request a record. */
#define IDXD_RESULT_OPS ((1u << SVART_ACCEL_OP_COMPARE) | (1u << SVART_ACCEL_OP_COMPARE_VALUE) | \
			 (1u << SVART_ACCEL_OP_CRC32C) | (1u << SVART_ACCEL_OP_COPY_CRC32C))

static const uint8_t idxd_opcode[SVART_ACCEL_OP_MAX] = {
	[SVART_ACCEL_OP_NOP] = DSA_OPCODE_NOOP,
	[SVART_ACCEL_OP_COPY] = DSA_OPCODE_MEMMOVE,
	[SVART_ACCEL_OP_FILL] = DSA_OPCODE_MEMFILL,
	[SVART_ACCEL_OP_COMPARE] = DSA_OPCODE_COMPARE,
	[SVART_ACCEL_OP_COMPARE_VALUE] = DSA_OPCODE_COMPVAL,
	[SVART_ACCEL_OP_DUALCAST] = DSA_OPCODE_DUALCAST,
	[SVART_ACCEL_OP_CRC32C] = DSA_OPCODE_CRCGEN,
	[SVART_ACCEL_OP_COPY_CRC32C] = DSA_OPCODE_COPY_CRC,
	[SVART_ACCEL_OP_CACHE_FLUSH] = DSA_OPCODE_CFLUSH,
};

static inline uint32_t
idxd_desc_flags(uint32_t op_flags, uint8_t type)
{
	uint32_t f = IDXD_OP_FLAG_CRAV;

	if ((IDXD_RESULT_OPS >> type) & 1)
		f |= IDXD_OP_FLAG_RCR;
	if (op_flags & SVART_ACCEL_OP_FENCE)
		f |= IDXD_OP_FLAG_FENCE;
	if (op_flags & SVART_ACCEL_OP_CACHE)
		f |= IDXD_OP_FLAG_CC;
	return f;
}

/* First quadword of a descriptor with these fields, the rest zero; built
 * through the uAPI structure so that the bit-field layout is the header's. */
static uint64_t
idxd_desc_w0(uint32_t pasid, uint32_t flags, uint8_t opcode)
{
	struct dsa_hw_desc d;
	uint64_t w;

	memset(&d, 0, sizeof(d));
	d.pasid = pasid;
	d.flags = flags;
	d.opcode = opcode;
	memcpy(&w, &d, sizeof(w));
	return w;
}

/* The queue's descriptor templates, from its PASID and desc_flags. */
static void
idxd_desc_templates(struct idxd_queue *q)
{
	for (uint8_t t = 0; t < SVART_ACCEL_OP_MAX; t++)
		q->w0_op[t] = idxd_desc_w0(q->pasid, idxd_desc_flags(0, t) | q->desc_flags,
					   idxd_opcode[t]);
	/* Flag bits only (PASID 0, opcode 0): OR-ed into a template. */
	for (uint32_t f = 0; f <= SVART_ACCEL_OP_FLAGS_ALL; f++)
		q->w0_opflags[f] = idxd_desc_w0(0, idxd_desc_flags(f, SVART_ACCEL_OP_NOP) &
						~IDXD_OP_FLAG_CRAV, 0);
	/* The queue's BOF too: a fault reading the list then waits as well. */
	q->w0_batch = idxd_desc_w0(q->pasid, IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | q->desc_flags,
				   DSA_OPCODE_BATCH);
	q->w0_rcr = idxd_desc_w0(0, IDXD_OP_FLAG_RCR, 0);
}

void
idxd_queue_reset(struct idxd_queue *q)
{
	idxd_desc_templates(q);
	memset(&q->rs, 0, sizeof(q->rs));
	memset(q->rs_cr, 0, sizeof(*q->rs_cr));
	q->fence_hold = false;
	q->burst_marks = 0;
	memset(q->burst_end, 0, (size_t)q->nb_desc * sizeof(*q->burst_end));
	q->write_idx = q->submit_idx = q->done_idx = 0;
	q->batch_tail = q->batch_head = q->credit_idx = 0;
	q->credits = q->shared ? UINT16_MAX : q->wq_size;
	memset(q->op_cr, 0, (size_t)q->nb_desc * sizeof(*q->op_cr));
	memset(q->batch_cr, 0, (size_t)q->nb_desc * sizeof(*q->batch_cr));
}

/* SVART_ACCEL_OP_SUBMIT after op idx was put in the ring: idx, or the submit's
 * error. Out of line: the enqueue without it needs no stack frame. */
static __rte_noinline int
idxd_put_submit(struct idxd_queue *q, uint16_t idx)
{
	int rc = idxd_fp_ops.submit(q);

	return rc != 0 ? rc : idx;
}

/*
 * Put an op in the ring: w0 is the op type's template, the other arguments the
 * quadwords after the completion address (source, destination, size, op-specific).
 */
static inline int
idxd_put_desc(struct idxd_queue *q, uint64_t w0, uint64_t src, uint64_t dst, uint64_t size,
	      uint64_t opspec, uint32_t op_flags)
{
	uint16_t idx = q->write_idx;
	uint16_t slot = idx & q->mask;
	/* Everything read from q before the ring stores (which may alias it). */
	idxd_qword_t *w = (idxd_qword_t *)&q->desc_ring[slot];
	struct dsa_completion_record *cr = &q->op_cr[slot];

	/* One slot stays free so that a full ring and an empty one differ. */
	if (unlikely((uint16_t)(idx - q->done_idx) >= q->mask))
		return -ENOSPC;
	w0 |= q->w0_opflags[op_flags & SVART_ACCEL_OP_FLAGS_ALL];
	/* Ask for the ring lines a few ops ahead now: the engine read them last,
	 * and waiting for their ownership at the store is the enqueue's main cost.
	 * Not wrapped at the ring's end: a prefetch is a hint that never faults,
	 * and past the end it reads the queue's own memory (see idxd_queue_mem()),
	 * so only the first ops after a wrap go without. */
	__builtin_prefetch(w + IDXD_PREFETCH_AHEAD * IDXD_DESC_QWORDS, 1);
	__builtin_prefetch(cr + IDXD_PREFETCH_AHEAD, 1);
	/* One pass of full-line stores; the portal write that publishes the
	 * descriptor orders them before the device can read it. */
	w[0] = w0;
	w[IDXD_QW_CR] = (uint64_t)(uintptr_t)cr;
	w[IDXD_QW_SRC] = src;
	w[IDXD_QW_DST] = dst;
	w[IDXD_QW_SIZE] = size;
	w[IDXD_QW_OPSPEC] = opspec;
	for (size_t k = IDXD_QW_OPSPEC + 1; k < IDXD_DESC_QWORDS; k++)
		w[k] = 0;
	cr->status = DSA_COMP_NONE;
	q->write_idx = idx + 1;
	q->stats.enqueued++;
	if (unlikely(op_flags & SVART_ACCEL_OP_SUBMIT))
		return idxd_put_submit(q, idx);
	return idx;
}

static int
idxd_copy(void *qp, const void *src, void *dst, uint32_t len, uint32_t flags)
{
	struct idxd_queue *q = qp;

	return idxd_put_desc(q, q->w0_op[SVART_ACCEL_OP_COPY], (uint64_t)(uintptr_t)src,
			     (uint64_t)(uintptr_t)dst, len, 0, flags);
}

static int
idxd_enqueue(void *qp, const struct svart_accel_op *op)
{
	struct idxd_queue *q = qp;
	uint64_t src = 0, dst = 0, size = op->len, opspec = 0;

	/* Field placement: see the IDXD_QW_* names (uAPI struct dsa_hw_desc). */
	switch (op->type) {
	case SVART_ACCEL_OP_NOP:
		size = 0;
		break;
	case SVART_ACCEL_OP_COPY:
		src = (uint64_t)(uintptr_t)op->src;
		dst = (uint64_t)(uintptr_t)op->dst;
		break;
	case SVART_ACCEL_OP_FILL:
		src = op->pattern;                      /* pattern */
		dst = (uint64_t)(uintptr_t)op->dst;
		break;
	case SVART_ACCEL_OP_COMPARE:
		src = (uint64_t)(uintptr_t)op->src;
		dst = (uint64_t)(uintptr_t)op->src2;    /* src2_addr */
		break;
	case SVART_ACCEL_OP_COMPARE_VALUE:
		src = (uint64_t)(uintptr_t)op->src;
		dst = op->pattern;                      /* comp_pattern */
		break;
	case SVART_ACCEL_OP_DUALCAST:
		src = (uint64_t)(uintptr_t)op->src;
		dst = (uint64_t)(uintptr_t)op->dst;
		opspec = (uint64_t)(uintptr_t)op->dst2; /* dest2 */
		break;
	case SVART_ACCEL_OP_COPY_CRC32C:
		dst = (uint64_t)(uintptr_t)op->dst;
		/* fall through */
	case SVART_ACCEL_OP_CRC32C:
		src = (uint64_t)(uintptr_t)op->src;
		opspec = op->seed;                      /* crc_seed, crc_rsvd 0 */
		break;
	case SVART_ACCEL_OP_CACHE_FLUSH:
		dst = (uint64_t)(uintptr_t)op->dst;
		break;
	default:
		return -EINVAL;
	}
	return idxd_put_desc(q, q->w0_op[op->type], src, dst, size, opspec, op->flags);
}

/* Status byte of the record that says when batch entry e has finished. */
uint8_t
idxd_batch_status(const struct idxd_queue *q, uint16_t b)
{
	const struct idxd_batch_ent *e = &q->batch_ring[b & q->mask];
	/* A lone op's own record, else the batch's: selected, not branched on
	 * (bursts of 1 and of many alternate in some applications). */
	bool lone = e->count == 1;
	const struct dsa_completion_record *cr = lone ? q->op_cr : q->batch_cr;
	const volatile uint8_t *st = &cr[(lone ? e->start : b) & q->mask].status;

	/* Acquire: pairs with the device's release of the status byte, so the rest
	 * of the record (and the op's output data) is visible once it is non-zero. */
	return __atomic_load_n(st, __ATOMIC_ACQUIRE);
}

/* Give back WQ entries of batches the device has finished. */
void
idxd_reclaim_credits(struct idxd_queue *q)
{
	while (q->credit_idx != q->batch_tail && idxd_batch_status(q, q->credit_idx) != 0) {
		q->credit_idx++;
		q->credits++;
	}
}

/* The retries of idxd_portal_submit() after a first refusal (a shared WQ
 * only): kept out of line so that the accepted write is a plain call. */
static __rte_noinline int
idxd_portal_retry(struct idxd_queue *q, const struct dsa_hw_desc *d)
{
	for (unsigned int i = 0; i < IDXD_ENQCMD_RETRIES; i++) {
		q->stats.retries++;
		if (q->portal_write(q->portal, d) == 0)
			return 0;
	}
	q->stats.retries++;
	return -EBUSY;
}

/* One portal write, retried up to IDXD_ENQCMD_RETRIES times while a shared
 * WQ refuses it: 0, or -EBUSY. */
static inline int
idxd_portal_write(struct idxd_queue *q, const struct dsa_hw_desc *d)
{
	if (likely(q->portal_write(q->portal, d) == 0))
		return 0;
	return idxd_portal_retry(q, d);
}

int
idxd_portal_submit(struct idxd_queue *q, const struct dsa_hw_desc *d)
{
	return idxd_portal_write(q, d);
}

/* Offset of the first fenced op in [start, start + n), or n. */
static inline uint32_t
idxd_first_fence(const struct idxd_queue *q, uint16_t start, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (q->desc_ring[(uint16_t)(start + i) & q->mask].flags & IDXD_OP_FLAG_FENCE)
			return i;
	return n;
}

/* Bursts queued behind a held fence go to the device one by one later, so
 * that each keeps its own bounds (a failure in one never abandons a fenced
 * op of the next): mark the end of the burst [submit_idx, write_idx). */
static void
idxd_burst_mark(struct idxd_queue *q)
{
	uint16_t last = (uint16_t)(q->write_idx - 1) & q->mask;

	if (q->write_idx != q->submit_idx && !q->burst_end[last]) {
		q->burst_end[last] = 1;
		q->burst_marks++;
	}
}

/* Offset of the first marked burst end in [start, start + n), or n. */
static uint32_t
idxd_first_burst_end(const struct idxd_queue *q, uint16_t start, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (q->burst_end[(uint16_t)(start + i) & q->mask])
			return i;
	return n;
}

/* Book-keeping after ops [start, start + n) went to the device in batch slot
 * b (n == 1: the op alone). */
static inline void
idxd_submitted(struct idxd_queue *q, uint16_t start, uint16_t n, uint16_t b)
{
	struct idxd_batch_ent *e = &q->batch_ring[b & q->mask];

	e->start = start;
	e->count = n;
	q->batch_tail = b + 1;
	q->submit_idx = start + n;
	q->credits--;
	q->stats.submitted += n;
	q->stats.hw_submits++;
}

/* idxd_submit_one() after the portal refused the op's first write: the
 * retries, and when they fail too, the book-keeping undone. */
static __rte_noinline int
idxd_submit_one_refused(struct idxd_queue *q)
{
	const struct dsa_hw_desc *d = &q->desc_ring[(uint16_t)(q->submit_idx - 1) & q->mask];

	if (idxd_portal_retry(q, d) == 0)
		return 0;
	q->batch_tail--;
	q->submit_idx--;
	q->credits++;
	q->stats.submitted--;
	q->stats.hw_submits--;
	return -EBUSY;
}

/* Hand the op at ring index start to the device alone (a WQ entry free): its
 * own descriptor goes to the portal, with RCR so that the device writes its
 * record. 0, or -EBUSY when the portal refused it (nothing changed then but
 * the RCR bit, which a later batch tolerates: see idxd_op_status()). The
 * book-keeping comes first (the device reads none of it), so that an
 * accepted portal write is the last thing done. */
static inline int
idxd_submit_one(struct idxd_queue *q, uint16_t start)
{
	struct dsa_hw_desc *d = &q->desc_ring[start & q->mask];

	*(idxd_qword_t *)d |= q->w0_rcr;
	idxd_submitted(q, start, 1, q->batch_tail);
	/* Barrier in the portal write (SFENCE before MOVDIR64B/ENQCMD, see
	 * idxd_portal.h): the device must see enqueue's reset of the op's record
	 * (status NONE) before it can write the record, or the reset could land
	 * after the device's write and erase the completion. The descriptor
	 * itself is read by the submitting CPU (MOVDIR64B's source), which sees
	 * its own stores, including the RCR bit just set. */
	if (likely(q->portal_write(q->portal, d) == 0))
		return 0;
	return idxd_submit_one_refused(q);
}

/* Hand ops [start, start + n) to the device as one BATCH (2 <= n, contiguous
 * in the ring, at most max_batch, a WQ entry free). 0, or -EBUSY when the
 * portal refused it (nothing changed then). Out of line: its descriptor is
 * built on the stack, a frame the lone-op path does without. */
static __rte_noinline int
idxd_submit_batch(struct idxd_queue *q, uint16_t start, uint32_t n)
{
	uint16_t b = q->batch_tail, bslot = b & q->mask;
	union {
		struct dsa_hw_desc d;
		uint64_t w[IDXD_DESC_QWORDS];
	} bd;

	/* Whole quadwords (see idxd_qword_t); w0_batch carries the queue's BOF:
	 * a fault reading the list then waits as well. */
	bd.w[0] = q->w0_batch;
	bd.w[IDXD_QW_CR] = (uint64_t)(uintptr_t)&q->batch_cr[bslot];
	bd.w[IDXD_QW_SRC] = (uint64_t)(uintptr_t)&q->desc_ring[start & q->mask];
	bd.w[IDXD_QW_DST] = 0;
	bd.w[IDXD_QW_SIZE] = n;         /* desc_count */
	for (size_t k = IDXD_QW_OPSPEC; k < IDXD_DESC_QWORDS; k++)
		bd.w[k] = 0;
	q->batch_cr[bslot].status = DSA_COMP_NONE;
	/* Barrier in the portal write (SFENCE before MOVDIR64B/ENQCMD, see
	 * idxd_portal.h): the device reads the members' descriptors from the ring
	 * by DMA, and writes the batch record whose reset is above, so those ring
	 * and record stores must be globally visible before it can see the BATCH
	 * descriptor (copied by the CPU from the stack at once). */
	if (unlikely(idxd_portal_write(q, &bd.d) != 0))
		return -EBUSY;
	idxd_submitted(q, start, (uint16_t)n, b);
	return 0;
}

/* Hand ops [start, start + n) to the device (contiguous in the ring, at most
 * max_batch, a WQ entry free): alone below batch_min, else as one BATCH.
 * 0, or -EBUSY when the portal refused it (nothing changed then). */
static inline int
idxd_submit_piece(struct idxd_queue *q, uint16_t start, uint32_t n)
{
	if (n < q->batch_min || n < 2)
		return idxd_submit_one(q, start);
	return idxd_submit_batch(q, start, n);
}

/* idxd_submit_split() after the portal refused the piece at start: -EBUSY.
 * The rest is held as behind a fence (the next submit or reap sends it once
 * every op before it is done) when the ops left were accepted earlier
 * (released: a release by the reap, which has no caller to retry), or when an
 * earlier part of their burst is on the device (part_sent) and what is left
 * has a FENCE: it must wait for that part, which a retry sending the rest as
 * a burst of its own would not do. Otherwise the ops stay pending, as for any
 * refusal, and the caller's next submit sends them: holding them would drain
 * the device first (a saturated WQ at burst 1 halved the rate). */
static __rte_noinline int
idxd_submit_refused(struct idxd_queue *q, uint16_t start, bool released, bool part_sent)
{
	uint32_t rest = (uint16_t)(q->write_idx - start);

	if (released || (part_sent && idxd_first_fence(q, start, rest) < rest))
		q->fence_hold = true;
	return -EBUSY;
}

/* idxd_submit() when a fence is held, bursts are marked, or the ops do not
 * fit one piece: split at the ring's end, max_batch, fences and burst ends. */
static __rte_noinline int
idxd_submit_split(struct idxd_queue *q)
{
	uint16_t burst_batch;
	bool released = false;

	if (unlikely(q->fence_hold)) {
		/* Accepted; goes to the device once the ops before it completed. */
		if (q->done_idx != q->submit_idx) {
			idxd_burst_mark(q);
			return 0;
		}
		q->fence_hold = false;
		released = true;
	}
	burst_batch = q->batch_tail;
	while (q->submit_idx != q->write_idx) {
		uint16_t start = q->submit_idx, slot = start & q->mask;
		uint32_t n = (uint16_t)(q->write_idx - start);
		uint16_t b = q->batch_tail;

		/* A batch's descriptor list is contiguous: stop at the ring's end. */
		if (n > (uint32_t)q->mask + 1 - slot)
			n = (uint32_t)q->mask + 1 - slot;
		if (n > q->max_batch)
			n = q->max_batch;
		if (b != burst_batch) {
			/* A later part of a burst that did not fit one hardware batch.
			 * Hardware orders a FENCE only inside its batch, so a fenced op
			 * here goes no earlier than when every op before it has
			 * completed (been reaped); the ops before the fence go now. */
			uint32_t f = idxd_first_fence(q, start, n);

			if (f == 0) {
				if (q->done_idx != start) {
					q->fence_hold = true;
					idxd_burst_mark(q);
					return 0;
				}
				burst_batch = b; /* nothing before it is left: a new start */
			} else if (f < n) {
				n = f;
			}
		}
		if (unlikely(q->burst_marks != 0)) {
			uint32_t e = idxd_first_burst_end(q, start, n);

			if (e < n)
				n = e + 1; /* this piece ends a burst */
		}
		if (q->credits == 0) {
			idxd_reclaim_credits(q);
			if (q->credits == 0)
				return idxd_submit_refused(q, start, released, b != burst_batch);
		}
		if (idxd_submit_piece(q, start, n) != 0)
			return idxd_submit_refused(q, start, released, b != burst_batch);
		n = (uint16_t)(q->submit_idx - start); /* 1 if sent alone */
		if (unlikely(q->burst_marks != 0) && q->burst_end[(uint16_t)(start + n - 1) & q->mask]) {
			/* The next op starts a burst of its own. */
			q->burst_end[(uint16_t)(start + n - 1) & q->mask] = 0;
			q->burst_marks--;
			burst_batch = q->batch_tail;
		}
	}
	return 0;
}

static int
idxd_submit(void *qp)
{
	struct idxd_queue *q = qp;
	uint16_t start = q->submit_idx;
	uint32_t n = (uint16_t)(q->write_idx - start);

	if (unlikely(q->fork_gen != __atomic_load_n(&svart_accel_fork_gen, __ATOMIC_RELAXED)))
		return -EPERM;   /* a forked child must not submit into its parent's space */
	if (unlikely(!q->dev->pasid_live))
		return -ENOTCONN;
	/* The common cases: no fence held, no marked bursts, a WQ entry free, and
	 * the new ops are one op, or fit one BATCH. Everything else is split by
	 * idxd_submit_split(). */
	if (likely(!q->fence_hold && q->burst_marks == 0 && q->credits != 0)) {
		if (likely(n == 1))
			return idxd_submit_one(q, start);
		if (n == 0)
			return 0;
		/* Below batch_min, several ops go one at a time: split. */
		if (n <= (uint32_t)q->mask + 1 - (start & q->mask) && n <= q->max_batch &&
		    n >= q->batch_min)
			return idxd_submit_batch(q, start, n);
	}
	return idxd_submit_split(q);
}

static uint16_t
idxd_completed(void *qp, uint16_t nb_cpls, uint16_t *last_idx, bool *has_error)
{
	struct idxd_queue *q = qp;
	const struct idxd_batch_ent *e;
	uint16_t end, take;
	uint8_t bst;

	/* Batches (and lone ops) whose record says success: their ops are done
	 * without reading the ops' own records (a lone op's record is its own).
	 * The head batch is reaped here in one straight pass (one burst per poll
	 * is the common case); more batches go to idxd_reap_more(), anything
	 * else (not done yet, a failure, a replay) to idxd_reap_slow(). */
	if (unlikely(q->batch_head == q->batch_tail || nb_cpls == 0))
		return idxd_completed_end(q, 0, last_idx, has_error, false);
	e = &q->batch_ring[q->batch_head & q->mask];
	bst = idxd_batch_status(q, q->batch_head);
	if (unlikely((bst & DSA_COMP_STATUS_CODE_MASK) != DSA_COMP_SUCCESS))
		return idxd_reap_slow(q, nb_cpls, 0, last_idx, has_error);
	end = e->start + e->count;
	take = (uint16_t)(end - q->done_idx);
	if (unlikely(take > nb_cpls)) {
		/* The head batch is done in part: it stays the head. */
		q->done_idx += nb_cpls;
		return idxd_completed_end(q, nb_cpls, last_idx, has_error, false);
	}
	q->done_idx = end;
	idxd_batch_advance(q);
	if (unlikely(take < nb_cpls && q->batch_head != q->batch_tail))
		return idxd_reap_more(q, nb_cpls, take, last_idx, has_error);
	return idxd_completed_end(q, take, last_idx, has_error, false);
}

static uint16_t
idxd_burst_capacity(const void *qp)
{
	const struct idxd_queue *q = qp;

	return (uint16_t)(q->mask - (uint16_t)(q->write_idx - q->done_idx));
}

const struct svart_accel_fp_ops idxd_fp_ops = {
	.copy = idxd_copy,
	.enqueue = idxd_enqueue,
	.submit = idxd_submit,
	.completed = idxd_completed,
	.completed_status = idxd_reap_status,
	.burst_capacity = idxd_burst_capacity,
};
