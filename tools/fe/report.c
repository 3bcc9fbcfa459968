/*
 * report.c — plans, summaries and JSON results; see report.h.
 */
#include "fe/report.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fe/prompt.h"
#include "project/migrate.h"
#include "replace/replace.h"
#include "util/format.h"
#include "util/log.h"
#include "util/strbuf.h"

dbt_status
fe_restore_confirm(void *yes, const restore_plan *p)
{
	bool y = *(const bool *) yes;

	if (fe_plan_shown(y))
		fe_print_restore_plan(p);
	return fe_confirm(y, "Restore?", "restore");
}

dbt_status
fe_reset_confirm(void *yes, const reset_plan *p)
{
	bool y = *(const bool *) yes;

	if (fe_plan_shown(y))
		fe_print_reset_plan(p);
	return fe_confirm(y, "Reset?", "reset");
}

/* "host:port, git branch B @ C" of the archive's source, as plain text */
static char *
source_text(const meta_doc *m)
{
	strbuf from;

	sb_init(&from);
	sb_append_visible(&from, m->src_host ? m->src_host : "local");
	sb_append_char(&from, ':');
	sb_append_visible(&from, m->src_port ? m->src_port : "");
	if (m->git_branch) {
		sb_append(&from, ", git branch ");
		sb_append_visible(&from, m->git_branch);
	}
	if (m->git_commit) {
		sb_append(&from, " @ ");
		sb_append_visible(&from, m->git_commit);
	}
	return sb_steal(&from);
}

/* What an archive's migration head says against the project's newest migration. */
static void
note_migrations(const restore_plan *p)
{
	const char *head = p->meta->migration_head;

	if (!p->project_head)
		return;
	if (!head)
		log_always(LOG_LEVEL_INFO,
		    "note: the archive records no migration head; the project's newest migration is %s",
		    p->project_head);
	else if (migrate_version_cmp(head, p->project_head) != 0)
		log_always(LOG_LEVEL_INFO,
		    "note: the archive's migration head is %s; the project's newest migration is %s",
		    head, p->project_head);
}

