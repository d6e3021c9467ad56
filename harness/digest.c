/* SHA-256 digests with OpenSSL's EVP interface. */
#include "digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static void to_hex(const unsigned char *md, unsigned int n, char out[RG_SHA256_HEX])
{
    static const char hex[] = "0123456789abcdef";

    for (unsigned int i = 0; i < n && i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

void rg_sha256_hex(const void *data, size_t len, char out[RG_SHA256_HEX])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    to_hex(md, n, out);
}

int rg_sha256_file(const char *path, char out[RG_SHA256_HEX], struct rg_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
    EVP_MD_CTX *ctx;
    unsigned int n = 0;
    FILE *f = fopen(path, "rb");
    size_t got;
    int rc = -1;

    out[0] = '\0';
    if (!f)
        return rg_error_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
    ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
        goto out;
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
        if (!EVP_DigestUpdate(ctx, buf, got))
            goto out;
    if (ferror(f) || !EVP_DigestFinal_ex(ctx, md, &n))
        goto out;
    to_hex(md, n, out);
    rc = 0;
out:
    if (rc < 0)
        rg_error_set(err, path, 0, 0, "cannot hash the file");
    EVP_MD_CTX_free(ctx);
    fclose(f);
    return rc;
}
