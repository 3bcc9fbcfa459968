#!/usr/bin/env bash
# Configuration file and precedence, through the real binary:
# command line > environment > db-tools.json (found upwards or named) > defaults.
. "$(dirname "$0")/lib.sh"
require_snapshot

fresh_db itest_cfg_file
fresh_db itest_cfg_env
fresh_db itest_cfg_cli
for d in itest_cfg_file itest_cfg_env itest_cfg_cli; do
    psql_q "$d" "CREATE TABLE t (id int); INSERT INTO t VALUES (1)"
done
unset DATABASE_URL DB_TOOLS_CONFIG

mkdir -p "$T/proj/sub/deeper"
cat >"$T/proj/db-tools.json" <<'EOS'
{
  "database": "dbname=itest_cfg_file",
  "backups_dir": "snaps",
  "jobs": 3,
  "compression": 0,
  "an_unknown_key": true
}
EOS
run_in() { (cd "$1" && shift && snap "$@"); }

# file found by walking up; backups_dir relative to the file
run_in "$T/proj/sub/deeper" -q a >/dev/null 2>"$T/err" || die "snapshot with config failed: $(cat "$T/err")"
meta=$(ls "$T"/proj/snaps/*_a.meta)
assert_eq itest_cfg_file "$(meta_get "$meta" .source.database)" "database from the file"
assert_eq 0 "$(meta_get "$meta" .compression_level)" "compression from the file"
grep -q 'an_unknown_key' "$T/err" || die "unknown key not warned about"

# environment beats the file, command line beats the environment
DATABASE_URL="dbname=itest_cfg_env" run_in "$T/proj/sub" -q b >/dev/null 2>&1 || die "env snapshot failed"
assert_eq itest_cfg_env "$(meta_get "$(ls "$T"/proj/snaps/*_b.meta)" .source.database)" "DATABASE_URL over the file"
DATABASE_URL="dbname=itest_cfg_env" run_in "$T/proj/sub" -q -d itest_cfg_cli -Z 4 -o "$T/cli" c >/dev/null 2>&1 || die "cli snapshot failed"
meta=$(ls "$T"/cli/*_c.meta)
assert_eq itest_cfg_cli "$(meta_get "$meta" .source.database)" "-d over DATABASE_URL"
assert_eq 4 "$(meta_get "$meta" .compression_level)" "-Z over the file"

# DB_TOOLS_CONFIG names another file; --config beats DB_TOOLS_CONFIG
echo '{"database": "dbname=itest_cfg_env", "backups_dir": "'"$T"'/envsnaps"}' >"$T/env.json"
echo '{"database": "dbname=itest_cfg_cli", "backups_dir": "'"$T"'/clisnaps"}' >"$T/cli.json"
DB_TOOLS_CONFIG=$T/env.json run_in "$T/proj" -q d >/dev/null 2>&1 || die "DB_TOOLS_CONFIG snapshot failed"
assert_eq itest_cfg_env "$(meta_get "$(ls "$T"/envsnaps/*_d.meta)" .source.database)" "DB_TOOLS_CONFIG used"
DB_TOOLS_CONFIG=$T/env.json run_in "$T/proj" --config "$T/cli.json" -q e >/dev/null 2>&1 || die "--config snapshot failed"
assert_eq itest_cfg_cli "$(meta_get "$(ls "$T"/clisnaps/*_e.meta)" .source.database)" "--config over DB_TOOLS_CONFIG"

# bad files are usage errors that name the file
echo '{"jobs": 3,' >"$T/broken.json"
assert_status 2 snap --config "$T/broken.json" -o "$T/x" f
grep -q 'broken.json' "$T/last.err" || die "malformed config not named: $(cat "$T/last.err")"
echo '{"jobs": 0}' >"$T/range.json"
assert_status 2 snap --config "$T/range.json" -o "$T/x" f
grep -q '"jobs"' "$T/last.err" || die "bad jobs value not explained: $(cat "$T/last.err")"
assert_status 2 snap --config "$T/missing.json" -o "$T/x" f
[ ! -e "$T/x" ] || die "a configuration error created the output directory"

# the file is strict JSON: what lenient readers take (json-c's default mode) is refused by
# each tool (they share the loader) with the file, the line and the column
printf '{\n  "jobs": 3,\n  "compression": 1,\n}\n' >"$T/comma.json"
printf '{\n  // the team database\n  "database": "x"\n}\n' >"$T/comment.json"
printf "{\n  \"jobs\": 3,\n  'database': 'x'\n}\n" >"$T/quotes.json"
printf '{"jobs": 3, "compression": 1, "jobs": 4}\n' >"$T/twice.json"
for tool in db-snapshot db-restore db-reset; do
    for c in "comma.json:3:19: trailing comma" "comment.json:2:3: comment" "quotes.json:3:3: single quotes" \
        'twice.json:1:31: duplicate key "jobs"'; do
        assert_status 2 run_tool "$tool" --config "$T/${c%%:*}" -o "$T/x"
        grep -qF "$T/$c" "$T/last.err" || die "$tool: ${c%%:*} not refused with its line and column: $(cat "$T/last.err")"
    done
done
[ ! -e "$T/x" ] || die "a configuration error created the output directory"
note "ok"
