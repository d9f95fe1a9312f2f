/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_EMU_DSA_INTERNAL_H
#define SVART_EMU_DSA_INTERNAL_H

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_cycles.h>
#include <rte_log.h>

#include "dsa_hw_defs.h"
#include "emu_dsa.h"
#include "emu_dsa_profile.h"
#include "emu_iommu.h"

extern int emu_dsa_logtype;
#define EMU_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, emu_dsa_logtype, "emu_dsa: " fmt "\n", ## __VA_ARGS__)

#define EMU_CACHE_LINE 64
/* aligned_alloc wants a size that is a multiple of the alignment. */
#define EMU_ROUND_UP(n, a) (((n) + (a) - 1) / (a) * (a))
/* BAR0 offset of the WQCFG table (TABLE_OFFSET reports it in 0x100 units). */
#define EMU_GRPCFG_TABLE_OFF 0x300u
#define EMU_WQCFG_TABLE_OFF 0x400u
/* Largest WQCAP.wqcfg_size the model offers (a 64-byte WQCFG, as DSA 2). */
#define EMU_WQCFG_SIZE_MAX EMU_WQCFG_SIZE_MAX_ARG
#define EMU_BAR0_SIZE (EMU_WQCFG_TABLE_OFF + \
		       EMU_DSA_MAX_WQS * (DSA_WQCFG_SIZE << EMU_WQCFG_SIZE_MAX))

/**
 * One work queue. The ring is the WQ's storage: producers (portal writes)
 * reserve a slot by CAS on tail, copy the descriptor and publish it through
 * the slot's sequence number; the WQ's engine consumes in order.
 */
struct emu_wq {
	/* Producer side. */
	_Alignas(EMU_CACHE_LINE) _Atomic uint32_t tail;  /**< slots reserved */
	/* Consumer side. */
	_Alignas(EMU_CACHE_LINE) _Atomic uint32_t head;  /**< slots consumed (freed) */
	_Atomic uint32_t done;                           /**< descriptors finished */
	_Atomic uint32_t abort_before;                   /**< slots below this are abandoned */
	_Atomic uint32_t abort_pasid;                    /**< ...if of this PASID (EMU_ABORT_ANY: all) */

	_Alignas(EMU_CACHE_LINE) struct dsa_hw_desc *slots;
	_Atomic uint32_t *seq;     /**< per slot: reservation index + 1 once written */
	uint32_t mask;             /**< ring capacity - 1 */
	/* Configuration latched from WQCFG at enable. */
	uint32_t size;
	uint32_t threshold;
	uint32_t pasid;
	uint8_t priority;
	bool dedicated, bof, pasid_en, priv;
	uint64_t max_xfer;
	uint32_t max_batch;
	_Atomic uint32_t state;    /**< DSA_WQ_STATE_* */
	uint16_t id;
	uint32_t cfg[DSA_WQCFG_DWORDS]; /**< raw WQCFG as written by software */
};

/**
 * Progress of a block-on-fault descriptor inside the device: where it stopped
 * and the internal state it continues with after the page response, as
 * hardware keeps it. The descriptor itself is never rewritten.
 */
struct emu_progress {
	uint64_t off;              /**< bytes done (AP_DELTA: delta-record bytes consumed;
				    *   descending MEMMOVE: bytes done from the top) */
	uint32_t crc;              /**< CRC of the bytes done (valid when crc_seeded) */
	bool crc_seeded;           /**< the seed was read (or taken from the descriptor) */
	uint32_t delta_used;       /**< CR_DELTA: delta-record bytes written */
	uint8_t result;            /**< CR_DELTA: result so far */
};

/**
 * Execution state of the descriptor an engine is working on. It survives a
 * block-on-fault wait (the engine parks and returns to its caller) and a
 * fault trapped by the memory guard (the engine jumps back to its loop).
 */
