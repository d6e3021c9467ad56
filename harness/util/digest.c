/* SHA-256 digests and base64 with OpenSSL's EVP interface. */
#include "util/digest.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/file.h"

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
    int fd = rg_file_open(path, SIZE_MAX, NULL, err);
    ssize_t got;
    int rc = -1;

    out[0] = '\0';
    if (fd < 0)
        return -1;
    ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
        goto out;
    while ((got = read(fd, buf, sizeof(buf))) > 0)
        if (!EVP_DigestUpdate(ctx, buf, (size_t)got))
            goto out;
    if (got < 0 || !EVP_DigestFinal_ex(ctx, md, &n))
        goto out;
    to_hex(md, n, out);
    rc = 0;
out:
    if (rc < 0)
        rg_error_set(err, path, 0, 0, "cannot hash the file");
    EVP_MD_CTX_free(ctx);
    close(fd);
    return rc;
}

char *rg_b64_encode(const void *data, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);

    if (!out)
        abort();
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

unsigned char *rg_b64_decode(const char *in, size_t *len)
{
    size_t n = strlen(in);
    unsigned char *out;
    int got;

    if (n % 4 != 0)
        return NULL;
    out = malloc(n / 4 * 3 + 1);
    if (!out)
        abort();
    got = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
    if (got < 0) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock counts padding as data: trim the '=' it decoded as zeros. */
    while (n > 0 && in[n - 1] == '=' && got > 0) {
        n--;
        got--;
    }
    out[got] = '\0';
    if (len)
        *len = (size_t)got;
    return out;
}

void rg_openssl_version(char *out, size_t size)
{
    snprintf(out, size, "%s", OpenSSL_version(OPENSSL_VERSION_STRING));
}
