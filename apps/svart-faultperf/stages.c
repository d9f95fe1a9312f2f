/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The fault path stage by stage: 64 B copies that each meet one fresh page,
 * with the application's stamps (submit, submitted, completion seen) joined
 * to the emulated device's fault trace (svart_idxd_emu_fault_trace_*: the
 * engine took the descriptor, raised the page request, software read it,
 * answered it, the response was written, seen, the record written). The
 * trace costs a few clock reads per fault and nothing when off, so it runs
 * in a pass of its own after the untraced headline figure. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_pause.h>

#include "app_json.h"
#include "faultperf.h"
#include "svart_idxd_emu.h"
#include "svart_sva.h"

#define ST_OP_BYTES 64u
#define ST_SRC_FILL 9
#define ST_SETTLE_TRIES 1000      /* reads of the trace while its last record lands */
#define ST_SETTLE_US 10
#define ST_NS_PER_S 1e9

/* Stage k runs from stamp k to stamp k + 1 (in the order of enum st_stamp). */
enum st_stamp {
	ST_SUBMIT,      /* application: before svart_accel_copy() */
	ST_SUBMITTED,   /* application: the op is at the device */
	ST_START,       /* device: the engine took the descriptor */
	ST_RAISE,       /* device: page request raised */
	ST_READ,        /* software: request read from the IOMMU queue */
	ST_ANSWER,      /* software: resolution done, response reaches the IOMMU */
	ST_RESPOND,     /* software: response written */
	ST_SEEN,        /* device: response seen */
	ST_DONE,        /* device: completion record written */
	ST_APP_SEEN,    /* application: completion seen */
	ST_STAMPS
};

const struct fp_stage_desc fp_stage_desc[FP_STAGES] = {
	{ "submit", "submit: PMD enqueue + doorbell", "runtime" },
	{ "device_pickup", "device takes the descriptor (engine poll)", "emulator" },
	{ "device_walk", "device page walk fails, request raised", "emulator" },
	{ "service_read", "fault service reads the request", "runtime" },
	{ "populate", "resolution (MADV_POPULATE_WRITE)", "runtime" },
	{ "respond", "response written", "runtime" },
	{ "device_sees_response", "device sees the response (engine poll)", "emulator" },
	{ "device_finish", "device retries, copies, writes the record", "emulator" },
	{ "app_poll", "application sees the completion", "runtime" },
	{ "total", "total: submit -> completion seen", "" },
};

static int
st_wait(const struct app_dev *d)
{
	struct svart_accel_result r;

	while (svart_accel_completed_status(d->id, 0, 1, NULL, &r) == 0) {
		app_dev_poll(d);
		rte_pause();
	}
	return r.status == SVART_ACCEL_ST_SUCCESS ? 0 : -EIO;
}

/* The n traced ops; app[i] gets the application's three stamps of op i. */
static int
st_ops(const struct app_dev *d, uint8_t *dst, uint64_t n, uint64_t (*app)[3])
{
	uint8_t src[ST_OP_BYTES];
	int rc = 0;

	memset(src, ST_SRC_FILL, sizeof(src));
	for (uint64_t i = 0; i < n && rc == 0; i++) {
		app[i][0] = rte_rdtsc();
		if (svart_accel_copy(d->id, 0, src, dst + i * FP_PAGE, ST_OP_BYTES,
				     SVART_ACCEL_OP_SUBMIT) < 0)
			return -EIO;
		app[i][1] = rte_rdtsc();
		rc = st_wait(d);
		app[i][2] = rte_rdtsc();
		app_progress_tick(&fp_progress, app_now_ns());
	}
	return rc;
}

/* Read the trace once every op's record is in (the last lands just after its
 * completion is visible). @return records read, or a negative errno. */
static int
st_read(const struct app_dev *d, struct svart_idxd_emu_fault_stamps *rec, uint64_t n,
	uint64_t *dropped)
{
	int got = 0;

	for (int t = 0; t < ST_SETTLE_TRIES; t++) {
		got = svart_idxd_emu_fault_trace_read(d->id, rec, (uint32_t)n, dropped);
		if (got < 0 || (uint64_t)got >= n)
			break;
		app_dev_poll(d);
		rte_delay_us_block(ST_SETTLE_US);
	}
	return got;
}

static uint64_t
cyc_ns(uint64_t from, uint64_t to, double ns_per_cyc)
{
	/* Stamps from two cores: a hand-off quicker than their skew reads 0. */
	return to > from ? (uint64_t)((double)(to - from) * ns_per_cyc) : 0;
}

