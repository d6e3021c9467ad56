/* Matrix expansion: product order, excludes, includes and stable cell ids. */
#include "model/matrix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rg_cell_make_id(struct rg_cell *c)
{
    snprintf(c->id, sizeof(c->id), "%s-%dc-%dm", c->image, c->vcpus, c->memory_mib);
}

static bool rule_matches(const struct rg_matrix_rule *r, const struct rg_cell *c)
{
    if (r->has_image && strcmp(r->image, c->image) != 0)
        return false;
    if (r->has_vcpus && r->vcpus != c->vcpus)
        return false;
    if (r->has_memory && r->memory_mib != c->memory_mib)
        return false;
    return true;
}

static bool cells_contain(const struct rg_cell *cells, size_t n, const struct rg_cell *c)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(cells[i].id, c->id) == 0)
            return true;
    return false;
}

static void cells_add(struct rg_cell *cells, size_t *n, const struct rg_cell *c)
{
    if (!cells_contain(cells, *n, c))
        cells[(*n)++] = *c;
}

int rg_matrix_expand(const struct rg_matrix_spec *m, const char *file, struct rg_cell **out,
                     size_t *nout, struct rg_errors *errs)
{
    size_t cap = m->nimages * m->nvcpus * m->nmemory + m->ninclude, n = 0;
    size_t *hits = calloc(m->nexclude + 1, sizeof(*hits));
    struct rg_cell *cells = calloc(cap + 1, sizeof(*cells));
    int rc = -1;

    if (!cells || !hits)
        goto out;
    for (size_t i = 0; i < m->nimages; i++)
        for (size_t v = 0; v < m->nvcpus; v++)
            for (size_t k = 0; k < m->nmemory; k++) {
                struct rg_cell c = {.vcpus = m->vcpus[v], .memory_mib = m->memory_mib[k]};
                bool excluded = false;

                snprintf(c.image, sizeof(c.image), "%s", m->images[i]);
                rg_cell_make_id(&c);
                for (size_t e = 0; e < m->nexclude; e++)
                    if (rule_matches(&m->exclude[e], &c)) {
                        hits[e]++;
                        excluded = true;
                    }
                if (!excluded)
                    cells_add(cells, &n, &c);
            }
    for (size_t i = 0; i < m->ninclude; i++) {
        struct rg_cell c = {.vcpus = m->include[i].vcpus, .memory_mib = m->include[i].memory_mib};

        snprintf(c.image, sizeof(c.image), "%s", m->include[i].image);
        rg_cell_make_id(&c);
        cells_add(cells, &n, &c);
    }
    rc = 0;
    /* An exclude that matches nothing is almost always a typo in a value. */
    for (size_t e = 0; e < m->nexclude; e++)
        if (!hits[e])
            rc = rg_errors_add(errs, file, m->exclude[e].line, m->exclude[e].col,
                               "exclude rule %zu matches no cell of the matrix", e + 1);
    if (n == 0)
        rc = rg_errors_add(errs, file, m->line, m->col,
                           "the matrix is empty after excludes: no cell to run");
out:
    free(hits);
    if (rc < 0) {
        free(cells);
        return -1;
    }
    *out = cells;
    *nout = n;
    return 0;
}

void rg_matrix_spec_free(struct rg_matrix_spec *m)
{
    for (size_t i = 0; i < m->nimages; i++)
        free(m->images[i]);
    free(m->images);
    free(m->vcpus);
    free(m->memory_mib);
    free(m->exclude);
    free(m->include);
    memset(m, 0, sizeof(*m));
}
