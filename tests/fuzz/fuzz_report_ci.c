/* libFuzzer target: the CI outputs of a report (Prometheus textfile, GitHub annotations) from
 * any JSON, and the previous textfile's last pass read from any bytes. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every line of out starts with one of the prefixes: nothing an input holds can add a line
 * of its own (a metric, a workflow command). */
static void lines_start_with(const char *out, const char *const *prefixes)
{
    for (const char *l = out; *l; l = strchr(l, '\n') + 1) {
        bool ok = false;

        for (size_t i = 0; prefixes[i]; i++)
            ok = ok || !strncmp(l, prefixes[i], strlen(prefixes[i]));
        if (!ok || !strchr(l, '\n'))
            __builtin_trap();
    }
}

static void valid_utf8(const char *s)
{
    struct rg_buf b = RG_BUF_INIT;

    rg_buf_put_utf8(&b, s, false);
    if (strcmp(rg_buf_str(&b), s) != 0)
        __builtin_trap();
    rg_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const metric[] = {"# HELP ringgate_", "# TYPE ringgate_", "ringgate_", NULL};
    static const char *const command[] = {"::error title=", "::notice title=", NULL};
    struct rg_buf prom = RG_BUF_INIT, ann = RG_BUF_INIT;
    char *text = malloc(size + 1);
    double last, again;
    json_t *report;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    last = rg_report_prometheus_last_pass(text);
    free(text);
    if (!isfinite(last) || last < 0)
        __builtin_trap();
    report = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!json_is_object(report)) {
        json_decref(report);
        return 0;
    }
    rg_report_prometheus(report, last, &prom);
    lines_start_with(rg_buf_str(&prom), metric);
    valid_utf8(rg_buf_str(&prom));
    /* The file read back gives the last pass: this run's end or the one carried over. */
    again = rg_report_prometheus_last_pass(rg_buf_str(&prom));
    if (!isfinite(again) || again < 0 ||
        (strcmp(rg_report_str(report, "verdict"), "pass") != 0 &&
         fabs(again - last) > 1e-12 * last + 1e-300))
        __builtin_trap();
    rg_report_annotations(report, &ann);
    lines_start_with(rg_buf_str(&ann), command);
    valid_utf8(rg_buf_str(&ann));
    rg_buf_free(&prom);
    rg_buf_free(&ann);
    json_decref(report);
    return 0;
}
