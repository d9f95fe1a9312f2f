/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Random ops of the differential test, their expected outcome from the CPU
 * reference, and the checks of what the device reported (see diff_ops.h).
 * Every legal outcome is accepted: an op that meets a page that can never be
 * made accessible may stop anywhere before it; one that does not must succeed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff_ops.h"
#include "diff_ref.h"

#define PCT 100
#define LEN_SMALL 64u
#define LEN_PAGES_MID 16u
#define LEN_PAGES_MAX 64u       /* 256 KiB with 4 KiB pages */
#define LEAD_NEAR_END 64u       /* misalignment close to the end of a page */
#define FENCE_ONE_IN 5
#define FILE_ONE_IN 8

static size_t
pick_len(uint64_t *rng)
{
	uint64_t r = rnd_below(rng, PCT);

	if (r < 5)
		return 0;
	if (r < 35)
		return 1 + rnd_below(rng, LEN_SMALL);
	if (r < 65)
		return 1 + rnd_below(rng, 3 * mem_pg);
	if (r < 92)
		return 1 + rnd_below(rng, LEN_PAGES_MID * mem_pg);
	return 1 + rnd_below(rng, LEN_PAGES_MAX * mem_pg);
}

static size_t
pick_lead(uint64_t *rng)
{
	return rnd_below(rng, 2) ? rnd_below(rng, mem_pg)
				 : mem_pg - 1 - rnd_below(rng, LEAD_NEAR_END);
}

static const uint8_t *
sh(const struct tbuf *b)
{
	return b->shadow + (b->p - b->area);
}

static bool
is_compare(const struct top *o)
{
	return o->type == SVART_ACCEL_OP_COMPARE || o->type == SVART_ACCEL_OP_COMPARE_VALUE;
}

/* Any legal mismatch offset: COMPARE exact; COMPARE_VALUE no greater than
 * the first difference and less than 8 bytes before it (any chunking: the
 * device counts chunks from where each piece of a continued op started). */
static bool
mismatch_ok(const struct top *o, uint32_t at)
{
	if (o->type == SVART_ACCEL_OP_COMPARE)
		return at == o->mismatch;
	return at <= o->mismatch && o->mismatch - at < 8;
}

static bool
is_crc(const struct top *o)
{
	return o->type == SVART_ACCEL_OP_CRC32C || o->type == SVART_ACCEL_OP_COPY_CRC32C;
}

/* Map buffer i of o and put it in random states with random (or given) contents. */
static int
mkbuf(struct top *o, uint64_t *rng, unsigned int i, size_t lead, size_t len, bool write,
      bool bad, bool allp, const uint8_t *content)
{
	struct tbuf *b = &o->b[i];

	if (tbuf_alloc(b, lead, len, rnd_below(rng, FILE_ONE_IN) == 0, write) != 0)
		return -1;
	tbuf_states(b, rng, bad, allp);
	tbuf_apply(b, rng, content);
	if (i + 1 > o->nb)
		o->nb = (uint8_t)(i + 1);
	return 0;
}

static int
make_copy(struct top *o, uint64_t *rng, bool bad, bool allp)
{
	size_t len = o->len;

	if (len >= 2 && rnd_below(rng, 6) == 0) {
		/* Overlapping copy inside one buffer, either direction. */
		size_t delta = 1 + rnd_below(rng, len - 1);

		o->overlap = true;
		if (mkbuf(o, rng, 0, pick_lead(rng), len + delta, true, false, allp, NULL) != 0)
			return -1;
		if (rnd_below(rng, 2)) {
			o->so = 0;
			o->dof = delta;
		} else {
			o->so = delta;
			o->dof = 0;
		}
		o->expect = malloc(len + delta);
		memcpy(o->expect, sh(&o->b[0]), len + delta);
		memmove(o->expect + o->dof, o->expect + o->so, len);
		return 0;
	}
	if (mkbuf(o, rng, 0, pick_lead(rng), len, false, bad, allp, NULL) != 0 ||
	    mkbuf(o, rng, 1, pick_lead(rng), len, true, bad, allp, NULL) != 0)
		return -1;
	o->expect = malloc(len + 1);
	memcpy(o->expect, sh(&o->b[0]), len);
	return 0;
}

