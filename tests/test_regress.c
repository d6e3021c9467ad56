/* Unit tests for regression metrics: the three-way perf verdict on fixed samples, its
 * sequential looks, a seeded simulation of its false-block rate, memory slopes, and the
 * parsers of workload output and /proc/meminfo. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/regress.h"

#define NEAR(a, b, eps) assert_true(fabs((a) - (b)) < (eps))

static void fill(struct rg_metric *m, const double *b, const double *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rg_metric_add(m, false, b[i], (double)(2 * i)), 0);
        assert_int_equal(rg_metric_add(m, true, c[i], (double)(2 * i + 1)), 0);
    }
}

/* One look, the scenario's alpha: the interval is at 1 - alpha. */
static struct rg_perf_design one_look(double threshold_pct)
{
    struct rg_perf_design d;

    rg_perf_design_init(&d, 6, 6, 0.05, threshold_pct);
    return d;
}

static void test_design_looks(void **state)
{
    struct rg_perf_design d;

    (void)state;
    rg_perf_design_init(&d, 6, 18, 0.05, 15);
    assert_int_equal(d.looks, 3);
    assert_int_equal(d.at[0], 6);
    assert_int_equal(d.at[1], 12);
    assert_int_equal(d.at[2], 18);
    NEAR(d.alpha_look, 0.05 / 3, 1e-12);
    /* 1 / C(8, 4) = 1/70 > 0.05 / 3 / 2; 1 / C(10, 5) = 1/252 is below it. */
    assert_int_equal(rg_perf_design_min_samples(&d), 5);
    rg_perf_design_init(&d, 10, 10, 0.05, 15);
    assert_int_equal(d.looks, 1);
    assert_int_equal(d.at[0], 10);
    NEAR(d.alpha_look, 0.05, 1e-12);
    assert_int_equal(rg_perf_design_min_samples(&d), 4); /* 1/70 <= 0.025 < 1/20 */
    rg_perf_design_init(&d, 6, 8, 0.05, 15);
    assert_int_equal(d.looks, 2);
    assert_int_equal(d.at[1], 8);
    /* Many multiples: at most RG_PERF_MAX_LOOKS looks, evenly spread, the last at the cap. */
    rg_perf_design_init(&d, 3, 100, 0.05, 15);
    assert_int_equal(d.looks, RG_PERF_MAX_LOOKS);
    assert_int_equal(d.at[0], 3);
    assert_int_equal(d.at[1], 35);
    assert_int_equal(d.at[RG_PERF_MAX_LOOKS - 1], 100);
}

static void test_perf_three_way(void **state)
{
    /* A tight baseline; every candidate sample above every baseline one: p = 1 / C(12, 6). */
    double base[] = {10, 10.02, 9.98, 10.01, 9.99, 10.03};
    double slow[] = {15, 15.2, 14.9, 15.1, 15.3, 14.8};         /* +50 %: lower bound far above */
    double bit[] = {10.2, 10.22, 10.18, 10.21, 10.19, 10.23};   /* +2 %: upper bound below 5 */
    double wide[] = {10.1, 10.3, 11.5, 12.5, 10.2, 13.5};       /* +2 % to +35 % */
    struct rg_perf_design d = one_look(5);
    struct rg_metric m = {0};

    (void)state;
    fill(&m, base, slow, 6);
    rg_metric_judge_perf(&m, &d, true);
    assert_true(m.tested && m.test.ci_valid);
    NEAR(m.test.p, 1.0 / 924, 1e-9);
    assert_int_equal(m.verdict, RG_METRIC_REGRESSION);
    NEAR(m.shift_pct, 50, 1.5);
    assert_true(m.ci_low_pct > 5 && m.ci_low_pct <= m.shift_pct && m.shift_pct <= m.ci_high_pct);
    assert_int_equal(m.nlooks, 1);
    assert_int_equal(m.looks[0].pairs, 6);
    assert_int_equal(m.looks[0].verdict, RG_METRIC_REGRESSION);
    /* The samples keep their order for the report (the median works on a copy). */
    NEAR(m.base[0], 10, 1e-12);
    NEAR(m.base[5], 10.03, 1e-12);
    rg_metric_free(&m);

    fill(&m, base, bit, 6);
    rg_metric_judge_perf(&m, &d, true);
    assert_true(m.test.p <= 0.05);
    assert_true(m.ci_high_pct < 5);
    assert_int_equal(m.verdict, RG_METRIC_BELOW_THRESHOLD);
    assert_string_equal(rg_metric_verdict_name(m.verdict), "significant-below-threshold");
    rg_metric_free(&m);

    /* Significant, the point estimate above the threshold, the interval across it: neither
     * a block nor a pass. Undecided while looks remain; inconclusive at the last one. */
    fill(&m, base, wide, 6);
    rg_metric_judge_perf(&m, &d, false);
    assert_true(m.test.p <= 0.05);
    assert_true(m.shift_pct > 5);
    assert_true(m.ci_low_pct < 5 && m.ci_high_pct > 5);
    assert_int_equal(m.verdict, RG_METRIC_UNDECIDED);
    assert_string_equal(rg_metric_verdict_name(m.verdict), "undecided");
    rg_metric_judge_perf(&m, &d, true);
    assert_int_equal(m.verdict, RG_METRIC_INCONCLUSIVE);
    assert_string_equal(rg_metric_verdict_name(m.verdict), "inconclusive");
    assert_int_equal(m.nlooks, 2);
    rg_metric_free(&m);

    /* A 50 % shift with too much overlap to be significant at 0.05: a pass. */
    double noisy_b[] = {10, 30, 5, 20, 8, 40}, noisy_c[] = {15, 12, 35, 9, 25, 11};
    fill(&m, noisy_b, noisy_c, 6);
    rg_metric_judge_perf(&m, &d, false);
    assert_true(m.test.p > 0.05);
    assert_int_equal(m.verdict, RG_METRIC_PASS);
    rg_metric_free(&m);
}

