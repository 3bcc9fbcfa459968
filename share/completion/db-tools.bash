# bash completion for db-snapshot, db-restore and db-reset (db-tools)
#
# Use: `cmake --install` puts it into bash-completion's completions directory
# (PREFIX/share/bash-completion/completions) once per command, as db-snapshot,
# db-restore and db-reset, since bash-completion loads completions by command
# name; without bash-completion, source this file from ~/.bashrc.
#
# Completes the options of each tool (not the patterns of db-snapshot's -t, -T,
# -n, -N and --exclude-table-data) and the values of --progress, --split
# (auto always never), --cache (list clear), -Z/--compress (gzip, zstd, none), -c/--count (NAME= from the
# configuration's seeds.counts, with jq), --config (files) and -o/--dir
# (directories).  db-restore's argument and db-reset --from complete snapshot
# NAMEs, taken from DIR/YYYYMMDD-HHMMSS_NAME.tar and the instant snapshots'
# markers DIR/YYYYMMDD-HHMMSS_NAME.instant, the file names of archives and
# markers there (stamped ones after a digit), and paths to .tar and .instant
# files; db-snapshot's NAME completes the existing names, and those file names
# after --delete, --rename or --export.  DIR is -o/--dir from the
# command line, else "backups_dir" of the configuration file (--config,
# $DB_TOOLS_CONFIG or the nearest db-tools.json upwards; read with jq when
# it is installed), else ./backups.
# Needs bash 4; does not need the bash-completion package.

_db_tools_opts_db_snapshot='-d --dbname= -o --dir= -f --file= -j --jobs= -Z --compress= --config=
    --instant --force --export --list --json --prune --keep= --older-than= --dry-run --delete --rename
    -y --yes --split= --progress=
    -t --table= -T --exclude-table= -n --schema= -N --exclude-schema= --exclude-table-data= -b --large-objects
    -q --quiet -v --verbose -V --version -h --help'
_db_tools_opts_db_restore='-d --dbname= -o --dir= -j --jobs= -y --yes --force --verify --contents
    --keep-previous= --owners --migrate --trust-archive --no-cache --cache= --json --config= --progress=
    --spare-budget= -q --quiet -v --verbose -V --version -h --help'
_db_tools_opts_db_reset='-d --dbname= -o --dir= -j --jobs= --config= --progress=
    -q --quiet -v --verbose -V --version -h --help -c --count= --set= --rng-seed=
    --no-seed -y --yes --fast --status --migrate --from= --snapshot-first --force
    --keep-previous= --no-cache --cache= --json --spare-budget='

# Does option $2 of command $1 take a value?  (The long ones are listed with '=';
# the short ones that do are -d -o -j, -Z -f -t -T -n -N for db-snapshot and -c for db-reset.)
_db_tools_takes_value() {
    local opts
    case $2 in
        -d | -o | -j) return 0 ;;
        -Z | -f | -t | -T | -n | -N) [[ $1 == db-snapshot ]]; return ;;
        -c) [[ $1 == db-reset ]]; return ;;
        --*) ;;
        *) return 1 ;;
    esac
    case $1 in
        db-snapshot) opts=$_db_tools_opts_db_snapshot ;;
        db-restore) opts=$_db_tools_opts_db_restore ;;
        db-reset) opts=$_db_tools_opts_db_reset ;;
        *) return 1 ;;
    esac
    [[ " ${opts//[$'\n\t']/ } " == *" $2= "* ]]
}

