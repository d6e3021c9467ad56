/* Unit tests for update packages: build, verify, and every refusal with its own message. */
#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/runstate.h"
#include "package/package.h"
#include "testutil.h"
#include "util/file.h"

struct fx {
    char dir[64], src[128], key[128], pub[128], foreign_key[128], foreign_pub[128], pkg[128];
};

static void make_key(const char *priv, const char *pub)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    FILE *f;

    assert_non_null(k);
    f = fopen(priv, "w");
    assert_true(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1);
    fclose(f);
    f = fopen(pub, "w");
    assert_true(PEM_write_PUBKEY(f, k) == 1);
    fclose(f);
    EVP_PKEY_free(k);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char path[256];

    snprintf(f->dir, sizeof(f->dir), "/tmp/rg-test-update-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->src, sizeof(f->src), "%s/src", f->dir);
    snprintf(path, sizeof(path), "%s/files/channels", f->src);
    assert_int_equal(system("true"), 0);
    mkdir(f->src, 0755);
    snprintf(path, sizeof(path), "%s/files", f->src);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/files/channels", f->src);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/package.json", f->src);
    rg_test_write(path, "{\"name\": \"sensor-content-0292\", \"kind\": \"content\", "
                     "\"version\": \"0292\", \"target\": {\"sensor\": \"1\"}}");
    snprintf(path, sizeof(path), "%s/files/channels/291.rgc", f->src);
    rg_test_write(path, "RGCHANNEL 1\nchannel 291\nversion 0292\ninputs 20\nrule 1 match 1 x\n");
    snprintf(f->key, sizeof(f->key), "%s/vendor.pem", f->dir);
    snprintf(f->pub, sizeof(f->pub), "%s/vendor.pub", f->dir);
    snprintf(f->foreign_key, sizeof(f->foreign_key), "%s/foreign.pem", f->dir);
    snprintf(f->foreign_pub, sizeof(f->foreign_pub), "%s/foreign.pub", f->dir);
    make_key(f->key, f->pub);
    make_key(f->foreign_key, f->foreign_pub);
    snprintf(f->pkg, sizeof(f->pkg), "%s/a.rgpkg", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    rg_remove_tree(f->dir);
    free(f);
    return 0;
}

static void build(struct fx *f)
{
    struct rg_error err;

    if (rg_package_build(f->src, f->key, f->pkg, &err) < 0)
        fail_msg("build: %s", err.msg);
}

/* Opens and verifies; returns the error message ("" on success). */
static const char *check(const char *pkg, const char *pub)
{
    static struct rg_error err;
    struct rg_package *p = NULL;
    const char *keys[] = {pub};

    memset(&err, 0, sizeof(err));
    if (rg_package_open(pkg, &p, &err) == 0 && rg_package_verify(p, keys, 1, &err) == 0)
        err.msg[0] = '\0';
    rg_package_free(p);
    return err.msg;
}

struct member {
    const char *path;
    const void *data;
    size_t len;
    int type;      /* AE_IFREG or AE_IFLNK */
    unsigned mode; /* 0: 0644 */
};

static void write_tar(const char *path, const struct member *m, size_t n)
{
    struct archive *a = archive_write_new();

    archive_write_set_format_ustar(a);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m[i].path);
        archive_entry_set_filetype(e, (unsigned)m[i].type);
        archive_entry_set_perm(e, m[i].mode ? m[i].mode : 0644);
        if (m[i].type == AE_IFLNK) {
            archive_entry_set_symlink(e, "/etc/passwd");
            archive_entry_set_size(e, 0);
        } else {
            archive_entry_set_size(e, (la_int64_t)m[i].len);
        }
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        if (m[i].type == AE_IFREG)
            archive_write_data(a, m[i].data, m[i].len);
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
}

/* The members of a good package, to recombine into bad ones. */
static struct rg_package *members_of(struct fx *f)
{
    struct rg_package *p = NULL;
    struct rg_error err;
    const char *keys[] = {f->pub};

    build(f);
    assert_int_equal(rg_package_open(f->pkg, &p, &err), 0);
    assert_int_equal(rg_package_verify(p, keys, 1, &err), 0);
    return p;
}

