/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_IOPF_HIST_H
#define SVART_IOPF_HIST_H

/* Log-linear latency histogram: 64 linear sub-buckets per power of two, so
 * every recorded value is within 1/64 (1.6%) of its bucket's lower bound (a
 * ratio against a 1.1 target needs finer steps than 1/16). */

#include <stdint.h>

#define HIST_SUB_BITS 6
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_BUCKETS (64u * HIST_SUB)

struct iopf_hist {
	uint64_t b[HIST_BUCKETS];
	uint64_t count;
	uint64_t max;
};

void hist_add(struct iopf_hist *h, uint64_t v);
/** Value at quantile q (0..1): the upper bound of the bucket holding it, capped at max. */
uint64_t hist_quantile(const struct iopf_hist *h, double q);
/* Largest value bucket i holds. */
uint64_t hist_upper(unsigned int i);

#endif /* SVART_IOPF_HIST_H */
