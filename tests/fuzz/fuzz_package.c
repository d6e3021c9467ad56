/* libFuzzer target: the package reader on untrusted bytes, as `package show` without a key reads
 * them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "package/package.h"
#include "package_invariants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rg_package *p = NULL;
    struct rg_error err = {0};
    int rc = rg_package_open_mem("fuzz.rgpkg", data, size, &p, &err);

    if ((rc == 0) != (p != NULL) || (rc < 0 && err.msg[0] == '\0'))
        __builtin_trap();
    if (!p)
        return 0;
    /* The framing believes nothing the manifest says. */
    if (p->parsed || p->verified || p->name || p->nfiles || !p->manifest)
        __builtin_trap();
    err.msg[0] = '\0';
    /* The hostile-input path: the manifest parsed without its signature. */
    rc = rg_package_inspect(p, &err);
    if (rc < 0 && (err.msg[0] == '\0' || p->parsed || p->nfiles || p->name))
        __builtin_trap();
    if (rc == 0) {
        if (p->verified)
            __builtin_trap();
        check_accepted(p);
    }
    rg_package_free(p);
    return 0;
}
