/* junit.xml from report.json, with libxml2's xmlwriter; valid against the Apache Ant schema. */
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

/* The check classes every cell is a testcase of, and the finding classes that fail each.
 * Infrastructure findings have no testcase of their own: they make a cell's unfailed
 * testcases errors (the check could not be made), as an abort makes them skipped. */
static const struct check {
    const char *name;
    const char *classes[2];
} checks[] = {
    {"crash", {"crash", NULL}},
    {"boot-loop", {"boot-loop", NULL}},
    {"hang", {"hang", NULL}},
    {"warning", {"warning", NULL}},
    {"install", {"install-failed", NULL}},
    {"rollback", {"rollback-failed", NULL}},
    {"content-validator", {"content-rejected", NULL}},
};
#define NCHECKS (sizeof(checks) / sizeof(checks[0]))

/* A testcase: a check, one of the cell's metrics, or (metric NULL and check NULL) the
 * regression findings that name none of the cell's metrics. */
struct tcase {
    const json_t *scenario;
    const json_t *cell;
    const struct check *check;
    const json_t *metric;
};

enum outcome { PASSED, FAILED, ERRORED, SKIPPED };

struct result {
    enum outcome outcome;
    const json_t *finding; /* the failing (or infrastructure) finding; may be NULL */
    int more;              /* further blocking findings of the testcase's classes */
};

/* xmlwriter calls return -1 on failure; one flag collects them so the writing reads
 * straight. */
struct xw {
    xmlTextWriterPtr w;
    bool failed;
};

static void start(struct xw *x, const char *name)
{
    x->failed |= xmlTextWriterStartElement(x->w, BAD_CAST name) < 0;
}

static void end(struct xw *x)
{
    x->failed |= xmlTextWriterEndElement(x->w) < 0;
}

static void attr(struct xw *x, const char *name, const char *value)
{
    struct rg_buf b = RG_BUF_INIT;

    rg_report_put_clean(&b, value, RG_CLEAN_XML);
    x->failed |= xmlTextWriterWriteAttribute(x->w, BAD_CAST name, BAD_CAST rg_buf_str(&b)) < 0;
    rg_buf_free(&b);
}

static void attr_int(struct xw *x, const char *name, int v)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%d", v);
    attr(x, name, buf);
}

/* xs:decimal: no exponent, no NaN. */
static void attr_time(struct xw *x, double seconds)
{
    char buf[64];

    snprintf(buf, sizeof(buf), "%.3f", seconds >= 0 && seconds < 1e12 ? seconds : 0.0);
    attr(x, "time", buf);
}

static void text(struct xw *x, const char *value)
{
    struct rg_buf b = RG_BUF_INIT;

    rg_report_put_clean(&b, value, RG_CLEAN_XML);
    x->failed |= xmlTextWriterWriteString(x->w, BAD_CAST rg_buf_str(&b)) < 0;
    rg_buf_free(&b);
}

static bool is_block(const json_t *f)
{
    return strcmp(rg_report_str(f, "action"), "block") == 0;
}

static bool is_regression(const json_t *f)
{
    const char *cls = rg_report_str(f, "class");
    return !strcmp(cls, "perf-regression") || !strcmp(cls, "memory-regression") ||
           !strcmp(cls, "perf-inconclusive") || !strcmp(cls, "perf-noise");
}

/* A regression finding belongs to the metric its title names. */
static bool names_metric(const json_t *f, const json_t *metric)
{
    const char *name = rg_report_str(metric, "name");
    return name[0] && strstr(rg_report_str(f, "title"), name);
}

static bool names_any_metric(const json_t *f, const json_t *cell)
{
    const json_t *m;
    size_t i;

    json_array_foreach(json_object_get(cell, "metrics"), i, m)
    {
        if (names_metric(f, m))
            return true;
    }
    return false;
}

static bool belongs(const json_t *f, const struct tcase *tc)
{
    if (tc->check) {
        for (size_t i = 0; i < 2 && tc->check->classes[i]; i++)
            if (!strcmp(rg_report_str(f, "class"), tc->check->classes[i]))
                return true;
        return false;
    }
    if (!is_regression(f))
        return false;
    return tc->metric ? names_metric(f, tc->metric) : !names_any_metric(f, tc->cell);
}

