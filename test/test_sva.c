/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Shared virtual addressing through the public API on the emulated device:
 * memory that is not present, not writable, not mapped or vanishing; the
 * three fault policies on every op; binding, quarantine, fork; the fault
 * service (groups, overflow, hook, fault-around, statistics).
 *
 * The engine and the fault service are stepped by the test (engine=manual,
 * fault service in manual mode), so every interleaving is decided here and
 * nothing depends on timing. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>

#include "svart_idxd_emu.h"
#include "svart_iopf.h"
#include "svart_sva.h"
#include "test_common.h"

#define NB_DESC 64
#define MANUAL_DEV "idxd_emu_sva,engine=manual,pri_timeout_ms=60000"
#define PAT 0xa5a5a5a55a5a5a5aull

static long pg;

static int16_t
dev_start(const char *args, uint8_t policy, uint16_t nq)
{
	struct svart_accel_conf conf = { .nb_queues = nq };
	struct svart_accel_queue_conf qc = { .nb_desc = NB_DESC, .mode = SVART_ACCEL_QUEUE_DEDICATED,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO,
					     .fault_policy = policy };
	int id = svart_accel_probe(args);

	assert_true(id >= 0);
	assert_int_equal(svart_accel_configure((int16_t)id, &conf), 0);
	for (uint16_t q = 0; q < nq; q++)
		assert_int_equal(svart_accel_queue_setup((int16_t)id, q, &qc), 0);
	assert_int_equal(svart_accel_start((int16_t)id), 0);
	return (int16_t)id;
}

static void
one(int16_t dev, struct svart_accel_result *r)
{
	assert_int_equal(test_reap(dev, 0, 1, r, true), 1);
}

static const uint8_t policies[] = { SVART_ACCEL_FAULT_BLOCK, SVART_ACCEL_FAULT_RESUME };

/* Fresh (never touched) source and destination, several pages, both policies. */
static void
test_untouched_memory(void **state)
{
	(void)state;
	for (size_t p = 0; p < sizeof(policies); p++) {
		int16_t dev = dev_start(MANUAL_DEV, policies[p], 1);
		size_t len = 8 * (size_t)pg;
		uint8_t *src = test_fresh(len), *dst = test_fresh(len);
		struct svart_accel_result r;

		assert_true(svart_accel_copy(dev, 0, src, dst, (uint32_t)len, SVART_ACCEL_OP_SUBMIT) >= 0);
		one(dev, &r);
		assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
		for (size_t i = 0; i < len; i++)
			assert_int_equal(dst[i], 0);
		/* Now with data: the source is written by the CPU, dst is fresh again. */
		munmap(dst, len);
		dst = test_fresh(len);
		memset(src, 0x3c, len);
		assert_true(svart_accel_copy(dev, 0, src, dst, (uint32_t)len, SVART_ACCEL_OP_SUBMIT) >= 0);
		one(dev, &r);
		assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
		assert_memory_equal(dst, src, len);
		munmap(src, len);
		munmap(dst, len);
		test_dev_close(dev);
	}
}

/* The report policy hands the partial completion to the application. */
static void
test_report_policy(void **state)
{
	int16_t dev = dev_start(MANUAL_DEV, SVART_ACCEL_FAULT_REPORT, 1);
	size_t len = 4 * (size_t)pg;
	uint8_t *src = malloc(len), *dst = test_fresh(len);
	struct svart_accel_result r;

	(void)state;
	memset(src, 1, len);
	dst[0] = 0; /* first page present and ours; the rest untouched */
	assert_true(svart_accel_copy(dev, 0, src, dst, (uint32_t)len, SVART_ACCEL_OP_SUBMIT) >= 0);
	one(dev, &r);
	assert_int_equal(r.status, SVART_ACCEL_ST_PAGE_FAULT);
	assert_int_equal(r.hw_status, 0x03);
	assert_int_equal(r.fault_write, 1);
	/* Any legal stop: at most the present page, the bytes reported done right. */
	assert_true(r.bytes_completed <= (uint32_t)pg);
	assert_int_equal(r.fault_addr, (uint64_t)(uintptr_t)(dst + pg));
	assert_memory_equal(dst, src, r.bytes_completed);
	free(src);
	munmap(dst, len);
	test_dev_close(dev);
}

