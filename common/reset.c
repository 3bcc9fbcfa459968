/*
 * reset.c — the reset job; see reset.h.
 *
 * Shape of a run:
 *   inputs:  migration files (or command), seed files (or command), counts,
 *            --set values, the RNG seed and the server version make a
 *            manifest; its SHA-256 is the template cache key
 *   server:  maintenance connection, production guard, plan, confirm,
 *            per-target lock, leftovers of killed runs
 *   build:   --fast with a template for the key: clone it.  Otherwise
 *            CREATE DATABASE <db>__restoring_<stamp>, migrate, seed, record
 *            the run, keep a template
 *   swap:    as db-restore (replace.h)
 */
#include "reset.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "dbadmin.h"
#include "exitcode.h"
#include "hash.h"
#include "interrupt.h"
#include "log.h"
#include "migrate.h"
#include "monotime.h"
#include "proc.h"
#include "replace.h"
#include "strbuf.h"
#include "tcache.h"

#define CACHE_KIND "reset"

/* ---- inputs ---- */

typedef struct inputs {
	mig_file *migs;
	size_t n_migs;
	sql_file *seeds;
	size_t n_seeds;
	json_object *manifest;       /* what the result depends on */
	char key[HASH_HEX_LEN + 1];
} inputs;

static void
inputs_free(inputs *in)
{
	mig_free(in->migs, in->n_migs);
	sr_files_free(in->seeds, in->n_seeds);
	json_object_put(in->manifest);
	memset(in, 0, sizeof(*in));
}

static int
var_cmp(const void *a, const void *b)
{
	return strcmp((*(const seed_var *const *) a)->name, (*(const seed_var *const *) b)->name);
}

/*
 * The variables as a JSON object, in name order (the manifest must not
 * depend on option order).  With digest, each value is given as its
 * SHA-256: the manifest is the cached template's comment, which every role
 * can read, and a --set value may be a secret.
 */
static json_object *
vars_json(const seed_vars *vs, bool digest)
{
	json_object *o = json_object_new_object();
	const seed_var **sorted = xcalloc(vs->n ? vs->n : 1, sizeof(*sorted));

	for (size_t i = 0; i < vs->n; i++)
		sorted[i] = &vs->v[i];
	qsort(sorted, vs->n, sizeof(*sorted), var_cmp);
	for (size_t i = 0; i < vs->n; i++) {
		char hex[HASH_HEX_LEN + 1], *text;

		if (!digest) {
			json_object_object_add(o, sorted[i]->name, json_object_new_string(sorted[i]->value));
			continue;
		}
		hash_hex_of(sorted[i]->value, strlen(sorted[i]->value), hex);
		text = xasprintf("sha256:%s", hex);
		json_object_object_add(o, sorted[i]->name, json_object_new_string(text));
		free(text);
	}
	free(sorted);
	return o;
}

static int
load_inputs(const rs_opts *o, int server_version, inputs *in)
{
	const cfg *c = o->cfg;
	json_object *m = json_object_new_object(), *files;
	const char *text;

	memset(in, 0, sizeof(*in));
	in->manifest = m;
	json_object_object_add(m, "server", json_object_new_int(server_version));
	if (c->migrations_dir) {
		if (mig_scan(c->migrations_dir, &in->migs, &in->n_migs) < 0)
			return -1;
		files = json_object_new_object();
		for (size_t i = 0; i < in->n_migs; i++)
			json_object_object_add(files, in->migs[i].name, json_object_new_string_len(in->migs[i].sha256, 16));
		json_object_object_add(m, "migrations", files);
	} else if (c->migrations_command)
		json_object_object_add(m, "migrations", json_object_new_string(c->migrations_command));
	if (!o->no_seed) {
		if (c->seeds_dir) {
			if (sr_scan_dir(c->seeds_dir, "seeds", &in->seeds, &in->n_seeds) < 0)
				return -1;
			files = json_object_new_object();
			for (size_t i = 0; i < in->n_seeds; i++)
				json_object_object_add(files, in->seeds[i].name,
				    json_object_new_string_len(in->seeds[i].sha256, 16));
			json_object_object_add(m, "seeds", files);
		} else if (c->seeds_command)
			json_object_object_add(m, "seeds", json_object_new_string(c->seeds_command));
		json_object_object_add(m, "counts", vars_json(&o->counts, false));
		json_object_object_add(m, "set", vars_json(&o->sets, true));
		json_object_object_add(m, "rng_seed", json_object_new_int64(o->rng_seed));
	} else
		json_object_object_add(m, "seeds", json_object_new_string("none (--no-seed)"));
	text = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN);
	hash_hex_of(text, strlen(text), in->key);
	return 0;
}

