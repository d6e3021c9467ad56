/* The Prometheus textfile of a run (run --metrics FILE, for node_exporter's textfile
 * collector), from report.json. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

/* Every verdict a run or a cell can have: the verdict families give one sample for each, 1
 * for the one it had and 0 for the others, so that a series never vanishes when the verdict
 * changes and `ringgate_run_verdict{verdict="block"} == 1` is the whole alert. */
static const char *const verdicts[] = {"pass", "block", "inconclusive", "aborted", NULL};

/* A previous file larger than this is not a textfile ringgate wrote: it is ignored. */
#define RG_PROM_PREVIOUS_MAX (4u << 20)

struct prom {
    struct rg_buf *out;
    char shard[64]; /* "I/N" with run --shard: every sample's first label; else "" */
};

/* A label value: untrusted (names from scenario files, hand-made reports), so cleaned as
 * UTF-8 without control characters (newlines kept), then escaped as the format wants. */
static void put_label_value(struct rg_buf *b, const char *s)
{
    struct rg_buf clean = RG_BUF_INIT;

    rg_report_put_clean(&clean, s, RG_CLEAN_LINES);
    for (const char *p = rg_buf_str(&clean); *p; p++) {
        if (*p == '\\' || *p == '"')
            rg_buf_putc(b, '\\');
        if (*p == '\n')
            rg_buf_puts(b, "\\n");
        else
            rg_buf_putc(b, *p);
    }
    rg_buf_free(&clean);
}

static void put_value(struct rg_buf *b, double v)
{
    if (isnan(v))
        rg_buf_puts(b, "NaN");
    else if (isinf(v))
        rg_buf_puts(b, v > 0 ? "+Inf" : "-Inf");
    else
        rg_buf_printf(b, "%.15g", v); /* enough for a timestamp's milliseconds */
}

static void family(struct prom *p, const char *name, const char *help)
{
    rg_buf_printf(p->out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* name{shard="I/N",k1="v1",...} v; kv is {k1, v1, ..., NULL}, or NULL for no label. */
static void sample(struct prom *p, const char *name, const char *const *kv, double v)
{
    char sep = '{';

    rg_buf_puts(p->out, name);
    if (p->shard[0]) {
        rg_buf_puts(p->out, "{shard=\"");
        put_label_value(p->out, p->shard);
        rg_buf_putc(p->out, '"');
        sep = ',';
    }
    for (; kv && kv[0]; kv += 2) {
        rg_buf_printf(p->out, "%c%s=\"", sep, kv[0]);
        put_label_value(p->out, kv[1]);
        rg_buf_putc(p->out, '"');
        sep = ',';
    }
    if (sep == ',')
        rg_buf_putc(p->out, '}');
    rg_buf_putc(p->out, ' ');
    put_value(p->out, v);
    rg_buf_putc(p->out, '\n');
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil): no timegm, no TZ. */
static long long days_from_civil(long long y, long long m, long long d)
{
    long long era, yoe, doy;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* Seconds since the epoch of an RFC 3339 time ("2026-11-24T10:50:30.100Z", or an offset
 * +HH:MM), or -1 when s is not one. */
static double rfc3339_epoch(const char *s)
{
    int y, mo, d, h, mi, sec, n = 0, oh = 0, om = 0;
    double frac = 0, t;
    const char *p;

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || h < 0 || mi < 0 ||
        sec < 0)
        return -1;
    p = s + n;
    if (*p == '.') {
        double scale = 0.1;

        if (!(p[1] >= '0' && p[1] <= '9'))
            return -1;
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
            frac += (*p - '0') * scale;
    }
    if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
        sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 && oh <= 23 && om <= 59) {
        if (*p == '-') {
            oh = -oh;
            om = -om;
        }
    } else if (strcmp(p, "Z") != 0) {
        return -1;
    }
    t = (double)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) + frac;
    return t - oh * 3600 - om * 60;
}

/* When the run ended: finished_at, else started_at plus duration_s; -1 when unknown. */
static double run_end(const json_t *report)
{
    double t = rfc3339_epoch(rg_report_str(report, "finished_at"));

    if (t >= 0)
        return t;
    t = rfc3339_epoch(rg_report_str(report, "started_at"));
    return t >= 0 ? t + rg_report_num(report, "duration_s", 0) : -1;
}

static void verdict_samples(struct prom *p, const char *name, const char **kv, size_t at,
                            const char *verdict)
{
    for (size_t i = 0; verdicts[i]; i++) {
        kv[at] = "verdict";
        kv[at + 1] = verdicts[i];
        kv[at + 2] = NULL;
        sample(p, name, kv, !strcmp(verdict, verdicts[i]));
    }
}

