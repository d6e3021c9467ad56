/* Channel files, the sample sensor's content: a host-side validator run before any boot. */
#ifndef RG_CHANNEL_H
#define RG_CHANNEL_H

#include <stddef.h>

#include "util/error.h"

#define RG_CHANNEL_MAX_BYTES (64 * 1024)
#define RG_CHANNEL_MAX_LINE 256
#define RG_CHANNEL_MAX_RULES 256
#define RG_CHANNEL_MAX_FIELDS 32

struct rg_channel_info {
    int channel;
    char version[33];
    int version_line; /* where 'version' was given, for messages about it */
    int inputs;
    int nrules;
    int nmatch, ndelay, nleak, nwarn; /* rules per operation */
    int max_field;                    /* the highest input field any rule reads */
};

/* Checks a channel file against the format and against the sensor, which supplies
 * sensor_inputs input fields to every rule. Every problem is added to errs as
 * name:line:col. Returns 0 when the file is acceptable. info may be NULL. */
int rg_channel_validate(const char *name, const char *data, size_t len, int sensor_inputs,
                        struct rg_channel_info *info, struct rg_errors *errs);

/* Validates one channel file and, when version is not NULL, checks that its version is that
 * one: a package that says 0293 and carries 9999 would be installed and reported as 0293. */
int rg_channel_check(const char *name, const char *data, size_t len, int sensor_inputs,
                     const char *version, struct rg_errors *errs);

/* `ringgate validate-channels`: every channel file (*.rgc) under dir, found recursively, in
 * name order, named relative to dir (files/channels/291.rgc, as in the package); a dir with
 * none is an error too. version as for rg_channel_check. 0 when all pass. */
int rg_channel_validate_dir(const char *dir, int sensor_inputs, const char *version,
                            struct rg_errors *errs);

#define RG_CHANNEL_NONE "a content package carries no channel file (files/channels/*.rgc)"

#endif
