/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Work queues: enable-time validation of WQCFG, the portal write paths
 * (MOVDIR64B posted, ENQCMD accept/retry), consumption, drain and abort. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_pause.h>

#include "emu_dsa_internal.h"

static uint32_t
pow2_at_least(uint32_t v)
{
	uint32_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

uint32_t
emu_wq_occupancy(const struct emu_wq *wq)
{
	return atomic_load_explicit(&wq->tail, memory_order_relaxed) -
	       atomic_load_explicit(&wq->head, memory_order_relaxed);
}

static int wq_enable_locked(struct emu_dsa *dev, struct emu_wq *wq);

/* Validate WQCFG and enable. Returns a CMDSTS error code (0 = OK). The WQ's
 * engine is kept out while the ring and the latched configuration change: it
 * peeks at disabled WQs too (to finish a drain), and would otherwise read a
 * ring being replaced (found by ThreadSanitizer). */
int
emu_wq_enable(struct emu_dsa *dev, struct emu_wq *wq)
{
	int rc;

	emu_engines_lock(dev);
	rc = wq_enable_locked(dev, wq);
	emu_engines_unlock(dev);
	return rc;
}

static int
wq_enable_locked(struct emu_dsa *dev, struct emu_wq *wq)
{
	uint32_t size = wq->cfg[DSA_WQCFG_DW_SIZE] & DSA_WQCFG_SIZE_MASK;
	uint32_t thr = wq->cfg[DSA_WQCFG_DW_THRESHOLD] & DSA_WQCFG_SIZE_MASK;
	uint32_t mode = wq->cfg[DSA_WQCFG_DW_MODE];
	uint32_t lim = wq->cfg[DSA_WQCFG_DW_LIMITS];
	uint32_t xfer_shift = lim & DSA_WQCFG_MAX_XFER_MASK;
	uint32_t batch_shift = (lim >> DSA_WQCFG_MAX_BATCH_SHIFT) & DSA_WQCFG_MAX_BATCH_MASK;
	uint32_t prio = (mode >> DSA_WQCFG_PRIORITY_SHIFT) & DSA_WQCFG_PRIORITY_MASK;
	uint32_t used = 0, cap;
	bool dedicated = mode & DSA_WQCFG_MODE_DEDICATED;

	for (uint16_t i = 0; i < dev->prof.num_wqs; i++)
		if (&dev->wq[i] != wq && atomic_load(&dev->wq[i].state) == DSA_WQ_STATE_ENABLED)
			used += dev->wq[i].size;
	if (size == 0 || used + size > dev->prof.total_wq_size)
		return DSA_CMDSTS_WQ_SIZE;
	if (!emu_wq_has_engine(dev, wq->id))
		return DSA_CMDSTS_GRP_CONFIG;
	if ((dedicated && !dev->prof.dedicated_mode) || (!dedicated && !dev->prof.shared_mode))
		return DSA_CMDSTS_WQ_MODE;
	if (!dedicated && (thr == 0 || thr > size))
		return DSA_CMDSTS_WQ_SIZE;
	if (prio == 0)
		return DSA_CMDSTS_WQ_PRIOR;
	if ((mode & DSA_WQCFG_BOF_EN) && !dev->prof.block_on_fault)
		return DSA_CMDSTS_BOF_EN;
	if (xfer_shift > dev->prof.max_xfer_shift)
		return DSA_CMDSTS_MAX_XFER_SIZE;
	if (batch_shift > dev->prof.max_batch_shift)
		return DSA_CMDSTS_MAX_BATCH_SIZE;

	cap = pow2_at_least(size);
	if (wq->mask + 1 < cap || wq->slots == NULL) {
		free(wq->slots);
		free((void *)wq->seq);
		wq->slots = aligned_alloc(DSA_DESC_SIZE, cap * sizeof(*wq->slots));
		wq->seq = calloc(cap, sizeof(*wq->seq));
		if (wq->slots == NULL || wq->seq == NULL) {
			free(wq->slots);
			free((void *)wq->seq);
			wq->slots = NULL;
			wq->seq = NULL;
			return DSA_CMDSTS_HW_ERR;
		}
		wq->mask = cap - 1;
	}
	for (uint32_t i = 0; i <= wq->mask; i++)
		atomic_store_explicit(&wq->seq[i], 0, memory_order_relaxed);
	atomic_store_explicit(&wq->tail, 0, memory_order_relaxed);
	atomic_store_explicit(&wq->head, 0, memory_order_relaxed);
	atomic_store_explicit(&wq->done, 0, memory_order_relaxed);
	atomic_store_explicit(&wq->abort_before, 0, memory_order_relaxed);
	atomic_store_explicit(&wq->abort_pasid, EMU_ABORT_ANY, memory_order_relaxed);
	wq->size = size;
	wq->threshold = dedicated ? size : thr;
	wq->dedicated = dedicated;
	wq->bof = mode & DSA_WQCFG_BOF_EN;
	wq->priority = (uint8_t)prio;
	wq->pasid = (mode >> DSA_WQCFG_PASID_SHIFT) & DSA_PASID_MAX;
	wq->pasid_en = mode & DSA_WQCFG_PASID_EN;
	wq->priv = mode & DSA_WQCFG_PRIV;
	/* The limits are powers of two: a field of 0 means 2^0 (one byte, one
	 * descriptor), not "the device maximum" (kernel device.c writes
	 * ilog2(max_xfer_bytes), idxd_wq_load_config reads 1 << shift). */
	wq->max_xfer = 1ull << xfer_shift;
	wq->max_batch = 1u << batch_shift;
	/* Release: the engine and portal writers read the latched config after seeing ENABLED. */
	atomic_store_explicit(&wq->state, DSA_WQ_STATE_ENABLED, memory_order_release);
	return DSA_CMDSTS_OK;
}

void
emu_wq_drain(struct emu_dsa *dev, struct emu_wq *wq)
{
	uint32_t target = atomic_load_explicit(&wq->tail, memory_order_acquire);

	/* Wait until every descriptor reserved before the drain has finished. A
	 * reserved slot is always published by its writer, so this terminates. */
	while ((int32_t)(atomic_load_explicit(&wq->done, memory_order_acquire) - target) < 0) {
		if (!emu_engine_is_async(dev))
			for (unsigned int e = 0; e < dev->prof.num_engines; e++)
				emu_dsa_engine_poll(dev, e, EMU_DSA_ENGINE_BUDGET);
		else
			rte_pause();
	}
}

void
emu_wq_disable(struct emu_dsa *dev, struct emu_wq *wq)
{
	if (atomic_load(&wq->state) != DSA_WQ_STATE_ENABLED)
		return;
	/* Stop accepting first, then let what was accepted finish. */
	atomic_store_explicit(&wq->state, DSA_WQ_STATE_DISABLED, memory_order_release);
	emu_wq_drain(dev, wq);
}

void
emu_wq_abort(struct emu_dsa *dev, struct emu_wq *wq, uint32_t pasid)
{
	/* The engines abandon every descriptor reserved before now (of one PASID
	 * for Abort PASID) without completing it; wait until they have passed
	 * them. Release: an engine must see the PASID and the mark before it
	 * pops those slots. */
	atomic_store_explicit(&wq->abort_pasid, pasid, memory_order_relaxed);
	atomic_store_explicit(&wq->abort_before, atomic_load(&wq->tail), memory_order_release);
	emu_wq_drain(dev, wq);
}

/* Reserve a slot. Returns false when the WQ has no room under limit or is disabled. */
static bool
wq_reserve(struct emu_wq *wq, uint32_t limit, uint32_t *slot)
{
	uint32_t t = atomic_load_explicit(&wq->tail, memory_order_relaxed);

	do {
		if (atomic_load_explicit(&wq->state, memory_order_acquire) != DSA_WQ_STATE_ENABLED)
			return false;
		/* Acquire on head: the slot we reuse was fully read by the engine. */
		if (t - atomic_load_explicit(&wq->head, memory_order_acquire) >= limit)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(&wq->tail, &t, t + 1,
							memory_order_relaxed,
							memory_order_relaxed));
	*slot = t;
	return true;
}

static void
wq_publish(struct emu_wq *wq, uint32_t t, const void *desc)
{
	memcpy(&wq->slots[t & wq->mask], desc, DSA_DESC_SIZE);
	/* Release: the engine must see the 64 descriptor bytes before the sequence. */
	atomic_store_explicit(&wq->seq[t & wq->mask], t + 1, memory_order_release);
}

void
emu_dsa_portal_movdir64b(struct emu_dsa *dev, uint16_t w, const void *desc)
{
	struct emu_wq *wq;
	uint32_t t;

	if (w >= dev->prof.num_wqs) {
		emu_swerr_record(dev, DSA_SWERR_WQ_NOT_ENABLED, -1, desc, false, 0, false);
		return;
	}
	wq = &dev->wq[w];
	if (atomic_load_explicit(&wq->state, memory_order_acquire) != DSA_WQ_STATE_ENABLED) {
		emu_swerr_record(dev, DSA_SWERR_WQ_NOT_ENABLED, w, desc, false, 0, false);
		return;
	}
	if (!wq->dedicated || !wq_reserve(wq, wq->size, &t)) {
		/* Posted write to a full dedicated WQ (or to a shared WQ without
		 * ENQCMD): hardware drops it and reports a software error. */
		emu_swerr_record(dev, DSA_SWERR_DWQ_OVERFLOW, w, desc, false, 0, false);
		return;
	}
	wq_publish(wq, t, desc);
}

int
emu_dsa_portal_enqcmd(struct emu_dsa *dev, uint16_t w, const void *desc, uint32_t pasid)
{
	struct dsa_hw_desc d;
	struct emu_wq *wq;
	uint32_t t;

	if (w >= dev->prof.num_wqs)
		return 1;
	wq = &dev->wq[w];
	if (wq->dedicated || !wq_reserve(wq, wq->threshold, &t)) {
		atomic_fetch_add_explicit(&dev->n_retries, 1, memory_order_relaxed);
		return 1;
	}
	/* ENQCMD takes the PASID from IA32_PASID and forces user privilege. */
	memcpy(&d, desc, sizeof(d));
	d.pasid = pasid & DSA_PASID_MAX;
	d.priv = 0;
	wq_publish(wq, t, &d);
	return 0;
}

bool
emu_wq_pop(struct emu_wq *wq, struct dsa_hw_desc *out, uint32_t *idx, bool sole)
{
	uint32_t h = atomic_load_explicit(&wq->head, memory_order_acquire);

	if (wq->seq == NULL)
		return false;
	if (sole) {
		/* The only engine of the WQ: nobody else moves head, no claim to
		 * race for; a store frees the slot without a locked instruction
		 * (which would also wait for every store before it, e.g. the last
		 * completion record, to reach the submitter's core). */
		/* Acquire: pairs with wq_publish's release so the descriptor bytes are visible. */
		if (atomic_load_explicit(&wq->seq[h & wq->mask], memory_order_acquire) != h + 1)
			return false;
		memcpy(out, &wq->slots[h & wq->mask], sizeof(*out));
		/* Release: producers reusing the slot must not overwrite it before our copy. */
		atomic_store_explicit(&wq->head, h + 1, memory_order_release);
		*idx = h;
		return true;
	}
	/* Several engines take from one WQ: copy the slot, then claim it by
	 * moving head on. A producer reuses the slot only once head has passed
	 * it, so a copy made before a successful claim is whole. */
	for (;;) {
		/* Acquire: pairs with wq_publish's release so the descriptor bytes are visible. */
		if (atomic_load_explicit(&wq->seq[h & wq->mask], memory_order_acquire) != h + 1)
			return false;
		memcpy(out, &wq->slots[h & wq->mask], sizeof(*out));
		/* Release: producers reusing the slot must not overwrite it before our copy. */
		if (atomic_compare_exchange_weak_explicit(&wq->head, &h, h + 1,
							  memory_order_release,
							  memory_order_acquire))
			break;
	}
	*idx = h;
	return true;
}

void
emu_wq_done_add(struct emu_wq *wq, uint32_t n, bool sole)
{
	/* Release (both ways): a drain that sees this count must also see the
	 * records written. The sole engine of the WQ is its only writer of done
	 * (emu_wq_enable resets it with the WQ quiescent): a load and a store. */
	if (sole)
		atomic_store_explicit(&wq->done,
				      atomic_load_explicit(&wq->done, memory_order_relaxed) + n,
				      memory_order_release);
	else
		atomic_fetch_add_explicit(&wq->done, n, memory_order_release);
}
