/*
 * test_sched.c — unit tests for sched.c: classifying a schema section's
 * statements (index builds tied to the archive's tables, session settings
 * counted in epochs), lock conflicts between index builds, key constraints
 * and foreign keys, picking the next statement (order, class, range, busy
 * tables, early starts on loaded tables), "alone" by weight, and release.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "archive/meta.h"
#include "restore/sched.h"
#include "sql/sqlscript.h"
#include "sql/stmtclass.h"
#include "util/mem.h"

#define N_SLOTS 4

/* ---- helpers ---- */

/* Split text and classify it into sc against tables (sc owns a copy of text). */
static void
load_script(script *sc, const char *text, const meta_table *tables, size_t n_tables, bool owners)
{
	sql_stmt *st = NULL;
	size_t n = 0;
	char err[128];
	char *copy = xstrdup(text);

	if (sql_split(copy, strlen(copy), &st, &n, err, sizeof(err)) != 0)
		fail_msg("sql_split: %s", err);
	sched_script_init(sc, NULL, copy, st, n, tables, n_tables, owners);
	free(st);
}

static void
set_table(meta_table *t, const char *schema, const char *name, int64_t raw_bytes)
{
	memset(t, 0, sizeof(*t));
	t->schema = (char *) schema;
	t->name = (char *) name;
	t->kind = (char *) "table";
	t->raw_bytes = raw_bytes;
}

typedef struct fixture {
	meta_table tables[3];
	int64_t table_left[3];
	const pd_stmt *busy[N_SLOTS];
	sched s;
	script sc;
} fixture;

static void
sched_init(fixture *f)
{
	memset(f->busy, 0, sizeof(f->busy));
	memset(f->table_left, 0, sizeof(f->table_left));
	f->s.busy = f->busy;
	f->s.n_slots = N_SLOTS;
	f->s.tables = f->tables;
	f->s.table_left = f->table_left;
	f->s.loading = 0;
}

static int
busy_count(const fixture *f)
{
	int k = 0;

	for (int i = 0; i < N_SLOTS; i++)
		if (f->busy[i])
			k++;
	return k;
}

static bool
is_busy(const fixture *f, const pd_stmt *p)
{
	for (int i = 0; i < N_SLOTS; i++)
		if (f->busy[i] == p)
			return true;
	return false;
}

/* The position of p in sc, to compare picks by index. */
static long
pos(const fixture *f, const pd_stmt *p)
{
	if (!p)
		return -1;
	assert_true(p >= f->sc.v && p < f->sc.v + f->sc.n);
	return (long) (p - f->sc.v);
}

/*
 * A pre/post-data section as pg_dump writes it.  The archive's tables are
 * deliberately not in the order the script names them (b, a, "Sales"."Big"),
 * so a table's index is its place in the archive, not in the script.
 */
enum { T_B, T_A, T_BIG };

static const char schema_text[] =
	"SET statement_timeout = 0;\n"                                               /* 0 */
	"SELECT pg_catalog.set_config('search_path', '', false);\n"                  /* 1 */
	"CREATE TABLE public.a (id integer, x integer, y integer);\n"                /* 2 */
	"CREATE INDEX a_x ON public.a USING btree (x);\n"                            /* 3 */
	"-- an unquoted name is folded to lower case\n"
	"CREATE INDEX a_y ON ONLY Public.A USING btree (y);\n"                       /* 4 */
	"ALTER TABLE ONLY public.a\n    ADD CONSTRAINT a_pkey PRIMARY KEY (id);\n"   /* 5 */
	"CREATE UNIQUE INDEX b_x ON public.b USING btree (x);\n"                     /* 6 */
	"ALTER TABLE ONLY public.b\n"
	"    ADD CONSTRAINT b_a_fk FOREIGN KEY (a_id) REFERENCES public.a(id);\n"    /* 7 */
	"SET default_tablespace = '';\n"                                             /* 8 */
	"CREATE INDEX big_x ON \"Sales\".\"Big\" USING btree (x);\n"                 /* 9 */
	"CREATE INDEX c_x ON public.c USING btree (x);\n"                            /* 10 */
	"ALTER TABLE ONLY \"Sales\".\"Big\"\n"
	"    ADD CONSTRAINT big_c_fk FOREIGN KEY (c_id) REFERENCES public.c(id);\n"  /* 11 */
	"ALTER TABLE ONLY \"Sales\".\"Big\"\n"
	"    ADD CONSTRAINT big_a_fk FOREIGN KEY (a_id) REFERENCES public.a(id);\n"  /* 12 */
	"ALTER TABLE public.a OWNER TO alice;\n"                                     /* 13 */
	"CREATE VIEW public.v AS SELECT 1 AS one;\n";                                /* 14 */

