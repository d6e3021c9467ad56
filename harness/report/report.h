/* Reports regenerated from report.json: JUnit XML for CI, one HTML page for people, a text
 * summary for terminals. */
#ifndef RG_REPORT_H
#define RG_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

/* Reads RUN_DIR/report.json and checks its schema (ringgate.report/v1); err names the file,
 * and the line and column of a JSON syntax error. */
int rg_report_load(const char *run_dir, json_t **out, struct rg_error *err);

/* junit.xml: one testsuite per scenario, one testcase per cell and check class; valid
 * against the Apache Ant JUnit schema. The _write_ functions write atomically (a temporary
 * file in the same folder, then rename). */
int rg_report_junit(const json_t *report, struct rg_buf *out, struct rg_error *err);
int rg_report_write_junit(const json_t *report, const char *path, struct rg_error *err);

/* index.html: one self-contained page (inline CSS, no script, nothing fetched): verdict,
 * matrix, timelines, findings with their console excerpts, regression plots. */
int rg_report_html(const json_t *report, struct rg_buf *out);
int rg_report_write_html(const json_t *report, const char *path, struct rg_error *err);

/* The summary printed at the end of `ringgate run`; ANSI colour only when color is set. */
int rg_report_text(const json_t *report, bool color, struct rg_buf *out);
/* The Markdown summary for CI pages: verdict and exit code, the matrix as a table, the
 * blocking findings deduplicated (at most 50); untrusted strings escaped for tables. With
 * append, the file is added to (as $GITHUB_STEP_SUMMARY wants); else written atomically. */
int rg_report_markdown(const json_t *report, struct rg_buf *out);
int rg_report_write_markdown(const json_t *report, const char *path, bool append,
                             struct rg_error *err);

/* The Prometheus textfile (text exposition format 0.0.4, for node_exporter's textfile
 * collector): the run's verdict, exit code and duration, each cell's verdict, duration and
 * boots, the findings by class and action, and when the last run and the last passing run
 * ended. Verdicts are one sample per possible verdict (pass, block, inconclusive, aborted),
 * 1 for the one it had. last_pass_ts is the previous file's last pass (0 for none): kept when
 * this run did not pass. The write function reads it from the file it replaces (a missing or
 * malformed one counts as none) and writes atomically. */
int rg_report_prometheus(const json_t *report, double last_pass_ts, struct rg_buf *out);
int rg_report_write_prometheus(const json_t *report, const char *path, struct rg_error *err);
/* The ringgate_last_pass_timestamp_seconds of a textfile's text; 0 when it has none (or none
 * that is a positive number). */
double rg_report_prometheus_last_pass(const char *text);
/* GitHub Actions workflow commands, one a line: an `::error` for each scenario whose content
 * validator refused the update and each blocking finding (merged by class and title), at
 * most 10, then a `::notice` counting those left out; nothing when nothing blocks. */
int rg_report_annotations(const json_t *report, struct rg_buf *out);
/* The same for errors that stopped a run before it began (a scenario or package refused):
 * an `::error` each, with file, line and col when known (GitHub marks the scenario's line),
 * at most 10, then a `::notice`. */
int rg_report_annotate_errors(const struct rg_errors *errs, struct rg_buf *out);

/* What the formats share. Strings in a report are untrusted (guest console output, names
 * from scenario files): rg_report_put_clean appends s as valid UTF-8 (strictly: no
 * overlongs, no surrogates) with every byte that is not, and every control character the
 * target cannot show, written as \xNN (C1 controls too; bidi overrides, U+FFFE and U+FFFF
 * as \uNNNN). */
enum rg_clean {
    RG_CLEAN_XML,  /* characters XML 1.0 allows; of the controls, tab and newline kept */
    RG_CLEAN_HTML, /* as XML, and & < > " ' escaped as entities */
    RG_CLEAN_LINE, /* one terminal line: no C0 or C1 control character at all */
    RG_CLEAN_LINES, /* as LINE, but newlines kept (a CR before one dropped) */
};
void rg_report_put_clean(struct rg_buf *b, const char *s, enum rg_clean mode);
/* Writes len bytes to path through a temporary file in the same folder and rename. */
int rg_report_write_atomic(const char *path, const char *data, size_t len, struct rg_error *err);
/* o[key] as a string ("" when absent or not a string), as a number (integer or real; def
 * when absent or null) and as an integer (def unless an integer: no double is ever cast). */
const char *rg_report_str(const json_t *o, const char *key);
double rg_report_num(const json_t *o, const char *key, double def);
long long rg_report_int(const json_t *o, const char *key, long long def);
/* report.json's "findings": one entry per class and title over the cells' findings (every
 * boot), with its action, how often it happened and the "scenario/id" of the cells it hit. */
json_t *rg_report_dedup_findings(const json_t *cells);
/* gate.retries: how many earlier attempts the cell had (0 also for reports made before
 * retries existed), and the reasons they ended with, each distinct one once, joined by "; "
 * and cleaned for mode. */
size_t rg_report_retries(const json_t *cell);
void rg_report_retry_reasons(const json_t *cell, struct rg_buf *out, enum rg_clean mode);
/* The cell's boot a finding happened in, or NULL. */
const json_t *rg_report_boot(const json_t *cell, const json_t *finding);

/* The libxml2 library's version at run time ("2.9.14"), for `ringgate version`. */
void rg_libxml2_version(char *out, size_t size);

#endif
