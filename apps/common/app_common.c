/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>

#include "app_common.h"
#include "svart_accel.h"

#define APP_MAX_EAL_ARGS 32

int
app_eal_init(int argc, char **argv)
{
	char *eal_argv[APP_MAX_EAL_ARGS];
	char lcores[32];
	int sep = -1, n = 0, rc;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
	/* Explicit EAL arguments replace the defaults. */
	if (sep > 1) {
		rc = rte_eal_init(sep, argv);
		return rc < 0 ? rc : sep;
	}
	snprintf(lcores, sizeof(lcores), "0-%ld", ncpu >= 2 ? 1L : 0L);
	eal_argv[n++] = argv[0];
	eal_argv[n++] = (char *)"-l";
	eal_argv[n++] = lcores;
	eal_argv[n++] = (char *)"--no-huge";
	eal_argv[n++] = (char *)"-m";
	eal_argv[n++] = (char *)"512";
	eal_argv[n++] = (char *)"--no-shconf";
	eal_argv[n++] = (char *)"--no-pci";
	eal_argv[n++] = (char *)"--log-level=lib.eal:error";
	eal_argv[n++] = (char *)"--log-level=lib.telemetry:error";
	eal_argv[n] = NULL;
	rc = rte_eal_init(n, eal_argv);
	return rc < 0 ? rc : (sep == 1 ? 1 : 0);
}

uint64_t
app_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int
app_op_parse(const char *name)
{
	for (int op = 0; op < SVART_ACCEL_OP_MAX; op++)
		if (strcmp(name, svart_accel_op_name(op)) == 0)
			return op;
	return -1;
}

int
app_size_parse(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (end == s || s[0] == '-')
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'B')
		end++;
	if (*end == 'B')
		end++;
	if (*end != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}
