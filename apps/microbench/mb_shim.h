/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_MB_SHIM_H
#define SVART_MB_SHIM_H

/* A C face for Google Benchmark, so that svart's micro-benchmarks are C. */

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct svart_mb_state svart_mb_state;
typedef void (*svart_mb_fn)(svart_mb_state *st, void *arg);

/** Register a benchmark (before svart_mb_run). */
void svart_mb_register(const char *name, svart_mb_fn fn, void *arg);
/** The benchmark loop condition (state.KeepRunning()). */
bool svart_mb_keep_running(svart_mb_state *st);
/** Stop / restart the clock around set-up work inside the loop. */
void svart_mb_pause(svart_mb_state *st);
void svart_mb_resume(svart_mb_state *st);
/** Items / bytes processed in total, for the items/s and bytes/s columns. */
void svart_mb_set_items(svart_mb_state *st, int64_t n);
void svart_mb_set_bytes(svart_mb_state *st, int64_t n);
/** Iterations run so far (after the loop: all of them). */
int64_t svart_mb_iterations(svart_mb_state *st);
/** Parse Google Benchmark flags and run everything registered. @return 0. */
int svart_mb_run(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* SVART_MB_SHIM_H */
