/* Reproducing one cell of a recorded run: the plan checked against the report's digests, and
 * the bundle of what it takes elsewhere. */
#include "report/reproduce.h"

#include <archive.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/catalog.h"
#include "model/scenario.h"
#include "package/package.h"
#include "report/report.h"
#include "util/buf.h"
#include "util/digest.h"
#include "util/file.h"

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

/* The report's cell named id or scenario/id; NULL (errs says which exist) when none. */
static const json_t *find_cell(const json_t *report, const char *path, const char *want,
                               struct rg_errors *errs)
{
    const json_t *c, *found = NULL;
    struct rg_buf ids = RG_BUF_INIT;
    size_t i;

    json_array_foreach(json_object_get(report, "cells"), i, c)
    {
        char full[256];

        snprintf(full, sizeof(full), "%s/%s", rg_report_str(c, "scenario"),
                 rg_report_str(c, "id"));
        rg_buf_printf(&ids, "%s%s", ids.len ? ", " : "", full);
        if (!found && (!strcmp(want, full) || !strcmp(want, rg_report_str(c, "id"))))
            found = c;
    }
    if (!found)
        rg_errors_add(errs, path, 0, 0, "no cell '%s' in run %s; its cells: %s", want,
                      rg_report_str(report, "run_id"), ids.len ? rg_buf_str(&ids) : "none");
    rg_buf_free(&ids);
    return found;
}

/* The file must still hold the bytes the run used. */
static void check_digest(const char *what, const char *file, const char *recorded,
                         const char *run_id, struct rg_errors *errs)
{
    char now[RG_SHA256_HEX];
    struct rg_error e = {0};

    if (!file || !*file) {
        rg_errors_add(errs, NULL, 0, 0, "the report names no %s file", what);
        return;
    }
    if (rg_sha256_file(file, now, &e) < 0) {
        rg_errors_add(errs, file, 0, 0, "the %s of run %s is gone: %s", what, run_id, e.msg);
        return;
    }
    if (strcmp(now, recorded) != 0)
        rg_errors_add(errs, file, 0, 0,
                      "the %s changed since run %s: sha256 %s now, %s when it ran", what,
                      run_id, now, recorded);
}

static void check_images(const struct rg_reproduce *r, const json_t *cell,
                         struct rg_errors *errs)
{
    const struct rg_scenario_opts sopts = {.check_files = false};
    const json_t *dig = json_object_get(cell, "image_digests");
    struct rg_scenario *sc = NULL;
    struct rg_catalog *cat = NULL;
    const struct rg_image *img;
    struct rg_error e = {0};

    if (rg_scenario_load(r->scenario, &sopts, &sc, errs) < 0)
        return;
    if (rg_catalog_load(sc->catalog, &cat, &e) < 0) {
        rg_errors_push(errs, &e);
        goto out;
    }
    img = rg_catalog_find(cat, rg_report_str(cell, "image"));
    if (!img) {
        rg_errors_add(errs, sc->catalog, 0, 0, "image '%s' of the run is not in the catalogue",
                      rg_report_str(cell, "image"));
        goto out;
    }
    {
        const char *files[] = {img->kernel, img->initrd, img->disk};
        const char *keys[] = {"kernel", "initrd", "disk"};
        for (size_t i = 0; i < 3; i++) {
            char what[128];
            snprintf(what, sizeof(what), "image '%s' %s", img->name, keys[i]);
            check_digest(what, files[i], rg_report_str(dig, keys[i]),
                         r->run_id, errs);
        }
    }
out:
    rg_catalog_free(cat);
    rg_scenario_free(sc);
}

int rg_reproduce_plan(const char *run_dir, const char *cell, bool images,
                      struct rg_reproduce *out, struct rg_errors *errs)
{
    json_t *report = NULL;
    const json_t *c, *s, *sc = NULL;
    struct rg_error e = {0};
    char path[4200];
    size_t i, before = errs->n;

