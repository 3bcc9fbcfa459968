#!/usr/bin/env bash
# sandbox.sh - a private, throw-away PostgreSQL server for development and tests.
#
# Usage: scripts/sandbox.sh [--pg MAJOR] start | stop [--keep] | env | status | hold PID | release PID
#
#   --pg MAJOR  a server of that major version (13 to 18; see scripts/pg-bin.sh) in a
#           sandbox of its own, ${TMPDIR:-/tmp}/db-tools-sandbox-<uid>-pg<MAJOR> (whatever
#           DB_TOOLS_SANDBOX says), so that servers of several versions can run side by
#           side. Without it: Debian's 15, or PG_BINDIR.
#   start   initdb (first time) and start the server; prints "export PG...=..." lines
#           on stdout, so use it as:  eval "$(scripts/sandbox.sh start)"
#           Starting a running sandbox only prints its environment again.
#   stop    stop the server (fast mode) and remove the sandbox directory; with --keep
#           the data directory is kept for the next start. Silent on success.
#   env     print the export lines of the running sandbox (exit 1 if none is running)
#   status  say whether the sandbox is running (exit 0 if it is, 1 if not)
#   hold PID      start it if it is not running, and record that process PID uses it;
#                 prints the environment like start
#   release PID   PID no longer uses it; a sandbox that hold started stops (and is removed)
#                 when no living process holds it any more, one started otherwise never
#
# One sandbox per user and --pg, in ${DB_TOOLS_SANDBOX:-${TMPDIR:-/tmp}/db-tools-sandbox-<uid>}:
#   data/   the cluster          sock/  private Unix socket directory (0700)
#   log     server log           env    the export lines printed by start/env
# The server listens on 127.0.0.1 on the first free port from 54320 upward and on the
# private socket. Clients connect as the superuser "postgres" (trust on the socket and for
# "postgres" on 127.0.0.1; other roles need a password on 127.0.0.1: scram-sha-256).
# It is tuned for speed, not durability (fsync=off): never keep data you care about in it.
#
# As root, the server runs as the "postgres" system user (or "dbtools", created if
# needed), since PostgreSQL refuses to run as root; clients keep running as root.
#
# Environment: DB_TOOLS_SANDBOX (sandbox directory), PG_BINDIR (PostgreSQL server
# programs, default /usr/lib/postgresql/15/bin, else `pg_config --bindir`), TMPDIR.
set -euo pipefail

prog=sandbox.sh
first_port=54320
last_port=54420
superuser=postgres

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
fail() { say "error: $*"; exit 1; }

usage() {
    cat >&2 <<EOF
usage: $prog [--pg MAJOR] start | stop [--keep] | env | status | hold PID | release PID
EOF
    exit 2
}

pg_major=
if [ "${1-}" = --pg ]; then
    [ $# -ge 2 ] || usage
    pg_major=$2
    shift 2
    case $pg_major in
        1[3-8]) ;;
        *) fail "--pg takes a major version from 13 to 18, not \"$pg_major\"" ;;
    esac
fi

if [ -n "$pg_major" ]; then
    base=${TMPDIR:-/tmp}/db-tools-sandbox-$(id -u)-pg$pg_major
else
    base=${DB_TOOLS_SANDBOX:-${TMPDIR:-/tmp}/db-tools-sandbox-$(id -u)}
