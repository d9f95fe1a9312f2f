/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_ACCEL_FP_H
#define SVART_ACCEL_FP_H

/**
 * @file
 * svart accelerator device class: inline fast path.
 *
 * Usage pattern (one queue, one thread):
 * @code
 *   int idx = svart_accel_copy(dev, q, src, dst, len, 0);   // -ENOSPC when full
 *   ...more enqueues...
 *   svart_accel_submit(dev, q);                             // one doorbell for the burst
 *   n = svart_accel_completed(dev, q, 32, &last, &err);     // poll
 * @endcode
 *
 * Ring indexes are 16-bit and wrap; each enqueue returns the index of its op,
 * and completions are reported in enqueue order. A burst enqueued between two
 * submits is handed to the device as one hardware batch when the driver finds
 * that cheaper.
 *
 * Argument checks on this path are compiled in only with SVART_ACCEL_DEBUG
 * (meson -Ddebug_checks=true); without them, an invalid dev_id or queue is
 * undefined behaviour, as in DPDK's fast paths.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svart_accel_core.h"
#include "svart_accel.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Op flag: the op does not start until every earlier op of the same burst has completed. */
#define SVART_ACCEL_OP_FENCE   (1u << 0)
/** Op flag: submit the burst right after this op is enqueued. */
#define SVART_ACCEL_OP_SUBMIT  (1u << 1)
/** Op flag: hint that written data will be read soon; leave it in the CPU cache. */
#define SVART_ACCEL_OP_CACHE   (1u << 2)
/** All op flags. */
#define SVART_ACCEL_OP_FLAGS_ALL (SVART_ACCEL_OP_FENCE | SVART_ACCEL_OP_SUBMIT | SVART_ACCEL_OP_CACHE)

/** One op for svart_accel_enqueue(). */
struct svart_accel_op {
	uint8_t type;       /**< enum svart_accel_op_type */
	uint32_t flags;     /**< SVART_ACCEL_OP_* */
	uint32_t len;       /**< bytes (ignored by NOP) */
	const void *src;    /**< source (COPY, COMPARE*, DUALCAST, CRC32C, COPY_CRC32C) */
	void *dst;          /**< destination (COPY, FILL, DUALCAST, COPY_CRC32C, CACHE_FLUSH) */
	__extension__ union { /* anonymous: C11 and C++, an extension in C99 */
		const void *src2; /**< second source (COMPARE) */
		void *dst2;       /**< second destination (DUALCAST) */
		uint64_t pattern; /**< 8-byte pattern (FILL, COMPARE_VALUE) */
		uint32_t seed;    /**< CRC seed: the CRC32C of the data before (CRC32C, COPY_CRC32C) */
	};
};

/** Outcome of one op, from svart_accel_completed_status(). */
enum svart_accel_status {
	SVART_ACCEL_ST_SUCCESS = 0,    /**< done; see result/value */
	SVART_ACCEL_ST_NOT_ATTEMPTED,  /**< skipped: a fenced op after an earlier failure */
	SVART_ACCEL_ST_PAGE_FAULT,     /**< stopped at fault_addr after bytes_completed bytes */
	SVART_ACCEL_ST_INVALID,        /**< the device rejected the descriptor (hw_status says why) */
	SVART_ACCEL_ST_DEVICE_ERROR,   /**< device-side failure (hw_status says which) */
};

/** Per-op completion details. */
struct svart_accel_result {
	uint8_t status;           /**< enum svart_accel_status */
	uint8_t hw_status;        /**< raw device status code (DSA: completion status, bits 0-6) */
	uint8_t result;           /**< COMPARE*: 0 equal, 1 different */
	uint8_t fault_write;      /**< PAGE_FAULT: 1 if the faulting access was a write */
	uint32_t bytes_completed; /**< COMPARE mismatch: offset of the first difference;
				    *  COMPARE_VALUE mismatch: the first difference is at
				    *  this offset or in the 7 bytes after it (DSA reports
				    *  it at 8-byte granularity);
				    *  PAGE_FAULT: bytes done before the fault */
	uint64_t value;           /**< CRC32C / COPY_CRC32C: the CRC */
	uint64_t fault_addr;      /**< PAGE_FAULT: faulting virtual address */
};

