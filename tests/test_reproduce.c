/* Unit tests for reproducing a recorded cell: the report reader and every digest check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/runstate.h"
#include "report/reproduce.h"
#include "testutil.h"
#include "util/digest.h"
#include "util/file.h"

struct fx {
    char dir[128], run[200];
};

static void put(const struct fx *f, const char *name, const char *text)
{
    char path[400];

    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    rg_test_write(path, text);
}

static void sha(const struct fx *f, const char *name, char out[RG_SHA256_HEX])
{
    char path[400];

    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    assert_int_equal(rg_sha256_file(path, out, NULL), 0);
}

/* A run folder whose report names the fixture's files with their current digests. */
static void write_report(struct fx *f)
{
    char s_sha[RG_SHA256_HEX], u_sha[RG_SHA256_HEX], b_sha[RG_SHA256_HEX], k[RG_SHA256_HEX],
        i[RG_SHA256_HEX], d[RG_SHA256_HEX], text[4096], path[300];

    sha(f, "s.yaml", s_sha);
    sha(f, "u.rgpkg", u_sha);
    sha(f, "b.rgpkg", b_sha);
    sha(f, "vmlinuz", k);
    sha(f, "initrd", i);
    sha(f, "disk", d);
    snprintf(text, sizeof(text),
             "{\"schema\": \"ringgate.report/v1\", \"run_id\": \"20261124-000000-aaaa\",\n"
             " \"options\": {\"boot_anyway\": true},\n"
             " \"scenarios\": [{\"name\": \"s\", \"path\": \"%s/s.yaml\", \"sha256\": \"%s\",\n"
             "   \"update\": {\"path\": \"%s/u.rgpkg\", \"sha256\": \"%s\"},\n"
             "   \"baseline\": {\"path\": \"%s/b.rgpkg\", \"sha256\": \"%s\"}}],\n"
             " \"cells\": [{\"id\": \"tiny-1c-256m\", \"scenario\": \"s\", \"image\": \"tiny\",\n"
             "   \"console_log\": \"cells/s/tiny-1c-256m/console.log\",\n"
             "   \"image_digests\": {\"kernel\": \"%s\", \"initrd\": \"%s\", \"disk\": \"%s\"}}],\n"
             " \"findings\": []}\n",
             f->dir, s_sha, f->dir, u_sha, f->dir, b_sha, k, i, d);
    snprintf(path, sizeof(path), "%s/report.json", f->run);
    rg_test_write(path, text);
}

#define SCENARIO                                                                             \
    "name: s\nupdate: {package: u.rgpkg}\nbaseline: {package: b.rgpkg}\n"                     \
    "trust: {keys: [k.pub]}\nimages: catalog.json\nmatrix: {image: [tiny]}\n"

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    snprintf(f->dir, sizeof(f->dir), "/tmp/rg-test-reproduce-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->run, sizeof(f->run), "%s/run", f->dir);
    assert_int_equal(rg_mkdir_p(f->run), 0);
    put(f, "s.yaml", SCENARIO);
    put(f, "catalog.json",
        "{\"schema\": \"ringgate.catalog/v1\", \"images\": {\"tiny\": {\"kernel\": \"vmlinuz\", "
        "\"initrd\": \"initrd\", \"disk\": \"disk\", \"cmdline\": \"console=ttyS0\", "
        "\"memory_mib\": 256}}}\n");
    put(f, "u.rgpkg", "update bytes");
    put(f, "b.rgpkg", "baseline bytes");
    put(f, "vmlinuz", "kernel");
    put(f, "initrd", "initramfs");
    put(f, "disk", "disk");
    write_report(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    rg_remove_tree(f->dir);
    free(f);
    return 0;
}

/* Plans the cell; returns the first error message ("" when the plan holds). */
static const char *plan(struct fx *f, const char *cell, bool images, struct rg_reproduce *r)
{
    static char msg[1024];
    struct rg_errors errs = {0};

    msg[0] = '\0';
    if (rg_reproduce_plan(f->run, cell, images, r, &errs) < 0) {
        assert_true(errs.n > 0);
        snprintf(msg, sizeof(msg), "%s: %s", errs.v[0].file, errs.v[0].msg);
    }
    rg_errors_free(&errs);
    return msg;
}

static void test_plan_of_an_unchanged_cell(void **state)
{
    struct fx *f = *state;
    struct rg_reproduce r;
    char want[300];

    assert_string_equal(plan(f, "tiny-1c-256m", true, &r), "");
    assert_string_equal(r.cell, "s/tiny-1c-256m");
    assert_string_equal(r.run_id, "20261124-000000-aaaa");
    snprintf(want, sizeof(want), "%s/u.rgpkg", f->dir);
    assert_string_equal(r.update, want);
    assert_non_null(r.baseline);
    assert_true(r.boot_anyway);
    assert_false(r.aa);
    snprintf(want, sizeof(want), "%s/cells/s/tiny-1c-256m", f->run);
    assert_string_equal(r.console_dir, want);
    rg_reproduce_free(&r);
    assert_string_equal(plan(f, "s/tiny-1c-256m", true, &r), ""); /* scenario/id works too */
    rg_reproduce_free(&r);
}

static void test_unknown_cell_lists_the_cells(void **state)
{
    struct fx *f = *state;
    struct rg_reproduce r;
    const char *msg = plan(f, "tiny-9c-1m", true, &r);

    assert_non_null(strstr(msg, "no cell 'tiny-9c-1m' in run 20261124-000000-aaaa"));
    assert_non_null(strstr(msg, "its cells: s/tiny-1c-256m"));
    assert_non_null(strstr(msg, "report.json"));
}

static void test_changed_files_are_refused(void **state)
{
    struct fx *f = *state;
    struct rg_reproduce r;
    char want[300];

    put(f, "u.rgpkg", "other update bytes");
    snprintf(want, sizeof(want), "%s/u.rgpkg: the update package changed since run "
                                 "20261124-000000-aaaa: sha256 ", f->dir);
    assert_non_null(strstr(plan(f, "tiny-1c-256m", false, &r), want));
    write_report(f);
    put(f, "s.yaml", SCENARIO "# edited\n");
    assert_non_null(strstr(plan(f, "tiny-1c-256m", false, &r), "the scenario changed"));
    write_report(f);
    put(f, "disk", "a rebuilt disk");
    snprintf(want, sizeof(want), "%s/disk: the image 'tiny' disk changed since run", f->dir);
    assert_non_null(strstr(plan(f, "tiny-1c-256m", true, &r), want));
    /* Without the image check (bundle), the images do not matter. */
    assert_string_equal(plan(f, "tiny-1c-256m", false, &r), "");
    rg_reproduce_free(&r);
    snprintf(want, sizeof(want), "%s/b.rgpkg", f->dir);
    unlink(want);
    assert_non_null(strstr(plan(f, "tiny-1c-256m", false, &r), "the baseline package of run"));
}

static void test_missing_report(void **state)
{
    struct fx *f = *state;
    struct rg_reproduce r;
    char path[300];

    snprintf(path, sizeof(path), "%s/report.json", f->run);
    unlink(path);
    assert_non_null(strstr(plan(f, "tiny-1c-256m", true, &r), "report.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plan_of_an_unchanged_cell, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_cell_lists_the_cells, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_files_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_report, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
