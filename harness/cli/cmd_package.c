/* `ringgate package build|verify|show`: signed update packages. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds.h"
#include "package/package.h"
#include "util/ringgate.h"

/* The sample sensor (driver 1.x) supplies this many input fields to its rules. */
#define SENSOR_INPUTS 20
#define MAX_KEYS 16
#define STRINGIFY(x) #x
#define TEXT_OF(x) STRINGIFY(x)
#define MAX_KEYS_TEXT TEXT_OF(MAX_KEYS)

static const char package_about[] =
    "A package (.rgpkg) is a ustar archive: manifest.json (format ringgate.pkg/v1: name,\n"
    "kind content|driver, version, target, and every file's path, size and sha256),\n"
    "manifest.sig (the raw 64-byte Ed25519 signature of manifest.json) and files/.\n"
    "\n"
    "build    DIR holds package.json (name, kind, version, target, description) and\n"
    "         files/; the archive is reproducible (sorted, fixed owners and times:\n"
    "         SOURCE_DATE_EPOCH or 0) and written atomically.\n"
    "verify   reads the tar framing, checks manifest.sig over the raw manifest.json with\n"
    "         the keys, and only then parses the manifest. It refuses a missing or bad\n"
    "         signature (without reading the manifest), an untrusted key, a file whose\n"
    "         hash, size or mode differs, a file listed twice or not at all, modes other\n"
    "         than 0644/0755, unsafe or non-canonical paths (absolute, '..', links,\n"
    "         devices, pax/GNU headers), oversized archives, and a version older than\n"
    "         --baseline's (unless --allow-downgrade; the baseline is verified with the\n"
    "         same keys). --validate-content also runs the channel file validator on a\n"
    "         content package (every channel file's version must be the package's).\n"
    "show     the manifest; with --key only after the signature verified (else refused).\n"
    "         Without --key the manifest is read unauthenticated, as hostile input, and\n"
    "         shown as the package's own unverified claim.\n";
static const char package_more[] =
    "Exit: 0 ok, 1 the content validator rejected the content, 2 refused or usage error.\n";

struct pkg_args {
    struct rg_opt_list keys;
    const char *out, *baseline;
    bool allow_downgrade, validate_content;
};

#define AT(field) offsetof(struct pkg_args, field)
#define BUILD RG_OPT_LINE(0)
#define VERIFY RG_OPT_LINE(1)

/* One table for the three subcommands (each accepts every option); .lines says whose usage
 * line shows an option. */
static const struct rg_option package_options[] = {
    {.type = RG_OPTION_LIST, .short_name = 'k', .long_name = "key", .offset = AT(keys),
     .arg = "KEY.pem", .bad = "at most " MAX_KEYS_TEXT " keys",
     .help = "build: the vendor's private key; verify, show: a public key to trust (repeat "
             "for more, at most " MAX_KEYS_TEXT ")",
     .required = BUILD | VERIFY},
    {.type = RG_OPTION_STRING, .short_name = 'o', .long_name = "output", .offset = AT(out),
     .arg = "FILE", .help = "build: the package (.rgpkg) to write", .lines = BUILD,
     .required = BUILD},
    {.type = RG_OPTION_STRING, .long_name = "baseline", .offset = AT(baseline), .arg = "PKG",
     .help = "verify: refuse a version older than PKG's", .lines = VERIFY},
    {.type = RG_OPTION_BOOL, .long_name = "allow-downgrade", .offset = AT(allow_downgrade),
     .help = "verify: accept a version older than --baseline's", .lines = VERIFY},
    {.type = RG_OPTION_BOOL, .long_name = "validate-content", .offset = AT(validate_content),
     .help = "verify: also run the channel file validator on a content package", .lines = VERIFY},
};

static int refuse(const struct rg_error *err)
{
    rg_error_print(stderr, err);
    return RG_EXIT_USAGE;
}

static int validate_content(const struct rg_package *p)
{
    struct rg_errors errs = {0};
    int rc = RG_EXIT_OK;

    if (rg_package_validate_channels(p, SENSOR_INPUTS, &errs) < 0) {
        rg_errors_print(stderr, &errs);
        fprintf(stderr, "%s: content rejected by the channel file validator\n", p->path);
        rc = RG_EXIT_BLOCK;
    }
    rg_errors_free(&errs);
    return rc;
}

