/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Randomized differential test of the whole data path through the public API.
 *
 * Each round builds a burst of 1-40 random ops (every op type, lengths 0 ..
 * 256 KiB biased toward page crossings and odd sizes, random misalignment and
 * fences) on buffers whose pages are present, never touched, the zero page,
 * MADV_DONTNEED'ed, shared copy-on-write with a forked child, read-only,
 * PROT_NONE or file-backed MAP_SHARED (diff_mem.c), submits it on a dedicated
 * or shared queue of a device with the BLOCK, RESUME or REPORT fault policy,
 * and checks every op when it is reported against the CPU reference
 * (diff_ref.c, diff_ops.c), canaries included.
 *
 * Manual mode: the test steps the engine and the fault service itself and
 * picks at random between a device step of a small budget, a fault-service
 * poll and an application poll of random size, also while it is still
 * enqueueing, so every state an application can observe is observed. Threads
 * mode: engines on threads, the fault service on a service lcore, the
 * application polling, for a bounded time.
 *
 * Under REPORT the test is the application: it finishes an op that stopped
 * at a page by touching the page and submitting the rest, as doc/sva.md says.
 *
 * Seeded and replayable: every round prints nothing but the seed line; a
 * failure prints the seed and the round, and `test_diff --seed S --round R`
 * replays that round alone. SVART_DIFF_SEED, SVART_DIFF_ROUNDS and
 * SVART_DIFF_SECONDS set the defaults (make fuzz runs it long). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_pause.h>

#include "diff_ops.h"
#include "diff_ref.h"
#include "svart_idxd_emu.h"
#include "svart_iopf.h"
#include "svart_sva.h"
#include "test_common.h"

#define NB_POLICIES 3
#define NB_QUEUES 2            /* 0: dedicated, 1: shared */
#define NB_DESC 256
#define BURST_MAX 40
#define PIECES_MAX 512         /* report policy: continuations of one op */
#define FIFO_MAX (BURST_MAX * (PIECES_MAX + 2))
#define STEP_LIMIT 20000000ull /* manual: a round that needs more steps is hung */
#define HANG_SECONDS 60        /* threads: a round that takes longer is hung */
#define ROUNDS_DEFAULT 150
#define SECONDS_DEFAULT 4
#define POLL_MAX 8
#define BUDGET_MAX 3
#define ERRLEN 512

static const uint8_t policies[NB_POLICIES] = { SVART_ACCEL_FAULT_BLOCK, SVART_ACCEL_FAULT_RESUME,
					      SVART_ACCEL_FAULT_REPORT };
static const char *const policy_names[NB_POLICIES] = { "block", "resume", "report" };

/* One op (or the rest of one) as enqueued, in ring order. */
struct piece {
	unsigned int op;
	uint32_t base;    /**< first byte of the op the piece does */
	uint32_t end;     /**< end of the piece (descending copies stop at the top) */
	uint32_t seed;    /**< CRC ops: the CRC of the bytes before base */
	uint32_t burst;   /**< pieces between two submits share a burst */
	bool fence;
	bool failed;      /**< reported with another status than SUCCESS */
};

struct round {
	bool manual;
	int16_t dev;
	unsigned int pol;
	uint16_t q;
	uint64_t rng;
	unsigned int n, left;
	struct top ops[BURST_MAX];
	uint32_t burst;
	struct piece fifo[FIFO_MAX];
	unsigned int head, tail;
	uint64_t steps;
	unsigned int cur;          /**< op being checked */
	char err[ERRLEN];
};

static int16_t devs[2][NB_POLICIES]; /* [threads][policy] */
static uint64_t opt_seed;
static long opt_round = -1;
static unsigned long opt_rounds = ROUNDS_DEFAULT;
static double opt_seconds = SECONDS_DEFAULT;
static uint64_t n_ops, n_pieces, n_faults;

static uint64_t
round_seed(uint64_t seed, uint64_t r)
{
	uint64_t z = seed + (r + 1) * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (z ^ (z >> 31)) | 1;
}

/* Piece k may be NOT_ATTEMPTED: an earlier piece of its burst failed and a
 * fenced piece lies after that one, up to k. */
static bool
may_skip(const struct round *rd, unsigned int k)
{
	bool fence = false;

	for (unsigned int j = k + 1; j-- > 0;) {
		const struct piece *p = &rd->fifo[j];

		if (p->burst != rd->fifo[k].burst)
			break;
		if (j < k && p->failed && fence)
			return true;
		fence |= p->fence;
	}
	return false;
}

