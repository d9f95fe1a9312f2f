/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/*
 * dma_svart: a svart device as a DPDK dmadev. Each vchan is a svart queue,
 * the fast path goes straight to svart's inline fast path (the op flags and
 * ring indexes are the same), and an unmodified rte_dma application works on
 * raw virtual addresses (IOVA = VA).
 *
 *   --vdev=dma_svart0,dev=idxd_emu0[,mode=dedicated|shared]
 *         [,fault=default|block|resume|report][,<svart device args>...]
 *   rte_vdev_init("dma_svart1", "dev=<existing svart device>,attach=1")
 *
 * Keys other than dev, mode, fault and attach go to the svart device's probe.
 * With attach=1 the dmadev uses a svart device the application already
 * probed, configured and started: vchan n is its queue n, and configure,
 * vchan setup, start, stop and close leave the device alone. The
 * fault service is started when no one has started it (it needs an lcore
 * besides the main one); without it a fault ends after the device's
 * page-request timeout.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_log.h>

#include "dma_svart_sdk.h"
#include "svart_accel.h"
#include "svart_accel_fp.h"
#include "svart_iopf.h"

RTE_LOG_REGISTER_DEFAULT(dma_svart_logtype, INFO);
#define DS_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, dma_svart_logtype, "dma_svart: " fmt "\n", ##__VA_ARGS__)

#define DS_ARGS_MAX 512
#define DS_STATUS_CHUNK 32

/* The op flags are svart's, bit for bit: they pass through untranslated. */
_Static_assert(RTE_DMA_OP_FLAG_FENCE == SVART_ACCEL_OP_FENCE, "fence flag");
_Static_assert(RTE_DMA_OP_FLAG_SUBMIT == SVART_ACCEL_OP_SUBMIT, "submit flag");
_Static_assert(RTE_DMA_OP_FLAG_LLC == SVART_ACCEL_OP_CACHE, "cache flag");
_Static_assert(RTE_DMA_ALL_VCHAN == SVART_ACCEL_ALL_QUEUES, "all-vchan value");

struct dma_svart {
	int16_t id;                  /**< the svart device */
	uint8_t mode;                /**< enum svart_accel_queue_mode of every vchan */
	uint8_t policy;              /**< enum svart_accel_fault_policy of every vchan */
	bool attached;               /**< the application owns the svart device */
	uint16_t last[RTE_DMADEV_DEFAULT_MAX]; /**< per vchan: index of the last op reaped */
};

static unsigned int iopf_users; /* dma_svart devices relying on a service we started */

/* ---- fast path ---- */

static int
ds_copy(void *p, uint16_t vchan, rte_iova_t src, rte_iova_t dst, uint32_t len, uint64_t flags)
{
	const struct dma_svart *d = p;
	int idx = svart_accel_copy(d->id, vchan, (const void *)(uintptr_t)src, (void *)(uintptr_t)dst,
				   len, (uint32_t)flags & ~SVART_ACCEL_OP_SUBMIT);

	/* rte_dma: a negative return means the op was not enqueued, so a
	 * refused submission must not turn an enqueued op into an error. */
	if (idx >= 0 && (flags & RTE_DMA_OP_FLAG_SUBMIT))
		(void)svart_accel_submit(d->id, vchan);
	return idx;
}

static int
ds_fill(void *p, uint16_t vchan, uint64_t pattern, rte_iova_t dst, uint32_t len, uint64_t flags)
{
	const struct dma_svart *d = p;
	int idx = svart_accel_fill(d->id, vchan, pattern, (void *)(uintptr_t)dst, len,
				   (uint32_t)flags & ~SVART_ACCEL_OP_SUBMIT);

	if (idx >= 0 && (flags & RTE_DMA_OP_FLAG_SUBMIT))
		(void)svart_accel_submit(d->id, vchan);
	return idx;
}

static int
ds_submit(void *p, uint16_t vchan)
{
	return svart_accel_submit(((const struct dma_svart *)p)->id, vchan);
}

/* rte_dma wants last_idx set even when nothing completed; svart leaves it. */
static uint16_t
ds_completed(void *p, uint16_t vchan, const uint16_t nb, uint16_t *last_idx, bool *has_error)
{
	struct dma_svart *d = p;
	uint16_t n;

	*last_idx = d->last[vchan];
	n = svart_accel_completed(d->id, vchan, nb, last_idx, has_error);
	d->last[vchan] = *last_idx;
	return n;
}

