/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Build-time check of svart's private uAPI definitions (svart_uapi_iommu.h,
 * svart_uapi_uffd.h)
 * against whatever the installed kernel headers define: every item a header
 * has must equal svart's. Items the headers lack are not checked (and not
 * needed: svart never uses the system definitions). No code. */
#include <linux/vfio.h>
#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#endif

#include "svart_uapi_iommu.h"

#define SAME_SIZE(ours, theirs) \
	static_assert(sizeof(struct ours) == sizeof(struct theirs), #ours " differs from the kernel's")

static_assert(SVART_VFIO_DEVICE_GET_REGION_INFO == VFIO_DEVICE_GET_REGION_INFO, "region info");
static_assert(SVART_VFIO_PCI_CONFIG_REGION_INDEX == VFIO_PCI_CONFIG_REGION_INDEX, "config region");
SAME_SIZE(svart_vfio_region_info, vfio_region_info);
#ifdef IOMMU_IOAS_MAP
static_assert(SVART_IOMMU_IOAS_ALLOC == IOMMU_IOAS_ALLOC, "IOAS_ALLOC");
static_assert(SVART_IOMMU_IOAS_MAP == IOMMU_IOAS_MAP, "IOAS_MAP");
static_assert(SVART_IOMMU_IOAS_UNMAP == IOMMU_IOAS_UNMAP, "IOAS_UNMAP");
static_assert(SVART_IOMMU_IOAS_MAP_WRITEABLE == IOMMU_IOAS_MAP_WRITEABLE, "MAP_WRITEABLE");
SAME_SIZE(svart_iommu_ioas_map, iommu_ioas_map);
SAME_SIZE(svart_iommu_ioas_unmap, iommu_ioas_unmap);
#endif
#ifdef IOMMU_FAULT_QUEUE_ALLOC
static_assert(SVART_IOMMU_FAULT_QUEUE_ALLOC == IOMMU_FAULT_QUEUE_ALLOC, "FAULT_QUEUE_ALLOC");
static_assert(SVART_IOMMU_HWPT_ALLOC == IOMMU_HWPT_ALLOC, "HWPT_ALLOC");
static_assert(SVART_IOMMU_HWPT_FAULT_ID_VALID == IOMMU_HWPT_FAULT_ID_VALID, "FAULT_ID_VALID");
SAME_SIZE(svart_iommu_hwpt_alloc, iommu_hwpt_alloc);
SAME_SIZE(svart_iommu_fault_alloc, iommu_fault_alloc);
SAME_SIZE(svart_iommu_hwpt_pgfault, iommu_hwpt_pgfault);
SAME_SIZE(svart_iommu_hwpt_page_response, iommu_hwpt_page_response);
#endif
#ifdef VFIO_DEVICE_BIND_IOMMUFD
static_assert(SVART_VFIO_DEVICE_BIND_IOMMUFD == VFIO_DEVICE_BIND_IOMMUFD, "BIND_IOMMUFD");
#ifdef VFIO_DEVICE_BIND_FLAG_TOKEN
/* Linux 6.17 appended token_uuid_ptr; the kernel reads argsz bytes (at least
 * the 16 of the first version) and zero-fills the rest, so svart's struct is
 * the kernel's prefix and works on every kernel from 6.6 on. */
static_assert(sizeof(struct svart_vfio_device_bind_iommufd) ==
	      offsetof(struct vfio_device_bind_iommufd, token_uuid_ptr), "bind prefix");
#else
SAME_SIZE(svart_vfio_device_bind_iommufd, vfio_device_bind_iommufd);
#endif
#endif
#ifdef VFIO_DEVICE_ATTACH_PASID
static_assert(SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT == VFIO_DEVICE_ATTACH_IOMMUFD_PT, "ATTACH_PT");
SAME_SIZE(svart_vfio_device_attach_iommufd_pt, vfio_device_attach_iommufd_pt);
SAME_SIZE(svart_vfio_device_detach_iommufd_pt, vfio_device_detach_iommufd_pt);
#endif
#ifdef VFIO_DEVICE_ATTACH_PASID
/* IOMMU_HWPT_ALLOC_PASID is an enum constant (no macro to test): headers
 * with VFIO PASID attach (6.15) have it. */
static_assert(SVART_IOMMU_HWPT_ALLOC_PASID == IOMMU_HWPT_ALLOC_PASID, "ALLOC_PASID");
#endif

/* userfaultfd (svart_uapi_uffd.h): every header since Linux 4.11 has these. */
#include <linux/userfaultfd.h>
#include "svart_uapi_uffd.h"

static_assert(SVART_UFFD_API == UFFD_API, "UFFD_API");
static_assert(SVART_UFFDIO_API == UFFDIO_API, "UFFDIO_API");
static_assert(SVART_UFFDIO_REGISTER == UFFDIO_REGISTER, "UFFDIO_REGISTER");
static_assert(SVART_UFFDIO_UNREGISTER == UFFDIO_UNREGISTER, "UFFDIO_UNREGISTER");
static_assert(SVART_UFFDIO_REGISTER_MODE_WP == UFFDIO_REGISTER_MODE_WP, "REGISTER_MODE_WP");
static_assert(SVART_UFFD_FEATURE_EVENT_REMAP == UFFD_FEATURE_EVENT_REMAP, "EVENT_REMAP feature");
static_assert(SVART_UFFD_FEATURE_EVENT_REMOVE == UFFD_FEATURE_EVENT_REMOVE, "EVENT_REMOVE feature");
static_assert(SVART_UFFD_FEATURE_EVENT_UNMAP == UFFD_FEATURE_EVENT_UNMAP, "EVENT_UNMAP feature");
static_assert(SVART_UFFD_EVENT_REMAP == UFFD_EVENT_REMAP, "UFFD_EVENT_REMAP");
static_assert(SVART_UFFD_EVENT_REMOVE == UFFD_EVENT_REMOVE, "UFFD_EVENT_REMOVE");
static_assert(SVART_UFFD_EVENT_UNMAP == UFFD_EVENT_UNMAP, "UFFD_EVENT_UNMAP");
SAME_SIZE(svart_uffdio_api, uffdio_api);
SAME_SIZE(svart_uffdio_register, uffdio_register);
SAME_SIZE(svart_uffd_msg, uffd_msg);
#ifdef UFFD_USER_MODE_ONLY
static_assert(SVART_UFFD_USER_MODE_ONLY == UFFD_USER_MODE_ONLY, "UFFD_USER_MODE_ONLY");
#endif