/**
 * Check a fast-path call's device and queue.
 *
 * @param dev_id
 *   Device id.
 * @param queue_id
 *   Queue index.
 * @return 0, or -EINVAL (logged) for a device not started or a bad queue id.
 *
 * @internal Used by the inline fast path in debug builds of the application
 * (SVART_ACCEL_DEBUG); always present in the library.
 */
int svart_accel_fp_check(int16_t dev_id, uint16_t queue_id);

#ifdef SVART_ACCEL_DEBUG
/**
 * Return ret from the calling fast-path function when svart_accel_fp_check()
 * refuses dev_id or queue_id (SVART_ACCEL_DEBUG builds; no check otherwise).
 *
 * @param dev_id
 *   Device id.
 * @param queue_id
 *   Queue index.
 * @param ret
 *   Value the caller returns on a failed check.
 *
 * @internal
 */
#define SVART_ACCEL_FP_CHECK(dev_id, queue_id, ret) do { \
	if (svart_accel_fp_check(dev_id, queue_id) != 0) \
		return (ret); \
} while (0)
#else
/** No argument check without SVART_ACCEL_DEBUG. @internal */
#define SVART_ACCEL_FP_CHECK(dev_id, queue_id, ret) do { } while (0)
#endif

/**
 * Driver queue object of a fast-path queue.
 *
 * @param dev_id
 *   Device id of a started device.
 * @param queue_id
 *   Queue index.
 * @return the driver's queue object.
 *
 * @internal
 */
static inline void *
svart_accel_fp_queue(int16_t dev_id, uint16_t queue_id)
{
	return svart_accel_fp_objs[dev_id].queues[queue_id];
}

/**
 * An op with its common fields set and the union zeroed.
 *
 * @param type
 *   enum svart_accel_op_type.
 * @param flags
 *   SVART_ACCEL_OP_* flags.
 * @param len
 *   Length in bytes.
 * @param src
 *   Source, or NULL.
 * @param dst
 *   Destination, or NULL.
 * @return the op.
 *
 * @internal No designated initializers: the header stays valid C99 and C++11.
 */
static inline struct svart_accel_op
svart_accel_op_make(uint8_t type, uint32_t flags, uint32_t len, const void *src, void *dst)
{
	struct svart_accel_op op;

	op.type = type;
	op.flags = flags;
	op.len = len;
	op.src = src;
	op.dst = dst;
	op.pattern = 0;
	return op;
}

/**
 * Enqueue one op of any type.
 *
 * @param dev_id
 *   Device id of a started device.
 * @param queue_id
 *   Queue index.
 * @param op
 *   The op; copied, so it may be reused at once.
 * @return
 *   Ring index of the op (0 .. 65535) on success, or:
 *   - -ENOSPC: the ring is full; reap completions first.
 *   - -EINVAL: unknown op type or flags, or len above the device maximum
 *     (with SVART_ACCEL_DEBUG also: the device is not started or queue_id is
 *     out of range).
 *   - -ENOTSUP: the device does not support this op type.
 *   - -EBUSY, -EPERM, -ENOTCONN: SVART_ACCEL_OP_SUBMIT was given and the
 *     submit failed as svart_accel_submit() describes; the op stays enqueued
 *     (after -EBUSY it goes with the next successful submit).
 */
static inline int
svart_accel_enqueue(int16_t dev_id, uint16_t queue_id, const struct svart_accel_op *op)
{
	const struct svart_accel_fp_object *fp;

	SVART_ACCEL_FP_CHECK(dev_id, queue_id, -EINVAL);
	fp = &svart_accel_fp_objs[dev_id];
	/* Cheap contract checks stay on in every build: they keep an unknown op
	 * type from indexing driver tables. */
	if (op->type >= SVART_ACCEL_OP_MAX || (op->flags & ~SVART_ACCEL_OP_FLAGS_ALL) != 0 ||
	    op->len > fp->max_transfer)
		return -EINVAL;
	if (!((fp->op_capa >> op->type) & 1))
		return -ENOTSUP;
	return fp->enqueue(svart_accel_fp_queue(dev_id, queue_id), op);
}

