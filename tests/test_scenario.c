/* Unit tests for the scenario language: values, defaults, paths and error reporting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/scenario.h"
#include "util/stats.h"

static const char full_example[] =
    "name: content-update-smoke\n"
    "description: free text\n"
    "update:\n"
    "  package: ../images/build/updates/sensor-content-0291.rgpkg\n"
    "baseline:\n"
    "  package: ../images/build/updates/sensor-content-0290.rgpkg\n"
    "trust:\n"
    "  keys: [../images/build/keys/vendor.pub]\n"
    "matrix:\n"
    "  image: [tiny]\n"
    "  vcpus: [1, 2]\n"
    "  memory_mib: [256, 512]\n"
    "  exclude:\n"
    "    - {vcpus: 2, memory_mib: 256}\n"
    "  include:\n"
    "    - {image: tiny, vcpus: 4, memory_mib: 1024}\n"
    "boot:\n"
    "  timeout_s: 60\n"
    "  reboots: 3\n"
    "  soak_s: 15\n"
    "checks:\n"
    "  crash: block\n"
    "  warning: warn\n"
    "  boot_loop: block\n"
    "  hang: ignore\n"
    "  performance: {workload: syscall, samples: 10, max_regression_pct: 5, alpha: 0.05}\n"
    "  memory: {max_growth_mib: 32}\n"
    "  stress: {cpu: 1, vm_mib: 64}\n"
    "  rollback: true\n"
    "gate:\n"
    "  fail_fast: false\n"
    "  jobs: 2\n"
    "  retries: 2\n";

static const struct rg_scenario_opts no_files = {.check_files = false};

static int setup(void **state)
{
    (void)state;
    /* Image names are checked against the test catalogue, not the real one. */
    setenv("RINGGATE_CATALOG", "tests/golden/catalog.json", 1);
    return 0;
}

static struct rg_scenario *parse_ok(const char *path, const char *text)
{
    struct rg_errors errs = {0};
    struct rg_scenario *sc = NULL;
    int rc = rg_scenario_parse(path, text, strlen(text), &no_files, &sc, &errs);

    if (rc < 0)
        rg_errors_print(stderr, &errs);
    assert_int_equal(rc, 0);
    assert_int_equal(errs.n, 0);
    rg_errors_free(&errs);
    return sc;
}

static void parse_fails(const char *text, struct rg_errors *errs)
{
    struct rg_scenario *sc = NULL;

    assert_int_equal(rg_scenario_parse("s/x.yaml", text, strlen(text), &no_files, &sc, errs),
                     -1);
    assert_null(sc);
    assert_true(errs->n > 0);
}

static void test_full_example(void **state)
{
    struct rg_scenario *sc = parse_ok("scenarios/x.yaml", full_example);

    (void)state;
    assert_string_equal(sc->name, "content-update-smoke");
    assert_string_equal(sc->description, "free text");
    assert_string_equal(sc->update.package,
                        "scenarios/../images/build/updates/sensor-content-0291.rgpkg");
    assert_int_equal(sc->update.line, 4);
    assert_int_equal(sc->update.col, 12);
    assert_string_equal(sc->baseline.package,
                        "scenarios/../images/build/updates/sensor-content-0290.rgpkg");
    assert_int_equal(sc->ntrust_keys, 1);
    assert_string_equal(sc->trust_keys[0], "scenarios/../images/build/keys/vendor.pub");
    assert_int_equal(sc->ncells, 4);
    assert_string_equal(sc->cells[0].id, "tiny-1c-256m");
    assert_string_equal(sc->cells[1].id, "tiny-1c-512m");
    assert_string_equal(sc->cells[2].id, "tiny-2c-512m");
    assert_string_equal(sc->cells[3].id, "tiny-4c-1024m");
    assert_int_equal(sc->boot.timeout_s, 60);
    assert_int_equal(sc->boot.reboots, 3);
    assert_int_equal(sc->boot.soak_s, 15);
    assert_int_equal(sc->checks.crash, RG_ACTION_BLOCK);
    assert_int_equal(sc->checks.warning, RG_ACTION_WARN);
    assert_int_equal(sc->checks.hang, RG_ACTION_IGNORE);
    assert_true(sc->checks.performance.enabled);
    assert_int_equal(sc->checks.performance.workload, RG_WORKLOAD_SYSCALL);
    assert_int_equal(sc->checks.performance.samples, 10);
    assert_true(sc->checks.performance.alpha > 0.0499 && sc->checks.performance.alpha < 0.0501);
    assert_true(sc->checks.memory.enabled);
    assert_true(sc->checks.memory.max_growth_mib > 31.9);
    assert_true(sc->checks.stress.enabled);
    assert_int_equal(sc->checks.stress.cpu, 1);
    assert_int_equal(sc->checks.stress.vm_mib, 64);
    assert_true(sc->checks.rollback);
    assert_false(sc->gate.fail_fast);
    assert_int_equal(sc->gate.jobs, 2);
    assert_int_equal(sc->gate.retries, 2);
    assert_string_equal(sc->catalog, "tests/golden/catalog.json");
    rg_scenario_free(sc);
}

