/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_ACCEL_CORE_H
#define SVART_ACCEL_CORE_H

/**
 * @file
 * Fast-path function table shared by the inline API and the drivers.
 * Applications do not use this file directly; it is public only because the
 * inline fast path in svart_accel_fp.h dereferences it.
 */

#include <stdbool.h>
#include <stdint.h>

#include "svart_config.h"

#ifdef __cplusplus
extern "C" {
#endif

struct svart_accel_op;
struct svart_accel_result;

/**
 * Driver fast-path function: enqueue one copy (svart_accel_copy(), arguments
 * already checked). Returns the op's ring index or a negative errno.
 * @internal
 */
typedef int (*svart_accel_copy_t)(void *qp, const void *src, void *dst, uint32_t len,
				  uint32_t flags);
/**
 * Driver fast-path function: enqueue one op of any type (svart_accel_enqueue(),
 * arguments already checked). Returns the op's ring index or a negative errno.
 * @internal
 */
typedef int (*svart_accel_enqueue_t)(void *qp, const struct svart_accel_op *op);
/**
 * Driver fast-path function: hand enqueued ops to the device
 * (svart_accel_submit()). Returns 0 or a negative errno.
 * @internal
 */
typedef int (*svart_accel_submit_t)(void *qp);
/**
 * Driver fast-path function: reap completions, stopping at the first error
 * (svart_accel_completed()). Returns the number of ops reaped.
 * @internal
 */
typedef uint16_t (*svart_accel_completed_t)(void *qp, uint16_t nb_cpls, uint16_t *last_idx,
					    bool *has_error);
/**
 * Driver fast-path function: reap completions with per-op results
 * (svart_accel_completed_status()). Returns the number of ops reaped.
 * @internal
 */
typedef uint16_t (*svart_accel_completed_status_t)(void *qp, uint16_t nb_cpls,
						   uint16_t *last_idx,
						   struct svart_accel_result *res);
/**
 * Driver fast-path function: free ring slots (svart_accel_burst_capacity()).
 * @internal
 */
typedef uint16_t (*svart_accel_burst_capacity_t)(const void *qp);

/**
 * Per-device fast-path object: one cache line per device, indexed by dev_id.
 *
 * @internal Written by the class library at start/stop, read by the inline
 * fast path.
 */
struct svart_accel_fp_object {
	void **queues;                  /**< driver queue objects, indexed by queue id */
	uint64_t op_capa;               /**< supported op types, for enqueue's argument check */
	uint64_t max_transfer;          /**< largest op length, for enqueue's argument check */
	uint16_t nb_queues;             /**< valid entries in queues */
	svart_accel_copy_t copy;        /**< driver's copy function */
	svart_accel_enqueue_t enqueue;  /**< driver's enqueue function */
	svart_accel_submit_t submit;    /**< driver's submit function */
	svart_accel_completed_t completed; /**< driver's completed function */
	svart_accel_completed_status_t completed_status; /**< driver's completed_status function */
	svart_accel_burst_capacity_t burst_capacity; /**< driver's burst_capacity function */
} __attribute__((aligned(64)));

/** Fast-path objects, one per device id (SVART_ACCEL_MAX_DEVS entries). @internal */
extern struct svart_accel_fp_object svart_accel_fp_objs[SVART_ACCEL_MAX_DEVS];

#ifdef __cplusplus
}
#endif

#endif /* SVART_ACCEL_CORE_H */
