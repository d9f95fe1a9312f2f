/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_IDXD_INTERNAL_H
#define SVART_IDXD_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_log.h>

#include "dsa_continue.h"
#include "dsa_hw_defs.h"
#include "svart_accel_driver.h"
#include "svart_iopf.h"

extern int idxd_logtype;
#define IDXD_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, idxd_logtype, "idxd: " fmt "\n", ## __VA_ARGS__)

#define IDXD_MIN_DESC 32u
#define IDXD_MAX_DESC 4096u     /**< 16-bit ring indexes need nb_desc <= 32768 */
#define IDXD_MAX_WQS 32u
#define IDXD_DEFAULT_PRIORITY 8u
#define IDXD_ENQCMD_RETRIES 64u  /**< bounded retry of a shared-WQ submission */
#define IDXD_CMD_POLL_LIMIT 100000000u
#define IDXD_CDEV_BATCH_MIN 2u
/** batch_min that sends every op as a descriptor of its own (no BATCH): for a
 *  submission path that refuses BATCH (idxd_cdev.c, write() mode). */
#define IDXD_BATCH_MIN_NEVER UINT16_MAX

/**
 * Portal write: 0 = accepted, 1 = retry (shared WQ refused the descriptor).
 * Dedicated portals always return 0 (posted write).
 */
/** Page size the transports map device-visible memory in. */
#define IDXD_PAGE_SIZE 4096u

typedef int (*idxd_portal_write_t)(void *portal, const struct dsa_hw_desc *desc);

/** A WQ configured outside svart (by the kernel driver, with accel-config). */
struct idxd_wq_fixed {
	bool shared;
	bool bof;            /**< block-on-fault enabled */
	uint16_t size;
	char name[32];       /**< e.g. "wq0.1" */
};

/**
 * The transport seam: everything that differs between the emulated device,
 * VFIO and the kernel char device. Descriptor building, batching and
 * completion handling above it are common.
 */
struct idxd_transport {
	const char *name;
	uint64_t (*reg_read64)(void *hw, uint32_t off);
	uint32_t (*reg_read32)(void *hw, uint32_t off);
	void (*reg_write32)(void *hw, uint32_t off, uint32_t val);
	/** Portal handle and write function of WQ wq for a submitter with this PASID. */
	int (*portal_open)(void *hw, uint16_t wq, bool shared, uint32_t pasid, void **portal,
			   idxd_portal_write_t *write);
	void (*portal_close)(void *hw, void *portal);
	/** Make pasid translate to this process's address space (IOMMU PASID table). */
	int (*pasid_bind)(void *hw, uint32_t pasid);
	/** Remove pasid; outstanding page requests for it end Invalid. */
	int (*pasid_unbind)(void *hw, uint32_t pasid);
	/** True when nothing for pasid is in flight on the device. */
	bool (*pasid_drained)(void *hw, uint32_t pasid);
	/** Drop cached translations of a range. */
	int (*invalidate)(void *hw, uintptr_t addr, size_t len);
	/** Page-request source of the device for the fault service (ctx = hw); NULL: none. */
	const struct svart_iopf_source_ops *iopf_ops;
	/** Non-NULL when WQs are configured outside svart: describes WQ wq (0 or
	 *  -errno); svart then neither programs WQCFG nor runs device commands. */
	int (*wq_fixed)(void *hw, uint16_t wq, struct idxd_wq_fixed *out);
	/** Memory the transport holds for the device, bytes (optional). */
	uint64_t (*mem_bytes)(void *hw);
	/** Turn PCI bus mastering on or off (Command register), before Enable
	 *  Device and after Disable Device: 0 or -errno. NULL when the kernel
	 *  owns the function (idxd char device). */
	int (*bus_master)(void *hw, bool on);
	/** Make PMD memory the device uses ([va, va+len), whole pages) reachable
	 *  by it for as long as the queue lives: 0 or -errno. NULL: the device
	 *  translates through the process's page tables (SVA). */
	int (*dma_map)(void *hw, void *va, size_t len);
	void (*dma_unmap)(void *hw, void *va, size_t len);
	/** After the CPU made [addr, addr+len) present for the access, make it
	 *  usable by the device too (VFIO: map it into the IOAS). 0 or -errno.
	 *  NULL: nothing more to do (SVA shares the CPU's page tables). */
	int (*resolve)(void *hw, uint64_t addr, size_t len, bool write);
	/** Print the transport's own state (optional). */
	void (*dump)(void *hw, FILE *f);
	/** True when the transport cannot submit to shared WQs (see idxd_vfio.c). */
	bool no_shared_wq;
	/** Release the hardware handle. */
	void (*close)(void *hw);
};

/** What the PMD plans for each hardware WQ, derived from queue setups. */
struct idxd_wq_plan {
	uint16_t users;      /**< queues using this WQ */
	bool shared;
	uint16_t size;       /**< WQ entries */
	uint8_t priority;
	bool bof;            /**< a queue on it blocks on faults */
	bool enabled;
	bool fixed;          /**< configured outside svart (size, mode, bof as found) */
};

