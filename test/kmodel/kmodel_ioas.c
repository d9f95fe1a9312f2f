/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Kernel model: IOAS allocation, map and unmap (drivers/iommu/iommufd/ioas.c,
 * io_pagetable.c), page pinning and its accounting (pages.c), and the
 * device's translation through the IOAS attached to a PASID, with stale pin
 * detection. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kmodel_internal.h"

#define KM_PM_PRESENT (1ull << 63)
#define KM_PM_PFN_MASK ((1ull << 55) - 1)
#define KM_MAPS_LINE 512

/* IOMMU_IOAS_ALLOC (ioas.c iommufd_ioas_alloc_ioctl): flags must be 0. */
int
km_ioas_alloc(int ctx, void *arg)
{
	struct svart_iommu_ioas_alloc *a = arg;
	uint32_t id;
	int rc;

	if (a->flags != 0)
		return -EOPNOTSUPP;
	rc = km_obj_new(ctx, KM_OBJ_IOAS, &id);
	if (rc == 0)
		a->out_ioas_id = id;
	return rc;
}

/* The pagemap entry of the page at va (0 when unreadable). */
static uint64_t
pm_entry(uint64_t va)
{
	uint64_t e = 0;

	if (pread(km.pagemap_fd, &e, sizeof(e), (off_t)(va / KM_PAGE * sizeof(e))) != sizeof(e))
		return 0;
	return e;
}

static uint64_t
pm_identity(uint64_t va)
{
	uint64_t e = pm_entry(va);

	if (!(e & KM_PM_PRESENT))
		return 0;
	return (e & KM_PM_PFN_MASK) != 0 ? (e & KM_PM_PFN_MASK) : KM_PFN_PRESENT;
}

/* Whether every page of [va, va+len) lies in a mapping that allows the pin
 * (mm/gup.c check_vma_flags: FOLL_WRITE needs VM_WRITE, a read VM_READ;
 * otherwise -EFAULT, as for an address no VMA covers). *anon_priv tells
 * whether all of it is private, writable, anonymous memory. */
static int
vma_check(uint64_t va, uint64_t len, bool write, bool *anon_priv)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[KM_MAPS_LINE];
	uint64_t at = va, end = va + len;

	if (f == NULL)
		return -errno;
	*anon_priv = true;
	while (at < end && fgets(line, sizeof(line), f) != NULL) {
		unsigned long long s, e, ino = 0;
		char perm[8] = "";
		unsigned long long offs;
		char devs[16];

		if (sscanf(line, "%llx-%llx %7s %llx %15s %llu", &s, &e, perm, &offs, devs, &ino) < 3)
			continue;
		if (e <= at)
			continue;
		if (s > at)
			break;          /* a hole */
		if (perm[0] != 'r' || (write && perm[1] != 'w'))
			break;
		if (ino != 0 || perm[1] != 'w' || perm[3] != 'p' || strchr(line, '/') != NULL)
			*anon_priv = false;
		at = e;
	}
	fclose(f);
	return at >= end ? 0 : -EFAULT;
}

/* Pin the area's pages (pages.c pfn_reader / pin_user_pages with
 * FOLL_LONGTERM, FOLL_WRITE when writable): the pages are faulted in, as
 * pinning does (MADV_POPULATE_*), and counted against the locked-memory
 * limit (incr_user_locked_vm: -ENOMEM beyond RLIMIT_MEMLOCK). A read-only
 * long-term pin of private anonymous memory gets an exclusive page, never
 * the shared zero page (gup_must_unshare): populated for write. */
static int
area_pin(struct km_area *a)
{
	uint64_t n = a->len / KM_PAGE;
	bool anon_priv;
	int rc, adv;

	if (a->pinned)
		return 0;
	rc = vma_check(a->uva, a->len, a->w, &anon_priv);
	if (rc != 0)
		return rc;
	if (km.pinned + n > km.pin_limit || km.pinned + n < km.pinned)
		return -ENOMEM;
	adv = a->w || anon_priv ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
	if (madvise((void *)(uintptr_t)a->uva, a->len, adv) != 0)
		return errno == ENOMEM ? -ENOMEM : -EFAULT;
	a->pfn = calloc(n, sizeof(*a->pfn));
	a->gone = calloc(n, sizeof(*a->gone));
	if (a->pfn == NULL || a->gone == NULL) {
		free(a->pfn);
		free(a->gone);
		a->pfn = NULL;
		a->gone = NULL;
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < n; i++)
		a->pfn[i] = pm_identity(a->uva + i * KM_PAGE);
	a->pinned = true;
	km.pinned += n;
	return 0;
}

