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
#include "util/format.h"
#include "util/log.h"
#include "util/strbuf.h"

static void
snapshots_json(FILE *f, const snapdir_entry *e, size_t n, time_t now)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		char when[32];

		snapname_iso8601(e[i].when, when, sizeof(when));
		json_object_object_add(o, "name", json_object_new_string(e[i].name));
		json_object_object_add(o, "created_at", json_object_new_string(when));
		json_object_object_add(o, "age_seconds", json_object_new_int64((int64_t) (now - e[i].when)));
		json_object_object_add(o, "archive", e[i].tar_path ? json_object_new_string(e[i].tar_path) : NULL);
		json_object_object_add(o, "meta", e[i].meta_path ? json_object_new_string(e[i].meta_path) : NULL);
		json_object_object_add(o, "size_bytes", json_object_new_int64(e[i].tar_bytes));
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
		}
		json_object_object_add(o, "valid", json_object_new_boolean(e[i].has_meta && e[i].tar_path));
		json_object_array_add(arr, o);
	}
	fprintf(f, "%s\n", json_object_to_json_string_ext(arr,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
}

static void
print_snapshots(FILE *f, const snapdir_entry *e, size_t n, bool json, time_t now)
{
	size_t wname = 4, wdb = 8;

	if (json) {
		snapshots_json(f, e, n, now);
		return;
	}
	if (n == 0) {
		fprintf(f, "no snapshots\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(e[i].name);

		wname = l > wname ? l : wname;
		if (e[i].has_meta) {
			char *db = str_visible(e[i].meta.src_database);

			wdb = strlen(db) > wdb ? strlen(db) : wdb;
			free(db);
		}
	}
	if (wdb > 30)
		wdb = 30;
	fprintf(f, "%-*s  %-19s  %6s  %-*s  %-16s  %6s  %12s  %9s\n", (int) wname, "NAME", "TIME (UTC)",
	    "AGE", (int) wdb, "DATABASE", "BRANCH", "TABLES", "ROWS", "SIZE");
	for (size_t i = 0; i < n; i++) {
		char when[32], age[16], size[32];
		struct tm tm;
		meta_totals t = {0};
		char *db = NULL, *branch = NULL;

		gmtime_r(&e[i].when, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		fmt_age((long long) (now - e[i].when), age, sizeof(age));
		if (e[i].tar_bytes >= 0)
			fmt_size((unsigned long long) e[i].tar_bytes, size, sizeof(size));
		else
			snprintf(size, sizeof(size), "missing");
		if (e[i].has_meta) {
			meta_totals_of(&e[i].meta, &t);
			db = str_visible(e[i].meta.src_database);
			if (e[i].meta.git_branch)
				branch = str_visible(e[i].meta.git_branch);
		}
		if (e[i].has_meta)
			fprintf(f, "%-*s  %-19s  %6s  %-*.*s  %-16.16s  %6lld  %12lld  %9s\n", (int) wname,
			    e[i].name, when, age, (int) wdb, (int) wdb, db, branch ? branch : "-",
			    (long long) t.tables, (long long) t.rows, size);
		else
			fprintf(f, "%-*s  %-19s  %6s  %-*.*s  %-16.16s  %6s  %12s  %9s\n", (int) wname,
			    e[i].name, when, age, (int) wdb, (int) wdb, "?", "-", "?", "?", size);
		free(db);
		free(branch);
	}
}

int
fe_list_snapshots(FILE *f, const char *dir, bool json)
{
	snapdir_entry *e;
	size_t n;

	if (snapdir_scan(dir, &e, &n) < 0)
		return -1;
	print_snapshots(f, e, n, json, time(NULL));
	snapdir_free(e, n);
	if (fflush(f) != 0) {
		log_error("could not write the list: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void
fe_print_templates(FILE *f, const tcache_entry *v, size_t n, bool json, time_t now)
{
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
	fprintf(f, "%-32s %-8s %-10s %-10s %9s  %s\n", "TEMPLATE", "KIND", "CREATED", "LAST USED",
	    "SIZE", "FROM");
	for (size_t i = 0; i < n; i++) {
		char created[32], used[32], size[32];
		char *label = str_visible(v[i].label);

		fmt_age((long long) (now - v[i].created), created, sizeof(created));
		fmt_age((long long) (now - v[i].used), used, sizeof(used));
		fmt_size((unsigned long long) v[i].bytes, size, sizeof(size));
		fprintf(f, "%-32s %-8s %-10s %-10s %9s  %s\n", v[i].db, v[i].kind, created, used, size,
		    label);
		free(label);
	}
}


void
fe_print_migrations(FILE *f, const migrate_state *st)
{
	fprintf(f, "migrations: %zu applied, %zu pending%s%s\n", st->applied, st->pending,
	    st->head ? ", head " : "", st->head ? st->head : "");
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
