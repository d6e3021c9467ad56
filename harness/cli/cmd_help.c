/* `ringgate help [CMD]`: the command list, or one command's full help. */
#include <stdio.h>

#include "cli/cmds.h"
#include "util/ringgate.h"

static void help_list(void)
{
    printf("usage: ringgate COMMAND [ARGS...]\n\n"
           "ringgate boots a matrix of VMs, applies a candidate content or driver update,\n"
           "reboots them and refuses the update on crashes, boot loops, hangs and regressions.\n\n"
           "Commands:\n");
    for (size_t i = 0; i < rg_ncommands; i++)
        printf("  %-17s %s\n", rg_commands[i]->spec.name, rg_commands[i]->summary);
    printf("\nExit codes: 0 pass/ok, 1 blocked (or a crash found), 2 usage or input error,\n"
           "3 inconclusive (infrastructure failure).\n"
           "See 'ringgate help COMMAND' for one command's options.\n");
}

static int cmd_help(void *opts, int argc, char **argv)
{
    const struct rg_command *cmd;
    int rc, first;

    (void)opts;
    rc = rg_command_parse(&rg_cmd_help.spec, argc, argv, NULL, &first);
    if (rc != RG_CLI_GO)
        return rc;
    if (first == argc) {
        help_list();
        return RG_EXIT_OK;
    }
    cmd = rg_command_find(argv[first]);
    if (!cmd) {
        fprintf(stderr, "ringgate help: no command '%s'. See 'ringgate help'.\n", argv[first]);
        return RG_EXIT_USAGE;
    }
    return rg_command_help(&cmd->spec);
}

/* No option table: every word is a command name, "--help" too. */
const struct rg_command rg_cmd_help = {
    .summary = "show help for ringgate or one command", .fn = cmd_help,
    .spec = {.name = "help", .usage = "[COMMAND]", .max_args = 1,
             .args_error = "expected at most one command name",
             .about = "Without COMMAND, lists the commands; with it, shows its options.\n"}};
