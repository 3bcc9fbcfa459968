/*
 * fuzz_meta.c — libFuzzer target: meta_from_json on untrusted bytes (an
 * archive's meta.json or a .meta sidecar).  Must never crash, leak or read
 * out of bounds, whatever it returns.
 */
#include <stddef.h>
#include <stdint.h>

#include "util/log.h"
#include "archive/meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	meta_doc m;
	char err[256];

	log_set_level(LOG_LEVEL_SILENT);
	if (meta_from_json((const char *) data, size, &m, err, sizeof(err)) == META_OK) {
		meta_totals t;

		meta_totals_of(&m, &t);
		meta_free(&m);
	}
	return 0;
}
