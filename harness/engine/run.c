/* A run: verify every package before any VM boots, then run the cells, combine the verdicts. */
#include "engine/run.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/catalog.h"
#include "model/shard.h"
#include "package/package.h"
#include "package/validator.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/ringgate.h"

static atomic_bool *volatile g_interrupted;

void rg_run_interrupt(void)
{
    atomic_bool *flag = g_interrupted;

    if (flag)
        atomic_store(flag, true);
}

/* ---- Inputs ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder argument stands for the scenarios (*.yaml) in it, in name order. */
static int expand_paths(char *const *paths, size_t n, char ***out, size_t *nout,
                        struct rg_errors *errs)
{
    char **list = NULL;
    size_t len = 0;

    for (size_t i = 0; i < n; i++) {
        struct stat st;
        DIR *d;
        struct dirent *de;
        size_t start = len;

        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode) && (d = opendir(paths[i]))) {
            while ((de = readdir(d))) {
                size_t l = strlen(de->d_name);
                if (l < 6 || strcmp(de->d_name + l - 5, ".yaml") != 0)
                    continue;
                list = realloc(list, (len + 1) * sizeof(*list));
                if (asprintf(&list[len++], "%s/%s", paths[i], de->d_name) < 0)
                    abort();
            }
            closedir(d);
            qsort(list + start, len - start, sizeof(*list), cmp_str);
            if (len == start)
                rg_errors_add(errs, paths[i], 0, 0, "the folder holds no scenario (*.yaml)");
            continue;
        }
        list = realloc(list, (len + 1) * sizeof(*list));
        list[len++] = strdup(paths[i]);
    }
    *out = list;
    *nout = len;
    return errs->n ? -1 : 0;
}

static void pkg_info_fill(struct rg_pkg_info *info, const struct rg_package *p)
{
    info->present = true;
    snprintf(info->name, sizeof(info->name), "%s", p->name);
    snprintf(info->kind, sizeof(info->kind), "%s", p->kind);
    snprintf(info->version, sizeof(info->version), "%s", p->version);
    snprintf(info->sha256, sizeof(info->sha256), "%s", p->sha256);
    snprintf(info->signer, sizeof(info->signer), "%s", p->key_id);
    info->path = strdup(p->path);
}

/* Opens and verifies one package against the scenario's trusted keys. */
static struct rg_package *verify_one(const struct rg_scenario *sc, const char *path,
                                     const struct rg_pkg_ref *ref, struct rg_errors *errs)
{
    struct rg_package *pkg = NULL;
    struct rg_error e = {0};

    if (rg_package_open(path, &pkg, &e) < 0 ||
        rg_package_verify(pkg, (const char *const *)sc->trust_keys, sc->ntrust_keys, &e) < 0) {
        /* Point at the scenario line that named the package, keep the package's own words. */
        rg_errors_add(errs, sc->path, ref->line, ref->col, "package '%s' refused: %s%s%s",
                      path, e.file[0] && strcmp(e.file, path) ? e.file : "",
                      e.file[0] && strcmp(e.file, path) ? ": " : "", e.msg);
        rg_package_free(pkg);
        return NULL;
    }
    return pkg;
}

/* The scenario's content validator runs on the host before any boot: a rejection is a
 * finding, a validator that cannot judge leaves the scenario inconclusive. */
static void validate_content(struct rg_run_scenario *rs, const struct rg_package *pkg)
{
    const struct rg_validator_spec *v = &rs->sc->validator;
    struct rg_validator_result res;
    struct rg_error e = {0};

    if (!v->argv)
        return;
    rs->validator_ran = true;
    rs->validator_command = rg_validator_command_text((const char *const *)v->argv);
    if (rg_validator_run(pkg, (const char *const *)v->argv, v->timeout_s, &res, &e) < 0) {
        /* No verdict: ran stays false, the cells say why (an infrastructure finding). */
        rs->validator_ran = false;
        rs->validator_failure = strdup(e.msg);
        return;
    }
    rs->validator_ok = res.accepted;
    if (!res.accepted) {
        rs->validator_errors = calloc(res.nlines + 2, sizeof(char *));
        for (size_t j = 0; j < res.nlines; j++)
            rs->validator_errors[rs->nvalidator_errors++] = strdup(res.lines[j]);
        if (res.nlines == 0)
            rs->validator_errors[rs->nvalidator_errors++] =
                strdup("(the validator rejected the update without a word)");
        if (res.truncated)
            rs->validator_errors[rs->nvalidator_errors++] =
                strdup("(the validator's output was cut at 64 KiB)");
    }
    rg_validator_result_free(&res);
}

