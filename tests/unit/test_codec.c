/*
 * test_codec.c — unit tests for codec.c and the codecs behind it
 * (codec_gzip.c, codec_zstd.c, codec_none.c): the registry and
 * codec_parse_spec, round trips, the encoded formats checked with zlib and
 * libzstd directly (and with gunzip / zstd -d when they are installed),
 * gzip's one member per block, the decoders' reading of consecutive
 * members / frames and of the single-member gzip earlier versions wrote,
 * their detection of truncated, corrupt and over-long input, and a 64 MiB
 * stream through each codec in bounded pieces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "archive/codec.h"
#include "util/strbuf.h"

#define BIG_SIZE (5u * 1024 * 1024)
#define BLOCK ((size_t) CODEC_GZIP_BLOCK)

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

/* COPY text: lines that differ but repeat their shape, generated piece by piece. */
typedef struct textgen {
	unsigned long n;
	char line[160];
	size_t line_len;
	size_t line_pos;
} textgen;

static void
textgen_fill(textgen *g, unsigned char *buf, size_t len)
{
	static const char *const states[] = {"pending", "paid", "refunded", "failed"};
	size_t i = 0;

	while (i < len) {
		size_t m;

		if (g->line_pos == g->line_len) {
			int k = snprintf(g->line, sizeof(g->line),
			    "%lu\tuser_%lu@example.com\t%s\t2024-%02lu-%02lu 12:%02lu:00+00\t\\N\n", g->n,
			    g->n * 7919 % 100000, states[g->n % 4], g->n % 12 + 1, g->n % 28 + 1,
			    g->n % 60);

			assert_true(k > 0 && (size_t) k < sizeof(g->line));
			g->line_len = (size_t) k;
			g->line_pos = 0;
			g->n++;
		}
		m = g->line_len - g->line_pos;
		if (m > len - i)
			m = len - i;
		memcpy(buf + i, g->line + g->line_pos, m);
		g->line_pos += m;
		i += m;
	}
}

static unsigned char *
make_text(size_t len)
{
	unsigned char *d = xmalloc(len ? len : 1);
	textgen g;

	memset(&g, 0, sizeof(g));
	textgen_fill(&g, d, len);
	return d;
}

/* Odd piece sizes, cycling. */
static const size_t pieces[] = {1, 7, 4093, 65537, 131071, 300007, 3, 262147};
#define N_PIECES (sizeof(pieces) / sizeof(pieces[0]))

static void
encode_ops(const codec_ops *ops, const void *data, size_t len, int level, strbuf *out)
{
	codec_stream s;
	const unsigned char *p = data;
	size_t off = 0;
	size_t i = 0;

	sb_init(out);
	assert_int_equal(codec_encoder(&s, ops, level, sink_to_strbuf, out), 0);
	while (off < len) {
		size_t n = pieces[i++ % N_PIECES];

		if (n > len - off)
			n = len - off;
		assert_int_equal(codec_write(&s, p + off, n), 0);
		off += n;
	}
	assert_int_equal(codec_finish(&s), 0);
	codec_free(&s);
	assert_null(s.ctx);
}

static void
encode(const void *data, size_t len, int level, strbuf *out)
{
	encode_ops(&codec_gzip_ops, data, len, level, out);
}

/* The end of a decode: finish unless a write failed; -1 with the error and where. */
static int
decode_end(codec_stream *s, int rc, int *failed_in_finish, char *err, size_t errsize)
{
	if (rc == 0 && codec_finish(s) != 0) {
		rc = -1;
		*failed_in_finish = 1;
	}
	if (rc != 0) {
		assert_true(s->error[0] != '\0');
		snprintf(err, errsize, "%s", s->error);
	}
	codec_free(s);
	return rc;
}

/* Decode in pieces of size step (0: cycle through pieces[]); returns 0 or -1 with where it failed. */
static int
decode_ops(const codec_ops *ops, const void *data, size_t len, size_t step, strbuf *out,
    int *failed_in_finish, char *err, size_t errsize)
{
	codec_stream s;
	const unsigned char *p = data;
	size_t off = 0;
	size_t i = 0;
	int rc = 0;

	*failed_in_finish = 0;
	sb_init(out);
	assert_int_equal(codec_decoder(&s, ops, sink_to_strbuf, out), 0);
	while (off < len) {
		size_t n = step ? step : pieces[i++ % N_PIECES];

		if (n > len - off)
			n = len - off;
		if (codec_write(&s, p + off, n) != 0) {
			rc = -1;
			break;
		}
		off += n;
	}
	return decode_end(&s, rc, failed_in_finish, err, errsize);
}

static int
decode(const void *data, size_t len, size_t step, strbuf *out, int *failed_in_finish,
    char *err, size_t errsize)
{
	return decode_ops(&codec_gzip_ops, data, len, step, out, failed_in_finish, err, errsize);
}

/*
 * Decode the first len bytes in writes that end at each of cuts[] (ascending,
 * equal ones make empty writes), then the rest.
 */
static int
decode_cuts(const codec_ops *ops, const void *data, size_t len, const size_t *cuts,
    size_t ncuts, strbuf *out, int *failed_in_finish, char *err, size_t errsize)
{
	codec_stream s;
	const unsigned char *p = data;
	size_t off = 0;
	int rc = 0;

	*failed_in_finish = 0;
	sb_init(out);
	assert_int_equal(codec_decoder(&s, ops, sink_to_strbuf, out), 0);
	for (size_t i = 0; i <= ncuts && rc == 0; i++) {
		size_t end = i < ncuts ? cuts[i] : len;

		assert_true(end >= off && end <= len);
		if (codec_write(&s, p + off, end - off) != 0)
			rc = -1;
		off = end;
	}
	return decode_end(&s, rc, failed_in_finish, err, errsize);
}

/* Decoding enc (whole, in the given step) must succeed and give back want. */
static void
expect_decodes(const codec_ops *ops, const void *enc, size_t enc_len, size_t step,
    const void *want, size_t want_len)
{
	strbuf dec;
	char err[256];
	int in_finish;

	if (decode_ops(ops, enc, enc_len, step, &dec, &in_finish, err, sizeof(err)) != 0)
		fail_msg("%s: decoding %zu bytes in steps of %zu failed: %s", ops->name, enc_len, step, err);
	assert_int_equal(dec.len, want_len);
	if (want_len)
		assert_memory_equal(dec.data, want, want_len);
	sb_free(&dec);
}

/* Decoding the first len bytes of enc must fail in finish with "truncated". */
static void
expect_truncated(const codec_ops *ops, const void *enc, size_t len, size_t step)
{
	strbuf dec;
	char err[256];
	int in_finish;

	if (decode_ops(ops, enc, len, step, &dec, &in_finish, err, sizeof(err)) == 0)
		fail_msg("%s: the first %zu bytes decoded without complaint (step %zu)", ops->name, len, step);
	if (!in_finish)
		fail_msg("%s: the first %zu bytes failed in write, not finish: %s", ops->name, len, err);
	if (!strstr(err, "truncated"))
		fail_msg("%s: the first %zu bytes: \"%s\" does not say truncated", ops->name, len, err);
	sb_free(&dec);
}

/* Little-endian 32-bit value from a trailer. */
static uint32_t
le32(const void *p)
{
	const unsigned char *u = p;

	return (uint32_t) u[0] | (uint32_t) u[1] << 8 | (uint32_t) u[2] << 16 | (uint32_t) u[3] << 24;
}

static uint32_t
crc_of(const void *data, size_t len)
{
	return (uint32_t) crc32(crc32(0, Z_NULL, 0), data, (uInt) len);
}

/*
 * gunzip's reading, done with zlib independently of the codec: inflate
 * (windowBits 15+16) one member after another, each with a stream of its
 * own, until the input is used up.  Each member must be whole and its
 * trailer must match what it holds.  The members' end offsets go to ends
 * (at most max of them), the output to out; returns the number of members.
 */
