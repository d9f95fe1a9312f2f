/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/*
 * The fuzzer's input decoding: records become descriptors whose address
 * fields are remapped into the arena, guard pages, unmapped space, the kernel
 * half or left raw, and whose sizes are bounded; batch members are read from
 * the image of the memory their list points at. Then the write set: for every
 * descriptor (and batch member) the byte ranges it names as destinations, and
 * its completion record. A batch whose list another descriptor may write is
 * not submitted: the members the device reads would not be the ones checked.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_emu_dsa.h"

/* Unmapped space the selectors aim at besides the NULL page (FZ_NULL_SPAN):
 * the half above FZ_USER_TOP is not user space. */
#define FZ_USER_TOP       0x0000800000000000ull
#define FZ_KERNEL_BASE    0xffff800000000000ull
#define FZ_LOW40_MASK     0xffffffffffull
/* A raw user-space address outside the reservation gets this bit: the device
 * must never be pointed at the process's own memory (it would legitimately
 * write there). */
#define FZ_ADDR_POISON    (1ull << 63)

/* Size remapping bounds (enum fz_size_mode). */
#define FZ_SMALL_MAX      (4u * FZ_PAGE_SIZE)
#define FZ_TINY_MAX       256u
#define FZ_BIG_MAX        (2u * FZ_MAX_XFER)
#define FZ_COUNT_MAX      (FZ_MAX_BATCH + 2u)
/* Op-specific sizes (delta records). */
#define FZ_DELTA_ENTRIES  64u
#define FZ_OPSIZE_SMALL   1024u
#define FZ_OPSIZE_BIG     0x10000u

static const uint8_t addr_off[FZ_NADDR] = { 0x08, 0x10, 0x18, 0x28, 0x30 };

static uint64_t
get_q(const struct dsa_hw_desc *d, unsigned int off)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)d + off, sizeof(v));
	return v;
}

static void
set_q(struct dsa_hw_desc *d, unsigned int off, uint64_t v)
{
	memcpy((uint8_t *)d + off, &v, sizeof(v));
}

/* Is the qword i (of addr_off) an address for this op? */
static bool
is_addr(uint8_t op, uint32_t flags, unsigned int i)
{
	switch (i) {
	case 0:
		return true;
	case 1:
		return op != DSA_OPCODE_NOOP && op != DSA_OPCODE_MEMFILL && op != DSA_OPCODE_CFLUSH;
	case 2:
		return op != DSA_OPCODE_NOOP && op != DSA_OPCODE_BATCH && op != DSA_OPCODE_COMPVAL &&
		       op != DSA_OPCODE_CRCGEN;
	case 3:
		return op == DSA_OPCODE_DUALCAST || op == DSA_OPCODE_CR_DELTA;
	default:
		return (op == DSA_OPCODE_CRCGEN || op == DSA_OPCODE_COPY_CRC) &&
		       (flags & DSA_FLAG_CRC_READ_SEED);
	}
}

static uint64_t
sanitize(uint64_t v)
{
	if (v >= FZ_NULL_SPAN && v < FZ_USER_TOP && !fz_in_reservation(v, FZ_REACH))
		v |= FZ_ADDR_POISON;
	return v;
}

static uint64_t
remap_addr(uint8_t sel, uint64_t raw)
{
	unsigned int kind = sel & FZ_SEL_KIND_MASK, idx = sel >> FZ_SEL_IDX_SHIFT;
	bool alt = sel & FZ_SEL_ALIGN;

	switch (kind) {
	case FZ_SEL_GUARD:
		return fz_guard_addr(idx % FZ_NGUARDS) + raw % FZ_PAGE_SIZE;
	case FZ_SEL_HOLE:
		return alt ? raw % FZ_NULL_SPAN : FZ_USER_TOP + (raw & FZ_LOW40_MASK);
	case FZ_SEL_KERNEL:
		return alt ? UINT64_MAX - raw % FZ_NULL_SPAN : FZ_KERNEL_BASE + (raw & FZ_LOW40_MASK);
	case FZ_SEL_RAW:
		return sanitize(raw);
	default: {
		unsigned int b = idx % FZ_NBUF;
		uint64_t off = raw % fz_buf_len(b);

		if (alt)
			off &= ~(uint64_t)(DSA_DESC_SIZE - 1);
		return fz_buf_addr(b) + off;
	}
	}
}

