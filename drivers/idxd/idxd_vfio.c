/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The VFIO device-cdev + iommufd transport (driver "idxd_vfio").
 *
 * Bring-up: find the DSA function bound to vfio-pci in sysfs, open /dev/iommu
 * and /dev/vfio/devices/vfioN, SVART_VFIO_DEVICE_BIND_IOMMUFD, allocate an IOAS, a
 * fault queue and a fault-capable, PASID-capable page table on that IOAS; the
 * SVA bind attaches it to the process's PASID. BAR0 (registers) is reached
 * with pread/pwrite on the device fd, BAR2 (portals) is mapped.
 *
 * Address space: the IOAS mirrors the process (IOVA == VA). Queue memory
 * (descriptor rings, completion records) is mapped when the queue is set up
 * and again after an unmap-all; the rest is filled on demand: page requests
 * arrive on the fault fd (whole groups), the fault service populates the
 * pages, this transport maps them into the IOAS and writes the group
 * response; RESUME/REPORT resolutions map through the resolve hook. What is
 * mapped, and how it is kept consistent with the process's munmap, mremap
 * and MADV_DONTNEED and under RLIMIT_MEMLOCK: idxd_vfio_ioas.h.
 *
 * Unbind: DRAIN_PASID (the fault service keeps answering while the device
 * drains), detach the PASID (the kernel drops what is left for it), unmap the
 * IOAS. A response is never written for a PASID after it was detached.
 *
 * SVART_IDXD_PORTAL_PWRITE=1 writes descriptors with pwrite() at the portal's
 * offset instead of MOVDIR64B/ENQCMD to the mapping: only for the fake kernel
 * of the tests. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_spinlock.h>

#include "idxd_internal.h"
#include "idxd_os.h"
#include "idxd_portal.h"
#include "svart_uapi_iommu.h"
#include "idxd_vfio_ioas.h"
#include "idxd_vfio_mm.h"

#define VFIO_PAGE 4096u
#define VFIO_PATH_MAX 512
#define VFIO_INTEL_VENDOR 0x8086u
#define VFIO_BAR0 SVART_VFIO_PCI_BAR0_REGION_INDEX
#define VFIO_BAR2 SVART_VFIO_PCI_BAR2_REGION_INDEX
#define VFIO_CONFIG SVART_VFIO_PCI_CONFIG_REGION_INDEX
#define VFIO_GROUPS_INIT 64      /* group table entries at first (grows) */
#define VFIO_GROUP_PAGES_INIT 16 /* pages of a group at first (grows) */
/* Records read from the fault fd at once. The kernel hands out whole groups
 * only, and returns 0 when the next group does not fit the buffer (iommufd
 * fault.c iommufd_fault_fops_read): the buffer bounds the largest group. */
#define VFIO_READ_RECS 512
#define VFIO_BATCH_MIN 2u

/* PCI device IDs of DSA functions. */
static const uint16_t dsa_device_ids[] = { 0x0b25, 0x11fb, 0x1212 };

struct vfio_page {
	uint64_t addr;
	bool write;
};

/* A page-request group read from the fault fd and not yet answered: every
 * record of a group carries the group's cookie (one response, for all). */
struct vfio_group {
	bool used;
	uint32_t pasid, grpid, cookie;
	uint32_t n, cap;
	struct vfio_page *pg;
};

struct vfio_hw {
	char bdf[32];
	int iommufd, devfd, faultfd;
	uint32_t dev_id, ioas_id, hwpt_id, fault_id;
	uint64_t bar0_off, bar2_off, bar2_size, cfg_off;
	void *bar2;
	bool pwrite_portals;
	bool attached;
	bool notify;                  /* keep the IOAS consistent (devarg notify=) */
	struct vfio_ioas *ioas;
	/* Raised while the notifier drops IOAS areas: portal writes wait. */
	const volatile uint32_t *fence;
	uint64_t rd_errors;           /* failed register reads */
	uint32_t pasid;
	int numa_node;
	/* Fault service (reader, responder) and unbind (forget) share the groups. */
	rte_spinlock_t grp_lock;
	struct vfio_group *grp;
	uint32_t nb_grp;
	/* Records read but not yet handed to the fault service. */
	struct svart_iommu_hwpt_pgfault rec[VFIO_READ_RECS];
	uint32_t rec_n, rec_pos;
};

struct vfio_portal {
	struct vfio_hw *hw;
	uint64_t off;                 /* offset of the portal in BAR2 */
	volatile void *map;
};

static int
vio(struct vfio_hw *hw, int fd, unsigned long req, void *arg, const char *what)
{
	int rc = idxd_os->ioctl(fd, req, arg);

	if (rc < 0)
		IDXD_LOG(ERR, "idxd_vfio %s: %s failed: %s", hw->bdf, what, strerror(-rc));
	return rc < 0 ? rc : 0;
}

