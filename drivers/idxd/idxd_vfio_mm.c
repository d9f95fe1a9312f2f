/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The user-space MMU notifier of the VFIO transport (see idxd_vfio_mm.h).
 *
 * Kernel facts it relies on (fs/userfaultfd.c, mm/mmap.c, mm/madvise.c,
 * mm/mremap.c):
 *  - munmap (and mmap MAP_FIXED over a range, and brk shrinking) of a
 *    registered VMA queues UFFD_EVENT_UNMAP after the unmap, and the caller
 *    waits until the event is read (userfaultfd_unmap_complete);
 *  - MADV_DONTNEED / MADV_REMOVE queue UFFD_EVENT_REMOVE before zapping and
 *    wait likewise (userfaultfd_remove);
 *  - mremap queues UFFD_EVENT_REMAP (mremap_userfaultfd_complete);
 *  - a VMA that moves keeps its registration; a fork without
 *    UFFD_FEATURE_EVENT_FORK drops it in the child (dup_userfaultfd);
 *  - UFFD_USER_MODE_ONLY lets an unprivileged process open a userfaultfd
 *    when vm.unprivileged_userfaultfd is 0 (Linux 5.11).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <fcntl.h>

#include <rte_spinlock.h>

#include "idxd_internal.h"
#include "idxd_vfio_mm.h"
#include "svart_uapi_uffd.h"

#define MM_MSGS 16                  /* events read at once */
#define MM_RANGES_INIT 64
#define MM_RING 4096u               /* ranges read and not yet handled (power of 2) */

struct mm_range {
	uint64_t start, end;
};

/* Two threads: the reader only reads events and queues their ranges; it
 * never allocates, frees or unmaps memory, because any of those can raise
 * an event on a watched range (glibc's free trims heaps with MADV_DONTNEED
 * or brk) and the kernel would then hold the reader until the reader itself
 * read it. The handler calls back (IOAS unmaps), and may raise events. */
struct vfio_mm {
	int uffd, stopfd, kickfd;
	pthread_t reader, handler;
	bool reader_up, handler_up;
	vfio_mm_cb_t cb;
	void *ctx;
	/* Events read or being read and not yet handled: submitters wait
	 * while it is not 0. */
	volatile uint32_t pending;
	/* Ranges from the reader to the handler (single producer, single
	 * consumer); on overflow the handler drops everything: flush_all counts
	 * the events that did not fit. */
	struct mm_range ring[MM_RING];
	uint32_t ring_head, ring_tail;
	volatile uint32_t flush_all;
	volatile uint32_t stop;
	volatile uint64_t gen;      /* bumped by the reader at every wake-up */
	uint64_t set_gen;           /* gen the watched set was built under */
	/* Watched ranges, sorted, disjoint, merged when adjacent. */
	rte_spinlock_t lock;
	struct mm_range *r;
	uint32_t n, cap;
};

