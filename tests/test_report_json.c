/* Golden tests of whole runs on the fake hypervisor: report.json, junit.xml and the text
 * summary of fixed scenarios (good, crashing, slow), with times and run ids normalised.
 * RG_UPDATE_GOLDEN=1 rewrites tests/golden/runs-on-fake-hv/ (review the diff before committing
 * it). */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "engine/run.h"
#include "engine/runstate.h"
#include "fake_hv.h"
#include "package/package.h"
#include "report/publish.h"
#include "report/report.h"
#include "report/reproduce.h"
#include "testutil.h"
#include "util/file.h"
#include "util/ringgate.h"

#ifndef RG_SOURCE_DIR
#define RG_SOURCE_DIR "."
#endif

struct fx {
    char dir[128];
    int fail_start_first; /* the fake host fails this many starts first (gate.retries) */
    /* At each retry: domains still alive, overlays left in the state folder, and a SIGINT to
     * send from there. */
    int retries_seen, live_at_retry, overlays_at_retry;
    bool interrupt_at_retry;
};

static void put(const char *dir, const char *name, const char *text)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    rg_test_write(path, text);
}

/* A fixed vendor key (Ed25519 signatures are deterministic): packages, their digests and
 * the signer's key id are the same at every run. */
static void vendor_key(const char *dir)
{
    unsigned char seed[32];
    char path[512];
    EVP_PKEY *k;
    FILE *f;

    for (int i = 0; i < 32; i++)
        seed[i] = (unsigned char)(7 * i + 1);
    k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof(seed));
    assert_non_null(k);
    snprintf(path, sizeof(path), "%s/vendor.pem", dir);
    f = fopen(path, "w");
    assert_true(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1);
    fclose(f);
    snprintf(path, sizeof(path), "%s/vendor.pub", dir);
    f = fopen(path, "w");
    assert_true(PEM_write_PUBKEY(f, k) == 1);
    fclose(f);
    EVP_PKEY_free(k);
}

