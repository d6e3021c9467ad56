/* `ringgate package build|verify|show`: signed update packages. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds.h"
#include "model/scenario.h"
#include "package/package.h"
#include "package/validator.h"
#include "util/ringgate.h"

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
    "         same keys). --validate-content SCENARIO then runs the content validator\n"
    "         that scenario names (update.validator), as `run` does before any boot.\n"
    "show     the manifest; with --key only after the signature verified (else refused).\n"
    "         Without --key the manifest is read unauthenticated, as hostile input, and\n"
    "         shown as the package's own unverified claim.\n";
static const char package_more[] =
    "Exit: 0 ok, 1 the content validator rejected the content, 2 refused or usage error\n"
    "(or the scenario names no validator), 3 the validator could not judge (it crashed,\n"
    "timed out or exited with neither 0 nor 1).\n";

struct pkg_args {
    struct rg_opt_list keys;
    const char *out, *baseline, *validate_content;
    bool allow_downgrade;
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
    {.type = RG_OPTION_STRING, .long_name = "validate-content", .offset = AT(validate_content),
     .arg = "SCENARIO",
     .help = "verify: also run the content validator SCENARIO names (update.validator)",
     .lines = VERIFY},
};

static int refuse(const struct rg_error *err)
{
    rg_error_print(stderr, err);
    return RG_EXIT_USAGE;
}

/* Runs the validator the scenario names on the verified package, as `run` would. */
static int validate_content(const struct rg_package *p, const char *scenario)
{
    struct rg_scenario_opts sopts = {.check_files = false};
    struct rg_scenario *sc = NULL;
    struct rg_errors errs = {0};
    struct rg_validator_result res;
    struct rg_error err;
    char *text = NULL;
    int rc = RG_EXIT_USAGE;

    if (rg_scenario_load(scenario, &sopts, &sc, &errs) < 0) {
        rg_errors_print(stderr, &errs);
        goto out;
    }
    if (!sc->validator.argv) {
        fprintf(stderr, "%s: error: the scenario names no content validator (update.validator)\n",
                scenario);
        goto out;
    }
    text = rg_validator_command_text((const char *const *)sc->validator.argv);
    if (rg_validator_run(p, (const char *const *)sc->validator.argv, sc->validator.timeout_s,
                         &res, &err) < 0) {
        rg_error_print(stderr, &err);
        rc = RG_EXIT_INCONCLUSIVE;
        goto out;
    }
    for (size_t i = 0; i < res.nlines; i++)
        fprintf(res.accepted ? stdout : stderr, "%s\n", res.lines[i]);
    if (res.truncated)
        fprintf(stderr, "(the validator's output was cut at 64 KiB)\n");
    if (res.accepted) {
        printf("%s: content accepted by '%s'\n", p->path, text);
        rc = RG_EXIT_OK;
    } else {
        fprintf(stderr, "%s: content rejected by '%s'\n", p->path, text);
        rc = RG_EXIT_BLOCK;
    }
    rg_validator_result_free(&res);
out:
    free(text);
    rg_errors_free(&errs);
    rg_scenario_free(sc);
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
    if (o->validate_content)
        rc = validate_content(p, o->validate_content);
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
