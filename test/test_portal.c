/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Portal store primitives: the portable fallback always; MOVDIR64B when the
 * CPU has it (skipped otherwise, with the reason). */
#include <stdio.h>
#include <string.h>

#include "dsa_hw_defs.h"
#include "idxd_portal.h"
#include "test_common.h"

static void
fill_desc(struct dsa_hw_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->pasid = 0x12345;
	d->opcode = DSA_OPCODE_MEMMOVE;
	d->flags = IDXD_OP_FLAG_CRAV;
	d->xfer_size = 4096;
	d->src_addr = 0x1000;
	d->dst_addr = 0x2000;
}

static void
test_fallback_store(void **state)
{
	struct dsa_hw_desc d, out __attribute__((aligned(64)));
	const char *missing = NULL;

	(void)state;
	fill_desc(&d);
	idxd_store64_fallback(&out, &d);
	assert_memory_equal(&out, &d, sizeof(d));
	/* The hardware check names what is missing, or passes. */
	if (idxd_portal_cpu_check(false, &missing) != 0)
		assert_non_null(missing);
}

static void
test_movdir64b(void **state)
{
	struct dsa_hw_desc d, out __attribute__((aligned(64)));

	(void)state;
	if (!idxd_cpu_has_movdir64b()) {
		print_message("skipped: this CPU has no MOVDIR64B\n");
		skip();
	}
	fill_desc(&d);
	memset(&out, 0, sizeof(out));
	idxd_movdir64b(&out, &d);
	assert_memory_equal(&out, &d, sizeof(d));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fallback_store),
		cmocka_unit_test(test_movdir64b),
	};

	return cmocka_run_group_tests_name("portal", tests, NULL, NULL);
}
