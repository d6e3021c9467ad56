/* Gate attestations: in-toto Statement v1 with the test-result v0.1 predicate, in a DSSE
 * envelope signed with Ed25519. */
#include "report/attest.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/vocab.h"
#include "report/report.h"
#include "util/ringgate.h"

void rg_attest_pae(const char *type, const void *body, size_t len, struct rg_buf *out)
{
    rg_buf_printf(out, "DSSEv1 %zu %s %zu ", strlen(type), type, len);
    rg_buf_append(out, body, len);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static json_t *digest(const char *sha256)
{
    return json_pack("{s:s}", "sha256", sha256);
}

/* The subjects: each distinct update package the run tested, by its bytes' digest. */
static json_t *subjects(const json_t *report)
{
    json_t *a = json_array(), *sc;
    size_t i;

    json_array_foreach(json_object_get(report, "scenarios"), i, sc)
    {
        const json_t *u = json_object_get(sc, "update");
        const char *sha = rg_report_str(u, "sha256"), *path = rg_report_str(u, "path");
        bool seen = false;
        size_t k;
        json_t *s;

        if (!json_is_object(u) || !*sha)
            continue;
        json_array_foreach(a, k, s)
        {
            seen |= !strcmp(json_string_value(json_object_get(json_object_get(s, "digest"),
                                                               "sha256")),
                            sha);
        }
        if (!seen)
            json_array_append_new(a, json_pack("{s:s, s:o}", "name",
                                               base_name(*path ? path : rg_report_str(u, "name")),
                                               "digest", digest(sha)));
    }
    return a;
}

/* The configuration: every scenario by its digest, and the harness run that judged. */
static json_t *configuration(const json_t *report)
{
    json_t *config = json_array(), *sc;
    size_t i;

    json_array_foreach(json_object_get(report, "scenarios"), i, sc)
        json_array_append_new(config, json_pack("{s:s, s:s, s:o}", "name",
                                                rg_report_str(sc, "name"), "uri",
                                                rg_report_str(sc, "path"), "digest",
                                                digest(rg_report_str(sc, "sha256"))));
    json_array_append_new(
        config,
        json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:I}}", "name", "ringgate", "uri",
                  "pkg:generic/ringgate@" RG_VERSION, "annotations", "version",
                  rg_report_str(report, "ringgate_version"), "run_id",
                  rg_report_str(report, "run_id"), "started_at",
                  rg_report_str(report, "started_at"), "finished_at",
                  rg_report_str(report, "finished_at"), "verdict",
                  rg_report_str(report, "verdict"), "exit_code",
                  (json_int_t)rg_report_int(report, "exit_code", RG_EXIT_INCONCLUSIVE)));
    return config;
}

static json_t *statement(const json_t *report, const char *report_url)
{
    json_t *passed = json_array(), *failed = json_array(), *warned = json_array(), *c;
    size_t i;

    json_array_foreach(json_object_get(report, "cells"), i, c)
    {
        char name[600];
        bool warn = false;
        size_t k;
        json_t *f;

        snprintf(name, sizeof(name), "%s/%s", rg_report_str(c, "scenario"),
                 rg_report_str(c, "id"));
        json_array_foreach(json_object_get(c, "findings"), k, f)
            warn |= !strcmp(rg_report_str(f, "action"), rg_action_name(RG_ACTION_WARN));
        if (!strcmp(rg_report_str(c, "verdict"), rg_verdict_name(RG_VERDICT_BLOCK)))
            json_array_append_new(failed, json_string(name));
        else if (warn)
            json_array_append_new(warned, json_string(name));
        else
            json_array_append_new(passed, json_string(name));
    }
    return json_pack("{s:s, s:o, s:s, s:{s:s, s:o, s:s, s:o, s:o, s:o}}", "_type",
                     RG_ATTEST_STATEMENT_TYPE, "subject", subjects(report), "predicateType",
                     RG_ATTEST_PREDICATE_TYPE, "predicate", "result",
                     !strcmp(rg_report_str(report, "verdict"),
                             rg_verdict_name(RG_VERDICT_PASS))
                         ? "PASSED"
                         : "FAILED",
                     "configuration", configuration(report), "url", report_url, "passedTests",
                     passed, "warnedTests", warned, "failedTests", failed);
}

