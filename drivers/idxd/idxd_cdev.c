/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The kernel idxd char-device transport (driver "idxd_cdev"): work queues
 * configured by the kernel driver (accel-config) are found in sysfs, opened as
 * /dev/dsa/wqD.Q (the kernel binds the process and assigns its PASID), and
 * their limited portal is mapped; descriptors go out with MOVDIR64B
 * (dedicated) or ENQCMD (shared). The kernel resolves device page faults on
 * this path; partial completions are resumed by the PMD (resume policy).
 *
 * When the kernel refuses the portal mapping (kernels with the INTEL-SA-01084
 * fix: a caller without CAP_SYS_RAWIO on a part not safe for direct user
 * submission), each descriptor is handed to the kernel with write() on the WQ
 * file instead, and the kernel's rules for that path apply (see
 * cdev_write_desc() and probe_submit_mode()).
 *
 * Devargs: idxd_cdev<suffix>[,dev=dsaN]  (default: the first DSA device with
 * enabled user WQs). Paths move with SVART_SYSFS_ROOT / SVART_DEV_ROOT.
 * SVART_IDXD_PORTAL_FALLBACK=1 lets a CPU without MOVDIR64B/ENQCMD use plain
 * stores: only for tests against a fake portal, never for a device. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_atomic.h>
#include <rte_common.h>

#include "idxd_cdev.h"
#include "idxd_internal.h"
#include "idxd_os.h"
#include "idxd_portal.h"

#define CDEV_PORTAL_SIZE 4096u
/* Descriptors written to the WQ file per write() call: one, so that a
 * refusal is never a partial write (idxd_cdev_write() stops at the first
 * descriptor it cannot submit and reports the bytes before it). */
#define CDEV_WRITE_DESCS 1u
#define CDEV_NO_ERR 1 /* no write() error yet: write() returns bytes or -errno, never 1 */

struct cdev_portal {
	volatile void *map;           /* NULL in write() mode */
	int fd;
	bool fallback;
	int last_err;                 /* last write() error logged (once each), or
				       * CDEV_NO_ERR */
	const char *wq;
};

static uint64_t
cdev_rd64(void *h, uint32_t off)
{
	struct cdev_hw *hw = h;

	switch (off) {
	case DSA_REG_GENCAP: return hw->gencap;
	case DSA_REG_WQCAP: return hw->wqcap;
	default: break;
	}
	if (off >= DSA_REG_OPCAP && off < DSA_REG_OPCAP + 8 * DSA_REG_OPCAP_QWORDS)
		return hw->opcap[(off - DSA_REG_OPCAP) / 8];
	return 0; /* BAR0 is the kernel's on this path */
}

static uint32_t
cdev_rd32(void *h, uint32_t off)
{
	return (uint32_t)cdev_rd64(h, off);
}

static void
cdev_wr32(void *h, uint32_t off, uint32_t val)
{
	(void)h;
	(void)off;
	(void)val;
}

static int
cdev_movdir64b(void *portal, const struct dsa_hw_desc *d)
{
	struct cdev_portal *p = portal;

	if (p->fallback)
		idxd_store64_fallback(p->map, d);
	else
		idxd_movdir64b(p->map, d);
	return 0;
}

static int
cdev_enqcmd(void *portal, const struct dsa_hw_desc *d)
{
	struct cdev_portal *p = portal;

	if (p->fallback) {
		idxd_store64_fallback(p->map, d);
		return 0;
	}
	return idxd_enqcmd(p->map, d);
}

/*
 * write() mode: the kernel submits the descriptor for us. Its rules
 * (drivers/dma/idxd/cdev.c, idxd_cdev_write() and
 * idxd_submit_user_descriptor(); merged for Linux 6.10, in stable 6.9.1
 * and the other INTEL-SA-01084 backports):
 *  - the buffer is taken as len / 64 descriptors (a shorter write submits
 *    nothing and returns 0; trailing bytes are ignored); the first refusal
 *    ends the call: the bytes before it, or its errno if it was the first;
 *  - -EINVAL for BATCH on a DSA not safe for user submission (narrowed to
 *    DSA 1 by the 2025 patch "Narrow the restriction on BATCH to ver. 1
 *    only"; sysfs op_cap hides BATCH under the same condition, see
 *    cdev_batch_min()) and for a completion address not 32-byte aligned
 *    (svart's records are DSA_COMP_ALIGN aligned);
 *  - dedicated WQ: a posted MOVDIR64B, no feedback (a full WQ drops it: the
 *    PMD's credits keep it from filling); shared WQ: the kernel sets the
 *    PASID, clears priv and retries ENQCMDS wq->enqcmds_retries times, then
 *    returns -EAGAIN: "retry later", exactly as a refused ENQCMD.
 *  - -EPERM from a process other than the one that opened the file (a 2025
 *    current->mm check, in stable backports); svart's fork check (-EPERM
 *    from submit in a forked child) stops that earlier.
 */
