#!/usr/bin/env bash
# bench-reset.sh - time db-reset (full and --fast) on the example project of share/example/
# and compare db-reset --fast with raw template clones on the same server.
#
# Sizes: "default" (the counts of share/example/db-tools.json, about 10 MB) and "large"
# (-c users=50000 -c products=5000 -c orders=250000 -c events=650000, about 300 MB).
# db-reset runs from a copy of share/example/ in a temporary directory, with -d pointing
# at the benchmark server. Per size, after `db-reset --cache=clear` (not timed):
#   full reset       db-reset -y --keep-previous=0 [-c ...], with the target dropped
#                    before each run (not timed); each keeps its result as the template
#                    db_tools_cache_<16 hex> (the default), which --fast then clones
#   db-reset --fast  db-reset -y --fast [-c ...] into a target that does not exist (dropped
#                    before each run, not timed), like the raw clones; its --json summary
#                    must say from_cache=true
#   db-reset --fast, replacing the target
#                    the same with --keep-previous=0 into the existing target: the swap,
#                    including dropping the replaced database, is timed too (reported for
#                    information)
#   db-reset --fast, ready spare
#                    the same into a target that does not exist, taking the template's
#                    ready spare (made, and after the run made again, untimed)
#   raw FILE_COPY    CREATE DATABASE x TEMPLATE <template> STRATEGY FILE_COPY, with psql
#   raw WAL_LOG      CREATE DATABASE x TEMPLATE <template> STRATEGY WAL_LOG, with psql
#                    (x dropped before each run, not timed); before 15, where every
#                    clone is a file copy and STRATEGY does not exist, the one raw clone is
#                    CREATE DATABASE x TEMPLATE <template>. Like db-reset --fast, they run
#                    with the template's spare dropped first (not timed): every clone
#                    starts from the same state (on a thin-provisioned VM disk a clone that
#                    follows the spare's rebuild was seen to take 2-5 times longer)
# The full resets are timed first. Then, after one untimed warm-up clone (the first clone
# of a just-written template is slow, whoever makes it), the three clones are timed in
# rounds, their order rotated from round to round. Every timed command runs after `sync`
# and a CHECKPOINT. The report gives the median wall time and peak RSS of each, the
# database size, and checks the targets:
#   large:   db-reset --fast / raw FILE_COPY                     <= 1.2
#   default: db-reset --fast / min(raw FILE_COPY, raw WAL_LOG)   <= 1.5
#   both:    db-reset --fast with a ready spare                   <= 0.1 s
# Every other row runs with DB_TOOLS_SPARE_BUDGET=0: no spare is made in the background.
# The full-reset medians are reported for information, and so is the disk the ready spare
# and the template take (pg_database_size of db_tools_spare_<16 hex> and the template).
# Before the clones are timed, the free disk of the server's data directory (when this
# machine can see it) must be at least 3 times the database's size (a spare, a raw clone,
# and a margin; the target and the template exist already).
#
# --only-fast (for large sizes): one full reset per size (it makes the template; timed, for
# information; --large-full-runs overrides for the large size), then N rounds of
#   db-reset --fast, db-reset --fast, ready spare, raw clone (FILE_COPY)
# only (no replacing run, no WAL_LOG clone), with the same targets (the default size's
# against raw FILE_COPY alone). About 3.7 GiB, ~12.6 times the large counts:
#   --only-fast --skip-default
#   --large-counts users=630000,products=63000,orders=3150000,events=8190000
# The exit status is 0 whether or not the targets are met, unless --strict is given.
set -euo pipefail

prog=bench-reset.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
# shellcheck source-path=SCRIPTDIR source=bench-lib.sh
. "$here/bench-lib.sh"

default_large_counts="users=50000,products=5000,orders=250000,events=650000"

