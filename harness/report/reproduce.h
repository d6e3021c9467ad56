/* Reproducing one cell of a recorded run: what to run again, checked against the digests the
 * report recorded, and the bundle another engineer needs to do it elsewhere. */
#ifndef RG_REPRODUCE_H
#define RG_REPRODUCE_H

#include <stdbool.h>

#include "util/error.h"

struct rg_reproduce {
    char run_id[64];
    char cell[256];       /* "scenario/id" */
    char *scenario;       /* the scenario file, as the run named it */
    char *update;         /* the update package the run tested */
    char *baseline;       /* NULL without one */
    char *console_dir;    /* the cell's folder in the run (console logs) */
    bool boot_anyway, aa; /* the run's options that change what a cell does */
};

/* Reads RUN_DIR/report.json, finds the cell (its id, or scenario/id) and checks that the
 * scenario, the packages and (with check_images) the images still have the digests the run
 * recorded. Every mismatch is an error naming the file and both digests. */
int rg_reproduce_plan(const char *run_dir, const char *cell, bool check_images,
                      struct rg_reproduce *out, struct rg_errors *errs);
void rg_reproduce_free(struct rg_reproduce *r);

/* Writes FILE.tar.gz (atomically, reproducibly) with what reproducing the cell needs. */
int rg_reproduce_bundle(const char *run_dir, const char *cell, const char *out,
                        struct rg_errors *errs);

#endif