/* Writes f->pkg: manifest signed by key, then the members given. */
static void write_signed(struct fx *f, const char *key, const char *manifest,
                         const struct member *m, size_t n)
{
    unsigned char sig[RG_SIG_BYTES];
    struct member all[8];
    struct rg_error err;

    assert_true(n <= 6);
    assert_int_equal(rg_sign(key, manifest, strlen(manifest), sig, NULL, &err), 0);
    all[0] = (struct member){"manifest.json", manifest, strlen(manifest), AE_IFREG, 0};
    all[1] = (struct member){"manifest.sig", sig, sizeof(sig), AE_IFREG, 0};
    memcpy(all + 2, m, n * sizeof(*m));
    write_tar(f->pkg, all, n + 2);
}

static const char CHANNEL[] = "RGCHANNEL 1\nchannel 291\nversion 0292\ninputs 20\n"
                              "rule 1 match 1 x\n";

/* One files[] entry for data at path (caller frees). */
static char *entry(const char *path, const char *data, const char *mode)
{
    char sha[RG_SHA256_HEX], *s;

    rg_sha256_hex(data, strlen(data), sha);
    assert_true(asprintf(&s,
                         "{\"path\": \"%s\", \"sha256\": \"%s\", \"size\": %zu, "
                         "\"mode\": \"%s\"}",
                         path, sha, strlen(data), mode) > 0);
    return s;
}

/* A manifest of the content package 0292 with extra top-level members and these files. */
static char *manifest(const char *extra, const char *files)
{
    char *s;

    assert_true(asprintf(&s,
                         "{\"format\": \"ringgate.pkg/v1\", \"name\": \"c\", "
                         "\"kind\": \"content\", \"version\": \"0292\"%s, \"files\": "
                         "[%s]}",
                         extra, files) > 0);
    return s;
}

static void test_build_verify_and_reproducible(void **state)
{
    struct fx *f = *state;
    char again[160], cmd[400];
    struct rg_package *p = NULL;
    struct rg_error err;
    const char *keys[] = {f->foreign_pub, f->pub};

    build(f);
    assert_string_equal(check(f->pkg, f->pub), "");
    assert_int_equal(rg_package_open(f->pkg, &p, &err), 0);
    assert_int_equal(rg_package_verify(p, keys, 2, &err), 0);
    assert_string_equal(p->name, "sensor-content-0292");
    assert_string_equal(p->kind, "content");
    assert_string_equal(p->version, "0292");
    assert_string_equal(p->target_sensor, "1");
    assert_int_equal(p->nfiles, 1);
    assert_string_equal(p->files[0].path, "files/channels/291.rgc");
    assert_int_equal(strlen(p->key_id), 16);
    rg_package_free(p);
    snprintf(again, sizeof(again), "%s/b.rgpkg", f->dir);
    assert_int_equal(rg_package_build(f->src, f->key, again, &err), 0);
    snprintf(cmd, sizeof(cmd), "cmp -s %s %s", f->pkg, again);
    assert_int_equal(system(cmd), 0);
}

static void test_foreign_key_refused(void **state)
{
    struct fx *f = *state;

    build(f);
    assert_non_null(strstr(check(f->pkg, f->foreign_pub), "bad signature"));
}

static void test_tampered_byte_refused(void **state)
{
    struct fx *f = *state;
    struct rg_package *p = members_of(f);
    char *evil = strdup((const char *)p->files[0].data);
    struct member m[] = {{"manifest.json", p->manifest, p->manifest_len, AE_IFREG, 0},
                         {"manifest.sig", p->sig, 64, AE_IFREG, 0},
                         {"files/channels/291.rgc", evil, p->files[0].size, AE_IFREG, 0}};

    evil[40] ^= 1;
    write_tar(f->pkg, m, 3);
    assert_non_null(strstr(check(f->pkg, f->pub), "does not match its sha256"));
    free(evil);
    rg_package_free(p);
}

