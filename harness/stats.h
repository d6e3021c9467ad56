/* Statistics for paired baseline/candidate samples: Mann-Whitney U and Hodges-Lehmann. */
#ifndef RG_STATS_H
#define RG_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* The smallest equal sample size per side for which a one-sided exact Mann-Whitney test can
 * reach p <= alpha at all (its smallest p-value is 1 / C(2n, n)). */
int rg_stats_mw_min_samples(double alpha);

struct rg_shift_test {
    double u;        /* Mann-Whitney U of the candidate: pairs where it is larger (ties 1/2) */
    double p;        /* one-sided: the candidate is larger (slower) than the baseline */
    bool exact;      /* exact distribution (small samples, no ties) or normal approximation */
    double shift;    /* Hodges-Lehmann estimate: median of candidate - baseline differences */
    double ci_low, ci_high; /* its two-sided 1 - alpha confidence interval */
};

/* Tests whether cand is shifted above base. 0, or -1 when a side is empty. */
int rg_stats_shift(const double *base, size_t nb, const double *cand, size_t nc, double alpha,
                   struct rg_shift_test *out);
/* The median of v (reordered in place); 0 for an empty v. */
double rg_stats_median(double *v, size_t n);

#endif
