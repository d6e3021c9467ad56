/* The Markdown summary of a run (run --summary-md, $GITHUB_STEP_SUMMARY), from report.json. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

/* Verdict and exit code, the matrix as a table, the blocking findings deduplicated (at most
 * RG_MD_FINDINGS_MAX): what a CI job's summary page needs, and nothing it cannot render. */
#define RG_MD_FINDINGS_MAX 50

/* One table cell's worth of an untrusted string: controls cleaned as on a terminal line,
 * newlines as <br>, and Markdown's punctuation backslash-escaped, so that a '|' does not end
 * the cell and a title cannot open a link, an emphasis or an HTML tag. */
static void put_md(struct rg_buf *b, const char *s)
{
    struct rg_buf clean = RG_BUF_INIT;
    const char *nl;

    for (;;) {
        nl = strchr(s, '\n');
        rg_buf_reset(&clean);
        if (nl) {
            char *seg = strndup(s, (size_t)(nl - s));

            rg_report_put_clean(&clean, seg ? seg : "", RG_CLEAN_LINE);
            free(seg);
        } else {
            rg_report_put_clean(&clean, s, RG_CLEAN_LINE);
        }
        for (const char *p = rg_buf_str(&clean); *p; p++) {
            if (strchr("\\`*_[]<>|~#!&", *p))
                rg_buf_putc(b, '\\');
            rg_buf_putc(b, *p);
        }
        if (!nl)
            break;
        rg_buf_puts(b, "<br>");
        s = nl + 1;
    }
    rg_buf_free(&clean);
}

/* The cell's first reason (its first blocking finding's, as report.json orders them), or
 * nothing. */
static void md_cells(struct rg_buf *out, const json_t *report)
{
    const json_t *cells = json_object_get(report, "cells"), *c;
    size_t i;

    rg_buf_puts(out, "| scenario | cell | vCPUs | memory | verdict | reason |\n"
                     "|---|---|---:|---:|---|---|\n");
    json_array_foreach(cells, i, c)
    {
        const json_t *reasons = json_object_get(c, "reasons");

        rg_buf_puts(out, "| ");
        put_md(out, rg_report_str(c, "scenario"));
        rg_buf_puts(out, " | ");
        put_md(out, rg_report_str(c, "id"));
        rg_buf_printf(out, " | %lld | %lld MiB | **", rg_report_int(c, "vcpus", 0),
                      rg_report_int(c, "memory_mib", 0));
        put_md(out, rg_report_str(c, "verdict"));
        rg_buf_puts(out, "** | ");
        if (json_array_size(reasons) && json_is_string(json_array_get(reasons, 0)))
            put_md(out, json_string_value(json_array_get(reasons, 0)));
        if (rg_report_retries(c)) {
            /* gate.retries: the host failed earlier attempts; the verdict is the last one's. */
            struct rg_buf why = RG_BUF_INIT;

            rg_report_retry_reasons(c, &why, RG_CLEAN_LINE);
            rg_buf_printf(out, "%sretried %zu time%s (", json_array_size(reasons) ? "; " : "",
                          rg_report_retries(c), rg_report_retries(c) == 1 ? "" : "s");
            put_md(out, rg_buf_str(&why));
            rg_buf_putc(out, ')');
            rg_buf_free(&why);
        }
        rg_buf_puts(out, " |\n");
    }
}

static void md_findings(struct rg_buf *out, const json_t *report)
{
    const json_t *dedup = json_object_get(report, "findings"), *f, *c;
    size_t i, j, shown = 0, blocking = 0;

    json_array_foreach(dedup, i, f) blocking += !strcmp(rg_report_str(f, "action"), "block");
    if (!blocking)
        return;
    rg_buf_puts(out, "\n### Blocking findings\n\n| count | class | finding | cells |\n"
                     "|---:|---|---|---|\n");
    json_array_foreach(dedup, i, f)
    {
        if (strcmp(rg_report_str(f, "action"), "block") != 0)
            continue;
        if (shown++ == RG_MD_FINDINGS_MAX)
            break;
        rg_buf_printf(out, "| %lld | ", rg_report_int(f, "count", 0));
        put_md(out, rg_report_str(f, "class"));
        rg_buf_puts(out, " | ");
        put_md(out, rg_report_str(f, "title"));
        rg_buf_puts(out, " | ");
        json_array_foreach(json_object_get(f, "cells"), j, c)
        {
            rg_buf_puts(out, j ? ", " : "");
            put_md(out, json_is_string(c) ? json_string_value(c) : "");
        }
        rg_buf_puts(out, " |\n");
    }
    if (blocking > RG_MD_FINDINGS_MAX)
        rg_buf_printf(out, "\n%zu more blocking findings: see report.json.\n",
                      blocking - RG_MD_FINDINGS_MAX);
}

int rg_report_markdown(const json_t *report, struct rg_buf *out)
{
    const char *v = rg_report_str(report, "verdict");
    const json_t *shard = json_object_get(report, "shard");

    rg_buf_puts(out, "## ringgate: ");
    for (const char *p = v; *p; p++)
        rg_buf_putc(out, *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p);
    rg_buf_printf(out, " (exit %lld)\n\nrun ", rg_report_int(report, "exit_code", 0));
    put_md(out, rg_report_str(report, "run_id"));
    rg_buf_printf(out, ", %zu cell%s, %.1f s", json_array_size(json_object_get(report, "cells")),
                  json_array_size(json_object_get(report, "cells")) == 1 ? "" : "s",
                  rg_report_num(report, "duration_s", 0));
    if (json_is_object(shard))
        rg_buf_printf(out, ", shard %lld/%lld", rg_report_int(shard, "index", 0),
                      rg_report_int(shard, "count", 0));
    rg_buf_puts(out, "\n\n");
    md_cells(out, report);
    md_findings(out, report);
    return 0;
}

int rg_report_write_markdown(const json_t *report, const char *path, bool append,
                             struct rg_error *err)
{
    struct rg_buf b = RG_BUF_INIT;
    FILE *f;
    int rc = 0;

    rg_report_markdown(report, &b);
    if (!append) {
        rc = rg_report_write_atomic(path, rg_buf_str(&b), b.len, err);
        rg_buf_free(&b);
        return rc;
    }
    /* GitHub's step summary is one file the job's steps append to. */
    f = fopen(path, "a");
    if (!f || fwrite(rg_buf_str(&b), 1, b.len, f) != b.len)
        rc = rg_error_set(err, path, 0, 0, "cannot append the summary: %s", strerror(errno));
    if (f && fclose(f) != 0 && rc == 0)
        rc = rg_error_set(err, path, 0, 0, "cannot append the summary: %s", strerror(errno));
    rg_buf_free(&b);
    return rc;
}