/**
 * Enqueue a copy of len bytes from src to dst. Overlapping buffers are copied
 * as memmove() would.
 *
 * @param dev_id
 *   Device id of a started device.
 * @param queue_id
 *   Queue index.
 * @param src
 *   Source.
 * @param dst
 *   Destination.
 * @param len
 *   Bytes to copy.
 * @param flags
 *   SVART_ACCEL_OP_* flags, or 0.
 * @return
 *   Ring index of the op (0 .. 65535) on success, or:
 *   - -ENOSPC: the ring is full; reap completions first.
 *   - -EINVAL: unknown flags, or len above the device maximum (with
 *     SVART_ACCEL_DEBUG also: bad device or queue).
 *   - -EBUSY, -EPERM, -ENOTCONN: SVART_ACCEL_OP_SUBMIT was given and the
 *     submit failed as svart_accel_submit() describes; the op stays enqueued.
 */
static inline int
svart_accel_copy(int16_t dev_id, uint16_t queue_id, const void *src, void *dst, uint32_t len,
		 uint32_t flags)
{
	const struct svart_accel_fp_object *fp;

	SVART_ACCEL_FP_CHECK(dev_id, queue_id, -EINVAL);
	fp = &svart_accel_fp_objs[dev_id];
	if ((flags & ~SVART_ACCEL_OP_FLAGS_ALL) != 0 || len > fp->max_transfer)
		return -EINVAL;
	return fp->copy(svart_accel_fp_queue(dev_id, queue_id), src, dst, len, flags);
}

/**
 * Enqueue a fill of len bytes at dst with an 8-byte little-endian pattern
 * (a len that is not a multiple of 8 ends with the pattern's first bytes).
 *
 * @param dev_id
 *   Device id of a started device.
 * @param queue_id
 *   Queue index.
 * @param pattern
 *   8-byte pattern.
 * @param dst
 *   Destination.
 * @param len
 *   Bytes to fill.
 * @param flags
 *   SVART_ACCEL_OP_* flags, or 0.
 * @return
 *   Ring index of the op (0 .. 65535) on success, or a negative errno as
 *   svart_accel_enqueue() returns it:
 *   - -ENOSPC: the ring is full.
 *   - -EINVAL: unknown flags, or len above the device maximum (with
 *     SVART_ACCEL_DEBUG also: bad device or queue).
 *   - -ENOTSUP: the device does not support this op type.
 *   - -EBUSY, -EPERM, -ENOTCONN: SVART_ACCEL_OP_SUBMIT was given and the
 *     submit failed; the op stays enqueued.
 */
static inline int
svart_accel_fill(int16_t dev_id, uint16_t queue_id, uint64_t pattern, void *dst, uint32_t len,
		 uint32_t flags)
{
	struct svart_accel_op op = svart_accel_op_make(SVART_ACCEL_OP_FILL, flags, len, NULL, dst);

	op.pattern = pattern;
	return svart_accel_enqueue(dev_id, queue_id, &op);
}

/**
 * Enqueue a compare of len bytes of src and src2; the result is in
 * svart_accel_result::result (0 equal, 1 different) with the offset of the
 * first difference in bytes_completed.
 *
 * @param dev_id
 *   Device id of a started device.
 * @param queue_id
 *   Queue index.
 * @param src
 *   First source.
 * @param src2
 *   Second source.
 * @param len
 *   Bytes to compare.
 * @param flags
 *   SVART_ACCEL_OP_* flags, or 0.
 * @return
 *   Ring index of the op (0 .. 65535) on success, or a negative errno as
 *   svart_accel_enqueue() returns it:
 *   - -ENOSPC: the ring is full.
 *   - -EINVAL: unknown flags, or len above the device maximum (with
 *     SVART_ACCEL_DEBUG also: bad device or queue).
 *   - -ENOTSUP: the device does not support this op type.
 *   - -EBUSY, -EPERM, -ENOTCONN: SVART_ACCEL_OP_SUBMIT was given and the
 *     submit failed; the op stays enqueued.
 */
