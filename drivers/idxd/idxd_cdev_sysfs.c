/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The kernel idxd char-device transport: the device and its enabled user
 * WQs found in sysfs (/sys/bus/dsa/devices, moved by SVART_SYSFS_ROOT), and
 * the capability registers the PMD reads synthesized from their attributes. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idxd_cdev.h"
#include "idxd_internal.h"
#include "idxd_os.h"

#define CDEV_OPCAP_WORD_BITS 32u

static int
sys_path(char *buf, size_t len, const char *obj, const char *attr)
{
	int n = snprintf(buf, len, "%s/bus/dsa/devices/%s/%s", idxd_sysfs_root(), obj, attr);

	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

static int
sys_str(const char *obj, const char *attr, char *out, size_t len)
{
	char p[CDEV_PATH_MAX];

	if (sys_path(p, sizeof(p), obj, attr) != 0)
		return -ENAMETOOLONG;
	return idxd_sysfs_read(p, out, len);
}

static unsigned long long
sys_u64(const char *obj, const char *attr, unsigned long long dflt)
{
	char p[CDEV_PATH_MAX];
	unsigned long long v;

	if (sys_path(p, sizeof(p), obj, attr) != 0 || idxd_sysfs_u64(p, &v) != 0)
		return dflt;
	return v;
}

/* op_cap is printed as comma-separated 32-bit hex words, most significant first. */
static void
parse_opcap(const char *s, uint64_t opcap[DSA_REG_OPCAP_QWORDS])
{
	unsigned int words = 1, bit;

	memset(opcap, 0, DSA_REG_OPCAP_QWORDS * sizeof(uint64_t));
	for (const char *c = s; *c; c++)
		words += *c == ',';
	bit = (words - 1) * CDEV_OPCAP_WORD_BITS;
	for (const char *c = s; *c != '\0'; bit -= CDEV_OPCAP_WORD_BITS) {
		unsigned long w = strtoul(c, (char **)&c, 16);

		for (unsigned int i = 0; i < CDEV_OPCAP_WORD_BITS; i++)
			if ((w >> i) & 1 && bit + i < 64 * DSA_REG_OPCAP_QWORDS)
				opcap[(bit + i) / 64] |= 1ull << ((bit + i) % 64);
		if (*c == ',')
			c++;
		if (bit == 0)
			break;
	}
}

static int
wq_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cdev_wq *)a)->name, ((const struct cdev_wq *)b)->name);
}

/* Enabled user WQs of device dev ("dsaN"). */
static int
discover_wqs(struct cdev_hw *hw)
{
	char dir[CDEV_PATH_MAX], prefix[40], v[64];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/bus/dsa/devices", idxd_sysfs_root());
	d = opendir(dir);
	if (d == NULL) {
		IDXD_LOG(ERR, "idxd_cdev: %s not found: no DSA device, or the idxd kernel driver "
			 "is not loaded (modprobe idxd)", dir);
		return -ENODEV;
	}
	snprintf(prefix, sizeof(prefix), "wq%s.", hw->dev + strlen("dsa"));
	while ((de = readdir(d)) != NULL && hw->nb_wqs < CDEV_MAX_WQS) {
		struct cdev_wq *w = &hw->wq[hw->nb_wqs];

		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (sys_str(de->d_name, "type", v, sizeof(v)) != 0 || strcmp(v, "user") != 0)
			continue;
		if (sys_str(de->d_name, "state", v, sizeof(v)) != 0 || strcmp(v, "enabled") != 0)
			continue;
		if (sys_str(de->d_name, "mode", v, sizeof(v)) != 0)
			continue;
		snprintf(w->name, sizeof(w->name), "%.31s", de->d_name);
		w->shared = strcmp(v, "shared") == 0;
		w->size = (uint16_t)sys_u64(de->d_name, "size", 0);
		w->threshold = (uint16_t)sys_u64(de->d_name, "threshold", w->size);
		w->bof = sys_u64(de->d_name, "block_on_fault", 0) != 0;
		if (w->size > 0)
			hw->nb_wqs++;
	}
	closedir(d);
	qsort(hw->wq, hw->nb_wqs, sizeof(hw->wq[0]), wq_cmp);
	if (hw->nb_wqs == 0) {
		IDXD_LOG(ERR, "idxd_cdev: %s has no enabled user work queue: configure one with "
			 "accel-config (type user, mode dedicated or shared) and enable it", hw->dev);
		return -ENODEV;
	}
	return 0;
}

