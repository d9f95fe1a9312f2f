/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/*
 * Standalone driver of the emulated-device fuzz harness, for builds without
 * libFuzzer (gcc, the meson test):
 *
 *   fuzz_emu_dsa [--seed N] [--runs N] [--seconds S] [--artifact-prefix P]
 *                [corpus files or directories...]
 *   fuzz_emu_dsa --write-corpus DIR
 *
 * It runs every corpus input, then up to --runs inputs made by mutating
 * corpus entries with a xorshift generator seeded by --seed (bit flips,
 * byte sets, inserts, erases, splices, record swaps and additions), for at most --seconds.
 * An input that fails (the harness aborts, a sanitizer reports, a signal, or
 * the watchdog fires) is first written to P + "fuzz_emu_dsa-seed<N>-iter<I>.bin";
 * pass that file as a corpus argument to replay it. On success the last line
 * is "fuzz_emu_dsa: seed N, E executions, 0 failures".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_emu_dsa.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int fz_write_corpus(const char *dir);
/* The sanitizers' runtime, when linked in: called before a report ends the process. */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

#define FZ_MAX_INPUT     4096u
#define FZ_MAX_CORPUS    4096u
#define FZ_DEFAULT_RUNS  1000u
#define FZ_DEFAULT_SEED  1u
#define FZ_WATCHDOG_S    60u      /**< one input longer than this is a hang */
#define FZ_MAX_MUTATIONS 8u
#define FZ_MAX_CHUNK     8u       /**< bytes inserted or erased at once */
#define FZ_NS_PER_S      1000000000.0

struct input {
	uint8_t *data;
	size_t len;
};

static struct input corpus[FZ_MAX_CORPUS];
static unsigned int ncorpus;
static uint64_t rng_state;

/* The input being run, for the crash handlers. */
static const uint8_t *cur_data;
static size_t cur_len;
static char cur_path[PATH_MAX];
static volatile sig_atomic_t saved;
static struct sigaction prev_sa[NSIG];
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM };

static void
say(const char *s)
{
	ssize_t r = write(STDERR_FILENO, s, strlen(s));

	(void)r;
}

/* Async-signal-safe: write the current input to cur_path once. */
static void
save_current(void)
{
	int fd;

	if (saved || cur_data == NULL)
		return;
	saved = 1;
	fd = open(cur_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		ssize_t r = write(fd, cur_data, cur_len);

		(void)r;
		close(fd);
		say("fuzz_emu_dsa: failing input written to ");
		say(cur_path);
		say("\n");
	}
}

static void
on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (sig == SIGALRM)
		say("fuzz_emu_dsa: FAILURE: watchdog: one input ran too long (hang)\n");
	save_current();
	if (sig == SIGALRM) {
		signal(SIGABRT, SIG_DFL);
		abort();
	}
	/* Back to what was there before (the default action, or a sanitizer's
	 * report); returning re-runs the faulting access, or abort() re-raises. */
	sigaction(sig, &prev_sa[sig], NULL);
}

static void
install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		sigaction(crash_signals[i], &sa, &prev_sa[crash_signals[i]]);
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(save_current);
}

static uint64_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t
below(uint64_t n)
{
	return n == 0 ? 0 : rnd() % n;
}

static void
corpus_add(const uint8_t *data, size_t len)
{
	if (ncorpus >= FZ_MAX_CORPUS)
		return;
	if (len > FZ_MAX_INPUT)
		len = FZ_MAX_INPUT;
	corpus[ncorpus].data = malloc(len ? len : 1);
	if (corpus[ncorpus].data == NULL)
		return;
	memcpy(corpus[ncorpus].data, data, len);
	corpus[ncorpus++].len = len;
}

static int
load_file(const char *path)
{
	uint8_t buf[FZ_MAX_INPUT];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "fuzz_emu_dsa: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	corpus_add(buf, n);
	return 0;
}

static int
load_path(const char *path)
{
	struct dirent **ents;
	struct stat st;
	int n, rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "fuzz_emu_dsa: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(path);
	n = scandir(path, &ents, NULL, alphasort); /* sorted: runs are reproducible */
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		char p[PATH_MAX];

		if (ents[i]->d_name[0] != '.' &&
		    snprintf(p, sizeof(p), "%s/%s", path, ents[i]->d_name) < (int)sizeof(p) &&
		    stat(p, &st) == 0 && S_ISREG(st.st_mode) && load_file(p) != 0)
			rc = -1;
		free(ents[i]);
	}
	free(ents);
	return rc;
}

