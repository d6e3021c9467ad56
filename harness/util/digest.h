/* SHA-256 digests of files and buffers, as lowercase hex; base64 for what travels in JSON. */
#ifndef RG_DIGEST_H
#define RG_DIGEST_H

#include <stddef.h>

#include "util/error.h"

#define RG_SHA256_HEX 65

void rg_sha256_hex(const void *data, size_t len, char out[RG_SHA256_HEX]);
/* On failure out is "" and -1 is returned. */
int rg_sha256_file(const char *path, char out[RG_SHA256_HEX], struct rg_error *err);

/* Standard base64 (with padding) of len bytes; NUL-terminated, caller frees. */
char *rg_b64_encode(const void *data, size_t len);
/* Decodes in; NULL when it is not base64. The result is NUL-terminated (also for binary
 * data), *len (may be NULL) its size; caller frees. */
unsigned char *rg_b64_decode(const char *in, size_t *len);

/* The OpenSSL library's version at run time ("3.0.11"), for `ringgate version`. */
void rg_openssl_version(char *out, size_t size);

#endif