static int prepare_scenario(struct rg_run_scenario *rs, const struct rg_run_opts *opts,
                            struct rg_errors *errs)
{
    const struct rg_scenario *sc = rs->sc;
    const char *upath = opts->update_override ? opts->update_override : sc->update.package;
    struct rg_package *upd, *base = NULL;
    struct rg_error e;
    int rc = -1;

    if (rg_sha256_file(sc->path, rs->sha256, &e) < 0)
        return rg_errors_add(errs, sc->path, 0, 0, "%s", e.msg);
    if (opts->aa && !sc->checks.performance.enabled && !sc->checks.memory.enabled)
        return rg_errors_add(errs, sc->path, 0, 0,
                             "--aa measures the baseline against itself: the scenario needs "
                             "'checks.performance' or 'checks.memory'");
    upd = verify_one(sc, upath, &sc->update, errs);
    if (sc->baseline.package)
        base = verify_one(sc, sc->baseline.package, &sc->baseline, errs);
    if (!upd || (sc->baseline.package && !base))
        goto out;
    if (base && rg_package_check_version(upd, base, sc->update.allow_downgrade, &e) < 0) {
        rg_errors_add(errs, sc->path, sc->update.line, sc->update.col, "%s", e.msg);
        goto out;
    }
    pkg_info_fill(&rs->update, upd);
    if (base)
        pkg_info_fill(&rs->baseline, base);
    validate_content(rs, upd);
    rc = 0;
out:
    rg_package_free(upd);
    rg_package_free(base);
    return rc;
}

/* ---- Cells ---- */

struct job {
    struct rg_run *run;
    struct rg_run_scenario *rs;
    const struct rg_cell *cell;
    struct rg_cell_result *res;
    const struct rg_image *image; /* NULL: not bootable, res already says why */
    char console_rel[512];
};

struct pool {
    struct rg_run *run;
    const struct rg_run_opts *opts;
    const struct rg_hv_ops *ops;
    struct rg_hv *hv;
    struct rg_runstate *state;
    const char *state_dir;
    enum rg_accel accel;
    struct job *jobs;
    size_t njobs;
    atomic_size_t next;
    pthread_mutex_t progress_mu;
};

static void pool_progress(void *opaque, const struct rg_cell_result *res, const char *state,
                          const char *detail)
{
    struct pool *p = opaque;

    if (!p->opts->progress)
        return;
    pthread_mutex_lock(&p->progress_mu);
    p->opts->progress(p->opts->opaque, res, state, detail);
    pthread_mutex_unlock(&p->progress_mu);
}

static void pool_blocked(void *opaque, const struct rg_cell_result *res)
{
    struct pool *p = opaque;

    (void)res;
    if (p->run->fail_fast)
        atomic_store(&p->run->halt_others, true);
}

/* A cell that cannot boot at all gets its verdict without a VM. */
static void job_settle(struct job *j, enum rg_verdict v, enum rg_finding_class cls,
                       enum rg_action action, const char *title, const char *excerpt)
{
    struct rg_cell_result *r = j->res;

    memset(r, 0, sizeof(*r));
    r->cell = *j->cell;
    snprintf(r->scenario, sizeof(r->scenario), "%s", j->rs->sc->name);
    snprintf(r->console_log, sizeof(r->console_log), "%s", j->console_rel);
    r->started_at = rg_wall_now();
    r->verdict = v;
    r->verdict_s = v == RG_VERDICT_BLOCK ? 0 : -1;
    if (title) {
        r->findings = calloc(1, sizeof(*r->findings));
        r->findings[0].cls = cls;
        r->findings[0].action = action;
        r->findings[0].t = -1;
        snprintf(r->findings[0].title, sizeof(r->findings[0].title), "%s", title);
        r->findings[0].excerpt = excerpt ? strdup(excerpt) : NULL;
        r->nfindings = 1;
    }
}

/* "cells/s/id/console.log" becomes "cells/s/id/console.attempt1.log" for attempt 1, on disk
 * and in rel; rel is emptied when the log cannot be kept (the next attempt writes its own). */
