/* report.json read back, what every format shares (cleaning, atomic writes), the text summary. */
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

/* The text summary: a verdict headline, one line per cell, deduplicated findings, the
 * regression estimates, and the verdict again as the last line, where a terminal user's eye
 * lands. */

static const char *verdict_colour(const char *verdict, bool on)
{
    if (!on)
        return "";
    if (!strcmp(verdict, "pass"))
        return "\033[1;32m";
    if (!strcmp(verdict, "block"))
        return "\033[1;31m";
    if (!strcmp(verdict, "inconclusive"))
        return "\033[1;33m";
    return "\033[1;90m";
}

static void put_line(struct rg_buf *b, const char *s)
{
    rg_report_put_clean(b, s, RG_CLEAN_LINE);
}

/* s cleaned, then padded with spaces to width columns (report strings are mostly ASCII;
 * a wide or combining character only skews the alignment). */
static void put_padded(struct rg_buf *b, const char *s, size_t width)
{
    size_t start = b->len;

    put_line(b, s);
    for (size_t w = b->len - start; w < width; w++)
        rg_buf_putc(b, ' ');
}

static void put_upper(struct rg_buf *b, const char *s)
{
    for (; *s; s++)
        rg_buf_putc(b, *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s);
}

static void cell_label(struct rg_buf *b, const json_t *cell, bool with_scenario)
{
    if (with_scenario) {
        put_line(b, rg_report_str(cell, "scenario"));
        rg_buf_putc(b, '/');
    }
    put_line(b, rg_report_str(cell, "id"));
}

/* The first blocking finding, then the other classes that blocked, once each; a cell with
 * none shows its first warning, or why it has no verdict. */
static void cell_reason(struct rg_buf *b, const json_t *cell)
{
    const json_t *findings = json_object_get(cell, "findings"), *f, *first = NULL, *warn = NULL;
    size_t i, nboots = json_array_size(json_object_get(cell, "boots"));
    struct rg_buf seen = RG_BUF_INIT;
    int others = 0;

    json_array_foreach(findings, i, f)
    {
        if (!first && !strcmp(rg_report_str(f, "action"), "block"))
            first = f;
        if (!warn && !strcmp(rg_report_str(f, "action"), "warn"))
            warn = f;
    }
    if (!first && warn) {
        put_line(b, rg_report_str(warn, "class"));
        rg_buf_puts(b, " (warn): ");
        put_line(b, rg_report_str(warn, "title"));
        return;
    }
    if (!first) {
        rg_buf_printf(b, "%s after %zu boot%s",
                      strcmp(rg_report_str(cell, "verdict"), "aborted")
                          ? "no findings"
                          : "not finished (interrupted, or stopped by fail-fast)",
                      nboots, nboots == 1 ? "" : "s");
        return;
    }
    put_line(b, rg_report_str(first, "class"));
    rg_buf_puts(b, ": ");
    put_line(b, rg_report_str(first, "title"));
    rg_buf_printf(&seen, "|%s|", rg_report_str(first, "class"));
    json_array_foreach(findings, i, f)
    {
        struct rg_buf key = RG_BUF_INIT;

        rg_buf_printf(&key, "|%s|", rg_report_str(f, "class"));
        if (!strcmp(rg_report_str(f, "action"), "block") &&
            !strstr(rg_buf_str(&seen), rg_buf_str(&key))) {
            rg_buf_puts(&seen, rg_buf_str(&key));
            rg_buf_puts(b, others++ ? ", " : " (+ ");
            put_line(b, rg_report_str(f, "class"));
        }
        rg_buf_free(&key);
    }
    if (others)
        rg_buf_putc(b, ')');
    rg_buf_free(&seen);
}

static void put_rollback(struct rg_buf *b, const json_t *cell)
{
    const json_t *rb = json_object_get(cell, "rollback");

    if (!json_is_object(rb))
        return;
    rg_buf_puts(b, "; rollback: revert ");
    put_line(b, rg_report_str(rb, "revert"));
    rg_buf_puts(b, ", safe mode ");
    put_line(b, rg_report_str(rb, "safe_mode"));
}

