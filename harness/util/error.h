/* Error reports with a file:line:col position, the one error idiom of the library. */
#ifndef RG_ERROR_H
#define RG_ERROR_H

#include <stddef.h>
#include <stdio.h>

struct rg_error {
    char file[256]; /* scenario or manifest path, if any */
    int line, col;  /* 1-based; 0 when unknown */
    char msg[512];
};

/* A list of errors, for validators that report every problem rather than the first. */
struct rg_errors {
    struct rg_error *v;
    size_t n, cap;
};

#if defined(__GNUC__)
#define RG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RG_PRINTF(a, b)
/* The choice (NULL-terminated list) nearest to word, for "did you mean"; NULL when none is
 * near enough to be a likely typo. */
const char *rg_closest(const char *word, const char *const *choices);

#endif

/* Fills err (if not NULL); always returns -1 so callers can write `return rg_error_set(...)`. */
int rg_error_set(struct rg_error *err, const char *file, int line, int col, const char *fmt, ...)
    RG_PRINTF(5, 6);
/* Prefixes err->msg with context ("reading manifest: ..."). */
void rg_error_prefix(struct rg_error *err, const char *fmt, ...) RG_PRINTF(2, 3);
/* Prints "file:line:col: error: msg" (parts omitted when unknown) and a newline. */
void rg_error_print(FILE *out, const struct rg_error *err);

int rg_errors_add(struct rg_errors *errs, const char *file, int line, int col, const char *fmt,
                  ...) RG_PRINTF(5, 6);
void rg_errors_push(struct rg_errors *errs, const struct rg_error *err);
void rg_errors_print(FILE *out, const struct rg_errors *errs);
void rg_errors_free(struct rg_errors *errs);

/* The choice (NULL-terminated list) nearest to word, for "did you mean"; NULL when none is
 * near enough to be a likely typo. */
const char *rg_closest(const char *word, const char *const *choices);

#endif
