/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_PERF_H
#define SVART_PERF_H

/* svart-perf's measurement: one case (op, size, burst, queue mode) run on the
 * device, and on the peers with --peers (peers.h). */

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "app_common.h"
#include "peers.h"

struct perf_case {
	int op;
	uint64_t size;
	unsigned int burst;
	int mode;
};

/** Largest --rounds (each round's rate is kept for the spread). */
#define PERF_ROUNDS_MAX 100

/** Per-round rates of one target (Mops/s), in the order the rounds ran. */
struct perf_rounds {
	unsigned int n;
	double mops[PERF_ROUNDS_MAX];
};

struct perf_result {
	struct perf_case c;
	double skel_mops, skel_gbps;   /* dma_skeleton, same case (copy, with --peers) */
	double rte_dma_mops;           /* the same device and queue through rte_dma (dma_svart) */
	double store_mops;             /* descriptor-store limit, same burst (null device) */
	struct perf_rounds store_rounds; /* the floor in each round, interleaved with svart's */
	struct perf_rounds svart_rounds, rte_dma_rounds, skel_rounds; /* per interleaved round */
	double memcpy_gbps;            /* one-core memcpy, same size */
	double ring_mrps;              /* 64 B records core to core, same burst (64 B cases) */
	struct perf_rounds ring_rounds; /* the ring limit in each interleaved round */
	double rtt_ns[PERF_ROUNDS_MAX + 1]; /* core-to-core round trip before each round, and after */
	unsigned int nb_rtt;
	uint64_t ops;
	uint64_t errors;
	uint64_t verify_fail;
	double seconds;
	double mops;
	double gbps;
};

/* The command line, and what the run shares between cases. */
struct perf_opts {
	const char *devargs;
	int ops[APP_OPT_LIST_MAX];
	unsigned int nb_ops;
	uint64_t sizes[APP_OPT_LIST_MAX];
	unsigned int nb_sizes;
	uint64_t bursts[APP_OPT_LIST_MAX];
	unsigned int nb_bursts;
	int modes[APP_OPT_LIST_MAX];
	unsigned int nb_modes;
	uint64_t depth;
	double duration;
	const char *json;
	bool peers;
	uint64_t rounds;

	struct app_dev dev;
	struct app_progress progress;
	bool engine_service;          /* the device engine runs as a DPDK service */
	unsigned int engine_lcore;
	int engine_cpu;
	struct perf_target skel;
	bool skel_ok;
	struct perf_target rte_dma;   /* dma_svart attached to the device under test */
	bool null_device;             /* idxd_null: completes at once, moves no data */
	int rte_dma_state;            /* 0 not tried, 1 open, -errno failed */
};

/** Stop, configure one queue for the case, start. @return 0 or -errno. */
int perf_setup(const struct app_dev *dev, const struct perf_case *c, unsigned int depth);

/** Run one case (and its peers). @return 0 or -errno (nothing measured). */
int perf_run(const struct perf_case *c, struct perf_opts *o, struct perf_result *r);

/** Seconds one case is expected to take. */
double perf_case_seconds(const struct perf_case *c, const struct perf_opts *o);

/* placement.c: the host's core placement with each round. */

/** Median cache-line round trip (ns) between this core and cpu, 0 if not measured. */
double perf_rtt_ns(int cpu);

/** Add the per-round round trips, placements (near/far/mixed) and ring limits
 *  to a case's JSON object. @return 0, or -1 out of memory. */
int perf_placement_json(json_t *res, const struct perf_result *r);

#endif /* SVART_PERF_H */
