/* `ringgate reproduce RUN_DIR --cell ID`: one cell of a recorded run, again, for an engineer. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmds.h"
#include "engine/run.h"
#include "report/reproduce.h"
#include "util/ringgate.h"

static const char reproduce_about[] =
    "Runs one cell of a recorded run again, from RUN_DIR/report.json: the same scenario,\n"
    "update and baseline packages, image and cell parameters. Before any boot it checks\n"
    "that the scenario, the packages and the image files still have the sha256 the run\n"
    "recorded, and refuses (exit 2) naming each file that changed. The run's options that\n"
    "change what a cell does (--boot-anyway, --aa) apply again. The new run writes its own\n"
    "report folder. Run it from the folder the recorded run was started in (the report\n"
    "names files as the run did), or see `ringgate bundle`.\n";
static const char reproduce_more[] =
    "Exit: as `run`: 0 pass, 1 blocked, 2 input error or changed files, 3 inconclusive.\n";

struct reproduce_args {
    struct rg_run_opts run;
    struct rg_cli_view view;
    const char *cell;
};
static const struct reproduce_args reproduce_defaults = {.run = {.fail_fast = 0}};

#define AT(field) offsetof(struct reproduce_args, field)

static const struct rg_option reproduce_options[] = {
    RG_CLI_OPT_CELL(AT(cell)),
    RG_OPT_BOOL(0, "keep", AT(run.keep),
                "when the cell fails, keep its VM running for inspection: ringgate prints the "
                "console log, virsh and agent commands, and holds the VM until Ctrl-C (the "
                "embedded driver lives in this process), which destroys it and removes its "
                "overlay"),
    RG_OPT_INT(0, "boot", AT(run.stop_after_boot), "N", 1, 1000,
               "--boot takes a boot number >= 1",
               "stop once boot N (numbered as in the report: 1 the baseline, 2 the candidate, "
               "then its reboots) is ready or over; with --keep the VM stays as it is then "
               "(e.g. --boot 2 --keep: the candidate before the next reboot). A cell stopped "
               "early without a finding is 'aborted'."),
    RG_CLI_OPT_CONNECT(AT(run.connect_uri)),
    RG_CLI_OPT_OUTPUT(AT(run.out_dir)),
    RG_CLI_OPT_VIEW(AT(view)),
};

static int cmd_reproduce(void *opts, int argc, char **argv)
{
    struct reproduce_args *a = opts;
    struct rg_reproduce r;
    struct rg_errors errs = {0};
    int rc;

    (void)argc;
    if (rg_reproduce_plan(argv[0], a->cell, true, &r, &errs) < 0) {
        rg_errors_print(stderr, &errs);
        rg_errors_free(&errs);
        return RG_EXIT_USAGE;
    }
    if (!a->view.quiet && !a->view.json)
        printf("reproducing %s of run %s (scenario %s, update %s)\n", r.cell, r.run_id,
               r.scenario, r.update);
    a->run.update_override = r.update;
    a->run.boot_anyway = r.boot_anyway;
    a->run.aa = r.aa;
    a->run.only_cell = r.cell;
    rc = rg_cli_execute(&r.scenario, 1, &a->run, &a->view);
    rg_reproduce_free(&r);
    return rc;
}

RG_COMMAND(reproduce, "run one cell of a recorded run again, VM kept on failure",
           .name = "reproduce", .usage = "RUN_DIR", .min_args = 1, .max_args = 1,
           .args_error = "give one RUN_DIR and --cell ID");
