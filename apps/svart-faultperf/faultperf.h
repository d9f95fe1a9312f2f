/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_FAULTPERF_H
#define SVART_FAULTPERF_H

/* svart-faultperf's shared pieces: percentiles, fresh memory, the progress
 * line, and the machine's own limits measured in the same run (limits.c). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "app_common.h"
#include "svart_iopf.h"

#define FP_PAGE 4096u
#define FP_CDF_POINTS 200

/** Slices of the userfaultfd measurement, each with its own p50. */
#define FP_UFFD_ROUNDS 3

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
	/* The userfaultfd faults in FP_UFFD_ROUNDS consecutive slices: each slice's p50,
	 * for the spread (the handler needs the engine's core: not with the headline). */
	uint64_t uffd_round_p50[FP_UFFD_ROUNDS];
	unsigned int uffd_rounds;
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
 * and the userfaultfd handler on lcore peer.
 */
void fp_limits_run(unsigned int peer, uint64_t faults, struct fp_limits *l);

/* ---- the fault path stage by stage (stages.c) ---- */

/** Stages of a faulting op, in order, then the whole op. */
#define FP_STAGES 10
#define FP_STAGE_TOTAL (FP_STAGES - 1)

/** A stage: its JSON key, its label, and whose cost it is (runtime or emulator). */
struct fp_stage_desc {
	const char *key, *label, *owner;
};
extern const struct fp_stage_desc fp_stage_desc[FP_STAGES];

struct fp_stages {
	bool recorded;        /* the device keeps a fault trace (the emulated DSA) */
	uint64_t ops, matched, dropped;
	struct pct st[FP_STAGES];  /* ns */
};

/**
 * n 64 B copies, each meeting one fresh page, with the device's fault trace
 * on; fills out. A device without a trace is reported and skipped (0).
 * @return 0 or a negative errno.
 */
int fp_stages_run(const struct app_dev *d, uint64_t n, struct fp_stages *out);
/** Print the per-stage p50/p99 table. */
void fp_stages_print(const struct fp_stages *s);
/** {"<stage>": {"p50", "p99", "n", "whose"}, ...}; empty when not recorded. */
json_t *fp_stages_json(const struct fp_stages *s);

/** munmap, and tell the device its translations of the range are gone. */
void fp_unmap(const struct app_dev *d, void *p, size_t len);

/* ---- the headline fault figure (stages.c) ---- */

/** Targets of the whole op with a fault against its limit (issue: fault path end to end). */
#define FP_TARGET_OP_P50 1.5
#define FP_TARGET_OP_P99 3.0

/** What a 64 B op meeting one fresh page must cost at least: the op without a
 *  fault + populating one page + a cross-core round trip (all p50, ns). */
uint64_t fp_fault_op_limit(const struct pct *warm, const struct fp_limits *l);
/** Print the op with a fault next to its limit and the ratios. */
void fp_headline_print(const struct pct *fault, const struct pct *warm, const struct fp_limits *l);
/** Most --rounds; fewest faults a round measures. */
#define FP_ROUNDS_MAX 20
#define FP_ROUND_MIN_FAULTS 100

/** One round of the headline: the op with and without a fault, one populated
 *  page, and the page-request round trip of its faulting ops (the fault
 *  service's histogram; n == 0 when the device records none). */
struct fp_round {
	struct pct fault, warm, madv, pri;
};
struct fp_rounds {
	unsigned int n;
	struct fp_round r[FP_ROUNDS_MAX];
};

/** Latency of n 64 B copies into fresh pages (a fault each) or warm ones (main.c). */
int fp_op_latency(const struct app_dev *d, uint64_t n, bool fault, struct pct *out);
/** fp_op_latency() with a fault each, and the page-request round trips the fault
 *  service recorded for them in *pri (n == 0: the device records none) (main.c). */
