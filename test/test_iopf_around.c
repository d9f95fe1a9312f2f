/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Adaptive fault-around of the fault service (lib/iopf), through a scripted
 * page-request source over fresh memory: pages populated are counted with
 * mincore(2), so what fault-around did is seen, not inferred.
 *  - random access populates nothing ahead;
 *  - a sequential stream is populated ahead in big batches (few requests),
 *    also when its requests arrive out of order;
 *  - a stream of one PASID is not continued by another PASID's request;
 *  - a stream that breaks stops populating ahead;
 *  - a stream that runs into the end of its mapping is answered, no more. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "svart_iopf.h"

#define PG 4096ull
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define REGION_PAGES 1024u
#define SCRIPT_MAX 4096u
#define AROUND_MAX 64u
#define GROUP_PAGES 16u          /* what the emulated device asks per 64 KiB op */
#define BATCH_OPS 16u            /* ops a batch runs in any order */
#define RANDOM_SEED 12345u
#define PASID_A 1u
#define PASID_B 2u

/* The scripted source: a list of groups (pasid, first page, pages), handed out
 * one group per read; answers counted. */
struct script {
	struct { uint32_t pasid; uint32_t page, n; } g[SCRIPT_MAX];
	unsigned int nb, next;
	unsigned int answered, refused;
	uint8_t *base;
};

static uint16_t
script_read(void *ctx, struct svart_iopf_req *reqs, uint16_t max)
{
	struct script *s = ctx;
	uint16_t k = 0;

	if (s->next == s->nb)
		return 0;
	for (uint32_t i = 0; i < s->g[s->next].n && k < max; i++, k++)
		reqs[k] = (struct svart_iopf_req){
			.pasid = s->g[s->next].pasid, .group = (uint16_t)s->next, .write = 1,
			.last = i + 1 == s->g[s->next].n,
			.addr = (uint64_t)(uintptr_t)s->base + (s->g[s->next].page + i) * PG };
	s->next++;
	return k;
}

static int
script_respond(void *ctx, uint32_t pasid, uint16_t group, bool invalid)
{
	struct script *s = ctx;

	(void)pasid;
	(void)group;
	if (invalid)
		s->refused++;
	else
		s->answered++;
	return 0;
}

static const struct svart_iopf_source_ops script_ops = {
	.read = script_read, .respond = script_respond,
};

static void
script_add(struct script *s, uint32_t pasid, uint32_t page, uint32_t n)
{
	assert_true(s->nb < SCRIPT_MAX);
	s->g[s->nb].pasid = pasid;
	s->g[s->nb].page = page;
	s->g[s->nb].n = n;
	s->nb++;
}

/* Pages of [base, base + pages) that are present. */
static unsigned int
resident(const uint8_t *base, unsigned int pages)
{
	unsigned char v[REGION_PAGES];
	unsigned int n = 0;

	assert_true(pages <= REGION_PAGES);
	assert_int_equal(mincore((void *)(uintptr_t)base, pages * PG, v), 0);
	for (unsigned int i = 0; i < pages; i++)
		n += v[i] & 1;
	return n;
}

/* Run the script through the fault service with fault-around up to AROUND_MAX
 * pages; the requests a real device would not raise (the page is present by
 * then) are skipped, as a device would find them present. */
static void
script_run(struct script *s, struct svart_iopf_stats *st)
{
	struct svart_iopf_conf ic = { .mode = SVART_IOPF_MANUAL, .lcore = -1,
				      .fault_around_max = AROUND_MAX };
	int id;

	if (svart_iopf_running())
		assert_int_equal(svart_iopf_stop(), 0);
	assert_int_equal(svart_iopf_start(&ic), 0);
	svart_iopf_stats_reset();
	id = svart_iopf_source_add(&script_ops, s);
	assert_true(id >= 0);
	while (s->next < s->nb) {
		unsigned char v;

		/* A device asks from the first page that is not present (the
		 * emulated DSA: the rest of the op from the faulting page). */
		assert_int_equal(mincore(s->base + s->g[s->next].page * PG, PG, &v), 0);
		if (v & 1) {
			s->g[s->next].page++;
			if (--s->g[s->next].n == 0) {
				s->next++;
				s->answered++;
			}
			continue;
		}
		svart_iopf_poll();
	}
	svart_iopf_source_remove(id);
	assert_int_equal(svart_iopf_stats_get(st), 0);
	assert_int_equal(svart_iopf_stop(), 0);
	assert_int_equal(s->refused, 0);
	assert_int_equal(s->answered, s->nb);
}

