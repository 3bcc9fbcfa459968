#!/usr/bin/env bash
# db-snapshot failure paths: each exits with its documented status, says
# why, and leaves no file that looks like a snapshot (no .tar, .meta or
# .partial).  Covered: unreachable server, missing database, pg_dump that
# fails or has the wrong version, a full disk (free-space check and a write
# that fails), SIGINT and SIGTERM, SIGKILL (the next run removes the .partial files,
# and not those of a run still going), a connection lost in the middle of COPY, and a
# role that row-level security would show only some rows.
. "$(dirname "$0")/lib.sh"
require_snapshot

db=itest_fail
fresh_db "$db"
# ~60 MB of COPY text that compresses slowly at -Z 9: long enough to interrupt
psql_q "$db" "CREATE TABLE big (id int, a text, b text);
  INSERT INTO big SELECT g, md5(g::text) || md5((g * 7)::text), repeat(md5((g * 3)::text), 2)
  FROM generate_series(1, 500000) g;"

no_snapshot_files() {   # DIR WHAT
    local left
    left=$(find "$1" -type f 2>/dev/null | grep -E '\.(tar|meta|partial)$|spool' || true)
    [ -z "$left" ] || die "$2 left files behind: $left"
}

# --- server not reachable, database missing ---------------------------------------
assert_status 1 snap -d "host=127.0.0.1 port=1 connect_timeout=3" -o "$T/d1" x
grep -q 'could not connect' "$T/last.err" || die "unreachable server: $(cat "$T/last.err")"
no_snapshot_files "$T/d1" "unreachable server"
# libpq quotes a URI it cannot parse: the password is not shown
for tool in "db-snapshot x" "db-restore --cache=list" "db-reset --cache=list"; do
    # shellcheck disable=SC2086 # a tool and its argument
    assert_status 1 run_tool $tool -d 'postgresql://u:SeCrEt@[::1/db'
    grep -q 'postgresql://u:\*\*\*@\[::1/db' "$T/last.err" || die "$tool: the URI is not shown: $(cat "$T/last.err")"
    ! grep -q SeCrEt "$T/last.err" || die "$tool printed the password: $(cat "$T/last.err")"
done
assert_status 1 snap -d "dbname=itest_no_such_db" -o "$T/d1" x
grep -q 'itest_no_such_db' "$T/last.err" || die "missing database not named: $(cat "$T/last.err")"
no_snapshot_files "$T/d1" "missing database"

# --- pg_dump that fails / is too old ------------------------------------------------
real_pg_dump=/usr/lib/postgresql/15/bin/pg_dump
mkdir "$T/bin"
cat >"$T/bin/failing_pg_dump" <<EOS
#!/bin/sh
if [ "\$1" = --version ]; then exec $real_pg_dump --version; fi
echo "pg_dump: error: simulated failure" >&2
exit 1
EOS
cat >"$T/bin/old_pg_dump" <<'EOS'
#!/bin/sh
echo "pg_dump (PostgreSQL) 12.9"
EOS
cat >"$T/bin/slow_pg_dump" <<EOS
#!/bin/sh
if [ "\$1" = --version ]; then exec $real_pg_dump --version; fi
sleep 60
exec $real_pg_dump "\$@"
EOS
cat >"$T/bin/mode_pg_dump" <<EOS
#!/bin/sh
# the real pg_dump, then the mode of the file it wrote (--file=...)
$real_pg_dump "\$@" || exit
for a in "\$@"; do
    case \$a in --file=*) stat -c %a "\${a#--file=}" >"$T/schema-mode" ;; esac
