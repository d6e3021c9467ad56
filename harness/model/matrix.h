/* The test matrix: lists of images, vCPU counts and memory sizes expanded into cells. */
#ifndef RG_MATRIX_H
#define RG_MATRIX_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define RG_IMAGE_NAME_MAX 32
#define RG_CELL_ID_MAX 80

struct rg_cell {
    char id[RG_CELL_ID_MAX]; /* <image>-<vcpus>c-<memory_mib>m */
    char image[RG_IMAGE_NAME_MAX];
    int vcpus;
    int memory_mib;
};

/* An exclude (partial: only the keys given must match) or include (complete) entry. */
struct rg_matrix_rule {
    bool has_image, has_vcpus, has_memory;
    char image[RG_IMAGE_NAME_MAX];
    int vcpus, memory_mib;
    int line, col;
};

struct rg_matrix_spec {
    char **images;
    size_t nimages;
    int *vcpus;
    size_t nvcpus;
    int *memory_mib;
    size_t nmemory;
    struct rg_matrix_rule *exclude;
    size_t nexclude;
    struct rg_matrix_rule *include;
    size_t ninclude;
    int line, col; /* of the 'matrix' key */
};

/* Expands the product (images, then vcpus, then memory, in list order) minus excludes, then
 * the includes; duplicates are dropped, keeping the first. Errors (an exclude that matches
 * nothing, an empty matrix) are added to errs with file's positions. */
int rg_matrix_expand(const struct rg_matrix_spec *m, const char *file, struct rg_cell **cells,
                     size_t *ncells, struct rg_errors *errs);
void rg_cell_make_id(struct rg_cell *c);
void rg_matrix_spec_free(struct rg_matrix_spec *m);

#endif
