/* Merging shards: the reports of `run --shard I/N` on several hosts made into one run's
 * report, as if one process had run the whole matrix, or refused. */
#ifndef RG_MERGE_H
#define RG_MERGE_H

#include <jansson.h>
#include <stddef.h>

#include "util/error.h"

/* Reads each RUN_DIR/report.json (a shard's), checks that they are shards of the same plan
 * (scenarios, packages, images, ringgate version, options that change what a cell does) and
 * writes OUT, a new folder: report.json with every shard's cells in plan order, the
 * verdict recombined, and "merge" naming the shards and any planned cell that is missing or
 * present twice (either makes the verdict inconclusive unless a cell blocked); each cell's
 * folder (console logs); each shard's report under shards/; junit.xml, index.html and, with
 * attest_key, attestation.json. OUT appears whole or not at all.
 *
 * Returns the merged run's exit code (0 pass, 1 block, 3 inconclusive) with *merged its
 * report (the caller frees it); RG_EXIT_USAGE when the shards cannot be merged (errs names
 * the shard, its file and the field), RG_EXIT_INCONCLUSIVE with *merged NULL when OUT cannot
 * be written. Notes that change nothing (a RUN_DIR without a report) also go to errs. */
int rg_merge(char *const *run_dirs, size_t n, const char *out, const char *attest_key,
             json_t **merged, struct rg_errors *errs);

#endif
