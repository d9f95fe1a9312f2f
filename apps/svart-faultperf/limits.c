/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The machine's limits for svart-faultperf: the CPU's first-touch fault, one
 * MADV_POPULATE_WRITE page, a cache-line ping-pong between the two lcores, a
 * userfaultfd round trip (fault -> handler on the other lcore -> UFFDIO_COPY ->
 * resume); the streaming limits are in stream.c. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_pause.h>

#include "faultperf.h"

#define PINGPONG_ROUNDS 20000
#define BYTES_PER_GB 1e9
#define UFFD_FILL 0x11

struct app_progress fp_progress;

static int
u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct pct
fp_percentiles(uint64_t *v, uint64_t n)
{
	struct pct p = { .n = n };

	if (n == 0)
		return p;
	qsort(v, n, sizeof(*v), u64cmp);
	p.p50 = v[n * 50 / 100];
	p.p90 = v[n * 90 / 100];
	p.p99 = v[n * 99 / 100];
	p.p999 = v[n * 999 / 1000];
	p.max = v[n - 1];
	for (unsigned int i = 0; i <= FP_CDF_POINTS; i++)
		p.cdf[i] = v[(n - 1) * i / FP_CDF_POINTS];
	return p;
}


uint8_t *
fp_fresh(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* ---- Limits ---------------------------------------------------------- */

/* Make one fresh page present: by the CPU's own write fault, or by madvise. */
static void
touch_write(uint8_t *page)
{
	page[0] = 1;
}

static void
touch_populate(uint8_t *page)
{
	madvise(page, FP_PAGE, MADV_POPULATE_WRITE);
}

/* Latency of making each of n fresh pages present with touch(). */
static struct pct
fresh_page_cost(uint64_t n, void (*touch)(uint8_t *page))
{
	uint8_t *m = fp_fresh(n * FP_PAGE);
	uint64_t *t = calloc(n, sizeof(*t));
	struct pct p = { 0 };

	if (m != NULL && t != NULL) {
		for (uint64_t i = 0; i < n; i++) {
			uint64_t t0 = app_now_ns();

			touch(m + i * FP_PAGE);
			t[i] = app_now_ns() - t0;
			app_progress_tick(&fp_progress, t0 + t[i]);
		}
		p = fp_percentiles(t, n);
	}
	if (m != NULL)
		munmap(m, n * FP_PAGE);
	free(t);
	return p;
}

struct pct
fp_madv_cost(uint64_t n)
{
	return fresh_page_cost(n, touch_populate);
}

static volatile uint64_t pp_line __attribute__((aligned(64)));
static volatile int pp_stop;

static int
pingpong_peer(void *arg)
{
	uint64_t want = 1;

	(void)arg;
	while (!pp_stop) {
		if (pp_line == want) {
			pp_line = want + 1;
			want += 2;
		}
	}
	return 0;
}

static struct pct
pingpong(unsigned int peer)
{
	uint64_t *t = calloc(PINGPONG_ROUNDS, sizeof(*t));
	struct pct p = { 0 };

	if (t == NULL)
		return p;
	pp_line = 0;
	pp_stop = 0;
	rte_eal_remote_launch(pingpong_peer, NULL, peer);
	for (uint64_t i = 0; i < PINGPONG_ROUNDS; i++) {
		uint64_t v = 2 * i + 1, t0 = rte_rdtsc();

		pp_line = v;
		while (pp_line != v + 1)
			rte_pause();
		t[i] = (rte_rdtsc() - t0) * (uint64_t)NS_PER_S / rte_get_tsc_hz();
	}
	pp_stop = 1;
	rte_eal_wait_lcore(peer);
	p = fp_percentiles(t, PINGPONG_ROUNDS);
	free(t);
	return p;
}

struct uffd_ctx {
	int fd;
	volatile int stop;
	uint8_t page[FP_PAGE] __attribute__((aligned(FP_PAGE)));
};

static int
uffd_handler(void *arg)
{
	struct uffd_ctx *u = arg;

	/* Busy-polling handler on the other lcore: read the fault, copy a page in. */
	while (!u->stop) {
		struct uffd_msg msg;
		struct uffdio_copy cp;

		if (read(u->fd, &msg, sizeof(msg)) != sizeof(msg))
			continue;
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		memset(&cp, 0, sizeof(cp));
		cp.dst = msg.arg.pagefault.address & ~(uint64_t)(FP_PAGE - 1);
		cp.src = (uint64_t)(uintptr_t)u->page;
		cp.len = FP_PAGE;
		ioctl(u->fd, UFFDIO_COPY, &cp);
	}
	return 0;
}

static int
uffd_roundtrip(unsigned int peer, uint64_t n, struct fp_limits *l)
{
	static struct uffd_ctx u;
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	uint64_t *t;
	uint8_t *m;

	u.fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (u.fd < 0)
		return -errno;
	if (ioctl(u.fd, UFFDIO_API, &api) != 0) {
		close(u.fd);
		return -errno;
	}
	m = fp_fresh(n * FP_PAGE);
	t = calloc(n, sizeof(*t));
	if (m == NULL || t == NULL) {
		close(u.fd);
		return -ENOMEM;
	}
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uint64_t)(uintptr_t)m;
	reg.range.len = n * FP_PAGE;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(u.fd, UFFDIO_REGISTER, &reg) != 0) {
		close(u.fd);
		munmap(m, n * FP_PAGE);
		free(t);
		return -errno;
	}
	memset(u.page, UFFD_FILL, FP_PAGE);
	u.stop = 0;
	rte_eal_remote_launch(uffd_handler, &u, peer);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = app_now_ns();

		m[i * FP_PAGE] = 2;   /* write fault -> handler -> UFFDIO_COPY -> resume */
		t[i] = app_now_ns() - t0;
		app_progress_tick(&fp_progress, t0 + t[i]);
	}
	u.stop = 1;
	rte_eal_wait_lcore(peer);
	/* Each slice's p50 first (the percentiles sort in place), then the whole. */
	l->uffd_rounds = 0;
	for (unsigned int k = 0; k < FP_UFFD_ROUNDS && n >= FP_UFFD_ROUNDS; k++) {
		uint64_t per = n / FP_UFFD_ROUNDS;

		l->uffd_round_p50[l->uffd_rounds++] = fp_percentiles(t + k * per, per).p50;
	}
	l->uffd = fp_percentiles(t, n);
	close(u.fd);
	munmap(m, n * FP_PAGE);
	free(t);
	return 0;
}

