#!/usr/bin/env bash
# Installs the build into a temporary prefix and builds a consumer twice: with
# find_package(timemory) and with pkg-config. Both must run and write a report.
set -euo pipefail
build="$1"; src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > /dev/null

cmake -S "$src/consumer" -B "$work/cmake-build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" > /dev/null
cmake --build "$work/cmake-build" > /dev/null
(cd "$work" && TIMEMORY_OUTPUT_PATH=out-cmake TIMEMORY_COUT_OUTPUT=OFF "$work/cmake-build/consumer")
grep -q '"prefix": "installed"' "$work/out-cmake/wall.json"

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib/x86_64-linux-gnu/pkgconfig"
c++ -std=c++17 "$src/consumer/main.cpp" -o "$work/pc-consumer" $(pkg-config --cflags --libs timemory)
(cd "$work" && TIMEMORY_OUTPUT_PATH=out-pc TIMEMORY_COUT_OUTPUT=OFF "$work/pc-consumer")
grep -q '"prefix": "installed"' "$work/out-pc/wall.json"
test -x "$work/prefix/bin/timemory-avail"
echo "install check passed"
