/* libFuzzer target: what a guest prints back (workload name=value lines, /proc/meminfo) is
 * untrusted; its parsers must take anything. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/regress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct rg_kv kv[8];
    double mib;
    size_t n;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0'; /* the agent's output arrives NUL-terminated */
    n = rg_kv_parse(text, kv, 8);
    if (n > 8)
        __builtin_trap();
    for (size_t i = 0; i < n; i++)
        if (!kv[i].name[0] || strlen(kv[i].name) >= sizeof(kv[i].name) || !isfinite(kv[i].value))
            __builtin_trap();
    if (rg_meminfo_mib(text, "MemAvailable", &mib) && isnan(mib))
        __builtin_trap();
    rg_meminfo_mib(text, "SUnreclaim", &mib);
    free(text);
    return 0;
}
