#!/usr/bin/env bash
# reset_first_hour.sh: what a new user trips over in db-reset. A reset with nothing to build
# (no db-tools.json in reach) and a reset or restore of the maintenance database "postgres" are
# refused (exit 3) unless --force, the target untouched; a mistyped -c count is a usage error
# (exit 2) with a "did you mean"; durations leave out the time spent at the [y/N] prompt (also
# in --json, to the millisecond); Ctrl-D at the prompt ends its line; --fast explains a miss in
# the plan, before anything is built, against the last reset of the same project and target;
# counts are stored as numbers; --status names pending migrations and --migrate applies them
# in place (data kept; a changed or missing file refused before asking); a restore behind the
# project's migrations suggests --migrate.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

unset DB_TOOLS_CONFIG DATABASE_URL SEED_USERS_COUNT SEED_RNG_SEED
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
command -v script >/dev/null || skip "script (util-linux) is needed to run db-reset on a terminal"
cd "$T" || die "cannot cd to $T"
dst=itest_first_a
other=itest_first_b
fresh_db "$dst"
fresh_db "$other"
forget_reset_templates "$dst" "$other" itest_first_c

mkdir -p proj/db/migrations proj/db/seeds nowhere
cat >proj/db/migrations/1_users.sql <<'SQL'
CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);
SQL
cat >proj/db/seeds/010_users.sql <<'SQL'
INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, :users) g;
SQL
echo '{"migrations": {"dir": "db/migrations"}, "seeds": {"dir": "db/seeds", "counts": {"users": 10}}, "cache_size": 50}' \
    >proj/db-tools.json
cd proj || die "cannot cd to proj"

# --- nothing to build: refused, the target untouched; --force resets it to empty ----------
psql_q "$dst" "CREATE TABLE precious (x int); INSERT INTO precious VALUES (42)"
(cd ../nowhere && assert_status 3 run_tool db-reset -d "$dst" -y)
grep -q "refusing to reset \"$dst\": there is nothing to build it from" "$T/last.err" ||
    die "no reason given: $(cat "$T/last.err")"
grep -q 'no db-tools.json was found' "$T/last.err" || die "the missing configuration is not named: $(cat "$T/last.err")"
assert_eq 42 "$(psql_q "$dst" "SELECT x FROM precious")" "target after a refused empty reset"
# --no-seed and no migrations: nothing either
echo '{"seeds": {"dir": "db/seeds"}}' >../nowhere/db-tools.json
mkdir -p ../nowhere/db/seeds
cp db/seeds/010_users.sql ../nowhere/db/seeds/
(cd ../nowhere && assert_status 3 run_tool db-reset -d "$dst" -y --no-seed)
grep -q 'configures no migrations and no seeds' "$T/last.err" || die "--no-seed: $(cat "$T/last.err")"
rm -r ../nowhere/db ../nowhere/db-tools.json
assert_eq 42 "$(psql_q "$dst" "SELECT x FROM precious")" "target after a refused --no-seed reset"
(cd ../nowhere && assert_status 0 run_tool db-reset -d "$dst" -y --force --keep-previous=0)
grep -q 'reset to an empty database (--force)' "$T/last.err" || die "--force gives no warning: $(cat "$T/last.err")"
assert_eq 0 "$(psql_q "$dst" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" "tables after --force"

# --- the maintenance database: refused for reset and restore ------------------------------
psql_q postgres "CREATE TABLE IF NOT EXISTS itest_first_marker (x int)"
on_exit "psql_q postgres 'DROP TABLE IF EXISTS itest_first_marker'"
assert_status 3 run_tool db-reset -d postgres -y
grep -q "refusing to reset \"postgres\": it is the server's maintenance database" "$T/last.err" ||
    die "reset -d postgres: $(cat "$T/last.err")"
grep -q 'pass --force' "$T/last.err" || die "no way out given: $(cat "$T/last.err")"
if have_snapshot; then
    assert_status 0 run_tool db-snapshot -q -d "$dst" -o "$T/snaps" empty
    forget_templates "$T/snaps"
    assert_status 3 run_tool db-restore -d postgres -y "$(cat "$T/last.out")"
    grep -q "refusing to restore into \"postgres\"" "$T/last.err" || die "restore -d postgres: $(cat "$T/last.err")"
fi
assert_eq 1 "$(psql_q postgres "SELECT count(*) FROM pg_tables WHERE tablename = 'itest_first_marker'")" \
    "postgres after the refusals"