# A word as typed, without its quotes and backslashes (roughly as the shell would
# see it), with a leading ~/ expanded.
_db_tools_dequote() {
    local w=$1
    case $w in
        \'*) w=${w#\'}; w=${w%\'} ;;
        \"*) w=${w#\"}; w=${w%\"} ;;
        *) w=${w//\\/} ;;
    esac
    # shellcheck disable=SC2088 # a literal "~/" typed on the command line
    [[ $w == "~" || $w == "~/"* ]] && w=$HOME${w#\~}
    printf '%s' "$w"
}

# The configuration file the tools would read, or nothing.
_db_tools_config_file() {
    local dir
    if [[ -n $_db_tools_config_opt ]]; then
        printf '%s' "$_db_tools_config_opt"
        return
    fi
    if [[ -n ${DB_TOOLS_CONFIG-} ]]; then
        printf '%s' "$DB_TOOLS_CONFIG"
        return
    fi
    dir=$PWD
    while :; do
        if [[ -f $dir/db-tools.json ]]; then
            printf '%s' "${dir%/}/db-tools.json"
            return
        fi
        [[ -z $dir || $dir == / ]] && return
        dir=${dir%/*}
        [[ -z $dir ]] && dir=/
    done
}

# The snapshot directory: -o/--dir, else backups_dir of the configuration file
# (relative to its directory), else ./backups.
_db_tools_snapshot_dir() {
    local file dir
    if [[ -n $_db_tools_dir_opt ]]; then
        printf '%s' "$_db_tools_dir_opt"
        return
    fi
    file=$(_db_tools_config_file)
    if [[ -n $file && -r $file ]] && type -P jq >/dev/null 2>&1; then
        dir=$(jq -r 'if type == "object" and (.backups_dir | type) == "string"
                     then .backups_dir else empty end' -- "$file" 2>/dev/null)
        if [[ -n $dir ]]; then
            if [[ $dir != /* ]]; then
                [[ $file == */* ]] && dir=${file%/*}/$dir || dir=./$dir
            fi
            printf '%s' "$dir"
            return
        fi
    fi
    printf '%s' ./backups
}

# Add the snapshot names in the snapshot directory that start with $1; with $2 = files,
# also the file names that name one snapshot: archives without a time stamp, and
# YYYYMMDD-HHMMSS_NAME once $1 starts with a digit (with .instant for an instant
# snapshot's marker when an archive has the same stem, which that stem names).
_db_tools_add_names() {
    local dir f base name word restore files=${2-}
    local -A seen=()
    dir=$(_db_tools_snapshot_dir)
    [[ -d $dir ]] || return 0
    restore=$(shopt -p nullglob failglob)
    shopt -s nullglob
    shopt -u failglob
    for f in "$dir"/*.tar "$dir"/[0-9]*.instant; do
        base=${f##*/}
        word=${base%.tar}
        base=${word%.instant}
        [[ $word == *.instant && -e $dir/$base.tar ]] || word=$base
        if [[ ! $base =~ ^[0-9]{8}-[0-9]{6}_(.+)$ ]]; then
            [[ $files == files && $f == *.tar && $base != .* && $base == "$1"* ]] && COMPREPLY+=("$base")
            continue
        fi
        name=${BASH_REMATCH[1]}
        [[ $files == files && $1 == [0-9]* && $word == "$1"* ]] && COMPREPLY+=("$word")
        [[ $name == "$1"* && -z ${seen[$name]-} ]] || continue
        seen[$name]=1
        COMPREPLY+=("$name")
    done
    eval "$restore"
}

# Add file names starting with $1: kind "tar" (*.tar archives and *.instant markers,
# and directories when $3 is 1), "dir" (directories) or "all".
_db_tools_add_files() {
    local cur=$1 kind=$2 with_dirs=${3:-1} f
    local -a found=()
    compopt -o filenames 2>/dev/null
    case $kind in
        dir) mapfile -t found < <(compgen -d -- "$cur") ;;
        all) mapfile -t found < <(compgen -f -- "$cur") ;;
        tar)
            [[ $with_dirs == 1 ]] && mapfile -t found < <(compgen -d -- "$cur")
            while IFS= read -r f; do
                [[ ($f == *.tar || $f == *.instant) && ! -d $f ]] && found+=("$f")
            done < <(compgen -f -- "$cur")
            ;;
    esac
    COMPREPLY+=("${found[@]}")
}

