/* Unit tests for merging shards: a complete merge, lost and doubled cells, and every refusal
 * (reports written here as `run --shard` writes them, the fields merge reads). */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "report/merge.h"
#include "report/report.h"
#include "testutil.h"
#include "util/file.h"
#include "util/ringgate.h"

struct fx {
    char dir[128], out[200], shard[2][200];
    struct rg_errors errs;
};

static const char *const plan[] = {"s/c1", "s/c2", "s/c3", "s/c4"};

static json_t *cell_json(const char *id, bool crash)
{
    json_t *c = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:[], s:s, s:[], s:[]}",
                          "id", id, "scenario", "s", "image", "tiny", "image_digests",
                          "kernel", "k1", "initrd", "i1", "disk", "d1", "verdict",
                          crash ? "block" : "pass", "reasons", "console_log", "", "boots",
                          "findings");
    char log[100];

    snprintf(log, sizeof(log), "cells/s/%s/console.log", id);
    json_object_set_new(c, "console_log", json_string(log));
    if (crash) {
        json_array_append_new(json_object_get(c, "reasons"),
                              json_string("crash: BUG: in rg_sensor_init_tables"));
        json_array_append_new(json_object_get(c, "findings"),
                              json_pack("{s:s, s:s, s:s, s:i}", "class", "crash", "action",
                                        "block", "title", "BUG: in rg_sensor_init_tables",
                                        "boot", 2));
    }
    return c;
}

/* Shard index of 2 as `run --shard` writes it: c1 and c3 in shard 0, c2 and c4 in 1; c3
 * crashes when crash is set. dir/cells/s/<id>/console.log names its cell. */
static void write_shard(const char *dir, int index, bool crash)
{
    json_t *planned = json_array(), *mine = json_array(), *cells = json_array(), *r;
    char path[300], *text;

    for (int i = 0; i < 4; i++) {
        json_array_append_new(planned, json_string(plan[i]));
        if (i % 2 != index)
            continue;
        json_array_append_new(mine, json_string(plan[i]));
        json_array_append_new(cells, cell_json(plan[i] + 2, crash && i == 2));
        snprintf(path, sizeof(path), "%s/cells/s/%s", dir, plan[i] + 2);
        assert_int_equal(rg_mkdir_p(path), 0);
        snprintf(path, sizeof(path), "%s/cells/s/%s/console.log", dir, plan[i] + 2);
        rg_test_write(path, plan[i]);
    }
    r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:s, s:i, s:[], s:{s:s, s:s}, "
                  "s:{s:b, s:b}, s:n, s:[{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:{s:b, s:b}, "
                  "s:s}], s:o, s:[], s:{s:i, s:i, s:o, s:o, s:{s:{s:s}, s:{s:s}, s:s}}}",
                  "schema", "ringgate.report/v1", "run_id", index ? "run-b" : "run-a",
                  "ringgate_version", RG_VERSION, "started_at",
                  index ? "2026-12-01T10:00:05.000Z" : "2026-12-01T10:00:01.000Z",
                  "finished_at", index ? "2026-12-01T10:02:00.500Z" : "2026-12-01T10:01:00.000Z",
                  "duration_s", 60.0, "verdict", "pass", "exit_code", 0, "reasons", "host",
                  "hostname", index ? "host-b" : "host-a", "uri", "qemu:///embed", "options",
                  "aa", 0, "boot_anyway", 0, "aa", "scenarios", "name", "s", "path", "s.yaml",
                  "sha256", "5c", "update", "name", "u", "sha256", "0u", "path", "u.rgpkg",
                  "validator", "ran", 1, "ok", 1, "verdict", "pass", "cells", cells, "findings",
                  "shard", "index", index, "count", 2, "planned", planned, "this_shard", mine,
                  "digests", "scenarios", "s", "5c", "packages", "u@1", "0u",
                  "ringgate_version", RG_VERSION);
    assert_non_null(r);
    assert_int_equal(rg_mkdir_p(dir), 0);
    text = json_dumps(r, JSON_INDENT(2));
    snprintf(path, sizeof(path), "%s/report.json", dir);
    rg_test_write(path, text);
    free(text);
    json_decref(r);
}

