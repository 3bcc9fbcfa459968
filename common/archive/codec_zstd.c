/*
 * codec_zstd.c — zstd data members that "zstd -d" reads, through libzstd's
 * streaming API: memory stays bounded by the compression level's window,
 * whatever the member's size.  The decoder reads one frame after another.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <zstd.h>

#include "archive/codec.h"

typedef struct zs_ctx {
	ZSTD_CCtx *c;
	ZSTD_DCtx *d;
	bool ended;        /* decoder: at the end of a frame, nothing of a next one seen */
	size_t out_cap;
	unsigned char *out;
} zs_ctx;

static void
zs_free(void *ctx)
{
	zs_ctx *z = ctx;

	ZSTD_freeCCtx(z->c);
	ZSTD_freeDCtx(z->d);
	free(z->out);
	free(z);
}

static void *
zs_enc_new(int level, char *error, size_t errsize)
{
	zs_ctx *z = calloc(1, sizeof(*z));

	if (z) {
		z->out_cap = ZSTD_CStreamOutSize();
		z->out = malloc(z->out_cap);
		z->c = ZSTD_createCCtx();
	}
	if (!z || !z->out || !z->c ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(z->c, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(z->c, ZSTD_c_checksumFlag, 1))) {
		snprintf(error, errsize, "could not start zstd compression (level %d)", level);
		if (z)
			zs_free(z);
		return NULL;
	}
	return z;
}

/* Compress in (or, with ZSTD_e_end, finish the frame) into the sink. */
static int
zs_compress(zs_ctx *z, ZSTD_inBuffer *in, ZSTD_EndDirective mode, codec_sink sink, void *arg,
    char *error, size_t errsize)
{
	size_t left;

	do {
		ZSTD_outBuffer out = {z->out, z->out_cap, 0};

		left = ZSTD_compressStream2(z->c, &out, in, mode);
		if (ZSTD_isError(left)) {
			snprintf(error, errsize, "zstd compression failed: %s", ZSTD_getErrorName(left));
			return -1;
		}
		if (out.pos > 0 && sink(arg, z->out, out.pos) < 0) {
			snprintf(error, errsize, "could not write compressed data");
			return -1;
		}
	} while (mode == ZSTD_e_end ? left != 0 : in->pos < in->size);
	return 0;
}

static int
zs_enc_write(void *ctx, const void *data, size_t len, codec_sink sink, void *arg,
    char *error, size_t errsize)
{
	ZSTD_inBuffer in = {data, len, 0};

	return zs_compress(ctx, &in, ZSTD_e_continue, sink, arg, error, errsize);
}

static int
zs_enc_finish(void *ctx, codec_sink sink, void *arg, char *error, size_t errsize)
{
	ZSTD_inBuffer in = {NULL, 0, 0};

	return zs_compress(ctx, &in, ZSTD_e_end, sink, arg, error, errsize);
}

static int
zs_enc_reset(void *ctx, char *error, size_t errsize)
{
	zs_ctx *z = ctx;
	size_t rc = ZSTD_CCtx_reset(z->c, ZSTD_reset_session_only);

	if (ZSTD_isError(rc)) {
		snprintf(error, errsize, "could not restart zstd compression: %s", ZSTD_getErrorName(rc));
		return -1;
	}
	return 0;
}

static void *
zs_dec_new(char *error, size_t errsize)
{
	zs_ctx *z = calloc(1, sizeof(*z));

	if (z) {
		z->out_cap = ZSTD_DStreamOutSize();
		z->out = malloc(z->out_cap);
		z->d = ZSTD_createDCtx();
	}
	/* a frame may not ask for a window beyond 128 MiB (zstd -d's own default limit) */
	if (!z || !z->out || !z->d ||
	    ZSTD_isError(ZSTD_DCtx_setParameter(z->d, ZSTD_d_windowLogMax, 27))) {
		snprintf(error, errsize, "could not start zstd decompression");
		if (z)
			zs_free(z);
		return NULL;
	}
	return z;
}

static int
zs_dec_write(void *ctx, const void *data, size_t len, codec_sink sink, void *arg,
    char *error, size_t errsize)
{
	zs_ctx *z = ctx;
	ZSTD_inBuffer in = {data, len, 0};

	/* until the input is taken and the decoder holds no more output for it */
	for (;;) {
		ZSTD_outBuffer out = {z->out, z->out_cap, 0};
		size_t before = in.pos;
		size_t rc = ZSTD_decompressStream(z->d, &out, &in);

		if (ZSTD_isError(rc)) {
			snprintf(error, errsize, "corrupt zstd member: %s", ZSTD_getErrorName(rc));
			return -1;
		}
		if (out.pos > 0 && sink(arg, z->out, out.pos) < 0) {
			snprintf(error, errsize, "could not write decompressed data");
			return -1;
		}
		/* 0: a frame is complete (and flushed); a next one may follow */
		if (rc == 0)
			z->ended = true;
		else if (in.pos != before || out.pos > 0)
			z->ended = false;
		if (in.pos == in.size && out.pos < out.size)
			break;
	}
	return 0;
}

static int
zs_dec_finish(void *ctx, char *error, size_t errsize)
{
	zs_ctx *z = ctx;

	if (!z->ended) {
		snprintf(error, errsize, "truncated zstd member");
		return -1;
	}
	return 0;
}

const codec_ops codec_zstd_ops = {
	.name = "zstd",
	.extension = ".zst",
	.min_level = 1,
	.max_level = 19,
	.default_level = 3,
	.enc_new = zs_enc_new,
	.enc_write = zs_enc_write,
	.enc_finish = zs_enc_finish,
	.enc_reset = zs_enc_reset,
	.enc_free = zs_free,
	.dec_new = zs_dec_new,
	.dec_write = zs_dec_write,
	.dec_finish = zs_dec_finish,
	.dec_free = zs_free,
};
