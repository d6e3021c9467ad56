/* The vocabulary of a verdict and the names reports use for it. */
#include "model/vocab.h"

#include <stddef.h>

const char *const rg_action_names[] = {"ignore", "warn", "block", NULL};

const char *rg_action_name(enum rg_action a)
{
    return rg_action_names[a];
}

const char *rg_verdict_name(enum rg_verdict v)
{
    static const char *const names[] = {"pass", "block", "inconclusive", "aborted"};
    return names[v];
}

const char *rg_finding_class_name(enum rg_finding_class c)
{
    static const char *const names[] = {
        "crash",           "boot-loop",         "hang",
        "warning",         "rollback-failed",   "infra",
        "content-rejected", "install-failed",   "perf-regression",
        "memory-regression", "perf-inconclusive", "perf-noise", "crash-loop"};
    return names[c];
}

const char *rg_boot_outcome_name(enum rg_boot_outcome o)
{
    static const char *const names[] = {"running", "ready",   "crash", "hang",
                                        "reset",   "aborted", "infra"};
    return names[o];
}

const char *rg_step_result_name(enum rg_step_result s)
{
    static const char *const names[] = {"skipped", "pass", "fail"};
    return names[s];
}

const char *rg_metric_verdict_name(enum rg_metric_verdict v)
{
    static const char *const names[] = {"pass",         "regression",
                                        "significant-below-threshold", "info",
                                        "undecided",    "inconclusive"};
    return names[v];
}
