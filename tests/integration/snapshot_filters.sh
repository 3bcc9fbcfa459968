#!/usr/bin/env bash
# snapshot_filters.sh: db-snapshot's -t, -T, -n, -N, --exclude-table-data and -b, with
# pg_dump's patterns and meanings, and their restores. On Pagila: -T of a partition and
# --exclude-table-data of two tables (a bracket pattern) restore to the expected database
# (the left-out table absent, the data-excluded ones defined but empty, every other table
# and sequence as in the source, the schema as pg_dump writes it for the same options),
# through the archive and through the cached template; the meta records the filters, the
# restore's plan and --list show them. On a fixture with three schemas: -n, -N and -t
# with quoted, wildcard and schema-qualified patterns; large objects left out by -t/-n
# unless -b; a -t or -n pattern matching nothing is exit 2 and names it, a -T matching
# nothing a warning; malformed patterns are exit 2; foreign keys to a table left out are
# left out with a warning, and a view over one is named (its restore fails, the target
# untouched).
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot

unset DB_TOOLS_CONFIG DATABASE_URL
# templates of this test stay while it runs, whatever other tests keep meanwhile
echo '{"cache_size": 50}' >"$T/db-tools.json"
export DB_TOOLS_CONFIG=$T/db-tools.json
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"
# A private cache bound, so that other tests' templates cannot evict ours.
echo '{"cache_size": 50}' >"$T/db-tools.json"

# schema_of DB [PG_DUMP ARGS...]: the schema as pg_dump writes it, without comments.
schema_of() {
    local db=$1
    shift
    pg_dump --schema-only --no-owner --no-privileges "$@" -d "$db" |
        grep -v -e '^--' -e '^$' -e '^\\restrict' -e '^\\unrestrict' || true
}

# tables_of DB: every table of the database, schema-qualified, sorted.
tables_of() {
    psql_q "$1" "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
                  ORDER BY 1"
}

# meta_tables META: the tables the meta lists, as tables_of prints them.
meta_tables() {
    meta_get "$1" '.tables[] | .schema + "." + .name' | LC_ALL=C sort
}

# archive_of: the archive db-snapshot printed (the last line of its stdout).
archive_of() {
    tail -n 1 "$T/last.out"
}

# ---------------------------------------------------------------- Pagila

src=itest_sfilt_pagila
dst=itest_sfilt_pagila_copy
dst2=itest_sfilt_pagila_copy2
fresh_db "$src"
load_pagila "$src" >/dev/null || die "could not load Pagila into $src"
dir=$T/b-pagila
mkdir -p "$dir"
forget_templates "$dir"

# a partition left out; two tables' rows left out (a bracket expression, as psql's patterns allow)
assert_status 0 snap -d "$src" -o "$dir" -T 'public.payment_p2022_07' \
    --exclude-table-data 'film_actor' --exclude-table-data 'public.payment_p2022_0[12]' pagila
archive=$(archive_of)
meta=${archive%.tar}.meta
grep -q 'filters   -T public.payment_p2022_07, --exclude-table-data film_actor, --exclude-table-data' "$T/last.err" ||
    die "the snapshot's summary does not show the filters: $(grep filters "$T/last.err")"
grep -q '(3 tables without data)' "$T/last.err" || die "summary: $(grep filters "$T/last.err")"

# the meta: the filters as given, the data-excluded tables without members
assert_eq '["public.payment_p2022_07"]' "$(jq -c '.filters.exclude_table' "$meta")" "filters.exclude_table"
assert_eq '["film_actor","public.payment_p2022_0[12]"]' "$(jq -c '.filters.exclude_table_data' "$meta")" \
    "filters.exclude_table_data"
assert_eq '[]' "$(jq -c '.filters.table' "$meta")" "filters.table"
assert_eq false "$(meta_get "$meta" '.filters.large_objects')" "filters.large_objects"
assert_eq "public.film_actor public.payment_p2022_01 public.payment_p2022_02" \
    "$(meta_get "$meta" '[.tables[] | select(.data_excluded) | .schema + "." + .name] | sort | join(" ")')" \
    "data-excluded tables in the meta"