static int
push_piece(struct round *rd, unsigned int i, uint32_t base, uint32_t end, uint32_t seed,
	   uint32_t flags)
{
	struct svart_accel_op op;
	int rc;

	top_piece(&rd->ops[i], base, end, &op, seed);
	op.flags = flags;
	rc = svart_accel_enqueue(rd->dev, rd->q, &op);
	if (rc < 0) {
		snprintf(rd->err, ERRLEN, "enqueue: %d", rc);
		return -1;
	}
	if (rd->tail == FIFO_MAX) {
		snprintf(rd->err, ERRLEN, "too many pieces");
		return -1;
	}
	rd->fifo[rd->tail] = (struct piece){ .op = i, .base = base, .end = end, .seed = seed,
					     .burst = rd->burst,
					     .fence = (flags & SVART_ACCEL_OP_FENCE) != 0 };
	if (flags & SVART_ACCEL_OP_SUBMIT)
		rd->burst++;
	if (getenv("SVART_DIFF_TRACE") != NULL)
		fprintf(stderr, "  push op %u from %u at ring %d (flags %#x)\n", i, base, rc, flags);
	rd->tail++;
	n_pieces++;
	return 0;
}

/* The application's own continuation under REPORT (doc/sva.md): touch the
 * page the way the device needs it, then submit the rest. */
static void
touch(uint64_t addr, bool write)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)addr;
	uint8_t v = *p;

	if (write)
		*p = v;
}

static int
on_report_fault(struct round *rd, unsigned int k, const struct piece *pc,
		const struct svart_accel_result *r)
{
	unsigned int i = pc->op;
	struct top *o = &rd->ops[i];
	struct tbuf *b;

	o->base = pc->base;
	if (top_check_partial(o, r, rd->err, ERRLEN) != 0)
		return -1;
	b = top_buf_of(o, r->fault_addr, r->fault_write);
	if (tbuf_addr_bad(b, r->fault_addr) || ++o->pieces > PIECES_MAX) {
		struct svart_accel_result fin = *r;

		fin.bytes_completed += pc->base;
		rd->left--;
		return top_check(o, &fin, may_skip(rd, k), rd->err, ERRLEN);
	}
	touch(r->fault_addr, r->fault_write);
	/* The DSA continuation rule: a descending copy (result 1) did the top
	 * bytes_completed bytes, anything else the bottom ones. */
	if (o->type == SVART_ACCEL_OP_COPY && r->result == 1)
		return push_piece(rd, i, pc->base, pc->end - r->bytes_completed, 0,
				  SVART_ACCEL_OP_SUBMIT);
	return push_piece(rd, i, pc->base + r->bytes_completed, pc->end, (uint32_t)r->value,
			  SVART_ACCEL_OP_SUBMIT);
}

/* One completion of the piece at the head of the FIFO. */
static int
on_completion(struct round *rd, const struct svart_accel_result *r)
{
	unsigned int k = rd->head;
	struct piece pc = rd->fifo[k];
	unsigned int i = pc.op;
	struct top *o = &rd->ops[i];
	struct svart_accel_result fin = *r;

	if (rd->head == rd->tail) {
		snprintf(rd->err, ERRLEN, "a completion for nothing enqueued");
		return -1;
	}
	rd->head++;
	rd->cur = i;
	if (getenv("SVART_DIFF_TRACE") != NULL)
		fprintf(stderr, "  op %u piece from %u: status %u hw %#x bytes %u fault %#lx%s\n", i,
			pc.base, r->status, r->hw_status, r->bytes_completed,
			(unsigned long)r->fault_addr, r->fault_write ? " (write)" : "");
	if (r->status != SVART_ACCEL_ST_SUCCESS)
		rd->fifo[k].failed = true;
	if (r->status == SVART_ACCEL_ST_PAGE_FAULT)
		n_faults++;
	if (policies[rd->pol] == SVART_ACCEL_FAULT_REPORT) {
		if (r->status == SVART_ACCEL_ST_PAGE_FAULT)
			return on_report_fault(rd, k, &pc, r);
		if (r->status == SVART_ACCEL_ST_NOT_ATTEMPTED && may_skip(rd, k))
			return push_piece(rd, i, pc.base, pc.end, pc.seed, SVART_ACCEL_OP_SUBMIT);
		if (r->status == SVART_ACCEL_ST_SUCCESS && r->result != 0)
			fin.bytes_completed += pc.base; /* mismatch offset of the whole op */
	}
	rd->left--;
	return top_check(o, &fin, may_skip(rd, k), rd->err, ERRLEN);
}

