/* `ringgate version`: the program's version and the versions of the libraries it runs with. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmds.h"
#include "hv/hv.h"
#include "model/scenario.h"
#include "package/package.h"
#include "report/report.h"
#include "util/digest.h"
#include "util/ringgate.h"

static const char version_about[] =
    "Prints ringgate's version and the versions of the libraries it runs with, as each\n"
    "library reports itself at run time: libvirt, libyaml, jansson, OpenSSL, libarchive\n"
    "and libxml2.\n";

static void jansson_version(char *out, size_t size)
{
    snprintf(out, size, "%s", jansson_version_str());
}

/* Each library's version, from the module that holds the library (the seam's rule). */
static const struct {
    const char *name;
    void (*get)(char *out, size_t size);
} libraries[] = {
    {"libvirt", rg_hv_libvirt_version},  {"libyaml", rg_yaml_version},
    {"jansson", jansson_version},        {"OpenSSL", rg_openssl_version},
    {"libarchive", rg_archive_version}, {"libxml2", rg_libxml2_version},
};

static int cmd_version(void *opts, int argc, char **argv)
{
    int rc, first;

    (void)opts;
    if (argc > 1 && strcmp(argv[1], "--help") == 0)
        return rg_command_help(&rg_cmd_version.spec);
    rc = rg_command_parse(&rg_cmd_version.spec, argc, argv, NULL, &first);
    if (rc != RG_CLI_GO)
        return rc;
    printf("ringgate %s\n", RG_VERSION);
    for (size_t i = 0; i < sizeof(libraries) / sizeof(libraries[0]); i++) {
        char v[64];

        libraries[i].get(v, sizeof(v));
        printf("%-11s%s\n", libraries[i].name, v);
    }
    return RG_EXIT_OK;
}

/* No option table: any word is refused with "takes no arguments" (--help aside). */
const struct rg_command rg_cmd_version = {
    .summary = "print the versions of ringgate and its libraries", .fn = cmd_version,
    .spec = {.name = "version", .args_error = "takes no arguments", .about = version_about}};