assert_eq 0 "$(meta_get "$meta" '[.tables[] | select(.data_excluded) | .members[]] | length')" \
    "members of the data-excluded tables"
assert_eq 0 "$(meta_get "$meta" '[.tables[] | select(.name == "payment_p2022_07")] | length')" \
    "the left-out partition in the meta"
tar -tf "$archive" | grep -q -e 'film_actor' -e 'payment_p2022_0[127]' &&
    die "the archive holds data of a table it leaves out: $(tar -tf "$archive" | grep -e film_actor -e 'payment_p2022_0[127]')"
assert_status 0 restore --verify "$archive"

# listing: a mark by default, the filters with -v, and in --json
assert_status 0 snap -o "$dir" --list
grep -q '^pagila .* [0-9][0-9]*\* ' "$T/last.out" || die "--list does not mark the filtered snapshot: $(cat "$T/last.out")"
grep -q '^\* filtered' "$T/last.out" || die "--list does not explain its mark"
assert_status 0 snap -o "$dir" --list -v
grep -q 'filters: -T public.payment_p2022_07, --exclude-table-data film_actor' "$T/last.out" ||
    die "--list -v does not show the filters: $(cat "$T/last.out")"
assert_status 0 snap -o "$dir" --list --json
assert_eq '["public.payment_p2022_07"]' "$(jq -c '.[0].filters.exclude_table' "$T/last.out")" "--list --json filters"
assert_eq 3 "$(jq -r '.[0].data_excluded_tables' "$T/last.out")" "--list --json data_excluded_tables"

# expected: the source's tables without the partition; its rows, but none in the data-excluded tables
data_fingerprint "$src" | grep -v '^public\.payment_p2022_07|' |
    sed -e 's/^\(public\.film_actor\)|.*/\1|0|d41d8cd98f00b204e9800998ecf8427e/' \
        -e 's/^\(public\.payment_p2022_0[12]\)|.*/\1|0|d41d8cd98f00b204e9800998ecf8427e/' >"$T/pagila.expected"
schema_of "$src" -T public.payment_p2022_07 >"$T/pagila.schema.expected"
[ "$(grep -c 'public.film_actor' "$T/pagila.schema.expected")" -gt 2 ] || die "expected schema too small"

# 1. from the archive, into a target that exists; the plan names the filters
fresh_db "$dst"
assert_status 0 restore -d "$dst" -y --json "$archive"
assert_eq false "$(jq -r .from_cache "$T/last.out")" "first restore reads the archive"
grep -q '^filters   -T public.payment_p2022_07, --exclude-table-data film_actor, --exclude-table-data .public.payment_p2022_0\[12\]. (public.film_actor, public.payment_p2022_01, public.payment_p2022_02 are restored empty)$' "$T/last.err" ||
    die "the restore's plan does not show the filters: $(grep -i filter "$T/last.err")"
data_fingerprint "$dst" >"$T/pagila.dst"
diff -u "$T/pagila.expected" "$T/pagila.dst" >&2 || die "Pagila: the restored data is not the filtered source"
schema_of "$dst" >"$T/pagila.schema.dst"
diff -u "$T/pagila.schema.expected" "$T/pagila.schema.dst" >&2 ||
    die "Pagila: the restored schema is not pg_dump's for the same filters"
# the data-excluded table: defined as in the source (columns, keys, indexes, constraints), empty
schema_of "$src" -t public.film_actor >"$T/fa.src"
schema_of "$dst" -t public.film_actor >"$T/fa.dst"
grep -q 'PRIMARY KEY' "$T/fa.src" && grep -q 'CREATE INDEX' "$T/fa.src" && grep -q 'FOREIGN KEY' "$T/fa.src" ||
    die "film_actor has not the keys and indexes this test expects"
