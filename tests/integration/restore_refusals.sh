#!/usr/bin/env bash
# restore_refusals.sh: what db-restore refuses and how it finds archives.
#   no terminal without --yes, "n" at the prompt, a production environment,
#   a non-local host not in allowed_hosts, a template database (exit 3);
#   usage errors (exit 2); NAME resolves to the newest archive of that name;
#   no argument lists; a .tar alone (no sidecar) restores; names and branches from the
#   archive are printed with their control characters escaped.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot

unset DB_TOOLS_CONFIG DATABASE_URL ENV APP_ENV RAILS_ENV NODE_ENV
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"
echo '{"cache_size": 50}' >"$T/db-tools.json"

src=itest_rref_src
dst=itest_rref_dst
dir=$T/b
mkdir -p "$dir"
forget_templates "$dir"

fresh_db "$src"
psql_q "$src" "CREATE TABLE t (v text); INSERT INTO t VALUES ('one')"
assert_status 0 snap -d "$src" -o "$dir" same
older=$(cat "$T/last.out")
sleep 1
psql_q "$src" "UPDATE t SET v = 'two'"
assert_status 0 snap -d "$src" -o "$dir" same
newer=$(cat "$T/last.out")

fresh_db "$dst"
psql_q postgres "DROP DATABASE $dst"
exists() { psql_q postgres "SELECT count(*) FROM pg_database WHERE datname = '$dst'"; }

# --- no terminal, no --yes: refused before anything is created ---------------
assert_status 3 restore -d "$dst" "$newer" </dev/null
grep -q -- '--yes' "$T/last.err" || die "the refusal does not mention --yes"
grep -q 'taken from database "itest_rref_src", not "itest_rref_dst"' "$T/last.err" ||
    die "restoring another database's snapshot is not called out"
assert_eq 0 "$(exists)" "target created without confirmation"

# --- on a terminal: "n" declines, "y" restores ---------------------------------
if command -v script >/dev/null 2>&1; then
    status=0
    printf 'n\n' | script -qec "'$DB_TOOLS_BINDIR/db-restore' -d $dst '$newer'" /dev/null >"$T/tty.out" 2>&1 || status=$?
    assert_eq 3 "$status" "exit status after answering n"
    grep -q 'Restore? \[y/N\]' "$T/tty.out" || die "no prompt on the terminal: $(cat "$T/tty.out")"
    assert_eq 0 "$(exists)" "target created after answering n"
    status=0
    printf 'y\n' | script -qec "'$DB_TOOLS_BINDIR/db-restore' -d $dst '$newer'" /dev/null >"$T/tty.out" 2>&1 || status=$?
    assert_eq 0 "$status" "exit status after answering y"
    assert_eq two "$(psql_q "$dst" 'SELECT v FROM t')" "content after answering y"
    psql_q postgres "DROP DATABASE $dst"
else
    die "script(1) (util-linux) is needed to test the prompt"
fi

# --- production guard -------------------------------------------------------------
for var in ENV APP_ENV RAILS_ENV NODE_ENV; do
    assert_status 3 env "$var=production" "$DB_TOOLS_BINDIR/db-restore" -d "$dst" -y "$newer"
    grep -q "$var" "$T/last.err" || die "the refusal does not name $var"
    assert_eq 0 "$(exists)" "target created in spite of $var=production"
done
remote="host=db.example.test hostaddr=127.0.0.1 port=${PGPORT:-5432} user=${PGUSER:-postgres} dbname=$dst"
assert_status 3 restore -d "$remote" -y "$newer"
grep -q 'db.example.test' "$T/last.err" || die "the refusal does not name the host"
assert_eq 0 "$(exists)" "target created on a host that is not allowed"
echo '{"cache_size": 50, "allowed_hosts": ["db.example.test"]}' >"$T/allowed.json"
assert_status 0 restore --config "$T/allowed.json" -d "$remote" -y "$newer"
assert_eq two "$(psql_q "$dst" 'SELECT v FROM t')" "content after restoring to an allowed host"
assert_status 0 env NODE_ENV=production "$DB_TOOLS_BINDIR/db-restore" -d "$dst" -y --force "$older"
assert_eq one "$(psql_q "$dst" 'SELECT v FROM t')" "content after --force"
assert_status 3 restore -d template1 -y "$newer"