static void test_defaults_and_scalar_lists(void **state)
{
    struct rg_scenario *sc = parse_ok("x.yaml", "name: d\n"
                                                "update: {package: u.rgpkg}\n"
                                                "trust: {keys: [k.pub]}\n"
                                                "matrix: {image: tiny}\n");

    (void)state;
    assert_string_equal(sc->update.package, "u.rgpkg");
    assert_null(sc->baseline.package);
    assert_int_equal(sc->ncells, 1);
    assert_string_equal(sc->cells[0].id, "tiny-1c-256m");
    assert_int_equal(sc->boot.timeout_s, 60);
    assert_int_equal(sc->boot.reboots, 3);
    assert_int_equal(sc->boot.soak_s, 15);
    assert_int_equal(sc->checks.crash, RG_ACTION_BLOCK);
    assert_int_equal(sc->checks.warning, RG_ACTION_WARN);
    assert_false(sc->checks.performance.enabled);
    assert_false(sc->checks.rollback);
    assert_true(sc->gate.fail_fast);
    assert_int_equal(sc->gate.jobs, 0);
    assert_int_equal(sc->gate.retries, 0);
    rg_scenario_free(sc);
}

static void test_every_error_reported_in_order(void **state)
{
    struct rg_errors errs = {0};

    (void)state;
    parse_fails("name: BAD\n"
                "update: {package: u.rgpkg}\n"
                "trust: {keys: [k.pub]}\n"
                "matrix: {image: [tiny, nope], vcpus: [0]}\n"
                "boot: {reboot: 2}\n",
                &errs);
    assert_int_equal(errs.n, 4);
    assert_int_equal(errs.v[0].line, 1);
    assert_non_null(strstr(errs.v[0].msg, "'name'"));
    assert_int_equal(errs.v[1].line, 4);
    assert_non_null(strstr(errs.v[1].msg, "no image 'nope'"));
    assert_non_null(strstr(errs.v[2].msg, "'matrix.vcpus' must be from 1 to 64"));
    assert_int_equal(errs.v[3].line, 5);
    assert_int_equal(errs.v[3].col, 8);
    assert_string_equal(errs.v[3].msg, "unknown key 'reboot' in 'boot' (did you mean 'reboots'?)");
    assert_string_equal(errs.v[3].file, "s/x.yaml");
    rg_errors_free(&errs);
}

