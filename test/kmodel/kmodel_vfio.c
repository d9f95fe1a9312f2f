/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Kernel model: the VFIO device cdev of the emulated DSA function
 * (drivers/vfio/device_cdev.c, vfio_main.c, iommufd.c, pci/vfio_pci_core.c,
 * pci/vfio_pci_rdwr.c) and IOMMU_HWPT_ALLOC (drivers/iommu/iommufd/
 * hw_pagetable.c), which needs the bound device. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "dsa_hw_defs.h"
#include "emu_dsa_internal.h"
#include "kmodel_internal.h"

/* include/uapi/linux/iommufd.h enum iommufd_hwpt_alloc_flags */
#define KM_HWPT_NEST_PARENT (1u << 0)
#define KM_HWPT_DIRTY_TRACKING (1u << 1)
#define KM_HWPT_KNOWN (KM_HWPT_NEST_PARENT | KM_HWPT_DIRTY_TRACKING | \
		       SVART_IOMMU_HWPT_FAULT_ID_VALID | SVART_IOMMU_HWPT_ALLOC_PASID)
#define KM_HWPT_DATA_NONE 0u
/* include/uapi/linux/vfio.h struct vfio_region_info flags */
#define KM_REGION_READ (1u << 0)
#define KM_REGION_WRITE (1u << 1)
#define KM_REGION_MMAP (1u << 2)
#define KM_PORTAL_STRIDE ((uint64_t)DSA_PORTAL_PAGES_PER_WQ * KM_PAGE)
#define KM_CFG_WORD 2u
#define KM_REG32 4u
#define KM_REG64 8u

#define KM_END(t, f) (offsetof(struct t, f) + sizeof(((struct t *)0)->f))

/* IOMMU_HWPT_ALLOC (hw_pagetable.c iommufd_hwpt_alloc,
 * iommufd_hwpt_paging_alloc), in the kernel's order: a non-zero reserved
 * field -EOPNOTSUPP; data_len must agree with data_type (-EINVAL); dev_id a
 * bound device, pt_id an IOAS (a HWPT makes a nested table: not modelled,
 * anything else -EINVAL); unknown flags -EOPNOTSUPP; fault_id a fault queue
 * when FAULT_ID_VALID (unknown ids -ENOENT). The new domain gets the IOAS's
 * areas (pins them). */
int
km_hwpt_alloc(int ctx, void *arg)
{
	struct svart_iommu_hwpt_alloc *h = arg;
	struct km_obj *pt, *f = NULL, *o;
	uint32_t id;
	int rc;

	if (h->reserved != 0)
		return -EOPNOTSUPP;
	if ((h->data_type == KM_HWPT_DATA_NONE) != (h->data_len == 0))
		return -EINVAL;
	if (km_obj_get(ctx, h->dev_id, KM_OBJ_DEVICE) == NULL)
		return -ENOENT;
	pt = km_obj_get(ctx, h->pt_id, KM_OBJ_NONE);
	if (pt == NULL)
		return -ENOENT;
	if (pt->type != KM_OBJ_IOAS && pt->type != KM_OBJ_HWPT)
		return -EINVAL;
	/* iommufd_hwpt_paging_alloc: flags beyond the valid ones */
	if ((h->flags & ~KM_HWPT_KNOWN) != 0)
		return -EOPNOTSUPP;
	if (pt->type == KM_OBJ_HWPT || h->data_type != KM_HWPT_DATA_NONE ||
	    (h->flags & (KM_HWPT_NEST_PARENT | KM_HWPT_DIRTY_TRACKING))) {
		KM_LOG("nested / dirty-tracking page tables are not modelled");
		return -EOPNOTSUPP;
	}
	if (h->flags & SVART_IOMMU_HWPT_FAULT_ID_VALID) {
		f = km_obj_get(ctx, h->fault_id, KM_OBJ_FAULT);
		if (f == NULL)
			return -ENOENT;
	}
	rc = km_take_fail(KMODEL_OP_HWPT_ALLOC);
	if (rc == 0)
		rc = km_ioas_pin_all(&pt->ioas);
	if (rc == 0)
		rc = km_obj_new(ctx, KM_OBJ_HWPT, &id);
	if (rc != 0)
		return rc;
	o = &km.ctx[ctx].obj[id];
	o->hwpt.ioas_id = h->pt_id;
	o->hwpt.fault_id = f != NULL ? h->fault_id : 0;
	o->hwpt.dev_id = h->dev_id;
	o->hwpt.pasid_compat = (h->flags & SVART_IOMMU_HWPT_ALLOC_PASID) != 0;
	pt->users++;
	if (f != NULL)
		f->users++;
	h->out_hwpt_id = id;
	return 0;
}

