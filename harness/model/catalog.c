/* Reads the image catalogue, a JSON file written by hand next to the image recipes. */
#include "model/catalog.h"

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *path_join_dir(const char *file, const char *rel)
{
    const char *slash = strrchr(file, '/');
    int dirlen = slash ? (int)(slash - file) : 1;
    const char *dir = slash ? file : ".";
    char *out;

    if (rel[0] == '/')
        return strdup(rel);
    if (asprintf(&out, "%.*s/%s", dirlen, dir, rel) < 0)
        return NULL;
    return out;
}

static int image_string(json_t *obj, const char *key, bool required, char **out,
                        const char *path, const char *name, struct rg_error *err)
{
    json_t *v = json_object_get(obj, key);

    if (!v) {
        if (!required)
            return 0;
        return rg_error_set(err, path, 0, 0, "image '%s' has no '%s'", name, key);
    }
    if (!json_is_string(v))
        return rg_error_set(err, path, 0, 0, "image '%s': '%s' must be a string", name, key);
    *out = strdup(json_string_value(v));
    return 0;
}

/* ---- The image's guest contract ---- */

struct gctx {
    const char *path, *name; /* the catalogue, the image */
    struct rg_error *err;
};

static int gerr(struct gctx *g, const char *key, const char *what)
{
    return rg_error_set(g->err, g->path, 0, 0, "image '%s': 'guest.%s' %s", g->name, key, what);
}

/* Every key of obj must be one of allowed: a typo is an error with a suggestion. */
static int guest_keys(struct gctx *g, json_t *obj, const char *where, const char *const *allowed)
{
    const char *key;
    json_t *v;

    if (!json_is_object(obj))
        return rg_error_set(g->err, g->path, 0, 0, "image '%s': '%s' must be an object",
                            g->name, where);
    json_object_foreach(obj, key, v)
    {
        bool known = false;
        const char *hint;

        for (size_t i = 0; allowed[i]; i++)
            known = known || strcmp(key, allowed[i]) == 0;
        if (known)
            continue;
        hint = rg_closest(key, allowed);
        return rg_error_set(g->err, g->path, 0, 0, "image '%s': unknown key '%s' in '%s'%s%s%s",
                            g->name, key, where, hint ? " (did you mean '" : "",
                            hint ? hint : "", hint ? "'?)" : "");
    }
    return 0;
}

static int guest_str(struct gctx *g, json_t *v, const char *key, char **out)
{
    if (!json_is_string(v) || !json_string_value(v)[0])
        return gerr(g, key, "must be a non-empty string");
    *out = strdup(json_string_value(v));
    return 0;
}

static int guest_argv(struct gctx *g, json_t *v, const char *key, char ***out)
{
    const char *words[RG_GUEST_ARGV_MAX];
    size_t i, n = json_array_size(v);
    json_t *w;

    if (!json_is_array(v) || n == 0 || n > RG_GUEST_ARGV_MAX)
        return gerr(g, key, "must be a list of 1 to 16 strings (the program, then its arguments)");
    json_array_foreach(v, i, w)
    {
        if (!json_is_string(w) || !json_string_value(w)[0])
            return gerr(g, key, "must hold non-empty strings only");
        words[i] = json_string_value(w);
    }
    if (words[0][0] != '/')
        return gerr(g, key, "must start with the program's absolute path in the guest");
    *out = rg_guest_argv_new(words, n);
    return 0;
}

static int guest_regex(struct gctx *g, json_t *v, const char *key, char **pat,
                       struct rg_guest_regex **re)
{
    char msg[256], what[400];
    size_t off = 0;

    if (guest_str(g, v, key, pat) < 0)
        return -1;
    if (rg_guest_regex_compile(*pat, re, msg, sizeof(msg), &off) == 0)
        return 0;
    snprintf(what, sizeof(what), "is not a valid PCRE2 pattern: %s at offset %zu", msg, off);
    return gerr(g, key, what);
}

static int guest_load(json_t *obj, const char *path, const char *name, struct rg_guest *out,
                      struct rg_error *err)
{
    struct gctx g = {.path = path, .name = name, .err = err};
    json_t *part, *v;

    if (guest_keys(&g, obj, "guest", rg_guest_keys) < 0)
        return -1;
    if ((part = json_object_get(obj, "ready"))) {
        if (guest_keys(&g, part, "guest.ready", rg_guest_ready_keys) < 0)
            return -1;
        if ((v = json_object_get(part, "pattern")) &&
            guest_regex(&g, v, "ready.pattern", &out->ready_pattern, &out->ready_re) < 0)
            return -1;
        if ((v = json_object_get(part, "agent"))) {
            if (!json_is_boolean(v))
                return gerr(&g, "ready.agent", "must be true or false");
            out->ready_agent = json_is_true(v) ? RG_GUEST_AGENT_YES : RG_GUEST_AGENT_NO;
        }
        if ((v = json_object_get(part, "command")) &&
            guest_argv(&g, v, "ready.command", &out->ready_command) < 0)
            return -1;
    }
    if ((part = json_object_get(obj, "install"))) {
        if (guest_keys(&g, part, "guest.install", rg_guest_install_keys) < 0)
            return -1;
        if ((v = json_object_get(part, "command")) &&
            guest_argv(&g, v, "install.command", &out->install_command) < 0)
            return -1;
        if ((v = json_object_get(part, "timeout_s"))) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 ||
                json_integer_value(v) > 3600)
                return gerr(&g, "install.timeout_s", "must be an integer from 1 to 3600");
            out->install_timeout_s = (int)json_integer_value(v);
        }
        if ((v = json_object_get(part, "record")) &&
            guest_regex(&g, v, "install.record", &out->install_record,
                        &out->install_record_re) < 0)
            return -1;
    }
    if ((part = json_object_get(obj, "versions"))) {
        if (guest_keys(&g, part, "guest.versions", rg_guest_versions_keys) < 0)
            return -1;
        if ((v = json_object_get(part, "command")) &&
            guest_argv(&g, v, "versions.command", &out->versions_command) < 0)
            return -1;
        if ((v = json_object_get(part, "driver")) &&
            guest_str(&g, v, "versions.driver", &out->versions_driver) < 0)
            return -1;
        if ((v = json_object_get(part, "content")) &&
            guest_str(&g, v, "versions.content", &out->versions_content) < 0)
            return -1;
    }
    if ((part = json_object_get(obj, "counters"))) {
        if (guest_keys(&g, part, "guest.counters", rg_guest_counters_keys) < 0)
            return -1;
        if ((v = json_object_get(part, "command")) &&
            guest_argv(&g, v, "counters.command", &out->counters_command) < 0)
            return -1;
    }
    if ((v = json_object_get(obj, "safe_mode")) &&
        guest_str(&g, v, "safe_mode", &out->safe_mode) < 0)
        return -1;
    return 0;
}

