/*
 * report.c — plans, summaries and JSON results; see report.h.
 */
#include "fe/report.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive/snapdir.h"
#include "fe/listing.h"
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
	return p->in_place ? fe_confirm(y, "Apply?", "migrate") : fe_confirm(y, "Reset?", "reset");
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
		/* 12 hex digits name a commit as well as 40, in a line that fits */
		char *commit = xasprintf("%.12s", m->git_commit);

		sb_append(&from, " @ ");
		sb_append_visible(&from, commit);
		free(commit);
	}
	return sb_steal(&from);
}

/* "N connected sessions will be ended at the swap", under a label padded to width. */
static void
print_sessions(int width, int n)
{
	if (n > 0)
		log_plain_always("%-*s%d other session%s connected to it will be ended at the swap\n", width,
		    "sessions", n, n == 1 ? "" : "s");
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
	/* behind the project: the newer migrations can be applied before the swap */
	if (!p->migrate && (!head || migrate_version_cmp(head, p->project_head) < 0))
		log_always(LOG_LEVEL_INFO, "hint: db-restore --migrate applies the project's newer migrations "
		    "before the swap");
}

/*
 * "filters   -T audit_log, --exclude-table-data events (public.events is
 * restored empty)": what a filtered snapshot holds, and the tables that
 * the restore creates without rows on purpose.
 */
static void
print_filters(const meta_doc *m)
{
	char *text;
	strbuf empty;
	size_t n = 0, shown = 0;

	if (!m->filters.present)
		return;
	text = fe_filters_text(&m->filters);
	sb_init(&empty);
	for (size_t i = 0; i < m->n_tables; i++) {
		if (!m->tables[i].data_excluded)
			continue;
		if (n++ < 3) {
			sb_append(&empty, shown++ ? ", " : "");
			sb_append_visible(&empty, m->tables[i].schema);
			sb_append_char(&empty, '.');
			sb_append_visible(&empty, m->tables[i].name);
		}
	}
	if (n > shown)
		sb_appendf(&empty, " and %zu more", n - shown);
	if (n > 0)
		log_plain_always("filters   %s (%s %s restored empty)\n", text, empty.data, n == 1 ? "is" : "are");
	else
		log_plain_always("filters   %s\n", text);
	sb_free(&empty);
	free(text);
}

/* "1 table, 20 rows, 2 sequences, 0 large objects": the counts, each in its number. */
static const char *
counts_text(int64_t tables, int64_t rows, int64_t sequences, int64_t los, char *buf, size_t size)
{
	snprintf(buf, size, "%lld table%s, %lld row%s, %lld sequence%s, %lld large object%s", (long long) tables,
	    tables == 1 ? "" : "s", (long long) rows, rows == 1 ? "" : "s", (long long) sequences,
	    sequences == 1 ? "" : "s", (long long) los, los == 1 ? "" : "s");
	return buf;
}

void
fe_print_restore_plan(const restore_plan *p)
{
	const meta_doc *m = p->meta;
	meta_totals t;
	char when[32], age[32], size[32], raw[32], counts[160];
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
	if (p->instant) {
		char *tmpl = str_visible(p->instant->template_db);

		fmt_size((unsigned long long) p->instant->bytes, size, sizeof(size));
		log_plain_always("instant   %s (database \"%s\" on the server, %s)\n", p->archive, tmpl, size);
		free(tmpl);
	} else {
		log_plain_always("archive   %s (%s)\n", p->archive, size);
	}
	if (strcmp(age, "future") == 0)
		log_plain_always("snapshot  \"%s\", taken %s (in the future: a clock is wrong)\n", name, when);
	else
		log_plain_always("snapshot  \"%s\", taken %s (%s ago)\n", name, when, age);
	log_plain_always("source    database \"%s\" on %s\n", src, from);
	free(from);
	free(name);
	if (!p->instant)
		log_plain_always("contents  %s (%s of data)\n", counts_text(t.tables, t.rows, (int64_t) m->n_sequences,
		    t.large_objects, counts, sizeof(counts)), raw);
	print_filters(m);
	pre = replace_copy_prefix(p->target, RP_SUFFIX_PREVIOUS);
	log_plain_always("target    database \"%s\" (host=%s port=%s user=%s): %s%s%s\n", p->target,
	    p->host, p->port, p->user,
	    !p->target_exists ? "does not exist, will be created" :
	    p->keep_previous > 0 ? "will be replaced; the current one is kept as " :
	    "will be replaced; the current one is dropped after the swap",
	    p->target_exists && p->keep_previous > 0 ? pre : "",
	    p->target_exists && p->keep_previous > 0 ? "<time>" : "");
	free(pre);
	print_sessions(10, p->sessions);
	if (p->instant)
		log_plain_always("method    %s\n", p->from_spare ? "the instant snapshot's ready spare, renamed" :
		    "clone of the instant snapshot's database (a file copy)");
	else if (p->from_spare)
		log_plain_always("method    the cached template's ready spare, renamed (the archive's data is not read)\n");
	else if (p->from_cache)
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
	if (!p->instant)
		note_migrations(p);
}