int
idxd_cdev_pick_device(struct cdev_hw *hw, const char *want)
{
	char dir[CDEV_PATH_MAX];
	struct dirent *de;
	DIR *d;
	int rc = -ENODEV;

	if (want != NULL) {
		snprintf(hw->dev, sizeof(hw->dev), "%s", want);
		return discover_wqs(hw);
	}
	snprintf(dir, sizeof(dir), "%s/bus/dsa/devices", idxd_sysfs_root());
	d = opendir(dir);
	if (d == NULL)
		return discover_wqs(hw); /* reports the missing directory */
	while ((de = readdir(d)) != NULL && rc != 0) {
		if (strncmp(de->d_name, "dsa", 3) != 0)
			continue;
		snprintf(hw->dev, sizeof(hw->dev), "%.31s", de->d_name);
		hw->nb_wqs = 0;
		rc = discover_wqs(hw);
	}
	closedir(d);
	if (rc != 0)
		IDXD_LOG(ERR, "idxd_cdev: no DSA device with an enabled user work queue under %s", dir);
	return rc;
}

void
idxd_cdev_load_caps(struct cdev_hw *hw)
{
	char v[256];
	unsigned long long xfer = sys_u64(hw->dev, "max_transfer_size", 1ull << 21);
	unsigned long long batch = sys_u64(hw->dev, "max_batch_size", 32);
	unsigned int xs = 0, bs = 0;
	uint32_t total = 0;

	hw->gencap = sys_u64(hw->dev, "gen_cap", 0);
	for (uint16_t i = 0; i < hw->nb_wqs; i++) {
		/* The kernel limits each WQ (sysfs wqX.Y/max_transfer_size and
		 * max_batch_size, written to WQCFG; defaults 2 MiB / 32), below
		 * the device's maxima: the queues get the smallest. */
		xfer = RTE_MIN(xfer, sys_u64(hw->wq[i].name, "max_transfer_size", xfer));
		batch = RTE_MIN(batch, sys_u64(hw->wq[i].name, "max_batch_size", batch));
		total += hw->wq[i].size;
		hw->wqcap |= hw->wq[i].shared ? DSA_WQCAP_SHARED_MODE : DSA_WQCAP_DEDICATED_MODE;
		if (hw->wq[i].bof)
			hw->gencap |= DSA_GENCAP_BOF;
	}
	while ((2ull << xs) <= xfer && xs < DSA_GENCAP_MAX_XFER_MASK)
		xs++;
	while ((2ull << bs) <= batch && bs < DSA_GENCAP_MAX_BATCH_MASK)
		bs++;
	hw->gencap &= ~((DSA_GENCAP_MAX_XFER_MASK << DSA_GENCAP_MAX_XFER_SHIFT) |
			(DSA_GENCAP_MAX_BATCH_MASK << DSA_GENCAP_MAX_BATCH_SHIFT));
	hw->gencap |= ((uint64_t)xs << DSA_GENCAP_MAX_XFER_SHIFT) |
		      ((uint64_t)bs << DSA_GENCAP_MAX_BATCH_SHIFT);
	hw->wqcap |= total | ((uint64_t)hw->nb_wqs << DSA_WQCAP_NUM_WQS_SHIFT);
	if (sys_str(hw->dev, "op_cap", v, sizeof(v)) == 0)
		parse_opcap(v, hw->opcap);
	/* DSA 2: a WQ may run a subset of the ops (wqX.Y/op_config). */
	for (uint16_t i = 0; i < hw->nb_wqs; i++) {
		uint64_t wq_ops[DSA_REG_OPCAP_QWORDS];

		if (sys_str(hw->wq[i].name, "op_config", v, sizeof(v)) != 0)
			continue;
		parse_opcap(v, wq_ops);
		for (unsigned int q = 0; q < DSA_REG_OPCAP_QWORDS; q++)
			hw->opcap[q] &= wq_ops[q];
	}
	hw->numa_node = (int)(long long)sys_u64(hw->dev, "numa_node", (unsigned long long)-1);
}
