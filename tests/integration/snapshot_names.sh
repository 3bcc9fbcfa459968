#!/usr/bin/env bash
# snapshot_names.sh: naming one snapshot, deleting and renaming, archives dropped into the
# snapshot directory, the empty listing, and the .gitignore of a new snapshot directory.
#   Names: three snapshots of one name; NAME is the newest, NAME~1 and NAME~2 the ones before,
#   NAME~3 is an error; the FILE column of --list (the stamped name) with or without .tar,
#   and ~N after it, restore the snapshot they name (db-restore and db-reset --from).
#   A teammate's archive renamed baseline.tar (no sidecar, and a sidecar under another name
#   beside it) is listed under the name its meta.json records and restores by file name and
#   by that name; a junk .tar is skipped with a warning and a stamped junk one is listed as
#   unreadable, and neither stops the listing.
#   --delete: refused without a terminal and without -y (exit 3, nothing removed); asks on a
#   terminal (no keeps it, y removes it); -y removes both files.  --prune --keep=0 NAME~1 or
#   a stamped name is a usage error pointing at --delete.
#   --rename: the stamp stays, meta.json inside and the sidecar carry the new name and stay
#   byte-identical, the old files are gone, the new name restores; a taken or invalid new
#   name leaves the old snapshot as it was, and restorable.
#   The summary after a snapshot suggests db-restore with its NAME (and -o DIR), or the path
#   for -f.  The empty listing says where it looked and how to take one.
#   A snapshot directory created inside a git work tree gets a .gitignore holding "*" (0644),
#   so git status stays clean; not outside one, not in a directory that existed, and nothing
#   goes wrong when git is not installed.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot

unset DB_TOOLS_CONFIG DATABASE_URL ENV APP_ENV RAILS_ENV NODE_ENV
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"

