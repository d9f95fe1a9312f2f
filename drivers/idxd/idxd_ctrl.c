/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* idxd control path: reads the device's capability registers, maps queues
 * onto hardware WQs, programs WQCFG and runs device commands. Transport
 * independent: registers are reached through struct idxd_transport. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_pause.h>

#include "idxd_internal.h"

RTE_LOG_REGISTER(idxd_logtype, svart.pmd.idxd, NOTICE);

static uint64_t
rd64(const struct idxd_dev *d, uint32_t off)
{
	return d->tp->reg_read64(d->hw, off);
}

/* Operand of the WQ commands that take a bitmask (disable, drain, abort,
 * reset WQ): the WQ's bit in its block of 16, and the block. */
static uint32_t
idxd_wq_operand(uint16_t w)
{
	return (1u << (w % DSA_CMD_WQ_MASK_BITS)) |
	       ((uint32_t)(w / DSA_CMD_WQ_MASK_BITS) << DSA_CMD_WQ_BLOCK_SHIFT);
}

uint32_t
idxd_cmd_exec(const struct idxd_transport *tp, void *hw, uint32_t cmd, uint32_t operand)
{
	uint32_t sts = DSA_CMDSTS_ACTIVE;

	/* The command runs while CMDSTS.active is set; only then are its effects
	 * visible, and only then may the next command be written (kernel
	 * device.c idxd_cmd_exec). */
	tp->reg_write32(hw, DSA_REG_CMD, (cmd << DSA_CMD_SHIFT) | (operand & DSA_CMD_OPERAND_MASK));
	for (uint32_t i = 0; i < IDXD_CMD_POLL_LIMIT; i++) {
		sts = tp->reg_read32(hw, DSA_REG_CMDSTS);
		if (sts == UINT32_MAX) {
			/* All ones: the register could not be read (the transport logged why). */
			IDXD_LOG(ERR, "command %u: CMDSTS unreadable", cmd);
			return DSA_CMDSTS_HW_ERR;
		}
		if (!(sts & DSA_CMDSTS_ACTIVE))
			return sts & DSA_CMDSTS_ERR_MASK;
		rte_pause();
	}
	IDXD_LOG(ERR, "command %u timed out", cmd);
	return DSA_CMDSTS_HW_ERR;
}

/* Run a device command and wait for CMDSTS. Returns the CMDSTS error code. */
static uint32_t
idxd_cmd(struct idxd_dev *d, uint32_t cmd, uint32_t operand)
{
	return idxd_cmd_exec(d->tp, d->hw, cmd, operand);
}

static int
idxd_info_get(const struct svart_accel_dev *dev, struct svart_accel_info *info)
{
	const struct idxd_dev *d = dev->priv;

	info->capa = SVART_ACCEL_CAPA_SVA | SVART_ACCEL_CAPA_PRIORITY;
	if (d->batch_min <= d->max_batch)
		info->capa |= SVART_ACCEL_CAPA_BATCH; /* bursts can go as BATCH descriptors */
	if (d->wqcap & DSA_WQCAP_DEDICATED_MODE)
		info->capa |= SVART_ACCEL_CAPA_DEDICATED;
	if ((d->wqcap & DSA_WQCAP_SHARED_MODE) && !d->tp->no_shared_wq)
		info->capa |= SVART_ACCEL_CAPA_SHARED;
	if (d->gencap & DSA_GENCAP_BOF)
		info->capa |= SVART_ACCEL_CAPA_PAGE_FAULT;
	for (int op = 0; op < SVART_ACCEL_OP_MAX; op++) {
		static const uint8_t opc[SVART_ACCEL_OP_MAX] = {
			DSA_OPCODE_NOOP, DSA_OPCODE_MEMMOVE, DSA_OPCODE_MEMFILL, DSA_OPCODE_COMPARE,
			DSA_OPCODE_COMPVAL, DSA_OPCODE_DUALCAST, DSA_OPCODE_CRCGEN,
			DSA_OPCODE_COPY_CRC, DSA_OPCODE_CFLUSH };

		if ((d->opcap[opc[op] / 64] >> (opc[op] % 64)) & 1)
			info->op_capa |= 1ull << op;
	}
	info->max_transfer = d->max_xfer;
	info->max_batch = d->max_batch;
	info->max_queues = SVART_ACCEL_MAX_QUEUES; /* shared queues may share a WQ */
	info->min_desc = IDXD_MIN_DESC;
	info->max_desc = IDXD_MAX_DESC;
	info->hw_queues = d->num_wqs;
	info->hw_queue_entries = d->total_wq_size;
	info->numa_node = d->numa_node;
	info->mem_device = sizeof(*d) + (d->tp->mem_bytes != NULL ? d->tp->mem_bytes(d->hw) : 0);
	for (uint16_t qid = 0; qid < dev->nb_queues; qid++) {
		const struct idxd_queue *q = dev->queues[qid];

		if (q != NULL)
			info->mem_queues += sizeof(*q) + (uint64_t)q->nb_desc *
					    (DSA_DESC_SIZE + 2 * DSA_COMP_SIZE + sizeof(*q->batch_ring) +
					     sizeof(*q->burst_end));
	}
	return 0;
}

