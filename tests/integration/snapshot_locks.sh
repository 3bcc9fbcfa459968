#!/usr/bin/env bash
# snapshot_locks.sh: a snapshot and DDL that arrives while it runs never wait on each
# other for good.  With two large tables and a small one, `db-snapshot -j2` and, once it
# holds its locks, `TRUNCATE small`: the snapshot stops (exit 1) naming the table and the
# session, leaves no file behind, the TRUNCATE goes through, and a query on the table
# queued behind it answers.  A snapshot with no DDL around still succeeds.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot

db=itest_locks
fresh_db "$db"
psql_q "$db" "CREATE TABLE big1 (id int, pad text); CREATE TABLE big2 (id int, pad text);
              INSERT INTO big1 SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 400000) g;
              INSERT INTO big2 SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 400000) g;
              CREATE TABLE small (id int); INSERT INTO small SELECT generate_series(1, 100)"

assert_status 0 snap -q -d "$db" -o "$T/ok" -j 2 -Z 9 calm

# the DDL's session: identified by its application name
app=itest_locks_ddl_$$
timeout 120 "$DB_TOOLS_BINDIR/db-snapshot" -d "$db" -o "$T/b" -j 2 -Z 9 --progress=never x >"$T/snap.out" 2>"$T/snap.err" &
snapper=$!
on_exit "kill $snapper"
# once the snapshot holds its lock on small (it copies it last, after the two big tables)
for _ in $(seq 200); do
    [ "$(psql_q "$db" "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                       WHERE a.application_name = 'db-snapshot' AND l.granted
                         AND l.relation = 'public.small'::regclass")" -gt 0 ] && break
    sleep 0.05
done
start=$(date +%s)
PGAPPNAME=$app timeout 120 psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "TRUNCATE small" >"$T/ddl.out" 2>&1 &
ddl=$!
# the application's query, queued behind the TRUNCATE (once that waits for its lock)
ddl_waits() {
    [ "$(psql_q "$db" "SELECT count(*) FROM pg_stat_activity
                       WHERE application_name = '$app' AND wait_event_type = 'Lock'")" -gt 0 ]
}
wait_until 30 ddl_waits || die "the TRUNCATE never queued behind the snapshot's lock"
timeout 120 psql -X -A -t -q -d "$db" -c "SELECT count(*) FROM small" >"$T/query.out" 2>&1 &
query=$!

status=0
wait "$snapper" || status=$?
[ "$status" != 124 ] || die "the snapshot hung behind the TRUNCATE (killed after 120 s)"
ddl_status=0
wait "$ddl" || ddl_status=$?
query_status=0
wait "$query" || query_status=$?
elapsed=$(($(date +%s) - start))
note "snapshot exit $status, TRUNCATE exit $ddl_status, query exit $query_status, ${elapsed}s"

assert_eq 0 "$ddl_status" "the TRUNCATE's exit status ($(cat "$T/ddl.out"))"
assert_eq 0 "$query_status" "the queued query's exit status ($(cat "$T/query.out"))"
assert_eq 0 "$(cat "$T/query.out")" "rows after the TRUNCATE"
[ "$elapsed" -lt 60 ] || die "the TRUNCATE waited ${elapsed}s"
# small is copied last (largest first), long after the TRUNCATE came
assert_eq 1 "$status" "the snapshot's exit status ($(cat "$T/snap.err"))"
if grep -q 'error: table "public"."small" is waiting to be changed by another session' "$T/snap.err"; then
    grep -q "detail: pid [0-9]*, user \"[^\"]*\", application \"$app\": TRUNCATE small" "$T/snap.err" ||
        die "the session in the way is not named: $(cat "$T/snap.err")"
else
    # pg_dump, when it came to the table after the TRUNCATE, gives up instead (its lock wait
    # times out), and the hint says what stands in the way
    grep -q 'could not obtain lock on relation "public.small"\|could not obtain lock on relation "small"\|Query was: LOCK TABLE public.small' "$T/snap.err" ||
        die "the snapshot does not say why it stopped: $(cat "$T/snap.err")"
    grep -q 'hint: another session is waiting to change a table' "$T/snap.err" ||
        die "the snapshot does not say what stands in its way: $(cat "$T/snap.err")"
fi
left=$(find "$T/b" -type f 2>/dev/null | grep -E '\.(tar|meta|partial)$' || true)
[ -z "$left" ] || die "the stopped snapshot left files: $left"
echo "ok"
