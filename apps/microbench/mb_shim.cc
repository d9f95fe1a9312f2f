// SPDX-License-Identifier: BSD-3-Clause
// Copyright(c) 2026 The svart authors
#include <benchmark/benchmark.h>

#include "mb_shim.h"

struct svart_mb_state {
	benchmark::State *s;
};

extern "C" {

void
svart_mb_register(const char *name, svart_mb_fn fn, void *arg)
{
	benchmark::RegisterBenchmark(name, [fn, arg](benchmark::State &state) {
		svart_mb_state st{&state};
		fn(&st, arg);
	});
}

bool
svart_mb_keep_running(svart_mb_state *st)
{
	return st->s->KeepRunning();
}

void
svart_mb_pause(svart_mb_state *st)
{
	st->s->PauseTiming();
}

void
svart_mb_resume(svart_mb_state *st)
{
	st->s->ResumeTiming();
}

void
svart_mb_set_items(svart_mb_state *st, int64_t n)
{
	st->s->SetItemsProcessed(n);
}

void
svart_mb_set_bytes(svart_mb_state *st, int64_t n)
{
	st->s->SetBytesProcessed(n);
}

int64_t
svart_mb_iterations(svart_mb_state *st)
{
	return (int64_t)st->s->iterations();
}

int
svart_mb_run(int argc, char **argv)
{
	benchmark::Initialize(&argc, argv);
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}

} // extern "C"