static uint32_t
remap_size(uint8_t ctl, uint32_t raw)
{
	static const uint32_t round[] = { 1, 8, 64, FZ_PAGE_SIZE };
	uint32_t v;

	switch (ctl & FZ_SIZE_MODE_MASK) {
	case FZ_SZ_SMALL: v = raw % (FZ_SMALL_MAX + 1); break;
	case FZ_SZ_TINY: v = raw % (FZ_TINY_MAX + 1); break;
	case FZ_SZ_BIG: v = raw % (FZ_BIG_MAX + 1); break;
	default: v = raw; break;
	}
	return v - v % round[(ctl >> FZ_SIZE_ROUND_SHIFT) & 3];
}

static uint32_t
remap_opsize(uint8_t ctl, uint32_t raw)
{
	switch (ctl & FZ_MISC_OPSIZE_MASK) {
	case 0: return (raw % (FZ_DELTA_ENTRIES + 1)) * DSA_DELTA_ENTRY_SIZE;
	case 1: return raw % FZ_OPSIZE_SMALL;
	case 2: return raw % FZ_OPSIZE_BIG;
	default: return raw;
	}
}

/* A byte range [lo, hi] of the descriptor as a bit mask (bit n = byte n). */
#define BYTES(lo, hi) ((((hi) >= 63 ? ~0ull : ((1ull << ((hi) + 1)) - 1))) & ~((1ull << (lo)) - 1))

/* Descriptor bytes from 0x10 on that the op leaves reserved (DSA spec). */
static uint64_t
reserved_bytes(uint8_t op, uint32_t flags)
{
	uint64_t m = BYTES(0x26, 0x27);

	switch (op) {
	case DSA_OPCODE_NOOP: return m | BYTES(0x10, 0x23) | BYTES(0x28, 0x3f);
	case DSA_OPCODE_DRAIN: return m | BYTES(0x20, 0x23) | BYTES(0x28, 0x3f);
	case DSA_OPCODE_BATCH: return m | BYTES(0x18, 0x1f) | BYTES(0x28, 0x3f);
	case DSA_OPCODE_MEMMOVE:
	case DSA_OPCODE_MEMFILL: return m | BYTES(0x28, 0x3f);
	case DSA_OPCODE_COMPARE:
	case DSA_OPCODE_COMPVAL: return m | BYTES(0x29, 0x3f);
	case DSA_OPCODE_CR_DELTA: return m | BYTES(0x34, 0x37) | BYTES(0x39, 0x3f);
	case DSA_OPCODE_AP_DELTA: return m | BYTES(0x2c, 0x3f);
	case DSA_OPCODE_DUALCAST: return m | BYTES(0x30, 0x3f);
	case DSA_OPCODE_CRCGEN:
		m |= BYTES(0x18, 0x1f);
		/* fall through */
	case DSA_OPCODE_COPY_CRC:
		m |= BYTES(0x2c, 0x2f) | BYTES(0x38, 0x3f);
		if (!(flags & DSA_FLAG_CRC_READ_SEED))
			m |= BYTES(0x30, 0x37);
		return m;
	case DSA_OPCODE_CFLUSH: return m | BYTES(0x10, 0x17) | BYTES(0x28, 0x3f);
	default: return m;
	}
}

