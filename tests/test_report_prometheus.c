/* Unit tests for the Prometheus textfile (report_prometheus.c): every fixture report rendered
 * against a golden file and through a strict checker of the text exposition format (ours;
 * also `promtool check metrics` when it is installed), hostile names, shards, duplicated
 * cells and the last pass carried over from the previous file. */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "report/report.h"
#include "testutil.h"

#define FIXTURES "tests/golden/rendered-from-fixtures"
#define FAMILIES_MAX 64
#define SERIES_MAX 4096

/* The strict checker. The format (Prometheus text exposition 0.0.4) as we hold ringgate's
 * textfile to it: every line a HELP, a TYPE or a sample; each family's HELP and TYPE once,
 * before its samples, and its lines together; names and label names by the grammar; label
 * values with only \\, \" and \n escapes; values floats as Go parses them; no series twice;
 * valid UTF-8 ending in a newline. Stricter than the format in one way: every family must
 * have HELP and TYPE; one space between tokens; no empty line, other comment, empty {} or
 * trailing comma. */
struct checker {
    struct {
        char name[160];
        bool help, type, closed;
    } fam[FAMILIES_MAX];
    size_t nfam, cur; /* cur: index + 1 of the family whose lines we are in, 0 for none */
    char *series[SERIES_MAX];
    size_t nseries;
    char why[512];
    size_t line;
};

static bool bad(struct checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool bad(struct checker *c, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(c->why, sizeof(c->why), "line %zu: ", c->line);

    va_start(ap, fmt);
    vsnprintf(c->why + n, sizeof(c->why) - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static bool name_start(char ch, bool colon)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
           (colon && ch == ':');
}

static bool name_char(char ch, bool colon)
{
    return name_start(ch, colon) || (ch >= '0' && ch <= '9');
}

/* A metric name (colon allowed) or a label name at *p; advances past it. */
static size_t name_len(const char *p, bool colon)
{
    size_t n = 0;

    if (!name_start(p[0], colon))
        return 0;
    while (name_char(p[n], colon))
        n++;
    return n;
}

static bool is_digits(const char **p)
{
    const char *s = *p;

    while (**p >= '0' && **p <= '9')
        (*p)++;
    return *p > s;
}

/* A float as Go's strconv.ParseFloat takes it in this format: NaN, +Inf, -Inf, or a decimal
 * with an optional exponent. */
static bool is_float(const char *s, size_t n)
{
    char tok[64];
    const char *p = tok;
    bool mant;

    if (n == 0 || n >= sizeof(tok))
        return false;
    memcpy(tok, s, n);
    tok[n] = '\0';
    if (!strcmp(tok, "NaN") || !strcmp(tok, "+Inf") || !strcmp(tok, "-Inf"))
        return true;
    if (*p == '+' || *p == '-')
        p++;
    mant = is_digits(&p);
    if (*p == '.') {
        p++;
        mant = is_digits(&p) || mant;
    }
    if (!mant)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!is_digits(&p))
            return false;
    }
    return *p == '\0';
}

/* Enters the family of name (a HELP, a TYPE or a sample line); its index. */
static bool enter(struct checker *c, const char *name, size_t len, size_t *at)
{
    size_t i;

    for (i = 0; i < c->nfam; i++)
        if (strlen(c->fam[i].name) == len && !strncmp(c->fam[i].name, name, len))
            break;
    if (i == c->nfam) {
        if (c->nfam == FAMILIES_MAX || len >= sizeof(c->fam[0].name))
            return bad(c, "too many families, or too long a name");
        memcpy(c->fam[i].name, name, len);
        c->fam[i].name[len] = '\0';
        c->nfam++;
    }
    if (c->cur != i + 1) {
        if (c->fam[i].closed)
            return bad(c, "%s: the family's lines are not together", c->fam[i].name);
        if (c->cur)
            c->fam[c->cur - 1].closed = true;
        c->cur = i + 1;
    }
    *at = i;
    return true;
}

