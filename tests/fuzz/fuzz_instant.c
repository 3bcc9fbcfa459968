/*
 * fuzz_instant.c — libFuzzer target: instant_from_json on untrusted bytes (an
 * instant snapshot's marker in a snapshot directory).  Must never crash,
 * leak or read out of bounds, whatever it returns.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "archive/instant.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	instant_marker m;
	char err[256];

	log_set_level(LOG_LEVEL_SILENT);
	if (instant_from_json((const char *) data, size, &m, err, sizeof(err)) == 0) {
		/* what is accepted writes out again */
		free(instant_to_json(&m));
		instant_free(&m);
	}
	return 0;
}
