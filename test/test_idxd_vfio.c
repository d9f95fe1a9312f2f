/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The VFIO + iommufd transport against a fake kernel: a fake sysfs tree, and
 * an OS table whose /dev/iommu, VFIO device cdev and fault fd are played by
 * the test, with BAR0 and the portals forwarded to an emulated DSA and the
 * fault fd carrying the emulated IOMMU's page requests as iommufd records.
 * The whole bring-up, fault handling and tear-down run; what only hardware
 * exercises is the MOVDIR64B/ENQCMD store to a mapped BAR2 (portals go
 * through pwrite here). */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>

#include "dsa_hw_defs.h"
#include "emu_dsa.h"
#include "idxd_os.h"
#include "svart_uapi_iommu.h"
#include "svart_iopf.h"
#include "svart_sva.h"
#include "test_common.h"

#define BDF "0000:6a:01.0"
#define BAR2_OFF 0x100000000ull
#define CFG_OFF 0x700000000ull   /* config region (VFIO_PCI_CONFIG_REGION_INDEX 7) */
#define CFG_SIZE 0x1000ull
#define BAR0_SIZE 0x10000ull
#define WQCFG_BASE 0x400u
#define COOKIE_BASE 1000u

static char root[PATH_MAX], sysroot[PATH_MAX + 8];
static struct emu_dsa *emu;
static const struct idxd_os_ops *real_os;
static struct idxd_os_ops fake_os;
static int fd_iommu = -1, fd_dev = -1, fd_fault = -1;
static int fail_iommu_open, fail_dev_open, fail_bind, fail_fq, fail_hwpt, fail_attach, fail_pread;
static unsigned int n_map_rw;
static unsigned int n_attach, n_detach, n_map, n_unmap, n_resp, n_drain_cmds;
static bool detach_after_drain;
/* A synthetic page-request group the fake fault fd delivers (whole, as the
 * kernel does), and the response it got. */
#define SYNTH_COOKIE 77u
#define SYNTH_PAGES 40u
static uint32_t synth_left, synth_pasid, synth_code = UINT32_MAX;
static uint8_t *synth_buf;
static uint32_t cookie_pasid[EMU_PRG_COUNT];

static int
fake_open(const char *path, int flags)
{
	size_t l = strlen(path);

	if (l >= 6 && strcmp(path + l - 6, "/iommu") == 0) {
		if (fail_iommu_open)
			return fail_iommu_open;
		return fd_iommu = real_os->open("/dev/null", O_RDWR);
	}
	if (strstr(path, "/vfio/devices/") != NULL) {
		if (fail_dev_open)
			return fail_dev_open;
		return fd_dev = real_os->open("/dev/null", O_RDWR);
	}
	return real_os->open(path, flags);
}

