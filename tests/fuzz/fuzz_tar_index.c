/*
 * fuzz_tar_index.c — libFuzzer target: tarball_index_open, which indexes an
 * untrusted archive (member names, sizes, offsets, meta.json), and
 * tarball_index_find on what it found, and tarball_read_last, which reads
 * meta.json from the end of the file for listings.  The bytes are written to a
 * private file first, since the readers take a path.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/log.h"
#include "archive/tarball.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	FILE *f;
	tarball_index ix;
	char err[512];
	char *last = NULL;
	size_t last_len = 0;

	log_set_level(LOG_LEVEL_SILENT);
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/db-tools-fuzz-tar-%ld", (long) getpid());
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	if (tarball_index_open(path, 1 << 20, &ix, err, sizeof(err)) == TB_INDEX_OK) {
		for (size_t i = 0; i < ix.n_entries; i++)
			if (tarball_index_find(&ix, ix.entries[i].name) == NULL)
				abort();
		(void) tarball_index_find(&ix, "meta.json");
		tarball_index_free(&ix);
	}
	if (tarball_read_last(path, "meta.json", 1 << 20, &last, &last_len, err, sizeof(err)) == 0 &&
	    (!last || last[last_len] != '\0'))
		abort();
	free(last);
	return 0;
}
