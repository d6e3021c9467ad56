/* Scenario files: YAML parsed with positions, validated field by field, every error reported. */
#include "model/scenario.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "model/catalog.h"
#include "model/regress.h"
#include "util/file.h"

#define SCENARIO_MAX_BYTES (1024 * 1024)
#define YAML_MAX_DEPTH 32
#define LIST_MAX 64

/* ---- A YAML node tree that keeps each node's position ---- */

enum ynode_kind { YNODE_SCALAR, YNODE_MAP, YNODE_SEQ };

struct ynode {
    enum ynode_kind kind;
    int line, col;
    char *str;           /* scalars */
    bool plain;          /* scalar written without quotes: may be a number or boolean */
    struct ynode **kids; /* maps: key, value, key, value...; sequences: items */
    size_t n, cap;
};

static void ynode_free(struct ynode *y)
{
    if (!y)
        return;
    for (size_t i = 0; i < y->n; i++)
        ynode_free(y->kids[i]);
    free(y->kids);
    free(y->str);
    free(y);
}

static struct ynode *ynode_new(enum ynode_kind kind, const yaml_mark_t *mark)
{
    struct ynode *y = calloc(1, sizeof(*y));

    if (!y)
        abort();
    y->kind = kind;
    y->line = (int)mark->line + 1;
    y->col = (int)mark->column + 1;
    return y;
}

static void ynode_add(struct ynode *parent, struct ynode *kid)
{
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 8;
        struct ynode **k = realloc(parent->kids, cap * sizeof(*k));
        if (!k)
            abort();
        parent->kids = k;
        parent->cap = cap;
    }
    parent->kids[parent->n++] = kid;
}

static const char *ynode_kind_name(const struct ynode *y)
{
    switch (y->kind) {
    case YNODE_MAP:
        return "a mapping";
    case YNODE_SEQ:
        return "a list";
    case YNODE_SCALAR:
        break;
    }
    return "a scalar";
}

/* Builds the tree from libyaml's events. Aliases are refused: a scenario has no use for them
 * and they are the classic way to make a small file expand into a huge tree. */
static int yaml_read_tree(const char *path, const char *data, size_t len, struct ynode **root,
                          struct rg_errors *errs)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    struct ynode *stack[YAML_MAX_DEPTH + 1];
    int depth = 0, docs = 0, rc = -1;
    bool done = false;

    *root = NULL;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    while (!done) {
        struct ynode *node = NULL;

        if (!yaml_parser_parse(&parser, &ev)) {
            rg_errors_add(errs, path, (int)parser.problem_mark.line + 1,
                          (int)parser.problem_mark.column + 1, "YAML syntax error: %s%s%s",
                          parser.problem ? parser.problem : "malformed document",
                          parser.context ? " " : "", parser.context ? parser.context : "");
            goto out;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                rg_errors_add(errs, path, (int)ev.start_mark.line + 1,
                              (int)ev.start_mark.column + 1,
                              "a scenario file holds one YAML document, found a second");
                yaml_event_delete(&ev);
                goto out;
            }
            break;
        case YAML_ALIAS_EVENT:
            rg_errors_add(errs, path, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                          "YAML aliases (*%s) are not supported in scenarios",
                          (const char *)ev.data.alias.anchor);
            yaml_event_delete(&ev);
            goto out;
        case YAML_SCALAR_EVENT:
            node = ynode_new(YNODE_SCALAR, &ev.start_mark);
            node->str = strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
            node->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            if (strlen(node->str) != ev.data.scalar.length) {
                rg_errors_add(errs, path, node->line, node->col, "NUL byte inside a value");
                ynode_free(node);
                yaml_event_delete(&ev);
                goto out;
            }
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth == YAML_MAX_DEPTH) {
                rg_errors_add(errs, path, (int)ev.start_mark.line + 1,
                              (int)ev.start_mark.column + 1, "nesting deeper than %d levels",
                              YAML_MAX_DEPTH);
                yaml_event_delete(&ev);
                goto out;
            }
            node = ynode_new(ev.type == YAML_MAPPING_START_EVENT ? YNODE_MAP : YNODE_SEQ,
                             &ev.start_mark);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            node = stack[--depth];
            break;
        default:
            break;
        }
        if (node && (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)) {
            if (depth > 0)
                ynode_add(stack[depth - 1], node);
            stack[depth++] = node;
        } else if (node && ev.type == YAML_SCALAR_EVENT) {
            if (depth > 0)
                ynode_add(stack[depth - 1], node);
            else
                *root = node;
        } else if (node && depth == 0) {
            *root = node;
        }
        yaml_event_delete(&ev);
    }
    rc = 0;
out:
    if (rc < 0) {
        /* Free the partial tree from its top-most open node. */
        if (depth > 0)
            ynode_free(stack[0]);
        else
            ynode_free(*root);
        *root = NULL;
    }
    yaml_parser_delete(&parser);
    return rc;
}

/* ---- Validation helpers ---- */

struct ctx {
    const char *path;
    struct rg_errors *errs;
    bool failed;
};

RG_PRINTF(3, 4)
static void err_at(struct ctx *c, const struct ynode *y, const char *fmt, ...)
{
    struct rg_error e;
    va_list ap;

    snprintf(e.file, sizeof(e.file), "%s", c->path);
    e.line = y ? y->line : 0;
    e.col = y ? y->col : 0;
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
    va_end(ap);
    rg_errors_push(c->errs, &e);
    c->failed = true;
}

static bool expect_kind(struct ctx *c, const struct ynode *y, enum ynode_kind kind,
                        const char *field)
{
    static const char *const names[] = {"a scalar", "a mapping", "a list"};

    if (y->kind == kind)
        return true;
    err_at(c, y, "'%s' must be %s, not %s", field, names[kind], ynode_kind_name(y));
    return false;
}

