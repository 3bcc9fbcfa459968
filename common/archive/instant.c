/*
 * instant.c — the marker of an instant snapshot; see instant.h.
 */
#include "archive/instant.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/snapname.h"
#include "util/fsutil.h"
#include "util/jsoncheck.h"
#include "util/log.h"
#include "util/mem.h"

static json_object *
jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

char *
instant_path(const char *dir, const char *name, time_t t)
{
	char stamp[SN_STAMP_LEN + 1];

	snapname_stamp(t, stamp);
	return xasprintf("%s/%s_%s" INSTANT_EXT, dir, stamp, name);
}

char *
instant_to_json(const instant_marker *m)
{
	json_object *root = json_object_new_object();
	json_object *server = json_object_new_object();
	json_object *settings = json_object_new_array();
	char created[32];
	char *text;

	snapname_iso8601(m->created_at, created, sizeof(created));
	json_object_object_add(root, "format", jstr(INSTANT_FORMAT));
	json_object_object_add(root, "format_version", json_object_new_int(INSTANT_FORMAT_VERSION));
	json_object_object_add(root, "name", jstr(m->name));
	json_object_object_add(root, "created_at", jstr(created));
	json_object_object_add(root, "database", jstr(m->database));
	json_object_object_add(server, "host", jstr(m->host));
	json_object_object_add(server, "port", jstr(m->port));
	json_object_object_add(server, "user", jstr(m->user));
	json_object_object_add(server, "version", jstr(m->server_version));
	json_object_object_add(server, "version_num", json_object_new_int(m->server_version_num));
	json_object_object_add(root, "server", server);
	json_object_object_add(root, "template", jstr(m->template_db));
	json_object_object_add(root, "key", jstr(m->key));
	json_object_object_add(root, "bytes", json_object_new_int64(m->bytes));
	json_object_object_add(root, "git_branch", jstr(m->git_branch));
	json_object_object_add(root, "git_commit", jstr(m->git_commit));
	for (size_t i = 0; i < m->n_db_settings; i++)
		json_object_array_add(settings, jstr(m->db_settings[i]));
	json_object_object_add(root, "database_settings", settings);
	json_object_object_add(root, "database_comment", jstr(m->db_comment));
	text = xasprintf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return text;
}

/* A string member: required (absent or null fails) or optional (NULL). */
static bool
get_str(json_object *o, const char *key, bool required, char **out, char *err, size_t errsize)
{
	json_object *v = NULL;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v) {
		if (required)
			snprintf(err, errsize, "field \"%s\" is missing", key);
		return !required;
	}
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, errsize, "field \"%s\" is not a string", key);
		return false;
	}
	*out = xstrdup(json_object_get_string(v));
	return true;
}

static bool
get_int(json_object *o, const char *key, int64_t lo, int64_t hi, int64_t *out, char *err, size_t errsize)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v) || !v || !json_object_is_type(v, json_type_int)) {
		snprintf(err, errsize, "field \"%s\" is missing or not an integer", key);
		return false;
	}
	*out = json_object_get_int64(v);
	if (*out < lo || *out > hi) {
		snprintf(err, errsize, "field \"%s\" is out of range", key);
		return false;
	}
	return true;
}

static bool
is_lower_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char) s[i]) || isupper((unsigned char) s[i]))
			return false;
	return true;
}

static bool
read_settings(json_object *root, instant_marker *m, char *err, size_t errsize)
{
	json_object *arr = NULL;
	size_t n;

	if (!json_object_object_get_ex(root, "database_settings", &arr) || !arr)
		return true;
	if (!json_object_is_type(arr, json_type_array)) {
		snprintf(err, errsize, "field \"database_settings\" is not an array");
		return false;
	}
	n = json_object_array_length(arr);
	m->db_settings = xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(arr, i);

		if (!s || !json_object_is_type(s, json_type_string)) {
			snprintf(err, errsize, "\"database_settings\" holds something other than a string");
			return false;
		}
		m->db_settings[m->n_db_settings++] = xstrdup(json_object_get_string(s));
	}
	return true;
}

