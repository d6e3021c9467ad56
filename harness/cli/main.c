/* ringgate's entry point: the git-style command table and dispatch. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmds.h"
#include "util/ringgate.h"

const struct rg_command rg_commands[] = {
    {"run", cmd_run, "boot the matrix, apply the update, decide pass/block", rg_usage_run},
    {"validate", cmd_validate, "check scenario files and report every error", rg_usage_validate},
    {"plan", cmd_plan, "show the cells a scenario's matrix expands to", rg_usage_plan},
    {"console-scan", cmd_console_scan, "find kernel crashes in console logs",
     rg_usage_console_scan},
    {"package", cmd_package, "build, verify and show signed update packages", rg_usage_package},
    {"attest", cmd_attest, "verify a run's signed verdict about a package", rg_usage_attest},
    {"reproduce", cmd_reproduce, "run one cell of a recorded run again, VM kept on failure",
     rg_usage_reproduce},
    {"bundle", cmd_bundle, "pack a run's cell for reproducing elsewhere", rg_usage_bundle},
    {"report", cmd_report, "regenerate a run's report as json, junit, html or text",
     rg_usage_report},
    {"gc", cmd_gc, "remove the VMs and files a killed run left behind", rg_usage_gc},
    {"help", cmd_help, "show help for ringgate or one command", rg_usage_help},
    {"version", cmd_version, "print the version", rg_usage_version},
};
const size_t rg_ncommands = sizeof(rg_commands) / sizeof(rg_commands[0]);

const struct rg_command *rg_command_find(const char *name)
{
    for (size_t i = 0; i < rg_ncommands; i++)
        if (rg_commands[i].fn && strcmp(rg_commands[i].name, name) == 0)
            return &rg_commands[i];
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

int main(int argc, char **argv)
{
    const struct rg_command *cmd;

    if (argc < 2) {
        char *help[] = {"help", NULL};
        cmd_help(1, help);
        return RG_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cmd_help(1, argv + 1);
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(1, argv + 1);
    cmd = rg_command_find(argv[1]);
    if (!cmd) {
        fprintf(stderr, "ringgate: '%s' is not a ringgate command. See 'ringgate help'.\n",
                argv[1]);
        return RG_EXIT_USAGE;
    }
    return cmd->fn(argc - 1, argv + 1);
}
