#!/usr/bin/env bash
# restore_failures.sh: a restore that fails before the swap leaves the target
# exactly as it was (same fingerprint) and no half-built database:
#   a corrupted member, a truncated archive, not a tar at all, a newer
#   format, a member that inflates beyond its declared size (exit 4, target
#   untouched); a row the server rejects in the middle
#   of a COPY (exit 1); the load's sessions terminated (exit 1, the cause said);
#   db-restore killed with SIGKILL (the next run cleans
#   up); a role that cannot open all -j connections (exit 1, nothing left);
#   an archive whose objects belong to a role the server does not have
#   (restores without --owners, fails cleanly with it).
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot

unset DB_TOOLS_CONFIG DATABASE_URL
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"
echo '{"cache_size": 50}' >"$T/db-tools.json"

src=itest_rfail_src
dst=itest_rfail_dst
dir=$T/b
mkdir -p "$dir"
forget_templates "$dir"

fresh_db "$src"
psql_q "$src" "CREATE TABLE big (id int PRIMARY KEY, n int NOT NULL, pad text);
               INSERT INTO big SELECT g, g, repeat(md5(g::text), 3) FROM generate_series(1, 600000) g;
               CREATE TABLE small (id int PRIMARY KEY, note text);
               INSERT INTO small SELECT g, 'row ' || g FROM generate_series(1, 1000) g;"
assert_status 0 snap -d "$src" -o "$dir" good
good=$(cat "$T/last.out")
big_member=$(jq -r '.tables[] | select(.name == "big") | .members[0].member' "${good%.tar}.meta")
small_member=$(jq -r '.tables[] | select(.name == "small") | .members[0].member' "${good%.tar}.meta")

# The target holds something else, which must survive every failure.
fresh_db "$dst"
psql_q "$dst" "CREATE TABLE keep (v text); INSERT INTO keep VALUES ('precious')"
fingerprint "$dst" >"$T/dst.before"

leftovers() {
    psql_q postgres "SELECT datname FROM pg_database WHERE datname LIKE '${dst}\_\_%'"
}

target_unchanged() {
    fingerprint "$dst" >"$T/dst.after"
    diff -u "$T/dst.before" "$T/dst.after" >&2 || die "$1: the target changed"
    assert_eq "" "$(leftovers)" "$1: databases left behind"
    assert_eq t "$(psql_q postgres "SELECT datallowconn FROM pg_database WHERE datname = '$dst'")" \
        "$1: the target accepts connections"
}

# expect_refusal STATUS PATTERN LABEL ARCHIVE: restore fails with STATUS, says PATTERN
expect_refusal() {
    assert_status "$1" restore -d "$dst" -y "$4"
    grep -q -i -- "$2" "$T/last.err" || die "$3: message does not say '$2': $(cat "$T/last.err")"
    target_unchanged "$3"
}

# member_offset TAR MEMBER: byte offset of the member's data (ustar headers)
member_offset() {
    local block
    block=$(tar -tvRf "$1" | awk -v m="$2" '$NF == m { sub(":", "", $2); print $2 }')
    [ -n "$block" ] || die "member $2 not found in $1"
    echo $(((block + 1) * 512))
}

# --- a corrupted member: refused by --verify and by a restore (exit 4) -------
cp "$good" "$T/corrupt.tar"
off=$(member_offset "$good" "$big_member")
printf 'XXXXXXXXXXXXXXXX' | dd of="$T/corrupt.tar" bs=1 seek=$((off + 200000)) conv=notrunc status=none
assert_status 4 restore --verify "$T/corrupt.tar"
grep -q "$big_member" "$T/last.err" || die "--verify does not name the corrupt member"
assert_status 0 restore --verify "$good"
expect_refusal 4 "$big_member" "corrupted member" "$T/corrupt.tar"

# --- a truncated archive, a file that is not a tar, an empty file -------------
head -c $(($(stat -c %s "$good") / 2)) "$good" >"$T/truncated.tar"
expect_refusal 4 "unusable" "truncated archive" "$T/truncated.tar"
head -c 100000 /dev/urandom >"$T/random.tar"
expect_refusal 4 "unusable" "not a tar" "$T/random.tar"
: >"$T/empty.tar"
expect_refusal 4 "unusable" "empty file" "$T/empty.tar"
assert_status 1 restore -d "$dst" -y "$T/missing.tar"
target_unchanged "missing file"

# --- a newer format version ---------------------------------------------------
unpack_archive "$good"
jq '.format_version = 99' "$T/rb/meta.json" >"$T/rb/meta.new" && mv "$T/rb/meta.new" "$T/rb/meta.json"
repack_archive "$T/newer.tar"
expect_refusal 4 "newer" "newer format" "$T/newer.tar"

