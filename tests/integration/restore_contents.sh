#!/usr/bin/env bash
# restore_contents.sh: db-restore --contents shows what an archive holds without restoring it
# (what pg_restore -l does): source, codec, tables with rows and sizes, sequences, large
# objects; for a NAME, a PATH and standard input; --json gives the archive's meta.json; a name
# with control characters is shown as plain text; a corrupt archive is exit 4; nothing is
# connected to or changed.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot

unset DB_TOOLS_CONFIG DATABASE_URL
src=itest_contents_src
fresh_db "$src"
psql_q "$src" "CREATE TABLE items (id serial PRIMARY KEY, name text);
               INSERT INTO items (name) SELECT 'item ' || g FROM generate_series(1, 321) g;
               CREATE TABLE \"odd
name\" (x int); INSERT INTO \"odd
name\" VALUES (1), (2);
               SELECT lo_from_bytea(0, 'a large object');" >/dev/null
assert_status 0 snap -q -d "$src" -o "$T/snaps" -Z zstd:2 contents-test
archive=$(cat "$T/last.out")
forget_templates "$T/snaps"

# by name, from the snapshot directory; no server is needed (a wrong port is not used)
assert_status 0 env PGPORT=1 "$DB_TOOLS_BINDIR/db-restore" -o "$T/snaps" --contents contents-test
out=$T/last.out
grep -q "^archive    $archive (.*, zstd level 2, format 3)$" "$out" || die "archive line: $(cat "$out")"
grep -q "^snapshot   \"contents-test\", taken " "$out" || die "snapshot line: $(cat "$out")"
grep -q "^source     database \"$src\" on .*, PostgreSQL " "$out" || die "source line: $(cat "$out")"
grep -q '^contents   2 tables, 323 rows, .* of data; 1 sequence; 1 large object$' "$out" ||
    die "contents line: $(cat "$out")"
grep -Eq '^public\.items +321 ' "$out" || die "the items table: $(cat "$out")"
grep -Eq '^public\.odd\\x0aname +2 ' "$out" || die "a name with a newline is not shown as plain text: $(cat "$out")"
grep -Eq '^public\.items_id_seq +321 yes$' "$out" || die "the sequence: $(cat "$out")"
# by path, and as JSON: the archive's own description
assert_status 0 restore --contents --json "$archive"
diff <(jq -S . "${archive%.tar}.meta") <(jq -S . "$T/last.out") >&2 ||
    die "--contents --json differs from the archive's meta.json"
# from standard input, without --yes: nothing is restored, so nothing is asked
assert_status 0 restore --contents - <"$archive"
grep -q '^archive    standard input (' "$T/last.out" || die "stdin: $(cat "$T/last.out")"
# a corrupt archive is an integrity failure
head -c 3000 "$archive" >"$T/cut.tar"
assert_status 4 restore --contents "$T/cut.tar"
# --contents restores nothing and needs an archive
assert_status 2 restore --contents
assert_status 2 restore --contents --verify "$archive"
# a tiny database: counts in their number, no compression ratio below 1
fresh_db itest_contents_one
psql_q itest_contents_one "CREATE TABLE one (x int); INSERT INTO one VALUES (1)"
assert_status 0 snap -d itest_contents_one -o "$T/snaps" --progress=never one
grep -q '^  contents  1 table, 1 row, 0 sequences, 0 large objects$' "$T/last.err" ||
    die "the snapshot summary of one table: $(cat "$T/last.err")"
grep -q 'compression' "$T/last.err" && die "a ratio for a tiny archive: $(cat "$T/last.err")"
assert_status 0 restore -d itest_contents_one -y --no-cache -o "$T/snaps" one
grep -q '^  contents  1 table, 1 row, 0 sequences, 0 large objects, ' "$T/last.err" ||
    die "the restore summary of one table: $(cat "$T/last.err")"
note "--contents: by name, path and stdin, as text and JSON; corrupt archives refused; counts in their number"