static int
idxd_configure(struct svart_accel_dev *dev, const struct svart_accel_conf *conf)
{
	struct idxd_dev *d = dev->priv;

	(void)conf;
	for (uint16_t w = 0; w < IDXD_MAX_WQS; w++) {
		if (d->wq[w].fixed) {
			d->wq[w].users = 0;   /* keep what the kernel configured */
			d->wq[w].enabled = false;
		} else {
			memset(&d->wq[w], 0, sizeof(d->wq[w]));
		}
	}
	return 0;
}

static uint16_t
idxd_entries_used(const struct idxd_dev *d)
{
	uint16_t used = 0;

	for (uint16_t w = 0; w < d->num_wqs; w++)
		if (d->wq[w].users > 0)
			used += d->wq[w].size;
	return used;
}

/* Pick the hardware WQ for a queue. Returns the WQ index or a negative errno. */
static int
idxd_pick_wq(const struct idxd_dev *d, const struct svart_accel_queue_conf *conf)
{
	bool shared = conf->mode == SVART_ACCEL_QUEUE_SHARED;

	if (conf->hw_queue != SVART_ACCEL_HWQ_AUTO) {
		const struct idxd_wq_plan *p = &d->wq[conf->hw_queue];

		if (p->fixed && p->shared != shared)
			return -EINVAL; /* its mode was set outside svart */
		if (p->users == 0 || (shared && p->shared))
			return conf->hw_queue;
		return -EBUSY;
	}
	if (shared)
		for (uint16_t w = 0; w < d->num_wqs; w++)
			if ((d->wq[w].users > 0 || d->wq[w].fixed) && d->wq[w].shared)
				return w;
	for (uint16_t w = 0; w < d->num_wqs; w++)
		if (d->wq[w].users == 0 && (!d->wq[w].fixed || !d->wq[w].shared))
			return w;
	return -ENOSPC;
}

/* Queue memory. What the device reads and writes (descriptor ring,
 * completion records) is one block of whole pages of its own, so that a
 * transport can map exactly it for the device (VFIO: into the IOAS, whose
 * maps are page-granular and may not overlap); host-only bookkeeping is
 * apart. */
static void
idxd_queue_mem_free(struct idxd_dev *d, struct idxd_queue *q)
{
	if (q->dma_mem != NULL && d->tp->dma_unmap != NULL)
		d->tp->dma_unmap(d->hw, q->dma_mem, q->dma_len);
	rte_free(q->dma_mem);
	rte_free(q->batch_ring);
	rte_free(q->burst_end);
	q->dma_mem = NULL;
}