static void run_families(struct prom *p, const json_t *report, double last_pass_ts)
{
    const char *verdict = rg_report_str(report, "verdict");
    const char *kv[8] = {"run_id", rg_report_str(report, "run_id"), "ringgate_version",
                         rg_report_str(report, "ringgate_version"), NULL};
    const json_t *c;
    double end = run_end(report);
    size_t i;

    family(p, "ringgate_run_info", "The run this file describes: its id and ringgate's version.");
    sample(p, "ringgate_run_info", kv, 1);
    family(p, "ringgate_run_verdict",
           "The run's verdict: 1 for the one it had, 0 for the other verdicts.");
    verdict_samples(p, "ringgate_run_verdict", kv, 0, verdict);
    family(p, "ringgate_run_exit_code",
           "What ringgate run exited with: 0 pass, 1 block, 3 inconclusive or aborted.");
    sample(p, "ringgate_run_exit_code", NULL, (double)rg_report_int(report, "exit_code", 0));
    family(p, "ringgate_run_duration_seconds", "How long the run took.");
    sample(p, "ringgate_run_duration_seconds", NULL, rg_report_num(report, "duration_s", 0));
    family(p, "ringgate_run_cells", "The run's cells by verdict.");
    for (size_t v = 0; verdicts[v]; v++) {
        double n = 0;

        json_array_foreach(json_object_get(report, "cells"), i, c)
        {
            n += !strcmp(rg_report_str(c, "verdict"), verdicts[v]);
        }
        kv[0] = "verdict";
        kv[1] = verdicts[v];
        kv[2] = NULL;
        sample(p, "ringgate_run_cells", kv, n);
    }
    if (end >= 0) {
        family(p, "ringgate_last_run_timestamp_seconds", "When the last run ended.");
        sample(p, "ringgate_last_run_timestamp_seconds", NULL, end);
    }
    family(p, "ringgate_last_pass_timestamp_seconds",
           "When the last run that passed ended, carried over from the previous file while "
           "runs do not pass; 0 when none is known.");
    if (!strcmp(verdict, "pass") && end >= 0)
        last_pass_ts = end;
    sample(p, "ringgate_last_pass_timestamp_seconds", NULL, last_pass_ts > 0 ? last_pass_ts : 0);
}

/* The cells in report order; a cell listed twice (as a merge of overlapping shards may
 * report it) is exported once, its first entry, so that no series is duplicated. */
static json_t *unique_cells(const json_t *report)
{
    json_t *seen = json_object(), *out = json_array(), *c;
    size_t i;

    json_array_foreach(json_object_get(report, "cells"), i, c)
    {
        struct rg_buf key = RG_BUF_INIT;

        put_label_value(&key, rg_report_str(c, "scenario"));
        rg_buf_putc(&key, '\n'); /* never in an escaped value */
        put_label_value(&key, rg_report_str(c, "id"));
        if (!json_object_get(seen, rg_buf_str(&key))) {
            json_object_set_new(seen, rg_buf_str(&key), json_true());
            json_array_append(out, c);
        }
        rg_buf_free(&key);
    }
    json_decref(seen);
    return out;
}

static void cell_families(struct prom *p, const json_t *report)
{
    json_t *cells = unique_cells(report), *c;
    const char *kv[10];
    size_t i;

    family(p, "ringgate_cell_verdict",
           "Each cell's verdict: 1 for the one it had, 0 for the other verdicts.");
    json_array_foreach(cells, i, c)
    {
        kv[0] = "scenario";
        kv[1] = rg_report_str(c, "scenario");
        kv[2] = "cell";
        kv[3] = rg_report_str(c, "id");
        kv[4] = "image";
        kv[5] = rg_report_str(c, "image");
        verdict_samples(p, "ringgate_cell_verdict", kv, 6, rg_report_str(c, "verdict"));
    }
    family(p, "ringgate_cell_duration_seconds", "How long each cell took.");
    json_array_foreach(cells, i, c)
    {
        const char *ids[] = {"scenario", rg_report_str(c, "scenario"), "cell",
                             rg_report_str(c, "id"), NULL};
        sample(p, "ringgate_cell_duration_seconds", ids, rg_report_num(c, "duration_s", 0));
    }
    family(p, "ringgate_cell_boots", "How many times each cell's VMs booted.");
    json_array_foreach(cells, i, c)
    {
        const char *ids[] = {"scenario", rg_report_str(c, "scenario"), "cell",
                             rg_report_str(c, "id"), NULL};
        sample(p, "ringgate_cell_boots", ids, (double)json_array_size(json_object_get(c, "boots")));
    }
    json_decref(cells);
}

