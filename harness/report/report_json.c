/* report.json (schema ringgate.report/v1, reports/README.md) from a run, written atomically. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/run.h"
#include "report/publish.h"
#include "report/report.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/ringgate.h"

/* Strings from guests (console excerpts) may be any bytes; JSON wants UTF-8. */
static json_t *str_or_null(const char *s)
{
    struct rg_buf b = RG_BUF_INIT;
    json_t *v;

    if (!s || !*s)
        return json_null();
    rg_buf_put_utf8(&b, s, false);
    v = json_string(rg_buf_str(&b));
    rg_buf_free(&b);
    return v ? v : json_null();
}

static json_t *num_or_null(double v)
{
    return v < 0 ? json_null() : json_real(v);
}

static json_t *time_json(double epoch)
{
    char buf[40];

    if (epoch <= 0)
        return json_null();
    rg_time_rfc3339(epoch, buf, sizeof(buf));
    return json_string(buf);
}

static json_t *pkg_json(const struct rg_pkg_info *p)
{
    if (!p->present)
        return json_null();
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "name", p->name, "kind", p->kind,
                     "version", p->version, "sha256", p->sha256, "path", str_or_null(p->path),
                     "signer", str_or_null(p->signer));
}

static json_t *finding_json(const struct rg_finding *f)
{
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "class",
                     rg_finding_class_name(f->cls), "action", rg_action_name(f->action), "title",
                     str_or_null(f->title), "boot", f->boot ? json_integer(f->boot) : json_null(), "t",
                     num_or_null(f->t), "console_line",
                     f->console_line > 0 ? json_integer(f->console_line) : json_null(),
                     "guilty", str_or_null(f->guilty), "module", str_or_null(f->module),
                     "excerpt", str_or_null(f->excerpt));
}

static json_t *boot_json(const struct rg_boot_record *b)
{
    json_t *ready = json_null();

    /* boot, what the guest reported (name: value, in the contract's order), safe, uptime. */
    if (b->has_ready) {
        ready = json_pack("{s:i}", "boot", b->ready.boot);
        for (size_t i = 0; i < b->ready.nv; i++)
            json_object_set_new(ready, b->ready.v[i].name, str_or_null(b->ready.v[i].value));
        json_object_set_new(ready, "safe", json_boolean(b->ready.safe));
        json_object_set_new(ready, "uptime", json_real(b->ready.uptime));
    }
    return json_pack("{s:i, s:s, s:f, s:o, s:s, s:o, s:o, s:o}", "n", b->n, "phase", b->phase,
                     "start_s", b->start_s, "ready_s", num_or_null(b->ready_s), "outcome",
                     rg_boot_outcome_name(b->outcome), "reboot_cause", str_or_null(b->cause),
                     "ready", ready, "shutdown", str_or_null(b->shutdown));
}

static bool has_string(const json_t *a, const char *s)
{
    const json_t *v;
    size_t i;

    json_array_foreach(a, i, v)
    {
        if (!strcmp(json_string_value(v), s))
            return true;
    }
    return false;
}

static json_t *reasons_json(const struct rg_cell_result *c, const char *prefix)
{
    json_t *a = json_array();

    for (size_t i = 0; i < c->nfindings; i++) {
        const struct rg_finding *f = &c->findings[i];
        char line[600];

        if (f->action != RG_ACTION_BLOCK)
            continue;
        snprintf(line, sizeof(line), "%s%s: %s", prefix, rg_finding_class_name(f->cls),
                 f->title);
        if (!has_string(a, line)) /* a crash on every boot is one reason */
            json_array_append_new(a, json_string(line));
    }
    return a;
}

static json_t *numbers_json(const double *v, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_real(v[i]));
    return a;
}

/* The sequential design's looks at a deciding metric (empty for the others). */
static json_t *looks_json(const struct rg_metric *m)
{
    json_t *a = json_array();

    for (int i = 0; i < m->nlooks; i++) {
        const struct rg_look *l = &m->looks[i];

        json_array_append_new(a, json_pack("{s:i, s:f, s:f, s:f, s:f, s:s}", "pairs", l->pairs,
                                           "shift_pct", l->shift_pct, "ci_low_pct",
                                           l->ci_low_pct, "ci_high_pct", l->ci_high_pct,
                                           "p_value", l->p, "verdict",
                                           rg_metric_verdict_name(l->verdict)));
    }
    return a;
}