/* db-reset --migrate: the pending migrations, applied to the target as it is. */
static void
print_in_place_plan(const reset_plan *p)
{
	strbuf names;

	sb_init(&names);
	for (size_t i = 0; i < p->n_pending; i++)
		sb_appendf(&names, "%s%s", i ? ", " : "", p->pending[i]);
	log_plain_always("target      database \"%s\" (host=%s port=%s user=%s): migrated as it is, not reset\n",
	    p->target, p->host, p->port, p->user);
	if (p->migrations_command)
		log_plain_always("migrations  command: %s\n", p->migrations_command);
	else
		log_plain_always("migrations  %zu pending in %s: %s\n", p->n_pending, p->migrations_dir, names.data);
	sb_free(&names);
}

void
fe_print_reset_plan(const reset_plan *p)
{
	strbuf counts;

	if (p->in_place) {
		print_in_place_plan(p);
		return;
	}
	sb_init(&counts);
	for (size_t i = 0; i < p->counts->n; i++)
		sb_appendf(&counts, "%s%s=%s", i ? ", " : "", p->counts->v[i].name, p->counts->v[i].value);
	log_plain_always("target      database \"%s\" (host=%s port=%s user=%s): %s\n", p->target, p->host,
	    p->port, p->user, p->target_exists ? "will be replaced" : "does not exist, will be created");
	print_sessions(12, p->sessions);
	if (p->migrations_dir)
		log_plain_always("migrations  %zu file%s in %s\n", p->n_migrations, p->n_migrations == 1 ? "" : "s",
		    p->migrations_dir);
	else if (p->migrations_command)
		log_plain_always("migrations  command: %s\n", p->migrations_command);
	else
		log_plain_always("migrations  none configured\n");
	if (p->no_seed)
		log_plain_always("seeds       none (--no-seed)\n");
	else if (p->seeds_dir)
		log_plain_always("seeds       %zu file%s in %s; counts %s; rng_seed %lld\n", p->n_seeds,
		    p->n_seeds == 1 ? "" : "s", p->seeds_dir, counts.len ? counts.data : "none", p->rng_seed);
	else if (p->seeds_command)
		log_plain_always("seeds       command: %s; counts %s; rng_seed %lld\n", p->seeds_command,
		    counts.len ? counts.data : "none", p->rng_seed);
	else
		log_plain_always("seeds       none configured\n");
	if (p->from_spare)
		log_plain_always("method      the ready spare of the cached result of these inputs, renamed (--fast)\n");
	else if (p->from_cache)
		log_plain_always("method      clone of the cached result of these inputs (--fast)\n");
	else if (p->fast_miss) {
		log_plain_always("method      full reset: these inputs have no cached result (--fast)\n");
		for (const char *l = p->fast_miss; *l;) {
			size_t len = strcspn(l, "\n");

			log_plain_always("            %.*s\n", (int) len, l);
			l += len + (l[len] == '\n');
		}
	}
	sb_free(&counts);
}

/*
 * The db-restore command for the new archive: the shortest argument that
 * names it in its directory (its NAME when that picks it, else its file
 * name), with -o when the directory came from -o; the path for -f FILE.
 */