/* Edits one shard's report.json in place: what a report from another plan would say. */
static void edit(const char *dir, const char *a, const char *b, const char *key, json_t *v)
{
    json_t *r = NULL;
    struct rg_error e;
    char path[300];

    assert_int_equal(rg_report_load(dir, &r, &e), 0);
    json_t *o = r;
    if (a)
        o = json_object_get(o, a);
    if (b)
        o = json_object_get(o, b);
    if (json_is_array(o))
        o = json_array_get(o, 0);
    json_object_set_new(o, key, v);
    snprintf(path, sizeof(path), "%s/report.json", dir);
    assert_int_equal(json_dump_file(r, path, 0), 0);
    json_decref(r);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    snprintf(f->dir, sizeof(f->dir), "/tmp/rg-test-merge-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->out, sizeof(f->out), "%s/merged", f->dir);
    for (int i = 0; i < 2; i++) {
        snprintf(f->shard[i], sizeof(f->shard[i]), "%s/shard-%d", f->dir, i);
        write_shard(f->shard[i], i, true);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    rg_errors_free(&f->errs);
    rg_remove_tree(f->dir);
    free(f);
    return 0;
}

static int merge(struct fx *f, char **dirs, size_t n, json_t **out)
{
    rg_errors_free(&f->errs);
    memset(&f->errs, 0, sizeof(f->errs));
    return rg_merge(dirs, n, f->out, NULL, out, &f->errs);
}

static bool errs_say(const struct fx *f, const char *what)
{
    for (size_t i = 0; i < f->errs.n; i++) {
        char line[1200];
        snprintf(line, sizeof(line), "%s: %s", f->errs.v[i].file, f->errs.v[i].msg);
        if (strstr(line, what))
            return true;
    }
    return false;
}

static size_t leftovers(const struct fx *f)
{
    char pat[300];
    glob_t g;
    size_t n;

    snprintf(pat, sizeof(pat), "%s.merging.*", f->out);
    n = glob(pat, 0, NULL, &g) == 0 ? g.gl_pathc : 0;
    globfree(&g);
    return n;
}

static void test_complete(void **state)
{
    struct fx *f = *state;
    char *dirs[] = {f->shard[1], f->shard[0]}; /* any order */
    json_t *m = NULL, *c;
    char path[300], *text;
    size_t i;

    assert_int_equal(merge(f, dirs, 2, &m), RG_EXIT_BLOCK);
    assert_non_null(m);
    assert_string_equal(rg_report_str(m, "verdict"), "block");
    assert_int_equal(rg_report_int(m, "exit_code", -1), 1);
    assert_int_equal(json_array_size(json_object_get(m, "cells")), 4);
    json_array_foreach(json_object_get(m, "cells"), i, c) /* plan order */
        assert_string_equal(rg_report_str(c, "id"), plan[i] + 2);
    assert_string_equal(rg_report_str(json_array_get(json_object_get(m, "scenarios"), 0),
                                      "verdict"),
                        "block");
    c = json_array_get(json_object_get(m, "findings"), 0);
    assert_string_equal(rg_report_str(c, "class"), "crash");
    assert_string_equal(json_string_value(json_array_get(json_object_get(c, "cells"), 0)),
                        "s/c3");
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "reasons"), 0)),
                        "s/c3: crash: BUG: in rg_sensor_init_tables");
    assert_null(json_object_get(m, "shard"));
    assert_int_equal(json_array_size(json_object_get(json_object_get(m, "merge"), "missing")),
                     0);
    assert_int_equal(json_array_size(json_object_get(json_object_get(m, "merge"), "shards")),
                     2);
    /* The span of the whole run: the first start, the last end. */
    assert_string_equal(rg_report_str(m, "started_at"), "2026-12-01T10:00:01.000Z");
    assert_string_equal(rg_report_str(m, "finished_at"), "2026-12-01T10:02:00.500Z");
    assert_true(rg_report_num(m, "duration_s", 0) > 119.4 &&
                rg_report_num(m, "duration_s", 0) < 119.6);
    /* On disk: the report as returned, each cell's log from its shard, the shards' reports. */
    json_decref(m);
    assert_int_equal(rg_report_load(f->out, &m, &(struct rg_error){0}), 0);
    assert_string_equal(rg_report_str(m, "verdict"), "block");
    json_decref(m);
    snprintf(path, sizeof(path), "%s/cells/s/c4/console.log", f->out);
    text = rg_test_slurp(path, NULL);
    assert_non_null(text);
    assert_string_equal(text, "s/c4");
    free(text);
    snprintf(path, sizeof(path), "%s/shards/1/report.json", f->out); /* shard-0, given second */
    text = rg_test_slurp(path, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "run-a"));
    free(text);
    snprintf(path, sizeof(path), "%s/junit.xml", f->out);
    assert_int_equal(access(path, F_OK), 0);
    snprintf(path, sizeof(path), "%s/index.html", f->out);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(leftovers(f), 0);
}

