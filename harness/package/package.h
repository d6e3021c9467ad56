/* Signed update packages (.rgpkg): a ustar archive of manifest.json, manifest.sig and files/. */
#ifndef RG_UPDATE_H
#define RG_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "package/sign.h"
#include "util/digest.h"
#include "util/error.h"

#define RG_PKG_MAX_BYTES (64L * 1024 * 1024) /* the whole archive */
#define RG_PKG_MAX_ENTRIES 1024
#define RG_PKG_MAX_MANIFEST (1024 * 1024)
#define RG_PKG_SIG_BYTES RG_SIG_BYTES /* manifest.sig: the raw Ed25519 signature of manifest.json */
#define RG_PKG_MAX_PATH 200           /* bytes of a member's name (ustar holds 255) */
#define RG_PKG_MAX_DEPTH 16           /* folders in a member's name */
#define RG_PKG_MAX_TEXT 1024          /* bytes of the manifest's description */

/* A member of the archive under files/ (data owned by the package), or a file of the manifest
 * (path and data borrowed from its member). */
struct rg_package_file {
    char *path; /* "files/..." */
    char sha256[RG_SHA256_HEX];
    size_t size;
    unsigned mode; /* 0644 or 0755 */
    unsigned char *data;
};

/* The order is the trust boundary: rg_package_open reads the tar framing only; the manifest
 * stays raw bytes until rg_package_verify has checked its signature (or rg_package_inspect
 * parses it as the hostile input it is). Until then only path, sha256, manifest, sig and
 * members are set. */
struct rg_package {
    char *path;
    char sha256[RG_SHA256_HEX]; /* of the .rgpkg itself */
    char *name, *kind, *version, *description, *target_sensor, *target_kernel;
    char key_id[RG_KEY_ID_HEX]; /* set by rg_package_verify */
    bool parsed;                /* the manifest was parsed and every file bound to its member */
    bool verified;              /* ...after its signature verified with a trusted key */
    struct rg_package_file *files; /* the manifest's, once parsed */
    size_t nfiles;
    struct rg_package_file *members; /* the archive's files/, framed but not yet trusted */
    size_t nmembers;
    char *manifest;
    size_t manifest_len;
    unsigned char sig[RG_PKG_SIG_BYTES];
    bool has_sig;
};

/* Reads the tar framing within its limits: plain ustar, canonical names, regular files of
 * mode 0644/0755, manifest.json, manifest.sig and files/ only. Nothing the manifest says is
 * parsed or trusted here. */
int rg_package_open(const char *path, struct rg_package **out, struct rg_error *err);
int rg_package_open_mem(const char *name, const void *data, size_t len, struct rg_package **out,
                        struct rg_error *err);
/* Authenticates, then parses: checks manifest.sig over the raw bytes of manifest.json against
 * the trusted public keys (PEM) and sets key_id; only then parses the manifest and checks
 * every file's size, mode and hash. A package that fails the signature is refused without
 * its manifest being interpreted. */
int rg_package_verify(struct rg_package *pkg, const char *const *pubkeys, size_t nkeys,
                      struct rg_error *err);
/* Parses the manifest of a package that was not authenticated, only to show it (`package
 * show` without a key): hostile input, the same checks as rg_package_verify's; verified
 * stays false. */
int rg_package_inspect(struct rg_package *pkg, struct rg_error *err);
/* Rollback protection: a candidate older than the baseline of the same kind is refused. */
int rg_package_check_version(const struct rg_package *cand, const struct rg_package *base,
                             bool allow_downgrade, struct rg_error *err);
/* Builds OUT from DIR (package.json + files/), signed with the Ed25519 private key (PEM). */
int rg_package_build(const char *dir, const char *privkey, const char *out,
                     struct rg_error *err);
void rg_package_free(struct rg_package *pkg);
/* Runs the channel file validator on every channel file (.rgc) of a parsed package (the
 * sensor supplies sensor_inputs input fields) and checks that each one's version is the
 * package's and that a content package carries one; every problem goes to errs. 0 when all
 * pass. */
int rg_package_validate_channels(const struct rg_package *pkg, int sensor_inputs,
                                 struct rg_errors *errs);

/* Compares versions by their '.'/'-' parts, numbers numerically: "0292" > "0291",
 * "1.10.0" > "1.9.0". Returns <0, 0, >0. */
int rg_version_compare(const char *a, const char *b);

/* One regular file in a tar being written (owner root, the given mode and time): the
 * reproducible entries of packages and bundles. */
struct archive;
int rg_tar_add(struct archive *a, const char *path, const void *data, size_t len, unsigned mode,
               time_t mtime);

/* The libarchive library's version at run time ("3.6.2"), for `ringgate version`. */
void rg_archive_version(char *out, size_t size);

#endif
