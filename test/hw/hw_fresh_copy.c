/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* hw_fresh_copy: the device writes and reads memory no one has touched, and
 * every byte is checked. Run by test/hw/run-hw-tests.sh on each real DSA path
 * (and by meson on the emulated device, so that it stays correct).
 *
 * Usage: hw_fresh_copy [EAL options] -- [--resume] DEVARGS
 *
 * Cases, each on fresh mmap'd memory (a page the CPU never touched has no
 * page-table entry, so the device's first access faults):
 *  - copy into fresh memory: unaligned start, crossing many pages; the bytes
 *    around the destination must stay zero;
 *  - copy from fresh memory into written memory: the result is all zero (a
 *    read fault on untouched anonymous memory maps the zero page);
 *  - fill of fresh memory (when the device has FILL);
 *  - one burst of small copies, each into a page of its own (many faults
 *    outstanding at once).
 * The queue blocks on faults when the device can (unless --resume), else the
 * PMD resumes the partial completions. Exit 0
 * when every byte is right, 1 otherwise, 2 on a bad command line. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_pause.h>

#include "svart_accel.h"
#include "svart_iopf.h"
#include "svart_sva.h"

#define FC_PAGE 4096u
#define FC_COPY_LEN (256u * 1024 + 123)   /* many pages, ragged end */
#define FC_DST_OFFSET 3u                  /* unaligned start inside the first page */
#define FC_GUARD_PAGES 2u                 /* pages around the copy that must stay zero */
#define FC_BURST 32u                      /* small copies, one fresh page each */
#define FC_BURST_LEN 64u
#define FC_NB_DESC 256
#define FC_SRC_MUL 31u                    /* source pattern: byte i = i * 31 + 7 */
#define FC_SRC_ADD 7u
#define FC_DIRTY 0xa5                     /* what the destination held before */
#define FC_FILL_PATTERN 0x0123456789abcdefull
#define FC_FILL_BYTES 8u
#define FC_BYTE_BITS 8u
#define FC_TIMEOUT_S 10                   /* an op not done by then is a failure */
#define FC_KERNEL_FAULTS_DRIVER "idxd_cdev" /* the kernel resolves its faults */
#define FC_EXIT_FAIL 1
#define FC_EXIT_USAGE 2

struct fc_dev {
	int16_t id;
	struct svart_accel_info info;
	bool block;   /* the queue blocks on faults (else the PMD resumes them) */
};

static void *
fresh(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Give memory the device used back: munmap, then tell the device (its
 * translations of the range must go: doc/drivers/idxd-vfio.md, Use). The next
 * mmap may get the same addresses, which must fault again. */
static int
release(const struct fc_dev *d, void *p, size_t len, int rc)
{
	int irc;

	if (p == NULL)
		return rc;
	munmap(p, len);
	irc = svart_sva_invalidate(d->id, p, len);
	if (irc != 0 && irc != -ENOENT) {
		printf("FAIL svart_sva_invalidate after munmap: %s\n", strerror(-irc));
		return rc != 0 ? rc : irc;
	}
	return rc;
}

static uint8_t
src_byte(size_t i)
{
	return (uint8_t)(i * FC_SRC_MUL + FC_SRC_ADD);
}

/* Wait for n completions (the fault service is polled here). @return 0, or -EIO
 * naming the first op that failed, or -ETIMEDOUT. */
static int
wait_done(const struct fc_dev *d, uint16_t n, const char *what)
{
	uint64_t deadline = rte_get_timer_cycles() + FC_TIMEOUT_S * rte_get_timer_hz();
	struct svart_accel_result r;
	uint16_t done = 0;

	while (done < n) {
		(void)svart_iopf_poll();
		if (svart_accel_completed_status(d->id, 0, 1, NULL, &r) == 0) {
			if (rte_get_timer_cycles() > deadline) {
				printf("FAIL %s: %u of %u ops not done after %d s\n", what,
				       n - done, n, FC_TIMEOUT_S);
				return -ETIMEDOUT;
			}
			rte_pause();
			continue;
		}
		if (r.status != SVART_ACCEL_ST_SUCCESS) {
			printf("FAIL %s: op %u ended with status %u, hw status 0x%x, fault address "
			       "0x%" PRIx64 "\n", what, done, r.status, r.hw_status, r.fault_addr);
			return -EIO;
		}
		done++;
	}
	return 0;
}

/* Compare len bytes with what is expected; report the first difference. */
static int
check(const char *what, const uint8_t *p, size_t len, uint8_t (*want)(size_t, const void *),
      const void *arg)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != want(i, arg)) {
			printf("FAIL %s: byte %zu is 0x%02x, expected 0x%02x\n", what, i, p[i],
			       want(i, arg));
			return -EIO;
		}
	return 0;
}

