# shellcheck shell=bash
# hostile_gen.sh - makes hostile variants of a sound archive, for restore_hostile.sh.
#
#   hostile_make GOOD_TAR OUT_DIR CANARY_DIR
#
# writes OUT_DIR/<case>.tar, one file per case below, each something a restore must
# refuse with exit status 4 before it changes anything.  Statements that would act
# outside the database (a program, a file) aim at CANARY_DIR, so that a test can see
# whether anything ran.  Needs jq, tar, gzip, sha256sum; uses unpack_archive and
# repack_archive of lib.sh (which work in $T/rb).
#
# The cases, by what they attack:
#   schema SQL:  drop-database copy-to-program copy-from-file do-block alter-system
#                create-role grant-role set-role shell-meta select-call drop-table
#                nul-byte
#   layout:      listed-twice unlisted-member pre-is-post missing-member extra-size
#                truncated-half truncated-header not-a-tar empty-file no-meta
#                symlink-member dotdot-member absolute-member
#   meta.json:   bad-json trailing-garbage newer-format wrong-sha table-sums
#                rows-overflow lo-twice bad-member-name
#   data:        bomb corrupt-gzip

# _hg_set_schema SECTION: the member of section pre_data|post_data got new content: fix its
# size and checksum in meta.json, so that only the statement itself is wrong
_hg_fix_schema() {
    local sec=$1 m
    m=$(jq -r ".schema.$sec.member" "$T/rb/meta.json")
    jq --arg sec "$sec" --arg sha "$(sha256sum <"$T/rb/$m" | cut -c1-64)" \
       --argjson b "$(stat -c %s "$T/rb/$m")" \
       '.schema[$sec].sha256 = $sha | .schema[$sec].bytes = $b' "$T/rb/meta.json" >"$T/rb/meta.new" &&
        mv "$T/rb/meta.new" "$T/rb/meta.json"
}

# _hg_sql CASE SECTION SQL: append SQL to a schema section
_hg_sql() {
    local name=$1 sec=$2 sql=$3 m
    unpack_archive "$good"
    m=$(jq -r ".schema.$sec.member" "$T/rb/meta.json")
    printf '%s\n' "$sql" >>"$T/rb/$m"
    _hg_fix_schema "$sec"
    repack_archive "$out/$name.tar"
}

# _hg_meta CASE JQ: edit meta.json with a jq filter
_hg_meta() {
    unpack_archive "$good"
    jq "$2" "$T/rb/meta.json" >"$T/rb/meta.new" && mv "$T/rb/meta.new" "$T/rb/meta.json"
    repack_archive "$out/$1.tar"
}

