/* Unit tests for the report formats: text, Markdown and JUnit rendered from fixed, hand-made
 * report.json files (tests/golden/rendered-from-fixtures/<name>/) against golden outputs, JUnit
 * validated with xmllint, the HTML page's structure, hostile strings, loading errors and atomic
 * writes. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "report/report.h"
#include "testutil.h"

#define FIXTURES "tests/golden/rendered-from-fixtures"
#define XSD "../shared/junit/JUnit.xsd"

static json_t *load(const char *name)
{
    char dir[256];
    struct rg_error err;
    json_t *report;

    snprintf(dir, sizeof(dir), "%s/%s", FIXTURES, name);
    if (rg_report_load(dir, &report, &err) < 0)
        fail_msg("%s: %s", dir, err.msg);
    return report;
}

/* The Ant schema is strict (attribute order aside): every JUnit file must pass it. */
static void validate_junit(const char *path)
{
    char cmd[1024];

    if (access(XSD, R_OK) != 0) {
        print_message("SKIPPED: JUnit schema validation of %s (%s is absent)\n", path, XSD);
        return;
    }
    if (system("command -v xmllint >/dev/null 2>&1") != 0) {
        print_message("SKIPPED: JUnit schema validation of %s (no xmllint)\n", path);
        return;
    }
    snprintf(cmd, sizeof(cmd), "xmllint --noout --schema %s %s 2>&1", XSD, path);
    if (system(cmd) != 0)
        fail_msg("%s does not validate against %s", path, XSD);
}

/* report's JUnit XML through a temporary file (path receives its name), validated. */
static char *junit_file(const json_t *report, char path[32])
{
    struct rg_error err;
    int fd;

    snprintf(path, 32, "/tmp/rg-test-junit-XXXXXX");
    fd = mkstemp(path);

    assert_true(fd >= 0);
    close(fd);
    if (rg_report_write_junit(report, path, &err) < 0)
        fail_msg("junit: %s", err.msg);
    validate_junit(path);
    return rg_test_slurp(path, NULL);
}

/* Strictly valid UTF-8 with no control character but tab and newline (and, in a terminal
 * line, not even those). */
static bool clean_utf8(const char *s, bool allow_esc)
{
    const unsigned char *u = (const unsigned char *)s;

    for (size_t i = 0; u[i];) {
        unsigned char c = u[i];
        size_t len = c < 0x80                 ? 1
                     : c >= 0xc2 && c <= 0xdf ? 2
                     : c >= 0xe0 && c <= 0xef ? 3
                     : c >= 0xf0 && c <= 0xf4 ? 4
                                              : 0;
        if (!len)
            return false;
        for (size_t k = 1; k < len; k++)
            if ((u[i + k] & 0xc0) != 0x80)
                return false;
        if ((c == 0xe0 && u[i + 1] < 0xa0) || (c == 0xed && u[i + 1] >= 0xa0) ||
            (c == 0xf0 && u[i + 1] < 0x90) || (c == 0xf4 && u[i + 1] >= 0x90))
            return false;
        if (len == 1 &&
            ((c < 0x20 && c != '\n' && c != '\t' && !(allow_esc && c == 0x1b)) || c == 0x7f))
            return false;
        if (len == 3 && c == 0xef && u[i + 1] == 0xbf && (u[i + 2] == 0xbe || u[i + 2] == 0xbf))
            return false; /* U+FFFE, U+FFFF */
        i += len;
    }
    return true;
}

/* The page stands alone and is structured as the e2e test and readers expect. */
static void check_html(const char *name, const char *html)
{
    static const char *const forbidden[] = {
        "<script", "<link",    "<img",    "<iframe",           "@import",    "url(",
        "http://", "https://", " src=\"", "href=\"javascript", "href=\"../", NULL};

    if (!clean_utf8(html, false))
        fail_msg("%s: index.html holds invalid UTF-8 or control bytes", name);
    for (size_t i = 0; forbidden[i]; i++)
        if (strstr(html, forbidden[i]))
            fail_msg("%s: index.html contains %s", name, forbidden[i]);
    assert_non_null(strstr(html, "<!DOCTYPE html>"));
    assert_non_null(strstr(html, "Content-Security-Policy"));
    assert_non_null(strstr(html, "id=\"verdict\""));
    assert_non_null(strstr(html, "id=\"matrix\""));
    assert_non_null(strstr(html, "<table class=\"grid\">"));
    assert_non_null(strstr(html, "id=\"findings\""));
    assert_non_null(strstr(html, "class=\"timeline\""));
    assert_non_null(strstr(html, "</html>\n"));
}

