/*
 * codec_none.c — data members stored as the COPY text itself ("-Z none"):
 * for a fast disk or a stream that is compressed further along.
 */
#include <stdio.h>
#include <stdlib.h>

#include "archive/codec.h"

/* The state is only a marker: nothing is buffered. */
static char none_ctx;

static void *
none_new(int level, char *error, size_t errsize)
{
	(void) level;
	(void) error;
	(void) errsize;
	return &none_ctx;
}

static void *
none_dec_new(char *error, size_t errsize)
{
	return none_new(0, error, errsize);
}

static int
none_write(void *ctx, const void *data, size_t len, codec_sink sink, void *arg, char *error,
    size_t errsize)
{
	(void) ctx;
	if (len > 0 && sink(arg, data, len) < 0) {
		snprintf(error, errsize, "could not write data");
		return -1;
	}
	return 0;
}

static int
none_enc_finish(void *ctx, codec_sink sink, void *arg, char *error, size_t errsize)
{
	(void) ctx;
	(void) sink;
	(void) arg;
	(void) error;
	(void) errsize;
	return 0;
}

static int
none_reset(void *ctx, char *error, size_t errsize)
{
	(void) ctx;
	(void) error;
	(void) errsize;
	return 0;
}

static int
none_dec_finish(void *ctx, char *error, size_t errsize)
{
	return none_reset(ctx, error, errsize);
}

static void
none_free(void *ctx)
{
	(void) ctx;
}

const codec_ops codec_none_ops = {
	.name = "none",
	.extension = "",
	.min_level = 0,
	.max_level = 0,
	.default_level = 0,
	.enc_new = none_new,
	.enc_write = none_write,
	.enc_finish = none_enc_finish,
	.enc_reset = none_reset,
	.enc_free = none_free,
	.dec_new = none_dec_new,
	.dec_write = none_write,
	.dec_finish = none_dec_finish,
	.dec_free = none_free,
};
