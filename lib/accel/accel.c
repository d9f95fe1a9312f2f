/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Device registry and lifecycle of the accelerator class. All argument and
 * state checks live here; drivers are called only with valid input. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_kvargs.h>
#include <rte_log.h>

#include "accel_private.h"
#include "sva_private.h"

RTE_LOG_REGISTER(svart_accel_logtype, svart.accel, NOTICE);

#define ACCEL_MAX_DRIVERS 32
#define ACCEL_PRIORITY_MAX 15

struct svart_accel_fp_object svart_accel_fp_objs[SVART_ACCEL_MAX_DEVS];

static struct svart_accel_dev accel_devs[SVART_ACCEL_MAX_DEVS];
static const struct svart_accel_driver *accel_drivers[ACCEL_MAX_DRIVERS];
static unsigned int accel_nb_drivers;

static const char *const accel_op_names[SVART_ACCEL_OP_MAX] = {
	[SVART_ACCEL_OP_NOP] = "nop",
	[SVART_ACCEL_OP_COPY] = "copy",
	[SVART_ACCEL_OP_FILL] = "fill",
	[SVART_ACCEL_OP_COMPARE] = "compare",
	[SVART_ACCEL_OP_COMPARE_VALUE] = "compare_value",
	[SVART_ACCEL_OP_DUALCAST] = "dualcast",
	[SVART_ACCEL_OP_CRC32C] = "crc32c",
	[SVART_ACCEL_OP_COPY_CRC32C] = "copy_crc32c",
	[SVART_ACCEL_OP_CACHE_FLUSH] = "cache_flush",
};

const char *
svart_accel_op_name(enum svart_accel_op_type op)
{
	if ((unsigned int)op >= SVART_ACCEL_OP_MAX)
		return "unknown";
	return accel_op_names[op];
}

int
svart_accel_driver_register(const struct svart_accel_driver *drv)
{
	int rc = 0;

	if (drv == NULL || drv->name == NULL || drv->name[0] == '\0' || drv->probe == NULL) {
		rc = -EINVAL;
	} else if (drv->abi != SVART_ACCEL_DRIVER_ABI) {
		ACCEL_LOG(ERR, "driver '%s' was built for driver ABI %u, this runtime has ABI %u: "
			  "rebuild it against this svart", drv->name, drv->abi,
			  SVART_ACCEL_DRIVER_ABI);
		rc = -EPROTO;
	} else {
		for (unsigned int i = 0; i < accel_nb_drivers; i++)
			if (strcmp(accel_drivers[i]->name, drv->name) == 0)
				rc = -EEXIST;
		if (rc == -EEXIST)
			ACCEL_LOG(ERR, "driver '%s' is already registered", drv->name);
		else if (accel_nb_drivers == ACCEL_MAX_DRIVERS)
			rc = -ENOSPC;
		else
			accel_drivers[accel_nb_drivers++] = drv;
	}
	accel_plugin_note_register(rc);
	return rc;
}

const struct svart_accel_driver *
accel_driver_find(const char *devname)
{
	const struct svart_accel_driver *best = NULL;
	size_t best_len = 0;

	for (unsigned int i = 0; i < accel_nb_drivers; i++) {
		size_t len = strlen(accel_drivers[i]->name);

		if (len > best_len && strncmp(devname, accel_drivers[i]->name, len) == 0) {
			best = accel_drivers[i];
			best_len = len;
		}
	}
	return best;
}

static uint64_t accel_serial;

static struct svart_accel_dev *
accel_dev_lookup(int16_t dev_id)
{
	if (dev_id < 0 || dev_id >= SVART_ACCEL_MAX_DEVS ||
	    accel_devs[dev_id].state == SVART_ACCEL_DEV_UNUSED)
		return NULL;
	return &accel_devs[dev_id];
}

/* -ENODEV for no device, -EPERM for a device inherited from the parent of a fork. */
static int
accel_dev_check(const struct svart_accel_dev *dev)
{
	if (dev == NULL)
		return -ENODEV;
	if (dev->fork_gen != __atomic_load_n(&svart_accel_fork_gen, __ATOMIC_ACQUIRE)) {
		ACCEL_LOG(ERR, "%s belongs to the parent process (fork): not usable here", dev->name);
		return -EPERM;
	}
	return 0;
}

#define ACCEL_DEV_OR_RETURN(dev) do { \
	int check_rc_ = accel_dev_check(dev); \
	if (check_rc_ != 0) \
		return check_rc_; \
} while (0)

struct svart_accel_dev *
svart_accel_dev_get(int16_t dev_id)
{
	return accel_dev_lookup(dev_id);
}

