#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Hardware tests: run svart on a real Intel DSA through the kernel idxd char
# device. Exits 77 (skipped), saying why, on a machine without one.
#   usage: run-hw-tests.sh BUILD_DIR
set -u
build=${1:-build}
sysfs=${SVART_SYSFS_ROOT:-/sys}/bus/dsa/devices
dev=${SVART_DEV_ROOT:-/dev}/dsa
# A DSA function bound to vfio-pci: run through VFIO + iommufd.
pci=${SVART_SYSFS_ROOT:-/sys}/bus/pci/devices
for f in "$pci"/*; do
	[ -e "$f/vendor" ] || continue
	if [ "$(cat "$f/vendor")" = 0x8086 ] && grep -qE '0x0b25|0x11fb|0x1212' "$f/device" &&
	   [ "$(basename "$(readlink "$f/driver" 2>/dev/null)")" = vfio-pci ]; then
		grep -qw movdir64b /proc/cpuinfo || { echo "skipped: CPU without MOVDIR64B"; exit 77; }
		set -e
		"$build/apps/svart-info/svart-info" -- --dev "idxd_vfio0,bdf=$(basename "$f")"
		"$build/apps/svart-perf/svart-perf" -- --dev "idxd_vfio0,bdf=$(basename "$f")" \
			--op copy --size 64,4K,1M --burst 1,32 --duration 0.5
		"$build/apps/svart-faultperf/svart-faultperf" -- --quick || true
		echo "1 passed, 0 failed"
		exit 0
	fi
done
if [ ! -d "$sysfs" ]; then
	echo "skipped: no $sysfs (no DSA device, or the idxd driver is not loaded)"
	exit 77
fi
wq=""
for d in "$sysfs"/wq*; do
	[ -e "$d/type" ] || continue
	if [ "$(cat "$d/type")" = user ] && [ "$(cat "$d/state" 2>/dev/null)" = enabled ]; then
		wq=$(basename "$d")
		break
	fi
done
if [ -z "$wq" ]; then
	echo "skipped: no enabled user work queue (configure one with accel-config)"
	exit 77
fi
if [ ! -w "$dev/$wq" ]; then
	echo "skipped: $dev/$wq is not writable by this user"
	exit 77
fi
grep -qw movdir64b /proc/cpuinfo || { echo "skipped: CPU without MOVDIR64B"; exit 77; }
set -e
"$build/apps/svart-info/svart-info" -- --dev idxd_cdev0
"$build/apps/svart-perf/svart-perf" -- --dev idxd_cdev0 --op copy,fill,crc32c --size 64,4K,1M \
	--burst 1,32 --duration 0.5
echo "1 passed, 0 failed"
