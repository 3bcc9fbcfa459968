#!/usr/bin/env bash
# snapshot_codecs.sh: -Z METHOD[:LEVEL] and the "compression" setting. For gzip (blocked,
# written by libdeflate), zstd and none: the meta names the codec and level, every data and
# large object member decompresses with the standard tool (gunzip, zstd -d, cat) to exactly
# the table's COPY text, a gzip member of more than one block is several gzip members, and
# the restore is faithful; the meta's sha256 is that of the member as stored. Archives in the
# version 2 form (checksums of the decompressed bytes) and the version 1 form (one zlib gzip
# member per data member) still restore; a corrupt zstd member is refused (exit 4); bad -Z values are usage
# errors (exit 2).
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot
command -v zstd >/dev/null || die "zstd is not installed (scripts/deps.sh installs it)"

unset DB_TOOLS_CONFIG DATABASE_URL
src=itest_codec_src
dst=itest_codec_dst
fresh_db "$src"
fresh_db "$dst"
psql_q "$src" "CREATE TABLE big (id int PRIMARY KEY, v text);
               INSERT INTO big SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 40000) g;
               CREATE TABLE empty (x int);
               CREATE TABLE small (a text, \"B c\" int); INSERT INTO small VALUES ('x', 1), (NULL, 2);
               SELECT lo_from_bytea(0, convert_to(repeat('large object ', 10000), 'UTF8'));" >/dev/null
[ "$(table_copy "$src" big 'id, v' | wc -c)" -gt $((3 * 1024 * 1024)) ] || die "table big is too small to span blocks"
data_fingerprint "$src" >"$T/src.fp"

# check_archive SPEC CODEC LEVEL EXT: snapshot with -Z SPEC (none: no -Z), check it, restore it
check_archive() {
    local spec=$1 codec=$2 level=$3 ext=$4 dir=$T/d-${1//:/_} archive meta m table cols want
    if [ "$spec" = default ]; then
        assert_status 0 snap -d "$src" -o "$dir" -j 2 --progress=never c
    else
        assert_status 0 snap -d "$src" -o "$dir" -j 2 -Z "$spec" --progress=never c
    fi
    archive=$(cat "$T/last.out")
    meta=${archive%.tar}.meta
    assert_eq "$codec" "$(meta_get "$meta" .codec)" "-Z $spec: codec in the meta"
    assert_eq "$level" "$(meta_get "$meta" .compression_level)" "-Z $spec: level in the meta"
    # every table member, through the standard tool, is the table's COPY text
    # and its sha256 in the meta is that of the member as stored (format 3)
    while IFS=$'\t' read -r m table cols sha; do
        case $m in *"$ext") ;; *) die "-Z $spec: member $m does not end in \"$ext\"" ;; esac
        [ -n "$ext" ] || case $m in *.gz | *.zst) die "-Z $spec: member $m has a suffix" ;; esac
        want=$(table_copy "$src" "$table" "$cols" | sha256sum)
        assert_eq "$want" "$(member_text "$archive" "$m" | sha256sum)" "-Z $spec: $m is the COPY text of $table"
        assert_eq "$sha" "$(tar -xOf "$archive" -- "$m" | sha256sum | cut -c1-64)" "-Z $spec: sha256 of $m as stored"
    done < <(jq -r '.tables[] | [.members[0].member, (.schema + "." + .name),
                    ([.columns[] | "\"" + . + "\""] | join(", ")), .members[0].sha256] | @tsv' "$meta")
    m=$(jq -r '.large_objects[0].member' "$meta")
    assert_eq "$(psql_q "$src" "SELECT md5(lo_get(oid)) FROM pg_largeobject_metadata")" \
        "$(member_text "$archive" "$m" | md5sum | cut -d' ' -f1)" "-Z $spec: the large object member"
    if [ "$codec" = gzip ]; then
        m=$(jq -r '.tables[] | select(.name == "big") | .members[0].member' "$meta")
        [ "$(tar -xOf "$archive" "$m" | LC_ALL=C grep -obUaP '\x1f\x8b\x08\x00' | wc -l)" -ge 3 ] ||
            die "-Z $spec: the 3+ MiB table is not written as several gzip members"
        tar -xOf "$archive" "$m" | gunzip -t || die "-Z $spec: gunzip -t refuses $m"
    fi
    assert_status 0 restore --verify "$archive"
    assert_status 0 restore -d "$dst" -y --no-cache --keep-previous=0 "$archive"
    data_fingerprint "$dst" >"$T/dst.fp"
    diff -u "$T/src.fp" "$T/dst.fp" >&2 || die "-Z $spec: the restored data differs"
    note "-Z $spec: $codec level $level, members readable by the standard tool, restore faithful"
    last_archive=$archive
}

check_archive default gzip 1 .gz
gzip_archive=$last_archive
check_archive 1 gzip 1 .gz
check_archive gzip:9 gzip 9 .gz
check_archive 0 gzip 0 .gz
check_archive zstd zstd 3 .zst
zstd_archive=$last_archive
check_archive zstd:1 zstd 1 .zst
check_archive none none 0 ""

# the setting, and -Z over it
echo '{"compression": "zstd:2"}' >"$T/cfg.json"
assert_status 0 snap --config "$T/cfg.json" -d "$src" -o "$T/d-cfg" --progress=never c
assert_eq zstd:2 "$(jq -r '.codec + ":" + (.compression_level | tostring)' "$(cat "$T/last.out" | sed 's/\.tar$/.meta/')")" \
    "\"compression\": \"zstd:2\" in the configuration"