/* ---- registers (BAR0 through the device fd) ---- */

/* A register read that fails returns all ones, as a read from a device that
 * fell off the bus does: never a plausible value (CMDSTS 0 would say
 * "command succeeded"). The first failure is logged. */
static void
vfio_rd_failed(struct vfio_hw *hw, uint32_t off, ssize_t rc)
{
	if (hw->rd_errors++ == 0)
		IDXD_LOG(ERR, "idxd_vfio %s: reading register %#x failed (%s): the device is "
			 "unreachable (reset, unbound from vfio-pci, or removed)", hw->bdf, off,
			 rc < 0 ? strerror((int)-rc) : "short read");
}

static uint64_t
vfio_rd64(void *h, uint32_t off)
{
	struct vfio_hw *hw = h;
	uint64_t v = 0;
	ssize_t rc = idxd_os->pread(hw->devfd, &v, sizeof(v), (off_t)(hw->bar0_off + off));

	if (rc != sizeof(v)) {
		vfio_rd_failed(hw, off, rc);
		return UINT64_MAX;
	}
	return v;
}

static uint32_t
vfio_rd32(void *h, uint32_t off)
{
	struct vfio_hw *hw = h;
	uint32_t v = 0;
	ssize_t rc = idxd_os->pread(hw->devfd, &v, sizeof(v), (off_t)(hw->bar0_off + off));

	if (rc != sizeof(v)) {
		vfio_rd_failed(hw, off, rc);
		return UINT32_MAX;
	}
	return v;
}

static void
vfio_wr32(void *h, uint32_t off, uint32_t val)
{
	struct vfio_hw *hw = h;

	(void)idxd_os->pwrite(hw->devfd, &val, sizeof(val), (off_t)(hw->bar0_off + off));
}

/* ---- portals (BAR2) ---- */

static int
vfio_portal_pwrite(const struct vfio_portal *p, const struct dsa_hw_desc *d)
{
	ssize_t r = idxd_os->pwrite(p->hw->devfd, d, sizeof(*d), (off_t)(p->hw->bar2_off + p->off));

	return r == (ssize_t)sizeof(*d) ? 0 : 1;
}

static int
vfio_movdir64b(void *portal, const struct dsa_hw_desc *d)
{
	struct vfio_portal *p = portal;

	vfio_mm_wait_idle(p->hw->fence);
	if (p->map == NULL) {
		(void)vfio_portal_pwrite(p, d); /* posted write: no feedback, as MOVDIR64B */
		return 0;
	}
	idxd_movdir64b(p->map, d);
	return 0;
}

static int
vfio_enqcmd(void *portal, const struct dsa_hw_desc *d)
{
	struct vfio_portal *p = portal;

	vfio_mm_wait_idle(p->hw->fence);
	if (p->map == NULL)
		return vfio_portal_pwrite(p, d);
	return idxd_enqcmd(p->map, d);
}

static int
vfio_portal_open(void *h, uint16_t wq, bool shared, uint32_t pasid, void **portal,
		 idxd_portal_write_t *write)
{
	struct vfio_hw *hw = h;
	struct vfio_portal *p;
	const char *missing = NULL;
	uint64_t off = ((uint64_t)wq * DSA_PORTAL_PAGES_PER_WQ + DSA_PORTAL_LIMITED_PAGE) * VFIO_PAGE;

	(void)pasid;
	if (!hw->pwrite_portals && idxd_portal_cpu_check(shared, &missing) != 0) {
		IDXD_LOG(ERR, "idxd_vfio %s: this CPU lacks %s", hw->bdf, missing);
		return -ENOTSUP;
	}
	if (off + VFIO_PAGE > hw->bar2_size)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->hw = hw;
	p->off = off;
	p->map = hw->bar2 != NULL ? (volatile uint8_t *)hw->bar2 + off : NULL;
	*portal = p;
	*write = shared ? vfio_enqcmd : vfio_movdir64b;
	return 0;
}

static void
vfio_portal_close(void *h, void *portal)
{
	(void)h;
	free(portal);
}

/* ---- PASID ---- */

static const struct idxd_transport idxd_vfio_transport;