static bool
head_has_value(const struct round *rd, unsigned int k)
{
	uint8_t t = rd->ops[rd->fifo[rd->head + k].op].type;

	return t == SVART_ACCEL_OP_COMPARE || t == SVART_ACCEL_OP_COMPARE_VALUE ||
	       t == SVART_ACCEL_OP_CRC32C || t == SVART_ACCEL_OP_COPY_CRC32C;
}

/* One application poll of random size, with or without per-op status. */
static int
app_poll(struct round *rd)
{
	struct svart_accel_result res[POLL_MAX];
	uint16_t nb = (uint16_t)(1 + rnd_below(&rd->rng, POLL_MAX)), got;

	if (rnd_below(&rd->rng, 3) == 0) {
		/* Plain completed(): only for ops whose success carries no value. */
		uint16_t k = 0, last;
		bool err = false;

		while (k < nb && rd->head + k < rd->tail && !head_has_value(rd, k))
			k++;
		if (k > 0) {
			got = svart_accel_completed(rd->dev, rd->q, k, &last, &err);
			for (uint16_t j = 0; j < got; j++) {
				struct svart_accel_result ok = { .status = SVART_ACCEL_ST_SUCCESS };

				if (on_completion(rd, &ok) != 0)
					return -1;
			}
			return 0;
		}
	}
	got = svart_accel_completed_status(rd->dev, rd->q, nb, NULL, res);
	for (uint16_t j = 0; j < got; j++)
		if (on_completion(rd, &res[j]) != 0)
			return -1;
	return 0;
}

/* One random step: device, fault service or application. */
static int
step(struct round *rd)
{
	rd->steps++;
	if (rd->manual) {
		switch (rnd_below(&rd->rng, 4)) {
		case 0:
			svart_idxd_emu_poll(rd->dev, (unsigned int)(1 + rnd_below(&rd->rng, BUDGET_MAX)));
			return 0;
		case 1:
			svart_iopf_poll();
			return 0;
		default:
			break;
		}
	} else {
		rte_pause();
	}
	return app_poll(rd);
}

static void
invalidate_all(const struct round *rd)
{
	for (int t = 0; t < 2; t++)
		for (unsigned int p = 0; p < NB_POLICIES; p++)
			for (unsigned int i = 0; i < rd->n; i++)
				for (unsigned int k = 0; k < rd->ops[i].nb; k++)
					svart_sva_invalidate(devs[t][p], rd->ops[i].b[k].map,
							     rd->ops[i].b[k].map_len);
}

