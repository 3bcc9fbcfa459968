/*
 * test_codec.c — unit tests for codec.c and codec_gzip.c: the codec
 * registry, gzip round trips, the encoded format checked with zlib directly,
 * and the decoder's detection of truncated, corrupt and over-long input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "archive/codec.h"
#include "util/strbuf.h"

#define BIG_SIZE (5u * 1024 * 1024)

/* ---- helpers ---- */

static int
sink_to_strbuf(void *arg, const void *buf, size_t len)
{
	assert_true(len > 0);
	sb_append_len(arg, buf, len);
	return 0;
}

typedef struct limited_sink {
	size_t taken;
	size_t limit;
	int calls;
} limited_sink;

/* Accepts limit bytes, then fails. */
static int
sink_limited(void *arg, const void *buf, size_t len)
{
	limited_sink *ls = arg;

	(void) buf;
	ls->calls++;
	if (ls->taken + len > ls->limit)
		return -1;
	ls->taken += len;
	return 0;
}

/* Deterministic test data: runs of pseudo-random bytes and of repeated text. */
static unsigned char *
make_data(size_t len)
{
	unsigned char *d = xmalloc(len ? len : 1);
	uint32_t x = 0x12345678u;
	static const char text[] = "INSERT INTO payments VALUES (42, 'pending', now());\n";
	size_t i = 0;

	while (i < len) {
		size_t run = 1000 + (x % 60000);

		x = x * 1664525u + 1013904223u;
		if (x & 0x100) {
			for (size_t k = 0; k < run && i < len; k++, i++) {
				x = x * 1664525u + 1013904223u;
				d[i] = (unsigned char) (x >> 24);
			}
		} else {
			for (size_t k = 0; k < run && i < len; k++, i++)
				d[i] = (unsigned char) text[(i + k) % (sizeof(text) - 1)];
		}
	}
	return d;
}

/* Odd piece sizes, cycling. */
static const size_t pieces[] = {1, 7, 4093, 65537, 131071, 300007, 3, 262147};

static void
encode(const void *data, size_t len, int level, strbuf *out)
{
	codec_stream s;
	const unsigned char *p = data;
	size_t off = 0;
	size_t i = 0;

	sb_init(out);
	assert_int_equal(codec_encoder(&s, &codec_gzip_ops, level, sink_to_strbuf, out), 0);
	while (off < len) {
		size_t n = pieces[i++ % (sizeof(pieces) / sizeof(pieces[0]))];

		if (n > len - off)
			n = len - off;
		assert_int_equal(codec_write(&s, p + off, n), 0);
		off += n;
	}
	assert_int_equal(codec_finish(&s), 0);
	codec_free(&s);
	assert_null(s.ctx);
}

/* Decode in pieces of size step (0: cycle through pieces[]); returns 0 or -1 with where it failed. */
static int
decode(const void *data, size_t len, size_t step, strbuf *out, int *failed_in_finish,
    char *err, size_t errsize)
{
	codec_stream s;
	const unsigned char *p = data;
	size_t off = 0;
	size_t i = 0;
	int rc = 0;

	*failed_in_finish = 0;
	sb_init(out);
	assert_int_equal(codec_decoder(&s, &codec_gzip_ops, sink_to_strbuf, out), 0);
	while (off < len) {
		size_t n = step ? step : pieces[i++ % (sizeof(pieces) / sizeof(pieces[0]))];

		if (n > len - off)
			n = len - off;
		if (codec_write(&s, p + off, n) != 0) {
			rc = -1;
			break;
		}
		off += n;
	}
	if (rc == 0 && codec_finish(&s) != 0) {
		rc = -1;
		*failed_in_finish = 1;
	}
	if (rc != 0) {
		assert_true(s.error[0] != '\0');
		snprintf(err, errsize, "%s", s.error);
	}
	codec_free(&s);
	return rc;
}

/* Decompress with zlib directly (gzip wrapper), independent of the codec. */
static void
zlib_gunzip(const void *data, size_t len, size_t expect_len, const void *expect)
{
	z_stream zs;
	unsigned char *out = xmalloc(expect_len + 16);
	int rc;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = (Bytef *) data;
	zs.avail_in = (uInt) len;
	zs.next_out = out;
	zs.avail_out = (uInt) expect_len + 16;
	rc = inflate(&zs, Z_FINISH);
	assert_int_equal(rc, Z_STREAM_END);
	assert_int_equal(zs.total_out, expect_len);
	assert_int_equal(zs.avail_in, 0);        /* exactly one member, nothing after it */
	if (expect_len)
		assert_memory_equal(out, expect, expect_len);
	inflateEnd(&zs);
	free(out);
}

