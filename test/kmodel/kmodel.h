/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_KMODEL_H
#define SVART_KMODEL_H

/**
 * @file
 * A strict model of the Linux kernel objects the VFIO + iommufd transport
 * talks to: /dev/iommu (iommufd contexts, IOAS, HWPT, fault queues), the
 * VFIO device cdev of one emulated DSA function and the fault fd. It plugs
 * in through the OS table (idxd_os.h) and rejects what the kernel rejects,
 * with the kernel's errno (each rule cites the kernel function it follows).
 * The emulated device translates through the IOAS attached to each PASID
 * (emu_iommu_set_translate), and device accesses to pinned pages the process
 * no longer maps there are counted as stale pin accesses.
 *
 * Nodes: "<dev root>/iommu" and "<dev root>/vfio/devices/vfio*" (any N).
 */

#include <stdbool.h>
#include <stdint.h>

struct emu_dsa;

/** Model parameters. */
#define KMODEL_BAR0_SIZE 0x10000ull       /**< DSA BAR0: registers */
#define KMODEL_CFG_SIZE 0x1000ull         /**< PCIe config space */
#define KMODEL_MAX_CTX 8u                 /**< iommufd contexts open at once */
#define KMODEL_MAX_OBJ 64u                /**< objects per iommufd context */

/** Operations a test can make fail once (error injection, e.g. an old kernel). */
enum kmodel_op {
	KMODEL_OP_OPEN_IOMMU,   /**< open("/dev/iommu") */
	KMODEL_OP_OPEN_DEV,     /**< open of the device cdev */
	KMODEL_OP_BIND,         /**< VFIO_DEVICE_BIND_IOMMUFD */
	KMODEL_OP_FAULT_ALLOC,  /**< IOMMU_FAULT_QUEUE_ALLOC */
	KMODEL_OP_HWPT_ALLOC,   /**< IOMMU_HWPT_ALLOC */
	KMODEL_OP_ATTACH,       /**< VFIO_DEVICE_ATTACH_IOMMUFD_PT */
	KMODEL_OP_PREAD,        /**< pread on the device fd (every one while set) */
	KMODEL_OP_COUNT,
};

/** Counters of what the model saw. */
struct kmodel_stats {
	uint64_t maps, map_writeable;  /**< successful IOAS_MAPs, of them writable */
	uint64_t unmaps;               /**< successful IOAS_UNMAPs */
	uint64_t attaches, detaches;   /**< successful PASID attach / detach ioctls */
	uint64_t detach_noop;          /**< detaches of a PASID not attached (0, no-op) */
	uint64_t queued;               /**< groups the kernel queued on a fault fd */
	uint64_t records, groups;      /**< fault records / groups delivered by read() */
	uint64_t responses;            /**< responses accepted by write() */
	uint64_t auto_responses;       /**< groups answered Invalid by the kernel (detach) */
	uint64_t drain_cmds;           /**< Drain PASID commands written to BAR0 */
	uint64_t detach_after_drain;   /**< detaches that followed a Drain PASID */
	uint64_t stale;                /**< stale pin accesses */
	uint64_t xlate_ok, xlate_fail; /**< device translations answered */
	uint64_t pinned_pages;         /**< pages pinned now */
};

/** Install the model: OS table (idxd_os_set) and emu's translation hook.
 *  @return 0 or -errno. */
int kmodel_init(struct emu_dsa *emu);
/** Remove the model (libc OS table, page-table walk); closes what is open. */
void kmodel_fini(void);

/** Make the next call of op fail with err (< 0); 0 clears. */
void kmodel_fail(enum kmodel_op op, int err);
/** Limit of pinned pages (the RLIMIT_MEMLOCK accounting); 0: RLIMIT_MEMLOCK. */
void kmodel_set_pin_limit(uint64_t pages);
/** Translate through the IOAS (true, default) or the process's page tables. */
void kmodel_set_strict(bool strict);

void kmodel_stats_get(struct kmodel_stats *s);
void kmodel_stats_reset(void);
/** Device accesses to an IOAS page whose CPU page is no longer the pinned one. */
uint64_t kmodel_stale_accesses(void);

/** True when [iova, iova+len) is wholly mapped in the IOAS attached to pasid
 *  (writable too when write). */
bool kmodel_pasid_mapped(uint32_t pasid, uint64_t iova, uint64_t len, bool write);
/** Areas of the IOAS attached to pasid (-ENOENT when none is attached). */
int kmodel_pasid_areas(uint32_t pasid);

/** True when a page request for a page of [addr, addr+len) was raised since
 *  the last kmodel_stats_reset() (the last KMODEL_FAULT_LOG ones are kept). */
bool kmodel_fault_seen(uint64_t addr, uint64_t len);
#define KMODEL_FAULT_LOG 1024u

/** Move the emulated IOMMU's page requests into the fault queues now (the
 *  model's page request thread does it every 100 us, read() too) and signal
 *  the fault fds. @return groups queued by this call. */
unsigned int kmodel_pump(void);
/**
 * Queue a synthetic page-request group of npages pages from addr for pasid
 * (as the IOMMU core would hand it to iommufd), larger than the emulated
 * device raises. @return a handle >= 0 or -errno (-ENOENT: PASID not attached).
 */
int kmodel_inject_group(uint32_t pasid, uint64_t addr, uint32_t npages, bool write);
/** Response code written for an injected group, or -EAGAIN while unanswered
 *  (-ENOENT: auto-responded Invalid by a detach). */
int kmodel_injected_code(int handle);

#endif /* SVART_KMODEL_H */
