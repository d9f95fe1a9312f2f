/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_EMU_DSA_H
#define SVART_EMU_DSA_H

/**
 * @file
 * Emulated Intel DSA device.
 *
 * A software model of a DSA device that executes real work descriptors on
 * the calling process's memory. It exposes the same two surfaces hardware
 * does and nothing else:
 *  - a BAR0-like register file (emu_dsa_mmio_read64/write64 and 32-bit forms):
 *    capability registers, WQCFG, CMD/CMDSTS, GENSTS, SWERR;
 *  - per-WQ portals: a posted 64-byte write (MOVDIR64B semantics, dedicated
 *    WQs) and an accept/retry 64-byte write (ENQCMD semantics, shared WQs).
 * Completion records and batch descriptor lists live in process memory, as
 * on hardware. Engines that execute descriptors run as a DPDK service, a
 * private thread, or are stepped by hand (tests).
 *
 * Every memory access of the device goes through the emulated IOMMU
 * (emu_iommu.h): a PASID table, an ATC per engine and PRI page requests.
 * A page that does not translate ends a descriptor without block-on-fault in
 * a partial completion (status 0x03, fault address), and makes a
 * block-on-fault descriptor wait for the page response. Memory that vanishes
 * under a running descriptor ends it with a fault status, never a crash.
 */

#include <stdbool.h>
#include <stdint.h>

#include "emu_iommu.h"