diff -u "$T/fa.src" "$T/fa.dst" >&2 || die "film_actor is not defined as in the source"
assert_eq 0 "$(psql_q "$dst" 'SELECT count(*) FROM public.film_actor')" "rows of film_actor"

# 2. from the cached template (its key is the SHA-256 of meta.json, filters included)
assert_eq 1 "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname = '$(template_name "$meta")'")" \
    "the template kept for the filtered archive"
fresh_db "$dst2"
assert_status 0 restore -d "$dst2" -y --json "$archive"
# other tests' restores on this server may evict it meanwhile (the cache is the role's, its
# least recently used go); then this restore made it again
if [ "$(jq -r .from_cache "$T/last.out")" != true ]; then
    assert_eq true "$(jq -r .cached "$T/last.out")" "a restore that found no template keeps one"
    note "the template was evicted by another test's restore meanwhile, and made again"
fi
grep -q '^filters   -T public.payment_p2022_07' "$T/last.err" || die "the plan of a cached restore shows no filters"
data_fingerprint "$dst2" >"$T/pagila.dst2"
diff -u "$T/pagila.expected" "$T/pagila.dst2" >&2 || die "Pagila: the database cloned from the template differs"
note "Pagila: -T and --exclude-table-data restore as expected, from the archive and the cache"

# ---------------------------------------------------------------- a fixture with three schemas

fix=itest_sfilt_fixture
out=itest_sfilt_out
fresh_db "$fix"
psql -X -q -v ON_ERROR_STOP=1 -1 -d "$fix" >/dev/null <<'EOF' || die "could not load the fixture"
CREATE SCHEMA app;
CREATE SCHEMA "Audit Trail";
CREATE TABLE public.users (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.orders (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES public.users, total numeric);
CREATE INDEX orders_user_idx ON public.orders (user_id);
CREATE TABLE public.events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text, payload jsonb);
CREATE INDEX events_kind_idx ON public.events (kind);
CREATE TABLE public.audit_log (id bigserial PRIMARY KEY, msg text);
CREATE SEQUENCE public.free_counter START 100;
CREATE VIEW public.order_totals AS SELECT user_id, sum(total) AS total FROM public.orders GROUP BY user_id;
CREATE TABLE app.settings (k text PRIMARY KEY, v text);
CREATE TABLE app.jobs (id serial PRIMARY KEY, done boolean DEFAULT false);
CREATE TABLE app."Mixed$Name" (x int);
CREATE TABLE "Audit Trail".entries (id int, user_id int REFERENCES public.users);
CREATE TABLE public.schema_migrations (version text PRIMARY KEY);
INSERT INTO public.schema_migrations VALUES ('20261101120000'), ('20261201090000');
INSERT INTO public.users (name) SELECT 'user ' || g FROM generate_series(1, 20) g;
INSERT INTO public.orders (user_id, total) SELECT 1 + g % 20, g FROM generate_series(1, 50) g;
INSERT INTO public.events (kind, payload) SELECT 'k' || g % 3, jsonb_build_object('g', g) FROM generate_series(1, 40) g;
INSERT INTO public.audit_log (msg) SELECT 'did ' || g FROM generate_series(1, 30) g;
SELECT nextval('public.free_counter'), nextval('public.free_counter');
INSERT INTO app.settings VALUES ('a', '1'), ('b', '2');
INSERT INTO app.jobs (done) SELECT g % 2 = 0 FROM generate_series(1, 7) g;
INSERT INTO app."Mixed$Name" VALUES (1), (2), (3);
INSERT INTO "Audit Trail".entries SELECT g, 1 + g % 20 FROM generate_series(1, 5) g;
SELECT lo_from_bytea(0, 'a large object');
EOF
fdir=$T/b-fix
mkdir -p "$fdir"
forget_templates "$fdir"

