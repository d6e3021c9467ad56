/* Unit tests for matrix expansion: order, excludes, includes, duplicates and ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/matrix.h"

static char *imgs2[] = {"tiny", "debian12"};
static int vcpus2[] = {1, 2};
static int mem2[] = {256, 512};

static void expand_ok(struct rg_matrix_spec *m, struct rg_cell **cells, size_t *n)
{
    struct rg_errors errs = {0};

    assert_int_equal(rg_matrix_expand(m, "m.yaml", cells, n, &errs), 0);
    assert_int_equal(errs.n, 0);
    rg_errors_free(&errs);
}

static void test_product_order(void **state)
{
    struct rg_matrix_spec m = {.images = imgs2, .nimages = 2, .vcpus = vcpus2, .nvcpus = 2,
                               .memory_mib = mem2, .nmemory = 2};
    const char *want[] = {"tiny-1c-256m",     "tiny-1c-512m",     "tiny-2c-256m",
                          "tiny-2c-512m",     "debian12-1c-256m", "debian12-1c-512m",
                          "debian12-2c-256m", "debian12-2c-512m"};
    struct rg_cell *cells;
    size_t n;

    (void)state;
    expand_ok(&m, &cells, &n);
    assert_int_equal(n, 8);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(cells[i].id, want[i]);
    assert_string_equal(cells[4].image, "debian12");
    assert_int_equal(cells[3].vcpus, 2);
    assert_int_equal(cells[3].memory_mib, 512);
    free(cells);
}

static void test_exclude_partial_match(void **state)
{
    struct rg_matrix_rule ex[] = {{.has_vcpus = true, .vcpus = 2, .has_memory = true,
                                   .memory_mib = 256},
                                  {.has_image = true, .image = "debian12"}};
    struct rg_matrix_spec m = {.images = imgs2, .nimages = 2, .vcpus = vcpus2, .nvcpus = 2,
                               .memory_mib = mem2, .nmemory = 2, .exclude = ex, .nexclude = 2};
    struct rg_cell *cells;
    size_t n;

    (void)state;
    expand_ok(&m, &cells, &n);
    assert_int_equal(n, 3);
    assert_string_equal(cells[0].id, "tiny-1c-256m");
    assert_string_equal(cells[1].id, "tiny-1c-512m");
    assert_string_equal(cells[2].id, "tiny-2c-512m");
    free(cells);
}

static void test_include_appended_and_deduplicated(void **state)
{
    struct rg_matrix_rule inc[] = {
        {.has_image = true, .image = "tiny", .has_vcpus = true, .vcpus = 4, .has_memory = true,
         .memory_mib = 1024},
        /* Already in the product: must not appear twice. */
        {.has_image = true, .image = "tiny", .has_vcpus = true, .vcpus = 1, .has_memory = true,
         .memory_mib = 256},
        {.has_image = true, .image = "tiny", .has_vcpus = true, .vcpus = 4, .has_memory = true,
         .memory_mib = 1024}};
    struct rg_matrix_spec m = {.images = imgs2, .nimages = 1, .vcpus = vcpus2, .nvcpus = 1,
                               .memory_mib = mem2, .nmemory = 1, .include = inc, .ninclude = 3};
    struct rg_cell *cells;
    size_t n;

    (void)state;
    expand_ok(&m, &cells, &n);
    assert_int_equal(n, 2);
    assert_string_equal(cells[0].id, "tiny-1c-256m");
    assert_string_equal(cells[1].id, "tiny-4c-1024m");
    free(cells);
}

static void test_duplicate_list_values(void **state)
{
    int v[] = {1, 1, 2};
    struct rg_matrix_spec m = {.images = imgs2, .nimages = 1, .vcpus = v, .nvcpus = 3,
                               .memory_mib = mem2, .nmemory = 1};
    struct rg_cell *cells;
    size_t n;

    (void)state;
    expand_ok(&m, &cells, &n);
    assert_int_equal(n, 2);
    assert_string_equal(cells[1].id, "tiny-2c-256m");
    free(cells);
}

static void test_empty_and_unmatched(void **state)
{
    struct rg_matrix_rule ex[] = {{.has_vcpus = true, .vcpus = 1, .line = 7, .col = 5},
                                  {.has_vcpus = true, .vcpus = 9, .line = 8, .col = 5}};
    struct rg_matrix_spec m = {.images = imgs2, .nimages = 1, .vcpus = vcpus2, .nvcpus = 1,
                               .memory_mib = mem2, .nmemory = 1, .exclude = ex, .nexclude = 2,
                               .line = 3, .col = 1};
    struct rg_errors errs = {0};
    struct rg_cell *cells = NULL;
    size_t n = 0;

    (void)state;
    assert_int_equal(rg_matrix_expand(&m, "m.yaml", &cells, &n, &errs), -1);
    assert_null(cells);
    assert_int_equal(errs.n, 2);
    assert_int_equal(errs.v[0].line, 8);
    assert_non_null(strstr(errs.v[0].msg, "matches no cell"));
    assert_int_equal(errs.v[1].line, 3);
    assert_non_null(strstr(errs.v[1].msg, "empty"));
    rg_errors_free(&errs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_product_order),
        cmocka_unit_test(test_exclude_partial_match),
        cmocka_unit_test(test_include_appended_and_deduplicated),
        cmocka_unit_test(test_duplicate_list_values),
        cmocka_unit_test(test_empty_and_unmatched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