static int
cdev_write_desc(void *portal, const struct dsa_hw_desc *d)
{
	struct cdev_portal *p = portal;
	ssize_t n;

	/* SFENCE: the kernel reads the descriptor and issues MOVDIR64B/ENQCMDS
	 * without a store fence of its own; the descriptor ring and records
	 * written before this call must be visible to the device first. */
	rte_wmb();
	n = idxd_os->write(p->fd, d, CDEV_WRITE_DESCS * sizeof(*d));
	if (n == (ssize_t)(CDEV_WRITE_DESCS * sizeof(*d)))
		return 0;
	if (n == -EAGAIN)
		return 1; /* shared WQ full: nothing submitted, try again later */
	/* Not expected (svart refuses what the kernel would before writing):
	 * keep the op queued (retry), and say why once. */
	if (n != p->last_err) {
		p->last_err = (int)n;
		IDXD_LOG(ERR, "idxd_cdev: write() of a descriptor to %s: %s", p->wq,
			 n < 0 ? strerror((int)-n) : "short write");
	}
	return 1;
}

static int
cdev_portal_open(void *h, uint16_t w, bool shared, uint32_t pasid, void **portal,
		 idxd_portal_write_t *write)
{
	struct cdev_hw *hw = h;
	struct cdev_portal *p;
	const char *missing = NULL;
	char path[CDEV_PATH_MAX];
	int fd, err = 0;
	void *map = NULL;

	(void)pasid; /* the kernel bound the process when the WQ was opened */
	/* In write() mode the kernel executes MOVDIR64B/ENQCMDS: no CPU check. */
	if (!hw->write_mode && !hw->fallback_stores &&
	    idxd_portal_cpu_check(shared, &missing) != 0) {
		IDXD_LOG(ERR, "idxd_cdev: this CPU lacks %s, needed to submit to %s", missing,
			 hw->wq[w].name);
		return -ENOTSUP;
	}
	/* CPUID is not enough for ENQCMD: the kernel must manage IA32_PASID
	 * for user space, and says so by listing the flag (arch/x86: it clears
	 * X86_FEATURE_ENQCMD otherwise). */
	if (!hw->write_mode && !hw->fallback_stores && shared &&
	    !idxd_kernel_cpu_flag("enqcmd")) {
		IDXD_LOG(ERR, "idxd_cdev: the kernel does not enable ENQCMD for user space (no "
			 "'enqcmd' in /proc/cpuinfo flags): shared WQ %s cannot be used; use a "
			 "dedicated WQ, or a kernel that supports ENQCMD with a process PASID",
			 hw->wq[w].name);
		return -ENOTSUP;
	}
	snprintf(path, sizeof(path), "%s/dsa/%s", idxd_dev_root(), hw->wq[w].name);
	fd = idxd_os->open(path, O_RDWR);
	if (fd < 0) {
		if (fd == -EACCES || fd == -EPERM)
			IDXD_LOG(ERR, "idxd_cdev: no permission to open %s: give this user read-write "
				 "access to it (its group, or root)", path);
		else if (fd == -EBUSY)
			IDXD_LOG(ERR, "idxd_cdev: %s is a dedicated WQ already opened by another "
				 "process", path);
		else if (fd == -ENOENT || fd == -ENODEV || fd == -ENXIO)
			IDXD_LOG(ERR, "idxd_cdev: %s missing: the WQ is not enabled as a user WQ", path);
		else
			IDXD_LOG(ERR, "idxd_cdev: open %s: %s", path, strerror(-fd));
		return fd;
	}
	if (!hw->write_mode)
		map = idxd_os->mmap(CDEV_PORTAL_SIZE, PROT_WRITE, fd, 0, &err);
	if (map == NULL && !hw->write_mode) {
		if (err == -EPERM || err == -EACCES)
			IDXD_LOG(ERR, "idxd_cdev: mapping the portal of %s was refused, though it "
				 "was allowed when the device was probed (CAP_SYS_RAWIO dropped "
				 "since?): probe the device again to submit with write()", path);
		else
			IDXD_LOG(ERR, "idxd_cdev: mmap %s: %s", path, strerror(-err));
		idxd_os->close(fd);
		return err;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		idxd_os->munmap(map, CDEV_PORTAL_SIZE);
		idxd_os->close(fd);
		return -ENOMEM;
	}
	p->map = map;
	p->fd = fd;
	p->fallback = hw->fallback_stores;
	p->wq = hw->wq[w].name;
	p->last_err = CDEV_NO_ERR;
	*portal = p;
	*write = hw->write_mode ? cdev_write_desc : shared ? cdev_enqcmd : cdev_movdir64b;
	return 0;
}

