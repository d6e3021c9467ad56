/* `ringgate run SCENARIO...`: the gate. Boots the matrix, applies the update, decides. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmds.h"
#include "engine/run.h"
#include "report/events.h"
#include "report/publish.h"
#include "report/report.h"
#include "util/clock.h"
#include "util/ringgate.h"

const char rg_usage_run[] =
    "usage: ringgate run [OPTIONS] SCENARIO|FOLDER...\n"
    "\n"
    "Verifies the update packages (signature, hashes, version) and runs the content\n"
    "validator before any VM boots, then for every cell of every scenario: boots the\n"
    "baseline, applies the update through the guest agent, reboots boot.reboots times,\n"
    "and blocks on crashes, boot loops and hangs; after a blocked candidate it proves the\n"
    "rollback (checks.rollback). Several scenarios or a folder of them make one suite.\n"
    "\n"
    "Performance (checks.performance): candidate and baseline twin sampled in interleaved\n"
    "pairs. A metric blocks (perf-regression) only when its shift's whole confidence\n"
    "interval is above max_regression_pct; it passes when the one-sided test is not\n"
    "significant at alpha or the interval is below the threshold; otherwise more pairs are\n"
    "taken, up to max_samples (at most 4 looks, each interval at 1 - alpha/looks), and a\n"
    "metric still undecided there is perf-inconclusive (performance.inconclusive, default\n"
    "warn). A good update is blocked with probability at most alpha/2.\n"
    "\n"
    "  --connect URI      libvirt URI (default: the embedded driver,\n"
    "                     qemu:///embed?root=<state dir>/libvirt, no daemon needed)\n"
    "  -j, --jobs N       cells in parallel (default: gate.jobs, else the core count)\n"
    "  --fail-fast        stop the other cells at the first blocking finding\n"
    "  --no-fail-fast     run every cell to its end (default: gate.fail_fast)\n"
    "  -o, --output DIR   report folder parent (default: reports); the run writes\n"
    "                     DIR/<run-id>/report.json and each cell's console log\n"
    "  --update PKG       test this package instead of the scenarios' update.package\n"
    "  --accel MODE       auto (default: KVM only where the CPU and libvirt allow it),\n"
    "                     kvm or tcg\n"
    "  --boot-anyway      boot even when the content validator rejects the update\n"
    "  --aa               A/A run: nothing is applied, the baseline is measured against\n"
    "                     itself and nothing blocks; the report counts false blocks and\n"
    "                     inconclusive metrics (aa.*), gives each metric's noise and\n"
    "                     smallest detectable shift, and warns (perf-noise) where\n"
    "                     max_regression_pct is finer than that: calibrate with it\n"
    "  --attest KEY       sign the verdict: a run that passes or blocks writes\n"
    "                     attestation.json (in-toto test-result in a DSSE envelope, Ed25519\n"
    "                     PEM key); `ringgate attest verify` checks it\n"
    "  -q, --quiet        print only the verdict\n"
    "  -v, --verbose      print every event (on a terminal the default is a live table\n"
    "                     of the cells' states; NO_COLOR or a pipe gives plain lines)\n"
    "  --json-events      one JSON object per state change on stdout\n"
    "\n"
    "State: $RINGGATE_STATE_DIR, else /var/lib/ringgate as root, else\n"
    "$XDG_STATE_HOME/ringgate. A killed run's leftovers are removed by `ringgate gc` and by\n"
    "the next run.\n"
    "\n"
    "Exit: 0 pass, 1 blocked, 2 usage error or refused package, 3 inconclusive or aborted.\n";

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

static int parse_accel(const char *s, enum rg_accel *out)
{
    if (strcmp(s, "auto") == 0)
        *out = RG_ACCEL_AUTO;
    else if (strcmp(s, "kvm") == 0)
        *out = RG_ACCEL_KVM;
    else if (strcmp(s, "tcg") == 0)
        *out = RG_ACCEL_TCG;
    else
        return -1;
    return 0;
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

int cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"connect", required_argument, NULL, 'c'}, {"jobs", required_argument, NULL, 'j'},
        {"fail-fast", no_argument, NULL, 'F'},     {"no-fail-fast", no_argument, NULL, 'N'},
        {"output", required_argument, NULL, 'o'},  {"update", required_argument, NULL, 'u'},
        {"accel", required_argument, NULL, 'a'},   {"boot-anyway", no_argument, NULL, 'B'},
        {"quiet", no_argument, NULL, 'q'},         {"verbose", no_argument, NULL, 'v'},
        {"json-events", no_argument, NULL, 'J'},   {"help", no_argument, NULL, 'h'},
        {"aa", no_argument, NULL, 'A'},            {"attest", required_argument, NULL, 'S'},
        {NULL, 0, NULL, 0}};
    struct rg_run_opts opts = {.fail_fast = -1};
    struct cli cli = {0};
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "j:o:qvh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            opts.connect_uri = optarg;
            break;
        case 'j': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 256)
                return rg_command_usage_error("run", "-j takes a number from 1 to 256");
            opts.jobs = (int)v;
            break;
        }
        case 'F':
            opts.fail_fast = 1;
            break;
        case 'N':
            opts.fail_fast = 0;
            break;
        case 'o':
            opts.out_dir = optarg;
            break;
        case 'u':
            opts.update_override = optarg;
            break;
        case 'a':
            if (parse_accel(optarg, &opts.accel) < 0)
                return rg_command_usage_error("run", "--accel takes auto, kvm or tcg");
            break;
        case 'B':
            opts.boot_anyway = true;
            break;
        case 'A':
            opts.aa = true;
            break;
        case 'S':
            opts.attest_key = optarg;
            break;
        case 'q':
            cli.quiet = true;
            break;
        case 'v':
            cli.verbose = true;
            break;
        case 'J':
            cli.json = true;
            break;
        case 'h':
            fputs(rg_usage_run, stdout);
            return RG_EXIT_OK;
        default:
            return rg_command_usage_error("run", "unknown option");
        }
    }
    if (optind >= argc)
        return rg_command_usage_error("run", "no scenario given");
    return rg_cli_execute(argv + optind, (size_t)(argc - optind), &opts, cli.quiet, cli.verbose,
                          cli.json);
}

int rg_cli_execute(char *const *paths, size_t n, struct rg_run_opts *opts, bool quiet,
                   bool verbose, bool json)
{
    struct cli cli = {.quiet = quiet, .verbose = verbose, .json = json};
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
    if (errs.n)
        rg_errors_print(stderr, &errs);
    if (run && !cli.quiet)
        print_summary(run, &cli);
    else if (run)
        printf("%s\n", rg_verdict_name(run->verdict));
    rg_errors_free(&errs);
    rg_run_free(run);
    return rc;
}
