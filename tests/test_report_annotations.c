/* Unit tests for the GitHub Actions annotations (report_annotations.c): every fixture against
 * a golden file, each line a well-formed workflow command whose data decodes back to what was
 * meant, GitHub's escaping, the cap of ten, the merging of findings and validator refusals. */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/report.h"
#include "testutil.h"

#define FIXTURES "tests/golden/rendered-from-fixtures"

/* Undoes the workflow-command escaping of s[0..n); fails on a % that is not one of ours, or
 * a character that should have been escaped. */
static char *unescape(const char *s, size_t n, bool property)
{
    struct rg_buf b = RG_BUF_INIT;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' || s[i] == '\n' || (property && (s[i] == ':' || s[i] == ',')))
            fail_msg("unescaped %#x in %.*s", s[i], (int)n, s);
        if (s[i] != '%') {
            rg_buf_putc(&b, s[i]);
            continue;
        }
        if (!strncmp(s + i, "%25", 3))
            rg_buf_putc(&b, '%');
        else if (!strncmp(s + i, "%0D", 3))
            rg_buf_putc(&b, '\r');
        else if (!strncmp(s + i, "%0A", 3))
            rg_buf_putc(&b, '\n');
        else if (property && !strncmp(s + i, "%3A", 3))
            rg_buf_putc(&b, ':');
        else if (property && !strncmp(s + i, "%2C", 3))
            rg_buf_putc(&b, ',');
        else
            fail_msg("a bare %% in %.*s", (int)n, s);
        i += 2;
    }
    return rg_buf_detach(&b);
}

struct annotation {
    char level[16];
    char *title, *message;
};

/* Splits text into its workflow commands: `::LEVEL title=TITLE::MESSAGE`, one a line, nothing
 * else; returns how many (at most max). */
static size_t parse(const char *text, struct annotation *out, size_t max)
{
    size_t n = 0;

    assert_true(!*text || text[strlen(text) - 1] == '\n');
    for (const char *l = text; *l;) {
        size_t len = strcspn(l, "\n"), lev;
        const char *title, *msg;

        assert_true(n < max);
        if (strncmp(l, "::", 2) != 0)
            fail_msg("not a workflow command: %.*s", (int)len, l);
        lev = strcspn(l + 2, " :\n");
        assert_true(lev < sizeof(out[n].level));
        memcpy(out[n].level, l + 2, lev);
        out[n].level[lev] = '\0';
        if (strcmp(out[n].level, "error") && strcmp(out[n].level, "notice"))
            fail_msg("level %s", out[n].level);
        title = l + 2 + lev;
        if (strncmp(title, " title=", 7) != 0)
            fail_msg("no title: %.*s", (int)len, l);
        title += 7;
        msg = strstr(title, "::");
        assert_true(msg && msg < l + len);
        out[n].title = unescape(title, (size_t)(msg - title), true);
        out[n].message = unescape(msg + 2, (size_t)(l + len - msg - 2), false);
        n++;
        l += len + 1;
    }
    return n;
}

static void free_all(struct annotation *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].title);
        free(a[i].message);
    }
}

static char *annotate(const json_t *report)
{
    struct rg_buf b = RG_BUF_INIT;

    assert_non_null(report);
    assert_int_equal(rg_report_annotations(report, &b), 0);
    return rg_buf_detach(&b);
}

static void test_fixtures(void **state)
{
    DIR *d = opendir(FIXTURES);
    struct dirent *e;
    size_t n = 0;

    (void)state;
    assert_non_null(d);
    while ((e = readdir(d))) {
        struct annotation a[16];
        char path[600];
        struct rg_error err;
        json_t *report;
        char *text;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", FIXTURES, e->d_name);
        if (rg_report_load(path, &report, &err) < 0)
            fail_msg("%s: %s", path, err.msg);
        text = annotate(report);
        free_all(a, parse(text, a, 16));
        snprintf(path, sizeof(path), "%s/%s/annotations.txt", FIXTURES, e->d_name);
        rg_test_golden(path, text);
        /* A run that passed has nothing to say. */
        if (!strcmp(rg_report_str(report, "verdict"), "pass"))
            assert_string_equal(text, "");
        free(text);
        json_decref(report);
        n++;
    }
    closedir(d);
    assert_true(n >= 8);
}

static json_t *finding(const char *cls, const char *title, const char *action, int count,
                       const char *cell)
{
    return json_pack("{s:s, s:s, s:s, s:i, s:[s]}", "class", cls, "title", title, "action", action,
                     "count", count, "cells", cell);
}

