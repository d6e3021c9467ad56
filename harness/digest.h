/* SHA-256 digests of files and buffers, as lowercase hex. */
#ifndef RG_DIGEST_H
#define RG_DIGEST_H

#include <stddef.h>

#include "error.h"

#define RG_SHA256_HEX 65

void rg_sha256_hex(const void *data, size_t len, char out[RG_SHA256_HEX]);
/* On failure out is "" and -1 is returned. */
int rg_sha256_file(const char *path, char out[RG_SHA256_HEX], struct rg_error *err);

#endif