#define N_SCHEMA_STMTS 15

static int
schema_setup(void **state)
{
	fixture *f = xcalloc(1, sizeof(*f));

	set_table(&f->tables[T_B], "public", "b", 1000);
	set_table(&f->tables[T_A], "public", "a", 8000);
	set_table(&f->tables[T_BIG], "Sales", "Big", 800000);
	sched_init(f);
	load_script(&f->sc, schema_text, f->tables, 3, false);
	*state = f;
	return 0;
}

static int
fixture_teardown(void **state)
{
	fixture *f = *state;

	sched_script_free(&f->sc);
	free(f);
	return 0;
}

/* ---- sched_script_init ---- */

static void
test_init_classes(void **state)
{
	fixture *f = *state;
	const script *sc = &f->sc;
	static const enum stmt_class want[N_SCHEMA_STMTS] = {
		STMT_SESSION, STMT_SESSION, STMT_RUN, STMT_INDEX, STMT_INDEX, STMT_INDEX, STMT_INDEX,
		STMT_FKEY, STMT_SESSION, STMT_INDEX, STMT_INDEX, STMT_FKEY, STMT_FKEY, STMT_SKIP, STMT_RUN,
	};

	assert_int_equal(sc->n, N_SCHEMA_STMTS);
	for (size_t i = 0; i < sc->n; i++) {
		if (sc->v[i].k.cls != want[i])
			fail_msg("statement %zu: class %d, want %d", i, (int) sc->v[i].k.cls, (int) want[i]);
		assert_int_equal(sc->v[i].state, ST_PENDING);
	}
	/* the statements keep their place in the text */
	assert_int_equal(strncmp(sc->text + sc->v[3].st.start, "CREATE INDEX a_x", 16), 0);
	assert_int_equal(strncmp(sc->text + sc->v[14].st.start, "CREATE VIEW", 11), 0);

	/* a CREATE INDEX shares its table; a key constraint and a foreign key do not */
	assert_true(sc->v[3].k.shared_lock);
	assert_true(sc->v[6].k.shared_lock);
	assert_false(sc->v[5].k.shared_lock);
	assert_false(sc->v[7].k.shared_lock);
	assert_string_equal(sc->v[4].k.tables[0], "public\x1f" "a");
	assert_string_equal(sc->v[7].k.tables[0], "public\x1f" "b");
	assert_string_equal(sc->v[7].k.tables[1], "public\x1f" "a");
	assert_string_equal(sc->v[9].k.tables[0], "Sales\x1f" "Big");
}

static void
test_init_owners_kept(void **state)
{
	fixture f;

	(void) state;
	memset(&f, 0, sizeof(f));
	set_table(&f.tables[0], "public", "a", 10);
	load_script(&f.sc, schema_text, f.tables, 1, true);
	assert_int_equal(f.sc.v[13].k.cls, STMT_RUN);
	sched_script_free(&f.sc);
	assert_null(f.sc.v);
	assert_int_equal(f.sc.n, 0);
}

static void
test_init_meta_tables(void **state)
{
	fixture *f = *state;
	const script *sc = &f->sc;

	/* index builds and key constraints point at their table's place in the archive */
	assert_int_equal(sc->v[3].meta_table, T_A);
	assert_int_equal(sc->v[4].meta_table, T_A);
	assert_int_equal(sc->v[5].meta_table, T_A);
	assert_int_equal(sc->v[6].meta_table, T_B);
	assert_int_equal(sc->v[9].meta_table, T_BIG);
	/* a table the archive does not hold */
	assert_int_equal(sc->v[10].meta_table, -1);
	/* only index builds are tied to a table */
	assert_int_equal(sc->v[0].meta_table, -1);
	assert_int_equal(sc->v[2].meta_table, -1);
	assert_int_equal(sc->v[7].meta_table, -1);
	assert_int_equal(sc->v[11].meta_table, -1);
	assert_int_equal(sc->v[14].meta_table, -1);
}

