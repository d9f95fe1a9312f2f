/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* The emulated IOMMU's page-table walk (emu_iommu.c), driven directly: the
 * walk reads one pagemap entry, or prefetches a window where an access
 * streams through present memory. Whatever it reads, it must stay as strict
 * as a hardware walk: a page made present behind the ATC is found, a
 * read-faulted zero page does not take a device write, a prefetch does not
 * reach into the next mapping, and nothing absent is remembered. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emu_iommu.h"
#include "test_common.h"

#define ATC_PASID 0x17
#define ATC_PRQ 16
#define ATC_ALLOC 16
#define REGION_PAGES 8
#define HALF_PAGES 4          /* the mapping-end test: 4 RW + 4 shared read-only */
#define STREAM_PAGES 256
/* Walks a stream of STREAM_PAGES present pages may take with the prefetch:
 * the first page, the page after it (starts the stream), then one per
 * 64-page window (emu_iommu.c ATC_PREFETCH_PAGES), and slack for one more. */
#define STREAM_MAX_WALKS (2 + STREAM_PAGES / 64 + 1)

static struct emu_iommu *io;
static struct emu_atc *atc;

static int
setup(void **state)
{
	(void)state;
	io = emu_iommu_create(ATC_PRQ, ATC_ALLOC);
	if (io == NULL || emu_iommu_pasid_bind(io, ATC_PASID) != 0)
		return -1;
	atc = emu_atc_create(io);
	return atc == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	emu_atc_destroy(atc);
	emu_iommu_destroy(io);
	return 0;
}

static uint8_t *
fresh(size_t pages)
{
	void *m = mmap(NULL, pages * EMU_PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(m != MAP_FAILED);
	return m;
}

/* Whether a device access to page i of m translates now. */
static bool
dev_ok(uint8_t *m, size_t i, bool write)
{
	return emu_atc_prefix(atc, ATC_PASID, (uint64_t)(uintptr_t)(m + i * EMU_PAGE_SIZE),
			      EMU_PAGE_SIZE, write) == EMU_PAGE_SIZE;
}

static uint64_t
walks(void)
{
	struct emu_pri_counters c;

	emu_pri_counters_get(io, &c);
	return c.atc_misses;
}

static void
cpu_read(const uint8_t *p)
{
	(void)*(const volatile uint8_t *)p;
}

/* Pages absent at a walk (the first access's and those a prefetch read) are
 * found once the CPU has made them present: nothing absent is cached. */
static void
test_page_made_present_is_found(void **state)
{
	uint8_t *m = fresh(REGION_PAGES);

	(void)state;
	for (size_t i = 0; i < HALF_PAGES; i++)
		m[i * EMU_PAGE_SIZE] = 1;
	assert_false(dev_ok(m, 5, true));       /* a one-entry walk: absent */
	for (size_t i = 0; i < HALF_PAGES; i++) /* page 1 starts the stream: prefetch */
		assert_true(dev_ok(m, i, true));
	assert_false(dev_ok(m, 4, true));       /* read by the prefetch: absent then */
	m[4 * EMU_PAGE_SIZE] = 1;
	m[5 * EMU_PAGE_SIZE] = 1;
	m[6 * EMU_PAGE_SIZE] = 1;
	assert_true(dev_ok(m, 4, true));
	assert_true(dev_ok(m, 5, true));
	assert_true(dev_ok(m, 6, true));
	assert_false(dev_ok(m, 7, false));      /* still never touched */
	munmap(m, REGION_PAGES * EMU_PAGE_SIZE);
	emu_iommu_invalidate(io);
	emu_atc_sync(atc);
}

/* A page the CPU only read maps the shared zero page: present and readable,
 * not writable without a fault, also when a prefetch reads it. */
static void
test_zero_page_in_prefetch_not_writable(void **state)
{
	uint8_t *m = fresh(REGION_PAGES);

	(void)state;
	for (size_t i = 0; i < REGION_PAGES; i++) {
		if (i == 2)
			cpu_read(m + i * EMU_PAGE_SIZE);
		else
			m[i * EMU_PAGE_SIZE] = 1;
	}
	assert_true(dev_ok(m, 0, true));
	assert_true(dev_ok(m, 1, true));        /* the stream: reads pages 1..7 */
	assert_true(dev_ok(m, 2, false));
	assert_false(dev_ok(m, 2, true));
	assert_true(dev_ok(m, 3, true));
	/* The same when the zero page is the first page a walk reads. */
	emu_atc_flush(atc);
	assert_false(dev_ok(m, 2, true));
	assert_true(dev_ok(m, 2, false));
	munmap(m, REGION_PAGES * EMU_PAGE_SIZE);
	emu_iommu_invalidate(io);
	emu_atc_sync(atc);
}

/* A prefetch reads the mapping of the page asked only: the next one (here a
 * read-only shared mapping, whose present pages a write walk of a writable
 * mapping would grant) keeps its own permission. */
static void
test_prefetch_stops_at_mapping_end(void **state)
{
	size_t half = HALF_PAGES * EMU_PAGE_SIZE;
	uint8_t *m = mmap(NULL, 2 * half, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = memfd_create("emu_atc_ro", MFD_CLOEXEC);

	(void)state;
	assert_true(m != MAP_FAILED);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)half), 0);
	assert_true(mmap(m, half, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			 -1, 0) == m);
	assert_true(mmap(m + half, half, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) == m + half);
	for (size_t i = 0; i < HALF_PAGES; i++) {
		m[i * EMU_PAGE_SIZE] = 1;
		cpu_read(m + half + i * EMU_PAGE_SIZE);
	}
	assert_true(dev_ok(m, 0, true));
	assert_true(dev_ok(m, 1, true));        /* the stream: prefetch up to the end */
	assert_false(dev_ok(m, HALF_PAGES, true));
	assert_true(dev_ok(m, HALF_PAGES, false));
	munmap(m, 2 * half);
	close(fd);
	emu_iommu_invalidate(io);
	emu_atc_sync(atc);
}