/* Say how the current inputs differ from those of the most recent cached reset. */
static void
say_what_changed(PGconn *maint, const inputs *in)
{
	tc_entry *v;
	size_t n;
	json_object *old;

	if (tc_list(maint, CACHE_KIND, false, &v, &n) < 0 || n == 0) {
		if (n == 0)
			log_info("no cached reset yet: running the full reset");
		if (v)
			tc_free(v, n);
		return;
	}
	old = json_tokener_parse(v[0].label);
	if (!old)
		log_info("the inputs changed: running the full reset");
	else {
		json_object_object_foreach(in->manifest, key, now) {
			json_object *was = NULL;

			json_object_object_get_ex(old, key, &was);
			if (json_object_is_type(now, json_type_object) && was &&
			    json_object_is_type(was, json_type_object)) {
				json_object_object_foreach(now, k, nv) {
					json_object *wv = NULL;

					if (!json_object_object_get_ex(was, k, &wv))
						log_info("changed since the cached reset: %s: %s added", key, k);
					else if (strcmp(json_object_get_string(wv), json_object_get_string(nv)) != 0)
						log_info("changed since the cached reset: %s: %s (%s -> %s)", key, k,
						    json_object_get_string(wv), json_object_get_string(nv));
				}
				json_object_object_foreach(was, k2, wv2) {
					(void) wv2;
					if (!json_object_object_get_ex(now, k2, NULL))
						log_info("changed since the cached reset: %s: %s removed", key, k2);
				}
			} else if (!was || strcmp(json_object_get_string(was), json_object_get_string(now)) != 0)
				log_info("changed since the cached reset: %s", key);
		}
		json_object_put(old);
	}
	tc_free(v, n);
}

/* ---- commands ---- */

int
rs_run_command(PGconn *maint, const char *db, const char *command, const char *what, char **extra,
    size_t n_extra)
{
	char *password = NULL;
	char *ci = conn_child_conninfo(maint, db, &password, NULL);
	char *uri = conn_uri(maint, db);
	char **env = xcalloc(n_extra + 8, sizeof(char *));
	size_t ne = 0;
	char *argv[] = {"sh", "-c", (char *) command, NULL};
	proc p;
	int status;
	char buf[8192];
	ssize_t got;

	env[ne++] = xasprintf("DATABASE_URL=%s", uri);
	env[ne++] = xasprintf("PGHOST=%s", PQhost(maint));
	env[ne++] = xasprintf("PGPORT=%s", PQport(maint));
	env[ne++] = xasprintf("PGUSER=%s", PQuser(maint));
	env[ne++] = xasprintf("PGDATABASE=%s", db);
	if (password)
		env[ne++] = xasprintf("PGPASSWORD=%s", password);
	for (size_t i = 0; i < n_extra; i++)
		env[ne++] = xstrdup(extra[i]);
	env[ne] = NULL;
	log_info("running the %s command: %s", what, command);
	status = proc_start(&p, argv, env, NULL);
	if (status == 0) {
		while ((got = read(p.out_fd, buf, sizeof(buf))) > 0)
			if (write(STDERR_FILENO, buf, (size_t) got) < 0)
				break;
		status = proc_wait(&p);
		if (status != 0) {
			char *err = proc_stderr(&p, 4000);

			log_error("the %s command failed with exit status %d: %s", what, status, command);
			if (err && *err)
				log_detail("%s", err);
			free(err);
		} else {
			char *err = proc_stderr(&p, 4000);

			if (err && *err)
				log_plain("%s\n", err);
			free(err);
		}
		proc_close(&p);
	} else
		status = -1;
	for (size_t i = 0; i < ne; i++)
		free_secret(env[i]);
	free(env);
	free(uri);
	free(ci);
	free_secret(password);
	return status == 0 ? 0 : -1;
}

