/*
 * codec_gzip.c — gzip data members that gunzip reads: written as a sequence
 * of gzip members (one per block, by libdeflate, or by zlib where that is
 * faster), read by zlib member after member (which also reads the
 * single-member files earlier versions wrote).
 */
#include <libdeflate.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "archive/codec.h"

#define GZ_BUF (128 * 1024)

/*
 * Encoder: libdeflate, which compresses whole buffers about twice as fast as
 * zlib (and zlib where that is faster, below).  The COPY text is cut into blocks of CODEC_GZIP_BLOCK bytes, each compressed
 * into a complete gzip member of its own; their concatenation is one gzip
 * file (RFC 1952, 2.2) that gunzip and zlib read whole.  Memory: one block
 * and its compressed bound per encoder.
 */
typedef struct gz_enc {
	struct libdeflate_compressor *c;
	z_stream zs;       /* zlib, for text so redundant that its fast path wins */
	bool zs_ready;
	double last_ratio; /* of the previous block of this stream */
	unsigned char *in;
	size_t in_len;
	unsigned char *out;
	size_t out_cap;
	bool wrote;        /* a member was written for this stream */
} gz_enc;

/*
 * libdeflate is about twice as fast as zlib on ordinary COPY text, but zlib's
 * level 1 runs through long repeats (blank-padded columns, as in pgbench)
 * nearly twice as fast as libdeflate.  A block that follows one compressed
 * more than GZ_ZLIB_RATIO times is given to zlib; the output is gzip either way.
 */
#define GZ_ZLIB_RATIO 8.0

/* Decoder: zlib, one gzip member after another. */
typedef struct gz_dec {
	z_stream zs;
	bool ended;        /* at the end of a gzip member, nothing of a next one seen */
	unsigned char out[GZ_BUF];
} gz_dec;

static void
gz_enc_free(void *ctx)
{
	gz_enc *g = ctx;

	if (g->c)
		libdeflate_free_compressor(g->c);
	if (g->zs_ready)
		deflateEnd(&g->zs);
	free(g->in);
	free(g->out);
	free(g);
}

