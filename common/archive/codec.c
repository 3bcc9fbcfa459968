/*
 * codec.c — codec registry and the stream wrapper; see codec.h.
 */
#include "archive/codec.h"

#include <string.h>

static const codec_ops *const codecs[] = {&codec_gzip_ops, NULL};

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
		s->ops->free(s->ctx);
	s->ctx = NULL;
}
