#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The hardware test's detection, on fake /sys, /dev and /proc trees: every
# reason to skip gives exit 77 and says what is missing and how to get it; a
# tree with everything gets past detection, and the commands it runs name the
# right device; a failing step fails the run.
#   usage: test-hw-detect.sh RUN_HW_TESTS_SH SVART_UAPI_IOMMU_H
set -u
script=$1
uapi=$2
readonly EXIT_SKIP=77
readonly NOBODY=65534
readonly ECAP_SMTS=$(( 1 << 43 ))
readonly ECAP_OTHER=0xf10f5e        # a few other capability bits, SMTS clear
readonly BDF=0000:6a:01.0
readonly BDF2=0000:e7:01.0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"                    # the unprivileged case reads it too
pass=0
fail=0
skipped=0
failed_names=()

ok() { pass=$((pass + 1)); echo "ok   $1"; }
# The run's output is indented, so that its own summary lines are not counted.
bad() {
	fail=$((fail + 1))
	failed_names+=("$1")
	echo "FAIL $1"
	shift
	printf '%s\n' "$@" | sed 's/^/     /'
}
skip() { skipped=$((skipped + 1)); echo "skip $1"; }

# A fresh tree with everything a VFIO path needs; the case then breaks one thing.
new_tree() {
	T=$tmp/t$((pass + fail))
	S=$T/sys D=$T/dev P=$T/proc B=$T/build
	mkdir -p "$S/bus/pci/devices" "$S/class/iommu/dmar0/intel-iommu" "$D/vfio/devices" \
		"$P/sys/kernel" "$P/self" "$B"
	printf '%x\n' $(( ECAP_SMTS | ECAP_OTHER )) > "$S/class/iommu/dmar0/intel-iommu/ecap"
	echo "processor : 0" > "$P/cpuinfo"
	echo "flags : fpu sse2 avx512f movdiri movdir64b enqcmd" >> "$P/cpuinfo"
	echo "BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on,sm_on iommufd" > "$P/cmdline"
	echo "6.15.0-rc1" > "$P/sys/kernel/osrelease"
	printf 'Name:\tbash\nCapEff:\t000001ffffffffff\n' > "$P/self/status"
	touch "$D/iommu"
}

# pci_fn BDF DRIVER: a DSA function bound to DRIVER ("" = none).
pci_fn() {
	local f=$S/bus/pci/devices/$1
	mkdir -p "$f"
	echo 0x8086 > "$f/vendor"
	echo 0x0b25 > "$f/device"
	if [ -n "$2" ]; then
		mkdir -p "$S/bus/pci/drivers/$2"
		ln -s "../../../bus/pci/drivers/$2" "$f/driver"
	fi
	if [ "$2" = vfio-pci ]; then
		mkdir -p "$f/vfio-dev/vfio3"
		touch "$D/vfio/devices/vfio3"
	fi
}

# dsa_dev N MODE: device dsaN of the idxd driver with one enabled user WQ.
dsa_dev() {
	local d=$S/bus/dsa/devices
	mkdir -p "$d/dsa$1" "$d/wq$1.0" "$D/dsa"
	echo 1 > "$d/dsa$1/pasid_enabled"
	echo user > "$d/wq$1.0/type"
	echo enabled > "$d/wq$1.0/state"
	echo "$2" > "$d/wq$1.0/mode"
	touch "$D/dsa/wq$1.0"
}

run() {
	SVART_SYSFS_ROOT=$S SVART_DEV_ROOT=$D SVART_PROC_ROOT=$P SVART_HW_OUT=$T/out \
		"$@" "$script" "$B" > "$T/log" 2>&1
}

# expect_skip NAME TEXT...: exit 77 and every TEXT in the output.
expect_skip() {
	local name=$1 rc
	shift
	run env SVART_HW_DRY_RUN=1
	rc=$?
	check_out "$name" "$rc" "$EXIT_SKIP" "$@"
}

check_out() {
	local name=$1 rc=$2 want=$3 t
	shift 3
	if [ "$rc" -ne "$want" ]; then
		bad "$name" "exit $rc, expected $want" "$(cat "$T/log")"
		return
	fi
	for t in "$@"; do
		if ! grep -qF -- "$t" "$T/log"; then
			bad "$name" "no '$t' in:" "$(cat "$T/log")"
			return
		fi
	done
	ok "$name"
}

# ---- skips ----
new_tree
expect_skip "no DSA at all" "skipped:" "no DSA PCI function" "Sapphire Rapids"

new_tree; pci_fn "$BDF" ""
expect_skip "function bound to no driver" "$BDF is bound to no driver" \
	"driverctl set-override $BDF vfio-pci" "driver_override" "modprobe idxd"

new_tree; pci_fn "$BDF" pci-stub
expect_skip "function bound to another driver" "$BDF is bound to pci-stub" "modprobe idxd"

new_tree; pci_fn "$BDF" vfio-pci
sed -i 's/ movdir64b//' "$P/cpuinfo"
expect_skip "VFIO: CPU without MOVDIR64B" "CPU lacks MOVDIR64B"

