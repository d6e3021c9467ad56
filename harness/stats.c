/* Statistics for paired baseline/candidate samples: Mann-Whitney U (exact for small samples,
 * normal approximation with tie correction beyond) and the Hodges-Lehmann shift estimate. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EXACT_MAX 30 /* per side: the exact distribution's table stays small */

int rg_stats_mw_min_samples(double alpha)
{
    double ways = 2; /* C(2n, n) for n = 1 */

    for (int n = 1; n < 1000; n++) {
        if (1.0 / ways <= alpha)
            return n;
        /* C(2n+2, n+1) = C(2n, n) * (2n+1)(2n+2) / (n+1)^2 */
        ways = ways * (2.0 * n + 1) * (2.0 * n + 2) / ((n + 1.0) * (n + 1.0));
    }
    return 1000;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double rg_stats_median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* P(U >= u) under H0 for sample sizes m, n without ties: counts of rank arrangements by the
 * recurrence f(u; m, n) = f(u - n; m - 1, n) + f(u; m, n - 1). */
static double exact_upper_tail(double u, size_t m, size_t n)
{
    size_t umax = m * n;
    double *prev = calloc((umax + 1) * (n + 1), sizeof(double));
    double *cur = calloc((umax + 1) * (n + 1), sizeof(double));
    double total = 0, tail = 0;

    if (!prev || !cur)
        abort();
    /* prev[j][u]: ways for (i - 1) candidates and j baselines; row i = 0: one way, U = 0. */
    for (size_t j = 0; j <= n; j++)
        prev[j * (umax + 1)] = 1;
    for (size_t i = 1; i <= m; i++) {
        memset(cur, 0, (umax + 1) * (n + 1) * sizeof(double));
        for (size_t j = 0; j <= n; j++)
            for (size_t k = 0; k <= i * j && k <= umax; k++) {
                double w = 0;
                /* the largest value is a candidate (beats all j baselines) or a baseline */
                if (k >= j)
                    w += prev[j * (umax + 1) + k - j];
                if (j > 0)
                    w += cur[(j - 1) * (umax + 1) + k];
                cur[j * (umax + 1) + k] = w;
            }
        memcpy(prev, cur, (umax + 1) * (n + 1) * sizeof(double));
    }
    for (size_t k = 0; k <= umax; k++) {
        double w = prev[n * (umax + 1) + k];
        total += w;
        if ((double)k >= u - 1e-9)
            tail += w;
    }
    free(prev);
    free(cur);
    return tail / total;
}

static double normal_upper(double z)
{
    return 0.5 * erfc(z / sqrt(2.0));
}

/* The z with P(Z > z) = q, by bisection: precise enough for confidence bounds. */
static double normal_quantile_upper(double q)
{
    double lo = -10, hi = 10;

    for (int i = 0; i < 100; i++) {
        double mid = (lo + hi) / 2;
        if (normal_upper(mid) > q)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

int rg_stats_shift(const double *base, size_t nb, const double *cand, size_t nc, double alpha,
                   struct rg_shift_test *out)
{
    size_t npairs = nb * nc, ties = 0;
    double *diff, u = 0, mean, var, tie_sum = 0, *all;
    long k;

    memset(out, 0, sizeof(*out));
    if (nb == 0 || nc == 0)
        return -1;
    diff = malloc(npairs * sizeof(double));
    all = malloc((nb + nc) * sizeof(double));
    if (!diff || !all)
        abort();
    for (size_t i = 0; i < nc; i++)
        for (size_t j = 0; j < nb; j++) {
            double d = cand[i] - base[j];
            diff[i * nb + j] = d;
            u += d > 0 ? 1 : d == 0 ? 0.5 : 0;
            ties += d == 0;
        }
    out->u = u;
    /* Tie correction: sum of (t^3 - t) over groups of equal values in the pooled sample. */
    memcpy(all, base, nb * sizeof(double));
    memcpy(all + nb, cand, nc * sizeof(double));
    qsort(all, nb + nc, sizeof(double), cmp_double);
    for (size_t i = 0; i < nb + nc;) {
        size_t j = i;
        while (j < nb + nc && all[j] == all[i])
            j++;
        tie_sum += pow((double)(j - i), 3) - (double)(j - i);
        i = j;
    }
    if (ties == 0 && nb <= EXACT_MAX && nc <= EXACT_MAX) {
        out->exact = true;
        out->p = exact_upper_tail(u, nc, nb);
    } else {
        double nn = (double)(nb + nc);
        mean = (double)npairs / 2;
        var = (double)npairs / 12.0 * ((nn + 1) - tie_sum / (nn * (nn - 1)));
        out->p = var > 0 ? normal_upper((u - mean - 0.5) / sqrt(var)) : 0.5;
    }
    /* Hodges-Lehmann: the median pairwise difference; its interval from the order
     * statistics of the differences (Moses), with the normal approximation of U. */
    out->shift = rg_stats_median(diff, npairs);
    {
        double z = normal_quantile_upper(alpha / 2);
        double c = (double)npairs / 2 - z * sqrt((double)npairs * (double)(nb + nc + 1) / 12);
        k = (long)floor(c);
        if (k < 0)
            k = 0;
        if ((size_t)k >= npairs)
            k = (long)npairs - 1;
        out->ci_low = diff[k];
        out->ci_high = diff[npairs - 1 - (size_t)k];
    }
    free(diff);
    free(all);
    return 0;
}