static void package(const char *dir, const char *version, const char *rule)
{
    char src[512], path[600], text[512];
    struct rg_error err;

    snprintf(src, sizeof(src), "%s/src-%s", dir, version);
    snprintf(path, sizeof(path), "%s/files/channels", src);
    assert_int_equal(rg_mkdir_p(path), 0);
    snprintf(text, sizeof(text),
             "{\"name\": \"sensor-content-%s\", \"kind\": \"content\", \"version\": \"%s\", "
             "\"target\": {\"sensor\": \"1\"}}",
             version, version);
    put(src, "package.json", text);
    snprintf(text, sizeof(text), "RGCHANNEL 1\nchannel 291\nversion %s\ninputs 20\n%s\n",
             version, rule);
    put(src, "files/channels/291.rgc", text);
    snprintf(path, sizeof(path), "%s/%s.rgpkg", dir, version);
    snprintf(text, sizeof(text), "%s/vendor.pem", dir);
    if (rg_package_build(src, text, path, &err) < 0)
        fail_msg("package %s: %s", version, err.msg);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char cmd[300];

    snprintf(f->dir, sizeof(f->dir), "/tmp/rg-test-runs-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    vendor_key(f->dir);
    package(f->dir, "0290", "rule 1 match 1 rm");
    package(f->dir, "0292", "rule 1 match 1 rm\nrule 2 match 2 /etc/shadow");
    put(f->dir, "vmlinuz", "a kernel\n");
    put(f->dir, "initrd.img", "an initramfs\n");
    snprintf(cmd, sizeof(cmd), "qemu-img create -q -f qcow2 %s/disk.qcow2 16M", f->dir);
    assert_int_equal(system(cmd), 0);
    put(f->dir, "catalog.json",
        "{\"schema\": \"ringgate.catalog/v1\", \"images\": {\"tiny\": {\"kernel\": \"vmlinuz\", "
        "\"initrd\": \"initrd.img\", \"disk\": \"disk.qcow2\", \"cmdline\": \"console=ttyS0\", "
        "\"memory_mib\": 256, \"ready_timeout_s\": 5}}}\n");
    snprintf(cmd, sizeof(cmd), "%s/state", f->dir);
    setenv("RINGGATE_STATE_DIR", cmd, 1);
    unsetenv("RINGGATE_CATALOG");
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

/* ---- Normalisation: what changes from run to run becomes a fixed marker ---- */

static const char *const volatile_keys[] = {
    "run_id", "started_at", "finished_at", "duration_s", "t", "start_s", "ready_s",
    "verdict_s", "measure_s", "hostname", "cores", "uri", "baseline_t", "candidate_t",
    "slope_baseline_per_min", "slope_candidate_per_min", "growth", "growth_per_hour",
    "window_s", "libvirt_version", "qemu_version", NULL};

static bool is_volatile(const char *key)
{
    for (size_t i = 0; volatile_keys[i]; i++)
        if (strcmp(key, volatile_keys[i]) == 0)
            return true;
    return false;
}

static char *replace_all(const char *s, const char *what, const char *with)
{
    struct rg_buf b = RG_BUF_INIT;
    size_t n = strlen(what);
    const char *p;

    while ((p = strstr(s, what))) {
        rg_buf_append(&b, s, (size_t)(p - s));
        rg_buf_puts(&b, with);
        s = p + n;
    }
    rg_buf_puts(&b, s);
    return rg_buf_detach(&b);
}

static int event_cmp(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t bx = json_integer_value(json_object_get(x, "boot"));
    json_int_t by = json_integer_value(json_object_get(y, "boot"));
    int c;

    if (bx != by)
        return bx < by ? -1 : 1;
    c = strcmp(json_string_value(json_object_get(x, "type")),
               json_string_value(json_object_get(y, "type")));
    return c ? c : strcmp(json_string_value(json_object_get(x, "detail")),
                          json_string_value(json_object_get(y, "detail")));
}

/* A cell's events within one boot come from two threads (the guest's lifecycle events and
 * the cell's own steps), so their interleaving is a race even on the fake: the golden keeps
 * them per boot in a fixed order. Which events a boot has is still compared exactly. */
static json_t *sorted_events(json_t *events)
{
    size_t n = json_array_size(events), i;
    json_t **v = calloc(n ? n : 1, sizeof(*v)), *out = json_array();

    for (i = 0; i < n; i++)
        v[i] = json_array_get(events, i);
    qsort(v, n, sizeof(*v), event_cmp);
    for (i = 0; i < n; i++)
        json_array_append(out, v[i]);
    free(v);
    json_decref(events);
    return out;
}

static json_t *normalise(json_t *v, const char *dir, const char *run_id)
{
    const char *key;
    json_t *val;
    size_t i;

    if (json_is_string(v)) {
        char *a = replace_all(json_string_value(v), dir, "<tmp>");
        char *b = replace_all(a, run_id, "<run>");
        json_t *out = json_string(b);
        free(a);
        free(b);
        return out;
    }
    if (json_is_object(v)) {
        json_t *out = json_object();
        json_object_foreach(v, key, val)
        {
            json_t *n = is_volatile(key) && !json_is_null(val) ? json_string("<volatile>")
                                                                : normalise(val, dir, run_id);

            if (strcmp(key, "events") == 0 && json_is_array(n))
                n = sorted_events(n);
            json_object_set_new(out, key, n);
        }
        return out;
    }
    if (json_is_array(v)) {
        json_t *out = json_array();
        json_array_foreach(v, i, val) json_array_append_new(out, normalise(val, dir, run_id));
        return out;
    }
    return json_incref(v);
}

static void golden(const char *name, const char *file, const char *actual)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/tests/golden/runs-on-fake-hv/%s", RG_SOURCE_DIR, name);
    if (getenv("RG_UPDATE_GOLDEN"))
        rg_mkdir_p(path);
    snprintf(path, sizeof(path), "%s/tests/golden/runs-on-fake-hv/%s/%s", RG_SOURCE_DIR, name,
             file);
    rg_test_golden(path, actual);
}

/* Writes `text` as NAME.yaml, runs it on the fake with the given guest behaviour and
 * publishes it: the run (the caller frees it) and its report.json, loaded. Asserts the exit
 * code and that no VM is left. */
static struct rg_run *fake_run(struct fx *f, const char *name, const char *text,
                               enum fake_effect effect, struct rg_run_opts *opts, int want_exit,
                               json_t **report)
{
    struct fake_hv_config cfg = {.boot_s = 0.02, .effect = effect, .noise = 0.04};
    struct rg_errors errs = {0};
    struct rg_run *run = NULL;
    char file[80], scen[300], out[300], disk[300];
    char *paths[1] = {scen};
    struct rg_error e;
    int rc;

    snprintf(file, sizeof(file), "%s.yaml", name);
    put(f->dir, file, text);
    snprintf(scen, sizeof(scen), "%s/%s", f->dir, file);
    snprintf(disk, sizeof(disk), "%s/disk.qcow2", f->dir);
    cfg.image_disk = disk;
    snprintf(cfg.image_sensor, sizeof(cfg.image_sensor), "1.0.0");
    snprintf(cfg.image_content, sizeof(cfg.image_content), "0290");
    snprintf(cfg.update_kind, sizeof(cfg.update_kind), "content");
    snprintf(cfg.update_version, sizeof(cfg.update_version), "0292");
    cfg.fail_start_first = f->fail_start_first;
    fake_hv_configure(&cfg);
    snprintf(out, sizeof(out), "%s/reports", f->dir);
    opts->ops = &fake_hv_ops;
    opts->out_dir = out;
    rc = rg_run_execute(paths, 1, opts, &run, &errs);
    if (run)
        rc = rg_publish(run, NULL, &errs);
    if (errs.n)
        fail_msg("%s: %s", errs.v[0].file, errs.v[0].msg);
    assert_int_equal(rc, want_exit);
    assert_non_null(run);
    assert_int_equal(fake_hv_live_domains(), 0);
    if (rg_report_load(run->dir, report, &e) < 0)
        fail_msg("%s", e.msg);
    rg_errors_free(&errs);
    return run;
}

/* Compares a run's report, its JUnit and its text summary with the golden files of name. */
static void check_goldens(struct fx *f, const char *name, const struct rg_run *run, json_t *report)
{
    json_t *norm = normalise(report, f->dir, run->run_id);
    struct rg_buf b = RG_BUF_INIT;
    struct rg_error e;
    char *dump;

    dump = json_dumps(norm, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    golden(name, "report.json", dump);
    free(dump);
    assert_int_equal(rg_report_junit(norm, &b, &e), 0);
    golden(name, "junit.xml", rg_buf_str(&b));
    rg_buf_reset(&b);
    assert_int_equal(rg_report_text(norm, false, &b), 0);
    golden(name, "summary.txt", rg_buf_str(&b));
    rg_buf_free(&b);
    json_decref(norm);
}

/* Runs the scenario on the fake with the given guest behaviour, then compares the report,
 * its JUnit and its text summary with the golden files of `name`. */
static void run_golden(struct fx *f, const char *name, const char *checks,
                       enum fake_effect effect, int want_exit)
{
    struct rg_run_opts opts = {.fail_fast = 0, .jobs = 1};
    struct rg_run *run;
    char text[2048];
    json_t *report = NULL;

    snprintf(text, sizeof(text),
             "name: %s\n"
             "update:\n"
             "  package: 0292.rgpkg\n"
             "  validator: {command: [/bin/sh, -c, 'ls \"$0\"/files/channels/*.rgc', "
             "\"{dir}\"]}\n"
             "baseline: {package: 0290.rgpkg}\n"
             "trust: {keys: [vendor.pub]}\n"
             "images: catalog.json\n"
             "matrix: {image: [tiny], vcpus: [1, 2]}\n"
             "boot: {timeout_s: 2, reboots: 1, soak_s: 0}\n"
             "checks: {%s}\n",
             name, checks);
    run = fake_run(f, name, text, effect, &opts, want_exit, &report);
    check_goldens(f, name, run, report);
    json_decref(report);
    rg_run_free(run);
}

/* A scenario of two equal good cells (1 and 2 vCPUs), in text. */
static const char *two_cells(char *text, size_t size, const char *name)
{
    snprintf(text, size,
             "name: %s\n"
             "update: {package: 0292.rgpkg}\n"
             "baseline: {package: 0290.rgpkg}\n"
             "trust: {keys: [vendor.pub]}\n"
             "images: catalog.json\n"
             "matrix: {image: [tiny], vcpus: [1, 2]}\n"
             "boot: {timeout_s: 2, reboots: 1, soak_s: 0}\n",
             name);
    return text;
}

/* --shard 1/2 of two equal cells: the plan and the split are recorded, and only this shard's
 * cell (tiny-2c-256m: ties go by id, the first to shard 0) ran. */
static void test_shard_run(void **state)
{
    struct fx *f = *state;
    struct rg_run_opts opts = {.fail_fast = 0, .jobs = 1, .shard_index = 1, .shard_count = 2};
    struct rg_errors errs = {0};
    struct rg_run *run;
    char other[700], text[512];
    json_t *report = NULL, *shard, *cells;
    struct stat st;
    char *md, *first;

    run = fake_run(f, "sharded", two_cells(text, sizeof(text), "sharded"), FAKE_GOOD, &opts, 0,
                   &report);
    cells = json_object_get(report, "cells");
    assert_int_equal(json_array_size(cells), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cells, 0), "id")),
                        "tiny-2c-256m");
    snprintf(other, sizeof(other), "%s/cells/sharded/tiny-1c-256m", run->dir);
    assert_int_not_equal(stat(other, &st), 0);
    shard = json_object_get(report, "shard");
    assert_true(json_is_object(shard));
    assert_int_equal(json_integer_value(json_object_get(shard, "index")), 1);
    assert_int_equal(json_integer_value(json_object_get(shard, "count")), 2);
    assert_int_equal(json_array_size(json_object_get(shard, "planned")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(shard, "planned"), 0)),
                        "sharded/tiny-1c-256m");
    assert_int_equal(json_array_size(json_object_get(shard, "this_shard")), 1);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(shard, "this_shard"), 0)),
        "sharded/tiny-2c-256m");
    assert_int_equal(strlen(json_string_value(json_object_get(
                         json_object_get(json_object_get(shard, "digests"), "scenarios"),
                         "sharded"))),
                     64);
    assert_int_equal(
        json_object_size(json_object_get(json_object_get(shard, "digests"), "packages")), 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(shard, "digests"),
                                                          "ringgate_version")),
                        RG_VERSION);
    json_decref(report);
    /* The Markdown summary of the same run, written, then appended to (the step summary). */
    snprintf(other, sizeof(other), "%s/summary.md", f->dir);
    assert_int_equal(rg_publish_summary_md(run, other, false, &errs), 0);
    assert_int_equal(rg_publish_summary_md(run, other, true, &errs), 0);
    md = rg_test_slurp(other, NULL);
    assert_non_null(md);
    first = strstr(md, "## ringgate: PASS (exit 0)\n");
    assert_non_null(first);
    assert_non_null(strstr(first + 1, "## ringgate: PASS (exit 0)\n"));
    assert_non_null(strstr(md, ", shard 1/2\n"));
    assert_non_null(strstr(md, "| sharded | tiny-2c-256m | 2 | 256 MiB | **pass** |"));
    assert_null(strstr(md, "tiny-1c-256m"));
    free(md);
    rg_run_free(run);
    rg_errors_free(&errs);
}

