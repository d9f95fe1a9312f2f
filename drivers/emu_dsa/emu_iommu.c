/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Emulated IOMMU: PASID table, per-engine ATC over a page-table walk
 * (/proc/self/maps permissions + /proc/self/pagemap presence), and the PRI
 * page request queue with its group responses. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "emu_iommu.h"
#include "emu_iommu_maps.h"

#define PAGEMAP_PATH "/proc/self/pagemap"
/* /proc/self/pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PRESENT      (1ull << 63)
#define PM_FILE_SHARED  (1ull << 61)
#define PM_EXCLUSIVE    (1ull << 56)
#define ATC_PERM_R EMU_ATC_PERM_R
#define ATC_PERM_W EMU_ATC_PERM_W
/* Pagemap entries a walk reads when the access streams through present
 * memory (translation prefetch); any other walk reads the one it needs. */
#define ATC_PREFETCH_PAGES 64
#define ATC_NO_STREAM UINT64_MAX /* a stream cursor that follows nothing */
/* Streams followed at once: an op walks each of its buffers (source,
 * destination, second destination) in turn, and a batch interleaves more. */
#define ATC_STREAMS 4

#define atc_entry emu_atc_entry

struct emu_atc {
	struct emu_atc_head head;   /* first: emu_atc_hit() reads it */
	struct emu_iommu *io;
	uint64_t gen;
	uint64_t stream_next[ATC_STREAMS]; /* per stream: vpn after the present pages its
					    * last walk found */
	unsigned int stream_victim; /* the cursor a new stream takes (round robin) */
	int pagemap_fd;
	struct emu_vma_cache vc;
	struct atc_entry e[EMU_ATC_ENTRIES];
};

enum prg_state { PRG_FREE = 0, PRG_WAIT, PRG_DONE };

struct prg_slot {
	_Atomic uint8_t state;
	uint8_t code;
	uint32_t pasid;
	uint32_t pages;     /* requests in the group (PRI allocation) */
	struct emu_pri_stamps ts; /* when stamping: written under the lock before PRG_DONE */
};

struct emu_iommu {
	pthread_mutex_t lock;           /* PASID table, queue, PRG allocation */
	uint32_t pasids[EMU_PASID_SLOTS];
	bool pasid_used[EMU_PASID_SLOTS];
	_Atomic uint64_t gen;           /* bumped on every invalidation */
	/* Page request queue. */
	struct emu_page_req *q;
	uint32_t q_size, q_head, q_count;
	uint32_t alloc, outstanding;
	uint16_t next_prg;
	struct prg_slot prg[EMU_PRG_COUNT];
	struct emu_pri_counters cnt;
	uint16_t pri_status;            /* EMU_PRI_STATUS_* */
	_Atomic uint64_t atc_misses, atc_flushes;
	_Atomic bool stamp;             /* stamp groups (emu_pri_stamps_enable) */
	emu_iommu_translate_t xlate;    /* NULL: walk the process's page tables */
	void *xlate_ctx;
	emu_iommu_revalidate_t reval;   /* NULL: cached translations stay valid */
	void *reval_ctx;
};

/* ---- PASID table ---- */

struct emu_iommu *
emu_iommu_create(uint32_t prq_size, uint32_t alloc)
{
	struct emu_iommu *io = calloc(1, sizeof(*io));

	if (io == NULL || prq_size == 0 || alloc == 0) {
		free(io);
		return NULL;
	}
	io->q = calloc(prq_size, sizeof(*io->q));
	if (io->q == NULL) {
		free(io);
		return NULL;
	}
	io->q_size = prq_size;
	io->alloc = alloc < EMU_PRG_COUNT ? alloc : EMU_PRG_COUNT;
	pthread_mutex_init(&io->lock, NULL);
	return io;
}

void
emu_iommu_destroy(struct emu_iommu *io)
{
	if (io == NULL)
		return;
	pthread_mutex_destroy(&io->lock);
	free(io->q);
	free(io);
}

static int
pasid_slot(const struct emu_iommu *io, uint32_t pasid)
{
	for (unsigned int i = 0; i < EMU_PASID_SLOTS; i++)
		if (io->pasid_used[i] && io->pasids[i] == pasid)
			return (int)i;
	return -1;
}

