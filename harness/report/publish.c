/* Publishing a finished run: report.json, the reports derived from it and the attestation. */
#include "report/publish.h"

#include <jansson.h>
#include <stdio.h>

#include "report/attest.h"
#include "report/report.h"
#include "util/ringgate.h"

/* junit.xml for CI and index.html for people, both from the report.json just written: one
 * source of truth, and `ringgate report` regenerates exactly these. */
static void write_derived_reports(const char *dir, struct rg_errors *errs)
{
    struct rg_error e = {0};
    json_t *written = NULL;
    char path[4200];

    if (rg_report_load(dir, &written, &e) < 0) {
        rg_errors_push(errs, &e);
        return;
    }
    snprintf(path, sizeof(path), "%s/junit.xml", dir);
    if (rg_report_write_junit(written, path, &e) < 0)
        rg_errors_push(errs, &e);
    snprintf(path, sizeof(path), "%s/index.html", dir);
    if (rg_report_write_html(written, path, &e) < 0)
        rg_errors_push(errs, &e);
    json_decref(written);
}

int rg_publish(struct rg_run *run, const char *attest_key, struct rg_errors *errs)
{
    struct rg_error e = {0};
    char path[4200];

    snprintf(path, sizeof(path), "%s/report.json", run->dir);
    if (rg_report_write_json(run, path, &e) < 0) {
        rg_errors_push(errs, &e);
        return RG_EXIT_INCONCLUSIVE;
    }
    write_derived_reports(run->dir, errs);
    if (attest_key) {
        int arc;

        snprintf(path, sizeof(path), "%s/attestation.json", run->dir);
        arc = rg_attest_write(run, attest_key, path, &e);
        if (arc < 0)
            rg_errors_push(errs, &e);
        run->attested = arc == 0;
    }
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
