/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The kernel's side of the idxd WQ char devices, for test_idxd_cdev (see
 * cdev_kernel_model.h). Modelled strictly, as an adversary: what the kernel
 * refuses is refused with its errno, and a dedicated WQ overfilled drops
 * the descriptor (the emulated device records a software error), as the
 * hardware does. Sources: drivers/dma/idxd/cdev.c (idxd_cdev_open,
 * idxd_cdev_mmap, idxd_cdev_write, idxd_submit_user_descriptor) and
 * submit.c (idxd_enqcmds), Linux 6.10 / stable 6.9.1. */
#include <errno.h>
#include <string.h>
#include <sys/types.h>

#include "dsa_hw_defs.h"
#include "emu_dsa.h"
#include "idxd_os.h"
#include "test_common.h"
#include "cdev_kernel_model.h"

#define KM_PASID 0x51u           /* the PASID the model's kernel gives the process */
#define KM_ENQCMDS_RETRIES 32u   /* IDXD_ENQCMDS_RETRIES, drivers/dma/idxd/idxd.h */
#define KM_COMP_ALIGN_DSA 0x20u  /* idxd_submit_user_descriptor(): DSA record alignment */
#define KM_MAX_FD 1024
#define KM_WQS 2                 /* wq0.0 -> emulated WQ 0, wq0.1 -> emulated WQ 1 */
#define KM_NODE "/dsa/wq0."      /* WQ files of dsa0 under the /dev root */
#define KM_WQ_DED 0
#define KM_WQ_SHARED 1
#define KM_PRIO 1u
#define GRPCFG_BASE 0x300u       /* the emulated device's GRPCFG and WQCFG offsets */
#define WQCFG_BASE 0x400u
#define WQCFG_DW_BYTES 4u       /* WQCFG fields are numbered in dwords */
/* WQCFG limits as sysfs reports them: wq0.0 64 KiB / 16, wq0.1 1 MiB / 32. */
#define KM_LIMITS_DED (16u | (4u << DSA_WQCFG_MAX_BATCH_SHIFT))
#define KM_LIMITS_SHARED (20u | (5u << DSA_WQCFG_MAX_BATCH_SHIFT))

/* ---- state ---- */
struct emu_dsa *km_emu;
struct cdev_km km;
static const char *devroot;
static int8_t wq_of_fd[KM_MAX_FD]; /* emulated WQ + 1 of an open WQ file, else 0 */
static unsigned int opens[KM_WQS], binds;

static int
km_wq(const char *path)
{
	size_t l = strlen(devroot), n = strlen(KM_NODE);
	const char *q = path + l + n;

	if (strncmp(path, devroot, l) != 0 || strncmp(path + l, KM_NODE, n) != 0)
		return -1;
	return q[0] >= '0' && q[0] < '0' + KM_WQS && q[1] == '\0' ? q[0] - '0' : -1;
}

static int
km_wq_of(int fd)
{
	return fd >= 0 && fd < KM_MAX_FD ? wq_of_fd[fd] - 1 : -1;
}

/* idxd_submit_user_descriptor() */
static int
km_submit(int wq, const struct dsa_hw_desc *u)
{
	struct dsa_hw_desc d __attribute__((aligned(DSA_DESC_SIZE)));

	memcpy(&d, u, sizeof(d)); /* copy_from_user */
	if (d.opcode == DSA_OPCODE_BATCH && !km.safe && !km.dsa2) {
		km.refused++;
		return -EINVAL;
	}
	if (d.completion_addr % KM_COMP_ALIGN_DSA != 0) {
		km.refused++;
		return -EINVAL;
	}
	if (wq == KM_WQ_DED) {
		emu_dsa_portal_movdir64b(km_emu, (uint16_t)wq, &d); /* posted: full WQ drops it */
	} else {
		unsigned int r;

		d.priv = 0;
		d.pasid = KM_PASID;
		for (r = 0; r <= KM_ENQCMDS_RETRIES; r++) /* idxd_enqcmds() */
			if (emu_dsa_portal_enqcmd(km_emu, (uint16_t)wq, &d, KM_PASID) == 0)
				break;
		if (r > KM_ENQCMDS_RETRIES) {
			km.eagain++;
			return -EAGAIN;
		}
	}
	km.descs++;
	km.batches += d.opcode == DSA_OPCODE_BATCH;
	return 0;
}

/* idxd_cdev_write(): len / 64 descriptors; the first refusal ends the call. */
static ssize_t
km_write(int wq, const void *buf, size_t n)
{
	ssize_t written = 0;

	for (size_t i = 0; i < n / sizeof(struct dsa_hw_desc); i++) {
		int rc = km_submit(wq, (const struct dsa_hw_desc *)buf + i);

		if (rc != 0)
			return written != 0 ? written : rc;
		written += (ssize_t)sizeof(struct dsa_hw_desc);
	}
	return written;
}

/* ---- the OS table: the model, and error injection ---- */
static const struct idxd_os_ops *real_os;

