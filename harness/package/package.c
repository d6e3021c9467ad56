/* Update packages: reading and checking archives (libarchive), signing and verifying (OpenSSL). */
#include "package/package.h"

#include "package/channel.h"
#include "package/sign.h"
#include "util/file.h"

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

/* ---- Reading: the tar framing ---- */

static struct rg_package *package_new(const char *path)
{
    struct rg_package *p = calloc(1, sizeof(*p));

    if (!p)
        abort();
    p->path = strdup(path);
    return p;
}

static void parsed_free(struct rg_package *p)
{
    free(p->files); /* paths and data are the members' */
    free(p->name);
    free(p->kind);
    free(p->version);
    free(p->description);
    free(p->target_sensor);
    free(p->target_kernel);
    p->files = NULL;
    p->nfiles = 0;
    p->name = p->kind = p->version = p->description = NULL;
    p->target_sensor = p->target_kernel = NULL;
}

void rg_package_free(struct rg_package *p)
{
    if (!p)
        return;
    parsed_free(p);
    for (size_t i = 0; i < p->nmembers; i++) {
        free(p->members[i].path);
        free(p->members[i].data);
    }
    free(p->members);
    free(p->path);
    free(p->manifest);
    free(p);
}

/* An untrusted string fit for a message: bytes outside printable ASCII as \xNN, long ones cut
 * (names in a hostile package may carry terminal escapes). */
#define SHOWN 100
static const char *shown(const char *s, char out[SHOWN])
{
    size_t o = 0;

    for (; *s && o + 8 < SHOWN; s++) {
        unsigned char c = (unsigned char)*s;

        if (c >= 0x20 && c < 0x7f && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, SHOWN - o, "\\x%02x", c);
    }
    memcpy(out + o, *s ? "..." : "", *s ? 4 : 1);
    return out;
}

#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

/* One spelling per file: relative, components of [A-Za-z0-9._-] that start with a letter,
 * digit or '_' (so no ".", "..", hidden or option-like names), single slashes, no trailing
 * slash, bounded length and depth. */
static bool path_canonical(const char *path)
{
    const char *p = path;
    size_t depth = 0;

    if (strlen(path) > RG_PKG_MAX_PATH)
        return false;
    for (;;) {
        size_t n = strspn(p, NAME_CHARS);

        if (n == 0 || p[0] == '.' || p[0] == '-' || ++depth > RG_PKG_MAX_DEPTH)
            return false;
        p += n;
        if (*p == '\0')
            return true;
        if (*p != '/')
            return false;
        p++;
    }
}

enum clash { CLASH_NONE, CLASH_SAME, CLASH_CASE, CLASH_FOLDER };

/* Whether two canonical paths name one file (or could, on a case-insensitive disk), or one is
 * a folder of the other. */
static enum clash path_clash(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), n = la < lb ? la : lb;

    if (strcmp(a, b) == 0)
        return CLASH_SAME;
    if (la == lb && strcasecmp(a, b) == 0)
        return CLASH_CASE;
    if (strncasecmp(a, b, n) == 0 && (la > lb ? a[n] : b[n]) == '/')
        return CLASH_FOLDER;
    return CLASH_NONE;
}

static int clash_error(struct rg_error *err, const char *name, const char *what, const char *a,
                       const char *b, enum clash c)
{
    char sa[SHOWN], sb[SHOWN];

    shown(a, sa);
    shown(b, sb);
    if (c == CLASH_SAME)
        return rg_error_set(err, name, 0, 0, "%s: '%s' is listed twice", what, sa);
    if (c == CLASH_CASE)
        return rg_error_set(err, name, 0, 0,
                            "%s: '%s' and '%s' differ only in case: two spellings of one file",
                            what, sa, sb);
    return rg_error_set(err, name, 0, 0, "%s: '%s' and '%s': one is a folder of the other", what,
                        sa, sb);
}

/* Checks one tar header: the archive is framing, and only plain ustar regular files with
 * canonical names and mode 0644/0755 are read at all. */
