/* `ringgate plan FILE [--json]`: the cells a scenario's matrix expands to, and a time estimate. */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmds.h"
#include "model/scenario.h"
#include "util/ringgate.h"

static const char plan_about[] =
    "Expands the scenario's matrix (the product of image, vcpus and memory_mib in that\n"
    "order, minus excludes, then includes; duplicates dropped) and prints the cells with\n"
    "their stable ids (<image>-<vcpus>c-<memory_mib>m) and a rough time estimate.\n";
static const char plan_more[] = "Exit: 0 ok, 2 invalid scenario or usage.\n";

struct plan_args {
    bool json, no_files;
    int jobs;
};
static const struct plan_args plan_defaults = {0};

#define AT(field) offsetof(struct plan_args, field)

static const struct rg_option plan_options[] = {
    RG_OPT_BOOL(0, "json", AT(json),
                "print {\"scenario\", \"cells\": [{\"id\", \"image\", \"vcpus\", "
                "\"memory_mib\"}...], \"jobs\", \"estimate_s\"} instead of a table"),
    RG_OPT_BOOL(0, "no-files", AT(no_files),
                "do not require referenced packages, keys and catalogue to exist"),
    RG_CLI_OPT_JOBS(AT(jobs)),
};

static int plan_print_json(const struct rg_scenario *sc, int jobs)
{
    json_t *root = json_object(), *cells = json_array();
    char *text;

    for (size_t i = 0; i < sc->ncells; i++) {
        const struct rg_cell *c = &sc->cells[i];
        json_array_append_new(cells, json_pack("{s:s, s:s, s:i, s:i}", "id", c->id, "image",
                                               c->image, "vcpus", c->vcpus, "memory_mib",
                                               c->memory_mib));
    }
    json_object_set_new(root, "scenario", json_string(sc->name));
    json_object_set_new(root, "cells", cells);
    json_object_set_new(root, "jobs", json_integer(jobs));
    json_object_set_new(root, "estimate_s", json_integer(rg_scenario_estimate_s(sc, jobs)));
    text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text)
        return RG_EXIT_USAGE;
    puts(text);
    free(text);
    return RG_EXIT_OK;
}

static void plan_print_table(const struct rg_scenario *sc, int jobs)
{
    int est = rg_scenario_estimate_s(sc, jobs);

    printf("scenario  %s (%s)\n", sc->name, sc->path);
    printf("update    %s\n", sc->update.package);
    if (sc->baseline.package)
        printf("baseline  %s\n", sc->baseline.package);
    printf("boot      timeout %d s, %d reboot%s, soak %d s\n\n", sc->boot.timeout_s,
           sc->boot.reboots, sc->boot.reboots == 1 ? "" : "s", sc->boot.soak_s);
    printf("  %3s  %-28s %-12s %5s %10s\n", "#", "cell", "image", "vcpus", "memory");
    for (size_t i = 0; i < sc->ncells; i++) {
        const struct rg_cell *c = &sc->cells[i];
        printf("  %3zu  %-28s %-12s %5d %6d MiB\n", i + 1, c->id, c->image, c->vcpus,
               c->memory_mib);
    }
    printf("\n%zu cell%s, %d in parallel, about %d min %02d s\n", sc->ncells,
           sc->ncells == 1 ? "" : "s", jobs, est / 60, est % 60);
}

static int cmd_plan(void *opts, int argc, char **argv)
{
    const struct plan_args *a = opts;
    struct rg_scenario_opts sopts = {.check_files = !a->no_files};
    struct rg_errors errs = {0};
    struct rg_scenario *sc = NULL;
    int rc, jobs;

    (void)argc;
    if (rg_scenario_load(argv[0], &sopts, &sc, &errs) < 0) {
        rg_errors_print(stderr, &errs);
        rg_errors_free(&errs);
        return RG_EXIT_USAGE;
    }
    jobs = rg_scenario_jobs(sc, a->jobs);
    if (a->json) {
        rc = plan_print_json(sc, jobs);
    } else {
        plan_print_table(sc, jobs);
        rc = RG_EXIT_OK;
    }
    rg_scenario_free(sc);
    return rc;
}

RG_COMMAND(plan, "show the cells a scenario's matrix expands to", .name = "plan", .usage = "FILE",
           .min_args = 1, .max_args = 1, .args_error = "expected exactly one scenario file");
