/* ringgate's entry point: the git-style command table, dispatch, and option parsing by table. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds.h"
#include "util/ringgate.h"

const struct rg_command *const rg_commands[] = {
    &rg_cmd_run,     &rg_cmd_validate, &rg_cmd_plan,      &rg_cmd_merge,
    &rg_cmd_console_scan, &rg_cmd_package, &rg_cmd_validate_channels, &rg_cmd_attest,
    &rg_cmd_reproduce, &rg_cmd_bundle, &rg_cmd_report, &rg_cmd_gc, &rg_cmd_help,
    &rg_cmd_version,
};
const size_t rg_ncommands = sizeof(rg_commands) / sizeof(rg_commands[0]);

const struct rg_command *rg_command_find(const char *name)
{
    for (size_t i = 0; i < rg_ncommands; i++)
        if (strcmp(rg_commands[i]->spec.name, name) == 0)
            return rg_commands[i];
    return NULL;
}

int rg_command_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "ringgate %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'ringgate help %s'.\n", cmd);
    return RG_EXIT_USAGE;
}

int rg_command_help(const struct rg_opt_spec *spec)
{
    struct rg_buf b = RG_BUF_INIT;

    rg_options_help(&b, "ringgate", spec);
    fputs(rg_buf_str(&b), stdout);
    rg_buf_free(&b);
    return RG_EXIT_OK;
}

int rg_command_parse(const struct rg_opt_spec *spec, int argc, char **argv, void *into,
                     int *first)
{
    struct rg_error err;
    int rc = rg_options_parse(spec, argc, argv, into, first, &err);

    if (rc == RG_OPTIONS_HELP)
        return rg_command_help(spec);
    if (rc < 0)
        return rg_command_usage_error(spec->name, "%s", err.msg);
    return RG_CLI_GO;
}

/* Parses the command's options as its spec says, then runs it. */
static int dispatch(const struct rg_command *cmd, int argc, char **argv)
{
    const struct rg_opt_spec *spec = &cmd->spec;
    void *opts;
    int rc, first;

    if (!spec->size)
        return cmd->fn(NULL, argc, argv);
    opts = calloc(1, spec->size);
    if (!opts) {
        fprintf(stderr, "ringgate %s: out of memory\n", spec->name);
        return RG_EXIT_INCONCLUSIVE;
    }
    if (spec->defaults)
        memcpy(opts, spec->defaults, spec->size);
    rc = rg_command_parse(spec, argc, argv, opts, &first);
    if (rc == RG_CLI_GO)
        rc = cmd->fn(opts, argc - first, argv + first);
    free(opts);
    return rc;
}

int main(int argc, char **argv)
{
    const struct rg_command *cmd;

    if (argc < 2) {
        char *help[] = {"help", NULL};
        rg_cmd_help.fn(NULL, 1, help);
        return RG_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return rg_cmd_help.fn(NULL, 1, argv + 1);
    if (strcmp(argv[1], "--version") == 0)
        return rg_cmd_version.fn(NULL, 1, argv + 1);
    cmd = rg_command_find(argv[1]);
    if (!cmd) {
        fprintf(stderr, "ringgate: '%s' is not a ringgate command. See 'ringgate help'.\n",
                argv[1]);
        return RG_EXIT_USAGE;
    }
    return dispatch(cmd, argc - 1, argv + 1);
}