done
EOS
cat >"$T/bin/argv_pg_dump" <<EOS
#!/bin/sh
# what pg_dump is given: its command line, and the service file its environment names
if [ "\$1" = --version ]; then exec $real_pg_dump --version; fi
printf '%s\n' "\$@" >"$T/pg_dump.argv"
cat "\${PGSERVICEFILE:-/dev/null}" >"$T/pg_dump.service"
stat -c %a "\${PGSERVICEFILE:-/dev/null}" >"$T/pg_dump.service-mode"
exec $real_pg_dump "\$@"
EOS
chmod +x "$T"/bin/*

DB_TOOLS_PG_DUMP=$T/bin/failing_pg_dump assert_status 1 snap -d "$db" -o "$T/d2" x
grep -q 'simulated failure' "$T/last.err" || die "pg_dump's message not shown: $(cat "$T/last.err")"
grep -q 'nothing was written' "$T/last.err" || die "no final failure message"
no_snapshot_files "$T/d2" "failing pg_dump"

DB_TOOLS_PG_DUMP=$T/bin/old_pg_dump assert_status 1 snap -d "$db" -o "$T/d2" x
grep -q "12.9" "$T/last.err" && grep -q "PostgreSQL $(psql_q postgres "select current_setting('server_version_num')::int / 10000")" "$T/last.err" || die "version mismatch message: $(cat "$T/last.err")"
no_snapshot_files "$T/d2" "old pg_dump"

# --- signals: SIGTERM and SIGINT while pg_dump runs, SIGINT during COPY --------------
set -m   # background jobs get their own process group and a default SIGINT
for sig in TERM INT; do
    DB_TOOLS_PG_DUMP=$T/bin/slow_pg_dump "$DB_TOOLS_BINDIR/db-snapshot" -d "$db" -o "$T/d3" --progress=never x \
        >"$T/sig.out" 2>"$T/sig.err" &
    pid=$!
    # once it waits for its (slow) pg_dump, with the archive begun
    wait_until 30 pgrep -f "$T/bin/slow_pg_dump" >/dev/null || die "db-snapshot never ran its pg_dump"
    kill -"$sig" "$pid"
    rc=0
    wait "$pid" || rc=$?
    assert_eq 1 "$rc" "exit status after SIG$sig"
    grep -q 'interrupted' "$T/sig.err" || die "SIG$sig: no message: $(cat "$T/sig.err")"
    no_snapshot_files "$T/d3" "SIG$sig"
    if pgrep -f "$T/bin/slow_pg_dump" >/dev/null; then die "pg_dump child survived SIG$sig"; fi
done
"$DB_TOOLS_BINDIR/db-snapshot" -d "$db" -o "$T/d4" -Z 9 -j 1 --progress=never x >"$T/sig.out" 2>"$T/sig.err" &
pid=$!
for _ in $(seq 100); do
    [ "$(psql_q postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND query LIKE 'COPY%'")" -gt 0 ] && break
    sleep 0.1
done
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq 1 "$rc" "exit status after SIGINT during COPY"
no_snapshot_files "$T/d4" "SIGINT during COPY"
set +m

# --- SIGKILL leaves .partial files; the next run removes them, not a live run's --------
copying() {
    [ "$(psql_q postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND query LIKE 'COPY%' AND application_name = 'db-snapshot'")" -gt 0 ]
}
"$DB_TOOLS_BINDIR/db-snapshot" -d "$db" -o "$T/d9" -Z 9 -j 1 --progress=never killed >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do copying && break; sleep 0.1; done
kill -KILL "$pid"
wait "$pid" || true
[ -n "$(find "$T/d9" -name '*.partial')" ] || die "SIGKILL left no .partial file to clean up"
settled_zero postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND application_name = 'db-snapshot'" >/dev/null
# a live run's files stay: a slow snapshot runs while another one starts in the same directory
"$DB_TOOLS_BINDIR/db-snapshot" -d "$db" -o "$T/d9" -Z 9 -j 1 --progress=never live >"$T/live.out" 2>"$T/live.err" &
live=$!
for _ in $(seq 100); do copying && break; sleep 0.1; done
assert_status 0 snap -d "$db" -o "$T/d9" -Z 0 --progress=never next
grep -q '_live' "$T/last.err" && die "the live run's files were touched: $(cat "$T/last.err")"
wait "$live" || die "the live snapshot failed beside the other run: $(cat "$T/live.err")"
# the first of the two to start found the killed run's file
grep -q 'removed ".*_killed.tar.partial", left by an interrupted snapshot' "$T/live.err" "$T/last.err" ||
    die "the killed run's file was not removed: $(cat "$T/live.err" "$T/last.err")"
assert_eq "" "$(find "$T/d9" -name '*.partial')" ".partial files after both runs"
assert_eq 2 "$(find "$T/d9" -name '*.tar' | wc -l)" "snapshots in the directory"

# --- connection lost in the middle of COPY -------------------------------------------
"$DB_TOOLS_BINDIR/db-snapshot" -d "$db" -o "$T/d5" -Z 9 -j 1 --progress=never x >"$T/lost.out" 2>"$T/lost.err" &
pid=$!
killed=0
for _ in $(seq 100); do
    killed=$(psql_q postgres "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$db' AND query LIKE 'COPY%'")
    [ "$killed" -gt 0 ] && break
    sleep 0.1
done
[ "$killed" -gt 0 ] || die "never saw the COPY to terminate"
rc=0
wait "$pid" || rc=$?
assert_eq 1 "$rc" "exit status after a lost connection"
grep -qi 'terminat\|connection' "$T/lost.err" || die "lost connection message: $(cat "$T/lost.err")"
no_snapshot_files "$T/d5" "lost connection"

# --- a write that fails (file size limit stands in for a full disk) ------------------
(
    trap '' XFSZ
    ulimit -f 2048    # 2 MiB
    snap -d "$db" -o "$T/d6" -Z 0 --progress=never x >"$T/full.out" 2>"$T/full.err"
) && die "snapshot succeeded despite the write limit"
grep -qi 'too large\|could not write' "$T/full.err" || die "write failure message: $(cat "$T/full.err")"
no_snapshot_files "$T/d6" "failed write"

# --- secrets reach pg_dump through its environment and a private file, never argv -------
# (sslpassword is only used with a client key; here it must only never be shown)
DB_TOOLS_PG_DUMP=$T/bin/argv_pg_dump assert_status 0 snap -d "dbname=$db sslmode=disable sslpassword=S3cr3tK3y" -o "$T/d10" -Z 0 secrets
grep -q -- '--dbname=' "$T/pg_dump.argv" || die "pg_dump's command line was not recorded"
! grep -q S3cr3tK3y "$T/pg_dump.argv" || die "a secret is on pg_dump's command line: $(cat "$T/pg_dump.argv")"
grep -qx 'sslpassword=S3cr3tK3y' "$T/pg_dump.service" || die "the secret did not reach pg_dump: $(cat "$T/pg_dump.service")"
assert_eq 600 "$(cat "$T/pg_dump.service-mode")" "mode of pg_dump's service file"
[ -z "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'db-tools-service-*' -newer "$T/pg_dump.argv" 2>/dev/null)" ] ||
    die "the service file was left behind"

# --- pg_dump's schema file is private from the start, whatever the umask ----------------
(umask 022 && DB_TOOLS_PG_DUMP=$T/bin/mode_pg_dump assert_status 0 snap -d "$db" -o "$T/d8" -Z 0 schema-mode)
assert_eq 600 "$(cat "$T/schema-mode")" "mode of the temporary schema file"

# --- row-level security: a role under a policy is refused, not given fewer rows -----------
reader=itest_rls_reader
psql -X -q -v ON_ERROR_STOP=1 -v r="$reader" -d "$db" >/dev/null <<'EOF'
SET client_min_messages = warning;
SELECT format('DROP OWNED BY %I; DROP ROLE %I', :'r', :'r') FROM pg_roles WHERE rolname = :'r'
\gexec
CREATE ROLE :"r" LOGIN;
CREATE TABLE secrets (id int PRIMARY KEY, owner text);
INSERT INTO secrets SELECT g, CASE WHEN g <= 3 THEN :'r' ELSE 'someone else' END FROM generate_series(1, 10) g;
ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON secrets USING (owner = current_user);
GRANT SELECT ON ALL TABLES IN SCHEMA public TO :"r";
EOF
on_exit "psql -X -q -d $db -c 'DROP OWNED BY $reader' -c 'DROP ROLE $reader'"
assert_eq 3 "$(PGUSER=$reader psql_q "$db" 'SELECT count(*) FROM secrets')" "rows the reader's policy shows"
PGUSER=$reader assert_status 1 snap -d "$db" -o "$T/d7" -Z 0 x
grep -q 'error: could not copy table "public"."secrets": query would be affected by row-level security policy for table "secrets"' "$T/last.err" ||
    die "row-level security: $(cat "$T/last.err")"
grep -q 'hint: a snapshot must hold every row' "$T/last.err" || die "row-level security: no hint: $(cat "$T/last.err")"
no_snapshot_files "$T/d7" "row-level security"
psql_q "$db" "DROP TABLE secrets"

# --- a directory it can write but not read (so not fsync): refused before anything -------
wo=$(mktemp -d "${TMPDIR:-/tmp}/db-tools-wo.XXXXXX")
on_exit "rm -rf '$wo'"
as=()
if [ "$(id -u)" = 0 ]; then
    # root reads every directory: run as the server's user (who owns the socket directory)
    as=(runuser -u "$(stat -c %U "$PGHOST")" --)
    chown "$(stat -c %U "$PGHOST")" "$wo"
fi
chmod 0700 "$wo"
mkdir "$wo/out"
[ ${#as[@]} -eq 0 ] || chown "$(stat -c %U "$PGHOST")" "$wo/out"
chmod 0300 "$wo/out"
rc=0
(cd / && "${as[@]}" "$DB_TOOLS_BINDIR/db-snapshot" -d "$db" -o "$wo/out" -Z 0 --progress=never x) \
    >"$T/wo.out" 2>"$T/wo.err" || rc=$?
assert_eq 1 "$rc" "exit status for a directory that cannot be read"
grep -q 'error: could not fsync directory' "$T/wo.err" || die "unreadable directory: $(cat "$T/wo.err")"
chmod 0700 "$wo/out"
assert_eq "" "$(ls -A "$wo/out")" "files written into a directory that cannot be read"

# --- not enough free space: refused before anything is written -----------------------
if [ "$(id -u)" = 0 ]; then
    mkdir "$T/small"
    mount -t tmpfs -o size=4m tmpfs "$T/small"
    rc=0
    snap -d "$db" -o "$T/small/b" x >"$T/small.out" 2>"$T/small.err" || rc=$?
    left=$(find "$T/small" -type f)
    umount "$T/small"
    assert_eq 1 "$rc" "exit status when the disk is too small"
    grep -q 'not enough free space' "$T/small.err" || die "free-space message: $(cat "$T/small.err")"
    [ -z "$left" ] || die "free-space refusal left files: $left"
else
    note "not root: free-space refusal on a small tmpfs not exercised"
fi
note "ok"
