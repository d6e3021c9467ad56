/* A run: scenarios verified, cells executed in parallel, verdicts combined, report written. */
#ifndef RG_RUN_H
#define RG_RUN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/cell.h"
#include "engine/runstate.h"
#include "hv/hv.h"
#include "model/scenario.h"
#include "util/digest.h"

struct rg_run_opts {
    const struct rg_hv_ops *ops; /* NULL: libvirt (tests run whole runs on a fake) */
    const char *connect_uri;     /* NULL: the embedded driver in the state directory */
    const char *out_dir;         /* NULL: ./reports */
    const char *update_override; /* replaces every scenario's update package */
    int jobs;                    /* 0: the scenario's gate.jobs, else the core count */
    int fail_fast;               /* -1: the scenario's gate.fail_fast */
    enum rg_accel accel;
    bool boot_anyway; /* boot even when the content validator rejects the update */
    bool keep;
    bool aa; /* A/A: measure the baseline against itself (calibrates alpha and samples) */
    const char *attest_key; /* sign RUN_DIR/attestation.json with this Ed25519 key */
    const char *only_cell;  /* run just this cell id ("scenario/id" or "id") */
    int stop_after_boot;    /* > 0: cells wind down after their boot N (reproduce --boot) */
    int shard_index, shard_count; /* count > 0: run only shard index of count (model/shard.h) */
    /* Progress for the CLI, called from cell threads (serialised by the run). */
    void (*progress)(void *opaque, const struct rg_cell_result *res, const char *state,
                     const char *detail);
    void *opaque;
};

struct rg_pkg_info {
    bool present;
    char name[128], kind[16], version[40], sha256[RG_SHA256_HEX], signer[17];
    char *path;
};

struct rg_run_scenario {
    struct rg_scenario *sc;
    char sha256[RG_SHA256_HEX];
    struct rg_pkg_info update, baseline;
    bool validator_ran, validator_ok; /* ok: the scenario's validator accepted the update */
    char *validator_command;          /* as the scenario wrote it; NULL: it names none */
    char *validator_failure; /* it could not judge (crash, timeout...; ran is false): not booted */
    char **validator_errors;          /* a rejection's output, one line each */
    size_t nvalidator_errors;
    enum rg_verdict verdict;
    size_t first_cell, ncells; /* its cells in rg_run.cells */
};

struct rg_run {
    char run_id[RG_RUN_ID_MAX];
    char dir[4096]; /* the report folder */
    double started_at, finished_at;
    struct rg_hv_info host;
    char hostname[128];
    char accel[8], accel_reason[160];
    int jobs;
    int retries; /* gate.retries of the first scenario, like jobs and fail_fast */
    bool fail_fast, boot_anyway, keep;
    bool aa;
    /* A/A: deciding metrics; those significant at alpha (either verdict); those blocked (a
     * perf-regression); those still undecided at max_samples; those whose threshold is finer
     * than the noise lets the design resolve (a perf-noise warning). */
    int aa_comparisons, aa_false_positives, aa_false_blocks, aa_inconclusive, aa_noisy;
    bool attested; /* attestation.json written */
    struct rg_run_scenario *scenarios;
    size_t nscenarios;
    /* --shard: every planned cell ("scenario/id", plan order) and the shard it went to. */
    int shard_index, shard_count; /* count 0: not sharded */
    char **planned;
    size_t *planned_shard, nplanned;
    struct rg_cell_result *cells;
    size_t ncells;
    enum rg_verdict verdict;
    int exit_code;
    atomic_bool interrupted, halt_others;
};

/* Loads, verifies and runs the scenarios. Returns the exit code (0/1/3) with *out the
 * finished run, for the caller to publish (report/publish.h), or 2 for input errors
 * (printed to errs, no run folder left behind). */
int rg_run_execute(char *const *scenario_paths, size_t n, const struct rg_run_opts *opts,
                   struct rg_run **out, struct rg_errors *errs);
/* Asks a running rg_run_execute to stop (async-signal-safe). */
void rg_run_interrupt(void);
void rg_run_free(struct rg_run *run);

#endif
