/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#include <string.h>

#include "emu_dsa_ops.h"

#define CRC32C_POLY_REFLECTED 0x82f63b78u
#define CACHE_LINE 64u
#define PATTERN_BYTES 8u

static uint32_t crc32c_table[8][256];

__attribute__((constructor)) static void
crc32c_table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC32C_POLY_REFLECTED & (0u - (c & 1)));
		crc32c_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc32c_table[t][i] = (crc32c_table[t - 1][i] >> 8) ^
					     crc32c_table[0][crc32c_table[t - 1][i] & 0xff];
}

/* Slicing-by-8 on the inverted register. */
static uint32_t
crc32c_sw(uint32_t c, const uint8_t *p, size_t len)
{
	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, sizeof(w));
		w ^= c;
		c = crc32c_table[7][w & 0xff] ^ crc32c_table[6][(w >> 8) & 0xff] ^
		    crc32c_table[5][(w >> 16) & 0xff] ^ crc32c_table[4][(w >> 24) & 0xff] ^
		    crc32c_table[3][(w >> 32) & 0xff] ^ crc32c_table[2][(w >> 40) & 0xff] ^
		    crc32c_table[1][(w >> 48) & 0xff] ^ crc32c_table[0][w >> 56];
		p += 8;
		len -= 8;
	}
	while (len--)
		c = (c >> 8) ^ crc32c_table[0][(c ^ *p++) & 0xff];
	return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t
crc32c_hw(uint32_t c, const uint8_t *p, size_t len)
{
	uint64_t c64 = c;

	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, sizeof(w));
		c64 = __builtin_ia32_crc32di(c64, w);
		p += 8;
		len -= 8;
	}
	c = (uint32_t)c64;
	while (len--)
		c = __builtin_ia32_crc32qi(c, *p++);
	return c;
}
#endif

uint32_t
emu_crc32c(uint32_t crc, const void *buf, size_t len)
{
	uint32_t c = ~crc;

#if defined(__x86_64__)
	if (__builtin_cpu_supports("sse4.2"))
		return ~crc32c_hw(c, buf, len);
#endif
	return ~crc32c_sw(c, buf, len);
}

void
emu_fill(uint8_t *dst, uint64_t pattern, size_t len, size_t phase)
{
	uint8_t pat[2 * PATTERN_BYTES];
	size_t i = 0;

	memcpy(pat, &pattern, PATTERN_BYTES);
	memcpy(pat + PATTERN_BYTES, &pattern, PATTERN_BYTES);
	phase %= PATTERN_BYTES;
	for (; i + PATTERN_BYTES <= len; i += PATTERN_BYTES)
		memcpy(dst + i, pat + phase, PATTERN_BYTES);
	if (len > i) /* dst may be NULL when nothing translated */
		memcpy(dst + i, pat + phase, len - i);
}

void
emu_move(uint64_t dst, uint64_t src, uint64_t len)
{
	/* A buffer at address 0 that translated nothing gives len 0: memmove
	 * must not see the NULL pointer then (fuzzer finding). */
	if (len != 0)
		memmove((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, (size_t)len);
}

size_t
emu_compare(const uint8_t *a, const uint8_t *b, size_t len)
{
	size_t i = 0;

	/* Fast equal check first, then locate the byte. */
	for (; i + CACHE_LINE <= len; i += CACHE_LINE)
		if (memcmp(a + i, b + i, CACHE_LINE) != 0)
			break;
	for (; i < len; i++)
		if (a[i] != b[i])
			return i;
	return len;
}

size_t
emu_compare_value(const uint8_t *a, uint64_t pattern, size_t len, size_t phase)
{
	uint8_t pat[PATTERN_BYTES];

	memcpy(pat, &pattern, PATTERN_BYTES);
	for (size_t i = 0; i < len; i++)
		if (a[i] != pat[(i + phase) % PATTERN_BYTES])
			return i;
	return len;
}

void
emu_cache_flush(const void *p, size_t len)
{
#if defined(__x86_64__)
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(CACHE_LINE - 1);
	uintptr_t end = (uintptr_t)p + len;

	/* Nothing to flush touches no line: with len 0, the line of p may
	 * belong to a page the op never translated. */
	for (; len != 0 && a < end; a += CACHE_LINE)
		__builtin_ia32_clflush((const void *)a);
	__builtin_ia32_mfence();
#else
	(void)p;
	(void)len;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}
