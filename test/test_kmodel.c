/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Conformance of the kernel model (test/kmodel) with the Linux kernel, one
 * test per rule, independent of the PMD: the model is driven through the OS
 * table as a program would drive /dev/iommu and a VFIO device cdev. Each test
 * names the kernel function whose behaviour it checks. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>

#include "emu_dsa_internal.h"
#include "idxd_os.h"
#include "kmodel.h"
#include "svart_uapi_iommu.h"
#include "test_common.h"

#define PG 4096u
#define PASID 5u
#define PASID2 6u
#define REC_SIZE sizeof(struct svart_iommu_hwpt_pgfault)
#define RESP_SIZE sizeof(struct svart_iommu_hwpt_page_response)
#define BIG_GROUP 8u
#define RECS_MAX 32u
#define UNKNOWN_ID 60u
#define BAD_CODE 2u

static struct emu_dsa *emu;
static char devroot[PATH_MAX];

/* An iommufd, a bound device, an IOAS, a fault queue, a PASID HWPT. */
struct world {
	int ifd, dfd, ffd;
	uint32_t dev_id, ioas, fault, hwpt;
};

static int
xio(int fd, unsigned long req, void *arg)
{
	return idxd_os->ioctl(fd, req, arg);
}

static int
open_node(const char *rel)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s%s", devroot, rel);
	return idxd_os->open(p, O_RDWR);
}

static void
world_up(struct world *w, bool attach)
{
	struct svart_vfio_device_bind_iommufd b = { .argsz = sizeof(b) };
	struct svart_iommu_ioas_alloc ia = { .size = sizeof(ia) };
	struct svart_iommu_fault_alloc fa = { .size = sizeof(fa) };
	struct svart_iommu_hwpt_alloc ha = { .size = sizeof(ha),
		.flags = SVART_IOMMU_HWPT_FAULT_ID_VALID | SVART_IOMMU_HWPT_ALLOC_PASID };

	memset(w, 0, sizeof(*w));
	w->ifd = open_node("/iommu");
	w->dfd = open_node("/vfio/devices/vfio0");
	assert_true(w->ifd >= 0 && w->dfd >= 0);
	b.iommufd = w->ifd;
	assert_int_equal(xio(w->dfd, SVART_VFIO_DEVICE_BIND_IOMMUFD, &b), 0);
	w->dev_id = b.out_devid;
	assert_int_equal(xio(w->ifd, SVART_IOMMU_IOAS_ALLOC, &ia), 0);
	w->ioas = ia.out_ioas_id;
	assert_int_equal(xio(w->ifd, SVART_IOMMU_FAULT_QUEUE_ALLOC, &fa), 0);
	w->fault = fa.out_fault_id;
	w->ffd = (int)fa.out_fault_fd;
	ha.dev_id = w->dev_id;
	ha.pt_id = w->ioas;
	ha.fault_id = w->fault;
	assert_int_equal(xio(w->ifd, SVART_IOMMU_HWPT_ALLOC, &ha), 0);
	w->hwpt = ha.out_hwpt_id;
	if (attach) {
		struct svart_vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at),
			.flags = SVART_VFIO_DEVICE_ATTACH_PASID, .pt_id = w->hwpt, .pasid = PASID };

		assert_int_equal(xio(w->dfd, SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at), 0);
	}
}

static void
world_down(struct world *w)
{
	idxd_os->close(w->ffd);
	idxd_os->close(w->dfd);
	idxd_os->close(w->ifd);
}

static int
map(const struct world *w, void *va, uint64_t len, uint32_t flags)
{
	struct svart_iommu_ioas_map m = { .size = sizeof(m), .ioas_id = w->ioas,
		.flags = SVART_IOMMU_IOAS_MAP_FIXED_IOVA | flags, .user_va = (uint64_t)(uintptr_t)va,
		.iova = (uint64_t)(uintptr_t)va, .length = len };

	return xio(w->ifd, SVART_IOMMU_IOAS_MAP, &m);
}

static int
unmap(const struct world *w, uint64_t iova, uint64_t *len)
{
	struct svart_iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = w->ioas, .iova = iova,
					    .length = *len };
	int rc = xio(w->ifd, SVART_IOMMU_IOAS_UNMAP, &u);

	if (rc == 0)
		*len = u.length;
	return rc;
}

#define RW (SVART_IOMMU_IOAS_MAP_READABLE | SVART_IOMMU_IOAS_MAP_WRITEABLE)
#define RO SVART_IOMMU_IOAS_MAP_READABLE