static json_t *metric_json(const struct rg_metric *m)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:s}", "name",
                          m->name, "kind", rg_metric_kind_name(m->kind), "workload",
                          m->workload, "clock", m->clock, "unit", m->unit, "decides",
                          m->decides, "baseline", numbers_json(m->base, m->nbase), "candidate",
                          numbers_json(m->cand, m->ncand), "baseline_t",
                          numbers_json(m->tbase, m->nbase), "candidate_t",
                          numbers_json(m->tcand, m->ncand), "verdict",
                          rg_metric_verdict_name(m->verdict));

    if (m->kind == RG_METRIC_PERF && m->tested) {
        json_object_set_new(o, "shift", json_real(m->test.shift));
        json_object_set_new(o, "shift_pct", json_real(m->shift_pct));
        json_object_set_new(o, "ci_low_pct", json_real(m->ci_low_pct));
        json_object_set_new(o, "ci_high_pct", json_real(m->ci_high_pct));
        json_object_set_new(o, "u", json_real(m->test.u));
        json_object_set_new(o, "p_value", json_real(m->test.p));
        json_object_set_new(o, "exact", json_boolean(m->test.exact));
        json_object_set_new(o, "alpha", json_real(m->alpha));
        json_object_set_new(o, "alpha_look", json_real(m->alpha_look));
        json_object_set_new(o, "threshold_pct", json_real(m->threshold_pct));
        json_object_set_new(o, "noise_pct", json_real(m->noise_pct));
        json_object_set_new(o, "shift_sd_pct", json_real(m->shift_sd_pct));
        json_object_set_new(o, "mde_first_pct", json_real(m->mde_first_pct));
        json_object_set_new(o, "mde_pct", json_real(m->mde_pct));
        json_object_set_new(o, "looks", looks_json(m));
    } else if (m->kind == RG_METRIC_MEMORY) {
        json_object_set_new(o, "slope_baseline_per_min", json_real(m->slope_base));
        json_object_set_new(o, "slope_candidate_per_min", json_real(m->slope_cand));
        json_object_set_new(o, "growth", json_real(m->growth));
        json_object_set_new(o, "growth_per_hour", json_real(m->per_hour));
        json_object_set_new(o, "window_s", json_real(m->window_s));
        json_object_set_new(o, "max_growth", json_real(m->max_growth));
    }
    return o;
}

/* The baseline twin a cell's candidate was measured against. */
static json_t *twin_json(const struct rg_cell_result *t)
{
    json_t *boots, *findings;

    if (!t)
        return json_null();
    boots = json_array();
    findings = json_array();
    for (size_t i = 0; i < t->nboots; i++)
        json_array_append_new(boots, boot_json(&t->boots[i]));
    for (size_t i = 0; i < t->nfindings; i++)
        json_array_append_new(findings, finding_json(&t->findings[i]));
    return json_pack("{s:s, s:s, s:o, s:o}", "domain", t->domain, "console_log",
                     t->console_log, "boots", boots, "findings", findings);
}

/* An earlier attempt of a cell that gate.retries ran again: why it did not count. */
static json_t *attempt_json(const struct rg_cell_result *a)
{
    json_t *boots = json_array(), *findings = json_array();

    for (size_t i = 0; i < a->nboots; i++)
        json_array_append_new(boots, boot_json(&a->boots[i]));
    for (size_t i = 0; i < a->nfindings; i++)
        json_array_append_new(findings, finding_json(&a->findings[i]));
    return json_pack("{s:s, s:o, s:o, s:f, s:o, s:o, s:o, s:o}", "verdict",
                     rg_verdict_name(a->verdict), "reasons", reasons_json(a, ""), "started_at",
                     time_json(a->started_at), "duration_s", a->duration_s, "domain",
                     str_or_null(a->domain), "console_log", str_or_null(a->console_log), "boots",
                     boots, "findings", findings);
}

