/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_service.h>

#include "topo_service.h"

static bool
lcore_near(unsigned int lc, int node)
{
	return node < 0 || rte_lcore_to_socket_id(lc) == (unsigned int)node;
}

int
svart_service_lcore_pick(int want, int node)
{
	uint32_t list[RTE_MAX_LCORE];
	int n = rte_service_lcore_list(list, RTE_MAX_LCORE);
	unsigned int lc, last = RTE_MAX_LCORE, last_near = RTE_MAX_LCORE;

	if (want >= 0) {
		if (want >= RTE_MAX_LCORE || !rte_lcore_is_enabled((unsigned int)want) ||
		    (unsigned int)want == rte_get_main_lcore())
			return -EINVAL;
		return want;
	}
	for (int i = 0; i < n; i++)
		if (lcore_near(list[i], node))
			return (int)list[i];
	if (n > 0)
		return (int)list[0];
	RTE_LCORE_FOREACH_WORKER(lc) {
		if (rte_eal_get_lcore_state(lc) != WAIT)
			continue;
		last = lc;
		if (lcore_near(lc, node))
			last_near = lc;
	}
	if (last_near != RTE_MAX_LCORE)
		return (int)last_near;
	return last == RTE_MAX_LCORE ? -ENODEV : (int)last;
}

int
svart_service_start(const char *name, rte_service_func cb, void *arg, int lcore, uint32_t *id,
		    bool *registered)
{
	struct rte_service_spec spec;
	int rc;

	*registered = false;
	if (!rte_lcore_has_role((unsigned int)lcore, ROLE_SERVICE)) {
		rc = rte_service_lcore_add((uint32_t)lcore);
		if (rc != 0 && rc != -EALREADY)
			return -EBUSY;
	}
	memset(&spec, 0, sizeof(spec));
	snprintf(spec.name, sizeof(spec.name), "%s", name);
	spec.callback = cb;
	spec.callback_userdata = arg;
	rc = rte_service_component_register(&spec, id);
	if (rc != 0)
		return rc;
	*registered = true;
	rte_service_component_runstate_set(*id, 1);
	rte_service_runstate_set(*id, 1);
	rc = rte_service_map_lcore_set(*id, (uint32_t)lcore, 1);
	if (rc != 0)
		return rc;
	rc = rte_service_lcore_start((uint32_t)lcore);
	return rc == -EALREADY ? 0 : rc;
}

void
svart_service_stop(uint32_t id, int lcore)
{
	rte_service_runstate_set(id, 0);
	rte_service_component_runstate_set(id, 0);
	/* Wait until the service lcore has left the callback. */
	while (rte_service_may_be_active(id) == 1)
		rte_pause();
	if (lcore >= 0)
		rte_service_map_lcore_set(id, (uint32_t)lcore, 0);
	rte_service_component_unregister(id);
}