/* Turn a raw descriptor into one the validation accepts (most of the time). */
static void
make_valid(struct dsa_hw_desc *d, bool priv_ok)
{
	uint8_t op = d->opcode;
	uint32_t flags = DSA_FLAGS_COMMON & ~(uint32_t)IDXD_OP_FLAG_RCI;
	uint64_t rsv;

	if (op == DSA_OPCODE_COMPARE || op == DSA_OPCODE_COMPVAL || op == DSA_OPCODE_CR_DELTA)
		flags |= IDXD_OP_FLAG_CR;
	if (op == DSA_OPCODE_CRCGEN || op == DSA_OPCODE_COPY_CRC)
		flags |= DSA_FLAG_CRC_READ_SEED;
	d->flags &= flags;
	d->rsvd = 0;
	if (!priv_ok)
		d->priv = 0;
	rsv = reserved_bytes(op, d->flags);
	for (unsigned int i = 0; i < DSA_DESC_SIZE; i++)
		if ((rsv >> i) & 1)
			((uint8_t *)d)[i] = 0;
}

static void
decode_record(const uint8_t *rec, struct dsa_hw_desc *d, bool priv_ok)
{
	const uint8_t *ctl = rec;
	uint8_t op;

	memcpy(d, rec + FZ_REC_CTL, sizeof(*d));
	op = d->opcode;
	if (ctl[FZ_CTL_MISC] & FZ_MISC_VALID)
		make_valid(d, priv_ok);
	if (ctl[FZ_CTL_MISC] & FZ_MISC_CR)
		d->flags |= IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR;
	if (ctl[FZ_CTL_MISC] & FZ_MISC_BOF)
		d->flags |= IDXD_OP_FLAG_BOF;
	for (unsigned int i = 0; i < FZ_NADDR; i++)
		if (is_addr(op, d->flags, i))
			set_q(d, addr_off[i], remap_addr(ctl[FZ_CTL_SEL + i], get_q(d, addr_off[i])));
	if (op == DSA_OPCODE_BATCH)
		d->desc_count = (ctl[FZ_CTL_SIZE] & FZ_SIZE_MODE_MASK) == FZ_SZ_RAW ?
				d->desc_count : d->desc_count % (FZ_COUNT_MAX + 1);
	else if (op != DSA_OPCODE_NOOP && op != DSA_OPCODE_DRAIN)
		d->xfer_size = remap_size(ctl[FZ_CTL_SIZE], d->xfer_size);
	if (op == DSA_OPCODE_CR_DELTA)
		d->max_delta_size = remap_opsize(ctl[FZ_CTL_MISC], d->max_delta_size);
	else if (op == DSA_OPCODE_AP_DELTA)
		d->delta_rec_size = remap_opsize(ctl[FZ_CTL_MISC], d->delta_rec_size);
}

static void
add_range(struct fz_run *r, uint64_t lo, uint64_t len, unsigned int owner, bool member)
{
	struct fz_range *g;

	if (len == 0 || r->nranges >= FZ_MAX_RANGES)
		return;
	g = &r->ranges[r->nranges++];
	g->lo = lo;
	g->len = len;
	g->owner = (int16_t)owner;
	g->member = member;
}

/* What one descriptor may write: its destinations and its completion record. */
static void
desc_ranges(struct fz_run *r, const struct dsa_hw_desc *d, unsigned int owner, bool member)
{
	if (d->flags & IDXD_OP_FLAG_CRAV)
		add_range(r, d->completion_addr & ~(uint64_t)(DSA_COMP_ALIGN - 1), DSA_COMP_SIZE,
			  owner, member);
	switch (d->opcode) {
	case DSA_OPCODE_MEMMOVE:
	case DSA_OPCODE_MEMFILL:
	case DSA_OPCODE_COPY_CRC:
	case DSA_OPCODE_AP_DELTA:
		add_range(r, d->dst_addr, d->xfer_size, owner, member);
		break;
	case DSA_OPCODE_DUALCAST:
		add_range(r, d->dst_addr, d->xfer_size, owner, member);
		add_range(r, d->dest2, d->xfer_size, owner, member);
		break;
	case DSA_OPCODE_CR_DELTA:
		add_range(r, d->delta_addr, d->max_delta_size, owner, member);
		break;
	default:
		break;
	}
}

