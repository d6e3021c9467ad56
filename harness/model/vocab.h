/* The vocabulary of a verdict: what a run, a cell, a metric and a boot can come to, the
 * findings and the actions a scenario gives them, and the names reports use for each. */
#ifndef RG_VOCAB_H
#define RG_VOCAB_H

#include <stdbool.h>

/* What a scenario does with a finding class. */
enum rg_action { RG_ACTION_IGNORE, RG_ACTION_WARN, RG_ACTION_BLOCK };

/* A cell's and a run's verdict. */
enum rg_verdict { RG_VERDICT_PASS, RG_VERDICT_BLOCK, RG_VERDICT_INCONCLUSIVE, RG_VERDICT_ABORTED };

enum rg_finding_class {
    RG_FINDING_CRASH,
    RG_FINDING_BOOT_LOOP,
    RG_FINDING_HANG,
    RG_FINDING_WARNING,
    RG_FINDING_ROLLBACK_FAILED,
    RG_FINDING_INFRA,
    RG_FINDING_CONTENT_REJECTED,
    RG_FINDING_INSTALL_FAILED,
    RG_FINDING_PERF_REGRESSION,
    RG_FINDING_MEMORY_REGRESSION,
    RG_FINDING_PERF_INCONCLUSIVE, /* still undecided at max_samples */
    RG_FINDING_PERF_NOISE,        /* A/A: the threshold is finer than this host can resolve */
    RG_FINDING_CRASH_LOOP,        /* crashed after ready on several boots in a row */
};

enum rg_boot_outcome {
    RG_BOOT_RUNNING, /* not ended yet */
    RG_BOOT_READY,   /* reached ready and ended normally (or is still healthy) */
    RG_BOOT_CRASH,
    RG_BOOT_HANG,
    RG_BOOT_RESET, /* reset before ready, or unexpectedly after it, with no crash report */
    RG_BOOT_ABORTED,
    RG_BOOT_INFRA,
};

/* Rollback steps: the frozen pre-update disk, and safe mode. */
enum rg_step_result { RG_STEP_SKIPPED, RG_STEP_PASS, RG_STEP_FAIL };

enum rg_metric_verdict {
    RG_METRIC_PASS,
    RG_METRIC_REGRESSION,
    RG_METRIC_BELOW_THRESHOLD, /* significant at alpha, smaller than the threshold */
    RG_METRIC_INFO,            /* reported, never judged */
    RG_METRIC_UNDECIDED,       /* the interval straddles the threshold: sample more */
    RG_METRIC_INCONCLUSIVE,    /* still undecided at max_samples */
};

/* The names reports use: stable, part of the report.json schema. */
const char *rg_action_name(enum rg_action a);
const char *rg_verdict_name(enum rg_verdict v);
const char *rg_finding_class_name(enum rg_finding_class c);
const char *rg_boot_outcome_name(enum rg_boot_outcome o);
const char *rg_step_result_name(enum rg_step_result s);
const char *rg_metric_verdict_name(enum rg_metric_verdict v);
/* The verdict with that name; -1 for none. */
int rg_verdict_parse(const char *name);

/* What several verdicts come to (a scenario's cells, a run's scenarios, a merge's shards):
 * block when any blocked; else inconclusive when any was; else aborted when any was; else
 * pass. Start from {0} and add each verdict. */
struct rg_verdict_tally {
    bool block, inconclusive, aborted;
};
void rg_verdict_tally_add(struct rg_verdict_tally *t, enum rg_verdict v);
enum rg_verdict rg_verdict_tally_result(const struct rg_verdict_tally *t);
/* The exit code a run with that verdict ends with (rg_exit in util/ringgate.h). */
int rg_verdict_exit_code(enum rg_verdict v);

/* The actions' names in enum order, NULL-terminated (the scenario's choices). */
extern const char *const rg_action_names[];

#endif
