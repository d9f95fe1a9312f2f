/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_DMA_SVART_SDK_H
#define SVART_DMA_SVART_SDK_H

/**
 * @file
 * The DPDK driver interface dma_svart needs: the dmadev driver structures and
 * the virtual-bus driver registration. A DPDK that installs its driver SDK
 * headers (rte_dmadev_pmd.h, bus_vdev_driver.h, dev_driver.h) is used as it
 * is. Debian 12's DPDK 22.11 installs none of them; for that release this
 * file declares the ABI of the 22.11 LTS series (DPDK ABI 23), the layout
 * checked by the assertions at the end against the sizes the 22.11 libraries
 * were built with. Any other DPDK without the SDK headers is refused at build
 * time rather than guessed at.
 *
 * Internal DPDK symbols are used (rte_dma_pmd_allocate/release,
 * rte_vdev_register): build with ALLOW_INTERNAL_API.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_compat.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_dmadev.h>
#include <rte_version.h>

#if __has_include(<rte_dmadev_pmd.h>) && __has_include(<bus_vdev_driver.h>) && \
	__has_include(<dev_driver.h>)
#include <dev_driver.h>
#include <bus_vdev_driver.h>
#include <rte_dmadev_pmd.h>
#else

#if RTE_VERSION < RTE_VERSION_NUM(22, 11, 0, 0) || RTE_VERSION >= RTE_VERSION_NUM(23, 0, 0, 0)
#error "dma_svart declares the DPDK 22.11 driver ABI itself; this DPDK is another release: install its driver SDK headers (rte_dmadev_pmd.h, bus_vdev_driver.h, dev_driver.h)"
#endif

/* lib/eal/include/dev_driver.h (22.11): the generic driver and device. */
struct rte_driver {
	TAILQ_ENTRY(rte_driver) next;
	const char *name;
	const char *alias;
};

struct rte_device {
	TAILQ_ENTRY(rte_device) next;
	const char *name;
	const char *bus_info;
	const struct rte_driver *driver;
	const struct rte_bus *bus;
	int numa_node;
	struct rte_devargs *devargs;
};

/* drivers/bus/vdev/bus_vdev_driver.h (22.11): a virtual device and its driver. */
struct rte_vdev_device {
	TAILQ_ENTRY(rte_vdev_device) next;
	struct rte_device device;
};

typedef int (rte_vdev_probe_t)(struct rte_vdev_device *dev);
typedef int (rte_vdev_remove_t)(struct rte_vdev_device *dev);
typedef int (rte_vdev_dma_map_t)(struct rte_vdev_device *dev, void *addr, uint64_t iova,
				 size_t len);
typedef int (rte_vdev_dma_unmap_t)(struct rte_vdev_device *dev, void *addr, uint64_t iova,
				   size_t len);

struct rte_vdev_driver {
	TAILQ_ENTRY(rte_vdev_driver) next;
	struct rte_driver driver;
	rte_vdev_probe_t *probe;
	rte_vdev_remove_t *remove;
	rte_vdev_dma_map_t *dma_map;
	rte_vdev_dma_unmap_t *dma_unmap;
	uint32_t drv_flags;
};

/** The driver works with IOVA = VA only. */
#define RTE_VDEV_DRV_NEED_IOVA_AS_VA 0x0001

__rte_internal void rte_vdev_register(struct rte_vdev_driver *driver);
__rte_internal void rte_vdev_unregister(struct rte_vdev_driver *driver);

static inline const char *
rte_vdev_device_name(const struct rte_vdev_device *dev)
{
	return dev != NULL ? dev->device.name : NULL;
}

/** Text after the device name and its comma ("" when there is none). */
static inline const char *
rte_vdev_device_args(const struct rte_vdev_device *dev)
{
	return dev != NULL && dev->device.devargs != NULL ? dev->device.devargs->args : "";
}

/* Registration as RTE_PMD_REGISTER_VDEV does it: a constructor names the
 * driver and adds it to the virtual bus, and the name is exported for
 * dpdk-pmdinfo. */
