#!/usr/bin/env bash
# A real project's own test suite, unchanged: googletest's tests (Debian's `googletest`
# sources) built plain and with timemory-clang++ at the default settings. The same tests
# must pass (several compare a test program's output with golden files), and every
# instrumented process that exits normally must leave one complete report set of its own.
# usage: run_googletest.sh BUILD_DIR PYTHON CLANGXX   (exit 77: no googletest sources here)
# CLANGXX: the clang++ the wrapper drives, for the plain build.
set -euo pipefail
build="$(cd "$1" && pwd)"
python="$2"
clangxx="$3"
src=/usr/src/googletest/googletest
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -f "$src/test/gtest_test_utils.py" ]; then
    echo "skipped: googletest's sources are not in $src (Debian package googletest)"
    exit 77
fi
work="$(mktemp -d)"
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
echo "work: $work"
# Its Python tests import googletest.test.gtest_test_utils, and its CMake points PYTHONPATH
# at the googletest folder itself: a copy with a `googletest` link to itself satisfies both.
cp -r "$src" "$work/googletest"
ln -s . "$work/googletest/googletest"

# A representative part of the suite, to keep CI time modest: golden-output comparisons
# (stdout and XML/JSON byte for byte), death tests (fork, exit codes), a premature exit,
# signals on failure, many processes (filtering, sharding, shuffling), templates.
targets=(googletest-output-test_ googletest-death-test-test googletest-filter-unittest_
    googletest-break-on-failure-unittest_ googletest-list-tests-unittest_
    googletest-shuffle-test_ googletest-env-var-test_ googletest-param-test-test
    gtest-typed-test_test googletest-listener-test gtest_environment_test gtest_repeat_test
    gtest_premature_exit_test gtest_xml_output_unittest_ gtest_no_test_unittest
    gtest_main_unittest)
tests='^(googletest-output-test|googletest-death-test-test|googletest-filter-unittest|'
tests+='googletest-break-on-failure-unittest|googletest-list-tests-unittest|'
tests+='googletest-shuffle-test|googletest-env-var-test|googletest-param-test-test|'
tests+='gtest-typed-test_test|googletest-listener-test|gtest_environment_test|'
tests+='gtest_repeat_test|gtest_premature_exit_test|gtest_xml_output_unittest|'
tests+='gtest_main_unittest)$'

# Builds the selected targets with compiler $2 into $work/$1, runs their tests with the
# environment in the remaining arguments, and writes the names of those that passed.
run_suite() {
    local name="$1" cxx="$2"
    shift 2
    cmake -S "$work/googletest" -B "$work/$name" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
        -Dgtest_build_tests=ON -DPYTHON_EXECUTABLE="$python" -DPython3_EXECUTABLE="$python" \
        > "$work/$name.configure.log" 2>&1 || { cat "$work/$name.configure.log"; return 1; }
    cmake --build "$work/$name" --target "${targets[@]}" > "$work/$name.build.log" 2>&1 ||
        { tail -50 "$work/$name.build.log"; return 1; }
    (cd "$work/$name" && env "$@" ctest -R "$tests" -j "$(nproc)" --output-on-failure \
        > "$work/$name.test.log" 2>&1) || true
    grep -oE 'Test +#[0-9]+: [^ ]+ \.+ +Passed' "$work/$name.test.log" | awk '{print $3}' |
        sort > "$work/$name.passed"
    echo "$name: $(wc -l < "$work/$name.passed") of $(grep -cE 'Test +#[0-9]+:' "$work/$name.test.log") passed"
}

run_suite plain "$clangxx"
reports="$work/reports"
run_suite instrumented "$build/bin/timemory-clang++" TIMEMORY_OUTPUT_PATH="$reports"
if ! diff "$work/plain.passed" "$work/instrumented.passed"; then
    echo "FAIL: the instrumented build passes other tests than the plain one (< plain, > instrumented)"
    grep -B2 -A40 'Failed' "$work/instrumented.test.log" | head -150
    exit 1
fi
[ -s "$work/plain.passed" ] || { echo "FAIL: no test passed"; exit 1; }
"$python" "$here/check_report_sets.py" "$reports"
