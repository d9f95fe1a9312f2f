/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/*
 * Seed corpus of the emulated-device fuzzer (fuzz_emu_dsa --write-corpus DIR):
 * one small input per opcode, batches with members, faults with and without
 * block-on-fault under each page-response policy, bad addresses, bad
 * descriptors and WQ misuse. test/fuzz/corpus/ holds its output.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_emu_dsa.h"

int fz_write_corpus(const char *dir);

#define MAX_LIST     15u
#define MAX_PAYLOAD  256u
#define BUDGET_SHIFT 3u             /* 8 descriptors per engine poll */
#define PG           FZ_PAGE_SIZE
/* Arena page indices: data0 0-2, data1 3-5, data2 6-8, list 9-10, cr 11. */
#define PAGE(buf, i) ((buf) * FZ_DATA_PAGES + (i))

enum { Q_CR, Q_SRC, Q_DST, Q_OP1, Q_OP2 };
static const uint8_t q_off[FZ_NADDR] = { 0x08, 0x10, 0x18, 0x28, 0x30 };

#define SEL_BUF(b)   ((uint8_t)(FZ_SEL_BUF | ((b) << FZ_SEL_IDX_SHIFT)))
#define SEL_GUARD(g) ((uint8_t)(FZ_SEL_GUARD | ((g) << FZ_SEL_IDX_SHIFT)))
#define SEL_NULL     ((uint8_t)(FZ_SEL_HOLE | FZ_SEL_ALIGN))
#define SEL_NONCANON ((uint8_t)FZ_SEL_HOLE)
#define SEL_KERNEL   ((uint8_t)FZ_SEL_KERNEL)
#define SEL_TOP      ((uint8_t)(FZ_SEL_KERNEL | FZ_SEL_ALIGN))
#define SEL_RAW      ((uint8_t)FZ_SEL_RAW)

struct rec {
	uint8_t ctl[FZ_REC_CTL];
	struct dsa_hw_desc d;
} __attribute__((packed));
static_assert(sizeof(struct rec) == FZ_REC_SIZE, "record layout");

struct seed {
	uint8_t hdr[FZ_HDR_SIZE];
	struct rec list[MAX_LIST];
	unsigned int nlist;
	struct rec sub[FZ_MAX_SUBMIT];
	unsigned int nsub;
	uint8_t payload[MAX_PAYLOAD];
	size_t plen;
};

static void
at(struct rec *r, unsigned int q, uint8_t sel, uint64_t raw)
{
	r->ctl[FZ_CTL_SEL + q] = sel;
	memcpy((uint8_t *)&r->d + q_off[q], &raw, sizeof(raw));
}

static struct rec *
rec_init(struct rec *r, unsigned int slot, uint8_t submit, uint8_t opcode)
{
	memset(r, 0, sizeof(*r));
	r->ctl[FZ_CTL_SUBMIT] = submit;
	for (unsigned int q = 0; q < FZ_NADDR; q++)
		r->ctl[FZ_CTL_SEL + q] = SEL_RAW;
	r->ctl[FZ_CTL_SIZE] = FZ_SZ_RAW;
	r->ctl[FZ_CTL_MISC] = FZ_MISC_VALID | FZ_MISC_CR | FZ_MISC_OPSIZE_MASK;
	r->d.opcode = opcode;
	/* Its own record in the completion-record buffer. */
	at(r, Q_CR, SEL_BUF(FZ_BUF_CR), (uint64_t)slot * DSA_COMP_SIZE);
	return r;
}

/* A descriptor written to WQ wq (ctl[0] value: WQ and portal bits). */
static struct rec *
op(struct seed *s, uint8_t submit, uint8_t opcode)
{
	unsigned int i = s->nsub++;

	return rec_init(&s->sub[i], MAX_LIST + i, submit, opcode);
}

/* A batch member at the next slot of the list buffer. */
static struct rec *
member(struct seed *s, uint8_t opcode)
{
	unsigned int i = s->nlist++;

	return rec_init(&s->list[i], i, 0, opcode);
}

static void
buf(struct rec *r, unsigned int q, unsigned int b, uint64_t off)
{
	at(r, q, SEL_BUF(b), off);
}