static int
vfio_pasid_bind(void *h, uint32_t pasid)
{
	struct vfio_hw *hw = h;
	struct svart_vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at), .flags = SVART_VFIO_DEVICE_ATTACH_PASID, .pt_id = hw->hwpt_id,
		.pasid = pasid,
	};
	int rc = vio(hw, hw->devfd, SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at, "SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT(PASID)");

	if (rc == -EINVAL || rc == -EOPNOTSUPP)
		IDXD_LOG(ERR, "idxd_vfio %s: PASID attach refused: needs Linux >= %s with an "
			 "IOMMU in scalable mode (intel_iommu=on,sm_on) and a PASID-capable device",
			 hw->bdf, SVART_KVER_PASID_PAGING);
	if (rc == 0) {
		hw->attached = true;
		hw->pasid = pasid;
		/* Queue memory again after an unbind emptied the IOAS. */
		rc = vfio_ioas_remap_queues(hw->ioas);
		if (rc != 0)
			IDXD_LOG(ERR, "idxd_vfio %s: cannot map queue memory into the IOAS: %s",
				 hw->bdf, strerror(-rc));
	}
	return rc;
}

static void
vfio_forget_groups(struct vfio_hw *hw, uint32_t pasid)
{
	rte_spinlock_lock(&hw->grp_lock);
	for (uint32_t g = 0; g < hw->nb_grp; g++)
		if (hw->grp[g].used && hw->grp[g].pasid == pasid)
			hw->grp[g].used = false;
	rte_spinlock_unlock(&hw->grp_lock);
}

static int
vfio_pasid_unbind(void *h, uint32_t pasid)
{
	struct vfio_hw *hw = h;
	struct svart_vfio_device_detach_iommufd_pt dt = {
		.argsz = sizeof(dt), .flags = SVART_VFIO_DEVICE_DETACH_PASID, .pasid = pasid,
	};
	uint32_t sts;
	int rc;

	/* The kernel's order (idxd_device_drain_pasid before the PASID is
	 * detached, cdev.c idxd_cdev_release): the device must stop using the
	 * PASID before its page table goes.
	 * 1. Drain PASID: what the device holds for it finishes (its page
	 *    requests are answered by the fault service, still running).
	 * 2. Detach: no page request arrives for the PASID any more, and the groups
	 *    still held are forgotten: never answered for a later owner.
	 * 3. Unmap the IOAS (unpins). The PASID number stays in quarantine until
	 *    vfio_pasid_drained() has seen a later DRAIN_PASID complete. */
	sts = idxd_cmd_exec(&idxd_vfio_transport, hw, DSA_CMD_DRAIN_PASID, pasid);
	if (sts != DSA_CMDSTS_OK)
		IDXD_LOG(ERR, "idxd_vfio %s: Drain PASID %u failed (CMDSTS 0x%x); detaching anyway",
			 hw->bdf, pasid, sts);
	rc = vio(hw, hw->devfd, SVART_VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt, "SVART_VFIO_DEVICE_DETACH_IOMMUFD_PT");
	vfio_forget_groups(hw, pasid);
	hw->attached = false;
	vfio_ioas_clear(hw->ioas);
	return rc;
}

static bool
vfio_pasid_drained(void *h, uint32_t pasid)
{
	struct vfio_hw *hw = h;
	uint32_t sts = DSA_CMDSTS_ACTIVE;

	if (hw->attached && hw->pasid == pasid)
		return false;
	/* DRAIN_PASID: the device has nothing left in flight for the PASID. */
	vfio_wr32(hw, DSA_REG_CMD, (DSA_CMD_DRAIN_PASID << DSA_CMD_SHIFT) | (pasid & DSA_CMD_OPERAND_MASK));
	for (uint32_t i = 0; i < IDXD_CMD_POLL_LIMIT && (sts & DSA_CMDSTS_ACTIVE); i++)
		sts = vfio_rd32(hw, DSA_REG_CMDSTS);
	return !(sts & DSA_CMDSTS_ACTIVE) && (sts & DSA_CMDSTS_ERR_MASK) == DSA_CMDSTS_OK;
}

static int
vfio_invalidate(void *h, uintptr_t addr, size_t len)
{
	struct vfio_hw *hw = h;

	/* Whole areas go (the kernel refuses to cut one); what the device
	 * still needs faults in again. */
	return vfio_ioas_unmap(hw->ioas, addr, len, false);
}

static int
vfio_dma_map(void *h, void *va, size_t len)
{
	struct vfio_hw *hw = h;

	return vfio_ioas_map(hw->ioas, (uintptr_t)va, len, true, true);
}

static void
vfio_dma_unmap(void *h, void *va, size_t len)
{
	struct vfio_hw *hw = h;

	(void)vfio_ioas_unmap(hw->ioas, (uintptr_t)va, len, true);
}

static int
vfio_resolve(void *h, uint64_t addr, size_t len, bool write)
{
	struct vfio_hw *hw = h;

	return vfio_ioas_map(hw->ioas, addr, len, write, false);
}

/* ---- page requests (fault fd) ---- */

