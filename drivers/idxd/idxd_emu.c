/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The emulated transport of the idxd PMD: registers and portals of an
 * emulated DSA device (drivers/emu_dsa). Driver name "idxd_emu". */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "emu_dsa.h"
#include "emu_dsa_profile.h"
#include "idxd_emu_pri.h"
#include "idxd_internal.h"
#include "svart_idxd_emu.h"

#define IDXD_EMU_DEFAULT_BATCH_MIN 2u

struct idxd_emu_portal {
	struct emu_dsa *dev;
	uint16_t wq;
	uint32_t pasid;
};

static uint64_t
emu_rd64(void *hw, uint32_t off)
{
	return emu_dsa_mmio_read64(hw, off);
}

static uint32_t
emu_rd32(void *hw, uint32_t off)
{
	return emu_dsa_mmio_read32(hw, off);
}

static void
emu_wr32(void *hw, uint32_t off, uint32_t val)
{
	emu_dsa_mmio_write32(hw, off, val);
}

static int
emu_portal_movdir64b(void *portal, const struct dsa_hw_desc *d)
{
	const struct idxd_emu_portal *p = portal;

	/* The model's portal publishes with a release store, which orders the
	 * descriptor ring and completion-record stores before it (what SFENCE
	 * before MOVDIR64B does on hardware). */
	emu_dsa_portal_movdir64b(p->dev, p->wq, d);
	return 0;
}

static int
emu_portal_enqcmd(void *portal, const struct dsa_hw_desc *d)
{
	const struct idxd_emu_portal *p = portal;

	return emu_dsa_portal_enqcmd(p->dev, p->wq, d, p->pasid);
}

static int
emu_portal_open(void *hw, uint16_t wq, bool shared, uint32_t pasid, void **portal,
		idxd_portal_write_t *write)
{
	struct idxd_emu_portal *p = malloc(sizeof(*p));

	if (p == NULL)
		return -ENOMEM;
	p->dev = hw;
	p->wq = wq;
	p->pasid = pasid;
	*portal = p;
	*write = shared ? emu_portal_enqcmd : emu_portal_movdir64b;
	return 0;
}

/*
 * The null device (driver idxd_null): every descriptor is finished the moment
 * it reaches the portal, doing nothing but writing its completion record, so
 * what a benchmark measures is the PMD's own cost per op on the submitting
 * core, the part that carries over to a real DSA. Not a device for data.
 */
static int
null_portal_write(void *portal, const struct dsa_hw_desc *d)
{
	struct dsa_completion_record *cr = (struct dsa_completion_record *)(uintptr_t)d->completion_addr;

	(void)portal;
	if (!(d->flags & IDXD_OP_FLAG_CRAV))
		return 0;
	cr->bytes_completed = d->opcode == DSA_OPCODE_BATCH ? d->desc_count : 0;
	/* Release: the poller sees bytes_completed before the status. */
	__atomic_store_n(&cr->status, DSA_COMP_SUCCESS, __ATOMIC_RELEASE);
	return 0;
}

static int
null_portal_open(void *hw, uint16_t wq, bool shared, uint32_t pasid, void **portal,
		 idxd_portal_write_t *write)
{
	int rc = emu_portal_open(hw, wq, shared, pasid, portal, write);

	*write = null_portal_write;
	return rc;
}

static void
emu_portal_close(void *hw, void *portal)
{
	(void)hw;
	free(portal);
}

static int
emu_pasid_bind(void *hw, uint32_t pasid)
{
	return emu_dsa_pasid_bind(hw, pasid);
}

static int
emu_pasid_unbind(void *hw, uint32_t pasid)
{
	return emu_dsa_pasid_unbind(hw, pasid);
}

static bool
emu_pasid_drained(void *hw, uint32_t pasid)
{
	return emu_dsa_pasid_drained(hw, pasid);
}

static int
emu_invalidate(void *hw, uintptr_t addr, size_t len)
{
	(void)addr;
	(void)len;
	/* The model's ATC invalidation is global: always a superset of the range. */
	emu_dsa_invalidate(hw);
	return 0;
}

#define IDXD_EMU_PRI_BURST 32 /* page requests taken per read */

static uint16_t
tp_pri_read(void *ctx, struct svart_iopf_req *reqs, uint16_t max)
{
	struct emu_page_req r[IDXD_EMU_PRI_BURST];
	uint16_t n = emu_dsa_pri_read(ctx, r, max < IDXD_EMU_PRI_BURST ? max : IDXD_EMU_PRI_BURST);

	idxd_emu_pri_to_iopf(r, reqs, n);
	return n;
}

