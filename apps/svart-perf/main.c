/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* svart-perf: submission throughput of one device.
 *
 * Usage: svart-perf [EAL args --] [options]
 *   --dev DEVARGS      device (default idxd_emu0)
 *   --op OP[,OP..]     copy fill compare compare_value crc32c copy_crc32c dualcast
 *                      cache_flush nop (default copy)
 *   --size S[,S..]     transfer sizes, K/M suffixes (default 64,4K)
 *   --burst B[,B..]    ops per submit (default 1,32)
 *   --mode M[,M..]     dedicated, shared (default dedicated)
 *   --depth N          ring size / ops in flight (default 1024)
 *   --duration SEC     seconds per case (default 1)
 *   --json FILE        also write results as JSON ("-" = stdout)
 *   --peers            also measure dma_skeleton, memcpy and the 64 B ring limit
 *                      (copy cases), in rounds interleaved with svart's
 *   --rounds N         interleaved rounds per case with --peers (default 3)
 *
 * Every case verifies the data it moved and counts failed ops; a case with
 * errors is reported as such. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_service.h>

#include "app_common.h"
#include "peers.h"
#include "svart_accel.h"

#define PERF_MAX_LIST 16
#define PERF_POOL_BYTES (64u << 20)   /* data buffers per case, at most */
#define PERF_MAX_BUFS 4096u
#define PERF_FILL_PATTERN 0x5a5a5a5a5a5a5a5aull
#define PERF_DEFAULT_DEPTH 1024
#define PERF_BUF_ALIGN 64
#define PERF_PAGE 4096u
#define NS_PER_S 1e9
#define PERF_CLOCK_EVERY 63u /* mask: read the clock every 64 loops */

struct perf_case {
	int op;
	uint64_t size;
	unsigned int burst;
	int mode;
};

struct perf_result {
	struct perf_case c;
	double skel_mops, skel_gbps;   /* dma_skeleton, same case (copy, with --peers) */
	double memcpy_gbps;            /* one-core memcpy, same size */
	double ring_mrps;              /* 64 B records core to core, same burst (64 B cases) */
	uint64_t ops;
	uint64_t errors;
	uint64_t verify_fail;
	double seconds;
	double mops;
	double gbps;
};

struct perf_opts {
	const char *dev;
	int ops[PERF_MAX_LIST];
	unsigned int nb_ops;
	uint64_t sizes[PERF_MAX_LIST];
	unsigned int nb_sizes;
	unsigned int bursts[PERF_MAX_LIST];
	unsigned int nb_bursts;
	int modes[PERF_MAX_LIST];
	unsigned int nb_modes;
	unsigned int depth;
	double duration;
	const char *json;
	bool peers;
	unsigned int rounds;
	unsigned int engine_lcore;
	int engine_cpu;
	struct perf_target skel;
	bool skel_ok;
};

struct perf_bufs {
	uint8_t **src, **dst, **dst2;
	uint8_t *mem[3];   /* one region per role; buffers are carved from it */
	size_t mem_len;
	unsigned int n;
};