/* More shards than cells: shard 2/3 of two cells has none; it passes, reports render. */
static void test_empty_shard(void **state)
{
    struct fx *f = *state;
    struct rg_run_opts opts = {.fail_fast = 0, .jobs = 1, .shard_index = 2, .shard_count = 3};
    struct rg_run *run;
    char text[512];
    json_t *report = NULL, *shard;

    run = fake_run(f, "empty", two_cells(text, sizeof(text), "empty"), FAKE_GOOD, &opts, 0,
                   &report);
    assert_int_equal(json_array_size(json_object_get(report, "cells")), 0);
    shard = json_object_get(report, "shard");
    assert_int_equal(json_array_size(json_object_get(shard, "planned")), 2);
    assert_int_equal(json_array_size(json_object_get(shard, "this_shard")), 0);
    json_decref(report);
    rg_run_free(run);
}

/* ---- gate.retries ---- */

static int g_overlays;

static int count_overlay(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    size_t n = strlen(path);

    (void)st;
    (void)ftw;
    if (type == FTW_F && n > 6 && strcmp(path + n - 6, ".qcow2") == 0)
        g_overlays++;
    return 0;
}

/* At a retry nothing of the failed attempt may be left: no domain, no overlay. */
static void on_retry(void *opaque, const struct rg_cell_result *res, const char *state,
                     const char *detail)
{
    struct fx *f = opaque;
    char dir[300];

    (void)res;
    (void)detail;
    if (strcmp(state, "retry") != 0)
        return;
    f->retries_seen++;
    f->live_at_retry += fake_hv_live_domains();
    g_overlays = 0;
    snprintf(dir, sizeof(dir), "%s/state", f->dir);
    nftw(dir, count_overlay, 8, FTW_PHYS);
    f->overlays_at_retry += g_overlays;
    if (f->interrupt_at_retry)
        rg_run_interrupt();
}