fi
case $base in
    /*) ;;
    *) base=$PWD/$base ;;
esac
base=${base%/}
data=$base/data
sock=$base/sock
logfile=$base/log
envfile=$base/env
marker=$base/.db-tools-sandbox

# --- PostgreSQL programs --------------------------------------------------------------

find_bindir() {
    if [ -n "$pg_major" ]; then
        bindir=$(bash "$(dirname "${BASH_SOURCE[0]}")/pg-bin.sh" "$pg_major") ||
            fail "no PostgreSQL $pg_major server programs"
        if [ -f "$data/PG_VERSION" ] && [ "$(cat "$data/PG_VERSION")" != "$pg_major" ]; then
            fail "\"$data\" holds a PostgreSQL $(cat "$data/PG_VERSION") cluster, not $pg_major; run '$prog --pg $pg_major stop' first"
        fi
        return
    fi
    local dir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}

    if [ ! -x "$dir/pg_ctl" ] && [ -z "${PG_BINDIR:-}" ] && command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir)
    fi
    [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ] ||
        fail "PostgreSQL server programs not found in \"$dir\" (set PG_BINDIR, or run scripts/deps.sh)"
    bindir=$dir
}

# pg_isready is a client program: use the one next to the server, else the one on PATH.
pg_isready_cmd() {
    if [ -x "$bindir/pg_isready" ]; then
        "$bindir/pg_isready" "$@"
    else
        pg_isready "$@"
    fi
}

# --- who runs the server ----------------------------------------------------------------

server_user=
pick_server_user() {
    if [ "$(id -u)" -ne 0 ]; then
        server_user=$(id -un)
        return
    fi
    if id -u postgres >/dev/null 2>&1; then
        server_user=postgres
    else
        server_user=dbtools
        if ! id -u dbtools >/dev/null 2>&1; then
            say "creating system user \"dbtools\" to run the server"
            useradd --system --no-create-home --user-group --shell /usr/sbin/nologin dbtools ||
                fail "could not create system user \"dbtools\""
        fi
    fi
}

# Run a command as the server user, from "/" so that an unreadable working directory
# does not bother initdb or postgres, and without the lock descriptor (fd 9): the
# server would otherwise hold the sandbox lock for its whole life.
as_server() {
    _as_server "$@" 9<&-
}
_as_server() {
    if [ "$(id -u)" -ne 0 ]; then
        (cd / && "$@")
    elif command -v runuser >/dev/null 2>&1; then
        (cd / && runuser -u "$server_user" -- "$@")
    elif command -v setpriv >/dev/null 2>&1; then
        (cd / && HOME=/ setpriv --reuid="$server_user" --regid="$server_user" --init-groups -- "$@")
    else
        local q
        printf -v q '%q ' "$@"
        (cd / && su -s /bin/sh "$server_user" -c "$q")
    fi
}

pg_ctl_as_server() {
    as_server "$bindir/pg_ctl" -D "$data" "$@"
}

# --- the sandbox directory --------------------------------------------------------------

# Refuse anything that is not a directory owned by us, not writable by others.
check_base() {
    [ -L "$base" ] && fail "\"$base\" is a symbolic link; refusing to use it"
    [ -d "$base" ] || fail "\"$base\" is not a directory"
    local owner mode
    owner=$(stat -c %u "$base")
    [ "$owner" = "$(id -u)" ] ||
        fail "\"$base\" belongs to another user (uid $owner); set DB_TOOLS_SANDBOX to another directory"
    mode=$(stat -c %a "$base")
    case $mode in
        *[2367]? | *[2367]) fail "\"$base\" is writable by other users (mode $mode); refusing to use it" ;;
    esac
}

# Create the sandbox directory (mkdir is atomic: an existing path is never taken over).
make_base() {
    if [ ! -e "$base" ] && [ ! -L "$base" ]; then
        mkdir -p -- "$(dirname -- "$base")"
        mkdir -m 0700 -- "$base" 2>/dev/null || [ -d "$base" ] ||
            fail "could not create \"$base\""
    fi
    check_base
    if [ ! -e "$marker" ]; then
        [ -z "$(ls -A -- "$base")" ] ||
            fail "\"$base\" exists, is not empty and is not a sandbox directory; refusing to use it"
        : >"$marker"
    fi
    if [ "$(id -u)" -eq 0 ]; then
        # the server user only needs to reach data/, sock/ and log through it
        chmod 0711 "$base"
        as_server test -x "$base" ||
            fail "user \"$server_user\" cannot reach \"$base\"; set DB_TOOLS_SANDBOX to a directory under /tmp"
    else
        chmod 0700 "$base"
    fi
    mkdir -p -- "$data" "$sock"
    [ -e "$logfile" ] || : >"$logfile"
    chmod 0700 "$data" "$sock"
    chmod 0600 "$logfile"
    if [ "$(id -u)" -eq 0 ]; then
        chown "$server_user:" "$data" "$sock" "$logfile"
    fi
}

# One start or stop at a time: hold a lock on the marker file (fd 9) until exit.
lock_base() {
    exec 9<"$marker"
    if command -v flock >/dev/null 2>&1 && ! flock -w 120 9; then
        fail "another $prog is still working on \"$base\" after 2 minutes; giving up"
    fi
}

# --- server state -----------------------------------------------------------------------

is_running() {
    [ -f "$data/PG_VERSION" ] || return 1
    pg_ctl_as_server status >/dev/null 2>&1
}

# The port recorded in the env file of this sandbox.
recorded_port() {
    [ -f "$envfile" ] || return 1
    sed -n 's/^export PGPORT=\([0-9][0-9]*\)$/\1/p' "$envfile"
}

port_in_use() {
    local port=$1
    if command -v ss >/dev/null 2>&1; then
        [ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
    fi
}

free_port_from() {
    local port=$1
    while [ "$port" -le "$last_port" ]; do
        if ! port_in_use "$port"; then
            echo "$port"
            return 0
        fi
        port=$((port + 1))
    done
    fail "no free TCP port between $first_port and $last_port"
}

write_env() {
    local port=$1 tmp
    tmp=$(mktemp "$base/env.XXXXXX")
    {
        printf 'export PGHOST=%q\n' "$sock"
        printf 'export PGPORT=%q\n' "$port"
        printf 'export PGUSER=%q\n' "$superuser"
        printf 'export PGDATABASE=postgres\n'
        printf 'export DB_TOOLS_SANDBOX=%q\n' "$base"
    } >"$tmp"
    chmod 0644 "$tmp"
    mv -f -- "$tmp" "$envfile"
}

# A value for postgresql.conf: single-quoted, quotes doubled.
conf_quote() {
    printf "'%s'" "${1//\'/\'\'}"
}

init_cluster() {
    local locale=C
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
        locale=C.UTF-8
    fi
    say "initialising a new cluster in $data"
    if ! as_server "$bindir/initdb" -D "$data" -U "$superuser" --auth=trust \
        --encoding=UTF8 --locale="$locale" --no-sync >>"$logfile" 2>&1; then
        tail -n 20 "$logfile" >&2
        fail "initdb failed (log: $logfile)"
    fi
    as_server sh -c 'cat >"$1"' sh "$data/pg_hba.conf" <<'EOF'
# sandbox: trust on the private socket and for the superuser on 127.0.0.1,
# passwords for every other role over TCP
local   all   all                    trust
host    all   postgres  127.0.0.1/32 trust
host    all   all       127.0.0.1/32 scram-sha-256
EOF
    as_server sh -c 'printf "\ninclude = '\''sandbox.conf'\''\n" >>"$1"' sh "$data/postgresql.conf"
}

write_settings() {
    local port=$1
    as_server sh -c 'cat >"$1"' sh "$data/sandbox.conf" <<EOF
# written by scripts/sandbox.sh at every start: a fast, non-durable development server
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = $(conf_quote "$sock")
unix_socket_permissions = 0700
password_encryption = 'scram-sha-256'
max_connections = 100
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
checkpoint_timeout = 30min
logging_collector = off
lc_messages = 'C'
EOF
}

wait_ready() {
    local port=$1 _
    for _ in $(seq 1 60); do
        if pg_isready_cmd -q -h "$sock" -p "$port" -d postgres -U "$superuser" -t 1; then
            return 0
        fi
        sleep 0.5
    done
    tail -n 20 "$logfile" >&2
    fail "the server did not become ready within 30 seconds (log: $logfile)"
}

# Start on the first free port; if another process grabs the port meanwhile, try the next.
start_server() {
    local port _ from=$first_port mark
    for _ in 1 2 3 4 5; do
        port=$(free_port_from "$from")
        write_settings "$port"
        mark=$(wc -l <"$logfile")
        if pg_ctl_as_server -l "$logfile" -w -t 30 -s start >/dev/null 2>>"$logfile"; then
            wait_ready "$port"
            write_env "$port"
            say "PostgreSQL $(cat "$data/PG_VERSION") running on 127.0.0.1:$port and $sock (log: $logfile)"
            return 0
        fi
        if tail -n +"$((mark + 1))" "$logfile" | grep -q 'could not bind\|Address already in use\|could not create any TCP/IP sockets'; then
            say "port $port was taken meanwhile, trying the next one"
            from=$((port + 1))
            continue
        fi
        break
    done
    tail -n 20 "$logfile" >&2
    fail "the server did not start (log: $logfile)"
}

# --- commands ---------------------------------------------------------------------------

cmd_start() {
    cmd_start_locked
    cat "$envfile"
}

# Start (or find running) the server, holding the lock until exit; hold marks what it started.
cmd_start_locked() {
    find_bindir
    pick_server_user
    make_base
    lock_base
    was_running=0
    if is_running; then
        local port
        port=$(recorded_port) || true
        if [ -n "$port" ] && pg_isready_cmd -q -h "$sock" -p "$port" -d postgres -t 5; then
            say "already running on port $port"
            was_running=1
            return 0
        fi
        fail "a server is running in \"$data\" but does not answer as recorded in \"$envfile\"; run '$prog stop' first"
    fi
    [ -f "$data/PG_VERSION" ] || init_cluster
    start_server
}

cmd_stop() {
    local keep=0
    case ${1-} in
        --keep) keep=1 ;;
        "") ;;
        *) usage ;;
    esac
    [ -e "$base" ] || [ -L "$base" ] || return 0
    check_base
    [ -e "$marker" ] || fail "\"$base\" is not a sandbox directory; refusing to touch it"
    lock_base
    stop_locked "$keep"
}

# Stop the server and (unless keep) remove the sandbox; the caller holds the lock.
stop_locked() {
    local keep=$1
    if [ -f "$data/PG_VERSION" ]; then
        find_bindir
        pick_server_user
        if is_running; then
            if ! pg_ctl_as_server -m fast -w -t 60 -s stop >/dev/null 2>&1; then
                say "fast shutdown failed, using immediate shutdown"
                pg_ctl_as_server -m immediate -w -t 30 -s stop >/dev/null ||
                    fail "could not stop the server in \"$data\" (log: $logfile)"
            fi
        fi
    fi
    rm -f -- "$envfile"
    if [ "$keep" -eq 0 ]; then
        rm -rf --one-file-system -- "$base"
    fi
}

# hold PID: the sandbox is in use by process PID (started first when it is not running,
# and then marked as started for its holders); release PID: no longer, and a sandbox
# started for holders stops when the last living one lets go.  Two scripts using the
# sandbox at once (the README's two commands in two shells) so never stop it under each
# other, and a sandbox started by hand is never stopped by them.
cmd_hold() {
    local pid=$1
    case $pid in '' | *[!0-9]*) usage ;; esac
    cmd_start_locked
    [ "$was_running" = 1 ] || : >"$base/.started-for-holders"
    mkdir -p -- "$base/holds"
    : >"$base/holds/$pid"
    cat "$envfile"
}

cmd_release() {
    local pid=$1 h left=0
    case $pid in '' | *[!0-9]*) usage ;; esac
    [ -d "$base" ] && [ -e "$marker" ] || return 0
    check_base
    lock_base
    rm -f -- "$base/holds/$pid"
    for h in "$base"/holds/*; do
        [ -e "$h" ] || continue
        if kill -0 "$(basename "$h")" 2>/dev/null; then
            left=$((left + 1))
        else
            rm -f -- "$h"
        fi
    done
    if [ "$left" -eq 0 ] && [ -e "$base/.started-for-holders" ]; then
        find_bindir
        pick_server_user
        stop_locked 0
    fi
}

cmd_env() {
    if [ -d "$base" ] && [ -f "$envfile" ]; then
        check_base
        find_bindir
        pick_server_user
        if is_running; then
            cat "$envfile"
            return 0
        fi
    fi
    fail "no sandbox server is running in \"$base\" (start one with: eval \"\$(scripts/sandbox.sh start)\")"
}

cmd_status() {
    if [ -d "$base" ] && [ -f "$data/PG_VERSION" ]; then
        check_base
        find_bindir
        pick_server_user
        if is_running; then
            echo "running: port $(recorded_port || echo '?'), socket $sock, data $data, log $logfile"
            return 0
        fi
        echo "stopped: data $data (start with: eval \"\$(scripts/sandbox.sh start)\")"
        return 1
    fi
    echo "not running: no sandbox in $base"
    return 1
}

main() {
    [ $# -ge 1 ] || usage
    local cmd=$1
    shift
    case $cmd in
        start) [ $# -eq 0 ] || usage; cmd_start ;;
        hold) [ $# -eq 1 ] || usage; cmd_hold "$1" ;;
        release) [ $# -eq 1 ] || usage; cmd_release "$1" ;;
        stop) [ $# -le 1 ] || usage; cmd_stop "$@" ;;
        env) [ $# -eq 0 ] || usage; cmd_env ;;
        status) [ $# -eq 0 ] || usage; cmd_status ;;
        -h | --help | help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" ;;
        *) usage ;;
    esac
}

main "$@"; exit