# A snapshot: a NAME, or a path to an archive or a marker.
_db_tools_add_snapshot() {
    local cur=$1 n
    if [[ $cur == */* || $cur == [~.]* ]]; then
        _db_tools_add_files "$cur" tar 1
        return
    fi
    n=${#COMPREPLY[@]}
    _db_tools_add_names "$cur" files
    _db_tools_add_files "$cur" tar 0
    # Nothing by that name: offer the directories, to look for an archive.
    ((${#COMPREPLY[@]} > n)) || _db_tools_add_files "$cur" dir
}

# Add the words of list $1 that start with $2.
_db_tools_add_words() {
    local -a found=()
    mapfile -t found < <(compgen -W "$1" -- "$2")
    COMPREPLY+=("${found[@]}")
}

# Complete the value $2 of option $1 of command $3 (COMPREPLY gets bare values).
_db_tools_value() {
    local opt=$1 cur=$2 cmd=$3 file keys k
    case $opt in
        --progress | --split)
            _db_tools_add_words 'auto always never' "$cur" ;;
        --cache)
            _db_tools_add_words 'list clear' "$cur" ;;
        -Z | --compress)
            _db_tools_add_words 'gzip gzip:1 gzip:6 gzip:9 zstd zstd:1 zstd:3 zstd:9 none' "$cur" ;;
        --config | -f | --file)
            _db_tools_add_files "$cur" all ;;
        -o | --dir)
            _db_tools_add_files "$cur" dir ;;
        --from)
            _db_tools_add_snapshot "$cur" ;;
        -c | --count)
            # NAME= from seeds.counts of the configuration file
            [[ $cur == *=* ]] && return
            file=$(_db_tools_config_file)
            if [[ -n $file && -r $file ]] && type -P jq >/dev/null 2>&1; then
                keys=$(jq -r '.seeds.counts | objects | keys[]' -- "$file" 2>/dev/null)
                for k in $keys; do
                    [[ $k == "$cur"* ]] && COMPREPLY+=("$k=")
                done
                compopt -o nospace 2>/dev/null
            fi
            ;;
    esac
}

_db_tools_complete() {
    local cmd=${1:-${COMP_WORDS[0]}}
    cmd=${cmd##*/}
    local cur=${COMP_WORDS[COMP_CWORD]} prev=''
    local opt='' val='' prefix='' opts w i
    local _db_tools_dir_opt='' _db_tools_config_opt=''
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    case $cmd in
        db-snapshot) opts=$_db_tools_opts_db_snapshot ;;
        db-restore) opts=$_db_tools_opts_db_restore ;;
        db-reset) opts=$_db_tools_opts_db_reset ;;
        *) return 0 ;;
    esac

    # The other words (the current one is \x01), with "--opt" "=" "value" (split at
    # '=' by COMP_WORDBREAKS) joined again, for -o/--dir and --config.
    local -a words=()
    for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
        ((i == COMP_CWORD)) && { words+=($'\x01'); continue; }
        w=${COMP_WORDS[i]}
        if [[ $w == "=" && ${#words[@]} -gt 0 && ${words[${#words[@]} - 1]} == --*[!=] ]]; then
            words[${#words[@]} - 1]+="="
            if ((i + 1 < ${#COMP_WORDS[@]} && i + 1 != COMP_CWORD)); then
                ((i++))
                words[${#words[@]} - 1]+=${COMP_WORDS[i]}
            fi
            continue
        fi
        words+=("$w")
    done
    for ((i = 0; i < ${#words[@]}; i++)); do
        w=${words[i]}
        case $w in
            -o | --dir) ((i + 1 < ${#words[@]})) && [[ ${words[i + 1]} != $'\x01' ]] &&
                _db_tools_dir_opt=$(_db_tools_dequote "${words[i + 1]}") ;;
            --dir=?*) _db_tools_dir_opt=$(_db_tools_dequote "${w#--dir=}") ;;
            -o?*) _db_tools_dir_opt=$(_db_tools_dequote "${w#-o}") ;;
            --config) ((i + 1 < ${#words[@]})) && [[ ${words[i + 1]} != $'\x01' ]] &&
                _db_tools_config_opt=$(_db_tools_dequote "${words[i + 1]}") ;;
            --config=?*) _db_tools_config_opt=$(_db_tools_dequote "${w#--config=}") ;;
        esac
    done

    # Which option's value is being completed, if any.
    if [[ $cur == "=" && $prev == --* ]]; then
        opt=$prev val=                  # "--opt=" split: complete after the '='
    elif [[ $prev == "=" ]] && ((COMP_CWORD >= 2)) && [[ ${COMP_WORDS[COMP_CWORD - 2]} == --* ]]; then
        opt=${COMP_WORDS[COMP_CWORD - 2]} val=$cur
    elif [[ $cur == --*=* ]]; then
        opt=${cur%%=*} val=${cur#*=} prefix=${cur%%=*}=   # '=' not in COMP_WORDBREAKS
    elif _db_tools_takes_value "$cmd" "$prev"; then
        opt=$prev val=$cur
    fi
    if [[ -n $opt ]]; then
        _db_tools_value "$opt" "$val" "$cmd"
        if [[ -n $prefix ]]; then
            for i in "${!COMPREPLY[@]}"; do
                COMPREPLY[i]=$prefix${COMPREPLY[i]}
            done
        fi
        return 0
    fi

    if [[ $cur == -* ]]; then
        _db_tools_add_words "$opts" "$cur"
        [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
        return 0
    fi

    # The argument: NAME or PATH for db-restore, NAME for db-snapshot (one snapshot, by
    # NAME or file name, for --delete, --rename and --export).
    case $cmd in
        db-restore) _db_tools_add_snapshot "$cur" ;;
        db-snapshot)
            if [[ " ${words[*]} " == *" --delete "* || " ${words[*]} " == *" --rename "* ||
                " ${words[*]} " == *" --export "* ]]; then
                _db_tools_add_names "$cur" files
            else
                _db_tools_add_names "$cur"
            fi
            ;;
    esac
    return 0
}

complete -F _db_tools_complete db-snapshot db-restore db-reset
