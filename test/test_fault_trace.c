/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The emulated device's fault-stage trace (svart_idxd_emu_fault_trace_*),
 * which svart-faultperf's per-stage table is made of, through the public API
 * with the engine and the fault service stepped by the test (one thread: the
 * stamps of one fault must come in stage order):
 *  1. one fault gives one record, every stamp set and in order, at the page;
 *  2. a trace that is stopped records nothing more (and the records stay);
 *  3. a full trace keeps its records and counts the faults it dropped;
 *  4. bad arguments and devices are refused with the errno the header names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>

#include "svart_idxd_emu.h"
#include "svart_iopf.h"
#include "test_common.h"

#define NB_DESC 64
#define LEN 64
#define TRACE_CAP 8
#define TRACE_LIMIT (1u << 20)
#define SRC_FILL 0x3c

static long pg;

static int16_t
dev_start(void)
{
	static int n;
	char args[96];
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = { .nb_desc = NB_DESC, .mode = SVART_ACCEL_QUEUE_DEDICATED,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO,
					     .fault_policy = SVART_ACCEL_FAULT_BLOCK };
	struct svart_iopf_conf ic = { .mode = SVART_IOPF_MANUAL, .lcore = -1, .numa_node = -1 };
	int id;

	snprintf(args, sizeof(args), "idxd_emu_trace%d,engine=manual,pri_timeout_ms=60000", n++);
	id = svart_accel_probe(args);
	assert_true(id >= 0);
	assert_int_equal(svart_accel_configure((int16_t)id, &conf), 0);
	assert_int_equal(svart_accel_queue_setup((int16_t)id, 0, &qc), 0);
	assert_int_equal(svart_accel_start((int16_t)id), 0);
	svart_iopf_stop();
	assert_int_equal(svart_iopf_start(&ic), 0);
	return (int16_t)id;
}

