/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* svart-perf: submission throughput of one device.
 *
 * Usage: svart-perf [EAL options] [-- options]; "svart-perf -- --help" lists
 * the options (device, ops, sizes, bursts, queue modes, depth, duration,
 * JSON output, the peers and their rounds) with their defaults and ranges.
 *
 * Every case verifies the data it moved and counts failed ops; a case with
 * errors is reported as such, and makes the exit status 1. */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_service.h>

#include "app_common.h"
#include "app_json.h"
#include "perf.h"
#include "svart_accel.h"

#define PERF_DEFAULT_DEV "idxd_emu0"
#define PERF_DEFAULT_DEPTH 1024
#define PERF_DEFAULT_DURATION 1
#define PERF_DEFAULT_ROUNDS 3
#define PERF_SIZE_MAX UINT32_MAX      /* an op's length field */
#define PERF_BURST_MAX 1024
#define PERF_DEPTH_MAX UINT16_MAX     /* a queue's nb_desc */
#define PERF_DURATION_MIN 0.001
#define PERF_DURATION_MAX 3600
#define PERF_NUM_LEN 32

static const char *const mode_names[] = {
	[SVART_ACCEL_QUEUE_DEDICATED] = "dedicated",
	[SVART_ACCEL_QUEUE_SHARED] = "shared",
	NULL,
};

static const char *
mode_name(int mode)
{
	return mode_names[mode];
}

/* ---- the command line --------------------------------------------------- */

static int
perf_parse(struct perf_opts *o, int argc, char **argv)
{
	struct app_opt opts[] = {
		{ .name = "dev", .type = APP_OPT_STRING, .metavar = "DEVARGS", .val = &o->devargs,
		  .help = "device to measure", .def = PERF_DEFAULT_DEV,
		  .accepted = APP_DEVARGS_ACCEPTED },
		{ .name = "op", .type = APP_OPT_NAME, .metavar = "OP", .val = o->ops,
		  .help = "operations", .def = "copy", .names = app_op_names(),
		  .max_count = APP_OPT_LIST_MAX, .count = &o->nb_ops },
		{ .name = "size", .type = APP_OPT_SIZE, .metavar = "S", .val = o->sizes,
		  .help = "transfer sizes (at most the device's largest transfer)", .def = "64,4K",
		  .min = 1, .max = PERF_SIZE_MAX, .max_count = APP_OPT_LIST_MAX,
		  .count = &o->nb_sizes },
		{ .name = "burst", .type = APP_OPT_UINT, .metavar = "B", .val = o->bursts,
		  .help = "ops per submit (at most --depth)", .def = "1,32", .min = 1,
		  .max = PERF_BURST_MAX, .max_count = APP_OPT_LIST_MAX, .count = &o->nb_bursts },
		{ .name = "mode", .type = APP_OPT_NAME, .metavar = "M", .val = o->modes,
		  .help = "queue modes", .def = "dedicated", .names = mode_names,
		  .max_count = APP_OPT_LIST_MAX, .count = &o->nb_modes },
		{ .name = "depth", .type = APP_OPT_UINT, .metavar = "N", .val = &o->depth,
		  .help = "ring size, ops in flight (a power of two the device takes)",
		  .def = RTE_STR(PERF_DEFAULT_DEPTH), .min = 1, .max = PERF_DEPTH_MAX },
		{ .name = "duration", .type = APP_OPT_DOUBLE, .metavar = "SEC", .val = &o->duration,
		  .help = "seconds per case", .def = RTE_STR(PERF_DEFAULT_DURATION),
		  .dmin = PERF_DURATION_MIN, .dmax = PERF_DURATION_MAX },
		{ .name = "json", .type = APP_OPT_OUTPUT, .metavar = "FILE", .val = &o->json,
		  .help = "also write the results as JSON" },
		{ .name = "peers", .type = APP_OPT_FLAG, .val = &o->peers,
		  .help = "also measure dma_skeleton, memcpy and the 64 B ring limit (copy cases)" },
		{ .name = "rounds", .type = APP_OPT_UINT, .metavar = "N", .val = &o->rounds,
		  .help = "interleaved rounds per case with --peers, or with the null device "
			  "(against the descriptor-store floor)",
		  .def = RTE_STR(PERF_DEFAULT_ROUNDS), .min = 1, .max = PERF_ROUNDS_MAX },
		{ .name = NULL },
	};
	const struct app_desc desc = {
		.name = "svart-perf", .opts = opts,
		.summary = "Submission throughput of one device: every op, size, burst and queue "
			   "mode asked for,\nwith the data of each case checked.",
		.notes = "Any device works (e.g. --dev idxd_vfio0,bdf=0000:6a:01.0); with the "
			 "emulated one, engine=manual\nmakes the application step the engines.\n",
	};

	return app_init(&desc, argc, argv);
}