# snap_meta NAME ARGS...: a snapshot of the fixture with ARGS; its archive in $archive, meta in $meta.
snap_meta() {
    local name=$1
    shift
    assert_status 0 snap -d "$fix" -o "$fdir" "$@" "$name"
    archive=$(archive_of)
    meta=${archive%.tar}.meta
}

# -T and --exclude-table-data on the fixture: audit_log gone, events empty
snap_meta audit -T audit_log --exclude-table-data events
fresh_db "$out"
assert_status 0 restore -d "$out" -y "$archive"
grep -q '^filters   -T audit_log, --exclude-table-data events (public.events is restored empty)$' "$T/last.err" ||
    die "plan: $(grep filters "$T/last.err")"
assert_eq "$(tables_of "$fix" | grep -v '^public.audit_log$')" "$(tables_of "$out")" "tables after -T audit_log"
# its serial sequence stays, as pg_dump keeps it (without OWNED BY), with its value
assert_eq "$(psql_q "$fix" 'SELECT last_value FROM public.audit_log_id_seq')" \
    "$(psql_q "$out" 'SELECT last_value FROM public.audit_log_id_seq')" "audit_log's sequence"
assert_eq 0 "$(psql_q "$out" 'SELECT count(*) FROM public.events')" "rows of events"
assert_eq 40 "$(psql_q "$fix" 'SELECT count(*) FROM public.events')" "rows of events in the source"
# the sequence of a data-excluded table keeps its value, as with pg_dump (--exclude-table-data of the
# sequence itself would leave its value out)
assert_eq "$(psql_q "$fix" 'SELECT last_value, is_called FROM public.events_id_seq')" \
    "$(psql_q "$out" 'SELECT last_value, is_called FROM public.events_id_seq')" "events' sequence"
assert_eq "$(schema_of "$fix" -t public.events)" "$(schema_of "$out" -t public.events)" "definition of events"
data_fingerprint "$fix" | grep -v -e '^public\.audit_log|' -e '^public\.events|' >"$T/fix.expected"
data_fingerprint "$out" | grep -v -e '^public\.events|' >"$T/fix.dst"
diff -u "$T/fix.expected" "$T/fix.dst" >&2 || die "fixture: the other tables differ after -T audit_log"
assert_eq 1 "$(psql_q "$out" 'SELECT count(*) FROM pg_largeobject_metadata')" "large objects without -t/-n"

# -n app: only that schema; large objects left out, as pg_dump does with -n ...
snap_meta app -n app
assert_eq "app.Mixed\$Name app.jobs app.settings" "$(meta_tables "$meta" | tr '\n' ' ' | sed 's/ $//')" "tables of -n app"
assert_eq "app.jobs_id_seq" "$(meta_get "$meta" '.sequences[] | .schema + "." + .name')" "sequences of -n app"
assert_eq 0 "$(meta_get "$meta" '.large_objects | length')" "large objects with -n"
fresh_db "$out"
assert_status 0 restore -d "$out" -y "$archive"
assert_eq "$(meta_tables "$meta")" "$(tables_of "$out")" "tables restored from -n app"
assert_eq "$(data_fingerprint "$fix" | grep '^app\.')" "$(data_fingerprint "$out" | grep '^app\.')" "data of -n app"
# ... unless -b
snap_meta appb -n app -b
assert_eq 1 "$(meta_get "$meta" '.large_objects | length')" "large objects with -n and -b"
assert_eq true "$(meta_get "$meta" '.filters.large_objects')" "-b in the meta"

# -n public: its CREATE SCHEMA is left out (every database has public), so it restores
snap_meta pub -n public
grep -q 'CREATE SCHEMA public' <(tar -xOf "$archive" schema/pre-data.sql) && die "-n public: CREATE SCHEMA public is in pre-data"
fresh_db "$out"
assert_status 0 restore -d "$out" -y "$archive"
assert_eq "$(tables_of "$fix" | grep '^public\.')" "$(tables_of "$out")" "tables restored from -n public"