/* ---- building ---- */

static int
migrate(const rs_opts *o, PGconn *maint, PGconn *conn, const char *db, const inputs *in,
    rs_result *r)
{
	if (o->cfg->migrations_command)
		return rs_run_command(maint, db, o->cfg->migrations_command, "migrations", NULL, 0);
	if (!o->cfg->migrations_dir)
		return 0;
	return mig_apply(conn, in->migs, in->n_migs, &r->migrations);
}

static int
seed(const rs_opts *o, PGconn *maint, PGconn *conn, const char *db, const inputs *in,
    rs_result *r)
{
	double t0 = monotime();
	char seed_version[HASH_HEX_LEN + 1];
	const char *manifest;
	json_object *counts;
	int rc;

	if (o->no_seed || (!o->cfg->seeds_dir && !o->cfg->seeds_command))
		return 0;
	if (o->cfg->seeds_command) {
		char **env = xcalloc(o->counts.n + 1, sizeof(char *));

		for (size_t i = 0; i < o->counts.n; i++) {
			env[i] = xasprintf("SEED_%s_COUNT=%s", o->counts.v[i].name, o->counts.v[i].value);
			for (char *c = env[i] + 5; *c && *c != '='; c++)
				if (*c >= 'a' && *c <= 'z')
					*c = (char) (*c - 'a' + 'A');
		}
		env[o->counts.n] = xasprintf("SEED_RNG_SEED=%lld", o->rng_seed);
		rc = rs_run_command(maint, db, o->cfg->seeds_command, "seed", env, o->counts.n + 1);
		strv_free(env, o->counts.n + 1);
	} else {
		seed_vars all = {0};

		for (size_t i = 0; i < o->counts.n; i++)
			sv_set(&all, o->counts.v[i].name, o->counts.v[i].value);
		for (size_t i = 0; i < o->sets.n; i++)
			sv_set(&all, o->sets.v[i].name, o->sets.v[i].value);
		if (!sv_get(&all, "rng_seed")) {
			char buf[32];

			snprintf(buf, sizeof(buf), "%lld", o->rng_seed);
			sv_set(&all, "rng_seed", buf);
		}
		rc = seed_run(conn, in->seeds, in->n_seeds, &all, o->rng_seed);
		sv_free(&all);
	}
	if (rc < 0)
		return -1;
	manifest = json_object_to_json_string_ext(in->manifest, JSON_C_TO_STRING_PLAIN);
	hash_hex_of(manifest, strlen(manifest), seed_version);
	counts = vars_json(&o->counts, false);
	rc = seed_record(conn, seed_version, json_object_to_json_string(counts), o->rng_seed,
	    (monotime() - t0) * 1000.0, &r->rows_json);
	json_object_put(counts);
	return rc;
}