static void
assert_gzip_header(const strbuf *enc)
{
	assert_true(enc->len >= 18);       /* 10-byte header, body, 8-byte trailer */
	assert_int_equal((unsigned char) enc->data[0], 0x1f);
	assert_int_equal((unsigned char) enc->data[1], 0x8b);
	assert_int_equal((unsigned char) enc->data[2], 8);    /* deflate */
}

/* Little-endian 32-bit value from the trailer. */
static uint32_t
le32(const char *p)
{
	const unsigned char *u = (const unsigned char *) p;

	return (uint32_t) u[0] | (uint32_t) u[1] << 8 | (uint32_t) u[2] << 16 | (uint32_t) u[3] << 24;
}

static void
round_trip(const void *data, size_t len, int level, strbuf *enc_out)
{
	strbuf enc, dec;
	char err[256];
	int in_finish;

	encode(data, len, level, &enc);
	assert_gzip_header(&enc);
	/* the trailer holds the CRC-32 and the length of the input */
	assert_int_equal(le32(enc.data + enc.len - 8),
	    crc32(crc32(0, Z_NULL, 0), data, (uInt) len));
	assert_int_equal(le32(enc.data + enc.len - 4), (uint32_t) len);
	zlib_gunzip(enc.data, enc.len, len, data);

	assert_int_equal(decode(enc.data, enc.len, 0, &dec, &in_finish, err, sizeof(err)), 0);
	assert_int_equal(dec.len, len);
	if (len)
		assert_memory_equal(dec.data, data, len);
	sb_free(&dec);
	if (enc_out)
		*enc_out = enc;
	else
		sb_free(&enc);
}

/* ---- registry ---- */

/* One encoder, reset between members: each member decodes to its own input alone. */
static void
test_reset_reuses_encoder(void **state)
{
	static const char *inputs[] = {"first member\n", "", "second\tmember\n\\N\n"};
	strbuf out;
	codec_stream s;

	(void) state;
	sb_init(&out);
	assert_int_equal(codec_encoder(&s, &codec_gzip_ops, 6, sink_to_strbuf, &out), 0);
	for (int i = 0; i < 3; i++) {
		strbuf decoded;
		int in_finish = 0;
		char err[256];

		if (i > 0)
			assert_int_equal(codec_reset(&s), 0);
		sb_reset(&out);
		assert_int_equal(codec_write(&s, inputs[i], strlen(inputs[i])), 0);
		assert_int_equal(codec_finish(&s), 0);
		assert_true(out.len >= 18);   /* a gzip header and trailer at least */
		assert_int_equal(decode(out.data, out.len, 0, &decoded, &in_finish, err, sizeof(err)), 0);
		assert_int_equal(decoded.len, strlen(inputs[i]));
		assert_memory_equal(decoded.data, inputs[i], decoded.len);
		sb_free(&decoded);
	}
	codec_free(&s);
	sb_free(&out);
}

static void
test_registry(void **state)
{
	const codec_ops *gz = codec_find("gzip");

	(void) state;
	assert_non_null(gz);
	assert_ptr_equal(gz, &codec_gzip_ops);
	assert_string_equal(gz->name, "gzip");
	assert_string_equal(gz->extension, ".gz");
	assert_int_equal(gz->min_level, 0);
	assert_int_equal(gz->max_level, 9);
	assert_ptr_equal(codec_default(), gz);
	assert_null(codec_find("zstd"));
	assert_null(codec_find("GZIP"));
	assert_null(codec_find("gz"));
	assert_null(codec_find(""));
}

static void
test_bad_level(void **state)
{
	codec_stream s;
	strbuf out;

	(void) state;
	sb_init(&out);
	assert_int_equal(codec_encoder(&s, &codec_gzip_ops, 10, sink_to_strbuf, &out), -1);
	assert_null(s.ctx);
	assert_true(s.error[0] != '\0');
	codec_free(&s);           /* harmless after a failed start */
	assert_int_equal(out.len, 0);
	sb_free(&out);
}

/* ---- round trips ---- */

static void
test_empty(void **state)
{
	strbuf enc;

	(void) state;
	for (int level = 0; level <= 9; level += 9) {
		round_trip("", 0, level, &enc);
		/* header, an empty final block, trailer */
		assert_in_range(enc.len, 20, 32);
		assert_int_equal(le32(enc.data + enc.len - 4), 0);
		sb_free(&enc);
	}
}

