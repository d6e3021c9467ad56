/* `run --json-events` lines, built with jansson from strings that may hold any guest bytes. */
#include "report/events.h"

#include <jansson.h>

#include "util/buf.h"

/* A JSON string of s's bytes made valid UTF-8 (jansson refuses anything else). */
static json_t *utf8_string(const char *s)
{
    struct rg_buf b = RG_BUF_INIT;
    json_t *v;

    rg_buf_put_utf8(&b, s ? s : "", false);
    v = json_string(rg_buf_str(&b));
    rg_buf_free(&b);
    return v;
}

char *rg_event_json(double t, const char *scenario, const char *cell, const char *type,
                    const char *detail)
{
    json_t *ev = json_pack("{s:f, s:o, s:o, s:o, s:o}", "t", t, "scenario", utf8_string(scenario),
                           "cell", utf8_string(cell), "type", utf8_string(type), "detail",
                           utf8_string(detail));
    char *line;

    if (!ev)
        return NULL;
    /* 13 significant digits: an epoch in seconds to the millisecond, as the line always had. */
    line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(13));
    json_decref(ev);
    return line;
}