new_tree; pci_fn "$BDF" vfio-pci
rm -r "$S/class/iommu"
expect_skip "VFIO: no IOMMU" "no active Intel IOMMU" "intel_iommu=on,sm_on"

new_tree; pci_fn "$BDF" vfio-pci
printf '%x\n' "$ECAP_OTHER" > "$S/class/iommu/dmar0/intel-iommu/ecap"
expect_skip "VFIO: IOMMU without scalable mode" "no scalable mode (bit 43, SMTS"

new_tree; pci_fn "$BDF" vfio-pci
echo "root=/dev/sda1 intel_iommu=on,sm_off" > "$P/cmdline"
expect_skip "VFIO: scalable mode off on the command line" "(sm_off)" "intel_iommu=on,sm_on"

new_tree; pci_fn "$BDF" vfio-pci
echo "6.14.8-amd64" > "$P/sys/kernel/osrelease"
expect_skip "VFIO: kernel 6.14 too old for PASID attach" "kernel 6.14.8-amd64 is too old" \
	">= 6.15 (PASID attach" ">= 6.11 (iommufd fault queue)" "SVART_HW_IGNORE_KVER=1"

new_tree; pci_fn "$BDF" vfio-pci
echo "6.10.0" > "$P/sys/kernel/osrelease"
expect_skip "VFIO: kernel 6.10 without fault queue" "kernel 6.10.0 is too old"

new_tree; pci_fn "$BDF" vfio-pci
rm "$D/iommu"
expect_skip "VFIO: no /dev/iommu" "no $D/iommu" "CONFIG_IOMMUFD" "modprobe iommufd"

new_tree; pci_fn "$BDF" vfio-pci
rm -r "$S/bus/pci/devices/$BDF/vfio-dev"
expect_skip "VFIO: no device cdev" "CONFIG_VFIO_DEVICE_CDEV=y"

new_tree; pci_fn "$BDF" vfio-pci
printf 'CapEff:\t0000000000000000\n' > "$P/self/status"
# shellcheck disable=SC2016  # "$@" is for the inner shell
run bash -c 'ulimit -l 1024 && exec env SVART_HW_DRY_RUN=1 "$@"' memlock
check_out "VFIO: RLIMIT_MEMLOCK too low" $? "$EXIT_SKIP" "locked-memory limit 1024 KiB" \
	"ulimit -l" "CAP_IPC_LOCK"

# No access: chmod is no obstacle to root, so root runs the script as nobody.
new_tree; pci_fn "$BDF" vfio-pci
chmod -R a+rX "$T"
chmod 600 "$D/vfio/devices/vfio3"
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv > /dev/null; then
		run setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups env SVART_HW_DRY_RUN=1
		check_out "VFIO: no access to the device node" $? "$EXIT_SKIP" \
			"no read-write access to $D/iommu and $D/vfio/devices/vfio3"
	else
		skip "VFIO: no access to the device node (root without setpriv)"
	fi
else
	chmod 000 "$D/vfio/devices/vfio3"
	expect_skip "VFIO: no access to the device node" "no read-write access to $D/iommu"
fi

new_tree; pci_fn "$BDF" idxd; dsa_dev 0 dedicated
echo disabled > "$S/bus/dsa/devices/wq0.0/state"
expect_skip "idxd: no enabled user WQ" "dsa0: no enabled user work queue" \
	"accel-config config-wq dsa0/wq0.0" "--type=user" "accel-config enable-wq dsa0/wq0.0"

new_tree; pci_fn "$BDF" idxd; dsa_dev 0 dedicated
echo 0 > "$S/bus/dsa/devices/dsa0/pasid_enabled"
expect_skip "idxd: no PASID" "pasid_enabled is 0" "intel_iommu=on,sm_on"

new_tree; pci_fn "$BDF" idxd; dsa_dev 0 shared
sed -i 's/ enqcmd//' "$P/cpuinfo"
expect_skip "idxd: shared WQ without ENQCMD" "wq0.0 is shared and the kernel offers no ENQCMD"

new_tree; pci_fn "$BDF" idxd; dsa_dev 0 dedicated
sed -i 's/ movdir64b//' "$P/cpuinfo"
expect_skip "idxd: dedicated WQ without MOVDIR64B" "CPU lacks MOVDIR64B"

new_tree; pci_fn "$BDF" idxd; dsa_dev 0 dedicated
chmod -R a+rX "$T"
chmod 600 "$D/dsa/wq0.0"
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	run setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups env SVART_HW_DRY_RUN=1
	check_out "idxd: no access to the WQ node" $? "$EXIT_SKIP" \
		"no read-write access to $D/dsa/wq0.0"
elif [ "$(id -u)" != 0 ]; then
	chmod 000 "$D/dsa/wq0.0"
	expect_skip "idxd: no access to the WQ node" "no read-write access to $D/dsa/wq0.0"
else
	skip "idxd: no access to the WQ node (root without setpriv)"
fi

