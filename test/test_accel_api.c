/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Control-path and fast-path argument and state errors, each with its exact
 * errno; queue full; hardware credits; stats. Engines are stepped by hand
 * (engine=manual) so nothing here depends on timing. */
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>

#include "svart_idxd_emu.h"
#include "test_common.h"

static const struct svart_accel_queue_conf qc_ded = {
	.nb_desc = 64, .mode = SVART_ACCEL_QUEUE_DEDICATED, .hw_queue = SVART_ACCEL_HWQ_AUTO,
};

static void
test_probe_errors(void **state)
{
	int id;

	(void)state;
	assert_int_equal(svart_accel_probe(NULL), -EINVAL);
	assert_int_equal(svart_accel_probe(""), -EINVAL);
	assert_int_equal(svart_accel_probe(",wqs=2"), -EINVAL);
	assert_int_equal(svart_accel_probe("nosuchdriver0"), -ENODEV);
	assert_int_equal(svart_accel_probe("idxd_emu_p,bogus=1"), -EINVAL);
	assert_int_equal(svart_accel_probe("idxd_emu_p,wqs=abc"), -EINVAL);
	assert_int_equal(svart_accel_probe("idxd_emu_p,wqs=0"), -EINVAL);
	assert_int_equal(svart_accel_probe("idxd_emu_p,wqs=100"), -EINVAL);
	assert_int_equal(svart_accel_probe("idxd_emu_p,engine=warp"), -EINVAL);
	assert_int_equal(svart_accel_probe("idxd_emu_p,modes=none"), -EINVAL);
	id = svart_accel_probe("idxd_emu_p,engine=manual");
	assert_true(id >= 0);
	assert_int_equal(svart_accel_probe("idxd_emu_p,engine=manual"), -EEXIST);
	assert_int_equal(svart_accel_get_dev_id("idxd_emu_p"), id);
	assert_int_equal(svart_accel_get_dev_id("nope"), -ENODEV);
	assert_int_equal(svart_accel_get_dev_id(NULL), -EINVAL);
	assert_true(svart_accel_is_valid((int16_t)id));
	assert_int_equal(svart_accel_close((int16_t)id), 0);
	assert_false(svart_accel_is_valid((int16_t)id));
	assert_int_equal(svart_accel_close((int16_t)id), -ENODEV);
}

static void
test_unknown_device(void **state)
{
	struct svart_accel_info info;
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_stats st;

	(void)state;
	assert_int_equal(svart_accel_info_get(-1, &info), -ENODEV);
	assert_int_equal(svart_accel_info_get(SVART_ACCEL_MAX_DEVS, &info), -ENODEV);
	assert_int_equal(svart_accel_configure(7, &conf), -ENODEV);
	assert_int_equal(svart_accel_queue_setup(7, 0, &qc_ded), -ENODEV);
	assert_int_equal(svart_accel_start(7), -ENODEV);
	assert_int_equal(svart_accel_stop(7), -ENODEV);
	assert_int_equal(svart_accel_stats_get(7, 0, &st), -ENODEV);
	assert_int_equal(svart_accel_stats_reset(7, 0), -ENODEV);
	assert_int_equal(svart_accel_dump(7, stdout), -ENODEV);
}

