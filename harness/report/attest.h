/* Gate attestations: an in-toto Statement (test-result predicate) about the update package,
 * in a DSSE envelope signed with Ed25519, so a release pipeline can refuse to promote bytes
 * that have no signed passing verdict. */
#ifndef RG_ATTEST_H
#define RG_ATTEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "package/sign.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/error.h"

#define RG_ATTEST_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define RG_ATTEST_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define RG_ATTEST_PREDICATE_TYPE "https://in-toto.io/attestation/test-result/v0.1"

/* DSSE's pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
void rg_attest_pae(const char *type, const void *body, size_t len, struct rg_buf *out);

/* Writes path (RUN_DIR/attestation.json, atomically) about the run whose report.json is
 * report (a run's or a merge's), signed with the Ed25519 private key in key. 1 when the run
 * has no verdict to attest (inconclusive or aborted: nothing written), 0 written, -1 error. */
int rg_attest_write(const json_t *report, const char *run_dir, const char *key,
                    const char *path, struct rg_error *err);

enum rg_attest_result {
    RG_ATTEST_PASSED,   /* signed by that key, about that package, and it passed */
    RG_ATTEST_FAILED,   /* genuine, about that package: the gate blocked it */
    RG_ATTEST_INVALID,  /* not trustworthy: err says why */
};

struct rg_attest_info {
    char result[16];              /* PASSED / FAILED */
    char key_id[RG_KEY_ID_HEX];   /* of the key that verified */
    char run_id[64];
    char scenario[128];
    char subject[256];            /* the package name the statement names */
    char sha256[RG_SHA256_HEX];
};

/* Checks the envelope in file against the public key and the package's bytes. */
enum rg_attest_result rg_attest_verify(const char *file, const char *pubkey,
                                       const char *package, struct rg_attest_info *info,
                                       struct rg_error *err);
/* The statement inside an envelope, indented, for people (no signature check). */
int rg_attest_show(const char *file, struct rg_buf *out, struct rg_error *err);

#endif
