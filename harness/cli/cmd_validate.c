/* `ringgate validate FILE...`: checks scenarios and prints every error of every file. */
#include <stddef.h>
#include <stdio.h>

#include "cli/cmds.h"
#include "model/scenario.h"
#include "util/ringgate.h"

static const char validate_about[] =
    "Checks each scenario file: YAML syntax, every key and value, the image names against\n"
    "the image catalogue, the matrix, and that referenced packages and keys exist.\n"
    "Every error is printed as FILE:LINE:COL: error: MESSAGE.\n";
static const char validate_more[] = "Exit: 0 all files valid, 2 any error.\n";

struct validate_args {
    bool no_files, quiet;
};
static const struct validate_args validate_defaults = {0};

#define AT(field) offsetof(struct validate_args, field)

static const struct rg_option validate_options[] = {
    RG_OPT_BOOL(0, "no-files", AT(no_files),
                "do not require referenced packages, keys and catalogue to exist"),
    RG_OPT_BOOL('q', "quiet", AT(quiet), "print errors only"),
};

static int cmd_validate(void *opts, int argc, char **argv)
{
    const struct validate_args *a = opts;
    struct rg_scenario_opts sopts = {.check_files = !a->no_files};
    int rc = RG_EXIT_OK;

    for (int i = 0; i < argc; i++) {
        struct rg_errors errs = {0};
        struct rg_scenario *sc = NULL;

        if (rg_scenario_load(argv[i], &sopts, &sc, &errs) < 0) {
            rg_errors_print(stderr, &errs);
            rc = RG_EXIT_USAGE;
        } else if (!a->quiet) {
            printf("%s: ok: scenario '%s', %zu cell%s\n", argv[i], sc->name, sc->ncells,
                   sc->ncells == 1 ? "" : "s");
        }
        rg_errors_free(&errs);
        rg_scenario_free(sc);
    }
    return rc;
}

RG_COMMAND(validate, "check scenario files and report every error", .name = "validate",
           .usage = "FILE...", .min_args = 1, .max_args = -1,
           .args_error = "no scenario file given");