/* The failure that made this rule: six noisy pairs, the candidate no slower in truth, a
 * point estimate of +29 % over a 15 % threshold inside an interval from about +2 % to +84 %.
 * The old rule (p <= alpha and the point above the threshold) blocked it. */
static void test_point_estimate_inside_wide_interval_never_blocks(void **state)
{
    double base[] = {100, 96, 104, 99, 101, 98}, cand[] = {102, 180, 121, 140, 99.5, 185};
    struct rg_perf_design d = one_look(15);
    struct rg_metric m = {0};

    (void)state;
    fill(&m, base, cand, 6);
    rg_metric_judge_perf(&m, &d, true);
    assert_true(m.test.p <= 0.05);
    assert_true(m.shift_pct > 15);
    assert_true(m.ci_low_pct < 15 && m.ci_high_pct > 15);
    assert_int_not_equal(m.verdict, RG_METRIC_REGRESSION);
    assert_int_equal(m.verdict, RG_METRIC_INCONCLUSIVE);
    rg_metric_free(&m);
}

static void test_perf_faster_candidate_passes(void **state)
{
    double base[] = {15, 15.2, 14.9, 15.1, 15.05}, fast[] = {10, 10.2, 9.9, 10.1, 10.05};
    struct rg_perf_design d = one_look(5);
    struct rg_metric m = {0};

    (void)state;
    fill(&m, base, fast, 5);
    rg_metric_judge_perf(&m, &d, true);
    assert_int_equal(m.verdict, RG_METRIC_PASS);
    assert_true(m.shift_pct < -30);
    rg_metric_free(&m);
}

static void test_perf_zero_baseline_and_empty(void **state)
{
    double zero[] = {0, 0, 0, 0, 0}, some[] = {1, 2, 3, 4, 5};
    struct rg_perf_design d = one_look(5);
    struct rg_metric m = {0};

    (void)state;
    rg_metric_judge_perf(&m, &d, true); /* no samples at all */
    assert_false(m.tested);
    assert_int_equal(m.verdict, RG_METRIC_PASS);
    fill(&m, zero, some, 5);
    rg_metric_judge_perf(&m, &d, true);
    /* Significant, but a percentage of a zero median is undefined: never a regression. */
    assert_true(m.tested);
    NEAR(m.shift_pct, 0, 1e-12);
    assert_int_not_equal(m.verdict, RG_METRIC_REGRESSION);
    rg_metric_free(&m);
    rg_metric_free(NULL);
}

/* The design as `ringgate run` drives it: judge after at[0] pairs, then at each further look
 * while undecided. Returns the pairs used. */
