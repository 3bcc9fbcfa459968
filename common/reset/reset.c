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
#include "reset/reset.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg/conn.h"
#include "pg/dbadmin.h"
#include "project/command.h"
#include "project/migrate.h"
#include "replace/replace.h"
#include "replace/spare.h"
#include "replace/tcache.h"
#include "util/hash.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/monotime.h"
#include "util/status.h"

#define CACHE_KIND "reset"

/* ---- inputs ---- */

typedef struct inputs {
	migrate_file *migs;
	size_t n_migs;
	sql_file *seeds;
	size_t n_seeds;
	json_object *manifest;       /* what the result depends on */
	char key[HASH_HEX_LEN + 1];
} inputs;

static void
inputs_free(inputs *in)
{
	migrate_free(in->migs, in->n_migs);
	sqlrun_files_free(in->seeds, in->n_seeds);
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
 * can read, and a --set value may be a secret.  With numbers, each value (a
 * count, checked to be a whole number when given) is a JSON integer.
 */
static json_object *
vars_json(const seed_vars *vs, bool digest, bool numbers)
{
	json_object *o = json_object_new_object();
	const seed_var **sorted = xcalloc(vs->n ? vs->n : 1, sizeof(*sorted));

	for (size_t i = 0; i < vs->n; i++)
		sorted[i] = &vs->v[i];
	qsort(sorted, vs->n, sizeof(*sorted), var_cmp);
	for (size_t i = 0; i < vs->n; i++) {
		char hex[HASH_HEX_LEN + 1], *text;

		if (numbers) {
			/* counts: whole numbers (checked when given) */
			json_object_object_add(o, sorted[i]->name,
			    json_object_new_int64(strtoll(sorted[i]->value, NULL, 10)));
			continue;
		}
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
load_inputs(const reset_opts *o, int server_version, inputs *in)
{
	json_object *m = json_object_new_object(), *files;
	const char *text;

	memset(in, 0, sizeof(*in));
	in->manifest = m;
	json_object_object_add(m, "server", json_object_new_int(server_version));
	if (o->migrations_dir) {
		if (migrate_scan(o->migrations_dir, &in->migs, &in->n_migs) < 0)
			return -1;
		files = json_object_new_object();
		for (size_t i = 0; i < in->n_migs; i++)
			json_object_object_add(files, in->migs[i].name, json_object_new_string_len(in->migs[i].sha256, 16));
		json_object_object_add(m, "migrations", files);
	} else if (o->migrations_command)
		json_object_object_add(m, "migrations", json_object_new_string(o->migrations_command));
	if (!o->no_seed) {
		if (o->seeds_dir) {
			if (sqlrun_scan_dir(o->seeds_dir, "seeds", &in->seeds, &in->n_seeds) < 0)
				return -1;
			files = json_object_new_object();
			for (size_t i = 0; i < in->n_seeds; i++)
				json_object_object_add(files, in->seeds[i].name,
				    json_object_new_string_len(in->seeds[i].sha256, 16));
			json_object_object_add(m, "seeds", files);
		} else if (o->seeds_command)
			json_object_object_add(m, "seeds", json_object_new_string(o->seeds_command));
		json_object_object_add(m, "counts", vars_json(&o->counts, false, true));
		json_object_object_add(m, "set", vars_json(&o->sets, true, false));
		json_object_object_add(m, "rng_seed", json_object_new_int64(o->rng_seed));
	} else
		json_object_object_add(m, "seeds", json_object_new_string("none (--no-seed)"));
	text = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN);
	hash_hex_of(text, strlen(text), in->key);
	return 0;
}

/* No migrations and no seeds: the result would be an empty database. */
static bool
nothing_to_build(const reset_opts *o, const inputs *in)
{
	bool migrations = o->migrations_command || in->n_migs > 0;
	bool seeds = !o->no_seed && (o->seeds_command || in->n_seeds > 0);

	return !migrations && !seeds;
}

/* The cached template's label: the manifest, and which project and target it was built for. */
static char *
cache_label(const reset_opts *o, const inputs *in, const char *target)
{
	json_object *label = NULL;
	char *text;

	if (json_object_deep_copy(in->manifest, &label, NULL) != 0)
		return xstrdup(json_object_to_json_string_ext(in->manifest, JSON_C_TO_STRING_PLAIN));

	json_object_object_add(label, "target", json_object_new_string(target));
	if (o->project)
		json_object_object_add(label, "project", json_object_new_string(o->project));
	text = xstrdup(json_object_to_json_string_ext(label, JSON_C_TO_STRING_PLAIN));
	json_object_put(label);
	return text;
}

static bool
label_is(json_object *label, const char *key, const char *want)
{
	json_object *v = NULL;

	return want && json_object_object_get_ex(label, key, &v) && json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), want) == 0;
}

