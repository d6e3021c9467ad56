/* `ringgate gc`: removes what killed runs left: their domains, overlays and state. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cmds.h"
#include "engine/runstate.h"
#include "hv/hv.h"
#include "util/ringgate.h"

const char rg_usage_gc[] =
    "usage: ringgate gc [--connect URI]\n"
    "\n"
    "Finds runs in the state directory whose ringgate process is gone (their lock is free),\n"
    "destroys their libvirt domains and removes their overlays and state. Live runs are\n"
    "left alone. `ringgate run` does the same at start.\n"
    "\n"
    "  --connect URI   libvirt URI (default: the embedded driver in the state directory)\n"
    "\n"
    "Exit: 0 done, 3 the hypervisor or state directory could not be reached.\n";

int cmd_gc(int argc, char **argv)
{
    static const struct option longopts[] = {{"connect", required_argument, NULL, 'c'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const struct rg_hv_ops *ops = &rg_hv_libvirt;
    const char *uri_opt = NULL;
    char state_dir[4096], uri[4200];
    struct rg_gc_stats st;
    struct rg_error err;
    struct rg_hv *hv = NULL;
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            uri_opt = optarg;
            break;
        case 'h':
            fputs(rg_usage_gc, stdout);
            return RG_EXIT_OK;
        default:
            return rg_command_usage_error("gc", "unknown option");
        }
    }
    if (optind != argc)
        return rg_command_usage_error("gc", "takes no arguments");
    if (rg_state_dir(state_dir, sizeof(state_dir), &err) < 0 ||
        (uri_opt ? snprintf(uri, sizeof(uri), "%s", uri_opt) < 0
                 : rg_hv_default_uri(uri, sizeof(uri), &err) < 0) ||
        ops->connect(uri, &hv, &err) < 0) {
        rg_error_print(stderr, &err);
        return RG_EXIT_INCONCLUSIVE;
    }
    rc = rg_runstate_gc(state_dir, ops, hv, &st, &err);
    ops->disconnect(hv);
    if (rc < 0) {
        rg_error_print(stderr, &err);
        return RG_EXIT_INCONCLUSIVE;
    }
    printf("gc: %zu dead run%s removed, %zu domain%s destroyed, %zu live run%s left alone\n",
           st.runs_removed, st.runs_removed == 1 ? "" : "s", st.domains_destroyed,
           st.domains_destroyed == 1 ? "" : "s", st.runs_live, st.runs_live == 1 ? "" : "s");
    return RG_EXIT_OK;
}