# -N: the other schemas; a quoted schema name with a space, and a wildcard
snap_meta noapp -N 'a*' -N '"Audit Trail"'
assert_eq "$(tables_of "$fix" | grep '^public\.')" "$(meta_tables "$meta")" "tables of -N 'a*' -N '\"Audit Trail\"'"
# -n of a quoted schema: its foreign key to public.users, not in the snapshot, is left out, with a warning
snap_meta trail -n '"Audit Trail"'
grep -q 'warning: foreign key "entries_user_id_fkey" of Audit Trail.entries references public.users, which is not in the snapshot: the constraint is left out' "$T/last.err" ||
    die "-n '\"Audit Trail\"': no warning about the foreign key: $(cat "$T/last.err")"
fresh_db "$out"
assert_status 0 restore -d "$out" -y "$archive"
assert_eq "Audit Trail.entries" "$(tables_of "$out")" "tables restored from -n '\"Audit Trail\"'"
assert_eq 5 "$(psql_q "$out" 'SELECT count(*) FROM "Audit Trail".entries')" "rows of entries"

# -t: tables by name, wildcard and schema (no schema of its own is created: public only),
# their owned sequences with them; -n and -N then have no effect on tables, as in pg_dump
snap_meta some -t users -t 'ORDER?' -t 'public.ord*' -N public
assert_eq "public.orders public.users" "$(meta_tables "$meta" | tr '\n' ' ' | sed 's/ $//')" "tables of -t"
assert_eq "public.orders_id_seq public.users_id_seq" \
    "$(meta_get "$meta" '[.sequences[] | .schema + "." + .name] | join(" ")')" "sequences of -t"
assert_eq 0 "$(meta_get "$meta" '.large_objects | length')" "large objects with -t"
fresh_db "$out"
assert_status 0 restore -d "$out" -y "$archive"
assert_eq "public.orders public.users" "$(tables_of "$out" | tr '\n' ' ' | sed 's/ $//')" "tables restored from -t"
assert_eq "$(data_fingerprint "$fix" | grep -e '^public\.users' -e '^public\.orders')" \
    "$(data_fingerprint "$out" | grep -e '^public\.users' -e '^public\.orders')" "data restored from -t"
assert_eq 1 "$(psql_q "$out" "SELECT count(*) FROM pg_constraint WHERE conname = 'orders_user_id_fkey'")" \
    "the foreign key between two tables of the snapshot"
# a quoted, schema-qualified pattern with a '$' (always literal); the schema is not created: a warning
snap_meta mixed -t 'app."Mixed$Name"'
assert_eq 'app.Mixed$Name' "$(meta_tables "$meta")" "-t 'app.\"Mixed\$Name\"'"
grep -q 'warning: schema "app" is not in the snapshot' "$T/last.err" || die "-t app.x: no warning about schema app"
# database.schema.table, of this database
snap_meta qualified -t "$fix.app.settings"
assert_eq "app.settings" "$(meta_tables "$meta")" "-t DATABASE.app.settings"

# -T of a referenced table: the foreign keys to it are left out (warned), the rest restores
snap_meta nousers -T users
for c in orders_user_id_fkey entries_user_id_fkey; do
    grep -q "warning: foreign key \"$c\" of .* references public.users, which is not in the snapshot" "$T/last.err" ||
        die "-T users: no warning about $c: $(cat "$T/last.err")"
done
fresh_db "$out"
assert_status 0 restore -d "$out" -y "$archive"
assert_eq "$(tables_of "$fix" | grep -v '^public.users$')" "$(tables_of "$out")" "tables after -T users"
assert_eq 0 "$(psql_q "$out" "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")" "foreign keys after -T users"
assert_eq 50 "$(psql_q "$out" 'SELECT count(*) FROM public.orders')" "rows of orders after -T users"

# -T of a table a view uses: the view is named; restoring it fails as pg_dump's output would,
# and the target stays as it was
snap_meta noorders -T orders
grep -q 'warning: view public.order_totals uses public.orders, which is not in the snapshot' "$T/last.err" ||
    die "-T orders: no warning about the view: $(cat "$T/last.err")"
