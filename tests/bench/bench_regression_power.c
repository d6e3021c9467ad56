/* Benchmark helper (not a test): reads the reports of one A/A run and one slow-content run,
 * both with many paired samples, and prints for the deciding metric: the A/A false-positive
 * rate over disjoint blocks of N pairs, the smallest N that detects the slow content in at
 * least 95 % of seeded random draws, and the wall time per sample.
 * Usage: bench_regression_power LABEL AA_RUN_DIR SLOW_RUN_DIR BLOCK_N */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regress.h"
#include "report.h"

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

/* The verdict on the pairs at the given indexes. */
static enum rg_metric_verdict judge(const struct pairs *p, const size_t *idx, size_t n)
{
    struct rg_metric m = {0};
    enum rg_metric_verdict v;

    for (size_t i = 0; i < n; i++) {
        rg_metric_add(&m, false, p->b[idx[i]], (double)i);
        rg_metric_add(&m, true, p->c[idx[i]], (double)i);
    }
    rg_metric_judge_perf(&m, p->alpha, p->threshold);
    v = m.verdict;
    rg_metric_free(&m);
    return v;
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

int main(int argc, char **argv)
{
    struct pairs aa = {0}, slow = {0};
    size_t block, blocks, fp_sig = 0, fp_block = 0, need = 0, idx[1000];
    const int draws = 400;

    if (argc != 5 || (block = (size_t)atoi(argv[4])) < 2) {
        fprintf(stderr, "usage: bench_regression_power LABEL AA_RUN_DIR SLOW_RUN_DIR BLOCK_N\n");
        return 2;
    }
    if (load(argv[2], &aa) < 0 || load(argv[3], &slow) < 0)
        return 1;
    /* A/A: disjoint blocks of `block` consecutive pairs, each one comparison. */
    blocks = aa.n / block;
    for (size_t k = 0; k < blocks; k++) {
        enum rg_metric_verdict v;
        for (size_t i = 0; i < block; i++)
            idx[i] = k * block + i;
        v = judge(&aa, idx, block);
        fp_sig += v == RG_METRIC_REGRESSION || v == RG_METRIC_BELOW_THRESHOLD;
        fp_block += v == RG_METRIC_REGRESSION;
    }
    /* Power: for growing N, random pairs (without replacement) of the slow run. */
    for (size_t n = 2; n <= slow.n && n < 1000 && !need; n++) {
        int hits = 0;
        for (int d = 0; d < draws; d++) {
            size_t pool[1000];
            for (size_t i = 0; i < slow.n; i++)
                pool[i] = i;
            for (size_t i = 0; i < n; i++) {
                size_t j = i + draw(slow.n - i), t = pool[i];
                pool[i] = pool[j];
                pool[j] = t;
                idx[i] = pool[i];
            }
            hits += judge(&slow, idx, n) == RG_METRIC_REGRESSION;
        }
        if (hits >= draws * 95 / 100)
            need = n;
    }
    printf("%-8s  A/A: %zu comparisons of %zu pairs, significant %zu (%.3f), blocking %zu "
           "(%.3f)  |  slow content detected >= 95 %%: ",
           argv[1], blocks, block, fp_sig, blocks ? (double)fp_sig / (double)blocks : 0,
           fp_block, blocks ? (double)fp_block / (double)blocks : 0);
    if (need)
        printf("%zu pairs", need);
    else
        printf("not within %zu pairs", slow.n);
    printf("  |  wall per sample %.2f s (A/A) %.2f s (slow)\n",
           aa.measure_s / (2.0 * (double)aa.n), slow.measure_s / (2.0 * (double)slow.n));
    free(aa.b);
    free(aa.c);
    free(slow.b);
    free(slow.c);
    return 0;
}
