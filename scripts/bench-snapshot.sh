#!/usr/bin/env bash
# bench-snapshot.sh - compare db-snapshot with pg_dump -Fc and pg_dump -Fd -j2 on the same server.
#
# Datasets: (a) pgbench -i -s N, (b) the realistic shop dataset of scripts/gen-realistic.sh.
# Each round runs the three tools once, in an order rotated from round to round, each into a
# fresh temporary directory (removed afterwards), after `sync` and a CHECKPOINT. The report gives
# the median wall time of each tool, the ratios db-snapshot / pg_dump -Fd -j2 and
# db-snapshot / pg_dump -Fc, the output sizes and the peak RSS, and checks the targets:
#   pgbench:   db-snapshot / pg_dump -Fd -j2 <= 1.0     realistic: <= 0.8
#   realistic: db-snapshot -Z zstd:1 / pg_dump -Fd -j2 <= 0.6, its archive no larger than gzip's
#   both:      db-snapshot peak RSS <= 64 MiB (gzip and zstd)
# Instant snapshots: after those rounds, one untimed warm-up clone of the database, then N
# rounds of two rows rotated between themselves (each after `sync` and a CHECKPOINT too):
#   db-snapshot --instant   db-snapshot --instant -y -d DB -o DIR bench: a FILE_COPY clone of
#                           DB into a template database on the server (ending DB's other
#                           sessions) and a marker file DIR/<stamp>_bench.instant; after each
#                           run, db-snapshot --delete -y -o DIR bench (not timed) removes both
#   raw clone (FILE_COPY)   CREATE DATABASE x TEMPLATE DB STRATEGY FILE_COPY, with psql (before
#                           15, where every clone is a file copy, without STRATEGY); x is
#                           dropped after each run (not timed)
# Their out_MiB is the size of the database each made on the server (pg_database_size).
# They are reported against each other, db-snapshot -j2 -Z1 and pg_dump -Fd -j2 -Z1; target:
#   both:      db-snapshot --instant / raw clone (FILE_COPY) <= 1.2
# Until `db-snapshot --help` mentions --instant, the instant row is skipped, with the reason
# printed (the raw clone is still timed). Every run has DB_TOOLS_SPARE_BUDGET=0: no ready
# spare of an instant snapshot is made in the background while the next run is timed.
# --only-instant times db-snapshot -j2 -Z1 and pg_dump -Fd -j2 -Z1 (rotated), then the two
# clones: no zstd:1 or pg_dump -Fc rows, no zstd targets.
# The exit status is 0 whether or not the targets are met, unless --strict is given.
set -euo pipefail

prog=bench-snapshot.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
# shellcheck source-path=SCRIPTDIR source=bench-lib.sh
. "$here/bench-lib.sh"

usage() {
    cat <<'EOF'
Usage: scripts/bench-snapshot.sh [OPTION]...
Benchmark db-snapshot (gzip:1 and zstd:1) against pg_dump -Fc -Z1 and pg_dump -Fd -j2 -Z1,
and db-snapshot --instant against a raw CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY.

  --runs N              timed rounds per dataset, median reported (default 3)
  --pgbench-scale N     pgbench -i scale factor (default 20)
  --realistic-mb N      size of the gen-realistic.sh dataset in MiB (default 500)
  --skip-pgbench        leave out the pgbench dataset
  --skip-realistic      leave out the realistic dataset
  --quick               smoke check: --pgbench-scale 2 --realistic-mb 30 --runs 3
                        (explicit options win)
  --only-instant        only db-snapshot -j2 -Z1, pg_dump -Fd -j2 -Z1, db-snapshot
                        --instant and the raw FILE_COPY clone
  --bindir DIR          use DIR/db-snapshot instead of building build-bench/ (Release)
  --use-env             use the server in PGHOST/PGPORT (PGUSER, PGPASSWORD...) instead of
                        a private sandbox server
  --keep                keep the benchmark databases (and the stopped sandbox) for the next
                        run; databases generated with the same parameters are reused
  --strict              exit 1 when a target is missed
  -h, --help            show this help

Environment: DB_TOOLS_BENCH_SANDBOX (sandbox directory, default
${TMPDIR:-/tmp}/db-tools-bench-<uid>), BENCH_PG_DUMP (pg_dump to compare with, default
/usr/lib/postgresql/<server major>/bin/pg_dump), TMPDIR (where the dumps are written).
EOF
}

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { say "error: $*"; exit 1; }

