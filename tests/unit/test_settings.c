/*
 * test_settings.c — unit tests for settings.c: the precedence of every
 * common setting (command line > environment > db-tools.json > default),
 * the production guard's inputs, $DB_TOOLS_PG_DUMP, seed counts and the
 * seed of the random generator.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fe/config.h"
#include "fe/options.h"
#include "fe/settings.h"
#include "project/seed.h"
#include "util/log.h"
#include "util/mem.h"

/* Every variable a test here sets: saved before each test, put back after. */
static const char *const env_vars[] = {
	"DATABASE_URL", "ENV", "APP_ENV", "RAILS_ENV", "NODE_ENV", "DB_TOOLS_PG_DUMP",
	"SEED_RNG_SEED", "SEED_USERS_COUNT", "SEED_ORDERS_COUNT", "SEED_LINE_ITEMS2_COUNT",
	"SEED_TAGS_COUNT", "SEED_GHOST_COUNT",
};
#define N_ENV_VARS (sizeof(env_vars) / sizeof(env_vars[0]))

static char *saved[N_ENV_VARS];

static int
env_setup(void **state)
{
	(void) state;
	for (size_t i = 0; i < N_ENV_VARS; i++) {
		const char *v = getenv(env_vars[i]);

		saved[i] = v ? xstrdup(v) : NULL;
		unsetenv(env_vars[i]);
	}
	return 0;
}

static int
env_teardown(void **state)
{
	(void) state;
	for (size_t i = 0; i < N_ENV_VARS; i++) {
		if (saved[i])
			setenv(env_vars[i], saved[i], 1);
		else
			unsetenv(env_vars[i]);
		free(saved[i]);
		saved[i] = NULL;
	}
	return 0;
}

#define CFG_PATH "/proj/db-tools.json"

static const char full_doc[] =
	"{\n"
	"  \"database\": \"postgresql:///from_file\",\n"
	"  \"backups_dir\": \"snaps\",\n"
	"  \"jobs\": 6,\n"
	"  \"compression\": 4,\n"
	"  \"cache_size\": 7,\n"
	"  \"allowed_hosts\": [\"db.internal\", \"10.0.0.5\"],\n"
	"  \"seeds\": {\"counts\": {\"users\": 10, \"orders\": 50, \"Line_Items2\": 3},"
	" \"rng_seed\": 42}\n"
	"}\n";

static void
parse(const char *text, cfg *c)
{
	if (cfg_parse(text, CFG_PATH, "/proj", c) != 0)
		fail_msg("configuration rejected: %s", text);
}

/* A configuration as cfg_load leaves it when there is no file. */
static void
no_file(cfg *c)
{
	parse("{}", c);
	free(c->path);
	c->path = NULL;
}

/* ---- fe_settings_resolve ---- */

static void
test_conninfo(void **state)
{
	opt_common oc;
	cfg c, none;
	fe_settings s;

	(void) state;
	opt_common_init(&oc);
	parse(full_doc, &c);
	no_file(&none);

	oc.dbname = "postgresql:///from_cli";
	setenv("DATABASE_URL", "postgresql:///from_env", 1);
	assert_int_equal(fe_settings_resolve(&oc, NULL, false, &c, &s), 0);
	assert_string_equal(s.conninfo, "postgresql:///from_cli");
	fe_settings_free(&s);

	oc.dbname = NULL;
	assert_int_equal(fe_settings_resolve(&oc, NULL, false, &c, &s), 0);
	assert_string_equal(s.conninfo, "postgresql:///from_env");
	fe_settings_free(&s);

	/* an empty $DATABASE_URL counts as unset */
	setenv("DATABASE_URL", "", 1);
	assert_int_equal(fe_settings_resolve(&oc, NULL, false, &c, &s), 0);
	assert_string_equal(s.conninfo, "postgresql:///from_file");
	fe_settings_free(&s);

	unsetenv("DATABASE_URL");
	assert_int_equal(fe_settings_resolve(&oc, NULL, false, &c, &s), 0);
	assert_string_equal(s.conninfo, "postgresql:///from_file");
	fe_settings_free(&s);

	/* nothing anywhere: libpq's defaults */
	assert_int_equal(fe_settings_resolve(&oc, NULL, false, &none, &s), 0);
	assert_null(s.conninfo);
	fe_settings_free(&s);

	cfg_free(&c);
	cfg_free(&none);
}