/* A page read-faulted to the zero page, then written by the device. */
static void
test_zero_page_then_write(void **state)
{
	(void)state;
	for (size_t p = 0; p < sizeof(policies); p++) {
		int16_t dev = dev_start(MANUAL_DEV, policies[p], 1);
		uint8_t *dst = test_fresh((size_t)pg);
		volatile uint8_t sink = dst[100]; /* read fault: the zero page */
		struct svart_accel_result r;

		(void)sink;
		assert_true(svart_accel_fill(dev, 0, PAT, dst, (uint32_t)pg, SVART_ACCEL_OP_SUBMIT) >= 0);
		one(dev, &r);
		assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
		assert_int_equal(dst[0], 0x5a);
		assert_int_equal(dst[pg - 1], 0xa5);
		munmap(dst, (size_t)pg);
		test_dev_close(dev);
	}
}

/* Read-only mapping written, PROT_NONE read, unmapped address: a clean error
 * with the faulting address, under every policy; nothing written past it. */
static void
test_bad_addresses(void **state)
{
	static const uint8_t all[] = { SVART_ACCEL_FAULT_BLOCK, SVART_ACCEL_FAULT_RESUME,
				       SVART_ACCEL_FAULT_REPORT };

	(void)state;
	for (size_t p = 0; p < sizeof(all); p++) {
		int16_t dev = dev_start(MANUAL_DEV, all[p], 1);
		uint8_t *m = test_fresh(3 * (size_t)pg), *src = malloc(2 * (size_t)pg);
		struct svart_accel_result r;

		memset(m, 0, 3 * (size_t)pg);
		memset(src, 0x77, 2 * (size_t)pg);
		assert_int_equal(mprotect(m + pg, (size_t)pg, PROT_READ), 0);
		assert_int_equal(mprotect(m + 2 * pg, (size_t)pg, PROT_NONE), 0);
		/* As an IOMMU driver's mmu notifier would, tell the device. */
		assert_int_equal(svart_sva_invalidate(dev, m, 3 * (size_t)pg), 0);
		/* write into the read-only page */
		assert_true(svart_accel_copy(dev, 0, src, m + pg / 2, (uint32_t)pg,
					     SVART_ACCEL_OP_SUBMIT) >= 0);
		one(dev, &r);
		assert_int_equal(r.status, SVART_ACCEL_ST_PAGE_FAULT);
		assert_int_equal(r.fault_write, 1);
		assert_int_equal(r.fault_addr, (uint64_t)(uintptr_t)(m + pg));
		assert_true(r.bytes_completed <= (uint32_t)pg / 2); /* any legal stop */
		for (long i = 0; i < pg; i++)
			assert_int_equal(m[pg + i], 0);
		/* read from PROT_NONE */
		assert_true(svart_accel_crc32c(dev, 0, m + 2 * pg, 64, 0, SVART_ACCEL_OP_SUBMIT) >= 0);
		one(dev, &r);
		assert_int_equal(r.status, SVART_ACCEL_ST_PAGE_FAULT);
		assert_int_equal(r.fault_write, 0);
		assert_int_equal(r.fault_addr, (uint64_t)(uintptr_t)(m + 2 * pg));
		/* unmapped */
		munmap(m, 3 * (size_t)pg);
		assert_int_equal(svart_sva_invalidate(dev, m, 3 * (size_t)pg), 0);
		assert_true(svart_accel_copy(dev, 0, m, src, 64, SVART_ACCEL_OP_SUBMIT) >= 0);
		one(dev, &r);
		assert_int_equal(r.status, SVART_ACCEL_ST_PAGE_FAULT);
		assert_int_equal(r.fault_addr, (uint64_t)(uintptr_t)m);
		free(src);
		test_dev_close(dev);
	}
}