static struct rec *
copy(struct seed *s, uint8_t submit, unsigned int sb, uint64_t so, unsigned int db, uint64_t dof,
     uint32_t len)
{
	struct rec *r = op(s, submit, DSA_OPCODE_MEMMOVE);

	buf(r, Q_SRC, sb, so);
	buf(r, Q_DST, db, dof);
	r->d.xfer_size = len;
	return r;
}

static struct rec *
batch(struct seed *s, uint8_t submit, uint64_t list_off, uint32_t count)
{
	struct rec *r = op(s, submit, DSA_OPCODE_BATCH);

	buf(r, Q_SRC, FZ_BUF_LIST, list_off);
	r->d.desc_count = count;
	return r;
}

static void
policy(struct seed *s, enum fz_policy p)
{
	s->hdr[FZ_HDR_POLICY] = (uint8_t)((s->hdr[FZ_HDR_POLICY] & ~FZ_POLICY_MASK) | p);
}

static void
state(struct seed *s, unsigned int page, enum fz_page_state st)
{
	s->hdr[FZ_HDR_PAGES + page] = (uint8_t)st;
}

static void
payload(struct seed *s, unsigned int b, unsigned int off_units, const void *p, size_t n)
{
	s->hdr[FZ_HDR_PAYLOAD] = (uint8_t)(b | off_units << FZ_PAYLOAD_OFF_SHIFT);
	memcpy(s->payload, p, n);
	s->plen = n;
}

#define WQ_DED       0u
#define WQ_NOBOF     1u
#define WQ_SWQ       (FZ_WQ_SHARED | FZ_SUB_ENQCMD)
#define WQ_PRIV      FZ_WQ_PRIV

static void
seed_ops(struct seed *s, unsigned int v)
{
	struct rec *r;

	switch (v) {
	case 0:
		op(s, WQ_DED, DSA_OPCODE_NOOP);
		copy(s, WQ_DED, 0, 0, 1, 0, PG);
		copy(s, WQ_NOBOF, 0, 0, 0, 100, 5000); /* overlapping: descending copy */
		break;
	case 1:
		r = op(s, WQ_PRIV, DSA_OPCODE_MEMFILL);
		buf(r, Q_DST, 2, 8);
		r->d.pattern = 0x1122334455667788ull;
		r->d.xfer_size = 3 * PG - 8;
		r = op(s, WQ_DED, DSA_OPCODE_CFLUSH);
		buf(r, Q_DST, 1, 0);
		r->d.xfer_size = 2 * PG;
		break;
	case 2: {
		static const uint8_t diff[] = { 1, 2, 3, 4, 5, 6, 7, 8 };

		payload(s, 0, 1, diff, sizeof(diff));
		r = op(s, WQ_DED, DSA_OPCODE_COMPARE);
		buf(r, Q_SRC, 0, 0);
		buf(r, Q_DST, 1, 0);
		r->d.xfer_size = 1024;
		r = op(s, WQ_SWQ, DSA_OPCODE_COMPVAL);
		r->d.flags = IDXD_OP_FLAG_CR;
		buf(r, Q_SRC, 2, 0);
		r->d.comp_pattern = 0;
		r->d.expected_res = 1;
		r->d.xfer_size = 64;
		break;
	}
	case 3: {
		static const uint8_t diff[] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };

		/* A difference at word 16: CR_DELTA records it, AP_DELTA applies it. */
		payload(s, 0, 1, diff, sizeof(diff));
		r = op(s, WQ_DED, DSA_OPCODE_CR_DELTA);
		buf(r, Q_SRC, 0, 0);
		buf(r, Q_DST, 1, 0);
		buf(r, Q_OP1, 2, 0);
		r->d.xfer_size = 2048;
		r->d.max_delta_size = 10 * DSA_DELTA_ENTRY_SIZE;
		r = op(s, WQ_DED, DSA_OPCODE_AP_DELTA);
		buf(r, Q_SRC, 2, 0);
		buf(r, Q_DST, 1, 0);
		r->d.xfer_size = 2048;
		r->d.delta_rec_size = DSA_DELTA_ENTRY_SIZE;
		break;
	}
	case 4: {
		/* A delta record in the payload: words 1 and 5. */
		static const uint8_t rec[] = { 1, 0, 1, 2, 3, 4, 5, 6, 7, 8,
					       5, 0, 8, 7, 6, 5, 4, 3, 2, 1 };

		payload(s, 2, 0, rec, sizeof(rec));
		r = op(s, WQ_NOBOF, DSA_OPCODE_AP_DELTA);
		buf(r, Q_SRC, 2, 0);
		buf(r, Q_DST, 0, 64);
		r->d.xfer_size = 64;
		r->d.delta_rec_size = sizeof(rec);
		break;
	}
	case 5:
		r = op(s, WQ_DED, DSA_OPCODE_DUALCAST);
		buf(r, Q_SRC, 0, 0);
		buf(r, Q_DST, 1, 0x100);
		buf(r, Q_OP1, 2, 0x100);
		r->d.xfer_size = 2048;
		break;
	case 6:
		r = op(s, WQ_DED, DSA_OPCODE_CRCGEN);
		buf(r, Q_SRC, 0, 0);
		r->d.crc_seed = 0x1234;
		r->d.xfer_size = 3000;
		r = op(s, WQ_PRIV, DSA_OPCODE_COPY_CRC);
		r->d.flags = DSA_FLAG_CRC_READ_SEED;
		buf(r, Q_SRC, 1, 5);
		buf(r, Q_DST, 2, 7);
		buf(r, Q_OP2, 0, 0x10);
		r->d.xfer_size = 4000;
		break;
	default:
		copy(s, WQ_DED, 0, 0, 1, 0, 512);
		copy(s, WQ_DED, 0, 512, 1, 512, 512);
		op(s, WQ_DED, DSA_OPCODE_DRAIN);
		break;
	}
}

