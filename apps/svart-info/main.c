/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* svart-info: probe devices and list their queues, capabilities and limits.
 * Usage: svart-info [EAL options] [-- [--dev DEVARGS]...] (default: idxd_emu0,engine=manual) */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>

#include "app_common.h"
#include "idxd_portal.h"
#include "svart_accel.h"
#include "svart_topo.h"

#define INFO_MAX_DEVS 16
/* Described, not run: no engine lcore needed. */
#define INFO_DEFAULT_DEV "idxd_emu0,engine=manual"

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

static int
probe_and_print(const char *devargs)
{
	struct app_dev d;
	int rc = app_dev_open(&d, "dev", devargs);

	if (rc != 0)
		return rc;
	print_dev(d.id);
	app_dev_close(&d);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *devs[INFO_MAX_DEVS];
	unsigned int nb = 0;
	struct app_opt opts[] = {
		{ .name = "dev", .type = APP_OPT_STRING, .metavar = "DEVARGS",
		  .help = "device to probe and describe", .def = INFO_DEFAULT_DEV, .val = devs,
		  .max_count = INFO_MAX_DEVS, .count = &nb, .accepted = APP_DEVARGS_ACCEPTED },
		{ .name = NULL },
	};
	const struct app_desc desc = {
		.name = "svart-info", .opts = opts,
		.summary = "Probe devices and list their queues, capabilities, limits and runtime memory.",
	};
	int rc, failures = 0;

	rc = app_init(&desc, argc, argv);
	if (rc != APP_CONTINUE)
		return rc;
	svart_topo_describe(stdout);
	printf("CPU: MOVDIR64B %s, ENQCMD %s (needed by hardware work queues; the emulated "
	       "device works without them)\n", idxd_cpu_has_movdir64b() ? "yes" : "no",
	       idxd_cpu_has_enqcmd() ? "yes" : "no");
	if (nb == 0)
		devs[nb++] = INFO_DEFAULT_DEV;
	for (unsigned int i = 0; i < nb; i++)
		failures += probe_and_print(devs[i]) != 0;
	rte_eal_cleanup();
	return failures ? APP_EXIT_FAILURE : APP_EXIT_OK;
}
