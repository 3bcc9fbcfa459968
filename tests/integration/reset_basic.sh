#!/usr/bin/env bash
# reset_basic.sh: db-reset with the built-in runners. Migrations applied in
# numeric order and tracked; determinism (same inputs, same content; another
# rng_seed, other data); count precedence (-c > SEED_<NAME>_COUNT > config);
# --fast hits and misses (saying what changed); --status reports a changed
# migration and a gap; a failing migration, a failing seed, an unknown
# variable and a killed reset leave the target unchanged.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

unset DB_TOOLS_CONFIG DATABASE_URL SEED_USERS_COUNT SEED_ORDERS_COUNT SEED_RNG_SEED
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"
dst=itest_reset_dst
mkdir -p db/migrations db/seeds
cat >db/migrations/10_orders.sql <<'SQL'
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users, total numeric(10,2));
SQL
cat >db/migrations/9_users.sql <<'SQL'
CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, score double precision);
SQL
cat >db/seeds/010_users.sql <<'SQL'
-- :users users; the string ':users' stays as it is
INSERT INTO users SELECT g, 'user ' || g || ' :users', random() FROM generate_series(1, :users) g;
SQL
cat >db/seeds/020_orders.sql <<'SQL'
INSERT INTO orders
SELECT g, 1 + (random() * (:users - 1))::int, round((random() * 100)::numeric, 2)
  FROM generate_series(1, (:orders)::int) g;
SQL
echo '{"migrations": {"dir": "db/migrations"}, "seeds": {"dir": "db/seeds", "counts": {"users": 10, "orders": 50}, "rng_seed": 7}, "cache_size": 50}' >db-tools.json

fresh_db "$dst"
psql_q postgres "DROP DATABASE $dst"
content() {
    psql_q "$dst" "SELECT (SELECT count(*) FROM users) || ' ' || (SELECT count(*) FROM orders) || ' ' ||
                   (SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u) ||
                   (SELECT md5(string_agg(o::text, ',' ORDER BY id)) FROM orders o)"
}
# the reset templates this test makes (the other runs of it wait for the database name)
forget_reset_templates "$dst" itest_reset_empty

# --- a full reset; migrations in numeric order (9 before 10) --------------------
assert_status 0 run_tool db-reset -d "$dst" -y --json
assert_eq 2 "$(jq -r .migrations_applied "$T/last.out")" "migrations applied"
assert_eq 50 "$(jq -r '.rows["public.orders"]' "$T/last.out")" "orders seeded"
assert_eq "9 10" "$(psql_q "$dst" "SELECT string_agg(version::text, ' ' ORDER BY applied_at, version) FROM db_tools_migrations")" "migration order"
assert_eq 10 "$(psql_q "$dst" "SELECT count(*) FROM users WHERE name LIKE '% :users'")" "':users' inside a string literal is left alone"
first=$(content)

# --- determinism: the same inputs give the same data; another rng_seed does not ----
assert_status 0 run_tool db-reset -d "$dst" -y --no-cache
assert_eq "$first" "$(content)" "content after a second reset with the same inputs"
assert_status 0 run_tool db-reset -d "$dst" -y --no-cache --rng-seed 8
[ "$(content)" != "$first" ] || die "another rng_seed gave the same data"

# --- count precedence: -c > SEED_<NAME>_COUNT > config -------------------------
assert_status 0 env SEED_ORDERS_COUNT=20 "$DB_TOOLS_BINDIR/db-reset" -d "$dst" -y --no-cache
assert_eq 20 "$(psql_q "$dst" 'SELECT count(*) FROM orders')" "SEED_ORDERS_COUNT over the config"
assert_status 0 env SEED_ORDERS_COUNT=20 "$DB_TOOLS_BINDIR/db-reset" -d "$dst" -y --no-cache -c orders=30
assert_eq 30 "$(psql_q "$dst" 'SELECT count(*) FROM orders')" "-c over SEED_ORDERS_COUNT"
assert_status 2 run_tool db-reset -d "$dst" -y -c orders=many
assert_status 2 run_tool db-reset -d "$dst" -y -c =5