src=itest_names_src
dst=itest_names_dst
dir=$T/b
mkdir -p "$dir" "$T/metas"
forget_templates "$dir"
forget_templates "$T/metas"    # copies of every .meta: templates of deleted and renamed archives too
keep_metas() { cp "$dir"/*.meta "$T/metas/" 2>/dev/null || true; }

fresh_db "$src"
fresh_db "$dst"
rows() { psql_q "$dst" "SELECT count(*) FROM t"; }
# take one snapshot named feat holding N rows, in a second of its own (the stamp has seconds)
snap_rows() {
    local before
    psql_q "$src" "DROP TABLE IF EXISTS t; CREATE TABLE t AS SELECT g AS id FROM generate_series(1, $1) g"
    before=$(date -u +%s)
    while [ "$(date -u +%s)" = "$before" ]; do sleep 0.1; done
    snap -d "$src" -o "$dir" -q feat >/dev/null || die "snapshot of $1 rows failed"
}
snap_rows 10
snap_rows 20
snap_rows 30
keep_metas
mapfile -t files < <(ls "$dir"/*_feat.tar)
[ "${#files[@]}" = 3 ] || die "expected 3 archives named feat: ${files[*]}"
v1=$(basename "${files[0]}" .tar)
v2=$(basename "${files[1]}" .tar)
v3=$(basename "${files[2]}" .tar)

# --- the list shows what to type ------------------------------------------------------------
assert_status 0 snap --list -o "$dir"
head -n 1 "$T/last.out" | grep -q 'NAME.*SIZE  FILE$' || die "list header: $(head -n 1 "$T/last.out")"
grep -q " $v1.tar\$" "$T/last.out" || die "the FILE column misses $v1.tar: $(cat "$T/last.out")"
assert_status 0 snap --list --json -o "$dir"
assert_eq "$v1.tar $v2.tar $v3.tar" "$(jq -r '[.[].file] | join(" ")' "$T/last.out")" "JSON file names"

# --- NAME, NAME~N, stamped names --------------------------------------------------------------
restore_rows() {   # EXPECTED_ROWS ARG...
    local want=$1
    shift
    assert_status 0 restore -y -q -o "$dir" -d "$dst" "$@"
    assert_eq "$want" "$(rows)" "rows after db-restore $*"
}
restore_rows 30 feat
restore_rows 20 feat~1
restore_rows 10 feat~2
restore_rows 30 feat~0
restore_rows 10 "$v1"
restore_rows 20 "$v2.tar"
restore_rows 20 "$v3~1"
restore_rows 10 "$v3.tar~2"
assert_status 1 restore -y -o "$dir" -d "$dst" feat~3
grep -q 'not that many' "$T/last.err" || die "feat~3: $(cat "$T/last.err")"
assert_status 1 restore -y -o "$dir" -d "$dst" nosuch
grep -q 'no snapshot named "nosuch"' "$T/last.err" || die "nosuch: $(cat "$T/last.err")"
assert_status 2 restore -y -o "$dir" -d "$dst" 'feat~x y'
assert_status 1 restore -y -o "$dir" -d "$dst" nosuch.tar
grep -q 'no archive "nosuch.tar" here or in' "$T/last.err" || die "nosuch.tar: $(cat "$T/last.err")"
# db-reset --from resolves the same way
assert_status 0 run_tool db-reset -y -q -o "$dir" -d "$dst" --from feat~1
assert_eq 20 "$(rows)" "rows after db-reset --from feat~1"

# --- an archive dropped into the directory -----------------------------------------------------
psql_q "$src" "DROP TABLE t; CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 42) g"
snap -d "$src" -o "$T/mate" -q mate >/dev/null || die "teammate snapshot failed"
cp "$T"/mate/*_mate.tar "$dir/baseline.tar"
cp "$T"/mate/*_mate.meta "$dir/baseline-notes.meta"   # a sidecar under another name: not one
cp "$T"/mate/*_mate.meta "$T/metas/"
assert_status 0 snap --list --json -o "$dir"
assert_eq 4 "$(jq length "$T/last.out")" "list with the teammate's archive"
assert_eq "mate" "$(jq -r '.[] | select(.file == "baseline.tar") | .name' "$T/last.out")" "its meta name"
assert_eq "true" "$(jq -r '.[] | select(.file == "baseline.tar") | .valid' "$T/last.out")" "it is valid"
assert_eq "42" "$(jq -r '.[] | select(.file == "baseline.tar") | .rows' "$T/last.out")" "its rows"
restore_rows 42 baseline
restore_rows 42 baseline.tar
restore_rows 42 mate
restore_rows 30 feat

# junk beside it: a .tar that is no archive is skipped with a warning, a stamped one is listed as unreadable
mkdir "$T/junk"
cp "$dir/baseline.tar" "$T/junk/"
head -c 3000 /dev/urandom >"$T/junk/junk.tar"
head -c 3000 /dev/urandom >"$T/junk/20200101-000000_broken.tar"
: >"$T/junk/empty.tar"
assert_status 0 timeout 30 "$DB_TOOLS_BINDIR/db-snapshot" --list -o "$T/junk"
assert_eq 3 "$(wc -l <"$T/last.out")" "junk listing: header, broken, baseline"
grep -q 'junk.tar.*not a snapshot archive' "$T/last.err" || die "no warning for junk.tar: $(cat "$T/last.err")"
grep -q '^broken .*(unreadable)' "$T/last.out" || die "broken is not listed as unreadable: $(cat "$T/last.out")"
grep -q 'baseline.tar$' "$T/last.out" || die "baseline.tar not listed beside junk"
assert_status 0 timeout 30 "$DB_TOOLS_BINDIR/db-restore" -o "$T/junk"
assert_status 4 restore -y -o "$T/junk" -d "$dst" broken

# --- the empty listing ----------------------------------------------------------------------
mkdir "$T/empty"
assert_status 0 snap --list -o "$T/empty"
assert_eq "no snapshots in $T/empty (db-snapshot -o $T/empty NAME takes one)" "$(cat "$T/last.out")" \
    "empty listing"
(cd "$T/empty" && "$DB_TOOLS_BINDIR/db-snapshot" --list) >"$T/empty.out" || die "--list in the default dir"
assert_eq "no snapshots in backups (db-snapshot NAME takes one)" "$(cat "$T/empty.out")" "empty default listing"

# --- delete ---------------------------------------------------------------------------------
assert_status 3 snap --delete -o "$dir" feat~2 </dev/null
grep -q 'refusing to delete without confirmation' "$T/last.err" || die "no refusal: $(cat "$T/last.err")"
[ -e "$dir/$v1.tar" ] && [ -e "$dir/$v1.meta" ] || die "a refused delete removed files"
assert_status 2 snap --delete -o "$dir"
assert_status 2 snap --delete -o "$dir" "$dir/$v1.tar"
assert_status 1 snap --delete -y -o "$dir" feat~7
# on a terminal it asks: "n" keeps it, "y" removes it
tty_delete() {   # ANSWER ARG
    printf '%s\n' "$1" | script -qec "$DB_TOOLS_BINDIR/db-snapshot --delete -o $dir $2" /dev/null >"$T/tty.out" 2>&1
}
tty_delete n feat~2 || true
grep -q 'Delete this snapshot? \[y/N\]' "$T/tty.out" || die "no question on a terminal: $(cat "$T/tty.out")"
grep -q "$v1.tar" "$T/tty.out" || die "the question does not show the files: $(cat "$T/tty.out")"
[ -e "$dir/$v1.tar" ] || die "answering n removed the snapshot"
tty_delete y feat~2 || die "answering y failed: $(cat "$T/tty.out")"
[ ! -e "$dir/$v1.tar" ] && [ ! -e "$dir/$v1.meta" ] || die "answering y left $v1"
assert_status 0 snap --delete -y -o "$dir" "$v2"
[ ! -e "$dir/$v2.tar" ] && [ ! -e "$dir/$v2.meta" ] || die "--delete -y left $v2"
assert_status 1 restore -y -o "$dir" -d "$dst" feat~1
[ -e "$dir/$v3.tar" ] || die "the newest feat is gone"

# --prune takes a NAME; one snapshot is for --delete
assert_status 2 snap --prune --keep=0 -o "$dir" feat~1
grep -q -- '--delete feat~1' "$T/last.err" || die "no --delete hint: $(cat "$T/last.err")"
assert_status 2 snap --prune --keep=0 -o "$dir" "$v3"
[ -e "$dir/$v3.tar" ] || die "a refused prune removed files"

# --- rename ---------------------------------------------------------------------------------
stamp3=${v3%%_*}
assert_status 0 snap --rename -o "$dir" feat renamed
assert_eq "$dir/${stamp3}_renamed.tar" "$(cat "$T/last.out")" "the new archive's path on stdout"
grep -Eq 'error|warning' "$T/last.err" && die "a rename that worked complained: $(cat "$T/last.err")"
[ ! -e "$dir/$v3.tar" ] && [ ! -e "$dir/$v3.meta" ] || die "the old files are still there"
tar -xOf "$dir/${stamp3}_renamed.tar" meta.json | cmp - "$dir/${stamp3}_renamed.meta" ||
    die "meta.json and the sidecar differ after the rename"
assert_eq renamed "$(meta_get "$dir/${stamp3}_renamed.meta" .name)" "the name inside"
assert_eq "$(meta_get "$T/metas/$v3.meta" '.tables')" "$(meta_get "$dir/${stamp3}_renamed.meta" '.tables')" \
    "the rest of meta.json"
ls "$dir" | grep -q partial && die "partial files left: $(ls "$dir")"
keep_metas
restore_rows 30 renamed
assert_status 0 restore --verify -o "$dir" renamed
# a taken or invalid new name changes nothing, and the snapshot still restores
touch "$dir/${stamp3}_taken.meta"
assert_status 1 snap --rename -o "$dir" renamed taken
grep -q 'already exists' "$T/last.err" || die "taken name: $(cat "$T/last.err")"
rm "$dir/${stamp3}_taken.meta"
assert_status 2 snap --rename -o "$dir" renamed 'bad name'
assert_status 2 snap --rename -o "$dir" renamed
assert_status 1 snap --rename -o "$dir" nosuch other
[ -e "$dir/${stamp3}_renamed.tar" ] && [ -e "$dir/${stamp3}_renamed.meta" ] || die "a failed rename touched files"
ls "$dir" | grep -q partial && die "partial files left after failed renames: $(ls "$dir")"
restore_rows 30 renamed
# the teammate's archive gets the stamp of its meta.json
mate_stamp=$(basename "$(ls "$T"/mate/*_mate.tar)" | cut -c1-15)
assert_status 0 snap --rename -o "$dir" baseline.tar mate-base
[ ! -e "$dir/baseline.tar" ] || die "baseline.tar is still there"
[ -e "$dir/${mate_stamp}_mate-base.tar" ] && [ -e "$dir/${mate_stamp}_mate-base.meta" ] || die "no ${mate_stamp}_mate-base"
keep_metas
restore_rows 42 mate-base

# --- the summary's db-restore command --------------------------------------------------------
psql_q "$src" "DROP TABLE t; CREATE TABLE t AS SELECT 1 AS id"
assert_status 0 snap -d "$src" -o "$dir" sumtest
grep -q "restore   db-restore -o $dir sumtest\$" "$T/last.err" || die "summary: $(cat "$T/last.err")"
keep_metas
assert_status 0 snap -d "$src" -f "$T/elsewhere.tar"
grep -q "restore   db-restore $T/elsewhere.tar\$" "$T/last.err" || die "summary with -f: $(cat "$T/last.err")"
assert_status 0 snap -d "$src" -f "plain.tar"
grep -q 'restore   db-restore ./plain.tar$' "$T/last.err" || die "summary with -f plain.tar: $(cat "$T/last.err")"

# --- .gitignore in a new snapshot directory inside a git work tree -------------------------
if ! command -v git >/dev/null 2>&1; then
    skip_rest "git is not installed: the .gitignore of a new snapshot directory is not checked"
fi
mkdir -p "$T/repo/sub" "$T/plain"
git -C "$T/repo" init -q
(cd "$T/repo/sub" && "$DB_TOOLS_BINDIR/db-snapshot" -d "$src" -q gi >/dev/null) || die "snapshot in a work tree"
[ -f "$T/repo/sub/backups/.gitignore" ] || die "no .gitignore in a new snapshot directory inside a work tree"
grep -qx '\*' "$T/repo/sub/backups/.gitignore" || die ".gitignore: $(cat "$T/repo/sub/backups/.gitignore")"
assert_eq 644 "$(stat -c %a "$T/repo/sub/backups/.gitignore")" ".gitignore mode"
assert_eq "" "$(git -C "$T/repo" status --porcelain --untracked-files=all)" "git status after a snapshot"
# not rewritten, and none in a directory that existed
echo 'mine' >"$T/repo/sub/backups/.gitignore"
(cd "$T/repo/sub" && "$DB_TOOLS_BINDIR/db-snapshot" -d "$src" -q gi2 >/dev/null) || die "second snapshot"
assert_eq mine "$(cat "$T/repo/sub/backups/.gitignore")" "an existing .gitignore is kept"
mkdir "$T/repo/made"
(cd "$T/repo" && "$DB_TOOLS_BINDIR/db-snapshot" -d "$src" -q -o made gi >/dev/null) || die "snapshot into an existing dir"
[ ! -e "$T/repo/made/.gitignore" ] || die ".gitignore written into a directory that existed"
# outside a work tree: none
(cd "$T/plain" && "$DB_TOOLS_BINDIR/db-snapshot" -d "$src" -q gi >/dev/null) || die "snapshot outside a work tree"
[ -d "$T/plain/backups" ] && [ ! -e "$T/plain/backups/.gitignore" ] || die ".gitignore outside a work tree"
# git not installed: the snapshot is taken, without a .gitignore
mkdir "$T/repo/nogit"
(cd "$T/repo/nogit" && PATH=/nonexistent "$DB_TOOLS_BINDIR/db-snapshot" -d "$src" -q gi >/dev/null) ||
    die "snapshot without git on PATH"
[ ! -e "$T/repo/nogit/backups/.gitignore" ] || die ".gitignore written without git"
note "ok"