/* Occurrences over the run by class and action, in the order the classes first appear in
 * the deduplicated findings; a class that did not occur has no series. */
static void finding_family(struct prom *p, const json_t *report)
{
    json_t *sums = json_object(), *order = json_array(), *f, *k;
    size_t i;

    json_array_foreach(json_object_get(report, "findings"), i, f)
    {
        struct rg_buf key = RG_BUF_INIT;
        json_t *n;

        put_label_value(&key, rg_report_str(f, "class"));
        rg_buf_putc(&key, '\n');
        put_label_value(&key, rg_report_str(f, "action"));
        n = json_object_get(sums, rg_buf_str(&key));
        if (!n) {
            n = json_real(0);
            json_object_set_new(sums, rg_buf_str(&key), n);
            json_array_append_new(order,
                                  json_pack("[s,s,s]", rg_buf_str(&key), rg_report_str(f, "class"),
                                            rg_report_str(f, "action")));
        }
        json_real_set(n, json_real_value(n) + rg_report_num(f, "count", 1));
        rg_buf_free(&key);
    }
    family(p, "ringgate_findings",
           "Findings over the run by class and action (block, warn, ignore), each occurrence "
           "counted.");
    json_array_foreach(order, i, k)
    {
        const char *kv[] = {"class", json_string_value(json_array_get(k, 1)), "action",
                            json_string_value(json_array_get(k, 2)), NULL};
        sample(p, "ringgate_findings", kv,
               json_real_value(json_object_get(sums, json_string_value(json_array_get(k, 0)))));
    }
    json_decref(order);
    json_decref(sums);
}

int rg_report_prometheus(const json_t *report, double last_pass_ts, struct rg_buf *out)
{
    struct prom p = {.out = out};
    const json_t *shard = json_object_get(report, "shard");

    if (json_is_object(shard))
        snprintf(p.shard, sizeof(p.shard), "%lld/%lld", rg_report_int(shard, "index", 0),
                 rg_report_int(shard, "count", 0));
    run_families(&p, report, last_pass_ts);
    cell_families(&p, report);
    finding_family(&p, report);
    return 0;
}

/* The first well-formed sample's: any labels, an optional timestamp after the value. */
double rg_report_prometheus_last_pass(const char *text)
{
    static const char name[] = "ringgate_last_pass_timestamp_seconds";

    for (const char *line = text, *next; *line; line = next) {
        const char *p;
        char *end;
        double v;

        next = strchr(line, '\n');
        next = next ? next + 1 : line + strlen(line);
        if (strncmp(line, name, strlen(name)) != 0)
            continue;
        p = line + strlen(name);
        if (*p == '{') {
            bool quoted = false;

            for (p++; *p && *p != '\n' && (quoted || *p != '}'); p++) {
                if (quoted && *p == '\\' && p[1] && p[1] != '\n')
                    p++;
                else if (*p == '"')
                    quoted = !quoted;
            }
            if (*p != '}')
                continue;
            p++;
        }
        if (*p != ' ' && *p != '\t')
            continue;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!(*p == '+' || *p == '.' || (*p >= '0' && *p <= '9')))
            continue; /* strtod would skip a newline, and take "nan" or hex */
        v = strtod(p, &end);
        if (end != p && (*end == ' ' || *end == '\t' || *end == '\n' || !*end) && isfinite(v) &&
            v > 0)
            return v;
    }
    return 0;
}

/* The previous file at path, if it is one: unreadable, too large or not text, it is as if
 * there were none (the metrics are still written). */
static double read_last_pass(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    size_t n;
    double v = 0;

    if (!f)
        return 0;
    text = malloc(RG_PROM_PREVIOUS_MAX + 1);
    if (text) {
        n = fread(text, 1, RG_PROM_PREVIOUS_MAX + 1, f);
        text[n] = '\0';
        if (n <= RG_PROM_PREVIOUS_MAX && !ferror(f) && strlen(text) == n)
            v = rg_report_prometheus_last_pass(text);
    }
    free(text);
    fclose(f);
    return v;
}

int rg_report_write_prometheus(const json_t *report, const char *path, struct rg_error *err)
{
    struct rg_buf b = RG_BUF_INIT;
    int rc;

    rg_report_prometheus(report, read_last_pass(path), &b);
    rc = rg_report_write_atomic(path, rg_buf_str(&b), b.len, err);
    rg_buf_free(&b);
    return rc;
}
