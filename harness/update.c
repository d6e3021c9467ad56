/* Update packages: reading and checking archives (libarchive), signing and verifying (OpenSSL). */
#include "update.h"

#include "channel.h"
#include "sign.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Reading ---- */

static struct rg_package *package_new(const char *path)
{
    struct rg_package *p = calloc(1, sizeof(*p));

    if (!p)
        abort();
    p->path = strdup(path);
    return p;
}

void rg_package_free(struct rg_package *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nfiles; i++) {
        free(p->files[i].path);
        free(p->files[i].data);
    }
    free(p->files);
    free(p->path);
    free(p->name);
    free(p->kind);
    free(p->version);
    free(p->description);
    free(p->target_sensor);
    free(p->target_kernel);
    free(p->manifest);
    free(p);
}

/* Archive paths are relative, plain and below the package: no "/x", "..", "." or "a//b". */
static bool path_safe(const char *path)
{
    const char *p = path;

    if (!*p || *p == '/')
        return false;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);

        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)p[i] < 0x20 || p[i] == '\\')
                return false;
        p += n;
        if (*p == '/')
            p++;
    }
    return true;
}

struct entry {
    char *path;
    unsigned char *data;
    size_t size;
    unsigned mode;
};

static void entries_free(struct entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].path);
        free(v[i].data);
    }
    free(v);
}

static int read_entries(const char *name, const void *data, size_t len, struct entry **out,
                        size_t *nout, struct rg_error *err)
{
    struct archive *a = archive_read_new();
    struct archive_entry *ae;
    struct entry *v = NULL;
    size_t n = 0, total = 0;
    int r, rc = -1;

    archive_read_support_format_tar(a);
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        rg_error_set(err, name, 0, 0, "not a package (tar archive): %s",
                     archive_error_string(a));
        goto out;
    }
    while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
        const char *path = archive_entry_pathname(ae);
        la_int64_t size = archive_entry_size(ae);
        struct entry *e;

        if (!path || !path_safe(path)) {
            rg_error_set(err, name, 0, 0, "unsafe path in the archive: '%s'",
                         path ? path : "(none)");
            goto out;
        }
        if (archive_entry_filetype(ae) != AE_IFREG || archive_entry_hardlink(ae) ||
            archive_entry_symlink(ae)) {
            rg_error_set(err, name, 0, 0,
                         "'%s' is not a regular file (links, devices and folders are refused)",
                         path);
            goto out;
        }
        if (n >= RG_PKG_MAX_ENTRIES) {
            rg_error_set(err, name, 0, 0, "more than %d entries: refused as oversized",
                         RG_PKG_MAX_ENTRIES);
            goto out;
        }
        if (size < 0 || (size_t)size > RG_PKG_MAX_BYTES - total) {
            rg_error_set(err, name, 0, 0, "'%s' makes the package larger than %ld bytes", path,
                         RG_PKG_MAX_BYTES);
            goto out;
        }
        for (size_t i = 0; i < n; i++)
            if (strcmp(v[i].path, path) == 0) {
                rg_error_set(err, name, 0, 0, "duplicate entry '%s'", path);
                goto out;
            }
        v = realloc(v, (n + 1) * sizeof(*v));
        if (!v)
            abort();
        e = &v[n++];
        e->path = strdup(path);
        e->size = (size_t)size;
        e->mode = (unsigned)archive_entry_perm(ae);
        e->data = malloc(e->size + 1);
        if (!e->data)
            abort();
        if (archive_read_data(a, e->data, e->size) != (la_ssize_t)e->size) {
            rg_error_set(err, name, 0, 0, "'%s' is truncated: %s", path,
                         archive_error_string(a) ? archive_error_string(a) : "short read");
            goto out;
        }
        e->data[e->size] = 0;
        total += e->size;
    }
    if (r != ARCHIVE_EOF) {
        rg_error_set(err, name, 0, 0, "damaged archive: %s", archive_error_string(a));
        goto out;
    }
    rc = 0;
out:
    archive_read_free(a);
    if (rc < 0) {
        entries_free(v, n);
        return -1;
    }
    *out = v;
    *nout = n;
    return 0;
}

static bool valid_token(const char *s, size_t max, bool name)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = isalnum((unsigned char)c) || c == '.' || c == '-';
        if (name)
            ok = (islower((unsigned char)c) || isdigit((unsigned char)c) || c == '.' ||
                  c == '-') &&
                 (i > 0 || isalnum((unsigned char)c));
        if (!ok)
            return false;
    }
    return true;
}