/* A 64 B copy into a fresh page (one page request), run to its completion. */
static void
fault_once(int16_t dev, uint8_t *page)
{
	uint8_t src[LEN];
	struct svart_accel_result r;

	memset(src, SRC_FILL, sizeof(src));
	assert_true(svart_accel_copy(dev, 0, src, page, LEN, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(test_reap(dev, 0, 1, &r, true), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(page, src, LEN);
}

static void
test_one_fault_in_order(void **state)
{
	int16_t dev = dev_start();
	uint8_t *page = test_fresh((size_t)pg);
	struct svart_idxd_emu_fault_stamps s[TRACE_CAP];
	uint64_t dropped = 1;

	(void)state;
	assert_int_equal(svart_idxd_emu_fault_trace_start(dev, TRACE_CAP), 0);
	fault_once(dev, page);
	assert_int_equal(svart_idxd_emu_fault_trace_read(dev, s, TRACE_CAP, &dropped), 1);
	assert_int_equal(dropped, 0);
	assert_int_equal(s[0].addr & ~(uint64_t)(pg - 1), (uint64_t)(uintptr_t)page);
	assert_true(s[0].start != 0);
	/* Stage order: start <= raise <= read <= answer <= respond <= seen <= done. */
	assert_true(s[0].start <= s[0].raise);
	assert_true(s[0].raise <= s[0].read);
	assert_true(s[0].read <= s[0].answer);
	assert_true(s[0].answer <= s[0].respond);
	assert_true(s[0].respond <= s[0].seen);
	assert_true(s[0].seen <= s[0].done);
	assert_int_equal(svart_idxd_emu_fault_trace_stop(dev), 0);
	munmap(page, (size_t)pg);
	test_dev_close(dev);
}

static void
test_stopped_records_nothing(void **state)
{
	int16_t dev = dev_start();
	uint8_t *a = test_fresh((size_t)pg), *b = test_fresh((size_t)pg);
	struct svart_idxd_emu_fault_stamps s[TRACE_CAP];

	(void)state;
	assert_int_equal(svart_idxd_emu_fault_trace_start(dev, TRACE_CAP), 0);
	fault_once(dev, a);
	assert_int_equal(svart_idxd_emu_fault_trace_stop(dev), 0);
	fault_once(dev, b);
	assert_int_equal(svart_idxd_emu_fault_trace_read(dev, s, TRACE_CAP, NULL), 1);
	assert_int_equal(s[0].addr & ~(uint64_t)(pg - 1), (uint64_t)(uintptr_t)a);
	assert_int_equal(svart_idxd_emu_fault_trace_stop(dev), -ENOENT);
	munmap(a, (size_t)pg);
	munmap(b, (size_t)pg);
	test_dev_close(dev);
}

static void
test_full_counts_dropped(void **state)
{
	int16_t dev = dev_start();
	uint8_t *m = test_fresh(3 * (size_t)pg);
	struct svart_idxd_emu_fault_stamps s[TRACE_CAP];
	uint64_t dropped = 0;

	(void)state;
	assert_int_equal(svart_idxd_emu_fault_trace_start(dev, 1), 0);
	for (int i = 0; i < 3; i++)
		fault_once(dev, m + i * pg);
	assert_int_equal(svart_idxd_emu_fault_trace_read(dev, s, TRACE_CAP, &dropped), 1);
	assert_int_equal(dropped, 2);
	assert_int_equal(s[0].addr & ~(uint64_t)(pg - 1), (uint64_t)(uintptr_t)m);
	/* A new trace starts empty. */
	assert_int_equal(svart_idxd_emu_fault_trace_start(dev, 1), 0);
	assert_int_equal(svart_idxd_emu_fault_trace_read(dev, s, TRACE_CAP, &dropped), 0);
	assert_int_equal(dropped, 0);
	munmap(m, 3 * (size_t)pg);
	test_dev_close(dev);
}

static void
test_bad_arguments(void **state)
{
	int16_t dev = dev_start();
	struct svart_idxd_emu_fault_stamps s[1];
	int null_dev = svart_accel_probe("idxd_null_trace");

	(void)state;
	assert_int_equal(svart_idxd_emu_fault_trace_read(dev, s, 1, NULL), -ENOENT);
	assert_int_equal(svart_idxd_emu_fault_trace_stop(dev), -ENOENT);
	assert_int_equal(svart_idxd_emu_fault_trace_start(dev, 0), -EINVAL);
	assert_int_equal(svart_idxd_emu_fault_trace_start(dev, TRACE_LIMIT + 1), -EINVAL);
	assert_int_equal(svart_idxd_emu_fault_trace_start(dev, TRACE_LIMIT), 0);
	assert_int_equal(svart_idxd_emu_fault_trace_read(dev, NULL, 1, NULL), -EINVAL);
	assert_int_equal(svart_idxd_emu_fault_trace_read(dev, NULL, 0, NULL), 0);
	assert_int_equal(svart_idxd_emu_fault_trace_start(-1, 1), -ENODEV);
	assert_int_equal(svart_idxd_emu_fault_trace_stop(INT16_MAX), -ENODEV);
	assert_int_equal(svart_idxd_emu_fault_trace_read(-1, s, 1, NULL), -ENODEV);
	/* The null device is not the emulated DSA: it keeps no trace. */
	assert_true(null_dev >= 0);
	assert_int_equal(svart_idxd_emu_fault_trace_start((int16_t)null_dev, 1), -ENODEV);
	svart_accel_close((int16_t)null_dev);
	test_dev_close(dev);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_fault_in_order),
		cmocka_unit_test(test_stopped_records_nothing),
		cmocka_unit_test(test_full_counts_dropped),
		cmocka_unit_test(test_bad_arguments),
	};
	int rc;

	(void)argc;
	pg = sysconf(_SC_PAGESIZE);
	if (test_eal_init(argv[0], NULL) < 0)
		return 1;
	rc = cmocka_run_group_tests_name("fault_trace", tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
