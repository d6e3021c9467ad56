/* `ringgate validate FILE...`: checks scenarios and prints every error of every file. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cmds.h"
#include "model/scenario.h"
#include "util/ringgate.h"

const char rg_usage_validate[] =
    "usage: ringgate validate [--no-files] [--quiet] FILE...\n"
    "\n"
    "Checks each scenario file: YAML syntax, every key and value, the image names against\n"
    "the image catalogue, the matrix, and that referenced packages and keys exist.\n"
    "Every error is printed as FILE:LINE:COL: error: MESSAGE.\n"
    "\n"
    "  --no-files   do not require referenced packages, keys and catalogue to exist\n"
    "  -q, --quiet  print errors only\n"
    "\n"
    "Exit: 0 all files valid, 2 any error.\n";

int cmd_validate(int argc, char **argv)
{
    static const struct option longopts[] = {{"no-files", no_argument, NULL, 'n'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    struct rg_scenario_opts opts = {.check_files = true};
    bool quiet = false;
    int rc = RG_EXIT_OK, opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'n':
            opts.check_files = false;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            fputs(rg_usage_validate, stdout);
            return RG_EXIT_OK;
        default:
            return rg_command_usage_error("validate", "unknown option");
        }
    }
    if (optind >= argc)
        return rg_command_usage_error("validate", "no scenario file given");
    for (int i = optind; i < argc; i++) {
        struct rg_errors errs = {0};
        struct rg_scenario *sc = NULL;

        if (rg_scenario_load(argv[i], &opts, &sc, &errs) < 0) {
            rg_errors_print(stderr, &errs);
            rc = RG_EXIT_USAGE;
        } else if (!quiet) {
            printf("%s: ok: scenario '%s', %zu cell%s\n", argv[i], sc->name, sc->ncells,
                   sc->ncells == 1 ? "" : "s");
        }
        rg_errors_free(&errs);
        rg_scenario_free(sc);
    }
    return rc;
}