static enum rte_dma_status_code
ds_status(const struct svart_accel_result *r)
{
	switch (r->status) {
	case SVART_ACCEL_ST_SUCCESS: return RTE_DMA_STATUS_SUCCESSFUL;
	case SVART_ACCEL_ST_NOT_ATTEMPTED: return RTE_DMA_STATUS_NOT_ATTEMPTED;
	case SVART_ACCEL_ST_PAGE_FAULT: return RTE_DMA_STATUS_PAGE_FAULT;
	default: return RTE_DMA_STATUS_ERROR_UNKNOWN;
	}
}

static uint16_t
ds_completed_status(void *p, uint16_t vchan, const uint16_t nb, uint16_t *last_idx,
		    enum rte_dma_status_code *status)
{
	struct dma_svart *d = p;
	struct svart_accel_result res[DS_STATUS_CHUNK];
	uint16_t done = 0;

	*last_idx = d->last[vchan];
	while (done < nb) {
		uint16_t want = RTE_MIN((uint16_t)(nb - done), (uint16_t)DS_STATUS_CHUNK);
		uint16_t got = svart_accel_completed_status(d->id, vchan, want, last_idx, res);

		for (uint16_t i = 0; i < got; i++)
			status[done + i] = ds_status(&res[i]);
		done += got;
		if (got < want)
			break;
	}
	d->last[vchan] = *last_idx;
	return done;
}

static uint16_t
ds_burst_capacity(const void *p, uint16_t vchan)
{
	return svart_accel_burst_capacity(((const struct dma_svart *)p)->id, vchan);
}

/* ---- control path ---- */

static struct dma_svart *
ds_priv(const struct rte_dma_dev *dev)
{
	return dev->data->dev_private;
}

static int
ds_info_get(const struct rte_dma_dev *dev, struct rte_dma_info *info, uint32_t sz)
{
	struct svart_accel_info si;
	int rc = svart_accel_info_get(ds_priv(dev)->id, &si);

	RTE_SET_USED(sz);
	if (rc != 0)
		return rc;
	/* What svart does for every op: errors and faults are reported per op. */
	info->dev_capa = RTE_DMA_CAPA_MEM_TO_MEM | RTE_DMA_CAPA_HANDLES_ERRORS;
	if (si.capa & SVART_ACCEL_CAPA_SVA)
		info->dev_capa |= RTE_DMA_CAPA_SVA;
	if (si.op_capa & (1ull << SVART_ACCEL_OP_COPY))
		info->dev_capa |= RTE_DMA_CAPA_OPS_COPY;
	if (si.op_capa & (1ull << SVART_ACCEL_OP_FILL))
		info->dev_capa |= RTE_DMA_CAPA_OPS_FILL;
	info->max_vchans = RTE_MIN(ds_priv(dev)->attached ? si.nb_queues : si.max_queues,
				   (uint16_t)RTE_DMADEV_DEFAULT_MAX);
	info->max_desc = si.max_desc;
	info->min_desc = si.min_desc;
	info->max_sges = 0;
	return 0;
}

static int
ds_configure(struct rte_dma_dev *dev, const struct rte_dma_conf *conf, uint32_t sz)
{
	struct svart_accel_conf c = { .nb_queues = conf->nb_vchans };

	RTE_SET_USED(sz);
	if (ds_priv(dev)->attached)
		return 0; /* the library checked nb_vchans against max_vchans */
	return svart_accel_configure(ds_priv(dev)->id, &c);
}

static int
ds_vchan_setup(struct rte_dma_dev *dev, uint16_t vchan, const struct rte_dma_vchan_conf *conf,
	       uint32_t sz)
{
	struct dma_svart *d = ds_priv(dev);
	struct svart_accel_queue_conf qc = {
		.nb_desc = conf->nb_desc, .mode = d->mode, .hw_queue = SVART_ACCEL_HWQ_AUTO,
		.fault_policy = d->policy,
	};
	int rc;

	RTE_SET_USED(sz);
	if (d->attached) {
		d->last[vchan] = UINT16_MAX; /* unknown until the first reap */
		return 0;
	}
	if (!rte_is_power_of_2(conf->nb_desc)) {
		DS_LOG(ERR, "%s: nb_desc %u: svart rings are a power of two in size",
		       dev->data->dev_name, conf->nb_desc);
		return -EINVAL;
	}
	rc = svart_accel_queue_setup(d->id, vchan, &qc);
	if (rc == 0)
		d->last[vchan] = UINT16_MAX; /* no op yet: the next is index 0 */
	return rc;
}

