#!/usr/bin/env bash
# snapshot_fixture.sh: db-snapshot of tests/fixtures/pitfalls.sql (quoted
# identifiers, every common type, COPY escaping traps, generated and identity
# columns, sequences, partitions, inheritance, zero-column tables, large
# objects, TOASTed values, ...). Checks the files written, the archive
# members against the meta, every table against COPY of the source, the
# sequences and the large objects, and the schema sections.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/check_archive.sh"
require_snapshot

fixture=$here/../fixtures/pitfalls.sql
db=itest_fixture
dir=$T/b

# No configuration file, DATABASE_URL or git work tree may change the
# defaults under test.
unset DB_TOOLS_CONFIG DATABASE_URL
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"

fresh_db "$db"
psql -X -q -v ON_ERROR_STOP=1 -1 -d "$db" -f "$fixture" >/dev/null ||
    die "could not load $fixture into $db"

mkdir -p "$dir"
before=$(date -u +%Y%m%d%H%M%S)
assert_status 0 snap -d "$db" -o "$dir" fixture
after=$(date -u +%Y%m%d%H%M%S)

# --- files: one .tar and one .meta, same stamp, mode 600, nothing else ------
shopt -s nullglob
tars=("$dir"/*.tar)
metas=("$dir"/*.meta)
partials=("$dir"/*.partial "$dir"/.*.partial)
entries=("$dir"/* "$dir"/.[!.]*)
shopt -u nullglob
assert_eq 1 "${#tars[@]}" "number of .tar files in $dir"
assert_eq 1 "${#metas[@]}" "number of .meta files in $dir"
assert_eq 0 "${#partials[@]}" "number of .partial files left in $dir"
assert_eq 2 "${#entries[@]}" "number of entries in $dir (${entries[*]##*/})"