static int manifest_string(json_t *m, const char *key, char **out, const char *name,
                           struct rg_error *err)
{
    json_t *v = json_object_get(m, key);

    if (!json_is_string(v))
        return rg_error_set(err, name, 0, 0, "manifest.json: '%s' must be a string", key);
    *out = strdup(json_string_value(v));
    return 0;
}

/* Checks the manifest's fields and that files/ in the archive are exactly the manifest's. */
static int parse_manifest(struct rg_package *p, struct entry *v, size_t n, const char *name,
                          struct rg_error *err)
{
    json_error_t jerr;
    json_t *m = json_loadb(p->manifest, p->manifest_len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *files, *target, *f;
    size_t i;
    int rc = -1;

    if (!m)
        return rg_error_set(err, name, 0, 0, "manifest.json:%d:%d: %s", jerr.line, jerr.column,
                            jerr.text);
    if (!json_is_object(m) || !json_is_string(json_object_get(m, "format")) ||
        strcmp(json_string_value(json_object_get(m, "format")), "ringgate.pkg/v1") != 0) {
        rg_error_set(err, name, 0, 0, "manifest.json: unknown format (expected "
                                      "\"format\": \"ringgate.pkg/v1\")");
        goto out;
    }
    if (manifest_string(m, "name", &p->name, name, err) < 0 ||
        manifest_string(m, "kind", &p->kind, name, err) < 0 ||
        manifest_string(m, "version", &p->version, name, err) < 0)
        goto out;
    if (!valid_token(p->name, 96, true) ||
        (strcmp(p->kind, "content") && strcmp(p->kind, "driver")) ||
        !valid_token(p->version, 32, false)) {
        rg_error_set(err, name, 0, 0,
                     "manifest.json: bad name, kind (content|driver) or version ('%s' '%s' "
                     "'%s')",
                     p->name, p->kind, p->version);
        goto out;
    }
    if (json_object_get(m, "description"))
        manifest_string(m, "description", &p->description, name, NULL);
    target = json_object_get(m, "target");
    if (json_is_object(target)) {
        if (json_is_string(json_object_get(target, "sensor")))
            p->target_sensor = strdup(json_string_value(json_object_get(target, "sensor")));
        if (json_is_string(json_object_get(target, "kernel")))
            p->target_kernel = strdup(json_string_value(json_object_get(target, "kernel")));
    }
    files = json_object_get(m, "files");
    if (!json_is_array(files)) {
        rg_error_set(err, name, 0, 0, "manifest.json: 'files' must be a list");
        goto out;
    }
    p->files = calloc(json_array_size(files) + 1, sizeof(*p->files));
    json_array_foreach(files, i, f)
    {
        const char *path = json_string_value(json_object_get(f, "path"));
        const char *sha = json_string_value(json_object_get(f, "sha256"));
        json_t *size = json_object_get(f, "size");
        struct rg_package_file *pf = &p->files[p->nfiles];
        struct entry *e = NULL;

        if (!path || !sha || !json_is_integer(size) || strncmp(path, "files/", 6) != 0 ||
            !path_safe(path)) {
            rg_error_set(err, name, 0, 0, "manifest.json: files[%zu] needs a safe 'path' under "
                                          "files/, 'sha256' and 'size'",
                         i);
            goto out;
        }
        for (size_t k = 0; k < n; k++)
            if (strcmp(v[k].path, path) == 0)
                e = &v[k];
        if (!e) {
            rg_error_set(err, name, 0, 0, "'%s' is in the manifest but not in the archive",
                         path);
            goto out;
        }
        if ((json_int_t)e->size != json_integer_value(size)) {
            rg_error_set(err, name, 0, 0, "'%s' has %zu bytes, the manifest says %lld", path,
                         e->size, (long long)json_integer_value(size));
            goto out;
        }
        rg_sha256_hex(e->data, e->size, pf->sha256);
        if (strcmp(pf->sha256, sha) != 0) {
            rg_error_set(err, name, 0, 0, "'%s' does not match its sha256 in the manifest",
                         path);
            goto out;
        }
        pf->path = strdup(path);
        pf->size = e->size;
        pf->mode = e->mode;
        pf->data = e->data;
        e->data = NULL; /* moved */
        p->nfiles++;
    }
    for (size_t k = 0; k < n; k++) {
        bool listed = false;
        if (!strcmp(v[k].path, "manifest.json") || !strcmp(v[k].path, "manifest.sig"))
            continue;
        for (size_t j = 0; j < p->nfiles; j++)
            listed = listed || strcmp(p->files[j].path, v[k].path) == 0;
        if (!listed) {
            rg_error_set(err, name, 0, 0, "'%s' is in the archive but not in the manifest",
                         v[k].path);
            goto out;
        }
    }
    rc = 0;
out:
    json_decref(m);
    return rc;
}

int rg_package_open_mem(const char *name, const void *data, size_t len, struct rg_package **out,
                        struct rg_error *err)
{
    struct rg_package *p = package_new(name);
    struct entry *v = NULL;
    size_t n = 0;
    int rc = -1;

