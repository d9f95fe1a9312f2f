/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The fault service: drain page-request sources, assemble groups, resolve
 * them (hook, then MADV_POPULATE_*, with fault-around), answer, count. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_pause.h>
#include <rte_service.h>
#include <rte_service_component.h>
#include <rte_telemetry.h>

#include "iopf_hist.h"
#include "svart_iopf.h"
#include "topo_service.h"

RTE_LOG_REGISTER(svart_iopf_logtype, svart.iopf, NOTICE);
#define IOPF_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, svart_iopf_logtype, "svart_iopf: " fmt "\n", ## __VA_ARGS__)

#define IOPF_MAX_SOURCES 32
#define IOPF_READ_BURST 32
#define IOPF_MAX_OPEN_GROUPS 64
#define IOPF_GROUP_PAGES 64       /* pages one group may carry */
#define IOPF_DEFAULT_AROUND SVART_IOPF_FAULT_AROUND_DEFAULT
#define IOPF_PAGE 4096ull
#define IOPF_NS_PER_S 1000000000ull

/* Adaptive fault-around. Each source keeps a small table of the streams it
 * has seen, keyed by PASID: the region [lo, hi) of pages they asked for (and
 * had populated ahead) and how many of its pages are covered. A device's
 * requests need not arrive in address order (DSA runs a batch's descriptors
 * in any order: the emulated device shuffles them), so a range joins a
 * stream when it lands within IOPF_AROUND_SLACK pages of its region, and the
 * stream counts as sequential once IOPF_AROUND_CONFIRM ranges have covered
 * at least IOPF_AROUND_DENSE_NUM / IOPF_AROUND_DENSE_DEN of its region. A
 * range of a sequential stream is populated ahead: the window past it, first
 * its own length, then doubling while the stream holds, up to
 * svart_iopf_conf::fault_around_max; a range of several pages past the
 * region's end also fills the gap before it (the rest of the batch): the
 * pages of it not present, a run per MADV_POPULATE_WRITE. Random access leaves regions sparse, so nothing
 * is populated ahead of it; a stream that turns random stops at once (a lone
 * page past its end, or a region that is no longer dense); populating ahead
 * that fails (past the mapping's end) stops it too. */
struct iopf_stream {
	bool valid;
	uint32_t pasid;
	uint64_t lo, hi;           /* pages asked for or populated ahead: [lo, hi) */
	uint64_t covered;          /* pages of [lo, hi) asked for or populated ahead */
	uint32_t ranges;           /* ranges that joined the stream */
	uint32_t window;           /* pages populated ahead last time (0: none yet) */
	uint64_t used;             /* LRU tick */
};

#define IOPF_STREAMS 8            /* streams tracked per source (several queues at once) */
#define IOPF_AROUND_SLACK 1024    /* pages out of order: a batch of 64 ops of 64 KiB */
#define IOPF_AROUND_CONFIRM 3     /* ranges before a stream may be populated ahead */
#define IOPF_AROUND_DENSE_NUM 3   /* ... and covered share of its region: 3/4 */
#define IOPF_AROUND_DENSE_DEN 4
#define IOPF_AROUND_GROW 2        /* window growth factor while a stream holds */
#define IOPF_AHEAD_MAX IOPF_GROUP_PAGES /* populates ahead one group may leave pending */
#define IOPF_MINCORE_CHUNK 256    /* pages whose presence one mincore(2) reads */

/* Pages to populate ahead of a range, decided before the group is answered
 * and done after (the device resumes without waiting for them). */
struct iopf_ahead {
	struct iopf_stream *st;
	uint64_t addr, len;
	uint64_t ahead;            /* pages of it not asked for (the rest: present already) */
	bool write;
};

struct iopf_source {
	bool used;
	const struct svart_iopf_source_ops *ops;
	void *ctx;
	struct iopf_stream stream[IOPF_STREAMS]; /* several queues may stream at once */
	uint64_t tick;
};

