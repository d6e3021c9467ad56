/* Ed25519 signatures with PEM keys (OpenSSL): update packages and gate attestations. */
#ifndef RG_SIGN_H
#define RG_SIGN_H

#include <stddef.h>

#include "util/error.h"

#define RG_SIG_BYTES 64
#define RG_KEY_ID_HEX 17 /* 16 hex digits of sha256(raw public key) */

/* Signs msg with the private key in PEM file privkey; key_id (may be NULL) gets its id. */
int rg_sign(const char *privkey, const void *msg, size_t len, unsigned char sig[RG_SIG_BYTES],
            char key_id[RG_KEY_ID_HEX], struct rg_error *err);
/* 0 when sig is msg's signature by the public key in PEM file pubkey (key_id filled, may be
 * NULL); 1 when it is not; -1 when the key cannot be read (err says why). */
int rg_sig_check(const char *pubkey, const unsigned char sig[RG_SIG_BYTES], const void *msg,
                 size_t len, char key_id[RG_KEY_ID_HEX], struct rg_error *err);
/* The id of a public key file. */
int rg_key_id(const char *pubkey, char out[RG_KEY_ID_HEX], struct rg_error *err);

#endif