struct emu_exec_state {
	bool active;               /**< a descriptor is in progress */
	bool parked;               /**< waiting for a page response */
	bool raised;               /**< the page request went out (else retry raising) */
	bool overflowed;           /**< the IOMMU queue was full: answered Success by itself */
	bool is_batch;
	bool batch_failed;
	bool cur_loaded;           /**< cur holds the member in progress */
	struct emu_wq *wq;
	uint32_t pasid;
	bool refused;              /**< the page request could not be raised (PRI stopped) */
	bool list_wait;            /**< batch: parked on a page of its descriptor list */
	bool list_short;           /**< batch: the list read stopped at list_fault */
	uint32_t nb_members;       /**< batch: members read from the list */
	uint64_t list_fault;       /**< batch: first list byte that could not be read */
	uint32_t pos;              /**< batch: position in the run order (members before it done) */
	uint32_t member;           /**< batch member in progress (order[pos]) */
	uint64_t t_start;          /**< fault trace on: rte_rdtsc() when the engine took it */
	uint64_t t_seen;           /**< fault trace on: a response seen, not yet recorded */
	struct emu_pri_stamps pri_ts; /**< fault trace on: software's stamps of that response */
	struct dsa_hw_desc top;    /**< the descriptor taken from the WQ */
	struct dsa_hw_desc cur;    /**< the op in progress (batch member or top), as submitted */
	struct emu_progress prog;  /**< how far cur got before it parked */
	uint64_t fault_addr;       /**< page the engine waits for */
	uint32_t fault_pages;      /**< pages requested from fault_addr (one group) */
	bool fault_write;
	uint16_t prg;
	uint64_t t_raise;          /**< rte_rdtsc() at the request */
	uint64_t raise_gen;        /**< IOMMU invalidation generation when the request went out */
	uint8_t cr_wait;           /**< parked on the page of a record to write (EMU_CR_WAIT_*) */
	struct dsa_completion_record cr_rec; /**< the record waiting to be written */
};

/** emu_exec_state.cr_wait: whose completion record waits for its page. */
#define EMU_CR_WAIT_NONE  0u
#define EMU_CR_WAIT_PIECE 1u   /**< the op in progress (a batch member or a single op) */
#define EMU_CR_WAIT_BATCH 2u   /**< the batch descriptor's own record */

struct emu_engine {
	struct emu_dsa *dev;
	uint16_t id;
	struct emu_atc *atc;
	struct emu_exec_state st;
	uint16_t wqs[EMU_DSA_MAX_WQS];
	uint16_t nb_wqs;
	/** Per WQ id: this engine is the only one serving it (set by
	 *  emu_engines_map under every engine's lock), so it alone moves the
	 *  WQ's head and done and may do so with plain release stores. */
	bool wq_sole[EMU_DSA_MAX_WQS];
	/** The CPU has CLFLUSHOPT: the engine drops its copies of lines software
	 *  writes again (emu_engine_release_lines). */
	bool clflushopt;
	/** This engine's share of the device's n_descs and n_batches (written by
	 *  the engine alone, under its lock; emu_dsa_counters_get adds them up). */
	_Atomic uint64_t n_descs, n_batches;
	uint16_t rr;               /**< round-robin position */
	uint32_t service_id;
	bool service_registered;
	int lcore;
	pthread_t thread;
	bool thread_running;
	_Atomic bool stop;
	pthread_mutex_t lock;      /**< serialises manual polls with command-driven drains */
	uint64_t guard_checked;    /**< rte_rdtsc() of the last guard check */
	uint64_t rng;              /**< the model's own choices (seeded from the profile) */
	uint16_t *order;           /**< batch members in the order they run */
	struct dsa_hw_desc batch_buf[]; /**< batch descriptor list copy, max_batch entries */
};