static void check_fixture(const char *name)
{
    char path[512], junit[32];
    struct rg_buf text = RG_BUF_INIT, html = RG_BUF_INIT;
    json_t *report = load(name);
    char *xml;

    assert_int_equal(rg_report_text(report, false, &text), 0);
    snprintf(path, sizeof(path), "%s/%s/summary.txt", FIXTURES, name);
    rg_test_golden(path, rg_buf_str(&text));
    if (!clean_utf8(rg_buf_str(&text), false))
        fail_msg("%s: the text summary holds invalid UTF-8 or control bytes", name);
    rg_buf_reset(&text);
    assert_int_equal(rg_report_markdown(report, &text), 0);
    snprintf(path, sizeof(path), "%s/%s/summary.md", FIXTURES, name);
    rg_test_golden(path, rg_buf_str(&text));
    if (!clean_utf8(rg_buf_str(&text), false))
        fail_msg("%s: the Markdown summary holds invalid UTF-8 or control bytes", name);
    xml = junit_file(report, junit);
    snprintf(path, sizeof(path), "%s/%s/junit.xml", FIXTURES, name);
    rg_test_golden(path, xml);
    assert_int_equal(rg_report_html(report, &html), 0);
    check_html(name, rg_buf_str(&html));
    free(xml);
    unlink(junit);
    rg_buf_free(&text);
    rg_buf_free(&html);
    json_decref(report);
}

