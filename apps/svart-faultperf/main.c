/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* svart-faultperf: device page-fault resolution on the emulated device, with
 * the machine's own limits measured in the same run.
 *
 * Usage: svart-faultperf [EAL args --] [--faults N] [--stream-mib M] [--json FILE] [--quick]
 *
 * Figures:
 *  - PRI round trip: page request raised -> response seen by the device
 *    (device-side histogram, one fault per op, fault-around off);
 *  - per-op latency (submit -> completion seen) with and without a fault;
 *  - throughput of copies streaming into never-touched memory: block policy
 *    without and with fault-around, resume policy; the CPU writing the same
 *    amount of fresh memory;
 *  - limits: CPU first-touch write fault, one MADV_POPULATE_WRITE page,
 *    cache-line ping-pong round trip between the two lcores, and a
 *    userfaultfd round trip (fault -> handler on the other lcore ->
 *    UFFDIO_COPY -> resume). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include "app_common.h"
#include "svart_accel.h"
#include "svart_iopf.h"

#define PAGE 4096u
#define OP_BYTES 64u
#define STREAM_OP (64u * 1024)
#define STREAM_DEPTH 64
#define NB_DESC 256
#define PINGPONG_ROUNDS 20000
#define DEFAULT_FAULTS 10000
#define DEFAULT_STREAM_MIB 64
#define QUICK_FAULTS 2000
#define QUICK_STREAM_MIB 16
#define FAULT_AROUND_MAX 64

#define CDF_POINTS 200

struct pct {
	uint64_t n, p50, p90, p99, p999, max;
	uint64_t cdf[CDF_POINTS + 1];   /* value at quantile i / CDF_POINTS */
};

static int
u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct pct
percentiles(uint64_t *v, uint64_t n)
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
	for (unsigned int i = 0; i <= CDF_POINTS; i++)
		p.cdf[i] = v[(n - 1) * i / CDF_POINTS];
	return p;
}

static int
write_cdf(const char *path, const struct pct *svart, const struct pct *uffd, const struct pct *touch,
	  const struct pct *madv)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -errno;
	fprintf(f, "# quantile svart_op_with_fault_us userfaultfd_us cpu_first_touch_us madv_populate_us\n");
	for (unsigned int i = 0; i <= CDF_POINTS; i++)
		fprintf(f, "%.4f %.3f %.3f %.3f %.3f\n", (double)i / CDF_POINTS, svart->cdf[i] / 1e3,
			uffd->n ? uffd->cdf[i] / 1e3 : 0.0, touch->cdf[i] / 1e3, madv->cdf[i] / 1e3);
	fclose(f);
	return 0;
}

static uint8_t *
fresh(size_t len)
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
	madvise(page, PAGE, MADV_POPULATE_WRITE);
}

/* Latency of making each of n fresh pages present with touch(). */
static struct pct
fresh_page_cost(uint64_t n, void (*touch)(uint8_t *page))
{
	uint8_t *m = fresh(n * PAGE);
	uint64_t *t = calloc(n, sizeof(*t));
	struct pct p = { 0 };

	if (m != NULL && t != NULL) {
		for (uint64_t i = 0; i < n; i++) {
			uint64_t t0 = app_now_ns();

			touch(m + i * PAGE);
			t[i] = app_now_ns() - t0;
		}
		p = percentiles(t, n);
	}
	if (m != NULL)
		munmap(m, n * PAGE);
	free(t);
	return p;
}

static double
cpu_stream_fresh_gbps(size_t bytes)
{
	uint8_t *m = fresh(bytes);
	uint64_t t0;
	double s;

	if (m == NULL)
		return 0;
	t0 = app_now_ns();
	memset(m, 0x5a, bytes);
	s = (double)(app_now_ns() - t0) / 1e9;
	munmap(m, bytes);
	return (double)bytes / s / 1e9;
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
		t[i] = (rte_rdtsc() - t0) * 1000000000ull / rte_get_tsc_hz();
	}
	pp_stop = 1;
	rte_eal_wait_lcore(peer);
	p = percentiles(t, PINGPONG_ROUNDS);
	free(t);
	return p;
}

struct uffd_ctx {
	int fd;
	volatile int stop;
	uint8_t page[PAGE] __attribute__((aligned(PAGE)));
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
		cp.dst = msg.arg.pagefault.address & ~(uint64_t)(PAGE - 1);
		cp.src = (uint64_t)(uintptr_t)u->page;
		cp.len = PAGE;
		ioctl(u->fd, UFFDIO_COPY, &cp);
	}
	return 0;
}