/* One line of why: "KEY: NAME (OLD -> NEW)" and the like. */
static void
diff_manifests(json_object *was_all, json_object *now_all, strbuf *why)
{
	json_object_object_foreach(now_all, key, now) {
		json_object *was = NULL;

		if (strcmp(key, "target") == 0 || strcmp(key, "project") == 0)
			continue;
		json_object_object_get_ex(was_all, key, &was);
		if (json_object_is_type(now, json_type_object) && was && json_object_is_type(was, json_type_object)) {
			json_object_object_foreach(now, k, nv) {
				json_object *wv = NULL;

				if (!json_object_object_get_ex(was, k, &wv))
					sb_appendf(why, "%s: %s added\n", key, k);
				else if (strcmp(json_object_get_string(wv), json_object_get_string(nv)) != 0)
					sb_appendf(why, "%s: %s changed (%s -> %s)\n", key, k, json_object_get_string(wv),
					    json_object_get_string(nv));
			}
			json_object_object_foreach(was, k2, wv2) {
				(void) wv2;
				if (!json_object_object_get_ex(now, k2, NULL))
					sb_appendf(why, "%s: %s removed\n", key, k2);
			}
		} else if (!was || strcmp(json_object_get_string(was), json_object_get_string(now)) != 0)
			sb_appendf(why, "%s changed\n", key);
	}
}

/*
 * --fast found no cached result: say why, one line each, against the most
 * recent cached reset of the same project and target (else of the same
 * project).
 */
static void
explain_miss(PGconn *maint, const reset_opts *o, const inputs *in, const char *target, strbuf *why)
{
	tcache_entry *v = NULL;
	size_t n = 0;
	json_object *best = NULL, *same_project = NULL;
	const char *other_target = NULL;

	if (tcache_list(maint, CACHE_KIND, false, &v, &n) < 0) {
		sb_append(why, "the cache could not be read\n");
		return;
	}
	for (size_t i = 0; i < n && !best; i++) {
		json_object *label = json_tokener_parse(v[i].label);

		if (!label || !json_object_is_type(label, json_type_object) ||
		    (o->project && !label_is(label, "project", o->project))) {
			json_object_put(label);
			continue;
		}
		if (label_is(label, "target", target))
			best = label;
		else if (!same_project)
			same_project = label;
		else
			json_object_put(label);
	}
	if (!best && same_project) {
		json_object *t = NULL;

		best = same_project;
		same_project = NULL;
		if (json_object_object_get_ex(best, "target", &t))
			other_target = json_object_get_string(t);
	}
	if (!best)
		sb_appendf(why, "no cached reset of this project yet\n");
	else {
		size_t mark;

		if (other_target)
			sb_appendf(why, "no cached reset of \"%s\"; against the last one of \"%s\":\n", target,
			    other_target);
		mark = why->len;
		diff_manifests(best, in->manifest, why);
		if (why->len == mark)
			sb_append(why, "the inputs are the same, but their result is no longer cached\n");
	}
	json_object_put(best);
	json_object_put(same_project);
	tcache_free(v, n);
}

/* ---- building ---- */

static int
migrate(const reset_opts *o, PGconn *maint, PGconn *conn, const char *db, const inputs *in,
    reset_result *r)
{
	if (o->migrations_command)
		return command_run(maint, db, o->migrations_command, "migrations", NULL, 0);
	if (!o->migrations_dir)
		return 0;
	return migrate_apply(conn, in->migs, in->n_migs, &r->migrations);
}

