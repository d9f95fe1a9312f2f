/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_IDXD_VFIO_MM_H
#define SVART_IDXD_VFIO_MM_H

/*
 * A user-space MMU notifier for the VFIO transport: the process's munmap,
 * mremap and MADV_DONTNEED/MADV_REMOVE of ranges the IOAS maps are reported
 * through a userfaultfd (events UNMAP, REMAP, REMOVE): a reader thread queues
 * them, a handler thread calls back so that the IOAS drops those ranges.
 *
 * Ranges are registered in write-protect mode, which the runtime never arms:
 * CPU page faults in them are handled by the kernel as before (no page is
 * write-protected, MISSING mode is not used); only the events come to us.
 *
 * Ordering: the kernel holds the thread calling munmap/mremap/madvise until
 * the event is read (fs/userfaultfd.c userfaultfd_event_wait_completion),
 * and the read completes it. The reader raises `pending` before it reads; the
 * handler lowers it once the callbacks for what was read are done; submitters wait while it is raised
 * (vfio_mm_wait_idle), so a descriptor submitted after munmap returned never
 * uses a translation the munmap made stale.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_pause.h>

struct vfio_mm;

/** Called on the notifier thread for [start, end) that left the process. */
typedef void (*vfio_mm_cb_t)(void *ctx, uint64_t start, uint64_t end);

/** Start the notifier. @return NULL (errno set) when userfaultfd is unavailable. */
struct vfio_mm *vfio_mm_create(vfio_mm_cb_t cb, void *ctx);
/** Stop the thread, close the userfaultfd (registrations go with it). */
void vfio_mm_destroy(struct vfio_mm *mm);
/**
 * Watch [start, start+len) (page-aligned). A range already watched costs no
 * system call. @return 0, or -errno when the kernel refuses the range (a file
 * mapping, memory another userfaultfd watches): the range is then unwatched.
 */
int vfio_mm_watch(struct vfio_mm *mm, uint64_t start, uint64_t len);
/** The flag raised while events are being handled (read by submitters). */
const volatile uint32_t *vfio_mm_pending(const struct vfio_mm *mm);

/** Wait until no notifier event is being handled (submit path; cheap when idle). */
static inline void
vfio_mm_wait_idle(const volatile uint32_t *pending)
{
	/* Acquire: pairs with the notifier's release when it lowers the flag,
	 * so the IOAS unmaps it made are done before the descriptor goes out. */
	while (pending != NULL && __atomic_load_n(pending, __ATOMIC_ACQUIRE) != 0)
		rte_pause();
}

#endif /* SVART_IDXD_VFIO_MM_H */
