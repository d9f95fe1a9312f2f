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
#define IOPF_DEFAULT_AROUND 64
#define IOPF_PAGE 4096ull
#define IOPF_NS_PER_S 1000000000ull

/* A sequential stream seen by fault-around: where it ended, how far ahead we go. */
struct iopf_stream {
	uint64_t next_page;        /* first page after the stream's last range */
	uint32_t window;           /* pages populated ahead of the next range */
	uint64_t used;             /* LRU tick */
};

#define IOPF_STREAMS 8

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

/* Resolve one contiguous range; true when it is present with the access. */
static bool
resolve_range(struct iopf_source *s, uint32_t pasid, uint64_t addr, uint64_t len, bool write)
{
	const struct svart_iopf_conf *c = &iopf.conf;
	uint64_t page = addr / IOPF_PAGE;

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
	/* Fault-around: a range that starts where a recent one ended (or where the
	 * pages populated ahead of it ended) continues that stream: populate
	 * `window` pages past its end too, doubling the window up to the maximum.
	 * A range that continues no stream starts a new one (least recently used). */
	if (c->fault_around_max > 0) {
		struct iopf_stream *st = NULL, *lru = &s->stream[0];

		for (unsigned int i = 0; i < IOPF_STREAMS; i++) {
			if (s->stream[i].next_page == page && page != 0)
				st = &s->stream[i];
			if (s->stream[i].used < lru->used)
				lru = &s->stream[i];
		}
		if (st == NULL) {
			st = lru;
			st->window = 0;
		} else {
			st->window = st->window == 0 ? 1 : st->window * 2;
			if (st->window > c->fault_around_max)
				st->window = c->fault_around_max;
		}
		st->used = ++s->tick;
		st->next_page = page + len / IOPF_PAGE;
		if (st->window > 0) {
			uint64_t ahead = (uint64_t)st->window * IOPF_PAGE;

			/* Best effort: past the mapping's end it fails, and then only
			 * the faulting range counts. */
			if (populate(addr, len + ahead, write) == 0) {
				iopf.st.around_pages += st->window;
				st->next_page += st->window;
				return true;
			}
			st->window = 0;
		}
	}
	return populate(addr, len, write) == 0;
}

static int
page_cmp(const void *a, const void *b)
{
	const struct svart_iopf_req *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Resolve a whole group, coalescing adjacent pages, and answer it. */
static void
group_answer(struct iopf_group *g)
{
	struct iopf_source *s = &iopf.src[g->src];
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
		ok = resolve_range(s, g->pasid, start, (uint64_t)(j - i) * IOPF_PAGE, write);
		if (ok)
			iopf.st.pages += j - i;
		i = j;
	}
	s->ops->respond(s->ctx, g->pasid, g->id, !ok);
	iopf.st.groups++;
	if (!ok)
		iopf.st.invalid++;
	g->used = false;
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
