/* Merging shards into one run's report: refuse shards of different plans, recombine the
 * verdict over the whole plan, and never let a lost shard read as a pass. */
#include "report/merge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/runstate.h"
#include "model/vocab.h"
#include "report/attest.h"
#include "report/publish.h"
#include "report/report.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/ringgate.h"

#define SHARDS_MAX 4096
#define REPORT_MAX ((size_t)1 << 30) /* a shard's report.json, copied */

struct shard {
    const char *dir;
    size_t pos; /* its place among the RUN_DIRs given */
    json_t *report;
    const json_t *sh; /* report["shard"] */
};

struct merge {
    struct shard *shards;
    size_t n;
    const struct shard *ref; /* the first shard read: the others must agree with it */
    json_t *planned;         /* ref's shard.planned */
    json_t *chosen;          /* "scenario/id" -> position of the shard whose cell is kept */
    json_t *cells, *missing, *duplicated, *lost;
    struct rg_errors *errs;
};

/* A value for a message: compact JSON, at most 80 characters. */
static void show(const json_t *v, char *out, size_t size)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

    snprintf(out, size, "%.80s%s", s ? s : "absent", s && strlen(s) > 80 ? "..." : "");
    free(s);
}

/* 0 when b's value of field equals the reference's; else an error naming both reports, the
 * field and, for objects, the first key that differs. */
static int must_match(struct merge *m, const struct shard *b, const char *field, const json_t *va,
                      const json_t *vb)
{
    char sa[100], sb[100], name[300];
    const char *key;
    json_t *v;

    if (va && vb && json_equal(va, vb))
        return 0;
    snprintf(name, sizeof(name), "%s", field);
    if (json_is_object(va) && json_is_object(vb)) {
        json_object_foreach((json_t *)va, key, v) if (!json_equal(v, json_object_get(vb, key)))
        {
            snprintf(name, sizeof(name), "%s[\"%.200s\"]", field, key);
            va = v;
            vb = json_object_get(vb, key);
            goto named;
        }
        json_object_foreach((json_t *)vb, key, v) if (!json_object_get(va, key))
        {
            snprintf(name, sizeof(name), "%s[\"%.200s\"]", field, key);
            va = NULL;
            vb = v;
            goto named;
        }
    }
named:
    show(va, sa, sizeof(sa));
    show(vb, sb, sizeof(sb));
    rg_errors_add(m->errs, b->dir, 0, 0,
                  "report.json: %s is %s where %s/report.json has %s: not shards of the same "
                  "plan, they cannot be merged",
                  name, sb, m->ref->dir, sa);
    return -1;
}

static const json_t *at(const json_t *o, const char *a, const char *b)
{
    return json_object_get(json_object_get(o, a), b);
}

/* Everything that must be the same for two reports to be parts of one run. */
static int check_shard(struct merge *m, const struct shard *s)
{
    const json_t *r = m->ref->report, *rs = m->ref->sh;
    int bad = 0;

    bad |= must_match(m, s, "shard.count", json_object_get(rs, "count"),
                      json_object_get(s->sh, "count"));
    bad |= must_match(m, s, "ringgate_version", json_object_get(r, "ringgate_version"),
                      json_object_get(s->report, "ringgate_version"));
    bad |= must_match(m, s, "shard.digests.scenarios", at(rs, "digests", "scenarios"),
                      at(s->sh, "digests", "scenarios"));
    bad |= must_match(m, s, "shard.digests.packages", at(rs, "digests", "packages"),
                      at(s->sh, "digests", "packages"));
    bad |= must_match(m, s, "options.aa", at(r, "options", "aa"), at(s->report, "options", "aa"));
    bad |= must_match(m, s, "options.boot_anyway", at(r, "options", "boot_anyway"),
                      at(s->report, "options", "boot_anyway"));
    if (!bad && !json_equal(json_object_get(rs, "planned"), json_object_get(s->sh, "planned"))) {
        rg_errors_add(m->errs, s->dir, 0, 0,
                      "report.json: shard.planned (%zu cells) is not the plan of %s/report.json "
                      "(%zu cells): not shards of the same plan, they cannot be merged",
                      json_array_size(json_object_get(s->sh, "planned")), m->ref->dir,
                      json_array_size(json_object_get(rs, "planned")));
        bad = 1;
    }
    return bad ? -1 : 0;
}