    *out = NULL;
    if (len > RG_PKG_MAX_BYTES) {
        rg_error_set(err, name, 0, 0, "%zu bytes: larger than the %ld allowed", len,
                     RG_PKG_MAX_BYTES);
        goto out;
    }
    rg_sha256_hex(data, len, p->sha256);
    if (read_entries(name, data, len, &v, &n, err) < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].path, "manifest.json") == 0) {
            if (v[i].size > RG_PKG_MAX_MANIFEST) {
                rg_error_set(err, name, 0, 0, "manifest.json is larger than %d bytes",
                             RG_PKG_MAX_MANIFEST);
                goto out;
            }
            p->manifest = (char *)v[i].data;
            p->manifest_len = v[i].size;
            v[i].data = NULL;
        } else if (strcmp(v[i].path, "manifest.sig") == 0) {
            if (v[i].size != RG_PKG_SIG_BYTES) {
                rg_error_set(err, name, 0, 0, "manifest.sig is %zu bytes, not an Ed25519 "
                                              "signature (%d)",
                             v[i].size, RG_PKG_SIG_BYTES);
                goto out;
            }
            memcpy(p->sig, v[i].data, RG_PKG_SIG_BYTES);
            p->has_sig = true;
        } else if (strncmp(v[i].path, "files/", 6) != 0) {
            rg_error_set(err, name, 0, 0, "'%s' is outside files/", v[i].path);
            goto out;
        }
    }
    if (!p->manifest) {
        rg_error_set(err, name, 0, 0, "no manifest.json in the package");
        goto out;
    }
    if (!p->has_sig) {
        rg_error_set(err, name, 0, 0, "missing signature: no manifest.sig in the package");
        goto out;
    }
    if (parse_manifest(p, v, n, name, err) < 0)
        goto out;
    rc = 0;
out:
    entries_free(v, n);
    if (rc < 0) {
        rg_package_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

static int read_whole(const char *path, unsigned char **data, size_t *len, size_t max,
                      struct rg_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    size_t got = 0;

    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        return rg_error_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
    }
    if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
        close(fd);
        return rg_error_set(err, path, 0, 0,
                            S_ISREG(st.st_mode) ? "%lld bytes: larger than the %zu allowed"
                                                : "not a regular file",
                            (long long)st.st_size, max);
    }
    *data = malloc((size_t)st.st_size + 1);
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, *data + got, (size_t)st.st_size - got);
        if (r <= 0) {
            free(*data);
            close(fd);
            return rg_error_set(err, path, 0, 0, "cannot read: %s",
                                r < 0 ? strerror(errno) : "short read");
        }
        got += (size_t)r;
    }
    (*data)[got] = 0;
    *len = got;
    close(fd);
    return 0;
}

int rg_package_open(const char *path, struct rg_package **out, struct rg_error *err)
{
    unsigned char *data;
    size_t len;
    int rc;

    if (read_whole(path, &data, &len, RG_PKG_MAX_BYTES, err) < 0)
        return -1;
    rc = rg_package_open_mem(path, data, len, out, err);
    free(data);
    return rc;
}

/* ---- Keys and signatures ---- */

int rg_package_verify(struct rg_package *p, const char *const *pubkeys, size_t nkeys,
                      struct rg_error *err)
{
    if (nkeys == 0)
        return rg_error_set(err, p->path, 0, 0, "no trusted key given");
    for (size_t i = 0; i < nkeys; i++) {
        int rc = rg_sig_check(pubkeys[i], p->sig, p->manifest, p->manifest_len, p->key_id, err);

        if (rc < 0)
            return -1;
        if (rc == 0)
            return 0;
    }
    return rg_error_set(err, p->path, 0, 0,
                        "bad signature: manifest.sig verifies with none of the %zu trusted "
                        "key%s (signed by an untrusted key, or the manifest was altered)",
                        nkeys, nkeys == 1 ? "" : "s");
}