static size_t
gzip_members(const void *data, size_t len, size_t *ends, size_t max, strbuf *out)
{
	const unsigned char *p = data;
	unsigned char *buf = xmalloc(65536);
	size_t off = 0;
	size_t n = 0;

	sb_init(out);
	do {
		z_stream zs;
		size_t before = out->len;
		size_t used;
		int rc;

		memset(&zs, 0, sizeof(zs));
		assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
		zs.next_in = (Bytef *) (p + off);
		zs.avail_in = (uInt) (len - off);
		do {
			zs.next_out = buf;
			zs.avail_out = 65536;
			rc = inflate(&zs, Z_NO_FLUSH);
			if (rc != Z_OK && rc != Z_STREAM_END)
				fail_msg("gzip member %zu at offset %zu of %zu: inflate %d (%s)", n, off, len, rc,
				    zs.msg ? zs.msg : "");
			sb_append_len(out, buf, 65536 - zs.avail_out);
		} while (rc != Z_STREAM_END);
		used = (size_t) zs.total_in;
		assert_true(used >= 18);        /* 10-byte header, body, 8-byte trailer */
		assert_int_equal(p[off], 0x1f);
		assert_int_equal(p[off + 1], 0x8b);
		assert_int_equal(p[off + 2], 8);  /* deflate */
		off += used;
		assert_int_equal(le32(p + off - 4), (uint32_t) (out->len - before));
		assert_int_equal(le32(p + off - 8), crc_of(out->data + before, out->len - before));
		inflateEnd(&zs);
		if (n < max)
			ends[n] = off;
		n++;
	} while (off < len);
	free(buf);
	return n;
}

/* The number of gzip members a stream of len bytes is cut into. */
static size_t
members_for(size_t len)
{
	return len == 0 ? 1 : (len + BLOCK - 1) / BLOCK;
}

/* Decompress with zlib directly (member after member), independent of the codec. */
static void
zlib_gunzip(const void *data, size_t len, size_t expect_len, const void *expect)
{
	strbuf out;
	size_t n = gzip_members(data, len, NULL, 0, &out);

	assert_int_equal(n, members_for(expect_len));
	assert_int_equal(out.len, expect_len);
	if (expect_len)
		assert_memory_equal(out.data, expect, expect_len);
	sb_free(&out);
}

static void
assert_gzip_header(const strbuf *enc)
{
	assert_true(enc->len >= 18);       /* 10-byte header, body, 8-byte trailer */
	assert_int_equal((unsigned char) enc->data[0], 0x1f);
	assert_int_equal((unsigned char) enc->data[1], 0x8b);
	assert_int_equal((unsigned char) enc->data[2], 8);    /* deflate */
}

/*
 * libzstd's own reading, independent of the codec: enc is exactly one
 * frame, with its checksum, and ZSTD_decompress of the whole buffer gives
 * the input back.
 */
static void
zstd_check_frame(const strbuf *enc, const void *data, size_t len)
{
	unsigned long long size;
	size_t cap = len + 1;
	void *out = xmalloc(cap);
	size_t got;

	assert_true(enc->len >= 4);
	assert_int_equal(le32(enc->data), ZSTD_MAGICNUMBER);
	assert_int_equal(ZSTD_findFrameCompressedSize(enc->data, enc->len), enc->len);
	size = ZSTD_getFrameContentSize(enc->data, enc->len);
	assert_true(size != ZSTD_CONTENTSIZE_ERROR);
	if (size != ZSTD_CONTENTSIZE_UNKNOWN)
		assert_int_equal(size, len);
	got = ZSTD_decompress(out, cap, enc->data, enc->len);
	if (ZSTD_isError(got))
		fail_msg("ZSTD_decompress: %s", ZSTD_getErrorName(got));
	assert_int_equal(got, len);
	if (len)
		assert_memory_equal(out, data, len);
	free(out);
}

static int
have_tool(const char *tool)
{
	char *probe = xasprintf("command -v %s >/dev/null 2>&1", tool);
	int rc = system(probe);

	free(probe);
	return rc == 0;
}

