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

#include "testutil.h"

#include "runstate.h"
#include "update.h"

struct fx {
    char dir[64], src[128], key[128], pub[128], foreign_pub[128], pkg[128];
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
    char path[256], foreign_priv[128];

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
    snprintf(foreign_priv, sizeof(foreign_priv), "%s/foreign.pem", f->dir);
    snprintf(f->foreign_pub, sizeof(f->foreign_pub), "%s/foreign.pub", f->dir);
    make_key(f->key, f->pub);
    make_key(foreign_priv, f->foreign_pub);
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
    int type; /* AE_IFREG or AE_IFLNK */
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
        archive_entry_set_perm(e, 0644);
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

    build(f);
    assert_int_equal(rg_package_open(f->pkg, &p, &err), 0);
    return p;
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
    struct member m[] = {{"manifest.json", p->manifest, p->manifest_len, AE_IFREG},
                         {"manifest.sig", p->sig, 64, AE_IFREG},
                         {"files/channels/291.rgc", evil, p->files[0].size, AE_IFREG}};

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
    m[0] = (struct member){"manifest.json", manifest, p->manifest_len, AE_IFREG};
    m[1] = (struct member){"manifest.sig", p->sig, 64, AE_IFREG};
    m[2] = (struct member){"files/channels/291.rgc", p->files[0].data, p->files[0].size,
                           AE_IFREG};
    write_tar(f->pkg, m, 3);
    assert_non_null(strstr(check(f->pkg, f->pub), "bad signature"));
    free(manifest);
    rg_package_free(p);
}

static void test_structural_refusals(void **state)
{
    struct fx *f = *state;
    struct rg_package *p = members_of(f);
    struct member good[] = {{"manifest.json", p->manifest, p->manifest_len, AE_IFREG},
                            {"manifest.sig", p->sig, 64, AE_IFREG},
                            {"files/channels/291.rgc", p->files[0].data, p->files[0].size,
                             AE_IFREG}};
    struct member m[4];

    memcpy(m, good, sizeof(good));
    m[3] = (struct member){"files/extra.rgc", "x", 1, AE_IFREG};
    write_tar(f->pkg, m, 4);
    assert_non_null(strstr(check(f->pkg, f->pub), "not in the manifest"));

    m[3] = (struct member){"../etc/cron.d/evil", "x", 1, AE_IFREG};
    write_tar(f->pkg, m, 4);
    assert_non_null(strstr(check(f->pkg, f->pub), "unsafe path"));

    m[3] = (struct member){"/etc/passwd", "x", 1, AE_IFREG};
    write_tar(f->pkg, m, 4);
    assert_non_null(strstr(check(f->pkg, f->pub), "unsafe path"));

    m[3] = (struct member){"files/link", NULL, 0, AE_IFLNK};
    write_tar(f->pkg, m, 4);
    assert_non_null(strstr(check(f->pkg, f->pub), "not a regular file"));

    m[3] = good[2];
    write_tar(f->pkg, m, 4);
    assert_non_null(strstr(check(f->pkg, f->pub), "duplicate entry"));

    write_tar(f->pkg, (struct member[]){good[0], good[2]}, 2);
    assert_non_null(strstr(check(f->pkg, f->pub), "missing signature"));

    write_tar(f->pkg, (struct member[]){good[0], good[1]}, 2);
    assert_non_null(strstr(check(f->pkg, f->pub), "in the manifest but not in the archive"));

    m[0] = (struct member){"manifest.json", "{\"format\": ", 11, AE_IFREG};
    write_tar(f->pkg, m, 3);
    assert_non_null(strstr(check(f->pkg, f->pub), "manifest.json:1:"));

    rg_test_write(f->pkg, "this is not a tar archive at all, just text that goes on a while");
    assert_non_null(strstr(check(f->pkg, f->pub), "archive"));
    rg_package_free(p);
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
        cmocka_unit_test_setup_teardown(test_downgrade_refused_unless_allowed, setup, teardown),
        cmocka_unit_test(test_version_compare),
        cmocka_unit_test_setup_teardown(test_build_refuses_symlinks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
