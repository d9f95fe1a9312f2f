/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_string_fns.h>

#include "app_common.h"
#include "app_opts.h"

/* getopt_long values of the table's options: above any short option. */
#define OPT_VAL_BASE 256
/* Options in one table, at most (the getopt array is on the stack). */
#define OPT_TABLE_MAX 32
/* Column where --help puts the descriptions. */
#define HELP_COL 26
/* Room for an "accepted ..." description. */
#define DESCR_LEN 192
#define SIZE_SUFFIXES "KMG"
#define SIZE_SHIFT_STEP 10
#define OUTPUT_MODE 0644

static const char *prog_name = "svart";

const char *
app_name(void)
{
	return prog_name;
}

static int __attribute__((format(printf, 1, 2)))
cli_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EINVAL;
}

int
app_opt_error(const char *opt, const char *value, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: --%s '%s': ", prog_name, opt, value);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EINVAL;
}

/* ---- values --------------------------------------------------------- */

/* A leading minus before a digit: a negative number, out of any range here. */
static bool
is_negative(const char *s)
{
	return s[0] == '-' && isdigit((unsigned char)s[1]);
}

/* The decimal digits at the start of s; *end is what follows them. */
static int
digits_parse(const char *s, unsigned long long *v, char **end)
{
	if (is_negative(s))
		return -ERANGE;
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, end, 10);
	return errno == ERANGE ? -ERANGE : 0;
}

