#!/usr/bin/env bash
# fuzz.sh - build the libFuzzer targets (tests/fuzz) with clang and run each for a while.
#
# Usage: scripts/fuzz.sh [--seconds N] [TARGET...]
#
#   TARGET     meta, sql, config, seed_vars, tar_index, instant (default: all of them)
#   --seconds  how long each target runs (default 30)
#
# Each target starts from its seed corpus, tests/fuzz/corpus/TARGET/ (left as it is: what
# a run finds goes to build-fuzz/corpus/TARGET/), under AddressSanitizer and UBSan. A crash,
# a leak, a timeout or an out-of-memory is written to build-fuzz/artifacts/ and fails the
# run (exit 1); its input reproduces it: build-fuzz/fuzz/fuzz_TARGET FILE. A summary line per
# target (runs, coverage, corpus) is printed. Exit 77 when clang cannot build fuzzers here.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
seconds=30
targets=()
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) seconds=$2; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        meta | sql | config | seed_vars | tar_index | instant) targets+=("$1"); shift ;;
        *) echo "fuzz.sh: unknown argument \"$1\"" >&2; exit 2 ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(meta sql config seed_vars tar_index instant)
case $seconds in '' | *[!0-9]* | 0) echo "fuzz.sh: --seconds takes a positive number" >&2; exit 2 ;; esac

if ! command -v clang >/dev/null 2>&1; then
    echo "SKIP: clang is not installed (apt-get install clang libclang-rt-dev)" >&2
    exit 77
fi
build=$repo/build-fuzz
mkdir -p "$build"
cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDB_TOOLS_FUZZ=ON \
    -DDB_TOOLS_TESTS=OFF -DDB_TOOLS_ASAN=OFF >"$build/cmake.log" 2>&1 || {
    cat "$build/cmake.log" >&2
    echo "fuzz.sh: cmake could not configure a clang build" >&2
    exit 1
}
cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}" >"$build/build.log" 2>&1 || {
    tail -n 30 "$build/build.log" >&2
    echo "fuzz.sh: the fuzz targets did not build" >&2
    exit 1
}

status=0
mkdir -p "$build/artifacts"
for t in "${targets[@]}"; do
    work=$build/corpus/$t
    mkdir -p "$work"
    log=$build/fuzz_$t.log
    rc=0
    # ASan's leak check runs at exit; a leak fails the target like a crash
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
        "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    echo "fuzz_$t: ${runs:-?} runs in ${seconds}s, ${cov:-cov: ?}, corpus $(find "$work" -type f | wc -l) new + $(find "tests/fuzz/corpus/$t" -type f | wc -l) seeds: $([ "$rc" = 0 ] && echo ok || echo "FAILED (exit $rc)")"
    if [ "$rc" != 0 ]; then
        grep -E 'ERROR|SUMMARY|runtime error|artifact' "$log" | head -n 20 >&2 || true
        status=1
    fi
done
exit "$status"
