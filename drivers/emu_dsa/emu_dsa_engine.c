/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Engines: each serves a fixed set of WQs in weighted round robin (weight =
 * WQ priority) and runs as a DPDK service, a private thread, or by hand. */
#include <errno.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_service.h>
#include <rte_service_component.h>

#include "emu_dsa_internal.h"
#include "topo_service.h"

/* Idle polls before a private engine thread yields its CPU. */
#define ENGINE_THREAD_IDLE_SPINS 1024
/* How often an engine makes sure its memory guard is still installed. */
#define ENGINE_GUARD_CHECKS_PER_S 100

/* An aborted slot is abandoned when the abort covers its PASID (the WQ's for
 * a dedicated WQ, the descriptor's, set by ENQCMD, for a shared one). */
static bool
wq_aborts(const struct emu_wq *wq, const struct dsa_hw_desc *d)
{
	uint32_t pasid = atomic_load_explicit(&wq->abort_pasid, memory_order_relaxed);

	return pasid == EMU_ABORT_ANY || pasid == (wq->dedicated ? wq->pasid : d->pasid);
}

static unsigned int
engine_run(struct emu_engine *eng, unsigned int budget)
{
	struct emu_dsa *dev = eng->dev;
	unsigned int done = 0, idle = 0;
	uint64_t now = rte_rdtsc();

	if (now - eng->guard_checked > rte_get_tsc_hz() / ENGINE_GUARD_CHECKS_PER_S) {
		eng->guard_checked = now;
		emu_guard_check();
	}

	/* A descriptor waiting for a page response stalls the engine, as on DSA. */
	if (eng->st.active) {
		bool finished = emu_exec_resume(eng);

		if (eng->st.t_seen != 0)
			emu_trace_resume(eng, finished);
		if (!finished)
			return 0;
		done++;
	}
	while (done < budget && idle < eng->nb_wqs) {
		struct emu_wq *wq = &dev->wq[eng->wqs[eng->rr]];
		unsigned int weight = wq->priority ? wq->priority : 1, k = 0;
		struct dsa_hw_desc d;

		eng->rr = (uint16_t)((eng->rr + 1) % eng->nb_wqs);
		uint32_t idx;

		bool sole = eng->wq_sole[wq->id];

		while (k < weight && done < budget && emu_wq_pop(wq, &d, &idx, sole)) {
			k++;
			/* Acquire: pairs with the abort's release of the mark. */
			if ((int32_t)(idx - atomic_load_explicit(&wq->abort_before,
								 memory_order_acquire)) < 0 &&
			    wq_aborts(wq, &d)) {
				/* Aborted: abandoned without a completion record. */
				emu_wq_done_add(wq, 1, sole);
				continue;
			}
			if (!emu_exec_start(eng, wq, &d))
				return done; /* parked */
			done++;
		}
		idle = k == 0 ? idle + 1 : 0;
	}
	return done;
}

unsigned int
emu_dsa_engine_poll(struct emu_dsa *dev, unsigned int engine, unsigned int budget)
{
	struct emu_engine *eng;
	unsigned int n;

	/* Only a manual engine may be stepped: the others run on their own thread. */
	if (engine >= dev->prof.num_engines || dev->engine[engine] == NULL ||
	    dev->prof.engine_mode != EMU_DSA_ENGINE_MANUAL)
		return 0;
	eng = dev->engine[engine];
	eng->guard_checked = 0; /* a manual step checks every time */
	pthread_mutex_lock(&eng->lock);
	n = engine_run(eng, budget);
	pthread_mutex_unlock(&eng->lock);
	return n;
}

bool
emu_engine_is_async(const struct emu_dsa *dev)
{
	return dev->prof.engine_mode != EMU_DSA_ENGINE_MANUAL;
}

/* engine_run under the engine's lock: WQ reconfiguration (emu_wq_enable)
 * and manual steps exclude it. Uncontended, once per run of up to
 * EMU_DSA_ENGINE_BUDGET descriptors. */
static unsigned int
engine_run_locked(struct emu_engine *eng)
{
	unsigned int n;

	pthread_mutex_lock(&eng->lock);
	n = engine_run(eng, EMU_DSA_ENGINE_BUDGET);
	pthread_mutex_unlock(&eng->lock);
	return n;
}

static int32_t
engine_service_cb(void *arg)
{
	struct emu_engine *eng = arg;

	return engine_run_locked(eng) > 0 ? 0 : -EAGAIN;
}

static void *
engine_thread_main(void *arg)
{
	struct emu_engine *eng = arg;
	unsigned int idle = 0;

	while (!atomic_load_explicit(&eng->stop, memory_order_acquire)) {
		if (engine_run_locked(eng) > 0) {
			idle = 0;
		} else if (++idle >= ENGINE_THREAD_IDLE_SPINS) {
			sched_yield();
			idle = 0;
		} else {
			rte_pause();
		}
	}
	return NULL;
}

static int
engine_start_service(struct emu_engine *eng, int lcore)
{
	char name[RTE_SERVICE_NAME_MAX];
	int rc, lc;

	lc = svart_service_lcore_pick(lcore, eng->dev->prof.numa_node);
	if (lc < 0) {
		EMU_LOG(ERR, "%s: no lcore for the engine service (start EAL with at least two "
			"lcores, e.g. -l 0-1, or use engine=thread): %s", eng->dev->name,
			strerror(-lc));
		return lc;
	}
	snprintf(name, sizeof(name), "%.20s_eng%u", eng->dev->name, eng->id);
	eng->lcore = lc;
	rc = svart_service_start(name, engine_service_cb, eng, lc, &eng->service_id,
				 &eng->service_registered);
	if (rc != 0 && !eng->service_registered)
		eng->lcore = -1;
	return rc;
}

