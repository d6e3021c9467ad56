/* Unit tests for the statistics: Mann-Whitney tables, Hodges-Lehmann cases, ties, n = 1, and
 * a seeded simulation of the false-positive rate and the power against a 15 % shift. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "util/stats.h"

#define NEAR(a, b, eps) assert_true(fabs((a) - (b)) < (eps))

static void test_exact_table_values(void **state)
{
    /* m = n = 5, C(10, 5) = 252 arrangements; the published lower-tail table gives
     * P(U <= 1) = 0.008, P(U <= 5) = 0.075; by symmetry P(U >= 24) and P(U >= 20). */
    double base[] = {1, 2, 3, 4, 5};
    double c24[] = {6, 7, 8, 9, 4.5}; /* beats every baseline but 5 once: U = 24 */
    double cand[] = {2.5, 3.5, 6, 7, 8}; /* U = 2 + 3 + 5 + 5 + 5 = 20 */
    struct rg_shift_test t;

    (void)state;
    assert_int_equal(rg_stats_shift(base, 5, cand, 5, 0.05, &t), 0);
    assert_true(t.exact);
    NEAR(t.u, 20, 1e-9);
    NEAR(t.p, 19.0 / 252, 1e-9); /* P(U >= 20) = P(U <= 5) = 0.0754 */
    assert_int_equal(rg_stats_shift(base, 5, c24, 5, 0.05, &t), 0);
    NEAR(t.u, 24, 1e-9);
    NEAR(t.p, 2.0 / 252, 1e-9); /* P(U >= 24) = P(U <= 1) */
    double none[] = {0.1, 0.2, 0.3, 0.4, 0.5};
    assert_int_equal(rg_stats_shift(base, 5, none, 5, 0.05, &t), 0);
    NEAR(t.p, 1.0, 1e-9);
}

static void test_three_versus_three(void **state)
{
    double base[] = {1, 2, 3}, cand[] = {4, 5, 6};
    struct rg_shift_test t;

    (void)state;
    assert_int_equal(rg_stats_shift(base, 3, cand, 3, 0.05, &t), 0);
    NEAR(t.u, 9, 1e-9);
    NEAR(t.p, 1.0 / 20, 1e-9); /* the smallest p with 3 + 3: 1 / C(6, 3) */
    NEAR(t.shift, 3, 1e-9);    /* median of {3,2,1,4,3,2,5,4,3} */
    assert_true(t.ci_low <= t.shift && t.shift <= t.ci_high);
    /* Even [min, max] of the differences covers with only 1 - 2/20 = 90 %: no 95 % interval
     * exists, and the result says so. */
    assert_false(t.ci_valid);
    NEAR(t.ci_low, 1, 1e-9);
    NEAR(t.ci_high, 5, 1e-9);
    assert_int_equal(rg_stats_shift(base, 3, cand, 3, 0.2, &t), 0);
    assert_true(t.ci_valid); /* 80 %: 2/20 <= 0.2 */
}

static void test_exact_moses_interval(void **state)
{
    /* m = n = 5 at 95 %: P(U <= 2) = 4/252 <= 0.025 < P(U <= 3) = 7/252, so C = 3 and the
     * interval is [d(3), d(23)] of the 25 sorted differences (Hollander and Wolfe's table).
     * Differences of {6..10} - {1..5}: 1 once, 2 twice, ... 5 five times, ... 9 once. */
    double base[] = {1, 2, 3, 4, 5}, cand[] = {6, 7, 8, 9, 10};
    struct rg_shift_test t;

    (void)state;
    assert_int_equal(rg_stats_shift(base, 5, cand, 5, 0.05, &t), 0);
    assert_true(t.exact && t.ci_valid);
    NEAR(t.shift, 5, 1e-9);
    NEAR(t.ci_low, 2, 1e-9);
    NEAR(t.ci_high, 8, 1e-9);
    /* At 99 %: P(U <= 0) = 1/252 <= 0.005 < P(U <= 1): C = 1, the full range. */
    assert_int_equal(rg_stats_shift(base, 5, cand, 5, 0.01, &t), 0);
    assert_true(t.ci_valid);
    NEAR(t.ci_low, 1, 1e-9);
    NEAR(t.ci_high, 9, 1e-9);
    /* Past 30 per side (or with ties): the large-sample depth, still around the estimate. */
    double b40[40], c40[40];
    for (int i = 0; i < 40; i++) {
        b40[i] = i;
        c40[i] = i + 10.5;
    }
    assert_int_equal(rg_stats_shift(b40, 40, c40, 40, 0.05, &t), 0);
    assert_false(t.exact);
    assert_true(t.ci_valid);
    NEAR(t.shift, 10.5, 1e-9);
    assert_true(t.ci_low < 10.5 && t.ci_high > 10.5 && t.ci_low > 0 && t.ci_high < 21);
}

