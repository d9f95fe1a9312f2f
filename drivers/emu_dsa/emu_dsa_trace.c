/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The fault-stage trace: for each page-request round trip, when the engine
 * took the descriptor, raised the request, software read and answered it, the
 * response was written and seen, and the record was written. Benchmarks turn
 * it on; when it is off the engine reads no clock for it.
 *
 * Engines add records under their own lock (an engine runs under it from
 * taking a descriptor to finishing or parking it), and the trace is swapped
 * and read with every engine's lock held: no lock of its own, no atomics on
 * the engines' path but the dropped count. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu_dsa_internal.h"

void
emu_trace_resume(struct emu_engine *eng, bool done)
{
	struct emu_exec_state *st = &eng->st;
	struct emu_fault_trace *t = eng->dev->trace;
	struct emu_fault_stamps *r;

	if (t != NULL && t->n == t->cap)
		atomic_fetch_add_explicit(&t->dropped, 1, memory_order_relaxed);
	if (t != NULL && t->n < t->cap) {
		r = &t->rec[t->n++];
		r->addr = st->fault_addr;
		r->start = st->t_start;
		r->raise = st->t_raise;
		r->read = st->pri_ts.read;
		r->answer = st->pri_ts.answer;
		r->respond = st->pri_ts.respond;
		r->seen = st->t_seen;
		r->done = done ? rte_rdtsc() : 0;
	}
	st->t_seen = 0;
	st->pri_ts = (struct emu_pri_stamps){ 0 };
}

/* Make the trace's memory present before the engines write it. A large
 * calloc is fresh zero-fill memory: the engine would take a CPU page fault
 * (~1.3 us) on every 64th record it adds, inside the very stages it stamps
 * (measured: the p99 of "device retries, copies, writes the record" and of
 * the next descriptor's pickup, 1.5 and 1.3 us, were those faults). A store
 * per page, volatile: a memset of calloc'ed memory may be optimised away. */
static void
trace_prefault(void *mem, size_t bytes)
{
	volatile uint8_t *p = mem;

	for (size_t off = 0; off < bytes; off += EMU_PAGE_SIZE)
		p[off] = 0;
}

int
emu_dsa_fault_trace_start(struct emu_dsa *dev, uint32_t capacity)
{
	struct emu_fault_trace *t, *old;
	size_t bytes;

	if (capacity == 0 || capacity > EMU_FAULT_TRACE_MAX)
		return -EINVAL;
	bytes = sizeof(*t) + (size_t)capacity * sizeof(t->rec[0]);
	t = calloc(1, bytes);
	if (t == NULL)
		return -ENOMEM;
	trace_prefault(t, bytes);
	t->cap = capacity;
	emu_engines_lock(dev);
	old = dev->trace_last;
	dev->trace = t;
	dev->trace_last = t;
	emu_engines_unlock(dev);
	/* The IOMMU stamps software's side of each group from now on. */
	emu_pri_stamps_enable(dev->iommu, true);
	free(old);
	return 0;
}

int
emu_dsa_fault_trace_stop(struct emu_dsa *dev)
{
	int rc = 0;

	emu_engines_lock(dev);
	if (dev->trace == NULL)
		rc = -ENOENT;
	dev->trace = NULL;
	emu_engines_unlock(dev);
	emu_pri_stamps_enable(dev->iommu, false);
	return rc;
}

int
emu_dsa_fault_trace_read(struct emu_dsa *dev, struct emu_fault_stamps *s, uint32_t max,
			 uint64_t *dropped)
{
	const struct emu_fault_trace *t;
	uint32_t n;

	if (s == NULL && max > 0)
		return -EINVAL;
	emu_engines_lock(dev);
	t = dev->trace_last;
	n = 0;
	if (t != NULL) {
		n = t->n < max ? t->n : max;
		if (n > 0)
			memcpy(s, t->rec, (size_t)n * sizeof(*s));
		if (dropped != NULL)
			*dropped = atomic_load_explicit(&t->dropped, memory_order_relaxed);
	}
	emu_engines_unlock(dev);
	return t == NULL ? -ENOENT : (int)n;
}

void
emu_trace_free(struct emu_dsa *dev)
{
	free(dev->trace_last);
	dev->trace = NULL;
	dev->trace_last = NULL;
}