static const json_t *first_infra(const json_t *cell)
{
    const json_t *f;
    size_t i;

    json_array_foreach(json_object_get(cell, "findings"), i, f)
    {
        if (is_block(f) && !strcmp(rg_report_str(f, "class"), "infra"))
            return f;
    }
    return NULL;
}

static struct result judge(const struct tcase *tc)
{
    const char *verdict = rg_report_str(tc->cell, "verdict");
    struct result r = {PASSED, NULL, 0};
    bool mentioned = false;
    const json_t *f;
    size_t i;

    json_array_foreach(json_object_get(tc->cell, "findings"), i, f)
    {
        if (!belongs(f, tc))
            continue;
        mentioned = true;
        if (!is_block(f))
            continue;
        if (r.finding)
            r.more++;
        else
            r.finding = f;
    }
    if (r.finding)
        r.outcome = FAILED;
    else if (tc->check && !strcmp(tc->check->name, "content-validator") &&
             json_is_true(json_object_get(json_object_get(tc->scenario, "validator"), "ran")) &&
             json_is_false(json_object_get(json_object_get(tc->scenario, "validator"), "ok")))
        r.outcome = FAILED; /* the validator judges the scenario, whatever its cells hold */
    else if (tc->metric && !mentioned &&
             !strcmp(rg_report_str(tc->metric, "verdict"), "regression"))
        r.outcome = FAILED; /* a regression nobody turned into a finding still fails */
    else if (!strcmp(verdict, "aborted"))
        r.outcome = SKIPPED;
    else if ((r.finding = first_infra(tc->cell)) || !strcmp(verdict, "inconclusive"))
        r.outcome = ERRORED;
    return r;
}

/* Where a finding happened, for the failure's text: boot, time, console line, the blamed. */
static void where(struct rg_buf *b, const json_t *cell, const json_t *f)
{
    const json_t *boot = rg_report_boot(cell, f);

    rg_buf_puts(b, "-- ");
    if (boot)
        rg_buf_printf(b, "boot %lld (%s), ", rg_report_int(boot, "n", 0),
                      rg_report_str(boot, "phase"));
    if (json_is_number(json_object_get(f, "t")))
        rg_buf_printf(b, "%.1f s into the cell, ", rg_report_num(f, "t", 0));
    rg_buf_puts(b, rg_report_str(cell, "console_log"));
    if (json_is_integer(json_object_get(f, "console_line")))
        rg_buf_printf(b, " line %lld", rg_report_int(f, "console_line", 0));
    if (rg_report_str(f, "guilty")[0])
        rg_buf_printf(b, ", blamed: %s", rg_report_str(f, "guilty"));
    if (rg_report_str(f, "module")[0])
        rg_buf_printf(b, " [%s]", rg_report_str(f, "module"));
    rg_buf_putc(b, '\n');
}

static void put_samples(struct rg_buf *b, const char *label, const json_t *a)
{
    const json_t *v;
    size_t i;

    rg_buf_printf(b, "%s:", label);
    json_array_foreach(a, i, v) rg_buf_printf(b, " %g", json_number_value(v));
    rg_buf_putc(b, '\n');
}

static void metric_summary(struct rg_buf *b, const json_t *m)
{
    rg_buf_printf(b,
                  "%s (%s, %s clock, %s): shift %+.2f %% [%+.2f, %+.2f], p = %.3g "
                  "(alpha %g), threshold %.1f %%",
                  rg_report_str(m, "name"), rg_report_str(m, "workload"), rg_report_str(m, "clock"),
                  rg_report_str(m, "unit"), rg_report_num(m, "shift_pct", 0),
                  rg_report_num(m, "ci_low_pct", 0), rg_report_num(m, "ci_high_pct", 0),
                  rg_report_num(m, "p_value", 1), rg_report_num(m, "alpha", 0),
                  rg_report_num(m, "threshold_pct", 0));
    if (json_is_number(json_object_get(m, "noise_pct")))
        rg_buf_printf(b, ", %zu pairs, noise %.1f %%, smallest detectable shift %.1f %%",
                      json_array_size(json_object_get(m, "baseline")),
                      rg_report_num(m, "noise_pct", 0), rg_report_num(m, "mde_pct", 0));
    rg_buf_printf(b, ": %s\n", rg_report_str(m, "verdict"));
    put_samples(b, "baseline", json_object_get(m, "baseline"));
    put_samples(b, "candidate", json_object_get(m, "candidate"));
}