static void attempt_log_keep(const char *run_dir, char *rel, size_t size, size_t attempt)
{
    char from[8192], to[8192], kept[1024];
    const char *slash = strrchr(rel, '/'), *dot = strrchr(slash ? slash : rel, '.');
    int stem = (int)(dot ? (size_t)(dot - rel) : strlen(rel));

    if (!rel[0])
        return;
    snprintf(kept, sizeof(kept), "%.*s.attempt%zu%s", stem, rel, attempt, dot ? dot : "");
    snprintf(from, sizeof(from), "%s/%s", run_dir, rel);
    snprintf(to, sizeof(to), "%s/%s", run_dir, kept);
    if (rename(from, to) < 0 || strlen(kept) >= size)
        rel[0] = '\0';
    else
        snprintf(rel, size, "%s", kept);
}

/* gate.retries: the cell ended inconclusive because the host failed. Its attempt is kept
 * (console logs under their own names) and nothing of it stays behind: its domains are gone
 * (rg_cell_run destroys them, a failed start included), its overlays are removed here.
 * Returns false when the cell must not run again. */
static bool attempt_again(struct pool *p, struct job *j, const struct rg_cell_env *env,
                          struct rg_cell_result **kept, size_t *nkept)
{
    struct rg_cell_result *r = j->res;
    const char *why = "infra";
    char detail[512];

    if ((int)*nkept >= p->run->retries || !rg_cell_retryable(r) ||
        atomic_load(&p->run->interrupted) || atomic_load(&p->run->halt_others))
        return false;
    rg_cell_discard(env);
    attempt_log_keep(p->run->dir, r->console_log, sizeof(r->console_log), *nkept + 1);
    if (r->twin)
        attempt_log_keep(p->run->dir, r->twin->console_log, sizeof(r->twin->console_log),
                         *nkept + 1);
    for (size_t i = r->nfindings; i-- > 0;)
        if (r->findings[i].action == RG_ACTION_BLOCK)
            why = r->findings[i].title;
    snprintf(detail, sizeof(detail), "attempt %zu of %d inconclusive (%s): running it again",
             *nkept + 1, p->run->retries + 1, why);
    pool_progress(p, r, "retry", detail);
    *kept = realloc(*kept, (*nkept + 1) * sizeof(**kept));
    if (!*kept)
        abort();
    (*kept)[(*nkept)++] = *r;
    memset(r, 0, sizeof(*r));
    return true;
}

static void *pool_worker(void *arg)
{
    struct pool *p = arg;
    size_t i;

    while ((i = atomic_fetch_add(&p->next, 1)) < p->njobs) {
        struct job *j = &p->jobs[i];
        struct rg_cell_env env = {0};

        if (!j->image)
            continue;
        if (atomic_load(&p->run->interrupted) || atomic_load(&p->run->halt_others)) {
            job_settle(j, RG_VERDICT_ABORTED, RG_FINDING_INFRA, RG_ACTION_IGNORE, NULL, NULL);
            continue;
        }
        env.ops = p->ops;
        env.hv = p->hv;
        env.sc = j->rs->sc;
        env.cell = j->cell;
        env.image = j->image;
        env.update_path = j->rs->update.path;
        env.update_kind = j->rs->update.kind;
        env.update_version = j->rs->update.version;
        env.baseline_kind = j->rs->baseline.present ? j->rs->baseline.kind : NULL;
        env.baseline_version = j->rs->baseline.present ? j->rs->baseline.version : NULL;
        env.run_id = p->run->run_id;
        env.work_dir = p->state->dir;
        env.run_dir = p->run->dir;
        env.console_rel = j->console_rel;
        env.accel = p->accel;
        env.keep = p->opts->keep;
        env.aa = p->opts->aa;
        env.stop_after_boot = p->opts->stop_after_boot;
        env.uri = p->run->host.uri;
        env.interrupted = &p->run->interrupted;
        env.halt_others = &p->run->halt_others;
        env.progress = pool_progress;
        env.blocked = pool_blocked;
        env.opaque = p;
        {
            struct rg_cell_result *kept = NULL;
            size_t nkept = 0;

            do
                rg_cell_run(&env, j->res);
            while (attempt_again(p, j, &env, &kept, &nkept));
            j->res->attempts = kept;
            j->res->nattempts = nkept;
        }
    }
    return NULL;
}

