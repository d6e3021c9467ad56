/* report.json read back, and what every report format shares: typed accessors, cleaning
 * untrusted strings, atomic writes. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report.h"

int rg_report_load(const char *run_dir, json_t **out, struct rg_error *err)
{
    char path[4200];
    json_error_t jerr;
    json_t *r;
    const char *schema;

    *out = NULL;
    snprintf(path, sizeof(path), "%s/report.json", run_dir);
    if (access(path, R_OK) < 0)
        return rg_error_set(err, path, 0, 0, "cannot read the report: %s", strerror(errno));
    r = json_load_file(path, 0, &jerr);
    if (!r)
        return rg_error_set(err, path, jerr.line > 0 ? jerr.line : 0,
                            jerr.column > 0 ? jerr.column : 0, "not valid JSON: %s", jerr.text);
    schema = json_string_value(json_object_get(r, "schema"));
    if (!schema || strcmp(schema, "ringgate.report/v1") != 0) {
        json_decref(r);
        return rg_error_set(err, path, 0, 0, "not a ringgate.report/v1 report (\"schema\" is %s)",
                            schema ? "another version" : "missing");
    }
    /* The formats walk these three arrays; anything else missing only leaves a blank. */
    if (!json_is_array(json_object_get(r, "scenarios")) ||
        !json_is_array(json_object_get(r, "cells")) ||
        !json_is_array(json_object_get(r, "findings"))) {
        json_decref(r);
        return rg_error_set(err, path, 0, 0,
                            "\"scenarios\", \"cells\" and \"findings\" must be arrays");
    }
    *out = r;
    return 0;
}

json_t *rg_report_dedup_findings(const json_t *cells)
{
    json_t *out = json_array(), *index = json_object(), *c;
    size_t i;

    json_array_foreach(cells, i, c)
    {
        char cell[600];
        size_t j;
        json_t *f;

        snprintf(cell, sizeof(cell), "%s/%s", rg_report_str(c, "scenario"),
                 rg_report_str(c, "id"));
        json_array_foreach(json_object_get(c, "findings"), j, f)
        {
            const char *cls = rg_report_str(f, "class"), *title = rg_report_str(f, "title");
            char *key = NULL;
            json_t *entry, *hit, *v;
            bool listed = false;
            size_t k;

            if (asprintf(&key, "%s\n%s", cls, title) < 0)
                continue;
            entry = json_object_get(index, key);
            if (!entry) {
                entry = json_pack("{s:s, s:s, s:s, s:i, s:[]}", "class", cls, "title", title,
                                  "action", rg_report_str(f, "action"), "count", 0, "cells");
                json_object_set(index, key, entry);
                json_array_append_new(out, entry);
            }
            free(key);
            json_object_set_new(entry, "count",
                                json_integer(json_integer_value(json_object_get(entry,
                                                                                "count")) +
                                             1));
            hit = json_object_get(entry, "cells");
            json_array_foreach(hit, k, v) listed = listed || !strcmp(json_string_value(v), cell);
            if (!listed)
                json_array_append_new(hit, json_string(cell));
        }
    }
    json_decref(index);
    return out;
}

const char *rg_report_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

double rg_report_num(const json_t *o, const char *key, double def)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : def;
}

long long rg_report_int(const json_t *o, const char *key, long long def)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

const json_t *rg_report_boot(const json_t *cell, const json_t *finding)
{
    const json_t *b, *n = json_object_get(finding, "boot");
    size_t i;

    if (!json_is_integer(n))
        return NULL;
    json_array_foreach(json_object_get(cell, "boots"), i, b)
    {
        if (json_integer_value(json_object_get(b, "n")) == json_integer_value(n))
            return b;
    }
    return NULL;
}

