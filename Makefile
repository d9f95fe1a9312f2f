# SPDX-License-Identifier: BSD-3-Clause
# Front door: `make bench` runs the benchmarks on the emulated device,
# `make test` runs the test suite twice (plain, then ASan+UBSan).

BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
MESON_OPTS ?=
QUICK      ?=

# Debian packages the build, tests and benchmarks need.
DEB_PKGS := meson ninja-build pkg-config gcc g++ python3 libdpdk-dev libhwloc-dev \
            libnuma-dev libcmocka-dev libbenchmark-dev gnuplot-nox dpdk-dev \
            libsystemd-dev libudev-dev libjansson-dev doxygen
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

BENCH_DIR   := $(BUILD)/bench
PERF_ARGS   := --peers --op copy --size 64,256,4K,64K,1M --burst 1,32 --mode dedicated,shared
PERF_ARGS2  := --op fill,compare,crc32c --size 4K --burst 1,32 --mode dedicated
# The PMD's own cost per op: a device that completes at once (idxd_null).
PERF_NULL   := --dev idxd_null0 --op copy --size 64 --burst 1,32 --mode dedicated --duration 1
FAULT_ARGS  := --faults 10000
ifneq ($(QUICK),)
PERF_ARGS   := --peers --op copy --size 64,4K,1M --burst 1,32 --mode dedicated --duration 0.4 --rounds 2
PERF_ARGS2  := --op fill,crc32c --size 4K --burst 32 --mode dedicated --duration 0.2
PERF_NULL   := --dev idxd_null0 --op copy --size 64 --burst 1,32 --mode dedicated --duration 0.2
FAULT_ARGS  := --quick
endif

.PHONY: all deps build bench microbench test test-plain test-asan test-tsan clean

all: build

deps:
	@missing=""; for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false \
		-Ddebug_checks=true -Dbuildtype=debug $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

bench: build
	@mkdir -p $(BENCH_DIR)
	$(BUILD)/apps/svart-info/svart-info
	$(BUILD)/apps/svart-perf/svart-perf -- $(PERF_ARGS) --json $(BENCH_DIR)/perf.json
	$(BUILD)/apps/svart-perf/svart-perf -- $(PERF_ARGS2) --json $(BENCH_DIR)/perf_ops.json
	$(BUILD)/apps/svart-perf/svart-perf -- $(PERF_NULL) --json $(BENCH_DIR)/perf_null.json
	$(BUILD)/apps/svart-faultperf/svart-faultperf -- $(FAULT_ARGS) \
		--json $(BENCH_DIR)/faultperf.json --cdf $(BENCH_DIR)/fault_cdf.dat
	python3 apps/bench/report.py $(BENCH_DIR)

microbench: build
	meson test -C $(BUILD) --benchmark --verbose

test-plain: build
	-meson test -C $(BUILD) --print-errorlogs

test-asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	-meson test -C $(ASAN_BUILD) --print-errorlogs

# The threaded differential test under ThreadSanitizer (engines on threads,
# the fault service on a service lcore, the application polling).
$(TSAN_BUILD)/build.ninja:
	meson setup $(TSAN_BUILD) -Db_sanitize=thread -Db_lundef=false $(MESON_OPTS)

test-tsan: deps $(TSAN_BUILD)/build.ninja
	ninja -C $(TSAN_BUILD) test/diff/test_diff
	-SVART_DIFF_ROUNDS=20 SVART_DIFF_SECONDS=15 meson test -C $(TSAN_BUILD) --no-rebuild \
		--print-errorlogs diff

test: test-plain test-asan test-tsan
	@python3 test/summarize.py $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)

# The emulated device under libFuzzer (clang, ASan+UBSan, the library
# instrumented for coverage), for FUZZ_SECONDS on a copy of the seed corpus;
# not part of `make test` (which runs the harness's standalone driver briefly).
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_CORPUS  := $(FUZZ_BUILD)/fuzz-corpus
FUZZ_ARTIFACTS := $(FUZZ_BUILD)/fuzz-artifacts/
FUZZ_ENV     := ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1:suppressions=$(CURDIR)/test/fuzz/ubsan-known.supp
FUZZ_ARGS    := -max_total_time=$(FUZZ_SECONDS) -timeout=60 -max_len=4096 -print_final_stats=1 \
	-artifact_prefix=$(FUZZ_ARTIFACTS)

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link -Dbuildtype=debugoptimized $(MESON_OPTS)

.PHONY: fuzz
fuzz: deps
	@command -v clang >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends clang; }
	$(MAKE) $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD) test/fuzz/fuzz_emu_dsa_libfuzzer
	@mkdir -p $(FUZZ_CORPUS) $(FUZZ_ARTIFACTS)
	cp -n test/fuzz/corpus/* $(FUZZ_CORPUS)/
	$(FUZZ_ENV) $(FUZZ_BUILD)/test/fuzz/fuzz_emu_dsa_libfuzzer $(FUZZ_ARGS) $(FUZZ_CORPUS)
