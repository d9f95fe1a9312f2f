/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_DIFF_MEM_H
#define SVART_DIFF_MEM_H

/* Test buffers for the differential test: a mapping of its own per buffer,
 * PROT_NONE guard pages on both sides, the payload placed at a chosen
 * misalignment, and each page of the mapping in a state an application's
 * memory can be in. A shadow copy holds what every byte must contain, so
 * the test never has to touch a page (and change its state) to know it:
 * every byte outside a destination's payload is a canary. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pg_state {
	PG_PRESENT,    /**< written by the CPU */
	PG_UNTOUCHED,  /**< never touched (anonymous: zeros) */
	PG_ZERO,       /**< read once: the shared zero page (anonymous) */
	PG_DONTNEED,   /**< written, then MADV_DONTNEED (anonymous: zeros; file: kept) */
	PG_COW,        /**< written, then shared copy-on-write with a forked child */
	PG_RO,         /**< written, then read-only: a write can never be resolved */
	PG_NONE,       /**< written, then PROT_NONE: no access can be resolved */
	PG_NSTATES
};

struct tbuf {
	uint8_t *map;        /**< whole mapping, guard pages included */
	size_t map_len;
	uint8_t *area;       /**< first page after the leading guard */
	size_t npages;       /**< pages of area */
	uint8_t *p;          /**< payload */
	size_t len;          /**< payload bytes */
	uint8_t *shadow;     /**< expected contents of area */
	uint8_t *state;      /**< enum pg_state per page of area */
	bool file;           /**< MAP_SHARED on a memfd */
	bool write;          /**< destination of the op */
	bool borrowed;       /**< another op's buffer (freed and checked by that op) */
};

/** Page size, set by mem_init(). */
extern size_t mem_pg;
void mem_init(void);

/** xorshift64* generator of the test (seeded, replayable). */
uint64_t rnd(uint64_t *s);
static inline uint64_t
rnd_below(uint64_t *s, uint64_t n)
{
	return n == 0 ? 0 : rnd(s) % n;
}

/** Map a buffer of len payload bytes at offset lead into its first page. */
int tbuf_alloc(struct tbuf *b, size_t lead, size_t len, bool file, bool write);
/** Choose page states: bad allows PG_RO / PG_NONE; all_present forces PG_PRESENT. */
void tbuf_states(struct tbuf *b, uint64_t *rng, bool bad, bool all_present);
/** Write the contents (payload from content, or random when NULL; the rest
 * random) and put every page in its state. The shadow follows. */
void tbuf_apply(struct tbuf *b, uint64_t *rng, const uint8_t *content);
/** True when a page of b is in PG_COW (the round must fork). */
bool tbuf_has_cow(const struct tbuf *b);
/** Offset into the payload of the first byte whose page can never be made
 * accessible for the buffer's role, or len. */
size_t tbuf_first_bad(const struct tbuf *b);
/** True when addr is in a page of b that can never be made accessible for the role. */
bool tbuf_addr_bad(const struct tbuf *b, uint64_t addr);
/** True when addr lies in b's payload. */
bool tbuf_holds(const struct tbuf *b, uint64_t addr);
/** Make every page readable again (after the op was reported) so it can be checked. */
void tbuf_open(struct tbuf *b);
/** Offset into area of the first byte that differs from the shadow outside
 * [skip_lo, skip_hi) (payload offsets), or -1. */
long tbuf_check(const struct tbuf *b, size_t skip_lo, size_t skip_hi);
void tbuf_free(struct tbuf *b);
/** Short name of a page state (for failure reports). */
const char *pg_state_name(uint8_t s);

#endif