/* Map a group's pages, consecutive pages of the same access in one IOAS_MAP. */
static int
vfio_map_group(struct vfio_hw *hw, const struct vfio_page *pg, uint32_t n)
{
	int rc = 0;

	for (uint32_t i = 0, j; i < n && rc == 0; i = j) {
		for (j = i + 1; j < n && pg[j].addr == pg[j - 1].addr + VFIO_PAGE &&
				pg[j].write == pg[i].write; j++)
			;
		rc = vfio_ioas_map(hw->ioas, pg[i].addr, (uint64_t)(j - i) * VFIO_PAGE, pg[i].write,
				   false);
	}
	return rc;
}

/* The group of record r (a new one for its first page): its table index, or
 * -ENOMEM. Called with grp_lock held. */
static int
vfio_group_of(struct vfio_hw *hw, const struct svart_iommu_hwpt_pgfault *r)
{
	uint32_t free_g = hw->nb_grp;
	struct vfio_group *g;

	for (uint32_t k = 0; k < hw->nb_grp; k++) {
		if (hw->grp[k].used && hw->grp[k].cookie == r->cookie)
			return (int)k;
		if (!hw->grp[k].used && free_g == hw->nb_grp)
			free_g = k;
	}
	if (free_g == hw->nb_grp) {
		uint32_t nb = hw->nb_grp ? 2 * hw->nb_grp : VFIO_GROUPS_INIT;
		struct vfio_group *t = nb > UINT16_MAX ? NULL : realloc(hw->grp, nb * sizeof(*t));

		if (t == NULL)
			return -ENOMEM;
		memset(t + hw->nb_grp, 0, (nb - hw->nb_grp) * sizeof(*t));
		hw->grp = t;
		hw->nb_grp = nb;
	}
	g = &hw->grp[free_g];
	g->used = true;
	g->cookie = r->cookie;
	g->pasid = r->pasid;
	g->grpid = r->grpid;
	g->n = 0;
	return (int)free_g;
}

static int
vfio_group_add(struct vfio_group *g, const struct svart_iommu_hwpt_pgfault *r)
{
	if (g->n == g->cap) {
		uint32_t cap = g->cap ? 2 * g->cap : VFIO_GROUP_PAGES_INIT;
		struct vfio_page *pg = realloc(g->pg, cap * sizeof(*pg));

		if (pg == NULL)
			return -ENOMEM;
		g->pg = pg;
		g->cap = cap;
	}
	g->pg[g->n].addr = r->addr & ~(uint64_t)(VFIO_PAGE - 1);
	g->pg[g->n].write = (r->perm & SVART_IOMMU_PGFAULT_PERM_WRITE) != 0;
	g->n++;
	return 0;
}

static uint16_t
vfio_pri_read(void *ctx, struct svart_iopf_req *reqs, uint16_t max)
{
	struct vfio_hw *hw = ctx;
	uint16_t n = 0;

	if (hw->rec_pos == hw->rec_n) {
		ssize_t got = idxd_os->read(hw->faultfd, hw->rec, sizeof(hw->rec));

		hw->rec_pos = hw->rec_n = 0;
		if (got <= 0)
			return 0;
		hw->rec_n = (uint32_t)((size_t)got / sizeof(hw->rec[0]));
	}
	rte_spinlock_lock(&hw->grp_lock);
	for (; n < max && hw->rec_pos < hw->rec_n; hw->rec_pos++) {
		const struct svart_iommu_hwpt_pgfault *r = &hw->rec[hw->rec_pos];
		int g = vfio_group_of(hw, r);

		if (g < 0 || vfio_group_add(&hw->grp[g], r) != 0) {
			IDXD_LOG(ERR, "idxd_vfio %s: out of memory for page request groups", hw->bdf);
			break; /* the record stays: read again on the next call */
		}
		reqs[n].pasid = r->pasid;
		reqs[n].group = (uint16_t)g; /* the response path finds the cookie by it */
		reqs[n].write = (r->perm & SVART_IOMMU_PGFAULT_PERM_WRITE) != 0;
		reqs[n].last = (r->flags & SVART_IOMMU_PGFAULT_FLAGS_LAST_PAGE) != 0;
		reqs[n].addr = r->addr;
		n++;
	}
	rte_spinlock_unlock(&hw->grp_lock);
	return n;
}