struct idxd_dev {
	const struct idxd_transport *tp;
	void *hw;
	uint64_t gencap, wqcap;
	uint64_t opcap[DSA_REG_OPCAP_QWORDS];
	uint32_t wqcfg_off;
	uint32_t wqcfg_stride; /**< bytes per WQCFG entry (from WQCAP.wqcfg_size) */
	uint32_t grpcfg_off;
	uint8_t num_engines;
	uint16_t num_wqs;
	uint16_t total_wq_size;
	uint64_t max_xfer;
	uint32_t max_batch;
	uint16_t batch_min;  /**< smallest burst sent as a hardware batch */
	uint32_t pasid;      /**< PASID tagged on every descriptor */
	volatile bool pasid_live; /**< the PASID is bound (cleared by unbind) */
	int numa_node;
	int iopf_src;        /**< fault service source id, -1 if none */
	struct idxd_wq_plan wq[IDXD_MAX_WQS];
};

struct idxd_batch_ent {
	uint16_t start;   /**< first op ring index */
	uint16_t count;   /**< ops; a count of 1 was submitted as a lone descriptor */
};

/** One queue: a software ring of descriptors and completion records. */
struct idxd_queue {
	/* Hot: enqueue and submit. */
	struct dsa_hw_desc *desc_ring;
	struct dsa_completion_record *op_cr;
	struct dsa_completion_record *batch_cr;
	struct idxd_batch_ent *batch_ring;
	uint16_t mask;
	uint16_t write_idx;    /**< next op index */
	uint16_t submit_idx;   /**< first op not yet handed to the device */
	uint16_t done_idx;     /**< first op not yet reaped */
	uint16_t batch_tail;   /**< next batch slot */
	uint16_t batch_head;   /**< oldest batch with ops not yet reaped */
	uint16_t credit_idx;   /**< oldest batch still holding a WQ entry */
	uint16_t credits;      /**< WQ entries free (dedicated WQ) */
	bool shared;
	bool fence_hold;       /**< a fenced op at submit_idx waits for the ops before it */
	uint16_t burst_marks;  /**< burst ends marked in burst_end[] (while held) */
	uint8_t *burst_end;    /**< per op slot: last op of a burst queued behind a hold */
	uint8_t policy;        /**< enum svart_accel_fault_policy (resolved, never DEFAULT) */
	uint16_t batch_min;
	uint32_t max_batch;
	uint32_t pasid;
	uint32_t desc_flags;   /**< flags added to every op descriptor (BOF) */
	uint32_t fork_gen;     /**< svart_accel_fork_gen when started */
	idxd_portal_write_t portal_write;
	void *portal;
	/* Descriptor templates (idxd_queue_reset(), from pasid and desc_flags):
	 * the first quadword of a descriptor (PASID, flags, opcode) per op type,
	 * and the flag bits an op's SVART_ACCEL_OP_* flags add to it, so that an
	 * op is written to the ring as eight whole quadwords. */
	uint64_t w0_op[SVART_ACCEL_OP_MAX];
	uint64_t w0_opflags[SVART_ACCEL_OP_FLAGS_ALL + 1];
	uint64_t w0_batch;     /**< ... of a BATCH descriptor */
	uint64_t w0_rcr;       /**< the RCR flag bit, for an op sent alone */
	struct svart_accel_stats stats;
	/* Resume policy: one op being replayed (continuation or not-attempted op),
	 * with a descriptor and a completion record of its own, so that the op's
	 * own record keeps its first outcome until the replay's final one is
	 * folded into it (idxd_resume.c). */
	struct {
		uint8_t state;     /**< enum idxd_rs_state */
		bool need_submit;  /**< the replay still has to reach the device */
		uint16_t idx;      /**< op ring index */
		uint64_t last_fault; /**< fault address of the previous piece */
		bool last_write;   /**< ... and whether that access was a write */
		struct dsa_cont acc;
		struct dsa_hw_desc desc; /**< what remains of the op */
	} rs;
	uint64_t resumed;      /**< ops completed through replays */
	/** Record of the replay piece in flight (the device writes it; in dma_mem). */
	struct dsa_completion_record *rs_cr;
	/** What the device reads and writes of this queue, one block of whole
	 *  pages: desc_ring, op_cr, batch_cr, rs_cr (see idxd_queue_mem()). */
	void *dma_mem;
	size_t dma_len;
	/* Cold. */
	uint32_t stall_polls;  /**< empty polls of a head batch without a record */
	uint16_t stall_head;   /**< ... which batch */
	bool stall_logged;     /**< an unattributable SWERR was logged for it */
	uint64_t stall_since;  /**< rte_rdtsc() when it was first seen stuck */
	struct idxd_dev *dev;
	uint16_t qid;
	uint16_t hwq;
	uint16_t nb_desc;
	uint16_t wq_size;
};

