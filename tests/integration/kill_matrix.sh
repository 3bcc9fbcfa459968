#!/usr/bin/env bash
# kill_matrix.sh: SIGKILL at random moments of db-snapshot, db-restore (the swap included)
# and db-reset, 24 points in all.  After each kill the target is exactly the old database
# or exactly the new one (same data fingerprint), never a mix, never missing; a snapshot
# directory holds no complete-looking archive that is not sound; and the next run succeeds
# and leaves nothing behind (no __restoring_ database, no .partial file).
# The moments are drawn from DB_TOOLS_KILL_SEED (printed, so that a failure can be replayed).
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot

unset DB_TOOLS_CONFIG DATABASE_URL ENV APP_ENV RAILS_ENV NODE_ENV
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"
echo '{"cache_size": 50}' >"$T/db-tools.json"
seed=${DB_TOOLS_KILL_SEED:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$seed
note "kill moments from DB_TOOLS_KILL_SEED=$seed"

src=itest_kill_src
dst=itest_kill_dst
fresh_db "$src"
fresh_db "$dst"
forget_templates "$T/b"
psql_q "$src" "CREATE TABLE big (id int PRIMARY KEY, v text);
               INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 300000) g;
               CREATE INDEX ON big (v);
               CREATE TABLE marker (v text); INSERT INTO marker VALUES ('new')"
assert_status 0 snap -q -d "$src" -o "$T/b" new
new_archive=$(cat "$T/last.out")
data_fingerprint "$src" >"$T/new.fp"

# the old target: other content, restored from an archive of its own
psql_q "$src" "TRUNCATE big; INSERT INTO big SELECT g, 'old' FROM generate_series(1, 1000) g;
               UPDATE marker SET v = 'old'"
assert_status 0 snap -q -d "$src" -o "$T/b" old
old_archive=$(cat "$T/last.out")
data_fingerprint "$src" >"$T/old.fp"

leftovers() {
    psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE '${dst}\_\_restoring\_%'"
}
set_old() {
    assert_status 0 restore -y -d "$dst" --keep-previous=0 "$old_archive"
    data_fingerprint "$dst" | cmp -s - "$T/old.fp" || die "could not put the old target back"
}
# old_or_new LABEL: the target is one of the two, whole
old_or_new() {
    local door
    door=$(psql_q postgres "SELECT datallowconn FROM pg_database WHERE datname = '$dst'")
    [ -n "$door" ] || die "$1: the target is gone"
    # killed inside the swap, the old target may be left with its door closed: the next
    # run opens it again; its content is looked at here all the same
    [ "$door" = t ] || psql_q postgres "ALTER DATABASE $dst ALLOW_CONNECTIONS true"
    data_fingerprint "$dst" >"$T/now.fp" 2>/dev/null || die "$1: the target is unreadable"
    if cmp -s "$T/now.fp" "$T/old.fp"; then
        echo old
    elif cmp -s "$T/now.fp" "$T/new.fp"; then
        echo new
    else
        diff "$T/old.fp" "$T/now.fp" | head -n 10 >&2
        die "$1: the target is neither the old database nor the new one"
    fi
}
# run_and_kill MAX_SECONDS CMD...: start CMD, SIGKILL it after a random moment up to MAX_SECONDS
run_and_kill() {
    local max=$1 ms pid
    shift
    ms=$((RANDOM % (max * 1000)))
    "$@" >/dev/null 2>&1 &
    pid=$!
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    killed_at=$ms
}

# how long a restore and a reset take here, to spread the kills over them (the swap included)
set_old
start=$(date +%s%N)
assert_status 0 restore -y -d "$dst" --keep-previous=0 --no-cache "$new_archive"
restore_s=$((($(date +%s%N) - start) / 1000000000 + 1))
outcomes=()

