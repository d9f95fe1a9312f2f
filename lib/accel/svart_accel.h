/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_ACCEL_H
#define SVART_ACCEL_H

/**
 * @file
 * svart accelerator device class: control path.
 *
 * An accelerator device executes work (copy, fill, compare, CRC, ...) on
 * ordinary process memory named by raw virtual addresses. Devices are created
 * by svart_accel_probe() from a DPDK-style devargs string, configured with a
 * number of queues, each queue is set up, then the device is started. Work is
 * submitted and reaped through the inline fast path in svart_accel_fp.h.
 *
 * Threading: control-path functions are not thread safe with respect to the
 * same device; call them from one thread. A queue is single-producer: only one
 * thread may use a given (dev_id, queue) pair at a time. Different queues of
 * the same device may be used from different threads concurrently.
 *
 * Errors are returned as negative errno values; no function sets errno.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "svart_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest device name, including the terminating NUL. */
#define SVART_ACCEL_NAME_MAX 64

/** Operation types. Bit n of svart_accel_info::op_capa is set when op n is supported. */
enum svart_accel_op_type {
	SVART_ACCEL_OP_NOP = 0,       /**< no operation; completes in order */
	SVART_ACCEL_OP_COPY,          /**< copy src to dst (overlap-safe) */
	SVART_ACCEL_OP_FILL,          /**< fill dst with an 8-byte pattern */
	SVART_ACCEL_OP_COMPARE,       /**< compare src with src2 */
	SVART_ACCEL_OP_COMPARE_VALUE, /**< compare src with an 8-byte pattern */
	SVART_ACCEL_OP_DUALCAST,      /**< copy src to dst and dst2 */
	SVART_ACCEL_OP_CRC32C,        /**< CRC32C of src */
	SVART_ACCEL_OP_COPY_CRC32C,   /**< copy src to dst and CRC32C of src */
	SVART_ACCEL_OP_CACHE_FLUSH,   /**< write back and evict dst from CPU caches */
	SVART_ACCEL_OP_MAX            /**< number of op types */
};

/** Capability flags (svart_accel_info::capa). */
#define SVART_ACCEL_CAPA_SVA        (1ull << 0) /**< device works on process virtual addresses */
#define SVART_ACCEL_CAPA_DEDICATED  (1ull << 1) /**< dedicated queues supported */
#define SVART_ACCEL_CAPA_SHARED     (1ull << 2) /**< shared queues supported */
#define SVART_ACCEL_CAPA_BATCH      (1ull << 3) /**< hardware batching of a burst */
#define SVART_ACCEL_CAPA_PAGE_FAULT (1ull << 4) /**< device can raise page requests */
#define SVART_ACCEL_CAPA_PRIORITY   (1ull << 5) /**< queue priority honoured */

/** Device information, filled by svart_accel_info_get(). */
struct svart_accel_info {
	char name[SVART_ACCEL_NAME_MAX]; /**< device name */
	const char *driver_name;        /**< name of the driver that owns it */
	uint64_t capa;                  /**< SVART_ACCEL_CAPA_* */
	uint64_t op_capa;               /**< bit n set = enum svart_accel_op_type n supported */
	uint64_t max_transfer;          /**< largest transfer size of one op, bytes */
	uint32_t max_batch;             /**< largest number of ops in one hardware batch */
	uint16_t max_queues;            /**< largest nb_queues for svart_accel_configure() */
	uint16_t nb_queues;             /**< configured number of queues */
	uint16_t min_desc;              /**< smallest ring size for a queue */
	uint16_t max_desc;              /**< largest ring size for a queue */
	uint16_t hw_queues;             /**< hardware work queues on the device */
	uint16_t hw_queue_entries;      /**< total hardware work-queue entries */
	int numa_node;                  /**< device NUMA node, -1 if unknown */
	uint64_t mem_device;            /**< runtime memory of the device itself, bytes */
	uint64_t mem_queues;            /**< runtime memory of the configured queues, bytes */
};

/** Device configuration. */
struct svart_accel_conf {
	uint16_t nb_queues; /**< number of queues, 1 .. max_queues */
};

/** How a queue submits to the device. */
enum svart_accel_queue_mode {
	SVART_ACCEL_QUEUE_DEDICATED = 0, /**< owns a hardware work queue (posted writes, credit-counted) */
	SVART_ACCEL_QUEUE_SHARED,        /**< shares a hardware work queue (accept/retry submission) */
};

