/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Several lcores, each with its own queue, all submitting to one shared
 * hardware WQ (ENQCMD semantics). The WQ is small so submissions are refused
 * and retried; every op must complete exactly once with the right data. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include "svart_idxd_emu.h"
#include "test_common.h"

#define PRODUCERS 4
#define OPS_PER_PRODUCER 3000
#define OP_SIZE 256
#define NB_DESC 128
#define MAX_BURST 24

static int16_t dev;

struct producer {
	uint16_t queue;
	uint64_t done, errors, bad_data, busy;
};

static struct producer prod[PRODUCERS];

static int
producer_main(void *arg)
{
	struct producer *p = arg;
	struct svart_accel_result res[MAX_BURST];
	uint8_t (*dst)[OP_SIZE] = calloc(NB_DESC, OP_SIZE);
	uint8_t src[OP_SIZE];
	uint64_t sent = 0;
	unsigned int seed = p->queue;

	if (dst == NULL)
		return -1;
	memset(src, 0x30 + p->queue, sizeof(src));
	for (uint64_t spin = 0; p->done < OPS_PER_PRODUCER && spin < TEST_POLL_LIMIT; spin++) {
		unsigned int burst = 1 + (unsigned int)rand_r(&seed) % MAX_BURST;
		uint16_t n;

		for (unsigned int k = 0; k < burst && sent < OPS_PER_PRODUCER; k++) {
			int idx = svart_accel_copy(dev, p->queue, src, dst[sent % NB_DESC], OP_SIZE, 0);

			if (idx < 0)
				break;
			sent++;
		}
		if (svart_accel_submit(dev, p->queue) == -EBUSY)
			p->busy++;
		n = svart_accel_completed_status(dev, p->queue, MAX_BURST, NULL, res);
		for (uint16_t i = 0; i < n; i++) {
			uint64_t op = p->done + i;

			if (res[i].status != SVART_ACCEL_ST_SUCCESS)
				p->errors++;
			else if (memcmp(dst[op % NB_DESC], src, OP_SIZE) != 0)
				p->bad_data++;
		}
		p->done += n;
	}
	free(dst);
	return 0;
}

static void
test_shared_wq_producers(void **state)
{
	struct svart_accel_conf conf = { .nb_queues = PRODUCERS };
	struct svart_accel_queue_conf qc = { .nb_desc = NB_DESC, .mode = SVART_ACCEL_QUEUE_SHARED,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO, .hw_entries = 4,
					     .fault_policy = SVART_ACCEL_FAULT_REPORT };
	struct svart_accel_stats st;
	unsigned int lc, i = 1;
	int id;

	(void)state;
	id = svart_accel_probe("idxd_emu_swq,engine=thread");
	assert_true(id >= 0);
	dev = (int16_t)id;
	assert_int_equal(svart_accel_configure(dev, &conf), 0);
	for (uint16_t q = 0; q < PRODUCERS; q++) {
		assert_int_equal(svart_accel_queue_setup(dev, q, &qc), 0);
		prod[q].queue = q;
	}
	assert_int_equal(svart_accel_start(dev), 0);
	RTE_LCORE_FOREACH_WORKER(lc) {
		if (i < PRODUCERS)
			assert_int_equal(rte_eal_remote_launch(producer_main, &prod[i++], lc), 0);
	}
	assert_int_equal(i, PRODUCERS);
	producer_main(&prod[0]);
	rte_eal_mp_wait_lcore();
	for (uint16_t q = 0; q < PRODUCERS; q++) {
		assert_int_equal(prod[q].done, OPS_PER_PRODUCER);
		assert_int_equal(prod[q].errors, 0);
		assert_int_equal(prod[q].bad_data, 0);
		assert_int_equal(svart_accel_stats_get(dev, q, &st), 0);
		assert_int_equal(st.submitted, OPS_PER_PRODUCER);
		assert_int_equal(st.completed, OPS_PER_PRODUCER);
	}
	assert_int_equal(svart_accel_stats_get(dev, SVART_ACCEL_ALL_QUEUES, &st), 0);
	print_message("shared WQ: %" PRIu64 " hardware submissions, %" PRIu64 " refused and retried\n",
		      st.hw_submits, st.retries);
	test_dev_close(dev);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_wq_producers),
	};
	int rc;

	(void)argc;
	/* Four lcores on whatever CPUs exist: 0 and 2 on CPU 0, 1 and 3 on CPU 1. */
	if (test_eal_init(argv[0], sysconf(_SC_NPROCESSORS_ONLN) >= 2 ?
			  "0@0,1@1,2@0,3@1" : "0@0,1@0,2@0,3@0") < 0)
		return 1;
	rc = cmocka_run_group_tests_name("shared_wq", tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