/* One cell on a host whose first `fail` starts fail, with gate.retries: retries. */
static struct rg_run *retry_run(struct fx *f, const char *name, int retries, int fail,
                                enum fake_effect effect, int want_exit, json_t **report)
{
    struct rg_run_opts opts = {.fail_fast = 0, .jobs = 1, .progress = on_retry, .opaque = f};
    char text[512];

    snprintf(text, sizeof(text),
             "name: %s\n"
             "update: {package: 0292.rgpkg}\n"
             "baseline: {package: 0290.rgpkg}\n"
             "trust: {keys: [vendor.pub]}\n"
             "images: catalog.json\n"
             "matrix: {image: [tiny]}\n"
             "boot: {timeout_s: 2, reboots: 1, soak_s: 0}\n"
             "gate: {retries: %d}\n",
             name, retries);
    f->fail_start_first = fail;
    return fake_run(f, name, text, effect, &opts, want_exit, report);
}

static const json_t *only_cell(const json_t *report)
{
    const json_t *cells = json_object_get(report, "cells");

    assert_int_equal(json_array_size(cells), 1);
    return json_array_get(cells, 0);
}

static bool run_file_exists(const struct rg_run *run, const char *rel)
{
    char path[8192];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", run->dir, rel);
    return stat(path, &st) == 0;
}