# --- the server rejects a row in the middle of a COPY (checksums are right) -----
unpack_archive "$good"
gunzip -c "$T/rb/$small_member" | awk -F '\t' 'NR == 500 { $1 = "not-a-number" } { print }' OFS='\t' >"$T/small.txt"
gzip -c "$T/small.txt" >"$T/rb/$small_member"
jq --arg m "$small_member" --arg sha "$(sha256sum <"$T/rb/$small_member" | cut -c1-64)" \
   --argjson raw "$(stat -c %s "$T/small.txt")" --argjson st "$(stat -c %s "$T/rb/$small_member")" \
   '(.tables[].members[] | select(.member == $m)) |= (.sha256 = $sha | .raw_bytes = $raw | .stored_bytes = $st) |
    (.tables[] | select(.members[0].member == $m)) |= (.raw_bytes = $raw | .stored_bytes = $st)' \
   "$T/rb/meta.json" >"$T/rb/meta.new" && mv "$T/rb/meta.new" "$T/rb/meta.json"
repack_archive "$T/badrow.tar"
assert_status 0 restore --verify "$T/badrow.tar"
expect_refusal 1 "not-a-number" "server-side COPY error" "$T/badrow.tar"

# --- one member listed twice, another not at all (the counts agree): refused ---------
unpack_archive "$good"
st=$(jq -r --arg m "$small_member" '.tables[].members[] | select(.member == $m) | .stored_bytes' "$T/rb/meta.json")
jq --arg m "$small_member" --arg b "$big_member" --argjson st "$st" \
   '(.tables[] | select(.members[0].member == $b)) |=
      (.members[0].member = $m | .members[0].stored_bytes = $st | .stored_bytes = ([.members[].stored_bytes] | add))' \
   "$T/rb/meta.json" >"$T/rb/meta.new" && mv "$T/rb/meta.new" "$T/rb/meta.json"
repack_archive "$T/twice.tar"
assert_status 4 restore --verify "$T/twice.tar"
grep -q "member \"$small_member\" is listed twice in its meta.json" "$T/last.err" ||
    die "--verify of a member listed twice: $(cat "$T/last.err")"
# the schema sections may not name the same member either
unpack_archive "$good"
jq '.schema.pre_data = .schema.post_data' "$T/rb/meta.json" >"$T/rb/meta.new" && mv "$T/rb/meta.new" "$T/rb/meta.json"
repack_archive "$T/twice-schema.tar"
assert_status 4 restore --verify "$T/twice-schema.tar"
grep -q 'is listed twice in its meta.json' "$T/last.err" || die "--verify of pre_data = post_data: $(cat "$T/last.err")"

# --- a NUL byte in a schema member: refused, not a script cut short there ------------
unpack_archive "$good"
pre=$(jq -r '.schema.pre_data.member' "$T/rb/meta.json")
printf '\0DROP TABLE IF EXISTS whatever;\n' >>"$T/rb/$pre"
jq --arg sha "$(sha256sum <"$T/rb/$pre" | cut -c1-64)" --argjson b "$(stat -c %s "$T/rb/$pre")" \
   '.schema.pre_data.sha256 = $sha | .schema.pre_data.bytes = $b' \
   "$T/rb/meta.json" >"$T/rb/meta.new" && mv "$T/rb/meta.new" "$T/rb/meta.json"
repack_archive "$T/nul.tar"
assert_status 4 restore --verify "$T/nul.tar"
grep -q "member \"$pre\" contains a NUL byte" "$T/last.err" || die "--verify of a NUL byte: $(cat "$T/last.err")"
expect_refusal 4 "member \"$pre\" contains a NUL byte" "NUL byte in the schema" "$T/nul.tar"

# --- a decompression bomb: a member that inflates far beyond its declared size ------
# 1 MB of gzip holding ~100 MB of rows, declared as the original member's few KB: the
# load stops as soon as the declared size is passed, not at the end of the member
unpack_archive "$good"
declared=$(jq -r --arg m "$small_member" '.tables[].members[] | select(.member == $m) | .raw_bytes' "$T/rb/meta.json")
awk 'BEGIN { for (i = 1; i <= 4000000; i++) printf "%d\tbomb row %020d\n", i, i }' | gzip -1 >"$T/rb/$small_member"
jq --arg m "$small_member" --argjson st "$(stat -c %s "$T/rb/$small_member")" \
   '(.tables[].members[] | select(.member == $m)) |= (.stored_bytes = $st) |
    (.tables[] | select(any(.members[]; .member == $m))) |= (.stored_bytes = $st)' \
   "$T/rb/meta.json" >"$T/rb/meta.new" && mv "$T/rb/meta.new" "$T/rb/meta.json"
repack_archive "$T/bomb.tar"
expect_refusal 4 "member \"$small_member\" holds more than the $declared bytes its meta.json says" \
    "decompression bomb" "$T/bomb.tar"
assert_status 4 restore --verify "$T/bomb.tar"
grep -q "holds more than the $declared bytes" "$T/last.err" || die "--verify of the bomb: $(cat "$T/last.err")"