/* A scenario's guest: parsed with positions; its parts override the image's key by key. */
static void test_guest_override(void **state)
{
    struct rg_scenario *sc;
    struct rg_guest img;
    struct rg_guest_contract g;
    struct rg_errors errs = {0};

    (void)state;
    sc = parse_ok("s/g.yaml", "name: g\n"
                              "update: {package: u.rgpkg}\n"
                              "trust: {keys: [k.pub]}\n"
                              "matrix: {image: tiny}\n"
                              "guest:\n"
                              "  ready: {agent: false, command: [/bin/true]}\n"
                              "  install: {timeout_s: 5}\n"
                              "  versions: {content: rules}\n"
                              "  safe_mode: none\n");
    rg_guest_init(&img);
    img.install_timeout_s = 30;
    img.versions_content = strdup("content");
    img.versions_driver = strdup("agent");
    img.safe_mode = strdup("single");
    rg_guest_resolve(&img, &sc->guest, &g);
    assert_false(g.ready_agent);
    assert_string_equal(g.ready_command[0], "/bin/true");
    assert_int_equal(g.install_timeout_s, 5); /* the scenario's */
    assert_string_equal(g.content, "rules");  /* the scenario's */
    assert_string_equal(g.driver, "agent");   /* the image's: key by key */
    assert_null(g.safe_mode);
    assert_string_equal(g.install_command[0], "/usr/sbin/rg-install"); /* the default */
    rg_guest_fini(&img);
    rg_scenario_free(sc);

    parse_fails("name: g\n"
                "update: {package: u.rgpkg}\n"
                "trust: {keys: [k.pub]}\n"
                "matrix: {image: tiny}\n"
                "guest:\n"
                "  ready: {pattern: 'up (?<v>\\S+', agnet: true}\n"
                "  install: {command: rg-install, timeout_s: 0}\n"
                "  version: {}\n",
                &errs);
    assert_int_equal(errs.n, 5);
    assert_int_equal(errs.v[0].line, 6);
    assert_int_equal(errs.v[0].col, 20);
    assert_string_equal(errs.v[0].msg, "'guest.ready.pattern' is not a valid PCRE2 pattern: "
                                       "missing closing parenthesis at offset 11");
    assert_string_equal(errs.v[1].msg,
                        "unknown key 'agnet' in 'guest.ready' (did you mean 'agent'?)");
    assert_int_equal(errs.v[2].line, 7);
    assert_string_equal(errs.v[2].msg, "'guest.install.command' must be a list, not a scalar");
    assert_string_equal(errs.v[3].msg, "'guest.install.timeout_s' must be from 1 to 3600, got 0");
    assert_int_equal(errs.v[4].line, 8);
    assert_string_equal(errs.v[4].msg,
                        "unknown key 'version' in 'guest' (did you mean 'versions'?)");
    rg_errors_free(&errs);
}

static void test_yaml_syntax_error_has_mark(void **state)
{
    struct rg_errors errs = {0};

    (void)state;
    parse_fails("name: x\nmatrix: {image: [tiny}\n", &errs);
    assert_int_equal(errs.n, 1);
    assert_int_equal(errs.v[0].line, 2);
    assert_true(errs.v[0].col > 1);
    assert_non_null(strstr(errs.v[0].msg, "YAML syntax error"));
    rg_errors_free(&errs);
}

static void test_missing_files_are_errors(void **state)
{
    static const char text[] = "name: f\n"
                               "update: {package: /nonexistent/u.rgpkg}\n"
                               "trust: {keys: [/nonexistent/k.pub]}\n"
                               "matrix: {image: tiny}\n";
    const struct rg_scenario_opts files = {.check_files = true};
    struct rg_errors errs = {0};
    struct rg_scenario *sc = NULL;

    (void)state;
    assert_int_equal(rg_scenario_parse("x.yaml", text, strlen(text), &files, &sc, &errs), -1);
    assert_int_equal(errs.n, 2);
    assert_non_null(strstr(errs.v[0].msg, "cannot read '/nonexistent/u.rgpkg'"));
    assert_int_equal(errs.v[1].line, 3);
    rg_errors_free(&errs);
}