static void
test_init_no_tables(void **state)
{
	script sc;

	(void) state;
	load_script(&sc, schema_text, NULL, 0, false);
	assert_int_equal(sc.n, N_SCHEMA_STMTS);
	for (size_t i = 0; i < sc.n; i++)
		assert_int_equal(sc.v[i].meta_table, -1);
	assert_int_equal(sc.v[3].k.cls, STMT_INDEX);
	sched_script_free(&sc);
}

static void
test_init_epochs(void **state)
{
	fixture *f = *state;
	const script *sc = &f->sc;
	/* the number of session statements before each statement */
	static const int want[N_SCHEMA_STMTS] = {0, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3};

	assert_int_equal(sc->n_sessions, 3);
	assert_int_equal(sc->sessions[0], 0);
	assert_int_equal(sc->sessions[1], 1);
	assert_int_equal(sc->sessions[2], 8);
	for (size_t i = 0; i < sc->n; i++)
		if (sc->v[i].epoch != want[i])
			fail_msg("statement %zu: epoch %d, want %d", i, sc->v[i].epoch, want[i]);
}

static void
test_init_empty(void **state)
{
	script sc;
	meta_table t;

	(void) state;
	set_table(&t, "public", "a", 1);
	load_script(&sc, "-- nothing but a comment\n", &t, 1, false);
	assert_int_equal(sc.n, 0);
	assert_int_equal(sc.n_sessions, 0);
	sched_script_free(&sc);
}

/* ---- sched_conflicts ---- */

static void
test_conflicts_nothing_busy(void **state)
{
	fixture *f = *state;

	for (size_t i = 0; i < f->sc.n; i++)
		assert_false(sched_conflicts(&f->s, &f->sc.v[i]));
}

static void
test_conflicts_index_builds_share(void **state)
{
	fixture *f = *state;
	const pd_stmt *v = f->sc.v;

	f->busy[2] = &v[3];                     /* CREATE INDEX on a, in a later slot */
	assert_false(sched_conflicts(&f->s, &v[4]));    /* another CREATE INDEX on a */
	assert_true(sched_conflicts(&f->s, &v[5]));     /* PRIMARY KEY on a */
	assert_true(sched_conflicts(&f->s, &v[7]));     /* FOREIGN KEY b -> a */
	assert_true(sched_conflicts(&f->s, &v[12]));    /* FOREIGN KEY Big -> a */
	assert_false(sched_conflicts(&f->s, &v[6]));    /* index on b */
	assert_false(sched_conflicts(&f->s, &v[9]));    /* index on Big */
	assert_false(sched_conflicts(&f->s, &v[11]));   /* FOREIGN KEY Big -> c */
}

static void
test_conflicts_key_is_exclusive(void **state)
{
	fixture *f = *state;
	const pd_stmt *v = f->sc.v;

	f->busy[0] = &v[5];                     /* PRIMARY KEY on a */
	assert_true(sched_conflicts(&f->s, &v[3]));
	assert_true(sched_conflicts(&f->s, &v[4]));
	assert_true(sched_conflicts(&f->s, &v[7]));
	assert_false(sched_conflicts(&f->s, &v[6]));
	assert_false(sched_conflicts(&f->s, &v[10]));
}

static void
test_conflicts_foreign_key_both_tables(void **state)
{
	fixture *f = *state;
	const pd_stmt *v = f->sc.v;

	/* a running foreign key b -> a holds both of its tables */
	f->busy[1] = &v[7];
	assert_true(sched_conflicts(&f->s, &v[6]));     /* index on b (its own table) */
	assert_true(sched_conflicts(&f->s, &v[3]));     /* index on a (the referenced one) */
	assert_true(sched_conflicts(&f->s, &v[5]));
	assert_true(sched_conflicts(&f->s, &v[12]));    /* another foreign key to a */
	assert_false(sched_conflicts(&f->s, &v[11]));   /* Big -> c: no table in common */
	assert_false(sched_conflicts(&f->s, &v[9]));
	assert_false(sched_conflicts(&f->s, &v[10]));

	/* and a foreign key waits for a running index build on either table */
	f->busy[1] = &v[6];                     /* index on b */
	assert_true(sched_conflicts(&f->s, &v[7]));
	f->busy[1] = &v[10];                    /* index on c */
	assert_true(sched_conflicts(&f->s, &v[11]));    /* Big -> c */
	assert_false(sched_conflicts(&f->s, &v[7]));
	f->busy[1] = NULL;
	f->busy[3] = &v[9];                     /* index on Big */
	assert_true(sched_conflicts(&f->s, &v[11]));
	assert_true(sched_conflicts(&f->s, &v[12]));
	assert_false(sched_conflicts(&f->s, &v[7]));
}

