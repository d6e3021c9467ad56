/* Unit tests for gate attestations: DSSE's PAE, a signed round trip, and every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "engine/run.h"
#include "engine/runstate.h"
#include "report/attest.h"
#include "report/publish.h"
#include "report/report.h"
#include "testutil.h"
#include "util/file.h"

struct fx {
    char dir[128], key[200], pub[200], foreign[200], pkg[200], other[200], file[200];
    struct rg_scenario sc;
    struct rg_cell_result cells[2];
    struct rg_run run;
};

static void make_key(const char *priv, const char *pub)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    FILE *f;

    assert_non_null(k);
    if (priv) {
        f = fopen(priv, "w");
        assert_true(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1);
        fclose(f);
    }
    f = fopen(pub, "w");
    assert_true(PEM_write_PUBKEY(f, k) == 1);
    fclose(f);
    EVP_PKEY_free(k);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct rg_run_scenario *rs;

    snprintf(f->dir, sizeof(f->dir), "/tmp/rg-test-attest-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->key, sizeof(f->key), "%s/gate.pem", f->dir);
    snprintf(f->pub, sizeof(f->pub), "%s/gate.pub", f->dir);
    snprintf(f->foreign, sizeof(f->foreign), "%s/foreign.pub", f->dir);
    snprintf(f->pkg, sizeof(f->pkg), "%s/sensor-content-0292.rgpkg", f->dir);
    snprintf(f->other, sizeof(f->other), "%s/sensor-content-0291.rgpkg", f->dir);
    snprintf(f->file, sizeof(f->file), "%s/attestation.json", f->dir);
    make_key(f->key, f->pub);
    make_key(NULL, f->foreign);
    rg_test_write(f->pkg, "the package's bytes");
    rg_test_write(f->other, "other bytes");
    /* A run, as rg_run_execute leaves it: one scenario, two cells. */
    f->sc.name = "content-update";
    f->sc.path = "scenarios/content-update.yaml";
    f->run.scenarios = calloc(1, sizeof(*f->run.scenarios));
    f->run.nscenarios = 1;
    rs = &f->run.scenarios[0];
    rs->sc = &f->sc;
    snprintf(rs->sha256, sizeof(rs->sha256), "%064d", 7);
    rs->update.present = true;
    snprintf(rs->update.name, sizeof(rs->update.name), "sensor-content-0292");
    assert_int_equal(rg_sha256_file(f->pkg, rs->update.sha256, NULL), 0);
    rs->update.path = f->pkg;
    snprintf(f->run.run_id, sizeof(f->run.run_id), "20261124-050000-abcd");
    snprintf(f->run.dir, sizeof(f->run.dir), "%s", f->dir);
    f->run.started_at = 1795000000;
    f->run.finished_at = 1795000090;
    f->run.cells = f->cells;
    f->run.ncells = 2;
    snprintf(f->cells[0].scenario, sizeof(f->cells[0].scenario), "content-update");
    snprintf(f->cells[0].cell.id, sizeof(f->cells[0].cell.id), "tiny-1c-256m");
    f->cells[1] = f->cells[0];
    snprintf(f->cells[1].cell.id, sizeof(f->cells[1].cell.id), "tiny-2c-256m");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    free(f->run.scenarios);
    rg_remove_tree(f->dir);
    free(f);
    return 0;
}

/* The run's report.json, as rg_publish writes it, and attested from there. */
static int attest_run(struct fx *f, const char *key, struct rg_error *err)
{
    char path[300];
    json_t *report = NULL;
    int rc;

    snprintf(path, sizeof(path), "%s/report.json", f->dir);
    if (rg_report_write_json(&f->run, path, err) < 0 || rg_report_load(f->dir, &report, err) < 0)
        fail_msg("report: %s", err->msg);
    rc = rg_attest_write(report, f->dir, key, f->file, err);
    json_decref(report);
    return rc;
}

static void attest(struct fx *f, enum rg_verdict v)
{
    struct rg_error err = {0};

    f->run.verdict = v;
    f->run.exit_code = v == RG_VERDICT_PASS ? 0 : 1;
    for (size_t i = 0; i < f->run.ncells; i++)
        f->cells[i].verdict = v;
    if (attest_run(f, f->key, &err) != 0)
        fail_msg("attest: %s", err.msg);
}

static enum rg_attest_result check(struct fx *f, const char *pub, const char *pkg,
                                   struct rg_error *err)
{
    struct rg_attest_info info;

    memset(err, 0, sizeof(*err));
    return rg_attest_verify(f->file, pub, pkg, &info, err);
}

