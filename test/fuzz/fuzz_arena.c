/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/*
 * The fuzzer's arena: the memory the fuzzed descriptors point into.
 *
 * One PROT_NONE reservation holds the buffers (three data buffers, the
 * descriptor-list buffer, the completion-record buffer), each between guard
 * pages, and margins wide enough that no transfer the fuzzed WQs accept can
 * leave the reservation. Before a run every buffer page gets its image (a
 * pattern, the payload, list records) and a state (present, never touched,
 * zero page, read-only, PROT_NONE); after the run every byte that differs
 * from the image must lie in a range a descriptor names as a destination or
 * completion record.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "emu_dsa.h"
#include "fuzz_emu_dsa.h"

/* Reservation margins below and above the buffers. Above: more than the
 * largest reach of a descriptor from a buffer address (1 MiB transfer, 512 KiB
 * delta offsets, a 16-page request group). */
#define FZ_MARGIN_LOW   (64u * FZ_PAGE_SIZE)
#define FZ_MARGIN_HIGH  (4u << 20)
/* Compare granularity before looking at single bytes. */
#define FZ_CMP_CHUNK    64u
/* Most differing bytes listed in a report. */
#define FZ_REPORT_BYTES 16u

static const uint8_t buf_pages[FZ_NBUF] = {
	FZ_DATA_PAGES, FZ_DATA_PAGES, FZ_DATA_PAGES, FZ_LIST_PAGES, FZ_CR_PAGES,
};
static const char *const buf_names[FZ_NBUF] = { "data0", "data1", "data2", "list", "cr" };

static struct {
	uint8_t *resv;
	size_t resv_len;
	uint8_t *buf[FZ_NBUF];
	unsigned int first_page[FZ_NBUF];   /**< index of the buffer's first page in the image */
	bool protected;                     /**< some page is not read-write */
	uint8_t image[FZ_ARENA_BYTES];
	uint8_t allowed[FZ_ARENA_BYTES];
} A;

static unsigned int
page_buf(unsigned int page)
{
	unsigned int b = 0;

	while (b + 1 < FZ_NBUF && page >= A.first_page[b + 1])
		b++;
	return b;
}

static uint8_t *
page_addr(unsigned int page)
{
	unsigned int b = page_buf(page);

	return A.buf[b] + (size_t)(page - A.first_page[b]) * FZ_PAGE_SIZE;
}

int
fz_arena_init(void)
{
	size_t span = FZ_PAGE_SIZE, off;
	unsigned int page = 0;

	for (unsigned int b = 0; b < FZ_NBUF; b++)
		span += (size_t)(buf_pages[b] + 1) * FZ_PAGE_SIZE;
	A.resv_len = FZ_MARGIN_LOW + span + FZ_MARGIN_HIGH;
	A.resv = mmap(NULL, A.resv_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		      -1, 0);
	if (A.resv == MAP_FAILED)
		return -1;
	off = FZ_MARGIN_LOW + FZ_PAGE_SIZE; /* the first guard page */
	for (unsigned int b = 0; b < FZ_NBUF; b++) {
		size_t len = (size_t)buf_pages[b] * FZ_PAGE_SIZE;

		A.buf[b] = A.resv + off;
		A.first_page[b] = page;
		page += buf_pages[b];
		if (mprotect(A.buf[b], len, PROT_READ | PROT_WRITE) != 0)
			return -1;
		/* 4 KiB pages only: page states are per page. */
		(void)madvise(A.buf[b], len, MADV_NOHUGEPAGE);
		off += len + FZ_PAGE_SIZE;
	}
	return 0;
}

const char *
fz_buf_name(unsigned int buf)
{
	return buf < FZ_NBUF ? buf_names[buf] : "?";
}

uint8_t *
fz_image(unsigned int buf)
{
	return &A.image[(size_t)A.first_page[buf] * FZ_PAGE_SIZE];
}

uint64_t
fz_buf_addr(unsigned int buf)
{
	return (uint64_t)(uintptr_t)A.buf[buf];
}

uint64_t
fz_buf_len(unsigned int buf)
{
	return (uint64_t)buf_pages[buf] * FZ_PAGE_SIZE;
}

uint64_t
fz_guard_addr(unsigned int guard)
{
	if (guard < FZ_NBUF)
		return fz_buf_addr(guard) - FZ_PAGE_SIZE;
	return fz_buf_addr(FZ_NBUF - 1) + fz_buf_len(FZ_NBUF - 1);
}

