/*
 * codec.c — codec registry and the stream wrapper; see codec.h.
 */
#include "archive/codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const codec_ops *const codecs[] = {&codec_gzip_ops, &codec_zstd_ops, &codec_none_ops, NULL};

const codec_ops *
codec_find(const char *name)
{
	for (int i = 0; codecs[i]; i++)
		if (strcmp(codecs[i]->name, name) == 0)
			return codecs[i];
	return NULL;
}

const codec_ops *
codec_default(void)
{
	return &codec_gzip_ops;
}

int
codec_encoder(codec_stream *s, const codec_ops *ops, int level, codec_sink sink, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->sink = sink;
	s->arg = arg;
	s->ctx = ops->enc_new(level, s->error, sizeof(s->error));
	return s->ctx ? 0 : -1;
}

int
codec_decoder(codec_stream *s, const codec_ops *ops, codec_sink sink, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->sink = sink;
	s->arg = arg;
	s->decoding = 1;
	s->ctx = ops->dec_new(s->error, sizeof(s->error));
	return s->ctx ? 0 : -1;
}

int
codec_write(codec_stream *s, const void *data, size_t len)
{
	if (s->decoding)
		return s->ops->dec_write(s->ctx, data, len, s->sink, s->arg, s->error, sizeof(s->error));
	return s->ops->enc_write(s->ctx, data, len, s->sink, s->arg, s->error, sizeof(s->error));
}

int
codec_reset(codec_stream *s)
{
	s->error[0] = '\0';
	return s->ops->enc_reset(s->ctx, s->error, sizeof(s->error));
}

int
codec_finish(codec_stream *s)
{
	if (s->decoding)
		return s->ops->dec_finish(s->ctx, s->error, sizeof(s->error));
	return s->ops->enc_finish(s->ctx, s->sink, s->arg, s->error, sizeof(s->error));
}

void
codec_free(codec_stream *s)
{
	if (s->ctx)
		(s->decoding ? s->ops->dec_free : s->ops->enc_free)(s->ctx);
	s->ctx = NULL;
}

int
codec_parse_spec(const char *spec, const codec_ops **ops, int *level, char *error, size_t errsize)
{
	const char *colon = strchr(spec, ':');
	size_t name_len = colon ? (size_t) (colon - spec) : strlen(spec);
	const char *num = colon ? colon + 1 : NULL;
	char *end;
	long v;

	*ops = NULL;
	if (name_len > 0 && strspn(spec, "0123456789") == name_len && !colon) {
		*ops = codec_default();
		num = spec;
	} else {
		for (int i = 0; codecs[i]; i++)
			if (strlen(codecs[i]->name) == name_len && strncmp(codecs[i]->name, spec, name_len) == 0)
				*ops = codecs[i];
		if (!*ops) {
			snprintf(error, errsize, "unknown compression method \"%.*s\" (use gzip, zstd or none)",
			    (int) name_len, spec);
			return -1;
		}
	}
	if (!num) {
		*level = (*ops)->default_level;
		return 0;
	}
	if (!*num || strspn(num, "0123456789") != strlen(num) || strlen(num) > 3) {
		snprintf(error, errsize, "invalid compression level \"%s\"", num);
		return -1;
	}
	v = strtol(num, &end, 10);
	if (v < (*ops)->min_level || v > (*ops)->max_level) {
		snprintf(error, errsize, "compression level %ld is out of range for %s (%d to %d)", v,
		    (*ops)->name, (*ops)->min_level, (*ops)->max_level);
		return -1;
	}
	*level = (int) v;
	return 0;
}
