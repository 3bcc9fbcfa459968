# tests/integration/check_archive.sh: checks of a db-snapshot archive against
# the database it was taken from. Sourced by integration tests after lib.sh;
# uses its die, note, psql_q, table_copy and $T.
#
#   check_archive DB TAR META       all of the checks below
#   check_members TAR META          member list, order, names, schema members
#   check_table_set DB META         tables, kinds and COPY column lists vs catalog
#   check_tables DB TAR META        each table's members vs COPY output; totals
#   check_sequences DB META         last_value/is_called of every sequence
#   check_large_objects DB TAR META large objects vs pg_largeobject
#
# The source database must not change between the snapshot and the checks.
# The archive and .meta formats are described in man/db-snapshot.1 and the
# section-5 page.

# shellcheck shell=bash
# shellcheck disable=SC2016 # jq programs use $i and $s: single quotes on purpose

# jq prelude: qi quotes a string as an SQL identifier.
_ca_jq_defs='def qi: "\"" + gsub("\""; "\"\"") + "\"";'

# _ca_jq META [JQ ARGS...] EXPR: jq -r on META with the helper definitions.
_ca_jq() {
    local meta=$1
    shift
    local n=$#
    local expr=${!n}
    set -- "${@:1:n-1}"
    jq -r "$@" "$_ca_jq_defs $expr" "$meta"
}

# _ca_size FILE: size in bytes.
_ca_size() {
    local n
    n=$(wc -c <"$1")
    echo $((n))
}

# _ca_lines FILE: number of newline characters.
_ca_lines() {
    local n
    n=$(wc -l <"$1")
    echo $((n))
}

# _ca_hashed META STORED RAW: the file a member's sha256 is of: from format 3
# on the member as stored, before that its decompressed bytes.
_ca_hashed() {
    if [ "$(_ca_jq "$1" '.format_version')" -ge 3 ]; then printf '%s' "$2"; else printf '%s' "$3"; fi
}

# _ca_sha256 FILE: hex sha256.
_ca_sha256() {
    local s
    s=$(sha256sum <"$1")
    echo "${s%% *}"
}

# _ca_int WHAT VALUE: VALUE must be a non-negative integer.
_ca_int() {
    [[ $2 =~ ^[0-9]+$ ]] || die "$1: \"$2\" is not a non-negative integer"
}

# _ca_expect_int WHAT EXPECTED ACTUAL: both must be the same integer.
_ca_expect_int() {
    [[ $3 =~ ^-?[0-9]+$ ]] || die "$1: expected $2, got \"$3\""
    [ "$2" = "$3" ] || die "$1: expected $2, got $3"
}