runs="" pgbench_scale="" realistic_mb=""
skip_pgbench=0 skip_realistic=0 quick=0 only_instant=0 bindir="" use_env=0 keep=0 strict=0

while [ $# -gt 0 ]; do
    case "$1" in
        --runs) bench_need_arg "$@"; runs=$2; shift 2 ;;
        --runs=*) runs=${1#*=}; shift ;;
        --pgbench-scale) bench_need_arg "$@"; pgbench_scale=$2; shift 2 ;;
        --pgbench-scale=*) pgbench_scale=${1#*=}; shift ;;
        --realistic-mb) bench_need_arg "$@"; realistic_mb=$2; shift 2 ;;
        --realistic-mb=*) realistic_mb=${1#*=}; shift ;;
        --skip-pgbench) skip_pgbench=1; shift ;;
        --skip-realistic) skip_realistic=1; shift ;;
        --quick) quick=1; shift ;;
        --only-instant) only_instant=1; shift ;;
        --bindir) bench_need_arg "$@"; bindir=$2; shift 2 ;;
        --bindir=*) bindir=${1#*=}; shift ;;
        --use-env) use_env=1; shift ;;
        --keep) keep=1; shift ;;
        --strict) strict=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) say "unknown option: $1"; usage >&2; exit 2 ;;
    esac
done

if [ "$quick" = 1 ]; then
    : "${runs:=3}" "${pgbench_scale:=2}" "${realistic_mb:=30}"
fi
: "${runs:=3}" "${pgbench_scale:=20}" "${realistic_mb:=500}"
for v in runs pgbench_scale realistic_mb; do
    case "${!v}" in
        ''|*[!0-9]*|0) say "--${v//_/-} must be a positive integer"; exit 2 ;;
    esac
done
[ "$skip_pgbench" = 1 ] && [ "$skip_realistic" = 1 ] && { say "nothing to do: both datasets skipped"; exit 2; }

# --- cleanup ---------------------------------------------------------------------------

# the database the raw clone makes
clone_db=bench_snapshot_clone