/* What "tool args < file" writes for enc must be data (skipped when the tool is missing). */
static void
external_decode(const char *tool, const char *args, const strbuf *enc, const void *data,
    size_t len)
{
	char path[] = "/tmp/db-tools-unit-codec-XXXXXX";
	char buf[65536];
	strbuf out;
	char *cmd;
	FILE *f, *p;
	int fd;
	size_t n;

	if (!have_tool(tool)) {
		print_message("%s is not installed: its check is skipped\n", tool);
		return;
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(enc->data, 1, enc->len, f), enc->len);
	assert_int_equal(fclose(f), 0);
	cmd = xasprintf("%s %s < '%s'", tool, args, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	sb_init(&out);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		sb_append_len(&out, buf, n);
	if (pclose(p) != 0)
		fail_msg("%s failed", cmd);
	unlink(path);
	assert_int_equal(out.len, len);
	if (len)
		assert_memory_equal(out.data, data, len);
	sb_free(&out);
	free(cmd);
}

static void
round_trip(const void *data, size_t len, int level, strbuf *enc_out)
{
	strbuf enc;

	encode(data, len, level, &enc);
	assert_gzip_header(&enc);
	/* the last member's trailer holds the CRC-32 and the length of the last block */
	{
		size_t last = len == 0 ? 0 : len - (len - 1) / BLOCK * BLOCK;

		assert_int_equal(le32(enc.data + enc.len - 8),
		    crc_of((const unsigned char *) data + (len - last), last));
		assert_int_equal(le32(enc.data + enc.len - 4), (uint32_t) last);
	}
	zlib_gunzip(enc.data, enc.len, len, data);
	expect_decodes(&codec_gzip_ops, enc.data, enc.len, 0, data, len);
	if (enc_out)
		*enc_out = enc;
	else
		sb_free(&enc);
}

/* ---- registry and specs ---- */

static void
test_registry(void **state)
{
	const codec_ops *gz = codec_find("gzip");
	const codec_ops *zs = codec_find("zstd");
	const codec_ops *no = codec_find("none");

	(void) state;
	assert_non_null(gz);
	assert_ptr_equal(gz, &codec_gzip_ops);
	assert_string_equal(gz->name, "gzip");
	assert_string_equal(gz->extension, ".gz");
	assert_int_equal(gz->min_level, 0);
	assert_int_equal(gz->max_level, 9);
	assert_int_equal(gz->default_level, 1);
	assert_ptr_equal(codec_default(), gz);

	assert_non_null(zs);
	assert_ptr_equal(zs, &codec_zstd_ops);
	assert_string_equal(zs->name, "zstd");
	assert_string_equal(zs->extension, ".zst");
	assert_int_equal(zs->min_level, 1);
	assert_int_equal(zs->max_level, 19);
	assert_int_equal(zs->default_level, 3);

	assert_non_null(no);
	assert_ptr_equal(no, &codec_none_ops);
	assert_string_equal(no->name, "none");
	assert_string_equal(no->extension, "");
	assert_int_equal(no->min_level, 0);
	assert_int_equal(no->max_level, 0);
	assert_int_equal(no->default_level, 0);

	/* every hook is there */
	{
		const codec_ops *all[] = {gz, zs, no};

		for (size_t i = 0; i < 3; i++) {
			assert_non_null(all[i]->enc_new);
			assert_non_null(all[i]->enc_write);
			assert_non_null(all[i]->enc_finish);
			assert_non_null(all[i]->enc_reset);
			assert_non_null(all[i]->enc_free);
			assert_non_null(all[i]->dec_new);
			assert_non_null(all[i]->dec_write);
			assert_non_null(all[i]->dec_finish);
			assert_non_null(all[i]->dec_free);
			assert_true(all[i]->min_level <= all[i]->default_level);
			assert_true(all[i]->default_level <= all[i]->max_level);
		}
	}

	assert_null(codec_find("lz4"));
	assert_null(codec_find("GZIP"));
	assert_null(codec_find("Zstd"));
	assert_null(codec_find("gz"));
	assert_null(codec_find("zst"));
	assert_null(codec_find("gzip:1"));
	assert_null(codec_find(""));
}

static void
expect_spec(const char *spec, const codec_ops *ops, int level)
{
	const codec_ops *got = NULL;
	int got_level = -99;
	char err[256] = "";

	if (codec_parse_spec(spec, &got, &got_level, err, sizeof(err)) != 0)
		fail_msg("spec \"%s\" rejected: %s", spec, err);
	if (got != ops || got_level != level)
		fail_msg("spec \"%s\" gave %s:%d, not %s:%d", spec, got ? got->name : "NULL", got_level,
		    ops->name, level);
}

static void
expect_bad_spec(const char *spec, const char *why)
{
	const codec_ops *got = NULL;
	int level = -99;
	char err[256] = "";

	if (codec_parse_spec(spec, &got, &level, err, sizeof(err)) != -1)
		fail_msg("spec \"%s\" accepted as %s:%d", spec, got ? got->name : "NULL", level);
	if (!err[0])
		fail_msg("spec \"%s\": rejected without a message", spec);
	if (why && !strstr(err, why))
		fail_msg("spec \"%s\": \"%s\" does not say \"%s\"", spec, err, why);
}

static void
test_parse_spec(void **state)
{
	(void) state;
	/* a method alone: its default level */
	expect_spec("gzip", &codec_gzip_ops, 1);
	expect_spec("zstd", &codec_zstd_ops, 3);
	expect_spec("none", &codec_none_ops, 0);
	/* METHOD:LEVEL, at both ends of each range */
	expect_spec("gzip:1", &codec_gzip_ops, 1);
	expect_spec("gzip:0", &codec_gzip_ops, 0);
	expect_spec("gzip:9", &codec_gzip_ops, 9);
	expect_spec("zstd:3", &codec_zstd_ops, 3);
	expect_spec("zstd:1", &codec_zstd_ops, 1);
	expect_spec("zstd:7", &codec_zstd_ops, 7);
	expect_spec("zstd:19", &codec_zstd_ops, 19);
	expect_spec("none:0", &codec_none_ops, 0);
	/* a bare number: a gzip level, as -Z always took */
	for (int n = 0; n <= 9; n++) {
		char spec[4];

		snprintf(spec, sizeof(spec), "%d", n);
		expect_spec(spec, &codec_gzip_ops, n);
	}

	/* unknown methods */
	expect_bad_spec("lz4", "unknown");
	expect_bad_spec("fast", "unknown");
	expect_bad_spec("GZIP", "unknown");
	expect_bad_spec("gz", "unknown");
	expect_bad_spec("gzipx", "unknown");
	expect_bad_spec("", "unknown");
	expect_bad_spec(":3", "unknown");
	expect_bad_spec("lz4:1", "unknown");
	expect_bad_spec("-1", NULL);
	expect_bad_spec(" gzip", NULL);
	/* levels out of range */
	expect_bad_spec("zstd:0", "range");
	expect_bad_spec("zstd:20", "range");
	expect_bad_spec("zstd:22", "range");
	expect_bad_spec("gzip:10", "range");
	expect_bad_spec("none:1", "range");
	expect_bad_spec("10", "range");
	expect_bad_spec("99", "range");
	/* levels that are not numbers, or empty */
	expect_bad_spec("gzip:", "level");
	expect_bad_spec("zstd:", "level");
	expect_bad_spec("none:", "level");
	expect_bad_spec("gzip:x", "level");
	expect_bad_spec("gzip:-1", "level");
	expect_bad_spec("gzip:+1", "level");
	expect_bad_spec("gzip: 1", "level");
	expect_bad_spec("gzip:1 ", "level");
	expect_bad_spec("zstd:3.5", "level");
	expect_bad_spec("gzip:1:2", "level");
	expect_bad_spec("zstd:99999999999999999999", NULL);   /* no overflow into range */
	expect_bad_spec("4294967297", NULL);

	/* a small error buffer is cut, not overrun */
	{
		const codec_ops *got;
		int level;
		char err[16];

		memset(err, 'X', sizeof(err));
		assert_int_equal(codec_parse_spec("zstd:20", &got, &level, err, 8), -1);
		assert_int_equal(strlen(err), 7);
		for (size_t i = 8; i < sizeof(err); i++)
			assert_int_equal(err[i], 'X');
	}
}

static void
test_bad_level(void **state)
{
	/* what libdeflate cannot do (its levels are 0..12); the spec parser keeps -Z to 0..9 */
	static const int bad[] = {13, -1, 100};
	codec_stream s;
	strbuf out;

	(void) state;
	sb_init(&out);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(codec_encoder(&s, &codec_gzip_ops, bad[i], sink_to_strbuf, &out), -1);
		assert_null(s.ctx);
		assert_true(s.error[0] != '\0');
		codec_free(&s);           /* harmless after a failed start */
	}
	assert_int_equal(out.len, 0);
	sb_free(&out);
}

/* One encoder, reset between members: each member decodes to its own input alone. */
static void
test_reset_reuses_encoder(void **state)
{
	static const char *inputs[] = {"first member\n", "", "second\tmember\n\\N\n"};
	const codec_ops *all[] = {&codec_gzip_ops, &codec_zstd_ops, &codec_none_ops};

	(void) state;
	for (size_t c = 0; c < 3; c++) {
		const codec_ops *ops = all[c];
		strbuf out;
		codec_stream s;

		sb_init(&out);
		assert_int_equal(codec_encoder(&s, ops, ops == &codec_gzip_ops ? 6 : ops->default_level,
		    sink_to_strbuf, &out), 0);
		for (int i = 0; i < 3; i++) {
			if (i > 0)
				assert_int_equal(codec_reset(&s), 0);
			sb_reset(&out);
			assert_int_equal(codec_write(&s, inputs[i], strlen(inputs[i])), 0);
			assert_int_equal(codec_finish(&s), 0);
			if (ops == &codec_gzip_ops) {
				assert_true(out.len >= 18);   /* a gzip header and trailer at least */
				zlib_gunzip(out.data, out.len, strlen(inputs[i]), inputs[i]);
			} else if (ops == &codec_zstd_ops) {
				zstd_check_frame(&out, inputs[i], strlen(inputs[i]));
			} else {
				assert_int_equal(out.len, strlen(inputs[i]));
			}
			expect_decodes(ops, out.data, out.len, 0, inputs[i], strlen(inputs[i]));
		}
		/* a reset in the middle of a member drops what was written of it */
		assert_int_equal(codec_reset(&s), 0);
		assert_int_equal(codec_write(&s, "dropped", 7), 0);
		assert_int_equal(codec_reset(&s), 0);
		sb_reset(&out);
		assert_int_equal(codec_write(&s, "kept\n", 5), 0);
		assert_int_equal(codec_finish(&s), 0);
		expect_decodes(ops, out.data, out.len, 0, "kept\n", 5);
		codec_free(&s);
		sb_free(&out);
	}
}

/* ---- gzip round trips ---- */

/*
 * Blank-padded text (as in pgbench) compresses so well that the encoder
 * switches to zlib after the first block: still one gzip member per block,
 * the same bytes back, and libdeflate again for ordinary text that follows
 * in the next member.
 */