bool
svart_accel_is_valid(int16_t dev_id)
{
	return accel_dev_lookup(dev_id) != NULL;
}

uint16_t
svart_accel_count(void)
{
	uint16_t n = 0;

	for (int i = 0; i < SVART_ACCEL_MAX_DEVS; i++)
		n += accel_devs[i].state != SVART_ACCEL_DEV_UNUSED;
	return n;
}

int
svart_accel_get_dev_id(const char *name)
{
	if (name == NULL)
		return -EINVAL;
	for (int i = 0; i < SVART_ACCEL_MAX_DEVS; i++)
		if (accel_devs[i].state != SVART_ACCEL_DEV_UNUSED &&
		    strcmp(accel_devs[i].name, name) == 0)
			return i;
	return -ENODEV;
}

/* Split "name,k=v,..." into name and a kvargs list checked against the driver's keys. */
static int
accel_parse_devargs(const char *devargs, char *name, const struct svart_accel_driver **drv,
		    struct rte_kvargs **kvlist)
{
	const char *comma = strchr(devargs, ',');
	size_t len = comma != NULL ? (size_t)(comma - devargs) : strlen(devargs);

	if (len == 0 || len >= SVART_ACCEL_NAME_MAX) {
		ACCEL_LOG(ERR, "bad device name in '%s' (1 to %d characters)", devargs,
			  SVART_ACCEL_NAME_MAX - 1);
		return -EINVAL;
	}
	memcpy(name, devargs, len);
	name[len] = '\0';

	*drv = accel_driver_find(name);
	if (*drv == NULL) {
		ACCEL_LOG(ERR, "no driver for device '%s' (is its plug-in in SVART_PLUGIN_PATH?)",
			  name);
		return -ENODEV;
	}
	*kvlist = NULL;
	if (comma != NULL && comma[1] != '\0') {
		*kvlist = rte_kvargs_parse(comma + 1, (const char **)(*drv)->valid_keys);
		if (*kvlist == NULL) {
			ACCEL_LOG(ERR, "bad devargs '%s' for driver %s", comma + 1, (*drv)->name);
			return -EINVAL;
		}
	}
	return 0;
}

static bool
accel_ops_complete(const struct svart_accel_dev *dev)
{
	const struct svart_accel_dev_ops *o = dev->ops;
	const struct svart_accel_fp_ops *f = dev->fp_ops;

	return o != NULL && f != NULL && o->info_get && o->configure && o->queue_setup &&
	       o->queue_release && o->start && o->stop && o->close && o->stats_get &&
	       o->stats_reset && f->copy && f->enqueue && f->submit && f->completed &&
	       f->completed_status && f->burst_capacity;
}

int
svart_accel_probe(const char *devargs)
{
	const struct svart_accel_driver *drv;
	struct rte_kvargs *kvlist = NULL;
	char name[SVART_ACCEL_NAME_MAX];
	struct svart_accel_dev *dev = NULL;
	int rc;

	if (devargs == NULL || devargs[0] == '\0')
		return -EINVAL;
	accel_plugins_load_env();
	rc = accel_parse_devargs(devargs, name, &drv, &kvlist);
	if (rc != 0)
		return rc;
	if (svart_accel_get_dev_id(name) >= 0) {
		ACCEL_LOG(ERR, "device '%s' already exists", name);
		rc = -EEXIST;
		goto out;
	}
	for (int i = 0; i < SVART_ACCEL_MAX_DEVS && dev == NULL; i++)
		if (accel_devs[i].state == SVART_ACCEL_DEV_UNUSED)
			dev = &accel_devs[i];
	if (dev == NULL) {
		ACCEL_LOG(ERR, "cannot probe '%s': %d devices already exist", name,
			  SVART_ACCEL_MAX_DEVS);
		rc = -ENOSPC;
		goto out;
	}
	memset(dev, 0, sizeof(*dev));
	strcpy(dev->name, name);
	dev->dev_id = (int16_t)(dev - accel_devs);
	dev->driver = drv;
	dev->serial = ++accel_serial;
	dev->fork_gen = __atomic_load_n(&svart_accel_fork_gen, __ATOMIC_ACQUIRE);
	rc = drv->probe(dev, kvlist);
	if (rc == 0 && !accel_ops_complete(dev)) {
		ACCEL_LOG(ERR, "driver %s left required ops unset for '%s'", drv->name, name);
		if (dev->ops != NULL && dev->ops->close != NULL)
			dev->ops->close(dev);
		rc = -EINVAL;
	}
	if (rc != 0) {
		ACCEL_LOG(ERR, "probe of '%s' by driver %s failed: %s", name, drv->name,
			  strerror(-rc));
		memset(dev, 0, sizeof(*dev));
		goto out;
	}
	dev->state = SVART_ACCEL_DEV_PROBED;
	rc = dev->dev_id;
	ACCEL_LOG(INFO, "probed '%s' (driver %s) as device %d", name, drv->name, rc);
out:
	rte_kvargs_free(kvlist);
	return rc;
}