# ---- past detection ----
# Everything present: a VFIO function and an idxd device with both WQ modes.
everything() {
	new_tree
	pci_fn "$BDF" vfio-pci
	pci_fn "$BDF2" idxd
	dsa_dev 2 dedicated
	mkdir -p "$S/bus/dsa/devices/wq2.1"
	echo user > "$S/bus/dsa/devices/wq2.1/type"
	echo enabled > "$S/bus/dsa/devices/wq2.1/state"
	echo shared > "$S/bus/dsa/devices/wq2.1/mode"
	touch "$D/dsa/wq2.1"
}
everything
run env SVART_HW_DRY_RUN=1
vf="idxd_vfio0,bdf=$BDF" cd="idxd_cdev0,dev=dsa2"
check_out "everything present: dry run" $? 0 \
	"would run: $B/apps/svart-info/svart-info -- --dev $vf" \
	"would run: $B/apps/svart-perf/svart-perf -- --dev $vf --op copy,fill" \
	"--mode dedicated --json" \
	"would run: $B/apps/svart-faultperf/svart-faultperf -- --dev $vf --quick" \
	"would run: $B/test/hw/hw_fresh_copy -l 0" "-- $vf" \
	"would run: $B/apps/svart-info/svart-info -- --dev $cd" \
	"would run: $B/apps/svart-faultperf/svart-faultperf -- --dev $cd --quick" \
	"--mode dedicated,shared --json" "-- $cd"
n=$(grep -c '^would run:' "$T/log")
if [ "$n" -eq 8 ]; then ok "everything present: 4 steps on each of 2 paths"; else
	bad "everything present: 4 steps on each of 2 paths" "$n commands" "$(cat "$T/log")"; fi

# One path usable, the other not: the usable one runs, the other is a note.
new_tree; pci_fn "$BDF" vfio-pci; pci_fn "$BDF2" ""
run env SVART_HW_DRY_RUN=1
check_out "one usable path of two" $? 0 "note: DSA function $BDF2 is bound to no driver" \
	"would run: $B/apps/svart-info/svart-info -- --dev idxd_vfio0,bdf=$BDF"

new_tree; pci_fn "$BDF" vfio-pci
echo "6.12.1" > "$P/sys/kernel/osrelease"
run env SVART_HW_DRY_RUN=1 SVART_HW_IGNORE_KVER=1
check_out "SVART_HW_IGNORE_KVER=1 passes an older kernel" $? 0 "would run:"

# ---- real runs with stand-in programs: a failing step fails the run ----
stub() {
	mkdir -p "$(dirname "$1")"
	# shellcheck disable=SC2016  # $0 and $* are the stub's
	printf '#!/bin/sh\necho "$0 $*" >> %s/calls\nexit %s\n' "$T" "$2" > "$1"
	chmod +x "$1"
}
stubs() {
	stub "$B/apps/svart-info/svart-info" 0
	stub "$B/apps/svart-perf/svart-perf" 0
	stub "$B/apps/svart-faultperf/svart-faultperf" 0
	stub "$B/test/hw/hw_fresh_copy" 0
}
everything; stubs
run env
check_out "every step passes" $? 0 "[  PASSED  ] 8 test(s)."
if grep -q -- "--dev idxd_vfio0,bdf=$BDF" "$T/calls" && grep -q -- "-- idxd_cdev0,dev=dsa2" "$T/calls"
then ok "the programs got the devices"; else bad "the programs got the devices" "$(cat "$T/calls")"; fi

for prog in apps/svart-info/svart-info apps/svart-perf/svart-perf \
	    apps/svart-faultperf/svart-faultperf test/hw/hw_fresh_copy; do
	everything; stubs
	stub "$B/$prog" 1
	run env
	rc=$?
	check_out "failing ${prog##*/} fails the run" "$rc" 1 "FAIL:" "[  PASSED  ] 6 test(s)." \
		"[  FAILED  ] 2 test(s), listed below:" "[  FAILED  ] cdev-dsa2 "
done

# ---- the kernel releases agree with the C side ----
for k in VFIO_CDEV FAULT_QUEUE PASID_PAGING; do
	c=$(sed -n "s/^#define SVART_KVER_$k \"\(.*\)\"/\1/p" "$uapi")
	s=$(sed -n "s/^readonly KVER_$k=\([0-9.]*\).*/\1/p" "$script")
	if [ -n "$c" ] && [ "$c" = "$s" ]; then ok "KVER_$k = $c in both"; else
		bad "KVER_$k" "header '$c', script '$s'"; fi
done

# The summary in cmocka's words, which test/summarize.py counts.
echo "[==========] $((pass + fail)) test(s) run."
echo "[  PASSED  ] $pass test(s)."
[ "$skipped" = 0 ] || echo "[  SKIPPED ] $skipped test(s)"
if [ "$fail" != 0 ]; then
	echo "[  FAILED  ] $fail test(s), listed below:"
	printf '[  FAILED  ] %s\n' "${failed_names[@]}"
	exit 1
fi
