/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* A minimal plug-in PMD: executes copy, fill and no-op on the CPU at enqueue
 * time. It is the smallest complete driver (doc/plugin-guide.md walks through
 * it) and the loader tests' fixture. Build with -DPLUGIN_ABI=N to get a
 * plug-in the loader must refuse. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svart_accel_driver.h"

#ifndef PLUGIN_ABI
#define PLUGIN_ABI SVART_ACCEL_DRIVER_ABI
#endif
#ifndef PLUGIN_NAME
#define PLUGIN_NAME "testcpu"
#endif
#define CPU_MAX_DESC 4096

struct cpu_queue {
	uint16_t mask, write_idx, done_idx;
	uint8_t *status;          /* per slot: SVART_ACCEL_ST_* */
	struct svart_accel_stats stats;
};

static int
cpu_info(const struct svart_accel_dev *dev, struct svart_accel_info *info)
{
	(void)dev;
	info->capa = SVART_ACCEL_CAPA_SVA | SVART_ACCEL_CAPA_DEDICATED;
	info->op_capa = (1u << SVART_ACCEL_OP_NOP) | (1u << SVART_ACCEL_OP_COPY) |
			(1u << SVART_ACCEL_OP_FILL);
	info->max_transfer = UINT32_MAX;
	info->max_batch = 1;
	info->max_queues = 4;
	info->min_desc = 2;
	info->max_desc = CPU_MAX_DESC;
	info->hw_queues = 4;
	info->hw_queue_entries = 4;
	info->numa_node = -1;
	return 0;
}

static int
cpu_configure(struct svart_accel_dev *dev, const struct svart_accel_conf *conf)
{
	(void)dev;
	(void)conf;
	return 0;
}

static int
cpu_queue_setup(struct svart_accel_dev *dev, uint16_t qid, const struct svart_accel_queue_conf *c,
		void **qp)
{
	struct cpu_queue *q = calloc(1, sizeof(*q));

	(void)dev;
	(void)qid;
	if (q == NULL)
		return -ENOMEM;
	q->status = calloc(c->nb_desc, 1);
	if (q->status == NULL) {
		free(q);
		return -ENOMEM;
	}
	q->mask = c->nb_desc - 1;
	*qp = q;
	return 0;
}

static void
cpu_queue_release(struct svart_accel_dev *dev, uint16_t qid, void *qp)
{
	struct cpu_queue *q = qp;

	(void)dev;
	(void)qid;
	free(q->status);
	free(q);
}

static int cpu_start(struct svart_accel_dev *dev) { (void)dev; return 0; }
static int cpu_stop(struct svart_accel_dev *dev) { (void)dev; return 0; }
static int cpu_close(struct svart_accel_dev *dev) { (void)dev; return 0; }

static int
cpu_stats_get(const struct svart_accel_dev *dev, const void *qp, struct svart_accel_stats *s)
{
	(void)dev;
	*s = ((const struct cpu_queue *)qp)->stats;
	return 0;
}

static int
cpu_stats_reset(struct svart_accel_dev *dev, void *qp)
{
	(void)dev;
	memset(&((struct cpu_queue *)qp)->stats, 0, sizeof(struct svart_accel_stats));
	return 0;
}

static int
cpu_push(struct cpu_queue *q)
{
	uint16_t idx = q->write_idx;

	if ((uint16_t)(idx - q->done_idx) >= q->mask)
		return -ENOSPC;
	q->status[idx & q->mask] = SVART_ACCEL_ST_SUCCESS;
	q->write_idx++;
	q->stats.enqueued++;
	q->stats.submitted++;
	return idx;
}

static int
cpu_copy(void *qp, const void *src, void *dst, uint32_t len, uint32_t flags)
{
	struct cpu_queue *q = qp;

	(void)flags;
	if ((uint16_t)(q->write_idx - q->done_idx) >= q->mask)
		return -ENOSPC;
	memmove(dst, src, len);
	return cpu_push(q);
}

static int
cpu_enqueue(void *qp, const struct svart_accel_op *op)
{
	struct cpu_queue *q = qp;

	if ((uint16_t)(q->write_idx - q->done_idx) >= q->mask)
		return -ENOSPC;
	if (op->type == SVART_ACCEL_OP_COPY) {
		memmove(op->dst, op->src, op->len);
	} else if (op->type == SVART_ACCEL_OP_FILL) {
		for (uint32_t i = 0; i < op->len; i++)
			((uint8_t *)op->dst)[i] = (uint8_t)(op->pattern >> (8 * (i % 8)));
	}
	return cpu_push(q);
}

static int cpu_submit(void *qp) { (void)qp; return 0; }

static uint16_t
cpu_completed(void *qp, uint16_t nb, uint16_t *last, bool *err)
{
	struct cpu_queue *q = qp;
	uint16_t n = (uint16_t)(q->write_idx - q->done_idx);

	if (n > nb)
		n = nb;
	q->done_idx += n;
	if (n > 0 && last != NULL)
		*last = q->done_idx - 1;
	if (err != NULL)
		*err = false;
	q->stats.completed += n;
	return n;
}

static uint16_t
cpu_completed_status(void *qp, uint16_t nb, uint16_t *last, struct svart_accel_result *res)
{
	uint16_t n = cpu_completed(qp, nb, last, NULL);

	memset(res, 0, n * sizeof(*res));
	return n;
}

static uint16_t
cpu_capacity(const void *qp)
{
	const struct cpu_queue *q = qp;

	return (uint16_t)(q->mask - (uint16_t)(q->write_idx - q->done_idx));
}

static const struct svart_accel_dev_ops cpu_ops = {
	.info_get = cpu_info, .configure = cpu_configure, .queue_setup = cpu_queue_setup,
	.queue_release = cpu_queue_release, .start = cpu_start, .stop = cpu_stop,
	.close = cpu_close, .stats_get = cpu_stats_get, .stats_reset = cpu_stats_reset,
};

static const struct svart_accel_fp_ops cpu_fp_ops = {
	.copy = cpu_copy, .enqueue = cpu_enqueue, .submit = cpu_submit,
	.completed = cpu_completed, .completed_status = cpu_completed_status,
	.burst_capacity = cpu_capacity,
};

static int
cpu_probe(struct svart_accel_dev *dev, const struct rte_kvargs *kv)
{
	(void)kv;
	dev->ops = &cpu_ops;
	dev->fp_ops = &cpu_fp_ops;
	return 0;
}

static const struct svart_accel_driver cpu_driver = {
	.abi = PLUGIN_ABI,
	.name = PLUGIN_NAME,
	.probe = cpu_probe,
};

SVART_ACCEL_REGISTER_DRIVER(cpu_driver);