struct emu_dsa {
	char name[64];
	struct emu_dsa_profile prof;
	pthread_mutex_t cmd_lock;
	/* Register file. */
	uint64_t gencap, wqcap, grpcap, engcap;
	/* GRPCFG: per group, WQ bitmap (4 qwords), engine bitmap, flags. */
	uint64_t grpcfg[DSA_GRPCAP_MAX_GROUPS][DSA_GRPCFG_SIZE / 8];
	uint64_t opcap[DSA_REG_OPCAP_QWORDS];
	uint32_t gensts;
	uint32_t cmdsts;
	uint32_t cmd_pending;      /**< CMD value of the command in progress (cmd_reads_left > 0) */
	uint32_t cmd_reads_left;   /**< CMDSTS reads that still see it active */
	uint64_t cmd_rng;          /**< how long each command stays active (seeded) */
	uint16_t pci_command;      /**< PCI config space Command register (bus master bit) */
	uint64_t swerr[DSA_REG_SWERR_QWORDS];
	pthread_mutex_t swerr_lock;
	struct emu_wq wq[EMU_DSA_MAX_WQS];
	struct emu_engine *engine[EMU_DSA_MAX_ENGINES];
	struct emu_iommu *iommu;
	uint64_t pri_timeout_cycles; /**< how long a parked descriptor waits for a response */
	void (*pri_latency_cb)(void *arg, uint64_t cycles); /**< request raised -> response seen */
	void *pri_latency_arg;
	struct emu_fault_trace *trace; /**< fault stages being recorded (changed under every
					*   engine's lock), NULL = off */
	struct emu_fault_trace *trace_last; /**< the last trace, readable after a stop */
	/* Counters. */
	/* n_descs and n_batches: per engine (struct emu_engine). */
	_Atomic uint64_t n_errors, n_swerrs, n_retries, n_cmd_ignored;
};

/** abort_pasid: the abort is not per PASID. */
#define EMU_ABORT_ANY UINT32_MAX

/* emu_dsa_regs.c */
void emu_regs_init(struct emu_dsa *dev);
void emu_swerr_record(struct emu_dsa *dev, uint8_t code, int wq, const struct dsa_hw_desc *d,
		      bool batch, uint64_t fault_addr, bool write);
bool emu_opcode_supported(const struct emu_dsa *dev, uint8_t opcode);
/** True when WQ wq is in a group that has at least one engine (GRPCFG). */
bool emu_wq_has_engine(const struct emu_dsa *dev, uint16_t wq);
/** True when engine and wq are in one group (GRPCFG): the engine takes work from it. */
bool emu_engine_serves(const struct emu_dsa *dev, uint16_t engine, uint16_t wq);

/* emu_dsa_wq.c */
int emu_wq_enable(struct emu_dsa *dev, struct emu_wq *wq);
void emu_wq_disable(struct emu_dsa *dev, struct emu_wq *wq);
void emu_wq_drain(struct emu_dsa *dev, struct emu_wq *wq);
void emu_wq_abort(struct emu_dsa *dev, struct emu_wq *wq, uint32_t pasid);
/** Take the oldest descriptor (any engine of the WQ's group may): true with
 *  *idx its reservation index. */
bool emu_wq_pop(struct emu_wq *wq, struct dsa_hw_desc *out, uint32_t *idx, bool sole);
/** Count n descriptors finished on wq (sole: the caller is its only engine). */
void emu_wq_done_add(struct emu_wq *wq, uint32_t n, bool sole);

/* CPUID leaf 7 (structured extended features), subleaf 0: EBX bit 23 is CLFLUSHOPT. */
#define EMU_CPUID_EXT_FEATURES 7u
#define EMU_CPUID_EBX_CLFLUSHOPT (1u << 23)

/** Whether this CPU has CLFLUSHOPT (false off x86). */
bool emu_cpu_has_clflushopt(void);