static void
test_dir_jobs_compression_cache(void **state)
{
	opt_common oc;
	cfg c, none;
	fe_settings s;

	(void) state;
	opt_common_init(&oc);
	parse(full_doc, &c);
	no_file(&none);

	/* the command line first */
	oc.dir = "/cli/dir";
	oc.jobs = 8;
	assert_int_equal(fe_settings_resolve(&oc, "9", false, &c, &s), 0);
	assert_string_equal(s.dir, "/cli/dir");
	assert_int_equal(s.jobs, 8);
	assert_ptr_equal(s.codec, &codec_gzip_ops);
	assert_int_equal(s.level, 9);
	assert_int_equal(s.cache_size, 7);
	fe_settings_free(&s);

	/* -Z 0 is a level, not "not given" */
	assert_int_equal(fe_settings_resolve(&oc, "0", false, &c, &s), 0);
	assert_ptr_equal(s.codec, &codec_gzip_ops);
	assert_int_equal(s.level, 0);
	fe_settings_free(&s);

	/* then the file (its backups_dir relative to the file's directory) */
	opt_common_init(&oc);
	assert_int_equal(fe_settings_resolve(&oc, NULL, false, &c, &s), 0);
	assert_string_equal(s.dir, "/proj/snaps");
	assert_int_equal(s.jobs, 6);
	assert_ptr_equal(s.codec, &codec_gzip_ops);
	assert_int_equal(s.level, 4);
	assert_int_equal(s.cache_size, 7);
	fe_settings_free(&s);

	/* then the defaults */
	assert_int_equal(fe_settings_resolve(&oc, NULL, false, &none, &s), 0);
	assert_string_equal(s.dir, "backups");
	assert_int_equal(s.jobs, 2);
	assert_ptr_equal(s.codec, &codec_gzip_ops);     /* FE_DEFAULT_COMPRESSION: gzip:1 */
	assert_int_equal(s.level, 1);
	assert_int_equal(s.cache_size, 3);
	fe_settings_free(&s);

	/* a cache of 0 is a setting too */
	cfg_free(&c);
	parse("{\"cache_size\": 0, \"compression\": 0}", &c);
	assert_int_equal(fe_settings_resolve(&oc, NULL, false, &c, &s), 0);
	assert_int_equal(s.cache_size, 0);
	assert_ptr_equal(s.codec, &codec_gzip_ops);
	assert_int_equal(s.level, 0);
	fe_settings_free(&s);

	cfg_free(&c);
	cfg_free(&none);
}

/* Resolve with -Z cli (NULL: not given) and configuration c; expect ops at level. */
static void
expect_codec(const char *cli, const cfg *c, const codec_ops *ops, int level)
{
	opt_common oc;
	fe_settings s;

	opt_common_init(&oc);
	if (fe_settings_resolve(&oc, cli, false, c, &s) != 0)
		fail_msg("-Z %s rejected", cli ? cli : "(none)");
	if (s.codec != ops || s.level != level)
		fail_msg("-Z %s with \"compression\": %s gave %s:%d, not %s:%d", cli ? cli : "(none)",
		    c->compression ? c->compression : "(none)", s.codec ? s.codec->name : "NULL",
		    s.level, ops->name, level);
	fe_settings_free(&s);
}

static void
expect_bad_z(const char *cli, const cfg *c)
{
	opt_common oc;
	fe_settings s;

	opt_common_init(&oc);
	if (fe_settings_resolve(&oc, cli, false, c, &s) != -1)
		fail_msg("-Z \"%s\" should have been rejected", cli);
	fe_settings_free(&s);
}

