/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Test buffers with page states and shadows (see diff_mem.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diff_mem.h"

#define GUARD_PAGES 1
#define CANARY_MIN 64          /* bytes of canary at least after the payload */
#define PCT 100

size_t mem_pg;

void
mem_init(void)
{
	mem_pg = (size_t)sysconf(_SC_PAGESIZE);
}

uint64_t
rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

int
tbuf_alloc(struct tbuf *b, size_t lead, size_t len, bool file, bool write)
{
	int fd = -1;

	memset(b, 0, sizeof(*b));
	b->npages = (lead + len + CANARY_MIN + mem_pg - 1) / mem_pg;
	b->map_len = (b->npages + 2 * GUARD_PAGES) * mem_pg;
	b->map = mmap(NULL, b->map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->map == MAP_FAILED)
		return -1;
	b->area = b->map + GUARD_PAGES * mem_pg;
	if (file) {
		fd = memfd_create("svart_diff", 0);
		if (fd < 0 || ftruncate(fd, (off_t)(b->npages * mem_pg)) != 0 ||
		    mmap(b->area, b->npages * mem_pg, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
			if (fd >= 0)
				close(fd);
			munmap(b->map, b->map_len);
			return -1;
		}
		close(fd); /* the mapping keeps the file */
	} else if (mmap(b->area, b->npages * mem_pg, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
		munmap(b->map, b->map_len);
		return -1;
	}
	b->p = b->area + lead;
	b->len = len;
	b->file = file;
	b->write = write;
	b->shadow = malloc(b->npages * mem_pg);
	b->state = calloc(b->npages, 1);
	return b->shadow != NULL && b->state != NULL ? 0 : -1;
}

void
tbuf_states(struct tbuf *b, uint64_t *rng, bool bad, bool all_present)
{
	/* Percent weights of PG_PRESENT .. PG_NONE. */
	static const uint8_t w[PG_NSTATES] = { 40, 20, 8, 10, 8, 7, 7 };

	for (size_t i = 0; i < b->npages; i++) {
		uint64_t r = rnd_below(rng, PCT);
		int s = 0;

		while (s < PG_NSTATES - 1 && r >= w[s]) {
			r -= w[s];
			s++;
		}
		if (all_present || (!bad && (s == PG_RO || s == PG_NONE)))
			s = PG_PRESENT;
		if (b->file && (s == PG_ZERO || s == PG_COW))
			s = PG_UNTOUCHED; /* no zero page and no COW in a shared file mapping */
		b->state[i] = (uint8_t)s;
	}
}

void
tbuf_apply(struct tbuf *b, uint64_t *rng, const uint8_t *content)
{
	size_t off = (size_t)(b->p - b->area);

	for (size_t i = 0; i < b->npages * mem_pg; i += sizeof(uint64_t)) {
		uint64_t v = rnd(rng);

		memcpy(b->shadow + i, &v, sizeof(v));
	}
	if (content != NULL)
		memcpy(b->shadow + off, content, b->len);
	for (size_t i = 0; i < b->npages; i++) {
		uint8_t *pgp = b->area + i * mem_pg, *sh = b->shadow + i * mem_pg;
		volatile uint8_t sink;

		switch (b->state[i]) {
		case PG_UNTOUCHED:
			memset(sh, 0, mem_pg);
			break;
		case PG_ZERO:
			memset(sh, 0, mem_pg);
			sink = *(volatile uint8_t *)pgp;
			(void)sink;
			break;
		case PG_DONTNEED:
			memcpy(pgp, sh, mem_pg);
			madvise(pgp, mem_pg, MADV_DONTNEED);
			if (!b->file)
				memset(sh, 0, mem_pg);
			break;
		case PG_RO:
			memcpy(pgp, sh, mem_pg);
			mprotect(pgp, mem_pg, PROT_READ);
			break;
		case PG_NONE:
			memcpy(pgp, sh, mem_pg);
			mprotect(pgp, mem_pg, PROT_NONE);
			break;
		default: /* PRESENT, COW (the fork comes later) */
			memcpy(pgp, sh, mem_pg);
			break;
		}
	}
}

bool
tbuf_has_cow(const struct tbuf *b)
{
	for (size_t i = 0; i < b->npages; i++)
		if (b->state[i] == PG_COW)
			return true;
	return false;
}

static bool
state_bad(const struct tbuf *b, uint8_t s)
{
	return s == PG_NONE || (s == PG_RO && b->write);
}

size_t
tbuf_first_bad(const struct tbuf *b)
{
	size_t off = (size_t)(b->p - b->area);

	for (size_t i = off / mem_pg; i * mem_pg < off + b->len; i++)
		if (state_bad(b, b->state[i]))
			return i * mem_pg > off ? i * mem_pg - off : 0;
	return b->len;
}

bool
tbuf_holds(const struct tbuf *b, uint64_t addr)
{
	return addr >= (uint64_t)(uintptr_t)b->p && addr - (uint64_t)(uintptr_t)b->p < b->len;
}

bool
tbuf_addr_bad(const struct tbuf *b, uint64_t addr)
{
	uint64_t a = (uint64_t)(uintptr_t)b->area;

	if (addr < a || addr - a >= b->npages * mem_pg)
		return false;
	return state_bad(b, b->state[(addr - a) / mem_pg]);
}

void
tbuf_open(struct tbuf *b)
{
	mprotect(b->area, b->npages * mem_pg, PROT_READ | PROT_WRITE);
}

long
tbuf_check(const struct tbuf *b, size_t skip_lo, size_t skip_hi)
{
	size_t off = (size_t)(b->p - b->area);

	for (size_t i = 0; i < b->npages * mem_pg; i++) {
		if (i >= off + skip_lo && i < off + skip_hi)
			continue;
		if (b->area[i] != b->shadow[i])
			return (long)i;
	}
	return -1;
}

void
tbuf_free(struct tbuf *b)
{
	if (b->map != NULL)
		munmap(b->map, b->map_len);
	free(b->shadow);
	free(b->state);
	memset(b, 0, sizeof(*b));
}

const char *
pg_state_name(uint8_t s)
{
	static const char *const names[PG_NSTATES] = { "present", "untouched", "zero",
						       "dontneed", "cow", "ro", "none" };

	return s < PG_NSTATES ? names[s] : "?";
}
