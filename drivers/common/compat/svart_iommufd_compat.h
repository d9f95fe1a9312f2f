/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/**
 * @file
 * iommufd and VFIO device-cdev definitions the system headers may lack
 * (Debian 12 ships Linux 6.1 uAPI: no <linux/iommufd.h>, no VFIO cdev ioctls).
 * Each block is used only when the system header does not define it. Values
 * and layouts follow the kernel uAPI (see shared/reference/hardware-facts.md).
 * No logic here.
 */
#ifndef SVART_IOMMUFD_COMPAT_H
#define SVART_IOMMUFD_COMPAT_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/ioctl.h>
#include <linux/vfio.h>

#if defined(__has_include)
#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#endif
#endif

#ifndef IOMMUFD_TYPE
#define IOMMUFD_TYPE (';')
#endif

#ifndef IOMMU_IOAS_ALLOC
struct iommu_ioas_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, 0x80)
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, 0x81)
struct iommu_destroy {
	uint32_t size;
	uint32_t id;
};
#endif

#ifndef IOMMU_IOAS_MAP
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
	IOMMU_IOAS_MAP_READABLE = 1 << 2,
};
struct iommu_ioas_map {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	uint32_t __reserved;
	uint64_t user_va;
	uint64_t length;
	uint64_t iova;
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, 0x85)
struct iommu_ioas_unmap {
	uint32_t size;
	uint32_t ioas_id;
	uint64_t iova;
	uint64_t length;
};
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, 0x86)
#endif

#ifndef IOMMU_HWPT_ALLOC
#define IOMMU_HWPT_ALLOC_FAULT_ID_VALID (1u << 2)
#define IOMMU_HWPT_ALLOC_PASID (1u << 3)
struct iommu_hwpt_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t dev_id;
	uint32_t pt_id;
	uint32_t out_hwpt_id;
	uint32_t __reserved;
	uint32_t data_type;
	uint32_t data_len;
	uint64_t data_uptr;
	uint32_t fault_id;
	uint32_t __reserved2;
};
#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, 0x89)
#endif

#ifndef IOMMU_FAULT_QUEUE_ALLOC
struct iommu_fault_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_fault_id;
	uint32_t out_fault_fd;
};
#define IOMMU_FAULT_QUEUE_ALLOC _IO(IOMMUFD_TYPE, 0x8e)
enum iommu_hwpt_pgfault_flags {
	IOMMU_PGFAULT_FLAGS_PASID_VALID = 1 << 0,
	IOMMU_PGFAULT_FLAGS_LAST_PAGE = 1 << 1,
};
enum iommu_hwpt_pgfault_perm {
	IOMMU_PGFAULT_PERM_READ = 1 << 0,
	IOMMU_PGFAULT_PERM_WRITE = 1 << 1,
	IOMMU_PGFAULT_PERM_EXEC = 1 << 2,
	IOMMU_PGFAULT_PERM_PRIV = 1 << 3,
};
struct iommu_hwpt_pgfault {
	uint32_t flags;
	uint32_t dev_id;
	uint32_t pasid;
	uint32_t grpid;
	uint32_t perm;
	uint32_t __reserved;
	uint64_t addr;
	uint32_t length;
	uint32_t cookie;
};
enum iommufd_page_response_code {
	IOMMUFD_PAGE_RESP_SUCCESS = 0,
	IOMMUFD_PAGE_RESP_INVALID = 1,
};
struct iommu_hwpt_page_response {
	uint32_t cookie;
	uint32_t code;
};
#endif

#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
	uint32_t argsz;
	uint32_t flags;
	int32_t iommufd;
	uint32_t out_devid;
};
#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)
#endif

#ifndef VFIO_DEVICE_ATTACH_IOMMUFD_PT
#define VFIO_DEVICE_ATTACH_PASID (1 << 0)
#define VFIO_DEVICE_DETACH_PASID (1 << 0)
struct vfio_device_attach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pt_id;
	uint32_t pasid;
};
struct vfio_device_detach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pasid;
};
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#define VFIO_DEVICE_DETACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 20)
#endif

static_assert(sizeof(struct iommu_ioas_alloc) == 12, "iommu_ioas_alloc is 12 B");
static_assert(sizeof(struct iommu_ioas_map) == 40, "iommu_ioas_map is 40 B");
static_assert(sizeof(struct iommu_hwpt_alloc) == 48, "iommu_hwpt_alloc is 48 B");
static_assert(offsetof(struct iommu_hwpt_alloc, fault_id) == 40, "fault_id at 40");
static_assert(sizeof(struct iommu_fault_alloc) == 16, "iommu_fault_alloc is 16 B");
static_assert(sizeof(struct iommu_hwpt_pgfault) == 40, "iommu_hwpt_pgfault is 40 B");
static_assert(sizeof(struct iommu_hwpt_page_response) == 8, "page response is 8 B");
static_assert(sizeof(struct vfio_device_bind_iommufd) == 16, "bind is 16 B");
static_assert(sizeof(struct vfio_device_attach_iommufd_pt) == 16, "attach is 16 B");
static_assert(VFIO_DEVICE_BIND_IOMMUFD == 0x3b76, "BIND_IOMMUFD = 0x3b76");
static_assert(VFIO_DEVICE_ATTACH_IOMMUFD_PT == 0x3b77, "ATTACH = 0x3b77");
static_assert(IOMMU_FAULT_QUEUE_ALLOC == 0x3b8e, "FAULT_QUEUE_ALLOC = 0x3b8e");
static_assert(IOMMU_HWPT_ALLOC == 0x3b89, "HWPT_ALLOC = 0x3b89");

/** Minimum kernel versions, for error messages. */
#define SVART_KVER_VFIO_CDEV "6.6"
#define SVART_KVER_FAULT_QUEUE "6.11"
#define SVART_KVER_PASID_PAGING "6.15"

#endif /* SVART_IOMMUFD_COMPAT_H */
