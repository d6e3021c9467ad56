/* `ringgate validate-channels --inputs N DIR`: the sample sensor's content validator. */
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cli/cmds.h"
#include "package/channel.h"
#include "util/ringgate.h"

static const char validate_channels_about[] =
    "Checks every channel file (*.rgc) under DIR, recursively, against the channel format\n"
    "and against a sensor that hands its rules N input fields: the check that would have\n"
    "refused Channel File 291. A DIR without a channel file is refused too. Every problem\n"
    "is printed on stdout as FILE:LINE:COL: error: MESSAGE, FILE relative to DIR.\n"
    "\n"
    "It speaks the content validator protocol (see update.validator in the README), so a\n"
    "scenario names it as its validator, the sample sensor's (driver 1.x) being:\n"
    "  validator: {command: [ringgate, validate-channels, --inputs, \"20\",\n"
    "                        --expect-version, \"{version}\", \"{dir}\"]}\n";
static const char validate_channels_more[] =
    "Exit: 0 every channel file valid, 1 any problem, 2 usage error.\n";

struct validate_channels_args {
    int inputs;
    const char *version;
};
static const struct validate_channels_args validate_channels_defaults = {0};

#define AT(field) offsetof(struct validate_channels_args, field)

static const struct rg_option validate_channels_options[] = {
    {.type = RG_OPTION_INT, .long_name = "inputs", .offset = AT(inputs), .arg = "N", .min = 1,
     .max = RG_CHANNEL_MAX_FIELDS, .bad = "--inputs takes a number from 1 to 32",
     .help = "input fields the sensor hands every rule (the sample sensor: 20)",
     .required = RG_OPT_LINE(0)},
    RG_OPT_STRING(0, "expect-version", AT(version), "V",
                  "every channel file's version must be V (the package's: {version})"),
};

static int cmd_validate_channels(void *opts, int argc, char **argv)
{
    const struct validate_channels_args *a = opts;
    struct rg_errors errs = {0};
    struct stat st;
    int rc = RG_EXIT_OK;

    (void)argc;
    if (stat(argv[0], &st) != 0 || !S_ISDIR(st.st_mode))
        return rg_command_usage_error("validate-channels", "'%s' is not a folder", argv[0]);
    if (rg_channel_validate_dir(argv[0], a->inputs, a->version, &errs) < 0) {
        rg_errors_print(stdout, &errs);
        rc = RG_EXIT_BLOCK;
    }
    rg_errors_free(&errs);
    return rc;
}

RG_COMMAND(validate_channels, "check the sample sensor's channel files (a content validator)",
           .name = "validate-channels", .usage = "DIR", .min_args = 1, .max_args = 1,
           .args_error = "expected --inputs N and one folder");
