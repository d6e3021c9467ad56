/* libFuzzer target, structure-aware: packages whose manifest is mutated as JSON and re-signed with
 * a test key. */
/*
 * A byte-level mutation of a package almost always breaks a tar checksum or the signature,
 * so the code behind the signature check, where a vendor's own mistakes are met, is rarely
 * reached. Here the mutator unpacks the archive, mutates the manifest as JSON (duplicates,
 * drops and swaps entries, moves paths between them, sets fields to hostile values, repairs
 * hashes so that deeper checks run) or the members (names, modes, bytes), and packs it again;
 * the target signs whatever manifest.json it is given with a test key and verifies with that
 * key, so every input is "vendor-signed" and reaches the manifest parser and the file checks.
 */
#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "package/package.h"
#include "package_invariants.h"
#include "util/digest.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max);

static EVP_PKEY *g_key;
static char g_pub[] = "/tmp/rg-fuzz-signed-XXXXXX";

static void remove_key(void)
{
    unlink(g_pub);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* A fixed test key: the same signatures in every run, so crashes reproduce. */
    static const unsigned char seed[32] = "ringgate fuzz test key, not one";
    int fd = mkstemp(g_pub);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

    (void)argc;
    (void)argv;
    g_key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof(seed));
    if (!g_key || !f || PEM_write_PUBKEY(f, g_key) != 1 || fclose(f) != 0)
        abort();
    atexit(remove_key);
    return 0;
}

static void sign(const void *msg, size_t len, unsigned char sig[RG_SIG_BYTES])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t n = RG_SIG_BYTES;

    if (!ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, g_key) != 1 ||
        EVP_DigestSign(ctx, sig, &n, msg, len) != 1)
        abort();
    EVP_MD_CTX_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rg_package *p = NULL;
    struct rg_error err = {0};
    const char *keys[] = {g_pub};

    if (rg_package_open_mem("fuzz.rgpkg", data, size, &p, &err) < 0) {
        if (!err.msg[0])
            __builtin_trap();
        return 0;
    }
    sign(p->manifest, p->manifest_len, p->sig);
    if (rg_package_verify(p, keys, 1, &err) < 0) {
        /* Refused for what the manifest says, never for the signature we just made. */
        if (!err.msg[0] || strncmp(err.msg, "bad signature:", 14) == 0 || p->parsed || p->verified)
            __builtin_trap();
    } else {
        if (!p->verified)
            __builtin_trap();
        check_accepted(p);
    }
    rg_package_free(p);
    return 0;
}

/* ---- The mutator ---- */

#define MAX_MEMBERS 32

struct member {
    char *path;
    unsigned char *data;
    size_t len;
    unsigned mode;
};

struct unpacked {
    struct member m[MAX_MEMBERS];
    size_t n;
    json_t *manifest; /* NULL when manifest.json is not JSON */
    char *raw;        /* manifest.json's bytes */
    size_t raw_len;
};

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

static void unpacked_free(struct unpacked *u)
{
    for (size_t i = 0; i < u->n; i++) {
        free(u->m[i].path);
        free(u->m[i].data);
    }
    json_decref(u->manifest);
    free(u->raw);
}

/* The members under files/ and the manifest; false when libarchive cannot read the bytes. */
static bool unpack(const uint8_t *data, size_t size, struct unpacked *u)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    bool ok = true;

    memset(u, 0, sizeof(*u));
    archive_read_support_format_tar(a);
    if (archive_read_open_memory(a, data, size) != ARCHIVE_OK)
        ok = false;
    while (ok && archive_read_next_header(a, &e) == ARCHIVE_OK) {
        la_int64_t len = archive_entry_size(e);
        const char *path = archive_entry_pathname(e);
        unsigned char *buf;

        if (len < 0 || (size_t)len > size || !path) {
            ok = false;
            break;
        }
        buf = malloc((size_t)len + 1);
        if (archive_read_data(a, buf, (size_t)len) != len) {
            free(buf);
            ok = false;
            break;
        }
        if (strcmp(path, "manifest.json") == 0 && !u->raw) {
            u->raw = (char *)buf;
            u->raw_len = (size_t)len;
        } else if (strcmp(path, "manifest.sig") == 0 || u->n == MAX_MEMBERS) {
            free(buf);
        } else {
            u->m[u->n++] =
                (struct member){strdup(path), buf, (size_t)len, (unsigned)archive_entry_perm(e)};
        }
    }
    archive_read_free(a);
    if (ok && u->raw)
        u->manifest = json_loadb(u->raw, u->raw_len, 0, NULL);
    if (!ok || !u->raw)
        unpacked_free(u);
    return ok && u->raw;
}