static void
area_unpin(struct km_area *a)
{
	if (a->pinned)
		km.pinned -= a->len / KM_PAGE;
	a->pinned = false;
	free(a->pfn);
	free(a->gone);
	a->pfn = NULL;
	a->gone = NULL;
}

/* iopt_table_add_domain -> iopt_fill_domain: a new page table on the IOAS
 * gets every area, pinning what was not pinned yet. */
int
km_ioas_pin_all(struct km_ioas *io)
{
	for (uint32_t i = 0; i < io->n; i++) {
		int rc = area_pin(&io->a[i]);

		if (rc != 0)
			return rc;
	}
	return 0;
}

void
km_ioas_free(struct km_ioas *io)
{
	for (uint32_t i = 0; i < io->n; i++)
		area_unpin(&io->a[i]);
	free(io->a);
	memset(io, 0, sizeof(*io));
	km_flush_later();
}

/* Whether any HWPT (a domain) sits on the IOAS: only then are pages pinned
 * at map time (iopt_map_pages -> iopt_fill_domains_pages). */
static bool
ioas_has_domain(const struct km_obj *o)
{
	return o->users > 0;
}

/* IOMMU_IOAS_MAP (ioas.c iommufd_ioas_map, io_pagetable.c iopt_map_user_pages,
 * iopt_check_iova, iopt_alloc_area_pages). */
