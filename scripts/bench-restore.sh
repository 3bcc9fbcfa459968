#!/usr/bin/env bash
# bench-restore.sh - compare db-restore with pg_restore -j2, pg_restore -Fc and a raw template
# clone on the same server.
#
# Datasets: (a) pgbench -i -s N, (b) the realistic shop dataset of scripts/gen-realistic.sh.
# Setup per dataset (not timed): one db-snapshot -j2 -Z1 archive A (and one -Z zstd:1, Z), one pg_dump -Fd -j2 -Z1
# directory and one pg_dump -Fc -Z1 file, then one db-restore of A that leaves its template.
# Each run goes into a target database that does not exist (or, for pg_restore, a freshly
# created empty one), after `sync` and a CHECKPOINT. The loading restores (first five below)
# are rotated from round to round among themselves, then the two clones among themselves
# (at least 9 rounds of them) after one untimed warm-up clone (the first clone of a
# just-written template is slow, whoever makes it):
#   db-restore (archive)                  db-restore -j2 --no-cache --keep-previous=0 A
#   db-restore (zstd:1 archive)           the same with Z, a db-snapshot -Z zstd:1 archive
#   db-restore (archive, keeps template)  the same without --no-cache, after --cache=clear
#   pg_restore -j2 (-Fd)                  pg_restore -j2 -d TARGET DIR
#   createdb + pg_restore -j2 (-Fd)       createdb -T template0 TARGET && pg_restore -j2 ...
#   pg_restore (-Fc)                      pg_restore -d TARGET FILE.dump
#   db-restore (cached)                   db-restore --keep-previous=0 A, from A's template
#                                         (a clone: any spare of it is dropped first, untimed)
#   db-restore (ready spare)              the same, taking the template's ready spare (made
#                                         before the run, not timed; the run makes the next
#                                         one in the background, waited for after the run)
#   raw clone (FILE_COPY)                 CREATE DATABASE TARGET TEMPLATE <A's template>
#                                         STRATEGY FILE_COPY, with psql (before 15, where
#                                         every clone is a file copy, without STRATEGY);
#                                         any spare dropped first, untimed, as for the cached
#                                         row: both clones start from the same state (on a
#                                         thin-provisioned VM disk a clone that follows the
#                                         spare's rebuild was seen to take 2-5 times longer)
# Dropping the targets, and creating them for pg_restore, is not timed, except in the
# createdb + pg_restore row: db-restore creates its database within its own time, and that
# row gives pg_restore the same job. The report gives the median wall time and peak RSS of
# each, and checks the targets (both datasets):
#   db-restore (archive) / pg_restore -j2      <= 0.9
#   db-restore (cached) / raw FILE_COPY clone  <= 1.2
#   db-restore (ready spare)                   <= 0.1 s
# Every other row runs with DB_TOOLS_SPARE_BUDGET=0: no spare is made in the background.
# db-restore (archive) against pg_restore -Fc and against createdb + pg_restore -j2 is
# reported for information, and so is the disk the ready spare and the template take
# (pg_database_size of db_tools_spare_<16 hex> and db_tools_cache_<16 hex>).
#
# --only-cached (for large sizes, e.g. --pgbench-scale 250, about 3.7 GiB): the setup is one
# db-snapshot -j2 -Z1 archive A and the one db-restore of A that leaves its template (neither
# timed; no zstd:1 archive, no pg_dump, no pg_restore); then, after the warm-up clone, N
# rounds (no minimum of 9: no loading restore runs before them) of the three clones only:
#   db-restore (cached), db-restore (ready spare), raw clone (FILE_COPY)
# with the same two clone targets and the disk of the spare and the template. Before any
# dataset is made, the free disk of the server's data directory (when this machine can see
# it) and of TMPDIR must be at least 4 times the dataset's size (the size of the existing
# database, else about 16 MiB per pgbench scale unit or --realistic-mb): the source, its
# template, the spare and the target each take that much.
# The exit status is 0 whether or not the targets are met, unless --strict is given.
set -euo pipefail

