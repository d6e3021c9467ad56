/* `ringgate bundle RUN_DIR --cell ID -o FILE.tar.gz`: a failed cell, packed for elsewhere. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cmds.h"
#include "report/reproduce.h"
#include "util/ringgate.h"

const char rg_usage_bundle[] =
    "usage: ringgate bundle RUN_DIR --cell ID -o FILE.tar.gz\n"
    "\n"
    "Packs what another engineer needs to reproduce one cell of a run elsewhere: the\n"
    "scenario, the update and baseline packages, the trusted public keys, the run's report\n"
    "and the cell's console logs, cell.json (the cell and the host facts), images.json (the\n"
    "image, its digests and the recipe that builds it) and a README.txt with the commands.\n"
    "The packages and scenario must still match the report's digests. The archive is\n"
    "written atomically and is the same bytes for the same inputs.\n"
    "\n"
    "Exit: 0 written, 2 usage, unknown cell, changed or missing files.\n";

int cmd_bundle(int argc, char **argv)
{
    static const struct option longopts[] = {{"cell", required_argument, NULL, 'C'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *cell = NULL, *out = NULL;
    struct rg_errors errs = {0};
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'C':
            cell = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            fputs(rg_usage_bundle, stdout);
            return RG_EXIT_OK;
        default:
            return rg_command_usage_error("bundle", "unknown option");
        }
    }
    if (optind + 1 != argc || !cell || !out)
        return rg_command_usage_error("bundle", "give one RUN_DIR, --cell ID and -o FILE");
    if (rg_reproduce_bundle(argv[optind], cell, out, &errs) < 0) {
        rg_errors_print(stderr, &errs);
        rg_errors_free(&errs);
        return RG_EXIT_USAGE;
    }
    printf("%s\n", out);
    return RG_EXIT_OK;
}
