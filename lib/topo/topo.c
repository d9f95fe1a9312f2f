/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#include <errno.h>
#include <hwloc.h>
#include <numa.h>
#include <string.h>

#include "svart_topo.h"

#define TOPO_KIB 1024ull

static int
topo_load(hwloc_topology_t *t)
{
	if (hwloc_topology_init(t) != 0)
		return -ENOMEM;
	if (hwloc_topology_load(*t) != 0) {
		hwloc_topology_destroy(*t);
		return -EIO;
	}
	return 0;
}

/* First PU of the n-th core (in the node's cpuset when given). */
static int
core_pu(hwloc_topology_t t, hwloc_const_cpuset_t within, unsigned int n)
{
	int cores = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
	unsigned int seen = 0;

	for (int i = 0; i < cores; i++) {
		hwloc_obj_t c = hwloc_get_obj_by_type(t, HWLOC_OBJ_CORE, (unsigned int)i);

		if (within != NULL && !hwloc_bitmap_intersects(c->cpuset, within))
			continue;
		if (seen++ == n)
			return hwloc_bitmap_first(c->cpuset);
	}
	return -1;
}

int
svart_topo_placement(int node, struct svart_topo_placement *out)
{
	hwloc_topology_t t;
	hwloc_const_cpuset_t near = NULL;
	hwloc_obj_t numa = NULL;
	int rc = topo_load(&t);
	unsigned int cores, near_cores;

	if (rc != 0)
		return rc;
	memset(out, 0, sizeof(*out));
	out->device_node = node;
	cores = (unsigned int)hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
	out->cores = cores;
	if (node >= 0)
		numa = hwloc_get_numanode_obj_by_os_index(t, (unsigned int)node);
	if (numa != NULL)
		near = numa->cpuset;
	near_cores = near != NULL ? (unsigned int)hwloc_get_nbobjs_inside_cpuset_by_type(t, near,
											HWLOC_OBJ_CORE)
				  : cores;
	/* Device-side work on the device's node; the application on the first core
	 * that is left. With 2 cores the engine and the fault lcore share one. */
	out->engine_cpu = core_pu(t, near, near_cores > 1 ? near_cores - 1 : 0);
	out->fault_cpu = near_cores >= 3 ? core_pu(t, near, near_cores - 2) : out->engine_cpu;
	out->app_cpu = core_pu(t, NULL, 0);
	if (out->app_cpu == out->engine_cpu && cores > 1)
		out->app_cpu = core_pu(t, NULL, 1);
	hwloc_topology_destroy(t);
	return 0;
}

int
svart_topo_describe(FILE *f)
{
	hwloc_topology_t t;
	int rc = topo_load(&t), nodes;
	char set[256];

	if (rc != 0)
		return rc;
	nodes = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
	fprintf(f, "topology: %d package(s), %d NUMA node(s), %d core(s), %d CPU(s)\n",
		hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE), nodes,
		hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE), hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU));
	for (int i = 0; i < nodes; i++) {
		hwloc_obj_t n = hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, (unsigned int)i);
		long long free_b = 0, size = numa_available() >= 0 ?
			numa_node_size64((int)n->os_index, &free_b) : -1;

		hwloc_bitmap_list_snprintf(set, sizeof(set), n->cpuset);
		fprintf(f, "  node %u: CPUs %s, memory %lld MiB (%lld MiB free)\n", n->os_index, set,
			size > 0 ? size / (long long)(TOPO_KIB * TOPO_KIB) : -1,
			size > 0 ? free_b / (long long)(TOPO_KIB * TOPO_KIB) : -1);
	}
	hwloc_topology_destroy(t);
	return 0;
}
