/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Every op through the public API on the emulated device, checked against a
 * CPU reference over sizes 0 .. 1 MiB and unaligned addresses, submitted
 * alone and inside a batch; fences, faults and in-order completion. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>

#include "svart_idxd_emu.h"
#include "test_common.h"

#define GUARD 64u
#define GUARD_BYTE 0xeeu
#define PAT 0x0123456789abcdefull
#define PAGE 4096u
#define NB_DESC 256

static const uint32_t sizes[] = { 0, 1, 63, 64, 4095, 4096, 1u << 20 };
static const uint32_t offsets[] = { 0, 1, 3 };
static int16_t dev;

/* Bitwise CRC32C reference, independent of the device's table/SSE code. */
static uint32_t
ref_crc32c(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
	}
	return ~crc;
}

struct bufs {
	uint8_t *src, *dst, *dst2;   /* dst and dst2 share address bits 11:0 */
	uint8_t *src_mem, *dst_mem, *dst2_mem;
	size_t cap;
};

static void
bufs_get(struct bufs *b, uint32_t size, uint32_t off)
{
	size_t cap = ((size_t)size + 2 * GUARD + PAGE + PAGE - 1) & ~(size_t)(PAGE - 1);

	b->cap = cap;
	b->src_mem = aligned_alloc(PAGE, cap);
	b->dst_mem = aligned_alloc(PAGE, cap);
	b->dst2_mem = aligned_alloc(PAGE, cap);
	assert_non_null(b->src_mem);
	assert_non_null(b->dst_mem);
	assert_non_null(b->dst2_mem);
	for (size_t i = 0; i < cap; i++)
		b->src_mem[i] = (uint8_t)rand();
	memset(b->dst_mem, GUARD_BYTE, cap);
	memset(b->dst2_mem, GUARD_BYTE, cap);
	b->src = b->src_mem + GUARD + off;
	b->dst = b->dst_mem + GUARD + off;
	b->dst2 = b->dst2_mem + GUARD + off;
}

static void
bufs_put(struct bufs *b)
{
	free(b->src_mem);
	free(b->dst_mem);
	free(b->dst2_mem);
}

/* Nothing outside [p, p+len) of a destination area may change. */
static void
check_guards(const uint8_t *mem, size_t cap, const uint8_t *p, size_t len)
{
	for (const uint8_t *q = mem; q < p; q++)
		assert_int_equal(*q, GUARD_BYTE);
	for (const uint8_t *q = p + len; q < mem + cap; q++)
		assert_int_equal(*q, GUARD_BYTE);
}

static int
enqueue_op(int op, struct bufs *b, uint32_t size, uint32_t flags)
{
	switch (op) {
	case SVART_ACCEL_OP_NOP: return svart_accel_nop(dev, 0, flags);
	case SVART_ACCEL_OP_COPY: return svart_accel_copy(dev, 0, b->src, b->dst, size, flags);
	case SVART_ACCEL_OP_FILL: return svart_accel_fill(dev, 0, PAT, b->dst, size, flags);
	case SVART_ACCEL_OP_COMPARE:
		memcpy(b->dst, b->src, size);
		if (size > 0)
			b->dst[size / 2] ^= 0x40;  /* one difference in the middle */
		return svart_accel_compare(dev, 0, b->src, b->dst, size, flags);
	case SVART_ACCEL_OP_COMPARE_VALUE:
		for (uint32_t i = 0; i < size; i++)
			b->dst[i] = (uint8_t)(PAT >> (8 * (i % 8)));
		if (size > 2)
			b->dst[size - 2] ^= 1;
		return svart_accel_compare_value(dev, 0, b->dst, PAT, size, flags);
	case SVART_ACCEL_OP_DUALCAST:
		return svart_accel_dualcast(dev, 0, b->src, b->dst, b->dst2, size, flags);
	case SVART_ACCEL_OP_CRC32C: return svart_accel_crc32c(dev, 0, b->src, size, 0x1234u, flags);
	case SVART_ACCEL_OP_COPY_CRC32C:
		return svart_accel_copy_crc32c(dev, 0, b->src, b->dst, size, 0, flags);
	case SVART_ACCEL_OP_CACHE_FLUSH: return svart_accel_cache_flush(dev, 0, b->src, size, flags);
	default: return -1;
	}
}