# --- a mistyped count: a usage error that names the closest, nothing done -----------------
assert_status 0 run_tool db-reset -d "$dst" -y --json
templates_of() {
    psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE 'db\_tools\_cache\_%'
                       AND shobj_description(oid, 'pg_database') LIKE '%\"target\":\"$dst\"%'"
}
templates=$(templates_of)
before=$(psql_q "$dst" "SELECT count(*) FROM users")
assert_status 2 run_tool db-reset -d "$dst" -y -c user=20
grep -q 'no seed file in .* uses a count named "user"' "$T/last.err" || die "-c user=20: $(cat "$T/last.err")"
grep -q 'did you mean -c users=20?' "$T/last.err" || die "no suggestion: $(cat "$T/last.err")"
assert_status 2 run_tool db-reset -d "$dst" -y -c zzzzzz=1
grep -q 'the seed files use: users' "$T/last.err" || die "-c zzzzzz=1: $(cat "$T/last.err")"
assert_eq "$before" "$(psql_q "$dst" "SELECT count(*) FROM users")" "target after a mistyped count"
assert_eq "$templates" "$(templates_of)" "cached templates of $dst after a mistyped count"
# counts are numbers, in the seed record and in --json
assert_eq number "$(psql_q "$dst" "SELECT jsonb_typeof(counts->'users') FROM seed_metadata ORDER BY id DESC LIMIT 1")" \
    "type of a count in seed_metadata"

# --- durations leave out the prompt -------------------------------------------------------
# answer "y" after 3 s on a terminal; the reported duration is the work alone
t0=$(date +%s.%N)
(sleep 3; echo y) | script -qec "'$DB_TOOLS_BINDIR/db-reset' -d $dst --no-cache" /dev/null >"$T/pty.out" 2>&1 ||
    die "the reset on a terminal failed: $(cat "$T/pty.out")"
t1=$(date +%s.%N)
grep -q 'Reset? \[y/N\]' "$T/pty.out" || die "no prompt on the terminal: $(cat "$T/pty.out")"
secs=$(sed -n 's/.*reset "'"$dst"'" in \([0-9.]*\) s.*/\1/p' "$T/pty.out")
[ -n "$secs" ] || die "no duration reported: $(cat "$T/pty.out")"
awk -v s="$secs" -v a="$t0" -v b="$t1" 'BEGIN { exit !(s < (b - a) - 2.5) }' ||
    die "reported $secs s for a run of $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s with 3 s at the prompt"
assert_status 0 run_tool db-reset -d "$dst" -y --no-cache --json
jq -e '.seconds | tostring | test("^[0-9]+(\\.[0-9]{1,3})?$")' "$T/last.out" >/dev/null ||
    die "--json seconds is not to the millisecond: $(jq .seconds "$T/last.out")"

# --- Ctrl-D at the prompt: the answer is no, and the next message has its own line --------
script -qec "'$DB_TOOLS_BINDIR/db-reset' -d $dst --no-cache" /dev/null </dev/null >"$T/eof.out" 2>&1 || true
tr -d '\r' <"$T/eof.out" | grep -q '^db-reset: nothing was changed' ||
    die "after Ctrl-D the message is not on a line of its own: $(cat -A "$T/eof.out")"

# --- --fast: the miss is explained in the plan, against this project's reset of this target
assert_status 0 run_tool db-reset -d "$dst" -y -c users=10        # cached: users=10 for $dst
assert_status 0 run_tool db-reset -d "$other" -y -c users=11      # the newest: users=11 for $other
assert_status 0 run_tool db-reset -d "$dst" -y --fast -c users=12 --json
assert_eq false "$(jq -r .from_cache "$T/last.out")" "--fast with another count"
grep -q 'method      full reset: these inputs have no cached result (--fast)' "$T/last.err" ||
    die "the plan does not say the reset is full: $(cat "$T/last.err")"
grep -q 'counts: users changed (10 -> 12)' "$T/last.err" ||
    die "not compared with the last reset of $dst: $(cat "$T/last.err")"
