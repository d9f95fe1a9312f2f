/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/**
 * @file
 * The iommufd and VFIO device-cdev uAPI svart uses, under svart's own names,
 * so that the build never depends on the age of the installed kernel headers
 * (Debian 12 ships Linux 6.1's: no <linux/iommufd.h> fault queue, no VFIO
 * cdev ioctls; newer ones rename or add). Layouts and numbers are the
 * kernel's include/uapi/linux/iommufd.h and vfio.h; the sizes are asserted
 * here and, where the installed headers have an item, idxd_uapi_check.c
 * asserts equality with them. Which kernel added what: SVART_KVER_*.
 * No logic here.
 */
#ifndef SVART_UAPI_IOMMU_H
#define SVART_UAPI_IOMMU_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/ioctl.h>

/* ---- iommufd (/dev/iommu) ---- */
#define SVART_IOMMUFD_TYPE ';'
#define SVART_IOMMU_DESTROY              _IO(SVART_IOMMUFD_TYPE, 0x80)
#define SVART_IOMMU_IOAS_ALLOC           _IO(SVART_IOMMUFD_TYPE, 0x81)
#define SVART_IOMMU_IOAS_MAP             _IO(SVART_IOMMUFD_TYPE, 0x85)
#define SVART_IOMMU_IOAS_UNMAP           _IO(SVART_IOMMUFD_TYPE, 0x86)
#define SVART_IOMMU_HWPT_ALLOC           _IO(SVART_IOMMUFD_TYPE, 0x89)
#define SVART_IOMMU_FAULT_QUEUE_ALLOC    _IO(SVART_IOMMUFD_TYPE, 0x8e)

struct svart_iommu_destroy {
	uint32_t size;
	uint32_t id;
};

struct svart_iommu_ioas_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};

#define SVART_IOMMU_IOAS_MAP_FIXED_IOVA  (1u << 0)
#define SVART_IOMMU_IOAS_MAP_WRITEABLE   (1u << 1)
#define SVART_IOMMU_IOAS_MAP_READABLE    (1u << 2)

struct svart_iommu_ioas_map {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	uint32_t reserved;
	uint64_t user_va;
	uint64_t length;
	uint64_t iova;
};

struct svart_iommu_ioas_unmap {
	uint32_t size;
	uint32_t ioas_id;
	uint64_t iova;
	uint64_t length;   /**< in: bytes to unmap; out: bytes unmapped */
};

/* enum iommufd_hwpt_alloc_flags: the kernel's name is IOMMU_HWPT_FAULT_ID_VALID. */
#define SVART_IOMMU_HWPT_FAULT_ID_VALID  (1u << 2)
#define SVART_IOMMU_HWPT_ALLOC_PASID     (1u << 3)

struct svart_iommu_hwpt_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t dev_id;
	uint32_t pt_id;
	uint32_t out_hwpt_id;
	uint32_t reserved;
	uint32_t data_type;
	uint32_t data_len;
	uint64_t data_uptr;
	uint32_t fault_id;
	uint32_t reserved2;
};

struct svart_iommu_fault_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_fault_id;
	uint32_t out_fault_fd;
};

/* A page request as read(2) from the fault fd (whole groups, last page flagged). */
#define SVART_IOMMU_PGFAULT_FLAGS_PASID_VALID (1u << 0)
#define SVART_IOMMU_PGFAULT_FLAGS_LAST_PAGE   (1u << 1)
#define SVART_IOMMU_PGFAULT_PERM_READ    (1u << 0)
#define SVART_IOMMU_PGFAULT_PERM_WRITE   (1u << 1)
#define SVART_IOMMU_PGFAULT_PERM_EXEC    (1u << 2)
#define SVART_IOMMU_PGFAULT_PERM_PRIV    (1u << 3)

struct svart_iommu_hwpt_pgfault {
	uint32_t flags;
	uint32_t dev_id;
	uint32_t pasid;
	uint32_t grpid;
	uint32_t perm;
	uint32_t reserved;
	uint64_t addr;
	uint32_t length;
	uint32_t cookie;
};

/* A response as write(2) to the fault fd, for the group's last page's cookie. */
#define SVART_IOMMUFD_PAGE_RESP_SUCCESS  0u
#define SVART_IOMMUFD_PAGE_RESP_INVALID  1u