static bool image_built(const struct rg_image *img, char *missing, size_t size)
{
    const char *files[] = {img->kernel, img->initrd, img->disk};

    for (size_t i = 0; i < 3; i++)
        if (access(files[i], R_OK) != 0) {
            snprintf(missing, size, "%s", files[i]);
            return false;
        }
    return true;
}

/* Picks KVM only where it really works; TCG otherwise. */
static enum rg_accel choose_accel(struct rg_run *run, const struct rg_run_opts *opts)
{
    if (opts->accel == RG_ACCEL_TCG) {
        snprintf(run->accel, sizeof(run->accel), "tcg");
        snprintf(run->accel_reason, sizeof(run->accel_reason), "--accel tcg");
        return RG_ACCEL_TCG;
    }
    if (opts->accel == RG_ACCEL_KVM) {
        snprintf(run->accel, sizeof(run->accel), "kvm");
        snprintf(run->accel_reason, sizeof(run->accel_reason), "--accel kvm");
        return RG_ACCEL_KVM;
    }
    if (run->host.kvm_usable) {
        snprintf(run->accel, sizeof(run->accel), "kvm");
        snprintf(run->accel_reason, sizeof(run->accel_reason),
                 "CPU virtualisation flags and libvirt domain capabilities allow KVM");
        return RG_ACCEL_KVM;
    }
    snprintf(run->accel, sizeof(run->accel), "tcg");
    snprintf(run->accel_reason, sizeof(run->accel_reason), "%s",
             run->host.kvm_reason[0] ? run->host.kvm_reason : "KVM not usable");
    return RG_ACCEL_TCG;
}

static void combine_verdicts(struct rg_run *run)
{
    struct rg_verdict_tally all = {0};

    for (size_t s = 0; s < run->nscenarios; s++) {
        struct rg_run_scenario *rs = &run->scenarios[s];
        struct rg_verdict_tally t = {.block = rs->validator_ran && !rs->validator_ok};

        for (size_t i = rs->first_cell; i < rs->first_cell + rs->ncells; i++)
            rg_verdict_tally_add(&t, run->cells[i].verdict);
        rs->verdict = rg_verdict_tally_result(&t);
        rg_verdict_tally_add(&all, rs->verdict);
    }
    run->verdict = rg_verdict_tally_result(&all);
    run->exit_code = rg_verdict_exit_code(run->verdict);
}

/* reproduce: one cell of the expanded matrices, named "id" or "scenario/id". */
static void keep_only_cell(struct rg_run *run, const char *want, struct rg_errors *errs)
{
    size_t found = 0;
    struct rg_buf ids = RG_BUF_INIT;

    for (size_t s = 0; s < run->nscenarios; s++) {
        struct rg_scenario *sc = run->scenarios[s].sc;
        size_t kept = 0;

        for (size_t i = 0; i < sc->ncells; i++) {
            char full[256];

            snprintf(full, sizeof(full), "%s/%s", sc->name, sc->cells[i].id);
            rg_buf_printf(&ids, "%s%s", ids.len ? ", " : "", full);
            if (strcmp(want, sc->cells[i].id) == 0 || strcmp(want, full) == 0) {
                struct rg_cell tmp = sc->cells[kept];
                sc->cells[kept++] = sc->cells[i];
                sc->cells[i] = tmp;
            }
        }
        sc->ncells = kept;
        found += kept;
    }
    if (found == 0)
        rg_errors_add(errs, NULL, 0, 0, "no cell '%s' in this run; its cells: %s", want,
                      rg_buf_str(&ids));
    else if (found > 1)
        rg_errors_add(errs, NULL, 0, 0, "cell '%s' is in several scenarios: name it as "
                                        "scenario/id (%s)", want, rg_buf_str(&ids));
    rg_buf_free(&ids);
}

/* --shard I/N: records the whole plan and its split, then keeps this shard's cells only (the
 * others are not booted, not even planned as jobs). */
