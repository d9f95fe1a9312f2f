/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_APP_JSON_H
#define SVART_APP_JSON_H

/* The apps' JSON reports (jansson): one writer for svart-perf and svart-faultperf. */

#include <jansson.h>

/** v rounded to 1 / scale (the reports keep the decimals they always had). */
double app_json_fixed(double v, double scale);

/**
 * Write root (built by the caller; NULL when building failed, err says why)
 * to path with app_output_write(), then release it. Errors are reported
 * naming the app, the option and the file.
 * @return 0, -ENOMEM (could not build), or the write's negative errno.
 */
int app_json_write(const char *app, const char *path, json_t *root, const json_error_t *err);

#endif /* SVART_APP_JSON_H */