/* ---- sched_claim and sched_release ---- */

static void
test_claim_in_order(void **state)
{
	fixture *f = *state;
	pd_stmt *v = f->sc.v;
	pd_stmt *p;
	bool alone = true;

	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 3);
	assert_int_equal(p->state, ST_RUNNING);
	assert_true(is_busy(f, p));
	/* a second CREATE INDEX on a runs beside the first */
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 4);
	/* the PRIMARY KEY on a waits for them: the index on b is next */
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 6);
	assert_int_equal(v[5].state, ST_PENDING);
	assert_int_equal(busy_count(f), 3);

	/* one of a's index builds done: the key still waits for the other */
	sched_release(&f->s, &v[3]);
	assert_int_equal(v[3].state, ST_DONE);
	assert_false(is_busy(f, &v[3]));
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 9);                 /* v[4] still runs on a */
	/* both done: now the key goes */
	sched_release(&f->s, &v[4]);
	assert_int_equal(busy_count(f), 2);
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 5);
	/* done ones are never picked again */
	assert_int_equal(v[3].state, ST_DONE);
	assert_int_equal(v[4].state, ST_DONE);
	assert_int_equal(busy_count(f), 3);
}

static void
test_claim_class_and_range(void **state)
{
	fixture *f = *state;
	pd_stmt *p;
	bool alone = true;

	/* only the class asked for */
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_FKEY, false, &alone);
	assert_int_equal(pos(f, p), 7);
	/* foreign keys run in parallel when their tables differ... */
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_FKEY, false, &alone);
	assert_int_equal(pos(f, p), 11);
	/* ...and Big -> a shares a table with both running ones */
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_FKEY, false, &alone);
	assert_null(p);
	assert_false(alone);
	assert_int_equal(f->sc.v[12].state, ST_PENDING);

	/* every index build here is on a table one of them holds */
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, false, &alone);
	assert_null(p);
	for (size_t i = 0; i < f->sc.n; i++)
		if (f->sc.v[i].k.cls == STMT_INDEX)
			assert_int_equal(f->sc.v[i].state, ST_PENDING);

	/* b -> a done: only Big and c are held now */
	sched_release(&f->s, &f->sc.v[7]);
	/* only within [lo, hi) */
	p = sched_claim(&f->s, &f->sc, 4, 6, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 4);
	p = sched_claim(&f->s, &f->sc, 5, 6, STMT_INDEX, false, &alone);
	assert_null(p);                                 /* the key on a waits for v[4] */
	p = sched_claim(&f->s, &f->sc, 0, 3, STMT_INDEX, false, &alone);
	assert_null(p);                                 /* no index build there */
	p = sched_claim(&f->s, &f->sc, 3, 3, STMT_INDEX, false, &alone);
	assert_null(p);                                 /* an empty range */
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 3);
	assert_int_equal(busy_count(f), 3);
	assert_int_equal(f->sc.v[0].state, ST_PENDING);
	assert_int_equal(f->sc.v[2].state, ST_PENDING);
}

static void
test_claim_early(void **state)
{
	fixture *f = *state;
	pd_stmt *p;
	bool alone = true;

	/* a is still loading: its index builds wait, b's goes */
	f->table_left[T_A] = 2;
	f->table_left[T_B] = 0;
	f->table_left[T_BIG] = 1;
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, true, &alone);
	assert_int_equal(pos(f, p), 6);
	/* nothing else is loaded; an index on a table the archive lacks never starts early */
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, true, &alone);
	assert_null(p);
	assert_false(alone);
	assert_int_equal(f->sc.v[10].state, ST_PENDING);

	f->table_left[T_BIG] = 0;
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, true, &alone);
	assert_int_equal(pos(f, p), 9);

	/* a finished loading */
	f->table_left[T_A] = 0;
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, true, &alone);
	assert_int_equal(pos(f, p), 3);
	sched_release(&f->s, p);

	/* not early: whatever the tables' state */
	f->table_left[T_A] = 5;
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 4);
	sched_release(&f->s, p);
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 5);
}