/* -Z > "compression" > gzip:1; the codec's default level when none is given. */
static void
test_compression(void **state)
{
	cfg none, zc, num, named;

	(void) state;
	no_file(&none);
	parse("{\"compression\": \"zstd:5\"}", &zc);
	parse("{\"compression\": 7}", &num);
	parse("{\"compression\": \"none\"}", &named);

	/* -Z alone */
	expect_codec(NULL, &none, &codec_gzip_ops, 1);
	expect_codec("zstd", &none, &codec_zstd_ops, 3);
	expect_codec("zstd:7", &none, &codec_zstd_ops, 7);
	expect_codec("zstd:1", &none, &codec_zstd_ops, 1);
	expect_codec("zstd:19", &none, &codec_zstd_ops, 19);
	expect_codec("none", &none, &codec_none_ops, 0);
	expect_codec("gzip", &none, &codec_gzip_ops, 1);
	expect_codec("gzip:9", &none, &codec_gzip_ops, 9);
	expect_codec("0", &none, &codec_gzip_ops, 0);
	expect_codec("9", &none, &codec_gzip_ops, 9);

	/* the file when there is no -Z */
	expect_codec(NULL, &zc, &codec_zstd_ops, 5);
	expect_codec(NULL, &num, &codec_gzip_ops, 7);
	expect_codec(NULL, &named, &codec_none_ops, 0);

	/* -Z over the file, whatever either names */
	expect_codec("gzip:2", &zc, &codec_gzip_ops, 2);
	expect_codec("3", &zc, &codec_gzip_ops, 3);
	expect_codec("0", &zc, &codec_gzip_ops, 0);
	expect_codec("none", &zc, &codec_none_ops, 0);
	expect_codec("zstd", &num, &codec_zstd_ops, 3);
	expect_codec("zstd:7", &named, &codec_zstd_ops, 7);

	/* a bad -Z is an error, not a fall back to the file or the default */
	expect_bad_z("", &none);
	expect_bad_z("fast", &none);
	expect_bad_z("lz4", &zc);
	expect_bad_z("zstd:0", &zc);
	expect_bad_z("zstd:20", &none);
	expect_bad_z("gzip:10", &num);
	expect_bad_z("10", &none);
	expect_bad_z("-1", &none);
	expect_bad_z("gzip:", &none);
	expect_bad_z("zstd:", &zc);
	expect_bad_z("none:3", &none);
	expect_bad_z("ZSTD", &none);

	cfg_free(&none);
	cfg_free(&zc);
	cfg_free(&num);
	cfg_free(&named);
}

static void
test_guard_policy(void **state)
{
	opt_common oc;
	cfg c, none;
	fe_settings s;

	(void) state;
	opt_common_init(&oc);
	parse(full_doc, &c);
	no_file(&none);

	assert_int_equal(fe_settings_resolve(&oc, NULL, true, &c, &s), 0);
	assert_null(s.env_reason);
	assert_null(s.guard.env_reason);
	assert_int_equal(s.guard.n_allowed_hosts, 2);
	assert_non_null(s.guard.allowed_hosts);
	assert_string_equal(s.guard.allowed_hosts[0], "db.internal");
	assert_string_equal(s.guard.allowed_hosts[1], "10.0.0.5");
	assert_string_equal(s.guard.config_path, CFG_PATH);
	assert_true(s.guard.force);
	fe_settings_free(&s);

	/* RAILS_ENV=production, in any case */
	setenv("RAILS_ENV", "Production", 1);
	assert_int_equal(fe_settings_resolve(&oc, NULL, false, &none, &s), 0);
	assert_non_null(s.env_reason);
	assert_string_equal(s.env_reason, "RAILS_ENV is set to \"Production\"");
	assert_ptr_equal(s.guard.env_reason, s.env_reason);
	assert_int_equal(s.guard.n_allowed_hosts, 0);
	assert_null(s.guard.config_path);
	assert_false(s.guard.force);
	fe_settings_free(&s);
	assert_null(s.env_reason);

	cfg_free(&c);
	cfg_free(&none);
}