static int
vfio_pri_respond(void *ctx, uint32_t pasid, uint16_t group, bool invalid)
{
	struct vfio_hw *hw = ctx;
	struct svart_iommu_hwpt_page_response resp;
	struct vfio_page *pg;
	uint32_t npg;
	ssize_t w;

	rte_spinlock_lock(&hw->grp_lock);
	if (group >= hw->nb_grp || !hw->grp[group].used || hw->grp[group].pasid != pasid) {
		rte_spinlock_unlock(&hw->grp_lock);
		return -ENOENT; /* forgotten at unbind: not ours to answer any more */
	}
	/* Take the group's pages out: unbind may forget it meanwhile. */
	pg = hw->grp[group].pg;
	npg = hw->grp[group].n;
	resp.cookie = hw->grp[group].cookie;
	hw->grp[group].pg = NULL;
	hw->grp[group].cap = hw->grp[group].n = 0;
	hw->grp[group].used = false;
	rte_spinlock_unlock(&hw->grp_lock);
	/* Success means "translate again": the pages must be in the IOAS first. */
	if (!invalid)
		invalid = vfio_map_group(hw, pg, npg) != 0;
	free(pg);
	resp.code = invalid ? SVART_IOMMUFD_PAGE_RESP_INVALID : SVART_IOMMUFD_PAGE_RESP_SUCCESS;
	w = idxd_os->write(hw->faultfd, &resp, sizeof(resp));
	return w == (ssize_t)sizeof(resp) ? 0 : (w < 0 ? (int)w : -EIO);
}

static const struct svart_iopf_source_ops vfio_iopf_ops = {
	.read = vfio_pri_read,
	.respond = vfio_pri_respond,
};

/* PCI Command register through the VFIO config region (vfio-pci virtualises
 * it and passes the bus-master bit to the device; the kernel idxd driver and
 * SPDK call pci_set_master for the same reason). */
static int
vfio_bus_master(void *h, bool on)
{
	struct vfio_hw *hw = h;
	off_t at = (off_t)(hw->cfg_off + DSA_PCI_CFG_COMMAND);
	uint16_t cmd;

	if (idxd_os->pread(hw->devfd, &cmd, sizeof(cmd), at) != sizeof(cmd)) {
		IDXD_LOG(ERR, "idxd_vfio %s: cannot read the PCI command register", hw->bdf);
		return -EIO;
	}
	cmd = on ? cmd | DSA_PCI_COMMAND_MASTER : cmd & ~DSA_PCI_COMMAND_MASTER;
	if (idxd_os->pwrite(hw->devfd, &cmd, sizeof(cmd), at) != sizeof(cmd)) {
		IDXD_LOG(ERR, "idxd_vfio %s: cannot write the PCI command register", hw->bdf);
		return -EIO;
	}
	return 0;
}

static void
vfio_dump(void *h, FILE *f)
{
	struct vfio_hw *hw = h;
	struct vfio_ioas_stats st;

	vfio_ioas_stats_get(hw->ioas, &st);
	fprintf(f, "  IOAS %u: %" PRIu64 " KiB pinned", hw->ioas_id, st.pinned >> 10);
	if (st.limit != UINT64_MAX)
		fprintf(f, " of %" PRIu64 " KiB (RLIMIT_MEMLOCK less a margin)", st.limit >> 10);
	fprintf(f, "; %" PRIu64 " maps, %" PRIu64 " unmaps, %" PRIu64 " areas evicted at the "
		"limit, %" PRIu64 " dropped on munmap/mremap/MADV_DONTNEED, %" PRIu64 " not "
		"watchable; notifier %s\n", st.maps, st.unmaps, st.evictions, st.notified,
		st.unwatched, vfio_ioas_fence(hw->ioas) != NULL ? "on" : "off");
}

static void
vfio_close(void *h)
{
	struct vfio_hw *hw = h;

	vfio_ioas_destroy(hw->ioas);
	if (hw->bar2 != NULL)
		idxd_os->munmap(hw->bar2, hw->bar2_size);
	if (hw->faultfd >= 0)
		idxd_os->close(hw->faultfd);
	if (hw->devfd >= 0)
		idxd_os->close(hw->devfd);
	if (hw->iommufd >= 0)
		idxd_os->close(hw->iommufd);
	for (uint32_t g = 0; g < hw->nb_grp; g++)
		free(hw->grp[g].pg);
	free(hw->grp);
	free(hw);
}

static const struct idxd_transport idxd_vfio_transport = {
	.name = "VFIO cdev + iommufd",
	.reg_read64 = vfio_rd64,
	.reg_read32 = vfio_rd32,
	.reg_write32 = vfio_wr32,
	.portal_open = vfio_portal_open,
	.portal_close = vfio_portal_close,
	.pasid_bind = vfio_pasid_bind,
	.pasid_unbind = vfio_pasid_unbind,
	.pasid_drained = vfio_pasid_drained,
	.invalidate = vfio_invalidate,
	.iopf_ops = &vfio_iopf_ops,
	.bus_master = vfio_bus_master,
	.dma_map = vfio_dma_map,
	.dma_unmap = vfio_dma_unmap,
	.resolve = vfio_resolve,
	.dump = vfio_dump,
	/* ENQCMD takes the PASID from the submitting thread's IA32_PASID MSR,
	 * which only the kernel sets up (the idxd driver's SVA bind, through
	 * iommu_sva_bind_device and the PASID it assigns to the mm); a VFIO user
	 * process has none, so its ENQCMDs would fault (#GP) or carry no PASID.
	 * Shared WQs are offered by the idxd char device transport only. */
	.no_shared_wq = true,
	.close = vfio_close,
};

