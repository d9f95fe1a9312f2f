#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Hardware tests: run svart on every real Intel DSA path of this machine.
#   usage: run-hw-tests.sh BUILD_DIR
#
# Paths: each DSA PCI function bound to vfio-pci (driver idxd_vfio: VFIO device
# cdev + iommufd), and each DSA device of the kernel idxd driver with enabled
# user work queues (driver idxd_cdev: /dev/dsa/wqD.Q). On each path, in order:
# svart-info, a short svart-perf (data checked), svart-faultperf --quick (device
# page faults resolved for real: ops into never-touched memory) and
# hw_fresh_copy (copies and fills into and from fresh mmap'd memory, checked
# byte by byte). Any failed step makes the exit status 1.
#
# Without a usable path it exits 77 (skipped), listing what the machine lacks
# and how to get it. Environment (tests use these; see test/hw/test-hw-detect.sh):
#   SVART_SYSFS_ROOT, SVART_DEV_ROOT, SVART_PROC_ROOT  stand-ins for /sys, /dev, /proc
#   SVART_HW_DRY_RUN=1     print the commands ("would run: ...") instead of running them
#   SVART_HW_IGNORE_KVER=1 run VFIO on a kernel older than KVER_PASID_PAGING (backports)
#   SVART_HW_OUT           where the JSON reports go (default BUILD_DIR/hw-results)
set -u
build=${1:-build}
sys=${SVART_SYSFS_ROOT:-/sys}
devroot=${SVART_DEV_ROOT:-/dev}
proc=${SVART_PROC_ROOT:-/proc}
dry=${SVART_HW_DRY_RUN:-0}
out=${SVART_HW_OUT:-$build/hw-results}

readonly EXIT_SKIP=77
readonly DSA_VENDOR=0x8086
readonly DSA_DEVICE_IDS="0x0b25 0x11fb 0x1212"   # as drivers/idxd/idxd_vfio.c dsa_device_ids
# First kernel with each VFIO item; keep in step with SVART_KVER_* in
# drivers/common/compat/svart_uapi_iommu.h (test-hw-detect.sh checks it).
readonly KVER_VFIO_CDEV=6.6        # VFIO device cdev, /dev/vfio/devices/vfioN
readonly KVER_FAULT_QUEUE=6.11     # IOMMU_FAULT_QUEUE_ALLOC
readonly KVER_PASID_PAGING=6.15    # IOMMU_HWPT_ALLOC_PASID + VFIO_DEVICE_ATTACH_PASID
# VT-d ECAP_REG bit 43, Scalable Mode Translation Support (kernel
# drivers/iommu/intel/iommu.h ecap_smts()); sysfs shows ECAP in hex without 0x
# (intel_iommu_show_ecap()).
readonly ECAP_SMTS_BIT=43
readonly CAP_IPC_LOCK_BIT=14
# Locked memory a VFIO run needs: iommufd accounts every page it maps to
# RLIMIT_MEMLOCK unless the process has CAP_IPC_LOCK (iommufd pages.c
# iopt_alloc_pages()), and svart keeps faulted-in pages mapped until unbind.
# svart-faultperf --quick touches about 64 MiB; with margin:
readonly MEMLOCK_NEED_KIB=262144
readonly EAL_FRESH="-l 0 --no-huge -m 256 --no-shconf --no-pci --log-level=lib.eal:error"
readonly PERF_ARGS="--op copy,fill --size 64,4K,1M --burst 1,32 --duration 0.5"

lacks=()   # what keeps a path from running, each with how to get it
paths=()   # "label|devargs|queue modes" of each path that can run
notes=()

lack() { lacks+=("$1"); }

cpu_has() { grep -m1 '^flags' "$proc/cpuinfo" 2>/dev/null | grep -qw "$1"; }

# rw: read-write access for this user.
rw() { [ -r "$1" ] && [ -w "$1" ]; }

