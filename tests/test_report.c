/* Unit tests for the report formats: JUnit and text regenerated from fixed report.json files
 * (tests/golden/reports/<name>/) against golden outputs; JUnit validated with xmllint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "report.h"

#define FIXTURES "tests/golden/reports"
#define XSD "../shared/junit/JUnit.xsd"

static void golden(const char *path, const char *got)
{
    char *want;

    if (getenv("RG_UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(got, f);
        fclose(f);
    }
    want = rg_test_slurp(path, NULL);
    if (!want)
        fail_msg("%s is missing (RG_UPDATE_GOLDEN=1 writes it; review it)", path);
    if (strcmp(want, got) != 0)
        fail_msg("%s differs:\n--- expected\n%s\n--- got\n%s", path, want, got);
    free(want);
}

static void check_fixture(const char *name)
{
    char dir[256], path[512], junit[] = "/tmp/rg-test-junit-XXXXXX";
    struct rg_buf text = RG_BUF_INIT;
    struct rg_error err;
    json_t *report;
    char *xml;
    int fd = mkstemp(junit);

    assert_true(fd >= 0);
    close(fd);
    snprintf(dir, sizeof(dir), "%s/%s", FIXTURES, name);
    if (rg_report_load(dir, &report, &err) < 0)
        fail_msg("%s: %s", dir, err.msg);
    rg_report_text(report, false, &text);
    snprintf(path, sizeof(path), "%s/summary.txt", dir);
    golden(path, rg_buf_str(&text));
    assert_int_equal(rg_report_write_junit(report, junit, &err), 0);
    xml = rg_test_slurp(junit, NULL);
    snprintf(path, sizeof(path), "%s/junit.xml", dir);
    golden(path, xml);
    if (access(XSD, R_OK) == 0) {
        char cmd[1024];
        snprintf(cmd, sizeof(cmd), "xmllint --noout --schema %s %s 2>&1", XSD, junit);
        assert_int_equal(system(cmd), 0);
    } else {
        print_message("SKIPPED: JUnit schema validation (%s is absent)\n", XSD);
    }
    free(xml);
    unlink(junit);
    rg_buf_free(&text);
    json_decref(report);
}

static void test_blocked_run(void **state)
{
    (void)state;
    check_fixture("block-0291");
}

static void test_passing_run(void **state)
{
    (void)state;
    check_fixture("pass-smoke");
}

static void test_hostile_strings(void **state)
{
    char *xml;
    struct rg_error err;
    json_t *report;
    char junit[] = "/tmp/rg-test-junit-XXXXXX";
    int fd = mkstemp(junit);

    (void)state;
    close(fd);
    check_fixture("hostile");
    assert_int_equal(rg_report_load(FIXTURES "/hostile", &report, &err), 0);
    assert_int_equal(rg_report_write_junit(report, junit, &err), 0);
    xml = rg_test_slurp(junit, NULL);
    assert_null(strstr(xml, "<script>"));
    assert_non_null(strstr(xml, "&lt;script&gt;"));
    assert_null(strchr(xml, '\x07'));
    free(xml);
    unlink(junit);
    json_decref(report);
}

static void test_utf8_cleaning(void **state)
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

static void test_refuses_other_files(void **state)
{
    struct rg_error err;
    json_t *report;

    (void)state;
    assert_int_equal(rg_report_load("tests/golden", &report, &err), -1);
    assert_int_equal(rg_report_load(FIXTURES, &report, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocked_run),      cmocka_unit_test(test_passing_run),
        cmocka_unit_test(test_hostile_strings),  cmocka_unit_test(test_utf8_cleaning),
        cmocka_unit_test(test_refuses_other_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
