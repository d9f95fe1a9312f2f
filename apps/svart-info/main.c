/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* svart-info: probe devices and list their queues, capabilities and limits.
 * Usage: svart-info [EAL args --] [--dev DEVARGS]... (default: idxd_emu0) */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>

#include "app_common.h"
#include "idxd_portal.h"
#include "svart_accel.h"
#include "svart_topo.h"

#define INFO_MAX_DEVS 16

static void
print_dev(int16_t id)
{
	struct svart_accel_info info;
	int rc = svart_accel_info_get(id, &info);

	if (rc != 0) {
		printf("device %d: info failed: %s\n", id, strerror(-rc));
		return;
	}
	printf("%s (id %d, driver %s)\n", info.name, id, info.driver_name);
	printf("  operations      :");
	for (int op = 0; op < SVART_ACCEL_OP_MAX; op++)
		if (info.op_capa & (1ull << op))
			printf(" %s", svart_accel_op_name(op));
	printf("\n  queue modes     :%s%s\n", (info.capa & SVART_ACCEL_CAPA_DEDICATED) ? " dedicated" : "",
	       (info.capa & SVART_ACCEL_CAPA_SHARED) ? " shared" : "");
	printf("  SVA             : %s; page faults: %s; hardware batch: %s\n",
	       (info.capa & SVART_ACCEL_CAPA_SVA) ? "yes" : "no",
	       (info.capa & SVART_ACCEL_CAPA_PAGE_FAULT) ? "block-on-fault capable" : "no",
	       (info.capa & SVART_ACCEL_CAPA_BATCH) ? "yes" : "no");
	printf("  max transfer    : %" PRIu64 " bytes\n", info.max_transfer);
	printf("  max batch       : %u ops\n", info.max_batch);
	printf("  hardware queues : %u WQs, %u entries in total\n", info.hw_queues,
	       info.hw_queue_entries);
	printf("  queues          : up to %u, ring %u..%u ops\n", info.max_queues, info.min_desc,
	       info.max_desc);
	printf("  NUMA node       : %d\n", info.numa_node);
	printf("  runtime memory  : %" PRIu64 " KiB for the device (engines, translation caches, "
	       "WQ storage, page request queue)\n", info.mem_device >> 10);
	{
		struct svart_topo_placement pl;

		if (svart_topo_placement(info.numa_node, &pl) == 0)
			printf("  placement       : application on CPU %d, device engine on CPU %d, "
			       "fault lcore on CPU %d%s\n", pl.app_cpu, pl.engine_cpu, pl.fault_cpu,
			       pl.fault_cpu == pl.engine_cpu ? " (shared: fewer than 3 cores near the "
			       "device)" : "");
	}
}

int
main(int argc, char **argv)
{
	const char *devs[INFO_MAX_DEVS];
	int nb = 0, consumed, opt;
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	consumed = app_eal_init(argc, argv);
	if (consumed < 0) {
		fprintf(stderr, "svart-info: EAL init failed: %s\n", strerror(-consumed));
		return 1;
	}
	argc -= consumed;
	argv += consumed;
	while ((opt = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		if (opt == 'd' && nb < INFO_MAX_DEVS) {
			devs[nb++] = optarg;
		} else {
			printf("usage: svart-info [EAL args --] [--dev DEVARGS]...\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	svart_topo_describe(stdout);
	printf("CPU: MOVDIR64B %s, ENQCMD %s (needed by hardware work queues; the emulated "
	       "device works without them)\n", idxd_cpu_has_movdir64b() ? "yes" : "no",
	       idxd_cpu_has_enqcmd() ? "yes" : "no");
	if (nb == 0)
		devs[nb++] = "idxd_emu0,engine=manual";
	for (int i = 0; i < nb; i++) {
		int id = svart_accel_probe(devs[i]);

		if (id < 0) {
			fprintf(stderr, "svart-info: cannot probe '%s': %s\n", devs[i], strerror(-id));
			continue;
		}
		print_dev((int16_t)id);
		svart_accel_close((int16_t)id);
	}
	rte_eal_cleanup();
	return 0;
}
