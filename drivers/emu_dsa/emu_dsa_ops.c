/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#include <string.h>

#include <rte_hash_crc.h>

#include "emu_dsa_ops.h"

#define CACHE_LINE 64u
#define PATTERN_BYTES 8u
/* Largest length rte_hash_crc takes, a multiple of 8 (keeps the next chunk aligned). */
#define CRC_CHUNK_MAX (UINT32_MAX & ~(uint32_t)7)

uint32_t
emu_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t c = ~crc;

	/* rte_hash_crc is the raw CRC32C (SSE4.2 crc32 when the CPU has it,
	 * tables otherwise) without DSA's inversion of the seed and the result.
	 * It reads 8 bytes at a time from where it starts: start it aligned. */
	for (; len > 0 && ((uintptr_t)p & (sizeof(uint64_t) - 1)) != 0; len--, p++)
		c = rte_hash_crc_1byte(*p, c);
	for (; len > CRC_CHUNK_MAX; len -= CRC_CHUNK_MAX, p += CRC_CHUNK_MAX)
		c = rte_hash_crc(p, CRC_CHUNK_MAX, c);
	return ~rte_hash_crc(p, (uint32_t)len, c);
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
