/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The host's core placement, measured with each interleaved round: a
 * cache-line ping-pong between this core and the engine's. On the
 * development machines the two vCPUs are either close (~60 ns round trip) or
 * far apart (~400 ns), and every cross-core figure moves with it (see
 * shared/reference/performance-anchors.md), so ratios are given per placement. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_pause.h>

#include "app_json.h"
#include "perf.h"

#define RTT_TRIPS 2000
#define RTT_NEAR_MAX_NS 200.0    /* between the two modes (~60 and ~400 ns) */
#define CACHE_LINE 64
#define RTT_NS_PER_S 1e9
#define RATE_SCALE 1e4     /* rates keep 4 decimals in the JSON, as perf.json's others */
#define RTT_SCALE 10       /* round trips keep 1 decimal */

struct pingpong {
	_Alignas(CACHE_LINE) _Atomic uint64_t line;
	_Alignas(CACHE_LINE) _Atomic bool stop;
};

static void *
pp_peer(void *arg)
{
	struct pingpong *p = arg;
	uint64_t want = 1;

	while (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
		/* Relaxed: the line's value is the whole message, nothing else rides on it. */
		if (atomic_load_explicit(&p->line, memory_order_relaxed) == want) {
			atomic_store_explicit(&p->line, want + 1, memory_order_relaxed);
			want += 2;
		} else {
			rte_pause();
		}
	}
	return NULL;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
perf_rtt_ns(int cpu)
{
	struct pingpong *p = aligned_alloc(CACHE_LINE, sizeof(*p));
	double *t = calloc(RTT_TRIPS, sizeof(*t));
	double ns_per_cyc = RTT_NS_PER_S / (double)rte_get_tsc_hz(), med = 0;
	pthread_t th;
	cpu_set_t set;

	if (p == NULL || t == NULL || cpu < 0)
		goto out;
	memset(p, 0, sizeof(*p));
	if (pthread_create(&th, NULL, pp_peer, p) != 0)
		goto out;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(th, sizeof(set), &set);
	for (uint64_t i = 0; i < RTT_TRIPS; i++) {
		uint64_t v = 2 * i + 1, t0 = rte_rdtsc();

		atomic_store_explicit(&p->line, v, memory_order_relaxed);
		while (atomic_load_explicit(&p->line, memory_order_relaxed) != v + 1)
			rte_pause();
		t[i] = (double)(rte_rdtsc() - t0) * ns_per_cyc;
	}
	atomic_store_explicit(&p->stop, true, memory_order_relaxed);
	pthread_join(th, NULL);
	qsort(t, RTT_TRIPS, sizeof(*t), dcmp);
	med = t[RTT_TRIPS / 2];
out:
	free(p);
	free(t);
	return med;
}

/* A round's placement: the round trips measured before and after it agree,
 * or it is "mixed" (the host moved the vCPUs during the round). */
static const char *
round_placement(const struct perf_result *r, unsigned int k)
{
	bool a, b;

	if (k + 1 >= r->nb_rtt || r->rtt_ns[k] <= 0 || r->rtt_ns[k + 1] <= 0)
		return "unknown";
	a = r->rtt_ns[k] < RTT_NEAR_MAX_NS;
	b = r->rtt_ns[k + 1] < RTT_NEAR_MAX_NS;
	return a != b ? "mixed" : a ? "near" : "far";
}

int
perf_placement_json(json_t *res, const struct perf_result *r)
{
	json_t *rtt = json_array(), *pl = json_array(), *ring = json_array();
	int rc = rtt == NULL || pl == NULL || ring == NULL ? -1 : 0;

	for (unsigned int k = 0; rc == 0 && k < r->nb_rtt; k++)
		rc = json_array_append_new(rtt, json_real(app_json_fixed(r->rtt_ns[k], RTT_SCALE)));
	for (unsigned int k = 0; rc == 0 && k + 1 < r->nb_rtt; k++)
		rc = json_array_append_new(pl, json_string(round_placement(r, k)));
	for (unsigned int k = 0; rc == 0 && k < r->ring_rounds.n; k++)
		rc = json_array_append_new(ring, json_real(app_json_fixed(r->ring_rounds.mops[k],
									  RATE_SCALE)));
	if (rc == 0 && r->nb_rtt > 0)
		rc = json_object_set_new(res, "rtt_ns_rounds", rtt) |
		     json_object_set_new(res, "placement_rounds", pl) |
		     json_object_set_new(res, "ring_limit_mops_rounds", ring);
	else {
		json_decref(rtt);
		json_decref(pl);
		json_decref(ring);
	}
	return rc;
}