static void
bufs_free(struct perf_bufs *b)
{
	for (int k = 0; k < 3; k++)
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
	unsigned int n = (unsigned int)(PERF_POOL_BYTES / 3 / stride);

	if (n > want)
		n = want;
	if (n == 0)
		n = 1;
	b->n = n;
	b->mem_len = (stride * n + PERF_PAGE - 1) / PERF_PAGE * PERF_PAGE;
	b->src = calloc(n, sizeof(*b->src));
	b->dst = calloc(n, sizeof(*b->dst));
	b->dst2 = calloc(n, sizeof(*b->dst2));
	for (int k = 0; k < 3; k++) {
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
perf_reap(int16_t dev, unsigned int max, uint64_t *errors)
{
	struct svart_accel_result res[64];
	bool err = false;
	uint64_t n = svart_accel_completed(dev, 0, (uint16_t)max, NULL, &err);

	if (err) {
		uint16_t k = svart_accel_completed_status(dev, 0, 1, NULL, res);

		if (k == 1 && res[0].status != SVART_ACCEL_ST_SUCCESS)
			(*errors)++;
		n += k;
	}
	return n;
}

static int
perf_setup(int16_t dev, const struct perf_case *c, unsigned int depth)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = {
		.nb_desc = (uint16_t)depth,
		.mode = (uint8_t)c->mode,
		.hw_queue = SVART_ACCEL_HWQ_AUTO,
	};
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
	int16_t dev;
	const struct perf_case *c;
	struct perf_bufs *b;
	uint64_t ops, errors, ns;
};

static int
run_enq(struct runner *r, unsigned int i)
{
	if (r->t == NULL)
		return perf_enqueue(r->dev, r->c, r->b, i);
	return r->t->copy(r->t->ctx, r->b->src[i], r->b->dst[i], (uint32_t)r->c->size);
}

static void
run_submit(struct runner *r)
{
	/* -EBUSY leaves the ops enqueued; they go with a later submit. */
	if (r->t == NULL)
		(void)svart_accel_submit(r->dev, 0);
	else
		(void)r->t->submit(r->t->ctx);
}

static uint64_t
run_reap(struct runner *r)
{
	if (r->t == NULL)
		return perf_reap(r->dev, 64, &r->errors);
	return r->t->completed(r->t->ctx, 64, &r->errors);
}

static uint16_t
run_capacity(struct runner *r)
{
	return r->t == NULL ? svart_accel_burst_capacity(r->dev, 0) : r->t->capacity(r->t->ctx);
}

/* Keep the engine busy for seconds; everything submitted is reaped before returning. */
static void
run_round(struct runner *r, double seconds)
{
	uint64_t outstanding = 0, done = 0, t0, t_end, now, loops = 0;
	unsigned int next = 0;

	t0 = app_now_ns();
	t_end = t0 + (uint64_t)(seconds * NS_PER_S);
	now = t0;
	do {
		if (run_capacity(r) >= r->c->burst) {
			unsigned int k;

			for (k = 0; k < r->c->burst; k++) {
				if (run_enq(r, next) < 0)
					break;
				next = next + 1 == r->b->n ? 0 : next + 1;
			}
			outstanding += k;
			run_submit(r);
		}
		uint64_t n = run_reap(r);

		outstanding -= n;
		done += n;
		/* Reading the clock costs more than an op here: look every few loops. */
		if ((++loops & PERF_CLOCK_EVERY) == 0)
			now = app_now_ns();
	} while (now < t_end);
	/* Drain what is in flight so the data is final and the next round starts clean. */
	while (outstanding > 0) {
		uint64_t n = run_reap(r);

		run_submit(r);
		outstanding -= n;
		done += n;
	}
	r->ops += done;
	r->ns += app_now_ns() - t0;
}

static void
lend_core(struct perf_opts *o, bool to_svart)
{
	if (to_svart) {
		if (o->skel_ok)
			o->skel.pause(o->skel.ctx);
		perf_services_resume(o->engine_lcore);
	} else {
		perf_services_pause(o->engine_lcore);
		if (o->skel_ok)
			o->skel.resume(o->skel.ctx);
	}
}

static int
perf_run(int16_t dev, const struct perf_case *c, struct perf_opts *o, struct perf_result *r)
{
	struct perf_bufs b = { 0 };
	struct runner sv = { .dev = dev, .c = c, .b = &b };
	struct runner sk = { .t = &o->skel, .c = c, .b = &b };
	bool peers = o->peers && c->op == SVART_ACCEL_OP_COPY;
	unsigned int rounds = peers ? o->rounds : 1;
	double slice = o->duration / rounds;
	int rc;

	memset(r, 0, sizeof(*r));
	r->c = *c;
	rc = perf_setup(dev, c, o->depth);
	if (rc != 0)
		return rc;
	rc = bufs_alloc(&b, c->size, o->depth < PERF_MAX_BUFS ? o->depth : PERF_MAX_BUFS);
	if (rc != 0) {
		bufs_free(&b);
		return rc;
	}
	/* Alternate short rounds so that drift and core placement hit all alike. */
	for (unsigned int k = 0; k < rounds; k++) {
		run_round(&sv, slice);
		if (peers && o->skel_ok) {
			lend_core(o, false);
			run_round(&sk, slice);
			lend_core(o, true);
		}
	}
	r->ops = sv.ops;
	r->errors = sv.errors + sk.errors;
	r->seconds = (double)sv.ns / NS_PER_S;
	r->mops = (double)sv.ops / r->seconds / 1e6;
	r->gbps = (double)sv.ops * (double)c->size / r->seconds / 1e9;
	if (peers && sk.ns > 0) {
		r->skel_mops = (double)sk.ops / ((double)sk.ns / NS_PER_S) / 1e6;
		r->skel_gbps = r->skel_mops * (double)c->size / 1e3;
	}
	if (peers) {
		r->memcpy_gbps = peer_memcpy_gbps(b.src, b.dst, b.n, (uint32_t)c->size, slice);
		if (c->size <= 64) {
			lend_core(o, false);
			if (o->skel_ok)
				o->skel.pause(o->skel.ctx);
			r->ring_mrps = peer_ring_mrps(o->engine_cpu, c->burst, slice);
			lend_core(o, true);
		}
	}
	r->verify_fail = perf_verify(c, &b);
	bufs_free(&b);
	return 0;
}

static int
parse_list(const char *arg, unsigned int *nb, int (*one)(const char *, unsigned int, void *),
	   void *arr)
{
	char *copy = strdup(arg), *save = NULL;
	int rc = 0;

	if (copy == NULL)
		return -ENOMEM;
	*nb = 0;
	for (char *t = strtok_r(copy, ",", &save); t != NULL && rc == 0;
	     t = strtok_r(NULL, ",", &save)) {
		if (*nb == PERF_MAX_LIST)
			rc = -E2BIG;
		else
			rc = one(t, (*nb)++, arr);
	}
	free(copy);
	return rc;
}

static int
one_op(const char *t, unsigned int i, void *arr)
{
	int op = app_op_parse(t);

	((int *)arr)[i] = op;
	return op < 0 ? -EINVAL : 0;
}

static int
one_size(const char *t, unsigned int i, void *arr)
{
	return app_size_parse(t, &((uint64_t *)arr)[i]);
}

static int
one_burst(const char *t, unsigned int i, void *arr)
{
	long v = strtol(t, NULL, 10);

	((unsigned int *)arr)[i] = (unsigned int)v;
	return v >= 1 && v <= 1024 ? 0 : -EINVAL;
}

static int
one_mode(const char *t, unsigned int i, void *arr)
{
	if (strcmp(t, "dedicated") == 0)
		((int *)arr)[i] = SVART_ACCEL_QUEUE_DEDICATED;
	else if (strcmp(t, "shared") == 0)
		((int *)arr)[i] = SVART_ACCEL_QUEUE_SHARED;
	else
		return -EINVAL;
	return 0;
}

static void
usage(void)
{
	printf("usage: svart-perf [EAL args --] [--dev DEVARGS] [--op OP,..] [--size S,..]\n"
	       "                  [--burst B,..] [--mode dedicated|shared,..] [--depth N]\n"
	       "                  [--duration SEC] [--json FILE]\n");
}

static int
parse_args(int argc, char **argv, struct perf_opts *o)
{
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "op", required_argument, NULL, 'o' },
		{ "size", required_argument, NULL, 's' },
		{ "burst", required_argument, NULL, 'b' },
		{ "mode", required_argument, NULL, 'm' },
		{ "depth", required_argument, NULL, 'q' },
		{ "duration", required_argument, NULL, 't' },
		{ "json", required_argument, NULL, 'j' },
		{ "peers", no_argument, NULL, 'p' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc = 0;

	while (rc == 0 && (opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': o->dev = optarg; break;
		case 'o': rc = parse_list(optarg, &o->nb_ops, one_op, o->ops); break;
		case 's': rc = parse_list(optarg, &o->nb_sizes, one_size, o->sizes); break;
		case 'b': rc = parse_list(optarg, &o->nb_bursts, one_burst, o->bursts); break;
		case 'm': rc = parse_list(optarg, &o->nb_modes, one_mode, o->modes); break;
		case 'q': o->depth = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 't': o->duration = strtod(optarg, NULL); break;
		case 'j': o->json = optarg; break;
		case 'p': o->peers = true; break;
		case 'r': o->rounds = (unsigned int)strtoul(optarg, NULL, 10); break;
		default: usage(); return opt == 'h' ? 1 : -EINVAL;
		}
		if (rc != 0)
			fprintf(stderr, "svart-perf: bad value '%s'\n", optarg);
	}
	if (rc == 0 && (o->rounds == 0 || o->rounds > 100)) {
		fprintf(stderr, "svart-perf: --rounds must be in 1..100\n");
		rc = -EINVAL;
	}
	if (rc == 0 && (o->duration <= 0 || o->duration > 3600)) {
		fprintf(stderr, "svart-perf: --duration must be in (0, 3600]\n");
		rc = -EINVAL;
	}
	return rc;
}

static void
print_json(FILE *f, const struct perf_opts *o, const struct perf_result *r, unsigned int n)
{
	fprintf(f, "{\n  \"device\": \"%s\",\n  \"depth\": %u,\n  \"duration_s\": %.3f,\n"
		"  \"rounds\": %u,\n  \"placement\": {\"app_lcore\": %u, \"engine_lcore\": %u, "
		"\"engine_cpu\": %d, \"peers_on_engine_cpu\": %s},\n  \"results\": [\n",
		o->dev, o->depth, o->duration, o->rounds, rte_lcore_id(), o->engine_lcore,
		o->engine_cpu, o->peers ? "true" : "false");
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "    {\"op\": \"%s\", \"size\": %" PRIu64 ", \"burst\": %u, \"mode\": \"%s\", "
			"\"ops\": %" PRIu64 ", \"seconds\": %.6f, \"mops\": %.4f, \"gbps\": %.4f, "
			"\"skeleton_mops\": %.4f, \"skeleton_gbps\": %.4f, \"memcpy_gbps\": %.4f, "
			"\"ring_limit_mops\": %.4f, "
			"\"errors\": %" PRIu64 ", \"verify_fail\": %" PRIu64 "}%s\n",
			svart_accel_op_name(r[i].c.op), r[i].c.size, r[i].c.burst,
			r[i].c.mode == SVART_ACCEL_QUEUE_SHARED ? "shared" : "dedicated", r[i].ops,
			r[i].seconds, r[i].mops, r[i].gbps, r[i].skel_mops, r[i].skel_gbps,
			r[i].memcpy_gbps, r[i].ring_mrps, r[i].errors, r[i].verify_fail,
			i + 1 < n ? "," : "");
	fprintf(f, "  ]\n}\n");
}

