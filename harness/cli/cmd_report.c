/* `ringgate report RUN_DIR`: regenerates a run's report in another format. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmds.h"
#include "report/report.h"
#include "util/ringgate.h"

static const char report_about[] =
    "Regenerates a report from RUN_DIR/report.json (schema ringgate.report/v1,\n"
    "reports/README.md); report.json itself is never changed.\n";
static const char report_more[] =
    "junit and html print the path they wrote, and prometheus with -o FILE (which keeps the\n"
    "last pass time of the FILE it replaces, as `run --metrics FILE` does). Files are\n"
    "written atomically.\n"
    "\n"
    "Exit: 0 written; 2 usage error, or RUN_DIR/report.json missing or invalid\n"
    "(the message names the file, and the line and column of a JSON error).\n";

enum format { TEXT, JSON, JUNIT, HTML, PROMETHEUS, ANNOTATIONS };

struct report_args {
    int format;
    const char *output;
};
static const struct report_args report_defaults = {.format = TEXT};

#define AT(field) offsetof(struct report_args, field)

static const struct rg_opt_choice formats[] = {
    {"text", TEXT,
     "the summary `ringgate run` prints (default), to standard output; colour only on a "
     "terminal and never with NO_COLOR"},
    {"json", JSON, "report.json, pretty-printed, to standard output"},
    {"junit", JUNIT,
     "RUN_DIR/junit.xml: one testsuite per scenario, one testcase per cell and check (Apache "
     "Ant JUnit schema)"},
    {"html", HTML,
     "RUN_DIR/index.html: one self-contained page (no script, nothing fetched): verdict, "
     "matrix, boot timelines, findings with their console excerpts, regression plots"},
    {"prometheus", PROMETHEUS,
     "the Prometheus textfile `run --metrics` writes, to standard output, or with -o FILE to "
     "FILE"},
    {"github-annotations", ANNOTATIONS,
     "the GitHub Actions `::error` commands `run --github-annotations` prints, to standard "
     "output"},
    {NULL, 0, NULL},
};

static const struct rg_option report_options[] = {
    RG_OPT_CHOICE('f', "format", AT(format), NULL, formats,
                  "--format takes text, json, junit, html, prometheus or github-annotations",
                  NULL),
    RG_OPT_STRING('o', "output", AT(output), "FILE",
                  "write there instead (`-` is standard output)"),
};

/* The whole of b to a stream: standard output, or a file given with -o. */
static int put_stream(const char *outpath, const struct rg_buf *b)
{
    FILE *f = outpath && strcmp(outpath, "-") ? fopen(outpath, "w") : stdout;
    int rc = RG_EXIT_OK;

    if (!f) {
        perror(outpath);
        return RG_EXIT_USAGE;
    }
    if (fwrite(rg_buf_str(b), 1, b->len, f) != b->len || fflush(f) != 0) {
        perror(outpath ? outpath : "standard output");
        rc = RG_EXIT_USAGE;
    }
    if (f != stdout && fclose(f) != 0 && rc == RG_EXIT_OK) {
        perror(outpath);
        rc = RG_EXIT_USAGE;
    }
    return rc;
}

static int render(const json_t *report, enum format fmt, const char *dir, const char *outpath)
{
    struct rg_buf b = RG_BUF_INIT;
    struct rg_error err = {0};
    char path[4200];
    int rc = RG_EXIT_OK;

    if (fmt == TEXT) {
        bool color = !outpath && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
        rg_report_text(report, color, &b);
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
            n--;
        rg_buf_printf(&b, "report:  %.*s/\n", (int)n, dir);
    } else if (fmt == JSON) {
        char *s = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!s) {
            fputs("ringgate report: cannot format the report\n", stderr);
            return RG_EXIT_USAGE;
        }
        rg_buf_puts(&b, s);
        rg_buf_putc(&b, '\n');
        free(s);
    } else if (fmt == JUNIT && rg_report_junit(report, &b, &err) < 0) {
        rg_error_print(stderr, &err);
        return RG_EXIT_USAGE;
    } else if (fmt == HTML) {
        rg_report_html(report, &b);
    } else if (fmt == ANNOTATIONS) {
        rg_report_annotations(report, &b);
    } else if (fmt == PROMETHEUS && outpath && strcmp(outpath, "-") != 0) {
        if (rg_report_write_prometheus(report, outpath, &err) < 0) {
            rg_error_print(stderr, &err);
            return RG_EXIT_USAGE;
        }
        printf("%s\n", outpath);
        return RG_EXIT_OK;
    } else if (fmt == PROMETHEUS) {
        rg_report_prometheus(report, 0, &b);
    }
    if (fmt == TEXT || fmt == JSON || fmt == PROMETHEUS || fmt == ANNOTATIONS ||
        (outpath && !strcmp(outpath, "-"))) {
        rc = put_stream(outpath, &b);
    } else {
        snprintf(path, sizeof(path), "%s/%s", dir, fmt == JUNIT ? "junit.xml" : "index.html");
        if (rg_report_write_atomic(outpath ? outpath : path, rg_buf_str(&b), b.len, &err) < 0) {
            rg_error_print(stderr, &err);
            rc = RG_EXIT_USAGE;
        } else {
            printf("%s\n", outpath ? outpath : path);
        }
    }
    rg_buf_free(&b);
    return rc;
}

static int cmd_report(void *opts, int argc, char **argv)
{
    const struct report_args *a = opts;
    struct rg_error err = {0};
    json_t *report;
    int rc;

    (void)argc;
    if (rg_report_load(argv[0], &report, &err) < 0) {
        rg_error_print(stderr, &err);
        return RG_EXIT_USAGE;
    }
    rc = render(report, (enum format)a->format, argv[0], a->output);
    json_decref(report);
    return rc;
}

RG_COMMAND(report, "regenerate a run's report: text, json, junit, html, prometheus...",
           .name = "report",
           .usage = "RUN_DIR", .min_args = 1, .max_args = 1,
           .args_error = "expected one run folder");