static void
check_op(int op, struct bufs *b, uint32_t size, const struct svart_accel_result *r)
{
	assert_int_equal(r->status, SVART_ACCEL_ST_SUCCESS);
	switch (op) {
	case SVART_ACCEL_OP_COPY:
		assert_memory_equal(b->dst, b->src, size);
		check_guards(b->dst_mem, b->cap, b->dst, size);
		break;
	case SVART_ACCEL_OP_FILL:
		for (uint32_t i = 0; i < size; i++)
			assert_int_equal(b->dst[i], (uint8_t)(PAT >> (8 * (i % 8))));
		check_guards(b->dst_mem, b->cap, b->dst, size);
		break;
	case SVART_ACCEL_OP_COMPARE:
		assert_int_equal(r->result, size > 0 ? 1 : 0);
		if (size > 0)
			assert_int_equal(r->bytes_completed, size / 2);
		break;
	case SVART_ACCEL_OP_COMPARE_VALUE:
		assert_int_equal(r->result, size > 2 ? 1 : 0);
		if (size > 2) {
			/* At the difference or in the 8-byte chunk before it. */
			assert_true(r->bytes_completed <= size - 2);
			assert_true(size - 2 - r->bytes_completed < 8);
		}
		break;
	case SVART_ACCEL_OP_DUALCAST:
		assert_memory_equal(b->dst, b->src, size);
		assert_memory_equal(b->dst2, b->src, size);
		check_guards(b->dst_mem, b->cap, b->dst, size);
		check_guards(b->dst2_mem, b->cap, b->dst2, size);
		break;
	case SVART_ACCEL_OP_CRC32C:
		assert_int_equal(r->value, ref_crc32c(0x1234u, b->src, size));
		break;
	case SVART_ACCEL_OP_COPY_CRC32C:
		assert_memory_equal(b->dst, b->src, size);
		assert_int_equal(r->value, ref_crc32c(0, b->src, size));
		check_guards(b->dst_mem, b->cap, b->dst, size);
		break;
	default:
		break;
	}
}

/* Each op alone: enqueue with SUBMIT, reap, compare with the CPU. */
static void
test_each_op_single(void **state)
{
	(void)state;
	for (int op = 0; op < SVART_ACCEL_OP_MAX; op++)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (size_t o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++) {
				struct svart_accel_result r;
				struct bufs b;
				int idx;

				bufs_get(&b, sizes[s], offsets[o]);
				idx = enqueue_op(op, &b, sizes[s], SVART_ACCEL_OP_SUBMIT);
				assert_true(idx >= 0);
				assert_int_equal(test_reap(dev, 0, 1, &r, false), 1);
				check_op(op, &b, sizes[s], &r);
				bufs_put(&b);
			}
}

/* All ops of one size and offset in one burst: goes to the device as a batch. */
static void
test_each_op_batched(void **state)
{
	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (size_t o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++) {
			struct bufs b[SVART_ACCEL_OP_MAX];
			struct svart_accel_result r[SVART_ACCEL_OP_MAX];
			struct svart_accel_stats st0, st1;
			int first = -1;

			assert_int_equal(svart_accel_stats_get(dev, 0, &st0), 0);
			for (int op = 0; op < SVART_ACCEL_OP_MAX; op++) {
				int idx;

				bufs_get(&b[op], sizes[s], offsets[o]);
				idx = enqueue_op(op, &b[op], sizes[s], 0);
				assert_true(idx >= 0);
				if (first < 0)
					first = idx;
			}
			assert_int_equal(svart_accel_submit(dev, 0), 0);
			assert_int_equal(svart_accel_stats_get(dev, 0, &st1), 0);
			/* One hardware descriptor for the burst (two when it wraps the ring end). */
			assert_in_range(st1.hw_submits - st0.hw_submits, 1, 2);
			assert_int_equal(test_reap(dev, 0, SVART_ACCEL_OP_MAX, r, false),
					 SVART_ACCEL_OP_MAX);
			for (int op = 0; op < SVART_ACCEL_OP_MAX; op++) {
				check_op(op, &b[op], sizes[s], &r[op]);
				bufs_put(&b[op]);
			}
		}
}

/* A burst smaller than the device's smallest hardware batch goes out as lone
 * descriptors, all of them on one submit: nothing may wait for a later
 * submit or poll to leave (the fast path's "one piece" case). */
