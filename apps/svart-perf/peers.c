/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_dmadev.h>
#include <rte_lcore.h>

#include "svart_accel.h"
#include <rte_pause.h>
#include <rte_service.h>

#include "app_common.h"
#include "peers.h"

#define SKEL_NAME "dma_skeleton0"
#define RTE_DMA_SVART_NAME "dma_svart_perf"
#define RING_SLOTS 1024u
#define RECORD 64u
#define NS_PER_S 1e9
#define CLOCK_EVERY 255u

/* ---- dma_skeleton ------------------------------------------------------ */

struct skel {
	const char *vdev;
	int16_t id;
	bool started;
};

static int
skel_copy(void *ctx, const void *src, void *dst, uint32_t len)
{
	struct skel *s = ctx;

	return rte_dma_copy(s->id, 0, (rte_iova_t)(uintptr_t)src, (rte_iova_t)(uintptr_t)dst, len, 0);
}

static int
skel_submit(void *ctx)
{
	return rte_dma_submit(((struct skel *)ctx)->id, 0);
}

static uint16_t
skel_completed(void *ctx, uint16_t max, uint64_t *errors)
{
	struct skel *s = ctx;
	bool err = false;
	uint16_t n = rte_dma_completed(s->id, 0, max, NULL, &err);

	if (err) {
		enum rte_dma_status_code st;

		if (rte_dma_completed_status(s->id, 0, 1, NULL, &st) == 1) {
			(*errors)++;
			n++;
		}
	}
	return n;
}

static uint16_t
skel_capacity(void *ctx)
{
	return rte_dma_burst_capacity(((struct skel *)ctx)->id, 0);
}

static void
skel_resume(void *ctx)
{
	struct skel *s = ctx;

	if (!s->started && rte_dma_start(s->id) == 0)
		s->started = true;
}

static void
skel_pause(void *ctx)
{
	struct skel *s = ctx;

	if (s->started && rte_dma_stop(s->id) == 0)
		s->started = false;
}

/* An rte_dma device by name: configured with one vchan of depth entries. */
static int
dmadev_open(struct perf_target *t, const char *label, const char *vdev, const char *args,
	    uint16_t depth)
{
	struct rte_dma_conf conf = { .nb_vchans = 1 };
	struct rte_dma_vchan_conf vc = { .direction = RTE_DMA_DIR_MEM_TO_MEM, .nb_desc = depth };
	struct skel *s;
	int id, rc;

	rc = rte_vdev_init(vdev, args);
	if (rc != 0 && rc != -EEXIST)
		return rc;
	id = rte_dma_get_dev_id_by_name(vdev);
	if (id < 0)
		return -ENODEV;
	if (rte_dma_configure((int16_t)id, &conf) != 0 || rte_dma_vchan_setup((int16_t)id, 0, &vc) != 0)
		return -EIO;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->id = (int16_t)id;
	s->vdev = vdev;
	*t = (struct perf_target){ .name = label, .ctx = s, .copy = skel_copy,
				   .submit = skel_submit, .completed = skel_completed,
				   .capacity = skel_capacity, .resume = skel_resume,
				   .pause = skel_pause };
	return 0;
}

int
peer_skeleton_open(struct perf_target *t, unsigned int lcore, uint16_t depth)
{
	char args[32];

	snprintf(args, sizeof(args), "lcore=%u", lcore);
	return dmadev_open(t, "dma_skeleton", SKEL_NAME, args, depth);
}

int
peer_rte_dma_open(struct perf_target *t, const char *svart_dev, uint16_t depth)
{
	char args[SVART_ACCEL_NAME_MAX + 16];

	/* dma_svart attached to the device under test: vchan 0 is its queue 0. */
	snprintf(args, sizeof(args), "dev=%s,attach=1", svart_dev);
	return dmadev_open(t, "rte_dma over svart", RTE_DMA_SVART_NAME, args, depth);
}

void
peer_dmadev_close(struct perf_target *t)
{
	struct skel *s = t->ctx;

	if (s == NULL)
		return;
	skel_pause(s);
	rte_dma_close(s->id);
	rte_vdev_uninit(s->vdev);
	free(s);
	t->ctx = NULL;
}

/* ---- memcpy ------------------------------------------------------------ */

double
peer_memcpy_gbps(uint8_t **src, uint8_t **dst, unsigned int n, uint32_t len, double seconds)
{
	uint64_t t0 = app_now_ns(), end = t0 + (uint64_t)(seconds * NS_PER_S), now = t0, ops = 0;
	unsigned int i = 0;

	while (now < end) {
		memcpy(dst[i], src[i], len);
		i = i + 1 == n ? 0 : i + 1;
		if ((++ops & CLOCK_EVERY) == 0 || len >= 65536)
			now = app_now_ns();
	}
	now = app_now_ns();
	return (double)ops * len / ((double)(now - t0) / NS_PER_S) / 1e9;
}

/* ---- descriptor stores ------------------------------------------------- */

/*
 * The least any driver does per op on its core: write a 64-byte descriptor
 * into a ring, and read the status byte of a record the "device" wrote (here
 * the same core writes it, as the null device does), in bursts. The PMD's
 * cost per op over the null device is compared with this.
 */