static void test_mad_and_z(void **state)
{
    double v[] = {10, 12, 9, 11, 100}; /* median 11, deviations 1 1 2 0 89: MAD 1 */

    (void)state;
    NEAR(rg_stats_mad_sd(v, 5), 1.4826, 1e-9);
    NEAR(v[4], 100, 1e-12); /* left as it was */
    NEAR(rg_stats_mad_sd(v, 1), 0, 1e-12);
    NEAR(rg_stats_z_upper(0.025), 1.95996, 1e-4);
    NEAR(rg_stats_z_upper(0.2), 0.84162, 1e-4);
}

static void test_hodges_lehmann_by_hand(void **state)
{
    double base[] = {10, 12}, cand[] = {11, 15, 13};
    struct rg_shift_test t;

    (void)state;
    /* differences: 1, -1, 5, 3, 3, 1 -> sorted -1 1 1 3 3 5 -> median 2 */
    assert_int_equal(rg_stats_shift(base, 2, cand, 3, 0.05, &t), 0);
    NEAR(t.shift, 2, 1e-9);
    NEAR(t.u, 5, 1e-9);
}

static void test_ties_and_degenerate(void **state)
{
    double same[] = {5, 5, 5, 5}, one_b[] = {1}, one_c[] = {2};
    struct rg_shift_test t;

    (void)state;
    assert_int_equal(rg_stats_shift(same, 4, same, 4, 0.05, &t), 0);
    assert_false(t.exact); /* ties: normal approximation */
    NEAR(t.u, 8, 1e-9);
    assert_true(t.p >= 0.5);
    NEAR(t.shift, 0, 1e-9);
    assert_int_equal(rg_stats_shift(one_b, 1, one_c, 1, 0.05, &t), 0);
    NEAR(t.p, 0.5, 1e-9);
    NEAR(t.shift, 1, 1e-9);
    assert_int_equal(rg_stats_shift(one_b, 0, one_c, 1, 0.05, &t), -1);
}

/* A seeded generator, the same everywhere: the simulation is reproducible. */
static double uniform(unsigned long long *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

static double noisy(unsigned long long *s, double mean)
{
    /* Box-Muller: host noise as a normal with 5 % standard deviation. */
    double u1 = uniform(s) + 1e-12, u2 = uniform(s);
    return mean * (1 + 0.05 * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
}

static void test_simulated_error_rates(void **state)
{
    const int runs = 2000, n = 10;
    unsigned long long seed = 42;
    int false_pos = 0, detected = 0;

    (void)state;
    for (int r = 0; r < runs; r++) {
        double b[10], same[10], slow[10];
        struct rg_shift_test t;
        for (int i = 0; i < n; i++) {
            b[i] = noisy(&seed, 100);
            same[i] = noisy(&seed, 100);
            slow[i] = noisy(&seed, 115);
        }
        rg_stats_shift(b, n, same, n, 0.05, &t);
        false_pos += t.p <= 0.05;
        rg_stats_shift(b, n, slow, n, 0.05, &t);
        detected += t.p <= 0.05 && t.shift / 100 * 100 > 5;
    }
    print_message("simulation: %d runs of %d+%d samples: false positives %.3f, power %.3f\n",
                  runs, n, n, (double)false_pos / runs, (double)detected / runs);
    /* alpha plus three standard errors of a proportion at 0.05 over 2000 runs */
    assert_true((double)false_pos / runs <= 0.05 + 3 * sqrt(0.05 * 0.95 / runs));
    assert_true((double)detected / runs >= 0.95);
}

static void test_sort_and_quantile(void **state)
{
    double v[] = {4, 1, 3, 2, 5};

    (void)state;
    rg_stats_sort(v, 5);
    for (int i = 0; i < 5; i++)
        assert_true(v[i] == i + 1);
    assert_true(rg_stats_quantile(v, 5, 0) == 1);
    assert_true(rg_stats_quantile(v, 5, 0.5) == 3);
    assert_true(rg_stats_quantile(v, 5, 1) == 5);
    assert_true(fabs(rg_stats_quantile(v, 5, 0.3) - 2.2) < 1e-12); /* between 2 and 3 */
    assert_true(rg_stats_quantile(v, 0, 0.5) == 0);
    assert_true(rg_stats_quantile(v, 1, 0.9) == 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sort_and_quantile),
        cmocka_unit_test(test_exact_table_values),
        cmocka_unit_test(test_three_versus_three),
        cmocka_unit_test(test_exact_moses_interval),
        cmocka_unit_test(test_mad_and_z),
        cmocka_unit_test(test_hodges_lehmann_by_hand),
        cmocka_unit_test(test_ties_and_degenerate),
        cmocka_unit_test(test_simulated_error_rates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