static void test_altered_manifest_refused(void **state)
{
    struct fx *f = *state;
    struct rg_package *p = members_of(f);
    char *manifest = strndup(p->manifest, p->manifest_len);
    struct member m[3];

    /* A version bump without re-signing: hashes still match, the signature does not. */
    memcpy(strstr(manifest, "\"0292\""), "\"0299\"", 6);
    m[0] = (struct member){"manifest.json", manifest, p->manifest_len, AE_IFREG, 0};
    m[1] = (struct member){"manifest.sig", p->sig, 64, AE_IFREG, 0};
    m[2] =
        (struct member){"files/channels/291.rgc", p->files[0].data, p->files[0].size, AE_IFREG, 0};
    write_tar(f->pkg, m, 3);
    assert_non_null(strstr(check(f->pkg, f->pub), "bad signature"));
    free(manifest);
    rg_package_free(p);
}

static void test_structural_refusals(void **state)
{
    struct fx *f = *state;
    struct rg_package *p = members_of(f);
    struct member good[] = {
        {"manifest.json", p->manifest, p->manifest_len, AE_IFREG, 0},
        {"manifest.sig", p->sig, 64, AE_IFREG, 0},
        {"files/channels/291.rgc", p->files[0].data, p->files[0].size, AE_IFREG, 0}};
    struct member m[4];

    memcpy(m, good, sizeof(good));
    m[3] = (struct member){"files/extra.rgc", "x", 1, AE_IFREG, 0};
    write_tar(f->pkg, m, 4);
    assert_non_null(strstr(check(f->pkg, f->pub), "not in the manifest"));

    m[3] = (struct member){"../etc/cron.d/evil", "x", 1, AE_IFREG, 0};
    write_tar(f->pkg, m, 4);
    assert_non_null(strstr(check(f->pkg, f->pub), "unsafe path"));

    m[3] = (struct member){"/etc/passwd", "x", 1, AE_IFREG, 0};
    write_tar(f->pkg, m, 4);
    assert_non_null(strstr(check(f->pkg, f->pub), "unsafe path"));

    m[3] = (struct member){"files/link", NULL, 0, AE_IFLNK, 0};
    write_tar(f->pkg, m, 4);
    assert_non_null(strstr(check(f->pkg, f->pub), "not a regular file"));

    m[3] = good[2];
    write_tar(f->pkg, m, 4);
    assert_non_null(strstr(check(f->pkg, f->pub), "duplicate entry"));

    write_tar(f->pkg, (struct member[]){good[0], good[2]}, 2);
    assert_non_null(strstr(check(f->pkg, f->pub), "missing signature"));

    write_tar(f->pkg, (struct member[]){good[0], good[1]}, 2);
    assert_non_null(strstr(check(f->pkg, f->pub), "in the manifest but not in the archive"));

    /* Not JSON, and not signed by this manifest: refused at the signature. */
    m[0] = (struct member){"manifest.json", "{\"format\": ", 11, AE_IFREG, 0};
    write_tar(f->pkg, m, 3);
    assert_non_null(strstr(check(f->pkg, f->pub), "bad signature"));

    rg_test_write(f->pkg, "this is not a tar archive at all, just text that goes on a while");
    assert_non_null(strstr(check(f->pkg, f->pub), "archive"));
    rg_package_free(p);
}

/* Regression: a manifest listing one path twice crashed verify, show and run (the second
 * entry hashed the data the first had taken: rg_sha256_hex(NULL, ...)). */
static void test_duplicate_path_refused(void **state)
{
    struct fx *f = *state;
    char *e = entry("files/channels/291.rgc", CHANNEL, "0644"), files[1024], *m;
    struct member ch = {"files/channels/291.rgc", CHANNEL, strlen(CHANNEL), AE_IFREG, 0};
    struct rg_package *p = NULL;
    struct rg_error err;

    snprintf(files, sizeof(files), "%s, %s", e, e);
    m = manifest("", files);
    write_signed(f, f->key, m, &ch, 1);
    assert_non_null(strstr(check(f->pkg, f->pub), "'files/channels/291.rgc' is listed twice"));
    /* Unauthenticated (show without a key): the same refusal, no crash. */
    assert_int_equal(rg_package_open(f->pkg, &p, &err), 0);
    assert_int_equal(rg_package_inspect(p, &err), -1);
    assert_non_null(strstr(err.msg, "listed twice"));
    assert_false(p->parsed);
    rg_package_free(p);
    /* Signed by anyone else: refused at the signature, the manifest never read. */
    write_signed(f, f->foreign_key, m, &ch, 1);
    assert_non_null(strstr(check(f->pkg, f->pub), "bad signature"));
    free(m);
    free(e);
}

