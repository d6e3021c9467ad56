/* Reports regenerated from report.json: JUnit XML for CI, a text summary for terminals. */
#ifndef RG_REPORT_H
#define RG_REPORT_H

#include <jansson.h>
#include <stdbool.h>

#include "buf.h"
#include "error.h"

/* Reads RUN_DIR/report.json and checks its schema (ringgate.report/v1). */
int rg_report_load(const char *run_dir, json_t **out, struct rg_error *err);
/* junit.xml: one testsuite per scenario, one testcase per cell and check class. Written
 * atomically (a temporary file, then rename). */
int rg_report_write_junit(const json_t *report, const char *path, struct rg_error *err);
/* The summary printed at the end of `ringgate run`; ANSI colour only when color is set. */
void rg_report_text(const json_t *report, bool color, struct rg_buf *out);

#endif