void
fe_print_restore_plan(const restore_plan *p)
{
	const meta_doc *m = p->meta;
	meta_totals t;
	char when[32], age[32], size[32], raw[32];
	char *pre, *name, *src, *from;
	struct tm tm;
	time_t now = time(NULL);

	meta_totals_of(m, &t);
	gmtime_r(&m->created_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fmt_age((long long) (now - m->created_at), age, sizeof(age));
	fmt_size((unsigned long long) p->archive_bytes, size, sizeof(size));
	fmt_size((unsigned long long) t.raw_bytes, raw, sizeof(raw));
	/* what an archive says is shown as one line of plain text each */
	name = str_visible(m->name);
	src = str_visible(m->src_database ? m->src_database : "");
	from = source_text(m);
	log_plain_always("archive   %s (%s)\n", p->archive, size);
	if (strcmp(age, "future") == 0)
		log_plain_always("snapshot  \"%s\", taken %s (in the future: a clock is wrong)\n", name, when);
	else
		log_plain_always("snapshot  \"%s\", taken %s (%s ago)\n", name, when, age);
	log_plain_always("source    database \"%s\" on %s\n", src, from);
	free(from);
	free(name);
	log_plain_always("contents  %lld tables, %lld rows, %zu sequences, %lld large objects (%s of data)\n",
	    (long long) t.tables, (long long) t.rows, m->n_sequences, (long long) t.large_objects, raw);
	pre = replace_copy_prefix(p->target, RP_SUFFIX_PREVIOUS);
	log_plain_always("target    database \"%s\" (host=%s port=%s user=%s): %s%s%s\n", p->target,
	    p->host, p->port, p->user,
	    !p->target_exists ? "does not exist, will be created" :
	    p->keep_previous > 0 ? "will be replaced; the current one is kept as " :
	    "will be replaced; the current one is dropped after the swap",
	    p->target_exists && p->keep_previous > 0 ? pre : "",
	    p->target_exists && p->keep_previous > 0 ? "<time>" : "");
	free(pre);
	if (p->from_cache)
		log_plain_always("method    clone of the cached template (the archive's data is not read)\n");
	if (m->src_database && strcmp(m->src_database, p->target) != 0)
		log_always(LOG_LEVEL_WARNING, "this snapshot was taken from database \"%s\", not \"%s\"", src,
		    p->target);
	/* someone else's archive: say what running its schema means */
	if (p->foreign)
		log_plain_always("trust     the archive's schema runs with the privileges of \"%s\"%s\n",
		    p->user, p->trust_archive ? " (--trust-archive: all of it)" :
		    " (only statements pg_dump writes are accepted)");
	free(src);
	if (m->server_version_num / 10000 > p->server_major) {
		log_always(LOG_LEVEL_WARNING, "this snapshot comes from PostgreSQL %d, and the target server runs %d",
		    m->server_version_num / 10000, p->server_major);
		log_detail("a schema that uses what %d does not have fails to load; the target is then left as it is",
		    p->server_major);
	}
	note_migrations(p);
}

void
fe_print_reset_plan(const reset_plan *p)
{
	strbuf counts;

	sb_init(&counts);
	for (size_t i = 0; i < p->counts->n; i++)
		sb_appendf(&counts, "%s%s=%s", i ? ", " : "", p->counts->v[i].name, p->counts->v[i].value);
	log_plain_always("target      database \"%s\" (host=%s port=%s user=%s): %s\n", p->target, p->host,
	    p->port, p->user, p->target_exists ? "will be replaced" : "does not exist, will be created");
	if (p->migrations_dir)
		log_plain_always("migrations  %zu files in %s\n", p->n_migrations, p->migrations_dir);
	else if (p->migrations_command)
		log_plain_always("migrations  command: %s\n", p->migrations_command);
	else
		log_plain_always("migrations  none configured\n");
	if (p->no_seed)
		log_plain_always("seeds       none (--no-seed)\n");
	else if (p->seeds_dir)
		log_plain_always("seeds       %zu files in %s; counts %s; rng_seed %lld\n", p->n_seeds,
		    p->seeds_dir, counts.len ? counts.data : "none", p->rng_seed);
	else if (p->seeds_command)
		log_plain_always("seeds       command: %s; counts %s; rng_seed %lld\n", p->seeds_command,
		    counts.len ? counts.data : "none", p->rng_seed);
	else
		log_plain_always("seeds       none configured\n");
	if (p->from_cache)
		log_plain_always("method      clone of the cached result of these inputs (--fast)\n");
	sb_free(&counts);
}

void
fe_print_snapshot_summary(const snapshot_result *r)
{
	char size[32], raw[32];
	double ratio = r->archive_bytes ? (double) r->raw_bytes / (double) r->archive_bytes : 0;

	fmt_size(r->archive_bytes, size, sizeof(size));
	fmt_size((unsigned long long) r->raw_bytes, raw, sizeof(raw));
	log_plain("snapshot \"%s\" written in %.2f s\n", r->name, r->seconds);
	log_plain("  archive   %s\n", r->tar_path ? r->tar_path : "standard output");
	log_plain("  size      %s (%s of data, %.1fx compression)\n", size, raw, ratio);
	log_plain("  contents  %lld tables, %lld rows, %lld sequences, %lld large objects\n",
	    (long long) r->tables, (long long) r->rows, (long long) r->sequences,
	    (long long) r->large_objects);
	if (r->tar_path)
		log_plain("  restore   db-restore %s\n", r->tar_path);
}

void
fe_print_restore_summary(const restore_result *r)
{
	char size[32];

	fmt_size((unsigned long long) r->bytes, size, sizeof(size));
	log_plain("restored \"%s\" into \"%s\" in %.2f s%s\n", r->archive, r->target, r->seconds,
	    r->from_cache ? " (from the cached template)" : "");
	log_plain("  contents  %lld tables, %lld rows, %lld sequences, %lld large objects, %s\n",
	    (long long) r->tables, (long long) r->rows, (long long) r->sequences,
	    (long long) r->large_objects, size);
	if (r->previous)
		log_plain("  previous  kept as \"%s\"\n", r->previous);
	else if (r->target_existed)
		log_plain("  previous  dropped (--keep-previous=0)\n");
	if (r->previous_dropped > 0)
		log_plain("  pruned    %d older cop%s\n", r->previous_dropped,
		    r->previous_dropped == 1 ? "y" : "ies");
	if (r->migrations > 0)
		log_plain("  migrated  %d pending migration%s applied before the swap\n", r->migrations,
		    r->migrations == 1 ? "" : "s");
	if (r->cached)
		log_plain("  cache     kept a template: restoring this archive again is a file copy\n");
}

void
fe_print_reset_summary(const reset_result *r)
{
	log_plain("reset \"%s\" in %.2f s%s\n", r->target, r->seconds,
	    r->from_cache ? " (a clone of the cached result)" : "");
	if (!r->from_cache)
		log_plain("  steps     create %.2f s, migrate %.2f s (%d applied), seed %.2f s, keep for --fast %.2f s, swap %.2f s\n",
		    r->t_create, r->t_migrate, r->migrations, r->t_seed, r->t_cache, r->t_swap);
	else
		log_plain("  steps     clone %.2f s, swap %.2f s\n", r->t_create, r->t_swap);
	if (r->rows_json)
		log_plain("  rows      %s\n", r->rows_json);
	if (r->previous)
		log_plain("  previous  kept as \"%s\"\n", r->previous);
}

static int
put_json(FILE *f, json_object *o)
{
	int rc = fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE)) < 0 ? -1 : 0;

	json_object_put(o);
	return fflush(f) == 0 ? rc : -1;
}

