/* libFuzzer target: the package reader (tar archive + manifest) on untrusted bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "update.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rg_package *p = NULL;
    struct rg_error err = {0};
    int rc = rg_package_open_mem("fuzz.rgpkg", data, size, &p, &err);

    if ((rc == 0) != (p != NULL) || (rc < 0 && err.msg[0] == '\0'))
        __builtin_trap();
    /* Whatever was accepted must be self-consistent: every file matches its hash. */
    for (size_t i = 0; p && i < p->nfiles; i++) {
        char hex[RG_SHA256_HEX];
        rg_sha256_hex(p->files[i].data, p->files[i].size, hex);
        if (strcmp(hex, p->files[i].sha256) != 0 || strncmp(p->files[i].path, "files/", 6))
            __builtin_trap();
    }
    rg_package_free(p);
    return 0;
}