static void
test_redundant_blocks(void **state)
{
	size_t len = 5 * BLOCK + 123;
	unsigned char *data = xmalloc(len);
	unsigned char *text = make_text(2 * BLOCK);
	codec_stream s;
	strbuf enc, dec;
	size_t n;

	(void) state;
	for (size_t i = 0; i < len; i++)
		data[i] = (unsigned char) (i % 97 == 96 ? '\n' : i % 97 < 6 ? '0' + (int) (i % 10) : ' ');
	sb_init(&enc);
	assert_int_equal(codec_encoder(&s, &codec_gzip_ops, 1, sink_to_strbuf, &enc), 0);
	assert_int_equal(codec_write(&s, data, len), 0);
	assert_int_equal(codec_finish(&s), 0);
	assert_true(enc.len * 20 < len);
	n = gzip_members(enc.data, enc.len, NULL, 0, &dec);
	assert_int_equal(n, members_for(len));
	assert_int_equal(dec.len, len);
	assert_memory_equal(dec.data, data, len);
	sb_free(&dec);
	/* the next member: ordinary text, decoded whole */
	sb_reset(&enc);
	assert_int_equal(codec_reset(&s), 0);
	assert_int_equal(codec_write(&s, text, 2 * BLOCK), 0);
	assert_int_equal(codec_finish(&s), 0);
	zlib_gunzip(enc.data, enc.len, 2 * BLOCK, text);
	codec_free(&s);
	sb_free(&enc);
	free(text);
	free(data);
}

static void
test_empty(void **state)
{
	strbuf enc;

	(void) state;
	for (int level = 0; level <= 9; level++) {
		round_trip("", 0, level, &enc);
		/* one member: header, an empty final block, trailer */
		assert_in_range(enc.len, 20, 32);
		assert_int_equal(le32(enc.data + enc.len - 4), 0);
		external_decode("gzip", "-dc", &enc, "", 0);
		sb_free(&enc);
	}
	/* empty writes are no writes */
	{
		codec_stream s;

		sb_init(&enc);
		assert_int_equal(codec_encoder(&s, &codec_gzip_ops, 1, sink_to_strbuf, &enc), 0);
		assert_int_equal(codec_write(&s, "", 0), 0);
		assert_int_equal(codec_write(&s, "", 0), 0);
		assert_int_equal(codec_finish(&s), 0);
		codec_free(&s);
		zlib_gunzip(enc.data, enc.len, 0, "");
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
	/* half of this data is random: libdeflate's level 9 may come out a little larger than 1 */
	assert_true(enc9.len <= enc1.len + enc1.len / 100);
	external_decode("gzip", "-dc", &enc1, data, BIG_SIZE);
	sb_free(&enc0);
	sb_free(&enc1);
	sb_free(&enc9);
	free(data);

	/* on COPY text the higher level does pay */
	data = make_text(2 * BLOCK);
	encode(data, 2 * BLOCK, 1, &enc1);
	encode(data, 2 * BLOCK, 9, &enc9);
	assert_true(enc1.len < BLOCK / 2);
	assert_true(enc9.len < enc1.len);
	sb_free(&enc1);
	sb_free(&enc9);
	free(data);
}

static void
test_decode_piece_sizes(void **state)
{
	unsigned char *data = make_data(200000);
	strbuf enc;

	(void) state;
	encode(data, 200000, 6, &enc);
	/* one byte at a time, and everything in one write */
	expect_decodes(&codec_gzip_ops, enc.data, enc.len, 1, data, 200000);
	expect_decodes(&codec_gzip_ops, enc.data, enc.len, enc.len, data, 200000);
	sb_free(&enc);
	free(data);
}

static void
test_decode_expands_far(void **state)
{
	/* 3 MB of zeros compress to a few KB: one write must yield many output buffers */
	size_t len = 3u * 1024 * 1024;
	unsigned char *zeros = calloc(1, len);
	strbuf enc;

	(void) state;
	assert_non_null(zeros);
	encode(zeros, len, 9, &enc);
	assert_true(enc.len < 16 * 1024);
	expect_decodes(&codec_gzip_ops, enc.data, enc.len, enc.len, zeros, len);
	sb_free(&enc);
	free(zeros);
}

/* ---- gzip: one member per block ---- */

static void
test_gzip_members(void **state)
{
	static const size_t sizes[] = {
		BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 2 * BLOCK + BLOCK / 2, 3 * BLOCK + 12345,
	};
	size_t ends[8];

	(void) state;
	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		size_t len = sizes[t];
		unsigned char *data = make_data(len);
		size_t want = members_for(len);
		strbuf enc, whole, out;
		codec_stream s;
		size_t n;

		encode_ops(&codec_gzip_ops, data, len, codec_gzip_ops.default_level, &enc);
		n = gzip_members(enc.data, enc.len, ends, 8, &out);
		if (n != want)
			fail_msg("%zu bytes: %zu gzip members, not %zu", len, n, want);
		assert_int_equal(out.len, len);
		assert_memory_equal(out.data, data, len);
		/* every member but the last holds a whole block */
		for (size_t i = 0; i < n; i++) {
			size_t isize = le32(enc.data + ends[i] - 4);

			assert_int_equal(isize, i + 1 < n ? BLOCK : len - (n - 1) * BLOCK);
		}
		assert_int_equal(ends[n - 1], enc.len);
		sb_free(&out);

		/* the blocks do not depend on how the input was written */
		sb_init(&whole);
		assert_int_equal(codec_encoder(&s, &codec_gzip_ops, codec_gzip_ops.default_level,
		    sink_to_strbuf, &whole), 0);
		assert_int_equal(codec_write(&s, data, len), 0);
		assert_int_equal(codec_finish(&s), 0);
		codec_free(&s);
		assert_int_equal(whole.len, enc.len);
		assert_memory_equal(whole.data, enc.data, enc.len);
		sb_free(&whole);

		if (t == 4)
			external_decode("gzip", "-dc", &enc, data, len);
		sb_free(&enc);
		free(data);
	}
}

/* Earlier versions wrote one gzip member with zlib's deflate; it must still read. */
static void
legacy_gzip(const void *data, size_t len, int level, gz_header *head, strbuf *out)
{
	z_stream zs;
	unsigned char *buf = xmalloc(65536);
	int rc;

	sb_init(out);
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	if (head)
		assert_int_equal(deflateSetHeader(&zs, head), Z_OK);
	zs.next_in = (Bytef *) data;
	zs.avail_in = (uInt) len;
	do {
		zs.next_out = buf;
		zs.avail_out = 65536;
		rc = deflate(&zs, Z_FINISH);
		assert_true(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR);
		sb_append_len(out, buf, 65536 - zs.avail_out);
	} while (rc != Z_STREAM_END);
	deflateEnd(&zs);
	free(buf);
}

