/* Unit tests for the guest contract: defaults, the scenario-over-image precedence, the ready
 * pattern's named groups and the versions command's name=value lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/guest.h"

static char **words(const char *a, const char *b)
{
    const char *w[] = {a, b};
    return rg_guest_argv_new(w, b ? 2 : 1);
}

static void set_pattern(struct rg_guest *g, const char *pattern)
{
    char msg[256];
    size_t off;

    g->ready_pattern = strdup(pattern);
    assert_int_equal(rg_guest_regex_compile(pattern, &g->ready_re, msg, sizeof(msg), &off), 0);
}

static void test_defaults_are_the_sample_sensor(void **state)
{
    struct rg_guest_contract g;
    struct rg_ready_info r;

    (void)state;
    rg_guest_resolve(NULL, NULL, &g);
    assert_true(g.ready_agent);
    assert_null(g.ready_command);
    assert_string_equal(g.install_command[0], "/usr/sbin/rg-install");
    assert_string_equal(g.install_command[1], "{package}");
    assert_null(g.install_command[2]);
    assert_int_equal(g.install_timeout_s, 60);
    assert_null(g.record_re);
    assert_null(g.versions_command);
    assert_string_equal(g.driver, "sensor");
    assert_string_equal(g.content, "content");
    assert_string_equal(g.safe_mode, "ringgate.safe=1");
    assert_true(rg_guest_ready_match(
        &g, "[    2.1] RINGGATE-READY boot=3 sensor=1.0.0 content=0290 safe=1 uptime=2.41", &r));
    assert_int_equal(r.boot, 3);
    assert_true(r.safe);
    assert_true(r.uptime > 2.40 && r.uptime < 2.42);
    /* Versions in the pattern's order, not the name table's (alphabetical) one. */
    assert_int_equal(r.nv, 2);
    assert_string_equal(r.v[0].name, "sensor");
    assert_string_equal(r.v[0].value, "1.0.0");
    assert_string_equal(r.v[1].name, "content");
    assert_false(rg_ready_parse("RINGGATE-READY boot=x", &r));
}

/* Scenario over image over default, key by key within a part. */
static void test_precedence(void **state)
{
    struct rg_guest img, sc;
    struct rg_guest_contract g;

    (void)state;
    rg_guest_init(&img);
    rg_guest_init(&sc);
    set_pattern(&img, "image-up v=(?<v>\\S+)");
    img.ready_agent = RG_GUEST_AGENT_NO;
    img.install_command = words("/bin/img-install", "{package}");
    img.install_timeout_s = 30;
    img.versions_driver = strdup("v");
    img.safe_mode = strdup("none");
    sc.install_timeout_s = 90;
    sc.versions_content = strdup("rules");
    sc.safe_mode = strdup("single");
    rg_guest_resolve(&img, &sc, &g);
    assert_string_equal(g.ready_pattern, "image-up v=(?<v>\\S+)");
    assert_false(g.ready_agent);                                   /* the image's */
    assert_string_equal(g.install_command[0], "/bin/img-install"); /* the image's */
    assert_int_equal(g.install_timeout_s, 90);                     /* the scenario's */
    assert_string_equal(g.driver, "v");
    assert_string_equal(g.content, "rules");
    assert_string_equal(g.safe_mode, "single");
    /* none, from either layer, means no safe mode. */
    rg_guest_resolve(&img, NULL, &g);
    assert_null(g.safe_mode);
    sc.ready_agent = RG_GUEST_AGENT_YES;
    set_pattern(&sc, "scenario-up");
    rg_guest_resolve(&img, &sc, &g);
    assert_true(g.ready_agent);
    assert_string_equal(g.ready_pattern, "scenario-up");
    rg_guest_fini(&img);
    rg_guest_fini(&sc);
}

/* The second product: no boot, safe or uptime groups; its versions tool overrides. */
static void test_other_product_and_versions_merge(void **state)
{
    struct rg_guest img;
    struct rg_guest_contract g;
    struct rg_ready_info r;
    char s[128];

    (void)state;
    rg_guest_init(&img);
    set_pattern(&img, "rg-other\\[\\d+\\]: started version=(?<agent>\\S+)");
    rg_guest_resolve(&img, NULL, &g);
    assert_false(rg_guest_ready_match(&g, "RINGGATE-READY boot=1 sensor=1 content=2 safe=0 "
                                          "uptime=1", &r));
    assert_true(rg_guest_ready_match(&g, "rg-other[42]: started version=2.0.1", &r));
    assert_false(r.has_boot || r.has_safe || r.has_uptime);
    assert_string_equal(rg_ready_version(&r, "agent"), "2.0.1");
    rg_guest_versions_merge(&r, "agent=2.0.2\r\nrules=77\nnoise\nboot=9\n=x\n");
    assert_string_equal(rg_ready_version(&r, "agent"), "2.0.2");
    assert_string_equal(rg_ready_version(&r, "rules"), "77");
    assert_null(rg_ready_version(&r, "boot"));
    assert_null(rg_ready_version(&r, "noise"));
    rg_ready_versions_str(&r, s, sizeof(s));
    assert_string_equal(s, "agent=2.0.2 rules=77");
    rg_guest_fini(&img);
}

static void test_bad_pattern_says_where(void **state)
{
    struct rg_guest_regex *re = NULL;
    char msg[256];
    size_t off = 0;

    (void)state;
    assert_int_equal(rg_guest_regex_compile("ready (?<v>\\S+", &re, msg, sizeof(msg), &off), -1);
    assert_null(re);
    assert_int_equal(off, 14);
    assert_non_null(strstr(msg, "missing closing parenthesis"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_the_sample_sensor),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_other_product_and_versions_merge),
        cmocka_unit_test(test_bad_pattern_says_where),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