static void
show_plan(const rs_opts *o, PGconn *maint, const char *target, bool exists, const inputs *in,
    bool hit)
{
	const cfg *c = o->cfg;
	strbuf counts;

	sb_init(&counts);
	for (size_t i = 0; i < o->counts.n; i++)
		sb_appendf(&counts, "%s%s=%s", i ? ", " : "", o->counts.v[i].name, o->counts.v[i].value);
	log_plain("target      database \"%s\" (host=%s port=%s user=%s): %s\n", target, PQhost(maint),
	    PQport(maint), PQuser(maint), exists ? "will be replaced" : "does not exist, will be created");
	if (c->migrations_dir)
		log_plain("migrations  %zu files in %s\n", in->n_migs, c->migrations_dir);
	else if (c->migrations_command)
		log_plain("migrations  command: %s\n", c->migrations_command);
	else
		log_plain("migrations  none configured\n");
	if (o->no_seed)
		log_plain("seeds       none (--no-seed)\n");
	else if (c->seeds_dir)
		log_plain("seeds       %zu files in %s; counts %s; rng_seed %lld\n", in->n_seeds, c->seeds_dir,
		    counts.len ? counts.data : "none", o->rng_seed);
	else if (c->seeds_command)
		log_plain("seeds       command: %s; counts %s; rng_seed %lld\n", c->seeds_command,
		    counts.len ? counts.data : "none", o->rng_seed);
	else
		log_plain("seeds       none configured\n");
	if (hit)
		log_plain("method      clone of the cached result of these inputs (--fast)\n");
	sb_free(&counts);
}

/* What a reset's steps share (the rp_task callbacks' context). */
typedef struct reset_ctx {
	const rs_opts *o;
	rs_result *r;
	inputs in;
	char *tmpl;                  /* --fast: the cached result to clone, when there is one */
} reset_ctx;

static int
reset_prepare(void *arg, PGconn *maint, const char *target, bool exists)
{
	reset_ctx *c = arg;

	(void) target;
	(void) exists;
	if (load_inputs(c->o, PQserverVersion(maint), &c->in) < 0)
		return EXIT_USAGE;
	if (c->o->fast && tc_lookup(maint, CACHE_KIND, c->in.key, &c->tmpl) < 0)
		return EXIT_FAILURE_;
	return EXIT_OK;
}

static void
reset_plan(void *arg, PGconn *maint, const char *target, bool exists)
{
	reset_ctx *c = arg;

	show_plan(c->o, maint, target, exists, &c->in, c->tmpl != NULL);
}

/* Migrate and seed the new database built; its session is closed on return. */
static int
reset_fill(reset_ctx *c, PGconn *maint, const char *built)
{
	const rs_opts *o = c->o;
	rs_result *r = c->r;
	PGconn *conn = conn_open_like(maint, built, "db-reset");
	double t;
	int rc = -1;

	if (!conn || conn_exec(conn, "SET client_min_messages = warning") < 0)
		goto out;
	t = monotime();
	if (migrate(o, maint, conn, built, &c->in, r) < 0)
		goto out;
	r->t_migrate = monotime() - t;
	t = monotime();
	if (seed(o, maint, conn, built, &c->in, r) < 0)
		goto out;
	r->t_seed = monotime() - t;
	rc = 0;
out:
	/* the copy or the rename that comes next waits for its session to end */
	PQfinish(conn);
	return rc;
}

static int
reset_build(void *arg, PGconn *maint, const char *built)
{
	reset_ctx *c = arg;
	const rs_opts *o = c->o;
	rs_result *r = c->r;
	double t = monotime();

	if (c->tmpl) {
		log_info("cloning the cached result \"%s\"", c->tmpl);
		if (dba_create(maint, built, c->tmpl, NULL, NULL, 0) < 0)
			return EXIT_FAILURE_;
		(void) tc_touch(maint, CACHE_KIND, c->in.key);
		r->from_cache = true;
		r->t_create = monotime() - t;
		return EXIT_OK;
	}
	if (o->fast)
		say_what_changed(maint, &c->in);
	log_info("building a new database \"%s\"", built);
	if (dba_create(maint, built, NULL, NULL, NULL, 0) < 0)
		return EXIT_FAILURE_;
	r->t_create = monotime() - t;
	if (reset_fill(c, maint, built) < 0 || intr_pending())
		return EXIT_FAILURE_;
	t = monotime();
	if (o->use_cache && o->cache_size > 0) {
		const char *label = json_object_to_json_string_ext(c->in.manifest, JSON_C_TO_STRING_PLAIN);

		if (tc_store(maint, built, CACHE_KIND, c->in.key, label, o->cache_size) == 0)
			r->cached = true;
		else
			log_warning("could not keep the result for db-reset --fast");
	}
	r->t_cache = monotime() - t;
	return EXIT_OK;
}

