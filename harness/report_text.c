/* report.json read back, and the text summary a terminal user sees at the end of a run. */
#include <stdio.h>
#include <string.h>

#include "report.h"

int rg_report_load(const char *run_dir, json_t **out, struct rg_error *err)
{
    char path[4200];
    json_error_t jerr;
    json_t *r;
    const char *schema;

    snprintf(path, sizeof(path), "%s/report.json", run_dir);
    r = json_load_file(path, 0, &jerr);
    if (!r)
        return rg_error_set(err, path, jerr.line, jerr.column, "%s", jerr.text);
    schema = json_string_value(json_object_get(r, "schema"));
    if (!schema || strcmp(schema, "ringgate.report/v1") != 0) {
        json_decref(r);
        return rg_error_set(err, path, 0, 0, "not a ringgate.report/v1 report");
    }
    *out = r;
    return 0;
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static const char *colour(const char *verdict, bool on)
{
    if (!on)
        return "";
    if (!strcmp(verdict, "pass"))
        return "\033[32m";
    if (!strcmp(verdict, "block"))
        return "\033[1;31m";
    return "\033[33m";
}

void rg_report_text(const json_t *report, bool color, struct rg_buf *out)
{
    const json_t *cells = json_object_get(report, "cells"), *dedup = json_object_get(report,
                                                                                     "findings");
    const json_t *c, *f;
    const char *reset = color ? "\033[0m" : "";
    size_t i, j;

    json_array_foreach(cells, i, c)
    {
        const char *v = jstr(c, "verdict");
        const json_t *first = NULL;
        int more = 0;

        json_array_foreach(json_object_get(c, "findings"), j, f)
        {
            if (strcmp(jstr(f, "action"), "block") != 0)
                continue;
            if (!first)
                first = f;
            else
                more++;
        }
        rg_buf_printf(out, "  %s%-13s%s %-22s %-28s", colour(v, color), v, reset,
                      jstr(c, "scenario"), jstr(c, "id"));
        if (first)
            rg_buf_printf(out, " %s: %s", jstr(first, "class"), jstr(first, "title"));
        if (more)
            rg_buf_printf(out, " (+%d more)", more);
        if (json_is_object(json_object_get(c, "rollback")))
            rg_buf_printf(out, "  [rollback: revert %s, safe mode %s]",
                          jstr(json_object_get(c, "rollback"), "revert"),
                          jstr(json_object_get(c, "rollback"), "safe_mode"));
        rg_buf_putc(out, '\n');
    }
    if (json_array_size(dedup)) {
        rg_buf_puts(out, "\nfindings (deduplicated):\n");
        json_array_foreach(dedup, i, f)
        {
            rg_buf_printf(out, "  %3lld x  %-6s %-16s %s  [", 
                          (long long)json_integer_value(json_object_get(f, "count")),
                          jstr(f, "action"), jstr(f, "class"), jstr(f, "title"));
            json_array_foreach(json_object_get(f, "cells"), j, c)
                rg_buf_printf(out, "%s%s", j ? ", " : "", json_string_value(c));
            rg_buf_puts(out, "]\n");
        }
    }
    rg_buf_printf(out, "\nverdict: %s%s%s (exit %lld)\n",
                  colour(jstr(report, "verdict"), color), jstr(report, "verdict"), reset,
                  (long long)json_integer_value(json_object_get(report, "exit_code")));
}
