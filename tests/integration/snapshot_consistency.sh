#!/usr/bin/env bash
# Consistency under load: pgbench writes while db-snapshot copies with
# several workers (pgbench_accounts is large enough to be split into ctid
# chunks).  Every pgbench transaction moves the same delta into accounts,
# tellers, branches and history, so in a consistent archive
# sum(abalance) = sum(tbalance) = sum(bbalance) = sum(delta).
. "$(dirname "$0")/lib.sh"
require_snapshot

db=itest_pgbench
fresh_db "$db"
pgbench -i -q -s 10 "$db" >/dev/null 2>&1 || die "pgbench -i failed"

pgbench -n -c 4 -j 2 -T 120 "$db" >"$T/pgbench.out" 2>&1 &
bench=$!
on_exit "kill $bench; wait $bench"
# once pgbench's clients are writing
writing() {
    [ "$(psql_q "$db" "SELECT count(*) FROM pg_stat_activity
                       WHERE application_name = 'pgbench' AND datname = current_database()")" -ge 4 ] &&
        [ "$(psql_q "$db" "SELECT count(*) FROM pgbench_history")" -gt 100 ]
}
wait_until 60 writing || die "pgbench never started writing"

sum_col() {   # TAR META TABLE FIELD
    local members
    members=$(meta_get "$2" ".tables[] | select(.name==\"$3\") | .members[].member")
    for m in $members; do member_text "$1" "$m"; done | awk -F'\t' -v f="$4" '{ s += $f } END { printf "%d\n", s }'
}

for round in 1 2; do
    snap -d "$db" -o "$T/b$round" -j 3 --split=always --progress=never -q "load$round" >/dev/null 2>"$T/snap$round.err" ||
        die "snapshot $round failed: $(cat "$T/snap$round.err")"
    tar=$(ls "$T"/b$round/*.tar)
    meta=${tar%.tar}.meta
    parts=$(meta_get "$meta" '.tables[] | select(.name=="pgbench_accounts") | .members | length')
    if [ "$(server_num)" -ge 140000 ]; then
        [ "$parts" -gt 1 ] || die "pgbench_accounts was not split into chunks ($parts)"
    else
        # 13 has no TID range scans: --split=always says so and copies tables whole
        assert_eq 1 "$parts" "pgbench_accounts members on PostgreSQL 13"
        grep -q 'warning: --split=always: tables are copied whole, since splitting them needs PostgreSQL 14' "$T/snap$round.err" ||
            die "no warning that --split=always cannot be honoured: $(cat "$T/snap$round.err")"
    fi
    history=$(meta_get "$meta" '.tables[] | select(.name=="pgbench_history") | .rows')
    [ "$history" -gt 0 ] || die "no pgbench transactions in the archive: was pgbench running?"
    a=$(sum_col "$tar" "$meta" pgbench_accounts 3)
    t=$(sum_col "$tar" "$meta" pgbench_tellers 3)
    b=$(sum_col "$tar" "$meta" pgbench_branches 2)
    h=$(sum_col "$tar" "$meta" pgbench_history 4)
    note "round $round: $parts account chunks, $history history rows, sums $a $t $b $h"
    assert_eq "$h" "$a" "sum(abalance) = sum(delta)"
    assert_eq "$h" "$t" "sum(tbalance) = sum(delta)"
    assert_eq "$h" "$b" "sum(bbalance) = sum(delta)"
    assert_eq 1000000 "$(meta_get "$meta" '.tables[] | select(.name=="pgbench_accounts") | .rows')" "account rows"
done
live=$(psql_q "$db" "SELECT count(*) FROM pgbench_history")
[ "$live" -gt "$history" ] || die "pgbench did not keep writing during the snapshots"
kill "$bench" 2>/dev/null || true
wait "$bench" 2>/dev/null || true
note "ok"