/* Join the trace to the ops (by page) and take each stage's percentiles. */
static void
st_join(const struct svart_idxd_emu_fault_stamps *rec, int nrec, const uint8_t *dst, uint64_t n,
	uint64_t (*app)[3], struct fp_stages *out)
{
	double ns_per_cyc = ST_NS_PER_S / (double)rte_get_tsc_hz();
	uint64_t *v[FP_STAGES] = { NULL }, m = 0;
	uint64_t base = (uint64_t)(uintptr_t)dst;

	for (int k = 0; k < FP_STAGES; k++) {
		v[k] = calloc(n, sizeof(uint64_t));
		if (v[k] == NULL)
			goto out;
	}
	for (int j = 0; j < nrec; j++) {
		const struct svart_idxd_emu_fault_stamps *r = &rec[j];
		uint64_t i = (r->addr - base) / FP_PAGE, s[ST_STAMPS];

		/* One fault per op; an op whose page was asked for twice keeps
		 * its first record only if it finished there. */
		if (r->addr < base || i >= n || r->done == 0 || r->read == 0)
			continue;
		s[ST_SUBMIT] = app[i][0];
		s[ST_SUBMITTED] = app[i][1];
		s[ST_START] = r->start;
		s[ST_RAISE] = r->raise;
		s[ST_READ] = r->read;
		s[ST_ANSWER] = r->answer;
		s[ST_RESPOND] = r->respond;
		s[ST_SEEN] = r->seen;
		s[ST_DONE] = r->done;
		s[ST_APP_SEEN] = app[i][2];
		for (int k = 0; k + 1 < ST_STAMPS; k++)
			v[k][m] = cyc_ns(s[k], s[k + 1], ns_per_cyc);
		v[FP_STAGE_TOTAL][m] = cyc_ns(s[ST_SUBMIT], s[ST_APP_SEEN], ns_per_cyc);
		m++;
	}
	out->matched = m;
	for (int k = 0; k < FP_STAGES && m > 0; k++)
		out->st[k] = fp_percentiles(v[k], m);
out:
	for (int k = 0; k < FP_STAGES; k++)
		free(v[k]);
}

int
fp_stages_run(const struct app_dev *d, uint64_t n, struct fp_stages *out)
{
	struct svart_idxd_emu_fault_stamps *rec = calloc(n, sizeof(*rec));
	uint64_t (*app)[3] = calloc(n, sizeof(*app));
	uint8_t *dst = fp_fresh(n * FP_PAGE);
	int rc = rec == NULL || app == NULL || dst == NULL ? -ENOMEM : 0, got;

	memset(out, 0, sizeof(*out));
	out->ops = n;
	if (rc == 0)
		rc = svart_idxd_emu_fault_trace_start(d->id, (uint32_t)n);
	if (rc == 0) {
		rc = st_ops(d, dst, n, app);
		got = st_read(d, rec, n, &out->dropped);
		svart_idxd_emu_fault_trace_stop(d->id);
		if (rc == 0 && got < 0)
			rc = got;
		if (rc == 0) {
			out->recorded = true;
			st_join(rec, got, dst, n, app, out);
		}
	}
	if (rc == -ENODEV)
		printf("  fault path by stage: not recorded (%s is not the emulated device, whose "
		       "trace it needs)\n", d->info.name);
	else if (rc != 0)
		fprintf(stderr, "svart-faultperf: fault path by stage failed: %s\n", strerror(-rc));
	if (dst != NULL)
		fp_unmap(d, dst, n * FP_PAGE);
	free(app);
	free(rec);
	return rc == -ENODEV ? 0 : rc;
}

void
fp_stages_print(const struct fp_stages *s)
{
	uint64_t sum = 0;

	if (!s->recorded)
		return;
	app_progress_clear(&fp_progress);
	printf("fault path by stage (64 B copy, one fresh page; %" PRIu64 " of %" PRIu64
	       " ops traced, ns):\n", s->matched, s->ops);
	printf("  %-44s %-9s %9s %9s\n", "stage", "whose", "p50", "p99");
	for (int k = 0; k < FP_STAGES; k++) {
		if (k == FP_STAGE_TOTAL)
			printf("  %-44s %-9s %9s %9s\n", "", "", "", "");
		printf("  %-44s %-9s %9" PRIu64 " %9" PRIu64 "\n", fp_stage_desc[k].label,
		       fp_stage_desc[k].owner, s->st[k].p50, s->st[k].p99);
		if (k != FP_STAGE_TOTAL)
			sum += s->st[k].p50;
	}
	printf("  (sum of the stage p50s: %" PRIu64 " ns; emulator stages are the model's own "
	       "cost, a DSA's differ)\n", sum);
}

json_t *
fp_stages_json(const struct fp_stages *s)
{
	json_t *o = json_object();

	for (int k = 0; o != NULL && s->recorded && k < FP_STAGES; k++) {
		json_t *st = json_pack("{s:I, s:I, s:I, s:s}", "p50", (json_int_t)s->st[k].p50,
				       "p99", (json_int_t)s->st[k].p99, "n", (json_int_t)s->st[k].n,
				       "whose", fp_stage_desc[k].owner);

		if (json_object_set_new(o, fp_stage_desc[k].key, st) != 0) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

void
fp_unmap(const struct app_dev *d, void *p, size_t len)
{
	munmap(p, len);
	/* An IOMMU hears of munmap from the kernel (MMU notifier); the emulated
	 * device's ATC is told here, or the next mmap at this address would hit
	 * stale translations and never fault. */
	(void)svart_sva_invalidate(d->id, p, len);
}
