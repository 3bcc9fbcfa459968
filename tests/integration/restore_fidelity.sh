#!/usr/bin/env bash
# restore_fidelity.sh: snapshot then restore Pagila and the pitfalls fixture
# into another database, through the archive and then through the cached
# template, and require the same schema (pg_dump --schema-only --no-owner
# --no-privileges), the same rows in every table (count and order-independent
# hash), the same sequence states and the same large objects.
# DB_TOOLS_TEST_CODEC (a -Z value such as zstd:1) runs it all with that compression.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot

unset DB_TOOLS_CONFIG DATABASE_URL
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"
# A private cache bound, so that other tests' templates cannot evict ours.
echo '{"cache_size": 50}' >"$T/db-tools.json"

roundtrip() {
    local label=$1 src=$2 dir=$T/b-$1 archive dst=${2}_copy dst2=${2}_copy2 js
    mkdir -p "$dir"
    forget_templates "$dir"
    assert_status 0 snap -d "$src" -o "$dir" ${DB_TOOLS_TEST_CODEC:+-Z "$DB_TOOLS_TEST_CODEC"} "$label"
    archive=$(cat "$T/last.out")
    if [ -n "${DB_TOOLS_TEST_CODEC:-}" ]; then
        assert_eq "${DB_TOOLS_TEST_CODEC%%:*}" "$(meta_get "${archive%.tar}.meta" .codec)" "$label: codec"
    fi
    fingerprint "$src" >"$T/$label.src"
    [ "$(grep -c . "$T/$label.src")" -gt 10 ] || die "$label: fingerprint of the source is too small"

    assert_status 0 restore --verify "$archive"

    # 1. from the archive, into a target that exists (it is replaced)
    fresh_db "$dst"
    assert_status 0 restore -d "$dst" -y -j 2 --json "$archive"
    js=$T/last.out
    assert_eq false "$(jq -r .from_cache "$js")" "$label: first restore must read the archive"
    assert_eq true "$(jq -r .cached "$js")" "$label: first restore keeps a template"
    fingerprint "$dst" >"$T/$label.dst"
    diff -u "$T/$label.src" "$T/$label.dst" >&2 || die "$label: restored database differs from the source"

    # 2. from the cached template, into a target that does not exist
    fresh_db "$dst2"
    psql_q postgres "DROP DATABASE \"$dst2\""
    assert_status 0 restore -d "$dst2" -y --json "$archive"
    assert_eq true "$(jq -r .from_cache "$T/last.out")" "$label: second restore must use the template"
    assert_eq false "$(jq -r .target_existed "$T/last.out")" "$label: target did not exist"
    fingerprint "$dst2" >"$T/$label.dst2"
    diff -u "$T/$label.src" "$T/$label.dst2" >&2 || die "$label: database cloned from the template differs from the source"
    note "$label: archive and cache restores match the source ($(grep -c . "$T/$label.src") fingerprint lines)"
}

fresh_db itest_rfid_pagila
load_pagila itest_rfid_pagila >/dev/null
roundtrip pagila itest_rfid_pagila

fresh_db itest_rfid_fixture
psql -X -q -v ON_ERROR_STOP=1 -1 -d itest_rfid_fixture -f "$here/../fixtures/pitfalls.sql" >/dev/null ||
    die "could not load the fixture"
roundtrip fixture itest_rfid_fixture
