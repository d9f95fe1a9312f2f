/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_SVA_H
#define SVART_SVA_H

/**
 * @file
 * Shared virtual addressing: binding the process's address space to a
 * device under a PASID.
 *
 * Model:
 *  - A binding is per (process, device): it covers every queue of the device,
 *    including queues set up after the bind. Every descriptor the device's
 *    queues build carries the binding's PASID.
 *  - Binding is done while the device is stopped. Starting an SVA device that
 *    is not bound binds it implicitly; that binding ends at close.
 *  - A device that cannot do SVA answers -ENOTSUP.
 *  - PASIDs come from one process-wide allocator (lowest free number first).
 *    A PASID is never handed out again while the device may still hold work
 *    or a page request for it: an unbind either happens on a stopped (hence
 *    drained) device and frees the PASID at once, or, with
 *    SVART_SVA_UNBIND_NOWAIT, removes the PASID from the device at once (its
 *    outstanding page requests are dropped and answered Invalid to the
 *    device) and keeps the number in quarantine until the device reports it
 *    drained. A page request is therefore never answered for a later owner of
 *    the same PASID number.
 *  - After fork(), the child cannot use the parent's devices, queues or
 *    PASIDs: control calls return -EPERM and submissions return -EPERM.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Unbind without waiting for the device to drain; the PASID is quarantined. */
#define SVART_SVA_UNBIND_NOWAIT (1u << 0)

/**
 * Bind the calling process's address space to a device.
 *
 * @param dev_id
 *   Device id of a stopped device.
 * @param pasid
 *   Set to the PASID (may be NULL).
 * @return
 *   0 on success, or:
 *   - -ENODEV: dev_id is not a probed device.
 *   - -ENOTSUP: the device cannot do shared virtual addressing.
 *   - -EBUSY: the device is started.
 *   - -EEXIST: the device is already bound (*pasid is set to its PASID).
 *   - -ENOSPC: no PASID is free (all in use or in quarantine).
 *   - -EPERM: the device belongs to the parent of this (forked) process.
 *   - any negative errno from the driver (its info_get or its bind).
 */
int svart_sva_bind(int16_t dev_id, uint32_t *pasid);

/**
 * Unbind the process from a device.
 *
 * @param dev_id
 *   Device id.
 * @param flags
 *   0 or SVART_SVA_UNBIND_NOWAIT.
 * @return
 *   0 on success, or:
 *   - -ENODEV: dev_id is not a probed device.
 *   - -ENOENT: the device is not bound.
 *   - -EBUSY: flags is 0 and the device is started (stop it: stopping drains).
 *   - -EINVAL: unknown flags.
 *   - -EPERM: forked child.
 *   - any negative errno from the driver's unbind; the binding is removed
 *     and its PASID freed (or quarantined with SVART_SVA_UNBIND_NOWAIT) anyway.
 */
int svart_sva_unbind(int16_t dev_id, unsigned int flags);

/**
 * PASID of a device's binding.
 *
 * @param dev_id
 *   Device id.
 * @return
 *   The PASID the device is bound with (>= 1), or:
 *   - -ENODEV: dev_id is not a probed device.
 *   - -ENOENT: the device is not bound.
 */
int svart_sva_pasid(int16_t dev_id);

/**
 * Tell the device that mappings in [addr, addr+len) changed (munmap, mremap,
 * madvise(MADV_DONTNEED), mprotect): its translation caches drop them.
 *
 * @param dev_id
 *   Device id.
 * @param addr
 *   Start of the changed range.
 * @param len
 *   Length of the range in bytes.
 * @return
 *   0 on success (also when the driver keeps no translation cache), or:
 *   - -ENODEV: dev_id is not a probed device.
 *   - -EPERM: the device belongs to the parent of this (forked) process.
 *   - -EINVAL: len is 0.
 *   - -ENOENT: the device is not bound.
 *   - any negative errno from the driver's invalidation.
 */
int svart_sva_invalidate(int16_t dev_id, const void *addr, size_t len);

/**
 * Make [addr, addr+len) usable by the device for the access, as the fault
 * service does for a page request: the pages are made present for the CPU
 * (read, or written when write is nonzero, without changing their contents)
 * and, where the runtime programs the IOMMU itself (VFIO + iommufd), mapped
 * for the device. Under the REPORT fault policy, call it for the faulting
 * address of a PAGE_FAULT result before submitting the rest of the op:
 * touching the page on the CPU alone is not enough there.
 *
 * @param dev_id
 *   Device id.
 * @param addr
 *   Start of the range.
 * @param len
 *   Length of the range in bytes.
 * @param write
 *   Nonzero when the device will write the range.
 * @return
 *   0 on success, or:
 *   - -ENODEV: dev_id is not a probed device.
 *   - -EPERM: the device belongs to the parent of this (forked) process.
 *   - -EINVAL: len is 0.
 *   - -ENOENT: the device is not bound.
 *   - -EFAULT: the range is not mapped with that access in this process.
 *   - -ENOMEM: the memory cannot be made present, or pinning it for the
 *     device would pass RLIMIT_MEMLOCK.
 *   - any other negative errno from the driver.
 */
int svart_sva_resolve(int16_t dev_id, const void *addr, size_t len, int write);

/**
 * Release quarantined PASIDs whose device has drained them.
 * @return the number of PASIDs still in quarantine.
 */
unsigned int svart_sva_quarantine_reap(void);

/**
 * Whether a PASID is in quarantine.
 *
 * @param pasid
 *   PASID number.
 * @return nonzero (true) if pasid is in quarantine, 0 otherwise.
 */
int svart_sva_pasid_quarantined(uint32_t pasid);

#ifdef __cplusplus
}
#endif

#endif /* SVART_SVA_H */
