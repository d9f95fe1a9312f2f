/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Continuation rules (DSA partial completion, see doc/emulated-device.md):
 * | op                | rewrite (bc = bytes_completed)                                   |
 * | MEMMOVE           | size -= bc; ascending: src += bc, dst += bc                      |
 * | MEMFILL, CFLUSH   | dst += bc; size -= bc                                            |
 * | COMPARE           | src, src2 += bc; size -= bc                                      |
 * | COMPVAL           | src += bc; size -= bc                                            |
 * | DUALCAST          | src, dst, dest2 += bc; size -= bc                                |
 * | CRCGEN, COPY_CRC  | seed = crc_val (and no seed read); src (dst) += bc; size -= bc   |
 * | CR_DELTA          | src, src2 += bc; size -= bc; delta_addr, max -= delta_rec_size   |
 * | AP_DELTA          | delta-record addr += bc; record size -= bc                       | */
#include <errno.h>

#include "dsa_continue.h"

int
dsa_cont_next(struct dsa_hw_desc *d, const struct dsa_completion_record *cr, struct dsa_cont *acc)
{
	uint32_t bc = cr->bytes_completed;

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
	case DSA_OPCODE_CFLUSH:
		d->dst_addr += bc;
		d->xfer_size -= bc;
		break;
	case DSA_OPCODE_COMPARE:
		d->src2_addr += bc;
		/* fall through */
	case DSA_OPCODE_COMPVAL:
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
		return -ENOTSUP;
	}
	acc->base += bc;
	return 0;
}

void
dsa_cont_finish(uint8_t opcode, struct dsa_completion_record *cr, const struct dsa_cont *acc)
{
	uint8_t code = cr->status & DSA_COMP_STATUS_CODE_MASK;
	bool partial = code == DSA_COMP_PAGE_FAULT_NOBOF || code == DSA_COMP_PAGE_FAULT_IR;

	switch (opcode) {
	case DSA_OPCODE_COMPARE:
	case DSA_OPCODE_COMPVAL:
		/* A mismatch offset and a partial count are both relative to the piece. */
		if (cr->result != 0 || partial)
			cr->bytes_completed += acc->base;
		break;
	case DSA_OPCODE_CR_DELTA:
		cr->delta_rec_size += acc->delta_size;
		if (acc->result > cr->result)
			cr->result = acc->result;
		if (partial)
			cr->bytes_completed += acc->base;
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