static uint8_t
want_zero(size_t i, const void *arg)
{
	RTE_SET_USED(i);
	RTE_SET_USED(arg);
	return 0;
}

static uint8_t
want_src(size_t i, const void *arg)
{
	return src_byte(i + *(const size_t *)arg);
}

static uint8_t
want_fill(size_t i, const void *arg)
{
	RTE_SET_USED(arg);
	return (uint8_t)(FC_FILL_PATTERN >> (FC_BYTE_BITS * (i % FC_FILL_BYTES)));
}

static int
case_copy_to_fresh(const struct fc_dev *d)
{
	size_t dst_len = FC_COPY_LEN + FC_DST_OFFSET + FC_GUARD_PAGES * FC_PAGE, zero = 0;
	uint8_t *src = fresh(FC_COPY_LEN), *dst = fresh(dst_len);
	int rc = src == NULL || dst == NULL ? -ENOMEM : 0;

	for (size_t i = 0; rc == 0 && i < FC_COPY_LEN; i++)
		src[i] = src_byte(i);
	if (rc == 0 && svart_accel_copy(d->id, 0, src, dst + FC_DST_OFFSET, FC_COPY_LEN,
					SVART_ACCEL_OP_SUBMIT) < 0)
		rc = -EIO;
	if (rc == 0)
		rc = wait_done(d, 1, "copy into fresh memory");
	if (rc == 0)
		rc = check("copy into fresh memory", dst + FC_DST_OFFSET, FC_COPY_LEN, want_src, &zero);
	if (rc == 0)
		rc = check("bytes before the copy", dst, FC_DST_OFFSET, want_zero, NULL);
	if (rc == 0)
		rc = check("bytes after the copy", dst + FC_DST_OFFSET + FC_COPY_LEN,
			   dst_len - FC_DST_OFFSET - FC_COPY_LEN, want_zero, NULL);
	rc = release(d, src, FC_COPY_LEN, rc);
	rc = release(d, dst, dst_len, rc);
	return rc;
}

static int
case_copy_from_fresh(const struct fc_dev *d)
{
	uint8_t *src = fresh(FC_COPY_LEN), *dst = fresh(FC_COPY_LEN);
	int rc = src == NULL || dst == NULL ? -ENOMEM : 0;

	if (rc == 0)
		memset(dst, FC_DIRTY, FC_COPY_LEN);
	if (rc == 0 && svart_accel_copy(d->id, 0, src, dst, FC_COPY_LEN, SVART_ACCEL_OP_SUBMIT) < 0)
		rc = -EIO;
	if (rc == 0)
		rc = wait_done(d, 1, "copy from fresh memory");
	if (rc == 0)
		rc = check("copy from fresh memory", dst, FC_COPY_LEN, want_zero, NULL);
	rc = release(d, src, FC_COPY_LEN, rc);
	rc = release(d, dst, FC_COPY_LEN, rc);
	return rc;
}

