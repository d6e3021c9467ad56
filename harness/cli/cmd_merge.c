/* `ringgate merge RUN_DIR... -o OUT`: the shards of one plan, run on several hosts, made into
 * one run's report and verdict. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cmds.h"
#include "report/merge.h"
#include "report/report.h"
#include "util/ringgate.h"

static const char merge_about[] =
    "Merges the run folders of `ringgate run --shard I/N` (one per shard, from any hosts)\n"
    "into OUT, one run as if one process had run the whole plan: report.json (cells in\n"
    "plan order, the verdict recombined, \"merge\" naming the shards), junit.xml,\n"
    "index.html, each cell's console logs, each shard's report under shards/, and with\n"
    "--attest one attestation. `ringgate reproduce`, `bundle` and `report` work on OUT.\n"
    "\n"
    "Shards must be of the same plan: the same scenarios, packages, images (digests),\n"
    "ringgate version and run options; any difference refuses the merge, naming the shard\n"
    "and the field. A planned cell that no shard reports (a lost shard, a RUN_DIR without\n"
    "report.json), or that two shards report, makes the merged verdict inconclusive and is\n"
    "named: a lost shard never reads as a pass. A blocking cell still blocks.\n";
static const char merge_more[] =
    "OUT must not exist; it appears whole or not at all.\n"
    "\n"
    "Exit: 0 pass, 1 blocked, 2 usage error or shards that cannot be merged, 3 inconclusive\n"
    "(missing or duplicated cells, an inconclusive cell) or OUT cannot be written.\n";

struct merge_args {
    const char *output, *attest, *summary_md, *metrics;
    bool quiet, annotations;
};
static const struct merge_args merge_defaults = {0};

#define AT(field) offsetof(struct merge_args, field)

static const struct rg_option merge_options[] = {
    RG_OPT_REQ_STRING('o', "output", AT(output), "OUT", "the merged run's folder (new)"),
    RG_OPT_STRING(0, "attest", AT(attest), "KEY",
                  "sign the merged verdict (pass or block) into OUT/attestation.json, as "
                  "`run --attest` does"),
    RG_OPT_STRING(0, "summary-md", AT(summary_md), "FILE",
                  "write the Markdown summary to FILE; without it, it is appended to "
                  "$GITHUB_STEP_SUMMARY when that is set"),
    RG_OPT_STRING(0, "metrics", AT(metrics), "FILE",
                  "write the merged run's Prometheus textfile (as `run --metrics`: the last "
                  "pass carried over from the FILE it replaces)"),
    RG_OPT_BOOL(0, "github-annotations", AT(annotations),
                "print at most ten ::error workflow commands for the blocking findings"),
    RG_OPT_BOOL('q', "quiet", AT(quiet), "print only the verdict"),
};

/* The outputs for CI besides OUT: a failure is reported, the verdict stands. */
static void ci_outputs(const struct merge_args *a, const json_t *merged, struct rg_errors *errs)
{
    const char *step = getenv("GITHUB_STEP_SUMMARY");
    struct rg_error e = {0};

    if ((a->summary_md && rg_report_write_markdown(merged, a->summary_md, false, &e) < 0) ||
        (!a->summary_md && step && *step && rg_report_write_markdown(merged, step, true, &e) < 0))
        rg_errors_push(errs, &e);
    if (a->metrics && rg_report_write_prometheus(merged, a->metrics, &e) < 0)
        rg_errors_push(errs, &e);
    if (a->annotations) {
        struct rg_buf b = RG_BUF_INIT;

        rg_report_annotations(merged, &b);
        fputs(rg_buf_str(&b), stdout);
        rg_buf_free(&b);
    }
}

/* What made the picture incomplete, where CI logs show it. */
static void print_incomplete(const json_t *merged)
{
    const json_t *mg = json_object_get(merged, "merge");
    const json_t *missing = json_object_get(mg, "missing");
    const json_t *dup = json_object_get(mg, "duplicated");
    size_t i;
    json_t *v;

    if (json_array_size(missing)) {
        fprintf(stderr, "ringgate merge: %zu planned cell(s) in no shard's report (a lost "
                        "shard: run it again and merge again):\n",
                json_array_size(missing));
        json_array_foreach(missing, i, v) fprintf(stderr, "  %s\n", json_string_value(v));
    }
    if (json_array_size(dup)) {
        fprintf(stderr, "ringgate merge: %zu cell(s) in more than one shard's report:\n",
                json_array_size(dup));
        json_array_foreach(dup, i, v) fprintf(stderr, "  %s\n", rg_report_str(v, "cell"));
    }
}

static int cmd_merge(void *opts, int argc, char **argv)
{
    const struct merge_args *a = opts;
    struct rg_errors errs = {0};
    json_t *merged = NULL;
    int rc = rg_merge(argv, (size_t)argc, a->output, a->attest, &merged, &errs);

    if (merged)
        ci_outputs(a, merged, &errs);
    if (errs.n)
        rg_errors_print(stderr, &errs);
    if (merged)
        print_incomplete(merged);
    if (merged && a->quiet) {
        printf("%s\n", rg_report_str(merged, "verdict"));
    } else if (merged) {
        struct rg_buf b = RG_BUF_INIT;

        rg_report_text(merged, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"), &b);
        printf("\n%sreport:  %s/index.html (and report.json, junit.xml)\n", rg_buf_str(&b),
               a->output);
        rg_buf_free(&b);
    }
    json_decref(merged);
    rg_errors_free(&errs);
    return rc;
}

RG_COMMAND(merge, "merge shards' run folders into one run and verdict", .name = "merge",
           .usage = "RUN_DIR...", .min_args = 1, .max_args = -1,
           .args_error = "give the shards' RUN_DIRs and -o OUT");
