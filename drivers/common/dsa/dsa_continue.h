/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_DSA_CONTINUE_H
#define SVART_DSA_CONTINUE_H

/**
 * @file
 * DSA continuation after a partial completion (page fault without
 * block-on-fault): how to rewrite a descriptor so that it does the rest of
 * the work, and how to fold the pieces' completion records into the one the
 * whole operation would have produced. Used by the emulated device (resuming
 * a block-on-fault descriptor after the page response) and by the idxd PMD
 * (the "resume" fault policy).
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
 * Rewrite d to continue after the partial completion cr and account the piece in acc.
 * @return 0, or -ENOTSUP for an opcode that has no continuation (BATCH, DRAIN, NOOP).
 */
int dsa_cont_next(struct dsa_hw_desc *d, const struct dsa_completion_record *cr,
		  struct dsa_cont *acc);

/** Fold acc into the final record cr of the last piece (success or error). */
void dsa_cont_finish(uint8_t opcode, struct dsa_completion_record *cr, const struct dsa_cont *acc);

#endif /* SVART_DSA_CONTINUE_H */
