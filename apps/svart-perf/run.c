/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* One svart-perf case: buffers, the submit/reap loop, the peers' rounds, the
 * data check. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "perf.h"

#define PERF_POOL_BYTES (64u << 20)   /* data buffers per case, at most */
#define PERF_MAX_BUFS 4096u
#define PERF_FILL_PATTERN 0x5a5a5a5a5a5a5a5aull
#define PERF_BUF_ALIGN 64
#define PERF_PAGE 4096u
#define PERF_REAP_MAX 64
#define PERF_ROLES 3                  /* src, dst, dst2 */
#define PERF_RING_RECORD 64           /* cases this small also measure the core-to-core ring */
#define NS_PER_S 1e9
#define PERF_CLOCK_EVERY 63u /* mask: read the clock every 64 loops */

struct perf_bufs {
	uint8_t **src, **dst, **dst2;
	uint8_t *mem[PERF_ROLES];   /* one region per role; buffers are carved from it */
	size_t mem_len;
	unsigned int n;
};

static void
bufs_free(struct perf_bufs *b)
{
	for (int k = 0; k < PERF_ROLES; k++)
		free(b->mem[k]);
	free(b->src);
	free(b->dst);
	free(b->dst2);
	memset(b, 0, sizeof(*b));
}

/* n buffers of size bytes per role. Small buffers are packed (64-byte stride),
 * large ones page-aligned; dst and dst2 share address bits 11:0 (dualcast). */
static int
bufs_alloc(struct perf_bufs *b, uint64_t size, unsigned int want)
{
	uint64_t per = size ? size : 1;
	uint64_t stride = per < PERF_PAGE ? (per + PERF_BUF_ALIGN - 1) / PERF_BUF_ALIGN * PERF_BUF_ALIGN
					  : (per + PERF_PAGE - 1) / PERF_PAGE * PERF_PAGE;
	unsigned int n = (unsigned int)(PERF_POOL_BYTES / PERF_ROLES / stride);

	if (n > want)
		n = want;
	if (n == 0)
		n = 1;
	b->n = n;
	b->mem_len = (stride * n + PERF_PAGE - 1) / PERF_PAGE * PERF_PAGE;
	b->src = calloc(n, sizeof(*b->src));
	b->dst = calloc(n, sizeof(*b->dst));
	b->dst2 = calloc(n, sizeof(*b->dst2));
	for (int k = 0; k < PERF_ROLES; k++) {
		b->mem[k] = aligned_alloc(PERF_PAGE, b->mem_len);
		if (b->mem[k] == NULL)
			return -ENOMEM;
	}
	if (b->src == NULL || b->dst == NULL || b->dst2 == NULL)
		return -ENOMEM;
	for (uint64_t k = 0; k < b->mem_len; k++)
		b->mem[0][k] = (uint8_t)(k * 7 + k / 4096);
	memset(b->mem[1], 0, b->mem_len);
	memset(b->mem[2], 0, b->mem_len);
	for (unsigned int i = 0; i < n; i++) {
		b->src[i] = b->mem[0] + i * stride;
		b->dst[i] = b->mem[1] + i * stride;
		b->dst2[i] = b->mem[2] + i * stride;
	}
	return 0;
}

static int
perf_enqueue(int16_t dev, const struct perf_case *c, struct perf_bufs *b, unsigned int i)
{
	struct svart_accel_op op = { .type = (uint8_t)c->op, .len = (uint32_t)c->size };

	switch (c->op) {
	case SVART_ACCEL_OP_COPY:
		return svart_accel_copy(dev, 0, b->src[i], b->dst[i], (uint32_t)c->size, 0);
	case SVART_ACCEL_OP_FILL:
		op.dst = b->dst[i];
		op.pattern = PERF_FILL_PATTERN;
		break;
	case SVART_ACCEL_OP_COMPARE:
		op.src = b->src[i];
		op.src2 = b->src[i];
		break;
	case SVART_ACCEL_OP_COMPARE_VALUE:
		op.src = b->src[i];
		op.pattern = PERF_FILL_PATTERN;
		break;
	case SVART_ACCEL_OP_DUALCAST:
		op.src = b->src[i];
		op.dst = b->dst[i];
		op.dst2 = b->dst2[i];
		break;
	case SVART_ACCEL_OP_CRC32C:
		op.src = b->src[i];
		break;
	case SVART_ACCEL_OP_COPY_CRC32C:
		op.src = b->src[i];
		op.dst = b->dst[i];
		break;
	case SVART_ACCEL_OP_CACHE_FLUSH:
		op.dst = b->dst[i];
		break;
	default:
		break;
	}
	return svart_accel_enqueue(dev, 0, &op);
}

