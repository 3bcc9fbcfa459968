#!/usr/bin/env bash
# snapshot_stream.sh: db-snapshot -f FILE and -f - (standard output). The stream is a complete
# archive (meta.json last) and nothing else; it restores faithfully, through a pipe too; a
# terminal is refused; a run killed or failing mid-way leaves a stream db-restore refuses
# (exit 4, target untouched). Paths that start with '-' reach pg_restore safely; "-o -" is
# refused with a hint.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot

unset DB_TOOLS_CONFIG DATABASE_URL
cd "$T" || die "cannot cd to $T"
src=itest_stream_src
dst=itest_stream_dst
fresh_db "$src"
fresh_db "$dst"
psql_q "$src" "CREATE TABLE t (id int PRIMARY KEY, v text);
               INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 200000) g;
               CREATE SEQUENCE s; SELECT setval('s', 42);" >/dev/null
data_fingerprint "$src" >"$T/src.fp"

restores_faithfully() {   # ARCHIVE LABEL ("--": the path may start with '-')
    assert_status 0 restore --verify -- "$1"
    assert_status 0 restore -d "$dst" -y --no-cache --keep-previous=0 -- "$1"
    data_fingerprint "$dst" >"$T/dst.fp"
    diff -u "$T/src.fp" "$T/dst.fp" >&2 || die "$2: the restored data differs"
}

# -f -: stdout is the archive and only it; no snapshot directory is made
"$DB_TOOLS_BINDIR/db-snapshot" -d "$src" -f - --progress=never streamed >"$T/out.tar" 2>"$T/out.err" ||
    die "db-snapshot -f - failed: $(cat "$T/out.err")"
[ ! -e "$T/backups" ] || die "-f - made a snapshot directory"
assert_eq meta.json "$(tar -tf "$T/out.tar" | tail -n 1)" "the stream's last member"
assert_eq streamed "$(tar -xOf "$T/out.tar" meta.json | jq -r .name)" "the stream's snapshot name"
grep -q 'standard output' "$T/out.err" || die "the summary does not say where the archive went"
restores_faithfully "$T/out.tar" "-f - to a file"

# through a pipe
"$DB_TOOLS_BINDIR/db-snapshot" -d "$src" -f - --progress=never piped 2>/dev/null | cat >"$T/piped.tar"
[ "${PIPESTATUS[0]}" = 0 ] || die "db-snapshot -f - | cat failed"
restores_faithfully "$T/piped.tar" "-f - through a pipe"

# -f FILE: the archive alone, private, not overwritten; its directory's temporary files gone
mkdir "$T/files"
assert_status 0 snap -d "$src" -f "$T/files/base.tar" -Z zstd:1 --progress=never base
assert_eq "$T/files/base.tar" "$(cat "$T/last.out")" "the path printed for -f FILE"
assert_eq "base.tar" "$(ls -A "$T/files")" "what -f FILE leaves in its directory"
assert_eq 600 "$(stat -c %a "$T/files/base.tar")" "mode of the -f archive"
restores_faithfully "$T/files/base.tar" "-f FILE"
assert_status 1 snap -d "$src" -f "$T/files/base.tar" again
grep -q 'already exists' "$T/last.err" || die "-f over an existing file: $(cat "$T/last.err")"
assert_status 2 snap -d "$src" -f - -o "$T/files" x
assert_status 2 snap --list -f "$T/files/x.tar"

# a terminal on stdout is refused
if command -v script >/dev/null; then
    rc=0
    script -qec "\"$DB_TOOLS_BINDIR/db-snapshot\" -d $src -f - tty" /dev/null >"$T/tty.out" 2>&1 || rc=$?
    assert_eq 2 "$rc" "exit status of -f - on a terminal"
    grep -q 'terminal' "$T/tty.out" || die "the refusal does not say why: $(cat "$T/tty.out")"
else
    die "script (util-linux) is not installed"
fi

# killed mid-way: the stream is refused, the target untouched
before=$(data_fingerprint "$dst")
psql_q "$src" "CREATE TABLE slow AS SELECT g AS id, repeat(md5(g::text), 20) AS v FROM generate_series(1, 300000) g" >/dev/null
"$DB_TOOLS_BINDIR/db-snapshot" -d "$src" -f - -j 1 -Z gzip:9 --progress=never killed 2>/dev/null >"$T/killed.tar" &
pid=$!
started() { [ "$(stat -c %s "$T/killed.tar")" -gt 100000 ]; }
wait_until 60 started || die "the stream never got going"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
tar -tf "$T/killed.tar" 2>/dev/null | grep -qx meta.json && die "a killed stream has a meta.json"
assert_status 4 restore --verify "$T/killed.tar"
assert_status 4 restore -d "$dst" -y --no-cache "$T/killed.tar"
rc=0
"$DB_TOOLS_BINDIR/db-restore" -d "$dst" -y --no-cache - <"$T/killed.tar" >/dev/null 2>"$T/killed-stdin.err" || rc=$?
assert_eq 4 "$rc" "exit status of db-restore - reading the killed stream"
assert_eq "$before" "$(data_fingerprint "$dst")" "target after the restore of a killed stream"
assert_eq 0 "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE '${dst}\_\_restoring%'")" \
    "half-built databases left by the refused restore"
psql_q "$src" "DROP TABLE slow"

# failing mid-way (post-data cannot be written): exit 1, and the stream is refused
mkdir "$T/bin"
cp -- "$(dirname "$(command -v pg_dump)")/../lib/postgresql/15/bin/pg_dump" "$T/bin/pg_dump" 2>/dev/null ||
    cp /usr/lib/postgresql/15/bin/pg_dump "$T/bin/pg_dump"
cat >"$T/bin/pg_restore" <<EOS
#!/bin/sh
for a in "\$@"; do [ "\$a" = --section=post-data ] && { echo "pg_restore: simulated failure" >&2; exit 1; }; done
exec /usr/lib/postgresql/15/bin/pg_restore "\$@"
EOS
chmod +x "$T/bin/pg_restore"
rc=0
DB_TOOLS_PG_DUMP=$T/bin/pg_dump "$DB_TOOLS_BINDIR/db-snapshot" -d "$src" -f - --progress=never failing \
    >"$T/failing.tar" 2>"$T/failing.err" || rc=$?
assert_eq 1 "$rc" "exit status of a stream that failed mid-way"
grep -q 'cut short' "$T/failing.err" || die "the failure does not say the stream is cut short: $(cat "$T/failing.err")"
assert_status 4 restore --verify "$T/failing.tar"
assert_status 4 restore -d "$dst" -y --no-cache "$T/failing.tar"
assert_eq "$before" "$(data_fingerprint "$dst")" "target after the restore of a failed stream"

# paths that start with '-'
mkdir -- "$T/-snaps"
assert_status 0 snap -d "$src" -o -snaps --progress=never dash
restores_faithfully "$(cat "$T/last.out")" "-o -snaps"
assert_status 2 snap -d "$src" -o - x
grep -q -- '-f -' "$T/last.err" || die "\"-o -\" gives no hint: $(cat "$T/last.err")"
note "streams, files, terminals, cut streams and '-' paths behave"
