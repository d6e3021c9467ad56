/* libFuzzer target: `attest verify` reads an envelope someone hands a release pipeline; it
 * must refuse anything that is not a signed PASSED verdict about the package, and never
 * crash. The key and the package are fixed files made once. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "report/attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[] = "/tmp/rg-fuzz-attest-XXXXXX";
static char pub[64], pkg[64], file[64];

static void remove_files(void)
{
    unlink(pub);
    unlink(pkg);
    unlink(file);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    FILE *f;

    (void)argc;
    (void)argv;
    if (!k || !mkdtemp(dir))
        abort();
    snprintf(pub, sizeof(pub), "%s/k.pub", dir);
    snprintf(pkg, sizeof(pkg), "%s/p.rgpkg", dir);
    snprintf(file, sizeof(file), "%s/a.json", dir);
    f = fopen(pub, "w");
    PEM_write_PUBKEY(f, k);
    fclose(f);
    f = fopen(pkg, "w");
    fputs("package", f);
    fclose(f);
    EVP_PKEY_free(k);
    atexit(remove_files);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rg_attest_info info;
    struct rg_error err = {0};
    struct rg_buf b = RG_BUF_INIT;
    FILE *f = fopen(file, "wb");

    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    /* Nobody but the test holds the private key: nothing can verify as PASSED. */
    if (rg_attest_verify(file, pub, pkg, &info, &err) != RG_ATTEST_INVALID || !err.msg[0])
        __builtin_trap();
    rg_attest_show(file, &b, &err);
    rg_buf_free(&b);
    return 0;
}