static json_t *cell_json(const struct rg_cell_result *c)
{
    json_t *metrics = json_array();
    json_t *boots = json_array(), *events = json_array(), *findings = json_array(), *rollback;
    json_t *attempts = json_array(), *cell;

    for (size_t i = 0; i < c->nboots; i++)
        json_array_append_new(boots, boot_json(&c->boots[i]));
    for (size_t i = 0; i < c->nevents; i++) {
        const struct rg_event_record *e = &c->events[i];
        json_array_append_new(events, json_pack("{s:f, s:s, s:i, s:o}", "t", e->t, "type",
                                                e->type, "boot", e->boot, "detail",
                                                str_or_null(e->detail)));
    }
    for (size_t i = 0; i < c->nfindings; i++)
        json_array_append_new(findings, finding_json(&c->findings[i]));
    rollback = c->rollback_ran
                   ? json_pack("{s:s, s:s, s:s}", "revert", rg_step_result_name(c->revert),
                               "safe_mode", rg_step_result_name(c->safe_mode), "detail",
                               c->rollback_detail)
                   : json_null();
    for (size_t i = 0; i < c->nmetrics; i++)
        json_array_append_new(metrics, metric_json(&c->metrics[i]));
    for (size_t i = 0; i < c->nattempts; i++)
        json_array_append_new(attempts, attempt_json(&c->attempts[i]));
    cell = json_pack("{s:s, s:s, s:s, s:i, s:i, s:{s:s, s:s, s:s}, s:s, s:o, s:o, s:f, s:o, "
                     "s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "id", c->cell.id, "scenario", c->scenario, "image", c->cell.image,
                     "vcpus", c->cell.vcpus, "memory_mib", c->cell.memory_mib, "image_digests",
                     "kernel", c->digest_kernel, "initrd", c->digest_initrd, "disk",
                     c->digest_disk, "verdict", rg_verdict_name(c->verdict), "reasons",
                     reasons_json(c, ""), "started_at", time_json(c->started_at),
                     "duration_s", c->duration_s, "verdict_s", num_or_null(c->verdict_s),
                     "domain", c->domain, "console_log", c->console_log, "boots", boots,
                     "events", events, "findings", findings, "rollback", rollback, "metrics",
                     metrics, "measure_s", c->twin ? json_real(c->measure_s) : json_null(),
                     "twin", twin_json(c->twin));
    /* gate.retries: the earlier attempts; the fields above are the last attempt's. */
    json_object_set_new(cell, "retries", json_integer((json_int_t)c->nattempts));
    json_object_set_new(cell, "attempts", attempts);
    return cell;
}

static json_t *scenario_json(const struct rg_run_scenario *s)
{
    const struct rg_scenario *sc = s->sc;
    json_t *errors = json_array(), *j, *v;

    for (size_t i = 0; i < s->nvalidator_errors; i++)
        json_array_append_new(errors, json_string(s->validator_errors[i]));
    j = json_pack(
        "{s:s, s:s, s:s, s:o, s:o, s:o, s:{s:b, s:b, s:o}, s:s, "
        "s:{s:s, s:s, s:s, s:s, s:s, s:b}, s:{s:i, s:i, s:i, s:i, s:i}}",
        "name", sc->name, "path", sc->path, "sha256", s->sha256, "description",
        str_or_null(sc->description), "update", pkg_json(&s->update), "baseline",
        pkg_json(&s->baseline), "validator", "ran", s->validator_ran, "ok", s->validator_ok,
        "errors", errors, "verdict", rg_verdict_name(s->verdict), "checks", "crash",
        rg_action_name(sc->checks.crash), "warning", rg_action_name(sc->checks.warning),
        "boot_loop", rg_action_name(sc->checks.boot_loop), "hang",
        rg_action_name(sc->checks.hang), "oom", rg_action_name(sc->checks.oom), "rollback",
        sc->checks.rollback, "boot", "timeout_s", sc->boot.timeout_s, "reboots",
        sc->boot.reboots, "soak_s", sc->boot.soak_s, "probe_s", sc->boot.probe_s,
        "unresponsive_s", sc->boot.unresponsive_s);
    /* Only when the scenario names a validator: reports of runs without one keep their shape. */
    v = json_object_get(j, "validator");
    if (s->validator_command)
        json_object_set_new(v, "command", json_string(s->validator_command));
    if (s->validator_failure)
        json_object_set_new(v, "failure", json_string(s->validator_failure));
    return j;
}

static void shard_pkg(json_t *pkgs, const struct rg_pkg_info *p)
{
    char key[200];

    if (!p->present)
        return;
    snprintf(key, sizeof(key), "%s@%s", p->name, p->version);
    json_object_set_new(pkgs, key, json_string(p->sha256));
}

/* --shard: the whole plan, this shard's part, and the digests shards must share to be merged
 * (the same scenarios, packages and harness version on every host). */