int rg_attest_write(const json_t *report, const char *run_dir, const char *key,
                    const char *path, struct rg_error *err)
{
    unsigned char sig[RG_SIG_BYTES];
    char key_id[RG_KEY_ID_HEX], url[4200], *payload = NULL, *p64 = NULL, *s64 = NULL,
                                                 *text = NULL;
    const char *verdict = rg_report_str(report, "verdict");
    struct rg_buf pae = RG_BUF_INIT;
    json_t *st, *env = NULL;
    int rc = -1;

    if (strcmp(verdict, rg_verdict_name(RG_VERDICT_PASS)) &&
        strcmp(verdict, rg_verdict_name(RG_VERDICT_BLOCK)))
        return 1;
    snprintf(url, sizeof(url), "file://%s/report.json", run_dir);
    st = statement(report, url);
    payload = json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(st);
    if (!payload) {
        rg_error_set(err, path, 0, 0, "cannot encode the attestation");
        goto out;
    }
    rg_attest_pae(RG_ATTEST_PAYLOAD_TYPE, payload, strlen(payload), &pae);
    if (rg_sign(key, pae.data, pae.len, sig, key_id, err) < 0)
        goto out;
    p64 = rg_b64_encode(payload, strlen(payload));
    s64 = rg_b64_encode(sig, sizeof(sig));
    env = json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "payloadType", RG_ATTEST_PAYLOAD_TYPE,
                    "payload", p64, "signatures", "keyid", key_id, "sig", s64);
    text = json_dumps(env, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text) {
        rg_error_set(err, path, 0, 0, "cannot encode the attestation");
        goto out;
    }
    rc = rg_report_write_atomic(path, text, strlen(text), err);
out:
    free(text);
    json_decref(env);
    free(s64);
    free(p64);
    free(payload);
    rg_buf_free(&pae);
    return rc;
}

/* Reads the envelope and decodes its payload; err names what is wrong. */
static json_t *open_envelope(const char *file, char **payload, size_t *plen,
                             unsigned char **sig, size_t *slen, const char **keyid,
                             struct rg_error *err)
{
    json_error_t jerr;
    json_t *env = json_load_file(file, 0, &jerr), *sigs, *s0;
    const char *type, *p64, *s64;

    *payload = NULL;
    *sig = NULL;
    if (!env) {
        rg_error_set(err, file, jerr.line, jerr.column, "not an attestation: %s", jerr.text);
        return NULL;
    }
    type = json_string_value(json_object_get(env, "payloadType"));
    p64 = json_string_value(json_object_get(env, "payload"));
    sigs = json_object_get(env, "signatures");
    s0 = json_array_get(sigs, 0);
    s64 = json_string_value(json_object_get(s0, "sig"));
    *keyid = json_string_value(json_object_get(s0, "keyid"));
    if (!type || !p64 || !s64) {
        rg_error_set(err, file, 0, 0,
                     "not a DSSE envelope: it needs 'payloadType', 'payload' and "
                     "'signatures[0].sig'");
        goto bad;
    }
    if (strcmp(type, RG_ATTEST_PAYLOAD_TYPE) != 0) {
        rg_error_set(err, file, 0, 0, "payloadType is '%s', not '%s'", type,
                     RG_ATTEST_PAYLOAD_TYPE);
        goto bad;
    }
    *payload = (char *)rg_b64_decode(p64, plen);
    *sig = rg_b64_decode(s64, slen);
    if (!*payload || !*sig) {
        rg_error_set(err, file, 0, 0, "the envelope's payload or signature is not base64");
        goto bad;
    }
    return env;
bad:
    free(*payload);
    free(*sig);
    *payload = NULL;
    *sig = NULL;
    json_decref(env);
    return NULL;
}

enum rg_attest_result rg_attest_verify(const char *file, const char *pubkey,
                                       const char *package, struct rg_attest_info *info,
                                       struct rg_error *err)
{
    enum rg_attest_result res = RG_ATTEST_INVALID;
    char pkg_sha[RG_SHA256_HEX], *payload = NULL;
    unsigned char *sig = NULL;
    size_t plen = 0, slen = 0, i;
    const char *keyid = NULL;
    struct rg_buf pae = RG_BUF_INIT;
    json_t *env, *st = NULL, *pred, *s;
    bool subject_ok = false;
    int rc;

