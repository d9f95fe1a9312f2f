/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* PASID allocation, binding, quarantine and fork safety (model in svart_sva.h). */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_log.h>

#include "svart_accel_driver.h"
#include "svart_sva.h"
#include "sva_private.h"

RTE_LOG_REGISTER(svart_sva_logtype, svart.sva, NOTICE);
#define SVA_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, svart_sva_logtype, "svart_sva: " fmt "\n", ## __VA_ARGS__)

enum pasid_state { PASID_FREE = 0, PASID_USED, PASID_QUARANTINE };

static struct {
	uint8_t state;
	int16_t dev_id;      /* device that holds it (used / quarantined) */
	uint64_t dev_serial; /* ...and which incarnation of that id */
} pasids[SVART_SVA_MAX_PASIDS];
static pthread_mutex_t sva_lock = PTHREAD_MUTEX_INITIALIZER;

uint32_t svart_accel_fork_gen;

static void
sva_atfork_child(void)
{
	/* Every queue and device of the parent becomes unusable here. */
	__atomic_add_fetch(&svart_accel_fork_gen, 1, __ATOMIC_RELEASE);
}

RTE_INIT(sva_init)
{
	pthread_atfork(NULL, NULL, sva_atfork_child);
}

static unsigned int
reap_locked(void)
{
	unsigned int left = 0;

	for (uint32_t p = SVART_SVA_PASID_MIN; p < SVART_SVA_MAX_PASIDS; p++) {
		struct svart_accel_dev *dev;

		if (pasids[p].state != PASID_QUARANTINE)
			continue;
		dev = svart_accel_dev_get(pasids[p].dev_id);
		/* A closed device holds nothing any more; otherwise ask it. */
		if (dev == NULL || dev->serial != pasids[p].dev_serial ||
		    dev->ops->sva_drained == NULL || dev->ops->sva_drained(dev, p)) {
			pasids[p].state = PASID_FREE;
			SVA_LOG(DEBUG, "PASID %u left quarantine", p);
		} else {
			left++;
		}
	}
	return left;
}

unsigned int
svart_sva_quarantine_reap(void)
{
	unsigned int left;

	pthread_mutex_lock(&sva_lock);
	left = reap_locked();
	pthread_mutex_unlock(&sva_lock);
	return left;
}

int
svart_sva_pasid_quarantined(uint32_t pasid)
{
	return pasid < SVART_SVA_MAX_PASIDS && pasids[pasid].state == PASID_QUARANTINE;
}

int
sva_dev_bind(struct svart_accel_dev *dev, bool implicit)
{
	uint32_t p;
	int rc;

	if (dev->ops->sva_bind == NULL)
		return -ENOTSUP;
	pthread_mutex_lock(&sva_lock);
	reap_locked();
	for (p = SVART_SVA_PASID_MIN; p < SVART_SVA_MAX_PASIDS; p++)
		if (pasids[p].state == PASID_FREE)
			break;
	if (p == SVART_SVA_MAX_PASIDS) {
		pthread_mutex_unlock(&sva_lock);
		SVA_LOG(ERR, "%s: no free PASID (%u in use or in quarantine)", dev->name,
			SVART_SVA_MAX_PASIDS - SVART_SVA_PASID_MIN);
		return -ENOSPC;
	}
	rc = dev->ops->sva_bind(dev, p);
	if (rc == 0) {
		pasids[p].state = PASID_USED;
		pasids[p].dev_id = dev->dev_id;
		pasids[p].dev_serial = dev->serial;
		dev->pasid = p;
		dev->sva_bound = true;
		dev->sva_implicit = implicit;
	}
	pthread_mutex_unlock(&sva_lock);
	if (rc != 0)
		SVA_LOG(ERR, "%s: driver could not bind PASID %u: %s", dev->name, p, strerror(-rc));
	return rc;
}

int
sva_dev_unbind(struct svart_accel_dev *dev, bool wait)
{
	uint32_t p = dev->pasid;
	int rc;

	rc = dev->ops->sva_unbind(dev, p);
	pthread_mutex_lock(&sva_lock);
	pasids[p].state = wait ? PASID_FREE : PASID_QUARANTINE;
	dev->sva_bound = false;
	dev->pasid = 0;
	reap_locked();
	pthread_mutex_unlock(&sva_lock);
	return rc;
}