assert_status 0 snap --config "$T/cfg.json" -d "$src" -o "$T/d-cfg2" -Z gzip:4 --progress=never c
assert_eq gzip:4 "$(jq -r '.codec + ":" + (.compression_level | tostring)' "$(cat "$T/last.out" | sed 's/\.tar$/.meta/')")" \
    "-Z over the configuration's \"compression\""
echo '{"compression": "lz4"}' >"$T/bad.json"
assert_status 2 snap --config "$T/bad.json" -d "$src" -o "$T/d-bad" c
grep -q 'compression' "$T/last.err" || die "the bad setting is not named: $(cat "$T/last.err")"

# bad -Z values: usage errors that say what is wrong, and nothing written
for bad in lz4 zstd:0 zstd:20 gzip:10 10 gzip: -1 'zstd:x'; do
    assert_status 2 snap -d "$src" -o "$T/d-badz" -Z "$bad" c
    grep -qi 'compression\|-Z' "$T/last.err" || die "-Z $bad: no reason given: $(cat "$T/last.err")"
done
[ ! -e "$T/d-badz" ] || [ -z "$(ls -A "$T/d-badz")" ] || die "a refused -Z wrote something"

# the meta of an older format (version 1 or 2): each member's sha256 is of its
# decompressed bytes, its stored size that of the member as it is now
# old_meta VERSION IN OUT
old_meta() {
    local m
    jq --argjson v "$1" '.format_version = $v' "$2" >"$3"
    for m in $(jq -r '.tables[].members[].member, .large_objects[].member' "$3"); do
        jq --arg m "$m" --argjson s "$(stat -c %s "$T/rb/$m")" \
           --arg sha "$(gunzip -c "$T/rb/$m" | sha256sum | cut -c1-64)" \
            '(.tables[].members[], .large_objects[]) |= (if .member == $m then .stored_bytes = $s | .sha256 = $sha else . end)' \
            "$3" >"$T/meta.tmp" && mv "$T/meta.tmp" "$3"
    done
}

# an archive in the version 2 form: the same members, checksums of the decompressed bytes
unpack_archive "$gzip_archive"
old_meta 2 "$T/rb/meta.json" "$T/meta.v2"
mv "$T/meta.v2" "$T/rb/meta.json"
repack_archive "$T/v2.tar"
assert_status 0 restore --verify "$T/v2.tar"
assert_status 0 restore -d "$dst" -y --no-cache --keep-previous=0 "$T/v2.tar"
diff -u "$T/src.fp" <(data_fingerprint "$dst") >&2 || die "the version 2 archive restored different data"
# a version 3 checksum (of the stored bytes) in a version 2 archive does not pass
unpack_archive "$gzip_archive"
jq '.format_version = 2' "$T/rb/meta.json" >"$T/meta.tmp" && mv "$T/meta.tmp" "$T/rb/meta.json"
repack_archive "$T/v2-mixed.tar"
assert_status 4 restore --verify "$T/v2-mixed.tar"
grep -q 'does not match its SHA-256' "$T/last.err" || die "v2 with stored checksums: $(cat "$T/last.err")"
note "a version 2 archive (checksums of the decompressed bytes) restores faithfully"

# an archive in the version 1 form: one gzip member (gzip -n) per data member, format_version 1
unpack_archive "$gzip_archive"
jq -c '.tables[].members[], .large_objects[]' "$T/rb/meta.json" | while read -r mm; do
    m=$(jq -r .member <<<"$mm")
    gunzip -c "$T/rb/$m" | gzip -1 -n >"$T/rb/$m.one"
    mv "$T/rb/$m.one" "$T/rb/$m"
done
cp "$T/rb/meta.json" "$T/meta.in"
old_meta 1 "$T/meta.in" "$T/meta.v1"
jq '.totals.stored_bytes = ([.tables[].members[].stored_bytes, .large_objects[].stored_bytes] | add)
    | .tables[] |= (.stored_bytes = ([.members[].stored_bytes] | add))' "$T/meta.v1" >"$T/rb/meta.json"
repack_archive "$T/v1.tar"
big=$(jq -r '.tables[] | select(.name == "big") | .members[0].member' "$T/rb/meta.json")
[ "$(LC_ALL=C grep -obUaP '\x1f\x8b\x08\x00' "$T/rb/$big" | wc -l)" = 1 ] || die "the version 1 member is not one gzip member"
assert_status 0 restore --verify "$T/v1.tar"
assert_status 0 restore -d "$dst" -y --no-cache --keep-previous=0 "$T/v1.tar"
data_fingerprint "$dst" >"$T/dst.fp"
diff -u "$T/src.fp" "$T/dst.fp" >&2 || die "the version 1 archive restored different data"
note "a version 1 archive (single-member gzip) restores faithfully"

# a zstd member with one byte changed: refused, target untouched
before=$(data_fingerprint "$dst")
unpack_archive "$zstd_archive"
big=$(jq -r '.tables[] | select(.name == "big") | .members[0].member' "$T/rb/meta.json")
printf '\xff' | dd of="$T/rb/$big" bs=1 seek=2000 conv=notrunc status=none
repack_archive "$T/bad-zstd.tar"
assert_status 4 restore -d "$dst" -y --no-cache "$T/bad-zstd.tar"
assert_eq "$before" "$(data_fingerprint "$dst")" "target after a corrupt zstd member"
assert_status 4 restore --verify "$T/bad-zstd.tar"
note "a corrupt zstd member is refused with exit 4"