static int
tp_pri_respond(void *ctx, uint32_t pasid, uint16_t group, bool invalid)
{
	return emu_dsa_pri_respond(ctx, pasid, group, invalid ? EMU_PRI_INVALID : EMU_PRI_SUCCESS);
}

static void
tp_pri_counters(void *ctx, uint64_t *overflows, uint64_t *timeouts)
{
	struct emu_pri_counters c;

	emu_dsa_pri_counters_get(ctx, &c);
	*overflows += c.overflows;
	*timeouts += c.timeouts;
}

static const struct svart_iopf_source_ops emu_iopf_ops = {
	.read = tp_pri_read,
	.respond = tp_pri_respond,
	.counters = tp_pri_counters,
};

static void
emu_latency(void *arg, uint64_t cycles)
{
	(void)arg;
	svart_iopf_latency_record(cycles);
}

static uint64_t
emu_mem(void *hw)
{
	return emu_dsa_mem_bytes(hw);
}

static int
emu_bus_master(void *hw, bool on)
{
	uint16_t cmd = emu_dsa_pci_cfg_read16(hw, DSA_PCI_CFG_COMMAND);

	cmd = on ? cmd | DSA_PCI_COMMAND_MASTER : cmd & ~DSA_PCI_COMMAND_MASTER;
	emu_dsa_pci_cfg_write16(hw, DSA_PCI_CFG_COMMAND, cmd);
	return 0;
}

static void
emu_close(void *hw)
{
	emu_dsa_destroy(hw);
}

static const struct idxd_transport idxd_emu_transport = {
	.name = "emulated DSA",
	.reg_read64 = emu_rd64,
	.reg_read32 = emu_rd32,
	.reg_write32 = emu_wr32,
	.portal_open = emu_portal_open,
	.portal_close = emu_portal_close,
	.pasid_bind = emu_pasid_bind,
	.pasid_unbind = emu_pasid_unbind,
	.pasid_drained = emu_pasid_drained,
	.invalidate = emu_invalidate,
	.iopf_ops = &emu_iopf_ops,
	.mem_bytes = emu_mem,
	.bus_master = emu_bus_master,
	.close = emu_close,
};

/* idxd_emu_transport with the null portal (filled at the first idxd_null probe). */
static struct idxd_transport idxd_null_transport;

static const char *const idxd_emu_keys[] = {
	"wqs", "wq_entries", "engines", "max_xfer_shift", "max_batch_shift", "modes", "engine",
	"lcore", "batch_min", "prq_size", "pri_alloc", "pri_timeout_ms", "seed", "wqcfg_size", NULL
};

struct kv_uint {
	unsigned long max;
	unsigned long val;
	bool bad;
};

static int
kv_parse_uint(const char *key, const char *value, void *opaque)
{
	struct kv_uint *u = opaque;
	char *end;
	unsigned long v;

	(void)key;
	errno = 0;
	v = strtoul(value, &end, 0);
	if (errno != 0 || end == value || *end != '\0' || v > u->max || value[0] == '-')
		u->bad = true;
	else
		u->val = v;
	return 0;
}

/* Parse an optional unsigned key into *out. Returns -EINVAL on a bad value. */
static int
kv_uint(const struct rte_kvargs *kv, const char *key, unsigned long max, unsigned long *out)
{
	struct kv_uint u = { .max = max, .val = *out };

	if (kv == NULL || rte_kvargs_count(kv, key) == 0)
		return 0;
	rte_kvargs_process(kv, key, kv_parse_uint, &u);
	if (u.bad) {
		IDXD_LOG(ERR, "devargs: bad value for '%s' (0..%lu)", key, max);
		return -EINVAL;
	}
	*out = u.val;
	return 0;
}