    memset(info, 0, sizeof(*info));
    if (rg_sha256_file(package, pkg_sha, err) < 0)
        return RG_ATTEST_INVALID;
    env = open_envelope(file, &payload, &plen, &sig, &slen, &keyid, err);
    if (!env)
        return RG_ATTEST_INVALID;
    if (slen != RG_SIG_BYTES) {
        rg_error_set(err, file, 0, 0, "the signature is %zu bytes, not an Ed25519 signature",
                     slen);
        goto out;
    }
    rg_attest_pae(RG_ATTEST_PAYLOAD_TYPE, payload, plen, &pae);
    rc = rg_sig_check(pubkey, sig, pae.data, pae.len, info->key_id, err);
    if (rc < 0)
        goto out;
    if (rc == 1) {
        char want[RG_KEY_ID_HEX] = "";
        rg_key_id(pubkey, want, NULL);
        rg_error_set(err, file, 0, 0,
                     "bad signature: the envelope does not verify with key %s (%s); it was "
                     "signed by key %s, or altered after signing",
                     want, pubkey, keyid ? keyid : "(none named)");
        goto out;
    }
    st = json_loads(payload, 0, NULL);
    pred = json_object_get(st, "predicate");
    if (!st || strcmp(rg_report_str(st, "_type"), RG_ATTEST_STATEMENT_TYPE) != 0 ||
        strcmp(rg_report_str(st, "predicateType"), RG_ATTEST_PREDICATE_TYPE) != 0 ||
        !json_is_object(pred)) {
        rg_error_set(err, file, 0, 0, "the signed payload is not an in-toto %s statement",
                     RG_ATTEST_PREDICATE_TYPE);
        goto out;
    }
    json_array_foreach(json_object_get(st, "subject"), i, s)
    {
        if (!strcmp(rg_report_str(json_object_get(s, "digest"), "sha256"), pkg_sha)) {
            subject_ok = true;
            snprintf(info->subject, sizeof(info->subject), "%s", rg_report_str(s, "name"));
        }
    }
    snprintf(info->sha256, sizeof(info->sha256), "%s", pkg_sha);
    snprintf(info->result, sizeof(info->result), "%s", rg_report_str(pred, "result"));
    json_array_foreach(json_object_get(pred, "configuration"), i, s)
    {
        const json_t *ann = json_object_get(s, "annotations");
        if (json_is_object(ann))
            snprintf(info->run_id, sizeof(info->run_id), "%s", rg_report_str(ann, "run_id"));
        else if (!info->scenario[0])
            snprintf(info->scenario, sizeof(info->scenario), "%s", rg_report_str(s, "name"));
    }
    if (!subject_ok) {
        rg_error_set(err, package, 0, 0,
                     "this package (sha256 %s) is not the subject of the attestation: it "
                     "attests other bytes",
                     pkg_sha);
        goto out;
    }
    if (!strcmp(info->result, "PASSED")) {
        res = RG_ATTEST_PASSED;
    } else if (!strcmp(info->result, "FAILED")) {
        rg_error_set(err, file, 0, 0, "the gate blocked this package (result FAILED, run %s)",
                     info->run_id);
        res = RG_ATTEST_FAILED;
    } else {
        rg_error_set(err, file, 0, 0, "the attestation's result is '%s', not PASSED",
                     info->result);
    }
out:
    json_decref(st);
    json_decref(env);
    rg_buf_free(&pae);
    free(payload);
    free(sig);
    return res;
}

int rg_attest_show(const char *file, struct rg_buf *out, struct rg_error *err)
{
    char *payload = NULL, *text;
    unsigned char *sig = NULL;
    size_t plen, slen;
    const char *keyid;
    json_t *env = open_envelope(file, &payload, &plen, &sig, &slen, &keyid, err), *st;
    int rc = -1;

    if (!env)
        return -1;
    st = json_loads(payload, 0, NULL);
    text = st ? json_dumps(st, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    if (text) {
        rg_buf_printf(out, "signed by key %s\n%s\n", keyid ? keyid : "(none named)", text);
        rc = 0;
    } else {
        rg_error_set(err, file, 0, 0, "the payload is not JSON");
    }
    free(text);
    json_decref(st);
    json_decref(env);
    free(payload);
    free(sig);
    return rc;
}