static int check_header(struct archive *a, struct archive_entry *ae, const char *name,
                        struct rg_error *err)
{
    const char *path = archive_entry_pathname(ae);
    unsigned mode = (unsigned)archive_entry_mode(ae) & 07777;
    char sp[SHOWN];

    shown(path ? path : "(none)", sp);
    /* pax and GNU headers can rename an entry: the guest's tar might read another name. */
    if (archive_format(a) != ARCHIVE_FORMAT_TAR_USTAR)
        return rg_error_set(err, name, 0, 0,
                            "'%s': not a plain ustar entry (pax, GNU and other tar extensions "
                            "are refused)",
                            sp);
    if (!path || !path_canonical(path))
        return rg_error_set(err, name, 0, 0,
                            "unsafe path in the archive: '%s' (names are relative, of "
                            "[A-Za-z0-9._-], no '.', '..', empty or hidden parts)",
                            sp);
    if (archive_entry_filetype(ae) != AE_IFREG || archive_entry_hardlink(ae) ||
        archive_entry_symlink(ae) || archive_entry_sparse_count(ae) > 0)
        return rg_error_set(err, name, 0, 0,
                            "'%s' is not a regular file (links, devices and folders are refused)",
                            sp);
    if (mode != 0644 && mode != 0755)
        return rg_error_set(err, name, 0, 0,
                            "'%s': the tar header gives mode %04o; only 0644 or 0755 (no "
                            "setuid, setgid, sticky or world-writable bits)",
                            sp, mode);
    if (strcmp(path, "manifest.json") && strcmp(path, "manifest.sig") &&
        strncmp(path, "files/", 6) != 0)
        return rg_error_set(err, name, 0, 0, "'%s' is outside files/", sp);
    return 0;
}

/* The raw headers, before libarchive reads them: each one POSIX ustar ("ustar\0" "00") with
 * a plain type, so that no pax, GNU or other extension header can rename or reshape an entry
 * for one reader and not for another (the guest's tar extracts these same bytes). Links and
 * devices pass here and are refused by name in check_header. */
static int plain_ustar(const unsigned char *data, size_t len, const char *name,
                       struct rg_error *err)
{
    static const unsigned char zero[512];
    static const unsigned char magic[8] = {'u', 's', 't', 'a', 'r', '\0', '0', '0'};
    size_t off = 0;

    while (len - off >= 512 && memcmp(data + off, zero, 512) != 0) {
        const unsigned char *h = data + off;
        char entry[101], sp[SHOWN];
        unsigned long long size = 0;
        size_t i = 124;

        memcpy(entry, h, 100);
        entry[100] = '\0';
        shown(entry, sp);
        if (memcmp(h + 257, magic, sizeof(magic)) != 0 ||
            !memchr("0123456", h[156] ? h[156] : '0', 7))
            return rg_error_set(err, name, 0, 0,
                                "'%s': not a plain ustar entry (pax, GNU and other tar "
                                "extensions are refused)",
                                sp);
        while (i < 136 && h[i] == ' ')
            i++;
        for (; i < 136 && h[i] >= '0' && h[i] <= '7'; i++)
            size = size * 8 + (unsigned)(h[i] - '0');
        if (i < 136 && h[i] != ' ' && h[i] != '\0')
            return rg_error_set(err, name, 0, 0, "'%s': damaged size field in its tar header", sp);
        if (size > len - off - 512)
            return 0; /* truncated: libarchive says so, naming the entry */
        off += 512 + (size_t)((size + 511) / 512 * 512);
        if (off > len)
            return 0;
    }
    return 0;
}