static int
idxd_emu_parse(const struct rte_kvargs *kv, struct emu_dsa_profile *p, uint16_t *batch_min)
{
	unsigned long wqs = p->num_wqs, ent = p->total_wq_size, eng = p->num_engines;
	unsigned long xs = p->max_xfer_shift, bs = p->max_batch_shift;
	unsigned long lcore = RTE_MAX_LCORE, bmin = IDXD_EMU_DEFAULT_BATCH_MIN;
	unsigned long prq = p->prq_size, alloc = p->pri_alloc, tmo = p->pri_timeout_ms;
	unsigned long seed = (unsigned long)p->seed, wqcfg = p->wqcfg_size;
	const char *modes = NULL, *engine = NULL;

	if (kv_uint(kv, "wqs", EMU_DSA_MAX_WQS, &wqs) || kv_uint(kv, "wq_entries",
	    EMU_DSA_MAX_TOTAL_WQ_SIZE, &ent) || kv_uint(kv, "engines", EMU_DSA_MAX_ENGINES, &eng) ||
	    kv_uint(kv, "max_xfer_shift", EMU_DSA_MAX_XFER_SHIFT_LIMIT, &xs) ||
	    kv_uint(kv, "max_batch_shift", EMU_DSA_MAX_BATCH_SHIFT_LIMIT, &bs) ||
	    kv_uint(kv, "lcore", RTE_MAX_LCORE - 1, &lcore) ||
	    kv_uint(kv, "batch_min", IDXD_MAX_DESC, &bmin) ||
	    kv_uint(kv, "prq_size", EMU_DSA_MAX_PRQ_SIZE, &prq) ||
	    kv_uint(kv, "pri_alloc", EMU_PRG_COUNT, &alloc) ||
	    kv_uint(kv, "pri_timeout_ms", EMU_DSA_MAX_PRI_TIMEOUT_MS, &tmo) ||
	    kv_uint(kv, "seed", ULONG_MAX, &seed) ||
	    kv_uint(kv, "wqcfg_size", EMU_WQCFG_SIZE_MAX_ARG, &wqcfg))
		return -EINVAL;
	if (kv != NULL) {
		rte_kvargs_process(kv, "modes", idxd_kv_str, &modes);
		rte_kvargs_process(kv, "engine", idxd_kv_str, &engine);
	}
	p->num_wqs = (uint8_t)wqs;
	p->total_wq_size = (uint16_t)ent;
	p->num_engines = (uint8_t)eng;
	p->max_xfer_shift = (uint8_t)xs;
	p->max_batch_shift = (uint8_t)bs;
	p->engine_lcore = lcore == RTE_MAX_LCORE ? -1 : (int)lcore;
	if (modes != NULL) {
		p->dedicated_mode = strcmp(modes, "dedicated") == 0 || strcmp(modes, "both") == 0;
		p->shared_mode = strcmp(modes, "shared") == 0 || strcmp(modes, "both") == 0;
		if (!p->dedicated_mode && !p->shared_mode) {
			IDXD_LOG(ERR, "devargs: modes must be dedicated, shared or both");
			return -EINVAL;
		}
	}
	if (engine != NULL) {
		if (strcmp(engine, "service") == 0)
			p->engine_mode = EMU_DSA_ENGINE_SERVICE;
		else if (strcmp(engine, "thread") == 0)
			p->engine_mode = EMU_DSA_ENGINE_THREAD;
		else if (strcmp(engine, "manual") == 0)
			p->engine_mode = EMU_DSA_ENGINE_MANUAL;
		else {
			IDXD_LOG(ERR, "devargs: engine must be service, thread or manual");
			return -EINVAL;
		}
	}
	p->prq_size = (uint32_t)prq;
	p->pri_alloc = (uint32_t)alloc;
	p->pri_timeout_ms = (uint32_t)tmo;
	p->seed = seed;
	p->wqcfg_size = (uint8_t)wqcfg;
	*batch_min = (uint16_t)bmin;
	return 0;
}

static int
emu_probe(struct svart_accel_dev *dev, const struct rte_kvargs *kv, bool null_device)
{
	struct emu_dsa_profile prof;
	struct emu_dsa *emu;
	uint16_t batch_min;
	int rc;

	emu_dsa_profile_default(&prof);
	rc = idxd_emu_parse(kv, &prof, &batch_min);
	if (rc != 0)
		return rc;
	if (null_device) {
		/* The emulated device's registers, a portal that completes at once. */
		idxd_null_transport = idxd_emu_transport;
		idxd_null_transport.name = "null (completes at once)";
		idxd_null_transport.portal_open = null_portal_open;
	}
	emu = emu_dsa_create(dev->name, &prof, &rc);
	if (emu == NULL)
		return rc;
	emu_dsa_set_pri_latency_cb(emu, emu_latency, NULL);
	rc = idxd_dev_init(dev, null_device ? &idxd_null_transport : &idxd_emu_transport, emu,
			   batch_min);
	if (rc != 0)
		emu_dsa_destroy(emu);
	return rc;
}