/* The parser is not reached before the signature: text that is not JSON at all, signed by
 * an untrusted key, gets the signature error; signed by the trusted key, the JSON error. */
static void test_unauthenticated_manifest_not_parsed(void **state)
{
    struct fx *f = *state;
    static const char junk[] = "this is not JSON {{{";
    struct member ch = {"files/channels/291.rgc", CHANNEL, strlen(CHANNEL), AE_IFREG, 0};
    const char *msg;

    write_signed(f, f->foreign_key, junk, &ch, 1);
    msg = check(f->pkg, f->pub);
    assert_non_null(strstr(msg, "bad signature"));
    assert_non_null(strstr(msg, "its manifest was not read"));
    assert_null(strstr(msg, "manifest.json:"));
    write_signed(f, f->key, junk, &ch, 1);
    assert_non_null(strstr(check(f->pkg, f->pub), "manifest.json:1:"));
}

static void expect_signed(struct fx *f, const char *extra, const char *path, const char *mode,
                          unsigned tar_mode, const char *want)
{
    char *e = entry(path, CHANNEL, mode), *m = manifest(extra, e);
    struct member ch = {"files/channels/291.rgc", CHANNEL, strlen(CHANNEL), AE_IFREG, tar_mode};
    const char *msg;

    write_signed(f, f->key, m, &ch, 1);
    msg = check(f->pkg, f->pub);
    if (*want ? !strstr(msg, want) : *msg != '\0')
        fail_msg("expected '%s', got '%s'", want, msg);
    free(m);
    free(e);
}

static void test_modes(void **state)
{
    struct fx *f = *state;
    const char *rgc = "files/channels/291.rgc";

    expect_signed(f, "", rgc, "0644", 0644, "");
    expect_signed(f, "", rgc, "0755", 0755, "");
    expect_signed(f, "", rgc, "4755", 0755, "files[0].mode '4755': only \"0644\" or \"0755\"");
    expect_signed(f, "", rgc, "2755", 0755, "mode '2755'");
    expect_signed(f, "", rgc, "1755", 0755, "mode '1755'");
    expect_signed(f, "", rgc, "0777", 0755, "mode '0777'");
    expect_signed(f, "", rgc, "0666", 0644, "mode '0666'");
    expect_signed(f, "", rgc, "644", 0644, "mode '644'");
    /* The tar header is not signed: it must say what the manifest says. */
    expect_signed(f, "", rgc, "0644", 04755, "the tar header gives mode 4755");
    expect_signed(f, "", rgc, "0644", 0666, "the tar header gives mode 0666");
    expect_signed(f, "", rgc, "0644", 0755, "the tar header gives mode 0755, the manifest 0644");
}

static void test_one_spelling_per_file(void **state)
{
    struct fx *f = *state;
    char *a = entry("files/channels/a.rgc", CHANNEL, "0644");
    char *b = entry("files/channels/A.rgc", CHANNEL, "0644");
    char *c = entry("files/channels", CHANNEL, "0644"), files[1024], *m;
    struct member ma = {"files/channels/a.rgc", CHANNEL, strlen(CHANNEL), AE_IFREG, 0};
    struct member mb = {"files/channels/A.rgc", CHANNEL, strlen(CHANNEL), AE_IFREG, 0};
    struct member mc = {"files/channels", CHANNEL, strlen(CHANNEL), AE_IFREG, 0};

    snprintf(files, sizeof(files), "%s, %s", a, b);
    m = manifest("", files);
    write_signed(f, f->key, m, (struct member[]){ma, mb}, 2);
    assert_non_null(strstr(check(f->pkg, f->pub), "differ only in case"));
    free(m);
    snprintf(files, sizeof(files), "%s, %s", c, a);
    m = manifest("", files);
    write_signed(f, f->key, m, (struct member[]){mc, ma}, 2);
    assert_non_null(strstr(check(f->pkg, f->pub), "one is a folder of the other"));
    free(m);
    expect_signed(f, "", "files/channels/./291.rgc", "0644", 0, "canonical path under files/");
    expect_signed(f, "", "files/channels//291.rgc", "0644", 0, "canonical path under files/");
    expect_signed(f, "", "files/channels/291.rgc/", "0644", 0, "canonical path under files/");
    expect_signed(f, "", "files/../manifest.json", "0644", 0, "canonical path under files/");
    expect_signed(f, "", "files/channels/.291.rgc", "0644", 0, "canonical path under files/");
    free(a);
    free(b);
    free(c);
}