static uint64_t
perf_verify(const struct perf_case *c, const struct perf_bufs *b)
{
	uint64_t bad = 0;

	for (unsigned int i = 0; i < b->n; i++) {
		switch (c->op) {
		case SVART_ACCEL_OP_COPY:
		case SVART_ACCEL_OP_COPY_CRC32C:
			bad += memcmp(b->src[i], b->dst[i], c->size) != 0;
			break;
		case SVART_ACCEL_OP_DUALCAST:
			bad += memcmp(b->src[i], b->dst[i], c->size) != 0 ||
			       memcmp(b->src[i], b->dst2[i], c->size) != 0;
			break;
		case SVART_ACCEL_OP_FILL:
			for (uint64_t k = 0; k < c->size; k++)
				if (b->dst[i][k] != (uint8_t)PERF_FILL_PATTERN) {
					bad++;
					break;
				}
			break;
		default:
			break;
		}
	}
	return bad;
}

/* Reap whatever is done; failed ops are counted and skipped. */
static uint64_t
perf_reap(const struct app_dev *d, unsigned int max, uint64_t *errors)
{
	struct svart_accel_result res[1];
	bool err = false;
	int16_t dev = d->id;
	uint64_t n;

	app_dev_poll(d);
	n = svart_accel_completed(dev, 0, (uint16_t)max, NULL, &err);

	if (err) {
		uint16_t k = svart_accel_completed_status(dev, 0, 1, NULL, res);

		if (k == 1 && res[0].status != SVART_ACCEL_ST_SUCCESS)
			(*errors)++;
		n += k;
	}
	return n;
}

int
perf_setup(const struct app_dev *d, const struct perf_case *c, unsigned int depth)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = {
		.nb_desc = (uint16_t)depth,
		.mode = (uint8_t)c->mode,
		.hw_queue = SVART_ACCEL_HWQ_AUTO,
	};
	int16_t dev = d->id;
	int rc;

	svart_accel_stop(dev);
	rc = svart_accel_configure(dev, &conf);
	if (rc == 0)
		rc = svart_accel_queue_setup(dev, 0, &qc);
	if (rc == 0)
		rc = svart_accel_start(dev);
	return rc;
}

/* One engine under test for one case: svart (any op) or a peer (copy). */
struct runner {
	struct perf_target *t;     /* NULL: svart */
	const struct app_dev *dev;
	const struct perf_case *c;
	struct perf_bufs *b;
	struct app_progress *progress;
	uint64_t ops, errors, ns;
	struct perf_rounds *rounds; /* each round's rate, when kept */
};

static int
run_enq(struct runner *r, unsigned int i)
{
	if (r->t == NULL)
		return perf_enqueue(r->dev->id, r->c, r->b, i);
	return r->t->copy(r->t->ctx, r->b->src[i], r->b->dst[i], (uint32_t)r->c->size);
}

static void
run_submit(struct runner *r)
{
	/* -EBUSY leaves the ops enqueued; they go with a later submit. */
	if (r->t == NULL)
		(void)svart_accel_submit(r->dev->id, 0);
	else
		(void)r->t->submit(r->t->ctx);
}

static uint64_t
run_reap(struct runner *r)
{
	if (r->t == NULL)
		return perf_reap(r->dev, PERF_REAP_MAX, &r->errors);
	return r->t->completed(r->t->ctx, PERF_REAP_MAX, &r->errors);
}

static uint16_t
run_capacity(struct runner *r)
{
	return r->t == NULL ? svart_accel_burst_capacity(r->dev->id, 0) : r->t->capacity(r->t->ctx);
}

/* The end of a round that started at t0 with outstanding ops in flight and
 * done reaped: drain what is in flight so the data is final and the next
 * round starts clean, then book the round's ops, time and rate. */
static void
run_round_end(struct runner *r, uint64_t t0, uint64_t outstanding, uint64_t done)
{
	uint64_t now;

	while (outstanding > 0) {
		uint64_t n = run_reap(r);

		run_submit(r);
		outstanding -= n;
		done += n;
	}
	now = app_now_ns();
	r->ops += done;
	r->ns += now - t0;
	if (r->rounds != NULL && r->rounds->n < PERF_ROUNDS_MAX && now > t0)
		r->rounds->mops[r->rounds->n++] = (double)done / ((double)(now - t0) / NS_PER_S) / 1e6;
}

