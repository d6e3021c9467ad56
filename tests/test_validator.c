/* Unit tests for the content validator protocol: accept, reject, crash, timeout, huge output. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "package/validator.h"
#include "testutil.h"
#include "util/clock.h"
#include "util/file.h"

struct fx {
    char dir[64], seen[128];
    struct rg_package *pkg;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    char src[128], path[256], key[128], pub[128], pkg[128];
    const char *keys[1];
    struct rg_error err;
    FILE *fp;

    snprintf(f->dir, sizeof(f->dir), "/tmp/rg-test-validator-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->seen, sizeof(f->seen), "%s/seen", f->dir);
    snprintf(src, sizeof(src), "%s/src/files/channels", f->dir);
    assert_int_equal(rg_mkdir_p(src), 0);
    snprintf(path, sizeof(path), "%s/src/package.json", f->dir);
    rg_test_write(path, "{\"name\": \"sensor-content-0292\", \"kind\": \"content\", "
                        "\"version\": \"0292\", \"target\": {\"sensor\": \"1\"}}");
    snprintf(path, sizeof(path), "%s/291.rgc", src);
    rg_test_write(path, "RGCHANNEL 1\nchannel 291\nversion 0292\ninputs 20\nrule 1 match 1 x\n");
    snprintf(key, sizeof(key), "%s/vendor.pem", f->dir);
    snprintf(pub, sizeof(pub), "%s/vendor.pub", f->dir);
    assert_non_null(k);
    fp = fopen(key, "w");
    assert_true(PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL) == 1);
    fclose(fp);
    fp = fopen(pub, "w");
    assert_true(PEM_write_PUBKEY(fp, k) == 1);
    fclose(fp);
    EVP_PKEY_free(k);
    snprintf(src, sizeof(src), "%s/src", f->dir);
    snprintf(pkg, sizeof(pkg), "%s/a.rgpkg", f->dir);
    assert_int_equal(rg_package_build(src, key, pkg, &err), 0);
    keys[0] = pub;
    assert_int_equal(rg_package_open(pkg, &f->pkg, &err), 0);
    assert_int_equal(rg_package_verify(f->pkg, keys, 1, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    rg_package_free(f->pkg);
    rg_remove_tree(f->dir);
    free(f);
    return 0;
}

/* Runs `sh -c script sh {dir} {package} {version}`. */
static int run_sh(struct fx *f, const char *script, int timeout_s,
                  struct rg_validator_result *res, struct rg_error *err)
{
    const char *argv[] = {"/bin/sh", "-c", script, "sh", "{dir}", "{package}", "{version}",
                          f->seen, NULL};

    return rg_validator_run(f->pkg, argv, timeout_s, res, err);
}

/* The folder the validator saw is gone afterwards. */
static void assert_dir_removed(struct fx *f)
{
    char *seen = rg_test_slurp(f->seen, NULL);
    struct stat st;

    assert_non_null(seen);
    seen[strcspn(seen, "\n")] = '\0';
    assert_non_null(strstr(seen, "ringgate-validator-"));
    assert_int_not_equal(stat(seen, &st), 0);
    free(seen);
}

static void test_accept_sees_the_files(void **state)
{
    struct fx *f = *state;
    struct rg_validator_result res;
    struct rg_error err = {0};
    char want[256];

    assert_int_equal(run_sh(f,
                            "echo \"$1\" >\"$4\"; grep -q '^version 0292' "
                            "\"$1/files/channels/291.rgc\" || exit 2; echo \"fine $3 $2\"",
                            5, &res, &err),
                     0);
    assert_true(res.accepted);
    assert_int_equal(res.nlines, 1);
    snprintf(want, sizeof(want), "fine 0292 %s", f->pkg->path);
    assert_string_equal(res.lines[0], want);
    assert_false(res.truncated);
    rg_validator_result_free(&res);
    assert_dir_removed(f);
}

