/* Benchmark helper (not a test): replays the sequential performance verdict on the pairs of
 * one A/A run and one slow-content run, each with many paired samples, and prints for the
 * deciding metric: the A/A false-block rate, the slow content's detection rate, how often
 * each ends inconclusive, the mean pairs used, and the wall time per sample.
 * Each comparison takes the pairs of its run in a seeded random order (without replacement)
 * and looks at them as `ringgate run` would: after SAMPLES pairs, then up to MAX_SAMPLES.
 * Then the power curve on this host's own noise: the A/A pairs with the candidate's samples
 * scaled by 1 + s, for shifts s around the threshold (a synthetic slowdown on real noise).
 * Usage: bench_regression_power LABEL AA_RUN_DIR SLOW_RUN_DIR SAMPLES MAX_SAMPLES [N] */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/regress.h"
#include "report/report.h"

struct pairs {
    double *b, *c;
    size_t n;
    double threshold, alpha, measure_s;
};

static int load(const char *dir, struct pairs *p)
{
    struct rg_error err = {0};
    json_t *r = NULL, *cell, *m;
    size_t i;

    if (rg_report_load(dir, &r, &err) < 0) {
        fprintf(stderr, "%s: %s\n", err.file, err.msg);
        return -1;
    }
    cell = json_array_get(json_object_get(r, "cells"), 0);
    p->measure_s = rg_report_num(cell, "measure_s", 0);
    json_array_foreach(json_object_get(cell, "metrics"), i, m)
    {
        const json_t *bv = json_object_get(m, "baseline"), *cv = json_object_get(m, "candidate");

        if (!json_is_true(json_object_get(m, "decides")) ||
            strcmp(rg_report_str(m, "kind"), "performance") != 0)
            continue;
        p->n = json_array_size(bv) < json_array_size(cv) ? json_array_size(bv)
                                                         : json_array_size(cv);
        p->b = calloc(p->n + 1, sizeof(double));
        p->c = calloc(p->n + 1, sizeof(double));
        if (!p->b || !p->c)
            abort();
        for (size_t k = 0; k < p->n; k++) {
            p->b[k] = json_number_value(json_array_get(bv, k));
            p->c[k] = json_number_value(json_array_get(cv, k));
        }
        p->threshold = rg_report_num(m, "threshold_pct", 5);
        p->alpha = rg_report_num(m, "alpha", 0.05);
        break;
    }
    json_decref(r);
    if (!p->n) {
        fprintf(stderr, "%s: no deciding performance metric\n", dir);
        return -1;
    }
    return 0;
}

/* xorshift64*: seeded, so the table is the same for the same reports. */
static unsigned long long rng = 0x9e3779b97f4a7c15ULL;
static size_t draw(size_t n)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (size_t)((rng * 2685821657736338717ULL) >> 33) % n;
}

struct tally {
    size_t runs, verdicts[RG_METRIC_INCONCLUSIVE + 1], pairs;
};

