/* index.html from report.json: one self-contained page (inline CSS and SVG, no script). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/console.h"
#include "report/report.h"
#include "util/stats.h"

/* Every string from the report reaches the page through esc(); class names and ids are
 * built from fixed lists and indexes only, never from report strings. */
static void esc(struct rg_buf *b, const char *s)
{
    rg_report_put_clean(b, s, RG_CLEAN_HTML);
}

static const char *pick(const char *s, const char *const *known, const char *fallback)
{
    for (size_t i = 0; known[i]; i++)
        if (!strcmp(s, known[i]))
            return known[i];
    return fallback;
}

static const char *verdict_class(const char *v)
{
    static const char *const known[] = {"pass", "block", "inconclusive", "aborted", NULL};
    return pick(v, known, "unknown");
}

static const char *outcome_class(const char *o)
{
    static const char *const known[] = {"ready",   "crash", "hang", "reset",
                                        "aborted", "infra", NULL};
    return pick(o, known, "unknown");
}

static const char *action_class(const char *a)
{
    static const char *const known[] = {"block", "warn", "ignore", NULL};
    return pick(a, known, "unknown");
}

static const char *step_class(const char *s)
{
    static const char *const known[] = {"pass", "fail", "skipped", NULL};
    return pick(s, known, "unknown");
}

static const char *metric_class(const char *v)
{
    static const char *const known[] = {"pass",      "regression",   "significant-below-threshold",
                                        "undecided", "inconclusive", NULL};
    return pick(v, known, "unknown");
}

/* One string per rule group: ISO C caps a string literal at 4095 characters. */
static const char *const css[] = {
    ":root{--pass:#1a7f37;--block:#cf222e;--inconclusive:#9a6700;--aborted:#6e7781;"
    "--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa}\n",
    "*{box-sizing:border-box}\n",
    "body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
    "sans-serif;color:var(--ink);background:#fff}\n",
    "main{max-width:1240px;margin:0 auto;padding:0 20px 40px}\n",
    "a{color:#0969da}\n",
    ".banner{color:#fff;padding:18px 24px 14px}\n",
    ".banner h1{margin:0;font-size:30px;letter-spacing:.05em}\n",
    ".banner .sub{margin:2px 0 0;opacity:.95}\n",
    ".banner ul{margin:10px 0 0;padding-left:22px}\n",
    ".banner .n{opacity:.8}\n",
    ".banner.v-pass{background:var(--pass)}.banner.v-block{background:var(--block)}"
    ".banner.v-inconclusive{background:var(--inconclusive)}"
    ".banner.v-aborted,.banner.v-unknown{background:var(--aborted)}\n",
    "h2{font-size:19px;border-bottom:1px solid var(--line);padding-bottom:4px;margin:28px 0 "
    "10px}\n",
    "h3{font-size:16px;margin:14px 0 6px}\n",
    "table{border-collapse:collapse;margin:6px 0}\n",
    "th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}\n",
    "th{background:var(--bg);font-weight:600}\n",
    "td.num{text-align:right;font-variant-numeric:tabular-nums}\n",
    ".muted,.meta{color:var(--muted)}\n",
    "code,.mono{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12px}\n",
    ".badge{display:inline-block;padding:0 8px;border-radius:10px;color:#fff;font-size:12px;"
    "font-weight:600;line-height:20px;white-space:nowrap}\n",
    ".badge.v-pass,.badge.s-pass,.badge.m-pass,.badge.o-ready{background:"
    "var(--pass)}\n",
    ".badge.v-block,.badge.a-block,.badge.s-fail,.badge.m-regression,.badge.o-crash{"
    "background:var(--block)}\n",
    ".badge.v-inconclusive,.badge.a-warn,.badge.m-significant-below-threshold,"
    ".badge.m-undecided,.badge.m-inconclusive,.badge.o-reset{"
    "background:var(--inconclusive)}\n",
    ".badge.v-aborted,.badge.v-unknown,.badge.a-ignore,.badge.a-unknown,.badge.s-skipped,"
    ".badge.s-unknown,.badge.m-unknown,.badge.o-aborted,.badge.o-unknown{background:"
    "var(--aborted)}\n",
    ".badge.o-hang{background:#8250df}.badge.o-infra{background:#424a53}\n",
    ".badge.cls{background:#fff;color:var(--ink);border:1px solid var(--line)}\n",
    "table.grid{table-layout:fixed}\n",
    "table.grid th{text-align:center;vertical-align:middle}\n",
    "table.grid td.gc{width:190px;height:74px;padding:6px 8px;color:#fff;vertical-align:middle;"
    "overflow:hidden}\n",
    "table.grid td.gc a{color:#fff;text-decoration:none;display:block}\n",
    "table.grid td.gc b{display:block}\n",
    "table.grid td.gc small{display:block;white-space:nowrap;overflow:hidden;"
    "text-overflow:ellipsis;opacity:.92}\n",
    "td.gc.v-pass{background:var(--pass)}td.gc.v-block{background:var(--block)}"
    "td.gc.v-inconclusive{background:var(--inconclusive)}"
    "td.gc.v-aborted,td.gc.v-unknown{background:var(--aborted)}\n",
    "td.gc.none{background:#eaeef2;color:var(--muted);text-align:center}\n",
    ".cell{border:1px solid var(--line);border-left:6px solid var(--aborted);border-radius:6px;"
    "padding:6px 16px 12px;margin:16px 0}\n",
    ".cell.v-pass{border-left-color:var(--pass)}.cell.v-block{border-left-color:var(--block)}"
    ".cell.v-inconclusive{border-left-color:var(--inconclusive)}\n",
    ".finding{margin:10px 0}\n",
    ".fh{margin-bottom:4px}\n",
    "pre.console{background:#0d1117;color:#c9d1d9;padding:8px 10px;margin:4px 0;"
    "overflow:auto;max-height:440px;font:12px/1.4 ui-monospace,'DejaVu Sans Mono',"
    "monospace;white-space:pre}\n",
    "pre.console .hl{color:#ffa198;background:#4c1d1d;font-weight:700}\n",
    "svg{display:block;max-width:100%;height:auto}\n",
    "svg text{font-family:system-ui,'DejaVu Sans',sans-serif;font-size:11px;fill:var(--ink)}\n",
    "svg text.on{fill:#fff}\n",
    "svg .o-ready{fill:var(--pass)}svg .o-crash{fill:var(--block)}svg .o-hang{fill:#8250df}"
    "svg .o-reset{fill:#d4a72c}svg .o-aborted,svg .o-unknown{fill:#8c959f}"
    "svg .o-infra{fill:#424a53}\n",
    "svg .tick{stroke:#fff;stroke-width:2}svg .axis{stroke:#8c959f;stroke-width:1}\n",
    "svg .ev-crash{fill:var(--block)}svg .ev-warn{fill:#d4a72c}svg .ev-hang{fill:#8250df}"
    "svg .ev-apply{fill:#0969da}svg .ev-hw{fill:#bc4c00}svg .ev-rollback{fill:#1b7c83}"
    "svg .ev-fail{fill:#24292f}\n",
    "svg .verdict{stroke:var(--ink);stroke-width:1.5;stroke-dasharray:4 3}\n",
    "svg .box{fill:#ddf4ff;stroke:#54aeff}svg .box.c{fill:#ffebe9;stroke:#ff8182}\n",
    "svg .med{stroke:#0969da;stroke-width:2}svg .med.c{stroke:var(--block)}\n",
    "svg .dot{fill:#0969da;fill-opacity:.75}svg .dot.c{fill:var(--block)}\n",
    "svg .thr{stroke:#9a6700;stroke-width:1.5;stroke-dasharray:6 4}\n",
    "svg .ci{stroke:var(--ink);stroke-width:2}svg .est{fill:var(--ink)}\n",
    "svg .ref{stroke:#8c959f;stroke-dasharray:2 3}\n",
    ".legend span{display:inline-block;margin-right:14px;white-space:nowrap}\n",
    ".sw{display:inline-block;width:14px;height:10px;border-radius:2px;margin-right:4px;"
    "vertical-align:middle}\n",
    ".sw.o-ready{background:var(--pass)}.sw.o-crash{background:var(--block)}"
    ".sw.o-hang{background:#8250df}.sw.o-reset{background:#d4a72c}"
    ".sw.o-aborted{background:#8c959f}.sw.o-infra{background:#424a53}\n",
    "figure.metric{margin:12px 0 18px;border:1px solid var(--line);border-radius:6px;"
    "padding:8px 12px}\n",
    "figcaption{margin-bottom:4px}\n",
    "details summary{cursor:pointer;color:var(--muted)}\n",
    "footer{color:var(--muted);font-size:12px;margin-top:30px}\n",
    NULL,
};