static void
test_small(void **state)
{
	static const char msg[] = "hello, \0binary\xff world\n";
	strbuf enc;

	(void) state;
	round_trip(msg, sizeof(msg), 6, NULL);
	round_trip("x", 1, 1, NULL);
	/* repetitive text shrinks */
	{
		char buf[4096];

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = "abcabcabd"[i % 9];
		round_trip(buf, sizeof(buf), 9, &enc);
		assert_true(enc.len < sizeof(buf) / 10);
		sb_free(&enc);
	}
}

static void
test_big_levels(void **state)
{
	unsigned char *data = make_data(BIG_SIZE);
	strbuf enc0, enc1, enc9;

	(void) state;
	round_trip(data, BIG_SIZE, 0, &enc0);
	round_trip(data, BIG_SIZE, 1, &enc1);
	round_trip(data, BIG_SIZE, 9, &enc9);
	/* level 0 stores (slightly larger than the input); the others compress */
	assert_true(enc0.len > BIG_SIZE);
	assert_true(enc1.len < BIG_SIZE * 3 / 4);
	assert_true(enc9.len < BIG_SIZE * 3 / 4);
	assert_true(enc9.len <= enc1.len);
	sb_free(&enc0);
	sb_free(&enc1);
	sb_free(&enc9);
	free(data);
}

static void
test_decode_piece_sizes(void **state)
{
	unsigned char *data = make_data(200000);
	strbuf enc, dec;
	char err[256];
	int in_finish;

	(void) state;
	encode(data, 200000, 6, &enc);
	/* one byte at a time, and everything in one write */
	assert_int_equal(decode(enc.data, enc.len, 1, &dec, &in_finish, err, sizeof(err)), 0);
	assert_int_equal(dec.len, 200000);
	assert_memory_equal(dec.data, data, 200000);
	sb_free(&dec);
	assert_int_equal(decode(enc.data, enc.len, enc.len, &dec, &in_finish, err, sizeof(err)), 0);
	assert_int_equal(dec.len, 200000);
	assert_memory_equal(dec.data, data, 200000);
	sb_free(&dec);
	sb_free(&enc);
	free(data);
}

static void
test_decode_expands_far(void **state)
{
	/* 3 MB of zeros compress to a few KB: one write must yield many output buffers */
	size_t len = 3u * 1024 * 1024;
	unsigned char *zeros = calloc(1, len);
	strbuf enc, dec;
	char err[256];
	int in_finish;

	(void) state;
	assert_non_null(zeros);
	encode(zeros, len, 9, &enc);
	assert_true(enc.len < 16 * 1024);
	assert_int_equal(decode(enc.data, enc.len, enc.len, &dec, &in_finish, err, sizeof(err)), 0);
	assert_int_equal(dec.len, len);
	assert_memory_equal(dec.data, zeros, len);
	sb_free(&dec);
	sb_free(&enc);
	free(zeros);
}

/* ---- damaged input ---- */

static void
test_truncated(void **state)
{
	unsigned char *data = make_data(100000);
	strbuf enc, dec;
	char err[256];
	int in_finish;
	static const size_t cuts[] = {0, 1, 5, 10, 11, 100};

	(void) state;
	encode(data, 100000, 6, &enc);
	/* missing the end: every write succeeds, finish reports it */
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		assert_int_equal(decode(enc.data, cuts[i], 0, &dec, &in_finish, err, sizeof(err)), -1);
		assert_true(in_finish);
		assert_non_null(strstr(err, "truncated"));
		sb_free(&dec);
	}
	assert_int_equal(decode(enc.data, enc.len / 2, 0, &dec, &in_finish, err, sizeof(err)), -1);
	assert_true(in_finish);
	sb_free(&dec);
	assert_int_equal(decode(enc.data, enc.len - 1, 0, &dec, &in_finish, err, sizeof(err)), -1);
	assert_true(in_finish);
	sb_free(&dec);
	/* without a part of the trailer the output may be complete, but not verified */
	assert_int_equal(decode(enc.data, enc.len - 8, 0, &dec, &in_finish, err, sizeof(err)), -1);
	assert_true(in_finish);
	sb_free(&dec);
	sb_free(&enc);
	free(data);
}

static void
expect_corrupt(const strbuf *enc, size_t pos, unsigned char mask)
{
	strbuf dec;
	char *bad = xmalloc(enc->len);
	char err[256];
	int in_finish;

	memcpy(bad, enc->data, enc->len);
	bad[pos] ^= (char) mask;
	if (decode(bad, enc->len, 0, &dec, &in_finish, err, sizeof(err)) == 0)
		fail_msg("flipping byte %zu of %zu went unnoticed", pos, enc->len);
	sb_free(&dec);
	free(bad);
}

