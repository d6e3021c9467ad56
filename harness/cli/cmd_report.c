/* `ringgate report RUN_DIR`: regenerates a run's report in another format. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmds.h"
#include "report/report.h"
#include "util/ringgate.h"

const char rg_usage_report[] =
    "usage: ringgate report RUN_DIR [--format text|json|junit|html] [-o FILE]\n"
    "\n"
    "Regenerates a report from RUN_DIR/report.json (schema ringgate.report/v1,\n"
    "reports/README.md); report.json itself is never changed.\n"
    "\n"
    "  -f, --format text   the summary `ringgate run` prints (default), to standard\n"
    "                      output; colour only on a terminal and never with NO_COLOR\n"
    "  -f, --format json   report.json, pretty-printed, to standard output\n"
    "  -f, --format junit  RUN_DIR/junit.xml: one testsuite per scenario, one testcase\n"
    "                      per cell and check (Apache Ant JUnit schema)\n"
    "  -f, --format html   RUN_DIR/index.html: one self-contained page (no script,\n"
    "                      nothing fetched): verdict, matrix, boot timelines, findings\n"
    "                      with their console excerpts, regression plots\n"
    "  -o, --output FILE   write there instead (`-` is standard output)\n"
    "\n"
    "junit and html print the path they wrote. Files are written atomically.\n"
    "\n"
    "Exit: 0 written; 2 usage error, or RUN_DIR/report.json missing or invalid\n"
    "(the message names the file, and the line and column of a JSON error).\n";

enum format { TEXT, JSON, JUNIT, HTML };

static int parse_format(const char *s, enum format *out)
{
    static const char *const names[] = {"text", "json", "junit", "html"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!strcmp(s, names[i])) {
            *out = (enum format)i;
            return 0;
        }
    }
    return -1;
}

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
    }
    if (fmt == TEXT || fmt == JSON || (outpath && !strcmp(outpath, "-"))) {
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

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *outpath = NULL;
    enum format fmt = TEXT;
    struct rg_error err = {0};
    json_t *report;
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'f':
            if (parse_format(optarg, &fmt) < 0)
                return rg_command_usage_error("report", "--format takes text, json, junit or html");
            break;
        case 'o':
            outpath = optarg;
            break;
        case 'h':
            fputs(rg_usage_report, stdout);
            return RG_EXIT_OK;
        default:
            return rg_command_usage_error("report", "unknown option");
        }
    }
    if (argc - optind != 1)
        return rg_command_usage_error("report", "expected one run folder");
    if (rg_report_load(argv[optind], &report, &err) < 0) {
        rg_error_print(stderr, &err);
        return RG_EXIT_USAGE;
    }
    rc = render(report, fmt, argv[optind], outpath);
    json_decref(report);
    return rc;
}
