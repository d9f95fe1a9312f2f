/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Streaming 64 KiB copies into never-touched memory, in rounds, each round
 * measuring in turn, on the same sizes and the same memory kind (fresh private
 * anonymous 4 KiB pages, unmapped after each figure and the device told):
 *  - the CPU copying the same 64 KiB chunks into fresh memory (its own
 *    first-touch faults);
 *  - the batched-populate limit: MADV_POPULATE_WRITE of 64 pages per call;
 *  - svart, the default configuration (fault-around up to
 *    SVART_IOPF_FAULT_AROUND_DEFAULT pages);
 *  - svart without fault-around;
 *  - svart into memory already present (the device's own cost per byte, no
 *    fault), which with the populate limit bounds the fresh stream.
 * Ratios are taken per round (the same neighbours for all four). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <jansson.h>
#include <rte_common.h>
#include <rte_cycles.h>

#include "app_json.h"
#include "faultperf.h"
#include "svart_accel.h"
#include "svart_idxd_emu.h"
#include "svart_iopf.h"

#define STREAM_DEPTH 64
#define STREAM_REAP 32
#define SRC_FILL 7
#define BYTES_PER_GB 1e9
#define GBPS_SCALE 1e4    /* GB/s keep 4 decimals in the JSON */
#define TRACE_FAULTS 8192 /* faults the traced stream keeps */

const char *const fp_stream_key[FP_STREAM_KINDS] = {
	"cpu", "populate_batch64", "svart_default", "svart_no_fault_around", "svart_warm",
};

static const char *const stream_label[FP_STREAM_KINDS] = {
	"CPU copying into fresh memory",
	"MADV_POPULATE_WRITE, 64 pages a call",
	"svart, default config",
	"svart, fault-around off",
	"svart into present memory",
};

static double
gbps_of(size_t bytes, uint64_t t0)
{
	uint64_t ns = app_now_ns() - t0;

	return ns == 0 ? 0 : (double)bytes / ((double)ns / NS_PER_S) / BYTES_PER_GB;
}

/* The CPU copying FP_STREAM_OP chunks into fresh memory. */
static double
cpu_stream(size_t bytes, const uint8_t *src)
{
	uint8_t *m = fp_fresh(bytes);
	uint64_t t0;
	double g;

	if (m == NULL)
		return 0;
	t0 = app_now_ns();
	for (size_t o = 0; o + FP_STREAM_OP <= bytes; o += FP_STREAM_OP)
		memcpy(m + o, src, FP_STREAM_OP);
	g = gbps_of(bytes, t0);
	munmap(m, bytes);
	return g;
}

/* The kernel making fresh memory present in batches of FP_POPULATE_BATCH pages. */
static double
populate_stream(size_t bytes)
{
	size_t step = (size_t)FP_POPULATE_BATCH * FP_PAGE;
	uint8_t *m = fp_fresh(bytes);
	uint64_t t0;
	double g;

	if (m == NULL)
		return 0;
	t0 = app_now_ns();
	for (size_t o = 0; o < bytes; o += step)
		if (madvise(m + o, RTE_MIN(step, bytes - o), MADV_POPULATE_WRITE) != 0) {
			munmap(m, bytes);
			return 0;
		}
	g = gbps_of(bytes, t0);
	munmap(m, bytes);
	return g;
}

/* Reap what is done. @return ops reaped, or -EIO on a failed op. */
static int
stream_reap(const struct app_dev *d)
{
	struct svart_accel_result r[STREAM_REAP];
	uint16_t n;

	app_dev_poll(d);
	n = svart_accel_completed_status(d->id, 0, STREAM_REAP, NULL, r);
	for (uint16_t i = 0; i < n; i++)
		if (r[i].status != SVART_ACCEL_ST_SUCCESS) {
			fprintf(stderr, "svart-faultperf: stream op failed (hw status 0x%x)\n",
				r[i].hw_status);
			return -EIO;
		}
	return n;
}

