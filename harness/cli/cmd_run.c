/* `ringgate run SCENARIO...`: the gate. Boots the matrix, applies the update, decides. */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmds.h"
#include "engine/run.h"
#include "model/shard.h"
#include "report/events.h"
#include "report/publish.h"
#include "report/report.h"
#include "util/clock.h"
#include "util/ringgate.h"

static const char run_about[] =
    "Verifies the update packages (signature, hashes, version) and runs the content\n"
    "validator before any VM boots, then for every cell of every scenario: boots the\n"
    "baseline, applies the update through the guest agent, reboots boot.reboots times,\n"
    "and blocks on crashes, boot loops and hangs; after a blocked candidate it proves the\n"
    "rollback (checks.rollback). Several scenarios or a folder of them make one suite.\n"
    "A suite runs with the first scenario's gate.jobs, gate.fail_fast and gate.retries (in\n"
    "the order given, a folder's in name order): the other scenarios' gate sections are\n"
    "not read (-j, --fail-fast and --no-fail-fast set the first two for the whole\n"
    "suite).\n"
    "\n"
    "Performance (checks.performance): candidate and baseline twin sampled in interleaved\n"
    "pairs. A metric blocks (perf-regression) only when its shift's whole confidence\n"
    "interval is above max_regression_pct; it passes when the one-sided test is not\n"
    "significant at alpha or the interval is below the threshold; otherwise more pairs are\n"
    "taken, up to max_samples (at most 4 looks, each interval at 1 - alpha/looks), and a\n"
    "metric still undecided there is perf-inconclusive (performance.inconclusive, default\n"
    "warn). A good update is blocked with probability at most alpha/2.\n";
static const char run_more[] =
    "State: $RINGGATE_STATE_DIR, else /var/lib/ringgate as root, else\n"
    "$XDG_STATE_HOME/ringgate. A killed run's leftovers are removed by `ringgate gc` and by\n"
    "the next run.\n"
    "\n"
    "A summary, metrics or annotations that cannot be written are reported on standard\n"
    "error, named; they change neither the verdict nor the exit code.\n"
    "\n"
    "Exit: 0 pass, 1 blocked, 2 usage error or refused package, 3 inconclusive or aborted.\n";

struct run_args {
    struct rg_run_opts run;
    struct rg_cli_view view;
    int accel;
    const char *shard; /* "I/N" */
};
static const struct run_args run_defaults = {
    .run = {.fail_fast = -1}, .view = {.step_summary = true}, .accel = RG_ACCEL_AUTO};

#define AT(field) offsetof(struct run_args, field)

static const struct rg_opt_choice accels[] = {
    {"auto", RG_ACCEL_AUTO, NULL}, {"kvm", RG_ACCEL_KVM, NULL}, {"tcg", RG_ACCEL_TCG, NULL},
    {NULL, 0, NULL}};