/* ---- the options against the device ------------------------------------- */

static int
check_caps(const struct perf_opts *o)
{
	const struct svart_accel_info *in = &o->dev.info;

	for (unsigned int i = 0; i < o->nb_ops; i++)
		if (!(in->op_capa & (1ull << o->ops[i])))
			return app_opt_error("op", svart_accel_op_name(o->ops[i]),
					     "not supported by %s (driver %s)", in->name,
					     in->driver_name);
	for (unsigned int i = 0; i < o->nb_modes; i++) {
		uint64_t need = o->modes[i] == SVART_ACCEL_QUEUE_SHARED ? SVART_ACCEL_CAPA_SHARED
									 : SVART_ACCEL_CAPA_DEDICATED;

		if (!(in->capa & need))
			return app_opt_error("mode", mode_name(o->modes[i]),
					     "not supported by %s (driver %s)", in->name,
					     in->driver_name);
	}
	return 0;
}

static int
check_limits(const struct perf_opts *o)
{
	const struct svart_accel_info *in = &o->dev.info;
	char v[PERF_NUM_LEN];

	for (unsigned int i = 0; i < o->nb_sizes; i++)
		if (o->sizes[i] > in->max_transfer) {
			app_size_str(o->sizes[i], v, sizeof(v));
			return app_opt_error("size", v, "above the largest transfer of %s, %" PRIu64
					     " bytes", in->name, in->max_transfer);
		}
	snprintf(v, sizeof(v), "%" PRIu64, o->depth);
	if (o->depth < in->min_desc || o->depth > in->max_desc || !rte_is_power_of_2(o->depth))
		return app_opt_error("depth", v, "%s takes a power of two %u..%u", in->name,
				     in->min_desc, in->max_desc);
	for (unsigned int i = 0; i < o->nb_bursts; i++)
		if (o->bursts[i] > o->depth) {
			snprintf(v, sizeof(v), "%" PRIu64, o->bursts[i]);
			return app_opt_error("burst", v, "larger than --depth %" PRIu64, o->depth);
		}
	return 0;
}

/* ---- placement and peers -------------------------------------------------- */

