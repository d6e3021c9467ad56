/* What every package the reader accepts must satisfy, checked by both package fuzzers. */
#ifndef RG_FUZZ_PACKAGE_INVARIANTS_H
#define RG_FUZZ_PACKAGE_INVARIANTS_H

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "package/package.h"

/* No control character reaches a terminal from a shown field. */
static bool printable(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

/* Relative, under files/, no empty, '.'-led or '-'-led part, nothing but [A-Za-z0-9._-/]. */
static bool canonical(const char *path)
{
    if (strncmp(path, "files/", 6) != 0 || path[strlen(path) - 1] == '/' || strstr(path, "//") ||
        strstr(path, "/.") || strstr(path, "/-") ||
        strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-/") !=
            strlen(path))
        return false;
    return true;
}

/* Traps unless an accepted (parsed) package is self-consistent; then runs what follows
 * acceptance in verify and run: the content validator and the version check. */
static void check_accepted(const struct rg_package *p)
{
    struct rg_errors errs = {0};
    struct rg_error err;

    if (!p->parsed || !p->name || !p->kind || !p->version || p->nfiles == 0 ||
        p->nfiles != p->nmembers)
        __builtin_trap();
    if ((strcmp(p->kind, "content") && strcmp(p->kind, "driver")) || p->version[0] == '.' ||
        p->version[0] == '-' || strchr(p->version, '/') || strlen(p->version) > 32)
        __builtin_trap();
    if (!printable(p->description) || !printable(p->target_sensor) || !printable(p->target_kernel))
        __builtin_trap();
    for (size_t i = 0; i < p->nfiles; i++) {
        const struct rg_package_file *f = &p->files[i];
        char hex[RG_SHA256_HEX];

        if (!f->data || !canonical(f->path) || (f->mode != 0644 && f->mode != 0755))
            __builtin_trap();
        rg_sha256_hex(f->data, f->size, hex);
        if (strcmp(hex, f->sha256) != 0)
            __builtin_trap();
        /* One spelling per file: no twin, in any case, and no file inside another. */
        for (size_t j = 0; j < i; j++) {
            size_t a = strlen(f->path), b = strlen(p->files[j].path), n = a < b ? a : b;
            if (strncasecmp(f->path, p->files[j].path, n) == 0 &&
                (a == b || (a > b ? f->path[n] : p->files[j].path[n]) == '/'))
                __builtin_trap();
        }
    }
    rg_package_validate_channels(p, 20, &errs);
    rg_errors_free(&errs);
    if (rg_package_check_version(p, p, false, &err) != 0)
        __builtin_trap();
}

#endif