# --- usage errors ---------------------------------------------------------------
assert_status 2 restore --cache=bogus
assert_status 2 restore --verify
assert_status 2 restore -j 0 "$newer"
assert_status 2 restore --keep-previous=-1 "$newer"
assert_status 2 restore "$newer" "$older"
assert_status 2 restore --cache=list "$newer"
assert_status 2 restore --no-such-option
assert_status 0 restore --help
grep -q -- '--keep-previous' "$T/last.out" || die "--help does not list --keep-previous"

# --- NAME, listing, a .tar alone --------------------------------------------------
assert_status 0 restore -o "$dir" -d "$dst" -y --json same
assert_eq "$newer" "$(jq -r .archive "$T/last.out")" "NAME resolves to the newest archive"
assert_eq two "$(psql_q "$dst" 'SELECT v FROM t')" "content after restoring by NAME"
assert_status 1 restore -o "$dir" -d "$dst" -y nosuchname
grep -q 'no snapshot named "nosuchname"' "$T/last.err" || die "unknown NAME: unclear message"
assert_status 0 restore -o "$dir"
grep -q '^same ' "$T/last.out" || die "the listing does not show the snapshots: $(cat "$T/last.out")"
assert_status 0 restore -o "$dir" --json
assert_eq 2 "$(jq length "$T/last.out")" "snapshots in the JSON listing"
mkdir "$T/alone"
cp "$older" "$T/alone/teammate.tar"
assert_status 0 restore -d "$dst" -y --no-cache "$T/alone/teammate.tar"
assert_eq one "$(psql_q "$dst" 'SELECT v FROM t')" "content after restoring a .tar without its sidecar"

# --- text from someone else's archive cannot drive the terminal ---------------------
# A database name and branch with escape sequences (clear screen, set the window title)
# are shown with \xNN in the summary, the warnings and the listing.
unpack_archive "$older"
# A host with a newline cannot add a line of its own to the plan.
jq '.source.database = "app\u001b[2J" | .git = {"branch": "b\u001b]0;x\u0007", "commit": "c"}
    | .source.host = "evil\ntarget    database \"fake\"\tX"' \
    "$T/rb/meta.json" >"$T/rb/meta.new" && mv "$T/rb/meta.new" "$T/rb/meta.json"
mkdir "$T/hostile"
repack_archive "$T/hostile/20260101-000000_hostile.tar"
cp "$T/rb/meta.json" "$T/hostile/20260101-000000_hostile.meta"
assert_status 3 restore -d "$dst" "$T/hostile/20260101-000000_hostile.tar" </dev/null
grep -qF 'database "app\x1b[2J"' "$T/last.err" || die "the summary does not show the name escaped: $(cat "$T/last.err")"
grep -qF 'git branch b\x1b]0;x\x07' "$T/last.err" || die "the summary does not show the branch escaped"
grep -qF 'taken from database "app\x1b[2J", not' "$T/last.err" || die "the warning does not show the name escaped"
grep -qF 'on evil\x0atarget    database "fake"\x09X:' "$T/last.err" || die "the host's newline is not escaped: $(cat "$T/last.err")"
! grep -q '^target    database "fake"' "$T/last.err" || die "the archive added a line to the plan"
assert_status 0 restore -o "$T/hostile"
grep -qF 'app\x1b[2J' "$T/last.out" || die "the listing does not show the name escaped: $(cat "$T/last.out")"
for f in "$T/last.err" "$T/last.out"; do
    if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$f"; then
        die "a control character reached the terminal: $(od -c "$f" | head)"
    fi
done
