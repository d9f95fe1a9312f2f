/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#ifndef SVART_APP_OPTS_H
#define SVART_APP_OPTS_H

/* The applications' own options (the ones after "--"), table-driven: one
 * table gives getopt_long its options, validates every value as it is parsed
 * (an error names the option, the value and what is accepted) and prints
 * --help with each option's default and accepted range. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** Exit statuses of every svart application. */
#define APP_EXIT_OK      0   /**< success, or --help */
#define APP_EXIT_FAILURE 1   /**< the run failed (EAL, device, an op, a check, an output file) */
#define APP_EXIT_USAGE   2   /**< bad option, value or argument */

/** Longest comma-separated list an option takes. */
#define APP_OPT_LIST_MAX 16

/** What an option's value is, and where it is stored (app_opt::val). */
enum app_opt_type {
	APP_OPT_FLAG,    /**< no value; bool */
	APP_OPT_UINT,    /**< decimal integer in [min, max]; uint64_t */
	APP_OPT_SIZE,    /**< integer with optional K, M or G suffix (x1024) in [min, max]; uint64_t */
	APP_OPT_DOUBLE,  /**< decimal number in [dmin, dmax]; double */
	APP_OPT_NAME,    /**< one of names[]; int (the index) */
	APP_OPT_STRING,  /**< any non-empty text; const char * */
	APP_OPT_OUTPUT,  /**< a file to write, "-" = stdout, checked writable while
			  *  parsing; const char * */
};

/** One option. A table of them ends with an entry whose name is NULL. */
struct app_opt {
	const char *name;        /**< long option, without "--" */
	enum app_opt_type type;
	const char *metavar;     /**< the value in --help ("N", "FILE") */
	const char *help;        /**< what it does, one line */
	const char *def;         /**< the default as --help shows it; NULL: none */
	void *val;               /**< where the value goes (an array for a list) */
	/** > 1: a list of up to max_count values, comma-separated (APP_OPT_STRING:
	 *  the option repeated, as devargs hold commas); the length goes to *count. */
	unsigned int max_count;
	unsigned int *count;
	uint64_t min, max;       /**< APP_OPT_UINT, APP_OPT_SIZE */
	double dmin, dmax;       /**< APP_OPT_DOUBLE */
	const char *const *names; /**< APP_OPT_NAME, NULL-terminated */
	const char *accepted;    /**< APP_OPT_STRING: what it accepts, for --help and errors */
	bool given;              /**< set by the parser when the option was on the command line */
};

/** What --help prints around the table. */
struct app_desc {
	const char *name;        /**< program name in messages ("svart-perf") */
	const char *summary;     /**< one line: what the program measures or shows */
	struct app_opt *opts;    /**< the options; --help / -h are added */
	const char *notes;       /**< printed after the options; NULL: none */
};

/** The program name set by app_opts_parse(), for messages. */
const char *app_name(void);

/**
 * Parse the application's options (argv[0] is the program name). Every value
 * is validated; output files are checked writable.
 *
 * @return 0, -ECANCELED after printing --help, or -EINVAL after printing
 *   what is wrong with the command line.
 */
int app_opts_parse(const struct app_desc *d, int argc, char **argv);

/** Print the --help text to stdout. */
void app_opts_usage(const struct app_desc *d);

/** The option named name in a table, NULL if none. */
struct app_opt *app_opt_find(const struct app_desc *d, const char *name);

/** true if arg ("--name" or "--name=value") names an option of the table. */
bool app_opts_is_own(const struct app_desc *d, const char *arg);

/**
 * Report a bad value found after parsing (e.g. above a device limit), in the
 * parser's format: "<app>: --<opt> '<value>': <why>". @return -EINVAL.
 */
int app_opt_error(const char *opt, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * Parse a size with an optional K, M or G suffix (x1024; "KiB", "KB" too).
 * @return 0, -EINVAL (not a size), -ERANGE (negative or too large).
 */
int app_size_parse(const char *s, uint64_t *out);

/** A byte count with the largest exact K, M or G suffix: 4096 -> "4K". */
void app_size_str(uint64_t v, char *buf, size_t len);

/**
 * Check that path can be written ("-" = stdout always can), without truncating
 * an existing file. @return 0 or -errno.
 */
int app_output_check(const char *path);

/** Writes an output file's content to f. @return 0 or -errno. */
typedef int (*app_output_fn)(FILE *f, const void *arg);

/**
 * Write an output file of option opt: path ("-" = stdout) gets what fn(arg)
 * writes. A failure (fn's included) is reported, naming the option and the
 * file. @return 0 or -errno.
 */
int app_output_write(const char *opt, const char *path, app_output_fn fn, const void *arg);

#endif /* SVART_APP_OPTS_H */