static int
idxd_emu_probe(struct svart_accel_dev *dev, const struct rte_kvargs *kv)
{
	return emu_probe(dev, kv, false);
}

static int
idxd_null_probe(struct svart_accel_dev *dev, const struct rte_kvargs *kv)
{
	return emu_probe(dev, kv, true);
}

static const struct svart_accel_driver idxd_emu_driver = {
	.abi = SVART_ACCEL_DRIVER_ABI,
	.name = "idxd_emu",
	.valid_keys = idxd_emu_keys,
	.probe = idxd_emu_probe,
};

SVART_ACCEL_REGISTER_DRIVER(idxd_emu_driver);

/* idxd_null0: the PMD over a device that completes everything at once and
 * moves no data (benchmarks of the PMD's own cost per op). */
static const struct svart_accel_driver idxd_null_driver = {
	.abi = SVART_ACCEL_DRIVER_ABI,
	.name = "idxd_null",
	.valid_keys = idxd_emu_keys,
	.probe = idxd_null_probe,
};

SVART_ACCEL_REGISTER_DRIVER(idxd_null_driver);

static struct emu_dsa *
idxd_emu_hw(int16_t dev_id)
{
	struct svart_accel_dev *dev = svart_accel_dev_get(dev_id);
	const struct idxd_dev *d;

	if (dev == NULL || dev->driver != &idxd_emu_driver || dev->priv == NULL)
		return NULL;
	d = dev->priv;
	return d->hw;
}

int
svart_idxd_emu_poll(int16_t dev_id, unsigned int budget)
{
	struct emu_dsa *emu = idxd_emu_hw(dev_id);
	unsigned int n = 0;

	if (emu == NULL)
		return -ENODEV;
	for (unsigned int e = 0; e < emu_dsa_engine_count(emu); e++)
		n += emu_dsa_engine_poll(emu, e, budget);
	return (int)n;
}

int
svart_idxd_emu_counters_get(int16_t dev_id, struct svart_idxd_emu_counters *c)
{
	struct emu_dsa *emu = idxd_emu_hw(dev_id);
	struct emu_dsa_counters ec;

	if (emu == NULL)
		return -ENODEV;
	if (c == NULL)
		return -EINVAL;
	emu_dsa_counters_get(emu, &ec);
	c->descs = ec.descs;
	c->batches = ec.batches;
	c->errors = ec.errors;
	c->swerrs = ec.swerrs;
	c->retries = ec.retries;
	return 0;
}

int
svart_idxd_emu_fault_trace_start(int16_t dev_id, uint32_t capacity)
{
	struct emu_dsa *emu = idxd_emu_hw(dev_id);

	if (emu == NULL)
		return -ENODEV;
	return emu_dsa_fault_trace_start(emu, capacity);
}

int
svart_idxd_emu_fault_trace_stop(int16_t dev_id)
{
	struct emu_dsa *emu = idxd_emu_hw(dev_id);

	return emu == NULL ? -ENODEV : emu_dsa_fault_trace_stop(emu);
}

int
svart_idxd_emu_fault_trace_read(int16_t dev_id, struct svart_idxd_emu_fault_stamps *s,
				uint32_t max, uint64_t *dropped)
{
	struct emu_dsa *emu = idxd_emu_hw(dev_id);
	struct emu_fault_stamps *r;
	int n;

	if (emu == NULL)
		return -ENODEV;
	if (s == NULL && max > 0)
		return -EINVAL;
	if (max > EMU_FAULT_TRACE_MAX)
		max = EMU_FAULT_TRACE_MAX; /* no trace holds more */
	/* The device's records and ours have the same fields but neither layout
	 * depends on the other: read, then convert. */
	r = max > 0 ? malloc((size_t)max * sizeof(*r)) : NULL;
	if (max > 0 && r == NULL)
		return -ENOMEM;
	n = emu_dsa_fault_trace_read(emu, r, max, dropped);
	for (int i = 0; i < n; i++)
		s[i] = (struct svart_idxd_emu_fault_stamps){
			.addr = r[i].addr, .start = r[i].start, .raise = r[i].raise,
			.read = r[i].read, .answer = r[i].answer, .respond = r[i].respond,
			.seen = r[i].seen, .done = r[i].done,
		};
	free(r);
	return n;
}
