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

/** @internal Enqueue one copy. */
typedef int (*svart_accel_copy_t)(void *qp, const void *src, void *dst, uint32_t len,
				  uint32_t flags);
/** @internal Enqueue one op of any type. */
typedef int (*svart_accel_enqueue_t)(void *qp, const struct svart_accel_op *op);
/** @internal Hand enqueued ops to the device. */
typedef int (*svart_accel_submit_t)(void *qp);
/** @internal Reap completions, stopping at the first error. */
typedef uint16_t (*svart_accel_completed_t)(void *qp, uint16_t nb_cpls, uint16_t *last_idx,
					    bool *has_error);
/** @internal Reap completions with per-op results. */
typedef uint16_t (*svart_accel_completed_status_t)(void *qp, uint16_t nb_cpls,
						   uint16_t *last_idx,
						   struct svart_accel_result *res);
/** @internal Free ring slots. */
typedef uint16_t (*svart_accel_burst_capacity_t)(const void *qp);

/**
 * @internal Per-device fast-path object: one cache line per device, indexed
 * by dev_id. Written by the class library at start/stop, read by the inline
 * fast path.
 */
struct svart_accel_fp_object {
	void **queues;                  /**< driver queue objects, indexed by queue id */
	uint64_t op_capa;               /**< supported op types, for enqueue's argument check */
	uint64_t max_transfer;          /**< largest op length, for enqueue's argument check */
	uint16_t nb_queues;             /**< valid entries in queues */
	svart_accel_copy_t copy;
	svart_accel_enqueue_t enqueue;
	svart_accel_submit_t submit;
	svart_accel_completed_t completed;
	svart_accel_completed_status_t completed_status;
	svart_accel_burst_capacity_t burst_capacity;
} __attribute__((aligned(64)));

/** @internal Fast-path objects, SVART_ACCEL_MAX_DEVS entries. */
extern struct svart_accel_fp_object svart_accel_fp_objs[SVART_ACCEL_MAX_DEVS];

#ifdef __cplusplus
}
#endif

#endif /* SVART_ACCEL_CORE_H */