static uint8_t *
anon(size_t pages, int prot)
{
	uint8_t *p = mmap(NULL, pages * PG, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/* A page the process has nothing mapped at, and that stays so: the middle of
 * three, so that only a one-page mapping could land there (a page unmapped at
 * an area's edge is taken by the next larger mmap, e.g. ASan's fake stacks). */
static uint8_t *
hole(void)
{
	uint8_t *p = anon(3, PROT_NONE);

	assert_int_equal(munmap(p + PG, PG), 0);
	return p + PG;
}

/* vfio_main.c vfio_device_fops_unl_ioctl / iommufd main.c iommufd_fops_ioctl:
 * each ioctl on its own fd, the device's before a bind -EINVAL (also read and
 * write, vfio_device_fops_read), bind once (device_cdev.c
 * vfio_df_ioctl_bind_iommufd). */
static void
test_fd_ownership(void **state)
{
	struct svart_vfio_device_bind_iommufd b = { .argsz = sizeof(b) };
	struct svart_vfio_region_info ri = { .argsz = sizeof(ri) };
	struct svart_iommu_ioas_alloc ia = { .size = sizeof(ia) };
	int ifd = open_node("/iommu"), dfd = open_node("/vfio/devices/vfio0");
	int dfd2 = open_node("/vfio/devices/vfio0"), nul = open("/dev/null", O_RDWR);
	uint32_t v;

	(void)state;
	assert_true(ifd >= 0 && dfd >= 0 && dfd2 >= 0 && nul >= 0);
	assert_int_equal(xio(dfd, SVART_VFIO_DEVICE_GET_REGION_INFO, &ri), -EINVAL);
	assert_int_equal(xio(dfd, SVART_IOMMU_IOAS_ALLOC, &ia), -EINVAL);
	assert_int_equal(idxd_os->pread(dfd, &v, sizeof(v), 0), -EINVAL);
	assert_int_equal(xio(ifd, SVART_VFIO_DEVICE_GET_REGION_INFO, &ri), -ENOTTY);
	assert_int_equal(xio(ifd, SVART_VFIO_DEVICE_BIND_IOMMUFD, &b), -ENOTTY);
	/* bind: argsz, flags, a fd that is no iommufd, a closed one */
	b.iommufd = ifd;
	b.argsz = sizeof(b) - 1;
	assert_int_equal(xio(dfd, SVART_VFIO_DEVICE_BIND_IOMMUFD, &b), -EINVAL);
	b.argsz = sizeof(b);
	b.flags = 1;
	assert_int_equal(xio(dfd, SVART_VFIO_DEVICE_BIND_IOMMUFD, &b), -EINVAL);
	b.flags = 0;
	b.iommufd = nul;
	assert_int_equal(xio(dfd, SVART_VFIO_DEVICE_BIND_IOMMUFD, &b), -EBADFD);
	b.iommufd = INT_MAX;
	assert_int_equal(xio(dfd, SVART_VFIO_DEVICE_BIND_IOMMUFD, &b), -EBADF);
	b.iommufd = ifd;
	assert_int_equal(xio(dfd, SVART_VFIO_DEVICE_BIND_IOMMUFD, &b), 0);
	assert_int_equal(xio(dfd, SVART_VFIO_DEVICE_BIND_IOMMUFD, &b), -EINVAL); /* twice */
	assert_int_equal(xio(dfd2, SVART_VFIO_DEVICE_BIND_IOMMUFD, &b), -EINVAL); /* other df */
	/* after the bind: the device's own ioctls work, iommufd's are unknown */
	assert_int_equal(xio(dfd, SVART_VFIO_DEVICE_GET_REGION_INFO, &ri), 0);
	assert_int_equal(xio(dfd, SVART_IOMMU_IOAS_ALLOC, &ia), -ENOTTY);
	assert_int_equal(idxd_os->pread(dfd, &v, sizeof(v), 0), sizeof(v));
	/* vfio_pci_ioctl_get_region_info: index << 40, absent BARs of size 0, no VGA */
	assert_int_equal(ri.offset, 0);
	assert_int_equal(ri.size, KMODEL_BAR0_SIZE);
	ri.index = SVART_VFIO_PCI_BAR2_REGION_INDEX;
	assert_int_equal(xio(dfd, SVART_VFIO_DEVICE_GET_REGION_INFO, &ri), 0);
	assert_int_equal(ri.offset, 2ull << 40);
	ri.index = 1;
	assert_int_equal(xio(dfd, SVART_VFIO_DEVICE_GET_REGION_INFO, &ri), 0);
	assert_int_equal(ri.size, 0);
	ri.index = 8;
	assert_int_equal(xio(dfd, SVART_VFIO_DEVICE_GET_REGION_INFO, &ri), -EINVAL);
	ri.argsz = sizeof(ri) - 1;
	assert_int_equal(xio(dfd, SVART_VFIO_DEVICE_GET_REGION_INFO, &ri), -EINVAL);
	idxd_os->close(dfd2);
	idxd_os->close(dfd);
	idxd_os->close(ifd);
	close(nul);
}

/* main.c iommufd_fops_ioctl: size below the op's minimum -EINVAL; bytes past
 * the kernel's struct must be zero (copy_struct_from_user: -E2BIG); unknown
 * iommufd ioctls -ENOTTY. */
static void
test_size_rules(void **state)
{
	struct world w;
	struct {
		struct svart_iommu_ioas_alloc a;
		uint32_t tail;
	} big = { .a = { .size = sizeof(big) } };
	struct svart_iommu_destroy d = { .size = sizeof(d) - 1, .id = UNKNOWN_ID };
	struct svart_iommu_hwpt_alloc h = { .size = offsetof(struct svart_iommu_hwpt_alloc, data_type) };
	struct svart_iommu_ioas_unmap u = { .size = sizeof(u) - 8 };

	(void)state;
	world_up(&w, false);
	assert_int_equal(xio(w.ifd, SVART_IOMMU_DESTROY, &d), -EINVAL);
	assert_int_equal(xio(w.ifd, SVART_IOMMU_IOAS_UNMAP, &u), -EINVAL);
	big.tail = 1;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_IOAS_ALLOC, &big), -E2BIG);
	big.tail = 0;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_IOAS_ALLOC, &big), 0); /* zero tail: fine */
	/* HWPT_ALLOC's minimum ends at the reserved word: fault_id reads as 0 */
	h.flags = SVART_IOMMU_HWPT_ALLOC_PASID;
	h.dev_id = w.dev_id;
	h.pt_id = w.ioas;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_HWPT_ALLOC, &h), 0);
	h.size = offsetof(struct svart_iommu_hwpt_alloc, reserved);
	assert_int_equal(xio(w.ifd, SVART_IOMMU_HWPT_ALLOC, &h), -EINVAL);
	assert_int_equal(xio(w.ifd, _IO(SVART_IOMMUFD_TYPE, 0x84), &h), -ENOTTY);
	assert_int_equal(xio(w.ffd, SVART_IOMMU_IOAS_ALLOC, &big), -ENOTTY); /* fault fd */
	world_down(&w);
}