static int
run_round(bool manual, uint64_t seed, uint64_t ridx)
{
	static struct round rd;
	int pipefd[2] = { -1, -1 }, rc = 0;
	pid_t child = -1;
	bool cow = false, submit_after[BURST_MAX];
	uint64_t t_end;

	memset(&rd, 0, sizeof(rd));
	rd.manual = manual;
	rd.rng = round_seed(seed, ridx);
	rd.pol = (unsigned int)rnd_below(&rd.rng, NB_POLICIES);
	rd.dev = devs[manual ? 0 : 1][rd.pol];
	rd.q = (uint16_t)rnd_below(&rd.rng, NB_QUEUES);
	rd.n = (unsigned int)(1 + rnd_below(&rd.rng, BURST_MAX));
	for (unsigned int i = 0; i < rd.n; i++)
		submit_after[i] = i + 1 == rd.n || rnd_below(&rd.rng, 6) == 0;
	if (getenv("SVART_DIFF_TRACE") != NULL)
		fprintf(stderr, "round %llu: %s policy, queue %u, %u ops\n", (unsigned long long)ridx,
			policy_names[rd.pol], rd.q, rd.n);
	for (unsigned int i = 0; i < rd.n; i++) {
		if (top_make(&rd.ops[i], &rd.rng, i > 0) != 0) {
			rd.n = i;
			snprintf(rd.err, ERRLEN, "out of memory building op %u", i);
			rc = -1;
			goto out;
		}
		for (unsigned int k = 0; k < rd.ops[i].nb; k++)
			cow |= tbuf_has_cow(&rd.ops[i].b[k]);
	}
	/* Data dependencies the fence must order (block and resume policies,
	 * where the earlier op always completes): a fenced copy reads what an
	 * earlier op of its burst writes. */
	for (unsigned int i = 1, first = 0; i < rd.n; i++) {
		if (submit_after[i - 1])
			first = i; /* i starts a burst */
		if (policies[rd.pol] == SVART_ACCEL_FAULT_REPORT || rnd_below(&rd.rng, 2) != 0)
			continue;
		for (unsigned int j = i; j-- > first;) {
			if (top_can_depend(&rd.ops[i], &rd.ops[j])) {
				top_depend(&rd.ops[i], &rd.ops[j]);
				if (getenv("SVART_DIFF_TRACE") != NULL)
					fprintf(stderr, "  op %u reads what op %u writes\n", i, j);
				break;
			}
		}
	}
	invalidate_all(&rd); /* the addresses may have held other mappings before */
	if (cow && pipe(pipefd) == 0) {
		/* Share the COW pages with a child that only waits. */
		child = fork();
		if (child == 0) {
			char c;

			close(pipefd[1]);
			while (read(pipefd[0], &c, 1) < 0)
				;
			_exit(0);
		}
		close(pipefd[0]);
	}
	rd.left = rd.n;
	n_ops += rd.n;
	for (unsigned int i = 0; i < rd.n && rc == 0; i++) {
		uint32_t f = rd.ops[i].flags;

		if (submit_after[i])
			f |= SVART_ACCEL_OP_SUBMIT;
		rc = push_piece(&rd, i, 0, rd.ops[i].len, rd.ops[i].seed, f);
		/* The application polls while it is still enqueueing, too. */
		while (rc == 0 && rnd_below(&rd.rng, 3) == 0)
			rc = step(&rd);
	}
	t_end = rte_get_timer_cycles() + HANG_SECONDS * rte_get_timer_hz();
	while (rc == 0 && rd.left > 0) {
		if (manual ? rd.steps > STEP_LIMIT : rte_get_timer_cycles() > t_end) {
			snprintf(rd.err, ERRLEN, "hang: %u of %u ops not reported after %llu steps",
				 rd.left, rd.n, (unsigned long long)rd.steps);
			svart_accel_dump(rd.dev, stderr);
			rd.cur = rd.fifo[rd.head].op;
			rc = -1;
			break;
		}
		rc = step(&rd);
	}
out:
	if (rc != 0) {
		unsigned int i = rd.cur;

		fprintf(stderr, "test_diff: FAILED seed %llu round %llu (%s, %s queue, %s policy, "
			"%u ops): op %u (%s, %u bytes%s): %s\n"
			"  replay: test_diff --seed %llu --round %llu%s\n",
			(unsigned long long)seed, (unsigned long long)ridx,
			manual ? "manual" : "threads", rd.q ? "shared" : "dedicated",
			policy_names[rd.pol], rd.n, i,
			svart_accel_op_name((enum svart_accel_op_type)rd.ops[i].type),
			rd.ops[i].len, rd.ops[i].flags ? ", fence" : "", rd.err,
			(unsigned long long)seed, (unsigned long long)ridx,
			manual ? "" : " --threads");
	}
	if (rc != 0)
		for (unsigned int k = 0; k < rd.ops[rd.cur].nb; k++) {
			const struct tbuf *b = &rd.ops[rd.cur].b[k];

			fprintf(stderr, "  buffer %u (%s%s): payload %p, area %p, pages", k,
				b->write ? "destination" : "source", b->file ? ", file" : "",
				(void *)b->p, (void *)b->area);
			for (size_t pi = 0; pi < b->npages; pi++)
				fprintf(stderr, " %s", pg_state_name(b->state[pi]));
			fprintf(stderr, "\n");
		}
	if (child > 0) {
		close(pipefd[1]);
		waitpid(child, NULL, 0);
	}
	invalidate_all(&rd);
	for (unsigned int i = 0; i < rd.n; i++)
		top_free(&rd.ops[i]);
	return rc;
}

static void
devices_start(void)
{
	static const char *const engines[2] = { "manual", "thread" };
	struct svart_accel_conf conf = { .nb_queues = NB_QUEUES };
	char args[160];

	for (int t = 0; t < 2; t++) {
		for (unsigned int p = 0; p < NB_POLICIES; p++) {
			struct svart_accel_queue_conf qc = { .nb_desc = NB_DESC,
							     .hw_queue = SVART_ACCEL_HWQ_AUTO,
							     .fault_policy = policies[p] };
			int id;

			/* The device draws its own freedoms (batch member order)
			 * from the test's seed too. */
			snprintf(args, sizeof(args), "idxd_emu_diff%d%u,engine=%s,engines=2,max_batch_shift=4,"
				 "pri_timeout_ms=60000,"
				 "seed=%llu", t, p, engines[t], (unsigned long long)opt_seed);
			id = svart_accel_probe(args);
			assert_true(id >= 0);
			assert_int_equal(svart_accel_configure((int16_t)id, &conf), 0);
			qc.mode = SVART_ACCEL_QUEUE_DEDICATED;
			assert_int_equal(svart_accel_queue_setup((int16_t)id, 0, &qc), 0);
			qc.mode = SVART_ACCEL_QUEUE_SHARED;
			assert_int_equal(svart_accel_queue_setup((int16_t)id, 1, &qc), 0);
			assert_int_equal(svart_accel_start((int16_t)id), 0);
			devs[t][p] = (int16_t)id;
		}
	}
}

