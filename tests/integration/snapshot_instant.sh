#!/usr/bin/env bash
# snapshot_instant.sh: db-snapshot --instant copies a database into a template on its server
# and writes a marker. The plan is shown and asked about (refused without a terminal or -y,
# and by the production guard); the source's sessions are ended and it accepts connections
# again after. The snapshot is listed (KIND instant, its size on the server), restored by NAME
# faithfully (Pagila: schema, data, the database's settings and comment) into a new target and
# over its own source, renamed, exported into a normal archive (the same members as a
# db-snapshot of the same data, restoring faithfully), pruned and deleted (its template with
# it). A killed run's leftovers are cleaned by the next; a marker whose template is gone, or
# that names another role's, is refused with the reason (and --delete keeps another role's
# marker); a junk marker is skipped. A role with LOGIN CREATEDB takes and restores instant
# snapshots of its own database.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_server

unset DB_TOOLS_CONFIG DATABASE_URL
src=itest_inst_src
tgt=itest_inst_tgt
exp=itest_inst_exp
fresh_db "$src"
fresh_db "$tgt"
fresh_db "$exp"
load_pagila "$src" >/dev/null
psql_q postgres "ALTER DATABASE $src SET work_mem = '7MB'; COMMENT ON DATABASE $src IS 'the shop';" >/dev/null

# what a database holds: its schema as the catalog says, its data, its settings and comment
state() {
    catalog_fingerprint "$1"
    data_fingerprint "$1"
    psql_q postgres "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
                      WHERE d.datname = '$1' AND s.setrole = 0"
    psql_q postgres "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$1'"
}
state "$src" >"$T/src.state"
grep -q 'work_mem=7MB' "$T/src.state" || die "the source's setting is not in its state: $(tail -2 "$T/src.state")"

# the instant snapshots' templates of this test: found by the label, which names the source
templates() {
    psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE 'db\_tools\_cache\_%'
                      AND shobj_description(oid, 'pg_database') LIKE '% kind=instant %\"$src\"%'"
}
drop_instant_templates() {
    psql -X -q -d postgres >/dev/null 2>&1 <<EOF
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) FROM pg_database
 WHERE datname LIKE 'db\_tools\_cache\_%'
   AND shobj_description(oid, 'pg_database') LIKE '% kind=instant %"$src"%'
\gexec
EOF
}
on_exit drop_instant_templates
snaps=$T/snaps

# --- the plan, the question, the guard -------------------------------------------------------
assert_status 3 snap -d "$src" -o "$snaps" --instant base </dev/null
grep -q "^sessions  " "$T/last.err" && grep -q "^instant   snapshot \"base\"" "$T/last.err" ||
    die "no plan before the question: $(cat "$T/last.err")"
grep -q 'refusing to take an instant snapshot without confirmation' "$T/last.err" ||
    die "the refusal does not say why: $(cat "$T/last.err")"
assert_status 3 env NODE_ENV=production "$DB_TOOLS_BINDIR/db-snapshot" -d "$src" -o "$snaps" --instant -y base
grep -q 'refusing to take an instant snapshot of "itest_inst_src": it looks like production' "$T/last.err" ||
    die "the production guard did not speak: $(cat "$T/last.err")"
assert_status 2 snap -d "$src" -o "$snaps" --instant -y -Z zstd base
assert_status 2 snap -d "$src" -o "$snaps" --instant -y -t actor base
assert_eq 0 "$(templates)" "templates after refused runs"
[ ! -e "$snaps" ] || [ -z "$(ls -A "$snaps")" ] || die "a refused run left files: $(ls -A "$snaps")"

# --- taken while a session is connected: it is ended, the source opens again ---------------
psql -X -q -d "$src" -c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
sleeper=$!
on_exit "kill $sleeper"
wait_until 30 sh -c "[ \"\$(psql -X -A -t -q -d postgres -c \"SELECT count(*) FROM pg_stat_activity WHERE datname = '$src' AND query LIKE '%pg_sleep%'\")\" -gt 0 ]" ||
    die "the sleeping session did not start"
