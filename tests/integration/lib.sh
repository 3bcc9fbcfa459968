# lib.sh - shared helpers for the integration tests; source it first:
#
#   . "$(dirname "$0")/lib.sh"   # sets -eu -o pipefail, checks DB_TOOLS_BINDIR, calls require_server
#
#   require_server            exit 1 unless `psql -c 'select 1'` works (PGHOST, PGPORT, ... from the environment)
#   die MSG...                print "FAIL: MSG" on stderr and exit 1
#   note MSG...               print "# MSG" on stderr
#   assert_eq EXPECTED ACTUAL MSG
#   assert_status EXPECTED_STATUS CMD...
#                             run CMD (stdout in $T/last.out, stderr in $T/last.err); die unless
#                             its exit status is EXPECTED_STATUS
#   $T                        a fresh private temporary directory, removed at exit
#   fresh_db NAME             drop and create database NAME; dropped again at exit. NAME belongs to
#                             this test until it exits (a second test using the same NAME, e.g. the
#                             ASan run of the same script, waits for it)
#   psql_q DB SQL             run SQL in DB, print bare values (psql -X -A -t -q, ON_ERROR_STOP)
#   snap ARGS...              "$DB_TOOLS_BINDIR/db-snapshot" ARGS...
#   run_tool NAME ARGS...     "$DB_TOOLS_BINDIR/NAME" ARGS...
#   member_text TAR MEMBER    uncompressed content of one archive member (gunzip'ed when it ends in
#                             .gz); fails when the member is missing
#   table_copy DB TABLE COLS  COPY TABLE (COLS) TO STDOUT from DB (no column list when COLS is empty)
#   load_pagila DB            load the Pagila corpus into DB (owner statements left out)
#   meta_get FILE JQ_EXPR     jq -r JQ_EXPR FILE
#   on_exit CMD               run CMD at exit (before the databases are dropped), e.g. to stop a load
#   fingerprint DB            print what a restore must reproduce: the schema (pg_dump --schema-only
#                             --no-owner --no-privileges without comments, blank lines and
#                             \restrict lines), every table's row count and order-independent
#                             content hash, every sequence's last_value and is_called, every large
#                             object's md5
#   restore ARGS...           "$DB_TOOLS_BINDIR/db-restore" ARGS...
#   forget_templates DIR      at exit, drop the db-restore cache templates of the archives in DIR
#   unpack_archive TAR        extract TAR into $T/rb (emptied first), remembering the member order
#   repack_archive OUT        tar $T/rb back into OUT (ustar, members in the remembered order)
#
# fresh_db's databases are dropped at exit together with the copies db-restore makes of them
# (NAME__pre_*, NAME__restoring_*).
#
# Environment: DB_TOOLS_BINDIR (required: directory of db-snapshot etc.), DB_TOOLS_SOURCE_DIR
# (repository root, default: two levels above this file), DB_TOOLS_CORPUS (default
# $DB_TOOLS_SOURCE_DIR/../shared/corpus), PGHOST/PGPORT/PGUSER/PGDATABASE of the test server.
#
# The EXIT trap set here removes $T and the databases of fresh_db and keeps the test's exit
# status; a test that sets its own EXIT trap replaces it (use on_exit instead).

set -eu -o pipefail

die() {
    echo "FAIL: $*" >&2
    exit 1
}

note() {
    echo "# $*" >&2
}

require_server() {
    psql -X -q -d "${PGDATABASE:-postgres}" -c 'select 1' >/dev/null 2>&1 ||
        die "no PostgreSQL server reachable (PGHOST=${PGHOST:-} PGPORT=${PGPORT:-})"
}

assert_eq() {
    [ "$1" = "$2" ] || die "${3:-values differ}: expected '$1', got '$2'"
}

assert_status() {
    local expected=$1 status=0
    shift
    "$@" >"$T/last.out" 2>"$T/last.err" || status=$?
    if [ "$status" != "$expected" ]; then
        sed 's/^/# stderr: /' "$T/last.err" | tail -n 20 >&2
        die "expected exit status $expected, got $status: $*"
    fi
}