int
emu_iommu_pasid_bind(struct emu_iommu *io, uint32_t pasid)
{
	int rc = -ENOSPC;

	if (pasid == 0 || pasid >= (1u << 20))
		return -EINVAL;
	pthread_mutex_lock(&io->lock);
	if (pasid_slot(io, pasid) >= 0) {
		rc = -EEXIST;
	} else {
		for (unsigned int i = 0; i < EMU_PASID_SLOTS; i++) {
			if (!io->pasid_used[i]) {
				io->pasid_used[i] = true;
				io->pasids[i] = pasid;
				rc = 0;
				break;
			}
		}
	}
	pthread_mutex_unlock(&io->lock);
	return rc;
}

uint64_t
emu_iommu_gen(struct emu_iommu *io)
{
	return atomic_load_explicit(&io->gen, memory_order_acquire);
}

void
emu_iommu_set_translate(struct emu_iommu *io, emu_iommu_translate_t fn, void *ctx)
{
	io->xlate = fn;
	io->xlate_ctx = ctx;
	emu_iommu_invalidate(io); /* entries of the old walk must not survive */
}

void
emu_iommu_set_revalidate(struct emu_iommu *io, emu_iommu_revalidate_t fn, void *ctx)
{
	io->reval = fn;
	io->reval_ctx = ctx;
}

void
emu_iommu_invalidate(struct emu_iommu *io)
{
	/* Release: an engine that sees the new generation flushes before translating. */
	atomic_fetch_add_explicit(&io->gen, 1, memory_order_release);
}

int
emu_iommu_pasid_unbind(struct emu_iommu *io, uint32_t pasid)
{
	int slot;

	pthread_mutex_lock(&io->lock);
	slot = pasid_slot(io, pasid);
	if (slot < 0) {
		pthread_mutex_unlock(&io->lock);
		return -ENOENT;
	}
	io->pasid_used[slot] = false;
	/* Queued requests of the PASID are dropped; waiters get Invalid. */
	for (uint32_t i = 0, n = io->q_count; i < n; i++) {
		struct emu_page_req *r = &io->q[(io->q_head + i) % io->q_size];

		if (r->pasid == pasid)
			r->pasid = UINT32_MAX; /* skipped by emu_pri_read */
	}
	for (unsigned int p = 0; p < EMU_PRG_COUNT; p++) {
		struct prg_slot *s = &io->prg[p];

		if (atomic_load(&s->state) == PRG_WAIT && s->pasid == pasid) {
			s->code = EMU_PRI_INVALID;
			atomic_store_explicit(&s->state, PRG_DONE, memory_order_release);
		}
	}
	pthread_mutex_unlock(&io->lock);
	emu_iommu_invalidate(io);
	return 0;
}

bool
emu_iommu_pasid_valid(struct emu_iommu *io, uint32_t pasid)
{
	bool v;

	pthread_mutex_lock(&io->lock);
	v = pasid_slot(io, pasid) >= 0;
	pthread_mutex_unlock(&io->lock);
	return v;
}

bool
emu_iommu_pasid_pending(struct emu_iommu *io, uint32_t pasid)
{
	bool pending = false;

	for (unsigned int p = 0; p < EMU_PRG_COUNT && !pending; p++)
		pending = atomic_load(&io->prg[p].state) == PRG_WAIT && io->prg[p].pasid == pasid;
	return pending;
}

/* ---- ATC ---- */

static void
atc_streams_reset(struct emu_atc *a)
{
	for (unsigned int k = 0; k < ATC_STREAMS; k++)
		a->stream_next[k] = ATC_NO_STREAM;
}

/* The stream a walk of vpn continues, or -1. */
static int
atc_stream_find(const struct emu_atc *a, uint64_t vpn)
{
	for (unsigned int k = 0; k < ATC_STREAMS; k++)
		if (a->stream_next[k] == vpn)
			return (int)k;
	return -1;
}

/* After a walk of vpn (stream k, or -1) that read n entries: a present page
 * moves its stream on (or starts one), an absent page ends it. */