prog=bench-restore.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
# shellcheck source-path=SCRIPTDIR source=bench-lib.sh
. "$here/bench-lib.sh"

usage() {
    cat <<'EOF'
Usage: scripts/bench-restore.sh [OPTION]...
Benchmark db-restore against pg_restore -j2 (-Fd), pg_restore (-Fc) and a raw
CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY clone.

  --runs N              timed rounds per dataset, median reported (default 3); the two
                        clones get max(N, 9) rounds
  --pgbench-scale N     pgbench -i scale factor (default 20)
  --realistic-mb N      size of the gen-realistic.sh dataset in MiB (default 500)
  --skip-pgbench        leave out the pgbench dataset
  --skip-realistic      leave out the realistic dataset
  --quick               smoke check: --pgbench-scale 2 --realistic-mb 30 --runs 3
                        (explicit options win)
  --only-cached         only the clone rows (cached, ready spare, raw FILE_COPY clone),
                        N rounds, after an untimed db-snapshot and db-restore that make
                        the template: no pg_dump, pg_restore or loading restores; for
                        large sizes, e.g. --only-cached --skip-realistic
                        --pgbench-scale 250 (about 3.7 GiB)
  --bindir DIR          use DIR/db-snapshot and DIR/db-restore instead of building
                        build-bench/ (Release)
  --use-env             use the server in PGHOST/PGPORT (PGUSER, PGPASSWORD...) instead of
                        a private sandbox server; note that db-restore --cache=clear is run
                        on it, which drops all of its db-restore template copies
  --keep                keep the benchmark databases, the template copies (and the stopped
                        sandbox) for the next run; source databases generated with the same
                        parameters are reused
  --strict              exit 1 when a target is missed
  -h, --help            show this help

Environment: DB_TOOLS_BENCH_RESTORE_SANDBOX (sandbox directory, default
${TMPDIR:-/tmp}/db-tools-bench-restore-<uid>), BENCH_PG_DUMP and BENCH_PG_RESTORE
(default /usr/lib/postgresql/<server major>/bin/pg_dump and pg_restore), TMPDIR (where
the archive and the dumps are written).
EOF
}

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { say "error: $*"; exit 1; }

runs="" pgbench_scale="" realistic_mb=""
skip_pgbench=0 skip_realistic=0 quick=0 only_cached=0 bindir="" use_env=0 keep=0 strict=0

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
        --only-cached) only_cached=1; shift ;;
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
# A clone takes a quarter of a second. After the loading runs, stalls of the machine have
# been seen to add half a second to every second or third clone, whichever tool it is, and
# with few rounds they can decide a median; so the clones get at least CLONE_MIN_RUNS rounds.
# With --only-cached no loading restore runs before them: they get N rounds.
CLONE_MIN_RUNS=9
clone_runs=$((runs > CLONE_MIN_RUNS ? runs : CLONE_MIN_RUNS))
[ "$only_cached" = 0 ] || clone_runs=$runs

# the databases the timed commands create; their names start with these
target_db=bench_restore_target
prime_db=bench_restore_prime
# LIKE patterns for what an interrupted db-restore leaves beside them (<db>__restoring_..., <db>__pre_...)
target_like='bench\_restore\_target\_\_%'
prime_like='bench\_restore\_prime\_\_%'

# --- cleanup ---------------------------------------------------------------------------