static json_t *shard_json(const struct rg_run *run)
{
    json_t *planned = json_array(), *mine = json_array(), *scen = json_object(),
           *pkgs = json_object();

    for (size_t i = 0; i < run->nplanned; i++) {
        json_array_append_new(planned, json_string(run->planned[i]));
        if (run->planned_shard[i] == (size_t)run->shard_index)
            json_array_append_new(mine, json_string(run->planned[i]));
    }
    for (size_t i = 0; i < run->nscenarios; i++) {
        const struct rg_run_scenario *s = &run->scenarios[i];

        json_object_set_new(scen, s->sc->name, json_string(s->sha256));
        shard_pkg(pkgs, &s->update);
        shard_pkg(pkgs, &s->baseline);
    }
    return json_pack("{s:i, s:i, s:o, s:o, s:{s:o, s:o, s:s}}", "index", run->shard_index,
                     "count", run->shard_count, "planned", planned, "this_shard", mine,
                     "digests", "scenarios", scen, "packages", pkgs, "ringgate_version",
                     RG_VERSION);
}

static json_t *run_json(const struct rg_run *run)
{
    json_t *scenarios = json_array(), *cells = json_array(), *reasons = json_array(), *root;

    for (size_t i = 0; i < run->nscenarios; i++) {
        const struct rg_run_scenario *s = &run->scenarios[i];
        json_array_append_new(scenarios, scenario_json(s));
        if (s->validator_ran && !s->validator_ok) {
            char line[300];
            snprintf(line, sizeof(line), "%s: content-rejected: the content validator refused "
                                         "the update",
                     s->sc->name);
            json_array_append_new(reasons, json_string(line));
        }
    }
    for (size_t i = 0; i < run->ncells; i++) {
        const struct rg_cell_result *c = &run->cells[i];
        char prefix[200];
        json_t *r;

        json_array_append_new(cells, cell_json(c));
        snprintf(prefix, sizeof(prefix), "%s/%s: ", c->scenario, c->cell.id);
        r = reasons_json(c, prefix);
        json_array_extend(reasons, r);
        json_decref(r);
    }
    root = json_pack("{s:s, s:s, s:s, s:o, s:o, s:f, s:s, s:i, s:o, "
                     "s:{s:s, s:s, s:s, s:s, s:s, s:s, s:i}, s:{s:i, s:b, s:b, s:b}}",
                     "schema", "ringgate.report/v1", "run_id", run->run_id,
                     "ringgate_version", RG_VERSION, "started_at", time_json(run->started_at),
                     "finished_at", time_json(run->finished_at), "duration_s",
                     run->finished_at > 0 ? run->finished_at - run->started_at : 0.0,
                     "verdict", rg_verdict_name(run->verdict), "exit_code", run->exit_code,
                     "reasons", reasons, "host", "hostname", run->hostname, "uri",
                     run->host.uri, "libvirt_version", run->host.libvirt_version,
                     "qemu_version", run->host.hv_version, "accelerator", run->accel,
                     "accelerator_reason", run->accel_reason, "cores",
                     (int)sysconf(_SC_NPROCESSORS_ONLN), "options", "jobs", run->jobs,
                     "fail_fast", run->fail_fast, "boot_anyway", run->boot_anyway, "keep",
                     run->keep);
    if (run->nscenarios) {
        const struct rg_run_scenario *s = &run->scenarios[0];
        json_object_set_new(root, "scenario",
                            json_pack("{s:s, s:s, s:s}", "name", s->sc->name, "path",
                                      s->sc->path, "sha256", s->sha256));
        json_object_set_new(root, "update", pkg_json(&s->update));
    }
    json_object_set_new(json_object_get(root, "options"), "aa", json_boolean(run->aa));
    json_object_set_new(json_object_get(root, "options"), "retries", json_integer(run->retries));
    json_object_set_new(root, "aa",
                        run->aa ? json_pack("{s:i, s:i, s:i, s:i, s:i}", "comparisons",
                                            run->aa_comparisons, "false_positives",
                                            run->aa_false_positives, "false_blocks",
                                            run->aa_false_blocks, "inconclusive",
                                            run->aa_inconclusive, "noisy", run->aa_noisy)
                                : json_null());
    json_object_set_new(root, "scenarios", scenarios);
    json_object_set_new(root, "cells", cells);
    json_object_set_new(root, "findings", rg_report_dedup_findings(cells));
    if (run->shard_count > 0)
        json_object_set_new(root, "shard", shard_json(run));
    return root;
}

int rg_report_write_json(const struct rg_run *run, const char *path, struct rg_error *err)
{
    char tmp[4200];
    json_t *root = run_json(run);
    int rc = -1;

    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (!root) {
        rg_error_set(err, path, 0, 0, "cannot build the report");
        goto out;
    }
    if (json_dump_file(root, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0) {
        rg_error_set(err, tmp, 0, 0, "cannot write the report: %s", strerror(errno));
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path) < 0) {
        rg_error_set(err, path, 0, 0, "cannot move the report into place: %s",
                     strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    json_decref(root);
    return rc;
}
