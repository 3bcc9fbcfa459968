#!/usr/bin/env bash
# restore_cache.sh: the template cache. A restore keeps a template keyed by
# the archive; the same archive again is a clone; the number of templates
# is bounded (least recently used dropped first); --no-cache, cache_size 0,
# --cache=list and --cache=clear; --owners keeps templates of its own. Runs alone (it
# clears the cache of the role it runs as).
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot

unset DB_TOOLS_CONFIG DATABASE_URL
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"
echo '{"cache_size": 2}' >"$T/db-tools.json"

src=itest_rcache_src
dst=itest_rcache_dst
dir=$T/b
mkdir -p "$dir"
forget_templates "$dir"

fresh_db "$src"
fresh_db "$dst"
psql_q "$src" "CREATE TABLE t (v int)"
archives=()
for i in 1 2 3; do
    psql_q "$src" "TRUNCATE t; INSERT INTO t VALUES ($i)"
    assert_status 0 snap -d "$src" -o "$dir" "a$i"
    archives+=("$(cat "$T/last.out")")
done
a1=${archives[0]} a2=${archives[1]} a3=${archives[2]}
tmpl() { template_name "${1%.tar}.meta"; }
cached() { restore --cache=list --json | jq -r '.[].database' | sort | tr '\n' ' '; }

assert_status 0 restore --cache=clear
assert_eq "" "$(cached)" "templates after --cache=clear"

# restore_as ARCHIVE EXPECT_FROM_CACHE VALUE
restore_as() {
    assert_status 0 restore -d "$dst" -y --keep-previous=0 --json "$1"
    assert_eq "$2" "$(jq -r .from_cache "$T/last.out")" "from_cache restoring $(basename "$1")"
    assert_eq "$3" "$(psql_q "$dst" 'SELECT v FROM t')" "content after restoring $(basename "$1")"
}

restore_as "$a1" false 1
restore_as "$a2" false 2
assert_eq "$(printf '%s\n' "$(tmpl "$a1")" "$(tmpl "$a2")" | sort | tr '\n' ' ')" "$(cached)" "templates after two restores"
restore_as "$a1" true 1          # a1 is now the most recently used
assert_status 0 restore --cache=list
grep -q "$(basename "$a1")" "$T/last.out" || die "--cache=list does not name the archive"
restore_as "$a3" false 3         # evicts a2, the least recently used
assert_eq "$(printf '%s\n' "$(tmpl "$a1")" "$(tmpl "$a3")" | sort | tr '\n' ' ')" "$(cached)" "templates after eviction"
restore_as "$a3" true 3
restore_as "$a2" false 2

# the templates cannot be connected to (nobody can change them)
psql -X -q -d "$(tmpl "$a2")" -c 'select 1' >/dev/null 2>&1 && die "a template accepts connections"

# --no-cache neither uses nor keeps one; cache_size 0 keeps none
assert_status 0 restore -d "$dst" -y --keep-previous=0 --no-cache --json "$a3"
assert_eq false "$(jq -r .from_cache "$T/last.out")" "from_cache with --no-cache"
assert_eq false "$(jq -r .cached "$T/last.out")" "cached with --no-cache"
assert_status 0 restore --cache=clear
assert_eq "" "$(cached)" "templates after --cache=clear"
echo '{"cache_size": 0}' >"$T/db-tools.json"
assert_status 0 restore -d "$dst" -y --keep-previous=0 --json "$a1"
assert_eq false "$(jq -r .cached "$T/last.out")" "cached with cache_size 0"
assert_eq "" "$(cached)" "templates with cache_size 0"

# --owners changes the result (owners and grants kept): it has templates of its own
assert_status 0 restore --cache=clear
echo '{"cache_size": 5}' >"$T/db-tools.json"
assert_status 0 restore -d "$dst" -y --keep-previous=0 --json "$a1"
assert_eq "false true" "$(jq -r '"\(.from_cache) \(.cached)"' "$T/last.out")" "without --owners"
assert_status 0 restore -d "$dst" -y --keep-previous=0 --owners --json "$a1"
assert_eq "false true" "$(jq -r '"\(.from_cache) \(.cached)"' "$T/last.out")" "--owners after a restore without"
assert_status 0 restore -d "$dst" -y --keep-previous=0 --owners --json "$a1"
assert_eq true "$(jq -r .from_cache "$T/last.out")" "--owners again"
assert_status 0 restore -d "$dst" -y --keep-previous=0 --json "$a1"
assert_eq true "$(jq -r .from_cache "$T/last.out")" "without --owners again"
assert_eq 2 "$(restore --cache=list --json | jq length)" "templates with and without --owners"
assert_status 0 restore --cache=clear

# a template a killed run created but never described is found and dropped by --cache=clear
psql_q postgres "CREATE DATABASE db_tools_cache_0123456789abcdef"
on_exit "psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS db_tools_cache_0123456789abcdef'"
assert_status 0 restore --cache=list --json
assert_eq 0 "$(jq length "$T/last.out")" "--cache=list shows an undescribed template"
assert_status 0 restore --cache=clear
assert_eq 0 "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname = 'db_tools_cache_0123456789abcdef'")" \
    "an undescribed template after --cache=clear"