/* VFIO_DEVICE_BIND_IOMMUFD (device_cdev.c vfio_df_ioctl_bind_iommufd):
 * argsz below the struct, non-zero flags or a negative fd -EINVAL; a second
 * bind of the fd, or a device another fd already opened, -EINVAL; an fd that
 * is not an iommufd -EBADFD (closed: -EBADF). */
static int
vfio_bind(struct km_fd *e, void *arg)
{
	struct svart_vfio_device_bind_iommufd *b = arg;
	struct km_fd *ie;
	struct km_obj *o;
	uint32_t id;
	int rc;

	if (b->argsz < KM_END(svart_vfio_device_bind_iommufd, out_devid) || b->flags != 0 || b->iommufd < 0)
		return -EINVAL;
	if (e->bound || km.dev_fd >= 0)
		return -EINVAL;
	ie = km_fd_find(b->iommufd);
	if (ie == NULL || ie->kind != KM_FD_IOMMU)
		return fcntl(b->iommufd, F_GETFD) < 0 ? -EBADF : -EBADFD;
	rc = km_take_fail(KMODEL_OP_BIND);
	if (rc == 0)
		rc = km_obj_new(ie->ctx, KM_OBJ_DEVICE, &id);
	if (rc != 0)
		return rc;
	o = &km.ctx[ie->ctx].obj[id];
	o->users = 1;          /* held by vfio until unbind */
	e->bound = true;
	km.dev_ctx = ie->ctx;
	km.dev_id = id;
	km.dev_fd = e->fd;
	b->out_devid = id;
	return 0;
}

static struct km_pasid *
pasid_find(uint32_t pasid)
{
	for (unsigned int i = 0; i < KM_MAX_PASID; i++)
		if (km.pasid[i].used && km.pasid[i].pasid == pasid)
			return &km.pasid[i];
	return NULL;
}

/* The PASID leaves its HWPT: the kernel answers its outstanding groups
 * Invalid and drops its page requests from then on (the device sees them
 * refused). */
int
km_pasid_detach(uint32_t pasid)
{
	struct km_pasid *p = pasid_find(pasid);
	struct km_obj *h;

	if (p == NULL)
		return -ENOENT;
	km_fault_detach(pasid, p->hwpt_id);
	h = km_obj_get(km.dev_ctx, p->hwpt_id, KM_OBJ_HWPT);
	if (h != NULL)
		h->users--;
	p->used = false;
	(void)emu_iommu_pasid_unbind(km.emu->iommu, pasid);
	km_flush_later();
	return 0;
}

/* VFIO_DEVICE_ATTACH_IOMMUFD_PT (device_cdev.c vfio_df_ioctl_attach_pt,
 * vfio/iommufd.c vfio_iommufd_physical_pasid_attach_ioas, iommufd/device.c):
 * argsz below pt_id, or below pasid with the PASID flag, or unknown flags
 * -EINVAL; an unknown pt -ENOENT; a pt that is no page table -EINVAL; a HWPT
 * not allocated PASID-capable -EINVAL (iommufd_hwpt_pasid_compat). A PASID
 * already attached is replaced (0), as the kernel does. */