/* ---- Versions ---- */

int rg_version_compare(const char *a, const char *b)
{
    while (*a || *b) {
        size_t la = strcspn(a, ".-"), lb = strcspn(b, ".-");
        int c;

        if (la && lb && strspn(a, "0123456789") >= la && strspn(b, "0123456789") >= lb) {
            unsigned long long x = strtoull(a, NULL, 10), y = strtoull(b, NULL, 10);
            c = x < y ? -1 : x > y;
        } else {
            c = strncmp(a, b, la < lb ? la : lb);
            if (c == 0)
                c = la < lb ? -1 : la > lb;
        }
        if (c)
            return c;
        a += la;
        b += lb;
        if (*a)
            a++;
        if (*b)
            b++;
        if (!*a && *b)
            return -1;
        if (*a && !*b)
            return 1;
    }
    return 0;
}

int rg_package_check_version(const struct rg_package *cand, const struct rg_package *base,
                             bool allow_downgrade, struct rg_error *err)
{
    if (strcmp(cand->kind, base->kind) != 0 || allow_downgrade)
        return 0;
    if (rg_version_compare(cand->version, base->version) < 0)
        return rg_error_set(err, cand->path, 0, 0,
                            "downgrade refused: %s %s is older than the baseline's %s "
                            "(set update.allow_downgrade to test a downgrade)",
                            cand->kind, cand->version, base->version);
    return 0;
}

/* ---- Building ---- */

struct walk {
    char **paths;
    size_t n;
    size_t root_len;
    bool bad;
    char bad_path[4096];
};

static struct walk *g_walk; /* nftw has no user pointer */

static int walk_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_D || flag == FTW_DP)
        return 0;
    if (flag != FTW_F || !S_ISREG(st->st_mode)) {
        g_walk->bad = true;
        snprintf(g_walk->bad_path, sizeof(g_walk->bad_path), "%s", path);
        return 1;
    }
    g_walk->paths = realloc(g_walk->paths, (g_walk->n + 1) * sizeof(char *));
    g_walk->paths[g_walk->n++] = strdup(path + g_walk->root_len);
    return 0;
}

static int cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int rg_tar_add(struct archive *a, const char *path, const void *data, size_t len, unsigned mode,
               time_t mtime)
{
    struct archive_entry *e = archive_entry_new();
    int rc = 0;

    archive_entry_set_pathname(e, path);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, mode);
    archive_entry_set_mtime(e, mtime, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    archive_entry_set_uname(e, "root");
    archive_entry_set_gname(e, "root");
    if (archive_write_header(a, e) != ARCHIVE_OK ||
        archive_write_data(a, data, len) != (la_ssize_t)len)
        rc = -1;
    archive_entry_free(e);
    return rc;
}

static time_t build_mtime(void)
{
    const char *e = getenv("SOURCE_DATE_EPOCH");

    return e && *e ? (time_t)strtoll(e, NULL, 10) : 0;
}

int rg_package_build(const char *dir, const char *privkey, const char *out,
                     struct rg_error *err)
{
    char path[4300], tmp[4300], *manifest = NULL;
    unsigned char sig[RG_PKG_SIG_BYTES], *meta_data = NULL;
    struct walk w = {0};
    json_t *meta = NULL, *files = json_array(), *m = NULL;
    struct archive *a = NULL;
    unsigned char **datas = NULL;
    size_t *sizes = NULL, meta_len;
    json_error_t jerr;
    int rc = -1;
    const char *name, *kind, *version;