/** What happens when the device meets a page that is not present (or not writable). */
enum svart_accel_fault_policy {
	/** BLOCK when the device can block on faults, else RESUME. */
	SVART_ACCEL_FAULT_DEFAULT = 0,
	/** The descriptor waits while the fault-handling lcore resolves the page
	 *  (PCIe PRI); the op completes, or fails with the faulting address. */
	SVART_ACCEL_FAULT_BLOCK,
	/** The device stops at the page; the driver resolves it and resubmits the
	 *  rest of the op; the op completes, or fails with the faulting address. */
	SVART_ACCEL_FAULT_RESUME,
	/** The partial completion goes to the application as a PAGE_FAULT result
	 *  with bytes_completed and the faulting address. */
	SVART_ACCEL_FAULT_REPORT,
};

/** Pick the hardware work queue automatically (svart_accel_queue_conf::hw_queue). */
#define SVART_ACCEL_HWQ_AUTO (-1)

/** Queue configuration. */
struct svart_accel_queue_conf {
	uint16_t nb_desc;   /**< ring size in ops: power of two in [min_desc, max_desc] */
	uint8_t mode;       /**< enum svart_accel_queue_mode */
	uint8_t priority;   /**< hardware queue priority 1 (low) .. 15 (high); 0 = default */
	int16_t hw_queue;   /**< hardware work queue index, or SVART_ACCEL_HWQ_AUTO. Shared
			      *  queues naming the same index share it; AUTO puts all shared
			      *  queues on one shared work queue and gives each dedicated
			      *  queue its own. */
	uint16_t hw_entries; /**< hardware work-queue entries to reserve; 0 = driver default */
	uint8_t fault_policy; /**< enum svart_accel_fault_policy */
};

/** Per-queue or per-device counters. */
struct svart_accel_stats {
	uint64_t enqueued;    /**< ops accepted by enqueue */
	uint64_t submitted;   /**< ops handed to the device */
	uint64_t completed;   /**< ops reaped successfully */
	uint64_t errors;      /**< ops reaped with an error status */
	uint64_t hw_submits;  /**< descriptors written to the hardware portal (batches count once) */
	uint64_t retries;     /**< portal submissions refused by a shared queue and retried */
};

/** Every queue, for svart_accel_stats_get() and svart_accel_stats_reset(). */
#define SVART_ACCEL_ALL_QUEUES UINT16_MAX

/**
 * Probe a device from a devargs string `name[,key=value,...]`.
 *
 * The driver is chosen by the longest registered driver name that prefixes
 * `name` (e.g. "idxd_emu0" goes to driver "idxd_emu"). Plug-in drivers named
 * by the SVART_PLUGIN_PATH environment variable are loaded before the first
 * probe.
 *
 * @param devargs
 *   Device name and driver arguments.
 * @return
 *   Device id (>= 0) on success, or:
 *   - -EINVAL: devargs NULL or empty; the device name is empty or longer than
 *     SVART_ACCEL_NAME_MAX - 1 characters; the key=value list is malformed or
 *     has a key the driver does not accept; or the driver's probe left a
 *     required op unset.
 *   - -ENODEV: no registered driver matches the name.
 *   - -EEXIST: a device with this name already exists.
 *   - -ENOSPC: SVART_ACCEL_MAX_DEVS devices already exist.
 *   - any other negative errno returned by the driver's probe (for the idxd
 *     drivers: -ENOMEM when out of memory, -ENODEV when the device reports no
 *     usable work queue).
 */
int svart_accel_probe(const char *devargs);

/**
 * Look up a device id by name.
 *
 * @param name
 *   Device name, as given to svart_accel_probe() without the driver arguments.
 * @return
 *   Device id (>= 0) on success, or:
 *   - -EINVAL: name is NULL.
 *   - -ENODEV: no probed device has this name.
 */
int svart_accel_get_dev_id(const char *name);

/** @return the number of devices currently probed. */
uint16_t svart_accel_count(void);

/**
 * Whether a device id names a probed device.
 *
 * @param dev_id
 *   Device id.
 * @return true if dev_id names a probed device, false otherwise.
 */
bool svart_accel_is_valid(int16_t dev_id);

/**
 * Get device information.
 *
 * @param dev_id
 *   Device id.
 * @param info
 *   Filled with the device's information (zeroed first).
 * @return
 *   0 on success, or:
 *   - -ENODEV: dev_id is not a probed device.
 *   - -EPERM: the device belongs to the parent of this (forked) process.
 *   - -EINVAL: info is NULL.
 *   - any negative errno from the driver's info_get.
 */