static int
vfio_attach(void *arg)
{
	struct svart_vfio_device_attach_iommufd_pt *a = arg;
	struct km_obj *pt, *old;
	struct km_pasid *p;
	int rc;

	if (a->argsz < KM_END(svart_vfio_device_attach_iommufd_pt, pt_id) ||
	    (a->flags & ~SVART_VFIO_DEVICE_ATTACH_PASID) != 0)
		return -EINVAL;
	if ((a->flags & SVART_VFIO_DEVICE_ATTACH_PASID) &&
	    a->argsz < KM_END(svart_vfio_device_attach_iommufd_pt, pasid))
		return -EINVAL;
	rc = km_take_fail(KMODEL_OP_ATTACH);
	if (rc != 0)
		return rc;
	pt = km_obj_get(km.dev_ctx, a->pt_id, KM_OBJ_NONE);
	if (pt == NULL)
		return -ENOENT;
	if (pt->type != KM_OBJ_HWPT && pt->type != KM_OBJ_IOAS)
		return -EINVAL;
	if (!(a->flags & SVART_VFIO_DEVICE_ATTACH_PASID)) {
		/* The RID: accepted and remembered; DSA work here runs under PASIDs. */
		old = km_obj_get(km.dev_ctx, km.rid_pt, KM_OBJ_NONE);
		if (old != NULL)
			old->users--;
		pt->users++;
		km.rid_pt = a->pt_id;
		return 0;
	}
	if (pt->type == KM_OBJ_IOAS) {
		KM_LOG("PASID attach to an IOAS (an automatic domain, without a fault queue) is "
		       "not modelled: allocate a HWPT with IOMMU_HWPT_ALLOC_PASID");
		return -EINVAL;
	}
	if (!pt->hwpt.pasid_compat || a->pasid == 0 || a->pasid >= KM_PASID_LIMIT)
		return -EINVAL;
	p = pasid_find(a->pasid);
	if (p != NULL) {
		/* iommufd_device_replace: the new table takes over. */
		old = km_obj_get(km.dev_ctx, p->hwpt_id, KM_OBJ_HWPT);
		if (old != pt) {
			km_fault_detach(a->pasid, p->hwpt_id);
			if (old != NULL)
				old->users--;
			pt->users++;
			p->hwpt_id = a->pt_id;
			km_flush_later();
		}
		km.st.attaches++;
		return 0;
	}
	for (unsigned int i = 0; i < KM_MAX_PASID && p == NULL; i++)
		if (!km.pasid[i].used)
			p = &km.pasid[i];
	if (p == NULL)
		return -ENOSPC;
	rc = emu_iommu_pasid_bind(km.emu->iommu, a->pasid);
	if (rc != 0)
		return rc;
	p->used = true;
	p->pasid = a->pasid;
	p->hwpt_id = a->pt_id;
	pt->users++;
	km.st.attaches++;
	return 0;
}

/* VFIO_DEVICE_DETACH_IOMMUFD_PT (device_cdev.c vfio_df_ioctl_detach_pt): argsz
 * below flags, or below pasid with the PASID flag, or unknown flags -EINVAL.
 * A PASID that is not attached is no error: pasid_detach_ioas returns
 * nothing (vfio/iommufd.c vfio_iommufd_physical_pasid_detach_ioas). */
static int
vfio_detach(void *arg)
{
	struct svart_vfio_device_detach_iommufd_pt *d = arg;

	if (d->argsz < KM_END(svart_vfio_device_detach_iommufd_pt, flags) ||
	    (d->flags & ~SVART_VFIO_DEVICE_DETACH_PASID) != 0)
		return -EINVAL;
	if (!(d->flags & SVART_VFIO_DEVICE_DETACH_PASID)) {
		struct km_obj *old = km_obj_get(km.dev_ctx, km.rid_pt, KM_OBJ_NONE);

		if (old != NULL)
			old->users--;
		km.rid_pt = 0;
		return 0;
	}
	if (d->argsz < KM_END(svart_vfio_device_detach_iommufd_pt, pasid))
		return -EINVAL;
	if (km_pasid_detach(d->pasid) != 0) {
		km.st.detach_noop++;
		return 0;
	}
	km.st.detaches++;
	km.st.detach_after_drain += km.drain_seen;
	km.drain_seen = false;
	return 0;
}