static void badge(struct rg_buf *b, const char *prefix, const char *cls, const char *label)
{
    rg_buf_printf(b, "<span class=\"badge %s%s\">", prefix, cls);
    esc(b, label);
    rg_buf_puts(b, "</span>");
}

static bool is_block(const json_t *f)
{
    return !strcmp(rg_report_str(f, "action"), "block");
}

/* Index of the cell "<scenario>/<cell-id>" in the report's cells, or -1. */
static long cell_index(const json_t *report, const char *key)
{
    const json_t *c;
    size_t i;

    json_array_foreach(json_object_get(report, "cells"), i, c)
    {
        const char *s = rg_report_str(c, "scenario"), *id = rg_report_str(c, "id");
        size_t n = strlen(s);
        if (!strncmp(key, s, n) && key[n] == '/' && !strcmp(key + n + 1, id))
            return (long)i;
    }
    return -1;
}

/* Strings in order of first appearance, each with how often it came: reasons repeat
 * once per boot that crashed. */
static void unique_list(struct rg_buf *b, const json_t *strings, const char *ul_class)
{
    const json_t *v, *w;
    size_t i, j;

    if (!json_array_size(strings))
        return;
    rg_buf_printf(b, "<ul class=\"%s\">", ul_class);
    json_array_foreach(strings, i, v)
    {
        int count = 0;
        bool earlier = false;

        json_array_foreach(strings, j, w)
        {
            if (json_equal((json_t *)v, (json_t *)w)) {
                earlier |= j < i;
                count++;
            }
        }
        if (earlier)
            continue;
        rg_buf_puts(b, "<li>");
        esc(b, json_string_value(v));
        if (count > 1)
            rg_buf_printf(b, " <span class=\"n\">&times;%d</span>", count);
        rg_buf_puts(b, "</li>");
    }
    rg_buf_puts(b, "</ul>\n");
}

/* A relative link into the run folder; anything that could leave it or name a scheme is
 * shown as text instead. */
static bool put_href(struct rg_buf *b, const char *path)
{
    if (!path[0] || path[0] == '/' || strchr(path, ':') || strchr(path, '\\') ||
        strstr(path, "..") || strchr(path, '?') || strchr(path, '#'))
        return false;
    rg_buf_puts(b, " href=\"");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p))
            rg_buf_putc(b, (char)*p);
        else
            rg_buf_printf(b, "%%%02X", *p);
    }
    rg_buf_putc(b, '"');
    return true;
}

static void console_link(struct rg_buf *b, const json_t *cell, const char *label)
{
    struct rg_buf href = RG_BUF_INIT;

    if (put_href(&href, rg_report_str(cell, "console_log"))) {
        rg_buf_printf(b, "<a%s>", rg_buf_str(&href));
        esc(b, label);
        rg_buf_puts(b, "</a>");
    } else {
        esc(b, label);
    }
    rg_buf_free(&href);
}

static void excerpt(struct rg_buf *b, const char *text)
{
    struct rg_buf line = RG_BUF_INIT;

    rg_buf_puts(b, "<pre class=\"console\">");
    while (*text) {
        size_t n = strcspn(text, "\n");
        bool hl;

        rg_buf_reset(&line);
        rg_buf_append(&line, text, n - (n && text[n - 1] == '\r')); /* serial CR LF */
        hl = rg_console_marker_line(rg_buf_str(&line));
        rg_buf_puts(b, hl ? "<span class=\"hl\">" : "");
        esc(b, rg_buf_str(&line));
        rg_buf_puts(b, hl ? "</span>\n" : "\n");
        text += n + (text[n] == '\n');
    }
    rg_buf_puts(b, "</pre>\n");
    rg_buf_free(&line);
}