static void test_pae(void **state)
{
    struct rg_buf b = RG_BUF_INIT;

    (void)state;
    /* The example of the DSSE specification. */
    rg_attest_pae("http://example.com/HelloWorld", "hello world", 11, &b);
    assert_string_equal(rg_buf_str(&b), "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
    rg_buf_reset(&b);
    rg_attest_pae("t", "", 0, &b);
    assert_string_equal(rg_buf_str(&b), "DSSEv1 1 t 0 ");
    rg_buf_free(&b);
}

static void test_round_trip(void **state)
{
    struct fx *f = *state;
    struct rg_attest_info info;
    struct rg_error err = {0};
    struct rg_buf shown = RG_BUF_INIT;
    char want_id[RG_KEY_ID_HEX];

    attest(f, RG_VERDICT_PASS);
    assert_int_equal(rg_attest_verify(f->file, f->pub, f->pkg, &info, &err), RG_ATTEST_PASSED);
    assert_string_equal(info.result, "PASSED");
    assert_string_equal(info.subject, "sensor-content-0292.rgpkg");
    assert_string_equal(info.run_id, "20261124-050000-abcd");
    assert_string_equal(info.scenario, "content-update");
    assert_int_equal(rg_key_id(f->pub, want_id, NULL), 0);
    assert_string_equal(info.key_id, want_id);
    /* The statement: in-toto v1, the test-result predicate, the cells by outcome. */
    assert_int_equal(rg_attest_show(f->file, &shown, &err), 0);
    assert_non_null(strstr(rg_buf_str(&shown), "\"_type\": \"https://in-toto.io/Statement/v1\""));
    assert_non_null(strstr(rg_buf_str(&shown),
                           "\"predicateType\": \"https://in-toto.io/attestation/test-result/v0.1\""));
    assert_non_null(strstr(rg_buf_str(&shown), "content-update/tiny-2c-256m"));
    assert_non_null(strstr(rg_buf_str(&shown), "\"finished_at\": \"2026-11-18T11:08:10"));
    rg_buf_free(&shown);
}

static void test_refusals(void **state)
{
    struct fx *f = *state;
    struct rg_error err;

    attest(f, RG_VERDICT_PASS);
    assert_int_equal(check(f, f->foreign, f->pkg, &err), RG_ATTEST_INVALID);
    assert_non_null(strstr(err.msg, "bad signature"));
    assert_int_equal(check(f, f->pub, f->other, &err), RG_ATTEST_INVALID);
    assert_non_null(strstr(err.msg, "is not the subject of the attestation"));
    assert_string_equal(err.file, f->other);
    assert_int_equal(check(f, f->pub, "/nonexistent.rgpkg", &err), RG_ATTEST_INVALID);
    assert_string_equal(err.file, "/nonexistent.rgpkg");
}

/* Re-encodes the payload with `from` replaced by `to`, keeping the old signature. */
static void tamper(struct fx *f, const char *from, const char *to)
{
    json_t *env = json_load_file(f->file, 0, NULL);
    size_t len;
    char *payload = (char *)rg_b64_decode(
        json_string_value(json_object_get(env, "payload")), &len);
    char *p = strstr(payload, from), *changed, *b64;

    assert_non_null(p);
    changed = malloc(len + strlen(to) + 1);
    memcpy(changed, payload, (size_t)(p - payload));
    strcpy(changed + (p - payload), to);
    strcat(changed, p + strlen(from));
    b64 = rg_b64_encode(changed, strlen(changed));
    json_object_set_new(env, "payload", json_string(b64));
    json_dump_file(env, f->file, 0);
    free(b64);
    free(changed);
    free(payload);
    json_decref(env);
}

static void test_changed_verdict_is_refused(void **state)
{
    struct fx *f = *state;
    struct rg_error err;

    attest(f, RG_VERDICT_BLOCK);
    tamper(f, "\"FAILED\"", "\"PASSED\"");
    assert_int_equal(check(f, f->pub, f->pkg, &err), RG_ATTEST_INVALID);
    assert_non_null(strstr(err.msg, "bad signature"));
}

static void test_failed_verdict(void **state)
{
    struct fx *f = *state;
    struct rg_error err;

    attest(f, RG_VERDICT_BLOCK);
    assert_int_equal(check(f, f->pub, f->pkg, &err), RG_ATTEST_FAILED);
    assert_non_null(strstr(err.msg, "the gate blocked this package"));
}

static void test_no_verdict_no_attestation(void **state)
{
    struct fx *f = *state;
    struct rg_error err = {0};

    f->run.verdict = RG_VERDICT_INCONCLUSIVE;
    assert_int_equal(attest_run(f, f->key, &err), 1);
    assert_int_equal(access(f->file, F_OK), -1);
    f->run.verdict = RG_VERDICT_PASS;
    assert_int_equal(attest_run(f, f->pub, &err), -1); /* not a private key */
    assert_non_null(strstr(err.msg, "not an Ed25519 private key"));
    assert_int_equal(access(f->file, F_OK), -1);
}

static void test_malformed_envelopes(void **state)
{
    struct fx *f = *state;
    struct rg_error err;

    rg_test_write(f->file, "{\"payloadType\": ");
    assert_int_equal(check(f, f->pub, f->pkg, &err), RG_ATTEST_INVALID);
    assert_non_null(strstr(err.msg, "not an attestation"));
    assert_true(err.line > 0);
    rg_test_write(f->file, "{\"payload\": \"e30=\", \"signatures\": [{\"sig\": \"AA==\"}]}");
    assert_int_equal(check(f, f->pub, f->pkg, &err), RG_ATTEST_INVALID);
    assert_non_null(strstr(err.msg, "not a DSSE envelope"));
    rg_test_write(f->file, "{\"payloadType\": \"text/plain\", \"payload\": \"e30=\", "
                           "\"signatures\": [{\"sig\": \"AA==\"}]}");
    assert_int_equal(check(f, f->pub, f->pkg, &err), RG_ATTEST_INVALID);
    assert_non_null(strstr(err.msg, "payloadType is 'text/plain'"));
    rg_test_write(f->file, "{\"payloadType\": \"application/vnd.in-toto+json\", "
                           "\"payload\": \"e30=\", \"signatures\": [{\"sig\": \"AA==\"}]}");
    assert_int_equal(check(f, f->pub, f->pkg, &err), RG_ATTEST_INVALID);
    assert_non_null(strstr(err.msg, "not an Ed25519 signature"));
    rg_test_write(f->file, "{\"payloadType\": \"application/vnd.in-toto+json\", "
                           "\"payload\": \"!!!!\", \"signatures\": [{\"sig\": \"AA==\"}]}");
    assert_int_equal(check(f, f->pub, f->pkg, &err), RG_ATTEST_INVALID);
    assert_non_null(strstr(err.msg, "not base64"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pae),
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_verdict_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_verdict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_verdict_no_attestation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_envelopes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