/* VFIO_DEVICE_GET_REGION_INFO (vfio_pci_core.c
 * vfio_pci_ioctl_get_region_info): argsz below the struct -EINVAL; BARs the
 * function lacks have size 0; no VGA; indexes past the regions -EINVAL;
 * offset = index << VFIO_PCI_OFFSET_SHIFT. */
static int
vfio_region_info(void *arg)
{
	struct svart_vfio_region_info *ri = arg;
	uint64_t size = 0;
	uint32_t flags = 0;

	if (ri->argsz < KM_END(svart_vfio_region_info, offset))
		return -EINVAL;
	if (ri->index >= KM_VFIO_PCI_NUM_REGIONS || ri->index == KM_VFIO_PCI_VGA_REGION_INDEX)
		return -EINVAL;
	if (ri->index == SVART_VFIO_PCI_BAR0_REGION_INDEX) {
		size = KMODEL_BAR0_SIZE;
		flags = KM_REGION_READ | KM_REGION_WRITE | KM_REGION_MMAP;
	} else if (ri->index == SVART_VFIO_PCI_BAR2_REGION_INDEX) {
		size = (uint64_t)km.emu->prof.num_wqs * KM_PORTAL_STRIDE;
		flags = KM_REGION_READ | KM_REGION_WRITE | KM_REGION_MMAP;
	} else if (ri->index == SVART_VFIO_PCI_CONFIG_REGION_INDEX) {
		size = KMODEL_CFG_SIZE;
		flags = KM_REGION_READ | KM_REGION_WRITE;
	}
	ri->offset = KM_REGION_OFF(ri->index);
	ri->size = size;
	ri->flags = flags;
	ri->cap_offset = 0;
	return 0;
}

/* vfio_main.c vfio_device_fops_unl_ioctl: BIND first; anything else before a
 * successful bind -EINVAL (df->access_granted); then the cdev ioctls and the
 * driver's (vfio_pci_core_ioctl: unknown -ENOTTY). */
int
km_vfio_ioctl(struct km_fd *e, unsigned long req, void *arg)
{
	if (req == SVART_VFIO_DEVICE_BIND_IOMMUFD)
		return vfio_bind(e, arg);
	if (!e->bound)
		return -EINVAL;
	switch (req) {
	case SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		return vfio_attach(arg);
	case SVART_VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return vfio_detach(arg);
	case SVART_VFIO_DEVICE_GET_REGION_INFO:
		return vfio_region_info(arg);
	default:
		return -ENOTTY;
	}
}

/* vfio_df_unbind_iommufd -> vfio_iommufd_physical_unbind: every PASID
 * detached, the RID too, the device object gone. */
void
km_vfio_unbind(void)
{
	struct km_fd *e = km_fd_find(km.dev_fd);
	struct km_obj *o;

	if (km.dev_ctx < 0)
		return;
	for (unsigned int i = 0; i < KM_MAX_PASID; i++)
		if (km.pasid[i].used)
			(void)km_pasid_detach(km.pasid[i].pasid);
	o = km_obj_get(km.dev_ctx, km.rid_pt, KM_OBJ_NONE);
	if (o != NULL)
		o->users--;
	km.rid_pt = 0;
	o = km_obj_get(km.dev_ctx, km.dev_id, KM_OBJ_DEVICE);
	if (o != NULL)
		o->type = KM_OBJ_NONE;
	if (e != NULL)
		e->bound = false;
	km.dev_ctx = -1;
	km.dev_fd = -1;
	km.dev_id = 0;
}

/* pread/pwrite of the device fd (vfio_main.c vfio_device_fops_read: -EINVAL
 * before the bind; vfio_pci_rdwr.c): BAR0 registers as 32/64-bit accesses,
 * config space as 16/32-bit, BAR2 portals take 64-byte descriptors (the
 * model's pwrite stand-in for MOVDIR64B). */