static int
idxd_queue_mem(struct idxd_dev *d, struct idxd_queue *q, uint16_t nb_desc)
{
	size_t desc = (size_t)nb_desc * DSA_DESC_SIZE, crs = (size_t)nb_desc * DSA_COMP_SIZE;
	size_t len = RTE_ALIGN_CEIL(desc + 2 * crs + DSA_COMP_SIZE, IDXD_PAGE_SIZE);
	uint8_t *m = rte_zmalloc_socket("idxd_dma", len, IDXD_PAGE_SIZE, d->numa_node);
	int rc;

	q->batch_ring = rte_zmalloc_socket("idxd_batch", (size_t)nb_desc * sizeof(*q->batch_ring),
					   0, d->numa_node);
	q->burst_end = rte_zmalloc_socket("idxd_burst", (size_t)nb_desc * sizeof(*q->burst_end),
					  0, d->numa_node);
	q->dma_len = len;
	/* q->dma_mem is set once the block is mapped: only then does freeing
	 * it unmap it. */
	if (m == NULL || q->batch_ring == NULL || q->burst_end == NULL) {
		rte_free(m);
		idxd_queue_mem_free(d, q);
		return -ENOMEM;
	}
	q->desc_ring = (struct dsa_hw_desc *)m;
	q->op_cr = (struct dsa_completion_record *)(m + desc);
	q->batch_cr = (struct dsa_completion_record *)(m + desc + crs);
	q->rs_cr = (struct dsa_completion_record *)(m + desc + 2 * crs);
	rc = d->tp->dma_map != NULL ? d->tp->dma_map(d->hw, m, len) : 0;
	if (rc != 0) {
		IDXD_LOG(ERR, "cannot map queue memory for the device: %s", strerror(-rc));
		rte_free(m);
		idxd_queue_mem_free(d, q);
		return rc;
	}
	q->dma_mem = m;
	return 0;
}

static int
idxd_queue_setup(struct svart_accel_dev *dev, uint16_t queue_id,
		 const struct svart_accel_queue_conf *conf, void **qp)
{
	int rc;
	struct idxd_dev *d = dev->priv;
	struct idxd_wq_plan *p;
	struct idxd_queue *q;
	int w = idxd_pick_wq(d, conf);
	uint8_t policy;
	uint16_t size;

	if (w < 0) {
		IDXD_LOG(ERR, "%s: queue %u: no hardware WQ available (%s)", dev->name, queue_id,
			 strerror(-w));
		return w;
	}
	p = &d->wq[w];
	if (p->fixed && conf->hw_entries > p->size)
		return -EINVAL;
	if (p->users == 0 && !p->fixed) {
		size = conf->hw_entries ? conf->hw_entries : d->total_wq_size / dev->nb_queues;
		if (size == 0)
			size = 1;
		if (idxd_entries_used(d) + size > d->total_wq_size) {
			IDXD_LOG(ERR, "%s: queue %u: %u WQ entries asked, %u of %u left", dev->name,
				 queue_id, size, d->total_wq_size - idxd_entries_used(d),
				 d->total_wq_size);
			return -ENOSPC;
		}
		p->size = size;
		p->shared = conf->mode == SVART_ACCEL_QUEUE_SHARED;
		p->priority = conf->priority ? conf->priority : IDXD_DEFAULT_PRIORITY;
	}
	policy = conf->fault_policy;
	if (policy == SVART_ACCEL_FAULT_DEFAULT)
		policy = (d->gencap & DSA_GENCAP_BOF) && (!p->fixed || p->bof) ? SVART_ACCEL_FAULT_BLOCK
									  : SVART_ACCEL_FAULT_RESUME;
	if (policy == SVART_ACCEL_FAULT_BLOCK) {
		if (p->fixed && !p->bof) {
			IDXD_LOG(ERR, "%s: WQ %u has block-on-fault disabled (set it with accel-config)",
				 dev->name, w);
			return -ENOTSUP;
		}
		p->bof = true;
	}

	q = rte_zmalloc_socket("idxd_queue", sizeof(*q), RTE_CACHE_LINE_SIZE, d->numa_node);
	if (q == NULL)
		return -ENOMEM;
	q->nb_desc = conf->nb_desc;
	q->mask = conf->nb_desc - 1;
	rc = idxd_queue_mem(d, q, conf->nb_desc);
	if (rc != 0) {
		rte_free(q);
		return rc;
	}
	q->dev = d;
	q->qid = queue_id;
	q->hwq = (uint16_t)w;
	q->shared = p->shared;
	q->wq_size = p->size;
	q->policy = policy;
	q->desc_flags = policy == SVART_ACCEL_FAULT_BLOCK ? IDXD_OP_FLAG_BOF : 0;
	q->batch_min = d->batch_min;
	q->max_batch = d->max_batch;
	p->users++;
	idxd_queue_reset(q);
	*qp = q;
	return 0;
}