int
fp_stream_device(const struct app_dev *d, size_t bytes, bool present, double *gbps)
{
	uint8_t *dst = fp_fresh(bytes), *src = malloc(FP_STREAM_OP);
	uint64_t ops = bytes / FP_STREAM_OP, sent = 0, done = 0, t0;
	int rc = dst == NULL || src == NULL ? -ENOMEM : 0;

	if (rc == 0)
		memset(src, SRC_FILL, FP_STREAM_OP);
	if (rc == 0 && present && madvise(dst, bytes, MADV_POPULATE_WRITE) != 0)
		rc = -errno;
	t0 = app_now_ns();
	while (rc == 0 && done < ops) {
		while (sent < ops && sent - done < STREAM_DEPTH &&
		       svart_accel_copy(d->id, 0, src, dst + sent * FP_STREAM_OP, FP_STREAM_OP, 0) >= 0)
			sent++;
		svart_accel_submit(d->id, 0);
		rc = stream_reap(d);
		done += rc > 0 ? (uint64_t)rc : 0;
		rc = rc < 0 ? rc : 0;
		app_progress_tick(&fp_progress, app_now_ns());
	}
	if (rc == 0)
		*gbps = gbps_of(bytes, t0);
	if (rc == 0 && memcmp(dst + bytes - FP_STREAM_OP, src, FP_STREAM_OP) != 0)
		rc = -EIO;
	if (dst != NULL)
		fp_unmap(d, dst, bytes);
	free(src);
	return rc;
}

/* Restart the fault service with fault-around up to around pages. */
static int
iopf_restart(const struct svart_iopf_conf *base, uint32_t around)
{
	struct svart_iopf_conf ic = *base;
	int rc;

	ic.fault_around_max = around;
	if (svart_iopf_running())
		svart_iopf_stop();
	rc = svart_iopf_start(&ic);
	if (rc != 0)
		fprintf(stderr, "svart-faultperf: cannot restart the fault service: %s\n",
			strerror(-rc));
	return rc;
}

/* One svart figure under a fault-around setting, with the service's counters. */
static int
svart_figure(const struct app_dev *d, const struct svart_iopf_conf *ic, uint32_t around,
	     size_t bytes, double *gbps, struct svart_iopf_stats *st)
{
	int rc = iopf_restart(ic, around);

	svart_iopf_stats_reset();
	if (rc == 0)
		rc = fp_stream_device(d, bytes, false, gbps);
	if (rc == 0)
		svart_iopf_stats_get(st);
	return rc;
}

/* One more default-config stream with the emulated device's fault trace on:
 * how long the device waited on page requests, and in what. */
static void
stream_traced(const struct app_dev *d, const struct svart_iopf_conf *ic, size_t bytes,
	      struct fp_stream *out)
{
	struct svart_idxd_emu_fault_stamps *rec = calloc(TRACE_FAULTS, sizeof(*rec));
	struct fp_stream_trace *t = &out->trace;
	double ns_per_cyc = NS_PER_S / (double)rte_get_tsc_hz(), g = 0;
	struct svart_iopf_stats st;
	uint64_t t0;
	int n;

	if (rec == NULL || svart_idxd_emu_fault_trace_start(d->id, TRACE_FAULTS) != 0) {
		free(rec);
		return; /* not the emulated device: no trace */
	}
	app_progress_set(&fp_progress, "stream: svart, default config, traced");
	t0 = app_now_ns();
	if (svart_figure(d, ic, out->around_max, bytes, &g, &st) == 0) {
		t->total_ns = app_now_ns() - t0;
		n = svart_idxd_emu_fault_trace_read(d->id, rec, TRACE_FAULTS, NULL);
		for (int i = 0; i < n; i++) {
			const struct svart_idxd_emu_fault_stamps *r = &rec[i];

			/* Resolution (read -> answer) holds in every record; a batch
			 * member's record that did not finish (done 0: the batch
			 * waited again) carries an earlier request's raise. */
			if (r->read == 0 || r->answer < r->read)
				continue;
			t->faults++;
			t->resolve_ns += (uint64_t)((double)(r->answer - r->read) * ns_per_cyc);
			if (r->done == 0 || r->read < r->raise || r->seen < r->raise)
				continue;
			t->complete++;
			t->wait_ns += (uint64_t)((double)(r->seen - r->raise) * ns_per_cyc);
			t->read_ns += (uint64_t)((double)(r->read - r->raise) * ns_per_cyc);
		}
		t->around_pages = st.around_pages;
		t->pages = st.pages;
		t->gbps = g;
	}
	svart_idxd_emu_fault_trace_stop(d->id);
	free(rec);
}

