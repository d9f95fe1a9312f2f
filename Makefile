# SPDX-License-Identifier: BSD-3-Clause
# Front door: `make bench` runs the benchmarks on the emulated device,
# `make test` runs the test suite twice (plain, then ASan+UBSan).

BUILD      ?= build
ASAN_BUILD ?= build-asan
MESON_OPTS ?=
QUICK      ?=

# Debian packages the build, tests and benchmarks need.
DEB_PKGS := meson ninja-build pkg-config gcc g++ python3 libdpdk-dev libhwloc-dev \
            libnuma-dev libcmocka-dev libbenchmark-dev gnuplot-nox
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

BENCH_ARGS := --op copy,fill,crc32c --size 64,256,4K,64K,1M --burst 1,32 --mode dedicated,shared
ifneq ($(QUICK),)
BENCH_ARGS := --op copy --size 64,4K --burst 1,32 --mode dedicated --duration 0.3
endif

.PHONY: all deps build bench test test-plain test-asan clean

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
	@mkdir -p $(BUILD)/bench
	$(BUILD)/apps/svart-info/svart-info
	$(BUILD)/apps/svart-perf/svart-perf -- $(BENCH_ARGS) --json $(BUILD)/bench/perf.json
	@echo "results: $(BUILD)/bench/perf.json"

test-plain: build
	-meson test -C $(BUILD) --print-errorlogs

test-asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	-meson test -C $(ASAN_BUILD) --print-errorlogs

test: test-plain test-asan
	@python3 test/summarize.py $(BUILD) $(ASAN_BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
