/*
 * config.c — finding, parsing and validating db-tools.json; see config.h.
 */
#include "fe/config.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/codec.h"
#include "archive/snapname.h"
#include "util/format.h"
#include "util/jsoncheck.h"
#include "util/log.h"
#include "util/strbuf.h"

static const char *const known_keys[] = {
	"database", "backups_dir", "jobs", "compression", "retention",
	"allowed_hosts", "migrations", "seeds", "cache_size", "spare_budget", NULL,
};

static bool
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *
cfg_find_upwards(const char *start_dir)
{
	char *dir = xstrdup(start_dir);

	for (;;) {
		char *candidate = xasprintf("%s%s%s", dir,
		    strcmp(dir, "/") == 0 ? "" : "/", CFG_FILE_NAME);
		char *slash;

		if (is_file(candidate)) {
			free(dir);
			return candidate;
		}
		free(candidate);
		slash = strrchr(dir, '/');
		if (!slash || strcmp(dir, "/") == 0)
			break;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	free(dir);
	return NULL;
}

static char *
dir_of(const char *path)
{
	char *copy = xstrdup(path);
	char *slash = strrchr(copy, '/');

	if (!slash) {
		free(copy);
		return xstrdup(".");
	}
	if (slash == copy)
		slash[1] = '\0';
	else
		*slash = '\0';
	return copy;
}

/* The file's bytes, NUL-terminated (a NUL inside is left to the JSON check), and their number. */
static char *
read_file(const char *path, size_t limit, size_t *len)
{
	FILE *f = fopen(path, "rb");
	strbuf sb;
	char buf[8192];
	size_t n;

	if (!f) {
		log_error("could not open configuration file \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	sb_init(&sb);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		sb_append_len(&sb, buf, n);
		if (sb.len > limit) {
			log_error("configuration file \"%s\" is larger than %zu bytes", path, limit);
			fclose(f);
			sb_free(&sb);
			return NULL;
		}
	}
	if (ferror(f)) {
		log_error("could not read configuration file \"%s\": %s", path, strerror(errno));
		fclose(f);
		sb_free(&sb);
		return NULL;
	}
	fclose(f);
	*len = sb.len;
	return sb_steal(&sb);
}

static int parse_doc(const char *text, size_t len, const char *path, const char *dir, cfg *c);

int
cfg_load(const char *explicit_path, cfg *c)
{
	const char *env = getenv("DB_TOOLS_CONFIG");
	char *path = NULL, *dir, *text;
	size_t len = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	c->jobs = c->retention_keep = c->cache_size = -1;
	c->spare_budget = -1;
	c->retention_age = -1;
	c->rng_seed = -1;

	if (explicit_path && *explicit_path)
		path = xstrdup(explicit_path);
	else if (env && *env)
		path = xstrdup(env);
	else {
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)))
			path = cfg_find_upwards(cwd);
		if (!path)
			return 0;
	}
	text = read_file(path, 1 << 20, &len);
	if (!text) {
		free(path);
		return -1;
	}
	dir = dir_of(path);
	rc = parse_doc(text, len, path, dir, c);
	free(text);
	free(path);
	free(dir);
	return rc;
}

static int
get_int(json_object *o, const char *path, const char *key, int lo, int hi, int *out)
{
	int64_t v;

	if (!json_object_is_type(o, json_type_int)) {
		log_error("configuration file \"%s\": \"%s\" must be an integer", path, key);
		return -1;
	}
	v = json_object_get_int64(o);
	if (v < lo || v > hi) {
		log_error("configuration file \"%s\": \"%s\" must be between %d and %d, not %lld",
		    path, key, lo, hi, (long long) v);
		return -1;
	}
	*out = (int) v;
	return 0;
}

static int
get_string(json_object *o, const char *path, const char *key, char **out)
{
	if (!json_object_is_type(o, json_type_string) || json_object_get_string_len(o) == 0) {
		log_error("configuration file \"%s\": \"%s\" must be a non-empty string", path, key);
		return -1;
	}
	*out = xstrdup(json_object_get_string(o));
	return 0;
}

static int
parse_retention(json_object *o, const char *path, cfg *c)
{
	if (!json_object_is_type(o, json_type_object)) {
		log_error("configuration file \"%s\": \"retention\" must be an object", path);
		return -1;
	}
	json_object_object_foreach(o, key, val) {
		if (strcmp(key, "keep") == 0) {
			if (get_int(val, path, "retention.keep", 0, INT_MAX, &c->retention_keep) < 0)
				return -1;
		} else if (strcmp(key, "older_than") == 0) {
			const char *s = json_object_get_string(val);

			if (!json_object_is_type(val, json_type_string) ||
			    !snapname_parse_age(s, &c->retention_age)) {
				log_error("configuration file \"%s\": \"retention.older_than\" must be an age such as \"30d\"", path);
				return -1;
			}
		} else {
			log_warning("configuration file \"%s\": unknown key \"retention.%s\" ignored", path, key);
		}
	}
	return 0;
}

