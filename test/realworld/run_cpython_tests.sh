#!/usr/bin/env bash
# CPython's own regression tests (Debian's libpython3.11-testsuite, pyenv's own) under
# `python -m timemory.profiler -m test`: every test that passes plain must pass profiled,
# the environment checks of regrtest included (--fail-env-changed: a profiler that leaves
# threads, processes, profile hooks or modules behind fails them). Then the profile must
# exist and hold the tests' own functions. Exit 77 (skipped) without the testsuite.
set -euo pipefail
# usage: run_cpython_tests.sh BUILD PYTHON [TEST...]   (default: the subset below)
build="$1"
python="$2"
shift 2
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
    tests=(test_json test_re test_itertools test_generators test_threading test_contextlib
           test_functools test_collections)
fi
if ! "$python" -c "import test.test_json" 2>/dev/null; then
    echo "skipped: CPython's test package is not installed for $python (Debian:" \
         "libpython3.X-testsuite; pyenv builds include it)"
    exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
export PYTHONPATH="$build/python" TIMEMORY_COUT_OUTPUT=OFF

echo "== plain"
"$python" -m test --fail-env-changed -q "${tests[@]}" > plain.log 2>&1 || true
tail -3 plain.log
echo "== profiled"
status=0
"$python" -m timemory.profiler -d "$work/out" -m test --fail-env-changed -q "${tests[@]}" \
    > profiled.log 2>&1 || status=$?
tail -3 profiled.log
# Every test that passed plain passes profiled (regrtest lists the others by name).
listed() { sed -n '/tests\? \(failed\|altered the execution environment\|crashed\)/,/^$/p' "$1" | tr -s ' ' '\n' | { grep '^test_' || true; } | sort -u; }
bad_plain="$(listed plain.log)"
bad_profiled="$(listed profiled.log)"
new_bad="$(comm -13 <(echo "$bad_plain") <(echo "$bad_profiled") | grep . || true)"
if [ -n "$new_bad" ]; then
    echo "FAILED: passed plain, not profiled: $new_bad"
    grep -B2 -A12 -i "warning --\|^FAIL\|^ERROR" profiled.log | head -60
    exit 1
fi
if [ -z "$bad_plain" ] && [ "$status" -ne 0 ]; then
    echo "FAILED: regrtest exited $status under the profiler"
    exit 1
fi
"$python" - "$work/out/latest/wall.json" <<'PY'
import json, sys
recs = json.load(open(sys.argv[1]))["timemory"]["wall_clock"]["ranks"][0]["graph"]
names = {r["prefix"].split("/")[0] for r in recs}
files = {r["file"] for r in recs}
assert any(f.endswith("test/test_json/test_dump.py") for f in files), "no test_json frames"
assert any(n.startswith("TestDump.") or n.startswith("TestCDump") or "test_dump" in n
           for n in names), sorted(names)[:20]
assert not any("runpy" in f for f in files), "runpy frames in the profile"
print("profile: %d nodes, %d distinct functions" % (len(recs), len(names)))
PY
echo "OK: the same tests pass plain and profiled"