static void test_all_pass(void **state)
{
    struct fx *f = *state;
    char *dirs[] = {f->shard[0], f->shard[1]};
    json_t *m = NULL;

    write_shard(f->shard[0], 0, false);
    assert_int_equal(merge(f, dirs, 2, &m), RG_EXIT_OK);
    assert_string_equal(rg_report_str(m, "verdict"), "pass");
    assert_int_equal(json_array_size(json_object_get(m, "reasons")), 0);
    json_decref(m);
}

/* A lost shard never reads as a pass: not even when the cells that are there pass. */
static void test_lost_shard(void **state)
{
    struct fx *f = *state;
    char *dirs[] = {f->shard[0], f->shard[1]};
    json_t *m = NULL, *mg;
    char path[300];

    write_shard(f->shard[0], 0, false);
    snprintf(path, sizeof(path), "%s/report.json", f->shard[1]);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(merge(f, dirs, 2, &m), RG_EXIT_INCONCLUSIVE);
    assert_string_equal(rg_report_str(m, "verdict"), "inconclusive");
    mg = json_object_get(m, "merge");
    assert_string_equal(json_string_value(json_array_get(json_object_get(mg, "missing"), 0)),
                        "s/c2");
    assert_string_equal(json_string_value(json_array_get(json_object_get(mg, "missing"), 1)),
                        "s/c4");
    assert_int_equal(json_integer_value(json_array_get(json_object_get(mg, "missing_shards"),
                                                       0)),
                     1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(mg, "lost"), 0)),
                        f->shard[1]);
    assert_true(errs_say(f, "shard-1/report.json: no report"));
    assert_non_null(strstr(json_string_value(json_array_get(json_object_get(m, "reasons"), 0)),
                           "s/c2: merge: planned, but in no shard's report"));
    json_decref(m);
    /* Only one shard given at all: the same. */
    rg_remove_tree(f->out);
    assert_int_equal(merge(f, dirs, 1, &m), RG_EXIT_INCONCLUSIVE);
    json_decref(m);
}

/* Missing cells make it inconclusive even where a cell blocked: the whole plan or nothing. */
static void test_lost_shard_with_block(void **state)
{
    struct fx *f = *state;
    char *dirs[] = {f->shard[0]};
    json_t *m = NULL;

    assert_int_equal(merge(f, dirs, 1, &m), RG_EXIT_INCONCLUSIVE);
    assert_string_equal(rg_report_str(m, "verdict"), "inconclusive");
    /* The block is still there to read. */
    assert_string_equal(rg_report_str(json_array_get(json_object_get(m, "cells"), 1), "verdict"),
                        "block");
    json_decref(m);
}

static void test_duplicated(void **state)
{
    struct fx *f = *state;
    char *dirs[] = {f->shard[0], f->shard[1], f->shard[1]};
    json_t *m = NULL, *d;

    write_shard(f->shard[0], 0, false);
    assert_int_equal(merge(f, dirs, 3, &m), RG_EXIT_INCONCLUSIVE);
    d = json_object_get(json_object_get(m, "merge"), "duplicated");
    assert_int_equal(json_array_size(d), 2);
    assert_string_equal(rg_report_str(json_array_get(d, 0), "cell"), "s/c2");
    assert_int_equal(json_array_size(json_object_get(json_array_get(d, 0), "run_dirs")), 2);
    assert_int_equal(json_array_size(json_object_get(m, "cells")), 4);
    json_decref(m);
}