static void keep_shard(struct rg_run *run, int index, int count, struct rg_errors *errs)
{
    const struct rg_scenario **scs = calloc(run->nscenarios + 1, sizeof(*scs));
    struct rg_shard_split sp;
    size_t k = 0;

    if (!scs)
        abort();
    for (size_t s = 0; s < run->nscenarios; s++)
        scs[s] = run->scenarios[s].sc;
    run->shard_index = index;
    run->shard_count = count;
    if (rg_shard_split(scs, run->nscenarios, (size_t)count, &sp) < 0) {
        rg_errors_add(errs, NULL, 0, 0, "--shard: out of memory");
        rg_shard_split_free(&sp);
        free(scs);
        return;
    }
    free(scs);
    /* The report keeps the whole plan and its split. */
    run->planned = sp.keys;
    run->planned_shard = sp.shard_of;
    run->nplanned = sp.n;
    free(sp.load);
    for (size_t s = 0; s < run->nscenarios; s++) {
        struct rg_scenario *sc = run->scenarios[s].sc;
        size_t kept = 0;

        for (size_t i = 0; i < sc->ncells; i++, k++)
            if (run->planned_shard[k] == (size_t)index)
                sc->cells[kept++] = sc->cells[i];
        sc->ncells = kept;
    }
}

/* A/A: every deciding metric that came out significant is a false positive. */
static void count_aa(struct rg_run *run)
{
    if (!run->aa)
        return;
    for (size_t i = 0; i < run->ncells; i++)
        for (size_t k = 0; k < run->cells[i].nmetrics; k++) {
            const struct rg_metric *m = &run->cells[i].metrics[k];

            if (!m->decides)
                continue;
            run->aa_comparisons++;
            run->aa_false_positives += m->verdict == RG_METRIC_REGRESSION ||
                                       m->verdict == RG_METRIC_BELOW_THRESHOLD;
            run->aa_false_blocks += m->verdict == RG_METRIC_REGRESSION;
            run->aa_inconclusive += m->verdict == RG_METRIC_INCONCLUSIVE;
            run->aa_noisy += rg_metric_threshold_unresolved(m);
        }
}

/* Builds one job per cell; cells that cannot boot are settled here. */
static int plan_jobs(struct rg_run *run, struct pool *p, struct rg_catalog **cats,
                     struct rg_errors *errs)
{
    size_t total = 0, k = 0;

    for (size_t s = 0; s < run->nscenarios; s++)
        total += run->scenarios[s].sc->ncells;
    run->cells = calloc(total + 1, sizeof(*run->cells));
    p->jobs = calloc(total + 1, sizeof(*p->jobs));
    run->ncells = p->njobs = total;
    for (size_t s = 0; s < run->nscenarios; s++) {
        struct rg_run_scenario *rs = &run->scenarios[s];
        struct rg_error e;
        char dir[8192];

        if (rg_catalog_load(rs->sc->catalog, &cats[s], &e) < 0) {
            rg_errors_push(errs, &e);
            return -1;
        }
        rs->first_cell = k;
        rs->ncells = rs->sc->ncells;
        for (size_t i = 0; i < rs->sc->ncells; i++, k++) {
            struct job *j = &p->jobs[k];
            char missing[4096];

            j->run = run;
            j->rs = rs;
            j->cell = &rs->sc->cells[i];
            j->res = &run->cells[k];
            snprintf(j->console_rel, sizeof(j->console_rel), "cells/%s/%s/console.log",
                     rs->sc->name, j->cell->id);
            snprintf(dir, sizeof(dir), "%s/cells/%s/%s", run->dir, rs->sc->name, j->cell->id);
            if (rg_mkdir_p(dir) < 0)
                return rg_errors_add(errs, dir, 0, 0, "cannot create: %s", strerror(errno));
            j->image = rg_catalog_find(cats[s], j->cell->image);
            if (rs->validator_failure) {
                j->image = NULL;
                job_settle(j, RG_VERDICT_INCONCLUSIVE, RG_FINDING_INFRA, RG_ACTION_BLOCK,
                           "the content validator could not judge the update (not booted)",
                           rs->validator_failure);
            } else if (rs->validator_ran && !rs->validator_ok && !run->boot_anyway) {
                j->image = NULL;
                job_settle(j, RG_VERDICT_BLOCK, RG_FINDING_CONTENT_REJECTED, RG_ACTION_BLOCK,
                           "the content validator refused the update (not booted; "
                           "--boot-anyway boots it)",
                           rs->validator_errors ? rs->validator_errors[0] : NULL);
            } else if (!j->image || !image_built(j->image, missing, sizeof(missing))) {
                char title[300];
                snprintf(title, sizeof(title), "image '%s' is not available: %s",
                         j->cell->image, j->image ? "not built" : "not in the catalogue");
                j->image = NULL;
                job_settle(j, RG_VERDICT_INCONCLUSIVE, RG_FINDING_INFRA, RG_ACTION_BLOCK,
                           title, missing);
            } else if (rs->validator_ran && !rs->validator_ok) {
                /* --boot-anyway: boot, and record the validator's refusal too. */
            }
        }
    }
    return 0;
}

