#!/usr/bin/env bash
# db-snapshot --list (table and JSON) and --prune (--keep, --older-than,
# both, NAME scope, --dry-run, config "retention"), on a directory holding
# copies of a real snapshot under several names and times (and FIFOs named like
# one, which are skipped without blocking).
. "$(dirname "$0")/lib.sh"
require_snapshot

db=itest_list
fresh_db "$db"
psql_q "$db" "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 42) g"
snap -d "$db" -o "$T/src" -q seed >/dev/null || die "snapshot failed"
src=$(ls "$T"/src/*.tar)
src=${src%.tar}

dir=$T/b
mkdir "$dir"
now=$(date -u +%s)
stamp() { date -u -d "@$(( now - $1 ))" +%Y%m%d-%H%M%S; }
make_copy() {   # AGE_SECONDS NAME
    local s
    s=$(stamp "$1")
    cp "$src.tar" "$dir/${s}_$2.tar"
    cp "$src.meta" "$dir/${s}_$2.meta"
}
make_copy $((400 * 86400)) alpha
make_copy $((40 * 86400)) alpha
make_copy $((2 * 86400)) alpha
make_copy $((35 * 86400)) beta
make_copy 60 beta
touch "$dir/README.md" "$dir/x.tar.partial" "$dir/notes.tar"
# a snapshot without its sidecar is still listed from its meta.json member
rm "$dir/$(stamp 60)_beta.meta"

# --- list -------------------------------------------------------------------------
# FIFOs named like a snapshot are skipped, not read (which would block)
mkdir "$T/fifo"
cp "$src.tar" "$src.meta" "$T/fifo/"
mkfifo "$T/fifo/$(stamp 30)_gamma.meta" "$T/fifo/$(stamp 30)_gamma.tar"
assert_status 0 timeout 30 "$DB_TOOLS_BINDIR/db-snapshot" --list -o "$T/fifo"
assert_eq 2 "$(wc -l <"$T/last.out")" "list lines beside FIFOs (header + 1)"
assert_status 0 timeout 30 "$DB_TOOLS_BINDIR/db-snapshot" --prune --keep 0 --dry-run -o "$T/fifo"
assert_status 0 timeout 30 "$DB_TOOLS_BINDIR/db-restore" -o "$T/fifo"
assert_status 0 snap --list -o "$dir"
assert_eq 6 "$(wc -l <"$T/last.out")" "list lines (header + 5)"
head -n 1 "$T/last.out" | grep -q 'NAME.*TIME.*AGE.*DATABASE.*BRANCH.*TABLES.*ROWS.*SIZE' || die "list header: $(head -n 1 "$T/last.out")"
[ "$(grep -c "$db" "$T/last.out")" = 5 ] || die "every row names the source database: $(cat "$T/last.out")"
grep -q ' 42 ' "$T/last.out" || die "row count missing from the list"
assert_status 0 snap --list --json -o "$dir"
assert_eq 5 "$(jq length "$T/last.out")" "JSON list length"
assert_eq "alpha alpha beta alpha beta" "$(jq -r '[.[].name] | join(" ")' "$T/last.out")" "oldest first"
assert_eq "$db" "$(jq -r '.[4].database' "$T/last.out")" "database from meta.json member"
assert_eq 42 "$(jq -r '.[0].rows' "$T/last.out")" "rows in JSON"
assert_eq true "$(jq -r 'all(.[]; .valid)' "$T/last.out")" "all valid"
assert_status 0 snap --list -o "$T/does-not-exist"
grep -q 'no snapshots' "$T/last.out" || die "empty list message"
assert_eq "[]" "$(snap --list --json -o "$T/does-not-exist" | tr -d ' \n')" "empty JSON list"

count() { find "$dir" -name '[0-9]*_*.tar' | wc -l; }

# --- prune ------------------------------------------------------------------------
assert_status 2 snap --prune -o "$dir"           # no rule given
assert_status 0 snap --prune --keep 1 --dry-run -o "$dir"
assert_eq 5 "$(count)" "--dry-run removes nothing"
grep -q 'would remove' "$T/last.err" || die "dry run does not say what it would remove"

assert_status 0 snap --prune --keep 2 -o "$dir" alpha     # NAME scope: only alpha
assert_eq 4 "$(count)" "--keep 2 alpha removes the oldest alpha"
[ ! -e "$dir/$(stamp $((400 * 86400)))_alpha.tar" ] || die "oldest alpha still there"
[ ! -e "$dir/$(stamp $((400 * 86400)))_alpha.meta" ] || die "oldest alpha's sidecar still there"
[ -e "$dir/$(stamp $((35 * 86400)))_beta.tar" ] || die "beta touched by an alpha prune"

assert_status 0 snap --prune --keep 1 --older-than 30d -o "$dir"   # both rules, every name
assert_eq 2 "$(count)" "keep 1 + older than 30d"
[ ! -e "$dir/$(stamp $((40 * 86400)))_alpha.tar" ] || die "40-day alpha should be gone"
[ ! -e "$dir/$(stamp $((35 * 86400)))_beta.tar" ] || die "35-day beta should be gone"
[ -e "$dir/$(stamp $((2 * 86400)))_alpha.tar" ] || die "newest alpha must stay"

# the config's retention applies when no rule is given on the command line
echo '{"retention": {"older_than": "1d"}}' >"$T/cfg.json"
assert_status 0 snap --config "$T/cfg.json" --prune -o "$dir"
assert_eq 1 "$(count)" "config retention older_than 1d"
[ -e "$dir/$(stamp 60)_beta.tar" ] || die "the 1-minute-old snapshot must stay"
[ -e "$dir/README.md" ] && [ -e "$dir/x.tar.partial" ] && [ -e "$dir/notes.tar" ] || die "prune touched files that are not snapshots"

assert_status 0 snap --prune --keep 0 -o "$dir"
assert_eq 0 "$(count)" "--keep 0 removes everything"
note "ok"
