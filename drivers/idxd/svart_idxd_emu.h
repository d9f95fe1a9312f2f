/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_IDXD_EMU_H
#define SVART_IDXD_EMU_H

/**
 * @file
 * Driver-specific API of the idxd PMD over the emulated DSA device
 * (driver name "idxd_emu"). Devargs keys, all optional:
 *  - wqs=N            hardware WQs (default 8)
 *  - wq_entries=N     total WQ entries (default 128)
 *  - engines=N        engines (default 1)
 *  - max_xfer_shift=N max transfer 2^N bytes (default 31)
 *  - max_batch_shift=N max batch 2^N descriptors (default 10)
 *  - modes=dedicated|shared|both  WQ modes the device supports (default both)
 *  - engine=service|thread|manual where engines run (default service)
 *  - lcore=N          service lcore / CPU of engine 0 (default: pick)
 *  - batch_min=N      smallest burst submitted as a BATCH descriptor (default 2)
 *  - prq_size=N       IOMMU page request queue entries (default 128)
 *  - pri_alloc=N      outstanding page requests allowed (default 32)
 *  - pri_timeout_ms=N a blocked descriptor gives up after this (default 2000)
 *  - seed=N           seed of the model's freedoms (batch members out of order
 *                     inside a fence segment, early partial completions);
 *                     0 = none (default 1)
 *  - wqcfg_size=N     WQCAP.wqcfg_size: WQCFG entries of 32 << N bytes (0..1, default 0)
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Step the engines of an idxd_emu device probed with engine=manual (engines
 * that run on their own are not stepped and count 0).
 *
 * @param dev_id
 *   Device id of an idxd_emu device.
 * @param budget
 *   Most descriptors each engine executes in this call.
 * @return
 *   Descriptors processed (>= 0), or:
 *   - -ENODEV: dev_id is not an idxd_emu device.
 */
int svart_idxd_emu_poll(int16_t dev_id, unsigned int budget);

/** Counters of the emulated device itself. */
struct svart_idxd_emu_counters {
	uint64_t descs;    /**< descriptors executed (batch members included) */
	uint64_t batches;  /**< batch descriptors executed */
	uint64_t errors;   /**< completions with an error status */
	uint64_t swerrs;   /**< software errors (dropped descriptors) */
	uint64_t retries;  /**< shared-WQ submissions answered "retry" */
};

/**
 * Read the emulated device's counters.
 *
 * @param dev_id
 *   Device id of an idxd_emu device.
 * @param c
 *   Filled with the counters.
 * @return
 *   0, or:
 *   - -ENODEV: dev_id is not an idxd_emu device.
 *   - -EINVAL: c is NULL.
 */
int svart_idxd_emu_counters_get(int16_t dev_id, struct svart_idxd_emu_counters *c);

/**
 * One page fault of the emulated device, stage by stage, in TSC cycles
 * (rte_rdtsc()). start -> raise is the device's own work (validation and the
 * page walk that failed), raise -> read software's wait to read the request,
 * read -> answer the resolution (populating the page), answer -> respond
 * writing the response, respond -> seen the device's wait to see it, seen ->
 * done finishing the op and writing its completion record.
 */
struct svart_idxd_emu_fault_stamps {
	uint64_t addr;     /**< first page the descriptor waited for */
	uint64_t start;    /**< the device's engine took the descriptor */
	uint64_t raise;    /**< the page request was raised */
	uint64_t read;     /**< software read the request */
	uint64_t answer;   /**< software's response reached the IOMMU (resolution done) */
	uint64_t respond;  /**< the response was written */
	uint64_t seen;     /**< the device saw the response */
	uint64_t done;     /**< the completion record was written; 0: the op waited again */
};

/**
 * Start recording the device's page faults stage by stage (benchmarks): up to
 * capacity faults, later ones only counted. Replaces an earlier recording.
 * Off by default; while off the device reads no clock for it.
 *
 * @param dev_id
 *   Device id of an idxd_emu device.
 * @param capacity
 *   Faults to keep, 1 .. 2^20.
 * @return
 *   0, or:
 *   - -ENODEV: dev_id is not an idxd_emu device.
 *   - -EINVAL: capacity is 0 or above 2^20.
 *   - -ENOMEM: no memory for the records.
 */
int svart_idxd_emu_fault_trace_start(int16_t dev_id, uint32_t capacity);

/**
 * Stop recording (the records stay readable).
 *
 * @param dev_id
 *   Device id of an idxd_emu device.
 * @return
 *   0, or:
 *   - -ENODEV: dev_id is not an idxd_emu device.
 *   - -ENOENT: not recording.
 */
int svart_idxd_emu_fault_trace_stop(int16_t dev_id);

/**
 * Read the recorded faults, oldest first.
 *
 * @param dev_id
 *   Device id of an idxd_emu device.
 * @param s
 *   Filled with up to max records.
 * @param max
 *   Room in s.
 * @param dropped
 *   If not NULL, set to the faults that found the recording full.
 * @return
 *   Records copied (>= 0), or:
 *   - -ENODEV: dev_id is not an idxd_emu device.
 *   - -ENOENT: nothing was ever recorded (start with svart_idxd_emu_fault_trace_start()).
 *   - -EINVAL: s is NULL and max is not 0.
 *   - -ENOMEM: no memory to copy the records through.
 */
int svart_idxd_emu_fault_trace_read(int16_t dev_id, struct svart_idxd_emu_fault_stamps *s,
				    uint32_t max, uint64_t *dropped);

#ifdef __cplusplus
}
#endif

#endif /* SVART_IDXD_EMU_H */
