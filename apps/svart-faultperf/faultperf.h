/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_FAULTPERF_H
#define SVART_FAULTPERF_H

/* svart-faultperf's shared pieces: percentiles, fresh memory, the progress
 * line, and the machine's own limits measured in the same run (limits.c). */

#include <stddef.h>
#include <stdint.h>

#include "app_common.h"

#define FP_PAGE 4096u
#define FP_CDF_POINTS 200

struct pct {
	uint64_t n, p50, p90, p99, p999, max;
	uint64_t cdf[FP_CDF_POINTS + 1];   /* value at quantile i / FP_CDF_POINTS */
};

/** The machine's limits. */
struct fp_limits {
	struct pct touch;     /* CPU first-touch write fault */
	struct pct madv;      /* one MADV_POPULATE_WRITE page */
	struct pct pp;        /* cache-line ping-pong round trip */
	struct pct uffd;      /* userfaultfd round trip, if uffd_rc == 0 */
	int uffd_rc;
	double cpu_gbps;      /* the CPU writing fresh memory */
};

/** The run's progress line (stderr). */
extern struct app_progress fp_progress;

/** Sort v and take its percentiles. */
struct pct fp_percentiles(uint64_t *v, uint64_t n);

/** Print one latency line (after clearing the progress line). */
void fp_print_pct(const char *name, const struct pct *p);

/** len bytes of never-touched anonymous memory, NULL on failure. */
uint8_t *fp_fresh(size_t len);

/**
 * Measure and print the limits: faults fresh pages each way, the ping-pong
 * and the userfaultfd handler on lcore peer, a stream of stream_bytes.
 */
void fp_limits_run(unsigned int peer, uint64_t faults, size_t stream_bytes, struct fp_limits *l);

#endif /* SVART_FAULTPERF_H */