/* -Z 0..9 keep their meaning: the same levels in libdeflate (which goes on to 12). */
static void *
gz_enc_new(int level, char *error, size_t errsize)
{
	gz_enc *g = calloc(1, sizeof(*g));

	if (!g || !(g->c = libdeflate_alloc_compressor(level)) ||
	    deflateInit2(&g->zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		snprintf(error, errsize, "could not start gzip compression (level %d)", level);
		if (g)
			gz_enc_free(g);
		return NULL;
	}
	g->zs_ready = true;
	g->out_cap = libdeflate_gzip_compress_bound(g->c, CODEC_GZIP_BLOCK);
	if (g->out_cap < deflateBound(&g->zs, CODEC_GZIP_BLOCK))
		g->out_cap = deflateBound(&g->zs, CODEC_GZIP_BLOCK);
	if (!(g->in = malloc(CODEC_GZIP_BLOCK)) || !(g->out = malloc(g->out_cap))) {
		snprintf(error, errsize, "could not start gzip compression: out of memory");
		gz_enc_free(g);
		return NULL;
	}
	return g;
}

/* One gzip member of the buffered block through zlib; its size, 0 on failure. */
static size_t
gz_zlib_block(gz_enc *g)
{
	if (deflateReset(&g->zs) != Z_OK)
		return 0;
	g->zs.next_in = g->in;
	g->zs.avail_in = (uInt) g->in_len;
	g->zs.next_out = g->out;
	g->zs.avail_out = (uInt) g->out_cap;
	if (deflate(&g->zs, Z_FINISH) != Z_STREAM_END)
		return 0;
	return g->out_cap - g->zs.avail_out;
}

/* The buffered block as one gzip member. */
static int
gz_enc_block(gz_enc *g, codec_sink sink, void *arg, char *error, size_t errsize)
{
	size_t n = g->last_ratio > GZ_ZLIB_RATIO ? gz_zlib_block(g) :
	    libdeflate_gzip_compress(g->c, g->in, g->in_len, g->out, g->out_cap);

	if (n == 0) {
		snprintf(error, errsize, "gzip compression failed");
		return -1;
	}
	g->last_ratio = (double) g->in_len / (double) n;
	g->in_len = 0;
	g->wrote = true;
	if (sink(arg, g->out, n) < 0) {
		snprintf(error, errsize, "could not write compressed data");
		return -1;
	}
	return 0;
}

static int
gz_enc_write(void *ctx, const void *data, size_t len, codec_sink sink, void *arg,
    char *error, size_t errsize)
{
	gz_enc *g = ctx;
	const unsigned char *p = data;

	while (len > 0) {
		size_t room = CODEC_GZIP_BLOCK - g->in_len;
		size_t take = room < len ? room : len;

		memcpy(g->in + g->in_len, p, take);
		g->in_len += take;
		p += take;
		len -= take;
		if (g->in_len == CODEC_GZIP_BLOCK && gz_enc_block(g, sink, arg, error, errsize) < 0)
			return -1;
	}
	return 0;
}

/* The last block; an empty stream is one empty gzip member, so that it stays a gzip file. */
static int
gz_enc_finish(void *ctx, codec_sink sink, void *arg, char *error, size_t errsize)
{
	gz_enc *g = ctx;

	if (g->in_len > 0 || !g->wrote)
		return gz_enc_block(g, sink, arg, error, errsize);
	return 0;
}

static int
gz_enc_reset(void *ctx, char *error, size_t errsize)
{
	gz_enc *g = ctx;

	(void) error;
	(void) errsize;
	g->in_len = 0;
	g->wrote = false;
	g->last_ratio = 0;
	return 0;
}

static void
set_error(char *error, size_t errsize, const char *what, const z_stream *zs, int rc)
{
	snprintf(error, errsize, "%s: %s", what, zs->msg ? zs->msg : zError(rc));
}

static void *
gz_dec_new(char *error, size_t errsize)
{
	gz_dec *g = calloc(1, sizeof(*g));
	int rc;

	if (!g) {
		snprintf(error, errsize, "out of memory");
		return NULL;
	}
	rc = inflateInit2(&g->zs, 15 + 16);
	if (rc != Z_OK) {
		set_error(error, errsize, "could not start gzip decompression", &g->zs, rc);
		free(g);
		return NULL;
	}
	return g;
}

/* Inflate what is in g->zs into the sink; at the end of a member, go on with the next. */
static int
gz_inflate(gz_dec *g, codec_sink sink, void *arg, char *error, size_t errsize)
{
	do {
		uInt in_before = g->zs.avail_in;
		int rc;
		size_t got;

		g->zs.next_out = g->out;
		g->zs.avail_out = GZ_BUF;
		rc = inflate(&g->zs, Z_NO_FLUSH);
		if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR) {
			set_error(error, errsize, "corrupt gzip member", &g->zs, rc);
			return -1;
		}
		got = GZ_BUF - g->zs.avail_out;
		if (got > 0 && sink(arg, g->out, got) < 0) {
			snprintf(error, errsize, "could not write decompressed data");
			return -1;
		}
		if (rc == Z_STREAM_END) {
			g->ended = true;
			if ((rc = inflateReset(&g->zs)) != Z_OK) {
				set_error(error, errsize, "corrupt gzip member", &g->zs, rc);
				return -1;
			}
			continue;
		}
		/* input taken or output made after a member's end: a next member has begun */
		if (g->zs.avail_in != in_before || got > 0)
			g->ended = false;
		if (rc == Z_BUF_ERROR && g->zs.avail_in == 0)
			break;
	} while (g->zs.avail_in > 0 || g->zs.avail_out == 0);
	return 0;
}

static int
gz_dec_write(void *ctx, const void *data, size_t len, codec_sink sink, void *arg,
    char *error, size_t errsize)
{
	gz_dec *g = ctx;
	const unsigned char *p = data;

	while (len > 0) {
		uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt) len;

		g->zs.next_in = (unsigned char *) p;
		g->zs.avail_in = chunk;
		if (gz_inflate(g, sink, arg, error, errsize) < 0)
			return -1;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

static int
gz_dec_finish(void *ctx, char *error, size_t errsize)
{
	gz_dec *g = ctx;

	if (!g->ended) {
		snprintf(error, errsize, "truncated gzip member");
		return -1;
	}
	return 0;
}

static void
gz_dec_free(void *ctx)
{
	gz_dec *g = ctx;

	inflateEnd(&g->zs);
	free(g);
}

const codec_ops codec_gzip_ops = {
	.name = "gzip",
	.extension = ".gz",
	.min_level = 0,
	.max_level = 9,
	.default_level = 1,
	.enc_new = gz_enc_new,
	.enc_write = gz_enc_write,
	.enc_finish = gz_enc_finish,
	.enc_reset = gz_enc_reset,
	.enc_free = gz_enc_free,
	.dec_new = gz_dec_new,
	.dec_write = gz_dec_write,
	.dec_finish = gz_dec_finish,
	.dec_free = gz_dec_free,
};