/* % CR LF everywhere, and : , in the title property too; controls cleaned; no line of the
 * output can be read as another command. */
static void test_escaping(void **state)
{
    json_t *report = json_pack(
        "{s:s, s:[], s:[o]}", "verdict", "block", "scenarios", "findings",
        finding("cr:a,sh%", "100% a\rb\r\n::error::pwned\x1b[2J,x:y", "block", 1, "s/c%0A"));
    struct annotation a[4];
    char *text = annotate(report);
    size_t n;

    (void)state;
    n = parse(text, a, 4);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].level, "error");
    assert_string_equal(a[0].title, "ringgate: cr:a,sh% (1 time, 1 cell)");
    /* A lone CR is a control character, shown; one before a newline is dropped. */
    assert_string_equal(a[0].message, "100% a\\x0db\n::error::pwned\\x1b[2J,x:y\ncells: s/c%0A");
    assert_non_null(strstr(text, "title=ringgate%3A cr%3Aa%2Csh%25 (1 time%2C 1 cell)::100%25 "
                                 "a\\x0db%0A::error::pwned"));
    assert_non_null(strstr(text, "cells: s/c%250A\n"));
    free_all(a, n);
    free(text);
    json_decref(report);
}

/* At most ten errors, then a notice counting the rest; warnings and ignored findings are not
 * blocking. */
static void test_cap(void **state)
{
    json_t *report = json_pack("{s:s, s:[], s:[]}", "verdict", "block", "scenarios", "findings");
    json_t *fs = json_object_get(report, "findings");
    struct annotation a[16];
    char *text;
    size_t n;

    (void)state;
    json_array_append_new(fs, finding("warning", "w", "warn", 1, "s/c"));
    for (int i = 0; i < 13; i++) {
        char title[32];

        snprintf(title, sizeof(title), "crash %d", i);
        json_array_append_new(fs, finding("crash", title, "block", 1, "s/c"));
    }
    json_array_append_new(fs, finding("hang", "h", "ignore", 1, "s/c"));
    text = annotate(report);
    n = parse(text, a, 16);
    assert_int_equal(n, 11);
    for (size_t i = 0; i < 10; i++) {
        char want[32];

        snprintf(want, sizeof(want), "crash %zu\ncells: s/c", i);
        assert_string_equal(a[i].level, "error");
        assert_string_equal(a[i].message, want);
    }
    assert_string_equal(a[10].level, "notice");
    assert_string_equal(a[10].message,
                        "3 more blocking findings are not annotated (at most 10 are): see "
                        "report.json");
    free_all(a, n);
    free(text);
    /* Exactly ten: no notice. */
    json_array_remove(fs, 13);
    json_array_remove(fs, 12);
    json_array_remove(fs, 11);
    text = annotate(report);
    n = parse(text, a, 16);
    assert_int_equal(n, 10);
    assert_string_equal(a[9].level, "error");
    free_all(a, n);
    free(text);
    json_decref(report);
}

/* One annotation per class and title: a report merged from shards may list a finding once
 * per shard; the counts add up and the cells are named once each, at most five. */
static void test_dedup(void **state)
{
    json_t *report = json_pack("{s:s, s:[], s:[o, o, o, o]}", "verdict", "block", "scenarios",
                               "findings", finding("crash", "BUG: x", "block", 2, "s/a"),
                               finding("crash", "BUG: y", "block", 1, "s/a"),
                               finding("crash", "BUG: x", "block", 3, "s/b"),
                               finding("crash", "BUG: x", "block", 1, "s/a"));
    json_t *cells =
        json_object_get(json_array_get(json_object_get(report, "findings"), 2), "cells");
    struct annotation a[4];
    char *text;
    size_t n;

    (void)state;
    for (int i = 0; i < 6; i++) {
        char cell[16];

        snprintf(cell, sizeof(cell), "t/%d", i);
        json_array_append_new(cells, json_string(cell));
    }
    text = annotate(report);
    n = parse(text, a, 4);
    assert_int_equal(n, 2);
    assert_string_equal(a[0].title, "ringgate: crash (6 times, 8 cells)");
    assert_string_equal(a[0].message, "BUG: x\ncells: s/a, s/b, t/0, t/1, t/2, and 3 more");
    assert_string_equal(a[1].title, "ringgate: crash (1 time, 1 cell)");
    free_all(a, n);
    free(text);
    json_decref(report);
    /* Counts from a hand-made report: negative ones ignored, the sum saturated. */
    report = json_pack("{s:s, s:[], s:[o, o, o]}", "verdict", "block", "scenarios", "findings",
                       finding("crash", "x", "block", -5, "s/a"),
                       finding("crash", "x", "block", 1, "s/a"),
                       finding("crash", "x", "block", 1, "s/a"));
    json_object_set_new(json_array_get(json_object_get(report, "findings"), 2), "count",
                        json_integer(LLONG_MAX));
    text = annotate(report);
    n = parse(text, a, 4);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].title, "ringgate: crash (9223372036854775807 times, 1 cell)");
    free_all(a, n);
    free(text);
    json_decref(report);
}

