/* `ringgate gc`: removes what killed runs left: their domains, overlays and state. */
#include <stddef.h>
#include <stdio.h>

#include "cli/cmds.h"
#include "engine/runstate.h"
#include "hv/hv.h"
#include "util/ringgate.h"

static const char gc_about[] =
    "Finds runs in the state directory whose ringgate process is gone (their lock is free),\n"
    "destroys their libvirt domains and removes their overlays and state. Live runs are\n"
    "left alone. `ringgate run` does the same at start.\n";
static const char gc_more[] =
    "Exit: 0 done, 3 the hypervisor or state directory could not be reached.\n";

struct gc_args {
    const char *connect;
};
static const struct gc_args gc_defaults = {0};

static const struct rg_option gc_options[] = {
    RG_CLI_OPT_CONNECT(offsetof(struct gc_args, connect)),
};

static int cmd_gc(void *opts, int argc, char **argv)
{
    const struct rg_hv_ops *ops = &rg_hv_libvirt;
    const struct gc_args *a = opts;
    char state_dir[4096], uri[4200];
    struct rg_gc_stats st;
    struct rg_error err;
    struct rg_hv *hv = NULL;
    int rc;

    (void)argc;
    (void)argv;
    if (rg_state_dir(state_dir, sizeof(state_dir), &err) < 0 ||
        (a->connect ? snprintf(uri, sizeof(uri), "%s", a->connect) < 0
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

RG_COMMAND(gc, "remove the VMs and files a killed run left behind", .name = "gc",
           .args_error = "takes no arguments");