static void
atc_stream_update(struct emu_atc *a, int k, uint64_t vpn, uint64_t n, bool present)
{
	if (!present) {
		if (k >= 0)
			a->stream_next[k] = ATC_NO_STREAM;
		return;
	}
	if (k < 0) {
		k = (int)a->stream_victim;
		a->stream_victim = (a->stream_victim + 1) % ATC_STREAMS;
	}
	a->stream_next[k] = vpn + n;
}

struct emu_atc *
emu_atc_create(struct emu_iommu *io)
{
	struct emu_atc *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->io = io;
	a->head.e = a->e;
	a->pagemap_fd = open(PAGEMAP_PATH, O_RDONLY | O_CLOEXEC);
	if (emu_maps_init(&a->vc) != 0 || a->pagemap_fd < 0) {
		emu_atc_destroy(a);
		return NULL;
	}
	a->gen = atomic_load(&io->gen);
	atc_streams_reset(a);
	return a;
}

void
emu_atc_destroy(struct emu_atc *a)
{
	if (a == NULL)
		return;
	if (a->pagemap_fd >= 0)
		close(a->pagemap_fd);
	emu_maps_fini(&a->vc);
	free(a);
}

void
emu_atc_flush(struct emu_atc *a)
{
	memset(a->e, 0, sizeof(a->e));
	emu_maps_forget(&a->vc); /* the mappings may have changed too */
	atc_streams_reset(a);
	atomic_fetch_add_explicit(&a->io->atc_flushes, 1, memory_order_relaxed);
}

void
emu_atc_sync(struct emu_atc *a)
{
	uint64_t g;

	if (a->io->reval != NULL && a->io->reval(a->io->reval_ctx))
		emu_iommu_invalidate(a->io);
	g = atomic_load_explicit(&a->io->gen, memory_order_acquire);

	if (g != a->gen) {
		a->gen = g;
		emu_atc_flush(a);
	}
}

static uint8_t
pm_perm(const struct emu_vma *v, uint64_t pm)
{
	uint8_t perm = 0;

	if (!(pm & PM_PRESENT))
		return 0;
	if (v->r)
		perm |= ATC_PERM_R;
	/* Writable without a fault: our own anonymous page, or a shared/file page. */
	if (v->w && (pm & (PM_EXCLUSIVE | PM_FILE_SHARED)))
		perm |= ATC_PERM_W;
	return perm;
}

/* Page-table walk: the permission a device access to vpn would get.
 *
 * A pagemap read is a system call that walks the page tables: one entry of a
 * page that is not present costs about as much as 64 (~0.55 vs ~0.65 us
 * here), but 64 present entries cost ~4x one (~2.4 vs ~0.65 us: the kernel
 * looks up each page). So a walk reads ATC_PREFETCH_PAGES entries of the
 * same mapping, and fills the ATC with the present ones, only where that
 * pays: when the access is the page right after the present pages an
 * earlier walk found (a stream through present memory, as a translation
 * prefetch would follow it; ATC_STREAMS of them at once). Any other walk
 * reads one entry: a fresh page met by an op (the fault path) is not
 * present, and the pages after it are not either.
 *
 * Fidelity: nothing is remembered of a page that was not present, or of
 * what a prefetch did not read, so a page made present behind the ATC is
 * found by the next walk; a prefetched entry holds exactly what a walk of
 * its own would have found at that moment (pm_perm). */
static uint8_t
atc_walk_pagemap(struct emu_atc *a, const struct emu_vma *v, uint32_t pasid, uint64_t vpn)
{
	uint64_t pm[ATC_PREFETCH_PAGES];
	int k = atc_stream_find(a, vpn);
	uint64_t n = k >= 0 ? ATC_PREFETCH_PAGES : 1;
	uint64_t left = (v->end >> EMU_PAGE_SHIFT) - vpn; /* not past the mapping */
	uint8_t perm;
	ssize_t got;

	if (n > left)
		n = left;
	got = pread(a->pagemap_fd, pm, n * sizeof(pm[0]), (off_t)(vpn * sizeof(pm[0])));
	if (got < (ssize_t)sizeof(pm[0])) {
		atc_stream_update(a, k, vpn, 0, false);
		return 0;
	}
	n = (uint64_t)got / sizeof(pm[0]);
	for (uint64_t i = 1; i < n; i++) {
		struct atc_entry *e = &a->e[(vpn + i) % EMU_ATC_ENTRIES];
		uint8_t p = pm_perm(v, pm[i]);

		if (p != 0) {
			e->vpn = vpn + i;
			e->pasid = pasid;
			e->perm = p;
		}
	}
	perm = pm_perm(v, pm[0]);
	atc_stream_update(a, k, vpn, n, perm != 0);
	return perm;
}

