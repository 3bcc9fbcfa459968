# lib.sh - shared helpers for the integration tests; source it first:
#
#   . "$(dirname "$0")/lib.sh"   # sets -eu -o pipefail, checks DB_TOOLS_BINDIR, calls require_server
#
#   require_server            exit 1 unless `psql -c 'select 1'` works (PGHOST, PGPORT, ... from the environment)
#   require_snapshot          skip (77) when no pg_dump on this machine can dump the server
#   use_sandbox MAJOR         point PGHOST, PGPORT, ... at the sandbox of that major (scripts/sandbox.sh
#                             --pg MAJOR; 15 is the server the environment named at the start: the
#                             default sandbox); skip when it is not running
#   server_num, server_major  the server's version: 150004, 15
#   skip REASON               print "SKIP: REASON" and exit 77, which ctest counts as skipped
#                             (scripts/test.sh fails on a skip it does not expect)
#   skip_rest REASON          the same for the rest of a test that has passed so far: exit 0
#   have_snapshot             true when db-snapshot can dump the server (a new enough pg_dump);
#                             snapshot_problem says why not
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
#                             .gz, zstd -d'ed when in .zst); fails when the member is missing
#   table_copy DB TABLE COLS  COPY TABLE (COLS) TO STDOUT from DB (no column list when COLS is empty)
#   load_pagila DB            load the Pagila corpus into DB (owner statements left out)
#   meta_get FILE JQ_EXPR     jq -r JQ_EXPR FILE
#   on_exit CMD               run CMD at exit (before the databases are dropped), e.g. to stop a load
#   wait_until SECONDS CMD... poll CMD every 0.05 s until it succeeds (0) or SECONDS pass (1): what a
#                             test waits for before it kills or interrupts a run, instead of a sleep
#   fingerprint DB            print what a restore must reproduce: the schema (pg_dump --schema-only
#                             --no-owner --no-privileges without comments, blank lines and
#                             \restrict lines) and data_fingerprint's
#   data_fingerprint DB       every table's row count and order-independent content hash, every
#                             sequence's last_value and is_called, every large object's md5
#   catalog_fingerprint DB    the schema from the catalog (relations, columns, constraints, indexes,
#                             triggers, functions, extensions), for servers pg_dump cannot read
#   restore ARGS...           "$DB_TOOLS_BINDIR/db-restore" ARGS...
#   forget_templates DIR      at exit, drop the db-restore cache templates of the archives in DIR
#   forget_reset_templates DB...
#                             at exit, drop the db-reset cache templates built for target DB
#   template_name META [ROLE] the cache template db-restore keeps for the archive whose .meta is
#                             META, for ROLE (default: the current role)
#   unpack_archive TAR        extract TAR into $T/rb (emptied first), remembering the member order
#   repack_archive OUT        tar $T/rb back into OUT (ustar, members in the remembered order)
#
# fresh_db's databases are dropped at exit together with the copies db-restore makes of them
# (NAME__pre_*, NAME__restoring_*).
#
# Every test runs with DB_TOOLS_SPARE_BUDGET=0 (no ready spares) and XDG_STATE_HOME in $T.
#
# Environment: DB_TOOLS_TEST_PG (a major version: the test runs against that sandbox instead of
# the one PGHOST/PGPORT name), DB_TOOLS_BINDIR (required: directory of db-snapshot etc.), DB_TOOLS_SOURCE_DIR
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

server_num() {
    psql_q postgres "SELECT current_setting('server_version_num')"
}

server_major() {
    echo $(($(server_num) / 10000))
}

# A line in DB_TOOLS_SKIP_LOG, which scripts/test.sh reads: "TEST [(PostgreSQL N)][ (rest)]: REASON".
_lib_log_skip() {
    [ -n "${DB_TOOLS_SKIP_LOG:-}" ] || return 0
    printf '%s%s%s: %s\n' "$(basename "$0" .sh)" "${DB_TOOLS_TEST_PG:+ (PostgreSQL $DB_TOOLS_TEST_PG)}" \
        "$1" "$2" >>"$DB_TOOLS_SKIP_LOG"
}

skip() {
    echo "SKIP: $*" >&2
    _lib_log_skip "" "$*"
    exit 77
}

# The newest pg_dump major db-snapshot could find (see pgd_find in common/pgdump.c).
_lib_pg_dump_major() {
    local best=0 p v
    for p in ${DB_TOOLS_PG_DUMP:-} pg_dump /usr/lib/postgresql/*/bin/pg_dump; do
        v=$("$p" --version 2>/dev/null | sed -n 's/.*(PostgreSQL) \([0-9][0-9]*\).*/\1/p') || true
        [ -n "$v" ] && [ "$v" -gt "$best" ] && best=$v
    done
    echo "$best"
}

# skip_rest REASON: the rest of the test cannot run here; it ends passing what it checked so
# far, and the reason goes to the skip log like a skip's.
skip_rest() {
    echo "SKIP (rest of the test): $*" >&2
    _lib_log_skip " (rest)" "$*"
    exit 0
}

# have_snapshot: whether db-snapshot can dump this server; snapshot_problem says why not.
have_snapshot() {
    [ "$(_lib_pg_dump_major)" -ge "$(server_major)" ]
}