/* ---- discovery and bring-up ---- */

static int
pci_attr(const char *bdf, const char *attr, char *out, size_t len)
{
	char p[VFIO_PATH_MAX];

	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/%s", idxd_sysfs_root(), bdf, attr);
	return idxd_sysfs_read(p, out, len);
}

static bool
is_dsa(const char *bdf)
{
	char v[32];
	unsigned long id;

	if (pci_attr(bdf, "vendor", v, sizeof(v)) != 0 || strtoul(v, NULL, 16) != VFIO_INTEL_VENDOR)
		return false;
	if (pci_attr(bdf, "device", v, sizeof(v)) != 0)
		return false;
	id = strtoul(v, NULL, 16);
	for (size_t i = 0; i < sizeof(dsa_device_ids) / sizeof(dsa_device_ids[0]); i++)
		if (id == dsa_device_ids[i])
			return true;
	return false;
}

/* The vfio cdev node of bdf ("vfioN"), checking the function is bound to vfio-pci. */
/* Name of the driver bdf is bound to, in buf; NULL when it is bound to none. */
static const char *
pci_driver(const char *bdf, char *buf, size_t len)
{
	char p[VFIO_PATH_MAX];
	const char *slash;

	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/driver", idxd_sysfs_root(), bdf);
	if (idxd_os->readlink(p, buf, len) != 0)
		return NULL;
	slash = strrchr(buf, '/');
	return slash != NULL ? slash + 1 : buf;
}

static int
vfio_node(const char *bdf, char *node, size_t len)
{
	char p[VFIO_PATH_MAX], target[VFIO_PATH_MAX];
	const char *drv = pci_driver(bdf, target, sizeof(target));
	struct dirent *de;
	DIR *d;
	int rc = -ENODEV;

	if (drv == NULL) {
		IDXD_LOG(ERR, "idxd_vfio %s: not bound to any driver: bind it to vfio-pci "
			 "(echo %s > /sys/bus/pci/drivers/vfio-pci/bind)", bdf, bdf);
		return -ENODEV;
	}
	if (strcmp(drv, "vfio-pci") != 0) {
		IDXD_LOG(ERR, "idxd_vfio %s: bound to %s, not vfio-pci: unbind it and bind it to "
			 "vfio-pci", bdf, drv);
		return -ENODEV;
	}
	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/vfio-dev", idxd_sysfs_root(), bdf);
	d = opendir(p);
	if (d == NULL) {
		IDXD_LOG(ERR, "idxd_vfio %s: no vfio-dev in sysfs: kernel without the VFIO device "
			 "cdev (CONFIG_VFIO_DEVICE_CDEV, Linux >= %s)", bdf, SVART_KVER_VFIO_CDEV);
		return -ENOTSUP;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "vfio", 4) == 0) {
			snprintf(node, len, "%.31s", de->d_name);
			rc = 0;
			break;
		}
	closedir(d);
	return rc;
}

static bool
bound_to_vfio(const char *bdf)
{
	char target[VFIO_PATH_MAX];
	const char *drv = pci_driver(bdf, target, sizeof(target));

	return drv != NULL && strcmp(drv, "vfio-pci") == 0;
}

/* The first DSA function bound to vfio-pci (else the first DSA function, whose
 * bring-up then explains what to do). */
static int
find_bdf(char *bdf, size_t len)
{
	char p[VFIO_PATH_MAX];
	struct dirent *de;
	DIR *d;
	int rc = -ENODEV;

	snprintf(p, sizeof(p), "%s/bus/pci/devices", idxd_sysfs_root());
	d = opendir(p);
	if (d == NULL)
		return -ENODEV;
	while ((de = readdir(d)) != NULL) {
		bool vfio;

		if (de->d_name[0] == '.' || !is_dsa(de->d_name))
			continue;
		vfio = bound_to_vfio(de->d_name);
		if (rc != 0 || vfio)
			snprintf(bdf, len, "%.31s", de->d_name);
		rc = 0;
		if (vfio)
			break;
	}
	closedir(d);
	if (rc != 0)
		IDXD_LOG(ERR, "idxd_vfio: no DSA PCI function found under %s", p);
	return rc;
}