static void
idxd_queue_release(struct svart_accel_dev *dev, uint16_t queue_id, void *qp)
{
	struct idxd_dev *d = dev->priv;
	struct idxd_queue *q = qp;

	(void)queue_id;
	if (q->portal != NULL)
		d->tp->portal_close(d->hw, q->portal);
	if (d->wq[q->hwq].users > 0)
		d->wq[q->hwq].users--;
	idxd_queue_mem_free(d, q);
	rte_free(q);
}

static unsigned int
log2_floor(uint64_t v)
{
	unsigned int s = 0;

	while (v > 1) {
		v >>= 1;
		s++;
	}
	return s;
}

static void
idxd_wqcfg_program(struct idxd_dev *d, uint16_t w)
{
	const struct idxd_wq_plan *p = &d->wq[w];
	uint32_t base = d->wqcfg_off + w * d->wqcfg_stride;
	uint32_t mode = ((uint32_t)p->priority << DSA_WQCFG_PRIORITY_SHIFT);

	if (!p->shared)
		mode |= DSA_WQCFG_MODE_DEDICATED | DSA_WQCFG_PASID_EN |
			((d->pasid & DSA_PASID_MAX) << DSA_WQCFG_PASID_SHIFT);
	if (p->bof)
		mode |= DSA_WQCFG_BOF_EN;
	d->tp->reg_write32(d->hw, base + DSA_WQCFG_DW_SIZE * 4, p->size);
	d->tp->reg_write32(d->hw, base + DSA_WQCFG_DW_THRESHOLD * 4, p->shared ? p->size : 0);
	d->tp->reg_write32(d->hw, base + DSA_WQCFG_DW_MODE * 4, mode);
	d->tp->reg_write32(d->hw, base + DSA_WQCFG_DW_LIMITS * 4,
			   log2_floor(d->max_xfer) |
			   (log2_floor(d->max_batch) << DSA_WQCFG_MAX_BATCH_SHIFT));
}

/* Group 0 gets every engine and every WQ in use (GRPCFG, device disabled). */
static void
idxd_grpcfg_program(struct idxd_dev *d)
{
	uint64_t wqs[DSA_GRPCFG_WQS_QWORDS] = { 0 };
	uint64_t engines = d->num_engines >= 64 ? UINT64_MAX : (1ull << d->num_engines) - 1;

	for (uint16_t w = 0; w < d->num_wqs; w++)
		if (d->wq[w].users > 0)
			wqs[w / 64] |= 1ull << (w % 64);
	for (unsigned int q = 0; q < DSA_GRPCFG_WQS_QWORDS; q++) {
		d->tp->reg_write32(d->hw, d->grpcfg_off + DSA_GRPCFG_WQS_OFF + q * 8, (uint32_t)wqs[q]);
		d->tp->reg_write32(d->hw, d->grpcfg_off + DSA_GRPCFG_WQS_OFF + q * 8 + 4,
				   (uint32_t)(wqs[q] >> 32));
	}
	d->tp->reg_write32(d->hw, d->grpcfg_off + DSA_GRPCFG_ENGINES_OFF, (uint32_t)engines);
	d->tp->reg_write32(d->hw, d->grpcfg_off + DSA_GRPCFG_ENGINES_OFF + 4, (uint32_t)(engines >> 32));
}

