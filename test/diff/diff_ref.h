/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_DIFF_REF_H
#define SVART_DIFF_REF_H

/* CPU reference model for the differential test, written from the op
 * definitions in svart_accel_fp.h and independently of the device code:
 * its own bitwise CRC32C, fill, compare. */

#include <stddef.h>
#include <stdint.h>

/** Byte i of an op whose 8-byte little-endian pattern is pattern. */
static inline uint8_t
ref_pattern_byte(uint64_t pattern, size_t i)
{
	return (uint8_t)(pattern >> (8 * (i % 8)));
}

/** CRC32C (Castagnoli, reflected, inverted in and out), continuing from seed,
 * the CRC of the data before (0 to start). Bit at a time. */
uint32_t ref_crc32c(uint32_t seed, const uint8_t *p, size_t len);

/** Offset of the first byte where a and b differ, or len. */
size_t ref_first_diff(const uint8_t *a, const uint8_t *b, size_t len);

/** Offset of the first byte of a that differs from the pattern, or len. */
size_t ref_first_diff_pattern(const uint8_t *a, uint64_t pattern, size_t len);

/** Self-check against the published check value ("123456789" -> 0xe3069283). */
int ref_selftest(void);

#endif