static void
test_lifecycle_errors(void **state)
{
	struct svart_accel_conf conf = { .nb_queues = 2 };
	struct svart_accel_queue_conf qc = qc_ded;
	struct svart_accel_info info;
	struct svart_accel_stats st;
	int16_t dev;
	int id;

	(void)state;
	id = svart_accel_probe("idxd_emu_l,engine=manual,wqs=4,wq_entries=16");
	assert_true(id >= 0);
	dev = (int16_t)id;
	assert_int_equal(svart_accel_info_get(dev, NULL), -EINVAL);
	assert_int_equal(svart_accel_info_get(dev, &info), 0);
	assert_int_equal(info.hw_queues, 4);
	assert_int_equal(info.hw_queue_entries, 16);
	assert_string_equal(info.driver_name, "idxd_emu");

	/* Order: queue setup and start need configure. */
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), -EINVAL);
	assert_int_equal(svart_accel_start(dev), -EINVAL);
	assert_int_equal(svart_accel_configure(dev, NULL), -EINVAL);
	conf.nb_queues = 0;
	assert_int_equal(svart_accel_configure(dev, &conf), -EINVAL);
	conf.nb_queues = info.max_queues + 1;
	assert_int_equal(svart_accel_configure(dev, &conf), -EINVAL);
	conf.nb_queues = 2;
	assert_int_equal(svart_accel_configure(dev, &conf), 0);

	/* Queue arguments. */
	assert_int_equal(svart_accel_queue_setup(dev, 2, &qc), -EINVAL);
	assert_int_equal(svart_accel_queue_setup(dev, 0, NULL), -EINVAL);
	qc.nb_desc = 100;
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), -EINVAL);
	qc.nb_desc = info.min_desc / 2;
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), -EINVAL);
	qc.nb_desc = (uint16_t)(info.max_desc * 2);
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), -EINVAL);
	qc = qc_ded;
	qc.priority = 16;
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), -EINVAL);
	qc = qc_ded;
	qc.mode = 9;
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), -EINVAL);
	qc = qc_ded;
	qc.hw_queue = 4;
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), -EINVAL);
	qc.hw_queue = -2;
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), -EINVAL);
	qc = qc_ded;
	qc.hw_entries = 17;
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), -EINVAL);

	/* A dedicated WQ has one user; entries are a budget. */
	qc = qc_ded;
	qc.hw_queue = 1;
	qc.hw_entries = 12;
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), 0);
	qc.hw_entries = 4;
	assert_int_equal(svart_accel_queue_setup(dev, 1, &qc), -EBUSY);
	qc.hw_queue = 2;
	qc.hw_entries = 5;
	assert_int_equal(svart_accel_queue_setup(dev, 1, &qc), -ENOSPC);
	qc.hw_entries = 4;
	assert_int_equal(svart_accel_queue_setup(dev, 1, &qc), 0);

	assert_int_equal(svart_accel_start(dev), 0);
	assert_int_equal(svart_accel_start(dev), 0);   /* already started */
	assert_int_equal(svart_accel_configure(dev, &conf), -EBUSY);
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc_ded), -EBUSY);
	assert_int_equal(svart_accel_close(dev), -EBUSY);
	assert_int_equal(svart_accel_stats_get(dev, 2, &st), -EINVAL);
	assert_int_equal(svart_accel_stats_get(dev, 0, NULL), -EINVAL);
	assert_int_equal(svart_accel_stats_reset(dev, 5), -EINVAL);
	assert_int_equal(svart_accel_stats_get(dev, SVART_ACCEL_ALL_QUEUES, &st), 0);
	assert_int_equal(svart_accel_dump(dev, NULL), -EINVAL);
	assert_int_equal(svart_accel_stop(dev), 0);
	assert_int_equal(svart_accel_stop(dev), 0);    /* already stopped */
	/* Restart after stop works; reconfigure releases the queues. */
	assert_int_equal(svart_accel_start(dev), 0);
	assert_int_equal(svart_accel_stop(dev), 0);
	conf.nb_queues = 1;
	assert_int_equal(svart_accel_configure(dev, &conf), 0);
	assert_int_equal(svart_accel_start(dev), -EINVAL); /* queue 0 not set up again */
	assert_int_equal(svart_accel_close(dev), 0);
}

static void
test_mode_not_supported(void **state)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = qc_ded;
	int id;

	(void)state;
	id = svart_accel_probe("idxd_emu_m,engine=manual,modes=dedicated");
	assert_true(id >= 0);
	assert_int_equal(svart_accel_configure((int16_t)id, &conf), 0);
	qc.mode = SVART_ACCEL_QUEUE_SHARED;
	assert_int_equal(svart_accel_queue_setup((int16_t)id, 0, &qc), -ENOTSUP);
	assert_int_equal(svart_accel_close((int16_t)id), 0);
}

