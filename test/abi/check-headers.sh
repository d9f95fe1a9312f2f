#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The public headers compile cleanly as C99 and C++17 with -pedantic -Wextra
# -Werror (DPDK's own headers are system headers here).
#   usage: check-headers.sh CC CXX BUILD_DIR INCLUDE_DIR... -- HEADER...
set -eu
cc=$1 cxx=$2 build=$3
shift 3
inc=()
while [ "$1" != -- ]; do inc+=(-I"$1"); shift; done
shift
dpdk=$(pkg-config --cflags-only-I libdpdk | sed 's/-I/-isystem /g')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for h in "$@"; do echo "#include <$(basename "$h")>"; done > "$tmp/all.c"
echo 'int main(void) { return 0; }' >> "$tmp/all.c"
cp "$tmp/all.c" "$tmp/all.cc"
# shellcheck disable=SC2086
"$cc" -std=c99 -pedantic -Wall -Wextra -Werror -I"$build/config" "${inc[@]}" $dpdk -c "$tmp/all.c" -o "$tmp/c.o"
echo "C99 -pedantic: clean ($# headers)"
# shellcheck disable=SC2086
"$cxx" -std=c++17 -pedantic -Wall -Wextra -Werror -I"$build/config" "${inc[@]}" $dpdk -c "$tmp/all.cc" -o "$tmp/cc.o"
echo "C++17 -pedantic: clean"
