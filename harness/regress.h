/* Regression metrics: samples of baseline and candidate, and what they say about the update. */
#ifndef RG_REGRESS_H
#define RG_REGRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "stats.h"

enum rg_metric_verdict {
    RG_METRIC_PASS,
    RG_METRIC_REGRESSION,
    RG_METRIC_BELOW_THRESHOLD, /* significant at alpha, smaller than the threshold */
    RG_METRIC_INFO,            /* reported, never judged */
};

enum rg_metric_kind { RG_METRIC_PERF, RG_METRIC_MEMORY };

struct rg_metric {
    char name[48]; /* "syscall.wall_ms", "mem.slab_unreclaim_mib" */
    enum rg_metric_kind kind;
    char workload[96]; /* what produced the samples, for people */
    char unit[8];
    char clock[8]; /* the guest clock the samples were taken with: wall or icount */
    bool decides; /* the metric whose verdict counts */
    double *base, *cand;
    double *tbase, *tcand; /* seconds since the measurement began, per sample */
    size_t nbase, ncand;
    /* Performance: Mann-Whitney and Hodges-Lehmann, relative to the baseline's median. */
    struct rg_shift_test test;
    bool tested;
    double shift_pct, ci_low_pct, ci_high_pct;
    double alpha, threshold_pct;
    /* Memory: least-squares slopes in units per minute, the candidate's excess growth over
     * the window and extrapolated to one hour. */
    double slope_base, slope_cand, growth, per_hour, window_s, max_growth;
    enum rg_metric_verdict verdict;
};

/* Appends one sample (t in seconds since the measurement began). 0, or -1 out of memory. */
int rg_metric_add(struct rg_metric *m, bool candidate, double value, double t);
/* Performance verdict: a regression needs p <= alpha AND a shift above threshold_pct. */
void rg_metric_judge_perf(struct rg_metric *m, double alpha, double threshold_pct);
/* Memory verdict: a regression when the candidate grows more than max_growth over the
 * window than the baseline does. */
void rg_metric_judge_memory(struct rg_metric *m, double window_s, double max_growth);
void rg_metric_free(struct rg_metric *m);
const char *rg_metric_verdict_name(enum rg_metric_verdict v);
const char *rg_metric_kind_name(enum rg_metric_kind k);

/* The least-squares slope of v over t (units of v per unit of t); 0 for fewer than two
 * distinct times. */
double rg_regress_slope(const double *t, const double *v, size_t n);

/* One `name=value` line of a workload's output. */
struct rg_kv {
    char name[40];
    double value;
};
/* Parses the numeric `name=value` lines of text (names [A-Za-z0-9_.-], values finite
 * numbers); other lines are skipped. Returns how many were stored (at most max). */
size_t rg_kv_parse(const char *text, struct rg_kv *out, size_t max);
/* The value of a `Name:   123 kB` line of /proc/meminfo in MiB; false when absent. */
bool rg_meminfo_mib(const char *text, const char *name, double *mib);

#endif