/**
 * Drop the engine core's cached copies of [va, va + bytes), lines software
 * will write again (a batch's descriptor list). A DSA reads memory through
 * the fabric and keeps no copy in a CPU core's cache; an engine thread
 * keeps what it read, and the submitter's next store to the line must first
 * take it back from the engine's core (an invalidation round trip, measured
 * ~400 ns when the two cores are far apart: the submitter stalls on its
 * descriptor stores). CLFLUSHOPT moves the line out of every core's cache
 * to memory; it is only a cache hint here, data and ordering are unchanged
 * (no fence is needed: nothing waits for the lines to be flushed). Nothing
 * without CLFLUSHOPT (CLFLUSH orders with every store: it would cost more
 * than it saves).
 */
static inline void
emu_engine_release_lines(const struct emu_engine *eng, uint64_t va, uint64_t bytes)
{
#if defined(__x86_64__) || defined(__i386__)
	if (!eng->clflushopt || bytes == 0)
		return;
	for (uint64_t p = va & ~(uint64_t)(EMU_CACHE_LINE - 1); p < va + bytes; p += EMU_CACHE_LINE)
		__asm__ volatile("clflushopt %0" : : "m"(*(const volatile char *)(uintptr_t)p));
#else
	(void)eng;
	(void)va;
	(void)bytes;
#endif
}

/** Add n to a counter only its engine writes (no locked read-modify-write:
 *  a relaxed load and store, readers see a torn-free value). */
static inline void
emu_engine_count(_Atomic uint64_t *ctr, uint64_t n)
{
	atomic_store_explicit(ctr, atomic_load_explicit(ctr, memory_order_relaxed) + n,
			      memory_order_relaxed);
}
uint32_t emu_wq_occupancy(const struct emu_wq *wq);

/* emu_dsa_exec.c: start a descriptor taken from wq / continue a parked one.
 * Both return true when the descriptor finished (its completion is written). */
bool emu_exec_start(struct emu_engine *eng, struct emu_wq *wq, const struct dsa_hw_desc *d);
bool emu_exec_resume(struct emu_engine *eng);

/* emu_dsa_guard.c: the engine's protection against memory vanishing under it. */
int emu_guard_install(void);
/** Re-install the guard if another handler replaced it (a system call: call rarely). */
void emu_guard_check(void);
/** Recovery point of the engine running on this thread (NULL when unarmed). */
extern __thread sigjmp_buf *emu_guard_env __attribute__((tls_model("initial-exec")));
/** Faulting address of the last trapped access. */
extern __thread volatile uint64_t emu_guard_addr __attribute__((tls_model("initial-exec")));

/* The model's random choices: xorshift64*, seeded from the profile (replayable). */
static inline uint64_t
emu_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* emu_dsa_trace.c: the fault-stage trace (emu_dsa_fault_trace_*). */
struct emu_fault_trace {
	uint32_t cap, n;           /**< records held / kept (engines add under their lock) */
	_Atomic uint64_t dropped;  /**< faults that found it full */
	struct emu_fault_stamps rec[];
};
/** rte_rdtsc() while the device records faults, else 0 (under the engine's lock). */
static inline uint64_t
emu_trace_clock(const struct emu_engine *eng)
{
	return eng->dev->trace != NULL ? rte_rdtsc() : 0;
}
/** After a resume: record the response the engine saw, if any (under its lock). */
void emu_trace_resume(struct emu_engine *eng, bool done);
/** Free the traces (device destroy). */
void emu_trace_free(struct emu_dsa *dev);

/* emu_dsa_engine.c */
int emu_engines_start(struct emu_dsa *dev);
/** Give every engine the WQs of its groups (GRPCFG), at device enable. */
void emu_engines_map(struct emu_dsa *dev);
/** Lock / unlock every engine out of its run loop (WQ reconfiguration). */
void emu_engines_lock(struct emu_dsa *dev);
void emu_engines_unlock(struct emu_dsa *dev);
void emu_engines_stop(struct emu_dsa *dev);
/** After an IOMMU invalidation: return once no engine uses an old translation. */
void emu_engines_flush(struct emu_dsa *dev);
bool emu_engine_is_async(const struct emu_dsa *dev);

#endif /* SVART_EMU_DSA_INTERNAL_H */