static int
idxd_stop(struct svart_accel_dev *dev)
{
	struct idxd_dev *d = dev->priv;
	int rc = 0;

	for (uint16_t w = 0; w < d->num_wqs; w++) {
		uint32_t err;

		if (!d->wq[w].enabled || d->wq[w].fixed)
			continue;
		/* DISABLE_WQ drains: ops already submitted finish first. */
		err = idxd_cmd(d, DSA_CMD_DISABLE_WQ, idxd_wq_operand(w));
		if (err != DSA_CMDSTS_OK) {
			IDXD_LOG(ERR, "%s: disabling WQ %u failed, CMDSTS error 0x%x", dev->name, w, err);
			rc = -EIO;
		}
		d->wq[w].enabled = false;
	}
	/* Disable the device too: its group configuration changes with the queues. */
	if (d->tp->wq_fixed == NULL) {
		(void)idxd_cmd(d, DSA_CMD_DISABLE_DEVICE, 0);
		if (d->tp->bus_master != NULL)
			(void)d->tp->bus_master(d->hw, false);
	}
	for (uint16_t qid = 0; qid < dev->nb_queues; qid++) {
		struct idxd_queue *q = dev->queues[qid];

		if (q != NULL && q->portal != NULL) {
			d->tp->portal_close(d->hw, q->portal);
			q->portal = NULL;
		}
	}
	return rc;
}

static int
idxd_start(struct svart_accel_dev *dev)
{
	struct idxd_dev *d = dev->priv;
	uint32_t err = DSA_CMDSTS_OK;

	if (d->tp->wq_fixed == NULL) {
		idxd_grpcfg_program(d);
		/* The device fetches descriptors and writes records as a bus
		 * master: without it Enable Device fails with 0x12. */
		if (d->tp->bus_master != NULL && d->tp->bus_master(d->hw, true) != 0) {
			IDXD_LOG(ERR, "%s: cannot enable PCI bus mastering", dev->name);
			return -EIO;
		}
		err = idxd_cmd(d, DSA_CMD_ENABLE_DEVICE, 0);
	}

	if (err != DSA_CMDSTS_OK && err != DSA_CMDSTS_DEV_ENABLED) {
		IDXD_LOG(ERR, "%s: enable device failed, CMDSTS error 0x%x", dev->name, err);
		return -EIO;
	}
	for (uint16_t w = 0; w < d->num_wqs; w++) {
		if (d->wq[w].users == 0 || d->wq[w].fixed)
			continue;
		idxd_wqcfg_program(d, w);
		err = idxd_cmd(d, DSA_CMD_ENABLE_WQ, w);
		if (err != DSA_CMDSTS_OK) {
			IDXD_LOG(ERR, "%s: enable WQ %u (size %u, %s) failed, CMDSTS error 0x%x",
				 dev->name, w, d->wq[w].size, d->wq[w].shared ? "shared" : "dedicated",
				 err);
			idxd_stop(dev);
			return -EIO;
		}
		d->wq[w].enabled = true;
	}
	for (uint16_t qid = 0; qid < dev->nb_queues; qid++) {
		struct idxd_queue *q = dev->queues[qid];

		/* Block-on-fault needs someone to answer page requests (unless the
		 * kernel does, as with the char device). */
		struct svart_iopf_conf ic = { .mode = SVART_IOPF_SERVICE, .lcore = -1,
					      .numa_node = d->numa_node,
					      .fault_around_max = SVART_IOPF_FAULT_AROUND_DEFAULT };

		if (q->policy == SVART_ACCEL_FAULT_BLOCK && d->tp->iopf_ops != NULL &&
		    !svart_iopf_running() &&
		    svart_iopf_start(&ic) != 0)
			IDXD_LOG(WARNING, "%s: no fault service running: blocked descriptors will "
				 "wait until svart_iopf_poll() runs or they time out", dev->name);
	}
	for (uint16_t qid = 0; qid < dev->nb_queues; qid++) {
		struct idxd_queue *q = dev->queues[qid];
		int rc;

		/* Kernel-owned WQs take the PASID from WQCFG / IA32_PASID: leave it 0. */
		q->pasid = d->tp->wq_fixed != NULL ? 0 : d->pasid;
		rc = d->tp->portal_open(d->hw, q->hwq, q->shared, q->pasid, &q->portal,
					&q->portal_write);

		if (rc != 0) {
			IDXD_LOG(ERR, "%s: cannot open portal of WQ %u: %s", dev->name, q->hwq,
				 strerror(-rc));
			idxd_stop(dev);
			return rc;
		}
		q->fork_gen = svart_accel_fork_gen;
		idxd_queue_reset(q);
	}
	return 0;
}

