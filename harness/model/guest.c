/* The guest contract's defaults (the sample sensor's), its layering and its PCRE2 matching. */
#include "model/guest.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rg_guest_regex {
    pcre2_code *code;
};

static const char *const default_install[] = {"/usr/sbin/rg-install", "{package}", NULL};
static const char *const default_counters[] = {"/bin/cat", "/proc/rg_sensor/stats", NULL};

const char *const rg_guest_keys[] = {"ready", "install", "versions", "counters", "safe_mode",
                                     NULL};
const char *const rg_guest_ready_keys[] = {"pattern", "agent", "command", NULL};
const char *const rg_guest_install_keys[] = {"command", "timeout_s", "record", NULL};
const char *const rg_guest_versions_keys[] = {"command", "driver", "content", NULL};
const char *const rg_guest_counters_keys[] = {"command", NULL};

void rg_guest_init(struct rg_guest *g)
{
    memset(g, 0, sizeof(*g));
}

void rg_guest_fini(struct rg_guest *g)
{
    if (!g)
        return;
    free(g->ready_pattern);
    rg_guest_regex_free(g->ready_re);
    rg_guest_argv_free(g->ready_command);
    rg_guest_argv_free(g->install_command);
    free(g->install_record);
    rg_guest_regex_free(g->install_record_re);
    rg_guest_argv_free(g->versions_command);
    free(g->versions_driver);
    free(g->versions_content);
    rg_guest_argv_free(g->counters_command);
    free(g->safe_mode);
    rg_guest_init(g);
}

int rg_guest_regex_compile(const char *pattern, struct rg_guest_regex **out, char *msg,
                           size_t size, size_t *offset)
{
    int code;
    PCRE2_SIZE off = 0;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &off,
                                   NULL);

    *out = NULL;
    if (!re) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(code, buf, sizeof(buf));
        snprintf(msg, size, "%s", (const char *)buf);
        *offset = off;
        return -1;
    }
    *out = calloc(1, sizeof(**out));
    if (!*out)
        abort();
    (*out)->code = re;
    return 0;
}

void rg_guest_regex_free(struct rg_guest_regex *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    free(re);
}