static int
uint_parse(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int rc = digits_parse(s, &v, &end);

	if (rc != 0)
		return rc;
	if (*end != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

/* Not rte_str_to_size: it accepts trailing garbage, wraps on overflow, returns 0 on errors. */
int
app_size_parse(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	unsigned long long v;
	const char *suffix;
	char *end;
	int rc = digits_parse(s, &v, &end);

	if (rc != 0)
		return rc;
	suffix = *end != '\0' ? strchr(SIZE_SUFFIXES, toupper((unsigned char)*end)) : NULL;
	if (suffix != NULL) {
		shift = (unsigned int)(suffix - SIZE_SUFFIXES + 1) * SIZE_SHIFT_STEP;
		end++;
		if (*end == 'i')
			end++;
	}
	if (*end == 'B')
		end++;
	if (*end != '\0')
		return -EINVAL;
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

static int
double_parse(const char *s, double *out)
{
	char *end;
	double v;

	if (s[0] == '\0' || isspace((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || !isfinite(v))
		return -ERANGE;
	*out = v;
	return 0;
}

static int
name_parse(const char *const *names, const char *s)
{
	for (int i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -EINVAL;
}

int
app_output_check(const char *path)
{
	int fd;

	if (strcmp(path, "-") == 0)
		return 0;
	/* A new file is created and removed again; an existing one is opened
	 * without truncation, so nothing is lost when the run fails later. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC, OUTPUT_MODE);
	if (fd >= 0) {
		close(fd);
		unlink(path);
		return 0;
	}
	if (errno != EEXIST)
		return -errno;
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENXIO ? 0 : -errno;   /* ENXIO: a FIFO without a reader yet */
	close(fd);
	return 0;
}

int
app_output_write(const char *opt, const char *path, app_output_fn fn, const void *arg)
{
	bool out = strcmp(path, "-") == 0;
	FILE *f = out ? stdout : fopen(path, "w");
	int rc = 0;

	if (f == NULL) {
		rc = -errno;
	} else {
		rc = fn(f, arg);
		if (fflush(f) != 0 && rc == 0)
			rc = -errno;
		if (ferror(f) && rc == 0)
			rc = -EIO;
		if (!out && fclose(f) != 0 && rc == 0)
			rc = -errno;
	}
	if (rc != 0)
		fprintf(stderr, "%s: --%s '%s': cannot write: %s\n", prog_name, opt, path,
			strerror(-rc));
	return rc;
}

/* ---- describing an option ---------------------------------------------- */

void
app_size_str(uint64_t v, char *buf, size_t len)
{
	int k = (int)strlen(SIZE_SUFFIXES);

	for (; k > 0; k--) {
		unsigned int shift = (unsigned int)k * SIZE_SHIFT_STEP;

		if (v != 0 && (v & ((1ull << shift) - 1)) == 0) {
			snprintf(buf, len, "%" PRIu64 "%c", v >> shift, SIZE_SUFFIXES[k - 1]);
			return;
		}
	}
	snprintf(buf, len, "%" PRIu64, v);
}

static int
names_str(const char *const *names, char *buf, size_t len)
{
	int n = 0;

	buf[0] = '\0';
	for (int i = 0; names[i] != NULL && (size_t)n < len; i++)
		n += snprintf(buf + n, len - (size_t)n, "%s%s", i ? " " : "", names[i]);
	return n;
}

/* What the option accepts, e.g. "an integer 1..100". */
static void
describe(const struct app_opt *o, char *buf, size_t len)
{
	char lo[32], hi[32];
	int n = 0;

	switch (o->type) {
	case APP_OPT_FLAG:
		n = snprintf(buf, len, "no value");
		break;
	case APP_OPT_UINT:
		n = snprintf(buf, len, "an integer %" PRIu64 "..%" PRIu64, o->min, o->max);
		break;
	case APP_OPT_SIZE:
		app_size_str(o->min, lo, sizeof(lo));
		app_size_str(o->max, hi, sizeof(hi));
		n = snprintf(buf, len, "bytes %s..%s, suffix K, M or G", lo, hi);
		break;
	case APP_OPT_DOUBLE:
		n = snprintf(buf, len, "a number %g..%g", o->dmin, o->dmax);
		break;
	case APP_OPT_NAME:
		n = snprintf(buf, len, "one of: ");
		n += names_str(o->names, buf + n, len - (size_t)n);
		break;
	case APP_OPT_STRING:
		n = snprintf(buf, len, "%s", o->accepted != NULL ? o->accepted : "a non-empty value");
		break;
	case APP_OPT_OUTPUT:
		n = snprintf(buf, len, "a writable file, - for stdout");
		break;
	}
	if (o->max_count > 1 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, o->type == APP_OPT_STRING ?
			 "; the option repeated, up to %u times" :
			 "; a comma-separated list of up to %u", o->max_count);
}

static const char *
kind(enum app_opt_type t)
{
	switch (t) {
	case APP_OPT_UINT: return "not an integer";
	case APP_OPT_SIZE: return "not a size";
	case APP_OPT_DOUBLE: return "not a number";
	case APP_OPT_NAME: return "unknown";
	default: return "invalid";
	}
}

/* "--size '64,abc': 'abc' is not a size (accepted: ...)" */
static int
value_error(const struct app_opt *o, const char *arg, const char *item, int rc)
{
	char acc[DESCR_LEN];
	const char *why = rc == -ERANGE ? "out of range" : kind(o->type);

	describe(o, acc, sizeof(acc));
	if (strcmp(arg, item) == 0)
		return app_opt_error(o->name, arg, "%s (accepted: %s)", why, acc);
	return app_opt_error(o->name, arg, "'%s' is %s (accepted: %s)", item,
			     rc == -ERANGE ? "out of range" : why, acc);
}

/* ---- storing values ---------------------------------------------------- */

static int
store_one(struct app_opt *o, const char *item, unsigned int i)
{
	uint64_t u = 0;
	double d = 0;
	int rc = 0;

	switch (o->type) {
	case APP_OPT_UINT:
	case APP_OPT_SIZE:
		rc = o->type == APP_OPT_UINT ? uint_parse(item, &u) : app_size_parse(item, &u);
		if (rc == 0 && (u < o->min || u > o->max))
			rc = -ERANGE;
		if (rc == 0)
			((uint64_t *)o->val)[i] = u;
		break;
	case APP_OPT_DOUBLE:
		rc = double_parse(item, &d);
		if (rc == 0 && (d < o->dmin || d > o->dmax))
			rc = -ERANGE;
		if (rc == 0)
			((double *)o->val)[i] = d;
		break;
	case APP_OPT_NAME:
		rc = name_parse(o->names, item);
		if (rc >= 0)
			((int *)o->val)[i] = rc;
		rc = rc < 0 ? rc : 0;
		break;
	default:
		((const char **)o->val)[i] = item;
		break;
	}
	return rc;
}

/* A comma-separated list; a repeated option replaces the earlier list. */
static int
store_list(struct app_opt *o, const char *arg)
{
	/* One token more than the list holds: rte_strsplit leaves the rest of a
	 * longer list in the last one. */
	char *copy = strdup(arg), *items[APP_OPT_LIST_MAX + 1];
	size_t len = strlen(arg);
	int n, rc = 0;

	if (copy == NULL)
		return cli_error("out of memory");
	if (o->max_count > APP_OPT_LIST_MAX || len > INT_MAX) {
		free(copy);
		return app_opt_error(o->name, arg, "internal: list too long");
	}
	n = rte_strsplit(copy, (int)len, items, (int)o->max_count + 1, ',');
	for (int i = 0; i < n && rc == 0; i++) {
		if (items[i][0] == '\0')
			rc = app_opt_error(o->name, arg, "empty item in the list");
		else if ((unsigned int)i == o->max_count)
			rc = app_opt_error(o->name, arg, "more than %u items", o->max_count);
		else if ((rc = store_one(o, items[i], (unsigned int)i)) != 0)
			rc = value_error(o, arg, items[i], rc);
	}
	/* rte_strsplit drops an empty last item ("64,"): refused here. */
	if (rc == 0 && arg[len - 1] == ',')
		rc = app_opt_error(o->name, arg, "empty item in the list");
	free(copy);
	if (rc == 0)
		*o->count = (unsigned int)n;
	return rc;
}

static int
opt_set(struct app_opt *o, const char *arg)
{
	int rc;

	o->given = true;
	if (o->type == APP_OPT_FLAG) {
		*(bool *)o->val = true;
		return 0;
	}
	if (arg[0] == '\0')
		return app_opt_error(o->name, arg, "empty value");
	if (o->type == APP_OPT_OUTPUT && (rc = app_output_check(arg)) != 0)
		return app_opt_error(o->name, arg, "cannot write: %s", strerror(-rc));
	if (o->max_count > 1 && o->type != APP_OPT_STRING)
		return store_list(o, arg);
	if (o->max_count > 1) {
		if (*o->count == o->max_count)
			return app_opt_error(o->name, arg, "given more than %u times", o->max_count);
		return store_one(o, arg, (*o->count)++);
	}
	rc = store_one(o, arg, 0);
	return rc == 0 ? 0 : value_error(o, arg, arg, rc);
}

/* ---- the command line -------------------------------------------------- */

static int
longopts_build(const struct app_desc *d, struct option *lo)
{
	int n = 0;

	for (; d->opts[n].name != NULL; n++) {
		if (n == OPT_TABLE_MAX)
			return cli_error("internal: more than %d options", OPT_TABLE_MAX);
		lo[n] = (struct option){ d->opts[n].name,
					 d->opts[n].type == APP_OPT_FLAG ? no_argument : required_argument,
					 NULL, OPT_VAL_BASE + n };
	}
	lo[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	return 0;
}

/* getopt's ':' (value missing) or '?' (unknown option, or a value given to a flag). */
static int
getopt_error(const struct app_desc *d, int opt, const char *arg)
{
	if (optopt >= OPT_VAL_BASE) {
		const char *name = d->opts[optopt - OPT_VAL_BASE].name;

		return opt == ':' ? cli_error("option '--%s' needs a value", name)
				  : cli_error("option '--%s' takes no value", name);
	}
	if (optopt == 'h')
		return cli_error("option '--help' takes no value");
	if (optopt != 0)
		return cli_error("unknown option '-%c'", optopt);
	return cli_error("unknown or ambiguous option '%s'", arg);
}

int
app_opts_parse(const struct app_desc *d, int argc, char **argv)
{
	struct option lo[OPT_TABLE_MAX + 2];
	int opt, rc;

	prog_name = d->name;
	rc = longopts_build(d, lo);
	optind = 0;   /* glibc: start a new scan from scratch */
	opterr = 0;   /* the errors below name the option and what it accepts */
	while (rc == 0 && (opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (opt == 'h') {
			app_opts_usage(d);
			return -ECANCELED;
		}
		if (opt == ':' || opt == '?')
			rc = getopt_error(d, opt, argv[optind - 1]);
		else
			rc = opt_set(&d->opts[opt - OPT_VAL_BASE], optarg);
	}
	if (rc == 0 && optind < argc)
		rc = cli_error("unexpected argument '%s'", argv[optind]);
	if (rc != 0)
		fprintf(stderr, "Try '%s -- --help' for the options.\n", d->name);
	/* Leave getopt as the EAL expects it (it reports its own errors). */
	optind = 1;
	opterr = 1;
	return rc;
}

struct app_opt *
app_opt_find(const struct app_desc *d, const char *name)
{
	for (struct app_opt *o = d->opts; o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

bool
app_opts_is_own(const struct app_desc *d, const char *arg)
{
	size_t len;

	if (strncmp(arg, "--", 2) != 0)
		return false;
	arg += 2;
	len = strcspn(arg, "=");
	for (const struct app_opt *o = d->opts; o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, arg, len) == 0)
			return true;
	return false;
}

/* ---- --help ------------------------------------------------------------ */

static void
usage_opt(const struct app_opt *o)
{
	char head[64], acc[DESCR_LEN];
	const char *def = o->def != NULL ? o->def : (o->type == APP_OPT_FLAG ? "off" : "none");

	if (o->type == APP_OPT_FLAG)
		snprintf(head, sizeof(head), "--%s", o->name);
	else if (o->max_count > 1 && o->type != APP_OPT_STRING)
		snprintf(head, sizeof(head), "--%s %s[,%s..]", o->name, o->metavar, o->metavar);
	else
		snprintf(head, sizeof(head), "--%s %s", o->name, o->metavar);
	describe(o, acc, sizeof(acc));
	printf("  %-*s %s\n", HELP_COL - 3, head, o->help);
	if (o->type == APP_OPT_FLAG)
		printf("  %*s default: %s\n", HELP_COL - 3, "", def);
	else
		printf("  %*s %s; default: %s\n", HELP_COL - 3, "", acc, def);
}

void
app_opts_usage(const struct app_desc *d)
{
	printf("usage: %s [EAL options] [-- options]\n\n%s\n\noptions (after \"--\"):\n",
	       d->name, d->summary);
	for (const struct app_opt *o = d->opts; o->name != NULL; o++)
		usage_opt(o);
	printf("  %-*s %s\n", HELP_COL - 3, "-h, --help", "this help");
	if (d->notes != NULL)
		printf("\n%s", d->notes);
	printf("\nEAL options come first, then \"--\", then the options above, as in every DPDK\n"
	       "application; \"%s --help\" (before any \"--\") also lists the EAL's options.\n"
	       "Without EAL options %s runs with: %s\n"
	       "\nexit status: %d success; %d the run failed (EAL, device, an op, a check, an\n"
	       "output file); %d bad option, value or argument.\n",
	       d->name, d->name, app_eal_defaults(), APP_EXIT_OK, APP_EXIT_FAILURE, APP_EXIT_USAGE);
}