# kver_ge HAVE WANT: release HAVE (e.g. 6.15.0-rc1) is at least WANT (major.minor).
kver_ge() {
	local h=${1%%-*} hmaj hmin wmaj=${2%%.*} wmin=${2#*.}
	hmaj=${h%%.*}; h=${h#*.}; hmin=${h%%.*}
	[[ $hmaj =~ ^[0-9]+$ && $hmin =~ ^[0-9]+$ ]] || return 1
	[ "$hmaj" -gt "$wmaj" ] || { [ "$hmaj" -eq "$wmaj" ] && [ "$hmin" -ge "$wmin" ]; }
}

has_cap_ipc_lock() {
	local eff
	eff=$(awk '/^CapEff:/ { print $2 }' "$proc/self/status" 2>/dev/null)
	[ -n "$eff" ] && [ $(( (0x$eff >> CAP_IPC_LOCK_BIT) & 1 )) -eq 1 ]
}

# The IOMMU runs in scalable mode (PASID), as far as sysfs and the command
# line tell. Records what is missing (once) and fails otherwise.
iommu_rc=""
iommu_scalable() {
	[ -n "$iommu_rc" ] || { iommu_check; iommu_rc=$?; }
	return "$iommu_rc"
}

iommu_check() {
	local e v smts=0 found=0 cmdline
	for e in "$sys"/class/iommu/*/intel-iommu/ecap; do
		[ -r "$e" ] || continue
		found=1
		v=$(tr -d ' \n' < "$e")
		[[ $v =~ ^(0x)?[0-9a-fA-F]+$ ]] || continue
		[ $(( (0x${v#0x} >> ECAP_SMTS_BIT) & 1 )) -eq 1 ] && smts=1
	done
	if [ "$found" = 0 ]; then
		lack "no active Intel IOMMU (nothing in $sys/class/iommu/*/intel-iommu): enable VT-d in the BIOS and boot with intel_iommu=on,sm_on"
		return 1
	fi
	if [ "$smts" = 0 ]; then
		lack "the IOMMU has no scalable mode (bit $ECAP_SMTS_BIT, SMTS, clear in every $sys/class/iommu/*/intel-iommu/ecap): PASID needs a VT-d 3.0 IOMMU with scalable mode (the host of a Xeon with DSA has one; in a VM, give the virtual IOMMU scalable mode)"
		return 1
	fi
	cmdline=$(cat "$proc/cmdline" 2>/dev/null)
	if [[ $cmdline =~ intel_iommu=[^\ ]*sm_off ]]; then
		lack "the IOMMU is not in scalable mode: the kernel command line turns it off (sm_off); boot with intel_iommu=on,sm_on"
		return 1
	fi
	if ! [[ $cmdline =~ intel_iommu=[^\ ]*sm_on ]]; then
		notes+=("no sm_on on the kernel command line: scalable mode then depends on CONFIG_INTEL_IOMMU_SCALABLE_MODE_DEFAULT_ON; if a run fails with 'no fault-capable PASID page table', boot with intel_iommu=on,sm_on")
	fi
	return 0
}

is_dsa_function() {
	local f=$1 id
	[ "$(cat "$f/vendor" 2>/dev/null)" = "$DSA_VENDOR" ] || return 1
	id=$(cat "$f/device" 2>/dev/null)
	[[ " $DSA_DEVICE_IDS " == *" $id "* ]]
}

# A DSA function bound to vfio-pci: can idxd_vfio run on it?
check_vfio() {
	local bdf=$1 f=$2 node="" rel lim n
	if ! cpu_has movdir64b; then
		lack "VFIO $bdf: the CPU lacks MOVDIR64B (no movdir64b in $proc/cpuinfo flags): needs a Xeon Sapphire Rapids or later (in a VM: pass the CPU flags through, e.g. -cpu host)"
		return
	fi
	iommu_scalable || return
	rel=$(cat "$proc/sys/kernel/osrelease" 2>/dev/null)
	if [ "${SVART_HW_IGNORE_KVER:-0}" != 1 ] && ! kver_ge "$rel" "$KVER_PASID_PAGING"; then
		lack "VFIO $bdf: kernel ${rel:-unknown} is too old: idxd_vfio needs Linux >= $KVER_PASID_PAGING (PASID attach of a fault-capable page table: IOMMU_HWPT_ALLOC_PASID, VFIO_DEVICE_ATTACH_PASID), >= $KVER_FAULT_QUEUE (iommufd fault queue) and >= $KVER_VFIO_CDEV (VFIO device cdev); install a newer kernel (or set SVART_HW_IGNORE_KVER=1 if yours has these backported), or use the idxd char device instead"
		return
	fi
	if [ ! -e "$devroot/iommu" ]; then
		lack "VFIO $bdf: no $devroot/iommu: kernel without iommufd; build with CONFIG_IOMMUFD and load it (modprobe iommufd)"
		return
	fi
	for n in "$f"/vfio-dev/vfio*; do
		[ -e "$n" ] && node=$(basename "$n") && break
	done
	if [ -z "$node" ]; then
		lack "VFIO $bdf: no $f/vfio-dev/vfioN: kernel without the VFIO device cdev; build with CONFIG_VFIO_DEVICE_CDEV=y (Linux >= $KVER_VFIO_CDEV)"
		return
	fi
	if [ ! -e "$devroot/vfio/devices/$node" ]; then
		lack "VFIO $bdf: $devroot/vfio/devices/$node is missing although sysfs lists it: check udev / devtmpfs"
		return
	fi
	if ! rw "$devroot/iommu" || ! rw "$devroot/vfio/devices/$node"; then
		lack "VFIO $bdf: no read-write access to $devroot/iommu and $devroot/vfio/devices/$node: run as root or 'sudo chown $(id -un) $devroot/iommu $devroot/vfio/devices/$node' (or a udev rule)"
		return
	fi
	lim=$(ulimit -l)
	if [ "$lim" != unlimited ] && ! has_cap_ipc_lock && [ "$lim" -lt "$MEMLOCK_NEED_KIB" ]; then
		lack "VFIO $bdf: locked-memory limit ${lim} KiB is below ${MEMLOCK_NEED_KIB} KiB (iommufd pins and accounts every page the device touches): 'ulimit -l $MEMLOCK_NEED_KIB' (raise the hard limit in /etc/security/limits.conf: memlock), or run with CAP_IPC_LOCK"
		return
	fi
	paths+=("vfio-$bdf|idxd_vfio0,bdf=$bdf|dedicated")
}

# A DSA device of the kernel idxd driver: can idxd_cdev run on it?
check_cdev() {
	local dsa=$1 d=$sys/bus/dsa/devices/$1 num=${1#dsa} wq w mode modes="" any=0
	if [ "$(cat "$d/pasid_enabled" 2>/dev/null)" = 0 ]; then
		iommu_scalable
		lack "$dsa: the idxd driver runs it without PASID (pasid_enabled is 0): boot with intel_iommu=on,sm_on and use a kernel with CONFIG_INTEL_IDXD_SVM and CONFIG_INTEL_IOMMU_SVM"
		return
	fi
	for w in "$sys"/bus/dsa/devices/wq"$num".*; do
		[ "$(cat "$w/type" 2>/dev/null)" = user ] || continue
		[ "$(cat "$w/state" 2>/dev/null)" = enabled ] || continue
		any=1
		wq=$(basename "$w")
		mode=$(cat "$w/mode" 2>/dev/null)
		if [ ! -e "$devroot/dsa/$wq" ]; then
			lack "$dsa: $devroot/dsa/$wq is missing although $wq is an enabled user WQ: check udev / devtmpfs"
		elif ! rw "$devroot/dsa/$wq"; then
			lack "$dsa: no read-write access to $devroot/dsa/$wq: run as root or 'sudo chown $(id -un) $devroot/dsa/$wq' (or a udev rule)"
		elif [ "$mode" = shared ] && ! cpu_has enqcmd; then
			lack "$dsa: $wq is shared and the kernel offers no ENQCMD (no enqcmd in $proc/cpuinfo flags: CPU without it, or a kernel that does not manage IA32_PASID): use a dedicated WQ (accel-config config-wq $dsa/$wq --mode=dedicated) or a Sapphire Rapids or later CPU"
		elif [ "$mode" != shared ] && ! cpu_has movdir64b; then
			lack "$dsa: the CPU lacks MOVDIR64B (no movdir64b in $proc/cpuinfo flags), needed for dedicated WQ $wq: needs a Xeon Sapphire Rapids or later"
		elif [[ $modes != *"${mode:-dedicated}"* ]]; then
			modes+=${modes:+,}${mode:-dedicated}
		fi
	done
	if [ "$any" = 0 ]; then
		lack "$dsa: no enabled user work queue; configure one: accel-config config-engine $dsa/engine$num.0 --group-id=0 && accel-config config-wq $dsa/wq$num.0 --group-id=0 --type=user --driver-name=user --name=svart --mode=dedicated --wq-size=16 --priority=10 --block-on-fault=1 && accel-config enable-device $dsa && accel-config enable-wq $dsa/wq$num.0"
		return
	fi
	[ -n "$modes" ] && paths+=("cdev-$dsa|idxd_cdev0,dev=$dsa|$modes")
}

# ---- detection ----
nb_fn=0
for f in "$sys"/bus/pci/devices/*; do
	is_dsa_function "$f" || continue
	nb_fn=$((nb_fn + 1))
	bdf=$(basename "$f")
	drv=$(basename "$(readlink "$f/driver" 2>/dev/null)" 2>/dev/null)
	case "$drv" in
	vfio-pci) check_vfio "$bdf" "$f" ;;
	idxd) ;;   # checked through /sys/bus/dsa below
	*) lack "DSA function $bdf is bound to ${drv:-no driver}, neither vfio-pci nor idxd: for idxd_vfio bind it to vfio-pci (modprobe vfio-pci; driverctl set-override $bdf vfio-pci, or echo vfio-pci > /sys/bus/pci/devices/$bdf/driver_override && echo $bdf > /sys/bus/pci/drivers_probe); for idxd_cdev load the idxd driver (modprobe idxd)" ;;
	esac
done
nb_dsa=0
for d in "$sys"/bus/dsa/devices/dsa*; do
	[ -d "$d" ] || continue
	nb_dsa=$((nb_dsa + 1))
	check_cdev "$(basename "$d")"
done
if [ "$nb_fn" = 0 ] && [ "$nb_dsa" = 0 ]; then
	lack "no DSA PCI function (vendor $DSA_VENDOR, device ${DSA_DEVICE_IDS// /, }) under $sys/bus/pci/devices: needs a Xeon Sapphire Rapids or later with DSA enabled in the BIOS, or a DSA function passed through to this VM"
fi
if [ "${#paths[@]}" = 0 ]; then
	echo "skipped: no DSA path of this machine can run svart:"
	for l in "${lacks[@]}"; do
		echo "  - $l"
	done
	exit "$EXIT_SKIP"
fi
for l in "${lacks[@]}" "${notes[@]}"; do
	echo "note: $l"
done

# ---- the runs ----
failed=0
failed_steps=()
steps=0
step() {
	local what=$1 rc
	shift
	steps=$((steps + 1))
	if [ "$dry" = 1 ]; then
		echo "would run: $*"
		return
	fi
	echo "== $what: $*"
	"$@"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: $what (exit $rc)"
		failed=$((failed + 1))
		failed_steps+=("$what")
	fi
}

[ "$dry" = 1 ] || mkdir -p "$out" || { echo "FAIL: cannot create $out"; exit 1; }
for p in "${paths[@]}"; do
	IFS='|' read -r label devargs modes <<< "$p"
	echo "path $label: --dev $devargs (queue modes: $modes)"
	step "$label svart-info" "$build/apps/svart-info/svart-info" -- --dev "$devargs"
	# shellcheck disable=SC2086  # PERF_ARGS is a list of words
	step "$label svart-perf" "$build/apps/svart-perf/svart-perf" -- --dev "$devargs" \
		$PERF_ARGS --mode "$modes" --json "$out/perf-$label.json"
	step "$label svart-faultperf" "$build/apps/svart-faultperf/svart-faultperf" -- \
		--dev "$devargs" --quick --json "$out/faultperf-$label.json"
	# shellcheck disable=SC2086  # EAL_FRESH is a list of words
	step "$label fresh memory" "$build/test/hw/hw_fresh_copy" $EAL_FRESH -- "$devargs"
done
[ "$dry" = 1 ] && exit 0
# The summary in cmocka's words, which test/summarize.py counts.
echo "[==========] $steps test(s) run."
echo "[  PASSED  ] $((steps - failed)) test(s)."
if [ "$failed" != 0 ]; then
	echo "[  FAILED  ] $failed test(s), listed below:"
	printf '[  FAILED  ] %s\n' "${failed_steps[@]}"
	exit 1
fi