/* One comparison: the pairs of p in a random order, judged at each look until decided. */
static void compare(const struct pairs *p, const struct rg_perf_design *d, struct tally *t)
{
    struct rg_metric m = {0};
    size_t *order = malloc(p->n * sizeof(size_t)), used = 0;

    if (!order)
        abort();
    for (size_t i = 0; i < p->n; i++)
        order[i] = i;
    for (size_t i = 0; i + 1 < p->n; i++) {
        size_t j = i + draw(p->n - i), tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
    for (int look = 0; look < d->looks; look++) {
        for (; used < (size_t)d->at[look]; used++) {
            rg_metric_add(&m, false, p->b[order[used]], (double)used);
            rg_metric_add(&m, true, p->c[order[used]], (double)used);
        }
        rg_metric_judge_perf(&m, d, look == d->looks - 1);
        if (m.verdict != RG_METRIC_UNDECIDED)
            break;
    }
    t->runs++;
    t->verdicts[m.verdict]++;
    t->pairs += used;
    rg_metric_free(&m);
    free(order);
}

static double share(const struct tally *t, enum rg_metric_verdict v)
{
    return t->runs ? 100.0 * (double)t->verdicts[v] / (double)t->runs : 0;
}

int main(int argc, char **argv)
{
    struct pairs aa = {0}, slow = {0};
    struct tally ta = {0}, ts = {0};
    struct rg_perf_design d;
    int samples, max_samples, n = 200;

    if (argc < 6 || argc > 7 || (samples = atoi(argv[4])) < 2 ||
        (max_samples = atoi(argv[5])) < samples || (argc == 7 && (n = atoi(argv[6])) < 1)) {
        fprintf(stderr, "usage: bench_regression_power LABEL AA_RUN_DIR SLOW_RUN_DIR SAMPLES "
                        "MAX_SAMPLES [COMPARISONS]\n");
        return 2;
    }
    if (load(argv[2], &aa) < 0 || load(argv[3], &slow) < 0)
        return 1;
    if (aa.n < (size_t)max_samples || slow.n < (size_t)max_samples) {
        fprintf(stderr, "the runs have %zu and %zu pairs; MAX_SAMPLES %d needs that many\n",
                aa.n, slow.n, max_samples);
        return 1;
    }
    rg_perf_design_init(&d, samples, max_samples, aa.alpha, aa.threshold);
    for (int i = 0; i < n; i++) {
        compare(&aa, &d, &ta);
        compare(&slow, &d, &ts);
    }
    printf("%-12s A/A (%zu pairs): false block %zu/%zu (%.1f %%), inconclusive %.1f %%, "
           "mean pairs %.1f  |  slow (%zu pairs): blocked %.1f %%, inconclusive %.1f %%, "
           "passed %.1f %%, mean pairs %.1f  |  s per sample %.2f (A/A) %.2f (slow)\n",
           argv[1], aa.n, ta.verdicts[RG_METRIC_REGRESSION], ta.runs,
           share(&ta, RG_METRIC_REGRESSION), share(&ta, RG_METRIC_INCONCLUSIVE),
           (double)ta.pairs / (double)ta.runs, slow.n, share(&ts, RG_METRIC_REGRESSION),
           share(&ts, RG_METRIC_INCONCLUSIVE),
           share(&ts, RG_METRIC_PASS) + share(&ts, RG_METRIC_BELOW_THRESHOLD),
           (double)ts.pairs / (double)ts.runs, aa.measure_s / (2.0 * (double)aa.n),
           slow.measure_s / (2.0 * (double)slow.n));
    printf("%-12s power on the A/A noise (shift injected: blocked / inconclusive, mean pairs):",
           argv[1]);
    {
        static const double shifts[] = {0.5, 1.0, 1.5, 2.0, 3.0}; /* x threshold */
        double *orig = malloc(aa.n * sizeof(double));

        if (!orig)
            abort();
        memcpy(orig, aa.c, aa.n * sizeof(double));
        for (size_t k = 0; k < sizeof(shifts) / sizeof(shifts[0]); k++) {
            struct tally t = {0};
            double f = 1 + shifts[k] * aa.threshold / 100;

            for (size_t i = 0; i < aa.n; i++)
                aa.c[i] = orig[i] * f;
            for (int i = 0; i < n; i++)
                compare(&aa, &d, &t);
            printf("%s +%.0f %%: %.0f %% / %.0f %%, %.1f", k ? ";" : "",
                   shifts[k] * aa.threshold, share(&t, RG_METRIC_REGRESSION),
                   share(&t, RG_METRIC_INCONCLUSIVE), (double)t.pairs / (double)t.runs);
        }
        printf("\n");
        memcpy(aa.c, orig, aa.n * sizeof(double));
        free(orig);
    }
    free(aa.b);
    free(aa.c);
    free(slow.b);
    free(slow.c);
    return 0;
}