/* The members of each batch as the device may read them: the image of its
 * list, as far as the list lies in one buffer (the device reads a list up to
 * the first page it cannot read and runs the members before it; a page it
 * can read holds exactly its image). */
static void
find_members(struct fz_run *r)
{
	for (unsigned int i = 0; i < r->nsubmit; i++) {
		struct fz_desc *s = &r->sub[i];
		uint32_t n = s->d.desc_count;
		uint8_t *img;

		if (s->d.opcode != DSA_OPCODE_BATCH || n < 2 || n > FZ_MAX_BATCH ||
		    s->d.desc_list_addr % DSA_DESC_LIST_ALIGN != 0)
			continue;
		while (n > 0 && fz_image_at(s->d.desc_list_addr, (uint64_t)n * DSA_DESC_SIZE) == NULL)
			n--;
		if (n == 0)
			continue;
		img = fz_image_at(s->d.desc_list_addr, (uint64_t)n * DSA_DESC_SIZE);
		s->first_member = (int16_t)r->nmembers;
		s->nmembers = (uint16_t)n;
		for (uint32_t k = 0; k < n; k++) {
			struct dsa_hw_desc *m = &r->members[r->nmembers++];

			/* Payload bytes can hold any address: keep the device off user memory. */
			memcpy(m, img + (size_t)k * DSA_DESC_SIZE, sizeof(*m));
			for (unsigned int q = 0; q < FZ_NADDR; q++)
				set_q(m, addr_off[q], sanitize(get_q(m, addr_off[q])));
			memcpy(img + (size_t)k * DSA_DESC_SIZE, m, sizeof(*m));
		}
	}
}

static bool
overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	uint64_t aend = alen > UINT64_MAX - a ? UINT64_MAX : a + alen;
	uint64_t bend = blen > UINT64_MAX - b ? UINT64_MAX : b + blen;

	return a < bend && b < aend;
}

void
fz_decode(struct fz_run *r, const uint8_t *data, size_t size)
{
	size_t nrec = (size - FZ_HDR_SIZE) / FZ_REC_SIZE, plen, poff;
	unsigned int nlist = data[FZ_HDR_POLICY] >> FZ_NLIST_SHIFT;
	unsigned int nsub = data[FZ_HDR_SUBMIT] & FZ_NSUBMIT_MASK, pbuf;
	const uint8_t *rec = data + FZ_HDR_SIZE, *payload;

	r->policy = (enum fz_policy)(data[FZ_HDR_POLICY] & FZ_POLICY_MASK);
	if (r->policy >= FZ_PRI_HONEST2)
		r->policy = FZ_PRI_HONEST;
	r->unbound_pasid = data[FZ_HDR_POLICY] & FZ_UNBOUND_PASID;
	r->budget = 1u << (data[FZ_HDR_SUBMIT] >> FZ_BUDGET_SHIFT);
	r->seed = data[FZ_HDR_SEED];
	memcpy(r->states, data + FZ_HDR_PAGES, FZ_ARENA_PAGES);
	if (nlist > nrec)
		nlist = (unsigned int)nrec;
	if (nsub > nrec - nlist)
		nsub = (unsigned int)(nrec - nlist);
	r->nsubmit = nsub;
	r->nmembers = 0;
	r->nranges = 0;

	fz_image_fill(r->seed);
	payload = rec + (size_t)(nlist + nsub) * FZ_REC_SIZE;
	plen = size - (size_t)(payload - data);
	pbuf = data[FZ_HDR_PAYLOAD] & FZ_PAYLOAD_BUF_MASK;
	poff = (size_t)(data[FZ_HDR_PAYLOAD] >> FZ_PAYLOAD_OFF_SHIFT) * FZ_PAYLOAD_OFF_UNIT;
	if (poff < fz_buf_len(pbuf))
		memcpy(fz_image(pbuf) + poff, payload,
		       plen < fz_buf_len(pbuf) - poff ? plen : fz_buf_len(pbuf) - poff);
	for (unsigned int i = 0; i < nlist; i++) {
		struct dsa_hw_desc d;

		decode_record(rec + (size_t)i * FZ_REC_SIZE, &d, false);
		memcpy(fz_image(FZ_BUF_LIST) + (size_t)i * DSA_DESC_SIZE, &d, sizeof(d));
	}
	for (unsigned int i = 0; i < nsub; i++) {
		struct fz_desc *s = &r->sub[i];
		const uint8_t *p = rec + (size_t)(nlist + i) * FZ_REC_SIZE;

		memcpy(s->ctl, p, FZ_REC_CTL);
		decode_record(p, &s->d, (p[FZ_CTL_SUBMIT] & FZ_SUB_WQ_MASK) == FZ_WQ_PRIV);
		s->skip = false;
		s->first_member = -1;
		s->nmembers = 0;
	}
	fz_image_zero_absent(r->states);
	find_members(r);

	for (unsigned int i = 0; i < nsub; i++) {
		const struct fz_desc *s = &r->sub[i];

		desc_ranges(r, &s->d, i, false);
		for (unsigned int k = 0; k < s->nmembers; k++)
			desc_ranges(r, &r->members[s->first_member + k], i, true);
	}
	for (unsigned int i = 0; i < nsub; i++) {
		struct fz_desc *s = &r->sub[i];
		uint64_t len = (uint64_t)s->nmembers * DSA_DESC_SIZE;

		for (unsigned int g = 0; g < r->nranges && s->nmembers != 0; g++)
			if (r->ranges[g].owner != (int16_t)i &&
			    overlap(r->ranges[g].lo, r->ranges[g].len, s->d.desc_list_addr, len))
				s->skip = true;
	}
}

