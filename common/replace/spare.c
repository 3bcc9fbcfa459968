/*
 * spare.c — the ready spare of a cached template; see spare.h.
 */
#define _GNU_SOURCE
#include "replace/spare.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pg/conn.h"
#include "pg/dbadmin.h"
#include "util/format.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/monotime.h"

#define SPARE_COMMENT_TAG "db-tools spare 1 "
#define STOP_WAIT_MS 5000
/* the least the server's disk keeps free after a spare: 1 GiB, or a tenth of it when more */
#define MARGIN_MIN (1LL << 30)

/* ioprio_set(2): glibc has no wrapper */
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_CLASS_SHIFT 13

char *
spare_name(const char *template_db)
{
	const char *suffix = strncmp(template_db, TC_PREFIX, strlen(TC_PREFIX)) == 0 ?
	    template_db + strlen(TC_PREFIX) : template_db;

	return xasprintf(SPARE_PREFIX "%s", suffix);
}

static bool
parse_comment(const char *c, spare_entry *e)
{
	long long tcreated, created;
	int off = 0;

	if (!c || strncmp(c, SPARE_COMMENT_TAG, strlen(SPARE_COMMENT_TAG)) != 0)
		return false;
	c += strlen(SPARE_COMMENT_TAG);
	if (sscanf(c, "key=%64s template_created=%lld created=%lld%n", e->key, &tcreated, &created, &off) != 3 ||
	    c[off] != '\0' || strspn(e->key, "0123456789abcdef") != HASH_HEX_LEN)
		return false;
	e->template_created = (time_t) tcreated;
	e->created = (time_t) created;
	return true;
}

/* The spares being built: their names, from the builders' sessions. */
static PGresult *
builders(PGconn *maint)
{
	const char *params[1] = {SPARE_APPNAME};

	return conn_query_params(maint, "SELECT pid, query FROM pg_catalog.pg_stat_activity"
	    " WHERE application_name = $1 AND usename = current_user"
	    "   AND pid <> pg_catalog.pg_backend_pid()", 1, params);
}

int
spare_stop_builders(PGconn *maint)
{
	const char *params[1] = {SPARE_APPNAME};
	double t0 = monotime();

	for (int round = 0;; round++) {
		PGresult *res = conn_query_params(maint,
		    "SELECT pg_catalog.pg_cancel_backend(pid) FROM pg_catalog.pg_stat_activity"
		    " WHERE application_name = $1 AND usename = current_user"
		    "   AND pid <> pg_catalog.pg_backend_pid()", 1, params);
		int n;
		struct timespec nap = {0, 20 * 1000 * 1000};

		if (!res)
			return -1;
		n = PQntuples(res);
		PQclear(res);
		if (n == 0)
			return 0;
		if (round == 0)
			log_verbose("stopping %d spare builder%s: this run needs the template cache", n, n == 1 ? "" : "s");
		if ((monotime() - t0) * 1000.0 > STOP_WAIT_MS) {
			log_warning("a spare builder did not stop within %d s; going on", STOP_WAIT_MS / 1000);
			return 0;
		}
		nanosleep(&nap, NULL);
	}
}

int
spare_list(PGconn *maint, bool with_size, spare_entry **out, size_t *n)
{
	dbadmin_info *dbs;
	size_t nd, k = 0;
	spare_entry *v;
	PGresult *b;

	*out = NULL;
	*n = 0;
	if (dbadmin_list(maint, SPARE_PREFIX, with_size, &dbs, &nd) < 0)
		return -1;
	if (!(b = builders(maint))) {
		dbadmin_info_free(dbs, nd);
		return -1;
	}
	v = xcalloc(nd + (size_t) PQntuples(b) + 1, sizeof(*v));
	for (size_t i = 0; i < nd; i++) {
		if (!dbs[i].owned)
			continue;
		memset(&v[k], 0, sizeof(v[k]));
		v[k].ready = parse_comment(dbs[i].comment, &v[k]);
		v[k].db = xstrdup(dbs[i].name);
		v[k].bytes = dbs[i].bytes;
		k++;
	}
	/* a builder's spare is not in pg_database until its CREATE DATABASE commits */
	for (int r = 0; r < PQntuples(b); r++) {
		const char *q = strstr(PQgetvalue(b, r, 1), SPARE_PREFIX);
		size_t len = q ? strspn(q, "abcdefghijklmnopqrstuvwxyz_0123456789") : 0;

		if (len == 0)
			continue;
		memset(&v[k], 0, sizeof(v[k]));
		v[k].db = xasprintf("%.*s", (int) len, q);
		v[k].building = true;
		k++;
	}
	PQclear(b);
	dbadmin_info_free(dbs, nd);
	*out = v;
	*n = k;
	return 0;
}

