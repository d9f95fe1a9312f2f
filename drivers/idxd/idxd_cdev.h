/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_IDXD_CDEV_H
#define SVART_IDXD_CDEV_H

/* The kernel idxd char-device transport, shared by its two files:
 * idxd_cdev_sysfs.c finds the device and its user WQs in sysfs and
 * synthesizes the capability registers; idxd_cdev.c submits. */

#include <stdbool.h>
#include <stdint.h>

#include "dsa_hw_defs.h"

#define CDEV_MAX_WQS 16
#define CDEV_PATH_MAX 512

struct cdev_wq {
	char name[32];
	bool shared, bof;
	uint16_t size, threshold;
};

struct cdev_hw {
	char dev[32];                 /* "dsa0" */
	uint64_t gencap, wqcap;
	uint64_t opcap[DSA_REG_OPCAP_QWORDS];
	int numa_node;
	uint16_t nb_wqs;
	struct cdev_wq wq[CDEV_MAX_WQS];
	bool fallback_stores;
	bool write_mode;              /* the kernel refuses the portal map: write() */
};

/* Device to use: want ("dsaN"), or the first one with an enabled user WQ
 * (NULL); fills hw->dev and hw->wq. 0 or -ENODEV (logged). */
int idxd_cdev_pick_device(struct cdev_hw *hw, const char *want);

/* Capability registers the PMD reads, from what sysfs says. */
void idxd_cdev_load_caps(struct cdev_hw *hw);

#endif /* SVART_IDXD_CDEV_H */