static bool check_comment(struct checker *c, const char *l)
{
    bool help = !strncmp(l, "# HELP ", 7), type = !strncmp(l, "# TYPE ", 7);
    size_t n = name_len(l + 7, true), i;
    const char *rest = l + 7 + n;

    if (!help && !type)
        return bad(c, "a comment that is neither HELP nor TYPE: %s", l);
    if (!n || *rest != ' ')
        return bad(c, "a bad metric name or no text after it: %s", l);
    if (!enter(c, l + 7, n, &i))
        return false;
    if (help) {
        if (c->fam[i].help)
            return bad(c, "%s: a second HELP", c->fam[i].name);
        for (const char *p = rest + 1; *p; p++)
            if (*p == '\\' && (p[1] != '\\' && p[1] != 'n'))
                return bad(c, "%s: HELP escapes only \\\\ and \\n", c->fam[i].name);
            else if (*p == '\\')
                p++;
        c->fam[i].help = true;
        return true;
    }
    if (c->fam[i].type)
        return bad(c, "%s: a second TYPE", c->fam[i].name);
    rest++;
    if (strcmp(rest, "gauge") && strcmp(rest, "counter") && strcmp(rest, "untyped"))
        return bad(c, "%s: TYPE %s (a textfile of ours has gauges, counters or untyped)",
                   c->fam[i].name, rest);
    c->fam[i].type = true;
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* {name="value",...} at *pp: the labels, sorted, as one string for the series key. */
static bool check_labels(struct checker *c, const char **pp, struct rg_buf *key)
{
    char *labels[32];
    size_t nl = 0;
    const char *p = *pp + 1;
    bool ok = true;

    for (;;) {
        struct rg_buf one = RG_BUF_INIT;
        size_t n = name_len(p, false);

        if (!n) {
            ok = bad(c, "a bad label name at \"%.20s\"", p);
            break;
        }
        if (p[0] == '_' && p[1] == '_') {
            ok = bad(c, "label names starting __ are reserved");
            break;
        }
        rg_buf_append(&one, p, n);
        rg_buf_putc(&one, '=');
        for (size_t k = 0; k < nl; k++)
            if (!strncmp(labels[k], rg_buf_str(&one), n + 1)) {
                ok = bad(c, "label %.*s twice", (int)n, p);
                break;
            }
        p += n;
        if (!ok || p[0] != '=' || p[1] != '"') {
            ok = ok && bad(c, "a label without =\"");
            rg_buf_free(&one);
            break;
        }
        for (p += 2; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1] != '\\' && p[1] != '"' && p[1] != 'n') {
                ok = bad(c, "a label value escapes only \\\\, \\\" and \\n");
                break;
            }
            if (*p == '\\')
                rg_buf_putc(&one, *p++);
            rg_buf_putc(&one, *p);
        }
        if (!ok || *p != '"') {
            ok = ok && bad(c, "a label value without its closing quote");
            rg_buf_free(&one);
            break;
        }
        if (nl == 32) {
            ok = bad(c, "too many labels");
            rg_buf_free(&one);
            break;
        }
        labels[nl++] = rg_buf_detach(&one);
        p++;
        if (*p == '}')
            break;
        if (*p != ',' || p[1] == '}') {
            ok = bad(c, "labels are separated by one comma and end with } (no trailing comma)");
            break;
        }
        p++;
    }
    qsort(labels, nl, sizeof(labels[0]), cmp_str);
    for (size_t k = 0; k < nl; k++) {
        rg_buf_printf(key, "\x01%s", labels[k]);
        free(labels[k]);
    }
    *pp = p + 1;
    return ok;
}

static bool check_sample(struct checker *c, const char *l)
{
    size_t n = name_len(l, true), i, vlen;
    struct rg_buf key = RG_BUF_INIT;
    const char *p = l + n;
    bool ok;

    if (!n)
        return bad(c, "a bad metric name: %s", l);
    if (!enter(c, l, n, &i))
        return false;
    if (!c->fam[i].help || !c->fam[i].type)
        return bad(c, "%s: a sample before the family's HELP and TYPE", c->fam[i].name);
    rg_buf_append(&key, l, n);
    if (*p == '{' && !check_labels(c, &p, &key)) {
        rg_buf_free(&key);
        return false;
    }
    ok = *p == ' ';
    if (ok) {
        p++;
        vlen = strcspn(p, " ");
        ok = is_float(p, vlen);
        p += vlen;
    }
    if (ok && *p == ' ') { /* a timestamp in milliseconds */
        p++;
        p += *p == '-';
        ok = is_digits(&p);
    }
    if (!ok || *p) {
        rg_buf_free(&key);
        return bad(c, "not `name{labels} value [timestamp]`: %s", l);
    }
    for (size_t k = 0; k < c->nseries; k++)
        if (!strcmp(c->series[k], rg_buf_str(&key))) {
            rg_buf_free(&key);
            return bad(c, "a series twice: %s", l);
        }
    if (c->nseries == SERIES_MAX) {
        rg_buf_free(&key);
        return bad(c, "too many series");
    }
    c->series[c->nseries++] = rg_buf_detach(&key);
    return true;
}

