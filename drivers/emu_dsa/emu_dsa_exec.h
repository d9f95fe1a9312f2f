/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_EMU_DSA_EXEC_H
#define SVART_EMU_DSA_EXEC_H

/* What descriptor execution (emu_dsa_desc.c: validation and the op kernels
 * over translated buffers) hands to the engine's state machine
 * (emu_dsa_exec.c: pieces, batches, page requests, completion records). */

#include <stdbool.h>
#include <stdint.h>

#include "emu_dsa_internal.h"

/** Outcome of one descriptor, turned into a completion record by cr_write(). */
struct exec_out {
	uint8_t status;
	uint8_t result;
	bool fault_write;
	uint32_t bytes;
	uint64_t fault_addr;
	uint64_t op_specific;   /**< invalid_flags, crc_val or delta_rec_size */
	bool crc_seeded;        /**< CRC ops: the seed was obtained (op_specific is valid) */
	uint64_t fault_left;    /**< bytes of the faulting buffer the op still walks upward
				 *   from fault_addr (0: ask for that page only) */
};

struct exec_ctx {
	struct emu_engine *eng;
	struct emu_wq *wq;
	uint32_t pasid;
	bool in_batch;
};

/* Bytes at [va, va+len) that translate for the access, from va upward. */
static inline uint64_t
emu_desc_acc(const struct exec_ctx *c, uint64_t va, uint64_t len, bool write)
{
	return emu_atc_prefix(c->eng->atc, c->pasid, va, len, write);
}

/* Generic checks of every opcode. False with o->status set on failure. */
bool emu_desc_validate(const struct exec_ctx *c, const struct dsa_hw_desc *d, struct exec_out *o);
/* Execute a non-batch descriptor into o, from where p says it got to. */
void emu_desc_exec(const struct exec_ctx *c, const struct dsa_hw_desc *d,
		   const struct emu_progress *p, struct exec_out *o);

#endif /* SVART_EMU_DSA_EXEC_H */