/* The lcore the device engine took (a service lcore), to lend to the peers. */
static void
find_engine_lcore(struct perf_opts *o)
{
	uint32_t list[RTE_MAX_LCORE];
	int n = rte_service_lcore_list(list, RTE_MAX_LCORE);
	rte_cpuset_t cs;

	o->engine_lcore = n > 0 ? list[0] : rte_get_next_lcore(rte_lcore_id(), 1, 0);
	o->engine_cpu = -1;
	if (o->engine_lcore < RTE_MAX_LCORE) {
		cs = rte_lcore_cpuset(o->engine_lcore);
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &cs)) {
				o->engine_cpu = c;
				break;
			}
	}
}

int
main(int argc, char **argv)
{
	struct perf_opts o = {
		.dev = "idxd_emu0", .ops = { SVART_ACCEL_OP_COPY }, .nb_ops = 1,
		.sizes = { 64, 4096 }, .nb_sizes = 2, .bursts = { 1, 32 }, .nb_bursts = 2,
		.modes = { SVART_ACCEL_QUEUE_DEDICATED }, .nb_modes = 1,
		.depth = PERF_DEFAULT_DEPTH, .duration = 1.0, .rounds = 3,
	};
	struct perf_result *res;
	unsigned int n = 0, total;
	int consumed, rc, failures = 0;
	int16_t dev;

	consumed = app_eal_init(argc, argv);
	if (consumed < 0) {
		fprintf(stderr, "svart-perf: EAL init failed: %s\n", strerror(-consumed));
		return 1;
	}
	rc = parse_args(argc - consumed, argv + consumed, &o);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	rc = svart_accel_probe(o.dev);
	if (rc < 0) {
		fprintf(stderr, "svart-perf: cannot probe '%s': %s\n", o.dev, strerror(-rc));
		return 1;
	}
	dev = (int16_t)rc;
	total = o.nb_ops * o.nb_sizes * o.nb_bursts * o.nb_modes;
	res = calloc(total, sizeof(*res));
	if (res == NULL)
		return 1;
	/* The first start picks the engine's lcore; the peers get the same core. */
	struct perf_case first = { o.ops[0], o.sizes[0], o.bursts[0], o.modes[0] };

	if (perf_setup(dev, &first, o.depth) != 0) {
		fprintf(stderr, "svart-perf: cannot start '%s'\n", o.dev);
		return 1;
	}
	find_engine_lcore(&o);
	if (o.peers) {
		rc = peer_skeleton_open(&o.skel, o.engine_lcore, (uint16_t)o.depth);
		o.skel_ok = rc == 0;
		if (rc != 0)
			fprintf(stderr, "svart-perf: dma_skeleton unavailable (%s): peers without it\n",
				strerror(-rc));
		else
			o.skel.pause(o.skel.ctx);
	}
	printf("svart-perf: device %s, depth %u, %.1f s per case, app on lcore %u, engine on lcore %u "
	       "(cpu %d)%s\n", o.dev, o.depth, o.duration, rte_lcore_id(), o.engine_lcore,
	       o.engine_cpu, o.peers ? ", peers on the engine's cpu, interleaved rounds" : "");
	{
		struct svart_accel_info info;

		if (svart_accel_info_get(dev, &info) == 0)
			printf("runtime memory: device %" PRIu64 " KiB, one queue of depth %u %" PRIu64
			       " KiB\n", info.mem_device >> 10, o.depth, info.mem_queues >> 10);
	}
	printf("%-12s %9s %6s %-10s %10s %9s %8s", "op", "size", "burst", "mode", "Mops/s", "GB/s",
	       "ns/op");
	if (o.peers)
		printf(" %10s %7s %9s %7s %9s %7s", "skel Mops", "x skel", "memcpy GB", "x memcpy",
		       "ring Mrec", "x ring");
	printf(" %s\n", "check");
	for (unsigned int a = 0; a < o.nb_ops; a++)
		for (unsigned int s = 0; s < o.nb_sizes; s++)
			for (unsigned int m = 0; m < o.nb_modes; m++)
				for (unsigned int b = 0; b < o.nb_bursts; b++) {
					struct perf_case c = { o.ops[a], o.sizes[s], o.bursts[b], o.modes[m] };
					struct perf_result *r = &res[n];

					rc = perf_run(dev, &c, &o, r);
					if (rc != 0) {
						printf("%-12s %9" PRIu64 " %6u: failed: %s\n",
						       svart_accel_op_name(c.op), c.size, c.burst,
						       strerror(-rc));
						failures++;
						continue;
					}
					n++;
					printf("%-12s %9" PRIu64 " %6u %-10s %10.3f %9.3f %8.1f",
					       svart_accel_op_name(c.op), c.size, c.burst,
					       c.mode == SVART_ACCEL_QUEUE_SHARED ? "shared" : "dedicated",
					       r->mops, r->gbps, r->mops > 0 ? 1e3 / r->mops : 0.0);
					if (o.peers && c.op == SVART_ACCEL_OP_COPY)
						printf(" %10.3f %7.2f %9.3f %7.2f %9.3f %7.2f",
						       r->skel_mops, r->skel_mops > 0 ? r->mops / r->skel_mops : 0,
						       r->memcpy_gbps, r->memcpy_gbps > 0 ? r->gbps / r->memcpy_gbps : 0,
						       r->ring_mrps, r->ring_mrps > 0 ? r->mops / r->ring_mrps : 0);
					else if (o.peers)
						printf(" %10s %7s %9s %7s %9s %7s", "-", "-", "-", "-", "-", "-");
					printf(" %s\n", r->errors || r->verify_fail ? "ERRORS" : "ok");
					fflush(stdout);
					if (r->errors || r->verify_fail)
						failures++;
				}
	if (o.json != NULL) {
		FILE *f = strcmp(o.json, "-") == 0 ? stdout : fopen(o.json, "w");

		if (f == NULL) {
			fprintf(stderr, "svart-perf: cannot write %s\n", o.json);
			failures++;
		} else {
			print_json(f, &o, res, n);
			if (f != stdout)
				fclose(f);
		}
	}
	if (o.skel_ok)
		peer_skeleton_close(&o.skel);
	svart_accel_stop(dev);
	svart_accel_close(dev);
	free(res);
	rte_eal_cleanup();
	return failures ? 1 : 0;
}