void
fe_print_snapshot_summary(const snapshot_result *r, const char *dir, bool dir_given)
{
	char size[32], raw[32], counts[160];
	char *ref = r->tar_path && r->meta_path ? snapdir_ref(dir, r->tar_path) : NULL;
	char *word = NULL, *dir_word = dir_given ? fe_shell_word(dir) : NULL;
	double ratio = r->archive_bytes ? (double) r->raw_bytes / (double) r->archive_bytes : 0;

	fmt_size(r->archive_bytes, size, sizeof(size));
	fmt_size((unsigned long long) r->raw_bytes, raw, sizeof(raw));
	log_plain("snapshot \"%s\" written in %.2f s\n", r->name, r->seconds);
	log_plain("  archive   %s\n", r->tar_path ? r->tar_path : "standard output");
	/* a tiny database's archive is mostly tar headers and schema: no ratio to speak of */
	if (ratio >= 1.0)
		log_plain("  size      %s (%s of data, %.1fx compression)\n", size, raw, ratio);
	else
		log_plain("  size      %s (%s of data)\n", size, raw);
	log_plain("  contents  %s\n", counts_text(r->tables, r->rows, r->sequences, r->large_objects, counts,
	    sizeof(counts)));
	if (r->filters.present) {
		char *text = fe_filters_text(&r->filters);

		if (r->data_excluded > 0)
			log_plain("  filters   %s (%lld table%s without data)\n", text, (long long) r->data_excluded,
			    r->data_excluded == 1 ? "" : "s");
		else
			log_plain("  filters   %s\n", text);
		free(text);
	}
	if (ref) {
		word = fe_shell_word(ref);
		log_plain("  restore   db-restore %s%s%s%s\n", dir_word ? "-o " : "", dir_word ? dir_word : "",
		    dir_word ? " " : "", word);
	} else if (r->tar_path) {
		/* a path has a '/': "./base" is not taken for a NAME */
		char *path = strchr(r->tar_path, '/') ? xstrdup(r->tar_path) : xasprintf("./%s", r->tar_path);

		word = fe_shell_word(path);
		log_plain("  restore   db-restore %s%s\n", word[0] == '-' ? "-- " : "", word);
		free(path);
	}
	free(word);
	free(dir_word);
	free(ref);
}

dbt_status
fe_clone_confirm(void *yes, const clone_plan *p)
{
	bool y = *(const bool *) yes;
	char size[32];

	if (fe_plan_shown(y)) {
		fmt_size((unsigned long long) (p->bytes > 0 ? p->bytes : 0), size, sizeof(size));
		log_plain_always("source    database \"%s\" (host=%s port=%s user=%s), %s\n", p->database, p->host,
		    p->port, p->user, size);
		log_plain_always("instant   snapshot \"%s\": a copy of the database on its server, taking %s there\n",
		    p->name, size);
		log_plain_always("marker    %s\n", p->marker);
		if (p->sessions > 0)
			log_plain_always("sessions  %d other session%s connected to it will be ended, and new ones "
			    "refused during the copy\n", p->sessions, p->sessions == 1 ? "" : "s");
		else
			log_plain_always("sessions  new connections are refused during the copy\n");
	}
	return fe_confirm(y, "Take the instant snapshot?", "take an instant snapshot");
}

void
fe_print_clone_summary(const clone_result *r, const char *dir, bool dir_given)
{
	char size[32];
	char *ref = snapdir_ref(dir, r->marker_path);
	char *word = ref ? fe_shell_word(ref) : NULL, *dir_word = dir_given ? fe_shell_word(dir) : NULL;

	fmt_size((unsigned long long) r->bytes, size, sizeof(size));
	log_plain("instant snapshot \"%s\" of \"%s\" taken in %.2f s\n", r->name, r->database, r->seconds);
	log_plain("  database  \"%s\" on the server, %s\n", r->template_db, size);
	log_plain("  marker    %s\n", r->marker_path);
	if (r->sessions_ended > 0)
		log_plain("  sessions  %d ended\n", r->sessions_ended);
	if (word)
		log_plain("  restore   db-restore %s%s%s%s\n", dir_word ? "-o " : "", dir_word ? dir_word : "",
		    dir_word ? " " : "", word);
	if (word)
		log_plain("  archive   db-snapshot --export %s%s%s%s (a file for a teammate)\n", dir_word ? "-o " : "",
		    dir_word ? dir_word : "", dir_word ? " " : "", word);
	free(word);
	free(dir_word);
	free(ref);
}