/* Length of the well-formed UTF-8 sequence at s (n bytes left), its code point in *cp; 0 if
 * none starts there (stray continuation, overlong form, surrogate, beyond U+10FFFF). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t c, min;
    size_t need;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        need = 1;
        min = 0x80;
        c = s[0] & 0x1fu;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        need = 2;
        min = 0x800;
        c = s[0] & 0x0fu;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        need = 3;
        min = 0x10000;
        c = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (n < need + 1)
        return 0;
    for (size_t k = 1; k <= need; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[k] & 0x3fu);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return need + 1;
}

static bool shown_as_escape(uint32_t c, enum rg_clean mode)
{
    /* C1 controls show as boxes, or steer terminals; bidi overrides and isolates make text
     * read otherwise than it is ("txt.exe"); XML forbids U+FFFE and U+FFFF. */
    if ((c >= 0x80 && c < 0xa0) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
        c == 0xfffe || c == 0xffff)
        return true;
    if (mode == RG_CLEAN_LINE) /* C0 controls steer terminals */
        return c < 0x20 || c == 0x7f;
    if (mode == RG_CLEAN_LINES)
        return (c < 0x20 && c != '\n') || c == 0x7f;
    return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
}

void rg_report_put_clean(struct rg_buf *b, const char *s, enum rg_clean mode)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)u);

    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t len = utf8_next(u + i, n - i, &c);

        if (len == 0) {
            rg_buf_printf(b, "\\x%02x", u[i]);
            i++;
            continue;
        }
        /* Serial consoles end lines with CR LF: the CR is noise, not content. */
        if (c == '\r' && u[i + 1] == '\n' && mode != RG_CLEAN_LINE) {
            i++;
            continue;
        }
        if (shown_as_escape(c, mode)) {
            if (c < 0x100)
                rg_buf_printf(b, "\\x%02x", (unsigned)c);
            else
                rg_buf_printf(b, "\\u%04x", (unsigned)c);
        } else if (mode == RG_CLEAN_HTML && c == '&') {
            rg_buf_puts(b, "&amp;");
        } else if (mode == RG_CLEAN_HTML && c == '<') {
            rg_buf_puts(b, "&lt;");
        } else if (mode == RG_CLEAN_HTML && c == '>') {
            rg_buf_puts(b, "&gt;");
        } else if (mode == RG_CLEAN_HTML && c == '"') {
            rg_buf_puts(b, "&quot;");
        } else if (mode == RG_CLEAN_HTML && c == '\'') {
            rg_buf_puts(b, "&#39;");
        } else {
            rg_buf_append(b, u + i, len);
        }
        i += len;
    }
}

size_t rg_report_retries(const json_t *cell)
{
    return json_array_size(json_object_get(cell, "attempts"));
}

void rg_report_retry_reasons(const json_t *cell, struct rg_buf *out, enum rg_clean mode)
{
    const json_t *attempts = json_object_get(cell, "attempts"), *a, *r, *b, *e;
    size_t i, j, k, l;
    bool first = true;

    json_array_foreach(attempts, i, a)
    {
        json_array_foreach(json_object_get(a, "reasons"), j, r)
        {
            bool seen = false;

            /* Once each: a host that fails the same way every time says it once. */
            json_array_foreach(attempts, k, b)
            {
                json_array_foreach(json_object_get(b, "reasons"), l, e)
                {
                    if ((k < i || (k == i && l < j)) && json_equal((json_t *)e, (json_t *)r))
                        seen = true;
                }
            }
            if (seen || !json_is_string(r))
                continue;
            if (!first)
                rg_buf_puts(out, "; ");
            first = false;
            rg_report_put_clean(out, json_string_value(r), mode);
        }
    }
}

int rg_report_write_atomic(const char *path, const char *data, size_t len, struct rg_error *err)
{
    char tmp[4200];
    FILE *f;
    int saved;

    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    f = fopen(tmp, "w");
    if (!f)
        return rg_error_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
    if (fwrite(data, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0) {
        saved = errno;
        fclose(f);
        unlink(tmp);
        return rg_error_set(err, path, 0, 0, "cannot write: %s", strerror(saved));
    }
    if (fclose(f) != 0 || rename(tmp, path) < 0) {
        saved = errno;
        unlink(tmp);
        return rg_error_set(err, path, 0, 0, "cannot write: %s", strerror(saved));
    }
    return 0;
}