static inline int
svart_accel_compare(int16_t dev_id, uint16_t queue_id, const void *src, const void *src2,
		    uint32_t len, uint32_t flags)
{
	struct svart_accel_op op = svart_accel_op_make(SVART_ACCEL_OP_COMPARE, flags, len, src, NULL);

	op.src2 = src2;
	return svart_accel_enqueue(dev_id, queue_id, &op);
}

/**
 * Enqueue a compare of len bytes at src with an 8-byte repeated pattern; the
 * result is reported as for svart_accel_compare(). len must be a multiple of 8.
 *
 * @param dev_id
 *   Device id of a started device.
 * @param queue_id
 *   Queue index.
 * @param src
 *   Source.
 * @param pattern
 *   8-byte pattern.
 * @param len
 *   Bytes to compare.
 * @param flags
 *   SVART_ACCEL_OP_* flags, or 0.
 * @return
 *   Ring index of the op (0 .. 65535) on success, or a negative errno as
 *   svart_accel_enqueue() returns it:
 *   - -ENOSPC: the ring is full.
 *   - -EINVAL: unknown flags, or len above the device maximum (with
 *     SVART_ACCEL_DEBUG also: bad device or queue).
 *   - -ENOTSUP: the device does not support this op type.
 *   - -EBUSY, -EPERM, -ENOTCONN: SVART_ACCEL_OP_SUBMIT was given and the
 *     submit failed; the op stays enqueued.
 */
static inline int
svart_accel_compare_value(int16_t dev_id, uint16_t queue_id, const void *src, uint64_t pattern,
			  uint32_t len, uint32_t flags)
{
	struct svart_accel_op op = svart_accel_op_make(SVART_ACCEL_OP_COMPARE_VALUE, flags, len, src,
						       NULL);

	op.pattern = pattern;
	return svart_accel_enqueue(dev_id, queue_id, &op);
}

/**
 * Enqueue a copy of src to both dst and dst2. The two destinations must have
 * equal address bits 11:0 (the op completes with an error otherwise).
 *
 * @param dev_id
 *   Device id of a started device.
 * @param queue_id
 *   Queue index.
 * @param src
 *   Source.
 * @param dst
 *   First destination.
 * @param dst2
 *   Second destination.
 * @param len
 *   Bytes to copy.
 * @param flags
 *   SVART_ACCEL_OP_* flags, or 0.
 * @return
 *   Ring index of the op (0 .. 65535) on success, or a negative errno as
 *   svart_accel_enqueue() returns it:
 *   - -ENOSPC: the ring is full.
 *   - -EINVAL: unknown flags, or len above the device maximum (with
 *     SVART_ACCEL_DEBUG also: bad device or queue).
 *   - -ENOTSUP: the device does not support this op type.
 *   - -EBUSY, -EPERM, -ENOTCONN: SVART_ACCEL_OP_SUBMIT was given and the
 *     submit failed; the op stays enqueued.
 */
static inline int
svart_accel_dualcast(int16_t dev_id, uint16_t queue_id, const void *src, void *dst, void *dst2,
		     uint32_t len, uint32_t flags)
{
	struct svart_accel_op op = svart_accel_op_make(SVART_ACCEL_OP_DUALCAST, flags, len, src, dst);

	op.dst2 = dst2;
	return svart_accel_enqueue(dev_id, queue_id, &op);
}

/**
 * Enqueue a CRC32C (Castagnoli) of len bytes at src. seed is the CRC of the
 * data before src (0 to start), so CRCs chain across ops. The CRC is in
 * svart_accel_result::value.
 *
 * @param dev_id
 *   Device id of a started device.
 * @param queue_id
 *   Queue index.
 * @param src
 *   Source.
 * @param len
 *   Bytes to checksum.
 * @param seed
 *   CRC32C of the data before src, 0 to start.
 * @param flags
 *   SVART_ACCEL_OP_* flags, or 0.
 * @return
 *   Ring index of the op (0 .. 65535) on success, or a negative errno as
 *   svart_accel_enqueue() returns it:
 *   - -ENOSPC: the ring is full.
 *   - -EINVAL: unknown flags, or len above the device maximum (with
 *     SVART_ACCEL_DEBUG also: bad device or queue).
 *   - -ENOTSUP: the device does not support this op type.
 *   - -EBUSY, -EPERM, -ENOTCONN: SVART_ACCEL_OP_SUBMIT was given and the
 *     submit failed; the op stays enqueued.
 */