static int
parse_hosts(json_object *o, const char *path, cfg *c)
{
	size_t n;

	if (!json_object_is_type(o, json_type_array)) {
		log_error("configuration file \"%s\": \"allowed_hosts\" must be an array of strings", path);
		return -1;
	}
	n = json_object_array_length(o);
	c->allowed_hosts = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		if (get_string(json_object_array_get_idx(o, i), path, "allowed_hosts[]",
		        &c->allowed_hosts[i]) < 0)
			return -1;
		c->n_allowed_hosts++;
	}
	return 0;
}

/* A string naming a path; relative paths start in the configuration file's directory. */
/* "compression": a gzip level (0 to 9), or a -Z spec such as "zstd:3" or "none". */
static int
get_compression(json_object *o, const char *path, char **out)
{
	const codec_ops *ops;
	char why[160];
	int level, n;

	if (json_object_is_type(o, json_type_int)) {
		if (get_int(o, path, "compression", 0, 9, &n) < 0)
			return -1;
		*out = xasprintf("%d", n);
		return 0;
	}
	if (get_string(o, path, "compression", out) < 0)
		return -1;
	if (codec_parse_spec(*out, &ops, &level, why, sizeof(why)) < 0) {
		log_error("configuration file \"%s\": \"compression\": %s", path, why);
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static int
get_path(json_object *val, const char *path, const char *key, const char *dir, char **out)
{
	char *d;

	if (get_string(val, path, key, &d) < 0)
		return -1;
	if (d[0] == '/' || strcmp(dir, ".") == 0)
		*out = d;
	else {
		*out = xasprintf("%s/%s", dir, d);
		free(d);
	}
	return 0;
}

/* "seeds": {"dir" | "command", "counts": {name: n}, "rng_seed": n} */
static int
parse_seeds(json_object *val, const char *path, const char *dir, cfg *c)
{
	json_object *d;

	if (!json_object_is_type(val, json_type_object)) {
		log_error("configuration file \"%s\": \"seeds\" must be an object such as {\"dir\": \"db/seeds\"}",
		    path);
		return -1;
	}
	if (json_object_object_get_ex(val, "dir", &d) &&
	    get_path(d, path, "seeds.dir", dir, &c->seeds_dir) < 0)
		return -1;
	if (json_object_object_get_ex(val, "command", &d) &&
	    get_string(d, path, "seeds.command", &c->seeds_command) < 0)
		return -1;
	if (c->seeds_dir && c->seeds_command) {
		log_error("configuration file \"%s\": \"seeds\" takes \"dir\" or \"command\", not both", path);
		return -1;
	}
	if (json_object_object_get_ex(val, "rng_seed", &d)) {
		if (!json_object_is_type(d, json_type_int) || json_object_get_int64(d) < 0 ||
		    json_object_get_int64(d) > INT_MAX) {
			log_error("configuration file \"%s\": \"seeds.rng_seed\" must be an integer from 0 to %d "
			    "(as --rng-seed)", path, INT_MAX);
			return -1;
		}
		c->rng_seed = json_object_get_int64(d);
	}
	if (json_object_object_get_ex(val, "counts", &d)) {
		if (!json_object_is_type(d, json_type_object)) {
			log_error("configuration file \"%s\": \"seeds.counts\" must be an object of integers", path);
			return -1;
		}
		json_object_object_foreach(d, name, n) {
			/* the names -c accepts: they become :name in the seed files and SEED_<NAME>_COUNT */
			if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
			    strlen(name)) {
				log_error("configuration file \"%s\": \"seeds.counts\": invalid name \"%s\": use letters, "
				    "digits and '_'", path, name);
				return -1;
			}
			if (!json_object_is_type(n, json_type_int) || json_object_get_int64(n) < 0) {
				log_error("configuration file \"%s\": \"seeds.counts.%s\" must be an integer, 0 or more",
				    path, name);
				return -1;
			}
			c->count_names = xrealloc(c->count_names, (c->n_counts + 1) * sizeof(char *));
			c->count_values = xrealloc(c->count_values, (c->n_counts + 1) * sizeof(long long));
			c->count_names[c->n_counts] = xstrdup(name);
			c->count_values[c->n_counts] = json_object_get_int64(n);
			c->n_counts++;
		}
	}
	return 0;
}

int
cfg_parse(const char *text, const char *path, const char *dir, cfg *c)
{
	return parse_doc(text, strlen(text), path, dir, c);
}

/* text[len] is '\0' */
static int
parse_doc(const char *text, size_t len, const char *path, const char *dir, cfg *c)
{
	struct json_tokener *tok;
	json_object *root;
	json_check_error where;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	c->jobs = c->retention_keep = c->cache_size = -1;
	c->spare_budget = -1;
	c->retention_age = -1;
	c->rng_seed = -1;
	c->path = xstrdup(path);
	c->dir = xstrdup(dir);

	/* json-c's default mode takes comments, trailing commas, single quotes, repeated keys */
	if (json_check_strict_at(text, len, &where) < 0) {
		log_error("%s:%zu:%zu: %s", path, where.line, where.column, where.what);
		log_hint("a configuration file is strict JSON (RFC 8259): strings in double quotes, no comments, "
		    "no trailing commas, each key once");
		return -1;
	}
	tok = json_tokener_new();
	root = json_tokener_parse_ex(tok, text, (int) len + 1);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		log_error("configuration file \"%s\" is not valid JSON: %s", path,
		    json_tokener_error_desc(json_tokener_get_error(tok)));
		json_tokener_free(tok);
		json_object_put(root);
		return -1;
	}
	json_tokener_free(tok);
	c->root = root;
	if (!json_object_is_type(root, json_type_object)) {
		log_error("configuration file \"%s\" must hold a JSON object", path);
		return -1;
	}
	json_object_object_foreach(root, key, val) {
		bool known = false;

		for (int i = 0; known_keys[i]; i++)
			known |= strcmp(key, known_keys[i]) == 0;
		if (!known)
			log_warning("configuration file \"%s\": unknown key \"%s\" ignored", path, key);
		if (strcmp(key, "database") == 0) {
			if (get_string(val, path, key, &c->database) < 0)
				return -1;
		} else if (strcmp(key, "backups_dir") == 0) {
			if (get_path(val, path, key, dir, &c->backups_dir) < 0)
				return -1;
		} else if (strcmp(key, "cache_size") == 0) {
			if (get_int(val, path, key, 0, 1000, &c->cache_size) < 0)
				return -1;
		} else if (strcmp(key, "spare_budget") == 0) {
			if ((json_object_is_type(val, json_type_int) && json_object_get_int64(val) >= 0) ||
			    (json_object_is_type(val, json_type_string) &&
			    parse_size(json_object_get_string(val), &c->spare_budget) == 0)) {
				if (json_object_is_type(val, json_type_int))
					c->spare_budget = json_object_get_int64(val);
			} else {
				log_error("configuration file \"%s\": \"spare_budget\" must be a size such as \"4GiB\" "
				    "or a number of bytes (0: no spares)", path);
				return -1;
			}
		} else if (strcmp(key, "migrations") == 0) {
			json_object *d;

			if (!json_object_is_type(val, json_type_object)) {
				log_error("configuration file \"%s\": \"migrations\" must be an object such as {\"dir\": \"db/migrations\"}",
				    path);
				return -1;
			}
			if (json_object_object_get_ex(val, "dir", &d) &&
			    get_path(d, path, "migrations.dir", dir, &c->migrations_dir) < 0)
				return -1;
			if (json_object_object_get_ex(val, "command", &d) &&
			    get_string(d, path, "migrations.command", &c->migrations_command) < 0)
				return -1;
			if (c->migrations_dir && c->migrations_command) {
				log_error("configuration file \"%s\": \"migrations\" takes \"dir\" or \"command\", not both",
				    path);
				return -1;
			}
		} else if (strcmp(key, "seeds") == 0) {
			if (parse_seeds(val, path, dir, c) < 0)
				return -1;
		} else if (strcmp(key, "jobs") == 0) {
			if (get_int(val, path, key, 1, 64, &c->jobs) < 0)
				return -1;
		} else if (strcmp(key, "compression") == 0) {
			if (get_compression(val, path, &c->compression) < 0)
				return -1;
		} else if (strcmp(key, "retention") == 0) {
			if (parse_retention(val, path, c) < 0)
				return -1;
		} else if (strcmp(key, "allowed_hosts") == 0) {
			if (parse_hosts(val, path, c) < 0)
				return -1;
		}
	}
	rc = 0;
	return rc;
}

void
cfg_free(cfg *c)
{
	free(c->path);
	free(c->dir);
	free(c->database);
	free(c->backups_dir);
	free(c->compression);
	free(c->migrations_dir);
	free(c->migrations_command);
	free(c->seeds_dir);
	free(c->seeds_command);
	strv_free(c->count_names, c->n_counts);
	free(c->count_values);
	strv_free(c->allowed_hosts, c->n_allowed_hosts);
	json_object_put(c->root);
	memset(c, 0, sizeof(*c));
}

const char *
cfg_pick_str(const char *cli, const char *env_name, const char *file_value, const char *fallback)
{
	const char *env = env_name ? getenv(env_name) : NULL;

	if (cli && *cli)
		return cli;
	if (env && *env)
		return env;
	if (file_value && *file_value)
		return file_value;
	return fallback;
}

int
cfg_pick_int(int cli, int file_value, int fallback)
{
	if (cli >= 0)
		return cli;
	if (file_value >= 0)
		return file_value;
	return fallback;
}
