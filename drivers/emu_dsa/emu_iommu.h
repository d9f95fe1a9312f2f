/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_EMU_IOMMU_H
#define SVART_EMU_IOMMU_H

/**
 * @file
 * The emulated IOMMU behind the emulated DSA device: a PASID table, a
 * per-engine address translation cache (ATC) and the PRI page request queue.
 *
 * Translation: an ATC hit answers at once. A miss walks "the page tables":
 * the process's mappings (/proc/self/maps, cached) give the permission, and
 * /proc/self/pagemap tells whether the page is present and whether a write
 * could go through without a fault (exclusively mapped anonymous page, or a
 * shared/file page). A read-only zero page, a page shared copy-on-write after
 * fork, a swapped-out or never-touched page all fail translation for a write;
 * an absent page fails for a read. Only successful translations are cached.
 *
 * Page requests: an engine that cannot translate a page for a block-on-fault
 * descriptor raises a page request (PASID, address, read/write, PRG index,
 * last) into a bounded queue, at most `alloc` outstanding (the PRI
 * allocation). When the queue is full the IOMMU answers Success itself and
 * counts an overflow (the device re-translates and asks again), as VT-d does.
 */

#include <stdbool.h>
#include <stdint.h>

#define EMU_PRG_COUNT 512u          /**< 9-bit PRG index */
#define EMU_PASID_SLOTS 64u         /**< PASIDs the table can hold */
#define EMU_ATC_ENTRIES 16384u      /**< direct-mapped ATC entries per engine (256 KiB) */
#define EMU_PAGE_SHIFT 12
#define EMU_PAGE_SIZE (1ull << EMU_PAGE_SHIFT)

/** PRG response codes (as PCIe PRI). */
enum emu_pri_code {
	EMU_PRI_SUCCESS = 0x0,
	EMU_PRI_INVALID = 0x1,
	EMU_PRI_FAILURE = 0xf,
};

/** PRI capability status bits (PCIe; Linux pci_regs.h PCI_PRI_STATUS_*). */
#define EMU_PRI_STATUS_RF      0x0001u /**< Response Failure received */
#define EMU_PRI_STATUS_UPRGI   0x0002u /**< Unexpected PRG index received */
#define EMU_PRI_STATUS_STOPPED 0x0100u /**< no page request outstanding after a stop */

/** Page request permission bits. */
#define EMU_PRI_PERM_READ  (1u << 0)
#define EMU_PRI_PERM_WRITE (1u << 1)

/** One page request as the IOMMU queues it for software. */
struct emu_page_req {
	uint32_t pasid;
	uint16_t prg;        /**< page request group index */
	uint8_t perm;        /**< EMU_PRI_PERM_* */
	uint8_t last;        /**< last request of the group */
	uint64_t addr;       /**< page address */
	uint64_t t_raise;    /**< rte_rdtsc() when raised */
};

/** IOMMU-side counters. */
struct emu_pri_counters {
	uint64_t requests;    /**< page requests raised */
	uint64_t responses;   /**< responses accepted */
	uint64_t invalid;     /**< responses Invalid Request */
	uint64_t overflows;   /**< requests that found the queue full (auto Success) */
	uint64_t timeouts;    /**< requests the device stopped waiting for */
	uint64_t unexpected;  /**< responses with an unknown PRG index or PASID */
	uint64_t atc_misses;  /**< ATC misses (page-table walks) */
	uint64_t atc_flushes; /**< ATC invalidations */
};

struct emu_iommu;
struct emu_atc;

/** One ATC entry (perm 0 = empty). */
struct emu_atc_entry {
	uint64_t vpn;
	uint32_t pasid;
	uint8_t perm;      /**< EMU_ATC_PERM_* */
};
#define EMU_ATC_PERM_R 1u
#define EMU_ATC_PERM_W 2u

/** The part of an ATC the inline hit check reads; first member of struct emu_atc. */
struct emu_atc_head {
	struct emu_atc_entry *e;
};

/** True when [va, va+len) lies in one page that the ATC holds with the permission. */
static inline bool
emu_atc_hit(const struct emu_atc *a, uint32_t pasid, uint64_t va, uint64_t len, bool write)
{
	const struct emu_atc_entry *e;
	uint64_t vpn = va >> EMU_PAGE_SHIFT;

	if ((va & (EMU_PAGE_SIZE - 1)) + len > EMU_PAGE_SIZE)
		return false;
	e = &((const struct emu_atc_head *)(const void *)a)->e[vpn % EMU_ATC_ENTRIES];
	return e->vpn == vpn && e->pasid == pasid && (e->perm & (write ? EMU_ATC_PERM_W : EMU_ATC_PERM_R));
}

/** @return an IOMMU with a page request queue of prq_size and PRI allocation alloc. */
struct emu_iommu *emu_iommu_create(uint32_t prq_size, uint32_t alloc);
void emu_iommu_destroy(struct emu_iommu *io);

/** PASID table. bind: 0, -EEXIST, -ENOSPC, -EINVAL. unbind: 0 or -ENOENT; it drops the
 * PASID's outstanding page requests (their waiters see Invalid) and flushes every ATC. */