# --- the load's sessions terminated: the cause is said, the target untouched ---------
app=itest_rfail_term_$$
PGAPPNAME=$app "$DB_TOOLS_BINDIR/db-restore" -d "$dst" -y --no-cache -j 2 "$good" >"$T/term.out" 2>"$T/term.err" &
pid=$!
for _ in $(seq 300); do
    [ "$(psql_q postgres "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                           WHERE application_name = '$app' AND query LIKE 'COPY%'")" -gt 0 ] && break
    sleep 0.05
done
rc=0
wait "$pid" || rc=$?
assert_eq 1 "$rc" "exit status after the load's sessions were terminated"
grep -q 'error: .*terminating connection due to administrator command\|error: .*server closed the connection' "$T/term.err" ||
    die "the cause is not said: $(cat "$T/term.err")"
target_unchanged "load sessions terminated"

# --- killed with SIGKILL while loading; the next run cleans up ------------------
"$DB_TOOLS_BINDIR/db-restore" -d "$dst" -y -j 1 "$good" >"$T/killed.out" 2>&1 &
pid=$!
loading() {
    [ -n "$(leftovers)" ] &&
        [ "$(psql_q postgres "SELECT count(*) FROM pg_stat_activity
                              WHERE application_name = 'db-restore' AND query LIKE '%COPY %FROM STDIN%'")" -gt 0 ]
}
wait_until 30 loading || die "the restore never started loading (or finished too fast to be killed)"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
left=$(leftovers)
[ -n "$left" ] || die "expected the killed run to leave its half-built database"
fingerprint "$dst" >"$T/dst.after"
diff -u "$T/dst.before" "$T/dst.after" >&2 || die "SIGKILL: the target changed"
assert_status 0 restore -d "$dst" -y --no-cache --keep-previous=0 "$good"
grep -q "dropping \"$left\", left by an interrupted run" "$T/last.err" ||
    die "the next run did not say it cleaned up $left: $(cat "$T/last.err")"
assert_eq "" "$(leftovers)" "databases left after the next run"
assert_eq 600000 "$(psql_q "$dst" 'SELECT count(*) FROM big')" "rows after the next run"
# "big" is large enough to be loaded over both connections at once: same content as the source
fingerprint "$src" >"$T/src.fp"
fingerprint "$dst" >"$T/dst.fp"
diff -u "$T/src.fp" "$T/dst.fp" >&2 || die "the table loaded over several connections differs from the source"

# --- not every connection of -j can be opened: nothing is left half-built --------
# A role that may create databases but hold only three sessions: the maintenance
# connection and four loaders cannot all be open at once.
limited=itest_rfail_limited_$$
psql_q postgres "CREATE ROLE $limited LOGIN CREATEDB CONNECTION LIMIT 3"
fingerprint "$dst" >"$T/dst.before"
PGUSER=$limited assert_status 1 restore -d "$dst" -y --no-cache -j 4 "$good"
grep -q -i "too many connections" "$T/last.err" ||
    die "connection limit: the message does not give the server's reason: $(cat "$T/last.err")"
target_unchanged "connection limit"
assert_eq 0 "$(settled_zero postgres "SELECT count(*) FROM pg_stat_activity WHERE usename = '$limited'")" \
    "sessions of the failed restore still open"
psql_q postgres "DROP ROLE $limited"

# A successful restore leaves no session behind. Its sessions carry an application name of
# their own here: other tests' db-restore sessions may be open at the same time.
app=itest_rfail_$$
PGAPPNAME=$app assert_status 0 restore -d "$dst" -y --no-cache --keep-previous=0 -j 3 "$good"
assert_eq 0 "$(settled_zero postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$app'")" \
    "db-restore sessions open after it exited"

# --- objects owned by a role the server does not have ---------------------------
role=itest_rfail_role_$$
fresh_db itest_rfail_roles
psql_q itest_rfail_roles "CREATE ROLE $role; CREATE TABLE owned (v int); INSERT INTO owned VALUES (7);
                          ALTER TABLE owned OWNER TO $role; GRANT SELECT ON owned TO PUBLIC"
assert_status 0 snap -d itest_rfail_roles -o "$dir" roles
roles=$(cat "$T/last.out")
psql_q postgres "DROP DATABASE itest_rfail_roles"
psql_q postgres "DROP ROLE $role"
fingerprint "$dst" >"$T/dst.before"
assert_status 1 restore -d "$dst" -y --owners "$roles"
grep -q "detail: .*\"$role\" (does not exist)" "$T/last.err" || die "--owners: the missing role is not named: $(cat "$T/last.err")"
target_unchanged "--owners with a missing role"
assert_status 0 restore -d "$dst" -y --no-cache "$roles"
assert_eq 7 "$(psql_q "$dst" 'SELECT v FROM owned')" "restored without the missing role"
