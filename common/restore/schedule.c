/*
 * schedule.c — running a restore's schema sections over the job's
 * connections, in the order and parallelism sched.c decides; setting the
 * sequences.  See job.h.
 */
#include "restore/job.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg/conn.h"
#include "sql/quote.h"
#include "util/log.h"
#include "util/monotime.h"
#include "util/progress.h"
#include "util/strbuf.h"

/* Read, check, split and classify a schema section. */
int
script_load(job *j, const meta_schema *ms, script *sc)
{
	const meta_doc *m = &j->a->m;
	sql_stmt *st;
	char *text;
	size_t n;
	dbt_status rc;

	memset(sc, 0, sizeof(*sc));
	if ((rc = read_statements(j->a, ms, &text, &st, &n)) != DBT_OK) {
		job_fail(j, rc == DBT_INTEGRITY);
		return -1;
	}
	sched_script_init(sc, ms, text, st, n, m->tables, m->n_tables, j->o->owners);
	free(st);
	return 0;
}

static int
exec_sql(job *j, PGconn *conn, const script *sc, const pd_stmt *p)
{
	strbuf sql;
	PGresult *res;
	int rc = 0;
	double t0 = monotime();

	sb_init(&sql);
	sb_append_len(&sql, sc->text + p->st.start, p->st.len);
	res = PQexec(conn, sql.data);
	log_debug("%s, line %d: %.3f s: %.60s", sc->ms->member, p->st.line, monotime() - t0, sql.data);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		if (!job_stopping(j)) {
			char *what = xasprintf("%s, line %d", sc->ms->member, p->st.line);

			conn_log_error(conn, res, what);
			log_detail("statement: %.300s%s", sql.data, sql.len > 300 ? " ..." : "");
			free(what);
		}
		job_fail(j, false);
		rc = -1;
	}
	PQclear(res);
	sb_free(&sql);
	if (rc == 0 && j->count_statements && p->k.cls != STMT_SESSION)
		progress_item_done();
	return rc;
}

/* Run statement p on connection c, with c's session settings brought to p's epoch. */
static int
exec_on(job *j, int c, script *sc, const pd_stmt *p)
{
	int from;

	if (j->conn_script[c] != sc) {
		j->conn_script[c] = sc;
		j->conn_epoch[c] = 0;
	}
	/* settings are absolute: going back means replaying from the start */
	from = j->conn_epoch[c] <= p->epoch ? j->conn_epoch[c] : 0;
	for (int k = from; k < p->epoch; k++)
		if (exec_sql(j, j->conns[c], sc, &sc->v[sc->sessions[k]]) < 0)
			return -1;
	j->conn_epoch[c] = p->epoch;
	return exec_sql(j, j->conns[c], sc, p);
}

/*
 * Run a claimed statement.  An index build that is in effect the only work
 * left may use the server's parallel maintenance workers, up to one less
 * than the connections (the leader works too), within the server's own
 * max_parallel_maintenance_workers; beside other work it is better without
 * them (the cores are already busy, and the workers' coordination costs CPU).
 */
static int
run_claimed(job *j, int c, script *sc, pd_stmt *p, bool alone)
{
	int rc = 0;

	if (p->k.cls == STMT_INDEX && j->conn_parallel[c] != (alone ? 1 : 0)) {
		char sql[256];

		snprintf(sql, sizeof(sql),
		    "SELECT pg_catalog.set_config('max_parallel_maintenance_workers',"
		    " LEAST(s.reset_val::int, %d)::text, false)"
		    " FROM pg_catalog.pg_settings s WHERE s.name = 'max_parallel_maintenance_workers'",
		    j->n_conns - 1);
		rc = conn_exec(j->conns[c], alone ? sql : "SET max_parallel_maintenance_workers = 0");
		j->conn_parallel[c] = alone ? 1 : 0;
	}
	if (rc == 0)
		rc = exec_on(j, c, sc, p);
	else
		job_fail(j, false);

	pthread_mutex_lock(&j->lock);
	sched_release(&j->sch, p);
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
	return rc;
}