# --- --fast: a hit clones, a miss says what changed ---------------------------------
assert_status 0 run_tool db-reset -d "$dst" -y --json       # keeps the result of the default inputs
assert_eq true "$(jq -r .cached "$T/last.out")" "a full reset keeps its result"
assert_status 0 run_tool db-reset -d "$dst" -y --fast --json
assert_eq true "$(jq -r .from_cache "$T/last.out")" "--fast with the same inputs"
assert_eq "$first" "$(content)" "content after --fast"
assert_status 0 run_tool db-reset -d "$dst" -y --fast --json -c users=12
assert_eq false "$(jq -r .from_cache "$T/last.out")" "--fast with other counts"
grep -q 'counts: users changed (10 -> 12)' "$T/last.err" || die "--fast did not say what changed: $(cat "$T/last.err")"
echo "-- touched" >>db/seeds/020_orders.sql
assert_status 0 run_tool db-reset -d "$dst" -y --fast --json
assert_eq false "$(jq -r .from_cache "$T/last.out")" "--fast after a seed file changed"
grep -q 'seeds: 020_orders.sql changed' "$T/last.err" || die "--fast did not name the changed seed file: $(cat "$T/last.err")"

# --- --status: a changed migration and a gap -----------------------------------------
assert_status 0 run_tool db-reset -d "$dst" --status
grep -q '2 applied, 0 pending' "$T/last.out" || die "--status: $(cat "$T/last.out")"
echo "-- edited" >>db/migrations/9_users.sql
echo "SELECT 1;" >db/migrations/5_late.sql
assert_status 0 run_tool db-reset -d "$dst" --status
grep -q 'changed since applied: 9_users.sql' "$T/last.out" || die "--status misses the change: $(cat "$T/last.out")"
grep -q 'older than the head: 5_late.sql' "$T/last.out" || die "--status misses the gap: $(cat "$T/last.out")"
rm db/migrations/5_late.sql

# --- failures leave the target unchanged --------------------------------------------
before=$(content)
leftovers() { psql_q postgres "SELECT datname FROM pg_database WHERE datname LIKE '${dst}\_\_restoring\_%'"; }
echo "CREATE TABLE broken (;" >db/migrations/11_broken.sql
assert_status 1 run_tool db-reset -d "$dst" -y --no-cache
grep -q '11_broken.sql, line 1' "$T/last.err" || die "a failing migration is not named: $(cat "$T/last.err")"
assert_eq "$before" "$(content)" "target after a failing migration"
assert_eq "" "$(leftovers)" "leftovers after a failing migration"
rm db/migrations/11_broken.sql
echo "INSERT INTO orders VALUES (1, 1, 1);" >db/seeds/030_dup.sql
assert_status 1 run_tool db-reset -d "$dst" -y --no-cache
grep -q '030_dup.sql, line 1' "$T/last.err" || die "a failing seed is not named: $(cat "$T/last.err")"
assert_eq "$before" "$(content)" "target after a failing seed"
echo "SELECT :nosuch;" >db/seeds/030_dup.sql
assert_status 1 run_tool db-reset -d "$dst" -y --no-cache
grep -q 'line 1: unknown variable :nosuch' "$T/last.err" || die "an unknown variable is not named: $(cat "$T/last.err")"
assert_eq "$before" "$(content)" "target after an unknown variable"
rm db/seeds/030_dup.sql
assert_eq "" "$(leftovers)" "leftovers after failing seeds"

# --- killed while seeding; the next run cleans up ----------------------------------
echo "SELECT pg_sleep(30);" >db/seeds/030_slow.sql
"$DB_TOOLS_BINDIR/db-reset" -d "$dst" -y --no-cache >"$T/killed.out" 2>&1 &
pid=$!
seeding() {
    [ "$(psql_q postgres "SELECT count(*) FROM pg_stat_activity
                          WHERE query = 'SELECT pg_sleep(30);' AND state = 'active'")" -gt 0 ]
}
wait_until 30 seeding || die "the reset never reached its slow seed"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
[ -n "$(leftovers)" ] || die "the killed reset left nothing to clean up (did it start?)"
assert_eq "$before" "$(content)" "target after a killed reset"
rm db/seeds/030_slow.sql
assert_status 0 run_tool db-reset -d "$dst" -y --no-cache
grep -q 'left by an interrupted' "$T/last.err" || die "the next reset did not clean up: $(cat "$T/last.err")"
assert_eq "" "$(leftovers)" "leftovers after the next reset"

# --- a migration marked to run outside a transaction (CREATE INDEX CONCURRENTLY) -----
printf -- '-- db-tools:no-transaction\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);\n' >db/migrations/12_index.sql
assert_status 0 run_tool db-reset -d "$dst" -y --no-cache
assert_eq 1 "$(psql_q "$dst" "SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_user_idx'")" "index made outside a transaction"

# --- the seed files run unchanged under psql -v ----------------------------------------
fresh_db itest_reset_psql
for f in db/migrations/9_users.sql db/migrations/10_orders.sql db/seeds/010_users.sql db/seeds/020_orders.sql; do
    psql -X -q -v ON_ERROR_STOP=1 -v users=4 -v orders=6 -d itest_reset_psql -f "$f" >/dev/null ||
        die "psql -v could not run $f"