/* Unknown flags and reserved fields: ioas.c iommufd_ioas_alloc_ioctl and
 * iommufd_ioas_map, hw_pagetable.c iommufd_hwpt_alloc, fault.c
 * iommufd_fault_alloc: -EOPNOTSUPP; hwpt data_len without a type -EINVAL;
 * VFIO attach/detach unknown flags -EINVAL (device_cdev.c). */
static void
test_flags_reserved(void **state)
{
	struct world w;
	struct svart_iommu_ioas_alloc ia = { .size = sizeof(ia), .flags = 1 };
	struct svart_iommu_fault_alloc fa = { .size = sizeof(fa), .flags = 1 };
	struct svart_iommu_hwpt_alloc h = { .size = sizeof(h) };
	struct svart_iommu_ioas_map m = { .size = sizeof(m), .flags = RW | SVART_IOMMU_IOAS_MAP_FIXED_IOVA,
					  .length = PG };
	struct svart_vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at), .flags = 2 };
	struct svart_vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt), .flags = 2 };
	uint8_t *p = anon(1, PROT_READ | PROT_WRITE);

	(void)state;
	world_up(&w, false);
	assert_int_equal(xio(w.ifd, SVART_IOMMU_IOAS_ALLOC, &ia), -EOPNOTSUPP);
	assert_int_equal(xio(w.ifd, SVART_IOMMU_FAULT_QUEUE_ALLOC, &fa), -EOPNOTSUPP);
	m.ioas_id = w.ioas;
	m.user_va = m.iova = (uint64_t)(uintptr_t)p;
	m.reserved = 1;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_IOAS_MAP, &m), -EOPNOTSUPP);
	m.reserved = 0;
	m.flags |= 1u << 3;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_IOAS_MAP, &m), -EOPNOTSUPP);
	h.dev_id = w.dev_id;
	h.pt_id = w.ioas;
	h.flags = 1u << 4;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_HWPT_ALLOC, &h), -EOPNOTSUPP);
	h.flags = 0;
	h.reserved = 1;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_HWPT_ALLOC, &h), -EOPNOTSUPP);
	h.reserved = 0;
	h.data_len = 8;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_HWPT_ALLOC, &h), -EINVAL);
	at.pt_id = w.hwpt;
	assert_int_equal(xio(w.dfd, SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at), -EINVAL);
	assert_int_equal(xio(w.dfd, SVART_VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt), -EINVAL);
	world_down(&w);
	munmap(p, PG);
}

/* main.c iommufd_get_object / iommufd_destroy: unknown or wrong-type ids
 * -ENOENT, ids from 1 lowest free; an object in use -EBUSY. */