grep -q '11 -> 12' "$T/last.err" && die "compared with the reset of another target: $(cat "$T/last.err")"
plan_line=$(grep -n 'counts: users changed' "$T/last.err" | cut -d: -f1)
build_line=$(grep -n 'building a new database' "$T/last.err" | cut -d: -f1)
[ "$plan_line" -lt "$build_line" ] || die "the miss is explained after the build started: $(cat "$T/last.err")"
# a target this project never reset: compared with the project's last reset of another
fresh_db itest_first_c
assert_status 0 run_tool db-reset -d itest_first_c -y --fast -c users=13
grep -q 'no cached reset of "itest_first_c"; against the last one of "' "$T/last.err" ||
    die "a first --fast of a target: $(cat "$T/last.err")"
# a hit says nothing of a miss
assert_status 0 run_tool db-reset -d "$dst" -y --fast -c users=12 --json
assert_eq true "$(jq -r .from_cache "$T/last.out")" "--fast with the inputs of the last reset"
grep -q 'no cached result' "$T/last.err" && die "a hit explains a miss: $(cat "$T/last.err")"

# --- migrations on a feature branch: --status names them, --migrate applies them in place --
psql_q "$dst" "INSERT INTO users VALUES (1000, 'kept across --migrate')"
echo 'ALTER TABLE users ADD COLUMN email text;' >db/migrations/2_email.sql
echo 'CREATE INDEX users_email ON users (email);' >db/migrations/3_email_idx.sql
assert_status 0 run_tool db-reset -d "$dst" --status
grep -q '^  pending: 2_email.sql$' "$T/last.out" || die "--status does not name the pending files: $(cat "$T/last.out")"
grep -q '^  pending: 3_email_idx.sql$' "$T/last.out" || die "--status: $(cat "$T/last.out")"
grep -q 'db-reset --migrate' "$T/last.out" || die "--status does not say how to apply them: $(cat "$T/last.out")"
assert_status 3 run_tool db-reset -d "$dst" --migrate </dev/null
assert_eq 0 "$(psql_q "$dst" "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email'")" \
    "columns after a refused --migrate"
assert_status 0 run_tool db-reset -d "$dst" --migrate -y --json
grep -q 'migrations  2 pending in .*: 2_email.sql, 3_email_idx.sql' "$T/last.err" ||
    die "the plan does not name the pending migrations: $(cat "$T/last.err")"
assert_eq 2 "$(jq -r .migrations_applied "$T/last.out")" "migrations applied in place"
assert_eq "kept across --migrate" "$(psql_q "$dst" "SELECT name FROM users WHERE id = 1000")" "data kept by --migrate"
assert_eq 1 "$(psql_q "$dst" "SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email'")" "index made in place"
assert_eq 3 "$(psql_q "$dst" "SELECT count(*) FROM db_tools_migrations")" "migrations recorded"
assert_status 0 run_tool db-reset -d "$dst" --migrate -y
grep -q 'is up to date: 3 migrations applied, none pending' "$T/last.err" || die "a second --migrate: $(cat "$T/last.err")"
# the same refusals as a reset's runner, before anything is asked
echo '-- edited' >>db/migrations/2_email.sql
echo 'CREATE TABLE later (x int);' >db/migrations/4_later.sql
assert_status 1 run_tool db-reset -d "$dst" --migrate -y
grep -q 'refusing to migrate: an applied migration has changed: "2_email.sql"' "$T/last.err" ||
    die "--migrate after a change: $(cat "$T/last.err")"
grep -q 'Apply?\|pending in' "$T/last.err" && die "asked before refusing: $(cat "$T/last.err")"
sed -i '$d' db/migrations/2_email.sql
mv db/migrations/3_email_idx.sql "$T/3_email_idx.sql"
assert_status 1 run_tool db-reset -d "$dst" --migrate -y
grep -q 'refusing to migrate: an applied migration is no longer in the directory: "3_email_idx.sql"' "$T/last.err" ||
    die "--migrate with a file gone: $(cat "$T/last.err")"
mv "$T/3_email_idx.sql" db/migrations/
assert_eq 0 "$(psql_q "$dst" "SELECT count(*) FROM pg_tables WHERE tablename = 'later'")" "tables after refused --migrate runs"
assert_status 2 run_tool db-reset -d "$dst" --migrate --fast
assert_status 1 run_tool db-reset -d itest_first_nosuch --migrate -y
grep -q 'does not exist: there is nothing to migrate' "$T/last.err" || die "--migrate of no database: $(cat "$T/last.err")"
assert_status 3 run_tool db-reset -d postgres --migrate -y
rm db/migrations/4_later.sql
# a restore whose archive is behind the project's migrations suggests --migrate
if have_snapshot; then
    assert_status 0 run_tool db-snapshot -q -d "$dst" -o "$T/snaps" before-later
    echo 'CREATE TABLE later (x int);' >db/migrations/4_later.sql
    assert_status 0 run_tool db-restore -d "$other" -y --no-cache "$(cat "$T/last.out")"
    grep -q 'hint: db-restore --migrate applies the project.s newer migrations before the swap' "$T/last.err" ||
        die "the restore plan does not suggest --migrate: $(cat "$T/last.err")"
    rm db/migrations/4_later.sql
