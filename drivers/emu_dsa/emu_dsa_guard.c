/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The svart authors
 */
/* Memory guard of the engines. A device must survive memory disappearing
 * under an in-flight descriptor (munmap racing the op, a file truncated
 * under its mapping). The engines run on CPU threads, so such an access is a
 * SIGSEGV/SIGBUS: while an engine executes a descriptor it arms a recovery
 * point, and the handler jumps back to it with the faulting address. Faults
 * on any other thread go to the handler that was installed before. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "emu_dsa_internal.h"

__thread sigjmp_buf *emu_guard_env __attribute__((tls_model("initial-exec")));
__thread volatile uint64_t emu_guard_addr __attribute__((tls_model("initial-exec")));

static struct sigaction guard_prev_segv, guard_prev_bus;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;
static int guard_rc;

static void
guard_chain(const struct sigaction *prev, int sig, siginfo_t *si, void *uc)
{
	if (prev->sa_flags & SA_SIGINFO) {
		prev->sa_sigaction(sig, si, uc);
	} else if (prev->sa_handler == SIG_IGN) {
		return;
	} else if (prev->sa_handler != SIG_DFL) {
		prev->sa_handler(sig);
	} else {
		/* Default action: restore it; returning re-executes the access, which
		 * then terminates the process as it would have without us. */
		signal(sig, SIG_DFL);
	}
}

static void
guard_handler(int sig, siginfo_t *si, void *uc)
{
	sigjmp_buf *env = emu_guard_env;

	if (env != NULL) {
		emu_guard_env = NULL;
		emu_guard_addr = (uint64_t)(uintptr_t)si->si_addr;
		siglongjmp(*env, sig);
	}
	guard_chain(sig == SIGBUS ? &guard_prev_bus : &guard_prev_segv, sig, si, uc);
}

static void
guard_install_once(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = guard_handler;
	/* NODEFER: we leave the handler by siglongjmp without restoring the mask. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &guard_prev_segv) != 0 ||
	    sigaction(SIGBUS, &sa, &guard_prev_bus) != 0)
		guard_rc = -errno;
}

int
emu_guard_install(void)
{
	pthread_once(&guard_once, guard_install_once);
	return guard_rc;
}

void
emu_guard_check(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct sigaction cur, sa;

	/* Someone installed a handler after us (a test framework, the
	 * application): put ours back in front and chain to theirs. */
	pthread_mutex_lock(&lock);
	if (sigaction(SIGSEGV, NULL, &cur) == 0 &&
	    (!(cur.sa_flags & SA_SIGINFO) || cur.sa_sigaction != guard_handler)) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = guard_handler;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGSEGV, &sa, &guard_prev_segv);
		sigaction(SIGBUS, &sa, &guard_prev_bus);
	}
	pthread_mutex_unlock(&lock);
}