static void
test_object_ids(void **state)
{
	struct world w;
	struct svart_iommu_destroy d = { .size = sizeof(d), .id = UNKNOWN_ID };
	struct svart_iommu_hwpt_alloc h = { .size = sizeof(h), .flags = SVART_IOMMU_HWPT_FAULT_ID_VALID };
	struct svart_iommu_ioas_alloc ia = { .size = sizeof(ia) };
	struct svart_vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt),
		.flags = SVART_VFIO_DEVICE_DETACH_PASID, .pasid = PASID };
	uint8_t *p = anon(1, PROT_READ | PROT_WRITE);
	struct world alias;

	(void)state;
	world_up(&w, true);
	assert_int_equal(w.dev_id, 1);                      /* XA_FLAGS_ALLOC1 */
	assert_int_equal(xio(w.ifd, SVART_IOMMU_DESTROY, &d), -ENOENT);
	alias = w;
	alias.ioas = w.hwpt;                                /* a HWPT id as an IOAS */
	assert_int_equal(map(&alias, p, PG, RW), -ENOENT);
	h.dev_id = w.ioas;                                  /* not a device */
	h.pt_id = w.ioas;
	h.fault_id = w.fault;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_HWPT_ALLOC, &h), -ENOENT);
	h.dev_id = w.dev_id;
	h.pt_id = w.fault;                                  /* not a page table */
	assert_int_equal(xio(w.ifd, SVART_IOMMU_HWPT_ALLOC, &h), -EINVAL);
	h.pt_id = UNKNOWN_ID;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_HWPT_ALLOC, &h), -ENOENT);
	h.pt_id = w.ioas;
	h.fault_id = w.ioas;                                /* not a fault queue */
	assert_int_equal(xio(w.ifd, SVART_IOMMU_HWPT_ALLOC, &h), -ENOENT);
	/* in use: the IOAS under the HWPT, the attached HWPT, its fault queue, the device */
	d.id = w.ioas;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_DESTROY, &d), -EBUSY);
	d.id = w.hwpt;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_DESTROY, &d), -EBUSY);
	d.id = w.fault;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_DESTROY, &d), -EBUSY);
	d.id = w.dev_id;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_DESTROY, &d), -EBUSY);
	assert_int_equal(xio(w.dfd, SVART_VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt), 0);
	d.id = w.hwpt;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_DESTROY, &d), 0);
	d.id = w.ioas;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_DESTROY, &d), 0);
	assert_int_equal(xio(w.ifd, SVART_IOMMU_IOAS_ALLOC, &ia), 0);
	assert_int_equal(ia.out_ioas_id, w.ioas);           /* the lowest free id again */
	world_down(&w);
	munmap(p, PG);
}

/* ioas.c iommufd_ioas_map, io_pagetable.c iopt_check_iova /
 * iopt_alloc_area_pages, pages.c pin and accounting. */
static void
test_ioas_map_rules(void **state)
{
	struct world w;
	uint8_t *p = anon(4, PROT_READ | PROT_WRITE), *ro = anon(1, PROT_READ);
	uint8_t *none = anon(1, PROT_NONE), *gone = hole();
	struct kmodel_stats s0, s1;
	unsigned char vec;

	(void)state;
	world_up(&w, true);
	assert_int_equal(map(&w, p + 1, PG, RW), -EINVAL);       /* iova off the page */
	assert_int_equal(map(&w, p, PG + 1, RW), -EINVAL);       /* length off the page */
	assert_int_equal(map(&w, p, 0, RW), -EINVAL);            /* zero length */
	assert_int_equal(map(&w, p, PG, 0), -EINVAL);            /* neither R nor W */
	assert_int_equal(map(&w, (void *)(uintptr_t)(UINT64_MAX - PG + 1), PG, RW), -EOVERFLOW);
	/* pinning: the process must map the range with the access (check_vma_flags) */
	assert_int_equal(map(&w, ro, PG, RW), -EFAULT);
	assert_int_equal(map(&w, gone, PG, RO), -EFAULT);
	assert_int_equal(map(&w, none, PG, RO), -EFAULT);
	assert_int_equal(map(&w, ro, PG, RO), 0);
	/* pinning faults the pages in (pin_user_pages) */
	assert_int_equal(mincore(p, PG, &vec), 0);
	assert_false(vec & 1);
	kmodel_stats_get(&s0);
	assert_int_equal(map(&w, p, 2 * PG, RW), 0);
	assert_int_equal(mincore(p, PG, &vec), 0);
	assert_true(vec & 1);
	kmodel_stats_get(&s1);
	assert_int_equal(s1.maps - s0.maps, 1);
	assert_int_equal(s1.pinned_pages - s0.pinned_pages, 2);
	assert_int_equal(kmodel_pasid_areas(PASID), 2);          /* one area per map */
	/* any overlap: -EEXIST (iopt_area_iter_first) */
	assert_int_equal(map(&w, p + PG, 2 * PG, RW), -EEXIST);
	assert_int_equal(map(&w, p, PG, RO), -EEXIST);
	assert_int_equal(map(&w, p + 2 * PG, PG, RW), 0);        /* adjacent: fine */
	/* accounting against RLIMIT_MEMLOCK (incr_user_locked_vm): -ENOMEM */
	kmodel_set_pin_limit(s1.pinned_pages + 1);
	assert_int_equal(map(&w, p + 3 * PG, PG, RW), -ENOMEM);
	kmodel_set_pin_limit(0);
	assert_int_equal(map(&w, p + 3 * PG, PG, RW), 0);
	world_down(&w);
	kmodel_stats_get(&s1);
	assert_int_equal(s1.pinned_pages, 0);                     /* all unpinned at close */
	munmap(p, 4 * PG);
	munmap(ro, PG);
	munmap(none, PG);
}

/* Without a page table on the IOAS nothing is pinned at map time
 * (iopt_fill_domains_pages has no domain); the HWPT that comes later pins
 * every area and fails if one cannot be (iopt_table_add_domain). */
