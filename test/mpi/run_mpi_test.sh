#!/usr/bin/env bash
# Runs the MPI test program on N ranks with the given environment and checks the reports.
# usage: run_mpi_test.sh MPIRUN APP CHECKER PYTHON NRANKS [--preload LIB] [app-args] @@ [checker-flags] [VAR=value...]
# (@@, not --, ends the program's arguments: they may hold a -- of their own)
set -euo pipefail
mpirun="$1" app="$2" checker="$3" python="$4" n="$5"
shift 5
preload=()
if [ "${1:-}" = "--preload" ]; then preload=(-x "LD_PRELOAD=$2"); shift 2; fi
app_args=()
while [ $# -gt 0 ] && [ "$1" != "@@" ]; do app_args+=("$1"); shift; done
[ "${1:-}" = "@@" ] && shift
checker_flags=()
envs=()
for a in "$@"; do
    case "$a" in
        --*) checker_flags+=("$a") ;;
        *=*) envs+=(-x "$a") ;;
    esac
done
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# As root, OpenMPI needs --allow-run-as-root; more ranks than cores need --oversubscribe.
timeout 120 "$mpirun" --allow-run-as-root --oversubscribe -np "$n" \
    -x TIMEMORY_OUTPUT_PATH="$out" -x TIMEMORY_COUT_OUTPUT=OFF "${preload[@]}" "${envs[@]}" \
    "$app" "${app_args[@]}"
"$python" "$checker" "$out" "$n" "${checker_flags[@]}"