static struct script *
script_new(void)
{
	struct script *s = calloc(1, sizeof(*s));
	void *p = mmap(NULL, REGION_PAGES * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_non_null(s);
	assert_true(p != MAP_FAILED);
	s->base = p;
	return s;
}

static void
script_free(struct script *s)
{
	munmap(s->base, REGION_PAGES * PG);
	free(s);
}

/* Random single-page faults over the region (a seeded permutation): nothing
 * may be populated beyond the pages asked for. */
static void
test_random_no_ahead(void **state)
{
	struct script *s = script_new();
	uint32_t perm[REGION_PAGES];
	struct svart_iopf_stats st;
	unsigned int seed = RANDOM_SEED, asked = REGION_PAGES / 2;

	(void)state;
	for (uint32_t i = 0; i < REGION_PAGES; i++)
		perm[i] = i;
	for (uint32_t i = REGION_PAGES - 1; i > 0; i--) {
		uint32_t j = (uint32_t)rand_r(&seed) % (i + 1), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (uint32_t i = 0; i < asked; i++)
		script_add(s, PASID_A, perm[i], 1);
	script_run(s, &st);
	print_message("random: %u pages asked, %u resident, %lu populated ahead\n", asked,
		      resident(s->base, REGION_PAGES), (unsigned long)st.around_pages);
	assert_int_equal(st.around_pages, 0);
	assert_int_equal(resident(s->base, REGION_PAGES), asked);
	script_free(s);
}

/* A sequential stream of 16-page groups: populated ahead in big batches, so
 * far fewer groups than the stream has, and nothing past its end but the last
 * window. */
static void
test_sequential_ahead(void **state)
{
	struct script *s = script_new();
	struct svart_iopf_stats st;
	uint32_t stream = REGION_PAGES / 2;

	(void)state;
	for (uint32_t p = 0; p < stream; p += GROUP_PAGES)
		script_add(s, PASID_A, p, GROUP_PAGES);
	script_run(s, &st);
	print_message("sequential: %u pages, %lu requests in %lu groups, %lu populated ahead, "
		      "%u resident\n", stream, (unsigned long)st.requests, (unsigned long)st.groups,
		      (unsigned long)st.around_pages, resident(s->base, REGION_PAGES));
	assert_true(st.around_pages >= stream / 2);
	/* Batches of up to AROUND_MAX pages ahead: a handful of groups, not one per op. */
	assert_true(st.groups <= stream / AROUND_MAX + 4);
	assert_true(resident(s->base, REGION_PAGES) <= stream + AROUND_MAX + GROUP_PAGES);
	script_free(s);
}

/* A stream whose 16-page groups arrive out of order within batches of 32 ops
 * (DSA runs a batch's descriptors in any order; the emulated device shuffles
 * them): still populated ahead, so fewer groups than ops. */
static void
test_shuffled_ahead(void **state)
{
	struct script *s = script_new();
	struct svart_iopf_stats st;
	unsigned int seed = RANDOM_SEED, ops = REGION_PAGES / GROUP_PAGES - BATCH_OPS;
	uint32_t order[BATCH_OPS];

	(void)state;
	for (unsigned int b = 0; b < ops; b += BATCH_OPS) {
		for (uint32_t i = 0; i < BATCH_OPS; i++)
			order[i] = i;
		for (uint32_t i = BATCH_OPS - 1; i > 0; i--) {
			uint32_t j = (uint32_t)rand_r(&seed) % (i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (uint32_t i = 0; i < BATCH_OPS; i++)
			script_add(s, PASID_A, (b + order[i]) * GROUP_PAGES, GROUP_PAGES);
	}
	script_run(s, &st);
	print_message("shuffled: %u ops, %lu groups, %lu populated ahead, %u resident\n", ops,
		      (unsigned long)st.groups, (unsigned long)st.around_pages,
		      resident(s->base, REGION_PAGES));
	assert_true(st.around_pages >= ops * GROUP_PAGES / 4);
	assert_true(st.groups < ops * 3 / 4);
	assert_true(resident(s->base, REGION_PAGES) <= ops * GROUP_PAGES + AROUND_MAX);
	script_free(s);
}

/* A stream that runs into the end of its mapping (a PROT_NONE guard after
 * it): populating ahead fails there, every group is still answered Success,
 * and the guard stays untouched. */
static void
test_stream_to_mapping_end(void **state)
{
	struct script *s = script_new();
	struct svart_iopf_stats st;
	uint32_t stream = REGION_PAGES / 2 - GROUP_PAGES / 2; /* windows cross the end */

	(void)state;
	assert_int_equal(mprotect(s->base + stream * PG, (REGION_PAGES - stream) * PG, PROT_NONE), 0);
	for (uint32_t p = 0; p < stream; p += GROUP_PAGES)
		script_add(s, PASID_A, p, MIN(GROUP_PAGES, stream - p));
	script_run(s, &st);
	print_message("to the mapping's end: %lu populated ahead, %u resident\n",
		      (unsigned long)st.around_pages, resident(s->base, REGION_PAGES));
	assert_true(st.around_pages > 0);
	assert_int_equal(st.invalid, 0);
	assert_int_equal(resident(s->base, REGION_PAGES), stream);
	script_free(s);
}

/* A request of another PASID where PASID A's stream ended is not that stream:
 * nothing is populated ahead for it. */
static void
test_stream_per_pasid(void **state)
{
	struct script *s = script_new();
	struct svart_iopf_stats st;

	(void)state;
	/* A short stream of A: 4 one-page groups, then B continues where A ended,
	 * alternating, each PASID one page at a time at the other's next page. */
	for (uint32_t p = 0; p < 8; p++)
		script_add(s, p % 2 ? PASID_B : PASID_A, p, 1);
	script_run(s, &st);
	print_message("alternating PASIDs: %lu populated ahead, %u resident\n",
		      (unsigned long)st.around_pages, resident(s->base, REGION_PAGES));
	assert_int_equal(st.around_pages, 0);
	assert_int_equal(resident(s->base, REGION_PAGES), 8);
	script_free(s);
}

/* A stream that turns into random access stops populating ahead: after the
 * break, each random page costs one page, not a window. */
static void
test_break_stops_ahead(void **state)
{
	struct script *s = script_new();
	struct svart_iopf_stats st;
	unsigned int seed = RANDOM_SEED, upper;
	uint32_t stream = REGION_PAGES / 4, rnd = 64;
	unsigned char seen[REGION_PAGES] = { 0 };

	(void)state;
	for (uint32_t p = 0; p < stream; p += GROUP_PAGES)
		script_add(s, PASID_A, p, GROUP_PAGES);
	/* Then every other page at random in the upper half, one page at a time. */
	for (uint32_t i = 0; i < rnd; i++) {
		uint32_t p = REGION_PAGES / 2 + 2 * ((uint32_t)rand_r(&seed) % (REGION_PAGES / 4));

		script_add(s, PASID_A, p, 1);
		seen[p] = 1;
	}
	script_run(s, &st);
	upper = resident(s->base, REGION_PAGES) - resident(s->base, REGION_PAGES / 2);
	print_message("stream then random: %lu populated ahead, %u resident in the upper half\n",
		      (unsigned long)st.around_pages, upper);
	assert_true(st.around_pages > 0);
	rnd = 0;
	for (uint32_t p = 0; p < REGION_PAGES; p++)
		rnd += seen[p];
	assert_int_equal(upper, rnd);
	script_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_no_ahead),
		cmocka_unit_test(test_sequential_ahead),
		cmocka_unit_test(test_shuffled_ahead),
		cmocka_unit_test(test_stream_to_mapping_end),
		cmocka_unit_test(test_stream_per_pasid),
		cmocka_unit_test(test_break_stops_ahead),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