static void
test_pin_at_domain(void **state)
{
	struct svart_vfio_device_bind_iommufd b = { .argsz = sizeof(b) };
	struct svart_iommu_ioas_alloc ia = { .size = sizeof(ia) };
	struct svart_iommu_hwpt_alloc h = { .size = sizeof(h), .flags = SVART_IOMMU_HWPT_ALLOC_PASID };
	struct world w = { .ifd = open_node("/iommu"), .dfd = open_node("/vfio/devices/vfio0") };
	uint8_t *gone = anon(1, PROT_READ | PROT_WRITE);

	(void)state;
	munmap(gone, PG);
	b.iommufd = w.ifd;
	assert_int_equal(xio(w.dfd, SVART_VFIO_DEVICE_BIND_IOMMUFD, &b), 0);
	assert_int_equal(xio(w.ifd, SVART_IOMMU_IOAS_ALLOC, &ia), 0);
	w.ioas = ia.out_ioas_id;
	assert_int_equal(map(&w, gone, PG, RW), 0);
	h.dev_id = b.out_devid;
	h.pt_id = w.ioas;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_HWPT_ALLOC, &h), -EFAULT);
	idxd_os->close(w.dfd);
	idxd_os->close(w.ifd);
}

/* ioas.c iommufd_ioas_unmap, io_pagetable.c iopt_unmap_iova_range /
 * iopt_unmap_all: whole areas only; a cut -ENOENT; nothing there -ENOENT;
 * unmap-all 0 even when empty; the length unmapped returned; the device's
 * ATC flushed. */
static void
test_ioas_unmap_rules(void **state)
{
	struct world w;
	uint8_t *p = anon(4, PROT_READ | PROT_WRITE);
	uint64_t len, gen;

	(void)state;
	world_up(&w, true);
	len = UINT64_MAX;
	assert_int_equal(unmap(&w, 0, &len), 0);                 /* empty: fine */
	assert_int_equal(len, 0);
	len = PG;
	assert_int_equal(unmap(&w, (uintptr_t)p, &len), -ENOENT); /* nothing there */
	assert_int_equal(map(&w, p, 2 * PG, RW), 0);
	assert_int_equal(map(&w, p + 2 * PG, PG, RW), 0);
	len = PG;
	assert_int_equal(unmap(&w, (uintptr_t)p, &len), -ENOENT); /* cuts the area */
	assert_true(kmodel_pasid_mapped(PASID, (uintptr_t)p, 3 * PG, true));
	len = 0;
	assert_int_equal(unmap(&w, (uintptr_t)p, &len), -EINVAL);
	gen = emu_iommu_gen(emu->iommu);
	len = 4 * PG;                                              /* covers both */
	assert_int_equal(unmap(&w, (uintptr_t)p, &len), 0);
	assert_int_equal(len, 3 * PG);
	assert_true(emu_iommu_gen(emu->iommu) > gen);              /* ATC invalidated */
	assert_int_equal(kmodel_pasid_areas(PASID), 0);
	assert_int_equal(map(&w, p, PG, RW), 0);
	assert_int_equal(map(&w, p + PG, PG, RW), 0);
	len = UINT64_MAX;
	assert_int_equal(unmap(&w, 0, &len), 0);
	assert_int_equal(len, 2 * PG);
	world_down(&w);
	munmap(p, 4 * PG);
}

/* device_cdev.c vfio_df_ioctl_attach_pt / _detach_pt, vfio/iommufd.c
 * vfio_iommufd_physical_pasid_attach_ioas (an attached PASID is replaced) /
 * _detach_ioas (a PASID not attached: nothing, 0), iommufd device.c
 * (iommufd_hwpt_pasid_compat: a HWPT not allocated for PASIDs -EINVAL). */
static void
test_attach_detach(void **state)
{
	struct world w;
	struct svart_vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at),
		.flags = SVART_VFIO_DEVICE_ATTACH_PASID, .pasid = PASID2 };
	struct svart_vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt),
		.flags = SVART_VFIO_DEVICE_DETACH_PASID, .pasid = PASID2 };
	struct svart_iommu_hwpt_alloc h = { .size = sizeof(h) };
	struct kmodel_stats s;

	(void)state;
	world_up(&w, true);
	kmodel_stats_reset();
	at.pt_id = w.ioas;                  /* an IOAS (automatic domain): not modelled */
	assert_int_equal(xio(w.dfd, SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at), -EINVAL);
	at.pt_id = w.fault;
	assert_int_equal(xio(w.dfd, SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at), -EINVAL);
	at.pt_id = UNKNOWN_ID;
	assert_int_equal(xio(w.dfd, SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at), -ENOENT);
	h.dev_id = w.dev_id;
	h.pt_id = w.ioas;
	assert_int_equal(xio(w.ifd, SVART_IOMMU_HWPT_ALLOC, &h), 0);
	at.pt_id = h.out_hwpt_id;           /* no IOMMU_HWPT_ALLOC_PASID */
	assert_int_equal(xio(w.dfd, SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at), -EINVAL);
	at.pt_id = w.hwpt;
	at.argsz = offsetof(struct svart_vfio_device_attach_iommufd_pt, pasid);
	assert_int_equal(xio(w.dfd, SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at), -EINVAL);
	at.argsz = sizeof(at);
	assert_int_equal(xio(w.dfd, SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at), 0);
	assert_true(emu_iommu_pasid_valid(emu->iommu, PASID2));
	assert_int_equal(xio(w.dfd, SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at), 0); /* replace */
	dt.argsz = offsetof(struct svart_vfio_device_detach_iommufd_pt, pasid);
	assert_int_equal(xio(w.dfd, SVART_VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt), -EINVAL);
	dt.argsz = sizeof(dt);
	assert_int_equal(xio(w.dfd, SVART_VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt), 0);
	assert_false(emu_iommu_pasid_valid(emu->iommu, PASID2));
	assert_int_equal(xio(w.dfd, SVART_VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt), 0); /* not attached */
	kmodel_stats_get(&s);
	assert_int_equal(s.detaches, 1);
	assert_int_equal(s.detach_noop, 1);
	world_down(&w);
}

