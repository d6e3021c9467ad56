/* Unit tests for regression metrics: the perf verdict's two conditions, memory slopes, and
 * the parsers of workload output and /proc/meminfo. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "regress.h"

#define NEAR(a, b, eps) assert_true(fabs((a) - (b)) < (eps))

static void fill(struct rg_metric *m, const double *b, const double *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rg_metric_add(m, false, b[i], (double)(2 * i)), 0);
        assert_int_equal(rg_metric_add(m, true, c[i], (double)(2 * i + 1)), 0);
    }
}

static void test_perf_regression_needs_both_conditions(void **state)
{
    /* Candidate 50 % slower, every sample above every baseline: p = 1 / C(12, 6). */
    double base[] = {10, 10.2, 9.9, 10.1, 10.3, 9.8}, slow[] = {15, 15.2, 14.9, 15.1, 15.3, 14.8};
    /* 2 % slower, still every sample above: significant but below a 5 % threshold. */
    double bit[] = {10.35, 10.4, 10.45, 10.5, 10.55, 10.6};
    struct rg_metric m = {0};

    (void)state;
    fill(&m, base, slow, 6);
    rg_metric_judge_perf(&m, 0.05, 5);
    assert_true(m.tested);
    NEAR(m.test.p, 1.0 / 924, 1e-9);
    assert_int_equal(m.verdict, RG_METRIC_REGRESSION);
    NEAR(m.shift_pct, 50, 1.5);
    assert_true(m.ci_low_pct <= m.shift_pct && m.shift_pct <= m.ci_high_pct);
    /* The samples keep their order for the report (the median works on a copy). */
    NEAR(m.base[0], 10, 1e-12);
    NEAR(m.base[5], 9.8, 1e-12);
    rg_metric_free(&m);

    fill(&m, base, bit, 6);
    rg_metric_judge_perf(&m, 0.05, 5);
    assert_true(m.test.p <= 0.05);
    assert_int_equal(m.verdict, RG_METRIC_BELOW_THRESHOLD);
    assert_string_equal(rg_metric_verdict_name(m.verdict), "significant-below-threshold");
    rg_metric_free(&m);

    /* The same 50 % shift with too much overlap to be significant at 0.05. */
    double noisy_b[] = {10, 30, 5, 20, 8, 40}, noisy_c[] = {15, 12, 35, 9, 25, 11};
    fill(&m, noisy_b, noisy_c, 6);
    rg_metric_judge_perf(&m, 0.05, 5);
    assert_true(m.test.p > 0.05);
    assert_int_equal(m.verdict, RG_METRIC_PASS);
    rg_metric_free(&m);
}

static void test_perf_faster_candidate_passes(void **state)
{
    double base[] = {15, 15.2, 14.9, 15.1}, fast[] = {10, 10.2, 9.9, 10.1};
    struct rg_metric m = {0};

    (void)state;
    fill(&m, base, fast, 4);
    rg_metric_judge_perf(&m, 0.05, 5);
    assert_int_equal(m.verdict, RG_METRIC_PASS);
    assert_true(m.shift_pct < -30);
    rg_metric_free(&m);
}

static void test_perf_zero_baseline_and_empty(void **state)
{
    double zero[] = {0, 0, 0, 0}, some[] = {1, 2, 3, 4};
    struct rg_metric m = {0};

    (void)state;
    rg_metric_judge_perf(&m, 0.05, 5); /* no samples at all */
    assert_false(m.tested);
    assert_int_equal(m.verdict, RG_METRIC_PASS);
    fill(&m, zero, some, 4);
    rg_metric_judge_perf(&m, 0.05, 5);
    /* Significant, but a percentage of a zero median is undefined: never a regression. */
    assert_true(m.tested);
    NEAR(m.shift_pct, 0, 1e-12);
    assert_int_not_equal(m.verdict, RG_METRIC_REGRESSION);
    rg_metric_free(&m);
    rg_metric_free(NULL);
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
        cmocka_unit_test(test_perf_regression_needs_both_conditions),
        cmocka_unit_test(test_perf_faster_candidate_passes),
        cmocka_unit_test(test_perf_zero_baseline_and_empty),
        cmocka_unit_test(test_slope),
        cmocka_unit_test(test_memory_growth),
        cmocka_unit_test(test_kv_parse),
        cmocka_unit_test(test_meminfo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
