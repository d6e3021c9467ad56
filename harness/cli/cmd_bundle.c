/* `ringgate bundle RUN_DIR --cell ID -o FILE.tar.gz`: a failed cell, packed for elsewhere. */
#include <stddef.h>
#include <stdio.h>

#include "cli/cmds.h"
#include "report/reproduce.h"
#include "util/ringgate.h"

static const char bundle_about[] =
    "Packs what another engineer needs to reproduce one cell of a run elsewhere: the\n"
    "scenario, the update and baseline packages, the trusted public keys, the run's report\n"
    "and the cell's console logs, cell.json (the cell and the host facts), images.json (the\n"
    "image, its digests and the recipe that builds it) and a README.txt with the commands.\n"
    "The packages and scenario must still match the report's digests. The archive is\n"
    "written atomically and is the same bytes for the same inputs.\n";
static const char bundle_more[] =
    "Exit: 0 written, 2 usage, unknown cell, changed or missing files.\n";

struct bundle_args {
    const char *cell, *output;
};
static const struct bundle_args bundle_defaults = {0};

#define AT(field) offsetof(struct bundle_args, field)

static const struct rg_option bundle_options[] = {
    RG_CLI_OPT_CELL(AT(cell)),
    RG_OPT_REQ_STRING('o', "output", AT(output), "FILE", "the archive (.tar.gz) to write"),
};

static int cmd_bundle(void *opts, int argc, char **argv)
{
    const struct bundle_args *a = opts;
    struct rg_errors errs = {0};

    (void)argc;
    if (rg_reproduce_bundle(argv[0], a->cell, a->output, &errs) < 0) {
        rg_errors_print(stderr, &errs);
        rg_errors_free(&errs);
        return RG_EXIT_USAGE;
    }
    printf("%s\n", a->output);
    return RG_EXIT_OK;
}

RG_COMMAND(bundle, "pack a run's cell for reproducing elsewhere", .name = "bundle",
           .usage = "RUN_DIR", .min_args = 1, .max_args = 1,
           .args_error = "give one RUN_DIR, --cell ID and -o FILE");
