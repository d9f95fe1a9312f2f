/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#include "iopf_hist.h"

static unsigned int
hist_index(uint64_t v)
{
	unsigned int msb;

	if (v < HIST_SUB)
		return (unsigned int)v;
	msb = 63u - (unsigned int)__builtin_clzll(v);
	/* Bucket: power of two above the sub-bucket range, then the next bits. */
	return (msb - HIST_SUB_BITS + 1) * HIST_SUB +
	       (unsigned int)((v >> (msb - HIST_SUB_BITS)) & (HIST_SUB - 1));
}

uint64_t
hist_upper(unsigned int i)
{
	unsigned int major = i / HIST_SUB, minor = i % HIST_SUB, shift;

	if (major == 0)
		return i;
	shift = major - 1;
	return (((uint64_t)(HIST_SUB + minor + 1)) << shift) - 1;
}

void
hist_add(struct iopf_hist *h, uint64_t v)
{
	h->b[hist_index(v)]++;
	h->count++;
	if (v > h->max)
		h->max = v;
}

uint64_t
hist_quantile(const struct iopf_hist *h, double q)
{
	uint64_t want, seen = 0;

	if (h->count == 0)
		return 0;
	want = (uint64_t)(q * (double)h->count);
	if (want >= h->count)
		want = h->count - 1;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen > want) {
			uint64_t u = hist_upper(i);

			return u < h->max ? u : h->max;
		}
	}
	return h->max;
}
