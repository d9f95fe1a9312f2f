/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_IDXD_VFIO_IOAS_H
#define SVART_IDXD_VFIO_IOAS_H

/*
 * What the VFIO transport has mapped into its IOAS (IOVA == VA), as areas:
 * the kernel creates one area per IOMMU_IOAS_MAP and refuses an unmap that
 * cuts one (io_pagetable.c iopt_unmap_iova_range: -ENOENT), so the tracker
 * keeps the areas and always unmaps whole ones.
 *
 *  - queue areas: the PMD's descriptor rings and completion records, mapped
 *    for as long as the queue lives, mapped again after an unmap-all;
 *  - fault areas: pages the device faulted on (page requests, RESUME/REPORT
 *    resolutions), dropped when the process unmaps or discards them (the
 *    notifier, idxd_vfio_mm.h), on svart_sva_invalidate(), at unbind, and
 *    least recently mapped first when the pins would pass RLIMIT_MEMLOCK
 *    (the kernel charges them to the user: iommufd pages.c
 *    incr_user_locked_vm). A dropped page the device needs faults again.
 */

#include <stdbool.h>
#include <stdint.h>

struct vfio_ioas;

/** Counters of the tracker. */
struct vfio_ioas_stats {
	uint64_t maps, unmaps;       /**< IOMMU_IOAS_MAP / UNMAP calls */
	uint64_t evictions;          /**< fault areas dropped to stay under the pin limit */
	uint64_t notified;           /**< fault areas dropped because the process unmapped them */
	uint64_t unwatched;          /**< areas the notifier could not watch */
	uint64_t pinned;             /**< bytes pinned now */
	uint64_t limit;              /**< pin limit, bytes (UINT64_MAX: none) */
};

/**
 * @param name  for logs (the PCI address)
 * @param notify  keep the IOAS consistent with munmap/mremap/MADV_DONTNEED
 * @return NULL on failure (out of memory).
 */
struct vfio_ioas *vfio_ioas_create(int iommufd, uint32_t ioas_id, const char *name, bool notify);
void vfio_ioas_destroy(struct vfio_ioas *io);
/** Map [va, va+len) (widened to pages) for the device. queue: a queue area.
 *  @return 0, -ENOMEM (pin limit), -EFAULT (not mapped in the process), -errno. */
int vfio_ioas_map(struct vfio_ioas *io, uint64_t va, uint64_t len, bool write, bool queue);
/** Drop the fault areas meeting [va, va+len); queue: the queue area there too. */
int vfio_ioas_unmap(struct vfio_ioas *io, uint64_t va, uint64_t len, bool queue);
/** After an attach: map the queue areas again. 0 or -errno. */
int vfio_ioas_remap_queues(struct vfio_ioas *io);
/** Unmap everything (fault areas forgotten, queue areas kept for a remap). */
void vfio_ioas_clear(struct vfio_ioas *io);
/** The notifier's pending flag for the submit path (NULL without a notifier). */
const volatile uint32_t *vfio_ioas_fence(const struct vfio_ioas *io);
void vfio_ioas_stats_get(struct vfio_ioas *io, struct vfio_ioas_stats *s);

#endif /* SVART_IDXD_VFIO_IOAS_H */
