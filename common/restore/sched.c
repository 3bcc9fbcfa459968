/*
 * sched.c — which schema statement runs next; see sched.h.
 */
#include "restore/sched.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

typedef struct key_ix {
	char *key;
	long ix;
} key_ix;

static int
key_ix_cmp(const void *a, const void *b)
{
	return strcmp(((const key_ix *) a)->key, ((const key_ix *) b)->key);
}

void
sched_script_init(script *sc, const meta_schema *ms, char *text, const sql_stmt *st, size_t n,
    const meta_table *tables, size_t n_tables, bool owners)
{
	key_ix *keys = xcalloc(n_tables ? n_tables : 1, sizeof(*keys));
	int epoch = 0;

	memset(sc, 0, sizeof(*sc));
	sc->ms = ms;
	sc->text = text;
	sc->n = n;
	for (size_t i = 0; i < n_tables; i++) {
		keys[i].key = stmt_table_key(tables[i].schema, tables[i].name);
		keys[i].ix = (long) i;
	}
	if (n_tables)
		qsort(keys, n_tables, sizeof(*keys), key_ix_cmp);
	sc->v = xcalloc(n ? n : 1, sizeof(*sc->v));
	sc->sessions = xcalloc(n ? n : 1, sizeof(*sc->sessions));
	for (size_t i = 0; i < n; i++) {
		pd_stmt *p = &sc->v[i];

		p->st = st[i];
		p->meta_table = -1;
		stmt_classify(sc->text, &p->st, owners, &p->k);
		p->epoch = epoch;
		if (p->k.cls == STMT_SESSION) {
			sc->sessions[sc->n_sessions++] = i;
			epoch++;
		}
		if (p->k.cls == STMT_INDEX && n_tables) {
			key_ix probe = {.key = p->k.tables[0]};
			key_ix *hit = bsearch(&probe, keys, n_tables, sizeof(*keys), key_ix_cmp);

			if (hit)
				p->meta_table = hit->ix;
		}
	}
	for (size_t i = 0; i < n_tables; i++)
		free(keys[i].key);
	free(keys);
}

void
sched_script_free(script *sc)
{
	for (size_t i = 0; i < sc->n; i++)
		stmt_kind_free(&sc->v[i].k);
	free(sc->v);
	free(sc->sessions);
	free(sc->text);
	memset(sc, 0, sizeof(*sc));
}

bool
sched_conflicts(const sched *s, const pd_stmt *p)
{
	for (int t = 0; t < 2; t++)
		for (int i = 0; p->k.tables[t] && i < s->n_slots; i++)
			if (s->busy[i] && strcmp(s->busy[i]->k.tables[0], p->k.tables[t]) == 0 &&
			    (!p->k.shared_lock || !s->busy[i]->k.shared_lock))
				return true;
			else if (s->busy[i] && s->busy[i]->k.tables[1] &&
			    strcmp(s->busy[i]->k.tables[1], p->k.tables[t]) == 0)
				return true;
	return false;
}

static void
set_busy(sched *s, const pd_stmt *p, bool busy)
{
	for (int i = 0; i < s->n_slots; i++)
		if (busy ? s->busy[i] == NULL : s->busy[i] == p) {
			s->busy[i] = busy ? p : NULL;
			break;
		}
}

/*
 * The work a statement stands for, to tell a big index build from the small
 * ones beside it: the COPY text of the table it indexes, or -1 when unknown
 * (a foreign key, an index on a table the archive doesn't hold).
 */
static int64_t
stmt_weight(const sched *s, const pd_stmt *p)
{
	return p->meta_table >= 0 ? s->tables[p->meta_table].raw_bytes : -1;
}

static void
add_weight(const sched *s, const pd_stmt *p, int64_t *sum, bool *unknown)
{
	int64_t w = stmt_weight(s, p);

	if (w < 0)
		*unknown = true;
	else
		*sum += w;
}

pd_stmt *
sched_claim(sched *s, script *sc, size_t lo, size_t hi, enum stmt_class cls, bool early,
    bool *alone)
{
	pd_stmt *got = NULL;
	bool unknown = s->loading > 0;
	int64_t others = 0;

	for (int i = 0; i < s->n_slots; i++)
		if (s->busy[i])
			add_weight(s, s->busy[i], &others, &unknown);
	for (size_t i = lo; i < hi; i++) {
		pd_stmt *p = &sc->v[i];

		if (p->state != ST_PENDING || p->k.cls != cls)
			continue;
		if (got || (early && (p->meta_table < 0 || s->table_left[p->meta_table] > 0)) ||
		    sched_conflicts(s, p)) {
			add_weight(s, p, &others, &unknown);
			continue;
		}
		got = p;
	}
	if (got) {
		got->state = ST_RUNNING;
		set_busy(s, got, true);
	}
	*alone = got && !unknown && stmt_weight(s, got) >= 0 && others <= stmt_weight(s, got) / 8;
	return got;
}

void
sched_release(sched *s, pd_stmt *p)
{
	p->state = ST_DONE;
	set_busy(s, p, false);
}
