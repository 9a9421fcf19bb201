#!/usr/bin/env bash
# A rank that dies before MPI_Finalize: the job ends (no hang) and, with the signal
# handler on, each rank has written its own reports, in a run folder of its own.
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
# Each rank wrote locally, in its own run folder (its pid ends the name).
runs=$(ls "$out" | grep -E '^[0-9]{8}-[0-9]{6}\.[0-9]{3}-[0-9]+$' || true)
n=$(printf '%s\n' "$runs" | grep -c . || true)
if [ "$n" -ne 2 ]; then echo "FAIL: expected 2 per-process run folders, found $n"; ls -a "$out"; exit 1; fi
for d in $runs; do
    f="$out/$d/wall.json"
    grep -qE '"prefix": ?"work"' "$f" || { echo "FAIL: $f lacks the work region"; exit 1; }
done
echo "crash test: ok (mpirun exit $rc, 2 local run folders)"