static int
fake_open(const char *path, int flags)
{
	int wq = km_wq(path), fd;

	if (km.fail_open != 0 && strstr(path, "/dsa/wq") != NULL && strstr(path, "bus") == NULL)
		return km.fail_open;
	fd = real_os->open(path, flags);
	if (fd < 0 || wq < 0)
		return fd;
	assert_true(fd < KM_MAX_FD);
	/* idxd_cdev_open(): a dedicated WQ takes one client; the process is bound. */
	if (wq == KM_WQ_DED && opens[wq] > 0) {
		real_os->close(fd);
		return -EBUSY;
	}
	if (binds++ == 0)
		assert_int_equal(emu_dsa_pasid_bind(km_emu, KM_PASID), 0);
	opens[wq]++;
	wq_of_fd[fd] = (int8_t)(wq + 1);
	return fd;
}

static int
fake_close(int fd)
{
	int wq = km_wq_of(fd);

	if (wq >= 0) {
		wq_of_fd[fd] = 0;
		opens[wq]--;
		if (--binds == 0)
			assert_int_equal(emu_dsa_pasid_unbind(km_emu, KM_PASID), 0);
	}
	return real_os->close(fd);
}

static void *
fake_mmap(size_t len, int prot, int fd, off_t off, int *err)
{
	if (km.fail_mmap != 0) {
		*err = km.fail_mmap;
		return NULL;
	}
	/* idxd_cdev_mmap(): the INTEL-SA-01084 check. */
	if (km_wq_of(fd) >= 0 && !km.safe && !km.rawio) {
		*err = -EPERM;
		return NULL;
	}
	return real_os->mmap(len, prot, fd, off, err);
}

static ssize_t
fake_write(int fd, const void *buf, size_t n)
{
	int wq = km_wq_of(fd);

	return wq >= 0 ? km_write(wq, buf, n) : real_os->write(fd, buf, n);
}

static struct idxd_os_ops fake_os;

static uint32_t
emu_cmd(uint32_t c, uint32_t operand)
{
	return emu_dsa_cmd(km_emu, c, operand);
}

static void
emu_wqcfg(uint16_t wq, uint32_t size, uint32_t thr, uint32_t mode, uint32_t limits)
{
	uint32_t b = WQCFG_BASE + wq * DSA_WQCFG_SIZE;

	emu_dsa_mmio_write32(km_emu, b + DSA_WQCFG_DW_SIZE * WQCFG_DW_BYTES, size);
	emu_dsa_mmio_write32(km_emu, b + DSA_WQCFG_DW_THRESHOLD * WQCFG_DW_BYTES, thr);
	emu_dsa_mmio_write32(km_emu, b + DSA_WQCFG_DW_MODE * WQCFG_DW_BYTES, mode);
	emu_dsa_mmio_write32(km_emu, b + DSA_WQCFG_DW_LIMITS * WQCFG_DW_BYTES, limits);
}

/* The device as accel-config and the kernel left it for the sysfs tree:
 * wq0.0 dedicated (the kernel writes the process PASID to its WQCFG when
 * the file is opened), wq0.1 shared with block-on-fault. */
static int
emu_setup(void)
{
	struct emu_dsa_profile p;
	int err;

	emu_dsa_profile_default(&p);
	p.num_wqs = 4;
	p.engine_mode = EMU_DSA_ENGINE_MANUAL;
	km_emu = emu_dsa_create("cdev_kernel", &p, &err);
	if (km_emu == NULL)
		return -1;
	emu_dsa_mmio_write64(km_emu, GRPCFG_BASE + DSA_GRPCFG_WQS_OFF, 0x3);
	emu_dsa_mmio_write64(km_emu, GRPCFG_BASE + DSA_GRPCFG_ENGINES_OFF, 1);
	emu_dsa_pci_cfg_write16(km_emu, DSA_PCI_CFG_COMMAND, DSA_PCI_COMMAND_WRITABLE);
	if (emu_cmd(DSA_CMD_ENABLE_DEVICE, 0) != DSA_CMDSTS_OK)
		return -1;
	emu_wqcfg(KM_WQ_DED, KM_DED_SIZE, 0, DSA_WQCFG_MODE_DEDICATED | DSA_WQCFG_PASID_EN |
		  (KM_PASID << DSA_WQCFG_PASID_SHIFT) | (KM_PRIO << DSA_WQCFG_PRIORITY_SHIFT),
		  KM_LIMITS_DED);
	emu_wqcfg(KM_WQ_SHARED, KM_SHARED_SIZE, KM_SHARED_SIZE, DSA_WQCFG_BOF_EN |
		  (KM_PRIO << DSA_WQCFG_PRIORITY_SHIFT), KM_LIMITS_SHARED);
	if (emu_cmd(DSA_CMD_ENABLE_WQ, KM_WQ_DED) != DSA_CMDSTS_OK ||
	    emu_cmd(DSA_CMD_ENABLE_WQ, KM_WQ_SHARED) != DSA_CMDSTS_OK)
		return -1;
	return 0;
}

int
km_setup(const char *dev_root)
{
	devroot = dev_root;
	if (emu_setup() != 0)
		return -1;
	real_os = idxd_os;
	fake_os = *idxd_os;
	fake_os.open = fake_open;
	fake_os.close = fake_close;
	fake_os.mmap = fake_mmap;
	fake_os.write = fake_write;
	idxd_os_set(&fake_os);
	return 0;
}

void
km_teardown(void)
{
	idxd_os_set(NULL);
	emu_dsa_destroy(km_emu);
	km_emu = NULL;
}