static void
test_release_frees_slot(void **state)
{
	fixture *f = *state;
	pd_stmt *v = f->sc.v;
	pd_stmt *p[N_SLOTS];
	bool alone;

	/* fill every slot */
	p[0] = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, false, &alone);   /* a_x */
	p[1] = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, false, &alone);   /* a_y */
	p[2] = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, false, &alone);   /* b_x */
	p[3] = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, false, &alone);   /* big_x */
	assert_int_equal(pos(f, p[0]), 3);
	assert_int_equal(pos(f, p[1]), 4);
	assert_int_equal(pos(f, p[2]), 6);
	assert_int_equal(pos(f, p[3]), 9);
	assert_int_equal(busy_count(f), N_SLOTS);

	/* releasing one frees exactly its slot */
	sched_release(&f->s, p[2]);
	assert_int_equal(busy_count(f), N_SLOTS - 1);
	assert_false(is_busy(f, &v[6]));
	assert_true(is_busy(f, &v[3]));
	assert_true(is_busy(f, &v[4]));
	assert_true(is_busy(f, &v[9]));
	assert_int_equal(v[6].state, ST_DONE);
	/* b is free now but a is not: the foreign key b -> a still waits */
	assert_true(sched_conflicts(&f->s, &v[7]));

	/* the freed slot takes the next claim */
	p[2] = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p[2]), 10);
	assert_true(is_busy(f, &v[10]));
	assert_int_equal(busy_count(f), N_SLOTS);

	for (int i = 0; i < N_SLOTS; i++)
		sched_release(&f->s, p[i]);
	assert_int_equal(busy_count(f), 0);
	assert_false(sched_conflicts(&f->s, &v[5]));
	assert_false(sched_conflicts(&f->s, &v[7]));
}

/* ---- alone ---- */

/*
 * Index builds on tables of known weight (big 64000 bytes of COPY text,
 * small 8000, tiny 1) and on one the archive does not hold, and a foreign
 * key between tables no index here is on.
 */
enum { W_BIG, W_SMALL, W_TINY };

static const char weight_text[] =
	"CREATE INDEX big_x ON public.big USING btree (x);\n"       /* 0 */
	"CREATE INDEX small_x ON public.small USING btree (x);\n"   /* 1 */
	"CREATE INDEX tiny_x ON public.tiny USING btree (x);\n"     /* 2 */
	"CREATE INDEX other_x ON public.other USING btree (x);\n"   /* 3 */
	"ALTER TABLE ONLY public.p\n"
	"    ADD CONSTRAINT p_q_fk FOREIGN KEY (q_id) REFERENCES public.q(id);\n";  /* 4 */

static int
weight_setup(void **state)
{
	fixture *f = xcalloc(1, sizeof(*f));

	set_table(&f->tables[W_BIG], "public", "big", 64000);
	set_table(&f->tables[W_SMALL], "public", "small", 8000);
	set_table(&f->tables[W_TINY], "public", "tiny", 1);
	sched_init(f);
	load_script(&f->sc, weight_text, f->tables, 3, false);
	assert_int_equal(f->sc.n, 5);
	assert_int_equal(f->sc.v[0].meta_table, W_BIG);
	assert_int_equal(f->sc.v[3].meta_table, -1);
	assert_int_equal(f->sc.v[4].k.cls, STMT_FKEY);
	*state = f;
	return 0;
}

static void
test_alone_pending_weights(void **state)
{
	fixture *f = *state;
	pd_stmt *p;
	bool alone = false;

	/* small pending beside big: exactly an eighth still counts as alone */
	p = sched_claim(&f->s, &f->sc, 0, 2, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 0);
	assert_true(alone);
}

static void
test_alone_over_an_eighth(void **state)
{
	fixture *f = *state;
	pd_stmt *p;
	bool alone = true;

	/* small + tiny: one byte over an eighth */
	p = sched_claim(&f->s, &f->sc, 0, 3, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 0);
	assert_false(alone);
}

static void
test_alone_unknown_weight(void **state)
{
	fixture *f = *state;
	pd_stmt *p;
	bool alone = true;

	/* an index on a table the archive lacks weighs nothing known */
	p = sched_claim(&f->s, &f->sc, 0, 4, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 0);
	assert_false(alone);
	sched_release(&f->s, p);

	/* nor is that one alone when it is the only one left */
	sched_release(&f->s, sched_claim(&f->s, &f->sc, 0, 4, STMT_INDEX, false, &alone));
	sched_release(&f->s, sched_claim(&f->s, &f->sc, 0, 4, STMT_INDEX, false, &alone));
	p = sched_claim(&f->s, &f->sc, 0, 4, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 3);
	assert_false(alone);
}