grep -q "hint: leave the view out too (-T 'public.order_totals')" "$T/last.err" || die "-T orders: no hint"
fresh_db "$out"
psql_q "$out" 'CREATE TABLE keep_me (x int); INSERT INTO keep_me VALUES (42)'
assert_status 1 restore -d "$out" -y "$archive"
assert_eq 42 "$(psql_q "$out" 'SELECT x FROM keep_me')" "the target after a failed restore"
snap_meta noorders2 -T orders -T order_totals
fresh_db "$out"
assert_status 0 restore -d "$out" -y "$archive"

# patterns that match nothing: -t and -n fail (exit 2, naming them, nothing written); -T, -N warn
before=$(find "$fdir" -type f | sort)
assert_status 2 snap -d "$fix" -o "$fdir" -t users -t 'nosuch*' nothing
grep -q 'error: -t "nosuch\*" matches no table' "$T/last.err" || die "-t nosuch*: $(cat "$T/last.err")"
grep -q '"users"' "$T/last.err" && die "-t users matches, yet it is named: $(cat "$T/last.err")"
assert_status 2 snap -d "$fix" -o "$fdir" -n Nope nothing
grep -q 'error: -n "Nope" matches no schema' "$T/last.err" || die "-n Nope: $(cat "$T/last.err")"
# case folds as in SQL: "Users" is users, "\"Users\"" is not
assert_status 2 snap -d "$fix" -o "$fdir" -t '"Users"' nothing
assert_eq "$before" "$(find "$fdir" -type f | sort)" "files after refused snapshots"
snap_meta warned -t Users -T nosuch -N nosuch --exclude-table-data nosuch
for o in '-T "nosuch" matches no table' '-N "nosuch" matches no schema' '--exclude-table-data "nosuch" matches no table'; do
    grep -q -F -- "warning: $o" "$T/last.err" || die "no warning: $o: $(cat "$T/last.err")"
done

# malformed patterns, and the filters outside a snapshot: usage errors
before=$(find "$fdir" -type f | sort)
assert_status 2 snap -d "$fix" -o "$fdir" -t a.b.c.d nothing
grep -q 'too many dotted names' "$T/last.err" || die "a.b.c.d: $(cat "$T/last.err")"
assert_status 2 snap -d "$fix" -o "$fdir" -t otherdb.public.users nothing
grep -q 'cross-database references are not implemented' "$T/last.err" || die "otherdb: $(cat "$T/last.err")"
assert_status 2 snap -d "$fix" -o "$fdir" -n app.x nothing
assert_status 2 snap -d "$fix" -o "$fdir" -t '' nothing
assert_status 2 snap -o "$fdir" --prune --keep 1 -n app
grep -q 'hint: -n is --schema' "$T/last.err" || die "--prune -n: $(cat "$T/last.err")"
assert_status 2 snap -o "$fdir" --list -T users
assert_eq "$before" "$(find "$fdir" -type f | sort)" "files after refused snapshots"

# an unfiltered snapshot records no filters (-b alone changes nothing), and the migration head
snap_meta whole -b
assert_eq null "$(meta_get "$meta" '.filters')" "filters of an unfiltered snapshot"
assert_eq 0 "$(meta_get "$meta" '[.tables[] | select(has("data_excluded"))] | length')" "data_excluded without filters"
assert_eq 20261201090000 "$(meta_get "$meta" '.migration.head')" "migration head of an unfiltered snapshot"
# a migration head is recorded only with its table and its rows
snap_meta nomig --exclude-table-data schema_migrations
assert_eq null "$(meta_get "$meta" '.migration')" "migration head without the tracking table's rows"
snap_meta withmig -N app
assert_eq 20261201090000 "$(meta_get "$meta" '.migration.head')" "migration head with the tracking table"

note "filters checked on Pagila and the fixture"