done
assert_eq "4 6" "$(psql_q itest_reset_psql 'SELECT (SELECT count(*) FROM users) || $$ $$ || (SELECT count(*) FROM orders)')" "rows made by psql -v"

# --- empty migrations and seeds directories: nothing to build, refused; --force: empty ----
fresh_db itest_reset_empty
mkdir -p empty/db/migrations empty/db/seeds
echo '{"migrations": {"dir": "db/migrations"}, "seeds": {"dir": "db/seeds"}}' >empty/db-tools.json
(cd empty && assert_status 3 run_tool db-reset -d itest_reset_empty -y --no-cache)
grep -q 'configures no migrations and no seeds (or their directories are empty)' "$T/last.err" ||
    die "empty directories: $(cat "$T/last.err")"
(cd empty && assert_status 0 run_tool db-reset -d itest_reset_empty -y --no-cache --force)

# --- --set values: part of the cache key, never stored in readable form ---------------
assert_status 0 run_tool db-reset -d "$dst" -y --set api_token=S3cr3tV4lue --json
assert_eq true "$(jq -r .cached "$T/last.out")" "a reset with --set keeps its result"
assert_eq 0 "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE shobj_description(oid, 'pg_database') LIKE '%S3cr3tV4lue%'")" \
    "databases whose comment holds the --set value"
run_tool db-reset --cache=list --json | grep -q S3cr3tV4lue && die "--cache=list shows the --set value"
assert_status 0 run_tool db-reset -d "$dst" -y --fast --set api_token=S3cr3tV4lue --json
assert_eq true "$(jq -r .from_cache "$T/last.out")" "--fast with the same --set value"
assert_status 0 run_tool db-reset -d "$dst" -y --fast --set api_token=other --json
assert_eq false "$(jq -r .from_cache "$T/last.out")" "--fast with another --set value"

# --- --snapshot-first, --from, and db-restore --migrate --------------------------------
have_snapshot || skip_rest "--snapshot-first, --from and --migrate: $(snapshot_problem)"
assert_status 0 run_tool db-reset -d "$dst" -y --no-cache --snapshot-first
shopt -s nullglob
snaps=(backups/*_before-reset.tar)
shopt -u nullglob
assert_eq 1 "${#snaps[@]}" "snapshots taken by --snapshot-first"
forget_templates "$T/backups"
# the snapshot holds the database as it was before that reset: the same inputs, so the same content
snapped=$(content)
psql_q "$dst" "DELETE FROM orders"
assert_status 0 run_tool db-reset -d "$dst" -y --from before-reset
assert_eq "$snapped" "$(content)" "content after --from the snapshot"
echo "CREATE TABLE extra (x int);" >db/migrations/13_extra.sql
assert_status 0 run_tool db-restore -d "$dst" -y --migrate --json before-reset
assert_eq 1 "$(jq -r .migrations_applied "$T/last.out")" "migrations applied by db-restore --migrate"
assert_eq 1 "$(psql_q "$dst" "SELECT count(*) FROM pg_tables WHERE tablename = 'extra'")" "table made by the pending migration"
# the source database's own settings are applied after the migrations: read-only does not stop them
psql_q postgres "ALTER DATABASE $dst SET default_transaction_read_only = on"
assert_status 0 run_tool db-snapshot -q -d "$dst" read-only
echo "CREATE TABLE extra2 (x int);" >db/migrations/14_extra2.sql
assert_status 0 run_tool db-restore -d "$dst" -y --migrate --json read-only
# the plan's note names the newest migration in the runner's (numeric) order: 14, not 9
grep -q "the archive's migration head is 13; the project's newest migration is 14" "$T/last.err" ||
    die "the plan does not name migration 14 as the newest: $(grep note "$T/last.err")"
assert_eq 1 "$(jq -r .migrations_applied "$T/last.out")" "migrations applied under default_transaction_read_only"
assert_eq 1 "$(psql_q "$dst" "SELECT count(*) FROM pg_tables WHERE tablename = 'extra2'")" "table made under default_transaction_read_only"
assert_eq on "$(psql_q "$dst" "SHOW default_transaction_read_only")" "the setting, applied after the migrations"
echo "-- edited again" >>db/migrations/10_orders.sql
before=$(content)
assert_status 1 run_tool db-restore -d "$dst" -y --migrate before-reset
grep -q 'refusing to migrate: an applied migration has changed' "$T/last.err" || die "--migrate did not refuse a changed migration: $(cat "$T/last.err")"
assert_eq "$before" "$(content)" "target after a refused --migrate"
