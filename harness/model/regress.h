/* Regression metrics: samples of baseline and candidate, and what they say about the update. */
#ifndef RG_REGRESS_H
#define RG_REGRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/vocab.h"
#include "util/stats.h"

/* The sequential design of a performance check: the deciding metric is judged after
 * `samples` pairs, then after each further `samples` pairs while it is undecided, and last
 * at `max_samples` (at most RG_PERF_MAX_LOOKS looks, evenly spread). Each look's interval is
 * at 1 - alpha/looks (Bonferroni): a false block needs one look's lower bound above the true
 * shift, so over all looks it happens with probability at most alpha/2 <= alpha, however
 * the looks depend on each other. */
#define RG_PERF_MAX_LOOKS 4

struct rg_perf_design {
    int looks;
    int at[RG_PERF_MAX_LOOKS]; /* pairs per side at each look; the last is max_samples */
    double alpha;              /* the scenario's: the test's significance level */
    double alpha_look;         /* alpha / looks: each look's interval */
    double threshold_pct;
};

/* One look at the deciding metric, for the report. */
struct rg_look {
    int pairs;
    double shift_pct, ci_low_pct, ci_high_pct, p;
    enum rg_metric_verdict verdict;
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
    double alpha_look; /* the interval's level is 1 - alpha_look */
    struct rg_look looks[RG_PERF_MAX_LOOKS];
    int nlooks;
    /* Noise: one sample's robust spread and the shift estimate's standard error (both % of
     * the baseline's median), and the minimum detectable effect: the smallest shift the
     * first and the last look tell from none 4 times in 5. A regression is blocked 4 times
     * in 5 from threshold + mde on. */
    double noise_pct, shift_sd_pct, mde_first_pct, mde_pct;
    /* Memory: least-squares slopes in units per minute, the candidate's excess growth over
     * the window and extrapolated to one hour. */
    double slope_base, slope_cand, growth, per_hour, window_s, max_growth;
    enum rg_metric_verdict verdict;
};

/* Appends one sample (t in seconds since the measurement began). 0, or -1 out of memory. */
int rg_metric_add(struct rg_metric *m, bool candidate, double value, double t);
/* The looks for `samples` pairs, up to max_samples (<= samples: one look). */
void rg_perf_design_init(struct rg_perf_design *d, int samples, int max_samples, double alpha,
                         double threshold_pct);
/* The smallest `samples` whose every look can reach its interval's confidence at all. */
int rg_perf_design_min_samples(const struct rg_perf_design *d);
/* Performance verdict at one look, on the interval of the shift at 1 - d->alpha_look:
 * REGRESSION when its lower bound is above the threshold; PASS when the one-sided test is
 * not significant at d->alpha; BELOW_THRESHOLD when it is but the upper bound is below the
 * threshold; otherwise UNDECIDED, or INCONCLUSIVE when this is the last look. */
void rg_metric_judge_perf(struct rg_metric *m, const struct rg_perf_design *d, bool last);
/* Estimates the samples' noise and the design's minimum detectable effects (80 % power),
 * after the metric's last judgement. */
void rg_metric_noise(struct rg_metric *m, const struct rg_perf_design *d);
/* A judged performance metric whose threshold is finer than its design resolves (its
 * minimum detectable effect at max_samples is above the threshold). */
bool rg_metric_threshold_unresolved(const struct rg_metric *m);
/* Memory verdict: a regression when the candidate grows more than max_growth over the
 * window than the baseline does. */
void rg_metric_judge_memory(struct rg_metric *m, double window_s, double max_growth);
void rg_metric_free(struct rg_metric *m);
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