static ssize_t
fread_recs(const struct world *w, struct svart_iommu_hwpt_pgfault *r, size_t n)
{
	return idxd_os->read(w->ffd, r, n * REC_SIZE);
}

static ssize_t
respond(const struct world *w, uint32_t cookie, uint32_t code)
{
	struct svart_iommu_hwpt_page_response resp = { .cookie = cookie, .code = code };

	return idxd_os->write(w->ffd, &resp, sizeof(resp));
}

/* fault.c / eventq.c iommufd_fault_fops_read: a multiple of the record size
 * (-ESPIPE), whole groups only (a group that does not fit stays: 0 when the
 * first does not), every record with the group's cookie, the last flagged,
 * nothing pending reads 0; the fd polls readable while a group waits. */
static void
test_fault_read_rules(void **state)
{
	struct world w;
	struct svart_iommu_hwpt_pgfault r[RECS_MAX];
	struct pollfd pfd;
	int h1, h2;

	(void)state;
	world_up(&w, true);
	pfd.fd = w.ffd;
	pfd.events = POLLIN;
	assert_int_equal(fread_recs(&w, r, 1), 0);                       /* nothing */
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(idxd_os->read(w.ffd, r, REC_SIZE + 1), -ESPIPE);
	h1 = kmodel_inject_group(PASID, 0x10000, BIG_GROUP, true);
	h2 = kmodel_inject_group(PASID, 0x40000, 1, false);
	assert_true(h1 >= 0 && h2 >= 0);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(fread_recs(&w, r, BIG_GROUP - 1), 0);           /* does not fit */
	assert_int_equal(fread_recs(&w, r, BIG_GROUP), BIG_GROUP * REC_SIZE); /* second stays */
	for (unsigned int i = 0; i < BIG_GROUP; i++) {
		assert_int_equal(r[i].cookie, r[0].cookie);
		assert_int_equal(r[i].pasid, PASID);
		assert_int_equal(r[i].dev_id, w.dev_id);
		assert_int_equal(r[i].addr, 0x10000 + i * PG);
		assert_int_equal(r[i].perm, SVART_IOMMU_PGFAULT_PERM_WRITE);
		assert_int_equal(!!(r[i].flags & SVART_IOMMU_PGFAULT_FLAGS_LAST_PAGE), i == BIG_GROUP - 1);
		assert_true(r[i].flags & SVART_IOMMU_PGFAULT_FLAGS_PASID_VALID);
	}
	assert_int_equal(fread_recs(&w, r + BIG_GROUP, RECS_MAX - BIG_GROUP), REC_SIZE);
	assert_int_not_equal(r[BIG_GROUP].cookie, r[0].cookie);
	assert_int_equal(r[BIG_GROUP].perm, SVART_IOMMU_PGFAULT_PERM_READ);
	assert_int_equal(poll(&pfd, 1, 0), 0);                           /* drained */
	assert_int_equal(respond(&w, r[0].cookie, SVART_IOMMUFD_PAGE_RESP_SUCCESS), RESP_SIZE);
	assert_int_equal(respond(&w, r[BIG_GROUP].cookie, SVART_IOMMUFD_PAGE_RESP_INVALID), RESP_SIZE);
	assert_int_equal(kmodel_injected_code(h1), SVART_IOMMUFD_PAGE_RESP_SUCCESS);
	assert_int_equal(kmodel_injected_code(h2), SVART_IOMMUFD_PAGE_RESP_INVALID);
	world_down(&w);
}

/* fault.c / eventq.c iommufd_fault_fops_write: a multiple of the response
 * size (-ESPIPE); SUCCESS or INVALID only; the cookie of a delivered,
 * unanswered group (xa_erase), else -EINVAL; what was taken before an error
 * is returned. */
static void
test_fault_write_rules(void **state)
{
	struct world w;
	struct svart_iommu_hwpt_pgfault r[RECS_MAX];
	struct svart_iommu_hwpt_page_response two[2];
	int h;

	(void)state;
	world_up(&w, true);
	assert_int_equal(respond(&w, 1, SVART_IOMMUFD_PAGE_RESP_SUCCESS), -EINVAL); /* never delivered */
	h = kmodel_inject_group(PASID, 0x10000, 1, true);
	assert_true(h >= 0);
	kmodel_pump();
	assert_int_equal(respond(&w, 1, SVART_IOMMUFD_PAGE_RESP_SUCCESS), -EINVAL); /* queued, not read */
	assert_int_equal(fread_recs(&w, r, RECS_MAX), REC_SIZE);
	assert_int_equal(idxd_os->write(w.ffd, two, RESP_SIZE - 1), -ESPIPE);
	assert_int_equal(respond(&w, r[0].cookie, BAD_CODE), -EINVAL);
	assert_int_equal(kmodel_injected_code(h), -EAGAIN);
	two[0].cookie = r[0].cookie;
	two[0].code = SVART_IOMMUFD_PAGE_RESP_SUCCESS;
	two[1] = two[0];                                         /* answered twice */
	assert_int_equal(idxd_os->write(w.ffd, two, sizeof(two)), RESP_SIZE);
	assert_int_equal(respond(&w, r[0].cookie, SVART_IOMMUFD_PAGE_RESP_SUCCESS), -EINVAL);
	assert_int_equal(kmodel_injected_code(h), SVART_IOMMUFD_PAGE_RESP_SUCCESS);
	world_down(&w);
}

