#!/usr/bin/env bash
# reset_commands.sh: db-reset with a migrate command and a seed command
# instead of the built-in runners: they reach the new database through
# DATABASE_URL (and PG*), get the counts as SEED_<NAME>_COUNT and the seed
# as SEED_RNG_SEED; a failing command is named with its exit status and
# leaves the target unchanged.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

unset DB_TOOLS_CONFIG DATABASE_URL SEED_USERS_COUNT SEED_RNG_SEED
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"
dst=itest_reset_cmd

cat >migrate.sh <<'SH'
#!/bin/sh
set -e
case $DATABASE_URL in postgresql://*) ;; *) echo "DATABASE_URL is not a URI: $DATABASE_URL" >&2; exit 9 ;; esac
psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -c "CREATE TABLE users (id int PRIMARY KEY, note text)"
echo "migrated $PGDATABASE"
SH
cat >seed.sh <<'SH'
#!/bin/sh
set -e
psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" \
     -c "INSERT INTO users SELECT g, 'seed $SEED_RNG_SEED' FROM generate_series(1, $SEED_USERS_COUNT) g"
SH
chmod +x migrate.sh seed.sh
cat >db-tools.json <<JSON
{"migrations": {"command": "$T/migrate.sh"},
 "seeds": {"command": "$T/seed.sh", "counts": {"users": 7}, "rng_seed": 3},
 "cache_size": 0}
JSON

fresh_db "$dst"
psql_q "$dst" "CREATE TABLE keep (v text); INSERT INTO keep VALUES ('precious')"
assert_status 0 run_tool db-reset -d "$dst" -y -c users=9
grep -q "migrated ${dst}__restoring_" "$T/last.err" || die "the migrate command's output is not shown: $(cat "$T/last.err")"
assert_eq 9 "$(psql_q "$dst" 'SELECT count(*) FROM users')" "rows the seed command made"
assert_eq "seed 3" "$(psql_q "$dst" 'SELECT DISTINCT note FROM users')" "SEED_RNG_SEED in the command's environment"

before=$(psql_q "$dst" 'SELECT count(*) FROM users')
printf '#!/bin/sh\necho "boom" >&2\nexit 5\n' >seed.sh
assert_status 1 run_tool db-reset -d "$dst" -y
grep -q 'seed command failed with exit status 5' "$T/last.err" || die "the failing command is not named: $(cat "$T/last.err")"
grep -q 'boom' "$T/last.err" || die "the command's error output is not shown"
assert_eq "$before" "$(psql_q "$dst" 'SELECT count(*) FROM users')" "target after a failing seed command"
assert_eq "" "$(psql_q postgres "SELECT datname FROM pg_database WHERE datname LIKE '${dst}\_\_restoring\_%'")" "leftovers"