static int
fake_ioctl(int fd, unsigned long req, void *arg)
{
	(void)fd;
	switch (req) {
	case SVART_VFIO_DEVICE_BIND_IOMMUFD:
		if (fail_bind)
			return fail_bind;
		((struct svart_vfio_device_bind_iommufd *)arg)->out_devid = 7;
		return 0;
	case SVART_IOMMU_IOAS_ALLOC:
		((struct svart_iommu_ioas_alloc *)arg)->out_ioas_id = 11;
		return 0;
	case SVART_IOMMU_FAULT_QUEUE_ALLOC:
		if (fail_fq)
			return fail_fq;
		fd_fault = real_os->open("/dev/null", O_RDWR);
		((struct svart_iommu_fault_alloc *)arg)->out_fault_id = 12;
		((struct svart_iommu_fault_alloc *)arg)->out_fault_fd = (uint32_t)fd_fault;
		return 0;
	case SVART_IOMMU_HWPT_ALLOC: {
		struct svart_iommu_hwpt_alloc *h = arg;

		if (fail_hwpt)
			return fail_hwpt;
		if (!(h->flags & SVART_IOMMU_HWPT_FAULT_ID_VALID) || !(h->flags & SVART_IOMMU_HWPT_ALLOC_PASID) ||
		    h->fault_id != 12 || h->pt_id != 11 || h->dev_id != 7)
			return -EINVAL;
		h->out_hwpt_id = 13;
		return 0;
	}
	case SVART_VFIO_DEVICE_ATTACH_IOMMUFD_PT: {
		struct svart_vfio_device_attach_iommufd_pt *a = arg;

		if (fail_attach)
			return fail_attach;
		if (!(a->flags & SVART_VFIO_DEVICE_ATTACH_PASID) || a->pt_id != 13)
			return -EINVAL;
		n_attach++;
		return emu_dsa_pasid_bind(emu, a->pasid);
	}
	case SVART_VFIO_DEVICE_DETACH_IOMMUFD_PT:
		n_detach++;
		detach_after_drain = n_drain_cmds > 0;
		return emu_dsa_pasid_unbind(emu, ((struct svart_vfio_device_detach_iommufd_pt *)arg)->pasid);
	case SVART_VFIO_DEVICE_GET_REGION_INFO: {
		struct svart_vfio_region_info *ri = arg;

		ri->offset = ri->index == 0 ? 0 : ri->index == 7 ? CFG_OFF : BAR2_OFF;
		ri->size = ri->index == 0 ? BAR0_SIZE : ri->index == 7 ? CFG_SIZE :
			   8ull * DSA_PORTAL_PAGES_PER_WQ * 4096;
		return ri->index == 0 || ri->index == 2 || ri->index == 7 ? 0 : -EINVAL;
	}
	case SVART_IOMMU_IOAS_MAP: {
		struct svart_iommu_ioas_map *m = arg;

		if (!(m->flags & SVART_IOMMU_IOAS_MAP_FIXED_IOVA) || m->iova != m->user_va || m->ioas_id != 11)
			return -EINVAL;
		n_map++;
		n_map_rw += (m->flags & SVART_IOMMU_IOAS_MAP_WRITEABLE) != 0;
		return 0;
	}
	case SVART_IOMMU_IOAS_UNMAP:
		n_unmap++;
		return 0;
	default:
		return -ENOTTY;
	}
}

static ssize_t
fake_pread(int fd, void *buf, size_t n, off_t off)
{
	if (fail_pread != 0)
		return fail_pread;
	if (fd == fd_dev && (uint64_t)off >= CFG_OFF && (uint64_t)off < CFG_OFF + CFG_SIZE && n == 2) {
		uint16_t v = emu_dsa_pci_cfg_read16(emu, (uint32_t)(off - CFG_OFF));

		memcpy(buf, &v, 2);
		return 2;
	}
	if (fd != fd_dev || (uint64_t)off >= BAR0_SIZE)
		return -EINVAL;
	if (n == 8) {
		uint64_t v = emu_dsa_mmio_read64(emu, (uint32_t)off);

		memcpy(buf, &v, 8);
	} else {
		uint32_t v = emu_dsa_mmio_read32(emu, (uint32_t)off);

		memcpy(buf, &v, 4);
	}
	return (ssize_t)n;
}

static ssize_t
fake_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	uint32_t v;

	if (fd != fd_dev)
		return -EINVAL;
	if ((uint64_t)off >= CFG_OFF && (uint64_t)off < CFG_OFF + CFG_SIZE && n == 2) {
		uint16_t c;

		memcpy(&c, buf, 2);
		emu_dsa_pci_cfg_write16(emu, (uint32_t)(off - CFG_OFF), c);
		return 2;
	}
	if ((uint64_t)off < BAR0_SIZE) {
		memcpy(&v, buf, 4);
		if (off == DSA_REG_CMD && (v >> DSA_CMD_SHIFT & DSA_CMD_MASK) == DSA_CMD_DRAIN_PASID)
			n_drain_cmds++;
		emu_dsa_mmio_write32(emu, (uint32_t)off, v);
		return (ssize_t)n;
	}
	if (n == DSA_DESC_SIZE) {
		uint16_t wq = (uint16_t)(((uint64_t)off - BAR2_OFF) / (DSA_PORTAL_PAGES_PER_WQ * 4096));
		uint32_t mode = emu_dsa_mmio_read32(emu, WQCFG_BASE + wq * DSA_WQCFG_SIZE + 8);

		if (mode & DSA_WQCFG_MODE_DEDICATED) {
			emu_dsa_portal_movdir64b(emu, wq, buf);
			return (ssize_t)n;
		}
		return emu_dsa_portal_enqcmd(emu, wq, buf, svart_sva_pasid(0) > 0 ?
					     (uint32_t)svart_sva_pasid(0) : 0) == 0 ? (ssize_t)n : -EAGAIN;
	}
	return -EINVAL;
}

