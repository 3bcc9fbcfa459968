# shellcheck shell=bash
# bench-lib.sh - shared helpers for the benchmark scripts (source it from bash).
#
#   bench_median N...            median of the numbers (mean of the middle two for an even count)
#   bench_max N...               the largest of the numbers
#   bench_ratio A B              A / B with 3 decimals ("n/a" when B is 0 or empty)
#   bench_le A B                 status 0 when A <= B (numerically)
#   bench_time CMD...            run CMD; print its wall time in seconds (3 decimals) on stdout.
#                                CMD's stdout goes to stderr; returns CMD's exit status.
#   bench_peak_rss CMD...        run CMD; print its peak RSS in KiB on stdout (the largest of the
#                                process and the children it waited for, from /usr/bin/time -f %M).
#                                CMD's stdout goes to stderr; returns CMD's exit status.
#   bench_measure CMD...         both at once: prints "SECONDS KIB"; returns CMD's exit status.
#   BENCH_STDOUT=FILE bench_...  for bench_time, bench_peak_rss and bench_measure: CMD's stdout
#                                goes to FILE (truncated) instead of stderr
#   bench_kib_to_mib KIB         KiB -> MiB with 1 decimal
#   bench_bytes_to_mib BYTES     bytes -> MiB with 1 decimal
#   bench_table_header REF_LABEL             header line: label, median_s, ratio_vs_<REF_LABEL>
#   bench_table_row LABEL MEDIAN REF_MEDIAN  one line of that table
#   bench_table REF_LABEL LABEL MEDIAN [LABEL MEDIAN]...
#                                the whole table; the ratios are against the row labelled REF_LABEL
#
# Setup shared by the scripts (they print as "$prog: ..." and exit on failure):
#   bench_need_arg OPTION [VALUE]            exit 2 unless the option has a non-empty value
#   bench_build ROOT TARGET...               build TARGETs into ROOT/build-bench (Release)
#   bench_start_server USE_ENV SANDBOX_DIR   USE_ENV 1: the server of PGHOST/PGPORT; else start
#                                the sandbox in SANDBOX_DIR (bench_started_sandbox=1 when this
#                                call started it) and take its environment; then check the server
#   bench_checkpoint [DB]        sync, then CHECKPOINT (in DB, default postgres); after a first
#                                failure (not a superuser) only sync
#
# bench_require_time installs the "time" package with apt-get when /usr/bin/time is missing and
# we are root; otherwise bench_peak_rss falls back to polling VmHWM in /proc (the command's own
# process only, sampled every 50 ms).