static int image_load(json_t *obj, const char *name, const char *path, struct rg_image *img,
                      struct rg_error *err)
{
    char *kernel = NULL, *initrd = NULL, *disk = NULL;
    json_t *mem = json_object_get(obj, "memory_mib"), *tmo = json_object_get(obj,
                                                                              "ready_timeout_s");
    int rc = -1;

    img->name = strdup(name);
    if (!json_is_object(obj)) {
        rg_error_set(err, path, 0, 0, "image '%s' must be an object", name);
        goto out;
    }
    if (image_string(obj, "kernel", true, &kernel, path, name, err) < 0 ||
        image_string(obj, "initrd", true, &initrd, path, name, err) < 0 ||
        image_string(obj, "disk", true, &disk, path, name, err) < 0 ||
        image_string(obj, "cmdline", true, &img->cmdline, path, name, err) < 0 ||
        image_string(obj, "description", false, &img->description, path, name, err) < 0 ||
        image_string(obj, "machine", false, &img->machine, path, name, err) < 0 ||
        image_string(obj, "firmware", false, &img->firmware, path, name, err) < 0 ||
        image_string(obj, "boot", false, &img->boot, path, name, err) < 0)
        goto out;
    if (json_object_get(obj, "guest") &&
        guest_load(json_object_get(obj, "guest"), path, name, &img->guest, err) < 0)
        goto out;
    img->kernel = path_join_dir(path, kernel);
    img->initrd = path_join_dir(path, initrd);
    img->disk = path_join_dir(path, disk);
    if (!img->machine)
        img->machine = strdup("pc");
    img->memory_mib = json_is_integer(mem) ? (int)json_integer_value(mem) : 256;
    img->ready_timeout_s = json_is_integer(tmo) ? (int)json_integer_value(tmo) : 60;
    rc = 0;
out:
    free(kernel);
    free(initrd);
    free(disk);
    return rc;
}

int rg_catalog_load(const char *path, struct rg_catalog **out, struct rg_error *err)
{
    struct rg_catalog *cat = calloc(1, sizeof(*cat));
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr), *images, *v;
    const char *name;
    size_t i = 0;

    cat->path = strdup(path);
    if (!root) {
        rg_error_set(err, path, jerr.line, jerr.column, "cannot read image catalogue: %s",
                     jerr.text);
        goto fail;
    }
    images = json_object_get(root, "images");
    if (!json_is_object(images)) {
        rg_error_set(err, path, 0, 0, "the catalogue has no 'images' object");
        goto fail;
    }
    cat->images = calloc(json_object_size(images) + 1, sizeof(*cat->images));
    json_object_foreach(images, name, v)
    {
        if (image_load(v, name, path, &cat->images[i++], err) < 0) {
            cat->nimages = i;
            goto fail;
        }
    }
    cat->nimages = i;
    json_decref(root);
    *out = cat;
    return 0;
fail:
    json_decref(root);
    rg_catalog_free(cat);
    return -1;
}

const struct rg_image *rg_catalog_find(const struct rg_catalog *cat, const char *name)
{
    for (size_t i = 0; cat && i < cat->nimages; i++)
        if (strcmp(cat->images[i].name, name) == 0)
            return &cat->images[i];
    return NULL;
}

int rg_catalog_locate(const char *start_dir, char *out, size_t size)
{
    char dir[PATH_MAX];

    if (!realpath(start_dir, dir))
        return -1;
    for (int depth = 0; depth < 16; depth++) {
        char *slash;

        if (snprintf(out, size, "%s/images/catalog.json", strcmp(dir, "/") ? dir : "") <
                (int)size &&
            access(out, R_OK) == 0)
            return 0;
        slash = strrchr(dir, '/');
        if (!slash || slash == dir)
            break;
        *slash = '\0';
    }
    return -1;
}

void rg_catalog_free(struct rg_catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->nimages; i++) {
        struct rg_image *img = &cat->images[i];
        free(img->name);
        free(img->description);
        free(img->kernel);
        free(img->initrd);
        free(img->disk);
        free(img->cmdline);
        free(img->machine);
        free(img->firmware);
        free(img->boot);
        rg_guest_fini(&img->guest);
    }
    free(cat->images);
    free(cat->path);
    free(cat);
}
