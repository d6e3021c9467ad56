/* The text summary printed at the end of a run, and by `ringgate report`. */
#include <stdio.h>
#include <string.h>

#include "report/report.h"

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

/* gate.retries: a cell the host failed before it got its verdict says so. */
static void put_retries(struct rg_buf *b, const json_t *cell)
{
    size_t n = rg_report_retries(cell);

    if (!n)
        return;
    rg_buf_printf(b, "; retried %zu time%s (", n, n == 1 ? "" : "s");
    rg_report_retry_reasons(cell, b, RG_CLEAN_LINE);
    rg_buf_putc(b, ')');
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
        put_retries(out, c);
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
