/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_ACCEL_DRIVER_H
#define SVART_ACCEL_DRIVER_H

/**
 * @file
 * Driver-facing interface of the accelerator class: what a PMD implements
 * (struct svart_accel_dev_ops), how it registers (SVART_ACCEL_REGISTER_DRIVER),
 * and the device object it is handed.
 *
 * The class library validates every argument and state before it calls a
 * driver op, so drivers do not re-check dev ids, queue ids, NULL pointers,
 * ring-size rules or started/stopped state.
 *
 * A driver built as a plug-in (a shared object loaded by
 * svart_accel_plugin_load()) uses the same macro; the ABI version compiled
 * into it is checked when it registers.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_kvargs.h>

#include "svart_accel.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Driver ABI version. Bump on any change to struct svart_accel_dev_ops,
 * struct svart_accel_driver, struct svart_accel_dev or the fast-path
 * function types. A plug-in built against another value is refused.
 */
#define SVART_ACCEL_DRIVER_ABI 3u

/** Device state, managed by the class library. */
enum svart_accel_dev_state {
	SVART_ACCEL_DEV_UNUSED = 0,  /**< free slot: no device with this id */
	SVART_ACCEL_DEV_PROBED,      /**< probed, not configured */
	SVART_ACCEL_DEV_CONFIGURED,  /**< configured (queues may be set up), stopped */
	SVART_ACCEL_DEV_STARTED,     /**< started: the fast path may be used */
};

struct svart_accel_dev;

/** Operations a driver provides. Every op returns 0 or a negative errno. */
struct svart_accel_dev_ops {
	/** Fill info (the library fills name, driver_name and nb_queues). Required. */
	int (*info_get)(const struct svart_accel_dev *dev, struct svart_accel_info *info);
	/** Apply a validated configuration. Required. */
	int (*configure)(struct svart_accel_dev *dev, const struct svart_accel_conf *conf);
	/** Create queue queue_id; return its fast-path object in *qp. Required. */
	int (*queue_setup)(struct svart_accel_dev *dev, uint16_t queue_id,
			   const struct svart_accel_queue_conf *conf, void **qp);
	/** Free a queue object made by queue_setup. Required. */
	void (*queue_release)(struct svart_accel_dev *dev, uint16_t queue_id, void *qp);
	/** Enable the hardware queues and open every queue for submission. Required. */
	int (*start)(struct svart_accel_dev *dev);
	/** Drain and disable the hardware queues. Required. */
	int (*stop)(struct svart_accel_dev *dev);
	/** Free the device's private data. Required. */
	int (*close)(struct svart_accel_dev *dev);
	/** Read one queue's counters. Required. */
	int (*stats_get)(const struct svart_accel_dev *dev, const void *qp,
			 struct svart_accel_stats *stats);
	/** Zero one queue's counters. Required. */
	int (*stats_reset)(struct svart_accel_dev *dev, void *qp);
	/** Print driver state. Optional. */
	int (*dump)(const struct svart_accel_dev *dev, FILE *f);
	/** Bind the process address space under pasid (device stopped). Optional: no SVA. */
	int (*sva_bind)(struct svart_accel_dev *dev, uint32_t pasid);
	/** Remove pasid from the device now; in-flight page requests end Invalid. */
	int (*sva_unbind)(struct svart_accel_dev *dev, uint32_t pasid);
	/** True when the device holds no work and no page request for pasid. */
	bool (*sva_drained)(struct svart_accel_dev *dev, uint32_t pasid);
	/** Drop cached translations of [addr, addr+len). */
	int (*sva_invalidate)(struct svart_accel_dev *dev, uintptr_t addr, size_t len);
	/** Make [addr, addr+len), already present for the CPU, usable by the
	 *  device for the access (an IOMMU the driver programs: map it).
	 *  Optional: NULL when the device shares the CPU's page tables. */
	int (*sva_resolve)(struct svart_accel_dev *dev, uintptr_t addr, size_t len, bool write);
	/** 1 when the device finished every op submitted on the queue, 0 while
	 *  some still run. Optional (svart_accel_queue_idle gives -ENOTSUP). */
	int (*queue_idle)(const struct svart_accel_dev *dev, const void *qp);
};