static void add_validator_findings(struct rg_run *run)
{
    /* With --boot-anyway the cells booted; the report must still show the refusal. */
    for (size_t s = 0; s < run->nscenarios; s++) {
        struct rg_run_scenario *rs = &run->scenarios[s];

        if (!rs->validator_ran || rs->validator_ok || !run->boot_anyway)
            continue;
        for (size_t i = rs->first_cell; i < rs->first_cell + rs->ncells; i++) {
            struct rg_cell_result *r = &run->cells[i];
            struct rg_finding *f;

            r->findings = realloc(r->findings, (r->nfindings + 1) * sizeof(*r->findings));
            f = &r->findings[r->nfindings++];
            memset(f, 0, sizeof(*f));
            f->cls = RG_FINDING_CONTENT_REJECTED;
            f->action = RG_ACTION_BLOCK;
            f->t = -1;
            snprintf(f->title, sizeof(f->title), "the content validator refused the update");
            f->excerpt = rs->validator_errors ? strdup(rs->validator_errors[0]) : NULL;
            if (r->verdict == RG_VERDICT_PASS)
                r->verdict = RG_VERDICT_BLOCK;
        }
    }
}

static int run_cells(struct rg_run *run, const struct rg_run_opts *opts, struct pool *p,
                     struct rg_runstate *state)
{
    pthread_t *threads;
    size_t nthreads = (size_t)run->jobs;
    struct rg_error e;
    char uri[4200];

    if (opts->connect_uri)
        snprintf(uri, sizeof(uri), "%s", opts->connect_uri);
    else if (rg_hv_default_uri(uri, sizeof(uri), &e) < 0)
        return -1;
    p->ops = opts->ops ? opts->ops : &rg_hv_libvirt;
    if (p->ops->connect(uri, &p->hv, &e) < 0 || p->ops->info(p->hv, &run->host, &e) < 0) {
        /* Infrastructure: every cell that would boot is inconclusive. */
        for (size_t i = 0; i < p->njobs; i++)
            if (p->jobs[i].image)
                job_settle(&p->jobs[i], RG_VERDICT_INCONCLUSIVE, RG_FINDING_INFRA,
                           RG_ACTION_BLOCK, "cannot reach the hypervisor", e.msg);
        snprintf(run->host.uri, sizeof(run->host.uri), "%s", uri);
        if (p->hv)
            p->ops->disconnect(p->hv);
        p->hv = NULL;
        return 0;
    }
    {
        /* What a killed run left behind goes first (its lock is free; ours is held). */
        struct rg_gc_stats gs;
        rg_runstate_gc(p->state_dir, p->ops, p->hv, &gs, &e);
    }
    p->accel = choose_accel(run, opts);
    p->state = state;
    if (nthreads > p->njobs)
        nthreads = p->njobs ? p->njobs : 1;
    threads = calloc(nthreads, sizeof(*threads));
    for (size_t i = 0; i < nthreads; i++)
        pthread_create(&threads[i], NULL, pool_worker, p);
    for (size_t i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    p->ops->disconnect(p->hv);
    p->hv = NULL;
    return 0;
}

int rg_run_execute(char *const *scenario_paths, size_t n, const struct rg_run_opts *opts,
                   struct rg_run **out, struct rg_errors *errs)
{
    const struct rg_scenario_opts sopts = {.check_files = true};
    struct rg_run *run = calloc(1, sizeof(*run));
    struct pool pool = {.run = run, .opts = opts};
    struct rg_catalog **cats = NULL;
    struct rg_runstate state = {.lock_fd = -1};
    char **paths = NULL, state_dir[4096];
    size_t npaths = 0, ncats = 0;
    struct rg_error e;
    int rc = RG_EXIT_USAGE;