static int
region(struct vfio_hw *hw, uint32_t index, uint64_t *off, uint64_t *size)
{
	struct svart_vfio_region_info ri = { .argsz = sizeof(ri), .index = index };
	int rc = vio(hw, hw->devfd, SVART_VFIO_DEVICE_GET_REGION_INFO, &ri, "SVART_VFIO_DEVICE_GET_REGION_INFO");

	if (rc == 0) {
		*off = ri.offset;
		*size = ri.size;
	}
	return rc;
}

static int
bring_up(struct vfio_hw *hw)
{
	char node[32], path[VFIO_PATH_MAX];
	struct svart_vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct svart_iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct svart_iommu_fault_alloc fq = { .size = sizeof(fq) };
	struct svart_iommu_hwpt_alloc hw_alloc = { .size = sizeof(hw_alloc) };
	uint64_t bar0_size, cfg_size;
	int rc, err = 0;

	rc = vfio_node(hw->bdf, node, sizeof(node));
	if (rc != 0)
		return rc;
	snprintf(path, sizeof(path), "%s/iommu", idxd_dev_root());
	hw->iommufd = idxd_os->open(path, O_RDWR);
	if (hw->iommufd < 0) {
		rc = hw->iommufd;
		IDXD_LOG(ERR, "idxd_vfio: cannot open %s (%s): %s", path, strerror(-rc),
			 rc == -ENOENT ? "kernel without iommufd (CONFIG_IOMMUFD)" :
			 "give this user read-write access to it");
		return rc == -ENOENT ? -ENODEV : rc;
	}
	snprintf(path, sizeof(path), "%s/vfio/devices/%s", idxd_dev_root(), node);
	hw->devfd = idxd_os->open(path, O_RDWR);
	if (hw->devfd < 0) {
		rc = hw->devfd;
		IDXD_LOG(ERR, "idxd_vfio: cannot open %s: %s%s", path, strerror(-rc),
			 rc == -EACCES || rc == -EPERM ? " (give this user access to the node)" : "");
		return rc;
	}
	bind.iommufd = hw->iommufd;
	rc = vio(hw, hw->devfd, SVART_VFIO_DEVICE_BIND_IOMMUFD, &bind, "SVART_VFIO_DEVICE_BIND_IOMMUFD");
	if (rc == -ENOTTY) {
		IDXD_LOG(ERR, "idxd_vfio: kernel without SVART_VFIO_DEVICE_BIND_IOMMUFD (needs Linux >= %s)",
			 SVART_KVER_VFIO_CDEV);
		return -ENOTSUP;
	}
	if (rc != 0)
		return rc;
	hw->dev_id = bind.out_devid;
	rc = vio(hw, hw->iommufd, SVART_IOMMU_IOAS_ALLOC, &ioas, "SVART_IOMMU_IOAS_ALLOC");
	if (rc != 0)
		return rc;
	hw->ioas_id = ioas.out_ioas_id;
	hw->ioas = vfio_ioas_create(hw->iommufd, hw->ioas_id, hw->bdf, hw->notify);
	if (hw->ioas == NULL)
		return -ENOMEM;
	hw->fence = vfio_ioas_fence(hw->ioas);
	rc = vio(hw, hw->iommufd, SVART_IOMMU_FAULT_QUEUE_ALLOC, &fq, "SVART_IOMMU_FAULT_QUEUE_ALLOC");
	if (rc == -ENOTTY) {
		IDXD_LOG(ERR, "idxd_vfio: kernel without iommufd fault queues (needs Linux >= %s)",
			 SVART_KVER_FAULT_QUEUE);
		return -ENOTSUP;
	}
	if (rc != 0)
		return rc;
	hw->fault_id = fq.out_fault_id;
	hw->faultfd = (int)fq.out_fault_fd;
	hw_alloc.flags = SVART_IOMMU_HWPT_FAULT_ID_VALID | SVART_IOMMU_HWPT_ALLOC_PASID;
	hw_alloc.dev_id = hw->dev_id;
	hw_alloc.pt_id = hw->ioas_id;
	hw_alloc.fault_id = hw->fault_id;
	rc = vio(hw, hw->iommufd, SVART_IOMMU_HWPT_ALLOC, &hw_alloc, "SVART_IOMMU_HWPT_ALLOC(fault, PASID)");
	if (rc == -EOPNOTSUPP || rc == -EINVAL) {
		IDXD_LOG(ERR, "idxd_vfio %s: no fault-capable PASID page table: the IOMMU or the "
			 "device lacks PASID/PRI support, or the kernel is older than %s",
			 hw->bdf, SVART_KVER_PASID_PAGING);
		return -EOPNOTSUPP;
	}
	if (rc != 0)
		return rc;
	hw->hwpt_id = hw_alloc.out_hwpt_id;
	rc = region(hw, VFIO_BAR0, &hw->bar0_off, &bar0_size);
	if (rc == 0)
		rc = region(hw, VFIO_CONFIG, &hw->cfg_off, &cfg_size);
	if (rc == 0)
		rc = region(hw, VFIO_BAR2, &hw->bar2_off, &hw->bar2_size);
	if (rc != 0)
		return rc;
	if (!hw->pwrite_portals) {
		hw->bar2 = idxd_os->mmap(hw->bar2_size, PROT_WRITE, hw->devfd, (off_t)hw->bar2_off, &err);
		if (hw->bar2 == NULL) {
			IDXD_LOG(ERR, "idxd_vfio %s: cannot map the portals (BAR2): %s", hw->bdf,
				 strerror(-err));
			return err;
		}
	}
	return 0;
}