/* Reads one member's bytes; *total counts the whole archive against its limit. */
static int read_data(struct archive *a, struct archive_entry *ae, const char *name, size_t *total,
                     unsigned char **out, size_t *len, struct rg_error *err)
{
    la_int64_t size = archive_entry_size(ae);
    const char *path = archive_entry_pathname(ae);
    char sp[SHOWN];
    unsigned char *data;

    shown(path, sp);
    if (size < 0 || (size_t)size > RG_PKG_MAX_BYTES - *total)
        return rg_error_set(err, name, 0, 0, "'%s' makes the package larger than %ld bytes", sp,
                            RG_PKG_MAX_BYTES);
    if (strcmp(path, "manifest.json") == 0 && size > RG_PKG_MAX_MANIFEST)
        return rg_error_set(err, name, 0, 0, "manifest.json is larger than %d bytes",
                            RG_PKG_MAX_MANIFEST);
    if (strcmp(path, "manifest.sig") == 0 && size != RG_PKG_SIG_BYTES)
        return rg_error_set(err, name, 0, 0,
                            "manifest.sig is %lld bytes, not an Ed25519 signature (%d)",
                            (long long)size, RG_PKG_SIG_BYTES);
    data = malloc((size_t)size + 1);
    if (!data)
        abort();
    if (archive_read_data(a, data, (size_t)size) != (la_ssize_t)size) {
        const char *why = archive_error_string(a);
        free(data);
        return rg_error_set(err, name, 0, 0, "'%s' is truncated: %s", sp, why ? why : "short read");
    }
    data[size] = '\0';
    *total += (size_t)size;
    *out = data;
    *len = (size_t)size;
    return 0;
}

/* Files one member: manifest.json and manifest.sig aside, files/ into members. */
static int add_member(struct rg_package *p, struct archive_entry *ae, unsigned char *data,
                      size_t len, const char *name, struct rg_error *err)
{
    const char *path = archive_entry_pathname(ae);
    struct rg_package_file *m;

    if ((!strcmp(path, "manifest.json") && p->manifest) ||
        (!strcmp(path, "manifest.sig") && p->has_sig)) {
        free(data);
        return rg_error_set(err, name, 0, 0, "duplicate entry '%s'", path);
    }
    if (!strcmp(path, "manifest.json")) {
        p->manifest = (char *)data;
        p->manifest_len = len;
        return 0;
    }
    if (!strcmp(path, "manifest.sig")) {
        memcpy(p->sig, data, RG_PKG_SIG_BYTES);
        p->has_sig = true;
        free(data);
        return 0;
    }
    for (size_t i = 0; i < p->nmembers; i++) {
        enum clash c = path_clash(path, p->members[i].path);
        if (c != CLASH_NONE) {
            free(data);
            return clash_error(err, name, c == CLASH_SAME ? "duplicate entry" : "archive", path,
                               p->members[i].path, c);
        }
    }
    m = &p->members[p->nmembers++];
    m->path = strdup(path);
    m->data = data;
    m->size = len;
    m->mode = (unsigned)archive_entry_mode(ae) & 07777;
    return 0;
}

static int read_framing(struct rg_package *p, const void *data, size_t len, const char *name,
                        struct rg_error *err)
{
    struct archive *a = archive_read_new();
    struct archive_entry *ae;
    size_t total = 0, nentries = 0;
    int r, rc = -1;

    if (plain_ustar(data, len, name, err) < 0)
        goto out;
    archive_read_support_format_tar(a);
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        rg_error_set(err, name, 0, 0, "not a package (tar archive): %s",
                     archive_error_string(a));
        goto out;
    }
    p->members = calloc(RG_PKG_MAX_ENTRIES, sizeof(*p->members));
    if (!p->members)
        abort();
    while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
        unsigned char *bytes = NULL;
        size_t n = 0;

        if (++nentries > RG_PKG_MAX_ENTRIES) {
            rg_error_set(err, name, 0, 0, "more than %d entries: refused as oversized",
                         RG_PKG_MAX_ENTRIES);
            goto out;
        }
        if (check_header(a, ae, name, err) < 0 ||
            read_data(a, ae, name, &total, &bytes, &n, err) < 0 ||
            add_member(p, ae, bytes, n, name, err) < 0)
            goto out;
    }
    if (r != ARCHIVE_EOF) {
        rg_error_set(err, name, 0, 0, "damaged archive: %s", archive_error_string(a));
        goto out;
    }
    if (!p->manifest)
        rg_error_set(err, name, 0, 0, "no manifest.json in the package");
    else if (!p->has_sig)
        rg_error_set(err, name, 0, 0, "missing signature: no manifest.sig in the package");
    else
        rc = 0;