int
top_make(struct top *o, uint64_t *rng, bool fence_ok)
{
	static const uint8_t types[] = {
		SVART_ACCEL_OP_COPY, SVART_ACCEL_OP_COPY, SVART_ACCEL_OP_COPY,
		SVART_ACCEL_OP_FILL, SVART_ACCEL_OP_FILL, SVART_ACCEL_OP_COMPARE,
		SVART_ACCEL_OP_COMPARE_VALUE, SVART_ACCEL_OP_DUALCAST, SVART_ACCEL_OP_CRC32C,
		SVART_ACCEL_OP_COPY_CRC32C, SVART_ACCEL_OP_CACHE_FLUSH, SVART_ACCEL_OP_NOP,
	};
	bool bad = rnd_below(rng, PCT) < 30, allp = rnd_below(rng, PCT) < 25;
	uint8_t *tmp = NULL;
	size_t lead, len;
	int rc = 0;

	memset(o, 0, sizeof(*o));
	o->type = types[rnd_below(rng, sizeof(types))];
	o->flags = fence_ok && rnd_below(rng, FENCE_ONE_IN) == 0 ? SVART_ACCEL_OP_FENCE : 0;
	o->len = (uint32_t)(o->type == SVART_ACCEL_OP_NOP ? 0 : pick_len(rng));
	o->pattern = rnd(rng);
	o->seed = rnd_below(rng, 2) ? (uint32_t)rnd(rng) : 0;
	len = o->len;
	switch (o->type) {
	case SVART_ACCEL_OP_COPY:
		rc = make_copy(o, rng, bad, allp);
		break;
	case SVART_ACCEL_OP_FILL:
		rc = mkbuf(o, rng, 0, pick_lead(rng), len, true, bad, allp, NULL);
		o->expect = malloc(len + 1);
		for (size_t i = 0; i < len; i++)
			o->expect[i] = ref_pattern_byte(o->pattern, i);
		break;
	case SVART_ACCEL_OP_COMPARE:
		rc = mkbuf(o, rng, 0, pick_lead(rng), len, false, bad, allp, NULL);
		tmp = malloc(len + 1);
		if (rc == 0 && tmp != NULL) {
			memcpy(tmp, sh(&o->b[0]), len);
			if (len > 0 && rnd_below(rng, 2))
				tmp[rnd_below(rng, len)] ^= (uint8_t)(1 + rnd_below(rng, 255));
			rc = mkbuf(o, rng, 1, pick_lead(rng), len, false, bad, allp, tmp);
		}
		break;
	case SVART_ACCEL_OP_COMPARE_VALUE:
		tmp = malloc(len + 1);
		for (size_t i = 0; tmp != NULL && i < len; i++)
			tmp[i] = ref_pattern_byte(o->pattern, i);
		if (tmp != NULL && len > 0 && rnd_below(rng, 2))
			tmp[rnd_below(rng, len)] ^= (uint8_t)(1 + rnd_below(rng, 255));
		rc = mkbuf(o, rng, 0, pick_lead(rng), len, false, bad, allp, tmp);
		break;
	case SVART_ACCEL_OP_DUALCAST:
		lead = pick_lead(rng); /* both destinations: same offset in their page */
		rc = mkbuf(o, rng, 0, pick_lead(rng), len, false, bad, allp, NULL);
		rc |= mkbuf(o, rng, 1, lead, len, true, bad, allp, NULL);
		rc |= mkbuf(o, rng, 2, lead, len, true, bad, allp, NULL);
		o->expect = malloc(len + 1);
		if (rc == 0)
			memcpy(o->expect, sh(&o->b[0]), len);
		break;
	case SVART_ACCEL_OP_CRC32C:
		rc = mkbuf(o, rng, 0, pick_lead(rng), len, false, bad, allp, NULL);
		break;
	case SVART_ACCEL_OP_COPY_CRC32C:
		rc = mkbuf(o, rng, 0, pick_lead(rng), len, false, bad, allp, NULL);
		rc |= mkbuf(o, rng, 1, pick_lead(rng), len, true, bad, allp, NULL);
		o->expect = malloc(len + 1);
		if (rc == 0)
			memcpy(o->expect, sh(&o->b[0]), len);
		break;
	case SVART_ACCEL_OP_CACHE_FLUSH:
		rc = mkbuf(o, rng, 0, pick_lead(rng), len, false, bad, allp, NULL);
		break;
	default:
		break;
	}
	free(tmp);
	if (rc != 0)
		return -1;
	o->first_bad = len;
	for (unsigned int i = 0; i < o->nb && !o->overlap; i++) {
		size_t fb = tbuf_first_bad(&o->b[i]);

		if (fb < o->first_bad)
			o->first_bad = fb;
	}
	o->mismatch = len;
	if (o->type == SVART_ACCEL_OP_COMPARE)
		o->mismatch = ref_first_diff(sh(&o->b[0]), sh(&o->b[1]), len);
	else if (o->type == SVART_ACCEL_OP_COMPARE_VALUE)
		o->mismatch = ref_first_diff_pattern(sh(&o->b[0]), o->pattern, len);
	if (is_crc(o))
		o->crc = ref_crc32c(o->seed, sh(&o->b[0]), len);
	return 0;
}

