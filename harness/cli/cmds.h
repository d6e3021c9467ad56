/* The CLI's command table: one entry per subcommand, each implemented in cmd_<name>.c with its
 * option table and help (struct rg_opt_spec) next to it. */
#ifndef RG_CMDS_H
#define RG_CMDS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/options.h"

struct rg_run_opts;

/* One command: cmd_<name>.c defines it, after its option table and its prose. */
struct rg_command {
    const char *summary; /* one line for `ringgate help` */
    /* Returns an rg_exit code. When spec.size is set, main parses the options first and fn
     * gets them (a struct of that size) and the operands; else opts is NULL and argv is as
     * given, argv[0] the command's name. */
    int (*fn)(void *opts, int argc, char **argv);
    struct rg_opt_spec spec; /* its name, options, usage and help (`ringgate help NAME`) */
};

/* Defines the command rg_cmd_<id> the usual way: main parses id_options into a copy of
 * id_defaults (a struct of the command's own) and calls cmd_<id>; its help is id_about, the
 * option list, id_more. The rest of struct rg_opt_spec (.name, .usage, the operands) follows
 * the summary. */
#define RG_COMMAND(id, summary_, ...)                                                          \
    const struct rg_command rg_cmd_##id = {                                                    \
        .summary = (summary_), .fn = cmd_##id,                                                 \
        .spec = {RG_OPTIONS(id##_options), .about = id##_about, .more = id##_more,             \
                 .defaults = &id##_defaults, .size = sizeof(id##_defaults), __VA_ARGS__}}

extern const struct rg_command rg_cmd_run, rg_cmd_validate, rg_cmd_plan, rg_cmd_merge,
    rg_cmd_console_scan, rg_cmd_package, rg_cmd_attest, rg_cmd_reproduce, rg_cmd_bundle,
    rg_cmd_report, rg_cmd_gc, rg_cmd_validate_channels, rg_cmd_help, rg_cmd_version;
/* The table, in the order `ringgate help` lists it. */
extern const struct rg_command *const rg_commands[];
extern const size_t rg_ncommands;

const struct rg_command *rg_command_find(const char *name);
/* Prints "usage error" text for cmd to stderr and returns RG_EXIT_USAGE. */
int rg_command_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints the command's whole help to stdout; returns RG_EXIT_OK. */
int rg_command_help(const struct rg_opt_spec *spec);

/* rg_command_parse's return when the command goes on. */
#define RG_CLI_GO (-1)
/* Parses argv with spec into the struct at into (main does it for commands with a spec.size;
 * the others call it themselves). RG_CLI_GO when the command goes on with its operands from
 * argv[*first]; otherwise the help or the usage error is printed and the return value is the
 * exit code. */
int rg_command_parse(const struct rg_opt_spec *spec, int argc, char **argv, void *into,
                     int *first);

/* How a run shows its progress (run and reproduce). */
struct rg_cli_view {
    bool quiet, verbose, json;
    const char *summary_md; /* run --summary-md FILE */
    bool step_summary;      /* without it, append to $GITHUB_STEP_SUMMARY if set (run only) */
    const char *metrics;    /* run --metrics FILE */
    bool annotations;       /* run --github-annotations */
};

/* Options more than one command has; at is the offset of the field they set. */
#define RG_CLI_OPT_CONNECT(at)                                                                 \
    RG_OPT_STRING(0, "connect", (at), "URI",                                                   \
                  "libvirt URI (default: the embedded driver, "                                \
                  "qemu:///embed?root=<state dir>/libvirt, no daemon needed)")
#define RG_CLI_OPT_CELL(at)                                                                    \
    RG_OPT_REQ_STRING(0, "cell", (at), "ID", "the cell: its id (tiny-1c-256m) or scenario/id")
#define RG_CLI_OPT_JOBS(at)                                                                    \
    RG_OPT_INT('j', "jobs", (at), "N", 1, 256, "-j takes a number from 1 to 256",              \
               "cells in parallel (default: the scenario's gate.jobs, else the core count)")
#define RG_CLI_OPT_OUTPUT(at)                                                                  \
    RG_OPT_STRING('o', "output", (at), "DIR",                                                  \
                  "report folder parent (default: reports); the run writes "                   \
                  "DIR/<run-id>/report.json and each cell's console log")
/* at: the offset of a struct rg_cli_view. */
#define RG_CLI_OPT_VIEW(at)                                                                    \
    RG_OPT_BOOL('q', "quiet", (at) + offsetof(struct rg_cli_view, quiet),                      \
                "print only the verdict"),                                                     \
    RG_OPT_OR_BOOL('v', "verbose", (at) + offsetof(struct rg_cli_view, verbose),               \
                   "print every event (on a terminal the default is a live table of the "      \
                   "cells' states; NO_COLOR or a pipe gives plain lines)"),                    \
    RG_OPT_OR_BOOL(0, "json-events", (at) + offsetof(struct rg_cli_view, json),                \
                   "one JSON object per state change on stdout")

/* Runs scenarios the way `ringgate run` does (progress, signals, the summary); the exit code.
 * reproduce shares it. */
int rg_cli_execute(char *const *paths, size_t n, struct rg_run_opts *opts,
                   const struct rg_cli_view *view);

#endif