static int
case_fill_fresh(const struct fc_dev *d)
{
	uint8_t *dst = fresh(FC_COPY_LEN);
	int rc = dst == NULL ? -ENOMEM : 0;

	if (rc == 0 && svart_accel_fill(d->id, 0, FC_FILL_PATTERN, dst, FC_COPY_LEN,
					SVART_ACCEL_OP_SUBMIT) < 0)
		rc = -EIO;
	if (rc == 0)
		rc = wait_done(d, 1, "fill of fresh memory");
	if (rc == 0)
		rc = check("fill of fresh memory", dst, FC_COPY_LEN, want_fill, NULL);
	rc = release(d, dst, FC_COPY_LEN, rc);
	return rc;
}

/* One burst, FC_BURST copies of FC_BURST_LEN bytes, copy k into page k at an
 * offset of its own; the rest of every page must stay zero. */
static int
case_burst_fresh(const struct fc_dev *d)
{
	size_t len = (size_t)FC_BURST * FC_PAGE;
	uint8_t *src = fresh(FC_PAGE), *dst = fresh(len);
	int rc = src == NULL || dst == NULL ? -ENOMEM : 0;
	char what[64];

	for (size_t i = 0; rc == 0 && i < FC_PAGE; i++)
		src[i] = src_byte(i);
	for (uint32_t k = 0; rc == 0 && k < FC_BURST; k++) {
		size_t off = (k * FC_BURST_LEN) % (FC_PAGE - FC_BURST_LEN);

		if (svart_accel_copy(d->id, 0, src + off, dst + k * FC_PAGE + off, FC_BURST_LEN,
				     k + 1 == FC_BURST ? SVART_ACCEL_OP_SUBMIT : 0) < 0)
			rc = -EIO;
	}
	if (rc == 0)
		rc = wait_done(d, FC_BURST, "burst into fresh pages");
	for (uint32_t k = 0; rc == 0 && k < FC_BURST; k++) {
		size_t off = (k * FC_BURST_LEN) % (FC_PAGE - FC_BURST_LEN);
		uint8_t *pg = dst + k * FC_PAGE;

		snprintf(what, sizeof(what), "burst, page %u", k);
		rc = check(what, pg, off, want_zero, NULL);
		if (rc == 0)
			rc = check(what, pg + off, FC_BURST_LEN, want_src, &off);
		if (rc == 0)
			rc = check(what, pg + off + FC_BURST_LEN, FC_PAGE - off - FC_BURST_LEN,
				   want_zero, NULL);
	}
	rc = release(d, src, FC_PAGE, rc);
	rc = release(d, dst, len, rc);
	return rc;
}