static void head(struct rg_buf *b, const json_t *report)
{
    const char *v = rg_report_str(report, "verdict");

    rg_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    /* Nothing on this page loads anything: even a string that slipped past esc() could not
     * run a script or call home. */
    rg_buf_puts(b, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'\">\n<title>ringgate ");
    esc(b, v);
    rg_buf_puts(b, " &middot; ");
    esc(b, rg_report_str(report, "run_id"));
    rg_buf_puts(b, "</title>\n<style>\n");
    for (size_t i = 0; css[i]; i++)
        rg_buf_puts(b, css[i]);
    rg_buf_puts(b, "</style>\n</head>\n<body>\n");
}

static void banner(struct rg_buf *b, const json_t *report)
{
    const char *v = rg_report_str(report, "verdict");
    const json_t *update = json_object_get(report, "update"), *c;
    size_t i, n[5] = {0};
    static const char *const names[] = {"pass", "block", "inconclusive", "aborted", NULL};

    json_array_foreach(json_object_get(report, "cells"), i, c)
    {
        for (size_t k = 0; names[k]; k++)
            n[k] += !strcmp(rg_report_str(c, "verdict"), names[k]);
    }
    rg_buf_printf(b, "<header id=\"verdict\" class=\"banner v-%s\">\n<h1>", verdict_class(v));
    for (const char *p = verdict_class(v); *p; p++)
        rg_buf_putc(b, (char)(*p - 'a' + 'A'));
    rg_buf_puts(b, "</h1>\n<p class=\"sub\">");
    if (json_array_size(json_object_get(report, "scenarios")) > 1) {
        rg_buf_printf(b, "%zu scenarios &middot; ",
                      json_array_size(json_object_get(report, "scenarios")));
    } else if (json_is_object(update)) {
        rg_buf_puts(b, "update <b>");
        esc(b, rg_report_str(update, "name"));
        rg_buf_puts(b, "</b> ");
        esc(b, rg_report_str(update, "version"));
        rg_buf_puts(b, " (");
        esc(b, rg_report_str(update, "kind"));
        rg_buf_puts(b, ") &middot; ");
    }
    rg_buf_printf(b, "%zu cells:", json_array_size(json_object_get(report, "cells")));
    for (size_t k = 0; names[k]; k++)
        if (n[k])
            rg_buf_printf(b, " %zu %s", n[k], names[k]);
    rg_buf_printf(b, " &middot; exit %lld &middot; run ", rg_report_int(report, "exit_code", 0));
    esc(b, rg_report_str(report, "run_id"));
    rg_buf_puts(b, "</p>\n");
    if (!strcmp(v, "pass"))
        rg_buf_puts(b, "<p class=\"sub\">Every cell booted the update without a crash, boot "
                       "loop, hang or regression.</p>\n");
    else if (!strcmp(v, "aborted"))
        rg_buf_puts(b, "<p class=\"sub\">The run was interrupted (or stopped) before every "
                       "cell had a verdict.</p>\n");
    unique_list(b, json_object_get(report, "reasons"), "reasons");
    rg_buf_puts(b, "</header>\n<main>\n");
}

static void fact(struct rg_buf *b, const char *name, const char *value)
{
    rg_buf_printf(b, "<tr><th>%s</th><td>", name);
    esc(b, value);
    rg_buf_puts(b, "</td></tr>\n");
}

static void package(struct rg_buf *b, const json_t *p)
{
    if (!json_is_object(p)) {
        rg_buf_puts(b, "<span class=\"muted\">none</span>");
        return;
    }
    rg_buf_puts(b, "<b>");
    esc(b, rg_report_str(p, "name"));
    rg_buf_puts(b, "</b> ");
    esc(b, rg_report_str(p, "version"));
    rg_buf_puts(b, " (");
    esc(b, rg_report_str(p, "kind"));
    rg_buf_puts(b, ") <span class=\"muted\">signer ");
    esc(b, rg_report_str(p, "signer"));
    rg_buf_puts(b, " &middot; sha256 </span><span class=\"mono muted\">");
    esc(b, rg_report_str(p, "sha256"));
    rg_buf_puts(b, "</span>");
}

static void scenario_facts(struct rg_buf *b, const json_t *s)
{
    const json_t *val = json_object_get(s, "validator"), *chk = json_object_get(s, "checks");
    const json_t *boot = json_object_get(s, "boot");
    static const char *const checks[][2] = {{"crash", "crash"},
                                            {"boot_loop", "boot loop"},
                                            {"hang", "hang"},
                                            {"warning", "warning"},
                                            {"oom", "out of memory"}};

    rg_buf_puts(b, "<h3>Scenario ");
    esc(b, rg_report_str(s, "name"));
    rg_buf_puts(b, " ");
    badge(b, "v-", verdict_class(rg_report_str(s, "verdict")), rg_report_str(s, "verdict"));
    rg_buf_puts(b, "</h3>\n<table class=\"facts\">\n");
    fact(b, "file", rg_report_str(s, "path"));
    rg_buf_puts(b, "<tr><th>sha256</th><td class=\"mono\">");
    esc(b, rg_report_str(s, "sha256"));
    rg_buf_puts(b, "</td></tr>\n");
    if (rg_report_str(s, "description")[0])
        fact(b, "about", rg_report_str(s, "description"));
    rg_buf_puts(b, "<tr><th>update</th><td>");
    package(b, json_object_get(s, "update"));
    rg_buf_puts(b, "</td></tr>\n<tr><th>baseline</th><td>");
    package(b, json_object_get(s, "baseline"));
    rg_buf_puts(b, "</td></tr>\n<tr><th>content validator</th><td>");
    if (rg_report_str(val, "failure")[0]) {
        badge(b, "s-", "fail", "could not judge");
        rg_buf_puts(b, " ");
        esc(b, rg_report_str(val, "failure"));
    } else if (!json_is_true(json_object_get(val, "ran"))) {
        rg_buf_puts(b, "<span class=\"muted\">not run</span>");
    } else if (json_is_true(json_object_get(val, "ok"))) {
        badge(b, "s-", "pass", "ok");
    } else {
        badge(b, "s-", "fail", "refused the update");
    }
    if (rg_report_str(val, "command")[0]) {
        rg_buf_puts(b, "<div class=\"mono muted\">");
        esc(b, rg_report_str(val, "command"));
        rg_buf_puts(b, "</div>");
    }
    unique_list(b, json_object_get(val, "errors"), "mono");
    rg_buf_puts(b, "</td></tr>\n<tr><th>checks</th><td>");
    for (size_t k = 0; k < sizeof(checks) / sizeof(checks[0]); k++) {
        rg_buf_printf(b, "%s%s ", k ? ", " : "", checks[k][1]);
        esc(b, rg_report_str(chk, checks[k][0]));
    }
    rg_buf_printf(b, ", rollback %s</td></tr>\n",
                  json_is_true(json_object_get(chk, "rollback")) ? "on" : "off");
    rg_buf_printf(b, "<tr><th>boot</th><td>timeout %g s, %g reboots, soak %g s</td></tr>\n",
                  rg_report_num(boot, "timeout_s", 0), rg_report_num(boot, "reboots", 0),
                  rg_report_num(boot, "soak_s", 0));
    rg_buf_puts(b, "</table>\n");
}

static void run_facts(struct rg_buf *b, const json_t *report)
{
    const json_t *host = json_object_get(report, "host"), *opt = json_object_get(report, "options");
    const json_t *s;
    char buf[160];
    size_t i;

    rg_buf_puts(b, "<section id=\"run\">\n<h2>Run</h2>\n<table class=\"facts\">\n");
    fact(b, "run", rg_report_str(report, "run_id"));
    snprintf(buf, sizeof(buf), "%.1f s", rg_report_num(report, "duration_s", 0));
    fact(b, "duration", buf);
    fact(b, "started", rg_report_str(report, "started_at"));
    fact(b, "finished", rg_report_str(report, "finished_at"));
    fact(b, "host", rg_report_str(host, "hostname"));
    rg_buf_puts(b, "<tr><th>hypervisor</th><td>libvirt ");
    esc(b, rg_report_str(host, "libvirt_version"));
    rg_buf_puts(b, ", QEMU ");
    esc(b, rg_report_str(host, "qemu_version"));
    rg_buf_puts(b, ", ");
    esc(b, rg_report_str(host, "accelerator"));
    rg_buf_puts(b, " <span class=\"muted\">(");
    esc(b, rg_report_str(host, "accelerator_reason"));
    rg_buf_printf(b, ")</span>, %lld cores</td></tr>\n", rg_report_int(host, "cores", 0));
    snprintf(buf, sizeof(buf), "jobs %lld, fail-fast %s, boot-anyway %s, keep %s, retries %lld",
             rg_report_int(opt, "jobs", 0),
             json_is_true(json_object_get(opt, "fail_fast")) ? "on" : "off",
             json_is_true(json_object_get(opt, "boot_anyway")) ? "on" : "off",
             json_is_true(json_object_get(opt, "keep")) ? "on" : "off",
             rg_report_int(opt, "retries", 0));
    fact(b, "options", buf);
    fact(b, "ringgate", rg_report_str(report, "ringgate_version"));
    rg_buf_puts(b, "</table>\n");
    json_array_foreach(json_object_get(report, "scenarios"), i, s) scenario_facts(b, s);
    rg_buf_puts(b, "</section>\n");
}

/* The cell's first blocking finding (or else its first warning) in a few words, for the
 * grid. */
static void short_reason(struct rg_buf *b, const json_t *cell)
{
    const json_t *f, *first = NULL, *warn = NULL;
    size_t i;

    json_array_foreach(json_object_get(cell, "findings"), i, f)
    {
        if (!first && is_block(f))
            first = f;
        if (!warn && !strcmp(rg_report_str(f, "action"), "warn"))
            warn = f;
    }
    first = first ? first : warn;
    if (!first) {
        rg_buf_printf(b, "%zu boots", json_array_size(json_object_get(cell, "boots")));
        return;
    }
    esc(b, rg_report_str(first, "class"));
    rg_buf_puts(b, ": ");
    esc(b, rg_report_str(first, "title"));
}

struct column {
    long long vcpus, mem;
};

static int column_cmp(const void *a, const void *b)
{
    const struct column *x = a, *y = b;

    if (x->vcpus != y->vcpus)
        return x->vcpus < y->vcpus ? -1 : 1;
    return x->mem < y->mem ? -1 : x->mem > y->mem;
}

static void grid_cell(struct rg_buf *b, const json_t *report, const char *scenario,
                      const char *image, const struct column *col)
{
    const json_t *c;
    size_t i;
    bool any = false;

    json_array_foreach(json_object_get(report, "cells"), i, c)
    {
        if (strcmp(rg_report_str(c, "scenario"), scenario) ||
            strcmp(rg_report_str(c, "image"), image) ||
            rg_report_int(c, "vcpus", 0) != col->vcpus ||
            rg_report_int(c, "memory_mib", 0) != col->mem)
            continue;
        if (!any)
            rg_buf_printf(b, "<td class=\"gc v-%s\">", verdict_class(rg_report_str(c, "verdict")));
        any = true;
        rg_buf_printf(b, "<a href=\"#cell-%zu\"><b>", i);
        esc(b, rg_report_str(c, "id"));
        rg_buf_puts(b, "</b>");
        esc(b, rg_report_str(c, "verdict"));
        rg_buf_puts(b, "<small>");
        short_reason(b, c);
        if (rg_report_retries(c))
            rg_buf_printf(b, " (%zu attempts)", rg_report_retries(c) + 1);
        rg_buf_puts(b, "</small></a>");
    }
    rg_buf_puts(b, any ? "</td>" : "<td class=\"gc none\">&mdash;</td>");
}

/* Per scenario a grid: a row per image, a column per vCPUs x memory, coloured by verdict. */
static void matrix(struct rg_buf *b, const json_t *report)
{
    const json_t *cells = json_object_get(report, "cells"), *s, *c;
    size_t n = json_array_size(cells), i, j;
    struct column *cols = calloc(n + 1, sizeof(*cols));
    const char **images = calloc(n + 1, sizeof(*images));

    if (!cols || !images)
        abort(); /* like rg_buf: out of memory is not a state worth reporting */
    rg_buf_puts(b, "<section>\n<h2>Matrix</h2>\n<div id=\"matrix\">\n");
    json_array_foreach(json_object_get(report, "scenarios"), i, s)
    {
        const char *name = rg_report_str(s, "name");
        size_t ncols = 0, nimages = 0;

        json_array_foreach(cells, j, c)
        {
            struct column col = {rg_report_int(c, "vcpus", 0), rg_report_int(c, "memory_mib", 0)};
            const char *image = rg_report_str(c, "image");
            size_t k;

            if (strcmp(rg_report_str(c, "scenario"), name))
                continue;
            for (k = 0; k < ncols && column_cmp(&cols[k], &col); k++)
                ;
            if (k == ncols)
                cols[ncols++] = col;
            for (k = 0; k < nimages && strcmp(images[k], image); k++)
                ;
            if (k == nimages)
                images[nimages++] = image;
        }
        qsort(cols, ncols, sizeof(*cols), column_cmp);
        rg_buf_puts(b, "<h3>");
        esc(b, name);
        rg_buf_puts(b, " ");
        badge(b, "v-", verdict_class(rg_report_str(s, "verdict")), rg_report_str(s, "verdict"));
        rg_buf_puts(b, "</h3>\n");
        if (!nimages) {
            rg_buf_puts(b, "<p class=\"muted\">no cells</p>\n");
            continue;
        }
        rg_buf_puts(b, "<table class=\"grid\">\n<tr><th>image \\ vCPUs &times; memory</th>");
        for (size_t k = 0; k < ncols; k++)
            rg_buf_printf(b, "<th>%lld vCPU%s<br>%lld MiB</th>", cols[k].vcpus,
                          cols[k].vcpus == 1 ? "" : "s", cols[k].mem);
        rg_buf_puts(b, "</tr>\n");
        for (size_t r = 0; r < nimages; r++) {
            rg_buf_puts(b, "<tr><th>");
            esc(b, images[r]);
            rg_buf_puts(b, "</th>");
            for (size_t k = 0; k < ncols; k++)
                grid_cell(b, report, name, images[r], &cols[k]);
            rg_buf_puts(b, "</tr>\n");
        }
        rg_buf_puts(b, "</table>\n");
    }
    rg_buf_puts(b, "</div>\n</section>\n");
    free(cols);
    free(images);
}

static void cell_links(struct rg_buf *b, const json_t *report, const json_t *keys)
{
    const json_t *k;
    size_t i;

    json_array_foreach(keys, i, k)
    {
        long idx = cell_index(report, json_string_value(k) ? json_string_value(k) : "");

        rg_buf_puts(b, i ? ", " : "");
        if (idx >= 0)
            rg_buf_printf(b, "<a href=\"#cell-%ld\">", idx);
        esc(b, json_string_value(k));
        rg_buf_puts(b, idx >= 0 ? "</a>" : "");
    }
}

static void findings(struct rg_buf *b, const json_t *report)
{
    const json_t *dedup = json_object_get(report, "findings"), *f;
    size_t i;

    rg_buf_puts(b, "<section id=\"findings\">\n<h2>Findings</h2>\n");
    if (!json_array_size(dedup)) {
        rg_buf_puts(b, "<p class=\"muted\">No findings.</p>\n</section>\n");
        return;
    }
    rg_buf_puts(b, "<p class=\"muted\">Deduplicated by class and title over every cell and "
                   "boot.</p>\n<table>\n<tr><th>count</th><th>action</th><th>class</th>"
                   "<th>title</th><th>cells</th></tr>\n");
    json_array_foreach(dedup, i, f)
    {
        rg_buf_printf(b, "<tr class=\"finding-row\"><td class=\"num\">%lld</td><td>",
                      rg_report_int(f, "count", 0));
        badge(b, "a-", action_class(rg_report_str(f, "action")), rg_report_str(f, "action"));
        rg_buf_puts(b, "</td><td>");
        badge(b, "", "cls", rg_report_str(f, "class"));
        rg_buf_puts(b, "</td><td>");
        esc(b, rg_report_str(f, "title"));
        rg_buf_puts(b, "</td><td>");
        cell_links(b, report, json_object_get(f, "cells"));
        rg_buf_puts(b, "</td></tr>\n");
    }
    rg_buf_puts(b, "</table>\n</section>\n");
}

struct scale {
    double lo, hi, x0, x1;
};

static double sx(const struct scale *sc, double v)
{
    return sc->x0 + (sc->x1 - sc->x0) * (v - sc->lo) / (sc->hi - sc->lo);
}

/* A step of 1, 2 or 5 times a power of ten giving about `want` ticks over span. */
static double nice_step(double span, int want)
{
    double raw = span / want, p, m;

    if (!(raw > 0))
        return 1;
    p = pow(10, floor(log10(raw)));
    m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/* An x axis at y from lo to hi, drawn from x0 to x1 pixels. */
static void axis(struct rg_buf *b, double lo, double hi, double x0, double x1, double y,
                 const char *unit)
{
    double step = nice_step(hi - lo, 6), first = ceil(lo / step) * step;

    rg_buf_printf(b, "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", x0,
                  x1, y, y);
    /* Counted, not accumulated: at a large offset a small step would not move t at all. */
    for (int k = 0; k <= 50 && first + k * step <= hi + step * 1e-9; k++) {
        double t = first + k * step, x = x0 + (x1 - x0) * (t - lo) / (hi - lo);
        rg_buf_printf(b,
                      "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g ",
                      x, x, y, y + 4, x, y + 15, fabs(t) < step * 1e-9 ? 0.0 : t);
        esc(b, unit);
        rg_buf_puts(b, "</text>");
    }
}

/* The marker class of an event type, or NULL for events the timeline leaves out (the boot
 * bars already show boots, starts and readiness). */
static const char *event_marker(const char *type)
{
    static const char *const map[][2] = {
        {"crash", "ev-crash"},         {"boot-loop", "ev-crash"},      {"hang", "ev-hang"},
        {"warning", "ev-warn"},        {"apply", "ev-apply"},          {"applied", "ev-apply"},
        {"pvpanic", "ev-hw"},          {"watchdog", "ev-hw"},          {"rollback", "ev-rollback"},
        {"install-failed", "ev-fail"}, {"rollback-failed", "ev-fail"}, {"infra", "ev-fail"},
    };

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(type, map[i][0]))
            return map[i][1];
    return NULL;
}

/* The cell on a time axis: a bar per boot coloured by its outcome, a tick where it was
 * ready, markers for crashes, updates and rollbacks, a dashed line at the verdict. */
static void timeline(struct rg_buf *b, const json_t *cell)
{
    const json_t *boots = json_object_get(cell, "boots"), *events = json_object_get(cell, "events");
    const json_t *bt, *e;
    double span = rg_report_num(cell, "duration_s", 0), vs;
    struct scale ts;
    size_t i, nboots = json_array_size(boots);

    json_array_foreach(boots, i, bt) span = fmax(span, rg_report_num(bt, "start_s", 0) + 1);
    json_array_foreach(events, i, e) span = fmax(span, rg_report_num(e, "t", 0));
    ts = (struct scale){0, span > 0 ? span : 1, 10, 950};
    span = ts.hi;
    rg_buf_puts(b, "<svg class=\"timeline\" viewBox=\"0 0 960 76\" width=\"960\" height=\"76\" "
                   "role=\"img\" aria-label=\"timeline of the cell's boots\">");
    json_array_foreach(boots, i, bt)
    {
        double t0 = rg_report_num(bt, "start_s", 0), t1 = span, ready;
        const char *outcome = rg_report_str(bt, "outcome");

        if (i + 1 < nboots)
            t1 = rg_report_num(json_array_get(boots, i + 1), "start_s", span);
        t1 = fmax(t1, t0);
        rg_buf_printf(b, "<g class=\"boot\"><title>boot %lld (", rg_report_int(bt, "n", 0));
        esc(b, rg_report_str(bt, "phase"));
        rg_buf_puts(b, "): ");
        esc(b, outcome);
        rg_buf_printf(b, ", started at %.1f s", t0);
        if (rg_report_str(bt, "reboot_cause")[0]) {
            rg_buf_puts(b, " (reboot: ");
            esc(b, rg_report_str(bt, "reboot_cause"));
            rg_buf_puts(b, ")");
        }
        rg_buf_printf(b,
                      "</title><rect class=\"o-%s\" x=\"%.1f\" y=\"6\" width=\"%.1f\" "
                      "height=\"26\" rx=\"2\"/>",
                      outcome_class(outcome), sx(&ts, t0), fmax(sx(&ts, t1) - sx(&ts, t0) - 1, 1));
        if (sx(&ts, t1) - sx(&ts, t0) > 64) {
            rg_buf_printf(b, "<text class=\"on\" x=\"%.1f\" y=\"23\">%lld ", sx(&ts, t0) + 4,
                          rg_report_int(bt, "n", 0));
            esc(b, rg_report_str(bt, "phase"));
            if (rg_report_str(bt, "reboot_cause")[0] && sx(&ts, t1) - sx(&ts, t0) > 120) {
                rg_buf_puts(b, " &middot; ");
                esc(b, rg_report_str(bt, "reboot_cause"));
            }
            rg_buf_puts(b, "</text>");
        }
        ready = rg_report_num(bt, "ready_s", -1);
        if (ready >= t0)
            rg_buf_printf(b, "<line class=\"tick\" x1=\"%.1f\" x2=\"%.1f\" y1=\"6\" y2=\"32\"/>",
                          sx(&ts, ready), sx(&ts, ready));
        rg_buf_puts(b, "</g>");
    }
    json_array_foreach(events, i, e)
    {
        const char *marker = event_marker(rg_report_str(e, "type"));
        double x = sx(&ts, rg_report_num(e, "t", 0));

        if (!marker)
            continue;
        rg_buf_printf(b, "<g class=\"event\"><title>%.1f s: ", rg_report_num(e, "t", 0));
        esc(b, rg_report_str(e, "type"));
        rg_buf_puts(b, ": ");
        esc(b, rg_report_str(e, "detail"));
        rg_buf_printf(b, "</title><path class=\"%s\" d=\"M%.1f 36 l5 10 h-10 z\"/></g>", marker, x);
    }
    vs = rg_report_num(cell, "verdict_s", -1);
    if (vs >= 0)
        rg_buf_printf(b,
                      "<g><title>verdict known at %.1f s</title><line class=\"verdict\" "
                      "x1=\"%.1f\" x2=\"%.1f\" y1=\"2\" y2=\"50\"/></g>",
                      vs, sx(&ts, vs), sx(&ts, vs));
    axis(b, 0, span, ts.x0, ts.x1, 56, "s");
    rg_buf_puts(b, "</svg>\n");
}

static void legend(struct rg_buf *b)
{
    static const char *const outcomes[] = {"ready",   "crash", "hang", "reset",
                                           "aborted", "infra", NULL};

    rg_buf_puts(b, "<p class=\"legend muted\">Boots: ");
    for (size_t i = 0; outcomes[i]; i++)
        rg_buf_printf(b, "<span><i class=\"sw o-%s\"></i>%s</span>", outcomes[i], outcomes[i]);
    rg_buf_puts(b, "<br>White tick: the guest was ready. Triangles: crash (red), hang "
                   "(violet), warning (amber), update applied (blue), pvpanic/watchdog (orange), "
                   "rollback (teal). Dashed line: the verdict was known.</p>\n");
}

static void boots_table(struct rg_buf *b, const json_t *cell)
{
    const json_t *bt;
    size_t i;

    if (!json_array_size(json_object_get(cell, "boots")))
        return;
    rg_buf_puts(b, "<table class=\"boots\">\n<tr><th>boot</th><th>phase</th><th>start</th>"
                   "<th>ready</th><th>outcome</th><th>reboot cause</th><th>guest said</th></tr>\n");
    json_array_foreach(json_object_get(cell, "boots"), i, bt)
    {
        const json_t *ready = json_object_get(bt, "ready");

        rg_buf_printf(b, "<tr><td class=\"num\">%lld</td><td>", rg_report_int(bt, "n", 0));
        esc(b, rg_report_str(bt, "phase"));
        rg_buf_printf(b, "</td><td class=\"num\">%.1f s</td><td class=\"num\">",
                      rg_report_num(bt, "start_s", 0));
        if (json_is_number(json_object_get(bt, "ready_s")))
            rg_buf_printf(b, "%.1f s", rg_report_num(bt, "ready_s", 0));
        rg_buf_puts(b, "</td><td>");
        badge(b, "o-", outcome_class(rg_report_str(bt, "outcome")), rg_report_str(bt, "outcome"));
        rg_buf_puts(b, "</td><td>");
        esc(b, rg_report_str(bt, "reboot_cause"));
        rg_buf_puts(b, "</td><td class=\"mono\">");
        if (json_is_object(ready)) {
            rg_buf_puts(b, "sensor ");
            esc(b, rg_report_str(ready, "sensor"));
            rg_buf_puts(b, ", content ");
            esc(b, rg_report_str(ready, "content"));
            rg_buf_printf(b, "%s, up %.2f s",
                          json_is_true(json_object_get(ready, "safe")) ? ", safe mode" : "",
                          rg_report_num(ready, "uptime", 0));
        }
        rg_buf_puts(b, "</td></tr>\n");
    }
    rg_buf_puts(b, "</table>\n");
}

static void rollback(struct rg_buf *b, const json_t *cell)
{
    const json_t *rb = json_object_get(cell, "rollback");

    if (!json_is_object(rb))
        return;
    rg_buf_puts(b, "<p class=\"rollback\">Rollback: revert ");
    badge(b, "s-", step_class(rg_report_str(rb, "revert")), rg_report_str(rb, "revert"));
    rg_buf_puts(b, " safe mode ");
    badge(b, "s-", step_class(rg_report_str(rb, "safe_mode")), rg_report_str(rb, "safe_mode"));
    rg_buf_puts(b, " <span class=\"muted\">");
    esc(b, rg_report_str(rb, "detail"));
    rg_buf_puts(b, "</span></p>\n");
}

static void finding_header(struct rg_buf *b, const json_t *cell, const json_t *f)
{
    const json_t *bt = rg_report_boot(cell, f);

    badge(b, "a-", action_class(rg_report_str(f, "action")), rg_report_str(f, "action"));
    rg_buf_puts(b, " ");
    badge(b, "", "cls", rg_report_str(f, "class"));
    rg_buf_puts(b, " <b>");
    esc(b, rg_report_str(f, "title"));
    rg_buf_puts(b, "</b> <span class=\"muted\">");
    if (bt) {
        rg_buf_printf(b, "&middot; boot %lld (", rg_report_int(bt, "n", 0));
        esc(b, rg_report_str(bt, "phase"));
        rg_buf_puts(b, ") ");
    }
    if (json_is_number(json_object_get(f, "t")))
        rg_buf_printf(b, "&middot; at %.1f s ", rg_report_num(f, "t", 0));
    if (rg_report_str(f, "guilty")[0]) {
        rg_buf_puts(b, "&middot; blamed <code>");
        esc(b, rg_report_str(f, "guilty"));
        rg_buf_puts(b, "</code> ");
    }
    if (rg_report_str(f, "module")[0]) {
        rg_buf_puts(b, "in module <code>");
        esc(b, rg_report_str(f, "module"));
        rg_buf_puts(b, "</code> ");
    }
    if (json_is_integer(json_object_get(f, "console_line"))) {
        char label[64];
        snprintf(label, sizeof(label), "console.log line %lld",
                 rg_report_int(f, "console_line", 0));
        rg_buf_puts(b, "&middot; ");
        console_link(b, cell, label);
    }
    rg_buf_puts(b, "</span>");
}

/* Each finding with its console excerpt; a repeat of a finding already shown (the same crash
 * on every boot of a loop) folds away. */
static void cell_findings(struct rg_buf *b, const json_t *cell, size_t ci)
{
    const json_t *fs = json_object_get(cell, "findings"), *f, *g;
    size_t i, j;

    json_array_foreach(fs, i, f)
    {
        bool repeat = false;

        json_array_foreach(fs, j, g)
        {
            if (j >= i)
                break;
            repeat |= !strcmp(rg_report_str(f, "class"), rg_report_str(g, "class")) &&
                      !strcmp(rg_report_str(f, "title"), rg_report_str(g, "title"));
        }
        rg_buf_printf(b, "<div class=\"finding\" id=\"cell-%zu-f%zu\">", ci, i);
        rg_buf_puts(b, repeat ? "<details><summary>" : "<div class=\"fh\">");
        if (repeat)
            rg_buf_puts(b, "again: ");
        finding_header(b, cell, f);
        rg_buf_puts(b, repeat ? "</summary>" : "</div>");
        if (rg_report_str(f, "excerpt")[0])
            excerpt(b, rg_report_str(f, "excerpt"));
        rg_buf_puts(b, repeat ? "</details></div>\n" : "</div>\n");
    }
}

static void events_table(struct rg_buf *b, const json_t *cell)
{
    const json_t *e;
    size_t i, n = json_array_size(json_object_get(cell, "events"));

    if (!n)
        return;
    rg_buf_printf(b,
                  "<details class=\"events\"><summary>%zu events</summary>\n<table>\n"
                  "<tr><th>t</th><th>boot</th><th>event</th><th>detail</th></tr>\n",
                  n);
    json_array_foreach(json_object_get(cell, "events"), i, e)
    {
        rg_buf_printf(b, "<tr><td class=\"num\">%.3f</td><td class=\"num\">%lld</td><td>",
                      rg_report_num(e, "t", 0), rg_report_int(e, "boot", 0));
        esc(b, rg_report_str(e, "type"));
        rg_buf_puts(b, "</td><td class=\"mono\">");
        esc(b, rg_report_str(e, "detail"));
        rg_buf_puts(b, "</td></tr>\n");
    }
    rg_buf_puts(b, "</table></details>\n");
}

static void cell_meta(struct rg_buf *b, const json_t *cell)
{
    const json_t *e;
    size_t i;
    double vs = rg_report_num(cell, "verdict_s", -1), crash = -1;

    json_array_foreach(json_object_get(cell, "events"), i, e)
    {
        if (crash < 0 && !strcmp(rg_report_str(e, "type"), "crash-start"))
            crash = rg_report_num(e, "t", -1);
    }
    rg_buf_puts(b, "<p class=\"meta\">image ");
    esc(b, rg_report_str(cell, "image"));
    rg_buf_printf(b, " &middot; %lld vCPU &middot; %lld MiB &middot; %.1f s",
                  rg_report_int(cell, "vcpus", 0), rg_report_int(cell, "memory_mib", 0),
                  rg_report_num(cell, "duration_s", 0));
    if (vs >= 0)
        rg_buf_printf(b, " &middot; verdict known at %.1f s", vs);
    if (vs >= 0 && crash >= 0 && vs >= crash)
        rg_buf_printf(b, " (%.2f s after the first crash began)", vs - crash);
    rg_buf_puts(b, " &middot; domain <code>");
    esc(b, rg_report_str(cell, "domain"));
    rg_buf_puts(b, "</code> &middot; ");
    console_link(b, cell, "full console log");
    rg_buf_puts(b, "</p>\n");
}

/* gate.retries: the attempts the host failed before this one, each with why and its log. */
static void attempts(struct rg_buf *b, const json_t *cell)
{
    const json_t *a, *r;
    size_t i, j, n = rg_report_retries(cell);

    if (!n)
        return;
    rg_buf_printf(b,
                  "<p class=\"attempts\">%zu attempts (gate.retries): the earlier ones "
                  "ended inconclusive because the host failed; the verdict is the last "
                  "one's.</p>\n<ul class=\"attempts\">",
                  n + 1);
    json_array_foreach(json_object_get(cell, "attempts"), i, a)
    {
        const char *v = rg_report_str(a, "verdict");

        rg_buf_printf(b, "<li>attempt %zu ", i + 1);
        badge(b, "v-", verdict_class(v), v);
        json_array_foreach(json_object_get(a, "reasons"), j, r)
        {
            rg_buf_puts(b, j ? "; " : " ");
            esc(b, json_is_string(r) ? json_string_value(r) : "");
        }
        rg_buf_printf(b, " <span class=\"muted\">%.1f s &middot; ",
                      rg_report_num(a, "duration_s", 0));
        console_link(b, a, "its console log");
        rg_buf_puts(b, "</span></li>");
    }
    rg_buf_puts(b, "</ul>\n");
}

static void cell_metrics(struct rg_buf *b, const json_t *cell, size_t ci)
{
    const json_t *m;
    size_t i;

    json_array_foreach(json_object_get(cell, "metrics"), i, m)
    {
        rg_buf_printf(b, "%s<a href=\"#plot-%zu-%zu\">", i ? ", " : "<p>Regression checks: ", ci,
                      i);
        esc(b, rg_report_str(m, "name"));
        rg_buf_printf(b, "</a> %+.1f %% ", rg_report_num(m, "shift_pct", 0));
        badge(b, "m-", metric_class(rg_report_str(m, "verdict")), rg_report_str(m, "verdict"));
    }
    if (json_array_size(json_object_get(cell, "metrics")))
        rg_buf_puts(b, "</p>\n");
}

static void cells(struct rg_buf *b, const json_t *report)
{
    const json_t *c;
    size_t i;

    rg_buf_puts(b, "<section id=\"cells\">\n<h2>Cells</h2>\n");
    legend(b);
    json_array_foreach(json_object_get(report, "cells"), i, c)
    {
        const char *v = rg_report_str(c, "verdict");

        rg_buf_printf(b, "<article class=\"cell v-%s\" id=\"cell-%zu\">\n<h3>", verdict_class(v),
                      i);
        badge(b, "v-", verdict_class(v), v);
        rg_buf_puts(b, " ");
        esc(b, rg_report_str(c, "scenario"));
        rg_buf_puts(b, " / ");
        esc(b, rg_report_str(c, "id"));
        rg_buf_puts(b, "</h3>\n");
        cell_meta(b, c);
        unique_list(b, json_object_get(c, "reasons"), "reasons");
        attempts(b, c);
        timeline(b, c);
        boots_table(b, c);
        rollback(b, c);
        cell_metrics(b, c, i);
        cell_findings(b, c, i);
        events_table(b, c);
        rg_buf_puts(b, "</article>\n");
    }
    rg_buf_puts(b, "</section>\n");
}

static double *sorted(const json_t *a, size_t *n)
{
    const json_t *v;
    double *s;
    size_t i;

    *n = 0;
    s = malloc((json_array_size(a) + 1) * sizeof(*s));
    if (!s)
        abort();
    json_array_foreach(a, i, v)
    {
        if (json_is_number(v))
            s[(*n)++] = json_number_value(v);
    }
    rg_stats_sort(s, *n);
    return s;
}

/* One row of the strip plot: the box from quartile to quartile, the median, every sample
 * as a dot (spread vertically by index, so the picture is the same every time). */
static void strip(struct rg_buf *b, const struct scale *sc, const double *s, size_t n, double y,
                  const char *label, const char *cls)
{
    rg_buf_printf(b, "<text x=\"8\" y=\"%.1f\">%s (n=%zu)</text>", y + 4, label, n);
    if (!n)
        return;
    rg_buf_printf(b,
                  "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                  "<rect class=\"box%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"24\"/>"
                  "<line class=\"med%s\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
                  sx(sc, s[0]), sx(sc, s[n - 1]), y, y, cls, sx(sc, rg_stats_quantile(s, n, .25)), y - 12,
                  fmax(sx(sc, rg_stats_quantile(s, n, .75)) - sx(sc, rg_stats_quantile(s, n, .25)), 1), cls,
                  sx(sc, rg_stats_quantile(s, n, .5)), sx(sc, rg_stats_quantile(s, n, .5)), y - 12, y + 12);
    for (size_t i = 0; i < n; i++)
        rg_buf_printf(b,
                      "<circle class=\"dot%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.2\">"
                      "<title>%g</title></circle>",
                      cls, sx(sc, s[i]), y + (double)((i * 7) % 11) - 5.0, s[i]);
}

/* The sequential design's looks at a deciding metric, when there was more than one. */
static void looks(struct rg_buf *b, const json_t *m)
{
    const json_t *l;
    size_t i;

    if (json_array_size(json_object_get(m, "looks")) < 2)
        return;
    rg_buf_printf(b, "<br>looks (each at %.4g %%):", 100 * (1 - rg_report_num(m, "alpha_look", 0)));
    json_array_foreach(json_object_get(m, "looks"), i, l)
    {
        rg_buf_printf(b, "%s %lld pairs %+.1f %% [%+.1f, %+.1f] ", i ? ";" : "",
                      rg_report_int(l, "pairs", 0), rg_report_num(l, "shift_pct", 0),
                      rg_report_num(l, "ci_low_pct", 0), rg_report_num(l, "ci_high_pct", 0));
        esc(b, rg_report_str(l, "verdict"));
    }
}

/* Baseline against candidate samples, with the estimated shift, its interval, and the
 * threshold the shift must stay under, all relative to the baseline's median. */
static void plot(struct rg_buf *b, const json_t *m, size_t ci, size_t mi)
{
    size_t nb, nc;
    double *sb = sorted(json_object_get(m, "baseline"), &nb);
    double *sc = sorted(json_object_get(m, "candidate"), &nc);
    double med = rg_stats_quantile(sb, nb, .5), thr = med * (1 + rg_report_num(m, "threshold_pct", 0) / 100);
    double est = med * (1 + rg_report_num(m, "shift_pct", 0) / 100);
    double lo_ci = med * (1 + rg_report_num(m, "ci_low_pct", 0) / 100);
    double hi_ci = med * (1 + rg_report_num(m, "ci_high_pct", 0) / 100);
    struct scale s = {fmin(fmin(nb ? sb[0] : med, nc ? sc[0] : med), fmin(thr, lo_ci)),
                      fmax(fmax(nb ? sb[nb - 1] : med, nc ? sc[nc - 1] : med), fmax(thr, hi_ci)),
                      130, 700};
    double pad = (s.hi - s.lo) * 0.06;
    const char *unit = rg_report_str(m, "unit");

    if (!(pad > 0))
        pad = fabs(s.hi) * 0.05 + 1;
    s.lo -= pad;
    s.hi += pad;
    rg_buf_printf(b, "<figure class=\"metric\" id=\"plot-%zu-%zu\"><figcaption><b>", ci, mi);
    esc(b, rg_report_str(m, "name"));
    rg_buf_puts(b, "</b> ");
    badge(b, "m-", metric_class(rg_report_str(m, "verdict")), rg_report_str(m, "verdict"));
    rg_buf_puts(b, " <span class=\"muted\">workload <code>");
    esc(b, rg_report_str(m, "workload"));
    rg_buf_puts(b, "</code>, ");
    esc(b, rg_report_str(m, "clock"));
    rg_buf_puts(b, " clock, ");
    esc(b, unit);
    rg_buf_printf(b,
                  "</span><br>shift <b>%+.2f %%</b> (interval %+.2f to %+.2f %%), "
                  "p = %.3g (&alpha; = %g), threshold %+.1f %%",
                  rg_report_num(m, "shift_pct", 0), rg_report_num(m, "ci_low_pct", 0),
                  rg_report_num(m, "ci_high_pct", 0), rg_report_num(m, "p_value", 1),
                  rg_report_num(m, "alpha", 0), rg_report_num(m, "threshold_pct", 0));
    if (json_is_number(json_object_get(m, "noise_pct")))
        rg_buf_printf(b, "<br>%zu pairs; noise %.1f %% per sample; smallest shift detected 4 "
                         "times in 5: %.1f %%",
                      nb, rg_report_num(m, "noise_pct", 0), rg_report_num(m, "mde_pct", 0));
    looks(b, m);
    rg_buf_puts(b, "</figcaption>\n");
    rg_buf_puts(b, "<svg class=\"plot\" viewBox=\"0 0 720 190\" width=\"720\" height=\"190\" "
                   "role=\"img\" aria-label=\"baseline and candidate samples\">");
    rg_buf_printf(b,
                  "<line class=\"ref\" x1=\"%.1f\" x2=\"%.1f\" y1=\"18\" y2=\"140\"/>"
                  "<line class=\"thr\" x1=\"%.1f\" x2=\"%.1f\" y1=\"18\" y2=\"140\"/>"
                  "<text x=\"%.1f\" y=\"13\" text-anchor=\"middle\">threshold %+.1f %%</text>",
                  sx(&s, med), sx(&s, med), sx(&s, thr), sx(&s, thr), sx(&s, thr),
                  rg_report_num(m, "threshold_pct", 0));
    strip(b, &s, sb, nb, 45, "baseline", "");
    strip(b, &s, sc, nc, 90, "candidate", " c");
    rg_buf_printf(b,
                  "<text x=\"8\" y=\"129\">estimate</text>"
                  "<line class=\"ci\" x1=\"%.1f\" x2=\"%.1f\" y1=\"125\" y2=\"125\"/>"
                  "<line class=\"ci\" x1=\"%.1f\" x2=\"%.1f\" y1=\"119\" y2=\"131\"/>"
                  "<line class=\"ci\" x1=\"%.1f\" x2=\"%.1f\" y1=\"119\" y2=\"131\"/>"
                  "<path class=\"est\" d=\"M%.1f 119 l6 6 l-6 6 l-6 -6 z\"><title>estimate "
                  "%+.2f %%</title></path>",
                  sx(&s, lo_ci), sx(&s, hi_ci), sx(&s, lo_ci), sx(&s, lo_ci), sx(&s, hi_ci),
                  sx(&s, hi_ci), sx(&s, est), rg_report_num(m, "shift_pct", 0));
    axis(b, s.lo, s.hi, s.x0, s.x1, 160, unit);
    rg_buf_puts(b, "</svg></figure>\n");
    free(sb);
    free(sc);
}

/* A memory metric over the measurement window: each side's samples against time, the
 * candidate's growth beyond the baseline's and the limit it is held to. */
static void series(struct rg_buf *b, const struct scale *tx, double vlo, double vhi,
                   const json_t *t, const json_t *v, const char *cls)
{
    size_t i;
    const json_t *x;

    rg_buf_printf(b, "<polyline class=\"med%s\" fill=\"none\" points=\"", cls);
    json_array_foreach(v, i, x)
    {
        double y = 140 - 120 * (json_number_value(x) - vlo) / (vhi - vlo);
        rg_buf_printf(b, "%s%.1f,%.1f", i ? " " : "",
                      sx(tx, json_number_value(json_array_get(t, i))), y);
    }
    rg_buf_puts(b, "\"/>");
    json_array_foreach(v, i, x)
    {
        double y = 140 - 120 * (json_number_value(x) - vlo) / (vhi - vlo);
        rg_buf_printf(b, "<circle class=\"dot%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>%g"
                         "</title></circle>",
                      cls, sx(tx, json_number_value(json_array_get(t, i))), y,
                      json_number_value(x));
    }
}

static void plot_memory(struct rg_buf *b, const json_t *m, size_t ci, size_t mi)
{
    const json_t *bv = json_object_get(m, "baseline"), *cv = json_object_get(m, "candidate");
    double lo = INFINITY, hi = -INFINITY, tmax = rg_report_num(m, "window_s", 0);
    const json_t *x;
    size_t i;
    struct scale tx;

    json_array_foreach(bv, i, x)
    {
        lo = fmin(lo, json_number_value(x));
        hi = fmax(hi, json_number_value(x));
    }
    json_array_foreach(cv, i, x)
    {
        lo = fmin(lo, json_number_value(x));
        hi = fmax(hi, json_number_value(x));
    }
    json_array_foreach(json_object_get(m, "candidate_t"), i, x)
        tmax = fmax(tmax, json_number_value(x));
    if (!(hi > lo)) {
        lo = isfinite(lo) ? lo - 1 : 0;
        hi = lo + 2;
    }
    tx = (struct scale){0, tmax > 0 ? tmax : 1, 60, 700};
    rg_buf_printf(b, "<figure class=\"metric\" id=\"plot-%zu-%zu\"><figcaption><b>", ci, mi);
    esc(b, rg_report_str(m, "name"));
    rg_buf_puts(b, "</b> ");
    badge(b, "m-", metric_class(rg_report_str(m, "verdict")), rg_report_str(m, "verdict"));
    rg_buf_puts(b, " <span class=\"muted\">");
    esc(b, rg_report_str(m, "workload"));
    rg_buf_printf(b,
                  "</span><br>candidate %+.2f vs baseline %+.2f MiB/min: <b>%+.2f MiB</b> over "
                  "the %.0f s window (limit %g MiB), %+.0f MiB per hour</figcaption>\n",
                  rg_report_num(m, "slope_candidate_per_min", 0),
                  rg_report_num(m, "slope_baseline_per_min", 0), rg_report_num(m, "growth", 0),
                  rg_report_num(m, "window_s", 0), rg_report_num(m, "max_growth", 0),
                  rg_report_num(m, "growth_per_hour", 0));
    rg_buf_puts(b, "<svg class=\"plot\" viewBox=\"0 0 720 190\" width=\"720\" height=\"190\" "
                   "role=\"img\" aria-label=\"baseline and candidate over time\">");
    rg_buf_printf(b, "<text x=\"4\" y=\"24\">%.1f</text><text x=\"4\" y=\"140\">%.1f</text>",
                  hi, lo);
    series(b, &tx, lo, hi, json_object_get(m, "baseline_t"), bv, "");
    series(b, &tx, lo, hi, json_object_get(m, "candidate_t"), cv, " c");
    axis(b, 0, tx.hi, tx.x0, tx.x1, 160, "s");
    rg_buf_puts(b, "</svg></figure>\n");
}

static void regressions(struct rg_buf *b, const json_t *report)
{
    const json_t *c, *m;
    size_t i, j;
    bool any = false;

    json_array_foreach(json_object_get(report, "cells"), i, c)
    {
        any |= json_array_size(json_object_get(c, "metrics")) > 0;
    }
    if (!any)
        return;
    rg_buf_puts(b, "<section id=\"regressions\">\n<h2>Regression checks</h2>\n<p class=\"muted\">"
                   "Dots: samples; boxes: quartiles and median; grey line: baseline median; "
                   "dashed: the threshold; black: the estimated shift and its interval.</p>\n");
    json_array_foreach(json_object_get(report, "cells"), i, c)
    {
        if (!json_array_size(json_object_get(c, "metrics")))
            continue;
        rg_buf_printf(b, "<h3><a href=\"#cell-%zu\">", i);
        esc(b, rg_report_str(c, "scenario"));
        rg_buf_puts(b, " / ");
        esc(b, rg_report_str(c, "id"));
        rg_buf_puts(b, "</a></h3>\n");
        json_array_foreach(json_object_get(c, "metrics"), j, m)
        {
            if (!strcmp(rg_report_str(m, "kind"), "memory"))
                plot_memory(b, m, i, j);
            else
                plot(b, m, i, j);
        }
    }
    rg_buf_puts(b, "</section>\n");
}

int rg_report_html(const json_t *report, struct rg_buf *out)
{
    head(out, report);
    banner(out, report);
    matrix(out, report);
    findings(out, report);
    regressions(out, report);
    run_facts(out, report);
    cells(out, report);
    rg_buf_puts(out, "<footer>ringgate ");
    esc(out, rg_report_str(report, "ringgate_version"));
    rg_buf_puts(out, " &middot; regenerated from report.json (ringgate.report/v1) by "
                     "<code>ringgate report RUN_DIR --format html</code></footer>\n</main>\n"
                     "</body>\n</html>\n");
    return 0;
}

int rg_report_write_html(const json_t *report, const char *path, struct rg_error *err)
{
    struct rg_buf b = RG_BUF_INIT;
    int rc = rg_report_html(report, &b);

    if (rc == 0)
        rc = rg_report_write_atomic(path, rg_buf_str(&b), b.len, err);
    rg_buf_free(&b);
    return rc;
}