static void
test_fast_path_arguments(void **state)
{
	struct svart_accel_op op = { .type = SVART_ACCEL_OP_MAX };
	uint8_t buf[64];
	int16_t dev;

	(void)state;
	dev = test_dev_start("idxd_emu_f,engine=manual,max_xfer_shift=12", 1,
			     SVART_ACCEL_QUEUE_DEDICATED, 64);
	assert_int_equal(svart_accel_enqueue(dev, 0, &op), -EINVAL);
	op.type = 200;
	assert_int_equal(svart_accel_enqueue(dev, 0, &op), -EINVAL);
	op.type = SVART_ACCEL_OP_NOP;
	op.flags = 1u << 20;
	assert_int_equal(svart_accel_enqueue(dev, 0, &op), -EINVAL);
	assert_int_equal(svart_accel_copy(dev, 0, buf, buf, 64, 1u << 20), -EINVAL);
	assert_int_equal(svart_accel_copy(dev, 0, buf, buf, 4097, 0), -EINVAL);
	assert_int_equal(svart_accel_copy(dev, 0, buf, buf, 64, 0), 0); /* the limit itself is fine */
	test_dev_close(dev);
}

/* The ring holds nb_desc - 1 ops; the next enqueue gets -ENOSPC and nothing is lost. */
static void
test_queue_full(void **state)
{
	struct svart_accel_result res[64];
	uint8_t src[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, dst[64][8];
	int16_t dev;
	int i;

	(void)state;
	memset(dst, 0, sizeof(dst));
	dev = test_dev_start("idxd_emu_q,engine=manual", 1, SVART_ACCEL_QUEUE_DEDICATED, 64);
	assert_int_equal(svart_accel_burst_capacity(dev, 0), 63);
	for (i = 0; i < 63; i++)
		assert_int_equal(svart_accel_copy(dev, 0, src, dst[i], 8, 0), i);
	assert_int_equal(svart_accel_copy(dev, 0, src, dst[63], 8, 0), -ENOSPC);
	assert_int_equal(svart_accel_burst_capacity(dev, 0), 0);
	assert_int_equal(svart_accel_submit(dev, 0), 0);
	assert_int_equal(test_reap(dev, 0, 63, res, true), 63);
	for (i = 0; i < 63; i++) {
		assert_int_equal(res[i].status, SVART_ACCEL_ST_SUCCESS);
		assert_memory_equal(dst[i], src, 8);
	}
	assert_int_equal(svart_accel_burst_capacity(dev, 0), 63);
	test_dev_close(dev);
}

/* A dedicated WQ with 2 entries: the third lone submit has no credit and gets
 * -EBUSY; after the device catches up it goes through. */
static void
test_credits(void **state)
{
	struct svart_accel_result res[3];
	struct svart_idxd_emu_counters c;
	uint8_t src[16] = { 0 }, dst[16];
	int16_t dev;

	(void)state;
	dev = test_dev_start_wq("idxd_emu_c,engine=manual", 1,
				SVART_ACCEL_QUEUE_DEDICATED, qc_ded.nb_desc, 2);
	assert_true(svart_accel_copy(dev, 0, src, dst, 16, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_true(svart_accel_copy(dev, 0, src, dst, 16, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(svart_accel_copy(dev, 0, src, dst, 16, SVART_ACCEL_OP_SUBMIT), -EBUSY);
	assert_int_equal(svart_accel_submit(dev, 0), -EBUSY);
	assert_int_equal(svart_idxd_emu_poll(dev, 64), 2);
	assert_int_equal(svart_accel_submit(dev, 0), 0);
	assert_int_equal(test_reap(dev, 0, 3, res, true), 3);
	/* The PMD never overflowed the WQ. */
	assert_int_equal(svart_idxd_emu_counters_get(dev, &c), 0);
	assert_int_equal(c.swerrs, 0);
	assert_int_equal(svart_idxd_emu_poll(-1, 1), -ENODEV);
	assert_int_equal(svart_idxd_emu_counters_get(dev, NULL), -EINVAL);
	test_dev_close(dev);
}

/* A shared WQ with 1 entry: the second lone submit is refused by ENQCMD on
 * every retry and returns -EBUSY with nothing booked (the submit counters
 * unchanged, the op still pending); once the device has room it goes through
 * and both ops complete. */
static void
test_shared_refused_lone(void **state)
{
	struct svart_accel_result res[2];
	struct svart_accel_stats st;
	uint8_t src[16] = { 0 }, dst[16];
	int16_t dev;

	(void)state;
	dev = test_dev_start_wq("idxd_emu_srl,engine=manual", 1,
				SVART_ACCEL_QUEUE_SHARED, qc_ded.nb_desc, 1);
	assert_true(svart_accel_copy(dev, 0, src, dst, 16, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_true(svart_accel_copy(dev, 0, src, dst, 16, 0) >= 0);
	assert_int_equal(svart_accel_submit(dev, 0), -EBUSY);
	assert_int_equal(svart_accel_stats_get(dev, 0, &st), 0);
	assert_int_equal(st.submitted, 1);
	assert_int_equal(st.hw_submits, 1);
	assert_true(st.retries > 0);
	/* Nothing of the refused op may be reaped as done. */
	assert_int_equal(svart_idxd_emu_poll(dev, 64), 1);
	assert_int_equal(svart_accel_completed(dev, 0, 2, NULL, NULL), 1);
	assert_int_equal(svart_accel_submit(dev, 0), 0);
	assert_int_equal(test_reap(dev, 0, 1, res, true), 1);
	assert_int_equal(res[0].status, SVART_ACCEL_ST_SUCCESS);
	assert_int_equal(svart_accel_stats_get(dev, 0, &st), 0);
	assert_int_equal(st.submitted, 2);
	assert_int_equal(st.hw_submits, 2);
	assert_int_equal(st.completed, 2);
	test_dev_close(dev);
}

/* Ops held behind a fence (a burst longer than a hardware batch, its second
 * part fenced) were accepted by submit (0): when the reap that releases them
 * finds the shared WQ full (another queue's op holds its one entry, ENQCMD
 * refuses every retry), they must still go to the device at a later reap,
 * not stay in the ring with nobody to submit them. */
#define TEST_FR_OPS 6        /* a batch of 4 (max_batch_shift=2), then 2 held */
#define TEST_FR_FENCED 4     /* first op of the held part */
#define TEST_FR_POLLS 64     /* reaps to wait for the held ops */
static void
test_shared_fence_release_refused(void **state)
{
	struct svart_accel_stats st;
	uint8_t src[16] = { 0 }, dst[16];
	uint16_t got = 0;
	int16_t dev;

	(void)state;
	dev = test_dev_start_wq("idxd_emu_frr,engine=manual,max_batch_shift=2", 2,
				SVART_ACCEL_QUEUE_SHARED, qc_ded.nb_desc, 1);
	for (int i = 0; i < TEST_FR_OPS; i++)
		assert_true(svart_accel_copy(dev, 0, src, dst, sizeof(dst),
					     i == TEST_FR_FENCED ? SVART_ACCEL_OP_FENCE : 0) >= 0);
	assert_int_equal(svart_accel_submit(dev, 0), 0);
	assert_int_equal(svart_accel_stats_get(dev, 0, &st), 0);
	assert_int_equal(st.submitted, TEST_FR_FENCED);
	/* The first batch finishes; queue 1 then takes the WQ's only entry. */
	assert_true(svart_idxd_emu_poll(dev, 64) > 0);
	assert_true(svart_accel_copy(dev, 1, src, dst, sizeof(dst), SVART_ACCEL_OP_SUBMIT) >= 0);
	/* This reap releases the held ops; the WQ refuses them. */
	assert_int_equal(svart_accel_completed(dev, 0, TEST_FR_OPS, NULL, NULL), TEST_FR_FENCED);
	assert_int_equal(svart_accel_stats_get(dev, 0, &st), 0);
	assert_int_equal(st.submitted, TEST_FR_FENCED);
	assert_true(st.retries > 0);
	/* Queue 1's op finishes: the WQ has room again. */
	assert_true(svart_idxd_emu_poll(dev, 64) > 0);
	assert_int_equal(svart_accel_completed(dev, 1, 1, NULL, NULL), 1);
	for (int i = 0; i < TEST_FR_POLLS && got < TEST_FR_OPS - TEST_FR_FENCED; i++) {
		svart_idxd_emu_poll(dev, 64);
		got += svart_accel_completed(dev, 0, TEST_FR_OPS, NULL, NULL);
	}
	assert_int_equal(got, TEST_FR_OPS - TEST_FR_FENCED);
	assert_int_equal(svart_accel_stats_get(dev, 0, &st), 0);
	assert_int_equal(st.submitted, TEST_FR_OPS);
	assert_int_equal(st.completed, TEST_FR_OPS);
	test_dev_close(dev);
}

/* A burst longer than a hardware batch whose second part the device cannot
 * take yet (a dedicated WQ of 2 entries: a lone op and the burst's first batch
 * hold them) returns -EBUSY. Its fenced op must still wait for the whole
 * burst before it: a retry once a WQ entry is back must not send the rest as
 * a burst of its own (a FENCE orders only inside a hardware batch) while the
 * first part may still be running. */
#define TEST_FB_OPS 6        /* a batch of 4 (max_batch_shift=2), then 2 */
#define TEST_FB_FENCED 5     /* the burst's op with FENCE, in its second part */
#define TEST_FB_FIRST 4      /* ops of the burst's first part */
/* A 2-entry dedicated WQ holding a lone op and the first batch of a burst of
 * TEST_FB_OPS (op TEST_FB_FENCED fenced when fenced): the burst's submit is
 * refused for its second part; then the lone op finishes and is reaped (one
 * WQ entry back, the first batch still queued) and the application submits
 * again. Returns the device. */
static int16_t
refused_part_setup(const char *devargs, bool fenced)
{
	/* The device copies after this returns: the buffers outlive the call. */
	static uint8_t src[16], dst[16];
	int16_t dev = test_dev_start_wq(devargs, 1, SVART_ACCEL_QUEUE_DEDICATED, qc_ded.nb_desc, 2);

	assert_true(svart_accel_copy(dev, 0, src, dst, sizeof(dst), SVART_ACCEL_OP_SUBMIT) >= 0);
	for (int i = 0; i < TEST_FB_OPS; i++)
		assert_true(svart_accel_copy(dev, 0, src, dst, sizeof(dst),
					     fenced && i == TEST_FB_FENCED ? SVART_ACCEL_OP_FENCE : 0) >= 0);
	assert_int_equal(svart_accel_submit(dev, 0), -EBUSY);
	assert_int_equal(svart_idxd_emu_poll(dev, 1), 1);
	assert_int_equal(svart_accel_completed(dev, 0, TEST_FB_OPS + 1, NULL, NULL), 1);
	assert_int_equal(svart_accel_submit(dev, 0), 0);
	return dev;
}

static void
test_fence_after_refused_part(void **state)
{
	struct svart_accel_stats st;
	int16_t dev;

	(void)state;
	dev = refused_part_setup("idxd_emu_fb,engine=manual,max_batch_shift=2,engines=1", true);
	/* The fenced op's part stays back while the first batch may run. */
	assert_int_equal(svart_accel_stats_get(dev, 0, &st), 0);
	assert_int_equal(st.submitted, 1 + TEST_FB_FIRST);
	/* The device finishes what it has; the held ops were accepted and have
	 * not run: the queue is not idle (a control loop must not take it so). */
	while (svart_idxd_emu_poll(dev, TEST_FB_OPS) > 0)
		;
	assert_int_equal(svart_accel_queue_idle(dev, 0), 0);
	/* Once the first part is done, the rest goes; everything completes. */
	assert_int_equal(test_reap(dev, 0, TEST_FB_OPS, NULL, true), TEST_FB_OPS);
	assert_int_equal(svart_accel_queue_idle(dev, 0), 1);
	assert_int_equal(svart_accel_stats_get(dev, 0, &st), 0);
	assert_int_equal(st.submitted, 1 + TEST_FB_OPS);
	test_dev_close(dev);
}

/* The same burst without a FENCE: nothing orders its second part after the
 * first, so once a WQ entry is back the next submit sends it at once. Held
 * until the first part is reaped, a saturated WQ would drain before every
 * such piece (svart-perf, burst 1: 32 -> 16 Mops). */
static void
test_refused_part_not_held(void **state)
{
	struct svart_accel_stats st;
	int16_t dev;

	(void)state;
	dev = refused_part_setup("idxd_emu_nh,engine=manual,max_batch_shift=2,engines=1", false);
	/* The first part still queued on the device; the rest went. */
	assert_int_equal(svart_accel_stats_get(dev, 0, &st), 0);
	assert_int_equal(st.submitted, 1 + TEST_FB_OPS);
	assert_int_equal(test_reap(dev, 0, TEST_FB_OPS, NULL, true), TEST_FB_OPS);
	test_dev_close(dev);
}

/* The PMD reads the WQCFG stride from WQCAP: with 64-byte entries (a device
 * reporting wqcfg_size 1, as DSA 2), every WQ of four gets its own
 * configuration and runs. */
static void
test_wqcfg_stride(void **state)
{
	int16_t dev = test_dev_start("idxd_emu_stride,engine=manual,wqs=4,wqcfg_size=1", 4,
				     SVART_ACCEL_QUEUE_DEDICATED, 64);
	uint8_t src[64], dst[64];

	(void)state;
	memset(src, 0x2e, sizeof(src));
	for (uint16_t q = 0; q < 4; q++) {
		struct svart_accel_result r;

		memset(dst, 0, sizeof(dst));
		assert_true(svart_accel_copy(dev, q, src, dst, sizeof(src), SVART_ACCEL_OP_SUBMIT) >= 0);
		assert_int_equal(test_reap(dev, q, 1, &r, true), 1);
		assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
		assert_memory_equal(dst, src, sizeof(src));
	}
	test_dev_close(dev);
}

static void
test_stats(void **state)
{
	struct svart_accel_result res[8];
	struct svart_accel_stats st;
	uint8_t src[32] = { 0 }, dst[32];
	int16_t dev;

	(void)state;
	dev = test_dev_start("idxd_emu_s,engine=manual", 1, SVART_ACCEL_QUEUE_DEDICATED, 64);
	for (int i = 0; i < 8; i++)
		assert_true(svart_accel_copy(dev, 0, src, dst, 32, 0) >= 0);
	assert_int_equal(svart_accel_stats_get(dev, 0, &st), 0);
	assert_int_equal(st.enqueued, 8);
	assert_int_equal(st.submitted, 0);
	assert_int_equal(svart_accel_submit(dev, 0), 0);
	assert_int_equal(test_reap(dev, 0, 8, res, true), 8);
	assert_int_equal(svart_accel_stats_get(dev, SVART_ACCEL_ALL_QUEUES, &st), 0);
	assert_int_equal(st.submitted, 8);
	assert_int_equal(st.completed, 8);
	assert_int_equal(st.hw_submits, 1);
	assert_int_equal(st.errors, 0);
	assert_int_equal(svart_accel_dump(dev, stdout), 0);
	assert_int_equal(svart_accel_stats_reset(dev, SVART_ACCEL_ALL_QUEUES), 0);
	{
		/* Runtime memory is reported and grows with the configured depth. */
		struct svart_accel_conf conf = { .nb_queues = 1 };
		struct svart_accel_queue_conf qc = qc_ded;
		struct svart_accel_info i64, i512;

		assert_int_equal(svart_accel_info_get(dev, &i64), 0);
		assert_true(i64.mem_device > 0 && i64.mem_queues > 0);
		assert_int_equal(svart_accel_stop(dev), 0);
		assert_int_equal(svart_accel_configure(dev, &conf), 0);
		qc.nb_desc = 512;
		assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), 0);
		assert_int_equal(svart_accel_start(dev), 0);
		assert_int_equal(svart_accel_info_get(dev, &i512), 0);
		assert_true(i512.mem_queues > 7 * i64.mem_queues && i512.mem_queues < 9 * i64.mem_queues);
	}
	assert_int_equal(svart_accel_stats_get(dev, 0, &st), 0);
	assert_int_equal(st.enqueued + st.completed + st.submitted, 0);
	test_dev_close(dev);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_errors),
		cmocka_unit_test(test_unknown_device),
		cmocka_unit_test(test_lifecycle_errors),
		cmocka_unit_test(test_mode_not_supported),
		cmocka_unit_test(test_fast_path_arguments),
		cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_credits),
		cmocka_unit_test(test_shared_refused_lone),
		cmocka_unit_test(test_shared_fence_release_refused),
		cmocka_unit_test(test_fence_after_refused_part),
		cmocka_unit_test(test_refused_part_not_held),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_wqcfg_stride),
	};
	int rc;

	(void)argc;
	if (test_eal_init(argv[0], "0") < 0)
		return 1;
	rc = cmocka_run_group_tests_name("accel_api", tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
