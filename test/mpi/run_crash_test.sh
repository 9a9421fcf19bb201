#!/usr/bin/env bash
# A rank that dies before MPI_Finalize: the job ends (no hang) and, with the signal
# handler on, each rank has written its own reports, pid in the file names.
# usage: run_crash_test.sh MPIRUN APP
set -uo pipefail
mpirun="$1" app="$2"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
timeout 120 "$mpirun" --allow-run-as-root --oversubscribe -np 2 -x TIMEMORY_OUTPUT_PATH="$out" \
    -x TIMEMORY_COUT_OUTPUT=OFF -x TIMEMORY_ENABLE_SIGNAL_HANDLER=ON "$app" crash > "$out.log" 2>&1
rc=$?
if [ "$rc" -eq 124 ]; then echo "FAIL: the job hung"; exit 1; fi
if [ "$rc" -eq 0 ]; then echo "FAIL: a crashed rank must fail the job"; exit 1; fi
n=$(ls "$out" | grep -cE '^wall-[0-9]+\.json$')
if [ "$n" -ne 2 ]; then echo "FAIL: expected 2 per-process reports, found $n"; ls "$out"; exit 1; fi
for f in "$out"/wall-*.json; do
    case "$f" in *.tree.json|*.flamegraph.json) continue ;; esac
    grep -q '"prefix": "work"' "$f" || { echo "FAIL: $f lacks the work region"; exit 1; }
done
echo "crash test: ok (mpirun exit $rc, 2 local reports)"
