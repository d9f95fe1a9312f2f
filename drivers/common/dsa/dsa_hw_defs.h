/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/**
 * @file
 * Intel DSA hardware definitions: descriptor and completion-record layout,
 * BAR0 register offsets and bit fields, command and status codes.
 *
 * This file has no logic. It is shared by the idxd PMD (which drives real
 * hardware through it) and the emulated device (which implements it).
 * Descriptor, completion record, opcodes, flags and completion status codes
 * come from the kernel's <linux/idxd.h>; what that header lacks (registers,
 * commands, portal layout) is defined here.
 */
#ifndef SVART_DSA_HW_DEFS_H
#define SVART_DSA_HW_DEFS_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/idxd.h>

/* ---- Descriptor and completion record ------------------------------ */

#define DSA_DESC_SIZE            64u   /**< work descriptor size and alignment */
#define DSA_COMP_SIZE            32u   /**< DSA completion record size */
#define DSA_COMP_ALIGN           32u   /**< required completion record alignment */
#define DSA_DESC_LIST_ALIGN      64u   /**< batch descriptor list alignment */
#define DSA_PASID_BITS           20u
#define DSA_PASID_MAX            ((1u << DSA_PASID_BITS) - 1)
#define DSA_FLAGS_BITS           24u

static_assert(sizeof(struct dsa_hw_desc) == DSA_DESC_SIZE, "DSA descriptor is 64 B");
static_assert(sizeof(struct dsa_completion_record) == DSA_COMP_SIZE, "DSA CR is 32 B");
static_assert(offsetof(struct dsa_hw_desc, completion_addr) == 0x08, "CR address @0x08");
static_assert(offsetof(struct dsa_hw_desc, src_addr) == 0x10, "src @0x10");
static_assert(offsetof(struct dsa_hw_desc, dst_addr) == 0x18, "dst @0x18");
static_assert(offsetof(struct dsa_hw_desc, xfer_size) == 0x20, "size @0x20");
static_assert(offsetof(struct dsa_hw_desc, int_handle) == 0x24, "int handle @0x24");
static_assert(offsetof(struct dsa_hw_desc, rsvd1) == 0x26, "reserved @0x26");
static_assert(offsetof(struct dsa_hw_desc, op_specific) == 0x28, "op-specific @0x28");
static_assert(offsetof(struct dsa_hw_desc, seed_addr) == 0x30, "CRC seed address @0x30");
static_assert(offsetof(struct dsa_hw_desc, expected_res_mask) == 0x38, "CR_DELTA mask @0x38");
static_assert(offsetof(struct dsa_completion_record, bytes_completed) == 0x04, "bytes @0x04");
static_assert(offsetof(struct dsa_completion_record, fault_addr) == 0x08, "fault @0x08");
static_assert(offsetof(struct dsa_completion_record, crc_val) == 0x10, "crc @0x10");

/** Completion status byte: bits 0-6 code, bit 7 = the faulting access was a write. */
#define DSA_COMP_STATUS_CODE_MASK 0x7fu
#ifndef DSA_COMP_STATUS_WRITE
#define DSA_COMP_STATUS_WRITE     0x80
#endif

/** Flag bit 16 on CRCGEN/COPY_CRC: read the CRC seed from seed_addr. */
#define DSA_FLAG_CRC_READ_SEED   0x010000u
/** Flag bit 6 and bits 17-23 are reserved on every DSA operation. */
#define DSA_FLAGS_RESERVED       (0x000040u | 0xfe0000u)

/** Flags every operation accepts. */
#define DSA_FLAGS_COMMON (IDXD_OP_FLAG_FENCE | IDXD_OP_FLAG_BOF | IDXD_OP_FLAG_CRAV | \
			  IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_RCI | IDXD_OP_FLAG_CRSTS | \
			  IDXD_OP_FLAG_CC | IDXD_OP_FLAG_ADDR1_TCS | IDXD_OP_FLAG_ADDR2_TCS | \
			  IDXD_OP_FLAG_ADDR3_TCS | IDXD_OP_FLAG_CR_TCS | IDXD_OP_FLAG_STORD | \
			  IDXD_OP_FLAG_DRDBK | IDXD_OP_FLAG_DSTS)

/** Opcodes in the DSA 1.0 range that this project knows (TRANSL_FETCH, DIX_GEN are DSA 2). */
#define DSA_OPCODE_TRANSL_FETCH  0x0a
#define DSA_OPCODE_DIX_GEN       0x17
#define DSA_OPCODE_COUNT         256u

