#!/usr/bin/env bash
# check-layers.sh - check the include rule of the source tree (ARCHITECTURE.md):
#
#   util  <-  sql  <-  pg  <-  project
#   util  <-  archive
#   {util, sql, pg, archive}  <-  replace
#   {util, sql, pg, archive, project, replace}  <-  snapshot | restore | reset
#   common/*  <-  tools/fe  <-  tools/*.c
#
# A group may include its own headers and those of the groups to its left;
# snapshot, restore and reset never include each other; nothing in common/
# includes from tools/.  Prints every include that breaks the rule and exits 1
# when there is one.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

allowed() {
    case "$1" in
        util) echo "util" ;;
        sql) echo "util sql" ;;
        pg) echo "util sql pg" ;;
        archive) echo "util archive" ;;
        project) echo "util sql pg project" ;;
        replace) echo "util sql pg archive replace" ;;
        snapshot|restore|reset) echo "util sql pg archive project replace $1" ;;
        fe) echo "util sql pg archive project replace snapshot restore reset fe" ;;
        *) echo "" ;;
    esac
}

bad=0 checked=0
while IFS= read -r f; do
    case "$f" in
        common/*/*) group=${f#common/}; group=${group%%/*} ;;
        tools/fe/*) group=fe ;;
        *) continue ;;
    esac
    ok=" $(allowed "$group") "
    if [ "$ok" = "  " ]; then
        echo "check-layers: $f: the group \"$group\" is not in the layer rule" >&2
        bad=1
        continue
    fi
    while IFS= read -r inc; do
        checked=$((checked + 1))
        dep=${inc%%/*}
        if [ "$dep" = "$inc" ]; then
            echo "check-layers: $f includes \"$inc\" without its group (write \"group/name.h\")" >&2
            bad=1
        elif [[ "$ok" != *" $dep "* ]]; then
            echo "check-layers: $f ($group) includes \"$inc\" ($dep), which the rule forbids" >&2
            bad=1
        fi
    done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done < <(find common tools/fe -name '*.[ch]' -o -name '*.h.in' | sort)

if [ "$bad" != 0 ]; then
    echo "check-layers: the include rule is broken (see ARCHITECTURE.md)" >&2
    exit 1
fi
echo "check-layers: $checked includes follow the layer rule"