work=""
server_ready=0
restore=""
created_dbs=()
templates=()
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ "$keep" = 0 ] && [ "$server_ready" = 1 ]; then
        local db
        # the sources, the targets, and whatever an interrupted db-restore left beside them
        while IFS= read -r db; do
            [ -n "$db" ] && created_dbs+=("$db")
        done < <(psql -X -A -t -d postgres -c "SELECT datname FROM pg_database
                WHERE datname IN ('$target_db', '$prime_db')
                   OR datname LIKE '$target_like' OR datname LIKE '$prime_like'" \
            2>/dev/null || true)
        for db in ${created_dbs[@]+"${created_dbs[@]}"} ${templates[@]+"${templates[@]}"}; do
            psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
        done
        if [ -n "$restore" ] && [ ${#templates[@]} -gt 0 ]; then
            run_restore --cache=clear -d "$target_db" -q >&2 || say "warning: db-restore --cache=clear failed"
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

# --- db-snapshot and db-restore binaries ----------------------------------------------------

if [ -z "$bindir" ]; then
    bench_build "$root" db-snapshot db-restore
    bindir=$root/build-bench/tools
fi
case $bindir in /*) ;; *) bindir=$PWD/$bindir ;; esac
snapshot=$bindir/db-snapshot
[ -x "$snapshot" ] || die "no db-snapshot program at $snapshot"
[ -x "$bindir/db-restore" ] || die "no db-restore program at $bindir/db-restore"
restore=$bindir/db-restore
command -v jq >/dev/null 2>&1 || die "jq is needed (apt-get install jq)"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum is needed"
if [ "$skip_pgbench" = 0 ]; then
    command -v pgbench >/dev/null 2>&1 || die "pgbench is needed (or --skip-pgbench)"
fi

bench_require_time || true

work=$(mktemp -d "${TMPDIR:-/tmp}/db-tools-bench-restore.XXXXXX")
# the tools run from this empty directory, with no configuration file or DATABASE_URL in play
mkdir "$work/empty"

# shellcheck disable=SC2317  # also called by cleanup
run_restore() {
    env -u DB_TOOLS_CONFIG -u DATABASE_URL -C "$work/empty" "$restore" "$@"
}
# no ready spares made in the background, but in the row that measures them
export DB_TOOLS_SPARE_BUDGET=0

# spare_state : the spare of the archive's template: ready, building or none
spare_state() {
    run_restore --cache=list --json | jq -r --arg t "$template" '.[] | select(.database == $t) | .spare // "none"'
}

# ensure_spare [wait] : the template and its ready spare (bench_ensure_spare). With "wait" (a
# run has just started a builder) it is given time to appear first.
ensure_spare() {
    ensure_template
    bench_ensure_spare "$template" "$([ "${1:-}" = wait ] && echo 1 || echo 0)" prime_spare
}
# prime_spare : a restore into a scratch database, with a spare budget
# shellcheck disable=SC2317  # called by bench_ensure_spare
prime_spare() {
    drop_db "$prime_db"
    DB_TOOLS_SPARE_BUDGET=1TiB run_restore -d "$prime_db" -y -q --progress=never "$archive" >/dev/null || return 1
    drop_db "$prime_db"
}

# --- server ------------------------------------------------------------------------------

bench_start_server "$use_env" "${DB_TOOLS_BENCH_RESTORE_SANDBOX:-${TMPDIR:-/tmp}/db-tools-bench-restore-$(id -u)}"
server_ready=1

server_num=$(psql -X -A -t -d postgres -c 'SHOW server_version_num')
server_version=$(psql -X -A -t -d postgres -c 'SHOW server_version')
server_major=$((server_num / 10000))
# before 15 every clone is a file copy, and CREATE DATABASE has no STRATEGY to ask for it
clone_strategy=" STRATEGY FILE_COPY"
[ "$server_major" -ge 15 ] || clone_strategy=""

# find_pg_program NAME OVERRIDE : sets found_path and found_version to the NAME of the
# server's major version (or OVERRIDE), else the one on PATH
find_pg_program() {
    local name=$1 major
    found_path=${2:-/usr/lib/postgresql/$server_major/bin/$name}
    if [ ! -x "$found_path" ]; then
        found_path=$(command -v "$name") || die "no $name found for server version $server_version"
    fi
    found_version=$("$found_path" --version | sed -n "s/^$name (PostgreSQL) \\([0-9][0-9.]*\\).*/\\1/p")
    major=${found_version%%.*}
    [ "$major" -ge "$server_major" ] 2>/dev/null ||
        die "$found_path is version ${found_version:-unknown}, the server needs $server_major or newer"
}
find_pg_program pg_dump "${BENCH_PG_DUMP:-}"
pg_dump=$found_path pg_dump_version=$found_version
pg_restore="" pg_restore_version="" createdb=""
if [ "$only_cached" = 0 ]; then
    find_pg_program pg_restore "${BENCH_PG_RESTORE:-}"
    pg_restore=$found_path pg_restore_version=$found_version
    find_pg_program createdb ""
    createdb=$found_path
fi
# db-snapshot runs the same pg_dump for the schema
export DB_TOOLS_PG_DUMP=$pg_dump


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

# user_tables DB : the number of ordinary and partitioned tables outside the system schemas
user_tables() {
    psql -X -A -t -d "$1" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'"
}

# db_size DB : pg_database_size of DB in bytes, empty when it does not exist
db_size() {
    psql -X -A -t -d postgres -c "SELECT pg_database_size(datname) FROM pg_database WHERE datname = '$1'"
}

# free_kib DIR : the space available in DIR's file system, in KiB
free_kib() {
    df -Pk "$1" | awk 'NR == 2 { print $4 }'
}

# check_disk DB ESTIMATE_MIB : exit unless the server's data directory (when visible from
# here) and TMPDIR have 4 times the size of DB (when it exists, else ESTIMATE_MIB) free
check_disk() {
    local db=$1 mib bytes need_kib have_kib dir datadir where how=estimated seen=" "
    bytes=$(db_size "$db")
    if [ -n "$bytes" ]; then mib=$(( (bytes + 1048575) / 1048576 )) how="as it is"; else mib=$2; fi
    need_kib=$((4 * mib * 1024))
    datadir=$(psql -X -A -t -d postgres -c 'SHOW data_directory' 2>/dev/null || true)
    local -a dirs=("${TMPDIR:-/tmp}")
    if [ -n "$datadir" ] && [ -d "$datadir" ]; then
        dirs+=("$datadir")
    else
        say "note: the server's data directory is not visible from here; checking TMPDIR's disk only"
    fi
    for dir in "${dirs[@]}"; do
        have_kib=$(free_kib "$dir") || die "df $dir failed"
        where=$(df -P "$dir" | awk 'NR == 2 { print $6 }')
        case $seen in *" $where "*) continue ;; esac    # the same file system
        seen+="$where "
        where="$dir ($where)"
        if [ "$have_kib" -lt "$need_kib" ]; then
            die "not enough free disk for $db (${mib} MiB, $how): $where has $((have_kib / 1024)) MiB free, 4 x ${mib} = $((need_kib / 1024)) MiB needed (the source, its template, the spare and a target)"
        fi
        say "free disk in $where: $((have_kib / 1024)) MiB, at least 4 x ${mib} MiB needed for $db: ok"
    done
}

# --- datasets (as bench-snapshot.sh prepares them) ------------------------------------------

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

# --- setup per dataset (not timed) ------------------------------------------------------------

# setup_dataset KIND DB : sets archive, zarchive, dirdump, filedump, template (with
# --only-cached, archive and template only)
setup_dataset() {
    local kind=$1 db=$2 dir=$work/$1 start n
    mkdir -p "$dir/snap"
    start=$(bench_now)
    env -u DB_TOOLS_CONFIG -u DATABASE_URL -C "$work/empty" \
        "$snapshot" -d "$db" -o "$dir/snap" -j 2 -Z 1 --progress=never -q bench >/dev/null ||
        die "db-snapshot of $db failed"
    archive=$(find "$dir/snap" -maxdepth 1 -name '*.tar' -print)
    n=$(printf '%s\n' "$archive" | grep -c .) || true
    [ "$n" = 1 ] || die "expected one archive in $dir/snap, found $n"
    [ -f "${archive%.tar}.meta" ] || die "no .meta sidecar beside $archive"
    if [ "$only_cached" = 1 ]; then
        say "$kind: archive written in $(bench_elapsed "$start" "$(bench_now)") s"
    else
        zarchive=$dir/snap-zstd.tar
        rm -f "$zarchive"
        env -u DB_TOOLS_CONFIG -u DATABASE_URL -C "$work/empty" \
            "$snapshot" -d "$db" -f "$zarchive" -j 2 -Z zstd:1 --progress=never -q bench >/dev/null ||
            die "db-snapshot -Z zstd:1 of $db failed"
        dirdump=$dir/dump.d
        filedump=$dir/dump.fc
        "$pg_dump" -Fd -j2 -Z1 -f "$dirdump" -d "$db" >&2 || die "pg_dump -Fd of $db failed"
        "$pg_dump" -Fc -Z1 -f "$filedump" -d "$db" >&2 || die "pg_dump -Fc of $db failed"
        say "$kind: archive and dumps written in $(bench_elapsed "$start" "$(bench_now)") s"
    fi

    # the cache template's name: db_tools_cache_ and 16 hex digits of SHA-256(role \n key)
    template=db_tools_cache_$(printf '%s\n%s' "$(psql -X -A -t -d postgres -c 'SELECT current_user')" \
        "$(sha256sum "${archive%.tar}.meta" | cut -c1-64)" | sha256sum | cut -c1-16)
    templates+=("$template")
    start=$(bench_now)
    prime_template
    say "$kind: template $template made in $(bench_elapsed "$start" "$(bench_now)") s"
}

# prime_template : one untimed db-restore of the archive that leaves its template
prime_template() {
    local json=$work/prime.json
    drop_db "$prime_db"
    created_dbs+=("$prime_db")
    run_restore -d "$prime_db" -y -q --progress=never --json "$archive" >"$json" ||
        die "priming db-restore -d $prime_db $archive failed"
    drop_db "$prime_db"
    db_exists "$template" ||
        die "no template database $template after restoring $archive ($(jq -c '{from_cache, cached}' "$json"))"
}

ensure_template() {
    if ! db_exists "$template"; then
        say "warning: template $template is missing; restoring the archive once more to make it"
        prime_template
    fi
}

# --- timing ----------------------------------------------------------------------------------

tools=(arch archz keep fd fdc fc cached spare clone)
# Timed in two groups, each rotated on its own: the restores that load data, then the two
# clones.  A template that was just written (the "keeps template" row makes one each
# round) is slow to clone the first time, whoever clones it; so the clones are compared
# with each other only, after one untimed warm-up clone.
load_tools=(arch archz keep fd fdc fc)
clone_tools=(cached spare clone)
groups=(load clone)
if [ "$only_cached" = 1 ]; then
    tools=("${clone_tools[@]}")
    groups=(clone)
fi
declare -A label=(
    [arch]="db-restore (archive)"
    [archz]="db-restore (zstd:1 archive)"
    [keep]="db-restore (archive, keeps template)"
    [fd]="pg_restore -j2 (-Fd)"
    [fdc]="createdb + pg_restore -j2 (-Fd)"
    [fc]="pg_restore (-Fc)"
    [cached]="db-restore (cached)"
    [spare]="db-restore (ready spare)"
    [clone]="raw clone (FILE_COPY)"
)
[ -n "$clone_strategy" ] || label[clone]="raw clone (file copy)"

# check_json TOOL FILE FROM_CACHE CACHED : what db-restore --json says it did
check_json() {
    local got
    got=$(jq -r '"\(.from_cache) \(.cached)"' "$2" 2>/dev/null) ||
        die "${label[$1]}: no JSON summary from db-restore: $(head -c 300 "$2")"
    [ "$got" = "$3 $4" ] ||
        die "${label[$1]}: db-restore reported from_cache=${got% *} cached=${got#* }, expected from_cache=$3 cached=$4"
}

# run_tool TOOL DB : one timed run into $target_db; sets run_secs, run_kib
run_tool() {
    local tool=$1 db=$2 m json=$work/last.json tables
    local -a cmd
    drop_db "$target_db"
    case $tool in
        arch) cmd=("$restore" -d "$target_db" -y -j 2 --no-cache --keep-previous=0 --progress=never
                -q --json "$archive") ;;
        archz) cmd=("$restore" -d "$target_db" -y -j 2 --no-cache --keep-previous=0 --progress=never
                -q --json "$zarchive") ;;
        keep) run_restore --cache=clear -d "$target_db" -q >&2 || die "db-restore --cache=clear failed"
            ! db_exists "$template" || die "template $template still exists after --cache=clear"
            cmd=("$restore" -d "$target_db" -y -j 2 --keep-previous=0 --progress=never -q --json "$archive") ;;
        fd) sql "CREATE DATABASE \"$target_db\" TEMPLATE template0" || die "could not create $target_db"
            cmd=("$pg_restore" -j2 -d "$target_db" "$dirdump") ;;
        fdc) # shellcheck disable=SC2016 # sh expands its own positional parameters
            cmd=(sh -c '"$1" -T template0 -- "$2" && exec "$3" -j2 -d "$2" -- "$4"' sh
                "$createdb" "$target_db" "$pg_restore" "$dirdump") ;;
        fc) sql "CREATE DATABASE \"$target_db\" TEMPLATE template0" || die "could not create $target_db"
            cmd=("$pg_restore" -d "$target_db" "$filedump") ;;
        cached) ensure_template
            # a clone of the template: its spare (left by the spare row) is dropped first, untimed
            drop_db "db_tools_spare_${template#db_tools_cache_}"
            cmd=("$restore" -d "$target_db" -y --keep-previous=0 --progress=never -q --json "$archive") ;;
        spare) ensure_spare
            cmd=(env DB_TOOLS_SPARE_BUDGET=1TiB "$restore" -d "$target_db" -y --keep-previous=0 --progress=never
                -q --json "$archive") ;;
        clone) ensure_template
            # as in the cached row: both clones start with no spare (the spare row makes it again)
            drop_db "db_tools_spare_${template#db_tools_cache_}"
            cmd=(psql -X -q -d postgres -v ON_ERROR_STOP=1
                -c "CREATE DATABASE \"$target_db\" TEMPLATE \"$template\"$clone_strategy") ;;
    esac
    bench_checkpoint postgres
    : >"$json"
    m=$(BENCH_STDOUT=$json bench_measure env -u DB_TOOLS_CONFIG -u DATABASE_URL -C "$work/empty" "${cmd[@]}") ||
        die "${label[$tool]} failed on $db (exit $?): ${cmd[*]}"
    run_secs=${m% *}
    run_kib=${m#* }
    case $tool in
        arch | archz) check_json "$tool" "$json" false false ;;
        keep) check_json "$tool" "$json" false true
            db_exists "$template" || die "${label[$tool]}: no template $template afterwards" ;;
        cached) check_json "$tool" "$json" true false
            [ "$(jq -r .from_spare "$json")" = false ] || die "${label[$tool]}: a spare was taken" ;;
        spare) check_json "$tool" "$json" true false
            [ "$(jq -r .from_spare "$json")" = true ] || die "${label[$tool]}: the spare was not taken"
            ensure_spare wait ;; # the next one, made in the background, before anything else is timed
    esac
    # a light check that the target holds the source's tables, then drop it to bound disk use
    tables=$(user_tables "$target_db") || die "${label[$tool]}: cannot connect to $target_db afterwards"
    [ "$tables" = "$src_tables" ] ||
        die "${label[$tool]}: $target_db has $tables tables, $db has $src_tables"
    drop_db "$target_db"
}