int svart_accel_info_get(int16_t dev_id, struct svart_accel_info *info);

/**
 * Configure a device. Allowed while the device is stopped; reconfiguring
 * releases every queue set up before.
 *
 * @param dev_id
 *   Device id.
 * @param conf
 *   Device configuration.
 * @return
 *   0 on success, or:
 *   - -ENODEV: dev_id is not a probed device.
 *   - -EPERM: the device belongs to the parent of this (forked) process.
 *   - -EINVAL: conf is NULL or nb_queues is 0 or above max_queues.
 *   - -EBUSY: the device is started.
 *   - any negative errno from the driver's info_get or configure (after a
 *     failed driver configure the device is left unconfigured).
 */
int svart_accel_configure(int16_t dev_id, const struct svart_accel_conf *conf);

/**
 * Set up one queue. The device must be configured and stopped. Setting up a
 * queue that exists releases it first.
 *
 * @param dev_id
 *   Device id.
 * @param queue_id
 *   Queue index, 0 .. nb_queues - 1 of the device's configuration.
 * @param conf
 *   Queue configuration.
 * @return
 *   0 on success, or:
 *   - -ENODEV: dev_id is not a probed device.
 *   - -EPERM: the device belongs to the parent of this (forked) process.
 *   - -EINVAL: conf NULL; device not configured; queue_id >= nb_queues; nb_desc
 *     not a power of two or outside [min_desc, max_desc]; priority above 15;
 *     mode unknown; hw_queue out of range; hw_entries above hw_queue_entries;
 *     fault_policy unknown; or (idxd) hw_queue names a work queue configured
 *     outside svart in the other mode, or hw_entries exceeds its size.
 *   - -ENOTSUP: the mode is not supported by the device, or fault_policy is
 *     BLOCK on a device that cannot block on faults (or, idxd, on a work queue
 *     configured outside svart with block-on-fault disabled).
 *   - -EBUSY: the device is started, or a dedicated queue asked for a hardware
 *     work queue that is already in use.
 *   - -ENOSPC: not enough hardware work queues or entries are left.
 *   - -ENOMEM: out of memory.
 *   - any other negative errno from the driver's info_get or queue_setup.
 */
int svart_accel_queue_setup(int16_t dev_id, uint16_t queue_id,
			    const struct svart_accel_queue_conf *conf);

/**
 * Start a device: program and enable its hardware work queues. An SVA device
 * that is not bound is bound first (svart_sva_bind(); the binding ends at
 * close).
 *
 * @param dev_id
 *   Device id.
 * @return
 *   0 on success (also when already started), or:
 *   - -ENODEV: dev_id is not a probed device.
 *   - -EPERM: the device belongs to the parent of this (forked) process.
 *   - -EINVAL: not configured, or a queue was not set up.
 *   - -ENOSPC: the implicit SVA binding found no free PASID.
 *   - -EIO: the hardware refused the configuration (details in the log).
 *   - any other negative errno from the driver: its info_get, its PASID
 *     binding, or its start (for idxd, opening a queue's submission portal
 *     fails with e.g. -ENOTSUP when the CPU or the kernel lacks the
 *     instruction the portal needs, -EACCES or -EBUSY when the kernel refuses
 *     the work queue's char device, -ENOMEM when out of memory).
 */
int svart_accel_start(int16_t dev_id);

/**
 * Stop a device: drain and disable its work queues. Ops submitted before the
 * stop complete first; ops enqueued but not submitted are discarded.
 *
 * @param dev_id
 *   Device id.
 * @return
 *   0 on success (also when already stopped), or:
 *   - -ENODEV: dev_id is not a probed device.
 *   - -EPERM: the device belongs to the parent of this (forked) process.
 *   - -EIO: the hardware failed to drain or disable.
 *   - any other negative errno from the driver's stop (the device then stays
 *     started).
 */
int svart_accel_stop(int16_t dev_id);

/**
 * Close a stopped device and free everything it holds. The id may be reused.
 *
 * @param dev_id
 *   Device id.
 * @return
 *   0 on success (an error of the driver's close is only logged), or:
 *   - -ENODEV: dev_id is not a probed device.
 *   - -EPERM: the device belongs to the parent of this (forked) process.
 *   - -EBUSY: the device is started.
 */
int svart_accel_close(int16_t dev_id);

