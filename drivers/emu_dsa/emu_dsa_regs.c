/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Device object and BAR0 register file: capability registers, WQCFG,
 * commands (CMD/CMDSTS), GENSTS and SWERR. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "emu_dsa_internal.h"

RTE_LOG_REGISTER(emu_dsa_logtype, svart.emu_dsa, NOTICE);

/* Opcodes the model implements (OPCAP bits). DIF and DSA 2 ops are absent. */
static const uint8_t emu_supported_ops[] = {
	DSA_OPCODE_NOOP, DSA_OPCODE_BATCH, DSA_OPCODE_DRAIN, DSA_OPCODE_MEMMOVE,
	DSA_OPCODE_MEMFILL, DSA_OPCODE_COMPARE, DSA_OPCODE_COMPVAL, DSA_OPCODE_CR_DELTA,
	DSA_OPCODE_AP_DELTA, DSA_OPCODE_DUALCAST, DSA_OPCODE_CRCGEN, DSA_OPCODE_COPY_CRC,
	DSA_OPCODE_CFLUSH,
};

void
emu_dsa_profile_default(struct emu_dsa_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->version = EMU_DSA_DEFAULT_VERSION;
	p->num_wqs = EMU_DSA_DEFAULT_NUM_WQS;
	p->total_wq_size = EMU_DSA_DEFAULT_TOTAL_WQ_SIZE;
	p->num_engines = EMU_DSA_DEFAULT_NUM_ENGINES;
	p->max_xfer_shift = EMU_DSA_DEFAULT_MAX_XFER_SHIFT;
	p->max_batch_shift = EMU_DSA_DEFAULT_MAX_BATCH_SHIFT;
	p->dedicated_mode = EMU_DSA_DEFAULT_DEDICATED;
	p->shared_mode = EMU_DSA_DEFAULT_SHARED;
	p->block_on_fault = EMU_DSA_DEFAULT_BOF;
	p->engine_mode = EMU_DSA_ENGINE_SERVICE;
	p->engine_lcore = -1;
	p->numa_node = -1;
	p->prq_size = EMU_DSA_DEFAULT_PRQ_SIZE;
	p->pri_alloc = EMU_DSA_DEFAULT_PRI_ALLOC;
	p->pri_timeout_ms = EMU_DSA_DEFAULT_PRI_TIMEOUT_MS;
	p->seed = EMU_DSA_DEFAULT_SEED;
}

bool
emu_opcode_supported(const struct emu_dsa *dev, uint8_t opcode)
{
	return (dev->opcap[opcode / 64] >> (opcode % 64)) & 1;
}

void
emu_regs_init(struct emu_dsa *dev)
{
	const struct emu_dsa_profile *p = &dev->prof;

	dev->gencap = DSA_GENCAP_OVERLAP_COPY | DSA_GENCAP_CACHE_CTL_MEM |
		      DSA_GENCAP_CACHE_CTL_CACHE | DSA_GENCAP_CMD_CAP |
		      ((uint64_t)p->max_xfer_shift << DSA_GENCAP_MAX_XFER_SHIFT) |
		      ((uint64_t)p->max_batch_shift << DSA_GENCAP_MAX_BATCH_SHIFT) |
		      DSA_GENCAP_CONFIG_EN;
	if (p->block_on_fault)
		dev->gencap |= DSA_GENCAP_BOF;
	dev->wqcap = (uint64_t)p->total_wq_size |
		     ((uint64_t)p->num_wqs << DSA_WQCAP_NUM_WQS_SHIFT) |
		     ((uint64_t)p->wqcfg_size << DSA_WQCAP_WQCFG_SIZE_SHIFT) |
		     DSA_WQCAP_PRIORITY | DSA_WQCAP_OCCUPANCY;
	if (p->dedicated_mode)
		dev->wqcap |= DSA_WQCAP_DEDICATED_MODE;
	if (p->shared_mode)
		dev->wqcap |= DSA_WQCAP_SHARED_MODE;
	dev->grpcap = DSA_GRPCAP_MAX_GROUPS;
	dev->engcap = p->num_engines;
	memset(dev->opcap, 0, sizeof(dev->opcap));
	for (size_t i = 0; i < sizeof(emu_supported_ops); i++)
		dev->opcap[emu_supported_ops[i] / 64] |= 1ull << (emu_supported_ops[i] % 64);
	dev->gensts = DSA_DEV_STATE_DISABLED;
	dev->cmdsts = 0;
	memset(dev->swerr, 0, sizeof(dev->swerr));
}

