#!/usr/bin/env bash
# Streaming: db-snapshot's peak RSS stays under 64 MiB whatever the size of
# the largest table.  Two databases, one table ~10x bigger than the other,
# both with multi-megabyte values; the peak must stay under the bound for
# both and must not grow with the table.
. "$(dirname "$0")/lib.sh"
require_snapshot

limit_kib=$((64 * 1024))
command -v /usr/bin/time >/dev/null || die "/usr/bin/time is needed (package 'time')"

make_db() {   # DB ROWS
    fresh_db "$1"
    psql_q "$1" "CREATE TABLE wide (id int, payload text);
      ALTER TABLE wide ALTER payload SET STORAGE EXTERNAL;
      INSERT INTO wide SELECT g, repeat(md5(g::text), 30) FROM generate_series(1, $2) g;
      INSERT INTO wide SELECT -g, repeat(md5(g::text), 150000) FROM generate_series(1, 4) g;"
}
peak() {   # DB -> KiB
    /usr/bin/time -f %M -o "$T/rss" "$DB_TOOLS_BINDIR/db-snapshot" -d "$1" -o "$T/b_$1" -j 2 -q --progress=never m >/dev/null \
        || die "snapshot of $1 failed"
    cat "$T/rss"
}
make_db itest_mem_small 20000
make_db itest_mem_large 200000
small=$(peak itest_mem_small)
large=$(peak itest_mem_large)
raw_large=$(meta_get "$(ls "$T"/b_itest_mem_large/*.meta)" .totals.raw_bytes)
note "peak RSS: $small KiB (small), $large KiB (large, $((raw_large / 1048576)) MiB of COPY text)"
[ "$large" -lt "$limit_kib" ] || die "peak RSS $large KiB is over 64 MiB"
[ "$small" -lt "$limit_kib" ] || die "peak RSS $small KiB is over 64 MiB"
# the large table is ~10x the small one; memory may not follow it
[ "$large" -lt $(( small * 3 / 2 + 4096 )) ] || die "peak RSS grows with the table: $small -> $large KiB"
note "ok"
