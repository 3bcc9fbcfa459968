/*
 * codec_gzip.c — gzip members through zlib (deflate/inflate with the gzip
 * wrapper), so that every data member is readable by gunzip.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "archive/codec.h"

#define GZ_BUF (128 * 1024)

typedef struct gz_ctx {
	z_stream zs;
	bool decoding;
	bool ended;        /* decoder: saw the end of the gzip member */
	unsigned char out[GZ_BUF];
} gz_ctx;

static void
set_error(char *error, size_t errsize, const char *what, const z_stream *zs, int rc)
{
	snprintf(error, errsize, "%s: %s", what, zs->msg ? zs->msg : zError(rc));
}

static void *
gz_enc_new(int level, char *error, size_t errsize)
{
	gz_ctx *g = calloc(1, sizeof(*g));
	int rc;

	if (!g) {
		snprintf(error, errsize, "out of memory");
		return NULL;
	}
	rc = deflateInit2(&g->zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	if (rc != Z_OK) {
		set_error(error, errsize, "could not start gzip compression", &g->zs, rc);
		free(g);
		return NULL;
	}
	return g;
}

static int
gz_deflate(gz_ctx *g, int flush, codec_sink sink, void *arg, char *error, size_t errsize)
{
	int rc;

	do {
		g->zs.next_out = g->out;
		g->zs.avail_out = GZ_BUF;
		rc = deflate(&g->zs, flush);
		if (rc == Z_STREAM_ERROR) {
			set_error(error, errsize, "gzip compression failed", &g->zs, rc);
			return -1;
		}
		if (GZ_BUF - g->zs.avail_out > 0 &&
		    sink(arg, g->out, GZ_BUF - g->zs.avail_out) < 0) {
			snprintf(error, errsize, "could not write compressed data");
			return -1;
		}
	} while (g->zs.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
	return 0;
}

static int
gz_enc_write(void *ctx, const void *data, size_t len, codec_sink sink, void *arg,
    char *error, size_t errsize)
{
	gz_ctx *g = ctx;
	const unsigned char *p = data;

	while (len > 0) {
		uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt) len;

		g->zs.next_in = (unsigned char *) p;
		g->zs.avail_in = chunk;
		if (gz_deflate(g, Z_NO_FLUSH, sink, arg, error, errsize) < 0)
			return -1;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

static int
gz_enc_finish(void *ctx, codec_sink sink, void *arg, char *error, size_t errsize)
{
	gz_ctx *g = ctx;

	g->zs.next_in = NULL;
	g->zs.avail_in = 0;
	return gz_deflate(g, Z_FINISH, sink, arg, error, errsize);
}

static int
gz_enc_reset(void *ctx, char *error, size_t errsize)
{
	gz_ctx *g = ctx;
	int rc = deflateReset(&g->zs);

	if (rc != Z_OK) {
		set_error(error, errsize, "could not restart gzip compression", &g->zs, rc);
		return -1;
	}
	return 0;
}

static void *
gz_dec_new(char *error, size_t errsize)
{
	gz_ctx *g = calloc(1, sizeof(*g));
	int rc;

	if (!g) {
		snprintf(error, errsize, "out of memory");
		return NULL;
	}
	g->decoding = true;
	rc = inflateInit2(&g->zs, 15 + 16);
	if (rc != Z_OK) {
		set_error(error, errsize, "could not start gzip decompression", &g->zs, rc);
		free(g);
		return NULL;
	}
	return g;
}

static int
gz_dec_write(void *ctx, const void *data, size_t len, codec_sink sink, void *arg,
    char *error, size_t errsize)
{
	gz_ctx *g = ctx;
	const unsigned char *p = data;

	while (len > 0) {
		uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt) len;

		if (g->ended) {
			snprintf(error, errsize, "corrupt gzip member: data after its end");
			return -1;
		}
		g->zs.next_in = (unsigned char *) p;
		g->zs.avail_in = chunk;
		do {
			int rc;

			g->zs.next_out = g->out;
			g->zs.avail_out = GZ_BUF;
			rc = inflate(&g->zs, Z_NO_FLUSH);
			if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR ||
			    rc == Z_STREAM_ERROR) {
				set_error(error, errsize, "corrupt gzip member", &g->zs, rc);
				return -1;
			}
			if (GZ_BUF - g->zs.avail_out > 0 &&
			    sink(arg, g->out, GZ_BUF - g->zs.avail_out) < 0) {
				snprintf(error, errsize, "could not write decompressed data");
				return -1;
			}
			if (rc == Z_STREAM_END) {
				g->ended = true;
				if (g->zs.avail_in > 0) {
					snprintf(error, errsize, "corrupt gzip member: data after its end");
					return -1;
				}
				break;
			}
			if (rc == Z_BUF_ERROR && g->zs.avail_in == 0)
				break;
		} while (g->zs.avail_in > 0 || g->zs.avail_out == 0);
		p += chunk;
		len -= chunk;
	}
	return 0;
}

static int
gz_dec_finish(void *ctx, char *error, size_t errsize)
{
	gz_ctx *g = ctx;

	if (!g->ended) {
		snprintf(error, errsize, "truncated gzip member");
		return -1;
	}
	return 0;
}

static void
gz_free(void *ctx)
{
	gz_ctx *g = ctx;

	if (g->decoding)
		inflateEnd(&g->zs);
	else
		deflateEnd(&g->zs);
	free(g);
}

const codec_ops codec_gzip_ops = {
	.name = "gzip",
	.extension = ".gz",
	.min_level = 0,
	.max_level = 9,
	.enc_new = gz_enc_new,
	.enc_write = gz_enc_write,
	.enc_finish = gz_enc_finish,
	.enc_reset = gz_enc_reset,
	.dec_new = gz_dec_new,
	.dec_write = gz_dec_write,
	.dec_finish = gz_dec_finish,
	.free = gz_free,
};
