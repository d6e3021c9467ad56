/* Placeholder. */
#include <stdio.h>

#include "cmds.h"
#include "ringgate.h"

const char rg_usage_plan[] = "usage: ringgate plan\n";

int cmd_plan(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return RG_EXIT_USAGE;
}
