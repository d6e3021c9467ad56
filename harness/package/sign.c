/* Ed25519 signatures with PEM keys (OpenSSL): update packages and gate attestations. */
#include "package/sign.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/digest.h"
#include "util/file.h"

/* A PEM key is a few hundred bytes; a larger "key" file is not one. */
#define KEY_MAX_BYTES (64 * 1024)

static EVP_PKEY *load_key(const char *path, bool private_key, struct rg_error *err)
{
    unsigned char *pem;
    size_t len;
    BIO *bio;
    EVP_PKEY *k = NULL;

    if (rg_file_read(path, KEY_MAX_BYTES, &pem, &len, err) < 0) {
        rg_error_prefix(err, "the key");
        return NULL;
    }
    bio = BIO_new_mem_buf(pem, (int)len);
    if (bio)
        k = private_key ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)
                        : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    OPENSSL_cleanse(pem, len);
    free(pem);
    if (!k || EVP_PKEY_id(k) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(k);
        rg_error_set(err, path, 0, 0, "not an Ed25519 %s key in PEM form",
                     private_key ? "private" : "public");
        return NULL;
    }
    return k;
}

static void key_id_of(EVP_PKEY *k, char out[RG_KEY_ID_HEX])
{
    unsigned char raw[32];
    size_t len = sizeof(raw);
    char hex[RG_SHA256_HEX];

    out[0] = '\0';
    if (EVP_PKEY_get_raw_public_key(k, raw, &len) != 1)
        return;
    rg_sha256_hex(raw, len, hex);
    memcpy(out, hex, RG_KEY_ID_HEX - 1);
    out[RG_KEY_ID_HEX - 1] = '\0';
}

int rg_key_id(const char *pubkey, char out[RG_KEY_ID_HEX], struct rg_error *err)
{
    EVP_PKEY *k = load_key(pubkey, false, err);

    if (!k)
        return -1;
    key_id_of(k, out);
    EVP_PKEY_free(k);
    return 0;
}

int rg_sign(const char *privkey, const void *msg, size_t len, unsigned char sig[RG_SIG_BYTES],
            char key_id[RG_KEY_ID_HEX], struct rg_error *err)
{
    EVP_PKEY *k = load_key(privkey, true, err);
    EVP_MD_CTX *ctx;
    size_t siglen = RG_SIG_BYTES;
    int rc = -1;

    if (!k)
        return -1;
    ctx = EVP_MD_CTX_new();
    if (ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) == 1 &&
        EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 && siglen == RG_SIG_BYTES)
        rc = 0;
    else
        rg_error_set(err, privkey, 0, 0, "cannot sign with this key");
    if (rc == 0 && key_id)
        key_id_of(k, key_id);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(k);
    return rc;
}

int rg_sig_check(const char *pubkey, const unsigned char sig[RG_SIG_BYTES], const void *msg,
                 size_t len, char key_id[RG_KEY_ID_HEX], struct rg_error *err)
{
    EVP_PKEY *k = load_key(pubkey, false, err);
    EVP_MD_CTX *ctx;
    bool ok;

    if (!k)
        return -1;
    ctx = EVP_MD_CTX_new();
    ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) == 1 &&
         EVP_DigestVerify(ctx, sig, RG_SIG_BYTES, msg, len) == 1;
    if (ok && key_id)
        key_id_of(k, key_id);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(k);
    return ok ? 0 : 1;
}