static inline int
svart_accel_crc32c(int16_t dev_id, uint16_t queue_id, const void *src, uint32_t len,
		   uint32_t seed, uint32_t flags)
{
	struct svart_accel_op op = svart_accel_op_make(SVART_ACCEL_OP_CRC32C, flags, len, src, NULL);

	op.seed = seed;
	return svart_accel_enqueue(dev_id, queue_id, &op);
}

/**
 * Enqueue a copy of src to dst that also computes the CRC32C of src, as
 * svart_accel_crc32c(). src and dst must not overlap.
 *
 * @param dev_id
 *   Device id of a started device.
 * @param queue_id
 *   Queue index.
 * @param src
 *   Source.
 * @param dst
 *   Destination.
 * @param len
 *   Bytes to copy.
 * @param seed
 *   CRC32C of the data before src, 0 to start.
 * @param flags
 *   SVART_ACCEL_OP_* flags, or 0.
 * @return
 *   Ring index of the op (0 .. 65535) on success, or a negative errno as
 *   svart_accel_enqueue() returns it:
 *   - -ENOSPC: the ring is full.
 *   - -EINVAL: unknown flags, or len above the device maximum (with
 *     SVART_ACCEL_DEBUG also: bad device or queue).
 *   - -ENOTSUP: the device does not support this op type.
 *   - -EBUSY, -EPERM, -ENOTCONN: SVART_ACCEL_OP_SUBMIT was given and the
 *     submit failed; the op stays enqueued.
 */
static inline int
svart_accel_copy_crc32c(int16_t dev_id, uint16_t queue_id, const void *src, void *dst,
			uint32_t len, uint32_t seed, uint32_t flags)
{
	struct svart_accel_op op = svart_accel_op_make(SVART_ACCEL_OP_COPY_CRC32C, flags, len, src,
						       dst);

	op.seed = seed;
	return svart_accel_enqueue(dev_id, queue_id, &op);
}

/**
 * Enqueue a cache flush of len bytes at dst.
 *
 * @param dev_id
 *   Device id of a started device.
 * @param queue_id
 *   Queue index.
 * @param dst
 *   Start of the range to write back and evict.
 * @param len
 *   Bytes to flush.
 * @param flags
 *   SVART_ACCEL_OP_* flags, or 0.
 * @return
 *   Ring index of the op (0 .. 65535) on success, or a negative errno as
 *   svart_accel_enqueue() returns it:
 *   - -ENOSPC: the ring is full.
 *   - -EINVAL: unknown flags, or len above the device maximum (with
 *     SVART_ACCEL_DEBUG also: bad device or queue).
 *   - -ENOTSUP: the device does not support this op type.
 *   - -EBUSY, -EPERM, -ENOTCONN: SVART_ACCEL_OP_SUBMIT was given and the
 *     submit failed; the op stays enqueued.
 */
static inline int
svart_accel_cache_flush(int16_t dev_id, uint16_t queue_id, void *dst, uint32_t len,
			uint32_t flags)
{
	struct svart_accel_op op = svart_accel_op_make(SVART_ACCEL_OP_CACHE_FLUSH, flags, len, NULL,
						       dst);

	return svart_accel_enqueue(dev_id, queue_id, &op);
}

/**
 * Enqueue a no-op (useful with SVART_ACCEL_OP_FENCE as an ordering point).
 *
 * @param dev_id
 *   Device id of a started device.
 * @param queue_id
 *   Queue index.
 * @param flags
 *   SVART_ACCEL_OP_* flags, or 0.
 * @return
 *   Ring index of the op (0 .. 65535) on success, or a negative errno as
 *   svart_accel_enqueue() returns it:
 *   - -ENOSPC: the ring is full.
 *   - -EINVAL: unknown flags (with SVART_ACCEL_DEBUG also: bad device or
 *     queue).
 *   - -ENOTSUP: the device does not support this op type.
 *   - -EBUSY, -EPERM, -ENOTCONN: SVART_ACCEL_OP_SUBMIT was given and the
 *     submit failed; the op stays enqueued.
 */