/* NULL when text is a well-formed textfile, else why not (a static buffer). */
static const char *exposition_error(const char *text)
{
    static char why[512];
    struct checker *c = calloc(1, sizeof(*c));
    struct rg_buf utf8 = RG_BUF_INIT;
    const char *line = text;
    bool ok = true;

    assert_non_null(c);
    rg_buf_put_utf8(&utf8, text, false);
    if (strcmp(rg_buf_str(&utf8), text) != 0)
        ok = bad(c, "not valid UTF-8");
    rg_buf_free(&utf8);
    if (ok && (!*text || text[strlen(text) - 1] != '\n'))
        ok = bad(c, "empty, or the last line has no newline");
    while (ok && *line) {
        size_t len = strcspn(line, "\n");
        char *l = strndup(line, len);

        c->line++;
        assert_non_null(l);
        if (!len)
            ok = bad(c, "an empty line");
        else if (l[0] == '#')
            ok = check_comment(c, l);
        else
            ok = check_sample(c, l);
        free(l);
        line += len + 1;
    }
    snprintf(why, sizeof(why), "%s", c->why);
    for (size_t i = 0; i < c->nseries; i++)
        free(c->series[i]);
    free(c);
    return ok ? NULL : why;
}

static void check_exposition(const char *what, const char *text)
{
    const char *why = exposition_error(text);

    if (why)
        fail_msg("%s: %s\n%s", what, why, text);
}

/* `promtool check metrics` (Debian's prometheus package ships it; $RG_PROMTOOL names
 * another) when there is one: it must find nothing, not even a lint problem. */
static void promtool(const char *what, const char *text)
{
    const char *tool = getenv("RG_PROMTOOL");
    char tmp[] = "/tmp/rg-prom-XXXXXX", cmd[1024];
    int fd, status;

    if (!tool && system("command -v promtool >/dev/null 2>&1") == 0)
        tool = "promtool";
    if (!tool)
        return;
    fd = mkstemp(tmp);
    assert_true(fd >= 0);
    close(fd);
    rg_test_write(tmp, text);
    snprintf(cmd, sizeof(cmd), "'%s' check metrics < %s", tool, tmp);
    status = system(cmd);
    unlink(tmp);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("%s: `promtool check metrics` refused it (status %d)", what, status);
}

static json_t *load_fixture(const char *name)
{
    char dir[512];
    struct rg_error err;
    json_t *report;

    snprintf(dir, sizeof(dir), "%s/%s", FIXTURES, name);
    if (rg_report_load(dir, &report, &err) < 0)
        fail_msg("%s: %s", dir, err.msg);
    return report;
}

static char *render(const json_t *report, double last_pass)
{
    struct rg_buf b = RG_BUF_INIT;

    assert_int_equal(rg_report_prometheus(report, last_pass, &b), 0);
    return rg_buf_detach(&b);
}

/* Every fixture: its golden metrics.prom, well-formed by both checkers. */
static void test_fixtures(void **state)
{
    DIR *d = opendir(FIXTURES);
    struct dirent *e;
    size_t n = 0;

    (void)state;
    assert_non_null(d);
    while ((e = readdir(d))) {
        char path[600];
        json_t *report;
        char *text;

        if (e->d_name[0] == '.')
            continue;
        report = load_fixture(e->d_name);
        text = render(report, 0);
        check_exposition(e->d_name, text);
        promtool(e->d_name, text);
        snprintf(path, sizeof(path), "%s/%s/metrics.prom", FIXTURES, e->d_name);
        rg_test_golden(path, text);
        free(text);
        json_decref(report);
        n++;
    }
    closedir(d);
    assert_true(n >= 8);
}

