/*
 * fuzz_config.c — libFuzzer target: cfg_parse on an untrusted db-tools.json
 * (a cloned repository's).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fe/config.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	cfg c;

	log_set_level(LOG_LEVEL_SILENT);
	memcpy(text, data, size);
	text[size] = '\0';
	(void) cfg_parse(text, "/fuzz/db-tools.json", "/fuzz", &c);
	cfg_free(&c);
	free(text);
	return 0;
}
