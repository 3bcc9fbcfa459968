#!/usr/bin/env bash
# roles.sh: the main paths as a LOGIN CREATEDB role that owns its databases, on a server
# where a superuser uses the tools too.  As that role: a snapshot (with a trusted extension
# and a large object), a restore, a cached restore, a full reset, a --fast reset,
# --cache=list and --cache=clear, with no "error:" line from any of them; the superuser's
# templates are neither listed, nor evicted (cache_size 1), nor cleared; a superuser's
# session on the target is named and stops the restore before anything changes, and so
# does --owners with an owner the role cannot give objects to.  A template the role plants
# under the name of the superuser's next one is never used, dropped or an error.
# On a server that no pg_dump here can read, the archive comes from the PostgreSQL 15 one.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

unset DB_TOOLS_CONFIG DATABASE_URL ENV APP_ENV RAILS_ENV NODE_ENV SEED_ITEMS_COUNT
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"

role=itest_dev
other=itest_other   # owns one table of the source; $role is not a member of it
src=itest_roles_src
dst=itest_roles_dst
sudst=itest_roles_su
su=$(psql_q postgres 'SELECT current_user')
[ "$(psql_q postgres 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user')" = t ] ||
    die "the test server's role \"$su\" is not a superuser"

# make_role: the role, afresh (with what an earlier run left of it gone)
make_role() {
    drop_role
    psql -X -q -v ON_ERROR_STOP=1 -v role="$role" -v other="$other" -d postgres >/dev/null <<'EOF'
SET client_min_messages = warning;
CREATE ROLE :"role" LOGIN CREATEDB;
CREATE ROLE :"other";
EOF
}
drop_role() {
    psql -X -q -v role="$role" -v other="$other" -d postgres >/dev/null 2>&1 <<'EOF'
SET client_min_messages = warning;
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) FROM pg_database d
  JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = :'role'
\gexec
SELECT format('DROP ROLE %I', rolname) FROM pg_roles WHERE rolname IN (:'role', :'other')
\gexec
EOF
}
as_role() { PGUSER=$role "$@"; }

# source DIR: the role's database with a trusted extension, a large object and a sequence,
# snapshotted by the role into DIR
source_archive() {
    make_role
    on_exit "drop_role"
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $src WITH (FORCE)"
    as_role psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $src" >/dev/null
    as_role psql -X -q -v ON_ERROR_STOP=1 -d "$src" >/dev/null <<'EOF'
CREATE EXTENSION pgcrypto;
CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, digest bytea);
INSERT INTO items (name, digest) SELECT 'item ' || g, digest('item ' || g, 'sha256') FROM generate_series(1, 500) g;
SELECT lo_from_bytea(0, 'a large object');
EOF
    psql_q "$src" "CREATE TABLE other_owned (x int); INSERT INTO other_owned VALUES (1);
                   ALTER TABLE other_owned OWNER TO $other; GRANT SELECT ON other_owned TO $role"
    as_role "$DB_TOOLS_BINDIR/db-snapshot" -q -d "$src" -o "$1" base >"$T/snap.out" 2>"$T/snap.err" ||
        die "snapshot as $role failed: $(cat "$T/snap.err")"
    ! grep -q 'error:' "$T/snap.err" || die "the snapshot printed an error: $(cat "$T/snap.err")"
    cat "$T/snap.out"
}

mkdir -p "$T/b"
if have_snapshot; then
    archive=$(source_archive "$T/b")
else
    note "$(snapshot_problem): the archive comes from PostgreSQL 15"
    archive=$(use_sandbox 15 && source_archive "$T/b" && drop_role)
fi
[ -f "$archive" ] || die "no archive"
forget_templates "$T/b"
make_role
on_exit "drop_role"

# --- the superuser keeps templates of its own ---------------------------------------
fresh_db "$sudst"
assert_status 0 restore -y -d "$sudst" --keep-previous=0 "$archive"
su_templates=$(psql_q postgres "SELECT string_agg(datname, ' ' ORDER BY datname) FROM pg_database d
                                  JOIN pg_roles r ON r.oid = d.datdba
                                 WHERE datname LIKE 'db\_tools\_cache\_%' AND r.rolname = '$su'")
[ -n "$su_templates" ] || die "the superuser's restore kept no template"
su_template=$(template_name "${archive%.tar}.meta" "$su")
case " $su_templates " in
    *" $su_template "*) ;;
    *) die "the superuser's template is not $su_template: $su_templates" ;;
