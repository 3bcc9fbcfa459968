/*
 * codec.h — compression codecs behind a small vtable.
 *
 * Each codec turns a byte stream into one self-contained compressed file
 * (an archive member: "gunzip" or "zstd -d" gives the stream back) and
 * back.  Output goes to a sink callback in bounded pieces, so memory does
 * not depend on the member's size.  A second codec is a new
 * codec_<name>.c file registered in codec.c, not a branch elsewhere.
 * Contract: every hook returns 0 on success or -1 with a message in
 * codec_stream.error (NUL-terminated); a decoder reports truncated input
 * from finish() and corrupt input from write().
 */
#ifndef DBT_CODEC_H
#define DBT_CODEC_H

#include <stddef.h>

/*
 * The gzip encoder's block: COPY text per gzip member (see codec_gzip.c).  256 KiB
 * keeps libdeflate's input in the cache: measured faster than 1 MiB or more on
 * COPY text, for a compressed size 0.5% larger.
 */
#ifndef CODEC_GZIP_BLOCK
#define CODEC_GZIP_BLOCK (256u << 10)
#endif

typedef int (*codec_sink)(void *arg, const void *buf, size_t len);

typedef struct codec_ops {
	const char *name;       /* as recorded in the .meta and given to -Z: "gzip" */
	const char *extension;  /* member suffix: ".gz" */
	int min_level, max_level, default_level;
	void *(*enc_new)(int level, char *error, size_t errsize);
	int (*enc_write)(void *ctx, const void *data, size_t len, codec_sink sink, void *arg,
	    char *error, size_t errsize);
	int (*enc_finish)(void *ctx, codec_sink sink, void *arg, char *error, size_t errsize);
	/* Start a new member with the same settings, keeping the allocated state. */
	int (*enc_reset)(void *ctx, char *error, size_t errsize);
	void (*enc_free)(void *ctx);
	void *(*dec_new)(char *error, size_t errsize);
	int (*dec_write)(void *ctx, const void *data, size_t len, codec_sink sink, void *arg,
	    char *error, size_t errsize);
	int (*dec_finish)(void *ctx, char *error, size_t errsize);
	void (*dec_free)(void *ctx);
} codec_ops;

typedef struct codec_stream {
	const codec_ops *ops;
	void *ctx;
	codec_sink sink;
	void *arg;
	int decoding;
	char error[256];
} codec_stream;

/* The codec recorded under name, NULL when unknown. */
const codec_ops *codec_find(const char *name);
const codec_ops *codec_default(void);

int codec_encoder(codec_stream *s, const codec_ops *ops, int level, codec_sink sink, void *arg);
int codec_decoder(codec_stream *s, const codec_ops *ops, codec_sink sink, void *arg);
int codec_write(codec_stream *s, const void *data, size_t len);
/* Reuse an encoder for the next member (cheaper than free + new for many small members). */
int codec_reset(codec_stream *s);
/* Flush the encoder's end or check that the decoder saw a complete member. */
int codec_finish(codec_stream *s);
void codec_free(codec_stream *s);

/*
 * Parse -Z / "compression": "gzip", "gzip:1", "zstd:3", "none", or a bare
 * level of the default codec (gzip).  0, or -1 with why in error.
 */
int codec_parse_spec(const char *spec, const codec_ops **ops, int *level, char *error,
    size_t errsize);

extern const codec_ops codec_gzip_ops;
extern const codec_ops codec_zstd_ops;
extern const codec_ops codec_none_ops;

#endif