/** CR_DELTA: one delta record entry is a 16-bit word offset plus 8 data bytes. */
#define DSA_DELTA_ENTRY_SIZE     10u
#define DSA_DELTA_WORD_SIZE      8u
/** CR_DELTA: smallest maximum delta record size (DSA spec 8.3.8; idxd-config
 *  test/dsa.h MIN_DELTA_RECORD_SIZE) */
#define DSA_DELTA_MIN_MAX_SIZE   80u
#define DSA_FILL_PATTERN_SIZE    8u  /**< MEMFILL / COMPVAL pattern bytes (DSA 1.0) */
/** CR_DELTA: largest transfer the 16-bit word offset can address (512 KiB). */
#define DSA_DELTA_MAX_XFER       (0x10000u * DSA_DELTA_WORD_SIZE)
/** CR_DELTA result values (the `result` byte of the completion record). */
#define DSA_DELTA_RES_EQUAL      0u    /**< buffers identical */
#define DSA_DELTA_RES_DIFF       1u    /**< delta record written */
#define DSA_DELTA_RES_OVERFLOW   2u    /**< differences exceed max delta record size */

/** DUALCAST: both destinations must agree in address bits 11:0. */
#define DSA_DUALCAST_ADDR_MASK   0xfffu

/* ---- BAR0 registers ------------------------------------------------ */

#define DSA_REG_VERSION      0x00
#define DSA_REG_GENCAP       0x10
#define DSA_REG_WQCAP        0x20
#define DSA_REG_GRPCAP       0x30
#define DSA_REG_ENGCAP       0x38
#define DSA_REG_OPCAP        0x40  /**< 256-bit bitmap, bit n = opcode n */
#define DSA_REG_OPCAP_QWORDS 4
#define DSA_REG_TABLE_OFFSET 0x60
#define DSA_REG_GENCFG       0x80
#define DSA_REG_GENCTRL      0x88
#define DSA_REG_GENSTS       0x90
#define DSA_REG_INTCAUSE     0x98
#define DSA_REG_CMD          0xa0
#define DSA_REG_CMDSTS       0xa8
#define DSA_REG_CMDCAP       0xb0
#define DSA_REG_SWERR        0xc0  /**< 4 qwords */
#define DSA_REG_SWERR_QWORDS 4

#define DSA_VERSION_1_0      0x100u
#define DSA_VERSION_2_0      0x200u

/* GENCAP */
#define DSA_GENCAP_BOF              (1ull << 0)
#define DSA_GENCAP_OVERLAP_COPY     (1ull << 1)
#define DSA_GENCAP_CACHE_CTL_MEM    (1ull << 2)
#define DSA_GENCAP_CACHE_CTL_CACHE  (1ull << 3)
#define DSA_GENCAP_CMD_CAP          (1ull << 4)
#define DSA_GENCAP_DEST_READBACK    (1ull << 8)
#define DSA_GENCAP_DRAIN_READBACK   (1ull << 9)
#define DSA_GENCAP_MAX_XFER_SHIFT   16
#define DSA_GENCAP_MAX_XFER_MASK    0x1full
#define DSA_GENCAP_MAX_BATCH_SHIFT  21
#define DSA_GENCAP_MAX_BATCH_MASK   0xfull
#define DSA_GENCAP_CONFIG_EN        (1ull << 31)

/* WQCAP */
#define DSA_WQCAP_TOTAL_SIZE_MASK   0xffffull
#define DSA_WQCAP_NUM_WQS_SHIFT     16
#define DSA_WQCAP_NUM_WQS_MASK      0xffull
#define DSA_WQCAP_WQCFG_SIZE_SHIFT  24
#define DSA_WQCAP_WQCFG_SIZE_MASK   0xfu
/* WQCFG stride: 1 << (WQCAP.wqcfg_size + 5) bytes (kernel init.c idxd_read_caps,
 * IDXD_WQCFG_MIN; DPDK idxd_pci.c: wq_idx << (5 + wq_cfg_sz)). */
#define DSA_WQCFG_MIN_SHIFT         5
#define DSA_WQCAP_SHARED_MODE       (1ull << 48)
#define DSA_WQCAP_DEDICATED_MODE    (1ull << 49)
#define DSA_WQCAP_ATS               (1ull << 50)
#define DSA_WQCAP_PRIORITY          (1ull << 51)
#define DSA_WQCAP_OCCUPANCY         (1ull << 52)
#define DSA_WQCAP_PRS               (1ull << 55)