/* A content validator's refusal blocks even where no cell booted: one annotation per
 * refusing scenario with its errors, which the cells' content-rejected findings then do not
 * repeat; a validator that accepted, or did not run, says nothing. */
static void test_validator(void **state)
{
    json_t *report = json_pack(
        "{s:s, s:[{s:s, s:{s:b, s:b, s:[s, s]}}, {s:s, s:{s:b, s:b, s:[]}}, "
        "{s:s, s:{s:b, s:b, s:[]}}], s:[o, o]}",
        "verdict", "block", "scenarios", "name", "one", "validator", "ran", 1, "ok", 0, "errors",
        "ch/1.rgc:6:8: bad, very", "ch/2.rgc:1:1: worse", "name", "two", "validator", "ran", 1,
        "ok", 1, "errors", "name", "three", "validator", "ran", 0, "ok", 0, "errors", "findings",
        finding("content-rejected", "the content validator refused the update", "block", 1,
                "one/c"),
        finding("crash", "BUG", "block", 1, "one/c"));
    struct annotation a[4];
    char *text;
    size_t n;

    (void)state;
    text = annotate(report);
    n = parse(text, a, 4);
    assert_int_equal(n, 2);
    assert_string_equal(a[0].title, "ringgate: content-rejected (one)");
    assert_string_equal(a[0].message, "the content validator refused the update of one:\n"
                                      "ch/1.rgc:6:8: bad, very\nch/2.rgc:1:1: worse");
    assert_string_equal(a[1].title, "ringgate: crash (1 time, 1 cell)");
    free_all(a, n);
    free(text);
    /* No refusal on record (a hand-made report): the finding itself is annotated. */
    json_object_set_new(
        json_object_get(json_array_get(json_object_get(report, "scenarios"), 0), "validator"), "ok",
        json_true());
    text = annotate(report);
    n = parse(text, a, 4);
    assert_int_equal(n, 2);
    assert_string_equal(a[0].title, "ringgate: content-rejected (1 time, 1 cell)");
    free_all(a, n);
    free(text);
    json_decref(report);
}

/* Errors that stopped a run before it began: file, line and col as properties (escaped like
 * the title), none when unknown; at most ten. */
static void test_errors(void **state)
{
    struct rg_errors errs = {0};
    struct rg_buf b = RG_BUF_INIT;
    const char *t;

    (void)state;
    rg_errors_add(&errs, "scen,a:rio%.yaml", 5, 12, "%s", "'update.package': cannot read 'x%'");
    rg_errors_add(&errs, "", 0, 0, "no file\nsecond line");
    rg_errors_add(&errs, "f.yaml", 3, 0, "no column");
    assert_int_equal(rg_report_annotate_errors(&errs, &b), 0);
    assert_string_equal(rg_buf_str(&b),
                        "::error file=scen%2Ca%3Ario%25.yaml,line=5,col=12,title=ringgate::"
                        "'update.package': cannot read 'x%25'\n"
                        "::error title=ringgate::no file%0Asecond line\n"
                        "::error file=f.yaml,line=3,title=ringgate::no column\n");
    for (int i = 0; i < 10; i++)
        rg_errors_add(&errs, "f.yaml", i + 1, 1, "error %d", i);
    rg_buf_reset(&b);
    rg_report_annotate_errors(&errs, &b);
    t = rg_buf_str(&b);
    assert_non_null(strstr(t, "::error file=f.yaml,line=7,col=1,title=ringgate::error 6\n"));
    assert_null(strstr(t, "error 7"));
    assert_non_null(strstr(t, "\n::notice title=ringgate::3 more errors are not annotated (at "
                              "most 10 are): see the log\n"));
    rg_buf_reset(&b);
    assert_int_equal(rg_report_annotate_errors(NULL, &b), 0);
    assert_string_equal(rg_buf_str(&b), "");
    rg_buf_free(&b);
    rg_errors_free(&errs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),  cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_cap),       cmocka_unit_test(test_dedup),
        cmocka_unit_test(test_validator), cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