int
rs_run(const rs_opts *o, rs_result *r)
{
	reset_ctx c = {.o = o, .r = r};
	rp_outcome out;
	rp_task t = {
		.conninfo = o->conninfo, .cfg = o->cfg, .force = o->force, .yes = o->yes,
		.appname = "db-reset", .what = "reset", .question = "Reset?", .verb = "reset",
		.keep_previous = o->keep_previous, .ctx = &c,
		.prepare = reset_prepare, .plan = reset_plan, .build = reset_build,
	};
	double t0 = monotime();
	int rc;

	memset(r, 0, sizeof(*r));
	rc = rp_replace(&t, &out);
	r->target = out.target;
	r->target_existed = out.target_existed;
	r->previous = out.previous;
	r->t_swap = out.t_swap;
	inputs_free(&c.in);
	free(c.tmpl);
	r->seconds = monotime() - t0;
	return rc;
}

int
rs_status(const char *conninfo, const cfg *c)
{
	PGconn *conn = conn_open(conninfo, "db-reset");
	mig_file *v = NULL;
	size_t n = 0;
	mig_state st;
	PGresult *res;
	bool is_null;
	char *t;
	int rc = EXIT_FAILURE_;

	if (!conn)
		return EXIT_FAILURE_;
	printf("database %s\n", PQdb(conn));
	if (c->migrations_dir) {
		if (mig_scan(c->migrations_dir, &v, &n) < 0 || mig_status(conn, v, n, &st) < 0)
			goto out;
		mig_print_status(stdout, v, n, &st);
		mig_state_free(&st);
	} else if (c->migrations_command)
		printf("migrations: run by a command (%s); not tracked by db-reset\n", c->migrations_command);
	else
		printf("migrations: none configured\n");
	t = conn_query_value(conn, "SELECT pg_catalog.to_regclass('public." SEED_TABLE "')::text", &is_null);
	if (t) {
		res = conn_query(conn, "SELECT seeded_at::text, counts::text, rng_seed, rows::text, status"
		    " FROM public." SEED_TABLE " ORDER BY id DESC LIMIT 1");
		if (res && PQntuples(res) == 1)
			printf("last seed: %s, counts %s, rng_seed %s, %s; rows %s\n", PQgetvalue(res, 0, 0),
			    PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 4),
			    PQgetvalue(res, 0, 3));
		PQclear(res);
		free(t);
	} else if (is_null)
		printf("last seed: none recorded\n");
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILURE_;
out:
	mig_free(v, n);
	PQfinish(conn);
	return rc;
}

void
rs_result_free(rs_result *r)
{
	free(r->target);
	free(r->previous);
	free(r->rows_json);
	memset(r, 0, sizeof(*r));
}

char *
rs_result_json(const rs_result *r)
{
	json_object *o = json_object_new_object();
	json_object *rows = r->rows_json ? json_tokener_parse(r->rows_json) : NULL;
	char *s;

	json_object_object_add(o, "target", r->target ? json_object_new_string(r->target) : NULL);
	json_object_object_add(o, "target_existed", json_object_new_boolean(r->target_existed));
	json_object_object_add(o, "previous", r->previous ? json_object_new_string(r->previous) : NULL);
	json_object_object_add(o, "from_cache", json_object_new_boolean(r->from_cache));
	json_object_object_add(o, "cached", json_object_new_boolean(r->cached));
	json_object_object_add(o, "migrations_applied", json_object_new_int(r->migrations));
	json_object_object_add(o, "rows", rows);
	json_object_object_add(o, "seconds", json_object_new_double(r->seconds));
	s = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}