/* A group being assembled until its last request arrives. */
struct iopf_group {
	bool used;
	int src;
	uint32_t pasid;
	uint16_t id;
	uint16_t n;
	struct svart_iopf_req req[IOPF_GROUP_PAGES];
};

static struct {
	pthread_mutex_t lock;      /* sources, stats, histogram; taken by the poller */
	struct iopf_source src[IOPF_MAX_SOURCES];
	struct iopf_group open[IOPF_MAX_OPEN_GROUPS];
	struct svart_iopf_conf conf;
	bool running;
	uint32_t service_id;
	bool service_registered;
	int lcore;
	volatile bool loop_stop;
	struct svart_iopf_stats st;
	struct iopf_hist hist;     /* nanoseconds */
} iopf = { .lock = PTHREAD_MUTEX_INITIALIZER, .lcore = -1 };

int
svart_iopf_source_add(const struct svart_iopf_source_ops *ops, void *ctx)
{
	int id = -ENOSPC;

	if (ops == NULL || ops->read == NULL || ops->respond == NULL)
		return -EINVAL;
	pthread_mutex_lock(&iopf.lock);
	for (int i = 0; i < IOPF_MAX_SOURCES; i++) {
		if (!iopf.src[i].used) {
			memset(&iopf.src[i], 0, sizeof(iopf.src[i]));
			iopf.src[i].used = true;
			iopf.src[i].ops = ops;
			iopf.src[i].ctx = ctx;
			id = i;
			break;
		}
	}
	pthread_mutex_unlock(&iopf.lock);
	return id;
}

void
svart_iopf_source_remove(int id)
{
	if (id < 0 || id >= IOPF_MAX_SOURCES)
		return;
	/* The poller holds the lock while it uses a source. */
	pthread_mutex_lock(&iopf.lock);
	iopf.src[id].used = false;
	for (int g = 0; g < IOPF_MAX_OPEN_GROUPS; g++)
		if (iopf.open[g].used && iopf.open[g].src == id)
			iopf.open[g].used = false;
	pthread_mutex_unlock(&iopf.lock);
}

void
svart_iopf_latency_record(uint64_t cycles)
{
	uint64_t ns = cycles * IOPF_NS_PER_S / rte_get_tsc_hz();

	pthread_mutex_lock(&iopf.lock);
	hist_add(&iopf.hist, ns);
	pthread_mutex_unlock(&iopf.lock);
}

/* Populate [addr, addr+len) for the access; 0 or -errno. */
static int
populate(uint64_t addr, uint64_t len, bool write)
{
	if (madvise((void *)(uintptr_t)addr, len, write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ) == 0)
		return 0;
	return -errno;
}

/* The stream of pasid a range from page joins (NULL: none). */
static struct iopf_stream *
stream_find(struct iopf_source *s, uint32_t pasid, uint64_t page)
{
	for (unsigned int i = 0; i < IOPF_STREAMS; i++) {
		struct iopf_stream *st = &s->stream[i];

		if (st->valid && st->pasid == pasid && page + IOPF_AROUND_SLACK >= st->lo &&
		    page <= st->hi + IOPF_AROUND_SLACK)
			return st;
	}
	return NULL;
}

/* Sequential so far: enough ranges, and its region densely covered. */
static bool
stream_dense(const struct iopf_stream *st)
{
	return st->ranges + 1 >= IOPF_AROUND_CONFIRM &&
	       st->covered * IOPF_AROUND_DENSE_DEN >= (st->hi - st->lo) * IOPF_AROUND_DENSE_NUM;
}

/* Fault-around for a range just resolved: which pages to populate ahead of
 * it (ah->len 0: none). Updates the stream table. */
static void
around_plan(struct iopf_source *s, uint32_t pasid, uint64_t addr, uint64_t len, bool write,
	    struct iopf_ahead *ah)
{
	uint32_t max = iopf.conf.fault_around_max;
	uint64_t page = addr / IOPF_PAGE, pages = len / IOPF_PAGE, end = page + pages;
	struct iopf_stream *st = stream_find(s, pasid, page);
	uint64_t gap, from;
	bool lone, dense;

