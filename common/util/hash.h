/*
 * hash.h — incremental SHA-256 (OpenSSL libcrypto) with hex output.
 */
#ifndef DBT_HASH_H
#define DBT_HASH_H

#include <stddef.h>

#define HASH_HEX_LEN 64

typedef struct hash_ctx hash_ctx;

hash_ctx *hash_new(void);
void hash_update(hash_ctx *h, const void *data, size_t len);
/* Writes 64 hex digits and a NUL into hex; the context can then be freed. */
void hash_final_hex(hash_ctx *h, char hex[HASH_HEX_LEN + 1]);
void hash_free(hash_ctx *h);
void hash_hex_of(const void *data, size_t len, char hex[HASH_HEX_LEN + 1]);

#endif