static void
iopf_mode(uint8_t mode)
{
	struct svart_iopf_conf ic = { .mode = mode, .lcore = -1, .numa_node = -1,
				      .fault_around_max = 16 };

	svart_iopf_stop();
	assert_int_equal(svart_iopf_start(&ic), 0);
}

static void
test_diff_manual(void **state)
{
	unsigned long first = opt_round >= 0 ? (unsigned long)opt_round : 0;
	unsigned long last = opt_round >= 0 ? first + 1 : opt_rounds;
	int failures = 0;

	(void)state;
	iopf_mode(SVART_IOPF_MANUAL);
	/* A failed round leaves its queue in an unknown state: stop there. */
	for (unsigned long r = first; r < last && failures == 0; r++)
		failures += run_round(true, opt_seed, r) != 0;
	printf("test_diff: manual: seed %llu, rounds %lu, ops %llu, pieces %llu, faults %llu\n",
	       (unsigned long long)opt_seed, last - first, (unsigned long long)n_ops,
	       (unsigned long long)n_pieces, (unsigned long long)n_faults);
	assert_int_equal(failures, 0);
}

static void
test_diff_threads(void **state)
{
	uint64_t end = rte_get_timer_cycles() + (uint64_t)(opt_seconds * rte_get_timer_hz());
	unsigned long r = 0;
	int failures = 0;

	(void)state;
	n_ops = n_pieces = n_faults = 0;
	iopf_mode(SVART_IOPF_SERVICE);
	if (opt_round >= 0)
		failures = run_round(false, opt_seed, (uint64_t)opt_round) != 0;
	else
		for (; rte_get_timer_cycles() < end && failures == 0; r++)
			failures += run_round(false, opt_seed, r) != 0;
	svart_iopf_stop();
	printf("test_diff: threads: seed %llu, rounds %lu, ops %llu, pieces %llu, faults %llu\n",
	       (unsigned long long)opt_seed, r, (unsigned long long)n_ops,
	       (unsigned long long)n_pieces, (unsigned long long)n_faults);
	assert_int_equal(failures, 0);
}

static void
test_reference(void **state)
{
	(void)state;
	assert_int_equal(ref_selftest(), 0);
}

static const char *
env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : def;
}

int
main(int argc, char **argv)
{
	bool only_threads = false, only_manual = false;
	struct CMUnitTest tests[3];
	size_t nt = 0;

	opt_seed = strtoull(env_or("SVART_DIFF_SEED", "1"), NULL, 0);
	opt_rounds = strtoul(env_or("SVART_DIFF_ROUNDS", "150"), NULL, 0);
	opt_seconds = strtod(env_or("SVART_DIFF_SECONDS", "4"), NULL);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			opt_seed = strtoull(argv[++i], NULL, 0);
		} else if (strcmp(argv[i], "--random-seed") == 0) {
			opt_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
		} else if (strcmp(argv[i], "--round") == 0 && i + 1 < argc) {
			opt_round = strtol(argv[++i], NULL, 0);
		} else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
			opt_rounds = strtoul(argv[++i], NULL, 0);
		} else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			opt_seconds = strtod(argv[++i], NULL);
		} else if (strcmp(argv[i], "--threads") == 0) {
			only_threads = true;
		} else if (strcmp(argv[i], "--manual") == 0) {
			only_manual = true;
		} else {
			fprintf(stderr, "usage: %s [--seed N | --random-seed] [--round R] "
				"[--rounds N] [--seconds S] [--manual | --threads]\n", argv[0]);
			return 2;
		}
	}
	printf("test_diff: seed %llu\n", (unsigned long long)opt_seed);
	mem_init();
	if (test_eal_init(argv[0], NULL) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	devices_start();
	tests[nt++] = (struct CMUnitTest)cmocka_unit_test(test_reference);
	if (!only_threads)
		tests[nt++] = (struct CMUnitTest)cmocka_unit_test(test_diff_manual);
	if (!only_manual)
		tests[nt++] = (struct CMUnitTest)cmocka_unit_test(test_diff_threads);
	return _cmocka_run_group_tests("diff", tests, nt, NULL, NULL);
}
