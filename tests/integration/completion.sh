#!/usr/bin/env bash
# Shell completion (share/completion/db-tools.bash):
#  (a) every option each tool's --help prints is offered, and no option --help does not print;
#  (b) values: --progress, --split, --cache, -Z, -c NAME= and snapshot NAMEs;
#  (c) `cmake --install` of the build puts the script into bash-completion's completions
#      directory under each tool's name (with --prefix, with DESTDIR, and where pkg-config's
#      bash-completion.pc says), and bash-completion, when installed, loads it from there;
#  (d) the zsh completion (share/completion/_db-tools) has the same options as --help,
#      parses (zsh -n) and is installed into zsh's site-functions.
#
# Needs no database server (lib.sh's helpers need one: the few used here are repeated).
# Environment: DB_TOOLS_BINDIR (directory holding db-snapshot, required; its parent is the
#              build whose install is checked, unless DB_TOOLS_BUILD_DIR names it),
#              DB_TOOLS_SOURCE_DIR (repository root, default: two levels up),
#              DB_TOOLS_SKIP_LOG (as in lib.sh).
set -eu -o pipefail
export LC_ALL=C

die() {
    echo "FAIL: $*" >&2
    exit 1
}

note() {
    echo "# $*" >&2
}

# the rest of the test cannot run here: it ends passing what it checked so far (as lib.sh's)
skip_rest() {
    echo "SKIP (rest of the test): $*" >&2
    [ -z "${DB_TOOLS_SKIP_LOG:-}" ] || printf '%s (rest): %s\n' "$(basename "$0" .sh)" "$*" >>"$DB_TOOLS_SKIP_LOG"
    exit 0
}

[ -n "${DB_TOOLS_BINDIR:-}" ] || die "DB_TOOLS_BINDIR is not set (the directory holding db-snapshot)"
[ -d "$DB_TOOLS_BINDIR" ] || die "DB_TOOLS_BINDIR=$DB_TOOLS_BINDIR is not a directory"
: "${DB_TOOLS_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
script=$DB_TOOLS_SOURCE_DIR/share/completion/db-tools.bash
zsh_script=$DB_TOOLS_SOURCE_DIR/share/completion/_db-tools
tools=(db-snapshot db-restore db-reset)
[ -f "$script" ] || die "no completion script at $script"
bash -n "$script" || die "${script##*/} does not parse"

T=$(mktemp -d "${TMPDIR:-/tmp}/db-tools-test.XXXXXX")
trap 'rm -rf -- "$T"' EXIT
mkdir "$T/work"