out:
    archive_read_free(a);
    return rc;
}

int rg_package_open_mem(const char *name, const void *data, size_t len, struct rg_package **out,
                        struct rg_error *err)
{
    struct rg_package *p = package_new(name);

    *out = NULL;
    if (len > RG_PKG_MAX_BYTES) {
        rg_error_set(err, name, 0, 0, "%zu bytes: larger than the %ld allowed", len,
                     RG_PKG_MAX_BYTES);
        rg_package_free(p);
        return -1;
    }
    rg_sha256_hex(data, len, p->sha256);
    if (read_framing(p, data, len, name, err) < 0) {
        rg_package_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

int rg_package_open(const char *path, struct rg_package **out, struct rg_error *err)
{
    unsigned char *data;
    size_t len;
    int rc;

    *out = NULL;
    if (rg_file_read(path, RG_PKG_MAX_BYTES, &data, &len, err) < 0)
        return -1;
    rc = rg_package_open_mem(path, data, len, out, err);
    free(data);
    return rc;
}

/* ---- The manifest: parsed only after the signature (or, for show, as hostile input) ---- */

static const char *const META_KEYS[] = {"name", "kind", "version", "description", "target", NULL};
static const char *const MANIFEST_KEYS[] = {"format",      "name",   "kind",  "version",
                                            "description", "target", "files", NULL};
static const char *const TARGET_KEYS[] = {"sensor", "kernel", NULL};
static const char *const FILE_KEYS[] = {"path", "sha256", "size", "mode", NULL};

static int check_keys(json_t *obj, const char *const *allowed, const char *file, const char *what,
                      struct rg_error *err)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v)
    {
        size_t i = 0;
        char sk[SHOWN];

        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (!allowed[i])
            return rg_error_set(err, file, 0, 0, "%s: unknown key '%s'", what, shown(key, sk));
    }
    return 0;
}

/* [first][rest]{0,max-1}: names and versions, which become file and folder names. */
static bool token(const char *s, size_t max, const char *first, const char *rest)
{
    size_t n = strlen(s);

    return n > 0 && n <= max && strchr(first, s[0]) && strspn(s, rest) == n;
}

#define LOWER_DIGITS "abcdefghijklmnopqrstuvwxyz0123456789"
#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZ" LOWER_DIGITS

static bool valid_name(const char *s)
{
    return token(s, 96, LOWER_DIGITS, LOWER_DIGITS ".-");
}

static bool valid_version(const char *s)
{
    return token(s, 32, ALNUM, ALNUM ".-");
}

/* Free text shown on a terminal: no control characters (C0, DEL, C1) and no bidirectional
 * overrides. jansson has already checked that it is UTF-8. */
static bool valid_text(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    if (strlen(s) > RG_PKG_MAX_TEXT)
        return false;
    for (; *u; u++) {
        if (*u < 0x20 || *u == 0x7f || (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f))
            return false;
        if (u[0] == 0xe2 && ((u[1] == 0x80 && u[2] >= 0xaa && u[2] <= 0xae) ||
                             (u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9)))
            return false;
    }
    return true;
}