/* The lcore the device engine took (a service lcore), to lend to the peers. */
static void
find_engine_lcore(struct perf_opts *o)
{
	uint32_t list[RTE_MAX_LCORE];
	int n = rte_service_lcore_list(list, RTE_MAX_LCORE);
	rte_cpuset_t cs;

	o->engine_service = n > 0;
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

static void
open_peers(struct perf_opts *o)
{
	int rc = peer_skeleton_open(&o->skel, o->engine_lcore, (uint16_t)o->depth);

	o->skel_ok = rc == 0;
	if (rc != 0)
		fprintf(stderr, "svart-perf: dma_skeleton unavailable (%s): peers without it\n",
			strerror(-rc));
	else
		o->skel.pause(o->skel.ctx);
}

static void
print_header(const struct perf_opts *o)
{
	const struct app_dev *d = &o->dev;
	struct svart_accel_info info;

	printf("svart-perf: device %s (driver %s), depth %" PRIu64 ", %.1f s per case, app on "
	       "lcore %u, ", d->info.name, d->info.driver_name, o->depth, o->duration,
	       rte_lcore_id());
	if (d->manual)
		printf("engines stepped by the application (engine=manual)");
	else if (d->threaded)
		printf("engines on threads of their own (engine=thread)");
	else if (o->engine_service)
		printf("engine on lcore %u (cpu %d)", o->engine_lcore, o->engine_cpu);
	else
		printf("%s", d->emulated ? "engines on threads of their own" : "hardware engines");
	printf("%s\n", o->peers ? ", peers on the engine's cpu, interleaved rounds" : "");
	if (o->null_device)
		printf("note: %s completes every op at once and moves no data: the figures are the "
		       "PMD's own cost per op; 'x store' compares with writing the descriptors and "
		       "reading a status byte\n", d->info.name);
	else if (!d->emulated)
		printf("note: %s is not the emulated device: emulator counters and engine "
		       "placement are skipped\n", d->info.name);
	if (svart_accel_info_get(d->id, &info) == 0)
		printf("runtime memory: device %" PRIu64 " KiB, one queue of depth %" PRIu64 " %"
		       PRIu64 " KiB\n", info.mem_device >> 10, o->depth, info.mem_queues >> 10);
	printf("%-12s %9s %6s %-10s %10s %9s %8s", "op", "size", "burst", "mode", "Mops/s", "GB/s",
	       "ns/op");
	if (o->peers)
		printf(" %10s %8s %10s %7s %9s %7s %9s %7s", "rte_dma M", "x rtedma", "skel Mops",
		       "x skel", "memcpy GB", "x memcpy", "ring Mrec", "x ring");
	printf(" %s\n", "check");
	fflush(stdout);
}

/* Open the device, check the options against it, place the engine and the peers. */
static int
perf_start(struct perf_opts *o)
{
	struct perf_case first = { o->ops[0], o->sizes[0], (unsigned int)o->bursts[0], o->modes[0] };
	int rc;

	if (app_dev_open(&o->dev, "dev", o->devargs) != 0)
		return APP_EXIT_FAILURE;
	o->null_device = o->dev.info.driver_name != NULL &&
			 strcmp(o->dev.info.driver_name, "idxd_null") == 0;
	if (check_caps(o) != 0 || check_limits(o) != 0)
		return APP_EXIT_USAGE;
	/* The first start picks the engine's lcore; the peers get the same core. */
	rc = perf_setup(&o->dev, &first, (unsigned int)o->depth);
	if (rc != 0) {
		fprintf(stderr, "svart-perf: cannot start '%s': %s\n", o->devargs, strerror(-rc));
		return APP_EXIT_FAILURE;
	}
	find_engine_lcore(o);
	if (o->peers)
		open_peers(o);
	print_header(o);
	return APP_CONTINUE;
}

/* ---- results -------------------------------------------------------------- */

static void
print_row(const struct perf_opts *o, const struct perf_result *r)
{
	const struct perf_case *c = &r->c;

	printf("%-12s %9" PRIu64 " %6u %-10s %10.3f %9.3f %8.1f", svart_accel_op_name(c->op),
	       c->size, c->burst, mode_name(c->mode), r->mops, r->gbps,
	       r->mops > 0 ? 1e3 / r->mops : 0.0);
	if (o->peers && c->op == SVART_ACCEL_OP_COPY)
		printf(" %10.3f %8.2f %10.3f %7.2f %9.3f %7.2f %9.3f %7.2f", r->rte_dma_mops,
		       app_ratio(r->mops, r->rte_dma_mops), r->skel_mops,
		       app_ratio(r->mops, r->skel_mops), r->memcpy_gbps, app_ratio(r->gbps, r->memcpy_gbps),
		       r->ring_mrps, app_ratio(r->mops, r->ring_mrps));
	else if (o->peers)
		printf(" %10s %8s %10s %7s %9s %7s %9s %7s", "-", "-", "-", "-", "-", "-", "-", "-");
	if (o->null_device)
		printf(" store %8.3f Mops x store %5.2f", r->store_mops,
		       app_ratio(r->store_mops, r->mops));
	printf(" %s\n", r->errors || r->verify_fail ? "ERRORS" : "ok");
	fflush(stdout);
}

/* A rate; a peer that was not measured is null, never 0. */
static json_t *
json_rate(double v)
{
	return v > 0 ? json_real(app_json_fixed(v, 1e4)) : json_null();
}

/* The rate of each interleaved round, for the spread (median, min, max). */
static json_t *
json_rounds(const struct perf_rounds *rd)
{
	json_t *a = json_array();

	for (unsigned int k = 0; a != NULL && k < rd->n; k++)
		if (json_array_append_new(a, json_real(app_json_fixed(rd->mops[k], 1e4))) != 0) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

static json_t *
json_result(const struct perf_result *r, json_error_t *err)
{
	return json_pack_ex(err, 0, "{s:s, s:I, s:I, s:s, s:I, s:f, s:f, s:f, s:o, s:o, s:o, s:o, "
			    "s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I}",
			    "op", svart_accel_op_name(r->c.op), "size", (json_int_t)r->c.size,
			    "burst", (json_int_t)r->c.burst, "mode", mode_name(r->c.mode),
			    "ops", (json_int_t)r->ops, "seconds", app_json_fixed(r->seconds, 1e6),
			    "mops", app_json_fixed(r->mops, 1e4), "gbps", app_json_fixed(r->gbps, 1e4),
			    "rte_dma_mops", json_rate(r->rte_dma_mops),
			    "skeleton_mops", json_rate(r->skel_mops),
			    "skeleton_gbps", json_rate(r->skel_gbps),
			    "memcpy_gbps", json_rate(r->memcpy_gbps),
			    "ring_limit_mops", json_rate(r->ring_mrps),
			    "desc_store_mops", json_rate(r->store_mops),
			    "mops_rounds", json_rounds(&r->svart_rounds),
			    "rte_dma_mops_rounds", json_rounds(&r->rte_dma_rounds),
			    "skeleton_mops_rounds", json_rounds(&r->skel_rounds),
			    "desc_store_mops_rounds", json_rounds(&r->store_rounds),
			    "errors", (json_int_t)r->errors, "verify_fail", (json_int_t)r->verify_fail);
}

/* A case with its rounds' placements (placement.c). */
static json_t *
json_result_placed(const struct perf_result *r, json_error_t *err)
{
	json_t *o = json_result(r, err);

	if (o != NULL && perf_placement_json(o, r) != 0) {
		snprintf(err->text, sizeof(err->text), "out of memory");
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* perf.json: the run's parameters and placement, then one object per case. */
static json_t *
perf_json(const struct perf_opts *o, const struct perf_result *r, unsigned int n,
	  json_error_t *err)
{
	json_t *results = json_array();

	for (unsigned int i = 0; results != NULL && i < n; i++)
		if (json_array_append_new(results, json_result_placed(&r[i], err)) != 0) {
			json_decref(results);
			results = NULL;
		}
	return json_pack_ex(err, 0, "{s:s, s:s?, s:I, s:f, s:I, s:{s:I, s:I, s:I, s:b}, s:o}",
			    "device", o->devargs, "driver", o->dev.info.driver_name,
			    "depth", (json_int_t)o->depth, "duration_s", app_json_fixed(o->duration, 1e3),
			    "rounds", (json_int_t)o->rounds, "placement",
			    "app_lcore", (json_int_t)rte_lcore_id(),
			    "engine_lcore", (json_int_t)o->engine_lcore,
			    "engine_cpu", (json_int_t)o->engine_cpu,
			    "peers_on_engine_cpu", (int)o->peers, "results", results);
}

static int
write_json(const struct perf_opts *o, const struct perf_result *r, unsigned int n)
{
	json_error_t err;

	/* The report keeps the decimals it always had: %.4f rates, %.6f seconds. */
	return app_json_write("svart-perf", o->json, perf_json(o, r, n, &err), &err);
}

/* ---- the run ---------------------------------------------------------------- */

/* Case k of the cross product, in the order ops, sizes, modes, bursts. */
static struct perf_case
case_at(const struct perf_opts *o, unsigned int k)
{
	struct perf_case c;

	c.burst = (unsigned int)o->bursts[k % o->nb_bursts];
	k /= o->nb_bursts;
	c.mode = o->modes[k % o->nb_modes];
	k /= o->nb_modes;
	c.size = o->sizes[k % o->nb_sizes];
	k /= o->nb_sizes;
	c.op = o->ops[k];
	return c;
}

static double
expected_seconds(const struct perf_opts *o, unsigned int total)
{
	double s = 0;

	for (unsigned int k = 0; k < total; k++) {
		struct perf_case c = case_at(o, k);

		s += perf_case_seconds(&c, o);
	}
	return s;
}

/* Every case; the results of those that ran go to res. @return cases that failed. */
static unsigned int
run_cases(struct perf_opts *o, struct perf_result *res, unsigned int total, unsigned int *n)
{
	unsigned int failures = 0;

	app_progress_init(&o->progress, expected_seconds(o, total));
	for (unsigned int k = 0; k < total; k++) {
		struct perf_case c = case_at(o, k);
		struct perf_result *r = &res[*n];
		int rc;

		app_progress_set(&o->progress, "case %u/%u: %s %" PRIu64 " B, burst %u, %s", k + 1,
				 total, svart_accel_op_name(c.op), c.size, c.burst, mode_name(c.mode));
		rc = perf_run(&c, o, r);
		app_progress_clear(&o->progress);
		if (rc != 0) {
			printf("%-12s %9" PRIu64 " %6u %-10s failed: %s\n", svart_accel_op_name(c.op),
			       c.size, c.burst, mode_name(c.mode), strerror(-rc));
			failures++;
			continue;
		}
		(*n)++;
		print_row(o, r);
		failures += r->errors || r->verify_fail;
	}
	return failures;
}

static int
perf_measure(struct perf_opts *o)
{
	unsigned int total = o->nb_ops * o->nb_sizes * o->nb_bursts * o->nb_modes, n = 0, failures;
	struct perf_result *res = calloc(total, sizeof(*res));

	if (res == NULL) {
		fprintf(stderr, "svart-perf: out of memory\n");
		return APP_EXIT_FAILURE;
	}
	failures = run_cases(o, res, total, &n);
	if (o->dev.emulated)
		app_dev_print_emu_counters(&o->dev, stdout);
	if (o->json != NULL && write_json(o, res, n) != 0)
		failures++;
	free(res);
	return failures ? APP_EXIT_FAILURE : APP_EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct perf_opts o = {
		.devargs = PERF_DEFAULT_DEV, .ops = { SVART_ACCEL_OP_COPY }, .nb_ops = 1,
		.sizes = { 64, 4096 }, .nb_sizes = 2, .bursts = { 1, 32 }, .nb_bursts = 2,
		.modes = { SVART_ACCEL_QUEUE_DEDICATED }, .nb_modes = 1,
		.depth = PERF_DEFAULT_DEPTH, .duration = PERF_DEFAULT_DURATION,
		.rounds = PERF_DEFAULT_ROUNDS, .dev = { .id = -1 },
	};
	int rc = perf_parse(&o, argc, argv);

	if (rc != APP_CONTINUE)
		return rc;
	rc = perf_start(&o);
	if (rc == APP_CONTINUE)
		rc = perf_measure(&o);
	if (o.rte_dma_state == 1)
		peer_dmadev_close(&o.rte_dma);
	if (o.skel_ok)
		peer_dmadev_close(&o.skel);
	app_dev_close(&o.dev);
	rte_eal_cleanup();
	return rc;
}