    snprintf(path, sizeof(path), "%s/package.json", dir);
    if (read_whole(path, &meta_data, &meta_len, RG_PKG_MAX_MANIFEST, err) < 0)
        goto out;
    meta = json_loadb((const char *)meta_data, meta_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!meta) {
        rg_error_set(err, path, jerr.line, jerr.column, "%s", jerr.text);
        goto out;
    }
    name = json_string_value(json_object_get(meta, "name"));
    kind = json_string_value(json_object_get(meta, "kind"));
    version = json_string_value(json_object_get(meta, "version"));
    if (!name || !valid_token(name, 96, true)) {
        rg_error_set(err, path, 0, 0, "'name' must match [a-z0-9][a-z0-9.-]*");
        goto out;
    }
    if (!kind || (strcmp(kind, "content") && strcmp(kind, "driver"))) {
        rg_error_set(err, path, 0, 0, "'kind' must be content or driver");
        goto out;
    }
    if (!version || !valid_token(version, 32, false)) {
        rg_error_set(err, path, 0, 0, "'version' must match [0-9A-Za-z.-]{1,32}");
        goto out;
    }
    snprintf(path, sizeof(path), "%s/files", dir);
    w.root_len = strlen(dir) + 1;
    g_walk = &w;
    if (nftw(path, walk_entry, 16, FTW_PHYS) != 0 && !w.bad) {
        rg_error_set(err, path, 0, 0, "cannot read the payload: %s", strerror(errno));
        goto out;
    }
    if (w.bad) {
        rg_error_set(err, w.bad_path, 0, 0,
                     "not a regular file: links and devices cannot be packaged");
        goto out;
    }
    qsort(w.paths, w.n, sizeof(char *), cmp_paths);
    datas = calloc(w.n + 1, sizeof(*datas));
    sizes = calloc(w.n + 1, sizeof(*sizes));
    for (size_t i = 0; i < w.n; i++) {
        char sha[RG_SHA256_HEX], full[8400];
        struct stat st;

        snprintf(full, sizeof(full), "%s/%s", dir, w.paths[i]);
        if (read_whole(full, &datas[i], &sizes[i], RG_PKG_MAX_BYTES, err) < 0 ||
            stat(full, &st) < 0)
            goto out;
        rg_sha256_hex(datas[i], sizes[i], sha);
        json_array_append_new(files, json_pack("{s:s, s:s, s:I, s:s}", "path", w.paths[i],
                                               "sha256", sha, "size", (json_int_t)sizes[i],
                                               "mode", (st.st_mode & 0111) ? "0755" : "0644"));
    }
    m = json_deep_copy(meta);
    json_object_set_new(m, "format", json_string("ringgate.pkg/v1"));
    json_object_set(m, "files", files);
    manifest = json_dumps(m, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!manifest || rg_sign(privkey, manifest, strlen(manifest), sig, NULL, err) < 0)
        goto out;
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", out, (long)getpid());
    a = archive_write_new();
    archive_write_set_format_ustar(a);
    if (archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
        rg_error_set(err, out, 0, 0, "cannot write: %s", archive_error_string(a));
        goto out;
    }
    if (rg_tar_add(a, "manifest.json", manifest, strlen(manifest), 0644, build_mtime()) < 0 ||
        rg_tar_add(a, "manifest.sig", sig, sizeof(sig), 0644, build_mtime()) < 0)
        goto write_failed;
    for (size_t i = 0; i < w.n; i++)
        if (rg_tar_add(a, w.paths[i], datas[i], sizes[i],
                      strcmp(json_string_value(json_object_get(json_array_get(files, i),
                                                               "mode")),
                             "0755")
                          ? 0644
                          : 0755,
                      build_mtime()) < 0)
            goto write_failed;
    if (archive_write_close(a) != ARCHIVE_OK)
        goto write_failed;
    if (rename(tmp, out) < 0) {
        rg_error_set(err, out, 0, 0, "cannot move the package into place: %s",
                     strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = 0;
    goto out;
write_failed:
    rg_error_set(err, out, 0, 0, "cannot write the archive: %s",
                 archive_error_string(a) ? archive_error_string(a) : "error");
    unlink(tmp);
out:
    if (a)
        archive_write_free(a);
    for (size_t i = 0; i < w.n; i++) {
        free(w.paths[i]);
        if (datas)
            free(datas[i]);
    }
    free(w.paths);
    free(datas);
    free(sizes);
    free(manifest);
    free(meta_data);
    json_decref(meta);
    json_decref(m);
    json_decref(files);
    return rc;
}

int rg_package_validate_channels(const struct rg_package *p, int sensor_inputs,
                                 struct rg_errors *errs)
{
    size_t first = errs->n;

    for (size_t i = 0; i < p->nfiles; i++) {
        const struct rg_package_file *f = &p->files[i];
        size_t l = strlen(f->path);

        if (l > 4 && strcmp(f->path + l - 4, ".rgc") == 0)
            rg_channel_validate(f->path, (const char *)f->data, f->size, sensor_inputs, NULL,
                                errs);
    }
    return errs->n > first ? -1 : 0;
}
