/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* CPU reference model of the differential test (see diff_ref.h). */
#include <string.h>

#include "diff_ref.h"

#define CRC32C_POLY_REV 0x82f63b78u /* Castagnoli 0x1edc6f41, bit-reversed */
#define CRC32C_CHECK 0xe3069283u    /* CRC32C of "123456789" */

uint32_t
ref_crc32c(uint32_t seed, const uint8_t *p, size_t len)
{
	uint32_t c = ~seed;

	for (size_t i = 0; i < len; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ CRC32C_POLY_REV : c >> 1;
	}
	return ~c;
}

size_t
ref_first_diff(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return i;
	return len;
}

size_t
ref_first_diff_pattern(const uint8_t *a, uint64_t pattern, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != ref_pattern_byte(pattern, i))
			return i;
	return len;
}

int
ref_selftest(void)
{
	const char *check = "123456789";

	if (ref_crc32c(0, (const uint8_t *)check, strlen(check)) != CRC32C_CHECK)
		return -1;
	/* Chaining: the CRC of a || b from the CRC of a. */
	if (ref_crc32c(ref_crc32c(0, (const uint8_t *)check, 4), (const uint8_t *)check + 4, 5) !=
	    CRC32C_CHECK)
		return -1;
	return 0;
}