usage() {
    cat <<EOF
Usage: scripts/bench-reset.sh [OPTION]...
Benchmark db-reset (full reset and --fast) on the example project of share/example/, and
compare db-reset --fast with raw CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY and
STRATEGY WAL_LOG clones of its template.

  --runs N              timed rounds per size, median reported (default 5)
  --large-full-runs N   full resets timed for the large size (default: --runs; at
                        least 3 recommended)
  --large-counts LIST   the counts of the large size, comma-separated NAME=N
                        (default $default_large_counts)
  --skip-default        leave out the default size
  --skip-large          leave out the large size
  --quick               smoke check: the default size only, --runs 3 (explicit options
                        win)
  --only-fast           one full reset per size (it makes the template), then only the
                        --fast, ready spare and raw FILE_COPY rows; for large sizes, e.g.
                        --only-fast --skip-default --large-counts
                        users=630000,products=63000,orders=3150000,events=8190000
                        (about 3.7 GiB)
  --bindir DIR          use DIR/db-reset instead of building build-bench/ (Release)
  --use-env             use the server in PGHOST/PGPORT (PGUSER, PGPASSWORD...) instead of
                        a private sandbox server; note that db-reset --cache=clear is run
                        on it, which drops all of its db-reset template copies
  --keep                keep the benchmark databases, the template copies (and the stopped
                        sandbox) for inspection
  --strict              exit 1 when a target is missed
  -h, --help            show this help

Environment: DB_TOOLS_BENCH_RESET_SANDBOX (sandbox directory, default
\${TMPDIR:-/tmp}/db-tools-bench-reset-<uid>), TMPDIR (where the copy of the example
project is made).
EOF
}

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { say "error: $*"; exit 1; }

runs="" large_full_runs="" large_counts=""
skip_default=0 skip_large="" quick=0 only_fast=0 bindir="" use_env=0 keep=0 strict=0

while [ $# -gt 0 ]; do
    case "$1" in
        --runs) bench_need_arg "$@"; runs=$2; shift 2 ;;
        --runs=*) runs=${1#*=}; shift ;;
        --large-full-runs) bench_need_arg "$@"; large_full_runs=$2; shift 2 ;;
        --large-full-runs=*) large_full_runs=${1#*=}; shift ;;
        --large-counts) bench_need_arg "$@"; large_counts=$2; shift 2 ;;
        --large-counts=*) large_counts=${1#*=}; shift ;;
        --skip-default) skip_default=1; shift ;;
        --skip-large) skip_large=1; shift ;;
        --quick) quick=1; shift ;;
        --only-fast) only_fast=1; shift ;;
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
    : "${runs:=3}" "${skip_large:=1}"
fi
: "${runs:=5}" "${skip_large:=0}" "${large_counts:=$default_large_counts}"
# with --only-fast the full reset is the setup that makes the template: one is enough
default_full_runs=$runs
[ "$only_fast" = 0 ] || default_full_runs=1
: "${large_full_runs:=$default_full_runs}"
for v in runs large_full_runs; do
    case "${!v}" in
        ''|*[!0-9]*|0) say "--${v//_/-} must be a positive integer"; exit 2 ;;
    esac
done
[ "$skip_default" = 1 ] && [ "$skip_large" = 1 ] && { say "nothing to do: both sizes skipped"; exit 2; }

# the large size's counts as db-reset options
large_count_args=()
IFS=, read -r -a _counts <<<"$large_counts"
for c in "${_counts[@]}"; do
    case $c in
        [A-Za-z_]*=[0-9]*) case ${c#*=} in *[!0-9]*) say "bad count in --large-counts: $c"; exit 2 ;; esac
            large_count_args+=(-c "$c") ;;
        *) say "bad count in --large-counts: $c (NAME=N expected)"; exit 2 ;;
    esac