void
fe_print_restore_summary(const restore_result *r)
{
	char size[32], counts[160];

	fmt_size((unsigned long long) r->bytes, size, sizeof(size));
	log_plain("restored \"%s\" into \"%s\" in %.2f s%s\n", r->archive, r->target, r->seconds,
	    r->instant ? (r->from_spare ? " (the instant snapshot's ready spare)" : " (a clone of the instant snapshot)") :
	    r->from_spare ? " (the cached template's ready spare)" : r->from_cache ? " (from the cached template)" : "");
	if (r->instant)
		log_plain("  contents  the instant snapshot's database, %s\n", size);
	else
		log_plain("  contents  %s, %s\n", counts_text(r->tables, r->rows, r->sequences, r->large_objects, counts,
		    sizeof(counts)), size);
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

/* "rows      public.users 200, public.orders 1000" from {"public.users": 200, ...}. */
static void
print_rows(const char *rows_json)
{
	json_object *rows = json_tokener_parse(rows_json);
	strbuf sb;

	if (!rows || !json_object_is_type(rows, json_type_object)) {
		json_object_put(rows);
		return;
	}
	sb_init(&sb);
	json_object_object_foreach(rows, table, n)
		sb_appendf(&sb, "%s%s %s", sb.len ? ", " : "", table, json_object_get_string(n));
	log_plain("  rows      %s\n", sb.len ? sb.data : "none");
	sb_free(&sb);
	json_object_put(rows);
}

void
fe_print_reset_summary(const reset_result *r)
{
	log_plain("reset \"%s\" in %.2f s%s\n", r->target, r->seconds,
	    r->from_spare ? " (the ready spare of the cached result)" :
	    r->from_cache ? " (a clone of the cached result)" : "");
	if (!r->from_cache)
		log_plain("  steps     create %.2f s, migrate %.2f s (%d applied), seed %.2f s, keep for --fast %.2f s, swap %.2f s\n",
		    r->t_create, r->t_migrate, r->migrations, r->t_seed, r->t_cache, r->t_swap);
	else
		log_plain("  steps     clone %.2f s, swap %.2f s\n", r->t_create, r->t_swap);
	if (r->rows_json)
		print_rows(r->rows_json);
	if (r->previous)
		log_plain("  previous  kept as \"%s\"\n", r->previous);
}

/* Seconds as a JSON number with millisecond precision ("2.604", not 2.6040000000000001). */
static json_object *
json_seconds(double seconds)
{
	char text[32];

	snprintf(text, sizeof(text), "%.3f", seconds > 0 ? seconds : 0.0);
	return json_object_new_double_s(seconds, text);
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
	json_object_object_add(o, "from_spare", json_object_new_boolean(r->from_spare));
	json_object_object_add(o, "instant", json_object_new_boolean(r->instant));
	json_object_object_add(o, "cached", json_object_new_boolean(r->cached));
	json_object_object_add(o, "migrations_applied", json_object_new_int(r->migrations));
	json_object_object_add(o, "tables", json_object_new_int64(r->tables));
	json_object_object_add(o, "rows", json_object_new_int64(r->rows));
	json_object_object_add(o, "sequences", json_object_new_int64(r->sequences));
	json_object_object_add(o, "large_objects", json_object_new_int64(r->large_objects));
	json_object_object_add(o, "bytes", json_object_new_int64(r->bytes));
	json_object_object_add(o, "seconds", json_seconds(r->seconds));
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
	json_object_object_add(o, "from_spare", json_object_new_boolean(r->from_spare));
	json_object_object_add(o, "cached", json_object_new_boolean(r->cached));
	json_object_object_add(o, "migrations_applied", json_object_new_int(r->migrations));
	json_object_object_add(o, "rows", rows);
	json_object_object_add(o, "seconds", json_seconds(r->seconds));
	return put_json(f, o);
}