static int
sva_dev_get(int16_t dev_id, struct svart_accel_dev **devp)
{
	struct svart_accel_dev *dev = svart_accel_dev_get(dev_id);

	if (dev == NULL)
		return -ENODEV;
	if (dev->fork_gen != __atomic_load_n(&svart_accel_fork_gen, __ATOMIC_ACQUIRE))
		return -EPERM;
	*devp = dev;
	return 0;
}

int
svart_sva_bind(int16_t dev_id, uint32_t *pasid)
{
	struct svart_accel_dev *dev;
	struct svart_accel_info info;
	int rc = sva_dev_get(dev_id, &dev);

	if (rc != 0)
		return rc;
	rc = svart_accel_info_get(dev_id, &info);
	if (rc != 0)
		return rc;
	if (!(info.capa & SVART_ACCEL_CAPA_SVA) || dev->ops->sva_bind == NULL)
		return -ENOTSUP;
	if (dev->sva_bound) {
		if (pasid != NULL)
			*pasid = dev->pasid;
		return -EEXIST;
	}
	if (dev->state == SVART_ACCEL_DEV_STARTED)
		return -EBUSY;
	rc = sva_dev_bind(dev, false);
	if (rc == 0 && pasid != NULL)
		*pasid = dev->pasid;
	return rc;
}

int
svart_sva_unbind(int16_t dev_id, unsigned int flags)
{
	struct svart_accel_dev *dev;
	int rc = sva_dev_get(dev_id, &dev);

	if (rc != 0)
		return rc;
	if (flags & ~SVART_SVA_UNBIND_NOWAIT)
		return -EINVAL;
	if (!dev->sva_bound)
		return -ENOENT;
	if (!(flags & SVART_SVA_UNBIND_NOWAIT) && dev->state == SVART_ACCEL_DEV_STARTED)
		return -EBUSY;
	return sva_dev_unbind(dev, !(flags & SVART_SVA_UNBIND_NOWAIT));
}

int
svart_sva_pasid(int16_t dev_id)
{
	struct svart_accel_dev *dev = svart_accel_dev_get(dev_id);

	if (dev == NULL)
		return -ENODEV;
	return dev->sva_bound ? (int)dev->pasid : -ENOENT;
}

/* The checks of a call on a range of a bound device. */
static int
sva_range_dev(int16_t dev_id, size_t len, struct svart_accel_dev **dev)
{
	int rc = sva_dev_get(dev_id, dev);

	if (rc != 0)
		return rc;
	if (len == 0)
		return -EINVAL;
	return (*dev)->sva_bound ? 0 : -ENOENT;
}

int
svart_sva_invalidate(int16_t dev_id, const void *addr, size_t len)
{
	struct svart_accel_dev *dev;
	int rc = sva_range_dev(dev_id, len, &dev);

	if (rc != 0)
		return rc;
	if (dev->ops->sva_invalidate == NULL)
		return 0;
	return dev->ops->sva_invalidate(dev, (uintptr_t)addr, len);
}

/* Make [addr, addr+len) present for the access as a CPU access would
 * (MADV_POPULATE_*, Linux 5.14), without touching the contents. */
static int
sva_populate(const void *addr, size_t len, bool write)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t s = (uintptr_t)addr & ~(pg - 1);
	uintptr_t e = ((uintptr_t)addr + len + pg - 1) & ~(pg - 1);

	if (madvise((void *)s, e - s, write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ) == 0)
		return 0;
	/* EINVAL: a write to a read-only mapping (or memory that cannot be
	 * populated); ENOMEM: not mapped, or out of memory; EFAULT: SIGBUS. */
	return errno == ENOMEM ? -ENOMEM : -EFAULT;
}

int
svart_sva_resolve(int16_t dev_id, const void *addr, size_t len, int write)
{
	struct svart_accel_dev *dev;
	int rc = sva_range_dev(dev_id, len, &dev);

	if (rc != 0)
		return rc;
	rc = sva_populate(addr, len, write != 0);
	if (rc != 0 || dev->ops->sva_resolve == NULL)
		return rc;
	return dev->ops->sva_resolve(dev, (uintptr_t)addr, len, write != 0);
}
