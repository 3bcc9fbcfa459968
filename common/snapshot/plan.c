/*
 * plan.c — a snapshot's work: the tables' members, cut into ctid ranges
 * where that pays, largest first.  See job.h.
 */
#include "snapshot/job.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg/conn.h"
#include "util/log.h"
#include "util/strbuf.h"

char *
snapshot_member_name(size_t index, const char *schema, const char *table, int part,
    const char *extension)
{
	strbuf sb;
	const char *parts[2] = {schema, table};

	sb_init(&sb);
	sb_appendf(&sb, "data/%04zu_", index);
	for (int k = 0; k < 2; k++) {
		size_t n = 0;

		if (k)
			sb_append_char(&sb, '.');
		for (const char *p = parts[k]; *p && n < 48; p++, n++) {
			unsigned char c = (unsigned char) *p;

			sb_append_char(&sb, (c < 128 && (c == '_' || c == '-' ||
			    (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			    ? (char) c : '_');
		}
	}
	if (part > 0)
		sb_appendf(&sb, ".part%03d", part);
	sb_append(&sb, extension);
	return sb_steal(&sb);
}

static int
cmp_items(const void *a, const void *b)
{
	const work_item *x = a, *y = b;

	if (x->est_bytes != y->est_bytes)
		return x->est_bytes < y->est_bytes ? 1 : -1;
	return x->table < y->table ? -1 : x->table > y->table;
}

uint64_t
plan_chunk_bytes(uint64_t total_bytes, int jobs, bool spread)
{
	uint64_t share = jobs > 0 ? total_bytes / (uint64_t) jobs : total_bytes;

	if (spread)
		return PLAN_CHUNK_BYTES;
	return share > PLAN_CHUNK_BYTES ? share : PLAN_CHUNK_BYTES;
}

int
plan_table_parts(uint64_t heap_bytes, uint64_t chunk_bytes)
{
	uint64_t want;

	if (chunk_bytes == 0 || heap_bytes <= chunk_bytes)
		return 1;
	want = (heap_bytes + chunk_bytes - 1) / chunk_bytes;
	return want > PLAN_MAX_CHUNKS ? PLAN_MAX_CHUNKS : (int) want;
}

/*
 * Splitting a table needs TID range scans (PostgreSQL 14+) and more than one
 * worker.  It costs server work: a range scan goes through the shared buffer
 * pool instead of the small ring a whole-table COPY uses, and each range is
 * a query of its own.  Where CPUs are plentiful (at least two per worker: a
 * worker and its backend keep about two busy) or the server is elsewhere,
 * large tables are cut into PLAN_CHUNK_BYTES ranges so that the workers
 * finish together.  Otherwise the CPUs are busy anyway, and only a table
 * larger than a worker's fair share of the whole is cut, into pieces of
 * about that share: one table holding most of the data would otherwise
 * leave one backend producing while the other worker idles.  Returns the
 * chunk size, or 0 for tables copied whole.
 */
static uint64_t
split_chunk_bytes(const job *j, const catalog_db *db)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t total = 0;

	if (j->o->split == WHEN_ALWAYS && db->server_version_num < 140000)
		log_warning("--split=always: tables are copied whole, since splitting them needs "
		    "PostgreSQL 14 or newer (the server runs %d)", db->server_version_num / 10000);
	else if (j->o->split == WHEN_ALWAYS && j->o->jobs < 2)
		log_warning("--split=always: tables are copied whole, since splitting them needs -j 2 or more");
	if (j->o->split == WHEN_NEVER || j->o->jobs < 2 || db->server_version_num < 140000 ||
	    db->block_size == 0)
		return 0;
	for (size_t i = 0; i < j->n_tables; i++)
		if (!j->tables[i].data_excluded)
			total += j->tables[i].heap_bytes + j->tables[i].toast_bytes;
	return plan_chunk_bytes(total, j->o->jobs, j->o->split == WHEN_ALWAYS ||
	    !conn_is_local(j->main) || ncpu >= 2L * j->o->jobs);
}

/* Fill meta.tables from the catalog and cut the work into items, largest first. */
uint64_t
plan(job *j, const catalog_db *db)
{
	uint64_t chunk = split_chunk_bytes(j, db);
	uint64_t total = 0;
	size_t cap = j->n_tables + 1;

	j->meta.n_tables = j->n_tables;
	j->meta.tables = xcalloc(j->n_tables ? j->n_tables : 1, sizeof(meta_table));
	j->parts_left = xcalloc(j->n_tables ? j->n_tables : 1, sizeof(atomic_int));
	j->items = xcalloc(cap, sizeof(work_item));
	for (size_t i = 0; i < j->n_tables; i++) {
		catalog_table *ct = &j->tables[i];
		meta_table *t = &j->meta.tables[i];
		uint64_t blocks = ct->heap_bytes / db->block_size;
		int nparts = ct->data_excluded ? 0 : ct->n_columns > 0 ? plan_table_parts(ct->heap_bytes, chunk) : 1;

		t->schema = xstrdup(ct->schema);
		t->name = xstrdup(ct->name);
		t->kind = xstrdup(ct->kind);
		t->n_columns = ct->n_columns;
		t->columns = strv_dup(ct->columns, ct->n_columns);
		/* --exclude-table-data: in the meta, without members, so that the restore knows why */
		t->data_excluded = ct->data_excluded;
		atomic_init(&j->parts_left[i], nparts);
		if (ct->data_excluded)
			continue;
		j->n_data_tables++;
		t->n_members = (size_t) nparts;
		t->members = xcalloc((size_t) nparts, sizeof(meta_member));
		if (j->n_items + (size_t) nparts + 1 > cap) {
			cap = (j->n_items + (size_t) nparts + 1) * 2;
			j->items = xrealloc(j->items, cap * sizeof(work_item));
		}
		for (int p = 0; p < nparts; p++) {
			work_item *it = &j->items[j->n_items++];
			uint64_t step = (blocks + (uint64_t) nparts - 1) / (uint64_t) nparts;

			memset(it, 0, sizeof(*it));
			it->table = (long) i;
			if (nparts == 1) {
				it->part = 0;
				it->est_bytes = ct->heap_bytes + ct->toast_bytes;
			} else {
				it->part = p + 1;
				it->blk_from = (uint32_t) (step * (uint64_t) p);
				it->blk_to = p + 1 == nparts ? 0 : (uint32_t) (step * (uint64_t) (p + 1));
				it->est_bytes = (ct->heap_bytes + ct->toast_bytes) / (uint64_t) nparts;
			}
			t->members[p].member = snapshot_member_name(i + 1, ct->schema, ct->name,
			    it->part, j->codec->extension);
		}
		total += ct->heap_bytes + ct->toast_bytes;
	}
	sort_items(j);
	return total;
}

void
sort_items(job *j)
{
	qsort(j->items, j->n_items, sizeof(work_item), cmp_items);
}