hostile_make() {
    local good=$1 out=$2 canary=$3 first m st
    mkdir -p "$out"

    # --- schema SQL that pg_dump does not write ------------------------------------------
    _hg_sql drop-database pre_data "DROP DATABASE IF EXISTS postgres;"
    _hg_sql copy-to-program post_data "COPY (SELECT 1) TO PROGRAM 'touch $canary/copy-to-program';"
    _hg_sql copy-from-file pre_data "COPY pg_catalog.pg_class FROM '/etc/passwd';"
    _hg_sql do-block post_data "DO \$\$ BEGIN EXECUTE 'CREATE TABLE public.pwned (x int)'; END \$\$;"
    _hg_sql alter-system pre_data "ALTER SYSTEM SET log_min_messages = 'debug5';"
    _hg_sql create-role pre_data "CREATE ROLE itest_hostile_role SUPERUSER;"
    _hg_sql grant-role post_data "GRANT pg_execute_server_program TO PUBLIC;"
    _hg_sql set-role pre_data "SET ROLE postgres;"
    _hg_sql shell-meta post_data "\\! touch $canary/shell-meta"
    _hg_sql select-call post_data "SELECT pg_catalog.set_config('x', pg_catalog.pg_read_file('/etc/hostname'), false);"
    _hg_sql drop-table post_data "DROP TABLE IF EXISTS public.t;"
    unpack_archive "$good"
    m=$(jq -r '.schema.pre_data.member' "$T/rb/meta.json")
    printf '\0DROP DATABASE IF EXISTS postgres;\n' >>"$T/rb/$m"
    _hg_fix_schema pre_data
    repack_archive "$out/nul-byte.tar"

    # --- the tar's layout --------------------------------------------------------------------
    first=$(jq -r '.tables[0].members[0].member' "$(_hg_meta_of "$good")")
    _hg_meta listed-twice '.tables[1].members[0] = .tables[0].members[0] |
        .tables[1] |= (.rows = .members[0].rows | .raw_bytes = .members[0].raw_bytes |
                       .stored_bytes = .members[0].stored_bytes)'
    _hg_meta pre-is-post '.schema.pre_data = .schema.post_data'
    unpack_archive "$good"
    printf 'not listed\n' >"$T/rb/data/9999_extra.txt"
    echo data/9999_extra.txt >>"$T/rb.order"
    repack_archive "$out/unlisted-member.tar"
    unpack_archive "$good"
    grep -v -x -F "$first" "$T/rb.order" >"$T/rb.order.new" && mv "$T/rb.order.new" "$T/rb.order"
    repack_archive "$out/missing-member.tar"
    _hg_meta extra-size '.tables[0].members[0].stored_bytes += 1 | .tables[0].stored_bytes += 1'
    head -c $(($(stat -c %s "$good") / 2)) "$good" >"$out/truncated-half.tar"
    head -c 700 "$good" >"$out/truncated-header.tar"
    printf 'this is not a tar archive\n' >"$out/not-a-tar.tar"
    : >"$out/empty-file.tar"
    unpack_archive "$good"
    grep -v -x meta.json "$T/rb.order" >"$T/rb.order.new" && mv "$T/rb.order.new" "$T/rb.order"
    repack_archive "$out/no-meta.tar"
    unpack_archive "$good"
    ln -s /etc/passwd "$T/rb/data/link"
    echo data/link >>"$T/rb.order"
    repack_archive "$out/symlink-member.tar"
    # tar member names that leave the archive's tree
    unpack_archive "$good"
    (cd "$T/rb" && tar -cf "$out/dotdot-member.tar" --format=ustar -T "$T/rb.order" \
        --transform="s|^$first\$|data/../../escape.gz|")
    (cd "$T/rb" && tar -cf "$out/absolute-member.tar" --format=ustar -T "$T/rb.order" -P \
        --transform="s|^$first\$|/tmp/escape.gz|")

    # --- meta.json ----------------------------------------------------------------------------
    unpack_archive "$good"
    printf '{"format": ' >"$T/rb/meta.json"
    repack_archive "$out/bad-json.tar"
    unpack_archive "$good"
    printf ' trailing' >>"$T/rb/meta.json"
    repack_archive "$out/trailing-garbage.tar"
    _hg_meta newer-format '.format_version = 99'
    _hg_meta wrong-sha '.tables[0].members[0].sha256 = ("0" * 64)'
    _hg_meta table-sums '.tables[0].rows += 1'
    _hg_meta rows-overflow '.tables[0].members[0].rows = 9223372036854775807 | .tables[0].rows = 9223372036854775807 |
        .tables[1].members[0].rows = 9223372036854775807 | .tables[1].rows = 9223372036854775807'
    _hg_meta lo-twice '.large_objects = [.large_objects[0], .large_objects[0]]'
    _hg_meta bad-member-name '.tables[0].members[0].member = "data/../../etc/passwd"'

    # --- data -----------------------------------------------------------------------------------
    unpack_archive "$good"
    awk 'BEGIN { for (i = 1; i <= 2000000; i++) printf "%d\tbomb %030d\n", i, i }' | gzip -1 >"$T/rb/$first"
    st=$(stat -c %s "$T/rb/$first")
    jq --arg m "$first" --argjson st "$st" \
       '(.tables[] | select(.members[0].member == $m)) |= (.members[0].stored_bytes = $st | .stored_bytes = $st)' \
       "$T/rb/meta.json" >"$T/rb/meta.new" && mv "$T/rb/meta.new" "$T/rb/meta.json"
    repack_archive "$out/bomb.tar"
    cp "$good" "$out/corrupt-gzip.tar"
    printf 'XXXXXXXXXXXXXXXX' | dd of="$out/corrupt-gzip.tar" bs=1 conv=notrunc status=none \
        seek=$(( $(_hg_offset "$good" "$first") + 30 ))
}

# the .meta of an archive: its sidecar, else its meta.json member (in $T)
_hg_meta_of() {
    if [ -f "${1%.tar}.meta" ]; then
        echo "${1%.tar}.meta"
    else
        tar -xOf "$1" meta.json >"$T/hg.meta" && echo "$T/hg.meta"
    fi
}

# byte offset of a member's data
_hg_offset() {
    local block
    block=$(tar -tvRf "$1" | awk -v m="$2" '$NF == m { sub(":", "", $2); print $2 }')
    echo $(((block + 1) * 512))
}