/** Fast-path functions a driver provides; all required. */
struct svart_accel_fp_ops {
	svart_accel_copy_t copy;        /**< behind svart_accel_copy() */
	svart_accel_enqueue_t enqueue;  /**< behind svart_accel_enqueue() and the op helpers */
	svart_accel_submit_t submit;    /**< behind svart_accel_submit() */
	svart_accel_completed_t completed; /**< behind svart_accel_completed() */
	svart_accel_completed_status_t completed_status; /**< behind svart_accel_completed_status() */
	svart_accel_burst_capacity_t burst_capacity; /**< behind svart_accel_burst_capacity() */
};

/** A device, as the class library and its driver see it. */
struct svart_accel_dev {
	char name[SVART_ACCEL_NAME_MAX];             /**< device name (devargs before the first comma) */
	int16_t dev_id;                              /**< device id */
	enum svart_accel_dev_state state;            /**< lifecycle state */
	const struct svart_accel_driver *driver;     /**< driver that probed it */
	const struct svart_accel_dev_ops *ops;       /**< set by the driver's probe */
	const struct svart_accel_fp_ops *fp_ops;     /**< set by the driver's probe */
	void *priv;                                  /**< driver private data */
	uint16_t nb_queues;                          /**< configured number of queues */
	void *queues[SVART_ACCEL_MAX_QUEUES];        /**< per-queue driver objects */
	uint64_t serial;                             /**< unique per probe, never reused */
	uint32_t fork_gen;                           /**< svart_accel_fork_gen at probe */
	uint32_t pasid;                              /**< SVA binding's PASID (when bound) */
	bool sva_bound;                              /**< an SVA binding exists (pasid is valid) */
	bool sva_implicit;                           /**< bound by start, unbound by close */
};

/**
 * Incremented in the child after fork(). A device or queue whose recorded
 * value differs belongs to the parent: drivers refuse submissions (-EPERM).
 */
extern uint32_t svart_accel_fork_gen;

/**
 * Driver probe: given the device (name and id set) and its parsed devargs
 * (NULL when none were given), set dev->ops, dev->fp_ops and dev->priv.
 */
typedef int (*svart_accel_probe_t)(struct svart_accel_dev *dev,
				   const struct rte_kvargs *kvargs);

/** A driver. */
struct svart_accel_driver {
	uint32_t abi;               /**< SVART_ACCEL_DRIVER_ABI at build time */
	const char *name;           /**< device names starting with this go to this driver */
	const char *const *valid_keys; /**< NULL-terminated devargs keys, or NULL for none */
	svart_accel_probe_t probe;  /**< called by svart_accel_probe() for a matching name */
};

/**
 * Register a driver (called from a constructor by SVART_ACCEL_REGISTER_DRIVER).
 *
 * @param drv
 *   The driver; it must stay valid while the process runs (the table keeps
 *   the pointer).
 * @return
 *   0 on success, or:
 *   - -EINVAL: drv, its name or its probe is NULL, or its name is empty.
 *   - -EPROTO: drv->abi is not SVART_ACCEL_DRIVER_ABI.
 *   - -EEXIST: a driver with this name is registered.
 *   - -ENOSPC: the driver table is full.
 */
int svart_accel_driver_register(const struct svart_accel_driver *drv);

/**
 * Register a driver at load time. Use once per driver at file scope:
 * @code
 *   static const struct svart_accel_driver my_drv = {
 *       .abi = SVART_ACCEL_DRIVER_ABI, .name = "mypmd", .probe = my_probe };
 *   SVART_ACCEL_REGISTER_DRIVER(my_drv);
 * @endcode
 *
 * @param drv
 *   A struct svart_accel_driver variable (its name, not a pointer).
 */
#define SVART_ACCEL_REGISTER_DRIVER(drv) \
	RTE_INIT(svart_accel_register_##drv) \
	{ \
		(void)svart_accel_driver_register(&(drv)); \
	}

/**
 * Device object of a probed device. For drivers and tests.
 *
 * @param dev_id
 *   Device id.
 * @return the device object, or NULL if dev_id is not a probed device.
 */
struct svart_accel_dev *svart_accel_dev_get(int16_t dev_id);

#ifdef __cplusplus
}
#endif

#endif /* SVART_ACCEL_DRIVER_H */
