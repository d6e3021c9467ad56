/* One matrix cell's life: boot the baseline, apply the update, reboot, judge, roll back. */
#ifndef RG_CELL_H
#define RG_CELL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "hv/hv.h"
#include "model/catalog.h"
#include "model/guest.h"
#include "model/matrix.h"
#include "model/regress.h"
#include "model/scenario.h"
#include "model/vocab.h"

struct rg_finding {
    enum rg_finding_class cls;
    enum rg_action action;
    char title[256];
    int boot;          /* 0: not tied to a boot */
    double t;          /* seconds since the cell started; < 0 unknown */
    long console_line; /* 1-based line in the cell's console log; 0 unknown */
    char guilty[128];
    char module[64]; /* the module whose code is blamed ("rg_sensor"), "" if built in */
    char *excerpt; /* may be NULL */
    /* An infra finding the host caused (the hypervisor, the disk files), not the guest:
     * another attempt may go otherwise (gate.retries). */
    bool host;
};

struct rg_boot_record {
    int n;
    char phase[16];  /* baseline, candidate, reboot, rollback, safe-mode */
    char cause[16];  /* requested, panic, watchdog, unexpected; "" when ringgate started it */
    double start_s;
    double ready_s; /* < 0: never ready */
    double crash_s; /* < 0: no crash seen */
    enum rg_boot_outcome outcome;
    bool ready_line; /* the ready pattern matched (ready_s is when) */
    bool has_ready;  /* ...and the boot was confirmed ready (agent, ready command) */
    struct rg_ready_info ready;
    bool crashed, console_crash, watchdog;
    /* How the guest took a reboot ringgate asked for: "clean" (its disks synced through
     * the agent), "sync failed: ...", "sync timed out ...", "no agent"; "" otherwise. */
    char shutdown[96];
};

struct rg_event_record {
    double t;
    char type[16];
    int boot;
    char detail[256];
};

struct rg_cell_result {
    struct rg_cell cell;
    char scenario[72];
    enum rg_verdict verdict;
    double started_at; /* epoch */
    double duration_s;
    double verdict_s; /* < 0 unknown */
    char domain[256]; /* rg-RUN_ID-SCENARIO.CELL_ID[-twin] */
    char console_log[512]; /* relative to the run folder */
    char digest_kernel[65], digest_initrd[65], digest_disk[65];
    struct rg_boot_record *boots;
    size_t nboots;
    struct rg_event_record *events;
    size_t nevents;
    struct rg_finding *findings;
    size_t nfindings;
    bool rollback_ran;
    enum rg_step_result revert, safe_mode;
    char rollback_detail[256];
    /* Paired measurement (checks.performance, checks.memory): the metrics, and the baseline
     * twin VM the candidate was measured against (NULL when none ran). */
    struct rg_metric *metrics;
    size_t nmetrics;
    double measure_s; /* length of the measurement window */
    struct rg_cell_result *twin;
    char kept_hint[1024]; /* --keep: how to get into the VM ringgate holds; "" otherwise */
    /* gate.retries: the earlier attempts, oldest first, each its own console log; this result
     * is the last attempt's. */
    struct rg_cell_result *attempts;
    size_t nattempts;
};

/* What a cell needs from the run. Everything is owned by the run. */
struct rg_cell_env {
    const struct rg_hv_ops *ops;
    struct rg_hv *hv;
    const struct rg_scenario *sc;
    const struct rg_cell *cell;
    const struct rg_image *image;
    const char *update_path; /* the verified .rgpkg uploaded to the guest */
    const char *update_kind, *update_version;
    const char *baseline_kind, *baseline_version; /* NULL without a baseline */
    const char *run_id;
    const char *work_dir;    /* overlays go here (the run's state folder) */
    const char *run_dir;     /* report folder */
    const char *console_rel; /* console log path relative to run_dir */
    enum rg_accel accel;
    bool keep;              /* leave a failed cell's VM running */
    bool aa;                /* A/A run: the candidate is the baseline again, nothing applied */
    int stop_after_boot;    /* > 0: wind down once boot N is ready or over (reproduce) */
    const char *uri;        /* the libvirt URI, for the instructions of a kept VM */
    double agent_wait_s;    /* ready line to a usable guest agent; 0: the default (20 s) */
    double budget_s;        /* the cell's time budget; 0: rg_cell_budget_s of the scenario */
    const atomic_bool *interrupted; /* SIGINT or SIGTERM: every cell winds down */
    const atomic_bool *halt_others; /* fail-fast: cells that have not blocked wind down */
    /* Progress for the CLI: state changes and the first blocking finding. May be NULL. */
    void (*progress)(void *opaque, const struct rg_cell_result *res, const char *state,
                     const char *detail);
    void (*blocked)(void *opaque, const struct rg_cell_result *res);
    void *opaque;
};

/* The most a cell of sc may take: its boots at worst (timeout, soak, crash resets, the crash
 * loop's and boot loop's extra boots, the rollback) plus the installer (its timeout) and
 * the measurements.
 * A cell still running then ends with an infrastructure finding naming what it waited for. */
double rg_cell_budget_s(const struct rg_scenario *sc, int install_timeout_s);

/* Runs the cell to its verdict, with res filled (any verdict: infrastructure failures make
 * it inconclusive). Returns 0. */
int rg_cell_run(const struct rg_cell_env *env, struct rg_cell_result *res);
void rg_cell_result_free(struct rg_cell_result *res);

/* gate.retries: may the cell run again? Only when inconclusive, and only because the host
 * failed: every blocking finding an infra one the host caused. A block, a pass, a stop and a
 * guest that never became usable are never retried. */
bool rg_cell_retryable(const struct rg_cell_result *res);
/* Removes the disk overlays rg_cell_run made for env's cell (before it runs again). */
void rg_cell_discard(const struct rg_cell_env *env);

#endif
