/* GitHub Actions annotations of a run's blocking findings (run --github-annotations), from
 * report.json: `::error` workflow commands, at most RG_ANNOTATIONS_MAX. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "report/report.h"

/* GitHub shows at most ten error annotations per step: more would be dropped unseen. */
#define RG_ANNOTATIONS_MAX 10
/* Cells and validator errors named in one annotation; the rest are counted. */
#define RG_ANNOTATION_LIST_MAX 5

/* An untrusted string cleaned (valid UTF-8, no control character but the newline), then
 * escaped as workflow commands want: in the message %, CR and LF; in a property also : and ,
 * (which would end the property). No line of ours can then start another command. */
static void put_escaped(struct rg_buf *b, const char *s, bool property)
{
    struct rg_buf clean = RG_BUF_INIT;

    rg_report_put_clean(&clean, s, RG_CLEAN_LINES);
    for (const char *p = rg_buf_str(&clean); *p; p++) {
        if (*p == '%')
            rg_buf_puts(b, "%25");
        else if (*p == '\r')
            rg_buf_puts(b, "%0D");
        else if (*p == '\n')
            rg_buf_puts(b, "%0A");
        else if (property && *p == ':')
            rg_buf_puts(b, "%3A");
        else if (property && *p == ',')
            rg_buf_puts(b, "%2C");
        else
            rg_buf_putc(b, *p);
    }
    rg_buf_free(&clean);
}

/* One annotation: title and message are plain text, escaped here. */
static void annotation(struct rg_buf *out, const char *level, const char *title,
                       const char *message)
{
    rg_buf_printf(out, "::%s title=", level);
    put_escaped(out, title, true);
    rg_buf_puts(out, "::");
    put_escaped(out, message, false);
    rg_buf_putc(out, '\n');
}

/* After the cap: a notice (not an error: GitHub has room for it) counting what was left out
 * of n, and where to find it. */
static void more_notice(struct rg_buf *out, size_t n, const char *what, const char *where)
{
    char more[200];

    snprintf(more, sizeof(more), "%zu more %s are not annotated (at most %d are): see %s",
             n - RG_ANNOTATIONS_MAX, what, RG_ANNOTATIONS_MAX, where);
    annotation(out, "notice", "ringgate", more);
}

/* "a, b, c, and 4 more" from the strings of a (at most RG_ANNOTATION_LIST_MAX named). */
static void put_list(struct rg_buf *b, const json_t *a, const char *sep)
{
    const json_t *v;
    size_t i;

    json_array_foreach(a, i, v)
    {
        if (i == RG_ANNOTATION_LIST_MAX) {
            rg_buf_printf(b, "%sand %zu more", sep, json_array_size(a) - i);
            break;
        }
        rg_buf_printf(b, "%s%s", i ? sep : "", json_is_string(v) ? json_string_value(v) : "");
    }
}

/* e's count plus f's, saturating: a hand-made report's counts may be anything. */
static json_int_t add_count(const json_t *e, const json_t *f)
{
    json_int_t have = json_integer_value(json_object_get(e, "count"));
    long long add = rg_report_int(f, "count", 1);

    if (add <= 0)
        return have;
    return add > LLONG_MAX - (long long)have ? (json_int_t)LLONG_MAX : have + (json_int_t)add;
}

/* The blocking findings merged by class and title (report.json's top-level "findings"
 * already are; a report merged from shards may list one twice): [{class, title, count,
 * cells}], in report order. */
static json_t *blocking(const json_t *report)
{
    json_t *index = json_object(), *out = json_array(), *f, *c, *e;
    size_t i, j;

    json_array_foreach(json_object_get(report, "findings"), i, f)
    {
        struct rg_buf key = RG_BUF_INIT;

        if (strcmp(rg_report_str(f, "action"), "block") != 0)
            continue;
        rg_buf_printf(&key, "%s\n%s", rg_report_str(f, "class"), rg_report_str(f, "title"));
        e = json_object_get(index, rg_buf_str(&key));
        if (!e) {
            e = json_pack("{s:s, s:s, s:I, s:[]}", "class", rg_report_str(f, "class"), "title",
                          rg_report_str(f, "title"), "count", (json_int_t)0, "cells");
            json_object_set(index, rg_buf_str(&key), e);
            json_array_append_new(out, e);
        }
        rg_buf_free(&key);
        json_object_set_new(e, "count", json_integer(add_count(e, f)));
        json_array_foreach(json_object_get(f, "cells"), j, c)
        {
            const json_t *have;
            size_t k;
            bool listed = false;

            json_array_foreach(json_object_get(e, "cells"), k, have)
            {
                listed = listed || json_equal(have, c);
            }
            if (!listed && json_is_string(c))
                json_array_append(json_object_get(e, "cells"), (json_t *)c);
        }
    }
    json_decref(index);
    return out;
}