failed_targets=0
report=""
add() { report+="$*"$'\n'; }
row() { printf '%-37s %9s %12s %12s %8s  %s' "$@"; }
row_cached() { printf '%-37s %9s %14s %8s  %s' "$@"; }

# bench_dataset KIND DB ARCHIVE_TARGET CACHED_TARGET
bench_dataset() {
    local kind=$1 db=$2 target_fd=$3 target_clone=$4 r i t g n
    local -A secs=() kibs=() med=() rss=()
    local dbsize
    dbsize=$(psql -X -A -t -d "$db" -c 'SELECT pg_database_size(current_database())')
    src_tables=$(user_tables "$db")
    setup_dataset "$kind" "$db"
    local -a group
    local rounds
    for g in "${groups[@]}"; do
        if [ "$g" = load ]; then
            group=("${load_tools[@]}")
            rounds=$runs
        else
            group=("${clone_tools[@]}")
            rounds=$clone_runs
            run_tool clone "$db"    # warm-up, not counted
        fi
        n=${#group[@]}
        for ((r = 0; r < rounds; r++)); do
            for ((i = 0; i < n; i++)); do
                t=${group[(i + r) % n]}
                run_tool "$t" "$db"
                secs[$t]+="$run_secs "
                kibs[$t]+="$run_kib "
                say "$kind round $((r + 1))/$rounds: ${label[$t]}: ${run_secs} s, $(bench_kib_to_mib "$run_kib") MiB RSS"
            done
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
    ensure_spare
    spare_bytes=$(db_size "$spare_db")
    template_bytes=$(db_size "$template")
    local ratio_clone verdict disk_line
    ratio_clone=$(bench_ratio "${med[cached]}" "${med[clone]}")
    disk_line="disk of the ready spare $spare_db: $(bench_bytes_to_mib "${spare_bytes:-0}") MiB (${spare_bytes:-0} bytes); template $template: $(bench_bytes_to_mib "${template_bytes:-0}") MiB (${template_bytes:-0} bytes) (pg_database_size)"

    add ""
    if [ "$only_cached" = 1 ]; then
        add "== $kind: database $db, $(bench_bytes_to_mib "$dbsize") MiB ($dbsize bytes), $clone_runs rounds of the clones (--only-cached) =="
        add "setup (not timed): archive $(bench_bytes_to_mib "$(stat -c %s "$archive")") MiB (db-snapshot -j2 -Z1), one db-restore that left the template $template"
        add "$(row_cached label median_s ratio_vs_clone rss_MiB runs_s)"
        for t in "${tools[@]}"; do
            add "$(row_cached "${label[$t]}" "${med[$t]}" "$(bench_ratio "${med[$t]}" "${med[clone]}")" \
                "${rss[$t]}" "${secs[$t]% }")"
        done
        add "cached restore / raw FILE_COPY clone: $ratio_clone    ready spare / raw FILE_COPY clone: $(bench_ratio "${med[spare]}" "${med[clone]}")"
    else
        local rss_max
        # shellcheck disable=SC2086
        rss_max=$(bench_kib_to_mib "$(bench_max ${kibs[arch]} ${kibs[archz]} ${kibs[keep]} ${kibs[cached]})")

        local ratio_fd ratio_fdc ratio_fc size_a size_d size_c
        ratio_fd=$(bench_ratio "${med[arch]}" "${med[fd]}")
        ratio_fdc=$(bench_ratio "${med[arch]}" "${med[fdc]}")
        ratio_fc=$(bench_ratio "${med[arch]}" "${med[fc]}")
        size_a=$(bench_bytes_to_mib "$(stat -c %s "$archive")")
        size_d=$(bench_bytes_to_mib "$(find "$dirdump" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')")
        size_c=$(bench_bytes_to_mib "$(stat -c %s "$filedump")")

        add "== $kind: database $db, $(bench_bytes_to_mib "$dbsize") MiB, $runs runs ($clone_runs of the clones) =="
        add "inputs: archive $size_a MiB (db-snapshot -j2 -Z1), $size_d MiB (pg_dump -Fd -j2 -Z1), $size_c MiB (pg_dump -Fc -Z1); template $template"
        add "$(row label median_s ratio_vs_Fd2 ratio_vs_Fc rss_MiB runs_s)"
        for t in "${tools[@]}"; do
            add "$(row "${label[$t]}" "${med[$t]}" "$(bench_ratio "${med[$t]}" "${med[fd]}")" \
                "$(bench_ratio "${med[$t]}" "${med[fc]}")" "${rss[$t]}" "${secs[$t]% }")"
        done
        add "archive restore / pg_restore -j2: $ratio_fd    archive restore / pg_restore -Fc: $ratio_fc    cached restore / raw FILE_COPY clone: $ratio_clone"
        add "archive restore / (createdb + pg_restore -j2): $ratio_fdc (for information: both create their database)"
        add "zstd:1 archive restore / pg_restore -j2: $(bench_ratio "${med[archz]}" "${med[fd]}") (archive $(bench_bytes_to_mib "$(stat -c %s "$zarchive")") MiB)"
        add "db-restore peak RSS: $rss_max MiB (largest of all its runs; medians: archive ${rss[arch]}, keeps template ${rss[keep]}, cached ${rss[cached]})"
        if bench_le "$ratio_fd" "$target_fd"; then verdict=PASS; else verdict=FAIL; failed_targets=$((failed_targets + 1)); fi
        add "$(printf 'target %-10s db-restore (archive) / pg_restore -j2 <= %-4s  %-8s %s' "$kind" "$target_fd" "$ratio_fd" "$verdict")"
    fi
    if bench_le "$ratio_clone" "$target_clone"; then verdict=PASS; else verdict=FAIL; failed_targets=$((failed_targets + 1)); fi
    add "$(printf 'target %-10s db-restore (cached) / FILE_COPY clone <= %-4s  %-8s %s' "$kind" "$target_clone" "$ratio_clone" "$verdict")"
    if bench_le "${med[spare]}" 0.1; then verdict=PASS; else verdict=FAIL; failed_targets=$((failed_targets + 1)); fi
    add "$(printf 'target %-10s db-restore (ready spare) <= 0.1 s              %-8s %s' "$kind" "${med[spare]}" "$verdict")"
    add "$disk_line"
}

if [ "$only_cached" = 1 ]; then
    programs="pg_dump $pg_dump_version ($pg_dump, for db-snapshot's schema)"
else
    programs="pg_dump $pg_dump_version ($pg_dump); pg_restore $pg_restore_version ($pg_restore)"
fi
say "server $server_version at ${PGHOST:-}:${PGPORT:-}; $programs; db-restore $restore"

# the free disk, for every dataset, before any is made
if [ "$skip_pgbench" = 0 ]; then
    check_disk "bench_pgbench_s$pgbench_scale" $((pgbench_scale * 16))
fi
if [ "$skip_realistic" = 0 ]; then
    check_disk "bench_realistic_${realistic_mb}mb" "$realistic_mb"
fi

if [ "$skip_pgbench" = 0 ]; then
    prepare_db "bench_pgbench_s$pgbench_scale" "db-tools bench: pgbench scale $pgbench_scale" \
        load_pgbench "bench_pgbench_s$pgbench_scale"
    bench_dataset pgbench "bench_pgbench_s$pgbench_scale" 0.9 1.2
fi
if [ "$skip_realistic" = 0 ]; then
    prepare_db "bench_realistic_${realistic_mb}mb" "db-tools bench: realistic $realistic_mb MiB" \
        load_realistic "bench_realistic_${realistic_mb}mb"
    bench_dataset realistic "bench_realistic_${realistic_mb}mb" 0.9 1.2
fi

{
    mode=""
    [ "$only_cached" = 0 ] || mode="  (--only-cached)"
    echo "db-restore benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) CPUs$mode"
    echo "server $server_version, pg_dump $pg_dump_version${pg_restore_version:+, pg_restore $pg_restore_version}, $("$restore" --version 2>/dev/null | head -n 1 || echo db-restore)"
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
