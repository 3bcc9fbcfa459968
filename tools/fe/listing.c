/*
 * listing.c — the tools' listings on stdout; see listing.h.
 */
#include "fe/listing.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "archive/snapdir.h"
#include "archive/snapname.h"
#include "fe/settings.h"
#include "util/format.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/term.h"

/* What "filters" of a meta says, as JSON: the patterns by kind, and -b. */
static json_object *
filters_json(const meta_filters *mf)
{
	json_object *o = json_object_new_object();

	for (int k = 0; k < MF_KINDS; k++) {
		json_object *arr = json_object_new_array();

		for (size_t i = 0; i < mf->n[k]; i++)
			json_object_array_add(arr, json_object_new_string(mf->patterns[k][i]));
		json_object_object_add(o, meta_filter_key((enum meta_filter_kind) k), arr);
	}
	json_object_object_add(o, "large_objects", json_object_new_boolean(mf->large_objects));
	return o;
}

char *
fe_filters_text(const meta_filters *mf)
{
	static const char *const options[MF_KINDS] = {"-t", "-T", "-n", "-N", "--exclude-table-data"};
	strbuf sb;
	char *text;

	sb_init(&sb);
	for (int k = 0; k < MF_KINDS; k++)
		for (size_t i = 0; i < mf->n[k]; i++) {
			char *word = fe_shell_word(mf->patterns[k][i]);

			sb_appendf(&sb, "%s%s %s", sb.len ? ", " : "", options[k], word);
			free(word);
		}
	if (mf->large_objects)
		sb_appendf(&sb, "%s-b", sb.len ? ", " : "");
	/* patterns come from an archive: one line of plain text */
	text = str_visible(sb.data);
	sb_free(&sb);
	return text;
}

static void
snapshots_json(FILE *f, const snapdir_entry *e, size_t n, time_t now)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		char when[32];

		snapname_iso8601(e[i].when, when, sizeof(when));
		json_object_object_add(o, "name", json_object_new_string(e[i].name));
		json_object_object_add(o, "kind", json_object_new_string(e[i].instant_path ? "instant" : "archive"));
		json_object_object_add(o, "file", json_object_new_string(e[i].file));
		json_object_object_add(o, "created_at", json_object_new_string(when));
		json_object_object_add(o, "age_seconds", json_object_new_int64((int64_t) (now - e[i].when)));
		json_object_object_add(o, "archive", e[i].tar_path ? json_object_new_string(e[i].tar_path) : NULL);
		json_object_object_add(o, "meta", e[i].meta_path ? json_object_new_string(e[i].meta_path) : NULL);
		if (e[i].instant_path) {
			const instant_marker *m = &e[i].instant;

			json_object_object_add(o, "marker", json_object_new_string(e[i].instant_path));
			/* an instant snapshot's size is its database's on the server */
			json_object_object_add(o, "size_bytes", json_object_new_int64(m->bytes));
			json_object_object_add(o, "database", json_object_new_string(m->database));
			json_object_object_add(o, "host", m->host ? json_object_new_string(m->host) : NULL);
			json_object_object_add(o, "git_branch", m->git_branch ? json_object_new_string(m->git_branch) : NULL);
			json_object_object_add(o, "template", json_object_new_string(m->template_db));
		} else {
			json_object_object_add(o, "size_bytes", e[i].tar_bytes >= 0 ?
			    json_object_new_int64(e[i].tar_bytes) : NULL);
		}
		if (e[i].has_meta) {
			const meta_doc *m = &e[i].meta;
			meta_totals t;

			meta_totals_of(m, &t);
			json_object_object_add(o, "database", json_object_new_string(m->src_database));
			json_object_object_add(o, "host", m->src_host ? json_object_new_string(m->src_host) : NULL);
			json_object_object_add(o, "git_branch", m->git_branch ? json_object_new_string(m->git_branch) : NULL);
			json_object_object_add(o, "tables", json_object_new_int64(t.tables));
			json_object_object_add(o, "rows", json_object_new_int64(t.rows));
			json_object_object_add(o, "raw_bytes", json_object_new_int64(t.raw_bytes));
			json_object_object_add(o, "large_objects", json_object_new_int64(t.large_objects));
			/* db-snapshot -t -T -n -N --exclude-table-data -b, as given; null: everything */
			json_object_object_add(o, "filters", m->filters.present ? filters_json(&m->filters) : NULL);
			json_object_object_add(o, "data_excluded_tables", json_object_new_int64(t.data_excluded));
		}
		json_object_object_add(o, "valid", json_object_new_boolean((e[i].has_meta && e[i].tar_path) ||
		    e[i].instant_path));
		json_object_array_add(arr, o);
	}
	fprintf(f, "%s\n", json_object_to_json_string_ext(arr,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
}

char *
fe_shell_word(const char *s)
{
	strbuf sb;

	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-+,:=@%") ==
	    strlen(s))
		return xstrdup(s);
	sb_init(&sb);
	sb_append_char(&sb, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			sb_append(&sb, "'\\''");
		else
			sb_append_char(&sb, *p);
	}
	sb_append_char(&sb, '\'');
	return sb_steal(&sb);
}