assert_status 0 snap -d "$src" -o "$snaps" --instant -y base
marker=$(cat "$T/last.out")
[ -f "$marker" ] || die "no marker at \"$marker\""
case $marker in *_base.instant) ;; *) die "the marker is not named <stamp>_base.instant: $marker" ;; esac
assert_eq 600 "$(stat -c %a "$marker")" "the marker's mode"
grep -q '1 other session connected to it will be ended' "$T/last.err" ||
    die "the plan did not count the session: $(cat "$T/last.err")"
grep -q 'restore   db-restore -o .* base' "$T/last.err" || die "the summary does not say how to restore: $(cat "$T/last.err")"
wait_until 30 sh -c "! kill -0 $sleeper 2>/dev/null" || die "the connected session was not ended"
assert_eq t "$(psql_q postgres "SELECT datallowconn FROM pg_database WHERE datname = '$src'")" \
    "the source accepts connections after the copy"
assert_eq 1 "$(templates)" "templates after the instant snapshot"
jq -e '.format == "db-tools-instant" and .name == "base" and .database == "itest_inst_src" and .bytes > 0' \
    "$marker" >/dev/null || die "the marker does not describe the snapshot: $(cat "$marker")"

# --- listed with its kind and size on the server -------------------------------------------
assert_status 0 snap -o "$snaps" --list
grep -Eq '^base +.* instant +itest_inst_src .* [0-9.]+ [KMG]iB +[0-9]{8}-[0-9]{6}_base\.instant$' "$T/last.out" ||
    die "the list does not show the instant snapshot: $(cat "$T/last.out")"
assert_status 0 snap -o "$snaps" --list --json
jq -e '.[0].kind == "instant" and .[0].size_bytes > 1000000 and .[0].valid' "$T/last.out" >/dev/null ||
    die "the JSON list: $(cat "$T/last.out")"
assert_status 0 restore -o "$snaps" --contents base
grep -q '^contents   database "db_tools_cache_' "$T/last.out" || die "--contents: $(cat "$T/last.out")"
assert_status 2 restore -o "$snaps" --verify base
# db-restore --cache=list shows the snapshot's database (not a cached template: no eviction, no clear)
assert_status 0 restore --cache=list --json
jq -e --arg t "$(jq -r .template "$marker")" '.[] | select(.database == $t and .kind == "instant")' \
    "$T/last.out" >/dev/null || die "--cache=list does not show the instant snapshot's database: $(cat "$T/last.out")"

# --- restored by NAME, faithfully; then over its own source ---------------------------------
psql_q "$src" "DELETE FROM payment; DROP TABLE film_actor CASCADE; ALTER DATABASE $src RESET work_mem" >/dev/null 2>&1
assert_status 0 restore -d "$tgt" -o "$snaps" -y --keep-previous=0 --json base
assert_eq true "$(jq -r .instant "$T/last.out")" "the JSON says instant"
grep -q '^method    clone of the instant snapshot' "$T/last.err" || die "the plan's method: $(cat "$T/last.err")"
state "$tgt" | sed "s/$tgt/$src/g" >"$T/tgt.state"
diff -u "$T/src.state" "$T/tgt.state" >&2 || die "the restore of the instant snapshot differs from the source as it was"
assert_status 0 restore -d "$src" -o "$snaps" -y --keep-previous=0 base
state "$src" >"$T/src2.state"
diff -u "$T/src.state" "$T/src2.state" >&2 || die "the source restored over itself differs"

# --- a ready spare makes the next restore a rename -----------------------------------------
assert_status 0 env DB_TOOLS_SPARE_BUDGET=1GiB "$DB_TOOLS_BINDIR/db-restore" -d "$tgt" -o "$snaps" -y --keep-previous=0 base
spare_ready() {
    [ "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE 'db\_tools\_spare\_%'
                           AND shobj_description(oid, 'pg_database') LIKE '%key=$(jq -r .key "$marker") %'")" = 1 ]
}
wait_until 120 spare_ready || die "no spare of the instant snapshot's template"
assert_status 0 env DB_TOOLS_SPARE_BUDGET=0 "$DB_TOOLS_BINDIR/db-restore" -d "$tgt" -o "$snaps" -y --keep-previous=0 --json base
assert_eq true "$(jq -r .from_spare "$T/last.out")" "the restore took the instant snapshot's spare"
state "$tgt" | sed "s/$tgt/$src/g" | diff -u "$T/src.state" - >&2 || die "the restore from the spare differs"

