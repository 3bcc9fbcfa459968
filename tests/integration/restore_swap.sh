#!/usr/bin/env bash
# restore_swap.sh: db-restore's swap. A session connected to the target is
# terminated; the replaced database survives as <db>__pre_<stamp> with its
# old data and accepts connections; --keep-previous prunes the copies; two long target
# names that start alike keep their copies apart.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot

unset DB_TOOLS_CONFIG DATABASE_URL
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"
echo '{"cache_size": 50}' >"$T/db-tools.json"

src=itest_rswap_src
dst=itest_rswap_dst
dir=$T/b
mkdir -p "$dir"
forget_templates "$dir"

fresh_db "$src"
psql_q "$src" "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'first')"
assert_status 0 snap -d "$src" -o "$dir" first
a1=$(cat "$T/last.out")
sleep 1
psql_q "$src" "UPDATE t SET v = 'second'"
assert_status 0 snap -d "$src" -o "$dir" second
a2=$(cat "$T/last.out")

pre_copies() {
    psql_q postgres "SELECT datname FROM pg_database WHERE datname LIKE '${dst}\_\_pre\_%' ORDER BY 1"
}

# The target exists with the first snapshot's data.
fresh_db "$dst"
psql_q postgres "DROP DATABASE $dst"
assert_status 0 restore -d "$dst" -y "$a1"
assert_eq first "$(psql_q "$dst" 'SELECT v FROM t')" "content after the first restore"
assert_eq "" "$(pre_copies)" "no previous copy when the target did not exist"

# A session is connected to the target while the second snapshot is restored.
psql -X -q -d "$dst" -c 'SELECT pg_sleep(120)' >"$T/session.out" 2>&1 &
session=$!
on_exit "kill $session"
for _ in $(seq 100); do
    [ "$(psql_q postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = '$dst'")" = 1 ] && break
    sleep 0.1
done
assert_status 0 restore -d "$dst" -y --json "$a2"
status=0
wait "$session" || status=$?
[ "$status" != 0 ] || die "the session on the target was not terminated"
grep -q 'terminat' "$T/session.out" || die "the session did not end by termination: $(cat "$T/session.out")"
assert_eq second "$(psql_q "$dst" 'SELECT v FROM t')" "content after the swap"
previous=$(jq -r .previous "$T/last.out")
assert_eq "$previous" "$(pre_copies)" "the replaced database is kept under the name the summary gives"
case $previous in "${dst}__pre_"2*) ;; *) die "unexpected name for the previous copy: $previous" ;; esac
assert_eq first "$(psql_q "$previous" 'SELECT v FROM t')" "the previous copy keeps the old data (and accepts connections)"

# --keep-previous=2 keeps two copies, the default (1) prunes to one, 0 to none.
sleep 1
assert_status 0 restore -d "$dst" -y --keep-previous=2 "$a1"
assert_eq 2 "$(pre_copies | wc -l)" "copies kept with --keep-previous=2"
sleep 1
assert_status 0 restore -d "$dst" -y "$a2"
assert_eq 1 "$(pre_copies | wc -l)" "copies kept with the default --keep-previous"
assert_eq first "$(psql_q "$(pre_copies)" 'SELECT v FROM t')" "the newest copy is the one kept"
assert_status 0 restore -d "$dst" -y --keep-previous=0 "$a1"
assert_eq "" "$(pre_copies)" "copies kept with --keep-previous=0"
assert_eq first "$(psql_q "$dst" 'SELECT v FROM t')" "content after the last restore"
assert_eq t "$(psql_q postgres "SELECT datallowconn FROM pg_database WHERE datname = '$dst'")" "the target accepts connections"

# --- two long names that start alike: each target's copies are its own ---------------
# (a stamp does not fit after 46 bytes: the names of the copies are cut, and carry a hash
# of the whole target name)
long=itest_rswap_$(printf 'a%.0s' $(seq 30))
l1=${long}_one l2=${long}_two
drop_long() {
    psql -X -q -v p="${long:0:20}" -d postgres <<'EOF'
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) FROM pg_database
 WHERE datname LIKE :'p' || '%'
\gexec
EOF
}
on_exit drop_long
for l in "$l1" "$l2"; do
    assert_status 0 restore -d "$l" -y "$a1"
    sleep 1
    assert_status 0 restore -d "$l" -y --json "$a2"
done
l1_copies=$(psql_q postgres "SELECT datname FROM pg_database WHERE datname LIKE '${long:0:20}%\_\_pre\_%' ORDER BY 1")
assert_eq 2 "$(printf '%s\n' "$l1_copies" | grep -c .)" "previous copies of the two long targets ($l1_copies)"
previous=$(jq -r .previous "$T/last.out")
hash=$(printf '%s' "$l2" | sha256sum | cut -c1-8)
case $previous in
    *"_${hash}__pre_"2*) ;;
    *) die "the previous copy of $l2 is not named after its whole name: $previous" ;;
esac
assert_status 0 restore -d "$l1" -y --progress=never "$a1" </dev/null
grep -q "kept as .*_$(printf '%s' "$l1" | sha256sum | cut -c1-8)__pre_<time>" "$T/last.err" ||
    die "the plan does not show the previous copy's real name: $(grep target "$T/last.err")"
assert_eq 2 "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE '${long:0:20}%\_\_pre\_%'")" \
    "copies after another restore into $l1 (each target keeps one)"
