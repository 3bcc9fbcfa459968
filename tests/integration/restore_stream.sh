#!/usr/bin/env bash
# restore_stream.sh: db-restore - (and a FIFO). db-snapshot -f - | db-restore -y - is faithful
# on Pagila and the pitfalls fixture; a stream cut inside a member, between members or before
# meta.json, a flipped byte and a meta.json that disagrees are refused (exit 4) with the target
# untouched, no database left behind and no spool file left; without --yes the stream is
# refused before it is read (exit 3).
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot

unset DB_TOOLS_CONFIG DATABASE_URL
cd "$T" || die "cannot cd to $T"
export TMPDIR=$T/tmp
mkdir "$TMPDIR"
dst=itest_rstream_dst
fresh_db "$dst"

no_leftovers() {   # LABEL
    assert_eq 0 "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE '${dst}\_\_restoring%'")" \
        "$1: half-built databases left"
    assert_eq "" "$(ls -A "$TMPDIR" | grep '^db-restore-stream' || true)" "$1: spool files left in TMPDIR"
}

pipe_roundtrip() {   # LABEL SRC
    local rc=0
    fingerprint "$2" >"$T/$1.src"
    "$DB_TOOLS_BINDIR/db-snapshot" -d "$2" -f - --progress=never "$1" 2>"$T/$1.snap.err" |
        "$DB_TOOLS_BINDIR/db-restore" -d "$dst" -y --no-cache --keep-previous=0 --json - \
            >"$T/$1.json" 2>"$T/$1.err" || rc=$?
    [ "$rc" = 0 ] || die "$1: db-snapshot -f - | db-restore -y - failed ($rc): $(cat "$T/$1.snap.err" "$T/$1.err")"
    fingerprint "$dst" >"$T/$1.dst"
    diff -u "$T/$1.src" "$T/$1.dst" >&2 || die "$1: the database restored from the stream differs"
    assert_eq "$dst" "$(jq -r .target "$T/$1.json")" "$1: --json target"
    no_leftovers "$1"
    note "$1: snapshot | restore - is faithful ($(grep -c . "$T/$1.src") fingerprint lines)"
}

fresh_db itest_rstream_pagila
load_pagila itest_rstream_pagila >/dev/null
pipe_roundtrip pagila itest_rstream_pagila
fresh_db itest_rstream_fixture
psql -X -q -v ON_ERROR_STOP=1 -1 -d itest_rstream_fixture -f "$here/../fixtures/pitfalls.sql" >/dev/null ||
    die "could not load the fixture"
pipe_roundtrip fixture itest_rstream_fixture

# a good stream, kept as a file to cut and edit
"$DB_TOOLS_BINDIR/db-snapshot" -d itest_rstream_pagila -f - --progress=never good >"$T/good.tar" 2>/dev/null ||
    die "db-snapshot -f - failed"
before=$(fingerprint "$dst")
refused() {   # LABEL FILE: db-restore - of FILE exits 4, the target as it was
    local rc=0
    "$DB_TOOLS_BINDIR/db-restore" -d "$dst" -y --no-cache - <"$2" >"$T/r.out" 2>"$T/r.err" || rc=$?
    assert_eq 4 "$rc" "$1: exit status ($(tail -n 2 "$T/r.err"))"
    assert_eq "$before" "$(fingerprint "$dst")" "$1: target"
    no_leftovers "$1"
    rc=0
    "$DB_TOOLS_BINDIR/db-restore" --verify - <"$2" >/dev/null 2>&1 || rc=$?
    assert_eq 4 "$rc" "$1: exit status of --verify -"
}
block_of() {   # MEMBER: the tar block of its header
    tar -tvR -f "$T/good.tar" | awk -v m="$1" '$NF == m { sub(":", "", $2); print $2 }'
}
size=$(stat -c %s "$T/good.tar")
big=$(tar -tvf "$T/good.tar" | sort -k3 -n | tail -n 1 | awk '{print $NF}')
big_block=$(block_of "$big")
big_size=$(tar -tvf "$T/good.tar" | awk -v m="$big" '$NF == m {print $3}')
head -c $(( (big_block + 1) * 512 + big_size / 2 )) "$T/good.tar" >"$T/cut-member.tar"
refused "cut inside $big" "$T/cut-member.tar"
head -c $(( $(block_of schema/post-data.sql) * 512 )) "$T/good.tar" >"$T/cut-between.tar"
refused "cut between members" "$T/cut-between.tar"
head -c $(( $(block_of meta.json) * 512 )) "$T/good.tar" >"$T/cut-meta.tar"
refused "cut before meta.json" "$T/cut-meta.tar"
cp "$T/good.tar" "$T/flipped.tar"
printf '\x55' | dd of="$T/flipped.tar" bs=1 seek=$(( (big_block + 1) * 512 + big_size / 3 )) conv=notrunc status=none
refused "a flipped byte in $big" "$T/flipped.tar"
unpack_archive "$T/good.tar"
jq '.tables[0].rows += 1' "$T/rb/meta.json" >"$T/meta.new" && mv "$T/meta.new" "$T/rb/meta.json"
repack_archive "$T/disagrees.tar"
refused "a meta.json that disagrees" "$T/disagrees.tar"

# without --yes: refused before anything is read
rc=0
"$DB_TOOLS_BINDIR/db-restore" -d "$dst" - <"$T/good.tar" >"$T/noyes.out" 2>"$T/noyes.err" || rc=$?
assert_eq 3 "$rc" "exit status of db-restore - without --yes"
grep -q -- '--yes' "$T/noyes.err" || die "no hint to pass --yes: $(cat "$T/noyes.err")"
no_leftovers "without --yes"

# a FIFO as the archive's path
mkfifo "$T/fifo"
cat "$T/good.tar" >"$T/fifo" &
writer=$!
assert_status 0 restore -d "$dst" -y --no-cache --keep-previous=0 "$T/fifo"
wait "$writer"
data_fingerprint itest_rstream_pagila >"$T/p.src"
data_fingerprint "$dst" >"$T/p.dst"
diff -u "$T/p.src" "$T/p.dst" >&2 || die "the restore from a FIFO differs"
no_leftovers "FIFO"
note "cut, flipped and disagreeing streams are refused; FIFOs work; no --yes, no read"