/* fault.c iommufd_auto_response_faults: a detach answers the PASID's groups
 * Invalid, queued or delivered; their cookies die. io-pgfault.c
 * iommu_report_device_fault: a PASID with no handler gets Invalid. */
static void
test_detach_drops_groups(void **state)
{
	struct world w;
	struct svart_iommu_hwpt_pgfault r[RECS_MAX];
	struct svart_vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt),
		.flags = SVART_VFIO_DEVICE_DETACH_PASID, .pasid = PASID };
	int h1, h2;

	(void)state;
	world_up(&w, true);
	h1 = kmodel_inject_group(PASID, 0x10000, 1, true);
	assert_int_equal(fread_recs(&w, r, RECS_MAX), REC_SIZE);      /* delivered */
	h2 = kmodel_inject_group(PASID, 0x20000, 1, true);            /* queued */
	assert_true(h1 >= 0 && h2 >= 0);
	assert_int_equal(xio(w.dfd, SVART_VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt), 0);
	assert_int_equal(kmodel_injected_code(h1), -ENOENT);
	assert_int_equal(kmodel_injected_code(h2), -ENOENT);
	assert_int_equal(respond(&w, r[0].cookie, SVART_IOMMUFD_PAGE_RESP_SUCCESS), -EINVAL);
	assert_int_equal(fread_recs(&w, r, RECS_MAX), 0);
	assert_int_equal(kmodel_inject_group(PASID, 0x10000, 1, true), -ENOENT);
	world_down(&w);
}

/* The emulated IOMMU's page requests become iommufd records (io-pgfault.c
 * iopf_group_alloc collects a group up to its last request), and the
 * response reaches the device (iopf_group_response). */
static void
test_device_page_requests(void **state)
{
	struct world w;
	struct svart_iommu_hwpt_pgfault r[RECS_MAX];
	uint16_t prg;
	ssize_t got = 0;
	int code = -EAGAIN;

	(void)state;
	world_up(&w, true);
	assert_int_equal(emu_pri_raise(emu->iommu, PASID, 0x7000, 3, true, &prg), 0);
	for (int i = 0; i < 1000 && got == 0; i++)
		got = fread_recs(&w, r, RECS_MAX);
	assert_int_equal(got, 3 * REC_SIZE);
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(r[i].grpid, prg);
		assert_int_equal(r[i].addr, 0x7000 + i * PG);
		assert_int_equal(r[i].cookie, r[0].cookie);
	}
	assert_int_equal(emu_pri_poll(emu->iommu, prg), -EAGAIN);
	assert_int_equal(respond(&w, r[0].cookie, SVART_IOMMUFD_PAGE_RESP_SUCCESS), RESP_SIZE);
	assert_int_equal(emu_pri_poll(emu->iommu, prg), EMU_PRI_SUCCESS);
	/* A PASID nobody attached: the kernel answers Invalid by itself. */
	assert_int_equal(emu_pri_raise(emu->iommu, PASID2, 0x7000, 1, false, &prg), 0);
	for (int i = 0; i < 100000 && (code = emu_pri_poll(emu->iommu, prg)) == -EAGAIN; i++)
		usleep(10);
	assert_int_equal(code, EMU_PRI_INVALID);
	assert_int_equal(fread_recs(&w, r, RECS_MAX), 0);
	world_down(&w);
}

/* The device translates through the IOAS attached to its PASID, with the
 * access mapped: a page the CPU has but the IOAS lacks faults; only what
 * translates is cached; an unmap flushes the ATC. */
static void
test_translate_through_ioas(void **state)
{
	struct world w;
	uint8_t *p = anon(2, PROT_READ | PROT_WRITE);
	struct emu_atc *atc = emu_atc_create(emu->iommu);
	uint64_t va = (uint64_t)(uintptr_t)p, len = PG;

	(void)state;
	assert_non_null(atc);
	world_up(&w, true);
	memset(p, 1, 2 * PG);                                    /* the CPU has both pages */
	emu_atc_sync(atc);
	assert_int_equal(emu_atc_prefix(atc, PASID, va, PG, false), 0);
	assert_int_equal(map(&w, p, PG, RO), 0);
	emu_atc_sync(atc);
	assert_int_equal(emu_atc_prefix(atc, PASID, va, PG, false), PG);
	assert_int_equal(emu_atc_prefix(atc, PASID, va, PG, true), 0);   /* read-only */
	assert_int_equal(emu_atc_prefix(atc, PASID2, va, PG, false), 0); /* other PASID */
	assert_int_equal(emu_atc_prefix(atc, PASID, va, 2 * PG, false), PG);
	emu_atc_install(atc, PASID, va + PG, true);              /* a Success proves nothing */
	assert_false(emu_atc_hit(atc, PASID, va + PG, 1, false));
	assert_int_equal(unmap(&w, va, &len), 0);
	emu_atc_sync(atc);
	assert_false(emu_atc_hit(atc, PASID, va, 1, false));
	assert_int_equal(emu_atc_prefix(atc, PASID, va, PG, false), 0);
	world_down(&w);
	emu_atc_destroy(atc);
	munmap(p, 2 * PG);
}