static void
test_gzip_legacy_single_member(void **state)
{
	size_t big = 3 * BLOCK + 777;        /* more than a block in one member */
	unsigned char *data = make_data(big);
	unsigned char *text = make_text(300000);
	strbuf enc, both, now;
	gz_header head;
	size_t ends[4];

	(void) state;
	legacy_gzip(data, big, 6, NULL, &enc);
	assert_int_equal(gzip_members(enc.data, enc.len, ends, 4, &both), 1);
	sb_free(&both);
	expect_decodes(&codec_gzip_ops, enc.data, enc.len, 0, data, big);
	expect_decodes(&codec_gzip_ops, enc.data, enc.len, enc.len, data, big);
	expect_truncated(&codec_gzip_ops, enc.data, enc.len - 1, 0);
	expect_truncated(&codec_gzip_ops, enc.data, enc.len / 2, 0);
	sb_free(&enc);

	/* smaller ones byte by byte, at the levels -Z allowed */
	for (int level = 0; level <= 9; level += 3) {
		legacy_gzip(text, 300000, level, NULL, &enc);
		expect_decodes(&codec_gzip_ops, enc.data, enc.len, 1, text, 300000);
		sb_free(&enc);
	}

	/* with the optional header fields gzip(1) writes: a name, a time, a comment */
	memset(&head, 0, sizeof(head));
	head.name = (Bytef *) "payments.copy";
	head.comment = (Bytef *) "db-tools";
	head.time = 1700000000;
	head.os = 3;
	head.hcrc = 1;
	legacy_gzip(text, 300000, 6, &head, &enc);
	expect_decodes(&codec_gzip_ops, enc.data, enc.len, 0, text, 300000);
	expect_decodes(&codec_gzip_ops, enc.data, enc.len, 1, text, 300000);
	expect_truncated(&codec_gzip_ops, enc.data, 12, 1);     /* inside the name */

	/* an old member followed by new ones is one stream */
	encode_ops(&codec_gzip_ops, data, big, 1, &now);
	sb_init(&both);
	sb_append_len(&both, enc.data, enc.len);
	sb_append_len(&both, now.data, now.len);
	{
		unsigned char *want = xmalloc(300000 + big);

		memcpy(want, text, 300000);
		memcpy(want + 300000, data, big);
		expect_decodes(&codec_gzip_ops, both.data, both.len, 0, want, 300000 + big);
		free(want);
	}
	sb_free(&both);
	sb_free(&now);
	sb_free(&enc);
	free(text);
	free(data);
}

static void
test_gzip_pieces_across_members(void **state)
{
	size_t len = 2 * BLOCK + BLOCK / 2;
	unsigned char *data = make_text(len);
	size_t ends[4];
	strbuf enc, out;

	(void) state;
	encode_ops(&codec_gzip_ops, data, len, 1, &enc);
	assert_int_equal(gzip_members(enc.data, enc.len, ends, 4, &out), 3);
	sb_free(&out);

	/* fixed steps, odd ones, and one write */
	expect_decodes(&codec_gzip_ops, enc.data, enc.len, 1, data, len);
	expect_decodes(&codec_gzip_ops, enc.data, enc.len, 3, data, len);
	expect_decodes(&codec_gzip_ops, enc.data, enc.len, 4093, data, len);
	expect_decodes(&codec_gzip_ops, enc.data, enc.len, 0, data, len);
	expect_decodes(&codec_gzip_ops, enc.data, enc.len, enc.len, data, len);

	/* writes that end just before, at, or just after each boundary, or inside the next header */
	for (size_t m = 0; m < 2; m++) {
		size_t b = ends[m];
		const size_t plans[][4] = {
			{b - 1, b, b, b + 1},       /* the boundary alone, and an empty write there */
			{b - 1, b + 1, b + 1, b + 1},
			{b, b + 1, b + 2, b + 3},   /* the next header a byte at a time */
			{b - 5, b + 5, b + 9, b + 10},
			{b - 8, b - 4, b, b + 10},  /* the trailer in pieces */
			{b + 10, b + 11, b + 11, b + 11},
		};

		for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
			char err[256];
			int in_finish;

			if (decode_cuts(&codec_gzip_ops, enc.data, enc.len, plans[i], 4, &out, &in_finish,
			    err, sizeof(err)) != 0)
				fail_msg("boundary %zu, plan %zu: %s", m, i, err);
			assert_int_equal(out.len, len);
			assert_memory_equal(out.data, data, len);
			sb_free(&out);
		}
	}
	sb_free(&enc);
	free(data);
}

/* ---- damaged input ---- */

static void
test_truncated(void **state)
{
	unsigned char *data = make_data(100000);
	strbuf enc;
	static const size_t cuts[] = {0, 1, 2, 5, 9, 10, 11, 100};

	(void) state;
	encode(data, 100000, 6, &enc);
	/* missing the end: every write succeeds, finish reports it */
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		expect_truncated(&codec_gzip_ops, enc.data, cuts[i], 0);
		expect_truncated(&codec_gzip_ops, enc.data, cuts[i], 1);
	}
	expect_truncated(&codec_gzip_ops, enc.data, enc.len / 2, 0);
	expect_truncated(&codec_gzip_ops, enc.data, enc.len - 1, 0);
	expect_truncated(&codec_gzip_ops, enc.data, enc.len - 1, 1);
	/* without a part of the trailer the output may be complete, but not verified */
	expect_truncated(&codec_gzip_ops, enc.data, enc.len - 4, 0);
	expect_truncated(&codec_gzip_ops, enc.data, enc.len - 8, 0);
	sb_free(&enc);
	free(data);
}

/*
 * Several members: a cut at a boundary leaves a complete, shorter stream;
 * a cut inside a member, its header included, is truncation.
 */
static void
test_truncated_members(void **state)
{
	size_t len = 2 * BLOCK + BLOCK / 2;
	unsigned char *data = make_data(len);
	size_t ends[4];
	strbuf enc, out;

	(void) state;
	encode_ops(&codec_gzip_ops, data, len, 1, &enc);
	assert_int_equal(gzip_members(enc.data, enc.len, ends, 4, &out), 3);
	sb_free(&out);

	/* inside the last member */
	expect_truncated(&codec_gzip_ops, enc.data, ends[1] + (ends[2] - ends[1]) / 2, 0);
	expect_truncated(&codec_gzip_ops, enc.data, enc.len - 1, 0);
	expect_truncated(&codec_gzip_ops, enc.data, enc.len - 8, 0);

	for (size_t m = 0; m < 2; m++) {
		size_t b = ends[m];
		static const size_t into_header[] = {1, 2, 3, 4, 9, 10, 11, 17};

		/* at the boundary: what the members before it hold */
		expect_decodes(&codec_gzip_ops, enc.data, b, 0, data, (m + 1) * BLOCK);
		expect_decodes(&codec_gzip_ops, enc.data, b, b, data, (m + 1) * BLOCK);
		/* inside the next member's header, or just after it */
		for (size_t i = 0; i < sizeof(into_header) / sizeof(into_header[0]); i++) {
			expect_truncated(&codec_gzip_ops, enc.data, b + into_header[i], 0);
			expect_truncated(&codec_gzip_ops, enc.data, b + into_header[i], b);
		}
		/* inside this member's trailer or body */
		expect_truncated(&codec_gzip_ops, enc.data, b - 1, 0);
		expect_truncated(&codec_gzip_ops, enc.data, b - 8, 0);
		expect_truncated(&codec_gzip_ops, enc.data, b - 100, 0);
	}
	/* byte by byte: the first member, then a byte of the second */
	expect_decodes(&codec_gzip_ops, enc.data, ends[0], 1, data, BLOCK);
	expect_truncated(&codec_gzip_ops, enc.data, ends[0] + 1, 1);
	sb_free(&enc);
	free(data);
}

static void
expect_corrupt(const codec_ops *ops, const strbuf *enc, size_t pos, unsigned char mask)
{
	strbuf dec;
	char *bad = xmalloc(enc->len);
	char err[256];
	int in_finish;

	memcpy(bad, enc->data, enc->len);
	bad[pos] ^= (char) mask;
	if (decode_ops(ops, bad, enc->len, 0, &dec, &in_finish, err, sizeof(err)) == 0)
		fail_msg("%s: flipping byte %zu of %zu went unnoticed", ops->name, pos, enc->len);
	sb_free(&dec);
	free(bad);
}

