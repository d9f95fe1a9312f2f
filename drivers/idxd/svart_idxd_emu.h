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

#ifdef __cplusplus
}
#endif

#endif /* SVART_IDXD_EMU_H */