static void test_reject_lines(void **state)
{
    struct fx *f = *state;
    struct rg_validator_result res;
    struct rg_error err = {0};

    assert_int_equal(run_sh(f,
                            "echo \"$1\" >\"$4\"; printf 'a.rgc:1:1: bad\\n\\n'; "
                            "echo 'b.rgc:2:3: worse' >&2; printf 'c: third'; exit 1",
                            5, &res, &err),
                     0);
    assert_false(res.accepted);
    assert_int_equal(res.nlines, 3);
    assert_string_equal(res.lines[0], "a.rgc:1:1: bad");
    assert_string_equal(res.lines[1], "b.rgc:2:3: worse");
    assert_string_equal(res.lines[2], "c: third");
    rg_validator_result_free(&res);
    assert_dir_removed(f);
}

static void test_crash_is_infrastructure(void **state)
{
    struct fx *f = *state;
    struct rg_validator_result res;
    struct rg_error err = {0};

    assert_int_equal(run_sh(f, "echo \"$1\" >\"$4\"; kill -SEGV $$", 5, &res, &err), -1);
    assert_non_null(strstr(err.msg, "validator '/bin/sh -c"));
    assert_non_null(strstr(err.msg, "killed by signal 11"));
    assert_null(res.lines);
    assert_dir_removed(f);
}

static void test_other_exit_is_infrastructure(void **state)
{
    struct fx *f = *state;
    struct rg_validator_result res;
    struct rg_error err = {0};
    const char *argv[] = {"/nonexistent/validator", "{dir}", NULL};

    assert_int_equal(run_sh(f, "echo \"$1\" >\"$4\"; echo usage; exit 2", 5, &res, &err), -1);
    assert_non_null(strstr(err.msg, "failed with exit 2"));
    assert_non_null(strstr(err.msg, ": usage"));
    assert_dir_removed(f);
    assert_int_equal(rg_validator_run(f->pkg, argv, 5, &res, &err), -1);
    assert_non_null(strstr(err.msg, "validator '/nonexistent/validator {dir}' cannot run"));
}

static void test_timeout_kills_the_group(void **state)
{
    struct fx *f = *state;
    struct rg_validator_result res;
    struct rg_error err = {0};
    double t0 = rg_mono_now();

    /* sleep is a child of sh: only killing the group ends it before its 30 s. */
    assert_int_equal(run_sh(f, "echo \"$1\" >\"$4\"; sleep 30; exit 0", 1, &res, &err), -1);
    assert_non_null(strstr(err.msg, "timed out after 1 s"));
    assert_true(rg_mono_now() - t0 < 20); /* not strict: a loaded machine is slow */
    assert_dir_removed(f);
}

static void test_huge_output_is_capped(void **state)
{
    struct fx *f = *state;
    struct rg_validator_result res;
    struct rg_error err = {0};
    size_t total = 0;

    assert_int_equal(run_sh(f, "echo \"$1\" >\"$4\"; yes | head -c 50000000; exit 1", 60, &res,
                            &err),
                     0);
    assert_false(res.accepted);
    assert_true(res.truncated);
    assert_true(res.nlines > 1000);
    for (size_t i = 0; i < res.nlines; i++)
        total += strlen(res.lines[i]) + 1;
    assert_true(total <= RG_VALIDATOR_MAX_OUTPUT + 1);
    rg_validator_result_free(&res);
    assert_dir_removed(f);
}

static volatile sig_atomic_t caller_saw;

static void caller_handler(int sig)
{
    caller_saw = sig;
}

/* Ctrl-C while the validator runs: it is stopped, its folder removed, and then the caller's
 * own handler gets the signal (run's flag; without one the process would end, clean). */
static void test_interrupt_stops_and_cleans_up(void **state)
{
    struct fx *f = *state;
    struct sigaction sa = {.sa_handler = caller_handler}, old;
    struct rg_validator_result res;
    struct rg_error err = {0};

    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    caller_saw = 0;
    assert_int_equal(run_sh(f, "echo \"$1\" >\"$4\"; kill -INT $PPID; sleep 30", 60, &res, &err),
                     -1);
    sigaction(SIGINT, &old, NULL);
    assert_non_null(strstr(err.msg, "stopped"));
    assert_int_equal(caller_saw, SIGINT);
    assert_dir_removed(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_accept_sees_the_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_stops_and_cleans_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reject_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_is_infrastructure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_exit_is_infrastructure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_kills_the_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_output_is_capped, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
