/* `ringgate plan FILE [--json]`: the cells a scenario's matrix expands to, and a time estimate. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmds.h"
#include "model/scenario.h"
#include "util/ringgate.h"

const char rg_usage_plan[] =
    "usage: ringgate plan [--json] [--no-files] [-j N] FILE\n"
    "\n"
    "Expands the scenario's matrix (the product of image, vcpus and memory_mib in that\n"
    "order, minus excludes, then includes; duplicates dropped) and prints the cells with\n"
    "their stable ids (<image>-<vcpus>c-<memory_mib>m) and a rough time estimate.\n"
    "\n"
    "  --json       print {\"scenario\", \"cells\": [{\"id\", \"image\", \"vcpus\",\n"
    "               \"memory_mib\"}...], \"estimate_s\"} instead of a table\n"
    "  --no-files   do not require referenced packages, keys and catalogue to exist\n"
    "  -j N         cells run in parallel (default: the scenario's gate.jobs, else the\n"
    "               number of cores)\n"
    "\n"
    "Exit: 0 ok, 2 invalid scenario or usage.\n";

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

int cmd_plan(int argc, char **argv)
{
    static const struct option longopts[] = {{"json", no_argument, NULL, 'J'},
                                             {"no-files", no_argument, NULL, 'n'},
                                             {"jobs", required_argument, NULL, 'j'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    struct rg_scenario_opts opts = {.check_files = true};
    struct rg_errors errs = {0};
    struct rg_scenario *sc = NULL;
    bool json = false;
    int opt, jobs = 0, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "j:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'J':
            json = true;
            break;
        case 'n':
            opts.check_files = false;
            break;
        case 'j': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 256)
                return rg_command_usage_error("plan", "-j takes a number from 1 to 256");
            jobs = (int)v;
            break;
        }
        case 'h':
            fputs(rg_usage_plan, stdout);
            return RG_EXIT_OK;
        default:
            return rg_command_usage_error("plan", "unknown option");
        }
    }
    if (argc - optind != 1)
        return rg_command_usage_error("plan", "expected exactly one scenario file");
    if (rg_scenario_load(argv[optind], &opts, &sc, &errs) < 0) {
        rg_errors_print(stderr, &errs);
        rg_errors_free(&errs);
        return RG_EXIT_USAGE;
    }
    jobs = rg_scenario_jobs(sc, jobs);
    if (json) {
        rc = plan_print_json(sc, jobs);
    } else {
        plan_print_table(sc, jobs);
        rc = RG_EXIT_OK;
    }
    rg_scenario_free(sc);
    return rc;
}