static void
test_corrupt(void **state)
{
	unsigned char *data = make_data(300000);
	strbuf enc, enc0;
	size_t ends[4];
	strbuf out;

	(void) state;
	encode(data, 300000, 6, &enc);
	expect_corrupt(&codec_gzip_ops, &enc, enc.len / 2, 0xff);
	expect_corrupt(&codec_gzip_ops, &enc, enc.len / 3, 0x01);
	expect_corrupt(&codec_gzip_ops, &enc, 0, 0x01);               /* magic */
	expect_corrupt(&codec_gzip_ops, &enc, 2, 0x01);               /* method */
	expect_corrupt(&codec_gzip_ops, &enc, enc.len - 8, 0x10);     /* CRC-32 */
	expect_corrupt(&codec_gzip_ops, &enc, enc.len - 2, 0x01);     /* length */

	/* stored blocks: the payload is verbatim, only the CRC can catch it */
	encode(data, 300000, 0, &enc0);
	expect_corrupt(&codec_gzip_ops, &enc0, enc0.len / 2, 0x20);
	sb_free(&enc0);
	sb_free(&enc);

	/* in a later member, its header or its trailer */
	free(data);
	data = make_data(2 * BLOCK + 5000);
	encode(data, 2 * BLOCK + 5000, 1, &enc);
	assert_int_equal(gzip_members(enc.data, enc.len, ends, 4, &out), 3);
	sb_free(&out);
	expect_corrupt(&codec_gzip_ops, &enc, ends[0], 0x01);          /* magic of the second */
	expect_corrupt(&codec_gzip_ops, &enc, ends[0] + 2, 0x01);      /* its method */
	expect_corrupt(&codec_gzip_ops, &enc, ends[1] - 8, 0x01);      /* its CRC-32 */
	expect_corrupt(&codec_gzip_ops, &enc, ends[1] - 1, 0x01);      /* its length */
	expect_corrupt(&codec_gzip_ops, &enc, ends[1] + (enc.len - ends[1]) / 2, 0x40);
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

/* Garbage after a complete stream fails, in write or in finish, however it is written. */
static void
expect_garbage_fails(const codec_ops *ops, const strbuf *enc, const void *garbage, size_t glen)
{
	strbuf all, dec;
	char err[256];
	int in_finish;
	codec_stream s;
	int rc;

	sb_init(&all);
	sb_append_len(&all, enc->data, enc->len);
	sb_append_len(&all, garbage, glen);
	/* in the same write as the end of the stream */
	if (decode_ops(ops, all.data, all.len, all.len, &dec, &in_finish, err, sizeof(err)) == 0)
		fail_msg("%s: %zu bytes of garbage after the end went unnoticed", ops->name, glen);
	sb_free(&dec);
	/* in odd pieces, and byte by byte */
	if (decode_ops(ops, all.data, all.len, 0, &dec, &in_finish, err, sizeof(err)) == 0)
		fail_msg("%s: %zu bytes of garbage (in pieces) went unnoticed", ops->name, glen);
	sb_free(&dec);
	if (decode_ops(ops, all.data, all.len, 1, &dec, &in_finish, err, sizeof(err)) == 0)
		fail_msg("%s: %zu bytes of garbage (byte by byte) went unnoticed", ops->name, glen);
	sb_free(&dec);
	/* in a write of its own, after the stream's */
	sb_init(&dec);
	assert_int_equal(codec_decoder(&s, ops, sink_to_strbuf, &dec), 0);
	assert_int_equal(codec_write(&s, enc->data, enc->len), 0);
	rc = codec_write(&s, garbage, glen);
	if (rc == 0)
		rc = codec_finish(&s);
	if (rc == 0)
		fail_msg("%s: %zu bytes of garbage in a write of their own went unnoticed", ops->name, glen);
	assert_true(s.error[0] != '\0');
	codec_free(&s);
	sb_free(&dec);
	sb_free(&all);
}

static void
test_trailing_garbage(void **state)
{
	unsigned char *data = make_data(20000);
	unsigned char *big = make_data(BLOCK + 20000);
	unsigned char zeros[512];
	strbuf enc, multi, dec;
	char err[256];
	int in_finish;

	(void) state;
	memset(zeros, 0, sizeof(zeros));
	encode(data, 20000, 6, &enc);
	encode(big, BLOCK + 20000, 1, &multi);

	/* text that is no gzip header fails at once */
	sb_append(&enc, "garbage");
	assert_int_equal(decode(enc.data, enc.len, enc.len, &dec, &in_finish, err, sizeof(err)), -1);
	assert_false(in_finish);
	assert_non_null(strstr(err, "corrupt"));
	sb_free(&dec);
	enc.len -= strlen("garbage");

	for (int i = 0; i < 2; i++) {
		const strbuf *e = i ? &multi : &enc;

		expect_garbage_fails(&codec_gzip_ops, e, "garbage", 7);
		expect_garbage_fails(&codec_gzip_ops, e, "\0", 1);
		expect_garbage_fails(&codec_gzip_ops, e, "\x1f", 1);
		expect_garbage_fails(&codec_gzip_ops, e, "\x1f\x8b", 2);
		expect_garbage_fails(&codec_gzip_ops, e, "\x1f\x8b\x08\0\0\0\0\0\0\xff", 10);
		expect_garbage_fails(&codec_gzip_ops, e, zeros, sizeof(zeros));   /* tar padding */
		expect_garbage_fails(&codec_gzip_ops, e, e->data, 18);  /* a member's beginning */
	}

	/* a second complete gzip stream after the first is more of the same file */
	{
		strbuf two;
		unsigned char *want = xmalloc(40000);

		sb_init(&two);
		sb_append_len(&two, enc.data, enc.len);
		sb_append_len(&two, enc.data, enc.len);
		memcpy(want, data, 20000);
		memcpy(want + 20000, data, 20000);
		expect_decodes(&codec_gzip_ops, two.data, two.len, 0, want, 40000);
		expect_decodes(&codec_gzip_ops, two.data, two.len, 1, want, 40000);
		sb_free(&two);
		free(want);
	}
	sb_free(&multi);
	sb_free(&enc);
	free(big);
	free(data);
}

static void
test_sink_failure(void **state)
{
	unsigned char *data = make_data(1000000);
	const codec_ops *all[] = {&codec_gzip_ops, &codec_zstd_ops, &codec_none_ops};

	(void) state;
	for (size_t c = 0; c < 3; c++) {
		const codec_ops *ops = all[c];
		codec_stream s;
		limited_sink ls = {0, 1000, 0};
		strbuf enc;
		int rc = 0;

		/* encoder: the sink's failure comes back from write or finish */
		assert_int_equal(codec_encoder(&s, ops, ops == &codec_gzip_ops ? 0 : ops->default_level,
		    sink_limited, &ls), 0);
		for (size_t off = 0; off < 1000000 && rc == 0; off += 10000)
			rc = codec_write(&s, data + off, 10000);
		if (rc == 0)
			rc = codec_finish(&s);
		assert_int_equal(rc, -1);
		assert_non_null(strstr(s.error, "write"));
		codec_free(&s);

		/* decoder likewise */
		encode_ops(ops, data, 1000000, ops->default_level, &enc);
		ls.taken = 0;
		ls.limit = 100000;
		assert_int_equal(codec_decoder(&s, ops, sink_limited, &ls), 0);
		assert_int_equal(codec_write(&s, enc.data, enc.len), -1);
		assert_non_null(strstr(s.error, "write"));
		codec_free(&s);
		sb_free(&enc);
	}
	free(data);
}

/* ---- zstd ---- */

static void
zstd_round_trip(const void *data, size_t len, int level, strbuf *enc_out)
{
	strbuf enc;

	encode_ops(&codec_zstd_ops, data, len, level, &enc);
	zstd_check_frame(&enc, data, len);
	expect_decodes(&codec_zstd_ops, enc.data, enc.len, 0, data, len);
	if (enc_out)
		*enc_out = enc;
	else
		sb_free(&enc);
}

static void
test_zstd_round_trip(void **state)
{
	unsigned char *data = make_data(BIG_SIZE);
	unsigned char *text = make_text(BIG_SIZE);
	static const char msg[] = "hello, \0binary\xff world\n";
	strbuf enc1, enc3, enc19;

	(void) state;
	zstd_round_trip(msg, sizeof(msg), 3, NULL);
	zstd_round_trip("x", 1, 1, NULL);
	zstd_round_trip(data, BIG_SIZE, 1, &enc1);
	zstd_round_trip(data, BIG_SIZE, codec_zstd_ops.default_level, &enc3);
	assert_true(enc1.len < BIG_SIZE * 3 / 4);
	assert_true(enc3.len < BIG_SIZE * 3 / 4);
	external_decode("zstd", "-dcq", &enc3, data, BIG_SIZE);
	sb_free(&enc1);
	sb_free(&enc3);
	zstd_round_trip(text, 400000, 19, &enc19);
	assert_true(enc19.len < 400000 / 4);
	sb_free(&enc19);
	zstd_round_trip(text, BIG_SIZE, 3, &enc3);
	assert_true(enc3.len < BIG_SIZE / 4);
	/* one write, and byte by byte for a part */
	expect_decodes(&codec_zstd_ops, enc3.data, enc3.len, enc3.len, text, BIG_SIZE);
	sb_free(&enc3);
	zstd_round_trip(text, 300000, 3, &enc3);
	expect_decodes(&codec_zstd_ops, enc3.data, enc3.len, 1, text, 300000);
	sb_free(&enc3);
	free(text);
	free(data);
}

static void
test_zstd_empty(void **state)
{
	strbuf enc, dec;
	char err[256];
	int in_finish;

	(void) state;
	for (int level = 1; level <= 19; level += 9) {
		zstd_round_trip("", 0, level, &enc);
		assert_in_range(enc.len, 9, 32);     /* a frame header, an empty block, the checksum */
		expect_decodes(&codec_zstd_ops, enc.data, enc.len, 1, "", 0);
		external_decode("zstd", "-dcq", &enc, "", 0);
		sb_free(&enc);
	}
	/* no frame at all is not an empty stream */
	assert_int_equal(decode_ops(&codec_zstd_ops, "", 0, 0, &dec, &in_finish, err, sizeof(err)), -1);
	assert_true(in_finish);
	assert_non_null(strstr(err, "truncated"));
	sb_free(&dec);
}

static void
test_zstd_expands_far(void **state)
{
	size_t len = 3u * 1024 * 1024;
	unsigned char *zeros = calloc(1, len);
	strbuf enc;

	(void) state;
	assert_non_null(zeros);
	encode_ops(&codec_zstd_ops, zeros, len, 3, &enc);
	assert_true(enc.len < 16 * 1024);
	zstd_check_frame(&enc, zeros, len);
	expect_decodes(&codec_zstd_ops, enc.data, enc.len, enc.len, zeros, len);
	expect_decodes(&codec_zstd_ops, enc.data, enc.len, 1, zeros, len);
	sb_free(&enc);
	free(zeros);
}

/* Two encoder runs, concatenated: one stream of two frames. */
static void
test_zstd_multi_frame(void **state)
{
	size_t la = 300000, lb = 200000;
	unsigned char *a = make_data(la);
	unsigned char *b = make_text(lb);
	unsigned char *want = xmalloc(la + lb);
	strbuf ea, eb, empty, two;
	size_t bnd;

	(void) state;
	memcpy(want, a, la);
	memcpy(want + la, b, lb);
	encode_ops(&codec_zstd_ops, a, la, 3, &ea);
	encode_ops(&codec_zstd_ops, b, lb, 9, &eb);
	encode_ops(&codec_zstd_ops, "", 0, 3, &empty);
	sb_init(&two);
	sb_append_len(&two, ea.data, ea.len);
	sb_append_len(&two, eb.data, eb.len);
	bnd = ea.len;

	expect_decodes(&codec_zstd_ops, two.data, two.len, 0, want, la + lb);
	expect_decodes(&codec_zstd_ops, two.data, two.len, two.len, want, la + lb);
	expect_decodes(&codec_zstd_ops, two.data, two.len, 1, want, la + lb);
	expect_decodes(&codec_zstd_ops, two.data, two.len, 7, want, la + lb);
	{
		const size_t plans[][4] = {
			{bnd - 1, bnd, bnd, bnd + 1},
			{bnd - 4, bnd + 4, bnd + 5, bnd + 6},
			{bnd, bnd + 1, bnd + 2, bnd + 3},
			{bnd + 1, bnd + 2, bnd + 3, bnd + 4},
		};

		for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
			strbuf out;
			char err[256];
			int in_finish;

			if (decode_cuts(&codec_zstd_ops, two.data, two.len, plans[i], 4, &out, &in_finish, err,
			    sizeof(err)) != 0)
				fail_msg("plan %zu: %s", i, err);
			assert_int_equal(out.len, la + lb);
			assert_memory_equal(out.data, want, la + lb);
			sb_free(&out);
		}
	}
	/* a cut at the boundary is a complete, shorter stream; one inside the second frame is not */
	expect_decodes(&codec_zstd_ops, two.data, bnd, 0, a, la);
	expect_decodes(&codec_zstd_ops, two.data, bnd, 1, a, la);
	expect_truncated(&codec_zstd_ops, two.data, bnd + 1, 0);
	expect_truncated(&codec_zstd_ops, two.data, bnd + 4, 0);   /* the magic number alone */
	expect_truncated(&codec_zstd_ops, two.data, bnd + 6, 1);
	expect_truncated(&codec_zstd_ops, two.data, bnd + (two.len - bnd) / 2, 0);
	expect_truncated(&codec_zstd_ops, two.data, two.len - 1, 0);

	/* empty frames among them add nothing */
	sb_reset(&two);
	sb_append_len(&two, empty.data, empty.len);
	sb_append_len(&two, ea.data, ea.len);
	sb_append_len(&two, empty.data, empty.len);
	sb_append_len(&two, eb.data, eb.len);
	sb_append_len(&two, empty.data, empty.len);
	expect_decodes(&codec_zstd_ops, two.data, two.len, 0, want, la + lb);
	expect_decodes(&codec_zstd_ops, two.data, two.len, 1, want, la + lb);

	sb_free(&two);
	sb_free(&empty);
	sb_free(&ea);
	sb_free(&eb);
	free(want);
	free(a);
	free(b);
}

