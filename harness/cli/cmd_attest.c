/* `ringgate attest verify|show`: checks a gate attestation before a package is promoted. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmds.h"
#include "report/attest.h"
#include "util/ringgate.h"

const char rg_usage_attest[] =
    "usage: ringgate attest verify FILE --key PUBLIC.pem --package PKG.rgpkg\n"
    "       ringgate attest show FILE\n"
    "\n"
    "`ringgate run --attest GATE.pem` writes RUN_DIR/attestation.json for a run that passed\n"
    "or blocked: an in-toto Statement (test-result predicate, result PASSED or FAILED) whose\n"
    "subject is the update package's sha256, in a DSSE envelope signed with Ed25519.\n"
    "\n"
    "verify  checks the envelope's signature with the gate's public key, that PKG's bytes\n"
    "        are the statement's subject, and that the result is PASSED: what a release\n"
    "        pipeline runs before it promotes PKG to ring 0.\n"
    "show    prints the statement and the key id it claims (without checking it).\n"
    "\n"
    "Exit (verify): 0 a signed PASSED verdict for exactly these bytes; 1 a genuine FAILED\n"
    "verdict (the gate blocked them); 2 anything else (bad or foreign signature, another\n"
    "package, a malformed file, usage).\n";

static int verify(int argc, char **argv)
{
    static const struct option longopts[] = {{"key", required_argument, NULL, 'k'},
                                             {"package", required_argument, NULL, 'p'},
                                             {NULL, 0, NULL, 0}};
    const char *key = NULL, *pkg = NULL;
    struct rg_attest_info info;
    struct rg_error err = {0};
    enum rg_attest_result res;
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (opt == 'k')
            key = optarg;
        else if (opt == 'p')
            pkg = optarg;
        else
            return rg_command_usage_error("attest", "unknown option");
    }
    if (optind + 1 != argc || !key || !pkg)
        return rg_command_usage_error("attest", "verify takes FILE, --key and --package");
    res = rg_attest_verify(argv[optind], key, pkg, &info, &err);
    if (res == RG_ATTEST_PASSED) {
        printf("verified: %s (sha256 %s) PASSED the gate: run %s, scenario %s, signed by key "
               "%s\n",
               info.subject, info.sha256, info.run_id, info.scenario, info.key_id);
        return RG_EXIT_OK;
    }
    rg_error_print(stderr, &err);
    return res == RG_ATTEST_FAILED ? RG_EXIT_BLOCK : RG_EXIT_USAGE;
}

int cmd_attest(int argc, char **argv)
{
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
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(rg_usage_attest, stdout);
        return RG_EXIT_OK;
    }
    return rg_command_usage_error("attest", "use 'attest verify FILE --key PUB --package PKG' "
                                            "or 'attest show FILE'");
}