# complete_line [SCRIPT] -- WORD...: what SCRIPT (default: the source tree's) completes for
# the command line WORD... with the cursor at the end of the last WORD, one per line.  WORDs
# are as bash splits the line ("--opt=" gives "--opt" "=" "", COMP_WORDBREAKS has '=').
# Runs in $T/work, with no configuration file but the one a test puts there.
complete_line() {
    local file=$script
    [ "$1" = -- ] || { file=$1; shift; }
    shift
    # shellcheck disable=SC2016 # expanded by the inner bash
    (cd "$T/work" && env -u DB_TOOLS_CONFIG bash --norc --noprofile -c '
        . "$1" || exit 1
        shift
        spec=$(complete -p "$1" 2>/dev/null) || { echo "no completion for $1" >&2; exit 1; }
        [[ $spec =~ -F\ ([^ ]+) ]] || { echo "not a function completion: $spec" >&2; exit 1; }
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        prev=
        ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
        "${BASH_REMATCH[1]}" "$1" "${COMP_WORDS[COMP_CWORD]}" "$prev"
        ((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}"' complete "$file" "$@")
}

# The options TOOL --help prints, one per line: "-x", "--name", or "--name=" when it takes a value.
help_options() {
    local line
    "$DB_TOOLS_BINDIR/$1" --help | while IFS= read -r line; do
        if [[ $line =~ ^(\ \ -([A-Za-z0-9]),\ |\ {6})(--[a-z0-9][-a-z0-9]*)(=?) ]]; then
            [ -z "${BASH_REMATCH[2]}" ] || printf -- '-%s\n' "${BASH_REMATCH[2]}"
            printf '%s\n' "${BASH_REMATCH[3]}${BASH_REMATCH[4]}"
        elif [[ $line =~ ^\ \ -([A-Za-z0-9])([\ ,]|$) ]]; then
            printf -- '-%s\n' "${BASH_REMATCH[1]}"
        fi
    done
}

# expect_words WANT DESCRIPTION WORD...: the completions of WORD... are exactly the words of WANT.
expect_words() {
    local want=$1 what=$2 got
    local -a words
    shift 2
    got=$(complete_line -- "$@" | sort | tr '\n' ' ')
    read -ra words <<<"$want"
    want=$(printf '%s\n' "${words[@]}" | sort | tr '\n' ' ')
    [ "$got" = "$want" ] || die "$what: completes to '$got', not '$want'"
}

# expect_offered WORD DESCRIPTION WORD...: the completions of WORD... include WORD.
expect_offered() {
    local want=$1 what=$2
    shift 2
    complete_line -- "$@" | grep -qxF -- "$want" || die "$what: '$want' is not offered ($(complete_line -- "$@" | tr '\n' ' '))"
}

# --- (a) the options of every tool ------------------------------------------
for tool in "${tools[@]}"; do
    help=$(help_options "$tool")
    [ -n "$help" ] || die "$tool --help lists no options"
    grep -qx -- --help <<<"$help" || die "the options of $tool --help were not read: $help"
    offered=$( (complete_line -- "$tool" --; complete_line -- "$tool" -) | sort -u)
    while IFS= read -r opt; do
        grep -qxF -- "$opt" <<<"$offered" ||
            die "$tool: $opt (from --help) is not completed; add it to share/completion/db-tools.bash"
    done <<<"$help"
    while IFS= read -r opt; do
        grep -qxF -- "$opt" <<<"$help" ||
            die "$tool: the completion offers $opt, which $tool --help does not list"
    done <<<"$offered"
    # a prefix completes to the option, with '=' when it takes a value
    expect_offered --config= "$tool --conf" "$tool" --conf
    expect_offered --quiet "$tool --qu" "$tool" --qu
done
expect_words --migrate "db-restore --mig" db-restore --mig
note "options: every --help option of ${tools[*]} is completed"

# zsh_options TOOL: the options the zsh completion has for TOOL (its common ones and TOOL's),
# as help_options prints them, from the _arguments specs: '(EXCL)'{-x+,--name=}'[...]',
# '*--name=[...]', '--name[...]'
zsh_options() {
    local line o
    local -a opts
    local brace="^'(\([^)]*\))?\*?'\{([^}]*)\}" one="^'(\([^)]*\))?\*?(--?[A-Za-z0-9][-a-z0-9]*=?)\["
    sed -n -e '/^  common=(/,/^  )/p' -e "/^    $1)/,/^      ;;/p" "$zsh_script" | while IFS= read -r line; do
        line=${line#"${line%%[! ]*}"}
        if [[ $line =~ $brace ]]; then
            IFS=, read -ra opts <<<"${BASH_REMATCH[2]}"
        elif [[ $line =~ $one ]]; then
            opts=("${BASH_REMATCH[2]}")
        else
            continue
        fi
        for o in "${opts[@]}"; do
            printf '%s\n' "${o%+}"
        done
    done | sort -u
}
for tool in "${tools[@]}"; do
    diff <(help_options "$tool" | sort -u) <(zsh_options "$tool") >"$T/zsh.diff" ||
        die "$tool: the options of the zsh completion differ from --help (<: only in --help, >: only in _db-tools):
$(grep '^[<>]' "$T/zsh.diff")"
done
command -v zsh >/dev/null 2>&1 || die "zsh is not installed (scripts/deps.sh installs it)"
zsh -n "$zsh_script" || die "${zsh_script##*/} does not parse"
note "zsh: _db-tools parses and has every --help option"

# --- (b) values -------------------------------------------------------------
for tool in "${tools[@]}"; do
    expect_words "auto always never" "$tool --progress=" "$tool" --progress = ""
    expect_words "always" "$tool --progress=al" "$tool" --progress = al
    expect_words "auto always never" "$tool --progress " "$tool" --progress ""
    # with '=' left out of COMP_WORDBREAKS the word stays whole
    expect_words "--progress=never" "$tool --progress=n (one word)" "$tool" --progress=n
done
expect_words "auto always never" "db-snapshot --split=" db-snapshot --split = ""
expect_words "list clear" "db-restore --cache=" db-restore --cache = ""
expect_words "clear" "db-reset --cache cl" db-reset --cache cl
expect_words "gzip gzip:1 gzip:6 gzip:9 zstd zstd:1 zstd:3 zstd:9 none" "db-snapshot -Z" db-snapshot -Z ""
expect_words "zstd zstd:1 zstd:3 zstd:9" "db-snapshot --compress=z" db-snapshot --compress = z
expect_words "-d" "db-snapshot -Z gzip -d" db-snapshot -Z gzip -d   # a value does not take one
# snapshot NAMEs from the directory -o names: each once, the newest and the older
mkdir "$T/snaps" "$T/work/sub"
: >"$T/snaps/20261122-031024_before-payments.tar"
: >"$T/snaps/20261123-080000_before-payments.tar"
: >"$T/snaps/20261124-000000_nightly.tar"
: >"$T/snaps/notes.txt"
expect_words "before-payments nightly" "db-restore -o DIR" db-restore -o "$T/snaps" ""
expect_words "nightly" "db-reset --dir=DIR --from=n" db-reset --dir = "$T/snaps" --from = n
expect_words "before-payments" "db-snapshot -o DIR b" db-snapshot -o "$T/snaps" b
# --config and -o: files and directories
expect_words "sub" "db-restore --config=s" db-restore --config = s
expect_words "sub" "db-snapshot -o s" db-snapshot -o s
if command -v jq >/dev/null 2>&1; then
    # seeds.counts names and backups_dir from the configuration file
    printf '{"backups_dir": "../snaps", "seeds": {"counts": {"users": 1, "orders": 2}}}\n' >"$T/work/db-tools.json"
    expect_words "orders= users=" "db-reset -c (counts of db-tools.json)" db-reset -c ""
    expect_words "users=" "db-reset --count=u" db-reset --count = u
    expect_words "before-payments nightly" "db-restore (backups_dir of db-tools.json)" db-restore ""
    rm "$T/work/db-tools.json"
else
    note "jq is not installed: the completions read from db-tools.json are not checked"
fi
note "values: --progress, --split, --cache, -Z, snapshot names, -c"

# --- (c) where cmake --install puts it ----------------------------------------
command -v cmake >/dev/null 2>&1 || skip_rest "cmake is not installed: the completion's install cannot be checked"
build=${DB_TOOLS_BUILD_DIR:-$(dirname "$DB_TOOLS_BINDIR")}
[ -f "$build/cmake_install.cmake" ] ||
    skip_rest "no build at $build (DB_TOOLS_BUILD_DIR): the completion's install cannot be checked"
# the script of the tree that build was configured from
built=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")/share/completion/db-tools.bash

# check_installed ROOT: the script is in ROOT/.../bash-completion/completions/ under each tool's name
check_installed() {
    local root=$1 dir f
    dir=$(find "$root" -path '*/bash-completion/completions/db-restore' -printf '%h\n')
    [ -n "$dir" ] || die "no bash-completion/completions/db-restore under $root: $(cd "$root" && find . -name 'db-*' ! -path '*/bin/*' ! -path '*/man/*' | tr '\n' ' ')"
    for f in "${tools[@]}"; do
        cmp -s "$built" "$dir/$f" || die "$dir/$f is not the completion script ($built)"
    done
    ! find "$root" -path '*/db-tools/completion*' | grep -q . || die "the completion is still installed under share/db-tools/completion"
    f=$(find "$root" -path '*/share/zsh/*/_db-tools')
    [ -n "$f" ] || die "no share/zsh/*/_db-tools under $root"
    cmp -s "${built%/*}/_db-tools" "$f" || die "$f is not the zsh completion"
    # loaded by its name, as bash-completion does, it completes every tool
    for f in "${tools[@]}"; do
        complete_line "$dir/$f" -- "$f" --progress = al | grep -qx always || die "$dir/$f does not complete $f"
    done
    echo "$dir"
}

cmake --install "$build" --prefix "$T/prefix" >"$T/install.log" 2>&1 || die "cmake --install failed: $(cat "$T/install.log")"
dir=$(check_installed "$T/prefix")
case $dir in
    "$T"/prefix/*) ;;
    *) die "installed outside the prefix: $dir" ;;
esac
DESTDIR=$T/dest cmake --install "$build" --prefix /usr/local >"$T/install.log" 2>&1 ||
    die "cmake --install with DESTDIR failed: $(cat "$T/install.log")"
dir=$(check_installed "$T/dest")
case $dir in
    "$T"/dest/usr/local/*) ;;
    *) die "installed with DESTDIR outside DESTDIR/usr/local: $dir" ;;
esac
note "install: ${dir#"$T"/dest}/{${tools[*]}}"

# bash-completion finds it (its user directory stands in for the system one)
bc=/usr/share/bash-completion/bash_completion
[ -r "$bc" ] || die "bash-completion is not installed (scripts/deps.sh installs it)"
# shellcheck disable=SC2016 # expanded by the inner bash
out=$(BASH_COMPLETION_USER_DIR=${dir%/completions} bash --norc --noprofile -c '
    . "$1" >/dev/null 2>&1
    if declare -F _comp_load >/dev/null; then _comp_load db-reset; else __load_completion db-reset; fi
    complete -p db-reset' _ "$bc" 2>&1) || die "bash-completion did not load the completion of db-reset: $out"
[[ $out == *"-F _db_tools_complete"* ]] || die "bash-completion loaded something else for db-reset: $out"
note "bash-completion loads it"

# pkg-config's bash-completion.pc, when there is one: its completionsdir, under this prefix when
# it is under bash-completion's own (checked with a .pc of our own, in a build of our own)
if command -v pkg-config >/dev/null 2>&1; then
    mkdir -p "$T/pc"
    cat >"$T/pc/bash-completion.pc" <<'EOF'
prefix=/opt/bc
datadir=${prefix}/lib
completionsdir=${datadir}/bc-test/completions

Name: bash-completion
Description: programmable completion for the bash shell
Version: 2.11
EOF
    PKG_CONFIG_PATH=$T/pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH} cmake -S "$DB_TOOLS_SOURCE_DIR" -B "$T/b" \
        -DDB_TOOLS_TESTS=OFF >"$T/configure.log" 2>&1 || die "cmake (configure) failed: $(cat "$T/configure.log")"
    # shellcheck disable=SC2016 # cmake's variable, as written in cmake_install.cmake
    grep -q 'DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/bc-test/completions" TYPE FILE RENAME "db-snapshot"' \
        "$T/b/cmake_install.cmake" ||
        die "bash-completion.pc's completionsdir is not used: $(grep -i completion "$T/b/cmake_install.cmake")"
    note "pkg-config: bash-completion.pc's completionsdir is used"
else
    note "pkg-config is not installed: bash-completion.pc is not checked"
fi
note "ok"