/* Walk behind a translation hook (the kernel models): the hook's answer. */
static uint8_t
atc_hook(struct emu_atc *a, uint32_t pasid, uint64_t vpn, bool write)
{
	struct emu_iommu *io = a->io;
	uint64_t va = vpn << EMU_PAGE_SHIFT;
	/* The access asked first (one answer per request); a write that
	 * translates asks for read too: a write-only mapping does not read. */
	if (!write)
		return io->xlate(io->xlate_ctx, pasid, va, false) ? ATC_PERM_R : 0;
	if (!io->xlate(io->xlate_ctx, pasid, va, true))
		return 0;
	return (uint8_t)(ATC_PERM_W | (io->xlate(io->xlate_ctx, pasid, va, false) ? ATC_PERM_R : 0));
}

static uint8_t
atc_walk(struct emu_atc *a, uint32_t pasid, uint64_t vpn, bool write)
{
	bool reloaded = false;
	const struct emu_vma *v;

	atomic_fetch_add_explicit(&a->io->atc_misses, 1, memory_order_relaxed);
	if (a->io->xlate != NULL)
		return atc_hook(a, pasid, vpn, write); /* no prefetch: one page asked */
	v = emu_maps_lookup(&a->vc, vpn << EMU_PAGE_SHIFT, write, &reloaded);
	if (v == NULL)
		return 0;
	return atc_walk_pagemap(a, v, pasid, vpn);
}

static bool
atc_ok(struct emu_atc *a, uint32_t pasid, uint64_t vpn, bool write)
{
	struct atc_entry *e = &a->e[vpn % EMU_ATC_ENTRIES];
	uint8_t need = write ? ATC_PERM_W : ATC_PERM_R;
	uint8_t perm;

	if (e->perm != 0 && e->vpn == vpn && e->pasid == pasid && (e->perm & need))
		return true;
	perm = atc_walk(a, pasid, vpn, write);
	if (!(perm & need))
		return false;
	e->vpn = vpn;
	e->pasid = pasid;
	e->perm = perm;
	return true;
}

void
emu_atc_install(struct emu_atc *a, uint32_t pasid, uint64_t va, bool write)
{
	uint64_t vpn = va >> EMU_PAGE_SHIFT;
	struct atc_entry *e = &a->e[vpn % EMU_ATC_ENTRIES];
	uint8_t perm = (uint8_t)(ATC_PERM_R | (write ? ATC_PERM_W : 0));

	/* Behind a translation hook a Success proves nothing by itself: the page
	 * goes in only with the access the hook grants now (the retried
	 * translation of a real IOMMU walks the page table software filled). */
	if (a->io->xlate != NULL) {
		perm = atc_hook(a, pasid, vpn, write);
		if (perm == 0)
			return;
	}
	e->vpn = vpn;
	e->pasid = pasid;
	e->perm = perm;
}

uint64_t
emu_atc_prefix(struct emu_atc *a, uint32_t pasid, uint64_t va, uint64_t len, bool write)
{
	uint64_t vpn, end;

	if (len == 0)
		return 0;
	/* The common case: the range sits in one page. */
	if ((va & (EMU_PAGE_SIZE - 1)) + len <= EMU_PAGE_SIZE)
		return atc_ok(a, pasid, va >> EMU_PAGE_SHIFT, write) ? len : 0;
	if (len > UINT64_MAX - va)
		len = UINT64_MAX - va; /* the address space does not wrap */
	end = va + len;
	for (vpn = va >> EMU_PAGE_SHIFT; (vpn << EMU_PAGE_SHIFT) < end; vpn++) {
		if (!atc_ok(a, pasid, vpn, write)) {
			uint64_t stop = vpn << EMU_PAGE_SHIFT;

			return stop > va ? stop - va : 0;
		}
	}
	return len;
}

