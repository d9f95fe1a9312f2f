/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/**
 * @file
 * Default profile of the emulated DSA device: a DSA 1.0 device shaped like
 * one Sapphire Rapids DSA instance (8 WQs sharing 128 entries, 2 GiB max
 * transfer, batches of up to 1024) but with one engine, which is what a
 * 2-core machine can run beside the application. Each value can be
 * overridden by a devargs key of the idxd_emu driver (doc/drivers/idxd.md).
 */
#ifndef SVART_EMU_DSA_PROFILE_H
#define SVART_EMU_DSA_PROFILE_H

#define EMU_DSA_DEFAULT_VERSION          0x100  /* DSA 1.0 */
#define EMU_DSA_DEFAULT_NUM_WQS          8
#define EMU_DSA_DEFAULT_TOTAL_WQ_SIZE    128
#define EMU_DSA_DEFAULT_NUM_ENGINES      1
#define EMU_DSA_DEFAULT_MAX_XFER_SHIFT   31     /* 2 GiB */
#define EMU_DSA_DEFAULT_MAX_BATCH_SHIFT  10     /* 1024 descriptors */
#define EMU_DSA_DEFAULT_DEDICATED        1
#define EMU_DSA_DEFAULT_SHARED           1
#define EMU_DSA_DEFAULT_BOF              1

#define EMU_DSA_DEFAULT_PRQ_SIZE         128    /* VT-d PRQ with order 0 */
#define EMU_DSA_DEFAULT_PRI_ALLOC        32     /* outstanding page requests */
#define EMU_DSA_DEFAULT_PRI_TIMEOUT_MS   2000
/* The model uses hardware's freedoms (batch members out of order inside a
 * fence segment) by default, drawn from this seed; devargs seed=0 turns
 * them off, seed=N replays another draw. */
#define EMU_DSA_DEFAULT_SEED             1
#define EMU_SEED_MIX                     0x9e3779b97f4a7c15ull

/* Limits of the model itself. */
#define EMU_DSA_MAX_WQS                  16
#define EMU_DSA_MAX_ENGINES              8
#define EMU_DSA_MAX_TOTAL_WQ_SIZE        1024
#define EMU_DSA_MAX_PRQ_SIZE             65536
#define EMU_DSA_MAX_PRI_TIMEOUT_MS       600000
/* Largest WQCAP.wqcfg_size a profile may ask for (64-byte WQCFG entries). */
#define EMU_WQCFG_SIZE_MAX_ARG           1
/* Largest transfer shift a profile may ask for (GENCAP field is 5 bits). */
#define EMU_DSA_MAX_XFER_SHIFT_LIMIT     31
/* Largest batch shift a profile may ask for (GENCAP field is 4 bits). */
#define EMU_DSA_MAX_BATCH_SHIFT_LIMIT    15
/* Descriptors an engine service run processes before yielding the lcore. */
#define EMU_DSA_ENGINE_BUDGET            64

#endif /* SVART_EMU_DSA_PROFILE_H */
