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
    double ci_low, ci_high; /* its two-sided 1 - alpha confidence interval (Moses: exact
                             * order statistics for small samples without ties) */
    bool ci_valid;          /* false: too few samples for 1 - alpha; [ci_low, ci_high] is then
                             * the range of the differences, with less confidence */
};

/* Tests whether cand is shifted above base, and estimates the shift with its 1 - alpha
 * interval. 0, or -1 when a side is empty. */
int rg_stats_shift(const double *base, size_t nb, const double *cand, size_t nc, double alpha,
                   struct rg_shift_test *out);
/* The median of v (reordered in place); 0 for an empty v. */
double rg_stats_median(double *v, size_t n);
/* Sorts v ascending. */
void rg_stats_sort(double *v, size_t n);
/* The q-quantile (0..1) of sorted s, linearly interpolated between order statistics; 0 for
 * no samples. */
double rg_stats_quantile(const double *s, size_t n, double q);
/* The z with P(Z > z) = q for a standard normal Z (0 < q < 1). */
double rg_stats_z_upper(double q);
/* A robust standard deviation: 1.4826 times the median absolute deviation of v from its own
 * median (v is left as it is); 0 for fewer than two values. */
double rg_stats_mad_sd(const double *v, size_t n);

#endif