/* manifest.json, a placeholder manifest.sig (the target signs), then the members. */
static size_t pack(const struct unpacked *u, const char *manifest, size_t manifest_len,
                   uint8_t *out, size_t max)
{
    static const unsigned char sig[RG_SIG_BYTES];
    struct archive *a = archive_write_new();
    size_t used = 0;
    bool ok;

    archive_write_set_format_ustar(a);
    archive_write_set_bytes_per_block(a, 0);
    ok = archive_write_open_memory(a, out, max, &used) == ARCHIVE_OK &&
         rg_tar_add(a, "manifest.json", manifest, manifest_len, 0644, 0) == 0 &&
         rg_tar_add(a, "manifest.sig", sig, sizeof(sig), 0644, 0) == 0;
    for (size_t i = 0; ok && i < u->n; i++)
        ok = rg_tar_add(a, u->m[i].path, u->m[i].data, u->m[i].len, u->m[i].mode, 0) == 0;
    ok = ok && archive_write_close(a) == ARCHIVE_OK;
    archive_write_free(a);
    return ok ? used : 0;
}

static const char *const STRINGS[] = {
    "0644",
    "0755",
    "4755",
    "2755",
    "1755",
    "0777",
    "0666",
    "644",
    "..",
    ".",
    "-rf",
    ".hidden",
    "files/channels/291.rgc",
    "files/channels/a.rgc",
    "files/channels/A.rgc",
    "files/channels",
    "files/channels/291.rgc/",
    "files/./channels/291.rgc",
    "files//x",
    "files/../manifest.json",
    "/etc/passwd",
    "manifest.json",
    "files/rg_sensor.ko",
    "content",
    "driver",
    "firmware",
    "0292",
    "0293",
    "9999",
    "1.10.0-rc1",
    "",
    "ringgate.pkg/v1",
    "\x1b[2J",
    "a\302\233b",
    "1",
    "6.1.0-28-amd64",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"};
static const char *const KEYS[] = {"format", "name",   "kind",  "version", "description",
                                   "target", "files",  "path",  "sha256",  "size",
                                   "mode",   "sensor", "kernel"};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static json_t *random_value(unsigned *s)
{
    switch (rnd(s) % 9) {
    case 0:
        return json_integer((json_int_t)(rnd(s) % 3) - 1);
    case 1:
        return json_integer((json_int_t)1 << (rnd(s) % 63));
    case 2:
        return json_null();
    case 3:
        return json_true();
    case 4:
        return json_real(1.5);
    case 5:
        return json_array();
    case 6:
        return json_object();
    default:
        return json_string(STRINGS[rnd(s) % NELEM(STRINGS)]);
    }
}

/* A random object of the manifest: the top, target, or one of files[]. */
static json_t *random_object(json_t *m, unsigned *s)
{
    json_t *files = json_object_get(m, "files");

    if (rnd(s) % 4 == 0 && json_is_object(json_object_get(m, "target")))
        return json_object_get(m, "target");
    if (json_array_size(files) && rnd(s) % 3) {
        json_t *f = json_array_get(files, rnd(s) % json_array_size(files));
        if (json_is_object(f))
            return f;
    }
    return m;
}

/* files[i] made to match the member it names (or a random member): hashes, size, mode. */
static void repair(json_t *f, const struct unpacked *u, unsigned *s, bool any_member)
{
    const char *path = json_string_value(json_object_get(f, "path"));
    const struct member *m = NULL;
    char sha[RG_SHA256_HEX];

    for (size_t i = 0; path && i < u->n && !m; i++)
        if (strcmp(u->m[i].path, path) == 0)
            m = &u->m[i];
    if (!m && any_member && u->n)
        m = &u->m[rnd(s) % u->n];
    if (!m)
        return;
    rg_sha256_hex(m->data, m->len, sha);
    json_object_set_new(f, "path", json_string(m->path));
    json_object_set_new(f, "sha256", json_string(sha));
    json_object_set_new(f, "size", json_integer((json_int_t)m->len));
    json_object_set_new(f, "mode", json_string(m->mode == 0755 ? "0755" : "0644"));
}

static void mutate_json(json_t *m, struct unpacked *u, unsigned *s)
{
    json_t *files = json_object_get(m, "files"), *o = random_object(m, s);
    size_t nf = json_array_size(files);

    switch (rnd(s) % 10) {
    case 0: /* the class of issue 15: one entry twice */
        if (nf)
            json_array_append_new(files, json_deep_copy(json_array_get(files, rnd(s) % nf)));
        break;
    case 1:
        if (nf)
            json_array_remove(files, rnd(s) % nf);
        break;
    case 2: /* a path moved onto another entry */
        if (nf > 1)
            json_object_set(json_array_get(files, rnd(s) % nf), "path",
                            json_object_get(json_array_get(files, rnd(s) % nf), "path"));
        break;
    case 3:
        json_object_set_new(o, KEYS[rnd(s) % NELEM(KEYS)], random_value(s));
        break;
    case 4:
        json_object_del(o, KEYS[rnd(s) % NELEM(KEYS)]);
        break;
    case 5: /* every entry consistent with the archive: the deeper checks run */
        for (size_t i = 0; i < nf; i++)
            if (json_is_object(json_array_get(files, i)))
                repair(json_array_get(files, i), u, s, false);
        break;
    case 6: /* a new entry for a member */
        if (json_is_array(files)) {
            json_t *f = json_object();
            repair(f, u, s, true);
            json_array_append_new(files, f);
        }
        break;
    case 7: { /* a string's bytes mutated */
        const char *key = KEYS[rnd(s) % NELEM(KEYS)];
        const char *v = json_string_value(json_object_get(o, key));
        char buf[128];
        size_t n;
        if (!v || strlen(v) >= sizeof(buf))
            break;
        n = strlen(v);
        memcpy(buf, v, n);
        n = LLVMFuzzerMutate((uint8_t *)buf, n, sizeof(buf) - 1);
        json_object_set_new(o, key, json_stringn_nocheck(buf, n));
        break;
    }
    case 8: /* deeper */
        json_object_set_new(o, KEYS[rnd(s) % NELEM(KEYS)],
                            json_pack("[{s:[o]}]", "a", random_value(s)));
        break;
    default:
        if (json_is_object(json_object_get(m, "target")))
            json_object_set_new(json_object_get(m, "target"), rnd(s) % 2 ? "kernel" : "sensor",
                                random_value(s));
        break;
    }
}

static void mutate_members(struct unpacked *u, unsigned *s)
{
    static const unsigned modes[] = {0644, 0755, 04755, 02755, 01755, 0666, 0777, 0600};
    struct member *m;

    if (!u->n)
        return;
    m = &u->m[rnd(s) % u->n];
    switch (rnd(s) % 5) {
    case 0:
        m->mode = modes[rnd(s) % NELEM(modes)];
        break;
    case 1: { /* renamed: onto another member's name, or a hostile one */
        char *to = strdup(rnd(s) % 2 ? u->m[rnd(s) % u->n].path : STRINGS[rnd(s) % NELEM(STRINGS)]);
        free(m->path);
        m->path = to;
        break;
    }
    case 2: /* new bytes, up to twice as many */
        m->data = realloc(m->data, 2 * m->len + 16);
        m->len = LLVMFuzzerMutate(m->data, m->len, 2 * m->len + 16);
        break;
    case 3:
        if (u->n < MAX_MEMBERS) {
            struct member *c = &u->m[u->n++];
            c->path = strdup(rnd(s) % 2 ? "files/channels/b.rgc" : m->path);
            c->data = malloc(m->len + 1);
            memcpy(c->data, m->data, m->len);
            c->len = m->len;
            c->mode = m->mode;
        }
        break;
    default:
        free(m->path);
        free(m->data);
        *m = u->m[--u->n];
        break;
    }
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned int seed)
{
    struct unpacked u;
    unsigned s = seed;
    char *manifest = NULL;
    size_t len, out = 0;

    if (rnd(&s) % 16 == 0 || !unpack(data, size, &u))
        return LLVMFuzzerMutate(data, size, max);
    for (unsigned k = 1 + rnd(&s) % 3; k > 0; k--) {
        unsigned what = rnd(&s) % 8;
        if (what < 5 && u.manifest)
            mutate_json(u.manifest, &u, &s);
        else if (what < 7)
            mutate_members(&u, &s);
    }
    if (u.manifest && rnd(&s) % 8) {
        manifest = json_dumps(u.manifest, rnd(&s) % 2 ? JSON_COMPACT : JSON_INDENT(2));
        len = manifest ? strlen(manifest) : 0;
    } else { /* the manifest's bytes themselves, still signed by the target */
        manifest = malloc(u.raw_len * 2 + 64);
        memcpy(manifest, u.raw, u.raw_len);
        len = LLVMFuzzerMutate((uint8_t *)manifest, u.raw_len, u.raw_len * 2 + 64);
    }
    if (manifest) {
        uint8_t *buf = malloc(max);
        out = pack(&u, manifest, len, buf, max);
        if (out)
            memcpy(data, buf, out);
        free(buf);
    }
    free(manifest);
    unpacked_free(&u);
    return out ? out : LLVMFuzzerMutate(data, size, max);
}