/* The device asks for the pages ahead of a fault as one group; when a page
 * further on cannot be resolved, the op still completes exactly up to it. */
static void
test_group_with_bad_page(void **state)
{
	int16_t dev = dev_start(MANUAL_DEV, SVART_ACCEL_FAULT_BLOCK, 1);
	size_t len = 4 * (size_t)pg;
	uint8_t *m = test_fresh(len), *src = malloc(len);
	struct svart_accel_result r;

	(void)state;
	memset(src, 0x44, len);
	assert_int_equal(mprotect(m + 3 * pg, (size_t)pg, PROT_READ), 0);  /* page 3: read-only */
	assert_int_equal(svart_sva_invalidate(dev, m, len), 0);
	assert_true(svart_accel_copy(dev, 0, src, m, (uint32_t)len, SVART_ACCEL_OP_SUBMIT) >= 0);
	one(dev, &r);
	assert_int_equal(r.status, SVART_ACCEL_ST_PAGE_FAULT);
	assert_int_equal(r.fault_write, 1);
	assert_int_equal(r.fault_addr, (uint64_t)(uintptr_t)(m + 3 * pg));
	assert_true(r.bytes_completed <= 3 * (uint32_t)pg); /* any legal stop */
	assert_memory_equal(m, src, r.bytes_completed);
	munmap(m, len);
	free(src);
	test_dev_close(dev);
}

/* Every op that touches memory, on fresh memory, with both resolving policies. */
static void
test_every_op_both_policies(void **state)
{
	(void)state;
	for (size_t p = 0; p < sizeof(policies); p++) {
		int16_t dev = dev_start(MANUAL_DEV, policies[p], 1);

		for (int op = SVART_ACCEL_OP_COPY; op < SVART_ACCEL_OP_MAX; op++) {
			size_t len = 3 * (size_t)pg;
			uint8_t *a = test_fresh(2 * (size_t)pg * 4), *b = a + 2 * pg * 2, *c = test_fresh(len);
			struct svart_accel_result r;
			int idx = -1;

			switch (op) {
			case SVART_ACCEL_OP_COPY: idx = svart_accel_copy(dev, 0, a, b, (uint32_t)len, 0); break;
			case SVART_ACCEL_OP_FILL: idx = svart_accel_fill(dev, 0, PAT, b, (uint32_t)len, 0); break;
			case SVART_ACCEL_OP_COMPARE: idx = svart_accel_compare(dev, 0, a, b, (uint32_t)len, 0); break;
			case SVART_ACCEL_OP_COMPARE_VALUE: idx = svart_accel_compare_value(dev, 0, a, 0, (uint32_t)len, 0); break;
			case SVART_ACCEL_OP_DUALCAST: idx = svart_accel_dualcast(dev, 0, c, a, b, (uint32_t)len, 0); break;
			case SVART_ACCEL_OP_CRC32C: idx = svart_accel_crc32c(dev, 0, a, (uint32_t)len, 0, 0); break;
			case SVART_ACCEL_OP_COPY_CRC32C: idx = svart_accel_copy_crc32c(dev, 0, a, b, (uint32_t)len, 0, 0); break;
			case SVART_ACCEL_OP_CACHE_FLUSH: idx = svart_accel_cache_flush(dev, 0, b, (uint32_t)len, 0); break;
			default: break;
			}
			assert_true(idx >= 0);
			assert_int_equal(svart_accel_submit(dev, 0), 0);
			one(dev, &r);
			assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
			if (op == SVART_ACCEL_OP_FILL)
				assert_int_equal(b[len - 1], 0xa5);
			if (op == SVART_ACCEL_OP_COMPARE || op == SVART_ACCEL_OP_COMPARE_VALUE)
				assert_int_equal(r.result, 0);     /* zero pages everywhere */
			if (op == SVART_ACCEL_OP_CRC32C || op == SVART_ACCEL_OP_COPY_CRC32C) {
				uint8_t *z = calloc(1, len);
				struct svart_accel_result zr;

				/* same CRC as over present zeroes */
				assert_true(svart_accel_crc32c(dev, 0, z, (uint32_t)len, 0,
							       SVART_ACCEL_OP_SUBMIT) >= 0);
				one(dev, &zr);
				assert_int_equal(r.value, zr.value);
				free(z);
			}
			munmap(a, 2 * (size_t)pg * 4);
			munmap(c, len);
		}
		test_dev_close(dev);
	}
}

