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

#include "app_common.h"
#include "svart_accel.h"

#define PERF_MAX_LIST 16
#define PERF_POOL_BYTES (64u << 20)   /* data buffers per case, at most */
#define PERF_MAX_BUFS 4096u
#define PERF_FILL_PATTERN 0x5a5a5a5a5a5a5a5aull
#define PERF_DEFAULT_DEPTH 1024
#define PERF_BUF_ALIGN 64
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
};

struct perf_bufs {
	uint8_t **src, **dst, **dst2;
	unsigned int n;
};

static void
bufs_free(struct perf_bufs *b)
{
	for (unsigned int i = 0; i < b->n; i++) {
		free(b->src[i]);
		free(b->dst[i]);
		free(b->dst2[i]);
	}
	free(b->src);
	free(b->dst);
	free(b->dst2);
	memset(b, 0, sizeof(*b));
}

static int
bufs_alloc(struct perf_bufs *b, uint64_t size, unsigned int want)
{
	uint64_t per = size ? size : 1;
	unsigned int n = (unsigned int)(PERF_POOL_BYTES / 3 / per);

	if (n > want)
		n = want;
	if (n == 0)
		n = 1;
	b->src = calloc(n, sizeof(*b->src));
	b->dst = calloc(n, sizeof(*b->dst));
	b->dst2 = calloc(n, sizeof(*b->dst2));
	if (b->src == NULL || b->dst == NULL || b->dst2 == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		b->src[i] = aligned_alloc(4096, (per + 4095) & ~4095ull);
		b->dst[i] = aligned_alloc(4096, (per + 4095) & ~4095ull);
		b->dst2[i] = aligned_alloc(4096, (per + 4095) & ~4095ull);
		b->n = i + 1;
		if (b->src[i] == NULL || b->dst[i] == NULL || b->dst2[i] == NULL)
			return -ENOMEM;
		for (uint64_t k = 0; k < per; k++)
			b->src[i][k] = (uint8_t)(k * 7 + i);
		memset(b->dst[i], 0, per);
		memset(b->dst2[i], 0, per);
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

static int
perf_run(int16_t dev, const struct perf_case *c, const struct perf_opts *o, struct perf_result *r)
{
	struct perf_bufs b = { 0 };
	uint64_t outstanding = 0, done = 0, t0, t_end, now, loops = 0;
	unsigned int next = 0;
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
	t0 = app_now_ns();
	t_end = t0 + (uint64_t)(o->duration * NS_PER_S);
	now = t0;
	do {
		if (svart_accel_burst_capacity(dev, 0) >= c->burst) {
			unsigned int k;

			for (k = 0; k < c->burst; k++) {
				if (perf_enqueue(dev, c, &b, next) < 0)
					break;
				next = next + 1 == b.n ? 0 : next + 1;
			}
			outstanding += k;
			/* -EBUSY leaves the ops enqueued; they go with a later submit. */
			(void)svart_accel_submit(dev, 0);
		}
		uint64_t n = perf_reap(dev, 64, &r->errors);

		outstanding -= n;
		done += n;
		/* Reading the clock costs more than an op here: look every few loops. */
		if ((++loops & PERF_CLOCK_EVERY) == 0)
			now = app_now_ns();
	} while (now < t_end);
	/* Drain what is in flight so the next case starts clean and the data is final. */
	while (outstanding > 0) {
		uint64_t n = perf_reap(dev, 64, &r->errors);

		svart_accel_submit(dev, 0);
		outstanding -= n;
		done += n;
	}
	now = app_now_ns();
	r->ops = done;
	r->seconds = (double)(now - t0) / NS_PER_S;
	r->mops = (double)done / r->seconds / 1e6;
	r->gbps = (double)done * (double)c->size / r->seconds / 1e9;
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
		default: usage(); return opt == 'h' ? 1 : -EINVAL;
		}
		if (rc != 0)
			fprintf(stderr, "svart-perf: bad value '%s'\n", optarg);
	}
	if (rc == 0 && (o->duration <= 0 || o->duration > 3600)) {
		fprintf(stderr, "svart-perf: --duration must be in (0, 3600]\n");
		rc = -EINVAL;
	}
	return rc;
}

static void
print_json(FILE *f, const struct perf_opts *o, const struct perf_result *r, unsigned int n,
	   int engine_lcore)
{
	fprintf(f, "{\n  \"device\": \"%s\",\n  \"depth\": %u,\n  \"duration_s\": %.3f,\n"
		"  \"placement\": {\"app_lcore\": %u, \"engine\": \"%s\"},\n  \"results\": [\n",
		o->dev, o->depth, o->duration, rte_lcore_id(),
		engine_lcore >= 0 ? "service lcore" : "see devargs");
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "    {\"op\": \"%s\", \"size\": %" PRIu64 ", \"burst\": %u, \"mode\": \"%s\", "
			"\"ops\": %" PRIu64 ", \"seconds\": %.6f, \"mops\": %.4f, \"gbps\": %.4f, "
			"\"errors\": %" PRIu64 ", \"verify_fail\": %" PRIu64 "}%s\n",
			svart_accel_op_name(r[i].c.op), r[i].c.size, r[i].c.burst,
			r[i].c.mode == SVART_ACCEL_QUEUE_SHARED ? "shared" : "dedicated", r[i].ops,
			r[i].seconds, r[i].mops, r[i].gbps, r[i].errors, r[i].verify_fail,
			i + 1 < n ? "," : "");
	fprintf(f, "  ]\n}\n");
}

int
main(int argc, char **argv)
{
	struct perf_opts o = {
		.dev = "idxd_emu0", .ops = { SVART_ACCEL_OP_COPY }, .nb_ops = 1,
		.sizes = { 64, 4096 }, .nb_sizes = 2, .bursts = { 1, 32 }, .nb_bursts = 2,
		.modes = { SVART_ACCEL_QUEUE_DEDICATED }, .nb_modes = 1,
		.depth = PERF_DEFAULT_DEPTH, .duration = 1.0,
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
	printf("svart-perf: device %s, depth %u, %.1f s per case, app on lcore %u, %u lcores\n",
	       o.dev, o.depth, o.duration, rte_lcore_id(), rte_lcore_count());
	printf("%-12s %9s %6s %-10s %12s %10s %9s %s\n", "op", "size", "burst", "mode", "Mops/s",
	       "GB/s", "ns/op", "check");
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
					printf("%-12s %9" PRIu64 " %6u %-10s %12.3f %10.3f %9.1f %s\n",
					       svart_accel_op_name(c.op), c.size, c.burst,
					       c.mode == SVART_ACCEL_QUEUE_SHARED ? "shared" : "dedicated",
					       r->mops, r->gbps, r->mops > 0 ? 1e3 / r->mops : 0.0,
					       r->errors || r->verify_fail ? "ERRORS" : "ok");
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
			print_json(f, &o, res, n, 0);
			if (f != stdout)
				fclose(f);
		}
	}
	svart_accel_stop(dev);
	svart_accel_close(dev);
	free(res);
	rte_eal_cleanup();
	return failures ? 1 : 0;
}
