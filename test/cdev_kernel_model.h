/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_TEST_CDEV_KERNEL_MODEL_H
#define SVART_TEST_CDEV_KERNEL_MODEL_H

/* The kernel's side of the idxd WQ char devices (drivers/dma/idxd/cdev.c),
 * modelled for test_idxd_cdev through the OS table (idxd_os.h): opening a
 * WQ file binds the process's PASID, mmap applies the INTEL-SA-01084 check,
 * write() submits with the kernel's rules to an emulated DSA configured as
 * accel-config and the kernel would leave it (wq0.0 dedicated, wq0.1
 * shared). Other paths go to the real calls, with error injection. */

#include <stdbool.h>
#include <stdint.h>

#include "emu_dsa.h"

#define KM_POLLS 100000u
#define KM_ENGINE_BUDGET 64u    /* descriptors per engine step */
#define KM_DED_SIZE 16
#define KM_SHARED_SIZE 32
/* op_cap as the kernel shows it: BATCH (bit 1) hidden where write() refuses it. */
#define OPCAP_ALL "00000000,00000000,00000000,00000000,00000000,00000000,00000000,0003007f"
#define OPCAP_NO_BATCH "00000000,00000000,00000000,00000000,00000000,00000000,00000000,0003007d"

struct cdev_km {
	bool safe;      /* idxd->user_submission_safe (false for every DSA since the fix) */
	bool rawio;     /* capable(CAP_SYS_RAWIO) */
	bool dsa2;      /* a DSA 2, kernel with the 2025 BATCH narrowing: write() takes BATCH */
	uint64_t descs, batches, refused, eagain; /* what write() submitted / refused */
	int fail_open, fail_mmap; /* injected errors (WQ files / any mmap), 0 = none */
};

extern struct cdev_km km;
extern struct emu_dsa *km_emu;

/* Create the device and install the OS table; WQ files live under devroot. */
int km_setup(const char *devroot);
/* Restore libc and destroy the device. */
void km_teardown(void);

#endif /* SVART_TEST_CDEV_KERNEL_MODEL_H */
