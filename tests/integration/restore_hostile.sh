#!/usr/bin/env bash
# restore_hostile.sh: archives written to attack whoever restores them (hostile_gen.sh makes
# them from a sound one: schema SQL pg_dump does not write, broken layouts, lying metas, a
# decompression bomb).  Each one: db-restore --verify and db-restore exit 4 with a message,
# the target is exactly as it was, no database is left behind, nothing ran outside the
# database (no canary file), and no file appeared outside the test's directory.
# --trust-archive lifts the schema check, and only that.  40,000 unlisted members are
# refused within seconds.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/hostile_gen.sh"
require_snapshot

unset DB_TOOLS_CONFIG DATABASE_URL
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"
echo '{"cache_size": 50}' >"$T/db-tools.json"

src=itest_hostile_src
dst=itest_hostile_dst
fresh_db "$src"
psql_q "$src" "CREATE TABLE t (id int PRIMARY KEY, v text);
               INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
               CREATE TABLE u (id int); INSERT INTO u SELECT generate_series(1, 100);
               SELECT lo_from_bytea(0, 'a large object')" >/dev/null
assert_status 0 snap -q -d "$src" -o "$T/b" good
good=$(cat "$T/last.out")
forget_templates "$T/b"

fresh_db "$dst"
psql_q "$dst" "CREATE TABLE keep (v text); INSERT INTO keep VALUES ('precious')"
fingerprint "$dst" >"$T/dst.before"
mkdir "$T/canary"
hostile_make "$good" "$T/hostile" "$T/canary"
cases=$(find "$T/hostile" -name '*.tar' | sort)
[ "$(printf '%s\n' "$cases" | grep -c .)" -ge 30 ] || die "the generator made too few cases: $cases"
touch "$T/start"

for a in $cases; do
    name=$(basename "$a" .tar)
    assert_status 4 restore --verify "$a"
    grep -q 'error: ' "$T/last.err" || die "$name: --verify says nothing"
    assert_status 4 restore -y -d "$dst" --keep-previous=0 "$a"
    grep -q 'error: ' "$T/last.err" || die "$name: the restore says nothing"
    fingerprint "$dst" >"$T/dst.after"
    diff -u "$T/dst.before" "$T/dst.after" >&2 || die "$name: the target changed"
    assert_eq 0 "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE '${dst}\_\_%'")" \
        "$name: databases left behind"
    assert_eq "" "$(ls -A "$T/canary")" "$name: something ran outside the database"
done
note "$(printf '%s\n' "$cases" | grep -c .) hostile archives refused"
assert_eq 0 "$(psql_q postgres "SELECT count(*) FROM pg_roles WHERE rolname = 'itest_hostile_role'")" "roles made"
assert_eq "" "$(find "$T/.." /tmp -maxdepth 1 -name 'escape.gz' -newer "$T/start" 2>/dev/null)" "files outside the archive's tree"

# 40,000 members the meta does not list: refused at once (not in quadratic time)
unpack_archive "$good"
mkdir "$T/rb/data/many"
(cd "$T/rb/data/many" && seq -f 'm%05g' 40000 | xargs touch)
(cd "$T/rb" && find data/many -type f | sort) >>"$T/rb.order"
repack_archive "$T/many.tar"
start=$(date +%s)
assert_status 4 restore --verify "$T/many.tar"
grep -q 'is not listed in its meta.json' "$T/last.err" || die "40,000 unlisted members: $(cat "$T/last.err")"
[ $(($(date +%s) - start)) -lt 5 ] || die "refusing 40,000 unlisted members took $(($(date +%s) - start)) s"

# the schema statements pg_dump does not write are named: member, line and statement
assert_status 4 restore -y -d "$dst" "$T/hostile/copy-to-program.tar"
grep -q "schema/post-data.sql\", line [0-9]*: not a statement pg_dump writes: COPY (SELECT 1) TO PROGRAM" "$T/last.err" ||
    die "the refusal does not name the statement: $(cat "$T/last.err")"
grep -q 'hint: .*--trust-archive' "$T/last.err" || die "no hint about --trust-archive: $(cat "$T/last.err")"

# --trust-archive runs what pg_dump does not write (here a harmless DO block) ...
unpack_archive "$good"
m=$(jq -r '.schema.post_data.member' "$T/rb/meta.json")
printf '%s\n' "DO \$\$ BEGIN EXECUTE 'CREATE TABLE public.trusted (x int)'; END \$\$;" >>"$T/rb/$m"
_hg_fix_schema post_data
repack_archive "$T/trusted.tar"
assert_status 4 restore -y -d "$dst" --keep-previous=0 "$T/trusted.tar"
assert_status 0 restore --verify --trust-archive "$T/trusted.tar"
assert_status 0 restore -y -d "$dst" --keep-previous=0 --trust-archive "$T/trusted.tar"
assert_eq 1 "$(psql_q "$dst" "SELECT count(*) FROM pg_tables WHERE tablename = 'trusted'")" "the trusted statement ran"
# ... and nothing else: the other checks still refuse
assert_status 4 restore -y -d "$dst" --keep-previous=0 --trust-archive "$T/hostile/bomb.tar"
assert_status 4 restore -y -d "$dst" --keep-previous=0 --trust-archive "$T/hostile/listed-twice.tar"
echo ok