/* Reads each RUN_DIR's report; a folder with no report.json is a lost shard (its cells
 * will be missing), an unreadable or foreign report refuses the merge. */
static int load_shards(struct merge *m, char *const *dirs, size_t n)
{
    int bad = 0;

    for (size_t i = 0; i < n; i++) {
        struct shard *s = &m->shards[m->n];
        struct rg_error e = {0};
        char path[4200];
        const json_t *idx, *cnt;

        snprintf(path, sizeof(path), "%s/report.json", dirs[i]);
        if (access(path, F_OK) < 0 && errno == ENOENT) {
            rg_errors_add(m->errs, path, 0, 0,
                          "no report: this shard is lost, its cells count as missing");
            json_array_append_new(m->lost, json_string(dirs[i]));
            continue;
        }
        if (rg_report_load(dirs[i], &s->report, &e) < 0) {
            rg_errors_push(m->errs, &e);
            bad = 1;
            continue;
        }
        s->dir = dirs[i];
        s->pos = i;
        s->sh = json_object_get(s->report, "shard");
        idx = json_object_get(s->sh, "index");
        cnt = json_object_get(s->sh, "count");
        m->n++;
        if (!json_is_object(s->sh)) {
            rg_errors_add(m->errs, path, 0, 0,
                          "not a shard's report (no \"shard\"): only the reports of `ringgate "
                          "run --shard I/N` can be merged");
            bad = 1;
        } else if (!json_is_integer(idx) || !json_is_integer(cnt) || json_integer_value(cnt) < 1 ||
                   json_integer_value(cnt) > SHARDS_MAX || json_integer_value(idx) < 0 ||
                   json_integer_value(idx) >= json_integer_value(cnt) ||
                   !json_is_array(json_object_get(s->sh, "planned"))) {
            rg_errors_add(m->errs, path, 0, 0,
                          "shard: \"index\", \"count\" and \"planned\" must say which shard "
                          "of how many (0 <= index < count <= %d) and the plan",
                          SHARDS_MAX);
            bad = 1;
        }
    }
    if (!bad && m->n == 0)
        return rg_errors_add(m->errs, n ? dirs[0] : "merge", 0, 0,
                             "no shard has a report: nothing to merge");
    return bad ? -1 : 0;
}

/* The same image name must mean the same bytes in every shard. */
static int check_images(struct merge *m)
{
    json_t *seen = json_object(), *c, *from = json_object();
    int bad = 0;

    for (size_t i = 0; i < m->n; i++) {
        size_t k;

        json_array_foreach(json_object_get(m->shards[i].report, "cells"), k, c)
        {
            const char *image = rg_report_str(c, "image");
            const json_t *d = json_object_get(c, "image_digests"), *had;
            char field[300];

            if (!*image || !json_is_object(d))
                continue;
            had = json_object_get(seen, image);
            if (!had) {
                json_object_set(seen, image, (json_t *)d);
                json_object_set_new(from, image, json_integer((json_int_t)i));
                continue;
            }
            snprintf(field, sizeof(field), "image_digests of image '%.200s'", image);
            if (!json_equal(had, d)) {
                const struct shard *ref = m->ref;

                m->ref = &m->shards[json_integer_value(json_object_get(from, image))];
                bad |= must_match(m, &m->shards[i], field, had, d);
                m->ref = ref;
                json_object_set(seen, image, (json_t *)d); /* one message per image */
            }
        }
    }
    json_decref(seen);
    json_decref(from);
    return bad ? -1 : 0;
}

static bool in_plan(const json_t *planned, const char *key)
{
    size_t i;
    json_t *v;

    json_array_foreach(planned, i, v) if (!strcmp(json_string_value(v), key)) return true;
    return false;
}