static int
idxd_close(struct svart_accel_dev *dev)
{
	struct idxd_dev *d = dev->priv;

	if (d == NULL)
		return 0;
	svart_iopf_source_remove(d->iopf_src);
	if (d->tp->close != NULL)
		d->tp->close(d->hw);
	rte_free(d);
	dev->priv = NULL;
	return 0;
}

static int
idxd_stats_get(const struct svart_accel_dev *dev, const void *qp, struct svart_accel_stats *s)
{
	const struct idxd_queue *q = qp;

	(void)dev;
	*s = q->stats;
	return 0;
}

static int
idxd_stats_reset(struct svart_accel_dev *dev, void *qp)
{
	struct idxd_queue *q = qp;

	(void)dev;
	memset(&q->stats, 0, sizeof(q->stats));
	return 0;
}

static int
idxd_dump(const struct svart_accel_dev *dev, FILE *f)
{
	const struct idxd_dev *d = dev->priv;
	uint64_t swerr = rd64(d, DSA_REG_SWERR);

	fprintf(f, "  idxd over %s: version 0x%" PRIx64 ", GENCAP 0x%" PRIx64 ", WQCAP 0x%" PRIx64
		", PASID %u, batch_min %u\n", d->tp->name, rd64(d, DSA_REG_VERSION), d->gencap,
		d->wqcap, d->pasid, d->batch_min);
	fprintf(f, "  SWERR 0x%" PRIx64 "%s\n", swerr, (swerr & DSA_SWERR_VALID) ? " (valid)" : "");
	if (d->tp->dump != NULL)
		d->tp->dump(d->hw, f);
	for (uint16_t qid = 0; qid < dev->nb_queues; qid++) {
		const struct idxd_queue *q = dev->queues[qid];

		if (q == NULL)
			continue;
		static const char *const pol[] = { "default", "block", "resume", "report" };

		fprintf(f, "  queue %u: WQ %u %s, %u entries, ring %u, write %u submit %u done %u, "
			"credits %u, faults: %s, resumed %" PRIu64 "\n", qid, q->hwq,
			q->shared ? "shared" : "dedicated", q->wq_size, q->nb_desc, q->write_idx,
			q->submit_idx, q->done_idx, q->shared ? 0 : q->credits, pol[q->policy % 4],
			q->resumed);
	}
	return 0;
}

static int
idxd_sva_bind(struct svart_accel_dev *dev, uint32_t pasid)
{
	struct idxd_dev *d = dev->priv;
	int rc = d->tp->pasid_bind(d->hw, pasid);

	if (rc == 0) {
		d->pasid = pasid;
		d->pasid_live = true;
	}
	return rc;
}

static int
idxd_sva_unbind(struct svart_accel_dev *dev, uint32_t pasid)
{
	struct idxd_dev *d = dev->priv;

	/* Submissions stop first, then the device forgets the PASID. */
	d->pasid_live = false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* submitters see pasid_live before unbind */
	return d->tp->pasid_unbind(d->hw, pasid);
}

static bool
idxd_sva_drained(struct svart_accel_dev *dev, uint32_t pasid)
{
	struct idxd_dev *d = dev->priv;

	return d->tp->pasid_drained(d->hw, pasid);
}

static int
idxd_sva_invalidate(struct svart_accel_dev *dev, uintptr_t addr, size_t len)
{
	struct idxd_dev *d = dev->priv;

	return d->tp->invalidate(d->hw, addr, len);
}

static int
idxd_sva_resolve(struct svart_accel_dev *dev, uintptr_t addr, size_t len, bool write)
{
	struct idxd_dev *d = dev->priv;

	return d->tp->resolve != NULL ? d->tp->resolve(d->hw, addr, len, write) : 0;
}