/* "no snapshots in DIR (db-snapshot [-o DIR] NAME takes one)": where it looked, how to make one. */
static void
print_no_snapshots(FILE *f, const char *dir)
{
	char *shown = str_visible(dir), *word = fe_shell_word(dir);
	bool default_dir = strcmp(dir, FE_DEFAULT_DIR) == 0;

	fprintf(f, "no snapshots in %s (db-snapshot %s%s%sNAME takes one)\n", shown, default_dir ? "" : "-o ",
	    default_dir ? "" : word, default_dir ? "" : " ");
	free(word);
	free(shown);
}

/* The list's columns, and the order they are given up in when a terminal is too narrow. */
enum {
	COL_NAME, COL_TIME, COL_AGE, COL_KIND, COL_DB, COL_BRANCH, COL_TABLES, COL_ROWS, COL_SIZE, COL_FILE, N_COLS
};
static const char *const col_title[N_COLS] = {"NAME", "TIME (UTC)", "AGE", "KIND", "DATABASE", "BRANCH",
	"TABLES", "ROWS", "SIZE", "FILE"};
static const bool col_right[N_COLS] = {false, false, true, false, false, false, true, true, true, false};
static const int col_drop[] = {COL_BRANCH, COL_DB, COL_ROWS, COL_TABLES, COL_TIME, COL_KIND, COL_AGE};
static const size_t col_max[N_COLS] = {0, 0, 0, 0, 30, 16, 0, 0, 0, 0};