work=""
snapshot=""
server_ready=0
created_dbs=()
instant_dbs=()
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local status=$? marker db
    trap - EXIT INT TERM
    if [ "$server_ready" = 1 ]; then
        # an instant snapshot left by an interrupted run: its marker, then its database
        if [ -n "$work" ] && [ -n "$snapshot" ]; then
            while IFS= read -r marker; do
                delete_instant "$(dirname "$marker")" >/dev/null 2>&1 || true
            done < <(find "$work" -name '*.instant' -print 2>/dev/null)
        fi
        for db in "$clone_db" ${instant_dbs[@]+"${instant_dbs[@]}"}; do
            psql -X -q -d postgres -c "ALTER DATABASE \"$db\" IS_TEMPLATE false" >/dev/null 2>&1 || true
            psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
        done
    fi
    [ -n "$work" ] && rm -rf "$work"
    if [ "$keep" = 0 ] && [ ${#created_dbs[@]} -gt 0 ]; then
        for db in "${created_dbs[@]}"; do
            psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
        done
    fi
    if [ "$bench_started_sandbox" = 1 ]; then
        if [ "$keep" = 1 ]; then
            "$root/scripts/sandbox.sh" stop --keep || true
        else
            "$root/scripts/sandbox.sh" stop || true
        fi
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- db-snapshot binary ------------------------------------------------------------------

if [ -z "$bindir" ]; then
    bench_build "$root" db-snapshot
    bindir=$root/build-bench/tools
fi
case $bindir in /*) ;; *) bindir=$PWD/$bindir ;; esac
snapshot=$bindir/db-snapshot
[ -x "$snapshot" ] || die "no db-snapshot program at $snapshot"

bench_require_time || true

# --- server ------------------------------------------------------------------------------

bench_start_server "$use_env" "${DB_TOOLS_BENCH_SANDBOX:-${TMPDIR:-/tmp}/db-tools-bench-$(id -u)}"
server_ready=1

server_num=$(psql -X -A -t -d postgres -c 'SHOW server_version_num')
server_version=$(psql -X -A -t -d postgres -c 'SHOW server_version')
server_major=$((server_num / 10000))
pg_dump=${BENCH_PG_DUMP:-/usr/lib/postgresql/$server_major/bin/pg_dump}
if [ ! -x "$pg_dump" ]; then
    pg_dump=$(command -v pg_dump) || die "no pg_dump found for server version $server_version"
fi
pg_dump_version=$("$pg_dump" --version | sed -n 's/^pg_dump (PostgreSQL) \([0-9][0-9.]*\).*/\1/p')
pg_dump_major=${pg_dump_version%%.*}
[ "$pg_dump_major" -ge "$server_major" ] 2>/dev/null ||
    die "$pg_dump is version $pg_dump_version, the server needs $server_major or newer"
# db-snapshot runs the same pg_dump for the schema
export DB_TOOLS_PG_DUMP=$pg_dump
# no ready spare of an instant snapshot is made in the background
export DB_TOOLS_SPARE_BUDGET=0
# before 15 every clone is a file copy, and CREATE DATABASE has no STRATEGY to ask for it
clone_strategy=" STRATEGY FILE_COPY"
[ "$server_major" -ge 15 ] || clone_strategy=""

# the instant row, once db-snapshot has --instant
instant_skip=""
snapshot_help=$("$snapshot" --help 2>&1 || true)
case $snapshot_help in
    *--instant*) ;;
    *) instant_skip="$snapshot --help does not mention --instant (not in this build yet)" ;;
esac
[ -z "$instant_skip" ] || say "db-snapshot --instant: row skipped: $instant_skip"


work=$(mktemp -d "${TMPDIR:-/tmp}/db-tools-bench.XXXXXX")

# --- datasets ------------------------------------------------------------------------------