/* idxd_swerr.c: the head batch shows no record; after a while, an error in
 * SWERR that names this dedicated queue's WQ fails it (called rarely). */
void idxd_stall_check(struct idxd_queue *q);

/* idxd_fp.c */
extern const struct svart_accel_fp_ops idxd_fp_ops;
void idxd_queue_reset(struct idxd_queue *q);
uint8_t idxd_batch_status(const struct idxd_queue *q, uint16_t b);
void idxd_reclaim_credits(struct idxd_queue *q);
int idxd_portal_submit(struct idxd_queue *q, const struct dsa_hw_desc *d);

static inline bool
idxd_status_ok(uint8_t st)
{
	uint8_t code = st & DSA_COMP_STATUS_CODE_MASK;

	return code == DSA_COMP_SUCCESS || code == DSA_COMP_SUCCESS_PRED;
}

/* idxd_resume.c: the resume fault policy. */
enum idxd_rs_state {
	IDXD_RS_IDLE = 0,
	IDXD_RS_RUNNING,   /**< a piece of op rs.idx is submitted or waiting to be */
	IDXD_RS_FINAL,     /**< op rs.idx ended in an error, folded into its record */
};
enum idxd_fix { IDXD_FIX_OK, IDXD_FIX_PENDING, IDXD_FIX_FAILED };
/**
 * Turn op idx's failure *st into success if a replay can. *st becomes the
 * op's final status when the result is OK or FAILED; PENDING while a piece of
 * the replay has not completed (the op must not be reported yet).
 */
enum idxd_fix idxd_fix_op(struct idxd_queue *q, uint16_t idx, uint8_t *st);
/** Op idx was reported to the application: forget its final replay state. */
static inline void
idxd_resume_reported(struct idxd_queue *q, uint16_t idx)
{
	if (q->rs.state == IDXD_RS_FINAL && q->rs.idx == idx)
		q->rs.state = IDXD_RS_IDLE;
}

/* idxd_fp.c and idxd_fp_reap.c: the completion side of the fast path. */
uint16_t idxd_reap_fence_release(struct idxd_queue *q, uint16_t n);
uint16_t idxd_reap_slow(struct idxd_queue *q, uint16_t nb_cpls, uint16_t n, uint16_t *last_idx,
			bool *has_error);
uint16_t idxd_reap_more(struct idxd_queue *q, uint16_t nb_cpls, uint16_t n, uint16_t *last_idx,
			bool *has_error);
uint16_t idxd_reap_status(void *qp, uint16_t nb_cpls, uint16_t *last_idx,
			  struct svart_accel_result *res);

/* A fenced op held back by idxd_submit() goes once the ops before it are reaped. */
static inline void
idxd_fence_release(struct idxd_queue *q)
{
	if (unlikely(q->fence_hold) && q->done_idx == q->submit_idx)
		idxd_fp_ops.submit(q);
}

/* The head batch is reaped: the next one is the head. */
static inline void
idxd_batch_advance(struct idxd_queue *q)
{
	uint16_t head = q->batch_head;

	/* Keep credit_idx at or past batch_head so batch slots are never reused
	 * while their WQ entry is still counted. (The usual case: the batch's
	 * WQ entry was not reclaimed before it was reaped.) */
	if (likely(q->credit_idx == head)) {
		q->credit_idx = head + 1;
		q->credits++;
	}
	q->batch_head = head + 1;
}

/* The end of idxd_completed() with n ops reaped. */
static inline uint16_t
idxd_completed_end(struct idxd_queue *q, uint16_t n, uint16_t *last_idx, bool *has_error,
		   bool err)
{
	if (n > 0 && last_idx != NULL)
		*last_idx = q->done_idx - 1;
	if (has_error != NULL)
		*has_error = err;
	q->stats.completed += n;
	if (unlikely(q->fence_hold))
		return idxd_reap_fence_release(q, n);
	return n;
}

/* idxd_fp_reap.c: 1 when every op submitted on queue qp is finished, else 0. */
int idxd_queue_idle(const struct svart_accel_dev *dev, const void *qp);

/* idxd_ctrl.c: rte_kvargs handler storing the value string in *(const char **)opaque. */
int idxd_kv_str(const char *key, const char *value, void *opaque);

/* idxd_ctrl.c: write a device command and poll CMDSTS until it is no longer
 * active. Returns the CMDSTS error code (DSA_CMDSTS_HW_ERR on timeout). */
uint32_t idxd_cmd_exec(const struct idxd_transport *tp, void *hw, uint32_t cmd, uint32_t operand);

/* idxd_ctrl.c: generic probe on a transport whose hw handle is open. */
int idxd_dev_init(struct svart_accel_dev *dev, const struct idxd_transport *tp, void *hw,
		  uint16_t batch_min);

#endif /* SVART_IDXD_INTERNAL_H */