static ssize_t
fake_read(int fd, void *buf, size_t n)
{
	struct emu_page_req r[16];
	struct svart_iommu_hwpt_pgfault *rec = buf;
	uint16_t got;

	if (fd != fd_fault)
		return real_os->read(fd, buf, n);
	/* The kernel's read rules (iommufd fault.c): a multiple of the record
	 * size, whole groups only, 0 when the next group does not fit. */
	if (n % sizeof(*rec) != 0)
		return -ESPIPE;
	if (synth_left > 0) {
		if (n / sizeof(*rec) < SYNTH_PAGES)
			return 0;
		for (uint32_t i = 0; i < SYNTH_PAGES; i++) {
			memset(&rec[i], 0, sizeof(rec[i]));
			rec[i].flags = SVART_IOMMU_PGFAULT_FLAGS_PASID_VALID |
				       (i == SYNTH_PAGES - 1 ? SVART_IOMMU_PGFAULT_FLAGS_LAST_PAGE : 0);
			rec[i].pasid = synth_pasid;
			rec[i].grpid = 5;
			rec[i].perm = SVART_IOMMU_PGFAULT_PERM_WRITE;
			rec[i].addr = (uint64_t)(uintptr_t)synth_buf + i * 4096u;
			rec[i].cookie = SYNTH_COOKIE;
		}
		synth_left = 0;
		return (ssize_t)(SYNTH_PAGES * sizeof(*rec));
	}
	got = emu_dsa_pri_read(emu, r, (uint16_t)(n / sizeof(*rec) < 16 ? n / sizeof(*rec) : 16));
	for (uint16_t i = 0; i < got; i++) {
		memset(&rec[i], 0, sizeof(rec[i]));
		rec[i].flags = SVART_IOMMU_PGFAULT_FLAGS_PASID_VALID |
			       (r[i].last ? SVART_IOMMU_PGFAULT_FLAGS_LAST_PAGE : 0);
		rec[i].dev_id = 7;
		rec[i].pasid = r[i].pasid;
		rec[i].grpid = r[i].prg;
		rec[i].perm = (r[i].perm & EMU_PRI_PERM_WRITE) ? SVART_IOMMU_PGFAULT_PERM_WRITE
							      : SVART_IOMMU_PGFAULT_PERM_READ;
		rec[i].addr = r[i].addr;
		rec[i].cookie = COOKIE_BASE + r[i].prg;
		cookie_pasid[r[i].prg] = r[i].pasid;
	}
	return got > 0 ? (ssize_t)(got * sizeof(*rec)) : -EAGAIN;
}

static ssize_t
fake_write(int fd, const void *buf, size_t n)
{
	const struct svart_iommu_hwpt_page_response *resp = buf;
	uint16_t prg;

	if (fd != fd_fault)
		return real_os->write(fd, buf, n);
	if (n % sizeof(*resp) != 0)
		return -ESPIPE;
	if (resp->cookie == SYNTH_COOKIE) {
		synth_code = resp->code;
		return (ssize_t)n;
	}
	prg = (uint16_t)(resp->cookie - COOKIE_BASE);
	n_resp++;
	if (emu_dsa_pri_respond(emu, cookie_pasid[prg], prg, resp->code == SVART_IOMMUFD_PAGE_RESP_SUCCESS ?
				EMU_PRI_SUCCESS : EMU_PRI_INVALID) != 0)
		return -EINVAL;
	return (ssize_t)n;
}

static void
put(const char *rel, const char *val)
{
	char p[PATH_MAX * 2];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", sysroot, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", val);
	fclose(f);
}