static int
ds_start(struct rte_dma_dev *dev)
{
	return ds_priv(dev)->attached ? 0 : svart_accel_start(ds_priv(dev)->id);
}

static int
ds_stop(struct rte_dma_dev *dev)
{
	return ds_priv(dev)->attached ? 0 : svart_accel_stop(ds_priv(dev)->id);
}

static int
ds_close(struct rte_dma_dev *dev)
{
	return ds_priv(dev)->attached ? 0 : svart_accel_close(ds_priv(dev)->id);
}

static int
ds_stats_get(const struct rte_dma_dev *dev, uint16_t vchan, struct rte_dma_stats *st, uint32_t sz)
{
	struct svart_accel_stats s;
	int rc = svart_accel_stats_get(ds_priv(dev)->id, vchan, &s);

	RTE_SET_USED(sz);
	if (rc != 0)
		return rc;
	/* rte_dma counts a failed op as completed, and among the errors too. */
	st->submitted = s.submitted;
	st->completed = s.completed + s.errors;
	st->errors = s.errors;
	return 0;
}

static int
ds_stats_reset(struct rte_dma_dev *dev, uint16_t vchan)
{
	return svart_accel_stats_reset(ds_priv(dev)->id, vchan);
}

static int
ds_vchan_status(const struct rte_dma_dev *dev, uint16_t vchan, enum rte_dma_vchan_status *st)
{
	int rc = svart_accel_queue_idle(ds_priv(dev)->id, vchan);

	if (rc < 0)
		return rc;
	*st = rc == 1 ? RTE_DMA_VCHAN_IDLE : RTE_DMA_VCHAN_ACTIVE;
	return 0;
}

static int
ds_dump(const struct rte_dma_dev *dev, FILE *f)
{
	return svart_accel_dump(ds_priv(dev)->id, f);
}

static const struct rte_dma_dev_ops ds_ops = {
	.dev_info_get = ds_info_get,
	.dev_configure = ds_configure,
	.dev_start = ds_start,
	.dev_stop = ds_stop,
	.dev_close = ds_close,
	.vchan_setup = ds_vchan_setup,
	.stats_get = ds_stats_get,
	.stats_reset = ds_stats_reset,
	.vchan_status = ds_vchan_status,
	.dev_dump = ds_dump,
};

/* ---- virtual device ---- */

struct ds_args {
	char svart[DS_ARGS_MAX];  /**< devargs for svart_accel_probe */
	uint8_t mode;
	uint8_t policy;
	uint8_t attach;           /**< 1: use the existing device named by dev */
};