static void
test_small_burst_one_submit(void **state)
{
	int16_t d2 = test_dev_start("idxd_emu_bmin,engine=manual,batch_min=8", 1,
				    SVART_ACCEL_QUEUE_DEDICATED, NB_DESC);
	enum { N = 5, LEN = 256 };
	static uint8_t src[N][LEN], dst[N][LEN];
	struct svart_accel_result r[N];
	struct svart_accel_stats st0, st1;
	uint16_t got = 0;

	(void)state;
	assert_int_equal(svart_accel_stats_get(d2, 0, &st0), 0);
	for (int i = 0; i < N; i++) {
		memset(src[i], 0x30 + i, LEN);
		memset(dst[i], 0, LEN);
		assert_true(svart_accel_copy(d2, 0, src[i], dst[i], LEN, 0) >= 0);
	}
	assert_int_equal(svart_accel_submit(d2, 0), 0);
	assert_int_equal(svart_accel_stats_get(d2, 0, &st1), 0);
	assert_int_equal(st1.hw_submits - st0.hw_submits, N);
	/* Only the device runs and the application reaps: no second submit. */
	for (unsigned int k = 0; k < 1000 && got < N; k++) {
		svart_idxd_emu_poll(d2, 64);
		got += svart_accel_completed_status(d2, 0, (uint16_t)(N - got), NULL, r + got);
	}
	assert_int_equal(got, N);
	for (int i = 0; i < N; i++) {
		assert_int_equal(r[i].status, SVART_ACCEL_ST_SUCCESS);
		assert_memory_equal(dst[i], src[i], LEN);
	}
	test_dev_close(d2);
}

static void
test_completed_indexes_in_order(void **state)
{
	uint8_t src[64], dst[64];
	uint16_t last = 0, total = 0;
	bool err = true;
	int first = -1, idx = -1;

	(void)state;
	memset(src, 7, sizeof(src));
	for (int i = 0; i < 100; i++) {
		idx = svart_accel_copy(dev, 0, src, dst, sizeof(src), 0);
		assert_true(idx >= 0);
		if (first < 0)
			first = idx;
		if (i % 7 == 6)
			assert_int_equal(svart_accel_submit(dev, 0), 0);
	}
	assert_int_equal(svart_accel_submit(dev, 0), 0);
	for (uint64_t spin = 0; total < 100 && spin < TEST_POLL_LIMIT; spin++) {
		uint16_t n = svart_accel_completed(dev, 0, 16, &last, &err);

		assert_false(err);
		if (n > 0)
			assert_int_equal(last, (uint16_t)(first + total + n - 1));
		total += n;
	}
	assert_int_equal(total, 100);
	assert_int_equal(last, (uint16_t)idx);
}