bool
fz_in_reservation(uint64_t a, uint64_t len)
{
	uint64_t base = (uint64_t)(uintptr_t)A.resv;

	return a >= base && len <= A.resv_len && a - base <= A.resv_len - len;
}

bool
fz_in_arena(uint64_t a)
{
	return a >= fz_guard_addr(0) && a < fz_guard_addr(FZ_NBUF) + FZ_PAGE_SIZE;
}

uint8_t *
fz_image_at(uint64_t addr, uint64_t len)
{
	for (unsigned int b = 0; b < FZ_NBUF; b++) {
		uint64_t base = fz_buf_addr(b), blen = fz_buf_len(b);

		if (addr >= base && len <= blen && addr - base <= blen - len)
			return fz_image(b) + (addr - base);
	}
	return NULL;
}

/* xorshift64: the fill pattern. */
static uint64_t
pattern_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Bit 7 of every pattern byte is set, so any 8 pattern bytes read as an
 * address are non-canonical or in the kernel half: a batch list pointed at
 * the pattern names no user memory. */
#define FZ_PATTERN_HIGH_BITS 0x8080808080808080ull
#define FZ_PATTERN_SEED_MIX  0x9e3779b97f4a7c15ull

void
fz_image_fill(uint8_t seed)
{
	uint64_t s = FZ_PATTERN_SEED_MIX ^ ((uint64_t)seed << 32 | seed);
	size_t data_len = (size_t)FZ_DATA_PAGES * FZ_PAGE_SIZE;

	/* The data buffers carry the same bytes at the same offsets (compares and
	 * delta records find equal words); the payload makes them differ. */
	for (size_t i = 0; i < data_len; i += sizeof(uint64_t)) {
		uint64_t v = pattern_next(&s) | FZ_PATTERN_HIGH_BITS;

		memcpy(fz_image(0) + i, &v, sizeof(v));
	}
	for (unsigned int b = 1; b < FZ_DATA_BUFS; b++)
		memcpy(fz_image(b), fz_image(0), data_len);
	for (unsigned int b = FZ_DATA_BUFS; b < FZ_NBUF; b++) {
		for (size_t i = 0; i < fz_buf_len(b); i += sizeof(uint64_t)) {
			uint64_t v = pattern_next(&s) | FZ_PATTERN_HIGH_BITS;

			memcpy(fz_image(b) + i, &v, sizeof(v));
		}
	}
}

static bool
state_absent(uint8_t st)
{
	st &= FZ_PG_STATE_MASK;
	return st == FZ_PG_UNTOUCHED || st == FZ_PG_ZEROPAGE;
}

void
fz_image_zero_absent(const uint8_t *states)
{
	for (unsigned int p = 0; p < FZ_ARENA_PAGES; p++)
		if (state_absent(states[p]))
			memset(&A.image[(size_t)p * FZ_PAGE_SIZE], 0, FZ_PAGE_SIZE);
}

static void
die_errno(const char *what)
{
	perror(what);
	abort();
}

bool
fz_arena_apply(const uint8_t *states, bool force_invalidate)
{
	bool restricted = force_invalidate;

	for (unsigned int p = 0; p < FZ_ARENA_PAGES; p++) {
		uint8_t *pg = page_addr(p);
		uint8_t st = states[p] & FZ_PG_STATE_MASK;

		restricted |= st >= FZ_PG_UNTOUCHED;
		if (state_absent(st)) {
			if (madvise(pg, FZ_PAGE_SIZE, MADV_DONTNEED) != 0)
				die_errno("fuzz_emu_dsa: madvise(DONTNEED)");
			if (st == FZ_PG_ZEROPAGE)
				(void)*(volatile uint8_t *)pg; /* maps the shared zero page */
			continue;
		}
		memcpy(pg, &A.image[(size_t)p * FZ_PAGE_SIZE], FZ_PAGE_SIZE);
		if (st == FZ_PG_READONLY || st == FZ_PG_NONE) {
			if (mprotect(pg, FZ_PAGE_SIZE, st == FZ_PG_READONLY ? PROT_READ : PROT_NONE))
				die_errno("fuzz_emu_dsa: mprotect");
			A.protected = true;
		}
	}
	/* What an IOMMU driver's MMU notifier does after such changes. With every
	 * page present and read-write, what the ATC may still hold from earlier
	 * runs grants no more than the pages allow, unless a page response lied
	 * (force_invalidate): no invalidation then (it is costly: each engine
	 * re-reads /proc/self/maps). */
	if (restricted)
		emu_dsa_invalidate(fz_device());
	return restricted;
}

