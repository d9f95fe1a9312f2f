/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_IOPF_H
#define SVART_IOPF_H

/**
 * @file
 * I/O page fault handling: the fault-handling lcore.
 *
 * Devices (through their drivers) register a page-request source. The fault
 * service drains every source, assembles page-request groups, resolves each
 * group in this process — populating the pages with the access the device
 * asked for (MADV_POPULATE_READ/WRITE), adjacent pages in one call — and
 * answers the group Success or Invalid Request. An application resolver hook
 * runs first and may resolve a range itself (e.g. fill lazily loaded data).
 * An optional fault-around window populates ahead of a sequential pattern
 * (after the group is answered), growing while the pattern holds and
 * collapsing when it breaks; random access populates nothing ahead.
 *
 * Placement: as a DPDK service (default: shares the service lcore of the
 * emulated engines, which is what a 2-core machine can do), or on a
 * dedicated lcore, or polled by the application (svart_iopf_poll()).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a resolver hook did with a range. */
enum svart_iopf_verdict {
	SVART_IOPF_DEFAULT = 0,  /**< not handled: populate it the default way */
	SVART_IOPF_RESOLVED,     /**< the hook made the range present: answer Success */
	SVART_IOPF_INVALID,      /**< the address must fail: answer Invalid Request */
};

/**
 * Resolver hook: called on the fault lcore for each contiguous range of a
 * page-request group, before the default resolution. It gets
 * svart_iopf_conf::resolver_arg, the PASID, the range's start address and
 * length in bytes, and whether the device wants to write; it returns what it
 * did (enum svart_iopf_verdict).
 */
typedef enum svart_iopf_verdict (*svart_iopf_resolver_t)(void *arg, uint32_t pasid, void *addr,
							 size_t len, bool write);

/** Where the fault service runs. */
enum svart_iopf_mode {
	SVART_IOPF_SERVICE = 0,   /**< a DPDK service on a service lcore */
	SVART_IOPF_LCORE,         /**< a loop on a dedicated worker lcore */
	SVART_IOPF_MANUAL,        /**< the application calls svart_iopf_poll() */
};

/** Largest fault-around window (pages) of the default configuration (NULL conf,
 *  and the fault service a PMD starts). */
#define SVART_IOPF_FAULT_AROUND_DEFAULT 64u

/** Fault service configuration. */
struct svart_iopf_conf {
	uint8_t mode;                 /**< enum svart_iopf_mode */
	int lcore;                    /**< lcore for SERVICE/LCORE; -1 = pick (near numa_node) */
	int numa_node;                /**< NUMA node of the devices served, -1 = any */
	uint32_t fault_around_max;    /**< largest fault-around window in pages; 0 = off.
				       *   Adaptive: only a sequential stream (per PASID) is
				       *   populated ahead, its window growing while it holds */
	svart_iopf_resolver_t resolver; /**< resolver hook, or NULL for none */
	void *resolver_arg;           /**< first argument of the resolver hook */
};

/** Latency histogram percentiles, nanoseconds. */
struct svart_iopf_latency {
	uint64_t count;  /**< round trips recorded */
	uint64_t p50, p90, p99, p999, max;
};
/** @var svart_iopf_latency::p50
 *  Median. */
/** @var svart_iopf_latency::p90
 *  90th percentile. */
/** @var svart_iopf_latency::p99
 *  99th percentile. */
/** @var svart_iopf_latency::p999
 *  99.9th percentile. */
/** @var svart_iopf_latency::max
 *  Largest latency recorded. */

/** Fault service counters. */
struct svart_iopf_stats {
	uint64_t requests;        /**< page requests read */
	uint64_t groups;          /**< groups answered */
	uint64_t pages;           /**< pages resolved (fault-around pages not included) */
	uint64_t invalid;         /**< groups answered Invalid Request */
	uint64_t hook_resolved;   /**< ranges the resolver hook resolved */
	uint64_t around_pages;    /**< pages populated ahead by fault-around */
	uint64_t overflows;       /**< page requests the IOMMU queue could not hold */
	uint64_t timeouts;        /**< page requests a device stopped waiting for */
	struct svart_iopf_latency latency; /**< request raised -> response seen by the device */
};