int fp_fault_latency(const struct app_dev *d, uint64_t n, struct pct *op, struct pct *pri);
/** One MADV_POPULATE_WRITE page, n times (limits.c). */
struct pct fp_madv_cost(uint64_t n);

/** The headline in rounds (none with rounds < 2), faults / rounds ops each. */
int fp_rounds_run(const struct app_dev *d, uint64_t faults, unsigned int rounds,
		  const struct fp_limits *l, struct fp_rounds *out);
/** Print each round's figures and ratios. */
void fp_rounds_print(const struct fp_rounds *rs, const struct fp_limits *l);
/** The headline and its rounds for faultperf.json ("rounds": [] without). */
json_t *fp_headline_json(const struct pct *fault, const struct pct *warm, const struct fp_limits *l,
			 const struct pct *pri, const struct fp_rounds *rs);

/* ---- streaming into fresh memory (stream.c) ---- */

/** Bytes per streaming copy; pages per MADV_POPULATE_WRITE call of the limit. */
#define FP_STREAM_OP (64u * 1024)
#define FP_POPULATE_BATCH 64u
/** Targets (issue: streaming into fresh memory). */
#define FP_TARGET_STREAM_CPU 4.0
#define FP_TARGET_STREAM_BATCH 0.5
#define FP_TARGET_STREAM_AROUND 1.0

/** The streaming figures, in the order each round measures them. */
enum fp_stream_kind {
	FP_STREAM_CPU,      /* the CPU copying into fresh memory */
	FP_STREAM_BATCH,    /* MADV_POPULATE_WRITE of FP_POPULATE_BATCH pages a call */
	FP_STREAM_DEFAULT,  /* svart, default configuration */
	FP_STREAM_OFF,      /* svart, fault-around off (block policy only) */
	FP_STREAM_WARM,     /* svart into memory already present */
	FP_STREAM_KINDS
};
/** JSON keys of the figures. */
extern const char *const fp_stream_key[FP_STREAM_KINDS];

/** The default-config stream once more with the emulated device's fault trace. */
struct fp_stream_trace {
	uint64_t faults;             /* page-request groups traced */
	uint64_t complete;           /* ... whose every stamp is of the same request */
	uint64_t total_ns;           /* the stream */
	uint64_t wait_ns;            /* sum over complete ones: raised -> response seen */
	uint64_t read_ns;            /* ... raised -> the service read it */
	uint64_t resolve_ns;         /* sum over all: read -> resolved (the pages asked for) */
	uint64_t pages, around_pages; /* pages asked for; populated ahead after answering */
	double gbps;
};

struct fp_stream {
	size_t bytes;
	bool block;                  /* the device blocks on faults (else: resume policy) */
	uint32_t around_max;         /* the default fault-around window */
	unsigned int rounds;
	double gbps[FP_STREAM_KINDS][FP_ROUNDS_MAX];
	double med[FP_STREAM_KINDS]; /* medians over the rounds */
	struct svart_iopf_stats st_default, st_off; /* the fault service, last round */
	struct fp_stream_trace trace;  /* zero when the device keeps no trace */
};

/** Copies of FP_STREAM_OP into bytes of fresh memory (present: populated
 *  first), 64 in flight; *gbps. @return 0 or a negative errno. */
int fp_stream_device(const struct app_dev *d, size_t bytes, bool present, double *gbps);
/** The streaming figures in rounds; the fault service is restarted for each
 *  setting and left as ic says. @return 0 or a negative errno. */
int fp_stream_run(const struct app_dev *d, const struct svart_iopf_conf *ic, bool block,
		  size_t bytes, unsigned int rounds, struct fp_stream *out);
/** Per-round ratio of figures a / b, median over the rounds. */
double fp_stream_ratio(const struct fp_stream *s, unsigned int a, unsigned int b);
void fp_stream_print(const struct fp_stream *s);
/** faultperf.json "stream_fresh_gbps". */
json_t *fp_stream_json(const struct fp_stream *s, double resume_gbps);

#endif /* SVART_FAULTPERF_H */