static int
ds_pick(const char *val, const char *const *names, unsigned int n, uint8_t *out)
{
	for (unsigned int i = 0; i < n; i++) {
		if (strcmp(val, names[i]) == 0) {
			*out = (uint8_t)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Split the vdev arguments into ours and the svart device's. */
static int
ds_parse(const char *name, const char *args, struct ds_args *a)
{
	static const char *const modes[] = { "dedicated", "shared" };
	static const char *const policies[] = { "default", "block", "resume", "report" };
	static const char *const bools[] = { "0", "1" };
	char buf[DS_ARGS_MAX], extra[DS_ARGS_MAX] = "", *save = NULL, *kv;
	const char *dev = NULL;

	if (snprintf(buf, sizeof(buf), "%s", args) >= (int)sizeof(buf))
		return -E2BIG;
	for (kv = strtok_r(buf, ",", &save); kv != NULL; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		int rc = 0;

		if (eq == NULL) {
			DS_LOG(ERR, "%s: argument \"%s\" is not key=value", name, kv);
			return -EINVAL;
		}
		*eq = '\0';
		if (strcmp(kv, "dev") == 0)
			dev = eq + 1;
		else if (strcmp(kv, "mode") == 0)
			rc = ds_pick(eq + 1, modes, RTE_DIM(modes), &a->mode);
		else if (strcmp(kv, "fault") == 0)
			rc = ds_pick(eq + 1, policies, RTE_DIM(policies), &a->policy);
		else if (strcmp(kv, "attach") == 0)
			rc = ds_pick(eq + 1, bools, RTE_DIM(bools), &a->attach);
		else
			rc = snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), ",%s=%s",
				      kv, eq + 1) < (int)(sizeof(extra) - strlen(extra)) ? 0 : -E2BIG;
		if (rc != 0) {
			DS_LOG(ERR, "%s: bad value \"%s\" for %s (mode: dedicated|shared; "
			       "fault: default|block|resume|report; attach: 0|1)", name, eq + 1, kv);
			return rc;
		}
	}
	if (dev == NULL || *dev == '\0') {
		DS_LOG(ERR, "%s: name the svart device: --vdev=%s,dev=idxd_emu0", name, name);
		return -EINVAL;
	}
	if (snprintf(a->svart, sizeof(a->svart), "%s%s", dev, extra) >= (int)sizeof(a->svart))
		return -E2BIG;
	return 0;
}

static void
ds_fp_set(struct rte_dma_dev *dma, struct dma_svart *d)
{
	dma->fp_obj->dev_private = d;
	dma->fp_obj->copy = ds_copy;
	dma->fp_obj->fill = ds_fill;
	dma->fp_obj->submit = ds_submit;
	dma->fp_obj->completed = ds_completed;
	dma->fp_obj->completed_status = ds_completed_status;
	dma->fp_obj->burst_capacity = ds_burst_capacity;
}

static int
ds_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct ds_args a = { .mode = SVART_ACCEL_QUEUE_DEDICATED };
	struct rte_dma_dev *dma;
	struct dma_svart *d;
	int id, rc;

	rc = ds_parse(name, rte_vdev_device_args(vdev), &a);
	if (rc != 0)
		return rc;
	id = a.attach ? svart_accel_get_dev_id(a.svart) : svart_accel_probe(a.svart);
	if (id < 0) {
		DS_LOG(ERR, "%s: svart device \"%s\"%s: %s", name, a.svart,
		       a.attach ? " (attach: probe it first)" : "", strerror(-id));
		return id;
	}
	dma = rte_dma_pmd_allocate(name, vdev->device.numa_node, sizeof(*d));
	if (dma == NULL) {
		DS_LOG(ERR, "%s: no dmadev slot (name in use or RTE_DMADEV_DEFAULT_MAX reached)", name);
		if (!a.attach)
			svart_accel_close((int16_t)id);
		return -ENOMEM;
	}
	d = dma->data->dev_private;
	d->id = (int16_t)id;
	d->mode = a.mode;
	d->policy = a.policy;
	d->attached = a.attach;
	dma->device = &vdev->device;
	dma->dev_ops = &ds_ops;
	ds_fp_set(dma, d);
	dma->state = RTE_DMA_DEV_READY;
	if (!svart_iopf_running()) {
		rc = svart_iopf_start(NULL);
		if (rc == 0)
			iopf_users = 1;
		else
			DS_LOG(WARNING, "%s: no fault service (%s): a page fault ends after the "
			       "device's page-request timeout; give EAL a second lcore (-l 0-1)",
			       name, strerror(-rc));
	} else if (iopf_users > 0) {
		iopf_users++; /* the service this driver started serves this device too */
	}
	DS_LOG(INFO, "%s: svart device %s, %s queues, fault policy %u", name, a.svart,
	       a.mode == SVART_ACCEL_QUEUE_SHARED ? "shared" : "dedicated", a.policy);
	return 0;
}

static int
ds_remove(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	int id = rte_dma_get_dev_id_by_name(name), rc;

	if (id < 0)
		return -ENODEV;
	(void)rte_dma_stop((int16_t)id);
	rc = rte_dma_pmd_release(name); /* closes the svart device */
	if (iopf_users > 0 && --iopf_users == 0)
		(void)svart_iopf_stop();
	return rc;
}

static struct rte_vdev_driver ds_driver = {
	.probe = ds_probe,
	.remove = ds_remove,
	.drv_flags = RTE_VDEV_DRV_NEED_IOVA_AS_VA,
};

RTE_PMD_REGISTER_VDEV(dma_svart, ds_driver);
RTE_PMD_REGISTER_PARAM_STRING(dma_svart,
	"dev=<svart device> mode=dedicated|shared fault=default|block|resume|report attach=0|1");