	ah->len = 0;
	if (st == NULL) {
		/* Joins no stream: a new one, in the least recently used slot. */
		st = &s->stream[0];
		for (unsigned int i = 1; i < IOPF_STREAMS && st->valid; i++)
			if (!s->stream[i].valid || s->stream[i].used < st->used)
				st = &s->stream[i];
		*st = (struct iopf_stream){ .valid = true, .pasid = pasid, .lo = page, .hi = end,
					    .covered = pages, .ranges = 1 };
		st->used = ++s->tick;
		return;
	}
	st->used = ++s->tick;
	/* Decided on what the stream was before this range. */
	dense = stream_dense(st);
	/* The stream's pages between its frontier and a range past it: the
	 * device's other descriptors of the batch will ask for them. Filled only
	 * for a range of several pages (an op walking upward); a lone page past
	 * the frontier breaks the stream. */
	gap = page > st->hi && pages > 1 ? page - st->hi : 0;
	lone = page > st->hi && gap == 0;
	from = gap > 0 ? st->hi : end;
	st->ranges++;
	st->lo = RTE_MIN(st->lo, page);
	st->hi = RTE_MAX(st->hi, end);
	st->covered = RTE_MIN(st->covered + pages, st->hi - st->lo);
	if (!dense || lone) {
		st->window = 0; /* random access: stop populating ahead */
		return;
	}
	st->window = st->window == 0 ? (uint32_t)RTE_MIN(pages, (uint64_t)max) :
		     RTE_MIN(st->window * IOPF_AROUND_GROW, max);
	/* [from, end + window): the gap, the range (present now) and the window
	 * past it; around_run() populates only what is missing of it. */
	ah->st = st;
	ah->addr = from * IOPF_PAGE;
	ah->len = (end + st->window - from) * IOPF_PAGE;
	ah->ahead = gap + st->window;
	ah->write = write;
	st->hi = RTE_MAX(st->hi, end + st->window);
	st->covered = RTE_MIN(st->covered + gap + st->window, st->hi - st->lo);
}

/* Populate the pages of [addr, addr + len) that are not present, a run of
 * them per call (re-populating present pages costs ~150-300 ns a page, a
 * fifth of a fresh one). mincore(2) reads a present PTE as resident (Linux
 * mm/mincore.c, mincore_pte_range()); for a shared file mapping it reports
 * the page cache instead, and a zero-page or read-only PTE reads resident
 * too: such pages are skipped here and the device asks for them, which the
 * normal resolution handles. @return pages populated, or -errno (mincore:
 * -ENOMEM past the mapping). */
static int64_t
populate_missing(uint64_t addr, uint64_t len, bool write)
{
	unsigned char v[IOPF_MINCORE_CHUNK];
	uint64_t pages = len / IOPF_PAGE, run = 0, done = 0;
	int rc;

	for (uint64_t i = 0; i < pages; i += IOPF_MINCORE_CHUNK) {
		uint64_t n = RTE_MIN(pages - i, (uint64_t)IOPF_MINCORE_CHUNK);

		if (mincore((void *)(uintptr_t)(addr + i * IOPF_PAGE), n * IOPF_PAGE, v) != 0)
			return -errno;
		for (uint64_t k = 0; k < n; k++) {
			uint64_t pg = i + k;

			if (!(v[k] & 1)) {
				run++;
				continue;
			}
			rc = run > 0 ? populate(addr + (pg - run) * IOPF_PAGE, run * IOPF_PAGE,
						write) : 0;
			if (rc != 0)
				return rc;
			done += run;
			run = 0;
		}
	}
	rc = run > 0 ? populate(addr + (pages - run) * IOPF_PAGE, run * IOPF_PAGE, write) : 0;
	return rc != 0 ? rc : (int64_t)(done + run);
}

