/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The headline fault figure: a 64 B copy that meets one fresh page, submit ->
 * completion seen, against what it must cost at least (the same op without a
 * fault + populating one page + a cross-core round trip), all in one run; and
 * the same in rounds (--rounds), each with its own op and populate figures,
 * for the spread. */
#include <errno.h>
#include <stdio.h>

#include <jansson.h>

#include "app_json.h"
#include "faultperf.h"

#define NS_PER_US 1e3
#define RATIO_SCALE 1e4   /* ratios keep 4 decimals in the JSON */

uint64_t
fp_fault_op_limit(const struct pct *warm, const struct fp_limits *l)
{
	return warm->p50 + l->madv.p50 + l->pp.p50;
}

void
fp_headline_print(const struct pct *fault, const struct pct *warm, const struct fp_limits *l)
{
	double lim = (double)fp_fault_op_limit(warm, l);

	app_progress_clear(&fp_progress);
	printf("64 B op meeting one fresh page, end to end (submit -> completion seen), "
	       "same run:\n");
	printf("  with the fault   p50 %8.2f us  p99 %8.2f us\n", fault->p50 / NS_PER_US,
	       fault->p99 / NS_PER_US);
	printf("  limit            %8.2f us = op without a fault p50 %.2f + MADV_POPULATE_WRITE "
	       "p50 %.2f + ping-pong p50 %.2f\n", lim / NS_PER_US, warm->p50 / NS_PER_US,
	       l->madv.p50 / NS_PER_US, l->pp.p50 / NS_PER_US);
	printf("  ratio to the limit  p50 %6.2f (target <= %.1f)  p99 %6.2f (target <= %.1f)\n",
	       app_ratio((double)fault->p50, lim), FP_TARGET_OP_P50,
	       app_ratio((double)fault->p99, lim), FP_TARGET_OP_P99);
}

/* A page-request round trip figure; null when the device records none. */
static json_t *
pri_ns(const struct pct *pri, uint64_t v)
{
	return pri->n > 0 ? json_integer((json_int_t)v) : json_null();
}

static json_t *
headline_json(const struct pct *fault, const struct pct *warm, const struct fp_limits *l,
	      const struct pct *pri)
{
	uint64_t lim = fp_fault_op_limit(warm, l);
	double r50 = app_ratio((double)fault->p50, (double)lim);
	double r99 = app_ratio((double)fault->p99, (double)lim);

	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:o, s:o}",
			 "op_with_fault_p50_ns", (json_int_t)fault->p50,
			 "op_with_fault_p99_ns", (json_int_t)fault->p99,
			 "op_without_fault_p50_ns", (json_int_t)warm->p50,
			 "madv_populate_1page_p50_ns", (json_int_t)l->madv.p50,
			 "pingpong_rtt_p50_ns", (json_int_t)l->pp.p50, "limit_ns", (json_int_t)lim,
			 "ratio_p50", app_json_fixed(r50, RATIO_SCALE),
			 "ratio_p99", app_json_fixed(r99, RATIO_SCALE),
			 "pri_roundtrip_p50_ns", pri_ns(pri, pri->p50),
			 "pri_roundtrip_p99_ns", pri_ns(pri, pri->p99));
}

int
fp_rounds_run(const struct app_dev *d, uint64_t faults, unsigned int rounds,
	      const struct fp_limits *l, struct fp_rounds *out)
{
	uint64_t per = faults / rounds;

	out->n = 0;
	if (rounds < 2)
		return 0;
	if (per < FP_ROUND_MIN_FAULTS)
		per = FP_ROUND_MIN_FAULTS;
	for (unsigned int k = 0; k < rounds && k < FP_ROUNDS_MAX; k++) {
		struct fp_round *r = &out->r[out->n];

		app_progress_set(&fp_progress, "svart: headline round %u/%u", k + 1, rounds);
		/* With the page-request round trips of this round's faults (device view). */
		if (fp_fault_latency(d, per, &r->fault, &r->pri) != 0 ||
		    fp_op_latency(d, per, false, &r->warm) != 0)
			return -EIO;
		/* Populating drifts with the host: measured with each round. The
		 * round trip needs the engine's core, busy now: the run's figure. */
		r->madv = fp_madv_cost(per);
		out->n++;
	}
	(void)l;
	return 0;
}

void
fp_rounds_print(const struct fp_rounds *rs, const struct fp_limits *l)
{
	struct fp_limits lk = *l;

	for (unsigned int k = 0; k < rs->n; k++) {
		const struct fp_round *r = &rs->r[k];
		double lim;

		lk.madv = r->madv;
		lim = (double)fp_fault_op_limit(&r->warm, &lk);
		printf("  round %u: p50 %6.2f us p99 %6.2f us, limit %5.2f us: "
		       "ratio p50 %5.2f p99 %5.2f", k + 1, r->fault.p50 / NS_PER_US,
		       r->fault.p99 / NS_PER_US, lim / NS_PER_US,
		       app_ratio((double)r->fault.p50, lim), app_ratio((double)r->fault.p99, lim));
		if (r->pri.n > 0)
			printf("; page-request round trip p50 %5.2f us = %4.2f x (populate + "
			       "ping-pong)", r->pri.p50 / NS_PER_US,
			       app_ratio((double)r->pri.p50, (double)(r->madv.p50 + l->pp.p50)));
		printf("\n");
	}
}

json_t *
fp_headline_json(const struct pct *fault, const struct pct *warm, const struct fp_limits *l,
		 const struct pct *pri, const struct fp_rounds *rs)
{
	json_t *o = headline_json(fault, warm, l, pri), *a = json_array();
	struct fp_limits lk = *l;
	int rc = o == NULL || a == NULL ? -1 : 0;

	for (unsigned int k = 0; rc == 0 && k < rs->n; k++) {
		lk.madv = rs->r[k].madv;
		rc = json_array_append_new(a, headline_json(&rs->r[k].fault, &rs->r[k].warm, &lk,
							    &rs->r[k].pri));
	}
	if (rc == 0)
		return json_object_set_new(o, "rounds", a) == 0 ? o : (json_decref(o), NULL);
	json_decref(a);
	json_decref(o);
	return NULL;
}