static inline int
svart_accel_nop(int16_t dev_id, uint16_t queue_id, uint32_t flags)
{
	struct svart_accel_op op = svart_accel_op_make(SVART_ACCEL_OP_NOP, flags, 0, NULL, NULL);

	return svart_accel_enqueue(dev_id, queue_id, &op);
}

/**
 * Hand every op enqueued since the last submit to the device.
 *
 * @param dev_id
 *   Device id of a started device.
 * @param queue_id
 *   Queue index.
 * @return
 *   0 on success (also with nothing to submit), or:
 *   - -EBUSY: the device refused the submission (shared queue full after
 *     bounded retries, or no hardware credits left); nothing is lost: the
 *     ops stay enqueued, reap completions and submit again.
 *   - -EPERM: the queue belongs to the parent of this (forked) process.
 *   - -ENOTCONN: the device's SVA binding was removed (svart_sva_unbind()).
 *   - -EINVAL: with SVART_ACCEL_DEBUG only: the device is not started or
 *     queue_id is out of range.
 */
static inline int
svart_accel_submit(int16_t dev_id, uint16_t queue_id)
{
	SVART_ACCEL_FP_CHECK(dev_id, queue_id, -EINVAL);
	return svart_accel_fp_objs[dev_id].submit(svart_accel_fp_queue(dev_id, queue_id));
}

/**
 * Reap up to nb_cpls completed ops, in order, stopping before the first op
 * that failed. When an op failed, *has_error is set and the failed op stays
 * to be read with svart_accel_completed_status().
 *
 * @param dev_id
 *   Device id of a started device.
 * @param queue_id
 *   Queue index.
 * @param nb_cpls
 *   Most ops to reap.
 * @param last_idx
 *   Set to the ring index of the last op reaped (unchanged if none); may be NULL.
 * @param has_error
 *   Set to true when reaping stopped at a failed op; may be NULL.
 * @return number of ops reaped (0 also when, with SVART_ACCEL_DEBUG, the
 *   device or queue is invalid).
 */
static inline uint16_t
svart_accel_completed(int16_t dev_id, uint16_t queue_id, uint16_t nb_cpls, uint16_t *last_idx,
		      bool *has_error)
{
	SVART_ACCEL_FP_CHECK(dev_id, queue_id, 0);
	return svart_accel_fp_objs[dev_id].completed(svart_accel_fp_queue(dev_id, queue_id),
						     nb_cpls, last_idx, has_error);
}

/**
 * Reap up to nb_cpls completed ops, in order, with the outcome and result of
 * each, failed ones included.
 *
 * @param dev_id
 *   Device id of a started device.
 * @param queue_id
 *   Queue index.
 * @param nb_cpls
 *   Most ops to reap.
 * @param last_idx
 *   Set to the ring index of the last op reaped (unchanged if none); may be NULL.
 * @param res
 *   Array of at least nb_cpls results.
 * @return number of ops reaped (entries written to res; 0 also when, with
 *   SVART_ACCEL_DEBUG, the device or queue is invalid).
 */
static inline uint16_t
svart_accel_completed_status(int16_t dev_id, uint16_t queue_id, uint16_t nb_cpls,
			     uint16_t *last_idx, struct svart_accel_result *res)
{
	SVART_ACCEL_FP_CHECK(dev_id, queue_id, 0);
	return svart_accel_fp_objs[dev_id].completed_status(svart_accel_fp_queue(dev_id, queue_id),
							    nb_cpls, last_idx, res);
}

/**
 * Free ring slots of a queue.
 *
 * @param dev_id
 *   Device id of a started device.
 * @param queue_id
 *   Queue index.
 * @return how many ops can be enqueued right now (0 also when, with
 *   SVART_ACCEL_DEBUG, the device or queue is invalid).
 */
static inline uint16_t
svart_accel_burst_capacity(int16_t dev_id, uint16_t queue_id)
{
	SVART_ACCEL_FP_CHECK(dev_id, queue_id, 0);
	return svart_accel_fp_objs[dev_id].burst_capacity(svart_accel_fp_queue(dev_id, queue_id));
}

#ifdef __cplusplus
}
#endif

#endif /* SVART_ACCEL_FP_H */