/* ENGCAP / GRPCAP */
#define DSA_GRPCAP_MAX_GROUPS       4u
#define DSA_ENGCAP_NUM_ENGINES_MASK 0xffull
#define DSA_GRPCAP_NUM_GROUPS_MASK  0xffull

/* TABLE_OFFSET: units of 0x100 bytes from BAR0 */
#define DSA_TABLE_OFFSET_UNIT       0x100u
#define DSA_TABLE_GRPCFG_MASK       0xffffull  /**< bits 0-15: GRPCFG table offset */

/* GRPCFG (per group, 64 B): WQ bitmap, engine bitmap, flags */
#define DSA_GRPCFG_SIZE             64u
#define DSA_GRPCFG_WQS_OFF          0x00u      /**< 4 qwords: bit n = WQ n */
#define DSA_GRPCFG_WQS_QWORDS       4u
#define DSA_GRPCFG_ENGINES_OFF      0x20u      /**< bit n = engine n */
#define DSA_GRPCFG_FLAGS_OFF        0x28u
#define DSA_TABLE_WQCFG_SHIFT       16     /**< bits 16-31: WQCFG table offset */
#define DSA_TABLE_WQCFG_MASK        0xffffull

/* GENSTS */
#define DSA_GENSTS_STATE_MASK       0x3u
#define DSA_DEV_STATE_DISABLED      0u
#define DSA_DEV_STATE_ENABLED       1u
#define DSA_DEV_STATE_DRAIN         2u
#define DSA_DEV_STATE_HALT          3u

/* CMD */
#define DSA_CMD_OPERAND_MASK        0xfffffu
#define DSA_CMD_SHIFT               20
#define DSA_CMD_MASK                0x1fu
#define DSA_CMD_INT_REQ             (1u << 31)
#define DSA_CMD_ENABLE_DEVICE       1u
#define DSA_CMD_DISABLE_DEVICE      2u
#define DSA_CMD_DRAIN_ALL           3u
#define DSA_CMD_ABORT_ALL           4u
#define DSA_CMD_RESET_DEVICE        5u
#define DSA_CMD_ENABLE_WQ           6u
#define DSA_CMD_DISABLE_WQ          7u
#define DSA_CMD_DRAIN_WQ            8u
#define DSA_CMD_ABORT_WQ            9u
#define DSA_CMD_RESET_WQ            10u
#define DSA_CMD_DRAIN_PASID         11u
#define DSA_CMD_ABORT_PASID         12u
/* WQ commands 7-10 (disable, drain, abort, reset WQ) take a 16-WQ bitmask in
 * operand bits 15:0 and the 16-WQ block in bits 19:16 (kernel device.c
 * idxd_wq_disable: BIT(id % 16) | ((id / 16) << 16)); enable WQ takes the index. */
#define DSA_CMD_WQ_MASK_BITS        16u
#define DSA_CMD_WQ_BLOCK_SHIFT      16u
#define DSA_CMD_WQ_BLOCK_MASK       0xfu

/* PCI configuration space (PCI Local Bus spec; Linux pci_regs.h): the device
 * masters the bus (fetches descriptors, writes records) only with Command.MASTER. */
#define DSA_PCI_CFG_VENDOR_ID       0x00u
#define DSA_PCI_CFG_DEVICE_ID       0x02u
#define DSA_PCI_CFG_COMMAND         0x04u
#define DSA_PCI_COMMAND_MEMORY      0x0002u
#define DSA_PCI_COMMAND_MASTER      0x0004u
#define DSA_PCI_COMMAND_WRITABLE    (DSA_PCI_COMMAND_MEMORY | DSA_PCI_COMMAND_MASTER)
#define DSA_PCI_VENDOR_INTEL        0x8086u
#define DSA_PCI_DEVICE_DSA1         0x0b25u

