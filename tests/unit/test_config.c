/*
 * test_config.c — unit tests for config.c: parsing and validating
 * db-tools.json (strict JSON: the lenient forms refused with the file's
 * name, line and column), setting precedence, finding and loading the file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fe/config.h"
#include "util/log.h"
#include "util/strbuf.h"

#define TEST_ENV "DB_TOOLS_TEST_URL"

/* ---- helpers ---- */

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static char *
make_dir(const char *parent, const char *name)
{
	char *p = xasprintf("%s/%s", parent, name);

	if (mkdir(p, 0700) != 0)
		fail_msg("mkdir %s: %s", p, strerror(errno));
	return p;
}

static char *
make_tmpdir(void)
{
	char *t = xstrdup("/tmp/db-tools-unit-config-XXXXXX");

	if (!mkdtemp(t))
		fail_msg("mkdtemp: %s", strerror(errno));
	return t;
}

/* rm -r for the small trees made here (files and directories only). */
static void
remove_tree(const char *path)
{
	char *cmd = xasprintf("rm -rf '%s'", path);

	assert_int_equal(strncmp(path, "/tmp/db-tools-unit-config-", 26), 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static bool
exists_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int
parse(const char *text, cfg *c)
{
	return cfg_parse(text, "/proj/db-tools.json", "/proj", c);
}

static void
expect_reject(const char *text)
{
	cfg c;

	if (parse(text, &c) != -1)
		fail_msg("document should have been rejected: %s", text);
	cfg_free(&c);
}

/* ---- cfg_parse ---- */

static const char full_doc[] =
	"{\n"
	"  \"database\": \"postgresql://app@localhost/app_dev\",\n"
	"  \"backups_dir\": \"var/snapshots\",\n"
	"  \"jobs\": 6,\n"
	"  \"compression\": 3,\n"
	"  \"retention\": { \"keep\": 10, \"older_than\": \"30d\" },\n"
	"  \"allowed_hosts\": [ \"localhost\", \"db.internal\", \"10.0.0.5\" ],\n"
	"  \"migrations\": { \"table\": \"public.schema_migrations\" }\n"
	"}\n";

static void
test_parse_full(void **state)
{
	cfg c;
	json_object *mig = NULL;

	(void) state;
	assert_int_equal(parse(full_doc, &c), 0);
	assert_string_equal(c.path, "/proj/db-tools.json");
	assert_string_equal(c.dir, "/proj");
	assert_string_equal(c.database, "postgresql://app@localhost/app_dev");
	assert_string_equal(c.backups_dir, "/proj/var/snapshots");
	assert_int_equal(c.jobs, 6);
	assert_string_equal(c.compression, "3");     /* a level n is kept as the spec "n" */
	assert_int_equal(c.retention_keep, 10);
	assert_int_equal(c.retention_age, 30LL * 86400);
	assert_int_equal(c.n_allowed_hosts, 3);
	assert_string_equal(c.allowed_hosts[0], "localhost");
	assert_string_equal(c.allowed_hosts[1], "db.internal");
	assert_string_equal(c.allowed_hosts[2], "10.0.0.5");
	/* keys read by one tool only stay reachable through root */
	assert_non_null(c.root);
	assert_true(json_object_object_get_ex(c.root, "migrations", &mig));
	assert_true(json_object_is_type(mig, json_type_object));
	cfg_free(&c);
	assert_null(c.database);
	assert_null(c.root);
}

static void
test_parse_backups_dir(void **state)
{
	cfg c;

	(void) state;
	/* absolute paths are kept as they are */
	assert_int_equal(parse("{\"backups_dir\": \"/var/backups/db\"}", &c), 0);
	assert_string_equal(c.backups_dir, "/var/backups/db");
	cfg_free(&c);

	/* relative to the file's directory, not the working directory */
	assert_int_equal(cfg_parse("{\"backups_dir\": \"../shared\"}", "/srv/app/db-tools.json",
	    "/srv/app", &c), 0);
	assert_string_equal(c.backups_dir, "/srv/app/../shared");
	cfg_free(&c);

	/* a file in "." leaves relative paths alone */
	assert_int_equal(cfg_parse("{\"backups_dir\": \"snaps\"}", "db-tools.json", ".", &c), 0);
	assert_string_equal(c.backups_dir, "snaps");
	cfg_free(&c);
}

static void
test_parse_defaults(void **state)
{
	cfg c;

	(void) state;
	assert_int_equal(parse("{}", &c), 0);
	assert_null(c.database);
	assert_null(c.backups_dir);
	assert_int_equal(c.jobs, -1);
	assert_null(c.compression);
	assert_int_equal(c.retention_keep, -1);
	assert_int_equal(c.retention_age, -1);
	assert_int_equal(c.n_allowed_hosts, 0);
	cfg_free(&c);

	/* only one retention key */
	assert_int_equal(parse("{\"retention\": {\"keep\": 0}}", &c), 0);
	assert_int_equal(c.retention_keep, 0);
	assert_int_equal(c.retention_age, -1);
	cfg_free(&c);

	/* an empty list of hosts */
	assert_int_equal(parse("{\"allowed_hosts\": []}", &c), 0);
	assert_int_equal(c.n_allowed_hosts, 0);
	cfg_free(&c);
}

static void
test_parse_ranges(void **state)
{
	cfg c;

	(void) state;
	assert_int_equal(parse("{\"jobs\": 1, \"compression\": 0}", &c), 0);
	assert_int_equal(c.jobs, 1);
	assert_string_equal(c.compression, "0");
	cfg_free(&c);
	assert_int_equal(parse("{\"jobs\": 64, \"compression\": 9}", &c), 0);
	assert_int_equal(c.jobs, 64);
	assert_string_equal(c.compression, "9");
	cfg_free(&c);

	expect_reject("{\"jobs\": 0}");
	expect_reject("{\"jobs\": 65}");
	expect_reject("{\"jobs\": -3}");
	expect_reject("{\"jobs\": 4294967297}");       /* must not wrap to 1 */
	expect_reject("{\"compression\": 10}");
	expect_reject("{\"compression\": -1}");
	expect_reject("{\"retention\": {\"keep\": -1}}");
}

/* "compression": a gzip level 0..9 (kept as its decimal string) or a -Z spec string. */
static void
test_parse_compression(void **state)
{
	static const char *const good[] = {
		"zstd:3", "none", "gzip:9", "gzip", "gzip:0", "gzip:1", "zstd", "zstd:1", "zstd:19",
		"none:0", "0", "9",
	};
	static const char *const bad[] = {
		"fast", "zstd:0", "zstd:20", "gzip:10", "none:1", "lz4", "GZIP", "gzip:", "zstd:",
		":3", "10", "-1", "gzip:-1", "gzip:x", "gzip:1:2", " gzip", "gzip ", "",
	};
	cfg c;

	(void) state;
	for (int n = 0; n <= 9; n++) {
		char doc[64], want[4];

		snprintf(doc, sizeof(doc), "{\"compression\": %d}", n);
		snprintf(want, sizeof(want), "%d", n);
		if (parse(doc, &c) != 0)
			fail_msg("rejected: %s", doc);
		assert_non_null(c.compression);
		assert_string_equal(c.compression, want);
		cfg_free(&c);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *doc = xasprintf("{\"compression\": \"%s\"}", good[i]);

		if (parse(doc, &c) != 0)
			fail_msg("rejected: %s", doc);
		assert_non_null(c.compression);
		assert_string_equal(c.compression, good[i]);   /* kept as written */
		cfg_free(&c);
		free(doc);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *doc = xasprintf("{\"compression\": \"%s\"}", bad[i]);

		expect_reject(doc);
		free(doc);
	}
	/* numbers out of range, and values of other types */
	expect_reject("{\"compression\": 10}");
	expect_reject("{\"compression\": -1}");
	expect_reject("{\"compression\": 100}");
	expect_reject("{\"compression\": 4294967299}");   /* must not wrap to 3 */
	expect_reject("{\"compression\": 3.0}");
	expect_reject("{\"compression\": true}");
	expect_reject("{\"compression\": null}");
	expect_reject("{\"compression\": [\"zstd\"]}");
	expect_reject("{\"compression\": {\"method\": \"zstd\"}}");

	/* a bad value is an error even beside good keys, and nothing is kept of it */
	assert_int_equal(parse("{\"jobs\": 3, \"compression\": \"zstd:5\"}", &c), 0);
	assert_string_equal(c.compression, "zstd:5");
	assert_int_equal(c.jobs, 3);
	cfg_free(&c);
	expect_reject("{\"jobs\": 3, \"compression\": \"zstd:99\"}");
}

static void
test_parse_malformed(void **state)
{
	(void) state;
	expect_reject("");
	expect_reject("not json");
	expect_reject("{");
	expect_reject("{\"database\": ");
	expect_reject("{\"database\" \"x\"}");
	expect_reject("[\"database\"]");               /* not an object */
	expect_reject("\"db-tools\"");
	/* one object, and nothing after it */
	expect_reject("{\"jobs\": 4}}");
	expect_reject("{\"jobs\": 4} {\"jobs\": 8}");
	expect_reject("{\"jobs\": 4} trailing");
}

static void
test_parse_trailing_whitespace(void **state)
{
	cfg c;

	(void) state;
	assert_int_equal(parse("\n  {\"jobs\": 4}\n\n\t \r\n", &c), 0);
	assert_int_equal(c.jobs, 4);
	cfg_free(&c);
}

static void
test_parse_wrong_types(void **state)
{
	(void) state;
	expect_reject("{\"database\": 5}");
	expect_reject("{\"database\": \"\"}");
	expect_reject("{\"database\": null}");
	expect_reject("{\"database\": [\"app\"]}");
	expect_reject("{\"backups_dir\": true}");
	expect_reject("{\"backups_dir\": \"\"}");
	expect_reject("{\"jobs\": \"4\"}");
	expect_reject("{\"jobs\": 4.5}");
	expect_reject("{\"jobs\": true}");
	expect_reject("{\"compression\": \"fast\"}");
	expect_reject("{\"retention\": 10}");
	expect_reject("{\"retention\": [10]}");
	expect_reject("{\"retention\": {\"keep\": \"10\"}}");
	expect_reject("{\"retention\": {\"older_than\": 30}}");
	expect_reject("{\"retention\": {\"older_than\": \"30\"}}");
	expect_reject("{\"retention\": {\"older_than\": \"30y\"}}");
	expect_reject("{\"allowed_hosts\": \"localhost\"}");
	expect_reject("{\"allowed_hosts\": [\"localhost\", 5]}");
	expect_reject("{\"allowed_hosts\": [\"localhost\", \"\"]}");
	expect_reject("{\"allowed_hosts\": [null]}");
	/* a bad value after good ones (checks that cleanup frees what was kept) */
	expect_reject("{\"database\": \"app\", \"backups_dir\": \"b\", \"allowed_hosts\": [\"a\"], \"jobs\": 0}");
}

static void
test_parse_unknown_keys(void **state)
{
	cfg c;

	(void) state;
	/* unknown keys only warn */
	assert_int_equal(parse("{\"databse\": \"typo\", \"jobs\": 2}", &c), 0);
	assert_null(c.database);
	assert_int_equal(c.jobs, 2);
	cfg_free(&c);
	assert_int_equal(parse("{\"retention\": {\"kep\": 3, \"keep\": 4}}", &c), 0);
	assert_int_equal(c.retention_keep, 4);
	cfg_free(&c);
	cfg_free(&c);
}

static void
test_parse_migrations_seeds(void **state)
{
	cfg c;

	(void) state;
	assert_int_equal(parse("{\"migrations\": {\"dir\": \"db/m\"}, \"seeds\": {\"dir\": \"/abs/s\","
	    " \"counts\": {\"users\": 10, \"orders\": 0}, \"rng_seed\": 42}, \"cache_size\": 0}", &c), 0);
	assert_non_null(c.migrations_dir);
	assert_non_null(strstr(c.migrations_dir, "db/m"));
	assert_null(c.migrations_command);
	assert_string_equal(c.seeds_dir, "/abs/s");
	assert_int_equal(c.n_counts, 2);
	assert_string_equal(c.count_names[0], "users");
	assert_int_equal(c.count_values[0], 10);
	assert_int_equal(c.count_values[1], 0);
	assert_int_equal(c.rng_seed, 42);
	assert_int_equal(c.cache_size, 0);
	cfg_free(&c);
	assert_int_equal(parse("{\"migrations\": {\"command\": \"alembic upgrade head\"},"
	    " \"seeds\": {\"command\": \"python -m seed\"}}", &c), 0);
	assert_string_equal(c.migrations_command, "alembic upgrade head");
	assert_string_equal(c.seeds_command, "python -m seed");
	assert_int_equal(c.rng_seed, -1);
	cfg_free(&c);
	/* wrong shapes are errors */
	assert_int_equal(parse("{\"seeds\": [\"x.sql\"]}", &c), -1);
	cfg_free(&c);
	assert_int_equal(parse("{\"migrations\": {\"dir\": \"a\", \"command\": \"b\"}}", &c), -1);
	cfg_free(&c);
	assert_int_equal(parse("{\"seeds\": {\"counts\": {\"users\": -1}}}", &c), -1);
	cfg_free(&c);
	assert_int_equal(parse("{\"seeds\": {\"counts\": {\"users\": \"ten\"}}}", &c), -1);
	cfg_free(&c);
	/* what -c and --rng-seed accept, no more */
	assert_int_equal(parse("{\"seeds\": {\"counts\": {\"bad-name\": 1}}}", &c), -1);
	cfg_free(&c);
	assert_int_equal(parse("{\"seeds\": {\"counts\": {\"\": 1}}}", &c), -1);
	cfg_free(&c);
	assert_int_equal(parse("{\"seeds\": {\"counts\": {\"Line_Items2\": 1}}}", &c), 0);
	cfg_free(&c);
	assert_int_equal(parse("{\"seeds\": {\"rng_seed\": 2147483648}}", &c), -1);
	cfg_free(&c);
	assert_int_equal(parse("{\"seeds\": {\"rng_seed\": 2147483647}}", &c), 0);
	cfg_free(&c);
	assert_int_equal(parse("{\"cache_size\": 5000}", &c), -1);
	cfg_free(&c);
}

/* stderr of cfg_parse(text) at the error level; *rc its result */
static char *
parse_stderr(const char *text, int *rc)
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	char *out;
	long len;
	cfg c;

	assert_non_null(f);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_int_equal(dup2(fileno(f), STDERR_FILENO), STDERR_FILENO);
	log_set_level(LOG_LEVEL_ERROR);
	*rc = parse(text, &c);
	log_set_level(LOG_LEVEL_SILENT);
	fflush(stderr);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	cfg_free(&c);
	len = ftell(f);
	assert_true(len >= 0);
	out = xcalloc(1, (size_t) len + 1);
	rewind(f);
	assert_int_equal(fread(out, 1, (size_t) len, f), (size_t) len);
	fclose(f);
	return out;
}

/* text is refused with want (file:line:column: problem) in the message */
static void
expect_strict_error(const char *text, const char *want)
{
	int rc;
	char *err = parse_stderr(text, &rc);

	if (rc != -1)
		fail_msg("document should have been rejected: %s", text);
	if (!strstr(err, want))
		fail_msg("for %s: wanted \"%s\" in: %s", text, want, err);
	free(err);
}

/* json-c's default mode takes all of these; db-tools(5) says JSON, and jq, which the completion uses, refuses them */
static void
test_parse_strict(void **state)
{
	cfg c;
	int rc;
	char *err;

	(void) state;
	expect_strict_error("{\n  \"jobs\": 2,\n  \"retention\": {\"keep\": 3},\n}\n",
	    "/proj/db-tools.json:3:27: trailing comma");
	expect_strict_error("{\"allowed_hosts\": [\"a\", \"b\",]}", "/proj/db-tools.json:1:28: trailing comma");
	expect_strict_error("{\n  'database': 'app'\n}", "/proj/db-tools.json:2:3: single quotes");
	expect_strict_error("{\"database\": 'app'}", "/proj/db-tools.json:1:14: single quotes");
	expect_strict_error("{\n  // the team's database\n  \"database\": \"app\"\n}",
	    "/proj/db-tools.json:2:3: comment");
	expect_strict_error("{\"jobs\": 2 /* two */}", "/proj/db-tools.json:1:12: comment");
	expect_strict_error("/* settings */ {}", "/proj/db-tools.json:1:1: comment");
	expect_strict_error("{\"jobs\": 2,\n \"database\": \"a\",\n \"jobs\": 4}",
	    "/proj/db-tools.json:3:2: duplicate key \"jobs\"");
	expect_strict_error("{\"seeds\": {\"counts\": {\"users\": 1, \"users\": 2}}}",
	    "/proj/db-tools.json:1:35: duplicate key \"users\"");
	expect_strict_error("{\"jobs\": 2}\n}", "/proj/db-tools.json:2:1: trailing bytes after the document");
	expect_strict_error("{\"jobs\": 2} {\"jobs\": 3}", "/proj/db-tools.json:1:13: trailing bytes");
	expect_strict_error("{\"jobs\": 2", "/proj/db-tools.json:1:11: unexpected end");
	expect_strict_error("{\"jobs\": NaN}", "/proj/db-tools.json:1:10: not a JSON value");
	/* the message says what the format is */
	err = parse_stderr("{\"jobs\": 2,}", &rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "strict JSON"));
	free(err);

	/* a valid file is still accepted, whitespace of every kind included */
	err = parse_stderr("\r\n\t{ \"jobs\" : 2 ,\r\n\t\"allowed_hosts\": [ ],\"database\":\"caf\u00e9\\u00e9\"}\r\n", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(err, "");
	free(err);
	assert_int_equal(parse(full_doc, &c), 0);
	cfg_free(&c);
}

/* ---- precedence ---- */

static void
test_pick_str(void **state)
{
	(void) state;
	setenv(TEST_ENV, "from-env", 1);
	assert_string_equal(cfg_pick_str("from-cli", TEST_ENV, "from-file", "default"), "from-cli");
	assert_string_equal(cfg_pick_str(NULL, TEST_ENV, "from-file", "default"), "from-env");
	/* an empty command-line value counts as unset */
	assert_string_equal(cfg_pick_str("", TEST_ENV, "from-file", "default"), "from-env");

	unsetenv(TEST_ENV);
	assert_string_equal(cfg_pick_str(NULL, TEST_ENV, "from-file", "default"), "from-file");
	/* an empty environment value counts as unset */
	setenv(TEST_ENV, "", 1);
	assert_string_equal(cfg_pick_str(NULL, TEST_ENV, "from-file", "default"), "from-file");
	assert_string_equal(cfg_pick_str("", TEST_ENV, "from-file", "default"), "from-file");

	unsetenv(TEST_ENV);
	assert_string_equal(cfg_pick_str(NULL, TEST_ENV, NULL, "default"), "default");
	assert_string_equal(cfg_pick_str(NULL, TEST_ENV, "", "default"), "default");
	assert_null(cfg_pick_str(NULL, TEST_ENV, NULL, NULL));

	/* no environment variable for this setting */
	setenv(TEST_ENV, "from-env", 1);
	assert_string_equal(cfg_pick_str(NULL, NULL, "from-file", "default"), "from-file");
	assert_string_equal(cfg_pick_str("cli", NULL, "from-file", "default"), "cli");
	unsetenv(TEST_ENV);
}

static void
test_pick_int(void **state)
{
	(void) state;
	assert_int_equal(cfg_pick_int(3, 5, 7), 3);
	assert_int_equal(cfg_pick_int(-1, 5, 7), 5);
	assert_int_equal(cfg_pick_int(-1, -1, 7), 7);
	/* 0 is a value, not "unset" */
	assert_int_equal(cfg_pick_int(0, 5, 7), 0);
	assert_int_equal(cfg_pick_int(-1, 0, 7), 0);
	assert_int_equal(cfg_pick_int(-1, -1, -1), -1);
}

/* ---- finding and loading ---- */

static void
test_find_upwards(void **state)
{
	char *tmp = make_tmpdir();
	char *a = make_dir(tmp, "a");
	char *b = make_dir(a, "b");
	char *cdir = make_dir(b, "c");
	char *want = xasprintf("%s/%s", a, CFG_FILE_NAME);
	char *bogus = xasprintf("%s/%s", b, CFG_FILE_NAME);
	char *found;

	(void) state;
	write_text(want, "{}\n");
	/* a directory of that name is not a configuration file */
	assert_int_equal(mkdir(bogus, 0700), 0);

	found = cfg_find_upwards(cdir);
	assert_non_null(found);
	assert_string_equal(found, want);
	free(found);

	found = cfg_find_upwards(a);
	assert_non_null(found);
	assert_string_equal(found, want);
	free(found);

	/* the nearest file wins */
	assert_int_equal(rmdir(bogus), 0);
	write_text(bogus, "{}\n");
	found = cfg_find_upwards(cdir);
	assert_non_null(found);
	assert_string_equal(found, bogus);
	free(found);

	/* nothing found above the tree: only meaningful when / and /tmp have no such file */
	if (!exists_file("/" CFG_FILE_NAME) && !exists_file("/tmp/" CFG_FILE_NAME)) {
		assert_int_equal(unlink(bogus), 0);
		assert_int_equal(unlink(want), 0);
		found = cfg_find_upwards(cdir);
		assert_null(found);
		found = cfg_find_upwards(tmp);
		assert_null(found);
	}

	remove_tree(tmp);
	free(tmp);
	free(a);
	free(b);
	free(cdir);
	free(want);
	free(bogus);
}

typedef struct load_env {
	char *saved_config;   /* DB_TOOLS_CONFIG before the test */
	char cwd[PATH_MAX];
	char *tmp;
} load_env;

static int
load_setup(void **state)
{
	load_env *e = calloc(1, sizeof(*e));
	const char *v = getenv("DB_TOOLS_CONFIG");

	if (!e || !getcwd(e->cwd, sizeof(e->cwd)))
		return -1;
	e->saved_config = v ? xstrdup(v) : NULL;
	unsetenv("DB_TOOLS_CONFIG");
	e->tmp = make_tmpdir();
	*state = e;
	return 0;
}

static int
load_teardown(void **state)
{
	load_env *e = *state;
	int rc = chdir(e->cwd);

	if (e->saved_config)
		setenv("DB_TOOLS_CONFIG", e->saved_config, 1);
	else
		unsetenv("DB_TOOLS_CONFIG");
	remove_tree(e->tmp);
	free(e->tmp);
	free(e->saved_config);
	free(e);
	return rc;
}

static void
test_load_env(void **state)
{
	load_env *e = *state;
	char *path = xasprintf("%s/from-env.json", e->tmp);
	cfg c;

	write_text(path, "{\"database\": \"envdb\", \"backups_dir\": \"bk\", \"jobs\": 3}");
	setenv("DB_TOOLS_CONFIG", path, 1);
	assert_int_equal(cfg_load(NULL, &c), 0);
	assert_non_null(c.path);
	assert_string_equal(c.path, path);
	assert_string_equal(c.dir, e->tmp);
	assert_string_equal(c.database, "envdb");
	assert_int_equal(c.jobs, 3);
	{
		char *want = xasprintf("%s/bk", e->tmp);

		assert_string_equal(c.backups_dir, want);
		free(want);
	}
	cfg_free(&c);

	/* an empty --config falls back to the environment */
	assert_int_equal(cfg_load("", &c), 0);
	assert_string_equal(c.database, "envdb");
	cfg_free(&c);
	free(path);
}

static void
test_load_explicit_wins(void **state)
{
	load_env *e = *state;
	char *env_path = xasprintf("%s/from-env.json", e->tmp);
	char *cli_path = xasprintf("%s/from-cli.json", e->tmp);
	cfg c;

	write_text(env_path, "{\"database\": \"envdb\"}");
	write_text(cli_path, "{\"database\": \"clidb\", \"compression\": 1}");
	setenv("DB_TOOLS_CONFIG", env_path, 1);
	assert_int_equal(cfg_load(cli_path, &c), 0);
	assert_string_equal(c.path, cli_path);
	assert_string_equal(c.database, "clidb");
	assert_string_equal(c.compression, "1");
	cfg_free(&c);

	/* the explicit path wins even when the environment names a broken file */
	write_text(env_path, "{broken");
	assert_int_equal(cfg_load(cli_path, &c), 0);
	assert_string_equal(c.database, "clidb");
	cfg_free(&c);
	assert_int_equal(cfg_load(NULL, &c), -1);
	cfg_free(&c);
	free(env_path);
	free(cli_path);
}

static void
test_load_errors(void **state)
{
	load_env *e = *state;
	char *missing = xasprintf("%s/missing.json", e->tmp);
	char *bad = xasprintf("%s/bad.json", e->tmp);
	cfg c;

	/* a file that was named but cannot be read is an error */
	assert_int_equal(cfg_load(missing, &c), -1);
	cfg_free(&c);
	setenv("DB_TOOLS_CONFIG", missing, 1);
	assert_int_equal(cfg_load(NULL, &c), -1);
	cfg_free(&c);
	unsetenv("DB_TOOLS_CONFIG");

	/* a directory is not a readable configuration file */
	assert_int_equal(cfg_load(e->tmp, &c), -1);
	cfg_free(&c);

	write_text(bad, "{\"jobs\": 100}");
	assert_int_equal(cfg_load(bad, &c), -1);
	cfg_free(&c);

	/* a NUL byte in the file is not the end of the document */
	{
		FILE *f = fopen(bad, "wb");

		assert_non_null(f);
		assert_int_equal(fwrite("{\"jobs\": 2}\0{\"jobs\": 3}", 1, 23, f), 23);
		assert_int_equal(fclose(f), 0);
	}
	assert_int_equal(cfg_load(bad, &c), -1);
	cfg_free(&c);
	write_text(bad, "{\"jobs\": 2,}");
	assert_int_equal(cfg_load(bad, &c), -1);
	cfg_free(&c);
	free(missing);
	free(bad);
}

static void
test_load_search_cwd(void **state)
{
	load_env *e = *state;
	char *a = make_dir(e->tmp, "a");
	char *b = make_dir(a, "b");
	char *file = xasprintf("%s/%s", a, CFG_FILE_NAME);
	char real_a[PATH_MAX];
	cfg c;

	write_text(file, "{\"backups_dir\": \"snaps\"}");
	assert_non_null(realpath(a, real_a));
	assert_int_equal(chdir(b), 0);
	assert_int_equal(cfg_load(NULL, &c), 0);
	assert_non_null(c.path);
	assert_string_equal(c.dir, real_a);
	{
		char *want = xasprintf("%s/snaps", real_a);

		assert_string_equal(c.backups_dir, want);
		free(want);
	}
	cfg_free(&c);

	/* no file anywhere above: success with no path */
	if (!exists_file("/" CFG_FILE_NAME) && !exists_file("/tmp/" CFG_FILE_NAME)) {
		assert_int_equal(unlink(file), 0);
		assert_int_equal(cfg_load(NULL, &c), 0);
		assert_null(c.path);
		assert_null(c.database);
		assert_int_equal(c.jobs, -1);
		assert_int_equal(c.retention_age, -1);
		cfg_free(&c);
	}
	free(a);
	free(b);
	free(file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full),
		cmocka_unit_test(test_parse_backups_dir),
		cmocka_unit_test(test_parse_defaults),
		cmocka_unit_test(test_parse_ranges),
		cmocka_unit_test(test_parse_compression),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_trailing_whitespace),
		cmocka_unit_test(test_parse_wrong_types),
		cmocka_unit_test(test_parse_unknown_keys),
		cmocka_unit_test(test_parse_migrations_seeds),
		cmocka_unit_test(test_parse_strict),
		cmocka_unit_test(test_pick_str),
		cmocka_unit_test(test_pick_int),
		cmocka_unit_test(test_find_upwards),
		cmocka_unit_test_setup_teardown(test_load_env, load_setup, load_teardown),
		cmocka_unit_test_setup_teardown(test_load_explicit_wins, load_setup, load_teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, load_setup, load_teardown),
		cmocka_unit_test_setup_teardown(test_load_search_cwd, load_setup, load_teardown),
	};

	/* the code under test logs its complaints; keep the test output readable */
	log_set_level(LOG_LEVEL_SILENT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
