/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* svart-faultperf: device page-fault resolution, with the machine's own limits
 * measured in the same run.
 *
 * Usage: svart-faultperf [EAL options] [-- options]; "svart-faultperf -- --help"
 * lists the options (device, faults, stream size, JSON and CDF outputs,
 * --quick) with their defaults and ranges.
 *
 * Figures:
 *  - PRI round trip: page request raised -> response seen by the device
 *    (device-side histogram, one fault per op, fault-around off; the emulated
 *    device records it);
 *  - per-op latency (submit -> completion seen) with and without a fault;
 *  - throughput of copies streaming into never-touched memory: block policy
 *    without and with fault-around, resume policy; the CPU writing the same
 *    amount of fresh memory;
 *  - limits (limits.c): CPU first-touch write fault, one MADV_POPULATE_WRITE
 *    page, cache-line ping-pong round trip between the two lcores, and a
 *    userfaultfd round trip.
 * A device that cannot block on faults is measured under the resume policy,
 * the block-policy figures skipped. */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <jansson.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include "app_common.h"
#include "app_json.h"
#include "faultperf.h"
#include "svart_accel.h"
#include "svart_iopf.h"

#define OP_BYTES 64u
#define NB_DESC 256
#define DEFAULT_DEV "idxd_emu0"
#define DEFAULT_FAULTS 10000
#define DEFAULT_STREAM_MIB 64
#define DEFAULT_ROUNDS 3
#define QUICK_FAULTS 2000
#define QUICK_STREAM_MIB 16
#define FAULTS_MAX 100000         /* each figure maps this many fresh pages */
#define STREAM_MIB_MAX 1024
#define MIB_SHIFT 20
#define SRC_FILL 7
#define US_PER_NS 1e-3
#define BYTES_PER_GB 1e9

struct fp_opts {
	const char *devargs;
	uint64_t faults, stream_mib, rounds;
	const char *json, *cdf;
	bool quick;
};

/* Where things run: the app, the peer lcore (device engine), the fault service. */
struct fp_place {
	unsigned int peer, fault_lcore;
	struct svart_iopf_conf ic;
};

struct fp_svart {
	bool block;                    /* the device blocks on faults (else: resume policy) */
	struct pct pri, lat_fault, lat_warm;
	double res_gbps;               /* the resume policy's stream */
	struct fp_stream stream;       /* the streams in rounds (stream.c) */
	struct fp_stages stages;       /* the faulting op stage by stage (stages.c) */
	struct fp_rounds rounds;       /* the headline in rounds (headline.c) */
};

/* ---- the command line --------------------------------------------------- */

static int
fp_parse(struct fp_opts *o, int argc, char **argv)
{
	struct app_opt opts[] = {
		{ .name = "dev", .type = APP_OPT_STRING, .metavar = "DEVARGS", .val = &o->devargs,
		  .help = "device to measure", .def = DEFAULT_DEV, .accepted = APP_DEVARGS_ACCEPTED },
		{ .name = "faults", .type = APP_OPT_UINT, .metavar = "N", .val = &o->faults,
		  .help = "faults (fresh pages) per latency figure", .def = RTE_STR(DEFAULT_FAULTS),
		  .min = 1, .max = FAULTS_MAX },
		{ .name = "stream-mib", .type = APP_OPT_UINT, .metavar = "M", .val = &o->stream_mib,
		  .help = "MiB of fresh memory per streaming figure",
		  .def = RTE_STR(DEFAULT_STREAM_MIB), .min = 1, .max = STREAM_MIB_MAX },
		{ .name = "rounds", .type = APP_OPT_UINT, .metavar = "R", .val = &o->rounds,
		  .help = "headline rounds (64 B op with and without a fault, one populated page), "
			  "faults / R ops each, for the spread; 1 = none",
		  .def = RTE_STR(DEFAULT_ROUNDS), .min = 1, .max = FP_ROUNDS_MAX },
		{ .name = "json", .type = APP_OPT_OUTPUT, .metavar = "FILE", .val = &o->json,
		  .help = "also write the results as JSON" },
		{ .name = "cdf", .type = APP_OPT_OUTPUT, .metavar = "FILE", .val = &o->cdf,
		  .help = "write latency CDFs (svart, userfaultfd, CPU) for gnuplot" },
		{ .name = "quick", .type = APP_OPT_FLAG, .val = &o->quick,
		  .help = "--faults " RTE_STR(QUICK_FAULTS) " --stream-mib " RTE_STR(QUICK_STREAM_MIB)
			  " unless given" },
		{ .name = NULL },
	};
	const struct app_desc desc = {
		.name = "svart-faultperf", .opts = opts,
		.summary = "Device page-fault resolution, next to the machine's own limits measured "
			   "in the same run.",
		.notes = "Needs two lcores (the second runs the ping-pong, the userfaultfd handler, "
			 "then the device\nengine). Any device works; one that cannot block on faults "
			 "is measured under the resume\npolicy, and the device-side PRI histogram comes "
			 "from the emulated device only.\n",
	};
	int rc = app_init(&desc, argc, argv);

	if (rc == APP_CONTINUE && o->quick) {
		if (!app_opt_find(&desc, "faults")->given)
			o->faults = QUICK_FAULTS;
		if (!app_opt_find(&desc, "stream-mib")->given)
			o->stream_mib = QUICK_STREAM_MIB;
	}
	return rc;
}

