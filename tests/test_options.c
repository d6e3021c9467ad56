/* Unit tests for option tables: parsing (getopt's rules, values, ranges, lists, required
 * options and operands, --help) and the usage lines and help drawn from a table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/options.h"

struct args {
    bool json, quiet;
    int jobs, mode, fail_fast;
    const char *out, *cell;
    struct rg_opt_list keys;
};

#define AT(field) offsetof(struct args, field)

static const struct rg_opt_choice modes[] = {
    {"auto", 0, NULL}, {"kvm", 2, NULL}, {"tcg", 1, NULL}, {NULL, 0, NULL}};

static const struct rg_option table[] = {
    RG_OPT_REQ_STRING(0, "cell", AT(cell), "ID", "the cell"),
    RG_OPT_BOOL(0, "json", AT(json), "print JSON"),
    RG_OPT_INT('j', "jobs", AT(jobs), "N", 1, 256, "-j takes a number from 1 to 256",
               "cells in parallel"),
    RG_OPT_SET(0, "fail-fast", AT(fail_fast), 1, "stop at the first block"),
    RG_OPT_OR_SET(0, "no-fail-fast", AT(fail_fast), 0, "run every cell"),
    RG_OPT_CHOICE(0, "accel", AT(mode), "MODE", modes, "--accel takes auto, kvm or tcg",
                  "auto, kvm or tcg"),
    RG_OPT_STRING('o', "output", AT(out), "DIR", "where reports go"),
    {.type = RG_OPTION_LIST, .short_name = 'k', .long_name = "key", .offset = AT(keys),
     .arg = "KEY", .bad = "at most 2 keys", .help = "a key to trust"},
    RG_OPT_BOOL('q', "quiet", AT(quiet), "print only the verdict"),
};

static const struct rg_opt_spec spec = {
    .name = "try", .usage = "RUN_DIR", RG_OPTIONS(table), .min_args = 1, .max_args = 1,
    .args_error = "give one RUN_DIR and --cell ID"};

/* Parses the words (argv[0] "try") into *a, a fresh struct with fail_fast -1 and room for two
 * keys; returns what rg_options_parse returned, the first operand in *first. */
static int parse(const struct rg_opt_spec *s, struct args *a, int *first, struct rg_error *err,
                 ...)
{
    static const char *keys[2];
    char *argv[32] = {"try"};
    int argc = 1;
    va_list ap;

    *a = (struct args){.fail_fast = -1, .keys = {keys, 0, 2}};
    va_start(ap, err);
    for (char *w; (w = va_arg(ap, char *));)
        argv[argc++] = w;
    va_end(ap);
    err->msg[0] = '\0';
    return rg_options_parse(s, argc, argv, a, first, err);
}

static void test_values(void **state)
{
    struct rg_error err;
    struct args a;
    int first;

    (void)state;
    /* Operands before options, --opt=value, -jN, abbreviations, a list, --: all getopt's. */
    assert_int_equal(parse(&spec, &a, &first, &err, "run-1", "--cell=tiny", "-j3", "--js",
                           "--no-f", "-k", "a.pub", "--key", "b.pub", "--acc", "kvm", "-qo",
                           "out", "--", "--not-an-option", NULL),
                     -1); /* two operands: run-1 and --not-an-option */
    assert_string_equal(err.msg, "give one RUN_DIR and --cell ID");
    assert_int_equal(parse(&spec, &a, &first, &err, "run-1", "--cell=tiny", "-j3", "--js",
                           "--no-f", "-k", "a.pub", "--key", "b.pub", "--acc", "kvm", "-qo",
                           "out", NULL),
                     0);
    assert_int_equal(first, 13); /* getopt moved the operand behind the options */
    assert_string_equal(a.cell, "tiny");
    assert_int_equal(a.jobs, 3);
    assert_true(a.json);
    assert_int_equal(a.fail_fast, 0);
    assert_int_equal(a.keys.n, 2);
    assert_string_equal(a.keys.v[1], "b.pub");
    assert_int_equal(a.mode, 2);
    assert_true(a.quiet);
    assert_string_equal(a.out, "out");
    assert_int_equal(parse(&spec, &a, &first, &err, "--fail-fast", "--cell", "c", "r", NULL), 0);
    assert_int_equal(a.fail_fast, 1);
    assert_int_equal(a.jobs, 0); /* untouched when not given */
}