/* Each refusal: exit 2, the shard's folder and the field named, nothing written. */
static void refused_as(struct fx *f, const char *what, bool out_existed)
{
    char *dirs[] = {f->shard[0], f->shard[1]};
    json_t *m = NULL;

    assert_int_equal(merge(f, dirs, 2, &m), RG_EXIT_USAGE);
    assert_null(m);
    if (!errs_say(f, what))
        fail_msg("no error says \"%s\" (first: %s)", what, f->errs.n ? f->errs.v[0].msg : "-");
    assert_int_equal(access(f->out, F_OK), out_existed ? 0 : -1);
    assert_int_equal(leftovers(f), 0);
}

static void refused(struct fx *f, const char *what)
{
    refused_as(f, what, false);
}

static void test_refused_packages(void **state)
{
    struct fx *f = *state;

    edit(f->shard[1], "shard", "digests", "packages", json_pack("{s:s}", "u@1", "0v"));
    refused(f, "shard-1: report.json: shard.digests.packages[\"u@1\"] is \"0v\"");
}

static void test_refused_scenarios(void **state)
{
    struct fx *f = *state;

    edit(f->shard[1], "shard", "digests", "scenarios", json_pack("{s:s, s:s}", "s", "5c",
                                                                  "t", "7d"));
    refused(f, "shard.digests.scenarios[\"t\"]");
}

static void test_refused_version(void **state)
{
    struct fx *f = *state;

    edit(f->shard[1], NULL, NULL, "ringgate_version", json_string("9.9.9"));
    refused(f, "ringgate_version is \"9.9.9\"");
}

static void test_refused_images(void **state)
{
    struct fx *f = *state;

    edit(f->shard[1], "cells", NULL, "image_digests",
         json_pack("{s:s, s:s, s:s}", "kernel", "k1", "initrd", "i1", "disk", "d2"));
    refused(f, "image_digests of image 'tiny'[\"disk\"]");
}

static void test_refused_count_and_options(void **state)
{
    struct fx *f = *state;

    edit(f->shard[1], "options", NULL, "boot_anyway", json_true());
    refused(f, "options.boot_anyway");
    write_shard(f->shard[1], 1, true);
    edit(f->shard[1], "shard", NULL, "count", json_integer(3));
    refused(f, "shard.count is 3");
    edit(f->shard[1], "shard", NULL, "count", json_integer(2));
    edit(f->shard[1], "shard", NULL, "index", json_integer(2));
    refused(f, "0 <= index < count");
}

static void test_refused_foreign_reports(void **state)
{
    struct fx *f = *state;
    json_t *r = NULL;
    char path[300];

    /* A run that was not a shard. */
    assert_int_equal(rg_report_load(f->shard[1], &r, &(struct rg_error){0}), 0);
    json_object_del(r, "shard");
    snprintf(path, sizeof(path), "%s/report.json", f->shard[1]);
    assert_int_equal(json_dump_file(r, path, 0), 0);
    json_decref(r);
    refused(f, "not a shard's report");
    /* Not JSON. */
    rg_test_write(path, "{\"schema\": ");
    refused(f, "not valid JSON");
    /* A cell that is not in the plan, and one whose name would climb out of OUT. */
    write_shard(f->shard[1], 1, true);
    edit(f->shard[1], "cells", NULL, "id", json_string("c9"));
    refused(f, "cells[0] 's/c9' is not in the plan");
    write_shard(f->shard[1], 1, true);
    edit(f->shard[1], "cells", NULL, "id", json_string(".."));
    refused(f, "not a plain name");
}

static void test_out_exists(void **state)
{
    struct fx *f = *state;

    assert_int_equal(rg_mkdir_p(f->out), 0);
    refused_as(f, "already exists", true); /* and left as it was */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_pass, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_shard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_shard_with_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_packages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_scenarios, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_images, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_count_and_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_foreign_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_exists, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