int
instant_from_json(const char *text, size_t len, instant_marker *m, char *err, size_t errsize)
{
	json_object *root = NULL, *server = NULL;
	struct json_tokener *tok;
	char *format = NULL, *created = NULL, *key = NULL;
	int64_t version = 0, num = 0;
	const char *problem;
	bool ok;

	memset(m, 0, sizeof(*m));
	if (len > INSTANT_MAX_BYTES) {
		snprintf(err, errsize, "too large for a marker");
		return -1;
	}
	if (json_check_strict(text, len, err, errsize) < 0)
		return -1;
	tok = json_tokener_new();
	root = json_tokener_parse_ex(tok, text, (int) len);
	json_tokener_free(tok);
	if (!root || !json_object_is_type(root, json_type_object)) {
		snprintf(err, errsize, "not a JSON object");
		json_object_put(root);
		return -1;
	}
	ok = get_str(root, "format", true, &format, err, errsize);
	if (ok && strcmp(format, INSTANT_FORMAT) != 0) {
		snprintf(err, errsize, "not an instant snapshot's marker (format \"%s\")", format);
		ok = false;
	}
	ok = ok && get_int(root, "format_version", 1, INT_MAX, &version, err, errsize);
	if (ok && version > INSTANT_FORMAT_VERSION) {
		snprintf(err, errsize, "marker format %lld is newer than this version reads (%d)",
		    (long long) version, INSTANT_FORMAT_VERSION);
		ok = false;
	}
	ok = ok && get_str(root, "name", true, &m->name, err, errsize);
	if (ok && (problem = snapname_name_problem(m->name))) {
		snprintf(err, errsize, "invalid name: %s", problem);
		ok = false;
	}
	ok = ok && get_str(root, "created_at", true, &created, err, errsize);
	if (ok && !snapname_parse_iso8601(created, &m->created_at)) {
		snprintf(err, errsize, "\"created_at\" is not an ISO 8601 UTC time");
		ok = false;
	}
	ok = ok && get_str(root, "database", true, &m->database, err, errsize);
	if (ok && (!json_object_object_get_ex(root, "server", &server) || !server ||
	    !json_object_is_type(server, json_type_object))) {
		snprintf(err, errsize, "field \"server\" is missing or not an object");
		ok = false;
	}
	ok = ok && get_str(server, "host", false, &m->host, err, errsize) &&
	    get_str(server, "port", false, &m->port, err, errsize) &&
	    get_str(server, "user", true, &m->user, err, errsize) &&
	    get_str(server, "version", false, &m->server_version, err, errsize) &&
	    get_int(server, "version_num", 0, INT_MAX, &num, err, errsize);
	m->server_version_num = (int) num;
	ok = ok && get_str(root, "template", true, &m->template_db, err, errsize);
	ok = ok && get_str(root, "key", true, &key, err, errsize);
	if (ok && !is_lower_hex(key, HASH_HEX_LEN)) {
		snprintf(err, errsize, "\"key\" is not 64 lower-case hex digits");
		ok = false;
	}
	if (ok)
		memcpy(m->key, key, HASH_HEX_LEN + 1);
	ok = ok && get_int(root, "bytes", 0, INT64_MAX, &m->bytes, err, errsize) &&
	    get_str(root, "git_branch", false, &m->git_branch, err, errsize) &&
	    get_str(root, "git_commit", false, &m->git_commit, err, errsize) &&
	    read_settings(root, m, err, errsize) &&
	    get_str(root, "database_comment", false, &m->db_comment, err, errsize);
	free(format);
	free(created);
	free(key);
	json_object_put(root);
	if (!ok)
		instant_free(m);
	return ok ? 0 : -1;
}

dbt_status
instant_read(const char *path, instant_marker *m)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *text;
	char err[256];
	ssize_t got;
	size_t len = 0;

	memset(m, 0, sizeof(*m));
	if (fd < 0 || fstat(fd, &st) < 0) {
		log_error("could not read \"%s\": %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return DBT_FAILED;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > INSTANT_MAX_BYTES) {
		log_error("\"%s\" is not an instant snapshot's marker: %s", path,
		    S_ISREG(st.st_mode) ? "too large" : "not a regular file");
		close(fd);
		return DBT_INTEGRITY;
	}
	text = xmalloc((size_t) st.st_size + 1);
	while (len < (size_t) st.st_size && (got = read(fd, text + len, (size_t) st.st_size - len)) > 0)
		len += (size_t) got;
	close(fd);
	text[len] = '\0';
	if (instant_from_json(text, len, m, err, sizeof(err)) < 0) {
		log_error("\"%s\" is not a readable instant snapshot's marker: %s", path, err);
		free(text);
		return DBT_INTEGRITY;
	}
	free(text);
	return DBT_OK;
}

dbt_status
instant_write(const char *path, const instant_marker *m)
{
	char *text = instant_to_json(m);
	char *tmp = xasprintf("%s.partial", path);
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	dbt_status rc = DBT_OK;

	if (slash)
		*slash = '\0';
	(void) unlink(tmp);
	if (fs_write_new_file(tmp, text, strlen(text)) < 0 || fs_rename_noclobber(tmp, path) < 0 ||
	    fs_fsync_dir(slash ? dir : ".") < 0) {
		log_error("could not write \"%s\": %s", path, strerror(errno));
		(void) unlink(tmp);
		rc = DBT_FAILED;
	}
	free(text);
	free(tmp);
	free(dir);
	return rc;
}

void
instant_not_here(const instant_marker *m, const char *role)
{
	log_error("the instant snapshot \"%s\" is not on this server: \"%s\" has no database holding it", m->name,
	    role);
	log_hint("it was taken on %s:%s as \"%s\": connect there as that role (-d); a marker whose server is "
	    "gone for good can be removed as a file", m->host ? m->host : "the local server", m->port ? m->port : "",
	    m->user);
}

bool
instant_is_marker(const char *file)
{
	size_t n = strlen(file), e = strlen(INSTANT_EXT);

	return n > e && strcmp(file + n - e, INSTANT_EXT) == 0;
}

void
instant_free(instant_marker *m)
{
	free(m->name);
	free(m->database);
	free(m->host);
	free(m->port);
	free(m->user);
	free(m->server_version);
	free(m->template_db);
	free(m->git_branch);
	free(m->git_commit);
	strv_free(m->db_settings, m->n_db_settings);
	free(m->db_comment);
	memset(m, 0, sizeof(*m));
}
