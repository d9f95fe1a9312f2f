/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The smallest svart program: copy plain malloc'd memory with the accelerator.
 * Build it outside the tree with:
 *   cc hello_copy.c $(pkg-config --cflags --libs svart) -o hello_copy
 * Run: ./hello_copy -l 0-1 --no-huge -m 256 --no-pci */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_pause.h>
#include <svart_accel.h>

#define LEN (1u << 20)

int
main(int argc, char **argv)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = { .nb_desc = 512, .mode = SVART_ACCEL_QUEUE_DEDICATED,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO };
	struct svart_accel_result r;
	char *src, *dst;
	int id, rc = 1;
	int16_t dev;

	if (rte_eal_init(argc, argv) < 0)
		return 1;
	id = svart_accel_probe("idxd_emu0");
	if (id < 0) {
		fprintf(stderr, "probe: %s\n", strerror(-id));
		return 1;
	}
	dev = (int16_t)id;
	if (svart_accel_configure(dev, &conf) != 0 || svart_accel_queue_setup(dev, 0, &qc) != 0 ||
	    svart_accel_start(dev) != 0)
		return 1;
	src = malloc(LEN);   /* ordinary memory: never pinned or registered */
	dst = malloc(LEN);
	memset(src, 'x', LEN);
	if (svart_accel_copy(dev, 0, src, dst, LEN, SVART_ACCEL_OP_SUBMIT) < 0)
		return 1;
	while (svart_accel_completed_status(dev, 0, 1, NULL, &r) == 0)
		rte_pause();
	if (r.status == SVART_ACCEL_ST_SUCCESS && memcmp(src, dst, LEN) == 0) {
		printf("copied %u bytes of malloc'd memory through %s\n", LEN, "idxd_emu0");
		rc = 0;
	} else {
		printf("copy failed: status %u, hw status 0x%x, fault address %#lx\n", r.status,
		       r.hw_status, (unsigned long)r.fault_addr);
	}
	svart_accel_stop(dev);
	svart_accel_close(dev);
	free(src);
	free(dst);
	rte_eal_cleanup();
	return rc;
}