static int
dev_open(struct fc_dev *d, const char *devargs, bool resume)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = { .nb_desc = FC_NB_DESC,
					     .mode = SVART_ACCEL_QUEUE_DEDICATED,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO };
	int rc = svart_accel_probe(devargs);

	if (rc < 0) {
		printf("FAIL probe of '%s': %s\n", devargs, strerror(-rc));
		return rc;
	}
	d->id = (int16_t)rc;
	rc = svart_accel_info_get(d->id, &d->info);
	if (rc != 0) {
		printf("FAIL no information on '%s': %s\n", devargs, strerror(-rc));
		return rc;
	}
	if (!(d->info.capa & SVART_ACCEL_CAPA_DEDICATED))
		qc.mode = SVART_ACCEL_QUEUE_SHARED;
	qc.fault_policy = d->info.capa & SVART_ACCEL_CAPA_PAGE_FAULT && !resume ?
			  SVART_ACCEL_FAULT_BLOCK : SVART_ACCEL_FAULT_RESUME;
	d->block = qc.fault_policy == SVART_ACCEL_FAULT_BLOCK;
	rc = svart_accel_configure(d->id, &conf);
	if (rc == 0)
		rc = svart_accel_queue_setup(d->id, 0, &qc);
	if (rc == 0)
		rc = svart_accel_start(d->id);
	if (rc != 0)
		printf("FAIL cannot start '%s': %s\n", devargs, strerror(-rc));
	else
		printf("%s (driver %s): %s queue, %s policy\n", d->info.name, d->info.driver_name,
		       qc.mode == SVART_ACCEL_QUEUE_SHARED ? "shared" : "dedicated",
		       qc.fault_policy == SVART_ACCEL_FAULT_BLOCK ? "block" : "resume");
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(const struct fc_dev *);
		int need_op; /* the op the case needs */
	} cases[] = {
		{ "copy into fresh memory", case_copy_to_fresh, SVART_ACCEL_OP_COPY },
		{ "copy from fresh memory", case_copy_from_fresh, SVART_ACCEL_OP_COPY },
		{ "fill of fresh memory", case_fill_fresh, SVART_ACCEL_OP_FILL },
		{ "burst into fresh pages", case_burst_fresh, SVART_ACCEL_OP_COPY },
	};
	struct svart_iopf_conf ic = { .mode = SVART_IOPF_MANUAL, .lcore = -1, .numa_node = -1 };
	struct fc_dev d = { .id = -1 };
	struct svart_iopf_stats st;
	unsigned int failed = 0, passed = 0, skipped = 0;
	bool resume;
	int rc, n = rte_eal_init(argc, argv);

	if (n < 0) {
		fprintf(stderr, "hw_fresh_copy: EAL init failed: %s\n", rte_strerror(rte_errno));
		return FC_EXIT_FAIL;
	}
	argc -= n;
	argv += n;
	resume = argc == 3 && strcmp(argv[1], "--resume") == 0;
	if (argc != 2 + resume || argv[argc - 1][0] == '-') {
		fprintf(stderr, "usage: hw_fresh_copy [EAL options] -- [--resume] DEVARGS\n");
		return FC_EXIT_USAGE;
	}
	rc = svart_iopf_start(&ic);
	if (rc != 0)
		printf("FAIL cannot start the fault service: %s\n", strerror(-rc));
	if (rc != 0 || dev_open(&d, argv[argc - 1], resume) != 0) {
		failed = 1;
	} else {
		for (size_t i = 0; i < RTE_DIM(cases); i++) {
			if (!(d.info.op_capa & (1ull << cases[i].need_op))) {
				printf("SKIP %s: %s does not have the op\n", cases[i].name, d.info.name);
				skipped++;
				continue;
			}
			rc = cases[i].run(&d);
			if (rc == 0) {
				printf("PASS %s\n", cases[i].name);
				passed++;
			} else {
				printf("FAIL %s: %s\n", cases[i].name, strerror(-rc));
				failed++;
			}
		}
	}
	/* The memory was fresh only if the device faulted on it: blocked faults
	 * come to svart's fault service, except on idxd_cdev, whose faults the
	 * kernel resolves (under the resume policy the PMD touches the pages). */
	if (failed == 0 && svart_iopf_stats_get(&st) == 0) {
		printf("fault service: %" PRIu64 " page requests, %" PRIu64 " pages resolved\n",
		       st.requests, st.pages);
		if (d.block && st.requests == 0 && strcmp(d.info.driver_name, FC_KERNEL_FAULTS_DRIVER) != 0) {
			printf("FAIL no page request reached the fault service: the memory was not "
			       "fresh to the device, or its faults bypassed svart\n");
			failed++;
		}
	}
	/* The summary in cmocka's words, which test/summarize.py counts. */
	printf("[==========] %u test(s) run.\n[  PASSED  ] %u test(s).\n", passed + failed, passed);
	if (skipped > 0)
		printf("[  SKIPPED ] %u test(s)\n", skipped);
	if (failed > 0)
		printf("[  FAILED  ] %u test(s), listed below: the FAIL lines above\n", failed);
	if (d.id >= 0) {
		svart_accel_stop(d.id);
		svart_accel_close(d.id);
	}
	if (svart_iopf_running())
		svart_iopf_stop();
	rte_eal_cleanup();
	return failed == 0 ? 0 : FC_EXIT_FAIL;
}