/* Each planned cell from the first shard that has it; the others' copies are duplicates. */
static int choose_cells(struct merge *m)
{
    json_t *dups = json_object(), *c, *v;
    int bad = 0;
    size_t i;

    for (size_t s = 0; s < m->n; s++) {
        size_t k;

        json_array_foreach(json_object_get(m->shards[s].report, "cells"), k, c)
        {
            char key[600];
            json_t *list;

            snprintf(key, sizeof(key), "%s/%s", rg_report_str(c, "scenario"),
                     rg_report_str(c, "id"));
            if (!in_plan(m->planned, key)) {
                rg_errors_add(m->errs, m->shards[s].dir, 0, 0,
                              "report.json: cells[%zu] '%s' is not in the plan its shard "
                              "records: the report was changed, it cannot be merged",
                              k, key);
                bad = 1;
                continue;
            }
            if (!json_object_get(m->chosen, key)) {
                json_object_set_new(m->chosen, key, json_integer((json_int_t)s));
                continue;
            }
            list = json_object_get(dups, key);
            if (!list) {
                size_t first = (size_t)json_integer_value(json_object_get(m->chosen, key));
                list = json_pack("[s]", m->shards[first].dir);
                json_object_set_new(dups, key, list);
            }
            json_array_append_new(list, json_string(m->shards[s].dir));
        }
    }
    json_array_foreach(m->planned, i, v)
    {
        const char *key = json_string_value(v);
        const json_t *s = json_object_get(m->chosen, key), *d = json_object_get(dups, key);
        size_t k;

        if (!s) {
            json_array_append_new(m->missing, json_string(key));
            continue;
        }
        json_array_foreach(json_object_get(m->shards[json_integer_value(s)].report, "cells"), k, c)
        {
            char ck[600];

            snprintf(ck, sizeof(ck), "%s/%s", rg_report_str(c, "scenario"), rg_report_str(c, "id"));
            if (!strcmp(ck, key)) {
                json_array_append(m->cells, c);
                break;
            }
        }
        if (d)
            json_array_append_new(m->duplicated,
                                  json_pack("{s:s, s:O}", "cell", key, "run_dirs", d));
    }
    json_decref(dups);
    return bad ? -1 : 0;
}

/* The scenario a "scenario/id" key belongs to. */
static bool of_scenario(const char *key, const char *name)
{
    size_t n = strlen(name);
    return !strncmp(key, name, n) && key[n] == '/';
}

/* A scenario's validator as the shards ran it: a rejection in any of them stands. */
static const json_t *validator_of(const struct merge *m, const char *name)
{
    const json_t *found = NULL;

    for (size_t s = 0; s < m->n; s++) {
        size_t k;
        json_t *sc;

        json_array_foreach(json_object_get(m->shards[s].report, "scenarios"), k, sc)
        {
            const json_t *v = json_object_get(sc, "validator");

            if (strcmp(rg_report_str(sc, "name"), name) != 0)
                continue;
            if (!found || (json_is_true(json_object_get(v, "ran")) &&
                           json_is_false(json_object_get(v, "ok"))))
                found = v;
        }
    }
    return found;
}

static bool has_key(const json_t *a, const char *key, const char *field)
{
    size_t i;
    json_t *v;

    json_array_foreach(a, i, v)
    {
        const char *s = field ? rg_report_str(v, field) : json_string_value(v);
        if (s && !strcmp(s, key))
            return true;
    }
    return false;
}

