/* The vocabulary of a verdict and the names reports use for it. */
#include "model/vocab.h"

#include <stddef.h>
#include <string.h>

#include "util/ringgate.h"

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

int rg_verdict_parse(const char *name)
{
    for (int v = RG_VERDICT_PASS; v <= RG_VERDICT_ABORTED; v++)
        if (name && !strcmp(name, rg_verdict_name((enum rg_verdict)v)))
            return v;
    return -1;
}

void rg_verdict_tally_add(struct rg_verdict_tally *t, enum rg_verdict v)
{
    t->block = t->block || v == RG_VERDICT_BLOCK;
    t->inconclusive = t->inconclusive || v == RG_VERDICT_INCONCLUSIVE;
    t->aborted = t->aborted || v == RG_VERDICT_ABORTED;
}

enum rg_verdict rg_verdict_tally_result(const struct rg_verdict_tally *t)
{
    return t->block          ? RG_VERDICT_BLOCK
           : t->inconclusive ? RG_VERDICT_INCONCLUSIVE
           : t->aborted      ? RG_VERDICT_ABORTED
                             : RG_VERDICT_PASS;
}

int rg_verdict_exit_code(enum rg_verdict v)
{
    return v == RG_VERDICT_PASS ? RG_EXIT_OK : v == RG_VERDICT_BLOCK ? RG_EXIT_BLOCK
                                                                     : RG_EXIT_INCONCLUSIVE;
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