esac

# role_run NAME EXPECTED_STATUS CMD...: as the role; a run that succeeds prints no "error:"
role_run() {
    local what=$1 want=$2
    shift 2
    PGUSER=$role assert_status "$want" "$@"
    if [ "$want" = 0 ] && grep -q 'error:' "$T/last.err"; then
        die "$what: a successful run printed an error: $(cat "$T/last.err")"
    fi
}
templates_of() {
    psql_q postgres "SELECT count(*) FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba
                      WHERE datname LIKE 'db\_tools\_cache\_%' AND r.rolname = '$1'"
}
su_count=$(templates_of "$su")

# --- restore, cached restore ---------------------------------------------------------
as_role psql -X -q -d postgres -c "CREATE DATABASE $dst" >/dev/null
echo '{"cache_size": 1}' >"$T/db-tools.json"
role_run "restore" 0 restore -y -d "$dst" --keep-previous=0 --json "$archive"
assert_eq false "$(jq -r .from_cache "$T/last.out")" "first restore as $role: from_cache"
assert_eq true "$(jq -r .cached "$T/last.out")" "first restore as $role: cached"
assert_eq 500 "$(as_role psql_q "$dst" 'SELECT count(*) FROM items')" "rows restored as $role"
assert_eq "a large object" "$(as_role psql_q "$dst" "SELECT convert_from(lo_get(oid), 'UTF8') FROM pg_largeobject_metadata")" "large object restored as $role"
assert_eq 1 "$(as_role psql_q "$dst" "SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto'")" "trusted extension restored as $role"
role_run "cached restore" 0 restore -y -d "$dst" --keep-previous=0 --json "$archive"
assert_eq true "$(jq -r .from_cache "$T/last.out")" "second restore as $role: from_cache"
assert_eq 500 "$(as_role psql_q "$dst" 'SELECT count(*) FROM items')" "rows after the cached restore"
assert_eq 1 "$(templates_of "$role")" "templates of $role with cache_size 1"
assert_eq "$su_count" "$(templates_of "$su")" "the superuser's templates after $role's restores"

# --owners with an owner the role cannot give objects to: refused before anything changes
role_run "restore --owners" 1 restore -y -d "$dst" --keep-previous=0 --owners "$archive"
# (before 15 the public schema belongs to the superuser, and the archive says so too)
grep -q "error: --owners: role \"$role\" cannot give objects to \(one\|some\) of the archive's owners" "$T/last.err" ||
    die "--owners as $role: $(cat "$T/last.err")"
grep -q "detail: .*\"$other\" (not a member)" "$T/last.err" || die "--owners: the role is not named: $(cat "$T/last.err")"
! grep -q '^target\|Restore?' "$T/last.err" || die "--owners: refused after the plan: $(cat "$T/last.err")"
assert_eq 0 "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE '${dst}\_\_%'")" "databases left by --owners"
assert_eq 500 "$(as_role psql_q "$dst" 'SELECT count(*) FROM items')" "the target after --owners"

# --cache=list shows only the role's own
role_run "cache list" 0 restore --cache=list --json
assert_eq "$(template_name "${archive%.tar}.meta" "$role")" "$(jq -r '.[].database' "$T/last.out" | tr '\n' ' ' | sed 's/ $//')" \
    "--cache=list as $role"

# --- a session the role cannot end: named, nothing changes ------------------------------
psql -X -q -d "$dst" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
sleeper=$!
on_exit "kill $sleeper"
for _ in $(seq 1 50); do
    [ "$(psql_q postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = '$dst' AND usename = '$su'")" = 0 ] || break
    sleep 0.1
done
role_run "restore with a superuser's session" 1 restore -y -d "$dst" --keep-previous=0 --no-cache "$archive"
grep -q "session on database \"$dst\" cannot be ended by role \"$role\"" "$T/last.err" ||
    die "the blocking session is not reported: $(cat "$T/last.err")"
grep -q "detail: pid [0-9]*, user \"$su\", application \"psql\"" "$T/last.err" ||
    die "the blocking session is not named: $(cat "$T/last.err")"