/* One test per fixture; the fixture's name is the test's state. */
static void test_fixture(void **state)
{
    check_fixture(*state);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;

    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* 0291 on two cells: a crash and a boot loop fail each, the repeats stay out of the counts,
 * and the rollback that worked fails nothing. */
static void test_junit_blocked(void **state)
{
    char junit[32];
    json_t *report = load("block-0291-two-cells");
    char *xml = junit_file(report, junit);

    (void)state;
    assert_non_null(strstr(xml, "tests=\"14\" failures=\"4\" errors=\"0\" skipped=\"0\""));
    assert_int_equal(count(xml, "<failure message=\"BUG: kernel NULL pointer dereference in "
                                "rg_sensor_eval\" type=\"crash\">"),
                     2);
    assert_int_equal(count(xml, "type=\"boot-loop\""), 2);
    assert_non_null(strstr(xml, "classname=\"content-update.tiny-2c-256m\" name=\"rollback\" "
                                "time=\"0.000\"/>"));
    assert_non_null(strstr(xml, "-- and 2 more in this cell (boots 3, 4)\n"));
    assert_non_null(strstr(xml, "timestamp=\"2026-11-24T10:20:00\""));
    free(xml);
    unlink(junit);
    json_decref(report);
}

static void test_junit_outcomes(void **state)
{
    char junit[32];
    json_t *report;
    char *xml;

    (void)state;
    report = load("aborted"); /* every testcase of an aborted cell is skipped */
    xml = junit_file(report, junit);
    assert_non_null(strstr(xml, "tests=\"14\" failures=\"0\" errors=\"0\" skipped=\"14\""));
    free(xml);
    json_decref(report);

    report = load("inconclusive-infra"); /* the checks an infrastructure failure prevented */
    xml = junit_file(report, junit);
    assert_non_null(strstr(xml, "<testsuite name=\"content-update\" package=\"ringgate\" "
                                "id=\"0\""));
    assert_non_null(strstr(xml, "<testsuite name=\"driver-update\" package=\"ringgate\" "
                                "id=\"1\""));
    assert_non_null(strstr(xml, "tests=\"7\" failures=\"0\" errors=\"7\" skipped=\"0\""));
    assert_int_equal(count(xml, "<error message=\"the hypervisor could not start the guest\" "
                                "type=\"infra\">"),
                     7);
    free(xml);
    json_decref(report);

    report = load("perf-regression"); /* a testcase per metric */
    xml = junit_file(report, junit);
    assert_non_null(strstr(xml, "name=\"regression:sensor-eval-loop\" time=\"0.000\">\n"
                                "      <failure message=\"perf regression: sensor-eval-loop "
                                "+45.2 % (threshold 5 %)\" type=\"perf-regression\">"));
    assert_non_null(strstr(xml, "name=\"regression:boot-to-ready\" time=\"0.000\"/>"));
    assert_int_equal(count(xml, "name=\"regression:"), 3);
    free(xml);
    json_decref(report);

    report = load("pass-two-cells"); /* a warning that does not block is no failure */
    xml = junit_file(report, junit);
    assert_non_null(strstr(xml, "tests=\"14\" failures=\"0\" errors=\"0\" skipped=\"0\""));
    assert_non_null(strstr(xml, "content-update.tiny-2c-512m: warning (warn): WARNING: at "
                                "kernel/rcu/tree.c rcu_core"));
    free(xml);
    json_decref(report);
    unlink(junit);
}

/* Console bytes that are not UTF-8 cannot come through jansson's parser, but can reach the
 * formats from a report built in memory: set them directly. */
static json_t *hostile_with_bad_utf8(void)
{
    json_t *report = load("hostile");
    json_t *cell = json_array_get(json_object_get(report, "cells"), 0);
    json_t *f = json_array_get(json_object_get(cell, "findings"), 0);

    json_object_set_new(f, "excerpt",
                        json_string_nocheck("lone \xff\xfe overlong \xc0\xaf surrogate \xed\xa0\x80"
                                            " too big \xf4\x90\x80\x80 <script>\x01\x1b[31m\n"
                                            "Kernel panic ]]> cut \xe2\x82"));
    json_object_set_new(f, "title", json_string_nocheck("BUG: \xff<b>\x1b[2J"));
    return report;
}

static void test_hostile_strings(void **state)
{
    char junit[32];
    struct rg_buf text = RG_BUF_INIT, html = RG_BUF_INIT;
    json_t *report = load("hostile");
    char *xml = junit_file(report, junit);
    const char *h;

    (void)state;
    rg_report_html(report, &html); /* first as loaded, then with bytes jansson never parses */
    h = rg_buf_str(&html);
    assert_non_null(strstr(h, "&lt;img src=x onerror=alert(3)&gt;"));
    assert_non_null(strstr(h, "&#39; onmouseover=&#39;alert(2)&#39; &quot;"));
    assert_non_null(strstr(h, "blamed <code>rg_sensor_eval&lt;/code&gt;&lt;script&gt;</code>"));
    assert_non_null(strstr(h, "<span class=\"hl\">BUG: kernel NULL pointer dereference"));
    assert_non_null(strstr(h, "\\u202eevil"));
    assert_non_null(strstr(h, "red\\x1b[0m\n")); /* CR LF: the CR is dropped */
    assert_null(strstr(h, "\xe2\x80\xae"));
    assert_null(strstr(h, "\xe2\x81\xa6"));
    assert_null(strstr(h, "javascript:alert(5)\""));
    assert_null(strstr(h, "passwd\""));
    rg_buf_reset(&html);
    json_decref(report);
    report = hostile_with_bad_utf8();
    free(xml);
    xml = junit_file(report, junit);
    assert_true(clean_utf8(xml, false));
    assert_null(strstr(xml, "<script"));
    assert_null(strstr(xml, "<b>"));
    assert_non_null(strstr(xml, "&lt;script&gt;"));
    assert_non_null(strstr(xml, "]]&gt;"));
    assert_non_null(strstr(xml, "lone \\xff\\xfe overlong \\xc0\\xaf surrogate \\xed\\xa0\\x80 "
                                "too big \\xf4\\x90\\x80\\x80 &lt;script&gt;\\x01\\x1b[31m\n"));
    assert_non_null(strstr(xml, "hostname=\"localhost\""));

    assert_int_equal(rg_report_html(report, &html), 0);
    h = rg_buf_str(&html);
    check_html("hostile", h);
    assert_non_null(strstr(h, "<span class=\"hl\">Kernel panic ]]&gt; cut \\xe2\\x82</span>"));

    assert_int_equal(rg_report_text(report, false, &text), 0);
    assert_true(clean_utf8(rg_buf_str(&text), false));
    assert_non_null(strstr(rg_buf_str(&text), "crash: BUG: \\xff<b>\\x1b[2J"));
    assert_null(strstr(rg_buf_str(&text), "\xe2\x80\xae"));
    rg_buf_reset(&text);
    rg_report_text(report, true, &text);
    assert_true(clean_utf8(rg_buf_str(&text), true)); /* our own colours only */
    assert_null(strstr(rg_buf_str(&text), "\x1b[2J"));

    free(xml);
    unlink(junit);
    rg_buf_free(&text);
    rg_buf_free(&html);
    json_decref(report);
}

static void test_buf_utf8(void **state)
{
    struct rg_buf b = RG_BUF_INIT;

    (void)state;
    rg_buf_put_utf8(&b, "ok \xff\xfe caf\xc3\xa9 \x01", false);
    assert_string_equal(rg_buf_str(&b), "ok \xef\xbf\xbd\xef\xbf\xbd caf\xc3\xa9 \x01");
    rg_buf_reset(&b);
    rg_buf_put_utf8(&b, "bell\x07tab\t", true);
    assert_string_equal(rg_buf_str(&b), "bell\xef\xbf\xbdtab\t");
    rg_buf_free(&b);
}

static void clean_is(const char *in, enum rg_clean mode, const char *want)
{
    struct rg_buf b = RG_BUF_INIT;

    rg_report_put_clean(&b, in, mode);
    assert_string_equal(rg_buf_str(&b), want);
    rg_buf_free(&b);
}

static void test_clean(void **state)
{
    (void)state;
    clean_is("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", RG_CLEAN_XML,
             "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7");
    clean_is("a\tb\nc\r\nd\re", RG_CLEAN_XML, "a\tb\nc\nd\\x0de");
    clean_is("\x01\x07\x1b\x7f \xc2\x85", RG_CLEAN_XML, "\\x01\\x07\\x1b\\x7f \\x85");
    clean_is("\xef\xbf\xbe\xef\xbf\xbf", RG_CLEAN_XML, "\\ufffe\\uffff");
    clean_is("\xc0\x80 \xed\xb0\x80 \xf5\x80\x80\x80 \x80", RG_CLEAN_XML,
             "\\xc0\\x80 \\xed\\xb0\\x80 \\xf5\\x80\\x80\\x80 \\x80");
    clean_is("<a href='x'>&\"</a>", RG_CLEAN_HTML,
             "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
    clean_is("<&>", RG_CLEAN_XML, "<&>"); /* xmlwriter escapes these itself */
    clean_is("line\none\ttab", RG_CLEAN_LINE, "line\\x0aone\\x09tab");
    clean_is("\xc2\x9b"
             "31m \xe2\x80\xae"
             "abc",
             RG_CLEAN_LINE, "\\x9b31m \\u202eabc");
    clean_is(NULL, RG_CLEAN_LINE, "");
}

/* A title's '|' cannot end its table cell, nor its newline the row. */
static void test_markdown_escapes(void **state)
{
    json_t *report = json_loads(
        "{\"verdict\": \"block\", \"exit_code\": 1, \"cells\": [{\"scenario\": \"s|x\", "
        "\"id\": \"c\", \"verdict\": \"block\", \"reasons\": [\"crash: a|b\\nc\"]}], "
        "\"findings\": [{\"class\": \"crash\", \"title\": \"a|b\\nc\", \"action\": \"block\", "
        "\"count\": 1, \"cells\": [\"s|x/c\"]}, {\"class\": \"perf\", \"title\": \"w\", "
        "\"action\": \"warn\", \"count\": 1, \"cells\": []}]}",
        0, NULL);
    struct rg_buf b = RG_BUF_INIT;

    (void)state;
    assert_non_null(report);
    assert_int_equal(rg_report_markdown(report, &b), 0);
    assert_non_null(strstr(rg_buf_str(&b), "| s\\|x | c |"));
    assert_non_null(strstr(rg_buf_str(&b), "| 1 | crash | a\\|b<br>c | s\\|x/c |\n"));
    assert_null(strstr(rg_buf_str(&b), "| perf |")); /* warnings are not blocking */
    rg_buf_free(&b);
    json_decref(report);
}

/* At most 50 blocking findings, and a line saying how many more there are. */
static void test_markdown_cap(void **state)
{
    json_t *report = json_pack("{s:s, s:i, s:[], s:[]}", "verdict", "block", "exit_code", 1,
                               "cells", "findings");
    struct rg_buf b = RG_BUF_INIT;
    const char *p;
    size_t rows = 0;

    (void)state;
    for (int i = 0; i < 60; i++) {
        char title[32];

        snprintf(title, sizeof(title), "crash %d", i);
        json_array_append_new(json_object_get(report, "findings"),
                              json_pack("{s:s, s:s, s:s, s:i, s:[]}", "class", "crash", "title",
                                        title, "action", "block", "count", 1, "cells"));
    }
    assert_int_equal(rg_report_markdown(report, &b), 0);
    for (p = rg_buf_str(&b); (p = strstr(p, "| 1 | crash | crash ")); p++)
        rows++;
    assert_int_equal(rows, 50);
    assert_non_null(strstr(rg_buf_str(&b), "crash 49 |"));
    assert_null(strstr(rg_buf_str(&b), "crash 50 |"));
    assert_non_null(strstr(rg_buf_str(&b), "\n10 more blocking findings: see report.json.\n"));
    rg_buf_free(&b);
    json_decref(report);
}

static void test_text_colour(void **state)
{
    struct rg_buf b = RG_BUF_INIT;
    json_t *report = load("block-0291-two-cells");

    (void)state;
    rg_report_text(report, false, &b);
    assert_null(strchr(rg_buf_str(&b), '\033'));
    assert_non_null(strstr(rg_buf_str(&b), "tiny-1c-256m  block  crash: BUG: kernel NULL pointer "
                                           "dereference in rg_sensor_eval (+ boot-loop)"));
    rg_buf_reset(&b);
    rg_report_text(report, true, &b);
    assert_non_null(strstr(rg_buf_str(&b), "\033[1;31mBLOCK\033[0m"));
    assert_non_null(strstr(rg_buf_str(&b), "\nverdict: \033[1;31mblock\033[0m (exit 1)\n"));
    rg_buf_free(&b);
    json_decref(report);
}

static void test_load_errors(void **state)
{
    char dir[] = "/tmp/rg-test-report-XXXXXX", path[256];
    struct rg_error err;
    json_t *report = (json_t *)1;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/report.json", dir);
    assert_int_equal(rg_report_load(dir, &report, &err), -1); /* missing */
    assert_null(report);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.msg, "cannot read"));

    rg_test_write(path, "{\n  \"schema\": \"ringgate.report/v1\",\n  \"cells\": [1,,]\n}\n");
    assert_int_equal(rg_report_load(dir, &report, &err), -1);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, 3);
    assert_true(err.col > 0);
    assert_non_null(strstr(err.msg, "not valid JSON"));

    rg_test_write(path, "{\"schema\": \"ringgate.report/v2\", \"scenarios\": [], \"cells\": [], "
                     "\"findings\": []}");
    assert_int_equal(rg_report_load(dir, &report, &err), -1);
    assert_non_null(strstr(err.msg, "not a ringgate.report/v1 report"));

    rg_test_write(path, "{\"schema\": \"ringgate.report/v1\", \"cells\": {}}");
    assert_int_equal(rg_report_load(dir, &report, &err), -1);
    assert_non_null(strstr(err.msg, "must be arrays"));

    rg_test_write(path, "{\"schema\": \"ringgate.report/v1\", \"scenarios\": [], \"cells\": [], "
                     "\"findings\": []}");
    assert_int_equal(rg_report_load(dir, &report, &err), 0);
    json_decref(report);
    unlink(path);
    rmdir(dir);
    /* Not a run folder: the fixtures' parent has no report.json. */
    assert_int_equal(rg_report_load(FIXTURES, &report, &err), -1);
}

