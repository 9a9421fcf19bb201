#!/usr/bin/env bash
# An output folder the other ranks do not see (node-local disks): rank 1 runs in a mount
# namespace of its own with an empty tmpfs over the output folder, so it cannot write its
# entries of the per-rank files where rank 0 looks; rank 0 must format them itself and the
# reports must be complete. Exit 77 (skipped) where mount namespaces are not allowed.
# usage: run_unshared_test.sh MPIRUN APP CHECKER PYTHON
set -euo pipefail
mpirun="$1" app="$2" checker="$3" python="$4"
probe="$(mktemp -d)"
if ! unshare -m sh -c "mount -t tmpfs none '$probe'" 2>/dev/null; then
    rmdir "$probe"
    echo "skipped: cannot mount a tmpfs in a private mount namespace here (not root, or not allowed)"
    exit 77
fi
rmdir "$probe"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
common=(-x TIMEMORY_OUTPUT_PATH="$out" -x TIMEMORY_COUT_OUTPUT=OFF -x TIMEMORY_VERBOSE=1)
timeout 120 "$mpirun" --allow-run-as-root --oversubscribe \
    -np 1 "${common[@]}" "$app" : \
    -np 1 "${common[@]}" unshare -m sh -c 'mount -t tmpfs none "$0" && exec "$1"' "$out" "$app" \
    2> "$out.stderr" || { cat "$out.stderr"; exit 1; }
cat "$out.stderr"
# Rank 1 said (TIMEMORY_VERBOSE=1) that its part was not shared; rank 0 formatted it.
grep -q "rank 1's part of the reports not shared" "$out.stderr" ||
    { echo "rank 1 did not report its part as not shared"; exit 1; }
rm -f "$out.stderr"
"$python" "$checker" "$out" 2