/* Scenario verdicts over the whole plan, the run's verdict and its reasons. */
static void recombine(struct merge *m, json_t *merged)
{
    struct rg_verdict_tally all = {0};
    json_t *scenarios = json_object_get(merged, "scenarios"), *reasons = json_array(), *sc, *c;
    size_t i, k;

    json_array_foreach(scenarios, i, sc)
    {
        const char *name = rg_report_str(sc, "name");
        const json_t *v = validator_of(m, name);
        struct rg_verdict_tally t = {0};
        bool incomplete = false;

        if (v)
            json_object_set(sc, "validator", (json_t *)v);
        t.block =
            json_is_true(json_object_get(v, "ran")) && json_is_false(json_object_get(v, "ok"));
        if (t.block) {
            char line[300];
            snprintf(line, sizeof(line),
                     "%s: content-rejected: the content validator refused the update", name);
            json_array_append_new(reasons, json_string(line));
        }
        json_array_foreach(m->cells, k, c) if (!strcmp(rg_report_str(c, "scenario"), name))
        {
            int cv = rg_verdict_parse(rg_report_str(c, "verdict"));
            rg_verdict_tally_add(&t, cv < 0 ? RG_VERDICT_INCONCLUSIVE : (enum rg_verdict)cv);
        }
        json_array_foreach(m->planned, k, c)
        {
            const char *key = json_string_value(c);
            incomplete |= of_scenario(key, name) && (has_key(m->missing, key, NULL) ||
                                                     has_key(m->duplicated, key, "cell"));
        }
        /* An incomplete picture decides nothing, even where a cell blocked: the verdict is
         * the whole plan's or none (the blocking findings are still listed). */
        json_object_set_new(
            sc, "verdict",
            json_string(rg_verdict_name(incomplete ? RG_VERDICT_INCONCLUSIVE
                                                   : rg_verdict_tally_result(&t))));
        rg_verdict_tally_add(&all, rg_verdict_tally_result(&t));
    }
    json_array_foreach(m->cells, i, c)
    {
        json_t *r;

        json_array_foreach(json_object_get(c, "reasons"), k, r)
        {
            char *line = NULL;
            if (asprintf(&line, "%s/%s: %s", rg_report_str(c, "scenario"), rg_report_str(c, "id"),
                         json_string_value(r) ? json_string_value(r) : "") >= 0)
                json_array_append_new(reasons, json_string(line));
            free(line);
        }
    }
    json_array_foreach(m->missing, i, c)
    {
        char *line = NULL;
        if (asprintf(&line, "%s: merge: planned, but in no shard's report (a lost shard?)",
                     json_string_value(c)) >= 0)
            json_array_append_new(reasons, json_string(line));
        free(line);
    }
    json_array_foreach(m->duplicated, i, c)
    {
        char *line = NULL;
        if (asprintf(&line, "%s: merge: in %zu shards' reports (the same shard given twice?)",
                     rg_report_str(c, "cell"),
                     json_array_size(json_object_get(c, "run_dirs"))) >= 0)
            json_array_append_new(reasons, json_string(line));
        free(line);
    }
    {
        enum rg_verdict v = rg_verdict_tally_result(&all);

        json_object_set_new(merged, "verdict", json_string(rg_verdict_name(v)));
        json_object_set_new(merged, "exit_code", json_integer(rg_verdict_exit_code(v)));
    }
    json_object_set_new(merged, "reasons", reasons);
}

/* The earliest start and latest end over the shards, and the span between. */
static void times(const struct merge *m, json_t *merged, json_t *shards_json)
{
    double first = -1, last = -1;
    const char *fs = NULL, *ls = NULL;

    for (size_t s = 0; s < m->n; s++) {
        const json_t *r = m->shards[s].report;
        const char *a = rg_report_str(r, "started_at"), *b = rg_report_str(r, "finished_at");
        double ta = rg_time_parse_rfc3339(a), tb = rg_time_parse_rfc3339(b);

        if (ta >= 0 && (first < 0 || ta < first)) {
            first = ta;
            fs = a;
        }
        if (tb >= 0 && tb > last) {
            last = tb;
            ls = b;
        }
        json_array_append_new(
            shards_json,
            json_pack("{s:O, s:s, s:s, s:s, s:s, s:s, s:O, s:s, s:s, s:O, s:i}", "index",
                      json_object_get(m->shards[s].sh, "index"), "run_dir", m->shards[s].dir,
                      "report", "", "run_id", rg_report_str(r, "run_id"), "hostname",
                      rg_report_str(json_object_get(r, "host"), "hostname"), "uri",
                      rg_report_str(json_object_get(r, "host"), "uri"), "accelerator",
                      at(r, "host", "accelerator") ? at(r, "host", "accelerator") : json_null(),
                      "started_at", a, "finished_at", b, "duration_s",
                      json_object_get(r, "duration_s") ? json_object_get(r, "duration_s")
                                                       : json_null(),
                      "cells", (int)json_array_size(json_object_get(r, "cells"))));
    }
    json_object_set_new(merged, "started_at", fs ? json_string(fs) : json_null());
    json_object_set_new(merged, "finished_at", ls ? json_string(ls) : json_null());
    json_object_set_new(merged, "duration_s",
                        json_real(first >= 0 && last >= first ? last - first : 0));
}

