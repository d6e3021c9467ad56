/* Sharding: a deterministic split of a run's planned cells over N hosts, balanced by estimate. */
#ifndef RG_SHARD_H
#define RG_SHARD_H

#include <stddef.h>

#include "model/scenario.h"
#include "util/error.h"

/* One planned cell: its scenario's name, its id and its time estimate in seconds. */
struct rg_shard_item {
    const char *scenario;
    const char *cell;
    int estimate_s;
};

/* Longest processing time first: the cells sorted by estimate, longest first (ties by
 * scenario name, then cell id, then plan order), each given to the shard with the least
 * estimate so far (ties: the lowest index). The same items and nshards give the same split
 * on every host. Fills shard_of[i] for items[i] and, when load is not NULL, each shard's
 * total estimate in load[0..nshards). Returns -1 only when out of memory or nshards is 0. */
int rg_shard_assign(const struct rg_shard_item *items, size_t n, size_t nshards, size_t *shard_of,
                    long *load);

/* The split of scenarios' planned cells over nshards, as `run --shard` makes it: keys[i]
 * ("scenario/id", plan order) goes to shard_of[i]; load[s] is shard s's estimate. */
struct rg_shard_split {
    char **keys;
    size_t *shard_of, n;
    long *load;
};

/* Builds it from each cell's estimate (rg_scenario_cell_estimate_s) with rg_shard_assign.
 * -1 when out of memory or nshards is 0 (free it either way). */
int rg_shard_split(const struct rg_scenario *const *scs, size_t nsc, size_t nshards,
                   struct rg_shard_split *out);
void rg_shard_split_free(struct rg_shard_split *sp);

/* Parses "I/N" (0 <= I < N, N >= 1, decimal). */
int rg_shard_parse(const char *text, int *index, int *count, struct rg_error *err);

#endif