void
spare_free(spare_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].db);
	free(v);
}

/* Whether spare s was made of template t as t is now: its name, key and making. */
static bool
belongs(const spare_entry *s, const tcache_entry *t)
{
	char *name = spare_name(t->db);
	bool same = strcmp(name, s->db) == 0 && strcmp(t->key, s->key) == 0 && t->created == s->template_created;

	free(name);
	return same;
}

const spare_entry *
spare_of(const tcache_entry *t, const spare_entry *s, size_t n)
{
	char *name = spare_name(t->db);
	const spare_entry *found = NULL;

	for (size_t i = 0; i < n && !found; i++)
		if ((s[i].ready && belongs(&s[i], t)) || (s[i].building && strcmp(s[i].db, name) == 0))
			found = &s[i];
	/* else one a killed builder left under its name, undescribed */
	for (size_t i = 0; i < n && !found; i++)
		if (!s[i].ready && !s[i].building && strcmp(s[i].db, name) == 0)
			found = &s[i];
	free(name);
	return found;
}

/* Whether the template a spare was made of is still there as the spare knew it. */
static bool
has_template(const spare_entry *s, const tcache_entry *t, size_t nt)
{
	for (size_t i = 0; i < nt; i++)
		if (belongs(s, &t[i]))
			return true;
	return false;
}

int
spare_drop(PGconn *maint, bool all)
{
	spare_entry *s;
	tcache_entry *t;
	size_t ns, nt;
	int dropped = 0;

	if (spare_list(maint, false, &s, &ns) < 0)
		return -1;
	if (tcache_list(maint, NULL, false, &t, &nt) < 0) {
		spare_free(s, ns);
		return -1;
	}
	for (size_t i = 0; i < ns && dropped >= 0; i++) {
		/* being built: not in pg_database yet (its builder is stopped first) */
		if (s[i].building)
			continue;
		if (!all && s[i].ready && has_template(&s[i], t, nt))
			continue;
		log_verbose("dropping the spare \"%s\"%s", s[i].db, all ? "" : ": its template is gone or was made again");
		dropped = dbadmin_drop(maint, s[i].db) < 0 ? -1 : dropped + 1;
	}
	spare_free(s, ns);
	tcache_free(t, nt);
	return dropped;
}

/* The ready spare of the template for kind/key (its name in *spare_db, caller frees): 1, 0 when none, -1. */
static int
find_ready(PGconn *maint, const char *kind, const char *key, char **spare_db)
{
	tcache_entry *all;
	spare_entry *sp;
	size_t n, ns;

	*spare_db = NULL;
	if (tcache_list(maint, kind, false, &all, &n) < 0)
		return -1;
	if (spare_list(maint, false, &sp, &ns) < 0) {
		tcache_free(all, n);
		return -1;
	}
	for (size_t i = 0; i < n && !*spare_db; i++) {
		const spare_entry *s = strcmp(all[i].key, key) == 0 ? spare_of(&all[i], sp, ns) : NULL;

		if (s && s->ready)
			*spare_db = xstrdup(s->db);
	}
	tcache_free(all, n);
	spare_free(sp, ns);
	return *spare_db != NULL;
}

int
spare_ready(PGconn *maint, const char *kind, const char *key)
{
	char *db;
	int rc = find_ready(maint, kind, key, &db);

	free(db);
	return rc;
}

int
spare_take(PGconn *maint, const char *kind, const char *key, const char *into)
{
	char *db;
	int rc = find_ready(maint, kind, key, &db);

	/* a rename: whatever the size, the spare becomes the new database at once */
	if (rc == 1 && (dbadmin_rename(maint, db, into) < 0 || dbadmin_allow_connections(maint, into, true) < 0 ||
	    dbadmin_set_comment(maint, into, NULL, NULL, 0) < 0))
		rc = -1;
	free(db);
	return rc;
}

int
spare_or_clone(PGconn *maint, const char *kind, const char *key, const char *tmpl, bool try_spare,
    const char *into, enum opt_when progress, bool *took)
{
	int rc = try_spare ? spare_take(maint, kind, key, into) : 0;

	*took = rc == 1;
	if (rc < 0)
		return -1;
	if (*took) {
		log_info("took the ready spare of the cached template \"%s\"", tmpl);
		return 0;
	}
	log_info("cloning the cached template \"%s\"", tmpl);
	progress_start(progress, "cloning the cached template", NULL, 0, 0);
	return dbadmin_create(maint, into, tmpl, NULL, NULL, 0);
}

/* ---- deciding, and building in the background ---- */

/*
 * The free and total bytes of the server's data directory, when this
 * process can see it (a local server whose data_directory the role may
 * read); DB_TOOLS_SPARE_FREE_BYTES stands in for the free space (tests).
 */
