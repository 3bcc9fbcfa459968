#!/usr/bin/env bash
# deps.sh - install the Debian/Ubuntu packages needed to build and test db-tools (and npm,
# which brings the servers of the other PostgreSQL majors: scripts/pg-bin.sh).
#
# Usage: scripts/deps.sh
#
# Does nothing (one line on stderr) when every package is installed. Otherwise, as
# root it runs apt-get; as another user it uses "sudo -n" when that works without a
# password, else it prints the command to run and exits 1. apt output goes to stderr.
set -euo pipefail

prog=deps.sh
packages=(
    cmake gcc make pkg-config git tar gzip zstd jq mandoc time util-linux zsh bash-completion
    libpq-dev zlib1g-dev libssl-dev libarchive-dev libjson-c-dev libdeflate-dev libzstd-dev libcmocka-dev
    postgresql-15 postgresql-client-15
    clang libclang-rt-dev
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "$prog: not a Debian-based system; make sure these (or their equivalents) are installed: ${packages[*]}" >&2
    exit 0
fi

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
done
# npm installs the server programs of the other PostgreSQL majors (scripts/pg-bin.sh); any
# npm will do (Node.js's own packages may provide it instead of Debian's)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
    echo "$prog: all ${#packages[@]} build and test packages are installed" >&2
    exit 0
fi

echo "$prog: missing packages: ${missing[*]}" >&2
install=(apt-get install -y --no-install-recommends "${missing[@]}")

if [ "$(id -u)" -eq 0 ]; then
    run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    run=(sudo -n)
else
    echo "$prog: run this as root, then try again:" >&2
    echo "  apt-get update && DEBIAN_FRONTEND=noninteractive ${install[*]}" >&2
    exit 1
fi

echo "$prog: installing them with apt-get" >&2
"${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update </dev/null >&2
"${run[@]}" env DEBIAN_FRONTEND=noninteractive "${install[@]}" </dev/null >&2
echo "$prog: done" >&2