/* The blocking findings after the first, by boot: a boot loop crashes on every boot. */
static void repeats(struct rg_buf *b, const struct tcase *tc)
{
    struct result r = judge(tc);
    const json_t *f;
    size_t i;
    int n = 0;

    rg_buf_printf(b, "-- and %d more in this cell", r.more);
    json_array_foreach(json_object_get(tc->cell, "findings"), i, f)
    {
        if (f == r.finding || !is_block(f) || !belongs(f, tc))
            continue;
        if (json_is_integer(json_object_get(f, "boot")))
            rg_buf_printf(b, "%s%lld",
                          n++          ? ", "
                          : r.more > 1 ? " (boots "
                                       : " (boot ",
                          (long long)json_integer_value(json_object_get(f, "boot")));
    }
    rg_buf_puts(b, n ? ")\n" : "\n");
}

static void write_outcome(struct xw *x, const struct tcase *tc, const struct result *r)
{
    struct rg_buf body = RG_BUF_INIT;
    const json_t *f = r->finding;

    if (r->outcome == PASSED)
        return;
    if (r->outcome == SKIPPED) {
        start(x, "skipped");
        attr(x, "message", "the cell was aborted (interrupted, or stopped by fail-fast)");
        end(x);
        return;
    }
    start(x, r->outcome == FAILED ? "failure" : "error");
    if (f) {
        attr(x, "message", rg_report_str(f, "title"));
        attr(x, "type", rg_report_str(f, "class"));
        /* An infrastructure failure errs every check of its cell: its text once is enough. */
        if (r->outcome == FAILED || tc->check == &checks[0])
            rg_buf_puts(&body, rg_report_str(f, "excerpt"));
        if (body.len && body.data[body.len - 1] != '\n')
            rg_buf_putc(&body, '\n');
        where(&body, tc->cell, f);
        if (r->more)
            repeats(&body, tc);
    } else if (tc->metric) {
        attr(x, "message", "regression beyond the threshold");
        attr(x, "type", "perf-regression");
    } else if (r->outcome == FAILED) {
        const json_t *e;
        size_t i;
        attr(x, "message", "the content validator refused the update");
        attr(x, "type", "content-rejected");
        json_array_foreach(json_object_get(json_object_get(tc->scenario, "validator"), "errors"), i,
                           e)
        {
            rg_buf_printf(&body, "%s\n", json_string_value(e));
        }
    } else {
        attr(x, "message", "the cell is inconclusive");
        attr(x, "type", "infra");
    }
    if (tc->metric)
        metric_summary(&body, tc->metric);
    text(x, rg_buf_str(&body));
    end(x);
    rg_buf_free(&body);
}

/* Calls fn for each testcase of the scenario's cells, in report order. */
static void each_case(const json_t *report, const json_t *scenario,
                      void (*fn)(const struct tcase *, void *), void *arg)
{
    const char *name = rg_report_str(scenario, "name");
    const json_t *c, *m, *f;
    size_t i, j;

    json_array_foreach(json_object_get(report, "cells"), i, c)
    {
        struct tcase tc = {scenario, c, NULL, NULL};
        bool stray = false;

        if (strcmp(rg_report_str(c, "scenario"), name) != 0)
            continue;
        for (size_t k = 0; k < NCHECKS; k++) {
            tc.check = &checks[k];
            fn(&tc, arg);
        }
        tc.check = NULL;
        json_array_foreach(json_object_get(c, "metrics"), j, m)
        {
            tc.metric = m;
            fn(&tc, arg);
        }
        tc.metric = NULL;
        json_array_foreach(json_object_get(c, "findings"), j, f)
        {
            stray |= is_regression(f) && !names_any_metric(f, c);
        }
        if (stray)
            fn(&tc, arg);
    }
}

struct counts {
    int tests, failures, errors, skipped;
    double time;
};

static void count_case(const struct tcase *tc, void *arg)
{
    struct counts *n = arg;
    struct result r = judge(tc);

    n->tests++;
    n->failures += r.outcome == FAILED;
    n->errors += r.outcome == ERRORED;
    n->skipped += r.outcome == SKIPPED;
    if (tc->check == &checks[0])
        n->time += rg_report_num(tc->cell, "duration_s", 0);
}

