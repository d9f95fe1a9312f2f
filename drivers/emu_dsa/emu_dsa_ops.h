/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_EMU_DSA_OPS_H
#define SVART_EMU_DSA_OPS_H

/* Data kernels of the emulated device: pure functions on already-translated
 * memory. Validation and translation are done by the caller (emu_dsa_desc.c). */

#include <stddef.h>
#include <stdint.h>

/** CRC32C (Castagnoli) continuing from crc, the CRC of the data before buf. */
uint32_t emu_crc32c(uint32_t crc, const void *buf, size_t len);

/** Fill len bytes with the little-endian 8-byte pattern, starting at pattern byte phase. */
void emu_fill(uint8_t *dst, uint64_t pattern, size_t len, size_t phase);

/** Device data move of len bytes (memmove semantics; nothing at all when len is 0). */
void emu_move(uint64_t dst, uint64_t src, uint64_t len);

/** Offset of the first byte that differs, or len when equal. */
size_t emu_compare(const uint8_t *a, const uint8_t *b, size_t len);

/** Offset of the first byte that differs from the repeated pattern (phase as emu_fill). */
size_t emu_compare_value(const uint8_t *a, uint64_t pattern, size_t len, size_t phase);

/** Write back and evict the cache lines covering [p, p+len). */
void emu_cache_flush(const void *p, size_t len);

#endif /* SVART_EMU_DSA_OPS_H */
