/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_pause.h>

#include "svart_idxd_emu.h"
#include "svart_iopf.h"
#include "test_common.h"

int
test_eal_init(const char *prog, const char *lcores)
{
	char l[64];
	char *argv[] = { (char *)prog, (char *)"-l", l, (char *)"--no-huge", (char *)"-m",
			 (char *)"256", (char *)"--no-shconf", (char *)"--no-pci",
			 (char *)"--no-telemetry", (char *)"--log-level=*:error", NULL };

	if (lcores != NULL && strchr(lcores, '@') != NULL)
		argv[1] = (char *)"--lcores";  /* lcore-to-CPU map, e.g. 0@0,1@1,2@0 */
	if (lcores != NULL)
		snprintf(l, sizeof(l), "%s", lcores);
	else
		snprintf(l, sizeof(l), "%s", sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? "0-1" : "0");
	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

int16_t
test_dev_start(const char *devargs, uint16_t nb_queues, uint8_t mode, uint16_t nb_desc)
{
	return test_dev_start_wq(devargs, nb_queues, mode, nb_desc, 0);
}

int16_t
test_dev_start_wq(const char *devargs, uint16_t nb_queues, uint8_t mode, uint16_t nb_desc,
		  uint16_t hw_entries)
{
	struct svart_accel_conf conf = { .nb_queues = nb_queues };
	struct svart_accel_queue_conf qc = { .nb_desc = nb_desc, .mode = mode,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO,
					     .hw_entries = hw_entries };
	int id = svart_accel_probe(devargs);

	assert_true(id >= 0);
	assert_int_equal(svart_accel_configure((int16_t)id, &conf), 0);
	for (uint16_t q = 0; q < nb_queues; q++)
		assert_int_equal(svart_accel_queue_setup((int16_t)id, q, &qc), 0);
	assert_int_equal(svart_accel_start((int16_t)id), 0);
	return (int16_t)id;
}

void
test_dev_close(int16_t dev)
{
	assert_int_equal(svart_accel_stop(dev), 0);
	assert_int_equal(svart_accel_close(dev), 0);
}

uint16_t
test_reap(int16_t dev, uint16_t q, uint16_t n, struct svart_accel_result *res, bool manual)
{
	struct svart_accel_result tmp;
	uint16_t got = 0;

	for (uint64_t i = 0; got < n && i < TEST_POLL_LIMIT; i++) {
		if (manual) {
			svart_idxd_emu_poll(dev, 64);
			svart_iopf_poll();
		}
		got += svart_accel_completed_status(dev, q, res ? n - got : 1, NULL,
						    res ? &res[got] : &tmp);
		if (!manual)
			rte_pause();
	}
	return got;
}

uint8_t *
test_fresh(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

uint8_t *
test_file_pages(size_t n)
{
	size_t len = n * (size_t)sysconf(_SC_PAGESIZE);
	int fd = memfd_create("svart_test", 0);
	void *p;

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)len), 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	assert_true(p != MAP_FAILED);
	return p;
}