static const struct svart_accel_dev_ops idxd_dev_ops = {
	.sva_bind = idxd_sva_bind,
	.sva_resolve = idxd_sva_resolve,
	.sva_unbind = idxd_sva_unbind,
	.sva_drained = idxd_sva_drained,
	.sva_invalidate = idxd_sva_invalidate,
	.info_get = idxd_info_get,
	.configure = idxd_configure,
	.queue_setup = idxd_queue_setup,
	.queue_release = idxd_queue_release,
	.start = idxd_start,
	.stop = idxd_stop,
	.close = idxd_close,
	.stats_get = idxd_stats_get,
	.stats_reset = idxd_stats_reset,
	.dump = idxd_dump,
	.queue_idle = idxd_queue_idle,
};

int
idxd_dev_init(struct svart_accel_dev *dev, const struct idxd_transport *tp, void *hw,
	      uint16_t batch_min)
{
	struct idxd_dev *d = rte_zmalloc("idxd_dev", sizeof(*d), RTE_CACHE_LINE_SIZE);
	uint64_t table;

	if (d == NULL)
		return -ENOMEM;
	d->tp = tp;
	d->hw = hw;
	d->batch_min = batch_min;
	d->numa_node = -1;
	d->gencap = rd64(d, DSA_REG_GENCAP);
	d->wqcap = rd64(d, DSA_REG_WQCAP);
	for (int i = 0; i < DSA_REG_OPCAP_QWORDS; i++)
		d->opcap[i] = rd64(d, DSA_REG_OPCAP + 8 * i);
	table = rd64(d, DSA_REG_TABLE_OFFSET);
	d->wqcfg_off = (uint32_t)((table >> DSA_TABLE_WQCFG_SHIFT) & DSA_TABLE_WQCFG_MASK) *
		       DSA_TABLE_OFFSET_UNIT;
	d->grpcfg_off = (uint32_t)(table & DSA_TABLE_GRPCFG_MASK) * DSA_TABLE_OFFSET_UNIT;
	d->wqcfg_stride = 1u << (((d->wqcap >> DSA_WQCAP_WQCFG_SIZE_SHIFT) &
				  DSA_WQCAP_WQCFG_SIZE_MASK) + DSA_WQCFG_MIN_SHIFT);
	d->num_engines = (uint8_t)(rd64(d, DSA_REG_ENGCAP) & DSA_ENGCAP_NUM_ENGINES_MASK);
	d->num_wqs = (d->wqcap >> DSA_WQCAP_NUM_WQS_SHIFT) & DSA_WQCAP_NUM_WQS_MASK;
	d->total_wq_size = d->wqcap & DSA_WQCAP_TOTAL_SIZE_MASK;
	d->max_xfer = 1ull << ((d->gencap >> DSA_GENCAP_MAX_XFER_SHIFT) & DSA_GENCAP_MAX_XFER_MASK);
	d->max_batch = 1u << ((d->gencap >> DSA_GENCAP_MAX_BATCH_SHIFT) & DSA_GENCAP_MAX_BATCH_MASK);
	if (d->num_wqs == 0 || d->num_wqs > IDXD_MAX_WQS || d->total_wq_size == 0) {
		IDXD_LOG(ERR, "%s: device reports %u WQs and %u entries: unusable", dev->name,
			 d->num_wqs, d->total_wq_size);
		rte_free(d);
		return -ENODEV;
	}
	if (d->max_batch > IDXD_MAX_DESC)
		d->max_batch = IDXD_MAX_DESC;
	for (uint16_t w = 0; tp->wq_fixed != NULL && w < d->num_wqs; w++) {
		struct idxd_wq_fixed f;

		if (tp->wq_fixed(hw, w, &f) != 0)
			continue;
		d->wq[w].fixed = true;
		d->wq[w].shared = f.shared;
		d->wq[w].bof = f.bof;
		d->wq[w].size = f.size;
	}
	d->iopf_src = tp->iopf_ops != NULL ? svart_iopf_source_add(tp->iopf_ops, hw) : -1;
	dev->priv = d;
	dev->ops = &idxd_dev_ops;
	dev->fp_ops = &idxd_fp_ops;
	return 0;
}

int
idxd_kv_str(const char *key, const char *value, void *opaque)
{
	(void)key;
	*(const char **)opaque = value;
	return 0;
}
