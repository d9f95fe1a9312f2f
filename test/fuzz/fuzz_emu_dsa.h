/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/*
 * Fuzzer of the emulated DSA device: the input format, shared by the harness
 * (fuzz_emu_dsa.c, fuzz_decode.c, fuzz_arena.c) and the seed-corpus writer
 * (fuzz_corpus.c), and the interfaces between those files.
 *
 * An input is a 16-byte header, then 72-byte records (8 control bytes and a
 * 64-byte descriptor), then a payload:
 *
 *   header[0]  bits 0-2 page-request answer policy (enum fz_policy),
 *              bit 3 ENQCMD submits with a PASID that is not bound,
 *              bits 4-7 number of list records
 *   header[1]  bits 0-4 number of submitted records, bits 5-7 engine poll
 *              budget (1 << n descriptors per poll)
 *   header[2]  seed of the fill pattern (and of the mixed answer policy)
 *   header[3]  payload target: bits 0-1 data buffer, bits 2-7 offset / 128
 *   header[4..16)  one state byte per arena page (enum fz_page_state, low 3 bits)
 *
 * The first "list records" records are batch members: record i becomes the
 * descriptor at slot i of the descriptor-list buffer. The next "submitted"
 * records are written to a portal in order. What is left of the input after
 * the records is the payload, copied over a data buffer (delta records,
 * bytes for compares, garbage for batch lists pointed at data).
 *
 * Every address field of a descriptor is remapped by its selector byte
 * (FZ_SEL_*) from the raw 64-bit value so that it lands in an arena buffer,
 * a guard page, unmapped space, the kernel half or stays raw; sizes are
 * remapped so that a run stays short.
 */
#ifndef SVART_FUZZ_EMU_DSA_H
#define SVART_FUZZ_EMU_DSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsa_hw_defs.h"

/* ---- Arena: guarded buffers inside a PROT_NONE reservation ---- */

#define FZ_PAGE_SIZE        4096u
#define FZ_DATA_BUFS        3u
#define FZ_DATA_PAGES       3u      /**< pages per data buffer */
#define FZ_LIST_PAGES       2u      /**< descriptor-list buffer */
#define FZ_CR_PAGES         1u      /**< completion-record buffer */
#define FZ_NBUF             (FZ_DATA_BUFS + 2u)
#define FZ_BUF_LIST         FZ_DATA_BUFS
#define FZ_BUF_CR           (FZ_DATA_BUFS + 1u)
#define FZ_ARENA_PAGES      (FZ_DATA_BUFS * FZ_DATA_PAGES + FZ_LIST_PAGES + FZ_CR_PAGES)
#define FZ_ARENA_BYTES      (FZ_ARENA_PAGES * FZ_PAGE_SIZE)
#define FZ_LIST_SLOTS       (FZ_LIST_PAGES * FZ_PAGE_SIZE / DSA_DESC_SIZE)
#define FZ_NGUARDS          (FZ_NBUF + 1u)  /**< one before each buffer, one after the last */

/** State of one arena page during a run (low 3 bits of its header byte). */
enum fz_page_state {
	FZ_PG_PRESENT = 0,   /**< 0-3: read-write, filled */
	FZ_PG_UNTOUCHED = 4, /**< MADV_DONTNEED: not present, reads as zero */
	FZ_PG_ZEROPAGE = 5,  /**< MADV_DONTNEED then read: the shared zero page */
	FZ_PG_READONLY = 6,  /**< filled, PROT_READ */
	FZ_PG_NONE = 7,      /**< filled, PROT_NONE */
};
#define FZ_PG_STATE_MASK    7u

/* ---- Header ---- */

#define FZ_HDR_POLICY       0u
#define FZ_HDR_SUBMIT       1u
#define FZ_HDR_SEED         2u
#define FZ_HDR_PAYLOAD      3u
#define FZ_HDR_PAGES        4u
#define FZ_HDR_SIZE         (FZ_HDR_PAGES + FZ_ARENA_PAGES)

#define FZ_POLICY_MASK      7u
#define FZ_UNBOUND_PASID    0x08u
#define FZ_NLIST_SHIFT      4
#define FZ_NSUBMIT_MASK     0x1fu
#define FZ_BUDGET_SHIFT     5
#define FZ_PAYLOAD_BUF_MASK 3u
#define FZ_PAYLOAD_OFF_SHIFT 2
#define FZ_PAYLOAD_OFF_UNIT 128u

