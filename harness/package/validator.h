/* Content validators: a command the scenario names, run on the host before any boot. */
#ifndef RG_VALIDATOR_H
#define RG_VALIDATOR_H

#include <stdbool.h>
#include <stddef.h>

#include "package/package.h"
#include "util/error.h"

#define RG_VALIDATOR_MAX_OUTPUT (64 * 1024) /* bytes of output kept; the rest is drained */

/* What a validator that ran to its end said. */
struct rg_validator_result {
    bool accepted;  /* exit 0; else exit 1, a rejection */
    char **lines;   /* its output (stdout and stderr), one line each, empty lines dropped */
    size_t nlines;
    bool truncated; /* it wrote more than RG_VALIDATOR_MAX_OUTPUT bytes */
};

/* The protocol: extracts the verified package's files to a fresh temporary folder (as laid
 * out in the package: files/...), runs argv with stdin /dev/null, its output captured, in a
 * process group of its own, and always removes the folder. In argv, {dir} is that folder,
 * {package} pkg's path and {version} its version; argv[0] "ringgate" is this program. Exit 0
 * accepts, 1 rejects (res holds the output either way); anything else, a signal, a program
 * that cannot run or a run longer than timeout_s (the group is sent SIGTERM, then SIGKILL)
 * returns -1 with err naming the command and what happened. SIGINT or SIGTERM meanwhile
 * stops it the same way; once the folder is gone the signal is raised again under the
 * caller's own disposition. */
int rg_validator_run(const struct rg_package *pkg, const char *const *argv, int timeout_s,
                     struct rg_validator_result *res, struct rg_error *err);
void rg_validator_result_free(struct rg_validator_result *res);

/* "prog arg arg" as written (placeholders unfilled), for messages and reports. */
char *rg_validator_command_text(const char *const *argv);

#endif