static size_t sequential(struct rg_metric *m, const struct rg_perf_design *d, const double *b,
                         const double *c)
{
    size_t used = 0;

    for (int look = 0; look < d->looks; look++) {
        for (; used < (size_t)d->at[look]; used++) {
            assert_int_equal(rg_metric_add(m, false, b[used], (double)used), 0);
            assert_int_equal(rg_metric_add(m, true, c[used], (double)used), 0);
        }
        rg_metric_judge_perf(m, d, look == d->looks - 1);
        if (m->verdict != RG_METRIC_UNDECIDED)
            break;
    }
    return used;
}

static void test_sequential_looks(void **state)
{
    struct rg_perf_design d;
    struct rg_metric m = {0};
    double b[18], slow[18], mixed[18], straddle[18];

    (void)state;
    rg_perf_design_init(&d, 6, 18, 0.05, 15);
    for (int i = 0; i < 18; i++) {
        b[i] = 100 + (i % 3) - 1;       /* 99, 100, 101, ... */
        slow[i] = 180 + (i % 3);        /* +80 % */
        /* One stall of +40 % in the first six makes them straddle 15 %; more pairs at +2 %
         * narrow the interval below it. */
        mixed[i] = i < 6 ? (double[]){103, 140, 104, 103, 102, 104}[i] : 102 + (i % 3) - 1;
        /* Always a spread from +5 % to +30 %: the interval never leaves the threshold. */
        straddle[i] = 105 + (i % 6) * 5;
    }
    /* A large effect is blocked at the first look. */
    assert_int_equal(sequential(&m, &d, b, slow), 6);
    assert_int_equal(m.verdict, RG_METRIC_REGRESSION);
    assert_int_equal(m.nlooks, 1);
    NEAR(m.alpha_look, 0.05 / 3, 1e-12);
    rg_metric_free(&m);
    /* Undecided at 6 pairs, decided (a pass) at the second look. */
    assert_int_equal(sequential(&m, &d, b, mixed), 12);
    assert_int_equal(m.nlooks, 2);
    assert_int_equal(m.looks[0].verdict, RG_METRIC_UNDECIDED);
    assert_int_equal(m.looks[0].pairs, 6);
    assert_true(m.verdict == RG_METRIC_BELOW_THRESHOLD || m.verdict == RG_METRIC_PASS);
    assert_int_equal(m.looks[1].pairs, 12);
    rg_metric_free(&m);
    /* Undecided to the cap: inconclusive after all 18 pairs and three looks. */
    assert_int_equal(sequential(&m, &d, b, straddle), 18);
    assert_int_equal(m.nlooks, 3);
    assert_int_equal(m.verdict, RG_METRIC_INCONCLUSIVE);
    assert_true(m.ci_low_pct < 15 && m.ci_high_pct > 15);
    rg_metric_free(&m);
}