/** How the harness answers the device's page requests. */
enum fz_policy {
	FZ_PRI_HONEST = 0,  /**< populate the pages; Success, or Invalid if they cannot be */
	FZ_PRI_INVALID,     /**< Invalid Request */
	FZ_PRI_FAILURE,     /**< Response Failure */
	FZ_PRI_SILENT,      /**< never answer: the device times out */
	FZ_PRI_LIE,         /**< Success without populating anything (for pages of the
			     *   buffers and guard pages; Invalid elsewhere) */
	FZ_PRI_MIXED,       /**< one of the above per group, from the seed */
	FZ_PRI_HONEST2,     /**< 6, 7: honest (weighted) */
};

/* ---- Records ---- */

#define FZ_REC_CTL          8u
#define FZ_REC_SIZE         (FZ_REC_CTL + DSA_DESC_SIZE)

/* ctl[0]: submission */
#define FZ_CTL_SUBMIT       0u
#define FZ_SUB_WQ_MASK      7u      /**< 0-4 fuzzed WQs, 5 a disabled WQ, 6-7 out of range */
#define FZ_SUB_ENQCMD       0x08u   /**< ENQCMD (else MOVDIR64B) */
#define FZ_SUB_POLLS_SHIFT  4       /**< 2 bits: engine polls before this submission */
#define FZ_SUB_POLLS_MASK   3u
#define FZ_SUB_CMD_SHIFT    6       /**< 2 bits: enum fz_cmd before this submission */
/* ctl[1..5]: selectors of the qwords at these descriptor offsets */
#define FZ_CTL_SEL          1u
#define FZ_NADDR            5u
/* ctl[6]: transfer size / descriptor count */
#define FZ_CTL_SIZE         6u
#define FZ_SIZE_MODE_MASK   3u
#define FZ_SIZE_ROUND_SHIFT 2       /**< 2 bits: enum fz_round */
/* ctl[7]: op-specific size and helpers */
#define FZ_CTL_MISC         7u
#define FZ_MISC_OPSIZE_MASK 3u
#define FZ_MISC_VALID       0x04u   /**< zero reserved fields, keep only the op's flags */
#define FZ_MISC_CR          0x08u   /**< set CRAV | RCR */
#define FZ_MISC_BOF         0x10u   /**< set BOF */

enum fz_cmd { FZ_CMD_NONE = 0, FZ_CMD_NONE2, FZ_CMD_DRAIN_WQ, FZ_CMD_ABORT_WQ };
enum fz_size_mode { FZ_SZ_SMALL = 0, FZ_SZ_TINY, FZ_SZ_BIG, FZ_SZ_RAW };
enum fz_round { FZ_RND_NONE = 0, FZ_RND_8, FZ_RND_64, FZ_RND_PAGE };

/* Address selector byte */
#define FZ_SEL_KIND_MASK    7u
#define FZ_SEL_ALIGN        0x08u   /**< buffer: offset rounded to 64; hole: NULL; kernel: top */
#define FZ_SEL_IDX_SHIFT    4
enum fz_sel_kind {
	FZ_SEL_BUF = 0,     /**< 0-3: arena buffer (idx % FZ_NBUF) + raw % its size */
	FZ_SEL_GUARD = 4,   /**< guard page (idx % FZ_NGUARDS) + raw % page */
	FZ_SEL_HOLE = 5,    /**< non-canonical, or NULL + raw % 64 KiB */
	FZ_SEL_KERNEL = 6,  /**< kernel half, or just below 2^64 */
	FZ_SEL_RAW = 7,     /**< raw (a user-space value outside the reservation gets bit 63) */
};

/* Selector ctl[1 + i] remaps the qword at descriptor offset (in this order)
 * 0x08 completion record, 0x10 source / list, 0x18 destination / source 2,
 * 0x28 second destination / delta record, 0x30 CRC seed address. */

/* Fuzzed WQ configuration (the harness's device) */
#define FZ_NWQS             5u      /**< WQs 0-4 enabled: see fuzz_emu_dsa.c */
#define FZ_WQ_SHARED        2u      /**< the shared WQ (ENQCMD) */
#define FZ_WQ_PRIV          3u      /**< the privileged WQ */
#define FZ_WQ_NOPASID       4u      /**< dedicated without PASID: nothing translates */
#define FZ_WQ_DISABLED      5u      /**< a WQ of the device that is never enabled */
#define FZ_WQ_OUT_OF_RANGE  200u
#define FZ_SEL_WQ_DISABLED  FZ_NWQS         /**< ctl[0] WQ selector of FZ_WQ_DISABLED */
#define FZ_SEL_WQ_NONE      (FZ_NWQS + 1u)  /**< ctl[0] WQ selector of FZ_WQ_OUT_OF_RANGE */
#define FZ_PASID            0x51u
#define FZ_PASID_UNBOUND    0x77u
#define FZ_MAX_XFER_SHIFT   20u     /**< WQ max transfer 1 MiB */
#define FZ_MAX_BATCH_SHIFT  5u      /**< WQ max batch 32 */
#define FZ_MAX_XFER         (1u << FZ_MAX_XFER_SHIFT)
#define FZ_MAX_BATCH        (1u << FZ_MAX_BATCH_SHIFT)
#define FZ_MAX_SUBMIT       FZ_NSUBMIT_MASK

