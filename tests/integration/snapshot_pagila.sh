#!/usr/bin/env bash
# snapshot_pagila.sh: db-snapshot of the Pagila sample database with three
# workers and gzip level 6. Every table's members are checked against COPY of
# the source, the table set against the catalog, the totals, the sequences
# and the large objects (none).
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/check_archive.sh"
require_snapshot

db=itest_pagila
dir=$T/b

unset DB_TOOLS_CONFIG DATABASE_URL
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"

fresh_db "$db"
load_pagila "$db" || die "could not load Pagila into $db"

mkdir -p "$dir"
assert_status 0 snap -d "$db" -o "$dir" -j 3 -Z 6 pagila

shopt -s nullglob
tars=("$dir"/*_pagila.tar)
metas=("$dir"/*_pagila.meta)
partials=("$dir"/*.partial "$dir"/.*.partial)
shopt -u nullglob
assert_eq 1 "${#tars[@]}" "number of .tar files in $dir"
assert_eq 1 "${#metas[@]}" "number of .meta files in $dir"
assert_eq 0 "${#partials[@]}" "number of .partial files left in $dir"
tar=${tars[0]}
meta=${metas[0]}
assert_eq "${tar%.tar}" "${meta%.meta}" "archive and sidecar names"

tar -xOf "$tar" meta.json | cmp - "$meta" || die "meta.json member differs from ${meta##*/}"
assert_eq 3 "$(meta_get "$meta" .format_version)" "format_version"
assert_eq "$db" "$(meta_get "$meta" .source.database)" "source.database"
assert_eq gzip "$(meta_get "$meta" .codec)" "codec"
assert_eq 6 "$(meta_get "$meta" .compression_level)" "compression_level (-Z 6)"

check_archive "$db" "$tar" "$meta"

# The totals against the catalog and the per-table rows.
catalog_tables=$(psql_q "$db" "SELECT count(*) FROM pg_catalog.pg_class c
                                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                                WHERE c.relkind = 'r'
                                  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                                  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'")
assert_eq "$catalog_tables" "$(meta_get "$meta" '.tables | length')" "number of tables in the meta"
assert_eq "$catalog_tables" "$(meta_get "$meta" .totals.tables)" "totals.tables"
assert_eq "$(meta_get "$meta" '[.tables[].rows] | add')" "$(meta_get "$meta" .totals.rows)" "totals.rows"

# Row counts as Pagila ships them, through the partitions of payment.
for t in actor:200 film:1000 customer:599 rental:16044 inventory:4581; do
    assert_eq "${t#*:}" "$(meta_get "$meta" ".tables[] | select(.schema == \"public\" and .name == \"${t%%:*}\") | .rows")" \
        "rows of public.${t%%:*}"
done
payment_rows=$(psql_q "$db" 'SELECT count(*) FROM public.payment')
assert_eq "$payment_rows" "$(meta_get "$meta" '[.tables[] | select(.schema == "public" and (.name | startswith("payment_p"))) | .rows] | add')" \
    "rows of the partitions of public.payment"
assert_eq 0 "$(meta_get "$meta" '[.tables[] | select(.schema == "public" and .name == "payment")] | length')" \
    "partitioned public.payment in the meta"

note "snapshot of Pagila checked: ${tar##*/}"
