#!/usr/bin/env bash
# db-snapshot basics: options and usage errors, default NAME (database name,
# git branch), file names and modes, stdout, -q, DATABASE_URL, and a URI
# with a password that must not end up anywhere.
. "$(dirname "$0")/lib.sh"
require_snapshot

db=itest_basic
fresh_db "$db"
psql_q "$db" "CREATE TABLE t (id int PRIMARY KEY, note text); INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 500) g;"

# --- usage -------------------------------------------------------------------------
assert_status 0 snap --help
grep -q '^Usage: db-snapshot' "$T/last.out" || die "--help does not print the usage"
assert_status 0 snap --version
grep -Eq '^db-snapshot \(db-tools\) [0-9]+\.[0-9]+' "$T/last.out" || die "--version output: $(cat "$T/last.out")"
for bad in "--no-such-option" "-j 0" "-j 65" "-j x" "-Z 10" "-Z -1" "--progress=sometimes" "--split=maybe" \
           "--json" "--keep 3" "--older-than 3d" "--prune --older-than 3y" "a b" "--list x" \
           "-d ''"; do
    eval "set -- $bad"
    assert_status 2 snap -o "$T/never" "$@"
    [ -s "$T/last.err" ] || die "usage error for '$bad' printed no message"
done
for name in "a/b" ".hidden" "-x" "a..b" "has space" "$(printf 'x%.0s' {1..101})"; do
    assert_status 2 snap -o "$T/never" -d "$db" -- "$name"
    grep -q 'invalid snapshot name' "$T/last.err" || die "NAME '$name': $(cat "$T/last.err")"
done
[ ! -e "$T/never" ] || die "a usage error created the output directory"

# --- default NAME outside git: the database name ----------------------------------
mkdir "$T/plain"
(cd "$T/plain" && snap -d "$db" -o "$T/b1" --progress=never >"$T/out" 2>"$T/err") || die "snapshot failed: $(cat "$T/err")"
tar=$(ls "$T"/b1/*.tar)
meta=${tar%.tar}.meta
[[ $(basename "$tar") =~ ^[0-9]{8}-[0-9]{6}_${db}\.tar$ ]] || die "unexpected file name $tar"
[ -f "$meta" ] || die "no sidecar $meta"
assert_eq "600" "$(stat -c %a "$tar")" "archive mode"
assert_eq "600" "$(stat -c %a "$meta")" "sidecar mode"
assert_eq "$tar" "$(cat "$T/out")" "stdout is the archive path"
grep -q 'restore' "$T/err" || die "no summary with the restore command on stderr"
[ -z "$(ls "$T"/b1/*.partial 2>/dev/null)" ] || die "a .partial file was left"
assert_eq "$db" "$(meta_get "$meta" .name)" "default name"
assert_eq "null" "$(meta_get "$meta" .git)" "git outside a work tree"
assert_eq "500" "$(meta_get "$meta" '.tables[] | select(.name=="t") | .rows')" "row count"
cmp <(tar -xOf "$tar" meta.json) "$meta" || die "meta.json differs from the sidecar"
assert_eq "meta.json" "$(tar -tf "$tar" | tail -n 1)" "meta.json is the last member"
assert_eq "schema/pre-data.sql" "$(tar -tf "$tar" | head -n 1)" "pre-data is the first member"

# --- default NAME inside git: the branch, recorded with the commit -----------------
mkdir "$T/repo"
(
    cd "$T/repo"
    git init -q -b main . && git -c user.email=t@e -c user.name=t commit -q --allow-empty -m init
    git checkout -q -b feature/PAY-12
    snap -d "$db" -o "$T/b2" -q >/dev/null
) || die "snapshot in a git work tree failed"
meta=$(ls "$T"/b2/*.meta)
assert_eq "feature-PAY-12" "$(meta_get "$meta" .name)" "name from the git branch"
assert_eq "feature/PAY-12" "$(meta_get "$meta" .git.branch)" "git branch in meta"
[[ $(meta_get "$meta" .git.commit) =~ ^[0-9a-f]{40}$ ]] || die "git commit missing"

# --- -q prints nothing on stderr; DATABASE_URL is used without -d -------------------
DATABASE_URL="dbname=$db" snap -o "$T/b3" -q named >"$T/out" 2>"$T/err" || die "snapshot with DATABASE_URL failed"
[ ! -s "$T/err" ] || die "-q printed: $(cat "$T/err")"
assert_eq "$db" "$(meta_get "$(ls "$T"/b3/*.meta)" .source.database)" "DATABASE_URL database"

# --- a URI with a password: works, and the password is stored nowhere --------------
secret="s3cr3t-Pw-$$"
psql_q postgres "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'itest_pw') THEN CREATE ROLE itest_pw LOGIN; END IF; END \$\$;"
psql_q postgres "ALTER ROLE itest_pw PASSWORD '$secret'"
psql_q "$db" "GRANT SELECT ON ALL TABLES IN SCHEMA public TO itest_pw"
uri="postgresql://itest_pw:${secret}@127.0.0.1:${PGPORT}/${db}"
env -u PGHOST -u PGUSER "$DB_TOOLS_BINDIR/db-snapshot" -d "$uri" -o "$T/b4" --progress=never withpw >"$T/out" 2>"$T/err" \
    || die "snapshot through a password URI failed: $(cat "$T/err")"
tar=$(ls "$T"/b4/*.tar)
meta=${tar%.tar}.meta
assert_eq "itest_pw" "$(meta_get "$meta" .source.user)" "source user"
assert_eq "127.0.0.1" "$(meta_get "$meta" .source.host)" "source host"
if grep -rq -- "$secret" "$T/b4" "$T/out" "$T/err"; then die "the password appears in the output"; fi
for m in $(tar -tf "$tar"); do
    if member_text "$tar" "$m" | grep -q -- "$secret"; then die "the password appears in member $m"; fi
done
grep -qi password "$meta" && die "the .meta mentions a password"

# --- -Z 0 still writes gzip members ------------------------------------------------
snap -d "$db" -o "$T/b5" -Z 0 -q z0 >/dev/null || die "-Z 0 failed"
tar=$(ls "$T"/b5/*.tar)
m=$(tar -tf "$tar" | grep '^data/.*_public\.t\.gz$')
assert_eq "500" "$(member_text "$tar" "$m" | wc -l)" "-Z 0 member rows"
assert_eq "0" "$(meta_get "${tar%.tar}.meta" .compression_level)" "compression level recorded"
note "ok"
