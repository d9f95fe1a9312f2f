/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Continuation rules (DSA partial completion; bc = bytes_completed > 0):
 * | op                | rewrite                                                            |
 * | MEMMOVE           | size -= bc; ascending (result 0): src += bc, dst += bc             |
 * | MEMFILL           | dst += bc; size -= bc; pattern rotated right by 8 * (bc % 8) bits  |
 * | CFLUSH            | dst += bc; size -= bc                                              |
 * | COMPARE           | src, src2 += bc; size -= bc                                        |
 * | COMPVAL           | src += bc; size -= bc; pattern rotated as MEMFILL                  |
 * | DUALCAST          | src, dst, dest2 += bc; size -= bc                                  |
 * | CRCGEN, COPY_CRC  | seed = crc_val, no seed read; src (dst) += bc; size -= bc          |
 * | CR_DELTA          | src, src2 += bc; size -= bc; delta_addr += rec; max -= rec; the    |
 * |                   | piece's entries get bc_before / 8 added (absolute word offsets);   |
 * |                   | impossible (-ENOSPC) when fewer than 80 record bytes would remain  |
 * | AP_DELTA          | delta-record addr += bc; record size -= bc                         |
 * bc == 0 (e.g. the CRC seed read faulted): the descriptor stays as it is. */
#include <errno.h>
#include <string.h>

#include "dsa_continue.h"

#define BITS_PER_BYTE 8u

/* The 8-byte pattern as seen from byte offset bc of the op (little-endian:
 * byte i of the op is byte i % 8 of the pattern). */
static uint64_t
pattern_from(uint64_t pattern, uint32_t bc)
{
	unsigned int sh = (bc % DSA_FILL_PATTERN_SIZE) * BITS_PER_BYTE;

	return sh == 0 ? pattern : (pattern >> sh) | (pattern << (64 - sh));
}

/* Entries [rec, rec + size) of a CR_DELTA piece that started base bytes into
 * the op name words of the piece: make them name words of the whole op. */
static void
delta_rebase(uint64_t rec, uint32_t size, uint32_t base)
{
	uint16_t words = (uint16_t)(base / DSA_DELTA_WORD_SIZE);

	if (words == 0)
		return;
	for (uint32_t i = 0; i + DSA_DELTA_ENTRY_SIZE <= size; i += DSA_DELTA_ENTRY_SIZE) {
		uint8_t *e = (uint8_t *)(uintptr_t)(rec + i);
		uint16_t w;

		memcpy(&w, e, sizeof(w));
		w = (uint16_t)(w + words);
		memcpy(e, &w, sizeof(w));
	}
}