double
peer_desc_store_mops(unsigned int burst, double seconds)
{
	static struct { _Alignas(RECORD) volatile uint64_t q[RECORD / sizeof(uint64_t)]; } desc[RING_SLOTS];
	static _Alignas(RECORD) volatile uint8_t status[RING_SLOTS];
	uint64_t t0 = app_now_ns(), end = t0 + (uint64_t)(seconds * NS_PER_S), now = t0, ops = 0;
	uint64_t sum = 0;
	unsigned int i = 0;

	while (now < end) {
		for (unsigned int k = 0; k < burst; k++) {
			unsigned int slot = (i + k) % RING_SLOTS;

			for (unsigned int w = 0; w < RECORD / sizeof(uint64_t); w++)
				desc[slot].q[w] = ops + w;
			status[slot] = 1;
		}
		for (unsigned int k = 0; k < burst; k++) {
			unsigned int slot = (i + k) % RING_SLOTS;

			sum += status[slot];
			status[slot] = 0;
		}
		i = (i + burst) % RING_SLOTS;
		ops += burst;
		if ((ops & CLOCK_EVERY) < burst)
			now = app_now_ns();
	}
	now = app_now_ns();
	(void)desc[0].q[0]; /* the descriptors are written for their cost only */
	if (sum != ops)
		return 0;
	return (double)ops / ((double)(now - t0) / NS_PER_S) / 1e6;
}

/* ---- SPSC ring of 64-byte records --------------------------------------- */

struct ring {
	_Alignas(64) _Atomic uint64_t head;  /* written by the producer */
	_Alignas(64) _Atomic uint64_t tail;  /* written by the consumer */
	_Alignas(64) _Atomic bool stop;
	_Alignas(64) uint8_t rec[RING_SLOTS][RECORD];
	uint64_t consumed;
	uint64_t sum;
};

static void *
ring_consumer(void *arg)
{
	struct ring *r = arg;
	uint64_t t = 0, sum = 0;

	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		/* Acquire: the records before head are fully written. */
		uint64_t h = atomic_load_explicit(&r->head, memory_order_acquire);

		if (h == t) {
			rte_pause();
			continue;
		}
		for (; t < h; t++) {
			uint8_t tmp[RECORD];

			memcpy(tmp, r->rec[t % RING_SLOTS], RECORD);
			sum += tmp[0];
		}
		/* Release: the producer may overwrite the slots we have copied. */
		atomic_store_explicit(&r->tail, t, memory_order_release);
	}
	r->consumed = t;
	r->sum = sum;
	return NULL;
}

double
peer_ring_mrps(int cpu, unsigned int batch, double seconds)
{
	struct ring *r = aligned_alloc(64, sizeof(struct ring));
	uint64_t h = 0, t0, end, now, published = 0;
	pthread_t th;
	cpu_set_t set;
	double mrps;

	if (r == NULL)
		return 0;
	memset(r, 0, sizeof(*r));
	if (pthread_create(&th, NULL, ring_consumer, r) != 0) {
		free(r);
		return 0;
	}
	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		pthread_setaffinity_np(th, sizeof(set), &set);
	}
	t0 = app_now_ns();
	end = t0 + (uint64_t)(seconds * NS_PER_S);
	now = t0;
	while (now < end) {
		/* Wait for room for a whole batch. */
		while (h + batch - atomic_load_explicit(&r->tail, memory_order_acquire) > RING_SLOTS)
			rte_pause();
		for (unsigned int k = 0; k < batch; k++, h++)
			memset(r->rec[h % RING_SLOTS], (int)(h & 0xff), RECORD);
		/* Release: the consumer must see the records before the index. */
		atomic_store_explicit(&r->head, h, memory_order_release);
		if ((++published & CLOCK_EVERY) == 0)
			now = app_now_ns();
	}
	while (atomic_load_explicit(&r->tail, memory_order_acquire) != h)
		rte_pause();
	now = app_now_ns();
	atomic_store(&r->stop, true);
	pthread_join(th, NULL);
	mrps = (double)r->consumed / ((double)(now - t0) / NS_PER_S) / 1e6;
	free(r);
	return mrps;
}

/* ---- lending the service lcore ------------------------------------------ */

static bool paused_services[64];

int
perf_services_pause(unsigned int lcore)
{
	uint32_t n = rte_service_get_count();

	for (uint32_t i = 0; i < n && i < 64; i++) {
		paused_services[i] = false;
		if (rte_service_map_lcore_get(i, lcore) == 1 && rte_service_runstate_get(i) == 1) {
			rte_service_runstate_set(i, 0);
			paused_services[i] = true;
		}
	}
	for (uint32_t i = 0; i < n && i < 64; i++)
		while (paused_services[i] && rte_service_may_be_active(i) == 1)
			rte_pause();
	return rte_service_lcore_stop(lcore);
}

void
perf_services_resume(unsigned int lcore)
{
	uint32_t n = rte_service_get_count();

	rte_service_lcore_start(lcore);
	for (uint32_t i = 0; i < n && i < 64; i++)
		if (paused_services[i])
			rte_service_runstate_set(i, 1);
}