static void text_cells(struct rg_buf *out, const json_t *report, bool color)
{
    const json_t *cells = json_object_get(report, "cells"), *c;
    bool multi = json_array_size(json_object_get(report, "scenarios")) > 1;
    const char *reset = color ? "\033[0m" : "";
    size_t i, wid = 0, wv = 0;

    json_array_foreach(cells, i, c)
    {
        struct rg_buf l = RG_BUF_INIT;
        cell_label(&l, c, multi);
        wid = l.len > wid ? l.len : wid;
        wv = strlen(rg_report_str(c, "verdict")) > wv ? strlen(rg_report_str(c, "verdict")) : wv;
        rg_buf_free(&l);
    }
    json_array_foreach(cells, i, c)
    {
        struct rg_buf l = RG_BUF_INIT;
        const char *v = rg_report_str(c, "verdict");

        cell_label(&l, c, multi);
        rg_buf_puts(out, "  ");
        put_padded(out, rg_buf_str(&l), wid);
        rg_buf_printf(out, "  %s", verdict_colour(v, color));
        put_padded(out, v, wv);
        rg_buf_printf(out, "%s  ", reset);
        cell_reason(out, c);
        put_rollback(out, c);
        rg_buf_putc(out, '\n');
        rg_buf_free(&l);
    }
}

static void text_findings(struct rg_buf *out, const json_t *report)
{
    const json_t *dedup = json_object_get(report, "findings"), *f, *c;
    size_t i, j, wc = 0;

    if (!json_array_size(dedup))
        return;
    json_array_foreach(dedup, i, f)
    {
        size_t n = strlen(rg_report_str(f, "class"));
        wc = n > wc ? n : wc;
    }
    rg_buf_puts(out, "\nfindings (deduplicated):\n");
    json_array_foreach(dedup, i, f)
    {
        rg_buf_printf(out, "  %3lldx  ", rg_report_int(f, "count", 0));
        put_padded(out, rg_report_str(f, "action"), 5);
        rg_buf_puts(out, "  ");
        put_padded(out, rg_report_str(f, "class"), wc);
        rg_buf_puts(out, "  ");
        put_line(out, rg_report_str(f, "title"));
        rg_buf_puts(out, "  [");
        json_array_foreach(json_object_get(f, "cells"), j, c)
        {
            rg_buf_puts(out, j ? ", " : "");
            put_line(out, json_string_value(c));
        }
        rg_buf_puts(out, "]\n");
    }
}

static void text_metrics(struct rg_buf *out, const json_t *report)
{
    const json_t *cells = json_object_get(report, "cells"), *c, *m;
    bool multi = json_array_size(json_object_get(report, "scenarios")) > 1, any = false;
    size_t i, j, wid = 0, wname = 0;

    json_array_foreach(cells, i, c) json_array_foreach(json_object_get(c, "metrics"), j, m)
    {
        struct rg_buf l = RG_BUF_INIT;
        cell_label(&l, c, multi);
        wid = l.len > wid ? l.len : wid;
        rg_buf_reset(&l);
        put_line(&l, rg_report_str(m, "name"));
        wname = l.len > wname ? l.len : wname;
        rg_buf_free(&l);
        any = true;
    }
    if (any)
        rg_buf_puts(out, "\nregression checks (candidate vs baseline):\n");
    json_array_foreach(cells, i, c) json_array_foreach(json_object_get(c, "metrics"), j, m)
    {
        struct rg_buf l = RG_BUF_INIT;
        cell_label(&l, c, multi);
        rg_buf_puts(out, "  ");
        put_padded(out, rg_buf_str(&l), wid);
        rg_buf_puts(out, "  ");
        put_padded(out, rg_report_str(m, "name"), wname);
        rg_buf_free(&l);
        if (!strcmp(rg_report_str(m, "kind"), "memory"))
            /* Growth, not a shift: the candidate's slope beyond the baseline's. */
            rg_buf_printf(out, "  %+.2f MiB over %.0f s (%+.2f vs %+.2f MiB/min, %+.0f MiB/h)  "
                               "max %g MiB  ",
                          rg_report_num(m, "growth", 0), rg_report_num(m, "window_s", 0),
                          rg_report_num(m, "slope_candidate_per_min", 0),
                          rg_report_num(m, "slope_baseline_per_min", 0),
                          rg_report_num(m, "growth_per_hour", 0),
                          rg_report_num(m, "max_growth", 0));
        else
            rg_buf_printf(out, "  %+.1f %% [%+.1f, %+.1f]  p=%.3g  threshold %.1f %%  ",
                          rg_report_num(m, "shift_pct", 0), rg_report_num(m, "ci_low_pct", 0),
                          rg_report_num(m, "ci_high_pct", 0), rg_report_num(m, "p_value", 1),
                          rg_report_num(m, "threshold_pct", 0));
        /* The noise beside the shift: a reader sees what the threshold can resolve. */
        if (json_is_number(json_object_get(m, "noise_pct")))
            rg_buf_printf(out, "%zu pairs  noise %.1f %%  mde %.1f %%  ",
                          json_array_size(json_object_get(m, "baseline")),
                          rg_report_num(m, "noise_pct", 0), rg_report_num(m, "mde_pct", 0));
        put_line(out, rg_report_str(m, "verdict"));
        if (json_is_true(json_object_get(m, "decides")))
            rg_buf_puts(out, " (decides)");
        rg_buf_putc(out, '\n');
    }
}

