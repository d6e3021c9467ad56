/* Helpers shared by the unit tests. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "util/buf.h"

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

void rg_test_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (!f)
        fail_msg("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

void rg_test_golden(const char *path, const char *got)
{
    char *want;

    if (getenv("RG_UPDATE_GOLDEN"))
        rg_test_write(path, got);
    want = rg_test_slurp(path, NULL);
    if (!want)
        fail_msg("%s is missing (RG_UPDATE_GOLDEN=1 writes it; review it)", path);
    if (strcmp(want, got) != 0) {
        /* cmocka cuts long messages: the whole output goes to a file beside the run's. */
        char saved[] = "/tmp/rg-golden-got-XXXXXX";
        int fd = mkstemp(saved);

        if (fd >= 0) {
            close(fd);
            rg_test_write(saved, got);
        }
        fail_msg("%s differs (RG_UPDATE_GOLDEN=1 rewrites it; what the test got is in %s):\n"
                 "--- expected\n%s\n--- got\n%s",
                 path, fd >= 0 ? saved : "(nowhere)", want, got);
    }
    free(want);
}