tar=${tars[0]}
meta=${metas[0]}
stem=${tar##*/}
stem=${stem%.tar}
[[ $stem =~ ^([0-9]{8})-([0-9]{6})_fixture$ ]] || die "archive name \"${tar##*/}\" is not YYYYMMDD-HHMMSS_fixture.tar"
stamp=${BASH_REMATCH[1]}${BASH_REMATCH[2]}
assert_eq "$stem.meta" "${meta##*/}" "sidecar name"
((10#$stamp >= 10#$before && 10#$stamp <= 10#$after)) ||
    die "archive stamp $stamp (UTC) is not between $before and $after"
assert_eq 600 "$(stat -c %a "$tar")" "mode of ${tar##*/}"
assert_eq 600 "$(stat -c %a "$meta")" "mode of ${meta##*/}"

# --- the tar is readable and meta.json is the sidecar -----------------------
tar -tf "$tar" >"$T/members" || die "tar tf ${tar##*/} failed"
tar -xOf "$tar" meta.json >"$T/meta.json" || die "no meta.json in ${tar##*/}"
cmp "$T/meta.json" "$meta" || die "meta.json member differs from ${meta##*/}"
jq -e . "$meta" >/dev/null || die "${meta##*/} is not valid JSON"

# --- meta header ------------------------------------------------------------
assert_eq db-tools-snapshot "$(meta_get "$meta" .format)" "format"
assert_eq 3 "$(meta_get "$meta" .format_version)" "format_version"
assert_eq fixture "$(meta_get "$meta" .name)" "name"
assert_eq "$db" "$(meta_get "$meta" .source.database)" "source.database"
assert_eq gzip "$(meta_get "$meta" .codec)" "codec"
assert_eq 1 "$(meta_get "$meta" .compression_level)" "compression_level (default)"
assert_eq null "$(meta_get "$meta" .git)" "git (not run inside a work tree)"
assert_eq null "$(meta_get "$meta" .migration)" "migration (no tracking table)"
assert_eq "$(psql_q "$db" 'SHOW server_version_num')" "$(meta_get "$meta" .server_version_num)" "server_version_num"
server_version=$(psql_q "$db" 'SHOW server_version')
assert_eq "${server_version%% *}" "$(meta_get "$meta" .server_version)" "server_version"
assert_eq "$(psql_q "$db" 'SHOW server_encoding')" "$(meta_get "$meta" .encoding)" "encoding"
tool_version=$(meta_get "$meta" .tool_version)
[[ $tool_version =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || die "tool_version \"$tool_version\""
version_text=$(snap --version) || die "db-snapshot --version failed"
[[ $version_text == *"$tool_version"* ]] || die "db-snapshot --version (\"$version_text\") does not mention $tool_version"
[[ $(meta_get "$meta" .pg_dump_version) =~ ^[0-9]+(\.[0-9]+)? ]] || die "pg_dump_version \"$(meta_get "$meta" .pg_dump_version)\""
[[ $(meta_get "$meta" .duration_seconds) =~ ^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]] ||
    die "duration_seconds \"$(meta_get "$meta" .duration_seconds)\""
created=$(meta_get "$meta" .created_at)
[[ $created =~ ^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z$ ]] ||
    die "created_at \"$created\" is not YYYY-MM-DDTHH:MM:SSZ"
created=$(printf '%s' "${BASH_REMATCH[@]:1}")
((10#$created >= 10#$before && 10#$created <= 10#$after)) ||
    die "created_at $created is not between $before and $after"

# --- never a password -------------------------------------------------------
if grep -qi 'passw' "$meta"; then
    die "${meta##*/} mentions a password: $(grep -i 'passw' "$meta" | head -n 3)"
fi
extra_keys=$(meta_get "$meta" '.source | keys - ["database", "host", "port", "user"] | join(" ")')
assert_eq "" "$extra_keys" "unexpected keys in source"
# A password given in the conninfo must not be recorded either. Only tried
# when the server does not check passwords (the sandbox uses trust).
secret='db-tools-fixture-s3cret'
if psql -X -q -t -d "dbname=$db password=$secret" -c 'SELECT 1' >/dev/null 2>&1; then
    mkdir -p "$T/c"
    assert_status 0 snap -q -d "dbname=$db password=$secret" -o "$T/c" fixture-pw
    for f in "$T"/c/*; do
        if grep -qaF "$secret" "$f"; then
            die "${f##*/} contains the password given with -d"
        fi
    done
    assert_eq "$db" "$(meta_get "$T"/c/*.meta .source.database)" "source.database with a key=value conninfo"
else
    note "server checks passwords: conninfo password test skipped"
fi

# --- members, tables, data, sequences, large objects ------------------------
check_archive "$db" "$tar" "$meta"

# Generated columns are not in COPY column lists, on plain tables and on
# partitions of a partitioned table with one.
for t in order_lines events_click events_null; do
    cols=$(meta_get "$meta" ".tables[] | select(.schema == \"public\" and .name == \"$t\") | .columns | join(\",\")")
    [ -n "$cols" ] || die "public.$t: not in the meta or no columns"
    case ",$cols," in
        *,total,* | *,label_upper,* | *,kind_len,*) die "public.$t: generated column in columns: $cols" ;;
    esac
done
assert_eq "id,qty,unit_price,label" \
    "$(meta_get "$meta" '.tables[] | select(.schema == "public" and .name == "order_lines") | .columns | join(",")')" \
    "columns of public.order_lines"

# Zero-column tables: no column list, one empty line per row.
for t in zero_cols all_columns_dropped; do
    assert_eq "0" "$(meta_get "$meta" ".tables[] | select(.schema == \"public\" and .name == \"$t\") | .columns | length")" \
        "number of columns of public.$t"
done
assert_eq 3 "$(meta_get "$meta" '.tables[] | select(.schema == "public" and .name == "zero_cols") | .rows')" "rows of public.zero_cols"
assert_eq 0 "$(meta_get "$meta" '.tables[] | select(.schema == "public" and .name == "empty_table") | .rows')" "rows of public.empty_table"
assert_eq unlogged "$(meta_get "$meta" '.tables[] | select(.schema == "public" and .name == "unlogged_cache") | .kind')" \
    "kind of public.unlogged_cache"

# Partitioned parents are copied through their leaves only.
for t in measurements measurements_2024 events; do
    assert_eq 0 "$(meta_get "$meta" "[.tables[] | select(.schema == \"public\" and .name == \"$t\")] | length")" \
        "partitioned table public.$t in the meta"
done
assert_eq 0 "$(meta_get "$meta" '[.tables[] | select(.name == "employee_directory" or .name == "measurement_totals" or .name == "Order View")] | length')" \
    "views and materialized views in the meta"

# The sequences the fixture leaves in unusual states.
assert_eq "42 false" "$(meta_get "$meta" '.sequences[] | select(.schema == "public" and .name == "not_called_seq") | "\(.last_value) \(.is_called)"')" \
    "public.not_called_seq"
assert_eq "-19 true" "$(meta_get "$meta" '.sequences[] | select(.schema == "public" and .name == "descending_seq") | "\(.last_value) \(.is_called)"')" \
    "public.descending_seq"
assert_eq 1 "$(meta_get "$meta" '[.sequences[] | select(.schema == "public" and .name == "order_lines_id_seq")] | length')" \
    "identity sequence public.order_lines_id_seq in the meta"
assert_eq 3 "$(meta_get "$meta" '.large_objects | length')" "number of large objects"

# --- schema sections ---------------------------------------------------------
member_text "$tar" schema/pre-data.sql >"$T/pre-data.sql"
member_text "$tar" schema/post-data.sql >"$T/post-data.sql"
for f in pre-data.sql post-data.sql; do
    [ -s "$T/$f" ] || die "schema/$f is empty"
    if grep -Eq '^\\(un)?restrict([[:space:]]|$)' "$T/$f"; then
        die "schema/$f still has a \\restrict or \\unrestrict line"
    fi
    if grep -q '^COPY ' "$T/$f"; then
        die "schema/$f holds table data"
    fi
done
grep -qF 'CREATE TABLE "Mixed Schema"."Order Items" (' "$T/pre-data.sql" ||
    die 'schema/pre-data.sql has no CREATE TABLE "Mixed Schema"."Order Items"'
grep -qF 'CREATE TABLE "user"."table" (' "$T/pre-data.sql" ||
    die 'schema/pre-data.sql has no CREATE TABLE "user"."table"'
grep -qF 'CREATE SEQUENCE public.not_called_seq' "$T/pre-data.sql" ||
    die 'schema/pre-data.sql has no CREATE SEQUENCE public.not_called_seq'
if grep -q 'FOREIGN KEY' "$T/pre-data.sql"; then
    die "schema/pre-data.sql creates foreign keys before the data: $(grep 'FOREIGN KEY' "$T/pre-data.sql" | head -n 3)"
fi
if grep -Eq '^CREATE (TRIGGER|RULE|INDEX|UNIQUE INDEX) ' "$T/pre-data.sql"; then
    die "schema/pre-data.sql creates triggers, rules or indexes before the data"
fi
if [ "$(psql_q "$db" "SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto'")" = 1 ]; then
    grep -qF 'CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA ext;' "$T/pre-data.sql" ||
        die "schema/pre-data.sql does not create pgcrypto in schema ext"
fi

# Every foreign key of the database is created in post-data.
fks=$(psql_q "$db" "SELECT pg_catalog.quote_ident(conname) FROM pg_catalog.pg_constraint
                     WHERE contype = 'f' AND connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
                     ORDER BY 1")
[ "$(printf '%s\n' "$fks" | grep -c .)" -ge 5 ] || die "expected at least 5 foreign keys in $db, found: $fks"
while IFS= read -r fk; do
    grep -qF "ADD CONSTRAINT $fk FOREIGN KEY" "$T/post-data.sql" ||
        die "schema/post-data.sql does not add foreign key $fk"
done <<<"$fks"
for want in 'CREATE TRIGGER audited_audit ' 'CREATE TRIGGER guarded_before_insert ' \
    'CREATE RULE blackhole_ignore_inserts AS' 'CREATE RULE products_log_price AS' \
    'CREATE INDEX employees_lower_name_idx ' 'CREATE UNIQUE INDEX employees_email_per_dept_idx ' \
    'ADD CONSTRAINT legacy_rows_qty_positive CHECK ((qty > 0)) NOT VALID' \
    'REFRESH MATERIALIZED VIEW public.measurement_totals;'; do
    grep -qF "$want" "$T/post-data.sql" || die "schema/post-data.sql has no \"$want\""
done
if grep -qF 'REFRESH MATERIALIZED VIEW public.never_refreshed' "$T/post-data.sql"; then
    die "schema/post-data.sql populates public.never_refreshed, created WITH NO DATA"
fi

note "snapshot of the pitfalls fixture checked: ${tar##*/}"