static void
test_production_env(void **state)
{
	static const char *const vars[] = {"ENV", "APP_ENV", "RAILS_ENV", "NODE_ENV"};
	char *r;

	(void) state;
	assert_null(fe_production_env());

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		char *want = xasprintf("%s is set to \"PRODUCTION\"", vars[i]);

		setenv(vars[i], "PRODUCTION", 1);
		r = fe_production_env();
		assert_non_null(r);
		assert_string_equal(r, want);
		free(r);
		free(want);
		unsetenv(vars[i]);
	}

	/* other environments, and words that only contain "production", are not it */
	setenv("NODE_ENV", "development", 1);
	setenv("RAILS_ENV", "production-like", 1);
	setenv("APP_ENV", "preproduction", 1);
	setenv("ENV", "", 1);
	assert_null(fe_production_env());

	/* one of them saying so is enough */
	setenv("NODE_ENV", "production", 1);
	r = fe_production_env();
	assert_non_null(r);
	assert_string_equal(r, "NODE_ENV is set to \"production\"");
	free(r);
}

static void
test_pg_dump(void **state)
{
	opt_common oc;
	cfg none;
	fe_settings s;

	(void) state;
	opt_common_init(&oc);
	no_file(&none);

	assert_int_equal(fe_settings_resolve(&oc, NULL, false, &none, &s), 0);
	assert_null(s.pg_dump);
	fe_settings_free(&s);

	setenv("DB_TOOLS_PG_DUMP", "/usr/lib/postgresql/17/bin/pg_dump", 1);
	assert_int_equal(fe_settings_resolve(&oc, NULL, false, &none, &s), 0);
	assert_non_null(s.pg_dump);
	assert_string_equal(s.pg_dump, "/usr/lib/postgresql/17/bin/pg_dump");
	fe_settings_free(&s);

	setenv("DB_TOOLS_PG_DUMP", "", 1);
	assert_int_equal(fe_settings_resolve(&oc, NULL, false, &none, &s), 0);
	assert_null(s.pg_dump);
	fe_settings_free(&s);

	cfg_free(&none);
}

/* ---- fe_seed_counts ---- */

static void
test_seed_counts_file(void **state)
{
	seed_vars cli = {0}, out = {0};
	cfg c;

	(void) state;
	parse(full_doc, &c);
	assert_int_equal(fe_seed_counts(&cli, &c, &out), 0);
	assert_int_equal(out.n, 3);
	assert_string_equal(sv_get(&out, "users"), "10");
	assert_string_equal(sv_get(&out, "orders"), "50");
	assert_string_equal(sv_get(&out, "Line_Items2"), "3");
	sv_free(&out);
	cfg_free(&c);
}

static void
test_seed_counts_precedence(void **state)
{
	seed_vars cli = {0}, out = {0};
	cfg c;

	(void) state;
	parse(full_doc, &c);
	/* the environment over the file, named in capitals */
	setenv("SEED_USERS_COUNT", "200", 1);
	setenv("SEED_LINE_ITEMS2_COUNT", "0", 1);
	/* an empty value counts as unset */
	setenv("SEED_ORDERS_COUNT", "", 1);
	/* a name neither the file nor the command line knows is not a count */
	setenv("SEED_GHOST_COUNT", "5", 1);
	/* -c over both, and names only the command line knows */
	sv_set(&cli, "users", "3000");
	sv_set(&cli, "tags", "7");
	assert_int_equal(fe_seed_counts(&cli, &c, &out), 0);
	assert_string_equal(sv_get(&out, "users"), "3000");
	assert_string_equal(sv_get(&out, "orders"), "50");
	assert_string_equal(sv_get(&out, "Line_Items2"), "0");
	assert_string_equal(sv_get(&out, "tags"), "7");
	assert_null(sv_get(&out, "ghost"));
	assert_null(sv_get(&out, "GHOST"));
	assert_int_equal(out.n, 4);
	sv_free(&out);

	/* without -c the environment wins */
	sv_free(&cli);
	assert_int_equal(fe_seed_counts(&cli, &c, &out), 0);
	assert_string_equal(sv_get(&out, "users"), "200");
	assert_int_equal(out.n, 3);
	sv_free(&out);
	cfg_free(&c);
}

