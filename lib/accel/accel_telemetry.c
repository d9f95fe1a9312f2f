/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* DPDK telemetry endpoints: /svart/accel/list, /svart/accel/info,<id>,
 * /svart/accel/stats,<id>. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "accel_private.h"

/* The device id in params, or an "error" entry that says what is wrong. */
static int
tel_dev_id(const char *params, int16_t *id, struct rte_tel_data *d)
{
	char *end;
	long v;

	if (params == NULL || params[0] == '\0') {
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_string(d, "error", "give a device id: <cmd>,<id> (see /svart/accel/list)");
		return -EINVAL;
	}
	v = strtol(params, &end, 10);
	if ((*end != '\0' && *end != ',') || v < 0 || v >= SVART_ACCEL_MAX_DEVS ||
	    !svart_accel_is_valid((int16_t)v)) {
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_string(d, "error", "no such device (see /svart/accel/list)");
		return -EINVAL;
	}
	*id = (int16_t)v;
	return 0;
}

static const char *const capa_names[] = {
	"sva", "dedicated", "shared", "batch", "page_fault", "priority",
};

/* A container of name -> 0/1, one per bit that has a name. */
static struct rte_tel_data *
tel_flags(uint64_t bits, const char *(*name)(unsigned int), unsigned int n)
{
	struct rte_tel_data *c = rte_tel_data_alloc();

	if (c == NULL)
		return NULL;
	rte_tel_data_start_dict(c);
	for (unsigned int i = 0; i < n; i++)
		rte_tel_data_add_dict_int(c, name(i), (int)((bits >> i) & 1));
	return c;
}

static const char *
capa_name(unsigned int i)
{
	return capa_names[i];
}

static const char *
op_name(unsigned int i)
{
	return svart_accel_op_name((enum svart_accel_op_type)i);
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

	struct rte_tel_data *c;

	RTE_SET_USED(cmd);
	if (tel_dev_id(params, &id, d) != 0)
		return 0;
	if (svart_accel_info_get(id, &info) != 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", info.name);
	rte_tel_data_add_dict_string(d, "driver", info.driver_name);
	c = tel_flags(info.capa, capa_name, RTE_DIM(capa_names));
	if (c != NULL)
		rte_tel_data_add_dict_container(d, "capabilities", c, 0);
	c = tel_flags(info.op_capa, op_name, SVART_ACCEL_OP_MAX);
	if (c != NULL)
		rte_tel_data_add_dict_container(d, "ops", c, 0);
	rte_tel_data_add_dict_u64(d, "max_transfer", info.max_transfer);
	rte_tel_data_add_dict_int(d, "max_batch", (int)info.max_batch);
	rte_tel_data_add_dict_int(d, "nb_queues", info.nb_queues);
	rte_tel_data_add_dict_int(d, "hw_queues", info.hw_queues);
	return 0;
}

static void
tel_stats_put(struct rte_tel_data *d, const struct svart_accel_stats *st)
{
	rte_tel_data_add_dict_u64(d, "enqueued", st->enqueued);
	rte_tel_data_add_dict_u64(d, "submitted", st->submitted);
	rte_tel_data_add_dict_u64(d, "completed", st->completed);
	rte_tel_data_add_dict_u64(d, "errors", st->errors);
	rte_tel_data_add_dict_u64(d, "hw_submits", st->hw_submits);
	rte_tel_data_add_dict_u64(d, "retries", st->retries);
}

/* Device counters, then one container per queue ("queue_<n>"). */
static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct svart_accel_info info;
	struct svart_accel_stats st;
	char key[RTE_TEL_MAX_STRING_LEN];
	int16_t id;

	RTE_SET_USED(cmd);
	if (tel_dev_id(params, &id, d) != 0)
		return 0;
	if (svart_accel_stats_get(id, SVART_ACCEL_ALL_QUEUES, &st) != 0 ||
	    svart_accel_info_get(id, &info) != 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	tel_stats_put(d, &st);
	for (uint16_t q = 0; q < info.nb_queues; q++) {
		struct rte_tel_data *c;

		if (svart_accel_stats_get(id, q, &st) != 0 || (c = rte_tel_data_alloc()) == NULL)
			continue;
		rte_tel_data_start_dict(c);
		tel_stats_put(c, &st);
		snprintf(key, sizeof(key), "queue_%u", q);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
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