/* Keep the engine busy for seconds; everything submitted is reaped before returning. */
static void
run_round(struct runner *r, double seconds)
{
	uint64_t outstanding = 0, done = 0, t0, t_end, now, loops = 0;
	unsigned int next = 0, room = 0;

	t0 = app_now_ns();
	t_end = t0 + (uint64_t)(seconds * NS_PER_S);
	now = t0;
	do {
		/* The capacity is asked for only when what is left of the last
		 * answer cannot take a burst (as an application that counts its
		 * own ops does); a refused enqueue asks again. */
		if (room < r->c->burst)
			room = run_capacity(r);
		if (room >= r->c->burst) {
			unsigned int k;

			for (k = 0; k < r->c->burst; k++) {
				if (run_enq(r, next) < 0)
					break;
				next = next + 1 == r->b->n ? 0 : next + 1;
			}
			room = k == r->c->burst ? room - k : 0;
			outstanding += k;
			run_submit(r);
		}
		uint64_t n = run_reap(r);

		outstanding -= n;
		done += n;
		/* Reading the clock costs more than an op here: look every few loops. */
		if ((++loops & PERF_CLOCK_EVERY) == 0) {
			now = app_now_ns();
			app_progress_tick(r->progress, now);
		}
	} while (now < t_end);
	run_round_end(r, t0, outstanding, done);
}

/*
 * The PMD's own cost (the null device, copies): the loop the descriptor-store
 * floor runs (peer_desc_store_mops), with the floor's stores replaced by the
 * API's enqueue, submit and reap, called directly. run_round()'s runner
 * indirection, op switch and capacity bookkeeping would add about 4 ns an op
 * at burst 1 (1.5 at burst 32) that are the benchmark's, not the PMD's (the
 * Google Benchmark pmd_cost_null cases measure the same sequence).
 * Everything submitted is reaped before returning.
 */
static void
run_round_pmd(struct runner *r, double seconds)
{
	const int16_t dev = r->dev->id;
	const unsigned int burst = r->c->burst, nbuf = r->b->n;
	const uint32_t len = (uint32_t)r->c->size;
	uint64_t outstanding = 0, done = 0, loops = 0, t0, t_end, now;
	unsigned int next = 0;

	t0 = app_now_ns();
	t_end = t0 + (uint64_t)(seconds * NS_PER_S);
	now = t0;
	do {
		bool err = false;
		unsigned int k;
		uint64_t n;

		for (k = 0; k < burst; k++) {
			if (svart_accel_copy(dev, 0, r->b->src[next], r->b->dst[next], len, 0) < 0)
				break;
			next = next + 1 == nbuf ? 0 : next + 1;
		}
		outstanding += k;
		(void)svart_accel_submit(dev, 0);
		n = svart_accel_completed(dev, 0, PERF_REAP_MAX, NULL, &err);
		if (err)
			n += perf_reap(r->dev, 1, &r->errors); /* the failed op, counted */
		outstanding -= n;
		done += n;
		if ((++loops & PERF_CLOCK_EVERY) == 0)
			now = app_now_ns();
	} while (now < t_end);
	app_progress_tick(r->progress, now);
	run_round_end(r, t0, outstanding, done);
}

static void
lend_core(struct perf_opts *o, bool to_svart)
{
	if (to_svart) {
		if (o->skel_ok)
			o->skel.pause(o->skel.ctx);
		if (o->engine_service)
			perf_services_resume(o->engine_lcore);
	} else {
		if (o->engine_service)
			perf_services_pause(o->engine_lcore);
		if (o->skel_ok)
			o->skel.resume(o->skel.ctx);
	}
}

/* The machine's limits for the case: one-core memcpy (the ring runs with the rounds). */
static void
run_limits(struct perf_opts *o, struct perf_bufs *b, double slice, struct perf_result *r)
{
	const struct perf_case *c = &r->c;

	r->memcpy_gbps = peer_memcpy_gbps(b->src, b->dst, b->n, (uint32_t)c->size, slice);
	app_progress_tick(&o->progress, app_now_ns());
}

/* With the engine's core lent (no service, no peer on it): the placement's
 * round trip, and in a round of a small-record case the core-to-core ring. */
static void
run_placement(struct perf_opts *o, struct perf_result *r, double ring_slice)
{
	const struct perf_case *c = &r->c;

	lend_core(o, false);
	if (o->skel_ok)
		o->skel.pause(o->skel.ctx);
	if (ring_slice > 0 && c->size <= PERF_RING_RECORD && r->ring_rounds.n < PERF_ROUNDS_MAX)
		r->ring_rounds.mops[r->ring_rounds.n++] = peer_ring_mrps(o->engine_cpu, c->burst,
									 ring_slice);
	if (r->nb_rtt <= PERF_ROUNDS_MAX)
		r->rtt_ns[r->nb_rtt++] = perf_rtt_ns(o->engine_cpu);
	lend_core(o, true);
	app_progress_tick(&o->progress, app_now_ns());
}

/* A limit over its rounds: the mean of the rounds' rates (same slices). */
static double
rounds_mean(const struct perf_rounds *rd)
{
	double s = 0;

	for (unsigned int k = 0; k < rd->n; k++)
		s += rd->mops[k];
	return rd->n > 0 ? s / rd->n : 0;
}