int
svart_accel_info_get(int16_t dev_id, struct svart_accel_info *info)
{
	struct svart_accel_dev *dev = accel_dev_lookup(dev_id);
	int rc;

	ACCEL_DEV_OR_RETURN(dev);
	if (info == NULL)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	rc = dev->ops->info_get(dev, info);
	if (rc != 0)
		return rc;
	strcpy(info->name, dev->name);
	info->driver_name = dev->driver->name;
	info->nb_queues = dev->nb_queues;
	if (info->max_queues > SVART_ACCEL_MAX_QUEUES)
		info->max_queues = SVART_ACCEL_MAX_QUEUES;
	return 0;
}

static void
accel_fp_clear(int16_t dev_id)
{
	memset(&svart_accel_fp_objs[dev_id], 0, sizeof(svart_accel_fp_objs[dev_id]));
}

static void
accel_queues_release(struct svart_accel_dev *dev)
{
	for (uint16_t q = 0; q < SVART_ACCEL_MAX_QUEUES; q++) {
		if (dev->queues[q] != NULL)
			dev->ops->queue_release(dev, q, dev->queues[q]);
		dev->queues[q] = NULL;
	}
}

int
svart_accel_configure(int16_t dev_id, const struct svart_accel_conf *conf)
{
	struct svart_accel_dev *dev = accel_dev_lookup(dev_id);
	struct svart_accel_info info;
	int rc;

	ACCEL_DEV_OR_RETURN(dev);
	if (conf == NULL)
		return -EINVAL;
	if (dev->state == SVART_ACCEL_DEV_STARTED) {
		ACCEL_LOG(ERR, "%s: configure while started", dev->name);
		return -EBUSY;
	}
	rc = svart_accel_info_get(dev_id, &info);
	if (rc != 0)
		return rc;
	if (conf->nb_queues == 0 || conf->nb_queues > info.max_queues) {
		ACCEL_LOG(ERR, "%s: nb_queues %u out of range 1..%u", dev->name, conf->nb_queues,
			  info.max_queues);
		return -EINVAL;
	}
	accel_queues_release(dev);
	rc = dev->ops->configure(dev, conf);
	if (rc != 0) {
		dev->nb_queues = 0;
		dev->state = SVART_ACCEL_DEV_PROBED;
		return rc;
	}
	dev->nb_queues = conf->nb_queues;
	dev->state = SVART_ACCEL_DEV_CONFIGURED;
	return 0;
}

