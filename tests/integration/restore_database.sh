#!/usr/bin/env bash
# restore_database.sh: the restored database itself is the source's.
#   Locale: an ICU database (sv-SE, whose collation sorts "å" before "ä", unlike libc's
#   C.UTF-8) restores as ICU with the same locale, and its ORDER BY and index order are the
#   source's; a provider this server does not know gives a warning and the server's default
#   locale, not a failed restore.
#   Settings and comment: ALTER DATABASE ... SET values (a search_path list with a quoted
#   name, a custom parameter with a quote) and COMMENT ON DATABASE come back exactly, and
#   a default_transaction_read_only setting does not stop the load; a setting the server
#   refuses is a warning.  Both from the archive and from the cache.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_snapshot

unset DB_TOOLS_CONFIG DATABASE_URL ENV APP_ENV RAILS_ENV NODE_ENV
DB_TOOLS_BINDIR=$(cd "$DB_TOOLS_BINDIR" && pwd)
cd "$T" || die "cannot cd to $T"

src=itest_rloc_src
dst=itest_rloc_dst
dir=$T/b
mkdir -p "$dir"
forget_templates "$dir"

# ICU databases exist from 15 on; before that the locale part checks the libc default.
icu=0
if [ "$(server_num)" -ge 150000 ]; then
    [ "$(psql_q postgres "SELECT count(*) FROM pg_collation WHERE collprovider = 'i'")" != 0 ] ||
        die "this server has no ICU support; the test needs it"
    icu=1
else
    note "PostgreSQL $(server_major) has no ICU databases: checking the settings and comment only"
fi
fresh_db "$src"
psql_q postgres "DROP DATABASE $src"
if [ "$icu" = 1 ]; then
    psql_q postgres "CREATE DATABASE $src TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'sv-SE'"
else
    psql_q postgres "CREATE DATABASE $src TEMPLATE template0"
fi
psql_q "$src" "CREATE TABLE w (v text PRIMARY KEY);
               INSERT INTO w VALUES ('a'), ('z'), ('å'), ('ä'), ('ö'), ('o'), ('Z')"
psql_q postgres "ALTER DATABASE $src SET search_path = app, \"My \"\"Schema\"\"\", public;
                 ALTER DATABASE $src SET myapp.greeting = 'it''s on';
                 ALTER DATABASE $src SET default_transaction_read_only = on;
                 COMMENT ON DATABASE $src IS 'the app''s database'"
settings_of() { psql_q postgres "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = '$1' AND s.setrole = 0"; }
comment_of() { psql_q postgres "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$1'"; }
want_settings=$(settings_of "$src")
case $want_settings in
    *Schema*default_transaction_read_only=on*) ;;
    *) die "unexpected source settings: $want_settings" ;;
esac
order() { psql_q "$1" "SELECT string_agg(v, ',' ORDER BY v) FROM w"; }
index_order() {
    psql_q "$1" "SET enable_seqscan = off; SET enable_sort = off;
                 SELECT string_agg(v, ',') FROM (SELECT v FROM w ORDER BY v) s"
}
# 17 renamed daticulocale to datlocale; before 15 there is only libc
if [ "$(server_num)" -ge 170000 ]; then
    locale_of() { psql_q postgres "SELECT datlocprovider::text || ' ' || coalesce(datlocale, '-') FROM pg_database WHERE datname = '$1'"; }
elif [ "$icu" = 1 ]; then
    locale_of() { psql_q postgres "SELECT datlocprovider::text || ' ' || coalesce(daticulocale, '-') FROM pg_database WHERE datname = '$1'"; }
else
    locale_of() { psql_q postgres "SELECT 'c ' || datcollate FROM pg_database WHERE datname = '$1'"; }
fi
want_order=$(order "$src")
want_locale=$(locale_of "$src")
if [ "$icu" = 1 ]; then
    case $want_order in
        *å,ä*) ;;
        *) die "the sv-SE collation did not sort as expected: $want_order" ;;
    esac
    assert_eq "i sv-SE" "$want_locale" "source locale"
fi

assert_status 0 snap -q -d "$src" -o "$dir" loc
tar=$(cat "$T/last.out")
meta=${tar%.tar}.meta
if [ "$icu" = 1 ]; then
    assert_eq icu "$(meta_get "$meta" .locale_provider)" "meta locale_provider"
    assert_eq sv-SE "$(meta_get "$meta" .provider_locale)" "meta provider_locale"
fi
assert_eq 3 "$(meta_get "$meta" '.database_settings | length')" "settings in the meta"
assert_eq "the app's database" "$(meta_get "$meta" .database_comment)" "comment in the meta"

fresh_db "$dst"
psql_q postgres "DROP DATABASE $dst"

# --- from the archive, then from the cache ---------------------------------------
for how in archive cache; do
    assert_status 0 restore -y --progress=never --keep-previous=0 -d "$dst" "$tar"
    if [ "$how" = cache ]; then
        grep -q 'clone of the cached template' "$T/last.err" ||
            die "the second restore did not come from the cache"
    fi
    assert_eq "$want_locale" "$(locale_of "$dst")" "restored locale ($how)"
    assert_eq "$want_order" "$(order "$dst")" "ORDER BY in the restored database ($how)"
    assert_eq "$want_order" "$(index_order "$dst")" "index order in the restored database ($how)"
    assert_eq "$want_settings" "$(settings_of "$dst")" "database settings ($how)"
    assert_eq "the app's database" "$(comment_of "$dst")" "database comment ($how)"
    assert_eq "app, \"My \"\"Schema\"\"\", public" "$(psql_q "$dst" "SHOW search_path")" "search_path in a new session ($how)"
done

# --- a provider the server does not know, a parameter it does not know: warnings ---------
unpack_archive "$tar"
jq '.locale_provider = "nonesuch" | .database_settings = ["no_such_parameter=1", "work_mem=8MB"]' \
    "$T/rb/meta.json" >"$T/rb/meta.new" && mv "$T/rb/meta.new" "$T/rb/meta.json"
repack_archive "$T/odd.tar"
assert_status 0 restore -y --no-cache --keep-previous=0 -d "$dst" "$T/odd.tar"
grep -q "warning: could not create the database with the snapshot's locale (LC_COLLATE .*, nonesuch" "$T/last.err" ||
    die "no warning about the unknown provider: $(cat "$T/last.err")"
grep -q "using the server's default locale" "$T/last.err" || die "the fallback is not explained"
if [ "$icu" = 1 ]; then
    assert_eq "$(psql_q postgres "SELECT datlocprovider FROM pg_database WHERE datname = 'template0'")" \
        "$(psql_q postgres "SELECT datlocprovider FROM pg_database WHERE datname = '$dst'")" \
        "fallback provider is the server's default"
fi
assert_eq 7 "$(psql_q "$dst" "SELECT count(*) FROM w")" "rows after the fallback"
grep -q 'warning: could not apply the database setting no_such_parameter: .*no_such_parameter' "$T/last.err" ||
    die "no warning about the refused setting: $(cat "$T/last.err")"
assert_eq '{work_mem=8MB}' "$(settings_of "$dst")" "the other setting is applied"
echo "ok"
