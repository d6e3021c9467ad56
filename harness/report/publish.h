/* Publishing a finished run: report.json, the reports derived from it and the attestation. */
#ifndef RG_PUBLISH_H
#define RG_PUBLISH_H

#include <jansson.h>
#include <stdbool.h>

#include "engine/run.h"
#include "util/error.h"

/* Writes the run's report.json (atomically), then junit.xml and index.html from it, then,
 * with attest_key, attestation.json (run->attested says whether it was). Every run that
 * exists is published, interrupted ones included. Returns the run's exit code, or
 * RG_EXIT_INCONCLUSIVE when report.json cannot be written; errors go to errs. */
int rg_publish(struct rg_run *run, const char *attest_key, struct rg_errors *errs);

/* junit.xml and index.html in dir from report (a run's or a merge's report.json). */
void rg_publish_derived(const json_t *report, const char *dir, struct rg_errors *errs);
/* dir/attestation.json about report, signed with key: rg_attest_write's result. */
int rg_publish_attestation(const json_t *report, const char *dir, const char *key,
                           struct rg_errors *errs);

/* The Markdown summary (report_markdown.c) of the published run's report.json, written to
 * path, or appended to it with append ($GITHUB_STEP_SUMMARY). */
int rg_publish_summary_md(const struct rg_run *run, const char *path, bool append,
                          struct rg_errors *errs);

/* The Prometheus textfile (report_prometheus.c) of the published run's report.json, written
 * atomically to path; the last pass is carried over from the file it replaces. */
int rg_publish_metrics(const struct rg_run *run, const char *path, struct rg_errors *errs);

/* report.json from the run (report_json.c). */
int rg_report_write_json(const struct rg_run *run, const char *path, struct rg_error *err);

#endif
