/* `ringgate reproduce RUN_DIR --cell ID`: one cell of a recorded run, again, for an engineer. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmds.h"
#include "engine/run.h"
#include "report/reproduce.h"
#include "util/ringgate.h"

const char rg_usage_reproduce[] =
    "usage: ringgate reproduce RUN_DIR --cell ID [--keep] [--boot N] [--connect URI]\n"
    "                          [-o DIR] [-q | -v | --json-events]\n"
    "\n"
    "Runs one cell of a recorded run again, from RUN_DIR/report.json: the same scenario,\n"
    "update and baseline packages, image and cell parameters. Before any boot it checks\n"
    "that the scenario, the packages and the image files still have the sha256 the run\n"
    "recorded, and refuses (exit 2) naming each file that changed. The run's options that\n"
    "change what a cell does (--boot-anyway, --aa) apply again. The new run writes its own\n"
    "report folder. Run it from the folder the recorded run was started in (the report\n"
    "names files as the run did), or see `ringgate bundle`.\n"
    "\n"
    "  --cell ID        the cell: its id (tiny-1c-256m) or scenario/id\n"
    "  --keep           when the cell fails, keep its VM running for inspection: ringgate\n"
    "                   prints the console log, virsh and agent commands, and holds the VM\n"
    "                   until Ctrl-C (the embedded driver lives in this process), which\n"
    "                   destroys it and removes its overlay\n"
    "  --boot N         stop once boot N (numbered as in the report: 1 the baseline, 2 the\n"
    "                   candidate, then its reboots) is ready or over; with --keep the VM\n"
    "                   stays as it is then (e.g. --boot 2 --keep: the candidate before the\n"
    "                   next reboot). A cell stopped early without a finding is 'aborted'.\n"
    "  --connect URI    libvirt URI (default: the embedded driver)\n"
    "  -o, --output DIR report folder parent (default: reports)\n"
    "\n"
    "Exit: as `run`: 0 pass, 1 blocked, 2 input error or changed files, 3 inconclusive.\n";

int cmd_reproduce(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"cell", required_argument, NULL, 'C'},    {"keep", no_argument, NULL, 'K'},
        {"boot", required_argument, NULL, 'b'},    {"connect", required_argument, NULL, 'c'},
        {"output", required_argument, NULL, 'o'},  {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},       {"json-events", no_argument, NULL, 'J'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    struct rg_run_opts opts = {.fail_fast = 0};
    struct rg_reproduce r;
    struct rg_errors errs = {0};
    const char *cell = NULL;
    bool quiet = false, verbose = false, json = false;
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:qvh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'C':
            cell = optarg;
            break;
        case 'K':
            opts.keep = true;
            break;
        case 'b': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 1000)
                return rg_command_usage_error("reproduce", "--boot takes a boot number >= 1");
            opts.stop_after_boot = (int)v;
            break;
        }
        case 'c':
            opts.connect_uri = optarg;
            break;
        case 'o':
            opts.out_dir = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'v':
            verbose = true;
            break;
        case 'J':
            json = true;
            break;
        case 'h':
            fputs(rg_usage_reproduce, stdout);
            return RG_EXIT_OK;
        default:
            return rg_command_usage_error("reproduce", "unknown option");
        }
    }
    if (optind + 1 != argc || !cell)
        return rg_command_usage_error("reproduce", "give one RUN_DIR and --cell ID");
    if (rg_reproduce_plan(argv[optind], cell, true, &r, &errs) < 0) {
        rg_errors_print(stderr, &errs);
        rg_errors_free(&errs);
        return RG_EXIT_USAGE;
    }
    if (!quiet && !json)
        printf("reproducing %s of run %s (scenario %s, update %s)\n", r.cell, r.run_id,
               r.scenario, r.update);
    opts.update_override = r.update;
    opts.boot_anyway = r.boot_anyway;
    opts.aa = r.aa;
    opts.only_cell = r.cell;
    rc = rg_cli_execute(&r.scenario, 1, &opts, quiet, verbose, json);
    rg_reproduce_free(&r);
    return rc;
}
