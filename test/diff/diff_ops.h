/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_DIFF_OPS_H
#define SVART_DIFF_OPS_H

/* One op of the differential test: its buffers, what the CPU reference says
 * it must produce, and how its outcome is checked. */

#include <stdbool.h>
#include <stdint.h>

#include "svart_accel.h"
#include "diff_mem.h"

#define TOP_BUFS 3

struct top {
	uint8_t type;             /**< enum svart_accel_op_type */
	uint32_t flags;           /**< SVART_ACCEL_OP_FENCE or 0 */
	uint32_t len;
	struct tbuf b[TOP_BUFS];  /**< by type: src / dst / dst2, src / src2, ... */
	uint8_t nb;
	bool overlap;             /**< COPY inside one buffer: src = b[0].p + so, dst = b[0].p + do */
	size_t so, dof;
	uint64_t pattern;
	uint32_t seed;
	uint8_t *expect;          /**< expected destination payload */
	size_t mismatch;          /**< COMPARE*: first difference (len if none) */
	uint32_t crc;             /**< CRC32C ops: expected value */
	size_t first_bad;         /**< first byte that can never be made accessible */
	const struct top *dep;    /**< the earlier op whose destination is this op's source */
	/* Progress (report policy: the application's own continuation). */
	uint32_t base;            /**< bytes done by earlier pieces */
	unsigned int pieces;
	bool final;
	struct svart_accel_result res; /**< final outcome, folded over pieces */
};

/** Build a random op (buffers mapped, contents and page states applied). */
int top_make(struct top *o, uint64_t *rng, bool fence_ok);
/** Make copy o read what dep (an earlier op of its burst, which it is fenced
 * after) writes: o's source becomes dep's destination. */
void top_depend(struct top *o, const struct top *dep);
/** True when o can be made to depend on dep (see top_depend). */
bool top_can_depend(const struct top *o, const struct top *dep);
/** The op's piece that does bytes [base, end) of it (seed: CRC of the bytes before). */
void top_piece(const struct top *o, uint32_t base, uint32_t end, struct svart_accel_op *op,
	       uint32_t seed);
/** Check a final outcome; 0 or -1 with a message in err. prev_fail: an
 * earlier op of the burst failed and a fenced op lies between it and this one. */
int top_check(struct top *o, const struct svart_accel_result *r, bool may_skip, char *err,
	      size_t errlen);
/** Check a report-policy partial completion of the piece from base; 0 or -1. */
int top_check_partial(struct top *o, const struct svart_accel_result *r, char *err, size_t errlen);
/** The buffer holding addr with the role of a faulting access, or NULL. */
struct tbuf *top_buf_of(struct top *o, uint64_t addr, bool write);
void top_free(struct top *o);

#endif