/* Checks a mapping's keys against the allowed ones: unknown keys (with a suggestion),
 * duplicate keys, non-scalar keys. Returns false if the node is not a mapping. */
static bool check_keys(struct ctx *c, const struct ynode *map, const char *section,
                       const char *const *allowed)
{
    if (!expect_kind(c, map, YNODE_MAP, section))
        return false;
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        const struct ynode *k = map->kids[i];
        bool known = false;

        if (k->kind != YNODE_SCALAR) {
            err_at(c, k, "keys in '%s' must be plain names", section);
            continue;
        }
        for (size_t j = 0; allowed[j]; j++)
            known = known || strcmp(k->str, allowed[j]) == 0;
        if (!known) {
            const char *hint = rg_closest(k->str, allowed);
            if (hint)
                err_at(c, k, "unknown key '%s' in '%s' (did you mean '%s'?)", k->str, section,
                       hint);
            else
                err_at(c, k, "unknown key '%s' in '%s'", k->str, section);
        }
        for (size_t j = 0; j < i; j += 2)
            if (map->kids[j]->kind == YNODE_SCALAR && strcmp(map->kids[j]->str, k->str) == 0) {
                err_at(c, k, "duplicate key '%s' in '%s' (first at line %d)", k->str, section,
                       map->kids[j]->line);
                break;
            }
    }
    return true;
}