static const uint8_t interesting[] = { 0x00, 0x01, 0x02, 0x07, 0x08, 0x10, 0x20, 0x40,
				       0x7f, 0x80, 0xc0, 0xfe, 0xff };

/* Insert after the submitted records of buf a record of o, and count it. */
static size_t
add_record(uint8_t *buf, size_t len, const struct input *o)
{
	unsigned int nlist, nsub;
	size_t at, src;

	if (len < FZ_HDR_SIZE || o->len < FZ_HDR_SIZE + FZ_REC_SIZE || len + FZ_REC_SIZE > FZ_MAX_INPUT)
		return len;
	nlist = buf[FZ_HDR_POLICY] >> FZ_NLIST_SHIFT;
	nsub = buf[FZ_HDR_SUBMIT] & FZ_NSUBMIT_MASK;
	at = FZ_HDR_SIZE + (size_t)(nlist + nsub) * FZ_REC_SIZE;
	if (nsub >= FZ_MAX_SUBMIT || at > len)
		return len;
	src = FZ_HDR_SIZE + below((o->len - FZ_HDR_SIZE) / FZ_REC_SIZE) * FZ_REC_SIZE;
	memmove(buf + at + FZ_REC_SIZE, buf + at, len - at);
	memcpy(buf + at, o->data + src, FZ_REC_SIZE);
	buf[FZ_HDR_SUBMIT] = (uint8_t)((buf[FZ_HDR_SUBMIT] & ~FZ_NSUBMIT_MASK) | (nsub + 1));
	return len + FZ_REC_SIZE;
}

/* One mutation of buf (len bytes, room for FZ_MAX_INPUT). */
static size_t
mutate_once(uint8_t *buf, size_t len)
{
	const struct input *o = &corpus[below(ncorpus)];
	size_t pos = below(len), n;

	switch (below(10)) {
	case 0: /* bit flip */
		if (len)
			buf[pos] ^= (uint8_t)(1u << below(8));
		break;
	case 1: /* random byte */
		if (len)
			buf[pos] = (uint8_t)rnd();
		break;
	case 2: /* interesting byte */
		if (len)
			buf[pos] = interesting[below(sizeof(interesting))];
		break;
	case 3: /* insert */
		n = 1 + below(FZ_MAX_CHUNK);
		if (len + n <= FZ_MAX_INPUT) {
			memmove(buf + pos + n, buf + pos, len - pos);
			for (size_t i = 0; i < n; i++)
				buf[pos + i] = (uint8_t)rnd();
			len += n;
		}
		break;
	case 4: /* erase */
		n = 1 + below(FZ_MAX_CHUNK);
		if (pos + n <= len) {
			memmove(buf + pos, buf + pos + n, len - pos - n);
			len -= n;
		}
		break;
	case 5: /* splice: our head, another entry's tail */
		if (ncorpus && o->len) {
			size_t from = below(o->len);

			n = o->len - from;
			if (pos + n > FZ_MAX_INPUT)
				n = FZ_MAX_INPUT - pos;
			memcpy(buf + pos, o->data + from, n);
			len = pos + n;
		}
		break;
	case 6: /* a record of another entry over one of ours */
		if (ncorpus && o->len >= FZ_HDR_SIZE + FZ_REC_SIZE && len >= FZ_HDR_SIZE + FZ_REC_SIZE) {
			size_t src = FZ_HDR_SIZE + below((o->len - FZ_HDR_SIZE) / FZ_REC_SIZE) * FZ_REC_SIZE;
			size_t dst = FZ_HDR_SIZE + below((len - FZ_HDR_SIZE) / FZ_REC_SIZE) * FZ_REC_SIZE;

			memcpy(buf + dst, o->data + src, FZ_REC_SIZE);
		}
		break;
	case 7: /* an aligned qword of a descriptor: random or all-ones or zero */
		if (len >= 8) {
			uint64_t v = below(3) == 0 ? 0 : below(2) ? UINT64_MAX : rnd();

			pos = len >= FZ_HDR_SIZE + 8 ? FZ_HDR_SIZE + below((len - FZ_HDR_SIZE) / 8) * 8
						     : 0;
			if (pos + 8 <= len)
				memcpy(buf + pos, &v, sizeof(v));
		}
		break;
	case 8: /* a header byte */
		if (len >= FZ_HDR_SIZE)
			buf[below(FZ_HDR_SIZE)] = (uint8_t)rnd();
		break;
	default: /* one more submitted record: a copy of a record of another entry */
		len = add_record(buf, len, o);
		break;
	}
	return len;
}

