/* The CLI's command table: one entry per subcommand, each implemented in cmd_<name>.c. */
#ifndef RG_CMDS_H
#define RG_CMDS_H

#include <stdbool.h>
#include <stddef.h>

struct rg_run_opts;

struct rg_command {
    const char *name;
    int (*fn)(int argc, char **argv); /* argv[0] is the command name; returns an rg_exit code */
    const char *summary;
    const char *usage; /* the full help text printed by `ringgate help NAME` */
};

extern const struct rg_command rg_commands[];
extern const size_t rg_ncommands;

const struct rg_command *rg_command_find(const char *name);
/* Prints "usage error" text for cmd to stderr and returns RG_EXIT_USAGE. */
int rg_command_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_console_scan(int argc, char **argv);
int cmd_package(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_gc(int argc, char **argv);
int cmd_attest(int argc, char **argv);
int cmd_reproduce(int argc, char **argv);
int cmd_bundle(int argc, char **argv);

/* Runs scenarios the way `ringgate run` does (progress, signals, the summary); the exit code.
 * reproduce shares it. */
int rg_cli_execute(char *const *paths, size_t n, struct rg_run_opts *opts, bool quiet,
                   bool verbose, bool json);

extern const char rg_usage_help[], rg_usage_version[], rg_usage_validate[], rg_usage_plan[],
    rg_usage_console_scan[], rg_usage_package[], rg_usage_report[], rg_usage_run[], rg_usage_gc[],
    rg_usage_attest[], rg_usage_reproduce[], rg_usage_bundle[];

#endif