void
fz_print_desc(const char *what, int idx, const struct dsa_hw_desc *d)
{
	fprintf(stderr, "  %s %d: opcode 0x%02x flags 0x%06x pasid 0x%x priv %u:", what, idx,
		d->opcode, d->flags, d->pasid, d->priv);
	for (unsigned int q = 0; q < DSA_DESC_SIZE / sizeof(uint64_t); q++)
		fprintf(stderr, " %016" PRIx64, get_q(d, q * (unsigned int)sizeof(uint64_t)));
	fprintf(stderr, "\n");
}

static const char *const policy_names[] = {
	"honest", "invalid", "failure", "silent", "lie", "mixed",
};

const char *
fz_policy_name(enum fz_policy p)
{
	return (size_t)p < sizeof(policy_names) / sizeof(policy_names[0]) ? policy_names[p] : "?";
}

void
fz_print_run(const struct fz_run *r)
{
	fprintf(stderr, "  policy %s%s, budget %u, seed %u, page states:", fz_policy_name(r->policy),
		r->unbound_pasid ? " (ENQCMD with an unbound PASID)" : "", r->budget, r->seed);
	for (unsigned int p = 0; p < FZ_ARENA_PAGES; p++)
		fprintf(stderr, " %u", r->states[p] & FZ_PG_STATE_MASK);
	fprintf(stderr, "\n  buffers:");
	for (unsigned int b = 0; b < FZ_NBUF; b++)
		fprintf(stderr, " %s 0x%" PRIx64 "+0x%" PRIx64, fz_buf_name(b), fz_buf_addr(b),
			fz_buf_len(b));
	fprintf(stderr, "\n");
	for (unsigned int i = 0; i < r->nsubmit; i++) {
		const struct fz_desc *s = &r->sub[i];

		fprintf(stderr, "  descriptor %u: wq sel %u%s%s\n", i,
			s->ctl[FZ_CTL_SUBMIT] & FZ_SUB_WQ_MASK,
			(s->ctl[FZ_CTL_SUBMIT] & FZ_SUB_ENQCMD) ? " enqcmd" : " movdir64b",
			s->skip ? " (not submitted)" : "");
		fz_print_desc("desc", (int)i, &s->d);
		for (unsigned int k = 0; k < s->nmembers; k++)
			fz_print_desc("  member", (int)k, &r->members[s->first_member + k]);
	}
}
