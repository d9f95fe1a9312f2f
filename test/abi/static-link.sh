#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build examples/hello_copy.c the way the README tells users to, against an
# installed svart (a DESTDIR install of this build): with the shared library
# (pkg-config --libs svart) and statically (pkg-config --static --libs svart,
# which keeps the built-in drivers with --whole-archive), and run both.
#   usage: static-link.sh BUILD_DIR SOURCE_DIR
set -eu
build=$(readlink -f "$1") src=$(readlink -f "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
DESTDIR="$tmp/root" meson install -C "$build" --quiet --no-rebuild >/dev/null
# The .pc files name the configured prefix: point them at the DESTDIR copy.
mkdir "$tmp/pc"
for f in $(find "$tmp/root" -name 'svart*.pc'); do
	sed "s|^prefix=|prefix=$tmp/root|" "$f" > "$tmp/pc/$(basename "$f")"
done
export PKG_CONFIG_PATH="$tmp/pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
pkc=(pkg-config)
cflags=$("${pkc[@]}" --cflags svart)
# An ASan build's objects need the sanitizer runtime at link time too.
san=$(grep -o -- "-fsanitize=[a-z,]*" "$build/build.ninja" | head -1 || true)
libdir=$("${pkc[@]}" --variable=libdir svart)
eal=(-l 0-1 --no-huge -m 256 --no-shconf --no-pci --no-telemetry --log-level='*:error')
export ASAN_OPTIONS=detect_leaks=0
# shellcheck disable=SC2086
cc $san $cflags "$src/examples/hello_copy.c" -o "$tmp/hello_shared" $("${pkc[@]}" --libs svart)
LD_LIBRARY_PATH="$libdir" "$tmp/hello_shared" "${eal[@]}"
echo "shared: ok ($(ldd "$tmp/hello_shared" | grep -c libsvart) libsvart.so loaded)"
# shellcheck disable=SC2086
cc $san $cflags "$src/examples/hello_copy.c" -o "$tmp/hello_static" $("${pkc[@]}" --static --libs svart)
if ldd "$tmp/hello_static" | grep -q libsvart; then
	echo "FAIL: the static link still needs libsvart.so"; exit 1
fi
"$tmp/hello_static" "${eal[@]}"
echo "static: ok (no libsvart.so; built-in drivers kept)"
