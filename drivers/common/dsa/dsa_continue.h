/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_DSA_CONTINUE_H
#define SVART_DSA_CONTINUE_H

/**
 * @file
 * DSA continuation after a partial completion (status 0x03, page fault
 * without block-on-fault): how to rewrite a descriptor so that it does the
 * rest of the work exactly as the whole op would have, and how to fold the
 * pieces' completion records into the one the whole op would have produced.
 * Used by the idxd PMD's "resume" fault policy; doc/sva.md states the rule per
 * op for applications that finish ops themselves under the "report" policy.
 * (The emulated device's block-on-fault path does not rewrite descriptors: it
 * continues in place, as hardware does.)
 *
 * Sources: idxd-config test/dsa.c (dsa_reprep_*), DML partial_completion;
 * the pattern phase and the absolute delta offsets are exact where those
 * sources only handle multiples of 8 bytes and a single piece.
 */

#include <stdbool.h>
#include <stdint.h>

#include "dsa_hw_defs.h"

/** What the pieces done so far add up to. Zero-initialise before the first piece. */
struct dsa_cont {
	uint32_t base;       /**< bytes (AP_DELTA: delta-record bytes) done by earlier pieces */
	uint32_t delta_size; /**< CR_DELTA: delta-record bytes written by earlier pieces */
	uint8_t result;      /**< CR_DELTA: strongest result so far; MEMMOVE: direction */
};

/**
 * Rewrite d to continue after the partial completion cr of the piece d
 * described, and account the piece in acc. A CR_DELTA piece's record entries
 * are rebased to absolute word offsets in memory (they name the piece's words).
 * A piece that completed nothing leaves d as it is.
 * @return 0, -ENOTSUP for an opcode that has no continuation (BATCH, DRAIN,
 *         NOOP), or -ENOSPC for a CR_DELTA whose rest would have less than the
 *         80 bytes of record space a descriptor needs (d is left as it was).
 */
int dsa_cont_next(struct dsa_hw_desc *d, const struct dsa_completion_record *cr,
		  struct dsa_cont *acc);

/**
 * Fold acc into cr, the final record (success or error) of the last piece,
 * whose descriptor is d: offsets and counts become those of the whole op,
 * CR_DELTA entries of the last piece are rebased, and a check-result (CR flag)
 * status is recomputed from the whole op's result.
 */
void dsa_cont_finish(const struct dsa_hw_desc *d, struct dsa_completion_record *cr,
		     const struct dsa_cont *acc);

#endif /* SVART_DSA_CONTINUE_H */