/* A/A counts add up over the shards. */
static void sum_aa(const struct merge *m, json_t *merged)
{
    json_t *aa = json_object_get(merged, "aa");
    const char *key;
    json_t *v;

    if (!json_is_object(aa))
        return;
    json_object_foreach(aa, key, v)
    {
        json_int_t sum = 0;

        for (size_t s = 0; s < m->n; s++)
            sum += json_integer_value(at(m->shards[s].report, "aa", key));
        json_object_set_new(aa, key, json_integer(sum));
    }
}

static json_t *build(struct merge *m)
{
    json_t *merged = json_deep_copy(m->ref->report), *shards = json_array(), *missing_shards;
    char run_id[RG_RUN_ID_MAX];
    json_int_t count = json_integer_value(json_object_get(m->ref->sh, "count"));

    rg_run_id_new(run_id);
    json_object_set_new(merged, "run_id", json_string(run_id));
    times(m, merged, shards);
    for (size_t s = 0; s < m->n; s++) {
        char rel[64];
        snprintf(rel, sizeof(rel), "shards/%zu/report.json", m->shards[s].pos);
        json_object_set_new(json_array_get(shards, s), "report", json_string(rel));
    }
    missing_shards = json_array();
    for (json_int_t i = 0; i < count; i++) {
        bool seen = false;
        for (size_t s = 0; s < m->n; s++)
            seen |= json_integer_value(json_object_get(m->shards[s].sh, "index")) == i;
        if (!seen)
            json_array_append_new(missing_shards, json_integer(i));
    }
    json_object_set(merged, "cells", m->cells);
    json_object_set_new(merged, "findings", rg_report_dedup_findings(m->cells));
    sum_aa(m, merged);
    recombine(m, merged);
    json_object_del(merged, "shard");
    json_object_set_new(merged, "merge",
                        json_pack("{s:I, s:O, s:o, s:O, s:O, s:o, s:O, s:O}", "count", count,
                                  "planned", m->planned, "shards", shards, "missing", m->missing,
                                  "duplicated", m->duplicated, "missing_shards", missing_shards,
                                  "lost", m->lost, "digests",
                                  json_object_get(m->ref->sh, "digests")));
    return merged;
}

