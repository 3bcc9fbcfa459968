/*
 * hash.c — SHA-256 through libcrypto's EVP interface; see hash.h.
 */
#include "util/hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

struct hash_ctx {
	EVP_MD_CTX *md;
};

hash_ctx *
hash_new(void)
{
	hash_ctx *h = malloc(sizeof(*h));

	if (!h || !(h->md = EVP_MD_CTX_new()) ||
	    EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1)
		abort();
	return h;
}

void
hash_update(hash_ctx *h, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(h->md, data, len) != 1)
		abort();
}

void
hash_final_hex(hash_ctx *h, char hex[HASH_HEX_LEN + 1])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(h->md, digest, &n) != 1)
		abort();
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	hex[2 * n] = '\0';
}

void
hash_free(hash_ctx *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->md);
	free(h);
}

void
hash_hex_of(const void *data, size_t len, char hex[HASH_HEX_LEN + 1])
{
	hash_ctx *h = hash_new();

	hash_update(h, data, len);
	hash_final_hex(h, hex);
	hash_free(h);
}