bool rg_guest_regex_match(const struct rg_guest_regex *re, const char *s)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
    int rc;

    if (!md)
        abort();
    rc = pcre2_match(re->code, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

char **rg_guest_argv_new(const char *const *words, size_t n)
{
    char **argv = calloc(n + 1, sizeof(*argv));

    if (!argv)
        abort();
    for (size_t i = 0; i < n; i++)
        argv[i] = strdup(words[i]);
    return argv;
}

void rg_guest_argv_free(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}

/* The default ready pattern, compiled once for every cell (a compiled pattern is read-only). */
static struct rg_guest_regex *default_ready;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void default_compile(void)
{
    char msg[256];
    size_t off;

    if (rg_guest_regex_compile(RG_GUEST_DEFAULT_READY, &default_ready, msg, sizeof(msg), &off) <
        0)
        abort(); /* a constant: cannot fail */
}

#define PICK(field) (scenario && scenario->field ? scenario->field : image ? image->field : NULL)

void rg_guest_resolve(const struct rg_guest *image, const struct rg_guest *scenario,
                      struct rg_guest_contract *out)
{
    enum rg_guest_agent agent = scenario && scenario->ready_agent ? scenario->ready_agent
                                : image && image->ready_agent   ? image->ready_agent
                                                                : RG_GUEST_AGENT_YES;
    int tmo = scenario && scenario->install_timeout_s ? scenario->install_timeout_s
              : image && image->install_timeout_s     ? image->install_timeout_s
                                                      : RG_GUEST_DEFAULT_TIMEOUT_S;
    const char *safe = PICK(safe_mode);

    pthread_once(&default_once, default_compile);
    memset(out, 0, sizeof(*out));
    /* The pattern and its compiled form come from the same layer. */
    if (scenario && scenario->ready_re) {
        out->ready_pattern = scenario->ready_pattern;
        out->ready_re = scenario->ready_re;
    } else if (image && image->ready_re) {
        out->ready_pattern = image->ready_pattern;
        out->ready_re = image->ready_re;
    } else {
        out->ready_pattern = RG_GUEST_DEFAULT_READY;
        out->ready_re = default_ready;
    }
    out->ready_agent = agent == RG_GUEST_AGENT_YES;
    out->ready_command = (const char *const *)PICK(ready_command);
    out->install_command = (const char *const *)PICK(install_command);
    if (!out->install_command)
        out->install_command = default_install;
    out->install_timeout_s = tmo;
    out->record_re = PICK(install_record_re);
    out->versions_command = (const char *const *)PICK(versions_command);
    out->driver = PICK(versions_driver) ? PICK(versions_driver) : "sensor";
    out->content = PICK(versions_content) ? PICK(versions_content) : "content";
    out->counters_command = (const char *const *)PICK(counters_command);
    if (!out->counters_command)
        out->counters_command = default_counters;
    if (!safe)
        safe = RG_GUEST_DEFAULT_SAFE_MODE;
    out->safe_mode = strcmp(safe, "none") == 0 ? NULL : safe;
}

static void version_set(struct rg_ready_info *info, const char *name, const char *value,
                        size_t len)
{
    size_t i;

    for (i = 0; i < info->nv && strcmp(info->v[i].name, name) != 0; i++)
        ;
    if (i == info->nv) {
        if (info->nv == RG_GUEST_VERSIONS_MAX)
            return;
        info->nv++;
        snprintf(info->v[i].name, sizeof(info->v[i].name), "%s", name);
    }
    snprintf(info->v[i].value, sizeof(info->v[i].value), "%.*s", (int)len, value);
}

static unsigned group_no(PCRE2_SPTR entry)
{
    return (unsigned)(entry[0] << 8 | entry[1]);
}

/* The name table's entry of the k-th named group in pattern order (the table is sorted by
 * name; versions keep the order the pattern gives them). */
static PCRE2_SPTR group_entry(PCRE2_SPTR table, uint32_t count, uint32_t esize, uint32_t k)
{
    for (uint32_t i = 0; i < count; i++) {
        uint32_t before = 0;
        for (uint32_t j = 0; j < count; j++)
            before += group_no(table + j * esize) < group_no(table + i * esize);
        if (before == k)
            return table + i * esize;
    }
    return table;
}

bool rg_guest_ready_match(const struct rg_guest_contract *g, const char *line,
                          struct rg_ready_info *out)
{
    pcre2_code *re = g->ready_re->code;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    PCRE2_SPTR table = NULL;
    PCRE2_SIZE *ov;
    uint32_t count = 0, esize = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!md)
        abort();
    rc = pcre2_match(re, (PCRE2_SPTR)line, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
    if (rc < 0) {
        pcre2_match_data_free(md);
        return false;
    }
    ov = pcre2_get_ovector_pointer(md);
    pcre2_pattern_info(re, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(re, PCRE2_INFO_NAMEENTRYSIZE, &esize);
    pcre2_pattern_info(re, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t k = 0; k < count; k++) {
        PCRE2_SPTR entry = group_entry(table, count, esize, k);
        unsigned n = group_no(entry);
        const char *name = (const char *)entry + 2;
        char val[64];
        size_t len;

        if ((int)n >= rc || ov[2 * n] == PCRE2_UNSET)
            continue; /* the group took no part in the match */
        len = ov[2 * n + 1] - ov[2 * n];
        snprintf(val, sizeof(val), "%.*s", (int)len, line + ov[2 * n]);
        if (strcmp(name, "boot") == 0) {
            out->boot = atoi(val);
            out->has_boot = true;
        } else if (strcmp(name, "safe") == 0) {
            out->safe = strcmp(val, "0") != 0 && strcmp(val, "false") != 0;
            out->has_safe = true;
        } else if (strcmp(name, "uptime") == 0) {
            out->uptime = strtod(val, NULL);
            out->has_uptime = true;
        } else {
            version_set(out, name, line + ov[2 * n], len);
        }
    }
    pcre2_match_data_free(md);
    return true;
}

void rg_guest_versions_merge(struct rg_ready_info *info, const char *out)
{
    const char *p = out;

    while (p && *p) {
        size_t len = strcspn(p, "\n"), nlen = strcspn(p, "=\n");
        char name[32];

        while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
            len--;
        if (nlen < len && nlen > 0 && nlen < sizeof(name)) {
            snprintf(name, sizeof(name), "%.*s", (int)nlen, p);
            /* boot, safe and uptime are ringgate's own record of the boot */
            if (strcmp(name, "boot") && strcmp(name, "safe") && strcmp(name, "uptime"))
                version_set(info, name, p + nlen + 1, len - nlen - 1);
        }
        p += strcspn(p, "\n");
        if (*p)
            p++;
    }
}

const char *rg_ready_version(const struct rg_ready_info *info, const char *name)
{
    for (size_t i = 0; i < info->nv; i++)
        if (strcmp(info->v[i].name, name) == 0)
            return info->v[i].value;
    return NULL;
}

void rg_ready_versions_str(const struct rg_ready_info *info, char *out, size_t size)
{
    size_t used = 0;

    snprintf(out, size, "%s", info->nv ? "" : "nothing");
    for (size_t i = 0; i < info->nv && used < size; i++) {
        snprintf(out + used, size - used, "%s%s=%s", i ? " " : "", info->v[i].name,
                 info->v[i].value);
        used = strlen(out);
    }
}

bool rg_ready_parse(const char *line, struct rg_ready_info *out)
{
    struct rg_guest_contract g;

    rg_guest_resolve(NULL, NULL, &g);
    return rg_guest_ready_match(&g, line, out);
}