static int
engine_start_thread(struct emu_engine *eng, int cpu)
{
	int rc = pthread_create(&eng->thread, NULL, engine_thread_main, eng);

	if (rc != 0)
		return -rc;
	eng->thread_running = true;
	eng->lcore = cpu;
	if (cpu >= 0 && cpu < CPU_SETSIZE) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		(void)pthread_setaffinity_np(eng->thread, sizeof(set), &set);
	}
	return 0;
}

static void
engine_free(struct emu_engine *eng)
{
	if (eng->service_registered)
		svart_service_stop(eng->service_id, eng->lcore);
	if (eng->thread_running) {
		atomic_store_explicit(&eng->stop, true, memory_order_release);
		pthread_join(eng->thread, NULL);
	}
	emu_atc_destroy(eng->atc);
	pthread_mutex_destroy(&eng->lock);
	free(eng->order);
	free(eng);
}

void
emu_engines_lock(struct emu_dsa *dev)
{
	/* Always in engine order: no two lockers wait for each other. */
	for (unsigned int e = 0; e < dev->prof.num_engines; e++)
		if (dev->engine[e] != NULL)
			pthread_mutex_lock(&dev->engine[e]->lock);
}

/*
 * Invalidation completes only when no engine can still use a translation it
 * made before (PCIe ATS: the invalidation completion follows the device's
 * last use of the old entries). An engine runs under its lock from taking a
 * descriptor or batch member to finishing or parking it, so holding every
 * lock means none is between a translation and its use; the ATCs are flushed
 * before the locks go. A parked descriptor translates again when it resumes.
 */
void
emu_engines_flush(struct emu_dsa *dev)
{
	emu_engines_lock(dev);
	for (unsigned int e = 0; e < dev->prof.num_engines; e++)
		if (dev->engine[e] != NULL)
			emu_atc_sync(dev->engine[e]->atc);
	emu_engines_unlock(dev);
}

void
emu_engines_unlock(struct emu_dsa *dev)
{
	for (unsigned int e = dev->prof.num_engines; e-- > 0;)
		if (dev->engine[e] != NULL)
			pthread_mutex_unlock(&dev->engine[e]->lock);
}

void
emu_engines_map(struct emu_dsa *dev)
{
	emu_engines_lock(dev);
	for (uint16_t e = 0; e < dev->prof.num_engines; e++) {
		struct emu_engine *eng = dev->engine[e];

		if (eng == NULL)
			continue;
		eng->nb_wqs = 0;
		eng->rr = 0;
		for (uint16_t w = 0; w < dev->prof.num_wqs; w++) {
			unsigned int servers = 0;

			if (!emu_engine_serves(dev, e, w)) {
				eng->wq_sole[w] = false;
				continue;
			}
			eng->wqs[eng->nb_wqs++] = w;
			for (uint16_t o = 0; o < dev->prof.num_engines; o++)
				servers += dev->engine[o] != NULL && emu_engine_serves(dev, o, w);
			eng->wq_sole[w] = servers == 1;
		}
	}
	emu_engines_unlock(dev);
}

int
emu_engines_start(struct emu_dsa *dev)
{
	const struct emu_dsa_profile *p = &dev->prof;
	size_t batch_bytes = ((size_t)1 << p->max_batch_shift) * sizeof(struct dsa_hw_desc);

	for (uint16_t e = 0; e < p->num_engines; e++) {
		struct emu_engine *eng = aligned_alloc(EMU_CACHE_LINE,
						   EMU_ROUND_UP(sizeof(*eng) + batch_bytes, EMU_CACHE_LINE));
		int rc = 0;

		if (eng == NULL)
			return -ENOMEM;
		memset(eng, 0, sizeof(*eng));
		eng->dev = dev;
		eng->id = e;
		eng->lcore = -1;
		/* Each engine its own stream of the profile's seed (never 0). */
		eng->rng = (p->seed ^ ((uint64_t)(e + 1) * EMU_SEED_MIX)) | 1;
		eng->order = calloc((size_t)1 << p->max_batch_shift, sizeof(*eng->order));
		pthread_mutex_init(&eng->lock, NULL);
		if (eng->order == NULL) {
			dev->engine[e] = eng;
			return -ENOMEM;
		}
		eng->atc = emu_atc_create(dev->iommu);
		eng->clflushopt = emu_cpu_has_clflushopt();
		dev->engine[e] = eng;
		if (eng->atc == NULL)
			return -ENOMEM;
		if (p->engine_mode == EMU_DSA_ENGINE_SERVICE)
			rc = engine_start_service(eng, p->engine_lcore >= 0 ? p->engine_lcore + e : -1);
		else if (p->engine_mode == EMU_DSA_ENGINE_THREAD)
			rc = engine_start_thread(eng, p->engine_lcore >= 0 ? p->engine_lcore + e : -1);
		if (rc != 0)
			return rc;
	}
	return 0;
}

bool
emu_cpu_has_clflushopt(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;

	return __get_cpuid_count(EMU_CPUID_EXT_FEATURES, 0, &a, &b, &c, &d) &&
	       (b & EMU_CPUID_EBX_CLFLUSHOPT) != 0;
#else
	return false;
#endif
}

void
emu_engines_stop(struct emu_dsa *dev)
{
	for (uint16_t e = 0; e < EMU_DSA_MAX_ENGINES; e++) {
		if (dev->engine[e] != NULL)
			engine_free(dev->engine[e]);
		dev->engine[e] = NULL;
	}
}
