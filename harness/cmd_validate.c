/* Placeholder. */
#include <stdio.h>

#include "cmds.h"
#include "ringgate.h"

const char rg_usage_validate[] = "usage: ringgate validate\n";

int cmd_validate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return RG_EXIT_USAGE;
}