/* The checker itself: it must refuse each of these, and take the last. */
static void test_checker(void **state)
{
    static const char *const refused[] = {
        "",
        "# HELP a x\n# TYPE a gauge\na 1",                   /* no final newline */
        "a 1\n",                                             /* no HELP or TYPE */
        "# HELP a x\na 1\n",                                 /* no TYPE */
        "# HELP a x\n# TYPE a gauge\n# HELP a y\na 1\n",     /* HELP twice */
        "# HELP a x\n# TYPE a gauge\n# TYPE a gauge\na 1\n", /* TYPE twice */
        "# HELP a x\n# TYPE a gauge\na 1\n# TYPE a gauge\n", /* TYPE after samples */
        "# HELP 1a x\n# TYPE 1a gauge\n1a 1\n",              /* name grammar */
        "# HELP a-b x\n# TYPE a-b gauge\na-b 1\n",
        "# HELP a x\n# TYPE a gauge\na{1l=\"x\"} 1\n",              /* label name grammar */
        "# HELP a x\n# TYPE a gauge\na{__l=\"x\"} 1\n",             /* reserved */
        "# HELP a x\n# TYPE a gauge\na{l=\"x\\q\"} 1\n",            /* bad escape */
        "# HELP a x\n# TYPE a gauge\na{l=\"x\"y\"} 1\n",            /* bare quote */
        "# HELP a x\n# TYPE a gauge\na{l=\"x\"\n",                  /* unterminated */
        "# HELP a x\n# TYPE a gauge\na{l=\"x\",} 1\n",              /* trailing comma */
        "# HELP a x\n# TYPE a gauge\na{l=\"x\",l=\"y\"} 1\n",       /* label twice */
        "# HELP a x\n# TYPE a gauge\na{l=\"x\"} 1\na{l=\"x\"} 2\n", /* series twice */
        "# HELP a x\n# TYPE a gauge\na{l=\"x\",m=\"y\"} 1\na{m=\"y\",l=\"x\"} 2\n",
        "# HELP a x\n# TYPE a gauge\na 1.2.3\n", /* value */
        "# HELP a x\n# TYPE a gauge\na 0x10\n",
        "# HELP a x\n# TYPE a gauge\na inf\n",
        "# HELP a x\n# TYPE a gauge\na 1e\n",
        "# HELP a x\n# TYPE a gauge\na  1\n",
        "# HELP a x\n# TYPE a gauge\na 1 2.5\n", /* timestamp */
        "# HELP a x\n# TYPE a gauge\na 1\n\n",   /* empty line */
        "# a comment\n# HELP a x\n# TYPE a gauge\na 1\n",
        "# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na 2\n", /* apart */
        "# HELP a x\\y\n# TYPE a gauge\na 1\n",                                    /* HELP escape */
        "# HELP a x\n# TYPE a histogram\na 1\n",
        "# HELP a x\n# TYPE a gauge\na{l=\"\xff\"} 1\n", /* not UTF-8 */
    };
    const char *ok =
        "# HELP a x \\\\ \\n\n# TYPE a gauge\na 1\na{l=\"\\\"\\\\\\n\xc3\xa9\"} -1.5e3 "
        "123\n# HELP b y\n# TYPE b gauge\nb{l=\"x\",m=\"\"} NaN\nb +Inf\nb{l=\"y\"} "
        ".5\n";

    (void)state;
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if (!exposition_error(refused[i]))
            fail_msg("the checker took case %zu: %s", i, refused[i]);
    check_exposition("the good case", ok);
}

/* Names from scenario files are untrusted: quotes, backslashes, newlines, controls, bytes
 * that are not UTF-8 and UTF-8 that is. */