/* Unmapped space the selectors aim at: nothing may be mapped below
 * FZ_NULL_SPAN + FZ_REACH (checked at start-up); FZ_REACH is the farthest a
 * descriptor the fuzzed WQs accept reaches above an address it names (1 MiB
 * transfer, 512 KiB of delta offsets, a page-request group), with room. */
#define FZ_NULL_SPAN        0x10000ull
#define FZ_REACH            (2ull << 20)

/* ---- Harness internals ---- */

/** One descriptor as submitted and what it may write. */
struct fz_desc {
	struct dsa_hw_desc d;
	uint8_t ctl[FZ_REC_CTL];
	bool skip;              /**< not submitted (its batch list could change under it) */
	int16_t first_member;   /**< BATCH: index in fz_run.members, else -1 */
	uint16_t nmembers;
};

/** A byte range the device may write, and which descriptor names it. */
struct fz_range {
	uint64_t lo, len;
	int16_t owner;          /**< index of the submitted descriptor */
	bool member;            /**< named by a batch member of owner */
};

#define FZ_MAX_MEMBERS      (FZ_MAX_SUBMIT * FZ_MAX_BATCH)
#define FZ_MAX_RANGES       ((FZ_MAX_SUBMIT + FZ_MAX_MEMBERS) * 3u)

struct fz_run {
	uint8_t states[FZ_ARENA_PAGES];  /**< enum fz_page_state per arena page */
	enum fz_policy policy;
	bool unbound_pasid;
	unsigned int budget;
	uint8_t seed;
	unsigned int nsubmit;
	struct fz_desc sub[FZ_MAX_SUBMIT];
	struct dsa_hw_desc members[FZ_MAX_MEMBERS];
	unsigned int nmembers;
	struct fz_range ranges[FZ_MAX_RANGES];
	unsigned int nranges;
};

/* fuzz_arena.c */
int fz_arena_init(void);
/** Image (the content every buffer byte must have after the run unless written). */
uint8_t *fz_image(unsigned int buf);
uint64_t fz_buf_addr(unsigned int buf);
uint64_t fz_buf_len(unsigned int buf);
uint64_t fz_guard_addr(unsigned int guard);
/** True when [a, a + len) lies in the PROT_NONE reservation around the arena. */
bool fz_in_reservation(uint64_t a, uint64_t len);
/** True when a lies in the buffers or their guard pages. */
bool fz_in_arena(uint64_t a);
/** Image bytes at addr (len of them, all in one buffer), or NULL. */
uint8_t *fz_image_at(uint64_t addr, uint64_t len);
/** Fill the image with the pattern of seed (every byte has bit 7 set). */
void fz_image_fill(uint8_t seed);
/** Zero the image of the pages that will not be present (their content after MADV_DONTNEED). */
void fz_image_zero_absent(const uint8_t *states);
/** Copy the image to the buffers and put every page in its state.
 * @return true when it invalidated the device's ATCs (some page is restricted,
 *   or force_invalidate: the ATCs may hold translations a lie put there). */
bool fz_arena_apply(const uint8_t *states, bool force_invalidate);
/** Make every buffer page read-write again (after a run). */
void fz_arena_restore(void);
/** Populate the page at addr for a page request: 0, or -1 when it cannot be. */
int fz_arena_populate(uint64_t addr, bool write);
/** Compare the buffers with the image outside the allowed ranges; abort() on a difference. */
void fz_arena_check(const struct fz_run *r);
const char *fz_buf_name(unsigned int buf);

/* fuzz_decode.c */
/** Decode records into r->sub, list slots into the image, compute members and ranges. */
void fz_decode(struct fz_run *r, const uint8_t *data, size_t size);
/** Print a descriptor (for failure reports). */
void fz_print_desc(const char *what, int idx, const struct dsa_hw_desc *d);
/** Print the run's set-up and every descriptor as submitted, with batch members. */
void fz_print_run(const struct fz_run *r);
const char *fz_policy_name(enum fz_policy p);

/* fuzz_emu_dsa.c */
struct emu_dsa;
struct emu_dsa *fz_device(void);
/** Report a failure of the device with every descriptor of the run, then abort(). */
void fz_fail(const struct fz_run *r, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

#endif /* SVART_FUZZ_EMU_DSA_H */