/* The second lcore; with 3 or more lcores the fault service gets one of its own
 * (the last), with 2 it shares the engine's. */
static int
fp_place(struct fp_place *pl)
{
	unsigned int lc, last;
	rte_cpuset_t a, b, both;

	pl->ic = (struct svart_iopf_conf){ .mode = SVART_IOPF_SERVICE, .lcore = -1 };
	pl->peer = rte_get_next_lcore(rte_lcore_id(), 1, 0);
	if (pl->peer >= RTE_MAX_LCORE) {
		fprintf(stderr, "svart-faultperf: needs two lcores (EAL option -l 0-1)\n");
		return -ENODEV;
	}
	pl->fault_lcore = pl->peer;
	if (rte_lcore_count() < 3)
		return 0;
	last = pl->peer;
	RTE_LCORE_FOREACH_WORKER(lc)
		last = lc;
	a = rte_lcore_cpuset(pl->peer);
	b = rte_lcore_cpuset(last);
	CPU_AND(&both, &a, &b);
	/* Only a core of its own helps: two pollers on one CPU take turns by the
	 * scheduler's time slice. */
	if (CPU_COUNT(&both) == 0) {
		pl->fault_lcore = last;
		pl->ic.mode = SVART_IOPF_LCORE;
		pl->ic.lcore = (int)last;
	}
	return 0;
}

/* ---- svart ------------------------------------------------------------ */

static int
dev_setup(const struct app_dev *d, uint8_t policy)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = { .nb_desc = NB_DESC, .mode = SVART_ACCEL_QUEUE_DEDICATED,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO,
					     .fault_policy = policy };
	int rc;

	if (!(d->info.capa & SVART_ACCEL_CAPA_DEDICATED))
		qc.mode = SVART_ACCEL_QUEUE_SHARED;

	svart_accel_stop(d->id);
	rc = svart_accel_configure(d->id, &conf);
	if (rc == 0)
		rc = svart_accel_queue_setup(d->id, 0, &qc);
	if (rc == 0)
		rc = svart_accel_start(d->id);
	if (rc != 0)
		fprintf(stderr, "svart-faultperf: cannot start %s: %s\n", d->info.name, strerror(-rc));
	return rc;
}

static int
wait_one(const struct app_dev *d, struct svart_accel_result *r)
{
	while (svart_accel_completed_status(d->id, 0, 1, NULL, r) == 0) {
		app_dev_poll(d);
		rte_pause();
	}
	return r->status == SVART_ACCEL_ST_SUCCESS ? 0 : -EIO;
}