/* A scenario whose content validator refused the update blocks the run even where no cell
 * was booted: one annotation with the validator's own errors. */
static size_t rejections(struct rg_buf *out, const json_t *report)
{
    const json_t *s;
    size_t i, n = 0;

    json_array_foreach(json_object_get(report, "scenarios"), i, s)
    {
        const json_t *v = json_object_get(s, "validator");
        struct rg_buf title = RG_BUF_INIT, msg = RG_BUF_INIT;

        if (!json_is_true(json_object_get(v, "ran")) || !json_is_false(json_object_get(v, "ok")))
            continue;
        if (n++ < RG_ANNOTATIONS_MAX) {
            rg_buf_printf(&title, "ringgate: content-rejected (%s)", rg_report_str(s, "name"));
            rg_buf_printf(&msg, "the content validator refused the update of %s",
                          rg_report_str(s, "name"));
            if (json_array_size(json_object_get(v, "errors"))) {
                rg_buf_puts(&msg, ":\n");
                put_list(&msg, json_object_get(v, "errors"), "\n");
            }
            annotation(out, "error", rg_buf_str(&title), rg_buf_str(&msg));
        }
        rg_buf_free(&title);
        rg_buf_free(&msg);
    }
    return n;
}

int rg_report_annotations(const json_t *report, struct rg_buf *out)
{
    json_t *found = blocking(report), *f;
    size_t i, rejected = rejections(out, report), n = rejected;

    json_array_foreach(found, i, f)
    {
        struct rg_buf title = RG_BUF_INIT, msg = RG_BUF_INIT;
        const json_t *cells = json_object_get(f, "cells");
        long long count = rg_report_int(f, "count", 0);

        /* The refusals above say it with the validator's errors: not twice. */
        if (rejected && !strcmp(rg_report_str(f, "class"), "content-rejected"))
            continue;
        if (n++ >= RG_ANNOTATIONS_MAX)
            continue;
        rg_buf_printf(&title, "ringgate: %s (%lld time%s, %zu cell%s)", rg_report_str(f, "class"),
                      count, count == 1 ? "" : "s", json_array_size(cells),
                      json_array_size(cells) == 1 ? "" : "s");
        rg_buf_puts(&msg, rg_report_str(f, "title"));
        if (json_array_size(cells)) {
            rg_buf_puts(&msg, "\ncells: ");
            put_list(&msg, cells, ", ");
        }
        annotation(out, "error", rg_buf_str(&title), rg_buf_str(&msg));
        rg_buf_free(&title);
        rg_buf_free(&msg);
    }
    if (n > RG_ANNOTATIONS_MAX)
        more_notice(out, n, "blocking findings", "report.json");
    json_decref(found);
    return 0;
}

int rg_report_annotate_errors(const struct rg_errors *errs, struct rg_buf *out)
{
    size_t n = errs ? errs->n : 0;

    for (size_t i = 0; i < n && i < RG_ANNOTATIONS_MAX; i++) {
        const struct rg_error *e = &errs->v[i];

        rg_buf_puts(out, "::error ");
        if (e->file[0]) {
            rg_buf_puts(out, "file=");
            put_escaped(out, e->file, true);
            if (e->line > 0)
                rg_buf_printf(out, ",line=%d", e->line);
            if (e->line > 0 && e->col > 0)
                rg_buf_printf(out, ",col=%d", e->col);
            rg_buf_putc(out, ',');
        }
        rg_buf_puts(out, "title=ringgate::");
        put_escaped(out, e->msg, false);
        rg_buf_putc(out, '\n');
    }
    if (n > RG_ANNOTATIONS_MAX)
        more_notice(out, n, "errors", "the log");
    return 0;
}