/* Populate what a group's ranges planned ahead (after the group's answer). */
static void
around_run(struct iopf_ahead *ah, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		int64_t got = populate_missing(ah[i].addr, ah[i].len, ah[i].write);

		/* Best effort: past the mapping's end it fails, and the stream
		 * starts over. */
		if (got >= 0) {
			iopf.st.around_pages += (uint64_t)got;
		} else {
			struct iopf_stream *st = ah[i].st;
			uint64_t w = ah[i].ahead;

			st->window = 0;
			st->ranges = 0;
			st->hi = st->hi >= st->lo + w ? st->hi - w : st->lo;
			st->covered = RTE_MIN(st->covered, st->hi - st->lo);
		}
	}
}

/* Resolve one contiguous range; true when it is present with the access.
 * Fault-around pages ahead of it are planned in *ah (len 0: none). */
static bool
resolve_range(struct iopf_source *s, uint32_t pasid, uint64_t addr, uint64_t len, bool write,
	      struct iopf_ahead *ah)
{
	const struct svart_iopf_conf *c = &iopf.conf;

	ah->len = 0;
	if (c->resolver != NULL) {
		enum svart_iopf_verdict v = c->resolver(c->resolver_arg, pasid,
							(void *)(uintptr_t)addr, len, write);

		if (v == SVART_IOPF_RESOLVED) {
			iopf.st.hook_resolved++;
			return true;
		}
		if (v == SVART_IOPF_INVALID)
			return false;
	}
	if (populate(addr, len, write) != 0)
		return false;
	if (c->fault_around_max > 0)
		around_plan(s, pasid, addr, len, write, ah);
	return true;
}