int
dsa_cont_next(struct dsa_hw_desc *d, const struct dsa_completion_record *cr, struct dsa_cont *acc)
{
	uint32_t bc = cr->bytes_completed;

	switch (d->opcode) {
	case DSA_OPCODE_MEMMOVE:
	case DSA_OPCODE_MEMFILL:
	case DSA_OPCODE_CFLUSH:
	case DSA_OPCODE_COMPARE:
	case DSA_OPCODE_COMPVAL:
	case DSA_OPCODE_DUALCAST:
	case DSA_OPCODE_COPY_CRC:
	case DSA_OPCODE_CRCGEN:
	case DSA_OPCODE_CR_DELTA:
	case DSA_OPCODE_AP_DELTA:
		break;
	default:
		return -ENOTSUP;
	}
	if (bc == 0)
		return 0; /* nothing done: the same descriptor does the whole rest */
	/* A CR_DELTA descriptor needs at least 80 bytes of record space (DSA
	 * spec 8.3.8, else status 0x15): a rest with less cannot be one. */
	if (d->opcode == DSA_OPCODE_CR_DELTA &&
	    d->max_delta_size - cr->delta_rec_size < DSA_DELTA_MIN_MAX_SIZE)
		return -ENOSPC;
	switch (d->opcode) {
	case DSA_OPCODE_MEMMOVE:
		if (cr->result == 0) {
			d->src_addr += bc;
			d->dst_addr += bc;
		} else {
			acc->result = 1; /* descending: the low part remains */
		}
		d->xfer_size -= bc;
		break;
	case DSA_OPCODE_MEMFILL:
		d->pattern = pattern_from(d->pattern, bc);
		/* fall through */
	case DSA_OPCODE_CFLUSH:
		d->dst_addr += bc;
		d->xfer_size -= bc;
		break;
	case DSA_OPCODE_COMPARE:
		d->src2_addr += bc;
		d->src_addr += bc;
		d->xfer_size -= bc;
		break;
	case DSA_OPCODE_COMPVAL:
		d->comp_pattern = pattern_from(d->comp_pattern, bc);
		d->src_addr += bc;
		d->xfer_size -= bc;
		break;
	case DSA_OPCODE_DUALCAST:
		d->src_addr += bc;
		d->dst_addr += bc;
		d->dest2 += bc;
		d->xfer_size -= bc;
		break;
	case DSA_OPCODE_COPY_CRC:
		d->dst_addr += bc;
		/* fall through */
	case DSA_OPCODE_CRCGEN:
		d->src_addr += bc;
		d->xfer_size -= bc;
		d->crc_seed = (uint32_t)cr->crc_val;
		d->flags &= ~DSA_FLAG_CRC_READ_SEED;
		d->seed_addr = 0;
		break;
	case DSA_OPCODE_CR_DELTA:
		delta_rebase(d->delta_addr, cr->delta_rec_size, acc->base);
		d->src_addr += bc;
		d->src2_addr += bc;
		d->xfer_size -= bc;
		d->delta_addr += cr->delta_rec_size;
		d->max_delta_size -= cr->delta_rec_size;
		acc->delta_size += cr->delta_rec_size;
		if (cr->result > acc->result)
			acc->result = cr->result;
		break;
	case DSA_OPCODE_AP_DELTA:
		d->src_addr += bc;
		d->delta_rec_size -= bc;
		break;
	default:
		break;
	}
	acc->base += bc;
	return 0;
}

void
dsa_cont_finish(const struct dsa_hw_desc *d, struct dsa_completion_record *cr,
		const struct dsa_cont *acc)
{
	uint8_t code = cr->status & DSA_COMP_STATUS_CODE_MASK;
	uint8_t flags_hi = cr->status & (uint8_t)~DSA_COMP_STATUS_CODE_MASK;
	bool partial = code == DSA_COMP_PAGE_FAULT_NOBOF || code == DSA_COMP_PAGE_FAULT_IR;
	bool ok = code == DSA_COMP_SUCCESS || code == DSA_COMP_SUCCESS_PRED;

	switch (d->opcode) {
	case DSA_OPCODE_COMPARE:
	case DSA_OPCODE_COMPVAL:
		/* A mismatch offset and a partial count are both relative to the piece. */
		if (cr->result != 0 || partial)
			cr->bytes_completed += acc->base;
		break;
	case DSA_OPCODE_CR_DELTA:
		if (partial || ok)
			delta_rebase(d->delta_addr, cr->delta_rec_size, acc->base);
		cr->delta_rec_size += acc->delta_size;
		if (acc->result > cr->result)
			cr->result = acc->result;
		if (partial)
			cr->bytes_completed += acc->base;
		if (ok && (d->flags & IDXD_OP_FLAG_CR))
			cr->status = (uint8_t)(flags_hi | (((d->expected_res_mask >> cr->result) & 1)
					       ? DSA_COMP_SUCCESS : DSA_COMP_SUCCESS_PRED));
		break;
	case DSA_OPCODE_MEMMOVE:
		if (acc->result)
			cr->result = 1;
		/* fall through */
	default:
		if (partial)
			cr->bytes_completed += acc->base;
		break;
	}
}
