#!/usr/bin/env bash
# spare.sh: the ready spare of a cached template. After a restore that keeps a template, a
# spare is built in the background; the next restore of the same archive takes it (a rename,
# said in the plan and the JSON) and is faithful; --cache=list shows it, --cache=clear drops
# it. A foreground run that arrives while a spare is being built stops the builder, and
# nothing half-made is left; a SIGKILLed builder's leftovers are removed by the next run. A
# budget that forbids the spare, and a server disk that would fall below the margin
# (simulated), make none. Two targets share a template and its spares. db-reset --fast takes
# a spare too. A role with LOGIN CREATEDB only gets spares of its own.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot

unset DB_TOOLS_CONFIG DATABASE_URL DB_TOOLS_SPARE_BUDGET
src=itest_spare_src
a=itest_spare_a
b=itest_spare_b
fresh_db "$src"
fresh_db "$a"
fresh_db "$b"
psql_q "$src" "CREATE TABLE t (id int PRIMARY KEY, v text);
               INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 50000) g;" >/dev/null
data_fingerprint "$src" >"$T/src.fp"
assert_status 0 snap -q -d "$src" -o "$T/snaps" base
archive=$(cat "$T/last.out")
forget_templates "$T/snaps"
tmpl=$(template_name "${archive%.tar}.meta")
spare=db_tools_spare_${tmpl#db_tools_cache_}
on_exit "psql_q postgres 'DROP DATABASE IF EXISTS $spare WITH (FORCE)' >/dev/null 2>&1"
log=$XDG_STATE_HOME/db-tools/spares.log

spare_state() {
    restore --cache=list --json | jq -r --arg t "$tmpl" '.[] | select(.database == $t) | .spare // "none"'
}
spare_ready() { [ "$(spare_state)" = ready ]; }
undescribed() {
    psql_q postgres "SELECT count(*) FROM pg_database WHERE datname = '$spare'
                       AND coalesce(shobj_description(oid, 'pg_database'), '') NOT LIKE 'db-tools spare 1 %'"
}

# --- made after the first restore, taken by the second -------------------------------------
assert_status 0 restore -d "$a" -y --keep-previous=0 "$archive"
grep -q 'a spare of the template is being made in the background' "$T/last.err" ||
    die "no spare started: $(cat "$T/last.err")"
wait_until 60 spare_ready || die "the spare never became ready ($(spare_state)); log: $(cat "$log" 2>&1)"
grep -q "spare $spare of $tmpl: ready in" "$log" || die "the builder's line is not in the log: $(cat "$log")"
assert_status 0 restore -d "$a" --cache=list
grep -q "$tmpl .* ready " "$T/last.out" || die "--cache=list does not show the spare: $(cat "$T/last.out")"
grep -q "spares' log $log; last: " "$T/last.out" || die "--cache=list does not show the log: $(cat "$T/last.out")"
assert_status 0 restore -d "$a" -y --keep-previous=0 --json "$archive"
assert_eq true "$(jq -r .from_spare "$T/last.out")" "the second restore took the spare"
grep -q "method    the cached template's ready spare, renamed" "$T/last.err" ||
    die "the plan does not say the spare is used: $(cat "$T/last.err")"
data_fingerprint "$a" >"$T/a.fp"
diff -u "$T/src.fp" "$T/a.fp" >&2 || die "the restore from the spare differs"
assert_eq 1 "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname = '$a' AND datallowconn")" \
    "the target taken from the spare accepts connections"

# --- two targets share the template and its spare ------------------------------------------
wait_until 60 spare_ready || die "no new spare after the second restore"
assert_status 0 restore -d "$b" -y --keep-previous=0 --json "$archive"
assert_eq true "$(jq -r .from_spare "$T/last.out")" "a restore into another target took the spare"
diff -u "$T/src.fp" <(data_fingerprint "$b") >&2 || die "target $b differs"
wait_until 60 spare_ready || die "no new spare after the restore into $b"