static int
page_cmp(const void *a, const void *b)
{
	const struct svart_iopf_req *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Resolve a whole group, coalescing adjacent pages, and answer it; then
 * populate ahead what fault-around planned, so that the device does not wait
 * for pages it has not asked for yet. */
static void
group_answer(struct iopf_group *g)
{
	struct iopf_source *s = &iopf.src[g->src];
	struct iopf_ahead ah[IOPF_AHEAD_MAX + 1]; /* the last: planned, not kept */
	unsigned int nah = 0;
	bool ok = true;
	uint16_t i = 0;

	qsort(g->req, g->n, sizeof(g->req[0]), page_cmp);
	while (i < g->n && ok) {
		uint64_t start = g->req[i].addr;
		bool write = g->req[i].write;
		uint16_t j = i + 1;

		while (j < g->n && g->req[j].addr == g->req[j - 1].addr + IOPF_PAGE &&
		       g->req[j].write == write)
			j++;
		ok = resolve_range(s, g->pasid, start, (uint64_t)(j - i) * IOPF_PAGE, write,
				   &ah[nah]);
		if (ok)
			iopf.st.pages += j - i;
		if (ok && ah[nah].len > 0 && nah < IOPF_AHEAD_MAX)
			nah++;
		i = j;
	}
	s->ops->respond(s->ctx, g->pasid, g->id, !ok);
	iopf.st.groups++;
	if (!ok)
		iopf.st.invalid++;
	g->used = false;
	around_run(ah, nah);
}

static struct iopf_group *
group_get(int src, const struct svart_iopf_req *r)
{
	struct iopf_group *free_g = NULL;

	for (int i = 0; i < IOPF_MAX_OPEN_GROUPS; i++) {
		struct iopf_group *g = &iopf.open[i];

		if (g->used && g->src == src && g->pasid == r->pasid && g->id == r->group)
			return g;
		if (!g->used && free_g == NULL)
			free_g = g;
	}
	if (free_g != NULL) {
		free_g->used = true;
		free_g->src = src;
		free_g->pasid = r->pasid;
		free_g->id = r->group;
		free_g->n = 0;
	}
	return free_g;
}

static unsigned int
poll_locked(void)
{
	struct svart_iopf_req reqs[IOPF_READ_BURST];
	unsigned int handled = 0;

	for (int id = 0; id < IOPF_MAX_SOURCES; id++) {
		struct iopf_source *s = &iopf.src[id];
		uint16_t n;

		if (!s->used)
			continue;
		n = s->ops->read(s->ctx, reqs, IOPF_READ_BURST);
		iopf.st.requests += n;
		for (uint16_t k = 0; k < n; k++) {
			struct iopf_group *g = group_get(id, &reqs[k]);

			if (g == NULL) {
				/* No room to assemble: refuse rather than drop. */
				s->ops->respond(s->ctx, reqs[k].pasid, reqs[k].group, true);
				iopf.st.invalid++;
				continue;
			}
			if (g->n < IOPF_GROUP_PAGES)
				g->req[g->n++] = reqs[k];
			if (reqs[k].last || g->n == IOPF_GROUP_PAGES)
				group_answer(g);
		}
		handled += n;
	}
	return handled;
}

unsigned int
svart_iopf_poll(void)
{
	unsigned int n;

	pthread_mutex_lock(&iopf.lock);
	n = poll_locked();
	pthread_mutex_unlock(&iopf.lock);
	return n;
}

static int32_t
iopf_service_cb(void *arg)
{
	RTE_SET_USED(arg);
	return svart_iopf_poll() > 0 ? 0 : -EAGAIN;
}

static int
iopf_lcore_loop(void *arg)
{
	RTE_SET_USED(arg);
	while (!iopf.loop_stop)
		if (svart_iopf_poll() == 0)
			rte_pause();
	return 0;
}

int
svart_iopf_start(const struct svart_iopf_conf *conf)
{
	struct svart_iopf_conf c = { .mode = SVART_IOPF_SERVICE, .lcore = -1, .numa_node = -1,
				     .fault_around_max = IOPF_DEFAULT_AROUND };
	int lc = -1, rc = 0;

	if (conf != NULL)
		c = *conf;
	if (iopf.running)
		return -EALREADY;
	if (c.mode > SVART_IOPF_MANUAL || c.lcore >= RTE_MAX_LCORE ||
	    (c.lcore >= 0 && !rte_lcore_is_enabled((unsigned int)c.lcore)))
		return -EINVAL;
	if (c.mode != SVART_IOPF_MANUAL) {
		lc = svart_service_lcore_pick(c.lcore, c.numa_node);
		if (lc == -EINVAL)
			return -EINVAL;
		if (lc < 0) {
			IOPF_LOG(ERR, "no lcore for the fault service: start EAL with two lcores "
				 "(-l 0-1) or poll with svart_iopf_poll()");
			return lc;
		}
	}
	pthread_mutex_lock(&iopf.lock);
	iopf.conf = c;
	pthread_mutex_unlock(&iopf.lock);
	if (c.mode == SVART_IOPF_SERVICE) {
		rc = svart_service_start("svart_iopf", iopf_service_cb, NULL, lc, &iopf.service_id,
					 &iopf.service_registered);
		if (rc != 0 && iopf.service_registered) {
			svart_service_stop(iopf.service_id, lc);
			iopf.service_registered = false;
		}
	} else if (c.mode == SVART_IOPF_LCORE) {
		iopf.loop_stop = false;
		rc = rte_eal_remote_launch(iopf_lcore_loop, NULL, (unsigned int)lc);
	}
	if (rc != 0) {
		IOPF_LOG(ERR, "cannot start the fault service on lcore %d: %s", lc, strerror(-rc));
		return rc;
	}
	iopf.lcore = lc;
	iopf.running = true;
	IOPF_LOG(INFO, "fault service started (%s, lcore %d)",
		 c.mode == SVART_IOPF_SERVICE ? "service" : c.mode == SVART_IOPF_LCORE ? "lcore" : "manual",
		 lc);
	return 0;
}

int
svart_iopf_stop(void)
{
	if (!iopf.running)
		return -ENOENT;
	if (iopf.conf.mode == SVART_IOPF_SERVICE && iopf.service_registered) {
		svart_service_stop(iopf.service_id, iopf.lcore);
		iopf.service_registered = false;
	} else if (iopf.conf.mode == SVART_IOPF_LCORE) {
		iopf.loop_stop = true;
		rte_eal_wait_lcore((unsigned int)iopf.lcore);
	}
	iopf.running = false;
	return 0;
}

bool
svart_iopf_running(void)
{
	return iopf.running;
}

int
svart_iopf_stats_get(struct svart_iopf_stats *s)
{
	if (s == NULL)
		return -EINVAL;
	pthread_mutex_lock(&iopf.lock);
	*s = iopf.st;
	s->overflows = s->timeouts = 0;
	for (int i = 0; i < IOPF_MAX_SOURCES; i++)
		if (iopf.src[i].used && iopf.src[i].ops->counters != NULL)
			iopf.src[i].ops->counters(iopf.src[i].ctx, &s->overflows, &s->timeouts);
	s->latency.count = iopf.hist.count;
	s->latency.p50 = hist_quantile(&iopf.hist, 0.50);
	s->latency.p90 = hist_quantile(&iopf.hist, 0.90);
	s->latency.p99 = hist_quantile(&iopf.hist, 0.99);
	s->latency.p999 = hist_quantile(&iopf.hist, 0.999);
	s->latency.max = iopf.hist.max;
	pthread_mutex_unlock(&iopf.lock);
	return 0;
}

void
svart_iopf_stats_reset(void)
{
	pthread_mutex_lock(&iopf.lock);
	memset(&iopf.st, 0, sizeof(iopf.st));
	memset(&iopf.hist, 0, sizeof(iopf.hist));
	pthread_mutex_unlock(&iopf.lock);
}

static int
tel_iopf_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct svart_iopf_stats s;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	svart_iopf_stats_get(&s);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "requests", s.requests);
	rte_tel_data_add_dict_u64(d, "groups", s.groups);
	rte_tel_data_add_dict_u64(d, "pages", s.pages);
	rte_tel_data_add_dict_u64(d, "invalid", s.invalid);
	rte_tel_data_add_dict_u64(d, "hook_resolved", s.hook_resolved);
	rte_tel_data_add_dict_u64(d, "around_pages", s.around_pages);
	rte_tel_data_add_dict_u64(d, "overflows", s.overflows);
	rte_tel_data_add_dict_u64(d, "timeouts", s.timeouts);
	rte_tel_data_add_dict_u64(d, "latency_count", s.latency.count);
	rte_tel_data_add_dict_u64(d, "latency_p50_ns", s.latency.p50);
	rte_tel_data_add_dict_u64(d, "latency_p90_ns", s.latency.p90);
	rte_tel_data_add_dict_u64(d, "latency_p99_ns", s.latency.p99);
	rte_tel_data_add_dict_u64(d, "latency_p999_ns", s.latency.p999);
	rte_tel_data_add_dict_u64(d, "latency_max_ns", s.latency.max);
	return 0;
}

/* The latency histogram: for each non-empty bucket, its upper bound (ns) and count. */
static int
tel_iopf_hist(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char key[RTE_TEL_MAX_STRING_LEN];
	unsigned int shown = 0;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&iopf.lock);
	for (unsigned int i = 0; i < HIST_BUCKETS && shown < RTE_TEL_MAX_DICT_ENTRIES; i++) {
		if (iopf.hist.b[i] == 0)
			continue;
		snprintf(key, sizeof(key), "le_%" PRIu64 "_ns", hist_upper(i));
		rte_tel_data_add_dict_u64(d, key, iopf.hist.b[i]);
		shown++;
	}
	pthread_mutex_unlock(&iopf.lock);
	return 0;
}

RTE_INIT(iopf_telemetry_init)
{
	rte_telemetry_register_cmd("/svart/iopf/stats", tel_iopf_stats,
				   "Returns fault service counters and latency percentiles (ns).");
	rte_telemetry_register_cmd("/svart/iopf/latency_hist", tel_iopf_hist,
				   "Returns the page-request latency histogram: bucket upper bound (ns) -> count.");
}