uint64_t
emu_atc_suffix(struct emu_atc *a, uint32_t pasid, uint64_t va, uint64_t len, bool write)
{
	uint64_t end, vpn, first;

	if (len == 0)
		return 0;
	if (len > UINT64_MAX - va)
		return 0;
	end = va + len;
	first = va >> EMU_PAGE_SHIFT;
	for (vpn = (end - 1) >> EMU_PAGE_SHIFT;; vpn--) {
		if (!atc_ok(a, pasid, vpn, write)) {
			uint64_t lim = (vpn + 1) << EMU_PAGE_SHIFT;

			return lim < end ? end - lim : 0;
		}
		if (vpn == first)
			break;
	}
	return len;
}

/* ---- PRI ---- */

int
emu_pri_raise(struct emu_iommu *io, uint32_t pasid, uint64_t addr, uint32_t npages, bool write,
	      uint16_t *prg)
{
	uint64_t now = rte_rdtsc();
	uint16_t p;
	int rc = 0;

	if (npages == 0)
		npages = 1;
	pthread_mutex_lock(&io->lock);
	if (io->pri_status & EMU_PRI_STATUS_RF) {
		pthread_mutex_unlock(&io->lock);
		return -EPERM; /* PRI stopped by a Response Failure */
	}
	/* The PRI allocation counts requests (pages) in flight. */
	if (io->outstanding + npages > io->alloc && io->outstanding > 0) {
		pthread_mutex_unlock(&io->lock);
		return -EAGAIN;
	}
	for (p = io->next_prg;; p = (uint16_t)((p + 1) % EMU_PRG_COUNT))
		if (atomic_load(&io->prg[p].state) == PRG_FREE)
			break;
	io->next_prg = (uint16_t)((p + 1) % EMU_PRG_COUNT);
	io->prg[p].pasid = pasid;
	io->prg[p].pages = npages;
	io->prg[p].ts = (struct emu_pri_stamps){ 0 };
	io->outstanding += npages;
	io->cnt.requests += npages;
	if (io->q_count + npages > io->q_size) {
		/* No room for the group: the IOMMU answers Success itself; the device
		 * re-translates and asks again. */
		io->cnt.overflows++;
		io->prg[p].code = EMU_PRI_SUCCESS;
		atomic_store_explicit(&io->prg[p].state, PRG_DONE, memory_order_release);
		rc = -ENOSPC;
	} else {
		atomic_store_explicit(&io->prg[p].state, PRG_WAIT, memory_order_relaxed);
		for (uint32_t i = 0; i < npages; i++) {
			struct emu_page_req *r = &io->q[(io->q_head + io->q_count) % io->q_size];

			r->pasid = pasid;
			r->prg = p;
			r->perm = write ? EMU_PRI_PERM_WRITE : EMU_PRI_PERM_READ;
			r->last = i + 1 == npages;
			r->addr = (addr & ~(EMU_PAGE_SIZE - 1)) + (uint64_t)i * EMU_PAGE_SIZE;
			r->t_raise = now;
			io->q_count++;
		}
	}
	pthread_mutex_unlock(&io->lock);
	*prg = p;
	return rc;
}

static void
prg_free(struct emu_iommu *io, uint16_t prg)
{
	pthread_mutex_lock(&io->lock);
	atomic_store_explicit(&io->prg[prg].state, PRG_FREE, memory_order_relaxed);
	io->outstanding -= io->prg[prg].pages;
	pthread_mutex_unlock(&io->lock);
}

int
emu_pri_poll_stamped(struct emu_iommu *io, uint16_t prg, struct emu_pri_stamps *ts)
{
	struct prg_slot *s = &io->prg[prg];
	int code;

	/* Acquire: pairs with the responder's release of PRG_DONE (code and stamps). */
	if (atomic_load_explicit(&s->state, memory_order_acquire) != PRG_DONE)
		return -EAGAIN;
	code = s->code;
	if (ts != NULL)
		*ts = s->ts;
	prg_free(io, prg);
	return code;
}

int
emu_pri_poll(struct emu_iommu *io, uint16_t prg)
{
	return emu_pri_poll_stamped(io, prg, NULL);
}

void
emu_pri_stamps_enable(struct emu_iommu *io, bool on)
{
	atomic_store_explicit(&io->stamp, on, memory_order_relaxed);
}

