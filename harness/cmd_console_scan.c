/* Placeholder until its issue lands: refuses to run rather than pretending. */
#include <stdio.h>

#include "cmds.h"
#include "ringgate.h"

const char rg_usage_console_scan[] = "usage: ringgate console-scan (not built yet)\n";

int cmd_console_scan(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "ringgate: 'console-scan' is not implemented yet\n");
    return RG_EXIT_USAGE;
}