/* Per-op latency of 64 B copies, into fresh pages (one fault each) or warm ones. */
int
fp_op_latency(const struct app_dev *d, uint64_t n, bool fault, struct pct *out)
{
	uint8_t *dst = fp_fresh(n * FP_PAGE), src[OP_BYTES];
	uint64_t *t = calloc(n, sizeof(*t));
	struct svart_accel_result r;
	int rc = dst == NULL || t == NULL ? -ENOMEM : 0;

	memset(src, SRC_FILL, sizeof(src));
	if (rc == 0 && !fault)
		memset(dst, 0, n * FP_PAGE);
	for (uint64_t i = 0; i < n && rc == 0; i++) {
		uint64_t t0 = app_now_ns();

		if (svart_accel_copy(d->id, 0, src, dst + i * FP_PAGE, OP_BYTES,
				     SVART_ACCEL_OP_SUBMIT) < 0)
			rc = -EIO;
		else
			rc = wait_one(d, &r);
		t[i] = app_now_ns() - t0;
		app_progress_tick(&fp_progress, t0 + t[i]);
	}
	if (rc == 0)
		*out = fp_percentiles(t, n);
	else
		fprintf(stderr, "svart-faultperf: 64 B copy %s a fault failed: %s\n",
			fault ? "with" : "without", strerror(-rc));
	if (dst != NULL)
		fp_unmap(d, dst, n * FP_PAGE);
	free(t);
	return rc;
}

int
fp_fault_latency(const struct app_dev *d, uint64_t n, struct pct *op, struct pct *pri)
{
	struct svart_iopf_stats st;

	svart_iopf_stats_reset();
	if (fp_op_latency(d, n, true, op) != 0)
		return -EIO;
	svart_iopf_stats_get(&st);
	*pri = (struct pct){ .n = st.latency.count, .p50 = st.latency.p50, .p90 = st.latency.p90,
			     .p99 = st.latency.p99, .p999 = st.latency.p999, .max = st.latency.max };
	return 0;
}

/* The latency figures: PRI round trip and 64 B ops with and without a fault. */
static int
svart_latency(const struct app_dev *d, uint64_t faults, struct fp_svart *s)
{
	app_progress_set(&fp_progress, "svart: 64 B copies with a fault");
	if (fp_fault_latency(d, faults, &s->lat_fault, &s->pri) != 0)
		return -EIO;
	if (s->pri.n > 0)
		fp_print_pct("page request round trip (device view)", &s->pri);
	else
		printf("  page request round trip (device view): not recorded by %s (the emulated "
		       "device records it)\n", d->info.name);
	fp_print_pct("64 B op with a fault (submit->done)", &s->lat_fault);
	app_progress_set(&fp_progress, "svart: 64 B copies without a fault");
	if (fp_op_latency(d, faults, false, &s->lat_warm) != 0)
		return -EIO;
	fp_print_pct("64 B op without a fault", &s->lat_warm);
	if (!s->block)
		return 0;
	/* A pass of its own: the headline above ran without the trace. */
	app_progress_set(&fp_progress, "svart: 64 B copies with a fault, stage by stage");
	return fp_stages_run(d, faults, &s->stages) == 0 ? 0 : -EIO;
}

/* The streams in rounds (stream.c), then the resume policy. */
static int
svart_streams(const struct app_dev *d, const struct fp_place *pl, size_t bytes,
	      unsigned int rounds, struct fp_svart *s)
{
	int rc = fp_stream_run(d, &pl->ic, s->block, bytes, rounds, &s->stream);

	if (!s->block) {
		s->res_gbps = s->stream.med[FP_STREAM_DEFAULT];
		return rc;
	}
	if (rc == 0)
		rc = dev_setup(d, SVART_ACCEL_FAULT_RESUME);
	app_progress_set(&fp_progress, "svart: stream, resume policy");
	if (rc == 0)
		rc = fp_stream_device(d, bytes, false, &s->res_gbps);
	return rc;
}

