#!/usr/bin/env bash
# cross_version.sh: archives made on every server a pg_dump here can read (13, 14 and 15 with
# Debian's pg_dump 15), of Pagila and of the pitfalls fixture, restored into every server of
# the matrix (15 and DB_TOOLS_TEST_VERSIONS: 13 to 18), from the archive and then from the
# cache.  Into a server as new as the source or newer, the restored database has the source's
# data (rows, sequences, large objects) and schema (as the catalog describes it).  Into an
# older server the plan warns first, naming both versions; the restore then either succeeds
# with the same data or fails with the target as it was and nothing left behind.  A snapshot
# of a server newer than every pg_dump here is refused, naming the pg_dumps it found.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

unset DB_TOOLS_CONFIG DATABASE_URL
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"
echo '{"cache_size": 50}' >"$T/db-tools.json"

versions=$(printf '%s\n' 15 ${DB_TOOLS_TEST_VERSIONS:-} | sort -n -u | tr '\n' ' ')
[ "$versions" != "15 " ] || skip "DB_TOOLS_TEST_VERSIONS names no other server"
src=itest_xv_src
dst=itest_xv_dst

# Every server: its databases of this test and its templates of our archives are dropped at exit.
cleanup_all() {
    local v
    for v in $versions; do
        (
            use_sandbox "$v"
            drop_templates_of "$T/a"
            for db in "$src" "$dst"; do
                psql -X -q -v db="$db" -d postgres <<'EOF'
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) FROM pg_database
 WHERE datname = :'db' OR datname LIKE :'db' || '\_\_%'
\gexec
EOF
            done
        ) >/dev/null 2>&1
    done
}
on_exit cleanup_all

mkdir -p "$T/a" "$T/fp"
sources=()
for v in $versions; do
    use_sandbox "$v"
    if ! have_snapshot; then
        # the refusal says which pg_dump it found, and why that one will not do
        assert_status 1 snap -q -d postgres -o "$T/none" "pg$v"
        grep -q "error: no pg_dump for PostgreSQL $v found" "$T/last.err" &&
            grep -q "detail: found only older ones: .*(15\.[0-9]*)" "$T/last.err" &&
            grep -q "hint: install postgresql-client-$v" "$T/last.err" ||
            die "PostgreSQL $v without a pg_dump for it: $(cat "$T/last.err")"
        [ ! -e "$T/none" ] || [ -z "$(ls -A "$T/none")" ] || die "PostgreSQL $v: files left by a refused snapshot"
        continue
    fi
    for what in pagila fixture; do
        psql -X -q -v db="$src" -d postgres >/dev/null <<'EOF' || die "could not make $src on $v"
SET client_min_messages = warning;
DROP DATABASE IF EXISTS :"db" WITH (FORCE);
CREATE DATABASE :"db";
EOF
        if [ "$what" = pagila ]; then
            load_pagila "$src" >/dev/null
        else
            psql -X -q -v ON_ERROR_STOP=1 -1 -d "$src" -f "$here/../fixtures/pitfalls.sql" >/dev/null ||
                die "could not load the fixture on PostgreSQL $v"
        fi
        assert_status 0 snap -q -d "$src" -o "$T/a" "pg$v-$what"
        mv "$(cat "$T/last.out")" "$T/a/pg$v-$what.tar"
        mv "$T/a/"*"_pg$v-$what.meta" "$T/a/pg$v-$what.meta"
        data_fingerprint "$src" >"$T/fp/pg$v-$what.data"
        catalog_fingerprint "$src" >"$T/fp/pg$v-$what.catalog"
        [ "$(grep -c . "$T/fp/pg$v-$what.data")" -gt 10 ] || die "pg$v-$what: fingerprint too small"
    done
    sources+=("$v")
done
[ ${#sources[@]} -gt 0 ] || die "no server here can be snapshotted"
note "archives from PostgreSQL ${sources[*]}, restored into $versions"

results=()
for v in $versions; do
    use_sandbox "$v"
    for s in "${sources[@]}"; do
        for what in pagila fixture; do
            archive=$T/a/pg$s-$what.tar
            label="pg$s $what -> pg$v"
            for how in archive cache; do
                # a target that exists, with a marker that only the restore may remove
                psql -X -q -v db="$dst" -d postgres >/dev/null <<'EOF'
SET client_min_messages = warning;
DROP DATABASE IF EXISTS :"db" WITH (FORCE);
CREATE DATABASE :"db";
EOF
                psql_q "$dst" "CREATE TABLE marker (v text); INSERT INTO marker VALUES ('old')"
                status=0
                restore -y -d "$dst" --keep-previous=0 --progress=never --json "$archive" \
                    >"$T/out.json" 2>"$T/err" || status=$?
                if grep -a 'error:' "$T/err" >/dev/null && [ "$status" = 0 ]; then
                    die "$label ($how): a successful restore printed an error: $(cat "$T/err")"
                fi
                if [ "$s" -gt "$v" ]; then
                    grep -q "warning: this snapshot comes from PostgreSQL $s, and the target server runs $v" "$T/err" ||
                        die "$label: no warning about the older server: $(cat "$T/err")"
                fi
                if [ "$status" != 0 ]; then
                    [ "$s" -gt "$v" ] || die "$label ($how): restore failed: $(tail -n 5 "$T/err")"
                    assert_eq old "$(psql_q "$dst" 'SELECT v FROM marker')" "$label: target after the failed restore"
                    assert_eq 0 "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE '${dst}\\_\\_%'")" \
                        "$label: databases left behind"
                    results+=("$label: refused by the older server, target untouched")
                    break
                fi
                want_cache=false
                [ "$how" = cache ] && want_cache=true
                assert_eq "$want_cache" "$(jq -r .from_cache "$T/out.json")" "$label ($how): from_cache"
                data_fingerprint "$dst" >"$T/got.data"
                diff -u "$T/fp/pg$s-$what.data" "$T/got.data" >&2 || die "$label ($how): data differs"
                if [ "$s" -le "$v" ]; then
                    catalog_fingerprint "$dst" >"$T/got.catalog"
                    diff -u "$T/fp/pg$s-$what.catalog" "$T/got.catalog" >&2 || die "$label ($how): schema differs"
                    results+=("$label ($how): same schema and data")
                else
                    results+=("$label ($how): same data")
                fi
            done
        done
    done
done
printf '# %s\n' "${results[@]}" >&2
echo "ok: ${#results[@]} restores"
