/* A run's footprint in the state directory: its lock, overlays and the domains it owns. */
#ifndef RG_RUNSTATE_H
#define RG_RUNSTATE_H

#include <stddef.h>

#include "hv/hv.h"
#include "util/error.h"

#define RG_RUN_ID_MAX 32

struct rg_runstate {
    char run_id[RG_RUN_ID_MAX];
    char dir[4096]; /* <state dir>/runs/<run id> */
    int lock_fd;    /* held (flock) while the run lives: gc skips locked runs */
};

/* A new run id: YYYYMMDD-HHMMSS-xxxx (UTC, random suffix). */
void rg_run_id_new(char out[RG_RUN_ID_MAX]);
/* The libvirt domain name prefix every domain of the run starts with. */
void rg_run_domain_prefix(const char *run_id, char *out, size_t size);
int rg_runstate_create(const char *state_dir, const char *run_id, struct rg_runstate *rs,
                       struct rg_error *err);
/* Removes the run's folder (overlays included) and releases the lock. */
void rg_runstate_remove(struct rg_runstate *rs);

struct rg_gc_stats {
    size_t runs_removed, domains_destroyed, runs_live;
};
/* Finds runs whose owner is gone (lock free), destroys their domains, removes their files. */
int rg_runstate_gc(const char *state_dir, const struct rg_hv_ops *ops, struct rg_hv *hv,
                   struct rg_gc_stats *stats, struct rg_error *err);

#endif
