/* Sharding: longest-processing-time assignment of planned cells, and the --shard I/N syntax. */
#include "model/shard.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct order {
    const struct rg_shard_item *items;
    size_t i;
};

static int order_cmp(const void *pa, const void *pb)
{
    const struct order *a = pa, *b = pb;
    const struct rg_shard_item *x = &a->items[a->i], *y = &b->items[b->i];
    int c;

    if (x->estimate_s != y->estimate_s)
        return x->estimate_s > y->estimate_s ? -1 : 1;
    if ((c = strcmp(x->scenario, y->scenario)) != 0)
        return c;
    if ((c = strcmp(x->cell, y->cell)) != 0)
        return c;
    return a->i < b->i ? -1 : a->i > b->i;
}

int rg_shard_assign(const struct rg_shard_item *items, size_t n, size_t nshards, size_t *shard_of,
                    long *load)
{
    struct order *ord;
    long *sum;

    if (nshards == 0)
        return -1;
    ord = calloc(n + 1, sizeof(*ord));
    sum = calloc(nshards, sizeof(*sum));
    if (!ord || !sum) {
        free(ord);
        free(sum);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        ord[i] = (struct order){items, i};
    qsort(ord, n, sizeof(*ord), order_cmp);
    for (size_t k = 0; k < n; k++) {
        size_t best = 0;

        for (size_t s = 1; s < nshards; s++)
            if (sum[s] < sum[best])
                best = s;
        shard_of[ord[k].i] = best;
        sum[best] += items[ord[k].i].estimate_s;
    }
    if (load)
        memcpy(load, sum, nshards * sizeof(*sum));
    free(sum);
    free(ord);
    return 0;
}

int rg_shard_split(const struct rg_scenario *const *scs, size_t nsc, size_t nshards,
                   struct rg_shard_split *sp)
{
    struct rg_shard_item *items;
    size_t k = 0;
    int rc;

    memset(sp, 0, sizeof(*sp));
    for (size_t s = 0; s < nsc; s++)
        sp->n += scs[s]->ncells;
    items = calloc(sp->n + 1, sizeof(*items));
    sp->keys = calloc(sp->n + 1, sizeof(*sp->keys));
    sp->shard_of = calloc(sp->n + 1, sizeof(*sp->shard_of));
    sp->load = calloc(nshards + 1, sizeof(*sp->load));
    if (!items || !sp->keys || !sp->shard_of || !sp->load)
        abort();
    for (size_t s = 0; s < nsc; s++)
        for (size_t i = 0; i < scs[s]->ncells; i++, k++) {
            char key[256];

            items[k] = (struct rg_shard_item){scs[s]->name, scs[s]->cells[i].id,
                                              rg_scenario_cell_estimate_s(scs[s])};
            snprintf(key, sizeof(key), "%s/%s", scs[s]->name, scs[s]->cells[i].id);
            if (!(sp->keys[k] = strdup(key)))
                abort();
        }
    rc = rg_shard_assign(items, sp->n, nshards, sp->shard_of, sp->load);
    free(items);
    return rc;
}

void rg_shard_split_free(struct rg_shard_split *sp)
{
    for (size_t i = 0; sp->keys && i < sp->n; i++)
        free(sp->keys[i]);
    free(sp->keys);
    free(sp->shard_of);
    free(sp->load);
    memset(sp, 0, sizeof(*sp));
}

static int parse_num(const char *s, const char *end, long *out)
{
    char *stop;

    if (s == end || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    *out = strtol(s, &stop, 10);
    return errno || stop != end || *out > INT_MAX ? -1 : 0;
}

int rg_shard_parse(const char *text, int *index, int *count, struct rg_error *err)
{
    const char *slash = strchr(text, '/');
    long i, n;

    if (!slash || parse_num(text, slash, &i) < 0 ||
        parse_num(slash + 1, slash + 1 + strlen(slash + 1), &n) < 0)
        return rg_error_set(err, NULL, 0, 0,
                            "--shard takes I/N, two whole numbers (0/2 and 1/2 split a run "
                            "in two), not '%s'",
                            text);
    if (n < 1)
        return rg_error_set(err, NULL, 0, 0, "--shard %s: N must be at least 1", text);
    if (i >= n)
        return rg_error_set(err, NULL, 0, 0,
                            "--shard %s: I must be from 0 to N-1 (shards are numbered from 0)",
                            text);
    *index = (int)i;
    *count = (int)n;
    return 0;
}