/* The fields package.json and manifest.json share; what names the file in messages. */
static int check_meta(json_t *m, const char *file, const char *what, struct rg_error *err)
{
    json_t *name = json_object_get(m, "name"), *kind = json_object_get(m, "kind");
    json_t *version = json_object_get(m, "version"), *desc = json_object_get(m, "description");
    json_t *target = json_object_get(m, "target");
    char sv[SHOWN];

    if (!json_is_string(name) || !valid_name(json_string_value(name)))
        return rg_error_set(err, file, 0, 0, "%s: 'name' must match [a-z0-9][a-z0-9.-]{0,95}",
                            what);
    if (!json_is_string(kind) || (strcmp(json_string_value(kind), "content") != 0 &&
                                  strcmp(json_string_value(kind), "driver") != 0))
        return rg_error_set(err, file, 0, 0, "%s: 'kind' must be content or driver", what);
    if (!json_is_string(version) || !valid_version(json_string_value(version)))
        return rg_error_set(err, file, 0, 0,
                            "%s: 'version' '%s' must match [0-9A-Za-z][0-9A-Za-z.-]{0,31} (it "
                            "names the guest's version folder)",
                            what,
                            json_is_string(version) ? shown(json_string_value(version), sv)
                                                    : "(not a string)");
    if (desc && (!json_is_string(desc) || !valid_text(json_string_value(desc))))
        return rg_error_set(err, file, 0, 0,
                            "%s: 'description' must be text of at most %d bytes without "
                            "control characters",
                            what, RG_PKG_MAX_TEXT);
    if (!target)
        return 0;
    if (!json_is_object(target))
        return rg_error_set(err, file, 0, 0, "%s: 'target' must be an object", what);
    if (check_keys(target, TARGET_KEYS, file, what, err) < 0)
        return -1;
    for (size_t i = 0; TARGET_KEYS[i]; i++) {
        json_t *t = json_object_get(target, TARGET_KEYS[i]);
        if (t && (!json_is_string(t) || !token(json_string_value(t), 64, ALNUM, ALNUM "._+~-")))
            return rg_error_set(err, file, 0, 0,
                                "%s: 'target.%s' must match [0-9A-Za-z][0-9A-Za-z._+~-]{0,63}",
                                what, TARGET_KEYS[i]);
    }
    return 0;
}

static char *dup_member(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));

    return s ? strdup(s) : NULL;
}

