/*
 * fuzz_seed_vars.c — libFuzzer target: seed_substitute (psql-style :name,
 * :'name' and :"name" variables) on an untrusted seed file.  The first byte
 * chooses which variables are defined, so that both known and unknown
 * variables, and values that need quoting, are exercised.
 */
#include <stddef.h>
#include <stdint.h>

#include "util/log.h"
#include "project/seed.h"
#include "util/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"users", "orders", "name", "x", "a_b"};
	static const char *const values[] = {"10", "it's", "\"q\"", "", "\\\\ back"};
	seed_vars vs = {0};
	strbuf out;
	char err[256];

	log_set_level(LOG_LEVEL_SILENT);
	if (size == 0)
		return 0;
	for (int i = 0; i < 5; i++)
		if (data[0] & (1u << i))
			sv_set(&vs, names[i], values[(data[0] >> 5) % 5]);
	sb_init(&out);
	(void) seed_substitute((const char *) data + 1, size - 1, &vs, &out, err, sizeof(err));
	sb_free(&out);
	sv_free(&vs);
	return 0;
}