static bool
server_disk(PGconn *maint, int64_t *free_bytes, int64_t *total_bytes)
{
	const char *sim = getenv("DB_TOOLS_SPARE_FREE_BYTES");
	struct statvfs st;
	char *dir;
	bool ok;

	if (sim && *sim) {
		*free_bytes = strtoll(sim, NULL, 10);
		*total_bytes = *free_bytes * 10;
		return true;
	}
	if (!conn_is_local(maint))
		return false;
	/* pg_settings leaves out what the role may not read (data_directory needs pg_read_all_settings) */
	dir = conn_query_value(maint, "SELECT (SELECT setting FROM pg_catalog.pg_settings"
	    " WHERE name = 'data_directory')", NULL);
	ok = dir && *dir && statvfs(dir, &st) == 0;
	if (ok) {
		*free_bytes = (int64_t) st.f_bavail * (int64_t) st.f_frsize;
		*total_bytes = (int64_t) st.f_blocks * (int64_t) st.f_frsize;
	}
	free(dir);
	return ok;
}

void
spare_request_free(spare_request *req)
{
	free(req->template_db);
	memset(req, 0, sizeof(*req));
}

int
spare_plan(PGconn *maint, const char *kind, const char *key, int64_t budget, spare_request *req)
{
	tcache_entry *all, *t = NULL;
	spare_entry *sp;
	size_t n, ns;
	int64_t used = 0, size, free_b, total_b;
	char s_size[32], s_budget[32], s_used[32];
	int rc = 0;

	memset(req, 0, sizeof(*req));
	if (budget <= 0)
		return 0;
	if (tcache_list(maint, kind, true, &all, &n) < 0)
		return -1;
	if (spare_list(maint, true, &sp, &ns) < 0) {
		tcache_free(all, n);
		return -1;
	}
	for (size_t i = 0; i < n && !t; i++)
		if (strcmp(all[i].key, key) == 0)
			t = &all[i];
	/* none to make when the template is gone, or its spare is ready or being built */
	if (!t || spare_of(t, sp, ns))
		goto out;
	for (size_t i = 0; i < ns; i++)
		used += sp[i].bytes;
	size = t->bytes;
	fmt_size((unsigned long long) size, s_size, sizeof(s_size));
	fmt_size((unsigned long long) budget, s_budget, sizeof(s_budget));
	fmt_size((unsigned long long) used, s_used, sizeof(s_used));
	if (used + size > budget) {
		log_info("no spare of the template kept: it would take %s, over the spares' budget of %s "
		    "(%s used; spare_budget, --spare-budget)", s_size, s_budget, s_used);
		goto out;
	}
	if (server_disk(maint, &free_b, &total_b)) {
		int64_t margin = total_b / 10 > MARGIN_MIN ? total_b / 10 : MARGIN_MIN;

		if (free_b - size < margin) {
			char s_free[32], s_margin[32];

			fmt_size((unsigned long long) free_b, s_free, sizeof(s_free));
			fmt_size((unsigned long long) margin, s_margin, sizeof(s_margin));
			log_info("no spare of the template kept: it would take %s of the server's %s free, "
			    "leaving less than %s", s_size, s_free, s_margin);
			goto out;
		}
	} else
		log_verbose("the server's free disk space is not visible from here: only the spares' "
		    "budget (%s) bounds the spare", s_budget);
	req->template_db = xstrdup(t->db);
	memcpy(req->key, t->key, sizeof(req->key));
	req->template_created = t->created;
	req->budget = budget;
	rc = 1;
out:
	tcache_free(all, n);
	spare_free(sp, ns);
	return rc;
}

/* The lowest CPU and I/O priority for process pid (0: this one); quietly nothing when not allowed. */
static void
lowest_priority(pid_t pid)
{
	(void) setpriority(PRIO_PROCESS, (id_t) pid, 19);
	(void) syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, (int) pid, IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT);
}