void
fp_print_pct(const char *name, const struct pct *p)
{
	app_progress_clear(&fp_progress);
	printf("  %-38s p50 %8.2f  p90 %8.2f  p99 %8.2f  p99.9 %8.2f  max %9.2f us  (n=%" PRIu64 ")\n",
	       name, p->p50 / 1e3, p->p90 / 1e3, p->p99 / 1e3, p->p999 / 1e3, p->max / 1e3, p->n);
}


void
fp_limits_run(unsigned int peer, uint64_t faults, struct fp_limits *l)
{
	printf("machine limits:\n");
	app_progress_set(&fp_progress, "limits: CPU first-touch faults");
	l->touch = fresh_page_cost(faults, touch_write);
	fp_print_pct("CPU first-touch write fault", &l->touch);
	app_progress_set(&fp_progress, "limits: MADV_POPULATE_WRITE");
	l->madv = fresh_page_cost(faults, touch_populate);
	fp_print_pct("MADV_POPULATE_WRITE, one page", &l->madv);
	app_progress_set(&fp_progress, "limits: cache-line ping-pong");
	l->pp = pingpong(peer);
	fp_print_pct("cache-line ping-pong round trip", &l->pp);
	app_progress_set(&fp_progress, "limits: userfaultfd round trips");
	l->uffd_rc = uffd_roundtrip(peer, faults, l);
	if (l->uffd_rc == 0)
		fp_print_pct("userfaultfd round trip (UFFDIO_COPY)", &l->uffd);
	else
		printf("  userfaultfd round trip: unavailable (%s)\n", strerror(-l->uffd_rc));
}
