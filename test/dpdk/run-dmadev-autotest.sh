#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# DPDK's own dmadev test suite (dpdk-test dmadev_autotest, Debian package
# dpdk-dev) against svart's dmadev driver: the copy, burst-capacity,
# error-handling and fill tests run on a dma_svart device over the emulated
# DSA. Skipped (77), saying why, without dpdk-test.
#   usage: run-dmadev-autotest.sh MODULE [VDEV_ARGS]
set -u
module=$1
vdev=${2:-dma_svart0,dev=idxd_emu0}
test_bin=$(command -v dpdk-test) || { echo "skipped: dpdk-test not found (apt-get install dpdk-dev)"; exit 77; }
[ -f "$module" ] || { echo "error: $module not built"; exit 1; }

# EAL loads a -d plug-in only from a directory that neither it nor a parent
# lets everyone write (a clone under /tmp fails that): preload it instead.
load=(-d "$module")
preload=""
dir=$(dirname "$(readlink -f "$module")")
while [ "$dir" != / ]; do
	if [ -n "$(find "$dir" -maxdepth 0 -perm -o+w 2>/dev/null)" ]; then
		echo "note: $dir is world-writable, EAL would refuse -d: loading with LD_PRELOAD"
		load=()
		preload=$module
		break
	fi
	dir=$(dirname "$dir")
done
# A module built with AddressSanitizer needs its runtime loaded first.
asan=$(ldd "$module" | awk '/libasan/ {print $3}')
if [ -n "$asan" ]; then
	preload="$asan${preload:+:$preload}"
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
# The preload goes to dpdk-test only, not to the tools this script runs.
LD_PRELOAD="$preload" DPDK_TEST=dmadev_autotest timeout 600 "$test_bin" --no-huge -m 512 \
	--no-pci -l 0-1 --file-prefix "svart_dmadev_$$" "${load[@]}" --vdev="$vdev" >"$out" 2>&1
rc=$?
# The copy test prints a progress counter with carriage returns: keep the rest.
tr '\r' '\n' <"$out" | sed 's/Ops submitted/\nOps submitted/g' | grep -v '^Ops submitted' | grep -v '^$'
grep -q "### Test dmadev instance 0 \[${vdev%%,*}\]" "$out" ||
	{ echo "FAIL: the dma_svart device was not tested"; exit 1; }
for t in copy "burst capacity" "error handling" fill; do
	grep -q "DMA Dev 0: Running $t Tests" "$out" || { echo "FAIL: the $t tests did not run"; exit 1; }
done
exit $rc
