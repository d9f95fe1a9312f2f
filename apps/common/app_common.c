/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "app_common.h"

#define NS_PER_S 1000000000ull
#define EAL_ARGS_MAX 16
#define EAL_DEFAULTS_LEN 256
#define MEMINFO_LINE 128
#define PROGRESS_MIN_S 3.0        /* runs expected this long show progress from the start */
#define PROGRESS_PERIOD_NS NS_PER_S

/* ---- the EAL ------------------------------------------------------------ */

/* Without EAL options: what a 2-core machine without hugepages can run. */
static const char *const eal_default_args[] = {
	"--no-huge", "-m", "512", "--no-shconf", "--no-pci",
	"--log-level=lib.eal:error", "--log-level=lib.telemetry:error",
};
#define EAL_DEFAULT_NB (sizeof(eal_default_args) / sizeof(eal_default_args[0]))

static const struct app_desc *usage_desc;

static const char *
eal_default_lcores(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? "0-1" : "0";
}

const char *
app_eal_defaults(void)
{
	static char s[EAL_DEFAULTS_LEN];
	int n = snprintf(s, sizeof(s), "-l %s", eal_default_lcores());

	for (size_t i = 0; i < EAL_DEFAULT_NB && (size_t)n < sizeof(s); i++)
		n += snprintf(s + n, sizeof(s) - (size_t)n, " %s", eal_default_args[i]);
	return s;
}

static int
eal_init_defaults(char *prog)
{
	char *argv[EAL_ARGS_MAX];
	int n = 0;

	argv[n++] = prog;
	argv[n++] = (char *)"-l";
	argv[n++] = (char *)eal_default_lcores();
	for (size_t i = 0; i < EAL_DEFAULT_NB; i++)
		argv[n++] = (char *)eal_default_args[i];
	argv[n] = NULL;
	return rte_eal_init(n, argv);
}