static bool lower_hex(const char *s, size_t n)
{
    return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

/* Checks files[i]'s fields and that it names one file of its own. */
static int check_file(json_t *f, size_t i, const struct rg_package *p, struct rg_error *err)
{
    const char *path = json_string_value(json_object_get(f, "path"));
    const char *sha = json_string_value(json_object_get(f, "sha256"));
    const char *mode = json_string_value(json_object_get(f, "mode"));
    json_t *size = json_object_get(f, "size");
    char what[64], sm[SHOWN];

    snprintf(what, sizeof(what), "manifest.json: files[%zu]", i);
    if (!json_is_object(f))
        return rg_error_set(err, p->path, 0, 0, "%s must be an object", what);
    if (check_keys(f, FILE_KEYS, p->path, what, err) < 0)
        return -1;
    if (!path || strncmp(path, "files/", 6) != 0 || !path_canonical(path))
        return rg_error_set(err, p->path, 0, 0,
                            "%s.path must be one canonical path under files/ (relative, of "
                            "[A-Za-z0-9._-], no '.', '..', empty or hidden parts)",
                            what);
    if (!sha || !lower_hex(sha, RG_SHA256_HEX - 1))
        return rg_error_set(err, p->path, 0, 0, "%s.sha256 must be 64 lowercase hex digits", what);
    if (!json_is_integer(size) || json_integer_value(size) < 0 ||
        json_integer_value(size) > RG_PKG_MAX_BYTES)
        return rg_error_set(err, p->path, 0, 0, "%s.size must be a number of bytes", what);
    if (!mode || (strcmp(mode, "0644") != 0 && strcmp(mode, "0755") != 0))
        return rg_error_set(err, p->path, 0, 0,
                            "%s.mode '%s': only \"0644\" or \"0755\" (no setuid, setgid, "
                            "sticky or world-writable bits)",
                            what, mode ? shown(mode, sm) : "(not a string)");
    for (size_t j = 0; j < p->nfiles; j++) {
        enum clash c = path_clash(path, p->files[j].path);
        if (c != CLASH_NONE)
            return clash_error(err, p->path, "manifest.json", path, p->files[j].path, c);
    }
    return 0;
}

/* Binds files[i] to its archive member: size, mode and hash must be the manifest's. */
static int bind_file(json_t *f, struct rg_package *p, bool *bound, struct rg_error *err)
{
    const char *path = json_string_value(json_object_get(f, "path"));
    const char *sha = json_string_value(json_object_get(f, "sha256"));
    unsigned mode = strcmp(json_string_value(json_object_get(f, "mode")), "0755") ? 0644 : 0755;
    json_int_t size = json_integer_value(json_object_get(f, "size"));
    struct rg_package_file *m = NULL, *pf = &p->files[p->nfiles];
    size_t k;

    for (k = 0; k < p->nmembers && !m; k++)
        if (strcmp(p->members[k].path, path) == 0)
            m = &p->members[k];
    if (!m)
        return rg_error_set(err, p->path, 0, 0, "'%s' is in the manifest but not in the archive",
                            path);
    if (bound[k - 1]) /* check_file refuses a second listing; never hash a member twice */
        return rg_error_set(err, p->path, 0, 0, "manifest.json: '%s' is listed twice", path);
    if ((json_int_t)m->size != size)
        return rg_error_set(err, p->path, 0, 0, "'%s' has %zu bytes, the manifest says %lld", path,
                            m->size, (long long)size);
    if (m->mode != mode)
        return rg_error_set(err, p->path, 0, 0,
                            "'%s': the tar header gives mode %04o, the manifest %04o", path,
                            m->mode, mode);
    rg_sha256_hex(m->data, m->size, pf->sha256);
    if (strcmp(pf->sha256, sha) != 0)
        return rg_error_set(err, p->path, 0, 0, "'%s' does not match its sha256 in the manifest",
                            path);
    pf->path = m->path;
    pf->data = m->data;
    pf->size = m->size;
    pf->mode = mode;
    bound[k - 1] = true;
    p->nfiles++;
    return 0;
}

static int parse_files(struct rg_package *p, json_t *files, struct rg_error *err)
{
    bool *bound = calloc(p->nmembers + 1, sizeof(*bound));
    json_t *f;
    size_t i;
    int rc = -1;

    if (!bound)
        abort();
    if (!json_is_array(files) || json_array_size(files) == 0 ||
        json_array_size(files) > RG_PKG_MAX_ENTRIES) {
        rg_error_set(err, p->path, 0, 0, "manifest.json: 'files' must be a list of 1 to %d files",
                     RG_PKG_MAX_ENTRIES);
        goto out;
    }
    p->files = calloc(json_array_size(files), sizeof(*p->files));
    if (!p->files)
        abort();
    json_array_foreach(files, i, f)
    {
        if (check_file(f, i, p, err) < 0 || bind_file(f, p, bound, err) < 0)
            goto out;
    }
    for (size_t k = 0; k < p->nmembers; k++)
        if (!bound[k]) {
            rg_error_set(err, p->path, 0, 0, "'%s' is in the archive but not in the manifest",
                         p->members[k].path);
            goto out;
        }
    rc = 0;
out:
    free(bound);
    return rc;
}

/* Parses the manifest and binds the files; on failure the package is left unparsed. */
static int parse_manifest(struct rg_package *p, struct rg_error *err)
{
    json_error_t jerr;
    json_t *m, *format;
    int rc = -1;

    if (p->parsed)
        return 0;
    m = json_loadb(p->manifest, p->manifest_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!m)
        return rg_error_set(err, p->path, 0, 0, "manifest.json:%d:%d: %s", jerr.line, jerr.column,
                            jerr.text);
    format = json_object_get(m, "format");
    if (!json_is_object(m) || !json_is_string(format) ||
        strcmp(json_string_value(format), "ringgate.pkg/v1") != 0) {
        rg_error_set(err, p->path, 0, 0,
                     "manifest.json: unknown format (expected "
                     "\"format\": \"ringgate.pkg/v1\")");
        goto out;
    }
    if (check_keys(m, MANIFEST_KEYS, p->path, "manifest.json", err) < 0 ||
        check_meta(m, p->path, "manifest.json", err) < 0 ||
        parse_files(p, json_object_get(m, "files"), err) < 0)
        goto out;
    p->name = dup_member(m, "name");
    p->kind = dup_member(m, "kind");
    p->version = dup_member(m, "version");
    p->description = dup_member(m, "description");
    p->target_sensor = dup_member(json_object_get(m, "target"), "sensor");
    p->target_kernel = dup_member(json_object_get(m, "target"), "kernel");
    p->parsed = true;
    rc = 0;
out:
    if (rc < 0)
        parsed_free(p);
    json_decref(m);
    return rc;
}

int rg_package_inspect(struct rg_package *p, struct rg_error *err)
{
    return parse_manifest(p, err);
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
        if (rc == 0) {
            /* Authenticated: only now is the manifest parsed and believed. */
            if (parse_manifest(p, err) < 0)
                return -1;
            p->verified = true;
            return 0;
        }
    }
    return rg_error_set(err, p->path, 0, 0,
                        "bad signature: manifest.sig verifies with none of the %zu trusted "
                        "key%s (signed by an untrusted key, or the manifest was altered); its "
                        "manifest was not read",
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

    snprintf(path, sizeof(path), "%s/package.json", dir);
    if (rg_file_read(path, RG_PKG_MAX_MANIFEST, &meta_data, &meta_len, err) < 0)
        goto out;
    meta = json_loadb((const char *)meta_data, meta_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!meta) {
        rg_error_set(err, path, jerr.line, jerr.column, "%s", jerr.text);
        goto out;
    }
    /* The reader's rules, so that nothing is built that verify would refuse. */
    if (!json_is_object(meta)) {
        rg_error_set(err, path, 0, 0, "package.json must be an object");
        goto out;
    }
    if (check_keys(meta, META_KEYS, path, "package.json", err) < 0 ||
        check_meta(meta, path, "package.json", err) < 0)
        goto out;
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
    if (w.n == 0 || w.n > RG_PKG_MAX_ENTRIES - 2) {
        rg_error_set(err, path, 0, 0, "a package carries 1 to %d files, this one %zu",
                     RG_PKG_MAX_ENTRIES - 2, w.n);
        goto out;
    }
    for (size_t i = 0; i < w.n; i++)
        for (size_t j = 0; j < i; j++)
            if (path_clash(w.paths[i], w.paths[j]) != CLASH_NONE) {
                clash_error(err, path, "payload", w.paths[i], w.paths[j],
                            path_clash(w.paths[i], w.paths[j]));
                goto out;
            }
    datas = calloc(w.n + 1, sizeof(*datas));
    sizes = calloc(w.n + 1, sizeof(*sizes));
    for (size_t i = 0; i < w.n; i++) {
        char sha[RG_SHA256_HEX], full[8400];
        struct stat st;

        snprintf(full, sizeof(full), "%s/%s", dir, w.paths[i]);
        if (!path_canonical(w.paths[i])) {
            rg_error_set(err, full, 0, 0,
                         "not a canonical package path (relative, of [A-Za-z0-9._-], no "
                         "hidden parts, at most %d bytes and %d folders deep)",
                         RG_PKG_MAX_PATH, RG_PKG_MAX_DEPTH);
            goto out;
        }
        if (rg_file_read(full, RG_PKG_MAX_BYTES, &datas[i], &sizes[i], err) < 0 ||
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
    size_t first = errs->n, channels = 0;

    for (size_t i = 0; i < p->nfiles; i++) {
        const struct rg_package_file *f = &p->files[i];
        size_t l = strlen(f->path);

        if (l <= 4 || strcmp(f->path + l - 4, ".rgc") != 0)
            continue;
        channels++;
        rg_channel_check(f->path, (const char *)f->data, f->size, sensor_inputs, p->version,
                         errs);
    }
    if (strcmp(p->kind, "content") == 0 && channels == 0)
        rg_errors_add(errs, p->path, 0, 0, RG_CHANNEL_NONE);
    return errs->n > first ? -1 : 0;
}

void rg_archive_version(char *out, size_t size)
{
    int v = archive_version_number();

    snprintf(out, size, "%d.%d.%d", v / 1000000, v / 1000 % 1000, v % 1000);
}