static void test_refused_values(void **state)
{
    static const char *const bad_jobs[] = {"0", "257", "abc", "", "4x", "99999999999999999999"};
    struct rg_error err;
    struct args a;
    int first;

    (void)state;
    for (size_t i = 0; i < sizeof(bad_jobs) / sizeof(bad_jobs[0]); i++) {
        assert_int_equal(parse(&spec, &a, &first, &err, "-j", bad_jobs[i], "r", NULL), -1);
        assert_string_equal(err.msg, "-j takes a number from 1 to 256");
    }
    assert_int_equal(parse(&spec, &a, &first, &err, "-j", "256", "--cell", "c", "r", NULL), 0);
    assert_int_equal(a.jobs, 256);
    assert_int_equal(parse(&spec, &a, &first, &err, "--accel", "xen", "r", NULL), -1);
    assert_string_equal(err.msg, "--accel takes auto, kvm or tcg");
    assert_int_equal(parse(&spec, &a, &first, &err, "-k1", "-k2", "-k3", "r", NULL), -1);
    assert_string_equal(err.msg, "at most 2 keys");
    /* What getopt refuses: it says why on stderr, the parse says "unknown option". */
    assert_int_equal(parse(&spec, &a, &first, &err, "--bogus", "r", NULL), -1);
    assert_string_equal(err.msg, "unknown option");
    assert_int_equal(parse(&spec, &a, &first, &err, "r", "-j", NULL), -1);
    assert_string_equal(err.msg, "unknown option");
    assert_int_equal(parse(&spec, &a, &first, &err, "--no", "--cell", "c", "r", NULL), 0);
    assert_int_equal(a.fail_fast, 0); /* --no: the one option it abbreviates */
}

static void test_operands_and_required(void **state)
{
    struct rg_error err;
    struct args a;
    int first;

    (void)state;
    assert_int_equal(parse(&spec, &a, &first, &err, "r", NULL), -1); /* no --cell */
    assert_string_equal(err.msg, "give one RUN_DIR and --cell ID");
    assert_int_equal(parse(&spec, &a, &first, &err, "--cell", "c", NULL), -1);
    assert_int_equal(parse(&spec, &a, &first, &err, "--cell", "c", "r", "s", NULL), -1);
    assert_int_equal(parse(&spec, &a, &first, &err, "--cell", "c", "r", NULL), 0);
    assert_int_equal(first, 3);
}

static void test_help(void **state)
{
    struct rg_opt_spec quiet = spec;
    struct rg_error err;
    struct args a;
    int first;

    (void)state;
    assert_int_equal(parse(&spec, &a, &first, &err, "--help", "-j", "0", NULL), RG_OPTIONS_HELP);
    assert_int_equal(parse(&spec, &a, &first, &err, "-h", NULL), RG_OPTIONS_HELP);
    assert_int_equal(parse(&spec, &a, &first, &err, "--he", NULL), RG_OPTIONS_HELP);
    /* Options before it are parsed first: an error there wins. */
    assert_int_equal(parse(&spec, &a, &first, &err, "-j", "0", "--help", NULL), -1);
    quiet.no_help = true;
    assert_int_equal(parse(&quiet, &a, &first, &err, "--help", NULL), -1);
    assert_string_equal(err.msg, "unknown option");
}

/* A spec without options reads every word as an operand, "--help" too. */
static void test_no_options(void **state)
{
    static const struct rg_opt_spec words = {
        .name = "help", .max_args = 1, .args_error = "expected at most one command name"};
    struct rg_error err;
    struct args a;
    int first;

    (void)state;
    assert_int_equal(parse(&words, &a, &first, &err, "--help", NULL), 0);
    assert_int_equal(first, 1);
    assert_int_equal(parse(&words, &a, &first, &err, "-x", "y", NULL), -1);
    assert_string_equal(err.msg, "expected at most one command name");
}