/*
 * During the data load: build one index whose table is complete.  Returns
 * 1 when it ran one, 0 when there is none to run now.
 */
int
early_work(job *j, int c)
{
	pd_stmt *p;
	bool alone;

	if (!j->post)
		return 0;
	pthread_mutex_lock(&j->lock);
	p = sched_claim(&j->sch, j->post, 0, j->post->n, STMT_INDEX, true, &alone);
	pthread_mutex_unlock(&j->lock);
	if (!p)
		return 0;
	return run_claimed(j, c, j->post, p, alone) < 0 ? -1 : 1;
}

/* A batch: statements of one class in [lo, hi), run by every connection. */
static void *
batch_worker(void *arg)
{
	worker *w = arg;
	job *j = w->j;

	pthread_mutex_lock(&j->lock);
	while (!job_stopping(j)) {
		bool alone, left = false;
		pd_stmt *p = sched_claim(&j->sch, j->batch_script, j->batch_lo, j->batch_hi, j->batch_cls, false,
		    &alone);

		if (p) {
			pthread_mutex_unlock(&j->lock);
			if (run_claimed(j, w->id, j->batch_script, p, alone) < 0)
				return NULL;
			pthread_mutex_lock(&j->lock);
			continue;
		}
		for (size_t i = j->batch_lo; i < j->batch_hi && !left; i++)
			left = j->batch_script->v[i].k.cls == j->batch_cls &&
			    j->batch_script->v[i].state != ST_DONE;
		if (!left)
			break;
		pthread_cond_wait(&j->cond, &j->lock);
	}
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

/* Run a schema section: parallel batches of index builds and foreign keys, the rest in order. */
int
script_run(job *j, script *sc)
{
	for (size_t i = 0; i < sc->n;) {
		pd_stmt *p = &sc->v[i];
		size_t k;

		if (job_stopping(j))
			return -1;
		switch (p->k.cls) {
		case STMT_SKIP:
		case STMT_SESSION:
			i++;
			break;
		case STMT_FOREIGN_META:
			log_error("archive \"%s\": member \"%s\", line %d: unexpected psql command \"%.40s\"",
			    j->a->path, sc->ms->member, p->st.line, sc->text + p->st.start);
			job_fail(j, true);
			return -1;
		case STMT_INDEX:
		case STMT_FKEY:
			for (k = i + 1; k < sc->n && (sc->v[k].k.cls == p->k.cls || sc->v[k].k.cls == STMT_SKIP ||
			    sc->v[k].k.cls == STMT_SESSION); k++)
				;
			j->batch_script = sc;
			j->batch_lo = i;
			j->batch_hi = k;
			j->batch_cls = p->k.cls;
			if (run_threads(j, j->n_conns, batch_worker) < 0)
				return -1;
			i = k;
			break;
		case STMT_RUN:
			if (p->state == ST_PENDING && exec_on(j, 0, sc, p) < 0)
				return -1;
			p->state = ST_DONE;
			i++;
			break;
		}
	}
	return 0;
}

int
set_sequences(job *j)
{
	const meta_doc *m = &j->a->m;
	strbuf sql, name;
	int rc;

	if (m->n_sequences == 0)
		return 0;
	sb_init(&sql);
	sb_init(&name);
	for (size_t i = 0; i < m->n_sequences; i++) {
		sb_reset(&name);
		q_qualified(&name, m->sequences[i].schema, m->sequences[i].name);
		sb_append(&sql, "SELECT pg_catalog.setval(");
		q_literal(&sql, name.data);
		sb_appendf(&sql, ", %lld, %s);", (long long) m->sequences[i].last_value,
		    m->sequences[i].is_called ? "true" : "false");
	}
	rc = conn_exec(j->conns[0], sql.data);
	if (rc < 0)
		job_fail(j, false);
	sb_free(&sql);
	sb_free(&name);
	return rc;
}