int emu_iommu_pasid_bind(struct emu_iommu *io, uint32_t pasid);
int emu_iommu_pasid_unbind(struct emu_iommu *io, uint32_t pasid);
bool emu_iommu_pasid_valid(struct emu_iommu *io, uint32_t pasid);
/** True while a page request of this PASID is outstanding. */
bool emu_iommu_pasid_pending(struct emu_iommu *io, uint32_t pasid);

/**
 * Translation hook: whether the page at page_va translates for PASID pasid
 * with the access (write or read). Called on every ATC miss instead of the
 * process page-table walk, and before a Success page response installs an
 * ATC entry; it may run on an engine thread.
 */
typedef bool (*emu_iommu_translate_t)(void *ctx, uint32_t pasid, uint64_t page_va, bool write);

/** Translate through fn (NULL: the process's page tables, the default).
 *  Flushes every ATC. Set it before the engines run. */
void emu_iommu_set_translate(struct emu_iommu *io, emu_iommu_translate_t fn, void *ctx);

/**
 * Revalidation hook: called when an engine starts a descriptor (emu_atc_sync);
 * true when translations the ATCs may hold changed behind the IOMMU's back
 * (the model behind the translation hook saw a page it maps change): every
 * ATC is then flushed, so the accesses translate (through the hook) again.
 */
typedef bool (*emu_iommu_revalidate_t)(void *ctx);

/** Revalidate through fn before each descriptor (NULL: never, the default). */
void emu_iommu_set_revalidate(struct emu_iommu *io, emu_iommu_revalidate_t fn, void *ctx);

/** Flush every ATC (all engines see it before their next descriptor). */
void emu_iommu_invalidate(struct emu_iommu *io);
/** Invalidation generation (bumped by every invalidation). */
uint64_t emu_iommu_gen(struct emu_iommu *io);

/* ---- device side ---- */

/** @return an ATC for one engine of io, or NULL. */
struct emu_atc *emu_atc_create(struct emu_iommu *io);
void emu_atc_destroy(struct emu_atc *a);
/** Drop stale entries if the IOMMU was invalidated since the last call. */
void emu_atc_sync(struct emu_atc *a);
/** Drop every entry now (the device cannot trust them). */
void emu_atc_flush(struct emu_atc *a);
/** Enter the page of va as present with the access (after a Success page
 * response, the translation the device retries is known to succeed). */
void emu_atc_install(struct emu_atc *a, uint32_t pasid, uint64_t va, bool write);
/** Bytes at [va, va+len) that translate for the access, from va upward. */
uint64_t emu_atc_prefix(struct emu_atc *a, uint32_t pasid, uint64_t va, uint64_t len, bool write);
/** Bytes at [va, va+len) that translate for the access, from va+len downward. */
uint64_t emu_atc_suffix(struct emu_atc *a, uint32_t pasid, uint64_t va, uint64_t len, bool write);

/** Most pages one page request group carries. */
#define EMU_PRI_GROUP_MAX 16u

/**
 * Raise a page request group for npages consecutive pages from addr (the last
 * request carries the last-in-group bit).
 * @return 0 queued (*prg set), -EAGAIN allocation exhausted (try later),
 *   -ENOSPC the queue had no room for the group: answered Success by the IOMMU.
 */
int emu_pri_raise(struct emu_iommu *io, uint32_t pasid, uint64_t addr, uint32_t npages, bool write,
		  uint16_t *prg);
/** @return -EAGAIN while waiting, else the response code; the PRG is then free. */
int emu_pri_poll(struct emu_iommu *io, uint16_t prg);

/** When software handled a page request group (rte_rdtsc(); 0 = not stamped). */
struct emu_pri_stamps {
	uint64_t read;     /**< software read the group's (last) request from the queue */
	uint64_t answer;   /**< software's response reached the IOMMU (resolution done) */
	uint64_t respond;  /**< the response was written: the device may see it */
};
/** Stamp page request groups (benchmarks' fault-path breakdown); off by default. */
void emu_pri_stamps_enable(struct emu_iommu *io, bool on);
/** emu_pri_poll(), and once answered, the group's stamps in *s (s may be NULL). */
int emu_pri_poll_stamped(struct emu_iommu *io, uint16_t prg, struct emu_pri_stamps *s);
/** Stop waiting for prg (the device timed out); counts a timeout. */
void emu_pri_abandon(struct emu_iommu *io, uint16_t prg);

/* ---- software side (what an IOMMU driver reads and writes) ---- */

/** Move up to max queued requests to reqs. @return how many. */
uint16_t emu_pri_read(struct emu_iommu *io, struct emu_page_req *reqs, uint16_t max);
/** Answer a group. @return 0, -EINVAL bad code, -ENOENT unexpected PRG index or PASID. */
int emu_pri_respond(struct emu_iommu *io, uint32_t pasid, uint16_t prg, enum emu_pri_code code);
/** Memory held, bytes. */
uint64_t emu_iommu_mem_bytes(const struct emu_iommu *io);
uint64_t emu_atc_mem_bytes(const struct emu_atc *a);

/** Read the counters. */
void emu_pri_counters_get(struct emu_iommu *io, struct emu_pri_counters *c);
/** PRI status (EMU_PRI_STATUS_*). */
uint16_t emu_pri_status(struct emu_iommu *io);
/** PRI control Reset: clears Response Failure and Unexpected PRG index. */
void emu_pri_reset(struct emu_iommu *io);

#endif /* SVART_EMU_IOMMU_H */