static void
test_zstd_truncated(void **state)
{
	unsigned char *data = make_data(300000);
	static const size_t cuts[] = {0, 1, 3, 4, 5, 6, 13, 100};
	strbuf enc;

	(void) state;
	encode_ops(&codec_zstd_ops, data, 300000, 3, &enc);
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		expect_truncated(&codec_zstd_ops, enc.data, cuts[i], 0);
		expect_truncated(&codec_zstd_ops, enc.data, cuts[i], 1);
	}
	expect_truncated(&codec_zstd_ops, enc.data, enc.len / 2, 0);
	expect_truncated(&codec_zstd_ops, enc.data, enc.len - 1, 0);
	expect_truncated(&codec_zstd_ops, enc.data, enc.len - 1, 1);
	expect_truncated(&codec_zstd_ops, enc.data, enc.len - 4, 0);   /* without the checksum */
	expect_truncated(&codec_zstd_ops, enc.data, enc.len - 4, enc.len);
	sb_free(&enc);
	free(data);
}

static void
test_zstd_corrupt(void **state)
{
	unsigned char *data = make_data(300000);
	unsigned char *text = make_text(300000);
	strbuf enc, dec;
	char err[256];
	int in_finish = -1;

	(void) state;
	encode_ops(&codec_zstd_ops, data, 300000, 3, &enc);
	expect_corrupt(&codec_zstd_ops, &enc, enc.len / 2, 0xff);
	expect_corrupt(&codec_zstd_ops, &enc, enc.len / 3, 0x01);
	expect_corrupt(&codec_zstd_ops, &enc, enc.len - 1, 0x01);    /* checksum */
	expect_corrupt(&codec_zstd_ops, &enc, enc.len - 4, 0x80);
	expect_corrupt(&codec_zstd_ops, &enc, 1, 0x01);              /* magic */
	sb_free(&enc);
	encode_ops(&codec_zstd_ops, text, 300000, 3, &enc);
	expect_corrupt(&codec_zstd_ops, &enc, enc.len / 2, 0x10);
	expect_corrupt(&codec_zstd_ops, &enc, enc.len - 2, 0x01);

	/* not a zstd frame at all: in write, as corrupt */
	enc.data[0] = 'P';
	assert_int_equal(decode_ops(&codec_zstd_ops, enc.data, enc.len, 0, &dec, &in_finish, err,
	    sizeof(err)), -1);
	assert_false(in_finish);
	assert_non_null(strstr(err, "corrupt"));
	sb_free(&dec);
	sb_free(&enc);

	/* a gzip member is not a zstd frame, nor the other way round */
	encode_ops(&codec_gzip_ops, text, 1000, 1, &enc);
	assert_int_equal(decode_ops(&codec_zstd_ops, enc.data, enc.len, 0, &dec, &in_finish, err,
	    sizeof(err)), -1);
	sb_free(&dec);
	sb_free(&enc);
	encode_ops(&codec_zstd_ops, text, 1000, 3, &enc);
	assert_int_equal(decode_ops(&codec_gzip_ops, enc.data, enc.len, 0, &dec, &in_finish, err,
	    sizeof(err)), -1);
	sb_free(&dec);
	sb_free(&enc);
	free(text);
	free(data);
}

