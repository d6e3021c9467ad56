/* Publishing a finished run: report.json, the reports derived from it and the attestation. */
#include "report/publish.h"

#include <jansson.h>
#include <stdio.h>

#include "report/attest.h"
#include "report/report.h"
#include "util/ringgate.h"

/* junit.xml for CI and index.html for people, both from the report.json just written: one
 * source of truth, and `ringgate report` regenerates exactly these. */
void rg_publish_derived(const json_t *report, const char *dir, struct rg_errors *errs)
{
    struct rg_error e = {0};
    char path[4200];

    snprintf(path, sizeof(path), "%s/junit.xml", dir);
    if (rg_report_write_junit(report, path, &e) < 0)
        rg_errors_push(errs, &e);
    snprintf(path, sizeof(path), "%s/index.html", dir);
    if (rg_report_write_html(report, path, &e) < 0)
        rg_errors_push(errs, &e);
}

int rg_publish_attestation(const json_t *report, const char *dir, const char *key,
                           struct rg_errors *errs)
{
    struct rg_error e = {0};
    char path[4200];
    int rc;

    snprintf(path, sizeof(path), "%s/attestation.json", dir);
    rc = rg_attest_write(report, dir, key, path, &e);
    if (rc < 0)
        rg_errors_push(errs, &e);
    return rc;
}

int rg_publish(struct rg_run *run, const char *attest_key, struct rg_errors *errs)
{
    struct rg_error e = {0};
    json_t *written = NULL;
    char path[4200];

    snprintf(path, sizeof(path), "%s/report.json", run->dir);
    if (rg_report_write_json(run, path, &e) < 0) {
        rg_errors_push(errs, &e);
        return RG_EXIT_INCONCLUSIVE;
    }
    if (rg_report_load(run->dir, &written, &e) < 0) {
        rg_errors_push(errs, &e);
        return run->exit_code;
    }
    rg_publish_derived(written, run->dir, errs);
    if (attest_key)
        run->attested = rg_publish_attestation(written, run->dir, attest_key, errs) == 0;
    json_decref(written);
    return run->exit_code;
}

int rg_publish_summary_md(const struct rg_run *run, const char *path, bool append,
                          struct rg_errors *errs)
{
    struct rg_error e = {0};
    json_t *written = NULL;
    int rc;

    if (rg_report_load(run->dir, &written, &e) < 0) {
        rg_errors_push(errs, &e);
        return -1;
    }
    rc = rg_report_write_markdown(written, path, append, &e);
    if (rc < 0)
        rg_errors_push(errs, &e);
    json_decref(written);
    return rc;
}

int rg_publish_metrics(const struct rg_run *run, const char *path, struct rg_errors *errs)
{
    struct rg_error e = {0};
    json_t *written = NULL;
    int rc;

    if (rg_report_load(run->dir, &written, &e) < 0) {
        rg_errors_push(errs, &e);
        return -1;
    }
    rc = rg_report_write_prometheus(written, path, &e);
    if (rc < 0)
        rg_errors_push(errs, &e);
    json_decref(written);
    return rc;
}