static int
uffd_roundtrip(unsigned int peer, uint64_t n, struct pct *out)
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
	m = fresh(n * PAGE);
	t = calloc(n, sizeof(*t));
	if (m == NULL || t == NULL) {
		close(u.fd);
		return -ENOMEM;
	}
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uint64_t)(uintptr_t)m;
	reg.range.len = n * PAGE;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(u.fd, UFFDIO_REGISTER, &reg) != 0) {
		close(u.fd);
		munmap(m, n * PAGE);
		free(t);
		return -errno;
	}
	memset(u.page, 0x11, PAGE);
	u.stop = 0;
	rte_eal_remote_launch(uffd_handler, &u, peer);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = app_now_ns();

		m[i * PAGE] = 2;   /* write fault -> handler -> UFFDIO_COPY -> resume */
		t[i] = app_now_ns() - t0;
	}
	u.stop = 1;
	rte_eal_wait_lcore(peer);
	*out = percentiles(t, n);
	close(u.fd);
	munmap(m, n * PAGE);
	free(t);
	return 0;
}

/* ---- svart ------------------------------------------------------------ */

static int16_t
dev_setup(int16_t dev, uint8_t policy)
{
	struct svart_accel_conf conf = { .nb_queues = 1 };
	struct svart_accel_queue_conf qc = { .nb_desc = NB_DESC, .mode = SVART_ACCEL_QUEUE_DEDICATED,
					     .hw_queue = SVART_ACCEL_HWQ_AUTO,
					     .fault_policy = policy };

	svart_accel_stop(dev);
	if (svart_accel_configure(dev, &conf) != 0 || svart_accel_queue_setup(dev, 0, &qc) != 0 ||
	    svart_accel_start(dev) != 0)
		return -1;
	return dev;
}

static int
wait_one(int16_t dev, struct svart_accel_result *r)
{
	while (svart_accel_completed_status(dev, 0, 1, NULL, r) == 0)
		rte_pause();
	return r->status == SVART_ACCEL_ST_SUCCESS ? 0 : -EIO;
}

/* Per-op latency of 64 B copies, into fresh pages (one fault each) or warm ones. */
static int
op_latency(int16_t dev, uint64_t n, bool fault, struct pct *out)
{
	uint8_t *dst = fresh(n * PAGE), src[OP_BYTES];
	uint64_t *t = calloc(n, sizeof(*t));
	struct svart_accel_result r;
	int rc = 0;

	if (dst == NULL || t == NULL)
		return -ENOMEM;
	memset(src, 7, sizeof(src));
	if (!fault)
		memset(dst, 0, n * PAGE);
	for (uint64_t i = 0; i < n && rc == 0; i++) {
		uint64_t t0 = app_now_ns();

		if (svart_accel_copy(dev, 0, src, dst + i * PAGE, OP_BYTES, SVART_ACCEL_OP_SUBMIT) < 0)
			rc = -EIO;
		else
			rc = wait_one(dev, &r);
		t[i] = app_now_ns() - t0;
	}
	*out = percentiles(t, n);
	munmap(dst, n * PAGE);
	free(t);
	return rc;
}

/* Copies of STREAM_OP bytes into never-touched memory, STREAM_DEPTH in flight. */
static double
stream_fresh(int16_t dev, size_t bytes)
{
	uint8_t *dst = fresh(bytes), *src = malloc(STREAM_OP);
	uint64_t ops = bytes / STREAM_OP, sent = 0, done = 0, t0;
	struct svart_accel_result r[32];
	double s;

	if (dst == NULL || src == NULL)
		return 0;
	memset(src, 3, STREAM_OP);
	t0 = app_now_ns();
	while (done < ops) {
		while (sent < ops && sent - done < STREAM_DEPTH &&
		       svart_accel_copy(dev, 0, src, dst + sent * STREAM_OP, STREAM_OP, 0) >= 0)
			sent++;
		svart_accel_submit(dev, 0);
		uint16_t n = svart_accel_completed_status(dev, 0, 32, NULL, r);

		for (uint16_t i = 0; i < n; i++)
			if (r[i].status != SVART_ACCEL_ST_SUCCESS) {
				fprintf(stderr, "svart-faultperf: stream op failed (hw status 0x%x)\n",
					r[i].hw_status);
				munmap(dst, bytes);
				free(src);
				return 0;
			}
		done += n;
	}
	s = (double)(app_now_ns() - t0) / 1e9;
	munmap(dst, bytes);
	free(src);
	return (double)bytes / s / 1e9;
}