static void write_case(const struct tcase *tc, void *arg)
{
    struct xw *x = arg;
    struct rg_buf s = RG_BUF_INIT;
    struct result r = judge(tc);

    start(x, "testcase");
    rg_buf_printf(&s, "%s.%s", rg_report_str(tc->cell, "scenario"), rg_report_str(tc->cell, "id"));
    attr(x, "classname", rg_buf_str(&s));
    rg_buf_reset(&s);
    if (tc->check)
        rg_buf_puts(&s, tc->check->name);
    else if (tc->metric)
        rg_buf_printf(&s, "regression:%s", rg_report_str(tc->metric, "name"));
    else
        rg_buf_puts(&s, "regression");
    attr(x, "name", rg_buf_str(&s));
    /* The whole cell's time on its first testcase: the suite's times then add up. */
    attr_time(x, tc->check == &checks[0] ? rg_report_num(tc->cell, "duration_s", 0) : 0.0);
    write_outcome(x, tc, &r);
    end(x);
    rg_buf_free(&s);
}

/* The schema wants a timestamp without a time zone: the report's UTC time, unmarked. */
static void timestamp(const json_t *report, char *out, size_t size)
{
    int y, mo, d, h, mi, s, n = 0;
    const char *at = rg_report_str(report, "started_at");

    if (sscanf(at, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) == 6 && n == 19 &&
        mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60)
        snprintf(out, size, "%.19s", at);
    else
        snprintf(out, size, "1970-01-01T00:00:00");
}

/* Attributes the schema requires to be non-empty tokens. */
static const char *token_or(const char *s, const char *fallback)
{
    return s[strspn(s, " \t\n\r")] ? s : fallback;
}

static void write_properties(struct xw *x, const json_t *report, const json_t *scenario)
{
    const json_t *host = json_object_get(report, "host"),
                 *upd = json_object_get(scenario, "update");
    const json_t *base = json_object_get(scenario, "baseline");
    const json_t *validator = json_object_get(scenario, "validator");
    const char *props[][2] = {
        {"verdict", rg_report_str(scenario, "verdict")},
        {"run_id", rg_report_str(report, "run_id")},
        {"ringgate_version", rg_report_str(report, "ringgate_version")},
        {"scenario_path", rg_report_str(scenario, "path")},
        {"scenario_sha256", rg_report_str(scenario, "sha256")},
        {"update", rg_report_str(upd, "name")},
        {"update_kind", rg_report_str(upd, "kind")},
        {"update_version", rg_report_str(upd, "version")},
        {"update_sha256", rg_report_str(upd, "sha256")},
        {"update_signer", rg_report_str(upd, "signer")},
        {"baseline", rg_report_str(base, "name")},
        {"baseline_version", rg_report_str(base, "version")},
        {"validator", !json_is_true(json_object_get(validator, "ran")) ? "not run"
                      : json_is_true(json_object_get(validator, "ok")) ? "ok"
                                                                       : "refused"},
        {"accelerator", rg_report_str(host, "accelerator")},
        {"libvirt_version", rg_report_str(host, "libvirt_version")},
        {"qemu_version", rg_report_str(host, "qemu_version")},
    };

    start(x, "properties");
    for (size_t k = 0; k < sizeof(props) / sizeof(props[0]); k++) {
        start(x, "property");
        attr(x, "name", props[k][0]);
        attr(x, "value", props[k][1]);
        end(x);
    }
    end(x);
}

/* Testcases have no output of their own in the Ant schema: the suite's system-out carries
 * the reasons, the validator's errors, the warnings and the rollbacks. */