struct svart_iommu_hwpt_page_response {
	uint32_t cookie;
	uint32_t code;
};

/* ---- VFIO device (/dev/vfio/devices/vfioX) ---- */
#define SVART_VFIO_TYPE ';'
#define SVART_VFIO_BASE 100
#define SVART_VFIO_DEVICE_GET_REGION_INFO   _IO(SVART_VFIO_TYPE, SVART_VFIO_BASE + 8)
#define SVART_VFIO_DEVICE_BIND_IOMMUFD      _IO(SVART_VFIO_TYPE, SVART_VFIO_BASE + 18)
#define SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(SVART_VFIO_TYPE, SVART_VFIO_BASE + 19)
#define SVART_VFIO_DEVICE_DETACH_IOMMUFD_PT _IO(SVART_VFIO_TYPE, SVART_VFIO_BASE + 20)

struct svart_vfio_region_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t cap_offset;
	uint64_t size;
	uint64_t offset;
};

/* vfio-pci region indexes. */
#define SVART_VFIO_PCI_BAR0_REGION_INDEX   0u
#define SVART_VFIO_PCI_BAR2_REGION_INDEX   2u
#define SVART_VFIO_PCI_CONFIG_REGION_INDEX 7u

struct svart_vfio_device_bind_iommufd {
	uint32_t argsz;
	uint32_t flags;
	int32_t iommufd;
	uint32_t out_devid;
};

#define SVART_VFIO_DEVICE_ATTACH_PASID (1u << 0)
#define SVART_VFIO_DEVICE_DETACH_PASID (1u << 0)

struct svart_vfio_device_attach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pt_id;
	uint32_t pasid;
};

struct svart_vfio_device_detach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pasid;
};

static_assert(sizeof(struct svart_iommu_destroy) == 8, "iommu_destroy is 8 B");
static_assert(sizeof(struct svart_iommu_ioas_alloc) == 12, "iommu_ioas_alloc is 12 B");
static_assert(sizeof(struct svart_iommu_ioas_map) == 40, "iommu_ioas_map is 40 B");
static_assert(sizeof(struct svart_iommu_ioas_unmap) == 24, "iommu_ioas_unmap is 24 B");
static_assert(sizeof(struct svart_iommu_hwpt_alloc) == 48, "iommu_hwpt_alloc is 48 B");
static_assert(offsetof(struct svart_iommu_hwpt_alloc, fault_id) == 40, "fault_id at 40");
static_assert(sizeof(struct svart_iommu_fault_alloc) == 16, "iommu_fault_alloc is 16 B");
static_assert(sizeof(struct svart_iommu_hwpt_pgfault) == 40, "iommu_hwpt_pgfault is 40 B");
static_assert(sizeof(struct svart_iommu_hwpt_page_response) == 8, "page response is 8 B");
static_assert(sizeof(struct svart_vfio_region_info) == 32, "vfio_region_info is 32 B");
static_assert(sizeof(struct svart_vfio_device_bind_iommufd) == 16, "bind is 16 B");
static_assert(sizeof(struct svart_vfio_device_attach_iommufd_pt) == 16, "attach is 16 B");
static_assert(sizeof(struct svart_vfio_device_detach_iommufd_pt) == 12, "detach is 12 B");

static_assert(SVART_VFIO_DEVICE_BIND_IOMMUFD == 0x3b76, "BIND_IOMMUFD = 0x3b76");
static_assert(SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT == 0x3b77, "ATTACH = 0x3b77");
static_assert(SVART_IOMMU_FAULT_QUEUE_ALLOC == 0x3b8e, "FAULT_QUEUE_ALLOC = 0x3b8e");
static_assert(SVART_IOMMU_HWPT_ALLOC == 0x3b89, "HWPT_ALLOC = 0x3b89");

/* First kernel with each item (the error text names it when an ioctl is missing). */
#define SVART_KVER_VFIO_CDEV "6.6"
#define SVART_KVER_FAULT_QUEUE "6.11"
#define SVART_KVER_PASID_PAGING "6.15"

#endif /* SVART_UAPI_IOMMU_H */