snapshot_problem() {
    echo "no pg_dump for PostgreSQL $(server_major) on this machine (newest: pg_dump $(_lib_pg_dump_major)), so db-snapshot cannot dump this server"
}

require_snapshot() {
    have_snapshot || skip "$(snapshot_problem); its restores are tested by cross_version"
}

use_sandbox() {
    local envtext
    if [ "$1" = 15 ]; then
        eval "$_lib_default_env"
        return
    fi
    envtext=$(bash "$DB_TOOLS_SOURCE_DIR/scripts/sandbox.sh" --pg "$1" env 2>/dev/null) ||
        skip "no PostgreSQL $1 sandbox is running (start it with: scripts/sandbox.sh --pg $1 start)"
    eval "$envtext"
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

wait_until() {
    local limit=$1 i
    shift
    for ((i = 0; i < limit * 20; i++)); do
        "$@" && return 0
        sleep 0.05
    done
    return 1
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
    lock="$(_lib_lock_dir)/${PGPORT:-5432}-${1//\//_}.lock"
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
        *.zst) tar -xOf "$1" -- "$2" | zstd -dcq ;;
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
    data_fingerprint "$db"
}

# catalog_fingerprint DB: the schema as the server's own catalog describes it (for servers
# the machine's pg_dump cannot read): relations, columns, constraints, indexes, triggers,
# functions, views, extensions.
catalog_fingerprint() {
    psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" <<'EOF'
SET search_path = pg_catalog;
SELECT 'rel', n.nspname, c.relname, c.relkind, c.relpersistence FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' ORDER BY 2, 3;
SELECT 'col', c.oid::regclass, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       a.attgenerated, a.attidentity, pg_get_expr(d.adbin, d.adrelid)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' AND a.attnum > 0
   AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.oid::regclass::text, a.attname;
-- NOT NULL is the columns' attnotnull (18 also lists it here, as contype 'n')
SELECT 'con', conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE contype <> 'n' AND connamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname ~ '^pg_' OR nspname = 'information_schema')
 ORDER BY conrelid::regclass::text, conname, 4;
SELECT 'idx', pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' ORDER BY 2;
SELECT 'trg', tgrelid::regclass, tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgrelid::regclass::text, tgname;
SELECT 'fn', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') ORDER BY 2, 3, 4;
SELECT 'ext', extname FROM pg_extension ORDER BY 2;
EOF
}

# data_fingerprint DB: every table's row count and order-independent content hash, every
# sequence's state, every large object's md5.
data_fingerprint() {
    psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" <<'EOF'
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

template_name() {
    local key role=${2:-$(psql_q postgres 'SELECT current_user')}
    key=$(sha256sum "$1" | cut -c1-64)
    printf 'db_tools_cache_%s\n' "$(printf '%s\n%s' "$role" "$key" | sha256sum | cut -c1-16)"
}

_lib_reset_targets=()
forget_reset_templates() {
    _lib_reset_targets+=("$@")
}

# Whoever made them: the templates are found by the key in their comment.
_lib_drop_templates() {
    local dir target
    for dir in ${_lib_template_dirs[@]+"${_lib_template_dirs[@]}"}; do
        drop_templates_of "$dir"
    done
    # db-reset's: its label names the target (other tests' templates stay)
    for target in ${_lib_reset_targets[@]+"${_lib_reset_targets[@]}"}; do
        psql -X -q -v pat="%\"target\":\"$target\"%" -d postgres >/dev/null 2>&1 <<'EOF'
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) FROM pg_database
 WHERE datname LIKE 'db\_tools\_cache\_%'
   AND shobj_description(oid, 'pg_database') LIKE :'pat'
\gexec
EOF
    done
}

# drop_templates_of DIR: drop the cache templates of the archives in DIR on the current server.
drop_templates_of() {
    local dir=$1 meta
    for meta in "$dir"/*.meta; do
        [ -f "$meta" ] || continue
        psql -X -q -v key="$(sha256sum "$meta" | cut -c1-64)" -d postgres >/dev/null 2>&1 <<'EOF'
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) FROM pg_database
 WHERE datname LIKE 'db\_tools\_cache\_%'
   AND shobj_description(oid, 'pg_database') LIKE '% key=' || :'key' || ' %'
\gexec
EOF
    done
}

# drop_test_role ROLE: drop the databases ROLE owns, then ROLE (a test's own role, at its exit).
drop_test_role() {
    psql -X -q -v role="$1" -d postgres >/dev/null 2>&1 <<'EOF'
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) FROM pg_database
 WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = :'role')
\gexec
DROP ROLE IF EXISTS :"role";
EOF
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

_lib_default_env=$(for v in PGHOST PGPORT PGUSER PGDATABASE; do printf 'export %s=%q\n' "$v" "${!v:-}"; done)
if [ -n "${DB_TOOLS_TEST_PG:-}" ]; then
    use_sandbox "$DB_TOOLS_TEST_PG"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/db-tools-test.XXXXXX")
# no ready spares unless a test asks for them (spare.sh): a background copy after every
# cached restore would load the server under the other tests; their log stays in $T
export DB_TOOLS_SPARE_BUDGET=0 XDG_STATE_HOME=$T/state
trap _lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

require_server