/* A pinned page stays the device's after the process drops it (pages.c: the
 * pin holds the page; the IOMMU keeps the old PFN): the model counts a device
 * access there as a stale pin access and refuses it. */
static void
test_stale_pins(void **state)
{
	struct world w;
	uint8_t *p = anon(2, PROT_READ | PROT_WRITE), *q, *moved;
	int mfd = memfd_create("kmodel_stale", MFD_CLOEXEC);
	struct emu_atc *atc = emu_atc_create(emu->iommu);
	uint64_t va = (uint64_t)(uintptr_t)p, stale = kmodel_stale_accesses();

	(void)state;
	assert_true(mfd >= 0 && ftruncate(mfd, PG) == 0);
	/* A page the file keeps alive: the one mapped after it cannot reuse it. */
	q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	assert_true(q != MAP_FAILED);
	world_up(&w, true);
	assert_int_equal(map(&w, p, 2 * PG, RW), 0);
	assert_int_equal(map(&w, q, PG, RW), 0);
	emu_atc_sync(atc);
	assert_int_equal(emu_atc_prefix(atc, PASID, va, 2 * PG, true), 2 * PG);
	assert_int_equal(kmodel_stale_accesses(), stale);
	/* MADV_DONTNEED: the process will get a fresh page, the device has the old */
	assert_int_equal(madvise(p, PG, MADV_DONTNEED), 0);
	emu_atc_flush(atc);
	assert_int_equal(emu_atc_prefix(atc, PASID, va, PG, true), 0);
	assert_int_equal(kmodel_stale_accesses(), stale + 1);
	/* mremap away: nothing at the old address */
	moved = anon(1, PROT_READ | PROT_WRITE);
	assert_true(mremap(p + PG, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, moved) == moved);
	assert_int_equal(emu_atc_prefix(atc, PASID, va + PG, PG, false), 0);
	assert_int_equal(kmodel_stale_accesses(), stale + 2);
	/* munmap + a new mapping at the same address: another page there */
	assert_true(mmap(q, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == q);
	q[0] = 1;
	assert_int_equal(emu_atc_prefix(atc, PASID, (uintptr_t)q, PG, false), 0);
	assert_int_equal(kmodel_stale_accesses(), stale + 3);
	world_down(&w);
	emu_atc_destroy(atc);
	munmap(p, PG);
	munmap(moved, PG);
	munmap(q, PG);
	close(mfd);
}

static int
setup(void **state)
{
	struct emu_dsa_profile prof;
	int err;

	(void)state;
	snprintf(devroot, sizeof(devroot), "/nonexistent/svart_kmodel");
	setenv("SVART_DEV_ROOT", devroot, 1);
	emu_dsa_profile_default(&prof);
	prof.engine_mode = EMU_DSA_ENGINE_MANUAL;
	emu = emu_dsa_create("kmodel", &prof, &err);
	return emu != NULL && kmodel_init(emu) == 0 ? 0 : -1;
}

/* After each test: whatever a failed test left open is closed. */
static int
reset(void **state)
{
	(void)state;
	kmodel_fini();
	return kmodel_init(emu);
}

static int
teardown(void **state)
{
	(void)state;
	kmodel_fini();
	emu_dsa_destroy(emu);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_fd_ownership, reset),
		cmocka_unit_test_teardown(test_size_rules, reset),
		cmocka_unit_test_teardown(test_flags_reserved, reset),
		cmocka_unit_test_teardown(test_object_ids, reset),
		cmocka_unit_test_teardown(test_ioas_map_rules, reset),
		cmocka_unit_test_teardown(test_pin_at_domain, reset),
		cmocka_unit_test_teardown(test_ioas_unmap_rules, reset),
		cmocka_unit_test_teardown(test_attach_detach, reset),
		cmocka_unit_test_teardown(test_fault_read_rules, reset),
		cmocka_unit_test_teardown(test_fault_write_rules, reset),
		cmocka_unit_test_teardown(test_detach_drops_groups, reset),
		cmocka_unit_test_teardown(test_device_page_requests, reset),
		cmocka_unit_test_teardown(test_translate_through_ioas, reset),
		cmocka_unit_test_teardown(test_stale_pins, reset),
	};
	int rc;

	(void)argc;
	if (test_eal_init(argv[0], "0") < 0)
		return 1;
	rc = cmocka_run_group_tests_name("kmodel", tests, setup, teardown);
	rte_eal_cleanup();
	return rc;
}
