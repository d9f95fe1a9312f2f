/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The VFIO transport's IOAS areas (see idxd_vfio_ioas.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <rte_common.h>
#include <pthread.h>

#include "idxd_internal.h"
#include "idxd_os.h"
#include "idxd_vfio_ioas.h"
#include "idxd_vfio_mm.h"
#include "svart_uapi_iommu.h"

#define IOAS_AREAS_INIT 64
/* Pins kept below RLIMIT_MEMLOCK by this much: the rest of the process
 * (DPDK, the application) may lock memory too. */
#define IOAS_LIMIT_MARGIN_DIV 8

struct ioas_area {
	uint64_t start, end;
	bool write;
	bool queue;
	bool mapped;          /* queue areas: in the IOAS now */
	uint64_t used;        /* fault areas: tick of the last map request */
};

struct vfio_ioas {
	int iommufd;
	uint32_t ioas_id;
	char name[32];
	pthread_mutex_t lock; /* held across ioctls: a mutex, not a spinlock */
	struct ioas_area *a;  /* sorted by start, disjoint */
	uint32_t n, cap;
	uint64_t tick;
	struct vfio_mm *mm;
	bool warned_watch, warned_limit;
	struct vfio_ioas_stats st;
};

static int
ioas_kmap(struct vfio_ioas *io, uint64_t start, uint64_t end, bool write)
{
	struct svart_iommu_ioas_map m = {
		.size = sizeof(m), .ioas_id = io->ioas_id, .user_va = start, .iova = start,
		.length = end - start,
		.flags = SVART_IOMMU_IOAS_MAP_FIXED_IOVA | SVART_IOMMU_IOAS_MAP_READABLE |
			 (write ? SVART_IOMMU_IOAS_MAP_WRITEABLE : 0),
	};

	io->st.maps++;
	return idxd_os->ioctl(io->iommufd, SVART_IOMMU_IOAS_MAP, &m);
}

static int
ioas_kunmap(struct vfio_ioas *io, uint64_t start, uint64_t end)
{
	struct svart_iommu_ioas_unmap um = { .size = sizeof(um), .ioas_id = io->ioas_id,
					     .iova = start, .length = end - start };
	int rc;

	io->st.unmaps++;
	rc = idxd_os->ioctl(io->iommufd, SVART_IOMMU_IOAS_UNMAP, &um);
	if (rc != 0)
		IDXD_LOG(ERR, "idxd_vfio %s: IOMMU_IOAS_UNMAP [0x%" PRIx64 ", 0x%" PRIx64 "): %s",
			 io->name, start, end, strerror(-rc));
	return rc;
}