int rg_report_text(const json_t *report, bool color, struct rg_buf *out)
{
    const json_t *update = json_object_get(report, "update"),
                 *host = json_object_get(report, "host");
    const char *v = rg_report_str(report, "verdict"), *reset = color ? "\033[0m" : "";
    size_t ncells = json_array_size(json_object_get(report, "cells"));

    rg_buf_puts(out, "ringgate ");
    put_line(out, rg_report_str(report, "run_id"));
    rg_buf_printf(out, ": %s", verdict_colour(v, color));
    put_upper(out, v[0] ? v : "unknown");
    rg_buf_printf(out, "%s\n  ", reset);
    if (json_array_size(json_object_get(report, "scenarios")) > 1) {
        const json_t *sc;
        size_t i;
        rg_buf_printf(out, "%zu scenarios (",
                      json_array_size(json_object_get(report, "scenarios")));
        json_array_foreach(json_object_get(report, "scenarios"), i, sc)
        {
            rg_buf_puts(out, i ? ", " : "");
            put_line(out, rg_report_str(sc, "name"));
        }
        rg_buf_puts(out, "), ");
    } else if (json_is_object(update)) {
        rg_buf_puts(out, "update ");
        put_line(out, rg_report_str(update, "name"));
        rg_buf_putc(out, ' ');
        put_line(out, rg_report_str(update, "version"));
        rg_buf_puts(out, " (");
        put_line(out, rg_report_str(update, "kind"));
        rg_buf_puts(out, "), ");
    }
    rg_buf_printf(out, "%zu cell%s, %.1f s, ", ncells, ncells == 1 ? "" : "s",
                  rg_report_num(report, "duration_s", 0));
    put_line(out, rg_report_str(host, "accelerator"));
    rg_buf_puts(out, "\n\n");
    text_cells(out, report, color);
    text_findings(out, report);
    text_metrics(out, report);
    if (json_is_object(json_object_get(report, "aa"))) {
        const json_t *aa = json_object_get(report, "aa");

        rg_buf_printf(out, "\nA/A run (the baseline against itself), %lld comparison(s): %lld "
                           "false block(s), %lld significant shift(s), %lld inconclusive, "
                           "%lld threshold(s) finer than the noise resolves\n",
                      rg_report_int(aa, "comparisons", 0), rg_report_int(aa, "false_blocks", 0),
                      rg_report_int(aa, "false_positives", 0),
                      rg_report_int(aa, "inconclusive", 0), rg_report_int(aa, "noisy", 0));
    }
    rg_buf_printf(out, "\nverdict: %s", verdict_colour(v, color));
    put_line(out, v);
    rg_buf_printf(out, "%s (exit %lld)\n", reset, rg_report_int(report, "exit_code", 0));
    return 0;
}