done
[ ${#large_count_args[@]} -gt 0 ] || { say "--large-counts is empty"; exit 2; }

# the databases this script creates (besides db-reset's templates); names start with these
target_db=bench_reset_target
clone_db=bench_reset_clone
# LIKE pattern for what an interrupted db-reset leaves beside the target (<db>__restoring_..., <db>__pre_...)
target_like='bench\_reset\_target\_\_%'

# --- cleanup ---------------------------------------------------------------------------

work=""
server_ready=0
reset=""
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ "$keep" = 0 ] && [ "$server_ready" = 1 ]; then
        local db dbs=()
        while IFS= read -r db; do
            [ -n "$db" ] && dbs+=("$db")
        done < <(psql -X -A -t -d postgres -c "SELECT datname FROM pg_database
                WHERE datname IN ('$target_db', '$clone_db') OR datname LIKE '$target_like'" \
            2>/dev/null || true)
        for db in ${dbs[@]+"${dbs[@]}"}; do
            psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
        done
        if [ -n "$reset" ] && [ -n "$work" ]; then
            run_reset --cache=clear -d "$target_db" -q >&2 || say "warning: db-reset --cache=clear failed"
        fi
    fi
    [ -n "$work" ] && rm -rf "$work"
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

# --- db-reset binary -------------------------------------------------------------------------

if [ -z "$bindir" ]; then
    bench_build "$root" db-reset
    bindir=$root/build-bench/tools
fi
case $bindir in /*) ;; *) bindir=$PWD/$bindir ;; esac
[ -x "$bindir/db-reset" ] || die "no db-reset program at $bindir/db-reset"
[ -f "$root/share/example/db-tools.json" ] || die "no example project at $root/share/example"
command -v jq >/dev/null 2>&1 || die "jq is needed (apt-get install jq)"

bench_require_time || true

work=$(mktemp -d "${TMPDIR:-/tmp}/db-tools-bench-reset.XXXXXX")
# db-reset runs in a copy of the example project, so that nothing is written into the tree
cp -R "$root/share/example" "$work/example"
reset=$bindir/db-reset

# db-reset with the example project's configuration only: no other configuration file,
# DATABASE_URL, count or seed from the environment, nothing that looks like production
reset_env=(env -u DB_TOOLS_CONFIG -u DATABASE_URL -u SEED_RNG_SEED -u SEED_USERS_COUNT
    -u SEED_PRODUCTS_COUNT -u SEED_ORDERS_COUNT -u SEED_EVENTS_COUNT
    -u ENV -u APP_ENV -u RAILS_ENV -u NODE_ENV -C "$work/example")
# shellcheck disable=SC2317  # also called by cleanup
run_reset() {
    "${reset_env[@]}" "$reset" "$@"
}

# --- server ------------------------------------------------------------------------------

bench_start_server "$use_env" "${DB_TOOLS_BENCH_RESET_SANDBOX:-${TMPDIR:-/tmp}/db-tools-bench-reset-$(id -u)}"
server_ready=1

server_num=$(psql -X -A -t -d postgres -c 'SHOW server_version_num')
server_version=$(psql -X -A -t -d postgres -c 'SHOW server_version')
# before 15 every clone is a file copy: there is no STRATEGY to choose, and no WAL_LOG clone
old_server=0
[ "$((server_num / 10000))" -ge 15 ] || old_server=1


# sql STATEMENT : run it in the maintenance database, quietly
sql() {
    psql -X -q -d postgres -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' -c "$1" >/dev/null
}

drop_db() {
    sql "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" || die "could not drop database $1"
}

db_exists() {
    [ "$(psql -X -A -t -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$1'")" = 1 ]
}

# db_size DB : pg_database_size of DB in bytes, empty when it does not exist
db_size() {
    psql -X -A -t -d postgres -c "SELECT pg_database_size(datname) FROM pg_database WHERE datname = '$1'"
}

# check_disk SIZE BYTES : exit unless the server's data directory has 3 times BYTES free
# (when this machine can see it; otherwise say so)
check_disk() {
    local size=$1 mib need_kib have_kib datadir where
    mib=$(( ($2 + 1048575) / 1048576 ))
    need_kib=$((3 * mib * 1024))
    datadir=$(psql -X -A -t -d postgres -c 'SHOW data_directory' 2>/dev/null || true)
    if [ -z "$datadir" ] || [ ! -d "$datadir" ]; then
        say "note: the server's data directory is not visible from here; its free disk is not checked"
        return 0
    fi
    have_kib=$(df -Pk "$datadir" | awk 'NR == 2 { print $4 }') || die "df $datadir failed"
    where="$datadir ($(df -P "$datadir" | awk 'NR == 2 { print $6 }'))"
    [ "$have_kib" -ge "$need_kib" ] ||
        die "$size: not enough free disk to time the clones of a ${mib} MiB database: $where has $((have_kib / 1024)) MiB free, 3 x ${mib} = $((need_kib / 1024)) MiB needed (a spare, a raw clone, a margin)"
    say "$size: free disk in $where: $((have_kib / 1024)) MiB, at least 3 x ${mib} MiB needed: ok"
}

# fingerprint DB : the number of user tables, the seed run's key and the rows it recorded
fingerprint() {
    psql -X -A -t -d "$1" -v ON_ERROR_STOP=1 -c "SELECT
        (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%')
        || ' ' || s.seed_version || ' ' || s.rows::text
        FROM public.seed_metadata s ORDER BY s.id DESC LIMIT 1"
}

# --- timing ----------------------------------------------------------------------------------

# no ready spares made in the background, but in the row that measures them
export DB_TOOLS_SPARE_BUDGET=0

# spare_state : the spare of the template: ready, building or none
spare_state() {
    env DB_TOOLS_SPARE_BUDGET=0 "${reset_env[@]}" "$reset" -d "$target_db" --cache=list --json |
        jq -r --arg t "$template" '.[] | select(.database == $t) | .spare // "none"'
}

# ensure_spare COUNT_ARGS... : the template's ready spare (bench_ensure_spare). With
# spare_wait=1 (a run has just started a builder) it is given time to appear first.
spare_wait=0
ensure_spare() {
    local wait=$spare_wait
    spare_wait=0
    bench_ensure_spare "$template" "$wait" prime_spare "$@"
}
# prime_spare COUNT_ARGS... : a --fast reset into a scratch database, with a spare budget
# shellcheck disable=SC2317  # called by bench_ensure_spare
prime_spare() {
    drop_db "$spare_prime_db"
    env DB_TOOLS_SPARE_BUDGET=1TiB "${reset_env[@]}" "$reset" -d "$spare_prime_db" -y --fast \
        --keep-previous=0 -q "$@" >/dev/null || return 1
    drop_db "$spare_prime_db"
}
spare_prime_db=db_tools_bench_reset_spare_prime

tools=(full fast spare swap fc wal)
clone_tools=(fast spare swap fc wal)
declare -A label=(
    [full]="db-reset (full, keeps template)"
    [fast]="db-reset --fast"
    [spare]="db-reset --fast, ready spare"
    [swap]="db-reset --fast, replacing"
    [fc]="raw clone (FILE_COPY)"
    [wal]="raw clone (WAL_LOG)"
)
if [ "$old_server" = 1 ]; then
    tools=(full fast spare swap fc)
    clone_tools=(fast spare swap fc)
    label[fc]="raw clone (file copy)"
fi
# the rows that compare with a raw clone: the rows besides, and the minimum over raw clones
has_wal=1
if [ "$only_fast" = 1 ]; then
    tools=(full fast spare fc)
    clone_tools=(fast spare fc)
    has_wal=0
fi
[ "$old_server" = 0 ] || has_wal=0

# run_tool TOOL SIZE COUNT_ARGS... : one timed run; sets run_secs, run_kib
run_tool() {
    local tool=$1 size=$2 m json=$work/last.json got db=$target_db
    shift 2
    local -a cmd
    case $tool in
        full) drop_db "$target_db"
            cmd=("${reset_env[@]}" "$reset" -d "$target_db" -y --keep-previous=0 -q --json "$@") ;;
        fast) drop_db "$target_db"
            # a clone of the template: its spare (left by the spare row) is dropped first, untimed
            drop_db "db_tools_spare_${template#db_tools_cache_}"
            cmd=("${reset_env[@]}" "$reset" -d "$target_db" -y --fast --keep-previous=0 -q --json "$@") ;;
        spare) ensure_spare "$@"
            drop_db "$target_db"
            cmd=(env DB_TOOLS_SPARE_BUDGET=1TiB "${reset_env[@]}" "$reset" -d "$target_db" -y --fast
                --keep-previous=0 -q --json "$@") ;;
        swap) db_exists "$target_db" || die "${label[$tool]}: the target $target_db does not exist"
            drop_db "db_tools_spare_${template#db_tools_cache_}"
            cmd=("${reset_env[@]}" "$reset" -d "$target_db" -y --fast --keep-previous=0 -q --json "$@") ;;
        fc|wal) db=$clone_db
            drop_db "$clone_db"
            drop_db "db_tools_spare_${template#db_tools_cache_}"
            local strategy=" STRATEGY FILE_COPY"
            [ "$tool" = wal ] && strategy=" STRATEGY WAL_LOG"
            [ "$old_server" = 1 ] && strategy=""
            cmd=(psql -X -q -d postgres -v ON_ERROR_STOP=1
                -c "CREATE DATABASE \"$clone_db\" TEMPLATE \"$template\"$strategy") ;;
    esac
    bench_checkpoint postgres
    : >"$json"
    m=$(BENCH_STDOUT=$json bench_measure "${cmd[@]}") ||
        die "$size: ${label[$tool]} failed (exit $?): ${cmd[*]}"
    run_secs=${m% *}
    run_kib=${m#* }
    case $tool in
        full|fast|spare|swap)
            got=$(jq -r '"\(.from_cache) \(.cached)"' "$json" 2>/dev/null) ||
                die "$size: ${label[$tool]}: no JSON summary from db-reset: $(head -c 300 "$json")"
            if [ "$tool" != full ] && [ "${got% *}" != true ]; then
                die "$size: db-reset --fast did not clone its template: it reported from_cache=${got% *} cached=${got#* } (expected from_cache=true); template $template"
            fi
            if [ "$tool" = full ] && [ "$got" != "false true" ]; then
                die "$size: the full reset reported from_cache=${got% *} cached=${got#* }, expected from_cache=false cached=true"
            fi ;;
    esac
    if [ "$tool" = fast ] || [ "$tool" = swap ]; then
        [ "$(jq -r .from_spare "$json")" = false ] || die "$size: ${label[$tool]}: a spare was taken"
    fi
    if [ "$tool" = spare ]; then
        [ "$(jq -r .from_spare "$json")" = true ] || die "$size: ${label[$tool]}: the spare was not taken"
        spare_wait=1
        ensure_spare "$@"       # the next one, made in the background, before anything else is timed
    fi
    # a light check that the result holds the same tables and seed run as the full reset
    if [ "$tool" != full ]; then
        got=$(fingerprint "$db") || die "$size: ${label[$tool]}: cannot read $db afterwards"
        [ "$got" = "$reference" ] ||
            die "$size: ${label[$tool]}: $db differs from the full reset's result: '$got' vs '$reference'"
    fi
    [ "$db" = "$clone_db" ] && drop_db "$clone_db"
    return 0
}

failed_targets=0
report=""
add() { report+="$*"$'\n'; }
row() { printf '%-32s %9s %14s %8s  %s' "$@"; }

# bench_size SIZE FULL_RUNS COUNT_ARGS...
bench_size() {
    local size=$1 full_runs=$2 r i t n json=$work/cache.json key ref_key
    shift 2
    local -a cargs=("$@")
    local -A secs=() kibs=() med=() rss=()
    local dbsize

    run_reset --cache=clear -d "$target_db" -q >&2 || die "db-reset --cache=clear failed"
    drop_db "$clone_db"

    say "$size: $full_runs full resets, counts $counts_desc"
    for ((r = 0; r < full_runs; r++)); do
        run_tool full "$size" ${cargs[@]+"${cargs[@]}"}
        secs[full]+="$run_secs "
        kibs[full]+="$run_kib "
        say "$size full reset $((r + 1))/$full_runs: ${run_secs} s, $(bench_kib_to_mib "$run_kib") MiB RSS"
    done
    # the template of the last full reset
    run_reset --cache=list -d "$target_db" --json >"$json" || die "db-reset --cache=list failed"
    template=$(jq -r '.[0].database // empty' "$json") || die "db-reset --cache=list --json: $(head -c 300 "$json")"
    key=$(jq -r '.[0].key // empty' "$json")
    [[ $template =~ ^db_tools_cache_[0-9a-f]{16}$ ]] ||
        die "$size: no template after the full reset (db-reset --cache=list --json: $(head -c 300 "$json"))"
    db_exists "$template" || die "$size: template $template does not exist"
    reference=$(fingerprint "$target_db") || die "$size: cannot read $target_db after the full reset"
    ref_key=$(awk '{ print $2 }' <<<"$reference")
    [ "$ref_key" = "$key" ] ||
        die "$size: $target_db holds the seed run $ref_key, the template $template is for $key"
    dbsize=$(psql -X -A -t -d postgres -c "SELECT pg_database_size('$target_db')")
    check_disk "$size" "$dbsize"

    # warm-up, not counted: the template was just written
    run_tool fc "$size"
    n=${#clone_tools[@]}
    for ((r = 0; r < runs; r++)); do
        for ((i = 0; i < n; i++)); do
            t=${clone_tools[(i + r) % n]}
            run_tool "$t" "$size" ${cargs[@]+"${cargs[@]}"}
            secs[$t]+="$run_secs "
            kibs[$t]+="$run_kib "
            say "$size round $((r + 1))/$runs: ${label[$t]}: ${run_secs} s, $(bench_kib_to_mib "$run_kib") MiB RSS"
        done
    done
    for t in "${tools[@]}"; do
        # shellcheck disable=SC2086
        med[$t]=$(bench_median ${secs[$t]})
        # shellcheck disable=SC2086
        rss[$t]=$(bench_kib_to_mib "$(bench_median ${kibs[$t]})")
    done
    # the disk of one ready spare and of the template (made again when the last round dropped it)
    local spare_db spare_bytes template_bytes
    spare_db=db_tools_spare_${template#db_tools_cache_}
    ensure_spare ${cargs[@]+"${cargs[@]}"}
    spare_bytes=$(db_size "$spare_db")
    template_bytes=$(db_size "$template")
    local rss_max raw_min ratio_fc ratio_wal ratio_min verdict min_desc="min(raw FILE_COPY, WAL_LOG)"
    # shellcheck disable=SC2086
    rss_max=$(bench_kib_to_mib "$(bench_max ${kibs[full]} ${kibs[fast]})")
    raw_min=${med[fc]}
    [ "$has_wal" = 1 ] || min_desc="raw FILE_COPY"
    if [ "$has_wal" = 1 ]; then
        bench_le "${med[wal]}" "$raw_min" && raw_min=${med[wal]}
        ratio_wal=$(bench_ratio "${med[fast]}" "${med[wal]}")
    else
        ratio_wal=n/a
    fi
    ratio_fc=$(bench_ratio "${med[fast]}" "${med[fc]}")
    ratio_min=$(bench_ratio "${med[fast]}" "$raw_min")

    add ""
    add "== $size: $(bench_bytes_to_mib "$dbsize") MiB ($dbsize bytes, pg_database_size), counts: $counts_desc =="
    add "template $template; $full_runs full resets, $runs rounds of clones"
    add "$(row label median_s ratio_vs_FC rss_MiB runs_s)"
    for t in "${tools[@]}"; do
        add "$(row "${label[$t]}" "${med[$t]}" "$(bench_ratio "${med[$t]}" "${med[fc]}")" \
            "${rss[$t]}" "${secs[$t]% }")"
    done
    add "db-reset --fast / raw FILE_COPY: $ratio_fc    / raw WAL_LOG: $ratio_wal    / min(raw): $ratio_min"
    [ -z "${med[swap]:-}" ] ||
        add "db-reset --fast replacing the target (swap and drop of the old copy timed too): ${med[swap]} s"
    add "full reset median (informational): ${med[full]} s"
    add "db-reset peak RSS: $rss_max MiB (largest of all its runs; medians: full ${rss[full]}, --fast ${rss[fast]})"
    if bench_le "${med[spare]}" 0.1; then verdict=PASS; else verdict=FAIL; failed_targets=$((failed_targets + 1)); fi
    add "$(printf 'target %-8s db-reset --fast with a ready spare <= 0.1 s            %-8s %s' "$size" "${med[spare]}" "$verdict")"
    if [ "$size" = large ]; then
        if bench_le "$ratio_fc" 1.2; then verdict=PASS; else verdict=FAIL; failed_targets=$((failed_targets + 1)); fi
        add "$(printf 'target %-8s db-reset --fast / raw FILE_COPY <= 1.2                 %-8s %s' "$size" "$ratio_fc" "$verdict")"
    else
        if bench_le "$ratio_min" 1.5; then verdict=PASS; else verdict=FAIL; failed_targets=$((failed_targets + 1)); fi
        add "$(printf 'target %-8s %-54s %-8s %s' "$size" "db-reset --fast / $min_desc <= 1.5" "$ratio_min" "$verdict")"
    fi
    add "disk of the ready spare $spare_db: $(bench_bytes_to_mib "${spare_bytes:-0}") MiB (${spare_bytes:-0} bytes); template $template: $(bench_bytes_to_mib "${template_bytes:-0}") MiB (${template_bytes:-0} bytes) (pg_database_size)"
    # leave the target for the next size (or --keep); the clone database is already gone
}

say "server $server_version at ${PGHOST:-}:${PGPORT:-}; db-reset $reset; example project copied to $work/example"

if [ "$skip_default" = 0 ]; then
    counts_desc="$(jq -r '.seeds.counts | to_entries | map("\(.key)=\(.value)") | join(",")' \
        "$work/example/db-tools.json") (the example's defaults)"
    bench_size default "$default_full_runs"
fi
if [ "$skip_large" = 0 ]; then
    counts_desc=$large_counts
    bench_size large "$large_full_runs" "${large_count_args[@]}"
fi

{
    mode=""
    [ "$only_fast" = 0 ] || mode="  (--only-fast)"
    echo "db-reset benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) CPUs$mode"
    echo "server $server_version, $("$reset" --version 2>/dev/null | head -n 1 || echo db-reset)"
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
