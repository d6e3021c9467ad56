/* `ringgate version`: the program's version and the library versions it was built against. */
#include <stdio.h>
#include <string.h>

#include "cli/cmds.h"
#include "util/ringgate.h"

const char rg_usage_version[] = "usage: ringgate version\n"
                                "\n"
                                "Prints ringgate's version.\n";

int cmd_version(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--help") != 0)
        return rg_command_usage_error("version", "takes no arguments");
    (void)argv;
    printf("ringgate %s\n", RG_VERSION);
    return RG_EXIT_OK;
}