#define RTE_PMD_REGISTER_VDEV(nm, vdrv) \
RTE_INIT(vdrvinitfn_ ## vdrv) \
{ \
	(vdrv).driver.name = RTE_STR(nm); \
	rte_vdev_register(&(vdrv)); \
} \
RTE_PMD_EXPORT_NAME(nm, __COUNTER__)

/* lib/dmadev/rte_dmadev_pmd.h (22.11): the dmadev driver side. */
struct rte_dma_dev;

struct rte_dma_dev_ops {
	int (*dev_info_get)(const struct rte_dma_dev *dev, struct rte_dma_info *info,
			    uint32_t info_sz);
	int (*dev_configure)(struct rte_dma_dev *dev, const struct rte_dma_conf *conf,
			     uint32_t conf_sz);
	int (*dev_start)(struct rte_dma_dev *dev);
	int (*dev_stop)(struct rte_dma_dev *dev);
	int (*dev_close)(struct rte_dma_dev *dev);
	int (*vchan_setup)(struct rte_dma_dev *dev, uint16_t vchan,
			   const struct rte_dma_vchan_conf *conf, uint32_t conf_sz);
	int (*stats_get)(const struct rte_dma_dev *dev, uint16_t vchan,
			 struct rte_dma_stats *stats, uint32_t stats_sz);
	int (*stats_reset)(struct rte_dma_dev *dev, uint16_t vchan);
	int (*vchan_status)(const struct rte_dma_dev *dev, uint16_t vchan,
			    enum rte_dma_vchan_status *status);
	int (*dev_dump)(const struct rte_dma_dev *dev, FILE *f);
};

struct rte_dma_dev_data {
	char dev_name[RTE_DEV_NAME_MAX_LEN];
	int16_t dev_id;
	int16_t numa_node;
	void *dev_private;
	struct rte_dma_conf dev_conf;
	__extension__ uint8_t dev_started : 1;
	uint64_t reserved[2];
} __rte_cache_aligned;

enum rte_dma_dev_state {
	RTE_DMA_DEV_UNUSED = 0,
	RTE_DMA_DEV_REGISTERED,  /**< allocated, not yet usable */
	RTE_DMA_DEV_READY,       /**< set by the driver at the end of its probe */
};

struct rte_dma_dev {
	struct rte_device *device;
	struct rte_dma_dev_data *data;
	struct rte_dma_fp_object *fp_obj;
	const struct rte_dma_dev_ops *dev_ops;
	enum rte_dma_dev_state state;
	uint64_t reserved[2];
} __rte_cache_aligned;

__rte_internal struct rte_dma_dev *rte_dma_pmd_allocate(const char *name, int numa_node,
							 size_t private_data_size);
__rte_internal int rte_dma_pmd_release(const char *name);

/* The 22.11 layout (x86-64, as librte_dmadev.so.23 and librte_bus_vdev.so.23
 * use it): a mismatch is a build error, not a crash. */
#if defined(__x86_64__)
_Static_assert(sizeof(struct rte_device) == 64, "rte_device: not the DPDK 22.11 layout");
_Static_assert(sizeof(struct rte_vdev_driver) == 88, "rte_vdev_driver: not the DPDK 22.11 layout");
_Static_assert(offsetof(struct rte_vdev_driver, probe) == 48, "rte_vdev_driver.probe moved");
_Static_assert(sizeof(struct rte_dma_dev) == 64, "rte_dma_dev: not the DPDK 22.11 layout");
_Static_assert(offsetof(struct rte_dma_dev, dev_ops) == 24, "rte_dma_dev.dev_ops moved");
_Static_assert(sizeof(struct rte_dma_dev_data) == 128, "rte_dma_dev_data: not the 22.11 layout");
_Static_assert(offsetof(struct rte_dma_dev_data, dev_private) == 72, "dev_private moved");
_Static_assert(sizeof(struct rte_dma_dev_ops) == 80, "rte_dma_dev_ops: not the 22.11 layout");
_Static_assert(sizeof(struct rte_dma_fp_object) == 128, "rte_dma_fp_object: not the 22.11 layout");
#endif

#endif /* DPDK driver SDK headers */

#endif /* SVART_DMA_SVART_SDK_H */