static void test_hostile_names(void **state)
{
    json_t *report =
        json_pack("{s:s, s:s, s:s, s:i, s:f, s:s, s:[{s:s, s:s, s:s, s:s, s:f, s:[{}, {}]}, "
                  "{s:s, s:s, s:s, s:s, s:f, s:[]}], s:[{s:s, s:s, s:i}, {s:s, s:s, s:i}, "
                  "{s:s, s:s, s:i}]}",
                  "run_id", "r\"1\\\n", "ringgate_version", "0.1.0", "verdict", "block",
                  "exit_code", 1, "duration_s", 1.5, "finished_at", "2026-11-24T10:50:30.100Z",
                  "cells", "scenario", "placeholder", "id", "c\xc3\xa9\xe2\x80\xae\xf0\x9f\x98\x80",
                  "image", "i}", "verdict", "block", "duration_s", 2.25, "boots", "scenario", "s",
                  "id", "c,d=\"e\"", "image", "", "verdict", "weird", "duration_s", 0.0, "boots",
                  "findings", "class", "cr\"ash", "action", "block", "count", 2, "class", "cr\"ash",
                  "action", "block", "count", 3, "class", "cr\"ash", "action", "warn", "count", 1);
    char *text;

    (void)state;
    assert_non_null(report);
    /* jansson checks UTF-8 when it builds a string; a report on disk is not so kind. */
    json_object_set_new(json_array_get(json_object_get(report, "cells"), 0), "scenario",
                        json_string_nocheck("s\"q\\b\nn\x1b[31m\xff"));
    text = render(report, 0);
    check_exposition("hostile", text);
    promtool("hostile", text);
    assert_non_null(strstr(text, "ringgate_run_info{run_id=\"r\\\"1\\\\\\n\","));
    assert_non_null(
        strstr(text, "ringgate_cell_boots{scenario=\"s\\\"q\\\\b\\n"
                     "n\\\\x1b[31m\\\\xff\",cell=\"c\xc3\xa9\\\\u202e\xf0\x9f\x98\x80\"} 2\n"));
    assert_non_null(strstr(text, "ringgate_cell_duration_seconds{scenario=\"s\",cell=\"c,d="
                                 "\\\"e\\\"\"} 0\n"));
    /* A verdict that is none of the four: all four 0. */
    assert_non_null(strstr(text, "cell=\"c,d=\\\"e\\\"\",image=\"\",verdict=\"pass\"} 0\n"));
    assert_null(strstr(text, "weird"));
    /* The findings by class and action: 2 + 3 blocks, 1 warning. */
    assert_non_null(strstr(text, "ringgate_findings{class=\"cr\\\"ash\",action=\"block\"} 5\n"));
    assert_non_null(strstr(text, "ringgate_findings{class=\"cr\\\"ash\",action=\"warn\"} 1\n"));
    free(text);
    json_decref(report);
}

/* A cell listed twice (a merge of overlapping shards) is one series, its first entry's. */
static void test_duplicate_cell(void **state)
{
    json_t *report = json_pack("{s:s, s:[{s:s, s:s, s:s, s:f}, {s:s, s:s, s:s, s:f}], s:[]}",
                               "verdict", "inconclusive", "cells", "scenario", "s", "id", "c",
                               "verdict", "pass", "duration_s", 1.0, "scenario", "s", "id", "c",
                               "verdict", "block", "duration_s", 2.0, "findings");
    char *text;

    (void)state;
    text = render(report, 0);
    check_exposition("duplicate cell", text);
    assert_non_null(strstr(text, "ringgate_cell_duration_seconds{scenario=\"s\",cell=\"c\"} 1\n"));
    assert_null(strstr(text, "ringgate_cell_duration_seconds{scenario=\"s\",cell=\"c\"} 2\n"));
    /* The run's counts still count every entry. */
    assert_non_null(strstr(text, "ringgate_run_cells{verdict=\"block\"} 1\n"));
    /* No finished_at nor started_at: no last-run time, and no pass known. */
    assert_null(strstr(text, "ringgate_last_run_timestamp_seconds "));
    assert_non_null(strstr(text, "ringgate_last_pass_timestamp_seconds 0\n"));
    free(text);
    json_decref(report);
}

/* With run --shard, every series carries shard="I/N": two shards' files side by side in
 * one textfile folder do not collide. */
static void test_shard_label(void **state)
{
    json_t *report = json_pack("{s:s, s:i, s:{s:i, s:i}, s:[{s:s, s:s, s:s}], s:[]}", "verdict",
                               "pass", "exit_code", 0, "shard", "index", 1, "count", 3, "cells",
                               "scenario", "s", "id", "c", "verdict", "pass", "findings");
    char *text;

    (void)state;
    text = render(report, 0);
    check_exposition("shard", text);
    assert_non_null(strstr(text, "ringgate_run_exit_code{shard=\"1/3\"} 0\n"));
    assert_non_null(
        strstr(text, "ringgate_cell_boots{shard=\"1/3\",scenario=\"s\",cell=\"c\"} 0\n"));
    for (const char *l = text; *l; l = strchr(l, '\n') + 1)
        if (*l != '#' && !strstr(l, "{shard=\"1/3\""))
            fail_msg("a sample without the shard label: %.80s", l);
    free(text);
    json_decref(report);
}