static void
expect_bad_count(const cfg *c, const char *value)
{
	seed_vars cli = {0}, out = {0};

	setenv("SEED_ORDERS_COUNT", value, 1);
	if (fe_seed_counts(&cli, c, &out) != -1)
		fail_msg("SEED_ORDERS_COUNT=\"%s\" should have been rejected", value);
	sv_free(&out);
}

static void
test_seed_counts_bad_env(void **state)
{
	seed_vars cli = {0}, out = {0};
	cfg c;

	(void) state;
	parse(full_doc, &c);
	expect_bad_count(&c, "ten");
	expect_bad_count(&c, "-1");
	expect_bad_count(&c, "+5");
	expect_bad_count(&c, " 5");
	expect_bad_count(&c, "5 ");
	expect_bad_count(&c, "1.5");
	expect_bad_count(&c, "0x10");
	expect_bad_count(&c, "1234567890123456789");    /* 19 digits */

	/* the largest accepted */
	setenv("SEED_ORDERS_COUNT", "123456789012345678", 1);
	assert_int_equal(fe_seed_counts(&cli, &c, &out), 0);
	assert_string_equal(sv_get(&out, "orders"), "123456789012345678");
	sv_free(&out);
	cfg_free(&c);
}

/* ---- fe_rng_seed ---- */

static void
test_rng_seed(void **state)
{
	cfg c, none;
	long long seed = -7;

	(void) state;
	parse(full_doc, &c);
	no_file(&none);

	setenv("SEED_RNG_SEED", "99", 1);
	assert_int_equal(fe_rng_seed(5, &c, &seed), 0);
	assert_int_equal(seed, 5);
	/* 0 given on the command line is a seed */
	assert_int_equal(fe_rng_seed(0, &c, &seed), 0);
	assert_int_equal(seed, 0);
	assert_int_equal(fe_rng_seed(-1, &c, &seed), 0);
	assert_int_equal(seed, 99);

	setenv("SEED_RNG_SEED", "", 1);
	assert_int_equal(fe_rng_seed(-1, &c, &seed), 0);
	assert_int_equal(seed, 42);
	unsetenv("SEED_RNG_SEED");
	seed = -7;
	assert_int_equal(fe_rng_seed(-1, &c, &seed), 0);
	assert_int_equal(seed, 42);
	seed = -7;
	assert_int_equal(fe_rng_seed(-1, &none, &seed), 0);
	assert_int_equal(seed, 0);

	/* bad environment values */
	setenv("SEED_RNG_SEED", "x", 1);
	assert_int_equal(fe_rng_seed(-1, &c, &seed), -1);
	setenv("SEED_RNG_SEED", "-1", 1);
	assert_int_equal(fe_rng_seed(-1, &c, &seed), -1);
	setenv("SEED_RNG_SEED", "2147483648", 1);
	assert_int_equal(fe_rng_seed(-1, &c, &seed), -1);
	setenv("SEED_RNG_SEED", "12abc", 1);
	assert_int_equal(fe_rng_seed(-1, &c, &seed), -1);
	setenv("SEED_RNG_SEED", "2147483647", 1);
	assert_int_equal(fe_rng_seed(-1, &c, &seed), 0);
	assert_int_equal(seed, 2147483647);
	/* the command line does not even look at a bad one */
	setenv("SEED_RNG_SEED", "x", 1);
	assert_int_equal(fe_rng_seed(3, &c, &seed), 0);
	assert_int_equal(seed, 3);

	cfg_free(&c);
	cfg_free(&none);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_conninfo, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_dir_jobs_compression_cache, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_compression, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_guard_policy, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_production_env, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_pg_dump, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_seed_counts_file, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_seed_counts_precedence, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_seed_counts_bad_env, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_rng_seed, env_setup, env_teardown),
	};

	/* the code under test logs its complaints; keep the test output readable */
	log_set_level(LOG_LEVEL_SILENT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