static int
profile_check(const struct emu_dsa_profile *p)
{
	if (p->num_wqs == 0 || p->num_wqs > EMU_DSA_MAX_WQS ||
	    p->num_engines == 0 || p->num_engines > EMU_DSA_MAX_ENGINES ||
	    p->total_wq_size == 0 || p->total_wq_size > EMU_DSA_MAX_TOTAL_WQ_SIZE ||
	    p->max_xfer_shift > EMU_DSA_MAX_XFER_SHIFT_LIMIT ||
	    p->max_batch_shift < 1 || p->max_batch_shift > EMU_DSA_MAX_BATCH_SHIFT_LIMIT ||
	    (!p->dedicated_mode && !p->shared_mode) || p->prq_size == 0 || p->pri_alloc == 0 ||
	    p->wqcfg_size > EMU_WQCFG_SIZE_MAX)
		return -EINVAL;
	return 0;
}

struct emu_dsa *
emu_dsa_create(const char *name, const struct emu_dsa_profile *p, int *err)
{
	struct emu_dsa *dev;
	int rc;

	rc = profile_check(p);
	if (rc != 0) {
		EMU_LOG(ERR, "%s: invalid device profile", name);
		*err = rc;
		return NULL;
	}
	dev = aligned_alloc(EMU_CACHE_LINE, EMU_ROUND_UP(sizeof(*dev), EMU_CACHE_LINE));
	if (dev == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	memset(dev, 0, sizeof(*dev));
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->prof = *p;
	pthread_mutex_init(&dev->cmd_lock, NULL);
	pthread_mutex_init(&dev->swerr_lock, NULL);
	dev->cmd_rng = (p->seed ^ EMU_SEED_MIX) | 1;
	for (uint16_t i = 0; i < EMU_DSA_MAX_WQS; i++)
		dev->wq[i].id = i;
	emu_regs_init(dev);
	dev->iommu = emu_iommu_create(p->prq_size, p->pri_alloc);
	dev->pri_timeout_cycles = rte_get_tsc_hz() / 1000 * p->pri_timeout_ms;
	rc = dev->iommu == NULL ? -ENOMEM : emu_guard_install();
	if (rc == 0)
		rc = emu_engines_start(dev);
	if (rc != 0) {
		emu_dsa_destroy(dev);
		*err = rc;
		return NULL;
	}
	*err = 0;
	return dev;
}

void
emu_dsa_destroy(struct emu_dsa *dev)
{
	if (dev == NULL)
		return;
	for (uint16_t i = 0; i < dev->prof.num_wqs; i++)
		emu_wq_disable(dev, &dev->wq[i]);
	emu_engines_stop(dev);
	emu_trace_free(dev);
	emu_iommu_destroy(dev->iommu);
	for (uint16_t i = 0; i < EMU_DSA_MAX_WQS; i++) {
		free(dev->wq[i].slots);
		free((void *)dev->wq[i].seq);
	}
	pthread_mutex_destroy(&dev->cmd_lock);
	pthread_mutex_destroy(&dev->swerr_lock);
	free(dev);
}

void
emu_swerr_record(struct emu_dsa *dev, uint8_t code, int wq, const struct dsa_hw_desc *d,
		 bool batch, uint64_t fault_addr, bool write)
{
	uint64_t q0;

	atomic_fetch_add_explicit(&dev->n_swerrs, 1, memory_order_relaxed);
	pthread_mutex_lock(&dev->swerr_lock);
	if (dev->swerr[0] & DSA_SWERR_VALID) {
		/* An unread error is kept; later ones only set the overflow bit. */
		dev->swerr[0] |= DSA_SWERR_OVERFLOW;
		pthread_mutex_unlock(&dev->swerr_lock);
		return;
	}
	q0 = DSA_SWERR_VALID | ((uint64_t)code << DSA_SWERR_ERROR_SHIFT);
	if (wq >= 0)
		q0 |= DSA_SWERR_WQ_IDX_VALID | ((uint64_t)wq << DSA_SWERR_WQ_IDX_SHIFT);
	if (d != NULL) {
		q0 |= DSA_SWERR_DESC_VALID | ((uint64_t)d->opcode << DSA_SWERR_OPCODE_SHIFT) |
		      ((uint64_t)d->pasid << DSA_SWERR_PASID_SHIFT);
		if (d->priv)
			q0 |= DSA_SWERR_PRIV;
	}
	if (batch)
		q0 |= DSA_SWERR_BATCH;
	if (write)
		q0 |= DSA_SWERR_FAULT_RW;
	dev->swerr[1] = 0;
	dev->swerr[2] = fault_addr;
	dev->swerr[3] = 0;
	dev->swerr[0] = q0;
	pthread_mutex_unlock(&dev->swerr_lock);
	EMU_LOG(DEBUG, "%s: software error 0x%x on wq %d", dev->name, code, wq);
}

/* WQCFG entry stride, from WQCAP.wqcfg_size. */
static uint32_t
wqcfg_stride(const struct emu_dsa *dev)
{
	return 1u << (dev->prof.wqcfg_size + DSA_WQCFG_MIN_SHIFT);
}

static uint32_t
wqcfg_read(struct emu_dsa *dev, uint32_t off)
{
	uint32_t rel = off - EMU_WQCFG_TABLE_OFF;
	uint16_t w = rel / wqcfg_stride(dev);
	uint32_t dw = (rel % wqcfg_stride(dev)) / sizeof(uint32_t);
	struct emu_wq *wq = &dev->wq[w];
	uint32_t v;

	/* Past the DSA 1.0 fields (op_config of a larger entry) reads 0. */
	if (w >= dev->prof.num_wqs || dw >= DSA_WQCFG_DWORDS)
		return 0;
	v = wq->cfg[dw];
	if (dw == DSA_WQCFG_DW_STATE)
		v = (emu_wq_occupancy(wq) & DSA_WQCFG_OCCUPANCY_MASK) |
		    (atomic_load_explicit(&wq->state, memory_order_acquire) << DSA_WQCFG_STATE_SHIFT);
	return v;
}

static uint32_t cmdsts_read(struct emu_dsa *dev);

uint64_t
emu_dsa_mmio_read64(struct emu_dsa *dev, uint32_t off)
{
	uint64_t v = 0;

	switch (off) {
	case DSA_REG_VERSION: return dev->prof.version;
	case DSA_REG_GENCAP: return dev->gencap;
	case DSA_REG_WQCAP: return dev->wqcap;
	case DSA_REG_GRPCAP: return dev->grpcap;
	case DSA_REG_ENGCAP: return dev->engcap;
	case DSA_REG_TABLE_OFFSET:
		return ((uint64_t)(EMU_WQCFG_TABLE_OFF / DSA_TABLE_OFFSET_UNIT) << DSA_TABLE_WQCFG_SHIFT) |
		       (EMU_GRPCFG_TABLE_OFF / DSA_TABLE_OFFSET_UNIT);
	case DSA_REG_GENSTS: return __atomic_load_n(&dev->gensts, __ATOMIC_ACQUIRE);
	case DSA_REG_CMDSTS: return cmdsts_read(dev);
	default:
		break;
	}
	if (off >= DSA_REG_OPCAP && off < DSA_REG_OPCAP + DSA_REG_OPCAP_QWORDS * 8 && off % 8 == 0)
		return dev->opcap[(off - DSA_REG_OPCAP) / 8];
	if (off >= DSA_REG_SWERR && off < DSA_REG_SWERR + DSA_REG_SWERR_QWORDS * 8 && off % 8 == 0) {
		pthread_mutex_lock(&dev->swerr_lock);
		v = dev->swerr[(off - DSA_REG_SWERR) / 8];
		pthread_mutex_unlock(&dev->swerr_lock);
		return v;
	}
	if (off >= EMU_WQCFG_TABLE_OFF && off + 8 <= EMU_BAR0_SIZE && off % 8 == 0)
		return wqcfg_read(dev, off) | ((uint64_t)wqcfg_read(dev, off + 4) << 32);
	if (off >= EMU_GRPCFG_TABLE_OFF && off < EMU_GRPCFG_TABLE_OFF +
	    DSA_GRPCAP_MAX_GROUPS * DSA_GRPCFG_SIZE && off % 8 == 0)
		return dev->grpcfg[(off - EMU_GRPCFG_TABLE_OFF) / DSA_GRPCFG_SIZE]
				  [((off - EMU_GRPCFG_TABLE_OFF) % DSA_GRPCFG_SIZE) / 8];
	return 0;
}

uint32_t
emu_dsa_mmio_read32(struct emu_dsa *dev, uint32_t off)
{
	if (off >= EMU_WQCFG_TABLE_OFF && off + 4 <= EMU_BAR0_SIZE)
		return wqcfg_read(dev, off);
	if (off % 8 == 4)
		return (uint32_t)(emu_dsa_mmio_read64(dev, off - 4) >> 32);
	return (uint32_t)emu_dsa_mmio_read64(dev, off);
}

static void
cmd_set_status(struct emu_dsa *dev, uint32_t err)
{
	/* Release: software polling CMDSTS must see the command's effects first. */
	__atomic_store_n(&dev->cmdsts, err & DSA_CMDSTS_ERR_MASK, __ATOMIC_RELEASE);
}

static uint32_t
cmd_enable_device(struct emu_dsa *dev)
{
	if (dev->gensts == DSA_DEV_STATE_ENABLED)
		return DSA_CMDSTS_DEV_ENABLED;
	/* A device that may not master the bus cannot fetch descriptors or
	 * write completions: Enable Device fails (kernel idxd_device_enable
	 * names status 0x12 "bus master not enabled"; its probe and SPDK call
	 * pci_set_master first). */
	if (!(dev->pci_command & DSA_PCI_COMMAND_MASTER))
		return DSA_CMDSTS_BUSMASTER_EN;
	/* GRPCFG is read-only from here on: which engines serve which WQs. */
	emu_engines_map(dev);
	__atomic_store_n(&dev->gensts, DSA_DEV_STATE_ENABLED, __ATOMIC_RELEASE);
	return DSA_CMDSTS_OK;
}

static uint32_t
cmd_disable_device(struct emu_dsa *dev)
{
	if (dev->gensts != DSA_DEV_STATE_ENABLED)
		return DSA_CMDSTS_DEV_NOT_ENABLED;
	for (uint16_t i = 0; i < dev->prof.num_wqs; i++)
		emu_wq_disable(dev, &dev->wq[i]);
	__atomic_store_n(&dev->gensts, DSA_DEV_STATE_DISABLED, __ATOMIC_RELEASE);
	return DSA_CMDSTS_OK;
}

/* One of the bitmask WQ commands (disable, drain, abort, reset) on one WQ. */
static uint32_t cmd_wq_one(struct emu_dsa *dev, uint32_t cmd, struct emu_wq *wq);

/* WQ commands. Enable takes a WQ index; disable, drain, abort and reset take
 * a bitmask of 16 WQs and the 16-WQ block (registers.h, device.c). */
static uint32_t
cmd_wq(struct emu_dsa *dev, uint32_t cmd, uint32_t operand)
{
	uint32_t mask = operand & ((1u << DSA_CMD_WQ_MASK_BITS) - 1), rc = DSA_CMDSTS_OK;
	uint32_t base = ((operand >> DSA_CMD_WQ_BLOCK_SHIFT) & DSA_CMD_WQ_BLOCK_MASK) *
			DSA_CMD_WQ_MASK_BITS;
	struct emu_wq *wq;

	if (cmd == DSA_CMD_ENABLE_WQ) {
		if (operand >= dev->prof.num_wqs)
			return DSA_CMDSTS_INVAL_WQIDX;
		wq = &dev->wq[operand];
		if (dev->gensts != DSA_DEV_STATE_ENABLED)
			return DSA_CMDSTS_DEV_NOT_ENABLED;
		if (atomic_load(&wq->state) == DSA_WQ_STATE_ENABLED)
			return DSA_CMDSTS_WQ_ENABLED;
		return (uint32_t)emu_wq_enable(dev, wq);
	}
	if (mask == 0 || base + (32u - (uint32_t)__builtin_clz(mask)) > dev->prof.num_wqs)
		return DSA_CMDSTS_INVAL_WQIDX;
	for (uint32_t b = 0; b < DSA_CMD_WQ_MASK_BITS; b++) {
		if ((mask >> b) & 1) {
			uint32_t r = cmd_wq_one(dev, cmd, &dev->wq[base + b]);

			if (rc == DSA_CMDSTS_OK)
				rc = r;
		}
	}
	return rc;
}

static uint32_t
cmd_wq_one(struct emu_dsa *dev, uint32_t cmd, struct emu_wq *wq)
{
	bool enabled = atomic_load(&wq->state) == DSA_WQ_STATE_ENABLED;

	switch (cmd) {
	case DSA_CMD_DISABLE_WQ:
		if (!enabled)
			return DSA_CMDSTS_WQ_NOT_ENABLED;
		emu_wq_disable(dev, wq);
		return DSA_CMDSTS_OK;
	case DSA_CMD_DRAIN_WQ:
		if (enabled)
			emu_wq_drain(dev, wq);
		return DSA_CMDSTS_OK;
	case DSA_CMD_ABORT_WQ:
		if (enabled)
			emu_wq_abort(dev, wq, EMU_ABORT_ANY);
		return DSA_CMDSTS_OK;
	case DSA_CMD_RESET_WQ:
		if (enabled)
			emu_wq_disable(dev, wq);
		memset(wq->cfg, 0, sizeof(wq->cfg));
		return DSA_CMDSTS_OK;
	default:
		return DSA_CMDSTS_INVAL_CMD;
	}
}

static uint32_t
cmd_run(struct emu_dsa *dev, uint32_t val)
{
	uint32_t cmd = (val >> DSA_CMD_SHIFT) & DSA_CMD_MASK;
	uint32_t operand = val & DSA_CMD_OPERAND_MASK;

	switch (cmd) {
	case DSA_CMD_ENABLE_DEVICE:
		return cmd_enable_device(dev);
	case DSA_CMD_DISABLE_DEVICE:
		return cmd_disable_device(dev);
	case DSA_CMD_RESET_DEVICE:
		cmd_disable_device(dev);
		for (uint16_t i = 0; i < dev->prof.num_wqs; i++)
			memset(dev->wq[i].cfg, 0, sizeof(dev->wq[i].cfg));
		memset(dev->grpcfg, 0, sizeof(dev->grpcfg));
		emu_regs_init(dev);
		emu_pri_reset(dev->iommu);
		return DSA_CMDSTS_OK;
	case DSA_CMD_DRAIN_ALL:
	case DSA_CMD_DRAIN_PASID:
		/* Drain PASID drains every WQ: a superset of what it must wait for. */
		for (uint16_t i = 0; i < dev->prof.num_wqs; i++)
			if (atomic_load(&dev->wq[i].state) == DSA_WQ_STATE_ENABLED)
				emu_wq_drain(dev, &dev->wq[i]);
		return DSA_CMDSTS_OK;
	case DSA_CMD_ABORT_ALL:
	case DSA_CMD_ABORT_PASID:
		/* Abort PASID abandons that PASID's descriptors only: another
		 * process's work on a shared WQ carries on. */
		for (uint16_t i = 0; i < dev->prof.num_wqs; i++)
			if (atomic_load(&dev->wq[i].state) == DSA_WQ_STATE_ENABLED)
				emu_wq_abort(dev, &dev->wq[i], cmd == DSA_CMD_ABORT_ALL ? EMU_ABORT_ANY :
						 (operand & DSA_PASID_MAX));
		return DSA_CMDSTS_OK;
	case DSA_CMD_ENABLE_WQ:
	case DSA_CMD_DISABLE_WQ:
	case DSA_CMD_DRAIN_WQ:
	case DSA_CMD_ABORT_WQ:
	case DSA_CMD_RESET_WQ:
		return cmd_wq(dev, cmd, operand);
	default:
		return DSA_CMDSTS_INVAL_CMD;
	}
}

/*
 * A command runs while CMDSTS shows it active: the write only starts it, and
 * software sees its effects once a CMDSTS read shows active clear (kernel
 * idxd_cmd_exec polls CMDSTS.active after writing CMD). The model keeps the
 * bit set for 1 + a seeded random number of reads, runs the command on the
 * last of them. A command written while one is active is discarded and
 * SWERR records error 0x52 (DSA spec 9.2.12; the kernel serialises commands
 * under cmd_lock and never does that).
 */
static void
cmd_write(struct emu_dsa *dev, uint32_t val)
{
	pthread_mutex_lock(&dev->cmd_lock);
	if (dev->cmd_reads_left > 0) {
		EMU_LOG(ERR, "%s: command 0x%x written while command 0x%x is active: ignored",
			dev->name, val >> DSA_CMD_SHIFT, dev->cmd_pending >> DSA_CMD_SHIFT);
		atomic_fetch_add_explicit(&dev->n_cmd_ignored, 1, memory_order_relaxed);
		emu_swerr_record(dev, DSA_SWERR_CMD_WHILE_ACTIVE, -1, NULL, false, 0, false);
		pthread_mutex_unlock(&dev->cmd_lock);
		return;
	}
	dev->cmd_pending = val;
	dev->cmd_reads_left = 1 + (dev->prof.seed == 0 ? 0 :
				   (uint32_t)(emu_rand(&dev->cmd_rng) % EMU_CMD_ACTIVE_READS_MAX));
	/* Release: a poller must not see active clear from the previous command. */
	__atomic_store_n(&dev->cmdsts, DSA_CMDSTS_ACTIVE, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&dev->cmd_lock);
}

static uint32_t
cmdsts_read(struct emu_dsa *dev)
{
	uint32_t v;

	pthread_mutex_lock(&dev->cmd_lock);
	if (dev->cmd_reads_left > 0) {
		/* This read still sees the command active; the next sees its end. */
		if (--dev->cmd_reads_left == 0)
			cmd_set_status(dev, cmd_run(dev, dev->cmd_pending));
		v = DSA_CMDSTS_ACTIVE;
	} else {
		v = dev->cmdsts;
	}
	pthread_mutex_unlock(&dev->cmd_lock);
	return v;
}

uint32_t
emu_dsa_cmd(struct emu_dsa *dev, uint32_t cmd, uint32_t operand)
{
	uint32_t v;

	emu_dsa_mmio_write32(dev, DSA_REG_CMD, (cmd << DSA_CMD_SHIFT) | (operand & DSA_CMD_OPERAND_MASK));
	/* Ends: each read moves the command on, and it runs within EMU_CMD_ACTIVE_READS_MAX. */
	do
		v = cmdsts_read(dev);
	while (v & DSA_CMDSTS_ACTIVE);
	return v & DSA_CMDSTS_ERR_MASK;
}

uint16_t
emu_dsa_pci_cfg_read16(struct emu_dsa *dev, uint32_t off)
{
	switch (off) {
	case DSA_PCI_CFG_VENDOR_ID: return DSA_PCI_VENDOR_INTEL;
	case DSA_PCI_CFG_DEVICE_ID: return DSA_PCI_DEVICE_DSA1;
	case DSA_PCI_CFG_COMMAND: return __atomic_load_n(&dev->pci_command, __ATOMIC_ACQUIRE);
	default: return 0;
	}
}

void
emu_dsa_pci_cfg_write16(struct emu_dsa *dev, uint32_t off, uint16_t val)
{
	if (off == DSA_PCI_CFG_COMMAND)
		__atomic_store_n(&dev->pci_command, val & DSA_PCI_COMMAND_WRITABLE, __ATOMIC_RELEASE);
}

static void
wqcfg_write(struct emu_dsa *dev, uint32_t off, uint32_t val)
{
	uint32_t rel = off - EMU_WQCFG_TABLE_OFF;
	uint16_t w = rel / wqcfg_stride(dev);
	uint32_t dw = (rel % wqcfg_stride(dev)) / sizeof(uint32_t);

	/* WQCFG is writable only while the WQ is disabled, and the state dword never. */
	if (w >= dev->prof.num_wqs || dw >= DSA_WQCFG_DWORDS || dw == DSA_WQCFG_DW_STATE ||
	    atomic_load(&dev->wq[w].state) == DSA_WQ_STATE_ENABLED)
		return;
	dev->wq[w].cfg[dw] = val;
}

void
emu_dsa_mmio_write32(struct emu_dsa *dev, uint32_t off, uint32_t val)
{
	if (off == DSA_REG_SWERR) {
		emu_dsa_mmio_write64(dev, off, val); /* valid and overflow are in the low dword */
		return;
	}
	if (off == DSA_REG_CMD) {
		cmd_write(dev, val);
		return;
	}
	if (off >= EMU_WQCFG_TABLE_OFF && off + 4 <= EMU_BAR0_SIZE && off % 4 == 0) {
		pthread_mutex_lock(&dev->cmd_lock);
		wqcfg_write(dev, off, val);
		pthread_mutex_unlock(&dev->cmd_lock);
		return;
	}
	if (off >= EMU_GRPCFG_TABLE_OFF && off < EMU_GRPCFG_TABLE_OFF +
	    DSA_GRPCAP_MAX_GROUPS * DSA_GRPCFG_SIZE && off % 4 == 0) {
		uint32_t rel = off - EMU_GRPCFG_TABLE_OFF;
		uint64_t *q = &dev->grpcfg[rel / DSA_GRPCFG_SIZE][(rel % DSA_GRPCFG_SIZE) / 8];
		unsigned int shift = (off % 8) * 8;

		/* GRPCFG is writable only while the device is disabled. */
		pthread_mutex_lock(&dev->cmd_lock);
		if (dev->gensts != DSA_DEV_STATE_ENABLED)
			*q = (*q & ~(0xffffffffull << shift)) | ((uint64_t)val << shift);
		pthread_mutex_unlock(&dev->cmd_lock);
	}
}

void
emu_dsa_mmio_write64(struct emu_dsa *dev, uint32_t off, uint64_t val)
{
	if (off == DSA_REG_SWERR) {
		/* SWERR valid/overflow are write-1-to-clear. */
		pthread_mutex_lock(&dev->swerr_lock);
		if (val & DSA_SWERR_VALID)
			memset(dev->swerr, 0, sizeof(dev->swerr));
		else
			dev->swerr[0] &= ~(val & DSA_SWERR_OVERFLOW);
		pthread_mutex_unlock(&dev->swerr_lock);
		return;
	}
	emu_dsa_mmio_write32(dev, off, (uint32_t)val);
	if (off >= EMU_GRPCFG_TABLE_OFF)
		emu_dsa_mmio_write32(dev, off + 4, (uint32_t)(val >> 32));
}

unsigned int
emu_dsa_engine_count(const struct emu_dsa *dev)
{
	return dev->prof.num_engines;
}

void
emu_dsa_counters_get(struct emu_dsa *dev, struct emu_dsa_counters *c)
{
	/* The engines count their own (they live as long as the device). */
	c->descs = 0;
	c->batches = 0;
	for (unsigned int e = 0; e < dev->prof.num_engines; e++) {
		if (dev->engine[e] == NULL)
			continue;
		c->descs += atomic_load_explicit(&dev->engine[e]->n_descs, memory_order_relaxed);
		c->batches += atomic_load_explicit(&dev->engine[e]->n_batches,
						   memory_order_relaxed);
	}
	c->errors = atomic_load_explicit(&dev->n_errors, memory_order_relaxed);
	c->swerrs = atomic_load_explicit(&dev->n_swerrs, memory_order_relaxed);
	c->retries = atomic_load_explicit(&dev->n_retries, memory_order_relaxed);
	c->cmds_ignored = atomic_load_explicit(&dev->n_cmd_ignored, memory_order_relaxed);
}

int
emu_dsa_pasid_bind(struct emu_dsa *dev, uint32_t pasid)
{
	return emu_iommu_pasid_bind(dev->iommu, pasid);
}

int
emu_dsa_pasid_unbind(struct emu_dsa *dev, uint32_t pasid)
{
	int rc = emu_iommu_pasid_unbind(dev->iommu, pasid);

	if (rc == 0)
		emu_engines_flush(dev);
	return rc;
}

bool
emu_dsa_pasid_drained(struct emu_dsa *dev, uint32_t pasid)
{
	if (emu_iommu_pasid_pending(dev->iommu, pasid))
		return false;
	for (uint16_t i = 0; i < dev->prof.num_wqs; i++) {
		const struct emu_wq *wq = &dev->wq[i];

		if (atomic_load_explicit(&wq->done, memory_order_acquire) !=
		    atomic_load_explicit(&wq->tail, memory_order_acquire))
			return false;
	}
	return true;
}

void
emu_dsa_invalidate(struct emu_dsa *dev)
{
	emu_iommu_invalidate(dev->iommu);
	emu_engines_flush(dev);
}

uint16_t
emu_dsa_pri_read(struct emu_dsa *dev, struct emu_page_req *reqs, uint16_t max)
{
	return emu_pri_read(dev->iommu, reqs, max);
}

int
emu_dsa_pri_respond(struct emu_dsa *dev, uint32_t pasid, uint16_t prg, enum emu_pri_code code)
{
	return emu_pri_respond(dev->iommu, pasid, prg, code);
}

uint16_t
emu_dsa_pri_status(struct emu_dsa *dev)
{
	return emu_pri_status(dev->iommu);
}

void
emu_dsa_pri_reset(struct emu_dsa *dev)
{
	emu_pri_reset(dev->iommu);
}

void
emu_dsa_pri_counters_get(struct emu_dsa *dev, struct emu_pri_counters *c)
{
	emu_pri_counters_get(dev->iommu, c);
}

void
emu_dsa_set_pri_latency_cb(struct emu_dsa *dev, void (*cb)(void *, uint64_t), void *arg)
{
	dev->pri_latency_arg = arg;
	dev->pri_latency_cb = cb;
}

uint64_t
emu_dsa_mem_bytes(const struct emu_dsa *dev)
{
	uint64_t b = sizeof(*dev) + emu_iommu_mem_bytes(dev->iommu);

	for (uint16_t i = 0; i < EMU_DSA_MAX_WQS; i++)
		if (dev->wq[i].slots != NULL)
			b += (uint64_t)(dev->wq[i].mask + 1) * (sizeof(struct dsa_hw_desc) + sizeof(uint32_t));
	for (uint16_t e = 0; e < EMU_DSA_MAX_ENGINES; e++)
		if (dev->engine[e] != NULL)
			b += sizeof(struct emu_engine) +
			     ((uint64_t)1 << dev->prof.max_batch_shift) *
			     (sizeof(struct dsa_hw_desc) + sizeof(uint16_t)) +
			     emu_atc_mem_bytes(dev->engine[e]->atc);
	return b;
}

bool
emu_engine_serves(const struct emu_dsa *dev, uint16_t engine, uint16_t wq)
{
	for (unsigned int g = 0; g < DSA_GRPCAP_MAX_GROUPS; g++)
		if (((dev->grpcfg[g][DSA_GRPCFG_WQS_OFF / 8 + wq / 64] >> (wq % 64)) & 1) &&
		    ((dev->grpcfg[g][DSA_GRPCFG_ENGINES_OFF / 8] >> engine) & 1))
			return true;
	return false;
}

bool
emu_wq_has_engine(const struct emu_dsa *dev, uint16_t wq)
{
	for (unsigned int g = 0; g < DSA_GRPCAP_MAX_GROUPS; g++)
		if ((dev->grpcfg[g][DSA_GRPCFG_WQS_OFF / 8 + wq / 64] >> (wq % 64)) & 1)
			return (dev->grpcfg[g][DSA_GRPCFG_ENGINES_OFF / 8] &
				((1ull << dev->prof.num_engines) - 1)) != 0;
	return false;
}