static void
seed_batch(struct seed *s, unsigned int v)
{
	struct rec *r;

	r = member(s, DSA_OPCODE_MEMMOVE);
	buf(r, Q_SRC, 0, 0);
	buf(r, Q_DST, 1, 0);
	r->d.xfer_size = 256;
	r = member(s, DSA_OPCODE_MEMFILL);
	buf(r, Q_DST, 2, 0);
	r->d.xfer_size = 2 * PG;
	r = member(s, DSA_OPCODE_COMPARE);
	buf(r, Q_SRC, 0, 0);
	buf(r, Q_DST, 2, 0);
	r->d.xfer_size = 128;
	r = member(s, DSA_OPCODE_NOOP);
	if (v == 0) {
		batch(s, WQ_DED, 0, 4);
	} else if (v == 1) {
		/* Members fault on never-touched pages under block-on-fault, via the shared WQ. */
		for (unsigned int k = 0; k < 2; k++)
			s->list[k].ctl[FZ_CTL_MISC] |= FZ_MISC_BOF;
		state(s, PAGE(1, 0), FZ_PG_UNTOUCHED);
		state(s, PAGE(2, 1), FZ_PG_UNTOUCHED);
		batch(s, WQ_SWQ, 0, 4);
	} else {
		/* Errors: count 1, 33, a misaligned list, a list in a guard page, a list
		 * of pattern bytes, a batch member in a batch, a fenced member. */
		batch(s, WQ_DED, 0, 1);
		batch(s, WQ_DED, 0, FZ_MAX_BATCH + 1);
		batch(s, WQ_NOBOF, 8, 2);
		r = batch(s, WQ_DED, 0, 2);
		at(r, Q_SRC, SEL_GUARD(FZ_BUF_LIST), 0);
		r = batch(s, WQ_PRIV, 0, 3);
		buf(r, Q_SRC, 0, 0);
		s->list[3].d.opcode = DSA_OPCODE_BATCH;
		r = member(s, DSA_OPCODE_MEMMOVE);
		*r = s->list[0];
		r->d.flags |= IDXD_OP_FLAG_FENCE;
		at(r, Q_CR, SEL_BUF(FZ_BUF_CR), 4 * DSA_COMP_SIZE);
		batch(s, WQ_DED, 0, 5);
	}
}

