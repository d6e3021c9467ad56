/* Placeholder until its issue lands: refuses to run rather than pretending. */
#include <stdio.h>

#include "cmds.h"
#include "ringgate.h"

const char rg_usage_report[] = "usage: ringgate report (not built yet)\n";

int cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "ringgate: 'report' is not implemented yet\n");
    return RG_EXIT_USAGE;
}