static void
test_zstd_trailing_garbage(void **state)
{
	unsigned char *data = make_data(20000);
	unsigned char zeros[512];
	strbuf enc;

	(void) state;
	memset(zeros, 0, sizeof(zeros));
	encode_ops(&codec_zstd_ops, data, 20000, 3, &enc);
	expect_garbage_fails(&codec_zstd_ops, &enc, "garbage", 7);
	expect_garbage_fails(&codec_zstd_ops, &enc, "\0", 1);
	expect_garbage_fails(&codec_zstd_ops, &enc, "\x28", 1);
	expect_garbage_fails(&codec_zstd_ops, &enc, "\x28\xb5\x2f\xfd", 4);
	expect_garbage_fails(&codec_zstd_ops, &enc, zeros, sizeof(zeros));
	expect_garbage_fails(&codec_zstd_ops, &enc, enc.data, 8);
	sb_free(&enc);
	free(data);
}

/* ---- none ---- */

static void
test_none(void **state)
{
	unsigned char *data = make_data(BIG_SIZE);
	strbuf enc, dec;
	char err[256];
	int in_finish;

	(void) state;
	/* the stream is the data itself, however written and read */
	encode_ops(&codec_none_ops, data, BIG_SIZE, 0, &enc);
	assert_int_equal(enc.len, BIG_SIZE);
	assert_memory_equal(enc.data, data, BIG_SIZE);
	expect_decodes(&codec_none_ops, enc.data, enc.len, 0, data, BIG_SIZE);
	expect_decodes(&codec_none_ops, enc.data, enc.len, enc.len, data, BIG_SIZE);
	expect_decodes(&codec_none_ops, enc.data, 100000, 1, data, 100000);
	sb_free(&enc);

	/* empty: nothing written, nothing read, and that is complete */
	encode_ops(&codec_none_ops, "", 0, 0, &enc);
	assert_int_equal(enc.len, 0);
	sb_free(&enc);
	assert_int_equal(decode_ops(&codec_none_ops, "", 0, 0, &dec, &in_finish, err, sizeof(err)), 0);
	assert_int_equal(dec.len, 0);
	sb_free(&dec);

	/* any prefix is a stream of its own: there is nothing to check */
	expect_decodes(&codec_none_ops, data, 12345, 0, data, 12345);
	free(data);
}

/* ---- a long stream in bounded pieces ---- */

typedef struct counter {
	size_t bytes;
	size_t max_piece;
	uint32_t crc;
	codec_stream *next;         /* the decoder the bytes go on to, or NULL */
} counter;

static int
sink_count(void *arg, const void *buf, size_t len)
{
	counter *c = arg;

	assert_true(len > 0);
	c->bytes += len;
	if (len > c->max_piece)
		c->max_piece = len;
	c->crc = (uint32_t) crc32(c->crc, buf, (uInt) len);
	if (c->next && codec_write(c->next, buf, len) != 0)
		fail_msg("decoder: %s", c->next->error);
	return 0;
}

/*
 * 64 MiB of COPY text through an encoder at the codec's default level in
 * writes of 64 KiB; its sink counts and hands the bytes straight on to a
 * decoder whose sink counts and checksums them.  Nothing is kept.
 */
static void
test_stream_64mib(void **state)
{
	const size_t total = 64u << 20, piece = 64u << 10;
	const codec_ops *all[] = {&codec_gzip_ops, &codec_zstd_ops, &codec_none_ops};
	unsigned char *buf = xmalloc(piece);

	(void) state;
	for (size_t c = 0; c < 3; c++) {
		const codec_ops *ops = all[c];
		codec_stream enc, dec;
		counter out = {0, 0, 0, NULL}, back = {0, 0, 0, NULL};
		uint32_t in_crc = 0;
		textgen g;

		memset(&g, 0, sizeof(g));
		out.next = &dec;
		assert_int_equal(codec_decoder(&dec, ops, sink_count, &back), 0);
		assert_int_equal(codec_encoder(&enc, ops, ops->default_level, sink_count, &out), 0);
		for (size_t off = 0; off < total; off += piece) {
			textgen_fill(&g, buf, piece);
			in_crc = (uint32_t) crc32(in_crc, buf, (uInt) piece);
			if (codec_write(&enc, buf, piece) != 0)
				fail_msg("%s: write at %zu: %s", ops->name, off, enc.error);
		}
		assert_int_equal(codec_finish(&enc), 0);
		codec_free(&enc);
		if (codec_finish(&dec) != 0)
			fail_msg("%s: decoder: %s", ops->name, dec.error);
		codec_free(&dec);

		print_message("%s:%d: 64 MiB -> %zu bytes, largest pieces %zu / %zu\n", ops->name,
		    ops->default_level, out.bytes, out.max_piece, back.max_piece);
		if (ops == &codec_none_ops)
			assert_int_equal(out.bytes, total);
		else
			assert_true(out.bytes < total / 2);
		/* bounded pieces: at most a gzip block and its overhead */
		assert_true(out.max_piece <= BLOCK + BLOCK / 8);
		assert_true(back.max_piece <= BLOCK + BLOCK / 8);
		assert_int_equal(back.bytes, total);
		assert_int_equal(back.crc, in_crc);
	}
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_parse_spec),
		cmocka_unit_test(test_bad_level),
		cmocka_unit_test(test_reset_reuses_encoder),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_redundant_blocks),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_big_levels),
		cmocka_unit_test(test_decode_piece_sizes),
		cmocka_unit_test(test_decode_expands_far),
		cmocka_unit_test(test_gzip_members),
		cmocka_unit_test(test_gzip_legacy_single_member),
		cmocka_unit_test(test_gzip_pieces_across_members),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_truncated_members),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_corrupt_fails_in_write),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_sink_failure),
		cmocka_unit_test(test_zstd_round_trip),
		cmocka_unit_test(test_zstd_empty),
		cmocka_unit_test(test_zstd_expands_far),
		cmocka_unit_test(test_zstd_multi_frame),
		cmocka_unit_test(test_zstd_truncated),
		cmocka_unit_test(test_zstd_corrupt),
		cmocka_unit_test(test_zstd_trailing_garbage),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_stream_64mib),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