# prepare_db DB TAG CMD... : (re)create DB with CMD unless it exists with the comment TAG
prepare_db() {
    local db=$1 tag=$2 have start
    shift 2
    have=$(psql -X -A -t -d postgres -v ON_ERROR_STOP=1 \
        -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$db'")
    created_dbs+=("$db")
    if [ "$have" = "$tag" ]; then
        say "reusing database $db ($tag)"
        return 0
    fi
    say "creating database $db ($tag)"
    start=$(bench_now)
    psql -X -q -d postgres -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' \
        -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\"" >/dev/null
    "$@" >&2 || die "loading $db failed"
    psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "COMMENT ON DATABASE \"$db\" IS '$tag'" >/dev/null
    say "loaded $db in $(bench_elapsed "$start" "$(bench_now)") s"
}

# shellcheck disable=SC2317  # called through prepare_db
load_pgbench() {
    pgbench -i -q -s "$pgbench_scale" -d "$1" &&
        psql -X -q -d "$1" -c 'VACUUM ANALYZE' >/dev/null
}

# shellcheck disable=SC2317  # called through prepare_db
load_realistic() {
    "$root/scripts/gen-realistic.sh" -d "$1" --size-mb "$realistic_mb"
}

# --- timing ----------------------------------------------------------------------------------

# Two groups, each rotated on its own: the archive writers, then (after an untimed warm-up
# clone: the first clone of a just-written database is slow, whoever makes it) the clones.
dump_tools=(snap zstd fc fd)
clone_tools=(instant clone)
[ "$only_instant" = 0 ] || dump_tools=(snap fd)
[ -z "$instant_skip" ] || clone_tools=(clone)
tools=("${dump_tools[@]}" "${clone_tools[@]}")
declare -A label=([snap]="db-snapshot -j2 -Z1" [zstd]="db-snapshot -j2 -Z zstd:1"
    [fc]="pg_dump -Fc -Z1" [fd]="pg_dump -Fd -j2 -Z1"
    [instant]="db-snapshot --instant" [clone]="raw clone (FILE_COPY)")
[ -n "$clone_strategy" ] || label[clone]="raw clone (file copy)"

# sql STATEMENT : run it in the maintenance database, quietly
sql() {
    psql -X -q -d postgres -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' -c "$1" >/dev/null
}

# databases : the names of the server's databases, one a line, sorted
databases() {
    psql -X -A -t -d postgres -c 'SELECT datname FROM pg_database' | LC_ALL=C sort
}

# db_size DB : pg_database_size of DB in bytes, empty when it does not exist
db_size() {
    psql -X -A -t -d postgres -c "SELECT pg_database_size(datname) FROM pg_database WHERE datname = '$1'"
}

# delete_instant DIR : db-snapshot --delete -y of the instant snapshot "bench" in DIR
# shellcheck disable=SC2317  # also called by cleanup
delete_instant() {
    env -u DB_TOOLS_CONFIG -u DATABASE_URL -C "$1" "$snapshot" --delete -y -o "$1" -q bench >&2
}

# run_tool TOOL DB DIR : one timed run; sets run_secs, run_kib, run_bytes
run_tool() {
    local tool=$1 db=$2 dir=$3 m before made marker
    local -a cmd
    case $tool in
        snap) cmd=("$snapshot" -d "$db" -o "$dir" -j 2 -Z 1 --progress=never -q bench) ;;
        zstd) cmd=("$snapshot" -d "$db" -o "$dir" -j 2 -Z zstd:1 --progress=never -q bench) ;;
        fc) cmd=("$pg_dump" -Fc -Z1 -f "$dir/dump.fc" -d "$db") ;;
        fd) cmd=("$pg_dump" -Fd -j2 -Z1 -f "$dir/dump.d" -d "$db") ;;
        instant) before=$(databases)
            cmd=("$snapshot" --instant -y -d "$db" -o "$dir" --progress=never -q bench) ;;
        clone) sql "DROP DATABASE IF EXISTS \"$clone_db\" WITH (FORCE)" || die "could not drop $clone_db"
            cmd=(psql -X -q -d postgres -v ON_ERROR_STOP=1
                -c "CREATE DATABASE \"$clone_db\" TEMPLATE \"$db\"$clone_strategy") ;;
    esac
    bench_checkpoint "$db"
    # run from the empty output directory with no configuration file or DATABASE_URL in play;
    # the instant snapshot prints its marker's path
    m=$(BENCH_STDOUT=$dir.out bench_measure env -u DB_TOOLS_CONFIG -u DATABASE_URL -C "$dir" "${cmd[@]}") ||
        die "${label[$tool]} failed on $db (exit $?): ${cmd[*]}: $(head -c 300 "$dir.out")"
    run_secs=${m% *}
    run_kib=${m#* }
    case $tool in
        instant)
            marker=$(tail -n 1 "$dir.out")
            [ -f "$marker" ] || die "${label[$tool]}: no marker file at \"$marker\" (its standard output: $(head -c 300 "$dir.out"))"
            case $marker in "$dir"/*_bench.instant) ;; *) die "${label[$tool]}: unexpected marker path $marker" ;; esac
            # the database it made on the server: the one that was not there before
            made=$(comm -13 <(printf '%s\n' "$before") <(databases))
            [ "$(printf '%s\n' "$made" | grep -c .)" = 1 ] ||
                die "${label[$tool]}: expected one new database on the server, found: ${made:-none}"
            instant_dbs+=("$made")
            run_bytes=$(db_size "$made")
            delete_instant "$dir" >/dev/null || die "db-snapshot --delete -y -o $dir bench failed"
            [ -z "$(db_size "$made")" ] || die "${label[$tool]}: its database $made is still there after --delete"
            [ ! -e "$marker" ] || die "${label[$tool]}: its marker $marker is still there after --delete" ;;
        clone)
            run_bytes=$(db_size "$clone_db")
            sql "DROP DATABASE \"$clone_db\"" || die "could not drop $clone_db" ;;
        *)
            run_bytes=$(find "$dir" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }') ;;
    esac
    rm -f "$dir.out"
}

failed_targets=0
report=""
add() { report+="$*"$'\n'; }

# bench_dataset KIND DB TARGET_RATIO [ZSTD_TARGET_RATIO]
bench_dataset() {
    local kind=$1 db=$2 target=$3 zstd_target=${4:-} r i t g n dir
    local -A secs=() kibs=() bytes=() med=() rss=() size=()
    local -a group
    local dbsize
    dbsize=$(psql -X -A -t -d "$db" -c 'SELECT pg_database_size(current_database())')
    for g in dump clone; do
        if [ "$g" = dump ]; then
            group=("${dump_tools[@]}")
        else
            group=("${clone_tools[@]}")
            dir=$(mktemp -d "$work/warmup.XXXXXX")
            run_tool clone "$db" "$dir"    # warm-up, not counted
            rm -rf "$dir"
        fi
        n=${#group[@]}
        for ((r = 0; r < runs; r++)); do
            for ((i = 0; i < n; i++)); do
                t=${group[(i + r) % n]}
                dir=$(mktemp -d "$work/$t.XXXXXX")
                run_tool "$t" "$db" "$dir"
                rm -rf "$dir"
                secs[$t]+="$run_secs "
                kibs[$t]+="$run_kib "
                bytes[$t]+="$run_bytes "
                say "$kind round $((r + 1))/$runs: ${label[$t]}: ${run_secs} s, $(bench_kib_to_mib "$run_kib") MiB RSS"
            done
        done
    done
    for t in "${tools[@]}"; do
        # shellcheck disable=SC2086
        med[$t]=$(bench_median ${secs[$t]})
        # shellcheck disable=SC2086
        rss[$t]=$(bench_kib_to_mib "$(bench_median ${kibs[$t]})")
        # shellcheck disable=SC2086
        size[$t]=$(bench_bytes_to_mib "$(bench_median ${bytes[$t]})")
    done

    local ratio_fd ratio_fc verdict
    ratio_fd=$(bench_ratio "${med[snap]}" "${med[fd]}")
    ratio_fc=$(bench_ratio "${med[snap]}" "${med[fc]:-}")

    add ""
    add "== $kind: database $db, $(bench_bytes_to_mib "$dbsize") MiB, $runs runs =="
    add "$(printf '%-25s %9s %12s %12s %14s %9s %9s  %s' label median_s ratio_vs_Fd2 ratio_vs_Fc ratio_vs_clone out_MiB rss_MiB runs_s)"
    for t in "${tools[@]}"; do
        add "$(printf '%-25s %9s %12s %12s %14s %9s %9s  %s' "${label[$t]}" "${med[$t]}" \
            "$(bench_ratio "${med[$t]}" "${med[fd]:-}")" "$(bench_ratio "${med[$t]}" "${med[fc]:-}")" \
            "$(bench_ratio "${med[$t]}" "${med[clone]}")" "${size[$t]}" "${rss[$t]}" "${secs[$t]% }")"
    done
    [ -z "$instant_skip" ] || add "db-snapshot --instant: skipped: $instant_skip"
    add "(out_MiB: the archive or dump written; for the two clones, the database made on the server)"
    if [ -n "${med[fc]:-}" ]; then
        add "db-snapshot / pg_dump -Fd -j2: $ratio_fd    db-snapshot / pg_dump -Fc: $ratio_fc"
    else
        add "db-snapshot / pg_dump -Fd -j2: $ratio_fd"
    fi
    if bench_le "$ratio_fd" "$target"; then verdict=PASS; else verdict=FAIL; failed_targets=$((failed_targets + 1)); fi
    add "$(printf 'target %-10s db-snapshot / pg_dump -Fd -j2 <= %-4s  %-8s %s' "$kind" "$target" "$ratio_fd" "$verdict")"
    for t in "${dump_tools[@]}"; do
        case $t in snap|zstd) ;; *) continue ;; esac
        if bench_le "${rss[$t]}" 64; then verdict=PASS; else verdict=FAIL; failed_targets=$((failed_targets + 1)); fi
        add "$(printf 'target %-10s %s peak RSS MiB <= %-9s  %-8s %s' "$kind" "${label[$t]#db-snapshot }" 64 "${rss[$t]}" "$verdict")"
    done
    if [ -n "$instant_skip" ]; then
        add "raw clone (FILE_COPY) / db-snapshot -j2 -Z1: $(bench_ratio "${med[clone]}" "${med[snap]}")    / pg_dump -Fd -j2: $(bench_ratio "${med[clone]}" "${med[fd]}")"
    else
        local ratio_instant
        ratio_instant=$(bench_ratio "${med[instant]}" "${med[clone]}")
        add "db-snapshot --instant / raw clone: $ratio_instant    / db-snapshot -j2 -Z1: $(bench_ratio "${med[instant]}" "${med[snap]}")    / pg_dump -Fd -j2: $(bench_ratio "${med[instant]}" "${med[fd]}")"
        if bench_le "$ratio_instant" 1.2; then verdict=PASS; else verdict=FAIL; failed_targets=$((failed_targets + 1)); fi
        add "$(printf 'target %-10s db-snapshot --instant / raw clone <= 1.2  %-8s %s' "$kind" "$ratio_instant" "$verdict")"
    fi
    [ "$only_instant" = 0 ] || return 0
    ratio_fd=$(bench_ratio "${med[zstd]}" "${med[fd]}")
    add "db-snapshot -Z zstd:1 / pg_dump -Fd -j2: $ratio_fd    archive ${size[zstd]} MiB (gzip ${size[snap]} MiB)"
    if [ -n "$zstd_target" ]; then
        if bench_le "$ratio_fd" "$zstd_target"; then verdict=PASS; else verdict=FAIL; failed_targets=$((failed_targets + 1)); fi
        add "$(printf 'target %-10s zstd:1 / pg_dump -Fd -j2 <= %-4s        %-8s %s' "$kind" "$zstd_target" "$ratio_fd" "$verdict")"
        if bench_le "${size[zstd]}" "${size[snap]}"; then verdict=PASS; else verdict=FAIL; failed_targets=$((failed_targets + 1)); fi
        add "$(printf 'target %-10s zstd:1 archive MiB <= gzip archive %-6s %-8s %s' "$kind" "${size[snap]}" "${size[zstd]}" "$verdict")"
    fi
}

say "server $server_version at ${PGHOST:-}:${PGPORT:-}; pg_dump $pg_dump_version ($pg_dump); db-snapshot $snapshot"

if [ "$skip_pgbench" = 0 ]; then
    prepare_db "bench_pgbench_s$pgbench_scale" "db-tools bench: pgbench scale $pgbench_scale" \
        load_pgbench "bench_pgbench_s$pgbench_scale"
    bench_dataset pgbench "bench_pgbench_s$pgbench_scale" 1.0
fi
if [ "$skip_realistic" = 0 ]; then
    prepare_db "bench_realistic_${realistic_mb}mb" "db-tools bench: realistic $realistic_mb MiB" \
        load_realistic "bench_realistic_${realistic_mb}mb"
    bench_dataset realistic "bench_realistic_${realistic_mb}mb" 0.8 0.6
fi

{
    mode=""
    [ "$only_instant" = 0 ] || mode="  (--only-instant)"
    echo "db-snapshot benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) CPUs$mode"
    echo "server $server_version, pg_dump $pg_dump_version, $("$snapshot" --version 2>/dev/null | head -n 1 || echo db-snapshot)"
    printf '%s' "$report"
    echo
    if [ "$failed_targets" = 0 ]; then
        echo "all targets met"
    else
        echo "$failed_targets target(s) missed"
    fi
}

if [ "$strict" = 1 ] && [ "$failed_targets" -gt 0 ]; then
    exit 1
fi
exit 0