static void test_min_samples(void **state)
{
    (void)state;
    /* One-sided exact Mann-Whitney with n = m: smallest p = 1 / C(2n, n). */
    assert_int_equal(rg_stats_mw_min_samples(0.5), 1);  /* 1/2 */
    assert_int_equal(rg_stats_mw_min_samples(0.2), 2);  /* 1/6 */
    assert_int_equal(rg_stats_mw_min_samples(0.05), 3); /* 1/20 */
    assert_int_equal(rg_stats_mw_min_samples(0.01), 5); /* 1/70 > 0.01, 1/252 */
    assert_int_equal(rg_stats_mw_min_samples(0.001), 7);
}

static void test_downgrade_only_for_update(void **state)
{
    struct rg_errors errs = {0};
    struct rg_scenario *sc;

    (void)state;
    sc = parse_ok("x.yaml", "name: d\n"
                            "update: {package: u.rgpkg, allow_downgrade: true}\n"
                            "trust: {keys: [k.pub]}\n"
                            "matrix: {image: tiny}\n");
    assert_true(sc->update.allow_downgrade);
    rg_scenario_free(sc);
    parse_fails("name: d\n"
                "update: {package: u.rgpkg}\n"
                "baseline: {package: b.rgpkg, allow_downgrade: true}\n"
                "trust: {keys: [k.pub]}\n"
                "matrix: {image: tiny}\n",
                &errs);
    assert_int_equal(errs.n, 1);
    assert_non_null(strstr(errs.v[0].msg, "only applies to 'update'"));
    rg_errors_free(&errs);
}

static void test_validator(void **state)
{
    struct rg_errors errs = {0};
    struct rg_scenario *sc;

    (void)state;
    sc = parse_ok("s/x.yaml", "name: d\n"
                              "update:\n"
                              "  package: u.rgpkg\n"
                              "  validator:\n"
                              "    command: [ringgate, validate-channels, --inputs, \"20\", "
                              "\"{dir}\"]\n"
                              "trust: {keys: [k.pub]}\n"
                              "matrix: {image: tiny}\n");
    assert_int_equal(sc->validator.argc, 5);
    assert_string_equal(sc->validator.argv[0], "ringgate");
    assert_string_equal(sc->validator.argv[3], "20");
    assert_string_equal(sc->validator.argv[4], "{dir}");
    assert_null(sc->validator.argv[5]);
    assert_int_equal(sc->validator.timeout_s, RG_VALIDATOR_DEFAULT_TIMEOUT_S);
    assert_int_equal(sc->validator.line, 5);
    rg_scenario_free(sc);
    /* A program named by a relative path lives next to the scenario; PATH names stay. */
    sc = parse_ok("s/x.yaml", "name: d\n"
                              "update: {package: u.rgpkg, validator: {command: [./check.sh, a/b], "
                              "timeout_s: 5}}\n"
                              "trust: {keys: [k.pub]}\n"
                              "matrix: {image: tiny}\n");
    assert_string_equal(sc->validator.argv[0], "s/./check.sh");
    assert_string_equal(sc->validator.argv[1], "a/b");
    assert_int_equal(sc->validator.timeout_s, 5);
    rg_scenario_free(sc);
    /* None named: no validator runs. */
    sc = parse_ok("s/x.yaml", "name: d\nupdate: {package: u.rgpkg}\ntrust: {keys: [k.pub]}\n"
                              "matrix: {image: tiny}\n");
    assert_null(sc->validator.argv);
    rg_scenario_free(sc);
    parse_fails("name: d\n"
                "update: {package: u.rgpkg, validator: {command: [], timeout_s: 0}}\n"
                "baseline: {package: b.rgpkg, validator: {command: [x]}}\n"
                "trust: {keys: [k.pub]}\n"
                "matrix: {image: tiny}\n",
                &errs);
    assert_int_equal(errs.n, 3);
    assert_non_null(strstr(errs.v[0].msg, "is empty"));
    assert_non_null(strstr(errs.v[1].msg, "timeout_s"));
    assert_non_null(strstr(errs.v[2].msg, "only applies to 'update'"));
    rg_errors_free(&errs);
    parse_fails("name: d\n"
                "update: {package: u.rgpkg, validator: {comand: [x], timeout_s: 3601}}\n"
                "trust: {keys: [k.pub]}\n"
                "matrix: {image: tiny}\n",
                &errs);
    assert_int_equal(errs.n, 3);
    assert_non_null(strstr(errs.v[0].msg, "needs a 'command'"));
    assert_non_null(strstr(errs.v[1].msg, "did you mean 'command'"));
    assert_non_null(strstr(errs.v[2].msg, "timeout_s"));
    rg_errors_free(&errs);
}

