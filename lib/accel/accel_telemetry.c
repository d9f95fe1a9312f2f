/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* DPDK telemetry endpoints: /svart/accel/list, /svart/accel/info,<id>,
 * /svart/accel/stats,<id>. */
#include <errno.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "accel_private.h"

static int
tel_dev_id(const char *params, int16_t *id)
{
	char *end;
	long v;

	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	v = strtol(params, &end, 10);
	if (*end != '\0' || v < 0 || v >= SVART_ACCEL_MAX_DEVS || !svart_accel_is_valid((int16_t)v))
		return -EINVAL;
	*id = (int16_t)v;
	return 0;
}

static int
tel_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	for (int i = 0; i < SVART_ACCEL_MAX_DEVS; i++)
		if (svart_accel_is_valid((int16_t)i))
			rte_tel_data_add_array_int(d, i);
	return 0;
}

static int
tel_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct svart_accel_info info;
	int16_t id;

	RTE_SET_USED(cmd);
	if (tel_dev_id(params, &id) != 0 || svart_accel_info_get(id, &info) != 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", info.name);
	rte_tel_data_add_dict_string(d, "driver", info.driver_name);
	rte_tel_data_add_dict_u64(d, "capa", info.capa);
	rte_tel_data_add_dict_u64(d, "op_capa", info.op_capa);
	rte_tel_data_add_dict_u64(d, "max_transfer", info.max_transfer);
	rte_tel_data_add_dict_int(d, "max_batch", (int)info.max_batch);
	rte_tel_data_add_dict_int(d, "nb_queues", info.nb_queues);
	rte_tel_data_add_dict_int(d, "hw_queues", info.hw_queues);
	return 0;
}

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct svart_accel_stats st;
	int16_t id;

	RTE_SET_USED(cmd);
	if (tel_dev_id(params, &id) != 0 ||
	    svart_accel_stats_get(id, SVART_ACCEL_ALL_QUEUES, &st) != 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "enqueued", st.enqueued);
	rte_tel_data_add_dict_u64(d, "submitted", st.submitted);
	rte_tel_data_add_dict_u64(d, "completed", st.completed);
	rte_tel_data_add_dict_u64(d, "errors", st.errors);
	rte_tel_data_add_dict_u64(d, "hw_submits", st.hw_submits);
	rte_tel_data_add_dict_u64(d, "retries", st.retries);
	return 0;
}

RTE_INIT(accel_telemetry_init)
{
	rte_telemetry_register_cmd("/svart/accel/list", tel_list, "Returns the accelerator ids.");
	rte_telemetry_register_cmd("/svart/accel/info", tel_info,
				   "Returns device information. Parameters: int dev_id");
	rte_telemetry_register_cmd("/svart/accel/stats", tel_stats,
				   "Returns device counters. Parameters: int dev_id");
}