int
km_ioas_map(int ctx, void *arg)
{
	struct svart_iommu_ioas_map *m = arg;
	const uint32_t known = SVART_IOMMU_IOAS_MAP_FIXED_IOVA | SVART_IOMMU_IOAS_MAP_WRITEABLE |
			       SVART_IOMMU_IOAS_MAP_READABLE;
	struct km_obj *o;
	struct km_ioas *io;
	struct km_area a;
	uint64_t last;
	int rc;

	if ((m->flags & ~known) != 0 || m->reserved != 0)
		return -EOPNOTSUPP;
	if (m->iova == UINT64_MAX || m->length == UINT64_MAX)
		return -EOVERFLOW;     /* >= ULONG_MAX */
	if (!(m->flags & (SVART_IOMMU_IOAS_MAP_WRITEABLE | SVART_IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	o = km_obj_get(ctx, m->ioas_id, KM_OBJ_IOAS);
	if (o == NULL)
		return -ENOENT;
	if (!(m->flags & SVART_IOMMU_IOAS_MAP_FIXED_IOVA)) {
		KM_LOG("IOAS_MAP without FIXED_IOVA (kernel-chosen IOVA) is not modelled");
		return -EOPNOTSUPP;
	}
	/* A zero length or one off the page (iopt_alloc_area_pages), an IOVA
	 * off the page (iopt_check_iova), a user address whose offset in its
	 * page is not the IOVA's (iopt_insert_area: page_offset against
	 * iova_alignment, the page size here). */
	if (m->length == 0 || (m->iova & KM_PAGE_MASK) || (m->length & KM_PAGE_MASK) ||
	    (m->user_va & KM_PAGE_MASK))
		return -EINVAL;
	if (__builtin_add_overflow(m->iova, m->length - 1, &last) ||
	    m->user_va + m->length < m->user_va)
		return -EOVERFLOW;
	io = &o->ioas;
	for (uint32_t i = 0; i < io->n; i++)
		if (io->a[i].iova <= last && m->iova <= io->a[i].iova + io->a[i].len - 1)
			return -EEXIST;  /* iopt_check_iova: iopt_area_iter_first */
	memset(&a, 0, sizeof(a));
	a.iova = m->iova;
	a.len = m->length;
	a.uva = m->user_va;
	a.r = (m->flags & SVART_IOMMU_IOAS_MAP_READABLE) != 0;
	a.w = (m->flags & SVART_IOMMU_IOAS_MAP_WRITEABLE) != 0;
	if (ioas_has_domain(o)) {
		rc = area_pin(&a);
		if (rc != 0)
			return rc;
	}
	if (io->n == io->cap) {
		uint32_t cap = io->cap ? 2 * io->cap : 16;
		struct km_area *t = realloc(io->a, cap * sizeof(*t));

		if (t == NULL) {
			area_unpin(&a);
			return -ENOMEM;
		}
		io->a = t;
		io->cap = cap;
	}
	io->a[io->n++] = a;
	km.st.maps++;
	km.st.map_writeable += a.w;
	return 0;
}

/* io_pagetable.c iopt_unmap_iova_range: every area meeting [start, last] is
 * unmapped whole; one that sticks out (area_first < start || area_last >
 * last) stops it with -ENOENT (areas before it stay unmapped); nothing met
 * is -ENOENT. Unmapping invalidates the IOTLB and the device's ATC
 * (iommu_unmap + iotlb sync). */
static int
unmap_range(struct km_ioas *io, uint64_t start, uint64_t last, uint64_t *unmapped)
{
	int rc = -ENOENT;
	bool any = false;

	*unmapped = 0;
	for (;;) {
		uint32_t k = io->n;

		for (uint32_t i = 0; i < io->n; i++)
			if (io->a[i].iova <= last && start <= io->a[i].iova + io->a[i].len - 1 &&
			    (k == io->n || io->a[i].iova < io->a[k].iova))
				k = i;
		if (k == io->n)
			break;
		if (io->a[k].iova < start || io->a[k].iova + io->a[k].len - 1 > last) {
			rc = -ENOENT;
			any = false;
			break;
		}
		*unmapped += io->a[k].len;
		area_unpin(&io->a[k]);
		io->a[k] = io->a[--io->n];
		any = true;
	}
	if (*unmapped > 0)
		km_flush_later();
	return any ? 0 : rc;
}

/* IOMMU_IOAS_UNMAP (ioas.c iommufd_ioas_unmap): iova 0 with length
 * UINT64_MAX unmaps everything (iopt_unmap_all: 0 even when empty);
 * otherwise a zero length is -EINVAL, past ULONG_MAX -EOVERFLOW. */
int
km_ioas_unmap(int ctx, void *arg)
{
	struct svart_iommu_ioas_unmap *u = arg;
	struct km_obj *o = km_obj_get(ctx, u->ioas_id, KM_OBJ_IOAS);
	uint64_t unmapped = 0, last;
	int rc;

	if (o == NULL)
		return -ENOENT;
	if (u->iova == 0 && u->length == UINT64_MAX) {
		rc = unmap_range(&o->ioas, 0, UINT64_MAX, &unmapped);
		if (rc == -ENOENT)
			rc = 0;
	} else {
		if (u->iova == UINT64_MAX || u->length == UINT64_MAX)
			return -EOVERFLOW;
		if (u->length == 0)
			return -EINVAL;
		if (__builtin_add_overflow(u->iova, u->length - 1, &last))
			return -EOVERFLOW;
		rc = unmap_range(&o->ioas, u->iova, last, &unmapped);
	}
	if (rc == 0) {
		u->length = unmapped;
		km.st.unmaps++;
	}
	return rc;
}

struct km_ioas *
km_pasid_ioas(uint32_t pasid)
{
	struct km_obj *h, *o;

	if (km.dev_ctx < 0)
		return NULL;
	for (unsigned int i = 0; i < KM_MAX_PASID; i++) {
		if (!km.pasid[i].used || km.pasid[i].pasid != pasid)
			continue;
		h = km_obj_get(km.dev_ctx, km.pasid[i].hwpt_id, KM_OBJ_HWPT);
		o = h != NULL ? km_obj_get(km.dev_ctx, h->hwpt.ioas_id, KM_OBJ_IOAS) : NULL;
		return o != NULL ? &o->ioas : NULL;
	}
	return NULL;
}

static const struct km_area *
area_at(const struct km_ioas *io, uint64_t iova)
{
	for (uint32_t i = 0; i < io->n; i++)
		if (iova >= io->a[i].iova && iova - io->a[i].iova < io->a[i].len)
			return &io->a[i];
	return NULL;
}

static bool
same_page(uint64_t was, uint64_t now)
{
	return now != 0 && (was == KM_PFN_PRESENT || now == KM_PFN_PRESENT || now == was);
}

#define KM_REVAL_BATCH 64u

/* Before each descriptor (the emulated IOMMU's revalidation hook): has a page
 * of an IOAS attached to a PASID left the process since it was pinned? Then
 * the device's cached translations must go, so that its next access there
 * translates (and is counted stale): a real device would keep using the old
 * page through its ATC, which the emulator, working on virtual addresses,
 * cannot do. Each changed page is reported once. */
bool
km_revalidate(void *ctx)
{
	uint64_t pm[KM_REVAL_BATCH];
	bool changed = false;

	(void)ctx;
	pthread_mutex_lock(&km.lock);
	for (unsigned int i = 0; i < KM_MAX_PASID; i++) {
		struct km_ioas *io = km.pasid[i].used ? km_pasid_ioas(km.pasid[i].pasid) : NULL;

		for (uint32_t k = 0; io != NULL && k < io->n; k++) {
			struct km_area *a = &io->a[k];
			uint64_t n = a->len / KM_PAGE;

			for (uint64_t j = 0; a->pinned && j < n; j += KM_REVAL_BATCH) {
				uint64_t m = n - j < KM_REVAL_BATCH ? n - j : KM_REVAL_BATCH;
				ssize_t got = pread(km.pagemap_fd, pm, m * sizeof(pm[0]),
						    (off_t)((a->uva / KM_PAGE + j) * sizeof(pm[0])));

				for (uint64_t x = 0; x < m; x++) {
					uint64_t e = got >= (ssize_t)((x + 1) * sizeof(pm[0])) ? pm[x] : 0;
					uint64_t now = !(e & KM_PM_PRESENT) ? 0 :
						       (e & KM_PM_PFN_MASK) ? (e & KM_PM_PFN_MASK) : KM_PFN_PRESENT;

					if (!a->gone[j + x] && !same_page(a->pfn[j + x], now)) {
						a->gone[j + x] = true;
						changed = true;
					}
				}
			}
		}
	}
	pthread_mutex_unlock(&km.lock);
	return changed;
}

/* The device's translation (the emulated IOMMU's hook): the IOAS attached to
 * the PASID must map the page with the access. A mapped page whose CPU page
 * is no longer the one pinned at IOAS_MAP (munmap, mremap, MADV_DONTNEED, a
 * copy-on-write since) is where a real device would read and write the old
 * page the process no longer sees: counted, logged, and refused so the
 * emulator, which works on virtual addresses, touches nothing. */
bool
km_translate(void *ctx, uint32_t pasid, uint64_t va, bool write)
{
	const struct km_ioas *io;
	const struct km_area *a;
	bool ok = false;

	(void)ctx;
	pthread_mutex_lock(&km.lock);
	io = km_pasid_ioas(pasid);
	a = io != NULL ? area_at(io, va & ~KM_PAGE_MASK) : NULL;
	if (a != NULL && (write ? a->w : a->r) && a->pinned) {
		uint64_t va_cpu = a->uva + ((va & ~KM_PAGE_MASK) - a->iova);
		uint64_t idx = ((va & ~KM_PAGE_MASK) - a->iova) / KM_PAGE;
		uint64_t was = a->pfn[idx];
		uint64_t now = pm_identity(va_cpu);

		ok = !a->gone[idx] && same_page(was, now);
		a->gone[idx] = !ok;
		if (!ok) {
			if (km.st.stale++ < KM_LOG_MAX)
				KM_LOG("stale pin access: PASID %u %s IOVA %#llx, pinned page %#llx, "
				       "the process now has %s there: the IOAS was not kept in step "
				       "with munmap/mremap/MADV_DONTNEED", pasid, write ? "write" : "read",
				       (unsigned long long)va, (unsigned long long)was,
				       now == 0 ? "nothing" : "another page");
		}
	}
	if (ok)
		km.st.xlate_ok++;
	else
		km.st.xlate_fail++;
	if (!ok && getenv("KMODEL_DEBUG") != NULL)
		KM_LOG("PASID %u %s %#llx does not translate (%s)", pasid, write ? "write" : "read",
		       (unsigned long long)va, io == NULL ? "no IOAS attached" :
		       a == NULL ? "not in the IOAS" : "mapped without that access or stale");
	pthread_mutex_unlock(&km.lock);
	return ok;
}

bool
kmodel_pasid_mapped(uint32_t pasid, uint64_t iova, uint64_t len, bool write)
{
	const struct km_ioas *io;
	bool ok = true;

	pthread_mutex_lock(&km.lock);
	io = km_pasid_ioas(pasid);
	for (uint64_t p = iova & ~KM_PAGE_MASK; ok && p < iova + len; p += KM_PAGE) {
		const struct km_area *a = io != NULL ? area_at(io, p) : NULL;

		ok = a != NULL && (write ? a->w : a->r);
	}
	pthread_mutex_unlock(&km.lock);
	return ok;
}

int
kmodel_pasid_areas(uint32_t pasid)
{
	const struct km_ioas *io;
	int n;

	pthread_mutex_lock(&km.lock);
	io = km_pasid_ioas(pasid);
	n = io != NULL ? (int)io->n : -ENOENT;
	pthread_mutex_unlock(&km.lock);
	return n;
}
