/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Plug-in loader: load by path and by directory, ABI mismatch, missing file,
 * a shared object that is no PMD, and the loaded driver working end to end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>

#include "test_common.h"

static char dir[1024];

static void
path_of(char *out, size_t n, const char *file)
{
	snprintf(out, n, "%s/%s", dir, file);
}

static void
test_missing_file(void **state)
{
	char p[1200];

	(void)state;
	path_of(p, sizeof(p), "does_not_exist.so");
	assert_int_equal(svart_accel_plugin_load(p), -ENOENT);
	assert_int_equal(svart_accel_plugin_load(NULL), -EINVAL);
	assert_int_equal(svart_accel_plugin_load(""), -EINVAL);
	assert_int_equal(svart_accel_plugin_load_dir("/nonexistent/dir"), -ENOENT);
	assert_int_equal(svart_accel_plugin_load_dir(NULL), -EINVAL);
}

static void
test_abi_mismatch(void **state)
{
	char p[1200];

	(void)state;
	path_of(p, sizeof(p), "svart_pmd_badabi.so");
	assert_int_equal(svart_accel_plugin_load(p), -EPROTO);
	/* The refused driver is not usable. */
	assert_int_equal(svart_accel_probe("badabi0"), -ENODEV);
}

static void
test_not_a_plugin(void **state)
{
	char p[1200];
	FILE *f;

	(void)state;
	path_of(p, sizeof(p), "not_a_pmd.so");
	assert_int_equal(svart_accel_plugin_load(p), -ENOEXEC);
	/* A file that is not a shared object at all. */
	snprintf(p, sizeof(p), "%s/garbage.txt", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("not an ELF file\n", f);
	fclose(f);
	assert_int_equal(svart_accel_plugin_load(p), -ENOEXEC);
	remove(p);
}

static void
test_load_and_use(void **state)
{
	struct svart_accel_result r;
	struct svart_accel_info info;
	uint8_t src[100], dst[100];
	char p[1200];
	int16_t dev;

	(void)state;
	assert_int_equal(svart_accel_probe("testcpu0"), -ENODEV);
	path_of(p, sizeof(p), "svart_pmd_testcpu.so");
	assert_int_equal(svart_accel_plugin_load(p), 1);
	/* Loading it twice is refused: it is already loaded. */
	assert_int_equal(svart_accel_plugin_load(p), -EEXIST);
	dev = test_dev_start("testcpu0", 1, SVART_ACCEL_QUEUE_DEDICATED, 64);
	assert_int_equal(svart_accel_info_get(dev, &info), 0);
	assert_string_equal(info.driver_name, "testcpu");
	memset(src, 9, sizeof(src));
	assert_true(svart_accel_copy(dev, 0, src, dst, sizeof(src), SVART_ACCEL_OP_SUBMIT) >= 0);
	assert_int_equal(test_reap(dev, 0, 1, &r, false), 1);
	assert_int_equal(r.status, SVART_ACCEL_ST_SUCCESS);
	assert_memory_equal(src, dst, sizeof(src));
	/* The plug-in does not implement CRC: the generic layer says so. */
	assert_int_equal(svart_accel_crc32c(dev, 0, src, 10, 0, 0), -ENOTSUP);
	test_dev_close(dev);
}

static void
test_load_dir(void **state)
{
	(void)state;
	/* The directory holds a good plug-in (already registered: -EEXIST), a bad-ABI
	 * one and a non-PMD: every file is tried and the first error is returned. */
	assert_int_equal(svart_accel_plugin_load_dir(dir), -ENOEXEC);
}

/* Run with SVART_PLUGIN_PATH naming the good plug-in: the first probe loads it. */
static void
test_env_path(void **state)
{
	int16_t dev;

	(void)state;
	dev = test_dev_start("testcpu_env0", 1, SVART_ACCEL_QUEUE_DEDICATED, 32);
	test_dev_close(dev);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest env_tests[] = {
		cmocka_unit_test(test_env_path),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_abi_mismatch),
		cmocka_unit_test(test_not_a_plugin),
		cmocka_unit_test(test_load_and_use),
		cmocka_unit_test(test_load_dir),
	};
	const char *d = getenv("SVART_TEST_PLUGIN_DIR");
	int rc;

	if (d == NULL) {
		printf("SVART_TEST_PLUGIN_DIR not set: run through meson test\n");
		return 77;
	}
	snprintf(dir, sizeof(dir), "%s", d);
	if (test_eal_init(argv[0], "0") < 0)
		return 1;
	if (argc > 1 && strcmp(argv[1], "--env") == 0)
		rc = cmocka_run_group_tests_name("plugin_env", env_tests, NULL, NULL);
	else
		rc = cmocka_run_group_tests_name("plugin", tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