# --- a foreground run while a spare is being built: the builder is stopped, nothing left --
wait_until 60 spare_ready || die "no spare before the contended restore"
builder_runs() {
    [ "$(psql_q postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'db-tools spare'")" -gt 0 ]
}
# this restore takes the spare and starts a builder that first sleeps 60 s on the server
assert_status 0 env DB_TOOLS_SPARE_DELAY=60 "$DB_TOOLS_BINDIR/db-restore" -d "$a" -y --keep-previous=0 "$archive"
wait_until 30 builder_runs || die "no builder at work"
start=$(date +%s)
assert_status 0 restore -d "$b" -y --keep-previous=0 -v --json "$archive"
[ $(($(date +%s) - start)) -lt 30 ] || die "the foreground run waited for the builder"
grep -q 'stopping 1 spare builder: this run needs the template cache' "$T/last.err" ||
    die "the builder was not stopped: $(cat "$T/last.err")"
assert_eq false "$(jq -r .from_spare "$T/last.out")" "a spare taken while none was ready"
diff -u "$T/src.fp" <(data_fingerprint "$b") >&2 || die "target $b differs after the contended restore"
grep -q "spare $spare of $tmpl: not made: .*canceling statement due to user request" "$log" ||
    die "the stopped builder's line is not in the log: $(tail -3 "$log")"
assert_eq 0 "$(undescribed)" "undescribed spares after the foreground run"
wait_until 60 spare_ready || die "no spare after the contended restore"

# --- a SIGKILLed builder, and one killed between its copy and its comment ------------------
assert_status 0 env DB_TOOLS_SPARE_DELAY=60 "$DB_TOOLS_BINDIR/db-restore" -d "$a" -y --keep-previous=0 "$archive"
wait_until 30 builder_runs || die "no builder to kill"
# the builder: a db-restore process in a session of its own, with this test's XDG_STATE_HOME
# in its environment (another run's builders are left alone)
mysid=$(ps -o sid= -p $$ | tr -d ' ')
builder=
for pid in $(ps -eo pid=,sid=,args= | awk -v me="$mysid" '$2 != me && $3 ~ /db-restore$/ { print $1 }'); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "XDG_STATE_HOME=$XDG_STATE_HOME"; then
        builder=$pid
        break
    fi
done
[ -n "$builder" ] || die "the builder's process (its own session) is not to be found: $(ps -eo pid,sid,args | grep db-restore)"
kill -KILL "$builder"
# its server session sleeps on; the next run stops it and goes on
assert_status 0 restore -d "$a" -y --keep-previous=0 "$archive"
builder_runs && [ "$(psql_q postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'db-tools spare' AND query LIKE '%pg_sleep%'")" -gt 0 ] &&
    die "the killed builder's session was left running"
diff -u "$T/src.fp" <(data_fingerprint "$a") >&2 || die "target $a differs after a killed builder"
wait_until 60 spare_ready || die "no spare after the killed builder"
# a builder killed after CREATE DATABASE, before its comment: an undescribed spare, dropped
psql_q postgres "DROP DATABASE $spare" >/dev/null
psql_q postgres "CREATE DATABASE $spare" >/dev/null
assert_eq 1 "$(undescribed)" "the simulated leftover"
assert_eq unfinished "$(spare_state)" "the leftover as --cache=list shows it"
assert_status 0 restore -d "$a" -y --keep-previous=0 --json "$archive"
assert_eq false "$(jq -r .from_spare "$T/last.out")" "an undescribed spare taken"
assert_eq 0 "$(undescribed)" "undescribed spares after the next run"
diff -u "$T/src.fp" <(data_fingerprint "$a") >&2 || die "target $a differs after the leftover"
wait_until 60 spare_ready || die "no spare after the leftover was dropped"

# --- a budget that forbids a spare, and a disk that would run low --------------------------
assert_status 0 restore --cache=clear
assert_eq 0 "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE 'db\_tools\_spare\_%' AND pg_catalog.pg_get_userbyid(datdba) = current_user")" \
    "spares after --cache=clear"