/* A bundle of a retried cell carries every attempt's console log. */
static void bundle_has_attempt_log(struct fx *f, const struct rg_run *run)
{
    struct rg_errors errs = {0};
    char out[300], cmd[700], line[600];
    bool first = false, last = false;
    FILE *p;

    snprintf(out, sizeof(out), "%s/cell.tar.gz", f->dir);
    if (rg_reproduce_bundle(run->dir, "retry-infra/tiny-1c-256m", out, &errs) < 0)
        fail_msg("bundle: %s", errs.v[0].msg);
    snprintf(cmd, sizeof(cmd), "tar tzf '%s'", out);
    p = popen(cmd, "r");
    assert_non_null(p);
    while (fgets(line, sizeof(line), p)) {
        first = first || strstr(line, "tiny-1c-256m/console.attempt1.log");
        last = last || strstr(line, "tiny-1c-256m/console.log");
    }
    assert_int_equal(pclose(p), 0);
    assert_true(first);
    assert_true(last);
    rg_errors_free(&errs);
}

/* The host fails once, gate.retries: 1: the cell passes on its second attempt, and the
 * report keeps the first (its own console log, its reason); nothing of it leaked. */
static void test_retry_after_host_failure(void **state)
{
    struct fx *f = *state;
    json_t *report = NULL;
    const json_t *cell, *att;
    struct rg_buf b = RG_BUF_INIT;
    struct rg_run *run = retry_run(f, "retry-infra", 1, 1, FAKE_GOOD, 0, &report);

    cell = only_cell(report);
    assert_string_equal(rg_report_str(cell, "verdict"), "pass");
    assert_int_equal(rg_report_int(cell, "retries", -1), 1);
    assert_int_equal(json_array_size(json_object_get(cell, "attempts")), 1);
    att = json_array_get(json_object_get(cell, "attempts"), 0);
    assert_string_equal(rg_report_str(att, "verdict"), "inconclusive");
    assert_string_equal(json_string_value(json_array_get(json_object_get(att, "reasons"), 0)),
                        "infra: the hypervisor could not start the guest");
    assert_string_equal(rg_report_str(att, "console_log"),
                        "cells/retry-infra/tiny-1c-256m/console.attempt1.log");
    assert_string_equal(rg_report_str(cell, "console_log"),
                        "cells/retry-infra/tiny-1c-256m/console.log");
    assert_true(run_file_exists(run, rg_report_str(att, "console_log")));
    assert_true(run_file_exists(run, rg_report_str(cell, "console_log")));
    assert_int_equal(f->retries_seen, 1);
    assert_int_equal(f->live_at_retry, 0);
    assert_int_equal(f->overlays_at_retry, 0);
    check_goldens(f, "retry-infra", run, report);
    /* The page and the CI summary say so too. */
    assert_int_equal(rg_report_html(report, &b), 0);
    assert_non_null(strstr(rg_buf_str(&b), "2 attempts (gate.retries)"));
    assert_non_null(strstr(rg_buf_str(&b), "infra: the hypervisor could not start the guest"));
    assert_non_null(
        strstr(rg_buf_str(&b), "href=\"cells/retry-infra/tiny-1c-256m/console.attempt1.log\""));
    assert_non_null(strstr(rg_buf_str(&b), "(2 attempts)"));
    rg_buf_reset(&b);
    assert_int_equal(rg_report_markdown(report, &b), 0);
    assert_non_null(strstr(rg_buf_str(&b),
                           "| **pass** | retried 1 time (infra: the hypervisor could "
                           "not start the guest) |"));
    rg_buf_free(&b);
    bundle_has_attempt_log(f, run);
    json_decref(report);
    rg_run_free(run);
}