psql_q() {
    psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# settled_zero DB QUERY : QUERY's answer once it is 0, else what it is after 5 s. A backend
# ends a moment after its client has gone, so sessions are counted with this.
settled_zero() {
    local v i
    for ((i = 0; i < 50; i++)); do
        v=$(psql_q "$1" "$2")
        [ "$v" = 0 ] && break
        sleep 0.1
    done
    printf '%s\n' "$v"
}

# Lock files that reserve a database name for one test at a time.
_lib_lock_dir() {
    local dir
    dir=${TMPDIR:-/tmp}/db-tools-test-locks-$(id -u)
    mkdir -m 0700 -- "$dir" 2>/dev/null || true
    [ -d "$dir" ] && [ ! -L "$dir" ] && [ -O "$dir" ] || die "unusable lock directory $dir"
    echo "$dir"
}

# Reserve database NAME until this shell exits. The lock is held by a detached process,
# so that processes the test leaves behind cannot keep it, and `wait` does not see it.
_lib_lock_db() {
    local lock ready=$T/.lock${#_lib_dbs[@]}.ready failed=$T/.lock${#_lib_dbs[@]}.failed owner=$$
    lock="$(_lib_lock_dir)/${1//\//_}.lock"
    ( (
        exec 9>"$lock" || exit 1
        if ! flock -w 1500 9; then : >"$failed"; exit 1; fi
        : >"$ready"
        while kill -0 "$owner" 2>/dev/null; do sleep 0.5; done
    ) </dev/null >/dev/null 2>&1 & )
    until [ -e "$ready" ]; do
        [ ! -e "$failed" ] || die "database $1 stayed in use by another test"
        sleep 0.1
    done
}

_lib_dbs=()
fresh_db() {
    local name=$1 known=0 db
    [ -n "$name" ] || die "fresh_db: empty database name"
    for db in ${_lib_dbs[@]+"${_lib_dbs[@]}"}; do
        [ "$db" = "$name" ] && known=1
    done
    if [ "$known" = 0 ]; then
        _lib_lock_db "$name"
        _lib_dbs+=("$name")
    fi
    psql -X -q -v ON_ERROR_STOP=1 -v db="$name" -d postgres >/dev/null <<'EOF' || die "could not create database $name"
SET client_min_messages = warning;
DROP DATABASE IF EXISTS :"db" WITH (FORCE);
CREATE DATABASE :"db";
EOF
}

snap() {
    "$DB_TOOLS_BINDIR/db-snapshot" "$@"
}

run_tool() {
    local tool=$1
    shift
    "$DB_TOOLS_BINDIR/$tool" "$@"
}

member_text() {
    case $2 in
        *.gz) tar -xOf "$1" -- "$2" | gunzip -c ;;
        *) tar -xOf "$1" -- "$2" ;;
    esac
}

table_copy() {
    if [ -n "${3:-}" ]; then
        psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "COPY $2 ($3) TO STDOUT"
    else
        psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "COPY $2 TO STDOUT"
    fi
}

load_pagila() {
    [ -x "$DB_TOOLS_CORPUS/load-pagila.sh" ] || die "Pagila loader not found: $DB_TOOLS_CORPUS/load-pagila.sh (set DB_TOOLS_CORPUS)"
    PAGILA_NO_OWNER=1 "$DB_TOOLS_CORPUS/load-pagila.sh" "$1"
}

meta_get() {
    jq -r "$2" "$1"
}

restore() {
    "$DB_TOOLS_BINDIR/db-restore" "$@"
}

fingerprint() {
    local db=$1
    pg_dump --schema-only --no-owner --no-privileges -d "$db" |
        grep -v -e '^--' -e '^$' -e '^\\restrict' -e '^\\unrestrict' || true
    psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$db" <<'EOF'
SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(md5(t::text), '','' ORDER BY md5(t::text)), '''')) FROM ONLY %I.%I t',
              n.nspname || '.' || c.relname, n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
 ORDER BY n.nspname, c.relname
\gexec
SELECT format('SELECT %L, last_value, is_called FROM %I.%I', n.nspname || '.' || c.relname, n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'S' AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
 ORDER BY n.nspname, c.relname
\gexec
SELECT oid, md5(lo_get(oid)) FROM pg_largeobject_metadata ORDER BY oid;
EOF
}

unpack_archive() {
    rm -rf "$T/rb"
    mkdir "$T/rb"
    tar -xf "$1" -C "$T/rb"
    tar -tf "$1" >"$T/rb.order"
}

repack_archive() {
    (cd "$T/rb" && tar -cf "$1" --format=ustar -T "$T/rb.order")
}

_lib_template_dirs=()
forget_templates() {
    _lib_template_dirs+=("$1")
}

_lib_drop_templates() {
    local dir meta
    for dir in ${_lib_template_dirs[@]+"${_lib_template_dirs[@]}"}; do
        for meta in "$dir"/*.meta; do
            [ -f "$meta" ] || continue
            psql -X -q -d postgres -c "DROP DATABASE IF EXISTS db_tools_cache_$(sha256sum "$meta" | cut -c1-16) WITH (FORCE)" >/dev/null 2>&1
        done
    done
}

# on_exit CMD: run CMD (eval'd) at exit, before the databases are dropped.
_lib_on_exit=()
on_exit() {
    _lib_on_exit+=("$1")
}

_lib_cleanup() {
    local status=$? db cmd
    set +e
    for cmd in ${_lib_on_exit[@]+"${_lib_on_exit[@]}"}; do
        eval "$cmd" >/dev/null 2>&1
    done
    _lib_drop_templates
    for db in ${_lib_dbs[@]+"${_lib_dbs[@]}"}; do
        psql -X -q -v db="$db" -d postgres >/dev/null 2>&1 <<'EOF'
DROP DATABASE IF EXISTS :"db" WITH (FORCE);
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) FROM pg_database
 WHERE datname LIKE :'db' || '\_\_pre\_%' OR datname LIKE :'db' || '\_\_restoring\_%'
\gexec
EOF
    done
    [ -n "${T:-}" ] && rm -rf -- "$T"
    exit "$status"
}

[ -n "${DB_TOOLS_BINDIR:-}" ] || die "DB_TOOLS_BINDIR is not set (the directory holding db-snapshot)"
[ -d "$DB_TOOLS_BINDIR" ] || die "DB_TOOLS_BINDIR=$DB_TOOLS_BINDIR is not a directory"
: "${DB_TOOLS_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${DB_TOOLS_CORPUS:=$DB_TOOLS_SOURCE_DIR/../shared/corpus}"
export DB_TOOLS_BINDIR DB_TOOLS_SOURCE_DIR DB_TOOLS_CORPUS

T=$(mktemp -d "${TMPDIR:-/tmp}/db-tools-test.XXXXXX")
trap _lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

require_server
