/* `ringgate help [CMD]`: the command list, or one command's full help. */
#include <stdio.h>

#include "cli/cmds.h"
#include "util/ringgate.h"

const char rg_usage_help[] = "usage: ringgate help [COMMAND]\n"
                             "\n"
                             "Without COMMAND, lists the commands; with it, shows its options.\n";

static void help_list(void)
{
    printf("usage: ringgate COMMAND [ARGS...]\n\n"
           "ringgate boots a matrix of VMs, applies a candidate content or driver update,\n"
           "reboots them and refuses the update on crashes, boot loops, hangs and regressions.\n\n"
           "Commands:\n");
    for (size_t i = 0; i < rg_ncommands; i++)
        if (rg_commands[i].fn)
            printf("  %-14s %s\n", rg_commands[i].name, rg_commands[i].summary);
    printf("\nExit codes: 0 pass/ok, 1 blocked (or a crash found), 2 usage or input error,\n"
           "3 inconclusive (infrastructure failure).\n"
           "See 'ringgate help COMMAND' for one command's options.\n");
}

int cmd_help(int argc, char **argv)
{
    const struct rg_command *cmd;

    if (argc < 2) {
        help_list();
        return RG_EXIT_OK;
    }
    if (argc > 2)
        return rg_command_usage_error("help", "expected at most one command name");
    cmd = rg_command_find(argv[1]);
    if (!cmd) {
        fprintf(stderr, "ringgate help: no command '%s'. See 'ringgate help'.\n", argv[1]);
        return RG_EXIT_USAGE;
    }
    fputs(cmd->usage, stdout);
    return RG_EXIT_OK;
}