void
fz_arena_restore(void)
{
	if (!A.protected)
		return;
	for (unsigned int b = 0; b < FZ_NBUF; b++)
		if (mprotect(A.buf[b], fz_buf_len(b), PROT_READ | PROT_WRITE) != 0)
			die_errno("fuzz_emu_dsa: mprotect(restore)");
	A.protected = false;
}

int
fz_arena_populate(uint64_t addr, bool write)
{
	uint64_t page = addr & ~(uint64_t)(FZ_PAGE_SIZE - 1);

	/* Only the buffers: guard pages, margins and anything else stay unresolvable. */
	if (fz_image_at(page, FZ_PAGE_SIZE) == NULL)
		return -1;
	return madvise((void *)(uintptr_t)page, FZ_PAGE_SIZE,
		       write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ) == 0 ? 0 : -1;
}

/* Mark [lo, lo + len) (clamped to the address space) in the allowed map. */
static void
allow(uint64_t lo, uint64_t len)
{
	uint64_t hi = len > UINT64_MAX - lo ? UINT64_MAX : lo + len;

	for (unsigned int b = 0; b < FZ_NBUF; b++) {
		uint64_t base = fz_buf_addr(b), end = base + fz_buf_len(b);
		uint64_t s = lo > base ? lo : base, e = hi < end ? hi : end;

		if (s < e)
			memset(&A.allowed[(size_t)A.first_page[b] * FZ_PAGE_SIZE + (s - base)], 1, e - s);
	}
}

/* The descriptors whose ranges cover addr (for the report). */
static void
report_owners(const struct fz_run *r, uint64_t addr)
{
	for (unsigned int i = 0; i < r->nranges; i++) {
		const struct fz_range *g = &r->ranges[i];

		if (addr >= g->lo && addr - g->lo < g->len)
			fprintf(stderr, "  (range of %s %d: 0x%" PRIx64 " +0x%" PRIx64 "%s)\n",
				g->member ? "a member of descriptor" : "descriptor", g->owner,
				g->lo, g->len, r->sub[g->owner].skip ? ", not submitted" : "");
	}
}

void
fz_arena_check(const struct fz_run *r)
{
	unsigned int bad = 0, first = 0;

	memset(A.allowed, 0, sizeof(A.allowed));
	for (unsigned int i = 0; i < r->nranges; i++)
		if (!r->sub[r->ranges[i].owner].skip)
			allow(r->ranges[i].lo, r->ranges[i].len);
	for (unsigned int p = 0; p < FZ_ARENA_PAGES; p++) {
		const uint8_t *pg = page_addr(p), *img = &A.image[(size_t)p * FZ_PAGE_SIZE];
		const uint8_t *ok = &A.allowed[(size_t)p * FZ_PAGE_SIZE];

		for (unsigned int c = 0; c < FZ_PAGE_SIZE; c += FZ_CMP_CHUNK) {
			if (memcmp(pg + c, img + c, FZ_CMP_CHUNK) == 0)
				continue;
			for (unsigned int i = c; i < c + FZ_CMP_CHUNK; i++) {
				unsigned int b = page_buf(p);
				uint64_t addr = (uint64_t)(uintptr_t)(pg + i);

				if (pg[i] == img[i] || ok[i])
					continue;
				if (bad++ == 0)
					first = p * FZ_PAGE_SIZE + i;
				if (bad <= FZ_REPORT_BYTES) {
					fprintf(stderr, "fuzz_emu_dsa: byte %s+0x%" PRIx64 " (0x%" PRIx64
						") is 0x%02x, was 0x%02x, and no descriptor names it\n",
						fz_buf_name(b), addr - fz_buf_addr(b), addr, pg[i], img[i]);
					report_owners(r, addr);
				}
			}
		}
	}
	if (bad != 0) {
		unsigned int p = first / FZ_PAGE_SIZE, b = page_buf(p);
		uint64_t addr = (uint64_t)(uintptr_t)page_addr(p) + first % FZ_PAGE_SIZE;

		fz_fail(r, "%u byte(s) written outside the allowed set, first at %s+0x%" PRIx64
			" (page state %u)", bad, fz_buf_name(b), addr - fz_buf_addr(b),
			r->states[p] & FZ_PG_STATE_MASK);
	}
}