/* The prefetch still pays where it should: a stream through present memory
 * walks once per window, not once per page. */
static void
test_stream_prefetches(void **state)
{
	uint8_t *m = fresh(STREAM_PAGES);
	uint64_t before;

	(void)state;
	memset(m, 1, STREAM_PAGES * EMU_PAGE_SIZE);
	before = walks();
	for (size_t i = 0; i < STREAM_PAGES; i++)
		assert_true(dev_ok(m, i, false));
	assert_in_range(walks() - before, 1, STREAM_MAX_WALKS);
	munmap(m, STREAM_PAGES * EMU_PAGE_SIZE);
	emu_iommu_invalidate(io);
	emu_atc_sync(atc);
}

/* Two streams walked in turn (an op's source and destination, each longer
 * than a prefetch window) each keep their prefetch. */
static void
test_two_streams_prefetch(void **state)
{
	uint8_t *src = fresh(STREAM_PAGES), *dst = fresh(STREAM_PAGES);
	uint64_t before;

	(void)state;
	memset(src, 1, STREAM_PAGES * EMU_PAGE_SIZE);
	memset(dst, 1, STREAM_PAGES * EMU_PAGE_SIZE);
	before = walks();
	for (size_t i = 0; i < STREAM_PAGES; i++) {
		assert_true(dev_ok(src, i, false));
		assert_true(dev_ok(dst, i, true));
	}
	assert_in_range(walks() - before, 2, 2 * STREAM_MAX_WALKS);
	munmap(src, STREAM_PAGES * EMU_PAGE_SIZE);
	munmap(dst, STREAM_PAGES * EMU_PAGE_SIZE);
	emu_iommu_invalidate(io);
	emu_atc_sync(atc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_made_present_is_found),
		cmocka_unit_test(test_zero_page_in_prefetch_not_writable),
		cmocka_unit_test(test_prefetch_stops_at_mapping_end),
		cmocka_unit_test(test_stream_prefetches),
		cmocka_unit_test(test_two_streams_prefetch),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
