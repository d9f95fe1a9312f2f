/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_APP_COMMON_H
#define SVART_APP_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "app_opts.h"
#include "svart_accel.h"
#include "svart_idxd_emu.h"

/** app_init(): carry on with the run. */
#define APP_CONTINUE (-1)

/**
 * Start an application as DPDK applications start: argv is
 * "[EAL options] [-- application options]". The application's options are
 * parsed and validated first (an application option before "--" is an
 * error), --help is printed, then the EAL is initialised with the options
 * before "--" (with none: app_eal_defaults()). An EAL failure is reported
 * with its reason and what to do about it.
 *
 * @return APP_CONTINUE, or the status to exit with: APP_EXIT_OK after
 *   --help, APP_EXIT_USAGE for a bad option, APP_EXIT_FAILURE when the EAL
 *   could not start.
 */
int app_init(const struct app_desc *d, int argc, char **argv);

/** a / b, or 0 when b is not positive (a figure that was not measured). */
static inline double
app_ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

/** The EAL options used when the command line has none, as one string. */
const char *app_eal_defaults(void);

/** Monotonic nanoseconds. */
uint64_t app_now_ns(void);

/** Op names for APP_OPT_NAME, in enum svart_accel_op_type order, NULL-terminated. */
const char *const *app_op_names(void);

/* ---- a device named on the command line -------------------------------- */

/** What a --dev option accepts, for --help. */
#define APP_DEVARGS_ACCEPTED "a device name and its arguments: name[,key=value...]"

/** Engine steps per app_dev_poll() of an engine=manual emulated device. */
#define APP_EMU_POLL_BUDGET 64

struct app_dev {
	int16_t id;
	const char *devargs;
	struct svart_accel_info info;
	bool emulated;   /**< the emulated DSA (driver idxd_emu) */
	bool manual;     /**< emulated with engine=manual: the application steps the engines */
	bool threaded;   /**< emulated with engine=thread: engines on threads of their own */
};

/**
 * Probe the device the option `opt` names. A failure is reported (naming the
 * option) before returning. @return 0 or a negative errno.
 */
int app_dev_open(struct app_dev *d, const char *opt, const char *devargs);

/** Stop and close the device. */
void app_dev_close(struct app_dev *d);

/** Step the engines of an engine=manual emulated device; nothing for any other device. */
static inline void
app_dev_poll(const struct app_dev *d)
{
	if (d->manual)
		(void)svart_idxd_emu_poll(d->id, APP_EMU_POLL_BUDGET);
}

/** Print the emulated device's own counters, or why there are none. */
void app_dev_print_emu_counters(const struct app_dev *d, FILE *f);

/* ---- progress on stderr ------------------------------------------------ */

/** Longest progress text. */
#define APP_PROGRESS_TEXT 128

/**
 * A progress line on stderr for long runs: shown from the start when the run
 * is expected to take APP_PROGRESS_MIN_S or more, else once it has; then
 * about every second. On a terminal one line updated in place, otherwise one
 * line per update.
 */
struct app_progress {
	uint64_t t0, next_ns;
	double expected_s;       /**< 0: unknown */
	bool tty, shown;
	char what[APP_PROGRESS_TEXT];
};

void app_progress_init(struct app_progress *p, double expected_s);

/** Say what the run does now (printf format) and show the line if it is due. */
void app_progress_set(struct app_progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void app_progress_show(struct app_progress *p, uint64_t now);

/** Cheap when nothing is due: call it from measuring loops with the time they read. */
static inline void
app_progress_tick(struct app_progress *p, uint64_t now)
{
	if (now >= p->next_ns)
		app_progress_show(p, now);
}

/** Erase an in-place line before printing results (and at the end). */
void app_progress_clear(struct app_progress *p);

#endif /* SVART_APP_COMMON_H */
