#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# DPDK telemetry of a process running svart through dma_svart: the dmadev
# appears under /dmadev/list with named capabilities, svart's own endpoints
# name capabilities and ops, give per-queue counters and clear errors.
# Skipped (77) without dpdk-test / dpdk-telemetry.py (Debian dpdk-dev).
#   usage: run-telemetry-check.sh MODULE
set -u
module=$1
command -v dpdk-test >/dev/null && command -v dpdk-telemetry.py >/dev/null ||
	{ echo "skipped: dpdk-test or dpdk-telemetry.py not found (apt-get install dpdk-dev)"; exit 77; }
prefix="svart_tele_$$"
preload=$module
asan=$(ldd "$module" | awk '/libasan/ {print $3}')
[ -n "$asan" ] && preload="$asan:$preload" && export ASAN_OPTIONS=detect_leaks=0
# dpdk-test waits at its prompt (reading stdin) while the queries run; the
# preload goes to it only.
(sleep 6; echo quit) | LD_PRELOAD="$preload" dpdk-test --no-huge -m 512 --no-pci -l 0-1 --file-prefix "$prefix" \
	--vdev=dma_svart0,dev=idxd_emu0 >/dev/null 2>&1 &
app=$!
out=""
for _ in $(seq 50); do
	out=$(printf '/dmadev/list\n/dmadev/info,0\n/svart/accel/info,0\n/svart/accel/stats,0\n/svart/accel/info,99\n/svart/iopf/latency_hist\n' |
	      dpdk-telemetry.py -f "$prefix" 2>/dev/null)
	grep -q '"/dmadev/list"' <<<"$out" && break
	sleep 0.1
done
wait $app
echo "$out"
fail=0
for want in '"/dmadev/list": \[0\]' '"name": "dma_svart0"' '"sva": 1' '"handles_errors": 1' \
	    '"capabilities": {"sva": 1' '"ops": {' '"error": "no such device' '"/svart/iopf/latency_hist"'; do
	grep -q -- "$want" <<<"$out" || { echo "FAIL: telemetry lacks $want"; fail=1; }
done
exit $fail
