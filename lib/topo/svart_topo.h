/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_TOPO_H
#define SVART_TOPO_H

/**
 * @file
 * Machine topology (hwloc, libnuma) and the placement svart would choose:
 * the device engine and the fault-handling lcore on cores of the device's
 * NUMA node, the application elsewhere when there is room.
 */

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Placement suggestion (CPU numbers, -1 = none). */
struct svart_topo_placement {
	int device_node;     /**< NUMA node of the device, -1 unknown */
	int app_cpu;         /**< where the application's submitting lcore should run */
	int engine_cpu;      /**< device engine (emulated) / completion polling */
	int fault_cpu;       /**< fault-handling lcore (same as engine_cpu on 2 cores) */
	unsigned int cores;  /**< cores in the machine */
};

/**
 * Suggest a placement for a device on NUMA node (-1: unknown).
 *
 * @param node
 *   NUMA node of the device, -1 if unknown.
 * @param out
 *   Filled with the placement.
 * @return
 *   0, or:
 *   - -ENOMEM: the topology could not be initialized.
 *   - -EIO: the topology could not be read.
 */
int svart_topo_placement(int node, struct svart_topo_placement *out);

/**
 * Print packages, NUMA nodes with their CPUs and memory, and the cores.
 *
 * @param f
 *   Output stream.
 * @return
 *   0, or:
 *   - -ENOMEM: the topology could not be initialized.
 *   - -EIO: the topology could not be read.
 */
int svart_topo_describe(FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* SVART_TOPO_H */