int
fe_restore_json(FILE *f, const restore_result *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "archive", json_object_new_string(r->archive ? r->archive : ""));
	json_object_object_add(o, "target", r->target ? json_object_new_string(r->target) : NULL);
	json_object_object_add(o, "target_existed", json_object_new_boolean(r->target_existed));
	json_object_object_add(o, "previous", r->previous ? json_object_new_string(r->previous) : NULL);
	json_object_object_add(o, "previous_dropped", json_object_new_int(r->previous_dropped));
	json_object_object_add(o, "from_cache", json_object_new_boolean(r->from_cache));
	json_object_object_add(o, "cached", json_object_new_boolean(r->cached));
	json_object_object_add(o, "migrations_applied", json_object_new_int(r->migrations));
	json_object_object_add(o, "tables", json_object_new_int64(r->tables));
	json_object_object_add(o, "rows", json_object_new_int64(r->rows));
	json_object_object_add(o, "sequences", json_object_new_int64(r->sequences));
	json_object_object_add(o, "large_objects", json_object_new_int64(r->large_objects));
	json_object_object_add(o, "bytes", json_object_new_int64(r->bytes));
	json_object_object_add(o, "seconds", json_object_new_double(r->seconds));
	return put_json(f, o);
}

int
fe_reset_json(FILE *f, const reset_result *r)
{
	json_object *o = json_object_new_object();
	json_object *rows = r->rows_json ? json_tokener_parse(r->rows_json) : NULL;

	json_object_object_add(o, "target", r->target ? json_object_new_string(r->target) : NULL);
	json_object_object_add(o, "target_existed", json_object_new_boolean(r->target_existed));
	json_object_object_add(o, "previous", r->previous ? json_object_new_string(r->previous) : NULL);
	json_object_object_add(o, "from_cache", json_object_new_boolean(r->from_cache));
	json_object_object_add(o, "cached", json_object_new_boolean(r->cached));
	json_object_object_add(o, "migrations_applied", json_object_new_int(r->migrations));
	json_object_object_add(o, "rows", rows);
	json_object_object_add(o, "seconds", json_object_new_double(r->seconds));
	return put_json(f, o);
}