static const struct rg_option run_options[] = {
    RG_CLI_OPT_CONNECT(AT(run.connect_uri)),
    RG_CLI_OPT_JOBS(AT(run.jobs)),
    RG_OPT_SET(0, "fail-fast", AT(run.fail_fast), 1,
               "stop the other cells at the first blocking finding"),
    RG_OPT_OR_SET(0, "no-fail-fast", AT(run.fail_fast), 0,
                  "run every cell to its end (default: gate.fail_fast)"),
    RG_CLI_OPT_OUTPUT(AT(run.out_dir)),
    RG_OPT_STRING(0, "update", AT(run.update_override), "PKG",
                  "test this package instead of the scenarios' update.package"),
    RG_OPT_CHOICE(0, "accel", AT(accel), "MODE", accels, "--accel takes auto, kvm or tcg",
                  "auto (default: KVM only where the CPU and libvirt allow it), kvm or tcg"),
    RG_OPT_BOOL(0, "boot-anyway", AT(run.boot_anyway),
                "boot even when the content validator rejects the update"),
    RG_OPT_BOOL(0, "aa", AT(run.aa),
                "A/A run: nothing is applied, the baseline is measured against itself and "
                "nothing blocks; the report counts false blocks and inconclusive metrics "
                "(aa.*), gives each metric's noise and smallest detectable shift, and warns "
                "(perf-noise) where max_regression_pct is finer than that: calibrate with it"),
    RG_OPT_STRING(0, "attest", AT(run.attest_key), "KEY",
                  "sign the verdict: a run that passes or blocks writes attestation.json "
                  "(in-toto test-result in a DSSE envelope, Ed25519 PEM key); `ringgate attest "
                  "verify` checks it"),
    RG_OPT_STRING(0, "shard", AT(shard), "I/N",
                  "run only shard I (from 0) of N: the planned cells of all the scenarios "
                  "split the same way on every host, balanced by their time estimates "
                  "(`ringgate plan --shards N` shows the split); report.json records the plan, "
                  "this shard's cells and the digests under \"shard\""),
    RG_OPT_STRING(0, "summary-md", AT(view.summary_md), "FILE",
                  "write a Markdown summary (verdict, exit code, the matrix with each cell's "
                  "verdict, the blocking findings deduplicated, at most 50) to FILE; without "
                  "it, the summary is appended to $GITHUB_STEP_SUMMARY when that is set"),
    RG_OPT_STRING(0, "metrics", AT(view.metrics), "FILE",
                  "write the run as a Prometheus textfile (for node_exporter's textfile "
                  "collector; name it *.prom): run and cell verdicts, durations, boots, "
                  "findings by class, ringgate_last_run_timestamp_seconds and "
                  "ringgate_last_pass_timestamp_seconds (kept from the FILE it replaces while "
                  "runs do not pass); written atomically"),
    RG_OPT_BOOL(0, "github-annotations", AT(view.annotations),
                "after the run, print GitHub Actions `::error` commands for the blocking "
                "findings and content-validator refusals, or for the errors that stopped "
                "the run before it began (scenario or package refused; with file and line), "
                "at most 10, then a `::notice` counting the rest; on standard error with "
                "--json-events"),
    RG_CLI_OPT_VIEW(AT(view)),
};

#define TABLE_MAX 256

struct cli {
    bool quiet, verbose, json;
    bool table; /* a live table on a terminal instead of one line per state change */
    size_t rows, drawn;
    struct {
        char cell[160], state[24], detail[120];
    } row[TABLE_MAX];
};

/* Redraws the table in place: up over the rows drawn last time, each row rewritten. */
static void table_draw(struct cli *cli)
{
    if (cli->drawn)
        printf("\033[%zuA", cli->drawn);
    for (size_t i = 0; i < cli->rows; i++)
        printf("\r\033[K  %-40.40s %-14s %.70s\n", cli->row[i].cell, cli->row[i].state,
               cli->row[i].detail);
    cli->drawn = cli->rows;
    fflush(stdout);
}

static void table_update(struct cli *cli, const struct rg_cell_result *res, const char *state,
                         const char *detail)
{
    char cell[160];
    size_t i;

    snprintf(cell, sizeof(cell), "%s/%s", res->scenario, res->cell.id);
    for (i = 0; i < cli->rows && strcmp(cli->row[i].cell, cell) != 0; i++)
        ;
    if (i == cli->rows) {
        if (cli->rows == TABLE_MAX)
            return;
        cli->rows++;
        snprintf(cli->row[i].cell, sizeof(cli->row[i].cell), "%s", cell);
    }
    snprintf(cli->row[i].state, sizeof(cli->row[i].state), "%s", state);
    snprintf(cli->row[i].detail, sizeof(cli->row[i].detail), "%s", detail);
    table_draw(cli);
}

static void on_signal(int sig)
{
    (void)sig;
    rg_run_interrupt();
}

static void on_progress(void *opaque, const struct rg_cell_result *res, const char *state,
                        const char *detail)
{
    struct cli *cli = opaque;
    static const char *const quiet_types[] = {"start", "destroy", "stopped", "pvpanic", NULL};

    if (strcmp(state, "kept") == 0 && res->kept_hint[0]) {
        /* Whatever the output mode: the engineer needs this to get in. */
        fprintf(cli->json ? stderr : stdout, "\n%s\n", res->kept_hint);
        fflush(cli->json ? stderr : stdout);
    }
    if (cli->json) {
        char *line = rg_event_json(rg_wall_now(), res->scenario, res->cell.id, state, detail);

        if (line)
            puts(line);
        free(line);
        fflush(stdout);
        return;
    }
    if (cli->quiet)
        return;
    if (cli->table) {
        table_update(cli, res, state, detail);
        return;
    }
    if (!cli->verbose)
        for (size_t i = 0; quiet_types[i]; i++)
            if (strcmp(state, quiet_types[i]) == 0)
                return;
    printf("%-36s %-16s %s\n", res->cell.id, state, detail);
    fflush(stdout);
}

