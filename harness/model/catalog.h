/* The image catalogue (images/catalog.json): what each matrix image name boots. */
#ifndef RG_CATALOG_H
#define RG_CATALOG_H

#include <stddef.h>

#include "model/guest.h"
#include "util/error.h"

struct rg_image {
    char *name, *description;
    char *kernel, *initrd, *disk; /* resolved against the catalogue's folder */
    char *cmdline;
    char *machine, *firmware, *boot;
    int memory_mib;
    int ready_timeout_s;
    struct rg_guest guest; /* the image's guest contract (unset parts: the default) */
};

struct rg_catalog {
    char *path;
    struct rg_image *images;
    size_t nimages;
};

int rg_catalog_load(const char *path, struct rg_catalog **out, struct rg_error *err);
const struct rg_image *rg_catalog_find(const struct rg_catalog *cat, const char *name);
/* Finds images/catalog.json in start_dir or a folder above it; 0 and out filled if found. */
int rg_catalog_locate(const char *start_dir, char *out, size_t size);
void rg_catalog_free(struct rg_catalog *cat);

#endif