static void
seed_faults(struct seed *s, unsigned int v)
{
	static const enum fz_policy pol[] = { FZ_PRI_HONEST, FZ_PRI_INVALID, FZ_PRI_SILENT,
					      FZ_PRI_LIE, FZ_PRI_FAILURE, FZ_PRI_MIXED };
	struct rec *r;

	policy(s, pol[v % 6]);
	/* Destination: one page never touched, one read-only, one the zero page. */
	state(s, PAGE(1, 0), FZ_PG_UNTOUCHED);
	state(s, PAGE(1, 1), v % 2 ? FZ_PG_READONLY : FZ_PG_ZEROPAGE);
	state(s, PAGE(1, 2), v == 3 ? FZ_PG_NONE : FZ_PG_UNTOUCHED);
	state(s, PAGE(0, 2), FZ_PG_ZEROPAGE);
	r = copy(s, WQ_DED, 0, 0, 1, 0, 3 * PG);
	r->ctl[FZ_CTL_MISC] |= FZ_MISC_BOF;
	r = op(s, WQ_PRIV, DSA_OPCODE_MEMFILL);
	r->ctl[FZ_CTL_MISC] |= FZ_MISC_BOF;
	buf(r, Q_DST, 1, 100);
	r->d.xfer_size = 2 * PG;
	/* The same without block-on-fault: partial completions. */
	copy(s, WQ_NOBOF, 0, 0, 1, 0, 3 * PG);
	if (v >= 4) {
		r = op(s, WQ_SWQ, DSA_OPCODE_CRCGEN);
		r->ctl[FZ_CTL_MISC] |= FZ_MISC_BOF;
		r->ctl[FZ_CTL_SUBMIT] |= 2u << FZ_SUB_POLLS_SHIFT;
		buf(r, Q_SRC, 1, 0);
		r->d.xfer_size = 3 * PG;
	}
}

static void
seed_bad(struct seed *s, unsigned int v)
{
	struct rec *r;

	switch (v) {
	case 0: /* addresses */
		r = copy(s, WQ_DED, 0, 0, 0, 0, 64);
		at(r, Q_DST, SEL_KERNEL, 0x1000);
		r = copy(s, WQ_DED, 0, 0, 1, 0, 64);
		at(r, Q_SRC, SEL_NULL, 0x10);
		r = op(s, WQ_DED, DSA_OPCODE_NOOP);
		at(r, Q_CR, SEL_NONCANON, 0x40);
		r = op(s, WQ_DED, DSA_OPCODE_NOOP);
		buf(r, Q_CR, FZ_BUF_CR, 8); /* misaligned record */
		r = copy(s, WQ_NOBOF, 0, 0, 0, 0, 8192);
		at(r, Q_DST, SEL_GUARD(1), 0xf00);
		r = copy(s, WQ_DED, 0, 0, 1, 0, 0x7fffffff); /* above the WQ's maximum */
		r = copy(s, WQ_DED, 0, 0, 1, 0, 64);
		at(r, Q_DST, SEL_TOP, 0x20);
		break;
	case 1: /* descriptors */
		op(s, WQ_DED, 0x30);
		op(s, WQ_DED, DSA_OPCODE_DIF_CHECK);
		op(s, WQ_DED, DSA_OPCODE_TRANSL_FETCH);
		r = copy(s, WQ_DED, 0, 0, 1, 0, 64);
		r->ctl[FZ_CTL_MISC] &= (uint8_t)~FZ_MISC_VALID;
		r->d.flags = 0xffffff;
		r = copy(s, WQ_DED, 0, 0, 1, 0, 64);
		r->ctl[FZ_CTL_MISC] &= (uint8_t)~FZ_MISC_VALID;
		r->d.op_specific[5] = 1;
		r = op(s, WQ_DED, DSA_OPCODE_NOOP);
		r->ctl[FZ_CTL_MISC] &= (uint8_t)~FZ_MISC_VALID;
		r->d.priv = 1;
		r->d.flags = IDXD_OP_FLAG_RCI;
		break;
	default: /* WQs */
		s->hdr[FZ_HDR_POLICY] |= FZ_UNBOUND_PASID;
		op(s, FZ_SEL_WQ_DISABLED, DSA_OPCODE_NOOP);      /* disabled WQ */
		op(s, FZ_SEL_WQ_NONE, DSA_OPCODE_NOOP);          /* no such WQ */
		copy(s, FZ_WQ_NOPASID, 0, 0, 1, 0, 64);          /* no PASID: nothing translates */
		op(s, FZ_WQ_SHARED, DSA_OPCODE_NOOP);            /* MOVDIR64B to a shared WQ */
		op(s, WQ_DED | FZ_SUB_ENQCMD, DSA_OPCODE_NOOP);  /* ENQCMD to a dedicated WQ */
		op(s, WQ_SWQ, DSA_OPCODE_NOOP);                  /* unbound PASID */
		copy(s, WQ_DED, 0, 0, 1, 0, 4096);
		op(s, WQ_DED | FZ_CMD_ABORT_WQ << FZ_SUB_CMD_SHIFT, DSA_OPCODE_NOOP);
		break;
	}
}