/* The destination buffer of ops that write one. */
static int
dst_index(const struct top *o)
{
	switch (o->type) {
	case SVART_ACCEL_OP_FILL:
		return 0;
	case SVART_ACCEL_OP_COPY:
		return o->overlap ? -1 : 1;
	case SVART_ACCEL_OP_COPY_CRC32C:
	case SVART_ACCEL_OP_DUALCAST:
		return 1;
	default:
		return -1;
	}
}

bool
top_can_depend(const struct top *o, const struct top *dep)
{
	int d = dst_index(dep);

	return o->type == SVART_ACCEL_OP_COPY && !o->overlap && o->len > 0 &&
	       (o->flags & SVART_ACCEL_OP_FENCE) && d >= 0 && dep->len > 0 &&
	       dep->first_bad == dep->len && !dep->b[d].borrowed;
}

void
top_depend(struct top *o, const struct top *dep)
{
	struct tbuf *src = &o->b[0];
	uint32_t len = o->len < dep->len ? o->len : dep->len;

	tbuf_free(src);
	*src = dep->b[dst_index(dep)];
	src->borrowed = true;
	src->write = false;
	src->len = len;
	o->len = len;
	o->b[1].len = len;
	memcpy(o->expect, dep->expect, len);
	o->first_bad = tbuf_first_bad(&o->b[1]);
	o->dep = dep;
}

static uint64_t
rot_pattern(uint64_t p, uint32_t base)
{
	unsigned int sh8 = (base % 8) * 8;

	return sh8 == 0 ? p : (p >> sh8) | (p << (64 - sh8));
}

void
top_piece(const struct top *o, uint32_t base, uint32_t end, struct svart_accel_op *op,
	  uint32_t seed)
{
	const struct tbuf *b = o->b;

	memset(op, 0, sizeof(*op));
	op->type = o->type;
	op->len = end - base;
	switch (o->type) {
	case SVART_ACCEL_OP_COPY:
		op->src = (o->overlap ? b[0].p + o->so : b[0].p) + base;
		op->dst = (o->overlap ? b[0].p + o->dof : b[1].p) + base;
		break;
	case SVART_ACCEL_OP_FILL:
		op->dst = b[0].p + base;
		op->pattern = rot_pattern(o->pattern, base);
		break;
	case SVART_ACCEL_OP_COMPARE:
		op->src = b[0].p + base;
		op->src2 = b[1].p + base;
		break;
	case SVART_ACCEL_OP_COMPARE_VALUE:
		op->src = b[0].p + base;
		op->pattern = rot_pattern(o->pattern, base);
		break;
	case SVART_ACCEL_OP_DUALCAST:
		op->src = b[0].p + base;
		op->dst = b[1].p + base;
		op->dst2 = b[2].p + base;
		break;
	case SVART_ACCEL_OP_COPY_CRC32C:
		op->dst = b[1].p + base;
		/* fall through */
	case SVART_ACCEL_OP_CRC32C:
		op->src = b[0].p + base;
		op->seed = seed;
		break;
	case SVART_ACCEL_OP_CACHE_FLUSH:
		op->dst = b[0].p + base;
		break;
	default:
		break;
	}
}

struct tbuf *
top_buf_of(struct top *o, uint64_t addr, bool write)
{
	for (unsigned int i = 0; i < o->nb; i++)
		if (tbuf_holds(&o->b[i], addr) && (o->b[i].write == write || o->overlap))
			return &o->b[i];
	return NULL;
}

/* Destination payloads: [0, done) must be as expected. */
static int
check_done(struct top *o, size_t done, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < o->nb; i++) {
		const struct tbuf *b = &o->b[i];
		size_t n = o->overlap ? b->len : done;
		size_t d;

		if (!b->write)
			continue;
		d = ref_first_diff(b->p, o->expect, n);
		if (d < n) {
			snprintf(err, errlen, "wrong data: buffer %u byte %zu of %zu done is %#x, "
				 "expected %#x", i, d, n, b->p[d], o->expect[d]);
			return -1;
		}
	}
	return 0;
}