# _ca_extract TAR: list TAR's members into $T/ca_members, check that every
# name is one the format allows (so nothing lands outside the directory),
# and extract them into $_ca_dir. Done once per TAR.
_ca_tar=
_ca_dir=
_ca_extract() {
    local tar=$1 m
    [ "$_ca_tar" = "$tar" ] && return 0
    tar -tf "$tar" >"$T/ca_members" || die "$tar: tar tf failed"
    [ -s "$T/ca_members" ] || die "$tar: no members"
    while IFS= read -r m; do
        case $m in
            schema/pre-data.sql | schema/post-data.sql | meta.json) ;;
            large-objects/*)
                [[ $m =~ ^large-objects/[0-9]+\.gz$ ]] || die "$tar: bad large object member name \"$m\""
                ;;
            data/*)
                [[ $m =~ ^data/[0-9]{4,}_[A-Za-z0-9_.-]+\.gz$ ]] || die "$tar: bad data member name \"$m\""
                ;;
            *) die "$tar: unexpected member \"$m\"" ;;
        esac
    done <"$T/ca_members"
    _ca_dir=$T/ca_x
    rm -rf "$_ca_dir"
    mkdir -p "$_ca_dir"
    tar -xf "$tar" -C "$_ca_dir" || die "$tar: extraction failed"
    _ca_tar=$tar
}

# _ca_member_text MEMBER: uncompressed content of an extracted member.
_ca_member_text() {
    case $1 in
        *.gz) gzip -dc <"$_ca_dir/$1" ;;
        *) cat <"$_ca_dir/$1" ;;
    esac
}

# _ca_copy DB QTABLE QCOLS ENCODING: COPY ... TO STDOUT in a session pinned
# the way db-snapshot pins its own (DateStyle, IntervalStyle,
# extra_float_digits, client_encoding = the database's), so the text is
# comparable.
_ca_copy() {
    PGCLIENTENCODING=$4 \
        PGOPTIONS="${PGOPTIONS:-} -c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3" \
        table_copy "$1" "$2" "$3"
}

# check_members TAR META
check_members() {
    local tar=$1 meta=$2 list="$T/ca_members" expected="$T/ca_expected_members"
    local first last before_last m sec

    _ca_extract "$tar"
    first=$(sed -n '1p' "$list")
    last=$(sed -n '$p' "$list")
    before_last=$(tail -n 2 "$list" | sed -n '1p')
    [ "$first" = schema/pre-data.sql ] || die "$tar: first member is \"$first\", expected schema/pre-data.sql"
    [ "$last" = meta.json ] || die "$tar: last member is \"$last\", expected meta.json"
    [ "$before_last" = schema/post-data.sql ] ||
        die "$tar: member before meta.json is \"$before_last\", expected schema/post-data.sql"

    # Exactly the members the meta names, each once.
    {
        echo schema/pre-data.sql
        echo schema/post-data.sql
        echo meta.json
        _ca_jq "$meta" '.tables[].members[].member, .large_objects[].member'
    } | LC_ALL=C sort >"$expected"
    if ! LC_ALL=C sort "$list" | cmp -s - "$expected"; then
        note "archive members (<) vs members named in the meta (>):"
        LC_ALL=C sort "$list" | diff - "$expected" | head -n 40 >&2 || true
        die "$tar: members differ from those listed in $meta"
    fi
    if [ -n "$(uniq -d "$expected")" ]; then
        die "$meta: a member is listed twice: $(uniq -d "$expected" | head -n 3 | tr '\n' ' ')"
    fi

    # The schema members match their meta entries.
    for sec in pre_data post_data; do
        m=$(_ca_jq "$meta" --arg s "$sec" '.schema[$s].member')
        assert_eq "schema/${sec/_/-}.sql" "$m" "$meta: .schema.$sec.member"
        _ca_expect_int "$m bytes" "$(_ca_size "$_ca_dir/$m")" "$(_ca_jq "$meta" --arg s "$sec" '.schema[$s].bytes')"
        [ "$(_ca_sha256 "$_ca_dir/$m")" = "$(_ca_jq "$meta" --arg s "$sec" '.schema[$s].sha256')" ] ||
            die "$m: sha256 differs from the meta"
    done
}

# The tables db-snapshot must copy, as a JSON array of
# [schema, name, kind, sorted non-generated columns], from the catalog:
# ordinary tables and partition leaves (partitioned parents, views,
# materialized views, foreign tables, system and extension tables left out).
_ca_catalog_tables_sql="
SELECT coalesce(json_agg(json_build_array(n.nspname, c.relname,
           CASE WHEN c.relispartition THEN 'partition'
                WHEN c.relpersistence = 'u' THEN 'unlogged'
                ELSE 'table' END,
           (SELECT coalesce(json_agg(a.attname::text ORDER BY a.attnum), '[]')
              FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0
               AND NOT a.attisdropped AND a.attgenerated = ''))), '[]')
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                      AND d.objid = c.oid AND d.deptype = 'e')"

# check_table_set DB META: the meta lists exactly the catalog's tables, each
# once, with the right kind and every non-generated column (in any order).
check_table_set() {
    local db=$1 meta=$2 want="$T/ca_tables_want" got="$T/ca_tables_got"

    psql_q "$db" "$_ca_catalog_tables_sql" >"$T/ca_tables_sql" || die "catalog query for tables failed"
    jq -c 'map(.[3] |= sort) | sort | .[]' "$T/ca_tables_sql" >"$want"
    _ca_jq "$meta" -c '[.tables[] | [.schema, .name, .kind, (.columns | sort)]] | sort | .[]' >"$got"

    if ! cmp -s "$want" "$got"; then
        note "tables [schema, name, kind, columns] in the catalog (<) vs in the meta (>):"
        diff "$want" "$got" | head -n 40 >&2 || true
        die "$meta: tables differ from the catalog of $db"
    fi
    if [ -n "$(_ca_jq "$meta" '[.tables[] | [.schema, .name]] | group_by(.)[] | select(length > 1) | .[0] | join(".")')" ]; then
        die "$meta: a table is listed more than once"
    fi
    _ca_expect_int "number of tables" "$(_ca_lines "$want")" "$(_ca_jq "$meta" '.tables | length')"
    _ca_expect_int "totals.tables" "$(_ca_lines "$want")" "$(_ca_jq "$meta" '.totals.tables')"
}

# One table of the meta as NUL-separated fields: label, quoted table, quoted
# column list, rows, raw_bytes, stored_bytes, number of members, then per
# member: member, rows, raw_bytes, stored_bytes, sha256.
_ca_table_fields='.tables[$i]
    | [.schema + "." + .name, (.schema | qi) + "." + (.name | qi), (.columns | map(qi) | join(", ")),
       .rows, .raw_bytes, .stored_bytes, (.members | length)]
      + [.members[] | .member, .rows, .raw_bytes, .stored_bytes, .sha256]
    | map(tostring) | join("\u0000")'

# check_tables DB TAR META: for each table in the meta, the members' raw
# content, in meta order, holds the same lines as COPY of the table with the
# meta's column list (as a multiset: rows may come in any order); rows,
# raw_bytes, stored_bytes and sha256 match per member and per table; the
# totals add up.
check_tables() {
    local db=$1 tar=$2 meta=$3
    local n i m j k f label qtable qcols member enc
    local t_rows t_raw t_stored rows raw stored tot sum_rows=0 sum_raw=0 sum_stored=0
    local part="$T/ca_part" all="$T/ca_all" src="$T/ca_src"

    _ca_extract "$tar"
    enc=$(psql_q "$db" "SELECT pg_catalog.pg_encoding_to_char(encoding) FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()")
    n=$(_ca_jq "$meta" '.tables | length')
    _ca_int "$meta: number of tables" "$n"
    for ((i = 0; i < n; i++)); do
        _ca_jq "$meta" -j --argjson i "$i" "$_ca_table_fields" >"$T/ca_fields" ||
            die "$meta: cannot read .tables[$i]"
        mapfile -d '' -t f <"$T/ca_fields"
        label=${f[0]} qtable=${f[1]} qcols=${f[2]} m=${f[6]}
        _ca_int "table $label: number of members" "$m"
        [ "$m" -ge 1 ] || die "table $label: no members"
        [ "${#f[@]}" -eq $((7 + 5 * m)) ] || die "$meta: .tables[$i] ($label) is incomplete"

        : >"$all"
        t_rows=0 t_raw=0 t_stored=0
        for ((j = 0; j < m; j++)); do
            k=$((7 + 5 * j))
            member=${f[k]}
            [ -f "$_ca_dir/$member" ] || die "table $label: member $member is not in the archive"
            _ca_member_text "$member" >"$part" || die "table $label: cannot decompress $member"
            rows=$(_ca_lines "$part")
            raw=$(_ca_size "$part")
            stored=$(_ca_size "$_ca_dir/$member")
            _ca_expect_int "$member rows" "$rows" "${f[k + 1]}"
            _ca_expect_int "$member raw_bytes" "$raw" "${f[k + 2]}"
            _ca_expect_int "$member stored_bytes" "$stored" "${f[k + 3]}"
            [ "$(_ca_sha256 "$(_ca_hashed "$meta" "$_ca_dir/$member" "$part")")" = "${f[k + 4]}" ] ||
                die "$member: sha256 differs from the meta"
            if [ "$raw" -gt 0 ] && [ -n "$(tail -c 1 "$part")" ]; then
                die "$member: content does not end with a newline"
            fi
            cat "$part" >>"$all"
            t_rows=$((t_rows + rows))
            t_raw=$((t_raw + raw))
            t_stored=$((t_stored + stored))
        done

        _ca_expect_int "table $label rows" "$t_rows" "${f[3]}"
        _ca_expect_int "table $label raw_bytes" "$t_raw" "${f[4]}"
        _ca_expect_int "table $label stored_bytes" "$t_stored" "${f[5]}"

        _ca_copy "$db" "$qtable" "$qcols" "$enc" >"$src" || die "table $label: COPY $qtable ($qcols) failed"
        _ca_expect_int "table $label: rows of COPY vs the meta" "$(_ca_lines "$src")" "$t_rows"
        if ! cmp -s <(LC_ALL=C sort "$src") <(LC_ALL=C sort "$all"); then
            note "table $label: sorted COPY output (<) vs archive content (>):"
            diff <(LC_ALL=C sort "$src") <(LC_ALL=C sort "$all") | cut -c 1-200 | head -n 20 >&2 || true
            die "table $label: archive content differs from COPY $qtable"
        fi
        _ca_expect_int "table $label: bytes of COPY vs the members" "$(_ca_size "$src")" "$t_raw"

        sum_rows=$((sum_rows + t_rows))
        sum_raw=$((sum_raw + t_raw))
        sum_stored=$((sum_stored + t_stored))
    done

    _ca_expect_int "totals.rows" "$sum_rows" "$(_ca_jq "$meta" '.totals.rows')"
    tot=$(_ca_jq "$meta" '.totals.raw_bytes')
    _ca_int "totals.raw_bytes" "$tot"
    [ "$tot" -ge "$sum_raw" ] || die "totals.raw_bytes $tot < the tables' $sum_raw"
    tot=$(_ca_jq "$meta" '.totals.stored_bytes')
    _ca_int "totals.stored_bytes" "$tot"
    [ "$tot" -ge "$sum_stored" ] || die "totals.stored_bytes $tot < the tables' $sum_stored"
    note "checked $n tables, $sum_rows rows, $sum_raw bytes against COPY"
}

# check_sequences DB META: the meta lists every sequence of DB (extension
# members left out) once, with the source's last_value and is_called.
check_sequences() {
    local db=$1 meta=$2 want="$T/ca_seq_want" got="$T/ca_seq_got" v

    # One JSON line per sequence: [schema, name, last_value as text, is_called].
    psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$db" >"$T/ca_seq_src" <<'SQL' || die "reading the sequences of $db failed"
SELECT pg_catalog.format('SELECT pg_catalog.json_build_array(%L::text, %L::text, last_value::text, is_called) FROM %I.%I',
                         n.nspname, c.relname, n.nspname, c.relname)
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'S'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
\gexec
SQL
    # Numbers go through jq on both sides (jq 1.6 keeps only double precision);
    # the exact digits of large values are checked on the raw text below.
    jq -c -s 'map(.[2] |= tonumber) | sort | .[]' "$T/ca_seq_src" >"$want"
    _ca_jq "$meta" -c '[.sequences[] | [.schema, .name, .last_value, .is_called]] | sort | .[]' >"$got"
    if ! cmp -s "$want" "$got"; then
        note "sequences [schema, name, last_value, is_called] in $db (<) vs in the meta (>):"
        diff "$want" "$got" | head -n 40 >&2 || true
        die "$meta: sequences differ from $db"
    fi
    if [ -n "$(_ca_jq "$meta" '.sequences[] | [.schema, .name] | @json' | LC_ALL=C sort | uniq -d)" ]; then
        die "$meta: a sequence is listed more than once"
    fi
    while IFS= read -r v; do
        if [ "${#v}" -gt 15 ]; then
            grep -Eq "\"last_value\"[[:space:]]*:[[:space:]]*$v([^0-9.eE]|\$)" "$meta" ||
                die "$meta: last_value $v is not written exactly"
        fi
    done < <(jq -r '.[2]' "$T/ca_seq_src")
    note "checked $(_ca_lines "$want") sequences"
}

# check_large_objects DB TAR META: the meta lists every large object of DB
# once; each member holds exactly lo_get(oid); sizes and sha256 match.
check_large_objects() {
    local db=$1 tar=$2 meta=$3 n want got oid member bytes stored sha part="$T/ca_lo"

    _ca_extract "$tar"
    want=$(psql_q "$db" "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata")
    n=$(_ca_jq "$meta" '.large_objects | length')
    _ca_expect_int "number of large objects" "$want" "$n"
    _ca_expect_int "totals.large_objects" "$want" "$(_ca_jq "$meta" '.totals.large_objects')"

    want=$(psql_q "$db" "SELECT oid FROM pg_catalog.pg_largeobject_metadata ORDER BY 1" | tr '\n' ' ')
    got=$(_ca_jq "$meta" '[.large_objects[].oid] | sort | .[]' | tr '\n' ' ')
    [ "$want" = "$got" ] || die "$meta: large object oids [$got] differ from $db's [$want]"

    while IFS=$'\t' read -r oid member bytes stored sha; do
        [ "$member" = "large-objects/$oid.gz" ] || die "large object $oid: member is \"$member\""
        [ -f "$_ca_dir/$member" ] || die "large object $oid: $member is not in the archive"
        _ca_member_text "$member" >"$part" || die "large object $oid: cannot decompress $member"
        _ca_expect_int "large object $oid: size of $member" \
            "$(psql_q "$db" "SELECT pg_catalog.length(pg_catalog.lo_get($oid))")" "$(_ca_size "$part")"
        _ca_expect_int "large object $oid bytes" "$(_ca_size "$part")" "$bytes"
        _ca_expect_int "large object $oid stored_bytes" "$(_ca_size "$_ca_dir/$member")" "$stored"
        [ "$(od -An -v -tx1 <"$part" | tr -d ' \n')" = "$(psql_q "$db" "SELECT pg_catalog.encode(pg_catalog.lo_get($oid), 'hex')")" ] ||
            die "large object $oid: content of $member differs from lo_get($oid)"
        [ "$(_ca_sha256 "$(_ca_hashed "$meta" "$_ca_dir/$member" "$part")")" = "$sha" ] ||
            die "large object $oid: sha256 differs from the meta"
    done < <(_ca_jq "$meta" '.large_objects[] | [.oid, .member, .bytes, .stored_bytes, .sha256] | map(tostring) | join("\t")')
    note "checked $n large objects"
}

# check_archive DB TAR META: every check above.
check_archive() {
    check_members "$2" "$3"
    check_table_set "$1" "$3"
    check_tables "$1" "$2" "$3"
    check_sequences "$1" "$3"
    check_large_objects "$1" "$2" "$3"
}