static void
seed_mix(struct seed *s, unsigned int v)
{
	struct rec *r;

	if (v == 0) {
		/* A copy into the list buffer before a batch reads it. */
		member(s, DSA_OPCODE_NOOP);
		member(s, DSA_OPCODE_NOOP);
		copy(s, WQ_DED, 0, 0, FZ_BUF_LIST, 0, 128);
		batch(s, WQ_DED, 0, 2);
		return;
	}
	/* Two block-on-fault streams on both engines, interleaved with a drain. */
	policy(s, v == 1 ? FZ_PRI_HONEST : FZ_PRI_MIXED);
	for (unsigned int p = 0; p < FZ_DATA_PAGES; p++) {
		state(s, PAGE(1, p), FZ_PG_UNTOUCHED);
		state(s, PAGE(2, p), p == 1 ? FZ_PG_NONE : FZ_PG_UNTOUCHED);
	}
	r = copy(s, WQ_DED, 0, 0, 1, 0, 3 * PG);
	r->ctl[FZ_CTL_MISC] |= FZ_MISC_BOF;
	r = copy(s, WQ_PRIV | 1u << FZ_SUB_POLLS_SHIFT, 0, 0, 2, 0, 3 * PG);
	r->ctl[FZ_CTL_MISC] |= FZ_MISC_BOF;
	r = op(s, WQ_DED | FZ_CMD_DRAIN_WQ << FZ_SUB_CMD_SHIFT, DSA_OPCODE_DUALCAST);
	r->ctl[FZ_CTL_MISC] |= FZ_MISC_BOF;
	buf(r, Q_SRC, 0, 0);
	buf(r, Q_DST, 1, 0);
	buf(r, Q_OP1, 2, 0);
	r->d.xfer_size = PG;
}

static const struct {
	const char *name;
	void (*fn)(struct seed *s, unsigned int v);
	unsigned int variants;
} seeds[] = {
	{ "ops", seed_ops, 8 },
	{ "batch", seed_batch, 3 },
	{ "fault", seed_faults, 6 },
	{ "bad", seed_bad, 3 },
	{ "mix", seed_mix, 3 },
};

static int
write_seed(const char *dir, const char *name, unsigned int v, const struct seed *s)
{
	char path[512];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s-%u.bin", dir, name, v);
	f = fopen(path, "wb");
	if (f == NULL) {
		fprintf(stderr, "fuzz_emu_dsa: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = fwrite(s->hdr, FZ_HDR_SIZE, 1, f) == 1 &&
	     (s->nlist == 0 || fwrite(s->list, FZ_REC_SIZE, s->nlist, f) == s->nlist) &&
	     (s->nsub == 0 || fwrite(s->sub, FZ_REC_SIZE, s->nsub, f) == s->nsub) &&
	     (s->plen == 0 || fwrite(s->payload, s->plen, 1, f) == 1);
	return fclose(f) == 0 && ok ? 0 : -1;
}

int
fz_write_corpus(const char *dir)
{
	unsigned int n = 0;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "fuzz_emu_dsa: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		for (unsigned int v = 0; v < seeds[i].variants; v++) {
			struct seed s;

			memset(&s, 0, sizeof(s));
			s.hdr[FZ_HDR_SEED] = (uint8_t)(n + 1);
			seeds[i].fn(&s, v);
			s.hdr[FZ_HDR_POLICY] |= (uint8_t)(s.nlist << FZ_NLIST_SHIFT);
			s.hdr[FZ_HDR_SUBMIT] = (uint8_t)(s.nsub | BUDGET_SHIFT << FZ_BUDGET_SHIFT);
			if (write_seed(dir, seeds[i].name, v, &s) != 0)
				return -1;
			n++;
		}
	}
	printf("fuzz_emu_dsa: %u seed inputs written to %s\n", n, dir);
	return 0;
}
