/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>

#include "app_common.h"
#include "app_json.h"

double
app_json_fixed(double v, double scale)
{
	return round(v * scale) / scale;
}

static int
dump_json(FILE *f, const void *root)
{
	/* DBL_DIG digits: the rounded figures print as they were rounded. */
	errno = 0;
	if (json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(DBL_DIG)) != 0 ||
	    fputc('\n', f) == EOF)
		return errno != 0 ? -errno : -EIO;
	return 0;
}

int
app_json_write(const char *app, const char *path, json_t *root, const json_error_t *err)
{
	int rc;

	if (root == NULL) {
		fprintf(stderr, "%s: --json '%s': cannot build the report: %s\n", app, path, err->text);
		return -ENOMEM;
	}
	rc = app_output_write("json", path, dump_json, root);
	json_decref(root);
	return rc;
}