# --- db-restore: 8 kills, from the archive (no cache), the swap included -------------------
for i in 1 2 3 4 5 6 7 8; do
    set_old
    run_and_kill "$restore_s" "$DB_TOOLS_BINDIR/db-restore" -y -d "$dst" --keep-previous=0 --no-cache "$new_archive"
    state=$(old_or_new "restore kill $i at ${killed_at}ms")
    outcomes+=("restore@${killed_at}ms:$state")
    assert_status 0 restore -y -d "$dst" --keep-previous=0 --no-cache "$new_archive"
    assert_eq new "$(old_or_new "restore after kill $i")" "the target after the next restore"
    assert_eq 0 "$(leftovers)" "half-built databases after the next restore (kill $i)"
done

# --- db-reset: 8 kills ------------------------------------------------------------------------
mkdir -p p/db/migrations p/db/seeds
cat >p/db/migrations/1_big.sql <<'SQL'
CREATE TABLE big (id int PRIMARY KEY, v text); CREATE INDEX ON big (v);
CREATE TABLE marker (v text);
SQL
cat >p/db/seeds/010_big.sql <<'SQL'
INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, :rows) g;
INSERT INTO marker VALUES ('new');
SQL
echo '{"migrations": {"dir": "db/migrations"}, "seeds": {"dir": "db/seeds", "counts": {"rows": 300000}}, "cache_size": 50}' >p/db-tools.json
reset_fp() { psql_q "$dst" "SELECT count(*) || ' ' || (SELECT v FROM marker) FROM big" 2>/dev/null || echo gone; }
(cd p && run_tool db-reset -y -d "$dst" --no-cache --keep-previous=0 >/dev/null 2>&1) || die "a full reset failed"
want_reset=$(reset_fp)
assert_eq "300000 new" "$want_reset" "content of a full reset"
set_old
start=$(date +%s%N)
(cd p && run_tool db-reset -y -d "$dst" --no-cache --keep-previous=0 >/dev/null 2>&1) || die "a full reset failed"
reset_s=$((($(date +%s%N) - start) / 1000000000 + 1))
for i in 1 2 3 4 5 6 7 8; do
    set_old
    (cd p && run_and_kill "$reset_s" "$DB_TOOLS_BINDIR/db-reset" -y -d "$dst" --no-cache --keep-previous=0)
    got=$(reset_fp)
    if [ "$got" = "$want_reset" ]; then
        state=new
    else
        state=$(old_or_new "reset kill $i")
        [ "$state" = old ] || die "reset kill $i: the target is neither old nor the reset's result"
    fi
    outcomes+=("reset:$state")
    (cd p && assert_status 0 run_tool db-reset -y -d "$dst" --no-cache --keep-previous=0)
    assert_eq "$want_reset" "$(reset_fp)" "the target after the next reset (kill $i)"
    assert_eq 0 "$(leftovers)" "half-built databases after the next reset (kill $i)"
done

# --- db-snapshot: 8 kills ----------------------------------------------------------------------
psql_q "$src" "TRUNCATE big; INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 300000) g"
start=$(date +%s%N)
assert_status 0 snap -q -d "$src" -o "$T/s0" -Z 6 timing
snap_s=$((($(date +%s%N) - start) / 1000000000 + 1))
for i in 1 2 3 4 5 6 7 8; do
    dir=$T/s$i
    run_and_kill "$snap_s" "$DB_TOOLS_BINDIR/db-snapshot" -q -d "$src" -o "$dir" -Z 6 k
    state=partial
    for tar in "$dir"/*.tar; do
        [ -e "$tar" ] || continue
        # a file with a final name is a whole, sound snapshot
        assert_status 0 restore --verify "$tar"
        state=complete
    done
    outcomes+=("snapshot:$state")
    assert_status 0 snap -q -d "$src" -o "$dir" -Z 0 after
    assert_eq "" "$(find "$dir" -name '*.partial')" ".partial files after the next snapshot (kill $i)"
done

note "outcomes: ${outcomes[*]}"
assert_eq 24 "${#outcomes[@]}" "kill points"
echo "ok: ${#outcomes[@]} kills"
