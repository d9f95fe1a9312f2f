#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build the API reference and fail on any Doxygen warning.
#   usage: run-doxygen.sh DOXYGEN DOXYFILE OUTDIR
# OUTDIR is made afresh and receives html/ and doxygen-warnings.log. The
# Doxyfile already has WARN_AS_ERROR = FAIL_ON_WARNINGS; the warning log (and
# Doxygen's own output, where configuration problems go) must also be empty
# of warnings and errors. Used by the `doc` target and the `api_doc` test.
set -eu
doxygen=$1 doxyfile=$2 out=$3
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/doxygen-warnings.log
status=0
{
	cat "$doxyfile"
	printf '\nOUTPUT_DIRECTORY = "%s"\nWARN_LOGFILE = "%s"\n' "$out" "$log"
} | "$doxygen" - >"$out/doxygen.out" 2>&1 || status=$?
if [ -s "$log" ] || grep -qiE 'warning|error' "$out/doxygen.out"; then
	cat "$log" "$out/doxygen.out" >&2
	n=$(grep -cE '(warning|error):' "$log" || true)
	echo "doxygen: $n warning(s) in the public headers (exit status $status)" >&2
	exit 1
fi
if [ "$status" -ne 0 ]; then
	cat "$out/doxygen.out" >&2
	echo "doxygen failed with exit status $status" >&2
	exit 1
fi
echo "API reference: $out/html/index.html (no warnings)"