static int do_verify(const char *path, const struct pkg_args *o)
{
    struct rg_package *p = NULL, *base = NULL;
    struct rg_error err;
    int rc = RG_EXIT_USAGE;

    if (o->keys.n == 0)
        return rg_command_usage_error("package", "verify needs --key PUBLIC.pem");
    if (rg_package_open(path, &p, &err) < 0 ||
        rg_package_verify(p, o->keys.v, o->keys.n, &err) < 0) {
        rc = refuse(&err);
        goto out;
    }
    if (o->baseline) {
        if (rg_package_open(o->baseline, &base, &err) < 0 ||
            rg_package_verify(base, o->keys.v, o->keys.n, &err) < 0 ||
            rg_package_check_version(p, base, o->allow_downgrade, &err) < 0) {
            rc = refuse(&err);
            goto out;
        }
    }
    printf("%s: ok: %s %s (%s, signed by %s)\n", path, p->name, p->version, p->kind,
           p->key_id);
    rc = RG_EXIT_OK;
    if (o->validate_content && strcmp(p->kind, "content") == 0)
        rc = validate_content(p);
out:
    rg_package_free(p);
    rg_package_free(base);
    return rc;
}

static int do_show(const char *path, const struct pkg_args *o)
{
    struct rg_package *p = NULL;
    struct rg_error err;

    /* With a key, authenticate before parsing; without one, parse as hostile input. */
    if (rg_package_open(path, &p, &err) < 0 ||
        (o->keys.n && rg_package_verify(p, o->keys.v, o->keys.n, &err) < 0) ||
        (!o->keys.n && rg_package_inspect(p, &err) < 0)) {
        rg_package_free(p);
        return refuse(&err);
    }
    printf("package  %s\nname     %s\nkind     %s\nversion  %s\nsha256   %s\n", path, p->name,
           p->kind, p->version, p->sha256);
    if (p->description)
        printf("about    %s\n", p->description);
    printf("target   sensor %s, kernel %s\n", p->target_sensor ? p->target_sensor : "any",
           p->target_kernel ? p->target_kernel : "any");
    if (p->verified)
        printf("signer   %s\n", p->key_id);
    else
        printf("signer   NOT CHECKED (no --key): all of this is the package's unverified claim\n");
    printf("files\n");
    for (size_t i = 0; i < p->nfiles; i++)
        printf("  %-40s %8zu  %s\n", p->files[i].path, p->files[i].size, p->files[i].sha256);
    rg_package_free(p);
    return RG_EXIT_OK;
}

static int cmd_package(void *opts, int argc, char **argv)
{
    const char *keys[MAX_KEYS];
    struct pkg_args o = {.keys = {keys, 0, MAX_KEYS}};
    struct rg_error err;
    const char *sub;
    int rc, first;

    (void)opts;
    if (argc < 2)
        return rg_command_usage_error("package", "expected build, verify or show");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return rg_command_help(&rg_cmd_package.spec);
    sub = argv[1];
    rc = rg_command_parse(&rg_cmd_package.spec, argc - 1, argv + 1, &o, &first);
    if (rc != RG_CLI_GO)
        return rc;
    if (argc - 1 - first != 1)
        return rg_command_usage_error("package", "%s takes exactly one package or folder", sub);
    if (strcmp(sub, "build") == 0) {
        if (o.keys.n != 1 || !o.out)
            return rg_command_usage_error("package", "build needs --key PRIVATE.pem and -o OUT");
        if (rg_package_build(argv[1 + first], keys[0], o.out, &err) < 0)
            return refuse(&err);
        printf("%s\n", o.out);
        return RG_EXIT_OK;
    }
    if (strcmp(sub, "verify") == 0)
        return do_verify(argv[1 + first], &o);
    if (strcmp(sub, "show") == 0)
        return do_show(argv[1 + first], &o);
    return rg_command_usage_error("package", "unknown subcommand '%s'", sub);
}

/* cmd_package parses the options after the subcommand and checks the operands itself. */
const struct rg_command rg_cmd_package = {
    .summary = "build, verify and show signed update packages", .fn = cmd_package,
    .spec = {.name = "package", .usage = "build DIR\nverify PKG\nshow PKG",
             RG_OPTIONS(package_options), .max_args = -1, .about = package_about,
             .more = package_more}};
