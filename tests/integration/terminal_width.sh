#!/usr/bin/env bash
# terminal_width.sh: on a real terminal (a pty of 60 and of 120 columns) every line db-restore
# and db-reset draw fits the width, the progress line included, and the progress line names
# the step: the restore's schema, loading, indexes and constraints, keeping a template and
# swapping; the reset's migrations and seeds with files done of all.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot

unset DB_TOOLS_CONFIG DATABASE_URL SEED_ROWS_COUNT
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
command -v script >/dev/null || skip "script (util-linux) is needed for a terminal"
cd "$T" || die "cannot cd to $T"
src=itest_width_src
dst=itest_width_dst
fresh_db "$src"
fresh_db "$dst"
forget_templates "$T/snaps"
forget_reset_templates "$dst"

# enough rows that the load, and the checking of the foreign key after it, last for several
# drawings of the bar
psql_q "$src" "CREATE TABLE big (id int PRIMARY KEY, a int, b text);
               INSERT INTO big SELECT g, g % 1000, md5(g::text) FROM generate_series(1, 1500000) g;
               CREATE INDEX big_a ON big (a); CREATE INDEX big_b ON big (b);
               CREATE TABLE child (id int, big_id int REFERENCES big);
               INSERT INTO child SELECT g, g FROM generate_series(1, 1500000) g;
               CREATE TABLE a_table_with_a_rather_long_name_to_make_lines_wide (x int);" >/dev/null
assert_status 0 run_tool db-snapshot -q -d "$src" -o "$T/snaps" wide-snapshot-name-for-the-terminal-test
archive=$(cat "$T/last.out")

# on_pty COLUMNS OUT CMD...: run CMD on a terminal of COLUMNS columns, its output (both
# streams, as the terminal got them) in OUT
on_pty() {
    local cols=$1 out=$2
    shift 2
    script -qec "stty cols $cols rows 40; $(printf '%q ' "$@")" /dev/null </dev/null >"$out" 2>&1
}

# screen FILE: what the terminal got, without escape codes, each redraw of the progress line
# (the text between carriage returns) on a line of its own
screen() {
    sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$1" | tr '\r' '\n'
}

# every_line_fits COLUMNS FILE: each line, and each redraw of the progress line (the text
# between carriage returns), without escape codes, is at most COLUMNS - 1 characters
every_line_fits() {
    local cols=$1 file=$2 long
    long=$(screen "$file" |
        awk -v max=$((cols - 1)) 'length($0) > max { print length($0) ": " $0 }' | head -3)
    [ -z "$long" ] || die "lines wider than $((cols - 1)) at $cols columns: $long"
}

# steps FILE: the names the progress line showed, in order, once each
steps() {
    screen "$1" |
        sed -n 's/^\(schema\|loading\|indexes and constraints\|keeping a template\|swapping\|migrations\|seeds\)\( .*\|\)$/\1/p' |
        uniq | tr '\n' ',' | sed 's/,$//'
}

for cols in 60 120; do
    on_pty "$cols" "$T/restore$cols.out" "$DB_TOOLS_BINDIR/db-restore" -d "$dst" -y --progress=always \
        --keep-previous=0 "$archive" || die "the restore on a terminal failed: $(cat "$T/restore$cols.out")"
    every_line_fits "$cols" "$T/restore$cols.out"
    shown=$(steps "$T/restore$cols.out")
    case ",$shown," in
        *,loading,*indexes\ and\ constraints,*keeping\ a\ template*) ;;
        *) die "$cols columns: the restore's steps were not all named (saw: $shown)" ;;
    esac
    screen "$T/restore$cols.out" | grep -q '^restored ' || die "no summary: $(cat "$T/restore$cols.out")"
    # the next run loads the archive again instead of cloning the template this one kept
    drop_templates_of "$T/snaps"
done
note "restore at 60 and 120 columns: every line fits; steps $(steps "$T/restore60.out")"

# the list of snapshots: columns are given up to fit; the name, size and file stay
assert_status 0 run_tool db-snapshot -q -d "$src" -o "$T/list" -j 2 base
for cols in 60 120; do
    on_pty "$cols" "$T/list$cols.out" "$DB_TOOLS_BINDIR/db-snapshot" --list -o "$T/list" ||
        die "the list on a terminal failed: $(cat "$T/list$cols.out")"
    every_line_fits "$cols" "$T/list$cols.out"
    screen "$T/list$cols.out" | grep -Eq '^base .* [0-9.]+ [KMG]?i?B +[0-9]{8}-[0-9]{6}_base\.tar$' ||
        die "$cols columns: the list lost what matters: $(screen "$T/list$cols.out")"
done
screen "$T/list120.out" | grep -q 'DATABASE' || die "120 columns: the list gave up columns it had room for"
screen "$T/list60.out" | grep -q 'DATABASE' && die "60 columns: the list kept every column"

# the reset: migrations and seeds, k/n files
mkdir -p proj/db/migrations proj/db/seeds
echo 'CREATE TABLE t (x int);' >proj/db/migrations/1_t.sql
echo 'CREATE INDEX t_x ON t (x);' >proj/db/migrations/2_t_x.sql
printf 'INSERT INTO t SELECT g FROM generate_series(1, :rows) g;\nSELECT pg_sleep(0.6);\n' >proj/db/seeds/1_t.sql
printf 'SELECT pg_sleep(0.6);\n' >proj/db/seeds/2_wait.sql
echo '{"migrations": {"dir": "db/migrations"}, "seeds": {"dir": "db/seeds", "counts": {"rows": 1000}}}' \
    >proj/db-tools.json
for cols in 60 120; do
    (cd proj && on_pty "$cols" "$T/reset$cols.out" "$DB_TOOLS_BINDIR/db-reset" -d "$dst" -y --progress=always \
        --keep-previous=0 --no-cache) || die "the reset on a terminal failed: $(cat "$T/reset$cols.out")"
    every_line_fits "$cols" "$T/reset$cols.out"
    screen "$T/reset$cols.out" | grep -q '^seeds .*[01]/2 files' ||
        die "$cols columns: no seed progress with files done of all: $(cat -A "$T/reset$cols.out" | head -20)"
    screen "$T/reset$cols.out" | grep -q '^reset ' || die "no summary: $(cat "$T/reset$cols.out")"
done
note "reset at 60 and 120 columns: every line fits; steps $(steps "$T/reset60.out")"