fi

# --- smaller things seen in the first hour -------------------------------------------------
# the plan says how many sessions the swap will end
psql -X -q -d "$dst" -c 'SELECT pg_sleep(60)' >/dev/null 2>&1 &
sleeper=$!
on_exit "kill $sleeper 2>/dev/null || true"
wait_until 20 sh -c "[ \"\$(psql -X -A -t -q -d postgres -c \"SELECT count(*) FROM pg_stat_activity WHERE datname = '$dst' AND query LIKE '%pg_sleep(60)%'\")\" -gt 0 ]" ||
    die "the session on $dst never started"
assert_status 0 run_tool db-reset -d "$dst" -y --no-cache
grep -q '^sessions    1 other session connected to it will be ended at the swap$' "$T/last.err" ||
    die "the plan does not count the sessions: $(cat "$T/last.err")"
wait "$sleeper" 2>/dev/null || true
# -v shows no server notices (they are debugging detail, for -vv)
# (keeping a template of new inputs drops any stale one first: DROP DATABASE IF EXISTS)
assert_status 0 run_tool db-reset -d "$dst" -y -v --keep-previous=0 -c users=31
grep -q 'NOTICE' "$T/last.err" && die "-v prints server notices: $(grep NOTICE "$T/last.err")"
assert_status 0 run_tool db-reset -d "$dst" -y -vv --keep-previous=0 -c users=32
grep -q 'server: NOTICE:  database "db_tools_cache_[0-9a-f]*" does not exist, skipping$' "$T/last.err" ||
    die "-vv does not show the notices: $(cat "$T/last.err")"
# a psql command in a seed file is named by its command word alone
printf '\\set x 1\nSELECT :users;\n' >db/seeds/005_psql.sql
assert_status 1 run_tool db-reset -d "$dst" -y --no-cache
grep -q 'psql commands such as "\\set" are not supported' "$T/last.err" ||
    die "the psql command is not named by its word: $(cat -A "$T/last.err")"
rm db/seeds/005_psql.sql
# interrupted while a seed runs: "interrupted", not the cancelled statement as an error
# (SIGTERM: a background job of a script ignores SIGINT; both take the same path)
printf 'SELECT pg_sleep(30);\n' >db/seeds/020_slow.sql
"$DB_TOOLS_BINDIR/db-reset" -d "$dst" -y --no-cache >"$T/int.out" 2>"$T/int.err" &
pid=$!
wait_until 30 sh -c "[ \"\$(psql -X -A -t -q -d postgres -c \"SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30);' AND state = 'active'\")\" -gt 0 ]" ||
    die "the slow seed never started"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq 1 "$rc" "exit status after an interrupt during a seed"
grep -q 'reset interrupted; the target was not replaced' "$T/int.err" || die "no interruption said: $(cat "$T/int.err")"
grep -q 'statement: SELECT pg_sleep' "$T/int.err" && die "the cancelled statement is printed: $(cat "$T/int.err")"
grep -q 'canceling statement' "$T/int.err" && die "the cancel is reported as an error: $(cat "$T/int.err")"
rm db/seeds/020_slow.sql
# --cache=list: short sources, and a total
assert_status 0 run_tool db-reset --cache=list
grep -Eq '^[0-9]+ templates?, .* in all' "$T/last.out" || die "--cache=list has no total: $(cat "$T/last.out")"
grep -q "reset of \"$dst\": users=" "$T/last.out" || die "--cache=list does not summarise the inputs: $(cat "$T/last.out")"
grep -q '"migrations":{' "$T/last.out" && die "--cache=list prints the inputs as JSON: $(cat "$T/last.out")"
note "refusals, a mistyped count, durations without the prompt, --fast misses explained in the plan, --migrate in place, sessions, notices, psql commands, Ctrl-C, cache list"
