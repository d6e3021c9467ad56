/* Error reports with positions: setting, prefixing, collecting and printing them. */
#include "util/error.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

RG_PRINTF(5, 0)
static void error_vset(struct rg_error *err, const char *file, int line, int col, const char *fmt,
                       va_list ap)
{
    snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
    err->line = line;
    err->col = col;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int rg_error_set(struct rg_error *err, const char *file, int line, int col, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return -1;
    va_start(ap, fmt);
    error_vset(err, file, line, col, fmt, ap);
    va_end(ap);
    return -1;
}

void rg_error_prefix(struct rg_error *err, const char *fmt, ...)
{
    char prefix[256], old[sizeof(err->msg)];
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
}

void rg_error_print(FILE *out, const struct rg_error *err)
{
    if (err->file[0] && err->line > 0 && err->col > 0)
        fprintf(out, "%s:%d:%d: error: %s\n", err->file, err->line, err->col, err->msg);
    else if (err->file[0] && err->line > 0)
        fprintf(out, "%s:%d: error: %s\n", err->file, err->line, err->msg);
    else if (err->file[0])
        fprintf(out, "%s: error: %s\n", err->file, err->msg);
    else
        fprintf(out, "error: %s\n", err->msg);
}

void rg_errors_push(struct rg_errors *errs, const struct rg_error *err)
{
    if (errs->n == errs->cap) {
        size_t cap = errs->cap ? errs->cap * 2 : 8;
        struct rg_error *v = realloc(errs->v, cap * sizeof(*v));
        if (!v)
            abort(); /* out of memory while reporting errors: nothing sensible is left */
        errs->v = v;
        errs->cap = cap;
    }
    errs->v[errs->n++] = *err;
}

int rg_errors_add(struct rg_errors *errs, const char *file, int line, int col, const char *fmt,
                  ...)
{
    struct rg_error err;
    va_list ap;

    va_start(ap, fmt);
    error_vset(&err, file, line, col, fmt, ap);
    va_end(ap);
    rg_errors_push(errs, &err);
    return -1;
}

void rg_errors_print(FILE *out, const struct rg_errors *errs)
{
    for (size_t i = 0; i < errs->n; i++)
        rg_error_print(out, &errs->v[i]);
}

void rg_errors_free(struct rg_errors *errs)
{
    free(errs->v);
    errs->v = NULL;
    errs->n = errs->cap = 0;
}

/* ---- Did you mean ---- */

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

    if (la >= 63 || lb >= 63)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof(size_t));
    }
    return prev[lb];
}

const char *rg_closest(const char *word, const char *const *choices)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;

    for (size_t i = 0; choices[i]; i++) {
        size_t d = edit_distance(word, choices[i]);
        if (d < best_d) {
            best_d = d;
            best = choices[i];
        }
    }
    /* Only suggest a near miss; a wild guess is worse than none. */
    return best_d <= 2 || (best && strstr(best, word) && strlen(word) >= 3) ? best : NULL;
}