# --- renamed, listed under the new name, restored by it ------------------------------------
assert_status 0 snap -o "$snaps" --rename "$(basename "$marker")" kept
renamed=$(cat "$T/last.out")
[ -f "$renamed" ] && [ ! -e "$marker" ] || die "the rename left \"$marker\" or made no \"$renamed\""
assert_status 0 restore -d "$tgt" -o "$snaps" -y --keep-previous=0 kept

# --- deleted: its template with it -----------------------------------------------------------
assert_status 0 snap -d "$src" -o "$snaps" --delete -y kept
assert_eq 0 "$(templates)" "templates after --delete"
[ ! -e "$renamed" ] || die "--delete left the marker"

# --- a marker whose template is gone; a junk marker; another role's -----------------------
assert_status 0 snap -d "$src" -o "$snaps" --instant -y -q gone
gone=$(cat "$T/last.out")
cp "$gone" "$T/gone.keep"
drop_instant_templates
assert_status 1 restore -d "$tgt" -o "$snaps" -y gone
grep -q 'the instant snapshot "gone" is not on this server' "$T/last.err" || die "a missing template: $(cat "$T/last.err")"
assert_status 0 snap -d "$src" -o "$snaps" --delete -y gone
grep -q "was gone already" "$T/last.err" || die "deleting a snapshot whose database is gone: $(cat "$T/last.err")"
echo '{"format": "db-tools-instant", "format_version": 1, "name": "junk"' >"$snaps/20200101-000000_junk.instant"
assert_status 0 snap -o "$snaps" --list
grep -q 'skipping .*20200101-000000_junk.instant.: not an instant snapshot' "$T/last.err" ||
    die "a junk marker is not reported: $(cat "$T/last.err")"
assert_status 4 restore -d "$tgt" -y "$snaps/20200101-000000_junk.instant"
rm -f "$snaps/20200101-000000_junk.instant"

# --- a killed run's leftovers: the copy being made, the source closed ----------------------
psql_q postgres "CREATE DATABASE \"${src}__restoring_20200101-000000\"" >/dev/null
psql_q postgres "ALTER DATABASE $src ALLOW_CONNECTIONS false" >/dev/null
assert_status 0 snap -d "$src" -o "$snaps" --instant -y again
assert_eq 0 "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname = '${src}__restoring_20200101-000000'")" \
    "the leftover copy"
assert_eq t "$(psql_q postgres "SELECT datallowconn FROM pg_database WHERE datname = '$src'")" \
    "the source left closed is open again"
assert_status 0 snap -d "$src" -o "$snaps" --prune --keep=0 again
assert_eq 0 "$(templates)" "templates after --prune"

# --- a role with LOGIN CREATEDB, and the superuser before its snapshot -----------------------
role=itest_inst_role_$$
rdb=itest_inst_r
on_exit "drop_test_role $role"
psql_q postgres "CREATE ROLE $role LOGIN CREATEDB" >/dev/null
psql_q postgres "CREATE DATABASE $rdb OWNER $role" >/dev/null
PGUSER=$role psql_q "$rdb" "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 1000)" >/dev/null
assert_status 0 env PGUSER="$role" "$DB_TOOLS_BINDIR/db-snapshot" -d "$rdb" -o "$T/rsnaps" --instant -y mine
PGUSER=$role psql_q "$rdb" "DELETE FROM t" >/dev/null
# the superuser's cache does not hold the role's snapshot
assert_status 1 restore -d "$tgt" -o "$T/rsnaps" -y mine
grep -q 'is not on this server: "postgres" has no database holding it' "$T/last.err" ||
    die "another role's marker: $(cat "$T/last.err")"