static int
seed(const reset_opts *o, PGconn *maint, PGconn *conn, const char *db, const inputs *in,
    reset_result *r)
{
	double t0 = monotime();
	char seed_version[HASH_HEX_LEN + 1];
	const char *manifest;
	json_object *counts;
	int rc;

	if (o->no_seed || (!o->seeds_dir && !o->seeds_command))
		return 0;
	if (o->seeds_command) {
		char **env = xcalloc(o->counts.n + 1, sizeof(char *));

		for (size_t i = 0; i < o->counts.n; i++) {
			env[i] = xasprintf("SEED_%s_COUNT=%s", o->counts.v[i].name, o->counts.v[i].value);
			for (char *c = env[i] + 5; *c && *c != '='; c++)
				if (*c >= 'a' && *c <= 'z')
					*c = (char) (*c - 'a' + 'A');
		}
		env[o->counts.n] = xasprintf("SEED_RNG_SEED=%lld", o->rng_seed);
		rc = command_run(maint, db, o->seeds_command, "seed", env, o->counts.n + 1);
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
	counts = vars_json(&o->counts, false, true);
	rc = seed_record(conn, seed_version, json_object_to_json_string(counts), o->rng_seed,
	    (monotime() - t0) * 1000.0, &r->rows_json);
	json_object_put(counts);
	return rc;
}

/* What a reset's steps share (the replace_task callbacks' context). */
typedef struct reset_ctx {
	const reset_opts *o;
	reset_result *r;
	inputs in;
	char *tmpl;                  /* --fast: the cached result to clone, when there is one */
	strbuf miss;                 /* --fast without one: why, a line each */
	bool spare;                  /* the template has a ready spare, taken instead of a clone */
	const char *target;
} reset_ctx;

static dbt_status
reset_prepare(void *arg, PGconn *maint, const char *target, bool exists)
{
	reset_ctx *c = arg;

	(void) exists;
	if (load_inputs(c->o, PQserverVersion(maint), &c->in) < 0)
		return DBT_USAGE;
	if (nothing_to_build(c->o, &c->in)) {
		if (!c->o->guard.force) {
			log_error("refusing to reset \"%s\": there is nothing to build it from, so it would be "
			    "replaced by an empty database", target);
			if (c->o->guard.config_path)
				log_detail("%s configures no migrations and no seeds (or their directories are empty)",
				    c->o->guard.config_path);
			else
				log_detail("no db-tools.json was found in this directory or above it, and no --config was given");
			log_hint("run db-reset in the project's directory or pass --config FILE; --force resets "
			    "\"%s\" to an empty database", target);
			return DBT_REFUSED;
		}
		log_warning("nothing to build \"%s\" from: it is reset to an empty database (--force)", target);
	}
	if (c->o->fast || c->o->use_cache) {
		int spare = spare_prepare(maint, CACHE_KIND, c->in.key);

		if (spare < 0)
			return DBT_FAILED;
		if (c->o->fast && tcache_lookup(maint, CACHE_KIND, c->in.key, &c->tmpl) < 0)
			return DBT_FAILED;
		c->spare = c->tmpl && spare == 1;
	}
	if (c->o->fast && !c->tmpl)
		explain_miss(maint, c->o, &c->in, target, &c->miss);
	c->target = target;
	return DBT_OK;
}

/* Show what is about to happen, through the front end, and ask. */
static dbt_status
reset_plan_confirm(void *arg, PGconn *maint, const char *target, bool exists)
{
	reset_ctx *c = arg;
	const reset_opts *o = c->o;
	reset_plan p = {
		.target = target, .host = PQhost(maint), .port = PQport(maint), .user = PQuser(maint),
		.target_exists = exists,
		.migrations_dir = o->migrations_dir, .migrations_command = o->migrations_command,
		.n_migrations = c->in.n_migs, .no_seed = o->no_seed,
		.seeds_dir = o->seeds_dir, .seeds_command = o->seeds_command, .n_seeds = c->in.n_seeds,
		.counts = &o->counts, .rng_seed = o->rng_seed, .from_cache = c->tmpl != NULL,
		.from_spare = c->spare,
		.fast_miss = o->fast && !c->tmpl ? c->miss.data : NULL,
		.sessions = exists ? dbadmin_count_sessions(maint, target) : 0,
	};

	return o->confirm ? o->confirm(o->confirm_arg, &p) : DBT_OK;
}

/* Migrate and seed the new database built; its session is closed on return. */
static int
reset_fill(reset_ctx *c, PGconn *maint, const char *built)
{
	const reset_opts *o = c->o;
	reset_result *r = c->r;
	PGconn *conn = conn_open_like(maint, built, "db-reset");
	double t;
	int rc = -1;

	if (!conn || conn_exec(conn, "SET client_min_messages = warning") < 0)
		goto out;
	t = monotime();
	if (o->migrations_command || o->migrations_dir)
		progress_start(o->progress, "migrations", "files", 0, o->migrations_command ? 0 : (int64_t) c->in.n_migs);
	if (migrate(o, maint, conn, built, &c->in, r) < 0)
		goto out;
	r->t_migrate = monotime() - t;
	t = monotime();
	if (!o->no_seed && (o->seeds_command || o->seeds_dir))
		progress_start(o->progress, "seeds", "files", 0, o->seeds_command ? 0 : (int64_t) c->in.n_seeds);
	if (seed(o, maint, conn, built, &c->in, r) < 0)
		goto out;
	r->t_seed = monotime() - t;
	rc = 0;
out:
	/* the copy or the rename that comes next waits for its session to end */
	PQfinish(conn);
	return rc;
}

static dbt_status
reset_build(void *arg, PGconn *maint, const char *built)
{
	reset_ctx *c = arg;
	const reset_opts *o = c->o;
	reset_result *r = c->r;
	double t = monotime();

	if (c->tmpl) {
		if (spare_or_clone(maint, CACHE_KIND, c->in.key, c->tmpl, c->spare, built, o->progress,
		    &r->from_spare) < 0)
			return DBT_FAILED;
		(void) tcache_touch(maint, CACHE_KIND, c->in.key);
		r->from_cache = true;
		r->t_create = monotime() - t;
		return DBT_OK;
	}
	log_info("building a new database \"%s\"", built);
	if (dbadmin_create(maint, built, NULL, NULL, NULL, 0) < 0)
		return DBT_FAILED;
	r->t_create = monotime() - t;
	if (reset_fill(c, maint, built) < 0 || intr_pending())
		return DBT_FAILED;
	t = monotime();
	if (o->use_cache && o->cache_size > 0) {
		char *label = cache_label(o, &c->in, c->target);

		progress_start(o->progress, "keeping a template", NULL, 0, 0);
		if (tcache_store(maint, built, CACHE_KIND, c->in.key, label, o->cache_size) == 0)
			r->cached = true;
		else
			log_warning("could not keep the result for db-reset --fast");
		free(label);
	}
	r->t_cache = monotime() - t;
	return DBT_OK;
}

dbt_status
reset_run(const reset_opts *o, reset_result *r)
{
	reset_ctx c = {.o = o, .r = r};
	replace_outcome out;
	replace_task t = {
		.conninfo = o->conninfo, .guard = o->guard,
		.appname = "db-reset", .what = "reset",
		.keep_previous = o->keep_previous, .progress = o->progress, .ctx = &c,
		.prepare = reset_prepare, .plan = reset_plan_confirm, .build = reset_build,
	};
	double t0 = monotime();
	dbt_status rc;

	memset(r, 0, sizeof(*r));
	sb_init(&c.miss);
	rc = replace_run(&t, &out);
	if (rc == DBT_OK && (r->from_cache || r->cached))
		spare_offer(o->conninfo, CACHE_KIND, c.in.key, o->spare_budget, o->spare_log);
	r->target = out.target;
	r->target_existed = out.target_existed;
	r->previous = out.previous;
	r->t_swap = out.t_swap;
	inputs_free(&c.in);
	free(c.tmpl);
	sb_free(&c.miss);
	/* the work, not the wait at the prompt */
	r->seconds = monotime() - t0 - out.t_plan;
	return rc;
}

/* The pending migrations of the target: 0 with st filled, or -1 after logging (a refusal too). */
static int
pending_of(PGconn *conn, const char *dir, migrate_file **files, size_t *n, migrate_state *st)
{
	memset(st, 0, sizeof(*st));
	if (migrate_scan(dir, files, n) < 0 || migrate_status(conn, *files, *n, st) < 0)
		return -1;
	return migrate_refuse(st);
}

dbt_status
reset_migrate(const reset_opts *o, reset_result *r)
{
	PGconn *maint = NULL, *conn = NULL;
	char *target = NULL;
	migrate_file *files = NULL;
	size_t n = 0;
	migrate_state st;
	double t0 = monotime(), t_plan;
	dbt_status rc;
	int exists;

	memset(r, 0, sizeof(*r));
	memset(&st, 0, sizeof(st));
	rc = replace_open(o->conninfo, &o->guard, "db-reset", "migrate", &target, &maint);
	r->target = target ? xstrdup(target) : NULL;
	if (rc != DBT_OK)
		goto out;
	rc = DBT_FAILED;
	if ((exists = dbadmin_exists(maint, target)) <= 0) {
		if (exists == 0) {
			log_error("database \"%s\" does not exist: there is nothing to migrate", target);
			log_hint("db-reset without --migrate builds it");
		}
		goto out;
	}
	r->target_existed = true;
	if (!o->migrations_dir && !o->migrations_command) {
		log_error("no migrations are configured: there is nothing to apply");
		rc = DBT_USAGE;
		goto out;
	}
	if (!(conn = conn_open_like(maint, target, "db-reset")) || replace_lock(maint, target) < 0)
		goto out;
	if (o->migrations_dir) {
		if (pending_of(conn, o->migrations_dir, &files, &n, &st) < 0)
			goto out;
		if (st.n_pending_names == 0) {
			log_info("\"%s\" is up to date: %zu migration%s applied, none pending", target, st.applied,
			    st.applied == 1 ? "" : "s");
			rc = DBT_OK;
			goto out;
		}
	}
	t_plan = monotime();
	if (o->confirm) {
		reset_plan p = {
			.target = target, .host = PQhost(maint), .port = PQport(maint), .user = PQuser(maint),
			.target_exists = true, .migrations_dir = o->migrations_dir,
			.migrations_command = o->migrations_command, .n_migrations = n, .no_seed = true,
			.counts = &o->counts, .in_place = true, .pending = st.pending_names,
			.n_pending = st.n_pending_names,
		};

		if ((rc = o->confirm(o->confirm_arg, &p)) != DBT_OK)
			goto out;
		rc = DBT_FAILED;
	}
	t0 += monotime() - t_plan;
	progress_start(o->progress, "migrations", "files", 0, o->migrations_dir ? (int64_t) n : 0);
	if (o->migrations_command) {
		PQfinish(conn);
		conn = NULL;
		if (command_run(maint, target, o->migrations_command, "migrations", NULL, 0) == 0)
			rc = DBT_OK;
	} else if (conn_exec(conn, "SET client_min_messages = warning") == 0 &&
	    migrate_apply(conn, files, n, &r->migrations) == 0)
		rc = DBT_OK;
	progress_stop();
	r->t_migrate = monotime() - t0;
out:
	r->seconds = monotime() - t0;
	migrate_state_free(&st);
	migrate_free(files, n);
	PQfinish(conn);
	PQfinish(maint);
	free(target);
	return rc;
}

dbt_status
reset_status(const char *conninfo, const char *migrations_dir, reset_state *st)
{
	PGconn *conn = conn_open(conninfo, "db-reset");
	migrate_file *v = NULL;
	size_t n = 0;
	PGresult *res;
	bool is_null;
	char *t;
	dbt_status rc = DBT_FAILED;

	memset(st, 0, sizeof(*st));
	st->seed_table = -1;
	if (!conn)
		return DBT_FAILED;
	st->database = xstrdup(PQdb(conn));
	if (migrations_dir) {
		if (migrate_scan(migrations_dir, &v, &n) < 0 || migrate_status(conn, v, n, &st->migrations) < 0)
			goto out;
		st->have_migrations = true;
	}
	t = conn_query_value(conn, "SELECT pg_catalog.to_regclass('public." SEED_TABLE "')::text", &is_null);
	if (t) {
		st->seed_table = 1;
		res = conn_query(conn, "SELECT seeded_at::text, counts::text, rng_seed, rows::text, status"
		    " FROM public." SEED_TABLE " ORDER BY id DESC LIMIT 1");
		if (res && PQntuples(res) == 1) {
			st->seeded_at = xstrdup(PQgetvalue(res, 0, 0));
			st->counts = xstrdup(PQgetvalue(res, 0, 1));
			st->rng_seed = xstrdup(PQgetvalue(res, 0, 2));
			st->rows = xstrdup(PQgetvalue(res, 0, 3));
			st->status = xstrdup(PQgetvalue(res, 0, 4));
		}
		PQclear(res);
		free(t);
	} else if (is_null)
		st->seed_table = 0;
	rc = DBT_OK;
out:
	migrate_free(v, n);
	PQfinish(conn);
	return rc;
}

void
reset_state_free(reset_state *st)
{
	free(st->database);
	if (st->have_migrations)
		migrate_state_free(&st->migrations);
	free(st->seeded_at);
	free(st->counts);
	free(st->rng_seed);
	free(st->rows);
	free(st->status);
	memset(st, 0, sizeof(*st));
}

void
reset_result_free(reset_result *r)
{
	free(r->target);
	free(r->previous);
	free(r->rows_json);
	memset(r, 0, sizeof(*r));
}