static void
print_pct(const char *name, const struct pct *p)
{
	printf("  %-38s p50 %8.2f  p90 %8.2f  p99 %8.2f  p99.9 %8.2f  max %9.2f us  (n=%" PRIu64 ")\n",
	       name, p->p50 / 1e3, p->p90 / 1e3, p->p99 / 1e3, p->p999 / 1e3, p->max / 1e3, p->n);
}

static void
json_pct(FILE *f, const char *name, const struct pct *p, bool last)
{
	fprintf(f, "    \"%s\": {\"n\": %" PRIu64 ", \"p50\": %" PRIu64 ", \"p90\": %" PRIu64
		", \"p99\": %" PRIu64 ", \"p999\": %" PRIu64 ", \"max\": %" PRIu64 "}%s\n",
		name, p->n, p->p50, p->p90, p->p99, p->p999, p->max, last ? "" : ",");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "faults", required_argument, NULL, 'f' },
		{ "stream-mib", required_argument, NULL, 's' },
		{ "json", required_argument, NULL, 'j' },
		{ "cdf", required_argument, NULL, 'c' },
		{ "quick", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t faults = DEFAULT_FAULTS, stream_mib = DEFAULT_STREAM_MIB;
	const char *json = NULL, *cdf = NULL;
	struct pct touch, madv, pp, uffd = { 0 }, lat_fault, lat_warm;
	struct svart_iopf_conf ic = { .mode = SVART_IOPF_SERVICE, .lcore = -1 };
	struct svart_iopf_stats st;
	double cpu_gbps, blk_gbps, around_gbps, res_gbps;
	unsigned int peer, fault_lcore;
	int consumed, opt, uffd_rc, id;
	int16_t dev;

	consumed = app_eal_init(argc, argv);
	if (consumed < 0) {
		fprintf(stderr, "svart-faultperf: EAL init failed: %s\n", strerror(-consumed));
		return 1;
	}
	argc -= consumed;
	argv += consumed;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': faults = strtoull(optarg, NULL, 10); break;
		case 's': stream_mib = strtoull(optarg, NULL, 10); break;
		case 'j': json = optarg; break;
		case 'c': cdf = optarg; break;
		case 'q': faults = QUICK_FAULTS; stream_mib = QUICK_STREAM_MIB; break;
		default:
			printf("usage: svart-faultperf [EAL args --] [--faults N] [--stream-mib M] "
			       "[--json FILE] [--cdf FILE] [--quick]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (faults == 0 || stream_mib == 0) {
		fprintf(stderr, "svart-faultperf: --faults and --stream-mib must be > 0\n");
		return 2;
	}
	peer = rte_get_next_lcore(rte_lcore_id(), 1, 0);
	if (peer >= RTE_MAX_LCORE) {
		fprintf(stderr, "svart-faultperf: needs two lcores (EAL -l 0-1)\n");
		return 1;
	}
	/* With 3 or more lcores the fault service gets an lcore of its own (the
	 * last one); with 2 it shares the engine's. */
	fault_lcore = peer;
	if (rte_lcore_count() >= 3) {
		unsigned int lc, last = peer;
		rte_cpuset_t a, b, both;

		RTE_LCORE_FOREACH_WORKER(lc)
			last = lc;
		a = rte_lcore_cpuset(peer);
		b = rte_lcore_cpuset(last);
		CPU_AND(&both, &a, &b);
		/* Only a core of its own helps: two pollers on one CPU take turns by
		 * the scheduler's time slice. */
		if (CPU_COUNT(&both) == 0) {
			fault_lcore = last;
			ic.mode = SVART_IOPF_LCORE;
			ic.lcore = (int)fault_lcore;
		}
	}
	printf("svart-faultperf: %" PRIu64 " faults, %" PRIu64 " MiB streams; app on lcore %u, "
	       "device engine on lcore %u, fault service on lcore %u%s\n", faults, stream_mib,
	       rte_lcore_id(), peer, fault_lcore,
	       fault_lcore == peer ? " (shares the engine's core)" : " (a core of its own)");

	/* Limits first, while the peer lcore is still free. */
	printf("machine limits:\n");
	touch = fresh_page_cost(faults, touch_write);
	print_pct("CPU first-touch write fault", &touch);
	madv = fresh_page_cost(faults, touch_populate);
	print_pct("MADV_POPULATE_WRITE, one page", &madv);
	pp = pingpong(peer);
	print_pct("cache-line ping-pong round trip", &pp);
	uffd_rc = uffd_roundtrip(peer, faults, &uffd);
	if (uffd_rc == 0)
		print_pct("userfaultfd round trip (UFFDIO_COPY)", &uffd);
	else
		printf("  userfaultfd round trip: unavailable (%s)\n", strerror(-uffd_rc));
	cpu_gbps = cpu_stream_fresh_gbps(stream_mib << 20);

	/* svart: engine and fault service on the peer lcore. */
	if (svart_iopf_start(&ic) != 0)
		return 1;
	id = svart_accel_probe("idxd_emu_fp");
	if (id < 0 || dev_setup((int16_t)id, SVART_ACCEL_FAULT_BLOCK) < 0) {
		fprintf(stderr, "svart-faultperf: device setup failed\n");
		return 1;
	}
	dev = (int16_t)id;
	printf("svart (emulated DSA, block-on-fault):\n");
	svart_iopf_stats_reset();
	if (op_latency(dev, faults, true, &lat_fault) != 0)
		return 1;
	svart_iopf_stats_get(&st);
	struct pct pri = { st.latency.count, st.latency.p50, st.latency.p90, st.latency.p99,
			   st.latency.p999, st.latency.max };
	print_pct("page request round trip (device view)", &pri);
	print_pct("64 B op with a fault (submit->done)", &lat_fault);
	if (op_latency(dev, faults, false, &lat_warm) != 0)
		return 1;
	print_pct("64 B op without a fault", &lat_warm);
	blk_gbps = stream_fresh(dev, stream_mib << 20);
	svart_iopf_stop();
	ic.fault_around_max = FAULT_AROUND_MAX;
	svart_iopf_start(&ic);
	around_gbps = stream_fresh(dev, stream_mib << 20);
	dev_setup(dev, SVART_ACCEL_FAULT_RESUME);
	res_gbps = stream_fresh(dev, stream_mib << 20);
	printf("streaming 64 KiB copies into fresh memory:\n");
	printf("  svart block, no fault-around     %8.3f GB/s\n", blk_gbps);
	printf("  svart block, fault-around %-4u   %8.3f GB/s\n", FAULT_AROUND_MAX, around_gbps);
	printf("  svart resume policy              %8.3f GB/s\n", res_gbps);
	printf("  CPU memset of fresh memory       %8.3f GB/s\n", cpu_gbps);
	printf("ratios (same run):\n");
	printf("  PRI p50 / (populate p50 + ping-pong p50)  %6.2f\n",
	       (double)pri.p50 / (double)(madv.p50 + pp.p50));
	printf("  PRI p99 / (populate p50 + ping-pong p50)  %6.2f\n",
	       (double)pri.p99 / (double)(madv.p50 + pp.p50));
	if (uffd_rc == 0)
		printf("  userfaultfd p50 / PRI p50                 %6.2f\n",
		       (double)uffd.p50 / (double)pri.p50);
	printf("  stream (fault-around) / CPU fresh writes  %6.2f\n", around_gbps / cpu_gbps);

	if (cdf != NULL && write_cdf(cdf, &lat_fault, &uffd, &touch, &madv) != 0)
		fprintf(stderr, "svart-faultperf: cannot write %s\n", cdf);
	if (json != NULL) {
		FILE *f = strcmp(json, "-") == 0 ? stdout : fopen(json, "w");

		if (f == NULL) {
			fprintf(stderr, "svart-faultperf: cannot write %s\n", json);
			return 1;
		}
		fprintf(f, "{\n  \"faults\": %" PRIu64 ",\n  \"placement\": {\"app_lcore\": %u, "
			"\"engine_lcore\": %u, \"fault_lcore\": %u, \"fault_lcore_dedicated\": %s},\n"
			"  \"latency_ns\": {\n", faults, rte_lcore_id(), peer, fault_lcore,
			fault_lcore != peer ? "true" : "false");
		json_pct(f, "pri_roundtrip", &pri, false);
		json_pct(f, "op_with_fault", &lat_fault, false);
		json_pct(f, "op_without_fault", &lat_warm, false);
		json_pct(f, "cpu_first_touch", &touch, false);
		json_pct(f, "madv_populate_1page", &madv, false);
		json_pct(f, "pingpong_rtt", &pp, uffd_rc != 0);
		if (uffd_rc == 0)
			json_pct(f, "uffd_roundtrip", &uffd, true);
		fprintf(f, "  },\n  \"stream_fresh_gbps\": {\"svart_block\": %.4f, "
			"\"svart_block_fault_around\": %.4f, \"svart_resume\": %.4f, \"cpu\": %.4f}\n}\n",
			blk_gbps, around_gbps, res_gbps, cpu_gbps);
		if (f != stdout)
			fclose(f);
	}
	svart_accel_stop(dev);
	svart_accel_close(dev);
	svart_iopf_stop();
	rte_eal_cleanup();
	return 0;
}