static void
test_alone_running_foreign_key(void **state)
{
	fixture *f = *state;
	pd_stmt *p;
	bool alone = true;

	/* a foreign key's weight is unknown: not alone itself, nor anything beside it */
	p = sched_claim(&f->s, &f->sc, 0, f->sc.n, STMT_FKEY, false, &alone);
	assert_int_equal(pos(f, p), 4);
	assert_false(alone);
	alone = true;
	p = sched_claim(&f->s, &f->sc, 0, 1, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 0);
	assert_false(alone);
	/* once it is done, big is alone */
	sched_release(&f->s, &f->sc.v[4]);
	sched_release(&f->s, p);
	f->sc.v[0].state = ST_PENDING;
	p = sched_claim(&f->s, &f->sc, 0, 1, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 0);
	assert_true(alone);
}

static void
test_alone_while_loading(void **state)
{
	fixture *f = *state;
	pd_stmt *p;
	bool alone = true;

	/* nothing else pending, but a member is still being loaded */
	f->s.loading = 1;
	p = sched_claim(&f->s, &f->sc, 0, 1, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 0);
	assert_false(alone);
	/* the same claim with the load over */
	sched_release(&f->s, p);
	f->sc.v[0].state = ST_PENDING;
	f->s.loading = 0;
	p = sched_claim(&f->s, &f->sc, 0, 1, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 0);
	assert_true(alone);
}

static void
test_alone_running_weights(void **state)
{
	fixture *f = *state;
	pd_stmt *p;
	bool alone = false;

	/* small first: tiny pending is well under an eighth of it */
	p = sched_claim(&f->s, &f->sc, 1, 3, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 1);
	assert_true(alone);
	/* tiny with small running: not alone */
	p = sched_claim(&f->s, &f->sc, 2, 3, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 2);
	assert_false(alone);
	/* big with small and tiny running: 8001 > 64000 / 8 */
	alone = true;
	p = sched_claim(&f->s, &f->sc, 0, 3, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 0);
	assert_false(alone);

	/* done statements weigh nothing: again with tiny finished */
	sched_release(&f->s, &f->sc.v[2]);
	sched_release(&f->s, &f->sc.v[0]);
	f->sc.v[0].state = ST_PENDING;
	p = sched_claim(&f->s, &f->sc, 0, 3, STMT_INDEX, false, &alone);
	assert_int_equal(pos(f, p), 0);
	assert_true(alone);                             /* small running: 8000 <= 8000 */
}

static void
test_alone_early_skipped_count(void **state)
{
	fixture *f = *state;
	pd_stmt *p;
	bool alone = true;

	/* a skipped build (its table still loading) is still work left */
	f->table_left[W_BIG] = 0;
	f->table_left[W_SMALL] = 1;
	f->table_left[W_TINY] = 0;
	p = sched_claim(&f->s, &f->sc, 0, 3, STMT_INDEX, true, &alone);
	assert_int_equal(pos(f, p), 0);
	assert_false(alone);                            /* small + tiny pending */
	sched_release(&f->s, p);
	f->sc.v[0].state = ST_PENDING;
	f->sc.v[2].state = ST_DONE;
	p = sched_claim(&f->s, &f->sc, 0, 3, STMT_INDEX, true, &alone);
	assert_int_equal(pos(f, p), 0);
	assert_true(alone);                             /* small alone: 8000 <= 8000 */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_classes, schema_setup, fixture_teardown),
		cmocka_unit_test(test_init_owners_kept),
		cmocka_unit_test_setup_teardown(test_init_meta_tables, schema_setup, fixture_teardown),
		cmocka_unit_test(test_init_no_tables),
		cmocka_unit_test_setup_teardown(test_init_epochs, schema_setup, fixture_teardown),
		cmocka_unit_test(test_init_empty),
		cmocka_unit_test_setup_teardown(test_conflicts_nothing_busy, schema_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_conflicts_index_builds_share, schema_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_conflicts_key_is_exclusive, schema_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_conflicts_foreign_key_both_tables, schema_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_claim_in_order, schema_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_claim_class_and_range, schema_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_claim_early, schema_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_release_frees_slot, schema_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_alone_pending_weights, weight_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_alone_over_an_eighth, weight_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_alone_unknown_weight, weight_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_alone_running_foreign_key, weight_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_alone_while_loading, weight_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_alone_running_weights, weight_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_alone_early_skipped_count, weight_setup,
		    fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