/**
 * Start the fault service (NULL conf: SERVICE mode, lcore picked, fault-around of 64 pages).
 * A picked lcore is an existing service lcore if there is one, else the last idle
 * worker, preferring lcores on numa_node.
 *
 * @param conf
 *   Configuration, or NULL for the defaults.
 * @return
 *   0, or:
 *   - -EALREADY: already running.
 *   - -EINVAL: bad mode; lcore not an enabled lcore; or, for SERVICE/LCORE
 *     mode, lcore is the main lcore.
 *   - -ENODEV: no lcore available for SERVICE/LCORE mode (EAL with one lcore).
 *   - -EBUSY: the chosen lcore is busy (LCORE mode), or cannot be made a
 *     service lcore (SERVICE mode).
 *   - any other negative errno from DPDK's service or launch functions
 *     (rte_service_component_register(), rte_service_map_lcore_set(),
 *     rte_service_lcore_start(), rte_eal_remote_launch()).
 */
int svart_iopf_start(const struct svart_iopf_conf *conf);

/**
 * Stop the fault service (requests queue up until it is started again).
 *
 * @return
 *   0, or:
 *   - -ENOENT: the service is not running.
 */
int svart_iopf_stop(void);

/** @return true while the service runs (any mode). */
bool svart_iopf_running(void);

/**
 * Drain every source once and answer what can be answered.
 * @return page requests handled.
 */
unsigned int svart_iopf_poll(void);

/**
 * Read the counters and latency percentiles.
 *
 * @param s
 *   Filled with the counters.
 * @return
 *   0, or:
 *   - -EINVAL: s is NULL.
 */
int svart_iopf_stats_get(struct svart_iopf_stats *s);

/** Zero the counters and the histogram. */
void svart_iopf_stats_reset(void);

/* ---- For drivers ---------------------------------------------------- */

/** One page request, as a source delivers it. */
struct svart_iopf_req {
	uint32_t pasid;     /**< PASID the request was made under */
	uint16_t group;     /**< page request group index */
	uint8_t write;      /**< the device wants to write */
	uint8_t last;       /**< last request of its group */
	uint64_t addr;      /**< page address */
};

/** A page-request source (one per device). */
struct svart_iopf_source_ops {
	/** Read up to max requests into reqs; returns how many. */
	uint16_t (*read)(void *ctx, struct svart_iopf_req *reqs, uint16_t max);
	/** Answer a group: invalid false = Success, true = Invalid Request.
	 *  Returns 0 or a negative errno (the service does not act on it). */
	int (*respond)(void *ctx, uint32_t pasid, uint16_t group, bool invalid);
	/** Add the source's overflow and timeout counts (optional). */
	void (*counters)(void *ctx, uint64_t *overflows, uint64_t *timeouts);
};

/**
 * Register a source.
 *
 * @param ops
 *   The source's functions (read and respond required); must stay valid until
 *   the source is removed.
 * @param ctx
 *   First argument of every function in ops.
 * @return
 *   The source id (>= 0), or:
 *   - -EINVAL: ops, its read or its respond is NULL.
 *   - -ENOSPC: the source table is full.
 */
int svart_iopf_source_add(const struct svart_iopf_source_ops *ops, void *ctx);

/**
 * Unregister a source (waits until the service is not using it). Groups of
 * the source still being assembled are dropped unanswered.
 *
 * @param id
 *   Source id from svart_iopf_source_add(); an out-of-range id is ignored.
 */
void svart_iopf_source_remove(int id);

/**
 * Record one round trip, in TSC cycles, as the device saw it.
 *
 * @param cycles
 *   From the page request being raised to its response being seen, in TSC cycles.
 */
void svart_iopf_latency_record(uint64_t cycles);

#ifdef __cplusplus
}
#endif

#endif /* SVART_IOPF_H */
