/* `ringgate attest verify|show`: checks a gate attestation before a package is promoted. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmds.h"
#include "report/attest.h"
#include "util/ringgate.h"

static const char attest_about[] =
    "`ringgate run --attest GATE.pem` writes RUN_DIR/attestation.json for a run that passed\n"
    "or blocked: an in-toto Statement (test-result predicate, result PASSED or FAILED) whose\n"
    "subject is the update package's sha256, in a DSSE envelope signed with Ed25519.\n"
    "\n"
    "verify  checks the envelope's signature with the gate's public key, that PKG's bytes\n"
    "        are the statement's subject, and that the result is PASSED: what a release\n"
    "        pipeline runs before it promotes PKG to ring 0.\n"
    "show    prints the statement and the key id it claims (without checking it).\n";
static const char attest_more[] =
    "Exit (verify): 0 a signed PASSED verdict for exactly these bytes; 1 a genuine FAILED\n"
    "verdict (the gate blocked them); 2 anything else (bad or foreign signature, another\n"
    "package, a malformed file, usage).\n";

struct attest_args {
    const char *key, *package;
};

#define AT(field) offsetof(struct attest_args, field)

/* verify's options (show has none), on the first usage line only. */
static const struct rg_option attest_options[] = {
    {.type = RG_OPTION_STRING, .long_name = "key", .offset = AT(key), .arg = "PUBLIC.pem",
     .help = "verify: the gate's public key", .lines = RG_OPT_LINE(0),
     .required = RG_OPT_LINE(0)},
    {.type = RG_OPTION_STRING, .long_name = "package", .offset = AT(package), .arg = "PKG.rgpkg",
     .help = "verify: the package the verdict must be about", .lines = RG_OPT_LINE(0),
     .required = RG_OPT_LINE(0)},
};

static int verify(int argc, char **argv)
{
    struct attest_args a = {0};
    struct rg_attest_info info;
    struct rg_error err = {0};
    enum rg_attest_result res;
    int rc, first;

    rc = rg_command_parse(&rg_cmd_attest.spec, argc, argv, &a, &first);
    if (rc != RG_CLI_GO)
        return rc;
    res = rg_attest_verify(argv[first], a.key, a.package, &info, &err);
    if (res == RG_ATTEST_PASSED) {
        printf("verified: %s (sha256 %s) PASSED the gate: run %s, scenario %s, signed by key "
               "%s\n",
               info.subject, info.sha256, info.run_id, info.scenario, info.key_id);
        return RG_EXIT_OK;
    }
    rg_error_print(stderr, &err);
    return res == RG_ATTEST_FAILED ? RG_EXIT_BLOCK : RG_EXIT_USAGE;
}

static int cmd_attest(void *opts, int argc, char **argv)
{
    (void)opts;
    if (argc >= 2 && !strcmp(argv[1], "verify"))
        return verify(argc - 1, argv + 1);
    if (argc == 3 && !strcmp(argv[1], "show")) {
        struct rg_buf b = RG_BUF_INIT;
        struct rg_error err = {0};
        int rc = rg_attest_show(argv[2], &b, &err);

        if (rc == 0)
            fputs(rg_buf_str(&b), stdout);
        else
            rg_error_print(stderr, &err);
        rg_buf_free(&b);
        return rc == 0 ? RG_EXIT_OK : RG_EXIT_USAGE;
    }
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return rg_command_help(&rg_cmd_attest.spec);
    return rg_command_usage_error("attest", "use 'attest verify FILE --key PUB --package PKG' "
                                            "or 'attest show FILE'");
}

/* cmd_attest parses verify's words with the table (no --help there: `attest --help` is the
 * help) and checks show's itself. */
const struct rg_command rg_cmd_attest = {
    .summary = "verify a run's signed verdict about a package", .fn = cmd_attest,
    .spec = {.name = "attest", .usage = "verify FILE\nshow FILE", RG_OPTIONS(attest_options),
             .no_help = true, .min_args = 1, .max_args = 1,
             .args_error = "verify takes FILE, --key and --package", .about = attest_about,
             .more = attest_more}};
