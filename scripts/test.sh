#!/usr/bin/env bash
# test.sh - build db-tools and run every test against private sandbox servers.
#
# Usage: scripts/test.sh [--asan-only] [--versions "MAJOR..."] [CTEST-ARGUMENT]...
#
# Installs missing build packages (scripts/deps.sh), configures and builds build/ with
# warnings as errors, holds the sandbox servers (scripts/sandbox.sh hold: started when they
# are not running), runs ctest (output also in build/ctest.log) and releases them (the last
# run holding a sandbox it started stops it).
#
# The integration tests run against Debian's PostgreSQL 15 (release and ASan/UBSan builds;
# the threaded ones also with a ThreadSanitizer build, as tsan.integration.*), then against
# every other major of the version matrix (release build, as pgN.integration.*), and
# cross_version restores the archives of every server into every other. lint.layers checks
# the include rule (scripts/check-layers.sh). The fuzz test runs scripts/fuzz.sh (clang's
# libFuzzer targets, 20 s each); its lines are printed last.
#
#   --asan-only       run only the tests of the ASan/UBSan build (ctest -L '^asan\.')
#   --versions LIST   the other majors to test against (default "13 14 16 17 18"; "" for
#                     PostgreSQL 15 alone); also DB_TOOLS_TEST_VERSIONS
#   CTEST-ARGUMENT    passed to ctest, e.g. -L unit, -R snapshot_basic, -V
#
# A test that cannot run here exits 77 (ctest: skipped) after saying why; the reasons are
# listed after the run. The one skip expected is a snapshot of a server newer than every
# pg_dump on the machine (Debian 12 has pg_dump 15 only); any other skip fails the run.
# The last line printed is ctest's summary; the exit status is ctest's, or 1 after an
# unexpected skip.
#
# Environment: DB_TOOLS_CORPUS (Pagila corpus, default ../shared/corpus next to the
# repository), DB_TOOLS_SANDBOX and PG_BINDIR (see scripts/sandbox.sh).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

versions=${DB_TOOLS_TEST_VERSIONS-13 14 16 17 18}
ctest_args=()
while [ $# -gt 0 ]; do
    case $1 in
        --asan-only) ctest_args+=(-L '^asan\.') ;;
        --versions)
            [ $# -ge 2 ] || { echo "test.sh: --versions needs a list" >&2; exit 2; }
            versions=$2
            shift
            ;;
        *) ctest_args+=("$1") ;;
    esac
    shift
done
for v in $versions; do
    case $v in
        13 | 14 | 16 | 17 | 18) ;;
        *) echo "test.sh: --versions takes majors 13, 14, 16, 17, 18 (15 always runs), not \"$v\"" >&2; exit 2 ;;
    esac
done

bash scripts/deps.sh

if ! cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDB_TOOLS_WERROR=ON -DDB_TOOLS_TESTS=ON \
    -DDB_TOOLS_ASAN=ON -DDB_TOOLS_TSAN=ON "-DDB_TOOLS_TEST_VERSIONS=${versions// /;}"; then
    echo "test.sh: cmake configuration failed" >&2
    exit 1
fi
if ! cmake --build build -j2; then
    echo "test.sh: build failed" >&2
    exit 1
fi

# Tests must not pick up the caller's own database settings.
unset DATABASE_URL DB_TOOLS_CONFIG PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGOPTIONS

# The sandboxes are held for this run: started when they are not running, and stopped at
# the end by the last run that holds them (scripts/sandbox.sh hold/release), so that two
# runs (or this and scripts/demo.sh) do not stop each other's server.
release_all() {
    local v
    for v in $versions; do
        bash "$repo/scripts/sandbox.sh" --pg "$v" release $$ >/dev/null 2>&1 || true
    done
    bash "$repo/scripts/sandbox.sh" release $$ >/dev/null 2>&1 || true
}
trap release_all EXIT

for v in $versions; do
    bash scripts/sandbox.sh --pg "$v" hold $$ >/dev/null || { echo "test.sh: could not start PostgreSQL $v" >&2; exit 1; }
done
eval "$(bash scripts/sandbox.sh hold $$)"

export DB_TOOLS_SOURCE_DIR=$repo
if [ -z "${DB_TOOLS_CORPUS:-}" ] && [ -d "$repo/../shared/corpus" ]; then
    DB_TOOLS_CORPUS=$(cd "$repo/../shared/corpus" && pwd)
fi
[ -n "${DB_TOOLS_CORPUS:-}" ] && export DB_TOOLS_CORPUS
export DB_TOOLS_SKIP_LOG=$repo/build/skips.log
: >"$DB_TOOLS_SKIP_LOG"

status=0
ctest --test-dir build --output-on-failure --no-tests=error -j2 ${ctest_args[@]+"${ctest_args[@]}"} 2>&1 |
    tee build/ctest.log || status=$?

# Skips: every one must have said why, and only "no pg_dump for PostgreSQL N" is expected.
skipped=$(grep -acE '\*\*\*Skipped|Not Run' build/ctest.log || true)
logged=$(grep -avc ' (rest): ' "$DB_TOOLS_SKIP_LOG" || true)
unexpected=$(grep -av ': no pg_dump for PostgreSQL 1[6-9] on this machine' "$DB_TOOLS_SKIP_LOG" || true)
if [ -s "$DB_TOOLS_SKIP_LOG" ]; then
    echo
    echo "Skipped (test: reason):"
    sed 's/^/  /' "$DB_TOOLS_SKIP_LOG"
fi
if [ -n "$unexpected" ] || [ "$skipped" != "$logged" ]; then
    echo
    echo "test.sh: unexpected skips ($skipped skipped, $logged with an expected reason):"
    printf '%s\n' "$unexpected" | sed '/^$/d; s/^/  /'
    [ "$status" -ne 0 ] || status=1
fi

# what the fuzz test ran (scripts/fuzz.sh prints a line per target)
if grep -qa '^fuzz_[a-z_]*: ' build/Testing/Temporary/LastTest.log 2>/dev/null; then
    echo
    echo "Fuzzing:"
    grep -a '^fuzz_[a-z_]*: ' build/Testing/Temporary/LastTest.log | sed 's/^/  /'
fi

# ctest's summary ("N% tests passed, ..."), or its last line when it ran no tests (-N)
summary=$(grep -aE 'tests passed' build/ctest.log | tail -n 1 || true)
[ -n "$summary" ] || summary=$(grep -v '^[[:space:]]*$' build/ctest.log | tail -n 1 || true)
echo
echo "$summary"
exit "$status"