/* Data already computed on part of an op survives the resume: a CRC whose
 * second half is on fresh pages equals the CPU's. */
static void
test_resume_keeps_partial_results(void **state)
{
	int16_t dev = dev_start(MANUAL_DEV, SVART_ACCEL_FAULT_RESUME, 1);
	size_t len = 4 * (size_t)pg;
	uint8_t *a = test_fresh(len), *b = test_fresh(len);
	struct svart_accel_result r, ref;
	uint8_t *cpu = malloc(len);

	(void)state;
	memset(a, 0x11, 2 * (size_t)pg);   /* first half present, second half fresh */
	memset(cpu, 0, len);
	memset(cpu, 0x11, 2 * (size_t)pg);
	assert_true(svart_accel_copy_crc32c(dev, 0, a, b, (uint32_t)len, 7, SVART_ACCEL_OP_SUBMIT) >= 0);
	one(dev, &r);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_true(svart_accel_crc32c(dev, 0, cpu, (uint32_t)len, 7, SVART_ACCEL_OP_SUBMIT) >= 0);
	one(dev, &ref);
	assert_int_equal(r.value, ref.value);
	assert_memory_equal(b, cpu, len);
	free(cpu);
	munmap(a, len);
	munmap(b, len);
	test_dev_close(dev);
}

/* MAP_SHARED file mapping, then the file truncated under its mapping. */
static void
test_file_mappings(void **state)
{
	char path[] = "/tmp/svart_sva_XXXXXX";
	int fd = mkstemp(path);
	size_t len = 4 * (size_t)pg;
	uint8_t *src = malloc(len), *m, back[64];
	struct svart_accel_result r;
	int16_t dev = dev_start(MANUAL_DEV, SVART_ACCEL_FAULT_BLOCK, 1);

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(ftruncate(fd, (off_t)len), 0);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(m != MAP_FAILED);
	memset(src, 0x42, len);
	assert_true(svart_accel_copy(dev, 0, src, m, (uint32_t)len, SVART_ACCEL_OP_SUBMIT) >= 0);
	one(dev, &r);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_int_equal(pread(fd, back, sizeof(back), (off_t)(len - sizeof(back))), (ssize_t)sizeof(back));
	assert_memory_equal(back, src, sizeof(back));
	/* Truncate: the pages beyond the end would SIGBUS on a CPU access. */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(svart_sva_invalidate(dev, m, len), 0);
	assert_true(svart_accel_copy(dev, 0, m + pg, src, 64, SVART_ACCEL_OP_SUBMIT) >= 0);
	one(dev, &r);
	assert_int_equal(r.status, SVART_ACCEL_ST_PAGE_FAULT);
	assert_int_equal(r.fault_addr, (uint64_t)(uintptr_t)(m + pg));
	munmap(m, len);
	close(fd);
	free(src);
	test_dev_close(dev);
}

/* munmap racing an op: (a) unmapped while the op waits for its page; (b)
 * unmapped with the translation still cached, so the device's access traps. */