#ifdef __cplusplus
extern "C" {
#endif

struct emu_dsa;

/** Where the engines run. */
enum emu_dsa_engine_mode {
	EMU_DSA_ENGINE_SERVICE = 0, /**< a DPDK service, mapped to a service lcore */
	EMU_DSA_ENGINE_THREAD,      /**< a private pthread per engine */
	EMU_DSA_ENGINE_MANUAL,      /**< none: the caller steps emu_dsa_engine_poll() */
};

/** Device profile: what the capability registers report. */
struct emu_dsa_profile {
	uint16_t version;         /**< VERSION register (0x100 = DSA 1.0) */
	uint8_t num_wqs;          /**< WQCAP.num_wqs */
	uint16_t total_wq_size;   /**< WQCAP.total_wq_size */
	uint8_t num_engines;      /**< ENGCAP: engines (one executor each) */
	uint8_t max_xfer_shift;   /**< GENCAP: max transfer = 2^n bytes */
	uint8_t max_batch_shift;  /**< GENCAP: max batch = 2^n descriptors */
	bool dedicated_mode;      /**< WQCAP.dedicated_mode */
	bool shared_mode;         /**< WQCAP.shared_mode */
	bool block_on_fault;      /**< GENCAP.block_on_fault */
	enum emu_dsa_engine_mode engine_mode;
	int engine_lcore;         /**< service lcore / cpu for engine 0; -1 = pick */
	int numa_node;            /**< reported NUMA node, -1 = unknown */
	uint32_t prq_size;        /**< IOMMU page request queue entries */
	uint32_t pri_alloc;       /**< PRI outstanding-request allocation */
	uint32_t pri_timeout_ms;  /**< a parked descriptor gives up after this */
	uint8_t wqcfg_size;       /**< WQCAP.wqcfg_size: WQCFG stride 32 << n bytes (0 or 1) */
	uint64_t seed;            /**< the model's freedoms (batch member order) are drawn
				   *   from this seed; 0 = none (list order) */
};

/** Fill a profile with the defaults from config/emu_dsa_profile.h. */
void emu_dsa_profile_default(struct emu_dsa_profile *p);

/**
 * Create a device in the disabled state.
 *
 * @return the device, or NULL with *err set: -EINVAL (bad profile),
 *   -ENOMEM, or the errno of starting the engines (-ENODEV no service lcore).
 */
struct emu_dsa *emu_dsa_create(const char *name, const struct emu_dsa_profile *p, int *err);

/** Disable, stop the engines and free the device. NULL is ignored. */
void emu_dsa_destroy(struct emu_dsa *dev);

/** Read a 64-bit register at a BAR0 offset (unknown offsets read 0). */
uint64_t emu_dsa_mmio_read64(struct emu_dsa *dev, uint32_t off);
/** Read a 32-bit register at a BAR0 offset. */
uint32_t emu_dsa_mmio_read32(struct emu_dsa *dev, uint32_t off);
/** Write a 64-bit register (read-only and unknown offsets are ignored). */
void emu_dsa_mmio_write64(struct emu_dsa *dev, uint32_t off, uint64_t val);
/** Write a 32-bit register. A write to CMD starts the command: it runs while
 *  CMDSTS reads show it active, and its effects are visible once a read shows
 *  active clear. A command written while another is active is ignored. */
void emu_dsa_mmio_write32(struct emu_dsa *dev, uint32_t off, uint32_t val);
/** Write CMD and read CMDSTS until the command is no longer active, as a
 *  driver does (for tests and tools). Returns the CMDSTS error code. */
uint32_t emu_dsa_cmd(struct emu_dsa *dev, uint32_t cmd, uint32_t operand);
/** A command stays active for 1 + (0 .. this - 1) CMDSTS reads (seeded; 1 with seed 0). */
#define EMU_CMD_ACTIVE_READS_MAX 4u
/** Read 16 bits of PCI configuration space (vendor, device, command; others read 0). */
uint16_t emu_dsa_pci_cfg_read16(struct emu_dsa *dev, uint32_t off);
/** Write 16 bits of PCI configuration space: only the Command register's
 *  memory-space and bus-master bits are writable. Enable Device fails with
 *  CMDSTS 0x12 unless bus mastering is on. */
void emu_dsa_pci_cfg_write16(struct emu_dsa *dev, uint32_t off, uint16_t val);

/**
 * Posted 64-byte write of a descriptor to WQ wq's portal (MOVDIR64B).
 * No feedback: a descriptor that finds the WQ disabled or full is dropped
 * and recorded in SWERR, as on hardware.
 */
void emu_dsa_portal_movdir64b(struct emu_dsa *dev, uint16_t wq, const void *desc);

/**
 * Accept/retry 64-byte write to a shared WQ's portal (ENQCMD). The CPU
 * replaces the descriptor's PASID with the submitter's (pasid) and clears
 * its privilege bit.
 *
 * @return 0 accepted, 1 retry (WQ at its threshold, disabled, or not shared).
 */
int emu_dsa_portal_enqcmd(struct emu_dsa *dev, uint16_t wq, const void *desc, uint32_t pasid);

/**
 * Run one engine for at most budget descriptors (batches count once).
 * @return descriptors processed.
 */
unsigned int emu_dsa_engine_poll(struct emu_dsa *dev, unsigned int engine, unsigned int budget);

/** Number of engines. */
unsigned int emu_dsa_engine_count(const struct emu_dsa *dev);

/** Device counters (for dump and benchmarks). */
struct emu_dsa_counters {
	uint64_t descs;        /**< descriptors executed (batch members included) */
	uint64_t batches;      /**< batch descriptors executed */
	uint64_t errors;       /**< completions with an error status */
	uint64_t swerrs;       /**< software errors recorded (dropped descriptors) */
	uint64_t retries;      /**< ENQCMD submissions answered retry */
	uint64_t cmds_ignored; /**< commands written while another was active */
};

/** Read the device counters. */
void emu_dsa_counters_get(struct emu_dsa *dev, struct emu_dsa_counters *c);

/** Memory the model holds (register file, WQ storage, engines, ATCs, IOMMU queue), bytes. */
uint64_t emu_dsa_mem_bytes(const struct emu_dsa *dev);

/** Make a PASID translate to this process (0, -EEXIST, -ENOSPC, -EINVAL). */
int emu_dsa_pasid_bind(struct emu_dsa *dev, uint32_t pasid);
/** Remove a PASID: its pending page requests end Invalid, ATCs are flushed (0, -ENOENT). */
int emu_dsa_pasid_unbind(struct emu_dsa *dev, uint32_t pasid);
/** True when no work and no page request of any WQ is in flight (PASID drain check). */
bool emu_dsa_pasid_drained(struct emu_dsa *dev, uint32_t pasid);
/** Invalidate every ATC entry (after munmap/madvise-style changes). */
void emu_dsa_invalidate(struct emu_dsa *dev);
/** Read queued page requests (software side of the IOMMU). */
uint16_t emu_dsa_pri_read(struct emu_dsa *dev, struct emu_page_req *reqs, uint16_t max);
/** Answer a page request group: 0, -EINVAL (code), -ENOENT (unexpected PRG/PASID). */
int emu_dsa_pri_respond(struct emu_dsa *dev, uint32_t pasid, uint16_t prg, enum emu_pri_code code);
/** PRI capability status of the device (EMU_PRI_STATUS_*). */
uint16_t emu_dsa_pri_status(struct emu_dsa *dev);
/** PRI control Reset (also done by RESET_DEVICE): page requests flow again. */
void emu_dsa_pri_reset(struct emu_dsa *dev);
/** IOMMU and ATC counters. */
void emu_dsa_pri_counters_get(struct emu_dsa *dev, struct emu_pri_counters *c);
/** Called with the TSC cycles from a page request to the device seeing its response. */
void emu_dsa_set_pri_latency_cb(struct emu_dsa *dev, void (*cb)(void *arg, uint64_t cycles),
				void *arg);

/**
 * One device page fault, stage by stage (rte_rdtsc() values): what a
 * benchmark needs to tell the device's own costs (taking the descriptor,
 * the page walk, seeing the response, finishing) from software's (reading
 * the request, resolving it, writing the response).
 */
struct emu_fault_stamps {
	uint64_t addr;     /**< first page the descriptor waited for */
	uint64_t start;    /**< an engine took the descriptor from its WQ */
	uint64_t raise;    /**< the page request was raised (translation failed) */
	uint64_t read;     /**< software read the request from the IOMMU queue */
	uint64_t answer;   /**< software's response reached the IOMMU (resolution done) */
	uint64_t respond;  /**< the response was written */
	uint64_t seen;     /**< the device saw the response */
	uint64_t done;     /**< the completion record was written; 0: it waited again */
};

/** Most faults one trace holds. */
#define EMU_FAULT_TRACE_MAX (1u << 20)

/**
 * Record every page-request round trip of the device from now on, up to
 * capacity records (later ones are counted, not kept). Replaces an earlier
 * trace. Off by default; when off, the device reads no clock for it.
 * @return 0, -EINVAL (capacity 0 or above EMU_FAULT_TRACE_MAX), -ENOMEM.
 */
int emu_dsa_fault_trace_start(struct emu_dsa *dev, uint32_t capacity);
/** Stop recording; the records stay readable. @return 0 or -ENOENT (no trace). */
int emu_dsa_fault_trace_stop(struct emu_dsa *dev);
/**
 * Copy up to max records, oldest first, and the number of faults that found
 * the trace full (dropped may be NULL).
 * @return records copied, or -ENOENT (no trace), -EINVAL (s NULL with max > 0).
 */
int emu_dsa_fault_trace_read(struct emu_dsa *dev, struct emu_fault_stamps *s, uint32_t max,
			     uint64_t *dropped);

#ifdef __cplusplus
}
#endif

#endif /* SVART_EMU_DSA_H */