static int
svart_run(const struct fp_opts *o, struct fp_place *pl, struct app_dev *d,
	  const struct fp_limits *l, struct fp_svart *s)
{
	int rc = svart_iopf_start(&pl->ic);

	if (rc != 0) {
		fprintf(stderr, "svart-faultperf: cannot start the fault service: %s\n", strerror(-rc));
		return rc;
	}
	rc = app_dev_open(d, "dev", o->devargs);
	if (rc != 0)
		return rc;
	s->block = (d->info.capa & SVART_ACCEL_CAPA_PAGE_FAULT) != 0;
	rc = dev_setup(d, s->block ? SVART_ACCEL_FAULT_BLOCK : SVART_ACCEL_FAULT_RESUME);
	if (rc != 0)
		return rc;
	app_progress_clear(&fp_progress);
	printf("svart (%s, driver %s, %s):\n", d->info.name, d->info.driver_name,
	       s->block ? "block-on-fault" : "cannot block on faults: resume policy, block-policy "
	       "figures skipped");
	rc = svart_latency(d, o->faults, s);
	if (rc == 0 && s->block)
		rc = fp_rounds_run(d, o->faults, (unsigned int)o->rounds, l, &s->rounds);
	if (rc == 0)
		rc = svart_streams(d, pl, o->stream_mib << MIB_SHIFT, (unsigned int)o->rounds, s);
	return rc;
}

/* ---- results ------------------------------------------------------------ */

static void
print_summary(const struct fp_limits *l, const struct fp_svart *s)
{
	double near = (double)(l->madv.p50 + l->pp.p50);

	fp_headline_print(&s->lat_fault, &s->lat_warm, l);
	fp_rounds_print(&s->rounds, l);
	fp_stages_print(&s->stages);
	app_progress_clear(&fp_progress);
	fp_stream_print(&s->stream);
	printf("  svart resume policy                    %8.3f GB/s\n", s->res_gbps);
	printf("ratios (same run):\n");
	if (s->pri.n > 0) {
		printf("  PRI p50 / (populate p50 + ping-pong p50)  %6.2f\n",
		       app_ratio((double)s->pri.p50, near));
		printf("  PRI p99 / (populate p50 + ping-pong p50)  %6.2f\n",
		       app_ratio((double)s->pri.p99, near));
		if (l->uffd_rc == 0)
			printf("  userfaultfd p50 / PRI p50                 %6.2f\n",
			       app_ratio((double)l->uffd.p50, (double)s->pri.p50));
	}
}

/* What the outputs are made of. */
struct fp_report {
	const struct fp_opts *o;
	const struct fp_place *pl;
	const struct fp_limits *l;
	const struct fp_svart *s;
};

static int
print_cdf(FILE *f, const void *arg)
{
	const struct fp_report *rep = arg;
	const struct fp_limits *l = rep->l;
	const struct fp_svart *s = rep->s;

	fprintf(f, "# quantile svart_op_with_fault_us userfaultfd_us cpu_first_touch_us "
		"madv_populate_us\n");
	for (unsigned int i = 0; i <= FP_CDF_POINTS; i++)
		fprintf(f, "%.4f %.3f %.3f %.3f %.3f\n", (double)i / FP_CDF_POINTS,
			s->lat_fault.cdf[i] * US_PER_NS, l->uffd.n ? l->uffd.cdf[i] * US_PER_NS : 0.0,
			l->touch.cdf[i] * US_PER_NS, l->madv.cdf[i] * US_PER_NS);
	return 0;
}

static json_t *
json_pct(const struct pct *p)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "n", (json_int_t)p->n,
			 "p50", (json_int_t)p->p50, "p90", (json_int_t)p->p90,
			 "p99", (json_int_t)p->p99, "p999", (json_int_t)p->p999,
			 "max", (json_int_t)p->max);
}

