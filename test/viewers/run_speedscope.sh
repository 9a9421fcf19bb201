#!/usr/bin/env bash
# The flame graphs of three programs opened in speedscope (headless Chromium): C++ calls far
# shorter than a microsecond (every function instrumented), a Python thread pool, and a
# graph of 100 000 nodes. Each must import with no console warning and come out of
# speedscope's own export equal to the file (test/viewers/speedscope_check.py).
# usage: run_speedscope.sh BUILD_DIR PYTHON
# Exit 77 (skipped, the reason printed) without Chromium or npm's speedscope.
set -euo pipefail
build="$(cd "$1" && pwd)"
python="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
check="$here/speedscope_check.py"
export SPEEDSCOPE_DIR="${SPEEDSCOPE_DIR:-$build/viewers/node_modules/speedscope}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
export TIMEMORY_COUT_OUTPUT=OFF

status=0
run_check() { # name trace
    local rc=0
    "$python" "$check" "$2" --screenshot "$work/$1.png" || rc=$?
    if [ "$rc" -eq 77 ]; then exit 77; fi
    [ "$rc" -eq 0 ] || status=1
}

"$build/bin/timemory-clang++" -O1 -g --timemory-min-instructions=0 --timemory-system-headers=1 \
    "$here/short_calls.cpp" -o short_calls
TIMEMORY_OUTPUT_PATH=cxx ./short_calls > /dev/null
run_check cxx cxx/latest/wall.flamegraph.json

PYTHONPATH="$build/python" TIMEMORY_OUTPUT_PATH=py "$python" -m timemory.profiler \
    "$here/pool.py" > /dev/null
run_check py py/latest/wall.flamegraph.json

TIMEMORY_OUTPUT_PATH=wide "$build/bin/tm-guest-app" wide 100000 > /dev/null
run_check wide wide/latest/wall.flamegraph.json

# Where to look at what speedscope drew: VIEWER_SCREENSHOTS=DIR keeps them.
if [ -n "${VIEWER_SCREENSHOTS:-}" ]; then cp "$work"/*.png "$VIEWER_SCREENSHOTS"/; fi
exit "$status"