/* Signed by the vendor and still wrong: every field is checked after the signature. */
static void test_signed_fields_checked(void **state)
{
    struct fx *f = *state;
    const char *rgc = "files/channels/291.rgc";

    expect_signed(f, ", \"postinstall\": \"rm -rf /\"", rgc, "0644", 0,
                  "manifest.json: unknown key 'postinstall'");
    expect_signed(f, ", \"description\": \"\\u001b[2Jgone\"", rgc, "0644", 0,
                  "'description' must be text");
    expect_signed(f, ", \"target\": {\"kernel\": \"6.1 && reboot\"}", rgc, "0644", 0,
                  "'target.kernel' must match");
    expect_signed(f, ", \"target\": {\"os\": \"x\"}", rgc, "0644", 0, "unknown key 'os'");
    expect_signed(f, ", \"target\": [1]", rgc, "0644", 0, "'target' must be an object");
}

static void expect_version(struct fx *f, const char *version, const char *want)
{
    char *e = entry("files/channels/291.rgc", CHANNEL, "0644"), *m;
    struct member ch = {"files/channels/291.rgc", CHANNEL, strlen(CHANNEL), AE_IFREG, 0};
    const char *msg;

    assert_true(asprintf(&m,
                         "{\"format\": \"ringgate.pkg/v1\", \"name\": \"c\", \"kind\": "
                         "\"content\", \"version\": %s, \"files\": [%s]}",
                         version, e) > 0);
    write_signed(f, f->key, m, &ch, 1);
    msg = check(f->pkg, f->pub);
    if (*want ? !strstr(msg, want) : *msg != '\0')
        fail_msg("version %s: expected '%s', got '%s'", version, want, msg);
    free(m);
    free(e);
}

/* Versions become the guest's folder names: no "..", no hidden or option-like names. */
static void test_versions_that_are_folder_names(void **state)
{
    struct fx *f = *state;
    const char *bad[] = {"\"..\"",
                         "\".\"",
                         "\".hidden\"",
                         "\"-rf\"",
                         "\"a/b\"",
                         "\"\"",
                         "\"0123456789012345678901234567890123\"",
                         "292",
                         "null"};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_version(f, bad[i], "'version'");
    expect_version(f, "\"0292\"", "");
    expect_version(f, "\"1.10.0-rc1\"", "");
}

static int validate_version(struct fx *f, const char *pkg_version, const char *channel,
                            struct rg_errors *errs)
{
    struct rg_package *p = NULL;
    struct rg_error err;
    char *e = entry("files/channels/291.rgc", channel, "0644"), *m;
    struct member ch = {"files/channels/291.rgc", channel, strlen(channel), AE_IFREG, 0};
    const char *keys[] = {f->pub};
    int rc;

    assert_true(asprintf(&m,
                         "{\"format\": \"ringgate.pkg/v1\", \"name\": \"c\", \"kind\": "
                         "\"content\", \"version\": \"%s\", \"files\": [%s]}",
                         pkg_version, e) > 0);
    write_signed(f, f->key, m, &ch, 1);
    assert_int_equal(rg_package_open(f->pkg, &p, &err), 0);
    assert_int_equal(rg_package_verify(p, keys, 1, &err), 0);
    rc = rg_package_validate_channels(p, 20, errs);
    rg_package_free(p);
    free(m);
    free(e);
    return rc;
}