ssize_t
km_vfio_pread(struct km_fd *e, void *buf, size_t n, off_t off)
{
	uint64_t idx = (uint64_t)off >> KM_REGION_SHIFT, pos = (uint64_t)off & (KM_REGION_OFF(1) - 1);
	int rc = km.fail[KMODEL_OP_PREAD];

	if (!e->bound)
		return -EINVAL;
	if (rc != 0)
		return rc;
	if (idx == SVART_VFIO_PCI_BAR0_REGION_INDEX && pos + n <= KMODEL_BAR0_SIZE) {
		if (n == KM_REG64) {
			uint64_t v = emu_dsa_mmio_read64(km.emu, (uint32_t)pos);

			memcpy(buf, &v, n);
			return (ssize_t)n;
		}
		if (n == KM_REG32) {
			uint32_t v = emu_dsa_mmio_read32(km.emu, (uint32_t)pos);

			memcpy(buf, &v, n);
			return (ssize_t)n;
		}
	}
	if (idx == SVART_VFIO_PCI_CONFIG_REGION_INDEX && pos + n <= KMODEL_CFG_SIZE &&
	    (n == KM_CFG_WORD || n == 2 * KM_CFG_WORD)) {
		for (size_t i = 0; i < n; i += KM_CFG_WORD) {
			uint16_t v = emu_dsa_pci_cfg_read16(km.emu, (uint32_t)(pos + i));

			memcpy((uint8_t *)buf + i, &v, KM_CFG_WORD);
		}
		return (ssize_t)n;
	}
	KM_LOG("pread of %zu bytes at region %llu offset %#llx is not modelled", n,
	       (unsigned long long)idx, (unsigned long long)pos);
	return -EINVAL;
}

ssize_t
km_vfio_pwrite(struct km_fd *e, const void *buf, size_t n, off_t off)
{
	uint64_t idx = (uint64_t)off >> KM_REGION_SHIFT, pos = (uint64_t)off & (KM_REGION_OFF(1) - 1);

	if (!e->bound)
		return -EINVAL;
	if (idx == SVART_VFIO_PCI_BAR0_REGION_INDEX && pos + n <= KMODEL_BAR0_SIZE && n == KM_REG32) {
		uint32_t v;

		memcpy(&v, buf, n);
		if (pos == DSA_REG_CMD && (v >> DSA_CMD_SHIFT & DSA_CMD_MASK) == DSA_CMD_DRAIN_PASID) {
			pthread_mutex_lock(&km.lock);
			km.st.drain_cmds++;
			km.drain_seen = true;
			pthread_mutex_unlock(&km.lock);
		}
		emu_dsa_mmio_write32(km.emu, (uint32_t)pos, v);
		return (ssize_t)n;
	}
	if (idx == SVART_VFIO_PCI_CONFIG_REGION_INDEX && pos + n <= KMODEL_CFG_SIZE && n == KM_CFG_WORD) {
		uint16_t v;

		memcpy(&v, buf, n);
		emu_dsa_pci_cfg_write16(km.emu, (uint32_t)pos, v);
		return (ssize_t)n;
	}
	if (idx == SVART_VFIO_PCI_BAR2_REGION_INDEX && n == DSA_DESC_SIZE &&
	    pos / KM_PORTAL_STRIDE < km.emu->prof.num_wqs) {
		uint16_t wq = (uint16_t)(pos / KM_PORTAL_STRIDE);

		if (km.emu->wq[wq].dedicated) {
			emu_dsa_portal_movdir64b(km.emu, wq, buf);
			return (ssize_t)n;
		}
		/* ENQCMD carries the submitter's IA32_PASID, which a VFIO user has
		 * none of: no PASID. */
		return emu_dsa_portal_enqcmd(km.emu, wq, buf, 0) == 0 ? (ssize_t)n : -EAGAIN;
	}
	KM_LOG("pwrite of %zu bytes at region %llu offset %#llx is not modelled", n,
	       (unsigned long long)idx, (unsigned long long)pos);
	return -EINVAL;
}