assert_status 0 restore -d "$a" -y --keep-previous=0 --spare-budget=1kB "$archive"
grep -q "no spare of the template kept: it would take .*, over the spares' budget of 1000 B" "$T/last.err" ||
    die "the budget is not said: $(cat "$T/last.err")"
assert_eq none "$(spare_state)" "a spare over the budget"
assert_status 0 env DB_TOOLS_SPARE_FREE_BYTES=$((1 << 30)) "$DB_TOOLS_BINDIR/db-restore" -d "$a" -y --keep-previous=0 "$archive"
grep -q "no spare of the template kept: it would take .* of the server's 1.0 GiB free, leaving less than" "$T/last.err" ||
    die "the disk margin is not said: $(cat "$T/last.err")"
assert_eq none "$(spare_state)" "a spare that would cross the disk margin"
assert_status 2 restore -d "$a" -y --spare-budget=lots "$archive"
assert_status 0 env DB_TOOLS_SPARE_BUDGET=0 "$DB_TOOLS_BINDIR/db-restore" -d "$a" -y --keep-previous=0 "$archive"
grep -q 'a spare of the template\|no spare of the template' "$T/last.err" &&
    die "a budget of 0 still speaks of spares: $(cat "$T/last.err")"

# --- db-reset --fast takes a spare of its own template -------------------------------------
mkdir -p "$T/proj/db/migrations"
echo 'CREATE TABLE r (x int); INSERT INTO r SELECT generate_series(1, 1000);' >"$T/proj/db/migrations/1_r.sql"
echo '{"migrations": {"dir": "db/migrations"}}' >"$T/proj/db-tools.json"
forget_reset_templates "$b"
(cd "$T/proj" && assert_status 0 run_tool db-reset -d "$b" -y --keep-previous=0)
reset_spare_ready() {
    [ "$(run_tool db-reset --cache=list --json | jq -r '[.[] | select(.spare == "ready")] | length')" -gt 0 ]
}
wait_until 60 reset_spare_ready || die "no spare of the reset's template"
(cd "$T/proj" && assert_status 0 run_tool db-reset -d "$b" -y --fast --keep-previous=0 --json)
assert_eq true "$(jq -r .from_spare "$T/last.out")" "db-reset --fast took the spare"
assert_eq 1000 "$(psql_q "$b" "SELECT count(*) FROM r")" "rows after a reset from the spare"

# --- a role with LOGIN CREATEDB: spares of its own templates -------------------------------
role=itest_spare_role_$$
on_exit "drop_test_role $role"
psql_q postgres "CREATE ROLE $role LOGIN CREATEDB" >/dev/null
psql_q postgres "CREATE DATABASE itest_spare_r OWNER $role" >/dev/null
assert_status 0 env PGUSER="$role" "$DB_TOOLS_BINDIR/db-restore" -d itest_spare_r -y -v --keep-previous=0 "$archive"
grep -q "the server's free disk space is not visible from here" "$T/last.err" ||
    die "a role that may not read data_directory: $(cat "$T/last.err")"
role_spare_ready() {
    [ "$(PGUSER=$role "$DB_TOOLS_BINDIR/db-restore" --cache=list --json | jq -r '[.[] | select(.spare == "ready")] | length')" -gt 0 ]
}
wait_until 60 role_spare_ready || die "no spare for the role's template"
assert_status 0 env PGUSER="$role" "$DB_TOOLS_BINDIR/db-restore" -d itest_spare_r -y --keep-previous=0 --json "$archive"
assert_eq true "$(jq -r .from_spare "$T/last.out")" "the role's restore took its spare"
assert_eq "$role" "$(psql_q postgres "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'itest_spare_r'")" \
    "the owner of the target taken from the role's spare"
diff -u "$T/src.fp" <(data_fingerprint itest_spare_r) >&2 || die "the role's target differs"
# the superuser's cache does not see the role's spares, nor takes them
assert_eq none "$(spare_state)" "the superuser's view of the role's spare"
note "spares: made, taken, shared, stopped by a foreground run, cleaned after SIGKILL, budget and disk margin, db-reset --fast, a non-superuser"
