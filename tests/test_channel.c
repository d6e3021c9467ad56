/* Unit tests for the channel file validator: the check that refuses Channel File 291. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "package/channel.h"
#include "testutil.h"
#include "util/file.h"

static int validate(const char *text, struct rg_channel_info *info, struct rg_errors *errs)
{
    return rg_channel_validate("c.rgc", text, strlen(text), 20, info, errs);
}

static void test_good_channel(void **state)
{
    struct rg_channel_info info;
    struct rg_errors errs = {0};

    (void)state;
    assert_int_equal(validate("RGCHANNEL 1\n# comment\n\nchannel 291\nversion 0292\ninputs 20\n"
                              "rule 1 match 1,2,20 cmd\nrule 2 delay 2 40\nrule 3 leak 1 512\n"
                              "rule 4 warn 3\n",
                              &info, &errs),
                     0);
    assert_int_equal(errs.n, 0);
    assert_int_equal(info.channel, 291);
    assert_string_equal(info.version, "0292");
    assert_int_equal(info.nrules, 4);
    assert_int_equal(info.nmatch, 1);
    assert_int_equal(info.ndelay, 1);
    assert_int_equal(info.nleak, 1);
    assert_int_equal(info.nwarn, 1);
    assert_int_equal(info.max_field, 20);
}

static void test_field_21_is_refused(void **state)
{
    struct rg_channel_info info;
    struct rg_errors errs = {0};

    (void)state;
    assert_int_equal(validate("RGCHANNEL 1\nchannel 291\nversion 0291\ninputs 21\n"
                              "rule 1 match 1 x\nrule 4 match 1,2,21 pipe\n",
                              &info, &errs),
                     -1);
    assert_int_equal(errs.n, 2);
    assert_int_equal(errs.v[0].line, 4);
    assert_non_null(strstr(errs.v[0].msg, "expects 21 inputs but the sensor supplies 20"));
    assert_int_equal(errs.v[1].line, 6);
    assert_int_equal(errs.v[1].col, 18);
    assert_non_null(strstr(errs.v[1].msg, "rule 4 reads input field 21"));
    assert_int_equal(info.max_field, 21);
    rg_errors_free(&errs);
}

static void test_every_error_reported(void **state)
{
    struct rg_errors errs = {0};

    (void)state;
    assert_int_equal(validate("RGCHANNEL 1\nchannel 0\nrule 1 jump 1 x\nrule 1 match 0,a\n"
                              "rule 2 delay 1 9999999\nbogus line\n",
                              NULL, &errs),
                     -1);
    /* channel 0, unknown op, duplicate id, field 0, field 'a', match without pattern, delay
     * out of range, unknown keyword, no version, no inputs */
    assert_int_equal(errs.n, 10);
    assert_string_equal(errs.v[0].file, "c.rgc");
    rg_errors_free(&errs);
}

static void test_not_a_channel_file(void **state)
{
    struct rg_errors errs = {0};

    (void)state;
    assert_int_equal(validate("#!/bin/sh\nrm -rf /\n", NULL, &errs), -1);
    assert_int_equal(errs.n, 1);
    assert_non_null(strstr(errs.v[0].msg, "RGCHANNEL 1"));
    rg_errors_free(&errs);
    assert_int_equal(validate("", NULL, &errs), -1);
    rg_errors_free(&errs);
    assert_int_equal(rg_channel_validate("n.rgc", "RGCHANNEL 1\n\0x", 14, 20, NULL, &errs), -1);
    assert_non_null(strstr(errs.v[0].msg, "NUL"));
    rg_errors_free(&errs);
}

/* validate-channels' entry point: names relative to the folder, as in the package. */
static void test_dir(void **state)
{
    char dir[] = "/tmp/rg-test-channel-XXXXXX", path[256];
    struct rg_errors errs = {0};

    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(rg_channel_validate_dir(dir, 20, NULL, &errs), -1);
    assert_int_equal(errs.n, 1);
    assert_non_null(strstr(errs.v[0].msg, "carries no channel file"));
    rg_errors_free(&errs);
    snprintf(path, sizeof(path), "%s/files/channels", dir);
    assert_int_equal(rg_mkdir_p(path), 0);
    snprintf(path, sizeof(path), "%s/files/channels/291.rgc", dir);
    rg_test_write(path, "RGCHANNEL 1\nchannel 291\nversion 9999\ninputs 20\nrule 1 match 1 x\n");
    assert_int_equal(rg_channel_validate_dir(dir, 20, NULL, &errs), 0);
    assert_int_equal(rg_channel_validate_dir(dir, 20, "0293", &errs), -1);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.v[0].file, "files/channels/291.rgc");
    assert_int_equal(errs.v[0].line, 3);
    assert_non_null(strstr(errs.v[0].msg, "version 9999 is not the package's version 0293"));
    rg_errors_free(&errs);
    snprintf(path, sizeof(path), "%s/files/channels/292.rgc", dir);
    rg_test_write(path, "RGCHANNEL 1\nchannel 292\nversion 9999\ninputs 20\nrule 1 match 21 x\n");
    assert_int_equal(rg_channel_validate_dir(dir, 20, NULL, &errs), -1);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.v[0].file, "files/channels/292.rgc");
    assert_non_null(strstr(errs.v[0].msg, "field 21"));
    rg_errors_free(&errs);
    rg_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_channel),
        cmocka_unit_test(test_field_21_is_refused),
        cmocka_unit_test(test_every_error_reported),
        cmocka_unit_test(test_not_a_channel_file),
        cmocka_unit_test(test_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
