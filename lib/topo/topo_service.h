/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_TOPO_SERVICE_H
#define SVART_TOPO_SERVICE_H

/* Internal: running svart's background work (emulated engines, the fault
 * service) as DPDK services on service lcores. Not installed. */

#include <stdint.h>

#include <rte_service_component.h>

/**
 * Choose a service lcore: want itself (-EINVAL if it is not an enabled worker
 * lcore), else an existing service lcore, else the last idle worker, preferring
 * lcores on NUMA node (-1: any). @return the lcore, or -ENODEV if none is left.
 */
int svart_service_lcore_pick(int want, int node);

/**
 * Register a service named name running cb(arg), map it to lcore (made a
 * service lcore if needed) and start it. On failure after registration
 * *registered is true and svart_service_stop() must still be called.
 * @return 0, -EBUSY (the lcore cannot serve), or a negative errno from DPDK.
 */
int svart_service_start(const char *name, rte_service_func cb, void *arg, int lcore,
			uint32_t *id, bool *registered);

/** Stop service id, wait until no lcore runs it, unmap it from lcore (if >= 0), unregister. */
void svart_service_stop(uint32_t id, int lcore);

#endif /* SVART_TOPO_SERVICE_H */