static const char *const idxd_vfio_keys[] = { "bdf", "notify", NULL };

static int
idxd_vfio_probe(struct svart_accel_dev *dev, const struct rte_kvargs *kv)
{
	struct vfio_hw *hw = calloc(1, sizeof(*hw));
	const char *bdf = NULL, *pw = getenv("SVART_IDXD_PORTAL_PWRITE");
	char v[32];
	uint32_t sts;
	int rc;

	if (hw == NULL)
		return -ENOMEM;
	hw->iommufd = hw->devfd = hw->faultfd = -1;
	rte_spinlock_init(&hw->grp_lock);
	hw->pwrite_portals = pw != NULL && strcmp(pw, "1") == 0;
	if (hw->pwrite_portals)
		/* The kernel splits a pwrite into narrower MMIO writes: a real
		 * portal needs the one 64-byte MOVDIR64B/ENQCMD store. */
		IDXD_LOG(WARNING, "idxd_vfio: SVART_IDXD_PORTAL_PWRITE=1 submits with pwrite(), "
			 "for the tests' kernel model only: unset it on a real device");
	hw->notify = true;
	if (kv != NULL)
		rte_kvargs_process(kv, "bdf", idxd_kv_str, &bdf);
	if (kv != NULL && rte_kvargs_count(kv, "notify") > 0) {
		const char *nv = NULL;

		rte_kvargs_process(kv, "notify", idxd_kv_str, &nv);
		if (nv == NULL || (strcmp(nv, "0") != 0 && strcmp(nv, "1") != 0)) {
			IDXD_LOG(ERR, "idxd_vfio: notify=%s: use notify=1 (default: keep the IOAS "
				 "consistent with munmap/mremap/MADV_DONTNEED) or notify=0",
				 nv != NULL ? nv : "");
			free(hw);
			return -EINVAL;
		}
		hw->notify = nv[0] == '1';
	}
	if (bdf != NULL)
		snprintf(hw->bdf, sizeof(hw->bdf), "%s", bdf);
	rc = bdf != NULL ? 0 : find_bdf(hw->bdf, sizeof(hw->bdf));
	if (rc == 0 && !is_dsa(hw->bdf)) {
		IDXD_LOG(ERR, "idxd_vfio: %s is not a DSA PCI function", hw->bdf);
		rc = -ENODEV;
	}
	if (rc == 0)
		rc = bring_up(hw);
	if (rc != 0) {
		vfio_close(hw);
		return rc;
	}
	hw->numa_node = pci_attr(hw->bdf, "numa_node", v, sizeof(v)) == 0 ? atoi(v) : -1;
	/* Start from a known state: whoever had the device before left it as it
	 * was. The reset is done only once CMDSTS shows it no longer active. */
	sts = idxd_cmd_exec(&idxd_vfio_transport, hw, DSA_CMD_RESET_DEVICE, 0);
	if (sts != DSA_CMDSTS_OK) {
		IDXD_LOG(ERR, "idxd_vfio %s: Reset Device failed, CMDSTS error 0x%x", hw->bdf, sts);
		vfio_close(hw);
		return -EIO;
	}
	rc = idxd_dev_init(dev, &idxd_vfio_transport, hw, VFIO_BATCH_MIN);
	if (rc != 0) {
		vfio_close(hw);
		return rc;
	}
	((struct idxd_dev *)dev->priv)->numa_node = hw->numa_node;
	IDXD_LOG(INFO, "%s: DSA %s through VFIO + iommufd (dev %u, IOAS %u, HWPT %u)", dev->name,
		 hw->bdf, hw->dev_id, hw->ioas_id, hw->hwpt_id);
	return 0;
}

static const struct svart_accel_driver idxd_vfio_driver = {
	.abi = SVART_ACCEL_DRIVER_ABI,
	.name = "idxd_vfio",
	.valid_keys = idxd_vfio_keys,
	.probe = idxd_vfio_probe,
};

SVART_ACCEL_REGISTER_DRIVER(idxd_vfio_driver);
