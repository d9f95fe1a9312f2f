/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_TEST_COMMON_H
#define SVART_TEST_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svart_accel.h"

/** len bytes of fresh anonymous memory (no page present yet); fails the test if none. */
uint8_t *test_fresh(size_t len);

/** n pages of a memfd, MAP_SHARED: data written stays when MADV_DONTNEED drops the
 *  pages, so a page can hold known data and still not be present. */
uint8_t *test_file_pages(size_t n);

/** Initialise the EAL for a test program (2 lcores when the machine has them). */
int test_eal_init(const char *prog, const char *lcores);

/** Probe devargs, configure nb_queues queues of mode with nb_desc each, start. Returns dev id. */
int16_t test_dev_start(const char *devargs, uint16_t nb_queues, uint8_t mode, uint16_t nb_desc);

/** test_dev_start() with hw_entries WQ entries per queue (0: the driver's choice). */
int16_t test_dev_start_wq(const char *devargs, uint16_t nb_queues, uint8_t mode, uint16_t nb_desc,
			  uint16_t hw_entries);

/** Stop and close. */
void test_dev_close(int16_t dev);

/** Bound for polling loops: a device that stops making progress fails the test
 * instead of hanging it. Not a timing assumption: only a hang reaches it. */
#define TEST_POLL_LIMIT 2000000000ull

/**
 * Reap exactly n ops from (dev, q) into res (may be NULL), polling the
 * manual engine with svart_idxd_emu_poll when manual is true.
 * Returns the number reaped (n unless the device hangs).
 */
uint16_t test_reap(int16_t dev, uint16_t q, uint16_t n, struct svart_accel_result *res,
		   bool manual);

#endif /* SVART_TEST_COMMON_H */
