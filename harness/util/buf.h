/* A small growable byte/string buffer, always NUL-terminated. */
#ifndef RG_BUF_H
#define RG_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct rg_buf {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len, cap;
};

#define RG_BUF_INIT {NULL, 0, 0}

/* Appends; abort()s on out of memory, like git's strbuf: callers stay simple. */
void rg_buf_append(struct rg_buf *b, const void *data, size_t len);
void rg_buf_puts(struct rg_buf *b, const char *s);
void rg_buf_putc(struct rg_buf *b, char c);
void rg_buf_printf(struct rg_buf *b, const char *fmt, ...) RG_PRINTF(2, 3);
void rg_buf_reset(struct rg_buf *b);
/* Appends s with every byte that starts no well-formed UTF-8 sequence (strictly: no overlong
 * form, surrogate or code point beyond U+10FFFF) replaced by U+FFFD; with xml_safe, also the
 * control characters XML 1.0 forbids. Console output is untrusted bytes. */
void rg_buf_put_utf8(struct rg_buf *b, const char *s, bool xml_safe);
/* Hands the string to the caller (never NULL) and empties the buffer. */
char *rg_buf_detach(struct rg_buf *b);
void rg_buf_free(struct rg_buf *b);
/* The contents as a C string ("" when empty). */
const char *rg_buf_str(const struct rg_buf *b);

#endif