static const struct ynode *map_get(const struct ynode *map, const char *key)
{
    if (!map || map->kind != YNODE_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (map->kids[i]->kind == YNODE_SCALAR && strcmp(map->kids[i]->str, key) == 0)
            return map->kids[i + 1];
    return NULL;
}

static const struct ynode *map_key(const struct ynode *map, const char *key)
{
    if (!map || map->kind != YNODE_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (map->kids[i]->kind == YNODE_SCALAR && strcmp(map->kids[i]->str, key) == 0)
            return map->kids[i];
    return NULL;
}

static bool is_null(const struct ynode *y)
{
    return y->kind == YNODE_SCALAR && y->plain &&
           (y->str[0] == '\0' || strcmp(y->str, "~") == 0 || strcmp(y->str, "null") == 0);
}

static bool get_int(struct ctx *c, const struct ynode *y, const char *field, long min, long max,
                    int *out)
{
    char *end;
    long v;

    if (!expect_kind(c, y, YNODE_SCALAR, field))
        return false;
    errno = 0;
    v = strtol(y->str, &end, 10);
    if (!y->plain && y->str[0] != '\0' && *end == '\0') {
        err_at(c, y, "'%s' must be an integer, got the quoted string \"%s\" (drop the quotes)",
               field, y->str);
        return false;
    }
    if (!y->plain || y->str[0] == '\0' || *end != '\0' || errno == ERANGE) {
        err_at(c, y, "'%s' must be an integer, got '%s'", field, y->str);
        return false;
    }
    if (v < min || v > max) {
        err_at(c, y, "'%s' must be from %ld to %ld, got %ld", field, min, max, v);
        return false;
    }
    *out = (int)v;
    return true;
}

static bool get_double(struct ctx *c, const struct ynode *y, const char *field, double min,
                       double max, bool min_exclusive, double *out)
{
    char *end;
    double v;

    if (!expect_kind(c, y, YNODE_SCALAR, field))
        return false;
    errno = 0;
    v = strtod(y->str, &end);
    if (!y->plain || y->str[0] == '\0' || *end != '\0' || errno == ERANGE || !isfinite(v)) {
        err_at(c, y, "'%s' must be a number, got '%s'", field, y->str);
        return false;
    }
    if (v < min || v > max || (min_exclusive && v == min)) {
        err_at(c, y, "'%s' must be %s %g and at most %g, got %s", field,
               min_exclusive ? "above" : "at least", min, max, y->str);
        return false;
    }
    *out = v;
    return true;
}

static bool get_bool(struct ctx *c, const struct ynode *y, const char *field, bool *out)
{
    if (!expect_kind(c, y, YNODE_SCALAR, field))
        return false;
    if (y->plain && (!strcmp(y->str, "true") || !strcmp(y->str, "True") ||
                     !strcmp(y->str, "TRUE"))) {
        *out = true;
        return true;
    }
    if (y->plain && (!strcmp(y->str, "false") || !strcmp(y->str, "False") ||
                     !strcmp(y->str, "FALSE"))) {
        *out = false;
        return true;
    }
    err_at(c, y, "'%s' must be true or false, got '%s'", field, y->str);
    return false;
}

static bool get_string(struct ctx *c, const struct ynode *y, const char *field, char **out)
{
    if (!expect_kind(c, y, YNODE_SCALAR, field))
        return false;
    if (is_null(y)) {
        err_at(c, y, "'%s' must not be empty", field);
        return false;
    }
    free(*out);
    *out = strdup(y->str);
    return true;
}

static bool get_choice(struct ctx *c, const struct ynode *y, const char *field,
                       const char *const *choices, int *out)
{
    const char *hint;

    if (!expect_kind(c, y, YNODE_SCALAR, field))
        return false;
    for (int i = 0; choices[i]; i++)
        if (strcmp(y->str, choices[i]) == 0) {
            *out = i;
            return true;
        }
    hint = rg_closest(y->str, choices);
    {
        char list[256] = "";
        for (size_t i = 0; choices[i]; i++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", choices[i]);
        }
        if (hint)
            err_at(c, y, "'%s' must be one of %s, got '%s' (did you mean '%s'?)", field, list,
                   y->str, hint);
        else
            err_at(c, y, "'%s' must be one of %s, got '%s'", field, list, y->str);
    }
    return false;
}

static bool valid_name(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static char *resolve_path(const char *dir, const char *rel)
{
    char *out;

    if (rel[0] == '/' || strcmp(dir, ".") == 0)
        return strdup(rel);
    if (asprintf(&out, "%s/%s", dir, rel) < 0)
        abort();
    return out;
}

/* A referenced file: resolved against the scenario's folder, checked when asked to. */
static char *get_file(struct ctx *c, const struct rg_scenario *sc, const struct ynode *y,
                      const char *field, const struct rg_scenario_opts *opts)
{
    char *rel = NULL, *full;
    struct stat st;

    if (!get_string(c, y, field, &rel))
        return NULL;
    full = resolve_path(sc->dir, rel);
    if (opts->check_files) {
        if (stat(full, &st) != 0)
            err_at(c, y, "'%s': cannot read '%s': %s", field, rel, strerror(errno));
        else if (!S_ISREG(st.st_mode))
            err_at(c, y, "'%s': '%s' is not a regular file", field, rel);
    }
    free(rel);
    return full;
}

/* ---- Sections ---- */

/* update.validator: {command: [argv...], timeout_s: N}. */
static void parse_validator(struct ctx *c, struct rg_scenario *sc, const struct ynode *y)
{
    static const char *const keys[] = {"command", "timeout_s", NULL};
    struct rg_validator_spec *v = &sc->validator;
    const struct ynode *cmd, *t;

    v->line = y->line;
    v->col = y->col;
    v->timeout_s = RG_VALIDATOR_DEFAULT_TIMEOUT_S;
    if (!check_keys(c, y, "update.validator", keys))
        return;
    t = map_get(y, "timeout_s");
    if (t)
        get_int(c, t, "update.validator.timeout_s", 1, RG_VALIDATOR_MAX_TIMEOUT_S,
                &v->timeout_s);
    cmd = map_get(y, "command");
    if (!cmd) {
        err_at(c, y, "'update.validator' needs a 'command', a list: the program and its "
                     "arguments");
        return;
    }
    if (!expect_kind(c, cmd, YNODE_SEQ, "update.validator.command"))
        return;
    if (cmd->n == 0) {
        err_at(c, cmd, "'update.validator.command' is empty: it needs at least the program");
        return;
    }
    v->argv = calloc(cmd->n + 1, sizeof(char *));
    if (!v->argv)
        abort();
    for (size_t i = 0; i < cmd->n; i++) {
        char *arg = NULL;

        if (!get_string(c, cmd->kids[i], "update.validator.command", &arg))
            continue;
        if (i == 0 && arg[0] == '\0') {
            err_at(c, cmd->kids[i], "'update.validator.command' names no program");
            free(arg);
            continue;
        }
        /* A program named by a relative path lives next to the scenario, as packages do. */
        if (i == 0 && arg[0] != '/' && strchr(arg, '/')) {
            char *full = resolve_path(sc->dir, arg);
            free(arg);
            arg = full;
        }
        v->argv[v->argc++] = arg;
    }
}

static void parse_pkg_ref(struct ctx *c, struct rg_scenario *sc, const struct ynode *y,
                          const char *section, struct rg_pkg_ref *ref,
                          const struct rg_scenario_opts *opts)
{
    static const char *const keys[] = {"package", "allow_downgrade", "validator", NULL};
    char field[64];
    const struct ynode *v;

    if (!check_keys(c, y, section, keys))
        return;
    snprintf(field, sizeof(field), "%s.package", section);
    v = map_get(y, "package");
    if (!v) {
        err_at(c, y, "'%s' needs a 'package'", section);
    } else {
        ref->package = get_file(c, sc, v, field, opts);
        ref->line = v->line;
        ref->col = v->col;
    }
    v = map_get(y, "allow_downgrade");
    if (v) {
        snprintf(field, sizeof(field), "%s.allow_downgrade", section);
        get_bool(c, v, field, &ref->allow_downgrade);
        if (strcmp(section, "update") != 0)
            err_at(c, v, "'allow_downgrade' only applies to 'update'");
    }
    v = map_get(y, "validator");
    if (v) {
        if (strcmp(section, "update") != 0)
            err_at(c, v, "'validator' only applies to 'update' (it judges the candidate)");
        else
            parse_validator(c, sc, v);
    }
}

static void parse_trust(struct ctx *c, struct rg_scenario *sc, const struct ynode *y,
                        const struct rg_scenario_opts *opts)
{
    static const char *const keys[] = {"keys", NULL};
    const struct ynode *list;

    if (!check_keys(c, y, "trust", keys))
        return;
    list = map_get(y, "keys");
    if (!list) {
        err_at(c, y, "'trust' needs 'keys', a list of public key files");
        return;
    }
    if (!expect_kind(c, list, YNODE_SEQ, "trust.keys"))
        return;
    if (list->n == 0)
        err_at(c, list, "'trust.keys' is empty: no signature could ever be accepted");
    sc->trust_keys = calloc(list->n + 1, sizeof(char *));
    for (size_t i = 0; i < list->n; i++) {
        char *k = get_file(c, sc, list->kids[i], "trust.keys", opts);
        if (k)
            sc->trust_keys[sc->ntrust_keys++] = k;
    }
}

/* Matrix lists accept a single value as a one-element list. */
static const struct ynode *const *list_items(const struct ynode *const *slot, size_t *n)
{
    if ((*slot)->kind == YNODE_SEQ) {
        *n = (*slot)->n;
        return (const struct ynode *const *)(*slot)->kids;
    }
    *n = 1;
    return slot;
}

static bool image_name_ok(struct ctx *c, const struct ynode *y, const char *field,
                          const struct rg_catalog *cat, char *out)
{
    if (!expect_kind(c, y, YNODE_SCALAR, field))
        return false;
    if (!valid_name(y->str, RG_IMAGE_NAME_MAX - 1)) {
        err_at(c, y, "'%s': '%s' is not an image name ([a-z0-9-]+)", field, y->str);
        return false;
    }
    if (cat && !rg_catalog_find(cat, y->str)) {
        char list[256] = "";
        for (size_t i = 0; i < cat->nimages; i++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                     cat->images[i].name);
        }
        err_at(c, y, "'%s': no image '%s' in the catalogue %s (it has: %s)", field, y->str,
               cat->path, list);
        return false;
    }
    snprintf(out, RG_IMAGE_NAME_MAX, "%s", y->str);
    return true;
}

static void parse_int_list(struct ctx *c, const struct ynode *y, const char *field, long min,
                           long max, int **out, size_t *nout)
{
    size_t n;
    const struct ynode *const *items = list_items(&y, &n);

    if (n == 0) {
        err_at(c, y, "'%s' is empty", field);
        return;
    }
    if (n > LIST_MAX) {
        err_at(c, y, "'%s' has %zu values, at most %d are allowed", field, n, LIST_MAX);
        return;
    }
    *out = calloc(n, sizeof(int));
    for (size_t i = 0; i < n; i++)
        if (get_int(c, items[i], field, min, max, &(*out)[*nout]))
            (*nout)++;
}

#define VCPUS_MAX 64
#define MEMORY_MIN 64
#define MEMORY_MAX (1024 * 1024)

static void parse_rule(struct ctx *c, const struct ynode *y, const char *section, bool complete,
                       const struct rg_catalog *cat, struct rg_matrix_rule *r)
{
    static const char *const keys[] = {"image", "vcpus", "memory_mib", NULL};
    const struct ynode *v;
    char field[64];

    r->line = y->line;
    r->col = y->col;
    if (!check_keys(c, y, section, keys))
        return;
    if (y->n == 0)
        err_at(c, y, "an entry of '%s' names no key: it would match every cell", section);
    snprintf(field, sizeof(field), "%s.image", section);
    if ((v = map_get(y, "image")))
        r->has_image = image_name_ok(c, v, field, cat, r->image);
    snprintf(field, sizeof(field), "%s.vcpus", section);
    if ((v = map_get(y, "vcpus")))
        r->has_vcpus = get_int(c, v, field, 1, VCPUS_MAX, &r->vcpus);
    snprintf(field, sizeof(field), "%s.memory_mib", section);
    if ((v = map_get(y, "memory_mib")))
        r->has_memory = get_int(c, v, field, MEMORY_MIN, MEMORY_MAX, &r->memory_mib);
    if (complete)
        for (size_t i = 0; keys[i]; i++)
            if (!map_get(y, keys[i]))
                err_at(c, y, "an entry of '%s' needs '%s' (includes name whole cells)", section,
                       keys[i]);
}

static void parse_rules(struct ctx *c, const struct ynode *y, const char *section, bool complete,
                        const struct rg_catalog *cat, struct rg_matrix_rule **out, size_t *n)
{
    if (!expect_kind(c, y, YNODE_SEQ, section))
        return;
    *out = calloc(y->n + 1, sizeof(**out));
    for (size_t i = 0; i < y->n; i++)
        parse_rule(c, y->kids[i], section, complete, cat, &(*out)[(*n)++]);
}

static void parse_matrix(struct ctx *c, struct rg_scenario *sc, const struct ynode *y,
                         const struct ynode *key, const struct rg_catalog *cat)
{
    static const char *const keys[] = {"image", "vcpus", "memory_mib", "exclude", "include",
                                       NULL};
    struct rg_matrix_spec *m = &sc->matrix;
    const struct ynode *v;

    m->line = key->line;
    m->col = key->col;
    if (!check_keys(c, y, "matrix", keys))
        return;
    v = map_get(y, "image");
    if (!v) {
        err_at(c, y, "'matrix' needs 'image', the list of images to boot");
    } else {
        size_t n;
        const struct ynode *const *items = list_items(&v, &n);

        if (n == 0)
            err_at(c, v, "'matrix.image' is empty");
        m->images = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n && n <= LIST_MAX; i++) {
            char name[RG_IMAGE_NAME_MAX];
            if (image_name_ok(c, items[i], "matrix.image", cat, name))
                m->images[m->nimages++] = strdup(name);
        }
    }
    if ((v = map_get(y, "vcpus")))
        parse_int_list(c, v, "matrix.vcpus", 1, VCPUS_MAX, &m->vcpus, &m->nvcpus);
    else {
        m->vcpus = calloc(1, sizeof(int));
        m->vcpus[m->nvcpus++] = 1;
    }
    if ((v = map_get(y, "memory_mib")))
        parse_int_list(c, v, "matrix.memory_mib", MEMORY_MIN, MEMORY_MAX, &m->memory_mib,
                       &m->nmemory);
    else {
        m->memory_mib = calloc(1, sizeof(int));
        m->memory_mib[m->nmemory++] = 256;
    }
    if ((v = map_get(y, "exclude")))
        parse_rules(c, v, "matrix.exclude", false, cat, &m->exclude, &m->nexclude);
    if ((v = map_get(y, "include")))
        parse_rules(c, v, "matrix.include", true, cat, &m->include, &m->ninclude);
}

static void parse_boot(struct ctx *c, struct rg_scenario *sc, const struct ynode *y)
{
    static const char *const keys[] = {"timeout_s",      "reboots", "soak_s", "probe_s",
                                       "unresponsive_s", NULL};
    const struct ynode *v;

    if (!check_keys(c, y, "boot", keys))
        return;
    if ((v = map_get(y, "timeout_s")))
        get_int(c, v, "boot.timeout_s", 1, 3600, &sc->boot.timeout_s);
    if ((v = map_get(y, "reboots")))
        get_int(c, v, "boot.reboots", 0, 100, &sc->boot.reboots);
    if ((v = map_get(y, "soak_s")))
        get_int(c, v, "boot.soak_s", 0, 3600, &sc->boot.soak_s);
    if ((v = map_get(y, "probe_s")))
        get_int(c, v, "boot.probe_s", 0, 60, &sc->boot.probe_s);
    if ((v = map_get(y, "unresponsive_s")))
        get_int(c, v, "boot.unresponsive_s", 2, 600, &sc->boot.unresponsive_s);
}

static const char *const workload_names[] = {"cpu", "syscall", "fileio", "boot", "custom", NULL};
static const char *const clock_names[] = {"wall", "icount", NULL};

static void parse_performance(struct ctx *c, struct rg_perf_check *p, const struct ynode *y)
{
    static const char *const keys[] = {"workload",   "command",     "samples",
                                       "max_samples", "inconclusive", "max_regression_pct",
                                       "alpha",      "clock",       "metric",
                                       "iterations", NULL};
    const struct ynode *v;
    struct rg_perf_design d;
    int choice;

    if (!check_keys(c, y, "checks.performance", keys))
        return;
    p->enabled = true;
    if ((v = map_get(y, "workload")) &&
        get_choice(c, v, "checks.performance.workload", workload_names, &choice))
        p->workload = (enum rg_workload)choice;
    if ((v = map_get(y, "command")))
        get_string(c, v, "checks.performance.command", &p->command);
    if (p->workload == RG_WORKLOAD_CUSTOM && !p->command)
        err_at(c, y, "'checks.performance' with workload 'custom' needs a 'command'");
    if (p->workload != RG_WORKLOAD_CUSTOM && p->command)
        err_at(c, map_get(y, "command"),
               "'checks.performance.command' is only used with workload 'custom'");
    if ((v = map_get(y, "samples")))
        get_int(c, v, "checks.performance.samples", 1, 1000, &p->samples);
    p->max_samples = 3 * p->samples;
    if ((v = map_get(y, "max_samples")) &&
        get_int(c, v, "checks.performance.max_samples", 1, 3000, &p->max_samples) &&
        p->max_samples < p->samples)
        err_at(c, v, "'checks.performance.max_samples' is %d, fewer than samples (%d)",
               p->max_samples, p->samples);
    if ((v = map_get(y, "inconclusive")) &&
        get_choice(c, v, "checks.performance.inconclusive", rg_action_names, &choice))
        p->inconclusive = (enum rg_action)choice;
    if ((v = map_get(y, "max_regression_pct")))
        get_double(c, v, "checks.performance.max_regression_pct", 0, 1000, true,
                   &p->max_regression_pct);
    if ((v = map_get(y, "alpha")))
        get_double(c, v, "checks.performance.alpha", 0, 0.5, true, &p->alpha);
    if ((v = map_get(y, "clock")) && get_choice(c, v, "checks.performance.clock", clock_names,
                                                &choice)) {
        p->clock = (enum rg_clock)choice;
        p->clock_line = v->line;
        p->clock_col = v->col;
    }
    if ((v = map_get(y, "iterations")))
        get_int(c, v, "checks.performance.iterations", 1, 10000000, &p->iterations);
    if (p->workload == RG_WORKLOAD_CUSTOM && map_get(y, "iterations"))
        err_at(c, map_get(y, "iterations"),
               "'checks.performance.iterations' sizes a built-in workload; a custom "
               "command sizes itself");
    if ((v = map_get(y, "metric")) && get_string(c, v, "checks.performance.metric", &p->metric) &&
        p->workload != RG_WORKLOAD_CUSTOM && strcmp(p->metric, "wall") != 0 &&
        strcmp(p->metric, "cpu") != 0)
        err_at(c, v, "'checks.performance.metric' of a built-in workload is 'wall' or 'cpu', "
                     "not '%s'", p->metric);
    /* A sample size whose interval can never exclude anything makes a gate that never blocks. */
    rg_perf_design_init(&d, p->samples, p->max_samples, p->alpha, p->max_regression_pct);
    if (p->samples < rg_perf_design_min_samples(&d))
        err_at(c, map_get(y, "samples") ? map_get(y, "samples") : y,
               "'checks.performance.samples' is %d: the first of %d look%s (alpha %g split "
               "over them, up to max_samples %d) needs a %.4g %% interval, which %d paired "
               "samples cannot reach; use at least %d",
               p->samples, d.looks, d.looks == 1 ? "" : "s", p->alpha, p->max_samples,
               100 * (1 - d.alpha_look), p->samples, rg_perf_design_min_samples(&d));
}

static void parse_checks(struct ctx *c, struct rg_scenario *sc, const struct ynode *y)
{
    static const char *const keys[] = {"crash", "warning", "boot_loop", "hang", "oom",
                                       "performance", "memory", "stress", "rollback", NULL};
    static const char *const mem_keys[] = {"max_growth_mib", NULL};
    static const char *const stress_keys[] = {"cpu", "vm_mib", "io", NULL};
    struct rg_checks *k = &sc->checks;
    enum rg_action *actions[] = {&k->crash, &k->warning, &k->boot_loop, &k->hang, &k->oom};
    const struct ynode *v;

    if (!check_keys(c, y, "checks", keys))
        return;
    for (size_t i = 0; i < 5; i++) {
        char field[32];
        int choice;

        snprintf(field, sizeof(field), "checks.%s", keys[i]);
        if ((v = map_get(y, keys[i])) && get_choice(c, v, field, rg_action_names, &choice))
            *actions[i] = (enum rg_action)choice;
    }
    if ((v = map_get(y, "performance")))
        parse_performance(c, &k->performance, v);
    if ((v = map_get(y, "memory")) && check_keys(c, v, "checks.memory", mem_keys)) {
        const struct ynode *g = map_get(v, "max_growth_mib");
        k->memory.enabled = true;
        if (!g)
            err_at(c, v, "'checks.memory' needs 'max_growth_mib'");
        else
            get_double(c, g, "checks.memory.max_growth_mib", 0, 1024 * 1024, true,
                       &k->memory.max_growth_mib);
    }
    if ((v = map_get(y, "stress")) && check_keys(c, v, "checks.stress", stress_keys)) {
        const struct ynode *w;
        k->stress.enabled = true;
        if ((w = map_get(v, "cpu")))
            get_int(c, w, "checks.stress.cpu", 0, 64, &k->stress.cpu);
        if ((w = map_get(v, "vm_mib")))
            get_int(c, w, "checks.stress.vm_mib", 0, 64 * 1024, &k->stress.vm_mib);
        if ((w = map_get(v, "io")))
            get_int(c, w, "checks.stress.io", 0, 64, &k->stress.io);
        if (!k->stress.cpu && !k->stress.vm_mib && !k->stress.io)
            err_at(c, v, "'checks.stress' starts no load: give cpu, vm_mib or io above 0");
    }
    if ((v = map_get(y, "rollback")))
        get_bool(c, v, "checks.rollback", &k->rollback);
}

static void parse_gate(struct ctx *c, struct rg_scenario *sc, const struct ynode *y)
{
    static const char *const keys[] = {"fail_fast", "jobs", "retries", NULL};
    const struct ynode *v;

    if (!check_keys(c, y, "gate", keys))
        return;
    if ((v = map_get(y, "fail_fast")))
        get_bool(c, v, "gate.fail_fast", &sc->gate.fail_fast);
    if ((v = map_get(y, "jobs")))
        get_int(c, v, "gate.jobs", 1, 256, &sc->gate.jobs);
    if ((v = map_get(y, "retries")))
        get_int(c, v, "gate.retries", 0, RG_GATE_RETRIES_MAX, &sc->gate.retries);
}

/* ---- guest: the scenario's layer of the guest contract (model/guest.h) ---- */

static void get_argv(struct ctx *c, const struct ynode *y, const char *field, char ***out)
{
    const char *words[RG_GUEST_ARGV_MAX];

    if (!expect_kind(c, y, YNODE_SEQ, field))
        return;
    if (y->n == 0 || y->n > RG_GUEST_ARGV_MAX) {
        err_at(c, y, "'%s' must hold 1 to %d words (the program, then its arguments)", field,
               RG_GUEST_ARGV_MAX);
        return;
    }
    for (size_t i = 0; i < y->n; i++) {
        if (!expect_kind(c, y->kids[i], YNODE_SCALAR, field))
            return;
        if (is_null(y->kids[i])) {
            err_at(c, y->kids[i], "'%s' must not hold an empty word", field);
            return;
        }
        words[i] = y->kids[i]->str;
    }
    if (words[0][0] != '/') {
        err_at(c, y->kids[0], "'%s' must start with the program's absolute path in the guest, "
                              "got '%s'", field, words[0]);
        return;
    }
    rg_guest_argv_free(*out);
    *out = rg_guest_argv_new(words, y->n);
}

static void get_regex(struct ctx *c, const struct ynode *y, const char *field, char **pat,
                      struct rg_guest_regex **re)
{
    char msg[256];
    size_t off = 0;

    if (!get_string(c, y, field, pat))
        return;
    if (rg_guest_regex_compile(*pat, re, msg, sizeof(msg), &off) < 0)
        err_at(c, y, "'%s' is not a valid PCRE2 pattern: %s at offset %zu", field, msg, off);
}

static void parse_guest(struct ctx *c, struct rg_guest *g, const struct ynode *y)
{
    const struct ynode *part, *v;
    bool agent;

    if (!check_keys(c, y, "guest", rg_guest_keys))
        return;
    if ((part = map_get(y, "ready")) &&
        check_keys(c, part, "guest.ready", rg_guest_ready_keys)) {
        if ((v = map_get(part, "pattern")))
            get_regex(c, v, "guest.ready.pattern", &g->ready_pattern, &g->ready_re);
        if ((v = map_get(part, "agent")) && get_bool(c, v, "guest.ready.agent", &agent))
            g->ready_agent = agent ? RG_GUEST_AGENT_YES : RG_GUEST_AGENT_NO;
        if ((v = map_get(part, "command")))
            get_argv(c, v, "guest.ready.command", &g->ready_command);
    }
    if ((part = map_get(y, "install")) &&
        check_keys(c, part, "guest.install", rg_guest_install_keys)) {
        if ((v = map_get(part, "command")))
            get_argv(c, v, "guest.install.command", &g->install_command);
        if ((v = map_get(part, "timeout_s")))
            get_int(c, v, "guest.install.timeout_s", 1, 3600, &g->install_timeout_s);
        if ((v = map_get(part, "record")))
            get_regex(c, v, "guest.install.record", &g->install_record, &g->install_record_re);
    }
    if ((part = map_get(y, "versions")) &&
        check_keys(c, part, "guest.versions", rg_guest_versions_keys)) {
        if ((v = map_get(part, "command")))
            get_argv(c, v, "guest.versions.command", &g->versions_command);
        if ((v = map_get(part, "driver")))
            get_string(c, v, "guest.versions.driver", &g->versions_driver);
        if ((v = map_get(part, "content")))
            get_string(c, v, "guest.versions.content", &g->versions_content);
    }
    if ((part = map_get(y, "counters")) &&
        check_keys(c, part, "guest.counters", rg_guest_counters_keys) &&
        (v = map_get(part, "command")))
        get_argv(c, v, "guest.counters.command", &g->counters_command);
    if ((v = map_get(y, "safe_mode")) && get_string(c, v, "guest.safe_mode", &g->safe_mode) &&
        !g->safe_mode[strspn(g->safe_mode, " ")])
        err_at(c, v, "'guest.safe_mode' must be kernel arguments or none, not blank");
}

static void set_defaults(struct rg_scenario *sc)
{
    sc->boot = (struct rg_boot_spec){
        .timeout_s = 60, .reboots = 3, .soak_s = 15, .probe_s = 2, .unresponsive_s = 10};
    sc->checks.crash = RG_ACTION_BLOCK;
    sc->checks.warning = RG_ACTION_WARN;
    sc->checks.boot_loop = RG_ACTION_BLOCK;
    sc->checks.hang = RG_ACTION_BLOCK;
    sc->checks.oom = RG_ACTION_BLOCK;
    sc->checks.performance.workload = RG_WORKLOAD_CPU;
    sc->checks.performance.samples = 10;
    sc->checks.performance.max_samples = 30;
    sc->checks.performance.inconclusive = RG_ACTION_WARN;
    sc->checks.performance.max_regression_pct = 5;
    sc->checks.performance.alpha = 0.05;
    sc->gate.fail_fast = true;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static struct rg_catalog *load_catalog(struct ctx *c, struct rg_scenario *sc,
                                       const struct ynode *root,
                                       const struct rg_scenario_opts *opts)
{
    const struct ynode *v = map_get(root, "images");
    const char *env = getenv("RINGGATE_CATALOG");
    struct rg_catalog *cat = NULL;
    struct rg_error e;
    char found[4096];

    if (v) {
        sc->catalog = get_file(c, sc, v, "images", opts);
    } else if (env && *env) {
        sc->catalog = strdup(env);
    } else if (rg_catalog_locate(sc->dir, found, sizeof(found)) == 0) {
        sc->catalog = strdup(found);
    } else {
        if (opts->check_files)
            err_at(c, map_key(root, "matrix"),
                   "no image catalogue found (looked for images/catalog.json in the scenario's "
                   "folder and above); name one with 'images:' or RINGGATE_CATALOG");
        return NULL;
    }
    if (!sc->catalog || (!opts->check_files && access(sc->catalog, R_OK) != 0))
        return NULL;
    if (rg_catalog_load(sc->catalog, &cat, &e) < 0) {
        rg_errors_push(c->errs, &e);
        c->failed = true;
        return NULL;
    }
    return cat;
}

static void parse_root(struct ctx *c, struct rg_scenario *sc, const struct ynode *root,
                       const struct rg_scenario_opts *opts)
{
    static const char *const keys[] = {"name",  "description", "update", "baseline", "trust",
                                       "images", "matrix",     "boot",   "checks",   "gate",
                                       "guest", NULL};
    struct rg_catalog *cat;
    const struct ynode *v;

    if (!check_keys(c, root, "scenario", keys))
        return;
    v = map_get(root, "name");
    if (!v)
        err_at(c, root, "the scenario needs a 'name'");
    else if (get_string(c, v, "name", &sc->name) && !valid_name(sc->name, 64))
        err_at(c, v, "'name' must be 1 to 64 characters of [a-z0-9-], got '%s'", sc->name);
    if ((v = map_get(root, "description")) && !is_null(v))
        get_string(c, v, "description", &sc->description);
    v = map_get(root, "update");
    if (!v)
        err_at(c, root, "the scenario needs an 'update' (the candidate package under test)");
    else
        parse_pkg_ref(c, sc, v, "update", &sc->update, opts);
    if ((v = map_get(root, "baseline")))
        parse_pkg_ref(c, sc, v, "baseline", &sc->baseline, opts);
    v = map_get(root, "trust");
    if (!v)
        err_at(c, root, "the scenario needs 'trust.keys': packages are only run when signed");
    else
        parse_trust(c, sc, v, opts);
    cat = load_catalog(c, sc, root, opts);
    v = map_get(root, "matrix");
    if (!v)
        err_at(c, root, "the scenario needs a 'matrix' (at least 'image')");
    else
        parse_matrix(c, sc, v, map_key(root, "matrix"), cat);
    rg_catalog_free(cat);
    if ((v = map_get(root, "boot")))
        parse_boot(c, sc, v);
    if ((v = map_get(root, "checks")))
        parse_checks(c, sc, v);
    if ((v = map_get(root, "gate")))
        parse_gate(c, sc, v);
    if ((v = map_get(root, "guest")))
        parse_guest(c, &sc->guest, v);

    /* Checks that compare the candidate with production need production's package. */
    if (!sc->baseline.package && !map_get(root, "baseline")) {
        const struct ynode *checks = map_get(root, "checks");
        const char *need[] = {"performance", "memory", "rollback"};
        for (size_t i = 0; i < 3; i++) {
            const struct ynode *k = map_key(checks, need[i]);
            if (!k || (i == 2 && !sc->checks.rollback))
                continue;
            err_at(c, k, "'checks.%s' needs a 'baseline' package to compare with", need[i]);
        }
    }
}

static int error_cmp(const void *a, const void *b)
{
    const struct rg_error *x = a, *y = b;

    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return 0;
}

/* Errors in file order read like a compiler's; insertion sort keeps equal positions stable. */
static void sort_errors(struct rg_errors *errs, size_t from)
{
    for (size_t i = from + 1; i < errs->n; i++) {
        struct rg_error e = errs->v[i];
        size_t j = i;
        while (j > from && error_cmp(&errs->v[j - 1], &e) > 0) {
            errs->v[j] = errs->v[j - 1];
            j--;
        }
        errs->v[j] = e;
    }
}

/* QEMU 7.2's TCG under -icount never finishes bringing up a second vCPU (the guest stops at
 * "x86: Booting SMP configuration", with or without sleep, at any shift): a gate whose cells
 * cannot boot would block every update, so the combination is refused here. */
static void check_icount_cells(struct ctx *c, const struct rg_scenario *sc)
{
    const struct rg_perf_check *p = &sc->checks.performance;

    if (!p->enabled || p->clock != RG_CLOCK_ICOUNT)
        return;
    for (size_t i = 0; i < sc->ncells; i++) {
        if (sc->cells[i].vcpus > 1) {
            rg_errors_add(c->errs, c->path, p->clock_line, p->clock_col,
                          "'checks.performance.clock' icount needs 1-vCPU cells, but cell '%s' "
                          "has %d: QEMU's TCG hangs bringing up a second vCPU under -icount "
                          "(use clock: wall, or vcpus: [1])",
                          sc->cells[i].id, sc->cells[i].vcpus);
            c->failed = true;
            return;
        }
    }
}

int rg_scenario_parse(const char *path, const char *data, size_t len,
                      const struct rg_scenario_opts *opts, struct rg_scenario **out,
                      struct rg_errors *errs)
{
    struct rg_scenario *sc = calloc(1, sizeof(*sc));
    struct ctx c = {.path = path, .errs = errs};
    struct ynode *root = NULL;
    size_t first_error = errs->n;

    if (!sc)
        abort();
    sc->path = strdup(path);
    sc->dir = dir_of(path);
    set_defaults(sc);
    if (len > SCENARIO_MAX_BYTES) {
        err_at(&c, NULL, "the file is %zu bytes, larger than the %d allowed", len,
               SCENARIO_MAX_BYTES);
        goto out;
    }
    if (yaml_read_tree(path, data, len, &root, errs) < 0) {
        c.failed = true;
        goto out;
    }
    if (!root || is_null(root)) {
        err_at(&c, NULL, "the file is empty: a scenario needs at least name, update, trust "
                         "and matrix");
        goto out;
    }
    parse_root(&c, sc, root, opts);
    if (!c.failed &&
        rg_matrix_expand(&sc->matrix, path, &sc->cells, &sc->ncells, errs) < 0)
        c.failed = true;
    if (!c.failed)
        check_icount_cells(&c, sc);
out:
    ynode_free(root);
    sort_errors(errs, first_error);
    if (c.failed) {
        rg_scenario_free(sc);
        return -1;
    }
    *out = sc;
    return 0;
}

int rg_scenario_load(const char *path, const struct rg_scenario_opts *opts,
                     struct rg_scenario **out, struct rg_errors *errs)
{
    unsigned char *data;
    size_t len;
    struct rg_error e;
    int rc;

    /* A FIFO or device named as a scenario is refused, not waited on. */
    if (rg_file_read(path, SCENARIO_MAX_BYTES, &data, &len, &e) < 0) {
        rg_errors_push(errs, &e);
        return -1;
    }
    rc = rg_scenario_parse(path, (const char *)data, len, opts, out, errs);
    free(data);
    return rc;
}

void rg_scenario_free(struct rg_scenario *sc)
{
    if (!sc)
        return;
    free(sc->path);
    free(sc->dir);
    free(sc->name);
    free(sc->description);
    free(sc->update.package);
    free(sc->baseline.package);
    for (size_t i = 0; i < sc->validator.argc; i++)
        free(sc->validator.argv[i]);
    free(sc->validator.argv);
    for (size_t i = 0; i < sc->ntrust_keys; i++)
        free(sc->trust_keys[i]);
    free(sc->trust_keys);
    free(sc->catalog);
    rg_matrix_spec_free(&sc->matrix);
    free(sc->cells);
    free(sc->checks.performance.command);
    free(sc->checks.performance.metric);
    rg_guest_fini(&sc->guest);
    free(sc);
}

const char *rg_workload_name(enum rg_workload w)
{
    return workload_names[w];
}

int rg_scenario_cell_estimate_s(const struct rg_scenario *sc)
{
    /* Measured here: a tiny guest boots to ready in about 2 s under TCG, debian12 in 7-13 s;
     * 8 s a boot, start and teardown included, sits between them. Each cell boots the
     * baseline, the candidate's reboots, and with rollback two more boots. */
    const int boot_s = 8;
    int boots = 2 + sc->boot.reboots + (sc->checks.rollback ? 2 : 0);
    int cell_s = boots * (boot_s + sc->boot.soak_s);

    if (sc->checks.performance.enabled)
        /* Typically decided at the first look; an undecided metric takes up to max_samples. */
        cell_s += sc->checks.performance.samples * 2 * 3 + 2 * boot_s;
    return cell_s;
}

int rg_scenario_estimate_s(const struct rg_scenario *sc, int jobs)
{
    int cell_s = rg_scenario_cell_estimate_s(sc);
    size_t waves;

    if (jobs < 1)
        jobs = 1;
    waves = (sc->ncells + (size_t)jobs - 1) / (size_t)jobs;
    return (int)waves * cell_s;
}

int rg_scenario_jobs(const struct rg_scenario *sc, int cli_jobs)
{
    long cores;

    if (cli_jobs > 0)
        return cli_jobs;
    if (sc->gate.jobs > 0)
        return sc->gate.jobs;
    cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (int)cores : 1;
}

void rg_yaml_version(char *out, size_t size)
{
    snprintf(out, size, "%s", yaml_get_version_string());
}