/* A fault in a batch: later ops still run; a fenced op and the rest are skipped. */
static void
test_batch_fault_and_fence(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *bad = mmap(NULL, (size_t)pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t src[256], d1[256], d2[256], d3[256];
	struct svart_accel_result r[4];
	uint16_t last;
	bool err;

	(void)state;
	assert_true(bad != MAP_FAILED);
	memset(src, 0x11, sizeof(src));
	/* No fence: op 0 fails, ops 1-2 run. */
	memset(d1, 0, sizeof(d1));
	memset(d2, 0, sizeof(d2));
	assert_true(svart_accel_copy(dev, 0, src, d1, 256, 0) >= 0);
	assert_true(svart_accel_copy(dev, 0, bad, d2, 256, 0) >= 0);
	assert_true(svart_accel_copy(dev, 0, src, d3, 256, SVART_ACCEL_OP_SUBMIT) >= 0);
	for (uint64_t i = 0; i < TEST_POLL_LIMIT; i++) {
		uint16_t n = svart_accel_completed(dev, 0, 4, &last, &err);

		if (n > 0 || err) {
			/* The first op completes, the second stops reaping with an error. */
			assert_int_equal(n, 1);
			break;
		}
	}
	assert_true(err);
	assert_int_equal(test_reap(dev, 0, 2, r, false), 2);
	assert_int_equal(r[0].status, SVART_ACCEL_ST_PAGE_FAULT);
	assert_int_equal(r[0].fault_addr, (uint64_t)(uintptr_t)bad);
	assert_int_equal(r[0].fault_write, 0);
	assert_int_equal(r[0].bytes_completed, 0);
	assert_int_equal(r[1].status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(d3, src, 256);

	/* Fence: op 1 fails, fenced op 2 and op 3 are not attempted. */
	memset(d1, 0, sizeof(d1));
	memset(d3, 0, sizeof(d3));
	assert_true(svart_accel_copy(dev, 0, src, d1, 256, 0) >= 0);
	assert_true(svart_accel_copy(dev, 0, src, bad, 256, 0) >= 0);
	assert_true(svart_accel_copy(dev, 0, src, d2, 256, SVART_ACCEL_OP_FENCE) >= 0);
	assert_true(svart_accel_copy(dev, 0, src, d3, 256, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(test_reap(dev, 0, 4, r, false), 4);
	assert_int_equal(r[0].status, SVART_ACCEL_ST_SUCCESS);
	assert_int_equal(r[1].status, SVART_ACCEL_ST_PAGE_FAULT);
	assert_int_equal(r[1].fault_write, 1);
	assert_int_equal(r[1].fault_addr, (uint64_t)(uintptr_t)bad);
	assert_int_equal(r[2].status, SVART_ACCEL_ST_NOT_ATTEMPTED);
	assert_int_equal(r[3].status, SVART_ACCEL_ST_NOT_ATTEMPTED);
	assert_memory_equal(d1, src, 256);
	for (int i = 0; i < 256; i++)
		assert_int_equal(d3[i], 0);
	munmap(bad, (size_t)pg);
}

/* A copy that runs into a read-only page stops exactly there. */
static void
test_partial_fault_readonly(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *m = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *src = malloc(2 * (size_t)pg);
	struct svart_accel_result r;

	(void)state;
	assert_true(m != MAP_FAILED);
	memset(m, 0, 2 * (size_t)pg);
	memset(src, 0x5c, 2 * (size_t)pg);
	assert_int_equal(mprotect(m + pg, (size_t)pg, PROT_READ), 0);
	assert_true(svart_accel_copy(dev, 0, src, m + 100, (uint32_t)(2 * pg - 200),
				     SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(test_reap(dev, 0, 1, &r, false), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_PAGE_FAULT);
	/* Default policy is block-on-fault: the page request was answered Invalid. */
	assert_int_equal(r.hw_status, 0x04);
	assert_int_equal(r.fault_write, 1);
	assert_int_equal(r.fault_addr, (uint64_t)(uintptr_t)(m + pg));
	assert_true(r.bytes_completed <= (uint32_t)pg - 100); /* any legal stop */
	assert_memory_equal(m + 100, src, r.bytes_completed);
	for (long i = 0; i < pg; i++)
		assert_int_equal(m[pg + i], 0);
	munmap(m, 2 * (size_t)pg);
	free(src);
}

/* Overlapping copy in both directions behaves as memmove. */
static void
test_copy_overlap(void **state)
{
	uint8_t buf[8192], ref[8192];
	struct svart_accel_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13);
	memcpy(ref, buf, sizeof(buf));
	memmove(ref + 100, ref, 5000);
	assert_true(svart_accel_copy(dev, 0, buf, buf + 100, 5000, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(test_reap(dev, 0, 1, &r, false), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(buf, ref, sizeof(buf));
	memmove(ref, ref + 333, 5000);
	assert_true(svart_accel_copy(dev, 0, buf + 333, buf, 5000, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(test_reap(dev, 0, 1, &r, false), 1);
	assert_memory_equal(buf, ref, sizeof(buf));
}

/* CRCs chain: crc(a||b) == crc(b) seeded with crc(a). */
static void
test_crc_chaining(void **state)
{
	uint8_t data[10000];
	struct svart_accel_result r;
	uint32_t a;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ (i >> 3));
	assert_true(svart_accel_crc32c(dev, 0, data, 3333, 0, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(test_reap(dev, 0, 1, &r, false), 1);
	a = (uint32_t)r.value;
	assert_true(svart_accel_crc32c(dev, 0, data + 3333, sizeof(data) - 3333, a,
				       SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(test_reap(dev, 0, 1, &r, false), 1);
	assert_int_equal(r.value, ref_crc32c(0, data, sizeof(data)));
	/* The standard check value of CRC32C. */
	assert_int_equal(ref_crc32c(0, (const uint8_t *)"123456789", 9), 0xe3069283u);
}

/* Dualcast destinations that differ in bits 11:0 are refused by the device. */
static void
test_dualcast_misaligned(void **state)
{
	uint8_t *a = aligned_alloc(PAGE, 2 * PAGE), *b = aligned_alloc(PAGE, 2 * PAGE), src[64];
	struct svart_accel_result r;

	(void)state;
	memset(src, 1, sizeof(src));
	assert_true(svart_accel_dualcast(dev, 0, src, a, b + 8, 64, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(test_reap(dev, 0, 1, &r, false), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_INVALID);
	assert_int_equal(r.hw_status, 0x17);
	free(a);
	free(b);
}

static int
setup(void **state)
{
	(void)state;
	dev = test_dev_start("idxd_emu_ops", 1, SVART_ACCEL_QUEUE_DEDICATED, NB_DESC);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	test_dev_close(dev);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_op_single),
		cmocka_unit_test(test_each_op_batched),
		cmocka_unit_test(test_completed_indexes_in_order),
		cmocka_unit_test(test_small_burst_one_submit),
		cmocka_unit_test(test_batch_fault_and_fence),
		cmocka_unit_test(test_partial_fault_readonly),
		cmocka_unit_test(test_copy_overlap),
		cmocka_unit_test(test_crc_chaining),
		cmocka_unit_test(test_dualcast_misaligned),
	};
	int rc;

	(void)argc;
	if (test_eal_init(argv[0], NULL) < 0)
		return 1;
	srand(1);
	rc = cmocka_run_group_tests_name("ops", tests, setup, teardown);
	rte_eal_cleanup();
	return rc;
}