static void test_deep_nesting_refused(void **state)
{
    char text[512] = "name: x\nmatrix: ";
    struct rg_errors errs = {0};

    (void)state;
    for (int i = 0; i < 40; i++)
        strcat(text, "[");
    parse_fails(text, &errs);
    assert_non_null(strstr(errs.v[0].msg, "nesting deeper"));
    rg_errors_free(&errs);
}

/* gate.retries: an integer from 0 to RG_GATE_RETRIES_MAX; anything else names the field and
 * its line and column. */
static void test_retries_values(void **state)
{
    static const struct {
        const char *value, *msg;
    } bad[] = {
        {"-1", "'gate.retries' must be from 0 to 10, got -1"},
        {"11", "'gate.retries' must be from 0 to 10, got 11"},
        {"1.5", "'gate.retries' must be an integer, got '1.5'"},
        {"two", "'gate.retries' must be an integer, got 'two'"},
        {"\"2\"", "'gate.retries' must be an integer, got the quoted string \"2\" (drop the "
                  "quotes)"},
        {"[1]", "'gate.retries'"},
    };
    const char *head = "name: d\n"
                       "update: {package: u.rgpkg}\n"
                       "trust: {keys: [k.pub]}\n"
                       "matrix: {image: tiny}\n"
                       "gate:\n"
                       "  retries: ";
    char text[512];
    struct rg_scenario *sc;

    (void)state;
    snprintf(text, sizeof(text), "%s10\n", head);
    sc = parse_ok("x.yaml", text);
    assert_int_equal(sc->gate.retries, 10);
    rg_scenario_free(sc);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct rg_errors errs = {0};

        snprintf(text, sizeof(text), "%s%s\n", head, bad[i].value);
        parse_fails(text, &errs);
        assert_int_equal(errs.n, 1);
        assert_string_equal(errs.v[0].file, "s/x.yaml");
        assert_int_equal(errs.v[0].line, 6);
        assert_int_equal(errs.v[0].col, 12);
        assert_non_null(strstr(errs.v[0].msg, bad[i].msg));
        rg_errors_free(&errs);
    }
}

/* The jobs default is decided in one place: -j, else gate.jobs, else the core count. */
static void test_jobs_default(void **state)
{
    struct rg_scenario *sc = parse_ok("s/x.yaml", full_example);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    (void)state;
    assert_int_equal(rg_scenario_jobs(sc, 5), 5);
    assert_int_equal(rg_scenario_jobs(sc, 0), 2);
    sc->gate.jobs = 0;
    assert_int_equal(rg_scenario_jobs(sc, 0), cores > 0 ? (int)cores : 1);
    assert_int_equal(rg_scenario_jobs(sc, 1), 1);
    rg_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_example),
        cmocka_unit_test(test_defaults_and_scalar_lists),
        cmocka_unit_test(test_every_error_reported_in_order),
        cmocka_unit_test(test_yaml_syntax_error_has_mark),
        cmocka_unit_test(test_missing_files_are_errors),
        cmocka_unit_test(test_min_samples),
        cmocka_unit_test(test_downgrade_only_for_update),
        cmocka_unit_test(test_validator),
        cmocka_unit_test(test_deep_nesting_refused),
        cmocka_unit_test(test_jobs_default),
        cmocka_unit_test(test_retries_values),
        cmocka_unit_test(test_guest_override),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