static void
mkdirs(const char *rel)
{
	char p[PATH_MAX * 2], cmd[PATH_MAX * 2 + 16];

	snprintf(p, sizeof(p), "%s/%s", sysroot, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", p);
	assert_int_equal(system(cmd), 0);
}

static void
make_tree(void)
{
	char p[PATH_MAX * 2];

	mkdirs("bus/pci/devices/" BDF "/vfio-dev/vfio3");
	put("bus/pci/devices/" BDF "/vendor", "0x8086");
	put("bus/pci/devices/" BDF "/device", "0x0b25");
	put("bus/pci/devices/" BDF "/numa_node", "0");
	snprintf(p, sizeof(p), "%s/bus/pci/devices/" BDF "/driver", sysroot);
	assert_int_equal(symlink("../../../bus/pci/drivers/vfio-pci", p), 0);
	/* A second DSA function still bound to the kernel driver. */
	mkdirs("bus/pci/devices/0000:6a:02.0");
	put("bus/pci/devices/0000:6a:02.0/vendor", "0x8086");
	put("bus/pci/devices/0000:6a:02.0/device", "0x0b25");
	snprintf(p, sizeof(p), "%s/bus/pci/devices/0000:6a:02.0/driver", sysroot);
	assert_int_equal(symlink("../../../bus/pci/drivers/idxd", p), 0);
}

static void
test_bringup_errors(void **state)
{
	(void)state;
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=0000:6a:02.0"), -ENODEV); /* not vfio-pci */
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=0000:00:00.0"), -ENODEV); /* no such fn */
	fail_iommu_open = -ENOENT;
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=" BDF), -ENODEV);
	fail_iommu_open = -EACCES;
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=" BDF), -EACCES);
	fail_iommu_open = 0;
	fail_dev_open = -EACCES;
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=" BDF), -EACCES);
	fail_dev_open = 0;
	fail_bind = -ENOTTY;
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=" BDF), -ENOTSUP);
	fail_bind = 0;
	fail_fq = -ENOTTY;
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=" BDF), -ENOTSUP);
	fail_fq = 0;
	fail_hwpt = -EOPNOTSUPP;
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=" BDF), -EOPNOTSUPP);
	fail_hwpt = 0;
	/* Register reads fail: the reset is not taken as done (CMDSTS read as 0). */
	fail_pread = -EIO;
	assert_int_equal(svart_accel_probe("idxd_vfio0,bdf=" BDF), -EIO);
	fail_pread = 0;
	{
		/* The PASID attach is refused (kernel too old, IOMMU not in scalable mode). */
		struct svart_accel_conf conf = { .nb_queues = 1 };
		struct svart_accel_queue_conf qc = { .nb_desc = 64, .mode = SVART_ACCEL_QUEUE_DEDICATED,
						     .hw_queue = SVART_ACCEL_HWQ_AUTO };
		int id = svart_accel_probe("idxd_vfio0,bdf=" BDF);

		assert_true(id >= 0);
		assert_int_equal(svart_accel_configure((int16_t)id, &conf), 0);
		assert_int_equal(svart_accel_queue_setup((int16_t)id, 0, &qc), 0);
		fail_attach = -EOPNOTSUPP;
		assert_int_equal(svart_accel_start((int16_t)id), -EOPNOTSUPP);
		fail_attach = 0;
		assert_int_equal(svart_accel_close((int16_t)id), 0);
	}
}

static uint16_t
reap(int16_t dev, struct svart_accel_result *r)
{
	uint16_t got = 0;

	for (int i = 0; i < 1000 && got == 0; i++) {
		emu_dsa_engine_poll(emu, 0, 64);
		svart_iopf_poll();
		got = svart_accel_completed_status(dev, 0, 1, NULL, r);
	}
	return got;
}

/* A 40-page group (more than any fixed table holds) arrives whole, is
 * resolved with one IOAS_MAP for its contiguous pages, and answered once
 * with its own cookie. */
static void
check_big_group(int16_t dev)
{
	unsigned int maps = n_map;

	synth_buf = mmap(NULL, SYNTH_PAGES * 4096u, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(synth_buf != MAP_FAILED);
	synth_pasid = (uint32_t)svart_sva_pasid(dev);
	synth_code = UINT32_MAX;
	synth_left = 1;
	for (int i = 0; i < 100 && synth_code == UINT32_MAX; i++)
		svart_iopf_poll();
	assert_int_equal(synth_code, SVART_IOMMUFD_PAGE_RESP_SUCCESS);
	assert_int_equal(n_map - maps, 1);
	munmap(synth_buf, SYNTH_PAGES * 4096u);
}

/* A descriptor the device drops (here: its WQ was disabled behind the
 * driver's back) reaches no record, only SWERR: the op must still complete,
 * failed with the SWERR code, instead of staying pending forever. */
static void
check_swerr_surfaces(int16_t dev)
{
	static uint8_t src[64], dst[64];
	struct svart_accel_result r;
	uint16_t got = 0;

	assert_int_equal(emu_dsa_cmd(emu, DSA_CMD_DISABLE_WQ, 1u), DSA_CMDSTS_OK);
	assert_true(svart_accel_copy(dev, 0, src, dst, sizeof(dst), SVART_ACCEL_OP_SUBMIT) >= 0);
	for (int i = 0; i < 2000 && got == 0; i++) {
		got = svart_accel_completed_status(dev, 0, 1, NULL, &r);
		if (got == 0)
			usleep(1000);
	}
	assert_int_equal(got, 1);
	assert_int_not_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_int_equal(r.hw_status, DSA_SWERR_WQ_NOT_ENABLED);
	assert_int_equal(emu_dsa_mmio_read64(emu, DSA_REG_SWERR), 0); /* cleared */
	assert_int_equal(emu_dsa_cmd(emu, DSA_CMD_ENABLE_WQ, 0), DSA_CMDSTS_OK);
}

static void
test_full_path(void **state)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = { .nb_desc = 64, .mode = SVART_ACCEL_QUEUE_DEDICATED,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO };
	struct svart_accel_info info;
	struct svart_accel_result r;
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *src = malloc(2 * (size_t)pg), *dst = malloc(2 * (size_t)pg), *fresh;
	int id, pasid;
	int16_t dev;

	(void)state;
	id = svart_accel_probe("idxd_vfio0");     /* found by scanning sysfs */
	assert_true(id >= 0);
	dev = (int16_t)id;
	assert_int_equal(svart_accel_info_get(dev, &info), 0);
	assert_int_equal(info.hw_queues, 8);      /* read from the device's WQCAP */
	assert_int_equal(info.numa_node, 0);
	assert_int_equal(svart_accel_configure(dev, &conf), 0);
	/* No shared WQs over VFIO: ENQCMD needs the kernel's IA32_PASID. */
	assert_false(info.capa & SVART_ACCEL_CAPA_SHARED);
	qc.mode = SVART_ACCEL_QUEUE_SHARED;
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), -ENOTSUP);
	qc.mode = SVART_ACCEL_QUEUE_DEDICATED;
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), 0);
	assert_int_equal(svart_accel_start(dev), 0);
	/* The device masters the bus once started (Enable Device needs it). */
	assert_true(emu_dsa_pci_cfg_read16(emu, DSA_PCI_CFG_COMMAND) & DSA_PCI_COMMAND_MASTER);
	check_swerr_surfaces(dev);
	check_big_group(dev);
	pasid = svart_sva_pasid(dev);
	assert_true(pasid > 0);
	assert_int_equal(n_attach, 1);
	/* Present memory. */
	memset(src, 0x21, 2 * (size_t)pg);
	memset(dst, 0, 2 * (size_t)pg);
	assert_true(svart_accel_copy(dev, 0, src, dst, (uint32_t)(2 * pg), SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(reap(dev, &r), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(dst, src, 2 * (size_t)pg);
	/* Fresh memory: page requests over the fault fd, IOAS maps, responses. */
	fresh = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(fresh != MAP_FAILED);
	assert_true(svart_accel_copy(dev, 0, src, fresh, (uint32_t)(2 * pg), SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(reap(dev, &r), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(fresh, src, 2 * (size_t)pg);
	assert_true(n_map >= 1);
	assert_int_equal(n_map_rw, n_map);   /* a writable mapping is mapped read-write */
	assert_true(n_resp >= 1);
	/* An invalidate unmaps the range from the IOAS. */
	assert_int_equal(svart_sva_invalidate(dev, fresh, 2 * (size_t)pg), 0);
	assert_true(n_unmap >= 1);
	/* An address the process cannot write: Invalid response, clean error. */
	assert_int_equal(mprotect(fresh, (size_t)pg, PROT_READ), 0);
	assert_int_equal(svart_sva_invalidate(dev, fresh, (size_t)pg), 0);
	emu_dsa_invalidate(emu);
	assert_true(svart_accel_copy(dev, 0, src, fresh, 64, SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(reap(dev, &r), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_PAGE_FAULT);
	assert_int_equal(r.fault_addr, (uint64_t)(uintptr_t)fresh);
	/* Tear-down: stop, unbind (drain, detach, unmap), close. */
	assert_int_equal(svart_accel_stop(dev), 0);
	n_unmap = 0;
	assert_int_equal(svart_sva_unbind(dev, 0), 0);
	assert_int_equal(n_detach, 1);
	assert_true(detach_after_drain); /* the kernel's order: drain the PASID, then detach */
	assert_true(n_unmap >= 1);
	assert_int_equal(svart_accel_close(dev), 0);
	munmap(fresh, 2 * (size_t)pg);
	free(src);
	free(dst);
}

/* After an unbind, a group still held is forgotten: never answered for a later owner. */
static void
test_no_answer_after_detach(void **state)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = { .nb_desc = 64, .mode = SVART_ACCEL_QUEUE_DEDICATED,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO };
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t src[64] = { 0 }, *fresh;
	struct svart_iopf_conf ic = { .mode = SVART_IOPF_MANUAL, .lcore = -1 };
	struct svart_accel_result r;
	unsigned int resp_before;
	int id;
	int16_t dev;

	(void)state;
	id = svart_accel_probe("idxd_vfio1,bdf=" BDF);
	assert_true(id >= 0);
	dev = (int16_t)id;
	assert_int_equal(svart_accel_configure(dev, &conf), 0);
	assert_int_equal(svart_accel_queue_setup(dev, 0, &qc), 0);
	assert_int_equal(svart_accel_start(dev), 0);
	fresh = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(svart_accel_copy(dev, 0, src, fresh, 64, SVART_ACCEL_OP_SUBMIT) >= 0);
	emu_dsa_engine_poll(emu, 0, 64);              /* parks, raises the request */
	/* The fault service reads the group but has not answered when the unbind comes. */
	svart_iopf_stop();
	resp_before = n_resp;
	assert_int_equal(svart_sva_unbind(dev, SVART_SVA_UNBIND_NOWAIT), 0);
	assert_int_equal(svart_iopf_start(&ic), 0);
	svart_iopf_poll();
	assert_int_equal(n_resp, resp_before);        /* nothing written for the old PASID */
	emu_dsa_engine_poll(emu, 0, 64);              /* the device saw its request dropped */
	assert_int_equal(svart_accel_completed_status(dev, 0, 1, NULL, &r), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_PAGE_FAULT);
	svart_sva_quarantine_reap();
	assert_int_equal(svart_accel_stop(dev), 0);
	assert_int_equal(svart_accel_close(dev), 0);
	munmap(fresh, (size_t)pg);
}

static int
setup(void **state)
{
	char tmpl[] = "/tmp/svart_vfio_XXXXXX";
	struct emu_dsa_profile p;
	struct svart_iopf_conf ic = { .mode = SVART_IOPF_MANUAL, .lcore = -1 };
	int err;

	(void)state;
	if (mkdtemp(tmpl) == NULL)
		return -1;
	snprintf(root, sizeof(root), "%s", tmpl);
	snprintf(sysroot, sizeof(sysroot), "%s/sys", root);
	make_tree();
	setenv("SVART_SYSFS_ROOT", sysroot, 1);
	setenv("SVART_DEV_ROOT", root, 1);
	setenv("SVART_IDXD_PORTAL_PWRITE", "1", 1);
	emu_dsa_profile_default(&p);
	p.engine_mode = EMU_DSA_ENGINE_MANUAL;
	emu = emu_dsa_create("vfio_fake", &p, &err);
	if (emu == NULL)
		return -1;
	real_os = idxd_os;
	fake_os = *idxd_os;
	fake_os.open = fake_open;
	fake_os.ioctl = fake_ioctl;
	fake_os.pread = fake_pread;
	fake_os.pwrite = fake_pwrite;
	fake_os.read = fake_read;
	fake_os.write = fake_write;
	idxd_os_set(&fake_os);
	return svart_iopf_start(&ic);
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	idxd_os_set(NULL);
	svart_iopf_stop();
	emu_dsa_destroy(emu);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bringup_errors),
		cmocka_unit_test(test_full_path),
		cmocka_unit_test(test_no_answer_after_detach),
	};
	int rc;

	(void)argc;
	if (test_eal_init(argv[0], "0") < 0)
		return 1;
	rc = cmocka_run_group_tests_name("idxd_vfio", tests, setup, teardown);
	rte_eal_cleanup();
	return rc;
}