int
spare_build(const spare_request *req, char **line)
{
	char *target = dbadmin_target_name(req->conninfo);
	/* the maintenance database: a session on the target would stand in the next swap's way */
	PGconn *conn = target ? dbadmin_connect_maintenance(req->conninfo, target, SPARE_APPNAME) : NULL;
	char *spare = spare_name(req->template_db), *comment, *backend, size[32];
	char err[512] = "";
	double t0 = monotime();
	const char *delay_env = getenv("DB_TOOLS_SPARE_DELAY");
	int delay = delay_env ? atoi(delay_env) : 0, rc = -1;
	bool waited = true;

	*line = NULL;
	free(target);
	if (!conn) {
		*line = xasprintf("spare of %s: could not connect", req->template_db);
		free(spare);
		return -1;
	}
	/* the server makes the copy: its backend, too, at the lowest priority where that is allowed */
	if (conn_is_local(conn) && (backend = conn_query_value(conn, "SELECT pg_catalog.pg_backend_pid()", NULL))) {
		lowest_priority((pid_t) atoi(backend));
		free(backend);
	}
	/* DB_TOOLS_SPARE_DELAY: a builder that waits first, as a slow copy would (tests) */
	if (delay > 0) {
		char sql[64];
		PGresult *res;

		snprintf(sql, sizeof(sql), "SELECT pg_catalog.pg_sleep(%d)", delay);
		res = PQexec(conn, sql);
		waited = PQresultStatus(res) == PGRES_TUPLES_OK;
		if (!waited)
			snprintf(err, sizeof(err), "%s", PQerrorMessage(conn));
		PQclear(res);
	}
	/* a stale one (its template made again) goes; CREATE DATABASE then makes it whole or not at all */
	if (waited && dbadmin_drop(conn, spare) == 0 &&
	    dbadmin_create(conn, spare, req->template_db, NULL, err, sizeof(err)) == 0 &&
	    dbadmin_allow_connections(conn, spare, false) == 0) {
		comment = xasprintf(SPARE_COMMENT_TAG "key=%s template_created=%lld created=%lld", req->key,
		    (long long) req->template_created, (long long) time(NULL));
		rc = dbadmin_set_comment(conn, spare, comment, err, sizeof(err));
		free(comment);
	}
	if (rc == 0) {
		dbadmin_info *d;
		size_t nd;

		size[0] = '\0';
		if (dbadmin_list(conn, spare, true, &d, &nd) == 0 && nd > 0)
			fmt_size((unsigned long long) d[0].bytes, size, sizeof(size));
		if (nd > 0 || d)
			dbadmin_info_free(d, nd);
		*line = xasprintf("spare %s of %s: ready in %.1f s (%s)", spare, req->template_db, monotime() - t0,
		    size);
	} else {
		/* cancelled or failed: nothing of it stays (a CREATE rolled back, or dropped here) */
		(void) dbadmin_drop(conn, spare);
		*line = xasprintf("spare %s of %s: not made: %s", spare, req->template_db,
		    err[0] ? err : PQerrorMessage(conn));
		for (char *c = *line; *c; c++)
			if (*c == '\n')
				*c = ' ';
	}
	PQfinish(conn);
	free(spare);
	return rc;
}

/* Append "<UTC time> text" to path. */
static void
log_line(const char *path, const char *text)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	int fd;

	if (!path || !text)
		return;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dprintf(fd, "%s %s\n", when, text);
		close(fd);
	}
}

int
spare_launch(const spare_request *req)
{
	pid_t pid = fork(), status_pid;
	int status;

	if (pid < 0) {
		log_warning("could not start the spare builder: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* the first child: a session of its own, and a grandchild that nobody waits for */
		sigset_t all;
		int null;

		sigfillset(&all);
		pthread_sigmask(SIG_UNBLOCK, &all, NULL);
		for (int s = 1; s < NSIG; s++)
			if (s != SIGKILL && s != SIGSTOP)
				signal(s, SIG_DFL);
		signal(SIGPIPE, SIG_IGN);
		if (setsid() < 0 || (pid = fork()) < 0)
			_exit(1);
		if (pid > 0)
			_exit(0);
		if ((null = open("/dev/null", O_RDWR)) >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
			if (null > STDERR_FILENO)
				close(null);
		}
		lowest_priority(0);
		{
			char *line = NULL;
			int rc = spare_build(req, &line);

			log_line(req->log_path, line);
			free(line);
			_exit(rc == 0 ? 0 : 1);
		}
	}
	/* the first child exits as soon as the builder is on its own */
	do
		status_pid = waitpid(pid, &status, 0);
	while (status_pid < 0 && errno == EINTR);
	return 0;
}

int
spare_prepare(PGconn *maint, const char *kind, const char *key)
{
	if (spare_stop_builders(maint) < 0 || spare_drop(maint, false) < 0)
		return -1;
	return spare_ready(maint, kind, key);
}

void
spare_offer(const char *conninfo, const char *kind, const char *key, int64_t budget, const char *log_path)
{
	char *target;
	PGconn *maint;
	spare_request req;

	if (budget <= 0 || !(target = dbadmin_target_name(conninfo)))
		return;
	maint = dbadmin_connect_maintenance(conninfo, target, "db-tools");
	free(target);
	if (maint && spare_plan(maint, kind, key, budget, &req) == 1) {
		req.conninfo = conninfo;
		req.log_path = log_path;
		if (spare_launch(&req) == 0)
			log_info("a spare of the template is being made in the background%s%s", log_path ? "; see " : "",
			    log_path ? log_path : "");
		spare_request_free(&req);
	}
	PQfinish(maint);
}