int
perf_run(const struct perf_case *c, struct perf_opts *o, struct perf_result *r)
{
	struct perf_bufs b = { 0 };
	struct runner sv = { .dev = &o->dev, .c = c, .b = &b, .progress = &o->progress,
			     .rounds = &r->svart_rounds };
	struct runner sk = { .t = &o->skel, .c = c, .b = &b, .progress = &o->progress,
			     .rounds = &r->skel_rounds };
	struct runner dm = { .t = &o->rte_dma, .c = c, .b = &b, .progress = &o->progress,
			     .rounds = &r->rte_dma_rounds };
	bool peers = o->peers && c->op == SVART_ACCEL_OP_COPY;
	/* The null device alternates with the descriptor-store floor, round by round. */
	unsigned int rounds = peers || o->null_device ? (unsigned int)o->rounds : 1;
	double slice = o->duration / rounds;
	int rc;

	memset(r, 0, sizeof(*r));
	r->c = *c;
	rc = perf_setup(&o->dev, c, (unsigned int)o->depth);
	if (rc != 0)
		return rc;
	rc = bufs_alloc(&b, c->size, o->depth < PERF_MAX_BUFS ? (unsigned int)o->depth : PERF_MAX_BUFS);
	if (rc != 0) {
		bufs_free(&b);
		return rc;
	}
	if (peers && o->rte_dma_state == 0) {
		/* Once the device has its queue: rte_dma on the same queue. */
		int rc2 = peer_rte_dma_open(&o->rte_dma, o->dev.info.name, (uint16_t)o->depth);

		o->rte_dma_state = rc2 == 0 ? 1 : rc2;
		if (rc2 != 0)
			fprintf(stderr, "svart-perf: the rte_dma peer is unavailable (%s)\n",
				strerror(-rc2));
	}
	/* Alternate short rounds so that drift and core placement hit all alike. */
	if (peers)
		run_placement(o, r, 0);   /* the placement before the first round */
	for (unsigned int k = 0; k < rounds; k++) {
		if (o->null_device && c->op == SVART_ACCEL_OP_COPY)
			run_round_pmd(&sv, slice);
		else
			run_round(&sv, slice);
		if (peers && o->rte_dma_state == 1)
			run_round(&dm, slice); /* same device, queue and engines */
		if (peers && o->skel_ok) {
			lend_core(o, false);
			run_round(&sk, slice);
			lend_core(o, true);
		}
		if (peers)
			run_placement(o, r, slice);  /* this round's ring, the placement after it */
		if (o->null_device && r->store_rounds.n < PERF_ROUNDS_MAX)
			r->store_rounds.mops[r->store_rounds.n++] = peer_desc_store_mops(c->burst, slice);
	}
	r->ring_mrps = rounds_mean(&r->ring_rounds);
	r->ops = sv.ops;
	r->errors = sv.errors + sk.errors;
	r->seconds = (double)sv.ns / NS_PER_S;
	r->mops = (double)sv.ops / r->seconds / 1e6;
	r->gbps = (double)sv.ops * (double)c->size / r->seconds / 1e9;
	if (peers && dm.ns > 0)
		r->rte_dma_mops = (double)dm.ops / ((double)dm.ns / NS_PER_S) / 1e6;
	r->errors += dm.errors;
	if (peers && sk.ns > 0) {
		r->skel_mops = (double)sk.ops / ((double)sk.ns / NS_PER_S) / 1e6;
		r->skel_gbps = r->skel_mops * (double)c->size / 1e3;
	}
	if (peers)
		run_limits(o, &b, slice, r);
	if (o->null_device) {
		/* Nothing was moved: the figure is the PMD's cost, next to the floor
		 * (the mean of its rounds, as svart's figure is over its rounds). */
		r->store_mops = rounds_mean(&r->store_rounds);
	} else {
		r->verify_fail = perf_verify(c, &b);
	}
	bufs_free(&b);
	return 0;
}

double
perf_case_seconds(const struct perf_case *c, const struct perf_opts *o)
{
	double slice = o->duration / (double)o->rounds, s = o->duration;

	if (o->null_device)
		return 2 * s;                     /* svart and the floor, interleaved */
	if (!o->peers || c->op != SVART_ACCEL_OP_COPY)
		return s;
	s += slice;                           /* memcpy */
	if (o->rte_dma_state >= 0)
		s += o->duration;                 /* rte_dma over svart, interleaved */
	if (o->skel_ok)
		s += o->duration;                 /* dma_skeleton, interleaved */
	if (c->size <= PERF_RING_RECORD)
		s += o->duration;                 /* the ring limit, with each round */
	return s;
}