    *out = NULL;
    run->started_at = rg_wall_now();
    gethostname(run->hostname, sizeof(run->hostname) - 1);
    if (expand_paths(scenario_paths, n, &paths, &npaths, errs) < 0)
        goto out;
    run->scenarios = calloc(npaths + 1, sizeof(*run->scenarios));
    for (size_t i = 0; i < npaths; i++) {
        struct rg_run_scenario *rs = &run->scenarios[run->nscenarios];
        if (rg_scenario_load(paths[i], &sopts, &rs->sc, errs) == 0)
            run->nscenarios++;
    }
    if (errs->n)
        goto out;
    for (size_t i = 0; i < run->nscenarios; i++)
        prepare_scenario(&run->scenarios[i], opts, errs);
    if (opts->only_cell)
        keep_only_cell(run, opts->only_cell, errs);
    if (opts->shard_count > 0)
        keep_shard(run, opts->shard_index, opts->shard_count, errs);
    if (opts->attest_key) {
        /* A key that cannot sign must fail now, not after the boots. */
        unsigned char sig[RG_SIG_BYTES];
        if (rg_sign(opts->attest_key, "ringgate", 8, sig, NULL, &e) < 0)
            rg_errors_push(errs, &e);
    }
    if (errs->n)
        goto out; /* refused packages: nothing boots, nothing is written */

    run->jobs = rg_scenario_jobs(run->scenarios[0].sc, opts->jobs);
    run->fail_fast = opts->fail_fast >= 0 ? opts->fail_fast != 0
                                          : run->scenarios[0].sc->gate.fail_fast;
    run->retries = run->scenarios[0].sc->gate.retries;
    run->boot_anyway = opts->boot_anyway;
    run->aa = opts->aa;
    run->keep = opts->keep;
    rg_run_id_new(run->run_id);
    snprintf(run->dir, sizeof(run->dir), "%s/%s", opts->out_dir ? opts->out_dir : "reports",
             run->run_id);
    if (rg_mkdir_p(run->dir) < 0) {
        rg_errors_add(errs, run->dir, 0, 0, "cannot create the report folder: %s",
                      strerror(errno));
        goto out;
    }
    ncats = run->nscenarios;
    cats = calloc(ncats + 1, sizeof(*cats));
    if (plan_jobs(run, &pool, cats, errs) < 0)
        goto out_remove;
    if (rg_state_dir(state_dir, sizeof(state_dir), &e) < 0 ||
        rg_runstate_create(state_dir, run->run_id, &state, &e) < 0) {
        rg_errors_push(errs, &e);
        goto out_remove;
    }
    pool.state_dir = state_dir;
    pthread_mutex_init(&pool.progress_mu, NULL);
    g_interrupted = &run->interrupted;
    run_cells(run, opts, &pool, &state);
    g_interrupted = NULL;
    pthread_mutex_destroy(&pool.progress_mu);
    rg_runstate_remove(&state);
    add_validator_findings(run);
    if (atomic_load(&run->interrupted))
        for (size_t i = 0; i < run->ncells; i++)
            if (run->cells[i].verdict == RG_VERDICT_PASS && !run->cells[i].nboots &&
                !run->cells[i].nfindings)
                run->cells[i].verdict = RG_VERDICT_ABORTED;
    combine_verdicts(run);
    count_aa(run);
    run->finished_at = rg_wall_now();
    rc = run->exit_code;
    *out = run;
    run = NULL;
    goto out;
out_remove:
    rg_remove_tree(run->dir);
out:
    for (size_t i = 0; cats && i < ncats; i++)
        rg_catalog_free(cats[i]);
    free(cats);
    free(pool.jobs);
    for (size_t i = 0; i < npaths; i++)
        free(paths[i]);
    free(paths);
    rg_run_free(run);
    return rc;
}

void rg_run_free(struct rg_run *run)
{
    if (!run)
        return;
    for (size_t i = 0; i < run->nscenarios; i++) {
        struct rg_run_scenario *rs = &run->scenarios[i];
        rg_scenario_free(rs->sc);
        free(rs->update.path);
        free(rs->baseline.path);
        for (size_t j = 0; j < rs->nvalidator_errors; j++)
            free(rs->validator_errors[j]);
        free(rs->validator_errors);
        free(rs->validator_command);
        free(rs->validator_failure);
    }
    free(run->scenarios);
    for (size_t i = 0; i < run->ncells; i++)
        rg_cell_result_free(&run->cells[i]);
    free(run->cells);
    for (size_t i = 0; i < run->nplanned; i++)
        free(run->planned[i]);
    free(run->planned);
    free(run->planned_shard);
    free(run);
}