/* Index of the first range whose end is above addr. Lock held. */
static uint32_t
mm_find(const struct vfio_mm *mm, uint64_t addr)
{
	uint32_t lo = 0, hi = mm->n;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (mm->r[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool
mm_covered(const struct vfio_mm *mm, uint64_t start, uint64_t end)
{
	uint32_t i = mm_find(mm, start);

	return i < mm->n && mm->r[i].start <= start && mm->r[i].end >= end;
}

/* Add [start, end) to the set, merging. Lock held. */
static int
mm_add(struct vfio_mm *mm, uint64_t start, uint64_t end)
{
	uint32_t i = mm_find(mm, start), j = i;

	/* Ranges touching or overlapping [start, end) fold into it. */
	if (i > 0 && mm->r[i - 1].end == start)
		i--;
	while (j < mm->n && mm->r[j].start <= end)
		j++;
	if (i < j) {
		start = RTE_MIN(start, mm->r[i].start);
		end = RTE_MAX(end, mm->r[j - 1].end);
	}
	if (i == j && mm->n == mm->cap) {
		uint32_t cap = mm->cap ? 2 * mm->cap : MM_RANGES_INIT;
		struct mm_range *t = realloc(mm->r, cap * sizeof(*t));

		if (t == NULL)
			return -ENOMEM;
		mm->r = t;
		mm->cap = cap;
	}
	if (i == j) {
		memmove(&mm->r[i + 1], &mm->r[i], (mm->n - i) * sizeof(*mm->r));
		mm->n++;
	} else if (j - i > 1) {
		memmove(&mm->r[i + 1], &mm->r[j], (mm->n - j) * sizeof(*mm->r));
		mm->n -= j - i - 1;
	}
	mm->r[i].start = start;
	mm->r[i].end = end;
	return 0;
}

/* Reader: the range an event removes from the process, whether its
 * VMA went (munmap, mremap) or only its pages (MADV_DONTNEED/REMOVE):
 * either way the IOAS must drop it. */
static bool
mm_event_range(const struct svart_uffd_msg *m, struct mm_range *r)
{
	switch (m->event) {
	case SVART_UFFD_EVENT_UNMAP:
		r->start = m->arg.remove.start;
		r->end = m->arg.remove.end;
		return true;
	case SVART_UFFD_EVENT_REMOVE:
		/* The VMA stays (and stays registered); its pages go. */
		r->start = m->arg.remove.start;
		r->end = m->arg.remove.end;
		return true;
	case SVART_UFFD_EVENT_REMAP:
		/* The VMA moved with its registration: the old range is gone,
		 * the new one is watched but nothing of it is in the IOAS. */
		r->start = m->arg.remap.from;
		r->end = m->arg.remap.from + m->arg.remap.len;
		return true;
	default:
		return false;
	}
}

/* Reader: queue one range for the handler; pending counts it. */
static void
mm_queue(struct vfio_mm *mm, const struct mm_range *r)
{
	uint32_t head = mm->ring_head;

	__atomic_fetch_add(&mm->pending, 1, __ATOMIC_SEQ_CST);
	if (head - __atomic_load_n(&mm->ring_tail, __ATOMIC_ACQUIRE) == MM_RING) {
		/* Full: the handler drops every fault area instead (it may be
		 * held by an event of its own that this read just released).
		 * The event stays counted in pending until that flush is done. */
		__atomic_fetch_add(&mm->flush_all, 1, __ATOMIC_RELEASE);
		return;
	}
	mm->ring[head % MM_RING] = *r;
	/* Release: the range is written before the handler sees the new head. */
	__atomic_store_n(&mm->ring_head, head + 1, __ATOMIC_RELEASE);
}

static void *
mm_reader(void *arg)
{
	struct vfio_mm *mm = arg;
	struct pollfd pfd[2] = { { .fd = mm->uffd, .events = POLLIN },
				 { .fd = mm->stopfd, .events = POLLIN } };
	const uint64_t one = 1;

	for (;;) {
		struct svart_uffd_msg msg[MM_MSGS];
		ssize_t got;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		/* Raised before the read: reading completes the event and lets
		 * the munmap caller return; by then submitters must wait.
		 * SEQ_CST: visible before the read wakes that thread. */
		__atomic_fetch_add(&mm->pending, 1, __ATOMIC_SEQ_CST);
		/* The watched set may now name ranges that left (munmap,
		 * mremap): vfio_mm_watch starts it afresh. Bumped before the
		 * read, so a watch after munmap returned sees it. */
		__atomic_fetch_add(&mm->gen, 1, __ATOMIC_SEQ_CST);
		while ((got = read(mm->uffd, msg, sizeof(msg))) > 0) {
			for (size_t k = 0; k < (size_t)got / sizeof(msg[0]); k++) {
				struct mm_range r;

				if (mm_event_range(&msg[k], &r))
					mm_queue(mm, &r);
			}
		}
		__atomic_fetch_sub(&mm->pending, 1, __ATOMIC_RELEASE);
		if (write(mm->kickfd, &one, sizeof(one)) != sizeof(one))
			break;
	}
	return NULL;
}

static void *
mm_handler(void *arg)
{
	struct vfio_mm *mm = arg;
	uint64_t kicks;

	while (read(mm->kickfd, &kicks, sizeof(kicks)) == sizeof(kicks)) {
		uint32_t tail = mm->ring_tail, lost;

		if (__atomic_load_n(&mm->stop, __ATOMIC_ACQUIRE))
			break;
		lost = __atomic_exchange_n(&mm->flush_all, 0, __ATOMIC_ACQUIRE);

		if (lost != 0) {
			mm->cb(mm->ctx, 0, UINT64_MAX);
			/* Release: the flush is done before waiting submitters go. */
			__atomic_fetch_sub(&mm->pending, lost, __ATOMIC_RELEASE);
		}
		/* Acquire: pairs with the reader's release of ring_head. */
		while (tail != __atomic_load_n(&mm->ring_head, __ATOMIC_ACQUIRE)) {
			struct mm_range r = mm->ring[tail % MM_RING];

			mm->cb(mm->ctx, r.start, r.end);
			/* Release: the slot is free only after it was read. */
			__atomic_store_n(&mm->ring_tail, ++tail, __ATOMIC_RELEASE);
			/* Release: the callback's IOAS unmap is done before a
			 * waiting submitter proceeds. */
			__atomic_fetch_sub(&mm->pending, 1, __ATOMIC_RELEASE);
		}
	}
	return NULL;
}

struct vfio_mm *
vfio_mm_create(vfio_mm_cb_t cb, void *ctx)
{
	struct vfio_mm *mm = calloc(1, sizeof(*mm));
	struct svart_uffdio_api api = {
		.api = SVART_UFFD_API,
		.features = SVART_UFFD_FEATURE_EVENT_UNMAP | SVART_UFFD_FEATURE_EVENT_REMOVE |
			    SVART_UFFD_FEATURE_EVENT_REMAP,
	};
	int err;

	if (mm == NULL)
		return NULL;
	mm->cb = cb;
	mm->ctx = ctx;
	mm->stopfd = mm->kickfd = -1;
	rte_spinlock_init(&mm->lock);
	mm->uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | SVART_UFFD_USER_MODE_ONLY);
	if (mm->uffd < 0)
		mm->uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (mm->uffd < 0 || ioctl(mm->uffd, SVART_UFFDIO_API, &api) != 0)
		goto fail;
	mm->stopfd = eventfd(0, EFD_CLOEXEC);
	mm->kickfd = eventfd(0, EFD_CLOEXEC);
	if (mm->stopfd < 0 || mm->kickfd < 0)
		goto fail;
	/* Plain threads: DPDK's control-thread start frees its arguments on the
	 * new thread, which the reader must never do (see struct vfio_mm). */
	err = pthread_create(&mm->handler, NULL, mm_handler, mm);
	if (err != 0) {
		errno = err;
		goto fail;
	}
	mm->handler_up = true;
	err = pthread_create(&mm->reader, NULL, mm_reader, mm);
	if (err != 0) {
		errno = err;
		goto fail;
	}
	mm->reader_up = true;
	pthread_setname_np(mm->reader, "svart-mm-read");
	pthread_setname_np(mm->handler, "svart-mm-unmap");
	return mm;
fail:
	err = errno;
	vfio_mm_destroy(mm);
	errno = err;
	return NULL;
}

void
vfio_mm_destroy(struct vfio_mm *mm)
{
	if (mm == NULL)
		return;
	const uint64_t one = 1;

	if (mm->reader_up && write(mm->stopfd, &one, sizeof(one)) == sizeof(one))
		pthread_join(mm->reader, NULL);
	__atomic_store_n(&mm->stop, 1, __ATOMIC_RELEASE);
	if (mm->handler_up && write(mm->kickfd, &one, sizeof(one)) == sizeof(one))
		pthread_join(mm->handler, NULL);
	if (mm->stopfd >= 0)
		close(mm->stopfd);
	if (mm->kickfd >= 0)
		close(mm->kickfd);
	if (mm->uffd >= 0)
		close(mm->uffd);
	free(mm->r);
	free(mm);
}

static int
mm_register(struct vfio_mm *mm, uint64_t start, uint64_t end)
{
	struct svart_uffdio_register reg = {
		.range = { .start = start, .len = end - start },
		.mode = SVART_UFFDIO_REGISTER_MODE_WP,
	};

	return ioctl(mm->uffd, SVART_UFFDIO_REGISTER, &reg) == 0 ? 0 : -errno;
}

int
vfio_mm_watch(struct vfio_mm *mm, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	int rc = 0;

	rte_spinlock_lock(&mm->lock);
	if (__atomic_load_n(&mm->gen, __ATOMIC_SEQ_CST) != mm->set_gen) {
		/* Some range left since the set was built: forget it (a range
		 * registered again costs a system call, one missed costs a
		 * stale pin). */
		mm->set_gen = __atomic_load_n(&mm->gen, __ATOMIC_SEQ_CST);
		mm->n = 0;
	}
	/* Exactly the range svart pins: watching more (a 2 MiB chunk, say)
	 * would bring events for memory that is not ours, such as heaps glibc
	 * trims. Adjacent registrations merge into one VMA again. */
	if (!mm_covered(mm, start, end)) {
		rc = mm_register(mm, start, end);
		if (rc == 0)
			rc = mm_add(mm, start, end);
	}
	rte_spinlock_unlock(&mm->lock);
	return rc;
}

const volatile uint32_t *
vfio_mm_pending(const struct vfio_mm *mm)
{
	return mm != NULL ? &mm->pending : NULL;
}
