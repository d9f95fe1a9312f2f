/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Finishing ops yourself under the REPORT fault policy (doc/sva.md, "What
 * the application does under REPORT"): a copy, a fill and a CRC32C into
 * memory that was never touched stop at each page the device cannot yet
 * use; the application touches that page and submits the rest of the op
 * with the continuation rule of its type, until the op is done.
 * Run: ./report_policy -l 0-1 --no-huge -m 256 --no-pci */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_pause.h>
#include <svart_accel.h>
#include <svart_sva.h>

#define LEN (64u * 4096u + 3u)   /* odd length: the pattern's phase matters */
#define PATTERN 0x0123456789abcdefull
#define BITS_PER_BYTE 8u
#define PATTERN_BYTES 8u

static int16_t dev;

static void
wait_one(struct svart_accel_result *r)
{
	while (svart_accel_completed_status(dev, 0, 1, NULL, r) == 0)
		rte_pause();
}

/* Run op to the end. Returns its final result; *pieces counts submissions. */
static struct svart_accel_result
finish_op(struct svart_accel_op op, unsigned int *pieces)
{
	uint32_t done = 0;
	struct svart_accel_result r;

	op.flags |= SVART_ACCEL_OP_SUBMIT;
	for (*pieces = 1;; (*pieces)++) {
		if (svart_accel_enqueue(dev, 0, &op) < 0) {
			memset(&r, 0, sizeof(r));
			r.status = SVART_ACCEL_ST_INVALID;
			return r;
		}
		wait_one(&r);
		if (r.status != SVART_ACCEL_ST_PAGE_FAULT)
			break;
		/* 1. Make the page usable the way the device needs it (present
		 *    for the CPU and, over VFIO, mapped for the device). A fault
		 *    the CPU cannot resolve either (a bad address) ends the op. */
		if (svart_sva_resolve(dev, (const void *)(uintptr_t)r.fault_addr, 1,
				      r.fault_write) != 0)
			break;
		/* 2. The rest of the op, by its type's rule (bc = bytes_completed). */
		uint32_t bc = r.bytes_completed;

		done += bc;
		op.len -= bc;
		switch (op.type) {
		case SVART_ACCEL_OP_FILL: {
			/* Byte i of a fill is pattern byte i % 8: rotate the pattern. */
			unsigned int sh = (bc % PATTERN_BYTES) * BITS_PER_BYTE;

			if (sh != 0)
				op.pattern = (op.pattern >> sh) | (op.pattern << (64 - sh));
			op.dst = (uint8_t *)op.dst + bc;
			break;
		}
		case SVART_ACCEL_OP_CRC32C:
			/* The CRC of the bytes done is the seed of the rest. */
			if (bc != 0)
				op.seed = (uint32_t)r.value;
			op.src = (const uint8_t *)op.src + bc;
			break;
		default: /* COPY (ascending: r.result 0) */
			op.src = (const uint8_t *)op.src + bc;
			op.dst = (uint8_t *)op.dst + bc;
			break;
		}
	}
	(void)done;
	return r;
}

static void *
untouched(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int
main(int argc, char **argv)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = { .nb_desc = 64, .mode = SVART_ACCEL_QUEUE_DEDICATED,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO,
					     .fault_policy = SVART_ACCEL_FAULT_REPORT };
	struct svart_accel_result r;
	unsigned int pieces, bad = 0;
	uint8_t *src, *dst, *fill;
	int id;

	if (rte_eal_init(argc, argv) < 0)
		return 1;
	id = svart_accel_probe("idxd_emu_report");
	if (id < 0)
		return 1;
	dev = (int16_t)id;
	if (svart_accel_configure(dev, &conf) != 0 || svart_accel_queue_setup(dev, 0, &qc) != 0 ||
	    svart_accel_start(dev) != 0)
		return 1;
	src = malloc(LEN);
	dst = untouched(LEN);
	fill = untouched(LEN);
	if (src == NULL || dst == NULL || fill == NULL)
		return 1;
	for (uint32_t i = 0; i < LEN; i++)
		src[i] = (uint8_t)(i * 31);

	r = finish_op((struct svart_accel_op){ .type = SVART_ACCEL_OP_COPY, .len = LEN,
					       .src = src, .dst = dst }, &pieces);
	bad += r.status != SVART_ACCEL_ST_SUCCESS || memcmp(src, dst, LEN) != 0;
	printf("copy   %u bytes into untouched memory: %s in %u pieces\n", LEN,
	       bad ? "FAILED" : "done", pieces);

	r = finish_op((struct svart_accel_op){ .type = SVART_ACCEL_OP_FILL, .len = LEN,
					       .dst = fill, .pattern = PATTERN }, &pieces);
	for (uint32_t i = 0; i < LEN; i++)
		bad += fill[i] != (uint8_t)(PATTERN >> (BITS_PER_BYTE * (i % PATTERN_BYTES)));
	bad += r.status != SVART_ACCEL_ST_SUCCESS;
	printf("fill   %u bytes into untouched memory: %s in %u pieces\n", LEN,
	       bad ? "FAILED" : "done", pieces);

	/* The CRC of the same data twice: from memory the device can read at
	 * once, and from file pages that are not mapped in (a file keeps its
	 * data when the mapping drops the pages). */
	int fd = memfd_create("report_policy", 0);
	uint8_t *fresh;
	uint32_t whole;

	if (fd < 0 || ftruncate(fd, LEN) != 0)
		return 1;
	fresh = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (fresh == MAP_FAILED)
		return 1;
	r = finish_op((struct svart_accel_op){ .type = SVART_ACCEL_OP_CRC32C, .len = LEN,
					       .src = src }, &pieces);
	whole = (uint32_t)r.value;
	memcpy(fresh, src, LEN);
	madvise(fresh, LEN, MADV_DONTNEED);
	svart_sva_invalidate(dev, fresh, LEN); /* the mapping changed: tell the device */
	r = finish_op((struct svart_accel_op){ .type = SVART_ACCEL_OP_CRC32C, .len = LEN,
					       .src = fresh }, &pieces);
	bad += r.status != SVART_ACCEL_ST_SUCCESS || (uint32_t)r.value != whole;
	printf("crc32c %u bytes: %#x, %s in %u pieces\n", LEN, whole, bad ? "FAILED" : "done",
	       pieces);

	svart_accel_stop(dev);
	svart_accel_close(dev);
	rte_eal_cleanup();
	return bad != 0;
}