static double
median(double *v, unsigned int n)
{
	double s[FP_ROUNDS_MAX];

	memcpy(s, v, n * sizeof(*v));
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && s[j - 1] > s[j]; j--) {
			double t = s[j];

			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	return n == 0 ? 0 : n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

int
fp_stream_run(const struct app_dev *d, const struct svart_iopf_conf *ic, bool block,
	      size_t bytes, unsigned int rounds, struct fp_stream *out)
{
	uint8_t *src = malloc(FP_STREAM_OP);
	int rc = src == NULL ? -ENOMEM : 0;

	memset(out, 0, sizeof(*out));
	out->bytes = bytes;
	out->block = block;
	out->around_max = SVART_IOPF_FAULT_AROUND_DEFAULT;
	rounds = RTE_MAX(1u, RTE_MIN(rounds, (unsigned int)FP_ROUNDS_MAX));
	if (src != NULL)
		memset(src, SRC_FILL, FP_STREAM_OP);
	for (unsigned int r = 0; r < rounds && rc == 0; r++) {
		double *g[FP_STREAM_KINDS];

		for (unsigned int k = 0; k < FP_STREAM_KINDS; k++)
			g[k] = &out->gbps[k][r];
		app_progress_set(&fp_progress, "stream: CPU, populate limit");
		*g[FP_STREAM_CPU] = cpu_stream(bytes, src);
		*g[FP_STREAM_BATCH] = populate_stream(bytes);
		/* Default and fault-around off take turns going first. */
		for (unsigned int k = 0; k < 2 && rc == 0; k++) {
			bool off = (k + r) % 2 == 1;

			if (off && !block)
				continue;
			app_progress_set(&fp_progress, off ? "stream: svart, fault-around off" :
					 "stream: svart, default config");
			rc = off ? svart_figure(d, ic, 0, bytes, g[FP_STREAM_OFF], &out->st_off) :
			     svart_figure(d, ic, block ? out->around_max : 0, bytes,
					  g[FP_STREAM_DEFAULT], &out->st_default);
		}
		if (rc == 0) {
			app_progress_set(&fp_progress, "stream: svart into present memory");
			rc = fp_stream_device(d, bytes, true, g[FP_STREAM_WARM]);
		}
		out->rounds = r + 1;
	}
	free(src);
	if (rc == 0 && block)
		stream_traced(d, ic, bytes, out);
	/* The service as the rest of the run expects it. */
	if (iopf_restart(ic, ic->fault_around_max) != 0 && rc == 0)
		rc = -EIO;
	for (unsigned int k = 0; k < FP_STREAM_KINDS; k++)
		out->med[k] = median(out->gbps[k], out->rounds);
	if (rc != 0)
		fprintf(stderr, "svart-faultperf: streaming failed: %s\n", strerror(-rc));
	return rc;
}

/* The per-round ratio a / b of two figures, median over the rounds. */
double
fp_stream_ratio(const struct fp_stream *s, unsigned int a, unsigned int b)
{
	double v[FP_ROUNDS_MAX];
	unsigned int n = 0;

	for (unsigned int r = 0; r < s->rounds; r++)
		if (s->gbps[a][r] > 0 && s->gbps[b][r] > 0)
			v[n++] = s->gbps[a][r] / s->gbps[b][r];
	return median(v, n);
}

static double
ns_per_page(double gbps)
{
	return gbps > 0 ? FP_PAGE / gbps : 0;
}

void
fp_stream_print(const struct fp_stream *s)
{
	const struct svart_iopf_stats *st = &s->st_default;
	uint64_t pages = s->bytes / FP_PAGE;

	app_progress_clear(&fp_progress);
	printf("streaming 64 KiB copies into fresh memory (%zu MiB, medians of %u rounds):\n",
	       s->bytes >> 20, s->rounds);
	for (unsigned int k = 0; k < FP_STREAM_KINDS; k++) {
		if (k == FP_STREAM_OFF && !s->block)
			continue;
		printf("  %-38s %8.3f GB/s  %6.0f ns/page  (rounds", stream_label[k], s->med[k],
		       ns_per_page(s->med[k]));
		for (unsigned int r = 0; r < s->rounds; r++)
			printf(" %.2f", s->gbps[k][r]);
		printf(")\n");
	}
	printf("  default config, last round: %" PRIu64 " page requests in %" PRIu64 " groups for %"
	       PRIu64 " pages, %" PRIu64 " populated ahead (fault-around up to %u)\n",
	       st->requests, st->groups, pages, st->around_pages, s->around_max);
	printf("  bound: device into present memory %.0f ns/page + populate in batches %.0f "
	       "ns/page = %.3f GB/s when nothing overlaps (the engine and the fault service "
	       "share a core here)\n", ns_per_page(s->med[FP_STREAM_WARM]),
	       ns_per_page(s->med[FP_STREAM_BATCH]),
	       s->med[FP_STREAM_WARM] > 0 && s->med[FP_STREAM_BATCH] > 0 ?
	       FP_PAGE / (ns_per_page(s->med[FP_STREAM_WARM]) + ns_per_page(s->med[FP_STREAM_BATCH])) :
	       0.0);
	if (s->trace.faults > 0) {
		const struct fp_stream_trace *t = &s->trace;
		double ahead = ns_per_page(s->med[FP_STREAM_BATCH]) * (double)t->around_pages;
		double dev = ns_per_page(s->med[FP_STREAM_WARM]) * (double)pages;

		/* Everything below runs on the engine's core, one after the other. */
		printf("  traced default stream (%.3f GB/s): %.2f ms = resolving the %" PRIu64 " pages "
		       "asked in %" PRIu64 " groups %.2f ms + populating %" PRIu64 " pages ahead "
		       "after answering ~%.2f ms (at the batched limit) + the device's own copying "
		       "~%.2f ms (into present memory) + rest %.2f ms\n", t->gbps, t->total_ns / 1e6,
		       t->pages, t->faults, t->resolve_ns / 1e6, t->around_pages, ahead / 1e6,
		       dev / 1e6, ((double)t->total_ns - (double)t->resolve_ns - ahead - dev) / 1e6);
	}
	printf("  ratios (per round, median): default / CPU %.2f (target >= %.1f), default / "
	       "populate limit %.2f (target >= %.1f)", fp_stream_ratio(s, FP_STREAM_DEFAULT,
	       FP_STREAM_CPU), FP_TARGET_STREAM_CPU, fp_stream_ratio(s, FP_STREAM_DEFAULT,
	       FP_STREAM_BATCH), FP_TARGET_STREAM_BATCH);
	if (s->block)
		printf(", fault-around on / off %.2f (target >= %.1f)",
		       fp_stream_ratio(s, FP_STREAM_DEFAULT, FP_STREAM_OFF), FP_TARGET_STREAM_AROUND);
	printf("\n");
}

json_t *
fp_stream_json(const struct fp_stream *s, double resume_gbps)
{
	json_t *o = json_object(), *rounds = json_object();

	if (o == NULL || rounds == NULL)
		goto fail;
	/* The keys older reports read, then the rest. */
	if (json_object_set_new(o, "svart_block", json_real(app_json_fixed(
			s->block ? s->med[FP_STREAM_OFF] : 0, GBPS_SCALE))) != 0 ||
	    json_object_set_new(o, "svart_block_fault_around", json_real(app_json_fixed(
			s->block ? s->med[FP_STREAM_DEFAULT] : 0, GBPS_SCALE))) != 0 ||
	    json_object_set_new(o, "svart_resume", json_real(app_json_fixed(resume_gbps,
			GBPS_SCALE))) != 0 ||
	    json_object_set_new(o, "fault_around_max", json_integer(s->around_max)) != 0 ||
	    json_object_set_new(o, "bytes", json_integer((json_int_t)s->bytes)) != 0 ||
	    json_object_set_new(o, "default_requests", json_integer(
			(json_int_t)s->st_default.requests)) != 0 ||
	    json_object_set_new(o, "default_groups", json_integer(
			(json_int_t)s->st_default.groups)) != 0 ||
	    json_object_set_new(o, "default_around_pages", json_integer(
			(json_int_t)s->st_default.around_pages)) != 0)
		goto fail;
	for (unsigned int k = 0; k < FP_STREAM_KINDS; k++) {
		json_t *a = json_array();

		if (k == FP_STREAM_OFF && !s->block) {
			json_decref(a);
			continue;
		}
		if (json_object_set_new(o, fp_stream_key[k], json_real(app_json_fixed(s->med[k],
				GBPS_SCALE))) != 0 || json_object_set_new(rounds, fp_stream_key[k], a) != 0)
			goto fail;
		for (unsigned int r = 0; r < s->rounds; r++)
			if (json_array_append_new(a, json_real(app_json_fixed(s->gbps[k][r],
					GBPS_SCALE))) != 0)
				goto fail;
	}
	if (s->trace.faults > 0 &&
	    json_object_set_new(o, "traced_default", json_pack("{s:f, s:I, s:I, s:I, s:I, s:I}",
			"gbps", app_json_fixed(s->trace.gbps, GBPS_SCALE),
			"total_ns", (json_int_t)s->trace.total_ns, "groups", (json_int_t)s->trace.faults,
			"resolve_ns", (json_int_t)s->trace.resolve_ns,
			"pages_asked", (json_int_t)s->trace.pages,
			"around_pages", (json_int_t)s->trace.around_pages)) != 0)
		goto fail;
	if (json_object_set_new(o, "rounds", rounds) == 0)
		return o;
	rounds = NULL;
fail:
	json_decref(rounds);
	json_decref(o);
	return NULL;
}