static size_t
make_input(uint8_t *buf)
{
	const struct input *base;
	size_t len;
	uint64_t k;

	if (ncorpus == 0) {
		len = FZ_HDR_SIZE + below(FZ_MAX_INPUT - FZ_HDR_SIZE);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd();
		return len;
	}
	base = &corpus[below(ncorpus)];
	len = base->len;
	memcpy(buf, base->data, len);
	k = 1 + below(FZ_MAX_MUTATIONS);
	for (uint64_t i = 0; i < k; i++)
		len = mutate_once(buf, len);
	return len;
}

static void
run_one(const uint8_t *data, size_t len, uint64_t seed, uint64_t iter, const char *prefix)
{
	snprintf(cur_path, sizeof(cur_path), "%sfuzz_emu_dsa-seed%" PRIu64 "-iter%" PRIu64 ".bin",
		 prefix, seed, iter);
	cur_data = data;
	cur_len = len;
	alarm(FZ_WATCHDOG_S);
	LLVMFuzzerTestOneInput(data, len);
	alarm(0);
	cur_data = NULL;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / FZ_NS_PER_S;
}

static void
usage(void)
{
	fprintf(stderr, "usage: fuzz_emu_dsa [--seed N] [--runs N] [--seconds S] "
		"[--artifact-prefix P] [corpus files or dirs...]\n"
		"       fuzz_emu_dsa --write-corpus DIR\n");
}

int
main(int argc, char **argv)
{
	uint64_t seed = FZ_DEFAULT_SEED, runs = FZ_DEFAULT_RUNS, execs = 0;
	double seconds = 0, t0;
	const char *prefix = "";
	static uint8_t buf[FZ_MAX_INPUT];
	int i;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (i + 1 >= argc) {
			usage();
			return 2;
		}
		if (strcmp(argv[i], "--seed") == 0)
			seed = strtoull(argv[i + 1], NULL, 0);
		else if (strcmp(argv[i], "--runs") == 0)
			runs = strtoull(argv[i + 1], NULL, 0);
		else if (strcmp(argv[i], "--seconds") == 0)
			seconds = strtod(argv[i + 1], NULL);
		else if (strcmp(argv[i], "--artifact-prefix") == 0)
			prefix = argv[i + 1];
		else if (strcmp(argv[i], "--write-corpus") == 0)
			return fz_write_corpus(argv[i + 1]) == 0 ? 0 : 1;
		else {
			usage();
			return 2;
		}
	}
	for (; i < argc; i++)
		if (load_path(argv[i]) != 0)
			return 1;
	install_handlers();
	LLVMFuzzerInitialize(&argc, &argv);
	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	printf("fuzz_emu_dsa: seed %" PRIu64 ", %u corpus inputs, up to %" PRIu64 " runs%s\n",
	       seed, ncorpus, runs, seconds > 0 ? " (time-bounded)" : "");
	fflush(stdout);
	t0 = now_s();
	for (unsigned int c = 0; c < ncorpus; c++, execs++)
		run_one(corpus[c].data, corpus[c].len, seed, execs, prefix);
	for (uint64_t r = 0; r < runs; r++, execs++) {
		size_t len;

		if (seconds > 0 && now_s() - t0 > seconds)
			break;
		len = make_input(buf);
		run_one(buf, len, seed, execs, prefix);
	}
	printf("fuzz_emu_dsa: seed %" PRIu64 ", %" PRIu64 " executions, 0 failures "
	       "(%.0f exec/s)\n", seed, execs, execs / (now_s() - t0 + 1e-9));
	return 0;
}