/**
 * Read counters of one queue, or of all queues with SVART_ACCEL_ALL_QUEUES.
 *
 * @param dev_id
 *   Device id.
 * @param queue_id
 *   Queue index, or SVART_ACCEL_ALL_QUEUES for the sum over every queue set up.
 * @param stats
 *   Filled with the counters (zero for a queue not set up).
 * @return
 *   0 on success, or:
 *   - -ENODEV: dev_id is not a probed device.
 *   - -EPERM: the device belongs to the parent of this (forked) process.
 *   - -EINVAL: stats NULL, or queue_id out of range.
 *   - any negative errno from the driver's stats_get.
 */
int svart_accel_stats_get(int16_t dev_id, uint16_t queue_id, struct svart_accel_stats *stats);

/**
 * Reset counters of one queue, or of all queues with SVART_ACCEL_ALL_QUEUES.
 *
 * @param dev_id
 *   Device id.
 * @param queue_id
 *   Queue index, or SVART_ACCEL_ALL_QUEUES for every queue.
 * @return
 *   0 on success, or:
 *   - -ENODEV: dev_id is not a probed device.
 *   - -EPERM: the device belongs to the parent of this (forked) process.
 *   - -EINVAL: queue_id out of range.
 *   - any negative errno from the driver's stats_reset.
 */
int svart_accel_stats_reset(int16_t dev_id, uint16_t queue_id);

/**
 * Whether the device has finished every op submitted on a queue (finished
 * ops may still wait to be reaped). For a control loop waiting for the
 * hardware, as rte_dma_vchan_status() does; not a fast-path call. Ops a
 * driver accepted but holds (behind a fence, or refused by a full hardware
 * queue) count as not finished; they go when the ops before them are
 * reaped, so such a loop must also reap.
 *
 * @param dev_id
 *   Device id.
 * @param queue_id
 *   Queue index.
 * @return
 *   1 when idle, 0 while submitted ops still run, or:
 *   - -ENODEV: dev_id is not a probed device.
 *   - -EPERM: the device belongs to the parent of this (forked) process.
 *   - -EINVAL: queue_id out of range, or the queue is not set up.
 *   - -ENOTSUP: the driver cannot tell.
 *   - any other negative errno from the driver's queue_idle.
 */
int svart_accel_queue_idle(int16_t dev_id, uint16_t queue_id);

/**
 * Print the device state, configuration, queues and driver state.
 *
 * @param dev_id
 *   Device id.
 * @param f
 *   Output stream.
 * @return
 *   0 on success, or:
 *   - -ENODEV: dev_id is not a probed device.
 *   - -EPERM: the device belongs to the parent of this (forked) process.
 *   - -EINVAL: f is NULL.
 *   - any negative errno from the driver's info_get or dump.
 */
int svart_accel_dump(int16_t dev_id, FILE *f);

/**
 * Readable name of an op type.
 *
 * @param op
 *   Op type.
 * @return a static string ("copy", ...), "unknown" if op is out of range.
 */
const char *svart_accel_op_name(enum svart_accel_op_type op);

/**
 * Load one plug-in driver from a shared object.
 *
 * @param path
 *   Path of the shared object (as dlopen() takes it).
 * @return
 *   Number of drivers the plug-in registered (>= 1), or:
 *   - -EINVAL: path is NULL or empty, or the plug-in registers a driver
 *     without a name or a probe function.
 *   - -ENOENT: no file at path.
 *   - -ENOEXEC: the file could not be loaded or registered no driver.
 *   - -EPROTO: the plug-in was built for another driver ABI version.
 *   - -EEXIST: the plug-in is already loaded, or registers a driver name
 *     that already exists.
 *   - -ENOSPC: the driver table is full.
 */
int svart_accel_plugin_load(const char *path);

/**
 * Load every `*.so` file in a directory, in name order.
 *
 * @param dir
 *   Directory to scan (not recursively).
 * @return
 *   Number of plug-ins loaded, or:
 *   - -EINVAL: dir is NULL or empty.
 *   - -ENOTDIR: dir is not a directory.
 *   - -EACCES: dir cannot be read.
 *   - -ENOENT: dir cannot be opened for any other reason (e.g. it does not exist).
 *   - the first error svart_accel_plugin_load() returned for a file, after
 *     trying every file (the plug-ins that loaded stay loaded).
 */
int svart_accel_plugin_load_dir(const char *dir);

#ifdef __cplusplus
}
#endif

#include "svart_accel_fp.h"

#endif /* SVART_ACCEL_H */
