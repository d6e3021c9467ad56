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
    }
    free(cat->images);
    free(cat->path);
    free(cat);
}
