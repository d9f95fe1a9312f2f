#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The applications' command lines, as DPDK applications take them
# ("[EAL options] -- [options]"): every bad option, value or argument is
# refused with a non-zero exit status (2: bad option, 1: the run failed) and a
# message naming what is wrong; --help exits 0 and lists every option with
# its default; a few good command lines still run. One line per case, then a
# cmocka-style summary (test/summarize.py counts it).
#   usage: run-app-cli-tests.sh BUILD_DIR
set -u
build=${1:?usage: run-app-cli-tests.sh BUILD_DIR}
perf=$build/apps/svart-perf/svart-perf
fault=$build/apps/svart-faultperf/svart-faultperf
info=$build/apps/svart-info/svart-info
plugin=$build/test/plugins/svart_pmd_testcpu.so
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
case_timeout=60

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=()

ok() { passed=$((passed + 1)); echo "ok   - $1"; }
ko() { failed+=("$1"); echo "FAIL - $1: $2"; sed 's/^/       | /' "$tmp/err" | head -20; }

# run CMD...: stdout to $tmp/out, stderr to $tmp/err, status in $rc.
run() {
	timeout "$case_timeout" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# bad STATUS PATTERN CMD...: CMD exits STATUS and its stderr holds PATTERN.
bad() {
	local want=$1 pat=$2 name
	shift 2
	name="$(basename "$1") ${*:2}"
	run "$@"
	if [ "$rc" -ne "$want" ]; then
		ko "$name" "exit $rc, expected $want"
	elif ! grep -qF -- "$pat" "$tmp/err"; then
		ko "$name" "stderr does not name '$pat'"
	else
		ok "$name (exit $rc, names $pat)"
	fi
}

# good PATTERN CMD...: CMD exits 0 and its stdout holds PATTERN.
good() {
	local pat=$1 name
	shift
	name="$(basename "$1") ${*:2}"
	run "$@"
	if [ "$rc" -ne 0 ]; then
		ko "$name" "exit $rc, expected 0"
	elif ! grep -qF -- "$pat" "$tmp/out"; then
		ko "$name" "stdout does not hold '$pat'"
	else
		ok "$name"
	fi
}

# help APP OPTION...: both helps exit 0; each lists every option, with a default.
help() {
	local app=$1 name missing opt form
	shift
	for form in "-- --help" "-- -h" "--help"; do
		name="$(basename "$app") $form"
		missing=""
		# shellcheck disable=SC2086
		run "$app" $form
		for opt in "$@"; do
			grep -qE -- "^  --$opt( |$)" "$tmp/out" || missing="$missing --$opt"
		done
		if [ "$rc" -ne 0 ]; then
			ko "$name" "exit $rc, expected 0"
		elif [ -n "$missing" ]; then
			ko "$name" "does not list$missing"
		elif [ "$(grep -c 'default: ' "$tmp/out")" -lt $# ]; then
			ko "$name" "not every option shows its default"
		elif ! grep -q "exit status" "$tmp/out"; then
			ko "$name" "does not document the exit status"
		else
			ok "$name lists $*"
		fi
	done
}

# ---- svart-perf ----------------------------------------------------------
help "$perf" dev op size burst mode depth duration json peers rounds
bad 2 --size "$perf" -- --size 4G
bad 2 --size "$perf" -- --size 3G                  # above the device's largest transfer
bad 2 --size "$perf" -- --size 4X
bad 2 --size "$perf" -- --size 64,abc
bad 2 --size "$perf" -- --size 64,,4K
bad 2 --size "$perf" -- --size 0
bad 2 --size "$perf" -- --size -64
bad 2 --depth "$perf" -- --depth abc
bad 2 --depth "$perf" -- --depth 0
bad 2 --depth "$perf" -- --depth 1000              # not a power of two
bad 2 --depth "$perf" -- --depth 8                 # below the device's smallest ring
bad 2 --duration "$perf" -- --duration 0
bad 2 --duration "$perf" -- --duration -1
bad 2 --duration "$perf" -- --duration abc
bad 2 --rounds "$perf" -- --rounds 0
bad 2 --rounds "$perf" -- --rounds 101
bad 2 --burst "$perf" -- --burst 0
bad 2 --burst "$perf" -- --burst 1,x
bad 2 --burst "$perf" -- --burst 64 --depth 32
bad 2 --op "$perf" -- --op bogus
bad 2 --op "$perf" -- --op copy,bogus
bad 2 --mode "$perf" -- --mode bogus
bad 2 --json "$perf" -- --json /nonexistent/dir/perf.json
bad 2 --json "$perf" -- --json "$tmp"
bad 2 --peers "$perf" -- --peers=1
bad 2 --size "$perf" -- --size
bad 2 --bogus "$perf" -- --bogus
bad 2 "'stray'" "$perf" -- stray
bad 2 --size "$perf" --size 64                     # an application option before "--"
bad 1 --dev "$perf" -- --dev nosuch0 --duration 0.01

# ---- svart-faultperf -------------------------------------------------------
help "$fault" dev faults stream-mib json cdf quick
bad 2 --faults "$fault" -- --faults -5
bad 2 --faults "$fault" -- --faults 0
bad 2 --faults "$fault" -- --faults abc
bad 2 --faults "$fault" -- --faults 100001
bad 2 --stream-mib "$fault" -- --stream-mib 0
bad 2 --stream-mib "$fault" -- --stream-mib 4K
bad 2 --stream-mib "$fault" -- --stream-mib 1025
bad 2 --json "$fault" -- --json /nonexistent/dir/fault.json
bad 2 --cdf "$fault" -- --cdf /nonexistent/dir/fault.cdf
bad 2 --cdf "$fault" -- --cdf "$tmp"
bad 2 --quick "$fault" -- --quick=1
bad 2 --faults "$fault" -- --faults
bad 2 --bogus "$fault" -- --bogus
bad 2 "'stray'" "$fault" -- stray
bad 2 --faults "$fault" --faults 5
bad 1 --dev "$fault" -- --dev nosuch0 --faults 10 --stream-mib 1

# ---- svart-info -------------------------------------------------------------
help "$info" dev
bad 2 --bogus "$info" -- --bogus
bad 2 --dev "$info" -- --dev
bad 2 --dev "$info" -- --dev=
# shellcheck disable=SC2046
bad 2 --dev "$info" -- $(printf -- '--dev idxd_emu%d ' $(seq 17))
bad 2 "'stray'" "$info" -- stray
bad 2 --dev "$info" --dev idxd_emu0
bad 1 --dev "$info" -- --dev nosuch0

# ---- the EAL's part ----------------------------------------------------------
bad 2 --bogus-eal "$info" --bogus-eal --
bad 2 "'stray'" "$info" -l 0-1 --no-huge --no-shconf --no-pci --no-telemetry stray --
if grep -qE '^HugePages_Total: +0$' /proc/meminfo; then
	bad 1 --no-huge "$info" -l 0-1 --no-shconf --no-pci --
else
	echo "skip - the no-hugepages hint (this machine has hugepages)"
fi

# ---- good command lines still run --------------------------------------------
eal=(-l 0-1 --no-huge -m 256 --no-shconf --no-pci --no-telemetry --log-level='*:error')
good "max transfer" "$info"
good "max transfer" "$info" "${eal[@]}" -- --dev idxd_emu0,engine=manual --dev idxd_emu1
good "check" "$perf" -- --size 64,4K --burst 1,32 --duration 0.05 --json "$tmp/perf.json"
if python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$tmp/perf.json" 2>"$tmp/err"; then
	ok "svart-perf --json writes JSON"
else
	ko "svart-perf --json writes JSON" "not valid JSON"
fi
good "engine=manual" "$perf" "${eal[@]}" -- --dev idxd_emu0,engine=manual --size 4K --burst 8 \
	--duration 0.05
good "ratios" "$fault" -- --faults 50 --stream-mib 1 --json "$tmp/fault.json" --cdf "$tmp/fault.cdf"
good "50 faults, 1 MiB streams" "$fault" -- --quick --faults 50 --stream-mib 1
good "2000 faults, 16 MiB streams" "$fault" -- --quick
if [ -f "$plugin" ]; then
	export SVART_PLUGIN_PATH=$plugin
	good "not the emulated device" "$perf" -- --dev testcpu0 --size 64 --burst 1 --duration 0.05
	bad 2 --op "$perf" -- --dev testcpu0 --op crc32c
	good "cannot block on faults" "$fault" -- --dev testcpu0 --faults 50 --stream-mib 1
	unset SVART_PLUGIN_PATH
else
	echo "skip - non-emulated device cases ($plugin not built)"
fi

echo "[==========] $((passed + ${#failed[@]})) test(s) run."
echo "[  PASSED  ] $passed test(s)."
if [ ${#failed[@]} -gt 0 ]; then
	echo "[  FAILED  ] ${#failed[@]} test(s), listed below:"
	for f in "${failed[@]}"; do
		echo "[  FAILED  ] $f"
	done
	exit 1
fi
exit 0