bench_median() {
    [ $# -gt 0 ] || { echo "bench_median: no numbers" >&2; return 2; }
    printf '%s\n' "$@" | LC_ALL=C sort -g | awk '
        { v[NR] = $1 }
        END {
            if (NR % 2) m = v[(NR + 1) / 2]
            else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.3f\n", m
        }'
}

bench_max() {
    [ $# -gt 0 ] || { echo "bench_max: no numbers" >&2; return 2; }
    printf '%s\n' "$@" | LC_ALL=C sort -g | tail -n 1
}

bench_ratio() {
    awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
        if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.3f\n", a / b }'
}

bench_le() {
    awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'
}

bench_kib_to_mib() {
    awk -v k="$1" 'BEGIN { printf "%.1f\n", k / 1024 }'
}

bench_bytes_to_mib() {
    awk -v b="$1" 'BEGIN { printf "%.1f\n", b / 1048576 }'
}

bench_now() {
    date +%s.%N
}

bench_elapsed() {
    awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f\n", e - s }'
}

BENCH_TIME_BIN=${BENCH_TIME_BIN:-/usr/bin/time}

bench_require_time() {
    [ -x "$BENCH_TIME_BIN" ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "bench: installing the 'time' package" >&2
        { apt-get install -y -q time >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q time >/dev/null 2>&1; }; } || true
    fi
    [ -x "$BENCH_TIME_BIN" ] && return 0
    echo "bench: $BENCH_TIME_BIN not available, measuring peak RSS by polling /proc" >&2
    return 1
}

# Runs "$@" with stdout sent to $BENCH_STDOUT when it is set, else to stderr.
_bench_redirect() {
    if [ -n "${BENCH_STDOUT:-}" ]; then "$@" >"$BENCH_STDOUT"; else "$@" >&2; fi
}

# Runs "$@" with stdout sent to stderr (or $BENCH_STDOUT); sets _bench_status, _bench_secs and
# _bench_kib.
_bench_run() {
    local out start end kib="" pid hwm
    out=$(mktemp "${TMPDIR:-/tmp}/bench-rss.XXXXXX")
    start=$(bench_now)
    if [ -x "$BENCH_TIME_BIN" ]; then
        if _bench_redirect "$BENCH_TIME_BIN" -f %M -o "$out" "$@"; then _bench_status=0; else _bench_status=$?; fi
        end=$(bench_now)
        # the last line holds %M; earlier ones may report a signal or exit status
        kib=$(awk 'NF { last = $1 } END { print last }' "$out")
    else
        # no function here: $! must be the command itself, whose /proc entry is polled
        if [ -n "${BENCH_STDOUT:-}" ]; then "$@" >"$BENCH_STDOUT" & else "$@" >&2 & fi
        pid=$!
        kib=0
        while kill -0 "$pid" 2>/dev/null; do
            hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
            [ -n "$hwm" ] && [ "$hwm" -gt "$kib" ] && kib=$hwm
            sleep 0.05
        done
        if wait "$pid"; then _bench_status=0; else _bench_status=$?; fi
        end=$(bench_now)
    fi
    rm -f "$out"
    case "$kib" in ''|*[!0-9]*) kib=0 ;; esac
    _bench_secs=$(bench_elapsed "$start" "$end")
    _bench_kib=$kib
    return "$_bench_status"
}

bench_time() {
    local start end status
    start=$(bench_now)
    if _bench_redirect "$@"; then status=0; else status=$?; fi
    end=$(bench_now)
    bench_elapsed "$start" "$end"
    return "$status"
}

bench_peak_rss() {
    _bench_run "$@"
    echo "$_bench_kib"
    return "$_bench_status"
}

bench_measure() {
    _bench_run "$@"
    echo "$_bench_secs $_bench_kib"
    return "$_bench_status"
}

BENCH_RATIO_WIDTH=14

bench_table_header() {
    local h="ratio_vs_$1"
    BENCH_RATIO_WIDTH=${#h}
    [ "$BENCH_RATIO_WIDTH" -ge 8 ] || BENCH_RATIO_WIDTH=8
    printf '%-24s %10s  %s\n' "label" "median_s" "$h"
}

bench_table_row() {
    printf '%-24s %10s  %*s\n' "$1" "$2" "$BENCH_RATIO_WIDTH" "$(bench_ratio "$2" "$3")"
}

bench_table() {
    local ref=$1 ref_median="" i
    shift
    local -a args=("$@")
    for ((i = 0; i + 1 < ${#args[@]}; i += 2)); do
        [ "${args[i]}" = "$ref" ] && ref_median=${args[i + 1]}
    done
    bench_table_header "$ref"
    for ((i = 0; i + 1 < ${#args[@]}; i += 2)); do
        bench_table_row "${args[i]}" "${args[i + 1]}" "$ref_median"
    done
}

_bench_die() {
    printf '%s: error: %s\n' "${prog:-bench}" "$*" >&2
    exit 1
}

bench_need_arg() {
    if [ $# -lt 2 ] || [ -z "$2" ]; then
        printf '%s: %s\n' "${prog:-bench}" "option $1 needs a value" >&2
        exit 2
    fi
}

bench_build() {
    local root=$1
    shift
    bash "$root/scripts/deps.sh" || _bench_die "build packages missing (see scripts/deps.sh)"
    printf '%s: %s\n' "${prog:-bench}" "building $root/build-bench (Release)" >&2
    (cd "$root" &&
        cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release \
            -DDB_TOOLS_TESTS=OFF -DDB_TOOLS_ASAN=OFF >&2 &&
        cmake --build build-bench -j2 --target "$@" >&2) || _bench_die "build failed"
}

# shellcheck disable=SC2034  # read by the scripts that source this file
bench_started_sandbox=0
bench_start_server() {
    local env_lines root
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    if [ "$1" = 1 ]; then
        if [ -z "${PGHOST:-}" ] || [ -z "${PGPORT:-}" ]; then _bench_die "--use-env needs PGHOST and PGPORT"; fi
    else
        export DB_TOOLS_SANDBOX=$2
        if ! "$root/scripts/sandbox.sh" status >/dev/null 2>&1; then
            # shellcheck disable=SC2034
            bench_started_sandbox=1
        fi
        env_lines=$("$root/scripts/sandbox.sh" start) || _bench_die "could not start the sandbox server"
        eval "$env_lines"
    fi
    psql -X -q -d postgres -c 'SELECT 1' >/dev/null 2>&1 ||
        _bench_die "no PostgreSQL server reachable (PGHOST=${PGHOST:-} PGPORT=${PGPORT:-})"
}

bench_can_checkpoint=1
bench_checkpoint() {
    sync
    if [ "$bench_can_checkpoint" = 1 ] && ! psql -X -q -d "${1:-postgres}" -c CHECKPOINT >/dev/null 2>&1; then
        printf '%s: %s\n' "${prog:-bench}" "warning: CHECKPOINT failed (not a superuser?); continuing without it" >&2
        bench_can_checkpoint=0
    fi
}

# bench_ensure_spare TEMPLATE WAIT PRIME... : TEMPLATE's ready spare, made if need be and waited
# for. The caller defines spare_state (ready, building or none), drop_db, say and die; PRIME is
# the command whose run makes a spare (a restore or reset with a spare budget). With WAIT 1 (a
# run has just started a builder) it is given time to appear first. A spare neither ready nor
# being built for 100 polls (10-20 s; say its builder was killed after its CREATE DATABASE,
# leaving a database that is not a spare) is dropped and made again, at most 3 times.
bench_ensure_spare() {
    local template=$1 idle=100 made=0 i
    [ "$2" = 0 ] || idle=0
    shift 2
    for ((i = 0; i < 6000; i++)); do
        case $(spare_state) in
            ready) return 0 ;;
            building) idle=0 ;;
            *) idle=$((idle + 1)) ;;
        esac
        if [ "$idle" -ge 100 ]; then
            [ "$made" -lt 3 ] || die "the spare of $template was not made in $made tries (see db-tools' spares.log)"
            [ "$made" = 0 ] || say "warning: the spare of $template is neither ready nor being built; making it again"
            made=$((made + 1)) idle=0
            drop_db "db_tools_spare_${template#db_tools_cache_}"
            "$@" || die "priming a spare failed"
        fi
        sleep 0.1
    done
    die "the spare of $template never became ready"
}