/* A seeded generator, the same everywhere: the simulation is reproducible. */
static double uniform(unsigned long long *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* Host noise: normal with a relative sd, and now and then (1 in 10) a stall of +60 %. */
static double noisy(unsigned long long *s, double mean, double sd, bool stalls)
{
    double u1 = uniform(s) + 1e-12, u2 = uniform(s);
    double v = mean * (1 + sd * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
    return stalls && uniform(s) < 0.1 ? v * 1.6 : v;
}

struct sim {
    int blocked, inconclusive;
    double pairs;
};

static struct sim simulate(unsigned long long seed, int runs, double shift, double sd, bool stalls)
{
    struct rg_perf_design d;
    struct sim r = {0};

    rg_perf_design_init(&d, 6, 18, 0.05, 15);
    for (int k = 0; k < runs; k++) {
        double b[18], c[18];
        struct rg_metric m = {0};

        for (int i = 0; i < 18; i++) {
            b[i] = noisy(&seed, 100, sd, stalls);
            c[i] = noisy(&seed, 100 * (1 + shift), sd, stalls);
        }
        r.pairs += (double)sequential(&m, &d, b, c);
        r.blocked += m.verdict == RG_METRIC_REGRESSION;
        r.inconclusive += m.verdict == RG_METRIC_INCONCLUSIVE;
        rg_metric_free(&m);
    }
    r.pairs /= runs;
    return r;
}

static void test_simulated_false_block_rate(void **state)
{
    const int runs = 1000;
    struct sim at, aa, stall, slow;

    (void)state;
    /* The hardest good update: exactly at the 15 % threshold, which must not block. The old
     * point-estimate rule blocks about half of these. */
    at = simulate(7, runs, 0.15, 0.10, false);
    aa = simulate(11, runs, 0, 0.10, false);
    stall = simulate(13, runs, 0.15, 0.10, true);
    slow = simulate(17, runs, 0.80, 0.10, false);
    print_message("sequential 6..18 pairs, alpha 0.05, 15 %%: at the threshold blocked %.3f "
                  "(inconclusive %.3f, %.1f pairs); A/A blocked %.3f (%.1f pairs); with stalls "
                  "blocked %.3f; +80 %% blocked %.3f (%.1f pairs)\n",
                  (double)at.blocked / runs, (double)at.inconclusive / runs, at.pairs,
                  (double)aa.blocked / runs, aa.pairs, (double)stall.blocked / runs,
                  (double)slow.blocked / runs, slow.pairs);
    /* Bonferroni over the looks bounds it by alpha / 2; assert alpha, the documented promise. */
    assert_true(at.blocked <= runs * 5 / 100);
    assert_true(stall.blocked <= runs * 5 / 100);
    assert_int_equal(aa.blocked, 0);
    assert_true(aa.pairs < 12); /* a clean A/A mostly ends at the first look */
    assert_true(slow.blocked >= runs * 95 / 100);
    assert_true(slow.pairs < 7);
}

static void test_noise_and_mde(void **state)
{
    /* Each side spread by +-1 around its own median: MAD 1, sd 1.4826, 1.48 % of 100. */
    double b[] = {99, 100, 101, 99, 100, 101}, c[] = {119, 120, 121, 119, 120, 121};
    struct rg_perf_design d;
    struct rg_metric m = {0};

    (void)state;
    rg_perf_design_init(&d, 6, 18, 0.05, 15);
    fill(&m, b, c, 6);
    rg_metric_noise(&m, &d);
    NEAR(m.noise_pct, 1.4826, 1e-3); /* the 20 % shift between the sides is not noise */
    /* (z(0.05/3/2) + z(0.2)) * sqrt(pi/3) * 1.4826 % * sqrt(2/n) */
    NEAR(m.mde_first_pct, (2.3940 + 0.8416) * 1.0233 * 1.4826 * sqrt(2.0 / 6), 0.01);
    NEAR(m.mde_pct, (2.3940 + 0.8416) * 1.0233 * 1.4826 * sqrt(2.0 / 18), 0.01);
    assert_true(m.mde_pct < m.mde_first_pct);

    /* Judged, the shift's spread is read off its interval. */
    rg_metric_judge_perf(&m, &d, false);
    assert_true(m.test.ci_valid);
    rg_metric_noise(&m, &d);
    NEAR(m.shift_sd_pct, (m.ci_high_pct - m.ci_low_pct) / (2 * 2.3940), 0.01);
    assert_true(m.shift_sd_pct > 0);
    NEAR(m.mde_first_pct, (2.3940 + 0.8416) * m.shift_sd_pct, 0.01);
    NEAR(m.mde_pct, (2.3940 + 0.8416) * m.shift_sd_pct * sqrt(6.0 / 18), 0.01);
    rg_metric_free(&m);
}

static void test_slope(void **state)
{
    double t[] = {0, 1, 2, 3, 4}, v[] = {1, 3, 5, 7, 9}, flat[] = {2, 2, 2, 2, 2};
    double same_t[] = {1, 1, 1}, noisy[] = {0, 2, 1, 3, 2};

    (void)state;
    NEAR(rg_regress_slope(t, v, 5), 2, 1e-12);
    NEAR(rg_regress_slope(t, flat, 5), 0, 1e-12);
    NEAR(rg_regress_slope(same_t, v, 3), 0, 1e-12); /* no spread of times: no slope */
    NEAR(rg_regress_slope(t, v, 1), 0, 1e-12);
    /* By hand: mean t 2, mean v 1.6; sum (t-2)(v-1.6) = 5, sum (t-2)^2 = 10. */
    NEAR(rg_regress_slope(t, noisy, 5), 0.5, 1e-12);
}

static void test_memory_growth(void **state)
{
    struct rg_metric m = {0};

    (void)state;
    /* Over 60 s: the baseline flat at 20 MiB, the candidate +0.1 MiB a second. */
    for (int i = 0; i <= 6; i++) {
        assert_int_equal(rg_metric_add(&m, false, 20, 10.0 * i), 0);
        assert_int_equal(rg_metric_add(&m, true, 20 + 1.0 * i, 10.0 * i + 1), 0);
    }
    rg_metric_judge_memory(&m, 60, 4);
    NEAR(m.slope_base, 0, 1e-9);
    NEAR(m.slope_cand, 6, 1e-9); /* MiB per minute */
    NEAR(m.growth, 6, 1e-9);     /* over the 60 s window */
    NEAR(m.per_hour, 360, 1e-9);
    assert_int_equal(m.verdict, RG_METRIC_REGRESSION);
    rg_metric_judge_memory(&m, 60, 8);
    assert_int_equal(m.verdict, RG_METRIC_PASS);
    rg_metric_free(&m);

    /* Both sides growing alike (page cache, a warming system) is not the update's doing. */
    for (int i = 0; i <= 6; i++) {
        assert_int_equal(rg_metric_add(&m, false, 20 + 1.0 * i, 10.0 * i), 0);
        assert_int_equal(rg_metric_add(&m, true, 30 + 1.0 * i, 10.0 * i + 1), 0);
    }
    rg_metric_judge_memory(&m, 60, 1);
    NEAR(m.growth, 0, 1e-9);
    assert_int_equal(m.verdict, RG_METRIC_PASS);
    rg_metric_free(&m);
}

static void test_kv_parse(void **state)
{
    struct rg_kv kv[4];
    const char *out = "workload=syscall\niterations=2000\nwall_ns=123456789\r\n"
                      "no equals sign\n=5\nbad name=1\ncpu_ns=1.5e6\nok=1";
    size_t n;

    (void)state;
    n = rg_kv_parse(out, kv, 4);
    assert_int_equal(n, 4);
    assert_string_equal(kv[0].name, "iterations");
    NEAR(kv[0].value, 2000, 1e-9);
    assert_string_equal(kv[1].name, "wall_ns");
    NEAR(kv[1].value, 123456789, 1e-3);
    assert_string_equal(kv[2].name, "cpu_ns");
    NEAR(kv[2].value, 1.5e6, 1e-9);
    assert_string_equal(kv[3].name, "ok");
    assert_int_equal(rg_kv_parse("a=1\nb=2\nc=3", kv, 2), 2); /* at most max */
    assert_int_equal(rg_kv_parse("x=nan\ny=inf\nz=\n", kv, 4), 0);
    assert_int_equal(rg_kv_parse(NULL, kv, 4), 0);
    assert_int_equal(rg_kv_parse("", kv, 4), 0);
}

static void test_meminfo(void **state)
{
    const char *mi = "MemTotal:         250000 kB\nMemFree:          100000 kB\n"
                     "MemAvailable:     204800 kB\nSlab:              10240 kB\n"
                     "SReclaimable:       4096 kB\nSUnreclaim:         6144 kB\n";
    double v = -1;

    (void)state;
    assert_true(rg_meminfo_mib(mi, "MemAvailable", &v));
    NEAR(v, 200, 1e-9);
    assert_true(rg_meminfo_mib(mi, "SUnreclaim", &v));
    NEAR(v, 6, 1e-9);
    assert_true(rg_meminfo_mib(mi, "Slab", &v)); /* not confused with a longer name */
    NEAR(v, 10, 1e-9);
    assert_false(rg_meminfo_mib(mi, "Mem", &v));
    assert_false(rg_meminfo_mib(mi, "Shmem", &v));
    assert_false(rg_meminfo_mib("", "Slab", &v));
    /* Found by fuzz_guest_output: strtod reads "nan" and "inf"; a guest must not inject them. */
    assert_false(rg_meminfo_mib("MemAvailable:nan\n", "MemAvailable", &v));
    assert_false(rg_meminfo_mib("MemAvailable: inf kB\n", "MemAvailable", &v));
    assert_false(rg_meminfo_mib("MemAvailable: -5 kB\n", "MemAvailable", &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_design_looks),
        cmocka_unit_test(test_perf_three_way),
        cmocka_unit_test(test_point_estimate_inside_wide_interval_never_blocks),
        cmocka_unit_test(test_sequential_looks),
        cmocka_unit_test(test_simulated_false_block_rate),
        cmocka_unit_test(test_noise_and_mde),
        cmocka_unit_test(test_perf_faster_candidate_passes),
        cmocka_unit_test(test_perf_zero_baseline_and_empty),
        cmocka_unit_test(test_slope),
        cmocka_unit_test(test_memory_growth),
        cmocka_unit_test(test_kv_parse),
        cmocka_unit_test(test_meminfo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
