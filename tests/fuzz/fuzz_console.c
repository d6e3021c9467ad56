/* libFuzzer target: the console scanner must give the same findings (titles, classes, blamed
 * function and module, the primary report) however bytes arrive. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "console/console.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rg_console *scan(const uint8_t *data, size_t size, size_t chunk)
{
    struct rg_console *c = rg_console_new(NULL);

    for (size_t off = 0; off < size; off += chunk)
        rg_console_feed(c, (const char *)data + off, size - off < chunk ? size - off : chunk);
    rg_console_finish(c);
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t chunk = size ? (size_t)data[0] % 61 + 1 : 1;
    struct rg_console *whole = scan(data, size, size ? size : 1), *parts = scan(data, size, chunk);

    if (rg_console_nfindings(whole) != rg_console_nfindings(parts) ||
        rg_console_primary(whole) != rg_console_primary(parts))
        __builtin_trap();
    for (size_t i = 0; i < rg_console_nfindings(whole); i++) {
        const struct rg_console_finding *a = rg_console_finding_at(whole, i),
                                        *b = rg_console_finding_at(parts, i);
        if (strcmp(a->title, b->title) || a->first_line != b->first_line || a->cls != b->cls ||
            strcmp(a->guilty, b->guilty) || strcmp(a->module, b->module) ||
            strcmp(a->kind, b->kind) || strchr(a->title, '\n') || !a->title[0])
            __builtin_trap();
    }
    rg_console_free(whole);
    rg_console_free(parts);
    return 0;
}
