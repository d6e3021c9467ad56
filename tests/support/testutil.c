/* Helpers shared by the unit tests. */
#include "testutil.h"

#include <stdio.h>

#include "buf.h"

char *rg_test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct rg_buf b = RG_BUF_INIT;
    char chunk[65536];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rg_buf_append(&b, chunk, n);
    fclose(f);
    if (len)
        *len = b.len;
    return rg_buf_detach(&b);
}
