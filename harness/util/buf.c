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

void rg_buf_put_utf8(struct rg_buf *b, const char *s, bool xml_safe)
{
    size_t n = strlen(s);

    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool ok = len > 0 && i + len <= n;

        for (size_t k = 1; ok && k < len; k++)
            ok = ((unsigned char)s[i + k] >> 6) == 2;
        if (ok && xml_safe && len == 1 && ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
                                           c == 0x7f))
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