# nor may the superuser's --delete take the marker away from the database it cannot see
assert_status 1 snap -o "$T/rsnaps" --delete -y mine
grep -q 'is not on this server' "$T/last.err" || die "--delete of another role's snapshot: $(cat "$T/last.err")"
ls "$T/rsnaps"/*_mine.instant >/dev/null || die "the superuser's --delete removed the role's marker"
assert_status 0 env PGUSER="$role" "$DB_TOOLS_BINDIR/db-restore" -d "$rdb" -o "$T/rsnaps" -y --keep-previous=0 mine
assert_eq 1000 "$(psql_q "$rdb" "SELECT count(*) FROM t")" "the role's rows after its restore"
assert_eq "$role" "$(psql_q postgres "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '$rdb'")" \
    "the owner of the role's restored database"
assert_status 0 env PGUSER="$role" "$DB_TOOLS_BINDIR/db-snapshot" -d "$rdb" -o "$T/rsnaps" --delete -y mine

# --- exported into a normal archive ---------------------------------------------------------
have_snapshot || skip_rest "$(snapshot_problem)"
assert_status 0 snap -d "$src" -o "$snaps" --instant -y -q base
marker=$(cat "$T/last.out")
psql_q "$src" "INSERT INTO actor (first_name, last_name) VALUES ('LIVE', 'CHANGE')" >/dev/null
assert_status 0 snap -d "$src" -o "$snaps" --export base
exported=$(cat "$T/last.out")
assert_eq "${marker%.instant}.tar" "$exported" "the export's file: the snapshot's name and time"
jq -e '.source.database == "itest_inst_src" and .name == "base"' "${exported%.tar}.meta" >/dev/null ||
    die "the export's meta: $(head -c 600 "${exported%.tar}.meta")"
assert_eq "$(jq -r .created_at "$marker")" "$(jq -r .created_at "${exported%.tar}.meta")" "the export's time"
assert_eq 0 "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE 'db\_tools\_export\_%'")" \
    "export copies left"
# the same kind of archive a snapshot of the same data writes: restore $src as it was, snapshot it
assert_status 0 restore -d "$src" -o "$snaps" -y --keep-previous=0 base
assert_status 0 snap -d "$src" -o "$snaps" normal
normal=$(cat "$T/last.out")
mkdir -p "$T/x" "$T/y"
tar -xf "$exported" -C "$T/x"
tar -xf "$normal" -C "$T/y"
diff <(tar -tf "$exported" | sort) <(tar -tf "$normal" | sort) >&2 || die "the export's members differ from a snapshot's"
(cd "$T/x" && find . -type f ! -name meta.json | sort) >"$T/members"
# byte for byte: the members as stored (compressed), and so their checksums in meta.json
while read -r m; do
    cmp -s "$T/x/$m" "$T/y/$m" || die "member $m differs"
done <"$T/members"
[ "$(wc -l <"$T/members")" -gt 20 ] || die "too few members compared: $(cat "$T/members")"
strip() { jq 'del(.name, .created_at, .duration_seconds)' "$1"; }
diff -u <(strip "$T/y/meta.json") <(strip "$T/x/meta.json") >&2 || die "the export's meta.json differs beyond name and time"
assert_status 0 restore -d "$exp" -y --keep-previous=0 --no-cache "$exported"
state "$exp" | sed "s/$exp/$src/g" | diff -u "$T/src.state" - >&2 || die "the exported archive's restore differs"
assert_status 2 snap -o "$snaps" --export "$(basename "$normal" .tar)"
drop_templates_of "$snaps"
assert_status 0 snap -d "$src" -o "$snaps" --delete -y "$(basename "$marker")"
assert_eq 0 "$(templates)" "templates after the export's snapshot is deleted"

note "instant snapshots: plan and guard, sessions ended, listed, restored faithfully, spare, export, rename, delete, prune, leftovers, missing and junk markers, a non-superuser"
