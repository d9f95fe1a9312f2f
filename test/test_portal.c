/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Portal store primitives: the portable fallback always; MOVDIR64B when the
 * CPU has it (skipped otherwise, with the reason). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dsa_hw_defs.h"
#include "idxd_portal.h"
#include "svart_topo.h"
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

/* The placement uses real CPUs, keeps the application off the device's
 * engine when there are two cores, and describes the machine. */
static void
test_topology_placement(void **state)
{
	struct svart_topo_placement p;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	FILE *f = tmpfile();
	char line[256];

	(void)state;
	assert_int_equal(svart_topo_placement(0, &p), 0);
	assert_true(p.cores >= 1);
	assert_in_range(p.app_cpu, 0, cpus - 1);
	assert_in_range(p.engine_cpu, 0, cpus - 1);
	assert_in_range(p.fault_cpu, 0, cpus - 1);
	if (p.cores >= 2)
		assert_int_not_equal(p.app_cpu, p.engine_cpu);
	assert_int_equal(svart_topo_placement(-1, &p), 0);   /* unknown node: any core */
	assert_non_null(f);
	assert_int_equal(svart_topo_describe(f), 0);
	rewind(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "NUMA node"));
	fclose(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fallback_store),
		cmocka_unit_test(test_movdir64b),
		cmocka_unit_test(test_topology_placement),
	};

	return cmocka_run_group_tests_name("portal", tests, NULL, NULL);
}