    memset(out, 0, sizeof(*out));
    if (rg_report_load(run_dir, &report, &e) < 0) {
        rg_errors_push(errs, &e);
        return -1;
    }
    snprintf(path, sizeof(path), "%s/report.json", run_dir);
    snprintf(out->run_id, sizeof(out->run_id), "%s", rg_report_str(report, "run_id"));
    c = find_cell(report, path, cell, errs);
    if (!c)
        goto out;
    snprintf(out->cell, sizeof(out->cell), "%s/%s", rg_report_str(c, "scenario"),
             rg_report_str(c, "id"));
    json_array_foreach(json_object_get(report, "scenarios"), i, s)
    {
        if (!strcmp(rg_report_str(s, "name"), rg_report_str(c, "scenario")))
            sc = s;
    }
    if (!sc) {
        rg_errors_add(errs, path, 0, 0, "the report has no scenario '%s'",
                      rg_report_str(c, "scenario"));
        goto out;
    }
    out->scenario = dup_or_null(rg_report_str(sc, "path"));
    out->update = dup_or_null(rg_report_str(json_object_get(sc, "update"), "path"));
    out->baseline = dup_or_null(rg_report_str(json_object_get(sc, "baseline"), "path"));
    snprintf(path, sizeof(path), "%s/%s", run_dir, rg_report_str(c, "console_log"));
    if (strrchr(path, '/'))
        *strrchr(path, '/') = '\0';
    out->console_dir = strdup(path);
    out->boot_anyway = json_is_true(json_object_get(json_object_get(report, "options"),
                                                    "boot_anyway"));
    out->aa = json_is_true(json_object_get(json_object_get(report, "options"), "aa"));
    check_digest("scenario", out->scenario, rg_report_str(sc, "sha256"), out->run_id, errs);
    check_digest("update package", out->update,
                 rg_report_str(json_object_get(sc, "update"), "sha256"), out->run_id, errs);
    if (json_is_object(json_object_get(sc, "baseline")))
        check_digest("baseline package", out->baseline,
                     rg_report_str(json_object_get(sc, "baseline"), "sha256"), out->run_id,
                     errs);
    if (images && errs->n == before)
        check_images(out, c, errs);
out:
    json_decref(report);
    if (errs->n != before) {
        rg_reproduce_free(out);
        return -1;
    }
    return 0;
}

void rg_reproduce_free(struct rg_reproduce *r)
{
    if (!r)
        return;
    free(r->scenario);
    free(r->update);
    free(r->baseline);
    free(r->console_dir);
    r->scenario = r->update = r->baseline = r->console_dir = NULL;
}

/* ---- The bundle ---- */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The largest file a bundle carries: packages are 64 MiB at most, console logs smaller. */
#define BUNDLE_MEMBER_MAX ((size_t)256 * 1024 * 1024)

struct member {
    char name[512];
    char *data;
    size_t len;
};

static int add_file(struct member *m, size_t *n, const char *name, const char *path,
                    struct rg_errors *errs)
{
    struct rg_error e = {0};
    unsigned char *data = NULL;
    size_t len = 0;

    if (rg_file_read(path, BUNDLE_MEMBER_MAX, &data, &len, &e) < 0) {
        rg_errors_push(errs, &e);
        return -1;
    }
    snprintf(m[*n].name, sizeof(m[*n].name), "%s", name);
    m[*n].len = len;
    m[(*n)++].data = (char *)data;
    return 0;
}

static void add_text(struct member *m, size_t *n, const char *name, char *text)
{
    snprintf(m[*n].name, sizeof(m[*n].name), "%s", name);
    m[*n].len = strlen(text);
    m[(*n)++].data = text;
}

static int cmp_member(const void *a, const void *b)
{
    return strcmp(((const struct member *)a)->name, ((const struct member *)b)->name);
}

int rg_reproduce_bundle(const char *run_dir, const char *cell, const char *out,
                        struct rg_errors *errs)
{
    const struct rg_scenario_opts sopts = {.check_files = false};
    struct rg_reproduce r;
    struct rg_scenario *sc = NULL;
    struct member m[64];
    size_t n = 0, before = errs->n;
    json_t *report = NULL, *extract = NULL, *images = NULL, *cellj = NULL;
    struct rg_error e = {0};
    struct archive *a = NULL;
    char name[600], tmp[4300];
    struct rg_buf readme = RG_BUF_INIT;
    const json_t *c;
    size_t i;
    int rc = -1;

