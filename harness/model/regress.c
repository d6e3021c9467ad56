/* Regression metrics: performance judged by the Hodges-Lehmann shift's interval in a
 * sequential design, memory by the difference of growth slopes. */
#include "model/regress.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int push(double **v, size_t n, double x)
{
    double *p = realloc(*v, (n + 1) * sizeof(double));

    if (!p)
        return -1;
    p[n] = x;
    *v = p;
    return 0;
}

int rg_metric_add(struct rg_metric *m, bool candidate, double value, double t)
{
    double **v = candidate ? &m->cand : &m->base, **tv = candidate ? &m->tcand : &m->tbase;
    size_t *n = candidate ? &m->ncand : &m->nbase;

    if (push(v, *n, value) < 0 || push(tv, *n, t) < 0)
        return -1;
    (*n)++;
    return 0;
}

/* The baseline's median, from a copy: the samples keep their order for the report. */
static double base_median(const struct rg_metric *m)
{
    double *copy = malloc((m->nbase ? m->nbase : 1) * sizeof(double)), med;

    if (!copy)
        abort();
    memcpy(copy, m->base, m->nbase * sizeof(double));
    med = rg_stats_median(copy, m->nbase);
    free(copy);
    return med;
}

void rg_perf_design_init(struct rg_perf_design *d, int samples, int max_samples, double alpha,
                         double threshold_pct)
{
    int looks = 1;

    memset(d, 0, sizeof(*d));
    if (samples < 1)
        samples = 1;
    if (max_samples > samples) {
        looks = (max_samples + samples - 1) / samples;
        if (looks > RG_PERF_MAX_LOOKS)
            looks = RG_PERF_MAX_LOOKS;
    }
    d->looks = looks;
    for (int i = 0; i < looks; i++)
        d->at[i] = looks == 1 ? samples
                              : samples + (int)lround((double)(max_samples - samples) * i /
                                                      (looks - 1));
    d->alpha = alpha;
    d->alpha_look = alpha / looks;
    d->threshold_pct = threshold_pct;
}

int rg_perf_design_min_samples(const struct rg_perf_design *d)
{
    /* The widest interval, [min, max] of the differences, has confidence 1 - 2 / C(2n, n). */
    return rg_stats_mw_min_samples(d->alpha_look / 2);
}

void rg_metric_judge_perf(struct rg_metric *m, const struct rg_perf_design *d, bool last)
{
    double med, thr = d->threshold_pct;
    bool significant;

    m->alpha = d->alpha;
    m->alpha_look = d->alpha_look;
    m->threshold_pct = thr;
    m->verdict = RG_METRIC_PASS;
    m->shift_pct = m->ci_low_pct = m->ci_high_pct = 0;
    m->tested = rg_stats_shift(m->base, m->nbase, m->cand, m->ncand, d->alpha_look, &m->test) == 0;
    if (!m->tested)
        return;
    significant = m->test.p <= d->alpha;
    /* Percentages of the baseline's median: a shift of a zero median has no percentage, and
     * a metric that is always zero cannot have regressed. */
    med = base_median(m);
    if (med > 0) {
        m->shift_pct = 100 * m->test.shift / med;
        m->ci_low_pct = 100 * m->test.ci_low / med;
        m->ci_high_pct = 100 * m->test.ci_high / med;
    }
    if (med <= 0)
        m->verdict = significant ? RG_METRIC_BELOW_THRESHOLD : RG_METRIC_PASS;
    else if (m->test.ci_valid && m->ci_low_pct > thr)
        m->verdict = RG_METRIC_REGRESSION;
    else if (!significant)
        m->verdict = RG_METRIC_PASS;
    else if (m->test.ci_valid && m->ci_high_pct < thr)
        m->verdict = RG_METRIC_BELOW_THRESHOLD;
    else
        m->verdict = last ? RG_METRIC_INCONCLUSIVE : RG_METRIC_UNDECIDED;
    if (m->nlooks < RG_PERF_MAX_LOOKS)
        m->looks[m->nlooks++] = (struct rg_look){(int)m->nbase, m->shift_pct, m->ci_low_pct,
                                                 m->ci_high_pct, m->test.p, m->verdict};
}