/* One snapshot's cells (each allocated; the caller frees them). */
static void
snapshot_cells(const snapdir_entry *e, time_t now, char *cell[N_COLS], bool *filtered)
{
	char when[32], age[16], size[32];
	struct tm tm;
	meta_totals t = {0};

	*filtered = e->has_meta && e->meta.filters.present;
	gmtime_r(&e->when, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fmt_age((long long) (now - e->when), age, sizeof(age));
	if (e->instant_path)
		fmt_size((unsigned long long) e->instant.bytes, size, sizeof(size));
	else if (e->tar_bytes >= 0)
		fmt_size((unsigned long long) e->tar_bytes, size, sizeof(size));
	else
		snprintf(size, sizeof(size), "missing");
	cell[COL_NAME] = str_visible(e->name);
	cell[COL_TIME] = xstrdup(when);
	cell[COL_AGE] = xstrdup(age);
	cell[COL_SIZE] = xstrdup(size);
	cell[COL_FILE] = str_visible(e->file);
	/* an instant snapshot is a database on the server: its size there, no counts */
	cell[COL_KIND] = xstrdup(e->instant_path ? "instant" : "archive");
	if (e->instant_path) {
		cell[COL_DB] = str_visible(e->instant.database);
		cell[COL_BRANCH] = str_visible(e->instant.git_branch ? e->instant.git_branch : "-");
		cell[COL_TABLES] = xstrdup("-");
		cell[COL_ROWS] = xstrdup("-");
	} else if (e->has_meta) {
		meta_totals_of(&e->meta, &t);
		cell[COL_DB] = str_visible(e->meta.src_database);
		cell[COL_BRANCH] = str_visible(e->meta.git_branch ? e->meta.git_branch : "-");
		/* a filtered snapshot's table count is marked: not the whole database */
		cell[COL_TABLES] = xasprintf("%lld%s", (long long) t.tables, *filtered ? "*" : "");
		cell[COL_ROWS] = xasprintf("%lld", (long long) t.rows);
	} else {
		cell[COL_DB] = xstrdup("(unreadable)");
		cell[COL_BRANCH] = xstrdup("-");
		cell[COL_TABLES] = xstrdup("?");
		cell[COL_ROWS] = xstrdup("?");
	}
	for (int c = 0; c < N_COLS; c++)
		if (col_max[c] && strlen(cell[c]) > col_max[c])
			cell[c][col_max[c]] = '\0';
}

static void
print_row(FILE *f, char *const cell[N_COLS], const size_t width[N_COLS], const bool shown[N_COLS])
{
	bool first = true;

	for (int c = 0; c < N_COLS; c++) {
		if (!shown[c])
			continue;
		/* the last column is not padded */
		fprintf(f, "%s%*s", first ? "" : "  ", c == COL_FILE ? 0 : col_right[c] ? (int) width[c] :
		    -(int) width[c], cell[c]);
		first = false;
	}
	fputc('\n', f);
}

static void
print_snapshots(FILE *f, const snapdir_entry *e, size_t n, bool json, time_t now, const char *dir)
{
	char *(*cells)[N_COLS];
	bool *filtered, any_filtered = false, shown[N_COLS];
	size_t width[N_COLS], total = 0;
	int columns = term_columns(fileno(f));

	if (json) {
		snapshots_json(f, e, n, now);
		return;
	}
	if (n == 0) {
		print_no_snapshots(f, dir);
		return;
	}
	cells = xcalloc(n, sizeof(*cells));
	filtered = xcalloc(n, sizeof(bool));
	for (int c = 0; c < N_COLS; c++) {
		width[c] = strlen(col_title[c]);
		shown[c] = true;
	}
	for (size_t i = 0; i < n; i++) {
		snapshot_cells(&e[i], now, cells[i], &filtered[i]);
		any_filtered = any_filtered || filtered[i];
		for (int c = 0; c < N_COLS; c++)
			if (strlen(cells[i][c]) > width[c])
				width[c] = strlen(cells[i][c]);
	}
	/* on a narrow terminal, columns are given up until a row fits (NAME, SIZE and FILE stay) */
	for (int c = 0; c < N_COLS; c++)
		total += width[c] + (c ? 2 : 0);
	for (size_t k = 0; columns > 0 && total > (size_t) columns - 1 && k < sizeof(col_drop) / sizeof(col_drop[0]); k++) {
		shown[col_drop[k]] = false;
		total -= width[col_drop[k]] + 2;
	}
	{
		char *title[N_COLS];

		for (int c = 0; c < N_COLS; c++)
			title[c] = (char *) col_title[c];
		print_row(f, title, width, shown);
	}
	for (size_t i = 0; i < n; i++) {
		print_row(f, cells[i], width, shown);
		if (filtered[i] && log_get_level() <= LOG_LEVEL_VERBOSE) {
			meta_totals t;
			char *text = fe_filters_text(&e[i].meta.filters);

			meta_totals_of(&e[i].meta, &t);
			fprintf(f, "%-*s  filters: %s", (int) width[COL_NAME], "", text);
			if (t.data_excluded > 0)
				fprintf(f, " (%lld table%s without data)", (long long) t.data_excluded,
				    t.data_excluded == 1 ? "" : "s");
			fprintf(f, "\n");
			free(text);
		}
		for (int c = 0; c < N_COLS; c++)
			free(cells[i][c]);
	}
	free(cells);
	free(filtered);
	if (any_filtered && log_get_level() > LOG_LEVEL_VERBOSE)
		fprintf(f, "* filtered (-t, -T, -n, -N, --exclude-table-data): -v shows the filters\n");
}

int
fe_list_snapshots(FILE *f, const char *dir, bool json)
{
	snapdir_entry *e;
	size_t n;

	if (snapdir_scan(dir, &e, &n) < 0)
		return -1;
	print_snapshots(f, e, n, json, time(NULL), dir);
	snapdir_free(e, n);
	if (fflush(f) != 0) {
		log_error("could not write the list: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * What a template was made from, in a few words: the archive's file name for
 * db-restore; for db-reset "reset of \"DB\": users=10, orders=50" from its
 * label (the inputs as JSON), else the label as it is.  Caller frees.
 */
static char *
template_source(const tcache_entry *e)
{
	json_object *label = strcmp(e->kind, "reset") == 0 ? json_tokener_parse(e->label) : NULL;
	json_object *target = NULL, *counts = NULL, *seeds = NULL;
	strbuf sb;
	char *text;

	if (!label || !json_object_is_type(label, json_type_object)) {
		json_object_put(label);
		return str_visible(e->label);
	}
	sb_init(&sb);
	if (json_object_object_get_ex(label, "target", &target))
		sb_appendf(&sb, "reset of \"%s\"", json_object_get_string(target));
	else
		sb_append(&sb, "reset");
	if (json_object_object_get_ex(label, "seeds", &seeds) && json_object_is_type(seeds, json_type_string))
		sb_appendf(&sb, ", seeds: %s", json_object_get_string(seeds));
	else if (json_object_object_get_ex(label, "counts", &counts) &&
	    json_object_is_type(counts, json_type_object) && json_object_object_length(counts) > 0) {
		const char *sep = ": ";

		json_object_object_foreach(counts, k, v) {
			sb_appendf(&sb, "%s%s=%s", sep, k, json_object_get_string(v));
			sep = ", ";
		}
	}
	json_object_put(label);
	text = str_visible(sb.data);
	sb_free(&sb);
	return text;
}

void
fe_print_snapshot(const snapdir_entry *e, time_t now)
{
	char when[32], age[16], size[32];
	struct tm tm;
	char *name = str_visible(e->name);

	gmtime_r(&e->when, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fmt_age((long long) (now - e->when), age, sizeof(age));
	log_plain_always("snapshot \"%s\", taken %s UTC (%s ago)\n", name, when, age);
	if (e->has_meta) {
		meta_totals t;
		char *db = str_visible(e->meta.src_database);

		meta_totals_of(&e->meta, &t);
		fmt_size((unsigned long long) (e->tar_bytes > 0 ? e->tar_bytes : 0), size, sizeof(size));
		log_plain_always("  from      database \"%s\"\n", db);
		log_plain_always("  contents  %lld tables, %lld rows, %s\n", (long long) t.tables, (long long) t.rows,
		    e->tar_path ? size : "no archive");
		free(db);
	}
	if (e->instant_path) {
		char *db = str_visible(e->instant.database), *tmpl = str_visible(e->instant.template_db);

		fmt_size((unsigned long long) e->instant.bytes, size, sizeof(size));
		log_plain_always("  from      database \"%s\"\n", db);
		log_plain_always("  contents  instant: database \"%s\" on the server (%s)\n", tmpl, size);
		free(db);
		free(tmpl);
	}
	for (int k = 0; k < 3; k++) {
		const char *path = k == 0 ? e->tar_path : k == 1 ? e->meta_path : e->instant_path;
		char *shown = path ? str_visible(path) : NULL;

		if (shown)
			log_plain_always("  file      %s\n", shown);
		free(shown);
	}
	free(name);
}

/* The spare of template t among s: "ready", "building", "unfinished" (a killed builder's), or NULL. */
static const char *
spare_state(const tcache_entry *t, const spare_entry *s, size_t ns, int64_t *bytes)
{
	const spare_entry *sp = spare_of(t, s, ns);

	*bytes = sp ? sp->bytes : 0;
	return !sp ? NULL : sp->ready ? "ready" : sp->building ? "building" : "unfinished";
}

void
fe_print_spare_log(FILE *f, const char *path)
{
	FILE *in = fopen(path, "r");
	char line[1024], last[1024] = "";

	if (!in)
		return;
	while (fgets(line, sizeof(line), in))
		memcpy(last, line, sizeof(last));
	fclose(in);
	if (last[0]) {
		char *vis;

		last[strcspn(last, "\n")] = '\0';
		vis = str_visible(last);
		fprintf(f, "spares' log %s; last: %s\n", path, vis);
		free(vis);
	}
}

void
fe_print_templates(FILE *f, const tcache_entry *v, size_t n, const spare_entry *s, size_t ns, bool json,
    time_t now)
{
	int64_t total = 0;
	char size_all[32];

	if (json) {
		json_object *arr = json_object_new_array();

		for (size_t i = 0; i < n; i++) {
			json_object *o = json_object_new_object();
			char when[32];

			json_object_object_add(o, "database", json_object_new_string(v[i].db));
			json_object_object_add(o, "kind", json_object_new_string(v[i].kind));
			json_object_object_add(o, "key", json_object_new_string(v[i].key));
			json_object_object_add(o, "label", json_object_new_string(v[i].label));
			snapname_iso8601(v[i].created, when, sizeof(when));
			json_object_object_add(o, "created_at", json_object_new_string(when));
			snapname_iso8601(v[i].used, when, sizeof(when));
			json_object_object_add(o, "last_used_at", json_object_new_string(when));
			json_object_object_add(o, "bytes", json_object_new_int64(v[i].bytes));
			{
				int64_t sb;
				const char *state = spare_state(&v[i], s, ns, &sb);

				json_object_object_add(o, "spare", state ? json_object_new_string(state) : NULL);
				json_object_object_add(o, "spare_bytes", json_object_new_int64(sb));
			}
			json_object_array_add(arr, o);
		}
		fprintf(f, "%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
		return;
	}
	if (n == 0) {
		fprintf(f, "no cached templates\n");
		return;
	}
	fprintf(f, "%-32s %-8s %-10s %-10s %9s  %-10s  %s\n", "TEMPLATE", "KIND", "CREATED", "LAST USED",
	    "SIZE", "SPARE", "FROM");
	for (size_t i = 0; i < n; i++) {
		char created[32], used[32], size[32];
		char *label = template_source(&v[i]);
		int columns = term_columns(fileno(f));
		int width = columns > 0 ? columns - 1 - (32 + 1 + 8 + 1 + 10 + 1 + 10 + 1 + 9 + 2 + 10 + 2) : 0;
		int64_t sb;
		const char *state = spare_state(&v[i], s, ns, &sb);

		fmt_age((long long) (now - v[i].created), created, sizeof(created));
		fmt_age((long long) (now - v[i].used), used, sizeof(used));
		fmt_size((unsigned long long) v[i].bytes, size, sizeof(size));
		/* on a terminal the source is cut to fit (--json has it whole) */
		if (width > 3 && strlen(label) > (size_t) width)
			strcpy(label + width - 3, "...");
		fprintf(f, "%-32s %-8s %-10s %-10s %9s  %-10s  %s\n", v[i].db, v[i].kind, created, used, size,
		    state ? state : "-", label);
		free(label);
		total += v[i].bytes + sb;
	}
	fmt_size((unsigned long long) total, size_all, sizeof(size_all));
	fprintf(f, "%zu template%s, %s in all (spares included)\n", n, n == 1 ? "" : "s", size_all);
}


void
fe_print_migrations(FILE *f, const migrate_state *st)
{
	fprintf(f, "migrations: %zu applied, %zu pending%s%s\n", st->applied, st->pending,
	    st->head ? ", head " : "", st->head ? st->head : "");
	for (size_t i = 0; i < st->n_pending_names; i++)
		fprintf(f, "  pending: %s\n", st->pending_names[i]);
	for (size_t i = 0; i < st->n_changed; i++)
		fprintf(f, "  changed since applied: %s\n", st->changed[i]);
	for (size_t i = 0; i < st->n_gaps; i++)
		fprintf(f, "  pending but older than the head: %s\n", st->gaps[i]);
	for (size_t i = 0; i < st->n_missing; i++)
		fprintf(f, "  applied but no longer in the directory: %s\n", st->missing[i]);
}

int
fe_print_reset_status(FILE *f, const reset_state *st, const char *migrations_command)
{
	fprintf(f, "database %s\n", st->database);
	if (st->have_migrations)
		fe_print_migrations(f, &st->migrations);
	if (st->have_migrations && st->migrations.pending > 0 && st->migrations.n_changed == 0 &&
	    st->migrations.n_gaps == 0 && st->migrations.n_missing == 0)
		fprintf(f, "  apply them in place: db-reset --migrate (or rebuild: db-reset)\n");
	else if (migrations_command)
		fprintf(f, "migrations: run by a command (%s); not tracked by db-reset\n", migrations_command);
	else
		fprintf(f, "migrations: none configured\n");
	if (st->seeded_at)
		fprintf(f, "last seed: %s, counts %s, rng_seed %s, %s; rows %s\n", st->seeded_at, st->counts,
		    st->rng_seed, st->status, st->rows);
	else if (st->seed_table == 0)
		fprintf(f, "last seed: none recorded\n");
	return fflush(f) == 0 ? 0 : -1;
}

dbt_status
fe_print_instant(FILE *f, const char *path, bool json)
{
	instant_marker m;
	dbt_status rc = instant_read(path, &m);
	char when[32], age[32], size[32];
	char *name, *src, *host, *tmpl, *text;
	struct tm tm;

	if (rc != DBT_OK)
		return rc;
	if (json) {
		text = instant_to_json(&m);
		fprintf(f, "%s", text);
		free(text);
	} else {
		gmtime_r(&m.created_at, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		fmt_age((long long) (time(NULL) - m.created_at), age, sizeof(age));
		fmt_size((unsigned long long) m.bytes, size, sizeof(size));
		name = str_visible(m.name);
		src = str_visible(m.database);
		host = str_visible(m.host ? m.host : "local");
		tmpl = str_visible(m.template_db);
		fprintf(f, "instant    %s\n", path);
		fprintf(f, "snapshot   \"%s\", taken %s (%s ago)\n", name, when, age);
		fprintf(f, "source     database \"%s\" on %s:%s, PostgreSQL %s\n", src, host, m.port ? m.port : "",
		    m.server_version ? m.server_version : "?");
		fprintf(f, "contents   database \"%s\" on that server, owned by \"%s\" (%s when taken)\n", tmpl,
		    m.user, size);
		free(name);
		free(src);
		free(host);
		free(tmpl);
	}
	instant_free(&m);
	return fflush(f) == 0 ? DBT_OK : DBT_FAILED;
}

int
fe_print_contents(FILE *f, const char *path, int64_t archive_bytes, const meta_doc *m, bool json,
    time_t now)
{
	meta_totals t;
	char when[32], age[32], size[32], raw[32], stored[32];
	char *name, *src, *host, *port, *text;
	struct tm tm;
	size_t width = 5;

	if (json) {
		text = meta_to_json(m);
		fprintf(f, "%s", text);
		free(text);
		return fflush(f) == 0 ? 0 : -1;
	}
	meta_totals_of(m, &t);
	gmtime_r(&m->created_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fmt_age((long long) (now - m->created_at), age, sizeof(age));
	fmt_size((unsigned long long) archive_bytes, size, sizeof(size));
	fmt_size((unsigned long long) t.raw_bytes, raw, sizeof(raw));
	/* what an archive says is untrusted text: shown as plain text */
	name = str_visible(m->name);
	src = str_visible(m->src_database ? m->src_database : "");
	host = str_visible(m->src_host ? m->src_host : "local");
	port = str_visible(m->src_port ? m->src_port : "");
	fprintf(f, "archive    %s (%s, %s level %d, format %d)\n", path, size, m->codec, m->compression_level,
	    m->format_version);
	fprintf(f, "snapshot   \"%s\", taken %s (%s ago)\n", name, when, age);
	fprintf(f, "source     database \"%s\" on %s:%s, PostgreSQL %s\n", src, host, port,
	    m->server_version ? m->server_version : "?");
	if (m->git_branch || m->git_commit) {
		char *b = str_visible(m->git_branch ? m->git_branch : "?");
		char *c = str_visible(m->git_commit ? m->git_commit : "?");

		fprintf(f, "git        branch %s @ %.12s\n", b, c);
		free(b);
		free(c);
	}
	if (m->migration_head) {
		char *h = str_visible(m->migration_head);

		fprintf(f, "migration  head %s\n", h);
		free(h);
	}
	if (m->filters.present && (text = fe_filters_text(&m->filters))) {
		fprintf(f, "filters    %s\n", text);
		free(text);
	}
	fprintf(f, "contents   %lld table%s, %lld row%s, %s of data; %zu sequence%s; %lld large object%s\n",
	    (long long) t.tables, t.tables == 1 ? "" : "s", (long long) t.rows, t.rows == 1 ? "" : "s", raw,
	    m->n_sequences, m->n_sequences == 1 ? "" : "s", (long long) t.large_objects,
	    t.large_objects == 1 ? "" : "s");
	for (size_t i = 0; i < m->n_tables; i++) {
		size_t w = strlen(m->tables[i].schema) + 1 + strlen(m->tables[i].name);

		if (w > width)
			width = w;
	}
	if (width > 48)
		width = 48;
	if (m->n_tables > 0)
		fprintf(f, "\n%-*s %12s %10s %10s %7s\n", (int) width, "TABLE", "ROWS", "DATA", "STORED", "MEMBERS");
	for (size_t i = 0; i < m->n_tables; i++) {
		const meta_table *mt = &m->tables[i];
		char *qual = xasprintf("%s.%s", mt->schema, mt->name);
		char *vis = str_visible(qual);

		fmt_size((unsigned long long) mt->raw_bytes, raw, sizeof(raw));
		fmt_size((unsigned long long) mt->stored_bytes, stored, sizeof(stored));
		fprintf(f, "%-*s %12lld %10s %10s %7zu\n", (int) width, vis, (long long) mt->rows, raw, stored,
		    mt->n_members);
		free(vis);
		free(qual);
	}
	if (m->n_sequences > 0)
		fprintf(f, "\n%-*s %12s %s\n", (int) width, "SEQUENCE", "LAST VALUE", "CALLED");
	for (size_t i = 0; i < m->n_sequences; i++) {
		char *qual = xasprintf("%s.%s", m->sequences[i].schema, m->sequences[i].name);
		char *vis = str_visible(qual);

		fprintf(f, "%-*s %12lld %s\n", (int) width, vis, (long long) m->sequences[i].last_value,
		    m->sequences[i].is_called ? "yes" : "no");
		free(vis);
		free(qual);
	}
	free(name);
	free(src);
	free(host);
	free(port);
	return fflush(f) == 0 ? 0 : -1;
}
