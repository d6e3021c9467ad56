/* The guest contract: how ringgate knows a guest is up, installs a package in it, reads what
 * it runs and boots it in safe mode. Per image in the catalogue, per scenario on top. */
#ifndef RG_GUEST_H
#define RG_GUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define RG_GUEST_ARGV_MAX 16    /* words of a contract command */
#define RG_GUEST_VERSIONS_MAX 8 /* name=value pairs kept from one boot */

struct rg_guest_regex; /* a compiled PCRE2 pattern */

enum rg_guest_agent { RG_GUEST_AGENT_UNSET, RG_GUEST_AGENT_NO, RG_GUEST_AGENT_YES };

/* One layer of the contract, as a catalogue image or a scenario gives it. Every field may be
 * unset (NULL or 0, so a zeroed struct is an empty layer): the layer below, then the default,
 * fills it. */
struct rg_guest {
    char *ready_pattern;
    struct rg_guest_regex *ready_re;
    enum rg_guest_agent ready_agent;
    char **ready_command; /* NULL-terminated argv */
    char **install_command;
    int install_timeout_s; /* 0 unset */
    char *install_record;
    struct rg_guest_regex *install_record_re;
    char **versions_command;
    char *versions_driver, *versions_content;
    char **counters_command;
    char *safe_mode; /* kernel arguments, or "none" */
};

/* The contract a cell follows: scenario over image over default, every field resolved.
 * Borrows from the layers, which outlive it. */
struct rg_guest_contract {
    const char *ready_pattern;
    const struct rg_guest_regex *ready_re;
    bool ready_agent;
    const char *const *ready_command;    /* NULL: none */
    const char *const *install_command;  /* "{package}" stands for the package's guest path */
    int install_timeout_s;
    const struct rg_guest_regex *record_re; /* NULL: every output line is recorded */
    const char *const *versions_command; /* NULL: the ready pattern's groups only */
    const char *driver, *content;        /* the reported names holding each kind's version */
    /* The agent's own counters (name=value lines); each NAME_bytes is a memory metric. */
    const char *const *counters_command;
    const char *safe_mode;               /* NULL: the guest has no safe mode */
};

struct rg_version {
    char name[32], value[64];
};

/* What a ready line (and the versions command after it) said about a boot. */
struct rg_ready_info {
    int boot;
    bool safe;
    double uptime;
    bool has_boot, has_safe, has_uptime; /* the pattern named them */
    struct rg_version v[RG_GUEST_VERSIONS_MAX];
    size_t nv;
};

/* The sample sensor's contract, the default of every part. */
#define RG_GUEST_DEFAULT_READY                                                                 \
    "RINGGATE-READY boot=(?<boot>\\d+) sensor=(?<sensor>\\S+) content=(?<content>\\S+) "      \
    "safe=(?<safe>[01]) uptime=(?<uptime>[0-9.]+)"
#define RG_GUEST_DEFAULT_SAFE_MODE "ringgate.safe=1"
#define RG_GUEST_DEFAULT_TIMEOUT_S 60

/* The contract's keys, for the catalogue's and the scenario's parsers (NULL-terminated). */
extern const char *const rg_guest_keys[], *const rg_guest_ready_keys[],
    *const rg_guest_install_keys[], *const rg_guest_versions_keys[],
    *const rg_guest_counters_keys[];

void rg_guest_init(struct rg_guest *g);
void rg_guest_fini(struct rg_guest *g);

/* Compiles pattern; on failure -1 with PCRE2's message and the offset in the pattern. */
int rg_guest_regex_compile(const char *pattern, struct rg_guest_regex **out, char *msg,
                           size_t size, size_t *offset);
void rg_guest_regex_free(struct rg_guest_regex *re);
bool rg_guest_regex_match(const struct rg_guest_regex *re, const char *s);

/* A NULL-terminated copy of words[0..n). */
char **rg_guest_argv_new(const char *const *words, size_t n);
void rg_guest_argv_free(char **argv);

/* Resolves scenario over image over the default; either layer may be NULL. */
void rg_guest_resolve(const struct rg_guest *image, const struct rg_guest *scenario,
                      struct rg_guest_contract *out);

/* Matches a console line against the ready pattern: true with out filled from its named
 * groups (boot, safe and uptime by their meaning, the others as versions). */
bool rg_guest_ready_match(const struct rg_guest_contract *g, const char *line,
                          struct rg_ready_info *out);
/* Merges name=value lines (a versions command's output) into info, overriding. */
void rg_guest_versions_merge(struct rg_ready_info *info, const char *out);
/* The value reported under name, or NULL. */
const char *rg_ready_version(const struct rg_ready_info *info, const char *name);
/* "sensor=1.0.0 content=0290", or "nothing" when empty. */
void rg_ready_versions_str(const struct rg_ready_info *info, char *out, size_t size);

/* Parses "RINGGATE-READY boot=3 sensor=1.0.0 content=0290 safe=0 uptime=2.41" by the
 * default contract. */
bool rg_ready_parse(const char *line, struct rg_ready_info *out);

#endif