/* A name a report gives that becomes a path component: nothing that climbs or nests. */
static bool safe_component(const char *s)
{
    return *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* Each kept cell's folder (console logs) and each shard's report, into tmp. */
static int copy_files(const struct merge *m, const char *tmp)
{
    size_t i;
    json_t *c;

    for (size_t s = 0; s < m->n; s++) {
        char from[4200], to[4200];
        struct rg_error e = {0};
        unsigned char *data = NULL;
        size_t len = 0;

        snprintf(to, sizeof(to), "%s/shards/%zu", tmp, m->shards[s].pos);
        snprintf(from, sizeof(from), "%s/report.json", m->shards[s].dir);
        if (rg_mkdir_p(to) < 0)
            return rg_errors_add(m->errs, to, 0, 0, "cannot create: %s", strerror(errno));
        snprintf(to, sizeof(to), "%s/shards/%zu/report.json", tmp, m->shards[s].pos);
        if (rg_file_read(from, REPORT_MAX, &data, &len, &e) < 0 ||
            rg_report_write_atomic(to, (const char *)data, len, &e) < 0) {
            free(data);
            rg_errors_push(m->errs, &e);
            return -1;
        }
        free(data);
    }
    json_array_foreach(m->cells, i, c)
    {
        const char *sc = rg_report_str(c, "scenario"), *id = rg_report_str(c, "id");
        char key[600], from[4200], to[4200];
        struct rg_error e = {0};
        const struct shard *s;
        struct stat st;

        if (!safe_component(sc) || !safe_component(id))
            return rg_errors_add(m->errs, "merge", 0, 0,
                                 "cell '%s/%s': a scenario or cell name that is not a plain "
                                 "name; the report was changed",
                                 sc, id);
        snprintf(key, sizeof(key), "%s/%s", sc, id);
        s = &m->shards[json_integer_value(json_object_get(m->chosen, key))];
        snprintf(from, sizeof(from), "%s/cells/%s/%s", s->dir, sc, id);
        if (lstat(from, &st) < 0)
            continue; /* a cell settled without a VM may have no folder */
        snprintf(to, sizeof(to), "%s/cells/%s", tmp, sc);
        if (rg_mkdir_p(to) < 0)
            return rg_errors_add(m->errs, to, 0, 0, "cannot create: %s", strerror(errno));
        snprintf(to, sizeof(to), "%s/cells/%s/%s", tmp, sc, id);
        if (rg_copy_tree(from, to, &e) < 0) {
            rg_errors_push(m->errs, &e);
            return -1;
        }
    }
    return 0;
}

/* OUT appears whole: everything goes to a sibling folder first, then one rename. */
static int write_out(const struct merge *m, json_t *merged, const char *out, const char *key)
{
    char tmp[4200], path[4300];
    struct rg_error e = {0};
    char *text = NULL;
    int rc = -1;

    snprintf(tmp, sizeof(tmp), "%s.merging.%ld", out, (long)getpid());
    rg_remove_tree(tmp);
    if (rg_mkdir_p(tmp) < 0)
        return rg_errors_add(m->errs, tmp, 0, 0, "cannot create: %s", strerror(errno));
    if (copy_files(m, tmp) < 0)
        goto out;
    text = json_dumps(merged, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    snprintf(path, sizeof(path), "%s/report.json", tmp);
    if (!text) {
        rg_errors_add(m->errs, path, 0, 0, "cannot encode the merged report");
        goto out;
    }
    if (rg_report_write_atomic(path, text, strlen(text), &e) < 0) {
        rg_errors_push(m->errs, &e);
        goto out;
    }
    rg_publish_derived(merged, tmp, m->errs);
    if (key) {
        int arc;

        snprintf(path, sizeof(path), "%s/attestation.json", tmp);
        arc = rg_attest_write(merged, out, key, path, &e);
        if (arc < 0) {
            rg_errors_push(m->errs, &e);
            goto out;
        }
        if (arc == 1)
            rg_errors_add(m->errs, out, 0, 0,
                          "no attestation: the merged verdict is %s, neither pass nor block",
                          rg_report_str(merged, "verdict"));
    }
    if (rename(tmp, out) < 0) {
        rg_errors_add(m->errs, out, 0, 0, "cannot move the merged run into place: %s",
                      strerror(errno));
        goto out;
    }
    rc = 0;
out:
    free(text);
    if (rc < 0)
        rg_remove_tree(tmp);
    return rc;
}

int rg_merge(char *const *run_dirs, size_t n, const char *out, const char *attest_key,
             json_t **merged, struct rg_errors *errs)
{
    struct merge m = {.errs = errs};
    struct stat st;
    int rc = RG_EXIT_USAGE;

    *merged = NULL;
    if (lstat(out, &st) == 0) {
        rg_errors_add(errs, out, 0, 0,
                      "already exists: merge writes a new folder (remove it or choose another)");
        return RG_EXIT_USAGE;
    }
    m.shards = calloc(n ? n : 1, sizeof(*m.shards));
    m.chosen = json_object();
    m.cells = json_array();
    m.missing = json_array();
    m.duplicated = json_array();
    m.lost = json_array();
    if (!m.shards)
        goto out;
    if (load_shards(&m, run_dirs, n) < 0)
        goto out;
    m.ref = &m.shards[0];
    m.planned = json_object_get(m.ref->sh, "planned");
    for (size_t i = 1; i < m.n; i++)
        rc = check_shard(&m, &m.shards[i]) < 0 ? -1 : rc;
    if (rc < 0 || check_images(&m) < 0 || choose_cells(&m) < 0) {
        rc = RG_EXIT_USAGE;
        goto out;
    }
    *merged = build(&m);
    if (write_out(&m, *merged, out, attest_key) < 0) {
        json_decref(*merged);
        *merged = NULL;
        rc = RG_EXIT_INCONCLUSIVE;
        goto out;
    }
    rc = (int)json_integer_value(json_object_get(*merged, "exit_code"));
out:
    for (size_t i = 0; i < m.n; i++)
        json_decref(m.shards[i].report);
    free(m.shards);
    json_decref(m.chosen);
    json_decref(m.cells);
    json_decref(m.missing);
    json_decref(m.duplicated);
    json_decref(m.lost);
    return rc;
}