grep -q 'hint: .*pg_signal_backend' "$T/last.err" || die "no hint: $(cat "$T/last.err")"
! grep -q 'must be a superuser' "$T/last.err" || die "the server's bare message: $(cat "$T/last.err")"
assert_eq t "$(psql_q postgres "SELECT datallowconn FROM pg_database WHERE datname = '$dst'")" "the target's door"
assert_eq 0 "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE '${dst}\_\_%'")" "databases left behind"
# a backend asleep does not notice its client leaving: end it as the superuser
psql_q postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$dst' AND usename = '$su'" >/dev/null
wait "$sleeper" 2>/dev/null || true
assert_eq 0 "$(settled_zero postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = '$dst'")" "sessions on the target"
assert_eq 500 "$(as_role psql_q "$dst" 'SELECT count(*) FROM items')" "the target after the refusal"

# --- reset and --fast, with a trusted extension in a migration ------------------------------
mkdir -p db/migrations db/seeds
echo 'CREATE EXTENSION IF NOT EXISTS citext; CREATE TABLE things (id int PRIMARY KEY, name citext);' >db/migrations/1_things.sql
echo 'INSERT INTO things SELECT g, $$thing $$ || g FROM generate_series(1, :things) g;' >db/seeds/010_things.sql
echo '{"migrations": {"dir": "db/migrations"}, "seeds": {"dir": "db/seeds", "counts": {"things": 7}}, "cache_size": 1}' >db-tools.json
role_run "reset" 0 run_tool db-reset -y -d "$dst" --json
assert_eq true "$(jq -r .cached "$T/last.out")" "reset as $role: cached"
assert_eq 7 "$(as_role psql_q "$dst" 'SELECT count(*) FROM things')" "rows after the reset"
role_run "fast reset" 0 run_tool db-reset -y -d "$dst" --fast --json
assert_eq true "$(jq -r .from_cache "$T/last.out")" "--fast as $role: from_cache"
assert_eq 7 "$(as_role psql_q "$dst" 'SELECT count(*) FROM things')" "rows after --fast"

# --- --cache=clear: the role's own, exit 0, the superuser's stay -------------------------
role_run "restore cache clear" 0 restore --cache=clear
role_run "reset cache clear" 0 run_tool db-reset --cache=clear
assert_eq 0 "$(templates_of "$role")" "templates of $role after --cache=clear"
assert_eq "$su_count" "$(templates_of "$su")" "the superuser's templates after $role's --cache=clear"
# --- a template planted by another role is never used, dropped or an error -----------
# The role makes the database the superuser's next template for this archive (with
# --owners) would be, with a table of its own, and marks it IS_TEMPLATE.
key=$(printf '%s --owners' "$(sha256sum "${archive%.tar}.meta" | cut -c1-64)" | sha256sum | cut -c1-64)
planted=db_tools_cache_$(printf '%s\n%s' "$su" "$key" | sha256sum | cut -c1-16)
as_role psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $planted" >/dev/null
as_role psql_q "$planted" "CREATE TABLE planted (x int)"
as_role psql -X -q -v ON_ERROR_STOP=1 -d postgres \
    -c "COMMENT ON DATABASE $planted IS 'db-tools cache 1 kind=restore key=$key created=0 used=9999999999999999 label=x'" \
    -c "ALTER DATABASE $planted IS_TEMPLATE true" >/dev/null
for round in 1 2; do
    assert_status 0 restore -y -d "$sudst" --keep-previous=0 --owners --json "$archive"
    assert_eq false "$(jq -r .from_cache "$T/last.out")" "the superuser's restore $round beside a planted template"
    ! grep -q 'error:' "$T/last.err" || die "a planted template caused an error: $(cat "$T/last.err")"
    assert_eq 0 "$(psql_q "$sudst" "SELECT count(*) FROM pg_tables WHERE tablename = 'planted'")" "the planted table in the target"
done
assert_status 0 restore --cache=clear
assert_eq 1 "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname = '$planted'")" "the planted database after the superuser's --cache=clear"
restore --cache=list --json | grep -q "$planted" && die "the superuser's --cache=list shows the planted template"
as_role psql -X -q -d postgres -c "ALTER DATABASE $planted IS_TEMPLATE false" -c "DROP DATABASE $planted" >/dev/null
echo "ok"