/* First area whose end is above addr. Lock held. */
static uint32_t
ioas_find(const struct vfio_ioas *io, uint64_t addr)
{
	uint32_t lo = 0, hi = io->n;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (io->a[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
ioas_del(struct vfio_ioas *io, uint32_t i)
{
	memmove(&io->a[i], &io->a[i + 1], (io->n - i - 1) * sizeof(*io->a));
	io->n--;
}

/* Unmap fault area i and forget it. Lock held. */
static void
ioas_drop(struct vfio_ioas *io, uint32_t i)
{
	struct ioas_area *ar = &io->a[i];

	(void)ioas_kunmap(io, ar->start, ar->end);
	io->st.pinned -= ar->end - ar->start;
	ioas_del(io, i);
}

/* Drop the least recently used fault area outside [keep_s, keep_e).
 * Lock held. @return false when there is none. */
static bool
ioas_evict_one(struct vfio_ioas *io, uint64_t keep_s, uint64_t keep_e)
{
	uint32_t victim = io->n;

	for (uint32_t i = 0; i < io->n; i++) {
		const struct ioas_area *ar = &io->a[i];

		if (ar->queue || (ar->start < keep_e && ar->end > keep_s))
			continue;
		if (victim == io->n || ar->used < io->a[victim].used)
			victim = i;
	}
	if (victim == io->n)
		return false;
	ioas_drop(io, victim);
	io->st.evictions++;
	return true;
}

/* Drop least recently used fault areas outside [keep_s, keep_e) until need
 * more bytes fit under the limit. Lock held. @return true when they fit. */
static bool
ioas_make_room(struct vfio_ioas *io, uint64_t need, uint64_t keep_s, uint64_t keep_e)
{
	while (io->st.pinned + need > io->st.limit)
		if (!ioas_evict_one(io, keep_s, keep_e))
			return false;
	return true;
}

/* Insert an area at its sorted place. Lock held. */
static int
ioas_insert(struct vfio_ioas *io, const struct ioas_area *ar)
{
	uint32_t i = ioas_find(io, ar->start);

	if (io->n == io->cap) {
		uint32_t cap = io->cap ? 2 * io->cap : IOAS_AREAS_INIT;
		struct ioas_area *t = realloc(io->a, cap * sizeof(*t));

		if (t == NULL)
			return -ENOMEM;
		io->a = t;
		io->cap = cap;
	}
	memmove(&io->a[i + 1], &io->a[i], (io->n - i) * sizeof(*io->a));
	io->a[i] = *ar;
	io->n++;
	return 0;
}

/* Map the gap [s, e) as a new area. Lock held. */
static int
ioas_map_gap(struct vfio_ioas *io, uint64_t s, uint64_t e, bool write, bool queue,
	     uint64_t keep_s, uint64_t keep_e)
{
	struct ioas_area ar = { .start = s, .end = e, .write = true, .queue = queue,
				.mapped = true, .used = ++io->tick };
	int rc;

	if (!ioas_make_room(io, e - s, keep_s, keep_e)) {
		if (!io->warned_limit)
			IDXD_LOG(ERR, "idxd_vfio %s: %" PRIu64 " KiB more of pinned memory would pass "
				 "RLIMIT_MEMLOCK (%" PRIu64 " KiB usable): raise it (ulimit -l, "
				 "LimitMEMLOCK= in a systemd unit)", io->name, (e - s) >> 10,
				 io->st.limit >> 10);
		io->warned_limit = true;
		return -ENOMEM;
	}
	/* Writable when the process may write the pages, so that a later
	 * write needs no remap; a read fault on a read-only mapping pins
	 * read-only (pinning for write fails there: -EFAULT). */
	do {
		ar.write = true;
		rc = ioas_kmap(io, s, e, true);
		if (rc == -EFAULT && !write) {
			ar.write = false;
			rc = ioas_kmap(io, s, e, false);
		}
		/* The kernel charges pins to the user, across all of the user's
		 * processes and devices (iommufd pages.c incr_user_locked_vm:
		 * source_user->locked_vm), so it may refuse below this process's
		 * own budget: unpin what this process can spare, and try again. */
	} while (rc == -ENOMEM && ioas_evict_one(io, keep_s, keep_e));
	if (rc == -ENOMEM && !io->warned_limit) {
		IDXD_LOG(ERR, "idxd_vfio %s: the kernel refused to pin %" PRIu64 " KiB more "
			 "(RLIMIT_MEMLOCK): raise it (ulimit -l)", io->name, (e - s) >> 10);
		io->warned_limit = true;
	}
	if (rc != 0)
		return rc;
	io->st.pinned += e - s;
	rc = ioas_insert(io, &ar);
	if (rc != 0)
		(void)ioas_kunmap(io, s, e);
	return rc;
}

/* Watch [s, e) for munmap/mremap/MADV_DONTNEED before it is pinned, so no
 * event can fall between the pin and the watch. Lock held. */
static void
ioas_watch(struct vfio_ioas *io, uint64_t s, uint64_t e)
{
	int rc;

	if (io->mm == NULL)
		return;
	rc = vfio_mm_watch(io->mm, s, e - s);
	if (rc == 0)
		return;
	io->st.unwatched++;
	if (!io->warned_watch)
		IDXD_LOG(WARNING, "idxd_vfio %s: memory at 0x%" PRIx64 " cannot be watched for "
			 "munmap/mremap/MADV_DONTNEED (%s: a file mapping, or another userfaultfd "
			 "watches it): call svart_sva_invalidate() after changing its mapping",
			 io->name, s, strerror(-rc));
	io->warned_watch = true;
}

int
vfio_ioas_map(struct vfio_ioas *io, uint64_t va, uint64_t len, bool write, bool queue)
{
	uint64_t s = RTE_ALIGN_FLOOR(va, (uint64_t)IDXD_PAGE_SIZE);
	uint64_t e = RTE_ALIGN_CEIL(va + len, (uint64_t)IDXD_PAGE_SIZE);
	uint64_t cur = s;
	int rc = 0;

	if (len == 0 || e <= s)
		return -EINVAL;
	pthread_mutex_lock(&io->lock);
	if (!queue)
		ioas_watch(io, s, e);
	while (cur < e && rc == 0) {
		uint32_t i = ioas_find(io, cur);
		struct ioas_area *ar = i < io->n ? &io->a[i] : NULL;

		if (ar == NULL || ar->start >= e) {
			rc = ioas_map_gap(io, cur, e, write, queue, s, e);
			break;
		}
		if (ar->start > cur) {
			uint64_t next = ar->start; /* the gap's map may move the table */

			rc = ioas_map_gap(io, cur, next, write, queue, s, e);
			cur = next;
			continue;
		}
		/* An area covers cur. A queue area takes over fault areas (pages
		 * freed by the application and reused for a ring); a write needs
		 * a writable area. Else it serves. */
		if (!ar->queue && (queue || (write && !ar->write))) {
			ioas_drop(io, i);
			continue;
		}
		if (ar->queue && !queue && !ar->mapped) {
			rc = -ENOENT; /* a queue area waiting for its remap */
			break;
		}
		ar->used = ++io->tick;
		cur = ar->end;
	}
	pthread_mutex_unlock(&io->lock);
	return rc;
}

int
vfio_ioas_unmap(struct vfio_ioas *io, uint64_t va, uint64_t len, bool queue)
{
	uint64_t s = RTE_ALIGN_FLOOR(va, (uint64_t)IDXD_PAGE_SIZE);
	uint64_t e = RTE_ALIGN_CEIL(va + len, (uint64_t)IDXD_PAGE_SIZE);
	uint32_t i;

	pthread_mutex_lock(&io->lock);
	i = ioas_find(io, s);
	while (i < io->n && io->a[i].start < e) {
		struct ioas_area *ar = &io->a[i];

		if (!ar->queue) {
			ioas_drop(io, i);
			continue;
		}
		if (!queue) {
			i++;
			continue;
		}
		if (ar->mapped) {
			(void)ioas_kunmap(io, ar->start, ar->end);
			io->st.pinned -= ar->end - ar->start;
		}
		ioas_del(io, i);
	}
	pthread_mutex_unlock(&io->lock);
	return 0;
}

int
vfio_ioas_remap_queues(struct vfio_ioas *io)
{
	int rc = 0;

	pthread_mutex_lock(&io->lock);
	for (uint32_t i = 0; i < io->n && rc == 0; i++) {
		struct ioas_area *ar = &io->a[i];

		if (!ar->queue || ar->mapped)
			continue;
		rc = ioas_kmap(io, ar->start, ar->end, true);
		if (rc == 0) {
			ar->mapped = true;
			io->st.pinned += ar->end - ar->start;
		}
	}
	pthread_mutex_unlock(&io->lock);
	return rc;
}

void
vfio_ioas_clear(struct vfio_ioas *io)
{
	struct svart_iommu_ioas_unmap um = { .size = sizeof(um), .ioas_id = io->ioas_id,
					     .iova = 0, .length = UINT64_MAX };
	uint32_t k = 0;

	pthread_mutex_lock(&io->lock);
	io->st.unmaps++;
	(void)idxd_os->ioctl(io->iommufd, SVART_IOMMU_IOAS_UNMAP, &um);
	for (uint32_t i = 0; i < io->n; i++) {
		if (!io->a[i].queue)
			continue;
		io->a[k] = io->a[i];
		io->a[k++].mapped = false;
	}
	io->n = k;
	io->st.pinned = 0;
	pthread_mutex_unlock(&io->lock);
}

/* The notifier: [start, end) left the process. */
static void
ioas_notified(void *ctx, uint64_t start, uint64_t end)
{
	struct vfio_ioas *io = ctx;
	uint32_t i;

	pthread_mutex_lock(&io->lock);
	i = ioas_find(io, start);
	while (i < io->n && io->a[i].start < end) {
		if (io->a[i].queue) {
			IDXD_LOG(ERR, "idxd_vfio %s: queue memory at 0x%" PRIx64 " was unmapped "
				 "while the queue lives", io->name, io->a[i].start);
			i++;
			continue;
		}
		ioas_drop(io, i);
		io->st.notified++;
	}
	pthread_mutex_unlock(&io->lock);
}

struct vfio_ioas *
vfio_ioas_create(int iommufd, uint32_t ioas_id, const char *name, bool notify)
{
	struct vfio_ioas *io = calloc(1, sizeof(*io));
	struct rlimit rl;

	if (io == NULL)
		return NULL;
	io->iommufd = iommufd;
	io->ioas_id = ioas_id;
	snprintf(io->name, sizeof(io->name), "%s", name);
	pthread_mutex_init(&io->lock, NULL);
	io->st.limit = UINT64_MAX;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		io->st.limit = (uint64_t)rl.rlim_cur - (uint64_t)rl.rlim_cur / IOAS_LIMIT_MARGIN_DIV;
	if (notify) {
		io->mm = vfio_mm_create(ioas_notified, io);
		if (io->mm == NULL)
			IDXD_LOG(WARNING, "idxd_vfio %s: no userfaultfd (%s): the IOAS keeps pages "
				 "the process unmaps; call svart_sva_invalidate() after munmap, "
				 "mremap or MADV_DONTNEED of memory the device used (or allow "
				 "userfaultfd: vm.unprivileged_userfaultfd, container seccomp)",
				 io->name, strerror(errno));
	}
	return io;
}

void
vfio_ioas_destroy(struct vfio_ioas *io)
{
	if (io == NULL)
		return;
	vfio_mm_destroy(io->mm);
	pthread_mutex_destroy(&io->lock);
	free(io->a);
	free(io);
}

const volatile uint32_t *
vfio_ioas_fence(const struct vfio_ioas *io)
{
	return vfio_mm_pending(io->mm);
}

void
vfio_ioas_stats_get(struct vfio_ioas *io, struct vfio_ioas_stats *s)
{
	pthread_mutex_lock(&io->lock);
	*s = io->st;
	pthread_mutex_unlock(&io->lock);
}
