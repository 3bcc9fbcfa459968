/*
 * fuzz_tar_index.c — libFuzzer target: tarball_index_open, which indexes an
 * untrusted archive (member names, sizes, offsets, meta.json), and
 * tarball_index_find on what it found.  The bytes are written to a private file
 * first, since the reader takes a path.
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
	return 0;
}