int
top_check_partial(struct top *o, const struct svart_accel_result *r, char *err, size_t errlen)
{
	size_t done = (size_t)o->base + r->bytes_completed;
	const struct tbuf *b = top_buf_of(o, r->fault_addr, r->fault_write);

	if (b == NULL) {
		snprintf(err, errlen, "partial completion: fault address %#lx (%s) is in no buffer "
			 "of the op with that access", (unsigned long)r->fault_addr,
			 r->fault_write ? "write" : "read");
		return -1;
	}
	if (r->bytes_completed > o->len - o->base || done > o->first_bad ||
	    (is_compare(o) && done > o->mismatch)) {
		snprintf(err, errlen, "partial completion: %zu bytes done, first bad byte %zu, "
			 "mismatch %zu", done, o->first_bad, o->mismatch);
		return -1;
	}
	if (is_crc(o) && r->value != ref_crc32c(o->seed, sh(&o->b[0]), done)) {
		snprintf(err, errlen, "partial completion: CRC of the %zu bytes done %#x, expected "
			 "%#x", done, (unsigned int)r->value, ref_crc32c(o->seed, sh(&o->b[0]), done));
		return -1;
	}
	return o->overlap ? 0 : check_done(o, done, err, errlen);
}

/* Every byte outside destination payloads, and outside [0, len) of them, as before. */
static int
check_canaries(struct top *o, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < o->nb; i++) {
		struct tbuf *b = &o->b[i];
		long bad;

		if (b->borrowed)
			continue; /* the op that owns it checks it */
		tbuf_open(b);
		bad = b->write ? tbuf_check(b, 0, b->len) : tbuf_check(b, 0, 0);
		if (bad >= 0) {
			snprintf(err, errlen, "buffer %u (%s) changed at area offset %ld (payload at "
				 "%ld, %zu bytes)", i, b->write ? "destination" : "source", bad,
				 (long)(b->p - b->area), b->len);
			return -1;
		}
	}
	return 0;
}

int
top_check(struct top *o, const struct svart_accel_result *r, bool may_skip, char *err,
	  size_t errlen)
{
	bool clean = o->first_bad == o->len || (is_compare(o) && o->mismatch < o->first_bad);

	o->res = *r;
	/* An op it depends on that a fence abandoned never wrote: this one
	 * (ordered after it, reported after it) read what was there before. */
	if (o->dep != NULL && o->dep->res.status != SVART_ACCEL_ST_SUCCESS)
		memcpy(o->expect, sh(&o->b[0]), o->len);
	switch (r->status) {
	case SVART_ACCEL_ST_NOT_ATTEMPTED:
		if (!may_skip) {
			snprintf(err, errlen, "NOT_ATTEMPTED without an earlier failure and a fence");
			return -1;
		}
		return check_canaries(o, err, errlen);
	case SVART_ACCEL_ST_SUCCESS:
		if (!clean) {
			snprintf(err, errlen, "SUCCESS, but byte %zu can never be accessed",
				 o->first_bad);
			return -1;
		}
		if (is_compare(o) && (r->result != (o->mismatch < o->len) ||
				      (o->mismatch < o->len && !mismatch_ok(o, r->bytes_completed)))) {
			snprintf(err, errlen, "compare: result %u at %u, expected %d at %zu",
				 r->result, r->bytes_completed, o->mismatch < o->len, o->mismatch);
			return -1;
		}
		if (is_crc(o) && r->value != o->crc) {
			snprintf(err, errlen, "CRC %#x, expected %#x", (unsigned int)r->value, o->crc);
			return -1;
		}
		if (check_done(o, o->len, err, errlen) != 0)
			return -1;
		return check_canaries(o, err, errlen);
	case SVART_ACCEL_ST_PAGE_FAULT: {
		struct tbuf *b = top_buf_of(o, r->fault_addr, r->fault_write);

		if (clean || b == NULL || !tbuf_addr_bad(b, r->fault_addr)) {
			snprintf(err, errlen, "PAGE_FAULT (hw %#x) at %#lx (%s), bytes %u; first bad "
				 "byte %zu of %u: not a page that can never be accessed",
				 r->hw_status, (unsigned long)r->fault_addr,
				 r->fault_write ? "write" : "read", r->bytes_completed, o->first_bad,
				 o->len);
			return -1;
		}
		if (r->bytes_completed > o->first_bad) {
			snprintf(err, errlen, "PAGE_FAULT with %u bytes done past the first bad byte %zu",
				 r->bytes_completed, o->first_bad);
			return -1;
		}
		if (check_done(o, r->bytes_completed, err, errlen) != 0)
			return -1;
		/* Past bytes_completed the destination payload may hold anything. */
		return check_canaries(o, err, errlen);
	}
	default:
		snprintf(err, errlen, "status %u (hw %#x)", r->status, r->hw_status);
		return -1;
	}
}

void
top_free(struct top *o)
{
	for (unsigned int i = 0; i < o->nb; i++)
		if (!o->b[i].borrowed)
			tbuf_free(&o->b[i]);
	free(o->expect);
	o->expect = NULL;
	o->nb = 0;
}