/* CMDSTS: bits 0-7 error, 8-23 result, 31 active */
#define DSA_CMDSTS_ERR_MASK         0xffu
#define DSA_CMDSTS_ACTIVE           (1u << 31)
#define DSA_CMDSTS_OK               0x00u
#define DSA_CMDSTS_INVAL_CMD        0x01u
#define DSA_CMDSTS_INVAL_WQIDX      0x02u
#define DSA_CMDSTS_HW_ERR           0x03u
#define DSA_CMDSTS_DEV_ENABLED      0x10u
#define DSA_CMDSTS_CONFIG           0x11u
#define DSA_CMDSTS_BUSMASTER_EN     0x12u  /**< enable device without PCI bus mastering */
#define DSA_CMDSTS_PASID_INVAL      0x13u
#define DSA_CMDSTS_WQ_SIZE_ERANGE   0x14u
#define DSA_CMDSTS_GRP_CONFIG       0x15u  /**< a WQ's group has no engine */
#define DSA_CMDSTS_DEV_NOT_ENABLED  0x20u
#define DSA_CMDSTS_WQ_ENABLED       0x21u
#define DSA_CMDSTS_WQ_SIZE          0x22u
#define DSA_CMDSTS_WQ_PRIOR         0x23u
#define DSA_CMDSTS_WQ_MODE          0x24u
#define DSA_CMDSTS_BOF_EN           0x25u
#define DSA_CMDSTS_PASID_EN         0x26u
#define DSA_CMDSTS_MAX_BATCH_SIZE   0x27u
#define DSA_CMDSTS_MAX_XFER_SIZE    0x28u
#define DSA_CMDSTS_WQ_NOT_ENABLED   0x30u  /**< model: disable/drain of a disabled WQ */

/* SWERR qword 0 */
#define DSA_SWERR_VALID             (1ull << 0)
#define DSA_SWERR_OVERFLOW          (1ull << 1)
#define DSA_SWERR_DESC_VALID        (1ull << 2)
#define DSA_SWERR_WQ_IDX_VALID      (1ull << 3)
#define DSA_SWERR_BATCH             (1ull << 4)
#define DSA_SWERR_FAULT_RW          (1ull << 5)
#define DSA_SWERR_PRIV              (1ull << 6)
#define DSA_SWERR_ERROR_SHIFT       8
#define DSA_SWERR_ERROR_MASK        0xffull
#define DSA_SWERR_WQ_IDX_SHIFT      16
#define DSA_SWERR_WQ_IDX_MASK       0xffull
#define DSA_SWERR_OPCODE_SHIFT      32
#define DSA_SWERR_PASID_SHIFT       40
/*
 * Software-error codes for errors that cannot be written to a completion
 * record. Codes 0x1a/0x1b reuse the completion-status values (CR address
 * translation / alignment). The WQ-level codes are the model's own choice:
 * no public source gives the hardware's values (see doc/emulated-device.md).
 */
#define DSA_SWERR_WQ_NOT_ENABLED    0x30u
#define DSA_SWERR_DWQ_OVERFLOW      0x31u
#define DSA_SWERR_CMD_WHILE_ACTIVE  0x52u  /**< CMD written while CMDSTS.active (DSA spec 9.2.12) */

/* WQCFG: dword offsets inside one WQ's config block */
#define DSA_WQCFG_SIZE              32u     /**< bytes per WQ (DSA 1.0) */
#define DSA_WQCFG_DW_SIZE           0       /**< b0-15 wq_size */
#define DSA_WQCFG_DW_THRESHOLD      1       /**< b0-15 threshold */
#define DSA_WQCFG_DW_MODE           2
#define DSA_WQCFG_DW_LIMITS         3
#define DSA_WQCFG_DW_STATE          6
#define DSA_WQCFG_DWORDS            8
#define DSA_WQCFG_SIZE_MASK         0xffffu
#define DSA_WQCFG_MODE_DEDICATED    (1u << 0)
#define DSA_WQCFG_BOF_EN            (1u << 1)
#define DSA_WQCFG_ATS_DISABLE       (1u << 2)
#define DSA_WQCFG_PRS_DISABLE       (1u << 3)
#define DSA_WQCFG_PRIORITY_SHIFT    4
#define DSA_WQCFG_PRIORITY_MASK     0xfu
#define DSA_WQCFG_PASID_SHIFT       8
#define DSA_WQCFG_PASID_EN          (1u << 28)
#define DSA_WQCFG_PRIV              (1u << 29)
#define DSA_WQCFG_MAX_XFER_MASK     0x1fu
#define DSA_WQCFG_MAX_BATCH_SHIFT   5
#define DSA_WQCFG_MAX_BATCH_MASK    0xfu
#define DSA_WQCFG_OCCUPANCY_MASK    0xffffu
#define DSA_WQCFG_STATE_SHIFT       30
#define DSA_WQ_STATE_DISABLED       0u
#define DSA_WQ_STATE_ENABLED        1u

/* Portals (BAR2): 4 pages per WQ; the user-mode portal is the limited MSI-X page. */
#define DSA_PORTAL_PAGES_PER_WQ     4u
#define DSA_PORTAL_LIMITED_PAGE     1u

#endif /* SVART_DSA_HW_DEFS_H */