static void
cdev_portal_close(void *h, void *portal)
{
	struct cdev_portal *p = portal;

	(void)h;
	/* Closing the file drains the WQ for this process and unbinds it (kernel). */
	if (p->map != NULL)
		idxd_os->munmap((void *)p->map, CDEV_PORTAL_SIZE);
	idxd_os->close(p->fd);
	free(p);
}

static int
cdev_pasid_bind(void *h, uint32_t pasid)
{
	(void)h;
	(void)pasid;
	return 0; /* opening the WQ binds the process; the kernel owns the PASID */
}

static int
cdev_pasid_unbind(void *h, uint32_t pasid)
{
	(void)h;
	(void)pasid;
	return 0;
}

static bool
cdev_pasid_drained(void *h, uint32_t pasid)
{
	(void)h;
	(void)pasid;
	return true; /* closing the file drained it */
}

static int
cdev_invalidate(void *h, uintptr_t addr, size_t len)
{
	(void)h;
	(void)addr;
	(void)len;
	return 0; /* the kernel's MMU notifiers do it */
}

static int
cdev_wq_fixed(void *h, uint16_t w, struct idxd_wq_fixed *out)
{
	struct cdev_hw *hw = h;

	if (w >= hw->nb_wqs)
		return -EINVAL;
	out->shared = hw->wq[w].shared;
	out->bof = hw->wq[w].bof;
	/* A shared WQ takes descriptors up to its threshold from user portals. */
	out->size = hw->wq[w].shared ? hw->wq[w].threshold : hw->wq[w].size;
	snprintf(out->name, sizeof(out->name), "%s", hw->wq[w].name);
	return 0;
}

static void
cdev_close(void *h)
{
	free(h);
}

static const struct idxd_transport idxd_cdev_transport = {
	.name = "kernel idxd char device (portal mmap)",
	.reg_read64 = cdev_rd64,
	.reg_read32 = cdev_rd32,
	.reg_write32 = cdev_wr32,
	.portal_open = cdev_portal_open,
	.portal_close = cdev_portal_close,
	.pasid_bind = cdev_pasid_bind,
	.pasid_unbind = cdev_pasid_unbind,
	.pasid_drained = cdev_pasid_drained,
	.invalidate = cdev_invalidate,
	.wq_fixed = cdev_wq_fixed,
	.close = cdev_close,
};

/* The same transport under another name: the submission mode shows in the
 * device dump. Filled once at load, read-only after. */
static struct idxd_transport idxd_cdev_write_transport;

RTE_INIT(idxd_cdev_write_transport_init)
{
	idxd_cdev_write_transport = idxd_cdev_transport;
	idxd_cdev_write_transport.name = "kernel idxd char device (write() submission)";
}

/*
 * How this process may submit to the device. idxd_cdev_mmap()
 * (drivers/dma/idxd/cdev.c) refuses the portal with -EPERM when
 * !idxd->user_submission_safe && !capable(CAP_SYS_RAWIO) -- every DSA and
 * IAA since the INTEL-SA-01084 fix (merged for Linux 6.10, in stable 6.9.1
 * and older stable series) -- before any check of the WQ or the VMA: one WQ
 * of the device answers for all. Those kernels added write() on the WQ file
 * for that case. If no WQ opens here (a dedicated one in use elsewhere), the
 * portal is assumed and start reports what the kernel says then.
 */
