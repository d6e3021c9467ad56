/* `ringgate report RUN_DIR`: regenerates a run's report in another format. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "report.h"
#include "ringgate.h"

const char rg_usage_report[] =
    "usage: ringgate report RUN_DIR [--format json|junit|text] [-o FILE]\n"
    "\n"
    "Regenerates a format from RUN_DIR/report.json (schema ringgate.report/v1,\n"
    "reports/README.md).\n"
    "\n"
    "  --format text   the summary `run` prints (default), to standard output; colour\n"
    "                  only on a terminal and never with NO_COLOR\n"
    "  --format json   report.json, pretty-printed, to standard output\n"
    "  --format junit  RUN_DIR/junit.xml (or FILE): one testsuite per scenario, one\n"
    "                  testcase per cell and check class (Apache Ant JUnit schema)\n"
    "  -o FILE         write there instead\n"
    "\n"
    "Exit: 0 written, 2 no valid report or usage error.\n";

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *format = "text", *outpath = NULL;
    struct rg_error err;
    json_t *report;
    int opt, rc = RG_EXIT_OK;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'f':
            format = optarg;
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
    if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "junit"))
        return rg_command_usage_error("report", "--format takes text, json or junit");
    if (rg_report_load(argv[optind], &report, &err) < 0) {
        rg_error_print(stderr, &err);
        return RG_EXIT_USAGE;
    }
    if (strcmp(format, "junit") == 0) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/junit.xml", argv[optind]);
        if (rg_report_write_junit(report, outpath ? outpath : path, &err) < 0) {
            rg_error_print(stderr, &err);
            rc = RG_EXIT_USAGE;
        } else {
            printf("%s\n", outpath ? outpath : path);
        }
    } else {
        FILE *out = outpath ? fopen(outpath, "w") : stdout;
        if (!out) {
            perror(outpath);
            json_decref(report);
            return RG_EXIT_USAGE;
        }
        if (strcmp(format, "json") == 0) {
            json_dumpf(report, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            fputc('\n', out);
        } else {
            struct rg_buf b = RG_BUF_INIT;
            rg_report_text(report, !outpath && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
                           &b);
            fputs(rg_buf_str(&b), out);
            rg_buf_free(&b);
        }
        if (outpath)
            fclose(out);
    }
    json_decref(report);
    return rc;
}