static void test_usage_lines(void **state)
{
    static const struct rg_option t[] = {
        {.type = RG_OPTION_STRING, .short_name = 'k', .long_name = "key", .arg = "KEY",
         .required = RG_OPT_LINE(0) | RG_OPT_LINE(1)},
        {.type = RG_OPTION_STRING, .short_name = 'o', .long_name = "output", .arg = "FILE",
         .lines = RG_OPT_LINE(0), .required = RG_OPT_LINE(0)},
        {.type = RG_OPTION_BOOL, .long_name = "allow-downgrade", .lines = RG_OPT_LINE(1)},
        {.type = RG_OPTION_CHOICE, .short_name = 'f', .long_name = "format", .choices = modes,
         .lines = RG_OPT_LINE(1)},
        {.type = RG_OPTION_BOOL, .short_name = 'q', .long_name = "quiet"},
        RG_OPT_OR_BOOL('v', "verbose", 0, NULL),
        RG_OPT_OR_BOOL(0, "json-events", 0, NULL),
        {.type = RG_OPTION_STRING, .long_name = "a-rather-long-option-name", .arg = "WITH-ARG",
         .lines = RG_OPT_LINE(1)},
    };
    static const struct rg_opt_spec s = {
        .name = "package", .usage = "build DIR\nverify PKG\nshow PKG", RG_OPTIONS(t)};
    struct rg_buf b = RG_BUF_INIT;

    (void)state;
    rg_options_usage(&b, "ringgate", &s);
    assert_string_equal(
        rg_buf_str(&b),
        "usage: ringgate package build DIR -k KEY -o FILE [-q | -v | --json-events]\n"
        "       ringgate package verify PKG -k KEY [--allow-downgrade] [-f auto|kvm|tcg]\n"
        "                        [-q | -v | --json-events]\n"
        "                        [--a-rather-long-option-name WITH-ARG]\n"
        "       ringgate package show PKG [-k KEY] [-q | -v | --json-events]\n");
    rg_buf_free(&b);
}

static void test_help_text(void **state)
{
    static const struct rg_opt_choice formats[] = {
        {"text", 0, "the summary"}, {"json", 1, "report.json, pretty-printed"}, {NULL, 0, NULL}};
    static const struct rg_option t[] = {
        RG_OPT_CHOICE('f', "format", 0, NULL, formats, "bad", NULL),
        RG_OPT_STRING(0, "connect", 0, "URI",
                      "libvirt URI (default: the embedded driver, "
                      "qemu:///embed?root=<state dir>/libvirt, no daemon needed)"),
        RG_OPT_BOOL(0, "a-flag-wider-than-the-column", 0, "alone on its line"),
    };
    static const struct rg_opt_spec s = {.name = "report", .usage = "RUN_DIR", RG_OPTIONS(t),
                                         .about = "Regenerates a report.", .more = "Exit: 0.\n"};
    struct rg_buf b = RG_BUF_INIT;

    (void)state;
    rg_options_help(&b, "ringgate", &s);
    assert_string_equal(rg_buf_str(&b),
                        "usage: ringgate report RUN_DIR [-f text|json] [--connect URI]\n"
                        "                       [--a-flag-wider-than-the-column]\n"
                        "\n"
                        "Regenerates a report.\n"
                        "\n"
                        "  -f, --format text     the summary\n"
                        "  -f, --format json     report.json, pretty-printed\n"
                        "  --connect URI         libvirt URI (default: the embedded driver,\n"
                        "                        qemu:///embed?root=<state dir>/libvirt, no "
                        "daemon\n"
                        "                        needed)\n"
                        "  --a-flag-wider-than-the-column\n"
                        "                        alone on its line\n"
                        "\n"
                        "Exit: 0.\n");
    rg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_refused_values),
        cmocka_unit_test(test_operands_and_required),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_no_options),
        cmocka_unit_test(test_usage_lines),
        cmocka_unit_test(test_help_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
