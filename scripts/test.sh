#!/usr/bin/env bash
# test.sh - build db-tools and run every test against a private sandbox server.
#
# Usage: scripts/test.sh [--asan-only] [CTEST-ARGUMENT]...
#
# Installs missing build packages (scripts/deps.sh), configures and builds build/ with
# warnings as errors, starts the sandbox server (scripts/sandbox.sh) unless one is already
# running, runs ctest (output also in build/ctest.log) and stops the sandbox again if it
# started it. The last line printed is ctest's summary; the exit status is ctest's.
#
#   --asan-only       run only the tests of the ASan/UBSan build (ctest -L '^asan\.')
#   CTEST-ARGUMENT    passed to ctest, e.g. -L unit, -R snapshot_basic, -V
#
# Environment: DB_TOOLS_CORPUS (Pagila corpus, default ../shared/corpus next to the
# repository), DB_TOOLS_SANDBOX and PG_BINDIR (see scripts/sandbox.sh).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

ctest_args=()
for arg in "$@"; do
    case $arg in
        --asan-only) ctest_args+=(-L '^asan\.') ;;
        *) ctest_args+=("$arg") ;;
    esac
done

bash scripts/deps.sh

if ! cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDB_TOOLS_WERROR=ON -DDB_TOOLS_TESTS=ON -DDB_TOOLS_ASAN=ON; then
    echo "test.sh: cmake configuration failed" >&2
    exit 1
fi
if ! cmake --build build -j2; then
    echo "test.sh: build failed" >&2
    exit 1
fi

# Tests must not pick up the caller's own database settings.
unset DATABASE_URL DB_TOOLS_CONFIG PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGOPTIONS

if bash scripts/sandbox.sh status >/dev/null 2>&1; then
    eval "$(bash scripts/sandbox.sh env)"
else
    eval "$(bash scripts/sandbox.sh start)"
    trap 'bash "$repo/scripts/sandbox.sh" stop >/dev/null 2>&1 || true' EXIT
fi

export DB_TOOLS_SOURCE_DIR=$repo
if [ -z "${DB_TOOLS_CORPUS:-}" ] && [ -d "$repo/../shared/corpus" ]; then
    DB_TOOLS_CORPUS=$(cd "$repo/../shared/corpus" && pwd)
fi
[ -n "${DB_TOOLS_CORPUS:-}" ] && export DB_TOOLS_CORPUS

status=0
ctest --test-dir build --output-on-failure --no-tests=error -j2 ${ctest_args[@]+"${ctest_args[@]}"} 2>&1 |
    tee build/ctest.log || status=$?

# ctest's summary ("N% tests passed, ..."), or its last line when it ran no tests (-N)
summary=$(grep -aE 'tests passed' build/ctest.log | tail -n 1 || true)
[ -n "$summary" ] || summary=$(grep -v '^[[:space:]]*$' build/ctest.log | tail -n 1 || true)
echo
echo "$summary"
exit "$status"
