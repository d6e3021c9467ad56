/* Statistics for paired baseline/candidate samples: Mann-Whitney U and Hodges-Lehmann. */
#ifndef RG_STATS_H
#define RG_STATS_H

/* The smallest equal sample size per side for which a one-sided exact Mann-Whitney test can
 * reach p <= alpha at all (its smallest p-value is 1 / C(2n, n)). */
int rg_stats_mw_min_samples(double alpha);

#endif