static bool
is_pow2(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

int
svart_accel_queue_setup(int16_t dev_id, uint16_t queue_id,
			const struct svart_accel_queue_conf *conf)
{
	struct svart_accel_dev *dev = accel_dev_lookup(dev_id);
	struct svart_accel_info info;
	void *qp = NULL;
	int rc;

	ACCEL_DEV_OR_RETURN(dev);
	if (dev->state == SVART_ACCEL_DEV_STARTED)
		return -EBUSY;
	if (conf == NULL || dev->state != SVART_ACCEL_DEV_CONFIGURED || queue_id >= dev->nb_queues)
		return -EINVAL;
	rc = svart_accel_info_get(dev_id, &info);
	if (rc != 0)
		return rc;
	if (!is_pow2(conf->nb_desc) || conf->nb_desc < info.min_desc ||
	    conf->nb_desc > info.max_desc) {
		ACCEL_LOG(ERR, "%s: nb_desc %u must be a power of two in %u..%u", dev->name,
			  conf->nb_desc, info.min_desc, info.max_desc);
		return -EINVAL;
	}
	if (conf->priority > ACCEL_PRIORITY_MAX)
		return -EINVAL;
	if (conf->hw_queue != SVART_ACCEL_HWQ_AUTO &&
	    (conf->hw_queue < 0 || conf->hw_queue >= info.hw_queues))
		return -EINVAL;
	if (conf->hw_entries > info.hw_queue_entries || conf->fault_policy > SVART_ACCEL_FAULT_REPORT)
		return -EINVAL;
	if (conf->fault_policy == SVART_ACCEL_FAULT_BLOCK && !(info.capa & SVART_ACCEL_CAPA_PAGE_FAULT))
		return -ENOTSUP;
	if (conf->mode == SVART_ACCEL_QUEUE_DEDICATED) {
		if (!(info.capa & SVART_ACCEL_CAPA_DEDICATED))
			return -ENOTSUP;
	} else if (conf->mode == SVART_ACCEL_QUEUE_SHARED) {
		if (!(info.capa & SVART_ACCEL_CAPA_SHARED)) {
			ACCEL_LOG(ERR, "%s: no shared queues on this device or transport (see svart-info)",
				  dev->name);
			return -ENOTSUP;
		}
	} else {
		return -EINVAL;
	}
	if (dev->queues[queue_id] != NULL) {
		dev->ops->queue_release(dev, queue_id, dev->queues[queue_id]);
		dev->queues[queue_id] = NULL;
	}
	rc = dev->ops->queue_setup(dev, queue_id, conf, &qp);
	if (rc != 0)
		return rc;
	dev->queues[queue_id] = qp;
	return 0;
}

int
svart_accel_start(int16_t dev_id)
{
	struct svart_accel_dev *dev = accel_dev_lookup(dev_id);
	struct svart_accel_fp_object *fp;
	struct svart_accel_info info;
	int rc;

	ACCEL_DEV_OR_RETURN(dev);
	if (dev->state == SVART_ACCEL_DEV_STARTED)
		return 0;
	if (dev->state != SVART_ACCEL_DEV_CONFIGURED) {
		ACCEL_LOG(ERR, "%s: start before configure", dev->name);
		return -EINVAL;
	}
	for (uint16_t q = 0; q < dev->nb_queues; q++) {
		if (dev->queues[q] == NULL) {
			ACCEL_LOG(ERR, "%s: queue %u was not set up", dev->name, q);
			return -EINVAL;
		}
	}
	rc = svart_accel_info_get(dev_id, &info);
	if (rc != 0)
		return rc;
	/* An SVA device works on this process's addresses: bind it if the
	 * application did not (the binding ends at close). */
	if ((info.capa & SVART_ACCEL_CAPA_SVA) && dev->ops->sva_bind != NULL && !dev->sva_bound) {
		rc = sva_dev_bind(dev, true);
		if (rc != 0)
			return rc;
	}
	rc = dev->ops->start(dev);
	if (rc != 0)
		return rc;
	fp = &svart_accel_fp_objs[dev_id];
	fp->queues = dev->queues;
	fp->op_capa = info.op_capa;
	fp->max_transfer = info.max_transfer;
	fp->nb_queues = dev->nb_queues;
	fp->copy = dev->fp_ops->copy;
	fp->enqueue = dev->fp_ops->enqueue;
	fp->submit = dev->fp_ops->submit;
	fp->completed = dev->fp_ops->completed;
	fp->completed_status = dev->fp_ops->completed_status;
	fp->burst_capacity = dev->fp_ops->burst_capacity;
	dev->state = SVART_ACCEL_DEV_STARTED;
	return 0;
}

int
svart_accel_stop(int16_t dev_id)
{
	struct svart_accel_dev *dev = accel_dev_lookup(dev_id);
	int rc;

	ACCEL_DEV_OR_RETURN(dev);
	if (dev->state != SVART_ACCEL_DEV_STARTED)
		return 0;
	rc = dev->ops->stop(dev);
	if (rc != 0)
		return rc;
	accel_fp_clear(dev_id);
	dev->state = SVART_ACCEL_DEV_CONFIGURED;
	return 0;
}

int
svart_accel_close(int16_t dev_id)
{
	struct svart_accel_dev *dev = accel_dev_lookup(dev_id);
	int rc;

	ACCEL_DEV_OR_RETURN(dev);
	if (dev->state == SVART_ACCEL_DEV_STARTED) {
		ACCEL_LOG(ERR, "%s: close while started; stop it first", dev->name);
		return -EBUSY;
	}
	accel_queues_release(dev);
	if (dev->sva_bound)
		sva_dev_unbind(dev, true);
	rc = dev->ops->close(dev);
	if (rc != 0)
		ACCEL_LOG(WARNING, "%s: driver close returned %d", dev->name, rc);
	accel_fp_clear(dev_id);
	memset(dev, 0, sizeof(*dev));
	return 0;
}

static void
stats_add(struct svart_accel_stats *sum, const struct svart_accel_stats *s)
{
	sum->enqueued += s->enqueued;
	sum->submitted += s->submitted;
	sum->completed += s->completed;
	sum->errors += s->errors;
	sum->hw_submits += s->hw_submits;
	sum->retries += s->retries;
}

int
svart_accel_stats_get(int16_t dev_id, uint16_t queue_id, struct svart_accel_stats *stats)
{
	struct svart_accel_dev *dev = accel_dev_lookup(dev_id);
	struct svart_accel_stats one;
	int rc;

	ACCEL_DEV_OR_RETURN(dev);
	if (stats == NULL || (queue_id != SVART_ACCEL_ALL_QUEUES && queue_id >= dev->nb_queues))
		return -EINVAL;
	memset(stats, 0, sizeof(*stats));
	for (uint16_t q = 0; q < dev->nb_queues; q++) {
		if ((queue_id != SVART_ACCEL_ALL_QUEUES && q != queue_id) || dev->queues[q] == NULL)
			continue;
		memset(&one, 0, sizeof(one));
		rc = dev->ops->stats_get(dev, dev->queues[q], &one);
		if (rc != 0)
			return rc;
		stats_add(stats, &one);
	}
	return 0;
}

int
svart_accel_stats_reset(int16_t dev_id, uint16_t queue_id)
{
	struct svart_accel_dev *dev = accel_dev_lookup(dev_id);
	int rc;

	ACCEL_DEV_OR_RETURN(dev);
	if (queue_id != SVART_ACCEL_ALL_QUEUES && queue_id >= dev->nb_queues)
		return -EINVAL;
	for (uint16_t q = 0; q < dev->nb_queues; q++) {
		if ((queue_id != SVART_ACCEL_ALL_QUEUES && q != queue_id) || dev->queues[q] == NULL)
			continue;
		rc = dev->ops->stats_reset(dev, dev->queues[q]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static const char *
accel_state_name(enum svart_accel_dev_state s)
{
	switch (s) {
	case SVART_ACCEL_DEV_PROBED: return "probed";
	case SVART_ACCEL_DEV_CONFIGURED: return "configured";
	case SVART_ACCEL_DEV_STARTED: return "started";
	default: return "unused";
	}
}

int
svart_accel_queue_idle(int16_t dev_id, uint16_t queue_id)
{
	struct svart_accel_dev *dev = accel_dev_lookup(dev_id);

	ACCEL_DEV_OR_RETURN(dev);
	if (queue_id >= dev->nb_queues || dev->queues[queue_id] == NULL)
		return -EINVAL;
	if (dev->ops->queue_idle == NULL)
		return -ENOTSUP;
	return dev->ops->queue_idle(dev, dev->queues[queue_id]);
}

int
svart_accel_dump(int16_t dev_id, FILE *f)
{
	struct svart_accel_dev *dev = accel_dev_lookup(dev_id);
	struct svart_accel_info info;
	struct svart_accel_stats st;
	int rc;

	ACCEL_DEV_OR_RETURN(dev);
	if (f == NULL)
		return -EINVAL;
	rc = svart_accel_info_get(dev_id, &info);
	if (rc != 0)
		return rc;
	fprintf(f, "device %d: %s (driver %s), %s, %u queues\n", dev_id, dev->name,
		dev->driver->name, accel_state_name(dev->state), dev->nb_queues);
	fprintf(f, "  ops:");
	for (int op = 0; op < SVART_ACCEL_OP_MAX; op++)
		if (info.op_capa & (1ull << op))
			fprintf(f, " %s", svart_accel_op_name(op));
	fprintf(f, "\n  max_transfer %" PRIu64 " B, max_batch %u, hw queues %u (%u entries)\n",
		info.max_transfer, info.max_batch, info.hw_queues, info.hw_queue_entries);
	fprintf(f, "  memory: device %" PRIu64 " KiB, queues %" PRIu64 " KiB\n", info.mem_device >> 10,
		info.mem_queues >> 10);
	if (svart_accel_stats_get(dev_id, SVART_ACCEL_ALL_QUEUES, &st) == 0)
		fprintf(f, "  stats: enqueued %" PRIu64 " submitted %" PRIu64 " completed %" PRIu64
			" errors %" PRIu64 " hw_submits %" PRIu64 " retries %" PRIu64 "\n",
			st.enqueued, st.submitted, st.completed, st.errors, st.hw_submits,
			st.retries);
	if (dev->ops->dump != NULL)
		return dev->ops->dump(dev, f);
	return 0;
}

/* Always built: an application compiled with SVART_ACCEL_DEBUG may use a
 * release library. */
int
svart_accel_fp_check(int16_t dev_id, uint16_t queue_id)
{
	struct svart_accel_dev *dev = accel_dev_lookup(dev_id);

	if (dev == NULL || dev->state != SVART_ACCEL_DEV_STARTED || queue_id >= dev->nb_queues) {
		ACCEL_LOG(ERR, "fast path: invalid device %d / queue %u", dev_id, queue_id);
		return -EINVAL;
	}
	return 0;
}