static void
test_corrupt(void **state)
{
	unsigned char *data = make_data(300000);
	strbuf enc, enc0;

	(void) state;
	encode(data, 300000, 6, &enc);
	expect_corrupt(&enc, enc.len / 2, 0xff);
	expect_corrupt(&enc, enc.len / 3, 0x01);
	expect_corrupt(&enc, 0, 0x01);               /* magic */
	expect_corrupt(&enc, 2, 0x01);               /* method */
	expect_corrupt(&enc, enc.len - 8, 0x10);     /* CRC-32 */
	expect_corrupt(&enc, enc.len - 2, 0x01);     /* length */

	/* stored blocks: the payload is verbatim, only the CRC can catch it */
	encode(data, 300000, 0, &enc0);
	expect_corrupt(&enc0, enc0.len / 2, 0x20);
	sb_free(&enc0);
	sb_free(&enc);
	free(data);
}

static void
test_corrupt_fails_in_write(void **state)
{
	unsigned char *data = make_data(50000);
	strbuf enc, dec;
	char err[256];
	int in_finish = -1;

	(void) state;
	encode(data, 50000, 6, &enc);
	enc.data[0] = 'P';          /* not a gzip member at all */
	assert_int_equal(decode(enc.data, enc.len, 0, &dec, &in_finish, err, sizeof(err)), -1);
	assert_false(in_finish);
	assert_non_null(strstr(err, "corrupt"));
	sb_free(&dec);
	sb_free(&enc);
	free(data);
}

static void
test_trailing_garbage(void **state)
{
	unsigned char *data = make_data(20000);
	strbuf enc, dec;
	codec_stream s;
	char err[256];
	int in_finish;

	(void) state;
	encode(data, 20000, 6, &enc);

	/* in the same write as the end of the member */
	sb_append(&enc, "garbage");
	assert_int_equal(decode(enc.data, enc.len, enc.len, &dec, &in_finish, err, sizeof(err)), -1);
	assert_false(in_finish);
	assert_non_null(strstr(err, "after its end"));
	sb_free(&dec);
	/* in later writes, piece by piece */
	assert_int_equal(decode(enc.data, enc.len, 1, &dec, &in_finish, err, sizeof(err)), -1);
	assert_false(in_finish);
	sb_free(&dec);

	/* a single extra byte in a write of its own */
	enc.len -= strlen("garbage");
	sb_init(&dec);
	assert_int_equal(codec_decoder(&s, &codec_gzip_ops, sink_to_strbuf, &dec), 0);
	assert_int_equal(codec_write(&s, enc.data, enc.len), 0);
	assert_int_equal(codec_write(&s, "\0", 1), -1);
	codec_free(&s);
	sb_free(&dec);

	/* a second gzip member is not part of this one */
	{
		strbuf two;

		sb_init(&two);
		sb_append_len(&two, enc.data, enc.len);
		sb_append_len(&two, enc.data, enc.len);
		assert_int_equal(decode(two.data, two.len, 0, &dec, &in_finish, err, sizeof(err)), -1);
		sb_free(&dec);
		sb_free(&two);
	}
	sb_free(&enc);
	free(data);
}

static void
test_sink_failure(void **state)
{
	unsigned char *data = make_data(1000000);
	codec_stream s;
	limited_sink ls = {0, 1000, 0};
	strbuf enc;
	int rc = 0;

	(void) state;
	/* encoder: the sink's failure comes back from write or finish */
	assert_int_equal(codec_encoder(&s, &codec_gzip_ops, 0, sink_limited, &ls), 0);
	for (size_t off = 0; off < 1000000 && rc == 0; off += 10000)
		rc = codec_write(&s, data + off, 10000);
	if (rc == 0)
		rc = codec_finish(&s);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(s.error, "write"));
	codec_free(&s);

	/* decoder likewise */
	encode(data, 1000000, 1, &enc);
	ls.taken = 0;
	ls.limit = 100000;
	assert_int_equal(codec_decoder(&s, &codec_gzip_ops, sink_limited, &ls), 0);
	assert_int_equal(codec_write(&s, enc.data, enc.len), -1);
	assert_non_null(strstr(s.error, "write"));
	codec_free(&s);
	sb_free(&enc);
	free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_reset_reuses_encoder),
		cmocka_unit_test(test_bad_level),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_big_levels),
		cmocka_unit_test(test_decode_piece_sizes),
		cmocka_unit_test(test_decode_expands_far),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_corrupt_fails_in_write),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_sink_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
