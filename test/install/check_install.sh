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
grep -qE '"prefix": ?"installed"' "$work/out-cmake/latest/wall.json"

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib/x86_64-linux-gnu/pkgconfig"
c++ -std=c++17 "$src/consumer/main.cpp" -o "$work/pc-consumer" $(pkg-config --cflags --libs timemory)
(cd "$work" && TIMEMORY_OUTPUT_PATH=out-pc TIMEMORY_COUT_OUTPUT=OFF "$work/pc-consumer")
grep -qE '"prefix": ?"installed"' "$work/out-pc/latest/wall.json"
test -x "$work/prefix/bin/timemory-avail"
test -x "$work/prefix/bin/timemory-run"

# The installed compiler wrapper finds the installed plugin and runtime.
if [ -x "$work/prefix/bin/timemory-clang++" ]; then
    "$work/prefix/bin/timemory-clang++" -O1 "$src/consumer/main.cpp" -o "$work/wrapped"
    (cd "$work" && TIMEMORY_OUTPUT_PATH=out-wrapped TIMEMORY_COUT_OUTPUT=OFF "$work/wrapped")
    grep -qE '"prefix": ?"main"' "$work/out-wrapped/latest/wall.json"
    grep -qE '"prefix": ?"installed"' "$work/out-wrapped/latest/wall.json"
fi
echo "install check passed"