static double last_pass(const char *path)
{
    char *text = rg_test_slurp(path, NULL);
    const char *p;
    double v;

    assert_non_null(text);
    check_exposition(path, text);
    p = strstr(text, "\nringgate_last_pass_timestamp_seconds ");
    assert_non_null(p);
    v = strtod(p + strlen("\nringgate_last_pass_timestamp_seconds "), NULL);
    free(text);
    return v;
}

static json_t *run_report(const char *verdict, const char *finished)
{
    return json_pack("{s:s, s:s, s:[], s:[]}", "verdict", verdict, "finished_at", finished, "cells",
                     "findings");
}

static void write_metrics(const json_t *report, const char *path)
{
    struct rg_error err = {0};

    if (rg_report_write_prometheus(report, path, &err) < 0)
        fail_msg("%s: %s", err.file, err.msg);
}

/* Textfile-collector semantics: a run that does not pass keeps the last pass time of the
 * file it replaces; one that passes sets it; a malformed previous file counts as none. */
static void test_last_pass_carried(void **state)
{
    char dir[] = "/tmp/rg-prom-XXXXXX", path[600];
    json_t *pass = run_report("pass", "2026-11-24T10:00:00Z");
    json_t *block = run_report("block", "2026-11-25T10:00:00.5Z");
    json_t *pass2 = run_report("pass", "2026-11-26T10:00:00+01:00");
    static const char *const malformed[] = {
        "garbage\n",
        "ringgate_last_pass_timestamp_seconds\n",
        "ringgate_last_pass_timestamp_seconds abc\n",
        "ringgate_last_pass_timestamp_seconds NaN\n",
        "ringgate_last_pass_timestamp_seconds -5\n",
        "ringgate_last_pass_timestamp_seconds{shard=\"0/2\" 12\n",
        "ringgate_last_pass_timestamp_seconds \n12\n",
        "ringgate_last_pass_timestamp_seconds_x 12\n",
        "ringgate_last_pass_timestamp_seconds 12x\n",
    };
    static const char binary[] = "\x01\x00\nringgate_last_pass_timestamp_seconds 12\n";
    char *text;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/ringgate.prom", dir);
    write_metrics(block, path); /* no previous file: never passed */
    assert_true(last_pass(path) == 0);
    write_metrics(pass, path);
    assert_true(last_pass(path) == 1795514400);
    write_metrics(block, path);
    assert_true(last_pass(path) == 1795514400);
    text = rg_test_slurp(path, NULL);
    assert_non_null(strstr(text, "ringgate_last_run_timestamp_seconds 1795600800.5\n"));
    free(text);
    write_metrics(pass2, path); /* 10:00 at +01:00 is 09:00Z */
    assert_true(last_pass(path) == 1795683600);
    /* Labels before the value (a sharded run's file) and a timestamp after it. */
    rg_test_write(path, "# x\nringgate_last_pass_timestamp_seconds{shard=\"0/2\",a=\"}\\\"\"} "
                        "1700000000.25 1700000000000\n");
    write_metrics(block, path);
    assert_true(last_pass(path) == 1700000000.25);
    for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
        FILE *f = fopen(path, "w");

        assert_non_null(f);
        fwrite(malformed[i], 1, strlen(malformed[i]), f);
        fclose(f);
        write_metrics(block, path);
        if (last_pass(path) != 0)
            fail_msg("malformed previous file %zu was taken", i);
    }
    { /* not text: a NUL byte, the line after it notwithstanding */
        FILE *f = fopen(path, "w");

        assert_non_null(f);
        fwrite(binary, 1, sizeof(binary) - 1, f);
        fclose(f);
        write_metrics(block, path);
        assert_true(last_pass(path) == 0);
    }
    /* Not a file: a folder where the textfile would be cannot be replaced; named. */
    {
        struct rg_error err = {0};

        snprintf(path, sizeof(path), "%s/sub.prom", dir);
        assert_int_equal(mkdir(path, 0700), 0);
        assert_int_equal(rg_report_write_prometheus(block, path, &err), -1);
        assert_string_equal(err.file, path);
        rmdir(path);
    }
    snprintf(path, sizeof(path), "%s/ringgate.prom", dir);
    unlink(path);
    assert_int_equal(rmdir(dir), 0); /* nothing else left behind */
    json_decref(pass);
    json_decref(pass2);
    json_decref(block);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checker),       cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_hostile_names), cmocka_unit_test(test_duplicate_cell),
        cmocka_unit_test(test_shard_label),   cmocka_unit_test(test_last_pass_carried),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