static void __attribute__((format(printf, 1, 2)))
hint(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: hint: ", app_name());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* HugePages_Total from /proc/meminfo, -1 if unknown. */
static long
hugepages_total(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[MEMINFO_LINE];
	long n = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugePages_Total: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* EACCES ("Cannot get hugepage information") and ENOMEM ("Cannot init memory"). */
static void
hint_memory(int err)
{
	const char *p = app_name();

	if (hugepages_total() == 0)
		hint("no hugepages are reserved (HugePages_Total is 0 in /proc/meminfo): add --no-huge "
		     "to the EAL options (e.g. %s -l 0-1 --no-huge -- ...), or reserve hugepages "
		     "(dpdk-hugepages.py --setup 1G)", p);
	else if (err == ENOMEM)
		hint("not enough hugepage memory for -m/--socket-mem: ask for less, reserve more "
		     "hugepages, or add --no-huge");
	else
		hint("hugepages are reserved but the EAL cannot use them: check the hugetlbfs mount "
		     "(--huge-dir) and its permissions, or add --no-huge");
	if (geteuid() != 0)
		hint("hugepages need root or write access to the hugetlbfs mount: run as root "
		     "(sudo), or add --no-huge");
}

static void
eal_hint(int err)
{
	switch (err) {
	case EACCES:
	case ENOMEM:
		hint_memory(err);
		break;
	case EPERM:
		hint("permission denied: run as root (sudo), or give this user access to "
		     "/dev/hugepages and /dev/vfio; --no-huge avoids hugepages");
		break;
	case EINVAL:
		hint("an EAL option is not valid (the EAL says which above); \"%s --help\" lists the "
		     "EAL's options; %s's own options go after \"--\"", app_name(), app_name());
		break;
	case ENODEV:
		hint("a device option (-a, -b, --vdev) is not valid, or the buses could not be "
		     "scanned: --no-pci skips the PCI bus");
		break;
	case ENOTSUP:
		hint("this CPU or system is not supported by the installed DPDK");
		break;
	default:
		hint("see the EAL's messages above; if another DPDK process is running, give this "
		     "one its own --file-prefix, or add --in-memory");
		break;
	}
}

static int
eal_failed(void)
{
	int err = rte_errno;

	fprintf(stderr, "%s: EAL init failed: %s (rte_errno %d)\n", app_name(),
		err != 0 ? rte_strerror(err) : "no reason given", err);
	eal_hint(err);
	return err == EINVAL ? APP_EXIT_USAGE : APP_EXIT_FAILURE;
}

static void
usage_hook(const char *prgname)
{
	(void)prgname;
	app_opts_usage(usage_desc);
}

/* An application option before "--" would reach the EAL: say where it goes. */
static int
check_eal_part(const struct app_desc *d, int eal_argc, char **argv)
{
	for (int i = 1; i < eal_argc; i++)
		if (app_opts_is_own(d, argv[i])) {
			fprintf(stderr, "%s: '%s' is an option of %s, not of the EAL: put it after "
				"\"--\" (%s [EAL options] -- %s ...)\n", d->name, argv[i], d->name,
				d->name, argv[i]);
			return -EINVAL;
		}
	return 0;
}

static int
eal_start(int eal_argc, char **argv)
{
	int rc = eal_argc > 1 ? rte_eal_init(eal_argc, argv) : eal_init_defaults(argv[0]);

	if (rc < 0)
		return eal_failed();
	/* The EAL's getopt moved what it did not take to the end. */
	if (eal_argc > 1 && rc < eal_argc - 1) {
		fprintf(stderr, "%s: unexpected argument '%s' before \"--\"\n", app_name(),
			argv[rc + 1]);
		rte_eal_cleanup();
		return APP_EXIT_USAGE;
	}
	return APP_CONTINUE;
}

int
app_init(const struct app_desc *d, int argc, char **argv)
{
	int sep = 1, rc;

	while (sep < argc && strcmp(argv[sep], "--") != 0)
		sep++;
	usage_desc = d;
	/* The application's options: argv[sep] ("--") stands for the program name. */
	rc = app_opts_parse(d, sep < argc ? argc - sep : 1, sep < argc ? argv + sep : argv);
	if (rc == -ECANCELED)
		return APP_EXIT_OK;
	if (rc == 0)
		rc = check_eal_part(d, sep, argv);
	if (rc != 0)
		return APP_EXIT_USAGE;
	rte_set_application_usage_hook(usage_hook);
	return eal_start(sep, argv);
}

uint64_t
app_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

const char *const *
app_op_names(void)
{
	static const char *names[SVART_ACCEL_OP_MAX + 1];

	for (int op = 0; op < SVART_ACCEL_OP_MAX; op++)
		names[op] = svart_accel_op_name(op);
	return names;
}

/* ---- devices ------------------------------------------------------------ */

/* Whether the devargs list "name,k=v,..." holds the item kv exactly. */
static bool
devargs_has(const char *devargs, const char *kv)
{
	size_t len = strlen(kv);
	const char *p = strchr(devargs, ',');

	while (p != NULL) {
		p++;
		if (strncmp(p, kv, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
		p = strchr(p, ',');
	}
	return false;
}

static void
probe_hint(int rc)
{
	if (rc == -ENODEV)
		hint("no driver takes this name, or the device is not there; names are driver + "
		     "number: idxd_emu0 (emulated), idxd_cdev0, idxd_vfio0,bdf=0000:6a:01.0");
	else if (rc == -EINVAL)
		hint("devargs are name[,key=value...], with keys the driver knows "
		     "(see doc/drivers/idxd.md)");
	else if (rc == -EACCES || rc == -EPERM)
		hint("the device needs root or access to its /dev node");
}

int
app_dev_open(struct app_dev *d, const char *opt, const char *devargs)
{
	int rc = svart_accel_probe(devargs);

	memset(d, 0, sizeof(*d));
	d->id = -1;
	d->devargs = devargs;
	if (rc < 0) {
		fprintf(stderr, "%s: --%s '%s': cannot probe the device: %s\n", app_name(), opt,
			devargs, strerror(-rc));
		probe_hint(rc);
		return rc;
	}
	d->id = (int16_t)rc;
	rc = svart_accel_info_get(d->id, &d->info);
	if (rc != 0) {
		fprintf(stderr, "%s: --%s '%s': no device information: %s\n", app_name(), opt,
			devargs, strerror(-rc));
		svart_accel_close(d->id);
		d->id = -1;
		return rc;
	}
	d->emulated = d->info.driver_name != NULL && strcmp(d->info.driver_name, "idxd_emu") == 0;
	d->manual = d->emulated && devargs_has(devargs, "engine=manual");
	d->threaded = d->emulated && devargs_has(devargs, "engine=thread");
	return 0;
}

void
app_dev_close(struct app_dev *d)
{
	if (d->id < 0)
		return;
	svart_accel_stop(d->id);
	svart_accel_close(d->id);
	d->id = -1;
}

void
app_dev_print_emu_counters(const struct app_dev *d, FILE *f)
{
	struct svart_idxd_emu_counters c;

	if (!d->emulated || svart_idxd_emu_counters_get(d->id, &c) != 0) {
		fprintf(f, "emulator counters: none (%s is a %s device, not the emulated one)\n",
			d->info.name, d->info.driver_name);
		return;
	}
	fprintf(f, "emulated device: %" PRIu64 " descriptors (%" PRIu64 " batches), %" PRIu64
		" errors, %" PRIu64 " software errors, %" PRIu64 " shared-WQ retries\n",
		c.descs, c.batches, c.errors, c.swerrs, c.retries);
}

/* ---- progress ------------------------------------------------------------ */

void
app_progress_init(struct app_progress *p, double expected_s)
{
	memset(p, 0, sizeof(*p));
	p->t0 = app_now_ns();
	p->expected_s = expected_s;
	p->tty = isatty(STDERR_FILENO) == 1;
	p->next_ns = p->t0 + (expected_s >= PROGRESS_MIN_S ? 0 : (uint64_t)(PROGRESS_MIN_S * NS_PER_S));
}

void
app_progress_set(struct app_progress *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->what, sizeof(p->what), fmt, ap);
	va_end(ap);
	app_progress_tick(p, app_now_ns());
}

void
app_progress_show(struct app_progress *p, uint64_t now)
{
	double s = (double)(now - p->t0) / NS_PER_S;

	if (p->expected_s > 0)
		fprintf(stderr, "%s%s: %s, %.0f s of ~%.0f s%s", p->tty ? "\r" : "", app_name(),
			p->what, s, p->expected_s, p->tty ? "\033[K" : "\n");
	else
		fprintf(stderr, "%s%s: %s, %.0f s%s", p->tty ? "\r" : "", app_name(), p->what, s,
			p->tty ? "\033[K" : "\n");
	fflush(stderr);
	p->shown = true;
	p->next_ns = now + PROGRESS_PERIOD_NS;
}

void
app_progress_clear(struct app_progress *p)
{
	if (p->tty && p->shown)
		fprintf(stderr, "\r\033[K");
	p->shown = false;
}