/* The p50 of each slice of the userfaultfd faults, in order. */
static json_t *
uffd_rounds_json(const struct fp_limits *l)
{
	json_t *a = json_array();

	for (unsigned int k = 0; a != NULL && k < l->uffd_rounds; k++)
		if (json_array_append_new(a, json_integer((json_int_t)l->uffd_round_p50[k])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* faultperf.json: the placement, the latencies (ns), the fresh-memory streams. */
static json_t *
fp_json(const struct fp_report *rep, json_error_t *err)
{
	const struct fp_place *pl = rep->pl;
	const struct fp_limits *l = rep->l;
	const struct fp_svart *s = rep->s;
	json_t *root, *lat;

	root = json_pack_ex(err, 0, "{s:s, s:I, s:{s:I, s:I, s:I, s:b}, s:{s:o, s:o, s:o, s:o, s:o, "
			    "s:o}, s:o}",
			    "device", rep->o->devargs, "faults", (json_int_t)rep->o->faults,
			    "placement", "app_lcore", (json_int_t)rte_lcore_id(),
			    "engine_lcore", (json_int_t)pl->peer,
			    "fault_lcore", (json_int_t)pl->fault_lcore,
			    "fault_lcore_dedicated", pl->fault_lcore != pl->peer,
			    "latency_ns", "pri_roundtrip", json_pct(&s->pri),
			    "op_with_fault", json_pct(&s->lat_fault),
			    "op_without_fault", json_pct(&s->lat_warm),
			    "cpu_first_touch", json_pct(&l->touch),
			    "madv_populate_1page", json_pct(&l->madv),
			    "pingpong_rtt", json_pct(&l->pp),
			    "stream_fresh_gbps", fp_stream_json(&s->stream, s->res_gbps));
	/* The headline fault figure against its limit, and the fault path by stage. */
	if (root != NULL && (json_object_set_new(root, "fault_op", fp_headline_json(&s->lat_fault,
						 &s->lat_warm, l, &s->pri, &s->rounds)) != 0 ||
			     json_object_set_new(root, "fault_stages", fp_stages_json(&s->stages)) != 0)) {
		snprintf(err->text, sizeof(err->text), "out of memory");
		json_decref(root);
		return NULL;
	}
	if (root == NULL || l->uffd_rc != 0)
		return root;
	/* The userfaultfd round trip, when the kernel let it be measured. */
	lat = json_object_get(root, "latency_ns");
	if (json_object_set_new(lat, "uffd_roundtrip", json_pct(&l->uffd)) != 0 ||
	    json_object_set_new(json_object_get(lat, "uffd_roundtrip"), "rounds_p50",
				uffd_rounds_json(l)) != 0) {
		snprintf(err->text, sizeof(err->text), "out of memory");
		json_decref(root);
		return NULL;
	}
	return root;
}

static int
write_json(const struct fp_report *rep)
{
	json_error_t err;

	return app_json_write("svart-faultperf", rep->o->json, fp_json(rep, &err), &err);
}

static int
write_outputs(const struct fp_report *rep)
{
	int failures = 0;

	if (rep->o->cdf != NULL)
		failures += app_output_write("cdf", rep->o->cdf, print_cdf, rep) != 0;
	if (rep->o->json != NULL)
		failures += write_json(rep) != 0;
	return failures ? APP_EXIT_FAILURE : APP_EXIT_OK;
}

/* ---- main ---------------------------------------------------------------- */

static int
fp_main(const struct fp_opts *o, struct app_dev *d)
{
	static struct fp_limits lim;
	static struct fp_svart sv;
	struct fp_place pl;

	if (fp_place(&pl) != 0)
		return APP_EXIT_FAILURE;
	printf("svart-faultperf: %" PRIu64 " faults, %" PRIu64 " MiB streams; app on lcore %u, "
	       "peer (and emulated engine) on lcore %u, fault service on lcore %u%s\n", o->faults,
	       o->stream_mib,
	       rte_lcore_id(), pl.peer, pl.fault_lcore,
	       pl.fault_lcore == pl.peer ? " (shares the engine's core)" : " (a core of its own)");
	fflush(stdout);
	app_progress_init(&fp_progress, 0);
	/* Limits first, while the peer lcore is still free. */
	fp_limits_run(pl.peer, o->faults, &lim);
	if (svart_run(o, &pl, d, &lim, &sv) != 0)
		return APP_EXIT_FAILURE;
	print_summary(&lim, &sv);
	return write_outputs(&(struct fp_report){ o, &pl, &lim, &sv });
}

int
main(int argc, char **argv)
{
	struct fp_opts o = { .devargs = DEFAULT_DEV, .faults = DEFAULT_FAULTS,
			     .stream_mib = DEFAULT_STREAM_MIB, .rounds = DEFAULT_ROUNDS };
	struct app_dev dev = { .id = -1 };
	int rc = fp_parse(&o, argc, argv);

	if (rc != APP_CONTINUE)
		return rc;
	rc = fp_main(&o, &dev);
	app_dev_close(&dev);
	if (svart_iopf_running())
		svart_iopf_stop();
	rte_eal_cleanup();
	return rc;
}