static void
probe_submit_mode(struct cdev_hw *hw)
{
	char path[CDEV_PATH_MAX];

	for (uint16_t w = 0; w < hw->nb_wqs; w++) {
		int fd, err = 0;
		void *map;

		snprintf(path, sizeof(path), "%s/dsa/%s", idxd_dev_root(), hw->wq[w].name);
		fd = idxd_os->open(path, O_RDWR);
		if (fd < 0)
			continue;
		map = idxd_os->mmap(CDEV_PORTAL_SIZE, PROT_WRITE, fd, 0, &err);
		if (map != NULL)
			idxd_os->munmap(map, CDEV_PORTAL_SIZE);
		idxd_os->close(fd);
		hw->write_mode = map == NULL && err == -EPERM;
		return;
	}
	IDXD_LOG(WARNING, "idxd_cdev: no user WQ of %s could be opened to find the submission "
		 "mode: assuming the portal can be mapped", hw->dev);
}

/* Smallest burst sent as a BATCH. In write() mode, BATCH goes only where the
 * kernel takes it: op_cap_show_common() (drivers/dma/idxd/sysfs.c) hides the
 * BATCH bit of op_cap under the same condition idxd_submit_user_descriptor()
 * refuses it with -EINVAL. Through a mapped portal the device takes BATCH. */
static uint16_t
cdev_batch_min(const struct cdev_hw *hw)
{
	bool batch_ok = (hw->opcap[DSA_OPCODE_BATCH / 64] >> (DSA_OPCODE_BATCH % 64)) & 1;

	return hw->write_mode && !batch_ok ? IDXD_BATCH_MIN_NEVER : IDXD_CDEV_BATCH_MIN;
}

static const char *const idxd_cdev_keys[] = { "dev", NULL };

static int
idxd_cdev_probe(struct svart_accel_dev *dev, const struct rte_kvargs *kv)
{
	struct cdev_hw *hw = calloc(1, sizeof(*hw));
	const char *want = NULL, *fb = getenv("SVART_IDXD_PORTAL_FALLBACK");
	int rc;

	if (hw == NULL)
		return -ENOMEM;
	if (kv != NULL)
		rte_kvargs_process(kv, "dev", idxd_kv_str, &want);
	if (want != NULL && (strncmp(want, "dsa", 3) != 0 || strlen(want) >= sizeof(hw->dev))) {
		free(hw);
		return -EINVAL;
	}
	hw->fallback_stores = fb != NULL && strcmp(fb, "1") == 0;
	rc = idxd_cdev_pick_device(hw, want);
	if (rc != 0) {
		free(hw);
		return rc;
	}
	idxd_cdev_load_caps(hw);
	probe_submit_mode(hw);
	rc = idxd_dev_init(dev, hw->write_mode ? &idxd_cdev_write_transport : &idxd_cdev_transport,
			   hw, cdev_batch_min(hw));
	if (rc != 0) {
		free(hw);
		return rc;
	}
	((struct idxd_dev *)dev->priv)->numa_node = hw->numa_node;
	if (hw->write_mode)
		IDXD_LOG(NOTICE, "%s: %s with %u user WQ(s): submission by write() to the WQ "
			 "file (the kernel refused the portal mmap: CAP_SYS_RAWIO is needed on "
			 "this part, INTEL-SA-01084); hardware batches %s", dev->name, hw->dev,
			 hw->nb_wqs, cdev_batch_min(hw) == IDXD_BATCH_MIN_NEVER ?
			 "off (the kernel refuses BATCH here)" : "on");
	else
		IDXD_LOG(NOTICE, "%s: %s with %u user WQ(s): submission through the mapped portal",
			 dev->name, hw->dev, hw->nb_wqs);
	return 0;
}

static const struct svart_accel_driver idxd_cdev_driver = {
	.abi = SVART_ACCEL_DRIVER_ABI,
	.name = "idxd_cdev",
	.valid_keys = idxd_cdev_keys,
	.probe = idxd_cdev_probe,
};

SVART_ACCEL_REGISTER_DRIVER(idxd_cdev_driver);
