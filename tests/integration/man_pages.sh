#!/usr/bin/env bash
# Man pages: every page in man/ is lint-clean mdoc, and man/db-snapshot.1,
# man/db-restore.1 and man/db-reset.1 document exactly the options that
# `--help` lists; every --help fits 80 columns.
#
# Needs no database server.
# Environment: DB_TOOLS_BINDIR (directory holding db-snapshot, required),
#              DB_TOOLS_SOURCE_DIR (repository root, default: two levels up).
set -euo pipefail
export LC_ALL=C

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
note() { printf '# %s\n' "$*" >&2; }

src=${DB_TOOLS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
[[ -n ${DB_TOOLS_BINDIR:-} ]] || fail "DB_TOOLS_BINDIR is not set"

command -v mandoc >/dev/null 2>&1 || fail "mandoc is not installed; it is needed to check the man pages"
[[ -d $src/man ]] || fail "no man/ directory in $src"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

problems=0
problem() { printf 'FAIL: %s\n' "$*" >&2; problems=$((problems + 1)); }

# --- (a) lint -------------------------------------------------------------
shopt -s nullglob
pages=("$src"/man/*.1 "$src"/man/*.5)
shopt -u nullglob
((${#pages[@]} > 0)) || fail "no man pages (*.1, *.5) in $src/man"

for p in "${pages[@]}"; do
    status=0
    out=$(mandoc -T lint -W warning "$p" 2>&1) || status=$?
    if [[ -n $out || $status -ne 0 ]]; then
        problem "mandoc -T lint -W warning ${p#"$src"/} (status $status):"
        printf '%s\n' "$out" >&2
    else
        note "lint clean: ${p#"$src"/}"
    fi
done

# --- (b) options in --help versus the OPTIONS section -----------------------

# Split text into words made of letters, digits, '_', '=' and '-', one a line.
words() { tr -c 'A-Za-z0-9_=-' '\n' | grep -v '^$' || true; }
# Long options: --name (anything from '=' on dropped, trailing '-' trimmed).
long_opts() { words | grep -oE -- '^--[a-z][a-z-]*' | sed 's/-*$//' | sort -u || true; }
# Short options: a word that is exactly '-' and one letter ("-j4" is not one).
short_opts() { words | grep -xE -- '-[A-Za-z]' | sort -u || true; }

# check_tool NAME: NAME --help and man/NAME.1 list the same options.
check_tool() {
    local tool=$1 bin=$DB_TOOLS_BINDIR/$1 page=$src/man/$1.1 status=0 kind only_help only_page
    [[ -f $page ]] || fail "missing man page $page"
    [[ -x $bin ]] || fail "$bin is missing or not executable"
    "$bin" --help >"$T/help.txt" 2>"$T/help.err" || status=$?
    if ((status != 0)); then
        cat "$T/help.err" >&2
        fail "'$tool --help' exited with status $status (expected 0)"
    fi
    [[ -s $T/help.txt ]] || fail "'$tool --help' printed nothing on standard output"
    if awk 'length > 80 { exit 1 }' "$T/help.txt"; then :; else
        problem "'$tool --help' has lines longer than 80 columns"
    fi

    # The OPTIONS section of the rendered page: a very wide line so that nothing
    # is wrapped, overstriking (bold, underline) removed.  Section headings are
    # the lines in capitals starting in the first column.
    mandoc -T ascii -O width=1000 "$page" | sed $'s/.\b//g' >"$T/page.txt"
    awk '/^[A-Z][A-Z0-9 ]*$/ { in_opts = ($0 == "OPTIONS"); next } in_opts' \
        "$T/page.txt" >"$T/options.txt"
    [[ -s $T/options.txt ]] || fail "man/$tool.1 has no OPTIONS section (or it is empty)"

    long_opts <"$T/help.txt" >"$T/help.long"
    long_opts <"$T/options.txt" >"$T/page.long"
    short_opts <"$T/help.txt" >"$T/help.short"
    short_opts <"$T/options.txt" >"$T/page.short"

    for kind in long short; do
        [[ -s $T/help.$kind ]] || fail "found no $kind options in '$tool --help' output"
        [[ -s $T/page.$kind ]] || fail "found no $kind options in the OPTIONS section of man/$tool.1"
        only_help=$(comm -23 "$T/help.$kind" "$T/page.$kind" | tr '\n' ' ')
        only_page=$(comm -13 "$T/help.$kind" "$T/page.$kind" | tr '\n' ' ')
        if [[ -n $only_help ]]; then
            problem "$kind options in '$tool --help' but not in the OPTIONS section of man/$tool.1: ${only_help% }"
        fi
        if [[ -n $only_page ]]; then
            problem "$kind options in the OPTIONS section of man/$tool.1 but not in '$tool --help': ${only_page% }"
        fi
        if [[ -z $only_help && -z $only_page ]]; then
            note "$tool: $kind options agree: $(tr '\n' ' ' <"$T/help.$kind")"
        fi
    done
}

for tool in db-snapshot db-restore db-reset; do
    check_tool "$tool"
done

if ((problems > 0)); then
    fail "$problems problem(s) with the man pages"
fi
note "man pages OK"