void rg_metric_noise(struct rg_metric *m, const struct rg_perf_design *d)
{
    /* The Hodges-Lehmann shift of n + n samples has a standard error of about
     * sqrt(pi / 3) * sd * sqrt(2 / n) (Mann-Whitney's efficiency 3 / pi under normal noise). */
    const double se_factor = 1.0233;
    double med, *dev, z, z_look;
    size_t n = m->nbase + m->ncand;

    m->noise_pct = m->shift_sd_pct = m->mde_first_pct = m->mde_pct = 0;
    if (m->nbase < 2 || m->ncand < 2)
        return;
    /* Each side around its own median: a shift between them is not noise. The baseline's
     * median is also what the percentages are of. */
    dev = malloc(n * sizeof(double));
    if (!dev)
        abort();
    memcpy(dev, m->base, m->nbase * sizeof(double));
    memcpy(dev + m->nbase, m->cand, m->ncand * sizeof(double));
    med = rg_stats_median(dev, m->nbase);
    {
        double mc = rg_stats_median(dev + m->nbase, m->ncand);
        for (size_t i = 0; i < m->nbase; i++)
            dev[i] = m->base[i] - med;
        for (size_t i = 0; i < m->ncand; i++)
            dev[m->nbase + i] = m->cand[i] - mc;
    }
    if (med <= 0) {
        free(dev);
        return;
    }
    m->noise_pct = 100 * rg_stats_mad_sd(dev, n) / med;
    free(dev);
    /* The shift's own spread: read off its interval where there is one, which carries the
     * noise's tails and the exact interval's coarseness at small samples; from the samples'
     * spread otherwise (normal noise: an optimistic figure). */
    z_look = rg_stats_z_upper(d->alpha_look / 2);
    if (m->tested && m->test.ci_valid && m->ci_high_pct > m->ci_low_pct)
        m->shift_sd_pct = (m->ci_high_pct - m->ci_low_pct) / (2 * z_look);
    else
        m->shift_sd_pct = se_factor * m->noise_pct * sqrt(2.0 / (double)m->nbase);
    /* The smallest shift that the look's interval tells from none 4 times in 5: z for the
     * look's bound plus z for 80 % power, in standard errors at that look's pairs. */
    z = z_look + rg_stats_z_upper(0.2);
    m->mde_first_pct = z * m->shift_sd_pct * sqrt((double)m->nbase / d->at[0]);
    m->mde_pct = z * m->shift_sd_pct * sqrt((double)m->nbase / d->at[d->looks - 1]);
}

bool rg_metric_threshold_unresolved(const struct rg_metric *m)
{
    return m->kind == RG_METRIC_PERF && m->mde_pct > m->threshold_pct;
}

double rg_regress_slope(const double *t, const double *v, size_t n)
{
    double mt = 0, mv = 0, stt = 0, stv = 0;

    if (n < 2)
        return 0;
    for (size_t i = 0; i < n; i++) {
        mt += t[i];
        mv += v[i];
    }
    mt /= (double)n;
    mv /= (double)n;
    for (size_t i = 0; i < n; i++) {
        stt += (t[i] - mt) * (t[i] - mt);
        stv += (t[i] - mt) * (v[i] - mv);
    }
    return stt > 0 ? stv / stt : 0;
}

void rg_metric_judge_memory(struct rg_metric *m, double window_s, double max_growth)
{
    double excess;

    /* Per minute: the unit people read leaks in. */
    m->slope_base = 60 * rg_regress_slope(m->tbase, m->base, m->nbase);
    m->slope_cand = 60 * rg_regress_slope(m->tcand, m->cand, m->ncand);
    excess = m->slope_cand - m->slope_base;
    m->window_s = window_s;
    m->max_growth = max_growth;
    m->growth = excess * window_s / 60;
    m->per_hour = excess * 60;
    m->verdict = m->growth > max_growth ? RG_METRIC_REGRESSION : RG_METRIC_PASS;
}

void rg_metric_free(struct rg_metric *m)
{
    if (!m)
        return;
    free(m->base);
    free(m->cand);
    free(m->tbase);
    free(m->tcand);
    memset(m, 0, sizeof(*m));
}

const char *rg_metric_kind_name(enum rg_metric_kind k)
{
    return k == RG_METRIC_MEMORY ? "memory" : "performance";
}

static bool name_char(int ch)
{
    return isalnum(ch) || ch == '_' || ch == '.' || ch == '-';
}

size_t rg_kv_parse(const char *text, struct rg_kv *out, size_t max)
{
    size_t n = 0;

    while (text && *text && n < max) {
        const char *eol = strchr(text, '\n'), *p = text;
        size_t len = 0;

        if (!eol)
            eol = text + strlen(text);
        while (p < eol && name_char((unsigned char)*p))
            p++;
        len = (size_t)(p - text);
        if (len > 0 && len < sizeof(out->name) && p < eol && *p == '=') {
            char num[64], *end;
            size_t vlen = (size_t)(eol - p - 1);

            if (vlen > 0 && vlen < sizeof(num)) {
                double v;

                memcpy(num, p + 1, vlen);
                num[vlen] = '\0';
                if (num[vlen - 1] == '\r')
                    num[vlen - 1] = '\0';
                v = strtod(num, &end);
                if (end != num && *end == '\0' && isfinite(v)) {
                    memcpy(out[n].name, text, len);
                    out[n].name[len] = '\0';
                    out[n++].value = v;
                }
            }
        }
        text = *eol ? eol + 1 : eol;
    }
    return n;
}

bool rg_meminfo_mib(const char *text, const char *name, double *mib)
{
    size_t len = strlen(name);

    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        char *end;
        double kb;

        if (strncmp(p, name, len) != 0 || p[len] != ':')
            continue;
        kb = strtod(p + len + 1, &end);
        /* A guest's output is untrusted: "nan", "inf" or a negative size is no reading. */
        if (end == p + len + 1 || !isfinite(kb) || kb < 0)
            return false;
        *mib = kb / 1024;
        return true;
    }
    return false;
}
