/* Unit tests of model/shard.c: the LPT split is deterministic, complete, disjoint and balanced,
 * and --shard I/N's syntax. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model/shard.h"

#define NITEMS 11

static const struct rg_shard_item items[NITEMS] = {
    {"boot", "tiny-1c-256m", 40},     {"boot", "tiny-2c-256m", 40},
    {"boot", "debian12-1c-512m", 40}, {"perf", "tiny-1c-256m", 112},
    {"perf", "tiny-2c-256m", 112},    {"perf", "debian12-2c-1024m", 112},
    {"roll", "tiny-1c-256m", 64},     {"roll", "tiny-2c-256m", 64},
    {"roll", "alpine-1c-256m", 64},   {"roll", "alpine-2c-256m", 64},
    {"soak", "tiny-4c-512m", 200},
};

static void test_deterministic(void **state)
{
    size_t a[NITEMS], b[NITEMS];

    (void)state;
    for (size_t n = 1; n <= 5; n++) {
        assert_int_equal(rg_shard_assign(items, NITEMS, n, a, NULL), 0);
        assert_int_equal(rg_shard_assign(items, NITEMS, n, b, NULL), 0);
        assert_memory_equal(a, b, sizeof(a));
    }
}

/* Every cell in exactly one shard, loads add up, and no shard exceeds the lightest by more
 * than the largest cell (the LPT bound this split promises). */
static void test_complete_disjoint_balanced(void **state)
{
    (void)state;
    for (size_t n = 1; n <= 6; n++) {
        size_t of[NITEMS];
        long load[6], seen[6] = {0}, max = 0, min = -1, biggest = 0, total = 0;

        assert_int_equal(rg_shard_assign(items, NITEMS, n, of, load), 0);
        for (size_t i = 0; i < NITEMS; i++) {
            assert_true(of[i] < n);
            seen[of[i]] += items[i].estimate_s;
            total += items[i].estimate_s;
            if (items[i].estimate_s > biggest)
                biggest = items[i].estimate_s;
        }
        for (size_t s = 0; s < n; s++) {
            assert_int_equal(seen[s], load[s]);
            total -= load[s];
            if (load[s] > max)
                max = load[s];
            if (min < 0 || load[s] < min)
                min = load[s];
        }
        assert_int_equal(total, 0);
        assert_true(max <= min + biggest);
    }
}

/* The order the cells come in does not change which shard a cell goes to. */
static void test_input_order(void **state)
{
    struct rg_shard_item rev[NITEMS];
    size_t a[NITEMS], b[NITEMS];

    (void)state;
    for (size_t i = 0; i < NITEMS; i++)
        rev[i] = items[NITEMS - 1 - i];
    assert_int_equal(rg_shard_assign(items, NITEMS, 3, a, NULL), 0);
    assert_int_equal(rg_shard_assign(rev, NITEMS, 3, b, NULL), 0);
    for (size_t i = 0; i < NITEMS; i++)
        assert_int_equal(a[i], b[NITEMS - 1 - i]);
}

static void test_more_shards_than_cells(void **state)
{
    size_t of[3];
    long load[8];

    (void)state;
    assert_int_equal(rg_shard_assign(items, 3, 8, of, load), 0);
    /* Equal estimates: ties by scenario then id, each to the lowest empty shard. */
    assert_int_equal(of[2], 0); /* boot/debian12-1c-512m */
    assert_int_equal(of[0], 1);
    assert_int_equal(of[1], 2);
    for (size_t s = 3; s < 8; s++)
        assert_int_equal(load[s], 0);
    assert_int_equal(rg_shard_assign(items, 0, 2, of, load), 0);
    assert_int_equal(load[0] + load[1], 0);
}

static void test_parse(void **state)
{
    static const char *const bad[] = {"",    "1",   "/2",   "1/",   "2/2",  "3/2",           "-1/2",
                                      "0/0", "a/2", "1/2x", "1 /2", "0/-1", "99999999999/1", NULL};
    struct rg_error err;
    int i = -1, n = -1;

    (void)state;
    assert_int_equal(rg_shard_parse("1/2", &i, &n, &err), 0);
    assert_int_equal(i, 1);
    assert_int_equal(n, 2);
    assert_int_equal(rg_shard_parse("0/1", &i, &n, &err), 0);
    assert_int_equal(i, 0);
    assert_int_equal(n, 1);
    for (size_t k = 0; bad[k]; k++) {
        err.msg[0] = 0;
        if (rg_shard_parse(bad[k], &i, &n, &err) != -1)
            fail_msg("'%s' accepted", bad[k]);
        assert_true(strstr(err.msg, "--shard") != NULL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic), cmocka_unit_test(test_complete_disjoint_balanced),
        cmocka_unit_test(test_input_order),   cmocka_unit_test(test_more_shards_than_cells),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