static void print_summary(const struct rg_run *run, const struct cli *cli)
{
    FILE *out = cli->json ? stderr : stdout;
    struct rg_buf b = RG_BUF_INIT;
    struct rg_error err;
    json_t *report;

    if (rg_report_load(run->dir, &report, &err) < 0) {
        rg_error_print(stderr, &err);
        return;
    }
    rg_report_text(report, isatty(fileno(out)) && !getenv("NO_COLOR"), &b);
    fprintf(out, "\n%sreport:  %s/index.html (and report.json, junit.xml)\n", rg_buf_str(&b),
            run->dir);
    if (run->attested)
        fprintf(out, "attestation: %s/attestation.json\n", run->dir);
    rg_buf_free(&b);
    json_decref(report);
}

/* --summary-md FILE, else GitHub Actions' job summary: a missing summary fails nothing (the
 * verdict stands), it is reported with the other errors. */
static void write_summary_md(const struct rg_run *run, const struct rg_cli_view *view,
                             struct rg_errors *errs)
{
    const char *step = getenv("GITHUB_STEP_SUMMARY");

    if (view->summary_md)
        rg_publish_summary_md(run, view->summary_md, false, errs);
    else if (view->step_summary && step && *step)
        rg_publish_summary_md(run, step, true, errs);
}

/* --github-annotations: workflow commands on standard output (standard error when stdout
 * carries JSON events: the runner reads commands from both). A run's blocking findings; or,
 * when there is no run, the errors that stopped it. */
static void print_annotations(const struct rg_run *run, const struct rg_errors *errs,
                              const struct cli *cli)
{
    struct rg_buf b = RG_BUF_INIT;
    struct rg_error err;
    json_t *report = NULL;

    if (!run) {
        rg_report_annotate_errors(errs, &b);
    } else if (rg_report_load(run->dir, &report, &err) < 0) {
        rg_error_print(stderr, &err);
        return;
    } else {
        rg_report_annotations(report, &b);
    }
    fputs(rg_buf_str(&b), cli->json ? stderr : stdout);
    fflush(cli->json ? stderr : stdout);
    rg_buf_free(&b);
    json_decref(report);
}

static int cmd_run(void *opts, int argc, char **argv)
{
    struct run_args *a = opts;

    a->run.accel = (enum rg_accel)a->accel;
    if (a->shard) {
        struct rg_error err;

        if (rg_shard_parse(a->shard, &a->run.shard_index, &a->run.shard_count, &err) < 0)
            return rg_command_usage_error("run", "%s", err.msg);
    }
    return rg_cli_execute(argv, (size_t)argc, &a->run, &a->view);
}

RG_COMMAND(run, "boot the matrix, apply the update, decide pass/block", .name = "run",
           .usage = "SCENARIO|FOLDER...", .min_args = 1, .max_args = -1,
           .args_error = "no scenario given");

int rg_cli_execute(char *const *paths, size_t n, struct rg_run_opts *opts,
                   const struct rg_cli_view *view)
{
    struct cli cli = {.quiet = view->quiet, .verbose = view->verbose, .json = view->json};
    struct rg_errors errs = {0};
    struct rg_run *run = NULL;
    struct sigaction sa = {0};
    int rc;

    cli.table = !cli.json && !cli.quiet && !cli.verbose && isatty(STDOUT_FILENO) &&
                !getenv("NO_COLOR");
    opts->progress = on_progress;
    opts->opaque = &cli;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = rg_run_execute(paths, n, opts, &run, &errs);
    if (run)
        rc = rg_publish(run, opts->attest_key, &errs);
    if (run)
        write_summary_md(run, view, &errs);
    if (run && view->metrics)
        rg_publish_metrics(run, view->metrics, &errs);
    if (errs.n)
        rg_errors_print(stderr, &errs);
    if (run && !cli.quiet)
        print_summary(run, &cli);
    else if (run)
        printf("%s\n", rg_verdict_name(run->verdict));
    if (view->annotations)
        print_annotations(run, &errs, &cli);
    rg_errors_free(&errs);
    rg_run_free(run);
    return rc;
}