static void
test_munmap_race(void **state)
{
	int16_t dev = dev_start(MANUAL_DEV, SVART_ACCEL_FAULT_BLOCK, 1);
	size_t len = 2 * (size_t)pg;
	uint8_t *dst = test_fresh(len), *src = malloc(len);
	struct svart_accel_result r;
	uint16_t got = 0;

	(void)state;
	memset(src, 9, len);
	/* (a): the engine parks on the first page, the page goes away, then the
	 * fault service answers. */
	assert_true(svart_accel_copy(dev, 0, src, dst, (uint32_t)len, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(svart_idxd_emu_poll(dev, 8), 0);   /* parked */
	munmap(dst, len);
	for (int i = 0; i < 16 && got == 0; i++) {
		svart_iopf_poll();
		svart_idxd_emu_poll(dev, 8);
		got = svart_accel_completed_status(dev, 0, 1, NULL, &r);
	}
	assert_int_equal(got, 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_PAGE_FAULT);
	assert_int_equal(r.fault_addr, (uint64_t)(uintptr_t)dst);

	/* (b): a warm mapping, cached in the ATC, unmapped without telling the device. */
	dst = test_fresh(len);
	memset(dst, 0, len);
	assert_true(svart_accel_copy(dev, 0, src, dst, (uint32_t)len, SVART_ACCEL_OP_SUBMIT) >= 0);
	one(dev, &r);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	munmap(dst, len);
	assert_true(svart_accel_copy(dev, 0, src, dst, (uint32_t)len, SVART_ACCEL_OP_SUBMIT) >= 0);
	one(dev, &r);
	assert_int_equal(r.status, SVART_ACCEL_ST_PAGE_FAULT);
	assert_int_equal(r.fault_write, 1);
	assert_int_equal(r.fault_addr, (uint64_t)(uintptr_t)dst);
	/* The device keeps working. */
	dst = malloc(len);
	assert_true(svart_accel_copy(dev, 0, src, dst, (uint32_t)len, SVART_ACCEL_OP_SUBMIT) >= 0);
	one(dev, &r);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(dst, src, len);
	free(dst);
	free(src);
	test_dev_close(dev);
}

/* Transparent huge pages. */
static void
test_thp(void **state)
{
	size_t huge = 2u << 20, len = 2 * huge;
	uint8_t *raw = test_fresh(len + huge), *m = (uint8_t *)(((uintptr_t)raw + huge - 1) & ~(huge - 1));
	uint8_t *src = malloc(huge);
	int16_t dev = dev_start(MANUAL_DEV, SVART_ACCEL_FAULT_BLOCK, 1);
	struct svart_accel_result r;

	(void)state;
	(void)madvise(m, huge, MADV_HUGEPAGE);
	m[0] = 1; /* may become a huge page */
	memset(src, 0x6b, huge);
	assert_true(svart_accel_copy(dev, 0, src, m, (uint32_t)huge, SVART_ACCEL_OP_SUBMIT) >= 0);
	one(dev, &r);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(m, src, huge);
	munmap(raw, len + huge);
	free(src);
	test_dev_close(dev);
}

/* Copy-on-write after fork: the device's write breaks the COW in the parent
 * only; the child keeps its copy. The child cannot use the parent's queue. */
static void
test_fork(void **state)
{
	int16_t dev = dev_start(MANUAL_DEV, SVART_ACCEL_FAULT_BLOCK, 1);
	size_t len = 2 * (size_t)pg;
	uint8_t *buf = test_fresh(len), *src = malloc(len);
	struct svart_accel_result r;
	int to_child[2], status;
	pid_t pid;

	(void)state;
	memset(buf, 0x10, len);
	memset(src, 0x20, len);
	assert_int_equal(pipe(to_child), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char go;
		int bad = 0;

		/* The inherited device, queue and PASID are not the child's. */
		bad |= svart_accel_copy(dev, 0, src, buf, 64, 0) < 0 ? 0 : 0;
		bad |= svart_accel_submit(dev, 0) != -EPERM;
		bad |= svart_sva_bind(dev, NULL) != -EPERM;
		bad |= svart_accel_stop(dev) != -EPERM;
		if (read(to_child[0], &go, 1) != 1)
			bad = 1;
		/* The parent's device writes did not reach the child's copy. */
		for (size_t i = 0; i < len; i++)
			bad |= buf[i] != 0x10;
		_exit(bad ? 1 : 0);
	}
	close(to_child[0]);
	/* buf's pages are now shared copy-on-write with the child. */
	assert_true(svart_accel_copy(dev, 0, src, buf, (uint32_t)len, SVART_ACCEL_OP_SUBMIT) >= 0);
	one(dev, &r);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(buf, src, len);
	assert_int_equal(write(to_child[1], "g", 1), 1);
	close(to_child[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	munmap(buf, len);
	free(src);
	test_dev_close(dev);
}

/* Unbind while a fault is outstanding; the PASID stays in quarantine until the
 * device drained it, and is reused only after that. */
static void
test_unbind_quarantine(void **state)
{
	int16_t dev = dev_start(MANUAL_DEV, SVART_ACCEL_FAULT_BLOCK, 1), dev2;
	uint8_t *dst = test_fresh((size_t)pg), src[64] = { 0 };
	struct svart_accel_result r;
	uint32_t p2 = 0, p3 = 0;
	int p1 = svart_sva_pasid(dev);

	(void)state;
	assert_true(p1 > 0);
	assert_int_equal(svart_sva_unbind(dev, 0), -EBUSY);          /* started: stop first */
	assert_int_equal(svart_sva_unbind(dev, 1u << 7), -EINVAL);
	assert_true(svart_accel_copy(dev, 0, src, dst, 64, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(svart_idxd_emu_poll(dev, 8), 0);           /* parked on the fault */
	assert_int_equal(svart_sva_unbind(dev, SVART_SVA_UNBIND_NOWAIT), 0);
	assert_true(svart_sva_pasid_quarantined((uint32_t)p1));
	assert_int_equal(svart_sva_pasid(dev), -ENOENT);
	assert_int_equal(svart_accel_submit(dev, 0), -ENOTCONN);
	/* The fault service must not answer for the dropped request. */
	svart_iopf_poll();
	/* Another device binds meanwhile: it cannot get the quarantined number. */
	dev2 = (int16_t)svart_accel_probe("idxd_emu_sva2,engine=manual");
	assert_int_equal(svart_sva_bind(dev2, &p2), 0);
	assert_int_not_equal(p2, (uint32_t)p1);
	/* The device finishes the op (the request was dropped: Invalid). */
	assert_int_equal(test_reap(dev, 0, 1, &r, true), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_PAGE_FAULT);
	assert_int_equal(r.hw_status, 0x04);
	/* Drained: out of quarantine, and the lowest free number again. */
	assert_int_equal(svart_sva_quarantine_reap(), 0);
	assert_false(svart_sva_pasid_quarantined((uint32_t)p1));
	assert_int_equal(svart_accel_stop(dev), 0);
	assert_int_equal(svart_sva_bind(dev, &p3), 0);
	assert_int_equal(p3, (uint32_t)p1);
	assert_int_equal(svart_sva_bind(dev, &p3), -EEXIST);
	assert_int_equal(svart_sva_unbind(dev, 0), 0);
	assert_int_equal(svart_sva_unbind(dev, 0), -ENOENT);
	assert_int_equal(svart_accel_close(dev2), 0);
	assert_int_equal(svart_accel_close(dev), 0);
	assert_int_equal(svart_sva_bind(dev, NULL), -ENODEV);
	munmap(dst, (size_t)pg);
}

/* The IOMMU's page request queue holds one request: the second engine's
 * request overflows, is answered Success by the IOMMU, and asks again. */
static void
test_prq_overflow(void **state)
{
	struct svart_accel_conf conf = { .nb_queues = 2 };
	struct svart_accel_queue_conf qc = { .nb_desc = NB_DESC, .hw_queue = SVART_ACCEL_HWQ_AUTO,
					     .fault_policy = SVART_ACCEL_FAULT_BLOCK };
	int16_t dev = (int16_t)svart_accel_probe("idxd_emu_ovf,engine=manual,engines=2,wqs=2,prq_size=1");
	uint8_t *d0 = test_fresh((size_t)pg), *d1 = test_fresh((size_t)pg), src[128];
	struct svart_accel_result r;
	struct svart_iopf_stats st;

	(void)state;
	memset(src, 5, sizeof(src));
	svart_iopf_stats_reset();
	assert_int_equal(svart_accel_configure(dev, &conf), 0);
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), 0);
	assert_int_equal(svart_accel_queue_setup(dev, 1, &qc), 0);
	assert_int_equal(svart_accel_start(dev), 0);
	assert_true(svart_accel_copy(dev, 0, src, d0, sizeof(src), SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_true(svart_accel_copy(dev, 1, src, d1, sizeof(src), SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(svart_idxd_emu_poll(dev, 8), 0);   /* both engines park; one overflows */
	assert_int_equal(svart_iopf_stats_get(&st), 0);
	assert_true(st.overflows >= 1);
	assert_int_equal(test_reap(dev, 0, 1, &r, true), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_int_equal(test_reap(dev, 1, 1, &r, true), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(d0, src, sizeof(src));
	assert_memory_equal(d1, src, sizeof(src));
	munmap(d0, (size_t)pg);
	munmap(d1, (size_t)pg);
	test_dev_close(dev);
}

static enum svart_iopf_verdict
hook(void *arg, uint32_t pasid, void *addr, size_t len, bool write)
{
	uint8_t *lazy = arg;

	(void)pasid;
	(void)write;
	if ((uint8_t *)addr < lazy || (uint8_t *)addr >= lazy + 4 * pg)
		return SVART_IOPF_DEFAULT;
	memset(addr, 0xee, len); /* "load" the data; the CPU write makes it present */
	return SVART_IOPF_RESOLVED;
}

/* Many faults at once from several queues, resolved by the fault service with
 * a resolver hook and fault-around; statistics and latency histogram. */
static void
test_many_faults_hook_around(void **state)
{
	struct svart_iopf_conf ic = { .mode = SVART_IOPF_MANUAL, .lcore = -1, .fault_around_max = 16 };
	size_t per = 64 * (size_t)pg;
	uint8_t *lazy = test_fresh(4 * (size_t)pg), *dst[4], *src = malloc(per), *out = malloc(4 * (size_t)pg);
	struct svart_accel_result r;
	struct svart_iopf_stats st;
	int16_t dev;

	(void)state;
	memset(src, 0x31, per);
	ic.resolver = hook;
	ic.resolver_arg = lazy;
	assert_int_equal(svart_iopf_stop(), 0);
	assert_int_equal(svart_iopf_start(&ic), 0);
	assert_int_equal(svart_iopf_start(&ic), -EALREADY);
	svart_iopf_stats_reset();
	dev = dev_start(MANUAL_DEV, SVART_ACCEL_FAULT_BLOCK, 4);
	for (uint16_t q = 0; q < 4; q++) {
		dst[q] = test_fresh(per);
		assert_true(svart_accel_copy(dev, q, src, dst[q], (uint32_t)per, SVART_ACCEL_OP_SUBMIT) >= 0);
	}
	for (uint16_t q = 0; q < 4; q++) {
		assert_int_equal(test_reap(dev, q, 1, &r, true), 1);
		assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
		assert_memory_equal(dst[q], src, per);
		munmap(dst[q], per);
	}
	/* The device reads lazily loaded data the hook provides. */
	assert_true(svart_accel_copy(dev, 0, lazy, out, (uint32_t)(4 * pg), SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(test_reap(dev, 0, 1, &r, true), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	for (long i = 0; i < 4 * pg; i++)
		assert_int_equal(out[i], 0xee);
	assert_int_equal(svart_iopf_stats_get(&st), 0);
	print_message("faults: %lu requests, %lu groups, %lu pages, %lu ahead, %lu by hook, "
		      "latency p50 %lu ns p99 %lu ns max %lu ns\n", (unsigned long)st.requests,
		      (unsigned long)st.groups, (unsigned long)st.pages,
		      (unsigned long)st.around_pages, (unsigned long)st.hook_resolved,
		      (unsigned long)st.latency.p50, (unsigned long)st.latency.p99,
		      (unsigned long)st.latency.max);
	assert_true(st.groups > 0);
	assert_true(st.hook_resolved > 0);
	/* Fault-around populated ahead, so fewer requests than pages were touched. */
	assert_true(st.around_pages > 0);
	assert_true(st.requests < 4 * 64 + 4);
	assert_int_equal(st.latency.count, st.groups);
	assert_true(st.latency.p50 <= st.latency.p99 && st.latency.p99 <= st.latency.max);
	assert_int_equal(svart_iopf_stats_get(NULL), -EINVAL);
	test_dev_close(dev);
	munmap(lazy, 4 * (size_t)pg);
	free(src);
	free(out);
}

/* A device that cannot do SVA answers -ENOTSUP. */
static void
test_bind_errors(void **state)
{
	(void)state;
	assert_int_equal(svart_sva_bind(55, NULL), -ENODEV);
	assert_int_equal(svart_sva_unbind(55, 0), -ENODEV);
	assert_int_equal(svart_sva_pasid(55), -ENODEV);
	assert_int_equal(svart_sva_invalidate(55, &pg, 8), -ENODEV);
	assert_int_equal(svart_sva_resolve(55, &pg, 8, 0), -ENODEV);
}

/* svart_sva_resolve: arguments, bad addresses, and a resolved page the
 * device then uses without a fault. */
static void
test_resolve(void **state)
{
	int16_t dev = dev_start(MANUAL_DEV, SVART_ACCEL_FAULT_REPORT, 1);
	size_t len = 2 * (size_t)pg;
	uint8_t *src = malloc(len), *dst = test_fresh(len);
	uint8_t *ro = mmap(NULL, (size_t)pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct svart_accel_result r;

	(void)state;
	assert_true(ro != MAP_FAILED);
	assert_int_equal(svart_sva_resolve(dev, dst, 0, 1), -EINVAL);
	/* Nothing mapped there; a write to a read-only mapping. */
	assert_int_equal(svart_sva_resolve(dev, (void *)(uintptr_t)(1ull << 46), 8, 0), -ENOMEM);
	assert_int_equal(svart_sva_resolve(dev, ro, 8, 1), -EFAULT);
	assert_int_equal(svart_sva_resolve(dev, ro, 8, 0), 0);
	/* Resolved for write: the device copies into it with no fault. */
	memset(src, 7, len);
	assert_int_equal(svart_sva_resolve(dev, dst, len, 1), 0);
	assert_true(svart_accel_copy(dev, 0, src, dst, (uint32_t)len, SVART_ACCEL_OP_SUBMIT) >= 0);
	one(dev, &r);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(dst, src, len);
	test_dev_close(dev);
	assert_int_equal(svart_sva_resolve(dev, dst, len, 1), -ENODEV);
	free(src);
	munmap(dst, len);
	munmap(ro, (size_t)pg);
}

static int
setup(void **state)
{
	struct svart_iopf_conf ic = { .mode = SVART_IOPF_MANUAL, .lcore = -1 };

	(void)state;
	return svart_iopf_start(&ic);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untouched_memory),
		cmocka_unit_test(test_report_policy),
		cmocka_unit_test(test_zero_page_then_write),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_group_with_bad_page),
		cmocka_unit_test(test_every_op_both_policies),
		cmocka_unit_test(test_resume_keeps_partial_results),
		cmocka_unit_test(test_file_mappings),
		cmocka_unit_test(test_munmap_race),
		cmocka_unit_test(test_thp),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_unbind_quarantine),
		cmocka_unit_test(test_prq_overflow),
		cmocka_unit_test(test_many_faults_hook_around),
		cmocka_unit_test(test_bind_errors),
		cmocka_unit_test(test_resolve),
	};
	int rc;

	(void)argc;
	pg = sysconf(_SC_PAGESIZE);
	if (test_eal_init(argv[0], "0") < 0)
		return 1;
	rc = cmocka_run_group_tests_name("sva", tests, setup, NULL);
	rte_eal_cleanup();
	return rc;
}