/* rte_rdtsc() when stamping, else 0 (no clock read on an unstamped path). */
static inline uint64_t
pri_stamp(struct emu_iommu *io)
{
	return atomic_load_explicit(&io->stamp, memory_order_relaxed) ? rte_rdtsc() : 0;
}

void
emu_pri_abandon(struct emu_iommu *io, uint16_t prg)
{
	pthread_mutex_lock(&io->lock);
	io->cnt.timeouts++;
	pthread_mutex_unlock(&io->lock);
	prg_free(io, prg);
}

uint16_t
emu_pri_read(struct emu_iommu *io, struct emu_page_req *reqs, uint16_t max)
{
	uint64_t now = pri_stamp(io);
	uint16_t n = 0;

	pthread_mutex_lock(&io->lock);
	while (n < max && io->q_count > 0) {
		struct emu_page_req *r = &io->q[io->q_head];

		io->q_head = (io->q_head + 1) % io->q_size;
		io->q_count--;
		if (r->pasid == UINT32_MAX)
			continue;
		reqs[n++] = *r;
		if (now != 0)
			io->prg[r->prg].ts.read = now;
	}
	pthread_mutex_unlock(&io->lock);
	return n;
}

int
emu_pri_respond(struct emu_iommu *io, uint32_t pasid, uint16_t prg, enum emu_pri_code code)
{
	uint64_t answer = pri_stamp(io);
	struct prg_slot *s;

	if (code != EMU_PRI_SUCCESS && code != EMU_PRI_INVALID && code != EMU_PRI_FAILURE)
		return -EINVAL;
	if (prg >= EMU_PRG_COUNT)
		return -ENOENT;
	s = &io->prg[prg];
	pthread_mutex_lock(&io->lock);
	if (atomic_load(&s->state) != PRG_WAIT || s->pasid != pasid) {
		/* A response for a group the device is not waiting on, or on behalf
		 * of another PASID: PRI's "unexpected PRG index" (status bit). */
		io->cnt.unexpected++;
		io->pri_status |= EMU_PRI_STATUS_UPRGI;
		pthread_mutex_unlock(&io->lock);
		return -ENOENT;
	}
	s->code = (uint8_t)code;
	io->cnt.responses++;
	if (code != EMU_PRI_SUCCESS)
		io->cnt.invalid++;
	/* Response Failure: the function stops issuing page requests until its
	 * PRI is reset (PCIe 10.4.2.1; the Linux iommufd uAPI does not let user
	 * space send it). */
	if (code == EMU_PRI_FAILURE)
		io->pri_status |= EMU_PRI_STATUS_RF | EMU_PRI_STATUS_STOPPED;
	if (answer != 0) {
		s->ts.answer = answer;
		s->ts.respond = rte_rdtsc();
	}
	/* Release: the device polling the state must see the code (and the stamps). */
	atomic_store_explicit(&s->state, PRG_DONE, memory_order_release);
	pthread_mutex_unlock(&io->lock);
	return 0;
}

void
emu_pri_counters_get(struct emu_iommu *io, struct emu_pri_counters *c)
{
	pthread_mutex_lock(&io->lock);
	*c = io->cnt;
	pthread_mutex_unlock(&io->lock);
	c->atc_misses = atomic_load(&io->atc_misses);
	c->atc_flushes = atomic_load(&io->atc_flushes);
}

uint64_t
emu_iommu_mem_bytes(const struct emu_iommu *io)
{
	return sizeof(*io) + (uint64_t)io->q_size * sizeof(*io->q);
}

uint64_t
emu_atc_mem_bytes(const struct emu_atc *a)
{
	return sizeof(*a) + a->vc.cap * sizeof(struct emu_vma) + a->vc.buf_cap;
}

uint16_t
emu_pri_status(struct emu_iommu *io)
{
	uint16_t v;

	pthread_mutex_lock(&io->lock);
	v = io->pri_status;
	pthread_mutex_unlock(&io->lock);
	return v;
}

void
emu_pri_reset(struct emu_iommu *io)
{
	pthread_mutex_lock(&io->lock);
	io->pri_status = 0;
	pthread_mutex_unlock(&io->lock);
}
