/* A small growable byte/string buffer. */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void buf_grow(struct rg_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1, cap = b->cap ? b->cap : 64;
    char *p;

    if (need <= b->cap)
        return;
    while (cap < need)
        cap *= 2;
    p = realloc(b->data, cap);
    if (!p)
        abort();
    b->data = p;
    b->cap = cap;
}

void rg_buf_append(struct rg_buf *b, const void *data, size_t len)
{
    buf_grow(b, len);
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void rg_buf_puts(struct rg_buf *b, const char *s)
{
    rg_buf_append(b, s, strlen(s));
}

void rg_buf_putc(struct rg_buf *b, char c)
{
    rg_buf_append(b, &c, 1);
}

void rg_buf_printf(struct rg_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    buf_grow(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void rg_buf_reset(struct rg_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *rg_buf_detach(struct rg_buf *b)
{
    char *s;

    buf_grow(b, 0);
    b->data[b->len] = '\0';
    s = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void rg_buf_free(struct rg_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

const char *rg_buf_str(const struct rg_buf *b)
{
    return b->data ? b->data : "";
}

/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 if none starts there. The
 * second byte's range is the one Unicode allows after that lead byte (its table 3-7), which
 * leaves out overlong forms, surrogates and code points beyond U+10FFFF: jansson, browsers
 * and XML parsers refuse those as they refuse stray bytes. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xbf;
    size_t len;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((s[k] & 0xc0) != 0x80)
            return 0;
    return len;
}

void rg_buf_put_utf8(struct rg_buf *b, const char *s, bool xml_safe)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);

    for (size_t i = 0; i < n;) {
        size_t len = utf8_len(u + i, n - i);
        bool ok = len > 0;

        if (ok && xml_safe && len == 1 &&
            ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' && u[i] != '\r') || u[i] == 0x7f))
            ok = false;
        if (!ok) {
            rg_buf_append(b, "\xef\xbf\xbd", 3); /* U+FFFD */
            i++;
            continue;
        }
        rg_buf_append(b, s + i, len);
        i += len;
    }
}