/* The same host without gate.retries: the cell is inconclusive, one attempt. */
static void test_no_retries_by_default(void **state)
{
    struct fx *f = *state;
    json_t *report = NULL;
    const json_t *cell;
    struct rg_run *run = retry_run(f, "no-retry", 0, 1, FAKE_GOOD, RG_EXIT_INCONCLUSIVE, &report);

    cell = only_cell(report);
    assert_string_equal(rg_report_str(cell, "verdict"), "inconclusive");
    assert_int_equal(rg_report_int(cell, "retries", -1), 0);
    assert_int_equal(json_array_size(json_object_get(cell, "attempts")), 0);
    assert_false(run_file_exists(run, "cells/no-retry/tiny-1c-256m/console.attempt1.log"));
    assert_int_equal(f->retries_seen, 0);
    json_decref(report);
    rg_run_free(run);
}

/* A crash blocks: the guest's doing, never retried, whatever gate.retries says. */
static void test_block_is_never_retried(void **state)
{
    struct fx *f = *state;
    json_t *report = NULL;
    const json_t *cell;
    struct rg_run *run = retry_run(f, "crash-retry", 3, 0, FAKE_CRASH, RG_EXIT_BLOCK, &report);

    cell = only_cell(report);
    assert_string_equal(rg_report_str(cell, "verdict"), "block");
    assert_int_equal(rg_report_int(cell, "retries", -1), 0);
    assert_int_equal(f->retries_seen, 0);
    json_decref(report);
    rg_run_free(run);
}

/* A host that keeps failing: retries: 2 gives three attempts, then the cell is inconclusive;
 * every attempt keeps its own console log. */
static void test_retries_exhausted(void **state)
{
    struct fx *f = *state;
    json_t *report = NULL;
    const json_t *cell, *atts;
    struct rg_run *run =
        retry_run(f, "exhausted", 2, 100, FAKE_GOOD, RG_EXIT_INCONCLUSIVE, &report);

    cell = only_cell(report);
    atts = json_object_get(cell, "attempts");
    assert_string_equal(rg_report_str(cell, "verdict"), "inconclusive");
    assert_int_equal(rg_report_int(cell, "retries", -1), 2);
    assert_int_equal(json_array_size(atts), 2);
    assert_string_equal(rg_report_str(json_array_get(atts, 1), "console_log"),
                        "cells/exhausted/tiny-1c-256m/console.attempt2.log");
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(rg_report_str(json_array_get(atts, i), "verdict"), "inconclusive");
        assert_true(run_file_exists(run, rg_report_str(json_array_get(atts, i), "console_log")));
    }
    assert_true(run_file_exists(run, rg_report_str(cell, "console_log")));
    assert_int_equal(f->retries_seen, 2);
    assert_int_equal(f->live_at_retry + f->overlays_at_retry, 0);
    json_decref(report);
    rg_run_free(run);
}

/* SIGINT as a retry begins: the new attempt winds down at once, the cell is aborted with its
 * first attempt kept, and no VM is left (fake_run checks). */
static void test_interrupt_during_retry(void **state)
{
    struct fx *f = *state;
    json_t *report = NULL;
    const json_t *cell;
    struct rg_run *run;

    f->interrupt_at_retry = true;
    run = retry_run(f, "interrupted", 3, 1, FAKE_GOOD, RG_EXIT_INCONCLUSIVE, &report);
    cell = only_cell(report);
    assert_string_equal(rg_report_str(cell, "verdict"), "aborted");
    assert_int_equal(rg_report_int(cell, "retries", -1), 1);
    assert_int_equal(f->retries_seen, 1);
    json_decref(report);
    rg_run_free(run);
}

static void test_good_update(void **state)
{
    run_golden(*state, "good-two-cells", "rollback: true", FAKE_GOOD, 0);
}

static void test_crashing_update(void **state)
{
    run_golden(*state, "crash-loop-rollback", "rollback: true", FAKE_CRASH, 1);
}

static void test_slow_update(void **state)
{
    run_golden(*state, "perf-regression",
               "performance: {workload: syscall, samples: 5, max_regression_pct: 15}, "
               "rollback: false",
               FAKE_SLOW, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_good_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crashing_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shard_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_shard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_host_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_retries_by_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_is_never_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retries_exhausted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_during_retry, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