static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* A failed write leaves neither a half file nor its temporary behind. */
static void test_atomic_writes(void **state)
{
    char dir[] = "/tmp/rg-test-report-XXXXXX", path[256], *got;
    struct rg_error err;
    json_t *report = load("pass-two-cells");

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/index.html", dir);
    assert_int_equal(rg_report_write_html(report, path, &err), 0);
    got = rg_test_slurp(path, NULL);
    assert_non_null(strstr(got, "id=\"matrix\""));
    free(got);
    assert_int_equal(entries(dir), 1);
    unlink(path);

    assert_int_equal(mkdir(path, 0700), 0); /* rename cannot replace a folder */
    assert_int_equal(rg_report_write_html(report, path, &err), -1);
    assert_string_equal(err.file, path);
    assert_int_equal(entries(dir), 1);
    snprintf(path, sizeof(path), "%s/index.html/sub/junit.xml", dir); /* no such folder */
    assert_int_equal(rg_report_write_junit(report, path, &err), -1);
    assert_string_equal(err.file, path);
    assert_int_equal(entries(dir), 1);

    snprintf(path, sizeof(path), "%s/index.html", dir);
    rmdir(path);
    rmdir(dir);
    json_decref(report);
}

/* The perf fixture draws a plot per metric: the distributions, threshold and estimate. */
static void test_html_plots(void **state)
{
    struct rg_buf b = RG_BUF_INIT;
    json_t *report = load("perf-regression");
    const char *h;

    (void)state;
    rg_report_html(report, &b);
    h = rg_buf_str(&b);
    assert_non_null(strstr(h, "<section id=\"regressions\">"));
    assert_int_equal(count(h, "<svg class=\"plot\""), 3);
    assert_int_equal(count(h, "<circle class=\"dot\""), 30);
    assert_int_equal(count(h, "<circle class=\"dot c\""), 30);
    assert_int_equal(count(h, "class=\"thr\""), 3);
    assert_non_null(strstr(h, "threshold +5.0 %"));
    assert_non_null(strstr(h, "<a href=\"#plot-0-0\">sensor-eval-loop</a>"));
    rg_buf_reset(&b);
    json_decref(report);

    report = load("block-0291-two-cells");
    rg_report_html(report, &b);
    h = rg_buf_str(&b);
    assert_null(strstr(h, "class=\"plot\""));
    assert_non_null(strstr(h, "<header id=\"verdict\" class=\"banner v-block\">"));
    assert_non_null(strstr(h, "<span class=\"hl\">BUG: kernel NULL pointer dereference, "
                              "address: 0000000000000000</span>"));
    assert_non_null(strstr(h, "<a href=\"cells/content-update/tiny-1c-256m/console.log\">"));
    assert_int_equal(count(h, "<td class=\"gc v-block\">"), 2);
    assert_int_equal(count(h, "<details><summary>again: "), 4); /* repeated crashes fold */
    rg_buf_free(&b);
    json_decref(report);
}