/* A package that says 0293 and carries 9999 is a mix-up that reaches production as 0293. */
static void test_channel_version_must_be_the_packages(void **state)
{
    struct fx *f = *state;
    struct rg_errors errs = {0};
    static const char v9999[] = "RGCHANNEL 1\nchannel 291\nversion 9999\ninputs 20\n"
                                "rule 1 match 1 x\n";
    static const char twice[] = "RGCHANNEL 1\nchannel 291\nversion 0293\nversion 99\n"
                                "inputs 20\nrule 1 match 1 x\n";

    assert_int_equal(validate_version(f, "0293", v9999, &errs), -1);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.v[0].file, "files/channels/291.rgc");
    assert_int_equal(errs.v[0].line, 3);
    assert_non_null(strstr(errs.v[0].msg, "version 9999 is not the package's version 0293"));
    rg_errors_free(&errs);
    assert_int_equal(validate_version(f, "0292", CHANNEL, &errs), 0);
    assert_int_equal(errs.n, 0);
    assert_int_equal(validate_version(f, "0293", twice, &errs), -1);
    assert_non_null(strstr(errs.v[0].msg, "'version' given twice"));
    rg_errors_free(&errs);
}

/* The unsafe kinds of tar entry are refused by the framing, before any signature. */
static void test_tar_framing(void **state)
{
    struct fx *f = *state;
    struct member bad[] = {
        {"files/channels/291.rgc", CHANNEL, strlen(CHANNEL), AE_IFREG, 04755},
        {"files/\033[2Jx", "x", 1, AE_IFREG, 0},
        {"files/a/../../x", "x", 1, AE_IFREG, 0},
        {"files/ a", "x", 1, AE_IFREG, 0},
    };
    const char *want[] = {"the tar header gives mode 4755", "archive: 'files/\\x1b[2Jx'",
                          "unsafe path", "unsafe path"};
    char *m = manifest("", "");

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *msg;
        write_signed(f, f->key, m, &bad[i], 1);
        msg = check(f->pkg, f->pub);
        if (!strstr(msg, want[i]))
            fail_msg("case %zu: expected '%s', got '%s'", i, want[i], msg);
        assert_null(strchr(msg, '\033'));
    }
    free(m);
}

static void test_downgrade_refused_unless_allowed(void **state)
{
    struct fx *f = *state;
    struct rg_package old = {.path = "old.rgpkg", .kind = "content", .version = "0290"};
    struct rg_package cur = {.path = "cur.rgpkg", .kind = "content", .version = "0292"};
    struct rg_package drv = {.path = "drv.rgpkg", .kind = "driver", .version = "1.0.0"};
    struct rg_error err;

    (void)f;
    assert_int_equal(rg_package_check_version(&cur, &old, false, &err), 0);
    assert_int_equal(rg_package_check_version(&old, &cur, false, &err), -1);
    assert_non_null(strstr(err.msg, "downgrade refused"));
    assert_int_equal(rg_package_check_version(&old, &cur, true, &err), 0);
    /* Different kinds are not comparable: no refusal. */
    assert_int_equal(rg_package_check_version(&drv, &cur, false, &err), 0);
}

static void test_version_compare(void **state)
{
    (void)state;
    assert_true(rg_version_compare("0292", "0291") > 0);
    assert_true(rg_version_compare("1.10.0", "1.9.0") > 0);
    assert_true(rg_version_compare("1.1.0", "1.1.0") == 0);
    assert_true(rg_version_compare("1.1", "1.1.0") < 0);
    assert_true(rg_version_compare("1.0.0", "1.0.0-rc1") < 0);
    assert_true(rg_version_compare("2", "10") < 0);
}

static void test_build_refuses_symlinks(void **state)
{
    struct fx *f = *state;
    char link[256];
    struct rg_error err;

    snprintf(link, sizeof(link), "%s/files/evil", f->src);
    assert_int_equal(symlink("/etc/passwd", link), 0);
    assert_int_equal(rg_package_build(f->src, f->key, f->pkg, &err), -1);
    assert_non_null(strstr(err.msg, "not a regular file"));
    assert_int_equal(access(f->pkg, F_OK), -1); /* nothing half-written */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_build_verify_and_reproducible, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_key_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tampered_byte_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_altered_manifest_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_structural_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_path_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unauthenticated_manifest_not_parsed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_spelling_per_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signed_fields_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_versions_that_are_folder_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_channel_version_must_be_the_packages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tar_framing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_downgrade_refused_unless_allowed, setup, teardown),
        cmocka_unit_test(test_version_compare),
        cmocka_unit_test_setup_teardown(test_build_refuses_symlinks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
