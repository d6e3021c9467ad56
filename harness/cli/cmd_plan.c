/* `ringgate plan FILE... [--json] [--shards N]`: the cells the scenarios' matrices expand to, a
 * time estimate, and how `run --shard I/N` splits them. */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds.h"
#include "model/scenario.h"
#include "model/shard.h"
#include "util/ringgate.h"

static const char plan_about[] =
    "Expands the scenario's matrix (the product of image, vcpus and memory_mib in that\n"
    "order, minus excludes, then includes; duplicates dropped) and prints the cells with\n"
    "their stable ids (<image>-<vcpus>c-<memory_mib>m) and a rough time estimate.\n"
    "With --shards N, shows how `ringgate run --shard I/N` with the same scenarios (in the\n"
    "same order) splits their cells: each shard's cells and its estimate (the sum of its\n"
    "cells' estimates, run one at a time).\n";
static const char plan_more[] = "Exit: 0 ok, 2 invalid scenario or usage.\n";

struct plan_args {
    bool json, no_files;
    int jobs, shards;
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
    RG_OPT_INT(0, "shards", AT(shards), "N", 1, 4096, "--shards takes a number from 1 to 4096",
               "show the split of `run --shard I/N`: each shard's cells and estimate (with "
               "--json: \"shards\": [{\"index\", \"estimate_s\", \"cells\"}...])"),
};

static json_t *split_json(const struct rg_shard_split *sp, int nshards)
{
    json_t *shards = json_array();

    for (int s = 0; s < nshards; s++) {
        json_t *cells = json_array();

        for (size_t i = 0; i < sp->n; i++)
            if (sp->shard_of[i] == (size_t)s)
                json_array_append_new(cells, json_string(sp->keys[i]));
        json_array_append_new(shards, json_pack("{s:i, s:I, s:o}", "index", s, "estimate_s",
                                                (json_int_t)sp->load[s], "cells", cells));
    }
    return shards;
}

static void split_print(const struct rg_shard_split *sp, int nshards)
{
    for (int s = 0; s < nshards; s++) {
        size_t n = 0;

        for (size_t i = 0; i < sp->n; i++)
            n += sp->shard_of[i] == (size_t)s;
        printf("\nshard %d/%d  %zu cell%s, about %ld min %02ld s\n", s, nshards, n,
               n == 1 ? "" : "s", sp->load[s] / 60, sp->load[s] % 60);
        for (size_t i = 0; i < sp->n; i++)
            if (sp->shard_of[i] == (size_t)s)
                printf("  %s\n", sp->keys[i]);
    }
}

static int plan_print_json(const struct rg_scenario *sc, int jobs,
                           const struct rg_shard_split *sp,
                           int nshards)
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
    if (nshards > 0)
        json_object_set_new(root, "shards", split_json(sp, nshards));
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
    struct rg_scenario **scs = calloc((size_t)argc + 1, sizeof(*scs));
    struct rg_shard_split sp = {0};
    size_t nsc = 0;
    int rc = RG_EXIT_USAGE, jobs;

    if (a->json && argc > 1) {
        free(scs);
        return rg_command_usage_error("plan", "--json takes one scenario file");
    }
    for (int i = 0; i < argc; i++)
        if (rg_scenario_load(argv[i], &sopts, &scs[nsc], &errs) == 0)
            nsc++;
    if (errs.n) {
        rg_errors_print(stderr, &errs);
        goto out;
    }
    if (a->shards > 0 &&
        rg_shard_split((const struct rg_scenario *const *)scs, nsc, (size_t)a->shards, &sp) < 0)
        goto out;
    /* As a suite does: the first scenario's gate.jobs. */
    jobs = rg_scenario_jobs(scs[0], a->jobs);
    if (a->json) {
        rc = plan_print_json(scs[0], jobs, &sp, a->shards);
        goto out;
    }
    for (size_t s = 0; s < nsc; s++) {
        if (s)
            putchar('\n');
        plan_print_table(scs[s], jobs);
    }
    if (a->shards > 0)
        split_print(&sp, a->shards);
    rc = RG_EXIT_OK;
out:
    rg_shard_split_free(&sp);
    for (size_t s = 0; s < nsc; s++)
        rg_scenario_free(scs[s]);
    free(scs);
    rg_errors_free(&errs);
    return rc;
}

RG_COMMAND(plan, "show the cells a scenario's matrix expands to", .name = "plan",
           .usage = "FILE...", .min_args = 1, .max_args = -1,
           .args_error = "expected at least one scenario file");