static void write_system_out(struct xw *x, const json_t *report, const json_t *scenario)
{
    const char *name = rg_report_str(scenario, "name");
    struct rg_buf b = RG_BUF_INIT;
    const json_t *v, *c, *f;
    size_t i, j, n = strlen(name);

    rg_buf_printf(&b, "ringgate verdict for %s: %s\n", name, rg_report_str(scenario, "verdict"));
    json_array_foreach(json_object_get(report, "reasons"), i, v)
    {
        const char *s = json_string_value(v);
        if (s && !strncmp(s, name, n) && (s[n] == '/' || s[n] == ':'))
            rg_buf_printf(&b, "reason: %s\n", s);
    }
    json_array_foreach(json_object_get(json_object_get(scenario, "validator"), "errors"), i, v)
        rg_buf_printf(&b, "content validator: %s\n", json_string_value(v));
    json_array_foreach(json_object_get(report, "cells"), i, c)
    {
        const json_t *rb = json_object_get(c, "rollback");

        if (strcmp(rg_report_str(c, "scenario"), name) != 0)
            continue;
        json_array_foreach(json_object_get(c, "findings"), j, f)
        {
            if (!strcmp(rg_report_str(f, "action"), "warn"))
                rg_buf_printf(&b, "%s.%s: %s (warn): %s\n", name, rg_report_str(c, "id"),
                              rg_report_str(f, "class"), rg_report_str(f, "title"));
        }
        if (json_is_object(rb))
            rg_buf_printf(&b, "%s.%s: rollback: %s\n", name, rg_report_str(c, "id"),
                          rg_report_str(rb, "detail"));
        if (rg_report_retries(c)) {
            /* gate.retries: the verdict is the last attempt's; the host failed the others. */
            rg_buf_printf(&b, "%s.%s: retried %zu time%s, %zu attempts: ", name,
                          rg_report_str(c, "id"), rg_report_retries(c),
                          rg_report_retries(c) == 1 ? "" : "s", rg_report_retries(c) + 1);
            rg_report_retry_reasons(c, &b, RG_CLEAN_XML);
            rg_buf_putc(&b, '\n');
        }
    }
    start(x, "system-out");
    text(x, rg_buf_str(&b));
    end(x);
    rg_buf_free(&b);
}

static void write_suite(struct xw *x, const json_t *report, const json_t *scenario, int id)
{
    const char *name = rg_report_str(scenario, "name");
    struct counts n = {0};
    char stamp[32];

    /* The counts are attributes, so they are known before the testcases are written. */
    each_case(report, scenario, count_case, &n);
    timestamp(report, stamp, sizeof(stamp));
    start(x, "testsuite");
    attr(x, "name", token_or(name, "unnamed"));
    attr(x, "package", "ringgate");
    attr_int(x, "id", id);
    attr(x, "timestamp", stamp);
    attr(x, "hostname",
         token_or(rg_report_str(json_object_get(report, "host"), "hostname"), "localhost"));
    attr_int(x, "tests", n.tests);
    attr_int(x, "failures", n.failures);
    attr_int(x, "errors", n.errors);
    attr_int(x, "skipped", n.skipped);
    attr_time(x, n.time);
    write_properties(x, report, scenario);
    each_case(report, scenario, write_case, x);
    write_system_out(x, report, scenario);
    start(x, "system-err");
    end(x);
    end(x);
}

int rg_report_junit(const json_t *report, struct rg_buf *out, struct rg_error *err)
{
    xmlBufferPtr xb = xmlBufferCreate();
    struct xw x = {xb ? xmlNewTextWriterMemory(xb, 0) : NULL, false};
    const json_t *s;
    size_t i;

    if (!x.w) {
        xmlBufferFree(xb);
        return rg_error_set(err, "", 0, 0, "cannot start an XML writer");
    }
    xmlTextWriterSetIndent(x.w, 1);
    xmlTextWriterSetIndentString(x.w, BAD_CAST "  ");
    x.failed |= xmlTextWriterStartDocument(x.w, NULL, "UTF-8", NULL) < 0;
    start(&x, "testsuites");
    json_array_foreach(json_object_get(report, "scenarios"), i, s)
        write_suite(&x, report, s, (int)i);
    end(&x);
    x.failed |= xmlTextWriterEndDocument(x.w) < 0;
    xmlFreeTextWriter(x.w);
    if (!x.failed)
        rg_buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
    xmlBufferFree(xb);
    return x.failed ? rg_error_set(err, "", 0, 0, "cannot write the JUnit XML") : 0;
}

int rg_report_write_junit(const json_t *report, const char *path, struct rg_error *err)
{
    struct rg_buf b = RG_BUF_INIT;
    int rc = rg_report_junit(report, &b, err);

    if (rc == 0)
        rc = rg_report_write_atomic(path, rg_buf_str(&b), b.len, err);
    else if (err)
        snprintf(err->file, sizeof(err->file), "%s", path);
    rg_buf_free(&b);
    return rc;
}

void rg_libxml2_version(char *out, size_t size)
{
    /* xmlParserVersion is the library's own, "20914" for 2.9.14. */
    long v = strtol(xmlParserVersion, NULL, 10);

    snprintf(out, size, "%ld.%ld.%ld", v / 10000, v / 100 % 100, v % 100);
}