/* gate.retries: the earlier attempts shown with their reasons (each distinct one once in the
 * summaries) and their logs; an attempt whose log could not be kept links nothing. */
static void test_retried_attempts(void **state)
{
    json_t *report = load("retried-host");
    struct rg_buf b = RG_BUF_INIT;
    const char *h;

    (void)state;
    assert_int_equal(rg_report_text(report, false, &b), 0);
    assert_non_null(strstr(rg_buf_str(&b), "; retried 2 times (infra: the hypervisor could not "
                                           "start the guest; infra: cannot create the cell's "
                                           "disk overlay)\n"));
    rg_buf_reset(&b);
    assert_int_equal(rg_report_html(report, &b), 0);
    h = rg_buf_str(&b);
    assert_non_null(strstr(h, "3 attempts (gate.retries)"));
    assert_non_null(strstr(h, "(3 attempts)"));
    assert_non_null(strstr(h, "retries 2</td>"));
    assert_int_equal(count(h, "<li>attempt "), 2);
    assert_int_equal(count(h, "console.attempt1.log\">its console log</a>"), 1);
    assert_int_equal(count(h, "its console log"), 2); /* attempt 2's, unlinked */
    assert_non_null(strstr(h, "disk overlay"));
    rg_buf_free(&b);
    json_decref(report);
}

int main(void)
{
#define FIXTURE(name) cmocka_unit_test_prestate(test_fixture, (void *)(name))
    const struct CMUnitTest tests[] = {
        FIXTURE("pass-smoke"),
        FIXTURE("pass-two-cells"),
        FIXTURE("block-0291"),
        FIXTURE("block-0291-two-cells"),
        FIXTURE("inconclusive-infra"),
        FIXTURE("aborted"),
        FIXTURE("perf-regression"),
        FIXTURE("hostile"),
        FIXTURE("retried-host"),
        cmocka_unit_test(test_retried_attempts),
        cmocka_unit_test(test_junit_blocked),
        cmocka_unit_test(test_junit_outcomes),
        cmocka_unit_test(test_hostile_strings),
        cmocka_unit_test(test_clean),
        cmocka_unit_test(test_text_colour),
        cmocka_unit_test(test_markdown_escapes),
        cmocka_unit_test(test_markdown_cap),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_atomic_writes),
        cmocka_unit_test(test_html_plots),
        cmocka_unit_test(test_buf_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
