/* Unit tests for the image catalogue: paths resolved against its folder, defaults, every
 * refusal with its message, lookups, and finding images/catalog.json from a folder below. */
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

#include "model/catalog.h"
#include "testutil.h"

struct fixture {
    char dir[64], path[128];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    snprintf(f->dir, sizeof(f->dir), "/tmp/rg-test-catalog-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/catalog.json", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* Loads text as the fixture's catalogue; expects it to fail with a message containing want. */
static void load_fails(struct fixture *f, const char *text, const char *want)
{
    struct rg_catalog *cat = NULL;
    struct rg_error err = {0};

    rg_test_write(f->path, text);
    assert_int_equal(rg_catalog_load(f->path, &cat, &err), -1);
    assert_null(cat);
    assert_string_equal(err.file, f->path);
    if (!strstr(err.msg, want))
        fail_msg("'%s' does not say '%s'", err.msg, want);
}

static void test_paths_and_defaults(void **state)
{
    struct fixture *f = *state;
    struct rg_catalog *cat = NULL;
    struct rg_error err = {0};
    const struct rg_image *tiny, *full;
    char want[256];

    rg_test_write(f->path,
                  "{\"images\": {"
                  " \"tiny\": {\"kernel\": \"build/vmlinux\", \"initrd\": \"i.img\","
                  "  \"disk\": \"/abs/disk.qcow2\", \"cmdline\": \"console=ttyS0\"},"
                  " \"full\": {\"kernel\": \"k\", \"initrd\": \"i\", \"disk\": \"d\","
                  "  \"cmdline\": \"c\", \"description\": \"all of it\", \"machine\": \"q35\","
                  "  \"firmware\": \"efi\", \"boot\": \"disk\", \"memory_mib\": 1024,"
                  "  \"ready_timeout_s\": 90}}}");
    assert_int_equal(rg_catalog_load(f->path, &cat, &err), 0);
    assert_int_equal(cat->nimages, 2);
    assert_string_equal(cat->path, f->path);

    tiny = rg_catalog_find(cat, "tiny");
    assert_non_null(tiny);
    snprintf(want, sizeof(want), "%s/build/vmlinux", f->dir);
    assert_string_equal(tiny->kernel, want);
    snprintf(want, sizeof(want), "%s/i.img", f->dir);
    assert_string_equal(tiny->initrd, want);
    assert_string_equal(tiny->disk, "/abs/disk.qcow2"); /* absolute: as written */
    assert_string_equal(tiny->cmdline, "console=ttyS0");
    /* What an image leaves out. */
    assert_string_equal(tiny->machine, "pc");
    assert_int_equal(tiny->memory_mib, 256);
    assert_int_equal(tiny->ready_timeout_s, 60);
    assert_null(tiny->description);
    assert_null(tiny->firmware);
    assert_null(tiny->boot);

    full = rg_catalog_find(cat, "full");
    assert_non_null(full);
    assert_string_equal(full->description, "all of it");
    assert_string_equal(full->machine, "q35");
    assert_string_equal(full->firmware, "efi");
    assert_string_equal(full->boot, "disk");
    assert_int_equal(full->memory_mib, 1024);
    assert_int_equal(full->ready_timeout_s, 90);

    assert_null(rg_catalog_find(cat, "tin"));
    assert_null(rg_catalog_find(NULL, "tiny"));
    rg_catalog_free(cat);
    rg_catalog_free(NULL);
}

/* A catalogue named without a folder is relative to the working directory. */
static void test_relative_to_cwd(void **state)
{
    struct fixture *f = *state;
    struct rg_catalog *cat = NULL;
    struct rg_error err = {0};
    char cwd[4096];

    assert_non_null(getcwd(cwd, sizeof(cwd)));
    rg_test_write(f->path, "{\"images\": {\"x\": {\"kernel\": \"k\", \"initrd\": \"i\","
                           " \"disk\": \"d\", \"cmdline\": \"\"}}}");
    assert_int_equal(chdir(f->dir), 0);
    assert_int_equal(rg_catalog_load("catalog.json", &cat, &err), 0);
    assert_int_equal(chdir(cwd), 0);
    assert_string_equal(cat->images[0].kernel, "./k");
    assert_string_equal(cat->images[0].disk, "./d");
    rg_catalog_free(cat);
}

#define IMG "\"kernel\": \"k\", \"initrd\": \"i\", \"disk\": \"d\", \"cmdline\": \"c\""

/* The image's guest contract: each part optional, parsed as given, the rest default. */
static void test_guest_contract(void **state)
{
    struct fixture *f = *state;
    struct rg_catalog *cat = NULL;
    struct rg_error err = {0};
    struct rg_guest_contract g;
    const struct rg_image *img;

    rg_test_write(f->path,
                  "{\"images\": {\"other\": {" IMG ", \"guest\": {"
                  " \"ready\": {\"pattern\": \"rg-other\\\\[\\\\d+\\\\]: started "
                  "version=(?<agent>\\\\S+)\", \"command\": [\"/bin/systemctl\", \"is-active\","
                  " \"rg-other\"]},"
                  " \"install\": {\"command\": [\"/usr/sbin/rg-other-install\", \"{package}\"],"
                  "  \"timeout_s\": 120, \"record\": \"^INSTALLED\"},"
                  " \"versions\": {\"command\": [\"/usr/sbin/rg-other-versions\"],"
                  "  \"driver\": \"agent\", \"content\": \"rules\"},"
                  " \"safe_mode\": \"none\"}},"
                  " \"plain\": {" IMG "}}}");
    if (rg_catalog_load(f->path, &cat, &err) < 0)
        fail_msg("%s", err.msg);
    img = rg_catalog_find(cat, "other");
    rg_guest_resolve(&img->guest, NULL, &g);
    assert_string_equal(g.ready_pattern, "rg-other\\[\\d+\\]: started version=(?<agent>\\S+)");
    assert_true(g.ready_agent);
    assert_string_equal(g.ready_command[2], "rg-other");
    assert_string_equal(g.install_command[0], "/usr/sbin/rg-other-install");
    assert_int_equal(g.install_timeout_s, 120);
    assert_non_null(g.record_re);
    assert_true(rg_guest_regex_match(g.record_re, "INSTALLED 2.0"));
    assert_string_equal(g.versions_command[0], "/usr/sbin/rg-other-versions");
    assert_string_equal(g.driver, "agent");
    assert_string_equal(g.content, "rules");
    assert_null(g.safe_mode);
    rg_guest_resolve(&rg_catalog_find(cat, "plain")->guest, NULL, &g);
    assert_string_equal(g.install_command[0], "/usr/sbin/rg-install");
    assert_string_equal(g.safe_mode, "ringgate.safe=1");
    rg_catalog_free(cat);

    load_fails(f, "{\"images\": {\"x\": {" IMG ", \"guest\": {\"redy\": {}}}}}",
               "image 'x': unknown key 'redy' in 'guest' (did you mean 'ready'?)");
    load_fails(f, "{\"images\": {\"x\": {" IMG ", \"guest\": {\"ready\": {\"patern\": \"a\"}}}}}",
               "unknown key 'patern' in 'guest.ready' (did you mean 'pattern'?)");
    load_fails(f, "{\"images\": {\"x\": {" IMG ", \"guest\": {\"ready\": {\"pattern\": \"(a\"}}}}}",
               "image 'x': 'guest.ready.pattern' is not a valid PCRE2 pattern: missing closing "
               "parenthesis at offset 2");
    load_fails(f, "{\"images\": {\"x\": {" IMG ", \"guest\": {\"install\": {\"command\": "
                  "\"/usr/sbin/rg-install\"}}}}}",
               "'guest.install.command' must be a list of 1 to 16 strings");
    load_fails(f, "{\"images\": {\"x\": {" IMG ", \"guest\": {\"install\": {\"command\": "
                  "[\"rg-install\"]}}}}}",
               "must start with the program's absolute path");
    load_fails(f, "{\"images\": {\"x\": {" IMG ", \"guest\": {\"install\": {\"timeout_s\": 0}}}}}",
               "'guest.install.timeout_s' must be an integer from 1 to 3600");
    load_fails(f, "{\"images\": {\"x\": {" IMG ", \"guest\": {\"ready\": {\"agent\": \"yes\"}}}}}",
               "'guest.ready.agent' must be true or false");
    load_fails(f, "{\"images\": {\"x\": {" IMG ", \"guest\": {\"safe_mode\": \"\"}}}}",
               "'guest.safe_mode' must be a non-empty string");
}

static void test_refusals(void **state)
{
    struct fixture *f = *state;
    struct rg_catalog *cat = NULL;
    struct rg_error err = {0};
    char missing[160];

    load_fails(f, "{\"images\": {\"x\": {\"kernel\": \"k\",", "cannot read image catalogue");
    load_fails(f, "{\"schema\": \"ringgate.catalog/v1\"}", "the catalogue has no 'images' object");
    load_fails(f, "{\"images\": [\"tiny\"]}", "the catalogue has no 'images' object");
    load_fails(f, "{\"images\": {\"tiny\": \"build/tiny\"}}", "image 'tiny' must be an object");
    load_fails(f,
               "{\"images\": {\"tiny\": {\"initrd\": \"i\", \"disk\": \"d\", \"cmdline\": \"c\"}}}",
               "image 'tiny' has no 'kernel'");
    load_fails(f,
               "{\"images\": {\"tiny\": {\"kernel\": \"k\", \"initrd\": \"i\", \"disk\": \"d\"}}}",
               "image 'tiny' has no 'cmdline'");
    load_fails(f,
               "{\"images\": {\"tiny\": {\"kernel\": \"k\", \"initrd\": \"i\", \"disk\": 7,"
               " \"cmdline\": \"c\"}}}",
               "image 'tiny': 'disk' must be a string");
    load_fails(f,
               "{\"images\": {\"tiny\": {\"kernel\": \"k\", \"initrd\": \"i\", \"disk\": \"d\","
               " \"cmdline\": \"c\", \"machine\": [\"q35\"]}}}",
               "image 'tiny': 'machine' must be a string");
    /* A later image's mistake refuses the whole catalogue (and frees the good one). */
    load_fails(f,
               "{\"images\": {\"good\": {\"kernel\": \"k\", \"initrd\": \"i\", \"disk\": \"d\","
               " \"cmdline\": \"c\"}, \"bad\": {\"kernel\": \"k\"}}}",
               "image 'bad' has no 'initrd'");

    /* A JSON syntax error says where. */
    rg_test_write(f->path, "{\"images\": {\n  \"tiny\": {,}\n}}");
    assert_int_equal(rg_catalog_load(f->path, &cat, &err), -1);
    assert_int_equal(err.line, 2);
    assert_true(err.col > 0);

    snprintf(missing, sizeof(missing), "%s/nothing.json", f->dir);
    assert_int_equal(rg_catalog_load(missing, &cat, &err), -1);
    assert_string_equal(err.file, missing);
    assert_non_null(strstr(err.msg, "cannot read image catalogue"));
}

static void test_locate(void **state)
{
    struct fixture *f = *state;
    char deep[256], found[4096], want[256], real[4096];

    snprintf(deep, sizeof(deep), "%s/images", f->dir);
    assert_int_equal(mkdir(deep, 0755), 0);
    snprintf(want, sizeof(want), "%s/images/catalog.json", f->dir);
    rg_test_write(want, "{}");
    snprintf(deep, sizeof(deep), "%s/scenarios", f->dir);
    assert_int_equal(mkdir(deep, 0755), 0);
    snprintf(deep, sizeof(deep), "%s/scenarios/nightly", f->dir);
    assert_int_equal(mkdir(deep, 0755), 0);

    /* From the folder itself and from two folders below it: the same file. */
    assert_non_null(realpath(want, real));
    assert_int_equal(rg_catalog_locate(f->dir, found, sizeof(found)), 0);
    assert_string_equal(found, real);
    assert_int_equal(rg_catalog_locate(deep, found, sizeof(found)), 0);
    assert_string_equal(found, real);

    /* Not there, or no such folder. */
    assert_int_equal(unlink(want), 0);
    assert_int_equal(rg_catalog_locate(deep, found, sizeof(found)) == 0 &&
                         strncmp(found, f->dir, strlen(f->dir)) == 0,
                     0);
    snprintf(deep, sizeof(deep), "%s/no/such/folder", f->dir);
    assert_int_equal(rg_catalog_locate(deep, found, sizeof(found)), -1);
    /* Too small a buffer for the answer finds nothing rather than a truncated path. */
    assert_int_equal(rg_catalog_locate(f->dir, found, 8) == 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_paths_and_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_relative_to_cwd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guest_contract, setup, teardown),
        cmocka_unit_test_setup_teardown(test_locate, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