    if (rg_reproduce_plan(run_dir, cell, false, &r, errs) < 0)
        return -1;
    if (rg_report_load(run_dir, &report, &e) < 0 ||
        rg_scenario_load(r.scenario, &sopts, &sc, errs) < 0) {
        if (e.msg[0])
            rg_errors_push(errs, &e);
        goto out;
    }
    json_array_foreach(json_object_get(report, "cells"), i, c)
    {
        char full[256];
        snprintf(full, sizeof(full), "%s/%s", rg_report_str(c, "scenario"),
                 rg_report_str(c, "id"));
        if (!strcmp(full, r.cell))
            cellj = (json_t *)c;
    }
    snprintf(tmp, sizeof(tmp), "%s/report.json", run_dir);
    add_file(m, &n, "run/report.json", tmp, errs);
    snprintf(name, sizeof(name), "scenario/%s", base_name(r.scenario));
    add_file(m, &n, name, r.scenario, errs);
    snprintf(name, sizeof(name), "packages/%s", base_name(r.update));
    add_file(m, &n, name, r.update, errs);
    if (r.baseline) {
        snprintf(name, sizeof(name), "packages/%s", base_name(r.baseline));
        add_file(m, &n, name, r.baseline, errs);
    }
    for (i = 0; i < sc->ntrust_keys && n < 40; i++) {
        snprintf(name, sizeof(name), "keys/%s", base_name(sc->trust_keys[i]));
        add_file(m, &n, name, sc->trust_keys[i], errs);
    }
    {
        /* The cell's console logs: the candidate's and, when measured, its twin's. */
        const char *logs_rel[] = {rg_report_str(cellj, "console_log"),
                                  rg_report_str(json_object_get(cellj, "twin"), "console_log")};
        for (i = 0; i < 2; i++) {
            if (!logs_rel[i][0])
                continue;
            snprintf(tmp, sizeof(tmp), "%s/%s", run_dir, logs_rel[i]);
            snprintf(name, sizeof(name), "run/%s", logs_rel[i]);
            add_file(m, &n, name, tmp, errs);
        }
    }
    {
        /* gate.retries: the attempts the host failed, each its own log (at most 10). */
        const json_t *att;
        json_array_foreach(json_object_get(cellj, "attempts"), i, att)
        {
            const char *rel = rg_report_str(att, "console_log");

            if (!rel[0] || i >= RG_GATE_RETRIES_MAX)
                continue;
            snprintf(tmp, sizeof(tmp), "%s/%s", run_dir, rel);
            snprintf(name, sizeof(name), "run/%s", rel);
            add_file(m, &n, name, tmp, errs);
        }
    }
    extract = json_pack("{s:s, s:s, s:O, s:O, s:O}", "run_id", r.run_id, "cell", r.cell,
                        "host", json_object_get(report, "host"), "scenario",
                        json_object_get(report, "scenario"), "result", cellj);
    add_text(m, &n, "cell.json", json_dumps(extract, JSON_INDENT(2) | JSON_PRESERVE_ORDER));
    images = json_pack("{s:s, s:O, s:s}", "image", rg_report_str(cellj, "image"), "digests",
                       json_object_get(cellj, "image_digests"), "recipe",
                       "images/build.sh (target named like the image), from Debian packages; "
                       "the digests above must match what it builds");
    add_text(m, &n, "images.json", json_dumps(images, JSON_INDENT(2) | JSON_PRESERVE_ORDER));
    rg_buf_printf(&readme,
                  "ringgate bundle: cell %s of run %s\n\n"
                  "run/report.json      the run's report (run/cells/...: the cell's console)\n"
                  "cell.json            this cell's part of it, with the host facts\n"
                  "scenario/, packages/, keys/   the files the run used\n"
                  "images.json          the image and the digests the run booted\n\n"
                  "To reproduce, in a ringgate checkout of version %s:\n"
                  "  1. bash images/build.sh   (its images must have the digests of images.json)\n"
                  "  2. put the scenario and packages where the run named them:\n"
                  "       scenario: %s\n       update:   %s\n%s%s%s"
                  "     (or adjust the scenario's paths and run it with\n"
                  "      `ringgate run --update packages/%s scenario/%s`)\n"
                  "  3. ringgate reproduce <this folder>/run --cell %s [--keep]\n"
                  "     (reproduce refuses if any file's digest differs from the run's)\n",
                  r.cell, r.run_id, rg_report_str(report, "ringgate_version"), r.scenario,
                  r.update, r.baseline ? "       baseline: " : "", r.baseline ? r.baseline : "",
                  r.baseline ? "\n" : "", base_name(r.update), base_name(r.scenario), r.cell);
    add_text(m, &n, "README.txt", rg_buf_detach(&readme));
    if (errs->n != before)
        goto out;
    qsort(m, n, sizeof(m[0]), cmp_member);
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", out, (long)getpid());
    a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    /* No name or time in the gzip header: the same cell gives the same bytes. */
    archive_write_set_filter_option(a, "gzip", "timestamp", NULL);
    if (archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
        rg_errors_add(errs, out, 0, 0, "cannot write: %s", archive_error_string(a));
        goto out;
    }
    for (i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "ringgate-%s-%s/%s", r.run_id, base_name(r.cell),
                 m[i].name);
        if (rg_tar_add(a, name, m[i].data, m[i].len, 0644, 0) < 0) {
            rg_errors_add(errs, out, 0, 0, "cannot write: %s", archive_error_string(a));
            goto out;
        }
    }
    if (archive_write_close(a) != ARCHIVE_OK || rename(tmp, out) < 0) {
        rg_errors_add(errs, out, 0, 0, "cannot write the bundle");
        goto out;
    }
    rc = 0;
out:
    if (a)
        archive_write_free(a);
    if (rc < 0 && a)
        unlink(tmp);
    for (i = 0; i < n; i++)
        free(m[i].data);
    rg_buf_free(&readme);
    json_decref(images);
    json_decref(extract);
    json_decref(report);
    rg_scenario_free(sc);
    rg_reproduce_free(&r);
    return rc;
}
